/*
 * bench_audit.c - what one audit record costs when several threads of a
 * process write the log at once, as the MCP server's call threads do.
 *
 *   bench_audit [RECORDS_PER_THREAD [THREADS...]]
 *
 * For each thread count (default 1 2 4) it writes RECORDS_PER_THREAD
 * records (default 20000) from each thread into a fresh log under /tmp
 * and prints the records per second over the whole run and the median
 * and 99th percentile of one audit_write, in ns. The cap is 1 GiB so no
 * rotation (a seal signs the whole file) lands in the figures: this is
 * the append path. Built against a libskillhost whose audit.h has the
 * burst counters, it prints how many records each flock covered too.
 *
 * For the syscalls per record, run one thread count under strace:
 *   strace -c -f bench_audit 20000 4
 *
 * BENCH_AUDIT_PROCS=2 runs the same in two processes at once on one log
 * (each with the given threads; the rate is of both together) and prints
 * how they shared it: the times the writer changed from one process to
 * the other, and the longest run of records from one process.
 */
#define BENCH_NAME "bench_audit"

#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "bench_util.h"
#include "fsutil.h"
#include "status.h"

#define MAX_THREADS 64
#define CAP         (1024ull * 1024 * 1024)

struct job {
	struct audit *a;
	const struct audit_caller *who;
	int n;
	double *ns; /* n durations */
	pthread_barrier_t *start;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *writer(void *arg)
{
	/* What the MCP server writes for a no-op call. */
	struct job *j = arg;
	struct audit_record r = {.caller = j->who,
	                         .skill = "testing/noop",
	                         .version = "1.0.0",
	                         .digest = "5d41402abc4b2a76b9719d911017c592",
	                         .tool = "testing/noop.noop",
	                         .args = "{}",
	                         .args_len = 2,
	                         .isolation = "isolated",
	                         .status = "ok",
	                         .duration_ns = 61000,
	                         .bytes_in = 2,
	                         .bytes_out = 16};

	pthread_barrier_wait(j->start);
	for (int i = 0; i < j->n; i++) {
		double t0 = now_ns();
		struct sh_error e;
		if (audit_write(j->a, &r, &e) != SH_OK)
			bench_die("audit_write", &e);
		j->ns[i] = now_ns() - t0;
	}
	return NULL;
}

/* How two processes shared the log at home: the times the writer
 * changed from one to the other, and the longest run of one. */
static void sharing(const char *home)
{
	char path[600], *text, *p;
	struct sh_error e;
	int last = -1, run = 0, longest = 0, switches = 0;

	snprintf(path, sizeof path, "%s/logs/audit.jsonl", home);
	if (fs_read_file(path, 1 << 30, &text, NULL, &e) != SH_OK)
		bench_die("read the log", &e);
	for (p = text; (p = strstr(p, "\"session\":\"p")); p++) {
		int proc = p[12] - '0';
		if (proc == last) {
			run++;
		} else {
			switches += last >= 0;
			run = 1;
			last = proc;
		}
		if (run > longest)
			longest = run;
	}
	free(text);
	printf("  2 processes: %d switches, longest run %d", switches, longest);
}

static void run(const char *root, int threads, int per, int procs)
{
	static const struct audit_caller who[2] = {
	        {"mcp", "p0", "bench", NULL, NULL, NULL},
	        {"mcp", "p1", "bench", NULL, NULL, NULL}};
	pthread_t t[MAX_THREADS];
	struct job j[MAX_THREADS];
	pthread_barrier_t start;
	char home[512], c = 0;
	struct audit *a;
	struct sh_error e;
	double *ns, t0, wall, median;
	size_t total = (size_t)threads * (size_t)per;
	int proc = 0, go[2];
	pid_t pid = -1;

	snprintf(home, sizeof home, "%s/t%d", root, threads);
	if (fs_mkdirs(home, 0700, &e) != SH_OK)
		bench_die("mkdir", &e);
	if (procs == 2) {
		if (pipe(go))
			bench_die("pipe", NULL);
		pid = fork();
		if (pid < 0)
			bench_die("fork", NULL);
		proc = pid == 0;
	}
	if (audit_open(home, CAP, "mcp", &a, &e) != SH_OK)
		bench_die("audit_open", &e);
	ns = calloc(total, sizeof *ns);
	if (!ns)
		bench_die("out of memory", NULL);
	pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
	for (int i = 0; i < threads; i++) {
		j[i] = (struct job){a, &who[proc], per,
		                    ns + (size_t)i * (size_t)per, &start};
		if (pthread_create(&t[i], NULL, writer, &j[i]))
			bench_die("pthread_create", NULL);
	}
	/* Both processes start together: the child when the parent says. */
	if (procs == 2 &&
	    (proc ? read(go[0], &c, 1) : write(go[1], &c, 1)) != 1)
		bench_die("pipe", NULL);
	pthread_barrier_wait(&start);
	t0 = now_ns();
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	if (proc) /* the child: the parent reports */
		_exit(0);
	if (pid > 0 && waitpid(pid, NULL, 0) != pid)
		bench_die("waitpid", NULL);
	wall = now_ns() - t0;
	pthread_barrier_destroy(&start);
	median = bench_median(ns, (int)total); /* sorts ns */
	printf("threads %d: %9.0f records/s  median %6.0f ns  p99 %7.0f ns",
	       threads, (double)total * procs / (wall / 1e9), median,
	       ns[(size_t)(0.99 * (double)total)]);
#ifdef AUDIT_BURST_NS
	{
		struct audit_stats st;
		audit_stats(a, &st);
		printf("  %.2f records per flock (longest burst %u)",
		       (double)st.records / (double)(st.locks ? st.locks : 1),
		       st.longest_burst);
	}
#endif
	if (procs == 2) {
		close(go[0]);
		close(go[1]);
		sharing(home);
	}
	printf("\n");
	fflush(stdout);
	audit_close(a);
	free(ns);
}

int main(int argc, char **argv)
{
	static const int dflt[] = {1, 2, 4};
	char root[] = "/tmp/bench-audit-XXXXXX";
	int per = argc > 1 ? atoi(argv[1]) : 20000;
	const char *env = getenv("BENCH_AUDIT_PROCS");
	int procs = env && !strcmp(env, "2") ? 2 : 1;
	struct sh_error e;

	if (per <= 0) {
		fprintf(stderr, "usage: bench_audit [RECORDS_PER_THREAD "
		                "[THREADS...]]\n");
		return 2;
	}
	if (!mkdtemp(root))
		bench_die("mkdtemp", NULL);
	printf("bench_audit: %d records per thread, %d process(es), cap %llu "
	       "MiB (no rotation)\n",
	       per, procs, CAP >> 20);
	if (argc > 2) {
		for (int i = 2; i < argc; i++) {
			int n = atoi(argv[i]);
			if (n < 1 || n > MAX_THREADS) {
				fprintf(stderr,
				        "bench_audit: threads must be 1..%d\n",
				        MAX_THREADS);
				return 2;
			}
			run(root, n, per, procs);
		}
	} else {
		for (size_t i = 0; i < sizeof dflt / sizeof *dflt; i++)
			run(root, dflt[i], per, procs);
	}
	fs_remove_tree(root, &e);
	return 0;
}
