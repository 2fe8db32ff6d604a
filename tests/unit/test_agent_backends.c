/*
 * test_agent_backends.c - the backends' translations without a network:
 * each vendor's request built from one neutral transcript (calls, ids,
 * results, error flags, images, replayed native turns, foreign turns),
 * each vendor's reply parsed (and malformed replies refused), plus
 * credentials from the environment, Retry-After, redaction, safe ids,
 * SigV4 against AWS's published test vectors, and the transcript's JSON.
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
#include "backend_int.h" /* the adapters' build and parse */
#include "sigv4.h"
#include "transcript.h"

#define PNG_B64 "iVBORw0KGgo="

static struct backend *open_be(const char *name, const char *model)
{
	struct backend_config c = {.name = name,
	                           .model = model,
	                           .api_key = "KEY-123",
	                           .base_url = "http://127.0.0.1:9",
	                           .region = "us-east-1"};
	struct backend *b;
	struct sh_error e;

	if (backend_open(&c, &b, &e) != SH_OK)
		fail_msg("%s: %s", name, e.msg);
	return b;
}

static cJSON *result(const char *text, int is_error, int image)
{
	char buf[512];

	snprintf(buf, sizeof buf,
	         "{\"content\":[{\"type\":\"text\",\"text\":\"%s\"}%s]%s}",
	         text,
	         image ? ",{\"type\":\"image\",\"mimeType\":\"image/png\","
	                 "\"data\":\"" PNG_B64 "\"}"
	               : "",
	         is_error ? ",\"isError\":true" : "");
	return cJSON_Parse(buf);
}

/* user, assistant (from wire `wire`, two calls, the second with arguments
 * that are not JSON), tool results (one error, one with an image). */
static void conversation(struct transcript *t, const char *wire, cJSON *native,
                         int made_ids)
{
	struct tr_msg a = {.role = TR_ASSISTANT}, r = {.role = TR_TOOL};
	struct sh_error e;

	transcript_init(t);
	assert_int_equal(transcript_set_system(t, "Be brief.", &e), SH_OK);
	assert_int_equal(transcript_add_user(t, "hi", &e), SH_OK);
	a.text = strdup("Let me look.");
	a.wire = wire;
	a.native = native;
	assert_int_equal(tr_msg_add_call(&a, made_ids ? NULL : "call.1",
	                                 "ns__s__greet", "{\"name\":\"Ada\"}",
	                                 "g", 1, &e),
	                 SH_OK);
	assert_int_equal(tr_msg_add_call(&a, made_ids ? NULL : "call_2",
	                                 "ns__s__fail", "{bad", "g", 2, &e),
	                 SH_OK);
	assert_int_equal(transcript_push(t, &a, &e), SH_OK);
	r.results = calloc(2, sizeof *r.results);
	r.nresults = 2;
	r.results[0].call_id = strdup(t->msgs[1].calls[0].id);
	r.results[0].name = strdup("ns__s__greet");
	r.results[0].result = result("Hello, Ada!", 0, 1);
	r.results[1].call_id = strdup(t->msgs[1].calls[1].id);
	r.results[1].name = strdup("ns__s__fail");
	r.results[1].result = result("broken", 1, 0);
	r.results[1].is_error = 1;
	assert_int_equal(transcript_push(t, &r, &e), SH_OK);
}

static cJSON *build(struct backend *b, const struct transcript *t)
{
	cJSON *tools = cJSON_Parse("[{\"x\":1}]"), *body, *copy;
	struct sh_error e;

	assert_int_equal(b->ops->build(b, t, tools, &body, &e), SH_OK);
	/* Round-trip through text: the tools are a reference. */
	{
		char *s = cJSON_PrintUnformatted(body);
		copy = cJSON_Parse(s);
		free(s);
	}
	cJSON_Delete(body);
	cJSON_Delete(tools);
	return copy;
}

