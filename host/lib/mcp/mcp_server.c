/*
 * mcp_server.c - MCP sessions over any transport. See mcp_server.h.
 */
#include "mcp_server.h"

#include "audit.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "call.h"
#include "catalog.h"
#include "config.h"
#include "confirm.h"
#include "dispatch.h"
#include "hostlog.h"
#include "mcp_prompts.h"
#include "mcp_resources.h"
#include "mcp_client_req.h"
#include "mcp_pool.h"
#include "mcp_skills.h"
#include "mcp_toolsearch.h"
#include "metrics.h"
#include "profile.h"
#include "ratelimit.h"
#include "runtime.h"
#include "strhash.h"
#include "toolfmt.h"

/* The version a client that never said one speaks (the HTTP header's
 * documented default). */
#define MCP_VERSION_FALLBACK "2025-03-26"
/* A cursor is base64url of a canonical name; this bounds what we decode. */
#define MCP_CURSOR_MAX (((NAMES_CANONICAL_MAX + 2) / 3) * 4 + 4)
/* How long a drain waits for cancelled calls after its deadline: a skill
 * that ignores cancellation must not keep the process up forever. */
#define MCP_CANCEL_GRACE_MS 5000
/* Room for short messages built here. */
#define MCP_MSG_MAX 1536

/* 2024-11-05 is still what some clients (older SDKs, IDE plugins) speak:
 * answering it rather than counter-offering keeps them connected, and
 * nothing this server sends is outside that revision but for fields an
 * older client ignores. */
static const char *const versions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                       "2024-11-05"};

/* Why a call was cancelled; the first reason wins. */
enum cancel_reason {
	CANCEL_NONE,
	CANCEL_CLIENT, /* notifications/cancelled: send no response */
	CANCEL_CLOSED, /* the session closed: nobody to answer */
	CANCEL_SERVER  /* the server is draining: answer what we have */
};

struct mcp_job {
	struct mcp_pool_job pj;          /* the pool's queue */
	struct mcp_job *prev_s, *next_s; /* session's calls in flight */
	struct mcp_session *s;           /* holds a reference */
	struct jsonrpc_msg msg;          /* owned */
	struct mcp_reply reply;
	const char *tool_name;   /* in msg */
	const cJSON *args;       /* in msg; NULL for {} */
	const cJSON *token;      /* progressToken in msg, or NULL */
	const struct tool *tool; /* while it runs, for attribution */
	atomic_int cancel;       /* the call's cancel flag */
	atomic_int reason;       /* enum cancel_reason */
	skill_log_level log_min;
	/* resources/list, resources/read or completion/complete, which may
	 * call a skill
	 * (mcp_resources.h) and so run here rather than on the transport's
	 * thread; tool_name and args are unused. */
	int feature;
	atomic_int chatty;  /* it sent the client something before its end */
	atomic_uint *quick; /* tools/call: its tool's streak (quick_slot) */
};

/* A tool may run on the transport's thread (mcp_reply.may_block) once its
 * last MCP_INLINE_STREAK calls each took under MCP_INLINE_QUICK_NS and
 * sent nothing before their response. A call that breaks the streak ran
 * there anyway; its notifications reach the client with its response
 * rather than as they happen, and it is not primed for resumption (see
 * mcp_http.c), which is why only quick, quiet tools qualify. Streaks are
 * kept per hash slot of the tool's name: two names that share a slot
 * share a streak, which only costs the quick one its fast path. */
#define MCP_INLINE_STREAK   8
#define MCP_INLINE_QUICK_NS 1000000
#define MCP_INLINE_SLOTS    256

struct mcp_server {
	struct runtime *rt;
	size_t page_size;
	int canonical_names;
	int stateless;
	int64_t call_timeout_ms;
	char *instructions;

	struct mcp_pool *pool; /* the call workers (mcp_pool.h) */

	pthread_mutex_t slock; /* guards the session list */
	struct mcp_session *sessions;
	struct mcp_skills *skills; /* installed Agent Skills (mcp_skills.h) */
	struct mcp_toolsearch *ts; /* deferred listing, or NULL */
	const struct profile_set *profiles;  /* claim mapping, or NULL */
	const struct profile *profile;       /* default profile, or NULL */
	struct ratelimit *limits;            /* or NULL */
	atomic_uint quick[MCP_INLINE_SLOTS]; /* streaks (MCP_INLINE_STREAK) */
};

struct mcp_session {
	struct mcp_server *srv;
	atomic_int refs;
	pthread_mutex_t lock;            /* guards the fields below */
	struct mcp_session *prev, *next; /* in srv->sessions, under slock */
	int initialized;
	int closed;
	char version[16];
	atomic_int log_min;
	struct mcp_notify notify;
	struct mcp_job *calls; /* in flight */
	/* Who is calling, for the audit log: set before any call runs. */
	char label[MCP_SESSION_LABEL_MAX]; /* e.g. the start of the HTTP id */
	char client[MCP_CLIENT_NAME_MAX];  /* clientInfo.name */
	struct mcp_artifacts *arts;        /* what its calls made (own lock) */
	/* What the client declared it answers (initialize), and its
	 * pending server-to-client requests: set at initialize, when it
	 * declared either; NULL otherwise. */
	int can_elicit, can_sample;
	struct mcp_creqs *creqs;
	struct mcp_ts_found found; /* tools search_tools found */
	/* Set before the first message (mcp_session_set_principal), then
	 * only read. */
	const struct profile *profile;
	char principal[MCP_PRINCIPAL_MAX + 1]; /* "" for anonymous */
	struct mcp_principal oauth;            /* the token's, when has_oauth */
	int has_oauth;
};

int mcp_version_supported(const char *v)
{
	for (size_t i = 0; v && i < sizeof versions / sizeof *versions; i++)
		if (!strcmp(v, versions[i]))
			return 1;
	return 0;
}

/* --- replies --- */

static void reply_none(const struct mcp_reply *r)
{
	r->send(r->ud, NULL, 0, 1);
}

static void reply_result(const struct mcp_reply *r, const char *id,
                         cJSON *result)
{
	size_t len = 0;
	char *msg = jsonrpc_result(id, result, &len);

	if (!msg)
		msg = jsonrpc_error(id, JSONRPC_INTERNAL_ERROR,
		                    "Internal error: out of memory", NULL,
		                    &len);
	r->send(r->ud, msg, msg ? len : 0, 1);
}

