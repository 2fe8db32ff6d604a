/*
 * Unit tests of the PPTX core: generation, ids, layout maths, bad input,
 * round trips through the reader, appending, and reader limits.
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
#include "pptx_json.h"
#include "pptx_read.h"
#include "pptx_write.h"
#include "test_images.h"
#include "xmlr.h"
#include "zipio.h"

struct mem {
	unsigned char *p;
	size_t len, cap;
	size_t fail_after; /* 0: never fail */
};

static int mem_sink(void *ctx, const void *data, size_t len)
{
	struct mem *m = ctx;

	if (m->fail_after && m->len + len > m->fail_after)
		return -1;
	if (m->cap - m->len < len) {
		size_t nc = m->cap ? m->cap * 2 : 65536;

		while (nc - m->len < len)
			nc *= 2;
		m->p = realloc(m->p, nc);
		assert_non_null(m->p);
		m->cap = nc;
	}
	memcpy(m->p + m->len, data, len);
	m->len += len;
	return 0;
}

static char *b64(const unsigned char *d, size_t n)
{
	static const char a[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	        "0123456789+/";
	char *o = malloc(n / 3 * 4 + 8), *p = o;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 |
		             d[i + 2];

		*p++ = a[v >> 18];
		*p++ = a[(v >> 12) & 63];
		*p++ = a[(v >> 6) & 63];
		*p++ = a[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)d[i] << 16;

		*p++ = a[v >> 18];
		*p++ = a[(v >> 12) & 63];
		*p++ = '=';
		*p++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8;

		*p++ = a[v >> 18];
		*p++ = a[(v >> 12) & 63];
		*p++ = a[(v >> 6) & 63];
		*p++ = '=';
	}
	*p = '\0';
	return o;
}

static const char *png_b64(void)
{
	static char *s;
	unsigned char buf[128];

	if (!s)
		s = b64(buf, test_png(buf, sizeof buf, 320, 200));
	return s;
}

static const char *jpeg_b64(void)
{
	static char *s;
	unsigned char buf[128];

	if (!s)
		s = b64(buf, test_jpeg(buf, sizeof buf, 0xC2, 640, 480, 0));
	return s;
}

#define FULL_FMT                                                                  \
	"{\"title\":\"T <&> \\\"q\\\"\",\"slides\":["                             \
	"{\"layout\":\"title\",\"title\":\"Hello <World> & co\","                 \
	"\"subtitle\":\"sub 'x'\",\"notes\":\"n1\\nline 2\\n\\nline 4\"},"        \
	"{\"layout\":\"bullets\",\"title\":\"中文 标题\",\"bullets\":[\"a\"," \
	"{\"text\":\"b\",\"level\":1},{\"text\":\"c\",\"level\":4},"              \
	"\"שלום\",\"😀 emoji\",\"x\\ny\"]},"                                \
	"{\"layout\":\"two_column\",\"title\":\"Two\",\"columns\":"               \
	"[[\"l1\",{\"text\":\"l2\",\"level\":2}],[\"r1\"]]},"                     \
	"{\"layout\":\"table\",\"title\":\"Tab\",\"table\":{\"columns\":"         \
	"[\"k\",\"v\"],\"rows\":[[\"a\",1],[\"b\",2.5],[\"<c>\"]]},"              \
	"\"notes\":\"tn\"},"                                                      \
	"{\"layout\":\"image\",\"title\":\"Png\",\"image\":{\"data\":\"%s\","     \
	"\"mime\":\"image/png\",\"alt\":\"alt <text>\"}},"                        \
	"{\"layout\":\"image\",\"title\":\"Jpeg\",\"image\":{\"data\":\"%s\","    \
	"\"mime\":\"image/jpeg\"}},"                                              \
	"{\"layout\":\"section\",\"title\":\"Sec\",\"subtitle\":\"part\"}]}"

/* A deck spec with every layout, notes, a table, both image types,
 * Unicode and XML metacharacters. */
static cJSON *full_spec(void)
{
	char *text;
	cJSON *j;
	size_t n;

	n = strlen(FULL_FMT) + strlen(png_b64()) + strlen(jpeg_b64()) + 1;
	text = malloc(n);
	snprintf(text, n, FULL_FMT, png_b64(), jpeg_b64());
	j = cJSON_Parse(text);
	free(text);
	assert_non_null(j);
	return j;
}