static const cJSON *at(const cJSON *j, const char *path)
{
	const cJSON *cur = j;
	char buf[256], *save, *tok;

	snprintf(buf, sizeof buf, "%s", path);
	for (tok = strtok_r(buf, "/", &save); tok && cur;
	     tok = strtok_r(NULL, "/", &save)) {
		if (cJSON_IsArray(cur))
			cur = cJSON_GetArrayItem(cur, atoi(tok));
		else
			cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
	}
	if (!cur)
		fail_msg("no %s", path);
	return cur;
}

static const char *s_at(const cJSON *j, const char *path)
{
	const cJSON *v = at(j, path);

	if (!cJSON_IsString(v))
		fail_msg("%s is not a string", path);
	return v->valuestring;
}

static void test_openai_build(void **state)
{
	struct backend *b = open_be("openai", "gpt-x");
	struct transcript t;
	cJSON *j;
	(void)state;

	assert_string_equal(b->url, "http://127.0.0.1:9/chat/completions");
	conversation(&t, "anthropic", NULL, 0);
	j = build(b, &t);
	assert_string_equal(s_at(j, "model"), "gpt-x");
	assert_string_equal(s_at(j, "messages/0/role"), "system");
	assert_string_equal(s_at(j, "messages/1/content"), "hi");
	assert_string_equal(s_at(j, "messages/2/tool_calls/0/id"), "call.1");
	assert_string_equal(s_at(j, "messages/2/tool_calls/0/type"),
	                    "function");
	assert_string_equal(
	        s_at(j, "messages/2/tool_calls/1/function/arguments"), "{bad");
	assert_string_equal(s_at(j, "messages/3/role"), "tool");
	assert_string_equal(s_at(j, "messages/3/tool_call_id"), "call.1");
	assert_non_null(strstr(s_at(j, "messages/3/content"), "Hello, Ada!"));
	assert_non_null(
	        strstr(s_at(j, "messages/3/content"), "[image/png image"));
	assert_string_equal(s_at(j, "messages/4/content"), "Error: broken");
	assert_int_equal(at(j, "tools/0/x")->valueint, 1);
	cJSON_Delete(j);
	transcript_free(&t);
	backend_close(b);
}

static void test_azure_url(void **state)
{
	struct backend *b = open_be("azure", "my dep");
	(void)state;
	assert_string_equal(
	        b->url, "http://127.0.0.1:9/openai/deployments/"
	                "my%20dep/chat/"
	                "completions?api-version=" BACKEND_AZURE_API_VERSION);
	backend_close(b);
}

static void test_responses_build(void **state)
{
	struct backend *b = open_be("openai-responses", "gpt-x");
	cJSON *native = cJSON_Parse(
	        "[{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]},"
	        "{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":"
	        "\"call.1\","
	        "\"name\":\"ns__s__greet\",\"arguments\":\"{}\"}]");
	struct transcript t;
	cJSON *j;
	(void)state;

	/* a foreign turn: rebuilt */
	conversation(&t, "openai-chat", NULL, 0);
	j = build(b, &t);
	assert_string_equal(s_at(j, "instructions"), "Be brief.");
	assert_string_equal(s_at(j, "input/0/role"), "user");
	assert_string_equal(s_at(j, "input/1/role"), "assistant");
	assert_string_equal(s_at(j, "input/2/type"), "function_call");
	assert_string_equal(s_at(j, "input/2/call_id"), "call.1");
	assert_string_equal(s_at(j, "input/3/arguments"), "{bad");
	assert_string_equal(s_at(j, "input/4/type"), "function_call_output");
	assert_string_equal(s_at(j, "input/5/output"), "Error: broken");
	cJSON_Delete(j);
	transcript_free(&t);
	/* its own turn: replayed verbatim, reasoning item included */
	conversation(&t, "openai-responses", native, 0);
	j = build(b, &t);
	assert_string_equal(s_at(j, "input/1/id"), "rs_1");
	assert_string_equal(s_at(j, "input/2/id"), "fc_1");
	assert_string_equal(s_at(j, "input/3/type"), "function_call_output");
	cJSON_Delete(j);
	transcript_free(&t);
	backend_close(b);
}

