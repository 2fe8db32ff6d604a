/*
 * store.c - the local store. See store.h.
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "fsutil.h"
#include "jsonfile.h"
#include "jsonstrict.h"
#include "hostlog.h"
#include "manifest.h"
#include "minisig.h"
#include "package.h"
#include "agentskill.h"
#include "probe.h"
#include "skilldesc.h"
#include "phasetime.h"
#include "stamp.h"
#include "trust.h"

#define STORE_LOCK    ".store.lock"
#define STORE_SKILLS  "skills"
#define STORE_STAGING "staging"
#define COPY_CHUNK    ((size_t)1024 * 1024)
#define ID_BYTES      6

/* ---- small helpers ---- */

static void random_id(char out[2 * ID_BYTES + 1])
{
	unsigned char r[ID_BYTES];

	randombytes_buf(r, sizeof r);
	sodium_bin2hex(out, 2 * ID_BYTES + 1, r, sizeof r);
}

static sh_status lock_store(const char *home, int *fd, struct sh_error *e)
{
	/* Another install holds it for as long as it takes; waiting is what
	 * the user wants from a second `skillhost install`. */
	return fs_lock_in(home, STORE_LOCK, fd, e);
}

static cJSON *empty_index(void)
{
	cJSON *o = cJSON_CreateObject();

	if (o && (!cJSON_AddNumberToObject(o, "format", 1) ||
	          !cJSON_AddObjectToObject(o, "skills"))) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

sh_status store_read_index(const char *home, cJSON **out, struct sh_error *e)
{
	char path[PATH_MAX];
	char *text = NULL;
	size_t len;
	sh_status rc;
	cJSON *j;

	*out = NULL;
	if ((rc = fs_join(path, sizeof path, home, STORE_INDEX, e)))
		return rc;
	rc = fs_read_file(path, STORE_INDEX_MAX_BYTES, &text, &len, e);
	if (rc == SH_ERR_NOTFOUND) {
		sh_error_clear(e);
		*out = empty_index();
		return *out ? SH_OK
		            : sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	if (rc != SH_OK)
		return rc;
	j = cJSON_ParseWithLength(text, len);
	free(text);
	if (!cJSON_IsObject(j) ||
	    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "skills"))) {
		cJSON_Delete(j);
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s is damaged (not a store index); restore "
		        "it from a backup, or remove it and install "
		        "the skills again",
		        path);
	}
	/* The records say which files, hashes and key the host trusts. */
	if (json_check_unique_keys(j, path, e) != SH_OK) {
		cJSON_Delete(j);
		return sh_error_suffix(e, "; restore it from a backup, or "
		                          "remove it and install the skills "
		                          "again");
	}
	*out = j;
	return SH_OK;
}

static sh_status write_index(const char *home, const cJSON *index,
                             struct sh_error *e)
{
	char path[PATH_MAX];
	sh_status rc;

	if ((rc = fs_join(path, sizeof path, home, STORE_INDEX, e)))
		return rc;
	hostlog(SKILL_LOG_DEBUG, "store: writing %s", path);
	return json_write_atomic(path, index, 0644, 0, e);
}

