/*
 * regdir.c - a registry folder and the changes skillreg makes. See
 * regdir.h and registry/FORMAT.md.
 */
#include "regdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "agentskill.h"
#include "fsutil.h"
#include "hostlog.h"
#include "manifest.h"
#include "package.h"
#include "pkgcheck.h"
#include "regkeys.h"
#include "skilldesc.h"

#define COPY_CHUNK ((size_t)1024 * 1024)

struct regdir {
	char dir[PATH_MAX];
	char keydir[PATH_MAX];
	int lock;
	struct regroot *root;
	cJSON *tree;                     /* the index, with pending changes */
	struct regindex *index;          /* the committed index */
	struct minisig_seckey *index_sk; /* loaded when first needed */
	int pending;
	int no_probe; /* regdir_set_probe(r, 0) */
};

void regdir_set_probe(struct regdir *r, int on)
{
	r->no_probe = !on;
}

const struct regindex *regdir_index(const struct regdir *r)
{
	return r->index;
}

const struct regroot *regdir_root(const struct regdir *r)
{
	return r->root;
}

const char *regdir_path(const struct regdir *r)
{
	return r->dir;
}

const char *regdir_keydir(const struct regdir *r)
{
	return r->keydir;
}

/* ---- helpers ------------------------------------------------------------ */

static sh_status take_lock(const char *keydir, int *fd, struct sh_error *e)
{
	char path[PATH_MAX];
	sh_status rc;

	if ((rc = fs_pathf(path, sizeof path, e, "%s/%s", keydir,
	                   REGKEYS_LOCK)))
		return rc;
	rc = fs_lock(path, fd, e);
	if (rc == SH_ERR_NOTFOUND)
		sh_error_suffix(e,
		                " (is %s the registry's key folder? give it "
		                "with --keys)",
		                keydir);
	return rc;
}

static sh_status write_in(const char *dir, const char *name, const char *data,
                          size_t len, struct sh_error *e)
{
	char path[PATH_MAX];
	sh_status rc;

	if ((rc = fs_pathf(path, sizeof path, e, "%s/%s", dir, name)))
		return rc;
	return fs_write_atomic(path, data, len, 0644, e);
}

static sh_status save_sig_in(const char *dir, const char *name,
                             const struct minisig_signature *sig,
                             struct sh_error *e)
{
	char path[PATH_MAX];
	sh_status rc;

	if ((rc = fs_pathf(path, sizeof path, e, "%s/%s", dir, name)))
		return rc;
	return minisig_save(path, sig, e);
}

static sh_status read_in(const char *dir, const char *name, size_t cap,
                         char **text, size_t *len, struct sh_error *e)
{
	char path[PATH_MAX];
	sh_status rc;

	if ((rc = fs_pathf(path, sizeof path, e, "%s/%s", dir, name)))
		return rc;
	return fs_read_file(path, cap, text, len, e);
}

/* ---- roots -------------------------------------------------------------- */

/* Write root version v listing root_pk and index_pk, signed by self_sk
 * (whose public half is root_pk) and, for v > 1, by prev_sk. */
static sh_status publish_root(const char *dir, int64_t v,
                              const struct minisig_pubkey *root_pk,
                              const struct minisig_pubkey *index_pk,
                              const struct minisig_seckey *self_sk,
                              const struct minisig_seckey *prev_sk,
                              struct sh_error *e)
{
	struct minisig_signature self, prev;
	struct regmeta_info info = {.kind = REGMETA_ROOT, .version = v};
	char t[REGINDEX_TIME_SIZE], rdir[PATH_MAX], name[128];
	char rb64[MINISIG_PUBKEY_B64_SIZE], ib64[MINISIG_PUBKEY_B64_SIZE];
	cJSON *j = cJSON_CreateObject(), *keys;
	char *text = NULL;
	sh_status rc;

	regindex_time_format((int64_t)time(NULL), t);
	minisig_pubkey_to_base64(root_pk, rb64);
	minisig_pubkey_to_base64(index_pk, ib64);
	if (!j || !cJSON_AddStringToObject(j, "type", REGROOT_TYPE) ||
	    !cJSON_AddNumberToObject(j, "format", REGINDEX_FORMAT) ||
	    !cJSON_AddNumberToObject(j, "version", (double)v) ||
	    !cJSON_AddStringToObject(j, "created", t) ||
	    !cJSON_AddStringToObject(j, "root_key", rb64) ||
	    !(keys = cJSON_AddArrayToObject(j, "index_keys")) ||
	    !cJSON_AddItemToArray(keys, cJSON_CreateString(ib64)) ||
	    !(text = cJSON_Print(j))) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = regkeys_sign_meta(self_sk, &info, text, strlen(text), &self,
	                            e)))
		goto out;
	if (prev_sk && (rc = regkeys_sign_meta(prev_sk, &info, text,
	                                       strlen(text), &prev, e)))
		goto out;
	if ((rc = fs_pathf(rdir, sizeof rdir, e, "%s/%s", dir, REGDIR_ROOTS)) ||
	    (rc = fs_mkdirs(rdir, 0755, e)))
		goto out;
	/* The signatures first: once N.root.json exists, a walking client
	 * finds everything it needs. */
	snprintf(name, sizeof name, "%" PRId64 ".root.json", v);
	if (prev_sk) {
		char pn[160];
		snprintf(pn, sizeof pn, "%s%s", name, REGDIR_PREV_SIG);
		if ((rc = save_sig_in(rdir, pn, &prev, e)))
			goto out;
	}
	{
		char sn[160];
		snprintf(sn, sizeof sn, "%s%s", name, REGDIR_SIG);
		if ((rc = save_sig_in(rdir, sn, &self, e)) ||
		    (rc = write_in(rdir, name, text, strlen(text), e)))
			goto out;
	}
	if ((rc = write_in(dir, REGDIR_ROOT, text, strlen(text), e)) ||
	    (rc = save_sig_in(dir, REGDIR_ROOT REGDIR_SIG, &self, e)))
		goto out;
