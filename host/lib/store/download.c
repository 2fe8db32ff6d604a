/*
 * download.c - fetching from untrusted servers. See download.h.
 *
 * One transfer is a loop over mirrors, and for each mirror a loop of
 * attempts. The bytes accepted so far (the sink and the running hash)
 * survive between attempts on one mirror, which is what makes a retry a
 * resume; they are dropped whenever a server's bytes are proven wrong.
 */
#include "download.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "curlapi.h"
#include "fsutil.h"
#include "hostlog.h"

/* How much of an error page is read before the connection is dropped. */
#define ERROR_BODY_MAX       ((size_t)64 * 1024)
#define PROGRESS_INTERVAL_MS 100
#define PROGRESS_BAR_WIDTH   24
#define WHY_MAX              256
#define PREFIX_CHUNK         ((size_t)256 * 1024)
#define MEM_INITIAL          ((size_t)16 * 1024)

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long env_long(const char *name, long def, long min, long max)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return def;
	return v;
}

void download_opts_default(struct download_opts *o)
{
	const char *p = getenv("SKILLHOST_PROGRESS");

	memset(o, 0, sizeof *o);
	o->connect_timeout_s = env_long("SKILLHOST_CONNECT_TIMEOUT",
	                                DOWNLOAD_CONNECT_TIMEOUT_S, 1, 3600);
	o->low_speed_limit = env_long("SKILLHOST_LOW_SPEED_LIMIT",
	                              DOWNLOAD_LOW_SPEED_LIMIT, 0, 1L << 30);
	o->low_speed_time_s = env_long("SKILLHOST_LOW_SPEED_TIME",
	                               DOWNLOAD_LOW_SPEED_TIME_S, 1, 3600);
	o->retries = (unsigned)env_long("SKILLHOST_RETRIES", DOWNLOAD_RETRIES,
	                                0, 100);
	o->backoff_ms = env_long("SKILLHOST_BACKOFF_MS", DOWNLOAD_BACKOFF_MS, 0,
	                         600000);
	o->deadline_floor_s = env_long("SKILLHOST_DOWNLOAD_DEADLINE_FLOOR",
	                               DOWNLOAD_DEADLINE_FLOOR_S, 1, 86400);
	o->deadline_rate = env_long("SKILLHOST_DOWNLOAD_DEADLINE_RATE",
	                            DOWNLOAD_DEADLINE_RATE, 1, 1L << 30);
	if (p && !strcmp(p, "0"))
		o->progress = 0;
	else if (p && !strcmp(p, "1"))
		o->progress = 1;
	else
		o->progress = isatty(STDERR_FILENO);
}

/* What one attempt came to, and what the mirror loop does next. */
enum outcome {
	O_OK,       /* the server sent a complete body */
	O_DEADLINE, /* the fetch's total deadline passed: give up */
	O_RETRY,    /* transient: retry this mirror, resuming */
	O_RESTART,  /* transient, but the range failed: retry from zero */
	O_NOTFOUND, /* 404/410: the next mirror */
	O_BAD,      /* too many or wrong bytes: the next mirror */
	O_REFUSED,  /* a failure retrying will not fix: the next mirror */
	O_LOCAL     /* our own disk or memory failed: stop */
};

struct xfer {
	struct minisig_hasher h;
	const struct download_req *r;
	const struct download_opts *o;
	CURL *curl;
	uint64_t have;          /* body bytes accepted so far */
	uint64_t attempt_start; /* have when this attempt began */
	int fd;                 /* file sink, or -1 */
	char *buf;              /* memory sink */
	size_t cap;
	long status;
	int status_known;
	int error_body; /* the response is an error page */
	size_t error_bytes;
	int over;        /* the server sent more than allowed */
	int local_errno; /* writing the sink failed */
	int64_t t0_ms, last_draw_ms;
	uint64_t t0_have;
	int drawn;
	int64_t deadline_ms;     /* monotonic: the whole fetch ends by then */
	int64_t deadline_len_ms; /* how long it was given */
};

static sh_status sink_reset(struct xfer *x, struct sh_error *e)
{
	x->have = 0;
	if (x->fd >= 0 &&
	    (ftruncate(x->fd, 0) != 0 || lseek(x->fd, 0, SEEK_SET) != 0))
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot truncate %s",
		                      x->r->path);
	return minisig_hasher_init(&x->h, 1, e);
}

