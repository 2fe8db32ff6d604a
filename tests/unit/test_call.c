/*
 * test_call.c - the result writers and argument accessors of a call, driven
 * directly (no skill), including every refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "call.h"

static char *finish_json(struct skill_call *c)
{
	struct call_result r;
	cJSON *j;
	char *s;

	call_finish(c, &r);
	j = call_result_to_json(&r);
	assert_non_null(j);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static void test_text(void **state)
{
	struct skill_call c;
	char *s;

	(void)state;
	call_init(&c, "t/t", "t/t.x", NULL);
	assert_int_equal(
	        call_result_text(&c, "héllo \"x\"\n", SKILL_NUL_TERMINATED),
	        SKILL_OK);
	assert_int_equal(call_result_text(&c, "abcdef", 3), SKILL_OK);
	assert_int_equal(call_result_text(&c, "\xff\xfe", 2), SKILL_ERR_ARGS);
	assert_int_equal(call_result_text(&c, "\xc0\x80", 2), SKILL_ERR_ARGS);
	assert_int_equal(call_result_text(&c, "\xed\xa0\x80", 3),
	                 SKILL_ERR_ARGS); /* a UTF-16 surrogate */
	assert_int_equal(call_result_text(&c, "a\0b", 3), SKILL_ERR_ARGS);
	assert_int_equal(call_result_text(&c, NULL, 0), SKILL_ERR_ARGS);
	s = finish_json(&c);
	assert_string_equal(s, "{\"content\":[{\"type\":\"text\",\"text\":"
	                       "\"héllo \\\"x\\\"\\n\"},{\"type\":\"text\","
	                       "\"text\":\"abc\"}]}");
	free(s);
}

static void test_json(void **state)
{
	struct skill_call c;
	char *s;

	(void)state;
	call_init(&c, "t/t", "t/t.x", NULL);
	assert_int_equal(call_result_json(&c, "[1]", SKILL_NUL_TERMINATED),
	                 SKILL_ERR_ARGS);
	assert_int_equal(call_result_json(&c, "{\"a\":", SKILL_NUL_TERMINATED),
	                 SKILL_ERR_ARGS);
	assert_int_equal(
	        call_result_json(&c, "{\"a\":1}", SKILL_NUL_TERMINATED),
	        SKILL_OK);
	assert_int_equal(
	        call_result_json(&c, "{\"b\":2}", SKILL_NUL_TERMINATED),
	        SKILL_ERR_ARGS); /* at most once */
	s = finish_json(&c);
	assert_string_equal(s, "{\"content\":[{\"type\":\"text\",\"text\":"
	                       "\"{\\\"a\\\":1}\"}],\"structuredContent\":"
	                       "{\"a\":1}}");
	free(s);

	/* A text block written by the tool is kept; no mirror is added. */
	call_init(&c, "t/t", "t/t.x", NULL);
	call_result_text(&c, "summary", SKILL_NUL_TERMINATED);
	call_result_json(&c, "{\"a\":1}", SKILL_NUL_TERMINATED);
	s = finish_json(&c);
	assert_string_equal(s,
	                    "{\"content\":[{\"type\":\"text\",\"text\":"
	                    "\"summary\"}],\"structuredContent\":{\"a\":1}}");
	free(s);
}

static void test_media(void **state)
{
	struct skill_call c;
	char *s;

	(void)state;
	call_init(&c, "t/t", "t/t.x", NULL);
	assert_int_equal(call_result_media(&c, "image/png", "abc", 3),
	                 SKILL_OK);
	assert_int_equal(call_result_media(&c, "audio/mpeg", "", 0), SKILL_OK);
	assert_int_equal(call_result_media(&c, "text/plain", "a", 1),
	                 SKILL_ERR_ARGS);
	assert_int_equal(call_result_media(&c, "image", "a", 1),
	                 SKILL_ERR_ARGS);
	assert_int_equal(call_result_media(&c, "image/p ng", "a", 1),
	                 SKILL_ERR_ARGS);
	assert_int_equal(call_result_media(&c, NULL, "a", 1), SKILL_ERR_ARGS);
	assert_int_equal(call_result_media(&c, "image/png", NULL, 4),
	                 SKILL_ERR_ARGS);
	s = finish_json(&c);
	assert_string_equal(s, "{\"content\":[{\"type\":\"image\",\"mimeType\":"
	                       "\"image/png\",\"data\":\"YWJj\"},{\"type\":"
	                       "\"audio\",\"mimeType\":\"audio/mpeg\",\"data\":"
	                       "\"\"}]}");
	free(s);
}