static void reply_error(const struct mcp_reply *r, const char *id, int code,
                        const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void reply_error(const struct mcp_reply *r, const char *id, int code,
                        const char *fmt, ...)
{
	char text[MCP_MSG_MAX];
	size_t len = 0;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	msg = jsonrpc_error(id, code, text, NULL, &len);
	r->send(r->ud, msg, msg ? len : 0, 1);
}

/* --- sessions --- */

void mcp_session_set_label(struct mcp_session *s, const char *label)
{
	pthread_mutex_lock(&s->lock);
	snprintf(s->label, sizeof s->label, "%s", label ? label : "");
	pthread_mutex_unlock(&s->lock);
}

/* Scopes of one token the profile mapping looks at. */
#define MCP_PRINCIPAL_SCOPES_MAX 32

void mcp_session_set_principal(struct mcp_session *s,
                               const struct mcp_principal *p)
{
	/* The profile mapping matches single scopes; the token carries them
	 * space-separated. */
	char scope[sizeof p->scope], *save = NULL;
	const char *scopes[MCP_PRINCIPAL_SCOPES_MAX];
	struct principal who = {
	        .sub = p->sub, .client_id = p->client_id, .scopes = scopes};

	pthread_mutex_lock(&s->lock);
	s->oauth = *p;
	s->has_oauth = 1;
	pthread_mutex_unlock(&s->lock);
	memcpy(scope, p->scope, sizeof scope);
	scope[sizeof scope - 1] = '\0';
	for (char *t = strtok_r(scope, " ", &save);
	     t && who.n_scopes < MCP_PRINCIPAL_SCOPES_MAX;
	     t = strtok_r(NULL, " ", &save))
		scopes[who.n_scopes++] = t;
	mcp_session_set_caller(s, &who);
}

int mcp_session_principal(struct mcp_session *s, struct mcp_principal *out)
{
	int has;

	pthread_mutex_lock(&s->lock);
	has = s->has_oauth;
	if (has)
		*out = s->oauth;
	pthread_mutex_unlock(&s->lock);
	return has;
}

void mcp_session_set_caller(struct mcp_session *s, const struct principal *who)
{
	const struct profile *p =
	        who ? profile_for_principal(s->srv->profiles, who) : NULL;
	const char *key = who && who->sub && who->sub[0] ? who->sub
	                  : who && who->client_id        ? who->client_id
	                                                 : "";

	pthread_mutex_lock(&s->lock);
	s->profile = p ? p : s->srv->profile;
	snprintf(s->principal, sizeof s->principal, "%s", key);
	pthread_mutex_unlock(&s->lock);
}

const struct profile *mcp_session_profile(struct mcp_session *s)
{
	const struct profile *p;

	pthread_mutex_lock(&s->lock);
	p = s->profile;
	pthread_mutex_unlock(&s->lock);
	return p;
}

int mcp_session_has_artifact(struct mcp_session *s, const char *id)
{
	return s && mcp_artifacts_has(s->arts, id);
}

void mcp_session_ref(struct mcp_session *s)
{
	atomic_fetch_add(&s->refs, 1);
}

void mcp_session_unref(struct mcp_session *s)
{
	if (atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	mcp_creqs_free(s->creqs);
	pthread_mutex_destroy(&s->lock);
	mcp_artifacts_free(s->arts);
	mcp_ts_found_free(&s->found);
	free(s);
}

sh_status mcp_session_new(struct mcp_server *srv,
                          const struct mcp_notify *notify, int flags,
                          const char *version, struct mcp_session **out,
                          struct sh_error *e)
{
	struct mcp_session *s = calloc(1, sizeof *s);

	*out = NULL;
	if (!s)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	s->srv = srv;
	s->profile = srv->profile;
	if (!(s->arts = mcp_artifacts_new())) {
		free(s);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	atomic_init(&s->refs, 1);
	atomic_init(&s->log_min, SKILL_LOG_INFO);
	pthread_mutex_init(&s->lock, NULL);
	if (notify)
		s->notify = *notify;
	if (flags & MCP_SESSION_STATELESS) {
		s->initialized = 1;
		snprintf(s->version, sizeof s->version, "%s",
		         mcp_version_supported(version) ? version
		                                        : MCP_VERSION_FALLBACK);
	}
	pthread_mutex_lock(&srv->slock);
	s->next = srv->sessions;
	if (s->next)
		s->next->prev = s;
	srv->sessions = s;
	pthread_mutex_unlock(&srv->slock);
	*out = s;
	return SH_OK;
}

int mcp_session_initialized(struct mcp_session *s)
{
	int v;

	pthread_mutex_lock(&s->lock);
	v = s->initialized;
	pthread_mutex_unlock(&s->lock);
	return v;
}

const char *mcp_session_version(struct mcp_session *s)
{
	return s->version[0] ? s->version : MCP_VERSION_FALLBACK;
}

/* Cancel every call of s for reason. Caller holds s->lock. */
static void cancel_calls_locked(struct mcp_session *s, enum cancel_reason why)
{
	for (struct mcp_job *j = s->calls; j; j = j->next_s) {
		int none = CANCEL_NONE;
		atomic_compare_exchange_strong(&j->reason, &none, (int)why);
		atomic_store(&j->cancel, 1);
	}
}

void mcp_session_cancel_reply(struct mcp_session *s, const void *reply_ud)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	for (struct mcp_job *j = s->calls; j; j = j->next_s) {
		int none = CANCEL_NONE;
		if (j->reply.ud != reply_ud)
			continue;
		atomic_compare_exchange_strong(&j->reason, &none,
		                               CANCEL_CLOSED);
		atomic_store(&j->cancel, 1);
	}
	pthread_mutex_unlock(&s->lock);
}

void mcp_session_close(struct mcp_session *s)
{
	struct mcp_server *srv;

	if (!s)
		return;
	srv = s->srv;
	pthread_mutex_lock(&srv->slock);
	if (s->prev)
		s->prev->next = s->next;
	else if (srv->sessions == s)
		srv->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	pthread_mutex_unlock(&srv->slock);

	pthread_mutex_lock(&s->lock);
	s->closed = 1;
	memset(&s->notify, 0, sizeof s->notify);
	cancel_calls_locked(s, CANCEL_CLOSED);
	if (s->creqs)
		mcp_creqs_close(s->creqs);
	pthread_mutex_unlock(&s->lock);
	mcp_session_unref(s);
}

/* --- the worker pool --- */

static void job_free(struct mcp_job *j)
{
	jsonrpc_msg_free(&j->msg);
	mcp_session_unref(j->s);
	free(j);
}

/* Name the skill and tool behind a notification in its _meta, so a
 * client can tell whose words a progress or log message is (a skill could
 * otherwise pose as another, or as the host). Clients ignore _meta keys
 * they do not know; the prefix follows the 2025-11-25 key format. */
static const char *public_name(const struct mcp_server *srv,
                               const struct tool *t);

static int add_origin(cJSON *params, const struct mcp_job *j)
{
	cJSON *meta;

	if (!j->tool)
		return 1;
	meta = cJSON_AddObjectToObject(params, "_meta");
	return meta &&
	       cJSON_AddStringToObject(meta, MCP_META_SKILL,
	                               j->tool->skill->desc->name) &&
	       cJSON_AddStringToObject(meta, MCP_META_TOOL,
	                               public_name(j->s->srv, j->tool));
}

static void on_progress(void *ud, double progress, double total,
                        const char *message)
{
	struct mcp_job *j = ud;
	cJSON *p = cJSON_CreateObject();
	cJSON *tok = cJSON_Duplicate(j->token, 1);
	size_t len;
	char *msg;

	if (!p || !tok) {
		cJSON_Delete(p);
		cJSON_Delete(tok);
		return;
	}
	cJSON_AddItemToObject(p, "progressToken", tok);
	if (!cJSON_AddNumberToObject(p, "progress", progress) ||
	    (total > 0 && !cJSON_AddNumberToObject(p, "total", total)) ||
	    (message && !cJSON_AddStringToObject(p, "message", message)) ||
	    !add_origin(p, j)) {
		cJSON_Delete(p);
		return;
	}
	msg = jsonrpc_notification("notifications/progress", p, &len);
	atomic_store(&j->chatty, 1);
	if (msg)
		j->reply.send(j->reply.ud, msg, len, 0);
}

static void on_log(void *ud, skill_log_level level, const char *logger,
                   const char *message)
{
	struct mcp_job *j = ud;
	cJSON *p = cJSON_CreateObject();
	size_t len;
	char *msg;

	if (!p ||
	    !cJSON_AddStringToObject(p, "level", hostlog_level_name(level)) ||
	    (logger && !cJSON_AddStringToObject(p, "logger", logger)) ||
	    !cJSON_AddStringToObject(p, "data", message) || !add_origin(p, j)) {
		cJSON_Delete(p);
		return;
	}
	msg = jsonrpc_notification("notifications/message", p, &len);
	atomic_store(&j->chatty, 1);
	if (msg)
		j->reply.send(j->reply.ud, msg, len, 0);
}

/* Send a parameterless notification to s, if it can take one. */
static void notify_session(struct mcp_session *s, const char *method)
{
	size_t len;
	char *msg;

	pthread_mutex_lock(&s->lock);
	if (s->initialized && !s->closed && s->notify.send &&
	    (msg = jsonrpc_notification(method, NULL, &len)))
		s->notify.send(s->notify.ud, msg, len, 0);
	pthread_mutex_unlock(&s->lock);
}

/* call_sinks.request: a skill's question (skill.elicit/1,
 * skill.sample/1) as a request to the client, on the call's own reply
 * target, so that over HTTP it travels on the call's event stream. */
static skill_status on_request(void *ud, struct skill_call *c,
                               const char *method, cJSON *params,
                               cJSON **result, char *why, size_t cap)
{
	struct mcp_job *j = ud;
	struct mcp_session *s = j->s;
	int elicit = !strcmp(method, "elicitation/create");
	int able;

	atomic_store(&j->chatty, 1);
	pthread_mutex_lock(&s->lock);
	able = elicit ? s->can_elicit
	              : !strcmp(method, "sampling/createMessage") &&
	                        s->can_sample;
	pthread_mutex_unlock(&s->lock);
	if (!able) {
		cJSON_Delete(params);
		if (s->srv->stateless)
			snprintf(why, cap,
			         "%s needs a session: stateless HTTP cannot "
			         "carry requests to the client (serve --http "
			         "without --stateless)",
			         method);
		else
			snprintf(why, cap,
			         "the MCP client (%s) did not declare the "
			         "\"%s\" capability, so it cannot answer %s",
			         s->client[0] ? s->client : "unnamed",
			         elicit ? "elicitation" : "sampling", method);
		return SKILL_ERR_UNSUPPORTED;
	}
	if (!add_origin(params, j)) {
		cJSON_Delete(params);
		return SKILL_ERR_NOMEM;
	}
	return mcp_creq_ask(s->creqs, j->reply.send, j->reply.ud, method,
	                    params, c->deadline_ns, c->cancel, result, why,
	                    cap);
}

/* The error answering a call a limit refused: data.retryAfter is whole
 * seconds (as HTTP's Retry-After), rounded up so a client that waits
 * that long is admitted. */
static char *limited(struct mcp_job *j, enum rl_kind k, int64_t wait_ms,
                     size_t *len)
{
	int64_t secs = (wait_ms + 999) / 1000;
	char text[MCP_MSG_MAX];
	cJSON *data = cJSON_CreateObject();

	if (secs < 1)
		secs = 1;
	if (data &&
	    (!cJSON_AddNumberToObject(data, "retryAfter", (double)secs) ||
	     !cJSON_AddStringToObject(data, "limit", ratelimit_kind_name(k)))) {
		cJSON_Delete(data);
		data = NULL;
	}
	snprintf(text, sizeof text,
	         "Too many requests: the %s limit refused this call; retry "
	         "after %lld s",
	         ratelimit_kind_name(k), (long long)secs);
	return jsonrpc_error(j->msg.id, MCP_ERR_LIMITED, text, data, len);
}

/* The streak slot of tool name (see MCP_INLINE_STREAK). */
static atomic_uint *quick_slot(struct mcp_server *srv, const char *name)
{
	return &srv->quick[sh_strhash32(name) % MCP_INLINE_SLOTS];
}

/* Run one call and build its response (NULL when there is none to
 * send). */
static char *run_call(struct mcp_job *j, size_t *len)
{
	struct mcp_server *srv = j->s->srv;
	struct call_sinks sinks = {
	        .progress = j->token ? on_progress : NULL,
	        .log = on_log,
	        .log_min = j->log_min,
	        .ud = j,
	        .request = on_request,
	};
	/* The principal and profile are set before the session's first
	 * message and only read afterwards. */
	struct audit_caller caller = {
	        .surface = "mcp",
	        .session = j->s->label[0] ? j->s->label : NULL,
	        .client = j->s->client[0] ? j->s->client : NULL,
	        .sub = j->s->has_oauth && j->s->oauth.sub[0] ? j->s->oauth.sub
	                                                     : NULL,
	        .client_id = j->s->has_oauth && j->s->oauth.client_id[0]
	                             ? j->s->oauth.client_id
	                             : NULL,
	        .profile = j->s->profile ? j->s->profile->name : NULL,
	};
	struct dispatch_opts o = {
	        .default_timeout_ms = srv->call_timeout_ms,
	        .cancel = &j->cancel,
	        .sinks = &sinks,
	        .services = runtime_services(srv->rt),
	        .caller = &caller,
	};
	struct call_result res;
	struct sh_error err;
	struct catalog *c;
	struct tool *t;
	atomic_uint *quick = j->quick;
	int64_t t0 = call_now_ns();
	cJSON *out;
	char *msg;

	sh_error_clear(&err);
	c = runtime_acquire(srv->rt);
	t = catalog_find(c, j->tool_name, &err);
	/* Outside the profile is indistinguishable from not there: the
	 * same message, so a caller cannot probe for hidden tools. */
	if (t && !profile_allows(j->s->profile, t->canonical)) {
		t = NULL;
		sh_error_clear(&err);
	}
	if (!t) {
		char text[MCP_MSG_MAX];
		runtime_release(c);
		/* The catalog's own message speaks of the CLI; a client needs
		 * the MCP terms, unless the name was ambiguous or its skill is
		 * disabled (the operator needs to know which key and why). */
		if (strstr(err.msg, "ambiguous") || err.status == SH_ERR_TRUST)
			snprintf(text, sizeof text, "Invalid params: %s",
			         err.msg);
		else
			snprintf(
			        text, sizeof text,
			        "Invalid params: unknown tool \"%.256s\"; "
			        "tools/list names the tools this server offers",
			        j->tool_name);
		return jsonrpc_error(j->msg.id, JSONRPC_INVALID_PARAMS, text,
		                     NULL, len);
	}
	if (srv->limits) {
		int64_t wait_ms;
		enum rl_kind k = ratelimit_enter(
		        srv->limits,
		        j->s->principal[0] ? j->s->principal : NULL,
		        t->canonical, &wait_ms);
		if (k != RL_OK) {
			runtime_release(c);
			return limited(j, k, wait_ms, len);
		}
	}
	j->tool = t;
	if (!confirm_destructive(runtime_config(srv->rt), t, j->args, &sinks,
	                         &j->cancel,
	                         config_call_timeout_ms(runtime_config(srv->rt),
	                                                t->skill->desc->name, 0,
	                                                srv->call_timeout_ms),
	                         err.msg, sizeof err.msg) ||
	    dispatch_call_tool(c, t, j->args, &o, &res, &err) != SH_OK) {
		char text[MCP_MSG_MAX];
		/* No call could be made (the skill cannot start, or the
		 * user did not confirm it): tell the model, which may pick
		 * another tool. */
		hostlog(SKILL_LOG_ERROR, "%s: %s", t->canonical, err.msg);
		snprintf(text, sizeof text, "skillhost could not run %s: %s",
		         t->mcp_name, err.msg);
		memset(&res, 0, sizeof res);
		res.is_error = 1;
		res.content = cJSON_CreateArray();
		if (res.content) {
			cJSON *b = cJSON_CreateObject();
			cJSON_AddStringToObject(b, "type", "text");
			cJSON_AddStringToObject(b, "text", text);
			cJSON_AddItemToArray(res.content, b);
		}
	}
	if (srv->limits)
		ratelimit_leave(srv->limits,
		                j->s->principal[0] ? j->s->principal : NULL,
		                t->canonical);
	j->tool = NULL;
	runtime_release(c);
	if (call_now_ns() - t0 < MCP_INLINE_QUICK_NS &&
	    !atomic_load(&j->chatty)) {
		if (atomic_load(quick) < MCP_INLINE_STREAK)
			atomic_fetch_add(quick, 1);
	} else {
		atomic_store(quick, 0);
	}
	/* Artifacts become this session's resources, and their paths do
	 * not leave the server. */
	if (mcp_artifacts_adopt(j->s->arts, runtime_services(srv->rt), &res) &&
	    !srv->stateless)
		notify_session(j->s, "notifications/resources/list_changed");
	out = call_result_to_json(&res);
	if (!out)
		return jsonrpc_error(j->msg.id, JSONRPC_INTERNAL_ERROR,
		                     "Internal error: out of memory", NULL,
		                     len);
	msg = jsonrpc_result(j->msg.id, out, len);
	return msg;
}

/* Answer a feature job (see struct mcp_job). */
static int append_skills_page(struct mcp_server *srv,
                              const struct profile *prof, const char *method,
                              const char *cursor, cJSON *res, int *code,
                              char *msg, size_t cap);

static char *run_feature(struct mcp_job *j, size_t *len)
{
	struct mcp_server *srv = j->s->srv;
	struct audit_caller caller = {
	        .surface = "mcp",
	        .session = j->s->label[0] ? j->s->label : NULL,
	        .client = j->s->client[0] ? j->s->client : NULL,
	};
	struct dispatch_opts o = {
	        .default_timeout_ms = srv->call_timeout_ms,
	        .cancel = &j->cancel,
	        .services = runtime_services(srv->rt),
	        .caller = &caller,
	};
	char msg[MCP_MSG_MAX];
	int code = JSONRPC_INTERNAL_ERROR;
	cJSON *res;

	if (!strcmp(j->msg.method, "resources/read")) {
		res = mcp_resources_read(srv->rt, j->s->profile, j->s->arts,
		                         srv->stateless, j->msg.params, &o,
		                         &code, msg, sizeof msg);
	} else if (!strcmp(j->msg.method, "resources/list")) {
		res = mcp_resources_list(srv->rt, j->s->profile, j->s->arts,
		                         j->msg.params, srv->page_size, &o,
		                         &code, msg, sizeof msg);
		/* The Agent Skills' files follow the last page. */
		if (res && srv->skills &&
		    !cJSON_GetObjectItemCaseSensitive(res, "nextCursor") &&
		    append_skills_page(srv, j->s->profile, "resources/list",
		                       NULL, res, &code, msg,
		                       sizeof msg) != 0) {
			cJSON_Delete(res);
			res = NULL;
		}
	} else {
		res = mcp_complete(srv->rt, j->s->profile, j->s->arts,
		                   j->msg.params, &o, &code, msg, sizeof msg);
	}
	if (res)
		return jsonrpc_result(j->msg.id, res, len);
	return jsonrpc_error(j->msg.id, code, msg, NULL, len);
}

static void run_job(struct mcp_job *j)
{
	struct mcp_session *s = j->s;
	char *msg = NULL;
	size_t len = 0;
	int reason;

	if (!atomic_load(&j->cancel))
		msg = j->feature ? run_feature(j, &len) : run_call(j, &len);
	else if (atomic_load(&j->reason) == CANCEL_SERVER)
		msg = jsonrpc_error(j->msg.id, JSONRPC_SERVER_ERROR,
		                    "the server is shutting down; the call was "
		                    "not started",
		                    NULL, &len);
	/* Leave the table before answering, so the client may reuse the id
	 * as soon as it has the response. */
	pthread_mutex_lock(&s->lock);
	if (j->prev_s)
		j->prev_s->next_s = j->next_s;
	else
		s->calls = j->next_s;
	if (j->next_s)
		j->next_s->prev_s = j->prev_s;
	pthread_mutex_unlock(&s->lock);
	reason = atomic_load(&j->reason);
	if (reason == CANCEL_CLIENT || reason == CANCEL_CLOSED) {
		/* MCP: no response to a cancelled request; a closed
		 * session has nobody to read one. */
		free(msg);
		reply_none(&j->reply);
	} else {
		j->reply.send(j->reply.ud, msg, msg ? len : 0, 1);
	}
	job_free(j);
}

static struct mcp_job *job_of(struct mcp_pool_job *pj)
{
	return (struct mcp_job *)(void *)((char *)pj -
	                                  offsetof(struct mcp_job, pj));
}

static void pool_run(struct mcp_pool_job *pj, void *ud)
{
	(void)ud;
	run_job(job_of(pj));
}

/* --- list_changed --- */

/* notifications/resources/updated for one subscribed URI of session ud. */
static void send_updated(void *ud, const char *uri)
{
	struct mcp_session *s = ud;
	cJSON *params = cJSON_CreateObject();
	size_t len;
	char *msg;

	if (!params || !cJSON_AddStringToObject(params, "uri", uri)) {
		cJSON_Delete(params);
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (s->initialized && !s->closed && s->notify.send) {
		/* params is consumed, whatever the outcome. */
		msg = jsonrpc_notification("notifications/resources/updated",
		                           params, &len);
		if (msg)
			s->notify.send(s->notify.ud, msg, len, 0);
	} else {
		cJSON_Delete(params);
	}
	pthread_mutex_unlock(&s->lock);
}

static void on_catalog_change(void *ud)
{
	struct mcp_server *srv = ud;

	/* Skills bring prompts and resources as well as tools; a client
	 * asks again for what it shows. */
	pthread_mutex_lock(&srv->slock);
	for (struct mcp_session *s = srv->sessions; s; s = s->next) {
		notify_session(s, "notifications/tools/list_changed");
		notify_session(s, "notifications/prompts/list_changed");
		notify_session(s, "notifications/resources/list_changed");
		/* A declared resource may have changed with its skill. */
		mcp_artifacts_each_sub(s->arts, send_updated, s);
	}
	pthread_mutex_unlock(&srv->slock);
}

/* --- the server --- */

sh_status mcp_server_new(const struct mcp_server_opts *o,
                         struct mcp_server **out, struct sh_error *e)
{
	struct mcp_server *srv;
	sh_status rc;

	*out = NULL;
	if (!o || !o->rt)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "mcp_server_new: no runtime");
	if (o->page_size > MCP_PAGE_SIZE_MAX)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "page size %zu is over the limit of %d",
		                    o->page_size, MCP_PAGE_SIZE_MAX);
	if (o->threads > MCP_THREADS_MAX)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%u worker threads is over the limit of %d",
		                    o->threads, MCP_THREADS_MAX);
	if (sodium_init() < 0)
		return sh_error_set(e, SH_ERR_FAIL,
		                    "libsodium failed to start");
	srv = calloc(1, sizeof *srv);
	if (!srv)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	srv->rt = o->rt;
	srv->page_size = o->page_size ? o->page_size : MCP_PAGE_SIZE_DEFAULT;
	srv->canonical_names = o->canonical_names;
	srv->stateless = o->stateless;
	srv->call_timeout_ms = o->call_timeout_ms;
	srv->profiles = o->profiles;
	srv->profile = o->profile;
	srv->limits = o->limits;
	pthread_mutex_init(&srv->slock, NULL);
	if (runtime_home(o->rt))
		srv->skills =
		        mcp_skills_new(runtime_home(o->rt), srv->page_size);
	if (o->tool_search != MCP_TS_OFF &&
	    !(srv->ts = mcp_toolsearch_new(o->tool_search,
	                                   o->tool_search_threshold,
	                                   o->core_tools))) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (o->instructions && !(srv->instructions = strdup(o->instructions))) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = mcp_pool_new(o->threads ? o->threads : MCP_THREADS_DEFAULT, 0,
	                       MCP_QUEUE_MAX, pool_run, srv, &srv->pool, e)) !=
	    SH_OK)
		goto fail;
	if (!srv->stateless &&
	    (rc = runtime_watch(srv->rt, on_catalog_change, srv, e)) != SH_OK)
		goto fail;
	*out = srv;
	return SH_OK;