static int sink_write(struct xfer *x, const char *p, size_t len)
{
	if (x->fd >= 0) {
		while (len > 0) {
			ssize_t w = write(x->fd, p, len);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				x->local_errno = errno;
				return 0;
			}
			p += w;
			len -= (size_t)w;
		}
		return 1;
	}
	if (x->have + len + 1 > x->cap) {
		size_t want = x->cap ? x->cap : MEM_INITIAL;
		char *nb;
		while (want < x->have + len + 1)
			want *= 2;
		if (want > x->r->max_bytes + 1)
			want = (size_t)x->r->max_bytes + 1;
		nb = realloc(x->buf, want);
		if (!nb) {
			x->local_errno = ENOMEM;
			return 0;
		}
		x->buf = nb;
		x->cap = want;
	}
	memcpy(x->buf + x->have, p, len);
	return 1;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;

	if (!x->status_known) {
		curlapi()->easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE,
		                        &x->status);
		x->status_known = 1;
		x->error_body = x->status >= 300;
		/* A server that answers a resume with the whole file: start
		 * over from its first byte rather than append it. */
		if (x->status == 200 && x->attempt_start > 0) {
			if (sink_reset(x, NULL) != SH_OK) {
				x->local_errno = errno ? errno : EIO;
				return 0;
			}
			x->attempt_start = 0;
		}
	}
	if (x->error_body) {
		x->error_bytes += len;
		return x->error_bytes > ERROR_BODY_MAX ? 0 : len;
	}
	if (len > x->r->max_bytes - x->have) {
		x->over = 1;
		return 0;
	}
	if (!sink_write(x, p, len))
		return 0;
	minisig_hasher_update(&x->h, p, len);
	x->have += len;
	return len;
}

static void human(uint64_t n, char *buf, size_t cap)
{
	if (n >= 1024ull * 1024 * 1024)
		snprintf(buf, cap, "%.1f GB", (double)n / (1 << 30));
	else if (n >= (size_t)1024 * 1024)
		snprintf(buf, cap, "%.1f MB", (double)n / (1 << 20));
	else if (n >= 1024)
		snprintf(buf, cap, "%.1f KB", (double)n / 1024);
	else
		snprintf(buf, cap, "%" PRIu64 " B", n);
}

static void draw(struct xfer *x, uint64_t total, int final)
{
	char bar[PROGRESS_BAR_WIDTH + 1], got[32], all[32], rate[32];
	int64_t t = now_ms();
	double secs = (double)(t - x->t0_ms) / 1000.0;
	int fill = total ? (int)(x->have * PROGRESS_BAR_WIDTH / total) : 0;
	int pct = total ? (int)(x->have * 100 / total) : 0;

	if (!final && t - x->last_draw_ms < PROGRESS_INTERVAL_MS)
		return;
	x->last_draw_ms = t;
	for (int i = 0; i < PROGRESS_BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[PROGRESS_BAR_WIDTH] = '\0';
	human(x->have, got, sizeof got);
	human(total, all, sizeof all);
	human(secs > 0 ? (uint64_t)((double)(x->have - x->t0_have) / secs) : 0,
	      rate, sizeof rate);
	fprintf(stderr, "\r%-28.28s [%s] %3d%% %s/%s %s/s\033[K",
	        x->o->label ? x->o->label : x->r->what, bar, pct, got,
	        total ? all : "?", rate);
	if (final)
		fputc('\n', stderr);
	x->drawn = 1;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = ud;
	uint64_t total = x->r->exact   ? x->r->max_bytes
	                 : dltotal > 0 ? x->attempt_start + (uint64_t)dltotal
	                               : 0;

	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	draw(x, total, 0);
	return 0;
}

static enum outcome classify_status(long status, int *timeout, char *why,
                                    size_t cap)
{
	if (status == 0 || status == 200 || status == 206)
		return O_OK;
	snprintf(why, cap, "HTTP %ld", status);
	/* Object stores answer 403 for a key that does not exist when
	 * listing is not allowed: for a reader that is "not found". */
	if (status == 404 || status == 410 || status == 403)
		return O_NOTFOUND;
	if (status == 408 || status == 429 || status >= 500) {
		*timeout = status == 408;
		return O_RETRY;
	}
	if (status == 416)
		return O_RESTART;
	return O_REFUSED;
}

static long floor_s(const struct download_opts *o)
{
	return o->deadline_floor_s > 0 ? o->deadline_floor_s
	                               : DOWNLOAD_DEADLINE_FLOOR_S;
}

static long rate_of(const struct download_opts *o)
{
	return o->deadline_rate > 0 ? o->deadline_rate : DOWNLOAD_DEADLINE_RATE;
}

/* How long a fetch of up to max bytes may take, in milliseconds. */
static int64_t deadline_len_ms(const struct download_opts *o, uint64_t max)
{
	uint64_t rate = (uint64_t)rate_of(o);
	uint64_t ms = (uint64_t)floor_s(o) * 1000 + max / rate * 1000 +
	              max % rate * 1000 / rate;

	return ms > INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)ms;
}

