/*
 * test_httpsvc.c - skill.http/1 and skill.secrets/1, through an installed
 * skill (testing/netclient, whose manifest allows "localhost" and two
 * secrets) against a local libmicrohttpd server: the allowlist, operator
 * permits, redirects, caps, retries with Retry-After, timeouts,
 * cancellation, header injection, and secrets that never reach the logs.
 * The server is on 127.0.0.1, which the egress rule refuses (egress.h), so
 * setup permits its literal address the way an operator would (`skillhost
 * permit testing/netclient 127.0.0.1:PORT`); test_egress.c covers the rule.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "fsutil.h"
#include "minisig.h"
#include "runtime.h"
#include "secrets.h"
#include "store.h"
#include "trust.h"
#include "httpsvc.h"
#include "stderr_capture.h"
#include "temphome.h"
#include <sys/stat.h>

#define HTTPSVC_MAX_RETRIES_TEST HTTPSVC_MAX_RETRIES

static struct MHD_Daemon *mhd;
static int port;
static atomic_int attempts;
static char server_permit[64];
static const char *SECRET = "s3cr3t-value-that-must-never-be-logged";

static enum MHD_Result reply(struct MHD_Connection *c, int code,
                             const char *body, const char *hname,
                             const char *hval)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	        strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;
	char n[16];

	snprintf(n, sizeof n, "%d", atomic_load(&attempts));
	MHD_add_response_header(r, "X-Attempt", n);
	if (hname)
		MHD_add_response_header(r, hname, hval);
	ret = MHD_queue_response(c, (unsigned)code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *data,
                               size_t *size, void **state)
{
	static char big[300000];
	char loc[128], body[512];

	(void)cls, (void)version;
	if (!*state) { /* first call: headers only */
		*state = c;
		return MHD_YES;
	}
	if (*size) { /* body chunks */
		*size = 0;
		return MHD_YES;
	}
	(void)data;
	if (!strcmp(url, "/ok"))
		return reply(c, 200, "hello", NULL, NULL);
	if (!strcmp(url, "/echo")) {
		const char *x = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                            "X-Test");
		snprintf(body, sizeof body, "%s x-test=%s", method,
		         x ? x : "-");
		return reply(c, 200, body, NULL, NULL);
	}
	if (!strcmp(url, "/big")) {
		memset(big, 'b', sizeof big - 1);
		return reply(c, 200, big, NULL, NULL);
	}
	if (!strcmp(url, "/redirect-good")) {
		snprintf(loc, sizeof loc, "http://localhost:%d/ok", port);
		return reply(c, 302, "", "Location", loc);
	}
	if (!strcmp(url, "/redirect-bad")) {
		/* 127.0.0.2 is in neither the manifest nor the permits. */
		snprintf(loc, sizeof loc, "http://127.0.0.2:%d/ok", port);
		return reply(c, 302, "", "Location", loc);
	}
	if (!strcmp(url, "/busy")) {
		/* 429 twice, then 200: Retry-After in seconds. */
		if (atomic_fetch_add(&attempts, 1) < 2)
			return reply(c, 429, "slow down", "Retry-After", "1");
		return reply(c, 200, "finally", NULL, NULL);
	}
	if (!strcmp(url, "/unavailable")) {
		atomic_fetch_add(&attempts, 1);
		return reply(c, 503, "<html>down</html>", NULL, NULL);
	}
	if (!strcmp(url, "/slow")) {
		sleep(3);
		return reply(c, 200, "late", NULL, NULL);
	}
	return reply(c, 404, "no", NULL, NULL);
}

static int setup(void **state)
{
	const union MHD_DaemonInfo *info;
	struct minisig_pubkey pk;
	struct store_install_result res;
	struct sh_error e;
	char path[512];

	(void)state;
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	                               MHD_USE_THREAD_PER_CONNECTION,
	                       0, NULL, NULL, handler, NULL,
	                       MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
	if (!mhd)
		return -1;
	info = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_BIND_PORT);
	port = info->port;
	if (temphome_make("http"))
		return -1;
	snprintf(path, sizeof path, "%s/dev.pub", SKILLS_OUT);
	if (minisig_pubkey_load(path, &pk, &e) ||
	    trust_add(home, &pk, "testing", &e))
		return -1;
	snprintf(path, sizeof path, "%s/packages/testing-netclient-1.0.0.skill",
	         SKILLS_OUT);
	if (store_install(home, path, NULL, &res, &e) != SH_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	snprintf(server_permit, sizeof server_permit, "127.0.0.1:%d", port);
	if (config_update(home, "testing/netclient", "policy", "network",
	                  server_permit, &e) != SH_OK)
		return -1;
	return secrets_set(home, "testing/netclient", "NETCLIENT_TOKEN", SECRET,
	                   strlen(SECRET), &e) == SH_OK
	               ? 0
	               : -1;
}

