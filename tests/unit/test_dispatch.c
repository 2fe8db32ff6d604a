/*
 * test_dispatch.c - the dispatch path: lookup, argument validation before
 * invoke, concurrency, serialized skills, cancellation, deadlines, output
 * schema checks.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dispatch.h"
#include "runtime.h"

#define THREADS          8
#define CALLS_PER_THREAD 200

static struct runtime *rt;

static int setup(void **state)
{
	static const char *const skills[] = {
	        "testing-serial", "testing-parallel", "testing-everything",
	        "testing-sleeper", "testing-noop"};
	struct runtime_opts o = {.home = "/nonexistent-skillhost-home"};
	struct sh_error e;

	(void)state;
	if (runtime_open(&o, &rt, &e) != SH_OK)
		return -1;
	for (size_t i = 0; i < sizeof skills / sizeof *skills; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/lib/%s.so", SKILLS_OUT,
		         skills[i]);
		if (runtime_add_skill_file(rt, path, &e) != SH_OK) {
			fprintf(stderr, "%s\n", e.msg);
			return -1;
		}
	}
	return runtime_seal(rt, &e) == SH_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	runtime_close(rt);
	return 0;
}

/* Call and return the result as compact JSON text (caller frees). */
static char *call(const char *tool, const char *args, int *is_error)
{
	struct call_result res;
	struct sh_error e;
	cJSON *j;
	char *s;

	if (runtime_call(rt, tool, args, strlen(args), NULL, 0, NULL, &res,
	                 &e) != SH_OK)
		fail_msg("dispatch failed: %s", e.msg);
	*is_error = res.is_error;
	j = call_result_to_json(&res);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static void *hammer(void *arg)
{
	const char *tool = arg;

	for (int i = 0; i < CALLS_PER_THREAD; i++) {
		struct call_result res;
		struct sh_error e;
		if (runtime_call(rt, tool, "{}", 2, NULL, 0, NULL, &res, &e) !=
		            SH_OK ||
		    res.is_error)
			return (void *)1;
		call_result_free(&res);
	}
	return NULL;
}

static void run_threads(const char *tool)
{
	pthread_t th[THREADS];

	for (int i = 0; i < THREADS; i++)
		assert_int_equal(
		        pthread_create(&th[i], NULL, hammer, (void *)tool), 0);
	for (int i = 0; i < THREADS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		assert_null(ret);
	}
}

static void stats(const char *tool, int *calls, int *most)
{
	int err;
	char *s = call(tool, "{}", &err);
	cJSON *j = cJSON_Parse(s), *inner;

	assert_false(err);
	inner = cJSON_Parse(
	        cJSON_GetObjectItem(
	                cJSON_GetArrayItem(cJSON_GetObjectItem(j, "content"),
	                                   0),
	                "text")
	                ->valuestring);
	*calls = cJSON_GetObjectItem(inner, "calls")->valueint;
	*most = cJSON_GetObjectItem(inner, "most_inside")->valueint;
	cJSON_Delete(inner);
	cJSON_Delete(j);
	free(s);
}

static void test_serialized_skill_never_overlaps(void **state)
{
	int calls, most;

	(void)state;
	run_threads("testing/serial.enter");
	stats("testing/serial.stats", &calls, &most);
	assert_int_equal(calls, THREADS * CALLS_PER_THREAD);
	assert_int_equal(most, 1);
}

static void test_parallel_skill_overlaps(void **state)
{
	int calls, most;

	(void)state;
	run_threads("testing/parallel.enter");
	stats("testing/parallel.stats", &calls, &most);
	assert_int_equal(calls, THREADS * CALLS_PER_THREAD);
	/* Calls of a skill that did not ask to be serialized do run at the
	 * same time: 8 threads, each staying inside 200 us per call. */
	assert_true(most >= 2);
}

static void test_names(void **state)
{
	int err;
	char *a, *b, *c;

	(void)state;
	a = call("testing/noop.echo", "{\"text\":\"x\"}", &err);
	assert_false(err);
	b = call("testing.noop.echo", "{\"text\":\"x\"}", &err);
	assert_false(err);
	c = call("testing__noop__echo", "{\"text\":\"x\"}", &err);
	assert_false(err);
	assert_string_equal(a, b);
	assert_string_equal(b, c);
	free(a), free(b), free(c);
	a = call("sleep", "{\"ms\":0}", &err); /* unique bare name */
	assert_false(err);
	free(a);
}

static void test_unknown_and_ambiguous(void **state)
{
	struct call_result res;
	struct sh_error e;

	(void)state;
	assert_int_equal(runtime_call(rt, "nope/nope.nope", "{}", 2, NULL, 0,
	                              NULL, &res, &e),
	                 SH_ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "skillhost tools"));
	/* "enter" is a tool of testing/serial and of testing/parallel. */
	assert_int_equal(
	        runtime_call(rt, "enter", "{}", 2, NULL, 0, NULL, &res, &e),
	        SH_ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "ambiguous"));
	assert_non_null(strstr(e.msg, "testing/parallel.enter"));
	assert_non_null(strstr(e.msg, "testing/serial.enter"));
}

