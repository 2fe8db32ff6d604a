/*
 * opc_lint.c - structural package checks. See opc_lint.h.
 */
#include "opc_lint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opc.h"
#include "xmlr.h"
#include "zipio.h"

#define NS_MC        "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define LINT_MSG_MAX 600
/* Id sets are sorted arrays; decks have at most tens of thousands. */
#define LINT_MAX_IDS 1000000

struct lint {
	opc_lint_emit emit;
	void *ctx;
	size_t problems;
	struct zipr z;
	char **ct_of; /* content type per entry (borrowed or NULL) */
	char **ct_store;
	size_t nct_store;
	int *reached;
	size_t *by_name;      /* entry indexes sorted by name, ignoring case */
	uint64_t *layout_ids; /* master and layout ids, deck-wide */
	size_t nlayout_ids, layout_cap;
	int has_notes_slide;
	int has_notes_list;
};

static void problem(struct lint *l, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void problem(struct lint *l, const char *fmt, ...)
{
	char msg[LINT_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	l->problems++;
	if (l->emit)
		l->emit(l->ctx, msg);
}

/* Part lookup is by binary search: a 5,000-slide deck has some 20,000
 * parts and every relationship needs one. */
static int cmp_entry(const void *a, const void *b, void *ctx)
{
	const struct zipr *z = ctx;

	return strcasecmp(z->entries[*(const size_t *)a].name,
	                  z->entries[*(const size_t *)b].name);
}

static long find_part(const struct lint *l, const char *name)
{
	size_t lo = 0, hi = l->z.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct zip_entry *ent = &l->z.entries[l->by_name[mid]];
		int c = strcasecmp(ent->name, name);

		if (c == 0)
			return ent->is_dir ? -1 : (long)l->by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int is_rels_part(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".rels") == 0 &&
	       (strncmp(name, "_rels/", 6) == 0 || strstr(name, "/_rels/"));
}

/* The part a rels part describes ("" for the package). Returns -1 when
 * name is not in a _rels folder. */
static int rels_source(const char *name, char *out, size_t cap)
{
	const char *r = strstr(name, "_rels/");
	size_t dir = (size_t)(r - name), base;

	if (!r || (dir && name[dir - 1] != '/'))
		return -1;
	base = strlen(r + 6) - 5; /* minus ".rels" */
	if (dir + base + 1 > cap)
		return -1;
	memcpy(out, name, dir);
	memcpy(out + dir, r + 6, base);
	out[dir + base] = '\0';
	return 0;
}

static char *store_ct(struct lint *l, const char *s)
{
	char **ns = realloc(l->ct_store, (l->nct_store + 1) * sizeof *ns);

	if (!ns)
		return NULL;
	l->ct_store = ns;
	if (!(ns[l->nct_store] = strdup(s)))
		return NULL;
	return ns[l->nct_store++];
}

static void check_content_types(struct lint *l)
{
	struct zip_entry *ct = zipr_find(&l->z, "[Content_Types].xml");
	struct {
		char ext[32];
		char *type;
	} defs[64];
	size_t ndefs = 0, i, k;
	struct xmlr r;
	enum xr_type t;

	if (!ct || !ct->data) {
		problem(l, "[Content_Types].xml is missing");
		return;
	}
	xr_init(&r, (const char *)ct->data, ct->len);
	while ((t = xr_next(&r)) != XR_EOF && t != XR_ERROR) {
		if (t == XR_START && xr_is(&r, NS_CT, "Default")) {
			const char *ext = xr_attr(&r, "", "Extension");
			const char *type = xr_attr(&r, "", "ContentType");

			if (!ext || !type) {
				problem(l, "[Content_Types].xml: Default "
				           "without Extension or ContentType");
				continue;
			}
			for (k = 0; k < ndefs; k++)
				if (!strcasecmp(defs[k].ext, ext))
					problem(l,
					        "[Content_Types].xml: two "
					        "Defaults for extension %s",
					        ext);
			if (ndefs < 64 && strlen(ext) < 32) {
				snprintf(defs[ndefs].ext, 32, "%s", ext);
				defs[ndefs++].type = store_ct(l, type);
			}
		} else if (t == XR_START && xr_is(&r, NS_CT, "Override")) {
			const char *pn = xr_attr(&r, "", "PartName");
			const char *type = xr_attr(&r, "", "ContentType");
			long idx;

			if (!pn || !type || pn[0] != '/') {
				problem(l, "[Content_Types].xml: Override with "
				           "a missing or relative PartName");
				continue;
			}
			idx = find_part(l, pn + 1);
			if (idx < 0) {
				problem(l,
				        "[Content_Types].xml: Override for "
				        "%s, which is not in the package",
				        pn);
				continue;
			}
			if (l->ct_of[idx])
				problem(l,
				        "[Content_Types].xml: two "
				        "Overrides for %s",
				        pn);
			l->ct_of[idx] = store_ct(l, type);
		}
	}
	if (t == XR_ERROR)
		problem(l, "[Content_Types].xml is not well-formed: %s",
		        xr_error(&r));
	xr_free(&r);
	for (i = 0; i < l->z.n; i++) {
		const char *nm = l->z.entries[i].name;
		const char *dot = strrchr(nm, '.');

		if (l->z.entries[i].is_dir || l->ct_of[i] ||
		    !strcmp(nm, "[Content_Types].xml"))
			continue;
		for (k = 0; dot && k < ndefs; k++)
			if (!strcasecmp(defs[k].ext, dot + 1))
				l->ct_of[i] = defs[k].type;
		if (!l->ct_of[i])
			problem(l,
			        "%s has no content type (no Override and "
			        "no Default for its extension)",
			        nm);
	}
}

static int ct_is(const struct lint *l, long idx, const char *suffix)
{
	const char *ct;
	size_t cl, sl = strlen(suffix);

	if (idx < 0 || !(ct = l->ct_of[idx]))
		return 0;
	cl = strlen(ct);
	return cl > sl && strcmp(ct + cl - sl, suffix) == 0 &&
	       (ct[cl - sl - 1] == '.' || ct[cl - sl - 1] == '/');
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void check_dups(struct lint *l, const char *part, const char *what,
                       uint64_t *ids, size_t n)
{
	size_t i;

	if (n < 2)
		return;
	qsort(ids, n, sizeof *ids, cmp_u64);
	for (i = 1; i < n; i++)
		if (ids[i] == ids[i - 1])
			problem(l, "%s: duplicate %s %llu", part, what,
			        (unsigned long long)ids[i]);
}

static void add_id(uint64_t **ids, size_t *n, size_t *cap, uint64_t v)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		uint64_t *ni;

		if (nc > LINT_MAX_IDS || !(ni = realloc(*ids, nc * sizeof *ni)))
			return;
		*ids = ni;
		*cap = nc;
	}
	(*ids)[(*n)++] = v;
}

/* Whether a content type is XML: "+xml" suffix or a plain XML type. A
 * substring test is not enough: the spreadsheetml package type of an
 * embedded workbook (.xlsx, a zip) contains "xml". */
static int ct_is_xml(const char *ct)
{
	size_t n = ct ? strlen(ct) : 0;

	return n && ((n > 4 && !strcasecmp(ct + n - 4, "+xml")) ||
	             !strcasecmp(ct, "application/xml") ||
	             !strcasecmp(ct, "text/xml"));
}

/* Walk one XML part: well-formedness, r:* references, ids. */
static void check_xml_part(struct lint *l, size_t idx,
                           const struct opc_rels *rels)
{
	struct zip_entry *ent = &l->z.entries[idx];
	int shapes = ct_is(l, (long)idx, "slide+xml") ||
	             ct_is(l, (long)idx, "slideLayout+xml") ||
	             ct_is(l, (long)idx, "slideMaster+xml") ||
	             ct_is(l, (long)idx, "notesSlide+xml") ||
	             ct_is(l, (long)idx, "notesMaster+xml") ||
	             ct_is(l, (long)idx, "handoutMaster+xml");
	int pres = ct_is(l, (long)idx, "presentation.main+xml");
	uint64_t *cnv = NULL, *sld = NULL;
	size_t ncnv = 0, ccnv = 0, nsld = 0, csld = 0, i;
	struct xmlr r;
	enum xr_type t;

	xr_init(&r, (const char *)ent->data, ent->len);
	while ((t = xr_next(&r)) != XR_EOF && t != XR_ERROR) {
		const char *v;

		if (t != XR_START)
			continue;
		if (xr_is(&r, NS_MC, "AlternateContent"))
			problem(l, "%s uses mc:AlternateContent", ent->name);
		for (i = 0; i < r.nattrs; i++) {
			const struct xr_attr *a = &r.attrs[i];

			if (strcmp(a->ns, NS_R) != 0)
				continue;
			if (!opc_rel_by_id(rels, a->value))
				problem(l,
				        "%s: <%s> r:%s=\"%s\" names no "
				        "relationship of this part",
				        ent->name, r.qname, a->local, a->value);
		}
		if (shapes && !strcmp(r.local, "cNvPr") &&
		    (v = xr_attr(&r, "", "id")))
			add_id(&cnv, &ncnv, &ccnv, strtoull(v, NULL, 10));
		if (pres && xr_is(&r, NS_P, "sldId") &&
		    (v = xr_attr(&r, "", "id"))) {
			uint64_t id = strtoull(v, NULL, 10);

			if (id < 256 || id > 2147483647u)
				problem(l,
				        "%s: sldId %s is outside "
				        "256..2147483647",
				        ent->name, v);
			add_id(&sld, &nsld, &csld, id);
		}
		if ((xr_is(&r, NS_P, "sldMasterId") ||
		     xr_is(&r, NS_P, "sldLayoutId")) &&
		    (v = xr_attr(&r, "", "id"))) {
			uint64_t id = strtoull(v, NULL, 10);

			if (id < 2147483648u || id > 4294967295u)
				problem(l,
				        "%s: <%s> id %s is outside "
				        "2147483648..4294967295",
				        ent->name, r.qname, v);
			add_id(&l->layout_ids, &l->nlayout_ids, &l->layout_cap,
			       id);
		}
		if (pres && xr_is(&r, NS_P, "notesMasterIdLst"))
			l->has_notes_list = 1;
	}
	if (t == XR_ERROR)
		problem(l, "%s is not well-formed XML: %s", ent->name,
		        xr_error(&r));
	xr_free(&r);
	check_dups(l, ent->name, "cNvPr id", cnv, ncnv);
	check_dups(l, ent->name, "sldId", sld, nsld);
	free(cnv);
	free(sld);
}

static void check_rel_target_type(struct lint *l, const char *rels_name,
                                  const struct opc_rel *rel, long target)
{
	static const char *const kinds[][2] = {
	        {"slide", "slide+xml"},
	        {"slideLayout", "slideLayout+xml"},
	        {"slideMaster", "slideMaster+xml"},
	        {"notesSlide", "notesSlide+xml"},
	        {"notesMaster", "notesMaster+xml"},
	        {"theme", "theme+xml"},
	        {"officeDocument", "presentation.main+xml"}};
	size_t k;

	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (opc_rel_type_is(rel, kinds[k][0]) &&
		    !ct_is(l, target, kinds[k][1]))
			problem(l,
			        "%s: %s relationship %s points at %s, whose "
			        "content type is %s",
			        rels_name, kinds[k][0], rel->id, rel->target,
			        l->ct_of[target] ? l->ct_of[target] : "none");
}

static void check_rels(struct lint *l)
{
	size_t i, j, k, *queue = NULL, qh = 0, qt = 0;
	struct opc_rels *all = calloc(l->z.n, sizeof *all);
	char src[OPC_MAX_NAME];

	queue = calloc(l->z.n + 1, sizeof *queue);
	if (!all || !queue) {
		problem(l, "out of memory checking relationships");
		goto out;
	}
	/* Load every part's rels, keyed by the source part. */
	for (i = 0; i < l->z.n; i++) {
		const char *nm = l->z.entries[i].name;
		struct pptx_err e;
		long sidx;

		if (l->z.entries[i].is_dir || !is_rels_part(nm))
			continue;
		if (rels_source(nm, src, sizeof src) != 0)
			continue;
		sidx = src[0] ? find_part(l, src) : -1;
		if (src[0] && sidx < 0) {
			problem(l,
			        "%s describes %s, which is not in the "
			        "package",
			        nm, src);
			continue;
		}
		{
			struct opc_rels rs;

			if (opc_rels_load(&l->z, src, &rs, &e) != PPTX_OK) {
				problem(l, "%s: %s", nm, e.msg);
				continue;
			}
			for (j = 0; j < rs.n; j++)
				for (k = j + 1; k < rs.n; k++)
					if (!strcmp(rs.rels[j].id,
					            rs.rels[k].id))
						problem(l,
						        "%s: duplicate "
						        "relationship Id %s",
						        nm, rs.rels[j].id);
			for (j = 0; j < rs.n; j++) {
				long tidx;

				if (rs.rels[j].external)
					continue;
				if (!rs.rels[j].target[0]) {
					problem(l,
					        "%s: relationship %s has a "
					        "target outside the package",
					        nm, rs.rels[j].id);
					continue;
				}
				tidx = find_part(l, rs.rels[j].target);
				if (tidx < 0)
					problem(l,
					        "%s: relationship %s "
					        "targets %s, which does not "
					        "exist",
					        nm, rs.rels[j].id,
					        rs.rels[j].target);
				else
					check_rel_target_type(
					        l, nm, &rs.rels[j], tidx);
				if (opc_rel_type_is(&rs.rels[j], "notesSlide"))
					l->has_notes_slide = 1;
			}
			/* Two rels parts for one source can only come
			 * from names that differ in case, already
			 * reported: keep the first. */
			if (src[0] && !all[sidx].rels)
				all[sidx] = rs;
			else if (!src[0])
				all[i] = rs; /* the package's own rels */
			else
				opc_rels_free(&rs);
		}
	}
	/* Reachability from the package rels. */
	{
		long root = find_part(l, "_rels/.rels");

		if (root < 0) {
			problem(l, "_rels/.rels is missing");
			goto out;
		}
		l->reached[root] = 1;
		queue[qt++] = (size_t)root;
	}
	while (qh < qt) {
		size_t cur = queue[qh++];
		const struct opc_rels *rs = &all[cur];

		for (j = 0; j < rs->n; j++) {
			long tidx;
			char rn[OPC_MAX_NAME];
			long ridx;

			if (rs->rels[j].external || !rs->rels[j].target[0])
				continue;
			tidx = find_part(l, rs->rels[j].target);
			if (tidx < 0 || l->reached[tidx])
				continue;
			l->reached[tidx] = 1;
			queue[qt++] = (size_t)tidx;
			if (opc_rels_name(l->z.entries[tidx].name, rn,
			                  sizeof rn) == 0 &&
			    (ridx = find_part(l, rn)) >= 0)
				l->reached[ridx] = 1;
		}
	}
	for (i = 0; i < l->z.n; i++) {
		const char *nm = l->z.entries[i].name;

		if (l->z.entries[i].is_dir || l->reached[i] ||
		    !strcmp(nm, "[Content_Types].xml") || is_rels_part(nm))
			continue;
		problem(l,
		        "%s is an orphan: no relationship reaches it from "
		        "_rels/.rels",
		        nm);
	}
	/* Per-part XML checks need the part's own rels. */
	for (i = 0; i < l->z.n; i++) {
		const char *nm = l->z.entries[i].name;
		size_t n = strlen(nm);
		struct opc_rels none = {0};

		if (l->z.entries[i].is_dir || !l->z.entries[i].data ||
		    is_rels_part(nm) || !strcmp(nm, "[Content_Types].xml"))
			continue;
		if (!(n > 4 && !strcasecmp(nm + n - 4, ".xml")) &&
		    !ct_is_xml(l->ct_of[i]))
			continue;
		check_xml_part(l, i, all[i].rels ? &all[i] : &none);
	}
	check_dups(l, "slide masters and layouts", "sldMasterId/sldLayoutId",
	           l->layout_ids, l->nlayout_ids);
	if (l->has_notes_slide && !l->has_notes_list)
		problem(l, "the deck has notes slides but presentation.xml "
		           "has no notesMasterIdLst");
out:
	if (all)
		for (i = 0; i < l->z.n; i++)
			opc_rels_free(&all[i]);
	free(all);
	free(queue);
}

size_t opc_lint(const unsigned char *zip, size_t len, opc_lint_emit emit,
                void *ctx)
{
	struct lint l;
	struct pptx_err e;
	size_t i;

	memset(&l, 0, sizeof l);
	l.emit = emit;
	l.ctx = ctx;
	if (zipr_load(zip, len, NULL, NULL, &l.z, &e) != PPTX_OK) {
		problem(&l, "cannot read the package: %s", e.msg);
		return l.problems;
	}
	l.ct_of = calloc(l.z.n + 1, sizeof *l.ct_of);
	l.reached = calloc(l.z.n + 1, sizeof *l.reached);
	l.by_name = calloc(l.z.n + 1, sizeof *l.by_name);
	if (!l.ct_of || !l.reached || !l.by_name) {
		problem(&l, "out of memory");
		goto out;
	}
	for (i = 0; i < l.z.n; i++)
		l.by_name[i] = i;
	qsort_r(l.by_name, l.z.n, sizeof *l.by_name, cmp_entry, &l.z);
	if (l.z.n == 0 || strcmp(l.z.entries[0].name, "[Content_Types].xml"))
		problem(&l, "[Content_Types].xml is not the first zip entry");
	for (i = 0; i < l.z.n; i++) {
		if (l.z.entries[i].is_dir)
			problem(&l, "the zip has a directory entry %s",
			        l.z.entries[i].name);
		if (i > 0 && !strcasecmp(l.z.entries[l.by_name[i]].name,
		                         l.z.entries[l.by_name[i - 1]].name))
			problem(&l,
			        "two zip entries are named %s (part names "
			        "ignore case)",
			        l.z.entries[l.by_name[i]].name);
	}
	check_content_types(&l);
	check_rels(&l);
out:
	for (i = 0; i < l.nct_store; i++)
		free(l.ct_store[i]);
	free(l.ct_store);
	free(l.ct_of);
	free(l.reached);
	free(l.by_name);
	free(l.layout_ids);
	zipr_free(&l.z);
	return l.problems;
}
