/*
 * pptx_chart.c - native charts and their embedded workbooks. See
 * pptx_chart.h.
 *
 * Elements follow the sequence dml-chart.xsd gives for each chart kind.
 * The caches in the chart part carry the data (what a viewer draws); the
 * workbook holds the same cells at the addresses the c:f formulas name, so
 * "Edit Data" in PowerPoint opens the chart's own numbers.
 */
#include "pptx_chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmlr.h"

#define XML_DECL                                                               \
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_C "http://schemas.openxmlformats.org/drawingml/2006/chart"
#define NS_A "http://schemas.openxmlformats.org/drawingml/2006/main"
#define NS_R                                                                   \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_SS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define RT                                                                     \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
/* Axis ids: any two distinct unsigned ints. */
#define AX_CAT "111111111"
#define AX_VAL "222222222"

static const char *const type_names[PPTX_CHART_TYPE_COUNT] = {
        "bar", "column", "line", "pie", "doughnut", "area", "scatter"};

const char *pptx_chart_type_name(enum pptx_chart_type t)
{
	return (unsigned)t < PPTX_CHART_TYPE_COUNT ? type_names[t] : "?";
}

int pptx_chart_type_parse(const char *name)
{
	int i;

	for (i = 0; i < PPTX_CHART_TYPE_COUNT; i++)
		if (strcmp(name, type_names[i]) == 0)
			return i;
	return -1;
}

static pptx_status check_len(const char *s, size_t slide, const char *what,
                             struct pptx_err *e)
{
	if (s && strlen(s) > PPTX_MAX_TEXT_BYTES)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "slide %zu: the chart's %s is longer than %zu "
		                 "bytes; shorten it",
		                 slide, what, PPTX_MAX_TEXT_BYTES);
	return PPTX_OK;
}

pptx_status pptx_chart_check(const struct pptx_chart *c, size_t slide,
                             struct pptx_err *e)
{
	size_t i, k;

	if ((unsigned)c->type >= PPTX_CHART_TYPE_COUNT)
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: unknown chart type", slide);
	if (c->ncats == 0 || c->ncats > PPTX_MAX_CHART_POINTS)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "slide %zu: a chart needs 1 to %d categories, "
		                 "not %zu",
		                 slide, PPTX_MAX_CHART_POINTS, c->ncats);
	if (c->nseries == 0 || c->nseries > PPTX_MAX_CHART_SERIES)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "slide %zu: a chart needs 1 to %d series, not "
		                 "%zu",
		                 slide, PPTX_MAX_CHART_SERIES, c->nseries);
	if (c->type == PPTX_CHART_SCATTER && !c->cat_num)
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: a scatter chart's categories are "
		                 "its x values and must be numbers",
		                 slide);
	if (check_len(c->title, slide, "title", e) ||
	    check_len(c->x_title, slide, "x_title", e) ||
	    check_len(c->y_title, slide, "y_title", e))
		return e->status;
	for (k = 0; k < c->ncats; k++)
		if (check_len(c->cats[k], slide, "category", e))
			return e->status;
	for (i = 0; i < c->nseries; i++) {
		const struct pptx_series *s = &c->series[i];

		if (check_len(s->name, slide, "series name", e))
			return e->status;
		for (k = 0; k < c->ncats; k++)
			if (s->present[k] && !isfinite(s->values[k]))
				return pptx_fail(
				        e, PPTX_ERR_INPUT,
				        "slide %zu: series \"%.40s\" has a "
				        "value that is not a finite number",
				        slide, s->name ? s->name : "");
	}
	return PPTX_OK;
}

/* Spreadsheet column letters for 0-based column col (A, B, ..., AA...). */
static void col_name(size_t col, char out[4])
{
	if (col < 26) {
		out[0] = (char)('A' + col);
		out[1] = 0;
	} else {
		out[0] = (char)('A' + col / 26 - 1);
		out[1] = (char)('A' + col % 26);
		out[2] = 0;
	}
}

static void put_num(struct xbuf *b, double v)
{
	char num[40];

	/* Integers as integers ("6", not "6.000000"); others with enough
	 * digits to come back exactly. */
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(num, sizeof num, "%.0f", v);
	else
		snprintf(num, sizeof num, "%.17g", v);
	xb_puts(b, num);
}

static void put_val(struct xbuf *b, const char *tag, const char *val)
{
	xb_puts(b, "<c:");
	xb_puts(b, tag);
	xb_puts(b, " val=\"");
	xb_puts(b, val);
	xb_puts(b, "\"/>");
}

/* A rich-text title (chart or axis). */
static void put_title(struct xbuf *b, const char *text, unsigned sz)
{
	xb_puts(b, "<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p>"
	           "<a:pPr><a:defRPr b=\"0\" sz=\"");
	xb_putu(b, sz);
	xb_puts(b, "\"/></a:pPr><a:r><a:rPr lang=\"en-US\" b=\"0\" sz=\"");
	xb_putu(b, sz);
	xb_puts(b, "\"/><a:t>");
	xb_esc_text(b, text, strlen(text));
	xb_puts(b, "</a:t></a:r></a:p></c:rich></c:tx><c:overlay val=\"0\"/>"
	           "</c:title>");
}

