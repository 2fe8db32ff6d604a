/*
 * backend_responses.c - the OpenAI Responses API (POST /v1/responses).
 *
 *   request   {model, instructions?, input:[items], tools:[{type:"function",
 *              name,description,parameters,strict}]}
 *   reply     output:[{type:"message",content:[{type:"output_text",text}]},
 *              {type:"function_call",call_id,name,arguments:"<JSON>"},
 *              {type:"reasoning",...}], status, usage {input_tokens,
 *              output_tokens}
 *   results   input items {type:"function_call_output", call_id, output};
 *              no error flag, so a failed call's output starts "Error: "
 *
 * The model's output items are kept as the message's native form and sent
 * back verbatim while the conversation stays on this wire, as the API asks
 * (reasoning items must accompany the function calls they led to). After a
 * fallback from another vendor, earlier turns are rebuilt as plain
 * assistant messages and function_call items.
 *
 * Part of the backend interface (backend.h); [control] like it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "jsonnum.h"

#define RESPONSES_DEFAULT_BASE "https://api.openai.com/v1"
#define RESPONSES_MAX_TOOLS    128
#define RESPONSES_WIRE         "openai-responses"

static sh_status responses_setup(struct backend *b,
                                 const struct backend_config *cfg,
                                 struct sh_error *e)
{
	const char *key =
	        cfg->api_key ? cfg->api_key : backend_env("OPENAI_API_KEY");
	const char *base =
	        cfg->base_url ? cfg->base_url : backend_env("OPENAI_BASE_URL");
	sh_status rc;

	if (!key)
		return backend_missing(
		        e, b->ops->name, "OPENAI_API_KEY",
		        "OPENAI_API_KEY with your OpenAI API key");
	rc = backend_auth_header(b, "Authorization", "Bearer ", key, e);
	if (rc != SH_OK)
		return rc;
	return backend_set_url(b, base ? base : RESPONSES_DEFAULT_BASE,
	                       "/responses", e);
}

static int add_easy(cJSON *input, const char *role, const char *text)
{
	cJSON *m = cJSON_CreateObject();

	if (!m || !cJSON_AddStringToObject(m, "role", role) ||
	    !cJSON_AddStringToObject(m, "content", text)) {
		cJSON_Delete(m);
		return 0;
	}
	cJSON_AddItemToArray(input, m);
	return 1;
}

static int add_assistant(cJSON *input, const struct tr_msg *a)
{
	const cJSON *it;

	if (a->native && a->wire && !strcmp(a->wire, RESPONSES_WIRE)) {
		cJSON_ArrayForEach(it, a->native)
		{
			cJSON *d = cJSON_Duplicate(it, 1);
			if (!d)
				return 0;
			cJSON_AddItemToArray(input, d);
		}
		return 1;
	}
	if (a->text && *a->text && !add_easy(input, "assistant", a->text))
		return 0;
	for (size_t i = 0; i < a->ncalls; i++) {
		cJSON *c = cJSON_CreateObject();
		if (!c)
			return 0;
		cJSON_AddItemToArray(input, c);
		if (!cJSON_AddStringToObject(c, "type", "function_call") ||
		    !cJSON_AddStringToObject(c, "call_id", a->calls[i].id) ||
		    !cJSON_AddStringToObject(c, "name", a->calls[i].name) ||
		    !cJSON_AddStringToObject(c, "arguments",
		                             a->calls[i].arguments))
			return 0;
	}
	return 1;
}

static int add_results(cJSON *input, const struct tr_msg *t)
{
	for (size_t i = 0; i < t->nresults; i++) {
		const struct tr_result *r = &t->results[i];
		char *text = tr_result_text(r->result, 0), *out = text;
		cJSON *o = cJSON_CreateObject();
		int ok;

		if (text && r->is_error) {
			size_t n = strlen(text) + 8;
			if ((out = malloc(n)))
				snprintf(out, n, "Error: %s", text);
		}
		ok = o && out &&
		     cJSON_AddStringToObject(o, "type",
		                             "function_call_output") &&
		     cJSON_AddStringToObject(o, "call_id", r->call_id) &&
		     cJSON_AddStringToObject(o, "output", out);
		if (out != text)
			free(out);
		free(text);
		if (!ok) {
			cJSON_Delete(o);
			return 0;
		}
		cJSON_AddItemToArray(input, o);
	}
	return 1;
}

static sh_status responses_build(struct backend *b, const struct transcript *tr,
                                 const cJSON *tools, cJSON **body,
                                 struct sh_error *e)
{
	cJSON *o = cJSON_CreateObject(), *input;
	int ok;

	*body = NULL;
	if (!o || !cJSON_AddStringToObject(o, "model", b->model) ||
	    (tr->system &&
	     !cJSON_AddStringToObject(o, "instructions", tr->system)) ||
	    !(input = cJSON_AddArrayToObject(o, "input")))
		goto nomem;
	for (size_t i = 0; i < tr->nmsgs; i++) {
		const struct tr_msg *m = &tr->msgs[i];
		switch (m->role) {
		case TR_USER:
			ok = add_easy(input, "user", m->text ? m->text : "");
			break;
		case TR_ASSISTANT: ok = add_assistant(input, m); break;
		default: ok = add_results(input, m);
		}
		if (!ok)
			goto nomem;
	}
	if (cJSON_GetArraySize(tools) > 0)
		cJSON_AddItemReferenceToObject(o, "tools", (cJSON *)tools);
	if (b->max_tokens > 0 &&
	    !cJSON_AddNumberToObject(o, "max_output_tokens", b->max_tokens))
		goto nomem;
	*body = o;
	return SH_OK;
nomem:
	cJSON_Delete(o);
	return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
}

/* Append s to *text (joined by newlines). */
static sh_status responses_parse(struct backend *b, const cJSON *resp,
                                 struct tr_msg *out, struct sh_error *e)
{
	const cJSON *output = cJSON_GetObjectItemCaseSensitive(resp, "output");
	const char *status = backend_str(resp, "status");
	const cJSON *it, *usage, *v;
	sh_status rc;

