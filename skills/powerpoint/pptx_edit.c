/*
 * pptx_edit.c - edit_presentation. See pptx_edit.h.
 *
 * The deck is loaded whole and edited as a set of parts in memory; each
 * operation re-reads the parts it needs (presentation.xml, rels, a slide),
 * so operations compose without a second model of the deck. XML is edited
 * by splicing at offsets the tokenizer reports, so whatever another program
 * wrote around an edit is kept byte for byte. Adding slides goes through
 * pptx_append on the deck as edited so far, so new slides use the deck's
 * own layouts. Nothing is written until every operation has succeeded.
 */
#include "pptx_edit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opc.h"
#include "pptx_json.h"
#include "pptx_skeleton.h"
#include "pptx_write.h"
#include "xmlr.h"
#include "xmlw.h"
#include "zipio.h"

#define RT                                                                     \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
#define XML_DECL                                                               \
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define SLIDE_ID_MIN 256u
#define SLIDE_ID_MAX 2147483647u
#define MAX_OPS      1000

struct edit {
	struct zipr z;
	char pres[OPC_MAX_NAME]; /* the presentation part */
	char **orphans;          /* parts no relationship reached at load */
	size_t norphans;
	size_t opno; /* the operation being applied, for messages */
	const char *opname;
};

struct splice {
	size_t at, skip;
	char *text;
	size_t len;
};

/* An operation's input error: names the op, says what to do. */
static pptx_status op_fail(struct edit *ed, struct pptx_err *e, const char *fmt,
                           ...) __attribute__((format(printf, 3, 4)));

static pptx_status op_fail(struct edit *ed, struct pptx_err *e, const char *fmt,
                           ...)
{
	char msg[PPTX_ERR_MSG_MAX - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return pptx_fail(e, PPTX_ERR_INPUT,
	                 "ops[%zu] (%s): %s; nothing was "
	                 "written",
	                 ed->opno, ed->opname, msg);
}

/* Replace part's bytes with src after the splices (sorted by offset). */
static pptx_status apply_splices(struct edit *ed, const char *part,
                                 struct splice *sp, size_t n,
                                 struct pptx_err *e)
{
	struct zip_entry *ent = zipr_find(&ed->z, part);
	struct xbuf out;
	size_t pos = 0, i;
	pptx_status rc;

	xb_init(&out, 0);
	for (i = 0; i < n; i++) {
		xb_put(&out, ent->data + pos, sp[i].at - pos);
		xb_put(&out, sp[i].text, sp[i].len);
		pos = sp[i].at + sp[i].skip;
	}
	xb_put(&out, ent->data + pos, ent->len - pos);
	if (xb_failed(&out))
		rc = pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	else
		rc = zipr_put(&ed->z, part, out.p, out.len, e);
	xb_free(&out);
	return rc;
}

static pptx_status xml_bad(const struct zip_entry *ent, struct xmlr *r,
                           struct pptx_err *e)
{
	return pptx_fail(e, PPTX_ERR_FORMAT, "%s is not well-formed XML: %s",
	                 ent->name, xr_error(r));
}

/* The highest N of any part named prefix N... */
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

	for (i = 0; i < r->n; i++)
		if (strncmp(r->rels[i].id, "rId", 3) == 0) {
			unsigned long v = strtoul(r->rels[i].id + 3, NULL, 10);

			if (v > max && v < 1000000000)
				max = (unsigned)v;
		}
	return max;
}

/* A part name not in use, numbered like name: ppt/media/image3.png gives
 * ppt/media/imageN.png with N past every imageK. */
static void fresh_name(const struct zipr *z, const char *name, char *out,
                       size_t cap)
{
	const char *base = strrchr(name, '/');
	const char *dot = strrchr(name, '.');
	const char *stem_end;
	char prefix[OPC_MAX_NAME];
	unsigned n;

	base = base ? base + 1 : name;
	if (!dot || dot < base)
		dot = name + strlen(name);
	stem_end = dot;
	while (stem_end > base && stem_end[-1] >= '0' && stem_end[-1] <= '9')
		stem_end--;
	snprintf(prefix, sizeof prefix, "%.*s", (int)(stem_end - name), name);
	n = max_number(z, prefix) + 1;
	do {
		int k = snprintf(out, cap, "%s%u%s", prefix, n++, dot);

		/* Too long a name: a short one in the same folder. */
		if (k < 0 || (size_t)k >= cap)
			(void)snprintf(out, cap, "ppt/part%u.bin", n);
	} while (zipr_find(z, out));
}

/* Rewrite part's rels from r (internal targets as absolute part names). */
static pptx_status rels_save(struct edit *ed, const char *part,
                             const struct opc_rels *r, struct pptx_err *e)
{
	char name[OPC_MAX_NAME];
	struct xbuf b;
	size_t i;
	pptx_status rc;

	if (opc_rels_name(part, name, sizeof name) != 0)
		return pptx_fail(e, PPTX_ERR_FORMAT, "part name too long: %s",
		                 part);
	xb_init(&b, 0);
	xb_puts(&b, XML_DECL "<Relationships xmlns=\"http://schemas."
	                     "openxmlformats.org/package/2006/"
	                     "relationships\">");
	for (i = 0; i < r->n; i++) {
		const struct opc_rel *rel = &r->rels[i];

		xb_puts(&b, "<Relationship Id=\"");
		xb_esc_attr(&b, rel->id, strlen(rel->id));
		xb_puts(&b, "\" Type=\"");
		xb_esc_attr(&b, rel->type, strlen(rel->type));
		xb_puts(&b, "\" Target=\"");
		if (!rel->external)
			xb_putc(&b, '/');
		xb_esc_attr(&b, rel->target, strlen(rel->target));
		xb_puts(&b, rel->external ? "\" TargetMode=\"External\"/>"
		                          : "\"/>");
	}
	xb_puts(&b, "</Relationships>");
	rc = xb_failed(&b) ? pptx_fail(e, PPTX_ERR_NOMEM, "out of memory")
	                   : zipr_put(&ed->z, name, b.p, b.len, e);
	xb_free(&b);
	return rc;
}

static pptx_status rels_add(struct opc_rels *r, const char *id,
                            const char *type, const char *target, int external,
                            struct pptx_err *e)
{
	struct opc_rel *nr = realloc(r->rels, (r->n + 1) * sizeof *nr);

	if (!nr)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	r->rels = nr;
	nr = &r->rels[r->n];
	nr->id = strdup(id);
	nr->type = strdup(type);
	nr->target = strdup(target);
	nr->external = external;
	r->n++;
	if (!nr->id || !nr->type || !nr->target)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	return PPTX_OK;
}

/* The Override content type of part, or "" when none (a Default). */
static void ct_of(const struct edit *ed, const char *part, char *out,
                  size_t cap)
{
	struct zip_entry *ct = zipr_find(&ed->z, "[Content_Types].xml");
	struct xmlr r;
	enum xr_type t;

	out[0] = '\0';
	xr_init(&r, (const char *)ct->data, ct->len);
	while ((t = xr_next(&r)) != XR_EOF && t != XR_ERROR) {
		const char *pn, *ty;

		if (t == XR_START && strcmp(r.local, "Override") == 0 &&
		    (pn = xr_attr(&r, "", "PartName")) &&
		    (ty = xr_attr(&r, "", "ContentType")) && pn[0] == '/' &&
		    strcmp(pn + 1, part) == 0) {
			snprintf(out, cap, "%s", ty);
			break;
		}
	}
	xr_free(&r);
}

static pptx_status ct_add(struct edit *ed, const char *part, const char *type,
                          struct pptx_err *e)
{
	struct zip_entry *ct = zipr_find(&ed->z, "[Content_Types].xml");
	struct xmlr r;
	enum xr_type t;
	size_t at = (size_t)-1;
	struct xbuf b;
	struct splice sp;
	pptx_status rc;

	xr_init(&r, (const char *)ct->data, ct->len);
	while ((t = xr_next(&r)) != XR_EOF && t != XR_ERROR)
		if (t == XR_END && r.depth == 0 && r.ev_start != r.ev_end)
			at = r.ev_start;
	if (t == XR_ERROR) {
		rc = xml_bad(ct, &r, e);
		xr_free(&r);
		return rc;
	}
	xr_free(&r);
	if (at == (size_t)-1)
		return pptx_fail(e, PPTX_ERR_FORMAT,
		                 "[Content_Types].xml is empty: the deck is "
		                 "damaged");
	xb_init(&b, 0);
	xb_puts(&b, "<Override PartName=\"/");
	xb_esc_attr(&b, part, strlen(part));
	xb_puts(&b, "\" ContentType=\"");
	xb_esc_attr(&b, type, strlen(type));
	xb_puts(&b, "\"/>");
	sp.at = at;
	sp.skip = 0;
	sp.text = b.p;
	sp.len = b.len;
	rc = xb_failed(&b)
	             ? pptx_fail(e, PPTX_ERR_NOMEM, "out of memory")
	             : apply_splices(ed, "[Content_Types].xml", &sp, 1, e);
	xb_free(&b);
	return rc;
}

