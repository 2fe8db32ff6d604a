/*
 * bench_isolation - what isolation costs.
 *
 * In one run:
 *   1. the round trip of a no-op call (testing/noop.noop) through the whole
 *      dispatch path, in-process and isolated (a sandboxed worker over a
 *      socketpair), median of R rounds of N calls each, and their ratio;
 *      the isolated executor alone (no dispatch) for the IPC share;
 *   2. the throughput of an isolated skill's worker pool (8 workers) with
 *      1, 2, 4 and 8 callers, calls per second for about a second each;
 *   3. a worker's start-up, from spawn to its skill's init returning (what
 *      a pool's growth, a restart after a crash and every whole-process
 *      `skillhost call` wait for), median of STARTS starts, for the no-op
 *      skill and for skillhost/powerpoint (whose libraries, libarchive
 *      and the ICU among them, the worker maps).
 * The runtimes write the audit log and metrics as in production, into a
 * temporary home that is removed afterwards.
 *
 *   bench_isolation [N=20000] [ROUNDS=7] [STARTS=21]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "config.h"
#include "dispatch.h"
#include "fsutil.h"
#include "runtime.h"
#include "bench_util.h"

#define TARGET_US     30.0
#define POOL          8
#define THROUGHPUT_NS (1000 * 1000000LL)

static const char args[] = "{\"x\":42,\"s\":\"hello\"}";

static struct runtime *open_skill(const char *home, int isolate,
                                  const char *lib)
{
	struct runtime_opts o = {
	        .home = home, .isolate_files = isolate, .caller = "bench"};
	struct runtime *rt;
	struct sh_error e;
	char path[1024];

	snprintf(path, sizeof path, "%s/lib/%s", SKILLS_OUT, lib);
	if (runtime_open(&o, &rt, &e) || runtime_add_skill_file(rt, path, &e) ||
	    runtime_seal(rt, &e)) {
		fprintf(stderr, "bench_isolation: %s\n", e.msg);
		exit(5);
	}
	return rt;
}

static struct runtime *open_rt(const char *home, int isolate)
{
	return open_skill(home, isolate, "testing-noop.so");
}

/* Median milliseconds from a runtime's first need of the skill's worker
 * to its init having returned (runtime_prepare), over starts fresh
 * runtimes (each worker shut down before the next starts). */
static double start_ms(const char *home, const char *lib, const char *tool,
                       int starts)
{
	double *ms = calloc((size_t)starts, sizeof *ms), med;
	struct sh_error e;

	if (!ms)
		exit(5);
	for (int k = 0; k < starts; k++) {
		struct runtime *rt = open_skill(home, 1, lib);
		int64_t t0 = call_now_ns();
		if (runtime_prepare(rt, tool, &e) != SH_OK) {
			fprintf(stderr, "bench_isolation: %s\n", e.msg);
			exit(5);
		}
		ms[k] = (double)(call_now_ns() - t0) / 1e6;
		runtime_close(rt);
	}
	med = bench_median(ms, starts);
	free(ms);
	return med;
}

static void one_call(struct runtime *rt)
{
	struct call_result res;
	struct sh_error e;

	if (runtime_call(rt, "testing/noop.noop", args, sizeof args - 1, NULL,
	                 0, NULL, &res, &e) != SH_OK ||
	    res.is_error) {
		fprintf(stderr, "bench_isolation: a call failed\n");
		exit(5);
	}
	call_result_free(&res);
}

static double ns_per_call(struct runtime *rt, long n)
{
	int64_t t0 = call_now_ns();

	for (long i = 0; i < n; i++)
		one_call(rt);
	return (double)(call_now_ns() - t0) / (double)n;
}

/* The isolated executor alone: send, invoke in the worker, reply. */
static double ns_executor(struct runtime *rt, long n)
{
	struct sh_error e;
	struct tool *t =
	        catalog_find(runtime_catalog(rt), "testing/noop.noop", &e);
	struct executor *ex;
	int64_t t0;

	if (!t || catalog_executor(runtime_catalog(rt), t->skill, &ex, &e)) {
		fprintf(stderr, "bench_isolation: %s\n", e.msg);
		exit(5);
	}
	t0 = call_now_ns();
	for (long i = 0; i < n; i++) {
		struct skill_call c;
		call_init(&c, "testing/noop", "testing/noop.noop", NULL);
		ex->ops->invoke(ex, t->index, args, sizeof args - 1, &c,
		                &(struct exec_result){0});
		call_finish(&c, NULL);
	}
	return (double)(call_now_ns() - t0) / (double)n;
}

