/*
 * backend_bedrock.c - Amazon Bedrock Converse
 * (POST https://bedrock-runtime.REGION.amazonaws.com/model/MODEL/converse).
 *
 *   request   {messages:[{role,content:[{text}|{toolUse}|{toolResult}]}],
 *              system?:[{text}], toolConfig:{tools:[{toolSpec:{name,
 *              description,inputSchema:{json}}}]}, inferenceConfig?}
 *   reply     {output:{message:{role:"assistant",content:[{text}|
 *              {toolUse:{toolUseId,name,input}}|{reasoningContent}]}},
 *              stopReason, usage {inputTokens, outputTokens}}
 *   results   one user message holding a {toolResult:{toolUseId,
 *              content:[{text}|{image}], status:"success"|"error"}} per
 *              call: Bedrock wants every result of a turn in one message
 *
 * Authentication, in this order:
 *  - a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK, or api_key):
 *    "Authorization: Bearer KEY";
 *  - AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and
 *    AWS_SESSION_TOKEN sent as x-amz-security-token): SigV4 with the
 *    signing name "bedrock" (not the host's "bedrock-runtime"), through
 *    CURLOPT_AWS_SIGV4 "aws:amz:REGION:bedrock" when libcurl signs the path
 *    right, else through sigv4.c (see sigv4.h: model ids with ":" need
 *    the canonical path encoded once more than libcurl 7.88 does).
 * The region comes from AWS_REGION or AWS_DEFAULT_REGION; the endpoint
 * from AWS_ENDPOINT_URL_BEDROCK_RUNTIME when set.
 *
 * Part of the backend interface (backend.h); [control] like it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "curlapi.h"
#include "jsonnum.h"
#include "sigv4.h"

#define BEDROCK_WIRE           "bedrock"
#define BEDROCK_SERVICE        "bedrock"
#define BEDROCK_REGION_MAX     32
#define BEDROCK_MODEL_PATH_MAX 1024

static int valid_region(const char *r)
{
	size_t n = strlen(r);

	if (n == 0 || n > BEDROCK_REGION_MAX)
		return 0;
	for (; *r; r++)
		if (!islower((unsigned char)*r) &&
		    !isdigit((unsigned char)*r) && *r != '-')
			return 0;
	return 1;
}

static sh_status bedrock_setup(struct backend *b,
                               const struct backend_config *cfg,
                               struct sh_error *e)
{
	const char *region =
	        cfg->region ? cfg->region : backend_env("AWS_REGION");
	const char *base =
	        cfg->base_url ? cfg->base_url
	                      : backend_env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
	const char *bearer = cfg->api_key
	                             ? cfg->api_key
	                             : backend_env("AWS_BEARER_TOKEN_BEDROCK");
	const char *akid, *secret, *token;
	char model[BEDROCK_MODEL_PATH_MAX / 3], path[BEDROCK_MODEL_PATH_MAX];
	char host[128];
	sh_status rc;

	if (!region)
		region = backend_env("AWS_DEFAULT_REGION");
	if (!region)
		return backend_missing(e, "bedrock", "AWS_REGION",
		                       "AWS_REGION with the Bedrock region "
		                       "(e.g. us-east-1)");
	if (!valid_region(region))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "backend bedrock: \"%s\" is not an AWS "
		                    "region name",
		                    region);
	if (!(b->region = strdup(region)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (!backend_path_escape(b->model, model, sizeof model))
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "backend bedrock: the model id is too long");
	snprintf(path, sizeof path, "/model/%s/converse", model);
	snprintf(host, sizeof host, "https://bedrock-runtime.%s.amazonaws.com",
	         region);
	rc = backend_set_url(b, base ? base : host, path, e);
	if (rc != SH_OK)
		return rc;
	if (bearer)
		return backend_auth_header(b, "Authorization", "Bearer ",
		                           bearer, e);

	akid = backend_env("AWS_ACCESS_KEY_ID");
	secret = backend_env("AWS_SECRET_ACCESS_KEY");
	token = backend_env("AWS_SESSION_TOKEN");
	if (!akid || !secret)
		return backend_missing(
		        e, "bedrock",
		        !akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
		        "AWS_SESSION_TOKEN for temporary credentials), or "
		        "AWS_BEARER_TOKEN_BEDROCK with a Bedrock API key");
	if (strchr(akid, ':'))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "backend bedrock: AWS_ACCESS_KEY_ID is not "
		                    "an access key id");
	if (!(b->aws_key_id = backend_add_secret(b, akid)) ||
	    !(b->aws_secret = backend_add_secret(b, secret)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (token) {
		rc = backend_auth_header(b, "x-amz-security-token", "", token,
		                         e);
		if (rc != SH_OK)
			return rc;
		b->aws_token = b->secrets[b->nsecrets - 1];
	}
	b->curl_sigv4 = sigv4_path_is_canonical(path);
	return SH_OK;
}

/* Our own SigV4, for the paths libcurl would sign wrong. */
static sh_status bedrock_sign(struct backend *b, const char *body, size_t len,
                              struct curl_slist **list, struct sh_error *e)
{
	static const char *const signed_headers[] = {
	        "content-type: application/json"};
	struct sigv4_params p = {
	        .method = "POST",
	        .url = b->url,
	        .headers = signed_headers,
	        .nheaders = 1,
	        .payload = body,
	        .payload_len = len,
	        .region = b->region,
	        .service = BEDROCK_SERVICE,
	        .access_key = b->aws_key_id,
	        .secret_key = b->aws_secret,
	        .session_token = b->aws_token,
	        .now = time(NULL),
	};
	char auth[SIGV4_AUTH_MAX + 16], date[SIGV4_DATE_LEN + 16];
	char value[SIGV4_AUTH_MAX];
	struct curl_slist *l;
	sh_status rc;