static enum outcome attempt(struct xfer *x, const char *url, int *timeout,
                            char *why, size_t cap)
{
	const struct download_opts *o = x->o;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *h = x->curl;
	int64_t left = x->deadline_ms - now_ms();
	CURLcode cc;

	if (left <= 0)
		goto deadline;
	x->attempt_start = x->have;
	x->status = 0;
	x->status_known = 0;
	x->error_body = 0;
	x->error_bytes = 0;
	x->over = 0;
	x->local_errno = 0;
	*timeout = 0;
	curlapi()->easy_reset(h);
	curlapi()->easy_setopt(h, CURLOPT_URL, url);
	curlapi()->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curlapi()->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curlapi()->easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curlapi()->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curlapi()->easy_setopt(h, CURLOPT_MAXREDIRS,
	                       (long)DOWNLOAD_MAX_REDIRECTS);
	curlapi()->easy_setopt(h, CURLOPT_USERAGENT,
	                       "skillhost/" SKILLHOST_VERSION);
	curlapi()->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
	curlapi()->easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)left);
	if (o->low_speed_limit > 0) {
		curlapi()->easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT,
		                       o->low_speed_limit);
		curlapi()->easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
		                       o->low_speed_time_s);
	}
	curlapi()->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curlapi()->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curlapi()->easy_setopt(h, CURLOPT_WRITEDATA, x);
	/* A declared Content-Length over the cap is refused before any byte
	 * arrives; the write callback enforces the cap regardless. Not on a
	 * resume: a server may answer it with the whole file, which is read
	 * again from the start. */
	if (x->have > 0)
		curlapi()->easy_setopt(h, CURLOPT_RESUME_FROM_LARGE,
		                       (curl_off_t)x->have);
	else
		curlapi()->easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
		                       (curl_off_t)x->r->max_bytes);
	if (o->progress) {
		curlapi()->easy_setopt(h, CURLOPT_XFERINFOFUNCTION,
		                       on_progress);
		curlapi()->easy_setopt(h, CURLOPT_XFERINFODATA, x);
		curlapi()->easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	}
	cc = curlapi()->easy_perform(h);
	if (!x->status_known)
		curlapi()->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->over || cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(why, cap,
		         "it sent more than the %" PRIu64 " bytes expected",
		         x->r->max_bytes);
		return O_BAD;
	}
	if (x->local_errno) {
		snprintf(why, cap, "cannot store the download: %s",
		         strerror(x->local_errno));
		return O_LOCAL;
	}
	switch (cc) {
	case CURLE_OK:
	case CURLE_WRITE_ERROR: /* only an over-long error page gets here */
		return classify_status(x->status, timeout, why, cap);
	case CURLE_FILE_COULDNT_READ_FILE:
	case CURLE_REMOTE_FILE_NOT_FOUND:
		snprintf(why, cap, "not found");
		return O_NOTFOUND;
	case CURLE_RANGE_ERROR:
	case CURLE_BAD_DOWNLOAD_RESUME:
		snprintf(why, cap, "cannot resume: %s",
		         errbuf[0] ? errbuf : curlapi()->easy_strerror(cc));
		return O_RESTART;
	case CURLE_OPERATION_TIMEDOUT:
		if (now_ms() >= x->deadline_ms)
			goto deadline;
		*timeout = 1;
		snprintf(why, cap, "timed out (%s)",
		         errbuf[0] ? errbuf : curlapi()->easy_strerror(cc));
		return O_RETRY;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_LOGIN_DENIED:
		snprintf(why, cap, "%s",
		         errbuf[0] ? errbuf : curlapi()->easy_strerror(cc));
		return O_REFUSED;
	default:
		snprintf(why, cap, "%s",
		         errbuf[0] ? errbuf : curlapi()->easy_strerror(cc));
		return O_RETRY;
	}
deadline:
	*timeout = 1;
	snprintf(why, cap,
	         "it did not finish within the download's deadline of %" PRId64
	         " s (%ld s plus 1 s per %ld bytes of the %" PRIu64
	         " expected); %" PRIu64 " bytes had arrived",
	         x->deadline_len_ms / 1000, floor_s(o), rate_of(o),
	         x->r->max_bytes, x->have);
	return O_DEADLINE;
}

