/*
 * pptx_append.c - slides appended to an existing deck. See pptx_write.h.
 *
 * The existing parts are copied byte for byte, so nothing another program
 * wrote is lost; only [Content_Types].xml, the presentation part and its
 * rels are edited, by splicing new elements in at offsets the tokenizer
 * reports. New slides point at the deck's own layouts (matched by layout
 * type) through absolute part names, and carry explicit geometry scaled to
 * the deck's slide size, so they render whatever the layouts look like.
 */
#include "pptx_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opc.h"
#include "pptx_chart.h"
#include "pptx_skeleton.h"
#include "xmlr.h"

#define RT                                                                     \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
#define SLIDE_ID_MIN 256u
#define SLIDE_ID_MAX 2147483647u

struct splice {
	size_t at;   /* insert at this offset of the original */
	size_t skip; /* and drop this many original bytes there */
	struct xbuf text;
};

/* What the presentation part tells us, with the offsets to edit at. */
struct pres_info {
	char prefix[64]; /* the PresentationML prefix, "" for default */
	int has_sld_list;
	size_t sld_list_end;                           /* where new sldIds go */
	size_t sld_list_self_start, sld_list_self_len; /* <p:sldIdLst/> */
	size_t sld_sz_start; /* where a new sldIdLst goes */
	size_t master_list_end;
	int has_notes_list;
	uint32_t max_id;
	uint32_t cx, cy;
	size_t nslides;
};

static pptx_status scan_presentation(const struct zip_entry *ent,
                                     struct pres_info *pi, struct pptx_err *e)
{
	struct xmlr r;
	enum xr_type t;
	pptx_status rc = PPTX_OK;
	int in_list = 0, root = 1;

	memset(pi, 0, sizeof *pi);
	pi->cx = PPTX_EMU_16_9_CX;
	pi->cy = PPTX_EMU_SLIDE_CY;
	pi->sld_sz_start = (size_t)-1;
	pi->master_list_end = (size_t)-1;
	xr_init(&r, (const char *)ent->data, ent->len);
	while ((t = xr_next(&r)) != XR_EOF) {
		if (t == XR_ERROR) {
			rc = pptx_fail(e, PPTX_ERR_FORMAT,
			               "%s is not well-formed XML: %s",
			               ent->name, xr_error(&r));
			break;
		}
		if (t == XR_START && root) {
			const char *colon = strchr(r.qname, ':');

			root = 0;
			if (!xr_is(&r, NS_P, "presentation")) {
				rc = pptx_fail(
				        e, PPTX_ERR_FORMAT,
				        "%s is not a (transitional) "
				        "PowerPoint presentation; save the "
				        "deck as a regular .pptx",
				        ent->name);
				break;
			}
			if (colon &&
			    (size_t)(colon - r.qname) < sizeof pi->prefix - 1)
				snprintf(pi->prefix, sizeof pi->prefix,
				         "%.*s:", (int)(colon - r.qname),
				         r.qname);
			continue;
		}
		if (t == XR_START && xr_is(&r, NS_P, "sldIdLst")) {
			pi->has_sld_list = 1;
			in_list = 1;
			pi->sld_list_self_start = r.ev_start;
			pi->sld_list_self_len = r.ev_end - r.ev_start;
		} else if (t == XR_END && xr_is(&r, NS_P, "sldIdLst")) {
			in_list = 0;
			pi->sld_list_end = r.ev_start;
			/* An empty-element tag gets a zero-length end. */
			if (r.ev_start != r.ev_end)
				pi->sld_list_self_len = 0;
		} else if (t == XR_START && in_list &&
		           xr_is(&r, NS_P, "sldId")) {
			const char *id = xr_attr(&r, "", "id");
			unsigned long v = id ? strtoul(id, NULL, 10) : 0;

			if (v > pi->max_id && v <= SLIDE_ID_MAX)
				pi->max_id = (uint32_t)v;
			pi->nslides++;
		} else if (t == XR_START && xr_is(&r, NS_P, "sldSz")) {
			const char *cx = xr_attr(&r, "", "cx");
			const char *cy = xr_attr(&r, "", "cy");

			pi->sld_sz_start = r.ev_start;
			if (cx && cy) {
				pi->cx = (uint32_t)strtoul(cx, NULL, 10);
				pi->cy = (uint32_t)strtoul(cy, NULL, 10);
			}
		} else if (t == XR_END && xr_is(&r, NS_P, "sldMasterIdLst")) {
			pi->master_list_end = r.ev_end;
		} else if (t == XR_START &&
		           xr_is(&r, NS_P, "notesMasterIdLst")) {
			pi->has_notes_list = 1;
		}
	}
	xr_free(&r);
	if (rc == PPTX_OK && (pi->sld_sz_start == (size_t)-1 ||
	                      pi->master_list_end == (size_t)-1))
		rc = pptx_fail(e, PPTX_ERR_FORMAT,
		               "%s has no slide size or no slide master: the "
		               "deck is damaged",
		               ent->name);
	if (rc == PPTX_OK && (pi->cx < 914400 || pi->cx > 51206400 ||
	                      pi->cy < 914400 || pi->cy > 51206400))
		rc = pptx_fail(
		        e, PPTX_ERR_FORMAT,
		        "%s gives a slide size outside the allowed range",
		        ent->name);
	return rc;
}