static void test_anthropic_build(void **state)
{
	struct backend *b = open_be("anthropic", "claude-x");
	struct transcript t;
	cJSON *j;
	(void)state;

	assert_string_equal(b->url, "http://127.0.0.1:9/v1/messages");
	conversation(&t, "openai-chat", NULL, 0);
	j = build(b, &t);
	assert_int_equal(at(j, "max_tokens")->valueint,
	                 BACKEND_DEFAULT_MAX_TOKENS);
	assert_string_equal(s_at(j, "system"), "Be brief.");
	assert_string_equal(s_at(j, "messages/1/content/0/text"),
	                    "Let me look.");
	assert_string_equal(s_at(j, "messages/1/content/1/type"), "tool_use");
	/* "." is not in Anthropic's id pattern; both ends agree */
	assert_string_equal(s_at(j, "messages/1/content/1/id"), "call_1");
	assert_string_equal(s_at(j, "messages/1/content/1/input/name"), "Ada");
	/* arguments that were not JSON become an empty object */
	assert_null(at(j, "messages/1/content/2/input")->child);
	assert_string_equal(s_at(j, "messages/2/role"), "user");
	assert_string_equal(s_at(j, "messages/2/content/0/tool_use_id"),
	                    "call_1");
	assert_string_equal(s_at(j, "messages/2/content/0/content/0/text"),
	                    "Hello, Ada!");
	assert_string_equal(
	        s_at(j, "messages/2/content/0/content/1/source/data"), PNG_B64);
	assert_null(
	        cJSON_GetObjectItem(at(j, "messages/2/content/0"), "is_error"));
	assert_true(cJSON_IsTrue(at(j, "messages/2/content/1/is_error")));
	assert_string_equal(s_at(j, "messages/2/content/1/content"), "broken");
	cJSON_Delete(j);
	transcript_free(&t);
	backend_close(b);
}

static void test_bedrock_build(void **state)
{
	struct backend *b = open_be("bedrock", "amazon.nova-lite-v1:0");
	struct transcript t;
	cJSON *j;
	(void)state;

	assert_string_equal(b->url, "http://127.0.0.1:9/model/"
	                            "amazon.nova-lite-v1%3A0/converse");
	conversation(&t, "gemini", NULL, 0);
	j = build(b, &t);
	assert_string_equal(s_at(j, "system/0/text"), "Be brief.");
	assert_string_equal(s_at(j, "messages/0/content/0/text"), "hi");
	assert_string_equal(s_at(j, "messages/1/content/1/toolUse/toolUseId"),
	                    "call_1");
	assert_string_equal(s_at(j, "messages/2/content/0/toolResult/status"),
	                    "success");
	assert_string_equal(
	        s_at(j,
	             "messages/2/content/0/toolResult/content/1/image/format"),
	        "png");
	assert_string_equal(s_at(j, "messages/2/content/1/toolResult/status"),
	                    "error");
	assert_string_equal(
	        s_at(j, "messages/2/content/1/toolResult/toolUseId"), "call_2");
	assert_int_equal(at(j, "toolConfig/tools/0/x")->valueint, 1);
	cJSON_Delete(j);
	transcript_free(&t);
	backend_close(b);
}

