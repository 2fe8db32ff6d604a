/*
 * pptx_read.c - deck text extraction. See pptx_read.h.
 */
#include "pptx_read.h"

#include <stdlib.h>
#include <string.h>

#include "opc.h"
#include "pptx_chart.h"
#include "xmlr.h"
#include "xmlw.h"
#include "zipio.h"

#define NS_MC       "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define NS_R_STRICT "http://purl.oclc.org/ooxml/officeDocument/relationships"
#define NS_P_STRICT "http://purl.oclc.org/ooxml/presentationml/main"
#define NS_A_STRICT "http://purl.oclc.org/ooxml/drawingml/main"
#define NS_DC       "http://purl.org/dc/elements/1.1/"
/* Slides a deck may list: beyond any real deck, and a bound on work. */
#define READ_MAX_SLIDES 20000
/* Body shapes kept per slide before the rest are merged into the last. */
#define READ_MAX_SHAPES 256
/* Charts read per slide; more are not a slide anyone reads. */
#define READ_MAX_CHARTS 16
#define NS_CHART        "http://schemas.openxmlformats.org/drawingml/2006/chart"
#define NS_C_STRICT     "http://purl.oclc.org/ooxml/drawingml/chart"

static int want_xml(const char *name, void *ctx)
{
	size_t n = strlen(name);

	(void)ctx;
	return (n > 4 && strcmp(name + n - 4, ".xml") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".rels") == 0);
}

/* Element tests that accept both transitional and strict namespaces. */
static int is_p(const struct xmlr *r, const char *local)
{
	return xr_is(r, NS_P, local) || xr_is(r, NS_P_STRICT, local);
}

static int is_a(const struct xmlr *r, const char *local)
{
	return xr_is(r, NS_A, local) || xr_is(r, NS_A_STRICT, local);
}

static const char *r_attr(const struct xmlr *r, const char *local)
{
	const char *v = xr_attr(r, NS_R, local);

	return v ? v : xr_attr(r, NS_R_STRICT, local);
}

struct shape {
	int kind; /* SHAPE_* */
	struct pptx_para *paras;
	size_t n, cap;
	long long y;  /* top edge in EMU from its xfrm; -1 when unknown */
	int slidenum; /* holds a slide-number field */
	int other;    /* holds text outside fields */
};

enum { SHAPE_BODY, SHAPE_BODY_PH, SHAPE_TITLE, SHAPE_SUBTITLE, SHAPE_SKIP };

struct cell_pos {
	const char *text;
	size_t row, col;
};

struct slide_state {
	struct pptx_deck *d;
	struct pptx_slide *s;
	struct shape shapes[READ_MAX_SHAPES];
	size_t nshapes;
	struct shape *cur; /* the p:sp being read, or NULL */
	int sp_depth;
	int para_active;
	int para_level;
	int in_t, in_fld;
	int named_layout; /* p:cSld/@name names one of ours, or -1 */
	struct xbuf para;
	/* Tables: cells collected row by row. */
	int in_tbl, in_tc;
	struct cell_pos *cells;
	size_t ncells, cells_cap;
	size_t row, col, ncols;
	struct xbuf cell;
	size_t tables_cap;
	size_t images_cap;
	/* Charts: the r:id of each c:chart, resolved after the walk. */
	char *chart_rid[READ_MAX_CHARTS];
	size_t ncharts;
};

static pptx_status nomem(struct pptx_err *e)
{
	return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory reading the deck");
}

static int shape_kind(const char *type, int has_ph)
{
	if (!has_ph)
		return SHAPE_BODY;
	if (!type)
		return SHAPE_BODY_PH;
	if (!strcmp(type, "title") || !strcmp(type, "ctrTitle"))
		return SHAPE_TITLE;
	if (!strcmp(type, "subTitle"))
		return SHAPE_SUBTITLE;
	if (!strcmp(type, "body") || !strcmp(type, "obj"))
		return SHAPE_BODY_PH;
	/* dt, ftr, sldNum, hdr, sldImg, chart, pic, ...: not slide text */
	return SHAPE_SKIP;
}