/* Offset of the root element's end tag (where new children go). */
static pptx_status root_end(const struct zip_entry *ent, size_t *at,
                            struct pptx_err *e)
{
	struct xmlr r;
	enum xr_type t;

	*at = (size_t)-1;
	xr_init(&r, (const char *)ent->data, ent->len);
	while ((t = xr_next(&r)) != XR_EOF && t != XR_ERROR)
		if (t == XR_END && r.depth == 0)
			*at = r.ev_start == r.ev_end ? (size_t)-1 : r.ev_start;
	if (t == XR_ERROR) {
		pptx_status rc = pptx_fail(e, PPTX_ERR_FORMAT,
		                           "%s is not well-formed XML: %s",
		                           ent->name, xr_error(&r));
		xr_free(&r);
		return rc;
	}
	xr_free(&r);
	if (*at == (size_t)-1)
		return pptx_fail(e, PPTX_ERR_FORMAT,
		                 "%s has an empty root element; the deck is "
		                 "damaged",
		                 ent->name);
	return PPTX_OK;
}

/* Apply splices (sorted by offset) to src into out. */
static void apply(struct xbuf *out, const struct zip_entry *src,
                  struct splice *sp, size_t n)
{
	size_t pos = 0, i;

	for (i = 0; i < n; i++) {
		xb_put(out, src->data + pos, sp[i].at - pos);
		xb_put(out, sp[i].text.p, sp[i].text.len);
		pos = sp[i].at + sp[i].skip;
	}
	xb_put(out, src->data + pos, src->len - pos);
}

/* The highest N of any entry named prefix N suffix-ish (e.g. ppt/slides/
 * slide7.xml), so new parts never collide with existing ones. */
static unsigned max_number(const struct zipr *z, const char *prefix)
{
	size_t pl = strlen(prefix), i;
	unsigned max = 0;

	for (i = 0; i < z->n; i++) {
		const char *nm = z->entries[i].name;
		unsigned long v;
		char *end;

		if (strncmp(nm, prefix, pl) != 0)
			continue;
		v = strtoul(nm + pl, &end, 10);
		if (end != nm + pl && v > max && v < 1000000)
			max = (unsigned)v;
	}
	return max;
}

static unsigned max_rid(const struct opc_rels *r)
{
	unsigned max = 0;
	size_t i;

	for (i = 0; i < r->n; i++) {
		const char *id = r->rels[i].id;

		if (strncmp(id, "rId", 3) == 0) {
			unsigned long v = strtoul(id + 3, NULL, 10);

			if (v > max && v < 1000000000)
				max = (unsigned)v;
		}
	}
	return max;
}

