/*
 * artifacts.c - output and input files for skills. See artifacts.h.
 */
#include "artifacts.h"

#define _GNU_SOURCE 1 /* sync_file_range */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "call.h"
#include "config.h"
#include "fsutil.h"
#include "hostapi.h"
#include "hostlog.h"
#include "phasetime.h"
#include "perms.h"

#define ARTIFACT_ID_BYTES 8
#define TMP_PREFIX        ".tmp-"
/* How much a skill's writes gather before their writeback starts. */
#define ARTIFACT_FLUSH_BYTES ((uint64_t)512 * 1024)

/* When this process last pruned expired artifacts (CLOCK_MONOTONIC ns;
 * 0: not yet), so writing artifacts prunes at most every
 * ARTIFACTS_PRUNE_EVERY_MS. */
static _Atomic int64_t last_prune_ns;

struct call_artifact {
	struct call_artifact *next;
	int fd;
	int is_input;
	int failed; /* over a quota: deleted, only discard is left */
	uint64_t written;
	uint64_t flushed; /* bytes whose writeback has been started */
	/* Committing on another thread (artifacts_commit_early). */
	pthread_t committer;
	const char *dir;  /* the artifacts folder, synced after the rename */
	int commit_errno; /* 0: synced and renamed; else why not */
	const char *commit_step;
	uint64_t store_room; /* bytes the store had free when it started */
	uint64_t store_max, call_max;
	char mime[128];
	char id[128]; /* "<hex>-<name>": the final file name */
	char tmp[PATH_MAX];
	char final[PATH_MAX];
};

static const struct host_services *services(skill_call_t *call)
{
	return call->services;
}

static void unlink_handle(struct skill_call *c, struct call_artifact *a)
{
	for (struct call_artifact **p = &c->artifacts; *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			return;
		}
}

static int owned(struct skill_call *c, const struct call_artifact *a,
                 int is_input)
{
	for (const struct call_artifact *p = c->artifacts; p; p = p->next)
		if (p == a)
			return p->is_input == is_input;
	return 0;
}

/* Keep [A-Za-z0-9._-], turn the rest into '_', and refuse hidden names. */
static int clean_name(const char *in, char *out, size_t cap)
{
	size_t j = 0;

	if (!in || !*in || in[0] == '.' || strchr(in, '/'))
		return 0;
	for (const char *p = in; *p && j < cap - 1 && j < ARTIFACT_NAME_MAX;
	     p++) {
		char ch = *p;
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		         (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
		         ch == '_';
		out[j++] = ok ? ch : '_';
	}
	out[j] = '\0';
	return j > 0;
}

/* A size value ("512M") of the skill's policy or the host section. */
static uint64_t size_value(const struct config *c, const char *skill,
                           const char *key, uint64_t dflt)
{
	const char *v = skill ? config_policy(c, skill, key) : NULL;
	uint64_t n;

	if (v && (n = config_parse_size(v)))
		return n;
	v = config_host(c, key);
	if (v && (n = config_parse_size(v)))
		return n;
	return dflt;
}

void artifacts_limits(const struct config *c, const char *skill,
                      struct artifacts_limits *out)
{
	const char *v = config_host(c, "artifacts-keep");
	int64_t ms;

	out->call_max = size_value(c, skill, "artifacts-call-max",
	                           ARTIFACTS_CALL_MAX_DEFAULT);
	out->store_max = size_value(c, NULL, "artifacts-max",
	                            ARTIFACTS_STORE_MAX_DEFAULT);
	out->keep_ms = v && config_parse_duration_ms(v, &ms) == 0
	                       ? ms
	                       : ARTIFACTS_KEEP_DEFAULT_MS;
}

/* Walk the regular files of dir (no symlinks, no folders). fn returns 0
 * to go on. A missing folder has no files. */
static sh_status walk(const char *dir,
                      int (*fn)(void *ud, int dfd, const char *name,
                                const struct stat *st),
                      void *ud, struct sh_error *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		if (errno == ENOENT)
			return SH_OK;
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot read %s",
		                      dir);
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		if (fn(ud, dirfd(d), de->d_name, &st))
			break;
	}
	closedir(d);
	return SH_OK;
}

