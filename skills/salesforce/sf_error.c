/*
 * sf_error.c - Salesforce's error bodies. See sf_error.h.
 */
#include "sf_error.h"

#include <stdio.h>
#include <string.h>

#include "restkit.h"

/* One long message must not crowd out the rest. */
#define ONE_MESSAGE_MAX 500

static const char *str(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void keep_code(char *code, size_t cap, const char *c)
{
	if (code && cap && !code[0] && c && *c)
		snprintf(code, cap, "%s", c);
}

/* One {"message","errorCode"|"statusCode","fields"} object. */
static void one_error(struct sbuf *b, size_t start, const cJSON *e, char *code,
                      size_t code_cap)
{
	const char *c = str(e, "errorCode") ? str(e, "errorCode")
	                                    : str(e, "statusCode");
	const char *m = str(e, "message");
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(e, "fields"), *f;
	int first = 1;

	if (!c && !m)
		return;
	if (b->len - start >= SF_ERROR_TEXT_MAX)
		return;
	if (b->len > start)
		sb_puts(b, "; ");
	keep_code(code, code_cap, c);
	if (c) {
		rk_put_clean(b, c, strlen(c), SF_ERROR_CODE_MAX);
		if (m)
			sb_puts(b, ": ");
	}
	if (m)
		rk_put_clean(b, m, strlen(m), ONE_MESSAGE_MAX);
	cJSON_ArrayForEach(f, fields)
	{
		if (!cJSON_IsString(f))
			continue;
		sb_puts(b, first ? " (fields: " : ", ");
		rk_put_clean(b, f->valuestring, strlen(f->valuestring), 100);
		first = 0;
	}
	if (!first)
		sb_putc(b, ')');
}

int sf_error_json(struct sbuf *b, const cJSON *j, char *code, size_t code_cap)
{
	size_t start = b->len;
	const cJSON *e;

	if (code && code_cap)
		code[0] = '\0';
	if (cJSON_IsArray(j)) {
		cJSON_ArrayForEach(e, j) one_error(b, start, e, code, code_cap);
	} else if (cJSON_IsObject(j)) {
		const char *oe = str(j, "error");
		if (oe) {
			/* The OAuth token endpoint. */
			const char *d = str(j, "error_description");
			keep_code(code, code_cap, oe);
			rk_put_clean(b, oe, strlen(oe), SF_ERROR_CODE_MAX);
			if (d && *d) {
				sb_puts(b, ": ");
				rk_put_clean(b, d, strlen(d), ONE_MESSAGE_MAX);
			}
		} else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(
		                   j, "errors"))) {
			/* A record result: {"success":false,"errors":[...]}. */
			cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
			                              j, "errors"))
			        one_error(b, start, e, code, code_cap);
		} else {
			one_error(b, start, j, code, code_cap);
		}
	}
	return b->len > start;
}

int sf_error_text(struct sbuf *b, const char *body, size_t len,
                  const char *content_type, char *code, size_t code_cap)
{
	cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	size_t start = b->len;
	int said;

	if (code && code_cap)
		code[0] = '\0';
	said = j ? sf_error_json(b, j, code, code_cap) : 0;
	cJSON_Delete(j);
	if (!said)
		rk_put_body_text(b, body, len, content_type);
	return b->len > start;
}