static int layout_type_is(const struct zipr *z, const char *part,
                          const char *type)
{
	struct zip_entry *ent = zipr_find(z, part);
	struct xmlr r;
	enum xr_type t;
	int match = 0;

	if (!ent || !ent->data)
		return 0;
	xr_init(&r, (const char *)ent->data, ent->len);
	while ((t = xr_next(&r)) == XR_TEXT)
		;
	if (t == XR_START && xr_is(&r, NS_P, "sldLayout")) {
		const char *ty = xr_attr(&r, "", "type");

		/* No type attribute means "cust". */
		match = strcmp(ty ? ty : "cust", type) == 0;
	}
	xr_free(&r);
	return match;
}

/* Pick the deck's layout for each of ours, by layout type preference. */
static pptx_status
pick_layouts(const struct zipr *z, const struct opc_rels *mrels,
             char targets[PPTX_LAYOUT_COUNT][OPC_MAX_NAME + 1],
             struct pptx_err *e)
{
	static const char *const prefs[PPTX_LAYOUT_COUNT][4] = {
	        [PPTX_LAYOUT_TITLE] = {"title", "obj", "tx", NULL},
	        [PPTX_LAYOUT_BULLETS] = {"obj", "tx", NULL, NULL},
	        [PPTX_LAYOUT_TWO_COLUMN] = {"twoObj", "obj", "tx", NULL},
	        [PPTX_LAYOUT_SECTION] = {"secHead", "title", "obj", NULL},
	        [PPTX_LAYOUT_TABLE] = {"titleOnly", "obj", "tx", NULL},
	        [PPTX_LAYOUT_IMAGE] = {"titleOnly", "obj", "tx", NULL},
	        [PPTX_LAYOUT_CHART] = {"titleOnly", "obj", "tx", NULL},
	        [PPTX_LAYOUT_TEXT_CHART] = {"twoObj", "obj", "tx", NULL},
	        [PPTX_LAYOUT_QUOTE] = {"secHead", "titleOnly", "obj", NULL},
	        [PPTX_LAYOUT_BIG_NUMBER] = {"secHead", "titleOnly", "obj",
	                                    NULL},
	        [PPTX_LAYOUT_AGENDA] = {"obj", "tx", NULL, NULL},
	        [PPTX_LAYOUT_IMAGE_TEXT] = {"twoObj", "obj", "tx", NULL},
	        [PPTX_LAYOUT_COMPARISON] = {"twoTxTwoObj", "twoObj", "obj",
	                                    NULL}};
	const char *first = NULL;
	size_t l, k, i;

	for (i = 0; i < mrels->n; i++)
		if (opc_rel_type_is(&mrels->rels[i], "slideLayout") &&
		    !mrels->rels[i].external &&
		    zipr_find(z, mrels->rels[i].target)) {
			first = mrels->rels[i].target;
			break;
		}
	if (!first)
		return pptx_fail(e, PPTX_ERR_FORMAT,
		                 "the deck's slide master has no layouts: the "
		                 "deck is damaged");
	for (l = 0; l < PPTX_LAYOUT_COUNT; l++) {
		const char *pick = NULL;

		for (k = 0; k < 4 && prefs[l][k] && !pick; k++)
			for (i = 0; i < mrels->n && !pick; i++)
				if (opc_rel_type_is(&mrels->rels[i],
				                    "slideLayout") &&
				    !mrels->rels[i].external &&
				    layout_type_is(z, mrels->rels[i].target,
				                   prefs[l][k]))
					pick = mrels->rels[i].target;
		snprintf(targets[l], OPC_MAX_NAME + 1, "/%s",
		         pick ? pick : first);
	}
	return PPTX_OK;
}

static void put_override(struct xbuf *b, const char *part, const char *type)
{
	xb_puts(b, "<Override PartName=\"/");
	xb_esc_attr(b, part, strlen(part));
	xb_puts(b, "\" ContentType=\"");
	xb_puts(b, type);
	xb_puts(b, "\"/>");
}

