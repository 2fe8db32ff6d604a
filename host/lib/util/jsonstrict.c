/*
 * jsonstrict.c - repeated-key detection. See jsonstrict.h.
 */
#include "jsonstrict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Objects up to this many members are checked pairwise: cheaper than
 * allocating and sorting for the small objects documents mostly hold. */
#define PAIRWISE_MAX 16

struct member {
	const cJSON *item;
	size_t pos;
};

static int by_name(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = strcmp(x->item->string, y->item->string);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* A member of o whose name an earlier member of o has, or NULL. n is the
 * member count. Sets *nomem when it cannot tell. */
static const cJSON *repeated_in(const cJSON *o, size_t n, int *nomem)
{
	const cJSON *a, *b, *found = NULL;
	struct member *v;
	size_t i = 0;

	if (n <= PAIRWISE_MAX) {
		for (a = o->child; a; a = a->next)
			for (b = o->child; b != a; b = b->next)
				if (a->string && b->string &&
				    !strcmp(a->string, b->string))
					return a;
		return NULL;
	}
	v = malloc(n * sizeof *v);
	if (!v) {
		*nomem = 1;
		return NULL;
	}
	for (a = o->child; a; a = a->next, i++)
		v[i] = (struct member){a, i};
	/* cJSON names every member it parses into an object; a tree built
	 * by hand may not, and such members cannot collide. */
	for (i = 0; i < n; i++)
		if (!v[i].item->string) {
			free(v);
			return NULL;
		}
	qsort(v, n, sizeof *v, by_name);
	for (i = 1; i < n && !found; i++)
		if (!strcmp(v[i - 1].item->string, v[i].item->string))
			found = v[i].item;
	free(v);
	return found;
}

/* Append "/" and the RFC 6901 form of name to path[*len...]. */
static void push(char *path, size_t cap, size_t *len, const char *name)
{
	size_t n = *len;

	if (!path || n + 1 >= cap)
		return;
	path[n++] = '/';
	for (const char *c = name; *c && n + 2 < cap; c++) {
		if (*c == '~' || *c == '/') {
			path[n++] = '~';
			path[n++] = *c == '~' ? '0' : '1';
		} else {
			path[n++] = *c;
		}
	}
	path[n] = '\0';
	*len = n;
}

static const cJSON *walk(const cJSON *j, char *path, size_t cap, size_t len,
                         int *nomem)
{
	const cJSON *c, *dup;
	size_t n = 0, i = 0;

	if (!cJSON_IsObject(j) && !cJSON_IsArray(j))
		return NULL;
	for (c = j->child; c; c = c->next)
		n++;
	if (cJSON_IsObject(j) && (dup = repeated_in(j, n, nomem)))
		return dup;
	if (*nomem)
		return NULL;
	for (c = j->child; c; c = c->next, i++) {
		char idx[24];
		size_t sub = len;
		if (cJSON_IsObject(j)) {
			push(path, cap, &sub, c->string ? c->string : "");
		} else {
			snprintf(idx, sizeof idx, "%zu", i);
			push(path, cap, &sub, idx);
		}
		if ((dup = walk(c, path, cap, sub, nomem)))
			return dup;
		if (path)
			path[len] = '\0';
		if (*nomem)
			return NULL;
	}
	return NULL;
}

const cJSON *json_find_duplicate_key(const cJSON *j, char *path, size_t cap)
{
	int nomem = 0;

	if (path && cap)
		path[0] = '\0';
	return walk(j, cap ? path : NULL, cap, 0, &nomem);
}

/* name as it may be shown on a terminal: printable ASCII, at most 64
 * characters, so a hostile key cannot send escape sequences. */
static void shown(const char *name, char *out, size_t cap)
{
	size_t n = 0;

	for (; *name && n + 4 < cap && n < 64; name++)
		out[n++] = (*name >= 0x20 && *name < 0x7f) ? *name : '?';
	if (*name) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

sh_status json_check_unique_keys(const cJSON *j, const char *doc,
                                 struct sh_error *e)
{
	char path[JSONSTRICT_PATH_MAX], key[72], where[JSONSTRICT_PATH_MAX];
	const cJSON *dup;
	int nomem = 0;

	path[0] = '\0';
	dup = walk(j, path, sizeof path, 0, &nomem);
	if (nomem)
		return sh_error_set(e, SH_ERR_NOMEM,
		                    "%s: out of memory checking its keys", doc);
	if (!dup)
		return SH_OK;
	shown(dup->string, key, sizeof key);
	/* The path is made of keys too. */
	for (size_t i = 0;; i++) {
		unsigned char c = (unsigned char)path[i];
		where[i] = c && (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
		if (!c)
			break;
	}
	return sh_error_set(
	        e, SH_ERR_INVALID,
	        "%s: the key \"%s\" appears twice in %s%s; readers disagree "
	        "on which copy counts, so the document is refused as a "
	        "whole",
	        doc, key, path[0] ? "the object at " : "the top-level object",
	        where);
}