/*
 * The presentation part's slide list.
 */
struct sld {
	size_t start, end; /* the sldId element */
	char rid[128];
	uint32_t id;
};

struct pres {
	char prefix[64];
	struct sld *s;
	size_t n;
	int has_list;
	size_t list_start, list_end; /* the whole sldIdLst element */
	size_t sld_sz_start;
	size_t master_list_end;
	int has_notes_list;
	uint32_t max_id;
};

static pptx_status pres_scan(struct edit *ed, struct pres *p,
                             struct pptx_err *e)
{
	struct zip_entry *ent = zipr_find(&ed->z, ed->pres);
	struct xmlr r;
	enum xr_type t;
	pptx_status rc = PPTX_OK;
	int in_list = 0, root = 1;
	size_t cap = 0, start = 0;

	memset(p, 0, sizeof *p);
	p->sld_sz_start = p->master_list_end = (size_t)-1;
	xr_init(&r, (const char *)ent->data, ent->len);
	while ((t = xr_next(&r)) != XR_EOF) {
		if (t == XR_ERROR) {
			rc = xml_bad(ent, &r, e);
			break;
		}
		if (t == XR_START && root) {
			const char *colon = strchr(r.qname, ':');

			root = 0;
			if (colon &&
			    (size_t)(colon - r.qname) < sizeof p->prefix - 1)
				snprintf(p->prefix, sizeof p->prefix,
				         "%.*s:", (int)(colon - r.qname),
				         r.qname);
		} else if (t == XR_START && xr_is(&r, NS_P, "sldIdLst")) {
			p->has_list = in_list = 1;
			p->list_start = r.ev_start;
		} else if (t == XR_END && xr_is(&r, NS_P, "sldIdLst")) {
			in_list = 0;
			p->list_end = r.ev_end;
		} else if (t == XR_START && in_list && r.depth == 3 &&
		           xr_is(&r, NS_P, "sldId")) {
			const char *id = xr_attr(&r, "", "id");
			const char *rid = xr_attr(&r, NS_R, "id");
			struct sld *ns;

			start = r.ev_start;
			if (p->n == cap) {
				cap = cap ? cap * 2 : 64;
				ns = realloc(p->s, cap * sizeof *ns);
				if (!ns) {
					rc = pptx_fail(e, PPTX_ERR_NOMEM,
					               "out of memory");
					break;
				}
				p->s = ns;
			}
			memset(&p->s[p->n], 0, sizeof p->s[p->n]);
			p->s[p->n].id =
			        id ? (uint32_t)strtoul(id, NULL, 10) : 0;
			if (p->s[p->n].id > p->max_id &&
			    p->s[p->n].id <= SLIDE_ID_MAX)
				p->max_id = p->s[p->n].id;
			snprintf(p->s[p->n].rid, sizeof p->s[p->n].rid, "%s",
			         rid ? rid : "");
		} else if (t == XR_END && in_list && r.depth == 2 &&
		           xr_is(&r, NS_P, "sldId") && p->n < cap) {
			/* p->n < cap: the start tag above made the slot (it
			 * always has, in well-formed XML); made explicit. */
			p->s[p->n].start = start;
			p->s[p->n].end = r.ev_end;
			p->n++;
		} else if (t == XR_START && xr_is(&r, NS_P, "sldSz")) {
			p->sld_sz_start = r.ev_start;
		} else if (t == XR_END && xr_is(&r, NS_P, "sldMasterIdLst")) {
			p->master_list_end = r.ev_end;
		} else if (t == XR_START &&
		           xr_is(&r, NS_P, "notesMasterIdLst")) {
			p->has_notes_list = 1;
		}
	}
	xr_free(&r);
	if (rc == PPTX_OK &&
	    (p->sld_sz_start == (size_t)-1 || p->master_list_end == (size_t)-1))
		rc = pptx_fail(e, PPTX_ERR_FORMAT,
		               "%s has no slide size or no slide master: the "
		               "deck is damaged",
		               ent->name);
	if (rc != PPTX_OK) {
		free(p->s);
		p->s = NULL;
	}
	return rc;
}

/* Rewrite the slide list as the sldId elements order[0..n) (raw XML),
 * plus optional text spliced in after the master list. */
static pptx_status pres_write(struct edit *ed, const struct pres *p,
                              struct xbuf *items, const char *after_masters,
                              struct pptx_err *e)
{
	struct splice sp[2];
	struct xbuf list;
	size_t n = 0;
	pptx_status rc;

	xb_init(&list, 0);
	if (items->len) {
		xb_puts(&list, "<");
		xb_puts(&list, p->prefix);
		xb_puts(&list, "sldIdLst>");
		xb_put(&list, items->p, items->len);
		xb_puts(&list, "</");
		xb_puts(&list, p->prefix);
		xb_puts(&list, "sldIdLst>");
	}
	if (after_masters) {
		sp[n].at = p->master_list_end;
		sp[n].skip = 0;
		sp[n].text = (char *)after_masters;
		sp[n].len = strlen(after_masters);
		n++;
	}
	sp[n].at = p->has_list ? p->list_start : p->sld_sz_start;
	sp[n].skip = p->has_list ? p->list_end - p->list_start : 0;
	sp[n].text = list.p;
	sp[n].len = list.len;
	n++;
	rc = xb_failed(&list) ? pptx_fail(e, PPTX_ERR_NOMEM, "out of memory")
	                      : apply_splices(ed, ed->pres, sp, n, e);
	xb_free(&list);
	return rc;
}

/* The part of slide k (1-based) of p. */
static pptx_status slide_part(struct edit *ed, const struct pres *p, size_t k,
                              char *out, size_t cap, struct pptx_err *e)
{
	struct opc_rels rels;
	const struct opc_rel *rel;
	pptx_status rc = opc_rels_load(&ed->z, ed->pres, &rels, e);

	if (rc != PPTX_OK)
		return rc;
	rel = opc_rel_by_id(&rels, p->s[k - 1].rid);
	if (!rel || rel->external || !zipr_find(&ed->z, rel->target) ||
	    !zipr_find(&ed->z, rel->target)->data)
		rc = pptx_fail(e, PPTX_ERR_FORMAT,
		               "slide %zu of the deck has no slide part: the "
		               "deck is damaged",
		               k);
	else
		snprintf(out, cap, "%s", rel->target);
	opc_rels_free(&rels);
	return rc;
}

/*
 * Text edits.
 */

/* A text body's new paragraphs: one per line of text, each with the first
 * paragraph's pPr and the first run's rPr, so the formatting stays. */
struct body_fmt {
	size_t insert_at, end; /* the paragraphs' span */
	size_t ppr_s, ppr_e, rpr_s, rpr_e;
	char a[64]; /* the DrawingML prefix, "a:" */
	int found;
};

/* Called at the XR_START of a txBody: scan to its end filling f. */
static int body_scan(struct xmlr *r, struct body_fmt *f)
{
	int depth = r->depth;
	int in_p = 0, in_r = 0, first_p = 1, first_r = 1;
	size_t el_start = 0;
	enum xr_type t;

	memset(f, 0, sizeof *f);
	f->insert_at = r->ev_end;
	snprintf(f->a, sizeof f->a, "a:");
	while ((t = xr_next(r)) != XR_EOF && t != XR_ERROR) {
		if (t == XR_END && r->depth == depth - 1) {
			f->end = r->ev_start;
			f->found = 1;
			return 0;
		}
		if (t == XR_START && r->depth == depth + 1) {
			const char *colon = strchr(r->qname, ':');

			el_start = r->ev_start;
			if (xr_is(r, NS_A, "p")) {
				in_p = 1;
			} else if (xr_is(r, NS_A, "bodyPr")) {
				snprintf(f->a, sizeof f->a, "%.*s",
				         colon ? (int)(colon - r->qname) + 1
				               : 0,
				         r->qname);
			}
		} else if (t == XR_END && r->depth == depth &&
		           (xr_is(r, NS_A, "bodyPr") ||
		            xr_is(r, NS_A, "lstStyle"))) {
			f->insert_at = r->ev_end;
		} else if (t == XR_END && r->depth == depth &&
		           xr_is(r, NS_A, "p")) {
			if (in_p)
				first_p = 0;
			in_p = 0;
		} else if (in_p && t == XR_START && r->depth == depth + 2) {
			el_start = r->ev_start;
			in_r = xr_is(r, NS_A, "r");
		} else if (in_p && t == XR_END && r->depth == depth + 1 &&
		           first_p && xr_is(r, NS_A, "pPr")) {
			f->ppr_s = el_start;
			f->ppr_e = r->ev_end;
		} else if (in_r && t == XR_START && r->depth == depth + 3) {
			el_start = r->ev_start;
		} else if (in_r && t == XR_END && r->depth == depth + 2 &&
		           first_r && xr_is(r, NS_A, "rPr")) {
			f->rpr_s = el_start;
			f->rpr_e = r->ev_end;
			first_r = 0;
		}
	}
	return -1;
}

