/*
 * skillhost.c - the public embedding API (include/skillhost/). A thin layer
 * over the runtime: it converts options, errors and results at the boundary
 * so nothing of the internal types reaches a program, and it is the only
 * code libskillhost.so exports (SH_API).
 */
#include <skillhost/skillhost.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "call.h"
#include "catalog.h"
#include "runtime.h"
#include "status.h"
#include "toolfmt.h"

/* The public codes are the internal ones under a public name: both lists
 * are append-only, so they can be converted by value. */
_Static_assert(SKILLHOST_OK == (int)SH_OK, "status");
_Static_assert(SKILLHOST_ERR_TOOL == (int)SH_ERR_TOOL, "status");
_Static_assert(SKILLHOST_ERR_USAGE == (int)SH_ERR_USAGE, "status");
_Static_assert(SKILLHOST_ERR_TRUST == (int)SH_ERR_TRUST, "status");
_Static_assert(SKILLHOST_ERR_NOTFOUND == (int)SH_ERR_NOTFOUND, "status");
_Static_assert(SKILLHOST_ERR_FAIL == (int)SH_ERR_FAIL, "status");
_Static_assert(SKILLHOST_ERR_IO == (int)SH_ERR_IO, "status");
_Static_assert(SKILLHOST_ERR_ABI == (int)SH_ERR_ABI, "status");
_Static_assert(SKILLHOST_ERR_NOMEM == (int)SH_ERR_NOMEM, "status");
_Static_assert(SKILLHOST_ERR_INVALID == (int)SH_ERR_INVALID, "status");
_Static_assert(SKILLHOST_ERR_BUSY == (int)SH_ERR_BUSY, "status");
_Static_assert(SKILLHOST_ERR_TIMEOUT == (int)SH_ERR_TIMEOUT, "status");
_Static_assert(SKILLHOST_ERR_CANCELLED == (int)SH_ERR_CANCELLED, "status");
_Static_assert(SKILLHOST_ERR_DENIED == (int)SH_ERR_DENIED, "status");
_Static_assert(SKILLHOST_ERROR_MESSAGE_MAX == SH_ERROR_MSG_MAX, "message");

struct skillhost_runtime {
	struct runtime *rt;
};

/* Copy an internal error out; returns its status. */
static skillhost_status put_error(skillhost_error *out,
                                  const struct sh_error *in)
{
	if (out) {
		out->status = (skillhost_status)in->status;
		memcpy(out->message, in->msg, sizeof out->message);
	}
	return (skillhost_status)in->status;
}

static skillhost_status fail(skillhost_error *out, sh_status st,
                             const char *msg)
{
	struct sh_error e;

	sh_error_set(&e, st, "%s", msg);
	return put_error(out, &e);
}

static void clear(skillhost_error *e)
{
	if (e) {
		e->status = SKILLHOST_OK;
		e->message[0] = '\0';
	}
}

SH_API const char *skillhost_status_name(skillhost_status st)
{
	if ((int)st < SKILLHOST_OK || st > SKILLHOST_ERR_DENIED)
		return "unknown";
	return sh_status_name((sh_status)st);
}

SH_API const char *skillhost_version(void)
{
	return SKILLHOST_VERSION;
}