static void test_gemini_build(void **state)
{
	struct backend *b = open_be("gemini", "models/gemini-x");
	struct transcript t;
	cJSON *j;
	(void)state;

	assert_string_equal(b->url, "http://127.0.0.1:9/v1beta/models/"
	                            "gemini-x:generateContent");
	conversation(&t, "anthropic", NULL, 1);
	j = build(b, &t);
	assert_string_equal(s_at(j, "systemInstruction/parts/0/text"),
	                    "Be brief.");
	assert_string_equal(s_at(j, "contents/1/role"), "model");
	assert_string_equal(s_at(j, "contents/1/parts/1/functionCall/name"),
	                    "ns__s__greet");
	/* a foreign call carries the placeholder signature; no made-up id */
	assert_string_equal(s_at(j, "contents/1/parts/1/thoughtSignature"),
	                    "skip_thought_signature_validator");
	assert_null(cJSON_GetObjectItem(
	        at(j, "contents/1/parts/1/functionCall"), "id"));
	assert_string_equal(
	        s_at(j, "contents/2/parts/0/functionResponse/response/output"),
	        "Hello, Ada!\n[image/png image, 8 bytes]");
	assert_string_equal(
	        s_at(j, "contents/2/parts/1/functionResponse/response/error"),
	        "broken");
	assert_int_equal(at(j, "tools/0/functionDeclarations/0/x")->valueint,
	                 1);
	cJSON_Delete(j);
	transcript_free(&t);
	backend_close(b);
}

static void test_ollama_build(void **state)
{
	struct backend *b = open_be("ollama", "llama");
	struct transcript t;
	cJSON *j;
	(void)state;

	conversation(&t, "openai-chat", NULL, 0);
	j = build(b, &t);
	assert_true(cJSON_IsFalse(at(j, "stream")));
	assert_string_equal(
	        s_at(j, "messages/2/tool_calls/0/function/arguments/name"),
	        "Ada");
	assert_string_equal(s_at(j, "messages/3/role"), "tool");
	assert_string_equal(s_at(j, "messages/3/tool_name"), "ns__s__greet");
	assert_string_equal(s_at(j, "messages/4/content"), "Error: broken");
	cJSON_Delete(j);
	transcript_free(&t);
	backend_close(b);
}

/* Parse a vendor reply; returns the status, fills *m. */
static sh_status parse(struct backend *b, const char *json, struct tr_msg *m,
                       struct sh_error *e)
{
	cJSON *j = cJSON_Parse(json);
	sh_status rc;

	assert_non_null(j);
	memset(m, 0, sizeof *m);
	rc = b->ops->parse(b, j, m, e);
	cJSON_Delete(j);
	return rc;
}

struct reply_case {
	const char *backend;
	const char *good;
	const char *bad; /* malformed */
	const char *bad_msg;
};