static void put_paras(struct xbuf *b, const char *src, const struct body_fmt *f,
                      const char *text)
{
	const char *p = text;

	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		xb_puts(b, "<");
		xb_puts(b, f->a);
		xb_puts(b, "p>");
		xb_put(b, src + f->ppr_s, f->ppr_e - f->ppr_s);
		if (n) {
			xb_puts(b, "<");
			xb_puts(b, f->a);
			xb_puts(b, "r>");
			if (f->rpr_e > f->rpr_s) {
				xb_put(b, src + f->rpr_s, f->rpr_e - f->rpr_s);
			} else {
				xb_puts(b, "<");
				xb_puts(b, f->a);
				xb_puts(b, "rPr lang=\"en-US\" dirty=\"0\"/>");
			}
			xb_puts(b, "<");
			xb_puts(b, f->a);
			xb_puts(b, "t>");
			xb_esc_text(b, p, n);
			xb_puts(b, "</");
			xb_puts(b, f->a);
			xb_puts(b, "t></");
			xb_puts(b, f->a);
			xb_puts(b, "r>");
		}
		xb_puts(b, "</");
		xb_puts(b, f->a);
		xb_puts(b, "p>");
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* Replace the paragraphs of the body f describes in part with text. */
static pptx_status body_replace(struct edit *ed, const char *part,
                                const struct body_fmt *f, const char *text,
                                struct pptx_err *e)
{
	struct zip_entry *ent = zipr_find(&ed->z, part);
	struct xbuf b;
	struct splice sp;
	pptx_status rc;

	xb_init(&b, 0);
	put_paras(&b, (const char *)ent->data, f, text);
	sp.at = f->insert_at;
	sp.skip = f->end - f->insert_at;
	sp.text = b.p;
	sp.len = b.len;
	rc = xb_failed(&b) ? pptx_fail(e, PPTX_ERR_NOMEM, "out of memory")
	                   : apply_splices(ed, part, &sp, 1, e);
	xb_free(&b);
	return rc;
}

static int ph_matches(const char *want, const char *type)
{
	if (!strcmp(want, "title"))
		return !strcmp(type, "title") || !strcmp(type, "ctrTitle");
	if (!strcmp(want, "subtitle"))
		return !strcmp(type, "subTitle");
	/* "body": a body placeholder, or one without a type (obj). */
	return !strcmp(type, "body") || !strcmp(type, "obj");
}

/* Find the text body of the first shape whose placeholder matches want.
 * Returns 1 found, 0 not, -1 malformed. */
static int find_ph_body(const struct zip_entry *ent, const char *want,
                        struct body_fmt *f, struct pptx_err *e)
{
	struct xmlr r;
	enum xr_type t;
	int sp_depth[XR_MAX_DEPTH], nsp = 0, match[XR_MAX_DEPTH];
	int rc = 0;

	xr_init(&r, (const char *)ent->data, ent->len);
	while ((t = xr_next(&r)) != XR_EOF) {
		if (t == XR_ERROR) {
			xml_bad(ent, &r, e);
			rc = -1;
			break;
		}
		if (t == XR_START && xr_is(&r, NS_P, "sp") &&
		    nsp < XR_MAX_DEPTH) {
			sp_depth[nsp] = r.depth;
			match[nsp++] = 0;
		} else if (t == XR_END && nsp &&
		           r.depth == sp_depth[nsp - 1] - 1 &&
		           xr_is(&r, NS_P, "sp")) {
			nsp--;
		} else if (t == XR_START && nsp && xr_is(&r, NS_P, "ph")) {
			const char *ty = xr_attr(&r, "", "type");

			match[nsp - 1] = ph_matches(want, ty ? ty : "obj");
		} else if (t == XR_START && nsp && match[nsp - 1] &&
		           r.depth == sp_depth[nsp - 1] + 1 &&
		           xr_is(&r, NS_P, "txBody")) {
			if (body_scan(&r, f) != 0) {
				xml_bad(ent, &r, e);
				rc = -1;
			} else {
				rc = 1;
			}
			break;
		}
	}
	xr_free(&r);
	return rc;
}

/* Find-and-replace in every paragraph of part. A match inside one run
 * keeps that run's formatting; a match across runs goes into the run where
 * it starts and the rest of it is cut from the runs after. */
static pptx_status replace_in_part(struct edit *ed, const char *part,
                                   const char *find, const char *repl,
                                   size_t *count, struct pptx_err *e)
{
	struct zip_entry *ent = zipr_find(&ed->z, part);
	struct xmlr r;
	enum xr_type t;
	struct tpos {
		size_t cs, ce;  /* content span (or the element for <a:t/>) */
		size_t off;     /* offset in the paragraph's text */
		int empty_elem; /* <a:t/> */
		char qname[64];
	} *ts = NULL;
	size_t nts = 0, cap = 0, flen = strlen(find), rlen = strlen(repl);
	struct xbuf para, nb;
	struct splice *sp = NULL;
	size_t nsp = 0, spcap = 0;
	int in_t = 0;
	pptx_status rc = PPTX_OK;

	xb_init(&para, 0);
	xb_init(&nb, 0);
	xr_init(&r, (const char *)ent->data, ent->len);
	while ((t = xr_next(&r)) != XR_EOF) {
		if (t == XR_ERROR) {
			rc = xml_bad(ent, &r, e);
			goto out;
		}
		if (t == XR_START && xr_is(&r, NS_A, "p")) {
			nts = 0;
			xb_reset(&para);
		} else if (t == XR_START && xr_is(&r, NS_A, "t")) {
			if (nts == cap) {
				void *n2;

				cap = cap ? cap * 2 : 16;
				n2 = realloc(ts, cap * sizeof *ts);
				if (!n2) {
					rc = pptx_fail(e, PPTX_ERR_NOMEM,
					               "out of memory");
					goto out;
				}
				ts = n2;
			}
			ts[nts].cs = r.ev_end;
			ts[nts].ce = r.ev_end;
			ts[nts].off = para.len;
			ts[nts].empty_elem = 0;
			snprintf(ts[nts].qname, sizeof ts[nts].qname, "%s",
			         r.qname);
			in_t = 1;
		} else if (t == XR_TEXT && in_t) {
			xb_put(&para, r.text, r.text_len);
		} else if (t == XR_END && in_t && xr_is(&r, NS_A, "t")) {
			in_t = 0;
			if (r.ev_start == r.ev_end) {
				ts[nts].empty_elem = 1;
				ts[nts].cs = ts[nts].ce; /* fixed below */
			}
			ts[nts].ce = r.ev_start;
			nts++;
		} else if (t == XR_END && xr_is(&r, NS_A, "p") && nts) {
			size_t pos = 0, k = 0, i;
			const char *s = para.p;
			size_t *newoff = NULL;

			if (xb_failed(&para)) {
				rc = pptx_fail(e, PPTX_ERR_NOMEM,
				               "out of memory");
				goto out;
			}
			if (!memmem(s, para.len, find, flen))
				continue;
			/* Build each run's new text into nb, its start in
			 * newoff[k]. */
			newoff = malloc((nts + 1) * sizeof *newoff);
			if (!newoff) {
				rc = pptx_fail(e, PPTX_ERR_NOMEM,
				               "out of memory");
				goto out;
			}
			xb_reset(&nb);
			for (k = 0; k <= nts; k++)
				newoff[k] = 0;
			k = 0;
			newoff[0] = 0;
			while (pos < para.len) {
				while (k + 1 < nts && ts[k + 1].off <= pos) {
					k++;
					newoff[k] = nb.len;
				}
				if (para.len - pos >= flen &&
				    memcmp(s + pos, find, flen) == 0) {
					xb_put(&nb, repl, rlen);
					pos += flen;
					(*count)++;
				} else {
					xb_putc(&nb, s[pos++]);
				}
			}
			while (k + 1 < nts) {
				k++;
				newoff[k] = nb.len;
			}
			newoff[nts] = nb.len;
			for (i = 0; i < nts; i++) {
				struct xbuf one;
				size_t ol = (i + 1 < nts ? ts[i + 1].off
				                         : para.len) -
				            ts[i].off;
				size_t nl = newoff[i + 1] - newoff[i];

				if (ol == nl && !memcmp(s + ts[i].off,
				                        nb.p + newoff[i], nl))
					continue;
				if (nsp == spcap) {
					void *n2;

					spcap = spcap ? spcap * 2 : 16;
					n2 = realloc(sp, spcap * sizeof *sp);
					if (!n2) {
						free(newoff);
						rc = pptx_fail(e,
						               PPTX_ERR_NOMEM,
						               "out of memory");
						goto out;
					}
					sp = n2;
				}
				xb_init(&one, 0);
				if (ts[i].empty_elem) {
					/* <a:t/>: write the element whole. */
					size_t st = ts[i].ce - 1;

					while (st > 0 && ent->data[st] != '<')
						st--;
					xb_puts(&one, "<");
					xb_puts(&one, ts[i].qname);
					xb_puts(&one, ">");
					xb_esc_text(&one, nb.p + newoff[i], nl);
					xb_puts(&one, "</");
					xb_puts(&one, ts[i].qname);
					xb_puts(&one, ">");
					sp[nsp].at = st;
					sp[nsp].skip = ts[i].ce - st;
				} else {
					xb_esc_text(&one, nb.p + newoff[i], nl);
					sp[nsp].at = ts[i].cs;
					sp[nsp].skip = ts[i].ce - ts[i].cs;
				}
				sp[nsp].text = one.p;
				sp[nsp].len = one.len;
				nsp++;
				if (xb_failed(&one)) {
					free(newoff);
					rc = pptx_fail(e, PPTX_ERR_NOMEM,
					               "out of memory");
					goto out;
				}
			}
			free(newoff);
			nts = 0;
		}
	}
	if (nsp)
		rc = apply_splices(ed, part, sp, nsp, e);
out:
	xr_free(&r);
	while (nsp)
		free(sp[--nsp].text);
	free(sp);
	free(ts);
	xb_free(&para);
	xb_free(&nb);
	return rc;
}

/* Set cell (row, col) of the table-th table (all 0-based) of part. */
static pptx_status set_cell(struct edit *ed, const char *part, size_t table,
                            size_t row, size_t col, const char *text,
                            size_t slide_no, struct pptx_err *e)
{
	struct zip_entry *ent = zipr_find(&ed->z, part);
	struct xmlr r;
	enum xr_type t;
	size_t ntbl = 0, nrow = 0, ncol = 0;
	int tbl_depth = 0, in_row = 0, found_row = 0;
	struct body_fmt f;
	pptx_status rc = PPTX_OK;
	int done = 0;

	memset(&f, 0, sizeof f);
	xr_init(&r, (const char *)ent->data, ent->len);
	while (!done && (t = xr_next(&r)) != XR_EOF) {
		if (t == XR_ERROR) {
			rc = xml_bad(ent, &r, e);
			break;
		}
		if (!tbl_depth) {
			if (t == XR_START && xr_is(&r, NS_A, "tbl") &&
			    ntbl++ == table)
				tbl_depth = r.depth;
			continue;
		}
		if (t == XR_END && r.depth == tbl_depth - 1)
			break;
		if (t == XR_START && r.depth == tbl_depth + 1 &&
		    xr_is(&r, NS_A, "tr")) {
			in_row = nrow++ == row;
			found_row |= in_row;
			if (in_row)
				ncol = 0;
		} else if (in_row && t == XR_START &&
		           r.depth == tbl_depth + 2 && xr_is(&r, NS_A, "tc")) {
			if (ncol++ != col)
				continue;
			/* The cell's txBody, if it has one. */
			while ((t = xr_next(&r)) != XR_EOF && t != XR_ERROR) {
				if (t == XR_START &&
				    xr_is(&r, NS_A, "txBody") &&
				    r.depth == tbl_depth + 3) {
					if (body_scan(&r, &f) != 0)
						t = XR_ERROR;
					break;
				}
				if (t == XR_END && r.depth == tbl_depth + 1)
					break;
			}
			if (t == XR_ERROR)
				rc = xml_bad(ent, &r, e);
			done = 1;
		} else if (in_row && t == XR_END && r.depth == tbl_depth) {
			in_row = 0;
		}
	}
	xr_free(&r);
	if (rc != PPTX_OK)
		return rc;
	if (table >= ntbl && !tbl_depth)
		return op_fail(
		        ed, e,
		        "slide %zu has %zu table%s, so there is no table "
		        "%zu; \"table\" counts from 0 in the order "
		        "read_presentation lists the slide's tables",
		        slide_no, ntbl, ntbl == 1 ? "" : "s", table);
	if (!found_row)
		return op_fail(
		        ed, e,
		        "table %zu of slide %zu has %zu rows, so there is "
		        "no row %zu; rows count from 0 (the header row)",
		        table, slide_no, nrow, row);
	if (!done)
		return op_fail(
		        ed, e,
		        "row %zu of table %zu on slide %zu has %zu "
		        "cells, so there is no column %zu; columns count "
		        "from 0",
		        row, table, slide_no, ncol, col);
	if (!f.found)
		return op_fail(ed, e,
		               "cell (%zu, %zu) of table %zu on slide %zu has "
		               "no text body to set",
		               row, col, table, slide_no);
	return body_replace(ed, part, &f, text, e);
}

/*
 * Slides: duplicate, notes.
 */

struct copy_map {
	char (*from)[OPC_MAX_NAME];
	char (*to)[OPC_MAX_NAME];
	size_t n, cap;
};

static int map_add(struct copy_map *m, const char *from, const char *to)
{
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 16;
		void *a = realloc(m->from, nc * sizeof *m->from);

		if (!a)
			return -1;
		m->from = a;
		a = realloc(m->to, nc * sizeof *m->to);
		if (!a)
			return -1;
		m->to = a;
		m->cap = nc;
	}
	snprintf(m->from[m->n], OPC_MAX_NAME, "%s", from);
	snprintf(m->to[m->n], OPC_MAX_NAME, "%s", to);
	m->n++;
	return 0;
}

