/*
 * test_extcall.c - skill callbacks run through an executor's invoke
 * (extcall.h): the reserved indices are told apart from tool indices,
 * each reaches its callback with the arguments decoded, and a skill
 * without the extension, without the callback, or given malformed
 * arguments gets a status, not a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <skill/skill.h>

#include "extcall.h"

static char seen[256];

static skill_status read_cb(void *data, const skill_host_t *h, skill_call_t *c,
                            const char *uri)
{
	(void)data, (void)h, (void)c;
	snprintf(seen, sizeof seen, "read %s", uri);
	return SKILL_OK;
}

static skill_status list_cb(void *data, const skill_host_t *h, skill_call_t *c)
{
	(void)data, (void)h, (void)c;
	snprintf(seen, sizeof seen, "list");
	return SKILL_OK;
}

static skill_status complete_cb(void *data, const skill_host_t *h,
                                skill_call_t *c, const char *ref,
                                const char *arg, const char *value)
{
	(void)data, (void)h, (void)c;
	snprintf(seen, sizeof seen, "complete %s %s %s", ref, arg, value);
	return SKILL_ERR_TOOL;
}

static const skill_ext_resources_t res_full = {
        .struct_size = sizeof res_full, .read = read_cb, .list = list_cb};
static const skill_ext_resources_t res_static = {
        .struct_size = sizeof res_static, .resources = "[]"};
static const skill_ext_completion_t comp = {.struct_size = sizeof comp,
                                            .complete = complete_cb};

static const void *ext_full(void *data, const char *id)
{
	(void)data;
	if (!strcmp(id, SKILL_EXT_RESOURCES))
		return &res_full;
	if (!strcmp(id, SKILL_EXT_COMPLETION))
		return &comp;
	return NULL;
}

static const void *ext_static(void *data, const char *id)
{
	(void)data;
	return !strcmp(id, SKILL_EXT_RESOURCES) ? &res_static : NULL;
}

static skill_status call(const skill_entry_t *e, uint32_t index,
                         const char *args)
{
	seen[0] = '\0';
	return extcall_invoke(e, NULL, NULL, NULL, index, args, strlen(args));
}

static void test_indices(void **state)
{
	(void)state;
	assert_true(extcall_is(EXTCALL_RESOURCE_READ));
	assert_true(extcall_is(EXTCALL_RESOURCE_LIST));
	assert_true(extcall_is(EXTCALL_COMPLETE));
	assert_false(extcall_is(0));
	assert_false(extcall_is(255));
	assert_false(extcall_is(0xFFFFFFFFu));
}

static void test_routes(void **state)
{
	skill_entry_t e = {.struct_size = sizeof e, .get_extension = ext_full};

	(void)state;
	assert_int_equal(call(&e, EXTCALL_RESOURCE_READ, "{\"uri\":\"a://b\"}"),
	                 SKILL_OK);
	assert_string_equal(seen, "read a://b");
	assert_int_equal(call(&e, EXTCALL_RESOURCE_LIST, "{}"), SKILL_OK);
	assert_string_equal(seen, "list");
	/* The callback's own status comes back as it is. */
	assert_int_equal(call(&e, EXTCALL_COMPLETE,
	                      "{\"ref\":\"prompt:p\",\"argument\":\"x\","
	                      "\"value\":\"ab\"}"),
	                 SKILL_ERR_TOOL);
	assert_string_equal(seen, "complete prompt:p x ab");
}

static void test_refusals(void **state)
{
	skill_entry_t full = {.struct_size = sizeof full,
	                      .get_extension = ext_full};
	skill_entry_t stat = {.struct_size = sizeof stat,
	                      .get_extension = ext_static};
	skill_entry_t none = {.struct_size = sizeof none};

	(void)state;
	assert_int_equal(call(&none, EXTCALL_RESOURCE_READ, "{\"uri\":\"x\"}"),
	                 SKILL_ERR_UNSUPPORTED);
	assert_int_equal(call(&stat, EXTCALL_RESOURCE_READ, "{\"uri\":\"x\"}"),
	                 SKILL_ERR_UNSUPPORTED);
	assert_int_equal(call(&stat, EXTCALL_RESOURCE_LIST, "{}"),
	                 SKILL_ERR_UNSUPPORTED);
	assert_int_equal(call(&stat, EXTCALL_COMPLETE,
	                      "{\"ref\":\"r\",\"argument\":\"a\",\"value\":"
	                      "\"\"}"),
	                 SKILL_ERR_UNSUPPORTED);
	assert_int_equal(call(&full, EXTCALL_RESOURCE_READ, "{\"uri\":3}"),
	                 SKILL_ERR_ARGS);
	assert_int_equal(call(&full, EXTCALL_RESOURCE_READ, "not json"),
	                 SKILL_ERR_ARGS);
	assert_int_equal(call(&full, EXTCALL_COMPLETE, "{\"ref\":\"r\"}"),
	                 SKILL_ERR_ARGS);
	assert_string_equal(seen, "");
	assert_int_equal(call(&full, 7, "{}"), SKILL_ERR_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_indices),
	        cmocka_unit_test(test_routes),
	        cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