static pptx_status end_para(struct slide_state *st, struct pptx_err *e)
{
	const char *text;

	st->para_active = 0;
	if (xb_failed(&st->para))
		return nomem(e);
	if (st->in_tc) {
		if (st->cell.len)
			xb_putc(&st->cell, '\n');
		xb_put(&st->cell, st->para.p, st->para.len);
		return PPTX_OK;
	}
	if (!st->cur || st->cur->kind == SHAPE_SKIP)
		return PPTX_OK;
	text = pptx_strndup(st->d, st->para.p ? st->para.p : "", st->para.len);
	if (!text)
		return nomem(e);
	st->cur->paras = pptx_grow(st->d, st->cur->paras, &st->cur->cap,
	                           st->cur->n, sizeof *st->cur->paras);
	if (!st->cur->paras)
		return nomem(e);
	st->cur->paras[st->cur->n].text = text;
	st->cur->paras[st->cur->n].level = st->para_level;
	st->cur->n++;
	return PPTX_OK;
}

static pptx_status end_cell(struct slide_state *st, struct pptx_err *e)
{
	const char *text;

	st->in_tc = 0;
	if (xb_failed(&st->cell))
		return nomem(e);
	text = pptx_strndup(st->d, st->cell.p ? st->cell.p : "", st->cell.len);
	if (!text)
		return nomem(e);
	/* Cells keep their (row, col) and are laid out once the table ends,
	 * since rows of a foreign table may differ in length. */
	st->cells = pptx_grow(st->d, st->cells, &st->cells_cap, st->ncells,
	                      sizeof *st->cells);
	if (!st->cells)
		return nomem(e);
	st->cells[st->ncells].text = text;
	st->cells[st->ncells].row = st->row;
	st->cells[st->ncells].col = st->col;
	st->ncells++;
	st->col++;
	if (st->col > st->ncols)
		st->ncols = st->col;
	return PPTX_OK;
}

static pptx_status end_table(struct slide_state *st, struct pptx_err *e)
{
	struct pptx_slide *s = st->s;
	struct pptx_table *t;
	size_t i, nrows = st->row;

	st->in_tbl = 0;
	if (st->ncols == 0 || nrows == 0)
		return PPTX_OK;
	s->tables = pptx_grow(st->d, s->tables, &st->tables_cap, s->ntables,
	                      sizeof *s->tables);
	if (!s->tables)
		return nomem(e);
	t = &s->tables[s->ntables];
	t->ncols = st->ncols;
	t->nrows = nrows;
	if (nrows > SIZE_MAX / sizeof *t->cells / t->ncols)
		return nomem(e);
	t->cells = pptx_alloc(st->d, nrows * t->ncols * sizeof *t->cells);
	if (!t->cells)
		return nomem(e);
	for (i = 0; i < nrows * t->ncols; i++)
		t->cells[i] = "";
	for (i = 0; i < st->ncells; i++) {
		const struct cell_pos *cp = &st->cells[i];

		if (cp->row < nrows && cp->col < t->ncols)
			t->cells[cp->row * t->ncols + cp->col] = cp->text;
	}
	s->ntables++;
	return PPTX_OK;
}

static pptx_status add_image(struct slide_state *st, const char *alt,
                             struct pptx_err *e)
{
	struct pptx_slide *s = st->s;
	struct pptx_image *im;

	s->images = pptx_grow(st->d, s->images, &st->images_cap, s->nimages,
	                      sizeof *s->images);
	if (!s->images)
		return nomem(e);
	im = &s->images[s->nimages++];
	memset(im, 0, sizeof *im);
	if (alt && alt[0] && !(im->alt = pptx_strndup(st->d, alt, strlen(alt))))
		return nomem(e);
	return PPTX_OK;
}

static char *join_paras(struct pptx_deck *d, const struct shape *sh)
{
	struct xbuf b;
	size_t i;
	char *out;

	xb_init(&b, 0);
	for (i = 0; i < sh->n; i++) {
		if (i)
			xb_putc(&b, '\n');
		xb_puts(&b, sh->paras[i].text);
	}
	out = xb_failed(&b) ? NULL : pptx_strndup(d, b.p ? b.p : "", b.len);
	xb_free(&b);
	return out;
}