static const char *rec_str(const cJSON *rec, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* 1 when the index names dir (relative to home) as some record's folder. */
static int referenced(const cJSON *index, const char *dir)
{
	const cJSON *skills = cJSON_GetObjectItemCaseSensitive(index, "skills");
	const cJSON *s;

	cJSON_ArrayForEach(s, skills)
	{
		const char *c = rec_str(
		        cJSON_GetObjectItemCaseSensitive(s, "current"), "dir");
		const char *p = rec_str(
		        cJSON_GetObjectItemCaseSensitive(s, "previous"), "dir");
		if ((c && !strcmp(c, dir)) || (p && !strcmp(p, dir)))
			return 1;
	}
	return 0;
}

static void remove_quietly(const char *path)
{
	struct sh_error ignored;
	fs_remove_tree(path, &ignored);
}

/* Delete every version folder the index does not name, and all staging
 * leftovers: what killed or failed installs left behind. Needs the lock. */
static void sweep(const char *home, const cJSON *index)
{
	char skills[PATH_MAX], staging[PATH_MAX];
	DIR *ns_dir;
	struct dirent *ns;

	if (fs_pathf(staging, sizeof staging, NULL, "%s/%s", home,
	             STORE_STAGING) == SH_OK)
		remove_quietly(staging);
	if (fs_pathf(skills, sizeof skills, NULL, "%s/%s", home,
	             STORE_SKILLS) != SH_OK)
		return;
	ns_dir = opendir(skills);
	while (ns_dir && (ns = readdir(ns_dir))) {
		char nspath[PATH_MAX];
		DIR *name_dir;
		struct dirent *name;

		if (ns->d_name[0] == '.')
			continue;
		if (fs_pathf(nspath, sizeof nspath, NULL, "%s/%s", skills,
		             ns->d_name))
			continue;
		name_dir = opendir(nspath);
		while (name_dir && (name = readdir(name_dir))) {
			char npath[PATH_MAX];
			DIR *ver_dir;
			struct dirent *ver;

			if (name->d_name[0] == '.')
				continue;
			if (fs_pathf(npath, sizeof npath, NULL, "%s/%s", nspath,
			             name->d_name))
				continue;
			ver_dir = opendir(npath);
			while (ver_dir && (ver = readdir(ver_dir))) {
				char rel[PATH_MAX], full[PATH_MAX];
				size_t len = strlen(ver->d_name);
				/* A folder's stamp goes with it (stamp.h). */
				int stamp =
				        len > strlen(STAMP_SUFFIX) &&
				        !strcmp(ver->d_name + len -
				                        strlen(STAMP_SUFFIX),
				                STAMP_SUFFIX);
				if (ver->d_name[0] == '.')
					continue;
				if (fs_pathf(
				            rel, sizeof rel, NULL,
				            "%s/%s/%s/%.*s", STORE_SKILLS,
				            ns->d_name, name->d_name,
				            (int)(stamp ? len - strlen(STAMP_SUFFIX)
				                        : len),
				            ver->d_name) ||
				    referenced(index, rel) ||
				    fs_pathf(full, sizeof full, NULL,
				             "%s/%s/%s/%s/%s", home,
				             STORE_SKILLS, ns->d_name,
				             name->d_name, ver->d_name))
					continue;
				hostlog(SKILL_LOG_DEBUG, "store: removing %s",
				        full);
				remove_quietly(full);
			}
			if (ver_dir)
				closedir(ver_dir);
			rmdir(npath); /* only succeeds when empty */
		}
		if (name_dir)
			closedir(name_dir);
		rmdir(nspath);
	}
	if (ns_dir)
		closedir(ns_dir);
}

/* ---- verifying what was installed ---- */

/* Hash the file at path. st (may be NULL) gets the file's fstat, taken
 * before its bytes are read, for a stamp (stamp_draft_add); st_mode 0
 * when it could not be had. */
static sh_status hash_path(const char *path, uint64_t *size,
                           uint8_t out[MANIFEST_HASH_BYTES], struct stat *st,
                           struct sh_error *e)
{
	sh_status rc;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	*size = 0;
	if (fd < 0)
		return sh_error_errno(e, SH_ERR_TRUST, errno,
		                      "installed file %s cannot be read", path);
	if (st && fstat(fd, st) != 0)
		memset(st, 0, sizeof *st);
	rc = package_hash_fd(fd, path, size, out, e);
	close(fd);
	return rc;
}

/* Count regular files under dir (recursively); -1 on anything else. */
static long count_files(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long n = 0;

	if (!d || depth > 20) {
		if (d)
			closedir(d);
		return -1;
	}
	while ((de = readdir(d))) {
		char p[PATH_MAX];
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fs_pathf(p, sizeof p, NULL, "%s/%s", dir, de->d_name) ||
		    lstat(p, &st) != 0) {
			n = -1;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			long k = count_files(p, depth + 1);
			if (k < 0) {
				n = -1;
				break;
			}
			n += k;
		} else if (S_ISREG(st.st_mode)) {
			n++;
		} else {
			n = -1;
			break;
		}
	}
	closedir(d);
	return n;
}

/* Whether the operator asked every load to hash every file, stamps or
 * not ($SKILLHOST_STORE_VERIFY=full): the reason into why when so. */
static int full_verify(char *why, size_t cap)
{
	const char *v = getenv("SKILLHOST_STORE_VERIFY");

	if (!v || strcmp(v, "full"))
		return 0;
	snprintf(why, cap, "%s", "SKILLHOST_STORE_VERIFY=full");
	return 1;
}

