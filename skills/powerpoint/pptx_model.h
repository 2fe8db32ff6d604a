/*
 * pptx_model.h - the deck model shared by the writer, the reader and the
 * JSON mapping, plus the limits and the error type of the PPTX core.
 *
 * The core never talks to the skill host: output goes through a write
 * callback and input comes as a buffer, so every part of it can be tested
 * on its own.
 */
#ifndef PPTX_MODEL_H
#define PPTX_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "imgsize.h"

/* Limits on generated decks. */
#define PPTX_MAX_SLIDES            5000
#define PPTX_MAX_IMAGE_BYTES       ((size_t)20 * 1024 * 1024)
#define PPTX_MAX_TOTAL_IMAGE_BYTES ((size_t)200 * 1024 * 1024)
#define PPTX_MAX_TEXT_BYTES        ((size_t)64 * 1024)
#define PPTX_MAX_PARAS             500
#define PPTX_MAX_TABLE_COLS        30
#define PPTX_MAX_TABLE_ROWS        300
#define PPTX_MAX_LEVEL             4

/* Limits on decks being read: the compressed input, the entry count, one
 * part and all parts inflated, and the inflation ratio of a large part
 * (zip bombs reach 1000:1; real XML stays well under 100:1). */
#define PPTX_MAX_INPUT_BYTES      ((size_t)256 * 1024 * 1024)
#define PPTX_READ_MAX_ENTRIES     50000
#define PPTX_READ_MAX_PART_BYTES  ((size_t)64 * 1024 * 1024)
#define PPTX_READ_MAX_TOTAL_BYTES ((size_t)512 * 1024 * 1024)
#define PPTX_READ_MAX_RATIO       200
#define PPTX_READ_RATIO_FLOOR     ((size_t)1 * 1024 * 1024)

/* Slide sizes in EMU (914400 per inch). */
#define PPTX_EMU_16_9_CX  12192000u
#define PPTX_EMU_4_3_CX   9144000u
#define PPTX_EMU_SLIDE_CY 6858000u

typedef enum pptx_status {
	PPTX_OK = 0,
	PPTX_ERR_INPUT,  /* the caller's data is unusable: fix it */
	PPTX_ERR_LIMIT,  /* a size or count cap was hit */
	PPTX_ERR_FORMAT, /* a deck being read is not a usable PPTX */
	PPTX_ERR_NOMEM,
	PPTX_ERR_IO, /* the write callback failed */
	PPTX_ERR_INTERNAL
} pptx_status;

#define PPTX_ERR_MSG_MAX 512

struct pptx_err {
	pptx_status status;
	char msg[PPTX_ERR_MSG_MAX];
};

