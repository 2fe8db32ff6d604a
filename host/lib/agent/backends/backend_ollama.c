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
 * An adapter behind backend_int.h; [control] like backend.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_int.h"

#define OLLAMA_DEFAULT_BASE "http://127.0.0.1:11434"
#define OLLAMA_HOST_MAX     512

static sh_status ollama_setup(struct backend *b,
                              const struct backend_config *cfg,
                              struct sh_error *e)
{
	/* No key_hint: the key is optional (only Ollama's cloud wants one). */
	static const struct backend_endpoint ep = {
	        .key_var = "OLLAMA_API_KEY",
	        .header = "Authorization",
	        .prefix = "Bearer ",
	};
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
	if ((rc = backend_key(b, cfg, &ep, e)) != SH_OK)
		return rc;
	return backend_set_url(b, base ? base : OLLAMA_DEFAULT_BASE,
	                       "/api/chat", e);
}

static int add_assistant(cJSON *msgs, const struct tr_msg *a)
{
	cJSON *m = backend_add_message(msgs, "assistant",
	                               a->text ? a->text : ""),
	      *calls, *c, *f;

	if (!m)
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

static const struct backend_result_item ollama_results = {
        "role", "tool", NULL, "content", "tool_name"};

static const struct backend_turns ollama_turns = {
        .assistant = add_assistant,
        .items = &ollama_results,
};

static sh_status ollama_build(struct backend *b, const struct transcript *tr,
                              const cJSON *tools, cJSON **body,
                              struct sh_error *e)
{
	cJSON *o = cJSON_CreateObject(), *msgs, *x;

	*body = NULL;
	if (!o || !cJSON_AddStringToObject(o, "model", b->model) ||
	    !(msgs = cJSON_AddArrayToObject(o, "messages")) ||
	    !cJSON_AddBoolToObject(o, "stream", 0) ||
	    (tr->system && !backend_add_message(msgs, "system", tr->system)) ||
	    !backend_add_turns(msgs, tr, &ollama_turns))
		return backend_build_nomem(o, e);
	backend_add_tools(o, "tools", tools);
	if (b->max_tokens > 0 &&
	    (!(x = cJSON_AddObjectToObject(o, "options")) ||
	     !cJSON_AddNumberToObject(x, "num_predict", b->max_tokens)))
		return backend_build_nomem(o, e);
	*body = o;
	return SH_OK;
}

static sh_status ollama_parse(struct backend *b, const cJSON *resp,
                              struct tr_msg *out, struct sh_error *e)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(resp, "message");
	const cJSON *calls =
	        cJSON_GetObjectItemCaseSensitive(msg, "tool_calls");
	const cJSON *list = cJSON_IsArray(calls) ? calls : NULL;
	const cJSON *call;
	const char *text;
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
		rc = backend_add_function_call(
		        out, call, "ollama_call", &b->made_ids,
		        "a tool call in message.tool_calls "
		        "has no function name",
		        e);
		if (rc != SH_OK)
			return rc;
	}
	out->usage.input_tokens = backend_num(resp, "prompt_eval_count");
	out->usage.output_tokens = backend_num(resp, "eval_count");
	return backend_set_stop(out, backend_str(resp, "done_reason"), e);
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
