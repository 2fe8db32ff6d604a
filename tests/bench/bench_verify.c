/*
 * bench_verify - `skillhost verify` of a large package against
 * `minisign -Vm` on the same file, both as whole processes, and
 * `skillhost install` of that package, in one run.
 *
 *   bench_verify [--runs N] [--size MIB] [--skillhost PATH]
 *
 * Makes a package of about MIB MiB (default 100: example/hello with that
 * much random data, signed with the build's dev key) in a temporary
 * folder, then runs, interleaved, N times each (default 11):
 *   minisign -Vm PKG -p dev.pub -q
 *   skillhost verify PKG -p dev.pub
 *   skillhost verify PKG -p dev.pub   with SKILLHOST_BLAKE2B=sodium
 * and prints the medians of wall time and CPU time (user + sys of the
 * child, from wait4), the speed ratio minisign/ours (>= 1.0: ours is as
 * fast or faster) and the CPU ratio ours/minisign (<= 1.1 is the goal).
 * Then N times `skillhost install PKG --force` into a fresh home.
 * PATH (default: the build's host/skillhost) lets one run measure another
 * build's skillhost against the same file; its worker is the
 * skillhost-worker beside it. The load average is printed before and
 * after, since the machine may be shared. $MINISIGN overrides minisign.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "b2fast.h"
#include "fsutil.h"
#define BENCH_NAME "bench_verify"
#include "bench_util.h"

#define DEFAULT_RUNS 11
#define MAX_RUNS     101
#define DEFAULT_MIB  100
#define MAX_MIB      1000

struct sample {
	double wall_ms;
	double cpu_ms;
};

/* Run argv (with one extra NAME=VALUE in the environment when env is not
 * NULL), output to /dev/null; its wall and CPU time. Exit status other
 * than 0 is fatal: a benchmark of a failing command measures nothing. */
static struct sample run(char *const argv[], const char *env)
{
	struct sample s;
	struct rusage ru;
	double t0 = bench_now_ms();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		bench_die("fork failed", NULL);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (env)
			putenv((char *)env);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			bench_die("wait4 failed", NULL);
	s.wall_ms = bench_now_ms() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, BENCH_NAME ": %s %s failed (status %d)\n",
		        argv[0], argv[1], status);
		exit(5);
	}
	s.cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	return s;
}

static void medians(struct sample *v, int n, double *wall, double *cpu)
{
	double w[MAX_RUNS], c[MAX_RUNS];

	for (int i = 0; i < n; i++) {
		w[i] = v[i].wall_ms;
		c[i] = v[i].cpu_ms;
	}
	*wall = bench_median(w, n);
	*cpu = bench_median(c, n);
}

static void print_load(const char *when)
{
	double l[3];

	if (getloadavg(l, 3) == 3)
		printf("load average %s: %.2f %.2f %.2f (%ld CPUs)\n", when,
		       l[0], l[1], l[2], sysconf(_SC_NPROCESSORS_ONLN));
}

static void usage_exit(void)
{
	fprintf(stderr,
	        "usage: bench_verify [--runs N (1-%d)] [--size MIB "
	        "(1-%d)] [--skillhost PATH]\n",
	        MAX_RUNS, MAX_MIB);
	exit(2);
}

int main(int argc, char **argv)
{
	static struct sample ms[MAX_RUNS], ours[MAX_RUNS], sod[MAX_RUNS],
	        inst[MAX_RUNS];
	char dir[] = "/tmp/bench-verify-XXXXXX";
	char src[600], pkg[600], home[600], pub[600], bin[600], worker[700];
	char home_env[700];
	const char *minisign =
	        getenv("MINISIGN") ? getenv("MINISIGN") : "minisign";
	int runs = DEFAULT_RUNS, mib = DEFAULT_MIB;
	double mw, mc, ow, oc, sw, sc, iw, ic;
	struct sh_error e;
	struct stat st;

	snprintf(bin, sizeof bin, "%s/../host/skillhost", SKILLS_OUT);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--size") && i + 1 < argc)
			mib = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--skillhost") && i + 1 < argc)
			snprintf(bin, sizeof bin, "%s", argv[++i]);
		else
			usage_exit();
	}
	if (runs < 1 || runs > MAX_RUNS || mib < 1 || mib > MAX_MIB)
		usage_exit();
	if (!getenv("SKILLHOST_WORKER")) {
		char tmp[600];

		snprintf(tmp, sizeof tmp, "%s", bin);
		snprintf(worker, sizeof worker, "%s/skillhost-worker",
		         dirname(tmp));
		setenv("SKILLHOST_WORKER", worker, 1);
	}
	if (!mkdtemp(dir))
		bench_die("mkdtemp failed", NULL);
	if (fs_pathf(src, sizeof src, NULL, "%s/src", dir) ||
	    fs_pathf(pkg, sizeof pkg, NULL, "%s/big.skill", dir) ||
	    fs_pathf(home, sizeof home, NULL, "%s/home", dir) ||
	    fs_pathf(pub, sizeof pub, NULL, "%s/dev.pub", SKILLS_OUT))
		bench_die("path too long", NULL);
	bench_make_package(src, pkg, (unsigned)mib);
	if (stat(pkg, &st) != 0)
		bench_die("the package was not made", NULL);
	snprintf(home_env, sizeof home_env, "SKILLHOST_HOME=%s", home);
	{
		char *trust[] = {bin,           "trust",   "add", pub,
		                 "--namespace", "example", NULL};
		(void)run(trust, home_env);
	}

	{
		char *ms_argv[] = {
		        (char *)minisign, "-Vm", pkg, "-p", pub, "-q", NULL};
		char *our_argv[] = {bin, "verify", pkg, "-p", pub, NULL};
		char *inst_argv[] = {bin, "install", pkg, "--force", NULL};

		/* Warm-up: the page cache, and a check that all accept. */
		(void)run(ms_argv, NULL);
		(void)run(our_argv, NULL);
		(void)run(inst_argv, home_env);
		print_load("before");
		printf("package %s: %.1f MB; %s; %d runs each, interleaved\n",
		       pkg, (double)st.st_size / 1e6, bin, runs);
		printf("BLAKE2b-512 for large files in this process: %s\n",
		       b2fast_impl_name(b2fast_chosen()));
		for (int r = 0; r < runs; r++) {
			ms[r] = run(ms_argv, NULL);
			ours[r] = run(our_argv, NULL);
			sod[r] = run(our_argv, "SKILLHOST_BLAKE2B=sodium");
		}
		for (int r = 0; r < runs; r++)
			inst[r] = run(inst_argv, home_env);
	}
	medians(ms, runs, &mw, &mc);
	medians(ours, runs, &ow, &oc);
	medians(sod, runs, &sw, &sc);
	medians(inst, runs, &iw, &ic);
	printf("                               wall ms   CPU ms (user+sys)\n");
	printf("minisign -Vm                  %8.1f  %8.1f\n", mw, mc);
	printf("skillhost verify              %8.1f  %8.1f\n", ow, oc);
	printf("skillhost verify, libsodium   %8.1f  %8.1f  "
	       "(SKILLHOST_BLAKE2B=sodium)\n",
	       sw, sc);
	printf("speed minisign/skillhost      %8.2f  (goal >= 1.00)\n",
	       mw / ow);
	printf("CPU skillhost/minisign        %8.2f  (goal <= 1.10)\n",
	       oc / mc);
	printf("skillhost install --force     %8.1f  %8.1f\n", iw, ic);
	print_load("after");
	fs_remove_tree(dir, &e);
	return 0;
}