sh_status store_verify_record(const char *home, const cJSON *rec, char *lib,
                              size_t cap, struct sh_error *e)
{
	const char *dir = rec_str(rec, "dir"), *want = rec_str(rec, "manifest");
	const char *rel_lib = rec_str(rec, "lib");
	char abs[PATH_MAX], mpath[PATH_MAX];
	char hex[2 * MANIFEST_HASH_BYTES + 1], why[PATH_MAX + 128];
	uint8_t h[MANIFEST_HASH_BYTES];
	struct stamp_draft *draft = NULL;
	struct manifest *m = NULL;
	uint64_t size, hashed;
	struct stat st;
	long stamped;
	sh_status rc;

	if (!dir || !want || !rel_lib || strstr(dir, "..") ||
	    (*rel_lib && !manifest_valid_path(rel_lib)))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the store index has a damaged record");
	if ((rc = fs_pathf(abs, sizeof abs, e, "%s/%s", home, dir)) ||
	    (rc = fs_pathf(mpath, sizeof mpath, e, "%s/%s", abs,
	                   MANIFEST_FILE)))
		return rc;
	/* Files unchanged since install was hashed need no hashing again;
	 * the folder's listing is still read (count_files), as it is
	 * cheap. */
	if (full_verify(why, sizeof why)) {
		/* hashed below, and not stamped: the operator asked that
		 * stamps play no part */
	} else if (!stamp_check(abs, want, &stamped, why, sizeof why) ||
	           count_files(abs, 0) != stamped) {
		if (stamped)
			snprintf(why, sizeof why, "%s",
			         "its folder holds files its stamp does not "
			         "list");
		/* Hashed below; stamped then if all is well (stamp.h). */
		draft = stamp_draft_begin(abs, want);
	} else {
		hostlog(SKILL_LOG_DEBUG,
		        "store: %s: %ld files unchanged since they were "
		        "hashed (stamp); hashed 0 bytes",
		        abs, stamped);
		goto found;
	}
	if ((rc = hash_path(mpath, &size, h, &st, e)))
		goto out;
	hashed = size;
	manifest_hash_hex(h, hex);
	if (strcmp(hex, want)) {
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "installed file %s was changed after "
		                  "install; reinstall the skill",
		                  mpath);
		goto out;
	}
	stamp_draft_add(draft, MANIFEST_FILE, &st);
	if ((rc = manifest_load(mpath, MANIFEST_PACKAGED, &m, e)))
		goto out;
	for (size_t i = 0; i < m->nfiles; i++) {
		char p[PATH_MAX];
		if ((rc = fs_pathf(p, sizeof p, e, "%s/%s", abs,
		                   m->files[i].path)) ||
		    (rc = hash_path(p, &size, h, &st, e)))
			goto out;
		if (size != m->files[i].size ||
		    sodium_memcmp(h, m->files[i].blake2b256, sizeof h)) {
			rc = sh_error_set(
			        e, SH_ERR_TRUST,
			        "installed file %s was changed after "
			        "install (its hash no longer matches the "
			        "signed manifest); it is not loaded; "
			        "reinstall the skill",
			        p);
			goto out;
		}
		stamp_draft_add(draft, m->files[i].path, &st);
		hashed += size;
	}
	if (count_files(abs, 0) != (long)m->nfiles + 1) {
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "%s holds files or links its signed manifest "
		                  "does not list; it is not loaded; reinstall "
		                  "the skill",
		                  abs);
		goto out;
	}
	hostlog(SKILL_LOG_DEBUG, "store: %s: hashed %zu files, %llu bytes (%s)",
	        abs, m->nfiles + 1, (unsigned long long)hashed, why);
	stamp_draft_commit(draft);
	draft = NULL;
found:
	/* Agent Skills only: verified, and no library to load. */
	rc = *rel_lib ? fs_pathf(lib, cap, e, "%s/%s", abs, rel_lib)
	              : (snprintf(lib, cap, "%s", ""), SH_OK);
out:
	stamp_draft_abort(draft);
	manifest_free(m);
	return rc;
}

/* ---- install ---- */

/* Copy the package into the staging file while hashing it, so the bytes
 * that are verified are exactly the bytes that get extracted. */
static sh_status copy_and_hash(const char *src, const char *dst,
                               uint8_t digest[MINISIG_DIGEST_BYTES],
                               uint8_t file_hash[MINISIG_FILE_HASH_BYTES],
                               struct sh_error *e)
{
	uint64_t total = 0;
	sh_status rc = SH_OK;
	char shown[PATH_MAX + 16];
	int in = -1, out = -1;
	struct stat st;

	snprintf(shown, sizeof shown, "package %s", src);
	if ((rc = fs_open_read(src, shown, &in, e)))
		goto out;
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = sh_error_set(e, SH_ERR_INVALID, "%s is not a file", src);
		goto out;
	}
	if (st.st_size == 0) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "package %s is empty (0 bytes)", src);
		goto out;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot create %s",
		                    dst);
		goto out;
	}
	rc = package_copy_hashed(in, out, src, dst, digest, file_hash, &total,
	                         e);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

