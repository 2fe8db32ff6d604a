/*
 * test_mcp_server.c - the transport-independent MCP session logic, driven
 * with JSON text: JSON-RPC framing and errors, version negotiation,
 * pagination, every content type, progress, logging levels, cancellation,
 * short names, stateless sessions and draining.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "jsonrpc.h"
#include "mcp_server.h"
#include "names.h"
#include "profile.h"
#include "runtime.h"

#define MAX_MSGS 256
#define WAIT_MS  10000

/* Everything a session sent back, in order. */
struct capture {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *msgs[MAX_MSGS];
	int nmsgs;
	int finals;       /* final messages seen (incl. "no response") */
	int empty_finals; /* finals without a message */
	int last_final;   /* index of the last final message, or -1 */
};

static struct runtime *rt;
static struct mcp_server *srv;

static void cap_send(void *ud, char *msg, size_t len, int final)
{
	struct capture *c = ud;

	(void)len;
	pthread_mutex_lock(&c->lock);
	if (msg && c->nmsgs < MAX_MSGS)
		c->msgs[c->nmsgs++] = msg;
	else
		free(msg);
	if (final) {
		c->finals++;
		c->last_final = msg ? c->nmsgs - 1 : -1;
		if (!msg)
			c->empty_finals++;
	}
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void cap_init(struct capture *c)
{
	memset(c, 0, sizeof *c);
	c->last_final = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
}

static void cap_clear(struct capture *c)
{
	pthread_mutex_lock(&c->lock);
	for (int i = 0; i < c->nmsgs; i++)
		free(c->msgs[i]);
	c->nmsgs = c->finals = c->empty_finals = 0;
	c->last_final = -1;
	pthread_mutex_unlock(&c->lock);
}

static void cap_free(struct capture *c)
{
	cap_clear(c);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
}

/* Wait until n finals arrived; 1 when they did in time. */
static int cap_wait(struct capture *c, int n)
{
	struct timespec until;
	int ok;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&c->lock);
	while (c->finals < n &&
	       pthread_cond_timedwait(&c->cond, &c->lock, &until) == 0)
		;
	ok = c->finals >= n;
	pthread_mutex_unlock(&c->lock);
	return ok;
}

/* Send text, wait for its final reply, return the last message parsed
 * (NULL when there was none). */
static cJSON *rpc(struct mcp_session *s, struct capture *c, const char *text)
{
	struct mcp_reply r = {cap_send, c};
	int want;
	cJSON *j = NULL;

	pthread_mutex_lock(&c->lock);
	want = c->finals + 1;
	pthread_mutex_unlock(&c->lock);
	mcp_session_receive(s, text, strlen(text), &r);
	assert_true(cap_wait(c, want));
	pthread_mutex_lock(&c->lock);
	if (c->last_final >= 0)
		j = cJSON_Parse(c->msgs[c->last_final]);
	pthread_mutex_unlock(&c->lock);
	return j;
}

static int error_code(const cJSON *j)
{
	const cJSON *e = cJSON_GetObjectItem(j, "error");
	return e ? cJSON_GetObjectItem(e, "code")->valueint : 0;
}

static const char *error_message(const cJSON *j)
{
	const cJSON *e = cJSON_GetObjectItem(j, "error");
	return e ? cJSON_GetObjectItem(e, "message")->valuestring : "";
}

static const cJSON *result(const cJSON *j)
{
	return cJSON_GetObjectItem(j, "result");
}

static struct runtime *open_rt(const char *const *skills, size_t n)
{
	struct runtime_opts o = {.home = "/nonexistent-skillhost-home",
	                         .no_store = 1};
	struct runtime *r;
	struct sh_error e;

	if (runtime_open(&o, &r, &e) != SH_OK)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/lib/%s.so", SKILLS_OUT,
		         skills[i]);
		if (runtime_add_skill_file(r, path, &e) != SH_OK) {
			fprintf(stderr, "%s\n", e.msg);
			runtime_close(r);
			return NULL;
		}
	}
	if (runtime_seal(r, &e) != SH_OK) {
		runtime_close(r);
		return NULL;
	}
	return r;
}

