/*
 * test_mcp_oauth.c - mcp_oauth_check (mcp_oauth.h) on the edges the
 * interop test (against a real issuer) does not reach: exp and nbf just
 * inside and just past MCP_OAUTH_SKEW_S, aud as a string and as an array,
 * missing exp, the principal's claims (client_id, else azp; scope, else
 * scp), the required scope, a token without a kid, tampered claims, and
 * malformed tokens and headers. Tokens are Ed25519 (libsodium signs them)
 * checked against a pinned JWKS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sodium.h>

#include "mcp_oauth.h"

#define ISS "https://issuer.example"
#define RES "https://mcp.example/mcp"

static unsigned char pk[crypto_sign_PUBLICKEYBYTES];
static unsigned char sk[crypto_sign_SECRETKEYBYTES];

static void b64u(const void *p, size_t n, char *out, size_t cap)
{
	sodium_bin2base64(out, cap, p, n,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* "Bearer <JWT>" with header hdr and claims cl, signed with sk. */
static const char *tok(const char *hdr, const char *cl)
{
	static char out[4096];
	char a[1024], b[2048], s[200];
	unsigned char sig[crypto_sign_BYTES];

	b64u(hdr, strlen(hdr), a, sizeof a);
	b64u(cl, strlen(cl), b, sizeof b);
	snprintf(out, sizeof out, "Bearer %s.%s", a, b);
	crypto_sign_detached(sig, NULL, (unsigned char *)out + 7,
	                     strlen(out + 7), sk);
	b64u(sig, sizeof sig, s, sizeof s);
	strcat(out, ".");
	strcat(out, s);
	return out;
}

#define HDR "{\"alg\":\"EdDSA\",\"kid\":\"k1\"}"

static struct mcp_oauth *make(const char *scope)
{
	char x[64], jwks[256];
	struct mcp_oauth *a = NULL;
	struct sh_error e;
	struct mcp_oauth_opts o = {
	        .issuer = ISS, .resource = RES, .scope = scope};

	b64u(pk, sizeof pk, x, sizeof x);
	snprintf(jwks, sizeof jwks,
	         "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":"
	         "\"k1\",\"x\":\"%s\"},{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}",
	         x);
	assert_int_equal(mcp_oauth_new_static(&o, jwks, &a, &e), SH_OK);
	return a;
}

static enum mcp_oauth_verdict check(struct mcp_oauth *a, const char *t,
                                    struct mcp_principal *p, char *why)
{
	return mcp_oauth_check(a, t, p, why, 200);
}

/* Claims with exp and nbf relative to now. */
static const char *claims(long exp_off, long nbf_off, const char *extra)
{
	static char cl[1024];
	long long now = (long long)time(NULL);

	snprintf(cl, sizeof cl,
	         "{\"iss\":\"" ISS "\",\"aud\":\"" RES "\",\"sub\":\"u1\","
	         "\"exp\":%lld,\"nbf\":%lld%s}",
	         now + exp_off, now + nbf_off, extra ? extra : "");
	return cl;
}

static void test_skew(void **state)
{
	struct mcp_oauth *a = make(NULL);
	char why[200];
	const long k = MCP_OAUTH_SKEW_S;
	(void)state;

	assert_int_equal(
	        check(a, tok(HDR, claims(-(k - 5), 0, NULL)), NULL, why),
	        MCP_OAUTH_OK);
	assert_int_equal(
	        check(a, tok(HDR, claims(-(k + 5), 0, NULL)), NULL, why),
	        MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "expired"));
	assert_int_equal(
	        check(a, tok(HDR, claims(600, k - 5, NULL)), NULL, why),
	        MCP_OAUTH_OK);
	assert_int_equal(
	        check(a, tok(HDR, claims(600, k + 5, NULL)), NULL, why),
	        MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "nbf"));
	assert_int_equal(
	        check(a, tok(HDR, "{\"iss\":\"" ISS "\",\"aud\":\"" RES "\"}"),
	              NULL, why),
	        MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "no exp"));
	mcp_oauth_free(a);
}

static void test_claims(void **state)
{
	struct mcp_oauth *a = make(NULL);
	struct mcp_principal p;
	char why[200], cl[512];
	long long exp = (long long)time(NULL) + 600;
	(void)state;

	snprintf(cl, sizeof cl,
	         "{\"iss\":\"" ISS "\",\"aud\":[\"x\",\"" RES "\"],"
	         "\"sub\":\"ann\",\"azp\":\"app\",\"scp\":[\"a\",\"b\"],"
	         "\"exp\":%lld}",
	         exp);
	assert_int_equal(check(a, tok(HDR, cl), &p, why), MCP_OAUTH_OK);
	assert_string_equal(p.sub, "ann");
	assert_string_equal(p.client_id, "app");
	assert_string_equal(p.scope, "a b");
	assert_int_equal(p.exp, exp);
	/* client_id wins over azp, scope over scp. */
	assert_int_equal(
	        check(a,
	              tok(HDR, claims(600, 0,
	                              ",\"client_id\":\"c\","
	                              "\"azp\":\"z\",\"scope\":\"s t\","
	                              "\"scp\":[\"q\"]")),
	              &p, why),
	        MCP_OAUTH_OK);
	assert_string_equal(p.client_id, "c");
	assert_string_equal(p.scope, "s t");
	/* An aud array without the resource, or a prefix of it. */
	snprintf(cl, sizeof cl,
	         "{\"iss\":\"" ISS "\",\"aud\":[\"https://mcp.example\"],"
	         "\"exp\":%lld}",
	         exp);
	assert_int_equal(check(a, tok(HDR, cl), &p, why), MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "aud"));
	/* No kid: any key of the right type may sign. */
	assert_int_equal(check(a,
	                       tok("{\"alg\":\"EdDSA\"}", claims(600, 0, NULL)),
	                       NULL, why),
	                 MCP_OAUTH_OK);
	mcp_oauth_free(a);
}

