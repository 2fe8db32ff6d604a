/*
 * dispatch.c - validate, serialize, run, check. See dispatch.h.
 */
#include "dispatch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "exec_isolated.h"
#include "extcall.h"
#include "hostapi.h"
#include "hostlog.h"
#include "metrics.h"
#include "phasetime.h"
#include "schema.h"

/* Arguments this large are hashed for the audit record on a second
 * thread while the skill runs: BLAKE2b of a 3 MB deck is 3-5 ms that the
 * caller would otherwise wait for after the call, and the skill (or its
 * worker) leaves the other CPU free meanwhile. Below it, starting a thread
 * costs more than it hides. */
#define DISPATCH_HASH_AHEAD_MIN ((size_t)256 * 1024)

/* Room for a validation message, and for it with the names around it. */
#define DISPATCH_WHY_MAX 1024
#define DISPATCH_MSG_MAX 2048

static void error_result(struct call_result *res, const char *msg)
{
	struct skill_call c;

	call_init(&c, NULL, NULL, NULL);
	call_set_error(&c, msg);
	call_finish(&c, res);
}

/* A policy value of the skill (`skillhost config SKILL KEY N`) as a
 * positive number, or 0 when unset. */
static long long policy_number(const struct dispatch_opts *o,
                               const struct skill *s, const char *key)
{
	const char *v;
	long long n;

	if (!o || !o->services ||
	    !(v = config_policy(o->services->config, s->desc->name, key)))
		return 0;
	n = strtoll(v, NULL, 10);
	return n > 0 ? n : 0;
}

/* The executor kind of a tool's skill, when it has been opened. */
static const char *kind_of(const struct tool *t)
{
	struct executor *ex = atomic_load(&t->skill->exec);
	return ex ? ex->ops->kind : "none";
}

/* The audit status of a finished call. r is how the executor's part of it
 * ended: anything but EXEC_OK is the executor's word, whatever the skill
 * said. No default: a new outcome must be mapped here (-Wswitch). */
static const char *status_of(skill_status st, struct skill_call *c,
                             const struct exec_result *r)
{
	switch (r->outcome) {
	case EXEC_OK: break;
	case EXEC_DEADLINE: return "timeout";
	case EXEC_CANCELLED: return "cancelled";
	case EXEC_MEMORY_CAP: return "memory";
	case EXEC_VIOLATION: return "denied";
	case EXEC_BREAKER_OPEN:
	case EXEC_START_FAILED: return "unavailable";
	case EXEC_BUSY: return "busy";
	case EXEC_CRASHED:
	case EXEC_EXITED:
	case EXEC_PROTOCOL:
	case EXEC_HUNG_UP: return "crashed";
	}
	if (st == SKILL_ERR_TIMEOUT ||
	    (st == SKILL_ERR_CANCELLED && c->deadline_ns &&
	     call_remaining_ms(c) == 0))
		return "timeout";
	if (st == SKILL_ERR_CANCELLED)
		return "cancelled";
	return st != SKILL_OK || c->is_error ? "tool_error" : "ok";
}

/* The audit hash of a call's arguments, computed while the call runs. */
struct hash_ahead {
	pthread_t thread;
	const char *text;
	size_t len;
	cJSON *drop; /* freed by the thread too, when set before the start */
	int running;
	uint8_t h[AUDIT_ARGS_HASH_BYTES];
};

static void *hash_ahead_main(void *arg)
{
	struct hash_ahead *ha = arg;

	audit_args_hash(ha->text, ha->len, ha->h);
	cJSON_Delete(ha->drop);
	return NULL;
}

/* Start hashing text when it is large and the call is audited, and free
 * drop (NULL: nothing) on the same thread, or here when no thread runs.
 * When none can be had, account hashes the text as before. */
static void hash_ahead_start(struct hash_ahead *ha,
                             const struct dispatch_opts *o, const char *text,
                             size_t len, cJSON *drop)
{
	ha->running = 0;
	ha->drop = drop;
	if (text && len >= DISPATCH_HASH_AHEAD_MIN && o && o->services &&
	    o->services->audit) {
		ha->text = text;
		ha->len = len;
		ha->running =
		        !pthread_create(&ha->thread, NULL, hash_ahead_main, ha);
	}
	if (!ha->running)
		cJSON_Delete(drop);
}