static int add_size(void *ud, int dfd, const char *name, const struct stat *st)
{
	(void)dfd, (void)name;
	*(uint64_t *)ud += (uint64_t)st->st_size;
	return 0;
}

uint64_t artifacts_usage(const char *dir)
{
	struct sh_error e;
	uint64_t n = 0;

	(void)walk(dir, add_size, &n, &e);
	return n;
}

static void fill_entry(int dfd, const char *name, const struct stat *st,
                       struct artifact_entry *a)
{
	int fd;
	ssize_t n = -1;

	memset(a, 0, sizeof *a);
	snprintf(a->id, sizeof a->id, "%s", name);
	a->size = (uint64_t)st->st_size;
	a->mtime = (int64_t)st->st_mtime;
	a->mtime_ns =
	        (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		n = fgetxattr(fd, ARTIFACTS_XATTR_SKILL, a->skill,
		              sizeof a->skill - 1);
		close(fd);
	}
	a->skill[n > 0 ? n : 0] = '\0';
}

struct listing {
	struct artifact_entry *v;
	size_t n, cap;
	int oom;
};

static int add_entry(void *ud, int dfd, const char *name, const struct stat *st)
{
	struct listing *l = ud;

	if (name[0] == '.')
		return 0; /* partial files, and nothing else of ours */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct artifact_entry *v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			l->oom = 1;
			return 1;
		}
		l->v = v;
		l->cap = cap;
	}
	fill_entry(dfd, name, st, &l->v[l->n++]);
	return 0;
}

static int by_age(const void *a, const void *b)
{
	const struct artifact_entry *x = a, *y = b;

	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	return strcmp(x->id, y->id);
}

sh_status artifacts_list(const char *dir, struct artifact_entry **out,
                         size_t *n, struct sh_error *e)
{
	struct listing l = {0};
	sh_status rc = walk(dir, add_entry, &l, e);

	*out = NULL;
	*n = 0;
	if (rc == SH_OK && l.oom)
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (rc != SH_OK) {
		free(l.v);
		return rc;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof *l.v, by_age);
	*out = l.v;
	*n = l.n;
	return SH_OK;
}

struct pruning {
	time_t cutoff, tmp_cutoff;
	int dry_run;
	void (*each)(void *ud, const struct artifact_entry *);
	void *ud;
	size_t removed;
	uint64_t bytes;
};

static int prune_one(void *ud, int dfd, const char *name, const struct stat *st)
{
	struct pruning *p = ud;
	int partial = !strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX));
	struct artifact_entry a;

	if (name[0] == '.' && !partial)
		return 0;
	if (st->st_mtime > (partial ? p->tmp_cutoff : p->cutoff))
		return 0;
	if (!partial) {
		fill_entry(dfd, name, st, &a);
		if (p->each)
			p->each(p->ud, &a);
	}
	if (!p->dry_run && unlinkat(dfd, name, 0) != 0) {
		hostlog(SKILL_LOG_WARNING, "cannot remove artifact %s: %s",
		        name, strerror(errno));
		return 0;
	}
	if (!partial) {
		p->removed++;
		p->bytes += (uint64_t)st->st_size;
	}
	return 0;
}

sh_status artifacts_prune(const char *dir, int64_t older_than_ms, int dry_run,
                          void (*each)(void *ud, const struct artifact_entry *),
                          void *ud, size_t *removed, uint64_t *bytes,
                          struct sh_error *e)
{
	time_t now = time(NULL);
	struct pruning p = {
	        /* 0 removes everything, even what was written this second. */
	        .cutoff = older_than_ms > 0
	                          ? now - (time_t)(older_than_ms / 1000)
	                          : now + 1,
	        .tmp_cutoff = now - (time_t)(ARTIFACTS_TMP_STALE_MS / 1000),
	        .dry_run = dry_run,
	        .each = each,
	        .ud = ud,
	};
	sh_status rc = walk(dir, prune_one, &p, e);

