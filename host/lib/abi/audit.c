/*
 * audit.c - the audit log. See audit.h.
 */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "auditchain.h"
#include "hostlog.h"
#include "minisig.h"
#include "monotime.h"
#include "phasetime.h"
#include "schedclass.h"
#include "utf8.h"

#define AUDIT_LOCK "audit.lock"
#define AUDIT_WANT "audit.want"
/* A record is at most this long: every string in it is bounded. */
#define RECORD_MAX 4096
#define RETRY_NS   (1000 * 1000000LL)

struct audit {
	/* BLAKE2b-512 of the first file_h_end bytes of fd's file, as this
	 * process wrote them from an empty file: what the seal signs, ready
	 * when the file is rotated, so a rotation does not read 16 MiB back
	 * under the locks while every call waits. Of no use (and the file is
	 * read back) once anyone else appended. Needs 64-byte alignment:
	 * struct audit is allocated so. */
	crypto_generichash_state file_h;
	uint64_t file_h_end;
	int file_h_ok;
	/* logs/audit.want: shared-flocked by a process while it waits for
	 * lock_fd's flock, so the holder can see it; -1 when it cannot be
	 * opened (then only AUDIT_HOLD_MAX_NS bounds a burst). */
	int want_fd;
	char home[PATH_MAX];
	char dir[PATH_MAX];
	char path[PATH_MAX];
	char lock_path[PATH_MAX];
	char want_path[PATH_MAX];
	char *surface;
	uint64_t max_bytes;
	pthread_mutex_t lock; /* the fields below */
	/* The flock was taken afresh, or the handle closes: for the thread
	 * that ends bursts (releaser_main). */
	pthread_cond_t held_cv;
	pthread_t releaser;
	int releaser_started;
	int stopping;
	int fd;
	int lock_fd; /* logs/audit.lock, flocked around each append */
	/* The file open at fd, as open_log found it. */
	dev_t fd_dev;
	ino_t fd_ino;
	off_t fd_size;
	/* This process has held the flock without a break since its last
	 * append, which ended at last_end in fd's file: nobody else can have
	 * appended or rotated since, so the file need not be looked at.
	 * Ended by releaser_main (see audit.h). */
	int held;
	unsigned burst;      /* records appended under this hold */
	int64_t burst_t0;    /* when the hold began */
	int64_t look_at;     /* when releaser_main looks next */
	unsigned look_burst; /* burst at its last look: idle if unchanged */
	int have_last;       /* last below is known */
	/* The chain hash of the file's last line as this process last wrote
	 * it, valid while the file is still (ino, end): another process's
	 * append or a rotation changes that, and the tail is read again. */
	uint8_t last[AUDITCHAIN_HASH_BYTES];
	dev_t last_dev;
	ino_t last_ino;
	off_t last_end;
	struct audit_stats stats;
	/* While the log cannot be opened, when to try again; read without
	 * the lock so a missing log costs a call nothing. */
	_Atomic int64_t retry_at_ns;
	int warned;
};

sh_status audit_open(const char *home, uint64_t max_bytes,
                     const char *default_surface, struct audit **out,
                     struct sh_error *e)
{
	struct audit *a = NULL;

