/*
 * pptx_write.c - deck generation. See pptx_write.h.
 *
 * Only slides, notes slides, relationships, content types, presentation.xml
 * and core.xml are generated; everything else is the embedded skeleton.
 * Elements are written in the order pml.xsd gives, and every string goes
 * through xb_esc_*.
 */
#include "pptx_write.h"

#include <stdio.h>
#include <string.h>

#include "pptx_chart.h"
#include "pptx_skeleton.h"
#include "pptx_theme.h"

#define XML_DECL                                                               \
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_DECLS                                                               \
	" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\""   \
	" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"    \
	"relationships\""                                                      \
	" xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/"    \
	"main\""
#define RELS_OPEN                                                              \
	XML_DECL "<Relationships xmlns=\"http://schemas.openxmlformats.org/"   \
	         "package/2006/relationships\">"
#define RT                                                                     \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
#define GROUP_PR                                                               \
	"<p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/>"   \
	"</p:nvGrpSpPr><p:grpSpPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext "     \
	"cx=\"0\" cy=\"0\"/><a:chOff x=\"0\" y=\"0\"/><a:chExt cx=\"0\" "      \
	"cy=\"0\"/></a:xfrm></p:grpSpPr>"

/* The reference slide the skeleton's geometry is drawn on (16:9); other
 * sizes scale from it. */
#define REF_CX     12192000u
#define REF_CY     6858000u
#define EMU_PER_PT 12700u
#define EMU_PER_PX 9525u /* at 96 dpi */
/* Text box insets: the DrawingML defaults. */
#define INSET_LR ((uint64_t)91440)
#define INSET_TB ((uint64_t)45720)
/* Body paragraphs: 90% line spacing and 10 pt before, from the master. */
#define LINE_SPACING_PCT 90
#define SPACE_BEFORE_PT  10
/* Line height as a multiple of the font size, for Calibri-like fonts. */
#define LINE_HEIGHT_PCT 120
/* Smallest table font, in 1/100 pt: below it a table is unreadable. */
#define TABLE_MIN_SZ 800
/* Text shrunk below this (1/100 pt) gets a warning. */
#define READABLE_SZ 1200
/* The size a split table's rows are measured at: readable on a screen. */
#define TABLE_SPLIT_SZ 1400
/* The Medium Style 2 - Accent 1 table style that PowerPoint ships. */
#define TABLE_STYLE_ID "{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"
/* Master ids start here; slide ids at 256 (pml.xsd ranges). */
#define MASTER_ID_BASE 2147483648u
#define SLIDE_ID_BASE  256u
#define SKEL_LAYOUTS   5

struct box {
	uint64_t x, y, cx, cy;
};

/* Font sizes (1/100 pt) per level, as the skeleton's master sets them. */
static const unsigned body_sz[PPTX_MAX_LEVEL + 1] = {2800, 2400, 2000, 1800,
                                                     1800};
static const unsigned title_sz[1] = {4400};
static const unsigned big_title_sz[1] = {6000};
static const unsigned subtitle_sz[1] = {2400};
static const unsigned quote_sz[1] = {3600};
static const unsigned big_number_sz[1] = {11500};
static const unsigned heading_sz[1] = {2400};

/* Geometry on the reference slide (from the skeleton layouts). */
static const struct box ref_title = {838200, 365125, 10515600, 1325563};
static const struct box ref_body = {838200, 1825625, 10515600, 4351338};
static const struct box ref_ctr_title = {1524000, 1122363, 9144000, 2387600};
static const struct box ref_subtitle = {1524000, 3602038, 9144000, 1655762};
static const struct box ref_sec_title = {831850, 1709738, 10515600, 2852737};
static const struct box ref_sec_body = {831850, 4589463, 10515600, 1500187};
static const struct box ref_left = {838200, 1825625, 5181600, 4351338};
static const struct box ref_right = {6172200, 1825625, 5181600, 4351338};
static const struct box ref_quote = {1524000, 1371600, 9144000, 2971800};
static const struct box ref_attribution = {1524000, 4435475, 9144000, 914400};
static const struct box ref_big_number = {838200, 1371600, 10515600, 2743200};
static const struct box ref_caption = {838200, 4191000, 10515600, 1143000};
static const struct box ref_cmp_head[2] = {{839788, 1681163, 5157787, 823912},
                                           {6172200, 1681163, 5183188, 823912}};
static const struct box ref_cmp_list[2] = {
        {839788, 2505075, 5157787, 3684588},
        {6172200, 2505075, 5183188, 3684588}};

/* List styles of the layouts that restyle a placeholder. */
#define LST_QUOTE                                                              \
	"<a:lstStyle><a:lvl1pPr algn=\"ctr\"><a:defRPr sz=\"3600\" "           \
	"i=\"1\"/></a:lvl1pPr></a:lstStyle>"
#define LST_ATTRIBUTION                                                        \
	"<a:lstStyle><a:lvl1pPr marL=\"0\" indent=\"0\" "                      \
	"algn=\"r\"><a:buNone/>"                                               \
	"<a:defRPr sz=\"2000\"><a:solidFill><a:schemeClr val=\"accent1\"/>"    \
	"</a:solidFill></a:defRPr></a:lvl1pPr></a:lstStyle>"
#define LST_BIG_NUMBER                                                         \
	"<a:lstStyle><a:lvl1pPr algn=\"ctr\"><a:defRPr sz=\"11500\" b=\"1\">"  \
	"<a:solidFill><a:schemeClr val=\"accent1\"/></a:solidFill>"            \
	"</a:defRPr></a:lvl1pPr></a:lstStyle>"
#define LST_CAPTION                                                            \
	"<a:lstStyle><a:lvl1pPr marL=\"0\" indent=\"0\" algn=\"ctr\">"         \
	"<a:buNone/><a:defRPr sz=\"2400\"/></a:lvl1pPr></a:lstStyle>"
#define LST_AGENDA                                                             \
	"<a:lstStyle><a:lvl1pPr marL=\"514350\" indent=\"-514350\"><a:buFont " \
	"typeface=\"+mj-lt\"/><a:buAutoNum type=\"arabicPeriod\"/>"            \
	"</a:lvl1pPr></a:lstStyle>"
#define LST_HEADING                                                            \
	"<a:lstStyle><a:lvl1pPr marL=\"0\" indent=\"0\"><a:buNone/><a:defRPr " \
	"sz=\"2400\" b=\"1\"><a:solidFill><a:schemeClr val=\"accent1\"/>"      \
	"</a:solidFill></a:defRPr></a:lvl1pPr></a:lstStyle>"

void pptx_table_area(uint32_t cx, uint32_t cy, uint64_t *w, uint64_t *h)
{
	*w = ref_body.cx * cx / REF_CX;
	*h = ref_body.cy * cy / REF_CY;
}

static struct box scale_box(const struct pptx_gen *g, struct box b)
{
	struct box o;

	o.x = b.x * g->cx / REF_CX;
	o.cx = b.cx * g->cx / REF_CX;
	o.y = b.y * g->cy / REF_CY;
	o.cy = b.cy * g->cy / REF_CY;
	return o;
}

/*
 * Text measurement. PowerPoint only refits autofit text when it is edited,
 * so the fontScale written here is what a reader sees first: estimate it.
 */

static int is_wide(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) ||
	       (cp >= 0x2E80 && cp <= 0xA4CF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) ||
	       (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) ||
	       (cp >= 0x1F300 && cp <= 0x1FAFF) || cp >= 0x20000;
}

static int is_rtl(uint32_t cp)
{
	return (cp >= 0x0590 && cp <= 0x08FF) ||
	       (cp >= 0xFB1D && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF);
}

