/*
 * backend_gemini.c - Google Gemini generateContent
 * (POST /v1beta/models/MODEL:generateContent, header x-goog-api-key).
 *
 *   request   {contents:[{role:"user"|"model",parts:[...]}],
 *              systemInstruction?, tools:[{functionDeclarations:[...]}]}
 *   reply     candidates[0].content.parts [{text}|{functionCall:{name,
 *              args,id?},thoughtSignature?}], finishReason, usageMetadata
 *              {promptTokenCount, candidatesTokenCount, thoughtsTokenCount}
 *   results   one user turn with a {functionResponse:{name, response:
 *              {output}|{error}, id?}} part per call, in call order
 *
 * The key travels in the x-goog-api-key header, never in the URL, so URLs
 * can be logged. Calls without an id (most models) get one made up for the
 * transcript, which is never sent back; results then pair with calls by
 * name and order, as Gemini expects. A model turn from this wire is
 * replayed verbatim (thought signatures must come back); a turn from
 * another vendor gets the documented placeholder signature
 * "skip_thought_signature_validator" on its function calls, which Gemini 3
 * requires on calls it did not produce.
 *
 * An adapter behind backend_int.h; [control] like backend.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_int.h"

#define GEMINI_DEFAULT_BASE      "https://generativelanguage.googleapis.com"
#define GEMINI_WIRE              "gemini"
#define GEMINI_MODEL_PATH_MAX    1024
#define GEMINI_FOREIGN_SIGNATURE "skip_thought_signature_validator"

static const struct backend_endpoint gemini_endpoint = {
        .key_var = "GEMINI_API_KEY",
        .key_var2 = "GOOGLE_API_KEY",
        .key_hint = "GEMINI_API_KEY with your Gemini API key",
        .header = "x-goog-api-key",
        .prefix = "",
        .base_var = "GOOGLE_GEMINI_BASE_URL",
        .default_base = GEMINI_DEFAULT_BASE,
};

static sh_status gemini_setup(struct backend *b,
                              const struct backend_config *cfg,
                              struct sh_error *e)
{
	const char *model = b->model;
	char esc[GEMINI_MODEL_PATH_MAX / 3], path[GEMINI_MODEL_PATH_MAX];
	sh_status rc = backend_key(b, cfg, &gemini_endpoint, e);

	if (rc != SH_OK)
		return rc;
	if (!strncmp(model, "models/", 7))
		model += 7;
	if (!backend_path_escape(model, esc, sizeof esc))
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "backend gemini: the model name is too long");
	if (cfg->gemini_openapi)
		b->tools = TOOLFMT_GEMINI_OPENAPI;
	snprintf(path, sizeof path, "/v1beta/models/%s:generateContent", esc);
	return backend_endpoint_url(b, cfg, &gemini_endpoint, path, e);
}

static cJSON *turn(cJSON *contents, const char *role)
{
	cJSON *t = cJSON_CreateObject(), *parts;

	if (!t)
		return NULL;
	cJSON_AddItemToArray(contents, t);
	if (!cJSON_AddStringToObject(t, "role", role) ||
	    !(parts = cJSON_AddArrayToObject(t, "parts")))
		return NULL;
	return parts;
}

static int add_assistant(cJSON *contents, const struct tr_msg *a)
{
	const cJSON *native = backend_native(a, GEMINI_WIRE);
	const char *text = backend_turn_text(a);
	cJSON *parts, *p, *fc;

	if (native) {
		cJSON *d = cJSON_Duplicate(native, 1);
		if (!d)
			return 0;
		cJSON_AddItemToArray(contents, d);
		return 1;
	}
	if (!(parts = turn(contents, "model")))
		return 0;
	if (text) {
		if (!(p = backend_text_block(NULL, text)))
			return 0;
		cJSON_AddItemToArray(parts, p);
	}
	for (size_t i = 0; i < a->ncalls; i++) {
		const struct tr_call *c = &a->calls[i];
		cJSON *args = tr_call_args_object(c);
		if (!args || !(p = cJSON_CreateObject())) {
			cJSON_Delete(args);
			return 0;
		}
		cJSON_AddItemToArray(parts, p);
		if (!(fc = cJSON_AddObjectToObject(p, "functionCall")) ||
		    !cJSON_AddStringToObject(fc, "name", c->name)) {
			cJSON_Delete(args);
			return 0;
		}
		cJSON_AddItemToObject(fc, "args", args);
		if ((!c->id_made &&
		     !cJSON_AddStringToObject(fc, "id", c->id)) ||
		    !cJSON_AddStringToObject(p, "thoughtSignature",
		                             GEMINI_FOREIGN_SIGNATURE))
			return 0;
	}
	return 1;
}

/* The call a result answers, in the assistant message before it. */
static const struct tr_call *find_call(const struct transcript *tr, size_t i,
                                       const char *id)
{
	const struct tr_msg *a = i > 0 ? &tr->msgs[i - 1] : NULL;

	for (size_t k = 0; a && k < a->ncalls; k++)
		if (!strcmp(a->calls[k].id, id))
			return &a->calls[k];
	return NULL;
}

