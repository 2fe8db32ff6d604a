/*
 * audit.c - the audit log. See audit.h.
 */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hostlog.h"
#include "monotime.h"
#include "utf8.h"

#define AUDIT_LOCK "audit.lock"
/* A record is at most this long: every string in it is bounded. */
#define RECORD_MAX 4096
#define RETRY_NS   (1000 * 1000000LL)

struct audit {
	char home[PATH_MAX];
	char dir[PATH_MAX];
	char path[PATH_MAX];
	char lock_path[PATH_MAX];
	char *surface;
	uint64_t max_bytes;
	pthread_mutex_t lock; /* below */
	int fd;
	/* While the log cannot be opened, when to try again; read without
	 * the lock so a missing log costs a call nothing. */
	_Atomic int64_t retry_at_ns;
	int warned;
};

sh_status audit_open(const char *home, uint64_t max_bytes,
                     const char *default_surface, struct audit **out,
                     struct sh_error *e)
{
	struct audit *a = calloc(1, sizeof *a);

	*out = NULL;
	if (!a)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (snprintf(a->home, sizeof a->home, "%s", home) >=
	            (int)sizeof a->home ||
	    snprintf(a->dir, sizeof a->dir, "%s/%s", home, AUDIT_DIR) >=
	            (int)sizeof a->dir ||
	    snprintf(a->path, sizeof a->path, "%s/%s", a->dir, AUDIT_FILE) >=
	            (int)sizeof a->path ||
	    snprintf(a->lock_path, sizeof a->lock_path, "%s/%s", a->dir,
	             AUDIT_LOCK) >= (int)sizeof a->lock_path) {
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
	a->max_bytes = max_bytes ? max_bytes : AUDIT_MAX_BYTES_DEFAULT;
	a->fd = -1;
	pthread_mutex_init(&a->lock, NULL);
	*out = a;
	return SH_OK;
}

void audit_close(struct audit *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	pthread_mutex_destroy(&a->lock);
	free(a->surface);
	free(a);
}

const char *audit_path(const struct audit *a)
{
	return a->path;
}

/* Open the log (under a->lock). The home folder must exist: the log never
 * creates a store where there is none. */
static int open_log(struct audit *a)
{
	struct stat st;

	if (stat(a->home, &st) || !S_ISDIR(st.st_mode)) {
		errno = ENOENT;
		return -1;
	}
	if (mkdir(a->dir, 0700) && errno != EEXIST)
		return -1;
	a->fd = open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	return a->fd < 0 ? -1 : 0;
}

/* Rotate when this record would take the file past its cap. Another
 * process may have rotated already: then only reopen. Under a->lock. */
static void rotate(struct audit *a, size_t incoming)
{
	struct stat mine, cur;
	int lock;

	if (fstat(a->fd, &mine) ||
	    (uint64_t)mine.st_size + incoming <= a->max_bytes)
		return;
	lock = open(a->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0)
		return;
	while (flock(lock, LOCK_EX) && errno == EINTR)
		;
	if (stat(a->path, &cur) == 0 && cur.st_ino == mine.st_ino &&
	    cur.st_dev == mine.st_dev) {
		char from[PATH_MAX + 16], to[PATH_MAX + 16];
		for (int i = AUDIT_KEEP - 1; i >= 1; i--) {
			snprintf(from, sizeof from, "%s.%d", a->path, i);
			snprintf(to, sizeof to, "%s.%d", a->path, i + 1);
			/* The older logs need not all exist yet. */
			(void)rename(from, to);
		}
		snprintf(to, sizeof to, "%s.1", a->path);
		if (rename(a->path, to) != 0)
			hostlog(SKILL_LOG_WARNING,
			        "audit: cannot rotate %s: %s; it keeps growing",
			        a->path, strerror(errno));
	}
	close(a->fd);
	a->fd = -1;
	open_log(a);
	flock(lock, LOCK_UN);
	close(lock);
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

static size_t format(const struct audit *a, const struct audit_record *r,
                     char *buf, size_t cap)
{
	const struct audit_caller *c = r->caller;
	struct timespec now;
	struct tm tm;
	char ts[40];
	size_t len = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	(void)strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	put_raw(buf, cap, &len,
	        "{\"ts\":\"%s.%03ldZ\",\"caller\":{\"surface\":", ts,
	        now.tv_nsec / 1000000);
	put_string(buf, cap, &len,
	           clean(c && c->surface ? c->surface : a->surface),
	           AUDIT_NAME_MAX);
	if (c && c->session) {
		put_raw(buf, cap, &len, ",\"session\":");
		put_string(buf, cap, &len, clean(c->session), AUDIT_NAME_MAX);
	}
	if (c && c->client) {
		put_raw(buf, cap, &len, ",\"client\":");
		put_string(buf, cap, &len, clean(c->client), AUDIT_NAME_MAX);
	}
	put_raw(buf, cap, &len, "},\"skill\":");
	put_string(buf, cap, &len, clean(r->skill), 256);
	put_raw(buf, cap, &len, ",\"tool\":");
	put_string(buf, cap, &len, clean(r->tool), 512);
	put_raw(buf, cap, &len, ",\"isolation\":");
	put_string(buf, cap, &len, clean(r->isolation), 32);
	put_raw(buf, cap, &len, ",\"status\":");
	put_string(buf, cap, &len, clean(r->status), 32);
	if (r->detail) {
		put_raw(buf, cap, &len, ",\"detail\":");
		put_string(buf, cap, &len, clean(r->detail), 128);
	}
	put_raw(buf, cap, &len,
	        ",\"duration_ms\":%.3f,\"bytes_in\":%llu,\"bytes_out\":%llu}\n",
	        (double)r->duration_ns / 1e6, (unsigned long long)r->bytes_in,
	        (unsigned long long)r->bytes_out);
	return len;
}

sh_status audit_write(struct audit *a, const struct audit_record *r,
                      struct sh_error *e)
{
	char buf[RECORD_MAX];
	size_t len;
	sh_status rc = SH_OK;

	if (!a)
		return SH_OK;
	if (sh_now_ns() <
	    atomic_load_explicit(&a->retry_at_ns, memory_order_relaxed))
		return sh_error_set(e, SH_ERR_IO,
		                    "the audit log %s is not open", a->path);
	len = format(a, r, buf, sizeof buf);
	if (len == 0 || buf[len - 1] != '\n')
		return sh_error_set(e, SH_ERR_FAIL, "an audit record was cut");
	pthread_mutex_lock(&a->lock);
	if (a->fd < 0 && open_log(a)) {
		atomic_store(&a->retry_at_ns, sh_now_ns() + RETRY_NS);
		rc = sh_error_errno(e, SH_ERR_IO, errno ? errno : ENOENT,
		                    "cannot open the audit log %s", a->path);
		goto out;
	}
	rotate(a, len);
	if (a->fd < 0 || write(a->fd, buf, len) != (ssize_t)len) {
		rc = sh_error_errno(e, SH_ERR_IO, errno,
		                    "cannot write the audit log %s", a->path);
		if (!a->warned) {
			a->warned = 1;
			hostlog(SKILL_LOG_WARNING, "%s", e ? e->msg : a->path);
		}
	}
out:
	pthread_mutex_unlock(&a->lock);
	return rc;
}
