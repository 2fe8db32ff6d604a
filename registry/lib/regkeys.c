/*
 * regkeys.c - skillreg's key folder and metadata signing. See regkeys.h.
 */
#include "regkeys.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"

sh_status regkeys_default_dir(const char *dir, char *out, size_t cap,
                              struct sh_error *e)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 0 || (n == 1 && dir[0] == '/'))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "give a registry folder, not '%s'", dir);
	return fs_pathf(out, cap, e, "%.*s%s", (int)n, dir, REGKEYS_SUFFIX);
}

/* realpath of path; for a path that does not exist yet, realpath of its
 * parent with the last component appended, so folders about to be made
 * compare too. */
static sh_status resolve(const char *path, char *out, int depth,
                         struct sh_error *e)
{
	char parent[PATH_MAX], base[PATH_MAX], rp[PATH_MAX];
	char *slash;
	sh_status rc;

	if (realpath(path, out))
		return SH_OK;
	if (errno != ENOENT || depth > 64)
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot resolve %s",
		                      path);
	if ((rc = fs_pathf(parent, sizeof parent, e, "%s", path)))
		return rc;
	while (strlen(parent) > 1 && parent[strlen(parent) - 1] == '/')
		parent[strlen(parent) - 1] = '\0';
	slash = strrchr(parent, '/');
	snprintf(base, sizeof base, "%s", slash ? slash + 1 : parent);
	if (!slash)
		snprintf(parent, sizeof parent, ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	if ((rc = resolve(parent, rp, depth + 1, e)))
		return rc;
	return fs_pathf(out, PATH_MAX, e, "%s/%s", strcmp(rp, "/") ? rp : "",
	                base);
}

sh_status regkeys_check_outside(const char *dir, const char *keydir,
                                struct sh_error *e)
{
	char rd[PATH_MAX], rk[PATH_MAX];
	size_t n;
	sh_status rc;

	if ((rc = resolve(dir, rd, 0, e)) || (rc = resolve(keydir, rk, 0, e)))
		return rc;
	n = strlen(rd);
	if (!strncmp(rk, rd, n) && (rk[n] == '\0' || rk[n] == '/'))
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "the key folder %s is inside the registry "
		        "folder %s, which is served to everyone; "
		        "put the keys elsewhere (the default is %s%s "
		        "beside it)",
		        keydir, dir, dir, REGKEYS_SUFFIX);
	return SH_OK;
}

sh_status regkeys_path(const char *keydir, const char *role, const char *ext,
                       const char *suffix, char *out, size_t cap,
                       struct sh_error *e)
{
	return fs_pathf(out, cap, e, "%s/%s%s%s", keydir, role, ext,
	                suffix ? suffix : "");
}

sh_status regkeys_generate(const char *keydir, const char *role,
                           const char *suffix, int force,
                           struct minisig_seckey **sk,
                           struct minisig_pubkey *pk, struct sh_error *e)
{
	char sec[PATH_MAX], pub[PATH_MAX];
	sh_status rc;

	*sk = NULL;
	if ((rc = fs_mkdirs(keydir, 0700, e)) ||
	    (rc = regkeys_path(keydir, role, ".sec", suffix, sec, sizeof sec,
	                       e)) ||
	    (rc = regkeys_path(keydir, role, ".pub", suffix, pub, sizeof pub,
	                       e)) ||
	    (rc = minisig_keygen(sk, pk, e)))
		return rc;
	if ((rc = minisig_seckey_save(sec, *sk, force, e)) ||
	    (rc = minisig_pubkey_save(pub, pk, force, e))) {
		minisig_seckey_free(*sk);
		*sk = NULL;
	}
	return rc;
}

sh_status regkeys_load(const char *keydir, const char *role, const char *path,
                       struct minisig_seckey **sk, struct sh_error *e)
{
	char sec[PATH_MAX];
	int enc = 0;
	sh_status rc;

	*sk = NULL;
	if (path)
		rc = fs_pathf(sec, sizeof sec, e, "%s", path);
	else
		rc = regkeys_path(keydir, role, ".sec", "", sec, sizeof sec, e);
	if (rc != SH_OK)
		return rc;
	rc = minisig_seckey_needs_password(sec, &enc, e);
	if (rc == SH_ERR_NOTFOUND)
		return sh_error_set(
		        e, SH_ERR_NOTFOUND,
		        "the %s key %s does not exist; give the key "
		        "folder with --keys (made by `skillreg "
		        "init`)%s",
		        role, sec,
		        !strcmp(role, REGKEYS_ROOT)
		                ? ", or the offline root key with "
		                  "--root-key FILE"
		                : "");
	if (rc != SH_OK)
		return rc;
	if (enc && !getenv(REGKEYS_PASSWORD_ENV))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%s is password-protected: set %s", sec,
		                    REGKEYS_PASSWORD_ENV);
	return minisig_seckey_load(
	        sec, enc ? getenv(REGKEYS_PASSWORD_ENV) : NULL, sk, e);
}

sh_status regkeys_sign_meta(const struct minisig_seckey *sk,
                            struct regmeta_info *info, const char *text,
                            size_t len, struct minisig_signature *sig,
                            struct sh_error *e)
{
	uint8_t digest[MINISIG_DIGEST_BYTES];
	char comment[REGINDEX_COMMENT_SIZE];
	struct minisig_hasher h;
	sh_status rc;

	if ((rc = minisig_hasher_init(&h, 1, e)))
		return rc;
	minisig_hasher_update(&h, text, len);
	minisig_hasher_final(&h, digest, info->blake2b256);
	info->length = (uint64_t)len;
	info->timestamp = (int64_t)time(NULL);
	if ((rc = regmeta_comment_format(info, comment, sizeof comment, e)))
		return rc;
	return minisig_sign_digest(sk, digest, comment, NULL, sig, e);
}