/* Width of one code point in 1/100 em. */
static unsigned char_width(uint32_t cp)
{
	if (cp == ' ')
		return 25;
	if (cp < 0x80) {
		if (strchr("iljtfrI.,;:!'|()[]", (int)cp))
			return 30;
		if (strchr("mwMW@", (int)cp))
			return 85;
		if (cp >= 'A' && cp <= 'Z')
			return 62;
		return 50;
	}
	return is_wide(cp) ? 100 : 55;
}

/* Widths (1/100 em) of the longest line of s and of all of s, and whether
 * it holds right-to-left script. */
struct measure {
	uint64_t total;
	uint64_t longest;
	int rtl;
};

static struct measure measure(const char *s)
{
	struct measure m = {0, 0, 0};
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0, i = 0;
	uint64_t line = 0;

	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);

		if (!k) {
			i++;
			continue;
		}
		i += k;
		if (cp == '\n') {
			if (line > m.longest)
				m.longest = line;
			line = 0;
			continue;
		}
		if (is_rtl(cp))
			m.rtl = 1;
		line += char_width(cp);
		m.total += char_width(cp);
	}
	if (line > m.longest)
		m.longest = line;
	return m;
}

/* Lines a paragraph takes in a column avail EMU wide at sz (1/100 pt). */
static uint64_t para_lines(const char *s, unsigned sz, uint64_t avail)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0, i = 0;
	uint64_t lines = 0, line = 0;

	if (avail < EMU_PER_PT)
		avail = EMU_PER_PT;
	/* Each forced line wraps on its own; the 10% slack stands in for
	 * word wrap breaking before the edge. */
	for (;;) {
		uint32_t cp = '\n';
		size_t k = i < n ? utf8_decode(p + i, n - i, &cp) : 1;

		if (!k) {
			i++;
			continue;
		}
		i += k;
		if (cp == '\n') {
			/* width EMU = line/100 em * sz/100 pt * 12700 */
			uint64_t w = line * sz * EMU_PER_PT / 10000 * 11 / 10;

			lines += w == 0 ? 1 : (w + avail - 1) / avail;
			line = 0;
			if (i > n)
				break;
			continue;
		}
		line += char_width(cp);
	}
	return lines;
}

static const unsigned fit_scales[][2] = {
        {100000, 0},    {92500, 10000}, {85000, 20000}, {77500, 20000},
        {70000, 20000}, {62500, 20000}, {55000, 20000}, {47500, 20000},
        {40000, 20000}, {32500, 20000}, {25000, 20000}};

struct pptx_fit pptx_fit_text(const struct pptx_para *paras, size_t n,
                              const unsigned *level_sz, int bulleted,
                              uint64_t box_cx, uint64_t box_cy)
{
	struct pptx_fit f = {100000, 0, 0};
	uint64_t avail_h = box_cy > 2 * INSET_TB ? box_cy - 2 * INSET_TB : 0;
	size_t k, i;

	for (k = 0; k < sizeof fit_scales / sizeof fit_scales[0]; k++) {
		uint64_t h = 0;
		unsigned scale = fit_scales[k][0], red = fit_scales[k][1];

		for (i = 0; i < n; i++) {
			int lvl = bulleted ? paras[i].level : 0;
			unsigned sz = (unsigned)((uint64_t)level_sz[lvl] *
			                         scale / 100000);
			uint64_t marl =
			        bulleted ? 228600u + 457200u * (unsigned)lvl
			                 : 0;
			uint64_t avail = box_cx > 2 * INSET_LR + marl
			                         ? box_cx - 2 * INSET_LR - marl
			                         : EMU_PER_PT;
			uint64_t lh = (uint64_t)sz * EMU_PER_PT / 100 *
			              LINE_HEIGHT_PCT / 100 * LINE_SPACING_PCT /
			              100 * (100000 - red) / 100000;

			h += para_lines(paras[i].text, sz, avail) * lh;
			if (bulleted)
				h += (uint64_t)SPACE_BEFORE_PT * EMU_PER_PT *
				     scale / 100000;
		}
		f.font_scale = scale;
		f.ln_reduction = red;
		if (h <= avail_h) {
			f.fits = 1;
			return f;
		}
	}
	return f;
}

/* Width (1/100 em) of the longest word of s: a column narrower than
 * this breaks a word in the middle. */
static uint64_t longest_word(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0, i = 0;
	uint64_t w = 0, best = 0;

	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);

		if (!k) {
			i++;
			continue;
		}
		i += k;
		/* CJK breaks between any two characters. */
		if (cp == ' ' || cp == '\n' || cp == '\t' || is_wide(cp)) {
			if (is_wide(cp) && char_width(cp) > best)
				best = char_width(cp);
			w = 0;
			continue;
		}
		w += char_width(cp);
		if (w > best)
			best = w;
	}
	return best;
}

/* 1/100 em at sz (1/100 pt) to EMU, with the 10% slack para_lines uses. */
static uint64_t em_to_emu(uint64_t w, unsigned sz)
{
	return w * sz * EMU_PER_PT / 10000 * 11 / 10;
}

/* Column widths for font size sz: every column first gets room for its
 * longest word (plus insets), then the rest is shared in proportion to
 * each column's longest line.
 * Returns 1 when every longest word fits, 0 when the table is too narrow
 * for sz (a smaller size may do). */
static int table_widths_at(const struct pptx_table *t, uint64_t width,
                           unsigned sz, uint64_t *out)
{
	/* Line weights in 1/100 em, clamped so a paragraph column does not
	 * starve the others. */
	const uint64_t min_w = 300, max_w = 4000;
	uint64_t word[PPTX_MAX_TABLE_COLS], extra[PPTX_MAX_TABLE_COLS];
	uint64_t need = 0, extra_sum = 0, used = 0, left;
	size_t c, r;
	int fits = 1;

	if (t->ncols == 0 || t->ncols > PPTX_MAX_TABLE_COLS)
		return 0;
	for (c = 0; c < t->ncols; c++) {
		uint64_t line = min_w, wd = 0;

		for (r = 0; r < t->nrows; r++) {
			const char *cell = t->cells[r * t->ncols + c];
			struct measure m = measure(cell);
			uint64_t lw = longest_word(cell);

			if (m.longest > line)
				line = m.longest;
			if (lw > wd)
				wd = lw;
		}
		if (line > max_w)
			line = max_w;
		/* Words get extra slack: a renderer without the theme font
		 * substitutes a wider one (LibreOffice: DejaVu for Calibri). */
		word[c] = em_to_emu(wd, sz) * 5 / 4 + 2 * INSET_LR;
		extra[c] = em_to_emu(line, sz) + 2 * INSET_LR;
		need += word[c];
		extra_sum += extra[c];
	}
	if (need > width) {
		/* Too narrow: share by word width; some words will break. */
		fits = 0;
		for (c = 0; c < t->ncols; c++)
			extra[c] = word[c], word[c] = 0;
		extra_sum = need;
		need = 0;
	}
	left = width - need;
	for (c = 0; c + 1 < t->ncols; c++) {
		out[c] = word[c] + (extra_sum ? left * extra[c] / extra_sum
		                              : left / t->ncols);
		used += out[c];
	}
	out[t->ncols - 1] = width - used;
	return fits;
}

void pptx_table_widths(const struct pptx_table *t, uint64_t width,
                       uint64_t *out)
{
	(void)table_widths_at(t, width, 1800, out);
}

/*
 * XML emission.
 */

static void put_attr_u(struct xbuf *b, const char *name, uint64_t v)
{
	xb_putc(b, ' ');
	xb_puts(b, name);
	xb_puts(b, "=\"");
	xb_putu(b, v);
	xb_putc(b, '"');
}

static void put_xfrm(struct xbuf *b, const char *tag, struct box bx)
{
	xb_puts(b, "<");
	xb_puts(b, tag);
	xb_puts(b, "><a:off");
	put_attr_u(b, "x", bx.x);
	put_attr_u(b, "y", bx.y);
	xb_puts(b, "/><a:ext");
	put_attr_u(b, "cx", bx.cx);
	put_attr_u(b, "cy", bx.cy);
	xb_puts(b, "/></");
	xb_puts(b, tag);
	xb_puts(b, ">");
}