	if (removed)
		*removed = p.removed;
	if (bytes)
		*bytes = p.bytes;
	return rc;
}

/* Prune expired artifacts when force is set or it has not been done for
 * ARTIFACTS_PRUNE_EVERY_MS; one thread at a time does it. */
static void prune_expired(const char *dir, int64_t keep_ms, int force)
{
	int64_t now = call_now_ns(), last = atomic_load(&last_prune_ns);
	struct sh_error e;
	size_t n = 0;

	if (!force && last && now - last < ARTIFACTS_PRUNE_EVERY_MS * 1000000)
		return;
	if (!atomic_compare_exchange_strong(&last_prune_ns, &last, now) &&
	    !force)
		return;
	if (artifacts_prune(dir, keep_ms, 0, NULL, NULL, &n, NULL, &e) != SH_OK)
		hostlog(SKILL_LOG_WARNING, "pruning artifacts: %s", e.msg);
	else if (n)
		hostlog(SKILL_LOG_INFO,
		        "removed %zu artifacts older than the retention of "
		        "%lld s",
		        n, (long long)(keep_ms / 1000));
}

/* "256 MiB", "1.5 GiB", "900 bytes": sizes in messages. */
static const char *fmt_size(uint64_t n, char *buf, size_t cap)
{
	if (n >= (1ull << 30))
		snprintf(buf, cap, "%.3g GiB", (double)n / (1ull << 30));
	else if (n >= (1ull << 20))
		snprintf(buf, cap, "%.3g MiB", (double)n / (1ull << 20));
	else if (n >= 1024)
		snprintf(buf, cap, "%.3g KiB", (double)n / 1024);
	else
		snprintf(buf, cap, "%llu bytes", (unsigned long long)n);
	return buf;
}

/* A write past a quota: delete the partial file at once, so nothing
 * half-written is left, and make the call's result say which cap and how
 * to raise it (the skill may pass on only a status). */
static skill_status over_quota(skill_call_t *call, struct call_artifact *a,
                               const char *msg)
{
	if (a) {
		if (a->fd >= 0)
			close(a->fd);
		a->fd = -1;
		if (a->tmp[0])
			unlink(a->tmp);
		a->tmp[0] = '\0';
		a->failed = 1;
	}
	call_log(call, SKILL_LOG_ERROR, msg); /* the host log too */
	call_set_error(call, msg);
	return SKILL_ERR_NOMEM;
}

static skill_status call_quota(skill_call_t *call, struct call_artifact *a)
{
	char msg[640], cap[32];
	const char *skill = call->skill_name ? call->skill_name : "SKILL";

	snprintf(msg, sizeof msg,
	         "%s: the call's artifacts are over the per-call cap of %s "
	         "(artifacts-call-max); the partial artifact was deleted. "
	         "Raise the cap with `skillhost config %s artifacts-call-max "
	         "SIZE` (or host-wide with `skillhost config --host "
	         "artifacts-call-max SIZE`)",
	         call->tool_name ? call->tool_name : skill,
	         fmt_size(a->call_max, cap, sizeof cap), skill);
	return over_quota(call, a, msg);
}

static skill_status store_quota(skill_call_t *call, struct call_artifact *a,
                                uint64_t used, uint64_t max)
{
	char msg[640], u[32], m[32];

	snprintf(msg, sizeof msg,
	         "%s: the artifact store is full (%s in use, after removing "
	         "expired artifacts, against a cap of %s: artifacts-max); "
	         "nothing was kept. Free space with `skillhost artifacts prune "
	         "--older-than DURATION` or raise the cap with `skillhost "
	         "config --host artifacts-max SIZE`",
	         call->tool_name ? call->tool_name : "the call",
	         fmt_size(used, u, sizeof u), fmt_size(max, m, sizeof m));
	return over_quota(call, a, msg);
}

