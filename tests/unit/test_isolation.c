/*
 * test_isolation.c - skills in sandboxed workers: every hostile tool fails
 * its call with a reason within its deadline + 200 ms while the host stays
 * up, and the next 1,000 calls work; a worker that dies between calls is
 * replaced without failing the next one, and so is one that dies after the
 * pool's check, before it took the call, while a call a worker took is
 * never run twice; other calls in flight unaffected;
 * backoff and the circuit breaker; cancellation; every host service and
 * extension forwarded, with results identical to in-process; the
 * concurrency and timeout policies; the audit log (fields, no argument
 * secrets, rotation) and the metrics.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <skill/ext/artifacts.h>
#include <skill/ext/config.h>
#include <skill/ext/http.h>
#include <skill/ext/secrets.h>

#include "audit.h"
#include "call.h"
#include "catalog.h"
#include "config.h"
#include "dispatch.h"
#include "exec_isolated.h"
#include "perms.h"
#include "artifacts.h"
#include "wire.h"
#include "fsutil.h"
#include "hostapi.h"
#include "hostext.h"
#include "metrics.h"
#include "probe.h"
#include "runtime.h"
#include "sandbox.h"

/* "Within the deadline plus SLACK_MS", with the worker's start-up on top.
 * What is proven is that the deadline stops the call (unenforced, spin and
 * sleep never end), not speed: the slack covers a worker's exit and a new
 * worker's start on a CI machine shared with other work. Instrumented
 * workers start and stop several times slower: an ASan build at load 16
 * took 2,319 ms for a 1,000 ms deadline. */
#define SLACK_MS   (sandbox_sanitized() ? 4000 : 1000)
#define SECRET_ARG "SECRET-ARG-hunter2-7f3a"

static char home[64];
static struct runtime *rt;       /* isolated */
static struct runtime *rt_local; /* the same files in-process */
static int listen_port;
static int listen_fd = -1;

static const char *const files[] = {"testing-hostile",    "testing-crasher",
                                    "testing-noop",       "testing-sleeper",
                                    "testing-everything", "testing-serial"};

static int64_t now_ms(void)
{
	return call_now_ns() / 1000000;
}

static void lib_path(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/lib/%s.so", SKILLS_OUT, name);
}

static struct runtime *open_rt(int isolate, const char *caller)
{
	struct runtime_opts o = {
	        .home = home, .isolate_files = isolate, .caller = caller};
	struct runtime *r;
	struct sh_error e;

	if (runtime_open(&o, &r, &e) != SH_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return NULL;
	}
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char path[1024];
		lib_path(path, sizeof path, files[i]);
		if (runtime_add_skill_file(r, path, &e) != SH_OK) {
			fprintf(stderr, "%s\n", e.msg);
			runtime_close(r);
			return NULL;
		}
	}
	if (runtime_seal(r, &e) != SH_OK) {
		fprintf(stderr, "%s\n", e.msg);
		runtime_close(r);
		return NULL;
	}
	return r;
}

static int setup(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof a;
	struct sh_error e;
	char path[128];
	static const char secrets[] =
	        "{\"format\":1,\"skills\":{\"other/skill\":"
	        "{\"TOKEN\":\"other-skills-secret-value\"}}}";

	(void)state;
	snprintf(home, sizeof home, "/tmp/skillhost-iso-XXXXXX");
	if (!mkdtemp(home))
		return -1;
	/* The operator's policy and settings, before the runtimes read
	 * config.json. */
	if (config_update(home, "testing/hostile", "policy", "memory", "256M",
	                  &e) ||
	    config_update(home, "testing/hostile", "settings", "greeting", "hi",
	                  &e) ||
	    config_update(home, "testing/hostile", "policy",
	                  "artifacts-call-max", "64M", &e) ||
	    config_update(home, "testing/everything", "settings", "greeting",
	                  "hello", &e) ||
	    config_update(home, "testing/sleeper", "policy", "concurrency", "2",
	                  &e) ||
	    config_update(home, "testing/sleeper", "policy", "timeout", "1500",
	                  &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	/* Another skill's secrets, as the store keeps them (0600). */
	snprintf(path, sizeof path, "%s/secrets.json", home);
	if (fs_write_atomic(path, secrets, sizeof secrets - 1, 0600, &e))
		return -1;
	/* Something to connect to, so a refusal is the sandbox's doing. */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof a) ||
	    listen(listen_fd, 8) ||
	    getsockname(listen_fd, (struct sockaddr *)&a, &alen))
		return -1;
	listen_port = ntohs(a.sin_port);
	rt = open_rt(1, "test");
	rt_local = open_rt(0, "test-local");
	return rt && rt_local ? 0 : -1;
}

static int teardown(void **state)
{
	struct sh_error e;

	(void)state;
	runtime_close(rt);
	runtime_close(rt_local);
	if (listen_fd >= 0)
		close(listen_fd);
	fs_remove_tree(home, &e);
	return 0;
}