fail:
	mcp_server_free(srv);
	return rc;
}

size_t mcp_server_calls(struct mcp_server *srv)
{
	return mcp_pool_active(srv->pool);
}

/* Wait until no call is active or ms pass; returns 1 when idle. */
static int wait_idle(struct mcp_server *srv, int64_t ms)
{
	return mcp_pool_wait_idle(srv->pool, ms);
}

void mcp_server_drain(struct mcp_server *srv, int64_t timeout_ms)
{
	size_t left;

	mcp_pool_close(srv->pool);
	left = mcp_pool_active(srv->pool);
	if (left)
		hostlog(SKILL_LOG_NOTICE,
		        "waiting up to %lld ms for %zu call(s) in flight",
		        (long long)timeout_ms, left);
	if (wait_idle(srv, timeout_ms > 0 ? timeout_ms : 0))
		return;
	hostlog(SKILL_LOG_WARNING, "cancelling %zu call(s) still running",
	        mcp_server_calls(srv));
	pthread_mutex_lock(&srv->slock);
	for (struct mcp_session *s = srv->sessions; s; s = s->next) {
		pthread_mutex_lock(&s->lock);
		cancel_calls_locked(s, CANCEL_SERVER);
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_unlock(&srv->slock);
	if (!wait_idle(srv, MCP_CANCEL_GRACE_MS))
		hostlog(SKILL_LOG_ERROR,
		        "%zu call(s) ignored cancellation; giving up on them",
		        mcp_server_calls(srv));
}

static void cancel_queued(struct mcp_pool_job *pj, void *ud)
{
	struct mcp_job *j = job_of(pj);
	int none = CANCEL_NONE;

	(void)ud;
	atomic_compare_exchange_strong(&j->reason, &none, CANCEL_SERVER);
	atomic_store(&j->cancel, 1);
}

void mcp_server_free(struct mcp_server *srv)
{
	if (!srv)
		return;
	/* Queued calls will not start: the workers answer them at once. */
	mcp_pool_stop(srv->pool, cancel_queued, NULL);
	pthread_mutex_destroy(&srv->slock);
	free(srv->instructions);
	mcp_skills_free(srv->skills);
	mcp_toolsearch_free(srv->ts);
	free(srv);
}

/* --- methods --- */

static void do_initialize(struct mcp_session *s, const struct jsonrpc_msg *m,
                          const struct mcp_reply *r)
{
	const cJSON *pv =
	        cJSON_GetObjectItemCaseSensitive(m->params, "protocolVersion");
	const char *version;
	cJSON *res, *caps, *tools, *info, *resources, *prompts;

	if (!cJSON_IsString(pv)) {
		reply_error(
		        r, m->id, JSONRPC_INVALID_PARAMS,
		        "Invalid params: initialize needs \"protocolVersion\" "
		        "(a string such as \"%s\")",
		        MCP_VERSION_LATEST);
		return;
	}
	/* MCP: echo a version we speak, else offer our latest and let the
	 * client decide whether to go on. */
	version = mcp_version_supported(pv->valuestring) ? pv->valuestring
	                                                 : MCP_VERSION_LATEST;
	pthread_mutex_lock(&s->lock);
	if (s->initialized && !s->srv->stateless) {
		pthread_mutex_unlock(&s->lock);
		reply_error(r, m->id, JSONRPC_INVALID_REQUEST,
		            "Invalid Request: this session is already "
		            "initialized; open a new session to start over");
		return;
	}
	s->initialized = 1;
	snprintf(s->version, sizeof s->version, "%s", version);
	{
		/* Printable ASCII only: it goes into log lines. */
		const cJSON *ci = cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetObjectItemCaseSensitive(m->params,
		                                         "clientInfo"),
		        "name");
		size_t j = 0;
		for (const char *p = cJSON_IsString(ci) ? ci->valuestring : "";
		     *p && j + 1 < sizeof s->client; p++)
			s->client[j++] = *p > 0x20 && *p < 0x7f ? *p : '_';
		s->client[j] = '\0';
	}
	{
		/* Server-to-client requests need a session to answer into. */
		const cJSON *cc = cJSON_GetObjectItemCaseSensitive(
		        m->params, "capabilities");
		s->can_elicit = !s->srv->stateless &&
		                cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(
		                        cc, "elicitation"));
		s->can_sample = !s->srv->stateless &&
		                cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(
		                        cc, "sampling"));
		if ((s->can_elicit || s->can_sample) && !s->creqs &&
		    !(s->creqs = mcp_creqs_new()))
			s->can_elicit = s->can_sample = 0;
	}
	pthread_mutex_unlock(&s->lock);

	res = cJSON_CreateObject();
	if (!cJSON_AddStringToObject(res, "protocolVersion", version))
		res = (cJSON_Delete(res), NULL);
	caps = cJSON_AddObjectToObject(res, "capabilities");
	tools = cJSON_AddObjectToObject(caps, "tools");
	resources = cJSON_AddObjectToObject(caps, "resources");
	prompts = cJSON_AddObjectToObject(caps, "prompts");
	info = cJSON_AddObjectToObject(res, "serverInfo");
	if (!res || !caps || !tools || !info || !resources || !prompts ||
	    !cJSON_AddBoolToObject(tools, "listChanged", !s->srv->stateless) ||
	    /* Artifacts never change once made, and declared resources
	     * only with the catalog: a subscription is accepted and no
	     * update is ever due. list_changed: when a call adds one,
	     * and for both when the catalog changes. */
	    !cJSON_AddBoolToObject(resources, "subscribe", 1) ||
	    !cJSON_AddBoolToObject(resources, "listChanged",
	                           !s->srv->stateless) ||
	    !cJSON_AddBoolToObject(prompts, "listChanged",
	                           !s->srv->stateless) ||
	    !cJSON_AddObjectToObject(caps, "completions") ||
	    !cJSON_AddObjectToObject(caps, "logging") ||
	    !cJSON_AddStringToObject(info, "name", "skillhost") ||
	    !cJSON_AddStringToObject(info, "title", "skillhost") ||
	    !cJSON_AddStringToObject(info, "version", SKILLHOST_VERSION) ||
	    (s->srv->instructions &&
	     !cJSON_AddStringToObject(res, "instructions",
	                              s->srv->instructions)) ||
	    (s->srv->skills &&
	     mcp_skills_capabilities(s->srv->skills, caps) != 0)) {
		cJSON_Delete(res);
		reply_error(r, m->id, JSONRPC_INTERNAL_ERROR,
		            "Internal error: out of memory");
		return;
	}
	reply_result(r, m->id, res);
}

