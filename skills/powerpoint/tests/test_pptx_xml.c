/*
 * Unit tests: XML escaping and the pull tokenizer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "opc.h"
#include "xmlr.h"
#include "xmlw.h"

static char *esc(const char *s, size_t n, int attr)
{
	static char out[1024];
	struct xbuf b;

	xb_init(&b, 0);
	if (attr)
		xb_esc_attr(&b, s, n);
	else
		xb_esc_text(&b, s, n);
	assert_false(xb_failed(&b));
	snprintf(out, sizeof out, "%s", b.p ? b.p : "");
	xb_free(&b);
	return out;
}

static void test_escape_metachars(void **state)
{
	(void)state;
	assert_string_equal(esc("a<b>&c\"d'", 9, 0), "a&lt;b&gt;&amp;c\"d'");
	assert_string_equal(esc("a<b>&c\"d'", 9, 1),
	                    "a&lt;b&gt;&amp;c&quot;d'");
	assert_string_equal(esc("x\ty\nz", 5, 1), "x&#9;y&#10;z");
	assert_string_equal(esc("x\ty\nz", 5, 0), "x\ty\nz");
}

static void test_escape_controls(void **state)
{
	(void)state;
	/* C0 controls other than tab and LF, CR and DEL are dropped. */
	assert_string_equal(esc("a\x01\x0b\x0c\x1f\r\x7f"
	                        "b",
	                        8, 0),
	                    "ab");
	/* An embedded NUL is dropped, not a terminator. */
	assert_string_equal(esc("a\0b", 3, 0), "ab");
}

static void test_escape_utf8(void **state)
{
	(void)state;
	/* Valid multi-byte text passes unchanged. */
	assert_string_equal(esc("中文 שלום 😀", strlen("中文 שלום 😀"), 0),
	                    "中文 שלום 😀");
	/* Invalid: lone continuation, overlong '/', surrogate, truncated. */
	assert_string_equal(esc("a\x80"
	                        "b",
	                        3, 0),
	                    "ab");
	assert_string_equal(esc("a\xC0\xAF"
	                        "b",
	                        4, 0),
	                    "ab");
	assert_string_equal(esc("a\xED\xA0\x80"
	                        "b",
	                        5, 0),
	                    "ab");
	assert_string_equal(esc("a\xE4\xB8", 3, 0), "a");
	/* U+FFFE and U+FFFF are not XML characters. */
	assert_string_equal(esc("a\xEF\xBF\xBE\xEF\xBF\xBF"
	                        "b",
	                        8, 0),
	                    "ab");
	assert_string_equal(esc("\xF4\x90\x80\x80", 4, 0), "");
}

static void test_buffer_limit(void **state)
{
	struct xbuf b;

	(void)state;
	xb_init(&b, 8);
	xb_puts(&b, "12345678");
	assert_false(xb_failed(&b));
	xb_putc(&b, '9');
	assert_true(xb_failed(&b));
	xb_free(&b);
}

/* Tokenize doc into a compact trace: S{ns}local[a=v,...] E T"text". */
static int trace(const char *doc, char *out, size_t cap)
{
	struct xmlr r;
	enum xr_type t;
	size_t n = 0, i;

	out[0] = '\0';
	xr_init(&r, doc, strlen(doc));
	while ((t = xr_next(&r)) != XR_EOF) {
		if (n >= cap - 1)
			n = 0; /* keep only the tail of a long trace */
		if (t == XR_ERROR) {
			snprintf(out + n, cap - n, "!%s", xr_error(&r));
			xr_free(&r);
			return -1;
		}
		if (t == XR_START) {
			n += (size_t)snprintf(out + n, cap - n, "S{%s}%s", r.ns,
			                      r.local);
			for (i = 0; i < r.nattrs && n < cap; i++)
				n += (size_t)snprintf(
				        out + n, cap - n, "[{%s}%s=%s]",
				        r.attrs[i].ns, r.attrs[i].local,
				        r.attrs[i].value);
		} else if (t == XR_END) {
			n += (size_t)snprintf(out + n, cap - n, "E%s ",
			                      r.local);
		} else {
			n += (size_t)snprintf(out + n, cap - n, "T\"%.*s\"",
			                      (int)r.text_len, r.text);
		}
		if (n >= cap)
			n = cap - 1;
	}
	xr_free(&r);
	return 0;
}

