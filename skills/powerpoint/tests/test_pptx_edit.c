/*
 * Unit tests of pptx_edit: run formatting kept by replace_text (inside a
 * run and across runs), duplicate's copied parts, pruning, and the op
 * errors (each names its op; nothing is written).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "opc_lint.h"
#include "pptx_edit.h"
#include "pptx_json.h"
#include "pptx_read.h"
#include "pptx_write.h"
#include "zipio.h"

struct buf {
	unsigned char *p;
	size_t len;
	int calls;
};

static int sink(void *ctx, const void *data, size_t len)
{
	struct buf *b = ctx;
	unsigned char *np = realloc(b->p, b->len + len + 1);

	if (!np)
		return -1;
	memcpy(np + b->len, data, len);
	b->p = np;
	b->len += len;
	b->calls++;
	return 0;
}

static const char *deck_json =
        "{\"title\":\"t\",\"slides\":["
        "{\"layout\":\"bullets\",\"title\":\"Plan\",\"bullets\":"
        "[\"**bold** plain tail\",\"second line\"],\"notes\":\"n1\"},"
        "{\"layout\":\"chart\",\"title\":\"Chart\",\"chart\":{\"type\":"
        "\"bar\",\"categories\":[\"a\",\"b\"],\"series\":[{\"name\":\"S\","
        "\"values\":[1,2]}]}},"
        "{\"layout\":\"table\",\"title\":\"Tab\",\"table\":{\"columns\":"
        "[\"k\",\"v\"],\"rows\":[[\"x\",1]]}}]}";

static struct buf make_deck(void)
{
	cJSON *j = cJSON_Parse(deck_json);
	struct pptx_deck *d = NULL;
	struct pptx_err e = {0};
	struct buf b = {0};

	assert_int_equal(pptx_json_deck(j, &d, &e), PPTX_OK);
	assert_int_equal(pptx_write(d, sink, &b, NULL, &e), PPTX_OK);
	pptx_deck_free(d);
	cJSON_Delete(j);
	return b;
}

/* Edit deck with ops (JSON text); returns the status, output in out. */
static pptx_status edit(const struct buf *deck, const char *ops,
                        struct buf *out, size_t *total, struct pptx_err *e)
{
	cJSON *j = cJSON_Parse(ops);
	pptx_status st;

	assert_non_null(j);
	memset(out, 0, sizeof *out);
	st = pptx_edit(deck->p, deck->len, j, sink, out, NULL, total, e);
	cJSON_Delete(j);
	return st;
}

static char *part_text(const struct buf *b, const char *name)
{
	struct zipr z;
	struct pptx_err e = {0};
	struct zip_entry *ent;
	char *s = NULL;

	assert_int_equal(zipr_load(b->p, b->len, NULL, NULL, &z, &e), PPTX_OK);
	ent = zipr_find(&z, name);
	if (ent)
		s = strdup((const char *)ent->data);
	zipr_free(&z);
	return s;
}

static void test_replace_keeps_runs(void **state)
{
	struct buf deck = make_deck(), out;
	struct pptx_err e = {0};
	size_t total = 0;
	char *xml;
	const char *bold, *t;

	(void)state;
	/* Inside one run: the plain run keeps its own properties. */
	assert_int_equal(edit(&deck,
	                      "[{\"op\":\"replace_text\",\"slide\":1,\"find\":"
	                      "\"tail\",\"replace\":\"end & <more>\"}]",
	                      &out, &total, &e),
	                 PPTX_OK);
	assert_int_equal(total, 3);
	assert_int_equal(opc_lint(out.p, out.len, NULL, NULL), 0);
	xml = part_text(&out, "ppt/slides/slide1.xml");
	assert_non_null(xml);
	assert_non_null(strstr(xml, "> plain end &amp; &lt;more&gt;</a:t>"));
	/* The bold run is untouched: b="1" right before "bold". */
	bold = strstr(xml, ">bold</a:t>");
	assert_non_null(bold);
	t = bold;
	while (t > xml && strncmp(t, "<a:r>", 5) != 0)
		t--;
	assert_non_null(strstr(t, "b=\"1\""));
	assert_true(strstr(t, "b=\"1\"") < bold);
	free(xml);
	free(out.p);

	/* Across runs: the match goes into the run where it starts (bold),
	 * the rest of it is cut from the next. */
	assert_int_equal(edit(&deck,
	                      "[{\"op\":\"replace_text\",\"slide\":1,\"find\":"
	                      "\"old pla\",\"replace\":\"OLD\"}]",
	                      &out, &total, &e),
	                 PPTX_OK);
	xml = part_text(&out, "ppt/slides/slide1.xml");
	assert_non_null(strstr(xml, ">bOLD</a:t>"));
	assert_non_null(strstr(xml, ">in tail</a:t>"));
	free(xml);
	free(out.p);
	free(deck.p);
}