/* A string reference: the formula and the cached strings. */
static void put_str_ref(struct xbuf *b, const char *f, const char *const *v,
                        size_t n)
{
	size_t k;

	xb_puts(b, "<c:strRef><c:f>");
	xb_puts(b, f);
	xb_puts(b, "</c:f><c:strCache><c:ptCount val=\"");
	xb_putu(b, n);
	xb_puts(b, "\"/>");
	for (k = 0; k < n; k++) {
		xb_puts(b, "<c:pt idx=\"");
		xb_putu(b, k);
		xb_puts(b, "\"><c:v>");
		xb_esc_text(b, v[k] ? v[k] : "", v[k] ? strlen(v[k]) : 0);
		xb_puts(b, "</c:v></c:pt>");
	}
	xb_puts(b, "</c:strCache></c:strRef>");
}

/* A number reference; gaps (present[k] == 0) have no c:pt. */
static void put_num_ref(struct xbuf *b, const char *f, const double *v,
                        const uint8_t *present, size_t n)
{
	size_t k;

	xb_puts(b, "<c:numRef><c:f>");
	xb_puts(b, f);
	xb_puts(b, "</c:f><c:numCache><c:formatCode>General</c:formatCode>"
	           "<c:ptCount val=\"");
	xb_putu(b, n);
	xb_puts(b, "\"/>");
	for (k = 0; k < n; k++) {
		if (present && !present[k])
			continue;
		xb_puts(b, "<c:pt idx=\"");
		xb_putu(b, k);
		xb_puts(b, "\"><c:v>");
		put_num(b, v[k]);
		xb_puts(b, "</c:v></c:pt>");
	}
	xb_puts(b, "</c:numCache></c:numRef>");
}

static void put_accent_fill(struct xbuf *b, size_t i, int line)
{
	static const char *const acc[] = {"accent1", "accent2", "accent3",
	                                  "accent4", "accent5", "accent6"};
	/* Past six series the accents repeat darker, as Office does. */
	int shade = (i / 6) % 2;

	xb_puts(b, "<c:spPr>");
	if (line)
		xb_puts(b, "<a:ln w=\"28575\" cap=\"rnd\">");
	xb_puts(b, "<a:solidFill><a:schemeClr val=\"");
	xb_puts(b, acc[i % 6]);
	xb_puts(b,
	        shade ? "\"><a:lumMod val=\"60000\"/></a:schemeClr>" : "\"/>");
	xb_puts(b, "</a:solidFill>");
	if (line)
		xb_puts(b, "<a:round/></a:ln>");
	xb_puts(b, "</c:spPr>");
}

static void put_dlbls(struct xbuf *b, const struct pptx_chart *c)
{
	int pie = c->type == PPTX_CHART_PIE || c->type == PPTX_CHART_DOUGHNUT;

	if (!c->data_labels)
		return;
	xb_puts(b, "<c:dLbls>");
	if (c->type == PPTX_CHART_PIE)
		put_val(b, "dLblPos", "bestFit");
	xb_puts(b, "<c:showLegendKey val=\"0\"/><c:showVal val=\"1\"/>"
	           "<c:showCatName val=\"0\"/><c:showSerName val=\"0\"/>"
	           "<c:showPercent val=\"0\"/><c:showBubbleSize val=\"0\"/>");
	if (pie)
		xb_puts(b, "<c:showLeaderLines val=\"1\"/>");
	xb_puts(b, "</c:dLbls>");
}

static void put_series(struct xbuf *b, const struct pptx_chart *c, size_t i)
{
	const struct pptx_series *s = &c->series[i];
	enum pptx_chart_type t = c->type;
	char col[4], f[64];
	const char *name = s->name ? s->name : "";
	size_t last = c->ncats + 1;

	col_name(i + 1, col);
	xb_puts(b, "<c:ser><c:idx val=\"");
	xb_putu(b, i);
	xb_puts(b, "\"/><c:order val=\"");
	xb_putu(b, i);
	xb_puts(b, "\"/><c:tx>");
	snprintf(f, sizeof f, "Sheet1!$%s$1", col);
	put_str_ref(b, f, &name, 1);
	xb_puts(b, "</c:tx>");
	if (t != PPTX_CHART_PIE && t != PPTX_CHART_DOUGHNUT)
		put_accent_fill(
		        b, i, t == PPTX_CHART_LINE || t == PPTX_CHART_SCATTER);
	if (t == PPTX_CHART_BAR || t == PPTX_CHART_COLUMN)
		xb_puts(b, "<c:invertIfNegative val=\"0\"/>");
	if (t == PPTX_CHART_LINE || t == PPTX_CHART_SCATTER)
		xb_puts(b, "<c:marker><c:symbol val=\"circle\"/><c:size "
		           "val=\"5\"/></c:marker>");
	put_dlbls(b, c);
	if (t == PPTX_CHART_SCATTER) {
		snprintf(f, sizeof f, "Sheet1!$A$2:$A$%zu", last);
		xb_puts(b, "<c:xVal>");
		put_num_ref(b, f, c->cat_num, NULL, c->ncats);
		xb_puts(b, "</c:xVal><c:yVal>");
		snprintf(f, sizeof f, "Sheet1!$%s$2:$%s$%zu", col, col, last);
		put_num_ref(b, f, s->values, s->present, c->ncats);
		xb_puts(b, "</c:yVal><c:smooth val=\"0\"/></c:ser>");
		return;
	}
	snprintf(f, sizeof f, "Sheet1!$A$2:$A$%zu", last);
	xb_puts(b, "<c:cat>");
	put_str_ref(b, f, c->cats, c->ncats);
	xb_puts(b, "</c:cat><c:val>");
	snprintf(f, sizeof f, "Sheet1!$%s$2:$%s$%zu", col, col, last);
	put_num_ref(b, f, s->values, s->present, c->ncats);
	xb_puts(b, "</c:val>");
	if (t == PPTX_CHART_LINE)
		xb_puts(b, "<c:smooth val=\"0\"/>");
	xb_puts(b, "</c:ser>");
}