out:
	free(text);
	cJSON_Delete(j);
	return rc;
}

/* root.json, checked against its own signature. */
static sh_status load_root(const char *dir, struct regroot **out,
                           struct sh_error *e)
{
	struct minisig_signature sig;
	struct regmeta_info info;
	char *text = NULL, path[PATH_MAX];
	size_t len;
	sh_status rc;

	*out = NULL;
	if ((rc = read_in(dir, REGDIR_ROOT, REGROOT_MAX_BYTES, &text, &len,
	                  e))) {
		if (rc == SH_ERR_NOTFOUND)
			sh_error_set(
			        e, SH_ERR_NOTFOUND,
			        "%s is not a registry (it has no %s); make "
			        "one with `skillreg init %s`",
			        dir, REGDIR_ROOT, dir);
		return rc;
	}
	if ((rc = fs_pathf(path, sizeof path, e, "%s/%s%s", dir, REGDIR_ROOT,
	                   REGDIR_SIG)) ||
	    (rc = minisig_load(path, &sig, e)) ||
	    (rc = regroot_parse(text, len, "root.json", out, e)) ||
	    (rc = regmeta_verify_comment(&(*out)->root_key, &sig, REGMETA_ROOT,
	                                 "root.json", &info, e)) ||
	    (rc = regmeta_verify_body(&(*out)->root_key, &sig, &info, text, len,
	                              "root.json", e)))
		goto out;
	if (info.version != (*out)->version)
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "root.json and its signature disagree on the "
		                  "version");
out:
	if (rc != SH_OK) {
		regroot_free(*out);
		*out = NULL;
	}
	free(text);
	return rc;
}

/* ---- the index ---------------------------------------------------------- */

static sh_status load_index(struct regdir *r, struct sh_error *e)
{
	struct minisig_signature sig;
	struct regmeta_info info;
	const struct minisig_pubkey *pk;
	char *text = NULL, path[PATH_MAX], id[MINISIG_KEYID_HEX_SIZE];
	size_t len;
	sh_status rc;

	if ((rc = read_in(r->dir, REGDIR_INDEX, REGINDEX_MAX_BYTES, &text, &len,
	                  e)) ||
	    (rc = fs_pathf(path, sizeof path, e, "%s/%s%s", r->dir,
	                   REGDIR_INDEX, REGDIR_SIG)) ||
	    (rc = minisig_load(path, &sig, e)))
		goto out;
	pk = regroot_index_key(r->root, sig.key_id);
	if (!pk) {
		minisig_keyid_to_hex(sig.key_id, id);
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "%s/%s is signed by key %s, which root.json "
		                  "does not list; the registry was changed by "
		                  "something other than skillreg",
		                  r->dir, REGDIR_INDEX, id);
		goto out;
	}
	/* Expiry is not checked: re-signing an expired index is how a
	 * registry comes back. */
	if ((rc = regmeta_verify_comment(pk, &sig, REGMETA_INDEX, REGDIR_INDEX,
	                                 &info, e)) ||
	    (rc = regmeta_verify_body(pk, &sig, &info, text, len, REGDIR_INDEX,
	                              e)) ||
	    (rc = regindex_parse(text, len, REGDIR_INDEX, &r->index, e)))
		goto out;
	r->tree = cJSON_ParseWithLength(text, len);
	if (!r->tree)
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
out:
	if (rc != SH_OK)
		sh_error_prefix(e, "cannot open registry %s", r->dir);
	free(text);
	return rc;
}

static sh_status need_index_key(struct regdir *r, struct sh_error *e)
{
	struct minisig_pubkey pk;
	char id[MINISIG_KEYID_HEX_SIZE];
	sh_status rc;

	if (r->index_sk)
		return SH_OK;
	if ((rc = regkeys_load(r->keydir, REGKEYS_INDEX, NULL, &r->index_sk,
	                       e)))
		return rc;
	minisig_seckey_public(r->index_sk, &pk);
	if (!regroot_index_key(r->root, pk.key_id)) {
		minisig_keyid_to_hex(pk.key_id, id);
		minisig_seckey_free(r->index_sk);
		r->index_sk = NULL;
		return sh_error_set(e, SH_ERR_TRUST,
		                    "the index key in %s (%s) is not an index "
		                    "key of root.json version %" PRId64
		                    "; is --keys the key folder of this "
		                    "registry?",
		                    r->keydir, id, r->root->version);
	}
	return SH_OK;
}

static void prune_indexes(const char *dir, int64_t newest)
{
	char idir[PATH_MAX];
	DIR *d;
	struct dirent *de;

	if (fs_pathf(idir, sizeof idir, NULL, "%s/%s", dir, REGDIR_INDEXES))
		return;
	d = opendir(idir);
	while (d && (de = readdir(d))) {
		char *end, p[PATH_MAX];
		long long v = strtoll(de->d_name, &end, 10);
		if (end == de->d_name || strcmp(end, ".json") ||
		    v > newest - REGDIR_KEEP_INDEXES)
			continue;
		if (fs_pathf(p, sizeof p, NULL, "%s/%s", idir, de->d_name) ==
		    SH_OK)
			unlink(p);
	}
	if (d)
		closedir(d);
}

/* Replace o's member k by v in place (keeping the key order readers see),
 * or add it. Takes v; 0 when out of memory. */
static int set_member(cJSON *o, const char *k, cJSON *v)
{
	if (!v)
		return 0;
	if (cJSON_GetObjectItemCaseSensitive(o, k))
		return cJSON_ReplaceItemInObjectCaseSensitive(o, k, v);
	if (!cJSON_AddItemToObject(o, k, v)) {
		cJSON_Delete(v);
		return 0;
	}
	return 1;
}