static int setup(void **state)
{
	static const char *const skills[] = {"testing-everything",
	                                     "testing-sleeper", "testing-noop"};
	struct mcp_server_opts o = {.page_size = 4, .threads = 4};
	struct sh_error e;

	(void)state;
	rt = open_rt(skills, 3);
	if (!rt)
		return -1;
	o.rt = rt;
	if (mcp_server_new(&o, &srv, &e) != SH_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mcp_server_free(srv);
	runtime_close(rt);
	return 0;
}

static const char init_msg[] =
        "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
        "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
        "\"clientInfo\":{\"name\":\"unit\",\"version\":\"1\"}}}";

/* A session past initialize and initialized. */
static struct mcp_session *ready(struct capture *c)
{
	struct mcp_session *s;
	struct sh_error e;
	cJSON *j;

	cap_init(c);
	assert_int_equal(mcp_session_new(srv, NULL, 0, NULL, &s, &e), SH_OK);
	j = rpc(s, c, init_msg);
	assert_non_null(result(j));
	cJSON_Delete(j);
	j = rpc(s, c,
	        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
	        "initialized\"}");
	assert_null(j);
	cap_clear(c);
	return s;
}

static void test_versions(void **state)
{
	static const char *const cases[][2] = {{"2025-11-25", "2025-11-25"},
	                                       {"2025-06-18", "2025-06-18"},
	                                       {"2025-03-26", "2025-03-26"},
	                                       {"1999-01-01", "2025-11-25"},
	                                       {"2026-07-28", "2025-11-25"}};
	struct capture c;
	struct sh_error e;

	(void)state;
	cap_init(&c);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct mcp_session *s;
		char msg[512];
		cJSON *j, *r;
		assert_int_equal(mcp_session_new(srv, NULL, 0, NULL, &s, &e),
		                 SH_OK);
		snprintf(
		        msg, sizeof msg,
		        "{\"jsonrpc\":\"2.0\",\"id\":\"i\",\"method\":"
		        "\"initialize\",\"params\":{\"protocolVersion\":\"%s\","
		        "\"capabilities\":{},\"clientInfo\":{\"name\":\"u\","
		        "\"version\":\"1\"}}}",
		        cases[i][0]);
		j = rpc(s, &c, msg);
		r = (cJSON *)result(j);
		assert_non_null(r);
		assert_string_equal(
		        cJSON_GetObjectItem(r, "protocolVersion")->valuestring,
		        cases[i][1]);
		assert_string_equal(mcp_session_version(s), cases[i][1]);
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(
		        cJSON_GetObjectItem(
		                cJSON_GetObjectItem(r, "capabilities"),
		                "tools"),
		        "listChanged")));
		assert_non_null(cJSON_GetObjectItem(
		        cJSON_GetObjectItem(r, "capabilities"), "logging"));
		assert_string_equal(
		        cJSON_GetObjectItem(
		                cJSON_GetObjectItem(r, "serverInfo"), "name")
		                ->valuestring,
		        "skillhost");
		assert_string_equal(cJSON_GetObjectItem(j, "id")->valuestring,
		                    "i");
		cJSON_Delete(j);
		/* A second initialize on the same session is refused. */
		j = rpc(s, &c, msg);
		assert_int_equal(error_code(j), JSONRPC_INVALID_REQUEST);
		cJSON_Delete(j);
		mcp_session_close(s);
	}
	cap_free(&c);
}

static void test_lifecycle(void **state)
{
	struct mcp_session *s;
	struct capture c;
	struct sh_error e;
	cJSON *j;

	(void)state;
	cap_init(&c);
	assert_int_equal(mcp_session_new(srv, NULL, 0, NULL, &s, &e), SH_OK);
	/* Before initialize: ping works, the rest is refused. */
	j = rpc(s, &c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
	assert_non_null(result(j));
	assert_int_equal(cJSON_GetArraySize(result(j)), 0);
	cJSON_Delete(j);
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
	assert_int_equal(error_code(j), JSONRPC_INVALID_REQUEST);
	assert_non_null(strstr(error_message(j), "initialize"));
	cJSON_Delete(j);
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\","
	        "\"params\":{}}");
	assert_int_equal(error_code(j), JSONRPC_INVALID_PARAMS);
	assert_non_null(strstr(error_message(j), "protocolVersion"));
	cJSON_Delete(j);
	assert_false(mcp_session_initialized(s));
	j = rpc(s, &c, init_msg);
	assert_non_null(result(j));
	cJSON_Delete(j);
	assert_true(mcp_session_initialized(s));
	mcp_session_close(s);
	cap_free(&c);
}

