/*
 * test_mcp_oauth_introspect.c - RFC 7662 in mcp_oauth_check against a
 * test-run introspection endpoint on loopback (a thread answering each POST by
 * the token it names, and counting them): the form and HTTP Basic
 * credentials sent, an active answer checked like a JWT's claims (aud,
 * exp, the principal), "not active" refused, an answer kept for the
 * token's remaining life and asked again after it, "not active" kept too,
 * the cache bounded at MCP_OAUTH_INTRO_CACHE answers, a failing endpoint
 * not cached, and the option checks of mcp_oauth_new_static.
 * (oidc-provider's real endpoint: tests/interop/mcp_oauth_oidc.mjs.)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mcp_oauth.h"

#define ISS "https://issuer.example"
#define RES "https://mcp.example/mcp"
/* RFC 8037's example Ed25519 key: the JWT path needs one; these tests
 * never sign with it. */
#define JWKS                                                                   \
	"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":"               \
	"\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}"

static int lfd = -1;
static char url[128];
static atomic_int asked;
static atomic_int fail_next; /* answer HTTP 500 */
static char last_auth[256];

/* The endpoint: one request per connection. The token decides the answer:
 * "act-N-..." active with exp now+N, "other-..." active for another aud,
 * anything else not active. */
static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		char req[8192], body[1024], *p, *tok, *end;
		size_t n = 0;
		ssize_t r;
		int fd = accept(lfd, NULL, NULL);
		long long now = (long long)time(NULL);

		if (fd < 0)
			return NULL;
		/* Headers and the (small) body, which curl sends at once. */
		while (n < sizeof req - 1 &&
		       (r = read(fd, req + n, sizeof req - 1 - n)) > 0) {
			n += (size_t)r;
			req[n] = 0;
			if ((p = strstr(req, "\r\n\r\n")) &&
			    strstr(p, "token_type_hint"))
				break;
		}
		req[n] = 0;
		atomic_fetch_add(&asked, 1);
		p = strcasestr(req, "\r\nAuthorization: ");
		if (p) {
			end = strstr(p + 2, "\r\n");
			snprintf(last_auth, sizeof last_auth, "%.*s",
			         (int)(end - p - 2), p + 2);
		}
		tok = strstr(req, "\r\n\r\ntoken=");
		tok = tok ? tok + 10 : "";
		if (atomic_exchange(&fail_next, 0)) {
			snprintf(body, sizeof body, "oops");
			dprintf(fd,
			        "HTTP/1.1 500 Oops\r\nContent-Length: %zu\r\n"
			        "Connection: close\r\n\r\n%s",
			        strlen(body), body);
			close(fd);
			continue;
		}
		if (!strncmp(tok, "act-", 4))
			snprintf(body, sizeof body,
			         "{\"active\":true,\"aud\":\"" RES "\","
			         "\"sub\":\"%.*s\",\"client_id\":\"c1\","
			         "\"scope\":\"mcp\",\"exp\":%lld}",
			         (int)strcspn(tok, "&"), tok,
			         now + atoll(tok + 4));
		else if (!strncmp(tok, "other-", 6))
			snprintf(body, sizeof body,
			         "{\"active\":true,\"aud\":\"https://x/mcp\","
			         "\"exp\":%lld}",
			         now + 600);
		else
			snprintf(body, sizeof body, "{\"active\":false}");
		dprintf(fd,
		        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		        "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		        strlen(body), body);
		close(fd);
	}
}

static struct mcp_oauth *make(void)
{
	struct mcp_oauth *a = NULL;
	struct sh_error e;
	struct mcp_oauth_opts o = {.issuer = ISS,
	                           .resource = RES,
	                           .introspect_url = url,
	                           .client_id = "rs:1",
	                           .client_secret = "s&cret"};

	assert_int_equal(mcp_oauth_new_static(&o, JWKS, &a, &e), SH_OK);
	return a;
}

static enum mcp_oauth_verdict check(struct mcp_oauth *a, const char *t,
                                    struct mcp_principal *p, char *why)
{
	char h[256];

	snprintf(h, sizeof h, "Bearer %s", t);
	return mcp_oauth_check(a, h, p, why, 200);
}

static void test_active(void **state)
{
	struct mcp_oauth *a = make();
	struct mcp_principal p;
	char why[200];
	int n0 = atomic_load(&asked);
	(void)state;

	assert_int_equal(check(a, "act-600-ann", &p, why), MCP_OAUTH_OK);
	assert_string_equal(p.sub, "act-600-ann");
	assert_string_equal(p.client_id, "c1");
	assert_string_equal(p.scope, "mcp");
	assert_int_equal(atomic_load(&asked), n0 + 1);
	/* id and secret form-encoded, then HTTP Basic (RFC 6749 2.3.1). */
	assert_string_equal(last_auth,
	                    "Authorization: Basic cnMlM0ExOnMlMjZjcmV0");
	/* Cached: no second request. */
	assert_int_equal(check(a, "act-600-ann", &p, why), MCP_OAUTH_OK);
	assert_int_equal(atomic_load(&asked), n0 + 1);
	/* Active, but for another resource. */
	assert_int_equal(check(a, "other-1", &p, why), MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "aud"));
	/* Not active, and that is cached too. */
	n0 = atomic_load(&asked);
	assert_int_equal(check(a, "gone-1", &p, why), MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "not active"));
	assert_int_equal(check(a, "gone-1", &p, why), MCP_OAUTH_INVALID);
	assert_int_equal(atomic_load(&asked), n0 + 1);
	/* A JWT-shaped token never goes to the endpoint. */
	assert_int_equal(check(a, "a.b.c", &p, why), MCP_OAUTH_INVALID);
	assert_int_equal(atomic_load(&asked), n0 + 1);
	mcp_oauth_free(a);
}