/* Sign tree as version v and publish it. */
static sh_status publish_index(struct regdir *r, int64_t v, int64_t expires,
                               struct sh_error *e)
{
	struct regmeta_info info = {.kind = REGMETA_INDEX};
	struct minisig_signature sig;
	struct regindex *parsed = NULL;
	char t[REGINDEX_TIME_SIZE], idir[PATH_MAX], name[64];
	char *text = NULL;
	size_t len;
	sh_status rc;

	regindex_time_format(expires, t);
	if (!set_member(r->tree, "version", cJSON_CreateNumber((double)v)) ||
	    !set_member(r->tree, "expires", cJSON_CreateString(t)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	regindex_time_format((int64_t)time(NULL), t);
	if (!set_member(r->tree, "generated", cJSON_CreateString(t)) ||
	    !(text = cJSON_PrintUnformatted(r->tree)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	len = strlen(text);
	/* What clients will read, read back first: never sign an index
	 * they would refuse. */
	if ((rc = regindex_parse(text, len, "the new index", &parsed, e)))
		goto out;
	info.version = v;
	info.expires = expires;
	snprintf(name, sizeof name, "%" PRId64 ".json", v);
	if ((rc = regkeys_sign_meta(r->index_sk, &info, text, len, &sig, e)) ||
	    (rc = fs_pathf(idir, sizeof idir, e, "%s/%s", r->dir,
	                   REGDIR_INDEXES)) ||
	    (rc = fs_mkdirs(idir, 0755, e)) ||
	    (rc = write_in(idir, name, text, len, e)) ||
	    (rc = write_in(r->dir, REGDIR_INDEX, text, len, e)) ||
	    (rc = save_sig_in(r->dir, REGDIR_INDEX REGDIR_SIG, &sig, e)))
		goto out;
	prune_indexes(r->dir, v);
	regindex_free(r->index);
	r->index = parsed;
	parsed = NULL;
	r->pending = 0;
out:
	regindex_free(parsed);
	free(text);
	return rc;
}

static sh_status check_expires(int64_t expires_in, struct sh_error *e)
{
	if (expires_in < 1 || expires_in > REGDIR_MAX_EXPIRES_S)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "an index must expire in 1 second to %lld "
		                    "days",
		                    REGDIR_MAX_EXPIRES_S / 86400);
	return SH_OK;
}

sh_status regdir_commit(struct regdir *r, int64_t expires_in, int64_t *version,
                        struct sh_error *e)
{
	int64_t v = r->index->version + 1;
	sh_status rc;

	if ((rc = check_expires(expires_in, e)) ||
	    (rc = need_index_key(r, e)) ||
	    (rc = publish_index(r, v, (int64_t)time(NULL) + expires_in, e)))
		return rc;
	if (version)
		*version = v;
	hostlog(SKILL_LOG_INFO,
	        "registry %s: index version %" PRId64 " published", r->dir, v);
	return SH_OK;
}

/* ---- init, open, close -------------------------------------------------- */

static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return 0;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

sh_status regdir_init(const char *dir, const char *keydir, int64_t expires_in,
                      struct regdir_init_result *out, struct sh_error *e)
{
	struct minisig_seckey *root_sk = NULL;
	struct minisig_pubkey root_pk, index_pk;
	struct regdir r = {.lock = -1};
	char t[REGINDEX_TIME_SIZE];
	sh_status rc;

	memset(out, 0, sizeof *out);
	if ((rc = check_expires(expires_in, e)))
		return rc;
	if (fs_exists(dir) && !(fs_is_dir(dir) && dir_is_empty(dir)))
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "%s already exists and is not an empty "
		        "folder; give a new folder for the registry",
		        dir);
	if (keydir)
		rc = fs_pathf(out->keydir, sizeof out->keydir, e, "%s", keydir);
	else
		rc = regkeys_default_dir(dir, out->keydir, sizeof out->keydir,
		                         e);
	if (rc != SH_OK || (rc = regkeys_check_outside(dir, out->keydir, e)))
		return rc;
	if ((rc = fs_pathf(r.dir, sizeof r.dir, e, "%s", dir)) ||
	    (rc = fs_pathf(r.keydir, sizeof r.keydir, e, "%s", out->keydir)) ||
	    (rc = fs_mkdirs(r.keydir, 0700, e)) ||
	    (rc = take_lock(r.keydir, &r.lock, e)))
		goto out;
	if ((rc = regkeys_generate(r.keydir, REGKEYS_ROOT, "", 0, &root_sk,
	                           &root_pk, e)) ||
	    (rc = regkeys_generate(r.keydir, REGKEYS_INDEX, "", 0, &r.index_sk,
	                           &index_pk, e)))
		goto out;
	minisig_keyid_to_hex(root_pk.key_id, out->root_id);
	minisig_keyid_to_hex(index_pk.key_id, out->index_id);
	if ((rc = fs_mkdirs(dir, 0755, e)) ||
	    (rc = publish_root(dir, 1, &root_pk, &index_pk, root_sk, NULL, e)))
		goto out;
	if ((rc = load_root(dir, &r.root, e)))
		goto out;
	regindex_time_format((int64_t)time(NULL), t);
	r.tree = cJSON_CreateObject();
	/* version, generated and expires are set when it is signed; they
	 * come first so a reader sees them at the top. */
	if (!r.tree ||
	    !cJSON_AddStringToObject(r.tree, "type", REGINDEX_TYPE) ||
	    !cJSON_AddNumberToObject(r.tree, "format", REGINDEX_FORMAT) ||
	    !cJSON_AddNumberToObject(r.tree, "version", 0) ||
	    !cJSON_AddStringToObject(r.tree, "generated", t) ||
	    !cJSON_AddStringToObject(r.tree, "expires", t) ||
	    !cJSON_AddObjectToObject(r.tree, "namespaces") ||
	    !cJSON_AddArrayToObject(r.tree, "packages")) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = publish_index(&r, 1, (int64_t)time(NULL) + expires_in, e);
out:
	minisig_seckey_free(root_sk);
	minisig_seckey_free(r.index_sk);
	regroot_free(r.root);
	regindex_free(r.index);
	cJSON_Delete(r.tree);
	if (r.lock >= 0)
		close(r.lock);
	return rc;
}

/* A rotation writes <role>.sec.new/.pub.new, publishes the root, then
 * renames them into place. Finish that if the root was published (the
 * root lists the new key), else drop the new files. */
static sh_status finish_rotation(struct regdir *r, const char *role,
                                 struct sh_error *e)
{
	char pub_new[PATH_MAX], sec_new[PATH_MAX], pub[PATH_MAX], sec[PATH_MAX];
	struct minisig_pubkey pk;
	int listed;
	sh_status rc;

	if ((rc = regkeys_path(r->keydir, role, ".pub", REGKEYS_NEW, pub_new,
	                       sizeof pub_new, e)) ||
	    (rc = regkeys_path(r->keydir, role, ".sec", REGKEYS_NEW, sec_new,
	                       sizeof sec_new, e)) ||
	    (rc = regkeys_path(r->keydir, role, ".pub", "", pub, sizeof pub,
	                       e)) ||
	    (rc = regkeys_path(r->keydir, role, ".sec", "", sec, sizeof sec,
	                       e)))
		return rc;
	if (!fs_exists(sec_new) && !fs_exists(pub_new))
		return SH_OK;
	if (minisig_pubkey_load(pub_new, &pk, NULL) != SH_OK ||
	    !fs_exists(sec_new))
		listed = 0;
	else if (!strcmp(role, REGKEYS_ROOT))
		listed = !memcmp(&pk, &r->root->root_key, sizeof pk);
	else
		listed = regroot_index_key(r->root, pk.key_id) != NULL;
	if (!listed) {
		hostlog(SKILL_LOG_WARNING,
		        "an interrupted key rotation never published its root; "
		        "removing %s",
		        sec_new);
		unlink(sec_new);
		unlink(pub_new);
		return SH_OK;
	}
	hostlog(SKILL_LOG_WARNING,
	        "finishing an interrupted key rotation: %s becomes %s", sec_new,
	        sec);
	if (rename(sec_new, sec) != 0 || rename(pub_new, pub) != 0)
		return sh_error_errno(e, SH_ERR_IO, errno,
		                      "cannot move the new %s key into place",
		                      role);
	return fs_sync_dir(r->keydir, e);
}

sh_status regdir_open(const char *dir, const char *keydir, struct regdir **out,
                      struct sh_error *e)
{
	struct regdir *r = calloc(1, sizeof *r);
	sh_status rc;

	*out = NULL;
	if (!r)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	r->lock = -1;
	if ((rc = fs_pathf(r->dir, sizeof r->dir, e, "%s", dir)))
		goto fail;
	if (keydir)
		rc = fs_pathf(r->keydir, sizeof r->keydir, e, "%s", keydir);
	else
		rc = regkeys_default_dir(dir, r->keydir, sizeof r->keydir, e);
	if (rc != SH_OK || (rc = regkeys_check_outside(dir, r->keydir, e)))
		goto fail;
	if (!fs_is_dir(r->keydir)) {
		rc = sh_error_set(e, SH_ERR_NOTFOUND,
		                  "the key folder %s does not exist; give the "
		                  "registry's key folder with --keys",
		                  r->keydir);
		goto fail;
	}
	if ((rc = take_lock(r->keydir, &r->lock, e)) ||
	    (rc = load_root(r->dir, &r->root, e)) ||
	    (rc = finish_rotation(r, REGKEYS_ROOT, e)) ||
	    (rc = finish_rotation(r, REGKEYS_INDEX, e)) ||
	    (rc = load_index(r, e)))
		goto fail;
	*out = r;
	return SH_OK;
fail:
	regdir_close(r);
	return rc;
}

void regdir_close(struct regdir *r)
{
	if (!r)
		return;
	minisig_seckey_free(r->index_sk);
	regroot_free(r->root);
	regindex_free(r->index);
	cJSON_Delete(r->tree);
	if (r->lock >= 0)
		close(r->lock);
	free(r);
}

/* ---- publishers --------------------------------------------------------- */

sh_status regdir_add_publisher(struct regdir *r, const char *ns,
                               const struct minisig_pubkey *pk,
                               struct sh_error *e)
{
	cJSON *nss = cJSON_GetObjectItemCaseSensitive(r->tree, "namespaces");
	cJSON *keys, *k, *entry;
	char id[MINISIG_KEYID_HEX_SIZE], b64[MINISIG_PUBKEY_B64_SIZE];

	if (!skilldesc_valid_namespace(ns))
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "'%s' is not a namespace (lower-case letters, "
		        "digits and '-', 1-64 characters)",
		        ns);
	minisig_keyid_to_hex(pk->key_id, id);
	minisig_pubkey_to_base64(pk, b64);
	keys = cJSON_GetObjectItemCaseSensitive(nss, ns);
	if (!keys) {
		if (cJSON_GetArraySize(nss) >= REGINDEX_MAX_NAMESPACES)
			return sh_error_set(
			        e, SH_ERR_USAGE,
			        "the registry has the most namespaces "
			        "an index may list (%d)",
			        REGINDEX_MAX_NAMESPACES);
		keys = cJSON_AddArrayToObject(nss, ns);
		if (!keys)
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	cJSON_ArrayForEach(k, keys)
	{
		const cJSON *kid = cJSON_GetObjectItemCaseSensitive(k, "id");
		if (cJSON_IsString(kid) && !strcmp(kid->valuestring, id))
			return sh_error_set(e, SH_ERR_USAGE,
			                    "key %s may already publish in "
			                    "namespace %s",
			                    id, ns);
	}
	if (cJSON_GetArraySize(keys) >= REGINDEX_MAX_NS_KEYS)
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "namespace %s already has %d publisher keys, "
		        "the most an index may list",
		        ns, REGINDEX_MAX_NS_KEYS);
	if (!(entry = cJSON_CreateObject()) ||
	    !cJSON_AddItemToArray(keys, entry) ||
	    !cJSON_AddStringToObject(entry, "id", id) ||
	    !cJSON_AddStringToObject(entry, "key", b64))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	r->pending = 1;
	return SH_OK;
}

/* The keys the pending tree allows for ns, and whether key_id is one. */
static int tree_ns_allows(const cJSON *tree, const char *ns,
                          const uint8_t key_id[MINISIG_KEYID_BYTES],
                          struct minisig_pubkey *pk, char *listed, size_t cap)
{
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(tree, "namespaces"), ns);
	const cJSON *k;
	size_t used = 0;
	int found = 0;

