/*
 * backend_openai.c - OpenAI Chat Completions, and Azure OpenAI (the same
 * wire format at a deployment URL with an api-key header).
 *
 *   request   {model, messages:[{role:"system"|"user"|"assistant"|"tool"}],
 *              tools:[{type:"function",function:{...}}]}
 *   reply     choices[0].message {content, tool_calls:[{id,type:"function",
 *              function:{name,arguments:"<JSON text>"}}]}, finish_reason,
 *              usage {prompt_tokens, completion_tokens}
 *   results   one {role:"tool", tool_call_id, content} per call; the API
 *              has no error flag, so a failed call's content starts with
 *              "Error: " and says what went wrong
 *
 * Chat messages carry nothing a neutral transcript loses, so turns are
 * always rebuilt from the transcript (no native replay).
 *
 * Part of the backend interface (backend.h); [control] like it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "jsonnum.h"

#define OPENAI_DEFAULT_BASE "https://api.openai.com/v1"
#define OPENAI_MAX_TOOLS    128
#define AZURE_PATH_MAX      1024

static sh_status openai_setup(struct backend *b,
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
	return backend_set_url(b, base ? base : OPENAI_DEFAULT_BASE,
	                       "/chat/completions", e);
}

static sh_status azure_setup(struct backend *b,
                             const struct backend_config *cfg,
                             struct sh_error *e)
{
	const char *key = cfg->api_key ? cfg->api_key
	                               : backend_env("AZURE_OPENAI_API_KEY");
	const char *base = cfg->base_url ? cfg->base_url
	                                 : backend_env("AZURE_OPENAI_ENDPOINT");
	const char *ver = cfg->api_version
	                          ? cfg->api_version
	                          : backend_env("AZURE_OPENAI_API_VERSION");
	char dep[AZURE_PATH_MAX / 3], vesc[64], path[AZURE_PATH_MAX];
	sh_status rc;

	if (!key)
		return backend_missing(e, "azure", "AZURE_OPENAI_API_KEY",
		                       "AZURE_OPENAI_API_KEY with your Azure "
		                       "OpenAI resource's key");
	if (!base)
		return backend_missing(
		        e, "azure", "AZURE_OPENAI_ENDPOINT",
		        "AZURE_OPENAI_ENDPOINT (https://RESOURCE."
		        "openai.azure.com) or pass --base-url");
	if (!ver)
		ver = BACKEND_AZURE_API_VERSION;
	if (!backend_path_escape(b->model, dep, sizeof dep) ||
	    !backend_path_escape(ver, vesc, sizeof vesc))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "backend azure: the deployment name or API "
		                    "version is too long");
	rc = backend_auth_header(b, "api-key", "", key, e);
	if (rc != SH_OK)
		return rc;
	snprintf(path, sizeof path,
	         "/openai/deployments/%s/chat/completions?api-version=%s", dep,
	         vesc);
	return backend_set_url(b, base, path, e);
}

static cJSON *call_json(const struct tr_call *c)
{
	cJSON *o = cJSON_CreateObject(), *f;

	if (!o || !cJSON_AddStringToObject(o, "id", c->id) ||
	    !cJSON_AddStringToObject(o, "type", "function") ||
	    !(f = cJSON_AddObjectToObject(o, "function")) ||
	    !cJSON_AddStringToObject(f, "name", c->name) ||
	    !cJSON_AddStringToObject(f, "arguments", c->arguments)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int add_message(cJSON *msgs, const char *role, const char *content)
{
	cJSON *m = cJSON_CreateObject();

	if (!m || !cJSON_AddStringToObject(m, "role", role) ||
	    !cJSON_AddStringToObject(m, "content", content)) {
		cJSON_Delete(m);
		return 0;
	}
	cJSON_AddItemToArray(msgs, m);
	return 1;
}

static int add_assistant(cJSON *msgs, const struct tr_msg *a)
{
	cJSON *m = cJSON_CreateObject(), *calls;

	if (!m)
		return 0;
	cJSON_AddItemToArray(msgs, m);
	if (!cJSON_AddStringToObject(m, "role", "assistant"))
		return 0;
	if (a->text ? !cJSON_AddStringToObject(m, "content", a->text)
	            : !cJSON_AddNullToObject(m, "content"))
		return 0;
	if (!a->ncalls)
		return 1;
	if (!(calls = cJSON_AddArrayToObject(m, "tool_calls")))
		return 0;
	for (size_t i = 0; i < a->ncalls; i++) {
		cJSON *c = call_json(&a->calls[i]);
		if (!c)
			return 0;
		cJSON_AddItemToArray(calls, c);
	}
	return 1;
}

static int add_results(cJSON *msgs, const struct tr_msg *t)
{
	for (size_t i = 0; i < t->nresults; i++) {
		const struct tr_result *r = &t->results[i];
		char *text = tr_result_text(r->result, 0);
		cJSON *m = cJSON_CreateObject();
		char *content = text;
		size_t n;
		int ok;

		if (text && r->is_error) {
			n = strlen(text) + 8;
			if ((content = malloc(n)))
				snprintf(content, n, "Error: %s", text);
		}
		ok = m && content &&
		     cJSON_AddStringToObject(m, "role", "tool") &&
		     cJSON_AddStringToObject(m, "tool_call_id", r->call_id) &&
		     cJSON_AddStringToObject(m, "content", content);
		if (content != text)
			free(content);
		free(text);
		if (!ok) {
			cJSON_Delete(m);
			return 0;
		}
		cJSON_AddItemToArray(msgs, m);
	}
	return 1;
}

static sh_status chat_build(struct backend *b, const struct transcript *tr,
                            const cJSON *tools, cJSON **body,
                            struct sh_error *e)
{
	cJSON *o = cJSON_CreateObject(), *msgs;
	int ok;

	*body = NULL;
	if (!o || !cJSON_AddStringToObject(o, "model", b->model) ||
	    !(msgs = cJSON_AddArrayToObject(o, "messages")))
		goto nomem;
	if (tr->system && !add_message(msgs, "system", tr->system))
		goto nomem;
	for (size_t i = 0; i < tr->nmsgs; i++) {
		const struct tr_msg *m = &tr->msgs[i];
		switch (m->role) {
		case TR_USER:
			ok = add_message(msgs, "user", m->text ? m->text : "");
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
	    !cJSON_AddNumberToObject(o, "max_completion_tokens", b->max_tokens))
		goto nomem;
	*body = o;
	return SH_OK;
nomem:
	cJSON_Delete(o);
	return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
}

static sh_status chat_parse(struct backend *b, const cJSON *resp,
                            struct tr_msg *out, struct sh_error *e)
{
	const cJSON *choices =
	        cJSON_GetObjectItemCaseSensitive(resp, "choices");
	const cJSON *c0 = cJSON_GetArrayItem(choices, 0);
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(c0, "message");
	const cJSON *calls, *list, *call, *usage, *v;
	const char *text, *finish;
	sh_status rc;

	if (!cJSON_IsObject(msg))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the response has no choices[0].message");
	text = backend_str(msg, "content");
	if (!text)
		text = backend_str(msg, "refusal");
	if (text && !(out->text = strdup(text)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	calls = cJSON_GetObjectItemCaseSensitive(msg, "tool_calls");
	if (calls && !cJSON_IsArray(calls) && !cJSON_IsNull(calls))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "choices[0].message.tool_calls is not an "
		                    "array");
	list = cJSON_IsArray(calls) ? calls : NULL;
	cJSON_ArrayForEach(call, list)
	{
		const cJSON *f =
		        cJSON_GetObjectItemCaseSensitive(call, "function");
		const char *id = backend_str(call, "id");
		const char *name = backend_str(f, "name");
		const cJSON *args =
		        cJSON_GetObjectItemCaseSensitive(f, "arguments");
		char *printed = NULL;

		if (!id || !name)
			return sh_error_set(e, SH_ERR_INVALID,
			                    "a tool call in choices[0].message "
			                    "lacks an id or a function name");
		/* Some compatible servers send an object, not a string. */
		if (args && !cJSON_IsString(args) &&
		    !(printed = cJSON_PrintUnformatted(args)))
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		rc = tr_msg_add_call(out, id, name,
		                     printed ? printed
		                     : args  ? args->valuestring
		                             : "{}",
		                     NULL, 0, e);
		cJSON_free(printed);
		if (rc != SH_OK)
			return rc;
	}
	finish = backend_str(c0, "finish_reason");
	if (finish && !(out->stop = strdup(finish)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	usage = cJSON_GetObjectItemCaseSensitive(resp, "usage");
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(
	                           usage, "prompt_tokens")))
		out->usage.input_tokens = json_int64(v, 0);
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(
	                           usage, "completion_tokens")))
		out->usage.output_tokens = json_int64(v, 0);
	(void)b;
	return SH_OK;
}

static const char *openai_error(const cJSON *body)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(body, "error");

	if (cJSON_IsString(err))
		return err->valuestring;
	return backend_str(err, "message");
}

const struct backend_ops backend_openai_ops = {
        .name = "openai",
        .wire = "openai-chat",
        .tools = TOOLFMT_OPENAI,
        .max_tools = OPENAI_MAX_TOOLS,
        .setup = openai_setup,
        .build = chat_build,
        .parse = chat_parse,
        .error_message = openai_error,
};

const struct backend_ops backend_azure_ops = {
        .name = "azure",
        .wire = "openai-chat",
        .tools = TOOLFMT_OPENAI,
        .max_tools = OPENAI_MAX_TOOLS,
        .setup = azure_setup,
        .build = chat_build,
        .parse = chat_parse,
        .error_message = openai_error,
};