static void do_set_level(struct mcp_session *s, const struct jsonrpc_msg *m,
                         const struct mcp_reply *r)
{
	const cJSON *lv = cJSON_GetObjectItemCaseSensitive(m->params, "level");
	skill_log_level level;

	if (!cJSON_IsString(lv) ||
	    !hostlog_level_parse(lv->valuestring, &level)) {
		reply_error(r, m->id, JSONRPC_INVALID_PARAMS,
		            "Invalid params: \"level\" must be one of debug, "
		            "info, notice, warning, error, critical, alert, "
		            "emergency");
		return;
	}
	atomic_store(&s->log_min, (int)level);
	reply_result(r, m->id, NULL);
}

/* The name a client sees for t: the catalog's portable name unless the
 * operator asked for the old dotted form. */
static const char *public_name(const struct mcp_server *srv,
                               const struct tool *t)
{
	return srv->canonical_names ? t->dotted : t->mcp_name;
}

/* The index of the first tool after the one a cursor names, or SIZE_MAX
 * for a cursor that is not one of ours. */
static size_t cursor_start(const struct catalog *c, const char *cursor)
{
	unsigned char name[NAMES_CANONICAL_MAX + 1];
	size_t n = 0, lo = 0, hi = catalog_tool_count(c);

	if (strlen(cursor) > MCP_CURSOR_MAX ||
	    sodium_base642bin(name, sizeof name - 1, cursor, strlen(cursor),
	                      NULL, &n, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n == 0 || memchr(name, '\0', n))
		return SIZE_MAX;
	name[n] = '\0';
	/* By name, not by position: a reload between pages neither repeats
	 * nor skips the tools that stayed. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(catalog_tool_at((struct catalog *)c, mid)->canonical,
		           (const char *)name) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* --- tool search (mcp_toolsearch.h) --- */

/* ud is the session: its profile decides what search may find. */
static const char *ts_name(void *ud, struct catalog *c, const struct tool *t)
{
	const struct mcp_session *s = ud;

	(void)c;
	return profile_allows(s->profile, t->canonical) ? public_name(s->srv, t)
	                                                : NULL;
}

/* tools/list with tool search on: the search tool, the core tools and
 * those this session found, in one page. Releases c. */
static void list_deferred(struct mcp_session *s, struct catalog *c,
                          const struct jsonrpc_msg *m,
                          const struct mcp_reply *r)
{
	cJSON *res = cJSON_CreateObject(), *arr, *o;

	arr = cJSON_AddArrayToObject(res, "tools");
	o = mcp_toolsearch_definition();
	if (!arr || !o || !cJSON_AddItemToArray(arr, o))
		goto nomem;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < catalog_tool_count(c); i++) {
		struct tool *t = catalog_tool_at(c, i);
		const char *name = public_name(s->srv, t);
		if ((!mcp_toolsearch_is_core(s->srv->ts, t) &&
		     !mcp_ts_found_has(&s->found, t->canonical)) ||
		    !profile_allows(s->profile, t->canonical))
			continue;
		if (!(o = toolfmt_mcp(t)) || !cJSON_AddItemToArray(arr, o) ||
		    (name != t->mcp_name &&
		     !cJSON_ReplaceItemInObjectCaseSensitive(
		             o, "name", cJSON_CreateString(name)))) {
			pthread_mutex_unlock(&s->lock);
			goto nomem;
		}
	}
	pthread_mutex_unlock(&s->lock);
	runtime_release(c);
	reply_result(r, m->id, res);
	return;
nomem:
	runtime_release(c);
	cJSON_Delete(res);
	reply_error(r, m->id, JSONRPC_INTERNAL_ERROR,
	            "Internal error: out of memory");
}

/* tools/call of search_tools: 1 when it was that (and answered). */
static int call_search(struct mcp_session *s, const struct jsonrpc_msg *m,
                       const struct mcp_reply *r)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(m->params, "name");
	struct catalog *c;
	cJSON *res;
	int added = 0;

	if (!s->srv->ts || !cJSON_IsString(name) ||
	    strcmp(name->valuestring, MCP_TOOLSEARCH_NAME))
		return 0;
	c = runtime_acquire(s->srv->rt);
	if (!mcp_toolsearch_active(s->srv->ts, c)) {
		runtime_release(c);
		return 0;
	}
	pthread_mutex_lock(&s->lock);
	res = mcp_toolsearch_call(
	        s->srv->ts, c,
	        cJSON_GetObjectItemCaseSensitive(m->params, "arguments"),
	        &s->found, &added, ts_name, s);
	pthread_mutex_unlock(&s->lock);
	runtime_release(c);
	if (!res) {
		reply_error(r, m->id, JSONRPC_INTERNAL_ERROR,
		            "Internal error: out of memory");
		return 1;
	}
	/* The found tools are listed now: say so first, so a client lists
	 * again as it reads the result. */
	if (added && !s->srv->stateless) {
		size_t len;
		char *msg;
		pthread_mutex_lock(&s->lock);
		if (!s->closed && s->notify.send &&
		    (msg = jsonrpc_notification(
		             "notifications/tools/list_changed", NULL, &len)))
			s->notify.send(s->notify.ud, msg, len, 0);
		pthread_mutex_unlock(&s->lock);
	}
	reply_result(r, m->id, res);
	return 1;
}