	listed[0] = '\0';
	cJSON_ArrayForEach(k, keys)
	{
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(k, "key");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(k, "id");
		struct minisig_pubkey p;
		if (!cJSON_IsString(key) || !cJSON_IsString(id) ||
		    minisig_pubkey_parse(key->valuestring,
		                         strlen(key->valuestring), &p,
		                         NULL) != SH_OK)
			continue;
		if (used < cap)
			used += (size_t)snprintf(listed + used, cap - used,
			                         "%s%s", used ? ", " : "",
			                         id->valuestring);
		if (!memcmp(p.key_id, key_id, MINISIG_KEYID_BYTES)) {
			*pk = p;
			found = 1;
		}
	}
	return found;
}

/* ---- packages ----------------------------------------------------------- */

/* Copy src into the open file out while hashing, so the bytes checked are
 * the bytes published. */
static sh_status copy_hash(const char *src, int out, const char *shown,
                           const char *out_name,
                           uint8_t digest[MINISIG_DIGEST_BYTES],
                           uint8_t file_hash[MINISIG_FILE_HASH_BYTES],
                           uint64_t *size, struct sh_error *e)
{
	sh_status rc = SH_OK;
	struct stat st;
	int in = -1;

	*size = 0;
	if ((rc = fs_open_read(src, shown, &in, e)))
		goto out;
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s is not a package file (empty or not a "
		                  "regular file)",
		                  shown);
		goto out;
	}
	rc = package_copy_hashed(in, out, shown, out_name, digest, file_hash,
	                         size, e);