static skill_status art_create(skill_call_t *call, const char *filename,
                               const char *mime, skill_artifact_t **out)
{
	const struct host_services *svc = services(call);
	struct call_artifact *a;
	struct artifacts_limits lim;
	uint64_t used;
	unsigned char rnd[ARTIFACT_ID_BYTES];
	char hex[ARTIFACT_ID_BYTES * 2 + 1];
	char name[ARTIFACT_NAME_MAX + 1];
	struct sh_error err;

	if (!out)
		return SKILL_ERR_ARGS;
	*out = NULL;
	if (!svc || !svc->artifacts_dir) {
		call_log(call, SKILL_LOG_ERROR,
		         "artifacts are not available in this host");
		return SKILL_ERR_UNSUPPORTED;
	}
	if (!perms_fs(call->perms, PERMS_FS_ARTIFACTS)) {
		call_log(call, SKILL_LOG_ERROR,
		         "writing artifacts is denied: the skill's manifest "
		         "does "
		         "not declare the \"artifacts\" filesystem permission");
		return SKILL_ERR_DENIED;
	}
	if (!clean_name(filename, name, sizeof name) || !mime || !*mime ||
	    strlen(mime) >= sizeof a->mime)
		return SKILL_ERR_ARGS;
	if (fs_mkdirs(svc->artifacts_dir, 0700, &err) != SH_OK) {
		hostlog(SKILL_LOG_ERROR, "%s", err.msg);
		return SKILL_ERR_IO;
	}
	artifacts_limits(svc->config, call->skill_name, &lim);
	prune_expired(svc->artifacts_dir, lim.keep_ms, 0);
	used = artifacts_usage(svc->artifacts_dir);
	if (used >= lim.store_max) {
		prune_expired(svc->artifacts_dir, lim.keep_ms, 1);
		used = artifacts_usage(svc->artifacts_dir);
	}
	if (used >= lim.store_max)
		return store_quota(call, NULL, used, lim.store_max);
	a = calloc(1, sizeof *a);
	if (!a)
		return SKILL_ERR_NOMEM;
	a->fd = -1;
	a->call_max = lim.call_max;
	a->store_max = lim.store_max;
	a->store_room = lim.store_max - used;
	if (call->artifact_bytes >= lim.call_max) {
		skill_status st = call_quota(call, a);
		free(a);
		return st;
	}
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	if (snprintf(a->id, sizeof a->id, "%s-%s", hex, name) >=
	    (int)sizeof a->id) {
		free(a);
		return SKILL_ERR_ARGS;
	}
	snprintf(a->mime, sizeof a->mime, "%s", mime);
	if (snprintf(a->tmp, sizeof a->tmp, "%s/.tmp-%s", svc->artifacts_dir,
	             a->id) >= (int)sizeof a->tmp ||
	    snprintf(a->final, sizeof a->final, "%s/%s", svc->artifacts_dir,
	             a->id) >= (int)sizeof a->final) {
		free(a);
		return SKILL_ERR_ARGS;
	}
	a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (a->fd < 0) {
		hostlog(SKILL_LOG_ERROR, "cannot create artifact %s: %s",
		        a->tmp, strerror(errno));
		free(a);
		return SKILL_ERR_IO;
	}
	/* Who wrote it, for `skillhost artifacts list`; a file system
	 * without user attributes lists it as unknown. */
	if (call->skill_name)
		(void)fsetxattr(a->fd, ARTIFACTS_XATTR_SKILL, call->skill_name,
		                strlen(call->skill_name), 0);
	a->next = call->artifacts;
	call->artifacts = a;
	call->release_artifacts = artifacts_release_all;
	*out = (skill_artifact_t *)a;
	return SKILL_OK;
}

/* Start writing what a holds past a->flushed out to disk once
 * ARTIFACT_FLUSH_BYTES have gathered (or all of it, when all): the commit's
 * fsync then waits for less, and the disk works while the skill still
 * writes or the next segment arrives. Durability is unchanged: the fsync
 * before the rename still waits for every byte. */
