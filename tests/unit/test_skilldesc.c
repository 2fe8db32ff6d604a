/*
 * test_skilldesc.c - the host's validated copy of a skill's descriptors
 * (skilldesc.h), driven directly with in-memory entries and JSON: name and
 * semantic-version rules and precedence, the copy from an entry (and that
 * it no longer points into the skill's memory), each refusal with a message
 * naming the origin and the field, and the JSON round trip, including the
 * trusted form that defers schema compilation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "skilldesc.h"

#define OBJ "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\"}}}"

static const char *const needs[] = {"skill.http/1", NULL};

static skill_tool_t tool_a, tool_b;
static const skill_tool_t *tools[2];
static skill_entry_t entry;

/* A valid two-tool entry; tests then break one field. */
static int setup(void **state)
{
	(void)state;
	memset(&tool_a, 0, sizeof tool_a);
	tool_a.struct_size = sizeof tool_a;
	tool_a.name = "get";
	tool_a.title = "Get";
	tool_a.description = "Gets.";
	tool_a.input_schema = OBJ;
	tool_a.read_only = SKILL_HINT_YES;
	tool_a.destructive = SKILL_HINT_NO;
	tool_a.requires_ext = needs;
	tool_b = tool_a;
	tool_b.name = "put-it_2";
	tool_b.title = NULL;
	tool_b.output_schema = "{\"type\":\"object\"}";
	tool_b.read_only = SKILL_HINT_UNSET;
	tool_b.requires_ext = NULL;
	tools[0] = &tool_a;
	tools[1] = &tool_b;
	memset(&entry, 0, sizeof entry);
	entry.struct_size = sizeof entry;
	entry.name = "acme/demo";
	entry.version = "1.2.3-rc.1+build.5";
	entry.description = "A demo.";
	entry.license = "MIT";
	entry.flags = SKILL_FLAG_SERIALIZED;
	entry.tool_count = 2;
	entry.tools = tools;
	return 0;
}

static void test_name_rules(void **state)
{
	(void)state;
	assert_true(skilldesc_valid_skill_name("acme/weather-2"));
	assert_true(skilldesc_valid_skill_name("0/x"));
	assert_false(skilldesc_valid_skill_name("Acme/weather"));
	assert_false(skilldesc_valid_skill_name("acme"));
	assert_false(skilldesc_valid_skill_name("acme/a/b"));
	assert_false(skilldesc_valid_skill_name("acme/-x"));
	assert_false(skilldesc_valid_skill_name("acme/x-"));
	assert_false(skilldesc_valid_skill_name("acme/x_y"));
	assert_false(skilldesc_valid_skill_name("/x"));
	assert_false(skilldesc_valid_skill_name(NULL));

	/* A namespace alone: valid exactly when "ns/x" is a valid name. */
	assert_true(skilldesc_valid_namespace("acme"));
	assert_true(skilldesc_valid_namespace("0"));
	assert_false(skilldesc_valid_namespace("Acme"));
	assert_false(skilldesc_valid_namespace("acme/x"));
	assert_false(skilldesc_valid_namespace("-acme"));
	assert_false(skilldesc_valid_namespace(""));
	assert_false(skilldesc_valid_namespace(NULL));

	assert_true(skilldesc_valid_tool_name("Get_Issue-2"));
	assert_false(skilldesc_valid_tool_name("2get"));
	assert_false(skilldesc_valid_tool_name("get.issue"));
	assert_false(skilldesc_valid_tool_name(""));
	char longname[SKILLDESC_MAX_NAME + 2];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_false(skilldesc_valid_tool_name(longname));
	longname[SKILLDESC_MAX_NAME] = '\0';
	assert_true(skilldesc_valid_tool_name(longname));
	assert_true(skilldesc_valid_namespace(longname));
	longname[SKILLDESC_MAX_NAME] = 'a';
	assert_false(skilldesc_valid_namespace(longname));
}

static void test_semver(void **state)
{
	(void)state;
	assert_true(skilldesc_valid_semver("0.0.0"));
	assert_true(skilldesc_valid_semver("1.2.3-alpha.1+sha.5114f85"));
	assert_false(skilldesc_valid_semver("1.2"));
	assert_false(skilldesc_valid_semver("01.2.3"));
	assert_false(skilldesc_valid_semver("1.2.3-"));
	assert_false(skilldesc_valid_semver("1.2.3-a..b"));
	assert_false(skilldesc_valid_semver("v1.2.3"));
	assert_false(skilldesc_valid_semver("1.2.3 "));

	/* semver.org's precedence example, in order. */
	static const char *const order[] = {
	        "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
	        "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
	        "1.0.0-rc.1",  "1.0.0",         "1.0.1",
	        "1.10.0",      "2.0.0"};
	for (size_t i = 0; i + 1 < sizeof order / sizeof *order; i++) {
		assert_true(skilldesc_semver_compare(order[i], order[i + 1]) <
		            0);
		assert_true(skilldesc_semver_compare(order[i + 1], order[i]) >
		            0);
	}
	assert_int_equal(skilldesc_semver_compare("1.0.0+a", "1.0.0+b"), 0);
}