static void test_scope(void **state)
{
	struct mcp_oauth *a = make("mcp:call");
	char why[200];
	char *ch;
	(void)state;

	assert_int_equal(check(a,
	                       tok(HDR, claims(600, 0,
	                                       ",\"scope\":\"mcp:callx "
	                                       "mcp\"")),
	                       NULL, why),
	                 MCP_OAUTH_NO_SCOPE);
	ch = mcp_oauth_challenge(a, MCP_OAUTH_NO_SCOPE, why);
	assert_non_null(strstr(ch, "error=\"insufficient_scope\""));
	assert_non_null(strstr(ch, "scope=\"mcp:call\""));
	assert_non_null(strstr(ch,
	                       "resource_metadata=\"https://mcp.example/"
	                       ".well-known/oauth-protected-resource/mcp\""));
	free(ch);
	assert_int_equal(check(a,
	                       tok(HDR, claims(600, 0,
	                                       ",\"scope\":\"openid "
	                                       "mcp:call\"")),
	                       NULL, why),
	                 MCP_OAUTH_OK);
	assert_true(mcp_oauth_is_metadata_path(
	        a, "/.well-known/oauth-protected-resource/mcp"));
	assert_true(mcp_oauth_is_metadata_path(
	        a, "/.well-known/oauth-protected-resource"));
	assert_false(mcp_oauth_is_metadata_path(
	        a, "/.well-known/oauth-protected-resource/other"));
	mcp_oauth_free(a);
}

static void test_malformed(void **state)
{
	struct mcp_oauth *a = make(NULL);
	char why[200], t[4096], *dot;
	(void)state;

	assert_int_equal(check(a, NULL, NULL, why), MCP_OAUTH_NO_TOKEN);
	assert_int_equal(check(a, "Basic dXNlcjpwYXNz", NULL, why),
	                 MCP_OAUTH_NO_TOKEN);
	assert_int_equal(check(a, "Bearer ", NULL, why), MCP_OAUTH_INVALID);
	assert_int_equal(check(a, "Bearer a.b", NULL, why), MCP_OAUTH_INVALID);
	assert_int_equal(check(a, "Bearer a.b.c.d", NULL, why),
	                 MCP_OAUTH_INVALID);
	assert_int_equal(check(a, "Bearer !!.!!.!!", NULL, why),
	                 MCP_OAUTH_INVALID);
	/* Claims that are JSON but not an object. */
	assert_int_equal(check(a, tok(HDR, "[1,2]"), NULL, why),
	                 MCP_OAUTH_INVALID);
	/* Tampered claims under a valid signature. */
	snprintf(t, sizeof t, "%s", tok(HDR, claims(600, 0, NULL)));
	dot = strchr(t, '.');
	dot[2] = dot[2] == 'A' ? 'B' : 'A';
	assert_int_equal(check(a, t, NULL, why), MCP_OAUTH_INVALID);
	/* The oct key in the JWKS is never used: HS256 is not accepted. */
	assert_int_equal(check(a,
	                       tok("{\"alg\":\"HS256\"}", claims(600, 0, NULL)),
	                       NULL, why),
	                 MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "HS256"));
	/* A key of another kind under the right kid. */
	assert_int_equal(check(a,
	                       tok("{\"alg\":\"ES256\",\"kid\":\"k1\"}",
	                           claims(600, 0, NULL)),
	                       NULL, why),
	                 MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "not a ES256 key"));
	/* A kid with a line break cannot split the response header. */
	assert_int_equal(
	        check(a,
	              tok("{\"alg\":\"EdDSA\",\"kid\":\"a\\r\\nX: \\\"y\"}",
	                  claims(600, 0, NULL)),
	              NULL, why),
	        MCP_OAUTH_INVALID);
	assert_null(strpbrk(why, "\r\n\"\\"));
	assert_non_null(strstr(why, "a??X: ?y"));
	mcp_oauth_free(a);
}

/* The refusals a real issuer's tokens exercise in the interop tests
 * (mcp_oauth.mjs, mcp_oauth_oidc.mjs), here against the pinned JWKS where
 * no refetch can rescue a token: alg none with an empty signature, a kid
 * the JWKS does not have, another signer under the published kid, and
 * another audience. */
