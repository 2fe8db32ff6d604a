/*
 * test_clientask.c - skill.elicit/1's form check and round trip: the
 * forms of MCP 2025-11-25 pass (defaults of every field type, SEP-1034;
 * untitled, titled, legacy enumNames and multiple-choice enums,
 * SEP-1330) and reach the client unchanged; forms a client could not
 * render are refused naming the field; an accepted answer is checked
 * against the form (a multiple choice outside its options is refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "call.h"
#include "clientask.h"

static const char form_defaults[] =
        "{\"type\":\"object\",\"properties\":{"
        "\"name\":{\"type\":\"string\",\"default\":\"John Doe\"},"
        "\"age\":{\"type\":\"integer\",\"default\":30},"
        "\"score\":{\"type\":\"number\",\"default\":95.5},"
        "\"status\":{\"type\":\"string\",\"enum\":[\"active\","
        "\"inactive\"],\"default\":\"active\"},"
        "\"verified\":{\"type\":\"boolean\",\"default\":true}}}";

static const char form_enums[] =
        "{\"type\":\"object\",\"properties\":{"
        "\"u1\":{\"type\":\"string\",\"enum\":[\"a\",\"b\"]},"
        "\"t1\":{\"type\":\"string\",\"oneOf\":[{\"const\":\"v1\","
        "\"title\":\"One\"},{\"const\":\"v2\",\"title\":\"Two\"}],"
        "\"default\":\"v2\"},"
        "\"legacy\":{\"type\":\"string\",\"enum\":[\"o1\",\"o2\"],"
        "\"enumNames\":[\"Option 1\",\"Option 2\"]},"
        "\"um\":{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":"
        "\"string\",\"enum\":[\"a\",\"b\",\"c\"]},\"default\":[\"a\"]},"
        "\"tm\":{\"type\":\"array\",\"items\":{\"anyOf\":[{\"const\":\"v1\","
        "\"title\":\"One\"},{\"const\":\"v2\",\"title\":\"Two\"}]}}},"
        "\"required\":[\"tm\"]}";

static int form_ok(const char *text, char *why, size_t cap)
{
	cJSON *j = cJSON_Parse(text);
	int ok;

	assert_non_null(j);
	why[0] = '\0';
	ok = clientask_form_ok(j, why, cap);
	cJSON_Delete(j);
	return ok;
}

static void test_form_accepts(void **state)
{
	char why[400];

	(void)state;
	assert_true(form_ok(form_defaults, why, sizeof why));
	assert_true(form_ok(form_enums, why, sizeof why));
}

static void test_form_refuses(void **state)
{
	static const struct {
		const char *prop, *field, *what;
	} bad[] = {
	        {"{\"type\":\"object\"}", "f", "string, number"},
	        {"{\"type\":\"integer\",\"default\":1.5}", "f", "an integer"},
	        {"{\"type\":\"number\",\"default\":\"1\"}", "f", "a number"},
	        {"{\"type\":\"boolean\",\"default\":1}", "f", "a boolean"},
	        {"{\"type\":\"string\",\"default\":3}", "f", "a string"},
	        {"{\"type\":\"string\",\"enum\":[\"a\"],\"default\":\"b\"}",
	         "f", "among the options"},
	        {"{\"type\":\"string\",\"enum\":[]}", "f", "non-empty"},
	        {"{\"type\":\"string\",\"enum\":[\"a\",1]}", "f", "a string"},
	        {"{\"type\":\"string\",\"enum\":[\"a\",\"b\"],\"enumNames\":"
	         "[\"A\"]}",
	         "f", "one per"},
	        {"{\"type\":\"string\",\"enumNames\":[\"A\"]}", "f", "one per"},
	        {"{\"type\":\"string\",\"oneOf\":[{\"const\":\"a\"}]}", "f",
	         "\"title\": string"},
	        {"{\"type\":\"string\",\"enum\":[\"a\"],\"oneOf\":[{\"const\":"
	         "\"a\",\"title\":\"A\"}]}",
	         "f", "not both"},
	        {"{\"type\":\"array\",\"items\":{\"type\":\"number\"}}", "f",
	         "multiple choice"},
	        {"{\"type\":\"array\",\"items\":{\"enum\":[\"a\"]}}", "f",
	         "multiple choice"},
	        {"{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":"
	         "[\"a\"]},\"default\":[\"z\"]}",
	         "f", "array of the options"},
	        {"{\"type\":\"array\",\"items\":{\"anyOf\":[{\"const\":\"a\","
	         "\"title\":\"A\"}]},\"default\":\"a\"}",
	         "f", "array of the options"},
	};
	char text[512], why[400];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(
		        text, sizeof text,
		        "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":"
		        "\"string\"},\"%s\":%s}}",
		        bad[i].field, bad[i].prop);
		if (form_ok(text, why, sizeof why))
			fail_msg("accepted: %s", bad[i].prop);
		if (!strstr(why, "\"f\"") || !strstr(why, bad[i].what))
			fail_msg("%s: why is \"%s\", expected \"%s\"",
			         bad[i].prop, why, bad[i].what);
	}
	assert_false(form_ok("{\"type\":\"array\"}", why, sizeof why));
	assert_non_null(strstr(why, "\"type\": \"object\""));
}

/* A client that records the request and answers with a canned result. */
struct fake {
	cJSON *params;
	const char *answer;
};