static pptx_status create(const char *json, struct mem *out, struct pptx_err *e)
{
	cJSON *j = cJSON_Parse(json);
	struct pptx_deck *d = NULL;
	pptx_status st;

	assert_non_null(j);
	st = pptx_json_deck(j, &d, e);
	cJSON_Delete(j);
	if (st == PPTX_OK)
		st = pptx_write(d, mem_sink, out, NULL, e);
	pptx_deck_free(d);
	return st;
}

static void print_problem(void *ctx, const char *msg)
{
	(void)ctx;
	print_message("lint: %s\n", msg);
}

static void assert_same_list(const struct pptx_list *a,
                             const struct pptx_list *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_string_equal(a->items[i].text, b->items[i].text);
		assert_int_equal(a->items[i].level, b->items[i].level);
	}
}

/* read(create(x)) == x for the text a deck carries. */
static void assert_round_trip(const struct pptx_deck *x,
                              const struct pptx_deck *y)
{
	size_t i, k, c;

	assert_int_equal(x->nslides, y->nslides);
	for (i = 0; i < x->nslides; i++) {
		const struct pptx_slide *a = &x->slides[i], *b = &y->slides[i];

		assert_int_equal(a->layout, b->layout);
		assert_string_equal(a->title ? a->title : "", b->title);
		if (a->subtitle)
			assert_string_equal(a->subtitle, b->subtitle);
		if (a->notes)
			assert_string_equal(a->notes, b->notes);
		else
			assert_null(b->notes);
		assert_same_list(&a->bullets, &b->bullets);
		for (k = 0; k < 2; k++)
			assert_same_list(&a->columns[k], &b->columns[k]);
		assert_int_equal(a->ntables, b->ntables);
		for (k = 0; k < a->ntables; k++) {
			assert_int_equal(a->tables[k].ncols,
			                 b->tables[k].ncols);
			assert_int_equal(a->tables[k].nrows,
			                 b->tables[k].nrows);
			for (c = 0; c < a->tables[k].ncols * a->tables[k].nrows;
			     c++)
				assert_string_equal(a->tables[k].cells[c],
				                    b->tables[k].cells[c]);
		}
		assert_int_equal(a->nimages, b->nimages);
		for (k = 0; k < a->nimages; k++)
			assert_string_equal(
			        a->images[k].alt ? a->images[k].alt : "",
			        b->images[k].alt ? b->images[k].alt : "");
	}
}

static void test_full_deck_lints_and_round_trips(void **state)
{
	cJSON *j = full_spec();
	struct pptx_deck *d = NULL, *back = NULL;
	struct pptx_err e = {0};
	struct mem m = {0}, m2 = {0};

	(void)state;
	assert_int_equal(pptx_json_deck(j, &d, &e), PPTX_OK);
	assert_int_equal(pptx_write(d, mem_sink, &m, NULL, &e), PPTX_OK);
	assert_int_equal(opc_lint(m.p, m.len, print_problem, NULL), 0);
	assert_int_equal(pptx_read(m.p, m.len, &back, &e), PPTX_OK);
	assert_round_trip(d, back);
	assert_string_equal(back->title, "T <&> \"q\"");
	/* The same deck gives the same bytes. */
	assert_int_equal(pptx_write(d, mem_sink, &m2, NULL, &e), PPTX_OK);
	assert_int_equal(m.len, m2.len);
	assert_memory_equal(m.p, m2.p, m.len);
	pptx_deck_free(d);
	pptx_deck_free(back);
	cJSON_Delete(j);
	free(m.p);
	free(m2.p);
}