static void test_duplicate_and_delete_parts(void **state)
{
	struct buf deck = make_deck(), out;
	struct pptx_err e = {0};
	size_t total = 0;
	char *rels, *ct;
	struct pptx_deck *d = NULL;

	(void)state;
	assert_int_equal(edit(&deck,
	                      "[{\"op\":\"duplicate_slide\",\"slide\":2},"
	                      "{\"op\":\"duplicate_slide\",\"slide\":1,\"to\":"
	                      "1},{\"op\":\"delete_slide\",\"slide\":5}]",
	                      &out, &total, &e),
	                 PPTX_OK);
	assert_int_equal(total, 4);
	assert_int_equal(opc_lint(out.p, out.len, NULL, NULL), 0);
	/* The chart copy has its own chart part and workbook. */
	rels = part_text(&out, "ppt/charts/_rels/chart2.xml.rels");
	assert_non_null(rels);
	assert_non_null(strstr(rels, "Microsoft_Excel_Worksheet2.xlsx"));
	free(rels);
	ct = part_text(&out, "[Content_Types].xml");
	assert_non_null(strstr(ct, "/ppt/charts/chart2.xml"));
	/* The copy of slide 1 got its own notes slide, pointing back at it. */
	assert_non_null(strstr(ct, "/ppt/notesSlides/notesSlide2.xml"));
	/* The table slide (deleted) is gone with its Override. */
	assert_null(strstr(ct, "/ppt/slides/slide3.xml"));
	free(ct);
	rels = part_text(&out, "ppt/notesSlides/_rels/notesSlide2.xml.rels");
	assert_non_null(rels);
	assert_non_null(strstr(rels, "/ppt/slides/slide5.xml"));
	free(rels);
	assert_int_equal(pptx_read(out.p, out.len, &d, &e), PPTX_OK);
	assert_int_equal(d->nslides, 4);
	assert_string_equal(d->slides[0].title, "Plan");
	assert_string_equal(d->slides[0].notes, "n1");
	assert_string_equal(d->slides[1].title, "Plan");
	assert_string_equal(d->slides[2].title, "Chart");
	assert_string_equal(d->slides[3].title, "Chart");
	pptx_deck_free(d);
	free(out.p);
	free(deck.p);
}