/* Call and return the CallToolResult as compact JSON (caller frees). */
static char *call_on(struct runtime *r, const char *tool, const char *args,
                     int64_t timeout_ms, atomic_int *cancel, int *is_error)
{
	struct call_result res;
	struct sh_error e;
	cJSON *j;
	char *s;

	if (runtime_call(r, tool, args, strlen(args), NULL, timeout_ms, cancel,
	                 &res, &e) != SH_OK)
		fail_msg("%s: dispatch failed: %s", tool, e.msg);
	*is_error = res.is_error;
	j = call_result_to_json(&res);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static void expect_ok(const char *tool, const char *args, const char *want)
{
	int err;
	char *s = call_on(rt, tool, args, 0, NULL, &err);

	if (err || !strstr(s, want))
		fail_msg("%s: wanted a result with \"%s\", got %s", tool, want,
		         s);
	free(s);
}

static struct executor *executor_of(const char *skill)
{
	struct catalog *c = runtime_catalog(rt);
	struct executor *ex = NULL;
	struct sh_error e;

	assert_int_equal(
	        catalog_executor(c, catalog_skill_find(c, skill), &ex, &e),
	        SH_OK);
	return ex;
}

struct hostile_case {
	const char *tool, *args;
	int64_t timeout_ms; /* 0: none */
	/* in the error message; "A|B": either (a host path is refused, or
	 * absent from a minimal root) */
	const char *want;
	/* in a sanitizer build, where UBSan stops a NULL write before the
	 * kernel does; NULL: the same */
	const char *sanitized_want;
};

/* args with PORT and HOME replaced by the listener's port and the store. */
static void expand(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	while (*in && n + 64 < cap) {
		if (!strncmp(in, "PORT", 4)) {
			n += (size_t)snprintf(out + n, cap - n, "%d",
			                      listen_port);
			in += 4;
		} else if (!strncmp(in, "HOME", 4)) {
			n += (size_t)snprintf(out + n, cap - n, "%s", home);
			in += 4;
		} else {
			out[n++] = *in++;
		}
	}
	out[n] = '\0';
}

/* 1 when s contains one of the '|'-separated alternatives of want. */
static int has_any(const char *s, const char *want)
{
	char alt[256];

	for (const char *p = want;;) {
		size_t n = strcspn(p, "|");
		snprintf(alt, sizeof alt, "%.*s", (int)n, p);
		if (strstr(s, alt))
			return 1;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static void check_case(const struct hostile_case *hc)
{
	char skill[64], args[512];
	const char *dot = strchr(hc->tool, '.');
	int64_t t0, took;
	int err;
	char *s;

	const char *want = sandbox_sanitized() && hc->sanitized_want
	                           ? hc->sanitized_want
	                           : hc->want;

	expand(hc->args, args, sizeof args);
	t0 = now_ms();
	s = call_on(rt, hc->tool, args, hc->timeout_ms, NULL, &err);
	took = now_ms() - t0;
	if (!err || !has_any(s, want))
		fail_msg("%s %s: wanted isError with \"%s\", got %s", hc->tool,
		         args, want, s);
	if (strstr(s, "other-skills-secret-value") || strstr(s, "root:"))
		fail_msg("%s leaked a file: %s", hc->tool, s);
	free(s);
	/* In time: the deadline plus the grace plus reaping. */
	if (took > (hc->timeout_ms ? hc->timeout_ms : 5000) + SLACK_MS)
		fail_msg("%s took %lld ms (deadline %lld ms)", hc->tool,
		         (long long)took, (long long)hc->timeout_ms);
	/* The next call of the same skill works, on a new worker if the
	 * last one died, and so do the 1,000 after it. */
	snprintf(skill, sizeof skill, "%.*s.ok", (int)(dot - hc->tool),
	         hc->tool);
	expect_ok(skill, "{}", strstr(skill, "crasher") ? "still alive" : "ok");
	for (int i = 0; i < 1000; i++) {
		struct call_result res;
		struct sh_error e;
		if (runtime_call(rt, skill, "{}", 2, NULL, 0, NULL, &res, &e) !=
		            SH_OK ||
		    res.is_error)
			fail_msg("%s: call %d after %s failed", skill, i,
			         hc->tool);
		call_result_free(&res);
	}
}

static void test_hostile_tools(void **state)
{
	static const struct hostile_case cases[] = {
	        {"testing/crasher.segv", "{}", 0, "SIGSEGV",
	         "runtime error: store to null pointer"},
	        {"testing/crasher.abort", "{}", 0, "SIGABRT"},
	        {"testing/hostile.spin", "{}", 1000, "deadline passed"},
	        {"testing/hostile.sleep", "{}", 1000, "deadline passed"},
	        {"testing/hostile.flood", "{}", 1000, "deadline passed"},
	        /* Either the host sees the hang-up (the skill's close drops
	         * the last reference to the socket), or a thread of the
	         * worker still holds the socket and the deadline ends it. */
	        {"testing/hostile.close_channel", "{}", 1000, ""},
	        {"testing/hostile.fork_bomb", "{}", 0, "(clone)"},
	        {"testing/hostile.exec", "{}", 0, "(execve)"},
	        {"testing/hostile.connect", "{\"port\":PORT}", 0,
	         "socket: Permission denied"},
	        {"testing/hostile.read_file", "{\"path\":\"/etc/shadow\"}", 0,
	         "Permission denied|No such file"},
	        {"testing/hostile.read_file",
	         "{\"path\":\"HOME/secrets.json\"}", 0,
	         "Permission denied|No such file"},
	        {"testing/hostile.write_file", "{\"path\":\"HOME/planted\"}", 0,
	         "Permission denied|No such file|Read-only"},
	        {"testing/hostile.kill_host", "{}", 0, "kill: "},
	        {"testing/hostile.exit", "{}", 0, "exited with status 3"},
	        {"testing/hostile.garbage", "{\"kind\":\"junk\"}", 0,
	         "broke the host protocol"},
	        {"testing/hostile.garbage", "{\"kind\":\"huge\"}", 0,
	         "broke the host protocol"},
	        {"testing/hostile.garbage", "{\"kind\":\"version\"}", 0,
	         "protocol version 9"},
	        {"testing/hostile.garbage", "{\"kind\":\"stray-done\"}", 0,
	         "stray done"},
	        /* File descriptors the host must refuse without reading them
	         * (wire.h): each breaks the session. */
	        {"testing/hostile.bad_fd", "{\"kind\":\"pipe\"}", 0,
	         "not a memfd"},
	        {"testing/hostile.bad_fd", "{\"kind\":\"socket\"}", 0,
	         "not a memfd"},
	        {"testing/hostile.bad_fd", "{\"kind\":\"unsealed\"}", 0,
	         "not sealed against writing, growing and shrinking"},
	        {"testing/hostile.bad_fd", "{\"kind\":\"shrink\"}", 0,
	         "not sealed against writing, growing and shrinking"},
	        {"testing/hostile.bad_fd", "{\"kind\":\"mismatch\"}", 0,
	         "a memfd of 4096 bytes declared as 1099511627776"},
	        {"testing/hostile.bad_fd", "{\"kind\":\"stray\"}", 0,
	         "a file descriptor no frame claimed"},
	        {"testing/hostile.bad_fd", "{\"kind\":\"unasked\"}", 0,
	         "a log frame with a file descriptor"},
	        /* sendmsg is allowed on the host's socket only. */
	        {"testing/hostile.bad_fd", "{\"kind\":\"elsewhere\"}", 0,
	         "sendmsg fd 1: Permission denied"},
	        /* Under ASan the cap is ASan's RSS limit; the report names it
	         * all the same. */
	        {"testing/hostile.hog", "{}", 20000, "memory cap of 256 MiB"},
	};
	struct exec_isolated_stats st;
	char planted[128];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		check_case(&cases[i]);
	snprintf(planted, sizeof planted, "%s/planted", home);
	assert_false(fs_exists(planted));
	assert_true(exec_isolated_stats(executor_of("testing/hostile"), &st));
	assert_true(st.restarts >= 19);
	assert_int_equal(st.crash_streak, 0);
	assert_false(st.breaker_open);
	assert_true(st.sandbox & SANDBOX_SECCOMP);
	assert_true(st.sandbox & SANDBOX_NO_NEW_PRIVS);
	assert_true(st.sandbox & SANDBOX_RLIMITS);
}

/* The artifact hostile.artifact reported (its path, the result's text)
 * holds text repeated n times. */
static void check_artifact(const char *result, const char *text, long n)
{
	cJSON *j = cJSON_Parse(result), *c;
	const char *path;
	size_t len = strlen(text);
	struct sh_error e;
	char *got;
	size_t got_len;

	assert_non_null(j);
	/* The commit put a resource link first; the text is the path. */
	path = NULL;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "content"))
	{
		if (!path)
			path = cJSON_GetStringValue(
			        cJSON_GetObjectItemCaseSensitive(c, "text"));
	}
	if (!path)
		fail_msg("no path in %.300s", result);
	assert_int_equal(
	        fs_read_file(path, (size_t)1 << 30, &got, &got_len, &e), SH_OK);
	assert_int_equal(got_len, len * (size_t)n);
	for (long i = 0; i < n; i++)
		if (memcmp(got + (size_t)i * len, text, len) != 0)
			fail_msg("%s: copy %ld differs", path, i);
	free(got);
	cJSON_Delete(j);
}

/* Bulk data crosses as sealed memfds (wire.h): arguments over
 * WIRE_ARGS_FD_MIN reach the skill whole, an artifact over
 * WIRE_ART_INLINE arrives byte for byte, one over WIRE_ART_SEGMENT in
 * several segments, and the per-call quota still stops one that is too
 * big, with its message. */
static void test_bulk_data(void **state)
{
	size_t big = ((size_t)1 << 20) + WIRE_ARGS_FD_MIN + 17;
	char *text = malloc(big + 1), *args = malloc(big + 64), *s;
	int err;

	(void)state;
	assert_non_null(text);
	assert_non_null(args);
	for (size_t i = 0; i < big; i++)
		text[i] = (char)('a' + i % 26);
	text[big] = '\0';
	/* Arguments and artifact both past their thresholds. */
	snprintf(args, big + 64, "{\"text\":\"%s\"}", text);
	s = call_on(rt, "testing/hostile.artifact", args, 0, NULL, &err);
	if (err)
		fail_msg("big artifact: %s", s);
	check_artifact(s, text, 1);
	free(s);
	/* 40 MiB, from a 1 MiB argument: two segments. */
	text[(size_t)1 << 20] = '\0';
	snprintf(args, big + 64, "{\"text\":\"%s\",\"repeat\":40}", text);
	s = call_on(rt, "testing/hostile.artifact", args, 0, NULL, &err);
	if (err)
		fail_msg("segmented artifact: %s", s);
	check_artifact(s, text, 40);
	free(s);
	/* 70 MiB against the 64 MiB cap set in setup(). */
	snprintf(args, big + 64, "{\"text\":\"%s\",\"repeat\":70}", text);
	s = call_on(rt, "testing/hostile.artifact", args, 0, NULL, &err);
	if (!err || !strstr(s, "over the per-call cap of 64 MiB"))
		fail_msg("over the quota: %s", s);
	free(s);
	/* The worker that was refused serves the next call. */
	expect_ok("testing/hostile.ok", "{}", "ok");
	free(text);
	free(args);
}

/* A bounded flood returns normally: the host drains the output without
 * blocking the skill, and logs only a bounded part of it. */
static void test_flood_is_drained(void **state)
{
	(void)state;
	expect_ok("testing/hostile.flood", "{\"bytes\":8000000}", "flooded 8");
	expect_ok("testing/hostile.nan_progress", "{}", "progressed");
	expect_ok("testing/hostile.write_file", "{}", "wrote and read back");
}

static void test_thousand_calls_after_crash(void **state)
{
	struct exec_isolated_stats before, after;
	int err;
	char *s;

	(void)state;
	assert_true(
	        exec_isolated_stats(executor_of("testing/crasher"), &before));
	s = call_on(rt, "testing/crasher.segv", "{}", 0, NULL, &err);
	assert_true(err);
	free(s);
	for (int i = 0; i < 1000; i++) {
		struct call_result res;
		struct sh_error e;
		assert_int_equal(runtime_call(rt, "testing/crasher.ok", "{}", 2,
		                              NULL, 0, NULL, &res, &e),
		                 SH_OK);
		assert_false(res.is_error);
		call_result_free(&res);
	}
	assert_true(
	        exec_isolated_stats(executor_of("testing/crasher"), &after));
	assert_int_equal(after.crashes, before.crashes + 1);
	assert_int_equal(after.restarts, before.restarts + 1);
}

/* ---- other calls in flight are unaffected ---- */

#define GOOD_THREADS 4
#define GOOD_CALLS   300

static atomic_int bad_done;

static void *good_caller(void *arg)
{
	long id = (long)arg;

	for (int i = 0; i < GOOD_CALLS; i++) {
		char args[64], want[64];
		struct call_result res;
		struct sh_error e;
		cJSON *j;
		char *s;
		int bad;
		snprintf(args, sizeof args, "{\"text\":\"t%ld-%d\"}", id, i);
		snprintf(want, sizeof want, "\"text\":\"t%ld-%d\"", id, i);
		if (runtime_call(rt,
		                 id % 2 ? "testing/noop.echo"
		                        : "testing/hostile.ok",
		                 args, strlen(args), NULL, 0, NULL, &res,
		                 &e) != SH_OK)
			return (void *)1;
		j = call_result_to_json(&res);
		s = cJSON_PrintUnformatted(j);
		bad = res.is_error || !s || !strstr(s, want);
		free(s);
		cJSON_Delete(j);
		if (bad)
			return (void *)2;
	}
	return NULL;
}

static void *bad_caller(void *arg)
{
	static const char *const tools[] = {
	        "testing/crasher.segv",  "testing/crasher.ok",
	        "testing/hostile.spin",  "testing/hostile.exit",
	        "testing/hostile.ok",    "testing/hostile.garbage",
	        "testing/crasher.abort", "testing/crasher.ok"};
	long n = 0;

	(void)arg;
	while (!atomic_load(&bad_done)) {
		const char *tool = tools[n++ % (sizeof tools / sizeof *tools)];
		struct call_result res;
		struct sh_error e;
		if (runtime_call(rt, tool, "{}", 2, NULL, 300, NULL, &res,
		                 &e) != SH_OK)
			return (void *)1;
		call_result_free(&res);
	}
	return NULL;
}

static void test_others_unaffected(void **state)
{
	pthread_t good[GOOD_THREADS], bad[2];

	(void)state;
	atomic_store(&bad_done, 0);
	for (long i = 0; i < 2; i++)
		assert_int_equal(
		        pthread_create(&bad[i], NULL, bad_caller, (void *)i),
		        0);
	for (long i = 0; i < GOOD_THREADS; i++)
		assert_int_equal(
		        pthread_create(&good[i], NULL, good_caller, (void *)i),
		        0);
	for (int i = 0; i < GOOD_THREADS; i++) {
		void *ret;
		pthread_join(good[i], &ret);
		assert_null(ret);
	}
	atomic_store(&bad_done, 1);
	for (int i = 0; i < 2; i++) {
		void *ret;
		pthread_join(bad[i], &ret);
		assert_null(ret);
	}
	/* Crashing alternately with successes never opens the breaker. */
	expect_ok("testing/crasher.ok", "{}", "still alive");
	expect_ok("testing/hostile.ok", "{}", "ok");
}

/* ---- backoff and the circuit breaker ---- */

static struct executor *crasher_executor(const struct exec_isolated_opts *in,
                                         struct skilldesc **desc)
{
	struct exec_isolated_opts o = *in;
	struct executor *ex;
	struct sh_error e;
	char lib[1024], dir[1024];

	lib_path(lib, sizeof lib, "testing-crasher");
	snprintf(dir, sizeof dir, "%s/lib", SKILLS_OUT);
	assert_int_equal(probe_skill(lib, dir, desc, &e), SH_OK);
	o.desc = *desc;
	o.lib = lib;
	if (exec_isolated_open(&o, &ex, &e) != SH_OK)
		fail_msg("%s", e.msg);
	return ex;
}

/* How the last invoke() below ended, as the executor reported it. */
static struct exec_result last_outcome;

/* Call tool index of ex directly, the way dispatch does. */
static int64_t invoke(struct executor *ex, uint32_t index, const char *name,
                      int *is_error, char *text, size_t cap)
{
	struct skill_call c;
	struct call_result r;
	cJSON *args = cJSON_Parse("{}");
	int64_t t0 = now_ms();
	skill_status st;
	cJSON *j;
	char *s;

	call_init(&c, "testing/crasher", name, args);
	memset(&last_outcome, 0xff, sizeof last_outcome);
	st = ex->ops->invoke(ex, index, "{}", 2, &c, &last_outcome);
	call_finish(&c, &r);
	*is_error = r.is_error || st != SKILL_OK;
	j = call_result_to_json(&r);
	s = cJSON_PrintUnformatted(j);
	snprintf(text, cap, "%s", s ? s : "");
	free(s);
	cJSON_Delete(j);
	cJSON_Delete(args);
	return now_ms() - t0;
}

static void test_backoff_and_breaker(void **state)
{
	/* A base of 1 s keeps "held back" apart from "a slow start" on a
	 * loaded machine (an ASan worker's start and crash took 150 ms). */
	struct exec_isolated_opts o = {.breaker_crashes = 3,
	                               .backoff_base_ms = 1000,
	                               .backoff_max_ms = 1000,
	                               .breaker_cooldown_ms = 1000};
	struct exec_isolated_stats st;
	struct skilldesc *desc;
	struct executor *ex;
	char text[2048];
	int64_t took;
	int err;

	(void)state;
	ex = crasher_executor(&o, &desc);
	/* Crash 1 needs no delay before the next start; crash 2 holds the
	 * next start back by the base; crash 3 opens the breaker. */
	invoke(ex, 0, "testing/crasher.segv", &err, text, sizeof text);
	assert_true(err);
	/* The typed outcome dispatch maps onto the audit status. Under
	 * UBSan the null store is caught before the signal: the worker
	 * exits with UBSan's status instead of dying of SIGSEGV. */
	if (sandbox_sanitized()) {
		assert_int_equal(last_outcome.outcome, EXEC_EXITED);
	} else {
		assert_int_equal(last_outcome.outcome, EXEC_CRASHED);
		assert_string_equal(last_outcome.detail, "crashed: SIGSEGV");
	}
	took = invoke(ex, 0, "testing/crasher.segv", &err, text, sizeof text);
	assert_true(err);
	assert_true(took < 1000);
	took = invoke(ex, 1, "testing/crasher.abort", &err, text, sizeof text);
	assert_true(err);
	assert_non_null(strstr(text, "SIGABRT"));
	if (took < 1000)
		fail_msg("the restart after 2 crashes was not held back (%lld "
		         "ms)",
		         (long long)took);
	assert_true(exec_isolated_stats(ex, &st));
	assert_true(st.breaker_open);
	assert_int_equal(st.crash_streak, 3);
	/* Open: fails at once, saying why, without starting anything. */
	took = invoke(ex, 2, "testing/crasher.ok", &err, text, sizeof text);
	assert_true(err);
	assert_true(took < 500);
	assert_int_equal(last_outcome.outcome, EXEC_BREAKER_OPEN);
	assert_string_equal(last_outcome.detail, "breaker open");
	if (!strstr(text, "not being restarted") ||
	    !strstr(text, "3 times in a row"))
		fail_msg("breaker message: %s", text);
	assert_true(exec_isolated_stats(ex, &st));
	assert_int_equal(st.started, 3);
	/* After the cool-down one call may try; its success closes it. */
	usleep(1100 * 1000);
	invoke(ex, 2, "testing/crasher.ok", &err, text, sizeof text);
	assert_false(err);
	assert_int_equal(last_outcome.outcome, EXEC_OK);
	assert_string_equal(last_outcome.detail, "");
	assert_true(exec_isolated_stats(ex, &st));
	assert_false(st.breaker_open);
	assert_int_equal(st.crash_streak, 0);
	/* One crash after that does not reopen it. */
	invoke(ex, 0, "testing/crasher.segv", &err, text, sizeof text);
	invoke(ex, 2, "testing/crasher.ok", &err, text, sizeof text);
	assert_false(err);
	ex->ops->destroy(ex);
	skilldesc_free(desc);
}

/* After the cool-down, one more crash opens it again at once. */
static void test_breaker_reopens(void **state)
{
	struct exec_isolated_opts o = {.breaker_crashes = 2,
	                               .backoff_base_ms = 10,
	                               .breaker_cooldown_ms = 300};
	struct exec_isolated_stats st;
	struct skilldesc *desc;
	struct executor *ex;
	char text[2048];
	int err;

	(void)state;
	ex = crasher_executor(&o, &desc);
	invoke(ex, 0, "testing/crasher.segv", &err, text, sizeof text);
	invoke(ex, 0, "testing/crasher.segv", &err, text, sizeof text);
	assert_true(exec_isolated_stats(ex, &st) && st.breaker_open);
	usleep(350 * 1000);
	assert_true(exec_isolated_stats(ex, &st) && !st.breaker_open);
	invoke(ex, 0, "testing/crasher.segv", &err, text, sizeof text);
	assert_true(exec_isolated_stats(ex, &st) && st.breaker_open);
	invoke(ex, 2, "testing/crasher.ok", &err, text, sizeof text);
	assert_true(err);
	assert_non_null(strstr(text, "not being restarted"));
	ex->ops->destroy(ex);
	skilldesc_free(desc);
}

/* ---- cancellation ---- */

struct canceller {
	atomic_int *flag;
	int ms;
};

static void *cancel_later(void *arg)
{
	struct canceller *c = arg;

	usleep((useconds_t)c->ms * 1000);
	atomic_store(c->flag, 1);
	return NULL;
}

static void test_cancellation(void **state)
{
	struct exec_isolated_stats before, after;
	atomic_int flag = 0;
	struct canceller c = {&flag, 200};
	pthread_t th;
	int64_t t0, took;
	int err;
	char *s;

	(void)state;
	/* A skill that honours cancellation stops by itself and keeps its
	 * worker. */
	assert_true(
	        exec_isolated_stats(executor_of("testing/sleeper"), &before));
	t0 = now_ms();
	s = call_on(rt, "testing/sleeper.sleep", "{\"ms\":5000}", 300, NULL,
	            &err);
	took = now_ms() - t0;
	assert_true(err);
	assert_non_null(strstr(s, "sleeper saw its deadline pass"));
	assert_true(took < 300 + SLACK_MS);
	free(s);
	pthread_create(&th, NULL, cancel_later, &c);
	s = call_on(rt, "testing/sleeper.sleep", "{\"ms\":5000}", 0, &flag,
	            &err);
	pthread_join(th, NULL);
	assert_true(err);
	assert_non_null(strstr(s, "sleeper saw cancellation"));
	free(s);
	assert_true(
	        exec_isolated_stats(executor_of("testing/sleeper"), &after));
	assert_int_equal(after.started, before.started);
	/* One that does not is killed after the grace. */
	atomic_store(&flag, 0);
	pthread_create(&th, NULL, cancel_later, &c);
	t0 = now_ms();
	s = call_on(rt, "testing/hostile.sleep", "{}", 0, &flag, &err);
	took = now_ms() - t0;
	pthread_join(th, NULL);
	assert_true(err);
	if (!strstr(s, "was cancelled and the skill did not stop"))
		fail_msg("cancel message: %s", s);
	assert_true(took < 200 + SLACK_MS + 100);
	free(s);
	expect_ok("testing/hostile.ok", "{}", "ok");
}

/* ---- the same results in-process and isolated ---- */

struct sink_count {
	int progress, log;
};

static void on_progress(void *ud, double p, double t, const char *m)
{
	(void)p, (void)t, (void)m;
	((struct sink_count *)ud)->progress++;
}

static void on_log(void *ud, skill_log_level l, const char *lg, const char *m)
{
	(void)l, (void)lg, (void)m;
	((struct sink_count *)ud)->log++;
}

static char *call_sinks(struct runtime *r, const char *tool, const char *args,
                        struct sink_count *n)
{
	struct call_sinks sinks = {
	        .progress = on_progress, .log = on_log, .ud = n};
	struct call_result res;
	struct sh_error e;
	cJSON *j;
	char *s;

	assert_int_equal(runtime_call(r, tool, args, strlen(args), &sinks, 0,
	                              NULL, &res, &e),
	                 SH_OK);
	j = call_result_to_json(&res);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static void test_same_as_in_process(void **state)
{
	static const struct {
		const char *tool, *args;
	} calls[] = {
	        {"testing/everything.text", "{\"text\":\"h\\u00e9llo\"}"},
	        {"testing/everything.structured", "{\"n\":12}"},
	        {"testing/everything.image", "{}"},
	        {"testing/everything.audio", "{}"},
	        {"testing/everything.resource", "{}"},
	        {"testing/everything.link", "{}"},
	        {"testing/everything.mixed", "{}"},
	        {"testing/everything.progress", "{\"steps\":5}"},
	        {"testing/everything.log", "{}"},
	        {"testing/everything.fail", "{\"why\":\"because\"}"},
	        {"testing/everything.echo", "{\"a\":[1,2,{\"b\":null}]}"},
	        {"testing/everything.args", "{\"s\":\"x\",\"n\":2.5,\"b\":true,"
	                                    "\"a\":[7,8],\"o\":{\"k\":1}}"},
	        {"testing/everything.config", "{\"key\":\"greeting\"}"},
	        {"testing/everything.config", "{\"key\":\"unset\"}"},
	        {"testing/everything.bad_output", "{}"},
	        {"testing/everything.structured", "{\"n\":\"not a number\"}"},
	        {"testing/noop.noop", "{}"},
	        {"testing/serial.enter", "{}"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
		struct sink_count a = {0}, b = {0};
		char *local =
		        call_sinks(rt_local, calls[i].tool, calls[i].args, &a);
		char *iso = call_sinks(rt, calls[i].tool, calls[i].args, &b);
		if (strcmp(local, iso))
			fail_msg(
			        "%s differs:\n in-process: %s\n isolated:   %s",
			        calls[i].tool, local, iso);
		if (a.progress != b.progress || a.log != b.log)
			fail_msg("%s: sinks differ: %d/%d vs %d/%d",
			         calls[i].tool, a.progress, a.log, b.progress,
			         b.log);
		free(local);
		free(iso);
	}
}

static void test_threads_and_idle_frames(void **state)
{
	(void)state;
	/* Four skill threads log and read settings at once: requests from
	 * several threads share the socket. */
	expect_ok("testing/hostile.threads", "{\"key\":\"greeting\"}",
	          "20 settings read");
	/* A thread that logs outside any call: the host reads those when
	 * it next talks to the worker, and calls go on working. */
	expect_ok("testing/hostile.background", "{}", "started");
	usleep(50 * 1000);
	for (int i = 0; i < 50; i++)
		expect_ok("testing/hostile.ok", "{}", "ok");
}

/* Whether the child pid has exited and can be reaped, without reaping it
 * (the executor does that). Not /proc's "Z": a multi-threaded process's
 * leader shows Z while its other threads still exit, and waitpid does not
 * report it until they have. */
static int process_dead(pid_t pid)
{
	siginfo_t info = {0};

	if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT))
		return errno == ECHILD;
	return info.si_pid == pid;
}

/* A worker that dies between calls (a thread of the skill crashed it) is
 * replaced before the next call, which does not fail for it. */
static void test_death_while_idle(void **state)
{
	struct exec_isolated_stats before, mid, after;

	(void)state;
	assert_true(
	        exec_isolated_stats(executor_of("testing/hostile"), &before));
	expect_ok("testing/hostile.background", "{\"crash_after_ms\":30}",
	          "started");
	/* Wait for the crash itself, not a fixed time: on a loaded machine
	 * the thread may not have run 300 ms later. */
	assert_true(exec_isolated_stats(executor_of("testing/hostile"), &mid));
	assert_true(mid.idle >= 1);
	for (int i = 0; i < 1000 && !process_dead(mid.idle_pids[0]); i++)
		usleep(10 * 1000);
	assert_true(process_dead(mid.idle_pids[0]));
	expect_ok("testing/hostile.ok", "{\"text\":\"after\"}", "after");
	assert_true(
	        exec_isolated_stats(executor_of("testing/hostile"), &after));
	assert_int_equal(after.crashes, before.crashes + 1);
	assert_int_equal(after.restarts, before.restarts + 1);
}

/* Linked with -Wl,--wrap=waitpid (tests/CMakeLists.txt): when armed, the
 * next waitpid(WNOHANG) of a worker, the pool's check that an idle worker
 * lives, kills the worker first and answers that it still runs. That is
 * the race a worker of several threads makes when one of them crashes it
 * just before a call takes it: it cannot be reaped until every thread has
 * exited, so the check passes and the call's frame goes to a dying
 * process. */
static atomic_int kill_at_check;
static pid_t killed_at_check;

pid_t __real_waitpid(pid_t pid, int *status, int options);
pid_t __wrap_waitpid(pid_t pid, int *status, int options);

/* SIGKILL the process that runs the skill: pid's child when pid is the
 * sandbox's PID-namespace supervisor, else pid itself. */
static void kill_worker(pid_t pid)
{
	char path[64], buf[512];
	pid_t leaf = pid;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid,
	         (int)pid);
	if ((f = fopen(path, "r"))) {
		if (fgets(buf, sizeof buf, f) && atoi(buf) > 0)
			leaf = (pid_t)atoi(buf);
		fclose(f);
	}
	killed_at_check = leaf;
	kill(leaf, SIGKILL);
}

