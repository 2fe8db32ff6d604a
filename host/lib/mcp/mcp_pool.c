/*
 * mcp_pool.c - the threads that run MCP calls, woken sparingly. See
 * mcp_pool.h.
 *
 * Counting, all under p->lock: `running` is the threads awake, counted
 * from the moment one is woken (so two calls queued at once do not wake
 * the same idle thread's worth twice) until it goes back to sleep;
 * `stuck` is those of them whose call the watchdog found running for
 * MCP_POOL_STUCK_NS. A call wakes a thread while running - stuck < target.
 * Each thread sleeps on its own condition variable, so a wake-up wakes
 * exactly the thread chosen, and no idle thread wakes only to find the
 * queue empty and contend for the lock.
 */
#include "mcp_pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "monotime.h"
#include "schedclass.h"

/* The watchdog sleeps for good only after the queue has stayed empty this
 * many ticks: under a steady stream of calls the queue empties and fills
 * again all the time, and waking it at each refill would cost what the
 * pool saves. */
#define POOL_IDLE_TICKS 20
/* Left in place below the frame that gives an extra thread's stack back:
 * what the wait for its next wake-up uses. */
#define POOL_STACK_KEEP ((uintptr_t)4 * 1024)

struct pool_thread {
	struct mcp_pool *p;
	pthread_t tid;
	pthread_cond_t cv;
	struct pool_thread *next_idle;
	int woken;          /* handed work or told to stop; under p->lock */
	int counted_stuck;  /* in p->stuck; under p->lock */
	int extra;          /* woken by the watchdog; under p->lock */
	int64_t started_ns; /* the call it runs began; 0: none */
	char *stack;        /* its stack's lowest byte; NULL: unknown */
	size_t stack_size;
};

struct mcp_pool {
	pthread_mutex_t lock;
	pthread_cond_t idle_cv; /* active reached 0 */
	pthread_cond_t wd_cv;   /* for the watchdog */
	struct mcp_pool_job *head, *tail;
	size_t queued, max_queued;
	size_t active; /* queued + running jobs */
	unsigned running, stuck, target;
	int closed, stopping;
	int wd_asleep;        /* waiting without a timeout */
	int64_t last_take_ns; /* a job was last taken from the queue */
	struct pool_thread *idle;
	struct pool_thread *threads;
	unsigned nthreads;
	size_t stacks_released; /* see mcp_pool_stacks_released */
	pthread_t wd;
	int wd_started;
	mcp_pool_run_fn run;
	void *ud;
};

/* Wake the most recently idle thread for the queue, if there is one.
 * Returns it, to be signalled once the lock is dropped. */
static struct pool_thread *take_idle_locked(struct mcp_pool *p)
{
	struct pool_thread *t = p->idle;

	if (!t)
		return NULL;
	p->idle = t->next_idle;
	t->next_idle = NULL;
	t->woken = 1;
	p->running++;
	return t;
}

/* Where this thread's stack is, so that it can give pages back. */
static void note_stack(struct pool_thread *t)
{
	pthread_attr_t a;
	void *addr;
	size_t size;

	if (pthread_getattr_np(pthread_self(), &a))
		return;
	if (!pthread_attr_getstack(&a, &addr, &size)) {
		t->stack = addr;
		t->stack_size = size;
	}
	pthread_attr_destroy(&a);
}

/* Give back the stack pages an extra thread touched below the current
 * frame (and POOL_STACK_KEEP under it): nothing there is live. The
 * watchdog wakes extra threads only while the running calls block, and
 * over hours every thread of the pool gets its turn; without this each
 * kept the deepest stack its call ever reached, and the server's memory
 * grew by tens of KiB a thread until all had been woken once. 1 when
 * pages were given back. */
static __attribute__((noinline)) int release_stack(const struct pool_thread *t)
{
	/* Not inlined, so that this frame lies below all of thread_main's:
	 * what is live there stays above `here`. */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);
	uintptr_t lo = (uintptr_t)t->stack, top;

	if (!t->stack || page == 0 || (page & (page - 1)) || here <= lo ||
	    here - lo >= t->stack_size || here - lo <= POOL_STACK_KEEP)
		return 0;
	top = (here - POOL_STACK_KEEP) & ~(page - 1);
	lo = (lo + page - 1) & ~(page - 1);
	if (top <= lo)
		return 0;
	/* From the stack's own pointer, not a number made one. */
	return madvise(t->stack + (lo - (uintptr_t)t->stack), top - lo,
	               MADV_DONTNEED) == 0;
}

