/*
 * test_pptx_jparse - pptx_json_parse builds the tree cJSON's own parser
 * builds, on fixed texts and on thousands of generated ones, and refuses
 * what is not JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jparse.h"

/* a and b are the same tree: types, keys, strings, numbers (double and
 * int), member order, and cJSON's list links (the first child's prev is
 * the last child). */
static void assert_same_tree(const cJSON *a, const cJSON *b)
{
	const cJSON *ca, *cb, *last_a = NULL, *last_b = NULL;

	if (!a || !b) {
		fail_msg("a tree is missing");
		return;
	}
	assert_int_equal(a->type, b->type);
	if (a->string || b->string) {
		assert_non_null(a->string);
		assert_non_null(b->string);
		assert_string_equal(a->string, b->string);
	}
	if (cJSON_IsString(a))
		assert_string_equal(a->valuestring, b->valuestring);
	else
		assert_null(b->valuestring);
	assert_int_equal(a->valueint, b->valueint);
	assert_memory_equal(&a->valuedouble, &b->valuedouble,
	                    sizeof a->valuedouble);
	for (ca = a->child, cb = b->child; ca && cb;
	     ca = ca->next, cb = cb->next) {
		assert_same_tree(ca, cb);
		last_a = ca;
		last_b = cb;
	}
	assert_null(ca);
	assert_null(cb);
	assert_int_equal(!a->child, !b->child);
	if (a->child && b->child) {
		assert_ptr_equal(a->child->prev, last_a);
		assert_ptr_equal(b->child->prev, last_b);
	}
}

static void assert_like_cjson(const char *text, size_t len)
{
	cJSON *ref = cJSON_ParseWithLength(text, len);
	cJSON *got = pptx_json_parse(text, len);

	if (!ref || !got)
		print_message("text: %.200s\n", text);
	assert_non_null(ref);
	assert_non_null(got);
	assert_same_tree(ref, got);
	cJSON_Delete(ref);
	cJSON_Delete(got);
}

static void assert_refused(const char *text, size_t len)
{
	cJSON *got = pptx_json_parse(text, len);

	if (got)
		print_message("accepted: %.200s\n", text ? text : "(null)");
	assert_null(got);
}