static void test_tokenizer_basic(void **state)
{
	char out[2048];

	(void)state;
	assert_int_equal(trace("<?xml version=\"1.0\"?>\n<!-- c -->"
	                       "<a:x xmlns:a=\"urn:a\" k='1'><a:y/>t</a:x>\n",
	                       out, sizeof out),
	                 0);
	assert_string_equal(out, "S{urn:a}x[{}k=1]S{urn:a}yEy T\"t\"Ex ");
}

static void test_tokenizer_entities(void **state)
{
	char out[2048];

	(void)state;
	assert_int_equal(trace("<r a=\"&lt;&amp;&#65;&#x42;&quot;\">&gt;&apos;"
	                       "&#x4E2D;&#128512;</r>",
	                       out, sizeof out),
	                 0);
	assert_string_equal(out, "S{}r[{}a=<&AB\"]T\">'中😀\"Er ");
	/* Attribute whitespace is normalised; a char ref keeps its LF. */
	assert_int_equal(trace("<r a=\"x\ty\nz&#10;\"/>", out, sizeof out), 0);
	assert_string_equal(out, "S{}r[{}a=x y z\n]Er ");
	/* CRLF in text becomes LF. */
	assert_int_equal(trace("<r>a\r\nb\rc</r>", out, sizeof out), 0);
	assert_string_equal(out, "S{}rT\"a\nb\nc\"Er ");
}

static void test_tokenizer_cdata_comments(void **state)
{
	char out[2048];

	(void)state;
	assert_int_equal(trace("<r>a<![CDATA[<b>&amp;]]>c<!-- x -->d<?pi z?>e"
	                       "</r>",
	                       out, sizeof out),
	                 0);
	assert_string_equal(out, "S{}rT\"a<b>&amp;cde\"Er ");
}

static void test_tokenizer_namespaces(void **state)
{
	char out[2048];

	(void)state;
	/* Same namespace under two prefixes, a default namespace, and a
	 * redeclaration that ends with its element. */
	assert_int_equal(trace("<x:a xmlns:x=\"urn:p\" xmlns=\"urn:d\">"
	                       "<q:b xmlns:q=\"urn:p\" x:at=\"1\"/><c/>"
	                       "<d xmlns=\"urn:e\"><e/></d><f/></x:a>",
	                       out, sizeof out),
	                 0);
	assert_string_equal(out, "S{urn:p}aS{urn:p}b[{urn:p}at=1]Eb S{urn:d}c"
	                         "Ec S{urn:e}dS{urn:e}eEe Ed S{urn:d}fEf Ea ");
}

static void test_tokenizer_errors(void **state)
{
	static const char *const bad[] = {
	        "",
	        "<a>",
	        "<a></b>",
	        "<a><b></a></b>",
	        "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
	        "<a>&unknown;</a>",
	        "<a>&#0;</a>",
	        "<a>&#xD800;</a>",
	        "<a>&#1114112;</a>",
	        "<a b=\"1\" b=\"2\"/>",
	        "<a b=1/>",
	        "<a b=\"<\"/>",
	        "<p:a/>",
	        "<a/><b/>",
	        "text<a/>",
	        "<a><![CDATA[x</a>",
	        "<a><!-- x</a>",
	        "<a>\x01</a>",
	        "<a>\xC3</a>",
	        "\xFF\xFE<\0a\0/\0>\0",
	        "<a><!X></a>",
	        "<a><!ELEMENT a ANY></a>",
	};
	char out[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (trace(bad[i], out, sizeof out) == 0)
			fail_msg("accepted bad XML #%zu: %s", i, bad[i]);
	}
}

