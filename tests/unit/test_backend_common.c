/*
 * test_backend_common.c - the pieces the vendor adapters share
 * (backend_common.c), each against the exact JSON it must produce, key
 * order included (the order is part of the wire bytes): call arguments
 * taken as text or as JSON, Chat-shaped and content-block calls and their
 * refusals, made-up ids counted only for calls that are kept, result items
 * and content-block turns for each vendor's shape, and key lookup with its
 * fallback variable and the optional-key case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "backend_int.h"
#include "transcript.h"

static void assert_json(const cJSON *j, const char *want)
{
	char *got = cJSON_PrintUnformatted(j);

	assert_non_null(got);
	assert_string_equal(got, want);
	cJSON_free(got);
}

static void test_add_call(void **state)
{
	struct tr_msg m = {.role = TR_ASSISTANT};
	struct sh_error e;
	cJSON *text = cJSON_CreateString("{bad"),
	      *obj = cJSON_Parse("{\"a\":1}");

	(void)state;
	/* Text mode: a string is the model's JSON text, kept as sent (even
	 * invalid); an object from a lax server is printed; none is {}. */
	assert_int_equal(backend_add_call(&m, "c1", "f", text,
	                                  BACKEND_ARGS_TEXT, NULL, 0, &e),
	                 SH_OK);
	assert_int_equal(backend_add_call(&m, "c2", "f", obj, BACKEND_ARGS_TEXT,
	                                  NULL, 0, &e),
	                 SH_OK);
	assert_int_equal(backend_add_call(&m, "c3", "f", NULL,
	                                  BACKEND_ARGS_TEXT, NULL, 0, &e),
	                 SH_OK);
	/* JSON mode: any value is sent on as its JSON text, a string quoted. */
	assert_int_equal(backend_add_call(&m, "c4", "f", text,
	                                  BACKEND_ARGS_JSON, NULL, 0, &e),
	                 SH_OK);
	/* No id: one is made up from the prefix and the number. */
	assert_int_equal(backend_add_call(&m, NULL, "f", obj, BACKEND_ARGS_JSON,
	                                  "x_call", 7, &e),
	                 SH_OK);
	assert_int_equal(m.ncalls, 5);
	assert_string_equal(m.calls[0].arguments, "{bad");
	assert_string_equal(m.calls[1].arguments, "{\"a\":1}");
	assert_string_equal(m.calls[2].arguments, "{}");
	assert_string_equal(m.calls[3].arguments, "\"{bad\"");
	assert_true(m.calls[4].id_made);
	assert_non_null(strstr(m.calls[4].id, "x_call"));
	assert_non_null(strstr(m.calls[4].id, "7"));
	tr_msg_free(&m);
	cJSON_Delete(text);
	cJSON_Delete(obj);
}

static void test_function_call(void **state)
{
	struct tr_msg m = {.role = TR_ASSISTANT};
	struct sh_error e;
	unsigned long made = 0;
	cJSON *good = cJSON_Parse("{\"id\":\"call_1\",\"function\":{\"name\":"
	                          "\"f\",\"arguments\":\"{}\"}}");
	cJSON *noid = cJSON_Parse("{\"function\":{\"name\":\"g\"}}");
	cJSON *noname = cJSON_Parse("{\"id\":\"x\",\"function\":{}}");

	(void)state;
	assert_int_equal(
	        backend_add_function_call(&m, good, NULL, NULL, "bad", &e),
	        SH_OK);
	assert_string_equal(m.calls[0].id, "call_1");
	/* Where the vendor sends ids, a call without one is refused with
	 * the caller's message. */
	assert_int_equal(
	        backend_add_function_call(&m, noid, NULL, NULL, "no id", &e),
	        SH_ERR_INVALID);
	assert_string_equal(e.msg, "no id");
	/* Made-up ids count only the calls that are kept. */
	assert_int_equal(backend_add_function_call(&m, noname, "o_call", &made,
	                                           "no name", &e),
	                 SH_ERR_INVALID);
	assert_int_equal(made, 0);
	assert_int_equal(
	        backend_add_function_call(&m, noid, "o_call", &made, "x", &e),
	        SH_OK);
	assert_int_equal(made, 1);
	assert_true(m.calls[1].id_made);
	assert_string_equal(m.calls[1].arguments, "{}");
	tr_msg_free(&m);
	cJSON_Delete(good);
	cJSON_Delete(noid);
	cJSON_Delete(noname);
}