static sh_status check_signature(const char *home, const char *pkg,
                                 const char *sig_path, const char *staged,
                                 struct minisig_package_info *info,
                                 char keyid[MINISIG_KEYID_HEX_SIZE],
                                 struct sh_error *e)
{
	uint8_t digest[MINISIG_DIGEST_BYTES];
	struct minisig_signature sig;
	const struct trust_key *k;
	struct trust *t = NULL;
	char ns[80];
	size_t nslen;
	sh_status rc;

	rc = minisig_load(sig_path, &sig, e);
	if (rc == SH_ERR_NOTFOUND)
		return sh_error_set(
		        e, SH_ERR_TRUST,
		        "package %s has no signature: %s is missing. "
		        "Packages are installed only with their "
		        "publisher's signature beside them",
		        pkg, sig_path);
	if (rc != SH_OK) {
		e->status = SH_ERR_TRUST;
		return sh_error_prefix(e, "package %s is refused", pkg);
	}
	minisig_keyid_to_hex(sig.key_id, keyid);
	if ((rc = trust_load(home, &t, e)))
		return rc;
	k = trust_find(t, sig.key_id);
	if (!k) {
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "package %s is signed by key %s, which this "
		                  "host does not trust. If you trust its "
		                  "publisher, add their public key: skillhost "
		                  "trust add KEY.pub --namespace NAMESPACE",
		                  pkg, keyid);
		goto out;
	}
	/* Hash what we will extract: a private copy, not the original. */
	/* The signature alone binds the bytes: it covers BLAKE2b-512 of
	 * every byte, and the trusted comment (with its blake2b256) is
	 * signed together with it. Recomputing BLAKE2b-256 here would only
	 * re-check the signer's own arithmetic at twice the cost; the
	 * registry path checks that hash against the index while it
	 * downloads (regclient_install). */
	if ((rc = copy_and_hash(pkg, staged, digest, NULL, e)))
		goto out;
	if ((rc = minisig_verify_digest(&k->pk, &sig, digest, e))) {
		sh_error_prefix(e, "package %s is refused", pkg);
		goto out;
	}
	if ((rc = minisig_package_comment_parse(sig.trusted_comment, info,
	                                        e))) {
		e->status = SH_ERR_TRUST;
		sh_error_prefix(e,
		                "package %s is refused: its signature is valid "
		                "but its trusted comment does not name a "
		                "package",
		                pkg);
		goto out;
	}
	nslen = strcspn(info->name, "/");
	snprintf(ns, sizeof ns, "%.*s", (int)nslen, info->name);
	if (!trust_key_allows(k, ns)) {
		char allowed[512] = "";
		for (size_t i = 0; i < k->nnamespaces; i++)
			snprintf(allowed + strlen(allowed),
			         sizeof allowed - strlen(allowed), "%s%s",
			         i ? ", " : "", k->namespaces[i]);
		rc = sh_error_set(
		        e, SH_ERR_TRUST,
		        "package %s (%s) is refused: key %s is trusted "
		        "only for namespace %s, not for \"%s\"",
		        pkg, info->name, keyid, allowed, ns);
		goto out;
	}
out:
	trust_free(t);
	return rc;
}

static sh_status check_tools_match(const struct manifest *m,
                                   const struct skilldesc *d,
                                   struct sh_error *e)
{
	for (size_t i = 0; i < m->ntools; i++) {
		uint32_t j = 0;
		while (j < d->ntools &&
		       strcmp(d->tools[j].name, m->tools[i].name))
			j++;
		if (j == d->ntools)
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "the manifest lists tool \"%s\", which "
			        "the skill's code does not have",
			        m->tools[i].name);
	}
	if (d->ntools != m->ntools)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the skill's code has %u tools but its "
		        "manifest lists %zu; list them all so users "
		        "see what they install",
		        d->ntools, m->ntools);
	return SH_OK;
}

