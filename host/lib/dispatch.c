/*
 * dispatch.c - validate, serialize, run, check. See dispatch.h.
 */
#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlog.h"
#include "schema.h"

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

/* Run a validated call on the skill's executor and check what it wrote. */
static sh_status run(struct catalog *cat, struct tool *t, const cJSON *args,
                     const char *text, size_t len,
                     const struct dispatch_opts *o, struct call_result *res,
                     struct sh_error *e)
{
	struct skill *s = t->skill;
	const struct schema *out_schema = NULL;
	struct executor *ex;
	struct skill_call call;
	skill_status st;
	sh_status rc;
	int serialized = (s->desc->flags & SKILL_FLAG_SERIALIZED) != 0;

	rc = catalog_executor(cat, s, &ex, e);
	if (rc != SH_OK)
		return rc;
	rc = catalog_output_schema(t, &out_schema, e);
	if (rc != SH_OK)
		return rc;
	call_init(&call, s->desc->name, t->canonical, args);
	/* Installed skills are held to what their signed manifest declares. */
	if (s->user)
		call.permissions = cJSON_GetObjectItemCaseSensitive(s->user,
		                                                    "permissions");
	if (o) {
		call.cancel = o->cancel;
		call.sinks = o->sinks;
		call.services = o->services;
		if (o->timeout_ms > 0)
			call.deadline_ns = call_now_ns() + o->timeout_ms * 1000000;
	}
	if (serialized)
		pthread_mutex_lock(&s->serial);
	st = ex->ops->invoke(ex, t->index, text, len, &call);
	if (serialized)
		pthread_mutex_unlock(&s->serial);

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
	call_finish(&call, res);
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
		         "Invalid arguments for %s: the arguments must be a JSON "
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
                        const struct dispatch_opts *o,
                        struct call_result *res, struct sh_error *e)
{
	struct tool *t;
	cJSON *args;
	sh_status rc;

	memset(res, 0, sizeof *res);
	t = catalog_find(c, name, e);
	if (!t)
		return SH_ERR_NOTFOUND;
	if (!args_json || len == 0) {
		args_json = "{}";
		len = 2;
	}
	args = cJSON_ParseWithLength(args_json, len);
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
		return SH_OK;
	}
	if (!validate_args(t, args, res, e, &rc)) {
		cJSON_Delete(args);
		return rc;
	}
	/* The skill gets the caller's text as is: it is already valid, and
	 * re-printing would cost more than the rest of the dispatch. */
	rc = run(c, t, args, args_json, len, o, res, e);
	cJSON_Delete(args);
	return rc;
}

sh_status dispatch_call_tool(struct catalog *c, struct tool *t,
                             const cJSON *args,
                             const struct dispatch_opts *o,
                             struct call_result *res, struct sh_error *e)
{
	cJSON *empty = NULL;
	char *text;
	sh_status rc;

	memset(res, 0, sizeof *res);
	if (!args)
		args = empty = cJSON_CreateObject();
	if (!args)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (!validate_args(t, args, res, e, &rc)) {
		cJSON_Delete(empty);
		return rc;
	}
	text = cJSON_PrintUnformatted(args);
	if (!text) {
		cJSON_Delete(empty);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	rc = run(c, t, args, text, strlen(text), o, res, e);
	free(text);
	cJSON_Delete(empty);
	return rc;
}