static const struct reply_case replies[] = {
        {"openai",
         "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,"
         "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":"
         "{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}},{\"id\":\"c2\","
         "\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":"
         "\"{oops\"}}]},\"finish_reason\":\"tool_calls\"}],\"usage\":"
         "{\"prompt_tokens\":7,\"completion_tokens\":3}}",
         "{\"choices\":[]}", "no choices[0].message"},
        {"openai-responses",
         "{\"status\":\"completed\",\"output\":[{\"type\":\"reasoning\",\"id\":"
         "\"rs\",\"summary\":[]},{\"type\":\"function_call\",\"call_id\":"
         "\"c1\","
         "\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"},{\"type\":"
         "\"function_call\",\"call_id\":\"c2\",\"name\":\"g\",\"arguments\":"
         "\"{oops\"}],\"usage\":{\"input_tokens\":7,\"output_tokens\":3}}",
         "{\"output\":[{\"type\":\"function_call\",\"name\":\"f\"}]}",
         "lacks call_id"},
        {"anthropic",
         "{\"type\":\"message\",\"content\":[{\"type\":\"thinking\","
         "\"thinking\":"
         "\"hm\",\"signature\":\"s\"},{\"type\":\"tool_use\",\"id\":\"c1\","
         "\"name\":\"f\",\"input\":{\"a\":1}},{\"type\":\"tool_use\",\"id\":"
         "\"c2\",\"name\":\"g\",\"input\":{}}],\"stop_reason\":\"tool_use\","
         "\"usage\":{\"input_tokens\":5,\"cache_read_input_tokens\":2,"
         "\"output_tokens\":3}}",
         "{\"type\":\"message\",\"content\":\"text\"}", "no content array"},
        {"bedrock",
         "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":["
         "{\"toolUse\":{\"toolUseId\":\"c1\",\"name\":\"f\",\"input\":{\"a\":1}"
         "}},"
         "{\"toolUse\":{\"toolUseId\":\"c2\",\"name\":\"g\",\"input\":{}}}]}},"
         "\"stopReason\":\"tool_use\",\"usage\":{\"inputTokens\":7,"
         "\"outputTokens\":3}}",
         "{\"output\":{\"message\":{\"content\":[{\"toolUse\":{\"name\":\"f\"}}"
         "]}}}",
         "lacks toolUseId"},
        {"gemini",
         "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{"
         "\"name\":"
         "\"f\",\"args\":{\"a\":1}},\"thoughtSignature\":\"c2ln\"},"
         "{\"functionCall\":{\"name\":\"g\",\"args\":{}}}]},\"finishReason\":"
         "\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":7,"
         "\"candidatesTokenCount\":2,\"thoughtsTokenCount\":1}}",
         "{\"candidates\":[],\"promptFeedback\":{\"blockReason\":\"SAFETY\"}}",
         "blocked (SAFETY)"},
        {"ollama",
         "{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":"
         "["
         "{\"function\":{\"name\":\"f\",\"arguments\":{\"a\":1}}},{"
         "\"function\":"
         "{\"name\":\"g\",\"arguments\":\"{oops\"}}]},\"done\":true,"
         "\"prompt_eval_count\":7,\"eval_count\":3}",
         "{\"message\":{\"tool_calls\":[{\"function\":{}}]}}",
         "no function name"},
};

static void test_parse_replies(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof replies / sizeof *replies; i++) {
		const struct reply_case *c = &replies[i];
		struct backend *b = open_be(c->backend, "m");
		struct sh_error e;
		struct tr_msg m;

		if (parse(b, c->good, &m, &e) != SH_OK)
			fail_msg("%s: %s", c->backend, e.msg);
		assert_int_equal(m.ncalls, 2);
		assert_string_equal(m.calls[0].name, "f");
		assert_string_equal(m.calls[0].arguments, "{\"a\":1}");
		assert_string_equal(m.calls[1].name, "g");
		if (!strcmp(c->backend, "gemini") ||
		    !strcmp(c->backend, "ollama"))
			assert_true(m.calls[0].id_made);
		else
			assert_string_equal(m.calls[0].id, "c1");
		/* ids are unique even when the vendor sends none */
		assert_string_not_equal(m.calls[0].id, m.calls[1].id);
		assert_int_equal(m.usage.input_tokens, 7);
		assert_int_equal(m.usage.output_tokens, 3);
		tr_msg_free(&m);

		sh_error_clear(&e);
		assert_int_not_equal(parse(b, c->bad, &m, &e), SH_OK);
		if (!strstr(e.msg, c->bad_msg))
			fail_msg("%s: \"%s\" lacks \"%s\"", c->backend, e.msg,
			         c->bad_msg);
		tr_msg_free(&m);
		backend_close(b);
	}
}

static void test_parse_text(void **state)
{
	struct backend *b = open_be("openai-responses", "m");
	struct sh_error e;
	struct tr_msg m;
	(void)state;

	assert_int_equal(
	        parse(b,
	              "{\"status\":\"completed\",\"output\":[{\"type\":"
	              "\"message\",\"content\":[{\"type\":\"output_text\","
	              "\"text\":\"a\"},{\"type\":\"output_text\",\"text\":"
	              "\"b\"}]}]}",
	              &m, &e),
	        SH_OK);
	assert_string_equal(m.text, "a\nb");
	assert_int_equal(m.ncalls, 0);
	tr_msg_free(&m);
	assert_int_equal(parse(b,
	                       "{\"status\":\"failed\",\"error\":{\"message\":"
	                       "\"server overloaded\"},\"output\":[]}",
	                       &m, &e),
	                 SH_ERR_FAIL);
	assert_non_null(strstr(e.msg, "server overloaded"));
	tr_msg_free(&m);
	backend_close(b);
}