out:
	if (in >= 0)
		close(in);
	return rc;
}

static cJSON *str_array(const struct manifest_list *l)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < l->n; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(l->items[i]))) {
			cJSON_Delete(a);
			return NULL;
		}
	return a;
}

/*
 * The Agent Skills of the verified package at path (manifest m), for its
 * index entry: [{"name", "description", "frontmatter", "files"}], or NULL
 * with *out_rc SH_OK when it has none. The package is extracted into a
 * scratch folder beside it (removed again) and each SKILL.md checked
 * against the specification as an install would.
 */
static sh_status agentskills_of(const char *path, const struct manifest *m,
                                cJSON **out, struct sh_error *e)
{
	char dir[PATH_MAX];
	cJSON *names = NULL, *arr = NULL, *n;
	sh_status rc;
	int any = 0;

	*out = NULL;
	for (size_t i = 0; i < m->nfiles && !any; i++)
		any = !strncmp(m->files[i].path, AGENTSKILL_DIR "/",
		               sizeof AGENTSKILL_DIR);
	if (!any)
		return SH_OK;
	if ((rc = fs_pathf(dir, sizeof dir, e, "%s.skills", path)))
		return rc;
	fs_remove_tree(dir, NULL);
	if ((rc = package_extract(path, dir, NULL, e)) ||
	    (rc = agentskill_check_package(dir, m, &names, e)))
		goto out;
	arr = cJSON_CreateArray();
	cJSON_ArrayForEach(n, names)
	{
		char md[PATH_MAX], prefix[PATH_MAX];
		struct agentskill *as = NULL;
		cJSON *o, *files;
		size_t pl;

		snprintf(prefix, sizeof prefix, "%s/%s/", AGENTSKILL_DIR,
		         n->valuestring);
		pl = strlen(prefix);
		if ((rc = fs_pathf(md, sizeof md, e, "%s/%s%s", dir, prefix,
		                   AGENTSKILL_FILE)) ||
		    (rc = agentskill_load(md, n->valuestring, &as, e)))
			goto out;
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "name", as->name);
		cJSON_AddStringToObject(o, "description", as->description);
		cJSON_AddItemToObject(o, "frontmatter",
		                      cJSON_Duplicate(as->frontmatter, 1));
		files = cJSON_AddArrayToObject(o, "files");
		for (size_t i = 0; i < m->nfiles; i++)
			if (!strncmp(m->files[i].path, prefix, pl))
				cJSON_AddItemToArray(
				        files, cJSON_CreateString(
				                       m->files[i].path + pl));
		agentskill_free(as);
	}
	*out = arr;
	arr = NULL;
out:
	cJSON_Delete(arr);
	cJSON_Delete(names);
	fs_remove_tree(dir, NULL);
	return rc;
}

