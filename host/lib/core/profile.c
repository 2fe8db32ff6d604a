/*
 * profile.c - tool profiles and claim mapping (profile.h).
 */
#include "profile.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fsutil.h"
#include "jsonfile.h"

#define PROFILE_FILE_MAX ((size_t)4 * 1024 * 1024)

struct claim_rule {
	int kind; /* 0 scope, 1 group, 2 client_id */
	char *value;
	const struct profile *profile;
};

struct profile_set {
	struct profile *v; /* sorted by name */
	size_t n;
	struct claim_rule *rules;
	size_t n_rules;
};

static const char *const kinds[] = {"scope", "group", "client_id"};

int profile_pattern_match(const char *p, const char *s)
{
	/* Iterative glob with one backtrack point: linear in practice and
	 * never recursive, so a hostile pattern cannot blow the stack. */
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p && (*p == '?' || *p == *s)) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

int profile_allows(const struct profile *p, const char *canonical)
{
	if (!p)
		return 1;
	for (size_t i = 0; i < p->n_patterns; i++)
		if (profile_pattern_match(p->patterns[i], canonical))
			return 1;
	return 0;
}

int profile_name_check(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > PROFILE_NAME_MAX || !isalnum((unsigned char)s[0]))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) ||
		      isdigit((unsigned char)s[i]) || s[i] == '-' ||
		      s[i] == '_'))
			return -1;
	return 0;
}

int profile_pattern_check(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > PROFILE_PATTERN_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return -1;
	return 0;
}

void profile_set_free(struct profile_set *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++) {
		for (size_t k = 0; k < ps->v[i].n_patterns; k++)
			free(ps->v[i].patterns[k]);
		free(ps->v[i].patterns);
	}
	for (size_t i = 0; i < ps->n_rules; i++)
		free(ps->rules[i].value);
	free(ps->v);
	free(ps->rules);
	free(ps);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct profile *)a)->name,
	              ((const struct profile *)b)->name);
}

const struct profile *profile_get(const struct profile_set *ps,
                                  const char *name)
{
	struct profile key;
	size_t len;

	/* An empty set has no array to search (ps->v is NULL). */
	if (!ps || !ps->n || !name || (len = strlen(name)) > PROFILE_NAME_MAX)
		return NULL;
	memcpy(key.name, name, len + 1);
	return bsearch(&key, ps->v, ps->n, sizeof *ps->v, by_name);
}

size_t profile_count(const struct profile_set *ps)
{
	return ps ? ps->n : 0;
}

const struct profile *profile_at(const struct profile_set *ps, size_t i)
{
	return ps && i < ps->n ? &ps->v[i] : NULL;
}

static int has(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (v[i] && !strcmp(v[i], s))
			return 1;
	return 0;
}

const struct profile *profile_for_principal(const struct profile_set *ps,
                                            const struct principal *who)
{
	if (!ps || !who)
		return NULL;
	for (size_t i = 0; i < ps->n_rules; i++) {
		const struct claim_rule *r = &ps->rules[i];
		int hit = r->kind == 0
		                  ? has(who->scopes, who->n_scopes, r->value)
		          : r->kind == 1
		                  ? has(who->groups, who->n_groups, r->value)
		                  : who->client_id &&
		                            !strcmp(who->client_id, r->value);
		if (hit)
			return r->profile;
	}
	return NULL;
}

static sh_status read_root(const char *path, cJSON **out, struct sh_error *e)
{
	char *text = NULL;
	sh_status rc = fs_read_file(path, PROFILE_FILE_MAX, &text, NULL, e);

	if (rc == SH_ERR_NOTFOUND) {
		sh_error_clear(e);
		*out = cJSON_CreateObject();
		return *out ? SH_OK
		            : sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	if (rc != SH_OK)
		return rc;
	*out = cJSON_Parse(text);
	free(text);
	if (!cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s is not a JSON object; fix or remove it "
		                    "(it holds `skillhost profile` values)",
		                    path);
	}
	return SH_OK;
}