static void start_writeback(struct call_artifact *a, int all)
{
	uint64_t n = a->written - a->flushed;

	if (a->fd < 0 || n == 0 || (!all && n < ARTIFACT_FLUSH_BYTES))
		return;
	(void)sync_file_range(a->fd, (off_t)a->flushed, (off_t)n,
	                      SYNC_FILE_RANGE_WRITE);
	a->flushed = a->written;
}

/* The quota checks of a write of len more bytes to a. */
static skill_status room_for(skill_call_t *call, struct call_artifact *a,
                             uint64_t len)
{
	if (a->failed)
		return SKILL_ERR_NOMEM;
	if (a->fd < 0)
		return SKILL_ERR_ARGS;
	if (len > a->call_max - call->artifact_bytes)
		return call_quota(call, a);
	if (len > ARTIFACT_MAX_BYTES - a->written)
		return over_quota(call, a,
		                  "an artifact may not be over 1024 MiB; the "
		                  "partial artifact was deleted. Split the "
		                  "output into several artifacts");
	if (len > a->store_room - a->written)
		return store_quota(
		        call, a, artifacts_usage(services(call)->artifacts_dir),
		        a->store_max);
	return SKILL_OK;
}

skill_status artifacts_append_fd(skill_call_t *call, skill_artifact_t *h,
                                 int fd, uint64_t len)
{
	struct call_artifact *a = (struct call_artifact *)h;
	off_t off = 0;
	skill_status st;

	if (!owned(call, a, 0) || fd < 0)
		return SKILL_ERR_ARGS;
	if ((st = room_for(call, a, len)) != SKILL_OK)
		return st;
	PHASE_MARK("artifact: segment arrived");
	while ((uint64_t)off < len) {
		uint64_t left = len - (uint64_t)off;
		/* Page cache to page cache inside the kernel; the bytes never
		 * enter this process. */
		ssize_t n =
		        sendfile(a->fd, fd, &off,
		                 left < ((size_t)1 << 30) ? (size_t)left
		                                          : (size_t)1 << 30);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			hostlog(SKILL_LOG_ERROR, "cannot write artifact %s: %s",
			        a->tmp, n < 0 ? strerror(errno) : "short read");
			return SKILL_ERR_IO;
		}
		a->written += (uint64_t)n;
		call->artifact_bytes += (uint64_t)n;
	}
	start_writeback(a, 1);
	return SKILL_OK;
}

static skill_status art_write(skill_call_t *call, skill_artifact_t *h,
                              const void *data, size_t len)
{
	struct call_artifact *a = (struct call_artifact *)h;
	const char *p = data;
	skill_status st;

	if (!owned(call, a, 0) || (!data && len))
		return SKILL_ERR_ARGS;
	if ((st = room_for(call, a, len)) != SKILL_OK)
		return st;
	while (len) {
		ssize_t n = write(a->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hostlog(SKILL_LOG_ERROR, "cannot write artifact %s: %s",
			        a->tmp, strerror(errno));
			return SKILL_ERR_IO;
		}
		p += n;
		len -= (size_t)n;
		a->written += (uint64_t)n;
		call->artifact_bytes += (uint64_t)n;
	}
	start_writeback(a, 0);
	return SKILL_OK;
}

static void release(struct skill_call *c, struct call_artifact *a)
{
	unlink_handle(c, a);
	if (a->fd >= 0)
		close(a->fd);
	if (!a->is_input && a->tmp[0])
		unlink(a->tmp);
	free(a);
}

/* file:// URI with every byte outside the unreserved set escaped. */
static void file_uri(const char *path, char *out, size_t cap)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t j = (size_t)snprintf(out, cap, "file://");

	for (const unsigned char *p = (const unsigned char *)path;
	     *p && j + 4 < cap; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p)) {
			out[j++] = (char)*p;
		} else {
			out[j++] = '%';
			out[j++] = hexd[*p >> 4];
			out[j++] = hexd[*p & 15];
		}
	}
	out[j] = '\0';
}

