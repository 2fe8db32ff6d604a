/*
 * test_mcp_http.c - the MCP Streamable HTTP transport through its public
 * header, spoken to with plain sockets: initialize hands out a session id,
 * a request without one is refused (400), an unknown or ended one is 404,
 * DELETE ends a session, a foreign Origin or Host is 403, Accept and
 * Content-Type are enforced (406, 415), a body over the cap is 413, the
 * bearer token is 401 with WWW-Authenticate, /healthz and /metrics answer,
 * and mcp_http_bind refuses a malformed address.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mcp_http.h"
#include "mcp_server.h"
#include "netbind.h"
#include "runtime.h"
#include "temphome.h"

#define MAX_BODY 4096

static struct runtime *rt;
static struct mcp_server *srv;
static struct mcp_http *http;
static uint16_t port;

struct reply {
	int status;
	char text[65536]; /* headers and body, NUL-terminated */
	const char *body;
};

/* One request on a fresh connection (Connection: close), read to EOF.
 * extra holds further header lines, each ending in "\r\n". */
static void request(const char *method, const char *path, const char *extra,
                    const char *body, size_t body_len, struct reply *r)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons(port)};
	struct timeval tv = {.tv_sec = 20};
	char head[2048];
	size_t got = 0;
	int fd, n;

	memset(r, 0, sizeof *r);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	n = snprintf(head, sizeof head,
	             "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	             "Connection: close\r\n%sContent-Length: %zu\r\n\r\n",
	             method, path, (unsigned)port, extra ? extra : "",
	             body_len);
	assert_true(n > 0 && (size_t)n < sizeof head);
	assert_int_equal(send(fd, head, (size_t)n, MSG_NOSIGNAL), n);
	/* A body of NULL with a length sends the headers only: a server
	 * that refuses on Content-Length answers without reading it (and
	 * sending it anyway could draw a reset that loses the answer). */
	if (body)
		(void)send(fd, body, body_len, MSG_NOSIGNAL);
	for (;;) {
		ssize_t k =
		        recv(fd, r->text + got, sizeof r->text - 1 - got, 0);
		if (k <= 0)
			break;
		got += (size_t)k;
		if (got == sizeof r->text - 1)
			break;
	}
	close(fd);
	r->text[got] = '\0';
	assert_true(sscanf(r->text, "HTTP/1.1 %d", &r->status) == 1);
	r->body = strstr(r->text, "\r\n\r\n");
	r->body = r->body ? r->body + 4 : "";
}

/* The value of header name in r into buf ("" when absent). */
static void header_value(const struct reply *r, const char *name, char *buf,
                         size_t cap)
{
	size_t nl = strlen(name);

	buf[0] = '\0';
	for (const char *p = strstr(r->text, "\r\n"); p && p + 2 < r->body;
	     p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2;
		if (!strncasecmp(line, name, nl) && line[nl] == ':') {
			const char *v = line + nl + 1;
			size_t len;
			while (*v == ' ')
				v++;
			len = strcspn(v, "\r\n");
			if (len >= cap)
				len = cap - 1;
			memcpy(buf, v, len);
			buf[len] = '\0';
			return;
		}
	}
}

#define MCP_HEADERS                                                            \
	"Accept: application/json, text/event-stream\r\n"                      \
	"Content-Type: application/json\r\n"

static const char init_msg[] =
        "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
        "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
        "\"clientInfo\":{\"name\":\"unit\",\"version\":\"1\"}}}";
static const char list_msg[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";

static void post(const char *sid, const char *msg, struct reply *r)
{
	char extra[512];

	snprintf(extra, sizeof extra,
	         MCP_HEADERS "MCP-Protocol-Version: 2025-11-25\r\n%s%s%s",
	         sid ? "Mcp-Session-Id: " : "", sid ? sid : "",
	         sid ? "\r\n" : "");
	request("POST", "/mcp", extra, msg, strlen(msg), r);
}

/* initialize, then notifications/initialized; the session id into sid. */
static void open_session(char *sid, size_t cap)
{
	static const char inited[] = "{\"jsonrpc\":\"2.0\",\"method\":"
	                             "\"notifications/initialized\"}";
	struct reply r;

	request("POST", "/mcp", MCP_HEADERS, init_msg, strlen(init_msg), &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"protocolVersion\""));
	header_value(&r, "Mcp-Session-Id", sid, cap);
	/* 256 random bits in hex. */
	assert_int_equal(strlen(sid), 64);
	assert_int_equal(strspn(sid, "0123456789abcdef"), 64);
	post(sid, inited, &r);
	assert_int_equal(r.status, 202);
}