static void backoff(const struct download_opts *o, unsigned retry)
{
	long ms = o->backoff_ms;
	struct timespec ts;

	for (unsigned i = 1; i < retry && ms < DOWNLOAD_BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > DOWNLOAD_BACKOFF_MAX_MS)
		ms = DOWNLOAD_BACKOFF_MAX_MS;
	/* Up to a quarter more, so clients that failed together do not
	 * come back together. */
	if (ms > 0)
		ms += (long)randombytes_uniform((uint32_t)(ms / 4 + 1));
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Open the file sink, and take over what an earlier call left there: its
 * bytes are hashed again so the running hash covers the whole file. */
static sh_status open_file_sink(struct xfer *x, struct sh_error *e)
{
	const char *path = x->r->path;
	char *chunk = NULL;
	struct stat st;
	sh_status rc = SH_OK;

	x->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (x->fd < 0)
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot create %s",
		                      path);
	if (fstat(x->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return sh_error_set(e, SH_ERR_IO, "%s is not a regular file",
		                    path);
	if ((uint64_t)st.st_size > x->r->max_bytes)
		return sink_reset(x, e);
	chunk = malloc(PREFIX_CHUNK);
	if (!chunk)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	for (;;) {
		size_t n;

		if ((rc = fs_read_some(x->fd, chunk, PREFIX_CHUNK, &n, path,
		                       e)) ||
		    n == 0)
			break;
		minisig_hasher_update(&x->h, chunk, n);
		x->have += n;
	}
	free(chunk);
	return rc;
}

/* The body is complete as the server sees it: is it what was asked for? */
static enum outcome check_body(struct xfer *x, struct download_result *res,
                               char *why, size_t cap)
{
	const struct download_req *r = x->r;
	char want[2 * MINISIG_FILE_HASH_BYTES + 1];
	char got[2 * MINISIG_FILE_HASH_BYTES + 1];

	if (r->exact && x->have != r->max_bytes) {
		snprintf(why, cap,
		         "it sent %" PRIu64 " bytes, not the %" PRIu64
		         " expected",
		         x->have, r->max_bytes);
		return O_BAD;
	}
	minisig_hasher_final(&x->h, res->digest, res->file_hash);
	if (r->blake2b256 && sodium_memcmp(res->file_hash, r->blake2b256,
	                                   MINISIG_FILE_HASH_BYTES)) {
		sodium_bin2hex(want, sizeof want, r->blake2b256,
		               MINISIG_FILE_HASH_BYTES);
		sodium_bin2hex(got, sizeof got, res->file_hash,
		               MINISIG_FILE_HASH_BYTES);
		snprintf(
		        why, cap,
		        "its bytes have BLAKE2b-256 %.16s..., not the expected "
		        "%.16s...",
		        got, want);
		return O_BAD;
	}
	return O_OK;
}

static void add_why(char *all, size_t cap, size_t mirror, const char *url,
                    const char *why)
{
	size_t used = strlen(all);

	if (used + 1 >= cap)
		return;
	snprintf(all + used, cap - used, "%s%s%s: %s", used ? "; " : "",
	         mirror ? "then " : "", url, why);
}

sh_status download_fetch(const struct download_req *r,
                         const struct download_opts *o,
                         struct download_result *res, struct sh_error *e)
{
	struct download_opts defaults;
	struct xfer x;
	char whys[SH_ERROR_MSG_MAX / 2] = "", why[WHY_MAX];
	int any_bad = 0, all_notfound = 1, last_timeout = 0, done = 0;
	int64_t t_start = now_ms();
	sh_status rc = SH_OK;

	memset(res, 0, sizeof *res);
	memset(&x, 0, sizeof x);
	x.fd = -1;
	if (!r->nurls || r->nurls > DOWNLOAD_MAX_MIRRORS || !r->max_bytes)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "a download needs 1 to %d URLs and a size "
		                    "cap",
		                    DOWNLOAD_MAX_MIRRORS);
	if (!o) {
		download_opts_default(&defaults);
		o = &defaults;
	}
	if (curlapi_load(e) != SH_OK)
		return SH_ERR_FAIL;
	x.r = r;
	x.o = o;
	if ((rc = minisig_hasher_init(&x.h, 1, e)))
		return rc;
	if (r->path && (rc = open_file_sink(&x, e)))
		goto out;
	x.curl = curlapi()->easy_init();
	if (!x.curl) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "libcurl: out of memory");
		goto out;
	}
	x.t0_ms = x.last_draw_ms = now_ms();
	x.t0_have = x.have;
	x.deadline_len_ms = deadline_len_ms(o, r->max_bytes);
	x.deadline_ms = t_start + x.deadline_len_ms;
	for (size_t m = 0; m < r->nurls && !done; m++) {
		const char *url = r->urls[m];
		unsigned retry = 0;
		int restarted = 0, asked = 0;

		for (;;) {
			enum outcome oc;
			int timeout = 0;

			/* A complete earlier download needs no request. */
			if (!asked && r->exact && x.have == r->max_bytes) {
				x.attempt_start = x.have;
				oc = O_OK;
			} else {
				oc = attempt(&x, url, &timeout, why,
				             sizeof why);
				res->attempts++;
			}
			asked = 1;
			if (oc == O_OK) {
				oc = check_body(&x, res, why, sizeof why);
				if (oc == O_OK) {
					/* What came before the last request
					 * was not fetched again. */
					res->resumed = x.attempt_start;
					res->mirror = m;
					done = 1;
					break;
				}
				/* Bytes kept from an earlier transfer may
				 * be the bad ones: fetch this mirror's own
				 * once before blaming it. */
				if (x.attempt_start > 0 && !restarted) {
					restarted = 1;
					if ((rc = sink_reset(&x, e)))
						goto out;
					continue;
				}
			}
			if (oc == O_DEADLINE) {
				/* No retry and no other mirror: the time
				 * the whole download was given is spent. */
				rc = sh_error_set(
				        e, SH_ERR_TIMEOUT,
				        "cannot download %s from %s: %s. The "
				        "server "
				        "is too slow, or sends bytes just fast "
				        "enough not to be dropped. Try again "
				        "later or from another mirror "
				        "(`skillhost registry add NAME URL "
				        "--mirror URL2`); a slow link can be "
				        "given more time with "
				        "SKILLHOST_DOWNLOAD_DEADLINE_FLOOR "
				        "(seconds)",
				        r->what, url, why);
				goto out;
			}
			if (oc != O_NOTFOUND)
				all_notfound = 0;
			if (oc == O_LOCAL) {
				rc = sh_error_set(e, SH_ERR_IO, "%s: %s",
				                  r->what, why);
				goto out;
			}
			if (oc == O_RESTART && (rc = sink_reset(&x, e)))
				goto out;
			if ((oc == O_RETRY || oc == O_RESTART) &&
			    retry < o->retries) {
				backoff(o, ++retry);
				continue;
			}
			last_timeout = timeout;
			if (oc == O_BAD) {
				any_bad = 1;
				if ((rc = sink_reset(&x, e)))
					goto out;
			}
			add_why(whys, sizeof whys, m, url, why);
			if (m + 1 < r->nurls)
				hostlog(SKILL_LOG_WARNING,
				        "%s: %s failed (%s); trying the next "
				        "mirror, %s",
				        r->what, url, why, r->urls[m + 1]);
			break;
		}
	}
	if (x.drawn || (o->progress && done))
		draw(&x, done ? x.have : 0, 1);
	if (!done) {
		rc = any_bad        ? SH_ERR_TRUST
		     : all_notfound ? SH_ERR_NOTFOUND
		     : last_timeout ? SH_ERR_TIMEOUT
		                    : SH_ERR_IO;
		sh_error_set(e, rc, "cannot download %s%s: %s", r->what,
		             any_bad ? " (a server sent the wrong bytes)" : "",
		             whys);
		goto out;
	}
	res->bytes = x.have;
	if (!r->path) {
		if (!x.buf && !(x.buf = malloc(1))) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			goto out;
		}
		x.buf[x.have] = '\0';
		res->data = x.buf;
		res->len = (size_t)x.have;
		x.buf = NULL;
	}
out:
	res->seconds = (double)(now_ms() - t_start) / 1000.0;
	if (x.curl)
		curlapi()->easy_cleanup(x.curl);
	if (x.fd >= 0) {
		close(x.fd);
		/* Nothing worth resuming: leave no empty file behind. */
		if (rc != SH_OK && x.have == 0 && r->path)
			unlink(r->path);
	}
	free(x.buf);
	return rc;
}

void download_result_free(struct download_result *res)
{
	if (!res)
		return;
	free(res->data);
	res->data = NULL;
	res->len = 0;
}