static void test_empty_and_4x3_decks(void **state)
{
	struct mem m = {0};
	struct pptx_err e = {0};
	struct pptx_deck *back = NULL;
	struct zipr z;
	struct zip_entry *ent;

	(void)state;
	assert_int_equal(
	        create("{\"title\":\"\",\"aspect\":\"4:3\",\"slides\":[]}", &m,
	               &e),
	        PPTX_OK);
	assert_int_equal(opc_lint(m.p, m.len, print_problem, NULL), 0);
	assert_int_equal(pptx_read(m.p, m.len, &back, &e), PPTX_OK);
	assert_int_equal(back->nslides, 0);
	assert_int_equal(back->slide_cx, 9144000);
	pptx_deck_free(back);
	/* 4:3 scales the master's x geometry by 3/4. */
	assert_int_equal(zipr_load(m.p, m.len, NULL, NULL, &z, &e), PPTX_OK);
	ent = zipr_find(&z, "ppt/slideMasters/slideMaster1.xml");
	assert_non_null(ent);
	assert_non_null(strstr((char *)ent->data, "<a:off x=\"628650\""));
	assert_null(strstr((char *)ent->data, "10515600"));
	ent = zipr_find(&z, "ppt/presentation.xml");
	assert_non_null(strstr((char *)ent->data, "type=\"screen4x3\""));
	zipr_free(&z);
	free(m.p);
}

/* Walk a slide part and check its cNvPr ids are 1..n without repeats. */
static void test_ids_unique(void **state)
{
	cJSON *j = full_spec();
	struct pptx_deck *d = NULL;
	struct pptx_err e = {0};
	struct mem m = {0};
	struct zipr z;
	size_t i;

	(void)state;
	assert_int_equal(pptx_json_deck(j, &d, &e), PPTX_OK);
	assert_int_equal(pptx_write(d, mem_sink, &m, NULL, &e), PPTX_OK);
	assert_int_equal(zipr_load(m.p, m.len, NULL, NULL, &z, &e), PPTX_OK);
	for (i = 0; i < z.n; i++) {
		struct xmlr r;
		enum xr_type t;
		int seen[64] = {0};

		if (strncmp(z.entries[i].name, "ppt/slides/slide", 16) != 0)
			continue;
		xr_init(&r, (char *)z.entries[i].data, z.entries[i].len);
		while ((t = xr_next(&r)) != XR_EOF) {
			const char *id;

			assert_int_not_equal(t, XR_ERROR);
			if (t == XR_START && xr_is(&r, NS_P, "cNvPr")) {
				long v;

				id = xr_attr(&r, "", "id");
				assert_non_null(id);
				v = strtol(id, NULL, 10);
				assert_in_range(v, 1, 63);
				assert_int_equal(seen[v], 0);
				seen[v] = 1;
			}
		}
		xr_free(&r);
	}
	zipr_free(&z);
	pptx_deck_free(d);
	cJSON_Delete(j);
	free(m.p);
}

static void test_column_widths_sum(void **state)
{
	const char *cells[] = {"id",    "a much longer description column",
	                       "x",     "1",
	                       "short", "",
	                       "22",    "medium text here",
	                       "y"};
	struct pptx_table t = {3, 3, cells};
	uint64_t w[3];
	uint64_t widths[] = {10515600, 7886700, 1000001, 3};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof widths / sizeof widths[0]; k++) {
		pptx_table_widths(&t, widths[k], w);
		assert_int_equal(w[0] + w[1] + w[2], widths[k]);
	}
	pptx_table_widths(&t, 10515600, w);
	/* The long column gets the most room. */
	assert_true(w[1] > w[0] && w[1] > w[2]);
	t.ncols = 1;
	t.nrows = 1;
	pptx_table_widths(&t, 12345, w);
	assert_int_equal(w[0], 12345);
}

static void test_text_fit(void **state)
{
	static const unsigned sz[5] = {2800, 2400, 2000, 1800, 1800};
	struct pptx_para p[40];
	struct pptx_fit f;
	char *longtext = malloc(20001);
	size_t i;

	(void)state;
	for (i = 0; i < 40; i++) {
		p[i].text = "A bullet of ordinary length for a slide";
		p[i].level = (int)(i % 3);
	}
	f = pptx_fit_text(p, 3, sz, 1, 10515600, 4351338);
	assert_true(f.fits);
	assert_int_equal(f.font_scale, 100000);
	f = pptx_fit_text(p, 20, sz, 1, 10515600, 4351338);
	assert_true(f.fits);
	assert_true(f.font_scale < 100000);
	assert_true(f.ln_reduction > 0);
	memset(longtext, 'w', 20000);
	longtext[20000] = '\0';
	p[0].text = longtext;
	f = pptx_fit_text(p, 1, sz, 1, 10515600, 4351338);
	assert_false(f.fits);
	free(longtext);
}