/* Build the typed set from a parsed document, checking every entry. */
static sh_status build(const char *path, const cJSON *root,
                       struct profile_set **out, struct sh_error *e)
{
	const cJSON *profs = cJSON_GetObjectItemCaseSensitive(root, "profiles");
	const cJSON *claims = cJSON_GetObjectItemCaseSensitive(root, "claims");
	struct profile_set *ps = calloc(1, sizeof *ps);
	const cJSON *it;
	size_t n;

	if (!ps)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (profs && !cJSON_IsObject(profs)) {
		profile_set_free(ps);
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: \"profiles\" must be an object", path);
	}
	if (claims && !cJSON_IsArray(claims)) {
		profile_set_free(ps);
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: \"claims\" must be an array", path);
	}
	n = (size_t)cJSON_GetArraySize(profs);
	if (n && !(ps->v = calloc(n, sizeof *ps->v)))
		goto nomem;
	cJSON_ArrayForEach(it, profs)
	{
		const cJSON *tools =
		        cJSON_GetObjectItemCaseSensitive(it, "tools");
		const cJSON *pat;
		struct profile *p;
		size_t np = (size_t)cJSON_GetArraySize(tools);

		/* ps->v has room for the n entries counted above, which
		 * are all the loop visits; the check makes that explicit. */
		if (ps->n >= n)
			break;
		p = &ps->v[ps->n];
		if (profile_name_check(it->string) || !cJSON_IsArray(tools) ||
		    np > PROFILE_PATTERNS_MAX) {
			profile_set_free(ps);
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s: profile \"%.64s\" must have a name of "
			        "[a-z0-9_-] and a \"tools\" array of at most "
			        "%d "
			        "patterns; fix it or run `skillhost profile "
			        "set`",
			        path, it->string ? it->string : "",
			        PROFILE_PATTERNS_MAX);
		}
		/* profile_name_check passed: 1..PROFILE_NAME_MAX chars. */
		memcpy(p->name, it->string, strlen(it->string) + 1);
		ps->n++;
		if (np && !(p->patterns = calloc(np, sizeof *p->patterns)))
			goto nomem;
		cJSON_ArrayForEach(pat, tools)
		{
			if (!cJSON_IsString(pat) ||
			    profile_pattern_check(pat->valuestring)) {
				profile_set_free(ps);
				return sh_error_set(
				        e, SH_ERR_INVALID,
				        "%s: profile \"%s\" has a pattern that "
				        "is "
				        "not a non-empty string without spaces",
				        path, it->string);
			}
			if (!(p->patterns[p->n_patterns] =
			              strdup(pat->valuestring)))
				goto nomem;
			p->n_patterns++;
		}
	}
	if (ps->n)
		qsort(ps->v, ps->n, sizeof *ps->v, by_name);
	n = (size_t)cJSON_GetArraySize(claims);
	if (n && !(ps->rules = calloc(n, sizeof *ps->rules)))
		goto nomem;
	cJSON_ArrayForEach(it, claims)
	{
		const cJSON *pn =
		        cJSON_GetObjectItemCaseSensitive(it, "profile");
		struct claim_rule *r;
		int kind = -1, nkeys = 0;
		const cJSON *val = NULL;

		/* As for the profiles: room for the n entries counted. */
		if (ps->n_rules >= n)
			break;
		r = &ps->rules[ps->n_rules];
		for (int k = 0; k < 3; k++) {
			const cJSON *v =
			        cJSON_GetObjectItemCaseSensitive(it, kinds[k]);
			if (v) {
				kind = k;
				val = v;
				nkeys++;
			}
		}
		if (nkeys != 1 || !cJSON_IsString(val) ||
		    !val->valuestring[0] || !cJSON_IsString(pn) ||
		    !(r->profile = profile_get(ps, pn->valuestring))) {
			size_t bad = ps->n_rules + 1; /* ps is freed below */
			profile_set_free(ps);
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s: \"claims\" entry %zu must have exactly "
			        "one "
			        "of \"scope\", \"group\", \"client_id\" (a "
			        "non-empty string) and a \"profile\" that "
			        "exists; fix it or use `skillhost profile map`",
			        path, bad);
		}
		r->kind = kind;
		if (!(r->value = strdup(val->valuestring)))
			goto nomem;
		ps->n_rules++;
	}
	*out = ps;
	return SH_OK;