/* An axis's common head: id, scaling, delete, position, gridlines, title,
 * number format, ticks. */
static void put_axis_head(struct xbuf *b, const char *id, const char *pos,
                          int grid, const char *title)
{
	xb_puts(b, "<c:axId val=\"");
	xb_puts(b, id);
	xb_puts(b, "\"/><c:scaling><c:orientation val=\"minMax\"/>"
	           "</c:scaling><c:delete val=\"0\"/>");
	put_val(b, "axPos", pos);
	if (grid)
		xb_puts(b, "<c:majorGridlines><c:spPr><a:ln w=\"9525\">"
		           "<a:solidFill><a:schemeClr val=\"tx1\"><a:lumMod "
		           "val=\"15000\"/><a:lumOff val=\"85000\"/>"
		           "</a:schemeClr></a:solidFill></a:ln></c:spPr>"
		           "</c:majorGridlines>");
	if (title && title[0])
		put_title(b, title, 1200);
	xb_puts(b, "<c:numFmt formatCode=\"General\" sourceLinked=\"1\"/>"
	           "<c:majorTickMark val=\"none\"/><c:minorTickMark "
	           "val=\"none\"/><c:tickLblPos val=\"nextTo\"/>");
}

static void put_axes(struct xbuf *b, const struct pptx_chart *c)
{
	int horiz = c->type == PPTX_CHART_BAR;
	/* The category axis carries the x title, the value axis the y title,
	 * whichever way the bars run. */
	const char *cat_pos = horiz ? "l" : "b", *val_pos = horiz ? "b" : "l";

	if (c->type == PPTX_CHART_SCATTER) {
		xb_puts(b, "<c:valAx>");
		put_axis_head(b, AX_CAT, "b", 0, c->x_title);
		xb_puts(b, "<c:crossAx val=\"" AX_VAL "\"/><c:crosses "
		           "val=\"autoZero\"/><c:crossBetween val=\"midCat\"/>"
		           "</c:valAx>");
	} else {
		xb_puts(b, "<c:catAx>");
		put_axis_head(b, AX_CAT, cat_pos, 0, c->x_title);
		xb_puts(b, "<c:crossAx val=\"" AX_VAL "\"/><c:crosses "
		           "val=\"autoZero\"/><c:auto val=\"1\"/><c:lblAlgn "
		           "val=\"ctr\"/><c:lblOffset val=\"100\"/>"
		           "<c:noMultiLvlLbl val=\"0\"/></c:catAx>");
	}
	xb_puts(b, "<c:valAx>");
	put_axis_head(b, AX_VAL, val_pos, 1, c->y_title);
	xb_puts(b, "<c:crossAx val=\"" AX_CAT "\"/><c:crosses "
	           "val=\"autoZero\"/><c:crossBetween val=\"");
	xb_puts(b, c->type == PPTX_CHART_AREA ? "midCat" : "between");
	xb_puts(b, "\"/></c:valAx>");
}

static void put_plot(struct xbuf *b, const struct pptx_chart *c)
{
	size_t i;
	enum pptx_chart_type t = c->type;
	int pie = t == PPTX_CHART_PIE || t == PPTX_CHART_DOUGHNUT;

	xb_puts(b, "<c:plotArea><c:layout/>");
	switch (t) {
	case PPTX_CHART_BAR:
	case PPTX_CHART_COLUMN:
		xb_puts(b, "<c:barChart>");
		put_val(b, "barDir", t == PPTX_CHART_BAR ? "bar" : "col");
		xb_puts(b, "<c:grouping val=\"clustered\"/>");
		break;
	case PPTX_CHART_LINE:
		xb_puts(b, "<c:lineChart><c:grouping val=\"standard\"/>");
		break;
	case PPTX_CHART_AREA:
		xb_puts(b, "<c:areaChart><c:grouping val=\"standard\"/>");
		break;
	case PPTX_CHART_SCATTER:
		xb_puts(b, "<c:scatterChart><c:scatterStyle "
		           "val=\"lineMarker\"/>");
		break;
	case PPTX_CHART_PIE: xb_puts(b, "<c:pieChart>"); break;
	case PPTX_CHART_DOUGHNUT: xb_puts(b, "<c:doughnutChart>"); break;
	default: break;
	}
	/* Pie slices take one colour each; other kinds one per series. */
	put_val(b, "varyColors", pie ? "1" : "0");
	for (i = 0; i < c->nseries; i++)
		put_series(b, c, i);
	switch (t) {
	case PPTX_CHART_BAR:
	case PPTX_CHART_COLUMN:
		xb_puts(b, "<c:gapWidth val=\"150\"/><c:axId val=\"" AX_CAT
		           "\"/><c:axId val=\"" AX_VAL "\"/></c:barChart>");
		break;
	case PPTX_CHART_LINE:
		xb_puts(b, "<c:marker val=\"1\"/><c:axId val=\"" AX_CAT
		           "\"/><c:axId val=\"" AX_VAL "\"/></c:lineChart>");
		break;
	case PPTX_CHART_AREA:
		xb_puts(b, "<c:axId val=\"" AX_CAT "\"/><c:axId val=\"" AX_VAL
		           "\"/></c:areaChart>");
		break;
	case PPTX_CHART_SCATTER:
		xb_puts(b, "<c:axId val=\"" AX_CAT "\"/><c:axId val=\"" AX_VAL
		           "\"/></c:scatterChart>");
		break;
	case PPTX_CHART_PIE:
		xb_puts(b, "<c:firstSliceAng val=\"0\"/></c:pieChart>");
		break;
	case PPTX_CHART_DOUGHNUT:
		xb_puts(b,
		        "<c:firstSliceAng val=\"0\"/><c:holeSize val=\"50\"/>"
		        "</c:doughnutChart>");
		break;
	default: break;
	}
	if (!pie)
		put_axes(b, c);
	xb_puts(b, "</c:plotArea>");
}

