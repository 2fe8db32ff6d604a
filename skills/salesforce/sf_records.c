/*
 * sf_records.c - Salesforce REST conventions. See sf_records.h.
 */
#include "sf_records.h"

#include <string.h>

void sf_strip_attributes(cJSON *v)
{
	cJSON *it;

	if (cJSON_IsObject(v))
		cJSON_DeleteItemFromObjectCaseSensitive(v, "attributes");
	cJSON_ArrayForEach(it, v) sf_strip_attributes(it);
}

int sf_valid_locator(const char *u)
{
	if (strncmp(u, "/services/data/v", 16) || strstr(u, "..") ||
	    (!strstr(u, "/query/") && !strstr(u, "/queryAll/")))
		return 0;
	for (const char *p = u; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("/.-_", *p)))
			return 0;
	return 1;
}

void sf_composite_url(struct sbuf *b, const char *version, const char *url)
{
	/* Any /services/ path is kept as given (e.g. /services/apexrest/):
	 * only paths relative to the REST base get the versioned prefix. */
	if (!strncmp(url, "/services/", 10)) {
		sb_puts(b, url);
		return;
	}
	sb_printf(b, "/services/data/v%s/", version);
	while (*url == '/')
		url++;
	sb_puts(b, url);
}

int sf_tiling_batch(int max)
{
	if (max < SF_BATCH_MIN)
		return SF_BATCH_MIN;
	for (int b = max < SF_BATCH_MAX ? max : SF_BATCH_MAX; b >= SF_BATCH_MIN;
	     b--)
		if (max % b == 0)
			return b;
	return SF_BATCH_MAX;
}

void sf_sosl_escape(struct sbuf *b, const char *t)
{
	for (; *t; t++) {
		if (strchr("&|!{}[]()^~:\\\"'+-", *t))
			sb_putc(b, '\\');
		sb_putc(b, *t);
	}
}
