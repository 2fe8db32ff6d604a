/*
 * package.c - reproducible .skill archives and safe extraction.
 * See package.h.
 */
#include "package.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>

#include "agentskill.h"
#include "archive_dl.h" /* archive_* calls go through its table */
#include "b2fast.h"
#include "dynbuf.h"
#include "fsutil.h"
#include "names.h"

#define COPY_CHUNK ((size_t)256 * 1024)

/* ---- packing ---- */

struct pack_file {
	char *path;
	char *src;
	uint64_t size;
	uint8_t hash[MANIFEST_HASH_BYTES];
};

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct pack_file *)a)->path,
	              ((const struct pack_file *)b)->path);
}

sh_status package_hash_fd(int fd, const char *name, uint64_t *size,
                          uint8_t out[MANIFEST_HASH_BYTES], struct sh_error *e)
{
	crypto_generichash_state st;
	unsigned char *buf = malloc(COPY_CHUNK);
	sh_status rc = SH_OK;

	*size = 0;
	if (!buf)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory hashing %s",
		                    name);
	crypto_generichash_init(&st, NULL, 0, MANIFEST_HASH_BYTES);
	for (;;) {
		size_t n;

		if ((rc = fs_read_some(fd, buf, COPY_CHUNK, &n, name, e)) ||
		    n == 0)
			break;
		crypto_generichash_update(&st, buf, n);
		*size += n;
	}
	crypto_generichash_final(&st, out, MANIFEST_HASH_BYTES);
	free(buf);
	return rc;
}

sh_status package_copy_hashed(int in, int out, const char *shown,
                              const char *out_name,
                              uint8_t digest[MINISIG_DIGEST_BYTES],
                              uint8_t file_hash[MINISIG_FILE_HASH_BYTES],
                              uint64_t *size, struct sh_error *e)
{
	/* Both hashes through minisig_hasher (libsodium); the digest alone
	 * through b2fast, the faster BLAKE2b-512 on this machine. */
	struct minisig_hasher h;
	struct b2fast fast;
	unsigned char *buf = malloc(COPY_CHUNK);
	struct stat st;
	int started = 0;
	sh_status rc;

	*size = 0;
	if (!buf)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory copying %s",
		                    shown);
	if (file_hash)
		rc = minisig_hasher_init(&h, 1, e);
	else
		rc = b2fast_init(&fast,
		                 fstat(in, &st) == 0 && S_ISREG(st.st_mode)
		                         ? (uint64_t)st.st_size
		                         : 0,
		                 e);
	if (rc)
		goto out;
	started = 1;
	for (;;) {
		size_t n;

		if ((rc = fs_read_some(in, buf, COPY_CHUNK, &n, shown, e)) ||
		    n == 0)
			break;
		*size += n;
		if (*size > PACKAGE_MAX_BYTES) {
			rc = sh_error_set(
			        e, SH_ERR_INVALID,
			        "package %s is over %llu bytes", shown,
			        (unsigned long long)PACKAGE_MAX_BYTES);
			break;
		}
		if (file_hash)
			minisig_hasher_update(&h, buf, n);
		else
			b2fast_update(&fast, buf, n);
		if ((rc = fs_write_all(out, buf, n, out_name, e)))
			break;
	}
	if (rc == SH_OK) {
		started = 0;
		if (file_hash)
			minisig_hasher_final(&h, digest, file_hash);
		else
			rc = b2fast_final(&fast, digest, e);
	}
	if (rc == SH_OK && fsync(out) != 0)
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot sync %s",
		                    out_name);
out:
	if (started && !file_hash)
		b2fast_abort(&fast);
	if (file_hash)
		sodium_memzero(&h, sizeof h);
	free(buf);
	return rc;
}

static sh_status hash_file(const char *path, uint64_t *size,
                           uint8_t out[MANIFEST_HASH_BYTES], struct sh_error *e)
{
	struct stat sb;
	sh_status rc;
	int fd;

	if ((rc = fs_open_read(path, path, &fd, e)))
		return rc;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s is not a regular file", path);
	}
	rc = package_hash_fd(fd, path, size, out, e);
	close(fd);
	return rc;
}

struct pack_list {
	struct pack_file *f;
	size_t n, cap;
};

/* Add the file at src as the package's rel (once: a file named twice, as
 * a platform library and in "include", is packed once). */
