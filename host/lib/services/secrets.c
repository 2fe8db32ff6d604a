/*
 * secrets.c - secrets for skills. See secrets.h.
 */
#include "secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "call.h"
#include "fsutil.h"
#include "jsonfile.h"
#include "hostapi.h"
#include "hostlog.h"
#include "perms.h"
#include "jsonstrict.h"

int secrets_valid_name(const char *n)
{
	size_t len = n ? strlen(n) : 0;

	if (len == 0 || len > 64 || n[0] < 'A' || n[0] > 'Z')
		return 0;
	for (const char *c = n; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '_'))
			return 0;
	return 1;
}

int secrets_valid_env_name(const char *v)
{
	size_t len = v ? strlen(v) : 0;

	if (len == 0 || len > 128 || (v[0] >= '0' && v[0] <= '9'))
		return 0;
	for (const char *c = v; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9') || *c == '_'))
			return 0;
	return 1;
}

static sh_status load(const char *home, cJSON **out, struct sh_error *e)
{
	char path[PATH_MAX], *text = NULL;
	const cJSON *env;
	size_t len;
	sh_status rc;

	*out = NULL;
	if ((rc = fs_join(path, sizeof path, home, SECRETS_FILE, e)))
		return rc;
	rc = fs_read_file(path, SECRETS_MAX_BYTES, &text, &len, e);
	if (rc == SH_ERR_NOTFOUND) {
		sh_error_clear(e);
		*out = cJSON_Parse("{\"format\":1,\"skills\":{}}");
		return *out ? SH_OK
		            : sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	if (rc != SH_OK)
		return rc;
	*out = cJSON_ParseWithLength(text, len);
	sodium_memzero(text, len);
	free(text);
	env = cJSON_GetObjectItemCaseSensitive(*out, "from_env");
	if (!cJSON_IsObject(*out) ||
	    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(*out, "skills")) ||
	    (env && !cJSON_IsObject(env))) {
		cJSON_Delete(*out);
		*out = NULL;
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s is damaged; remove it and set the "
		                    "secrets again with `skillhost secret set`",
		                    path);
	}
	/* Which value or variable a skill gets must have one answer. */
	if (json_check_unique_keys(*out, path, e) != SH_OK) {
		cJSON_Delete(*out);
		*out = NULL;
		return sh_error_suffix(e, "; edit it or remove it and set the "
		                          "secrets again with `skillhost "
		                          "secret set`");
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

/* root[section][skill], created when create is set (NULL on no memory). */
static cJSON *section_of(cJSON *root, const char *section, const char *skill,
                         int create)
{
	cJSON *sec = cJSON_GetObjectItemCaseSensitive(root, section), *mine;

	if (!sec && create)
		sec = cJSON_AddObjectToObject(root, section);
	mine = cJSON_GetObjectItemCaseSensitive(sec, skill);
	if (!mine && sec && create)
		mine = cJSON_AddObjectToObject(sec, skill);
	return mine;
}

/* Detach and free root[section][skill][name]; 1 when there was one. An
 * emptied skill entry goes too, so removed skills leave no trace. */
static int forget(cJSON *root, const char *section, const char *skill,
                  const char *name)
{
	cJSON *mine = section_of(root, section, skill, 0);
	cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(mine, name);

	drop(old);
	if (mine && !mine->child)
		cJSON_DeleteItemFromObjectCaseSensitive(
		        cJSON_GetObjectItemCaseSensitive(root, section), skill);
	return old != NULL;
}

struct change {
	const char *skill, *name;
	const char *value; /* NUL-terminated copy, or NULL */
	const char *var;   /* an approval, or NULL */
};

static sh_status apply(cJSON *root, const struct change *c, struct sh_error *e)
{
	int had = forget(root, "skills", c->skill, c->name);
	cJSON *mine;

	had |= forget(root, "from_env", c->skill, c->name);
	if (!c->value && !c->var) {
		if (!had)
			return sh_error_set(
			        e, SH_ERR_NOTFOUND,
			        "%s has no secret %s; see `skillhost "
			        "secret list %s`",
			        c->skill, c->name, c->skill);
		return SH_OK;
	}
	mine = section_of(root, c->value ? "skills" : "from_env", c->skill, 1);
	if (!mine || !cJSON_AddStringToObject(mine, c->name,
	                                      c->value ? c->value : c->var))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	return SH_OK;
}

/* Load, change and rewrite secrets.json under an exclusive lock. */
static sh_status update(const char *home, const struct change *c,
                        struct sh_error *e)
{
	char path[PATH_MAX];
	cJSON *root = NULL;
	sh_status rc;
	int fd = -1;

	if ((rc = fs_join(path, sizeof path, home, SECRETS_FILE, e)) ||
	    (rc = fs_lock_in(home, ".secrets.lock", &fd, e)))
		return rc;
	if ((rc = load(home, &root, e)) || (rc = apply(root, c, e)))
		goto out;
	rc = json_write_atomic(path, root, 0600, 1, e);
out:
	drop(root);
	if (fd >= 0)
		close(fd);
	return rc;
}

sh_status secrets_set(const char *home, const char *skill, const char *name,
                      const char *value, size_t len, struct sh_error *e)
{
	struct change c = {skill, name, NULL, NULL};
	char *copy = NULL;
	sh_status rc;

	if (value && (len > SECRET_VALUE_MAX || memchr(value, '\0', len)))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "a secret value is at most %zu bytes and "
		                    "cannot contain NUL bytes",
		                    SECRET_VALUE_MAX);
	if (value) {
		if (!(copy = malloc(len + 1)))
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		memcpy(copy, value, len);
		copy[len] = '\0';
		c.value = copy;
	}
	rc = update(home, &c, e);
	if (copy) {
		sodium_memzero(copy, len);
		free(copy);
	}
	return rc;
}

sh_status secrets_allow_env(const char *home, const char *skill,
                            const char *name, const char *var,
                            struct sh_error *e)
{
	struct change c = {skill, name, NULL, var ? var : name};

	if (!secrets_valid_name(name))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "'%s' is not a secret name (like "
		                    "JIRA_API_TOKEN)",
		                    name ? name : "");
	if (!secrets_valid_env_name(c.var))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "'%s' is not an environment variable name "
		                    "(letters, digits and '_')",
		                    c.var);
	return update(home, &c, e);
}

