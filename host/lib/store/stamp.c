/*
 * stamp.c - the verified stamp of an installed package. See stamp.h.
 *
 * The stamp file is text, one record a line:
 *   skillhost-stamp 1
 *   manifest HEX                  the record's manifest hash
 *   clock SEC NSEC                the file system's clock when taken
 *   file DEV INO SIZE MSEC MNSEC CSEC CNSEC MODE PATH   (one per file,
 *                                 manifest.json first; MODE in octal)
 *   end N                         how many file lines came before
 * Package paths hold no white space (manifest_valid_path).
 */
#include "stamp.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "dynbuf.h"
#include "fsutil.h"
#include "hostlog.h"
#include "monotime.h"
#include "package.h"

#define STAMP_MAGIC "skillhost-stamp 1"
/* A package's file list is bounded by the extractor's entry limit; this
 * is far above any stamp of it. */
#define STAMP_MAX_BYTES ((size_t)64 * 1024 * 1024)

static long long ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* Whether a file whose inode changed last at ctime can be vouched for by a
 * stamp taken at clock (both the file system's time): a later change
 * cannot get the same ctime. */
static int settled(long long ctime_ns, long long clock_ns)
{
	return ctime_ns < clock_ns - STAMP_MARGIN_NS;
}

/* The i-th path of the package: manifest.json, then the manifest's
 * files. */
static const char *nth_path(const struct manifest *m, size_t i)
{
	return i == 0 ? MANIFEST_FILE : m->files[i - 1].path;
}

/* The newest ctime among the package's files, or -1 when one cannot be
 * stat()ed or is on another file system than dev (then no stamp). */
static long long newest_ctime(const char *dir, const struct manifest *m,
                              dev_t dev)
{
	long long newest = 0;

	for (size_t i = 0; i <= m->nfiles; i++) {
		char p[PATH_MAX];
		struct stat st;
		if (fs_pathf(p, sizeof p, NULL, "%s/%s", dir, nth_path(m, i)) ||
		    lstat(p, &st) != 0 || st.st_dev != dev)
			return -1;
		if (ts_ns(&st.st_ctim) > newest)
			newest = ts_ns(&st.st_ctim);
	}
	return newest;
}

/* A stamp being written: its temporary file, whose ctime is the clock,
 * and the file lines so far. */
struct stamp_draft {
	char dir[PATH_MAX], tmp[PATH_MAX], final[PATH_MAX];
	char hex[2 * MANIFEST_HASH_BYTES + 1];
	struct dynbuf lines;
	long long clock_ns; /* the file system's clock, read on tmp */
	dev_t dev;          /* tmp's, which every file must share */
	size_t n;           /* file lines in lines */
	int fd;             /* tmp, open until written */
	const char *why;    /* set: this stamp cannot be sound; not written */
};

/* Refresh the clock: the temporary file's ctime is the file system's
 * now. */
static int draft_clock(struct stamp_draft *d)
{
	struct stat st;

	if (futimens(d->fd, NULL) != 0 || fstat(d->fd, &st) != 0)
		return -1;
	d->clock_ns = ts_ns(&st.st_ctim);
	d->dev = st.st_dev;
	return 0;
}

static void draft_free(struct stamp_draft *d)
{
	if (!d)
		return;
	if (d->fd >= 0) {
		close(d->fd);
		(void)unlink(d->tmp);
	}
	dyn_free(&d->lines);
	free(d);
}

/* Start the stamp of dir for the manifest whose hash is hex: create its
 * temporary file beside dir under a name of its own (loads may stamp the
 * same folder at once; an install's sweep removes what a killed one
 * left, as the name does not end in STAMP_SUFFIX) and read the clock. */
static sh_status draft_open(const char *dir, const char *hex,
                            struct stamp_draft **out, struct sh_error *e)
{
	struct stamp_draft *d;
	sh_status rc;

	*out = NULL;
	if (strlen(hex) != sizeof d->hex - 1 ||
	    strspn(hex, "0123456789abcdef") != sizeof d->hex - 1)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "bad manifest hash for the stamp of %s",
		                    dir);
	d = calloc(1, sizeof *d);
	if (!d)
		return sh_error_set(e, SH_ERR_NOMEM,
		                    "out of memory for the stamp of %s", dir);
	d->fd = -1;
	d->lines = (struct dynbuf)DYN_INIT(STAMP_MAX_BYTES);
	memcpy(d->hex, hex, sizeof d->hex);
	if ((rc = fs_pathf(d->dir, sizeof d->dir, e, "%s", dir)) ||
	    (rc = fs_pathf(d->final, sizeof d->final, e, "%s%s", dir,
	                   STAMP_SUFFIX)) ||
	    (rc = fs_pathf(d->tmp, sizeof d->tmp, e, "%s%s.XXXXXX", dir,
	                   STAMP_SUFFIX))) {
		draft_free(d);
		return rc;
	}
	d->fd = mkostemp(d->tmp, O_CLOEXEC);
	if (d->fd < 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot create %s",
		                    d->tmp);
		draft_free(d);
		return rc;
	}
	/* As readable as the folder's files (mkostemp makes it 0600). */
	if (fchmod(d->fd, 0644) != 0 || draft_clock(d) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot stat %s",
		                    d->tmp);
		draft_free(d);
		return rc;
	}
	*out = d;
	return SH_OK;
}