static void put_rel(struct xbuf *b, unsigned id, const char *type,
                    const char *target)
{
	xb_puts(b, "<Relationship Id=\"rId");
	xb_putu(b, id);
	xb_puts(b, "\" Type=\"");
	xb_puts(b, type);
	xb_puts(b, "\" Target=\"");
	xb_esc_attr(b, target, strlen(target));
	xb_puts(b, "\"/>");
}

static int has_default(const struct zip_entry *ct, const char *ext)
{
	struct xmlr r;
	enum xr_type t;
	int found = 0;

	xr_init(&r, (const char *)ct->data, ct->len);
	while (!found && (t = xr_next(&r)) != XR_EOF && t != XR_ERROR) {
		const char *x;

		if (t == XR_START && strcmp(r.local, "Default") == 0 &&
		    (x = xr_attr(&r, "", "Extension")) && !strcasecmp(x, ext))
			found = 1;
	}
	xr_free(&r);
	return found;
}

static int deck_uses(const struct pptx_deck *d, enum img_type t)
{
	size_t i;

	for (i = 0; i < d->nslides; i++)
		if (d->slides[i].nimages &&
		    d->slides[i].images[0].info.type == t)
			return 1;
	return 0;
}

/* The deck's layouts by name (p:cSld/@name), from every master. */
struct named_layouts {
	char (*name)[128];
	char (*target)[OPC_MAX_NAME + 1];
	size_t n;
};

static void layout_name_of(const struct zipr *z, const char *part, char *out,
                           size_t cap)
{
	struct zip_entry *ent = zipr_find(z, part);
	struct xmlr r;
	enum xr_type t;

	out[0] = '\0';
	if (!ent || !ent->data)
		return;
	xr_init(&r, (const char *)ent->data, ent->len);
	while ((t = xr_next(&r)) != XR_EOF && t != XR_ERROR)
		if (t == XR_START && xr_is(&r, NS_P, "cSld")) {
			const char *nm = xr_attr(&r, "", "name");

			snprintf(out, cap, "%s", nm ? nm : "");
			break;
		}
	xr_free(&r);
}

static pptx_status collect_layouts(const struct zipr *z,
                                   const struct opc_rels *prels,
                                   struct named_layouts *nl, struct pptx_err *e)
{
	size_t i, j;

	for (i = 0; i < prels->n; i++) {
		struct opc_rels mr;

		if (!opc_rel_type_is(&prels->rels[i], "slideMaster") ||
		    prels->rels[i].external)
			continue;
		if (opc_rels_load(z, prels->rels[i].target, &mr, e) != PPTX_OK)
			return e->status;
		for (j = 0; j < mr.n; j++) {
			void *p;

			if (!opc_rel_type_is(&mr.rels[j], "slideLayout") ||
			    mr.rels[j].external ||
			    !zipr_find(z, mr.rels[j].target))
				continue;
			p = realloc(nl->name, (nl->n + 1) * sizeof *nl->name);
			if (p)
				nl->name = p;
			p = p ? realloc(nl->target,
			                (nl->n + 1) * sizeof *nl->target)
			      : NULL;
			if (!p) {
				opc_rels_free(&mr);
				return pptx_fail(e, PPTX_ERR_NOMEM,
				                 "out of memory");
			}
			nl->target = p;
			layout_name_of(z, mr.rels[j].target, nl->name[nl->n],
			               sizeof nl->name[nl->n]);
			snprintf(nl->target[nl->n], sizeof nl->target[nl->n],
			         "/%s", mr.rels[j].target);
			nl->n++;
		}
		opc_rels_free(&mr);
	}
	return PPTX_OK;
}

static const char *layout_by_name(void *ctx, const char *name)
{
	const struct named_layouts *nl = ctx;
	size_t i;

	for (i = 0; i < nl->n; i++)
		if (nl->name[i][0] && strcmp(nl->name[i], name) == 0)
			return nl->target[i];
	return NULL;
}

/* Every layout_name of add must be one of the deck's, checked before a
 * byte is written. */