static void test_overflow_warns(void **state)
{
	struct pptx_deck *d = pptx_deck_new();
	struct pptx_warnings w = {0};
	struct pptx_err e = {0};
	struct mem m = {0};
	struct pptx_para p;
	char *text = malloc(30001);

	(void)state;
	memset(text, 'm', 30000);
	text[30000] = '\0';
	p.text = text;
	p.level = 0;
	d->slides = pptx_alloc(d, sizeof *d->slides);
	d->nslides = 1;
	d->slides[0].layout = PPTX_LAYOUT_BULLETS;
	d->slides[0].title = "t";
	d->slides[0].bullets.items = &p;
	d->slides[0].bullets.n = 1;
	assert_int_equal(pptx_write(d, mem_sink, &m, &w, &e), PPTX_OK);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.msg[0], "slide 1"));
	/* And the shape says how far it shrank. */
	{
		struct zipr z;
		struct zip_entry *ent;

		assert_int_equal(zipr_load(m.p, m.len, NULL, NULL, &z, &e),
		                 PPTX_OK);
		ent = zipr_find(&z, "ppt/slides/slide1.xml");
		assert_non_null(
		        strstr((char *)ent->data, "fontScale=\"25000\""));
		zipr_free(&z);
	}
	free(text);
	free(m.p);
	pptx_deck_free(d);
}