static cJSON *make_record(const struct manifest *m, const struct skilldesc *d,
                          const char *dir, const char *lib, const char *keyid,
                          const char *manifest_hex)
{
	cJSON *rec = cJSON_CreateObject();
	const cJSON *perm =
	        cJSON_GetObjectItemCaseSensitive(m->json, "permissions");
	/* A package of Agent Skills only has no code to describe it: its
	 * record says what the manifest says, with no tools. */
	cJSON *desc = d ? skilldesc_to_json(d) : cJSON_CreateObject();

	if (!d && desc &&
	    (!cJSON_AddStringToObject(desc, "name", m->name) ||
	     !cJSON_AddStringToObject(desc, "version", m->version) ||
	     !cJSON_AddStringToObject(desc, "description", m->description) ||
	     (m->license &&
	      !cJSON_AddStringToObject(desc, "license", m->license)) ||
	     !cJSON_AddArrayToObject(desc, "tools")))
		desc = (cJSON_Delete(desc), NULL);

	if (!rec || !desc ||
	    !cJSON_AddStringToObject(rec, "version", m->version) ||
	    !cJSON_AddStringToObject(rec, "dir", dir) ||
	    !cJSON_AddStringToObject(rec, "lib", lib) ||
	    !cJSON_AddStringToObject(rec, "publisher", keyid) ||
	    !cJSON_AddNumberToObject(rec, "installed", (double)time(NULL)) ||
	    !cJSON_AddStringToObject(rec, "manifest", manifest_hex)) {
		cJSON_Delete(rec);
		cJSON_Delete(desc);
		return NULL;
	}
	cJSON_AddItemToObject(rec, "skill", desc);
	cJSON_AddItemToObject(rec, "permissions",
	                      perm ? cJSON_Duplicate(perm, 1)
	                           : cJSON_CreateObject());
	return rec;
}

sh_status store_install(const char *home, const char *path,
                        const struct store_install_opts *o,
                        struct store_install_result *res, struct sh_error *e)
{
	static const struct store_install_opts defaults = {0};
	char sig_path[PATH_MAX], staging[PATH_MAX] = "", staged[PATH_MAX];
	char work[PATH_MAX], final_rel[PATH_MAX], final_abs[PATH_MAX];
	char parent[PATH_MAX], lib[PATH_MAX], id[2 * ID_BYTES + 1];
	char keyid[MINISIG_KEYID_HEX_SIZE], mhex[2 * MANIFEST_HASH_BYTES + 1];
	struct minisig_package_info info;
	struct manifest *m = NULL;
	struct skilldesc *d = NULL;
	cJSON *index = NULL, *entry, *cur, *rec = NULL, *agentskills = NULL;
	const char *rel_lib;
	uint8_t mh[MANIFEST_HASH_BYTES];
	uint64_t msize;
	sh_status rc;
	int lock = -1;

	if (!o)
		o = &defaults;
	memset(res, 0, sizeof *res);
	work[0] = staged[0] = '\0';
	if ((rc = o->sig_path ? fs_pathf(sig_path, sizeof sig_path, e, "%s",
	                                 o->sig_path)
	                      : fs_pathf(sig_path, sizeof sig_path, e,
	                                 "%s.minisig", path)))
		return rc;
	if ((rc = lock_store(home, &lock, e)))
		return rc;
	if ((rc = store_read_index(home, &index, e)))
		goto out;
	sweep(home, index);
	random_id(id);
	if ((rc = fs_pathf(staging, sizeof staging, e, "%s/%s", home,
	                   STORE_STAGING)) ||
	    (rc = fs_pathf(staged, sizeof staged, e, "%s/%s.skill", staging,
	                   id)) ||
	    (rc = fs_pathf(work, sizeof work, e, "%s/%s", staging, id)) ||
	    (rc = fs_mkdirs(staging, 0700, e)))
		goto out;