/* The hash, once done; NULL when none was started. */
static const uint8_t *hash_ahead_join(struct hash_ahead *ha)
{
	if (!ha->running)
		return NULL;
	pthread_join(ha->thread, NULL);
	ha->running = 0;
	return ha->h;
}

/* Record a call that reached a tool in the audit log and the metrics.
 * Sizes only: arguments and results may hold secrets. */
static void account(const struct tool *t, const struct dispatch_opts *o,
                    const char *isolation, const char *status,
                    const char *detail, int64_t t0, const char *args,
                    const uint8_t *args_hash, uint64_t bytes_in,
                    uint64_t bytes_out, int is_error)
{
	const struct host_services *svc = o ? o->services : NULL;
	struct audit_record r = {
	        .caller = o ? o->caller : NULL,
	        .skill = t->skill->desc->name,
	        .version = t->skill->desc->version,
	        .digest = t->skill->digest,
	        .tool = t->canonical,
	        .args = args,
	        .args_len = args ? bytes_in : 0,
	        .args_hash = args_hash,
	        .isolation = isolation,
	        .status = status,
	        .detail = detail,
	        .duration_ns = call_now_ns() - t0,
	        .bytes_in = bytes_in,
	        .bytes_out = bytes_out,
	};

	if (!svc)
		return;
	metrics_observe(metrics_tool(svc->metrics, r.skill, r.tool),
	                r.duration_ns, is_error);
	audit_write(svc->audit, &r, NULL);
}

/* Run a validated call on the skill's executor and check what it wrote.
 * memfd: text as a sealed memfd (dispatch_opts), or 0. owned: args, when
 * the caller hands the tree over (run frees it, while the call runs when
 * the executor does not read it), else NULL. */
static sh_status run(struct catalog *cat, struct tool *t, const cJSON *args,
                     cJSON *owned, const char *text, size_t len, int memfd,
                     const struct dispatch_opts *o, struct call_result *res,
                     struct sh_error *e)
{
	struct skill *s = t->skill;
	const struct schema *out_schema = NULL;
	struct executor *ex;
	struct skill_call call;
	struct metrics_skill *ms;
	struct sh_error gate;
	struct exec_result outcome = {.outcome = EXEC_OK};
	skill_status st;
	sh_status rc;
	int serialized = (s->desc->flags & SKILL_FLAG_SERIALIZED) != 0;
	int64_t t0 = call_now_ns();
	int busy = 0;
	struct hash_ahead ha;
	cJSON *drop = NULL;

	rc = catalog_executor(cat, s, &ex, e);
	PHASE_MARK("dispatch: executor ready");
	if (rc != SH_OK) {
		cJSON_Delete(owned);
		account(t, o, "none", "unavailable", "start failed", t0, text,
		        NULL, len, 0, 1);
		return rc;
	}
	rc = catalog_output_schema(t, &out_schema, e);
	if (rc != SH_OK) {
		cJSON_Delete(owned);
		return rc;
	}
	/* A worker parses its own copy: the host's tree is done with, and
	 * goes while the call runs. */
	if (owned && ex->ops->text_only) {
		drop = owned;
		owned = NULL;
		args = NULL;
	}
	call_init(&call, s->desc->name, t->canonical, args);
	call.args_memfd = memfd;
	call.last_call = o && o->last_call;
	/* Installed skills are held to what their signed manifest declares. */
	call.perms = s->perms;
	/* Every call has a deadline, so a skill that spins cannot hold a
	 * worker forever: the caller's, else the skill's policy, else the
	 * host's default (config.h has the order). */
	call.deadline_ns =
	        call_now_ns() +
	        config_call_timeout_ms(o && o->services ? o->services->config
	                                                : NULL,
	                               s->desc->name, o ? o->timeout_ms : 0,
	                               o ? o->default_timeout_ms : 0) *
	                1000000;
	if (o) {
		call.cancel = o->cancel;
		call.sinks = o->sinks;
		call.services = o->services;
	}
	ms = o && o->services
	             ? metrics_skill(o->services->metrics, s->desc->name)
	             : NULL;
	hash_ahead_start(&ha, o, text, len, drop);
	if (metrics_skill_enter(
	            ms, (unsigned)policy_number(o, s, "concurrency"),
	            call.deadline_ns, call.cancel, &gate) != SH_OK) {
		char msg[DISPATCH_MSG_MAX];
		snprintf(msg, sizeof msg, "%s failed: %s", t->canonical,
		         gate.msg);
		call_set_error(&call, msg);
		st = gate.status == SH_ERR_TIMEOUT ? SKILL_ERR_TIMEOUT
		                                   : SKILL_ERR_CANCELLED;
		busy = 1;
	} else {
		if (serialized)
			pthread_mutex_lock(&s->serial);
		st = ex->ops->invoke(ex, t->index, text, len, &call, &outcome);
		PHASE_MARK("dispatch: invoke returned");
		if (serialized)
			pthread_mutex_unlock(&s->serial);
		metrics_skill_leave(ms);
	}