static void start_http(const char *token)
{
	struct mcp_http_addr addr;
	struct mcp_http_opts o = {.addr = &addr,
	                          .svc = runtime_services(rt),
	                          .token = token,
	                          .max_body = MAX_BODY,
	                          .poll_threads = 2};
	struct sh_error e;

	assert_int_equal(mcp_http_bind("127.0.0.1:0", &addr, &e), SH_OK);
	assert_true(addr.loopback);
	assert_false(addr.wildcard);
	assert_int_not_equal(addr.port, 0);
	port = addr.port;
	if (mcp_http_start(srv, &o, &http, &e) != SH_OK)
		fail_msg("mcp_http_start: %s", e.msg);
}

static int setup_each(void **state)
{
	(void)state;
	start_http(NULL);
	return 0;
}

static int teardown_each(void **state)
{
	(void)state;
	mcp_http_stop(http, 1000);
	http = NULL;
	return 0;
}

static int setup(void **state)
{
	struct runtime_opts o = {.no_store = 1};
	struct mcp_server_opts so = {.threads = 2};
	struct sh_error e;
	char path[1024];

	(void)state;
	if (temphome_make("mcphttp"))
		return -1;
	o.home = home;
	if (runtime_open(&o, &rt, &e) != SH_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	snprintf(path, sizeof path, "%s/lib/testing-noop.so", SKILLS_OUT);
	if (runtime_add_skill_file(rt, path, &e) != SH_OK ||
	    runtime_seal(rt, &e) != SH_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	so.rt = rt;
	if (mcp_server_new(&so, &srv, &e) != SH_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	mcp_server_free(srv);
	runtime_close(rt);
	return temphome_teardown(state);
}

static void test_session_lifecycle(void **state)
{
	char sid[128];
	struct reply r;

	(void)state;
	open_session(sid, sizeof sid);

	/* The session answers, and lists the loaded skill's tool. */
	post(sid, list_msg, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"tools\""));
	assert_non_null(strstr(r.body, "noop"));

	/* Without the id: 400, and the message says what to do. */
	post(NULL, list_msg, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "Mcp-Session-Id"));

	/* An id the server never gave: 404. */
	post("0000000000000000000000000000000000000000000000000000000000000000",
	     list_msg, &r);
	assert_int_equal(r.status, 404);

	/* DELETE ends it; the id is then unknown, to DELETE as well. */
	{
		char extra[256];
		snprintf(extra, sizeof extra, "Mcp-Session-Id: %s\r\n", sid);
		request("DELETE", "/mcp", extra, NULL, 0, &r);
		assert_int_equal(r.status, 200);
		post(sid, list_msg, &r);
		assert_int_equal(r.status, 404);
		request("DELETE", "/mcp", extra, NULL, 0, &r);
		assert_int_equal(r.status, 404);
	}
}

static void test_origin_and_host(void **state)
{
	char extra[256];
	struct reply r;

	(void)state;
	/* DNS rebinding: a foreign Origin is refused before anything. */
	request("POST", "/mcp", MCP_HEADERS "Origin: http://evil.example\r\n",
	        init_msg, strlen(init_msg), &r);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "Origin"));
	request("GET", "/healthz", "Origin: https://evil.example\r\n", NULL, 0,
	        &r);
	assert_int_equal(r.status, 403);

	/* The server's own origin is fine and is echoed for CORS. */
	snprintf(extra, sizeof extra, "Origin: http://127.0.0.1:%u\r\n",
	         (unsigned)port);
	request("GET", "/metrics", extra, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	header_value(&r, "Access-Control-Allow-Origin", extra, sizeof extra);
	assert_true(!strncmp(extra, "http://127.0.0.1:", 17));
}

static void test_host_header(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons(port)};
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: evil.example"
	                          "\r\nConnection: close\r\n\r\n";
	char buf[4096];
	size_t got = 0;
	int fd, status = 0;
	ssize_t k;

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(send(fd, req, sizeof req - 1, MSG_NOSIGNAL),
	                 (ssize_t)(sizeof req - 1));
	while (got < sizeof buf - 1 &&
	       (k = recv(fd, buf + got, sizeof buf - 1 - got, 0)) > 0)
		got += (size_t)k;
	close(fd);
	buf[got] = '\0';
	assert_int_equal(sscanf(buf, "HTTP/1.1 %d", &status), 1);
	assert_int_equal(status, 403);
	assert_non_null(strstr(buf, "Host"));
}