static void test_jsonrpc_errors(void **state)
{
	static const struct {
		const char *text;
		int code;
		const char *id; /* expected id as JSON text */
		const char *says;
	} cases[] = {
	        {"{", JSONRPC_PARSE_ERROR, "null", "not valid JSON"},
	        {"", JSONRPC_PARSE_ERROR, "null", "empty"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} x",
	         JSONRPC_PARSE_ERROR, "null", "not valid JSON"},
	        {"\"\xff\xfe\"", JSONRPC_PARSE_ERROR, "null", "UTF-8"},
	        {"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
	         JSONRPC_INVALID_REQUEST, "null", "batches"},
	        {"42", JSONRPC_INVALID_REQUEST, "null", "object"},
	        {"{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"ping\"}",
	         JSONRPC_INVALID_REQUEST, "7", "2.0"},
	        {"{\"id\":7,\"method\":\"ping\"}", JSONRPC_INVALID_REQUEST, "7",
	         "2.0"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}",
	         JSONRPC_INVALID_REQUEST, "null", "id"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
	         JSONRPC_INVALID_REQUEST, "null", "id"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}",
	         JSONRPC_INVALID_REQUEST, "null", "id"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":5}",
	         JSONRPC_INVALID_REQUEST, "\"a\"", "method"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"\"}",
	         JSONRPC_INVALID_REQUEST, "\"a\"", "method"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":"
	         "[]}",
	         JSONRPC_INVALID_PARAMS, "2", "params"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\","
	         "\"result\":{}}",
	         JSONRPC_INVALID_REQUEST, "2", "result"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"no/such\"}",
	         JSONRPC_METHOD_NOT_FOUND, "3", "no/such"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/nope\"}",
	         JSONRPC_METHOD_NOT_FOUND, "3", "resources/nope"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\"}",
	         JSONRPC_INVALID_PARAMS, "3", "\"uri\""},
	        {"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\","
	         "\"params\":{\"uri\":\"x://none\"}}",
	         -32002, "3", "x://none"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"prompts/get\","
	         "\"params\":{}}",
	         JSONRPC_INVALID_PARAMS, "3", "\"name\""},
	        {"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"prompts/list\","
	         "\"params\":{\"cursor\":\"zz\"}}",
	         JSONRPC_INVALID_PARAMS, "3", "cursor"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":"
	         "\"completion/complete\",\"params\":{}}",
	         JSONRPC_INVALID_PARAMS, "3", "ref"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\","
	         "\"params\":{}}",
	         JSONRPC_INVALID_PARAMS, "4", "name"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\","
	         "\"params\":{\"name\":\"testing.noop.noop\",\"arguments\":[1]}"
	         "}",
	         JSONRPC_INVALID_PARAMS, "4", "arguments"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\","
	         "\"params\":{\"name\":\"testing.noop.noop\",\"_meta\":"
	         "{\"progressToken\":{}}}}",
	         JSONRPC_INVALID_PARAMS, "4", "progressToken"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
	         "\"params\":{\"name\":\"no.such.tool\"}}",
	         JSONRPC_INVALID_PARAMS, "5", "unknown tool"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
	         "\"params\":{\"name\":\"echo\"}}",
	         JSONRPC_INVALID_PARAMS, "5", "ambiguous"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/list\","
	         "\"params\":{\"cursor\":\"bm9wZQ!!\"}}",
	         JSONRPC_INVALID_PARAMS, "6", "cursor"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/list\","
	         "\"params\":{\"cursor\":5}}",
	         JSONRPC_INVALID_PARAMS, "6", "cursor"},
	        {"{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"logging/"
	         "setLevel\","
	         "\"params\":{\"level\":\"loud\"}}",
	         JSONRPC_INVALID_PARAMS, "8", "level"},
	};
	struct capture c;
	struct mcp_session *s = ready(&c);
	char deep[2 * JSONRPC_NESTING_MAX + 64];
	size_t n = 0;
	cJSON *j;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *id;
		j = rpc(s, &c, cases[i].text);
		assert_non_null(j);
		if (error_code(j) != cases[i].code)
			fail_msg("case %zu (%s): code %d", i, cases[i].text,
			         error_code(j));
		id = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "id"));
		assert_string_equal(id, cases[i].id);
		free(id);
		if (!strstr(error_message(j), cases[i].says))
			fail_msg("case %zu: message '%s' lacks '%s'", i,
			         error_message(j), cases[i].says);
		cJSON_Delete(j);
		cap_clear(&c);
	}
	/* Nesting beyond the limit is refused before parsing. */
	for (int i = 0; i <= JSONRPC_NESTING_MAX; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	j = rpc(s, &c, deep);
	assert_int_equal(error_code(j), JSONRPC_PARSE_ERROR);
	cJSON_Delete(j);
	/* Notifications and client responses get no answer at all. */
	cap_clear(&c);
	assert_null(rpc(s, &c, "{\"jsonrpc\":\"2.0\",\"method\":\"no/such\"}"));
	assert_null(rpc(s, &c, "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}"));
	assert_null(rpc(s, &c,
	                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
	                "cancelled\",\"params\":{\"requestId\":12345}}"));
	assert_int_equal(c.nmsgs, 0);
	mcp_session_close(s);
	cap_free(&c);
}

static void test_pagination(void **state)
{
	struct capture c;
	struct mcp_session *s = ready(&c);
	struct catalog *cat = runtime_acquire(rt);
	size_t total = catalog_tool_count(cat), seen = 0, pages = 0;
	char cursor[256] = "";

	(void)state;
	do {
		char msg[512];
		const cJSON *r, *t, *next;
		cJSON *j;
		if (cursor[0])
			snprintf(msg, sizeof msg,
			         "{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":"
			         "\"tools/"
			         "list\",\"params\":{\"cursor\":\"%s\"}}",
			         pages, cursor);
		else
			snprintf(msg, sizeof msg,
			         "{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":"
			         "\"tools/list\"}",
			         pages);
		j = rpc(s, &c, msg);
		r = result(j);
		assert_non_null(r);
		assert_true(cJSON_GetArraySize(
		                    cJSON_GetObjectItem(r, "tools")) <= 4);
		cJSON_ArrayForEach(t, cJSON_GetObjectItem(r, "tools"))
		{
			struct tool *want = catalog_tool_at(cat, seen++);
			assert_string_equal(
			        cJSON_GetObjectItem(t, "name")->valuestring,
			        want->mcp_name);
			assert_true(cJSON_IsObject(
			        cJSON_GetObjectItem(t, "inputSchema")));
			assert_non_null(cJSON_GetObjectItem(t, "description"));
		}
		next = cJSON_GetObjectItem(r, "nextCursor");
		cursor[0] = '\0';
		if (next)
			snprintf(cursor, sizeof cursor, "%s",
			         next->valuestring);
		cJSON_Delete(j);
		cap_clear(&c);
		pages++;
	} while (cursor[0] && pages < 100);
	assert_int_equal(seen, total);
	assert_int_equal(pages, (total + 3) / 4);
	runtime_release(cat);
	mcp_session_close(s);
	cap_free(&c);
}

