/*
 * test_names.c - canonical and derived tool names (names.h): the exact
 * forms, that they come from the canonical name alone, the hashed cut of
 * names too long for a surface (stable, distinct, still legal), and the
 * legality checks at their limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "names.h"

static void test_canonical(void **state)
{
	char out[NAMES_CANONICAL_MAX + 1];
	struct sh_error e;

	(void)state;
	assert_int_equal(
	        names_canonical("acme/weather", "current", out, sizeof out, &e),
	        SH_OK);
	assert_string_equal(out, "acme/weather.current");
}

static void test_canonical_too_long(void **state)
{
	char small[12];
	struct sh_error e;

	(void)state;
	assert_int_equal(names_canonical("acme/weather", "current", small,
	                                 sizeof small, &e),
	                 SH_ERR_INVALID);
	/* The message names the tool, so the author knows which one. */
	assert_non_null(strstr(e.msg, "acme/weather.current"));
	assert_non_null(strstr(e.msg, "too long"));
}

static void test_short_names(void **state)
{
	char mcp[NAMES_MCP_MAX + 1], fc[NAMES_FC_MAX + 1];

	(void)state;
	names_mcp("acme/weather.current", mcp);
	names_fc("acme/weather.current", fc);
	assert_string_equal(mcp, "acme.weather.current");
	assert_string_equal(fc, "acme__weather__current");
	assert_true(names_is_mcp_legal(mcp));
	assert_true(names_is_fc_legal(fc));
	/* Tool names may hold '-' and '_', kept as they are. */
	names_fc("a-b/c-d.Get_It-2", fc);
	assert_string_equal(fc, "a-b__c-d__Get_It-2");
}

/* A canonical name of n characters: "ns/skill.ttt...". */
static void long_canonical(char *out, size_t n, char fill)
{
	const char *head = "ns/skill.";
	size_t h = strlen(head);

	memcpy(out, head, h);
	memset(out + h, fill, n - h);
	out[n] = '\0';
}

static void test_long_names_are_cut_with_a_hash(void **state)
{
	char a[NAMES_CANONICAL_MAX + 1], b[NAMES_CANONICAL_MAX + 1];
	char fa[NAMES_FC_MAX + 1], fa2[NAMES_FC_MAX + 1], fb[NAMES_FC_MAX + 1];
	char ma[NAMES_MCP_MAX + 1], mb[NAMES_MCP_MAX + 1];

	(void)state;
	long_canonical(a, 150, 't');
	long_canonical(b, 150, 't');
	b[149] = 'u'; /* differs only past every cut */
	names_fc(a, fa);
	names_fc(a, fa2);
	names_fc(b, fb);
	names_mcp(a, ma);
	names_mcp(b, mb);

	assert_int_equal(strlen(fa), NAMES_FC_MAX);
	assert_int_equal(strlen(ma), NAMES_MCP_MAX);
	/* "_" and 8 hex digits end a cut name. */
	assert_int_equal(fa[NAMES_FC_MAX - 9], '_');
	for (int i = NAMES_FC_MAX - 8; i < NAMES_FC_MAX; i++)
		assert_non_null(strchr("0123456789abcdef", fa[i]));
	assert_int_equal(ma[NAMES_MCP_MAX - 9], '_');
	/* Stable from the canonical name alone, and distinct when the
	 * canonical names differ only in the part that was cut. */
	assert_string_equal(fa, fa2);
	assert_string_not_equal(fa, fb);
	assert_string_not_equal(ma, mb);
	assert_memory_equal(fa, fb, NAMES_FC_MAX - 8);
	assert_true(names_is_fc_legal(fa));
	assert_true(names_is_mcp_legal(ma));
}

static void test_exact_limit_is_not_cut(void **state)
{
	char c[NAMES_CANONICAL_MAX + 1], m[NAMES_MCP_MAX + 1];

	(void)state;
	long_canonical(c, NAMES_MCP_MAX, 'x');
	names_mcp(c, m);
	assert_int_equal(strlen(m), NAMES_MCP_MAX);
	assert_null(strchr(m, '/'));
	assert_int_equal(m[NAMES_MCP_MAX - 1], 'x'); /* no hash suffix */
}

/* legal() accepts a name of max characters and refuses one of max + 1. */
static void legal_up_to(int (*legal)(const char *), size_t max)
{
	char s[NAMES_MCP_MAX + 2];

	assert_true(max + 2 <= sizeof s);
	memset(s, 'a', max);
	s[max] = '\0';
	assert_true(legal(s));
	s[max] = 'a';
	s[max + 1] = '\0';
	assert_false(legal(s));
}

static void test_legality(void **state)
{
	(void)state;
	assert_false(names_is_mcp_legal(""));
	assert_false(names_is_fc_legal(""));
	assert_true(names_is_mcp_legal("a.b-c_D9"));
	assert_false(names_is_fc_legal("a.b")); /* no dots in function names */
	assert_false(names_is_mcp_legal("a/b"));
	assert_false(names_is_mcp_legal("a b"));
	assert_false(names_is_fc_legal("caf\xc3\xa9"));

	legal_up_to(names_is_fc_legal, NAMES_FC_MAX);
	legal_up_to(names_is_mcp_legal, NAMES_MCP_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_canonical),
	        cmocka_unit_test(test_canonical_too_long),
	        cmocka_unit_test(test_short_names),
	        cmocka_unit_test(test_long_names_are_cut_with_a_hash),
	        cmocka_unit_test(test_exact_limit_is_not_cut),
	        cmocka_unit_test(test_legality),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