	if (st != SKILL_OK && !call.is_error) {
		char msg[DISPATCH_MSG_MAX];
		snprintf(msg, sizeof msg, "%s failed: %s", t->canonical,
		         st == SKILL_ERR_CANCELLED && call.deadline_ns &&
		                         call_remaining_ms(&call) == 0
		                 ? "the call's deadline passed"
		                 : call_skill_status_name(st));
		call_set_error(&call, msg);
	} else if (!call.is_error && out_schema) {
		char why[DISPATCH_WHY_MAX];
		char msg[DISPATCH_MSG_MAX];
		if (!call.structured) {
			snprintf(msg, sizeof msg,
			         "%s declares an output schema but returned no "
			         "structured result (a bug in skill %s)",
			         t->canonical, s->desc->name);
			hostlog(SKILL_LOG_ERROR, "%s", msg);
			call_set_error(&call, msg);
		} else if (!schema_validate(out_schema, call.structured, why,
		                            sizeof why)) {
			snprintf(msg, sizeof msg,
			         "%s returned a result that does not match its "
			         "output schema (a bug in skill %s): %s",
			         t->canonical, s->desc->name, why);
			hostlog(SKILL_LOG_ERROR, "%s", msg);
			call_set_error(&call, msg);
		}
	}
	account(t, o, ex->ops->kind,
	        busy ? "busy" : status_of(st, &call, &outcome),
	        outcome.outcome != EXEC_OK ? outcome.detail : NULL, t0, text,
	        hash_ahead_join(&ha), len, call.bytes, call.is_error);
	PHASE_MARK("dispatch: accounted");
	call_finish(&call, res);
	cJSON_Delete(owned);
	PHASE_MARK("dispatch: call finished");
	return SH_OK;
}

/* Validate args against t's input schema; on failure fill res. Returns 1
 * when the call may go ahead. */
static int validate_args(struct tool *t, const cJSON *args,
                         struct call_result *res, struct sh_error *e,
                         sh_status *rc)
{
	const struct schema *in = NULL;
	char why[DISPATCH_WHY_MAX];
	char msg[DISPATCH_MSG_MAX];

	*rc = catalog_input_schema(t, &in, e);
	if (*rc != SH_OK)
		return 0;
	if (!cJSON_IsObject(args)) {
		snprintf(msg, sizeof msg,
		         "Invalid arguments for %s: the arguments must be a "
		         "JSON "
		         "object",
		         t->canonical);
		error_result(res, msg);
		return 0;
	}
	if (in && !schema_validate(in, args, why, sizeof why)) {
		snprintf(msg, sizeof msg,
		         "Invalid arguments for %s: %s. Fix the arguments to "
		         "match the tool's input schema and call it again.",
		         t->canonical, why);
		error_result(res, msg);
		return 0;
	}
	return 1;
}

sh_status dispatch_call(struct catalog *c, const char *name,
                        const char *args_json, size_t len,
                        const struct dispatch_opts *o, struct call_result *res,
                        struct sh_error *e)
{
	struct tool *t;
	cJSON *args;
	sh_status rc;
	int64_t t0 = call_now_ns();
	int memfd = o ? o->args_memfd : 0;

