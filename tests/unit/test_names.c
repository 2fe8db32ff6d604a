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
	char mcp[NAMES_DOTTED_MAX + 1], fc[NAMES_FC_MAX + 1];

	(void)state;
	names_dotted("acme/weather.current", mcp);
	names_fc("acme/weather.current", fc);
	assert_string_equal(mcp, "acme.weather.current");
	assert_string_equal(fc, "acme__weather__current");
	assert_true(names_is_dotted_legal(mcp));
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
	char ma[NAMES_DOTTED_MAX + 1], mb[NAMES_DOTTED_MAX + 1];

	(void)state;
	long_canonical(a, 150, 't');
	long_canonical(b, 150, 't');
	b[149] = 'u'; /* differs only past every cut */
	names_fc(a, fa);
	names_fc(a, fa2);
	names_fc(b, fb);
	names_dotted(a, ma);
	names_dotted(b, mb);

	assert_int_equal(strlen(fa), NAMES_FC_MAX);
	assert_int_equal(strlen(ma), NAMES_DOTTED_MAX);
	/* "_" and 8 hex digits end a cut name. */
	assert_int_equal(fa[NAMES_FC_MAX - 9], '_');
	for (int i = NAMES_FC_MAX - 8; i < NAMES_FC_MAX; i++)
		assert_non_null(strchr("0123456789abcdef", fa[i]));
	assert_int_equal(ma[NAMES_DOTTED_MAX - 9], '_');
	/* Stable from the canonical name alone, and distinct when the
	 * canonical names differ only in the part that was cut. */
	assert_string_equal(fa, fa2);
	assert_string_not_equal(fa, fb);
	assert_string_not_equal(ma, mb);
	assert_memory_equal(fa, fb, NAMES_FC_MAX - 8);
	assert_true(names_is_fc_legal(fa));
	assert_true(names_is_dotted_legal(ma));
}

static void test_exact_limit_is_not_cut(void **state)
{
	char c[NAMES_CANONICAL_MAX + 1], m[NAMES_DOTTED_MAX + 1];

	(void)state;
	long_canonical(c, NAMES_DOTTED_MAX, 'x');
	names_dotted(c, m);
	assert_int_equal(strlen(m), NAMES_DOTTED_MAX);
	assert_null(strchr(m, '/'));
	assert_int_equal(m[NAMES_DOTTED_MAX - 1], 'x'); /* no hash suffix */
}

/* legal() accepts a name of max characters and refuses one of max + 1. */
static void legal_up_to(int (*legal)(const char *), size_t max)
{
	char s[NAMES_DOTTED_MAX + 2];

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
	assert_true(names_is_dotted_legal("a.b-c_D9"));
	assert_false(names_is_mcp_legal("a.b")); /* portable: no dots */
	assert_true(names_is_mcp_legal("b-c_D9"));
	assert_false(names_is_fc_legal("a.b")); /* no dots in function names */
	assert_false(names_is_mcp_legal("a/b"));
	assert_false(names_is_mcp_legal("a b"));
	assert_false(names_is_fc_legal("caf\xc3\xa9"));

	legal_up_to(names_is_fc_legal, NAMES_FC_MAX);
	legal_up_to(names_is_mcp_legal, NAMES_MCP_MAX);
	legal_up_to(names_is_dotted_legal, NAMES_DOTTED_MAX);
}

/* Portable names of a set of canonical names, into out (n <= 16). */
static void portable(const char *const *canon, size_t n,
                     char out[][NAMES_MCP_MAX + 1])
{
	struct sh_error e;

	assert_int_equal(names_mcp(canon, n, out, &e), SH_OK);
	for (size_t i = 0; i < n; i++) {
		assert_true(names_is_mcp_legal(out[i]));
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(out[i], out[k]);
	}
}