/* Sync a's data, rename it into place, sync the folder: 0, or -1 with
 * a->commit_errno and a->commit_step saying what failed (a->fd is closed
 * either way; a->tmp is cleared once the rename is done). */
static int finish_commit(struct call_artifact *a)
{
	struct sh_error err;
	int bad;

	PHASE_MARK("artifact: commit");
	bad = fsync(a->fd) != 0;
	a->commit_errno = bad ? errno : 0;
	if (close(a->fd) != 0 && !bad) {
		bad = 1;
		a->commit_errno = errno;
	}
	a->fd = -1;
	if (bad) {
		a->commit_step = "write its data to disk";
		return -1;
	}
	if (rename(a->tmp, a->final) != 0) {
		a->commit_errno = errno;
		a->commit_step = "move it into place";
		return -1;
	}
	a->tmp[0] = '\0'; /* renamed: no partial file to clean up */
	if (fs_sync_dir(a->dir, &err) != SH_OK) {
		/* Renamed but maybe not durable: removed, as it was when
		 * this failed before the rename. */
		a->commit_errno = errno ? errno : EIO;
		a->commit_step = "sync the artifacts folder";
		(void)unlink(a->final);
		return -1;
	}
	PHASE_MARK("artifact: synced, renamed, dir synced");
	return 0;
}

static void *committer_main(void *arg)
{
	(void)finish_commit(arg);
	return NULL;
}

/* The result's link to a and the info for the skill, once a is committed
 * (or while its commit finishes on another thread). */
static skill_status announce(skill_call_t *call, struct call_artifact *a,
                             skill_artifact_info_t *info);

/* A commit that could not be finished, for the skill: logged, and a is
 * gone. */
static skill_status commit_failed(skill_call_t *call, struct call_artifact *a)
{
	hostlog(SKILL_LOG_ERROR, "cannot finish artifact %s: could not %s: %s",
	        a->final, a->commit_step, strerror(a->commit_errno));
	release(call, a);
	return SKILL_ERR_IO;
}

static skill_status art_commit(skill_call_t *call, skill_artifact_t *h,
                               skill_artifact_info_t *info)
{
	struct call_artifact *a = (struct call_artifact *)h;
	skill_status st;

	if (!owned(call, a, 0))
		return SKILL_ERR_ARGS;
	if (a->failed) {
		release(call, a);
		return SKILL_ERR_NOMEM;
	}
	a->dir = services(call)->artifacts_dir;
	if (finish_commit(a))
		return commit_failed(call, a);
	st = announce(call, a, info);
	release(call, a);
	return st;
}

skill_status artifacts_commit_early(skill_call_t *call, skill_artifact_t *h,
                                    skill_artifact_info_t *info)
{
	struct call_artifact *a = (struct call_artifact *)h;

	if (!owned(call, a, 0))
		return SKILL_ERR_ARGS;
	if (a->failed || artifacts_settle(call))
		return art_commit(call, h, info);
	a->dir = services(call)->artifacts_dir;
	/* Out of the open list: only artifacts_settle finishes it now. */
	unlink_handle(call, a);
	call->committing = a;
	if (pthread_create(&a->committer, NULL, committer_main, a)) {
		skill_status st;
		/* No thread: finished here, as art_commit would. */
		call->committing = NULL;
		if (finish_commit(a))
			return commit_failed(call, a);
		st = announce(call, a, info);
		release(call, a);
		return st;
	}
	return announce(call, a, info);
}

int artifacts_settle(struct skill_call *c)
{
	struct call_artifact *a = c->committing;
	char msg[PATH_MAX + 512];

	if (!a)
		return 0;
	c->committing = NULL;
	pthread_join(a->committer, NULL);
	if (!a->commit_errno) {
		release(c, a);
		return 0;
	}
	snprintf(msg, sizeof msg,
	         "%s failed: its artifact %s could not be saved: the host "
	         "could not %s (%s), and kept nothing of it. Make room in "
	         "the artifacts folder or repair it, then call the tool again",
	         c->tool_name ? c->tool_name : c->skill_name,
	         strchr(a->id, '-') + 1, a->commit_step,
	         strerror(a->commit_errno));
	(void)commit_failed(c, a);
	call_set_error(c, msg);
	return -1;
}