static void test_tokenizer_depth_cap(void **state)
{
	size_t depth = XR_MAX_DEPTH + 10, i, n = 0;
	char *doc = malloc(depth * 7 + 1);
	char out[256];

	(void)state;
	assert_non_null(doc);
	for (i = 0; i < depth; i++)
		n += (size_t)sprintf(doc + n, "<a>");
	for (i = 0; i < depth; i++)
		n += (size_t)sprintf(doc + n, "</a>");
	assert_int_equal(trace(doc, out, sizeof out), -1);
	assert_non_null(strstr(out, "deeper"));
	free(doc);
}

static void test_tokenizer_offsets_and_skip(void **state)
{
	const char *doc = "<r><s><t>x</t></s><u k=\"v\"/></r>";
	struct xmlr r;
	enum xr_type t;

	(void)state;
	xr_init(&r, doc, strlen(doc));
	assert_int_equal(xr_next(&r), XR_START); /* r */
	assert_int_equal(xr_next(&r), XR_START); /* s */
	assert_int_equal(r.ev_start, 3);
	assert_int_equal(xr_skip(&r), XR_END);
	assert_string_equal(r.local, "s");
	assert_int_equal(r.ev_start, 14);
	t = xr_next(&r);
	assert_int_equal(t, XR_START);
	assert_string_equal(xr_attr(&r, "", "k"), "v");
	assert_null(xr_attr(&r, "urn:x", "k"));
	assert_int_equal(xr_next(&r), XR_END); /* u, empty element */
	assert_int_equal(r.ev_start, r.ev_end);
	assert_int_equal(xr_next(&r), XR_END);
	assert_int_equal(xr_next(&r), XR_EOF);
	xr_free(&r);
}

static void test_opc_resolve(void **state)
{
	char out[OPC_MAX_NAME];

	(void)state;
	assert_int_equal(opc_resolve("ppt/slides/slide1.xml",
	                             "../slideLayouts/slideLayout1.xml", out,
	                             sizeof out),
	                 0);
	assert_string_equal(out, "ppt/slideLayouts/slideLayout1.xml");
	assert_int_equal(
	        opc_resolve("", "ppt/presentation.xml", out, sizeof out), 0);
	assert_string_equal(out, "ppt/presentation.xml");
	assert_int_equal(opc_resolve("ppt/slides/slide1.xml",
	                             "/ppt/media/a%20b.png", out, sizeof out),
	                 0);
	assert_string_equal(out, "ppt/media/a b.png");
	assert_int_equal(
	        opc_resolve("ppt/x.xml", "./a/../b.xml", out, sizeof out), 0);
	assert_string_equal(out, "ppt/b.xml");
	assert_int_equal(
	        opc_resolve("ppt/x.xml", "../../etc/passwd", out, sizeof out),
	        -1);
	assert_int_equal(
	        opc_rels_name("ppt/slides/slide1.xml", out, sizeof out), 0);
	assert_string_equal(out, "ppt/slides/_rels/slide1.xml.rels");
	assert_int_equal(opc_rels_name("", out, sizeof out), 0);
	assert_string_equal(out, "_rels/.rels");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_escape_metachars),
	        cmocka_unit_test(test_escape_controls),
	        cmocka_unit_test(test_escape_utf8),
	        cmocka_unit_test(test_buffer_limit),
	        cmocka_unit_test(test_tokenizer_basic),
	        cmocka_unit_test(test_tokenizer_entities),
	        cmocka_unit_test(test_tokenizer_cdata_comments),
	        cmocka_unit_test(test_tokenizer_namespaces),
	        cmocka_unit_test(test_tokenizer_errors),
	        cmocka_unit_test(test_tokenizer_depth_cap),
	        cmocka_unit_test(test_tokenizer_offsets_and_skip),
	        cmocka_unit_test(test_opc_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