static const char *map_get(const struct copy_map *m, const char *from)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->from[i], from))
			return m->to[i];
	return NULL;
}

/* Parts a slide shares with others rather than owns. */
static int shared_type(const struct opc_rel *rel)
{
	static const char *const shared[] = {
	        "slideLayout", "slideMaster",   "notesMaster", "handoutMaster",
	        "theme",       "slide",         "presProps",   "viewProps",
	        "tableStyles", "commentAuthors"};
	size_t i;

	for (i = 0; i < sizeof shared / sizeof shared[0]; i++)
		if (opc_rel_type_is(rel, shared[i]))
			return 1;
	return 0;
}

/* Copy part src as dst (already in m), its owned parts recursively under
 * fresh names, with their content types and rels. */
static pptx_status copy_tree(struct edit *ed, const char *src, const char *dst,
                             struct copy_map *m, int depth, struct pptx_err *e)
{
	struct zip_entry *ent = zipr_find(&ed->z, src);
	struct opc_rels rels;
	char ct[256];
	size_t i;
	pptx_status rc;

	if (depth > 16)
		return pptx_fail(e, PPTX_ERR_FORMAT,
		                 "%s has relationships nested too deeply", src);
	if ((rc = zipr_put(&ed->z, dst, ent->data, ent->len, e)) != PPTX_OK)
		return rc;
	ct_of(ed, src, ct, sizeof ct);
	if (ct[0] && (rc = ct_add(ed, dst, ct, e)) != PPTX_OK)
		return rc;
	if ((rc = opc_rels_load(&ed->z, src, &rels, e)) != PPTX_OK)
		return rc;
	for (i = 0; i < rels.n && rc == PPTX_OK; i++) {
		struct opc_rel *rel = &rels.rels[i];
		const char *to;
		char fresh[OPC_MAX_NAME];

		if (rel->external || !rel->target[0] ||
		    !zipr_find(&ed->z, rel->target) ||
		    !zipr_find(&ed->z, rel->target)->data)
			continue;
		to = map_get(m, rel->target);
		if (!to && shared_type(rel))
			continue;
		if (!to) {
			fresh_name(&ed->z, rel->target, fresh, sizeof fresh);
			if (map_add(m, rel->target, fresh) != 0) {
				rc = pptx_fail(e, PPTX_ERR_NOMEM,
				               "out of memory");
				break;
			}
			/* Reserve the name before recursing. */
			rc = zipr_put(&ed->z, fresh, "", 0, e);
			if (rc == PPTX_OK)
				rc = copy_tree(ed, rel->target, fresh, m,
				               depth + 1, e);
			to = fresh;
		}
		if (rc == PPTX_OK) {
			char *nt = strdup(to);

			if (!nt) {
				rc = pptx_fail(e, PPTX_ERR_NOMEM,
				               "out of memory");
				break;
			}
			free(rel->target);
			rel->target = nt;
		}
	}
	if (rc == PPTX_OK && rels.n)
		rc = rels_save(ed, dst, &rels, e);
	opc_rels_free(&rels);
	return rc;
}