pid_t __wrap_waitpid(pid_t pid, int *status, int options)
{
	if ((options & WNOHANG) && pid > 0 &&
	    atomic_exchange(&kill_at_check, 0)) {
		kill_worker(pid);
		return 0;
	}
	return __real_waitpid(pid, status, options);
}

/* An idle worker that dies after the pool checked it and before it took
 * the call: the call goes to another worker, once, and does not fail. */
static void test_death_before_take(void **state)
{
	struct exec_isolated_stats before, after;

	(void)state;
	/* An idle worker for the call to take. */
	expect_ok("testing/hostile.ok", "{\"text\":\"warm\"}", "warm");
	assert_true(
	        exec_isolated_stats(executor_of("testing/hostile"), &before));
	assert_true(before.idle >= 1);
	atomic_store(&kill_at_check, 1);
	expect_ok("testing/hostile.ok", "{\"text\":\"retried\"}", "retried");
	assert_int_equal(atomic_load(&kill_at_check), 0); /* it happened */
	assert_true(killed_at_check > 0);
	assert_true(
	        exec_isolated_stats(executor_of("testing/hostile"), &after));
	assert_int_equal(after.crashes, before.crashes + 1);
	assert_int_equal(after.restarts, before.restarts + 1);
	expect_ok("testing/hostile.ok", "{\"text\":\"next\"}", "next");
}

