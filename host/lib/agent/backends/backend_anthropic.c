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
 * Part of the backend interface (backend.h); [control] like it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "jsonnum.h"

#define ANTHROPIC_DEFAULT_BASE "https://api.anthropic.com"
#define ANTHROPIC_WIRE         "anthropic"

static sh_status anthropic_setup(struct backend *b,
                                 const struct backend_config *cfg,
                                 struct sh_error *e)
{
	const char *key =
	        cfg->api_key ? cfg->api_key : backend_env("ANTHROPIC_API_KEY");
	const char *base = cfg->base_url ? cfg->base_url
	                                 : backend_env("ANTHROPIC_BASE_URL");
	sh_status rc;

	if (!key)
		return backend_missing(e, "anthropic", "ANTHROPIC_API_KEY",
		                       "ANTHROPIC_API_KEY with your Anthropic "
		                       "API key");
	rc = backend_auth_header(b, "x-api-key", "", key, e);
	if (rc == SH_OK)
		rc = backend_add_header(b, "anthropic-version",
		                        BACKEND_ANTHROPIC_VERSION, e);
	if (rc != SH_OK)
		return rc;
	return backend_set_url(b, base ? base : ANTHROPIC_DEFAULT_BASE,
	                       "/v1/messages", e);
}

static cJSON *text_block(const char *text)
{
	cJSON *t = cJSON_CreateObject();

	if (!t || !cJSON_AddStringToObject(t, "type", "text") ||
	    !cJSON_AddStringToObject(t, "text", text)) {
		cJSON_Delete(t);
		return NULL;
	}
	return t;
}

static int add_assistant(cJSON *msgs, const struct tr_msg *a)
{
	cJSON *m = cJSON_CreateObject(), *content, *blk;
	char id[BACKEND_ID_MAX + 1];

	if (!m)
		return 0;
	cJSON_AddItemToArray(msgs, m);
	if (!cJSON_AddStringToObject(m, "role", "assistant"))
		return 0;
	if (a->native && a->wire && !strcmp(a->wire, ANTHROPIC_WIRE)) {
		if (!(content = cJSON_Duplicate(a->native, 1)))
			return 0;
		cJSON_AddItemToObject(m, "content", content);
		return 1;
	}
	if (!(content = cJSON_AddArrayToObject(m, "content")))
		return 0;
	/* The API refuses an assistant turn with no content at all. */
	if ((a->text && *a->text) || !a->ncalls) {
		if (!(blk = text_block(a->text && *a->text ? a->text
		                                           : "(no answer)")))
			return 0;
		cJSON_AddItemToArray(content, blk);
	}
	for (size_t i = 0; i < a->ncalls; i++) {
		cJSON *input = tr_call_args_object(&a->calls[i]);
		if (!input || !(blk = cJSON_CreateObject())) {
			cJSON_Delete(input);
			return 0;
		}
		cJSON_AddItemToArray(content, blk);
		backend_safe_id(a->calls[i].id, id);
		if (!cJSON_AddStringToObject(blk, "type", "tool_use") ||
		    !cJSON_AddStringToObject(blk, "id", id) ||
		    !cJSON_AddStringToObject(blk, "name", a->calls[i].name)) {
			cJSON_Delete(input);
			return 0;
		}
		cJSON_AddItemToObject(blk, "input", input);
	}
	return 1;
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
	if (!arr || !(t = text_block(text)))
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

static int add_results(cJSON *msgs, const struct tr_msg *t)
{
	cJSON *m = cJSON_CreateObject(), *content;
	char id[BACKEND_ID_MAX + 1];

	if (!m)
		return 0;
	cJSON_AddItemToArray(msgs, m);
	if (!cJSON_AddStringToObject(m, "role", "user") ||
	    !(content = cJSON_AddArrayToObject(m, "content")))
		return 0;
	for (size_t i = 0; i < t->nresults; i++) {
		const struct tr_result *r = &t->results[i];
		cJSON *blk = cJSON_CreateObject(), *c;
		if (!blk)
			return 0;
		cJSON_AddItemToArray(content, blk);
		backend_safe_id(r->call_id, id);
		if (!cJSON_AddStringToObject(blk, "type", "tool_result") ||
		    !cJSON_AddStringToObject(blk, "tool_use_id", id) ||
		    !(c = result_content(r)))
			return 0;
		cJSON_AddItemToObject(blk, "content", c);
		if (r->is_error && !cJSON_AddBoolToObject(blk, "is_error", 1))
			return 0;
	}
	return 1;
}

static int add_user(cJSON *msgs, const char *text)
{
	cJSON *m = cJSON_CreateObject();

	if (!m || !cJSON_AddStringToObject(m, "role", "user") ||
	    !cJSON_AddStringToObject(m, "content", text)) {
		cJSON_Delete(m);
		return 0;
	}
	cJSON_AddItemToArray(msgs, m);
	return 1;
}

static sh_status anthropic_build(struct backend *b, const struct transcript *tr,
                                 const cJSON *tools, cJSON **body,
                                 struct sh_error *e)
{
	cJSON *o = cJSON_CreateObject(), *msgs;
	int ok;

	*body = NULL;
	if (!o || !cJSON_AddStringToObject(o, "model", b->model) ||
	    !cJSON_AddNumberToObject(o, "max_tokens",
	                             b->max_tokens > 0
	                                     ? b->max_tokens
	                                     : BACKEND_DEFAULT_MAX_TOKENS) ||
	    (tr->system && !cJSON_AddStringToObject(o, "system", tr->system)) ||
	    !(msgs = cJSON_AddArrayToObject(o, "messages")))
		goto nomem;
	for (size_t i = 0; i < tr->nmsgs; i++) {
		const struct tr_msg *m = &tr->msgs[i];
		switch (m->role) {
		case TR_USER:
			ok = add_user(msgs, m->text ? m->text : "");
			break;
		case TR_ASSISTANT: ok = add_assistant(msgs, m); break;
		default: ok = add_results(msgs, m);
		}
		if (!ok)
			goto nomem;
	}
	if (cJSON_GetArraySize(tools) > 0)
		cJSON_AddItemReferenceToObject(o, "tools", (cJSON *)tools);
	*body = o;
	return SH_OK;
nomem:
	cJSON_Delete(o);
	return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
}

static const char *anthropic_error(const cJSON *body)
{
	return backend_str(cJSON_GetObjectItemCaseSensitive(body, "error"),
	                   "message");
}

static int64_t num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return json_int64(v, 0);
}