/* Bring a notes master into a deck without one (the skeleton's, with its
 * own theme). *pres_text gets the notesMasterIdLst to splice in. */
static pptx_status add_notes_master(struct edit *ed, const struct pres *p,
                                    char *target, size_t cap, char *pres_text,
                                    size_t tcap, struct pptx_err *e)
{
	const struct pptx_skel_part *nm =
	        pptx_skel_find("ppt/notesMasters/notesMaster1.xml");
	const struct pptx_skel_part *th =
	        pptx_skel_find("ppt/theme/theme2.xml");
	char nm_name[96], th_name[96], rid[32];
	struct opc_rels rels = {0}, prels;
	pptx_status rc;

	if (!nm || !th)
		return pptx_fail(e, PPTX_ERR_INTERNAL,
		                 "the notes master skeleton is missing");
	if (p->has_notes_list)
		return pptx_fail(e, PPTX_ERR_FORMAT,
		                 "the deck lists a notes master that does not "
		                 "exist: it is damaged");
	snprintf(nm_name, sizeof nm_name, "ppt/notesMasters/notesMaster%u.xml",
	         max_number(&ed->z, "ppt/notesMasters/notesMaster") + 1);
	snprintf(th_name, sizeof th_name, "ppt/theme/theme%u.xml",
	         max_number(&ed->z, "ppt/theme/theme") + 1);
	if ((rc = zipr_put(&ed->z, nm_name, nm->data, nm->len, e)) ||
	    (rc = zipr_put(&ed->z, th_name, th->data, th->len, e)) ||
	    (rc = ct_add(ed, nm_name, CT_PML "notesMaster+xml", e)) ||
	    (rc = ct_add(ed, th_name, CT_BASE "theme+xml", e)) ||
	    (rc = rels_add(&rels, "rId1", RT "theme", th_name, 0, e)) ||
	    (rc = rels_save(ed, nm_name, &rels, e))) {
		opc_rels_free(&rels);
		return rc;
	}
	opc_rels_free(&rels);
	if ((rc = opc_rels_load(&ed->z, ed->pres, &prels, e)) != PPTX_OK)
		return rc;
	snprintf(rid, sizeof rid, "rId%u", max_rid(&prels) + 1);
	rc = rels_add(&prels, rid, RT "notesMaster", nm_name, 0, e);
	if (rc == PPTX_OK)
		rc = rels_save(ed, ed->pres, &prels, e);
	opc_rels_free(&prels);
	snprintf(pres_text, tcap,
	         "<%snotesMasterIdLst><%snotesMasterId xmlns:r=\"http://"
	         "schemas.openxmlformats.org/officeDocument/2006/"
	         "relationships\" r:id=\"%s\"/></%snotesMasterIdLst>",
	         p->prefix, p->prefix, rid, p->prefix);
	snprintf(target, cap, "%s", nm_name);
	return rc;
}

static pptx_status set_notes(struct edit *ed, struct pres *p, size_t k,
                             const char *slide, const char *text,
                             struct pptx_err *e)
{
	struct opc_rels srels, prels;
	const struct opc_rel *nrel, *nm;
	char nm_target[OPC_MAX_NAME], notes[OPC_MAX_NAME], rid[32];
	char list_text[512];
	struct xbuf b;
	struct body_fmt f;
	pptx_status rc;

	if ((rc = opc_rels_load(&ed->z, slide, &srels, e)) != PPTX_OK)
		return rc;
	nrel = opc_rel_by_type(&srels, "notesSlide");
	if (nrel && !nrel->external && zipr_find(&ed->z, nrel->target)) {
		struct zip_entry *ent = zipr_find(&ed->z, nrel->target);
		int found;

		snprintf(notes, sizeof notes, "%s", nrel->target);
		opc_rels_free(&srels);
		found = find_ph_body(ent, "body", &f, e);
		if (found < 0)
			return e->status;
		if (found)
			return body_replace(ed, notes, &f, text, e);
		return op_fail(ed, e,
		               "the notes page of slide %zu has no notes "
		               "placeholder to write into",
		               k);
	}
	/* No notes yet: a notes slide, and a notes master if need be. */
	list_text[0] = '\0';
	if ((rc = opc_rels_load(&ed->z, ed->pres, &prels, e)) != PPTX_OK) {
		opc_rels_free(&srels);
		return rc;
	}
	nm = opc_rel_by_type(&prels, "notesMaster");
	if (nm && !nm->external && zipr_find(&ed->z, nm->target))
		snprintf(nm_target, sizeof nm_target, "%s", nm->target);
	else
		nm = NULL;
	opc_rels_free(&prels);
	if (!nm) {
		rc = add_notes_master(ed, p, nm_target, sizeof nm_target,
		                      list_text, sizeof list_text, e);
		if (rc == PPTX_OK) {
			/* presentation.xml changed: splice at fresh offsets. */
			struct pres p2;
			struct xbuf items;
			size_t i;
			struct zip_entry *pe;

			if ((rc = pres_scan(ed, &p2, e)) != PPTX_OK) {
				opc_rels_free(&srels);
				return rc;
			}
			pe = zipr_find(&ed->z, ed->pres);
			xb_init(&items, 0);
			for (i = 0; i < p2.n; i++)
				xb_put(&items, pe->data + p2.s[i].start,
				       p2.s[i].end - p2.s[i].start);
			rc = pres_write(ed, &p2, &items, list_text, e);
			xb_free(&items);
			free(p2.s);
		}
		if (rc != PPTX_OK) {
			opc_rels_free(&srels);
			return rc;
		}
	}
	fresh_name(&ed->z, "ppt/notesSlides/notesSlide1.xml", notes,
	           sizeof notes);
	xb_init(&b, 0);
	{
		struct body_fmt plain;

		memset(&plain, 0, sizeof plain);
		snprintf(plain.a, sizeof plain.a, "a:");
		xb_puts(&b, XML_DECL
		        "<p:notes xmlns:a=\"http://schemas.openxmlformats.org/"
		        "drawingml/2006/main\" xmlns:r=\"http://schemas."
		        "openxmlformats.org/officeDocument/2006/"
		        "relationships\" "
		        "xmlns:p=\"http://schemas.openxmlformats.org/"
		        "presentationml/2006/main\"><p:cSld><p:spTree>"
		        "<p:nvGrpSpPr><p:cNvPr id=\"1\" "
		        "name=\"\"/><p:cNvGrpSpPr/>"
		        "<p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>"
		        "<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Slide Image "
		        "Placeholder 1\"/><p:cNvSpPr><a:spLocks noGrp=\"1\" "
		        "noRot=\"1\" noChangeAspect=\"1\"/></p:cNvSpPr><p:nvPr>"
		        "<p:ph type=\"sldImg\"/></p:nvPr></p:nvSpPr><p:spPr/>"
		        "</p:sp><p:sp><p:nvSpPr><p:cNvPr id=\"3\" name=\"Notes "
		        "Placeholder 2\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/>"
		        "</p:cNvSpPr><p:nvPr><p:ph type=\"body\" idx=\"1\"/>"
		        "</p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/>"
		        "<a:lstStyle/>");
		put_paras(&b, "", &plain, text);
		xb_puts(&b,
		        "</p:txBody></p:sp></p:spTree></p:cSld><p:clrMapOvr>"
		        "<a:masterClrMapping/></p:clrMapOvr></p:notes>");
	}
	rc = xb_failed(&b) ? pptx_fail(e, PPTX_ERR_NOMEM, "out of memory")
	                   : zipr_put(&ed->z, notes, b.p, b.len, e);
	xb_free(&b);
	if (rc == PPTX_OK)
		rc = ct_add(ed, notes, CT_PML "notesSlide+xml", e);
	if (rc == PPTX_OK) {
		struct opc_rels nr = {0};

		if (!(rc = rels_add(&nr, "rId1", RT "notesMaster", nm_target, 0,
		                    e)) &&
		    !(rc = rels_add(&nr, "rId2", RT "slide", slide, 0, e)))
			rc = rels_save(ed, notes, &nr, e);
		opc_rels_free(&nr);
	}
	if (rc == PPTX_OK) {
		snprintf(rid, sizeof rid, "rId%u", max_rid(&srels) + 1);
		rc = rels_add(&srels, rid, RT "notesSlide", notes, 0, e);
		if (rc == PPTX_OK)
			rc = rels_save(ed, slide, &srels, e);
	}
	opc_rels_free(&srels);
	return rc;
}