static sh_status add_file_src(struct pack_list *l, const char *rel,
                              const char *src, struct sh_error *e)
{
	struct pack_file *f;

	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->f[i].path, rel))
			return SH_OK;
	if (!manifest_valid_path(rel) || !strcmp(rel, MANIFEST_FILE))
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "cannot pack \"%s\": not a valid package path", rel);
	if (l->n >= MANIFEST_MAX_FILES)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "cannot pack more than %d files",
		                    MANIFEST_MAX_FILES);
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct pack_file *nf = realloc(l->f, cap * sizeof *nf);
		if (!nf)
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		l->f = nf;
		l->cap = cap;
	}
	f = &l->f[l->n];
	memset(f, 0, sizeof *f);
	f->path = strdup(rel);
	f->src = strdup(src);
	l->n++;
	if (!f->path || !f->src)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	return hash_file(src, &f->size, f->hash, e);
}

static sh_status add_pack_file(struct pack_list *l, const char *dir,
                               const char *rel, struct sh_error *e)
{
	char src[PATH_MAX];
	sh_status rc;

	if ((rc = fs_join(src, sizeof src, dir, rel, e)))
		return rc;
	if (add_file_src(l, rel, src, e) != SH_OK)
		return sh_error_prefix(e, "cannot pack %s (named in %s/%s)",
		                       rel, dir, MANIFEST_FILE);
	return SH_OK;
}

static sh_status add_skill_file(void *ud, const char *pkg_path,
                                const char *src_path, struct sh_error *e)
{
	return add_file_src(ud, pkg_path, src_path, e);
}

static time_t fixed_time(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long t;

	if (!sde || !*sde)
		return 0;
	t = strtoll(sde, &end, 10);
	return *end || t < 0 ? 0 : (time_t)t;
}

static sh_status write_entry(struct archive *a, const char *path,
                             const void *data, size_t len, const char *src,
                             struct sh_error *e)
{
	struct archive_entry *en = archive_entry_new();
	sh_status rc = SH_OK;

	if (!en)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	archive_entry_set_pathname(en, path);
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0644);
	archive_entry_set_size(en, (la_int64_t)len);
	archive_entry_set_mtime(en, fixed_time(), 0);
	archive_entry_set_uid(en, 0);
	archive_entry_set_gid(en, 0);
	if (archive_write_header(a, en) != ARCHIVE_OK) {
		rc = sh_error_set(e, SH_ERR_IO, "cannot write %s: %s", path,
		                  archive_error_string(a));
		goto out;
	}
	if (data) {
		if (len && archive_write_data(a, data, len) != (la_ssize_t)len)
			rc = sh_error_set(e, SH_ERR_IO, "cannot write %s: %s",
			                  path, archive_error_string(a));
	} else {
		unsigned char *buf = malloc(COPY_CHUNK);
		size_t left = len;
		int fd = open(src, O_RDONLY | O_CLOEXEC);
		if (!buf || fd < 0) {
			rc = sh_error_errno(e, SH_ERR_IO, errno,
			                    "cannot read %s", src);
		}
		while (rc == SH_OK && left > 0) {
			ssize_t n = read(fd, buf,
			                 left < COPY_CHUNK ? left : COPY_CHUNK);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				rc = sh_error_set(
				        e, SH_ERR_IO,
				        "%s changed while being packed", src);
				break;
			}
			if (archive_write_data(a, buf, (size_t)n) != n)
				rc = sh_error_set(e, SH_ERR_IO,
				                  "cannot write %s: %s", path,
				                  archive_error_string(a));
			left -= (size_t)n;
		}
		free(buf);
		if (fd >= 0)
			close(fd);
	}
out:
	archive_entry_free(en);
	return rc;
}

/* libarchive's write callback: the archive grows in memory, then goes to
 * disk in one atomic write. A package past PACKAGE_MAX_BYTES could never
 * be installed, so packing stops there. */
static la_ssize_t mem_write(struct archive *a, void *ud, const void *buf,
                            size_t n)
{
	(void)a;
	if (dyn_addn(ud, buf, n) != SH_OK)
		return -1;
	return (la_ssize_t)n;
}

/* Write the package of the source manifest document srcdoc (origin names
 * it in errors) and the files in l to out_path. */
