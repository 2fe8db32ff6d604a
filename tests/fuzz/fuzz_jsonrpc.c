/*
 * fuzz_jsonrpc.c - libFuzzer target for the JSON-RPC framing and the MCP
 * message handler (jsonrpc.c, mcp_server.c).
 *
 * The input is one or more newline-separated messages, fed to a fresh
 * session (stateless when the input's length is odd, so tools/list and
 * tools/call are reachable without an initialize). When the build's test
 * skills are beside the fuzzer (../skills-out/lib), testing/everything and
 * testing/noop are loaded, so calls reach dispatch and the skills.
 *
 * Besides not crashing, every input checks these properties:
 *   - every message the server sends is one valid JSON object with
 *     "jsonrpc":"2.0" and no newline (it must fit one stdio line);
 *   - every message received gets exactly one final reply, and in time;
 *   - a response carries either "result" or "error", never both;
 *   - a message jsonrpc_parse accepts has a method unless it is a
 *     response, and its id text (when there is one) is valid JSON.
 */
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostlog.h"
#include "jsonrpc.h"
#include "mcp_server.h"
#include "runtime.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)
#define MAX_MESSAGES 16
#define REPLY_WAIT_S 20

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct runtime *rt;
static struct mcp_server *srv;

struct sink {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int finals;
};

static void check_message(const char *msg, size_t len)
{
	cJSON *j, *v;

	CHECK(strlen(msg) == len);
	CHECK(!memchr(msg, '\n', len));
	j = cJSON_ParseWithLength(msg, len);
	CHECK(cJSON_IsObject(j));
	v = cJSON_GetObjectItemCaseSensitive(j, "jsonrpc");
	CHECK(cJSON_IsString(v) && !strcmp(v->valuestring, "2.0"));
	if (!cJSON_HasObjectItem(j, "method"))
		CHECK(cJSON_HasObjectItem(j, "id") &&
		      cJSON_HasObjectItem(j, "result") !=
		              cJSON_HasObjectItem(j, "error"));
	cJSON_Delete(j);
}

static void on_send(void *ud, char *msg, size_t len, int final)
{
	struct sink *s = ud;

	if (msg)
		check_message(msg, len);
	free(msg);
	if (final) {
		pthread_mutex_lock(&s->lock);
		s->finals++;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
	}
}

static void load(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct sh_error e;

	snprintf(path, sizeof path, "%s/%s.so", dir, name);
	if (access(path, R_OK) == 0 && runtime_add_skill_file(rt, path, &e))
		fprintf(stderr, "fuzz_jsonrpc: %s\n", e.msg);
}

static void init_once(void)
{
	struct runtime_opts o = {.home = "/nonexistent-skillhost-fuzz",
	                         .no_store = 1};
	struct mcp_server_opts so = {.page_size = 3, .threads = 2};
	char self[PATH_MAX], dir[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	struct sh_error e;

	/* The skills' log lines would drown the fuzzer's output. */
	hostlog_set_level(SKILL_LOG_EMERGENCY + 1);
	CHECK(runtime_open(&o, &rt, &e) == SH_OK);
	if (n > 0) {
		char *slash;
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		snprintf(dir, sizeof dir, "%s/../skills-out/lib", self);
		load(dir, "testing-everything");
		load(dir, "testing-noop");
	}
	CHECK(runtime_seal(rt, &e) == SH_OK);
	so.rt = rt;
	CHECK(mcp_server_new(&so, &srv, &e) == SH_OK);
}

static void check_parse(const uint8_t *data, size_t size)
{
	struct jsonrpc_refusal why;
	struct jsonrpc_msg m;

	if (jsonrpc_parse((const char *)data, size, &m, &why) == SH_OK) {
		CHECK(m.root);
		CHECK(m.kind == JSONRPC_RESPONSE ? !m.method
		                                 : m.method != NULL);
		CHECK((m.kind == JSONRPC_NOTIFICATION) == !m.id[0]);
		if (m.id[0]) {
			cJSON *id = cJSON_Parse(m.id);
			CHECK(cJSON_IsString(id) || cJSON_IsNumber(id));
			cJSON_Delete(id);
		}
		jsonrpc_msg_free(&m);
	} else {
		CHECK(why.code <= -32600 && why.code >= -32700);
		CHECK(why.message[0]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sink s = {.finals = 0};
	struct mcp_reply r = {on_send, &s};
	struct mcp_session *session;
	struct sh_error e;
	struct timespec until;
	size_t start = 0;
	int sent = 0;

	pthread_once(&once, init_once);
	check_parse(data, size);
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	CHECK(mcp_session_new(srv, NULL, size & 1 ? MCP_SESSION_STATELESS : 0,
	                      "2025-06-18", &session, &e) == SH_OK);
	while (start <= size && sent < MAX_MESSAGES) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - data) : size;
		mcp_session_receive(session, (const char *)data + start,
		                    end - start, &r);
		sent++;
		start = end + 1;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += REPLY_WAIT_S;
	pthread_mutex_lock(&s.lock);
	while (s.finals < sent &&
	       pthread_cond_timedwait(&s.cond, &s.lock, &until) == 0)
		;
	/* Exactly one final reply per message, and none lost. */
	CHECK(s.finals == sent);
	pthread_mutex_unlock(&s.lock);
	mcp_session_close(session);
	pthread_mutex_destroy(&s.lock);
	pthread_cond_destroy(&s.cond);
	return 0;
}