/* A worker that took its call and crashed in it: the call fails, and is
 * not run again on another worker (at most once). */
static void test_crash_in_call_not_retried(void **state)
{
	struct exec_isolated_stats before, after;
	int err;
	char *s;

	(void)state;
	assert_true(
	        exec_isolated_stats(executor_of("testing/crasher"), &before));
	/* abort: a SIGSEGV is a UBSan report and exit 1 in sanitizer
	 * builds, a signal in the others; SIGABRT is a crash in both. */
	s = call_on(rt, "testing/crasher.abort", "{}", 0, NULL, &err);
	assert_true(err);
	assert_non_null(strstr(s, "crashed"));
	free(s);
	assert_true(
	        exec_isolated_stats(executor_of("testing/crasher"), &after));
	/* A second run would have crashed a second worker. */
	assert_int_equal(after.crashes, before.crashes + 1);
}

/* ---- extensions the host offers, forwarded ---- */

static int http_requests, http_frees;
static char http_seen[256];

static skill_status fake_request(skill_call_t *call,
                                 const skill_http_request_t *req,
                                 const skill_http_response_t **resp)
{
	static const skill_http_header_t hdrs[] = {
	        {"content-type", "text/plain"}, {"x-reply", "1"}};
	static skill_http_response_t r = {.struct_size = sizeof r,
	                                  .status = 200,
	                                  .headers = hdrs,
	                                  .header_count = 2,
	                                  .body = "pong",
	                                  .body_len = 4,
	                                  .final_url =
	                                          "https://example.test/final"};

	(void)call;
	http_requests++;
	snprintf(http_seen, sizeof http_seen, "%s %s %s=%s", req->method,
	         req->url, req->header_count ? req->headers[0].name : "-",
	         req->header_count ? req->headers[0].value : "-");
	*resp = &r;
	return SKILL_OK;
}