static void test_portable_bare_when_unique(void **state)
{
	static const char *const c[] = {"skillhost/jira.add_comment",
	                                "skillhost/powerpoint.add_slides",
	                                "acme/weather.current"};
	char out[3][NAMES_MCP_MAX + 1];

	(void)state;
	portable(c, 3, out);
	assert_string_equal(out[0], "add_comment");
	assert_string_equal(out[1], "add_slides");
	assert_string_equal(out[2], "current");
}

static void test_portable_collisions_qualify(void **state)
{
	/* Two skills share "search" (-> skill_tool); two namespaces share
	 * jira.get (-> ns_skill_tool); a tool whose bare name equals another
	 * tool's skill_tool form moves up as well, so all stay distinct. */
	static const char *const c[] = {"acme/jira.search", "acme/wiki.search",
	                                "acme/jira.get",    "other/jira.get",
	                                "x/y.wiki_search",  "solo/one.ping"};
	char out[6][NAMES_MCP_MAX + 1];

	(void)state;
	portable(c, 6, out);
	assert_string_equal(out[0], "jira_search");
	assert_string_equal(out[1], "acme_wiki_search");
	assert_string_equal(out[2], "acme_jira_get");
	assert_string_equal(out[3], "other_jira_get");
	assert_string_equal(out[4], "y_wiki_search");
	assert_string_equal(out[5], "ping");
}

static void test_portable_long_names_hash(void **state)
{
	char a[NAMES_CANONICAL_MAX + 1], b[NAMES_CANONICAL_MAX + 1];
	const char *c[2] = {a, b};
	char out[2][NAMES_MCP_MAX + 1], again[2][NAMES_MCP_MAX + 1];

	(void)state;
	long_canonical(a, 9 + 64, 't'); /* a 64-character tool name */
	long_canonical(b, 9 + 40, 'u');
	portable(c, 2, out);
	assert_int_equal(strlen(out[0]), NAMES_MCP_MAX); /* bare, uncut */
	assert_null(strchr(out[0], '_'));
	/* Two skills with the same 64-character tool: qualified names are
	 * past 64, so each is cut with a hash of its canonical name. */
	snprintf(b, sizeof b, "ns/other.%s", a + 9);
	portable(c, 2, out);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(strlen(out[i]), NAMES_MCP_MAX);
		assert_int_equal(out[i][NAMES_MCP_MAX - 9], '_');
		for (int k = NAMES_MCP_MAX - 8; k < NAMES_MCP_MAX; k++)
			assert_non_null(strchr("0123456789abcdef", out[i][k]));
	}
	assert_memory_equal(out[1], "other_ttt", 9);
	/* Deterministic: the same set in another order, the same names. */
	{
		const char *rev[2] = {b, a};
		portable(rev, 2, again);
		assert_string_equal(again[1], out[0]);
		assert_string_equal(again[0], out[1]);
	}
}

static void test_portable_order_independent(void **state)
{
	static const char *const c[] = {"a/s.x", "b/s.x", "a/t.x", "c/u.y"};
	static const char *const r[] = {"c/u.y", "a/t.x", "b/s.x", "a/s.x"};
	char o1[4][NAMES_MCP_MAX + 1], o2[4][NAMES_MCP_MAX + 1];

	(void)state;
	portable(c, 4, o1);
	portable(r, 4, o2);
	for (int i = 0; i < 4; i++)
		assert_string_equal(o1[i], o2[3 - i]);
	assert_string_equal(o1[0], "a_s_x");
	assert_string_equal(o1[1], "b_s_x");
	assert_string_equal(o1[2], "t_x");
	assert_string_equal(o1[3], "y");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_canonical),
	        cmocka_unit_test(test_canonical_too_long),
	        cmocka_unit_test(test_short_names),
	        cmocka_unit_test(test_portable_bare_when_unique),
	        cmocka_unit_test(test_portable_collisions_qualify),
	        cmocka_unit_test(test_portable_long_names_hash),
	        cmocka_unit_test(test_portable_order_independent),
	        cmocka_unit_test(test_long_names_are_cut_with_a_hash),
	        cmocka_unit_test(test_exact_limit_is_not_cut),
	        cmocka_unit_test(test_legality),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
