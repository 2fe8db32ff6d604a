/*
 * pptx_write.h - generating decks: a new deck from a model, or slides
 * appended to an existing deck.
 */
#ifndef PPTX_WRITE_H
#define PPTX_WRITE_H

#include "pptx_model.h"
#include "pptx_text.h"
#include "xmlw.h"
#include "zipio.h"

/* Write d as a .pptx through fn. d is checked first (pptx_deck_check), so
 * a bad deck fails before a byte is written. w (optional) collects
 * warnings. */
pptx_status pptx_write(const struct pptx_deck *d, pptx_write_fn fn, void *ctx,
                       struct pptx_warnings *w, struct pptx_err *e);

/* Write a copy of the deck zip[0..len) with the slides of add appended
 * (add's title and slide size are ignored: the deck keeps its own). Every
 * existing part is copied unchanged except [Content_Types].xml,
 * presentation.xml and its rels, which gain the new entries. *total gets
 * the new slide count. */
pptx_status pptx_append(const unsigned char *zip, size_t len,
                        const struct pptx_deck *add, pptx_write_fn fn,
                        void *ctx, struct pptx_warnings *w, size_t *total,
                        struct pptx_err *e);

/*
 * Internals shared by pptx_write.c and pptx_append.c, exposed for tests.
 */

/* Split width emu among t's columns in proportion to their text, each at
 * least a fair minimum; the widths add up to width exactly. */
void pptx_table_widths(const struct pptx_table *t, uint64_t width,
                       uint64_t *out);

/* How many data rows of t, from row first (>= 1; row 0 is the header,
 * which repeats), fit an area of area_w x area_h EMU at a readable size:
 * at least 1, so splitting always makes progress. 0 for a bad first. */
size_t pptx_table_rows_fit(const struct pptx_table *t, size_t first,
                           uint64_t area_w, uint64_t area_h);

/* The table area of a slide of cx x cy EMU (the body placeholder's). */
void pptx_table_area(uint32_t cx, uint32_t cy, uint64_t *w, uint64_t *h);

/* Text fitting: the normAutofit fontScale and lnSpcReduction (1/1000 %)
 * that make paras fit a box, estimated from character widths. fits is 0
 * when even the smallest scale overflows. */
struct pptx_fit {
	unsigned font_scale;
	unsigned ln_reduction;
	int fits;
};

struct pptx_fit pptx_fit_text(const struct pptx_para *paras, size_t n,
                              const unsigned *level_sz, int bulleted,
                              uint64_t box_cx, uint64_t box_cy);

struct pptx_gen {
	uint32_t cx, cy;                              /* slide size */
	const char *layout_target[PPTX_LAYOUT_COUNT]; /* from ppt/slides/ */
	const char *notes_master_target; /* from ppt/notesSlides/ */
	/* A slide's layout_name to a layout target (NULL: not found);
	 * NULL when the deck has no named layouts to offer. */
	const char *(*layout_by_name)(void *ctx, const char *name);
	void *layout_ctx;
	const char *slide_dir; /* "ppt/slides/" */
	const char *notes_dir; /* "ppt/notesSlides/" */
	const char *media_dir; /* "ppt/media/" */
	struct zipw *zw;
	struct xbuf part;
	struct xbuf rels;
	struct pptx_warnings *warn;
	unsigned media_next; /* next free media number */
	unsigned chart_next; /* next free chart (and workbook) number */
	int used_png, used_jpeg;
	struct pptx_links links; /* the slide being written's hyperlinks */
	/* The next text shape's list style and vertical centring (layouts
	 * that restyle a placeholder); put_text_shape consumes them. */
	const char *next_lst;
	int next_ctr;
	/* Slide furniture, from the deck (NULL/0: none). */
	const char *footer;
	const char *date;
	int slide_numbers;
};

/* Write slide s as slide number slide_no (its file name and, in warnings,
 * position shown to the user as shown_no), with its notes and media. */
pptx_status pptx_gen_slide(struct pptx_gen *g, const struct pptx_slide *s,
                           unsigned slide_no, unsigned notes_no,
                           size_t shown_no, struct pptx_err *e);

#endif /* PPTX_WRITE_H */