struct caller {
	struct runtime *rt;
	atomic_int *stop;
	long calls;
};

static void *caller_main(void *arg)
{
	struct caller *c = arg;

	while (!atomic_load(c->stop)) {
		one_call(c->rt);
		c->calls++;
	}
	return NULL;
}

static double throughput(struct runtime *rt, int callers)
{
	struct caller c[POOL];
	pthread_t th[POOL];
	atomic_int stop = 0;
	int64_t t0 = call_now_ns(), took;
	long total = 0;

	for (int i = 0; i < callers; i++) {
		c[i] = (struct caller){rt, &stop, 0};
		pthread_create(&th[i], NULL, caller_main, &c[i]);
	}
	while (call_now_ns() - t0 < THROUGHPUT_NS) {
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < callers; i++) {
		pthread_join(th[i], NULL);
		total += c[i].calls;
	}
	took = call_now_ns() - t0;
	return (double)total * 1e9 / (double)took;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	int starts = argc > 3 ? atoi(argv[3]) : 21;
	char home[] = "/tmp/skillhost-bench-XXXXXX";
	double *local_ns, *iso_ns, *ex_ns, l, i, x;
	struct runtime *local, *iso;
	struct sh_error e;

	if (n < 1 || rounds < 1 || rounds > 1000 || starts < 1 ||
	    starts > 1000) {
		fprintf(stderr,
		        "usage: bench_isolation [N] [ROUNDS] [STARTS]\n");
		return 2;
	}
	bench_use_built_worker();
	if (!mkdtemp(home) || config_update(home, "testing/noop", "policy",
	                                    "concurrency", "8", &e)) {
		fprintf(stderr, "bench_isolation: cannot set up %s\n", home);
		return 5;
	}
	local_ns = calloc((size_t)rounds, sizeof *local_ns);
	iso_ns = calloc((size_t)rounds, sizeof *iso_ns);
	ex_ns = calloc((size_t)rounds, sizeof *ex_ns);
	local = open_rt(home, 0);
	iso = open_rt(home, 1);
	/* Warm up: the worker starts on the first call. */
	ns_per_call(local, 1000);
	ns_per_call(iso, 1000);
	for (int r = 0; r < rounds; r++) {
		local_ns[r] = ns_per_call(local, n);
		iso_ns[r] = ns_per_call(iso, n);
		ex_ns[r] = ns_executor(iso, n);
	}
	l = bench_median(local_ns, rounds) / 1000;
	i = bench_median(iso_ns, rounds) / 1000;
	x = bench_median(ex_ns, rounds) / 1000;
	printf("no-op round trip, median of %d rounds of %ld calls:\n", rounds,
	       n);
	printf("  in-process (dispatch):   %8.2f us/call\n", l);
	printf("  isolated (dispatch):     %8.2f us/call  (%.1fx in-process, "
	       "+%.2f us)\n",
	       i, l > 0 ? i / l : 0.0, i - l);
	printf("  isolated executor alone: %8.2f us/call\n", x);
	printf("  goal: isolated under %.0f us: %s\n", TARGET_US,
	       i < TARGET_US ? "met" : "NOT MET");
	printf("worker pool (%d workers) throughput, isolated no-op:\n", POOL);
	for (int callers = 1; callers <= POOL; callers *= 2)
		printf("  %d caller%s  %9.0f calls/s\n", callers,
		       callers == 1 ? ": " : "s:", throughput(iso, callers));
	printf("in-process throughput for comparison:\n");
	for (int callers = 1; callers <= POOL; callers *= 2)
		printf("  %d caller%s  %9.0f calls/s\n", callers,
		       callers == 1 ? ": " : "s:", throughput(local, callers));
	printf("worker start (spawn to init returned), median of %d:\n",
	       starts);
	printf("  testing/noop:            %8.2f ms\n",
	       start_ms(home, "testing-noop.so", "testing/noop.noop", starts));
	printf("  skillhost/powerpoint:    %8.2f ms\n",
	       start_ms(home, "powerpoint.so",
	                "skillhost/powerpoint.create_presentation", starts));
	runtime_close(local);
	runtime_close(iso);
	fs_remove_tree(home, &e);
	free(local_ns);
	free(iso_ns);
	free(ex_ns);
	return 0;
}