static pptx_status check_layout_names(const struct named_layouts *nl,
                                      const struct pptx_deck *add,
                                      size_t first_no, struct pptx_err *e)
{
	size_t i, k;

	for (i = 0; i < add->nslides; i++) {
		char list[300];
		size_t len = 0;

		if (!add->slides[i].layout_name ||
		    layout_by_name((void *)nl, add->slides[i].layout_name))
			continue;
		list[0] = '\0';
		for (k = 0; k < nl->n && len < sizeof list - 1; k++) {
			int w = snprintf(list + len, sizeof list - len,
			                 "%s\"%s\"", k ? ", " : "",
			                 nl->name[k]);

			if (w < 0)
				break;
			len += (size_t)w;
		}
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: the deck has no layout named "
		                 "\"%.80s\"; its layouts are %s",
		                 first_no + i, add->slides[i].layout_name,
		                 nl->n ? list : "unnamed");
	}
	return PPTX_OK;
}

struct append_state {
	struct zipr z;
	struct opc_rels root, prels, mrels;
	struct pres_info pi;
	struct splice ct_sp, pres_sp[2], prels_sp;
	struct xbuf out;
	char layouts[PPTX_LAYOUT_COUNT][OPC_MAX_NAME + 1];
	char nm_part[OPC_MAX_NAME]; /* the notes master to use */
	char nm_target[OPC_MAX_NAME + 1];
	char new_nm[64], new_nm_rels[96], new_theme[64];
	int add_notes_master;
	struct named_layouts named;
};

static void state_free(struct append_state *a)
{
	size_t i;

	zipr_free(&a->z);
	opc_rels_free(&a->root);
	opc_rels_free(&a->prels);
	opc_rels_free(&a->mrels);
	free(a->named.name);
	free(a->named.target);
	xb_free(&a->ct_sp.text);
	for (i = 0; i < 2; i++)
		xb_free(&a->pres_sp[i].text);
	xb_free(&a->prels_sp.text);
	xb_free(&a->out);
}

pptx_status pptx_append(const unsigned char *zip, size_t len,
                        const struct pptx_deck *add, pptx_write_fn fn,
                        void *ctx, struct pptx_warnings *w, size_t *total,
                        struct pptx_err *e)
{
	struct append_state *a = calloc(1, sizeof *a);
	const struct opc_rel *office, *master_rel, *nm_rel;
	struct zip_entry *ct, *pres, *prels_ent;
	const char *pres_part;
	char prels_name[OPC_MAX_NAME];
	struct pptx_gen g;
	unsigned slide_base, notes_base, chart_base, rid;
	int any_notes = 0;
	size_t i, npres = 0;
	pptx_status rc;