static int add_results(cJSON *contents, const struct transcript *tr, size_t i)
{
	const struct tr_msg *t = &tr->msgs[i];
	cJSON *parts = turn(contents, "user");

	if (!parts)
		return 0;
	for (size_t k = 0; k < t->nresults; k++) {
		const struct tr_result *r = &t->results[k];
		const struct tr_call *c = find_call(tr, i, r->call_id);
		const cJSON *sc = cJSON_GetObjectItemCaseSensitive(
		        r->result, "structuredContent");
		cJSON *p = cJSON_CreateObject(), *fr, *resp;
		if (!p)
			return 0;
		cJSON_AddItemToArray(parts, p);
		if (!(fr = cJSON_AddObjectToObject(p, "functionResponse")) ||
		    !cJSON_AddStringToObject(fr, "name", r->name) ||
		    !(resp = cJSON_AddObjectToObject(fr, "response")))
			return 0;
		/* Gemini reads "output" as the result and "error" as a
		 * failure the model should handle. */
		if (sc && !r->is_error) {
			cJSON_AddItemToObject(resp, "output",
			                      cJSON_Duplicate(sc, 1));
		} else {
			char *text = tr_result_text(r->result, 0);
			if (!text ||
			    !cJSON_AddStringToObject(
			            resp, r->is_error ? "error" : "output",
			            text)) {
				free(text);
				return 0;
			}
			free(text);
		}
		if (c && !c->id_made &&
		    !cJSON_AddStringToObject(fr, "id", c->id))
			return 0;
	}
	return 1;
}

static int add_user(cJSON *contents, const char *text)
{
	cJSON *parts = turn(contents, "user"), *p;

	if (!parts || !(p = backend_text_block(NULL, text)))
		return 0;
	cJSON_AddItemToArray(parts, p);
	return 1;
}

static const struct backend_turns gemini_turns = {
        .user = add_user,
        .assistant = add_assistant,
        .results = add_results,
};

static sh_status gemini_build(struct backend *b, const struct transcript *tr,
                              const cJSON *tools, cJSON **body,
                              struct sh_error *e)
{
	cJSON *o = cJSON_CreateObject(), *contents, *x, *parts, *p;

	*body = NULL;
	if (!o || !(contents = cJSON_AddArrayToObject(o, "contents")) ||
	    !backend_add_turns(contents, tr, &gemini_turns))
		return backend_build_nomem(o, e);
	if (tr->system) {
		if (!(x = cJSON_AddObjectToObject(o, "systemInstruction")) ||
		    !(parts = cJSON_AddArrayToObject(x, "parts")) ||
		    !(p = backend_text_block(NULL, tr->system)))
			return backend_build_nomem(o, e);
		cJSON_AddItemToArray(parts, p);
	}
	if (cJSON_GetArraySize(tools) > 0) {
		cJSON *arr = cJSON_AddArrayToObject(o, "tools"), *decl;
		if (!arr || !(decl = cJSON_CreateObject()))
			return backend_build_nomem(o, e);
		cJSON_AddItemToArray(arr, decl);
		backend_add_tools(decl, "functionDeclarations", tools);
	}
	if (b->max_tokens > 0 &&
	    (!(x = cJSON_AddObjectToObject(o, "generationConfig")) ||
	     !cJSON_AddNumberToObject(x, "maxOutputTokens", b->max_tokens)))
		return backend_build_nomem(o, e);
	*body = o;
	return SH_OK;
}

static sh_status gemini_parse(struct backend *b, const cJSON *resp,
                              struct tr_msg *out, struct sh_error *e)
{
	const cJSON *cands =
	        cJSON_GetObjectItemCaseSensitive(resp, "candidates");
	const cJSON *c0 = cJSON_GetArrayItem(cands, 0);
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(c0, "content");
	const cJSON *parts = cJSON_GetObjectItemCaseSensitive(content, "parts");
	const char *finish = backend_str(c0, "finishReason");
	const cJSON *p, *usage;
	sh_status rc;

	if (!c0) {
		const char *why = backend_str(cJSON_GetObjectItemCaseSensitive(
		                                      resp, "promptFeedback"),
		                              "blockReason");
		return why ? sh_error_set(e, SH_ERR_FAIL,
		                          "the prompt was blocked (%s)", why)
		           : sh_error_set(e, SH_ERR_INVALID,
		                          "the response has no candidates");
	}
	if (!cJSON_IsArray(parts))
		return sh_error_set(e, SH_ERR_FAIL,
		                    "the model returned no content "
		                    "(finishReason %s)",
		                    finish ? finish : "missing");
	cJSON_ArrayForEach(p, parts)
	{
		const cJSON *fc =
		        cJSON_GetObjectItemCaseSensitive(p, "functionCall");
		const char *s = backend_str(p, "text");
		if (s && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		                 p, "thought"))) {
			if ((rc = tr_msg_append_text(out, s, e)) != SH_OK)
				return rc;
		} else if (fc) {
			const char *name = backend_str(fc, "name");
			const cJSON *args =
			        cJSON_GetObjectItemCaseSensitive(fc, "args");
			if (!name)
				return sh_error_set(
				        e, SH_ERR_INVALID,
				        "a functionCall part has no "
				        "name");
			rc = backend_add_call(out, backend_str(fc, "id"), name,
			                      args, BACKEND_ARGS_JSON,
			                      "gemini_call", ++b->made_ids, e);
			if (rc != SH_OK)
				return rc;
		}
	}
	if ((rc = backend_set_stop(out, finish, e)) != SH_OK ||
	    (rc = backend_set_native(out, content, e)) != SH_OK)
		return rc;
	if (!cJSON_GetObjectItemCaseSensitive(out->native, "role"))
		cJSON_AddStringToObject(out->native, "role", "model");
	usage = cJSON_GetObjectItemCaseSensitive(resp, "usageMetadata");
	out->usage.input_tokens = backend_num(usage, "promptTokenCount");
	out->usage.output_tokens = backend_num(usage, "candidatesTokenCount") +
	                           backend_num(usage, "thoughtsTokenCount");
	return SH_OK;
}

const struct backend_ops backend_gemini_ops = {
        .name = "gemini",
        .wire = GEMINI_WIRE,
        .tools = TOOLFMT_GEMINI,
        .setup = gemini_setup,
        .build = gemini_build,
        .parse = gemini_parse,
        .error_message = backend_error_message,
};
