/*
 * mcp_pool.h - the threads that run MCP calls, woken sparingly.
 *
 * A call is queued and run by one of up to `max` threads. Waking a
 * sleeping thread costs a context switch (on a loaded 2-CPU VM, more CPU
 * than a no-op call), and every thread running at once competes for the
 * CPUs and for the locks calls share (the audit log, the worker pool). A
 * pool that woke a thread per call spent more on that than on the calls.
 * So this one keeps about `target` threads (MCP_POOL_TARGET_PER_CPU per
 * CPU) running:
 *   - a new call wakes a thread only while fewer than `target` run;
 *     otherwise it waits in the queue for a running thread, which takes
 *     the next call without sleeping when its own ends;
 *   - a call that runs long must not hold the queue up: when calls are
 *     queued and none has been taken for MCP_POOL_STUCK_NS, the running
 *     ones block (on a worker, a client, the network) rather than work,
 *     and stop counting as running, and a thread is woken for each
 *     queued call (up to 16 a look; those past `target` go back to sleep
 *     after that call). A watchdog thread looks every MCP_POOL_TICK_NS while
 * calls are queued, so a queued call waits at most about MCP_POOL_STUCK_NS +
 *     MCP_POOL_TICK_NS behind calls that block, whatever they do. A busy
 *     machine that only slows the running calls down adds no threads:
 *     calls still finish and the next ones are taken;
 *   - the most recently idle thread is woken first (its stack and data
 *     are still in the cache);
 *   - a thread the watchdog woke gives back its stack's pages when it goes
 *     back to sleep, so that the pool's memory does not grow by a deep
 *     stack per thread as, over hours, each gets its turn.
 *
 * Threads: every function is [thread-safe]; run is called on the pool's
 * threads, one job per call, never under the pool's lock.
 */
#ifndef SH_MCP_POOL_H
#define SH_MCP_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Threads running at once per online CPU, by default. A call thread that
 * runs an isolated call sleeps while its worker runs, and each hand-off
 * takes a wake-up: with one thread per CPU, CPUs idled while 32 calls
 * waited in the queue (a quarter of a 2-vCPU VM). Two per CPU keep them
 * busy, and cost in-process calls nothing, since call threads yield to
 * the I/O threads (schedclass.h). Measured there, isolated echo at 32
 * connections: 21k -> 25k calls/s; in-process unchanged. Three per CPU
 * or more gained nothing further and cost context switches. */
#define MCP_POOL_TARGET_PER_CPU 2

/* No call taken from the queue for this long: the running ones block. */
#define MCP_POOL_STUCK_NS 5000000
/* How often the watchdog looks while calls are queued. */
#define MCP_POOL_TICK_NS 2000000

/* Embed one in each job; the pool links jobs through it. */
struct mcp_pool_job {
	struct mcp_pool_job *next;
};

typedef void (*mcp_pool_run_fn)(struct mcp_pool_job *j, void *ud);

enum mcp_pool_submit {
	MCP_POOL_OK,
	MCP_POOL_FULL,  /* max_queued jobs are already waiting */
	MCP_POOL_CLOSED /* mcp_pool_close or mcp_pool_stop was called */
};

struct mcp_pool;

/* [control] Start max threads (at least 1) that run queued jobs with
 * run(job, ud), about target of them at once (0: MCP_POOL_TARGET_PER_CPU
 * per online CPU; at most max), and refuse jobs past max_queued waiting. */
sh_status mcp_pool_new(unsigned max, unsigned target, size_t max_queued,
                       mcp_pool_run_fn run, void *ud, struct mcp_pool **out,
                       struct sh_error *e);

/* Queue j (not yet run; the pool does not own it, run does). On anything
 * but MCP_POOL_OK, j was not queued. */
enum mcp_pool_submit mcp_pool_submit(struct mcp_pool *p,
                                     struct mcp_pool_job *j);

/* Jobs queued or running. */
size_t mcp_pool_active(struct mcp_pool *p);

/* How many times a thread the watchdog woke gave back the stack pages its
 * call touched, on going back to sleep. */
size_t mcp_pool_stacks_released(struct mcp_pool *p);

/* Refuse new jobs (MCP_POOL_CLOSED); queued ones still run. */
void mcp_pool_close(struct mcp_pool *p);

/* Wait until no job is queued or running, or ms pass; 1 when idle. */
int mcp_pool_wait_idle(struct mcp_pool *p, int64_t ms);

/* [control] Refuse new jobs, call each(job, ud) on every job still queued
 * (under the pool's lock: it must only mark the job, which the threads
 * then run at once), let the threads run what is queued, and free the
 * pool. NULL is allowed. */
void mcp_pool_stop(struct mcp_pool *p,
                   void (*each)(struct mcp_pool_job *j, void *ud), void *ud);

#endif /* SH_MCP_POOL_H */
