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

void names_dotted(const char *canonical, char out[NAMES_DOTTED_MAX + 1])
{
	char buf[NAMES_CANONICAL_MAX * 2 + 2];
	size_t j = 0;

	for (const char *p = canonical; *p && j < sizeof buf - 1; p++)
		buf[j++] = *p == '/' ? '.' : *p;
	buf[j] = '\0';
	shorten(canonical, buf, NAMES_DOTTED_MAX);
	memcpy(out, buf, NAMES_DOTTED_MAX);
	out[NAMES_DOTTED_MAX] = '\0';
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

int names_is_dotted_legal(const char *name)
{
	return legal(name, NAMES_DOTTED_MAX, 1);
}

int names_is_mcp_legal(const char *name)
{
	return legal(name, NAMES_MCP_MAX, 0);
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

/* --- portable MCP names over a whole catalog --- */

/* How qualified a portable name is: the tool alone, skill_tool,
 * ns_skill_tool, and ns_skill_tool cut to make room for a hash. */
enum { LEVEL_TOOL, LEVEL_SKILL, LEVEL_NS, LEVEL_HASH };

struct pname {
	const char *canonical;
	int level;
	char *out;
};

/* Append n bytes of src, each outside [A-Za-z0-9_-] as '_'. */
static void put_part(char *dst, size_t cap, size_t *j, const char *src,
                     size_t n)
{
	for (size_t i = 0; i < n && *j < cap - 1; i++) {
		char c = src[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '_' || c == '-';
		dst[(*j)++] = ok ? c : '_';
	}
	dst[*j] = '\0';
}

/* The name of p at its level. */
static void candidate(struct pname *p)
{
	char buf[NAMES_CANONICAL_MAX + 8];
	const char *c = p->canonical, *slash = strchr(c, '/');
	const char *skill = slash ? slash + 1 : c;
	const char *dot = strchr(skill, '.');
	const char *tool = dot ? dot + 1 : skill;
	size_t j = 0;

	if (p->level >= LEVEL_NS && slash) {
		put_part(buf, sizeof buf, &j, c, (size_t)(slash - c));
		put_part(buf, sizeof buf, &j, "_", 1);
	}
	if (p->level >= LEVEL_SKILL && dot) {
		put_part(buf, sizeof buf, &j, skill, (size_t)(dot - skill));
		put_part(buf, sizeof buf, &j, "_", 1);
	}
	put_part(buf, sizeof buf, &j, tool, strlen(tool));
	if (j == 0)
		put_part(buf, sizeof buf, &j, "_", 1);
	if (p->level == LEVEL_HASH && j <= NAMES_MCP_MAX) {
		/* Force the cut: pad past the limit, then shorten. */
		while (j <= NAMES_MCP_MAX)
			buf[j++] = '_';
		buf[j] = '\0';
	}
	shorten(c, buf, NAMES_MCP_MAX);
	memcpy(p->out, buf, NAMES_MCP_MAX);
	p->out[NAMES_MCP_MAX] = '\0';
}

static int by_name(const void *a, const void *b)
{
	const struct pname *x = *(struct pname *const *)a;
	const struct pname *y = *(struct pname *const *)b;
	int c = strcmp(x->out, y->out);

	return c ? c : strcmp(x->canonical, y->canonical);
}

sh_status names_mcp(const char *const *canonical, size_t n,
                    char (*out)[NAMES_MCP_MAX + 1], struct sh_error *e)
{
	struct pname *p = calloc(n ? n : 1, sizeof *p);
	struct pname **order = calloc(n ? n : 1, sizeof(struct pname *));
	sh_status rc = SH_OK;
	int bumped = 1;

	if (!p || !order) {
		free(p);
		free(order);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		p[i] = (struct pname){canonical[i], LEVEL_TOOL, out[i]};
		order[i] = &p[i];
	}
	/* Every tool of a group that shares a name moves up one level, and
	 * again until no two share one. Levels only rise, so this ends, and
	 * the outcome depends on the set of names alone, not on its order. */
	while (bumped) {
		bumped = 0;
		for (size_t i = 0; i < n; i++)
			candidate(&p[i]);
		qsort(order, n, sizeof(struct pname *), by_name);
		for (size_t i = 0; i + 1 < n; i++) {
			size_t k = i + 1;
			while (k < n && !strcmp(order[i]->out, order[k]->out))
				k++;
			if (k == i + 1)
				continue;
			for (size_t m = i; m < k; m++) {
				if (order[m]->level < LEVEL_HASH) {
					order[m]->level++;
					bumped = 1;
				} else if (rc == SH_OK) {
					rc = sh_error_set(
					        e, SH_ERR_USAGE,
					        "tools %s and %s both map to "
					        "the MCP name \"%s\"; remove "
					        "one of the skills",
					        order[i]->canonical,
					        order[i + 1]->canonical,
					        order[i]->out);
				}
			}
			i = k - 1;
		}
		if (rc != SH_OK)
			break;
	}
	free(order);
	free(p);
	return rc;
}