static int teardown(void **state)
{
	MHD_stop_daemon(mhd);
	return temphome_teardown(state);
}

/* Call a tool in a fresh runtime (config is read at open); returns the
 * result text, or "ERROR: ..." for isError. Caller frees. */
static char *call(const char *tool, const char *args, atomic_int *cancel)
{
	struct runtime_opts o = {.home = home};
	struct runtime *rt;
	struct call_result res;
	struct sh_error e;
	cJSON *j;
	char *out;

	assert_int_equal(runtime_open(&o, &rt, &e), SH_OK);
	assert_int_equal(runtime_seal(rt, &e), SH_OK);
	if (runtime_call(rt, tool, args, strlen(args), NULL, 0, cancel, &res,
	                 &e) != SH_OK)
		fail_msg("%s", e.msg);
	j = call_result_to_json(&res);
	out = malloc(4096);
	snprintf(out, 4096, "%s%s",
	         cJSON_IsTrue(cJSON_GetObjectItem(j, "isError")) ? "ERROR: "
	                                                         : "",
	         cJSON_GetObjectItem(
	                 cJSON_GetArrayItem(cJSON_GetObjectItem(j, "content"),
	                                    0),
	                 "text")
	                 ->valuestring);
	cJSON_Delete(j);
	runtime_close(rt);
	return out;
}

static char *fetch(const char *path_and_more)
{
	char args[1024];
	snprintf(args, sizeof args, "{\"url\":\"http://localhost:%d%s", port,
	         path_and_more);
	return call("testing/netclient.fetch", args, NULL);
}

static void expect(char *got, const char *want)
{
	if (!strstr(got, want))
		fail_msg("\"%s\" not in \"%s\"", want, got);
	free(got);
}

static void test_allowed_and_denied(void **state)
{
	char args[256];
	struct sh_error e;

	(void)state;
	expect(fetch("/ok\"}"), "200 ");
	expect(fetch("/ok\"}"), "|hello");
	/* The operator's permit of the literal address also names it. */
	snprintf(args, sizeof args, "{\"url\":\"http://127.0.0.1:%d/ok\"}",
	         port);
	expect(call("testing/netclient.fetch", args, NULL), "200 ");
	/* Without the permit: 127.0.0.1 is not "localhost", so not in the
	 * manifest; and localhost is, but leads to a loopback address. The
	 * shared connection cache still holds the connection the permitted
	 * requests opened: refusing localhost proves a reused connection is
	 * checked too (CURLOPT_PREREQFUNCTION), not only new sockets. */
	assert_int_equal(config_update(home, "testing/netclient", "policy",
	                               "network", NULL, &e),
	                 SH_OK);
	expect(call("testing/netclient.fetch", args, NULL),
	       "ERROR: request failed: status 5");
	expect(fetch("/ok\"}"), "ERROR: request failed: status 5");
	/* The operator widens the allowlist again. */
	assert_int_equal(config_update(home, "testing/netclient", "policy",
	                               "network", server_permit, &e),
	                 SH_OK);
	expect(call("testing/netclient.fetch", args, NULL), "200 ");
	expect(call("testing/netclient.fetch",
	            "{\"url\":\"https://example.com/\"}", NULL),
	       "ERROR: request failed: status 5");
	expect(call("testing/netclient.fetch",
	            "{\"url\":\"file:///etc/passwd\"}", NULL),
	       "ERROR: request failed: status 2");
}

static void test_redirects(void **state)
{
	(void)state;
	expect(fetch("/redirect-good\"}"), "200 ");
	expect(fetch("/redirect-good\"}"), "/ok|hello");
	/* A hop to a host outside the allowlist is refused. */
	expect(fetch("/redirect-bad\"}"), "ERROR: request failed: status 5");
}

