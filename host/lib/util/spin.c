/*
 * spin.c - when a waiting thread may poll instead of sleeping. See spin.h.
 */
#include "spin.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "monotime.h"

static atomic_llong sampled_ns; /* when spare was last set; 0: never */
static atomic_int spare;
static atomic_flag sampling = ATOMIC_FLAG_INIT;
static int loadavg_fd = -2; /* -2: not opened yet; under sampling */
static long ncpu;           /* under sampling */

/* Read the runnable count: /proc/loadavg is "1.00 0.50 0.25 R/T PID",
 * R the runnable tasks of the whole machine now. -1 when unreadable. */
static long runnable(void)
{
	char buf[128], *p;
	ssize_t n;

	if (loadavg_fd == -2)
		loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	if (loadavg_fd < 0)
		return -1;
	n = pread(loadavg_fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = buf;
	for (int field = 0; field < 3; field++) {
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	if (*p < '0' || *p > '9')
		return -1;
	return strtol(p, NULL, 10);
}

int spin_cpu_spare(void)
{
	int64_t now = sh_now_ns();

	if (now - atomic_load_explicit(&sampled_ns, memory_order_relaxed) <
	    SPIN_SAMPLE_NS)
		return atomic_load_explicit(&spare, memory_order_relaxed);
	/* One thread samples; the others use the old answer meanwhile. */
	if (!atomic_flag_test_and_set(&sampling)) {
		long r;
		if (!ncpu) {
			ncpu = sysconf(_SC_NPROCESSORS_ONLN);
			if (ncpu < 1)
				ncpu = 1;
		}
		r = runnable();
		/* One more than the CPUs: the count includes the peer this
		 * spin waits for or hands to (a worker polling for its next
		 * call, a host thread polling for the reply), which is the
		 * work the spin serves, not a competitor. Counting it made
		 * a lone client's calls on a 2-CPU machine never spin (p50
		 * 100 us against 53 us). */
		atomic_store_explicit(&spare, r >= 0 && r <= ncpu + 1,
		                      memory_order_relaxed);
		atomic_store_explicit(&sampled_ns, now, memory_order_relaxed);
		atomic_flag_clear(&sampling);
	}
	return atomic_load_explicit(&spare, memory_order_relaxed);
}

int64_t spin_budget(struct spin_est *e, int64_t max_ns)
{
	e->max_ns = 0;
	if (e->wait_ns > max_ns && ++e->skipped < SPIN_PROBE_EVERY)
		return 0;
	if (!spin_cpu_spare())
		return 0;
	e->skipped = 0;
	e->max_ns = max_ns;
	return max_ns;
}

void spin_note(struct spin_est *e, int64_t waited_ns)
{
	if (!e->max_ns)
		return;
	if (waited_ns > 2 * e->max_ns)
		waited_ns = 2 * e->max_ns;
	if (waited_ns < 0)
		waited_ns = 0;
	e->wait_ns += (waited_ns - e->wait_ns) / 4;
	e->max_ns = 0;
}