sh_status secrets_describe(const char *home, const char *skill, cJSON **out,
                           struct sh_error *e)
{
	cJSON *root, *res = cJSON_CreateObject(), *it, *o;
	sh_status rc;

	*out = NULL;
	if (!res)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if ((rc = load(home, &root, e))) {
		cJSON_Delete(res);
		return rc;
	}
	cJSON_ArrayForEach(it, section_of(root, "skills", skill, 0))
	{
		if (!(o = cJSON_AddObjectToObject(res, it->string)) ||
		    !cJSON_AddStringToObject(o, "source", "stored"))
			goto nomem;
	}
	cJSON_ArrayForEach(it, section_of(root, "from_env", skill, 0))
	{
		if (!cJSON_IsString(it) ||
		    cJSON_GetObjectItemCaseSensitive(res, it->string))
			continue;
		if (!(o = cJSON_AddObjectToObject(res, it->string)) ||
		    !cJSON_AddStringToObject(o, "source", "env") ||
		    !cJSON_AddStringToObject(o, "variable", it->valuestring))
			goto nomem;
	}
	drop(root);
	*out = res;
	return SH_OK;
nomem:
	drop(root);
	cJSON_Delete(res);
	return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
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
	mine = section_of(root, "skills", skill, 0);
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

int64_t secrets_copy_out(const char *v, char *buf, size_t cap)
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
	const cJSON *v = NULL, *var = NULL;
	struct sh_error e;
	cJSON *root = NULL;
	const char *env;
	int64_t n = -1;

	if (!home || load(home, &root, &e) != SH_OK)
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(
	        section_of(root, "skills", skill, 0), name);
	var = cJSON_GetObjectItemCaseSensitive(
	        section_of(root, "from_env", skill, 0), name);
	if (cJSON_IsString(v))
		n = secrets_copy_out(v->valuestring, buf, cap);
	else if (cJSON_IsString(var) &&
	         (env = getenv(var->valuestring)) != NULL)
		n = secrets_copy_out(env, buf, cap);
	drop(root);
	return n;
}

/* Say once per skill and variable that a development skill got an
 * environment variable: nothing the operator approved, so it must at
 * least be visible. */
static void announce_dev_env(const char *skill, const char *var)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char told[32][160];
	static size_t ntold;
	char key[160];
	int seen = 0;

	snprintf(key, sizeof key, "%s %s", skill, var);
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < ntold && !seen; i++)
		seen = !strcmp(told[i], key);
	if (!seen && ntold < sizeof told / sizeof told[0])
		snprintf(told[ntold++], sizeof told[0], "%s", key);
	pthread_mutex_unlock(&lock);
	if (!seen)
		hostlog(SKILL_LOG_WARNING,
		        "development mode: passing environment variable %s "
		        "to skill %s (an installed skill gets it only after "
		        "`skillhost secret set %s %s --from-env`)",
		        var, skill, skill, var);
}

static int64_t ext_get(skill_call_t *call, const char *name, char *buf,
                       size_t cap)
{
	const struct host_services *svc = call->services;
	const char *home = svc ? svc->home : NULL;
	char msg[512];
	const char *dev;
	int64_t n;

	if (!name || !*name || strlen(name) > 64)
		return -2;
	if (!perms_secret(call->perms, name)) {
		snprintf(msg, sizeof msg,
		         "reading secret %s is denied: the skill's manifest "
		         "does "
		         "not declare it in permissions.secrets",
		         name);
		call_log(call, SKILL_LOG_ERROR, msg);
		return -2;
	}
	n = secrets_lookup(home, call->skill_name, name, buf, cap);
	if (n >= 0)
		return n;
	/* A skill loaded from a file has no manifest the operator reviewed
	 * and no store decision; its author is the operator. */
	if (!call->perms && secrets_valid_name(name) && (dev = getenv(name))) {
		announce_dev_env(call->skill_name, name);
		return secrets_copy_out(dev, buf, cap);
	}
	/* The one case worth a word on every call: the operator may expect
	 * the variable to reach the skill, as it once did. Optional secrets
	 * a skill merely probes for stay quiet. */
	if (getenv(name)) {
		snprintf(msg, sizeof msg,
		         "secret %s is not set for %s; the host's environment "
		         "has %s, but passes it to an installed skill only "
		         "when the operator approves it with `skillhost secret "
		         "set %s %s --from-env` (or stores a value with "
		         "`skillhost secret set %s %s`, reading stdin)",
		         name, call->skill_name, name, call->skill_name, name,
		         call->skill_name, name);
		call_log(call, SKILL_LOG_WARNING, msg);
	}
	return -1;
}

const skill_ext_secrets_t secrets_ext = {
        .struct_size = sizeof(skill_ext_secrets_t),
        .get = ext_get,
};
