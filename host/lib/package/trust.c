/*
 * trust.c - trusted publisher keys. See trust.h.
 */
#include "trust.h"
#include "jsonnum.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fsutil.h"
#include "jsonfile.h"
#include "jsonstrict.h"
#include "names.h"

#define TRUST_MAX_BYTES ((size_t)4 * 1024 * 1024)

void trust_free(struct trust *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		for (size_t j = 0; j < t->keys[i].nnamespaces; j++)
			free(t->keys[i].namespaces[j]);
		free(t->keys[i].namespaces);
	}
	free(t->keys);
	free(t);
}

static sh_status parse(const char *path, const char *text, struct trust *t,
                       struct sh_error *e)
{
	cJSON *root = cJSON_Parse(text);
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(root, "keys"), *k;
	sh_status rc = SH_OK;

	if (!cJSON_IsObject(root) || !cJSON_IsArray(keys)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s is not a trust file ({\"keys\": [...]}); "
		                  "restore it from a backup or remove it and "
		                  "re-add keys with `skillhost trust add`",
		                  path);
		goto out;
	}
	/* Which namespaces a key may sign for must not depend on which
	 * copy of a repeated key a reader believes. */
	if ((rc = json_check_unique_keys(root, path, e))) {
		sh_error_suffix(e, "; restore it from a backup or re-add the "
		                   "keys with `skillhost trust add`");
		goto out;
	}
	t->keys = calloc((size_t)cJSON_GetArraySize(keys) + 1, sizeof *t->keys);
	if (!t->keys || cJSON_GetArraySize(keys) > TRUST_MAX_KEYS) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "%s: too many keys", path);
		goto out;
	}
	cJSON_ArrayForEach(k, keys)
	{
		struct trust_key *tk = &t->keys[t->n];
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(k, "key");
		const cJSON *ns =
		        cJSON_GetObjectItemCaseSensitive(k, "namespaces");
		const cJSON *added =
		        cJSON_GetObjectItemCaseSensitive(k, "added");
		const cJSON *n;
		struct sh_error ke;

		if (!cJSON_IsString(key) || !cJSON_IsArray(ns) ||
		    minisig_pubkey_parse(key->valuestring,
		                         strlen(key->valuestring), &tk->pk,
		                         &ke) != SH_OK) {
			rc = sh_error_set(e, SH_ERR_INVALID,
			                  "%s: keys[%zu] is not a key with "
			                  "namespaces",
			                  path, t->n);
			goto out;
		}
		minisig_keyid_to_hex(tk->pk.key_id, tk->id);
		tk->added = json_int64(added, 0);
		tk->namespaces = calloc((size_t)cJSON_GetArraySize(ns) + 1,
		                        sizeof(char *));
		if (!tk->namespaces) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			goto out;
		}
		t->n++;
		cJSON_ArrayForEach(n, ns)
		{
			if (!cJSON_IsString(n) ||
			    !skilldesc_valid_namespace(n->valuestring)) {
				rc = sh_error_set(
				        e, SH_ERR_INVALID,
				        "%s: key %s has a bad namespace", path,
				        tk->id);
				goto out;
			}
			tk->namespaces[tk->nnamespaces++] =
			        strdup(n->valuestring);
		}
	}
out:
	cJSON_Delete(root);
	return rc;
}

sh_status trust_load(const char *home, struct trust **out, struct sh_error *e)
{
	char path[PATH_MAX];
	struct trust *t;
	char *text = NULL;
	sh_status rc;

	*out = NULL;
	t = calloc(1, sizeof *t);
	if (!t)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if ((rc = fs_join(path, sizeof path, home, TRUST_FILE, e)))
		goto fail;
	rc = fs_read_file(path, TRUST_MAX_BYTES, &text, NULL, e);
	if (rc == SH_ERR_NOTFOUND) {
		sh_error_clear(e);
		*out = t;
		return SH_OK;
	}
	if (rc == SH_OK)
		rc = parse(path, text, t, e);
	free(text);
	if (rc != SH_OK)
		goto fail;
	*out = t;
	return SH_OK;
fail:
	trust_free(t);
	return rc;
}

const struct trust_key *trust_find(const struct trust *t,
                                   const uint8_t key_id[MINISIG_KEYID_BYTES])
{
	for (size_t i = 0; i < t->n; i++)
		if (!memcmp(t->keys[i].pk.key_id, key_id, MINISIG_KEYID_BYTES))
			return &t->keys[i];
	return NULL;
}

int trust_key_allows(const struct trust_key *k, const char *ns)
{
	for (size_t i = 0; i < k->nnamespaces; i++)
		if (!strcmp(k->namespaces[i], ns))
			return 1;
	return 0;
}