	memset(&g, 0, sizeof g);
	if (!a)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	xb_init(&a->ct_sp.text, 0);
	xb_init(&a->pres_sp[0].text, 0);
	xb_init(&a->pres_sp[1].text, 0);
	xb_init(&a->prels_sp.text, 0);
	xb_init(&a->out, 0);
	rc = pptx_deck_check(add, e);
	if (rc != PPTX_OK)
		goto out;
	rc = zipr_load(zip, len, NULL, NULL, &a->z, e);
	if (rc != PPTX_OK)
		goto out;
	ct = zipr_find(&a->z, "[Content_Types].xml");
	if (!ct || !ct->data) {
		rc = pptx_fail(e, PPTX_ERR_FORMAT,
		               "this zip has no [Content_Types].xml: it is not "
		               "an Office document; pass a .pptx deck");
		goto out;
	}
	if ((rc = opc_rels_load(&a->z, "", &a->root, e)) != PPTX_OK)
		goto out;
	office = opc_rel_by_type(&a->root, "officeDocument");
	if (!office || !(pres = zipr_find(&a->z, office->target)) ||
	    !pres->data) {
		rc = pptx_fail(e, PPTX_ERR_FORMAT,
		               "this zip is not a PowerPoint deck: it has no "
		               "main document part; pass a .pptx file");
		goto out;
	}
	pres_part = office->target;
	if ((rc = scan_presentation(pres, &a->pi, e)) != PPTX_OK)
		goto out;
	if (a->pi.nslides + add->nslides > PPTX_MAX_SLIDES) {
		rc = pptx_fail(e, PPTX_ERR_LIMIT,
		               "the deck would have %zu slides, more than the "
		               "limit of %d; start a new deck",
		               a->pi.nslides + add->nslides, PPTX_MAX_SLIDES);
		goto out;
	}
	if (a->pi.max_id + add->nslides > SLIDE_ID_MAX) {
		rc = pptx_fail(e, PPTX_ERR_LIMIT,
		               "the deck's slide ids are exhausted; save it "
		               "again in PowerPoint first");
		goto out;
	}
	if ((rc = opc_rels_load(&a->z, pres_part, &a->prels, e)) != PPTX_OK)
		goto out;
	opc_rels_name(pres_part, prels_name, sizeof prels_name);
	prels_ent = zipr_find(&a->z, prels_name);
	master_rel = opc_rel_by_type(&a->prels, "slideMaster");
	if (!prels_ent || !prels_ent->data || !master_rel) {
		rc = pptx_fail(e, PPTX_ERR_FORMAT,
		               "the deck has no slide master: it is damaged");
		goto out;
	}
	if ((rc = opc_rels_load(&a->z, master_rel->target, &a->mrels, e)) ||
	    (rc = pick_layouts(&a->z, &a->mrels, a->layouts, e)) ||
	    (rc = collect_layouts(&a->z, &a->prels, &a->named, e)) ||
	    (rc = check_layout_names(&a->named, add, 1, e)))
		goto out;
	for (i = 0; i < add->nslides; i++)
		if (add->slides[i].notes)
			any_notes = 1;
	nm_rel = opc_rel_by_type(&a->prels, "notesMaster");
	if (nm_rel && !nm_rel->external && zipr_find(&a->z, nm_rel->target)) {
		snprintf(a->nm_target, sizeof a->nm_target, "/%s",
		         nm_rel->target);
	} else if (any_notes) {
		/* Notes slides need a notes master: bring the skeleton's. */
		unsigned nm =
		        max_number(&a->z, "ppt/notesMasters/notesMaster") + 1;
		unsigned th = max_number(&a->z, "ppt/theme/theme") + 1;

		a->add_notes_master = 1;
		snprintf(a->new_nm, sizeof a->new_nm,
		         "ppt/notesMasters/notesMaster%u.xml", nm);
		snprintf(a->new_nm_rels, sizeof a->new_nm_rels,
		         "ppt/notesMasters/_rels/notesMaster%u.xml.rels", nm);
		snprintf(a->new_theme, sizeof a->new_theme,
		         "ppt/theme/theme%u.xml", th);
		snprintf(a->nm_target, sizeof a->nm_target, "/%s", a->new_nm);
	}

	slide_base = max_number(&a->z, "ppt/slides/slide") + 1;
	notes_base = max_number(&a->z, "ppt/notesSlides/notesSlide") + 1;
	/* One number names both a chart and its workbook: past both. */
	chart_base = max_number(&a->z, "ppt/charts/chart");
	if (max_number(&a->z, "ppt/embeddings/Microsoft_Excel_Worksheet") >
	    chart_base)
		chart_base = max_number(
		        &a->z, "ppt/embeddings/Microsoft_Excel_Worksheet");
	chart_base++;
	rid = max_rid(&a->prels) + 1;