SH_API skillhost_status skillhost_open(const skillhost_options *o,
                                       skillhost_runtime **out,
                                       skillhost_error *e)
{
	skillhost_options opts;
	struct runtime_opts ro = {0};
	struct skillhost_runtime *h;
	struct sh_error err;

	clear(e);
	if (!out)
		return fail(e, SH_ERR_USAGE, "skillhost_open: out is NULL");
	*out = NULL;
	memset(&opts, 0, sizeof opts);
	if (o) {
		/* A program built against an older header passes a shorter
		 * struct: read only what it has, the rest stays 0. */
		if (o->struct_size < sizeof o->struct_size ||
		    o->struct_size > sizeof opts)
			return fail(e, SH_ERR_USAGE,
			            "skillhost_open: options.struct_size is "
			            "not sizeof(skillhost_options) (set it, "
			            "and build against the headers of the "
			            "libskillhost you run with)");
		memcpy(&opts, o, o->struct_size);
	}
	ro.home = opts.home;
	ro.artifacts_dir = opts.artifacts_dir;
	ro.no_store = opts.no_store;
	ro.isolate_files = !opts.files_in_process;
	ro.caller = opts.caller;
	if (!(h = calloc(1, sizeof *h)))
		return fail(e, SH_ERR_NOMEM, "out of memory");
	if (runtime_open(&ro, &h->rt, &err) != SH_OK)
		goto fail;
	for (size_t i = 0; opts.skill_files && opts.skill_files[i]; i++)
		if (runtime_add_skill_file(h->rt, opts.skill_files[i], &err) !=
		    SH_OK)
			goto fail;
	if (runtime_seal(h->rt, &err) != SH_OK)
		goto fail;
	*out = h;
	return SKILLHOST_OK;
fail:
	runtime_close(h->rt);
	free(h);
	return put_error(e, &err);
}

SH_API skillhost_status skillhost_list_tools(skillhost_runtime *h,
                                             char **json_out,
                                             skillhost_error *e)
{
	struct catalog *cat;
	cJSON *list;

	clear(e);
	if (!h || !json_out)
		return fail(e, SH_ERR_USAGE,
		            "skillhost_list_tools: runtime or out is NULL");
	*json_out = NULL;
	cat = runtime_acquire(h->rt);
	list = cJSON_CreateArray();
	for (size_t i = 0; list && i < catalog_tool_count(cat); i++) {
		cJSON *t = toolfmt_mcp(catalog_tool_at(cat, i));
		if (!t || !cJSON_AddItemToArray(list, t)) {
			cJSON_Delete(t);
			cJSON_Delete(list);
			list = NULL;
		}
	}
	runtime_release(cat);
	if (list)
		*json_out = cJSON_PrintUnformatted(list);
	cJSON_Delete(list);
	if (!*json_out)
		return fail(e, SH_ERR_NOMEM,
		            "out of memory listing the tools (or a stored "
		            "schema does not parse: reinstall the skill)");
	return SKILLHOST_OK;
}

SH_API skillhost_status skillhost_call(skillhost_runtime *h, const char *tool,
                                       const char *args_json,
                                       int64_t timeout_ms, char **result_out,
                                       skillhost_error *e)
{
	struct call_result res = {0};
	struct sh_error err;
	cJSON *json;
	int is_error;

	clear(e);
	if (!h || !tool || !result_out)
		return fail(e, SH_ERR_USAGE,
		            "skillhost_call: runtime, tool or out is NULL");
	*result_out = NULL;
	if (timeout_ms < 0)
		return fail(e, SH_ERR_USAGE,
		            "skillhost_call: timeout_ms is negative (0 means "
		            "no deadline)");
	if (runtime_call(h->rt, tool, args_json,
	                 args_json ? strlen(args_json) : 0, NULL, timeout_ms,
	                 NULL, &res, &err) != SH_OK)
		return put_error(e, &err);
	is_error = res.is_error;
	json = call_result_to_json(&res);
	*result_out = json ? cJSON_PrintUnformatted(json) : NULL;
	cJSON_Delete(json);
	if (!*result_out)
		return fail(e, SH_ERR_NOMEM,
		            "out of memory serializing the "
		            "result");
	if (is_error) {
		sh_error_set(&err, SH_ERR_TOOL,
		             "%s reported an error (the result says what)",
		             tool);
		return put_error(e, &err);
	}
	return SKILLHOST_OK;
}

SH_API void skillhost_free(char *s)
{
	/* The strings come from cJSON_Print*: give them back to its
	 * allocator. */
	cJSON_free(s);
}

SH_API void skillhost_close(skillhost_runtime *h)
{
	if (!h)
		return;
	runtime_close(h->rt);
	free(h);
}