static void fake_free(skill_call_t *call, const skill_http_response_t *r)
{
	(void)call, (void)r;
	http_frees++;
}

static const char *fake_header(const skill_http_response_t *r, const char *name)
{
	(void)r, (void)name;
	return NULL;
}

static int64_t fake_secret(skill_call_t *call, const char *name, char *buf,
                           size_t cap)
{
	static const char v[] = "tok-123";

	if (!call_permitted(call, "secrets", name) ||
	    strcmp(name, "HOSTILE_TOKEN"))
		return -2;
	if (buf && cap) {
		snprintf(buf, cap, "%s", v);
	}
	return (int64_t)strlen(v);
}

static const skill_ext_http_t fake_http = {.struct_size = sizeof fake_http,
                                           .request = fake_request,
                                           .response_free = fake_free,
                                           .header = fake_header};
static const skill_ext_secrets_t fake_secrets = {
        .struct_size = sizeof fake_secrets, .get = fake_secret};

/* The host's artifacts under another vtable, counting the bytes written
 * through it: a worker's memfd segments reach it through write(). */
static skill_ext_artifacts_t fake_artifacts;
static size_t fake_art_bytes;

static skill_status fake_art_write(skill_call_t *call, skill_artifact_t *h,
                                   const void *data, size_t len)
{
	fake_art_bytes += len;
	return artifacts_ext.write(call, h, data, len);
}

