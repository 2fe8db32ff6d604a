/*
 * backend_anthropic.c - the Anthropic Messages API (POST /v1/messages).
 *
 *   request   headers x-api-key, anthropic-version; {model, max_tokens,
 *              system?, messages:[{role,content}], tools:[{name,
 *              description,input_schema}]}
 *   reply     {content:[{type:"text",text}|{type:"tool_use",id,name,input}
 *              |{type:"thinking",...}], stop_reason, usage {input_tokens,
 *              output_tokens, cache_*_input_tokens}}
 *   results   one user message holding a {type:"tool_result", tool_use_id,
 *              content, is_error} block per call, in call order; images a
 *              tool returned go along as image blocks
 *
 * An assistant turn from this wire is replayed as its own content blocks
 * (thinking blocks and their signatures must come back unchanged); turns
 * from other vendors are rebuilt as text and tool_use blocks, with ids
 * made safe for Anthropic's id pattern.
 *
 * An adapter behind backend_int.h; [control] like backend.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_int.h"

#define ANTHROPIC_DEFAULT_BASE "https://api.anthropic.com"
#define ANTHROPIC_WIRE         "anthropic"

static const struct backend_endpoint anthropic_endpoint = {
        .key_var = "ANTHROPIC_API_KEY",
        .key_hint = "ANTHROPIC_API_KEY with your Anthropic API key",
        .header = "x-api-key",
        .prefix = "",
        .base_var = "ANTHROPIC_BASE_URL",
        .default_base = ANTHROPIC_DEFAULT_BASE,
};

static sh_status anthropic_setup(struct backend *b,
                                 const struct backend_config *cfg,
                                 struct sh_error *e)
{
	sh_status rc = backend_key(b, cfg, &anthropic_endpoint, e);

	if (rc == SH_OK)
		rc = backend_add_header(b, "anthropic-version",
		                        BACKEND_ANTHROPIC_VERSION, e);
	if (rc != SH_OK)
		return rc;
	return backend_endpoint_url(b, cfg, &anthropic_endpoint, "/v1/messages",
	                            e);
}

static const struct backend_blocks anthropic_blocks = {
        .wire = ANTHROPIC_WIRE,
        .text_type = "text",
        .use_type = "tool_use",
        .use_id = "id",
};

static int add_assistant(cJSON *msgs, const struct tr_msg *a)
{
	return backend_add_block_turn(msgs, a, &anthropic_blocks);
}

/* The content of one tool_result: a string, or text plus image blocks. */
static cJSON *result_content(const struct tr_result *r)
{
	const cJSON *content =
	        cJSON_GetObjectItemCaseSensitive(r->result, "content");
	const cJSON *b;
	char *text = tr_result_text(r->result, 1);
	cJSON *arr = NULL, *t;
	int images = 0;

	if (!text)
		return NULL;
	cJSON_ArrayForEach(b, content) images += tr_image_embeddable(b);
	if (!images) {
		t = cJSON_CreateString(text);
		free(text);
		return t;
	}
	arr = cJSON_CreateArray();
	if (!arr || !(t = backend_text_block("text", text)))
		goto fail;
	cJSON_AddItemToArray(arr, t);
	cJSON_ArrayForEach(b, content)
	{
		cJSON *img, *src;
		if (!tr_image_embeddable(b))
			continue;
		if (!(img = cJSON_CreateObject()))
			goto fail;
		cJSON_AddItemToArray(arr, img);
		if (!cJSON_AddStringToObject(img, "type", "image") ||
		    !(src = cJSON_AddObjectToObject(img, "source")) ||
		    !cJSON_AddStringToObject(src, "type", "base64") ||
		    !cJSON_AddStringToObject(src, "media_type",
		                             backend_str(b, "mimeType")) ||
		    !cJSON_AddStringToObject(src, "data",
		                             backend_str(b, "data")))
			goto fail;
	}
	free(text);
	return arr;
fail:
	free(text);
	cJSON_Delete(arr);
	return NULL;
}

static int result_block(cJSON *blk, const struct tr_result *r, const char *id)
{
	cJSON *c;

	if (!cJSON_AddStringToObject(blk, "type", "tool_result") ||
	    !cJSON_AddStringToObject(blk, "tool_use_id", id) ||
	    !(c = result_content(r)))
		return 0;
	cJSON_AddItemToObject(blk, "content", c);
	return !r->is_error || cJSON_AddBoolToObject(blk, "is_error", 1);
}

static const struct backend_turns anthropic_turns = {
        .assistant = add_assistant,
        .result_block = result_block,
};

static sh_status anthropic_build(struct backend *b, const struct transcript *tr,
                                 const cJSON *tools, cJSON **body,
                                 struct sh_error *e)
{
	cJSON *o = cJSON_CreateObject(), *msgs;

	*body = NULL;
	if (!o || !cJSON_AddStringToObject(o, "model", b->model) ||
	    !cJSON_AddNumberToObject(o, "max_tokens",
	                             b->max_tokens > 0
	                                     ? b->max_tokens
	                                     : BACKEND_DEFAULT_MAX_TOKENS) ||
	    (tr->system && !cJSON_AddStringToObject(o, "system", tr->system)) ||
	    !(msgs = cJSON_AddArrayToObject(o, "messages")) ||
	    !backend_add_turns(msgs, tr, &anthropic_turns))
		return backend_build_nomem(o, e);
	backend_add_tools(o, "tools", tools);
	*body = o;
	return SH_OK;
}

static sh_status anthropic_parse(struct backend *b, const cJSON *resp,
                                 struct tr_msg *out, struct sh_error *e)
{
	const cJSON *content =
	        cJSON_GetObjectItemCaseSensitive(resp, "content");
	const cJSON *blk, *usage;
	const char *type = backend_str(resp, "type");
	sh_status rc;

	if (type && !strcmp(type, "error")) {
		const char *m = backend_error_message(resp);
		return sh_error_set(e, SH_ERR_FAIL, "error: %s",
		                    m ? m : "(no message)");
	}
	if (!cJSON_IsArray(content))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the response has no content array");
	cJSON_ArrayForEach(blk, content)
	{
		const char *bt = backend_str(blk, "type");
		if (!bt)
			return sh_error_set(e, SH_ERR_INVALID,
			                    "a content block has no type");
		if (!strcmp(bt, "text")) {
			const char *s = backend_str(blk, "text");
			if (s && (rc = tr_msg_append_text(out, s, e)) != SH_OK)
				return rc;
		} else if (!strcmp(bt, "tool_use")) {
			rc = backend_add_use(out, blk, "id", "tool_use", e);
			if (rc != SH_OK)
				return rc;
		}
	}
	if ((rc = backend_set_stop(out, backend_str(resp, "stop_reason"), e)) !=
	            SH_OK ||
	    (rc = backend_set_native(out, content, e)) != SH_OK)
		return rc;
	usage = cJSON_GetObjectItemCaseSensitive(resp, "usage");
	out->usage.input_tokens =
	        backend_num(usage, "input_tokens") +
	        backend_num(usage, "cache_creation_input_tokens") +
	        backend_num(usage, "cache_read_input_tokens");
	out->usage.output_tokens = backend_num(usage, "output_tokens");
	(void)b;
	return SH_OK;
}

const struct backend_ops backend_anthropic_ops = {
        .name = "anthropic",
        .wire = ANTHROPIC_WIRE,
        .tools = TOOLFMT_ANTHROPIC,
        .setup = anthropic_setup,
        .build = anthropic_build,
        .parse = anthropic_parse,
        .error_message = backend_error_message,
};