static sh_status pack_build(const cJSON *srcdoc, const char *origin,
                            struct pack_list *l, const char *out_path,
                            const char *publisher, struct manifest **packaged,
                            struct sh_error *e)
{
	struct manifest *pm = NULL;
	struct pack_file *files = l->f;
	struct archive *a = NULL;
	struct dynbuf out = DYN_INIT(PACKAGE_MAX_BYTES);
	cJSON *doc = NULL, *fobj;
	char *mtext = NULL;
	size_t n = l->n;
	sh_status rc;

	/* libarchive is opened now, before anything is built or written. */
	if ((rc = archive_dl_load(e)) != SH_OK)
		return rc;
	qsort(files, n, sizeof *files, by_path);
	/* The packaged manifest: the source one, minus "include", plus the
	 * publisher and a size and hash for every file. */
	doc = cJSON_Duplicate(srcdoc, 1);
	if (!doc) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "include");
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "files");
	if (!cJSON_GetObjectItemCaseSensitive(doc, "manifest"))
		cJSON_AddNumberToObject(doc, "manifest", MANIFEST_FORMAT);
	if (publisher) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, "publisher");
		cJSON_AddStringToObject(doc, "publisher", publisher);
	}
	fobj = cJSON_AddObjectToObject(doc, "files");
	for (size_t i = 0; fobj && i < n; i++) {
		char hex[2 * MANIFEST_HASH_BYTES + 1];
		cJSON *f = cJSON_AddObjectToObject(fobj, files[i].path);
		manifest_hash_hex(files[i].hash, hex);
		if (!f ||
		    !cJSON_AddNumberToObject(f, "size",
		                             (double)files[i].size) ||
		    !cJSON_AddStringToObject(f, "blake2b256", hex))
			fobj = NULL;
	}
	mtext = fobj ? cJSON_Print(doc) : NULL;
	if (!mtext) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = manifest_parse(mtext, strlen(mtext), MANIFEST_PACKAGED, origin,
	                    &pm, e);
	if (rc != SH_OK)
		goto out;

	a = archive_write_new();
	if (!a || archive_write_set_format_ustar(a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    /* No timestamp in the gzip header: reproducible output. */
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) <
	            ARCHIVE_WARN ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, &out, NULL, mem_write, NULL) != ARCHIVE_OK) {
		rc = sh_error_set(
		        e, SH_ERR_FAIL, "cannot start the archive: %s",
		        a ? archive_error_string(a) : "out of memory");
		goto out;
	}
	rc = write_entry(a, MANIFEST_FILE, mtext, strlen(mtext), NULL, e);
	for (size_t i = 0; rc == SH_OK && i < n; i++)
		rc = write_entry(a, files[i].path, NULL, (size_t)files[i].size,
		                 files[i].src, e);
	if (rc == SH_OK &&
	    (archive_write_close(a) != ARCHIVE_OK || dyn_error(&out)))
		rc = sh_error_set(e, SH_ERR_IO, "cannot finish the archive: %s",
		                  archive_error_string(a));
	/* libarchive only saw a failed write: say why. */
	if (out.too_big)
		rc = sh_error_set(
		        e, SH_ERR_INVALID,
		        "the package would be larger than %llu bytes, "
		        "more than skillhost installs; leave large "
		        "data out of \"include\"",
		        (unsigned long long)PACKAGE_MAX_BYTES);
	if (rc != SH_OK)
		goto out;
	rc = fs_write_atomic(out_path, dyn_ptr(&out), dyn_len(&out), 0644, e);
	if (rc == SH_OK && packaged) {
		*packaged = pm;
		pm = NULL;
	}
out:
	if (a)
		archive_write_free(a);
	dyn_free(&out);
	free(mtext);
	cJSON_Delete(doc);
	manifest_free(pm);
	return rc;
}

static void pack_list_free(struct pack_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->f[i].path);
		free(l->f[i].src);
	}
	free(l->f);
}

sh_status package_pack(const char *dir, const char *out_path,
                       const char *publisher, struct manifest **packaged,
                       struct sh_error *e)
{
	char mpath[PATH_MAX];
	struct manifest *src = NULL;
	struct pack_list l = {0};
	size_t nskills = 0;
	sh_status rc;