static cJSON *package_entry(const struct manifest *m, const char *keyid,
                            const char *url, const char *sig_url,
                            uint64_t length, const char *hash_hex)
{
	char t[REGINDEX_TIME_SIZE];
	cJSON *o = cJSON_CreateObject(), *tools, *perm;

	regindex_time_format((int64_t)time(NULL), t);
	if (!o || !cJSON_AddStringToObject(o, "name", m->name) ||
	    !cJSON_AddStringToObject(o, "version", m->version) ||
	    !cJSON_AddStringToObject(o, "description",
	                             m->description ? m->description : "") ||
	    !(m->license ? cJSON_AddStringToObject(o, "license", m->license)
	                 : cJSON_AddNullToObject(o, "license")) ||
	    !(tools = cJSON_AddArrayToObject(o, "tools")) ||
	    !(perm = cJSON_AddObjectToObject(o, "permissions")))
		goto nomem;
	for (size_t i = 0; i < m->ntools; i++) {
		cJSON *t1 = cJSON_CreateObject();
		if (!t1 || !cJSON_AddItemToArray(tools, t1) ||
		    !cJSON_AddStringToObject(t1, "name", m->tools[i].name) ||
		    !cJSON_AddStringToObject(t1, "description",
		                             m->tools[i].description
		                                     ? m->tools[i].description
		                                     : ""))
			goto nomem;
	}
	if (!cJSON_AddItemToObject(perm, "network", str_array(&m->network)) ||
	    !cJSON_AddItemToObject(perm, "secrets", str_array(&m->secrets)) ||
	    !cJSON_AddItemToObject(perm, "filesystem",
	                           str_array(&m->filesystem)) ||
	    !cJSON_AddStringToObject(o, "publisher", keyid) ||
	    !cJSON_AddStringToObject(o, "url", url) ||
	    !cJSON_AddStringToObject(o, "signature", sig_url) ||
	    !cJSON_AddNumberToObject(o, "length", (double)length) ||
	    !cJSON_AddStringToObject(o, "blake2b256", hash_hex) ||
	    !cJSON_AddStringToObject(o, "published", t))
		goto nomem;
	return o;
nomem:
	cJSON_Delete(o);
	return NULL;
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* Where an entry goes so the packages stay sorted by name, then version;
 * -1 when that version is listed already. */
static int insert_position(const cJSON *pkgs, const char *name,
                           const char *version)
{
	const cJSON *p;
	int i = 0;

	cJSON_ArrayForEach(p, pkgs)
	{
		int c = strcmp(str_of(p, "name"), name);
		if (c == 0) {
			const char *v = str_of(p, "version");
			if (!skilldesc_valid_semver(v))
				c = 1;
			else
				c = skilldesc_semver_compare(v, version);
			if (c == 0)
				return -1;
		}
		if (c > 0)
			return i;
		i++;
	}
	return i;
}

sh_status regdir_add_package(struct regdir *r, const char *pkg,
                             const char *sig_path, const char *shown,
                             struct regdir_added *out, struct sh_error *e)
{
	uint8_t digest[MINISIG_DIGEST_BYTES], fh[MINISIG_FILE_HASH_BYTES];
	char sp[PATH_MAX], ns[SKILLDESC_MAX_NAME + 1], listed[512];
	char pdir[PATH_MAX], final[PATH_MAX], tmp[PATH_MAX], url[PATH_MAX];
	char sig_url[PATH_MAX], hex[REGINDEX_HASH_HEX_SIZE];
	struct minisig_signature sig;
	struct minisig_package_info info;
	struct minisig_pubkey pk;
	struct manifest *m = NULL;
	cJSON *pkgs, *entry = NULL, *skills = NULL;
	const char *base;
	uint64_t size;
	int fd = -1, pos;
	sh_status rc;

	memset(out, 0, sizeof *out);
	tmp[0] = '\0';
	if (!shown)
		shown = pkg;
	/* Said first: a missing package is not a missing signature. */
	if (access(pkg, F_OK) != 0)
		return errno == ENOENT
		               ? sh_error_set(
		                         e, SH_ERR_NOTFOUND,
		                         "%s does not exist; give the path "
		                         "of a .skill file (`skillhost "
		                         "pack` makes one)",
		                         shown)
		               : sh_error_errno(e, SH_ERR_IO, errno,
		                                "cannot read %s", shown);
	if ((rc = sig_path ? fs_pathf(sp, sizeof sp, e, "%s", sig_path)
	                   : fs_pathf(sp, sizeof sp, e, "%s%s", pkg,
	                              REGDIR_SIG)))
		return rc;
	rc = minisig_load(sp, &sig, e);
	if (rc == SH_ERR_NOTFOUND)
		return sh_error_set(
		        e, SH_ERR_TRUST,
		        "%s has no signature (%s is missing); sign it "
		        "with `skillhost sign`",
		        shown, sp);
	if (rc != SH_OK) {
		e->status = SH_ERR_TRUST;
		return sh_error_prefix(e, "%s is refused", shown);
	}
	minisig_keyid_to_hex(sig.key_id, out->publisher);
	/* The comment picks the namespace whose keys may have signed; it is
	 * authenticated right after, by that key. */
	if (minisig_package_comment_parse(sig.trusted_comment, &info, e) !=
	    SH_OK) {
		e->status = SH_ERR_TRUST;
		return sh_error_prefix(e,
		                       "%s is refused: its signature does not "
		                       "name a package",
		                       shown);
	}
	snprintf(ns, sizeof ns, "%.*s", (int)strcspn(info.name, "/"),
	         info.name);
	if (!tree_ns_allows(r->tree, ns, sig.key_id, &pk, listed,
	                    sizeof listed))
		return sh_error_set(
		        e, SH_ERR_TRUST,
		        "%s (%s %s) is signed by key %s, which this "
		        "registry does not allow to publish in "
		        "namespace \"%s\" (%s%s); the registry "
		        "operator adds publishers with `skillreg "
		        "publisher add DIR %s KEY.pub`",
		        shown, info.name, info.version, out->publisher, ns,
		        listed[0] ? "its keys: " : "no publisher has it yet",
		        listed, ns);
	snprintf(out->name, sizeof out->name, "%s", info.name);
	snprintf(out->version, sizeof out->version, "%s", info.version);
	pkgs = cJSON_GetObjectItemCaseSensitive(r->tree, "packages");
	base = strchr(info.name, '/') + 1;
	if ((rc = fs_pathf(url, sizeof url, e, "%s/%s/%s-%s.skill",
	                   REGDIR_PACKAGES, info.name, base, info.version)) ||
	    (rc = fs_pathf(sig_url, sizeof sig_url, e, "%s%s", url,
	                   REGDIR_SIG)) ||
	    (rc = fs_pathf(pdir, sizeof pdir, e, "%s/%s/%s", r->dir,
	                   REGDIR_PACKAGES, info.name)) ||
	    (rc = fs_pathf(final, sizeof final, e, "%s/%s", r->dir, url)) ||
	    (rc = fs_pathf(tmp, sizeof tmp, e, "%s.tmp.XXXXXX", final)) ||
	    (rc = fs_mkdirs(pdir, 0755, e)))
		goto out;
	if (strlen(url) > REGINDEX_MAX_URL || !manifest_valid_path(url)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s %s cannot be stored at a safe path",
		                  info.name, info.version);
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno,
		                    "cannot create a file in %s", pdir);
		tmp[0] = '\0';
		goto out;
	}
	if ((rc = copy_hash(pkg, fd, shown, tmp, digest, fh, &size, e)))
		goto out;
	if ((rc = minisig_verify_digest(&pk, &sig, digest, e))) {
		sh_error_prefix(e, "%s is refused", shown);
		goto out;
	}
	if (sodium_memcmp(fh, info.blake2b256, sizeof fh)) {
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "%s is refused: its signature was made for a "
		                  "file with another hash",
		                  shown);
		goto out;
	}
	/* Only verified bytes are decompressed, to read the manifest. */
	if ((rc = package_read_manifest(tmp, &m, e))) {
		sh_error_prefix(e, "%s", shown);
		goto out;
	}
	if (strcmp(m->name, info.name) || strcmp(m->version, info.version)) {
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "%s is refused: its manifest says %s %s but "
		                  "its signature was made for %s %s",
		                  shown, m->name, m->version, info.name,
		                  info.version);
		goto out;
	}
	if (m->publisher && strcasecmp(m->publisher, out->publisher)) {
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "%s is refused: its manifest names publisher "
		                  "key %s but it is signed by %s",
		                  shown, m->publisher, out->publisher);
		goto out;
	}
	/* Checked once the signature is known to be this package's, so a
	 * mismatched upload is reported as what it is. */
	pos = insert_position(pkgs, info.name, info.version);
	if (pos < 0) {
		out->conflict = 1;
		rc = sh_error_set(
		        e, SH_ERR_USAGE,
		        "%s %s is already published; versions never "
		        "change once listed, so publish a new version",
		        info.name, info.version);
		goto out;
	}
	/* The same check as `skillhost pack`, on the verified bytes: code
	 * that disagrees with its manifest would fail on every host. */
	if (!r->no_probe && (rc = pkgcheck_package(tmp, NULL, e))) {
		sh_error_prefix(e,
		                "%s is refused: its code does not match its "
		                "manifest",
		                shown);
		goto out;
	}
	if ((rc = agentskills_of(tmp, m, &skills, e))) {
		sh_error_prefix(e, "%s is refused", shown);
		goto out;
	}
	sodium_bin2hex(hex, sizeof hex, fh, sizeof fh);
	entry = package_entry(m, out->publisher, url, sig_url, size, hex);
	if (!entry) {
		cJSON_Delete(skills);
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (skills)
		cJSON_AddItemToObject(entry, REGINDEX_KEY_AGENTSKILLS, skills);
	{
		char sfinal[PATH_MAX];
		if ((rc = fs_pathf(sfinal, sizeof sfinal, e, "%s%s", final,
		                   REGDIR_SIG)) ||
		    (rc = minisig_save(sfinal, &sig, e)))
			goto out;
	}
	if (fchmod(fd, 0644) != 0 || rename(tmp, final) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot publish %s",
		                    final);
		goto out;
	}
	tmp[0] = '\0';
	if ((rc = fs_sync_dir(pdir, e)))
		goto out;
	if (!cJSON_InsertItemInArray(pkgs, pos, entry) &&
	    !cJSON_AddItemToArray(pkgs, entry)) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	entry = NULL;
	if ((rc = fs_pathf(out->url, sizeof out->url, e, "%s", url)))
		goto out;
	out->length = size;
	r->pending = 1;
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlink(tmp);
	cJSON_Delete(entry);
	manifest_free(m);
	return rc;
}

