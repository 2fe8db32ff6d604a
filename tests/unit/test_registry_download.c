/*
 * test_registry_download.c - downloads from servers that misbehave
 * (download.c), against an adversarial libmicrohttpd server in this
 * process: byte caps (declared and streamed), wrong bytes, mirror
 * fallover, retries with backoff, Range resume (and servers that ignore
 * it), a trickle that hits the low-speed timeout, resuming a partial file
 * left on disk, and file:// URLs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <microhttpd.h>
#include <sodium.h>

#include "download.h"
#include "fsutil.h"

#define BODY_LEN   (200 * 1024)
#define TRICKLE_MS 200

static struct MHD_Daemon *daemon_;
static char base[64], tmp[64];
static char *body;
static uint8_t body_hash[32];
static int count_503, count_drop, saw_range;
static struct download_opts opts;

/* ---- the server --------------------------------------------------------- */

struct stream {
	const char *mode;
	uint64_t pos;
};

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;

	if (!strcmp(s->mode, "endless")) {
		memset(buf, 0, max);
		return (ssize_t)max;
	}
	if (!strcmp(s->mode, "trickle")) {
		struct timespec ts = {0, TRICKLE_MS * 1000000L};
		nanosleep(&ts, NULL);
		buf[0] = body[pos];
		return 1;
	}
	/* drop: half the body, then the connection breaks. */
	if (pos >= BODY_LEN / 2)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (max > BODY_LEN / 2 - pos)
		max = BODY_LEN / 2 - pos;
	memcpy(buf, body + pos, max);
	return (ssize_t)max;
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status,
                             struct MHD_Response *r)
{
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result send_body(struct MHD_Connection *c, const char *data,
                                 int ranges)
{
	const char *range =
	        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
	unsigned long long from;
	struct MHD_Response *r;
	char cr[80];

	if (range && ranges && sscanf(range, "bytes=%llu-", &from) == 1 &&
	    from < BODY_LEN) {
		saw_range = 1;
		r = MHD_create_response_from_buffer(BODY_LEN - from,
		                                    (void *)(data + from),
		                                    MHD_RESPMEM_MUST_COPY);
		snprintf(cr, sizeof cr, "bytes %llu-%d/%d", from, BODY_LEN - 1,
		         BODY_LEN);
		MHD_add_response_header(r, "Content-Range", cr);
		return queue(c, 206, r);
	}
	r = MHD_create_response_from_buffer(BODY_LEN, (void *)data,
	                                    MHD_RESPMEM_MUST_COPY);
	return queue(c, 200, r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *size, void **ctx)
{
	const char *mode = url + 1;
	struct MHD_Response *r;

	(void)cls;
	(void)method;
	(void)version;
	(void)data;
	(void)size;
	(void)ctx;
	if (!strcmp(mode, "ok"))
		return send_body(c, body, 1);
	if (!strcmp(mode, "norange"))
		return send_body(c, body, 0);
	if (!strcmp(mode, "alter")) {
		char *bad = malloc(BODY_LEN);
		enum MHD_Result ok;
		memcpy(bad, body, BODY_LEN);
		bad[BODY_LEN / 3] ^= 1;
		ok = send_body(c, bad, 1);
		free(bad);
		return ok;
	}
	if (!strcmp(mode, "503once") && count_503++ == 0) {
		r = MHD_create_response_from_buffer(0, (void *)"",
		                                    MHD_RESPMEM_PERSISTENT);
		return queue(c, 503, r);
	}
	if (!strcmp(mode, "503once"))
		return send_body(c, body, 1);
	if (!strcmp(mode, "drop") && count_drop++ > 0)
		return send_body(c, body, 1);
	if (!strcmp(mode, "big")) {
		/* Declares more than the client will take. */
		r = MHD_create_response_from_buffer(BODY_LEN, (void *)body,
		                                    MHD_RESPMEM_MUST_COPY);
		return queue(c, 200, r);
	}
	if (!strcmp(mode, "endless") || !strcmp(mode, "trickle") ||
	    !strcmp(mode, "drop")) {
		struct stream *s = calloc(1, sizeof *s);
		s->mode = mode;
		r = MHD_create_response_from_callback(
		        !strcmp(mode, "endless") ? MHD_SIZE_UNKNOWN : BODY_LEN,
		        4096, reader, s, free);
		return queue(c, 200, r);
	}
	r = MHD_create_response_from_buffer(9, (void *)"not found",
	                                    MHD_RESPMEM_PERSISTENT);
	return queue(c, 404, r);
}

static int setup(void **state)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

	(void)state;
	body = malloc(BODY_LEN);
	randombytes_buf(body, BODY_LEN);
	crypto_generichash(body_hash, sizeof body_hash, (void *)body, BODY_LEN,
	                   NULL, 0);
	daemon_ = MHD_start_daemon(
	        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
	        0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
	        (struct sockaddr *)&sa, MHD_OPTION_END);
	if (!daemon_)
		return -1;
	info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(base, sizeof base, "http://127.0.0.1:%u", info->port);
	snprintf(tmp, sizeof tmp, "/tmp/skillhost-dl-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	memset(&opts, 0, sizeof opts);
	opts.connect_timeout_s = 5;
	opts.low_speed_limit = 1000;
	opts.low_speed_time_s = 1;
	opts.retries = 2;
	opts.backoff_ms = 10;
	return 0;
}

static int teardown(void **state)
{
	struct sh_error e;

	(void)state;
	MHD_stop_daemon(daemon_);
	fs_remove_tree(tmp, &e);
	free(body);
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static sh_status fetch(const char *m1, const char *m2, uint64_t cap, int exact,
                       const uint8_t *hash, const char *path,
                       struct download_result *res, struct sh_error *e)
{
	char u1[128], u2[128];
	const char *urls[2] = {u1, u2};
	struct download_req r = {.urls = urls,
	                         .nurls = m2 ? 2 : 1,
	                         .max_bytes = cap,
	                         .exact = exact,
	                         .blake2b256 = hash,
	                         .path = path,
	                         .what = "the test file"};

	snprintf(u1, sizeof u1, "%s/%s", base, m1);
	if (m2)
		snprintf(u2, sizeof u2, "%s/%s", base, m2);
	memset(e, 0, sizeof *e);
	return download_fetch(&r, &opts, res, e);
}

static void expect_body(const struct download_result *res)
{
	assert_int_equal(res->bytes, BODY_LEN);
	assert_memory_equal(res->file_hash, body_hash, 32);
	if (res->data)
		assert_memory_equal(res->data, body, BODY_LEN);
}

/* ---- tests -------------------------------------------------------------- */

static void test_plain(void **state)
{
	struct download_result res;
	struct sh_error e;

	(void)state;
	assert_int_equal(
	        fetch("ok", NULL, BODY_LEN, 1, body_hash, NULL, &res, &e),
	        SH_OK);
	expect_body(&res);
	assert_int_equal(res.attempts, 1);
	assert_int_equal(res.resumed, 0);
	download_result_free(&res);
	/* No hash and a loose cap: a body of any length up to the cap. */
	assert_int_equal(
	        fetch("ok", NULL, 10 * BODY_LEN, 0, NULL, NULL, &res, &e),
	        SH_OK);
	assert_int_equal(res.len, BODY_LEN);
	download_result_free(&res);
}

static void test_caps(void **state)
{
	struct download_result res;
	struct sh_error e;

	(void)state;
	/* A declared length over the cap, and a body that never ends. */
	assert_int_equal(
	        fetch("big", NULL, BODY_LEN - 1, 0, NULL, NULL, &res, &e),
	        SH_ERR_TRUST);
	assert_non_null(strstr(e.msg, "more than the"));
	assert_int_equal(
	        fetch("endless", NULL, BODY_LEN, 1, body_hash, NULL, &res, &e),
	        SH_ERR_TRUST);
	assert_non_null(strstr(e.msg, "more than the"));
	/* A body shorter than the exact length the index lists. */
	assert_int_equal(
	        fetch("ok", NULL, BODY_LEN + 1, 1, NULL, NULL, &res, &e),
	        SH_ERR_TRUST);
	assert_non_null(strstr(e.msg, "not the"));
}

static void test_wrong_bytes_and_mirrors(void **state)
{
	struct download_result res;
	struct sh_error e;

	(void)state;
	assert_int_equal(
	        fetch("alter", NULL, BODY_LEN, 1, body_hash, NULL, &res, &e),
	        SH_ERR_TRUST);
	assert_non_null(strstr(e.msg, "BLAKE2b-256"));
	assert_int_equal(
	        fetch("alter", "ok", BODY_LEN, 1, body_hash, NULL, &res, &e),
	        SH_OK);
	assert_int_equal(res.mirror, 1);
	expect_body(&res);
	download_result_free(&res);
	assert_int_equal(
	        fetch("missing", "ok", BODY_LEN, 1, body_hash, NULL, &res, &e),
	        SH_OK);
	assert_int_equal(res.mirror, 1);
	download_result_free(&res);
	assert_int_equal(fetch("missing", "gone", BODY_LEN, 1, body_hash, NULL,
	                       &res, &e),
	                 SH_ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "HTTP 404"));
	/* Wrong bytes anywhere make the failure a trust failure. */
	assert_int_equal(
	        fetch("alter", "gone", BODY_LEN, 1, body_hash, NULL, &res, &e),
	        SH_ERR_TRUST);
}

static void test_retry_and_resume(void **state)
{
	struct download_result res;
	struct sh_error e;

	(void)state;
	count_503 = 0;
	assert_int_equal(
	        fetch("503once", NULL, BODY_LEN, 1, body_hash, NULL, &res, &e),
	        SH_OK);
	assert_int_equal(res.attempts, 2);
	download_result_free(&res);
	count_drop = 0;
	saw_range = 0;
	assert_int_equal(
	        fetch("drop", NULL, BODY_LEN, 1, body_hash, NULL, &res, &e),
	        SH_OK);
	expect_body(&res);
	assert_true(saw_range);
	assert_int_equal(res.resumed, BODY_LEN / 2);
	assert_int_equal(res.attempts, 2);
	download_result_free(&res);
}

static void test_server_ignores_range(void **state)
{
	char path[128];
	struct download_result res;
	struct sh_error e;
	FILE *f;

	(void)state;
	/* Half the file from an earlier call, then a server that answers
	 * the range with the whole file: read again from the start. */
	snprintf(path, sizeof path, "%s/norange.part", tmp);
	f = fopen(path, "w");
	fwrite(body, 1, BODY_LEN / 2, f);
	fclose(f);
	assert_int_equal(
	        fetch("norange", NULL, BODY_LEN, 1, body_hash, path, &res, &e),
	        SH_OK);
	assert_int_equal(res.resumed, 0);
	expect_body(&res);
	download_result_free(&res);
}

static void test_file_resume(void **state)
{
	char path[128];
	struct download_result res;
	struct sh_error e;
	struct stat st;
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "%s/resume.part", tmp);
	f = fopen(path, "w");
	fwrite(body, 1, BODY_LEN / 4, f);
	fclose(f);
	assert_int_equal(
	        fetch("ok", NULL, BODY_LEN, 1, body_hash, path, &res, &e),
	        SH_OK);
	assert_int_equal(res.resumed, BODY_LEN / 4);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, BODY_LEN);
	download_result_free(&res);
	/* A complete file needs no request at all. */
	assert_int_equal(
	        fetch("gone", NULL, BODY_LEN, 1, body_hash, path, &res, &e),
	        SH_OK);
	assert_int_equal(res.attempts, 0);
	/* A bad prefix is not blamed on the server: fetched again whole. */
	f = fopen(path, "w");
	fwrite("garbage", 1, 7, f);
	fclose(f);
	assert_int_equal(
	        fetch("ok", NULL, BODY_LEN, 1, body_hash, path, &res, &e),
	        SH_OK);
	assert_int_equal(res.resumed, 0);
	/* Nothing to keep after a failure with no bytes: no file left. */
	unlink(path);
	assert_int_equal(
	        fetch("gone", NULL, BODY_LEN, 1, body_hash, path, &res, &e),
	        SH_ERR_NOTFOUND);
	assert_int_not_equal(stat(path, &st), 0);
}

