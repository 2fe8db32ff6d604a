/* bench_util.h - small helpers every benchmark program repeats: timing
 * statistics and dying with a clear message when set-up fails.
 *
 * Header-only (static inline) because each bench_*.c is its own program
 * built from one source file (tests/CMakeLists.txt globs them).  A program
 * that uses bench_die/bench_run defines BENCH_NAME, the prefix of its
 * messages, before including this header. */
#ifndef SKILLHOST_BENCH_UTIL_H
#define SKILLHOST_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fsutil.h"
#include "status.h"

/* qsort comparator for doubles, ascending. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median of v[0..n-1] (the upper middle for even n); sorts v in place.
 * n must be at least 1. */
static inline double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	return v[n / 2];
}

/* Monotonic clock in milliseconds. */
static inline double bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Point SKILLHOST_WORKER at the built worker unless the caller chose one,
 * so isolated calls work from the build tree without installing. */
static inline void bench_use_built_worker(void)
{
	char worker[600];

	if (getenv("SKILLHOST_WORKER"))
		return;
	snprintf(worker, sizeof worker, "%s/../host/skillhost-worker",
	         SKILLS_OUT);
	setenv("SKILLHOST_WORKER", worker, 1);
}

#ifdef BENCH_NAME
/* Set-up failed: say what and why, exit 5 (a benchmark cannot go on
 * without its fixture, and 5 tells the caller it was not a measurement). */
static inline void bench_die(const char *what, const struct sh_error *e)
{
	fprintf(stderr, BENCH_NAME ": %s: %s\n", what, e ? e->msg : "");
	exit(5);
}

/* Run a set-up shell command; any failure is fatal as in bench_die. */
static inline void bench_run(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, BENCH_NAME ": failed: %s\n", cmd);
		exit(5);
	}
}

/* Build the package the install benchmarks move: example/hello with mib
 * MiB of random data included (so reading, hashing and extracting
 * dominate), laid out in the folder src, packed to pkg and signed with the
 * build's dev key (pkg.minisig). Needs the built skillhost beside
 * SKILLS_OUT. */
static inline void bench_make_package(const char *src, const char *pkg,
                                      unsigned mib)
{
	char cmd[4096];

	if (fs_pathf(
	            cmd, sizeof cmd, NULL,
	            "mkdir -p %s/lib/%s %s/assets && cp %s/lib/hello.so "
	            "%s/lib/%s/ "
	            "&& head -c %llu /dev/urandom > %s/assets/data.bin && "
	            "printf '%%s' "
	            "'{\"name\":\"example/hello\",\"version\":\"1.0.0\","
	            "\"abi\":1,\"description\":\"bench\",\"platforms\":{\"%s\":"
	            "\"lib/%s/hello.so\"},\"tools\":[{\"name\":\"greet\"}],"
	            "\"include\":[\"assets/data.bin\"]}' > %s/manifest.json && "
	            "%s/../host/skillhost pack %s -o %s >/dev/null && "
	            "%s/../host/skillhost sign %s -s %s/dev.sec >/dev/null",
	            src, SKILLHOST_PLATFORM, src, SKILLS_OUT, src,
	            SKILLHOST_PLATFORM, (unsigned long long)mib << 20, src,
	            SKILLHOST_PLATFORM, SKILLHOST_PLATFORM, src, SKILLS_OUT,
	            src, pkg, SKILLS_OUT, pkg, SKILLS_OUT))
		bench_die("command too long", NULL);
	bench_run(cmd);
}

/* The 10 MiB package of bench_store's install benchmark. */
static inline void bench_make_big_package(const char *src, const char *pkg)
{
	bench_make_package(src, pkg, 10);
}
#endif

#endif