/* ---- rotation ----------------------------------------------------------- */

static sh_status move_new_key(const char *keydir, const char *role,
                              struct sh_error *e)
{
	static const char *const exts[] = {".sec", ".pub"};

	for (int i = 0; i < 2; i++) {
		char from[PATH_MAX], to[PATH_MAX];
		sh_status rc;
		if ((rc = regkeys_path(keydir, role, exts[i], REGKEYS_NEW, from,
		                       sizeof from, e)) ||
		    (rc = regkeys_path(keydir, role, exts[i], "", to, sizeof to,
		                       e)))
			return rc;
		if (rename(from, to) != 0)
			return sh_error_errno(e, SH_ERR_IO, errno,
			                      "cannot move %s to %s", from, to);
	}
	return fs_sync_dir(keydir, e);
}

sh_status regdir_rotate(struct regdir *r, int rotate_root,
                        const char *root_key_path, int64_t expires_in,
                        int64_t *new_root, struct sh_error *e)
{
	struct minisig_seckey *root_sk = NULL, *new_root_sk = NULL;
	struct minisig_seckey *new_index_sk = NULL;
	struct minisig_pubkey root_pk, new_root_pk, new_index_pk;
	struct regroot *root = NULL;
	int64_t v = r->root->version + 1;
	char id[MINISIG_KEYID_HEX_SIZE];
	sh_status rc;

	if ((rc = check_expires(expires_in, e)) ||
	    (rc = regkeys_load(r->keydir, REGKEYS_ROOT, root_key_path, &root_sk,
	                       e)))
		goto out;
	minisig_seckey_public(root_sk, &root_pk);
	if (memcmp(&root_pk, &r->root->root_key, sizeof root_pk)) {
		minisig_keyid_to_hex(r->root->root_key.key_id, id);
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "that root key is not this registry's root "
		                  "key (%s); give the current one with "
		                  "--root-key",
		                  id);
		goto out;
	}
	if ((rc = regkeys_generate(r->keydir, REGKEYS_INDEX, REGKEYS_NEW, 1,
	                           &new_index_sk, &new_index_pk, e)))
		goto out;
	if (rotate_root &&
	    (rc = regkeys_generate(r->keydir, REGKEYS_ROOT, REGKEYS_NEW, 1,
	                           &new_root_sk, &new_root_pk, e)))
		goto out;
	/* Once this root is out, clients accept only the new index key; the
	 * new keys become the key folder's right after (regdir_open
	 * finishes the move if a crash comes between). */
	if ((rc = publish_root(r->dir, v, rotate_root ? &new_root_pk : &root_pk,
	                       &new_index_pk,
	                       rotate_root ? new_root_sk : root_sk, root_sk,
	                       e)) ||
	    (rc = load_root(r->dir, &root, e)))
		goto out;
	regroot_free(r->root);
	r->root = root;
	root = NULL;
	if ((rc = move_new_key(r->keydir, REGKEYS_INDEX, e)) ||
	    (rotate_root && (rc = move_new_key(r->keydir, REGKEYS_ROOT, e))))
		goto out;
	minisig_seckey_free(r->index_sk);
	r->index_sk = new_index_sk;
	new_index_sk = NULL;
	if (new_root)
		*new_root = v;
	rc = regdir_commit(r, expires_in, NULL, e);