/* Call tool with args; returns the CallToolResult (caller frees j). */
static const cJSON *call(struct mcp_session *s, struct capture *c,
                         const char *tool, const char *args, cJSON **j)
{
	char msg[1024];

	snprintf(msg, sizeof msg,
	         "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\","
	         "\"params\":{\"name\":\"%s\",\"arguments\":%s}}",
	         tool, args);
	*j = rpc(s, c, msg);
	assert_non_null(result(*j));
	return result(*j);
}

static const char *first_type(const cJSON *r)
{
	return cJSON_GetObjectItem(
	               cJSON_GetArrayItem(cJSON_GetObjectItem(r, "content"), 0),
	               "type")
	        ->valuestring;
}

static void test_content_types(void **state)
{
	static const struct {
		const char *tool, *args, *type;
	} cases[] = {
	        {"testing.everything.text", "{\"text\":\"hi\"}", "text"},
	        {"testing.everything.image", "{}", "image"},
	        {"testing.everything.audio", "{}", "audio"},
	        {"testing.everything.resource", "{}", "resource"},
	        {"testing.everything.link", "{}", "resource_link"},
	        {"testing.everything.mixed", "{}", "text"},
	        {"testing/everything.text", "{}", "text"},
	        {"testing__everything__text", "{}", "text"},
	};
	struct capture c;
	struct mcp_session *s = ready(&c);
	const cJSON *r, *b;
	cJSON *j;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		r = call(s, &c, cases[i].tool, cases[i].args, &j);
		assert_string_equal(first_type(r), cases[i].type);
		assert_null(cJSON_GetObjectItem(r, "isError"));
		cJSON_Delete(j);
		cap_clear(&c);
	}
	r = call(s, &c, "testing.everything.image", "{}", &j);
	b = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "content"), 0);
	assert_string_equal(cJSON_GetObjectItem(b, "mimeType")->valuestring,
	                    "image/png");
	assert_true(strlen(cJSON_GetObjectItem(b, "data")->valuestring) > 40);
	cJSON_Delete(j);
	r = call(s, &c, "testing.everything.mixed", "{}", &j);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "content")),
	                 3);
	cJSON_Delete(j);
	r = call(s, &c, "testing.everything.structured", "{\"n\":3}", &j);
	assert_int_equal(
	        cJSON_GetObjectItem(cJSON_GetObjectItem(r, "structuredContent"),
	                            "square")
	                ->valueint,
	        9);
	cJSON_Delete(j);
	/* Failures the model can act on are results, not protocol errors. */
	r = call(s, &c, "testing.everything.fail", "{\"why\":\"nope\"}", &j);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "isError")));
	cJSON_Delete(j);
	r = call(s, &c, "testing.noop.echo", "{\"txt\":1}", &j);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "isError")));
	{
		/* The message names the field the model must fix. */
		char *text = cJSON_PrintUnformatted(r);
		assert_non_null(strstr(text, "text"));
		free(text);
	}
	cJSON_Delete(j);
	mcp_session_close(s);
	cap_free(&c);
}

static int count_method(struct capture *c, const char *method,
                        const char *needle)
{
	int n = 0;

	pthread_mutex_lock(&c->lock);
	for (int i = 0; i < c->nmsgs; i++)
		if (strstr(c->msgs[i], method) &&
		    (!needle || strstr(c->msgs[i], needle)))
			n++;
	pthread_mutex_unlock(&c->lock);
	return n;
}

static void test_progress(void **state)
{
	struct capture c;
	struct mcp_session *s = ready(&c);
	cJSON *j;

	(void)state;
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	        "\"params\":{\"name\":\"testing.everything.progress\","
	        "\"arguments\":{\"steps\":3},\"_meta\":{\"progressToken\":"
	        "\"tok-1\"}}}");
	assert_non_null(result(j));
	cJSON_Delete(j);
	assert_int_equal(count_method(&c, "notifications/progress",
	                              "\"progressToken\":\"tok-1\""),
	                 3);
	assert_int_equal(
	        count_method(&c, "\"progress\":3,\"total\":3", "step 3 of 3"),
	        1);
	/* The response comes after the notifications. */
	assert_non_null(strstr(c.msgs[c.nmsgs - 1], "\"id\":1"));
	cap_clear(&c);
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	        "\"params\":{\"name\":\"testing.everything.progress\","
	        "\"arguments\":{\"steps\":2},\"_meta\":{\"progressToken\":"
	        "77}}}");
	cJSON_Delete(j);
	assert_int_equal(count_method(&c, "\"progressToken\":77", NULL), 2);
	cap_clear(&c);
	/* No token, no progress notifications. */
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
	        "\"params\":{\"name\":\"testing.everything.progress\","
	        "\"arguments\":{\"steps\":2}}}");
	cJSON_Delete(j);
	assert_int_equal(count_method(&c, "notifications/progress", NULL), 0);
	mcp_session_close(s);
	cap_free(&c);
}