/* Runs of one paragraph: '\n' in the text becomes <a:br/>; each line's
 * Markdown subset becomes run properties and hyperlinks (pptx_text.h). */
static void put_runs(struct xbuf *b, const char *text, unsigned sz,
                     struct pptx_links *links)
{
	const char *p = text ? text : "";

	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		pptx_put_rich(b, p, n, sz, links);
		if (!nl)
			break;
		xb_puts(b, "<a:br><a:rPr lang=\"en-US\"");
		if (sz)
			put_attr_u(b, "sz", sz);
		xb_puts(b, " dirty=\"0\"/></a:br>");
		p = nl + 1;
	}
}

/* A paragraph is right-to-left only when its first strong character is
 * (Unicode's rule P2): one Arabic word in an English title leaves it
 * left-to-right, and the renderer's bidi algorithm orders that word. */
static void put_para_ex(struct xbuf *b, const char *text, int level,
                        unsigned sz, const char *algn, struct pptx_links *links)
{
	int rtl = pptx_first_strong_rtl(text);

	xb_puts(b, "<a:p>");
	if (level > 0 || rtl || algn) {
		xb_puts(b, "<a:pPr");
		if (level > 0)
			put_attr_u(b, "lvl", (unsigned)level);
		if (algn || rtl) {
			xb_puts(b, " algn=\"");
			xb_puts(b, algn ? algn : "r");
			xb_putc(b, '"');
		}
		if (rtl)
			xb_puts(b, " rtl=\"1\"");
		xb_puts(b, "/>");
	}
	put_runs(b, text, sz, links);
	xb_puts(b, "<a:endParaRPr lang=\"en-US\"");
	if (sz)
		put_attr_u(b, "sz", sz);
	xb_puts(b, " dirty=\"0\"/></a:p>");
}

static void put_para(struct xbuf *b, const char *text, int level, unsigned sz,
                     struct pptx_links *links)
{
	put_para_ex(b, text, level, sz, NULL, links);
}

static void put_body_pr(struct xbuf *b, struct pptx_fit f, const char *lst,
                        int ctr)
{
	xb_puts(b, ctr ? "<a:bodyPr anchor=\"ctr\"><a:normAutofit"
	               : "<a:bodyPr><a:normAutofit");
	if (f.font_scale < 100000)
		put_attr_u(b, "fontScale", f.font_scale);
	if (f.ln_reduction)
		put_attr_u(b, "lnSpcReduction", f.ln_reduction);
	xb_puts(b, "/></a:bodyPr>");
	xb_puts(b, lst ? lst : "<a:lstStyle/>");
}

/* A placeholder text shape holding paras. */
static void put_text_shape(struct pptx_gen *g, unsigned id, const char *name,
                           const char *ph, struct box bx,
                           const struct pptx_para *paras, size_t n,
                           const unsigned *level_sz, int bulleted,
                           size_t shown_no, const char *what)
{
	struct xbuf *b = &g->part;
	struct pptx_fit f =
	        pptx_fit_text(paras, n, level_sz, bulleted, bx.cx, bx.cy);
	size_t i;

	if (!f.fits) {
		pptx_warn(g->warn,
		          "slide %zu: the %s does not fit even at 25%% size; "
		          "split it across slides",
		          shown_no, what);
	} else if (f.font_scale < 100000) {
		/* Shrunk to fit: say so when the smallest text ends up below
		 * what a room can read. */
		unsigned small = 0;

		for (i = 0; i < n; i++) {
			unsigned sz = level_sz[bulleted ? paras[i].level : 0];

			if (!small || sz < small)
				small = sz;
		}
		small = (unsigned)((uint64_t)small * f.font_scale / 100000);
		if (small < READABLE_SZ)
			pptx_warn(g->warn,
			          "slide %zu: the %s is shrunk to %u.%u pt to "
			          "fit, below %u pt; split it across slides or "
			          "shorten it",
			          shown_no, what, small / 100, small % 100 / 10,
			          READABLE_SZ / 100);
	}
	xb_puts(b, "<p:sp><p:nvSpPr><p:cNvPr");
	put_attr_u(b, "id", id);
	xb_puts(b, " name=\"");
	xb_puts(b, name);
	xb_puts(b, "\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr>"
	           "<p:nvPr><p:ph ");
	xb_puts(b, ph);
	xb_puts(b, "/></p:nvPr></p:nvSpPr><p:spPr>");
	put_xfrm(b, "a:xfrm", bx);
	xb_puts(b, "</p:spPr><p:txBody>");
	put_body_pr(b, f, g->next_lst, g->next_ctr);
	g->next_lst = NULL;
	g->next_ctr = 0;
	if (n == 0)
		xb_puts(b, "<a:p><a:endParaRPr lang=\"en-US\" dirty=\"0\"/>"
		           "</a:p>");
	for (i = 0; i < n; i++)
		put_para(b, paras[i].text, bulleted ? paras[i].level : 0, 0,
		         &g->links);
	xb_puts(b, "</p:txBody></p:sp>");
}

static void put_single(struct pptx_gen *g, unsigned id, const char *name,
                       const char *ph, struct box bx, const char *text,
                       const unsigned *sz, size_t shown_no, const char *what)
{
	struct pptx_para p = {text ? text : "", 0};

	put_text_shape(g, id, name, ph, bx, &p, 1, sz, 0, shown_no, what);
}

/* Row heights of t at sz in columns colw; returns their sum. */
static uint64_t table_rows(const struct pptx_table *t, const uint64_t *colw,
                           unsigned sz, uint64_t *row_h)
{
	uint64_t total = 0;
	size_t r, c;

	for (r = 0; r < t->nrows; r++) {
		uint64_t lines = 1;

		for (c = 0; c < t->ncols; c++) {
			uint64_t avail = colw[c] > 2 * INSET_LR
			                         ? colw[c] - 2 * INSET_LR
			                         : EMU_PER_PT;
			uint64_t l = para_lines(t->cells[r * t->ncols + c], sz,
			                        avail);

			if (l > lines)
				lines = l;
		}
		row_h[r] =
		        lines * sz * EMU_PER_PT / 100 * LINE_HEIGHT_PCT / 100 +
		        2 * INSET_TB;
		total += row_h[r];
	}
	return total;
}

/* Pick the largest font that keeps the table inside its area without
 * breaking a word, with the column widths and row heights that go with
 * it. Returns the size; *fits is 0 when even the smallest overflows. */
static unsigned table_layout(const struct pptx_table *t, uint64_t area_w,
                             uint64_t area_h, uint64_t *colw, uint64_t *row_h,
                             int *fits)
{
	static const unsigned sizes[] = {1800, 1600, 1400,        1200,
	                                 1000, 900,  TABLE_MIN_SZ};
	size_t k;

	for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		int words = table_widths_at(t, area_w, sizes[k], colw);

		if (words && table_rows(t, colw, sizes[k], row_h) <= area_h) {
			*fits = 1;
			return sizes[k];
		}
	}
	/* Nothing fits whole: the smallest size, words kept whole if the
	 * widths allow. */
	(void)table_widths_at(t, area_w, TABLE_MIN_SZ, colw);
	*fits = table_rows(t, colw, TABLE_MIN_SZ, row_h) <= area_h;
	return TABLE_MIN_SZ;
}