static cJSON *to_json(const struct trust *t)
{
	cJSON *root = cJSON_CreateObject(), *keys;

	if (!root || !cJSON_AddNumberToObject(root, "format", 1) ||
	    !(keys = cJSON_AddArrayToObject(root, "keys")))
		goto fail;
	for (size_t i = 0; i < t->n; i++) {
		const struct trust_key *k = &t->keys[i];
		char b64[MINISIG_PUBKEY_B64_SIZE];
		cJSON *o = cJSON_CreateObject(), *ns;

		if (!o)
			goto fail;
		cJSON_AddItemToArray(keys, o);
		minisig_pubkey_to_base64(&k->pk, b64);
		if (!cJSON_AddStringToObject(o, "id", k->id) ||
		    !cJSON_AddStringToObject(o, "key", b64) ||
		    !(ns = cJSON_AddArrayToObject(o, "namespaces")) ||
		    !cJSON_AddNumberToObject(o, "added", (double)k->added))
			goto fail;
		for (size_t j = 0; j < k->nnamespaces; j++)
			cJSON_AddItemToArray(
			        ns, cJSON_CreateString(k->namespaces[j]));
	}
	return root;
fail:
	cJSON_Delete(root);
	return NULL;
}

/* Load, change and rewrite trust.json under an exclusive lock. */
static sh_status update(const char *home,
                        sh_status (*change)(struct trust *, const void *,
                                            struct sh_error *),
                        const void *arg, struct sh_error *e)
{
	char path[PATH_MAX];
	struct trust *t = NULL;
	cJSON *j = NULL;
	sh_status rc;
	int fd = -1;

	if ((rc = fs_join(path, sizeof path, home, TRUST_FILE, e)) ||
	    (rc = fs_lock_in(home, ".trust.lock", &fd, e)))
		return rc;
	if ((rc = trust_load(home, &t, e)) || (rc = change(t, arg, e)))
		goto out;
	j = to_json(t);
	rc = j ? json_write_atomic(path, j, 0600, 0, e)
	       : sh_error_set(e, SH_ERR_NOMEM, "out of memory");
out:
	cJSON_Delete(j);
	trust_free(t);
	if (fd >= 0)
		close(fd);
	return rc;
}

struct add_arg {
	const struct minisig_pubkey *pk;
	const char *ns;
};

static sh_status do_add(struct trust *t, const void *p, struct sh_error *e)
{
	const struct add_arg *a = p;
	struct trust_key *k = (struct trust_key *)trust_find(t, a->pk->key_id);
	char **grown;

	if (k && memcmp(k->pk.pk, a->pk->pk, sizeof k->pk.pk))
		return sh_error_set(e, SH_ERR_TRUST,
		                    "a different key with id %s is already "
		                    "trusted; remove it first with `skillhost "
		                    "trust remove %s`",
		                    k->id, k->id);
	if (!k) {
		struct trust_key *keys;
		if (t->n >= TRUST_MAX_KEYS)
			return sh_error_set(e, SH_ERR_NOMEM, "too many keys");
		keys = realloc(t->keys, (t->n + 1) * sizeof *keys);
		if (!keys)
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		t->keys = keys;
		k = &t->keys[t->n++];
		memset(k, 0, sizeof *k);
		k->pk = *a->pk;
		minisig_keyid_to_hex(k->pk.key_id, k->id);
		k->added = (int64_t)time(NULL);
	}
	if (trust_key_allows(k, a->ns))
		return SH_OK;
	if (k->nnamespaces >= TRUST_MAX_NAMESPACES)
		return sh_error_set(e, SH_ERR_NOMEM, "too many namespaces");
	grown = realloc(k->namespaces, (k->nnamespaces + 2) * sizeof *grown);
	if (!grown)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	k->namespaces = grown;
	if (!(k->namespaces[k->nnamespaces] = strdup(a->ns)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	k->namespaces[++k->nnamespaces] = NULL;
	return SH_OK;
}

sh_status trust_add(const char *home, const struct minisig_pubkey *pk,
                    const char *ns, struct sh_error *e)
{
	struct add_arg a = {pk, ns};

	if (!skilldesc_valid_namespace(ns))
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "'%s' is not a namespace (lower-case letters, "
		        "digits and '-', 1-64 characters)",
		        ns ? ns : "");
	return update(home, do_add, &a, e);
}

static sh_status do_remove(struct trust *t, const void *p, struct sh_error *e)
{
	const char *id = p;

	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->keys[i].id, id)) {
			for (size_t j = 0; j < t->keys[i].nnamespaces; j++)
				free(t->keys[i].namespaces[j]);
			free(t->keys[i].namespaces);
			memmove(&t->keys[i], &t->keys[i + 1],
			        (t->n - i - 1) * sizeof *t->keys);
			t->n--;
			return SH_OK;
		}
	return sh_error_set(e, SH_ERR_NOTFOUND,
	                    "no trusted key has id %s; see `skillhost trust "
	                    "list`",
	                    id);
}

sh_status trust_remove(const char *home, const char *id, struct sh_error *e)
{
	return update(home, do_remove, id, e);
}
