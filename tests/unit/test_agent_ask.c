/*
 * test_agent_ask.c - the agent's terminal prompt for skills' questions
 * (agent_ask_terminal): refused when the input is not a terminal; on a
 * pseudo-terminal, accept with typed fields (a bad number is asked
 * again, an optional field may be left empty), decline, cancel, a form
 * left half-answered until the deadline, and the deadline; choices
 * (titled, legacy enumNames, multiple) and defaults.
 */
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent_ask.h"
#include "call.h"

static const char *params_text =
        "{\"message\":\"Who are you?\",\"requestedSchema\":{\"type\":"
        "\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":"
        "{\"type\":\"integer\"},\"vip\":{\"type\":\"boolean\"}},"
        "\"required\":[\"name\",\"age\"]}}";

/* Answer the prompt with input on a fresh pseudo-terminal. */
static skill_status on_pty(const char *input, struct skill_call *c,
                           cJSON **result, char *why, size_t cap, char *shown,
                           size_t shown_cap)
{
	cJSON *params = cJSON_Parse(params_text);
	int master, slave;
	FILE *out = tmpfile();
	skill_status st;
	size_t n;

	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	if (input)
		assert_int_equal(write(master, input, strlen(input)),
		                 (ssize_t)strlen(input));
	st = agent_ask_terminal(slave, out, c, params, result, why, cap);
	rewind(out);
	n = fread(shown, 1, shown_cap - 1, out);
	shown[n] = '\0';
	fclose(out);
	close(master);
	close(slave);
	cJSON_Delete(params);
	return st;
}

static void test_not_a_terminal(void **state)
{
	cJSON *params = cJSON_Parse(params_text), *result = NULL;
	char why[300];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(agent_ask_terminal(p[0], stderr, NULL, params, &result,
	                                    why, sizeof why),
	                 SKILL_ERR_UNSUPPORTED);
	assert_null(result);
	assert_non_null(strstr(why, "not a terminal"));
	close(p[0]);
	close(p[1]);
	cJSON_Delete(params);
}

static void test_accept(void **state)
{
	cJSON *result = NULL;
	char why[300], shown[2048], *text;

	(void)state;
	/* "x" is not an integer: asked again; vip left empty (optional). */
	assert_int_equal(on_pty("y\nAda\nx\n36\n\n", NULL, &result, why,
	                        sizeof why, shown, sizeof shown),
	                 SKILL_OK);
	text = cJSON_PrintUnformatted(result);
	assert_string_equal(text, "{\"action\":\"accept\",\"content\":{"
	                          "\"name\":\"Ada\",\"age\":36}}");
	free(text);
	cJSON_Delete(result);
	assert_non_null(strstr(shown, "Who are you?"));
	assert_non_null(strstr(shown, "age (integer, required)"));
	assert_non_null(strstr(shown, "not a valid integer"));
	/* A boolean field. */
	assert_int_equal(on_pty("yes\nBo\n7\nn\n", NULL, &result, why,
	                        sizeof why, shown, sizeof shown),
	                 SKILL_OK);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(
	        cJSON_GetObjectItem(result, "content"), "vip")));
	cJSON_Delete(result);
}

/* The choices of MCP 2025-11-25 forms: options shown with their titles,
 * picked by value or title, a multiple choice as a comma-separated list,
 * and an empty answer taking the skill's default. */