static void do_list(struct mcp_session *s, const struct jsonrpc_msg *m,
                    const struct mcp_reply *r)
{
	struct mcp_server *srv = s->srv;
	const cJSON *cur =
	        cJSON_GetObjectItemCaseSensitive(m->params, "cursor");
	struct catalog *c;
	size_t start = 0, n, i, shown = 0;
	const char *last = NULL;
	cJSON *res = NULL, *arr;

	if (cur && !cJSON_IsNull(cur) && !cJSON_IsString(cur)) {
		reply_error(r, m->id, JSONRPC_INVALID_PARAMS,
		            "Invalid params: \"cursor\" must be a string from "
		            "a previous tools/list");
		return;
	}
	c = runtime_acquire(srv->rt);
	n = catalog_tool_count(c);
	if (mcp_toolsearch_active(srv->ts, c)) {
		list_deferred(s, c, m, r);
		return;
	}
	if (cur && cJSON_IsString(cur) &&
	    (start = cursor_start(c, cur->valuestring)) == SIZE_MAX) {
		runtime_release(c);
		reply_error(
		        r, m->id, JSONRPC_INVALID_PARAMS,
		        "Invalid params: unknown cursor; start again from a "
		        "tools/list without one");
		return;
	}
	res = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(res, "tools");
	if (!res || !arr)
		goto nomem;
	for (i = start; i < n && shown < srv->page_size; i++) {
		struct tool *t = catalog_tool_at(c, i);
		cJSON *o;
		const char *name = public_name(srv, t);
		if (!profile_allows(s->profile, t->canonical))
			continue;
		if (!(o = toolfmt_mcp(t)))
			goto nomem;
		shown++;
		last = t->canonical;
		cJSON_AddItemToArray(arr, o);
		if (name != t->mcp_name &&
		    !cJSON_ReplaceItemInObjectCaseSensitive(
		            o, "name", cJSON_CreateString(name)))
			goto nomem;
	}
	/* A next page only when a tool of the profile remains. */
	while (i < n &&
	       !profile_allows(s->profile, catalog_tool_at(c, i)->canonical))
		i++;
	if (i < n && last) {
		char next[MCP_CURSOR_MAX + 1];
		sodium_bin2base64(next, sizeof next,
		                  (const unsigned char *)last, strlen(last),
		                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		if (!cJSON_AddStringToObject(res, "nextCursor", next))
			goto nomem;
	}
	runtime_release(c);
	reply_result(r, m->id, res);
	return;
nomem:
	runtime_release(c);
	cJSON_Delete(res);
	reply_error(r, m->id, JSONRPC_INTERNAL_ERROR,
	            "Internal error: out of memory");
}

static enum mcp_rx do_call(struct mcp_session *s, struct jsonrpc_msg *m,
                           const struct mcp_reply *r, int feature)
{
	struct mcp_server *srv = s->srv;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(m->params, "name");
	const cJSON *args =
	        cJSON_GetObjectItemCaseSensitive(m->params, "arguments");
	const cJSON *meta =
	        cJSON_GetObjectItemCaseSensitive(m->params, "_meta");
	const cJSON *token =
	        cJSON_GetObjectItemCaseSensitive(meta, "progressToken");
	char tok_text[JSONRPC_ID_TEXT_MAX + 1];
	struct mcp_job *j;
	const char *refusal = NULL;
	int code = JSONRPC_SERVER_ERROR;
	int here;

	if (feature) {
		/* Checked by the method itself, on the worker. */
	} else if (!cJSON_IsString(name) || !name->valuestring[0]) {
		reply_error(r, m->id, JSONRPC_INVALID_PARAMS,
		            "Invalid params: tools/call needs \"name\", the "
		            "name of a tool from tools/list");
		return MCP_RX_DONE;
	} else if (args && !cJSON_IsNull(args) && !cJSON_IsObject(args)) {
		reply_error(r, m->id, JSONRPC_INVALID_PARAMS,
		            "Invalid params: \"arguments\" must be an object");
		return MCP_RX_DONE;
	}
	if ((meta && !cJSON_IsObject(meta)) ||
	    (token && !jsonrpc_id_text(token, tok_text))) {
		reply_error(r, m->id, JSONRPC_INVALID_PARAMS,
		            "Invalid params: \"_meta.progressToken\" must be a "
		            "string or an integer");
		return MCP_RX_DONE;
	}
	j = calloc(1, sizeof *j);
	if (!j) {
		reply_error(r, m->id, JSONRPC_INTERNAL_ERROR,
		            "Internal error: out of memory");
		return MCP_RX_DONE;
	}
	j->msg = *m;
	memset(m, 0, sizeof *m);
	j->reply = *r;
	j->feature = feature;
	j->tool_name = feature ? NULL : name->valuestring;
	j->quick = feature ? NULL : quick_slot(srv, j->tool_name);
	j->args = cJSON_IsObject(args) ? args : NULL;
	j->token = token;
	j->log_min = (skill_log_level)atomic_load(&s->log_min);
	j->s = s;
	mcp_session_ref(s);

	pthread_mutex_lock(&s->lock);
	for (struct mcp_job *o = s->calls; o; o = o->next_s)
		if (!strcmp(o->msg.id, j->msg.id)) {
			refusal =
			        "Invalid Request: a request with this id is "
			        "still running; use a new id for each request";
			code = JSONRPC_INVALID_REQUEST;
			break;
		}
	if (!refusal && s->closed)
		refusal = "the session is closed";
	if (!refusal) {
		j->next_s = s->calls;
		if (s->calls)
			s->calls->prev_s = j;
		s->calls = j;
	}
	/* Nothing the call does can wait on the client (mcp_reply). */
	here = r->may_block && !feature && !token && !s->can_elicit &&
	       !s->can_sample && atomic_load(j->quick) >= MCP_INLINE_STREAK;
	pthread_mutex_unlock(&s->lock);
	if (refusal) {
		reply_error(r, j->msg.id, code, "%s", refusal);
		job_free(j);
		return MCP_RX_DONE;
	}
	if (here) {
		metrics_call_inline(runtime_services(srv->rt)->metrics);
		run_job(j);
		return MCP_RX_DONE;
	}

	switch (mcp_pool_submit(srv->pool, &j->pj)) {
	case MCP_POOL_OK: break;
	case MCP_POOL_CLOSED:
		refusal = "the server is shutting down; try again on another "
		          "instance";
		break;
	case MCP_POOL_FULL:
		refusal = "the server is busy: too many calls are waiting; try "
		          "again shortly";
		break;
	}
	if (refusal) {
		pthread_mutex_lock(&s->lock);
		if (j->prev_s)
			j->prev_s->next_s = j->next_s;
		else
			s->calls = j->next_s;
		if (j->next_s)
			j->next_s->prev_s = j->prev_s;
		pthread_mutex_unlock(&s->lock);
		reply_error(r, j->msg.id, code, "%s", refusal);
		job_free(j);
		return MCP_RX_DONE;
	}
	return MCP_RX_PENDING;
}

static void do_cancelled(struct mcp_session *s, const struct jsonrpc_msg *m)
{
	const cJSON *rid =
	        cJSON_GetObjectItemCaseSensitive(m->params, "requestId");
	char id[JSONRPC_ID_TEXT_MAX + 1];

	/* Unknown or finished ids are ignored, as MCP says. */
	if (!jsonrpc_id_text(rid, id))
		return;
	pthread_mutex_lock(&s->lock);
	for (struct mcp_job *j = s->calls; j; j = j->next_s)
		if (!strcmp(j->msg.id, id)) {
			int none = CANCEL_NONE;
			atomic_compare_exchange_strong(&j->reason, &none,
			                               CANCEL_CLIENT);
			atomic_store(&j->cancel, 1);
			break;
		}
	pthread_mutex_unlock(&s->lock);
}

/* resources/..., prompts/... and completion/complete: answered here, by
 * mcp_resources.c and mcp_prompts.c. */
static void do_feature(struct mcp_session *s, const struct jsonrpc_msg *m,
                       const struct mcp_reply *r)
{
	struct runtime *rt = s->srv->rt;
	const char *method = m->method;
	size_t page = s->srv->page_size;
	int any = s->srv->stateless;
	char msg[MCP_MSG_MAX];
	int code = JSONRPC_METHOD_NOT_FOUND;
	cJSON *res = NULL;

	snprintf(msg, sizeof msg, "Method not found: %.200s", method);
	if (m->params && !cJSON_IsObject(m->params)) {
		code = JSONRPC_INVALID_PARAMS;
		snprintf(msg, sizeof msg,
		         "Invalid params: \"params\" must be an object");
	} else if (!strcmp(method, "resources/templates/list")) {
		res = mcp_resources_templates_list(rt, s->profile, m->params,
		                                   page, &code, msg,
		                                   sizeof msg);
	} else if (!strcmp(method, "resources/subscribe") ||
	           !strcmp(method, "resources/unsubscribe")) {
		res = mcp_resources_subscribe(rt, s->profile, s->arts, any,
		                              m->params, method[10] == 's',
		                              &code, msg, sizeof msg);
	} else if (!strcmp(method, "prompts/list")) {
		res = mcp_prompts_list(rt, s->profile, m->params, page, &code,
		                       msg, sizeof msg);
		if (res && s->srv->skills &&
		    !cJSON_GetObjectItemCaseSensitive(res, "nextCursor") &&
		    append_skills_page(s->srv, s->profile, method, NULL, res,
		                       &code, msg, sizeof msg) != 0) {
			cJSON_Delete(res);
			res = NULL;
		}
	} else if (!strcmp(method, "prompts/get")) {
		res = mcp_prompts_get(rt, s->profile, m->params, &code, msg,
		                      sizeof msg);
	}
	if (res)
		reply_result(r, m->id, res);
	else
		reply_error(r, m->id, code, "%s", msg);
}

/* Agent Skills (SEP-2640, their files and prompts): 1 when answered. */
static int handle_skills(struct mcp_session *s, const struct jsonrpc_msg *m,
                         const struct mcp_reply *r)
{
	char msg[MCP_MSG_MAX];
	cJSON *res = NULL;
	int code = 0;

	switch (mcp_skills_handle(s->srv->skills, s->profile, m->method,
	                          m->params, &res, &code, msg, sizeof msg)) {
	case MCP_SKILLS_NOT_MINE: return 0;
	case MCP_SKILLS_RESULT: reply_result(r, m->id, res); return 1;
	case MCP_SKILLS_ERROR: reply_error(r, m->id, code, "%s", msg); return 1;
	}
	return 0;
}

/*
 * prompts/list and resources/list have two providers: the native skills'
 * declarations and artifacts (mcp_prompts.c, mcp_resources.c), then the
 * Agent Skills (mcp_skills.c). A page from the first without nextCursor
 * goes on with the Agent Skills' first page; their cursors carry
 * SKILLS_CURSOR so that a later page goes straight to them.
 */
#define SKILLS_CURSOR "agentskills:"

static const char *list_cursor(const cJSON *params)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(params, "cursor");

	return cJSON_IsString(c) ? c->valuestring : NULL;
}