static void test_refusals(void **state)
{
	struct mcp_oauth *a = make(NULL);
	char why[200], t[4096], *dot;
	unsigned char pk2[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk2[crypto_sign_SECRETKEYBYTES], keep[sizeof sk];
	(void)state;

	snprintf(
	        t, sizeof t, "%s",
	        tok("{\"alg\":\"none\",\"kid\":\"k1\"}", claims(600, 0, NULL)));
	dot = strrchr(t, '.');
	dot[1] = '\0';
	assert_int_equal(check(a, t, NULL, why), MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "algorithm none"));
	assert_int_equal(check(a,
	                       tok("{\"alg\":\"EdDSA\",\"kid\":\"k9\"}",
	                           claims(600, 0, NULL)),
	                       NULL, why),
	                 MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "no key k9"));
	/* Signed by a key the issuer never published, under its kid. */
	crypto_sign_keypair(pk2, sk2);
	memcpy(keep, sk, sizeof sk);
	memcpy(sk, sk2, sizeof sk);
	snprintf(t, sizeof t, "%s", tok(HDR, claims(600, 0, NULL)));
	memcpy(sk, keep, sizeof sk);
	assert_int_equal(check(a, t, NULL, why), MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "bad signature"));
	/* A valid signature on a token for another resource. */
	assert_int_equal(
	        check(a,
	              tok(HDR,
	                  "{\"iss\":\"" ISS "\",\"aud\":"
	                  "\"https://other.example/mcp\",\"exp\":4102444800}"),
	              NULL, why),
	        MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "aud"));
	/* The same token for this resource passes: the refusals above are
	 * about what they changed. */
	assert_int_equal(check(a,
	                       tok(HDR, "{\"iss\":\"" ISS "\",\"aud\":\"" RES
	                                "\",\"exp\":4102444800}"),
	                       NULL, why),
	                 MCP_OAUTH_OK);
	mcp_oauth_free(a);
}

/* The verified-token cache changes no answer: the same token again
 * passes with the same principal, a token one byte away from a cached
 * one is still refused, and no_cache verifies every time alike. */
static void test_cache(void **state)
{
	struct mcp_oauth *a = make(NULL), *b = NULL;
	struct mcp_principal p1, p2;
	struct sh_error e;
	char why[200], t[4096];
	char x[64], jwks[256], keep;
	struct mcp_oauth_opts o = {
	        .issuer = ISS, .resource = RES, .no_cache = 1};
	(void)state;

	snprintf(t, sizeof t, "%s",
	         tok(HDR, claims(600, 0, ",\"client_id\":\"c9\"")));
	assert_int_equal(check(a, t, &p1, why), MCP_OAUTH_OK);
	assert_int_equal(check(a, t, &p2, why), MCP_OAUTH_OK);
	assert_memory_equal(&p1, &p2, sizeof p1);
	assert_string_equal(p2.client_id, "c9");
	keep = t[strlen(t) - 2];
	t[strlen(t) - 2] = keep == 'A' ? 'B' : 'A';
	assert_int_equal(check(a, t, NULL, why), MCP_OAUTH_INVALID);
	assert_non_null(strstr(why, "bad signature"));
	b64u(pk, sizeof pk, x, sizeof x);
	snprintf(jwks, sizeof jwks,
	         "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":"
	         "\"k1\",\"x\":\"%s\"}]}",
	         x);
	assert_int_equal(mcp_oauth_new_static(&o, jwks, &b, &e), SH_OK);
	t[strlen(t) - 2] = keep;
	assert_int_equal(check(b, t, &p2, why), MCP_OAUTH_OK);
	assert_int_equal(check(b, t, &p2, why), MCP_OAUTH_OK);
	assert_memory_equal(&p1, &p2, sizeof p1);
	mcp_oauth_free(b);
	mcp_oauth_free(a);
}

static void test_bad_jwks(void **state)
{
	struct mcp_oauth *a = NULL;
	struct sh_error e;
	struct mcp_oauth_opts o = {.issuer = ISS, .resource = RES};
	(void)state;

	assert_int_equal(mcp_oauth_new_static(&o,
	                                      "{\"keys\":[{\"kty\":\"oct\","
	                                      "\"k\":\"c2VjcmV0\"}]}",
	                                      &a, &e),
	                 SH_ERR_INVALID);
	assert_null(a);
	assert_non_null(strstr(e.msg, "no usable signing key"));
	assert_int_equal(mcp_oauth_new_static(&o, "nope", &a, &e),
	                 SH_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_skew),
	        cmocka_unit_test(test_claims),
	        cmocka_unit_test(test_scope),
	        cmocka_unit_test(test_malformed),
	        cmocka_unit_test(test_refusals),
	        cmocka_unit_test(test_cache),
	        cmocka_unit_test(test_bad_jwks),
	};
	if (sodium_init() < 0)
		return 1;
	crypto_sign_keypair(pk, sk);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