static void put_chart_xml(struct xbuf *b, const struct pptx_chart *c)
{
	static const char *const pos[] = {[PPTX_LEGEND_BOTTOM] = "b",
	                                  [PPTX_LEGEND_RIGHT] = "r",
	                                  [PPTX_LEGEND_TOP] = "t",
	                                  [PPTX_LEGEND_LEFT] = "l"};
	const char *title = c->title;

	xb_puts(b, XML_DECL "<c:chartSpace xmlns:c=\"" NS_C "\" xmlns:a=\"" NS_A
	                    "\" xmlns:r=\"" NS_R "\"><c:date1904 val=\"0\"/>"
	                    "<c:lang val=\"en-US\"/><c:roundedCorners "
	                    "val=\"0\"/><c:chart>");
	/* A pie's legend lists its categories, so without a title its series
	 * name would be nowhere on the slide: show it as the title, which is
	 * what PowerPoint does for a one-series chart. */
	if ((!title || !title[0]) &&
	    (c->type == PPTX_CHART_PIE || c->type == PPTX_CHART_DOUGHNUT) &&
	    c->nseries == 1)
		title = c->series[0].name;
	if (title && title[0])
		put_title(b, title, 1800);
	put_val(b, "autoTitleDeleted", title && title[0] ? "0" : "1");
	put_plot(b, c);
	if (c->legend != PPTX_LEGEND_NONE) {
		xb_puts(b, "<c:legend>");
		put_val(b, "legendPos", pos[c->legend]);
		xb_puts(b, "<c:overlay val=\"0\"/></c:legend>");
	}
	xb_puts(b, "<c:plotVisOnly val=\"1\"/><c:dispBlanksAs val=\"gap\"/>"
	           "</c:chart><c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr>"
	           "<a:defRPr sz=\"1200\"/></a:pPr><a:endParaRPr "
	           "lang=\"en-US\"/></a:p></c:txPr><c:externalData "
	           "r:id=\"rId1\"><c:autoUpdate val=\"0\"/></c:externalData>"
	           "</c:chartSpace>");
}

/*
 * The embedded workbook: the fewest parts Excel and LibreOffice open
 * without complaint (content types, package rels, workbook, its rels, one
 * worksheet). Strings are inline (t="inlineStr"), so no shared-strings
 * part is needed.
 */

static void put_cell_str(struct xbuf *b, const char *ref, const char *s)
{
	xb_puts(b, "<c r=\"");
	xb_puts(b, ref);
	size_t n = s ? strlen(s) : 0;

	xb_puts(b, "\" t=\"inlineStr\"><is><t");
	/* Only where it matters: edge spaces would be trimmed otherwise. */
	if (n && (s[0] == ' ' || s[n - 1] == ' ' || s[0] == '\t' ||
	          s[n - 1] == '\t' || strchr(s, '\n')))
		xb_puts(b, " xml:space=\"preserve\"");
	xb_puts(b, ">");
	xb_esc_text(b, s ? s : "", n);
	xb_puts(b, "</t></is></c>");
}

static void put_cell_num(struct xbuf *b, const char *ref, double v)
{
	xb_puts(b, "<c r=\"");
	xb_puts(b, ref);
	xb_puts(b, "\"><v>");
	put_num(b, v);
	xb_puts(b, "</v></c>");
}

static void put_sheet(struct xbuf *b, const struct pptx_chart *c)
{
	char ref[24], col[4];
	size_t r, i;

	xb_puts(b, XML_DECL "<worksheet xmlns=\"" NS_SS "\"><sheetData>");
	for (r = 0; r <= c->ncats; r++) {
		xb_puts(b, "<row r=\"");
		xb_putu(b, r + 1);
		xb_puts(b, "\">");
		if (r > 0) {
			snprintf(ref, sizeof ref, "A%zu", r + 1);
			if (c->cat_num)
				put_cell_num(b, ref, c->cat_num[r - 1]);
			else
				put_cell_str(b, ref, c->cats[r - 1]);
		}
		for (i = 0; i < c->nseries; i++) {
			const struct pptx_series *s = &c->series[i];

			col_name(i + 1, col);
			snprintf(ref, sizeof ref, "%s%zu", col, r + 1);
			if (r == 0)
				put_cell_str(b, ref, s->name);
			else if (s->present[r - 1])
				put_cell_num(b, ref, s->values[r - 1]);
		}
		xb_puts(b, "</row>");
	}
	xb_puts(b, "</sheetData></worksheet>");
}

