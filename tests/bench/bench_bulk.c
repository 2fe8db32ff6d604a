/*
 * bench_bulk - what moving bulk data costs between the host and a worker.
 *
 * One call with a 3 MB argument that writes a 2.7 MB artifact
 * (testing/hostile.artifact: the "text" field becomes the artifact, a "pad"
 * field makes up the rest of the argument), through the whole dispatch
 * path, in-process and isolated, median of ROUNDS rounds of N calls each.
 * The artifact is fsynced and renamed into place as always, so the figure
 * includes the store's durability. Then the same call with a 160 KiB
 * argument and artifact, just past the size where they start to cross as
 * a file descriptor; arguments alone from 16 KiB to 3 MB (where a memfd
 * starts to pay: WIRE_ARGS_FD_MIN); and a no-op call for the floor. The
 * runtimes write into a temporary home removed afterwards.
 *
 *   bench_bulk [N=20] [ROUNDS=7] [args]     (args: the argument rows only)
 */
#define BENCH_NAME "bench_bulk"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "call.h"
#include "config.h"
#include "fsutil.h"
#include "runtime.h"
#include "bench_util.h"

static struct runtime *open_rt(const char *home, int isolate)
{
	struct runtime_opts o = {
	        .home = home, .isolate_files = isolate, .caller = "bench"};
	struct runtime *rt;
	struct sh_error e;
	char path[1024];

	snprintf(path, sizeof path, "%s/lib/testing-hostile.so", SKILLS_OUT);
	if (runtime_open(&o, &rt, &e) || runtime_add_skill_file(rt, path, &e) ||
	    runtime_seal(rt, &e))
		bench_die("cannot open the runtime", &e);
	return rt;
}

/* {"text":"aaa...","pad":"bbb..."}: text_len bytes of artifact in an
 * argument of about total bytes. */
static char *make_args(size_t total, size_t text_len, size_t *len)
{
	size_t pad = total > text_len + 32 ? total - text_len - 32 : 0;
	char *a = malloc(total + 64);
	size_t n = 0;

	if (!a)
		bench_die("out of memory", NULL);
	n += (size_t)sprintf(a + n, "{\"text\":\"");
	memset(a + n, 'a', text_len);
	n += text_len;
	n += (size_t)sprintf(a + n, "\",\"pad\":\"");
	memset(a + n, 'b', pad);
	n += pad;
	n += (size_t)sprintf(a + n, "\"}");
	*len = n;
	return a;
}

static void one_call(struct runtime *rt, const char *tool, const char *args,
                     size_t len)
{
	struct call_result res;
	struct sh_error e;

	if (runtime_call(rt, tool, args, len, NULL, 0, NULL, &res, &e) != SH_OK)
		bench_die("a call failed", &e);
	if (res.is_error) {
		char *txt = cJSON_PrintUnformatted(res.content);
		fprintf(stderr, "bench_bulk: %s failed: %.400s\n", tool,
		        txt ? txt : "");
		exit(5);
	}
	call_result_free(&res);
}

static double ms_per_call(struct runtime *rt, const char *tool,
                          const char *args, size_t len, long n)
{
	double t0 = bench_now_ms();

	for (long i = 0; i < n; i++)
		one_call(rt, tool, args, len);
	return (bench_now_ms() - t0) / (double)n;
}

struct shape {
	const char *label, *tool;
	size_t total, text;
};

int main(int argc, char **argv)
{
	static const struct shape shapes[] = {
	        {"3 MB argument, 2.7 MB artifact", "testing/hostile.artifact",
	         3000000, 2700000},
	        {"160 KiB argument and artifact", "testing/hostile.artifact",
	         163840, 163840 - 40},
	        /* The argument alone (the tool echoes one byte of it):
	         * where a memfd starts to pay. */
	        {"16 KiB argument", "testing/hostile.ok", 16384, 1},
	        {"32 KiB argument", "testing/hostile.ok", 32768, 1},
	        {"64 KiB argument", "testing/hostile.ok", 65536, 1},
	        {"256 KiB argument", "testing/hostile.ok", 262144, 1},
	        {"3 MB argument", "testing/hostile.ok", 3000000, 1},
	        {"no-op (ok)", "testing/hostile.ok", 0, 0},
	};
	long n = argc > 1 ? atol(argv[1]) : 20;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	int args_only = argc > 3 && !strcmp(argv[3], "args");
	char home[] = "/tmp/skillhost-bench-XXXXXX";
	struct runtime *local, *iso;
	struct sh_error e;
	double *lv, *iv, *dv;

	if (n < 1 || rounds < 1 || rounds > 1000) {
		fprintf(stderr, "usage: bench_bulk [N] [ROUNDS] [args]\n");
		return 2;
	}
	bench_use_built_worker();
	if (!mkdtemp(home) ||
	    config_update(home, "testing/hostile", "policy", "memory", "1G",
	                  &e) ||
	    config_update_host(home, "artifacts-max", "64G", &e) ||
	    config_update_host(home, "artifacts-call-max", "1G", &e))
		bench_die("cannot set up the home", NULL);
	lv = calloc((size_t)rounds, sizeof *lv);
	iv = calloc((size_t)rounds, sizeof *iv);
	dv = calloc((size_t)rounds, sizeof *dv);
	local = open_rt(home, 0);
	iso = open_rt(home, 1);
	printf("bulk data, median of %d rounds of %ld calls:\n", rounds, n);
	for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
		const struct shape *sh = &shapes[k];
		size_t len;
		char *args;
		double l, i, d;

		if (args_only && strcmp(sh->tool, "testing/hostile.ok") != 0)
			continue;
		args = sh->total ? make_args(sh->total, sh->text, &len)
		                 : strdup("{}");

		if (!sh->total)
			len = 2;
		ms_per_call(local, sh->tool, args, len, 2);
		ms_per_call(iso, sh->tool, args, len, 2);
		for (int r = 0; r < rounds; r++) {
			lv[r] = ms_per_call(local, sh->tool, args, len, n);
			iv[r] = ms_per_call(iso, sh->tool, args, len, n);
		}
		/* What isolation adds, round by round (each pair ran back to
		 * back, so a busy moment of the machine hits both): a
		 * steadier figure than the difference of the medians. */
		for (int r = 0; r < rounds; r++)
			dv[r] = iv[r] - lv[r];
		d = bench_median(dv, rounds);
		l = bench_median(lv, rounds);
		i = bench_median(iv, rounds);
		printf("  %s (%zu bytes of argument):\n", sh->label, len);
		printf("    in-process: %9.3f ms/call\n", l);
		printf("    isolated:   %9.3f ms/call  (%.2fx in-process)\n", i,
		       l > 0 ? i / l : 0.0);
		printf("    isolation adds (median of the rounds' "
		       "differences): %.3f ms/call\n",
		       d);
		free(args);
		/* Each call kept an artifact: start the next shape with an
		 * empty store. */
		{
			char dir[1200];
			snprintf(dir, sizeof dir, "%s/artifacts", home);
			(void)fs_remove_tree(dir, &e);
		}
	}
	runtime_close(local);
	runtime_close(iso);
	fs_remove_tree(home, &e);
	free(lv);
	free(iv);
	free(dv);
	return 0;
}