static void test_arguments_validated_before_invoke(void **state)
{
	int err;
	char *s;

	(void)state;
	s = call("testing/noop.noop", "{\"x\":\"seven\"}", &err);
	assert_true(err);
	assert_non_null(strstr(s, "/x"));
	assert_non_null(strstr(s, "Invalid arguments for testing/noop.noop"));
	free(s);
	s = call("testing/noop.noop", "{\"y\":1}", &err);
	assert_true(err);
	assert_non_null(strstr(s, "y"));
	free(s);
	s = call("testing/noop.echo", "{}", &err);
	assert_true(err);
	assert_non_null(strstr(s, "text"));
	free(s);
	s = call("testing/noop.noop", "{\"x\":", &err);
	assert_true(err);
	assert_non_null(strstr(s, "not valid JSON"));
	free(s);
	s = call("testing/noop.noop", "[1,2]", &err);
	assert_true(err);
	assert_non_null(strstr(s, "must be a JSON object"));
	free(s);
	s = call("testing/sleeper.sleep", "{\"ms\":-5}", &err);
	assert_true(err);
	assert_non_null(strstr(s, "/ms"));
	free(s);
}

static void test_structured_and_output_schema(void **state)
{
	int err;
	char *s;

	(void)state;
	s = call("testing/everything.structured", "{\"n\":4}", &err);
	assert_false(err);
	assert_non_null(
	        strstr(s, "\"structuredContent\":{\"n\":4,\"square\":16}"));
	/* The text mirror of the structured result. */
	assert_non_null(strstr(s, "{\\\"n\\\":4,\\\"square\\\":16}"));
	free(s);
	s = call("testing/everything.bad_output", "{}", &err);
	assert_true(err);
	assert_non_null(strstr(s, "does not match its output schema"));
	assert_null(strstr(s, "structuredContent"));
	free(s);
}

static void test_tool_error(void **state)
{
	int err;
	char *s;

	(void)state;
	s = call("testing/everything.fail", "{\"why\":\"no such city\"}", &err);
	assert_true(err);
	assert_string_equal(s, "{\"content\":[{\"type\":\"text\",\"text\":"
	                       "\"no such city\"}],\"isError\":true}");
	free(s);
}

static void test_cancel_and_deadline(void **state)
{
	struct call_result res;
	struct sh_error e;
	atomic_int cancel = 1;
	int64_t t0;
	cJSON *j;
	char *s;

	(void)state;
	assert_int_equal(runtime_call(rt, "testing/sleeper.sleep",
	                              "{\"ms\":5000}", 11, NULL, 0, &cancel,
	                              &res, &e),
	                 SH_OK);
	assert_true(res.is_error);
	j = call_result_to_json(&res);
	s = cJSON_PrintUnformatted(j);
	assert_non_null(strstr(s, "sleeper saw cancellation after 0"));
	free(s);
	cJSON_Delete(j);

	t0 = call_now_ns();
	assert_int_equal(runtime_call(rt, "testing/sleeper.sleep",
	                              "{\"ms\":5000}", 11, NULL, 50, NULL, &res,
	                              &e),
	                 SH_OK);
	assert_true(res.is_error);
	assert_true(call_now_ns() - t0 < 1000 * 1000000LL);
	j = call_result_to_json(&res);
	s = cJSON_PrintUnformatted(j);
	assert_non_null(strstr(s, "deadline pass"));
	free(s);
	cJSON_Delete(j);
}