static skill_status fake_request(void *ud, struct skill_call *c,
                                 const char *method, cJSON *params,
                                 cJSON **result, char *why, size_t cap)
{
	struct fake *f = ud;

	(void)c, (void)why, (void)cap;
	assert_string_equal(method, "elicitation/create");
	f->params = params;
	*result = cJSON_Parse(f->answer);
	assert_non_null(*result);
	return SKILL_OK;
}

static skill_status ask(struct fake *f, const char *form,
                        skill_elicit_result_t *out, struct call_result *res)
{
	struct call_sinks sinks = {.request = fake_request, .ud = f};
	struct skill_call c;
	skill_elicit_request_t req = {.struct_size = sizeof req,
	                              .message = "Choose",
	                              .requested_schema = form};
	skill_status st;

	call_init(&c, "t/s", "tool", NULL);
	c.sinks = &sinks;
	out->struct_size = sizeof *out;
	st = clientask_elicit_ext.elicit(&c, &req, out);
	/* out's strings end with the call: compare them before that. */
	if (st == SKILL_OK && out->content)
		assert_int_equal(strlen(out->content), out->content_len);
	if (st == SKILL_OK && out->content) {
		cJSON *got = cJSON_Parse(out->content);
		assert_non_null(got);
		assert_non_null(cJSON_GetObjectItem(got, "tm"));
		cJSON_Delete(got);
	}
	if (st != SKILL_OK)
		call_tool_error(&c, "asking failed");
	call_finish(&c, res);
	return st;
}

static void test_round_trip(void **state)
{
	struct fake f = {
	        .answer = "{\"action\":\"accept\",\"content\":{\"t1\":\"v1\","
	                  "\"legacy\":\"o2\",\"um\":[\"a\",\"c\"],\"tm\":["
	                  "\"v1\",\"v2\"]}}"};
	skill_elicit_result_t out;
	struct call_result res = {0};
	cJSON *sent = cJSON_Parse(form_enums);

	(void)state;
	assert_int_equal(ask(&f, form_enums, &out, &res), SKILL_OK);
	assert_int_equal(out.action, SKILL_ELICIT_ACCEPT);
	/* The client saw the form as the skill wrote it: defaults, oneOf,
	 * enumNames and anyOf included. */
	assert_true(cJSON_Compare(
	        cJSON_GetObjectItem(f.params, "requestedSchema"), sent, 1));
	cJSON_Delete(f.params);
	cJSON_Delete(sent);
	call_result_free(&res);
}

static void test_answer_checked(void **state)
{
	static const char *const answers[] = {
	        /* not among the multiple choice's options */
	        "{\"action\":\"accept\",\"content\":{\"tm\":[\"v3\"]}}",
	        /* a titled single choice outside its oneOf */
	        "{\"action\":\"accept\",\"content\":{\"tm\":[],\"t1\":"
	        "\"One\"}}",
	        /* fewer than minItems */
	        "{\"action\":\"accept\",\"content\":{\"tm\":[],\"um\":[]}}",
	};
	skill_elicit_result_t out;

	(void)state;
	for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
		struct fake f = {.answer = answers[i]};
		struct call_result res = {0};
		char *s;

		assert_int_equal(ask(&f, form_enums, &out, &res),
		                 SKILL_ERR_DENIED);
		/* The host's reason follows the skill's error text. */
		s = cJSON_PrintUnformatted(res.content);
		if (!strstr(s, "does not match the form"))
			fail_msg("answer %zu: %s", i, s);
		free(s);
		cJSON_Delete(f.params);
		call_result_free(&res);
	}
}

static void test_bad_form_not_sent(void **state)
{
	struct fake f = {.answer = "{\"action\":\"cancel\"}"};
	skill_elicit_result_t out;
	struct call_result res = {0};

	(void)state;
	assert_int_equal(
	        ask(&f,
	            "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":"
	            "\"array\",\"items\":{\"type\":\"integer\"}}}}",
	            &out, &res),
	        SKILL_ERR_ARGS);
	assert_null(f.params);
	call_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_form_accepts),
	        cmocka_unit_test(test_form_refuses),
	        cmocka_unit_test(test_round_trip),
	        cmocka_unit_test(test_answer_checked),
	        cmocka_unit_test(test_bad_form_not_sent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