static void test_logging(void **state)
{
	struct capture c;
	struct mcp_session *s = ready(&c);
	cJSON *j;

	(void)state;
	/* The default level is info: 7 of the 8 levels get through. */
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	        "\"params\":{\"name\":\"testing.everything.log\"}}");
	cJSON_Delete(j);
	assert_int_equal(count_method(&c, "notifications/message", NULL), 7);
	assert_int_equal(count_method(&c, "\"level\":\"emergency\"",
	                              "\"logger\":\"testing/everything\""),
	                 1);
	cap_clear(&c);
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"logging/setLevel\","
	        "\"params\":{\"level\":\"error\"}}");
	assert_int_equal(cJSON_GetArraySize(result(j)), 0);
	cJSON_Delete(j);
	cap_clear(&c);
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
	        "\"params\":{\"name\":\"testing.everything.log\"}}");
	cJSON_Delete(j);
	assert_int_equal(count_method(&c, "notifications/message", NULL), 4);
	assert_int_equal(count_method(&c, "\"level\":\"warning\"", NULL), 0);
	cap_clear(&c);
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"logging/setLevel\","
	        "\"params\":{\"level\":\"debug\"}}");
	cJSON_Delete(j);
	cap_clear(&c);
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
	        "\"params\":{\"name\":\"testing.everything.log\"}}");
	cJSON_Delete(j);
	assert_int_equal(count_method(&c, "notifications/message", NULL), 8);
	mcp_session_close(s);
	cap_free(&c);
}

static int64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_cancel(void **state)
{
	struct capture c;
	struct mcp_session *s = ready(&c);
	struct mcp_reply r = {cap_send, &c};
	const char *sleep_msg =
	        "{\"jsonrpc\":\"2.0\",\"id\":\"long\",\"method\":\"tools/"
	        "call\","
	        "\"params\":{\"name\":\"testing.sleeper.sleep\",\"arguments\":"
	        "{\"ms\":20000},\"_meta\":{\"progressToken\":\"pt\"}}}";
	int64_t t0;
	cJSON *j;

	(void)state;
	t0 = ms_now();
	assert_int_equal(
	        mcp_session_receive(s, sleep_msg, strlen(sleep_msg), &r),
	        MCP_RX_PENDING);
	/* The same id while it runs is refused; pings still answer. */
	j = rpc(s, &c, sleep_msg);
	assert_int_equal(error_code(j), JSONRPC_INVALID_REQUEST);
	cJSON_Delete(j);
	j = rpc(s, &c, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}");
	assert_non_null(result(j));
	cJSON_Delete(j);
	/* Cancel once the sleeper runs (its first progress report), so it
	 * is the skill that sees the cancellation. */
	for (int i = 0;
	     i < 500 && !count_method(&c, "notifications/progress", NULL);
	     i++) {
		const struct timespec step = {0, 10000000};
		nanosleep(&step, NULL);
	}
	assert_int_equal(count_method(&c, "notifications/progress", NULL), 1);
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
	        "\"params\":{\"requestId\":\"long\",\"reason\":\"test\"}}");
	assert_null(j);
	/* The call ends soon, and sends no response (MCP), only the
	 * sleeper's log message. */
	assert_true(cap_wait(&c, 4));
	assert_true(ms_now() - t0 < 5000);
	assert_int_equal(c.empty_finals, 2);
	assert_int_equal(count_method(&c, "notifications/message",
	                              "sleeper saw cancellation"),
	                 1);
	assert_int_equal(count_method(&c, "\"id\":\"long\"", NULL), 1);
	mcp_session_close(s);
	cap_free(&c);
}

static void test_close_cancels(void **state)
{
	struct capture c;
	struct mcp_session *s = ready(&c);
	struct mcp_reply r = {cap_send, &c};
	const char *msg =
	        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	        "\"params\":{\"name\":\"testing.sleeper.sleep\",\"arguments\":"
	        "{\"ms\":20000}}}";
	int64_t t0 = ms_now();

	(void)state;
	assert_int_equal(mcp_session_receive(s, msg, strlen(msg), &r),
	                 MCP_RX_PENDING);
	mcp_session_close(s);
	assert_true(cap_wait(&c, 1));
	assert_true(ms_now() - t0 < 5000);
	assert_int_equal(c.empty_finals, 1);
	cap_free(&c);
}

/* The name tools/list gives the tool whose canonical name is canon. */
static const char *listed_name(const cJSON *list, const char *canon)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(result(list), "tools"))
	{
		const cJSON *meta = cJSON_GetObjectItem(t, "_meta");
		const cJSON *c =
		        cJSON_GetObjectItem(meta, "io.skillhost/canonical");
		if (cJSON_IsString(c) && !strcmp(c->valuestring, canon))
			return cJSON_GetObjectItem(t, "name")->valuestring;
	}
	return NULL;
}

/* Portable names by default: bare when unique, skill_tool when two skills
 * share a tool name, every one legal for every client, and a call by
 * that name resolves; --tool-names canonical gives the old dotted form. */