/*
 * Reachability: parts the edits cut off are dropped.
 */

static int reach(const struct zipr *z, const char *part, char *seen, int depth)
{
	struct opc_rels rels;
	struct pptx_err e;
	size_t i;

	if (depth > 64 || opc_rels_load(z, part, &rels, &e) != PPTX_OK)
		return 0;
	for (i = 0; i < rels.n; i++) {
		struct zip_entry *t;

		if (rels.rels[i].external ||
		    !(t = zipr_find(z, rels.rels[i].target)))
			continue;
		if (seen[t - z->entries])
			continue;
		seen[t - z->entries] = 1;
		reach(z, t->name, seen, depth + 1);
	}
	opc_rels_free(&rels);
	return 0;
}

/* The part a rels entry belongs to ("" for the package), or NULL when
 * name is not a rels part. */
static int rels_owner(const char *name, char *out, size_t cap)
{
	const char *r = strstr(name, "_rels/");
	size_t nl = strlen(name);

	if (nl < 5 || strcmp(name + nl - 5, ".rels") != 0 || !r ||
	    strchr(r + 6, '/'))
		return 0;
	snprintf(out, cap, "%.*s%.*s", (int)(r - name), name,
	         (int)(nl - 5 - (size_t)(r + 6 - name)), r + 6);
	return 1;
}

static pptx_status mark_reachable(const struct zipr *z, char **seen,
                                  struct pptx_err *e)
{
	*seen = calloc(z->n + 1, 1);
	if (!*seen)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	reach(z, "", *seen, 0);
	return PPTX_OK;
}

static pptx_status record_orphans(struct edit *ed, struct pptx_err *e)
{
	char *seen;
	size_t i;
	pptx_status rc = mark_reachable(&ed->z, &seen, e);

	if (rc != PPTX_OK)
		return rc;
	ed->orphans = calloc(ed->z.n + 1, sizeof *ed->orphans);
	for (i = 0; ed->orphans && i < ed->z.n; i++) {
		char owner[OPC_MAX_NAME];
		const char *nm = ed->z.entries[i].name;

		if (seen[i] || rels_owner(nm, owner, sizeof owner) ||
		    !strcmp(nm, "[Content_Types].xml"))
			continue;
		if (!(ed->orphans[ed->norphans++] = strdup(nm)))
			break;
	}
	free(seen);
	if (!ed->orphans || (ed->norphans && !ed->orphans[ed->norphans - 1]))
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	return PPTX_OK;
}

static int was_orphan(const struct edit *ed, const char *name)
{
	size_t i;

	for (i = 0; i < ed->norphans; i++)
		if (!strcmp(ed->orphans[i], name))
			return 1;
	return 0;
}

/* Drop parts the edits left unreachable, their rels and Overrides. */
static pptx_status prune(struct edit *ed, struct pptx_err *e)
{
	char *seen;
	size_t i;
	pptx_status rc;
	struct zip_entry *ct;
	struct xmlr r;
	enum xr_type t;
	struct splice *sp = NULL;
	size_t nsp = 0;

	for (;;) {
		int dropped = 0;

		if ((rc = mark_reachable(&ed->z, &seen, e)) != PPTX_OK)
			return rc;
		for (i = ed->z.n; i-- > 0;) {
			char owner[OPC_MAX_NAME];
			const char *nm = ed->z.entries[i].name;
			int keep;

			if (!strcmp(nm, "[Content_Types].xml") ||
			    ed->z.entries[i].is_dir)
				continue;
			if (rels_owner(nm, owner, sizeof owner))
				keep = !owner[0] || zipr_find(&ed->z, owner);
			else
				keep = seen[i] || was_orphan(ed, nm);
			if (!keep) {
				char copy[OPC_MAX_NAME];

				snprintf(copy, sizeof copy, "%s", nm);
				zipr_remove(&ed->z, copy);
				dropped = 1;
			}
		}
		free(seen);
		/* A removed part's rels go on the next round. */
		if (!dropped)
			break;
	}
	ct = zipr_find(&ed->z, "[Content_Types].xml");
	sp = calloc(ed->z.n + 16, sizeof *sp);
	if (!sp)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	xr_init(&r, (const char *)ct->data, ct->len);
	while ((t = xr_next(&r)) != XR_EOF && t != XR_ERROR) {
		const char *pn;

		if (t == XR_START && strcmp(r.local, "Override") == 0 &&
		    (pn = xr_attr(&r, "", "PartName")) && pn[0] == '/' &&
		    !zipr_find(&ed->z, pn + 1)) {
			size_t st = r.ev_start;

			if (xr_skip(&r) != XR_END)
				break;
			if (nsp < ed->z.n + 16) {
				sp[nsp].at = st;
				sp[nsp].skip = r.ev_end - st;
				sp[nsp].text = "";
				sp[nsp].len = 0;
				nsp++;
			}
		}
	}
	rc = t == XR_ERROR ? xml_bad(ct, &r, e) : PPTX_OK;
	xr_free(&r);
	if (rc == PPTX_OK && nsp)
		rc = apply_splices(ed, "[Content_Types].xml", sp, nsp, e);
	free(sp);
	return rc;
}

/*
 * Operations.
 */

/* Write the package: content types first, then every part in order. */
static pptx_status flush(struct edit *ed, pptx_write_fn fn, void *ctx,
                         struct pptx_err *e)
{
	struct zipw *zw;
	struct zip_entry *ct = zipr_find(&ed->z, "[Content_Types].xml");
	size_t i;
	pptx_status rc = zipw_open(&zw, fn, ctx, e);

	if (rc != PPTX_OK)
		return rc;
	rc = zipw_add(zw, ct->name, ct->data, ct->len, e);
	for (i = 0; rc == PPTX_OK && i < ed->z.n; i++) {
		struct zip_entry *ent = &ed->z.entries[i];
		const char *dot = strrchr(ent->name, '.');
		int media =
		        dot && (!strcmp(dot, ".png") || !strcmp(dot, ".jpeg") ||
		                !strcmp(dot, ".jpg"));

		if (ent == ct || ent->is_dir || !ent->data)
			continue;
		rc = media ? zipw_add_stored(zw, ent->name, ent->data, ent->len,
		                             e)
		           : zipw_add(zw, ent->name, ent->data, ent->len, e);
	}
	if (rc != PPTX_OK) {
		zipw_abort(zw);
		return rc;
	}
	return zipw_finish(zw, e);
}

/* A template (.potx) or macro-free show (.ppsx) becomes a deck: the output
 * is a .pptx, and PowerPoint refuses a .pptx whose main part keeps the
 * template's content type. So "edit_presentation on a .potx with
 * add_slides" builds a new deck on the template's masters and layouts. */
static pptx_status template_to_deck(struct edit *ed, struct pptx_err *e)
{
	static const char *const other[] = {CT_PML "template.main+xml",
	                                    CT_PML "slideshow.main+xml"};
	char ct[256];
	size_t i;

	ct_of(ed, ed->pres, ct, sizeof ct);
	for (i = 0; i < sizeof other / sizeof other[0]; i++) {
		struct zip_entry *ent;
		struct xmlr r;
		enum xr_type t;
		struct splice sp = {0};
		pptx_status rc = PPTX_OK;

		if (strcmp(ct, other[i]) != 0)
			continue;
		ent = zipr_find(&ed->z, "[Content_Types].xml");
		xr_init(&r, (const char *)ent->data, ent->len);
		while ((t = xr_next(&r)) != XR_EOF && t != XR_ERROR) {
			const char *pn;

			if (t == XR_START && !strcmp(r.local, "Override") &&
			    (pn = xr_attr(&r, "", "PartName")) &&
			    pn[0] == '/' && !strcmp(pn + 1, ed->pres)) {
				sp.at = r.ev_start;
				if (xr_skip(&r) != XR_END)
					break;
				sp.skip = r.ev_end - sp.at;
				break;
			}
		}
		xr_free(&r);
		if (!sp.skip)
			return pptx_fail(
			        e, PPTX_ERR_FORMAT,
			        "[Content_Types].xml is not well-formed");
		rc = apply_splices(ed, "[Content_Types].xml", &sp, 1, e);
		if (rc == PPTX_OK)
			rc = ct_add(ed, ed->pres,
			            CT_PML "presentation.main+xml", e);
		return rc;
	}
	return PPTX_OK;
}