static void expect_refused(const char *json, const char *needle)
{
	struct mem m = {0};
	struct pptx_err e = {0};
	pptx_status st = create(json, &m, &e);

	if (st == PPTX_OK)
		fail_msg("accepted: %.200s", json);
	if (!strstr(e.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, needle);
	/* Nothing was written: bad input fails before the first byte. */
	assert_int_equal(m.len, 0);
	free(m.p);
}

static void test_bad_input(void **state)
{
	char buf[512];
	unsigned char png[128];
	size_t n = test_png(png, sizeof png, 8, 8);
	char *corrupt;

	(void)state;
	expect_refused(
	        "{\"slides\":[{\"layout\":\"smartart\",\"title\":\"x\"}]}",
	        "unknown layout \"smartart\"");
	snprintf(buf, sizeof buf,
	         "{\"slides\":[{\"layout\":\"image\",\"title\":\"x\",\"image\":"
	         "{\"data\":\"%s\",\"mime\":\"image/jpg\"}}]}",
	         jpeg_b64());
	expect_refused(buf, "use \"image/jpeg\"");
	snprintf(buf, sizeof buf,
	         "{\"slides\":[{\"layout\":\"image\",\"title\":\"x\",\"image\":"
	         "{\"data\":\"%s\",\"mime\":\"image/gif\"}}]}",
	         png_b64());
	expect_refused(buf, "not supported");
	snprintf(buf, sizeof buf,
	         "{\"slides\":[{\"layout\":\"image\",\"title\":\"x\",\"image\":"
	         "{\"data\":\"%s\",\"mime\":\"image/jpeg\"}}]}",
	         png_b64());
	expect_refused(buf, "set \"mime\" to \"image/png\"");
	png[20] ^= 0x40; /* corrupt the IHDR */
	corrupt = b64(png, n);
	snprintf(buf, sizeof buf,
	         "{\"slides\":[{\"layout\":\"image\",\"title\":\"x\",\"image\":"
	         "{\"data\":\"%s\",\"mime\":\"image/png\"}}]}",
	         corrupt);
	expect_refused(buf, "unusable image");
	free(corrupt);
	expect_refused("{\"slides\":[{\"layout\":\"image\",\"title\":\"x\","
	               "\"image\":{\"data\":\"!!!\",\"mime\":\"image/png\"}}]}",
	               "not valid base64");
	expect_refused("{\"slides\":[{\"layout\":\"image\",\"title\":\"x\"}]}",
	               "no \"image\"");
	expect_refused("{\"slides\":[{\"layout\":\"title\",\"title\":\"x\","
	               "\"bullets\":[\"a\"]}]}",
	               "no place for \"bullets\"");
	expect_refused("{\"slides\":[{\"layout\":\"bullets\",\"title\":\"x\","
	               "\"bullets\":[{\"text\":\"a\",\"level\":5}]}]}",
	               "level");
	expect_refused("{\"slides\":[{\"layout\":\"table\",\"title\":\"x\","
	               "\"table\":{\"columns\":[\"a\"],\"rows\":[[1,2]]}}]}",
	               "has 2 cells");
	expect_refused(
	        "{\"slides\":[{\"layout\":\"two_column\",\"title\":\"x\"}]}",
	        "no \"columns\"");
	expect_refused("{\"aspect\":\"21:9\",\"slides\":[]}", "\"aspect\"");
	expect_refused("{\"slides\":[42]}", "must be an object");
}

static void test_too_many_slides(void **state)
{
	size_t n = PPTX_MAX_SLIDES + 1, i, len = 0;
	char *json = malloc(n * 40 + 64);

	(void)state;
	len += (size_t)sprintf(json, "{\"slides\":[");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(json + len, "%s{\"title\":\"s\"}",
		                       i ? "," : "");
	memcpy(json + len, "]}", 3);
	expect_refused(json, "more than the limit of 5000");
	free(json);
}

static void test_huge_image(void **state)
{
	/* 50 MB of image as base64: refused from its length, before any
	 * decoding. */
	size_t raw = (size_t)50 * 1024 * 1024, n = raw / 3 * 4;
	const char *pre = "{\"slides\":[{\"layout\":\"image\",\"title\":\"x\","
	                  "\"image\":{\"mime\":\"image/png\",\"data\":\"";
	char *json = malloc(strlen(pre) + n + 16);
	size_t len = strlen(pre);

	(void)state;
	memcpy(json, pre, len + 1);
	memset(json + len, 'A', n);
	memcpy(json + len + n, "\"}}]}", 6);
	expect_refused(json, "over the limit of 20 MiB");
	free(json);
}

static void test_sink_failure(void **state)
{
	cJSON *j = full_spec();
	struct pptx_deck *d = NULL;
	struct pptx_err e = {0};
	struct mem m = {0};

	(void)state;
	m.fail_after = 2000;
	assert_int_equal(pptx_json_deck(j, &d, &e), PPTX_OK);
	assert_int_equal(pptx_write(d, mem_sink, &m, NULL, &e), PPTX_ERR_IO);
	pptx_deck_free(d);
	cJSON_Delete(j);
	free(m.p);
}

static void test_append(void **state)
{
	cJSON *j = full_spec(), *more;
	struct pptx_deck *d = NULL, *add = NULL, *back = NULL;
	struct pptx_err e = {0};
	struct mem m = {0}, m2 = {0};
	size_t total = 0;
	char buf[1024];

	(void)state;
	assert_int_equal(pptx_json_deck(j, &d, &e), PPTX_OK);
	assert_int_equal(pptx_write(d, mem_sink, &m, NULL, &e), PPTX_OK);
	snprintf(buf, sizeof buf,
	         "[{\"layout\":\"bullets\",\"title\":\"Added\",\"bullets\":"
	         "[\"new\"],\"notes\":\"added notes\"},{\"layout\":\"image\","
	         "\"title\":\"Pic\",\"image\":{\"data\":\"%s\",\"mime\":"
	         "\"image/png\"}}]",
	         png_b64());
	more = cJSON_Parse(buf);
	add = pptx_deck_new();
	assert_int_equal(pptx_json_slides(add, more, 1, &e), PPTX_OK);
	assert_int_equal(
	        pptx_append(m.p, m.len, add, mem_sink, &m2, NULL, &total, &e),
	        PPTX_OK);
	assert_int_equal(total, d->nslides + 2);
	assert_int_equal(opc_lint(m2.p, m2.len, print_problem, NULL), 0);
	assert_int_equal(pptx_read(m2.p, m2.len, &back, &e), PPTX_OK);
	assert_int_equal(back->nslides, d->nslides + 2);
	assert_string_equal(back->slides[d->nslides].title, "Added");
	assert_string_equal(back->slides[d->nslides].notes, "added notes");
	assert_string_equal(back->slides[d->nslides].bullets.items[0].text,
	                    "new");
	assert_int_equal(back->slides[d->nslides + 1].nimages, 1);
	/* The original slides are untouched. */
	back->nslides = d->nslides;
	assert_round_trip(d, back);
	pptx_deck_free(d);
	pptx_deck_free(add);
	pptx_deck_free(back);
	cJSON_Delete(j);
	cJSON_Delete(more);
	free(m.p);
	free(m2.p);
}

static void expect_read_error(const unsigned char *p, size_t n,
                              pptx_status want, const char *needle)
{
	struct pptx_deck *d = NULL;
	struct pptx_err e = {0};
	pptx_status st = pptx_read(p, n, &d, &e);

	assert_null(d);
	assert_int_equal(st, want);
	if (!strstr(e.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, needle);
}

static void test_read_bad_files(void **state)
{
	const unsigned char text[] = "just some text, not a deck";
	const unsigned char ole[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest";
	struct mem m = {0}, z = {0};
	struct pptx_err e = {0};
	struct zipw *zw;
	const char *docx_ct =
	        "<Types xmlns=\"http://schemas.openxmlformats.org/"
	        "package/2006/content-types\"/>";

	(void)state;
	expect_read_error(text, sizeof text, PPTX_ERR_FORMAT, "not a .pptx");
	expect_read_error(ole, sizeof ole, PPTX_ERR_FORMAT, "password");
	/* A zip that is not a deck. */
	assert_int_equal(zipw_open(&zw, mem_sink, &z, &e), PPTX_OK);
	assert_int_equal(zipw_add(zw, "[Content_Types].xml", docx_ct,
	                          strlen(docx_ct), &e),
	                 PPTX_OK);
	assert_int_equal(zipw_add(zw, "word/document.xml", "<w/>", 4, &e),
	                 PPTX_OK);
	assert_int_equal(zipw_finish(zw, &e), PPTX_OK);
	expect_read_error(z.p, z.len, PPTX_ERR_FORMAT, "not a PowerPoint");
	/* A truncated deck. */
	assert_int_equal(create("{\"slides\":[{\"title\":\"a\"}]}", &m, &e),
	                 PPTX_OK);
	expect_read_error(m.p, m.len / 2, PPTX_ERR_FORMAT, "");
	free(m.p);
	free(z.p);
}

static void test_read_zip_bomb(void **state)
{
	size_t big = (size_t)40 * 1024 * 1024;
	char *zeros = calloc(1, big);
	struct mem z = {0};
	struct pptx_err e = {0};
	struct zipw *zw;

	(void)state;
	assert_non_null(zeros);
	memset(zeros, ' ', big);
	assert_int_equal(zipw_open(&zw, mem_sink, &z, &e), PPTX_OK);
	assert_int_equal(zipw_add(zw, "ppt/presentation.xml", zeros, big, &e),
	                 PPTX_OK);
	assert_int_equal(zipw_finish(zw, &e), PPTX_OK);
	free(zeros);
	assert_true(z.len < big / 100);
	expect_read_error(z.p, z.len, PPTX_ERR_LIMIT, "zip bomb");
	free(z.p);
}

static void test_base64(void **state)
{
	unsigned char *out;
	size_t n;

	(void)state;
	assert_int_equal(pptx_b64_decode("aGVsbG8=", 8, 100, &out, &n), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "hello", 5);
	free(out);
	assert_int_equal(
	        pptx_b64_decode("data:image/png;base64,aGk", 25, 100, &out, &n),
	        0);
	assert_int_equal(n, 2);
	free(out);
	assert_int_equal(pptx_b64_decode("aGV\nsbG8", 8, 100, &out, &n), 0);
	free(out);
	assert_int_equal(pptx_b64_decode("a", 1, 100, &out, &n), -1);
	assert_int_equal(pptx_b64_decode("aGVs*G8=", 8, 100, &out, &n), -1);
	assert_int_equal(pptx_b64_decode("aGVsbG8=", 8, 3, &out, &n), -2);
}

/* Every length 0..300 of pseudo-random bytes decodes back exactly: plain,
 * in the URL-safe alphabet, and with a line break every 76 characters (so
 * the fast four-digit path and the one-digit path both carry the data). A
 * byte outside the alphabet is refused wherever it sits. */
static void test_base64_round_trip(void **state)
{
	unsigned char data[300], *out;
	uint32_t seed = 12345;
	size_t len, n, i;

	(void)state;
	for (i = 0; i < sizeof data; i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (unsigned char)(seed >> 16);
	}
	for (len = 0; len <= sizeof data; len++) {
		char *enc = b64(data, len), *wrapped, *p;
		size_t elen = strlen(enc), k;

		assert_int_equal(pptx_b64_decode(enc, elen, 1000, &out, &n), 0);
		assert_int_equal(n, len);
		if (len)
			assert_memory_equal(out, data, len);
		free(out);

		wrapped = malloc(elen + elen / 76 * 2 + 1);
		for (k = 0, p = wrapped; k < elen; k++) {
			char c = enc[k];

			*p++ = c == '+' ? '-' : c == '/' ? '_' : c;
			if (k % 76 == 75) {
				*p++ = '\r';
				*p++ = '\n';
			}
		}
		assert_int_equal(pptx_b64_decode(wrapped, (size_t)(p - wrapped),
		                                 1000, &out, &n),
		                 0);
		assert_int_equal(n, len);
		if (len)
			assert_memory_equal(out, data, len);
		free(out);
		free(wrapped);

		for (k = 0; k < elen && enc[k] != '='; k += 7) {
			char saved = enc[k];

			enc[k] = '*';
			assert_int_equal(
			        pptx_b64_decode(enc, elen, 1000, &out, &n), -1);
			enc[k] = saved;
		}
		free(enc);
	}
}

/* Every byte value, at every place of a 32-character block of a long
 * text (where the vector path runs), decodes as the one-character rules
 * say: a digit of either alphabet is its value, whitespace is skipped,
 * anything else (and '=' before the end) is refused. */
static void test_base64_every_byte(void **state)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	                            "opqrstuvwxyz0123456789+/";
	char text[161];
	unsigned char want[128], *out;
	size_t n, k, pos;
	int c;

	(void)state;
	for (pos = 0; pos < 40; pos++)
		for (c = 0; c < 256; c++) {
			const char *d = c ? strchr(alpha, c) : NULL;
			int value = d          ? (int)(d - alpha)
			            : c == '-' ? 62
			            : c == '_' ? 63
			                       : -1;
			int ws =
			        c == ' ' || c == '\n' || c == '\r' || c == '\t';
			uint32_t acc = 0;
			size_t bits = 0, o = 0;

			for (k = 0; k < 160; k++)
				text[k] = alpha[(k * 11 + 3) % 64];
			text[pos] = (char)c;
			text[160] = '\0';
			for (k = 0; k < 160; k++) {
				int v = k == pos
				                ? value
				                : (int)(strchr(alpha, text[k]) -
				                        alpha);

				if (v < 0)
					continue;
				acc = acc << 6 | (uint32_t)v;
				bits += 6;
				if (bits >= 8) {
					bits -= 8;
					want[o++] =
					        (unsigned char)(acc >> bits);
				}
			}
			n = 0;
			out = NULL;
			if (value >= 0 || ws) {
				assert_int_equal(pptx_b64_decode(text, 160,
				                                 1000, &out,
				                                 &n),
				                 0);
				assert_int_equal(n, o);
				assert_memory_equal(out, want, o);
				free(out);
			} else {
				assert_int_equal(pptx_b64_decode(text, 160,
				                                 1000, &out,
				                                 &n),
				                 -1);
			}
		}
}

/* The text itself as the decoder's buffer, as pptx_json_deck_take uses it. */
static void *in_place(void *ctx, size_t size)
{
	(void)size;
	return ctx;
}

/* Decoding in place, over the text being read, gives the same bytes as
 * into a fresh buffer: for every length 0..300, plain, behind a data: URL
 * header and wrapped at 76 columns (both the four-digit and the one-digit
 * path write behind the reader), and still refuses a bad character. */
static void test_base64_in_place(void **state)
{
	unsigned char data[300], *out;
	uint32_t seed = 777;
	size_t len, n, i;

	(void)state;
	for (i = 0; i < sizeof data; i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (unsigned char)(seed >> 16);
	}
	for (len = 0; len <= sizeof data; len++) {
		char *enc = b64(data, len);
		size_t elen = strlen(enc), k;
		char *text = malloc(elen * 2 + 64), *p;

		/* Plain. */
		memcpy(text, enc, elen + 1);
		assert_int_equal(pptx_b64_decode_with(text, elen, 1000,
		                                      in_place, text, &out, &n),
		                 0);
		assert_ptr_equal(out, text);
		assert_int_equal(n, len);
		if (len)
			assert_memory_equal(out, data, len);
		/* A data: URL header, then lines of 76 with CRLF. */
		p = text + sprintf(text, "data:image/png;base64,");
		for (k = 0; k < elen; k++) {
			*p++ = enc[k];
			if (k % 76 == 75) {
				*p++ = '\r';
				*p++ = '\n';
			}
		}
		*p = '\0';
		assert_int_equal(pptx_b64_decode_with(text, (size_t)(p - text),
		                                      1000, in_place, text,
		                                      &out, &n),
		                 0);
		assert_int_equal(n, len);
		if (len)
			assert_memory_equal(out, data, len);
		if (elen > 2) {
			memcpy(text, enc, elen + 1);
			text[elen / 2] = '*';
			assert_int_equal(pptx_b64_decode_with(text, elen, 1000,
			                                      in_place, text,
			                                      &out, &n),
			                 -1);
			assert_null(out);
		}
		free(text);
		free(enc);
	}
}

static const cJSON *image_data(const cJSON *spec, int slide)
{
	const cJSON *s = cJSON_GetArrayItem(
	        cJSON_GetObjectItemCaseSensitive(spec, "slides"), slide);

	return cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(s, "image"), "data");
}

/* pptx_json_deck_take makes the same deck, to the byte, as
 * pptx_json_deck, and leaves "" where it took an image's base64; a take
 * that fails after an image was taken frees it with the deck (ASan). */
static void test_take_same_deck(void **state)
{
	cJSON *j = full_spec(), *k = full_spec(), *bad;
	struct pptx_deck *d = NULL, *t = NULL;
	struct pptx_err e = {0};
	struct mem m = {0}, m2 = {0};
	char *text;
	size_t n;

	(void)state;
	assert_int_equal(pptx_json_deck(j, &d, &e), PPTX_OK);
	assert_true(strlen(image_data(j, 4)->valuestring) > 20);
	assert_int_equal(pptx_json_deck_take(k, &t, &e), PPTX_OK);
	assert_string_equal(image_data(k, 4)->valuestring, "");
	assert_string_equal(image_data(k, 5)->valuestring, "");
	/* The deck holds the image, not args: they can go first. */
	cJSON_Delete(k);
	assert_int_equal(pptx_write(d, mem_sink, &m, NULL, &e), PPTX_OK);
	assert_int_equal(pptx_write(t, mem_sink, &m2, NULL, &e), PPTX_OK);
	assert_int_equal(m.len, m2.len);
	assert_memory_equal(m.p, m2.p, m.len);
	free(m.p);
	free(m2.p);
	pptx_deck_free(d);
	pptx_deck_free(t);
	cJSON_Delete(j);

	/* A PNG taken, then a refusal on a later slide. */
	n = strlen(png_b64()) + 256;
	text = malloc(n);
	snprintf(text, n,
	         "{\"slides\":[{\"layout\":\"image\",\"image\":{\"data\":"
	         "\"%s\",\"mime\":\"image/png\"}},{\"layout\":\"nope\"}]}",
	         png_b64());
	bad = cJSON_Parse(text);
	free(text);
	assert_non_null(bad);
	t = NULL;
	assert_int_equal(pptx_json_deck_take(bad, &t, &e), PPTX_ERR_INPUT);
	assert_null(t);
	assert_string_equal(image_data(bad, 0)->valuestring, "");
	cJSON_Delete(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_full_deck_lints_and_round_trips),
	        cmocka_unit_test(test_empty_and_4x3_decks),
	        cmocka_unit_test(test_ids_unique),
	        cmocka_unit_test(test_column_widths_sum),
	        cmocka_unit_test(test_text_fit),
	        cmocka_unit_test(test_overflow_warns),
	        cmocka_unit_test(test_bad_input),
	        cmocka_unit_test(test_too_many_slides),
	        cmocka_unit_test(test_huge_image),
	        cmocka_unit_test(test_sink_failure),
	        cmocka_unit_test(test_append),
	        cmocka_unit_test(test_read_bad_files),
	        cmocka_unit_test(test_read_zip_bomb),
	        cmocka_unit_test(test_base64),
	        cmocka_unit_test(test_base64_round_trip),
	        cmocka_unit_test(test_base64_in_place),
	        cmocka_unit_test(test_base64_every_byte),
	        cmocka_unit_test(test_take_same_deck),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