size_t pptx_table_rows_fit(const struct pptx_table *t, size_t first,
                           uint64_t area_w, uint64_t area_h)
{
	uint64_t colw[PPTX_MAX_TABLE_COLS];
	/* table_rows sets the first t->nrows heights, all this reads (the
	 * checks below make that at least 2); zeroed so that no path, even
	 * one the analyzer imagines after re-reading t, reads one unset. */
	uint64_t row_h[PPTX_MAX_TABLE_ROWS + 1] = {0};
	uint64_t total;
	size_t r, n = 0;

	/* colw holds PPTX_MAX_TABLE_COLS widths: table_widths_at fills
	 * none of them for a wider table (the JSON reader refuses one). */
	if (t->ncols > PPTX_MAX_TABLE_COLS ||
	    t->nrows > PPTX_MAX_TABLE_ROWS + 1 || first < 1 ||
	    first >= t->nrows)
		return 0;
	(void)table_widths_at(t, area_w, TABLE_SPLIT_SZ, colw);
	(void)table_rows(t, colw, TABLE_SPLIT_SZ, row_h);
	total = row_h[0]; /* the header repeats on every slide */
	for (r = first; r < t->nrows; r++) {
		if (total + row_h[r] > area_h)
			break;
		total += row_h[r];
		n++;
	}
	return n ? n : 1; /* a row taller than a slide still goes alone */
}

/* A figure: optional sign or currency, digits with , . ' or space as
 * separators, an optional % or unit-free suffix. "6.0", "-1,234.5",
 * "$12", "45%" are; "Q3", "2x", "" are not. */
static int looks_numeric(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int digits = 0;

	if (*p == '+' || *p == '-' || *p == '$')
		p++;
	if (!strncmp((const char *)p, "\xe2\x82\xac", 3) ||
	    !strncmp((const char *)p, "\xc2\xa3", 2)) /* euro, pound */
		p += p[0] == 0xe2 ? 3 : 2;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!(*p == ',' || *p == '.' || *p == '\'' ||
		           (*p == ' ' && digits)))
			break;
	}
	if (*p == '%')
		p++;
	return digits && !*p;
}

static pptx_status put_table(struct pptx_gen *g, unsigned id,
                             const struct pptx_table *t, struct box area,
                             size_t shown_no, struct pptx_err *e)
{
	struct xbuf *b = &g->part;
	uint64_t colw[PPTX_MAX_TABLE_COLS];
	uint64_t row_h[PPTX_MAX_TABLE_ROWS + 1];
	uint64_t total = 0;
	unsigned sz;
	size_t r, c;
	int fits;
	struct box fr = area;

	if (t->ncols > PPTX_MAX_TABLE_COLS ||
	    t->nrows > PPTX_MAX_TABLE_ROWS + 1)
		return pptx_fail(e, PPTX_ERR_LIMIT, "slide %zu: table too big",
		                 shown_no);
	sz = table_layout(t, area.cx, area.cy, colw, row_h, &fits);
	for (r = 0; r < t->nrows; r++)
		total += row_h[r];
	if (!fits)
		pptx_warn(
		        g->warn,
		        "slide %zu: the table is taller than the slide even at "
		        "8 pt; give it \"split\": true to continue it on "
		        "more slides",
		        shown_no);
	fr.cy = total;
	xb_puts(b, "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr");
	put_attr_u(b, "id", id);
	xb_puts(b, " name=\"Table ");
	xb_putu(b, id - 1);
	xb_puts(b, "\"/><p:cNvGraphicFramePr><a:graphicFrameLocks "
	           "noGrp=\"1\"/></p:cNvGraphicFramePr><p:nvPr/>"
	           "</p:nvGraphicFramePr>");
	put_xfrm(b, "p:xfrm", fr);
	xb_puts(b,
	        "<a:graphic><a:graphicData uri=\"http://schemas."
	        "openxmlformats.org/drawingml/2006/table\"><a:tbl><a:tblPr "
	        "firstRow=\"1\" bandRow=\"1\"><a:tableStyleId>" TABLE_STYLE_ID
	        "</a:tableStyleId></a:tblPr><a:tblGrid>");
	for (c = 0; c < t->ncols; c++) {
		xb_puts(b, "<a:gridCol");
		put_attr_u(b, "w", colw[c]);
		xb_puts(b, "/>");
	}
	xb_puts(b, "</a:tblGrid>");
	for (r = 0; r < t->nrows; r++) {
		xb_puts(b, "<a:tr");
		put_attr_u(b, "h", row_h[r]);
		xb_puts(b, ">");
		for (c = 0; c < t->ncols; c++) {
			xb_puts(b, "<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>");
			const char *cell = t->cells[r * t->ncols + c];

			/* Figures line up on the right, as in a
			 * spreadsheet; the header row keeps the style's. */
			put_para_ex(b, cell, 0, sz,
			            r > 0 && looks_numeric(cell) ? "r" : NULL,
			            &g->links);
			xb_puts(b, "</a:txBody><a:tcPr/></a:tc>");
		}
		xb_puts(b, "</a:tr>");
	}
	xb_puts(b, "</a:tbl></a:graphicData></a:graphic></p:graphicFrame>");
	return PPTX_OK;
}

static void put_picture(struct pptx_gen *g, unsigned id, const char *rid,
                        const struct pptx_image *im, struct box area)
{
	struct xbuf *b = &g->part;
	uint64_t w = (uint64_t)im->info.width * EMU_PER_PX;
	uint64_t h = (uint64_t)im->info.height * EMU_PER_PX;
	struct box bx;

	/* Fit the picture to the content area, keeping its aspect ratio. */
	if (w * area.cy > h * area.cx) {
		bx.cx = area.cx;
		bx.cy = h * area.cx / w;
	} else {
		bx.cy = area.cy;
		bx.cx = w * area.cy / h;
	}
	if (bx.cx == 0)
		bx.cx = 1;
	if (bx.cy == 0)
		bx.cy = 1;
	bx.x = area.x + (area.cx - bx.cx) / 2;
	bx.y = area.y + (area.cy - bx.cy) / 2;
	xb_puts(b, "<p:pic><p:nvPicPr><p:cNvPr");
	put_attr_u(b, "id", id);
	xb_puts(b, " name=\"Picture ");
	xb_putu(b, id - 1);
	xb_putc(b, '"');
	if (im->alt && im->alt[0]) {
		xb_puts(b, " descr=\"");
		xb_esc_attr(b, im->alt, strlen(im->alt));
		xb_putc(b, '"');
	}
	xb_puts(b, "/><p:cNvPicPr><a:picLocks noChangeAspect=\"1\"/>"
	           "</p:cNvPicPr><p:nvPr/></p:nvPicPr><p:blipFill><a:blip "
	           "r:embed=\"");
	xb_puts(b, rid);
	xb_puts(b, "\"/><a:stretch><a:fillRect/></a:stretch></p:blipFill>"
	           "<p:spPr>");
	put_xfrm(b, "a:xfrm", bx);
	xb_puts(b, "<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom>"
	           "</p:spPr></p:pic>");
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

static pptx_status flush_part(struct pptx_gen *g, struct xbuf *b,
                              const char *name, struct pptx_err *e)
{
	if (xb_failed(b))
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory building %s",
		                 name);
	return zipw_add(g->zw, name, b->p, b->len, e);
}

static pptx_status put_notes(struct pptx_gen *g, const struct pptx_slide *s,
                             unsigned slide_no, unsigned notes_no,
                             struct pptx_err *e)
{
	struct xbuf *b = &g->part;
	char name[96], target[64];
	const char *p = s->notes;
	pptx_status st;

