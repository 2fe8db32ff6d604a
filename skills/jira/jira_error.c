/*
 * jira_error.c - Jira's error bodies. See jira_error.h.
 */
#include "jira_error.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "restkit.h"

/* Each message is cut so that one long one cannot crowd out the rest. */
#define ONE_MESSAGE_MAX 400

static void sep(struct sbuf *b, size_t start)
{
	if (b->len > start)
		sb_puts(b, "; ");
}

static void put_message(struct sbuf *b, size_t start, const char *s)
{
	if (!s || !*s || b->len - start >= JIRA_ERROR_TEXT_MAX)
		return;
	sep(b, start);
	rk_put_clean(b, s, strlen(s), ONE_MESSAGE_MAX);
}

unsigned jira_error_text(struct sbuf *b, const char *body, size_t len,
                         const char *content_type)
{
	cJSON *j = NULL;
	const cJSON *it;
	size_t start = b->len;
	unsigned found = 0;

	if (body && len)
		j = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		rk_put_body_text(b, body, len, content_type);
		return b->len > start ? JIRA_ERR_SAID : 0;
	}
	cJSON_ArrayForEach(it,
	                   cJSON_GetObjectItemCaseSensitive(j, "errorMessages"))
	        put_message(b, start, cJSON_GetStringValue(it));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "errors"))
	{
		const char *msg = cJSON_GetStringValue(it);
		if (!it->string || !msg)
			continue;
		found |= JIRA_ERR_FIELDS;
		if (!strncmp(it->string, "customfield_", 12))
			found |= JIRA_ERR_CUSTOM;
		if (b->len - start >= JIRA_ERROR_TEXT_MAX)
			continue;
		sep(b, start);
		rk_put_clean(b, it->string, strlen(it->string), 100);
		sb_puts(b, ": ");
		rk_put_clean(b, msg, strlen(msg), ONE_MESSAGE_MAX);
	}
	/* Gateways and the OAuth layer: {"message"}, {"errorMessage"},
	 * {"error","error_description"}. */
	if (b->len == start) {
		static const char *const keys[] = {"message", "errorMessage",
		                                   "error_description",
		                                   "error"};
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			const char *m = cJSON_GetStringValue(
			        cJSON_GetObjectItemCaseSensitive(j, keys[k]));
			if (m && *m) {
				put_message(b, start, m);
				break;
			}
		}
	}
	cJSON_Delete(j);
	if (b->len > start)
		found |= JIRA_ERR_SAID;
	return found;
}