static void test_resource(void **state)
{
	skill_resource_t r = {.struct_size = sizeof r};
	struct skill_call c;
	char *s;

	(void)state;
	call_init(&c, "t/t", "t/t.x", NULL);
	r.uri = "mem://a";
	r.text = "hi";
	r.text_len = SKILL_NUL_TERMINATED;
	assert_int_equal(call_result_resource(&c, &r), SKILL_OK);
	r.blob = "\x01";
	r.blob_len = 1;
	assert_int_equal(call_result_resource(&c, &r),
	                 SKILL_ERR_ARGS); /* both */
	r.text = NULL;
	r.mime_type = "application/octet-stream";
	assert_int_equal(call_result_resource(&c, &r), SKILL_OK);
	r.uri = "no scheme";
	assert_int_equal(call_result_resource(&c, &r), SKILL_ERR_ARGS);
	r.uri = NULL;
	assert_int_equal(call_result_resource(&c, &r), SKILL_ERR_ARGS);
	r.struct_size = 8;
	r.uri = "mem://a";
	assert_int_equal(call_result_resource(&c, &r), SKILL_ERR_ARGS);
	assert_int_equal(call_result_resource(&c, NULL), SKILL_ERR_ARGS);
	s = finish_json(&c);
	assert_string_equal(
	        s, "{\"content\":[{\"type\":\"resource\",\"resource\":{\"uri\":"
	           "\"mem://a\",\"text\":\"hi\"}},{\"type\":\"resource\","
	           "\"resource\":{\"uri\":\"mem://a\",\"mimeType\":"
	           "\"application/octet-stream\",\"blob\":\"AQ==\"}}]}");
	free(s);
}

static void test_link(void **state)
{
	skill_resource_link_t l = {.struct_size = sizeof l};
	struct skill_call c;
	char *s;

	(void)state;
	call_init(&c, "t/t", "t/t.x", NULL);
	l.uri = "https://example.com/x.pdf";
	l.name = "x.pdf";
	l.size = -1;
	assert_int_equal(call_result_link(&c, &l), SKILL_OK);
	l.name = NULL;
	assert_int_equal(call_result_link(&c, &l), SKILL_ERR_ARGS);
	l.name = "";
	assert_int_equal(call_result_link(&c, &l), SKILL_ERR_ARGS);
	l.name = "y";
	l.mime_type = "bad mime";
	assert_int_equal(call_result_link(&c, &l), SKILL_ERR_ARGS);
	l.mime_type = "application/pdf";
	l.title = "Y";
	l.description = "d";
	l.size = 10;
	assert_int_equal(call_result_link(&c, &l), SKILL_OK);
	s = finish_json(&c);
	assert_string_equal(
	        s,
	        "{\"content\":[{\"type\":\"resource_link\",\"uri\":"
	        "\"https://example.com/x.pdf\",\"name\":\"x.pdf\"},{\"type\":"
	        "\"resource_link\",\"uri\":\"https://example.com/x.pdf\","
	        "\"name\":\"y\",\"title\":\"Y\",\"description\":\"d\","
	        "\"mimeType\":\"application/pdf\",\"size\":10}]}");
	free(s);
}

static void test_error_replaces_content(void **state)
{
	struct skill_call c;
	char *s;

	(void)state;
	call_init(&c, "t/t", "t/t.x", NULL);
	call_result_text(&c, "partial", SKILL_NUL_TERMINATED);
	call_result_json(&c, "{\"a\":1}", SKILL_NUL_TERMINATED);
	call_tool_error(&c, "city not found; try a postcode");
	s = finish_json(&c);
	assert_string_equal(s, "{\"content\":[{\"type\":\"text\",\"text\":"
	                       "\"city not found; try a postcode\"}],"
	                       "\"isError\":true}");
	free(s);
	call_init(&c, "t/t", "t/t.x", NULL);
	call_tool_error(&c, "");
	s = finish_json(&c);
	assert_non_null(strstr(s, "without saying why"));
	free(s);
}

static void test_size_cap(void **state)
{
	struct skill_call c;
	size_t big = CALL_RESULT_MAX / 2 + 1;
	char *buf = malloc(big + 1);

	(void)state;
	memset(buf, 'a', big);
	buf[big] = '\0';
	call_init(&c, "t/t", "t/t.x", NULL);
	assert_int_equal(call_result_text(&c, buf, big), SKILL_OK);
	assert_int_equal(call_result_text(&c, buf, big), SKILL_ERR_NOMEM);
	call_finish(&c, NULL);
	free(buf);
}