static skill_status announce(skill_call_t *call, struct call_artifact *a,
                             skill_artifact_info_t *info)
{
	const struct host_services *svc = services(call);
	skill_resource_link_t link = {.struct_size = sizeof link};
	char uri[PATH_MAX * 3];
	skill_status st;

	if (svc->artifact_url_base)
		snprintf(uri, sizeof uri, "%s%s", svc->artifact_url_base,
		         a->id);
	else
		file_uri(a->final, uri, sizeof uri);
	link.uri = uri;
	link.name = strchr(a->id, '-') + 1;
	link.mime_type = a->mime;
	link.size = (int64_t)a->written;
	st = call_result_link(call, &link);
	if (info && info->struct_size >= offsetof(skill_artifact_info_t, size) +
	                                         sizeof(info->size)) {
		/* Fields too small for the value are left empty rather than
		 * holding a truncated, wrong path. */
		if (snprintf(info->id, sizeof info->id, "%s", a->id) >=
		    (int)sizeof info->id)
			info->id[0] = '\0';
		if (snprintf(info->uri, sizeof info->uri, "%s", uri) >=
		    (int)sizeof info->uri)
			info->uri[0] = '\0';
		if (snprintf(info->path, sizeof info->path, "%s", a->final) >=
		    (int)sizeof info->path)
			info->path[0] = '\0';
		info->size = (int64_t)a->written;
	}
	return st;
}

static void art_discard(skill_call_t *call, skill_artifact_t *h)
{
	struct call_artifact *a = (struct call_artifact *)h;

	if (owned(call, a, 0))
		release(call, a);
}

/* 1 when resolved lies inside dir (both absolute, resolved). */
static int inside(const char *resolved, const char *dir)
{
	char real[PATH_MAX];
	size_t n;

	if (!dir || !realpath(dir, real))
		return 0;
	n = strlen(real);
	if (n == 1 && real[0] == '/')
		return 1;
	return !strncmp(resolved, real, n) && resolved[n] == '/';
}

