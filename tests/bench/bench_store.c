/*
 * bench_store - the store's costs, measured in one run:
 *   1. installing a 10 MB package: the whole install, and its phases
 *      (hash + signature check, extraction, probe) timed separately;
 *   2. `skillhost tools` start-up with 1,000 installed skills (5 tools
 *      each), generated here, as a whole process: wall time and peak RSS.
 *
 *   bench_store [RUNS=9]
 * Needs the build's skills-out (dev key, hello.so) and host/skillhost.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "call.h"
#include "fsutil.h"
#include "manifest.h"
#include "minisig.h"
#include "package.h"
#include "probe.h"
#include "store.h"
#include "trust.h"
#define BENCH_NAME "bench_store"
#include "bench_util.h"

static double ms_since(int64_t t0)
{
	return (double)(call_now_ns() - t0) / 1e6;
}

/* Run argv with SKILLHOST_HOME=home, stdout to /dev/null; returns wall ms
 * and the child's peak RSS in KiB. */
static double time_process(char *const argv[], const char *home, long *rss)
{
	struct rusage ru;
	int64_t t0 = call_now_ns();
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		setenv("SKILLHOST_HOME", home, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	wait4(pid, &status, 0, &ru);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_store: %s failed\n", argv[0]);
		exit(5);
	}
	*rss = ru.ru_maxrss;
	return ms_since(t0);
}

static void bench_install(const char *dir, int runs)
{
	char src[512], pkg[600], home[512], cmd[4096], dest[600], lib[700];
	double full[64], verify[64], extract[64], probe[64];
	struct minisig_pubkey pk;
	struct minisig_signature sig;
	struct sh_error e;
	struct stat st;

	if (fs_pathf(src, sizeof src, NULL, "%s/src", dir) ||
	    fs_pathf(pkg, sizeof pkg, NULL, "%s/big.skill", dir) ||
	    fs_pathf(home, sizeof home, NULL, "%s/home", dir))
		bench_die("path too long", NULL);
	bench_make_big_package(src, pkg);
	stat(pkg, &st);
	snprintf(cmd, sizeof cmd, "%s/dev.pub", SKILLS_OUT);
	if (minisig_pubkey_load(cmd, &pk, &e) ||
	    trust_add(home, &pk, "example", &e))
		bench_die("trust", &e);
	snprintf(cmd, sizeof cmd, "%s.minisig", pkg);
	if (minisig_load(cmd, &sig, &e))
		bench_die("load signature", &e);

	for (int r = 0; r < runs; r++) {
		struct store_install_opts o = {.force = 1};
		struct store_install_result res;
		uint8_t digest[MINISIG_DIGEST_BYTES];
		struct skilldesc *d;
		uint64_t size;
		int64_t t0;

		t0 = call_now_ns();
		/* What store_install does: the signature's digest only. */
		if (minisig_hash_file(pkg, digest, NULL, &size, &e) ||
		    minisig_verify_digest(&pk, &sig, digest, &e))
			bench_die("verify", &e);
		verify[r] = ms_since(t0);

		if (fs_pathf(dest, sizeof dest, NULL, "%s/x%d", dir, r))
			bench_die("path too long", NULL);
		t0 = call_now_ns();
		if (package_extract(pkg, dest, NULL, &e))
			bench_die("extract", &e);
		extract[r] = ms_since(t0);

		if (fs_pathf(lib, sizeof lib, NULL, "%s/lib/%s/hello.so", dest,
		             SKILLHOST_PLATFORM))
			bench_die("path too long", NULL);
		t0 = call_now_ns();
		if (probe_skill(lib, dest, &d, &e))
			bench_die("probe", &e);
		probe[r] = ms_since(t0);
		skilldesc_free(d);
		fs_remove_tree(dest, &e);

		t0 = call_now_ns();
		if (store_install(home, pkg, &o, &res, &e))
			bench_die("install", &e);
		full[r] = ms_since(t0);
	}
	printf("install of a %.1f MB package (median of %d):\n",
	       (double)st.st_size / 1e6, runs);
	printf("  whole install:           %7.1f ms\n",
	       bench_median(full, runs));
	printf("  hash + signature check:  %7.1f ms\n",
	       bench_median(verify, runs));
	printf("  safe extraction + sync:  %7.1f ms\n",
	       bench_median(extract, runs));
	printf("  probe in a child:        %7.1f ms\n",
	       bench_median(probe, runs));
}