	if (b->curl_sigv4 || !b->aws_secret)
		return SH_OK;
	rc = sigv4_sign(&p, value, sizeof value, date, e);
	if (rc != SH_OK)
		return rc;
	snprintf(auth, sizeof auth, "Authorization: %s", value);
	if (!(l = curlapi()->slist_append(*list, auth)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	*list = l;
	memmove(date + 12, date, SIGV4_DATE_LEN + 1);
	memcpy(date, "x-amz-date: ", 12);
	if (!(l = curlapi()->slist_append(*list, date)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	*list = l;
	return SH_OK;
}

static cJSON *text_block(const char *text)
{
	cJSON *t = cJSON_CreateObject();

	if (!t || !cJSON_AddStringToObject(t, "text", text)) {
		cJSON_Delete(t);
		return NULL;
	}
	return t;
}

static int add_user(cJSON *msgs, const char *text)
{
	cJSON *m = cJSON_CreateObject(), *c, *t;

	if (!m)
		return 0;
	cJSON_AddItemToArray(msgs, m);
	if (!cJSON_AddStringToObject(m, "role", "user") ||
	    !(c = cJSON_AddArrayToObject(m, "content")) ||
	    !(t = text_block(text)))
		return 0;
	cJSON_AddItemToArray(c, t);
	return 1;
}

static int add_assistant(cJSON *msgs, const struct tr_msg *a)
{
	cJSON *m = cJSON_CreateObject(), *content, *blk, *use;
	char id[BACKEND_ID_MAX + 1];

	if (!m)
		return 0;
	cJSON_AddItemToArray(msgs, m);
	if (!cJSON_AddStringToObject(m, "role", "assistant"))
		return 0;
	if (a->native && a->wire && !strcmp(a->wire, BEDROCK_WIRE)) {
		if (!(content = cJSON_Duplicate(a->native, 1)))
			return 0;
		cJSON_AddItemToObject(m, "content", content);
		return 1;
	}
	if (!(content = cJSON_AddArrayToObject(m, "content")))
		return 0;
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
		if (!(use = cJSON_AddObjectToObject(blk, "toolUse")) ||
		    !cJSON_AddStringToObject(use, "toolUseId", id) ||
		    !cJSON_AddStringToObject(use, "name", a->calls[i].name)) {
			cJSON_Delete(input);
			return 0;
		}
		cJSON_AddItemToObject(use, "input", input);
	}
	return 1;
}

static int add_image(cJSON *content, const cJSON *b)
{
	const char *mime = backend_str(b, "mimeType");
	cJSON *blk = cJSON_CreateObject(), *img, *src;

	if (!blk)
		return 0;
	cJSON_AddItemToArray(content, blk);
	/* Bedrock names the format, not the MIME type: image/png -> png. */
	return (img = cJSON_AddObjectToObject(blk, "image")) &&
	       cJSON_AddStringToObject(img, "format", strchr(mime, '/') + 1) &&
	       (src = cJSON_AddObjectToObject(img, "source")) &&
	       cJSON_AddStringToObject(src, "bytes", backend_str(b, "data"));
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
		const cJSON *b;
		cJSON *blk = cJSON_CreateObject(), *res, *rc, *tb;
		char *text;
		if (!blk)
			return 0;
		cJSON_AddItemToArray(content, blk);
		backend_safe_id(r->call_id, id);
		if (!(res = cJSON_AddObjectToObject(blk, "toolResult")) ||
		    !cJSON_AddStringToObject(res, "toolUseId", id) ||
		    !(rc = cJSON_AddArrayToObject(res, "content")))
			return 0;
		if (!(text = tr_result_text(r->result, 1)))
			return 0;
		tb = text_block(text);
		free(text);
		if (!tb)
			return 0;
		cJSON_AddItemToArray(rc, tb);
		cJSON_ArrayForEach(
		        b, cJSON_GetObjectItemCaseSensitive(
		                   r->result,
		                   "content")) if (tr_image_embeddable(b) &&
		                                   !add_image(rc, b)) return 0;
		if (!cJSON_AddStringToObject(res, "status",
		                             r->is_error ? "error" : "success"))
			return 0;
	}
	return 1;
}

static sh_status bedrock_build(struct backend *b, const struct transcript *tr,
                               const cJSON *tools, cJSON **body,
                               struct sh_error *e)
{
	cJSON *o = cJSON_CreateObject(), *msgs, *x, *t;
	int ok;

	*body = NULL;
	if (!o || !(msgs = cJSON_AddArrayToObject(o, "messages")))
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
	if (tr->system) {
		if (!(x = cJSON_AddArrayToObject(o, "system")) ||
		    !(t = text_block(tr->system)))
			goto nomem;
		cJSON_AddItemToArray(x, t);
	}
	if (cJSON_GetArraySize(tools) > 0) {
		if (!(x = cJSON_AddObjectToObject(o, "toolConfig")))
			goto nomem;
		cJSON_AddItemReferenceToObject(x, "tools", (cJSON *)tools);
	}
	if (b->max_tokens > 0 &&
	    (!(x = cJSON_AddObjectToObject(o, "inferenceConfig")) ||
	     !cJSON_AddNumberToObject(x, "maxTokens", b->max_tokens)))
		goto nomem;
	*body = o;
	return SH_OK;
nomem:
	cJSON_Delete(o);
	return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
}

static int64_t num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return json_int64(v, 0);
}

static sh_status bedrock_parse(struct backend *b, const cJSON *resp,
                               struct tr_msg *out, struct sh_error *e)
{
	const cJSON *output = cJSON_GetObjectItemCaseSensitive(resp, "output");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(output, "message");
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	const cJSON *blk, *usage;
	const char *stop;
	sh_status rc;

