/*
 * config.c - per-skill configuration. See config.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fsutil.h"
#include "jsonfile.h"

struct config {
	cJSON *root;
};

static sh_status parse(const char *path, const char *text, cJSON **out,
                       struct sh_error *e)
{
	cJSON *root = cJSON_Parse(text);
	const cJSON *skills;

	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s is not a JSON object; fix or remove it "
		                    "(it holds `skillhost config` values)",
		                    path);
	}
	skills = cJSON_GetObjectItemCaseSensitive(root, "skills");
	if (skills && !cJSON_IsObject(skills)) {
		cJSON_Delete(root);
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: \"skills\" must be an object", path);
	}
	skills = cJSON_GetObjectItemCaseSensitive(root, "host");
	if (skills && !cJSON_IsObject(skills)) {
		cJSON_Delete(root);
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: \"host\" must be an object", path);
	}
	*out = root;
	return SH_OK;
}

static sh_status load_path(const char *path, cJSON **out, struct sh_error *e)
{
	char *text = NULL;
	sh_status rc;

	rc = fs_read_file(path, CONFIG_MAX_BYTES, &text, NULL, e);
	if (rc == SH_ERR_NOTFOUND) {
		sh_error_clear(e);
		*out = cJSON_CreateObject();
		return *out ? SH_OK
		            : sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	if (rc != SH_OK)
		return rc;
	rc = parse(path, text, out, e);
	free(text);
	return rc;
}

sh_status config_load(const char *home, struct config **out, struct sh_error *e)
{
	char path[PATH_MAX];
	struct config *c;
	sh_status rc;

	*out = NULL;
	c = calloc(1, sizeof *c);
	if (!c)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (!home) {
		c->root = cJSON_CreateObject();
		*out = c;
		return SH_OK;
	}
	rc = fs_join(path, sizeof path, home, CONFIG_FILE, e);
	if (rc == SH_OK)
		rc = load_path(path, &c->root, e);
	if (rc != SH_OK) {
		free(c);
		return rc;
	}
	*out = c;
	return SH_OK;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	cJSON_Delete(c->root);
	free(c);
}

const cJSON *config_skill(const struct config *c, const char *skill)
{
	const cJSON *skills;

	if (!c || !skill)
		return NULL;
	skills = cJSON_GetObjectItemCaseSensitive(c->root, "skills");
	return cJSON_GetObjectItemCaseSensitive(skills, skill);
}

static const char *lookup(const struct config *c, const char *skill,
                          const char *section, const char *key)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(
	        config_skill(c, skill), section);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *config_setting(const struct config *c, const char *skill,
                           const char *key)
{
	return lookup(c, skill, "settings", key);
}

const char *config_policy(const struct config *c, const char *skill,
                          const char *key)
{
	return lookup(c, skill, "policy", key);
}

const char *config_host(const struct config *c, const char *key)
{
	const cJSON *v;

	if (!c)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(c->root, "host"), key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *child_object(cJSON *parent, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);

	if (cJSON_IsObject(o))
		return o;
	cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
	return cJSON_AddObjectToObject(parent, key);
}

/* Set or remove key in skills.<skill>.<section>, or in "host" when skill
 * is NULL; remove skills.<skill> as a whole when section is NULL. */
static sh_status update(const char *home, const char *skill,
                        const char *section, const char *key, const char *value,
                        struct sh_error *e)
{
	char path[PATH_MAX];
	cJSON *root = NULL, *node;
	sh_status rc;
	int fd = -1;

	if ((rc = fs_join(path, sizeof path, home, CONFIG_FILE, e)) ||
	    (rc = fs_lock_in(home, ".config.lock", &fd, e)))
		return rc;
	rc = load_path(path, &root, e);
	if (rc != SH_OK)
		goto out;
	if (!cJSON_GetObjectItemCaseSensitive(root, "version"))
		cJSON_AddNumberToObject(root, "version", 1);
	if (skill && !section) {
		cJSON *skills =
		        cJSON_GetObjectItemCaseSensitive(root, "skills");
		if (cJSON_GetObjectItemCaseSensitive(skills, skill)) {
			cJSON_DeleteItemFromObjectCaseSensitive(skills, skill);
			rc = json_write_atomic(path, root, 0600, 0, e);
		}
		goto out;
	}
	if (skill) {
		node = child_object(root, "skills");
		node = node ? child_object(node, skill) : NULL;
		node = node ? child_object(node, section) : NULL;
	} else {
		node = child_object(root, "host");
	}
	if (!node) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(node, key);
	if (value && !cJSON_AddStringToObject(node, key, value)) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = json_write_atomic(path, root, 0600, 0, e);
out:
	cJSON_Delete(root);
	close(fd); /* releases the lock */
	return rc;
}

sh_status config_update(const char *home, const char *skill,
                        const char *section, const char *key, const char *value,
                        struct sh_error *e)
{
	return update(home, skill, section, key, value, e);
}

sh_status config_remove_skill(const char *home, const char *skill,
                              struct sh_error *e)
{
	return update(home, skill, NULL, NULL, NULL, e);
}

sh_status config_update_host(const char *home, const char *key,
                             const char *value, struct sh_error *e)
{
	return update(home, NULL, NULL, key, value, e);
}

int config_parse_duration_ms(const char *s, int64_t *out_ms)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = {{"", 1},      {"ms", 1},      {"s", 1000},
	             {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
	const int64_t max_ms = 100LL * 366 * 86400000;
	char *end;
	long long n;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || n <= 0)
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (!strcmp(end, units[i].unit)) {
			if (n > max_ms / units[i].ms)
				return -1;
			*out_ms = (int64_t)n * units[i].ms;
			return 0;
		}
	return -1;
}

int64_t config_call_timeout_ms(const struct config *c, const char *skill,
                               int64_t per_call_ms, int64_t host_ms)
{
	const char *v;
	int64_t ms;

	if (per_call_ms > 0)
		return per_call_ms;
	v = config_policy(c, skill, "timeout");
	if (v && config_parse_duration_ms(v, &ms) == 0)
		return ms;
	if (host_ms > 0)
		return host_ms;
	v = config_host(c, "timeout");
	if (v && config_parse_duration_ms(v, &ms) == 0)
		return ms;
	return CONFIG_TIMEOUT_DEFAULT_MS;
}

int config_confirm_destructive(const struct config *c, const char *skill)
{
	const char *v = config_policy(c, skill, "confirm-destructive");

	if (!v)
		v = config_host(c, "confirm-destructive");
	return v && strcmp(v, "off") != 0;
}

uint64_t config_parse_size(const char *s)
{
	char *end;
	unsigned long long n;
	uint64_t mult = 1;

	if (!s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || n == 0)
		return 0;
	switch (*end) {
	case '\0': break;
	case 'k':
	case 'K': mult = 1ull << 10; break;
	case 'm':
	case 'M': mult = 1ull << 20; break;
	case 'g':
	case 'G': mult = 1ull << 30; break;
	default: return 0;
	}
	if (*end && end[1])
		return 0;
	if (n > UINT64_MAX / mult)
		return 0;
	return (uint64_t)n * mult;
}