static void test_portable_names(void **state)
{
	static const char *const clash[] = {"testing-everything",
	                                    "testing-noop"};
	struct mcp_server_opts o = {.threads = 1};
	struct mcp_server *s2;
	struct mcp_session *s;
	struct runtime *r2;
	struct capture c;
	struct sh_error e;
	cJSON *j;
	const cJSON *t;

	(void)state;
	r2 = open_rt(clash, 2);
	assert_non_null(r2);
	o.rt = r2;
	for (int canonical = 0; canonical < 2; canonical++) {
		o.canonical_names = canonical;
		assert_int_equal(mcp_server_new(&o, &s2, &e), SH_OK);
		cap_init(&c);
		assert_int_equal(mcp_session_new(s2, NULL, 0, NULL, &s, &e),
		                 SH_OK);
		j = rpc(s, &c, init_msg);
		cJSON_Delete(j);
		j = rpc(s, &c,
		        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
		        "\"tools/list\"}");
		if (!canonical) {
			cJSON_ArrayForEach(
			        t, cJSON_GetObjectItem(result(j), "tools"))
			{
				const char *n = cJSON_GetObjectItem(t, "name")
				                        ->valuestring;
				assert_true(names_is_mcp_legal(n));
				/* The canonical name stays in title when
				 * the skill gave none. */
				assert_non_null(
				        cJSON_GetObjectItem(t, "title"));
			}
			assert_string_equal(
			        listed_name(j, "testing/everything.echo"),
			        "everything_echo");
			assert_string_equal(listed_name(j, "testing/noop.echo"),
			                    "noop_echo");
			assert_string_equal(
			        listed_name(j, "testing/everything.text"),
			        "text");
		} else {
			assert_string_equal(
			        listed_name(j, "testing/everything.echo"),
			        "testing.everything.echo");
			assert_string_equal(
			        listed_name(j, "testing/everything.text"),
			        "testing.everything.text");
		}
		cJSON_Delete(j);
		j = rpc(s, &c,
		        canonical
		                ? "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
		                  "\"tools/call\",\"params\":{\"name\":"
		                  "\"testing.everything.text\",\"arguments\":"
		                  "{\"text\":\"x\"}}}"
		                : "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
		                  "\"tools/call\",\"params\":{\"name\":"
		                  "\"text\",\"arguments\":{\"text\":\"x\"}}}");
		assert_string_equal(first_type(result(j)), "text");
		cJSON_Delete(j);
		j = rpc(s, &c,
		        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":"
		        "\"tools/call\",\"params\":{\"name\":\"noop_echo\","
		        "\"arguments\":{\"text\":\"y\"}}}");
		assert_non_null(result(j));
		cJSON_Delete(j);
		mcp_session_close(s);
		cap_free(&c);
		mcp_server_free(s2);
	}
	runtime_close(r2);
}

/* A session of a server with default options on rt, initialized at
 * version v. */
static struct mcp_session *at_version(struct mcp_server **s2, struct capture *c,
                                      const char *v)
{
	struct mcp_server_opts o = {.rt = rt, .threads = 2};
	struct mcp_session *s;
	struct sh_error e;
	char init[512];
	cJSON *j;

	assert_int_equal(mcp_server_new(&o, s2, &e), SH_OK);
	cap_init(c);
	assert_int_equal(mcp_session_new(*s2, NULL, 0, NULL, &s, &e), SH_OK);
	snprintf(init, sizeof init,
	         "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
	         "\"params\":{\"protocolVersion\":\"%s\",\"capabilities\":{},"
	         "\"clientInfo\":{\"name\":\"unit\",\"version\":\"1\"}}}",
	         v);
	j = rpc(s, c, init);
	/* The version asked for is the version answered. */
	assert_string_equal(
	        cJSON_GetObjectItem(result(j), "protocolVersion")->valuestring,
	        v);
	cJSON_Delete(j);
	return s;
}

static void end_session(struct mcp_server *s2, struct mcp_session *s,
                        struct capture *c)
{
	mcp_session_close(s);
	cap_free(c);
	mcp_server_free(s2);
}

/* 2024-11-05 clients are answered in their version (not counter-offered),
 * and one page holds a typical catalog: all 14 tools, no cursor. */
static void test_compat_2024_and_page(void **state)
{
	struct mcp_server *s2;
	struct mcp_session *s;
	struct capture c;
	cJSON *j;

	(void)state;
	s = at_version(&s2, &c, "2024-11-05");
	assert_true(MCP_PAGE_SIZE_DEFAULT >= 1000);
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
	assert_int_equal(
	        cJSON_GetArraySize(cJSON_GetObjectItem(result(j), "tools")),
	        (int)catalog_tool_count(runtime_catalog(rt)));
	assert_null(cJSON_GetObjectItem(result(j), "nextCursor"));
	cJSON_Delete(j);
	end_session(s2, s, &c);
}

/* Batches: answered as one array on 2025-03-26 (calls included, the
 * notification in it gets no entry); refused on later versions. */