	hostlog(SKILL_LOG_DEBUG, "store: verifying %s", path);
	if ((rc = check_signature(home, path, sig_path, staged, &info, keyid,
	                          e)))
		goto out;
	if ((o->expect_name && strcmp(o->expect_name, info.name)) ||
	    (o->expect_version && strcmp(o->expect_version, info.version))) {
		rc = sh_error_set(
		        e, SH_ERR_TRUST,
		        "package %s is signed as %s %s, not the %s %s "
		        "that was asked for",
		        path, info.name, info.version,
		        o->expect_name ? o->expect_name : info.name,
		        o->expect_version ? o->expect_version : info.version);
		goto out;
	}
	entry = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(index, "skills"), info.name);
	cur = cJSON_GetObjectItemCaseSensitive(entry, "current");
	/* Decided from the signed name and version, before any extraction:
	 * the manifest must agree with them below. */
	if (cur) {
		const char *v = rec_str(cur, "version");
		int cmp = v ? skilldesc_semver_compare(info.version, v) : 1;
		if (cmp == 0 && !o->force && o->same_version_ok) {
			snprintf(res->name, sizeof res->name, "%s", info.name);
			snprintf(res->version, sizeof res->version, "%s",
			         info.version);
			snprintf(res->publisher, sizeof res->publisher, "%s",
			         keyid);
			res->unchanged = 1;
			rc = SH_OK;
			goto out;
		}
		if (cmp == 0 && !o->force) {
			rc = sh_error_set(
			        e, SH_ERR_USAGE,
			        "%s %s is already installed; use --force "
			        "to reinstall it",
			        info.name, info.version);
			goto out;
		}
		if (cmp < 0 && !o->allow_downgrade) {
			rc = sh_error_set(
			        e, SH_ERR_USAGE,
			        "%s %s is older than the installed %s; "
			        "use --allow-downgrade to install it "
			        "anyway, or `skillhost rollback %s`",
			        info.name, info.version, v, info.name);
			goto out;
		}
		snprintf(res->previous, sizeof res->previous, "%s", v);
	}

	PHASE_MARK("install: signature checked");
	hostlog(SKILL_LOG_DEBUG, "store: extracting %s", path);
	if ((rc = package_extract_limited(staged, work, NULL, path, &m, e)))
		goto out;
	if (strcmp(m->name, info.name) || strcmp(m->version, info.version)) {
		rc = sh_error_set(
		        e, SH_ERR_TRUST,
		        "package %s is refused: its manifest says %s %s "
		        "but its signature was made for %s %s",
		        path, m->name, m->version, info.name, info.version);
		goto out;
	}
	if (m->publisher && strcasecmp(m->publisher, keyid)) {
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "package %s is refused: its manifest names "
		                  "publisher key %s but it is signed by %s",
		                  path, m->publisher, keyid);
		goto out;
	}
	/* Agent Skills are checked against the specification again: the
	 * package may come from another packer. */
	if ((rc = agentskill_check_package(work, m, &agentskills, e))) {
		sh_error_prefix(e, "package %s", path);
		goto out;
	}
	if (m->nplatforms == 0) {
		/* Agent Skills only: no code to probe, nothing the host runs.
		 */
		rel_lib = "";
		goto commit;
	}
	if (m->abi != SKILL_ABI_MAJOR) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s %s is built for skill ABI %d; this host "
		                  "runs ABI %d",
		                  m->name, m->version, m->abi, SKILL_ABI_MAJOR);
		goto out;
	}
	rel_lib = manifest_platform_lib(m, manifest_host_platform());
	if (!rel_lib) {
		rc = sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s %s has no library for this platform (%s); "
		        "ask its publisher for a %s build",
		        m->name, m->version, manifest_host_platform(),
		        manifest_host_platform());
		goto out;
	}
	PHASE_MARK("install: extracted");
	hostlog(SKILL_LOG_DEBUG, "store: probing %s", rel_lib);
	if ((rc = fs_pathf(lib, sizeof lib, e, "%s/%s", work, rel_lib)) ||
	    (rc = probe_skill(lib, work, &d, e)))
		goto out;
	if (strcmp(d->name, m->name) || strcmp(d->version, m->version)) {
		rc = sh_error_set(
		        e, SH_ERR_INVALID,
		        "package %s: its code says it is %s %s but its "
		        "manifest says %s %s",
		        path, d->name, d->version, m->name, m->version);
		goto out;
	}
	if ((rc = check_tools_match(m, d, e))) {
		sh_error_prefix(e, "package %s", path);
		goto out;
	}

	/* Commit: move the verified folder into place, then switch the index
	 * to it. Until the index is written, the old state stands. */