struct seen {
	int progress, logs;
	double last;
};

static void on_progress(void *ud, double p, double total, const char *m)
{
	struct seen *s = ud;
	(void)m;
	assert_true(p > s->last);
	assert_true(total == 5);
	s->last = p;
	s->progress++;
}

static void on_log(void *ud, skill_log_level l, const char *logger,
                   const char *m)
{
	struct seen *s = ud;
	(void)m;
	assert_true(l >= SKILL_LOG_WARNING);
	assert_string_equal(logger, "testing/everything");
	s->logs++;
}

static void test_sinks(void **state)
{
	struct seen seen = {0};
	struct call_sinks sinks = {.progress = on_progress,
	                           .log = on_log,
	                           .log_min = SKILL_LOG_WARNING,
	                           .ud = &seen};
	struct call_result res;
	struct sh_error e;

	(void)state;
	assert_int_equal(runtime_call(rt, "testing/everything.progress",
	                              "{\"steps\":5}", 11, &sinks, 0, NULL,
	                              &res, &e),
	                 SH_OK);
	call_result_free(&res);
	assert_int_equal(seen.progress, 5);
	assert_int_equal(runtime_call(rt, "testing/everything.log", "{}", 2,
	                              &sinks, 0, NULL, &res, &e),
	                 SH_OK);
	call_result_free(&res);
	/* warning, error, critical, alert, emergency */
	assert_int_equal(seen.logs, 5);
}

static void test_content_types(void **state)
{
	static const struct {
		const char *tool, *want;
	} cases[] = {
	        {"testing/everything.text", "\"type\":\"text\""},
	        {"testing/everything.image", "\"type\":\"image\",\"mimeType\":"
	                                     "\"image/png\",\"data\":\"iVBOR"},
	        {"testing/everything.audio", "\"type\":\"audio\",\"mimeType\":"
	                                     "\"audio/wav\",\"data\":\"UklGR"},
	        {"testing/everything.resource", "\"blob\":\"AAECAw==\""},
	        {"testing/everything.link",
	         "\"type\":\"resource_link\",\"uri\":\"file:///tmp/"
	         "everything.txt\""},
	        {"testing/everything.mixed", "\"type\":\"resource\""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int err;
		char *s = call(cases[i].tool, "{}", &err);
		assert_false(err);
		if (!strstr(s, cases[i].want))
			fail_msg("%s: %s lacks %s", cases[i].tool, s,
			         cases[i].want);
		free(s);
	}
}

static void test_arg_accessors(void **state)
{
	int err;
	char *s;

	(void)state;
	s = call("testing/everything.args",
	         "{\"s\":\"hi\",\"n\":2.5,\"b\":true,\"a\":[{\"k\":1},2],"
	         "\"o\":{\"x\":[1]}}",
	         &err);
	assert_false(err);
	assert_non_null(strstr(s, "s=hi n=2.5 b=1 a=2 a0={\\\"k\\\":1} "
	                          "o={\\\"x\\\":[1]} missing=yes"));
	free(s);
	s = call("testing/everything.args", "{}", &err);
	assert_non_null(strstr(s, "s=(null) n=none:0 b=none:0 a=-1"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_serialized_skill_never_overlaps),
	        cmocka_unit_test(test_parallel_skill_overlaps),
	        cmocka_unit_test(test_names),
	        cmocka_unit_test(test_unknown_and_ambiguous),
	        cmocka_unit_test(test_arguments_validated_before_invoke),
	        cmocka_unit_test(test_structured_and_output_schema),
	        cmocka_unit_test(test_tool_error),
	        cmocka_unit_test(test_cancel_and_deadline),
	        cmocka_unit_test(test_sinks),
	        cmocka_unit_test(test_content_types),
	        cmocka_unit_test(test_arg_accessors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