static void test_batches(void **state)
{
	struct mcp_server *s2;
	struct mcp_session *s;
	struct capture c;
	const cJSON *el;
	cJSON *j;
	int seen = 0;

	(void)state;
	s = at_version(&s2, &c, "2025-03-26");
	j = rpc(s, &c,
	        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
	        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
	        "initialized\"},"
	        "{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"tools/call\","
	        "\"params\":{\"name\":\"noop_echo\",\"arguments\":{"
	        "\"text\":\"in a batch\"}}},"
	        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"no/such\"}]");
	assert_true(cJSON_IsArray(j));
	assert_int_equal(cJSON_GetArraySize(j), 3);
	cJSON_ArrayForEach(el, j)
	{
		const cJSON *id = cJSON_GetObjectItem(el, "id");
		if (cJSON_IsNumber(id) && id->valueint == 1)
			seen |= 1, assert_non_null(result(el));
		if (cJSON_IsString(id) && !strcmp(id->valuestring, "b"))
			seen |= 2, assert_string_equal(first_type(result(el)),
			                               "text");
		if (cJSON_IsNumber(id) && id->valueint == 3)
			seen |= 4, assert_int_equal(error_code(el),
			                            JSONRPC_METHOD_NOT_FOUND);
	}
	assert_int_equal(seen, 7);
	cJSON_Delete(j);
	j = rpc(s, &c, "[]");
	assert_int_equal(error_code(j), JSONRPC_INVALID_REQUEST);
	cJSON_Delete(j);
	end_session(s2, s, &c);

	s = at_version(&s2, &c, "2025-06-18");
	j = rpc(s, &c, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]");
	assert_int_equal(error_code(j), JSONRPC_INVALID_REQUEST);
	assert_non_null(strstr(error_message(j), "batches"));
	cJSON_Delete(j);
	end_session(s2, s, &c);
}

/* An error answers the id it could read, never null. */
static void test_error_keeps_id(void **state)
{
	struct mcp_server *s2;
	struct mcp_session *s;
	struct capture c;
	cJSON *j;

	(void)state;
	s = at_version(&s2, &c, "2025-11-25");
	j = rpc(s, &c, "{\"jsonrpc\":\"2.0\",\"id\":42}");
	assert_int_equal(error_code(j), JSONRPC_INVALID_REQUEST);
	assert_int_equal(cJSON_GetObjectItem(j, "id")->valueint, 42);
	cJSON_Delete(j);
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"1.0\",\"id\":\"x\",\"method\":\"ping\"}");
	assert_string_equal(cJSON_GetObjectItem(j, "id")->valuestring, "x");
	cJSON_Delete(j);
	end_session(s2, s, &c);
}

static void test_stateless(void **state)
{
	struct mcp_server_opts o = {.stateless = 1, .threads = 1};
	struct mcp_server *s2;
	struct mcp_session *s;
	struct capture c;
	struct sh_error e;
	cJSON *j;

	(void)state;
	o.rt = rt;
	assert_int_equal(mcp_server_new(&o, &s2, &e), SH_OK);
	cap_init(&c);
	assert_int_equal(mcp_session_new(s2, NULL, MCP_SESSION_STATELESS,
	                                 "2025-06-18", &s, &e),
	                 SH_OK);
	assert_string_equal(mcp_session_version(s), "2025-06-18");
	/* No initialize needed, and an initialize is answered anyway. */
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
	assert_non_null(result(j));
	cJSON_Delete(j);
	j = rpc(s, &c, init_msg);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(
	        cJSON_GetObjectItem(
	                cJSON_GetObjectItem(result(j), "capabilities"),
	                "tools"),
	        "listChanged")));
	cJSON_Delete(j);
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	        "\"params\":{\"name\":\"testing.noop.noop\"}}");
	assert_non_null(result(j));
	cJSON_Delete(j);
	mcp_session_close(s);
	cap_free(&c);
	mcp_server_free(s2);
}

static void test_drain(void **state)
{
	struct mcp_server_opts o = {.threads = 2};
	struct mcp_server *s2;
	struct mcp_session *s;
	struct mcp_reply r;
	struct capture c;
	struct sh_error e;
	const char *msg =
	        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	        "\"params\":{\"name\":\"testing.sleeper.sleep\",\"arguments\":"
	        "{\"ms\":20000}}}";
	int64_t t0 = ms_now();
	cJSON *j;

	(void)state;
	o.rt = rt;
	assert_int_equal(mcp_server_new(&o, &s2, &e), SH_OK);
	cap_init(&c);
	r = (struct mcp_reply){cap_send, &c};
	assert_int_equal(mcp_session_new(s2, NULL, 0, NULL, &s, &e), SH_OK);
	j = rpc(s, &c, init_msg);
	cJSON_Delete(j);
	assert_int_equal(mcp_session_receive(s, msg, strlen(msg), &r),
	                 MCP_RX_PENDING);
	assert_int_equal(mcp_server_calls(s2), 1);
	mcp_server_drain(s2, 200);
	assert_int_equal(mcp_server_calls(s2), 0);
	assert_true(ms_now() - t0 < 5000);
	/* Cancelled by the server: the client still gets its answer. */
	assert_int_equal(count_method(&c, "\"id\":1", "isError"), 1);
	/* New calls are refused while draining. */
	j = rpc(s, &c,
	        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	        "\"params\":{\"name\":\"testing.noop.noop\"}}");
	assert_int_equal(error_code(j), JSONRPC_SERVER_ERROR);
	cJSON_Delete(j);
	mcp_session_close(s);
	cap_free(&c);
	mcp_server_free(s2);
}

/* Many sessions calling at once from many threads. */
struct hammer {
	int calls;
	int ok;
};

static void *hammer_main(void *arg)
{
	struct hammer *hm = arg;
	struct capture c;
	struct mcp_session *s = ready(&c);

	for (int i = 0; i < hm->calls; i++) {
		char msg[256];
		cJSON *j;
		snprintf(msg, sizeof msg,
		         "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/"
		         "call\","
		         "\"params\":{\"name\":\"testing.noop.echo\","
		         "\"arguments\":{\"text\":\"n%d\"}}}",
		         i, i);
		j = rpc(s, &c, msg);
		if (result(j) && cJSON_GetObjectItem(j, "id")->valueint == i)
			hm->ok++;
		cJSON_Delete(j);
		cap_clear(&c);
	}
	mcp_session_close(s);
	cap_free(&c);
	return NULL;
}