commit : {
	char mpath[PATH_MAX];
	if ((rc = fs_pathf(final_rel, sizeof final_rel, e, "%s/%s/%s-%s",
	                   STORE_SKILLS, m->name, m->version, id)) ||
	    (rc = fs_pathf(final_abs, sizeof final_abs, e, "%s/%s", home,
	                   final_rel)) ||
	    (rc = fs_pathf(parent, sizeof parent, e, "%s/%s/%s", home,
	                   STORE_SKILLS, m->name)) ||
	    (rc = fs_mkdirs(parent, 0755, e)) ||
	    (rc = fs_pathf(mpath, sizeof mpath, e, "%s/%s", work,
	                   MANIFEST_FILE)) ||
	    (rc = hash_path(mpath, &msize, mh, NULL, e)))
		goto out;
	manifest_hash_hex(mh, mhex);
}
	PHASE_MARK("install: probed");
	hostlog(SKILL_LOG_DEBUG, "store: moving %s into place", m->name);
	if (rename(work, final_abs) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot move %s to %s",
		                    work, final_abs);
		goto out;
	}
	if ((rc = fs_sync_dir(parent, e)))
		goto out;
	/* Hashed once more where it will be loaded from, and stamped, so
	 * loads need not hash it again while it stays unchanged. */
	PHASE_MARK("install: moved into place");
	hostlog(SKILL_LOG_DEBUG, "store: stamping %s", m->name);
	if ((rc = stamp_take(final_abs, mhex, m, e))) {
		remove_quietly(final_abs);
		goto out;
	}
	PHASE_MARK("install: stamped");
	rec = make_record(m, d, final_rel, rel_lib, keyid, mhex);
	if (rec && cJSON_GetArraySize(agentskills) > 0) {
		cJSON_AddItemToObject(rec, "agentskills", agentskills);
		agentskills = NULL;
	}
	if (!rec) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!entry) {
		entry = cJSON_AddObjectToObject(
		        cJSON_GetObjectItemCaseSensitive(index, "skills"),
		        m->name);
		if (!entry) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	if (cur && skilldesc_semver_compare(m->version,
	                                    rec_str(cur, "version")) != 0) {
		/* The replaced version becomes the rollback target. */
		cJSON_DetachItemViaPointer(entry, cur);
		cJSON_DeleteItemFromObjectCaseSensitive(entry, "previous");
		cJSON_AddItemToObject(entry, "previous", cur);
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(entry, "current");
	}
	cJSON_AddItemToObject(entry, "current", rec);
	rec = NULL;
	if ((rc = write_index(home, index, e)))
		goto out;
	snprintf(res->name, sizeof res->name, "%s", m->name);
	snprintf(res->version, sizeof res->version, "%s", m->version);
	snprintf(res->publisher, sizeof res->publisher, "%s", keyid);
	sweep(home, index);
	PHASE_MARK("install: index written, old versions swept");
out:
	if (rc != SH_OK && work[0])
		remove_quietly(work);
	if (staged[0])
		unlink(staged);
	rmdir(staging); /* when empty: a refusal leaves no trace */
	cJSON_Delete(rec);
	cJSON_Delete(agentskills);
	cJSON_Delete(index);
	skilldesc_free(d);
	manifest_free(m);
	if (lock >= 0)
		close(lock);
	return rc;
}

sh_status store_remove(const char *home, const char *name, struct sh_error *e)
{
	cJSON *index = NULL, *skills;
	sh_status rc;
	int lock;

	if ((rc = lock_store(home, &lock, e)))
		return rc;
	if ((rc = store_read_index(home, &index, e)))
		goto out;
	skills = cJSON_GetObjectItemCaseSensitive(index, "skills");
	if (!cJSON_GetObjectItemCaseSensitive(skills, name)) {
		rc = sh_error_set(e, SH_ERR_NOTFOUND,
		                  "%s is not installed; see `skillhost list`",
		                  name);
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(skills, name);
	if ((rc = write_index(home, index, e)))
		goto out;
	sweep(home, index);
out:
	cJSON_Delete(index);
	close(lock);
	return rc;
}

sh_status store_rollback(const char *home, const char *name, char *now_version,
                         size_t cap, struct sh_error *e)
{
	cJSON *index = NULL, *entry, *cur, *prev;
	sh_status rc;
	int lock;

	if ((rc = lock_store(home, &lock, e)))
		return rc;
	if ((rc = store_read_index(home, &index, e)))
		goto out;
	entry = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(index, "skills"), name);
	if (!entry) {
		rc = sh_error_set(e, SH_ERR_NOTFOUND,
		                  "%s is not installed; see `skillhost list`",
		                  name);
		goto out;
	}
	prev = cJSON_GetObjectItemCaseSensitive(entry, "previous");
	if (!cJSON_IsObject(prev)) {
		rc = sh_error_set(e, SH_ERR_NOTFOUND,
		                  "%s has no previous version to roll back to",
		                  name);
		goto out;
	}
	cur = cJSON_DetachItemFromObjectCaseSensitive(entry, "current");
	prev = cJSON_DetachItemFromObjectCaseSensitive(entry, "previous");
	cJSON_AddItemToObject(entry, "current", prev);
	if (cur)
		cJSON_AddItemToObject(entry, "previous", cur);
	if ((rc = write_index(home, index, e)))
		goto out;
	snprintf(now_version, cap, "%s", rec_str(prev, "version"));
out:
	cJSON_Delete(index);
	close(lock);
	return rc;
}

/* The namespace of skill name ("acme" of "acme/x") into buf. */
static void namespace_of(const char *name, char *buf, size_t cap)
{
	const char *slash = strchr(name, '/');
	size_t n = slash ? (size_t)(slash - name) : strlen(name);

	snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), name);
}

/* 1 when t trusts the key with hex id for namespace ns. */
static int trusts(const struct trust *t, const char *id, const char *ns)
{
	for (size_t i = 0; id && i < t->n; i++)
		if (!strcasecmp(t->keys[i].id, id))
			return trust_key_allows(&t->keys[i], ns);
	return 0;
}

