/* test_profile - tool profiles (glob patterns, the store, the claim
 * mapping) and the call limiter's token bucket and caps, on a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "profile.h"
#include "ratelimit.h"
#include "temphome.h"

static void test_pattern(void **state)
{
	(void)state;
	assert_true(profile_pattern_match("skillhost/salesforce.*",
	                                  "skillhost/salesforce.query"));
	assert_false(profile_pattern_match("skillhost/salesforce.*",
	                                   "skillhost/salesforcex.query"));
	assert_false(profile_pattern_match("skillhost/salesforce.*",
	                                   "skillhost/jira.add_comment"));
	/* Whole-name match: no implicit prefix or suffix. */
	assert_false(profile_pattern_match("example/hello", "example/hello.x"));
	assert_false(profile_pattern_match("hello.*", "example/hello.greet"));
	assert_true(profile_pattern_match("*/hello.*", "example/hello.greet"));
	assert_true(profile_pattern_match("*", "a/b.c"));
	assert_true(profile_pattern_match("a/b.?", "a/b.c"));
	assert_false(profile_pattern_match("a/b.?", "a/b.cd"));
	assert_true(profile_pattern_match("a*b*c", "aXXbYYbZc"));
	assert_false(profile_pattern_match("a*b*c", "aXXbYYbZ"));
	assert_true(profile_pattern_match("**x", "x"));
	assert_false(profile_pattern_match("", "x"));
	assert_true(profile_pattern_match("", ""));
	/* A hostile pattern stays fast (no exponential backtracking). */
	assert_false(profile_pattern_match(
	        "*a*a*a*a*a*a*a*a*a*a*a*a*b",
	        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_true(profile_allows(NULL, "any/thing.at_all"));
}

static void test_checks(void **state)
{
	(void)state;
	assert_int_equal(profile_name_check("sales"), 0);
	assert_int_equal(profile_name_check("team-1_a"), 0);
	assert_int_equal(profile_name_check(""), -1);
	assert_int_equal(profile_name_check("Sales"), -1);
	assert_int_equal(profile_name_check("-x"), -1);
	assert_int_equal(profile_name_check("a/b"), -1);
	assert_int_equal(profile_pattern_check("a/b.*"), 0);
	assert_int_equal(profile_pattern_check("a b"), -1);
	assert_int_equal(profile_pattern_check(""), -1);
}

static void test_store(void **state)
{
	const char *sales[] = {"skillhost/salesforce.*", "example/hello.*"};
	const char *dev[] = {"skillhost/jira.*"};
	const char *bad[] = {"has space"};
	struct profile_set *ps = NULL;
	const struct profile *p;
	struct sh_error e;

	(void)state;
	assert_int_equal(temphome_make("profile"), 0);
	/* No file: an empty set. */
	assert_int_equal(profile_set_load(home, &ps, &e), SH_OK);
	assert_int_equal(profile_count(ps), 0);
	profile_set_free(ps);

	assert_int_equal(profile_store_set(home, "sales", sales, 2, &e), SH_OK);
	assert_int_equal(profile_store_set(home, "dev", dev, 1, &e), SH_OK);
	assert_int_equal(profile_store_set(home, "Bad", dev, 1, &e),
	                 SH_ERR_USAGE);
	assert_int_equal(profile_store_set(home, "x", bad, 1, &e),
	                 SH_ERR_USAGE);
	assert_int_equal(profile_store_set(home, "x", dev, 0, &e),
	                 SH_ERR_USAGE);
	assert_int_equal(profile_set_load(home, &ps, &e), SH_OK);
	assert_int_equal(profile_count(ps), 2);
	assert_string_equal(profile_at(ps, 0)->name, "dev");
	p = profile_get(ps, "sales");
	assert_non_null(p);
	assert_int_equal(p->n_patterns, 2);
	assert_true(profile_allows(p, "example/hello.greet"));
	assert_true(profile_allows(p, "skillhost/salesforce.query"));
	assert_false(profile_allows(p, "skillhost/jira.search"));
	assert_null(profile_get(ps, "nope"));
	profile_set_free(ps);

	/* Replacing keeps one entry with the new patterns. */
	assert_int_equal(profile_store_set(home, "sales", dev, 1, &e), SH_OK);
	assert_int_equal(profile_set_load(home, &ps, &e), SH_OK);
	assert_int_equal(profile_count(ps), 2);
	assert_false(profile_allows(profile_get(ps, "sales"),
	                            "example/hello.greet"));
	profile_set_free(ps);

	/* A mapping must name a real profile, and pins it. */
	assert_int_equal(profile_store_map(home, "scope", "crm", "nope", &e),
	                 SH_ERR_NOTFOUND);
	assert_int_equal(profile_store_map(home, "role", "x", "dev", &e),
	                 SH_ERR_USAGE);
	assert_int_equal(profile_store_map(home, "scope", "crm", "sales", &e),
	                 SH_OK);
	assert_int_equal(profile_store_remove(home, "sales", &e), SH_ERR_USAGE);
	assert_int_equal(profile_store_map(home, "scope", "crm", NULL, &e),
	                 SH_OK);
	assert_int_equal(profile_store_map(home, "scope", "crm", NULL, &e),
	                 SH_ERR_NOTFOUND);
	assert_int_equal(profile_store_remove(home, "sales", &e), SH_OK);
	assert_int_equal(profile_store_remove(home, "sales", &e),
	                 SH_ERR_NOTFOUND);
	temphome_teardown(NULL);
}

static void write_file(const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", home, PROFILE_FILE);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void test_claims(void **state)
{
	const char *sc_crm[] = {"openid", "crm"}, *grp_eng[] = {"eng"};
	struct principal who = {0};
	struct profile_set *ps = NULL;
	struct sh_error e;

	(void)state;
	assert_int_equal(temphome_make("claims"), 0);
	assert_int_equal(fs_mkdirs(home, 0700, &e), SH_OK);
	write_file("{\"version\":1,\"profiles\":{"
	           "\"sales\":{\"tools\":[\"s/sf.*\"]},"
	           "\"dev\":{\"tools\":[\"s/jira.*\"]},"
	           "\"ci\":{\"tools\":[\"s/ci.*\"]}},"
	           "\"claims\":[{\"client_id\":\"ci-bot\",\"profile\":\"ci\"},"
	           "{\"scope\":\"crm\",\"profile\":\"sales\"},"
	           "{\"group\":\"eng\",\"profile\":\"dev\"}]}");
	assert_int_equal(profile_set_load(home, &ps, &e), SH_OK);
	/* Nothing matches: NULL, the caller's default applies. */
	who.sub = "alice";
	assert_null(profile_for_principal(ps, &who));
	assert_null(profile_for_principal(ps, NULL));
	assert_null(profile_for_principal(NULL, &who));
	who.scopes = sc_crm;
	who.n_scopes = 2;
	assert_string_equal(profile_for_principal(ps, &who)->name, "sales");
	/* Order decides: the client rule comes first. */
	who.client_id = "ci-bot";
	assert_string_equal(profile_for_principal(ps, &who)->name, "ci");
	who.client_id = "other";
	who.scopes = NULL;
	who.n_scopes = 0;
	who.groups = grp_eng;
	who.n_groups = 1;
	assert_string_equal(profile_for_principal(ps, &who)->name, "dev");
	/* A scope claim does not match a group of the same name. */
	who.groups = NULL;
	who.n_groups = 0;
	who.scopes = grp_eng;
	who.n_scopes = 1;
	assert_null(profile_for_principal(ps, &who));
	profile_set_free(ps);

	/* Malformed files are refused, naming the file. */
	write_file("{\"profiles\":{\"a\":{\"tools\":[\"x\"]}},"
	           "\"claims\":[{\"scope\":\"s\",\"profile\":\"missing\"}]}");
	assert_int_equal(profile_set_load(home, &ps, &e), SH_ERR_INVALID);
	assert_non_null(strstr(e.msg, PROFILE_FILE));
	write_file("{\"profiles\":{\"a\":{\"tools\":[\"x\"]}},"
	           "\"claims\":[{\"scope\":\"s\",\"group\":\"g\","
	           "\"profile\":\"a\"}]}");
	assert_int_equal(profile_set_load(home, &ps, &e), SH_ERR_INVALID);
	write_file("{\"profiles\":{\"a\":{\"tools\":\"x\"}}}");
	assert_int_equal(profile_set_load(home, &ps, &e), SH_ERR_INVALID);
	write_file("[1]");
	assert_int_equal(profile_set_load(home, &ps, &e), SH_ERR_INVALID);
	temphome_teardown(NULL);
}

static int64_t fake_ms;
static int64_t fake_clock(void *ud)
{
	(void)ud;
	return fake_ms;
}

static void test_bucket(void **state)
{
	struct rl_limits l = {.principal = {.per_sec = 2, .burst = 3}};
	struct metrics *m = metrics_new();
	struct ratelimit *rl;
	int64_t wait;
	char *text;

	(void)state;
	fake_ms = 1000;
	assert_non_null(rl = ratelimit_new(&l, fake_clock, NULL, m));
	/* The burst, then a refusal saying when a token is back. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ratelimit_enter(rl, "alice", "a/b.c", &wait),
		                 RL_OK);
		ratelimit_leave(rl, "alice", "a/b.c");
	}
	assert_int_equal(ratelimit_enter(rl, "alice", "a/b.c", &wait),
	                 RL_PRINCIPAL_RATE);
	assert_int_equal(wait, 500);
	/* Another principal has its own bucket. */
	assert_int_equal(ratelimit_enter(rl, "bob", "a/b.c", &wait), RL_OK);
	ratelimit_leave(rl, "bob", "a/b.c");
	/* Half a token is not enough; a whole one is. */
	fake_ms += 250;
	assert_int_equal(ratelimit_enter(rl, "alice", "a/b.c", &wait),
	                 RL_PRINCIPAL_RATE);
	assert_int_equal(wait, 250);
	fake_ms += 250;
	assert_int_equal(ratelimit_enter(rl, "alice", "a/b.c", &wait), RL_OK);
	ratelimit_leave(rl, "alice", "a/b.c");
	/* A long idle refills to the burst, not beyond. */
	fake_ms += 60000;
	for (int i = 0; i < 3; i++)
		assert_int_equal(ratelimit_enter(rl, "alice", "t", &wait),
		                 RL_OK);
	assert_int_equal(ratelimit_enter(rl, "alice", "t", &wait),
	                 RL_PRINCIPAL_RATE);
	/* NULL is the shared anonymous bucket. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(ratelimit_enter(rl, NULL, "t", &wait), RL_OK);
	assert_int_equal(ratelimit_enter(rl, NULL, "t", &wait),
	                 RL_PRINCIPAL_RATE);
	ratelimit_free(rl);
	text = metrics_render(m, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "skillhost_calls_limited_total{limit="
	                             "\"principal_rate\"} 4\n"));
	assert_non_null(strstr(text, "skillhost_calls_limited_total{limit="
	                             "\"tool_rate\"} 0\n"));
	free(text);
	metrics_free(m);
}

static void test_tool_and_caps(void **state)
{
	struct rl_limits l = {.tool = {.per_sec = 1, .burst = 1},
	                      .principal_conc = 2,
	                      .tool_conc = 1};
	struct ratelimit *rl;
	int64_t wait;

	(void)state;
	fake_ms = 0;
	assert_non_null(rl = ratelimit_new(&l, fake_clock, NULL, NULL));
	assert_int_equal(ratelimit_enter(rl, "a", "x", &wait), RL_OK);
	/* x is at its cap of one in flight. */
	assert_int_equal(ratelimit_enter(rl, "b", "x", &wait),
	                 RL_TOOL_CONCURRENCY);
	assert_true(wait > 0);
	assert_int_equal(ratelimit_enter(rl, "a", "y", &wait), RL_OK);
	/* a has two in flight. */
	assert_int_equal(ratelimit_enter(rl, "a", "z", &wait),
	                 RL_PRINCIPAL_CONCURRENCY);
	ratelimit_leave(rl, "a", "x");
	/* x is free again but its bucket is empty until a second passes;
	 * the refusal took nothing from b. */
	assert_int_equal(ratelimit_enter(rl, "b", "x", &wait), RL_TOOL_RATE);
	assert_int_equal(wait, 1000);
	fake_ms = 1000;
	assert_int_equal(ratelimit_enter(rl, "b", "x", &wait), RL_OK);
	ratelimit_leave(rl, "b", "x");
	ratelimit_leave(rl, "a", "y");
	ratelimit_free(rl);
}

static void test_keys(void **state)
{
	int ok;

	(void)state;
	assert_true(ratelimit_key_check("rate-principal", "10/s", &ok));
	assert_true(ok);
	assert_true(ratelimit_key_check("rate-tool", "600/m", &ok));
	assert_true(ok);
	assert_true(ratelimit_key_check("rate-tool", "10", &ok));
	assert_false(ok);
	assert_true(ratelimit_key_check("rate-tool", "0/s", &ok));
	assert_false(ok);
	assert_true(ratelimit_key_check("rate-tool", "5/d", &ok));
	assert_false(ok);
	assert_true(ratelimit_key_check("concurrency-tool", "4", &ok));
	assert_true(ok);
	assert_true(ratelimit_key_check("concurrency-tool", "-4", &ok));
	assert_false(ok);
	assert_true(ratelimit_key_check("rate-tool-burst", "0", &ok));
	assert_false(ok);
	assert_false(ratelimit_key_check("timeout", "10", &ok));
	assert_false(ratelimit_any(&(struct rl_limits){0}));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_pattern),
	        cmocka_unit_test(test_checks),
	        cmocka_unit_test(test_store),
	        cmocka_unit_test(test_claims),
	        cmocka_unit_test(test_bucket),
	        cmocka_unit_test(test_tool_and_caps),
	        cmocka_unit_test(test_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