static void test_add_use(void **state)
{
	struct tr_msg m = {.role = TR_ASSISTANT};
	struct sh_error e;
	cJSON *use = cJSON_Parse(
	        "{\"toolUseId\":\"t1\",\"name\":\"f\",\"input\":{\"b\":[1]}}");
	cJSON *bad = cJSON_Parse("{\"id\":\"t1\",\"name\":\"f\"}");

	(void)state;
	assert_int_equal(backend_add_use(&m, use, "toolUseId", "toolUse", &e),
	                 SH_OK);
	assert_string_equal(m.calls[0].id, "t1");
	assert_string_equal(m.calls[0].arguments, "{\"b\":[1]}");
	assert_int_equal(backend_add_use(&m, bad, "id", "tool_use", &e),
	                 SH_ERR_INVALID);
	assert_string_equal(e.msg, "a tool_use block lacks id, name or input");
	tr_msg_free(&m);
	cJSON_Delete(use);
	cJSON_Delete(bad);
}

/* One assistant turn with text and two calls (one id not safe for
 * Anthropic), then its results (one an error). */
static void turn_and_results(struct tr_msg *a, struct tr_msg *t)
{
	struct sh_error e;

	memset(a, 0, sizeof *a);
	memset(t, 0, sizeof *t);
	a->role = TR_ASSISTANT;
	t->role = TR_TOOL;
	assert_int_equal(tr_msg_append_text(a, "thinking", &e), SH_OK);
	assert_int_equal(
	        tr_msg_add_call(a, "call.1", "f", "{\"x\":1}", NULL, 0, &e),
	        SH_OK);
	assert_int_equal(tr_msg_add_call(a, "c2", "g", "not json", NULL, 0, &e),
	                 SH_OK);
	t->results = calloc(2, sizeof *t->results);
	assert_non_null(t->results);
	t->nresults = 2;
	t->results[0].call_id = strdup("call.1");
	t->results[0].name = strdup("f");
	t->results[0].result = cJSON_Parse(
	        "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}");
	t->results[1].call_id = strdup("c2");
	t->results[1].name = strdup("g");
	t->results[1].is_error = 1;
	t->results[1].result = cJSON_Parse(
	        "{\"content\":[{\"type\":\"text\",\"text\":\"boom\"}]}");
}

static void test_result_items(void **state)
{
	static const struct backend_result_item chat = {
	        "role", "tool", "tool_call_id", "content", NULL};
	static const struct backend_result_item ollama = {
	        "role", "tool", NULL, "content", "tool_name"};
	struct tr_msg a, t;
	cJSON *arr;

	(void)state;
	turn_and_results(&a, &t);
	arr = cJSON_CreateArray();
	assert_true(backend_add_result_items(arr, &t, &chat));
	assert_json(arr,
	            "[{\"role\":\"tool\",\"tool_call_id\":\"call.1\","
	            "\"content\":\"ok\"},{\"role\":\"tool\","
	            "\"tool_call_id\":\"c2\",\"content\":\"Error: boom\"}]");
	cJSON_Delete(arr);
	arr = cJSON_CreateArray();
	assert_true(backend_add_result_items(arr, &t, &ollama));
	assert_json(arr,
	            "[{\"role\":\"tool\",\"content\":\"ok\",\"tool_name\":"
	            "\"f\"},{\"role\":\"tool\",\"content\":\"Error: boom\","
	            "\"tool_name\":\"g\"}]");
	cJSON_Delete(arr);
	tr_msg_free(&a);
	tr_msg_free(&t);
}