static const void *fake_lookup(const char *id)
{
	if (!strcmp(id, SKILL_EXT_ARTIFACTS))
		return &fake_artifacts;
	if (!strcmp(id, SKILL_EXT_HTTP))
		return &fake_http;
	if (!strcmp(id, SKILL_EXT_SECRETS))
		return &fake_secrets;
	return hostext_lookup(id);
}

static void test_extensions_forwarded(void **state)
{
	const struct host_services *svc = runtime_services(rt);
	struct exec_isolated_opts o = {.svc = svc, .ext_lookup = fake_lookup};
	struct skill_perms *sp = NULL;
	cJSON *perms = cJSON_Parse("{\"secrets\":[\"HOSTILE_TOKEN\"],"
	                           "\"filesystem\":[\"artifacts\"]}");
	struct skilldesc *desc;
	struct executor *ex;
	struct sh_error e;
	char lib[1024], dir[1024];
	static const struct {
		uint32_t index;
		const char *args, *want;
		int error;
	} calls[] = {
	        {15, "{\"url\":\"https://example.test/x\"}",
	         "200 text/plain pong", 0},
	        {16, "{\"reveal\":true}", "secret=tok-123", 0},
	        {16, "{\"name\":\"OTHER\"}", "secret not available (-2)", 1},
	        {14, "{\"text\":\"artifact body\"}", "hostile.txt", 0},
	        /* 260,000 bytes: past WIRE_ART_INLINE, a memfd */
	        {14, "{\"text\":\"artifact body\",\"repeat\":20000}",
	         "hostile.txt", 0},
	        {11, "{\"key\":\"greeting\"}", "20 settings read", 0},
	};

	(void)state;
	fake_artifacts = artifacts_ext;
	fake_artifacts.write = fake_art_write;
	fake_art_bytes = 0;
	lib_path(lib, sizeof lib, "testing-hostile");
	snprintf(dir, sizeof dir, "%s/lib", SKILLS_OUT);
	assert_int_equal(probe_skill(lib, dir, &desc, &e), SH_OK);
	o.desc = desc;
	o.lib = lib;
	if (exec_isolated_open(&o, &ex, &e) != SH_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(perms_from_json(perms, &sp, &e), SH_OK);
	for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
		cJSON *args = cJSON_Parse(calls[i].args);
		struct skill_call c;
		struct call_result r;
		skill_status st;
		cJSON *j;
		char *s;
		call_init(&c, "testing/hostile", "testing/hostile.x", args);
		c.services = svc;
		c.perms = sp;
		st = ex->ops->invoke(ex, calls[i].index, calls[i].args,
		                     strlen(calls[i].args), &c,
		                     &(struct exec_result){0});
		call_finish(&c, &r);
		j = call_result_to_json(&r);
		s = cJSON_PrintUnformatted(j);
		if (!strstr(s, calls[i].want) ||
		    (st != SKILL_OK) != calls[i].error)
			fail_msg("tool %u: status %d, %s", calls[i].index, st,
			         s);
		free(s);
		cJSON_Delete(j);
		cJSON_Delete(args);
	}
	assert_int_equal(http_requests, 1);
	assert_int_equal(http_frees, 1);
	/* Both artifacts went through this host's vtable, the memfd one
	 * copied out of the sealed memfd. */
	assert_int_equal(fake_art_bytes, 13 + 13 * 20000);
	assert_string_equal(http_seen, "GET https://example.test/x "
	                               "x-test=hostile");
	ex->ops->destroy(ex);
	skilldesc_free(desc);
	perms_free(sp);
	cJSON_Delete(perms);
}

static const void *config_only(const char *id)
{
	return strcmp(id, SKILL_EXT_CONFIG) ? NULL : hostext_lookup(id);
}