/* Add rel, whose stat st was taken before its bytes were hashed (and
 * found to be what the manifest says), unless it cannot be vouched for. */
static void draft_add(struct stamp_draft *d, const char *rel,
                      const struct stat *st)
{
	if (d->why)
		return;
	if (!S_ISREG(st->st_mode) || st->st_dev != d->dev) {
		d->why = "a file is not a regular file on the stamp's file "
		         "system";
		return;
	}
	/* The clock was read before st: a change after st gets a ctime
	 * later than the clock, so unlike this one. */
	if (!settled(ts_ns(&st->st_ctim), d->clock_ns)) {
		d->why = "a file changed too recently to be stamped";
		return;
	}
	dyn_addf(&d->lines, "file %ju %ju %jd %lld %ld %lld %ld %o %s\n",
	         (uintmax_t)st->st_dev, (uintmax_t)st->st_ino,
	         (intmax_t)st->st_size, (long long)st->st_mtim.tv_sec,
	         st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
	         st->st_ctim.tv_nsec, (unsigned)st->st_mode, rel);
	d->n++;
}

/* Write the stamp: the temporary file, fsync, rename over the stamp,
 * fsync of the folder holding both. */
static sh_status draft_write(struct stamp_draft *d, struct sh_error *e)
{
	char head[256], parent[PATH_MAX], *slash;
	sh_status rc;
	int n;

	if ((rc = dyn_addf(&d->lines, "end %zu\n", d->n)) != SH_OK)
		return sh_error_set(e, rc, "out of memory writing %s", d->tmp);
	n = snprintf(head, sizeof head, "%s\nmanifest %s\nclock %lld %lld\n",
	             STAMP_MAGIC, d->hex, d->clock_ns / 1000000000,
	             d->clock_ns % 1000000000);
	if (n < 0 || (size_t)n >= sizeof head)
		return sh_error_set(e, SH_ERR_FAIL, "stamp header too long");
	if ((rc = fs_write_all(d->fd, head, (size_t)n, d->tmp, e)) ||
	    (rc = fs_write_all(d->fd, dyn_ptr(&d->lines), dyn_len(&d->lines),
	                       d->tmp, e)))
		return rc;
	if (fsync(d->fd) != 0)
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot fsync %s",
		                      d->tmp);
	n = close(d->fd);
	d->fd = -1;
	if (n != 0 || rename(d->tmp, d->final) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno,
		                    n != 0 ? "cannot close %s"
		                           : "cannot rename %s to its stamp",
		                    d->tmp);
		(void)unlink(d->tmp);
		return rc;
	}
	if ((rc = fs_pathf(parent, sizeof parent, e, "%s", d->dir)))
		return rc;
	if ((slash = strrchr(parent, '/')))
		*slash = '\0';
	return fs_sync_dir(parent, e);
}

/* Hash path (whose lstat is st) and say whether it is what the manifest
 * says: 1 it is, 0 it is not, -1 it was replaced, or changed or could not
 * be read while hashed (no stamp; a load then hashes and reports). */
static int hash_matches(const char *path, const struct stat *st,
                        const uint8_t want[MANIFEST_HASH_BYTES],
                        uint64_t want_size)
{
	uint8_t h[MANIFEST_HASH_BYTES];
	struct sh_error e;
	struct stat fst;
	uint64_t size;
	int fd, same;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	same = fstat(fd, &fst) == 0 && fst.st_dev == st->st_dev &&
	       fst.st_ino == st->st_ino &&
	       ts_ns(&fst.st_ctim) == ts_ns(&st->st_ctim);
	if (!same || package_hash_fd(fd, path, &size, h, &e) != SH_OK) {
		close(fd);
		return -1;
	}
	close(fd);
	return size == want_size && !sodium_memcmp(h, want, sizeof h);
}

