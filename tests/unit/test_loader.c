/*
 * test_loader.c - every ABI refusal, with the message that names the file,
 * the field and the versions; and what must load.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "dispatch.h"
#include "loader.h"
#include "runtime.h"

struct refusal {
	const char *variant;
	const char *want[3]; /* substrings the message must contain */
};

static const struct refusal refusals[] = {
        {"bad-major",
         {"abi.major is 2", "built for ABI 2.0", "supports ABI 1"}},
        {"no-entry", {"no entry symbol skill_entry_v1", "not a skill", NULL}},
        {"v2-only",
         {"exports skill_entry_v2", "built for ABI 2", "supports ABI 1"}},
        {"null-entry", {"skill_entry_v1() returned NULL", NULL, NULL}},
        {"small-struct",
         {"skill_entry_t.struct_size is", "needs at least",
          "skill built for ABI 1."}},
        {"too-small-abi", {"struct_size is 4", "too small", NULL}},
        {"ptr-size", {"abi.ptr_size is 4", "32-bit", NULL}},
        {"null-name", {"skill_entry_t.name is NULL", "required", "host 1."}},
        {"null-invoke", {"skill_entry_t.invoke is NULL", "required", NULL}},
        {"null-tools", {"skill_entry_t.tools is NULL", NULL, NULL}},
        {"no-tools", {"tool_count is 0", NULL, NULL}},
        {"bad-skill-name", {"name \"NoNamespace\"", "namespace/name", NULL}},
        {"bad-version", {"version \"1.0\"", "semantic version", NULL}},
        {"bad-tool-name",
         {"tools[0].name \"bad name!\"", "[A-Za-z0-9_-]", NULL}},
        {"dup-tools", {"tools[0] and tools[1]", "both named \"ok\"", NULL}},
        {"schema-not-object",
         {"tools[0].input_schema", "\"type\": \"object\"", NULL}},
        {"schema-bad-json", {"tools[0].input_schema", NULL, NULL}},
        {"schema-bad-keyword", {"tools[0].input_schema", "minimum", NULL}},
        {"null-schema", {"tools[0].input_schema is NULL", NULL, NULL}},
        {"tool-struct-small",
         {"tools[0].struct_size is 8", "needs at least", NULL}},
        {"bad-hint", {"tools[0].readOnlyHint is 7", NULL, NULL}},
        {"requires-unknown-ext",
         {"com.example.teleport/1", "does not offer", NULL}},
};

static void path_of(const char *variant, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/lib/testing-broken-%s.so", SKILLS_OUT, variant);
}

static void test_every_refusal(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof refusals / sizeof *refusals; i++) {
		const struct refusal *r = &refusals[i];
		struct loaded_skill *ls = (void *)1;
		struct sh_error e;
		char path[1024];

		path_of(r->variant, path, sizeof path);
		sh_error_clear(&e);
		print_message("%s\n", r->variant);
		assert_int_equal(loader_open(path, &ls, &e), SH_ERR_ABI);
		assert_null(ls);
		print_message("  -> %s\n", e.msg);
		/* Every message names the file. */
		assert_non_null(strstr(e.msg, path));
		for (int k = 0; k < 3 && r->want[k]; k++) {
			if (!strstr(e.msg, r->want[k]))
				fail_msg("%s: message lacks \"%s\": %s",
				         r->variant, r->want[k], e.msg);
		}
	}
}

static void test_missing_file(void **state)
{
	struct loaded_skill *ls;
	struct sh_error e;

	(void)state;
	assert_int_equal(loader_open("/nonexistent/x.so", &ls, &e),
	                 SH_ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "/nonexistent/x.so"));
}

static void test_not_a_shared_object(void **state)
{
	struct loaded_skill *ls;
	struct sh_error e;
	char path[] = "/tmp/skillhost-test-notso-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello\n", 6), 6);
	close(fd);
	assert_int_equal(loader_open(path, &ls, &e), SH_ERR_ABI);
	assert_non_null(strstr(e.msg, path));
	unlink(path);
}

/* Call testing/broken.ok in a runtime holding only the given variant of
 * testing/broken; returns the call's status, *res and *e as it left them. */
static sh_status call_broken_ok(const char *variant, struct call_result *res,
                                struct sh_error *e)
{
	struct runtime *rt;
	struct runtime_opts o = {.home = "/nonexistent-skillhost-home"};
	char path[1024];
	sh_status rc;

	path_of(variant, path, sizeof path);
	assert_int_equal(runtime_open(&o, &rt, e), SH_OK);
	if (runtime_add_skill_file(rt, path, e) != SH_OK)
		fail_msg("%s", e->msg);
	assert_int_equal(runtime_seal(rt, e), SH_OK);
	rc = runtime_call(rt, "testing/broken.ok", "{}", 2, NULL, 0, NULL, res,
	                  e);
	runtime_close(rt);
	return rc;
}

static void test_future_minor_loads(void **state)
{
	struct call_result res;
	struct sh_error e;

	(void)state;
	assert_int_equal(call_broken_ok("future-minor", &res, &e), SH_OK);
	assert_false(res.is_error);
	call_result_free(&res);
}

static void test_init_failure(void **state)
{
	struct call_result res;
	struct sh_error e;

	(void)state;
	assert_int_equal(call_broken_ok("init-fails", &res, &e), SH_ERR_FAIL);
	assert_non_null(strstr(e.msg, "init failed with status 8"));
	assert_non_null(strstr(e.msg, "testing/broken"));
}

static void test_good_skill_loads(void **state)
{
	struct loaded_skill *ls;
	struct sh_error e;
	char path[1024];

	(void)state;
	snprintf(path, sizeof path, "%s/lib/testing-everything.so", SKILLS_OUT);
	if (loader_open(path, &ls, &e) != SH_OK)
		fail_msg("%s", e.msg);
	assert_string_equal(ls->desc->name, "testing/everything");
	assert_true(ls->desc->ntools >= 10);
	assert_int_equal(ls->desc->tools[1].hints[HINT_READ_ONLY],
	                 SKILL_HINT_YES);
	assert_non_null(ls->desc->tools[1].output_schema);
	loader_close(ls, 0);
}

static void test_duplicate_skill_refused(void **state)
{
	struct runtime *rt;
	struct runtime_opts o = {.home = "/nonexistent-skillhost-home"};
	struct sh_error e;
	char path[1024];

	(void)state;
	snprintf(path, sizeof path, "%s/lib/testing-noop.so", SKILLS_OUT);
	assert_int_equal(runtime_open(&o, &rt, &e), SH_OK);
	assert_int_equal(runtime_add_skill_file(rt, path, &e), SH_OK);
	assert_int_equal(runtime_add_skill_file(rt, path, &e), SH_ERR_USAGE);
	assert_non_null(strstr(e.msg, "given twice"));
	runtime_close(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_refusal),
	        cmocka_unit_test(test_missing_file),
	        cmocka_unit_test(test_not_a_shared_object),
	        cmocka_unit_test(test_future_minor_loads),
	        cmocka_unit_test(test_init_failure),
	        cmocka_unit_test(test_good_skill_loads),
	        cmocka_unit_test(test_duplicate_skill_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