	/* Splice text for presentation.xml, its rels and content types. */
	{
		struct xbuf *pb = &a->pres_sp[1].text;
		struct xbuf *rb = &a->prels_sp.text;
		struct xbuf *cb = &a->ct_sp.text;
		const char *px = a->pi.prefix;
		unsigned notes_no = notes_base, chart_no = chart_base;

		if (!a->pi.has_sld_list || a->pi.sld_list_self_len) {
			xb_puts(pb, "<");
			xb_puts(pb, px);
			xb_puts(pb, "sldIdLst>");
		}
		for (i = 0; i < add->nslides; i++) {
			char target[64];

			xb_puts(pb, "<");
			xb_puts(pb, px);
			xb_puts(pb, "sldId xmlns:r=\"http://schemas."
			            "openxmlformats.org/officeDocument/2006/"
			            "relationships\" id=\"");
			xb_putu(pb, a->pi.max_id < SLIDE_ID_MIN
			                    ? SLIDE_ID_MIN + i
			                    : a->pi.max_id + 1 + i);
			xb_puts(pb, "\" r:id=\"rId");
			xb_putu(pb, rid + i);
			xb_puts(pb, "\"/>");
			snprintf(target, sizeof target,
			         "/ppt/slides/slide%zu.xml", slide_base + i);
			put_rel(rb, rid + (unsigned)i, RT "slide", target);
			put_override(cb, target + 1, CT_PML "slide+xml");
			if (add->slides[i].notes) {
				snprintf(target, sizeof target,
				         "ppt/notesSlides/notesSlide%u.xml",
				         notes_no++);
				put_override(cb, target,
				             CT_PML "notesSlide+xml");
			}
			if (add->slides[i].chart) {
				snprintf(target, sizeof target,
				         "ppt/charts/chart%u.xml", chart_no++);
				put_override(cb, target, PPTX_CT_CHART);
			}
		}
		if (!a->pi.has_sld_list || a->pi.sld_list_self_len) {
			xb_puts(pb, "</");
			xb_puts(pb, px);
			xb_puts(pb, "sldIdLst>");
		}
		if (!a->pi.has_sld_list) {
			a->pres_sp[1].at = a->pi.sld_sz_start;
		} else if (a->pi.sld_list_self_len) {
			a->pres_sp[1].at = a->pi.sld_list_self_start;
			a->pres_sp[1].skip = a->pi.sld_list_self_len;
		} else {
			a->pres_sp[1].at = a->pi.sld_list_end;
		}
		a->pres_sp[0].at = a->pi.master_list_end;
		if (a->add_notes_master) {
			unsigned nm_rid = rid + (unsigned)add->nslides;
			char target[80];

			if (!a->pi.has_notes_list) {
				struct xbuf *nb = &a->pres_sp[0].text;

				xb_puts(nb, "<");
				xb_puts(nb, px);
				xb_puts(nb, "notesMasterIdLst xmlns:r=\"http://"
				            "schemas.openxmlformats.org/"
				            "officeDocument/2006/"
				            "relationships\"><");
				xb_puts(nb, px);
				xb_puts(nb, "notesMasterId r:id=\"rId");
				xb_putu(nb, nm_rid);
				xb_puts(nb, "\"/></");
				xb_puts(nb, px);
				xb_puts(nb, "notesMasterIdLst>");
			}
			snprintf(target, sizeof target, "/%s", a->new_nm);
			put_rel(rb, nm_rid, RT "notesMaster", target);
			put_override(cb, a->new_nm, CT_PML "notesMaster+xml");
			put_override(cb, a->new_theme, CT_BASE "theme+xml");
		}
		/* Content types may list Default and Override in any
		 * order, so new Defaults can go at the end too. */
		if (deck_uses(add, IMG_PNG) && !has_default(ct, "png"))
			xb_puts(cb, "<Default Extension=\"png\" "
			            "ContentType=\"image/png\"/>");
		if (deck_uses(add, IMG_JPEG) && !has_default(ct, "jpeg"))
			xb_puts(cb, "<Default Extension=\"jpeg\" "
			            "ContentType=\"image/jpeg\"/>");
		if (chart_no > chart_base && !has_default(ct, "xlsx"))
			xb_puts(cb, "<Default Extension=\"xlsx\" "
			            "ContentType=\"" PPTX_CT_XLSX "\"/>");
		npres = a->pres_sp[0].text.len ? 2 : 1;
	}
	if ((rc = root_end(ct, &a->ct_sp.at, e)) ||
	    (rc = root_end(prels_ent, &a->prels_sp.at, e)))
		goto out;

