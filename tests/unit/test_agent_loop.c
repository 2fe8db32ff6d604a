/*
 * test_agent_loop.c - the agent loop through its library API (agent.h),
 * against a scripted OpenAI-shaped server in this process: parallel calls
 * and their results, continuing a conversation, the step limit (the last
 * turn's tools are not run), unknown tools and arguments that are not
 * JSON going back as tool errors, cancellation, every backend failing,
 * and the report.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <microhttpd.h>

#include "agent.h"

#define SCRIPT_MAX 8
#define BODY_MAX   (1024 * 1024)

static struct MHD_Daemon *daemon_;
static char base_url[128];
static struct runtime *rt;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *script[SCRIPT_MAX];
static int nscript, served;
static char last_body[BODY_MAX];

struct upload {
	size_t len;
	char *buf;
};

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *data,
                              size_t *size, void **state)
{
	struct upload *u = *state;
	struct MHD_Response *r;
	enum MHD_Result rc;
	const char *reply;
	int status = MHD_HTTP_OK;

	(void)cls, (void)url, (void)method, (void)version;
	if (!u) {
		*state = u = calloc(1, sizeof *u);
		u->buf = malloc(BODY_MAX);
		return MHD_YES;
	}
	if (*size) {
		size_t n = *size < BODY_MAX - 1 - u->len
		                   ? *size
		                   : BODY_MAX - 1 - u->len;
		memcpy(u->buf + u->len, data, n);
		u->len += n;
		*size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&lock);
	u->buf[u->len] = '\0';
	memcpy(last_body, u->buf, u->len + 1);
	if (served < nscript) {
		reply = script[served++];
	} else {
		reply = "{\"error\":{\"message\":\"beyond the script\"}}";
		status = MHD_HTTP_BAD_REQUEST;
	}
	pthread_mutex_unlock(&lock);
	r = MHD_create_response_from_buffer(strlen(reply), (void *)reply,
	                                    MHD_RESPMEM_PERSISTENT);
	rc = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	free(u->buf);
	free(u);
	*state = NULL;
	return rc;
}

static void play(const char *const *turns, int n)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < n; i++)
		script[i] = turns[i];
	nscript = n;
	served = 0;
	last_body[0] = '\0';
	pthread_mutex_unlock(&lock);
}

static int setup(void **state)
{
	struct runtime_opts o = {.home = "/nonexistent-skillhost-home"};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct sh_error e;
	char path[1024];

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL,
	                           NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
	                           &sa, MHD_OPTION_END);
	if (!daemon_)
		return -1;
	snprintf(base_url, sizeof base_url, "http://127.0.0.1:%d/v1",
	         MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port);
	snprintf(path, sizeof path, "%s/lib/hello.so", SKILLS_OUT);
	if (runtime_open(&o, &rt, &e) || runtime_add_skill_file(rt, path, &e) ||
	    runtime_seal(rt, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	runtime_close(rt);
	MHD_stop_daemon(daemon_);
	return 0;
}

#define CALL(id, args)                                                         \
	"{\"id\":\"" id "\",\"type\":\"function\",\"function\":{\"name\":"     \
	"\"example__hello__greet\",\"arguments\":\"" args "\"}}"
#define CALLS(...)                                                             \
	"{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null," \
	"\"tool_calls\":[" __VA_ARGS__                                         \
	"]},\"finish_reason\":\"tool_calls\"}],"                               \
	"\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2}}"
#define ANSWER(text)                                                           \
	"{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":"      \
	"\"" text                                                              \
	"\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":"       \
	"20,\"completion_tokens\":4}}"

static struct agent *new_agent(int max_steps, atomic_int *cancel)
{
	static struct backend_config be;
	struct agent_opts o = {.backends = &be,
	                       .nbackends = 1,
	                       .max_steps = max_steps,
	                       .cancel = cancel};
	struct agent *a;
	struct sh_error e;

	be = (struct backend_config){.name = "openai",
	                             .model = "m",
	                             .base_url = base_url,
	                             .api_key = "sk-x"};
	if (agent_new(rt, &o, &a, &e) != SH_OK)
		fail_msg("%s", e.msg);
	return a;
}

static const char *result_text(const struct tr_result *r)
{
	const cJSON *c = cJSON_GetArrayItem(
	        cJSON_GetObjectItemCaseSensitive(r->result, "content"), 0);

	return cJSON_GetObjectItemCaseSensitive(c, "text")->valuestring;
}

static void test_parallel_and_continue(void **state)
{
	static const char *const turns[] = {
	        CALLS(CALL("c1", "{\\\"name\\\":\\\"Ada\\\"}") "," CALL(
	                "c2", "{\\\"name\\\":\\\"Bo\\\"}")),
	        ANSWER("first answer"), ANSWER("second answer")};
	struct agent *a = new_agent(0, NULL);
	const struct transcript *t;
	struct sh_error e;
	cJSON *rep;
	(void)state;

	play(turns, 3);
	assert_int_equal(agent_run(a, "greet both", &e), SH_OK);
	assert_string_equal(agent_answer(a), "first answer");
	assert_int_equal(agent_stop_reason(a), AGENT_ANSWERED);
	t = agent_transcript(a);
	assert_int_equal(t->nmsgs, 4);
	assert_int_equal(t->msgs[2].role, TR_TOOL);
	assert_int_equal(t->msgs[2].nresults, 2);
	/* results in call order, ids matched, whatever thread ran them */
	assert_string_equal(t->msgs[2].results[0].call_id, "c1");
	assert_string_equal(result_text(&t->msgs[2].results[0]), "Hello, Ada!");
	assert_string_equal(t->msgs[2].results[1].call_id, "c2");
	assert_string_equal(result_text(&t->msgs[2].results[1]), "Hello, Bo!");
	assert_string_equal(t->msgs[2].results[1].tool, "example/hello.greet");
	/* the request sent the results back with their ids */
	assert_non_null(strstr(last_body, "\"tool_call_id\":\"c2\""));

	assert_int_equal(agent_run(a, "and again", &e), SH_OK);
	assert_string_equal(agent_answer(a), "second answer");
	assert_non_null(strstr(last_body, "first answer"));
	assert_non_null(strstr(last_body, "and again"));
	assert_int_equal(agent_steps(a), 3);

	rep = agent_report(a);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "usage"),
	                                     "input_tokens")
	                         ->valueint,
	                 50);
	assert_string_equal(cJSON_GetObjectItem(rep, "status")->valuestring,
	                    "answered");
	cJSON_Delete(rep);
	agent_free(a);
}