static void bench_startup(const char *dir, int runs)
{
	static const char schema[] =
	        "{\\\"type\\\":\\\"object\\\",\\\"properties\\\":{"
	        "\\\"query\\\":"
	        "{\\\"type\\\":\\\"string\\\",\\\"description\\\":\\\"What to "
	        "look for\\\"},\\\"limit\\\":{\\\"type\\\":\\\"integer\\\","
	        "\\\"minimum\\\":1,\\\"maximum\\\":100},\\\"fields\\\":{"
	        "\\\"type"
	        "\\\":\\\"array\\\",\\\"items\\\":{\\\"type\\\":\\\"string\\\"}"
	        "}},"
	        "\\\"required\\\":[\\\"query\\\"],\\\"additionalProperties\\\":"
	        "false}";
	char home[512], path[600], bin[600];
	double wall[64], wall_json[64];
	long rss = 0, rss_json = 0;
	struct sh_error e;
	FILE *f;

	snprintf(home, sizeof home, "%s/many", dir);
	fs_mkdirs(home, 0700, &e);
	snprintf(path, sizeof path, "%s/installed.json", home);
	f = fopen(path, "w");
	fprintf(f, "{\"format\":1,\"skills\":{");
	for (int i = 0; i < 1000; i++) {
		fprintf(f,
		        "%s\"bench/"
		        "skill-%04d\":{\"current\":{\"version\":\"1.0.0\","
		        "\"dir\":\"skills/bench/skill-%04d/1.0.0-x\",\"lib\":"
		        "\"lib/%s/s.so\",\"publisher\":\"0123456789ABCDEF\","
		        "\"installed\":1764000000,\"manifest\":\"%064d\","
		        "\"permissions\":{},\"skill\":{\"name\":\"bench/"
		        "skill-%04d\","
		        "\"version\":\"1.0.0\",\"description\":\"A skill made "
		        "up for "
		        "the start-up "
		        "benchmark.\",\"serialized\":false,\"tools\":[",
		        i ? "," : "", i, i, SKILLHOST_PLATFORM, 0, i);
		for (int t = 0; t < 5; t++)
			fprintf(f,
			        "%s{\"name\":\"tool_%d\",\"title\":\"Tool %d\","
			        "\"description\":\"Searches something and "
			        "returns "
			        "the "
			        "matches.\",\"inputSchema\":\"%s\",\"hints\":"
			        "{\"readOnlyHint\":true},\"requires\":[]}",
			        t ? "," : "", t, t, schema);
		fprintf(f, "]}},\"previous\":null}");
	}
	fprintf(f, "}}\n");
	fclose(f);
	snprintf(bin, sizeof bin, "%s/../host/skillhost", SKILLS_OUT);
	{
		char *argv_text[] = {bin, "tools", NULL};
		char *argv_json[] = {bin, "tools", "--format", "mcp", NULL};
		for (int r = 0; r < runs; r++) {
			wall[r] = time_process(argv_text, home, &rss);
			wall_json[r] = time_process(argv_json, home, &rss_json);
		}
	}
	{
		struct stat st;
		stat(path, &st);
		printf("start-up with 1000 installed skills (5000 tools, index "
		       "%.1f MB), whole process, median of %d:\n",
		       (double)st.st_size / 1e6, runs);
	}
	printf("  skillhost tools:              %6.1f ms, peak RSS %ld KiB\n",
	       bench_median(wall, runs), rss);
	printf("  skillhost tools --format mcp: %6.1f ms, peak RSS %ld KiB\n",
	       bench_median(wall_json, runs), rss_json);
	printf("  target < 50 ms: %s\n",
	       bench_median(wall, runs) < 50 ? "met" : "NOT MET");
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 9;
	char dir[] = "/tmp/bench-store-XXXXXX";
	struct sh_error e;

	if (runs < 1 || runs > 64) {
		fprintf(stderr, "usage: bench_store [RUNS (1-64)]\n");
		return 2;
	}
	if (!mkdtemp(dir))
		return 5;
	bench_use_built_worker();
	bench_install(dir, runs);
	bench_startup(dir, runs);
	fs_remove_tree(dir, &e);
	return 0;
}