const char *store_record_disabled(const cJSON *rec)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(rec, "disabled");

	if (!d)
		return NULL;
	/* Any mark counts, even a damaged one: fail closed. */
	return rec_str(d, "key") ? rec_str(d, "key") : "?";
}

void store_disabled_reason(const char *name, const cJSON *rec, char *buf,
                           size_t cap)
{
	char ns[80];

	namespace_of(name, ns, sizeof ns);
	snprintf(buf, cap,
	         "skill %s is disabled: key %s, which signed it, is no longer "
	         "trusted for namespace %s (`skillhost trust remove`); trust "
	         "the key again with `skillhost trust add KEY.pub --namespace "
	         "%s`, or remove the skill with `skillhost remove %s`",
	         name, store_record_disabled(rec), ns, ns, name);
}

sh_status store_check_trusted(const char *home, const char *name,
                              const cJSON *rec, struct sh_error *e)
{
	const char *id = rec_str(rec, "publisher");
	struct trust *t = NULL;
	char ns[80];
	sh_status rc;
	int ok;

	if ((rc = trust_load(home, &t, e)))
		return rc;
	namespace_of(name, ns, sizeof ns);
	ok = trusts(t, id, ns);
	trust_free(t);
	if (ok)
		return SH_OK;
	return sh_error_set(
	        e, SH_ERR_TRUST,
	        "skill %s was signed by key %s, which is not "
	        "trusted for namespace %s any more; trust it again "
	        "with `skillhost trust add KEY.pub --namespace %s`, "
	        "or remove the skill with `skillhost remove %s`",
	        name, id ? id : "(none)", ns, ns, name);
}

/* Mark or unmark rec against t; 1 when it changed. */
static int sync_record(cJSON *rec, const char *name, const struct trust *t,
                       int64_t now)
{
	const char *id = rec_str(rec, "publisher");
	char ns[80];
	cJSON *mark;

	if (!cJSON_IsObject(rec))
		return 0;
	namespace_of(name, ns, sizeof ns);
	if (trusts(t, id, ns)) {
		if (!cJSON_GetObjectItemCaseSensitive(rec, "disabled"))
			return 0;
		cJSON_DeleteItemFromObjectCaseSensitive(rec, "disabled");
		return 1;
	}
	if (cJSON_GetObjectItemCaseSensitive(rec, "disabled"))
		return 0;
	mark = cJSON_AddObjectToObject(rec, "disabled");
	if (mark) {
		cJSON_AddStringToObject(mark, "key", id ? id : "(none)");
		cJSON_AddNumberToObject(mark, "since", (double)now);
	}
	return 1;
}

static sh_status report(cJSON **list, const char *name, const cJSON *rec,
                        struct sh_error *e)
{
	cJSON *o;

	if (!*list && !(*list = cJSON_CreateArray()))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(*list, o) ||
	    !cJSON_AddStringToObject(o, "name", name) ||
	    !cJSON_AddStringToObject(
	            o, "version",
	            rec_str(rec, "version") ? rec_str(rec, "version") : "") ||
	    !cJSON_AddStringToObject(
	            o, "key",
	            rec_str(rec, "publisher") ? rec_str(rec, "publisher") : ""))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	return SH_OK;
}

sh_status store_sync_trust(const char *home, cJSON **disabled, cJSON **enabled,
                           struct sh_error *e)
{
	cJSON *index = NULL, *s, *off = NULL, *on = NULL;
	struct trust *t = NULL;
	int64_t now = (int64_t)time(NULL);
	int changed = 0;
	sh_status rc;
	int lock;

	if (disabled)
		*disabled = NULL;
	if (enabled)
		*enabled = NULL;
	if ((rc = lock_store(home, &lock, e)))
		return rc;
	if ((rc = store_read_index(home, &index, e)) ||
	    (rc = trust_load(home, &t, e)))
		goto out;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(index, "skills"))
	{
		cJSON *cur = cJSON_GetObjectItemCaseSensitive(s, "current");
		cJSON *prev = cJSON_GetObjectItemCaseSensitive(s, "previous");
		int was = store_record_disabled(cur) != NULL;

		changed |= sync_record(prev, s->string, t, now);
		if (!sync_record(cur, s->string, t, now))
			continue;
		changed = 1;
		if ((rc = report(was ? &on : &off, s->string, cur, e)))
			goto out;
	}
	if (changed && (rc = write_index(home, index, e)))
		goto out;
	if (disabled) {
		*disabled = off;
		off = NULL;
	}
	if (enabled) {
		*enabled = on;
		on = NULL;
	}
out:
	cJSON_Delete(off);
	cJSON_Delete(on);
	trust_free(t);
	cJSON_Delete(index);
	close(lock);
	return rc;
}