static int is_skills_cursor(const struct jsonrpc_msg *m)
{
	const char *c;

	if (strcmp(m->method, "prompts/list") &&
	    strcmp(m->method, "resources/list"))
		return 0;
	c = list_cursor(m->params);
	return c && !strncmp(c, SKILLS_CURSOR, strlen(SKILLS_CURSOR));
}

/* Append the Agent Skills' page after cursor (NULL: the first) to res, an
 * array under key; nextCursor becomes theirs. 0, or -1 with *code/msg. */
static int append_skills_page(struct mcp_server *srv,
                              const struct profile *prof, const char *method,
                              const char *cursor, cJSON *res, int *code,
                              char *msg, size_t cap)
{
	const char *key =
	        !strcmp(method, "prompts/list") ? "prompts" : "resources";
	cJSON *params = cJSON_CreateObject(), *page = NULL, *dst, *src, *next;
	char wrapped[512];
	int rc = 0;

	if (!params ||
	    (cursor && !cJSON_AddStringToObject(params, "cursor", cursor))) {
		*code = JSONRPC_INTERNAL_ERROR;
		snprintf(msg, cap, "Internal error: out of memory");
		cJSON_Delete(params);
		return -1;
	}
	switch (mcp_skills_handle(srv->skills, prof, method, params, &page,
	                          code, msg, cap)) {
	case MCP_SKILLS_NOT_MINE: break; /* no Agent Skills installed */
	case MCP_SKILLS_ERROR: rc = -1; break;
	case MCP_SKILLS_RESULT:
		dst = cJSON_GetObjectItemCaseSensitive(res, key);
		if (!dst)
			dst = cJSON_AddArrayToObject(res, key);
		src = cJSON_GetObjectItemCaseSensitive(page, key);
		while (dst && src && cJSON_GetArraySize(src) > 0)
			cJSON_AddItemToArray(dst,
			                     cJSON_DetachItemFromArray(src, 0));
		cJSON_DeleteItemFromObjectCaseSensitive(res, "nextCursor");
		next = cJSON_GetObjectItemCaseSensitive(page, "nextCursor");
		if (cJSON_IsString(next) &&
		    snprintf(wrapped, sizeof wrapped, "%s%s", SKILLS_CURSOR,
		             next->valuestring) < (int)sizeof wrapped)
			cJSON_AddStringToObject(res, "nextCursor", wrapped);
		break;
	}
	cJSON_Delete(params);
	cJSON_Delete(page);
	return rc;
}