	*out = NULL;
	if (posix_memalign((void **)&a, 64, sizeof *a))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	memset(a, 0, sizeof *a);
	if (snprintf(a->home, sizeof a->home, "%s", home) >=
	            (int)sizeof a->home ||
	    snprintf(a->dir, sizeof a->dir, "%s/%s", home, AUDIT_DIR) >=
	            (int)sizeof a->dir ||
	    snprintf(a->path, sizeof a->path, "%s/%s", a->dir, AUDIT_FILE) >=
	            (int)sizeof a->path ||
	    snprintf(a->lock_path, sizeof a->lock_path, "%s/%s", a->dir,
	             AUDIT_LOCK) >= (int)sizeof a->lock_path ||
	    snprintf(a->want_path, sizeof a->want_path, "%s/%s", a->dir,
	             AUDIT_WANT) >= (int)sizeof a->want_path) {
		free(a);
		return sh_error_set(
		        e, SH_ERR_NOMEM,
		        "the audit log's path under %.64s... is too "
		        "long",
		        home);
	}
	a->surface = strdup(default_surface ? default_surface : "api");
	if (!a->surface) {
		free(a);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	if (!max_bytes) {
		/* For operators and tests who need small files (rotation). */
		const char *env = getenv("SKILLHOST_AUDIT_MAX_BYTES");
		char *end;
		unsigned long long v = env ? strtoull(env, &end, 10) : 0;
		if (env && *env && !*end && v >= 1024)
			max_bytes = v;
	}
	a->max_bytes = max_bytes ? max_bytes : AUDIT_MAX_BYTES_DEFAULT;
	a->fd = -1;
	a->lock_fd = -1;
	a->want_fd = -1;
	/* Not PTHREAD_MUTEX_ADAPTIVE_NP: the lock is held across a write(2)
	 * of several microseconds, far longer than its spin, and
	 * bench_audit showed no gain from it, only CPU spent spinning. */
	pthread_mutex_init(&a->lock, NULL);
	sh_cond_init_monotonic(&a->held_cv);
	*out = a;
	return SH_OK;
}

void audit_close(struct audit *a)
{
	if (!a)
		return;
	if (a->releaser_started) {
		pthread_mutex_lock(&a->lock);
		a->stopping = 1;
		pthread_cond_signal(&a->held_cv);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->releaser, NULL);
	}
	if (a->fd >= 0)
		close(a->fd);
	if (a->lock_fd >= 0) {
		if (a->held) /* within a burst's time of the last record */
			flock(a->lock_fd, LOCK_UN);
		close(a->lock_fd);
	}
	if (a->want_fd >= 0)
		close(a->want_fd);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->held_cv);
	free(a->surface);
	free(a);
}

/* Open the log and its lock file (under a->lock), noting which file it
 * is and its size. The home folder must exist: the log never creates a
 * store where there is none. */