static void test_trickle_times_out(void **state)
{
	struct download_result res;
	struct sh_error e;
	struct download_opts saved = opts;
	time_t t0 = time(NULL);

	(void)state;
	opts.retries = 0;
	assert_int_equal(
	        fetch("trickle", NULL, BODY_LEN, 1, body_hash, NULL, &res, &e),
	        SH_ERR_TIMEOUT);
	assert_non_null(strstr(e.msg, "timed out"));
	assert_true(time(NULL) - t0 < 10);
	opts = saved;
}

/* A server fast enough for the minimum rate but too slow for the whole
 * body is cut off at the total deadline, without a retry or the next
 * mirror (the deadline covers the whole fetch). */
static void test_drip_hits_deadline(void **state)
{
	struct download_result res;
	struct sh_error e;
	struct download_opts saved = opts;
	int64_t t0 = (int64_t)time(NULL);

	(void)state;
	/* The trickle keeps above 1 B/s over a window longer than the
	 * deadline: only the deadline can stop it, even on a loaded CPU. */
	opts.low_speed_limit = 1;
	opts.low_speed_time_s = 30;
	opts.retries = 3;
	opts.deadline_floor_s = 1;
	opts.deadline_rate = 1L << 30;
	assert_int_equal(fetch("trickle", "trickle", BODY_LEN, 1, body_hash,
	                       NULL, &res, &e),
	                 SH_ERR_TIMEOUT);
	if (!strstr(e.msg, "did not finish within the download's deadline "
	                   "of 1 s") ||
	    !strstr(e.msg, "SKILLHOST_DOWNLOAD_DEADLINE_FLOOR"))
		fail_msg("%s", e.msg);
	/* On a loaded machine (a sanitizer build under ctest -j2) the first
	 * attempt can end before the deadline for another reason and be
	 * retried once; what must hold is that the deadline, not the
	 * trickle, ended the fetch, and soon. */
	assert_in_range(res.attempts, 1, 2);
	assert_true((int64_t)time(NULL) - t0 <= 5);
	download_result_free(&res);
	opts = saved;
}

