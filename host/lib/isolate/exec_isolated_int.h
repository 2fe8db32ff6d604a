/*
 * exec_isolated_int.h - private to the isolated executor (exec_isolated.h),
 * shared by its parts:
 *   exec_isolated.c  the executor: its vtable, the pool, a call's course
 *                    and how it ended;
 *   worker_spawn.c   a worker's process: spawning it, its output, its end,
 *                    and start-up up to the skill's init;
 *   session.c        the message loop of one conversation turn (start-up,
 *                    a call, shut-down): frames, handles, waiting;
 *   extproxy.c       host extensions a worker forwards, performed here with
 *                    the real call;
 *   breaker.c        crash accounting: restart backoff and the circuit
 *                    breaker.
 * Nothing here is for other modules; the names carry an iso_ prefix only
 * because the parts link into one library.
 */
#ifndef SH_EXEC_ISOLATED_INT_H
#define SH_EXEC_ISOLATED_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <skill/ext/config.h>
#include <skill/ext/prompts.h>
#include <skill/ext/resources.h>

#include "exec_isolated.h"
#include "hostapi.h"
#include "spin.h"
#include "wire.h"

/* Most handles (artifacts, inputs, HTTP responses) one call may hold. */
#define HANDLES_MAX 4096
/* A worker's last output kept for error messages. */
#define TAIL_MAX        1024
#define LINE_MAX_LOGGED 512
/* Room for an error message about a call or a start. */
#define MSG_MAX 1024

struct metrics_skill;

struct worker {
	struct worker *next; /* in the idle list */
	pid_t pid;
	int fd;     /* our end of the socketpair */
	int out_fd; /* its stdout and stderr, or -1 once closed */
	struct wire_ctl *ctl;
	struct wire_reader rd;
	unsigned sandbox;
	char scratch[PATH_MAX];
	char line[LINE_MAX_LOGGED];
	size_t line_len;
	char tail[TAIL_MAX];
	size_t tail_len;
	size_t logged;     /* output bytes logged in this call */
	int retire;        /* replace it after this call */
	int leaving;       /* SHUTDOWN sent: in the leaving list */
	int rss_limit_hit; /* ASan's memory cap stopped it */
	char first_error[LINE_MAX_LOGGED]; /* the first line of a report */
	/* How long its replies took to come (session.c). */
	struct spin_est spin;
};

/* A caller waiting in take_worker (exec_isolated.c), on its stack. */
struct pool_waiter {
	struct pool_waiter *next;
	pthread_cond_t cv;    /* signalled with iso->lock held */
	struct worker *given; /* handed over, and out of the list */
};

struct isolated {
	struct executor base;
	char *name, *version, *lib, *bundle, *worker, *scratch_root;
	char *tools; /* tool names, each followed by '\n' */
	uint32_t ntools;
	struct hostapi_binding binding; /* for skill.config/1 */
	const struct host_services *svc;
	const void *ext[WIRE_EXT_COUNT];
	char *welcome_ids;
	uint64_t memory_max;
	unsigned threads_max;
	unsigned pool_max;
	int64_t grace_ns, backoff_base_ns, backoff_max_ns, cooldown_ns;
	unsigned breaker_crashes;
	struct metrics_skill *metrics;
	char *config_schema;
	skill_ext_config_schema_t schema_ext;
	/* skill.prompts/1 and skill.resources/1 as the first worker
	 * reported them; static data, like the schema. */
	char *prompts, *resources, *templates;
	int has_prompts, has_resources;
	skill_ext_prompts_t prompts_ext;
	skill_ext_resources_t resources_ext;

	pthread_mutex_t lock; /* everything below */
	/* Callers waiting for a worker, oldest first: a worker given back
	 * goes straight to the oldest (iso_release), so a caller that just
	 * arrived cannot take it from under one woken for it, which left
	 * the woken one to sleep again and made the tail. */
	struct pool_waiter *waiters;
	struct worker *idle; /* only while nobody waits */
	/* Asked to finish after a last call (struct skill_call), not yet
	 * reaped: isolated_destroy waits for them. */
	struct worker *leaving;
	unsigned nworkers;        /* alive or starting */
	unsigned streak;          /* crashes since the last success */
	unsigned unreplaced;      /* workers that died and were not replaced */
	int64_t next_start_ns;    /* backoff: no start before */
	int64_t breaker_until_ns; /* 0: closed */
	char last_crash[96];
	uint64_t started, restarts, crashes;
	unsigned last_sandbox;
	atomic_uint_fast64_t next_call;
};

/* ---- a conversation turn (session.c) ---- */

enum hkind { H_FREE, H_OUT, H_IN, H_HTTP };