/* A list page whose cursor is the Agent Skills' own. */
static void do_skills_list(struct mcp_session *s, const struct jsonrpc_msg *m,
                           const struct mcp_reply *r)
{
	char msg[MCP_MSG_MAX];
	int code = JSONRPC_INVALID_PARAMS;
	cJSON *res = cJSON_CreateObject();

	snprintf(msg, sizeof msg, "Internal error: out of memory");
	if (res &&
	    append_skills_page(s->srv, s->profile, m->method,
	                       list_cursor(m->params) + strlen(SKILLS_CURSOR),
	                       res, &code, msg, sizeof msg) == 0) {
		reply_result(r, m->id, res);
		return;
	}
	cJSON_Delete(res);
	reply_error(r, m->id, code, "%s", msg);
}

enum mcp_rx mcp_session_handle(struct mcp_session *s, struct jsonrpc_msg *m,
                               const struct mcp_reply *r)
{
	enum mcp_rx rx = MCP_RX_DONE;
	const char *method = m->method;

	if (m->kind == JSONRPC_RESPONSE) {
		/* An answer to one of our requests (mcp_client_req.h);
		 * anything else is ignored. */
		struct mcp_creqs *q;
		pthread_mutex_lock(&s->lock);
		q = s->creqs;
		pthread_mutex_unlock(&s->lock);
		if (q)
			mcp_creqs_deliver(q, m);
		reply_none(r);
		goto out;
	}
	if (m->kind == JSONRPC_NOTIFICATION) {
		if (!strcmp(method, "notifications/cancelled"))
			do_cancelled(s, m);
		/* initialized, roots/list_changed, and anything unknown
		 * need no action. */
		reply_none(r);
		goto out;
	}
	if (!strcmp(method, "ping")) {
		reply_result(r, m->id, NULL);
	} else if (!strcmp(method, "initialize")) {
		do_initialize(s, m, r);
	} else if (!mcp_session_initialized(s)) {
		reply_error(r, m->id, JSONRPC_INVALID_REQUEST,
		            "Invalid Request: the session is not initialized; "
		            "send \"initialize\" first");
	} else if (!strcmp(method, "tools/call")) {
		if (!call_search(s, m, r))
			rx = do_call(s, m, r, 0);
	} else if (is_skills_cursor(m)) {
		do_skills_list(s, m, r);
	} else if (strcmp(method, "prompts/list") &&
	           strcmp(method, "resources/list") && handle_skills(s, m, r)) {
		/* answered: an Agent Skills method, file or prompt */
	} else if ((!strcmp(method, "resources/read") ||
	            !strcmp(method, "resources/list") ||
	            !strcmp(method, "completion/complete")) &&
	           (!m->params || cJSON_IsObject(m->params))) {
		rx = do_call(s, m, r, 1);
	} else if (!strcmp(method, "tools/list")) {
		do_list(s, m, r);
	} else if (!strcmp(method, "logging/setLevel")) {
		do_set_level(s, m, r);
	} else if (!strncmp(method, "resources/", 10) ||
	           !strncmp(method, "prompts/", 8) ||
	           !strcmp(method, "completion/complete")) {
		do_feature(s, m, r);
	} else {
		reply_error(r, m->id, JSONRPC_METHOD_NOT_FOUND,
		            "Method not found: %s", method);
	}
out:
	jsonrpc_msg_free(m);
	return rx;
}

