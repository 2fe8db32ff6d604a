/*
 * test_mcp_stdio.c - the MCP stdio transport (mcp_stdio.h) over pipes: one
 * JSON message per output line, whatever the input's line endings and
 * blank lines; an over-long line refused with an error naming the limit,
 * and the stream usable after it; a last message without a newline still
 * answered; end of input finishes the transport.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mcp_stdio.h"
#include "runtime.h"

#define WAIT_MS 10000

static struct runtime *rt;
static struct mcp_server *srv;
static int in_pipe[2], out_pipe[2];
static struct mcp_stdio *tr;
static char outbuf[1 << 20];
static size_t outlen;

static const char init_msg[] =
        "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
        "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
        "\"clientInfo\":{\"name\":\"unit\",\"version\":\"1\"}}}\n"
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";

static int setup_max(size_t line_max)
{
	struct runtime_opts ro = {.home = "/nonexistent-skillhost-home",
	                          .no_store = 1};
	struct mcp_server_opts o = {.threads = 2};
	struct sh_error e;
	char path[1024];

	snprintf(path, sizeof path, "%s/lib/testing-noop.so", SKILLS_OUT);
	if (runtime_open(&ro, &rt, &e) != SH_OK ||
	    runtime_add_skill_file(rt, path, &e) != SH_OK ||
	    runtime_seal(rt, &e) != SH_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	o.rt = rt;
	if (mcp_server_new(&o, &srv, &e) != SH_OK || pipe(in_pipe) ||
	    pipe(out_pipe) ||
	    mcp_stdio_start(srv, in_pipe[0], out_pipe[1], line_max, &tr, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	outlen = 0;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_max(0);
}

static int setup_small(void **state)
{
	(void)state;
	return setup_max(400);
}

static int teardown(void **state)
{
	(void)state;
	if (in_pipe[1] >= 0)
		close(in_pipe[1]);
	mcp_stdio_stop(tr);
	close(in_pipe[0]);
	close(out_pipe[0]);
	close(out_pipe[1]);
	mcp_server_free(srv);
	runtime_close(rt);
	return 0;
}

static void send_text(const char *s)
{
	size_t n = strlen(s);

	assert_int_equal(write(in_pipe[1], s, n), (ssize_t)n);
}

/* The next output line as parsed JSON (the line must be one message). */
static cJSON *next_message(void)
{
	for (;;) {
		char *nl = memchr(outbuf, '\n', outlen);
		if (nl) {
			cJSON *j = cJSON_ParseWithLength(outbuf,
			                                 (size_t)(nl - outbuf));
			if (!j)
				fail_msg("output line is not one JSON message: "
				         "%.*s",
				         (int)(nl - outbuf), outbuf);
			outlen -= (size_t)(nl - outbuf) + 1;
			memmove(outbuf, nl + 1, outlen);
			return j;
		}
		struct pollfd p = {.fd = out_pipe[0], .events = POLLIN};
		if (poll(&p, 1, WAIT_MS) != 1)
			fail_msg("no output within %d ms", WAIT_MS);
		ssize_t got = read(out_pipe[0], outbuf + outlen,
		                   sizeof outbuf - outlen);
		assert_true(got > 0);
		outlen += (size_t)got;
	}
}

/* The next response (skipping notifications). */
static cJSON *next_response(void)
{
	for (;;) {
		cJSON *j = next_message();
		if (cJSON_GetObjectItem(j, "id"))
			return j;
		cJSON_Delete(j);
	}
}

static int id_of(const cJSON *j)
{
	const cJSON *id = cJSON_GetObjectItem(j, "id");

	return cJSON_IsNumber(id) ? id->valueint : -1;
}

static void test_lines(void **state)
{
	int seen[3] = {0};

	(void)state;
	send_text(init_msg);
	/* CRLF, a blank line and trailing blanks are tolerated. */
	send_text(
	        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n\n   \n"
	        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"} \n");
	for (int i = 0; i < 3; i++) {
		cJSON *j = next_response();
		int id = id_of(j);
		assert_true(id >= 0 && id <= 2);
		seen[id]++;
		assert_string_equal(
		        cJSON_GetStringValue(cJSON_GetObjectItem(j, "jsonrpc")),
		        "2.0");
		assert_non_null(cJSON_GetObjectItem(j, "result"));
		if (id == 2) {
			cJSON *tools = cJSON_GetObjectItem(
			        cJSON_GetObjectItem(j, "result"), "tools");
			assert_true(cJSON_GetArraySize(tools) >= 1);
		}
		cJSON_Delete(j);
	}
	assert_int_equal(seen[0] + seen[1] + seen[2], 3);
	assert_true(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
	assert_false(mcp_stdio_finished(tr));
}

static void test_long_line(void **state)
{
	char big[2000];
	cJSON *j;

	(void)state;
	send_text(init_msg);
	j = next_response();
	assert_int_equal(id_of(j), 0);
	cJSON_Delete(j);
	memset(big, 'x', sizeof big - 2);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = '\0';
	send_text(big);
	send_text("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}\n");
	j = next_response();
	const cJSON *err = cJSON_GetObjectItem(j, "error");
	assert_non_null(err);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "id")));
	assert_non_null(strstr(
	        cJSON_GetStringValue(cJSON_GetObjectItem(err, "message")),
	        "over 400 bytes"));
	cJSON_Delete(j);
	/* The stream goes on after the refused line. */
	j = next_response();
	assert_int_equal(id_of(j), 5);
	assert_non_null(cJSON_GetObjectItem(j, "result"));
	cJSON_Delete(j);
}

static void test_last_line_and_eof(void **state)
{
	cJSON *j;
	int waited = 0;

	(void)state;
	send_text(init_msg);
	send_text("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}");
	close(in_pipe[1]);
	in_pipe[1] = -1;
	j = next_response();
	assert_int_equal(id_of(j), 0);
	cJSON_Delete(j);
	j = next_response(); /* no newline, still a message */
	assert_int_equal(id_of(j), 7);
	cJSON_Delete(j);
	while (!mcp_stdio_finished(tr) && waited < WAIT_MS) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
		waited += 10;
	}
	assert_true(mcp_stdio_finished(tr));
}

static void test_stop_null(void **state)
{
	(void)state;
	mcp_stdio_stop(NULL); /* documented: NULL is fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_lines, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_long_line, setup_small,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_last_line_and_eof, setup,
	                                        teardown),
	        cmocka_unit_test(test_stop_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