static int open_log(struct audit *a)
{
	struct stat st;

	if (stat(a->home, &st) || !S_ISDIR(st.st_mode)) {
		errno = ENOENT;
		return -1;
	}
	if (mkdir(a->dir, 0700) && errno != EEXIST)
		return -1;
	if (a->lock_fd < 0) {
		a->lock_fd =
		        open(a->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (a->lock_fd < 0)
			return -1;
		/* Without it, a waiting process is let in only every
		 * AUDIT_HOLD_MAX_NS. */
		a->want_fd =
		        open(a->want_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	}
	/* Read too: the last line is hashed for the chain. */
	a->fd = open(a->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (a->fd < 0)
		return -1;
	if (fstat(a->fd, &st)) {
		close(a->fd);
		a->fd = -1;
		return -1;
	}
	a->fd_dev = st.st_dev;
	a->fd_ino = st.st_ino;
	a->fd_size = st.st_size;
	/* Only a file this process starts can be hashed as it is written. */
	a->file_h_ok = st.st_size == 0 &&
	               crypto_generichash_init(&a->file_h, NULL, 0,
	                                       MINISIG_DIGEST_BYTES) == 0;
	a->file_h_end = 0;
	return 0;
}

/* The host audit key, made on first use: an unencrypted minisign key at
 * <home>/audit.key (0600, written atomically; of two processes racing to
 * make it one wins and the other loads the winner's) and its public half
 * at <home>/audit.pub. */
static sh_status seal_key(const struct audit *a, struct minisig_seckey **sk,
                          struct sh_error *e)
{
	char key[PATH_MAX + 32], pub[PATH_MAX + 32];
	struct minisig_pubkey pk;
	sh_status rc;

	snprintf(key, sizeof key, "%s/%s", a->home, AUDIT_KEY_FILE);
	snprintf(pub, sizeof pub, "%s/%s", a->home, AUDIT_PUB_FILE);
	rc = minisig_seckey_load(key, NULL, sk, e);
	if (rc != SH_ERR_NOTFOUND)
		return rc;
	if ((rc = minisig_keygen(sk, &pk, e)))
		return rc;
	rc = minisig_seckey_save(key, *sk, 0, e);
	minisig_seckey_free(*sk);
	*sk = NULL;
	if (rc != SH_OK && rc != SH_ERR_USAGE) /* USAGE: another made it */
		return rc;
	if ((rc = minisig_seckey_load(key, NULL, sk, e)))
		return rc;
	minisig_seckey_public(*sk, &pk);
	rc = minisig_pubkey_save(pub, &pk, 1, e);
	if (rc) {
		minisig_seckey_free(*sk);
		*sk = NULL;
	}
	return rc;
}

/* Write path.seal: the host key's signature of the whole file (digest:
 * its BLAKE2b-512 when known, else the file is read), naming its last
 * chain hash. */
static sh_status seal(const struct audit *a, const char *path,
                      const uint8_t *digest,
                      const uint8_t last[AUDITCHAIN_HASH_BYTES],
                      struct sh_error *e)
{
	struct minisig_seckey *sk = NULL;
	struct minisig_signature sig;
	char comment[128], hex[AUDIT_HASH_HEX], out[PATH_MAX + 32];
	sh_status rc;

	if ((rc = seal_key(a, &sk, e)))
		return rc;
	auditchain_hex(last, hex);
	snprintf(comment, sizeof comment, "%s last:%s", AUDIT_SEAL_TAG, hex);
	snprintf(out, sizeof out, "%s%s", path, AUDIT_SEAL_EXT);
	if (digest)
		rc = minisig_sign_digest(sk, digest, comment,
		                         "skillhost audit seal", &sig, e);
	else
		rc = minisig_sign_file(sk, path, comment,
		                       "skillhost audit seal", &sig, e);
	minisig_seckey_free(sk);
	if (rc == SH_OK)
		rc = minisig_save(out, &sig, e);
	return rc;
}

/* The chain hash of the last line of the file open at fd (size bytes), or
 * of the rotated file before it when it is empty, or the genesis value.
 * Under the flock. */
static void tail_hash(const struct audit *a, int fd, off_t size,
                      uint8_t out[AUDITCHAIN_HASH_BYTES])
{
	char prev[PATH_MAX + 16];
	struct sh_error e;
	int pfd;

	if (size > 0) {
		if (auditchain_tail_fd(fd, size, out, &e) == SH_OK)
			return;
		hostlog(SKILL_LOG_WARNING, "audit: %s; the chain restarts",
		        e.msg);
		memset(out, 0, AUDITCHAIN_HASH_BYTES);
		return;
	}
	snprintf(prev, sizeof prev, "%s.1", a->path);
	pfd = open(prev, O_RDONLY | O_CLOEXEC);
	memset(out, 0, AUDITCHAIN_HASH_BYTES);
	if (pfd >= 0) {
		struct stat st;
		if (fstat(pfd, &st) == 0 && st.st_size > 0 &&
		    auditchain_tail_fd(pfd, st.st_size, out, &e) != SH_OK)
			memset(out, 0, AUDITCHAIN_HASH_BYTES);
		close(pfd);
	}
}

/* Close the file and open whatever is at the log's path now. */
static void reopen(struct audit *a)
{
	close(a->fd);
	a->fd = -1;
	a->have_last = 0;
	open_log(a);
}

/* The size of the live file, just after taking the flock: the file at
 * the log's path, reopened first when it is no longer the one open (another
 * process rotated it, or someone removed it: a record appended to the
 * file still open would land after its seal). One stat: while our fd
 * keeps its inode alive no other file can have its number. -1 when no
 * log can be opened. Under a->lock and the flock. */
static off_t live_size(struct audit *a)
{
	struct stat cur;

	if (stat(a->path, &cur) == 0 && cur.st_ino == a->fd_ino &&
	    cur.st_dev == a->fd_dev)
		return cur.st_size;
	reopen(a);
	return a->fd < 0 ? -1 : a->fd_size;
}

/* Rotate the file (size bytes, more than none) because the next record
 * would take it past its cap: seal it, shift the older ones with their
 * seals, reopen. Under a->lock and the flock, the file known to be the
 * live one. Returns a descriptor of the oldest file, which the shift
 * unlinks, or -1: the caller closes it once it has let both locks go.
 * Every call thread waits on those locks, so the rotation does there
 * nothing slow that can be put off or left out (measured on ext4, a 16 MiB
 * log, serve --http at 32 connections: the shift took 20 ms and made the
 * p99 of every call):
 *   - the oldest file's blocks are freed when the descriptor is closed,
 *     not by the unlink, since the descriptor keeps the file alive;
 *   - no rename replaces a file: on ext4 (auto_da_alloc) a rename over
 *     an existing file first writes out the renamed file's data. So the
 *     oldest file and its seal are unlinked first, and the shift moves
 *     each file to a name just made free.
 * A process that dies before closing the descriptor loses nothing: the
 * kernel's close frees the file all the same. */
static int rotate(struct audit *a, off_t size)
{
	char oldest[PATH_MAX + 32], from[PATH_MAX + 32], to[PATH_MAX + 32];
	int drop;
	uint8_t last[AUDITCHAIN_HASH_BYTES], digest[MINISIG_DIGEST_BYTES];
	const uint8_t *known = NULL;
	struct sh_error e;

	a->stats.rotations++;
	snprintf(oldest, sizeof oldest, "%s.%d", a->path, AUDIT_KEEP);
	drop = open(oldest, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (a->have_last && a->last_dev == a->fd_dev &&
	    a->last_ino == a->fd_ino && a->last_end == size)
		memcpy(last, a->last, sizeof last);
	else
		tail_hash(a, a->fd, size, last);
	if (a->file_h_ok && a->file_h_end == (uint64_t)size &&
	    crypto_generichash_final(&a->file_h, digest, sizeof digest) == 0) {
		known = digest;
		a->stats.seals_hashed++;
	}
	a->file_h_ok = 0;
	if (seal(a, a->path, known, last, &e) != SH_OK)
		hostlog(SKILL_LOG_WARNING,
		        "audit: cannot seal %s: %s; `skillhost audit "
		        "verify` will report it",
		        a->path, e.msg);
	(void)unlink(oldest);
	snprintf(to, sizeof to, "%s.%d%s", a->path, AUDIT_KEEP, AUDIT_SEAL_EXT);
	(void)unlink(to);
	for (int i = AUDIT_KEEP - 1; i >= 1; i--) {
		snprintf(from, sizeof from, "%s.%d", a->path, i);
		snprintf(to, sizeof to, "%s.%d", a->path, i + 1);
		/* The older logs need not all exist yet. */
		(void)rename(from, to);
		snprintf(from, sizeof from, "%s.%d%s", a->path, i,
		         AUDIT_SEAL_EXT);
		snprintf(to, sizeof to, "%s.%d%s", a->path, i + 1,
		         AUDIT_SEAL_EXT);
		if (rename(from, to) && errno == ENOENT) {
			/* An unsealed file must not inherit the seal of the
			 * one it replaces. */
			(void)unlink(to);
		}
	}
	/* .1 and its seal moved to .2 just above, or did not exist. */
	snprintf(to, sizeof to, "%s.1", a->path);
	if (rename(a->path, to) != 0)
		hostlog(SKILL_LOG_WARNING,
		        "audit: cannot rotate %s: %s; it keeps growing",
		        a->path, strerror(errno));
	snprintf(from, sizeof from, "%s%s", a->path, AUDIT_SEAL_EXT);
	snprintf(to, sizeof to, "%s.1%s", a->path, AUDIT_SEAL_EXT);
	if (rename(from, to) && errno == ENOENT)
		(void)unlink(to);
	reopen(a);
	return drop;
}

/* Append s as a JSON string (quoted), cut to max bytes, to buf. */
static void put_string(char *buf, size_t cap, size_t *len, const char *s,
                       size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t used = 0;

	if (*len + 2 >= cap)
		return;
	buf[(*len)++] = '"';
	for (const unsigned char *p = (const unsigned char *)s;
	     p && *p && used < max && *len + 8 < cap; p++, used++) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			buf[(*len)++] = '\\';
			buf[(*len)++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			buf[(*len)++] = '\\';
			buf[(*len)++] = 'u';
			buf[(*len)++] = '0';
			buf[(*len)++] = '0';
			buf[(*len)++] = hex[c >> 4];
			buf[(*len)++] = hex[c & 15];
		} else {
			buf[(*len)++] = (char)c;
		}
	}
	buf[(*len)++] = '"';
	buf[*len] = '\0';
}

static void put_raw(char *buf, size_t cap, size_t *len, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void put_raw(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

/* A bounded name, or "" for a malformed one (not UTF-8). */
static const char *clean(const char *s)
{
	return s && sh_utf8_valid(s, strlen(s)) ? s : "";
}

_Static_assert(AUDIT_ARGS_HASH_BYTES == AUDITCHAIN_HASH_BYTES,
               "a record's hashes are one size");

void audit_args_hash(const char *args, size_t len,
                     uint8_t out[AUDIT_ARGS_HASH_BYTES])
{
	crypto_generichash(out, AUDIT_ARGS_HASH_BYTES,
	                   (const unsigned char *)args, args ? len : 0, NULL,
	                   0);
}

static size_t format(const struct audit *a, const struct audit_record *r,
                     char *buf, size_t cap)
{
	const struct audit_caller *c = r->caller;
	/* The second's text, per thread: gmtime_r takes glibc's time zone
	 * lock, which every call thread shared once per record. */
	static _Thread_local char ts[40];
	static _Thread_local time_t ts_sec;
	struct timespec now;
	struct tm tm;
	size_t len = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec != ts_sec || !ts[0]) {
		gmtime_r(&now.tv_sec, &tm);
		(void)strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
		ts_sec = now.tv_sec;
	}
	const char *surface = c && c->surface ? c->surface : a->surface;
	const char *who = !c             ? surface
	                  : c->sub       ? c->sub
	                  : c->client_id ? c->client_id
	                  : c->client    ? c->client
	                  : c->session   ? c->session
	                                 : surface;
	uint8_t h[AUDITCHAIN_HASH_BYTES];
	char hex[AUDIT_HASH_HEX];

	put_raw(buf, cap, &len, "{\"ts\":\"%s.%03ldZ\",\"principal\":", ts,
	        now.tv_nsec / 1000000);
	put_string(buf, cap, &len, clean(who), AUDIT_NAME_MAX);
	put_raw(buf, cap, &len, ",\"caller\":{\"surface\":");
	put_string(buf, cap, &len, clean(surface), AUDIT_NAME_MAX);
	if (c && c->session) {
		put_raw(buf, cap, &len, ",\"session\":");
		put_string(buf, cap, &len, clean(c->session), AUDIT_NAME_MAX);
	}
	if (c && c->client) {
		put_raw(buf, cap, &len, ",\"client\":");
		put_string(buf, cap, &len, clean(c->client), AUDIT_NAME_MAX);
	}
	if (c && c->sub) {
		put_raw(buf, cap, &len, ",\"sub\":");
		put_string(buf, cap, &len, clean(c->sub), AUDIT_NAME_MAX);
	}
	if (c && c->client_id) {
		put_raw(buf, cap, &len, ",\"client_id\":");
		put_string(buf, cap, &len, clean(c->client_id), AUDIT_NAME_MAX);
	}
	put_raw(buf, cap, &len, "},\"profile\":");
	put_string(buf, cap, &len, clean(c ? c->profile : NULL),
	           AUDIT_NAME_MAX);
	put_raw(buf, cap, &len, ",\"skill\":");
	put_string(buf, cap, &len, clean(r->skill), 256);
	put_raw(buf, cap, &len, ",\"version\":");
	put_string(buf, cap, &len, clean(r->version), 64);
	if (r->digest) {
		put_raw(buf, cap, &len, ",\"digest\":");
		put_string(buf, cap, &len, clean(r->digest), 128);
	}
	put_raw(buf, cap, &len, ",\"tool\":");
	put_string(buf, cap, &len, clean(r->tool), 512);
	if (r->args_hash)
		memcpy(h, r->args_hash, sizeof h);
	else
		audit_args_hash(r->args, r->args ? r->args_len : 0, h);
	auditchain_hex(h, hex);
	put_raw(buf, cap, &len, ",\"args_hash\":\"blake2b256:%s\"", hex);
	put_raw(buf, cap, &len, ",\"isolation\":");
	put_string(buf, cap, &len, clean(r->isolation), 32);
	put_raw(buf, cap, &len, ",\"status\":");
	put_string(buf, cap, &len, clean(r->status), 32);
	if (r->detail) {
		put_raw(buf, cap, &len, ",\"detail\":");
		put_string(buf, cap, &len, clean(r->detail), 128);
	}
	/* No closing brace: "prev" is added under the lock. */
	put_raw(buf, cap, &len,
	        ",\"duration_ms\":%.3f,\"bytes_in\":%llu,\"bytes_out\":%llu",
	        (double)r->duration_ns / 1e6, (unsigned long long)r->bytes_in,
	        (unsigned long long)r->bytes_out);
	return len;
}

/* Whether another process waits for the flock: it holds a shared flock of
 * want_fd meanwhile. Under a->lock. */
static int others_wait(struct audit *a)
{
	if (a->want_fd < 0)
		return 0;
	if (flock(a->want_fd, LOCK_EX | LOCK_NB) == 0) {
		flock(a->want_fd, LOCK_UN);
		return 0;
	}
	return errno == EWOULDBLOCK;
}

/* Take the flock afresh (under a->lock); 0, or -1 (errno) when it cannot
 * be had. While it waits, this process says so through want_fd. */
static int take_flock(struct audit *a)
{
	int rc;

	if (flock(a->lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK && errno != EINTR)
		return -1;
	if (a->want_fd >= 0)
		while (flock(a->want_fd, LOCK_SH) && errno == EINTR)
			;
	while ((rc = flock(a->lock_fd, LOCK_EX)) && errno == EINTR)
		;
	if (a->want_fd >= 0)
		flock(a->want_fd, LOCK_UN);
	return rc;
}

/* End the burst: let the flock go. When a process waits for it, keep this
 * process's writers out (a->lock stays held) until the waiter has it, as
 * flock is not fair: the next writer here would take it first. Under
 * a->lock. */
static void let_go(struct audit *a, int waiter)
{
	int64_t until;

	a->held = 0;
	flock(a->lock_fd, LOCK_UN);
	if (!waiter)
		return;
	until = sh_now_ns() + AUDIT_HANDOVER_NS;
	/* The waiter drops its shared flock of want_fd once it holds the
	 * log's; one that cannot say it waits gets a yield. */
	do
		sched_yield();
	while (a->want_fd >= 0 && sh_now_ns() < until && others_wait(a));
}

/* Ends bursts: every AUDIT_BURST_NS while the flock is held it looks, and
 * lets it go when no record was written since the last look (the log is
 * idle: nothing is held for long), when another process waits for it, or
 * after AUDIT_HOLD_MAX_NS. Asleep while nothing is held. */
static void *releaser_main(void *arg)
{
	struct audit *a = arg;

	/* A call thread (SCHED_BATCH) starts it; its looks are on time only
	 * in the default class, which wakes it when its time comes. */
	(void)schedclass_default_self();
	(void)pthread_setname_np(pthread_self(), "skillhost-audit");
	pthread_mutex_lock(&a->lock);
	while (!a->stopping) {
		int64_t now;

		if (!a->held) {
			pthread_cond_wait(&a->held_cv, &a->lock);
			continue;
		}
		now = sh_now_ns();
		if (now < a->look_at) {
			struct timespec ts = sh_timespec(a->look_at);
			pthread_cond_timedwait(&a->held_cv, &a->lock, &ts);
			continue;
		}
		if (a->burst == a->look_burst)
			let_go(a, 0);
		else if (now - a->burst_t0 >= AUDIT_HOLD_MAX_NS ||
		         others_wait(a))
			let_go(a, 1);
		a->look_burst = a->burst;
		a->look_at = now + AUDIT_BURST_NS;
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

sh_status audit_write(struct audit *a, const struct audit_record *r,
                      struct sh_error *e)
{
	/* The body, then ,"prev":"<64 hex>"}\n. */
	char buf[RECORD_MAX + 96];
	crypto_generichash_state hs;
	uint8_t next[AUDITCHAIN_HASH_BYTES];
	char hex[AUDIT_HASH_HEX];
	size_t len, full;
	off_t size;
	sh_status rc = SH_OK;
	int drop = -1;

	if (!a)
		return SH_OK;
	if (sh_now_ns() <
	    atomic_load_explicit(&a->retry_at_ns, memory_order_relaxed))
		return sh_error_set(e, SH_ERR_IO,
		                    "the audit log %s is not open", a->path);
	/* All that does not depend on the previous record is done before
	 * taking the lock: the body and most of the line's chain hash. */
	len = format(a, r, buf, RECORD_MAX);
	if (len == 0 || len >= RECORD_MAX - 1)
		return sh_error_set(e, SH_ERR_FAIL, "an audit record was cut");
	crypto_generichash_init(&hs, NULL, 0, sizeof next);
	crypto_generichash_update(&hs, (const unsigned char *)buf, len);

	pthread_mutex_lock(&a->lock);
	if (a->fd < 0 && open_log(a)) {
		atomic_store(&a->retry_at_ns, sh_now_ns() + RETRY_NS);
		rc = sh_error_errno(e, SH_ERR_IO, errno ? errno : ENOENT,
		                    "cannot open the audit log %s", a->path);
		goto out;
	}
	/* One lock around rotation, reading the previous hash and the
	 * append, across the processes sharing the log. */
	if (a->held) {
		/* Nobody else can have touched the file since our append. */
		size = a->last_end;
	} else {
		int locked = take_flock(a);
		/* Without the lock (it cannot be had: ENOLCK) each record
		 * still looks at the file, as nothing then keeps others out. */
		a->held = locked == 0;
		a->burst = 0;
		a->look_burst = 0;
		a->burst_t0 = sh_now_ns();
		a->look_at = a->burst_t0 + AUDIT_BURST_NS;
		a->stats.locks++;
		/* The thread that ends the burst if no writer does; without
		 * it (it cannot start, or this is the handle's first record:
		 * a one-shot `skillhost call` needs none) each record lets
		 * the flock go. */
		if (a->held && !a->releaser_started && a->stats.records > 0)
			a->releaser_started =
			        pthread_create(&a->releaser, NULL,
			                       releaser_main, a) == 0;
		if (a->held && a->releaser_started)
			pthread_cond_signal(&a->held_cv);
		size = live_size(a);
	}
	if (size > 0 && (uint64_t)size + len + 80 > a->max_bytes) {
		drop = rotate(a, size);
		size = a->fd < 0 ? -1 : a->fd_size;
	}
	if (size < 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno ? errno : ENOENT,
		                    "cannot write the audit log %s", a->path);
		goto unlock;
	}
	if (!a->have_last || a->last_dev != a->fd_dev ||
	    a->last_ino != a->fd_ino || a->last_end != size)
		tail_hash(a, a->fd, size, a->last);
	auditchain_hex(a->last, hex);
	full = len + (size_t)snprintf(buf + len, sizeof buf - len,
	                              ",\"prev\":\"%s\"}\n", hex);
	/* The line's hash, without its newline, for the next record. */
	crypto_generichash_update(&hs, (const unsigned char *)buf + len,
	                          full - 1 - len);
	crypto_generichash_final(&hs, next, sizeof next);
	if (write(a->fd, buf, full) != (ssize_t)full) {
		rc = sh_error_errno(e, SH_ERR_IO, errno,
		                    "cannot write the audit log %s", a->path);
		a->have_last = 0;
		a->file_h_ok = 0;
		goto unlock;
	}
	/* The file's digest for its seal follows along while this process
	 * is the file's only writer. */
	if (a->file_h_ok && a->file_h_end == (uint64_t)size) {
		crypto_generichash_update(&a->file_h, (unsigned char *)buf,
		                          full);
		a->file_h_end += full;
	} else {
		a->file_h_ok = 0;
	}
	memcpy(a->last, next, sizeof next);
	a->last_dev = a->fd_dev;
	a->last_ino = a->fd_ino;
	a->last_end = size + (off_t)full;
	a->have_last = 1;
	a->stats.records++;
	if (++a->burst > a->stats.longest_burst)
		a->stats.longest_burst = a->burst;
unlock:
	/* The burst goes on until releaser_main ends it; after a failure
	 * (the next writer looks at the file afresh) or without that thread
	 * each record lets the flock go. */
	if (rc != SH_OK || !a->held || !a->releaser_started) {
		a->held = 0;
		flock(a->lock_fd, LOCK_UN);
	}
	PHASE_MARK("audit: record written");
	if (rc != SH_OK && !a->warned) {
		a->warned = 1;
		hostlog(SKILL_LOG_WARNING, "%s", e ? e->msg : a->path);
	}
out:
	pthread_mutex_unlock(&a->lock);
	if (drop >= 0)
		close(drop); /* the oldest file's blocks are freed here */
	return rc;
}

void audit_stats(struct audit *a, struct audit_stats *out)
{
	pthread_mutex_lock(&a->lock);
	*out = a->stats;
	pthread_mutex_unlock(&a->lock);
}

const char *audit_path(const struct audit *a)
{
	return a->path;
}