	xb_reset(b);
	xb_puts(b, XML_DECL
	        "<p:notes" NS_DECLS "><p:cSld><p:spTree>" GROUP_PR
	        "<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Slide Image "
	        "Placeholder 1\"/><p:cNvSpPr><a:spLocks noGrp=\"1\" "
	        "noRot=\"1\" noChangeAspect=\"1\"/></p:cNvSpPr><p:nvPr>"
	        "<p:ph type=\"sldImg\"/></p:nvPr></p:nvSpPr><p:spPr/>"
	        "</p:sp><p:sp><p:nvSpPr><p:cNvPr id=\"3\" name=\"Notes "
	        "Placeholder 2\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/>"
	        "</p:cNvSpPr><p:nvPr><p:ph type=\"body\" idx=\"1\"/>"
	        "</p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/>"
	        "<a:lstStyle/>");
	/* One paragraph per line: that is how PowerPoint stores notes typed
	 * with Enter, and how other readers split them. */
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		xb_puts(b, "<a:p>");
		if (n) {
			xb_puts(b, "<a:r><a:rPr lang=\"en-US\" dirty=\"0\"/>"
			           "<a:t>");
			xb_esc_text(b, p, n);
			xb_puts(b, "</a:t></a:r>");
		}
		xb_puts(b, "<a:endParaRPr lang=\"en-US\" dirty=\"0\"/></a:p>");
		if (!nl)
			break;
		p = nl + 1;
	}
	xb_puts(b, "</p:txBody></p:sp></p:spTree></p:cSld><p:clrMapOvr>"
	           "<a:masterClrMapping/></p:clrMapOvr></p:notes>");
	snprintf(name, sizeof name, "%snotesSlide%u.xml", g->notes_dir,
	         notes_no);
	st = flush_part(g, b, name, e);
	if (st != PPTX_OK)
		return st;
	b = &g->rels;
	xb_reset(b);
	xb_puts(b, RELS_OPEN);
	put_rel(b, 1, RT "notesMaster", g->notes_master_target);
	snprintf(target, sizeof target, "../slides/slide%u.xml", slide_no);
	put_rel(b, 2, RT "slide", target);
	xb_puts(b, "</Relationships>");
	snprintf(name, sizeof name, "%s_rels/notesSlide%u.xml.rels",
	         g->notes_dir, notes_no);
	return flush_part(g, b, name, e);
}

/* One footer-row placeholder (dt, ftr or sldNum) holding text or, for the
 * slide number, a slidenum field PowerPoint keeps current. */
static void put_foot(struct pptx_gen *g, unsigned id, const char *name,
                     const char *ph, struct box ref, const char *algn,
                     const char *text, size_t number)
{
	struct xbuf *b = &g->part;
	static const char rpr[] = "<a:rPr lang=\"en-US\" sz=\"1200\" "
	                          "dirty=\"0\"><a:solidFill><a:schemeClr "
	                          "val=\"tx2\"/></a:solidFill></a:rPr>";

	xb_puts(b, "<p:sp><p:nvSpPr><p:cNvPr");
	put_attr_u(b, "id", id);
	xb_puts(b, " name=\"");
	xb_puts(b, name);
	xb_puts(b, "\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr>"
	           "<p:nvPr><p:ph ");
	xb_puts(b, ph);
	xb_puts(b, "/></p:nvPr></p:nvSpPr><p:spPr>");
	put_xfrm(b, "a:xfrm", scale_box(g, ref));
	xb_puts(b, "</p:spPr><p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:pPr "
	           "algn=\"");
	xb_puts(b, algn);
	xb_puts(b, "\"/>");
	if (text) {
		xb_puts(b, "<a:r>");
		xb_puts(b, rpr);
		xb_puts(b, "<a:t>");
		xb_esc_text(b, text, strlen(text));
		xb_puts(b, "</a:t></a:r>");
	} else {
		xb_puts(b,
		        "<a:fld id=\"{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}\" "
		        "type=\"slidenum\">");
		xb_puts(b, rpr);
		xb_puts(b, "<a:t>");
		xb_putu(b, number);
		xb_puts(b, "</a:t></a:fld>");
	}
	xb_puts(b, "<a:endParaRPr lang=\"en-US\" sz=\"1200\" dirty=\"0\"/>"
	           "</a:p></p:txBody></p:sp>");
}

/* Date, footer and slide number along the bottom, where Office's own
 * master puts them. */
static void put_furniture(struct pptx_gen *g, unsigned *id, size_t shown_no)
{
	static const struct box dt = {838200, 6356350, 2743200, 365125};
	static const struct box ftr = {4038600, 6356350, 4114800, 365125};
	static const struct box num = {8610600, 6356350, 2743200, 365125};

	if (g->date && g->date[0]) {
		put_foot(g, *id, "Date Placeholder",
		         "type=\"dt\" sz=\"half\" idx=\"10\"", dt, "l", g->date,
		         0);
		++*id;
	}
	if (g->footer && g->footer[0]) {
		put_foot(g, *id, "Footer Placeholder",
		         "type=\"ftr\" sz=\"quarter\" idx=\"11\"", ftr, "ctr",
		         g->footer, 0);
		++*id;
	}
	if (g->slide_numbers) {
		put_foot(g, *id, "Slide Number Placeholder",
		         "type=\"sldNum\" sz=\"quarter\" idx=\"12\"", num, "r",
		         NULL, shown_no);
		++*id;
	}
}