static int xbuf_sink(void *ctx, const void *data, size_t len)
{
	struct xbuf *b = ctx;

	xb_put(b, data, len);
	return xb_failed(b) ? -1 : 0;
}

pptx_status pptx_chart_xlsx(const struct pptx_chart *c, struct xbuf *out,
                            struct pptx_err *e)
{
	static const char ct[] =
	        XML_DECL "<Types xmlns=\"http://schemas.openxmlformats.org/"
	                 "package/2006/content-types\"><Default Extension="
	                 "\"rels\" ContentType=\"application/vnd."
	                 "openxmlformats-package.relationships+xml\"/>"
	                 "<Default Extension=\"xml\" ContentType=\""
	                 "application/xml\"/><Override PartName=\"/xl/"
	                 "workbook.xml\" ContentType=\"application/vnd."
	                 "openxmlformats-officedocument.spreadsheetml."
	                 "sheet.main+xml\"/><Override PartName=\"/xl/"
	                 "worksheets/sheet1.xml\" ContentType=\"application/"
	                 "vnd.openxmlformats-officedocument.spreadsheetml."
	                 "worksheet+xml\"/></Types>";
	static const char rels[] =
	        XML_DECL "<Relationships xmlns=\"http://schemas."
	                 "openxmlformats.org/package/2006/relationships\">"
	                 "<Relationship Id=\"rId1\" Type=\"" RT
	                 "officeDocument\" Target=\"xl/workbook.xml\"/>"
	                 "</Relationships>";
	static const char wb[] =
	        XML_DECL "<workbook xmlns=\"" NS_SS "\" xmlns:r=\"" NS_R
	                 "\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" "
	                 "r:id=\"rId1\"/></sheets></workbook>";
	static const char wbrels[] =
	        XML_DECL "<Relationships xmlns=\"http://schemas."
	                 "openxmlformats.org/package/2006/relationships\">"
	                 "<Relationship Id=\"rId1\" Type=\"" RT
	                 "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
	                 "</Relationships>";
	struct zipw *zw = NULL;
	struct xbuf sheet;
	pptx_status st;

	xb_init(&sheet, 0);
	put_sheet(&sheet, c);
	if (xb_failed(&sheet)) {
		xb_free(&sheet);
		return pptx_fail(e, PPTX_ERR_NOMEM,
		                 "out of memory building a chart's workbook");
	}
	st = zipw_open(&zw, xbuf_sink, out, e);
	if (st == PPTX_OK)
		st = zipw_add(zw, "[Content_Types].xml", ct, sizeof ct - 1, e);
	if (st == PPTX_OK)
		st = zipw_add(zw, "_rels/.rels", rels, sizeof rels - 1, e);
	if (st == PPTX_OK)
		st = zipw_add(zw, "xl/workbook.xml", wb, sizeof wb - 1, e);
	if (st == PPTX_OK)
		st = zipw_add(zw, "xl/_rels/workbook.xml.rels", wbrels,
		              sizeof wbrels - 1, e);
	if (st == PPTX_OK)
		st = zipw_add(zw, "xl/worksheets/sheet1.xml", sheet.p,
		              sheet.len, e);
	if (st == PPTX_OK) {
		st = zipw_finish(zw, e);
		zw = NULL;
	}
	zipw_abort(zw);
	xb_free(&sheet);
	if (st == PPTX_ERR_IO || xb_failed(out))
		return pptx_fail(e, PPTX_ERR_NOMEM,
		                 "out of memory building a chart's workbook");
	return st;
}

pptx_status pptx_chart_write(struct pptx_gen *g, const struct pptx_chart *c,
                             unsigned no, struct pptx_err *e)
{
	struct xbuf *b = &g->rels, wbk;
	char name[96];
	pptx_status st;

	xb_reset(b);
	put_chart_xml(b, c);
	if (xb_failed(b))
		return pptx_fail(e, PPTX_ERR_NOMEM,
		                 "out of memory building a chart");
	snprintf(name, sizeof name, "ppt/charts/chart%u.xml", no);
	st = zipw_add(g->zw, name, b->p, b->len, e);
	if (st != PPTX_OK)
		return st;
	xb_reset(b);
	xb_puts(b, XML_DECL "<Relationships xmlns=\"http://schemas."
	                    "openxmlformats.org/package/2006/relationships\">"
	                    "<Relationship Id=\"rId1\" Type=\"" RT "package\" "
	                    "Target=\"../embeddings/Microsoft_Excel_Worksheet");
	xb_putu(b, no);
	xb_puts(b, ".xlsx\"/></Relationships>");
	if (xb_failed(b))
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	snprintf(name, sizeof name, "ppt/charts/_rels/chart%u.xml.rels", no);
	st = zipw_add(g->zw, name, b->p, b->len, e);
	if (st != PPTX_OK)
		return st;
	xb_init(&wbk, 0);
	st = pptx_chart_xlsx(c, &wbk, e);
	if (st == PPTX_OK) {
		snprintf(name, sizeof name,
		         "ppt/embeddings/Microsoft_Excel_Worksheet%u.xlsx", no);
		/* Deflated whatever its size: its own parts are stored
		 * (each under the store threshold), so it shrinks by 70%. */
		st = zipw_add_deflated(g->zw, name, wbk.p, wbk.len, e);
	}
	xb_free(&wbk);
	return st;
}