	if (packaged)
		*packaged = NULL;
	if ((rc = fs_join(mpath, sizeof mpath, dir, MANIFEST_FILE, e)) ||
	    (rc = manifest_load(mpath, MANIFEST_SOURCE, &src, e)))
		goto out;
	for (size_t i = 0; i < src->nplatforms; i++)
		if ((rc = add_pack_file(&l, dir, src->platforms[i].lib, e)))
			goto out;
	for (size_t i = 0; i < src->include.n; i++)
		if ((rc = add_pack_file(&l, dir, src->include.items[i], e)))
			goto out;
	/* Agent Skills ship whole: every file of every skills/<name>/. */
	if ((rc = agentskill_scan_package(dir, add_skill_file, &l, &nskills,
	                                  e)))
		goto out;
	if (src->nplatforms == 0 && nskills == 0) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s has no \"platforms\" and %s has no "
		                  "skills/<name>/%s: a package holds native "
		                  "code, Agent Skills, or both",
		                  mpath, dir, AGENTSKILL_FILE);
		goto out;
	}
	rc = pack_build(src->json, mpath, &l, out_path, publisher, packaged, e);
out:
	pack_list_free(&l);
	manifest_free(src);
	return rc;
}

sh_status package_pack_agentskill(const char *dir, const char *ns,
                                  const char *version, const char *publisher,
                                  const char *out_path,
                                  struct manifest **packaged,
                                  struct sh_error *e)
{
	char md[PATH_MAX], full[2 * SKILLDESC_MAX_NAME + 2];
	struct agentskill *s = NULL;
	struct pack_list l = {0};
	cJSON *doc = NULL;
	sh_status rc;

	if (packaged)
		*packaged = NULL;
	if ((rc = fs_pathf(md, sizeof md, e, "%s/%s", dir, AGENTSKILL_FILE)))
		return rc;
	/* The folder's own name need not be the skill's (a checkout may be
	 * called anything); the package names the folder after the skill. */
	if ((rc = agentskill_load(md, NULL, &s, e)))
		return rc;
	snprintf(full, sizeof full, "%s/%s", ns, s->name);
	if (!skilldesc_valid_skill_name(full)) {
		rc = sh_error_set(e, SH_ERR_USAGE,
		                  "--namespace \"%s\" must be lower-case "
		                  "letters, digits and '-'",
		                  ns);
		goto out;
	}
	if (!skilldesc_valid_semver(version)) {
		rc = sh_error_set(e, SH_ERR_USAGE,
		                  "--version \"%s\" must be a semantic version "
		                  "like 1.0.0",
		                  version);
		goto out;
	}
	doc = cJSON_CreateObject();
	if (!doc ||
	    !cJSON_AddNumberToObject(doc, "manifest", MANIFEST_FORMAT) ||
	    !cJSON_AddStringToObject(doc, "name", full) ||
	    !cJSON_AddStringToObject(doc, "version", version) ||
	    !cJSON_AddStringToObject(doc, "description", s->description) ||
	    (s->license &&
	     !cJSON_AddStringToObject(doc, "license", s->license))) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = agentskill_scan_folder(dir, s->name, add_skill_file, &l, e)))
		goto out;
	rc = pack_build(doc, md, &l, out_path, publisher, packaged, e);
out:
	pack_list_free(&l);
	cJSON_Delete(doc);
	agentskill_free(s);
	return rc;
}

/* ---- extraction ---- */

struct seen_file {
	char *path;
	uint64_t size;
	uint8_t hash[MANIFEST_HASH_BYTES];
};

struct extract {
	const struct package_limits *lim;
	const char *pkg; /* for messages */
	int destfd;      /* NULL-free: -1 when only reading the manifest */
	uint64_t total;  /* bytes written so far */
	uint64_t limit;  /* total cap, from the ratio and PACKAGE_MAX_TOTAL */
	struct seen_file *seen;
	size_t nseen;
	char *manifest_text;
	size_t manifest_len;
	struct sh_error *e;
};

static sh_status refuse(struct extract *x, const char *fmt, const char *what)
{
	return sh_error_set(x->e, SH_ERR_TRUST, "package %s is refused: %s%s%s",
	                    x->pkg, fmt, what ? " " : "", what ? what : "");
}

/* Create the parent directories of rel under destfd, refusing to follow
 * anything but directories we created. */
