/*
 * download.h - fetching registry files with libcurl from servers the host
 * does not trust.
 *
 * Nothing a server says is believed: a request names the most bytes it
 * will take (the length an index lists, or a cap) and optionally the
 * BLAKE2b-256 the bytes must have, both checked while the bytes stream in,
 * so a server that sends too much is cut off at the cap and a wrong file
 * is refused without a second read. Everything else is about getting the
 * bytes despite bad networks and bad mirrors:
 *
 *   - connect timeout, and a minimum transfer rate held over a window (a
 *     trickling server is dropped);
 *   - a total deadline for the whole fetch, retries and mirrors included:
 *     a floor plus the expected size at a modest rate. The minimum rate
 *     alone would let a server that drips bytes just above it hold an
 *     install for length / rate (hours for a large package); the deadline
 *     cuts it off with SH_ERR_TIMEOUT and a message saying so;
 *   - retries of transient failures (connection errors, timeouts, 429,
 *     5xx) with exponential backoff and jitter, resuming with `Range` from
 *     the bytes already received; a server that ignores the range is read
 *     again from the start;
 *   - several mirror URLs, tried in order: a mirror that answers 404 (or
 *     410, or 403 as object stores do for missing keys), sends too much
 *     or sends the wrong bytes is left for the next one;
 *   - a file sink that keeps a partial download on disk, so a later call
 *     for the same file resumes it (the final hash covers every byte);
 *   - a progress bar on stderr when asked (download_opts_default asks when
 *     stderr is a terminal), nothing otherwise.
 *
 * URLs may be http://, https:// or file:// (a registry on disk); redirects
 * are followed only to http(s). Statuses: SH_ERR_NOTFOUND when every
 * mirror answered "not found"; SH_ERR_TRUST when some mirror sent more
 * than the cap or bytes with the wrong hash and none sent the right ones;
 * SH_ERR_TIMEOUT when the last failure was a timeout; SH_ERR_IO otherwise
 * (the message lists each mirror's failure).
 *
 * [thread-safe]: calls share no state (libcurl is initialised once).
 */
#ifndef SH_DOWNLOAD_H
#define SH_DOWNLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "minisig.h"
#include "status.h"

#define DOWNLOAD_CONNECT_TIMEOUT_S 10
#define DOWNLOAD_LOW_SPEED_LIMIT   1024 /* bytes per second ... */
#define DOWNLOAD_LOW_SPEED_TIME_S  20   /* ... held for this long */
#define DOWNLOAD_RETRIES           3   /* attempts per mirror after the first */
#define DOWNLOAD_BACKOFF_MS        250 /* before the first retry; doubles */
#define DOWNLOAD_BACKOFF_MAX_MS    8000
#define DOWNLOAD_MAX_MIRRORS       16
#define DOWNLOAD_MAX_REDIRECTS     5
/* The deadline of a fetch: this floor, plus the size cap at this rate
 * (a 100 MiB package gets 60 + 400 s). */
#define DOWNLOAD_DEADLINE_FLOOR_S 60
#define DOWNLOAD_DEADLINE_RATE    ((long)256 * 1024) /* bytes per second */

struct download_opts {
	long connect_timeout_s;
	long low_speed_limit; /* bytes/s; 0 turns the check off */
	long low_speed_time_s;
	unsigned retries;
	long backoff_ms;
	long deadline_floor_s; /* 0: DOWNLOAD_DEADLINE_FLOOR_S */
	long deadline_rate;    /* bytes/s; 0: DOWNLOAD_DEADLINE_RATE */
	int progress;          /* draw a progress bar on stderr */
	const char *label;     /* shown beside the bar; may be NULL */
};

/*
 * The defaults above, each overridden by an environment variable when set
 * to a number: SKILLHOST_CONNECT_TIMEOUT, SKILLHOST_LOW_SPEED_LIMIT,
 * SKILLHOST_LOW_SPEED_TIME, SKILLHOST_RETRIES, SKILLHOST_BACKOFF_MS,
 * SKILLHOST_DOWNLOAD_DEADLINE_FLOOR (seconds; tests shrink it) and
 * SKILLHOST_DOWNLOAD_DEADLINE_RATE (bytes/s);
 * progress is on when stderr is a terminal unless SKILLHOST_PROGRESS=0
 * (SKILLHOST_PROGRESS=1 forces it on).
 */
void download_opts_default(struct download_opts *o);

struct download_req {
	const char *const *urls; /* mirrors, tried in order */
	size_t nurls;            /* 1 to DOWNLOAD_MAX_MIRRORS */
	uint64_t max_bytes;      /* more is refused (> 0) */
	int exact;               /* the body must be exactly max_bytes */
	/* The BLAKE2b-256 the whole body must have, or NULL. */
	const uint8_t *blake2b256;
	/* Where the body goes: a file at path (created 0600; an existing
	 * file is resumed, and kept after a failed network transfer so the
	 * next call resumes it; removed after wrong bytes), or, when path is
	 * NULL, memory (download_result.data). */
	const char *path;
	const char *what; /* names the file in messages and the bar */
};

struct download_result {
	char *data; /* memory sink: body + NUL, caller frees */
	size_t len;
	uint64_t bytes;                             /* body length */
	uint8_t digest[MINISIG_DIGEST_BYTES];       /* BLAKE2b-512 */
	uint8_t file_hash[MINISIG_FILE_HASH_BYTES]; /* BLAKE2b-256 */
	size_t mirror;     /* the index of the URL that served it */
	unsigned attempts; /* requests made, over all mirrors */
	uint64_t resumed;  /* bytes reused from earlier transfers */
	double seconds;    /* wall time, retries and backoff included */
};

/*
 * [thread-safe] Fetch r per o (NULL: download_opts_default). On success
 * res describes the body; on failure res holds nothing to free. Either
 * way, release with download_result_free.
 */
sh_status download_fetch(const struct download_req *r,
                         const struct download_opts *o,
                         struct download_result *res, struct sh_error *e);

void download_result_free(struct download_result *res);

#endif /* SH_DOWNLOAD_H */
