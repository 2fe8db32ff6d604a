/*
 * pptx_model.c - deck arena, errors and checks. See pptx_model.h.
 */
#include "pptx_model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arena blocks: small allocations share one; big ones (images) get their
 * own so a 20 MB picture does not waste a block's tail. */
#define ARENA_BLOCK 65536
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t used;
	size_t cap;
	unsigned char data[];
};

struct arena_adopted {
	struct arena_adopted *next;
	void *p;
	void (*release)(void *p);
};

struct pptx_arena {
	struct arena_block *head;
	struct arena_adopted *adopted;
};

pptx_status pptx_fail(struct pptx_err *e, pptx_status st, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return st;
	e->status = st;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return st;
}

void pptx_warn(struct pptx_warnings *w, const char *fmt, ...)
{
	va_list ap;

	if (!w)
		return;
	if (w->n >= PPTX_MAX_WARNINGS) {
		w->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(w->msg[w->n], sizeof w->msg[w->n], fmt, ap);
	va_end(ap);
	w->n++;
}

static const char *const layout_names[PPTX_LAYOUT_COUNT] = {
        "title",   "bullets",    "two_column", "table", "image",
        "section", "chart",      "text_chart", "quote", "big_number",
        "agenda",  "image_text", "comparison"};

const char *pptx_layout_name(enum pptx_layout l)
{
	return (unsigned)l < PPTX_LAYOUT_COUNT ? layout_names[l] : "?";
}

int pptx_layout_parse(const char *name)
{
	int i;

	for (i = 0; i < PPTX_LAYOUT_COUNT; i++)
		if (strcmp(name, layout_names[i]) == 0)
			return i;
	return -1;
}

struct pptx_deck *pptx_deck_new(void)
{
	struct pptx_deck *d = calloc(1, sizeof *d);

	if (!d)
		return NULL;
	d->arena = calloc(1, sizeof *d->arena);
	if (!d->arena) {
		free(d);
		return NULL;
	}
	d->slide_cx = PPTX_EMU_16_9_CX;
	d->slide_cy = PPTX_EMU_SLIDE_CY;
	return d;
}

void pptx_deck_free(struct pptx_deck *d)
{
	struct arena_block *b, *next;

	if (!d)
		return;
	if (d->arena) {
		struct arena_adopted *ad, *nad;

		for (b = d->arena->head; b; b = next) {
			next = b->next;
			free(b);
		}
		for (ad = d->arena->adopted; ad; ad = nad) {
			nad = ad->next;
			ad->release(ad->p);
			free(ad);
		}
		free(d->arena);
	}
	free(d);
}

static void *arena_get(struct pptx_deck *d, size_t size, int zero)
{
	struct pptx_arena *a = d->arena;
	struct arena_block *b = a->head;
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (size == 0)
		need = ARENA_ALIGN;
	if (need < size)
		return NULL;
	if (need > ARENA_BLOCK / 4) {
		/* Own block, linked behind the head so the head keeps
		 * serving small requests. */
		struct arena_block *big;

		if (need > SIZE_MAX - sizeof *big)
			return NULL;
		big = zero ? calloc(1, sizeof *big + need)
		           : malloc(sizeof *big + need);
		if (!big)
			return NULL;
		big->cap = big->used = need;
		if (b) {
			big->next = b->next;
			b->next = big;
		} else {
			a->head = big;
		}
		return big->data;
	}
	if (!b || b->cap - b->used < need) {
		b = malloc(sizeof *b + ARENA_BLOCK);
		if (!b)
			return NULL;
		b->cap = ARENA_BLOCK;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += need;
	if (zero)
		memset(p, 0, need);
	return p;
}

void *pptx_alloc(struct pptx_deck *d, size_t size)
{
	return arena_get(d, size, 1);
}

void *pptx_alloc_uninit(struct pptx_deck *d, size_t size)
{
	return arena_get(d, size, 0);
}

int pptx_adopt(struct pptx_deck *d, void *p, void (*release)(void *p))
{
	struct arena_adopted *ad = malloc(sizeof *ad);

	if (!ad)
		return -1;
	ad->p = p;
	ad->release = release;
	ad->next = d->arena->adopted;
	d->arena->adopted = ad;
	return 0;
}

char *pptx_strndup(struct pptx_deck *d, const char *s, size_t n)
{
	char *p = pptx_alloc(d, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *pptx_grow(struct pptx_deck *d, void *arr, size_t *cap, size_t n,
                size_t sz)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > SIZE_MAX / sz)
		return NULL;
	np = pptx_alloc(d, ncap * sz);
	if (!np)
		return NULL;
	if (n)
		memcpy(np, arr, n * sz);
	*cap = ncap;
	return np;
}

static pptx_status check_text(const char *s, size_t slide, const char *what,
                              struct pptx_err *e)
{
	if (s && strlen(s) > PPTX_MAX_TEXT_BYTES)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "slide %zu: the %s is longer than %zu bytes; "
		                 "shorten it or split it across slides",
		                 slide, what, PPTX_MAX_TEXT_BYTES);
	return PPTX_OK;
}

static pptx_status check_list(const struct pptx_list *l, size_t slide,
                              const char *what, struct pptx_err *e)
{
	size_t i;

	if (l->n > PPTX_MAX_PARAS)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "slide %zu has %zu %s, more than %d; split "
		                 "them across slides",
		                 slide, l->n, what, PPTX_MAX_PARAS);
	for (i = 0; i < l->n; i++) {
		if (l->items[i].level < 0 || l->items[i].level > PPTX_MAX_LEVEL)
			return pptx_fail(e, PPTX_ERR_INPUT,
			                 "slide %zu: %s %zu has level %d; "
			                 "levels go from 0 to %d",
			                 slide, what, i + 1, l->items[i].level,
			                 PPTX_MAX_LEVEL);
		if (check_text(l->items[i].text, slide, what, e) != PPTX_OK)
			return e->status;
	}
	return PPTX_OK;
}