static void test_methods_and_headers(void **state)
{
	(void)state;
	expect(fetch("/echo\",\"method\":\"POST\",\"body\":\"{}\","
	             "\"header\":\"yes\"}"),
	       "POST x-test=yes");
	expect(fetch("/echo\",\"method\":\"DELETE\"}"), "DELETE");
	/* A body does not turn a GET into a POST. */
	expect(fetch("/echo\",\"method\":\"GET\",\"body\":\"q\"}"), "|GET ");
	/* CR/LF in a header value would smuggle headers: refused. */
	expect(fetch("/echo\",\"header\":\"a\\r\\nX-Evil: 1\"}"),
	       "ERROR: request failed: status 2");
	expect(fetch("/echo\",\"method\":\"get\"}"),
	       "ERROR: request failed: status 2");
}

static void test_caps_and_timeouts(void **state)
{
	(void)state;
	expect(fetch("/big\",\"max\":1000}"),
	       "ERROR: request failed: status 7");
	expect(fetch("/big\"}"), "200 ");
	expect(fetch("/slow\",\"timeout_ms\":300}"),
	       "ERROR: request failed: status 4");
}

static void test_retries(void **state)
{
	int64_t t0;

	(void)state;
	atomic_store(&attempts, 0);
	t0 = call_now_ns();
	expect(fetch("/busy\"}"), "200 3|"); /* the third attempt */
	/* Two Retry-After: 1 waits. */
	assert_true(call_now_ns() - t0 >= 1900000000LL);
	/* POST is not idempotent: no retry. */
	atomic_store(&attempts, 0);
	expect(fetch("/busy\",\"method\":\"POST\"}"), "429 ");
	/* 503 without Retry-After: backoff, then the last answer. */
	atomic_store(&attempts, 0);
	expect(fetch("/unavailable\"}"), "503 ");
	assert_int_equal(atomic_load(&attempts), 1 + HTTPSVC_MAX_RETRIES_TEST);
}

static void *cancel_soon(void *p)
{
	usleep(300000);
	atomic_store((atomic_int *)p, 1);
	return NULL;
}

static void test_cancellation(void **state)
{
	atomic_int cancel = 0;
	pthread_t th;
	char args[256];
	int64_t t0 = call_now_ns();

	(void)state;
	snprintf(args, sizeof args, "{\"url\":\"http://localhost:%d/slow\"}",
	         port);
	pthread_create(&th, NULL, cancel_soon, &cancel);
	expect(call("testing/netclient.fetch", args, &cancel),
	       "ERROR: request failed: status 3");
	pthread_join(th, NULL);
	assert_true(call_now_ns() - t0 < 2500000000LL);
}

static void test_secrets(void **state)
{
	struct stderr_capture cap;
	char logpath[256];
	char *log = NULL;
	struct sh_error e;

	(void)state;
	stderr_capture_start(&cap, tmp);
	setenv("SKILLHOST_LOG_LEVEL", "debug", 1);
	expect(call("testing/netclient.secret",
	            "{\"name\":\"NETCLIENT_TOKEN\"}", NULL),
	       "length 38");
	setenv("NETCLIENT_ENV_TOKEN", "from-env", 1);
	/* The environment reaches an installed skill only once the
	 * operator approved it. */
	expect(call("testing/netclient.secret",
	            "{\"name\":\"NETCLIENT_ENV_TOKEN\"}", NULL),
	       "length -1");
	assert_int_equal(secrets_allow_env(home, "testing/netclient",
	                                   "NETCLIENT_ENV_TOKEN", NULL, &e),
	                 SH_OK);
	expect(call("testing/netclient.secret",
	            "{\"name\":\"NETCLIENT_ENV_TOKEN\"}", NULL),
	       "length 8");
	unsetenv("NETCLIENT_ENV_TOKEN");
	expect(call("testing/netclient.secret",
	            "{\"name\":\"NETCLIENT_ENV_TOKEN\"}", NULL),
	       "length -1");
	/* Not declared in the manifest: denied, even if set. */
	setenv("HOME_SECRET", "nope", 1);
	expect(call("testing/netclient.secret", "{\"name\":\"HOME_SECRET\"}",
	            NULL),
	       "length -2");
	stderr_capture_end(&cap, &log);
	assert_non_null(strstr(log, "HOME_SECRET is denied"));
	assert_null(strstr(log, SECRET));
	free(log);
	/* The secrets file is private. */
	snprintf(logpath, sizeof logpath, "%s/secrets.json", home);
	{
		struct stat st;
		assert_int_equal(stat(logpath, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_allowed_and_denied),
	        cmocka_unit_test(test_redirects),
	        cmocka_unit_test(test_methods_and_headers),
	        cmocka_unit_test(test_caps_and_timeouts),
	        cmocka_unit_test(test_retries),
	        cmocka_unit_test(test_cancellation),
	        cmocka_unit_test(test_secrets),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