void pptx_chart_frame(struct xbuf *b, unsigned id, const char *rid, uint64_t x,
                      uint64_t y, uint64_t cx, uint64_t cy)
{
	xb_puts(b, "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id=\"");
	xb_putu(b, id);
	xb_puts(b, "\" name=\"Chart ");
	xb_putu(b, id - 1);
	xb_puts(b, "\"/><p:cNvGraphicFramePr><a:graphicFrameLocks "
	           "noGrp=\"1\"/></p:cNvGraphicFramePr><p:nvPr/>"
	           "</p:nvGraphicFramePr><p:xfrm><a:off x=\"");
	xb_putu(b, x);
	xb_puts(b, "\" y=\"");
	xb_putu(b, y);
	xb_puts(b, "\"/><a:ext cx=\"");
	xb_putu(b, cx);
	xb_puts(b, "\" cy=\"");
	xb_putu(b, cy);
	xb_puts(b, "\"/></p:xfrm><a:graphic><a:graphicData uri=\"" NS_C
	           "\"><c:chart xmlns:c=\"" NS_C "\" r:id=\"");
	xb_puts(b, rid);
	xb_puts(b, "\"/></a:graphicData></a:graphic></p:graphicFrame>");
}

/*
 * Reading a chart part back (read_presentation): the chart kind, titles,
 * the category labels and every series' name and values, taken from the
 * caches (what every writer fills in; the embedded workbook is not read).
 */

#define NS_C_STRICT "http://purl.oclc.org/ooxml/drawingml/chart"
#define NS_A_STRICT "http://purl.oclc.org/ooxml/drawingml/main"
/* A bound on points per cache: far beyond a readable chart. */
#define READ_MAX_POINTS 100000

enum where { IN_NONE, IN_TX, IN_CAT, IN_VAL };

/* One cache being filled: text labels or numbers, by pt idx. */
struct rd_cache {
	const char **text;
	double *num;
	uint8_t *present;
	size_t n;
	int numeric;
};

struct chart_rd {
	struct pptx_deck *d;
	struct pptx_chart *c;
	size_t ser_cap;
	struct rd_cache cat;   /* the first series' categories */
	struct rd_cache *vals; /* per series, ser_cap of them */
	struct rd_cache *cur;  /* the cache being filled, or NULL */
	enum where where;
	int in_ser, in_v, in_t;
	int title_owner; /* 0 none, 1 chart, 2 x axis, 3 y axis */
	int axis;        /* 0 none, 'c' category/date axis, 'v' value axis */
	int ax_across;   /* the axis being read runs along the bottom/top */
	size_t pt;
	int have_pt;
	struct xbuf text;
};

static int is_c(const struct xmlr *r, const char *local)
{
	return xr_is(r, NS_C, local) || xr_is(r, NS_C_STRICT, local);
}

static int is_dml(const struct xmlr *r, const char *local)
{
	return xr_is(r, NS_A, local) || xr_is(r, NS_A_STRICT, local);
}

static const char *c_val(const struct xmlr *r)
{
	return xr_attr(r, "", "val");
}

/* The chart kinds by element name; 3-D, stock, radar and bar-of-pie
 * variants read as the nearest flat kind. */
static int kind_of(const struct xmlr *r)
{
	static const struct {
		const char *el;
		int kind;
	} kinds[] = {{"barChart", PPTX_CHART_COLUMN},
	             {"bar3DChart", PPTX_CHART_COLUMN},
	             {"lineChart", PPTX_CHART_LINE},
	             {"line3DChart", PPTX_CHART_LINE},
	             {"stockChart", PPTX_CHART_LINE},
	             {"radarChart", PPTX_CHART_LINE},
	             {"pieChart", PPTX_CHART_PIE},
	             {"pie3DChart", PPTX_CHART_PIE},
	             {"ofPieChart", PPTX_CHART_PIE},
	             {"doughnutChart", PPTX_CHART_DOUGHNUT},
	             {"areaChart", PPTX_CHART_AREA},
	             {"area3DChart", PPTX_CHART_AREA},
	             {"scatterChart", PPTX_CHART_SCATTER},
	             {"bubbleChart", PPTX_CHART_SCATTER}};
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (is_c(r, kinds[i].el))
			return kinds[i].kind;
	return -1;
}

static pptx_status rd_nomem(struct pptx_err *e)
{
	return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory reading a chart");
}

static pptx_status cache_size(struct chart_rd *rd, struct rd_cache *k,
                              const char *count, struct pptx_err *e)
{
	unsigned long n = count ? strtoul(count, NULL, 10) : 0;

	if (k->present) /* a second ptCount in one cache: keep the first */
		return PPTX_OK;
	if (n > READ_MAX_POINTS)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "a chart series has more than %d points",
		                 READ_MAX_POINTS);
	k->n = n;
	k->text = pptx_alloc(rd->d, (n ? n : 1) * sizeof *k->text);
	k->num = pptx_alloc(rd->d, (n ? n : 1) * sizeof *k->num);
	k->present = pptx_alloc(rd->d, n ? n : 1);
	if (!k->text || !k->num || !k->present)
		return rd_nomem(e);
	return PPTX_OK;
}