/* An answer is kept no longer than the token lives: a token that expires
 * in 1 s is asked about again after 2 s (its claims still pass: exp has
 * MCP_OAUTH_SKEW_S of skew). */
static void test_life(void **state)
{
	struct mcp_oauth *a = make();
	char why[200];
	int n0 = atomic_load(&asked);
	(void)state;

	/* (That it is cached while it lives is test_active's; checking it
	 * here would race the clock on a loaded machine.) */
	assert_int_equal(check(a, "act-1-bo", NULL, why), MCP_OAUTH_OK);
	assert_int_equal(atomic_load(&asked), n0 + 1);
	sleep(2);
	assert_int_equal(check(a, "act-1-bo", NULL, why), MCP_OAUTH_OK);
	assert_int_equal(atomic_load(&asked), n0 + 2);
	mcp_oauth_free(a);
}

/* MCP_OAUTH_INTRO_CACHE distinct tokens fill the cache; one more evicts
 * the answer that expires first, and only that one is asked again. */
static void test_bound(void **state)
{
	struct mcp_oauth *a = make();
	char why[200], t[64];
	int n0;
	(void)state;

	/* The first lives shortest (exp now+100), the rest now+200 (both
	 * under MCP_OAUTH_INTRO_TTL_S, so exp decides). */
	assert_int_equal(check(a, "act-100-first", NULL, why), MCP_OAUTH_OK);
	for (int i = 1; i < MCP_OAUTH_INTRO_CACHE; i++) {
		snprintf(t, sizeof t, "act-200-t%d", i);
		assert_int_equal(check(a, t, NULL, why), MCP_OAUTH_OK);
	}
	n0 = atomic_load(&asked);
	assert_int_equal(check(a, "act-200-t1", NULL, why), MCP_OAUTH_OK);
	assert_int_equal(check(a, "act-100-first", NULL, why), MCP_OAUTH_OK);
	assert_int_equal(atomic_load(&asked), n0); /* all cached */
	assert_int_equal(check(a, "act-250-new", NULL, why), MCP_OAUTH_OK);
	assert_int_equal(atomic_load(&asked), n0 + 1);
	assert_int_equal(check(a, "act-100-first", NULL, why), MCP_OAUTH_OK);
	assert_int_equal(atomic_load(&asked), n0 + 2); /* evicted */
	assert_int_equal(check(a, "act-250-new", NULL, why), MCP_OAUTH_OK);
	assert_int_equal(atomic_load(&asked), n0 + 2);
	mcp_oauth_free(a);
}

static void test_failure(void **state)
{
	struct mcp_oauth *a = make();
	char why[200];
	int n0 = atomic_load(&asked);
	(void)state;

	atomic_store(&fail_next, 1);
	assert_int_equal(check(a, "act-600-cy", NULL, why), MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "could not be introspected"));
	/* A failure is not remembered: the next request asks again. */
	assert_int_equal(check(a, "act-600-cy", NULL, why), MCP_OAUTH_OK);
	assert_int_equal(atomic_load(&asked), n0 + 2);
	mcp_oauth_free(a);
}

static void test_options(void **state)
{
	struct mcp_oauth *a = NULL;
	struct sh_error e;
	struct mcp_oauth_opts o = {
	        .issuer = ISS, .resource = RES, .introspect_url = url};
	(void)state;

	assert_int_equal(mcp_oauth_new_static(&o, JWKS, &a, &e), SH_ERR_USAGE);
	assert_non_null(strstr(e.msg, "client id and secret"));
	o.client_id = "x";
	o.client_secret = "y";
	o.introspect_url = "http://auth.example/introspect";
	assert_int_equal(mcp_oauth_new_static(&o, JWKS, &a, &e), SH_ERR_USAGE);
	assert_non_null(strstr(e.msg, "must be https"));
	assert_null(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_active),  cmocka_unit_test(test_life),
	        cmocka_unit_test(test_bound),   cmocka_unit_test(test_failure),
	        cmocka_unit_test(test_options),
	};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof sa;
	pthread_t th;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) ||
	    listen(lfd, 64) || getsockname(lfd, (struct sockaddr *)&sa, &sl))
		return 1;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/introspect",
	         ntohs(sa.sin_port));
	pthread_create(&th, NULL, serve, NULL);
	pthread_detach(th);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