pptx_status pptx_deck_check(const struct pptx_deck *d, struct pptx_err *e)
{
	size_t i, j, total_img = 0;

	if (d->nslides > PPTX_MAX_SLIDES)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "the deck has %zu slides, more than the limit "
		                 "of %d; split it into several decks",
		                 d->nslides, PPTX_MAX_SLIDES);
	if (d->slide_cx < 914400 || d->slide_cx > 51206400 ||
	    d->slide_cy < 914400 || d->slide_cy > 51206400)
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "the slide size %ux%u EMU is outside "
		                 "914400..51206400",
		                 d->slide_cx, d->slide_cy);
	if (check_text(d->title, 0, "deck title", e) != PPTX_OK)
		return e->status;
	for (i = 0; i < d->nslides; i++) {
		const struct pptx_slide *s = &d->slides[i];
		size_t n = i + 1;

		if ((unsigned)s->layout >= PPTX_LAYOUT_COUNT)
			return pptx_fail(e, PPTX_ERR_INPUT,
			                 "slide %zu has an unknown layout", n);
		if (check_text(s->title, n, "title", e) ||
		    check_text(s->subtitle, n, "subtitle", e) ||
		    check_text(s->notes, n, "notes", e) ||
		    check_list(&s->bullets, n, "bullets", e) ||
		    check_list(&s->columns[0], n, "left-column bullets", e) ||
		    check_list(&s->columns[1], n, "right-column bullets", e))
			return e->status;
		if (s->bullets.n && s->layout != PPTX_LAYOUT_BULLETS &&
		    s->layout != PPTX_LAYOUT_TEXT_CHART &&
		    s->layout != PPTX_LAYOUT_AGENDA &&
		    s->layout != PPTX_LAYOUT_IMAGE_TEXT)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: layout \"%s\" has no place "
			        "for \"bullets\"; use layout "
			        "\"bullets\", \"agenda\", \"image_text\" or "
			        "\"text_chart\", or drop them",
			        n, pptx_layout_name(s->layout));
		if (s->has_columns && s->layout != PPTX_LAYOUT_TWO_COLUMN &&
		    s->layout != PPTX_LAYOUT_COMPARISON)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: \"columns\" needs layout "
			        "\"two_column\" or \"comparison\", not "
			        "\"%s\"",
			        n, pptx_layout_name(s->layout));
		if ((s->headings[0] || s->headings[1]) &&
		    s->layout != PPTX_LAYOUT_COMPARISON)
			return pptx_fail(e, PPTX_ERR_INPUT,
			                 "slide %zu: \"headings\" needs layout "
			                 "\"comparison\", not \"%s\"",
			                 n, pptx_layout_name(s->layout));
		if (s->layout == PPTX_LAYOUT_COMPARISON && !s->has_columns)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu has layout \"comparison\" but no "
			        "\"columns\"; give it two bullet lists and "
			        "\"headings\": [left, right]",
			        n);
		if (check_text(s->headings[0], n, "left heading", e) ||
		    check_text(s->headings[1], n, "right heading", e))
			return e->status;
		if (s->ntables && s->layout != PPTX_LAYOUT_TABLE)
			return pptx_fail(e, PPTX_ERR_INPUT,
			                 "slide %zu: \"table\" needs layout "
			                 "\"table\", not \"%s\"",
			                 n, pptx_layout_name(s->layout));
		if (s->nimages && s->layout != PPTX_LAYOUT_IMAGE &&
		    s->layout != PPTX_LAYOUT_IMAGE_TEXT)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: \"image\" needs layout "
			        "\"image\" or \"image_text\", not \"%s\"",
			        n, pptx_layout_name(s->layout));
		if (s->subtitle && s->layout != PPTX_LAYOUT_TITLE &&
		    s->layout != PPTX_LAYOUT_SECTION &&
		    s->layout != PPTX_LAYOUT_QUOTE &&
		    s->layout != PPTX_LAYOUT_BIG_NUMBER)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: only layouts \"title\", "
			        "\"section\", \"quote\" and \"big_number\" "
			        "have a subtitle; put the text in \"bullets\" "
			        "instead",
			        n);
		if (s->layout == PPTX_LAYOUT_TABLE && s->ntables != 1)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu has layout \"table\" but no "
			        "\"table\" object; give it "
			        "{\"columns\": [...], \"rows\": [[...]]}",
			        n);
		if ((s->layout == PPTX_LAYOUT_IMAGE ||
		     s->layout == PPTX_LAYOUT_IMAGE_TEXT) &&
		    s->nimages != 1)
			return pptx_fail(e, PPTX_ERR_INPUT,
			                 "slide %zu has layout \"%s\" but no "
			                 "\"image\" object; give it {\"data\": "
			                 "base64, \"mime\": \"image/png\"}",
			                 n, pptx_layout_name(s->layout));
		if (s->chart && s->layout != PPTX_LAYOUT_CHART &&
		    s->layout != PPTX_LAYOUT_TEXT_CHART)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: \"chart\" needs layout "
			        "\"chart\" or \"text_chart\", not \"%s\"",
			        n, pptx_layout_name(s->layout));
		if ((s->layout == PPTX_LAYOUT_CHART ||
		     s->layout == PPTX_LAYOUT_TEXT_CHART) &&
		    !s->chart)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu has layout \"%s\" but no \"chart\" "
			        "object; give it {\"type\": \"column\", "
			        "\"categories\": [...], \"series\": "
			        "[{\"name\", \"values\"}]}",
			        n, pptx_layout_name(s->layout));
		if (s->chart && pptx_chart_check(s->chart, n, e) != PPTX_OK)
			return e->status;
		if (s->layout == PPTX_LAYOUT_TWO_COLUMN && !s->has_columns)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu has layout \"two_column\" but "
			        "no \"columns\"; give it two bullet "
			        "lists: [[...], [...]]",
			        n);
		for (j = 0; j < s->ntables; j++) {
			const struct pptx_table *t = &s->tables[j];
			size_t c;

			if (t->ncols == 0 || t->ncols > PPTX_MAX_TABLE_COLS)
				return pptx_fail(
				        e, PPTX_ERR_LIMIT,
				        "slide %zu: a table needs 1 to %d "
				        "columns, not %zu",
				        n, PPTX_MAX_TABLE_COLS, t->ncols);
			if (t->nrows > PPTX_MAX_TABLE_ROWS + 1)
				return pptx_fail(e, PPTX_ERR_LIMIT,
				                 "slide %zu: the table has %zu "
				                 "rows, more than %d; split it "
				                 "across slides",
				                 n, t->nrows - 1,
				                 PPTX_MAX_TABLE_ROWS);
			for (c = 0; c < t->ncols * t->nrows; c++)
				if (check_text(t->cells[c], n, "table cell", e))
					return e->status;
		}
		for (j = 0; j < s->nimages; j++) {
			const struct pptx_image *im = &s->images[j];
			struct img_info info;
			char why[160];

			if (im->len > PPTX_MAX_IMAGE_BYTES)
				return pptx_fail(
				        e, PPTX_ERR_LIMIT,
				        "slide %zu: the image is %zu "
				        "bytes, over the limit of %zu MiB; "
				        "resize or recompress it",
				        n, im->len, PPTX_MAX_IMAGE_BYTES >> 20);
			if (img_probe(im->data, im->len, &info, why,
			              sizeof why) != 0)
				return pptx_fail(
				        e, PPTX_ERR_INPUT,
				        "slide %zu: unusable image: %s", n,
				        why);
			if (info.type != im->info.type ||
			    info.width != im->info.width ||
			    info.height != im->info.height)
				return pptx_fail(
				        e, PPTX_ERR_INPUT,
				        "slide %zu: the image is a %s but "
				        "was declared as %s; set \"mime\" "
				        "to \"%s\"",
				        n, img_mime(info.type),
				        img_mime(im->info.type),
				        img_mime(info.type));
			total_img += im->len;
			if (check_text(im->alt, n, "image alt text", e))
				return e->status;
		}
		if (total_img > PPTX_MAX_TOTAL_IMAGE_BYTES)
			return pptx_fail(
			        e, PPTX_ERR_LIMIT,
			        "the images add up to more than %zu MiB; "
			        "use fewer or smaller images",
			        PPTX_MAX_TOTAL_IMAGE_BYTES >> 20);
	}
	return PPTX_OK;
}

int pptx_membuf_write(void *ctx, const void *data, size_t len)
{
	struct pptx_membuf *m = ctx;

	if (m->cap - m->len < len) {
		size_t nc = m->cap ? m->cap : (size_t)1 << 20;
		unsigned char *np;

		while (nc - m->len < len)
			nc *= 2;
		if (!(np = realloc(m->p, nc)))
			return -1;
		m->p = np;
		m->cap = nc;
	}
	memcpy(m->p + m->len, data, len);
	m->len += len;
	return 0;
}