static int make_parents(int destfd, const char *rel)
{
	char buf[MANIFEST_MAX_PATH + 1];
	int fd = dup(destfd);

	snprintf(buf, sizeof buf, "%s", rel);
	for (char *p = buf, *slash; fd >= 0 && (slash = strchr(p, '/'));
	     p = slash + 1) {
		int next;
		*slash = '\0';
		if (mkdirat(fd, p, 0755) != 0 && errno != EEXIST) {
			close(fd);
			return -1;
		}
		next = openat(fd, p,
		              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	return fd;
}

static sh_status extract_file(struct extract *x, struct archive *a,
                              const char *path, struct seen_file *sf)
{
	crypto_generichash_state st;
	int is_manifest = !strcmp(path, MANIFEST_FILE);
	int dirfd = -1, fd = -1;
	const char *base = strrchr(path, '/');
	sh_status rc = SH_OK;
	const void *block;
	size_t size;
	la_int64_t offset;

	base = base ? base + 1 : path;
	crypto_generichash_init(&st, NULL, 0, MANIFEST_HASH_BYTES);
	if (x->destfd >= 0 && !is_manifest) {
		dirfd = make_parents(x->destfd, path);
		if (dirfd < 0)
			return sh_error_errno(x->e, SH_ERR_IO, errno,
			                      "cannot create the folder of %s",
			                      path);
		fd = openat(dirfd, base,
		            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		                    O_CLOEXEC,
		            0644);
		if (fd < 0) {
			rc = sh_error_errno(x->e, SH_ERR_IO, errno,
			                    "cannot create %s", path);
			goto out;
		}
	}
	for (;;) {
		int r = archive_read_data_block(a, &block, &size, &offset);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			rc = sh_error_set(
			        x->e, SH_ERR_TRUST,
			        "package %s is refused: corrupt data in "
			        "%s: %s",
			        x->pkg, path, archive_error_string(a));
			goto out;
		}
		/* Holes in sparse entries count as written bytes too. */
		if ((uint64_t)offset + size < sf->size ||
		    (uint64_t)offset < sf->size) {
			rc = refuse(x, "an entry's data goes backwards:", path);
			goto out;
		}
		x->total += (uint64_t)offset + size - sf->size;
		if (x->total > x->limit) {
			rc = sh_error_set(
			        x->e, SH_ERR_TRUST,
			        "package %s is refused: it expands past "
			        "%llu bytes (a decompression bomb?)",
			        x->pkg, (unsigned long long)x->limit);
			goto out;
		}
		if (is_manifest) {
			if ((uint64_t)offset + size > MANIFEST_MAX_BYTES) {
				rc = sh_error_set(
				        x->e, SH_ERR_INVALID,
				        "package %s: manifest.json is over "
				        "%zu bytes",
				        x->pkg, MANIFEST_MAX_BYTES);
				goto out;
			}
			if ((uint64_t)offset != sf->size)
				memset(x->manifest_text + sf->size, 0,
				       (size_t)((uint64_t)offset - sf->size));
			memcpy(x->manifest_text + offset, block, size);
			x->manifest_len = (size_t)offset + size;
		} else if (fd >= 0) {
			if ((uint64_t)offset != sf->size &&
			    lseek(fd, offset, SEEK_SET) < 0) {
				rc = sh_error_errno(x->e, SH_ERR_IO, errno,
				                    "cannot write %s", path);
				goto out;
			}
			for (size_t done = 0; done < size;) {
				ssize_t w =
				        write(fd, (const char *)block + done,
				              size - done);
				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0) {
					rc = sh_error_errno(
					        x->e, SH_ERR_IO, errno,
					        "cannot write %s", path);
					goto out;
				}
				done += (size_t)w;
			}
		}
		if ((uint64_t)offset > sf->size) {
			static const unsigned char zeros[4096];
			uint64_t gap = (uint64_t)offset - sf->size;
			while (gap) {
				size_t k = gap < sizeof zeros ? (size_t)gap
				                              : sizeof zeros;
				crypto_generichash_update(&st, zeros, k);
				gap -= k;
			}
		}
		crypto_generichash_update(&st, block, size);
		sf->size = (uint64_t)offset + size;
	}
	crypto_generichash_final(&st, sf->hash, MANIFEST_HASH_BYTES);
	/* Durability comes from one syncfs() when the whole package is out:
	 * an fsync per file made many-file installs ten times slower. */
	if (fd >= 0 && ftruncate(fd, (off_t)sf->size) != 0)
		rc = sh_error_errno(x->e, SH_ERR_IO, errno, "cannot write %s",
		                    path);
out:
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

static sh_status check_entry(struct extract *x, struct archive_entry *en,
                             const char *path)
{
	mode_t type = archive_entry_filetype(en);

	if (archive_entry_hardlink(en))
		return refuse(x, "it holds a hard link:", path);
	if (type == AE_IFLNK || archive_entry_symlink(en))
		return refuse(x, "it holds a symbolic link:", path);
	if (type != AE_IFREG)
		return refuse(x,
		              "it holds something other than a regular file "
		              "(a device, FIFO, socket or folder entry):",
		              path);
	if (path[0] == '/')
		return refuse(x, "it holds an absolute path:", path);
	if (!strcmp(path, "..") || !strncmp(path, "../", 3) ||
	    strstr(path, "/../") ||
	    (strlen(path) >= 3 && !strcmp(path + strlen(path) - 3, "/..")))
		return refuse(
		        x, "it holds a path that climbs out with '..':", path);
	if (!manifest_valid_path(path))
		return refuse(x, "it holds a path that is not allowed:", path);
	for (size_t i = 0; i < x->nseen; i++)
		if (!strcmp(x->seen[i].path, path))
			return refuse(x, "it holds the same path twice:", path);
	if (x->nseen >= x->lim->max_entries)
		return refuse(x, "it holds too many entries", NULL);
	return SH_OK;
}

static sh_status check_against_manifest(struct extract *x,
                                        const struct manifest *m)
{
	char want[2 * MANIFEST_HASH_BYTES + 1],
	        got[2 * MANIFEST_HASH_BYTES + 1];

	for (size_t i = 0; i < x->nseen; i++) {
		const struct seen_file *s = &x->seen[i];
		const struct manifest_file *f;

		if (!strcmp(s->path, MANIFEST_FILE))
			continue;
		f = manifest_find_file(m, s->path);
		if (!f)
			return refuse(x,
			              "it holds a file its manifest does not "
			              "list:",
			              s->path);
		if (f->size != s->size || sodium_memcmp(f->blake2b256, s->hash,
		                                        MANIFEST_HASH_BYTES)) {
			manifest_hash_hex(f->blake2b256, want);
			manifest_hash_hex(s->hash, got);
			return sh_error_set(
			        x->e, SH_ERR_TRUST,
			        "package %s is refused: %s does not "
			        "match its manifest (size %llu, "
			        "blake2b256 %s; expected size %llu, "
			        "blake2b256 %s)",
			        x->pkg, s->path, (unsigned long long)s->size,
			        got, (unsigned long long)f->size, want);
		}
	}
	for (size_t i = 0; i < m->nfiles; i++) {
		size_t j = 0;
		while (j < x->nseen &&
		       strcmp(x->seen[j].path, m->files[i].path))
			j++;
		if (j == x->nseen)
			return refuse(x,
			              "a file its manifest lists is missing:",
			              m->files[i].path);
	}
	return SH_OK;
}

static const struct package_limits default_limits = {
        PACKAGE_MAX_TOTAL, PACKAGE_MAX_RATIO, PACKAGE_MAX_ENTRIES};

static sh_status run_extract(const char *path, const char *shown, int destfd,
                             const struct package_limits *lim,
                             struct manifest **out, struct sh_error *e)
{
	struct extract x = {.lim = lim, .pkg = shown, .destfd = destfd, .e = e};
	struct archive *a = NULL;
	struct archive_entry *en;
	struct manifest *m = NULL;
	struct stat st;
	sh_status rc = SH_OK;
	int fd, r;

	if (out)
		*out = NULL;
	/* libarchive is opened now, before anything is read or written. */
	if ((rc = archive_dl_load(e)) != SH_OK)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sh_error_errno(
		        e, errno == ENOENT ? SH_ERR_NOTFOUND : SH_ERR_IO, errno,
		        "cannot open package %s", path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s is not a regular file", path);
	}
	if (st.st_size == 0 || (uint64_t)st.st_size > PACKAGE_MAX_BYTES) {
		close(fd);
		return sh_error_set(e, SH_ERR_INVALID,
		                    "package %s is %lld bytes; a package is 1 "
		                    "byte to %llu bytes",
		                    path, (long long)st.st_size,
		                    (unsigned long long)PACKAGE_MAX_BYTES);
	}
	x.limit = (uint64_t)st.st_size * lim->max_ratio + PACKAGE_RATIO_SLACK;
	if (x.limit > lim->max_total)
		x.limit = lim->max_total;
	x.seen = calloc(lim->max_entries + 1, sizeof *x.seen);
	x.manifest_text = malloc(MANIFEST_MAX_BYTES + 1);
	a = archive_read_new();
	if (!x.seen || !x.manifest_text || !a) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* Only the one format packages use: less parser, less attack
	 * surface. */
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, (size_t)64 * 1024) != ARCHIVE_OK) {
		rc = sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s is not a skill package (a .skill is a "
		        "gzip-compressed tar made by `skillhost pack`): "
		        "%s",
		        shown, archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &en)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(en);
		struct seen_file *sf;

		if (!name || !*name) {
			rc = refuse(&x, "it holds an entry without a name",
			            NULL);
			goto out;
		}
		if ((rc = check_entry(&x, en, name)))
			goto out;
		sf = &x.seen[x.nseen++];
		if (!(sf->path = strdup(name))) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			goto out;
		}
		if ((rc = extract_file(&x, a, name, sf)))
			goto out;
	}
	if (r != ARCHIVE_EOF) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s is not a valid skill package: %s", shown,
		                  archive_error_string(a));
		goto out;
	}
	if (x.nseen == 0 || !x.manifest_len) {
		rc = refuse(&x, "it has no manifest.json", NULL);
		goto out;
	}
	{
		char origin[PATH_MAX + 32];
		snprintf(origin, sizeof origin, "%s:%s", shown, MANIFEST_FILE);
		rc = manifest_parse(x.manifest_text, x.manifest_len,
		                    MANIFEST_PACKAGED, origin, &m, e);
		if (rc != SH_OK)
			goto out;
	}
	if (destfd >= 0) {
		int mfd;
		if ((rc = check_against_manifest(&x, m)))
			goto out;
		/* The exact bytes, so the store can re-hash them later. */
		mfd = openat(destfd, MANIFEST_FILE,
		             O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		                     O_CLOEXEC,
		             0644);
		if (mfd < 0 || write(mfd, x.manifest_text, x.manifest_len) !=
		                       (ssize_t)x.manifest_len) {
			rc = sh_error_errno(e, SH_ERR_IO, errno,
			                    "cannot write the manifest");
			if (mfd >= 0)
				close(mfd);
			goto out;
		}
		close(mfd);
	}
	if (out) {
		*out = m;
		m = NULL;
	}
