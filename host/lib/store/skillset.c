/*
 * skillset.c - the installed Agent Skills, verified. See skillset.h.
 */
#include "skillset.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "agentskill.h"
#include "fsutil.h"
#include "hostlog.h"
#include "manifest.h"
#include "package.h"
#include "store.h"

/* The most a skill file may be for skillset_read: larger files stay
 * listed (with their digests) but are not served whole. SEP-2640 asks
 * servers not to serve skills over 16 MiB in all. */
#define SKILLSET_READ_MAX ((size_t)16 * 1024 * 1024)

static void free_skill(struct skillset_skill *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfiles; i++) {
		free(s->files[i].rel);
		free(s->files[i].path);
	}
	free(s->files);
	free(s->name);
	free(s->description);
	free(s->package);
	free(s->version);
	free(s->publisher);
	free(s->root);
	free(s->dir);
	free(s->manifest);
	free(s->uri_path);
	cJSON_Delete(s->frontmatter);
	free(s);
}

void skillset_free(struct skillset *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		free_skill(set->skills[i]);
	free(set->skills);
	free(set);
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Hash the open file fd both ways; *size is what was read. When keep is
 * set the bytes are kept in *data (NUL-terminated), up to cap. */
static sh_status hash_both(int fd, const char *name, uint64_t *size,
                           uint8_t b2[32], uint8_t sha[32], char **data,
                           size_t cap, struct sh_error *e)
{
	crypto_generichash_state g;
	crypto_hash_sha256_state s;
	unsigned char buf[65536];
	char *keep = NULL;
	sh_status rc = SH_OK;

	*size = 0;
	crypto_generichash_init(&g, NULL, 0, 32);
	crypto_hash_sha256_init(&s);
	for (;;) {
		size_t n;
		if ((rc = fs_read_some(fd, buf, sizeof buf, &n, name, e)) ||
		    n == 0)
			break;
		crypto_generichash_update(&g, buf, n);
		crypto_hash_sha256_update(&s, buf, n);
		if (data) {
			char *nk;
			if (*size + n > cap) {
				rc = sh_error_set(e, SH_ERR_INVALID,
				                  "%s is over %zu bytes", name,
				                  cap);
				break;
			}
			nk = realloc(keep, (size_t)*size + n + 1);
			if (!nk) {
				rc = sh_error_set(e, SH_ERR_NOMEM,
				                  "out of memory");
				break;
			}
			keep = nk;
			memcpy(keep + *size, buf, n);
			keep[*size + n] = '\0';
		}
		*size += n;
	}
	crypto_generichash_final(&g, b2, 32);
	crypto_hash_sha256_final(&s, sha);
	if (data) {
		if (rc == SH_OK && !keep)
			keep = calloc(1, 1);
		if (rc == SH_OK && !keep)
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		if (rc != SH_OK) {
			free(keep);
			keep = NULL;
		}
		*data = keep;
	}
	return rc;
}

static sh_status tampered(struct sh_error *e, const char *path, const char *pkg)
{
	return sh_error_set(e, SH_ERR_TRUST,
	                    "installed file %s was changed after install (it "
	                    "no longer matches the signed manifest); it is "
	                    "not served; reinstall %s "
	                    "(skillhost install --force ...)",
	                    path, pkg);
}

/* Check one file of a skill against its manifest entry, filling f. */
static sh_status verify_file(struct skillset_skill *s,
                             const struct manifest_file *mf,
                             struct skillset_file *f, char **data,
                             struct sh_error *e)
{
	char abs[PATH_MAX];
	uint8_t b2[32];
	uint64_t size;
	sh_status rc;
	int fd;

	if ((rc = fs_pathf(abs, sizeof abs, e, "%s/%s", s->root, mf->path)))
		return rc;
	fd = open(abs, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return sh_error_errno(e, SH_ERR_TRUST, errno,
		                      "installed file %s cannot be read", abs);
	rc = hash_both(fd, abs, &size, b2, f->sha256, data,
	               AGENTSKILL_MAX_BYTES, e);
	close(fd);
	if (rc != SH_OK)
		return rc;
	if (size != mf->size || sodium_memcmp(b2, mf->blake2b256, 32)) {
		if (data) {
			free(*data);
			*data = NULL;
		}
		return tampered(e, abs, s->package);
	}
	f->size = size;
	memcpy(f->blake2b, mf->blake2b256, 32);
	return SH_OK;
}

/* Build and verify skill name of the installed package m. */
static sh_status load_skill(struct skillset_skill *s, const struct manifest *m,
                            struct sh_error *e)
{
	char prefix[PATH_MAX], *md = NULL;
	size_t plen, k = 0, mdlen = 0;
	struct agentskill *as = NULL;
	sh_status rc = SH_OK;

	snprintf(prefix, sizeof prefix, "%s/%s/", AGENTSKILL_DIR, s->name);
	plen = strlen(prefix);
	for (size_t i = 0; i < m->nfiles; i++)
		k += !strncmp(m->files[i].path, prefix, plen);
	s->files = calloc(k ? k : 1, sizeof *s->files);
	if (!s->files)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	/* The manifest's files are sorted by path: so are the skill's. */
	for (size_t i = 0; i < m->nfiles && rc == SH_OK; i++) {
		const struct manifest_file *mf = &m->files[i];
		struct skillset_file *f = &s->files[s->nfiles];
		int is_md;

		if (strncmp(mf->path, prefix, plen))
			continue;
		f->path = strdup(mf->path);
		f->rel = strdup(mf->path + plen);
		s->nfiles++;
		if (!f->path || !f->rel)
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		is_md = !strcmp(f->rel, AGENTSKILL_FILE);
		rc = verify_file(s, mf, f, is_md ? &md : NULL, e);
		if (rc == SH_OK && is_md) {
			mdlen = (size_t)f->size;
			rc = agentskill_parse(md, mdlen, f->path, s->name, &as,
			                      e);
		}
	}
	free(md);
	if (rc == SH_OK && !as)
		rc = sh_error_set(e, SH_ERR_TRUST, "%s has no %s", prefix,
		                  AGENTSKILL_FILE);
	if (rc == SH_OK) {
		s->description = strdup(as->description);
		s->frontmatter = as->frontmatter;
		as->frontmatter = NULL;
		if (!s->description)
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	agentskill_free(as);
	return rc;
}

/* A copy of the skills of one package from an earlier set, when its
 * folder and manifest hash are the same. 0 when there is none. */
static int reuse_package(const struct skillset *old, const char *dir,
                         const char *mhash, struct skillset *set, size_t *cap)
{
	int found = 0;

	for (size_t i = 0; old && i < old->n; i++) {
		const struct skillset_skill *o = old->skills[i];
		struct skillset_skill *c;

		if (strcmp(o->dir, dir) || strcmp(o->manifest, mhash))
			continue;
		if (set->n == *cap) {
			struct skillset_skill **nv = realloc(
			        set->skills,
			        (*cap = *cap ? 2 * *cap : 64) *
			                sizeof(struct skillset_skill *));
			if (!nv)
				return -1;
			set->skills = nv;
		}
		c = calloc(1, sizeof *c);
		if (!c)
			return -1;
		set->skills[set->n++] = c;
		c->name = strdup(o->name);
		c->description = strdup(o->description);
		c->package = strdup(o->package);
		c->version = strdup(o->version);
		c->publisher = strdup(o->publisher);
		c->root = strdup(o->root);
		c->dir = strdup(o->dir);
		c->manifest = strdup(o->manifest);
		c->frontmatter = cJSON_Duplicate(o->frontmatter, 1);
		c->files = calloc(o->nfiles ? o->nfiles : 1, sizeof *c->files);
		if (!c->name || !c->description || !c->package || !c->version ||
		    !c->publisher || !c->root || !c->dir || !c->manifest ||
		    !c->frontmatter || !c->files)
			return -1;
		for (size_t j = 0; j < o->nfiles; j++) {
			c->files[j] = o->files[j];
			c->files[j].rel = strdup(o->files[j].rel);
			c->files[j].path = strdup(o->files[j].path);
			c->nfiles++;
			if (!c->files[j].rel || !c->files[j].path)
				return -1;
		}
		found = 1;
	}
	return found;
}

static sh_status load_package(const char *home, const char *pkg,
                              const cJSON *rec, struct skillset *set,
                              size_t *cap, struct sh_error *e)
{
	const char *dir = str(rec, "dir"), *want = str(rec, "manifest");
	const cJSON *names =
	        cJSON_GetObjectItemCaseSensitive(rec, "agentskills");
	char root[PATH_MAX], mpath[PATH_MAX], hex[2 * MANIFEST_HASH_BYTES + 1];
	uint8_t h[MANIFEST_HASH_BYTES];
	struct manifest *m = NULL;
	const cJSON *n;
	uint64_t size;
	sh_status rc;
	int fd;

	if (!dir || !want || strstr(dir, ".."))
		return sh_error_set(e, SH_ERR_TRUST,
		                    "the store index entry of %s is damaged; "
		                    "reinstall it",
		                    pkg);
	if ((rc = fs_pathf(root, sizeof root, e, "%s/%s", home, dir)) ||
	    (rc = fs_pathf(mpath, sizeof mpath, e, "%s/%s", root,
	                   MANIFEST_FILE)))
		return rc;
	fd = open(mpath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return sh_error_errno(e, SH_ERR_TRUST, errno,
		                      "installed file %s cannot be read",
		                      mpath);
	rc = package_hash_fd(fd, mpath, &size, h, e);
	close(fd);
	if (rc != SH_OK)
		return rc;
	manifest_hash_hex(h, hex);
	if (strcmp(hex, want))
		return tampered(e, mpath, pkg);
	if ((rc = manifest_load(mpath, MANIFEST_PACKAGED, &m, e)))
		return rc;
	cJSON_ArrayForEach(n, names)
	{
		struct skillset_skill *s;

		if (!cJSON_IsString(n) ||
		    !agentskill_valid_name(n->valuestring))
			continue;
		if (set->n == *cap) {
			struct skillset_skill **nv = realloc(
			        set->skills,
			        (*cap = *cap ? 2 * *cap : 64) *
			                sizeof(struct skillset_skill *));
			if (!nv) {
				rc = sh_error_set(e, SH_ERR_NOMEM,
				                  "out of memory");
				break;
			}
			set->skills = nv;
		}
		s = calloc(1, sizeof *s);
		if (!s) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			break;
		}
		s->name = strdup(n->valuestring);
		s->package = strdup(pkg);
		s->version = strdup(m->version);
		s->publisher = strdup(
		        str(rec, "publisher") ? str(rec, "publisher") : "");
		s->root = strdup(root);
		s->dir = strdup(dir);
		s->manifest = strdup(want);
		if (!s->name || !s->package || !s->version || !s->publisher ||
		    !s->root || !s->dir || !s->manifest) {
			free_skill(s);
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			break;
		}
		if ((rc = load_skill(s, m, e)) != SH_OK) {
			free_skill(s);
			break;
		}
		set->skills[set->n++] = s;
	}
	manifest_free(m);
	return rc;
}

static int by_uri(const void *a, const void *b)
{
	const struct skillset_skill *x =
	        *(const struct skillset_skill *const *)a;
	const struct skillset_skill *y =
	        *(const struct skillset_skill *const *)b;
	return strcmp(x->uri_path, y->uri_path);
}

static int by_name(const void *a, const void *b)
{
	const struct skillset_skill *x =
	        *(const struct skillset_skill *const *)a;
	const struct skillset_skill *y =
	        *(const struct skillset_skill *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->package, y->package);
}

sh_status skillset_load(const char *home, const struct skillset *reuse,
                        int strict, struct skillset **out, struct sh_error *e)
{
	struct skillset *set = calloc(1, sizeof *set);
	cJSON *index = NULL, *ent;
	size_t cap = 0;
	sh_status rc;

	*out = NULL;
	if (!set)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if ((rc = store_read_index(home, &index, e)))
		goto fail;
	cJSON_ArrayForEach(ent,
	                   cJSON_GetObjectItemCaseSensitive(index, "skills"))
	{
		const cJSON *cur =
		        cJSON_GetObjectItemCaseSensitive(ent, "current");
		size_t before = set->n;
		struct sh_error pe;
		int r;

		if (!cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
		            cur, "agentskills")) ||
		    store_record_disabled(cur))
			continue;
		r = str(cur, "dir") && str(cur, "manifest")
		            ? reuse_package(reuse, str(cur, "dir"),
		                            str(cur, "manifest"), set, &cap)
		            : 0;
		if (r < 0) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			goto fail;
		}
		if (r > 0)
			continue;
		if (load_package(home, ent->string, cur, set, &cap, &pe) ==
		    SH_OK)
			continue;
		if (pe.status == SH_ERR_NOMEM || strict) {
			rc = sh_error_set(e, pe.status, "%s", pe.msg);
			goto fail;
		}
		/* One tampered package must not take the others down. */
		hostlog(SKILL_LOG_WARNING, "Agent Skills of %s not served: %s",
		        ent->string, pe.msg);
		for (size_t i = before; i < set->n; i++)
			free_skill(set->skills[i]);
		set->n = before;
	}
	/* Names two packages share get their package in the URI. */
	if (set->n > 1)
		qsort(set->skills, set->n, sizeof(struct skillset_skill *),
		      by_name);
	for (size_t i = 0; i < set->n; i++) {
		struct skillset_skill *s = set->skills[i];
		int shared =
		        (i > 0 && !strcmp(set->skills[i - 1]->name, s->name)) ||
		        (i + 1 < set->n &&
		         !strcmp(set->skills[i + 1]->name, s->name));
		char buf[PATH_MAX];
		snprintf(buf, sizeof buf, "%s%s%s", shared ? s->package : "",
		         shared ? "/" : "", s->name);
		if (!(s->uri_path = strdup(buf))) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			goto fail;
		}
	}
	if (set->n > 1)
		qsort(set->skills, set->n, sizeof(struct skillset_skill *),
		      by_uri);
	cJSON_Delete(index);
	*out = set;
	return SH_OK;
