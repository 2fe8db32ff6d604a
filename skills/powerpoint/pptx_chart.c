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
#include <string.h>

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

	xb_puts(b, XML_DECL "<c:chartSpace xmlns:c=\"" NS_C "\" xmlns:a=\"" NS_A
	                    "\" xmlns:r=\"" NS_R "\"><c:date1904 val=\"0\"/>"
	                    "<c:lang val=\"en-US\"/><c:roundedCorners "
	                    "val=\"0\"/><c:chart>");
	if (c->title && c->title[0])
		put_title(b, c->title, 1800);
	put_val(b, "autoTitleDeleted", c->title && c->title[0] ? "0" : "1");
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
		st = zipw_add(g->zw, name, wbk.p, wbk.len, e);
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