out:
	regroot_free(root);
	minisig_seckey_free(root_sk);
	minisig_seckey_free(new_root_sk);
	minisig_seckey_free(new_index_sk);
	return rc;
}

/* ---- yank and deprecate ---------------------------------------------------
 */

static sh_status check_reason(const char *what, const char *text,
                              struct sh_error *e)
{
	size_t n = text ? strlen(text) : 0;

	if (!n || n > REGINDEX_MAX_REASON)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "give a %s of 1 to %d bytes: users see it "
		                    "when they look for another version",
		                    what, REGINDEX_MAX_REASON);
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return sh_error_set(e, SH_ERR_USAGE,
			                    "the %s must be one line of text",
			                    what);
	return SH_OK;
}

/* The pending tree's entries for name (and version, unless NULL). */
static size_t find_entries(cJSON *tree, const char *name, const char *version,
                           cJSON **found, size_t cap)
{
	cJSON *p;
	size_t n = 0;

	cJSON_ArrayForEach(p,
	                   cJSON_GetObjectItemCaseSensitive(tree, "packages"))
	{
		if (strcmp(str_of(p, "name"), name) ||
		    (version && strcmp(str_of(p, "version"), version)))
			continue;
		if (n < cap)
			found[n] = p;
		n++;
	}
	return n;
}

static sh_status not_listed(const char *name, const char *version,
                            struct sh_error *e)
{
	return sh_error_set(e, SH_ERR_NOTFOUND,
	                    "this registry does not list %s%s%s; `skillreg "
	                    "list DIR` shows what it has",
	                    name, version ? "@" : "", version ? version : "");
}

sh_status regdir_yank(struct regdir *r, const char *name, const char *version,
                      const char *reason, struct sh_error *e)
{
	char now[REGINDEX_TIME_SIZE];
	cJSON *entry = NULL;
	sh_status rc;

	if (reason && (rc = check_reason("reason", reason, e)))
		return rc;
	if (!find_entries(r->tree, name, version, &entry, 1))
		return not_listed(name, version, e);
	if (!reason) {
		if (!cJSON_GetObjectItemCaseSensitive(entry,
		                                      REGINDEX_KEY_YANKED))
			return sh_error_set(e, SH_ERR_USAGE,
			                    "%s %s is not yanked", name,
			                    version);
		cJSON_DeleteItemFromObjectCaseSensitive(entry,
		                                        REGINDEX_KEY_YANKED);
		cJSON_DeleteItemFromObjectCaseSensitive(entry,
		                                        REGINDEX_KEY_YANKED_AT);
	} else {
		const cJSON *was = cJSON_GetObjectItemCaseSensitive(
		        entry, REGINDEX_KEY_YANKED);
		if (cJSON_IsString(was))
			return sh_error_set(e, SH_ERR_USAGE,
			                    "%s %s is already yanked (%s); "
			                    "`skillreg yank --undo` first to "
			                    "change the reason",
			                    name, version, was->valuestring);
		regindex_time_format((int64_t)time(NULL), now);
		if (!set_member(entry, REGINDEX_KEY_YANKED,
		                cJSON_CreateString(reason)) ||
		    !set_member(entry, REGINDEX_KEY_YANKED_AT,
		                cJSON_CreateString(now)))
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	r->pending = 1;
	return SH_OK;
}

sh_status regdir_deprecate(struct regdir *r, const char *name,
                           const char *version, const char *message,
                           size_t *count, struct sh_error *e)
{
	cJSON *found[1024];
	size_t n, changed = 0;
	sh_status rc;

	*count = 0;
	if (message && (rc = check_reason("message", message, e)))
		return rc;
	n = find_entries(r->tree, name, version, found,
	                 sizeof found / sizeof found[0]);
	if (!n)
		return not_listed(name, version, e);
	if (n > sizeof found / sizeof found[0])
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%s has %zu versions; deprecate them a "
		                    "version at a time",
		                    name, n);
	for (size_t i = 0; i < n; i++) {
		if (!message) {
			if (cJSON_GetObjectItemCaseSensitive(
			            found[i], REGINDEX_KEY_DEPRECATED)) {
				cJSON_DeleteItemFromObjectCaseSensitive(
				        found[i], REGINDEX_KEY_DEPRECATED);
				changed++;
			}
			continue;
		}
		if (!set_member(found[i], REGINDEX_KEY_DEPRECATED,
		                cJSON_CreateString(message)))
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		changed++;
	}
	if (changed)
		r->pending = 1;
	*count = changed;
	return SH_OK;
}