fail:
	cJSON_Delete(index);
	skillset_free(set);
	return rc;
}

const struct skillset_skill *skillset_find(const struct skillset *set,
                                           const char *path)
{
	size_t lo = 0, hi = set ? set->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(set->skills[mid]->uri_path, path);
		if (c == 0)
			return set->skills[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct skillset_file *skillset_file(const struct skillset_skill *s,
                                          const char *rel)
{
	size_t lo = 0, hi = s->nfiles;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->files[mid].rel, rel);
		if (c == 0)
			return &s->files[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct skillset_skill *
skillset_find_uri(const struct skillset *set, const char *uri,
                  const struct skillset_file **file)
{
	const size_t sl = sizeof SKILLSET_URI_SCHEME - 1;
	char path[PATH_MAX];
	size_t n;

	*file = NULL;
	if (strncmp(uri, SKILLSET_URI_SCHEME, sl) ||
	    (n = strlen(uri + sl)) >= sizeof path)
		return NULL;
	memcpy(path, uri + sl, n + 1);
	while (n > 0 && path[n - 1] == '/')
		path[--n] = '\0';
	/* The skill's path is a prefix of the URI's: try each '/' from the
	 * right, so "acme/pdf/pdf/SKILL.md" finds "acme/pdf/pdf". */
	for (;;) {
		const struct skillset_skill *s = skillset_find(set, path);
		char *slash;
		if (s) {
			const char *rel = uri + sl + strlen(path);
			if (!*rel || !strcmp(rel, "/"))
				return s;
			*file = skillset_file(s, rel + 1);
			return *file ? s : NULL;
		}
		slash = strrchr(path, '/');
		if (!slash)
			return NULL;
		*slash = '\0';
	}
}

void skillset_digest(const struct skillset_file *f, char *out)
{
	memcpy(out, "sha256:", sizeof "sha256:"); /* hex from out + 7 */
	sodium_bin2hex(out + 7, SKILLSET_DIGEST_MAX - 7, f->sha256, 32);
}

sh_status skillset_read(const struct skillset_skill *s,
                        const struct skillset_file *f, char **data, size_t *len,
                        struct sh_error *e)
{
	char abs[PATH_MAX];
	uint8_t b2[32], sha[32];
	uint64_t size;
	sh_status rc;
	int fd;

	*data = NULL;
	*len = 0;
	if (f->size > SKILLSET_READ_MAX)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s of %s is %llu bytes, over the %zu this "
		                    "server sends",
		                    f->rel, s->name,
		                    (unsigned long long)f->size,
		                    SKILLSET_READ_MAX);
	if ((rc = fs_pathf(abs, sizeof abs, e, "%s/%s", s->root, f->path)))
		return rc;
	fd = open(abs, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return sh_error_errno(e, SH_ERR_TRUST, errno,
		                      "installed file %s cannot be read; "
		                      "reinstall %s",
		                      abs, s->package);
	rc = hash_both(fd, abs, &size, b2, sha, data, SKILLSET_READ_MAX, e);
	close(fd);
	if (rc == SH_OK &&
	    (size != f->size || sodium_memcmp(b2, f->blake2b, 32) ||
	     sodium_memcmp(sha, f->sha256, 32))) {
		free(*data);
		*data = NULL;
		return tampered(e, abs, s->package);
	}
	if (rc == SH_OK)
		*len = (size_t)size;
	return rc;
}
