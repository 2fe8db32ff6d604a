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

/* Refresh the clock: the stamp file's ctime is the file system's now. */
static int fs_clock(int fd, long long *clock_ns, dev_t *dev)
{
	struct stat st;

	if (futimens(fd, NULL) != 0 || fstat(fd, &st) != 0)
		return -1;
	*clock_ns = ts_ns(&st.st_ctim);
	*dev = st.st_dev;
	return 0;
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
	struct dynbuf b = DYN_INIT(STAMP_MAX_BYTES);
	char tmp[PATH_MAX], final[PATH_MAX], parent[PATH_MAX];
	uint8_t mh[MANIFEST_HASH_BYTES];
	long long clock_ns = 0, waited = 0, newest;
	const char *why = NULL;
	sh_status rc = SH_OK;
	dev_t dev = 0;
	int fd = -1;
	char *slash;

	if ((rc = fs_pathf(final, sizeof final, e, "%s%s", dir,
	                   STAMP_SUFFIX)) ||
	    (rc = fs_pathf(tmp, sizeof tmp, e, "%s%s.tmp", dir,
	                   STAMP_SUFFIX)) ||
	    (rc = fs_pathf(parent, sizeof parent, e, "%s", dir)))
		return rc;
	if ((slash = strrchr(parent, '/')))
		*slash = '\0';
	if (sodium_hex2bin(mh, sizeof mh, manifest_hex, strlen(manifest_hex),
	                   NULL, NULL, NULL) != 0)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "bad manifest hash for the stamp of %s",
		                    dir);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot create %s",
		                      tmp);
	/* Wait until every file is older than the margin by the file
	 * system's own clock; a stamp taken sooner would be racy. */
	for (;;) {
		if (fs_clock(fd, &clock_ns, &dev) != 0) {
			rc = sh_error_errno(e, SH_ERR_IO, errno,
			                    "cannot stat %s", tmp);
			goto out;
		}
		newest = newest_ctime(dir, m, dev);
		if (newest < 0) {
			why = "a file cannot be stat()ed or is on another "
			      "file system";
			goto out;
		}
		if (settled(newest, clock_ns))
			break;
		if (waited >= STAMP_WAIT_MAX_NS) {
			why = "the file system's clock did not advance";
			goto out;
		}
		{
			long long d =
			        newest + STAMP_MARGIN_NS - clock_ns + 1000000;
			struct timespec ts;
			if (d < 1000000)
				d = 1000000;
			if (d > STAMP_WAIT_MAX_NS - waited)
				d = STAMP_WAIT_MAX_NS - waited;
			ts.tv_sec = (time_t)(d / 1000000000);
			ts.tv_nsec = (long)(d % 1000000000);
			while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
				;
			waited += d;
		}
	}
	dyn_addf(&b, "%s\nmanifest %s\nclock %lld %lld\n", STAMP_MAGIC,
	         manifest_hex, clock_ns / 1000000000, clock_ns % 1000000000);
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
		    st.st_dev != dev ||
		    !settled(ts_ns(&st.st_ctim), clock_ns)) {
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
		dyn_addf(&b, "file %ju %ju %jd %lld %ld %lld %ld %o %s\n",
		         (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
		         (intmax_t)st.st_size, (long long)st.st_mtim.tv_sec,
		         st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
		         st.st_ctim.tv_nsec, (unsigned)st.st_mode, rel);
	}
	dyn_addf(&b, "end %zu\n", m->nfiles + 1);
	if ((rc = dyn_error(&b))) {
		rc = sh_error_set(e, rc, "out of memory writing %s", tmp);
		goto out;
	}
	if ((rc = fs_write_all(fd, dyn_ptr(&b), dyn_len(&b), tmp, e)))
		goto out;
	if (fsync(fd) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot fsync %s",
		                    tmp);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot close %s",
		                    tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, final) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno,
		                    "cannot rename %s to %s", tmp, final);
		goto out;
	}
	rc = fs_sync_dir(parent, e);
	hostlog(SKILL_LOG_DEBUG,
	        "store: stamped %zu files of %s (waited %lld ms)",
	        m->nfiles + 1, dir, waited / 1000000);
out:
	if (fd >= 0)
		close(fd);
	if (rc != SH_OK || why)
		(void)unlink(tmp);
	if (rc == SH_OK && why)
		hostlog(SKILL_LOG_DEBUG,
		        "store: no stamp for %s (%s); its loads hash every "
		        "file",
		        dir, why);
	dyn_free(&b);
	return rc;
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
