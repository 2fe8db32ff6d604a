/*
 * pptx_theme.c - the built-in themes and the theme part written from one.
 *
 * A theme here is what a deck's look hangs on: the skeleton's master and
 * layouts colour their accent bars, titles, tables and charts with scheme
 * colours (accent1, tx2, ...) and set text in +mj-lt/+mn-lt, so changing
 * ppt/theme/theme1.xml restyles the whole deck, and PowerPoint's Design
 * tab sees a normal theme it can swap.
 */
#include <stdio.h>
#include <string.h>

#include "pptx_model.h"
#include "pptx_theme.h"

/* dk1 lt1 dk2 lt2 accent1..6 hlink folHlink */
const struct pptx_theme pptx_themes[] = {
        {"ocean",
         {0x1B1B1B, 0xFFFFFF, 0x1F3B57, 0xE8EEF4, 0x1F6FB2, 0x2BA3C7, 0xF39C34,
          0x5E9E6E, 0x8E6BB8, 0xD9534F, 0x1F6FB2, 0x8E6BB8},
         "Calibri Light",
         "Calibri"},
        {"classic",
         {0x000000, 0xFFFFFF, 0x44546A, 0xE7E6E6, 0x4472C4, 0xED7D31, 0xA5A5A5,
          0xFFC000, 0x5B9BD5, 0x70AD47, 0x0563C1, 0x954F72},
         "Calibri Light",
         "Calibri"},
        {"forest",
         {0x1C2B1F, 0xFFFFFF, 0x1E4D2B, 0xEEF3E8, 0x2E7D32, 0x8BC34A, 0xA1887F,
          0xFFB300, 0x00897B, 0x6D4C41, 0x2E7D32, 0x6D4C41},
         "Georgia",
         "Verdana"},
        {"sunset",
         {0x2B1A12, 0xFFFFFF, 0x7A2E0E, 0xFBEFE6, 0xE4572E, 0xF3A712, 0x669BBC,
          0xA8C686, 0x29335C, 0x9C4F96, 0xC0392B, 0x9C4F96},
         "Trebuchet MS",
         "Trebuchet MS"},
        {"berry",
         {0x221126, 0xFFFFFF, 0x4A154B, 0xF5EAF5, 0x8E24AA, 0xD81B60, 0x5C6BC0,
          0x26A69A, 0xFFA726, 0xF06292, 0x8E24AA, 0x5C6BC0},
         "Century Gothic",
         "Century Gothic"},
        {"slate",
         {0x1E2528, 0xFFFFFF, 0x2F3E46, 0xEDF1EF, 0x52796F, 0xE07A5F, 0x84A98C,
          0xF2CC8F, 0x354F52, 0x81B29A, 0x3D5A80, 0x52796F},
         "Cambria",
         "Calibri"},
        {"mono",
         {0x000000, 0xFFFFFF, 0x222222, 0xF2F2F2, 0x404040, 0xC00000, 0x7F7F7F,
          0xA5A5A5, 0x262626, 0xBFBFBF, 0x0563C1, 0x595959},
         "Arial",
         "Arial"},
};
const size_t pptx_theme_count = sizeof pptx_themes / sizeof pptx_themes[0];

const struct pptx_theme *pptx_theme_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < pptx_theme_count; i++)
		if (strcmp(name, pptx_themes[i].name) == 0)
			return &pptx_themes[i];
	return NULL;
}

static void put_clr(struct xbuf *b, const char *el, uint32_t rgb)
{
	char hex[8];

	snprintf(hex, sizeof hex, "%06X", (unsigned)(rgb & 0xFFFFFF));
	xb_puts(b, "<a:");
	xb_puts(b, el);
	xb_puts(b, "><a:srgbClr val=\"");
	xb_puts(b, hex);
	xb_puts(b, "\"/></a:");
	xb_puts(b, el);
	xb_puts(b, ">");
}

static void put_font(struct xbuf *b, const char *el, const char *face)
{
	xb_puts(b, "<a:");
	xb_puts(b, el);
	xb_puts(b, "><a:latin typeface=\"");
	xb_esc_attr(b, face, strlen(face));
	xb_puts(b, "\"/><a:ea typeface=\"\"/><a:cs typeface=\"\"/></a:");
	xb_puts(b, el);
	xb_puts(b, ">");
}

int pptx_theme_part(struct xbuf *b, const struct pptx_theme *t,
                    const unsigned char *skel, size_t len)
{
	static const char *const els[PPTX_THEME_COLORS] = {
	        "dk1",     "lt1",     "dk2",     "lt2",
	        "accent1", "accent2", "accent3", "accent4",
	        "accent5", "accent6", "hlink",   "folHlink"};
	const char *s = (const char *)skel;
	const char *from = memmem(s, len, "<a:clrScheme", 12);
	const char *end = memmem(s, len, "</a:fontScheme>", 15);
	size_t i;

	if (!from || !end || end < from)
		return -1;
	xb_put(b, s, (size_t)(from - s));
	xb_puts(b, "<a:clrScheme name=\"");
	xb_esc_attr(b, t->name, strlen(t->name));
	xb_puts(b, "\">");
	for (i = 0; i < PPTX_THEME_COLORS; i++)
		put_clr(b, els[i], t->clr[i]);
	xb_puts(b, "</a:clrScheme><a:fontScheme name=\"");
	xb_esc_attr(b, t->name, strlen(t->name));
	xb_puts(b, "\">");
	put_font(b, "majorFont", t->heading_font);
	put_font(b, "minorFont", t->body_font);
	end += 15;
	xb_puts(b, "</a:fontScheme>");
	xb_put(b, end, len - (size_t)(end - s));
	return 0;
}