sh_status stamp_take(const char *dir, const char *manifest_hex,
                     const struct manifest *m, struct sh_error *e)
{
	struct stamp_draft *d = NULL;
	uint8_t mh[MANIFEST_HASH_BYTES];
	long long waited = 0, newest;
	const char *why = NULL;
	sh_status rc = SH_OK;

	if (sodium_hex2bin(mh, sizeof mh, manifest_hex, strlen(manifest_hex),
	                   NULL, NULL, NULL) != 0)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "bad manifest hash for the stamp of %s",
		                    dir);
	if ((rc = draft_open(dir, manifest_hex, &d, e)))
		return rc;
	/* Wait until every file is older than the margin by the file
	 * system's own clock; a stamp taken sooner would be racy. */
	for (;;) {
		if (draft_clock(d) != 0) {
			rc = sh_error_errno(e, SH_ERR_IO, errno,
			                    "cannot stat %s", d->tmp);
			goto out;
		}
		newest = newest_ctime(dir, m, d->dev);
		if (newest < 0) {
			why = "a file cannot be stat()ed or is on another "
			      "file system";
			goto out;
		}
		if (settled(newest, d->clock_ns))
			break;
		if (waited >= STAMP_WAIT_MAX_NS) {
			why = "the file system's clock did not advance";
			goto out;
		}
		{
			long long w = newest + STAMP_MARGIN_NS - d->clock_ns +
			              1000000;
			struct timespec ts;
			if (w < 1000000)
				w = 1000000;
			if (w > STAMP_WAIT_MAX_NS - waited)
				w = STAMP_WAIT_MAX_NS - waited;
			ts = sh_timespec(w);
			while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
				;
			waited += w;
		}
	}
	/* Each file is stat()ed, then hashed: a change after the stat gets
	 * a ctime the stamp does not have, and a change before it would
	 * have been too recent to stamp. */
	for (size_t i = 0; i <= m->nfiles; i++) {
		const char *rel = nth_path(m, i);
		char p[PATH_MAX];
		struct stat st;
		int k;

		if ((rc = fs_pathf(p, sizeof p, e, "%s/%s", dir, rel)))
			goto out;
		if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode) ||
		    st.st_dev != d->dev ||
		    !settled(ts_ns(&st.st_ctim), d->clock_ns)) {
			why = "a file changed while the stamp was taken";
			goto out;
		}
		k = i == 0 ? hash_matches(p, &st, mh, (uint64_t)st.st_size)
		           : hash_matches(p, &st, m->files[i - 1].blake2b256,
		                          m->files[i - 1].size);
		if (k < 0) {
			why = "a file changed while it was hashed";
			goto out;
		}
		if (k == 0) {
			rc = sh_error_set(
			        e, SH_ERR_TRUST,
			        "installed file %s changed during the "
			        "install (its hash no longer matches "
			        "the signed manifest); install again",
			        p);
			goto out;
		}
		draft_add(d, rel, &st);
	}
	if (d->why) {
		why = d->why;
		goto out;
	}
	if ((rc = draft_write(d, e)))
		goto out;
	hostlog(SKILL_LOG_DEBUG,
	        "store: stamped %zu files of %s (waited %lld ms)",
	        m->nfiles + 1, dir, waited / 1000000);
out:
	draft_free(d);
	if (rc == SH_OK && why)
		hostlog(SKILL_LOG_DEBUG,
		        "store: no stamp for %s (%s); its loads hash every "
		        "file",
		        dir, why);
	return rc;
}

struct stamp_draft *stamp_draft_begin(const char *dir, const char *manifest_hex)
{
	struct stamp_draft *d;
	struct sh_error e;

	if (draft_open(dir, manifest_hex, &d, &e) != SH_OK) {
		/* A read-only store, say: loads go on hashing. */
		hostlog(SKILL_LOG_DEBUG, "store: not stamping %s: %s", dir,
		        e.msg);
		return NULL;
	}
	return d;
}

void stamp_draft_add(struct stamp_draft *d, const char *rel,
                     const struct stat *st)
{
	if (d)
		draft_add(d, rel, st);
}

void stamp_draft_commit(struct stamp_draft *d)
{
	struct sh_error e;

	if (!d)
		return;
	if (d->why)
		hostlog(SKILL_LOG_DEBUG, "store: not stamping %s yet (%s)",
		        d->dir, d->why);
	else if (draft_write(d, &e) != SH_OK)
		hostlog(SKILL_LOG_DEBUG, "store: not stamping %s: %s", d->dir,
		        e.msg);
	else
		hostlog(SKILL_LOG_DEBUG,
		        "store: stamped %zu files of %s at load; later loads "
		        "hash none while they stay unchanged",
		        d->n, d->dir);
	draft_free(d);
}

