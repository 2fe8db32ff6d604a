/*
 * mcp_client_req.c - server-to-client request correlation. See
 * mcp_client_req.h.
 *
 * A short list per session (a few requests at most are ever waiting, one
 * per call that asks), guarded by one mutex, with one condition variable
 * on CLOCK_MONOTONIC that every delivery broadcasts: waiters check their
 * own entry.
 */
#include "mcp_client_req.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monotime.h"

struct mcp_creq {
	struct mcp_creq *next;
	char id[JSONRPC_ID_TEXT_MAX + 1];
	int answered;
	cJSON *result; /* when answered without an error */
	int code;
	char message[256];
};

struct mcp_creqs {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct mcp_creq *pending;
	size_t npending;
	unsigned long long next_id;
	int closed;
};

struct mcp_creqs *mcp_creqs_new(void)
{
	struct mcp_creqs *q = calloc(1, sizeof *q);

	if (!q)
		return NULL;
	pthread_mutex_init(&q->lock, NULL);
	sh_cond_init_monotonic(&q->cond);
	return q;
}

void mcp_creqs_free(struct mcp_creqs *q)
{
	if (!q)
		return;
	while (q->pending) {
		struct mcp_creq *r = q->pending;
		q->pending = r->next;
		cJSON_Delete(r->result);
		free(r);
	}
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

struct mcp_creq *mcp_creq_begin(struct mcp_creqs *q,
                                char id[JSONRPC_ID_TEXT_MAX + 1])
{
	struct mcp_creq *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	pthread_mutex_lock(&q->lock);
	if (q->closed || q->npending >= MCP_CREQ_MAX) {
		pthread_mutex_unlock(&q->lock);
		free(r);
		return NULL;
	}
	snprintf(r->id, sizeof r->id, "\"skillhost-%llu\"", ++q->next_id);
	r->next = q->pending;
	q->pending = r;
	q->npending++;
	memcpy(id, r->id, strlen(r->id) + 1);
	pthread_mutex_unlock(&q->lock);
	return r;
}

static void unlink_locked(struct mcp_creqs *q, struct mcp_creq *r)
{
	for (struct mcp_creq **p = &q->pending; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			q->npending--;
			return;
		}
}

enum mcp_creq_end mcp_creq_wait(struct mcp_creqs *q, struct mcp_creq *r,
                                int64_t deadline_ns, atomic_int *cancel,
                                cJSON **result, int *code, char *msg,
                                size_t cap)
{
	enum mcp_creq_end end;

	*result = NULL;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		int64_t now = sh_now_ns(), until;
		struct timespec ts;
		if (r->answered) {
			end = r->result ? MCP_CREQ_ANSWERED : MCP_CREQ_ERROR;
			break;
		}
		if (q->closed) {
			end = MCP_CREQ_CLOSED;
			break;
		}
		if (cancel && atomic_load(cancel)) {
			end = MCP_CREQ_CANCELLED;
			break;
		}
		if (deadline_ns && now >= deadline_ns) {
			end = MCP_CREQ_TIMEOUT;
			break;
		}
		until = now + (int64_t)MCP_CREQ_POLL_MS * 1000000;
		if (deadline_ns && until > deadline_ns)
			until = deadline_ns;
		ts = sh_timespec(until);
		pthread_cond_timedwait(&q->cond, &q->lock, &ts);
	}
	unlink_locked(q, r);
	pthread_mutex_unlock(&q->lock);
	if (end == MCP_CREQ_ANSWERED) {
		*result = r->result;
		r->result = NULL;
	} else if (end == MCP_CREQ_ERROR) {
		if (code)
			*code = r->code;
		if (msg && cap)
			snprintf(msg, cap, "%s", r->message);
	}
	cJSON_Delete(r->result);
	free(r);
	return end;
}

int mcp_creqs_deliver(struct mcp_creqs *q, struct jsonrpc_msg *m)
{
	struct mcp_creq *r;
	cJSON *res, *err;

	if (m->kind != JSONRPC_RESPONSE)
		return 0;
	pthread_mutex_lock(&q->lock);
	for (r = q->pending; r; r = r->next)
		if (!r->answered && !strcmp(r->id, m->id))
			break;
	if (!r) {
		pthread_mutex_unlock(&q->lock);
		return 0;
	}
	res = cJSON_GetObjectItemCaseSensitive(m->root, "result");
	err = cJSON_GetObjectItemCaseSensitive(m->root, "error");
	if (cJSON_IsObject(res)) {
		r->result = cJSON_DetachItemViaPointer(m->root, res);
	} else {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(err, "code");
		const cJSON *t =
		        cJSON_GetObjectItemCaseSensitive(err, "message");
		r->code = cJSON_IsNumber(c) ? c->valueint
		                            : JSONRPC_INTERNAL_ERROR;
		snprintf(r->message, sizeof r->message, "%s",
		         cJSON_IsString(t) ? t->valuestring
		         : res             ? "the result is not an object"
		                           : "no message");
	}
	r->answered = 1;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	return 1;
}

