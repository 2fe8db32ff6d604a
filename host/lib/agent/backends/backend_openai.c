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
 * An adapter behind backend_int.h; [control] like backend.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_int.h"

#define OPENAI_DEFAULT_BASE "https://api.openai.com/v1"
#define OPENAI_MAX_TOOLS    128
#define AZURE_PATH_MAX      1024

/* Shared with the Responses API (backend_responses.c). */
const struct backend_endpoint backend_openai_endpoint = {
        .key_var = "OPENAI_API_KEY",
        .key_hint = "OPENAI_API_KEY with your OpenAI API key",
        .header = "Authorization",
        .prefix = "Bearer ",
        .base_var = "OPENAI_BASE_URL",
        .default_base = OPENAI_DEFAULT_BASE,
};

static const struct backend_endpoint azure_endpoint = {
        .key_var = "AZURE_OPENAI_API_KEY",
        .key_hint = "AZURE_OPENAI_API_KEY with your Azure OpenAI resource's "
                    "key",
        .header = "api-key",
        .prefix = "",
};

static sh_status openai_setup(struct backend *b,
                              const struct backend_config *cfg,
                              struct sh_error *e)
{
	sh_status rc = backend_key(b, cfg, &backend_openai_endpoint, e);

	if (rc != SH_OK)
		return rc;
	return backend_endpoint_url(b, cfg, &backend_openai_endpoint,
	                            "/chat/completions", e);
}

static sh_status azure_setup(struct backend *b,
                             const struct backend_config *cfg,
                             struct sh_error *e)
{
	const char *base =
	        backend_setting(cfg->base_url, "AZURE_OPENAI_ENDPOINT");
	const char *ver =
	        backend_setting(cfg->api_version, "AZURE_OPENAI_API_VERSION");
	char dep[AZURE_PATH_MAX / 3], vesc[64], path[AZURE_PATH_MAX];
	sh_status rc = backend_key(b, cfg, &azure_endpoint, e);

	if (rc != SH_OK)
		return rc;
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

static const struct backend_result_item chat_results = {
        "role", "tool", "tool_call_id", "content", NULL};

static const struct backend_turns chat_turns = {
        .assistant = add_assistant,
        .items = &chat_results,
};

static sh_status chat_build(struct backend *b, const struct transcript *tr,
                            const cJSON *tools, cJSON **body,
                            struct sh_error *e)
{
	cJSON *o = cJSON_CreateObject(), *msgs;

	*body = NULL;
	if (!o || !cJSON_AddStringToObject(o, "model", b->model) ||
	    !(msgs = cJSON_AddArrayToObject(o, "messages")))
		return backend_build_nomem(o, e);
	if (tr->system && !backend_add_message(msgs, "system", tr->system))
		return backend_build_nomem(o, e);
	if (!backend_add_turns(msgs, tr, &chat_turns))
		return backend_build_nomem(o, e);
	backend_add_tools(o, "tools", tools);
	if (b->max_tokens > 0 &&
	    !cJSON_AddNumberToObject(o, "max_completion_tokens", b->max_tokens))
		return backend_build_nomem(o, e);
	*body = o;
	return SH_OK;
}

static sh_status chat_parse(struct backend *b, const cJSON *resp,
                            struct tr_msg *out, struct sh_error *e)
{
	const cJSON *choices =
	        cJSON_GetObjectItemCaseSensitive(resp, "choices");
	const cJSON *c0 = cJSON_GetArrayItem(choices, 0);
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(c0, "message");
	const cJSON *calls, *list, *call, *usage;
	const char *text;
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
		rc = backend_add_function_call(
		        out, call, NULL, NULL,
		        "a tool call in choices[0].message lacks an id or a "
		        "function name",
		        e);
		if (rc != SH_OK)
			return rc;
	}
	usage = cJSON_GetObjectItemCaseSensitive(resp, "usage");
	out->usage.input_tokens = backend_num(usage, "prompt_tokens");
	out->usage.output_tokens = backend_num(usage, "completion_tokens");
	(void)b;
	return backend_set_stop(out, backend_str(c0, "finish_reason"), e);
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
