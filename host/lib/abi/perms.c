/*
 * perms.c - a skill's manifest permissions, typed. See perms.h.
 */
#include "perms.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* The string items of perm[key], copied into a NULL-free array. */
static int copy_list(const cJSON *perm, const char *key, char ***items,
                     size_t *n)
{
	const cJSON *list =
	        cJSON_IsObject(perm)
	                ? cJSON_GetObjectItemCaseSensitive(perm, key)
	                : NULL;
	const cJSON *it;
	int count = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;

	*items = NULL;
	*n = 0;
	if (count <= 0)
		return 1;
	*items = calloc((size_t)count, sizeof **items);
	if (!*items)
		return 0;
	cJSON_ArrayForEach(it, list)
	{
		if (!cJSON_IsString(it))
			continue;
		if (!((*items)[*n] = strdup(it->valuestring)))
			return 0;
		(*n)++;
	}
	return 1;
}

sh_status perms_from_json(const struct cJSON *perm, struct skill_perms **out,
                          struct sh_error *e)
{
	struct skill_perms *p;
	const cJSON *it;

	*out = NULL;
	p = calloc(1, sizeof *p);
	if (!p || !copy_list(perm, "network", &p->network, &p->nnetwork) ||
	    !copy_list(perm, "secrets", &p->secrets, &p->nsecrets)) {
		perms_free(p);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	if (!cJSON_IsObject(perm))
		perm = NULL;
	cJSON_ArrayForEach(it,
	                   cJSON_GetObjectItemCaseSensitive(perm, "filesystem"))
	{
		if (!cJSON_IsString(it))
			continue;
		if (!strcmp(it->valuestring, "artifacts"))
			p->fs |= PERMS_FS_ARTIFACTS;
		else if (!strcmp(it->valuestring, "inputs"))
			p->fs |= PERMS_FS_INPUTS;
	}
	*out = p;
	return SH_OK;
}

static void free_list(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

void perms_free(struct skill_perms *p)
{
	if (!p)
		return;
	free_list(p->network, p->nnetwork);
	free_list(p->secrets, p->nsecrets);
	free(p);
}

int perms_secret(const struct skill_perms *p, const char *name)
{
	if (!p)
		return 1;
	for (size_t i = 0; i < p->nsecrets; i++)
		if (!strcmp(p->secrets[i], name))
			return 1;
	return 0;
}

int perms_fs(const struct skill_perms *p, unsigned flag)
{
	return !p || (p->fs & flag) == flag;
}