static void test_credentials(void **state)
{
	struct backend_config c = {.name = "anthropic", .model = "m"};
	struct backend *b;
	struct sh_error e;
	(void)state;

	unsetenv("ANTHROPIC_API_KEY");
	assert_int_equal(backend_open(&c, &b, &e), SH_ERR_USAGE);
	assert_non_null(strstr(e.msg, "ANTHROPIC_API_KEY is not set"));
	setenv("ANTHROPIC_API_KEY", "sk-ant-secret-value", 1);
	setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:1", 1);
	assert_int_equal(backend_open(&c, &b, &e), SH_OK);
	assert_string_equal(b->url, "http://127.0.0.1:1/v1/messages");
	{
		char msg[128] = "bad key sk-ant-secret-value, again "
		                "sk-ant-secret-value.";
		backend_redact(b, msg, sizeof msg);
		assert_string_equal(msg,
		                    "bad key [redacted], again [redacted].");
	}
	backend_close(b);
	unsetenv("ANTHROPIC_API_KEY");
	unsetenv("ANTHROPIC_BASE_URL");

	c.name = "bedrock";
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	assert_int_equal(backend_open(&c, &b, &e), SH_ERR_USAGE);
	assert_non_null(strstr(e.msg, "AWS_REGION"));
	c.region = "Not A Region";
	assert_int_equal(backend_open(&c, &b, &e), SH_ERR_USAGE);
	c.name = "nope";
	assert_int_equal(backend_open(&c, &b, &e), SH_ERR_USAGE);
	assert_non_null(strstr(e.msg, "unknown backend"));
	c.name = "openai";
	c.model = "";
	assert_int_equal(backend_open(&c, &b, &e), SH_ERR_USAGE);
	c.model = "m";
	c.api_key = "k";
	c.base_url = "ftp://x";
	assert_int_equal(backend_open(&c, &b, &e), SH_ERR_USAGE);
	assert_non_null(strstr(e.msg, "http://"));
}

static void test_retry_after(void **state)
{
	time_t now = 1700000000;
	(void)state;
	assert_int_equal(backend_retry_after_ms("3", now), 3000);
	assert_int_equal(backend_retry_after_ms(" 0 ", now), 0);
	/* 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT */
	assert_int_equal(
	        backend_retry_after_ms("Tue, 14 Nov 2023 22:13:25 GMT", now),
	        5000);
	assert_int_equal(
	        backend_retry_after_ms("Tue, 14 Nov 2023 22:00:00 GMT", now),
	        0);
	assert_int_equal(backend_retry_after_ms("soon", now), -1);
	assert_int_equal(backend_retry_after_ms("3s", now), -1);
}