static void test_accessors(void **state)
{
	cJSON *args = cJSON_Parse(
	        "{\"a\":{\"b/c\":[10,{\"d~e\":\"x\"}]},\"t\":true,\"n\":-1.5,"
	        "\"s\":\"str\",\"\":\"empty-key\"}");
	struct skill_call c;
	double n;
	int b;

	(void)state;
	call_init(&c, "t/t", "t/t.x", args);
	assert_string_equal(call_arg_string(&c, "/a/b~1c/1/d~0e"), "x");
	assert_string_equal(call_arg_string(&c, "a/b~1c/1/d~0e"), "x");
	assert_null(call_arg_string(&c, "/a/b~1c/0"));
	assert_null(call_arg_string(&c, "/a/b~2c"));
	assert_null(call_arg_string(&c, "/a/b~1c/01"));
	assert_null(call_arg_string(&c, "/a/b~1c/-1"));
	assert_null(call_arg_string(&c, "/a/b~1c/9"));
	assert_true(call_arg_number(&c, "/a/b~1c/0", &n));
	assert_true(n == 10);
	assert_true(call_arg_number(&c, "n", &n));
	assert_true(n == -1.5);
	assert_false(call_arg_number(&c, "s", &n));
	assert_true(call_arg_bool(&c, "t", &b));
	assert_int_equal(b, 1);
	assert_false(call_arg_bool(&c, "n", &b));
	assert_int_equal(call_arg_count(&c, "a/b~1c"), 2);
	assert_int_equal(call_arg_count(&c, ""), 5);
	assert_int_equal(call_arg_count(&c, "s"), -1);
	assert_string_equal(call_arg_json(&c, "a"),
	                    "{\"b/c\":[10,{\"d~e\":\"x\"}]}");
	assert_string_equal(call_arg_json(&c, "/t"), "true");
	assert_null(call_arg_json(&c, "/zzz"));
	call_finish(&c, NULL);
	cJSON_Delete(args);
}

static void test_progress_must_increase(void **state)
{
	struct skill_call c;

	(void)state;
	call_init(&c, "t/t", "t/t.x", NULL);
	call_progress(&c, 1, 0, NULL);
	call_progress(&c, 1, 0, NULL);
	call_progress(&c, 0.5, 0, NULL);
	assert_true(c.last_progress == 1);
	call_progress(&c, 2, 0, NULL);
	assert_true(c.last_progress == 2);
	call_finish(&c, NULL);
}

static void test_deadline(void **state)
{
	struct skill_call c;
	atomic_int cancel = 0;

	(void)state;
	call_init(&c, "t/t", "t/t.x", NULL);
	assert_int_equal(call_remaining_ms(&c), SKILL_NO_DEADLINE);
	assert_false(call_is_cancelled(&c));
	c.cancel = &cancel;
	assert_false(call_is_cancelled(&c));
	atomic_store(&cancel, 1);
	assert_true(call_is_cancelled(&c));
	c.cancel = NULL;
	c.deadline_ns = call_now_ns() + 10000000000LL;
	assert_true(call_remaining_ms(&c) > 9000);
	c.deadline_ns = call_now_ns() - 1;
	assert_int_equal(call_remaining_ms(&c), 0);
	assert_true(call_is_cancelled(&c));
	call_finish(&c, NULL);
}

static void test_utf8_check(void **state)
{
	(void)state;
	assert_int_equal(call_utf8_check("abc", 3), 3);
	assert_int_equal(call_utf8_check("h\xc3\xa9llo", 6), 6);
	assert_int_equal(call_utf8_check("ab\xff", 3), 2);
	assert_int_equal(call_utf8_check("a\xc0\x80", 3), 1); /* overlong */
	assert_int_equal(call_utf8_check("\xed\xa0\x80", 3), 0);
	assert_int_equal(call_utf8_check("ok\xe2\x82", 4), 2); /* cut short */
	assert_int_equal(call_utf8_check("\xf4\x90\x80\x80", 4), 0);
	assert_true(call_utf8_valid("\xf0\x9f\x98\x80", 4));
	assert_false(call_utf8_valid("x\x80", 2));
}

struct seen {
	int logs, progress;
	char last_log[256];
	const char *last_logger;
	int progress_had_message;
};

static void seen_progress(void *ud, double p, double t, const char *m)
{
	struct seen *s = ud;

	(void)p, (void)t;
	s->progress++;
	s->progress_had_message = m != NULL;
}

static void seen_log(void *ud, skill_log_level l, const char *logger,
                     const char *m)
{
	struct seen *s = ud;

	(void)l;
	s->logs++;
	s->last_logger = logger;
	snprintf(s->last_log, sizeof s->last_log, "%s", m);
}