static void test_concurrency(void **state)
{
	pthread_t th[8];
	struct hammer hm[8];

	(void)state;
	for (int i = 0; i < 8; i++) {
		hm[i] = (struct hammer){.calls = 300};
		pthread_create(&th[i], NULL, hammer_main, &hm[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(hm[i].ok, 300);
	}
}

/* Tools a session lists (one page of up to 1000): their count, and
 * whether one named name is among them. */
static int listed(struct mcp_session *s, struct capture *c, const char *name,
                  int *n)
{
	cJSON *j = rpc(s, c,
	               "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":"
	               "\"tools/list\"}");
	const cJSON *t;
	int has = 0;

	assert_non_null(result(j));
	*n = 0;
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(result(j), "tools"))
	{
		(*n)++;
		has |= !strcmp(cJSON_GetObjectItem(t, "name")->valuestring,
		               name);
	}
	cJSON_Delete(j);
	cap_clear(c);
	return has;
}

/* The hook the OAuth layer calls: a principal's claims pick its profile
 * from the server's mapping, else the server's default applies. */
static void test_principal_profiles(void **state)
{
	static const char *const sk[] = {"testing-noop", "testing-sleeper"};
	const char *scopes[] = {"sleepy"};
	char dir[] = "/tmp/skillhost-prof-XXXXXX", path[256];
	struct principal sleepy = {
	        .sub = "alice", .scopes = scopes, .n_scopes = 1};
	struct principal other = {.sub = "bob"};
	struct mcp_server_opts o = {.threads = 1, .page_size = 1000};
	struct profile_set *ps = NULL;
	struct mcp_server *s2;
	struct mcp_session *a, *b;
	struct runtime *r2;
	struct capture ca, cb;
	struct sh_error e;
	FILE *f;
	cJSON *j;
	int n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/%s", dir, PROFILE_FILE);
	assert_non_null(f = fopen(path, "w"));
	fputs("{\"profiles\":{\"sleep\":{\"tools\":[\"testing/sleeper.*\"]},"
	      "\"noop\":{\"tools\":[\"testing/noop.*\"]}},"
	      "\"claims\":[{\"scope\":\"sleepy\",\"profile\":\"sleep\"}]}",
	      f);
	fclose(f);
	assert_int_equal(profile_set_load(dir, &ps, &e), SH_OK);
	assert_non_null(r2 = open_rt(sk, 2));
	o.rt = r2;
	o.profiles = ps;
	o.profile = profile_get(ps, "noop");
	assert_int_equal(mcp_server_new(&o, &s2, &e), SH_OK);
	cap_init(&ca);
	cap_init(&cb);
	assert_int_equal(mcp_session_new(s2, NULL, 0, NULL, &a, &e), SH_OK);
	assert_int_equal(mcp_session_new(s2, NULL, 0, NULL, &b, &e), SH_OK);
	mcp_session_set_caller(a, &sleepy);
	mcp_session_set_caller(b, &other);
	assert_ptr_equal(mcp_session_profile(a), profile_get(ps, "sleep"));
	assert_ptr_equal(mcp_session_profile(b), profile_get(ps, "noop"));
	cJSON_Delete(rpc(a, &ca, init_msg));
	cJSON_Delete(rpc(b, &cb, init_msg));
	cap_clear(&ca);
	cap_clear(&cb);
	assert_true(listed(a, &ca, "sleep", &n));
	assert_int_equal(n, 1);
	assert_false(listed(b, &cb, "sleep", &n));
	assert_int_equal(n, 2); /* echo, noop */
	/* a cannot call noop: the unknown-tool error. */
	j = rpc(a, &ca,
	        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
	        "\"params\":{\"name\":\"noop\",\"arguments\":{}}}");
	assert_int_equal(error_code(j), JSONRPC_INVALID_PARAMS);
	assert_non_null(strstr(error_message(j), "unknown tool"));
	cJSON_Delete(j);
	mcp_session_close(a);
	mcp_session_close(b);
	cap_free(&ca);
	cap_free(&cb);
	mcp_server_free(s2);
	runtime_close(r2);
	profile_set_free(ps);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_versions),
	        cmocka_unit_test(test_lifecycle),
	        cmocka_unit_test(test_jsonrpc_errors),
	        cmocka_unit_test(test_pagination),
	        cmocka_unit_test(test_content_types),
	        cmocka_unit_test(test_progress),
	        cmocka_unit_test(test_logging),
	        cmocka_unit_test(test_cancel),
	        cmocka_unit_test(test_close_cancels),
	        cmocka_unit_test(test_portable_names),
	        cmocka_unit_test(test_compat_2024_and_page),
	        cmocka_unit_test(test_batches),
	        cmocka_unit_test(test_error_keeps_id),
	        cmocka_unit_test(test_stateless),
	        cmocka_unit_test(test_drain),
	        cmocka_unit_test(test_concurrency),
	        cmocka_unit_test(test_principal_profiles),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
