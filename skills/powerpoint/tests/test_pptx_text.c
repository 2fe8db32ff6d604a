/*
 * test_pptx_text.c - the Markdown subset, paragraph direction, themes and
 * chart parts at the unit level (pptx_text.c, pptx_theme.c, pptx_chart.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pptx_chart.h"
#include "pptx_text.h"
#include "pptx_theme.h"

static char *plain(const char *s)
{
	static char out[512];
	struct xbuf b;

	xb_init(&b, 0);
	pptx_plain(&b, s, strlen(s));
	assert_false(xb_failed(&b));
	snprintf(out, sizeof out, "%.*s", (int)b.len, b.p ? b.p : "");
	xb_free(&b);
	return out;
}

static char *rich(const char *s, struct pptx_links *l)
{
	static char out[2048];
	struct xbuf b;

	xb_init(&b, 0);
	pptx_put_rich(&b, s, strlen(s), 0, l);
	snprintf(out, sizeof out, "%.*s", (int)b.len, b.p ? b.p : "");
	xb_free(&b);
	return out;
}

static void test_markdown_plain(void **state)
{
	(void)state;
	assert_string_equal(plain("**bold** and *it*"), "bold and it");
	assert_string_equal(plain("__under__"), "under");
	/* Not markers: inside words, around spaces, unclosed. */
	assert_string_equal(plain("5*3*2"), "5*3*2");
	assert_string_equal(plain("a * b * c"), "a * b * c");
	assert_string_equal(plain("snake_case_name"), "snake_case_name");
	assert_string_equal(plain("**open only"), "**open only");
	assert_string_equal(plain("\\*lit\\* \\\\"), "*lit* \\");
	assert_string_equal(plain("see [docs](https://x.org/a) now"),
	                    "see docs now");
	/* Only http(s) and mailto make links. */
	assert_string_equal(plain("[x](javascript:alert(1))"),
	                    "[x](javascript:alert(1))");
	assert_string_equal(plain("[x](file:///etc/passwd)"),
	                    "[x](file:///etc/passwd)");
}

static void test_markdown_runs(void **state)
{
	struct pptx_links l;
	const char *x;

	(void)state;
	memset(&l, 0, sizeof l);
	xb_init(&l.rels, 0);
	x = rich("a **b** *c* __d__ [e](mailto:f@g.h)", &l);
	assert_non_null(strstr(x, " b=\"1\""));
	assert_non_null(strstr(x, " i=\"1\""));
	assert_non_null(strstr(x, " u=\"sng\""));
	assert_non_null(strstr(x, "<a:hlinkClick r:id=\"rIdL1\"/>"));
	assert_int_equal(l.n, 1);
	assert_non_null(strstr(l.rels.p, "Target=\"mailto:f@g.h\" "
	                                 "TargetMode=\"External\""));
	/* Markup in text is escaped, never passed through. */
	x = rich("<b>&amp;</b>", &l);
	assert_non_null(strstr(x, "&lt;b&gt;&amp;amp;&lt;/b&gt;"));
	/* Without a link table, a link is its text. */
	x = rich("[e](https://a.b)", NULL);
	assert_null(strstr(x, "hlinkClick"));
	assert_non_null(strstr(x, "<a:t>e</a:t>"));
	xb_free(&l.rels);
}

static void test_direction(void **state)
{
	(void)state;
	/* One Arabic word in an English title stays left-to-right. */
	assert_int_equal(pptx_first_strong_rtl("Report on \xd9\x85\xd8\xb1"
	                                       "\xd8\xad\xd8\xa8\xd8\xa7"),
	                 0);
	assert_int_equal(pptx_first_strong_rtl("\xd9\x85\xd8\xb1\xd8\xad "
	                                       "then English"),
	                 1);
	/* Digits, punctuation and emoji are not strong. */
	assert_int_equal(pptx_first_strong_rtl("2025: \xd7\xa9\xd7\x9c\xd7"
	                                       "\x95\xd7\x9d"),
	                 1);
	assert_int_equal(pptx_first_strong_rtl("\xf0\x9f\x98\x80 hi"), 0);
	assert_int_equal(pptx_first_strong_rtl("123 !?"), 0);
	assert_int_equal(pptx_first_strong_rtl(""), 0);
	/* CJK is left-to-right. */
	assert_int_equal(pptx_first_strong_rtl("\xe4\xb8\xad \xd7\xa9"), 0);
}

static void test_theme_part(void **state)
{
	static const char skel[] =
	        "<a:theme><a:themeElements><a:clrScheme "
	        "name=\"x\"></a:clrScheme>"
	        "<a:fontScheme name=\"x\"></a:fontScheme><a:fmtScheme/>"
	        "</a:themeElements></a:theme>";
	const struct pptx_theme *t = pptx_theme_find("forest");
	struct xbuf b;

	(void)state;
	assert_true(pptx_theme_count >= 6);
	assert_non_null(t);
	assert_null(pptx_theme_find("neon"));
	xb_init(&b, 0);
	assert_int_equal(pptx_theme_part(&b, t, (const unsigned char *)skel,
	                                 strlen(skel)),
	                 0);
	xb_putc(&b, 0);
	assert_non_null(strstr(b.p, "<a:accent1><a:srgbClr val=\"2E7D32\"/>"));
	assert_non_null(strstr(b.p, "<a:latin typeface=\"Georgia\"/>"));
	assert_non_null(strstr(b.p, "</a:fontScheme><a:fmtScheme/>"));
	xb_free(&b);
	xb_init(&b, 0);
	assert_int_equal(
	        pptx_theme_part(&b, t, (const unsigned char *)"<x/>", 4), -1);
	xb_free(&b);
}