static void test_max_steps(void **state)
{
	static const char *const turns[] = {
	        CALLS(CALL("c1", "{\\\"name\\\":\\\"A\\\"}")),
	        CALLS(CALL("c2", "{\\\"name\\\":\\\"B\\\"}"))};
	struct agent *a = new_agent(2, NULL);
	struct sh_error e;
	(void)state;

	play(turns, 2);
	assert_int_equal(agent_run(a, "loop", &e), SH_ERR_FAIL);
	assert_non_null(strstr(e.msg, "no final answer after 2 steps"));
	assert_non_null(strstr(e.msg, "example__hello__greet"));
	assert_int_equal(agent_stop_reason(a), AGENT_MAX_STEPS);
	assert_null(agent_answer(a));
	/* user, calls, results, calls: the last calls were not run */
	assert_int_equal(agent_transcript(a)->nmsgs, 4);
	agent_free(a);
}

static void test_tool_errors(void **state)
{
	static const char *const turns[] = {
	        CALLS("{\"id\":\"u1\",\"type\":\"function\","
	              "\"function\":{\"name\":"
	              "\"no_such\",\"arguments\":\"{}\"}}"
	              "," CALL("u2", "{bad") "," CALL(
	                      "u3", "{\\\"name\\\":7}") "," CALL("u4", "")),
	        ANSWER("fixed")};
	struct agent *a = new_agent(0, NULL);
	const struct tr_msg *m;
	struct sh_error e;
	(void)state;

	play(turns, 2);
	assert_int_equal(agent_run(a, "try", &e), SH_OK);
	m = &agent_transcript(a)->msgs[2];
	assert_true(m->results[0].is_error);
	assert_non_null(strstr(result_text(&m->results[0]),
	                       "There is no tool named \"no_such\""));
	assert_null(m->results[0].tool);
	assert_true(m->results[1].is_error);
	assert_non_null(strstr(result_text(&m->results[1]), "not valid JSON"));
	/* schema violations come from dispatch, before the skill runs */
	assert_true(m->results[2].is_error);
	assert_non_null(
	        strstr(result_text(&m->results[2]), "Invalid arguments"));
	/* "" means no arguments: greet then lacks its required name */
	assert_true(m->results[3].is_error);
	assert_non_null(strstr(result_text(&m->results[3]), "name"));
	assert_non_null(strstr(last_body, "Error: There is no tool named"));
	agent_free(a);
}

static void test_cancel(void **state)
{
	static const char *const turns[] = {ANSWER("never")};
	atomic_int cancel = 1;
	struct agent *a = new_agent(0, &cancel);
	struct sh_error e;
	(void)state;

	play(turns, 1);
	assert_int_equal(agent_run(a, "stop", &e), SH_ERR_CANCELLED);
	assert_int_equal(agent_stop_reason(a), AGENT_CANCELLED);
	assert_int_equal(served, 0);
	agent_free(a);
}

static void test_every_backend_fails(void **state)
{
	struct backend_config be[2] = {{.name = "openai",
	                                .model = "m",
	                                .api_key = "k",
	                                .base_url = "http://127.0.0.1:1/v1"},
	                               {.name = "ollama",
	                                .model = "m",
	                                .base_url = "http://127.0.0.1:1"}};
	struct agent_opts o = {
	        .backends = be, .nbackends = 2, .http = {.max_retries = -1}};
	struct agent *a;
	struct sh_error e;
	cJSON *rep;
	(void)state;

	assert_int_equal(agent_new(rt, &o, &a, &e), SH_OK);
	assert_int_equal(agent_run(a, "hello", &e), SH_ERR_IO);
	assert_non_null(strstr(e.msg, "every backend failed"));
	assert_non_null(strstr(e.msg, "ollama"));
	assert_int_equal(agent_stop_reason(a), AGENT_FAILED);
	rep = agent_report(a);
	assert_int_equal(
	        cJSON_GetArraySize(cJSON_GetObjectItem(rep, "failures")), 2);
	cJSON_Delete(rep);
	agent_free(a);

	o.nbackends = 0;
	assert_int_equal(agent_new(rt, &o, &a, &e), SH_ERR_USAGE);
	o.nbackends = 1;
	o.max_steps = -1;
	assert_int_equal(agent_new(rt, &o, &a, &e), SH_ERR_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parallel_and_continue),
	        cmocka_unit_test(test_max_steps),
	        cmocka_unit_test(test_tool_errors),
	        cmocka_unit_test(test_cancel),
	        cmocka_unit_test(test_every_backend_fails),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