/* Non-empty paragraphs of sh appended to l. */
static pptx_status take_paras(struct pptx_deck *d, struct pptx_list *l,
                              size_t *cap, const struct shape *sh,
                              struct pptx_err *e)
{
	size_t i;

	for (i = 0; i < sh->n; i++) {
		if (!sh->paras[i].text[0])
			continue;
		l->items = pptx_grow(d, l->items, cap, l->n, sizeof *l->items);
		if (!l->items)
			return nomem(e);
		l->items[l->n++] = sh->paras[i];
	}
	return PPTX_OK;
}

static pptx_status on_start(struct slide_state *st, struct xmlr *r,
                            struct pptx_err *e)
{
	if (is_p(r, "cSld")) {
		const char *nm = xr_attr(r, "", "name");
		int l = nm ? pptx_layout_parse(nm) : -1;

		/* Only the layouts a reader cannot tell from the shapes are
		 * taken from the name (pptx_write.c names them). */
		st->named_layout = l >= PPTX_LAYOUT_QUOTE ? l : -1;
	} else if (is_p(r, "sp") && !st->cur) {
		if (st->nshapes >= READ_MAX_SHAPES)
			return pptx_fail(e, PPTX_ERR_LIMIT,
			                 "a slide has more than %d text shapes",
			                 READ_MAX_SHAPES);
		st->cur = &st->shapes[st->nshapes++];
		memset(st->cur, 0, sizeof *st->cur);
		st->cur->kind = SHAPE_BODY;
		st->cur->y = -1;
		st->sp_depth = r->depth;
	} else if (is_p(r, "ph") && st->cur) {
		st->cur->kind = shape_kind(xr_attr(r, "", "type"), 1);
	} else if (is_a(r, "p")) {
		st->para_active = 1;
		st->para_level = 0;
		xb_reset(&st->para);
	} else if (is_a(r, "pPr") && st->para_active) {
		const char *lvl = xr_attr(r, "", "lvl");

		if (lvl) {
			long v = strtol(lvl, NULL, 10);

			st->para_level = v < 0 ? 0 : v > 8 ? 8 : (int)v;
		}
	} else if (is_a(r, "off") && st->cur && st->cur->y < 0 &&
	           xr_attr(r, "", "y")) {
		st->cur->y = strtoll(xr_attr(r, "", "y"), NULL, 10);
	} else if (is_a(r, "fld") && st->cur) {
		const char *ty = xr_attr(r, "", "type");

		if (ty && !strcmp(ty, "slidenum"))
			st->cur->slidenum = 1;
		st->in_fld = 1;
	} else if (is_a(r, "t") && st->para_active) {
		st->in_t = 1;
		if (st->cur && !st->in_fld)
			st->cur->other = 1;
	} else if (is_a(r, "br") && st->para_active) {
		xb_putc(&st->para, '\n');
	} else if (is_a(r, "tbl")) {
		st->in_tbl = 1;
		st->row = st->col = st->ncols = st->ncells = 0;
		st->cells = NULL;
		st->cells_cap = 0;
	} else if (is_a(r, "tr") && st->in_tbl) {
		st->col = 0;
	} else if (is_a(r, "tc") && st->in_tbl) {
		st->in_tc = 1;
		xb_reset(&st->cell);
	} else if (is_p(r, "pic")) {
		/* The alt text sits on the first p:cNvPr inside. */
		enum xr_type t;
		int depth = r->depth;
		const char *alt = NULL;
		pptx_status s2 = PPTX_OK;

		while ((t = xr_next(r)) != XR_ERROR && t != XR_EOF) {
			if (t == XR_START && is_p(r, "cNvPr") && !alt) {
				alt = xr_attr(r, "", "descr");
				s2 = add_image(st, alt ? alt : "", e);
				if (s2 != PPTX_OK)
					return s2;
				alt = "";
			}
			if (t == XR_END && r->depth < depth)
				break;
		}
		if (t == XR_ERROR || t == XR_EOF)
			return pptx_fail(e, PPTX_ERR_FORMAT,
			                 "a slide is not well-formed XML: %s",
			                 xr_error(r));
	} else if ((xr_is(r, NS_CHART, "chart") ||
	            xr_is(r, NS_C_STRICT, "chart")) &&
	           st->ncharts < READ_MAX_CHARTS && r_attr(r, "id")) {
		st->chart_rid[st->ncharts] = pptx_strndup(
		        st->d, r_attr(r, "id"), strlen(r_attr(r, "id")));
		if (!st->chart_rid[st->ncharts])
			return nomem(e);
		st->ncharts++;
	} else if (xr_is(r, NS_MC, "Fallback")) {
		/* The Choice branch has the same content. */
		if (xr_skip(r) != XR_END)
			return pptx_fail(e, PPTX_ERR_FORMAT,
			                 "a slide is not well-formed XML: %s",
			                 xr_error(r));
	}
	return PPTX_OK;
}