static int sink(void *ctx, const void *data, size_t len)
{
	xb_put(ctx, data, len);
	return xb_failed(ctx) ? -1 : 0;
}

/* A chart read back from the chart part written for it. */
static void test_chart_round_trip(void **state)
{
	const char *cats[] = {"a & b", "c"};
	double v1[] = {1.5, 2}, v2[] = {0, -3e-7};
	uint8_t p1[] = {1, 1}, p2[] = {0, 1};
	struct pptx_series ser[] = {{"s1", v1, p1}, {"s<2>", v2, p2}};
	struct pptx_chart c, back;
	struct pptx_deck *d = pptx_deck_new();
	struct pptx_gen g;
	struct pptx_err e = {0};
	struct xbuf wb;
	struct zipr z;
	struct zip_entry *ent;

	(void)state;
	memset(&c, 0, sizeof c);
	c.type = PPTX_CHART_BAR;
	c.title = "T";
	c.y_title = "Y";
	c.cats = cats;
	c.ncats = 2;
	c.series = ser;
	c.nseries = 2;
	c.legend = PPTX_LEGEND_TOP;
	assert_int_equal(pptx_chart_check(&c, 1, &e), PPTX_OK);
	/* Write the chart's parts into a zip in memory, read the chart part
	 * back: the same kind, titles, labels, names and values. */
	memset(&g, 0, sizeof g);
	xb_init(&g.rels, 0);
	xb_init(&wb, 0);
	assert_int_equal(zipw_open(&g.zw, sink, &wb, &e), PPTX_OK);
	assert_int_equal(pptx_chart_write(&g, &c, 7, &e), PPTX_OK);
	assert_int_equal(zipw_finish(g.zw, &e), PPTX_OK);
	assert_int_equal(zipr_load((const unsigned char *)wb.p, wb.len, NULL,
	                           NULL, &z, &e),
	                 PPTX_OK);
	ent = zipr_find(&z, "ppt/charts/chart7.xml");
	assert_non_null(ent);
	assert_non_null(zipr_find(
	        &z, "ppt/embeddings/Microsoft_Excel_Worksheet7.xlsx"));
	assert_non_null(strstr(
	        (const char *)zipr_find(&z, "ppt/charts/_rels/chart7.xml.rels")
	                ->data,
	        "Target=\"../embeddings/"
	        "Microsoft_Excel_Worksheet7.xlsx\""));
	assert_int_equal(pptx_chart_parse(d, (const char *)ent->data, ent->len,
	                                  &back, &e),
	                 PPTX_OK);
	assert_int_equal(back.type, PPTX_CHART_BAR);
	assert_string_equal(back.title, "T");
	assert_string_equal(back.y_title, "Y");
	assert_null(back.x_title);
	assert_int_equal(back.ncats, 2);
	assert_string_equal(back.cats[0], "a & b");
	assert_int_equal(back.nseries, 2);
	assert_string_equal(back.series[1].name, "s<2>");
	assert_true(back.series[0].values[0] == 1.5);
	assert_false(back.series[1].present[0]);
	assert_true(back.series[1].values[1] == -3e-7);
	assert_int_equal(back.legend, PPTX_LEGEND_TOP);
	zipr_free(&z);
	xb_free(&wb);
	xb_free(&g.rels);
	{
		/* A hand-made part: another writer's minimal chart. */
		static const char xml[] =
		        "<c:chartSpace xmlns:c=\"http://schemas.openxmlformats."
		        "org/drawingml/2006/chart\"><c:chart><c:plotArea>"
		        "<c:lineChart><c:ser><c:tx><c:v>Only</c:v></c:tx>"
		        "<c:val><c:numLit><c:ptCount val=\"3\"/><c:pt "
		        "idx=\"0\">"
		        "<c:v>4</c:v></c:pt><c:pt idx=\"2\"><c:v>6.5</c:v>"
		        "</c:pt></c:numLit></c:val></c:ser></c:lineChart>"
		        "</c:plotArea></c:chart></c:chartSpace>";

		assert_int_equal(
		        pptx_chart_parse(d, xml, strlen(xml), &back, &e),
		        PPTX_OK);
		assert_int_equal(back.type, PPTX_CHART_LINE);
		assert_int_equal(back.nseries, 1);
		assert_string_equal(back.series[0].name, "Only");
		assert_int_equal(back.ncats, 3);
		assert_string_equal(back.cats[1], "2"); /* numbered */
		assert_true(back.series[0].present[0] &&
		            !back.series[0].present[1] &&
		            back.series[0].present[2]);
		assert_true(back.series[0].values[2] == 6.5);
		assert_int_equal(back.legend, PPTX_LEGEND_NONE);
		assert_int_equal(pptx_chart_parse(d, "<c:x", 4, &back, &e),
		                 PPTX_ERR_FORMAT);
	}
	/* Bad charts are refused before writing. */
	c.ncats = 0;
	assert_int_equal(pptx_chart_check(&c, 2, &e), PPTX_ERR_LIMIT);
	c.ncats = 2;
	c.type = PPTX_CHART_SCATTER; /* no numeric x values */
	assert_int_equal(pptx_chart_check(&c, 2, &e), PPTX_ERR_INPUT);
	pptx_deck_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_markdown_plain),
	        cmocka_unit_test(test_markdown_runs),
	        cmocka_unit_test(test_direction),
	        cmocka_unit_test(test_theme_part),
	        cmocka_unit_test(test_chart_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