	if (!cJSON_IsArray(content))
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the response has no output.message.content "
		        "array");
	cJSON_ArrayForEach(blk, content)
	{
		const cJSON *use =
		        cJSON_GetObjectItemCaseSensitive(blk, "toolUse");
		const char *s = backend_str(blk, "text");
		if (s) {
			if ((rc = tr_msg_append_text(out, s, e)) != SH_OK)
				return rc;
		} else if (use) {
			const char *id = backend_str(use, "toolUseId");
			const char *name = backend_str(use, "name");
			const cJSON *input =
			        cJSON_GetObjectItemCaseSensitive(use, "input");
			char *args;
			if (!id || !name || !input)
				return sh_error_set(e, SH_ERR_INVALID,
				                    "a toolUse block lacks "
				                    "toolUseId, name or input");
			if (!(args = cJSON_PrintUnformatted(input)))
				return sh_error_set(e, SH_ERR_NOMEM,
				                    "out of memory");
			rc = tr_msg_add_call(out, id, name, args, NULL, 0, e);
			cJSON_free(args);
			if (rc != SH_OK)
				return rc;
		}
	}
	if ((stop = backend_str(resp, "stopReason")) &&
	    !(out->stop = strdup(stop)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (!(out->native = cJSON_Duplicate(content, 1)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	usage = cJSON_GetObjectItemCaseSensitive(resp, "usage");
	out->usage.input_tokens = num(usage, "inputTokens") +
	                          num(usage, "cacheReadInputTokens") +
	                          num(usage, "cacheWriteInputTokens");
	out->usage.output_tokens = num(usage, "outputTokens");
	(void)b;
	return SH_OK;
}

static const char *bedrock_error(const cJSON *body)
{
	const char *m = backend_str(body, "message");

	return m ? m : backend_str(body, "Message");
}

const struct backend_ops backend_bedrock_ops = {
        .name = "bedrock",
        .wire = BEDROCK_WIRE,
        .tools = TOOLFMT_BEDROCK,
        .setup = bedrock_setup,
        .build = bedrock_build,
        .parse = bedrock_parse,
        .error_message = bedrock_error,
        .sign = bedrock_sign,
};
