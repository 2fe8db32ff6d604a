/*
 * bench_dispatch - host overhead of an in-process no-op call.
 *
 * In one run, calls testing/noop.noop (a small schema: two optional
 * properties, additionalProperties false) N times through the host's
 * dispatch path (lookup, parse, validate, invoke, result), and N times
 * directly through the skill's own invoke with the same host vtable, then
 * prints the median ns per call of each over R rounds, and the difference:
 * the host's overhead. Also times the result's serialization to JSON text.
 *
 *   bench_dispatch [N=200000] [ROUNDS=9]
 *
 * Under `valgrind --tool=callgrind` use small N to get stable instruction
 * counts instead of times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "dispatch.h"
#include "exec_inproc.h"
#include "runtime.h"
#include "bench_util.h"

int main(int argc, char **argv)
{
	static const char args[] = "{\"x\":42,\"s\":\"hello\"}";
	long n = argc > 1 ? atol(argv[1]) : 200000;
	int rounds = argc > 2 ? atoi(argv[2]) : 9;
	struct runtime_opts o = {.home = "/nonexistent-skillhost-home"};
	double *host_ns, *direct_ns, *ser_ns;
	struct runtime *rt;
	struct sh_error e;
	struct tool *t;
	struct executor *ex;
	char path[1024];

	if (n < 1 || rounds < 1 || rounds > 1000) {
		fprintf(stderr, "usage: bench_dispatch [N] [ROUNDS]\n");
		return 2;
	}
	host_ns = calloc((size_t)rounds, sizeof *host_ns);
	direct_ns = calloc((size_t)rounds, sizeof *direct_ns);
	ser_ns = calloc((size_t)rounds, sizeof *ser_ns);
	snprintf(path, sizeof path, "%s/lib/testing-noop.so", SKILLS_OUT);
	if (runtime_open(&o, &rt, &e) || runtime_add_skill_file(rt, path, &e) ||
	    runtime_seal(rt, &e)) {
		fprintf(stderr, "bench_dispatch: %s\n", e.msg);
		return 5;
	}
	t = catalog_find(runtime_catalog(rt), "testing/noop.noop", &e);
	if (!t || catalog_executor(runtime_catalog(rt), t->skill, &ex, &e)) {
		fprintf(stderr, "bench_dispatch: %s\n", e.msg);
		return 5;
	}

	for (int r = 0; r < rounds; r++) {
		int64_t t0 = call_now_ns();
		for (long i = 0; i < n; i++) {
			struct call_result res;
			if (runtime_call(rt, "testing/noop.noop", args,
			                 sizeof args - 1, NULL, 0, NULL, &res,
			                 &e) != SH_OK ||
			    res.is_error) {
				fprintf(stderr,
				        "bench_dispatch: call failed\n");
				return 5;
			}
			call_result_free(&res);
		}
		host_ns[r] = (double)(call_now_ns() - t0) / (double)n;

		/* The same skill code with the same args, no host in between
		 * but the bare call context the skill needs. */
		t0 = call_now_ns();
		for (long i = 0; i < n; i++) {
			struct skill_call c;
			call_init(&c, "testing/noop", "testing/noop.noop",
			          NULL);
			ex->ops->invoke(ex, t->index, args, sizeof args - 1, &c,
			                &(struct exec_result){0});
			call_finish(&c, NULL);
		}
		direct_ns[r] = (double)(call_now_ns() - t0) / (double)n;

		t0 = call_now_ns();
		for (long i = 0; i < n / 10 + 1; i++) {
			struct call_result res;
			cJSON *j;
			char *s;
			runtime_call(rt, "testing/noop.echo",
			             "{\"text\":\"hello\"}", 16, NULL, 0, NULL,
			             &res, &e);
			j = call_result_to_json(&res);
			s = cJSON_PrintUnformatted(j);
			free(s);
			cJSON_Delete(j);
		}
		ser_ns[r] = (double)(call_now_ns() - t0) / (double)(n / 10 + 1);
	}
	{
		double h = bench_median(host_ns, rounds),
		       d = bench_median(direct_ns, rounds);
		printf("calls per round:         %ld x %d rounds\n", n, rounds);
		printf("host dispatch (median):  %8.1f ns/call\n", h);
		printf("direct invoke (median):  %8.1f ns/call\n", d);
		printf("host overhead:           %8.1f ns/call  (ratio "
		       "%.1fx)\n",
		       h - d, d > 0 ? h / d : 0.0);
		printf("echo + CallToolResult JSON text: %8.1f ns/call\n",
		       bench_median(ser_ns, rounds));
		printf("target: overhead < 1000 ns: %s\n",
		       h - d < 1000 ? "met" : "NOT MET");
	}
	runtime_close(rt);
	free(host_ns);
	free(direct_ns);
	free(ser_ns);
	return 0;
}
