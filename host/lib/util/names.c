/*
 * names.c - canonical and derived tool names. See names.h.
 */
#include "names.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
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

/* --- skill and tool names, versions --- */

static int valid_name_part(const char *s, size_t n)
{
	/* Lower-case so names cannot collide by case on any filesystem or
	 * registry, and no '.', '/' or '_' so they map to every vendor's
	 * name rules without ambiguity. */
	if (n == 0 || n > SKILLDESC_MAX_NAME)
		return 0;
	if (!islower((unsigned char)s[0]) && !isdigit((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(islower(c) || isdigit(c) || c == '-'))
			return 0;
	}
	return s[n - 1] != '-';
}

int skilldesc_valid_skill_name(const char *name)
{
	const char *slash;

	if (!name)
		return 0;
	slash = strchr(name, '/');
	if (!slash || strchr(slash + 1, '/'))
		return 0;
	return valid_name_part(name, (size_t)(slash - name)) &&
	       valid_name_part(slash + 1, strlen(slash + 1));
}

int skilldesc_valid_namespace(const char *ns)
{
	return ns && valid_name_part(ns, strlen(ns));
}

int skilldesc_valid_tool_name(const char *name)
{
	size_t n;

	if (!name)
		return 0;
	n = strlen(name);
	if (n == 0 || n > SKILLDESC_MAX_NAME ||
	    !isalpha((unsigned char)name[0]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!(isalnum(c) || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* A numeric identifier: digits, no leading zero unless it is "0". */
static const char *semver_number(const char *p)
{
	const char *start = p;

	while (isdigit((unsigned char)*p))
		p++;
	if (p == start || (p - start > 1 && *start == '0'))
		return NULL;
	return p;
}

/* Dot-separated identifiers of [0-9A-Za-z-]. */
static const char *semver_idents(const char *p)
{
	for (;;) {
		const char *start = p;
		while (isalnum((unsigned char)*p) || *p == '-')
			p++;
		if (p == start)
			return NULL;
		if (*p != '.')
			return p;
		p++;
	}
}

int skilldesc_valid_semver(const char *v)
{
	const char *p = v;

	if (!v || strlen(v) > SKILLDESC_MAX_VERSION)
		return 0;
	for (int i = 0; i < 3; i++) {
		p = semver_number(p);
		if (!p)
			return 0;
		if (i < 2 && *p++ != '.')
			return 0;
	}
	if (*p == '-' && !(p = semver_idents(p + 1)))
		return 0;
	if (*p == '+' && !(p = semver_idents(p + 1)))
		return 0;
	return *p == '\0';
}

/* Compare one dot-separated pre-release identifier. */
static int ident_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	int num_a = 1, num_b = 1;
	int c;

	for (size_t i = 0; i < na; i++)
		num_a &= isdigit((unsigned char)a[i]) != 0;
	for (size_t i = 0; i < nb; i++)
		num_b &= isdigit((unsigned char)b[i]) != 0;
	if (num_a && num_b) {
		if (na != nb)
			return na < nb ? -1 : 1;
		return memcmp(a, b, na);
	}
	if (num_a != num_b)
		return num_a ? -1 : 1; /* numeric identifiers sort first */
	c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : (na < nb ? -1 : na > nb);
}

int skilldesc_semver_compare(const char *a, const char *b)
{
	const char *pa = a, *pb = b;

	for (int i = 0; i < 3; i++) {
		unsigned long long x = strtoull(pa, (char **)&pa, 10);
		unsigned long long y = strtoull(pb, (char **)&pb, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*pa == '.')
			pa++;
		if (*pb == '.')
			pb++;
	}
	/* A pre-release sorts before the release. */
	if (*pa != '-' || *pb != '-')
		return (*pa == '-') ? -1 : (*pb == '-') ? 1 : 0;
	pa++, pb++;
	for (;;) {
		size_t na = strcspn(pa, ".+"), nb = strcspn(pb, ".+");
		int c = ident_cmp(pa, na, pb, nb);
		if (c)
			return c;
		pa += na, pb += nb;
		if (*pa != '.' || *pb != '.')
			return (*pa == '.') ? 1 : (*pb == '.') ? -1 : 0;
		pa++, pb++;
	}
}