static void test_fixed(void **state)
{
	static const char *const ok[] = {
	        "{}",
	        "[]",
	        " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n",
	        "\xEF\xBB\xBF{\"bom\":true}",
	        "{\"a\":1,\"a\":2,\"a\":[true,false,null]}",
	        "[0,-0,1,-1,1.5,-12.25E-2,1e3,2E+2,7e-1,0.0001]",
	        "[2147483647,2147483648,-2147483648,-2147483649,1e300]",
	        "[1e400,-1e400,123456789012345678901234567890]",
	        "[\"\",\"a\",\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",
	        "[\"\\u0041\\u00e9\\u4E2D\\ud83d\\ude00 tail\"]",
	        "[\"\\u0000cut\"]",
	        "[\"caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80\"]",
	        "\"top\"",
	        "42",
	        "true",
	        "null",
	        "{\"k\\u00e9y\":\"v\",\"\":0}",
	        "[[[[[[[[[[[]]]]]]]]]]]",
	};
	static const char *const bad[] = {
	        "",
	        " ",
	        "{",
	        "}",
	        "[1,]",
	        "[,1]",
	        "{\"a\"}",
	        "{\"a\":}",
	        "{\"a\":1,}",
	        "{a:1}",
	        "{\"a\" 1}",
	        "\"abc",
	        "\"a\\\"",
	        "\"\\x\"",
	        "\"\\u12\"",
	        "\"\\u12g4\"",
	        "\"\\ud800\"",
	        "\"\\udc00\"",
	        "\"\\ud800\\u0041\"",
	        "\"\\ud800x\"",
	        "\"a\x01b\"",
	        "\"a\nb\"",
	        "\"\\\x01\"",
	        "01",
	        "+1",
	        ".5",
	        "1.",
	        "1e",
	        "1e+",
	        "-",
	        "--1",
	        "0x10",
	        "tru",
	        "nul",
	        "falsey",
	        "[1] x",
	        "{} {}",
	        "[1 2]",
	        "[\"a\" \"b\"]",
	        "\v[]",
	        "[1,\f2]",
	        "\357\273\2777", /* cJSON skips a mark only in 5+ bytes */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		assert_like_cjson(ok[i], strlen(ok[i]));
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_refused(bad[i], strlen(bad[i]));
	/* A number longer than cJSON's 63-byte buffer. */
	{
		char digits[66];

		memset(digits, '7', 65);
		digits[65] = '\0';
		assert_refused(digits, 65);
		assert_like_cjson(digits, 63);
	}
	/* A length that counts the terminating NUL, as some callers pass. */
	assert_like_cjson("{\"a\":1}", 8);
	assert_refused("{\"a\":1}\0\0", 9);
	/* The length bounds the text, not a NUL. */
	assert_refused("{\"a\":1}", 6);
	assert_refused(NULL, 0);
}

/* Nesting: as deep as cJSON goes, and not one level more. */
static void test_depth(void **state)
{
	size_t n = CJSON_NESTING_LIMIT, i;
	char *text = malloc(2 * (n + 1) + 1);
	cJSON *ref;

	(void)state;
	for (i = 0; i < n; i++) {
		text[i] = '[';
		text[2 * n - 1 - i] = ']';
	}
	text[2 * n] = '\0';
	assert_like_cjson(text, 2 * n);
	for (i = 0; i <= n; i++) {
		text[i] = '[';
		text[2 * n + 1 - i] = ']';
	}
	text[2 * n + 2] = '\0';
	ref = cJSON_ParseWithLength(text, 2 * n + 2);
	assert_null(ref);
	assert_refused(text, 2 * n + 2);
	free(text);
}

/* Long strings: every place of an escape and of the closing quote around
 * the 16-byte steps, and 300 KB (past the prefault threshold) with and without
 * escapes. */
static void test_long_strings(void **state)
{
	size_t len, at;
	char *text = malloc((size_t)700 * 1024);

	(void)state;
	for (len = 0; len < 70; len++)
		for (at = 0; at <= len; at++) {
			size_t k, n = 0;

			text[n++] = '[';
			text[n++] = '"';
			for (k = 0; k < len; k++) {
				if (k == at) {
					memcpy(text + n, "\\n\\u00e9", 8);
					n += 8;
				}
				text[n++] = (char)('a' + k % 26);
			}
			text[n++] = '"';
			text[n++] = ']';
			text[n] = '\0';
			assert_like_cjson(text, n);
			/* A raw control character anywhere is refused. */
			if (len) {
				text[2 + at % len] = '\t';
				assert_refused(text, n);
			}
		}
	for (at = 0; at < 2; at++) {
		size_t k, n = 0;

		memcpy(text, "{\"data\":\"", 9);
		n = 9;
		for (k = 0; k < (size_t)300 * 1024; k++)
			text[n++] = at && k % 1000 == 999
			                    ? '/'
			                    : (char)('A' + k % 26);
		if (at) {
			memcpy(text + n, "\\/", 2);
			n += 2;
		}
		memcpy(text + n, "\"}", 3);
		n += 2;
		assert_like_cjson(text, n);
	}
	free(text);
}

/* A random JSON text into b (room for cap bytes): values of every kind,
 * strings with escapes, raw UTF-8 and \u sequences, random whitespace. */
struct gen {
	char *b;
	size_t n, cap;
	uint32_t seed;
};

static unsigned rnd(struct gen *g, unsigned mod)
{
	g->seed = g->seed * 1103515245u + 12345u;
	return (g->seed >> 8) % mod;
}

static void put(struct gen *g, const char *s)
{
	size_t l = strlen(s);

	assert_true(g->n + l < g->cap);
	memcpy(g->b + g->n, s, l);
	g->n += l;
}

static void ws(struct gen *g)
{
	static const char *const w[] = {"", "", " ", "\n", "\t ", "\r\n  "};

	put(g, w[rnd(g, 6)]);
}

static void gen_string(struct gen *g)
{
	static const char *const parts[] = {"a",
	                                    "Zz",
	                                    "hello world",
	                                    "\\\"",
	                                    "\\\\",
	                                    "\\/",
	                                    "\\b",
	                                    "\\f",
	                                    "\\n",
	                                    "\\r",
	                                    "\\t",
	                                    "\\u0041",
	                                    "\\u00e9",
	                                    "\\u4e2d",
	                                    "\\uFFFF",
	                                    "\\ud83d\\ude00",
	                                    "\xC3\xA9",
	                                    "\xE4\xB8\xAD",
	                                    "\xF0\x9F\x98\x80",
	                                    "0123456789abcdef0123456789"};
	unsigned k, n = rnd(g, 12);

	put(g, "\"");
	for (k = 0; k < n; k++)
		put(g, parts[rnd(g, sizeof parts / sizeof parts[0])]);
	put(g, "\"");
}

static void gen_value(struct gen *g, int depth)
{
	static const char *const nums[] = {"0",
	                                   "-0",
	                                   "7",
	                                   "-13",
	                                   "3.25",
	                                   "-0.5",
	                                   "1e10",
	                                   "2.5E-3",
	                                   "1E+2",
	                                   "2147483648",
	                                   "1e99",
	                                   "-1e9",
	                                   "4294967296",
	                                   "0.1",
	                                   "123456.789",
	                                   "-2147483649",
	                                   "9007199254740993",
	                                   "1e-320"};
	unsigned k, n;

	switch (depth > 6 ? rnd(g, 4) : rnd(g, 7)) {
	case 0: gen_string(g); break;
	case 1: put(g, nums[rnd(g, sizeof nums / sizeof nums[0])]); break;
	case 2: {
		static const char *const lit[] = {"true", "false", "null"};

		put(g, lit[rnd(g, 3)]);
		break;
	}
	case 3: put(g, rnd(g, 2) ? "[]" : "{}"); break;
	case 4:
	case 5:
		n = rnd(g, 6);
		put(g, "[");
		for (k = 0; k < n; k++) {
			if (k)
				put(g, ",");
			ws(g);
			gen_value(g, depth + 1);
			ws(g);
		}
		put(g, "]");
		break;
	default:
		n = rnd(g, 6);
		put(g, "{");
		for (k = 0; k < n; k++) {
			if (k)
				put(g, ",");
			ws(g);
			gen_string(g);
			ws(g);
			put(g, ":");
			ws(g);
			gen_value(g, depth + 1);
			ws(g);
		}
		put(g, "}");
	}
}

static void test_generated(void **state)
{
	struct gen g = {NULL, 0, 1 << 20, 2024};
	int i;

	(void)state;
	g.b = malloc(g.cap);
	for (i = 0; i < 3000; i++) {
		size_t start, end;

		g.n = 0;
		ws(&g);
		start = g.n;
		gen_value(&g, 0);
		end = g.n;
		ws(&g);
		g.b[g.n] = '\0';
		assert_like_cjson(g.b, g.n);
		/* A container cut before its closing bracket is refused. */
		if (end - start > 2 && (g.b[start] == '[' || g.b[start] == '{'))
			assert_refused(
			        g.b,
			        start + 1 +
			                rnd(&g, (unsigned)(end - start - 1)));
	}
	free(g.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_fixed),
	        cmocka_unit_test(test_depth),
	        cmocka_unit_test(test_long_strings),
	        cmocka_unit_test(test_generated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