static pptx_status on_end(struct slide_state *st, struct xmlr *r,
                          struct pptx_err *e)
{
	pptx_status s2 = PPTX_OK;

	if (is_a(r, "fld")) {
		st->in_fld = 0;
	} else if (is_a(r, "t")) {
		st->in_t = 0;
	} else if (is_a(r, "p") && st->para_active) {
		s2 = end_para(st, e);
	} else if (is_a(r, "tc") && st->in_tc) {
		s2 = end_cell(st, e);
	} else if (is_a(r, "tr") && st->in_tbl) {
		st->row++;
		if (st->row > 0xFFFF)
			return pptx_fail(e, PPTX_ERR_LIMIT,
			                 "a table has more than 65535 rows");
	} else if (is_a(r, "tbl") && st->in_tbl) {
		s2 = end_table(st, e);
	} else if (is_p(r, "sp") && st->cur && r->depth < st->sp_depth) {
		st->cur = NULL;
	}
	return s2;
}

static pptx_status finish_slide(struct slide_state *st, int layout_kind,
                                struct pptx_err *e)
{
	struct pptx_slide *s = st->s;
	struct shape *body[READ_MAX_SHAPES];
	size_t nbody = 0, nph = 0, i, cap = 0;
	pptx_status rc;

	/* A text box that only holds the slide number (pptxgenjs and other
	 * writers draw one without a sldNum placeholder) is furniture. */
	for (i = 0; i < st->nshapes; i++)
		if (st->shapes[i].slidenum && !st->shapes[i].other)
			st->shapes[i].kind = SHAPE_SKIP;
	/* No title placeholder: decks drawn with plain text boxes put the
	 * title in the topmost box, in the top quarter of the slide. */
	for (i = 0; i < st->nshapes; i++)
		if (st->shapes[i].kind == SHAPE_TITLE)
			break;
	if (i == st->nshapes) {
		struct shape *top = NULL;

		for (i = 0; i < st->nshapes; i++) {
			struct shape *sh = &st->shapes[i];

			if (sh->kind == SHAPE_BODY && sh->n == 1 &&
			    sh->paras[0].text[0] && sh->y >= 0 &&
			    (unsigned long long)sh->y * 4 <
			            (unsigned long long)st->d->slide_cy &&
			    (!top || sh->y < top->y))
				top = sh;
		}
		if (top)
			top->kind = SHAPE_TITLE;
	}
	for (i = 0; i < st->nshapes; i++) {
		struct shape *sh = &st->shapes[i];

		if (sh->kind == SHAPE_TITLE && !s->title) {
			if (!(s->title = join_paras(st->d, sh)))
				return nomem(e);
		} else if (sh->kind == SHAPE_SUBTITLE && !s->subtitle) {
			if (!(s->subtitle = join_paras(st->d, sh)))
				return nomem(e);
		} else if (sh->kind != SHAPE_SKIP && sh->n) {
			body[nbody++] = sh;
			if (sh->kind == SHAPE_BODY_PH)
				nph++;
		}
	}
	s->layout = layout_kind >= 0 ? (enum pptx_layout)layout_kind
	                             : PPTX_LAYOUT_BULLETS;
	if (st->named_layout >= 0 && !s->ncharts && !s->ntables) {
		s->layout = (enum pptx_layout)st->named_layout;
		switch (s->layout) {
		case PPTX_LAYOUT_QUOTE:
		case PPTX_LAYOUT_BIG_NUMBER:
			if (nbody && !s->subtitle &&
			    !(s->subtitle = join_paras(st->d, body[0])))
				return nomem(e);
			return PPTX_OK;
		case PPTX_LAYOUT_COMPARISON:
			if (nbody == 4) {
				size_t c0 = 0, c1 = 0;

				s->has_columns = 1;
				if (!(s->headings[0] =
				              join_paras(st->d, body[0])) ||
				    !(s->headings[1] =
				              join_paras(st->d, body[2])))
					return nomem(e);
				if ((rc = take_paras(st->d, &s->columns[0], &c0,
				                     body[1], e)) ||
				    (rc = take_paras(st->d, &s->columns[1], &c1,
				                     body[3], e)))
					return rc;
				return PPTX_OK;
			}
			s->layout = PPTX_LAYOUT_BULLETS;
			break;
		default: break; /* agenda, image_text: bullets below */
		}
		for (i = 0; i < nbody; i++)
			if ((rc = take_paras(st->d, &s->bullets, &cap, body[i],
			                     e)))
				return rc;
		return PPTX_OK;
	}
	if (s->ncharts) {
		/* A chart decides the layout, whatever the slide layout says:
		 * alone it is "chart", beside text "text_chart" (an empty
		 * placeholder left on the slide is not text). */
		for (i = 0; i < nbody; i++)
			if ((rc = take_paras(st->d, &s->bullets, &cap, body[i],
			                     e)))
				return rc;
		s->layout = PPTX_LAYOUT_CHART;
		for (i = 0; i < s->bullets.n; i++)
			if (s->bullets.items[i].text[0])
				s->layout = PPTX_LAYOUT_TEXT_CHART;
		if (s->layout == PPTX_LAYOUT_CHART)
			s->bullets.n = 0;
		return PPTX_OK;
	}
	if (layout_kind < 0 || layout_kind == PPTX_LAYOUT_TABLE ||
	    layout_kind == PPTX_LAYOUT_IMAGE) {
		if (s->ntables && !nbody)
			s->layout = PPTX_LAYOUT_TABLE;
		else if (s->nimages && !nbody && !s->ntables)
			s->layout = PPTX_LAYOUT_IMAGE;
		else if (layout_kind < 0 && !nbody && !s->ntables &&
		         !s->nimages && s->title)
			s->layout = PPTX_LAYOUT_SECTION;
		else
			s->layout = PPTX_LAYOUT_BULLETS;
	}
	if (s->layout == PPTX_LAYOUT_SECTION && !s->subtitle && nbody == 1) {
		if (!(s->subtitle = join_paras(st->d, body[0])))
			return nomem(e);
		return PPTX_OK;
	}
	if (nbody == 2 && nph == 2) {
		size_t c0 = 0, c1 = 0;

		s->has_columns = 1;
		if (s->layout == PPTX_LAYOUT_BULLETS)
			s->layout = PPTX_LAYOUT_TWO_COLUMN;
		if ((rc = take_paras(st->d, &s->columns[0], &c0, body[0], e)) ||
		    (rc = take_paras(st->d, &s->columns[1], &c1, body[1], e)))
			return rc;
		return PPTX_OK;
	}
	if (s->layout == PPTX_LAYOUT_TWO_COLUMN)
		s->layout = PPTX_LAYOUT_BULLETS;
	for (i = 0; i < nbody; i++)
		if ((rc = take_paras(st->d, &s->bullets, &cap, body[i], e)))
			return rc;
	return PPTX_OK;
}