pptx_status pptx_gen_slide(struct pptx_gen *g, const struct pptx_slide *s,
                           unsigned slide_no, unsigned notes_no,
                           size_t shown_no, struct pptx_err *e)
{
	struct xbuf *b = &g->part;
	char name[96], target[64], rid[16];
	unsigned next_rid = 2, id = 2, media_no = 0, chart_no = 0,
	         chart_rid = 0;
	const struct pptx_image *im = s->nimages ? &s->images[0] : NULL;
	struct box title = scale_box(g, ref_title);
	struct box body = scale_box(g, ref_body);
	pptx_status st;

	xb_reset(b);
	xb_reset(&g->links.rels);
	g->links.n = 0;
	xb_puts(b, XML_DECL "<p:sld" NS_DECLS);
	/* The layouts a reader cannot tell from the shapes alone carry their
	 * name (p:cSld/@name, the slide's name in PowerPoint's API). */
	if (s->layout >= PPTX_LAYOUT_QUOTE) {
		xb_puts(b, "><p:cSld name=\"");
		xb_puts(b, pptx_layout_name(s->layout));
		xb_puts(b, "\"><p:spTree>" GROUP_PR);
	} else {
		xb_puts(b, "><p:cSld><p:spTree>" GROUP_PR);
	}
	switch (s->layout) {
	case PPTX_LAYOUT_TITLE:
		put_single(g, id++, "Title 1", "type=\"ctrTitle\"",
		           scale_box(g, ref_ctr_title), s->title, big_title_sz,
		           shown_no, "title");
		if (s->subtitle)
			put_single(g, id++, "Subtitle 2",
			           "type=\"subTitle\" idx=\"1\"",
			           scale_box(g, ref_subtitle), s->subtitle,
			           subtitle_sz, shown_no, "subtitle");
		break;
	case PPTX_LAYOUT_SECTION:
		put_single(g, id++, "Title 1", "type=\"title\"",
		           scale_box(g, ref_sec_title), s->title, big_title_sz,
		           shown_no, "title");
		if (s->subtitle)
			put_single(g, id++, "Text Placeholder 2",
			           "type=\"body\" idx=\"1\"",
			           scale_box(g, ref_sec_body), s->subtitle,
			           subtitle_sz, shown_no, "subtitle");
		break;
	case PPTX_LAYOUT_BULLETS:
		put_single(g, id++, "Title 1", "type=\"title\"", title,
		           s->title, title_sz, shown_no, "title");
		put_text_shape(g, id++, "Content Placeholder 2", "idx=\"1\"",
		               body, s->bullets.items, s->bullets.n, body_sz, 1,
		               shown_no, "bullet text");
		break;
	case PPTX_LAYOUT_TWO_COLUMN:
		put_single(g, id++, "Title 1", "type=\"title\"", title,
		           s->title, title_sz, shown_no, "title");
		put_text_shape(g, id++, "Content Placeholder 2",
		               "sz=\"half\" idx=\"1\"", scale_box(g, ref_left),
		               s->columns[0].items, s->columns[0].n, body_sz, 1,
		               shown_no, "left column");
		put_text_shape(g, id++, "Content Placeholder 3",
		               "sz=\"half\" idx=\"2\"", scale_box(g, ref_right),
		               s->columns[1].items, s->columns[1].n, body_sz, 1,
		               shown_no, "right column");
		break;
	case PPTX_LAYOUT_TABLE:
		put_single(g, id++, "Title 1", "type=\"title\"", title,
		           s->title, title_sz, shown_no, "title");
		st = put_table(g, id++, &s->tables[0], body, shown_no, e);
		if (st != PPTX_OK)
			return st;
		break;
	case PPTX_LAYOUT_IMAGE:
	case PPTX_LAYOUT_CHART:
		put_single(g, id++, "Title 1", "type=\"title\"", title,
		           s->title, title_sz, shown_no, "title");
		break;
	case PPTX_LAYOUT_TEXT_CHART:
		put_single(g, id++, "Title 1", "type=\"title\"", title,
		           s->title, title_sz, shown_no, "title");
		put_text_shape(g, id++, "Content Placeholder 2",
		               "sz=\"half\" idx=\"1\"", scale_box(g, ref_left),
		               s->bullets.items, s->bullets.n, body_sz, 1,
		               shown_no, "bullet text");
		break;
	case PPTX_LAYOUT_QUOTE:
		g->next_lst = LST_QUOTE;
		g->next_ctr = 1;
		put_single(g, id++, "Title 1", "type=\"title\"",
		           scale_box(g, ref_quote), s->title, quote_sz,
		           shown_no, "quote");
		if (s->subtitle) {
			g->next_lst = LST_ATTRIBUTION;
			put_single(g, id++, "Text Placeholder 2",
			           "type=\"body\" idx=\"1\"",
			           scale_box(g, ref_attribution), s->subtitle,
			           subtitle_sz, shown_no, "attribution");
		}
		break;
	case PPTX_LAYOUT_BIG_NUMBER:
		g->next_lst = LST_BIG_NUMBER;
		g->next_ctr = 1;
		put_single(g, id++, "Title 1", "type=\"title\"",
		           scale_box(g, ref_big_number), s->title,
		           big_number_sz, shown_no, "figure");
		if (s->subtitle) {
			g->next_lst = LST_CAPTION;
			put_single(g, id++, "Text Placeholder 2",
			           "type=\"body\" idx=\"1\"",
			           scale_box(g, ref_caption), s->subtitle,
			           subtitle_sz, shown_no, "caption");
		}
		break;
	case PPTX_LAYOUT_AGENDA:
		put_single(g, id++, "Title 1", "type=\"title\"", title,
		           s->title, title_sz, shown_no, "title");
		g->next_lst = LST_AGENDA;
		put_text_shape(g, id++, "Content Placeholder 2", "idx=\"1\"",
		               body, s->bullets.items, s->bullets.n, body_sz, 1,
		               shown_no, "agenda");
		break;
	case PPTX_LAYOUT_IMAGE_TEXT:
		put_single(g, id++, "Title 1", "type=\"title\"", title,
		           s->title, title_sz, shown_no, "title");
		put_text_shape(g, id++, "Content Placeholder 2",
		               "sz=\"half\" idx=\"2\"", scale_box(g, ref_right),
		               s->bullets.items, s->bullets.n, body_sz, 1,
		               shown_no, "bullet text");
		break;
	case PPTX_LAYOUT_COMPARISON:
		put_single(g, id++, "Title 1", "type=\"title\"", title,
		           s->title, title_sz, shown_no, "title");
		{
			static const char *const ph[4] = {
			        "type=\"body\" sz=\"half\" idx=\"1\"",
			        "sz=\"half\" idx=\"2\"",
			        "type=\"body\" sz=\"quarter\" idx=\"3\"",
			        "sz=\"quarter\" idx=\"4\""};
			size_t k;

			for (k = 0; k < 2; k++) {
				struct box h = scale_box(g, ref_cmp_head[k]);
				struct box l = scale_box(g, ref_cmp_list[k]);

				g->next_lst = LST_HEADING;
				put_single(g, id++,
				           k ? "Text Placeholder 4"
				             : "Text Placeholder 2",
				           ph[2 * k], h, s->headings[k],
				           heading_sz, shown_no, "heading");
				put_text_shape(
				        g, id++,
				        k ? "Content Placeholder 5"
				          : "Content Placeholder 3",
				        ph[2 * k + 1], l, s->columns[k].items,
				        s->columns[k].n, body_sz, 1, shown_no,
				        k ? "right column" : "left column");
			}
		}
		break;
	default:
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu has an unknown layout", shown_no);
	}
	if (s->notes)
		next_rid = 3;
	if (im) {
		media_no = g->media_next++;
		snprintf(rid, sizeof rid, "rId%u", next_rid);
		put_picture(g, id++, rid, im,
		            s->layout == PPTX_LAYOUT_IMAGE_TEXT
		                    ? scale_box(g, ref_left)
		                    : body);
	}
	if (s->chart) {
		struct box cb = s->layout == PPTX_LAYOUT_TEXT_CHART
		                        ? scale_box(g, ref_right)
		                        : body;

		chart_no = g->chart_next++;
		chart_rid = im ? next_rid + 1 : next_rid;
		snprintf(rid, sizeof rid, "rId%u", chart_rid);
		pptx_chart_frame(b, id++, rid, cb.x, cb.y, cb.cx, cb.cy);
	}
	if (s->layout != PPTX_LAYOUT_TITLE)
		put_furniture(g, &id, shown_no);
	xb_puts(b, "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/>"
	           "</p:clrMapOvr></p:sld>");
	snprintf(name, sizeof name, "%sslide%u.xml", g->slide_dir, slide_no);
	st = flush_part(g, b, name, e);
	if (st != PPTX_OK)
		return st;

	b = &g->rels;
	xb_reset(b);
	xb_puts(b, RELS_OPEN);
	{
		const char *lt = s->layout_name && g->layout_by_name
		                         ? g->layout_by_name(g->layout_ctx,
		                                             s->layout_name)
		                         : NULL;

		put_rel(b, 1, RT "slideLayout",
		        lt ? lt : g->layout_target[s->layout]);
	}
	if (s->notes) {
		snprintf(target, sizeof target,
		         "../notesSlides/notesSlide%u.xml", notes_no);
		put_rel(b, 2, RT "notesSlide", target);
	}
	if (im) {
		snprintf(target, sizeof target, "../media/image%u.%s", media_no,
		         img_ext(im->info.type));
		put_rel(b, next_rid, RT "image", target);
	}
	if (s->chart) {
		snprintf(target, sizeof target, "../charts/chart%u.xml",
		         chart_no);
		put_rel(b, chart_rid, RT "chart", target);
	}
	if (xb_failed(&g->links.rels))
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	xb_put(b, g->links.rels.p, g->links.rels.len);
	xb_puts(b, "</Relationships>");
	snprintf(name, sizeof name, "%s_rels/slide%u.xml.rels", g->slide_dir,
	         slide_no);
	st = flush_part(g, b, name, e);
	if (st != PPTX_OK)
		return st;
	if (im) {
		snprintf(name, sizeof name, "%simage%u.%s", g->media_dir,
		         media_no, img_ext(im->info.type));
		if (im->info.type == IMG_PNG)
			g->used_png = 1;
		else
			g->used_jpeg = 1;
		st = zipw_add_stored(g->zw, name, im->data, im->len, e);
		if (st != PPTX_OK)
			return st;
	}
	if (s->chart) {
		st = pptx_chart_write(g, s->chart, chart_no, e);
		if (st != PPTX_OK)
			return st;
	}
	if (s->notes)
		return put_notes(g, s, slide_no, notes_no, e);
	return PPTX_OK;
}

/*
 * A new deck.
 */

