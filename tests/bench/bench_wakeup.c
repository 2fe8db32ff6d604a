/* bench_wakeup - what handing work from one thread to another costs on this
 * machine: the round trip of one byte between two threads over a pair of
 * unix sockets, each side sleeping in read until the other writes; and the
 * same between two processes, which is what an isolated call's trip to its
 * skill's worker is.
 *
 *   build/tests/bench_wakeup [ROUND_TRIPS]      (default 5000 per batch)
 *
 * Three placements, 7 batches each, medians in microseconds:
 *   any CPU        where the scheduler puts them (what a server gets)
 *   same CPU       both pinned to CPU 0: a switch, no cross-CPU wake-up
 *   other CPU      pinned to CPUs 0 and 1: every hand-off wakes the other
 *                  CPU, which on a VM whose idle vCPU halts means a trip
 *                  through the hypervisor
 * and, between processes, any CPU and same CPU. A switch between
 * processes also changes the address space, which costs more where the
 * hypervisor keeps the page tables (PVM, shadow paging) than on bare
 * metal: with every CPU busy, an isolated call pays a process round trip
 * that an in-process call does not, and this figure bounds how close the
 * two can come.
 * A tools/call crosses threads several times (I/O thread, call thread,
 * worker, and back), nginx's static file not at all; this is the figure
 * that says what each crossing costs, and so how far the call's latency
 * can sit above the loopback floor. bench_mcp.sh prints it with its rows.
 */
#define BENCH_NAME "bench_wakeup"
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#define BATCHES 7

struct side {
	int in, out; /* read a byte from in, write it to out */
	int cpu;     /* pin to it, or -1 */
	long n;      /* round trips */
};

static int pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof set, &set);
}

static void *echo_main(void *arg)
{
	struct side *s = arg;
	char c;

	if (pin(s->cpu) != 0)
		return NULL;
	for (long i = 0; i < s->n; i++)
		if (read(s->in, &c, 1) != 1 || write(s->out, &c, 1) != 1)
			break;
	return NULL;
}

/* Median microseconds per round trip over BATCHES batches of n, with the
 * caller on cpu_a and the echo (a thread, or a child process when proc)
 * on cpu_b (-1: anywhere); a negative result when the placement is
 * impossible here. */
static double measure(int cpu_a, int cpu_b, long n, int proc)
{
	double per[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		int there[2], back[2];
		struct side echo;
		pthread_t t;
		pid_t child = -1;
		int status = 0;
		char c = 'x';
		double t0, t1;
		long i;

		if (pin(cpu_a) != 0)
			return -1;
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, there) != 0 ||
		    socketpair(AF_UNIX, SOCK_STREAM, 0, back) != 0) {
			fprintf(stderr, BENCH_NAME ": socketpair: %s\n",
			        strerror(errno));
			exit(5);
		}
		echo = (struct side){there[1], back[1], cpu_b, n};
		if (proc) {
			child = fork();
			if (child == 0) {
				close(there[0]);
				close(back[0]);
				(void)echo_main(&echo);
				_exit(0);
			}
			if (child < 0) {
				fprintf(stderr, BENCH_NAME ": fork: %s\n",
				        strerror(errno));
				exit(5);
			}
		} else if (pthread_create(&t, NULL, echo_main, &echo) != 0) {
			fprintf(stderr, BENCH_NAME ": pthread_create failed\n");
			exit(5);
		}
		t0 = bench_now_ms();
		for (i = 0; i < n; i++)
			if (write(there[0], &c, 1) != 1 ||
			    read(back[0], &c, 1) != 1)
				break;
		t1 = bench_now_ms();
		/* The echo exits by itself after n, or at EOF. */
		close(there[0]);
		if (proc)
			while (waitpid(child, &status, 0) < 0 && errno == EINTR)
				;
		else
			pthread_join(t, NULL);
		close(there[1]);
		close(back[0]);
		close(back[1]);
		if (i < n)
			return -1;
		per[b] = (t1 - t0) * 1000.0 / (double)n;
	}
	return bench_median(per, BATCHES);
}

/* A figure, or "-" for a placement this machine does not allow. */
static void print_us(const char *key, double us)
{
	if (us >= 0)
		printf("%s %.2f\n", key, us);
	else
		printf("%s -\n", key);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 5000;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t all;
	double any, same, other, p_any, p_same;

	if (n < 100 || n > 10000000) {
		fprintf(stderr, "usage: bench_wakeup [ROUND_TRIPS 100..1e7]\n");
		return 2;
	}
	any = measure(-1, -1, n, 0);
	same = measure(0, 0, n, 0);
	other = ncpu > 1 ? measure(0, 1, n, 0) : -1;
	p_any = measure(-1, -1, n, 1);
	p_same = measure(0, 0, n, 1);
	/* Give the process back every CPU it may use. */
	CPU_ZERO(&all);
	for (long c = 0; c < ncpu && c < CPU_SETSIZE; c++)
		CPU_SET((int)c, &all);
	(void)sched_setaffinity(0, sizeof all, &all);
	printf("thread hand-off round trip (2 wake-ups), median of %d x %ld:\n",
	       BATCHES, n);
	print_us("wakeup_any_us", any);
	print_us("wakeup_same_cpu_us", same);
	print_us("wakeup_other_cpu_us", other);
	printf("process hand-off round trip, the same:\n");
	print_us("wakeup_proc_any_us", p_any);
	print_us("wakeup_proc_same_cpu_us", p_same);
	return 0;
}