	memset(res, 0, sizeof *res);
	t = catalog_find(c, name, e);
	if (!t)
		return SH_ERR_NOTFOUND;
	if (!args_json || len == 0) {
		args_json = "{}";
		len = 2;
		memfd = 0; /* it does not hold these bytes */
	}
	args = cJSON_ParseWithLength(args_json, len);
	PHASE_MARK("dispatch: arguments parsed");
	if (!args) {
		char msg[DISPATCH_MSG_MAX];
		const char *at = cJSON_GetErrorPtr();
		size_t off = at && at >= args_json && at <= args_json + len
		                     ? (size_t)(at - args_json)
		                     : 0;
		snprintf(msg, sizeof msg,
		         "Invalid arguments for %s: not valid JSON (error near "
		         "byte %zu). Send the arguments as one JSON object.",
		         t->canonical, off);
		error_result(res, msg);
		account(t, o, kind_of(t), "invalid_arguments", NULL, t0,
		        args_json, NULL, len, 0, 1);
		return SH_OK;
	}
	if (!validate_args(t, args, res, e, &rc)) {
		cJSON_Delete(args);
		if (rc == SH_OK)
			account(t, o, kind_of(t), "invalid_arguments", NULL, t0,
			        args_json, NULL, len, 0, 1);
		return rc;
	}
	PHASE_MARK("dispatch: arguments validated");
	/* The skill gets the caller's text as is: it is already valid, and
	 * re-printing would cost more than the rest of the dispatch. */
	rc = run(c, t, args, args, args_json, len, memfd, o, res, e);
	return rc;
}

sh_status dispatch_call_tool(struct catalog *c, struct tool *t,
                             const cJSON *args, const struct dispatch_opts *o,
                             struct call_result *res, struct sh_error *e)
{
	cJSON *empty = NULL;
	char *text;
	sh_status rc;
	int64_t t0 = call_now_ns();

	memset(res, 0, sizeof *res);
	if (!args)
		args = empty = cJSON_CreateObject();
	if (!args)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (!validate_args(t, args, res, e, &rc)) {
		cJSON_Delete(empty);
		if (rc == SH_OK)
			account(t, o, kind_of(t), "invalid_arguments", NULL, t0,
			        NULL, NULL, 0, 0, 1);
		return rc;
	}
	text = cJSON_PrintUnformatted(args);
	if (!text) {
		cJSON_Delete(empty);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	rc = run(c, t, args, NULL, text, strlen(text), 0, o, res, e);
	free(text);
	cJSON_Delete(empty);
	return rc;
}

sh_status dispatch_call_ext(struct catalog *cat, struct skill *s,
                            uint32_t index, const cJSON *args,
                            const struct dispatch_opts *o,
                            struct call_result *res, skill_status *st,
                            struct sh_error *e)
{
	int serialized = (s->desc->flags & SKILL_FLAG_SERIALIZED) != 0;
	struct exec_result outcome = {.outcome = EXEC_OK};
	struct skill_call call;
	struct executor *ex;
	char *text;
	sh_status rc;

	memset(res, 0, sizeof *res);
	*st = SKILL_ERR_INTERNAL;
	if ((rc = catalog_executor(cat, s, &ex, e)) != SH_OK)
		return rc;
	if (!(text = cJSON_PrintUnformatted(args)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	call_init(&call, s->desc->name,
	          index == EXTCALL_RESOURCE_READ   ? "resources/read"
	          : index == EXTCALL_RESOURCE_LIST ? "resources/list"
	                                           : "completion/complete",
	          args);
	call.perms = s->perms;
	call.deadline_ns =
	        call_now_ns() +
	        config_call_timeout_ms(o && o->services ? o->services->config
	                                                : NULL,
	                               s->desc->name, o ? o->timeout_ms : 0,
	                               o ? o->default_timeout_ms : 0) *
	                1000000;
	if (o) {
		call.cancel = o->cancel;
		call.sinks = o->sinks;
		call.services = o->services;
	}
	if (serialized)
		pthread_mutex_lock(&s->serial);
	*st = ex->ops->invoke(ex, index, text, strlen(text), &call, &outcome);
	if (serialized)
		pthread_mutex_unlock(&s->serial);
	free(text);
	if (*st != SKILL_OK && *st != SKILL_ERR_UNSUPPORTED && !call.is_error) {
		char msg[DISPATCH_MSG_MAX];
		snprintf(msg, sizeof msg, "%s failed: %s", s->desc->name,
		         *st == SKILL_ERR_CANCELLED && call.deadline_ns &&
		                         call_remaining_ms(&call) == 0
		                 ? "the call's deadline passed"
		                 : call_skill_status_name(*st));
		call_set_error(&call, msg);
	}
	call_finish(&call, res);
	return SH_OK;
}