	if (status && !strcmp(status, "failed")) {
		const cJSON *err =
		        cJSON_GetObjectItemCaseSensitive(resp, "error");
		return sh_error_set(e, SH_ERR_FAIL, "the response failed: %s",
		                    backend_str(err, "message")
		                            ? backend_str(err, "message")
		                            : "(no message)");
	}
	if (!cJSON_IsArray(output))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the response has no output array");
	cJSON_ArrayForEach(it, output)
	{
		const char *type = backend_str(it, "type");
		if (!type)
			return sh_error_set(e, SH_ERR_INVALID,
			                    "an output item has no type");
		if (!strcmp(type, "message")) {
			const cJSON *parts =
			        cJSON_GetObjectItemCaseSensitive(it, "content");
			const cJSON *p;
			cJSON_ArrayForEach(p, parts)
			{
				const char *pt = backend_str(p, "type");
				const char *s =
				        pt && !strcmp(pt, "refusal")
				                ? backend_str(p, "refusal")
				                : backend_str(p, "text");
				if (s && (rc = tr_msg_append_text(out, s, e)) !=
				                 SH_OK)
					return rc;
			}
		} else if (!strcmp(type, "function_call")) {
			const char *id = backend_str(it, "call_id");
			const char *name = backend_str(it, "name");
			const char *args = backend_str(it, "arguments");
			if (!id || !name)
				return sh_error_set(
				        e, SH_ERR_INVALID,
				        "a function_call output item "
				        "lacks call_id or name");
			rc = tr_msg_add_call(out, id, name, args ? args : "{}",
			                     NULL, 0, e);
			if (rc != SH_OK)
				return rc;
		}
		/* reasoning and other items live on in native only */
	}
	if (status && !(out->stop = strdup(status)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (!(out->native = cJSON_Duplicate(output, 1)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	usage = cJSON_GetObjectItemCaseSensitive(resp, "usage");
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(
	                           usage, "input_tokens")))
		out->usage.input_tokens = json_int64(v, 0);
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(
	                           usage, "output_tokens")))
		out->usage.output_tokens = json_int64(v, 0);
	(void)b;
	return SH_OK;
}

static const char *responses_error(const cJSON *body)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(body, "error");

	return backend_str(err, "message");
}

const struct backend_ops backend_responses_ops = {
        .name = "openai-responses",
        .wire = RESPONSES_WIRE,
        .tools = TOOLFMT_OPENAI_RESPONSES,
        .max_tools = RESPONSES_MAX_TOOLS,
        .setup = responses_setup,
        .build = responses_build,
        .parse = responses_parse,
        .error_message = responses_error,
};
