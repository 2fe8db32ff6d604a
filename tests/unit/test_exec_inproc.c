/*
 * test_exec_inproc.c - the in-process executor (exec_inproc.h) on real
 * skills built with the tree: a call reaches the skill's invoke with its
 * tool index and arguments, and what the skill writes (text, a tool error)
 * lands in the call; the skill's own extensions are reachable only through
 * an in-process executor; a skill whose init fails is refused with a
 * message naming it, its file and the status, and nothing is left open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <skill/ext/config.h>

#include "call.h"
#include "exec_inproc.h"

static struct host_services svc;

static struct executor *open_skill(const char *file, struct loaded_skill **ls)
{
	char path[1024];
	struct executor *ex = NULL;
	struct sh_error e;

	snprintf(path, sizeof path, "%s/lib/%s", SKILLS_OUT, file);
	if (loader_open(path, ls, &e) != SH_OK)
		fail_msg("loader_open(%s): %s", path, e.msg);
	if (exec_inproc_open(*ls, &svc, NULL, &ex, &e) != SH_OK)
		fail_msg("exec_inproc_open(%s): %s", path, e.msg);
	return ex;
}

static uint32_t tool_index(const struct loaded_skill *ls, const char *name)
{
	for (uint32_t i = 0; i < ls->desc->ntools; i++)
		if (!strcmp(ls->desc->tools[i].name, name))
			return i;
	fail_msg("no tool %s", name);
	return 0;
}

/* Run tool name with args; returns the status and the result's JSON. */
static skill_status run(struct executor *ex, const struct loaded_skill *ls,
                        const char *name, const char *args, char **json)
{
	struct skill_call c;
	struct call_result r;
	cJSON *parsed = cJSON_Parse(args), *o;
	skill_status st;

	assert_non_null(parsed);
	call_init(&c, ls->desc->name, name, parsed);
	c.services = &svc;
	st = ex->ops->invoke(ex, tool_index(ls, name), args, strlen(args), &c,
	                     &(struct exec_result){0});
	call_finish(&c, &r);
	o = call_result_to_json(&r);
	assert_non_null(o);
	*json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	cJSON_Delete(parsed);
	return st;
}

static void test_invoke(void **state)
{
	struct loaded_skill *ls;
	struct executor *ex = open_skill("testing-everything.so", &ls);
	char *out;

	(void)state;
	assert_string_equal(ex->ops->kind, "in-process");
	assert_int_equal(run(ex, ls, "echo", "{\"a\":[1,\"x\"]}", &out),
	                 SKILL_OK);
	/* Exactly the skill's text; isError is left out when false. */
	assert_string_equal(out, "{\"content\":[{\"type\":\"text\",\"text\":"
	                         "\"{\\\"a\\\":[1,\\\"x\\\"]}\"}]}");
	cJSON_free(out);
	assert_int_equal(run(ex, ls, "text", "{\"text\":\"hi\"}", &out),
	                 SKILL_OK);
	assert_non_null(strstr(out, "\"text\":\"hi\""));
	cJSON_free(out);
	assert_int_equal(run(ex, ls, "fail", "{\"why\":\"no reason\"}", &out),
	                 SKILL_ERR_TOOL);
	assert_non_null(strstr(out, "\"isError\":true"));
	cJSON_free(out);
	ex->ops->destroy(ex);
}

static void test_skill_extension(void **state)
{
	struct loaded_skill *ls;
	struct executor *ex = open_skill("testing-everything.so", &ls);
	const skill_ext_config_schema_t *cs;
	struct executor other = {.ops = NULL};

	(void)state;
	cs = exec_inproc_skill_extension(ex, SKILL_EXT_CONFIG_SCHEMA);
	assert_non_null(cs);
	assert_true(cs->struct_size >= sizeof *cs);
	cJSON *schema = cJSON_Parse(cs->schema);
	assert_true(cJSON_IsObject(schema));
	cJSON_Delete(schema);
	assert_null(exec_inproc_skill_extension(ex, "com.example.none/1"));
	/* Not an in-process executor (an isolated one, say): NULL, not a
	 * wild cast. */
	assert_null(
	        exec_inproc_skill_extension(&other, SKILL_EXT_CONFIG_SCHEMA));
	assert_null(exec_inproc_skill_extension(NULL, SKILL_EXT_CONFIG_SCHEMA));
	ex->ops->destroy(ex);

	/* A skill that offers no extensions at all. */
	ex = open_skill("testing-noop.so", &ls);
	assert_null(exec_inproc_skill_extension(ex, SKILL_EXT_CONFIG_SCHEMA));
	ex->ops->destroy(ex);
}

static void test_init_fails(void **state)
{
	char path[1024];
	struct loaded_skill *ls;
	struct executor *ex = (struct executor *)&ex;
	struct sh_error e;

	(void)state;
	snprintf(path, sizeof path, "%s/lib/testing-broken-init-fails.so",
	         SKILLS_OUT);
	assert_int_equal(loader_open(path, &ls, &e), SH_OK);
	assert_int_equal(exec_inproc_open(ls, &svc, NULL, &ex, &e),
	                 SH_ERR_FAIL);
	assert_null(ex);
	assert_non_null(strstr(e.msg, "init failed with status 8"));
	assert_non_null(strstr(e.msg, "SKILL_ERR_INTERNAL")
	                        ? strstr(e.msg, "SKILL_ERR_INTERNAL")
	                        : strstr(e.msg, "internal"));
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "testing/broken"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_invoke),
	        cmocka_unit_test(test_skill_extension),
	        cmocka_unit_test(test_init_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