out:
	manifest_free(m);
	if (a)
		archive_read_free(a);
	close(fd);
	for (size_t i = 0; x.seen && i < x.nseen; i++)
		free(x.seen[i].path);
	free(x.seen);
	free(x.manifest_text);
	return rc;
}

sh_status package_extract(const char *path, const char *dest,
                          struct manifest **m, struct sh_error *e)
{
	return package_extract_limited(path, dest, NULL, NULL, m, e);
}

sh_status package_extract_limited(const char *path, const char *dest,
                                  const struct package_limits *lim,
                                  const char *shown, struct manifest **m,
                                  struct sh_error *e)
{
	sh_status rc;
	int destfd;

	if (mkdir(dest, 0755) != 0)
		return sh_error_errno(e, SH_ERR_IO, errno,
		                      "cannot create the staging folder %s",
		                      dest);
	destfd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (destfd < 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot open %s",
		                    dest);
		rmdir(dest);
		return rc;
	}
	rc = run_extract(path, shown ? shown : path, destfd,
	                 lim ? lim : &default_limits, m, e);
	/* Every file and folder written above reaches the disk before the
	 * caller renames the folder into place. */
	if (rc == SH_OK && syncfs(destfd) != 0)
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot sync %s",
		                    dest);
	close(destfd);
	if (rc != SH_OK) {
		struct sh_error ignored;
		fs_remove_tree(dest, &ignored);
	}
	return rc;
}

sh_status package_read_manifest(const char *path, struct manifest **m,
                                struct sh_error *e)
{
	return run_extract(path, path, -1, &default_limits, m, e);
}