static void test_safe_id(void **state)
{
	char out[BACKEND_ID_MAX + 1];
	char longid[200];
	(void)state;
	backend_safe_id("call.1:x/y", out);
	assert_string_equal(out, "call_1_x_y");
	backend_safe_id("", out);
	assert_string_equal(out, "_");
	memset(longid, 'a', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	backend_safe_id(longid, out);
	assert_int_equal(strlen(out), BACKEND_ID_MAX);
}

/* AWS's published vectors (aws-sig-v4-test-suite: get-vanilla and
 * post-vanilla), and the path rule that decides who signs. */
static void test_sigv4(void **state)
{
	struct sigv4_params p = {
	        .method = "GET",
	        .url = "https://example.amazonaws.com/",
	        .region = "us-east-1",
	        .service = "service",
	        .access_key = "AKIDEXAMPLE",
	        .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	        .now = 1440938160, /* 20150830T123600Z */
	};
	char auth[SIGV4_AUTH_MAX], date[SIGV4_DATE_LEN + 1], uri[64];
	struct sh_error e;
	(void)state;

	assert_int_equal(sigv4_sign(&p, auth, sizeof auth, date, &e), SH_OK);
	assert_string_equal(date, "20150830T123600Z");
	assert_string_equal(
	        auth,
	        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
	        "service/aws4_request, SignedHeaders=host;x-amz-date, "
	        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b"
	        "8aae1d763fbf31");
	p.method = "POST";
	assert_int_equal(sigv4_sign(&p, auth, sizeof auth, date, &e), SH_OK);
	assert_non_null(strstr(auth, "Signature=5da7c1a2acd57cee7505fc6676e4e5"
	                             "44621c30862966e37dddb68e92efbe5d6b"));
	p.url = "https://example.amazonaws.com/?a=b";
	assert_int_equal(sigv4_sign(&p, auth, sizeof auth, date, &e),
	                 SH_ERR_INVALID);

	assert_true(sigv4_path_is_canonical("/model/amazon.titan-v1/converse"));
	assert_false(
	        sigv4_path_is_canonical("/model/amazon.nova-v1%3A0/converse"));
	assert_true(
	        sigv4_canonical_uri("/model/a%3A0/converse", uri, sizeof uri));
	assert_string_equal(uri, "/model/a%253A0/converse");
	assert_false(sigv4_canonical_uri("/model/a%3A0/converse", uri, 10));
}

static void test_transcript_json(void **state)
{
	struct transcript t;
	cJSON *j;
	(void)state;

	conversation(&t, "openai-chat", NULL, 0);
	j = transcript_to_json(&t);
	assert_string_equal(s_at(j, "0/role"), "system");
	assert_string_equal(s_at(j, "2/role"), "assistant");
	assert_string_equal(s_at(j, "2/tool_calls/0/arguments/name"), "Ada");
	/* arguments that are not JSON are shown as sent */
	assert_string_equal(s_at(j, "2/tool_calls/1/arguments"), "{bad");
	assert_true(cJSON_IsTrue(at(j, "3/results/1/is_error")));
	assert_string_equal(s_at(j, "3/results/0/result/content/0/text"),
	                    "Hello, Ada!");
	cJSON_Delete(j);
	transcript_free(&t);
}

static void test_result_text(void **state)
{
	cJSON *r = cJSON_Parse("{\"content\":[],\"structuredContent\":{\"n\":4,"
	                       "\"square\":16}}");
	char *s;
	(void)state;
	s = tr_result_text(r, 0);
	assert_string_equal(s, "{\"n\":4,\"square\":16}");
	free(s);
	cJSON_Delete(r);
	r = cJSON_Parse("{\"content\":[]}");
	s = tr_result_text(r, 0);
	assert_string_equal(s, "(no output)");
	free(s);
	cJSON_Delete(r);
	r = cJSON_Parse("{\"content\":[{\"type\":\"resource\",\"resource\":{"
	                "\"uri\":\"u\",\"text\":\"inside\"}},{\"type\":"
	                "\"resource_link\",\"uri\":\"file:///x\"},{\"type\":"
	                "\"image\",\"mimeType\":\"image/svg+xml\",\"data\":"
	                "\"AAAA\"}]}");
	s = tr_result_text(r, 1);
	/* SVG is no image the vendors embed: it stays as a note */
	assert_string_equal(s, "inside\n[resource link file:///x]\n"
	                       "[image/svg+xml image, 3 bytes]");
	free(s);
	cJSON_Delete(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_openai_build),
	        cmocka_unit_test(test_azure_url),
	        cmocka_unit_test(test_responses_build),
	        cmocka_unit_test(test_anthropic_build),
	        cmocka_unit_test(test_bedrock_build),
	        cmocka_unit_test(test_gemini_build),
	        cmocka_unit_test(test_ollama_build),
	        cmocka_unit_test(test_parse_replies),
	        cmocka_unit_test(test_parse_text),
	        cmocka_unit_test(test_credentials),
	        cmocka_unit_test(test_retry_after),
	        cmocka_unit_test(test_safe_id),
	        cmocka_unit_test(test_sigv4),
	        cmocka_unit_test(test_transcript_json),
	        cmocka_unit_test(test_result_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