static pptx_status load(struct edit *ed, const unsigned char *zip, size_t len,
                        struct pptx_err *e)
{
	struct opc_rels root;
	const struct opc_rel *office;
	struct zip_entry *ct, *pres;
	pptx_status rc = zipr_load(zip, len, NULL, NULL, &ed->z, e);

	if (rc != PPTX_OK)
		return rc;
	ct = zipr_find(&ed->z, "[Content_Types].xml");
	if (!ct || !ct->data)
		return pptx_fail(
		        e, PPTX_ERR_FORMAT,
		        "this zip has no [Content_Types].xml: it is not "
		        "an Office document; pass a .pptx deck");
	if ((rc = opc_rels_load(&ed->z, "", &root, e)) != PPTX_OK)
		return rc;
	office = opc_rel_by_type(&root, "officeDocument");
	if (!office || !(pres = zipr_find(&ed->z, office->target)) ||
	    !pres->data) {
		opc_rels_free(&root);
		return pptx_fail(e, PPTX_ERR_FORMAT,
		                 "this zip is not a PowerPoint deck: it has no "
		                 "main document part; pass a .pptx file");
	}
	snprintf(ed->pres, sizeof ed->pres, "%s", office->target);
	opc_rels_free(&root);
	if ((rc = template_to_deck(ed, e)) != PPTX_OK)
		return rc;
	{
		struct pres p;

		if ((rc = pres_scan(ed, &p, e)) != PPTX_OK)
			return rc;
		free(p.s);
	}
	return PPTX_OK;
}

/* Integer member name of op, in [lo, hi]; absent gives def (or an error
 * when def < 0). */
static pptx_status get_int(struct edit *ed, const cJSON *op, const char *name,
                           long lo, long hi, long def, long *out,
                           const char *hint, struct pptx_err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(op, name);

	if (!v) {
		if (def < 0)
			return op_fail(ed, e, "\"%s\" is missing; %s", name,
			               hint);
		*out = def;
		return PPTX_OK;
	}
	if (!cJSON_IsNumber(v) ||
	    v->valuedouble != (double)(long)v->valuedouble)
		return op_fail(ed, e, "\"%s\" must be a whole number", name);
	if ((long)v->valuedouble < lo || (long)v->valuedouble > hi) {
		if (hi >= lo)
			return op_fail(
			        ed, e, "\"%s\" is %ld, outside %ld..%ld; %s",
			        name, (long)v->valuedouble, lo, hi, hint);
		return op_fail(ed, e,
		               "\"%s\" is %ld but the deck has no "
		               "slides; %s",
		               name, (long)v->valuedouble, hint);
	}
	*out = (long)v->valuedouble;
	return PPTX_OK;
}

static pptx_status get_str(struct edit *ed, const cJSON *op, const char *name,
                           int required, const char **out, struct pptx_err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(op, name);

	*out = NULL;
	if (!v) {
		if (required)
			return op_fail(ed, e, "\"%s\" (a string) is missing",
			               name);
		return PPTX_OK;
	}
	if (!cJSON_IsString(v))
		return op_fail(ed, e, "\"%s\" must be a string", name);
	if (strlen(v->valuestring) > PPTX_MAX_TEXT_BYTES)
		return op_fail(ed, e, "\"%s\" is over the 64 KiB limit", name);
	*out = v->valuestring;
	return PPTX_OK;
}

static const struct op_kind {
	const char *name;
	const char *keys; /* the members it takes besides "op" */
} kinds[] = {
        {"replace_text", " slide find replace "},
        {"set_text", " slide placeholder text "},
        {"set_cell", " slide table row col text "},
        {"delete_slide", " slide "},
        {"move_slide", " slide to "},
        {"duplicate_slide", " slide to "},
        {"set_notes", " slide text "},
        {"add_slides", " slides at "},
};

static pptx_status check_keys(struct edit *ed, const cJSON *op,
                              const struct op_kind *k, struct pptx_err *e)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, op)
	{
		char key[80];

		if (!strcmp(m->string, "op"))
			continue;
		snprintf(key, sizeof key, " %.70s ", m->string);
		if (!strstr(k->keys, key))
			return op_fail(ed, e,
			               "unknown key \"%.64s\"; %s takes:%s",
			               m->string, k->name, k->keys);
	}
	return PPTX_OK;
}

static pptx_status do_op(struct edit *ed, const cJSON *op,
                         struct pptx_warnings *w, struct pptx_err *e)
{
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(op, "op");
	const struct op_kind *k = NULL;
	struct pres p;
	long slide = 0;
	char part[OPC_MAX_NAME];
	const char *hint = "slides count from 1 in read_presentation's order";
	pptx_status rc;
	size_t i;