void mcp_creqs_close(struct mcp_creqs *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

size_t mcp_creqs_pending(struct mcp_creqs *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->npending;
	pthread_mutex_unlock(&q->lock);
	return n;
}

/* {"jsonrpc":"2.0","id":id,"method":method,"params":params}; params is
 * consumed. NULL when out of memory. */
static char *request_text(const char *id, const char *method, cJSON *params,
                          size_t *len)
{
	cJSON *m = cJSON_CreateObject(), *idv = cJSON_Parse(id);
	char *text = NULL;

	if (m && idv && cJSON_AddStringToObject(m, "jsonrpc", "2.0")) {
		cJSON_AddItemToObject(m, "id", idv);
		idv = NULL;
		if (cJSON_AddStringToObject(m, "method", method)) {
			cJSON_AddItemToObject(m, "params", params);
			params = NULL;
			text = cJSON_PrintUnformatted(m);
		}
	}
	cJSON_Delete(idv);
	cJSON_Delete(params);
	cJSON_Delete(m);
	if (text)
		*len = strlen(text);
	return text;
}

skill_status
mcp_creq_ask(struct mcp_creqs *q,
             void (*send)(void *ud, char *msg, size_t len, int final), void *ud,
             const char *method, cJSON *params, int64_t deadline_ns,
             atomic_int *cancel, cJSON **result, char *why, size_t cap)
{
	char id[JSONRPC_ID_TEXT_MAX + 1], msg[256] = "";
	struct mcp_creq *r = mcp_creq_begin(q, id);
	enum mcp_creq_end end;
	size_t len = 0;
	char *text;
	int code = 0;

	*result = NULL;
	if (!r) {
		cJSON_Delete(params);
		snprintf(why, cap,
		         "%s could not be sent: the session is closing or has "
		         "%d requests waiting",
		         method, MCP_CREQ_MAX);
		return SKILL_ERR_UNSUPPORTED;
	}
	text = request_text(id, method, params, &len);
	if (!text) {
		mcp_creq_wait(q, r, 1, NULL, result, NULL, NULL, 0);
		snprintf(why, cap, "out of memory");
		return SKILL_ERR_NOMEM;
	}
	send(ud, text, len, 0);
	end = mcp_creq_wait(q, r, deadline_ns, cancel, result, &code, msg,
	                    sizeof msg);
	if (end == MCP_CREQ_TIMEOUT || end == MCP_CREQ_CANCELLED) {
		cJSON *p = cJSON_CreateObject();
		cJSON *idv = cJSON_Parse(id);
		if (p && idv) {
			cJSON_AddItemToObject(p, "requestId", idv);
			idv = NULL;
			cJSON_AddStringToObject(p, "reason",
			                        end == MCP_CREQ_TIMEOUT
			                                ? "the tool call's "
			                                  "deadline passed"
			                                : "the tool call was "
			                                  "cancelled");
			text = jsonrpc_notification("notifications/cancelled",
			                            p, &len);
			p = NULL;
			if (text)
				send(ud, text, len, 0);
		}
		cJSON_Delete(idv);
		cJSON_Delete(p);
	}
	switch (end) {
	case MCP_CREQ_ANSWERED: return SKILL_OK;
	case MCP_CREQ_ERROR:
		snprintf(why, cap, "the client refused %s (error %d: %s)",
		         method, code, msg);
		return SKILL_ERR_DENIED;
	case MCP_CREQ_TIMEOUT:
		snprintf(why, cap,
		         "no answer to %s before the call's deadline; the user "
		         "may need more time (raise the skill's timeout)",
		         method);
		return SKILL_ERR_TIMEOUT;
	case MCP_CREQ_CLOSED:
		snprintf(why, cap,
		         "the session ended before the client answered %s",
		         method);
		return SKILL_ERR_CANCELLED;
	default:
		snprintf(why, cap,
		         "the call was cancelled while waiting for %s", method);
		return SKILL_ERR_CANCELLED;
	}
}
