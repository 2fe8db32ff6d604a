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
 * An adapter behind backend_int.h; [control] like backend.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_int.h"

#define RESPONSES_MAX_TOOLS 128
#define RESPONSES_WIRE      "openai-responses"

static sh_status responses_setup(struct backend *b,
                                 const struct backend_config *cfg,
                                 struct sh_error *e)
{
	sh_status rc = backend_key(b, cfg, &backend_openai_endpoint, e);

	if (rc != SH_OK)
		return rc;
	return backend_endpoint_url(b, cfg, &backend_openai_endpoint,
	                            "/responses", e);
}

static int add_assistant(cJSON *input, const struct tr_msg *a)
{
	const cJSON *native = backend_native(a, RESPONSES_WIRE), *it;

	if (native) {
		cJSON_ArrayForEach(it, native)
		{
			cJSON *d = cJSON_Duplicate(it, 1);
			if (!d)
				return 0;
			cJSON_AddItemToArray(input, d);
		}
		return 1;
	}
	if (a->text && *a->text &&
	    !backend_add_message(input, "assistant", a->text))
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

static const struct backend_result_item responses_results = {
        "type", "function_call_output", "call_id", "output", NULL};

static const struct backend_turns responses_turns = {
        .assistant = add_assistant,
        .items = &responses_results,
};

static sh_status responses_build(struct backend *b, const struct transcript *tr,
                                 const cJSON *tools, cJSON **body,
                                 struct sh_error *e)
{
	cJSON *o = cJSON_CreateObject(), *input;

	*body = NULL;
	if (!o || !cJSON_AddStringToObject(o, "model", b->model) ||
	    (tr->system &&
	     !cJSON_AddStringToObject(o, "instructions", tr->system)) ||
	    !(input = cJSON_AddArrayToObject(o, "input")) ||
	    !backend_add_turns(input, tr, &responses_turns))
		return backend_build_nomem(o, e);
	backend_add_tools(o, "tools", tools);
	if (b->max_tokens > 0 &&
	    !cJSON_AddNumberToObject(o, "max_output_tokens", b->max_tokens))
		return backend_build_nomem(o, e);
	*body = o;
	return SH_OK;
}

static sh_status responses_parse(struct backend *b, const cJSON *resp,
                                 struct tr_msg *out, struct sh_error *e)
{
	const cJSON *output = cJSON_GetObjectItemCaseSensitive(resp, "output");
	const char *status = backend_str(resp, "status");
	const cJSON *it, *usage;
	sh_status rc;

	if (status && !strcmp(status, "failed")) {
		const cJSON *err =
		        cJSON_GetObjectItemCaseSensitive(resp, "error");
		const char *m = backend_str(err, "message");
		return sh_error_set(e, SH_ERR_FAIL, "the response failed: %s",
		                    m ? m : "(no message)");
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
	if ((rc = backend_set_stop(out, status, e)) != SH_OK ||
	    (rc = backend_set_native(out, output, e)) != SH_OK)
		return rc;
	usage = cJSON_GetObjectItemCaseSensitive(resp, "usage");
	out->usage.input_tokens = backend_num(usage, "input_tokens");
	out->usage.output_tokens = backend_num(usage, "output_tokens");
	(void)b;
	return SH_OK;
}

const struct backend_ops backend_responses_ops = {
        .name = "openai-responses",
        .wire = RESPONSES_WIRE,
        .tools = TOOLFMT_OPENAI_RESPONSES,
        .max_tools = RESPONSES_MAX_TOOLS,
        .setup = responses_setup,
        .build = responses_build,
        .parse = responses_parse,
        .error_message = backend_error_message,
};