static void test_headers_enforced(void **state)
{
	struct reply r;

	(void)state;
	request("POST", "/mcp", "Content-Type: application/json\r\n", init_msg,
	        strlen(init_msg), &r);
	assert_int_equal(r.status, 406);
	request("POST", "/mcp",
	        "Accept: application/json, text/event-stream\r\n"
	        "Content-Type: text/plain\r\n",
	        init_msg, strlen(init_msg), &r);
	assert_int_equal(r.status, 415);
	request("PUT", "/mcp", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 405);
	header_value(&r, "Allow", r.text + sizeof r.text - 64, 64);
	assert_non_null(strstr(r.text + sizeof r.text - 64, "POST"));
	request("GET", "/nowhere", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404);
}

static void test_body_cap(void **state)
{
	struct reply r;

	(void)state;
	/* Refused on its Content-Length, before any of it is read. */
	request("POST", "/mcp", MCP_HEADERS, NULL, MAX_BODY + 1, &r);
	assert_int_equal(r.status, 413);
	assert_non_null(strstr(r.body, "4096"));
	/* At the cap is fine. */
	{
		char *ok = malloc(MAX_BODY);
		assert_non_null(ok);
		memset(ok, ' ', MAX_BODY);
		memcpy(ok, init_msg, sizeof init_msg - 1);
		request("POST", "/mcp", MCP_HEADERS, ok, MAX_BODY, &r);
		free(ok);
		assert_int_equal(r.status, 200);
	}
}

static void test_health_and_metrics(void **state)
{
	char ct[128];
	struct reply r;

	(void)state;
	request("GET", "/healthz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ok\n");
	request("GET", "/metrics", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	header_value(&r, "Content-Type", ct, sizeof ct);
	assert_true(!strncmp(ct, "text/plain", 10));
	assert_non_null(strstr(r.body, "# TYPE"));
	request("POST", "/metrics", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 405);
}

static void test_token(void **state)
{
	char www[256];
	struct reply r;

	(void)state;
	mcp_http_stop(http, 1000);
	start_http("s3cret-token");
	request("POST", "/mcp", MCP_HEADERS, init_msg, strlen(init_msg), &r);
	assert_int_equal(r.status, 401);
	header_value(&r, "WWW-Authenticate", www, sizeof www);
	assert_true(!strncasecmp(www, "Bearer", 6));
	request("POST", "/mcp",
	        MCP_HEADERS "Authorization: Bearer s3cret-tokeX\r\n", init_msg,
	        strlen(init_msg), &r);
	assert_int_equal(r.status, 401);
	request("GET", "/metrics", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 401);
	/* /healthz needs no token. */
	request("GET", "/healthz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	request("POST", "/mcp",
	        MCP_HEADERS "Authorization: Bearer s3cret-token\r\n", init_msg,
	        strlen(init_msg), &r);
	assert_int_equal(r.status, 200);
	header_value(&r, "Mcp-Session-Id", www, sizeof www);
	assert_int_equal(strlen(www), 64);
}

static void test_bind_errors(void **state)
{
	struct mcp_http_addr a;
	struct sh_error e;

	(void)state;
	assert_int_equal(mcp_http_bind("no-port-here", &a, &e), SH_ERR_USAGE);
	assert_true(e.msg[0] != '\0');
	assert_int_equal(mcp_http_bind("127.0.0.1:99999", &a, &e),
	                 SH_ERR_USAGE);
	/* What the caller checks before serving beyond this machine. */
	assert_int_equal(mcp_http_bind("0.0.0.0:0", &a, &e), SH_OK);
	assert_true(a.wildcard);
	assert_false(a.loopback);
	assert_int_not_equal(a.port, 0);
	close(a.fd);
	/* The port the running server holds is in use. */
	{
		char hp[64];
		snprintf(hp, sizeof hp, "127.0.0.1:%u", (unsigned)port);
		assert_int_equal(mcp_http_bind(hp, &a, &e), SH_ERR_IO);
		assert_true(e.msg[0] != '\0');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_session_lifecycle,
	                                        setup_each, teardown_each),
	        cmocka_unit_test_setup_teardown(test_origin_and_host,
	                                        setup_each, teardown_each),
	        cmocka_unit_test_setup_teardown(test_host_header, setup_each,
	                                        teardown_each),
	        cmocka_unit_test_setup_teardown(test_headers_enforced,
	                                        setup_each, teardown_each),
	        cmocka_unit_test_setup_teardown(test_body_cap, setup_each,
	                                        teardown_each),
	        cmocka_unit_test_setup_teardown(test_health_and_metrics,
	                                        setup_each, teardown_each),
	        cmocka_unit_test_setup_teardown(test_token, setup_each,
	                                        teardown_each),
	        cmocka_unit_test_setup_teardown(test_bind_errors, setup_each,
	                                        teardown_each),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
