/*
 * names.c - canonical and derived tool names. See names.h.
 */
#include "names.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#define NAMES_HASH_HEX 8

sh_status names_canonical(const char *skill, const char *tool, char *out,
                          size_t cap, struct sh_error *e)
{
	int n = snprintf(out, cap, "%s.%s", skill, tool);

	if (n < 0 || (size_t)n >= cap)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "tool name %s.%s is too long", skill, tool);
	return SH_OK;
}

/* Cut name to max characters, ending in "_" and a hash of canonical. */
static void shorten(const char *canonical, char *name, size_t max)
{
	unsigned char h[NAMES_HASH_HEX / 2];
	size_t keep = max - 1 - NAMES_HASH_HEX;

	if (strlen(name) <= max)
		return;
	crypto_generichash(h, sizeof h, (const unsigned char *)canonical,
	                   strlen(canonical), NULL, 0);
	name[keep] = '_';
	for (size_t i = 0; i < sizeof h; i++)
		snprintf(name + keep + 1 + 2 * i, 3, "%02x", h[i]);
}

void names_mcp(const char *canonical, char out[NAMES_MCP_MAX + 1])
{
	char buf[NAMES_CANONICAL_MAX * 2 + 2];
	size_t j = 0;

	for (const char *p = canonical; *p && j < sizeof buf - 1; p++)
		buf[j++] = *p == '/' ? '.' : *p;
	buf[j] = '\0';
	shorten(canonical, buf, NAMES_MCP_MAX);
	memcpy(out, buf, NAMES_MCP_MAX);
	out[NAMES_MCP_MAX] = '\0';
}

void names_fc(const char *canonical, char out[NAMES_FC_MAX + 1])
{
	char buf[NAMES_CANONICAL_MAX * 2 + 2];
	size_t j = 0;

	for (const char *p = canonical; *p && j < sizeof buf - 2; p++) {
		if (*p == '/' || *p == '.') {
			buf[j++] = '_';
			buf[j++] = '_';
		} else {
			buf[j++] = *p;
		}
	}
	buf[j] = '\0';
	shorten(canonical, buf, NAMES_FC_MAX);
	memcpy(out, buf, NAMES_FC_MAX);
	out[NAMES_FC_MAX] = '\0';
}

static int legal(const char *name, size_t max, int allow_dot)
{
	size_t n = strlen(name);

	if (n == 0 || n > max)
		return 0;
	for (const char *p = name; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      (allow_dot && c == '.')))
			return 0;
	}
	return 1;
}

int names_is_mcp_legal(const char *name)
{
	return legal(name, NAMES_MCP_MAX, 1);
}

int names_is_fc_legal(const char *name)
{
	return legal(name, NAMES_FC_MAX, 0);
}