static void test_refused_output(void **state)
{
	struct seen seen = {0};
	struct call_sinks sinks = {
	        .progress = seen_progress, .log = seen_log, .ud = &seen};
	struct skill_call c;
	char *s;

	(void)state;
	/* Invalid UTF-8 inside a JSON string: cJSON would take it. */
	call_init(&c, "t/t", "t/t.x", NULL);
	c.sinks = &sinks;
	assert_int_equal(call_result_json(&c, "{\"a\":\"x\xff\"}", 10),
	                 SKILL_ERR_ARGS);
	assert_int_equal(c.nrefused, 1);
	assert_int_equal(seen.logs, 1);
	assert_string_equal(seen.last_logger, "t/t");
	assert_string_equal(seen.last_log, "result_json refused: not valid "
	                                   "UTF-8 at byte 7; send text as "
	                                   "UTF-8");
	/* Nothing else got through: the call is an error that says why. */
	s = finish_json(&c);
	assert_string_equal(s, "{\"content\":[{\"type\":\"text\",\"text\":"
	                       "\"the skill sent no output the host could "
	                       "accept: result_json refused: not valid UTF-8 "
	                       "at byte 7; send text as UTF-8\"}],"
	                       "\"isError\":true}");
	free(s);

	/* A NUL in text is named as such. */
	call_init(&c, "t/t", "t/t.x", NULL);
	assert_int_equal(call_result_text(&c, "ab\0c", 4), SKILL_ERR_ARGS);
	assert_string_equal(
	        c.refused,
	        "result_text refused: it holds a NUL byte at byte 2");
	call_finish(&c, NULL);

	/* Log and progress: the bad text never reaches a sink; the refusal
	 * does, as a warning, and the progress goes on without a message. */
	memset(&seen, 0, sizeof seen);
	call_init(&c, "t/t", "t/t.x", NULL);
	c.sinks = &sinks;
	call_log(&c, SKILL_LOG_INFO, "bad \xfe");
	assert_int_equal(seen.logs, 1);
	assert_string_equal(seen.last_log, "log message refused: not valid "
	                                   "UTF-8 at byte 4; send text as "
	                                   "UTF-8");
	call_progress(&c, 1, 2, "step \xc0\x80");
	assert_int_equal(seen.progress, 1);
	assert_false(seen.progress_had_message);
	assert_int_equal(seen.logs, 2);
	call_progress(&c, 2, 2, "fine");
	assert_true(seen.progress_had_message);
	/* Valid output after a refusal stands: no error is made up. */
	assert_int_equal(call_result_text(&c, "done", SKILL_NUL_TERMINATED),
	                 SKILL_OK);
	s = finish_json(&c);
	assert_string_equal(s, "{\"content\":[{\"type\":\"text\","
	                       "\"text\":\"done\"}]}");
	free(s);

	/* tool_error with a bad message is still an error, naming it. */
	call_init(&c, "t/t", "t/t.x", NULL);
	c.check_only = 1; /* the worker's copy: nothing is logged */
	assert_int_equal(call_tool_error(&c, "no \xff"), SKILL_OK);
	s = finish_json(&c);
	assert_string_equal(s, "{\"content\":[{\"type\":\"text\",\"text\":"
	                       "\"the tool failed, and its tool_error message "
	                       "was refused: not valid UTF-8 at byte 3\"}],"
	                       "\"isError\":true}");
	free(s);

	/* Link fields are each named. */
	call_init(&c, "t/t", "t/t.x", NULL);
	{
		skill_resource_link_t l = {.struct_size = sizeof l,
		                           .uri = "https://x/\xff",
		                           .name = "n",
		                           .size = -1};
		assert_int_equal(call_result_link(&c, &l), SKILL_ERR_ARGS);
		assert_string_equal(c.refused,
		                    "result_link uri refused: not valid UTF-8 "
		                    "at byte 10; send text as UTF-8");
	}
	call_finish(&c, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_text),
	        cmocka_unit_test(test_json),
	        cmocka_unit_test(test_media),
	        cmocka_unit_test(test_resource),
	        cmocka_unit_test(test_link),
	        cmocka_unit_test(test_error_replaces_content),
	        cmocka_unit_test(test_size_cap),
	        cmocka_unit_test(test_accessors),
	        cmocka_unit_test(test_progress_must_increase),
	        cmocka_unit_test(test_deadline),
	        cmocka_unit_test(test_utf8_check),
	        cmocka_unit_test(test_refused_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