/* An extension the host does not offer is not offered to the skill. */
static void test_missing_extension(void **state)
{
	struct exec_isolated_opts o = {.svc = runtime_services(rt),
	                               .ext_lookup = config_only};
	struct skilldesc *desc;
	struct executor *ex;
	struct sh_error e;
	char lib[1024], dir[1024];
	static const struct {
		uint32_t index;
		const char *want;
	} calls[] = {{15, "no skill.http/1"},
	             {16, "no skill.secrets/1"},
	             {14, "no skill.artifacts/1"},
	             {11, "20 settings read"}};

	(void)state;
	lib_path(lib, sizeof lib, "testing-hostile");
	snprintf(dir, sizeof dir, "%s/lib", SKILLS_OUT);
	assert_int_equal(probe_skill(lib, dir, &desc, &e), SH_OK);
	o.desc = desc;
	o.lib = lib;
	if (exec_isolated_open(&o, &ex, &e) != SH_OK)
		fail_msg("%s", e.msg);
	for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
		const char *text = "{\"key\":\"greeting\"}";
		cJSON *args = cJSON_Parse(text);
		struct skill_call c;
		struct call_result r;
		cJSON *j;
		char *s;
		call_init(&c, "testing/hostile", "testing/hostile.x", args);
		ex->ops->invoke(ex, calls[i].index, text, strlen(text), &c,
		                &(struct exec_result){0});
		call_finish(&c, &r);
		j = call_result_to_json(&r);
		s = cJSON_PrintUnformatted(j);
		if (!strstr(s, calls[i].want))
			fail_msg("tool %u: %s", calls[i].index, s);
		free(s);
		cJSON_Delete(j);
		cJSON_Delete(args);
	}
	ex->ops->destroy(ex);
	skilldesc_free(desc);
}

/* ---- policy ---- */

struct sleeper_arg {
	int64_t took;
	int error;
};

static void *sleep_call(void *arg)
{
	struct sleeper_arg *a = arg;
	int64_t t0 = now_ms();
	char *s = call_on(rt, "testing/sleeper.sleep", "{\"ms\":100}", 0, NULL,
	                  &a->error);

	a->took = now_ms() - t0;
	free(s);
	return NULL;
}

static void test_policy(void **state)
{
	struct metrics_skill *ms =
	        metrics_skill(runtime_services(rt)->metrics, "testing/sleeper");
	struct sleeper_arg a[4];
	pthread_t th[4];
	unsigned most = 0;
	int64_t t0 = now_ms(), took;
	int err;
	char *s;

	(void)state;
	/* concurrency 2: four 100 ms calls take two rounds. Short calls,
	 * because a queued call's wait counts against its 1500 ms deadline
	 * and worker starts are slow on a loaded machine (with 700 ms, a
	 * call failed once while CI ran beside it). */
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, sleep_call, &a[i]);
	for (int i = 0; i < 40; i++) {
		unsigned n = metrics_skill_in_flight(ms);
		most = n > most ? n : most;
		usleep(10 * 1000);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		if (a[i].error)
			fail_msg("call %d of 4 failed after %lld ms", i + 1,
			         (long long)a[i].took);
	}
	took = now_ms() - t0;
	assert_true(most <= 2);
	assert_true(most >= 1);
	assert_true(took >= 200);
	/* timeout 1500: the deadline of a call that asked for none. */
	t0 = now_ms();
	s = call_on(rt, "testing/sleeper.sleep", "{\"ms\":5000}", 0, NULL,
	            &err);
	took = now_ms() - t0;
	assert_true(err);
	assert_non_null(strstr(s, "deadline"));
	assert_true(took >= 1450 && took < 1500 + SLACK_MS);
	free(s);
}

/* Callers waiting for a worker stand in line (exec_isolated.c): one whose
 * deadline passes while it waits leaves the line with a message that
 * says so, and the caller behind it is still served when a worker comes
 * back. Either may be first in line: both orders must hold. The hostile
 * skill has no concurrency policy, so its callers queue for its pool of
 * ISOLATED_POOL_DEFAULT workers, not before the dispatcher. */
struct line_arg {
	const char *args;
	int64_t timeout_ms;
	int error;
	char *out;
};

static void *line_call(void *arg)
{
	struct line_arg *a = arg;

	a->out = call_on(rt, "testing/hostile.sleep", a->args, a->timeout_ms,
	                 NULL, &a->error);
	return NULL;
}

static void test_waiters_in_line(void **state)
{
	struct metrics_skill *ms =
	        metrics_skill(runtime_services(rt)->metrics, "testing/hostile");
	enum { LONG = ISOLATED_POOL_DEFAULT, N = LONG + 2 };
	struct line_arg a[N];
	pthread_t th[N];
	char want[160];
	int err;
	char *s;

	(void)state;
	/* Long calls hold every worker; then a caller with a 300 ms
	 * deadline and one with time to spare wait. */
	for (int i = 0; i < N; i++)
		a[i] = (struct line_arg){i < LONG ? "{\"ms\":900}"
		                                  : "{\"ms\":1}",
		                         i == LONG ? 300 : 10000, 0, NULL};
	for (int i = 0; i < LONG; i++)
		pthread_create(&th[i], NULL, line_call, &a[i]);
	for (int i = 0; i < 1000 && metrics_skill_in_flight(ms) < LONG; i++)
		usleep(5 * 1000);
	assert_int_equal(metrics_skill_in_flight(ms), LONG);
	for (int i = LONG; i < N; i++) {
		pthread_create(&th[i], NULL, line_call, &a[i]);
		usleep(20 * 1000);
	}
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < N; i++)
		if (i != LONG && a[i].error)
			fail_msg("call %d failed: %s", i, a[i].out);
	assert_true(a[LONG].error);
	(void)snprintf(want, sizeof want,
	               "the call's deadline passed while waiting for one of "
	               "skill testing/hostile's %d workers",
	               ISOLATED_POOL_DEFAULT);
	if (!strstr(a[LONG].out, want))
		fail_msg("the caller out of time: %s", a[LONG].out);
	for (int i = 0; i < N; i++)
		free(a[i].out);
	/* Nobody is left in line or holding a worker. */
	s = call_on(rt, "testing/hostile.sleep", "{\"ms\":1}", 10000, NULL,
	            &err);
	assert_false(err);
	free(s);
	assert_int_equal(metrics_skill_in_flight(ms), 0);
}

/* ---- audit and metrics ---- */

static void test_audit_log(void **state)
{
	static const char *const fields[] = {
	        "ts",     "caller",      "skill",    "tool",     "isolation",
	        "status", "duration_ms", "bytes_in", "bytes_out"};
	char path[256], *text, *line, *save = NULL;
	int lines = 0, seen_ok = 0, seen_crash = 0, seen_timeout = 0;
	int seen_denied = 0, seen_memory = 0, seen_invalid = 0;
	struct sh_error e;
	int err;
	char *s;

	(void)state;
	/* A secret in the arguments, and a call refused for its arguments,
	 * which still gets a record. */
	s = call_on(rt, "testing/hostile.ok", "{\"text\":\"" SECRET_ARG "\"}",
	            0, NULL, &err);
	assert_false(err);
	free(s);
	s = call_on(rt, "testing/hostile.sleep", "{\"ms\":\"" SECRET_ARG "\"}",
	            0, NULL, &err);
	assert_true(err);
	free(s);
	snprintf(path, sizeof path, "%s/%s/%s", home, AUDIT_DIR, AUDIT_FILE);
	assert_int_equal(fs_read_file(path, 64 << 20, &text, NULL, &e), SH_OK);
	assert_null(strstr(text, SECRET_ARG));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(line);
		const char *st;
		if (!j)
			fail_msg("not JSON: %s", line);
		for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
			if (!cJSON_GetObjectItemCaseSensitive(j, fields[i]))
				fail_msg("no %s in %s", fields[i], line);
		assert_non_null(cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetObjectItemCaseSensitive(j, "caller"),
		        "surface"));
		st = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(j, "status"));
		seen_ok += !strcmp(st, "ok");
		seen_crash += !strcmp(st, "crashed");
		seen_timeout += !strcmp(st, "timeout");
		seen_denied += !strcmp(st, "denied");
		seen_memory += !strcmp(st, "memory");
		seen_invalid += !strcmp(st, "invalid_arguments");
		lines++;
		cJSON_Delete(j);
	}
	free(text);
	assert_true(lines > 1000);
	assert_true(seen_ok && seen_crash && seen_timeout && seen_denied &&
	            seen_memory && seen_invalid);
}