/* Walk a slide or notes part, collecting shapes, tables and pictures. */
static pptx_status walk_part(struct slide_state *st,
                             const struct zip_entry *ent, struct pptx_err *e)
{
	struct xmlr r;
	enum xr_type t;
	pptx_status rc = PPTX_OK;

	xr_init(&r, (const char *)ent->data, ent->len);
	while ((t = xr_next(&r)) != XR_EOF) {
		if (t == XR_ERROR) {
			rc = pptx_fail(e, PPTX_ERR_FORMAT,
			               "%s is not well-formed XML: %s",
			               ent->name, xr_error(&r));
			break;
		}
		if (t == XR_START)
			rc = on_start(st, &r, e);
		else if (t == XR_END)
			rc = on_end(st, &r, e);
		else if (t == XR_TEXT && st->in_t)
			xb_put(&st->para, r.text, r.text_len);
		if (rc != PPTX_OK)
			break;
	}
	xr_free(&r);
	return rc;
}

static struct slide_state *state_new(struct pptx_deck *d, struct pptx_slide *s)
{
	struct slide_state *st = calloc(1, sizeof *st);

	if (!st)
		return NULL;
	st->d = d;
	st->s = s;
	st->named_layout = -1;
	xb_init(&st->para, 0);
	xb_init(&st->cell, 0);
	return st;
}

