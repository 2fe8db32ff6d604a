/*
 * test_mcp_client_req.c - server-to-client request correlation
 * (mcp_client_req.c): unique ids, a response reaches exactly the request
 * it names (once), errors, the deadline, cancellation, session close, the
 * cap on pending requests, and mcp_creq_ask's messages to the client
 * (the request, then notifications/cancelled when it gives up).
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

#include "jsonrpc.h"
#include "mcp_client_req.h"
#include "monotime.h"

static void parse(const char *text, struct jsonrpc_msg *m)
{
	struct jsonrpc_refusal why;

	assert_int_equal(jsonrpc_parse(text, strlen(text), m, &why), SH_OK);
}

/* Deliver {"id":id, body} and say whether it matched. */
static int deliver(struct mcp_creqs *q, const char *id, const char *body)
{
	char text[512];
	struct jsonrpc_msg m;
	int hit;

	snprintf(text, sizeof text, "{\"jsonrpc\":\"2.0\",\"id\":%s,%s}", id,
	         body);
	parse(text, &m);
	hit = mcp_creqs_deliver(q, &m);
	jsonrpc_msg_free(&m);
	return hit;
}

static void test_match_once(void **state)
{
	struct mcp_creqs *q = mcp_creqs_new();
	char a[JSONRPC_ID_TEXT_MAX + 1], b[JSONRPC_ID_TEXT_MAX + 1];
	struct mcp_creq *ra = mcp_creq_begin(q, a), *rb = mcp_creq_begin(q, b);
	cJSON *result = NULL;
	char msg[64];
	int code = 0;

	(void)state;
	assert_non_null(ra);
	assert_non_null(rb);
	assert_string_not_equal(a, b);
	assert_true(a[0] == '"'); /* string ids, never the client's ints */
	assert_int_equal(mcp_creqs_pending(q), 2);
	/* Ids nobody asked with, and the client's own integer ids. */
	assert_int_equal(deliver(q, "\"skillhost-99\"", "\"result\":{}"), 0);
	assert_int_equal(deliver(q, "1", "\"result\":{}"), 0);
	assert_int_equal(deliver(q, b, "\"result\":{\"action\":\"decline\"}"),
	                 1);
	/* Answered already: a repeat is ignored. */
	assert_int_equal(deliver(q, b, "\"result\":{\"action\":\"accept\"}"),
	                 0);
	assert_int_equal(deliver(q, a,
	                         "\"error\":{\"code\":-1,\"message\":\"user "
	                         "rejected\"}"),
	                 1);
	assert_int_equal(
	        mcp_creq_wait(q, rb, 0, NULL, &result, &code, msg, sizeof msg),
	        MCP_CREQ_ANSWERED);
	assert_string_equal(cJSON_GetObjectItem(result, "action")->valuestring,
	                    "decline");
	cJSON_Delete(result);
	assert_int_equal(
	        mcp_creq_wait(q, ra, 0, NULL, &result, &code, msg, sizeof msg),
	        MCP_CREQ_ERROR);
	assert_null(result);
	assert_int_equal(code, -1);
	assert_string_equal(msg, "user rejected");
	assert_int_equal(mcp_creqs_pending(q), 0);
	/* Forgotten once waited for: a late answer matches nothing. */
	assert_int_equal(deliver(q, a, "\"result\":{}"), 0);
	mcp_creqs_free(q);
}

static void test_deadline(void **state)
{
	struct mcp_creqs *q = mcp_creqs_new();
	char id[JSONRPC_ID_TEXT_MAX + 1];
	struct mcp_creq *r = mcp_creq_begin(q, id);
	cJSON *result = NULL;
	int64_t t0 = sh_now_ns(), took;

	(void)state;
	assert_int_equal(mcp_creq_wait(q, r, t0 + 120 * 1000000LL, NULL,
	                               &result, NULL, NULL, 0),
	                 MCP_CREQ_TIMEOUT);
	took = (sh_now_ns() - t0) / 1000000;
	assert_true(took >= 115 && took < 1000);
	assert_int_equal(mcp_creqs_pending(q), 0);
	mcp_creqs_free(q);
}

struct later {
	struct mcp_creqs *q;
	atomic_int *cancel;
	char id[JSONRPC_ID_TEXT_MAX + 1];
	int close;
};

