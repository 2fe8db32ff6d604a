/*
 * test_mcp_pool.c - the MCP call pool (mcp_pool.c): every queued job runs
 * exactly once; with fewer threads running than jobs that block, a job
 * queued behind them still runs (the watchdog wakes another thread) while
 * they are blocked, and the threads woken for it give their stack pages
 * back when they sleep again; a full queue and a closed pool refuse; stopping
 * marks what is still queued and runs it; waiting for idle sees the end.
 * Nothing here depends on how fast the machine is: blocked jobs are held
 * until the test releases them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "mcp_pool.h"

struct job {
	struct mcp_pool_job pj; /* first: the pool hands this back */
	int block;              /* wait for the gate to open */
	atomic_int marked;      /* set by mcp_pool_stop's each */
	atomic_int ran;
	atomic_int done;
};

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	int open;
	int blocked; /* jobs waiting at the gate */
	int fast_done;
};

static struct gate gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                           0, 0, 0};

static void run(struct mcp_pool_job *pj, void *ud)
{
	struct job *j = (struct job *)pj;

	(void)ud;
	atomic_fetch_add(&j->ran, 1);
	pthread_mutex_lock(&gate.lock);
	if (j->block) {
		gate.blocked++;
		pthread_cond_broadcast(&gate.cv);
		while (!gate.open)
			pthread_cond_wait(&gate.cv, &gate.lock);
	} else {
		gate.fast_done++;
		pthread_cond_broadcast(&gate.cv);
	}
	pthread_mutex_unlock(&gate.lock);
	atomic_store(&j->done, 1);
}

static void reset_gate(void)
{
	gate.open = 0;
	gate.blocked = 0;
	gate.fast_done = 0;
}

static void test_every_job_runs_once(void **state)
{
	struct mcp_pool *p;
	struct sh_error e;
	struct job jobs[200];

	(void)state;
	reset_gate();
	memset(jobs, 0, sizeof jobs);
	assert_int_equal(mcp_pool_new(8, 2, 1000, run, NULL, &p, &e), SH_OK);
	for (int i = 0; i < 200; i++)
		assert_int_equal(mcp_pool_submit(p, &jobs[i].pj), MCP_POOL_OK);
	assert_true(mcp_pool_wait_idle(p, 60000));
	assert_int_equal(mcp_pool_active(p), 0);
	for (int i = 0; i < 200; i++)
		assert_int_equal(atomic_load(&jobs[i].ran), 1);
	mcp_pool_stop(p, NULL, NULL);
}

/* One thread may run at once, and more jobs than that block: the quick job
 * queued behind them must still finish while they are all blocked. */
static void test_blocked_jobs_do_not_hold_the_queue(void **state)
{
	struct mcp_pool *p;
	struct sh_error e;
	struct job slow[3], fast;

	(void)state;
	reset_gate();
	memset(slow, 0, sizeof slow);
	memset(&fast, 0, sizeof fast);
	assert_int_equal(mcp_pool_new(8, 1, 100, run, NULL, &p, &e), SH_OK);
	for (int i = 0; i < 3; i++) {
		slow[i].block = 1;
		assert_int_equal(mcp_pool_submit(p, &slow[i].pj), MCP_POOL_OK);
	}
	/* All three block at once: the first by itself, the others only
	 * once the watchdog has found the queue stalled. */
	pthread_mutex_lock(&gate.lock);
	while (gate.blocked < 3)
		pthread_cond_wait(&gate.cv, &gate.lock);
	pthread_mutex_unlock(&gate.lock);
	assert_int_equal(mcp_pool_submit(p, &fast.pj), MCP_POOL_OK);
	pthread_mutex_lock(&gate.lock);
	while (!gate.fast_done)
		pthread_cond_wait(&gate.cv, &gate.lock);
	/* The quick job finished before any blocked one could. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(atomic_load(&slow[i].done), 0);
	gate.open = 1;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.lock);
	assert_true(mcp_pool_wait_idle(p, 60000));
	for (int i = 0; i < 3; i++)
		assert_int_equal(atomic_load(&slow[i].done), 1);
	/* The two threads the watchdog woke for the blocked jobs (and the
	 * quick one's, when the watchdog woke it) give their stack pages
	 * back as they go back to sleep, just after the pool went idle; the
	 * wait is bounded, not timed. */
	for (int i = 0; i < 6000 && mcp_pool_stacks_released(p) < 2; i++) {
		struct timespec ts = {0, 10000000L};
		nanosleep(&ts, NULL);
	}
	assert_true(mcp_pool_stacks_released(p) >= 2);
	mcp_pool_stop(p, NULL, NULL);
}

static void mark(struct mcp_pool_job *pj, void *ud)
{
	(void)ud;
	atomic_store(&((struct job *)pj)->marked, 1);
}

static void *open_when_marked(void *arg)
{
	struct job *j = arg;
	struct timespec ms = {0, 1000000};

	while (!atomic_load(&j->marked))
		nanosleep(&ms, NULL);
	pthread_mutex_lock(&gate.lock);
	gate.open = 1;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.lock);
	return NULL;
}

/* The only thread blocks; more jobs than the queue holds are refused as
 * full, and once closed as closed; stopping marks the queued ones and
 * runs them. */
static void test_full_closed_and_stop(void **state)
{
	struct mcp_pool *p;
	struct sh_error e;
	struct job blocker, queued[2], extra;

	(void)state;
	reset_gate();
	memset(&blocker, 0, sizeof blocker);
	memset(queued, 0, sizeof queued);
	memset(&extra, 0, sizeof extra);
	blocker.block = 1;
	assert_int_equal(mcp_pool_new(1, 1, 2, run, NULL, &p, &e), SH_OK);
	assert_int_equal(mcp_pool_submit(p, &blocker.pj), MCP_POOL_OK);
	pthread_mutex_lock(&gate.lock);
	while (gate.blocked < 1)
		pthread_cond_wait(&gate.cv, &gate.lock);
	pthread_mutex_unlock(&gate.lock);
	for (int i = 0; i < 2; i++)
		assert_int_equal(mcp_pool_submit(p, &queued[i].pj),
		                 MCP_POOL_OK);
	assert_int_equal(mcp_pool_submit(p, &extra.pj), MCP_POOL_FULL);
	assert_int_equal(mcp_pool_active(p), 3);
	assert_false(mcp_pool_wait_idle(p, 10));
	mcp_pool_close(p);
	assert_int_equal(mcp_pool_submit(p, &extra.pj), MCP_POOL_CLOSED);
	/* Stop marks the queue, then waits for its thread, which the
	 * blocker holds: let the blocker go once the marks are there. */
	{
		pthread_t opener;
		assert_int_equal(pthread_create(&opener, NULL, open_when_marked,
		                                &queued[1]),
		                 0);
		mcp_pool_stop(p, mark, NULL);
		pthread_join(opener, NULL);
	}
	assert_int_equal(atomic_load(&blocker.ran), 1);
	assert_int_equal(atomic_load(&extra.ran), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(atomic_load(&queued[i].marked), 1);
		assert_int_equal(atomic_load(&queued[i].ran), 1);
	}
	assert_int_equal(atomic_load(&blocker.marked), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_job_runs_once),
	        cmocka_unit_test(test_blocked_jobs_do_not_hold_the_queue),
	        cmocka_unit_test(test_full_closed_and_stop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
