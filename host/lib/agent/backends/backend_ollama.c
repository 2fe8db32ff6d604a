/*
 * backend_ollama.c - Ollama's chat API (POST /api/chat, stream:false).
 *
 *   request   {model, messages:[{role,content}], tools:[{type:"function",
 *              function:{name,description,parameters}}], stream:false}
 *   reply     {message:{role:"assistant",content,tool_calls:[{function:
 *              {name, arguments:{object}}}]}, done_reason,
 *              prompt_eval_count, eval_count}
 *   results   one {role:"tool", content, tool_name} per call, in call
 *              order; no error flag, so a failure's content starts "Error: "
 *
 * Arguments arrive as an object, not as JSON text; a server that sends a
 * string is taken at its word and the string checked like any other. Calls
 * carry no id: the host makes one up for the transcript. The server is
 * local by default (OLLAMA_HOST, else 127.0.0.1:11434) and needs no key;
 * OLLAMA_API_KEY, when set, is sent as a bearer token (Ollama's cloud).
 *
 * Part of the backend interface (backend.h); [control] like it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "jsonnum.h"

#define OLLAMA_DEFAULT_BASE "http://127.0.0.1:11434"
#define OLLAMA_HOST_MAX     512

static sh_status ollama_setup(struct backend *b,
                              const struct backend_config *cfg,
                              struct sh_error *e)
{
	const char *key =
	        cfg->api_key ? cfg->api_key : backend_env("OLLAMA_API_KEY");
	const char *base = cfg->base_url;
	char host[OLLAMA_HOST_MAX];
	sh_status rc;

	if (!base && (base = backend_env("OLLAMA_HOST")) &&
	    strncmp(base, "http://", 7) && strncmp(base, "https://", 8)) {
		/* OLLAMA_HOST is often host:port without a scheme. */
		if (snprintf(host, sizeof host, "http://%s", base) >=
		    (int)sizeof host)
			return sh_error_set(e, SH_ERR_USAGE,
			                    "OLLAMA_HOST is too long");
		base = host;
	}
	if (key) {
		rc = backend_auth_header(b, "Authorization", "Bearer ", key, e);
		if (rc != SH_OK)
			return rc;
	}
	return backend_set_url(b, base ? base : OLLAMA_DEFAULT_BASE,
	                       "/api/chat", e);
}

static int add_message(cJSON *msgs, const char *role, const char *content,
                       cJSON **out)
{
	cJSON *m = cJSON_CreateObject();

	if (!m || !cJSON_AddStringToObject(m, "role", role) ||
	    !cJSON_AddStringToObject(m, "content", content)) {
		cJSON_Delete(m);
		return 0;
	}
	cJSON_AddItemToArray(msgs, m);
	if (out)
		*out = m;
	return 1;
}

static int add_assistant(cJSON *msgs, const struct tr_msg *a)
{
	cJSON *m, *calls, *c, *f;

	if (!add_message(msgs, "assistant", a->text ? a->text : "", &m))
		return 0;
	if (!a->ncalls)
		return 1;
	if (!(calls = cJSON_AddArrayToObject(m, "tool_calls")))
		return 0;
	for (size_t i = 0; i < a->ncalls; i++) {
		cJSON *args = tr_call_args_object(&a->calls[i]);
		if (!args || !(c = cJSON_CreateObject())) {
			cJSON_Delete(args);
			return 0;
		}
		cJSON_AddItemToArray(calls, c);
		if (!(f = cJSON_AddObjectToObject(c, "function")) ||
		    !cJSON_AddStringToObject(f, "name", a->calls[i].name)) {
			cJSON_Delete(args);
			return 0;
		}
		cJSON_AddItemToObject(f, "arguments", args);
	}
	return 1;
}

static int add_results(cJSON *msgs, const struct tr_msg *t)
{
	for (size_t i = 0; i < t->nresults; i++) {
		const struct tr_result *r = &t->results[i];
		char *text = tr_result_text(r->result, 0), *content = text;
		cJSON *m;
		int ok;

		if (text && r->is_error) {
			size_t n = strlen(text) + 8;
			if ((content = malloc(n)))
				snprintf(content, n, "Error: %s", text);
		}
		ok = content && add_message(msgs, "tool", content, &m) &&
		     cJSON_AddStringToObject(m, "tool_name", r->name);
		if (content != text)
			free(content);
		free(text);
		if (!ok)
			return 0;
	}
	return 1;
}