static void test_block_turn(void **state)
{
	static const struct backend_blocks anthropic = {.wire = "anthropic",
	                                                .text_type = "text",
	                                                .use_type = "tool_use",
	                                                .use_id = "id"};
	static const struct backend_blocks bedrock = {.wire = "bedrock",
	                                              .use_wrap = "toolUse",
	                                              .use_id = "toolUseId"};
	struct tr_msg a, t, empty = {.role = TR_ASSISTANT};
	cJSON *arr;

	(void)state;
	turn_and_results(&a, &t);
	arr = cJSON_CreateArray();
	assert_true(backend_add_block_turn(arr, &a, &anthropic));
	assert_json(arr, "[{\"role\":\"assistant\",\"content\":[{\"type\":"
	                 "\"text\",\"text\":\"thinking\"},{\"type\":"
	                 "\"tool_use\",\"id\":\"call_1\",\"name\":\"f\","
	                 "\"input\":{\"x\":1}},{\"type\":\"tool_use\",\"id\":"
	                 "\"c2\",\"name\":\"g\",\"input\":{}}]}]");
	cJSON_Delete(arr);
	arr = cJSON_CreateArray();
	assert_true(backend_add_block_turn(arr, &a, &bedrock));
	assert_json(arr,
	            "[{\"role\":\"assistant\",\"content\":[{\"text\":"
	            "\"thinking\"},{\"toolUse\":{\"toolUseId\":\"call_1\","
	            "\"name\":\"f\",\"input\":{\"x\":1}}},{\"toolUse\":{"
	            "\"toolUseId\":\"c2\",\"name\":\"g\",\"input\":{}}}]}]");
	cJSON_Delete(arr);
	/* A turn with neither text nor calls still has content. */
	arr = cJSON_CreateArray();
	assert_true(backend_add_block_turn(arr, &empty, &bedrock));
	assert_json(arr, "[{\"role\":\"assistant\",\"content\":[{\"text\":"
	                 "\"(no answer)\"}]}]");
	cJSON_Delete(arr);
	/* A turn from the same wire goes back as it came. */
	a.wire = "bedrock";
	a.native = cJSON_Parse("[{\"reasoningContent\":{\"s\":1}}]");
	arr = cJSON_CreateArray();
	assert_true(backend_add_block_turn(arr, &a, &bedrock));
	assert_json(arr, "[{\"role\":\"assistant\",\"content\":[{"
	                 "\"reasoningContent\":{\"s\":1}}]}]");
	cJSON_Delete(arr);
	/* ...but not to another vendor. */
	assert_null(backend_native(&a, "anthropic"));
	tr_msg_free(&a);
	tr_msg_free(&t);
}

static void test_key(void **state)
{
	static const struct backend_endpoint required = {
	        .key_var = "SH_TEST_KEY_A",
	        .key_var2 = "SH_TEST_KEY_B",
	        .key_hint = "SH_TEST_KEY_A with a test key",
	        .header = "x-test-key",
	        .prefix = ""};
	static const struct backend_endpoint optional = {
	        .key_var = "SH_TEST_KEY_A",
	        .header = "x-test-key",
	        .prefix = ""};
	struct backend_config cfg = {.name = "ollama",
	                             .model = "m",
	                             .base_url = "http://127.0.0.1:9"};
	struct backend *b;
	struct sh_error e;
	int before;

	(void)state;
	unsetenv("SH_TEST_KEY_A");
	unsetenv("SH_TEST_KEY_B");
	unsetenv("OLLAMA_API_KEY");
	assert_int_equal(backend_open(&cfg, &b, &e), SH_OK);
	before = b->nsecrets;
	/* Optional and absent: nothing sent, no error. */
	assert_int_equal(backend_key(b, &cfg, &optional, &e), SH_OK);
	assert_int_equal(b->nsecrets, before);
	/* Required and absent: the error names the first variable. */
	assert_int_equal(backend_key(b, &cfg, &required, &e), SH_ERR_USAGE);
	assert_non_null(strstr(e.msg, "SH_TEST_KEY_A is not set"));
	assert_non_null(strstr(e.msg, "backend ollama"));
	/* The second variable is read when the first is empty. */
	setenv("SH_TEST_KEY_A", "", 1);
	setenv("SH_TEST_KEY_B", "second-key", 1);
	assert_int_equal(backend_key(b, &cfg, &required, &e), SH_OK);
	assert_int_equal(b->nsecrets, before + 1);
	assert_string_equal(b->secrets[before], "second-key");
	/* The key is a secret: redacted from anything printed. */
	{
		char msg[64] = "rejected second-key here";
		backend_redact(b, msg, sizeof msg);
		assert_string_equal(msg, "rejected [redacted] here");
	}
	unsetenv("SH_TEST_KEY_A");
	unsetenv("SH_TEST_KEY_B");
	backend_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_add_call),
	        cmocka_unit_test(test_function_call),
	        cmocka_unit_test(test_add_use),
	        cmocka_unit_test(test_result_items),
	        cmocka_unit_test(test_block_turn),
	        cmocka_unit_test(test_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