	memset(&g, 0, sizeof g);
	g.cx = a->pi.cx;
	g.cy = a->pi.cy;
	for (i = 0; i < PPTX_LAYOUT_COUNT; i++)
		g.layout_target[i] = a->layouts[i];
	g.notes_master_target = a->nm_target;
	g.layout_by_name = layout_by_name;
	g.layout_ctx = &a->named;
	g.slide_dir = "ppt/slides/";
	g.notes_dir = "ppt/notesSlides/";
	g.media_dir = "ppt/media/";
	g.warn = w;
	g.media_next = max_number(&a->z, "ppt/media/image") + 1;
	g.chart_next = chart_base;
	xb_init(&g.part, 0);
	xb_init(&g.rels, 0);
	rc = zipw_open(&g.zw, fn, ctx, e);
	if (rc != PPTX_OK)
		goto out;
	xb_reset(&a->out);
	apply(&a->out, ct, &a->ct_sp, 1);
	if (xb_failed(&a->out)) {
		rc = pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = zipw_add(g.zw, "[Content_Types].xml", a->out.p, a->out.len,
	                   e)))
		goto out;
	for (i = 0; i < a->z.n; i++) {
		struct zip_entry *ent = &a->z.entries[i];

		if (ent->is_dir || ent == ct)
			continue;
		if (ent == pres || ent == prels_ent) {
			xb_reset(&a->out);
			if (ent == pres)
				apply(&a->out, ent,
				      npres == 2 ? a->pres_sp : &a->pres_sp[1],
				      npres);
			else
				apply(&a->out, ent, &a->prels_sp, 1);
			if (xb_failed(&a->out)) {
				rc = pptx_fail(e, PPTX_ERR_NOMEM,
				               "out of memory");
				goto out;
			}
			rc = zipw_add(g.zw, ent->name, a->out.p, a->out.len, e);
		} else {
			rc = zipw_add(g.zw, ent->name, ent->data, ent->len, e);
		}
		if (rc != PPTX_OK)
			goto out;
	}
	if (a->add_notes_master) {
		const struct pptx_skel_part *nm =
		        pptx_skel_find("ppt/notesMasters/notesMaster1.xml");
		const struct pptx_skel_part *th =
		        pptx_skel_find("ppt/theme/theme2.xml");
		char rels[512];
		int n;

		n = snprintf(rels, sizeof rels,
		             "<?xml version=\"1.0\" encoding=\"UTF-8\" "
		             "standalone=\"yes\"?>\n<Relationships xmlns=\""
		             "http://schemas.openxmlformats.org/package/2006/"
		             "relationships\"><Relationship Id=\"rId1\" "
		             "Type=\"" RT "theme\" Target=\"/%s\"/>"
		             "</Relationships>",
		             a->new_theme);
		if (!nm || !th || n < 0 || (size_t)n >= sizeof rels) {
			rc = pptx_fail(e, PPTX_ERR_INTERNAL,
			               "the notes master skeleton is missing");
			goto out;
		}
		if ((rc = zipw_add(g.zw, a->new_nm, nm->data, nm->len, e)) ||
		    (rc = zipw_add(g.zw, a->new_nm_rels, rels, (size_t)n, e)) ||
		    (rc = zipw_add(g.zw, a->new_theme, th->data, th->len, e)))
			goto out;
	}
	{
		unsigned notes_no = notes_base;

		for (i = 0; i < add->nslides; i++) {
			const struct pptx_slide *s = &add->slides[i];

			rc = pptx_gen_slide(&g, s, slide_base + (unsigned)i,
			                    s->notes ? notes_no : 0,
			                    a->pi.nslides + i + 1, e);
			if (rc != PPTX_OK)
				goto out;
			if (s->notes)
				notes_no++;
		}
	}
	rc = zipw_finish(g.zw, e);
	g.zw = NULL;
	if (rc == PPTX_OK && total)
		*total = a->pi.nslides + add->nslides;
out:
	zipw_abort(g.zw);
	xb_free(&g.part);
	xb_free(&g.rels);
	xb_free(&g.links.rels);
	state_free(a);
	free(a);
	return rc;
}