static void test_audit_rotation(void **state)
{
	struct audit_caller who = {"mcp", "session-1", "client \"x\"\n"};
	struct audit_record r = {.caller = &who,
	                         .skill = "ns/s",
	                         .tool = "ns/s.t",
	                         .isolation = "isolated",
	                         .status = "ok",
	                         .duration_ns = 1234567,
	                         .bytes_in = 5,
	                         .bytes_out = 6};
	char dir[] = "/tmp/skillhost-audit-XXXXXX", path[256];
	struct audit *a;
	struct sh_error e;
	struct stat st;
	int total = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* Records carry a chain hash and an argument hash: about 400 bytes. */
	assert_int_equal(audit_open(dir, 3500, "cli", &a, &e), SH_OK);
	for (int i = 0; i < 200; i++)
		assert_int_equal(audit_write(a, &r, &e), SH_OK);
	audit_close(a);
	for (int i = 0; i <= AUDIT_KEEP + 1; i++) {
		char *text, *save = NULL;
		if (i)
			snprintf(path, sizeof path, "%s/%s/%s.%d", dir,
			         AUDIT_DIR, AUDIT_FILE, i);
		else
			snprintf(path, sizeof path, "%s/%s/%s", dir, AUDIT_DIR,
			         AUDIT_FILE);
		if (i == AUDIT_KEEP + 1) {
			assert_false(fs_exists(path));
			break;
		}
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size <= 3500);
		assert_int_equal(st.st_mode & 0777, 0600);
		assert_int_equal(fs_read_file(path, 1 << 20, &text, NULL, &e),
		                 SH_OK);
		for (char *l = strtok_r(text, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save)) {
			cJSON *j = cJSON_Parse(l);
			assert_non_null(j);
			assert_string_equal(
			        cJSON_GetStringValue(cJSON_GetObjectItem(
			                cJSON_GetObjectItem(j, "caller"),
			                "client")),
			        "client \"x\"\n");
			cJSON_Delete(j);
			total++;
		}
		free(text);
	}
	/* Every kept file is full but for the newest. */
	assert_true(total >= AUDIT_KEEP * 6);
	fs_remove_tree(dir, &e);
}

/* What doctor and the host say about the sandbox. */
static void test_sandbox_words(void **state)
{
	const unsigned all = (1u << SANDBOX_ALL_BITS) - 1;
	char buf[1024];

	(void)state;
	assert_string_equal(sandbox_weaknesses(all, 7, buf, sizeof buf), "");
	assert_non_null(strstr(
	        sandbox_weaknesses(all & ~SANDBOX_MIN_ROOT, 2, buf, sizeof buf),
	        "O_TRUNC"));
	assert_non_null(strstr(buf, "stat'ed"));
	assert_null(strstr(
	        sandbox_weaknesses(all & ~SANDBOX_MIN_ROOT, 3, buf, sizeof buf),
	        "O_TRUNC"));
	assert_non_null(strstr(sandbox_weaknesses(all & ~SANDBOX_PIDS_CGROUP, 7,
	                                          buf, sizeof buf),
	                       "threads are not capped"));
	assert_string_equal(sandbox_syscall_name(59, 0, buf, sizeof buf),
	                    "execve");
	assert_string_equal(
	        sandbox_syscall_name(0x40000000 + 39, 0, buf, sizeof buf),
	        "x32 system call 39");
	assert_string_equal(
	        sandbox_syscall_name(20, 0x40000003u, buf, sizeof buf),
	        "i386 system call 20 (getpid)");
}

static void test_metrics(void **state)
{
	char *text = metrics_render(runtime_services(rt)->metrics, NULL);
	const char *p;
	unsigned long long inf = 0, count = 0, restarts = 0;

	(void)state;
	assert_non_null(text);
	assert_non_null(strstr(text,
	                       "skillhost_tool_calls_total{skill=\"testing"
	                       "/noop\",tool=\"testing/noop.echo\"}"));
	assert_non_null(strstr(text, "# TYPE skillhost_tool_call_duration_"
	                             "seconds histogram"));
	p = strstr(text, "skillhost_tool_call_duration_seconds_bucket{skill="
	                 "\"testing/crasher\",tool=\"testing/crasher.ok\","
	                 "le=\"+Inf\"} ");
	assert_non_null(p);
	inf = strtoull(strchr(p, '}') + 2, NULL, 10);
	p = strstr(text, "skillhost_tool_call_duration_seconds_count{skill="
	                 "\"testing/crasher\",tool=\"testing/crasher.ok\"} ");
	assert_non_null(p);
	count = strtoull(strchr(p, '}') + 2, NULL, 10);
	assert_true(inf == count && count > 1000);
	p = strstr(text, "skillhost_worker_restarts_total{skill="
	                 "\"testing/crasher\"} ");
	assert_non_null(p);
	restarts = strtoull(strchr(p, '}') + 2, NULL, 10);
	assert_true(restarts >= 3);
	assert_non_null(strstr(text, "skillhost_tool_errors_total{skill="
	                             "\"testing/crasher\",tool=\"testing/"
	                             "crasher.segv\"} "));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hostile_tools),
	        cmocka_unit_test(test_flood_is_drained),
	        cmocka_unit_test(test_bulk_data),
	        cmocka_unit_test(test_thousand_calls_after_crash),
	        cmocka_unit_test(test_others_unaffected),
	        cmocka_unit_test(test_backoff_and_breaker),
	        cmocka_unit_test(test_breaker_reopens),
	        cmocka_unit_test(test_cancellation),
	        cmocka_unit_test(test_same_as_in_process),
	        cmocka_unit_test(test_threads_and_idle_frames),
	        cmocka_unit_test(test_death_while_idle),
	        cmocka_unit_test(test_death_before_take),
	        cmocka_unit_test(test_crash_in_call_not_retried),
	        cmocka_unit_test(test_extensions_forwarded),
	        cmocka_unit_test(test_missing_extension),
	        cmocka_unit_test(test_policy),
	        cmocka_unit_test(test_waiters_in_line),
	        cmocka_unit_test(test_audit_log),
	        cmocka_unit_test(test_audit_rotation),
	        cmocka_unit_test(test_metrics),
	        cmocka_unit_test(test_sandbox_words),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