static int allowed(skill_call_t *call, const char *resolved)
{
	const struct host_services *svc = services(call);
	const char *policy;

	if (!svc)
		return 0;
	if (inside(resolved, svc->artifacts_dir))
		return 1;
	for (char **d = svc->input_dirs; d && *d; d++)
		if (inside(resolved, *d))
			return 1;
	policy = config_policy(svc->config, call->skill_name, "input-dir");
	while (policy && *policy) {
		char dir[PATH_MAX];
		const char *colon = strchr(policy, ':');
		size_t n = colon ? (size_t)(colon - policy) : strlen(policy);
		if (n > 0 && n < sizeof dir) {
			memcpy(dir, policy, n);
			dir[n] = '\0';
			if (inside(resolved, dir))
				return 1;
		}
		policy = colon ? colon + 1 : NULL;
	}
	return 0;
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Turn a path, file:// URI or artifact URL into a local path. */
static int input_path(skill_call_t *call, const char *in, char *out, size_t cap)
{
	const struct host_services *svc = services(call);
	size_t base = svc && svc->artifact_url_base
	                      ? strlen(svc->artifact_url_base)
	                      : 0;

	if (base && !strncmp(in, svc->artifact_url_base, base)) {
		struct sh_error err;
		return artifacts_path(svc, in + base, out, cap, &err) == SH_OK;
	}
	if (!strncmp(in, "file://", 7)) {
		size_t j = 0;
		in += 7;
		if (*in != '/')
			return 0; /* file://host/... is not ours */
		for (; *in && j + 1 < cap; in++) {
			if (*in == '%') {
				int hi = unhex(in[1]),
				    lo = hi < 0 ? -1 : unhex(in[2]);
				if (lo < 0)
					return 0;
				out[j++] = (char)(hi * 16 + lo);
				in += 2;
			} else {
				out[j++] = *in;
			}
		}
		out[j] = '\0';
		return !*in && !memchr(out, '\0', j);
	}
	return snprintf(out, cap, "%s", in) < (int)cap;
}

static skill_status art_open_input(skill_call_t *call, const char *path,
                                   skill_input_t **out, int64_t *size)
{
	char local[PATH_MAX], resolved[PATH_MAX];
	struct call_artifact *a;
	struct stat st;
	int fd;

	if (!out || !path)
		return SKILL_ERR_ARGS;
	*out = NULL;
	if (!perms_fs(call->perms, PERMS_FS_INPUTS)) {
		call_log(call, SKILL_LOG_ERROR,
		         "reading input files is denied: the skill's manifest "
		         "does not declare the \"inputs\" filesystem "
		         "permission");
		return SKILL_ERR_DENIED;
	}
	if (!input_path(call, path, local, sizeof local))
		return SKILL_ERR_ARGS;
	if (!realpath(local, resolved)) {
		call_log(call, SKILL_LOG_WARNING,
		         errno == ENOENT ? "input file not found"
		                         : "input file cannot be resolved");
		return errno == ENOENT ? SKILL_ERR_ARGS : SKILL_ERR_IO;
	}
	if (!allowed(call, resolved)) {
		char msg[PATH_MAX + 200];
		snprintf(msg, sizeof msg,
		         "reading %s is not allowed: it is outside the input "
		         "folders; the operator can allow a folder with "
		         "`skillhost config %s input-dir DIR`",
		         resolved,
		         call->skill_name ? call->skill_name : "SKILL");
		call_log(call, SKILL_LOG_WARNING, msg);
		return SKILL_ERR_DENIED;
	}
	fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return SKILL_ERR_IO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return SKILL_ERR_ARGS;
	}
	a = calloc(1, sizeof *a);
	if (!a) {
		close(fd);
		return SKILL_ERR_NOMEM;
	}
	a->fd = fd;
	a->is_input = 1;
	a->next = call->artifacts;
	call->artifacts = a;
	call->release_artifacts = artifacts_release_all;
	if (size)
		*size = (int64_t)st.st_size;
	*out = (skill_input_t *)a;
	return SKILL_OK;
}

static int64_t art_read(skill_call_t *call, skill_input_t *h, void *buf,
                        size_t cap)
{
	struct call_artifact *a = (struct call_artifact *)h;
	ssize_t n;

	if (!owned(call, a, 1) || (!buf && cap))
		return -1;
	do {
		n = read(a->fd, buf, cap);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : (int64_t)n;
}

static void art_close_input(skill_call_t *call, skill_input_t *h)
{
	struct call_artifact *a = (struct call_artifact *)h;

	if (owned(call, a, 1))
		release(call, a);
}

const skill_ext_artifacts_t artifacts_ext = {
        .struct_size = sizeof(skill_ext_artifacts_t),
        .create = art_create,
        .write = art_write,
        .commit = art_commit,
        .discard = art_discard,
        .open_input = art_open_input,
        .read = art_read,
        .close_input = art_close_input,
};

void artifacts_release_all(struct skill_call *c)
{
	(void)artifacts_settle(c);
	while (c->artifacts)
		release(c, c->artifacts);
}

sh_status artifacts_path(const struct host_services *svc, const char *id,
                         char *buf, size_t cap, struct sh_error *e)
{
	if (!svc || !svc->artifacts_dir)
		return sh_error_set(e, SH_ERR_NOTFOUND,
		                    "artifacts are not enabled");
	if (!id || !*id || id[0] == '.' || strchr(id, '/') ||
	    strlen(id) > 64 + ARTIFACT_NAME_MAX)
		return sh_error_set(e, SH_ERR_NOTFOUND, "no such artifact");
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._-", *p)))
			return sh_error_set(e, SH_ERR_NOTFOUND,
			                    "no such artifact");
	return fs_join(buf, cap, svc->artifacts_dir, id, e);
}