static void state_free(struct slide_state *st)
{
	xb_free(&st->para);
	xb_free(&st->cell);
	free(st);
}

/* The charts a slide's c:chart elements name, through its rels. A chart
 * part that is missing is skipped (PowerPoint shows an empty frame). */
static pptx_status read_charts(struct slide_state *st, const struct zipr *z,
                               const struct opc_rels *srels, struct pptx_err *e)
{
	struct pptx_slide *s = st->s;
	size_t i;
	pptx_status rc;

	if (!st->ncharts)
		return PPTX_OK;
	s->chart = pptx_alloc(st->d, st->ncharts * sizeof *s->chart);
	if (!s->chart)
		return nomem(e);
	for (i = 0; i < st->ncharts; i++) {
		const struct opc_rel *rel =
		        opc_rel_by_id(srels, st->chart_rid[i]);
		const struct zip_entry *ent;

		if (!rel || rel->external ||
		    !(ent = zipr_find(z, rel->target)) || !ent->data)
			continue;
		rc = pptx_chart_parse(st->d, (const char *)ent->data, ent->len,
		                      &s->chart[s->ncharts], e);
		if (rc != PPTX_OK)
			return rc;
		s->ncharts++;
	}
	if (!s->ncharts)
		s->chart = NULL;
	return PPTX_OK;
}

static pptx_status read_slide(struct pptx_deck *d, struct pptx_slide *s,
                              const struct zip_entry *ent, int layout_kind,
                              const struct zipr *z,
                              const struct opc_rels *srels, struct pptx_err *e)
{
	struct slide_state *st = state_new(d, s);
	pptx_status rc;

	if (!st)
		return nomem(e);
	rc = walk_part(st, ent, e);
	if (rc == PPTX_OK)
		rc = read_charts(st, z, srels, e);
	if (rc == PPTX_OK)
		rc = finish_slide(st, layout_kind, e);
	state_free(st);
	return rc;
}

/* The notes of a notes slide: its body text, every paragraph a line (empty
 * ones too, since they are blank lines the author typed). */
static pptx_status read_notes(struct pptx_deck *d, struct pptx_slide *s,
                              const struct zip_entry *ent, struct pptx_err *e)
{
	struct pptx_slide scratch;
	struct slide_state *st;
	struct xbuf b;
	size_t i, k, lines = 0;
	pptx_status rc;

	memset(&scratch, 0, sizeof scratch);
	st = state_new(d, &scratch);
	if (!st)
		return nomem(e);
	xb_init(&b, 0);
	rc = walk_part(st, ent, e);
	for (i = 0; rc == PPTX_OK && i < st->nshapes; i++) {
		const struct shape *sh = &st->shapes[i];

		if (sh->kind != SHAPE_BODY_PH && sh->kind != SHAPE_BODY)
			continue;
		for (k = 0; k < sh->n; k++) {
			if (lines++)
				xb_putc(&b, '\n');
			xb_puts(&b, sh->paras[k].text);
		}
	}
	if (rc == PPTX_OK && xb_failed(&b))
		rc = nomem(e);
	/* Trailing empty paragraphs are PowerPoint's end-of-text marker. */
	while (rc == PPTX_OK && b.len && b.p[b.len - 1] == '\n')
		b.len--;
	if (rc == PPTX_OK && b.len && !(s->notes = pptx_strndup(d, b.p, b.len)))
		rc = nomem(e);
	xb_free(&b);
	state_free(st);
	return rc;
}

