/*
 * test_toolfmt.c - the MCP Tool object and the `tools --json` record
 * (toolfmt.h): exact members, schemas embedded as JSON (not strings),
 * annotations carrying only the hints the skill set, optional members left
 * out, and NULL for a stored schema that does not parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "toolfmt.h"

static struct skilldesc sdesc;
static struct skill skill;
static struct tooldesc desc;
static struct tool tool;

static int setup(void **state)
{
	(void)state;
	memset(&sdesc, 0, sizeof sdesc);
	memset(&skill, 0, sizeof skill);
	memset(&desc, 0, sizeof desc);
	memset(&tool, 0, sizeof tool);
	sdesc.name = "acme/weather";
	sdesc.version = "1.2.0";
	skill.desc = &sdesc;
	desc.name = "current";
	desc.title = "Current weather";
	desc.description = "The weather now.";
	desc.input_schema = "{\"type\":\"object\",\"properties\":{\"place\":"
	                    "{\"type\":\"string\"}},\"required\":[\"place\"]}";
	desc.hints[HINT_READ_ONLY] = SKILL_HINT_YES;
	desc.hints[HINT_DESTRUCTIVE] = SKILL_HINT_NO;
	tool.skill = &skill;
	tool.desc = &desc;
	snprintf(tool.canonical, sizeof tool.canonical, "acme/weather.current");
	{
		const char *canon = tool.canonical;
		struct sh_error e;
		assert_int_equal(names_mcp(&canon, 1, &tool.mcp_name, &e),
		                 SH_OK);
	}
	names_dotted(tool.canonical, tool.dotted);
	names_fc(tool.canonical, tool.fc_name);
	return 0;
}

static char *print(cJSON *o)
{
	char *s;

	assert_non_null(o);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void test_mcp_exact(void **state)
{
	char *s;

	(void)state;
	s = print(toolfmt_mcp(&tool));
	assert_string_equal(
	        s, "{\"name\":\"current\",\"title\":\"Current "
	           "weather\",\"description\":\"The weather now.\","
	           "\"inputSchema\":{\"type\":\"object\",\"properties\":{"
	           "\"place\":{\"type\":\"string\"}},\"required\":[\"place\"]},"
	           "\"annotations\":{\"readOnlyHint\":true,"
	           "\"destructiveHint\":false},\"_meta\":{"
	           "\"io.skillhost/canonical\":\"acme/weather.current\"}}");
	free(s);
}

static void test_mcp_optional_members(void **state)
{
	cJSON *o;

	(void)state;
	desc.title = NULL;
	desc.hints[HINT_READ_ONLY] = SKILL_HINT_UNSET;
	desc.hints[HINT_DESTRUCTIVE] = SKILL_HINT_UNSET;
	desc.output_schema = "{\"type\":\"object\",\"properties\":{\"t\":{"
	                     "\"type\":\"number\"}}}";
	o = toolfmt_mcp(&tool);
	assert_non_null(o);
	/* No title of its own: the canonical name is the title. */
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(o, "title")),
	        "acme/weather.current");
	/* No hint set: no annotations at all, so MCP's defaults apply. */
	assert_null(cJSON_GetObjectItem(o, "annotations"));
	assert_true(cJSON_IsObject(cJSON_GetObjectItem(o, "outputSchema")));
	cJSON_Delete(o);

	desc.hints[HINT_OPEN_WORLD] = SKILL_HINT_NO;
	desc.hints[HINT_IDEMPOTENT] = SKILL_HINT_YES;
	o = toolfmt_mcp(&tool);
	cJSON *a = cJSON_GetObjectItem(o, "annotations");
	assert_int_equal(cJSON_GetArraySize(a), 2);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(a, "openWorldHint")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a, "idempotentHint")));
	cJSON_Delete(o);
}

static void test_bad_stored_schema(void **state)
{
	(void)state;
	desc.input_schema = "{\"type\":";
	assert_null(toolfmt_mcp(&tool));
	assert_null(toolfmt_info(&tool));
	desc.input_schema = "{\"type\":\"object\"}";
	desc.output_schema = "nonsense";
	assert_null(toolfmt_mcp(&tool));
	assert_null(toolfmt_info(&tool));
}

static void test_info(void **state)
{
	cJSON *o;

	(void)state;
	o = toolfmt_info(&tool);
	assert_non_null(o);
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(o, "name")),
	        "acme/weather.current");
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(o, "skill")),
	        "acme/weather");
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(o, "version")),
	        "1.2.0");
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(o, "tool")),
	        "current");
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(o, "mcpName")),
	        "current");
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(o, "functionName")),
	        "current");
	assert_true(cJSON_IsObject(cJSON_GetObjectItem(o, "inputSchema")));
	cJSON *h = cJSON_GetObjectItem(o, "hints");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(h, "readOnlyHint")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(h, "destructiveHint")));
	assert_null(cJSON_GetObjectItem(h, "openWorldHint"));
	assert_null(cJSON_GetObjectItem(o, "outputSchema"));
	cJSON_Delete(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_mcp_exact, setup),
	        cmocka_unit_test_setup(test_mcp_optional_members, setup),
	        cmocka_unit_test_setup(test_bad_stored_schema, setup),
	        cmocka_unit_test_setup(test_info, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