	if (!cJSON_IsObject(op) || !cJSON_IsString(kind)) {
		ed->opname = "?";
		return op_fail(
		        ed, e,
		        "each operation is an object with \"op\": "
		        "replace_text, set_text, set_cell, delete_slide, "
		        "move_slide, duplicate_slide, set_notes or "
		        "add_slides");
	}
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(kinds[i].name, kind->valuestring))
			k = &kinds[i];
	ed->opname = k ? k->name : "?";
	if (!k)
		return op_fail(
		        ed, e,
		        "unknown op \"%.64s\"; use replace_text, set_text, "
		        "set_cell, delete_slide, move_slide, "
		        "duplicate_slide, set_notes or add_slides",
		        kind->valuestring);
	if ((rc = check_keys(ed, op, k, e)) != PPTX_OK)
		return rc;
	if ((rc = pres_scan(ed, &p, e)) != PPTX_OK)
		return rc;
	if (!strcmp(k->name, "add_slides")) {
		struct pptx_deck *d = pptx_deck_new();
		struct pptx_membuf m = {0};
		long at;
		size_t before = p.n, total = 0;

		free(p.s);
		if (!d)
			return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
		rc = get_int(ed, op, "at", 1, (long)before + 1,
		             (long)before + 1, &at,
		             "\"at\" is where the first new slide goes", e);
		if (rc == PPTX_OK) {
			rc = pptx_json_slides(
			        d,
			        cJSON_GetObjectItemCaseSensitive(op, "slides"),
			        1, e);
			if (rc == PPTX_OK && d->nslides == 0)
				rc = op_fail(ed, e,
				             "\"slides\" is empty; give "
				             "at least one slide");
			if (rc == PPTX_OK)
				rc = pptx_deck_check(d, e);
		}
		if (rc == PPTX_ERR_INPUT || rc == PPTX_ERR_LIMIT) {
			char msg[PPTX_ERR_MSG_MAX];

			snprintf(msg, sizeof msg, "%s", e->msg);
			if (strncmp(msg, "op ", 3) != 0)
				rc = op_fail(ed, e, "%.400s", msg);
		}
		if (rc == PPTX_OK)
			rc = flush(ed, pptx_membuf_write, &m, e);
		if (rc == PPTX_OK) {
			struct pptx_membuf out = {0};

			rc = pptx_append(m.p, m.len, d, pptx_membuf_write, &out,
			                 w, &total, e);
			if (rc == PPTX_ERR_INPUT) {
				char msg[PPTX_ERR_MSG_MAX];

				snprintf(msg, sizeof msg, "%s", e->msg);
				rc = op_fail(ed, e, "%.400s", msg);
			}
			if (rc == PPTX_OK) {
				zipr_free(&ed->z);
				rc = zipr_load(out.p, out.len, NULL, NULL,
				               &ed->z, e);
			}
			free(out.p);
		}
		free(m.p);
		pptx_deck_free(d);
		if (rc == PPTX_OK && (size_t)at != before + 1) {
			/* Move the new slides (at the end) to "at". */
			struct zip_entry *pe;
			struct xbuf items;
			size_t added;

			if ((rc = pres_scan(ed, &p, e)) != PPTX_OK)
				return rc;
			added = p.n - before;
			pe = zipr_find(&ed->z, ed->pres);
			xb_init(&items, 0);
			for (i = 0; i < p.n; i++) {
				size_t src;

				if (i < (size_t)at - 1)
					src = i;
				else if (i < (size_t)at - 1 + added)
					src = before + i - ((size_t)at - 1);
				else
					src = i - added;
				xb_put(&items, pe->data + p.s[src].start,
				       p.s[src].end - p.s[src].start);
			}
			rc = pres_write(ed, &p, &items, NULL, e);
			xb_free(&items);
			free(p.s);
		}
		return rc;
	}
	rc = get_int(ed, op, "slide", 1, (long)p.n, -1, &slide, hint, e);
	if (rc == PPTX_OK)
		rc = slide_part(ed, &p, (size_t)slide, part, sizeof part, e);
	if (rc != PPTX_OK)
		goto out;
	if (!strcmp(k->name, "replace_text")) {
		const char *find, *repl;
		size_t count = 0;

		if ((rc = get_str(ed, op, "find", 1, &find, e)) ||
		    (rc = get_str(ed, op, "replace", 1, &repl, e)))
			goto out;
		if (!find[0]) {
			rc = op_fail(ed, e,
			             "\"find\" is empty; give the text "
			             "to replace");
			goto out;
		}
		rc = replace_in_part(ed, part, find, repl, &count, e);
		if (rc == PPTX_OK && count == 0)
			rc = op_fail(ed, e,
			             "\"%.80s\" is not on slide %ld; read the "
			             "deck with read_presentation to see its "
			             "text (the match is case-sensitive and "
			             "within one paragraph)",
			             find, slide);
	} else if (!strcmp(k->name, "set_text")) {
		const char *ph, *text;
		struct body_fmt f;
		int found;

		if ((rc = get_str(ed, op, "placeholder", 1, &ph, e)) ||
		    (rc = get_str(ed, op, "text", 1, &text, e)))
			goto out;
		if (strcmp(ph, "title") && strcmp(ph, "subtitle") &&
		    strcmp(ph, "body")) {
			rc = op_fail(ed, e,
			             "\"placeholder\" must be title, "
			             "subtitle or body");
			goto out;
		}
		found = find_ph_body(zipr_find(&ed->z, part), ph, &f, e);
		if (found < 0)
			rc = e->status;
		else if (!found)
			rc = op_fail(ed, e,
			             "slide %ld has no %s placeholder with "
			             "text; use replace_text with the text "
			             "shown by read_presentation instead",
			             slide, ph);
		else
			rc = body_replace(ed, part, &f, text, e);
	} else if (!strcmp(k->name, "set_cell")) {
		long table, row, col;
		const char *text;

		if ((rc = get_int(ed, op, "table", 0, 1000000, -1, &table,
		                  "tables count from 0", e)) ||
		    (rc = get_int(ed, op, "row", 0, 1000000, -1, &row,
		                  "rows count from 0 (the header row)", e)) ||
		    (rc = get_int(ed, op, "col", 0, 1000000, -1, &col,
		                  "columns count from 0", e)) ||
		    (rc = get_str(ed, op, "text", 1, &text, e)))
			goto out;
		rc = set_cell(ed, part, (size_t)table, (size_t)row, (size_t)col,
		              text, (size_t)slide, e);
	} else if (!strcmp(k->name, "set_notes")) {
		const char *text;

		if ((rc = get_str(ed, op, "text", 1, &text, e)))
			goto out;
		rc = set_notes(ed, &p, (size_t)slide, part, text, e);
	} else {
		/* delete, move, duplicate: the slide list. */
		struct zip_entry *pe;
		struct xbuf items;
		long to = 0;
		char dup[320];

		dup[0] = '\0';
		if (!strcmp(k->name, "delete_slide")) {
			struct opc_rels prels;
			size_t j;

			if ((rc = opc_rels_load(&ed->z, ed->pres, &prels, e)))
				goto out;
			for (j = 0; j < prels.n; j++)
				if (!strcmp(prels.rels[j].id,
				            p.s[slide - 1].rid)) {
					free(prels.rels[j].id);
					free(prels.rels[j].type);
					free(prels.rels[j].target);
					memmove(&prels.rels[j],
					        &prels.rels[j + 1],
					        (prels.n - j - 1) *
					                sizeof prels.rels[0]);
					prels.n--;
					break;
				}
			rc = rels_save(ed, ed->pres, &prels, e);
			opc_rels_free(&prels);
			if (rc != PPTX_OK)
				goto out;
		} else if (!strcmp(k->name, "move_slide")) {
			if ((rc = get_int(ed, op, "to", 1, (long)p.n, -1, &to,
			                  "\"to\" is the slide's new position, "
			                  "counting from 1",
			                  e)))
				goto out;
		} else {
			struct copy_map m = {0};
			struct opc_rels prels;
			char fresh[OPC_MAX_NAME], rid[32];

			if ((rc = get_int(ed, op, "to", 1, (long)p.n + 1,
			                  slide + 1, &to,
			                  "\"to\" is the copy's position, "
			                  "counting from 1",
			                  e)))
				goto out;
			if (p.n + 1 > PPTX_MAX_SLIDES ||
			    p.max_id >= SLIDE_ID_MAX) {
				rc = op_fail(ed, e,
				             "the deck cannot take "
				             "another slide");
				goto out;
			}
			fresh_name(&ed->z, part, fresh, sizeof fresh);
			if (map_add(&m, part, fresh) != 0)
				rc = pptx_fail(e, PPTX_ERR_NOMEM,
				               "out of memory");
			if (rc == PPTX_OK)
				rc = copy_tree(ed, part, fresh, &m, 0, e);
			free(m.from);
			free(m.to);
			if (rc == PPTX_OK)
				rc = opc_rels_load(&ed->z, ed->pres, &prels, e);
			if (rc != PPTX_OK)
				goto out;
			snprintf(rid, sizeof rid, "rId%u", max_rid(&prels) + 1);
			rc = rels_add(&prels, rid, RT "slide", fresh, 0, e);
			if (rc == PPTX_OK)
				rc = rels_save(ed, ed->pres, &prels, e);
			opc_rels_free(&prels);
			if (rc != PPTX_OK)
				goto out;
			snprintf(dup, sizeof dup,
			         "<%ssldId xmlns:r=\"http://schemas."
			         "openxmlformats.org/officeDocument/2006/"
			         "relationships\" id=\"%u\" r:id=\"%s\"/>",
			         p.prefix,
			         p.max_id < SLIDE_ID_MIN ? SLIDE_ID_MIN
			                                 : p.max_id + 1,
			         rid);
		}
		pe = zipr_find(&ed->z, ed->pres);
		xb_init(&items, 0);
		for (i = 0; i <= p.n; i++) {
			/* Positions are 1-based: put the moved slide or the
			 * copy before original slide i+1 at its place. */
			if (dup[0] && (size_t)to == i + 1)
				xb_puts(&items, dup);
			if (i == p.n)
				break;
			if (!strcmp(k->name, "move_slide")) {
				size_t src;
				size_t s0 = (size_t)slide - 1,
				       t0 = (size_t)to - 1;

				if (i == t0)
					src = s0;
				else if (s0 < t0 && i >= s0 && i < t0)
					src = i + 1;
				else if (s0 > t0 && i > t0 && i <= s0)
					src = i - 1;
				else
					src = i;
				xb_put(&items, pe->data + p.s[src].start,
				       p.s[src].end - p.s[src].start);
				continue;
			}
			if (!strcmp(k->name, "delete_slide") &&
			    i == (size_t)slide - 1)
				continue;
			xb_put(&items, pe->data + p.s[i].start,
			       p.s[i].end - p.s[i].start);
		}
		rc = xb_failed(&items)
		             ? pptx_fail(e, PPTX_ERR_NOMEM, "out of memory")
		             : pres_write(ed, &p, &items, NULL, e);
		xb_free(&items);
	}
out:
	free(p.s);
	return rc;
}

pptx_status pptx_edit(const unsigned char *zip, size_t len, const cJSON *ops,
                      pptx_write_fn fn, void *ctx, struct pptx_warnings *w,
                      size_t *total, struct pptx_err *e)
{
	struct edit ed;
	const cJSON *op;
	pptx_status rc;
	size_t i;

	memset(&ed, 0, sizeof ed);
	if (!cJSON_IsArray(ops) || cJSON_GetArraySize(ops) == 0)
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "\"ops\" must be a non-empty array of "
		                 "operations");
	if (cJSON_GetArraySize(ops) > MAX_OPS)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "at most %d operations per call; split the "
		                 "edit",
		                 MAX_OPS);
	rc = load(&ed, zip, len, e);
	if (rc == PPTX_OK)
		rc = record_orphans(&ed, e);
	cJSON_ArrayForEach(op, ops)
	{
		if (rc != PPTX_OK)
			break;
		rc = do_op(&ed, op, w, e);
		ed.opno++;
	}
	if (rc == PPTX_OK)
		rc = prune(&ed, e);
	if (rc == PPTX_OK && total) {
		struct pres p;

		if ((rc = pres_scan(&ed, &p, e)) == PPTX_OK)
			*total = p.n;
		free(p.s);
	}
	if (rc == PPTX_OK)
		rc = flush(&ed, fn, ctx, e);
	for (i = 0; i < ed.norphans; i++)
		free(ed.orphans[i]);
	free(ed.orphans);
	zipr_free(&ed.z);
	return rc;
}