struct layout_cache {
	char *name[64];
	int kind[64];
	size_t n;
};

static int layout_kind_of(const char *type)
{
	if (!type)
		return -1;
	if (!strcmp(type, "title"))
		return PPTX_LAYOUT_TITLE;
	if (!strcmp(type, "obj") || !strcmp(type, "tx"))
		return PPTX_LAYOUT_BULLETS;
	if (!strcmp(type, "twoObj") || !strcmp(type, "twoTxTwoObj"))
		return PPTX_LAYOUT_TWO_COLUMN;
	if (!strcmp(type, "secHead"))
		return PPTX_LAYOUT_SECTION;
	if (!strcmp(type, "titleOnly"))
		return PPTX_LAYOUT_TABLE; /* refined by content */
	return -1;
}

static int layout_kind(struct layout_cache *c, const struct zipr *z,
                       const char *part)
{
	struct zip_entry *ent;
	struct xmlr r;
	enum xr_type t;
	int kind = -1;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->name[i], part))
			return c->kind[i];
	ent = zipr_find(z, part);
	if (ent && ent->data) {
		xr_init(&r, (const char *)ent->data, ent->len);
		while ((t = xr_next(&r)) == XR_TEXT)
			;
		if (t == XR_START && is_p(&r, "sldLayout"))
			kind = layout_kind_of(xr_attr(&r, "", "type"));
		xr_free(&r);
	}
	if (c->n < sizeof c->name / sizeof c->name[0] &&
	    (c->name[c->n] = strdup(part)) != NULL)
		c->kind[c->n++] = kind;
	return kind;
}

static pptx_status read_core_title(struct pptx_deck *d, const struct zipr *z,
                                   const struct opc_rels *root,
                                   struct pptx_err *e)
{
	const struct opc_rel *rel = opc_rel_by_type(root, "core-properties");
	struct zip_entry *ent;
	struct xmlr r;
	enum xr_type t;
	int in_title = 0;
	struct xbuf b;
	pptx_status rc = PPTX_OK;

	if (!rel || !(ent = zipr_find(z, rel->target)) || !ent->data)
		return PPTX_OK;
	xb_init(&b, 0);
	xr_init(&r, (const char *)ent->data, ent->len);
	while ((t = xr_next(&r)) != XR_EOF && t != XR_ERROR) {
		if (t == XR_START && xr_is(&r, NS_DC, "title"))
			in_title = 1;
		else if (t == XR_END && in_title)
			break;
		else if (t == XR_TEXT && in_title)
			xb_put(&b, r.text, r.text_len);
	}
	/* A broken core.xml loses the title only: it is metadata. */
	if (b.len && !xb_failed(&b) &&
	    !(d->title = pptx_strndup(d, b.p, b.len)))
		rc = nomem(e);
	xr_free(&r);
	xb_free(&b);
	return rc;
}

pptx_status pptx_read(const unsigned char *zip, size_t len,
                      struct pptx_deck **out, struct pptx_err *e)
{
	struct zipr z;
	struct opc_rels root = {0}, pres_rels = {0};
	const struct opc_rel *office;
	struct zip_entry *pres;
	struct pptx_deck *d = NULL;
	struct layout_cache lc;
	struct xmlr r;
	enum xr_type t;
	char **slide_rids = NULL;
	size_t nslides = 0, cap = 0, i;
	pptx_status rc;

