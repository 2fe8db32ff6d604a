/*
 * bench_stamp - what the install stamp (store/stamp.h) saves a load: the
 * store's check of an installed skill's files before its code is loaded
 * (store_verify_record), with the stamp and with every file hashed
 * (SKILLHOST_STORE_VERIFY=full), taking turns so that the machine's load
 * weighs on both alike. Medians in microseconds, and the load.
 *
 *   bench_stamp HOME SKILL [RUNS=101]
 * HOME is a store with SKILL installed (skillhost install), e.g.
 *   SKILLHOST_HOME=/tmp/h skillhost install
 *           build/skills-out/packages/skillhost-powerpoint-1.0.0.skill
 *   bench_stamp /tmp/h skillhost/powerpoint
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#define BENCH_NAME "bench_stamp"
#include "bench_util.h"

static void load(const char *when)
{
	char buf[128] = "";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (!fgets(buf, sizeof buf, f))
			buf[0] = '\0';
		fclose(f);
	}
	printf("load %s: %s", when, buf[0] ? buf : "?\n");
}

int main(int argc, char **argv)
{
	const cJSON *rec;
	struct sh_error e;
	char lib[PATH_MAX];
	double *with, *full;
	cJSON *index;
	int runs;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_stamp HOME SKILL [RUNS]\n");
		return 2;
	}
	runs = argc > 3 ? atoi(argv[3]) : 101;
	if (runs < 5)
		runs = 5;
	if (store_read_index(argv[1], &index, &e))
		bench_die("reading the store", &e);
	rec = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(
	                cJSON_GetObjectItemCaseSensitive(index, "skills"),
	                argv[2]),
	        "current");
	if (!rec)
		bench_die("the skill is not installed", NULL);
	with = calloc((size_t)runs, sizeof *with);
	full = calloc((size_t)runs, sizeof *full);
	if (!with || !full)
		bench_die("out of memory", NULL);
	load("before");
	for (int i = 0; i < runs; i++) {
		double t0;
		unsetenv("SKILLHOST_STORE_VERIFY");
		t0 = bench_now_ms();
		if (store_verify_record(argv[1], rec, lib, sizeof lib, &e))
			bench_die("verifying", &e);
		with[i] = (bench_now_ms() - t0) * 1000;
		setenv("SKILLHOST_STORE_VERIFY", "full", 1);
		t0 = bench_now_ms();
		if (store_verify_record(argv[1], rec, lib, sizeof lib, &e))
			bench_die("verifying", &e);
		full[i] = (bench_now_ms() - t0) * 1000;
	}
	load("after");
	printf("%s, store_verify_record, median of %d turns each:\n", argv[2],
	       runs);
	printf("  with the install stamp    %9.1f us\n",
	       bench_median(with, runs));
	printf("  every file hashed         %9.1f us\n",
	       bench_median(full, runs));
	free(with);
	free(full);
	cJSON_Delete(index);
	return 0;
}