static void *thread_main(void *arg)
{
	struct pool_thread *t = arg;
	struct mcp_pool *p = t->p;
	int fresh = 0; /* just woken for the queue: owed one job */

	note_stack(t);
	/* Woken to work: not before the I/O thread that woke it is done
	 * (schedclass.h). Named for operators' top -H and for the test that
	 * checks the class. */
	(void)schedclass_batch_self();
	(void)pthread_setname_np(pthread_self(), "skillhost-call");
	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct mcp_pool_job *j = p->head;
		/* Past the target (woken while others were blocked, which
		 * have since come back): back to sleep rather than add to
		 * the crowd; the others take the queue. */
		if (j && !fresh && !p->stopping &&
		    p->running - p->stuck > p->target)
			j = NULL;
		fresh = 0;
		if (!j) {
			if (p->stopping)
				break;
			/* An extra thread gives its stack back before it
			 * sleeps (release_stack), outside the lock, then
			 * looks at the queue again. */
			if (t->extra) {
				int released;
				t->extra = 0;
				pthread_mutex_unlock(&p->lock);
				released = release_stack(t);
				pthread_mutex_lock(&p->lock);
				p->stacks_released += (size_t)released;
				continue;
			}
			/* To sleep; whoever wakes us counts us running. */
			p->running--;
			t->woken = 0;
			t->next_idle = p->idle;
			p->idle = t;
			while (!t->woken)
				pthread_cond_wait(&t->cv, &p->lock);
			fresh = 1;
			continue;
		}
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		t->started_ns = sh_now_ns();
		p->last_take_ns = t->started_ns;
		pthread_mutex_unlock(&p->lock);
		p->run(j, p->ud);
		pthread_mutex_lock(&p->lock);
		t->started_ns = 0;
		if (t->counted_stuck) {
			t->counted_stuck = 0;
			p->stuck--;
		}
		if (--p->active == 0)
			pthread_cond_broadcast(&p->idle_cv);
	}
	p->running--;
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void deadline_in(struct timespec *ts, int64_t ns)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ns / 1000000000;
	ts->tv_nsec += ns % 1000000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* While calls are queued, count the threads whose call has run too long
 * as blocked, and wake others for the queue in their place. */