nomem:
	profile_set_free(ps);
	return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
}

sh_status profile_set_load(const char *home, struct profile_set **out,
                           struct sh_error *e)
{
	char path[PATH_MAX];
	cJSON *root = NULL;
	sh_status rc;

	*out = NULL;
	if ((rc = fs_join(path, sizeof path, home, PROFILE_FILE, e)) ||
	    (rc = read_root(path, &root, e)))
		return rc;
	rc = build(path, root, out, e);
	cJSON_Delete(root);
	return rc;
}

/* Read, change (edit returns a status), check that the result still
 * loads, and write back: all under the lock, so concurrent `profile`
 * runs never lose an update and a bad edit never reaches the disk. */
static sh_status update(const char *home,
                        sh_status (*edit)(cJSON *root, const void *arg,
                                          struct sh_error *e),
                        const void *arg, struct sh_error *e)
{
	char path[PATH_MAX];
	cJSON *root = NULL;
	struct profile_set *check = NULL;
	sh_status rc;
	int fd = -1;

	if ((rc = fs_join(path, sizeof path, home, PROFILE_FILE, e)) ||
	    (rc = fs_lock_in(home, ".profiles.lock", &fd, e)))
		return rc;
	if ((rc = read_root(path, &root, e)) || (rc = edit(root, arg, e)) ||
	    (rc = build(path, root, &check, e)))
		goto out;
	if (!cJSON_GetObjectItemCaseSensitive(root, "version"))
		cJSON_AddNumberToObject(root, "version", 1);
	rc = json_write_atomic(path, root, 0600, 0, e);
out:
	profile_set_free(check);
	cJSON_Delete(root);
	close(fd); /* releases the lock */
	return rc;
}

static cJSON *child(cJSON *root, const char *key, int array)
{
	cJSON *c = cJSON_GetObjectItemCaseSensitive(root, key);

	if (c)
		return c;
	c = array ? cJSON_CreateArray() : cJSON_CreateObject();
	if (c && !cJSON_AddItemToObject(root, key, c)) {
		cJSON_Delete(c);
		return NULL;
	}
	return c;
}

struct set_arg {
	const char *name;
	const char *const *patterns;
	size_t n;
};

static sh_status edit_set(cJSON *root, const void *arg, struct sh_error *e)
{
	const struct set_arg *a = arg;
	cJSON *profs = child(root, "profiles", 0), *p, *tools;

	if (!cJSON_IsObject(profs))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "profiles.json: \"profiles\" must be an "
		                    "object; fix or remove the file");
	if (!(p = cJSON_CreateObject()) ||
	    !(tools = cJSON_AddArrayToObject(p, "tools"))) {
		cJSON_Delete(p);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < a->n; i++)
		if (!cJSON_AddItemToArray(tools,
		                          cJSON_CreateString(a->patterns[i]))) {
			cJSON_Delete(p);
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		}
	cJSON_DeleteItemFromObjectCaseSensitive(profs, a->name);
	if (!cJSON_AddItemToObject(profs, a->name, p)) {
		cJSON_Delete(p);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	return SH_OK;
}

sh_status profile_store_set(const char *home, const char *name,
                            const char *const *patterns, size_t n,
                            struct sh_error *e)
{
	struct set_arg a = {name, patterns, n};