static sh_status anthropic_parse(struct backend *b, const cJSON *resp,
                                 struct tr_msg *out, struct sh_error *e)
{
	const cJSON *content =
	        cJSON_GetObjectItemCaseSensitive(resp, "content");
	const cJSON *blk, *usage;
	const char *type = backend_str(resp, "type"), *stop;
	sh_status rc;

	if (type && !strcmp(type, "error")) {
		const char *m = anthropic_error(resp);
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
			const char *id = backend_str(blk, "id");
			const char *name = backend_str(blk, "name");
			const cJSON *input =
			        cJSON_GetObjectItemCaseSensitive(blk, "input");
			char *args;
			if (!id || !name || !input)
				return sh_error_set(
				        e, SH_ERR_INVALID,
				        "a tool_use block lacks id, "
				        "name or input");
			if (!(args = cJSON_PrintUnformatted(input)))
				return sh_error_set(e, SH_ERR_NOMEM,
				                    "out of memory");
			rc = tr_msg_add_call(out, id, name, args, NULL, 0, e);
			cJSON_free(args);
			if (rc != SH_OK)
				return rc;
		}
	}
	if ((stop = backend_str(resp, "stop_reason")) &&
	    !(out->stop = strdup(stop)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (!(out->native = cJSON_Duplicate(content, 1)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	usage = cJSON_GetObjectItemCaseSensitive(resp, "usage");
	out->usage.input_tokens = num(usage, "input_tokens") +
	                          num(usage, "cache_creation_input_tokens") +
	                          num(usage, "cache_read_input_tokens");
	out->usage.output_tokens = num(usage, "output_tokens");
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
        .error_message = anthropic_error,
};