static void test_choices_and_defaults(void **state)
{
	static const char form[] =
	        "{\"message\":\"Pick\",\"requestedSchema\":{\"type\":"
	        "\"object\",\"properties\":{"
	        "\"size\":{\"type\":\"string\",\"oneOf\":[{\"const\":\"s\","
	        "\"title\":\"Small\"},{\"const\":\"l\",\"title\":\"Large\"}]},"
	        "\"legacy\":{\"type\":\"string\",\"enum\":[\"o1\",\"o2\"],"
	        "\"enumNames\":[\"One\",\"Two\"]},"
	        "\"tags\":{\"type\":\"array\",\"items\":{\"anyOf\":["
	        "{\"const\":\"a\",\"title\":\"Alpha\"},{\"const\":\"b\","
	        "\"title\":\"Beta\"}]}},"
	        "\"n\":{\"type\":\"integer\",\"default\":30}},"
	        "\"required\":[\"size\",\"n\"]}}";
	cJSON *params = cJSON_Parse(form), *result = NULL;
	char why[300], shown[4096], *text;
	int master, slave;
	FILE *out = tmpfile();
	/* "m" is no option: asked again; "large" is a title. */
	const char *input = "y\nm\nlarge\nTwo\nbeta, a\n\n";
	size_t n;

	(void)state;
	assert_non_null(params);
	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	assert_int_equal(write(master, input, strlen(input)),
	                 (ssize_t)strlen(input));
	assert_int_equal(agent_ask_terminal(slave, out, NULL, params, &result,
	                                    why, sizeof why),
	                 SKILL_OK);
	rewind(out);
	n = fread(shown, 1, sizeof shown - 1, out);
	shown[n] = '\0';
	text = cJSON_PrintUnformatted(result);
	assert_string_equal(text, "{\"action\":\"accept\",\"content\":{"
	                          "\"size\":\"l\",\"legacy\":\"o2\","
	                          "\"tags\":[\"b\",\"a\"],\"n\":30}}");
	free(text);
	assert_non_null(strstr(shown, "[s (Small), l (Large)]"));
	assert_non_null(strstr(shown, "[o1 (One), o2 (Two)]"));
	assert_non_null(strstr(shown, "(comma-separated)"));
	assert_non_null(strstr(shown, "(Enter: 30)"));
	assert_non_null(strstr(shown, "not a valid choice"));
	cJSON_Delete(result);
	cJSON_Delete(params);
	fclose(out);
	close(master);
	close(slave);
}

static void test_decline_cancel_midform(void **state)
{
	const char *inputs[] = {"n\n", "c\n", "y\nAda\n"};
	const char *want[] = {"decline", "cancel", "cancel"};
	cJSON *result = NULL;
	char why[300], shown[2048];
	struct skill_call c;

	(void)state;
	for (int i = 0; i < 3; i++) {
		/* The last runs out of input mid-form: a deadline ends it
		 * (a pty has no end of input while open). */
		call_init(&c, "t/t", "t/t.x", NULL);
		c.deadline_ns = call_now_ns() + 300 * 1000000LL;
		skill_status st = on_pty(inputs[i], &c, &result, why,
		                         sizeof why, shown, sizeof shown);
		if (i < 2) {
			assert_int_equal(st, SKILL_OK);
			assert_string_equal(
			        cJSON_GetObjectItem(result, "action")
			                ->valuestring,
			        want[i]);
			assert_null(cJSON_GetObjectItem(result, "content"));
		} else {
			assert_int_equal(st, SKILL_ERR_TIMEOUT);
			assert_null(result);
			assert_non_null(strstr(why, "deadline"));
		}
		cJSON_Delete(result);
		result = NULL;
		call_finish(&c, NULL);
	}
}

static void test_deadline(void **state)
{
	cJSON *result = NULL;
	char why[300], shown[2048];
	struct skill_call c;
	int64_t t0 = call_now_ns();

	(void)state;
	call_init(&c, "t/t", "t/t.x", NULL);
	c.deadline_ns = t0 + 250 * 1000000LL;
	assert_int_equal(
	        on_pty(NULL, &c, &result, why, sizeof why, shown, sizeof shown),
	        SKILL_ERR_TIMEOUT);
	assert_true(call_now_ns() - t0 < 2000000000LL);
	assert_non_null(strstr(shown, "no answer before the call's deadline"));
	call_finish(&c, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_not_a_terminal),
	        cmocka_unit_test(test_accept),
	        cmocka_unit_test(test_choices_and_defaults),
	        cmocka_unit_test(test_decline_cancel_midform),
	        cmocka_unit_test(test_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