static void *watchdog_main(void *arg)
{
	struct mcp_pool *p = arg;
	unsigned empty_ticks = 0;

	pthread_mutex_lock(&p->lock);
	while (!p->stopping) {
		struct timespec ts;
		struct pool_thread *wake[16];
		unsigned nwake = 0;
		int64_t now;

		if (!p->queued && ++empty_ticks >= POOL_IDLE_TICKS) {
			p->wd_asleep = 1;
			pthread_cond_wait(&p->wd_cv, &p->lock);
			p->wd_asleep = 0;
			empty_ticks = 0;
			continue;
		}
		if (p->queued)
			empty_ticks = 0;
		deadline_in(&ts, MCP_POOL_TICK_NS);
		pthread_cond_timedwait(&p->wd_cv, &p->lock, &ts);
		if (!p->queued)
			continue;
		/* Calls finishing now and then: the threads are working,
		 * if slowly (a busy machine); another one would only add to
		 * the crowd. No call taken from the queue for a while: the
		 * running calls block, each since before the last one was
		 * taken, and the queue needs other threads. */
		now = sh_now_ns();
		if (now - p->last_take_ns < MCP_POOL_STUCK_NS)
			continue;
		for (unsigned i = 0; i < p->nthreads; i++) {
			struct pool_thread *t = &p->threads[i];
			if (t->started_ns && !t->counted_stuck &&
			    now - t->started_ns >= MCP_POOL_STUCK_NS) {
				t->counted_stuck = 1;
				p->stuck++;
			}
		}
		/* A thread per queued call (a burst of calls that block, say
		 * a fetch each, is served at once, as they come); those past
		 * the target go back to sleep after that one call. */
		while (nwake < p->queued &&
		       nwake < sizeof wake / sizeof wake[0] &&
		       (wake[nwake] = take_idle_locked(p)))
			wake[nwake++]->extra = 1;
		pthread_mutex_unlock(&p->lock);
		for (unsigned i = 0; i < nwake; i++)
			pthread_cond_signal(&wake[i]->cv);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

enum mcp_pool_submit mcp_pool_submit(struct mcp_pool *p, struct mcp_pool_job *j)
{
	struct pool_thread *t = NULL;
	int poke_wd = 0;

	pthread_mutex_lock(&p->lock);
	if (p->closed || p->stopping) {
		pthread_mutex_unlock(&p->lock);
		return MCP_POOL_CLOSED;
	}
	if (p->queued >= p->max_queued) {
		pthread_mutex_unlock(&p->lock);
		return MCP_POOL_FULL;
	}
	j->next = NULL;
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->queued++;
	p->active++;
	if (p->running - p->stuck < p->target)
		t = take_idle_locked(p);
	/* No thread woken: the watchdog sees that the call is not held up
	 * by calls that block. */
	if (!t && p->wd_asleep) {
		p->wd_asleep = 0;
		poke_wd = 1;
	}
	pthread_mutex_unlock(&p->lock);
	/* Signalled unlocked, so the thread does not wake into a held lock;
	 * it checks t->woken under the lock, so the signal cannot be lost. */
	if (t)
		pthread_cond_signal(&t->cv);
	if (poke_wd)
		pthread_cond_signal(&p->wd_cv);
	return MCP_POOL_OK;
}

size_t mcp_pool_active(struct mcp_pool *p)
{
	size_t n;

	pthread_mutex_lock(&p->lock);
	n = p->active;
	pthread_mutex_unlock(&p->lock);
	return n;
}

size_t mcp_pool_stacks_released(struct mcp_pool *p)
{
	size_t n;

	pthread_mutex_lock(&p->lock);
	n = p->stacks_released;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void mcp_pool_close(struct mcp_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->closed = 1;
	pthread_mutex_unlock(&p->lock);
}

int mcp_pool_wait_idle(struct mcp_pool *p, int64_t ms)
{
	struct timespec until;
	int idle;

	deadline_in(&until, (ms > 0 ? ms : 0) * 1000000);
	pthread_mutex_lock(&p->lock);
	while (p->active > 0 && pthread_cond_timedwait(&p->idle_cv, &p->lock,
	                                               &until) != ETIMEDOUT)
		;
	idle = p->active == 0;
	pthread_mutex_unlock(&p->lock);
	return idle;
}

void mcp_pool_stop(struct mcp_pool *p,
                   void (*each)(struct mcp_pool_job *j, void *ud), void *ud)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	p->closed = 1;
	for (struct mcp_pool_job *j = p->head; each && j; j = j->next)
		each(j, ud);
	/* Every thread wakes: the queued jobs run, then they all leave. */
	while (take_idle_locked(p))
		;
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_cond_signal(&p->threads[i].cv);
	pthread_cond_broadcast(&p->wd_cv);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i].tid, NULL);
	if (p->wd_started)
		pthread_join(p->wd, NULL);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_cond_destroy(&p->threads[i].cv);
	free(p->threads);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->idle_cv);
	pthread_cond_destroy(&p->wd_cv);
	free(p);
}

sh_status mcp_pool_new(unsigned max, unsigned target, size_t max_queued,
                       mcp_pool_run_fn run, void *ud, struct mcp_pool **out,
                       struct sh_error *e)
{
	struct mcp_pool *p;
	pthread_mutexattr_t ma;
	int err;

	*out = NULL;
	if (!max)
		max = 1;
	if (!target) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		target = (n > 0 ? (unsigned)n : 1) * MCP_POOL_TARGET_PER_CPU;
	}
	if (target > max)
		target = max;
	p = calloc(1, sizeof *p);
	if (!p || !(p->threads = calloc(max, sizeof *p->threads))) {
		free(p);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	/* Adaptive: held for a few instructions by each submission and
	 * each thread taking a job; polling for a holder on another CPU
	 * beats sleeping in the kernel. */
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(&p->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_cond_init(&p->idle_cv, NULL);
	pthread_cond_init(&p->wd_cv, NULL);
	p->max_queued = max_queued;
	p->target = target;
	p->run = run;
	p->ud = ud;
	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; i < max; i++) {
		struct pool_thread *t = &p->threads[i];
		t->p = p;
		pthread_cond_init(&t->cv, NULL);
		/* Counted running until it first goes to sleep. */
		p->running++;
		err = pthread_create(&t->tid, NULL, thread_main, t);
		if (err) {
			p->running--;
			pthread_cond_destroy(&t->cv);
			pthread_mutex_unlock(&p->lock);
			mcp_pool_stop(p, NULL, NULL);
			return sh_error_errno(e, SH_ERR_FAIL, err,
			                      "cannot start call worker %u", i);
		}
		p->nthreads++;
	}
	err = pthread_create(&p->wd, NULL, watchdog_main, p);
	if (err) {
		pthread_mutex_unlock(&p->lock);
		mcp_pool_stop(p, NULL, NULL);
		return sh_error_errno(e, SH_ERR_FAIL, err,
		                      "cannot start the call watchdog");
	}
	p->wd_started = 1;
	pthread_mutex_unlock(&p->lock);
	*out = p;
	return SH_OK;
}