static void test_bad_ops(void **state)
{
	static const struct {
		const char *ops, *want;
	} bad[] = {
	        {"[{\"op\":\"delete_slide\",\"slide\":4}]",
	         "ops[0] (delete_slide): \"slide\" is 4, outside 1..3"},
	        {"[{\"op\":\"delete_slide\",\"slide\":1},{\"op\":"
	         "\"set_cell\",\"slide\":2,\"table\":0,\"row\":0,\"col\":2,"
	         "\"text\":\"x\"}]",
	         "ops[1] (set_cell): row 0 of table 0 on slide 2 has 2 cells"},
	        {"[{\"op\":\"set_cell\",\"slide\":1,\"table\":0,\"row\":0,"
	         "\"col\":0,\"text\":\"x\"}]",
	         "slide 1 has 0 tables"},
	        {"[{\"op\":\"set_text\",\"slide\":2,\"placeholder\":"
	         "\"subtitle\",\"text\":\"x\"}]",
	         "slide 2 has no subtitle placeholder"},
	        {"[{\"op\":\"replace_text\",\"slide\":1,\"find\":\"\","
	         "\"replace\":\"x\"}]",
	         "\"find\" is empty"},
	        {"[{\"op\":\"move_slide\",\"slide\":1,\"to\":9}]",
	         "\"to\" is 9, outside 1..3"},
	        {"[{\"op\":\"set_notes\",\"slide\":1.5,\"text\":\"x\"}]",
	         "whole number"},
	        {"[{\"op\":\"set_notes\",\"slide\":1}]", "\"text\""},
	        {"[{\"op\":\"delete_slide\",\"slide\":1,\"to\":2}]",
	         "unknown key \"to\""},
	        {"[\"delete\"]", "each operation is an object"},
	        {"{}", "non-empty array"},
	        {"[{\"op\":\"add_slides\",\"slides\":[{\"title\":\"x\","
	         "\"layout_name\":\"Nope\"}]}]",
	         "ops[0] (add_slides): slide 1: the deck has no layout named "
	         "\"Nope\"; its layouts are \"Title Slide\""},
	};
	struct buf deck = make_deck(), out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct pptx_err e = {0};

		assert_int_not_equal(edit(&deck, bad[i].ops, &out, NULL, &e),
		                     PPTX_OK);
		if (!strstr(e.msg, bad[i].want))
			fail_msg("%s: got \"%s\"", bad[i].ops, e.msg);
		/* Nothing reached the sink. */
		assert_int_equal(out.calls, 0);
		free(out.p);
	}
	free(deck.p);
}

/* add_slides with layout_name takes the deck's layout of that name; a new
 * deck refuses it (it has no layouts of its own to name). */
static void test_layout_name(void **state)
{
	struct buf deck = make_deck(), out;
	struct pptx_err e = {0};
	size_t total = 0;
	char *rels;
	cJSON *j;
	struct pptx_deck *d = NULL;

	(void)state;
	assert_int_equal(edit(&deck,
	                      "[{\"op\":\"add_slides\",\"at\":1,\"slides\":"
	                      "[{\"title\":\"N\",\"bullets\":[\"b\"],"
	                      "\"layout_name\":\"Two Content\"}]}]",
	                      &out, &total, &e),
	                 PPTX_OK);
	assert_int_equal(total, 4);
	rels = part_text(&out, "ppt/slides/_rels/slide4.xml.rels");
	assert_non_null(rels);
	assert_non_null(strstr(rels, "slideLayouts/slideLayout4.xml"));
	free(rels);
	assert_int_equal(opc_lint(out.p, out.len, NULL, NULL), 0);
	assert_int_equal(pptx_read(out.p, out.len, &d, &e), PPTX_OK);
	assert_string_equal(d->slides[0].title, "N");
	pptx_deck_free(d);
	free(out.p);
	free(deck.p);

	j = cJSON_Parse("{\"title\":\"t\",\"slides\":[{\"title\":\"a\","
	                "\"layout_name\":\"Two Content\"}]}");
	assert_int_equal(pptx_json_deck(j, &d, &e), PPTX_OK);
	memset(&out, 0, sizeof out);
	assert_int_equal(pptx_write(d, sink, &out, NULL, &e), PPTX_ERR_INPUT);
	assert_non_null(strstr(e.msg, "slide 1: \"layout_name\""));
	assert_int_equal(out.calls, 0);
	pptx_deck_free(d);
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_replace_keeps_runs),
	        cmocka_unit_test(test_duplicate_and_delete_parts),
	        cmocka_unit_test(test_bad_ops),
	        cmocka_unit_test(test_layout_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
