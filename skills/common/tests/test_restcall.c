/*
 * test_restcall.c - the per-call plumbing the REST skills share
 * (restcall.h), against a fake host: formatted tool errors (and their cut
 * at RC_MESSAGE_MAX), the argument and tool-index checks, declared-secret
 * reads with the packaging-error wording, the config-schema extension, the
 * JSON member helpers and the HTTP reason phrases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "restcall.h"
#include "restkit.h"

static char last_error[RC_MESSAGE_MAX + 16];
static int errors;

static skill_status fake_tool_error(skill_call_t *call, const char *msg)
{
	(void)call;
	snprintf(last_error, sizeof last_error, "%s", msg);
	errors++;
	return SKILL_OK;
}

static skill_host_t host = {.struct_size = sizeof(skill_host_t),
                            .tool_error = fake_tool_error};

static int64_t fake_secret(skill_call_t *call, const char *name, char *buf,
                           size_t cap)
{
	(void)call;
	if (!strcmp(name, "UNDECLARED"))
		return -2;
	if (!strcmp(name, "UNSET"))
		return -1;
	return snprintf(buf, cap, " tok-123\r\n");
}

static const skill_ext_secrets_t secrets = {.struct_size = sizeof secrets,
                                            .get = fake_secret};

static int reset(void **state)
{
	(void)state;
	last_error[0] = '\0';
	errors = 0;
	return 0;
}

static void test_fail(void **state)
{
	char big[RC_MESSAGE_MAX * 2];

	(void)state;
	assert_int_equal(
	        rc_fail(&host, NULL, SKILL_ERR_TOOL, "%s has %d", "x", 3),
	        SKILL_ERR_TOOL);
	assert_string_equal(last_error, "x has 3");
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	rc_fail(&host, NULL, SKILL_ERR_TOOL, "%s", big);
	assert_int_equal(strlen(last_error), RC_MESSAGE_MAX - 1);
}

static void test_fail_buf(void **state)
{
	struct sbuf b;

	(void)state;
	sb_init(&b, 0);
	sb_puts(&b, "Jira said no");
	assert_int_equal(rc_fail_buf(&host, NULL, SKILL_ERR_TOOL, &b),
	                 SKILL_ERR_TOOL);
	assert_string_equal(last_error, "Jira said no");
}

static void test_begin(void **state)
{
	cJSON *args = (cJSON *)&args;

	(void)state;
	assert_int_equal(rc_begin(&host, NULL, 0, 2, "{\"a\":1}", 7, &args),
	                 SKILL_OK);
	assert_int_equal(rc_int(args, "a", 9), 1);
	cJSON_Delete(args);
	assert_int_equal(errors, 0);

	assert_int_equal(rc_begin(&host, NULL, 2, 2, "{}", 2, &args),
	                 SKILL_ERR_INTERNAL);
	assert_null(args);
	assert_string_equal(last_error,
	                    "unknown tool index 2 (the skill has 2 tools)");

	assert_int_equal(rc_begin(&host, NULL, 0, 2, "[1]", 3, &args),
	                 SKILL_ERR_ARGS);
	assert_null(args);
	assert_string_equal(last_error, "the arguments must be a JSON object");
	assert_int_equal(rc_parse_args(&host, NULL, "{\"a\"", 4, &args),
	                 SKILL_ERR_ARGS);
	assert_null(args);
}

static void test_secret(void **state)
{
	char *v = NULL;

	(void)state;
	assert_int_equal(
	        rc_secret(&host, NULL, &secrets, "acme/x", "TOKEN", &v), 7);
	assert_string_equal(v, "tok-123"); /* trimmed */
	rk_secret_free(v);
	assert_int_equal(errors, 0);

	assert_int_equal(
	        rc_secret(&host, NULL, &secrets, "acme/x", "UNSET", &v), -1);
	assert_null(v);
	assert_int_equal(errors, 0); /* the skill words "not set" itself */

	assert_int_equal(
	        rc_secret(&host, NULL, &secrets, "acme/x", "UNDECLARED", &v),
	        -2);
	assert_null(v);
	assert_string_equal(last_error,
	                    "acme/x cannot read UNDECLARED: its manifest does "
	                    "not declare it (a packaging error; reinstall the "
	                    "skill)");
}

static void test_helpers(void **state)
{
	static const skill_ext_config_schema_t cs = {.struct_size = sizeof cs,
	                                             .schema = "{}"};
	cJSON *o = cJSON_Parse("{\"s\":\"v\",\"n\":4.7,\"b\":true}");

	(void)state;
	assert_ptr_equal(rc_config_schema(SKILL_EXT_CONFIG_SCHEMA, &cs), &cs);
	assert_null(rc_config_schema("skill.config-schema/2", &cs));
	assert_null(rc_config_schema(NULL, &cs));

	assert_string_equal(rc_str(o, "s"), "v");
	assert_null(rc_str(o, "n"));
	assert_null(rc_str(o, "S")); /* case-sensitive */
	assert_int_equal(rc_int(o, "n", -1), 4);
	assert_int_equal(rc_int(o, "s", -1), -1);
	assert_int_equal(rc_int(o, "missing", 5), 5);
	assert_true(rc_add_str(o, "t", "w"));
	assert_true(rc_add_str(o, "u", NULL)); /* NULL adds nothing */
	assert_string_equal(rc_str(o, "t"), "w");
	assert_null(cJSON_GetObjectItem(o, "u"));
	cJSON_Delete(o);

	assert_string_equal(rc_http_reason(404), "Not Found");
	assert_string_equal(rc_http_reason(300), "Multiple Choices");
	assert_string_equal(rc_http_reason(429), "Too Many Requests");
	assert_string_equal(rc_http_reason(299), "");
	assert_true(rc_idempotent("GET"));
	assert_true(rc_idempotent("PUT"));
	assert_true(rc_idempotent("DELETE"));
	assert_false(rc_idempotent("POST"));
	assert_false(rc_idempotent("PATCH"));
	assert_false(rc_idempotent("get")); /* methods are case-sensitive */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_fail, reset),
	        cmocka_unit_test_setup(test_fail_buf, reset),
	        cmocka_unit_test_setup(test_begin, reset),
	        cmocka_unit_test_setup(test_secret, reset),
	        cmocka_unit_test_setup(test_helpers, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