static void test_file_urls(void **state)
{
	char path[128], url[160];
	const char *urls[1] = {url};
	struct download_req r = {.urls = urls,
	                         .nurls = 1,
	                         .max_bytes = BODY_LEN,
	                         .exact = 1,
	                         .blake2b256 = body_hash,
	                         .what = "f"};
	struct download_result res;
	struct sh_error e;
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "%s/plain", tmp);
	f = fopen(path, "w");
	fwrite(body, 1, BODY_LEN, f);
	fclose(f);
	snprintf(url, sizeof url, "file://%s", path);
	assert_int_equal(download_fetch(&r, &opts, &res, &e), SH_OK);
	expect_body(&res);
	download_result_free(&res);
	snprintf(url, sizeof url, "file://%s/none", tmp);
	assert_int_equal(download_fetch(&r, &opts, &res, &e), SH_ERR_NOTFOUND);
	snprintf(url, sizeof url, "ftp://127.0.0.1/x");
	assert_int_equal(download_fetch(&r, &opts, &res, &e), SH_ERR_IO);
	r.nurls = 0;
	assert_int_equal(download_fetch(&r, &opts, &res, &e), SH_ERR_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_plain),
	        cmocka_unit_test(test_caps),
	        cmocka_unit_test(test_wrong_bytes_and_mirrors),
	        cmocka_unit_test(test_retry_and_resume),
	        cmocka_unit_test(test_server_ignores_range),
	        cmocka_unit_test(test_file_resume),
	        cmocka_unit_test(test_trickle_times_out),
	        cmocka_unit_test(test_drip_hits_deadline),
	        cmocka_unit_test(test_file_urls),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