static pptx_status new_series(struct chart_rd *rd, struct pptx_err *e)
{
	struct pptx_chart *c = rd->c;

	if (c->nseries >= (size_t)PPTX_MAX_CHART_SERIES * 20)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "a chart has more than %d series",
		                 PPTX_MAX_CHART_SERIES * 20);
	if (c->nseries == rd->ser_cap) {
		size_t cap = rd->ser_cap;
		struct pptx_series *ns = pptx_grow(
		        rd->d, c->series, &cap, c->nseries, sizeof *c->series);
		struct rd_cache *nv;

		if (!ns)
			return rd_nomem(e);
		c->series = ns;
		nv = pptx_alloc(rd->d, cap * sizeof *nv);
		if (!nv)
			return rd_nomem(e);
		if (c->nseries)
			memcpy(nv, rd->vals, c->nseries * sizeof *nv);
		rd->vals = nv;
		rd->ser_cap = cap;
	}
	memset(&c->series[c->nseries], 0, sizeof c->series[0]);
	memset(&rd->vals[c->nseries], 0, sizeof rd->vals[0]);
	c->nseries++;
	return PPTX_OK;
}

/* A finished c:v: into the series name, a category or a value. */
static pptx_status end_v(struct chart_rd *rd, struct pptx_err *e)
{
	struct pptx_chart *c = rd->c;
	char *txt;

	if (xb_failed(&rd->text))
		return rd_nomem(e);
	if (!(txt = pptx_strndup(rd->d, rd->text.p ? rd->text.p : "",
	                         rd->text.len)))
		return rd_nomem(e);
	if (rd->where == IN_TX && c->nseries &&
	    !c->series[c->nseries - 1].name) {
		c->series[c->nseries - 1].name = txt;
		return PPTX_OK;
	}
	if (!rd->cur || !rd->have_pt || rd->pt >= rd->cur->n)
		return PPTX_OK;
	rd->cur->text[rd->pt] = txt;
	rd->cur->num[rd->pt] = strtod(txt, NULL);
	rd->cur->present[rd->pt] = 1;
	return PPTX_OK;
}

static pptx_status rd_start(struct chart_rd *rd, struct xmlr *r,
                            struct pptx_err *e)
{
	struct pptx_chart *c = rd->c;
	int k;

	if (rd->in_t || rd->in_v)
		return PPTX_OK;
	if ((k = kind_of(r)) >= 0) {
		/* A combination chart reads as its first kind. */
		if (!rd->axis && c->nseries == 0)
			c->type = (enum pptx_chart_type)k;
	} else if (is_c(r, "barDir") && c->nseries == 0) {
		const char *v = c_val(r);

		c->type = v && !strcmp(v, "bar") ? PPTX_CHART_BAR
		                                 : PPTX_CHART_COLUMN;
	} else if (is_c(r, "ser")) {
		rd->in_ser = 1;
		return new_series(rd, e);
	} else if (is_c(r, "tx") && rd->in_ser) {
		rd->where = IN_TX;
	} else if ((is_c(r, "cat") || is_c(r, "xVal")) && rd->in_ser) {
		rd->where = IN_CAT;
		/* Categories come from the first series that has them. */
		rd->cur = rd->cat.present ? NULL : &rd->cat;
		rd->cat.numeric = is_c(r, "xVal");
	} else if ((is_c(r, "val") || is_c(r, "yVal")) && rd->in_ser) {
		rd->where = IN_VAL;
		rd->cur = &rd->vals[c->nseries - 1];
	} else if (is_c(r, "numCache") && rd->where == IN_CAT && rd->cur) {
		rd->cur->numeric = 1;
	} else if (is_c(r, "ptCount") && rd->cur) {
		return cache_size(rd, rd->cur, c_val(r), e);
	} else if (is_c(r, "pt")) {
		const char *idx = xr_attr(r, "", "idx");

		rd->pt = idx ? strtoul(idx, NULL, 10) : 0;
		rd->have_pt = 1;
	} else if (is_c(r, "v")) {
		rd->in_v = 1;
		xb_reset(&rd->text);
	} else if (is_c(r, "catAx") || is_c(r, "dateAx") || is_c(r, "serAx")) {
		rd->axis = 'c';
	} else if (is_c(r, "valAx")) {
		rd->axis = 'v';
	} else if (is_c(r, "axPos") && rd->axis) {
		const char *v = c_val(r);

		rd->ax_across = v && (!strcmp(v, "b") || !strcmp(v, "t"));
	} else if (is_c(r, "title") && !rd->in_ser) {
		/* The category axis carries the x title; a value axis the
		 * y title, except a scatter chart's horizontal one. */
		rd->title_owner =
		        !rd->axis ? 1
		        : rd->axis == 'c' || (c->type == PPTX_CHART_SCATTER &&
		                              rd->ax_across)
		                ? 2
		                : 3;
		xb_reset(&rd->text);
	} else if (is_dml(r, "t") && rd->title_owner) {
		rd->in_t = 1;
	} else if (is_c(r, "showVal")) {
		const char *v = c_val(r);

		if (v && (!strcmp(v, "1") || !strcmp(v, "true")))
			c->data_labels = 1;
	} else if (is_c(r, "legend")) {
		c->legend = PPTX_LEGEND_RIGHT; /* the schema's default */
	} else if (is_c(r, "legendPos")) {
		const char *v = c_val(r);

		c->legend = !v                ? PPTX_LEGEND_RIGHT
		            : !strcmp(v, "b") ? PPTX_LEGEND_BOTTOM
		            : !strcmp(v, "t") ? PPTX_LEGEND_TOP
		            : !strcmp(v, "l") ? PPTX_LEGEND_LEFT
		                              : PPTX_LEGEND_RIGHT;
	}
	return PPTX_OK;
}