pptx_status pptx_fail(struct pptx_err *e, pptx_status st, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

enum pptx_layout {
	PPTX_LAYOUT_TITLE = 0,
	PPTX_LAYOUT_BULLETS,
	PPTX_LAYOUT_TWO_COLUMN,
	PPTX_LAYOUT_TABLE,
	PPTX_LAYOUT_IMAGE,
	PPTX_LAYOUT_SECTION,
	PPTX_LAYOUT_CHART,      /* title + native chart */
	PPTX_LAYOUT_TEXT_CHART, /* title, bullets left, chart right */
	PPTX_LAYOUT_QUOTE,      /* title: the quote; subtitle: attribution */
	PPTX_LAYOUT_BIG_NUMBER, /* title: the figure; subtitle: its caption */
	PPTX_LAYOUT_AGENDA,     /* title + numbered bullets */
	PPTX_LAYOUT_IMAGE_TEXT, /* title, picture left, bullets right */
	PPTX_LAYOUT_COMPARISON, /* title, two headed bullet lists */
	PPTX_LAYOUT_COUNT
};

const char *pptx_layout_name(enum pptx_layout l);
/* Returns the layout or -1 for an unknown name. */
int pptx_layout_parse(const char *name);

struct pptx_para {
	const char *text; /* UTF-8, NUL-terminated; may hold '\n' line breaks */
	int level;        /* 0..PPTX_MAX_LEVEL */
};

struct pptx_list {
	struct pptx_para *items;
	size_t n;
};

struct pptx_table {
	size_t ncols;
	size_t nrows;       /* including the header row */
	const char **cells; /* nrows * ncols, row-major; row 0 is the header */
	int split;          /* continue on more slides when it does not fit */
};

struct pptx_image {
	const unsigned char *data;
	size_t len;
	struct img_info info;
	const char *alt; /* may be NULL */
};

/* Native charts (pptx_chart.c). */
#define PPTX_MAX_CHART_SERIES 50
#define PPTX_MAX_CHART_POINTS 1000

enum pptx_chart_type {
	PPTX_CHART_BAR = 0, /* horizontal bars */
	PPTX_CHART_COLUMN,
	PPTX_CHART_LINE,
	PPTX_CHART_PIE,
	PPTX_CHART_DOUGHNUT,
	PPTX_CHART_AREA,
	PPTX_CHART_SCATTER,
	PPTX_CHART_TYPE_COUNT
};

enum pptx_legend {
	PPTX_LEGEND_BOTTOM = 0,
	PPTX_LEGEND_RIGHT,
	PPTX_LEGEND_TOP,
	PPTX_LEGEND_LEFT,
	PPTX_LEGEND_NONE
};

const char *pptx_chart_type_name(enum pptx_chart_type t);
/* Returns the type or -1 for an unknown name. */
int pptx_chart_type_parse(const char *name);

struct pptx_series {
	const char *name;
	double *values;   /* ncats entries */
	uint8_t *present; /* ncats flags: 0 where the value is a gap */
};

struct pptx_chart {
	enum pptx_chart_type type;
	const char *title;   /* NULL when absent */
	const char *x_title; /* NULL when absent */
	const char *y_title; /* NULL when absent */
	const char **cats;   /* ncats labels (scatter: x values as text) */
	double *cat_num;     /* scatter only: ncats x values */
	size_t ncats;
	struct pptx_series *series;
	size_t nseries;
	int data_labels;
	enum pptx_legend legend;
};

/* Check a chart's counts, texts and values (called by pptx_deck_check). */
pptx_status pptx_chart_check(const struct pptx_chart *c, size_t slide,
                             struct pptx_err *e);

struct pptx_slide {
	enum pptx_layout layout;
	const char *title;    /* NULL when absent */
	const char *subtitle; /* NULL when absent */
	const char *notes;    /* NULL when absent */
	/* add_slides/edit: the target deck's layout of this p:cSld name
	 * instead of the one picked by layout type (NULL: by type). */
	const char *layout_name;
	struct pptx_list bullets;
	struct pptx_list columns[2];
	int has_columns;
	const char *headings[2]; /* comparison: the columns' headings */
	struct pptx_table *tables;
	size_t ntables;
	struct pptx_image *images;
	size_t nimages;
	/* Charts: one from the tool's input; all of a slide's when read. */
	struct pptx_chart *chart; /* NULL when absent; else ncharts of them */
	size_t ncharts;
};

/* A theme: the 12 colours of a DrawingML colour scheme (RGB, in the
 * order dk1 lt1 dk2 lt2 accent1..6 hlink folHlink) and a font pair. */
#define PPTX_THEME_COLORS 12
struct pptx_theme {
	const char *name;
	uint32_t clr[PPTX_THEME_COLORS];
	const char *heading_font; /* the major (+mj-lt) Latin typeface */
	const char *body_font;    /* the minor (+mn-lt) Latin typeface */
};

/* The built-in themes (pptx_theme.c); the first is the default. */
extern const struct pptx_theme pptx_themes[];
extern const size_t pptx_theme_count;
/* The built-in theme called name, or NULL. */
const struct pptx_theme *pptx_theme_find(const char *name);

struct pptx_arena;

struct pptx_deck {
	const char *title;              /* may be NULL */
	const struct pptx_theme *theme; /* NULL: pptx_themes[0] */
	/* Slide furniture on every slide but title slides. */
	const char *footer; /* NULL: none */
	const char *date;   /* NULL: none; shown as given */
	int slide_numbers;
	uint32_t slide_cx;
	uint32_t slide_cy;
	struct pptx_slide *slides;
	size_t nslides;
	struct pptx_arena *arena; /* owns every pointer above */
};

/* A deck with an empty arena, 16:9, no slides. NULL on allocation failure. */
struct pptx_deck *pptx_deck_new(void);
void pptx_deck_free(struct pptx_deck *d);

/* Arena allocation: zeroed, freed with the deck. NULL on failure. */
void *pptx_alloc(struct pptx_deck *d, size_t size);
/* The same without zeroing, for a buffer about to be filled whole (an
 * image's bytes): zeroing megabytes first doubled the writes. */
void *pptx_alloc_uninit(struct pptx_deck *d, size_t size);
/* Make p the deck's: release(p) runs when the deck is freed. Returns 0, or
 * -1 when out of memory (p is then still the caller's). */
int pptx_adopt(struct pptx_deck *d, void *p, void (*release)(void *p));
char *pptx_strndup(struct pptx_deck *d, const char *s, size_t n);
/* Grow an arena array of *n elements of size sz to hold one more; the old
 * block stays in the arena. Returns the new array or NULL. */
void *pptx_grow(struct pptx_deck *d, void *arr, size_t *cap, size_t n,
                size_t sz);

/* Check a deck before writing: layouts have what they need, limits hold,
 * images are valid and match their declared type. */
pptx_status pptx_deck_check(const struct pptx_deck *d, struct pptx_err *e);

/* Output sink. Return 0 to go on, non-zero to abort the write (e.g. on
 * cancellation or an I/O error). */
typedef int (*pptx_write_fn)(void *ctx, const void *data, size_t len);

/* A deck (or any zip) written to memory: pass pptx_membuf_write as the
 * sink and a zeroed struct pptx_membuf as its ctx. It grows by doubling
 * from 1 MiB; p is the caller's to free. */
struct pptx_membuf {
	unsigned char *p;
	size_t len, cap;
};
int pptx_membuf_write(void *ctx, const void *data, size_t len);

/* Warnings for the caller (text that had to be shrunk beyond a readable
 * size, and the like). */
#define PPTX_MAX_WARNINGS 32
struct pptx_warnings {
	size_t n;
	size_t dropped;
	char msg[PPTX_MAX_WARNINGS][160];
};

void pptx_warn(struct pptx_warnings *w, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

#endif /* PPTX_MODEL_H */