static sh_status ollama_build(struct backend *b, const struct transcript *tr,
                              const cJSON *tools, cJSON **body,
                              struct sh_error *e)
{
	cJSON *o = cJSON_CreateObject(), *msgs, *x;
	int ok;

	*body = NULL;
	if (!o || !cJSON_AddStringToObject(o, "model", b->model) ||
	    !(msgs = cJSON_AddArrayToObject(o, "messages")) ||
	    !cJSON_AddBoolToObject(o, "stream", 0))
		goto nomem;
	if (tr->system && !add_message(msgs, "system", tr->system, NULL))
		goto nomem;
	for (size_t i = 0; i < tr->nmsgs; i++) {
		const struct tr_msg *m = &tr->msgs[i];
		switch (m->role) {
		case TR_USER:
			ok = add_message(msgs, "user", m->text ? m->text : "",
			                 NULL);
			break;
		case TR_ASSISTANT: ok = add_assistant(msgs, m); break;
		default: ok = add_results(msgs, m);
		}
		if (!ok)
			goto nomem;
	}
	if (cJSON_GetArraySize(tools) > 0)
		cJSON_AddItemReferenceToObject(o, "tools", (cJSON *)tools);
	if (b->max_tokens > 0 &&
	    (!(x = cJSON_AddObjectToObject(o, "options")) ||
	     !cJSON_AddNumberToObject(x, "num_predict", b->max_tokens)))
		goto nomem;
	*body = o;
	return SH_OK;
nomem:
	cJSON_Delete(o);
	return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
}

static sh_status ollama_parse(struct backend *b, const cJSON *resp,
                              struct tr_msg *out, struct sh_error *e)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(resp, "message");
	const cJSON *calls =
	        cJSON_GetObjectItemCaseSensitive(msg, "tool_calls");
	const cJSON *list = cJSON_IsArray(calls) ? calls : NULL;
	const cJSON *call, *v;
	const char *text, *done;
	sh_status rc;

	if (backend_str(resp, "error"))
		return sh_error_set(e, SH_ERR_FAIL, "error: %s",
		                    backend_str(resp, "error"));
	if (!cJSON_IsObject(msg))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the response has no message object");
	if ((text = backend_str(msg, "content")) && *text &&
	    (rc = tr_msg_append_text(out, text, e)) != SH_OK)
		return rc;
	cJSON_ArrayForEach(call, list)
	{
		const cJSON *f =
		        cJSON_GetObjectItemCaseSensitive(call, "function");
		const char *name = backend_str(f, "name");
		const cJSON *args =
		        cJSON_GetObjectItemCaseSensitive(f, "arguments");
		char *printed = NULL;
		if (!name)
			return sh_error_set(e, SH_ERR_INVALID,
			                    "a tool call in message.tool_calls "
			                    "has no function name");
		if (args && !cJSON_IsString(args) &&
		    !(printed = cJSON_PrintUnformatted(args)))
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		rc = tr_msg_add_call(out, NULL, name,
		                     printed ? printed
		                     : args  ? args->valuestring
		                             : "{}",
		                     "ollama_call", ++b->made_ids, e);
		cJSON_free(printed);
		if (rc != SH_OK)
			return rc;
	}
	if ((done = backend_str(resp, "done_reason")) &&
	    !(out->stop = strdup(done)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(
	                           resp, "prompt_eval_count")))
		out->usage.input_tokens = json_int64(v, 0);
	if (cJSON_IsNumber(
	            v = cJSON_GetObjectItemCaseSensitive(resp, "eval_count")))
		out->usage.output_tokens = json_int64(v, 0);
	return SH_OK;
}

static const char *ollama_error(const cJSON *body)
{
	return backend_str(body, "error");
}

const struct backend_ops backend_ollama_ops = {
        .name = "ollama",
        .wire = "ollama",
        .tools = TOOLFMT_OLLAMA,
        .setup = ollama_setup,
        .build = ollama_build,
        .parse = ollama_parse,
        .error_message = ollama_error,
};