static void *act_later(void *arg)
{
	struct later *l = arg;
	struct timespec ts = {0, 100 * 1000000L};

	nanosleep(&ts, NULL);
	if (l->cancel)
		atomic_store(l->cancel, 1);
	else if (l->close)
		mcp_creqs_close(l->q);
	else
		deliver(l->q, l->id, "\"result\":{\"ok\":true}");
	return NULL;
}

static void test_wakeups(void **state)
{
	struct mcp_creqs *q = mcp_creqs_new();
	atomic_int cancel = 0;
	struct later l = {.q = q};
	struct mcp_creq *r;
	cJSON *result = NULL;
	pthread_t t;
	int64_t t0;

	(void)state;
	/* An answer from another thread ends the wait at once. */
	r = mcp_creq_begin(q, l.id);
	t0 = sh_now_ns();
	pthread_create(&t, NULL, act_later, &l);
	assert_int_equal(mcp_creq_wait(q, r, t0 + 5000000000LL, &cancel,
	                               &result, NULL, NULL, 0),
	                 MCP_CREQ_ANSWERED);
	pthread_join(t, NULL);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(result, "ok")));
	assert_true(sh_now_ns() - t0 < 2000000000LL);
	cJSON_Delete(result);
	/* The call's cancel flag. */
	r = mcp_creq_begin(q, l.id);
	l.cancel = &cancel;
	pthread_create(&t, NULL, act_later, &l);
	assert_int_equal(
	        mcp_creq_wait(q, r, 0, &cancel, &result, NULL, NULL, 0),
	        MCP_CREQ_CANCELLED);
	pthread_join(t, NULL);
	/* The session closing; then nothing new may start. */
	r = mcp_creq_begin(q, l.id);
	l.cancel = NULL;
	l.close = 1;
	pthread_create(&t, NULL, act_later, &l);
	assert_int_equal(mcp_creq_wait(q, r, 0, NULL, &result, NULL, NULL, 0),
	                 MCP_CREQ_CLOSED);
	pthread_join(t, NULL);
	assert_null(mcp_creq_begin(q, l.id));
	mcp_creqs_free(q);
}

static void test_cap(void **state)
{
	struct mcp_creqs *q = mcp_creqs_new();
	char id[JSONRPC_ID_TEXT_MAX + 1];
	struct mcp_creq *r[MCP_CREQ_MAX];
	cJSON *result;

	(void)state;
	for (int i = 0; i < MCP_CREQ_MAX; i++)
		assert_non_null(r[i] = mcp_creq_begin(q, id));
	assert_null(mcp_creq_begin(q, id));
	assert_int_equal(
	        mcp_creq_wait(q, r[0], 1, NULL, &result, NULL, NULL, 0),
	        MCP_CREQ_TIMEOUT);
	assert_non_null(mcp_creq_begin(q, id)); /* room again */
	mcp_creqs_free(q);                      /* frees the pending ones */
}

struct sent {
	char *msgs[4];
	int n;
};

static void capture(void *ud, char *msg, size_t len, int final)
{
	struct sent *s = ud;

	(void)len;
	assert_int_equal(final, 0);
	assert_true(s->n < 4);
	s->msgs[s->n++] = msg;
}

static void test_ask_gives_up(void **state)
{
	struct mcp_creqs *q = mcp_creqs_new();
	struct sent s = {0};
	cJSON *params = cJSON_Parse("{\"message\":\"hi\"}"), *result = NULL;
	char why[200];
	skill_status st;

	(void)state;
	st = mcp_creq_ask(q, capture, &s, "elicitation/create", params,
	                  sh_now_ns() + 60 * 1000000LL, NULL, &result, why,
	                  sizeof why);
	assert_int_equal(st, SKILL_ERR_TIMEOUT);
	assert_non_null(strstr(why, "deadline"));
	assert_int_equal(s.n, 2);
	assert_string_equal(s.msgs[0],
	                    "{\"jsonrpc\":\"2.0\",\"id\":\"skillhost-1\","
	                    "\"method\":\"elicitation/create\",\"params\":{"
	                    "\"message\":\"hi\"}}");
	assert_non_null(strstr(s.msgs[1], "\"method\":\"notifications/"
	                                  "cancelled\""));
	assert_non_null(strstr(s.msgs[1], "\"requestId\":\"skillhost-1\""));
	for (int i = 0; i < s.n; i++)
		free(s.msgs[i]);
	mcp_creqs_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_match_once),
	        cmocka_unit_test(test_deadline),
	        cmocka_unit_test(test_wakeups),
	        cmocka_unit_test(test_cap),
	        cmocka_unit_test(test_ask_gives_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