	if (profile_name_check(name))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "profile name \"%.80s\" must be 1-%d of "
		                    "a-z, 0-9, '-' and '_'",
		                    name ? name : "", PROFILE_NAME_MAX);
	if (n == 0 || n > PROFILE_PATTERNS_MAX)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "a profile needs 1-%d --tools patterns "
		                    "(globs over canonical names such as "
		                    "'ns/skill.*')",
		                    PROFILE_PATTERNS_MAX);
	for (size_t i = 0; i < n; i++)
		if (profile_pattern_check(patterns[i]))
			return sh_error_set(
			        e, SH_ERR_USAGE,
			        "pattern \"%.80s\" must be 1-%d printable "
			        "characters without spaces",
			        patterns[i], PROFILE_PATTERN_MAX);
	return update(home, edit_set, &a, e);
}

static sh_status edit_remove(cJSON *root, const void *arg, struct sh_error *e)
{
	const char *name = arg;
	cJSON *profs = cJSON_GetObjectItemCaseSensitive(root, "profiles");
	const cJSON *claims = cJSON_GetObjectItemCaseSensitive(root, "claims");
	const cJSON *r;

	if (!cJSON_GetObjectItemCaseSensitive(profs, name))
		return sh_error_set(e, SH_ERR_NOTFOUND,
		                    "no profile \"%s\"; `skillhost profile "
		                    "list` shows them",
		                    name);
	cJSON_ArrayForEach(r, claims)
	{
		const cJSON *pn =
		        cJSON_GetObjectItemCaseSensitive(r, "profile");
		if (cJSON_IsString(pn) && !strcmp(pn->valuestring, name))
			return sh_error_set(
			        e, SH_ERR_USAGE,
			        "profile \"%s\" is still named by a claim "
			        "mapping; remove it first with `skillhost "
			        "profile unmap`",
			        name);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(profs, name);
	return SH_OK;
}

sh_status profile_store_remove(const char *home, const char *name,
                               struct sh_error *e)
{
	return update(home, edit_remove, name, e);
}

struct map_arg {
	const char *kind, *value, *name;
};

static sh_status edit_map(cJSON *root, const void *arg, struct sh_error *e)
{
	const struct map_arg *a = arg;
	cJSON *claims = child(root, "claims", 1), *r;
	int removed = 0;

	if (!cJSON_IsArray(claims))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "profiles.json: \"claims\" must be an "
		                    "array; fix or remove the file");
	if (!a->name) {
		for (int i = cJSON_GetArraySize(claims) - 1; i >= 0; i--) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(
			        cJSON_GetArrayItem(claims, i), a->kind);
			if (cJSON_IsString(v) &&
			    !strcmp(v->valuestring, a->value)) {
				cJSON_DeleteItemFromArray(claims, i);
				removed = 1;
			}
		}
		return removed ? SH_OK
		               : sh_error_set(e, SH_ERR_NOTFOUND,
		                              "no claim mapping for %s \"%s\"",
		                              a->kind, a->value);
	}
	if (!(r = cJSON_CreateObject()) ||
	    !cJSON_AddStringToObject(r, a->kind, a->value) ||
	    !cJSON_AddStringToObject(r, "profile", a->name) ||
	    !cJSON_AddItemToArray(claims, r)) {
		cJSON_Delete(r);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	return SH_OK;
}

sh_status profile_store_map(const char *home, const char *kind,
                            const char *value, const char *name,
                            struct sh_error *e)
{
	struct map_arg a = {kind, value, name};
	struct profile_set *ps = NULL;
	sh_status rc;
	int known = 0;

	for (int k = 0; k < 3; k++)
		known |= kind && !strcmp(kind, kinds[k]);
	if (!known || !value || !value[0])
		return sh_error_set(e, SH_ERR_USAGE,
		                    "a claim mapping needs one of --scope, "
		                    "--group or --client-id with a value");
	if (name) {
		/* Checked here for a clear message; build() checks again
		 * under the lock. */
		if ((rc = profile_set_load(home, &ps, e)))
			return rc;
		known = profile_get(ps, name) != NULL;
		profile_set_free(ps);
		if (!known)
			return sh_error_set(e, SH_ERR_NOTFOUND,
			                    "no profile \"%s\"; create it with "
			                    "`skillhost profile set %s --tools "
			                    "PATTERN...`",
			                    name, name);
	}
	return update(home, edit_map, &a, e);
}
