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
 * An adapter behind backend_int.h; [control] like backend.h. Its state
 * (struct bedrock) is the region and, with AWS credentials, the keys.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend_int.h"
#include "curlapi.h"
#include "sigv4.h"

#define BEDROCK_WIRE           "bedrock"
#define BEDROCK_SERVICE        "bedrock"
#define BEDROCK_REGION_MAX     32
#define BEDROCK_MODEL_PATH_MAX 1024

/* b->priv. */
struct bedrock {
	char region[BEDROCK_REGION_MAX + 1];
	/* AWS credentials: NULL with a Bedrock API key. They point into
	 * b->secrets, which the frame redacts and wipes. */
	const char *key_id, *secret, *token;
	int curl_sigv4; /* let libcurl sign (the path is canonical) */
};

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
	const char *region = backend_setting(cfg->region, "AWS_REGION");
	const char *base = backend_setting(cfg->base_url,
	                                   "AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
	const char *bearer =
	        backend_setting(cfg->api_key, "AWS_BEARER_TOKEN_BEDROCK");
	const char *akid, *secret, *token;
	char model[BEDROCK_MODEL_PATH_MAX / 3], path[BEDROCK_MODEL_PATH_MAX];
	char host[128];
	struct bedrock *br;
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
	if (!(br = calloc(1, sizeof *br)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	b->priv = br;
	memcpy(br->region, region, strlen(region) + 1);
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
	if (!(br->key_id = backend_add_secret(b, akid)) ||
	    !(br->secret = backend_add_secret(b, secret)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (token) {
		rc = backend_auth_header(b, "x-amz-security-token", "", token,
		                         e);
		if (rc != SH_OK)
			return rc;
		br->token = b->secrets[b->nsecrets - 1];
	}
	br->curl_sigv4 = sigv4_path_is_canonical(path);
	return SH_OK;
}

static void bedrock_close(struct backend *b)
{
	free(b->priv);
	b->priv = NULL;
}

/* Per attempt, since a signature carries the time: libcurl signs when it
 * signs the path right; else our own SigV4 goes into a fresh copy of the
 * headers. With a Bedrock API key there is nothing to do. */
static sh_status bedrock_sign(struct backend *b, CURL *h, const char *body,
                              size_t len, struct curl_slist **extra,
                              struct sh_error *e)
{
	static const char *const signed_headers[] = {
	        "content-type: application/json"};
	const struct bedrock *br = b->priv;
	struct sigv4_params p = {
	        .method = "POST",
	        .url = b->url,
	        .headers = signed_headers,
	        .nheaders = 1,
	        .payload = body,
	        .payload_len = len,
	        .region = br->region,
	        .service = BEDROCK_SERVICE,
	        .access_key = br->key_id,
	        .secret_key = br->secret,
	        .session_token = br->token,
	        .now = time(NULL),
	};
	char auth[SIGV4_AUTH_MAX + 16], date[SIGV4_DATE_LEN + 1];
	char hdr[sizeof "x-amz-date: " + SIGV4_DATE_LEN];
	char value[SIGV4_AUTH_MAX];
	struct curl_slist *l;
	sh_status rc;

	if (!br->secret)
		return SH_OK;
	if (br->curl_sigv4) {
		char sig[64];
		snprintf(sig, sizeof sig, "aws:amz:%s:" BEDROCK_SERVICE,
		         br->region);
		curlapi()->easy_setopt(h, CURLOPT_AWS_SIGV4, sig);
		curlapi()->easy_setopt(h, CURLOPT_USERNAME, br->key_id);
		curlapi()->easy_setopt(h, CURLOPT_PASSWORD, br->secret);
		return SH_OK;
	}
	for (l = b->headers; l; l = l->next) {
		struct curl_slist *n = curlapi()->slist_append(*extra, l->data);
		if (!n)
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		*extra = n;
	}
	rc = sigv4_sign(&p, value, sizeof value, date, e);
	if (rc != SH_OK)
		return rc;
	snprintf(auth, sizeof auth, "Authorization: %s", value);
	if (!(l = curlapi()->slist_append(*extra, auth)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	*extra = l;
	snprintf(hdr, sizeof hdr, "x-amz-date: %s", date);
	if (!(l = curlapi()->slist_append(*extra, hdr)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	*extra = l;
	return SH_OK;
}

/* Do not leave the secret in the handle between requests. */
static void bedrock_unsign(struct backend *b, CURL *h)
{
	const struct bedrock *br = b->priv;

	if (br->secret && br->curl_sigv4)
		curlapi()->easy_setopt(h, CURLOPT_PASSWORD, "");
}

static const struct backend_blocks bedrock_blocks = {
        .wire = BEDROCK_WIRE,
        .use_wrap = "toolUse",
        .use_id = "toolUseId",
};

static int add_user(cJSON *msgs, const char *text)
{
	cJSON *c = backend_add_block_message(msgs, "user"), *t;

	if (!c || !(t = backend_text_block(NULL, text)))
		return 0;
	cJSON_AddItemToArray(c, t);
	return 1;
}

static int add_assistant(cJSON *msgs, const struct tr_msg *a)
{
	return backend_add_block_turn(msgs, a, &bedrock_blocks);
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

static int result_block(cJSON *blk, const struct tr_result *r, const char *id)
{
	const cJSON *b;
	cJSON *res, *rc, *tb;
	char *text;

	if (!(res = cJSON_AddObjectToObject(blk, "toolResult")) ||
	    !cJSON_AddStringToObject(res, "toolUseId", id) ||
	    !(rc = cJSON_AddArrayToObject(res, "content")))
		return 0;
	if (!(text = tr_result_text(r->result, 1)))
		return 0;
	tb = backend_text_block(NULL, text);
	free(text);
	if (!tb)
		return 0;
	cJSON_AddItemToArray(rc, tb);
	cJSON_ArrayForEach(
	        b, cJSON_GetObjectItemCaseSensitive(r->result, "content"))
	{
		if (tr_image_embeddable(b) && !add_image(rc, b))
			return 0;
	}
	return cJSON_AddStringToObject(res, "status",
	                               r->is_error ? "error" : "success") !=
	       NULL;
}

static const struct backend_turns bedrock_turns = {
        .user = add_user,
        .assistant = add_assistant,
        .result_block = result_block,
};

static sh_status bedrock_build(struct backend *b, const struct transcript *tr,
                               const cJSON *tools, cJSON **body,
                               struct sh_error *e)
{
	cJSON *o = cJSON_CreateObject(), *msgs, *x, *t;

	*body = NULL;
	if (!o || !(msgs = cJSON_AddArrayToObject(o, "messages")) ||
	    !backend_add_turns(msgs, tr, &bedrock_turns))
		return backend_build_nomem(o, e);
	if (tr->system) {
		if (!(x = cJSON_AddArrayToObject(o, "system")) ||
		    !(t = backend_text_block(NULL, tr->system)))
			return backend_build_nomem(o, e);
		cJSON_AddItemToArray(x, t);
	}
	if (cJSON_GetArraySize(tools) > 0) {
		if (!(x = cJSON_AddObjectToObject(o, "toolConfig")))
			return backend_build_nomem(o, e);
		backend_add_tools(x, "tools", tools);
	}
	if (b->max_tokens > 0 &&
	    (!(x = cJSON_AddObjectToObject(o, "inferenceConfig")) ||
	     !cJSON_AddNumberToObject(x, "maxTokens", b->max_tokens)))
		return backend_build_nomem(o, e);
	*body = o;
	return SH_OK;
}

static sh_status bedrock_parse(struct backend *b, const cJSON *resp,
                               struct tr_msg *out, struct sh_error *e)
{
	const cJSON *output = cJSON_GetObjectItemCaseSensitive(resp, "output");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(output, "message");
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	const cJSON *blk, *usage;
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
			rc = backend_add_use(out, use, "toolUseId", "toolUse",
			                     e);
			if (rc != SH_OK)
				return rc;
		}
	}
	if ((rc = backend_set_stop(out, backend_str(resp, "stopReason"), e)) !=
	            SH_OK ||
	    (rc = backend_set_native(out, content, e)) != SH_OK)
		return rc;
	usage = cJSON_GetObjectItemCaseSensitive(resp, "usage");
	out->usage.input_tokens = backend_num(usage, "inputTokens") +
	                          backend_num(usage, "cacheReadInputTokens") +
	                          backend_num(usage, "cacheWriteInputTokens");
	out->usage.output_tokens = backend_num(usage, "outputTokens");
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
        .unsign = bedrock_unsign,
        .close = bedrock_close,
};