	*out = NULL;
	memset(&lc, 0, sizeof lc);
	memset(&r, 0, sizeof r);
	rc = zipr_load(zip, len, want_xml, NULL, &z, e);
	if (rc != PPTX_OK)
		return rc;
	rc = opc_rels_load(&z, "", &root, e);
	if (rc != PPTX_OK)
		goto out;
	office = opc_rel_by_type(&root, "officeDocument");
	if (!office || !(pres = zipr_find(&z, office->target)) || !pres->data) {
		rc = pptx_fail(e, PPTX_ERR_FORMAT,
		               "this zip is not a PowerPoint deck: it has no "
		               "main document part; pass a .pptx file");
		goto out;
	}
	d = pptx_deck_new();
	if (!d) {
		rc = nomem(e);
		goto out;
	}
	/* presentation.xml: slide order and size. */
	xr_init(&r, (const char *)pres->data, pres->len);
	t = xr_next(&r);
	while (t == XR_TEXT)
		t = xr_next(&r);
	if (t != XR_START || !is_p(&r, "presentation")) {
		rc = pptx_fail(
		        e, PPTX_ERR_FORMAT,
		        "%s is not a PowerPoint presentation part (is this "
		        "a Word or Excel file?); pass a .pptx deck",
		        office->target);
		goto out;
	}
	while ((t = xr_next(&r)) != XR_EOF) {
		if (t == XR_ERROR) {
			rc = pptx_fail(e, PPTX_ERR_FORMAT,
			               "%s is not well-formed XML: %s",
			               office->target, xr_error(&r));
			goto out;
		}
		if (t != XR_START)
			continue;
		if (is_p(&r, "sldId")) {
			const char *rid = r_attr(&r, "id");

			if (!rid)
				continue;
			if (nslides >= READ_MAX_SLIDES) {
				rc = pptx_fail(e, PPTX_ERR_LIMIT,
				               "the deck lists more than %d "
				               "slides",
				               READ_MAX_SLIDES);
				goto out;
			}
			if (nslides == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				char **nr =
				        realloc(slide_rids, ncap * sizeof *nr);

				if (!nr) {
					rc = nomem(e);
					goto out;
				}
				slide_rids = nr;
				cap = ncap;
			}
			if (!(slide_rids[nslides] = strdup(rid))) {
				rc = nomem(e);
				goto out;
			}
			nslides++;
		} else if (is_p(&r, "sldSz")) {
			const char *cx = xr_attr(&r, "", "cx");
			const char *cy = xr_attr(&r, "", "cy");

			if (cx && cy) {
				d->slide_cx = (uint32_t)strtoul(cx, NULL, 10);
				d->slide_cy = (uint32_t)strtoul(cy, NULL, 10);
			}
		}
	}
	rc = opc_rels_load(&z, office->target, &pres_rels, e);
	if (rc != PPTX_OK)
		goto out;
	rc = read_core_title(d, &z, &root, e);
	if (rc != PPTX_OK)
		goto out;
	d->slides = pptx_alloc(d, (nslides ? nslides : 1) * sizeof *d->slides);
	if (!d->slides) {
		rc = nomem(e);
		goto out;
	}
	for (i = 0; i < nslides; i++) {
		const struct opc_rel *rel =
		        opc_rel_by_id(&pres_rels, slide_rids[i]);
		struct opc_rels srels = {0};
		const struct opc_rel *lay, *notes;
		struct zip_entry *ent;
		struct pptx_slide *s = &d->slides[d->nslides];

		if (!rel || rel->external ||
		    !(ent = zipr_find(&z, rel->target)) || !ent->data) {
			rc = pptx_fail(e, PPTX_ERR_FORMAT,
			               "slide %zu (%s) is missing from the "
			               "package: the deck is damaged",
			               i + 1, slide_rids[i]);
			goto out;
		}
		rc = opc_rels_load(&z, rel->target, &srels, e);
		if (rc != PPTX_OK)
			goto out;
		lay = opc_rel_by_type(&srels, "slideLayout");
		rc = read_slide(d, s, ent,
		                lay ? layout_kind(&lc, &z, lay->target) : -1,
		                &z, &srels, e);
		notes = opc_rel_by_type(&srels, "notesSlide");
		if (rc == PPTX_OK && notes && !notes->external &&
		    (ent = zipr_find(&z, notes->target)) && ent->data)
			rc = read_notes(d, s, ent, e);
		opc_rels_free(&srels);
		if (rc != PPTX_OK)
			goto out;
		d->nslides++;
	}
	*out = d;
	d = NULL;
out:
	xr_free(&r);
	for (i = 0; i < nslides; i++)
		free(slide_rids[i]);
	free(slide_rids);
	for (i = 0; i < lc.n; i++)
		free(lc.name[i]);
	opc_rels_free(&root);
	opc_rels_free(&pres_rels);
	zipr_free(&z);
	pptx_deck_free(d);
	return rc;
}
