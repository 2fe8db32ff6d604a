/*
 * secrets.c - secrets for skills. See secrets.h.
 */
#include "secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "call.h"
#include "fsutil.h"
#include "hostapi.h"

static sh_status load(const char *home, cJSON **out, struct sh_error *e)
{
	char path[PATH_MAX], *text = NULL;
	size_t len;
	sh_status rc;

	*out = NULL;
	if ((rc = fs_join(path, sizeof path, home, SECRETS_FILE, e)))
		return rc;
	rc = fs_read_file(path, SECRETS_MAX_BYTES, &text, &len, e);
	if (rc == SH_ERR_NOTFOUND) {
		sh_error_clear(e);
		*out = cJSON_Parse("{\"format\":1,\"skills\":{}}");
		return SH_OK;
	}
	if (rc != SH_OK)
		return rc;
	*out = cJSON_ParseWithLength(text, len);
	sodium_memzero(text, len);
	free(text);
	if (!cJSON_IsObject(*out) ||
	    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(*out, "skills"))) {
		cJSON_Delete(*out);
		*out = NULL;
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s is damaged; remove it and set the "
		                    "secrets again with `skillhost secret set`",
		                    path);
	}
	return SH_OK;
}

/* Free a tree holding secret values, wiping them first. */
static void wipe(cJSON *j)
{
	cJSON *c;

	if (!j)
		return;
	if (cJSON_IsString(j) && j->valuestring)
		sodium_memzero(j->valuestring, strlen(j->valuestring));
	cJSON_ArrayForEach(c, j) wipe(c);
}

static void drop(cJSON *j)
{
	wipe(j);
	cJSON_Delete(j);
}

sh_status secrets_set(const char *home, const char *skill, const char *name,
                      const char *value, size_t len, struct sh_error *e)
{
	char lock[PATH_MAX], path[PATH_MAX];
	cJSON *root = NULL, *skills, *mine;
	char *text = NULL, *copy = NULL;
	sh_status rc;
	int fd;

	if (value && (len > SECRET_VALUE_MAX || memchr(value, '\0', len)))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "a secret value is at most %u bytes and "
		                    "cannot contain NUL bytes",
		                    SECRET_VALUE_MAX);
	if ((rc = fs_mkdirs(home, 0700, e)) ||
	    (rc = fs_join(lock, sizeof lock, home, ".secrets.lock", e)) ||
	    (rc = fs_join(path, sizeof path, home, SECRETS_FILE, e)))
		return rc;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot lock %s",
		                    lock);
		goto out;
	}
	if ((rc = load(home, &root, e)))
		goto out;
	skills = cJSON_GetObjectItemCaseSensitive(root, "skills");
	mine = cJSON_GetObjectItemCaseSensitive(skills, skill);
	if (!mine)
		mine = cJSON_AddObjectToObject(skills, skill);
	if (!mine) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	{
		cJSON *old =
		        cJSON_DetachItemFromObjectCaseSensitive(mine, name);
		if (!value && !old) {
			rc = sh_error_set(e, SH_ERR_NOTFOUND,
			                  "%s has no secret %s", skill, name);
			goto out;
		}
		drop(old);
	}
	if (value) {
		copy = malloc(len + 1);
		if (!copy) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			goto out;
		}
		memcpy(copy, value, len);
		copy[len] = '\0';
		cJSON_AddStringToObject(mine, name, copy);
	}
	text = cJSON_Print(root);
	if (!text) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = fs_write_atomic(path, text, strlen(text), 0600, e);
out:
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	if (copy) {
		sodium_memzero(copy, len);
		free(copy);
	}
	drop(root);
	if (fd >= 0)
		close(fd);
	return rc;
}

sh_status secrets_names(const char *home, const char *skill, char ***names,
                        struct sh_error *e)
{
	cJSON *root, *it;
	const cJSON *mine;
	size_t n = 0;
	sh_status rc;

	*names = NULL;
	if ((rc = load(home, &root, e)))
		return rc;
	mine = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(root, "skills"), skill);
	*names = calloc((size_t)cJSON_GetArraySize(mine) + 1, sizeof(char *));
	if (!*names) {
		drop(root);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	cJSON_ArrayForEach(it, mine)(*names)[n++] = strdup(it->string);
	drop(root);
	return SH_OK;
}

void secrets_free_names(char **names)
{
	for (char **p = names; p && *p; p++)
		free(*p);
	free(names);
}

static int64_t copy_out(const char *v, char *buf, size_t cap)
{
	size_t n = strlen(v);

	if (buf && cap) {
		size_t k = n < cap - 1 ? n : cap - 1;
		memcpy(buf, v, k);
		buf[k] = '\0';
	}
	return (int64_t)n;
}

int64_t secrets_lookup(const char *home, const char *skill, const char *name,
                       char *buf, size_t cap)
{
	const cJSON *v = NULL;
	struct sh_error e;
	cJSON *root = NULL;
	const char *env;
	int64_t n = -1;

	if (home && load(home, &root, &e) == SH_OK)
		v = cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetObjectItemCaseSensitive(
		                cJSON_GetObjectItemCaseSensitive(root,
		                                                 "skills"),
		                skill),
		        name);
	if (cJSON_IsString(v))
		n = copy_out(v->valuestring, buf, cap);
	else if ((env = getenv(name)) != NULL)
		n = copy_out(env, buf, cap);
	drop(root);
	return n;
}

static int64_t ext_get(skill_call_t *call, const char *name, char *buf,
                       size_t cap)
{
	const struct host_services *svc = call->services;
	char msg[256];

	if (!name || !*name || strlen(name) > 64)
		return -2;
	if (!call_permitted(call, "secrets", name)) {
		snprintf(msg, sizeof msg,
		         "reading secret %s is denied: the skill's manifest "
		         "does "
		         "not declare it in permissions.secrets",
		         name);
		call_log(call, SKILL_LOG_ERROR, msg);
		return -2;
	}
	return secrets_lookup(svc ? svc->home : NULL, call->skill_name, name,
	                      buf, cap);
}

const skill_ext_secrets_t secrets_ext = {
        .struct_size = sizeof(skill_ext_secrets_t),
        .get = ext_get,
};