static void test_from_entry_copies(void **state)
{
	struct skilldesc *d = NULL;
	struct sh_error e;
	char name[] = "acme/demo";

	(void)state;
	entry.name = name;
	assert_int_equal(skilldesc_from_entry(&entry, "x.so", &d, &e), SH_OK);
	name[0] = 'X'; /* the copy must not see the skill's memory change */
	assert_string_equal(d->name, "acme/demo");
	assert_string_equal(d->version, "1.2.3-rc.1+build.5");
	assert_string_equal(d->license, "MIT");
	assert_true(d->flags & SKILL_FLAG_SERIALIZED);
	assert_int_equal(d->ntools, 2);
	assert_string_equal(d->tools[0].name, "get");
	assert_string_equal(d->tools[0].title, "Get");
	assert_int_equal(d->tools[0].hints[HINT_READ_ONLY], SKILL_HINT_YES);
	assert_int_equal(d->tools[0].hints[HINT_DESTRUCTIVE], SKILL_HINT_NO);
	assert_int_equal(d->tools[0].hints[HINT_OPEN_WORLD], SKILL_HINT_UNSET);
	assert_string_equal(d->tools[0].requires_ext[0], "skill.http/1");
	assert_null(d->tools[0].requires_ext[1]);
	assert_null(d->tools[1].title);
	assert_non_null(d->tools[1].requires_ext); /* empty, not NULL */
	assert_null(d->tools[1].requires_ext[0]);
	assert_string_equal(d->tools[1].output_schema, "{\"type\":\"object\"}");
	skilldesc_free(d);
}

/* from_entry must fail with status st and a message holding want. */
static void refused(sh_status st, const char *want)
{
	struct skilldesc *d = NULL;
	struct sh_error e;

	assert_int_equal(skilldesc_from_entry(&entry, "x.so", &d, &e), st);
	assert_null(d);
	if (!strstr(e.msg, want) || strncmp(e.msg, "x.so: ", 6) != 0)
		fail_msg("message \"%s\" lacks \"x.so: ...%s\"", e.msg, want);
}

static void test_from_entry_refusals(void **state)
{
	(void)state;
	entry.version = "1.0";
	refused(SH_ERR_ABI, "version \"1.0\" is not a semantic version");
	setup(NULL);
	entry.name = NULL;
	refused(SH_ERR_ABI, "name is NULL; it is required");
	setup(NULL);
	entry.name = "Bad";
	refused(SH_ERR_ABI, "name \"Bad\" is not \"namespace/name\"");
	setup(NULL);
	entry.description = "bad \xff utf-8";
	refused(SH_ERR_ABI, "description is not valid UTF-8");
	setup(NULL);
	entry.description = "";
	refused(SH_ERR_ABI, "description is empty");
	setup(NULL);
	entry.tool_count = 0;
	refused(SH_ERR_ABI, "tool_count is 0");
	setup(NULL);
	entry.tool_count = SKILLDESC_MAX_TOOLS + 1;
	refused(SH_ERR_ABI, "over the limit");
	setup(NULL);
	entry.tools = NULL;
	refused(SH_ERR_ABI, "tools is NULL but tool_count is 2");
	setup(NULL);
	tools[1] = NULL;
	refused(SH_ERR_ABI, "tools[1] is NULL");
	setup(NULL);
	tool_b.name = "get";
	refused(SH_ERR_ABI, "tools[0] and tools[1] are both named \"get\"");
	setup(NULL);
	tool_b.name = "bad name";
	refused(SH_ERR_ABI, "tools[1].name \"bad name\"");
	setup(NULL);
	tool_b.destructive = 3;
	refused(SH_ERR_ABI, "tools[1].destructiveHint is 3");
	setup(NULL);
	tool_b.struct_size = 8;
	refused(SH_ERR_ABI, "tools[1].struct_size is 8");
	setup(NULL);
	tool_b.input_schema = "{\"type\":\"string\"}";
	refused(SH_ERR_ABI, "tools[1].input_schema must be a schema whose "
	                    "root has \"type\": \"object\"");
	setup(NULL);
	tool_b.output_schema = "{\"type\":\"object\",\"minProperties\":\"x\"}";
	refused(SH_ERR_ABI, "tools[1].output_schema");
	setup(NULL);
	tool_b.input_schema = "{not json";
	refused(SH_ERR_ABI, "tools[1].input_schema");
}