static pptx_status rd_end(struct chart_rd *rd, struct xmlr *r,
                          struct pptx_err *e)
{
	struct pptx_chart *c = rd->c;

	if (is_c(r, "v") && rd->in_v) {
		rd->in_v = 0;
		return end_v(rd, e);
	}
	if (is_dml(r, "t") && rd->in_t) {
		rd->in_t = 0;
	} else if (is_dml(r, "p") && rd->title_owner && rd->text.len) {
		xb_putc(&rd->text, '\n');
	} else if (is_c(r, "title") && rd->title_owner) {
		const char **dst = rd->title_owner == 1   ? &c->title
		                   : rd->title_owner == 2 ? &c->x_title
		                                          : &c->y_title;
		size_t n = rd->text.len;

		while (n && rd->text.p[n - 1] == '\n')
			n--;
		if (xb_failed(&rd->text) ||
		    !(*dst = pptx_strndup(rd->d, n ? rd->text.p : "", n)))
			return rd_nomem(e);
		rd->title_owner = 0;
	} else if (is_c(r, "pt")) {
		rd->have_pt = 0;
	} else if (is_c(r, "tx") || is_c(r, "cat") || is_c(r, "xVal") ||
	           is_c(r, "val") || is_c(r, "yVal")) {
		rd->where = IN_NONE;
		rd->cur = NULL;
	} else if (is_c(r, "ser")) {
		rd->in_ser = 0;
	} else if (is_c(r, "catAx") || is_c(r, "dateAx") || is_c(r, "serAx") ||
	           is_c(r, "valAx")) {
		rd->axis = 0;
	}
	return PPTX_OK;
}

/* Fill the model from the caches: ncats from the categories (or the
 * longest series when none has categories), gaps where a cache has no
 * point. */
static pptx_status rd_finish(struct chart_rd *rd, struct pptx_err *e)
{
	struct pptx_chart *c = rd->c;
	size_t i, k, n = rd->cat.n;
	char num[40];

	for (i = 0; !rd->cat.present && i < c->nseries; i++)
		if (rd->vals[i].n > n)
			n = rd->vals[i].n;
	c->ncats = n;
	c->cats = pptx_alloc(rd->d, (n ? n : 1) * sizeof *c->cats);
	if (!c->cats)
		return rd_nomem(e);
	if (c->type == PPTX_CHART_SCATTER) {
		c->cat_num =
		        pptx_alloc(rd->d, (n ? n : 1) * sizeof *c->cat_num);
		if (!c->cat_num)
			return rd_nomem(e);
	}
	for (k = 0; k < n; k++) {
		int have =
		        rd->cat.present && k < rd->cat.n && rd->cat.present[k];

		if (have) {
			c->cats[k] = rd->cat.text[k];
		} else {
			/* No label: number the category, as Office shows. */
			snprintf(num, sizeof num, "%zu", k + 1);
			if (!(c->cats[k] =
			              pptx_strndup(rd->d, num, strlen(num))))
				return rd_nomem(e);
		}
		if (c->cat_num)
			c->cat_num[k] = have ? rd->cat.num[k] : (double)(k + 1);
	}
	for (i = 0; i < c->nseries; i++) {
		struct pptx_series *s = &c->series[i];
		struct rd_cache *v = &rd->vals[i];

		if (!s->name && !(s->name = pptx_strndup(rd->d, "", 0)))
			return rd_nomem(e);
		s->values = pptx_alloc(rd->d, (n ? n : 1) * sizeof *s->values);
		s->present = pptx_alloc(rd->d, n ? n : 1);
		if (!s->values || !s->present)
			return rd_nomem(e);
		for (k = 0; k < n && k < v->n; k++) {
			s->present[k] = v->present[k];
			s->values[k] = v->num[k];
		}
	}
	return PPTX_OK;
}

pptx_status pptx_chart_parse(struct pptx_deck *d, const char *xml, size_t len,
                             struct pptx_chart *out, struct pptx_err *e)
{
	struct chart_rd rd;
	struct xmlr r;
	enum xr_type t;
	pptx_status st = PPTX_OK;

	memset(out, 0, sizeof *out);
	memset(&rd, 0, sizeof rd);
	rd.d = d;
	rd.c = out;
	out->type = PPTX_CHART_COLUMN;
	out->legend = PPTX_LEGEND_NONE; /* until a c:legend says otherwise */
	xb_init(&rd.text, 0);
	if (xr_init(&r, xml, len) != 0) {
		xb_free(&rd.text);
		return rd_nomem(e);
	}
	while (st == PPTX_OK && (t = xr_next(&r)) != XR_EOF) {
		if (t == XR_ERROR)
			st = pptx_fail(
			        e, PPTX_ERR_FORMAT,
			        "a chart part is not well-formed XML: %s",
			        xr_error(&r));
		else if (t == XR_START)
			st = rd_start(&rd, &r, e);
		else if (t == XR_END)
			st = rd_end(&rd, &r, e);
		else if (t == XR_TEXT && (rd.in_v || rd.in_t))
			xb_put(&rd.text, r.text, r.text_len);
	}
	if (st == PPTX_OK)
		st = rd_finish(&rd, e);
	xr_free(&r);
	xb_free(&rd.text);
	return st;
}