/* --- batches (2025-03-26 only) --- */

/* One JSON-RPC batch: its elements answer into out; the last one in sends
 * the array (or nothing, when every element was a notification). */
struct batch {
	atomic_int pending; /* elements not answered, + 1 for the receiver */
	pthread_mutex_t lock;
	cJSON *out;
	struct mcp_reply up;
};

static void batch_finish(struct batch *b)
{
	char *text = NULL;

	if (atomic_fetch_sub(&b->pending, 1) != 1)
		return;
	if (cJSON_GetArraySize(b->out) > 0) {
		text = cJSON_PrintUnformatted(b->out);
		if (!text)
			text = jsonrpc_error(NULL, JSONRPC_INTERNAL_ERROR,
			                     "Internal error: out of memory",
			                     NULL, NULL);
	}
	b->up.send(b->up.ud, text, text ? strlen(text) : 0, 1);
	cJSON_Delete(b->out);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static void batch_send(void *ud, char *msg, size_t len, int final)
{
	struct batch *b = ud;
	cJSON *v;

	if (!final) { /* a call's progress or log: on its way at once */
		b->up.send(b->up.ud, msg, len, 0);
		return;
	}
	if (msg && (v = cJSON_ParseWithLength(msg, len))) {
		pthread_mutex_lock(&b->lock);
		cJSON_AddItemToArray(b->out, v);
		pthread_mutex_unlock(&b->lock);
	}
	free(msg);
	batch_finish(b);
}

/* 1 when text is a JSON array sent on a session that negotiated
 * 2025-03-26, the one revision whose clients MUST be answered batches
 * (2025-06-18 removed them; later sessions keep refusing). */
static int is_batch(struct mcp_session *s, const char *text, size_t len)
{
	size_t i = 0;
	int v;

	while (i < len && (text[i] == ' ' || text[i] == '\t' ||
	                   text[i] == '\r' || text[i] == '\n'))
		i++;
	if (i == len || text[i] != '[')
		return 0;
	pthread_mutex_lock(&s->lock);
	v = s->initialized && !strcmp(s->version, "2025-03-26");
	pthread_mutex_unlock(&s->lock);
	return v;
}

static enum mcp_rx receive_batch(struct mcp_session *s, const char *text,
                                 size_t len, const struct mcp_reply *r)
{
	cJSON *arr = cJSON_ParseWithLength(text, len), *el;
	struct mcp_reply each;
	struct batch *b;

	if (!cJSON_IsArray(arr) || !cJSON_GetArraySize(arr)) {
		cJSON_Delete(arr);
		reply_error(r, NULL,
		            arr ? JSONRPC_INVALID_REQUEST : JSONRPC_PARSE_ERROR,
		            arr ? "Invalid Request: an empty batch"
		                : "Parse error: the batch is not valid JSON");
		return MCP_RX_DONE;
	}
	b = calloc(1, sizeof *b);
	if (!b || !(b->out = cJSON_CreateArray())) {
		free(b);
		cJSON_Delete(arr);
		reply_error(r, NULL, JSONRPC_INTERNAL_ERROR,
		            "Internal error: out of memory");
		return MCP_RX_DONE;
	}
	pthread_mutex_init(&b->lock, NULL);
	b->up = *r;
	atomic_init(&b->pending, cJSON_GetArraySize(arr) + 1);
	each = (struct mcp_reply){batch_send, b};
	/* The 1 in b->pending above is this receiver's reference: no
	 * element's final reply frees b before the batch_finish below (the
	 * analyzer cannot count references, hence the NOLINTs). */
	cJSON_ArrayForEach(el, arr)
	{
		char *one = cJSON_PrintUnformatted(el);
		if (!one) {
			// NOLINTNEXTLINE(clang-analyzer-unix.Malloc)
			batch_send(b,
			           jsonrpc_error(NULL, JSONRPC_INTERNAL_ERROR,
			                         "Internal error: out of "
			                         "memory",
			                         NULL, &len),
			           len, 1);
			continue;
		}
		/* An element that is itself an array is refused there. */
		mcp_session_receive(s, one, strlen(one), &each);
		free(one);
	}
	cJSON_Delete(arr);
	// NOLINTNEXTLINE(clang-analyzer-unix.Malloc)
	if (atomic_load(&b->pending) == 1) {
		// NOLINTNEXTLINE(clang-analyzer-unix.Malloc)
		batch_finish(b);
		return MCP_RX_DONE;
	}
	// NOLINTNEXTLINE(clang-analyzer-unix.Malloc)
	batch_finish(b);
	return MCP_RX_PENDING;
}

enum mcp_rx mcp_session_receive(struct mcp_session *s, const char *text,
                                size_t len, const struct mcp_reply *r)
{
	struct jsonrpc_refusal why;
	struct jsonrpc_msg m;

	if (is_batch(s, text, len))
		return receive_batch(s, text, len, r);
	if (jsonrpc_parse(text, len, &m, &why) != SH_OK) {
		size_t n = 0;
		char *msg =
		        jsonrpc_error(why.id, why.code, why.message, NULL, &n);
		r->send(r->ud, msg, msg ? n : 0, 1);
		return MCP_RX_DONE;
	}
	return mcp_session_handle(s, &m, r);
}