struct handle {
	enum hkind kind;
	void *p;
};

enum turn { T_MORE, T_FINISHED, T_BROKEN };

struct session {
	struct isolated *iso;
	struct worker *w;
	struct skill_call *call; /* NULL during start-up */
	uint64_t call_id;        /* 0 during start-up */
	int64_t io_deadline_ns;  /* for writes to the worker */
	int hello, ready;
	unsigned notes;  /* log and progress messages passed on */
	unsigned frames; /* frames handled in this turn */
	struct wire_done done;
	skill_status init_status;
	struct handle *handles;
	size_t nhandles;
	char why[MSG_MAX]; /* what broke the protocol */
};

/* Record why the worker is no longer trusted (in s->why); T_BROKEN. */
enum turn iso_broken(struct session *s, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* A handle number (from 1) for p in s, or 0 when the call holds
 * HANDLES_MAX already or memory ran out. */
uint32_t iso_add_handle(struct session *s, enum hkind kind, void *p);

/* The handle numbered id of kind, or NULL; take also frees the slot. */
void *iso_get_handle(struct session *s, uint32_t id, enum hkind kind, int take);

/* Finish frame b and write it to the worker by s->io_deadline_ns, then
 * free b (wiping it when wipe). 0, or -1 with errno (ETIMEDOUT: the
 * worker did not read). */
int iso_send_frame(struct session *s, struct wire_buf *b, int wipe);

/* iso_send_frame, passing pass_fd with the frame (WIRE_F_FD); the caller
 * keeps pass_fd and closes it. pass_fd < 0 sends none. */
int iso_send_frame_fd(struct session *s, struct wire_buf *b, int wipe,
                      int pass_fd);

/* Whether a frame for call id call belongs to the call s is serving. */
int iso_live(const struct session *s, uint64_t call);

/* Handle every complete frame buffered. */
enum turn iso_handle_frames(struct session *s);

/* Wait up to timeout_ms (-1: forever) for the worker to say or print
 * something. 1: there may be new frames, 0: timed out, -1: the worker's
 * end closed (it died). */
int iso_wait_input(struct session *s, int timeout_ms);

/* Milliseconds until deadline_ns (monotonic), rounded up; 0 when past. */
int iso_ms_until(int64_t deadline_ns);

/* ---- host extensions (extproxy.c) ---- */

/* Perform a forwarded host-extension call (m, a WIRE_EXT_CALL) with the
 * real vtable and the real call, and answer it. */
enum turn iso_serve_ext(struct session *s, const struct wire_msg *m);

/* ---- a worker's process (worker_spawn.c) ---- */

/* Start a worker and wait for its skill's init. The caller has counted
 * it in iso->nworkers; on failure e says why and nothing is left. */
sh_status iso_start_worker(struct isolated *iso, struct worker **out,
                           struct sh_error *e);

/* Move what the worker printed into the host's log (bounded per call),
 * keeping its tail for error messages. Never blocks. */
void iso_drain_output(const struct isolated *iso, struct worker *w);

/* Wait for pid to end; its wait status (0 when it cannot be had). */
int iso_reap(pid_t pid);

/* Stop a worker now, collect its exit status and its last output. */
int iso_kill_worker(const struct isolated *iso, struct worker *w);

/* Free a worker that has exited (after iso_reap), removing its scratch
 * folder and cgroup. NULL is ignored. */
void iso_worker_free(struct worker *w);

/* "SIGSEGV" (or "signal N") into buf; returns buf. */
const char *iso_signame(int sig, char *buf, size_t cap);

/* How a process with wait status status ended, as a phrase: "was killed
 * by SIGKILL (Killed)", "exited with status 3", ... */
void iso_describe_status(int status, char *buf, size_t cap);

/* What the worker printed that explains its end, as ": <text>" for a
 * message (the first line of an error report, else its last output), or
 * "". Returns buf. */
const char *iso_tail_text(struct worker *w, char *buf, size_t cap);

/* ---- crash accounting (breaker.c) ---- */

/* Count a worker that died on its own (what names how). Under iso->lock. */
void iso_crashed(struct isolated *iso, const char *what);

/* Give a worker back after a call (alive) or account for its end: served
 * resets the crash streak (and closes the breaker); crash, when not NULL,
 * counts the end as a crash. Takes iso->lock. */
void iso_release(struct isolated *iso, struct worker *w, int alive, int served,
                 const char *crash);

/* Wake every caller waiting for a worker to look again: a slot came free
 * or the breaker changed, which any of them may act on. Under iso->lock. */
void iso_wake_waiters(struct isolated *iso);

#endif /* SH_EXEC_ISOLATED_INT_H */
