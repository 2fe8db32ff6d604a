/*
 * exec_isolated.h - run a skill in sandboxed worker processes.
 *
 * The isolated executor keeps a small pool of `skillhost-worker --serve`
 * processes per skill, each sandboxed (sandbox.h) and serving one call at a
 * time over a socketpair (wire.h). A call takes an idle worker (starting
 * one while the pool is below its size, else waiting for one), sends the
 * arguments, and replays what the worker sends back onto the caller's
 * struct skill_call through the same call_* functions the in-process
 * executor's skills use, so results, progress, logs and extensions behave
 * the same. Host extensions are performed here, by the host, with the real
 * call: the worker only forwards the requests.
 *
 * Limits and recovery:
 *   - deadline or cancellation: the worker's cancel flag is raised (the
 *     skill sees is_cancelled()); a worker that has not answered within
 *     ISOLATED_CANCEL_GRACE_MS is killed and the call fails saying so;
 *   - memory: RLIMIT_AS at the policy's cap; a worker that dies at the cap
 *     or returns SKILL_ERR_NOMEM near it fails the call naming the cap;
 *   - crashes (a signal, an unexpected exit, a forbidden system call, a
 *     protocol violation): the call fails with what happened, and the next
 *     call starts a new worker. The k-th crash in a row delays the next
 *     start by base * 2^(k-2) (none after the first); after
 *     ISOLATED_BREAKER_CRASHES crashes in a row the circuit breaker opens:
 *     calls fail at once, saying why, until ISOLATED_BREAKER_COOLDOWN_MS
 *     have passed; then one more crash opens it again, one success closes
 *     it. A host-side kill for a deadline is not a crash.
 *
 * Threads: invoke is [call] and runs on the caller's thread, which drives
 * its worker's socket itself; destroy is [control].
 */
#ifndef SH_EXEC_ISOLATED_H
#define SH_EXEC_ISOLATED_H

#include <stdint.h>
#include <sys/types.h>

#include "executor.h"
#include "hostapi.h"
#include "skilldesc.h"
#include "status.h"

#define ISOLATED_POOL_DEFAULT     4
#define ISOLATED_POOL_MAX         64
#define ISOLATED_MEMORY_DEFAULT   (1024ull * 1024 * 1024)
#define ISOLATED_MEMORY_MIN       (32ull * 1024 * 1024)
#define ISOLATED_START_TIMEOUT_MS 10000
#define ISOLATED_CANCEL_GRACE_MS  100
/* A worker that stops reading its socket mid-call, in a call without a
 * deadline, is given this long before it is treated as hung. */
#define ISOLATED_STALL_MS            10000
#define ISOLATED_SHUTDOWN_MS         2000
#define ISOLATED_BACKOFF_BASE_MS     100
#define ISOLATED_BACKOFF_MAX_MS      5000
#define ISOLATED_BREAKER_CRASHES     5
#define ISOLATED_BREAKER_COOLDOWN_MS 30000
/* Bytes of a worker's stdout and stderr copied to the host log per call
 * (the rest is read and dropped, so a flood never blocks the skill). */
#define ISOLATED_OUTPUT_LOG_MAX ((size_t)16 * 1024)
/* Log and progress messages passed on per call; the rest are dropped. */
#define ISOLATED_NOTES_MAX 100000

struct exec_isolated_opts {
	/* The skill as the catalog knows it; the worker's HELLO must match
	 * (name, version, tool names in order). Borrowed during open. */
	const struct skilldesc *desc;
	const char *lib;        /* the skill's library (verified) */
	const char *bundle_dir; /* its folder; NULL: the library's folder */
	const struct host_services *svc; /* borrowed; outlives the executor */
	uint64_t memory_max;             /* address-space cap; 0: default */
	unsigned pool_max;               /* workers at most; 0: default */
	unsigned threads_max; /* the skill's threads per worker; 0: default */
	const char *worker_path;  /* NULL: probe_worker_path() */
	const char *scratch_root; /* where scratch folders go; NULL: $TMPDIR
	                           * or /tmp */
	/* The host's extension vtables; NULL: svc->ext_lookup. */
	const void *(*ext_lookup)(const char *id);
	/* Recovery timing; 0 keeps the ISOLATED_* default (tests shorten
	 * them). */
	int64_t cancel_grace_ms;
	int64_t backoff_base_ms, backoff_max_ms;
	int64_t breaker_cooldown_ms;
	unsigned breaker_crashes;
};

/*
 * [control] Create the executor and start its first worker, waiting for
 * the skill's init: a skill that cannot start fails here, as it would
 * in-process (SH_ERR_FAIL naming what happened, with the worker's last
 * output).
 */
sh_status exec_isolated_open(const struct exec_isolated_opts *o,
                             struct executor **out, struct sh_error *e);

/* A skill-side extension of an executor of either kind: the skill's own
 * vtable in-process; for an isolated skill, a host-side copy of what its
 * worker reported (skill.config-schema/1), or NULL. */
const void *exec_skill_extension(struct executor *ex, const char *id);

struct exec_isolated_stats {
	unsigned workers; /* alive or starting */
	unsigned idle;
	uint64_t started;  /* every worker ever started */
	uint64_t restarts; /* started to replace one that died */
	uint64_t crashes;
	unsigned crash_streak;
	int breaker_open;
	unsigned sandbox; /* SANDBOX_* the last worker applied */
	pid_t idle_pids[ISOLATED_POOL_MAX];
};

/* [thread-safe] A snapshot, for tests, `doctor` and metrics. 0 when ex is
 * not isolated. */
int exec_isolated_stats(struct executor *ex, struct exec_isolated_stats *out);

/*
 * The environment a worker process gets (NULL-terminated, freed with
 * exec_isolated_env_free): none of the host's variables, which may hold API
 * keys; only PATH, LANG, HOME and TMPDIR (scratch), the log level, the
 * library path, and in sanitizer builds sanitizer options without the leak
 * checker (it needs ptrace, which the sandbox forbids) and with memory_max
 * as the RSS limit. NULL when out of memory.
 */
char **exec_isolated_env(const char *scratch, uint64_t memory_max);
void exec_isolated_env_free(char **env);

/* The settings for glibc's malloc (GLIBC_TUNABLES) that the workers of a
 * short-lived process get: transparent huge pages asked for the heap
 * (glibc 2.35 or later; an older glibc ignores the name), blocks up to 32
 * MiB made on the heap rather than mapped and unmapped one by one, and
 * the heap grown 4 MiB at a time. Where new memory is dear (a hypervisor
 * that keeps the page tables), a whole `skillhost call` of the 100-slide
 * deck took 38 ms with them against 47 ms without (perf stat, 9 runs
 * each); huge pages alone, or the heap settings alone, did not help. The
 * price is memory the heap keeps until the worker exits, so a server's
 * long-lived workers do not get them. */
#define ISOLATED_SHORT_LIVED_TUNABLES                                          \
	"glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:"         \
	"glibc.malloc.top_pad=4194304"

/* [control] Whether the workers started from now on are those of a
 * process that exits when its one command is done (see
 * ISOLATED_SHORT_LIVED_TUNABLES); off until a program turns it on, and
 * ignored in sanitizer builds, whose allocator is their own. */
void exec_isolated_short_lived(int on);

#endif /* SH_EXEC_ISOLATED_H */