static void put_override(struct xbuf *b, const char *part, const char *type)
{
	xb_puts(b, "<Override PartName=\"/");
	xb_puts(b, part);
	xb_puts(b, "\" ContentType=\"");
	xb_puts(b, type);
	xb_puts(b, "\"/>");
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

static void put_content_types(struct xbuf *b, const struct pptx_deck *d)
{
	size_t i, charts;
	char name[64];

	xb_puts(b, XML_DECL
	        "<Types xmlns=\"http://schemas.openxmlformats.org/"
	        "package/2006/content-types\"><Default Extension=\"rels\" "
	        "ContentType=\"application/vnd.openxmlformats-package."
	        "relationships+xml\"/><Default Extension=\"xml\" "
	        "ContentType=\"application/xml\"/>");
	if (deck_uses(d, IMG_PNG))
		xb_puts(b, "<Default Extension=\"png\" "
		           "ContentType=\"image/png\"/>");
	if (deck_uses(d, IMG_JPEG))
		xb_puts(b, "<Default Extension=\"jpeg\" "
		           "ContentType=\"image/jpeg\"/>");
	for (i = 0; i < d->nslides && !d->slides[i].chart; i++)
		;
	if (i < d->nslides)
		xb_puts(b, "<Default Extension=\"xlsx\" "
		           "ContentType=\"" PPTX_CT_XLSX "\"/>");
	put_override(b, "ppt/presentation.xml",
	             "application/vnd.openxmlformats-officedocument."
	             "presentationml.presentation.main+xml");
	put_override(b, "ppt/slideMasters/slideMaster1.xml",
	             "application/vnd.openxmlformats-officedocument."
	             "presentationml.slideMaster+xml");
	for (i = 1; i <= SKEL_LAYOUTS; i++) {
		snprintf(name, sizeof name,
		         "ppt/slideLayouts/slideLayout%zu.xml", i);
		put_override(b, name,
		             "application/vnd.openxmlformats-"
		             "officedocument.presentationml."
		             "slideLayout+xml");
	}
	for (i = 1; i <= d->nslides; i++) {
		snprintf(name, sizeof name, "ppt/slides/slide%zu.xml", i);
		put_override(b, name,
		             "application/vnd.openxmlformats-"
		             "officedocument.presentationml.slide+xml");
	}
	for (i = 1; i <= d->nslides; i++) {
		if (!d->slides[i - 1].notes)
			continue;
		snprintf(name, sizeof name, "ppt/notesSlides/notesSlide%zu.xml",
		         i);
		put_override(b, name,
		             "application/vnd.openxmlformats-"
		             "officedocument.presentationml."
		             "notesSlide+xml");
	}
	charts = 0;
	for (i = 0; i < d->nslides; i++) {
		if (!d->slides[i].chart)
			continue;
		snprintf(name, sizeof name, "ppt/charts/chart%zu.xml",
		         ++charts);
		put_override(b, name, PPTX_CT_CHART);
	}
	put_override(b, "ppt/notesMasters/notesMaster1.xml",
	             "application/vnd.openxmlformats-officedocument."
	             "presentationml.notesMaster+xml");
	put_override(b, "ppt/theme/theme1.xml",
	             "application/vnd.openxmlformats-officedocument.theme+xml");
	put_override(b, "ppt/theme/theme2.xml",
	             "application/vnd.openxmlformats-officedocument.theme+xml");
	put_override(b, "ppt/presProps.xml",
	             "application/vnd.openxmlformats-officedocument."
	             "presentationml.presProps+xml");
	put_override(b, "ppt/viewProps.xml",
	             "application/vnd.openxmlformats-officedocument."
	             "presentationml.viewProps+xml");
	put_override(b, "ppt/tableStyles.xml",
	             "application/vnd.openxmlformats-officedocument."
	             "presentationml.tableStyles+xml");
	put_override(
	        b, "docProps/core.xml",
	        "application/vnd.openxmlformats-package.core-properties+xml");
	put_override(b, "docProps/app.xml",
	             "application/vnd.openxmlformats-officedocument."
	             "extended-properties+xml");
	xb_puts(b, "</Types>");
}

static void put_default_text_style(struct xbuf *b)
{
	unsigned lvl;

	xb_puts(b, "<p:defaultTextStyle><a:defPPr><a:defRPr lang=\"en-US\"/>"
	           "</a:defPPr>");
	for (lvl = 1; lvl <= 9; lvl++) {
		xb_puts(b, "<a:lvl");
		xb_putu(b, lvl);
		xb_puts(b, "pPr");
		put_attr_u(b, "marL", (uint64_t)(lvl - 1) * 457200u);
		xb_puts(b, " algn=\"l\" defTabSz=\"914400\" rtl=\"0\" "
		           "eaLnBrk=\"1\" latinLnBrk=\"0\" hangingPunct=\"1\">"
		           "<a:defRPr sz=\"1800\" kern=\"1200\"><a:solidFill>"
		           "<a:schemeClr val=\"tx1\"/></a:solidFill><a:latin "
		           "typeface=\"+mn-lt\"/><a:ea typeface=\"+mn-ea\"/>"
		           "<a:cs typeface=\"+mn-cs\"/></a:defRPr></a:lvl");
		xb_putu(b, lvl);
		xb_puts(b, "pPr>");
	}
	xb_puts(b, "</p:defaultTextStyle>");
}

static void put_presentation(struct xbuf *b, const struct pptx_deck *d)
{
	size_t i;
	unsigned rid = 2;

	xb_puts(b, XML_DECL "<p:presentation" NS_DECLS " saveSubsetFonts=\"1\">"
	                    "<p:sldMasterIdLst><p:sldMasterId");
	put_attr_u(b, "id", MASTER_ID_BASE);
	xb_puts(b, " r:id=\"rId1\"/></p:sldMasterIdLst><p:notesMasterIdLst>"
	           "<p:notesMasterId r:id=\"rId");
	xb_putu(b, d->nslides + 2);
	xb_puts(b, "\"/></p:notesMasterIdLst>");
	if (d->nslides) {
		xb_puts(b, "<p:sldIdLst>");
		for (i = 0; i < d->nslides; i++) {
			xb_puts(b, "<p:sldId");
			put_attr_u(b, "id", SLIDE_ID_BASE + i);
			xb_puts(b, " r:id=\"rId");
			xb_putu(b, rid++);
			xb_puts(b, "\"/>");
		}
		xb_puts(b, "</p:sldIdLst>");
	}
	xb_puts(b, "<p:sldSz");
	put_attr_u(b, "cx", d->slide_cx);
	put_attr_u(b, "cy", d->slide_cy);
	if (d->slide_cx == PPTX_EMU_4_3_CX && d->slide_cy == PPTX_EMU_SLIDE_CY)
		xb_puts(b, " type=\"screen4x3\"");
	xb_puts(b, "/><p:notesSz cx=\"6858000\" cy=\"9144000\"/>");
	put_default_text_style(b);
	xb_puts(b, "</p:presentation>");
}

static void put_presentation_rels(struct xbuf *b, const struct pptx_deck *d)
{
	size_t i;
	unsigned rid = 2;
	char target[48];

	xb_puts(b, RELS_OPEN);
	put_rel(b, 1, RT "slideMaster", "slideMasters/slideMaster1.xml");
	for (i = 1; i <= d->nslides; i++) {
		snprintf(target, sizeof target, "slides/slide%zu.xml", i);
		put_rel(b, rid++, RT "slide", target);
	}
	put_rel(b, rid++, RT "notesMaster", "notesMasters/notesMaster1.xml");
	put_rel(b, rid++, RT "presProps", "presProps.xml");
	put_rel(b, rid++, RT "viewProps", "viewProps.xml");
	put_rel(b, rid++, RT "theme", "theme/theme1.xml");
	put_rel(b, rid++, RT "tableStyles", "tableStyles.xml");
	xb_puts(b, "</Relationships>");
}

/* Copy a skeleton part, scaling the x geometry (a:off x, a:ext cx) by
 * num/den: the skeleton is drawn for 16:9 and 4:3 is three quarters as
 * wide. */
static void put_scaled(struct xbuf *b, const unsigned char *data, size_t len,
                       uint64_t num, uint64_t den)
{
	static const char *const keys[] = {"<a:off x=\"", "<a:ext cx=\""};
	const char *s = (const char *)data;
	size_t i = 0, run = 0;

	while (i < len) {
		size_t k, kl = 0;

		for (k = 0; k < 2; k++) {
			kl = strlen(keys[k]);
			if (len - i >= kl && memcmp(s + i, keys[k], kl) == 0)
				break;
		}
		if (k == 2) {
			i++;
			continue;
		}
		{
			size_t j = i + kl;
			uint64_t v = 0;

			while (j < len && s[j] >= '0' && s[j] <= '9')
				v = v * 10 + (uint64_t)(s[j++] - '0');
			xb_put(b, s + run, i + kl - run);
			xb_putu(b, (v * num + den / 2) / den);
			i = run = j;
		}
	}
	xb_put(b, s + run, len - run);
}

static pptx_status put_skeleton(struct pptx_gen *g, const struct pptx_deck *d,
                                struct pptx_err *e)
{
	size_t i;
	pptx_status st;

	for (i = 0; i < pptx_skeleton_count; i++) {
		const struct pptx_skel_part *sp = &pptx_skeleton[i];
		int geo = strncmp(sp->name, "ppt/slideMasters/sl", 19) == 0 ||
		          strncmp(sp->name, "ppt/slideLayouts/sl", 19) == 0;

		if (strcmp(sp->name, "docProps/core.xml") == 0) {
			/* The one skeleton part with a field: the title. */
			const char *mark = "@TITLE@";
			const char *s = (const char *)sp->data;
			const char *at = memmem(s, sp->len, mark, strlen(mark));

			if (!at)
				return pptx_fail(
				        e, PPTX_ERR_INTERNAL,
				        "skeleton core.xml lacks @TITLE@");
			xb_reset(&g->part);
			xb_put(&g->part, s, (size_t)(at - s));
			if (d->title)
				xb_esc_text(&g->part, d->title,
				            strlen(d->title));
			at += strlen(mark);
			xb_put(&g->part, at, sp->len - (size_t)(at - s));
			st = flush_part(g, &g->part, sp->name, e);
		} else if (strcmp(sp->name, "ppt/theme/theme1.xml") == 0) {
			xb_reset(&g->part);
			if (pptx_theme_part(&g->part,
			                    d->theme ? d->theme
			                             : &pptx_themes[0],
			                    sp->data, sp->len) != 0)
				return pptx_fail(e, PPTX_ERR_INTERNAL,
				                 "skeleton theme1.xml lacks a "
				                 "colour or font scheme");
			st = flush_part(g, &g->part, sp->name, e);
		} else if (geo && d->slide_cx != REF_CX) {
			xb_reset(&g->part);
			put_scaled(&g->part, sp->data, sp->len, d->slide_cx,
			           REF_CX);
			st = flush_part(g, &g->part, sp->name, e);
		} else {
			st = zipw_add(g->zw, sp->name, sp->data, sp->len, e);
		}
		if (st != PPTX_OK)
			return st;
	}
	return PPTX_OK;
}

pptx_status pptx_write(const struct pptx_deck *d, pptx_write_fn fn, void *ctx,
                       struct pptx_warnings *w, struct pptx_err *e)
{
	static const char *const layouts[PPTX_LAYOUT_COUNT] = {
	        [PPTX_LAYOUT_TITLE] = "../slideLayouts/slideLayout1.xml",
	        [PPTX_LAYOUT_BULLETS] = "../slideLayouts/slideLayout2.xml",
	        [PPTX_LAYOUT_SECTION] = "../slideLayouts/slideLayout3.xml",
	        [PPTX_LAYOUT_TWO_COLUMN] = "../slideLayouts/slideLayout4.xml",
	        [PPTX_LAYOUT_TABLE] = "../slideLayouts/slideLayout5.xml",
	        [PPTX_LAYOUT_IMAGE] = "../slideLayouts/slideLayout5.xml",
	        [PPTX_LAYOUT_CHART] = "../slideLayouts/slideLayout5.xml",
	        [PPTX_LAYOUT_TEXT_CHART] = "../slideLayouts/slideLayout4.xml",
	        [PPTX_LAYOUT_QUOTE] = "../slideLayouts/slideLayout3.xml",
	        [PPTX_LAYOUT_BIG_NUMBER] = "../slideLayouts/slideLayout3.xml",
	        [PPTX_LAYOUT_AGENDA] = "../slideLayouts/slideLayout2.xml",
	        [PPTX_LAYOUT_IMAGE_TEXT] = "../slideLayouts/slideLayout4.xml",
	        [PPTX_LAYOUT_COMPARISON] = "../slideLayouts/slideLayout4.xml"};
	struct pptx_gen g;
	pptx_status st;
	size_t i;

	st = pptx_deck_check(d, e);
	if (st != PPTX_OK)
		return st;
	for (i = 0; i < d->nslides; i++)
		if (d->slides[i].layout_name)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: \"layout_name\" picks a "
			        "layout of an existing deck or template; "
			        "use add_slides or edit_presentation on "
			        "it, or \"layout\" here",
			        i + 1);
	memset(&g, 0, sizeof g);
	g.cx = d->slide_cx;
	g.cy = d->slide_cy;
	memcpy(g.layout_target, layouts, sizeof layouts);
	g.notes_master_target = "../notesMasters/notesMaster1.xml";
	g.slide_dir = "ppt/slides/";
	g.notes_dir = "ppt/notesSlides/";
	g.media_dir = "ppt/media/";
	g.warn = w;
	g.media_next = 1;
	g.chart_next = 1;
	g.footer = d->footer;
	g.date = d->date;
	g.slide_numbers = d->slide_numbers;
	xb_init(&g.part, 0);
	xb_init(&g.rels, 0);
	st = zipw_open(&g.zw, fn, ctx, e);
	if (st != PPTX_OK)
		goto out;
	/* [Content_Types].xml must be the first entry. */
	put_content_types(&g.part, d);
	st = flush_part(&g, &g.part, "[Content_Types].xml", e);
	if (st != PPTX_OK)
		goto out;
	xb_reset(&g.part);
	xb_puts(&g.part, RELS_OPEN);
	put_rel(&g.part, 1, RT "officeDocument", "ppt/presentation.xml");
	put_rel(&g.part, 2,
	        "http://schemas.openxmlformats.org/package/2006/"
	        "relationships/metadata/core-properties",
	        "docProps/core.xml");
	put_rel(&g.part, 3, RT "extended-properties", "docProps/app.xml");
	xb_puts(&g.part, "</Relationships>");
	st = flush_part(&g, &g.part, "_rels/.rels", e);
	if (st != PPTX_OK)
		goto out;
	xb_reset(&g.part);
	put_presentation(&g.part, d);
	st = flush_part(&g, &g.part, "ppt/presentation.xml", e);
	if (st != PPTX_OK)
		goto out;
	xb_reset(&g.part);
	put_presentation_rels(&g.part, d);
	st = flush_part(&g, &g.part, "ppt/_rels/presentation.xml.rels", e);
	if (st != PPTX_OK)
		goto out;
	st = put_skeleton(&g, d, e);
	if (st != PPTX_OK)
		goto out;
	for (i = 0; i < d->nslides; i++) {
		st = pptx_gen_slide(&g, &d->slides[i], (unsigned)i + 1,
		                    (unsigned)i + 1, i + 1, e);
		if (st != PPTX_OK)
			goto out;
	}
	st = zipw_finish(g.zw, e);
	g.zw = NULL;
out:
	zipw_abort(g.zw);
	xb_free(&g.part);
	xb_free(&g.rels);
	xb_free(&g.links.rels);
	return st;
}