static void test_requires_unterminated(void **state)
{
	static const char *many[SKILLDESC_MAX_REQUIRES + 2];

	(void)state;
	for (int i = 0; i < SKILLDESC_MAX_REQUIRES + 1; i++)
		many[i] = "skill.http/1";
	many[SKILLDESC_MAX_REQUIRES + 1] = NULL;
	tool_a.requires_ext = many;
	refused(SH_ERR_ABI, "tools[0].requires_ext lists more than");
}

static void test_json_round_trip(void **state)
{
	struct skilldesc *d = NULL, *back = NULL, *trusted = NULL;
	struct sh_error e;
	cJSON *j, *j2;
	char *s1, *s2;

	(void)state;
	assert_int_equal(skilldesc_from_entry(&entry, "x.so", &d, &e), SH_OK);
	j = skilldesc_to_json(d);
	assert_non_null(j);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "serialized")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "tools")),
	                 2);
	assert_int_equal(skilldesc_from_json(j, "cache", &back, &e), SH_OK);
	j2 = skilldesc_to_json(back);
	s1 = cJSON_PrintUnformatted(j);
	s2 = cJSON_PrintUnformatted(j2);
	assert_string_equal(s1, s2);
	assert_true(back->flags & SKILL_FLAG_SERIALIZED);
	assert_int_equal(back->tools[1].hints[HINT_READ_ONLY],
	                 SKILL_HINT_UNSET);
	assert_int_equal(back->tools[0].hints[HINT_DESTRUCTIVE], SKILL_HINT_NO);

	/* The trusted form skips schema compilation, not structure. */
	cJSON *t1 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "tools"), 1);
	cJSON_ReplaceItemInObject(t1, "inputSchema",
	                          cJSON_CreateString("{\"type\":\"string\"}"));
	assert_int_equal(skilldesc_from_json(j, "cache", &trusted, &e),
	                 SH_ERR_ABI);
	assert_non_null(strstr(e.msg, "cache: tools[1].input_schema"));
	assert_int_equal(skilldesc_from_json_trusted(j, "cache", &trusted, &e),
	                 SH_OK);
	skilldesc_free(trusted);
	cJSON_ReplaceItemInObject(t1, "name", cJSON_CreateString("get"));
	trusted = NULL;
	assert_int_not_equal(
	        skilldesc_from_json_trusted(j, "cache", &trusted, &e), SH_OK);
	assert_null(trusted);
	assert_non_null(strstr(e.msg, "both named \"get\""));

	free(s1);
	free(s2);
	cJSON_Delete(j);
	cJSON_Delete(j2);
	skilldesc_free(d);
	skilldesc_free(back);
}

static void test_json_refusals(void **state)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
	        {"[]", "not a skill description"},
	        {"{\"name\":\"a/b\",\"version\":\"1.0.0\"}",
	         "not a skill description"},
	        {"{\"name\":\"a/"
	         "b\",\"version\":\"1.0.0\",\"description\":\"d\","
	         "\"tools\":[7]}",
	         "tools[0] is not an object"},
	        {"{\"name\":\"a/"
	         "b\",\"version\":\"1.0.0\",\"description\":\"d\","
	         "\"tools\":[{\"name\":\"t\",\"description\":\"d\","
	         "\"inputSchema\":\"{\\\"type\\\":\\\"object\\\"}\","
	         "\"requires\":[1]}]}",
	         "requires[0] must be a string"},
	        {"{\"version\":\"1.0.0\",\"description\":\"d\",\"tools\":[]}",
	         "name"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct skilldesc *d = NULL;
		struct sh_error e;
		cJSON *j = cJSON_Parse(cases[i].json);

		assert_non_null(j);
		assert_int_not_equal(skilldesc_from_json(j, "idx", &d, &e),
		                     SH_OK);
		assert_null(d);
		if (!strstr(e.msg, cases[i].want) || strncmp(e.msg, "idx", 3))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg,
			         cases[i].want);
		cJSON_Delete(j);
	}
	skilldesc_free(NULL); /* must be harmless, like free(NULL) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_name_rules),
	        cmocka_unit_test(test_semver),
	        cmocka_unit_test_setup(test_from_entry_copies, setup),
	        cmocka_unit_test_setup(test_from_entry_refusals, setup),
	        cmocka_unit_test_setup(test_requires_unterminated, setup),
	        cmocka_unit_test_setup(test_json_round_trip, setup),
	        cmocka_unit_test(test_json_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