void stamp_draft_abort(struct stamp_draft *d)
{
	draft_free(d);
}

/* The next line of the stamp text at *p (NUL-terminated in place), or
 * NULL at the end. */
static char *next_line(char **p)
{
	char *s = *p, *nl;

	if (!*s)
		return NULL;
	nl = strchr(s, '\n');
	if (!nl)
		return NULL; /* a stamp ends with a newline: damaged */
	*nl = '\0';
	*p = nl + 1;
	return s;
}

/* Parse a file line into its fields; 0 on success. */
static int parse_file_line(const char *line, struct stat *want,
                           const char **path)
{
	uintmax_t dev, ino;
	intmax_t size;
	long long ms, cs;
	long mns, cns;
	unsigned mode;
	int at = -1;

	if (sscanf(line, "file %ju %ju %jd %lld %ld %lld %ld %o %n", &dev, &ino,
	           &size, &ms, &mns, &cs, &cns, &mode, &at) != 8 ||
	    at < 0 || !manifest_valid_path(line + at))
		return -1;
	memset(want, 0, sizeof *want);
	want->st_dev = (dev_t)dev;
	want->st_ino = (ino_t)ino;
	want->st_size = (off_t)size;
	want->st_mtim.tv_sec = (time_t)ms;
	want->st_mtim.tv_nsec = mns;
	want->st_ctim.tv_sec = (time_t)cs;
	want->st_ctim.tv_nsec = cns;
	want->st_mode = (mode_t)mode;
	*path = line + at;
	return 0;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size && a->st_mode == b->st_mode &&
	       ts_ns(&a->st_mtim) == ts_ns(&b->st_mtim) &&
	       ts_ns(&a->st_ctim) == ts_ns(&b->st_ctim);
}

int stamp_check(const char *dir, const char *manifest_hex, long *nfiles,
                char *why, size_t cap)
{
	char path[PATH_MAX], hex[2 * MANIFEST_HASH_BYTES + 1];
	struct sh_error ignored;
	char *text = NULL, *p, *line;
	long long sec, nsec, clock_ns = 0;
	long n = 0, end = -1;
	int ok = 0;

	*nfiles = 0;
	snprintf(why, cap, "%s", "its stamp is damaged");
	if (fs_pathf(path, sizeof path, NULL, "%s%s", dir, STAMP_SUFFIX))
		return 0;
	if (fs_read_file(path, STAMP_MAX_BYTES, &text, NULL, &ignored) !=
	    SH_OK) {
		snprintf(why, cap, "%s",
		         ignored.status == SH_ERR_NOTFOUND
		                 ? "it has no stamp (installed before stamps, "
		                   "or its file system's clock was too coarse)"
		                 : "its stamp cannot be read");
		return 0;
	}
	p = text;
	if (!(line = next_line(&p)) || strcmp(line, STAMP_MAGIC) ||
	    !(line = next_line(&p)) ||
	    sscanf(line, "manifest %64[0-9a-f]", hex) != 1 ||
	    strlen(line) != strlen("manifest ") + sizeof hex - 1 ||
	    !(line = next_line(&p)) ||
	    sscanf(line, "clock %lld %lld", &sec, &nsec) != 2)
		goto out;
	if (strcmp(hex, manifest_hex)) {
		snprintf(why, cap, "%s",
		         "its stamp is for another manifest than the store "
		         "index names");
		goto out;
	}
	clock_ns = sec * 1000000000LL + nsec;
	while ((line = next_line(&p))) {
		char fp[PATH_MAX];
		struct stat want, st;
		const char *rel;

		if (!strncmp(line, "end ", 4)) {
			end = strtol(line + 4, NULL, 10);
			break;
		}
		if (parse_file_line(line, &want, &rel) ||
		    (n == 0 && strcmp(rel, MANIFEST_FILE)))
			goto out;
		if (!settled(ts_ns(&want.st_ctim), clock_ns)) {
			snprintf(why, cap,
			         "%s changed too close to when its stamp was "
			         "taken",
			         rel);
			goto out;
		}
		if (fs_pathf(fp, sizeof fp, NULL, "%s/%s", dir, rel) ||
		    lstat(fp, &st) != 0 || !same_file(&st, &want)) {
			snprintf(why, cap, "%s is not the file its stamp names",
			         rel);
			goto out;
		}
		n++;
	}
	if (end != n || n == 0 || *p)
		goto out;
	*nfiles = n;
	ok = 1;
out:
	free(text);
	return ok;
}
