/*
 * test_oauthbroker.c - the pure parts of the credential broker: PKCE
 * (RFC 7636's own example), the token endpoint's answers good and bad,
 * the device flow's polling decisions (RFC 8628 3.5), form encoding, the
 * RS256 JWT bearer assertion (verified here with libcrypto and the public
 * key), the manifest's "oauth" declaration and its checks, and that the
 * record the broker keeps is unreachable through skill.secrets/1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "call.h"
#include "dynbuf.h"
#include "hostapi.h"
#include "oauthbroker.h"
#include "oauthdecl.h"
#include "perms.h"
#include "secrets.h"
#include "temphome.h"

static void pkce_rfc7636_example(void **state)
{
	char c[OAUTH_PKCE_LEN + 1], v[OAUTH_PKCE_LEN + 1],
	        v2[OAUTH_PKCE_LEN + 1], c2[OAUTH_PKCE_LEN + 1];
	(void)state;
	/* RFC 7636 appendix B. */
	oauth_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", c);
	assert_string_equal(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	oauth_pkce_pair(v, c);
	oauth_pkce_pair(v2, c2);
	assert_int_equal(strlen(v), 43);
	assert_int_equal(strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	                           "qrstuvwxyz0123456789-_"),
	                 43);
	assert_string_not_equal(v, v2);
	oauth_pkce_challenge(v, c2);
	assert_string_equal(c, c2);
}

static sh_status parse(long status, const char *body, struct oauth_token *t,
                       char *code, struct sh_error *e)
{
	return oauth_parse_token(status, body, strlen(body), t, code, 64, e);
}

static void token_answers(void **state)
{
	struct oauth_token t;
	struct sh_error e;
	char code[64];
	(void)state;

	assert_int_equal(parse(200,
	                       "{\"access_token\":\"at-1\",\"token_type\":"
	                       "\"bearer\",\"expires_in\":3600,"
	                       "\"refresh_token\":\"rt-1\",\"scope\":\"a b\"}",
	                       &t, code, &e),
	                 SH_OK);
	assert_string_equal(t.access_token, "at-1");
	assert_string_equal(t.refresh_token, "rt-1");
	assert_int_equal(t.expires_in, 3600);
	oauth_token_clear(&t);
	/* Salesforce: no expires_in, no refresh token, instance_url kept. */
	assert_int_equal(parse(200,
	                       "{\"access_token\":\"00D!x\",\"token_type\":"
	                       "\"Bearer\",\"instance_url\":\"https://"
	                       "acme.my.salesforce.com\"}",
	                       &t, code, &e),
	                 SH_OK);
	assert_null(t.refresh_token);
	assert_int_equal(t.expires_in, 0);
	assert_string_equal(
	        cJSON_GetObjectItem(t.raw, "instance_url")->valuestring,
	        "https://acme.my.salesforce.com");
	oauth_token_clear(&t);
	/* A string expires_in, as some providers send. */
	assert_int_equal(parse(200,
	                       "{\"access_token\":\"a\",\"expires_in\":\"60\"}",
	                       &t, code, &e),
	                 SH_OK);
	assert_int_equal(t.expires_in, 60);
	oauth_token_clear(&t);

	/* OAuth errors: the code and the description. */
	assert_int_equal(parse(400,
	                       "{\"error\":\"invalid_grant\",\"error_"
	                       "description\":\"refresh token revoked\"}",
	                       &t, code, &e),
	                 SH_ERR_DENIED);
	assert_string_equal(code, "invalid_grant");
	assert_non_null(strstr(e.msg, "refresh token revoked"));
	assert_null(t.access_token);
	/* An error inside a 200 is an error too. */
	assert_int_equal(parse(200, "{\"error\":\"slow_down\"}", &t, code, &e),
	                 SH_ERR_DENIED);
	assert_string_equal(code, "slow_down");

	/* Bad answers. */
	static const char *const bad[] = {
	        "",
	        "<html>502</html>",
	        "[]",
	        "{}",
	        "{\"access_token\":7}",
	        "{\"access_token\":\"\"}",
	        "{\"access_token\":\"has space\"}",
	        "{\"access_token\":\"a\",\"token_type\":\"mac\"}",
	        "{\"access_token\":\"a\",\"expires_in\":-5}",
	        "{\"access_token\":\"a\",\"expires_in\":\"soon\"}",
	        "{\"access_token\":\"a\",\"refresh_token\":\"\\n\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(200, bad[i], &t, code, &e),
		                 SH_ERR_INVALID);
		assert_null(t.access_token);
	}
	/* A 500 without an OAuth error is not mistaken for one. */
	assert_int_equal(parse(500, "{\"message\":\"oops\"}", &t, code, &e),
	                 SH_ERR_INVALID);
	assert_string_equal(code, "");
}

static void device_polling(void **state)
{
	struct oauth_device_poll p = {5, 1000};
	struct sh_error e;
	(void)state;

	assert_int_equal(oauth_device_next(&p, "authorization_pending", 10, &e),
	                 1);
	assert_int_equal(p.interval_s, 5);
	assert_int_equal(oauth_device_next(&p, "slow_down", 20, &e), 1);
	assert_int_equal(p.interval_s, 10);
	assert_int_equal(oauth_device_next(&p, "slow_down", 30, &e), 1);
	assert_int_equal(p.interval_s, 15);
	/* A transport hiccup: poll again, same interval. */
	assert_int_equal(oauth_device_next(&p, "", 40, &e), 1);
	assert_int_equal(p.interval_s, 15);
	assert_int_equal(oauth_device_next(&p, "access_denied", 50, &e), 0);
	assert_int_equal(e.status, SH_ERR_DENIED);
	assert_non_null(strstr(e.msg, "denied"));
	assert_int_equal(oauth_device_next(&p, "expired_token", 50, &e), 0);
	assert_int_equal(e.status, SH_ERR_TIMEOUT);
	assert_int_equal(
	        oauth_device_next(&p, "authorization_pending", 1000, &e), 0);
	assert_int_equal(e.status, SH_ERR_TIMEOUT);
	assert_int_equal(oauth_device_next(&p, "invalid_client", 60, &e), 0);
	assert_non_null(strstr(e.msg, "invalid_client"));
}

static void form_encoding(void **state)
{
	struct dynbuf b = DYN_INIT(1024);
	(void)state;
	oauth_form_add(&b, "redirect_uri", "http://127.0.0.1:5/callback");
	oauth_form_add(&b, "scope", "read:jira-work offline_access");
	oauth_form_add(&b, "x", "a+b&c=d~._-é");
	assert_string_equal(dyn_ptr(&b),
	                    "redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Fcallback"
	                    "&scope=read%3Ajira-work%20offline_access"
	                    "&x=a%2Bb%26c%3Dd~._-%C3%A9");
	dyn_free(&b);
}

static unsigned char *unb64(const char *s, size_t n, size_t *len)
{
	unsigned char *out = malloc(n + 1);
	assert_int_equal(
	        sodium_base642bin(out, n + 1, s, n, NULL, len, NULL,
	                          sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	        0);
	return out;
}

static void jwt_assertion_verifies(void **state)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem, *jwt = NULL, *d1, *d2;
	long n;
	struct sh_error e;
	unsigned char *sig, *body;
	size_t siglen, blen;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	cJSON *claims;
	(void)state;

	assert_non_null(key);
	assert_int_equal(
	        PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL),
	        1);
	n = BIO_get_mem_data(bio, &pem);
	assert_int_equal(oauth_jwt_assertion(pem, (size_t)n, "app-1",
	                                     "ops@example.com",
	                                     "https://login.salesforce.com",
	                                     1700000000, &jwt, &e),
	                 SH_OK);
	d1 = strchr(jwt, '.');
	d2 = strchr(d1 + 1, '.');
	assert_non_null(d2);
	sig = unb64(d2 + 1, strlen(d2 + 1), &siglen);
	assert_int_equal(
	        EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_DigestVerify(md, sig, siglen, (unsigned char *)jwt,
	                                  (size_t)(d2 - jwt)),
	                 1);
	body = unb64(d1 + 1, (size_t)(d2 - d1 - 1), &blen);
	claims = cJSON_ParseWithLength((char *)body, blen);
	assert_string_equal(cJSON_GetObjectItem(claims, "iss")->valuestring,
	                    "app-1");
	assert_string_equal(cJSON_GetObjectItem(claims, "sub")->valuestring,
	                    "ops@example.com");
	assert_string_equal(cJSON_GetObjectItem(claims, "aud")->valuestring,
	                    "https://login.salesforce.com");
	assert_int_equal(cJSON_GetObjectItem(claims, "exp")->valuedouble,
	                 1700000000 + OAUTH_JWT_LIFETIME_S);
	/* One changed byte of the claims and it no longer verifies. */
	d1[3] ^= 1;
	EVP_MD_CTX_reset(md);
	EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key);
	assert_int_not_equal(EVP_DigestVerify(md, sig, siglen,
	                                      (unsigned char *)jwt,
	                                      (size_t)(d2 - jwt)),
	                     1);
	/* Not a key, and not an RSA key: refused by name. */
	assert_int_equal(
	        oauth_jwt_assertion("nope", 4, "a", "b", "c", 1, &d1, &e),
	        SH_ERR_INVALID);
	assert_non_null(strstr(e.msg, "RSA private key"));
	/* An encrypted key is refused, never asked for on the terminal. */
	{
		BIO *enc = BIO_new(BIO_s_mem());
		char *epem;
		long en;
		assert_int_equal(PEM_write_bio_PrivateKey(
		                         enc, key, EVP_aes_256_cbc(),
		                         (unsigned char *)"pw", 2, NULL, NULL),
		                 1);
		en = BIO_get_mem_data(enc, &epem);
		assert_int_equal(oauth_jwt_assertion(epem, (size_t)en, "a", "b",
		                                     "c", 1, &d1, &e),
		                 SH_ERR_INVALID);
		BIO_free(enc);
	}
	cJSON_Delete(claims);
	free(body);
	free(sig);
	free(jwt);
	EVP_MD_CTX_free(md);
	BIO_free(bio);
	EVP_PKEY_free(key);
}

static sh_status decl(const char *json, struct oauth_decl **d,
                      struct sh_error *e)
{
	cJSON *root = cJSON_Parse(json);
	sh_status rc;

	assert_non_null(root);
	rc = oauthdecl_parse(
	        root,
	        cJSON_GetObjectItem(cJSON_GetObjectItem(root, "permissions"),
	                            "secrets"),
	        "m.json", d, e);
	cJSON_Delete(root);
	return rc;
}

#define PERMS "\"permissions\":{\"secrets\":[\"TOK\",\"SEC\",\"URL\"]}"

static const char *policy(void *ctx, const char *key)
{
	(void)ctx;
	if (!strcmp(key, "oauth-token-endpoint"))
		return "https://jira.example.com/rest/oauth2/latest/token";
	if (!strcmp(key, "oauth-client-id"))
		return "operator-app";
	return NULL;
}

static const char *bad_policy(void *ctx, const char *key)
{
	(void)ctx;
	return !strcmp(key, "oauth-revocation-endpoint") ? "http://evil.example"
	                                                 : NULL;
}

static void manifest_declaration(void **state)
{
	struct oauth_decl *d = NULL;
	struct sh_error e;
	(void)state;

	assert_int_equal(decl("{" PERMS "}", &d, &e), SH_OK);
	assert_null(d);
	assert_int_equal(
	        decl("{" PERMS ",\"oauth\":{\"authorization_endpoint\":"
	             "\"https://a.example/auth\",\"token_endpoint\":"
	             "\"https://a.example/token\",\"scopes\":[\"x:y\","
	             "\"offline_access\"],\"client_secret\":\"SEC\","
	             "\"access_token\":\"TOK\",\"token_fields\":{\"URL\":"
	             "\"instance_url\"}}}",
	             &d, &e),
	        SH_OK);
	assert_string_equal(d->scope, "x:y offline_access");
	assert_string_equal(d->client_secret, "SEC");
	assert_null(d->client_id);
	assert_int_equal(oauthdecl_apply_policy(d, policy, NULL, &e), SH_OK);
	assert_string_equal(
	        d->token_endpoint,
	        "https://jira.example.com/rest/oauth2/latest/token");
	assert_string_equal(d->client_id, "operator-app");
	assert_int_equal(oauthdecl_apply_policy(d, bad_policy, NULL, &e),
	                 SH_ERR_USAGE);
	assert_non_null(strstr(e.msg, "oauth-revocation-endpoint"));
	oauthdecl_free(d);

	static const struct {
		const char *oauth, *says;
	} bad[] = {
	        {"7", "must be an object"},
	        {"{\"token_endpoint\":\"https://a/t\",\"access_token\":"
	         "\"TOK\"}",
	         "needs a way to log in"},
	        {"{\"authorization_endpoint\":\"https://a/x\","
	         "\"access_token\":\"TOK\"}",
	         "\"oauth.token_endpoint\" is missing"},
	        {"{\"authorization_endpoint\":\"http://a.example/x\","
	         "\"token_endpoint\":\"https://a/t\",\"access_token\":"
	         "\"TOK\"}",
	         "https://"},
	        {"{\"authorization_endpoint\":\"http://127.0.0.1.evil/x\","
	         "\"token_endpoint\":\"https://a/t\",\"access_token\":"
	         "\"TOK\"}",
	         "https://"},
	        {"{\"authorization_endpoint\":\"https://a/x\","
	         "\"token_endpoint\":\"https://a/t\",\"access_token\":"
	         "\"NOT_DECLARED\"}",
	         "permissions.secrets does not declare"},
	        {"{\"authorization_endpoint\":\"https://a/x\","
	         "\"token_endpoint\":\"https://a/t\",\"access_token\":"
	         "\"TOK\",\"client_secret\":\"OTHER\"}",
	         "OTHER"},
	        {"{\"authorization_endpoint\":\"https://a/x\","
	         "\"token_endpoint\":\"https://a/t\",\"access_token\":"
	         "\"TOK\",\"scopes\":[\"a b\"]}",
	         "space"},
	        {"{\"authorization_endpoint\":\"https://a/x\","
	         "\"token_endpoint\":\"https://a/t\",\"access_token\":"
	         "\"TOK\",\"token_fields\":{\"TOK\":\"x\"}}",
	         "must not name the access_token"},
	        {"{\"authorization_endpoint\":\"https://a/x\","
	         "\"token_endpoint\":\"https://a/t\",\"access_token\":"
	         "\"TOK\",\"clientid\":\"x\"}",
	         "unknown key \"oauth.clientid\""},
	        {"{\"token_endpoint\":\"https://a/t\",\"access_token\":"
	         "\"TOK\",\"jwt_bearer\":{}}",
	         "\"oauth.audience\" is missing"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char json[1024];
		snprintf(json, sizeof json, "{" PERMS ",\"oauth\":%s}",
		         bad[i].oauth);
		assert_int_equal(decl(json, &d, &e), SH_ERR_INVALID);
		assert_null(d);
		if (!strstr(e.msg, bad[i].says))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg,
			         bad[i].says);
	}
	assert_true(oauthdecl_url_ok("http://localhost:8080/token"));
	assert_true(oauthdecl_url_ok("http://[::1]:9/x"));
	assert_false(oauthdecl_url_ok("http://localhost.evil.example/x"));
	assert_false(oauthdecl_url_ok("https://"));
	assert_false(oauthdecl_url_ok("ftp://a/x"));
}

/* skill.secrets/1 as the host offers it, as skill with declared
 * secrets (a JSON list) sees name. */
static int64_t host_get(const char *skill, const char *declared,
                        const char *name, char *buf, size_t cap)
{
	struct host_services svc = {.home = home};
	struct skill_call c;
	struct call_result r;
	struct skill_perms *tp = NULL;
	char text[256];
	cJSON *perm;
	int64_t n;

	call_init(&c, skill, "t", NULL);
	c.services = &svc;
	snprintf(text, sizeof text, "{\"secrets\":[%s]}", declared);
	perm = cJSON_Parse(text);
	assert_int_equal(perms_from_json(perm, &tp, NULL), SH_OK);
	c.perms = tp;
	n = oauthbroker_secrets_ext.get(&c, name, buf, cap);
	call_finish(&c, &r);
	call_result_free(&r);
	cJSON_Delete(perm);
	perms_free(tp);
	return n;
}

/* The record lives under "oauth:SKILL": skill.secrets/1 for SKILL, or any
 * name, never reaches it. */
static void record_is_not_a_skill_secret(void **state)
{
	struct oauth_token t = {0};
	struct oauth_decl d = {.token_endpoint = "https://a/t",
	                       .access_token = "TOK"};
	char buf[256];
	struct sh_error e;
	char *name = NULL;
	(void)state;

	assert_int_equal(temphome_make("oauthbroker"), 0);
	t.access_token = strdup("access-1");
	t.refresh_token = strdup("refresh-1");
	t.expires_in = 3600;
	assert_int_equal(oauthbroker_store(home, "acme/x", &d, &t, NULL, &e),
	                 SH_OK);
	oauth_token_clear(&t);
	assert_int_equal(
	        secrets_lookup(home, "acme/x", "TOKENS", buf, sizeof buf), -1);
	assert_int_equal(secrets_lookup(home, "acme/x", "TOK", buf, sizeof buf),
	                 -1);
	assert_true(oauthbroker_logged_in(home, "acme/x", &name));
	assert_string_equal(name, "TOK");
	free(name);
	assert_false(oauthbroker_logged_in(home, "acme/y", NULL));
	assert_int_equal(oauthbroker_secret(NULL, home, "acme/x", "TOK", buf,
	                                    sizeof buf),
	                 8);
	assert_string_equal(buf, "access-1");
	assert_int_equal(oauthbroker_secret(NULL, home, "acme/x", "OTHER", buf,
	                                    sizeof buf),
	                 OAUTHBROKER_NOT_MINE);
	/* Through the extension: the declared name gets the token; an
	 * undeclared one nothing, login or not; the record's own name is
	 * no secret of the skill. */
	assert_int_equal(host_get("acme/x", "\"TOK\"", "TOK", buf, sizeof buf),
	                 8);
	assert_string_equal(buf, "access-1");
	assert_int_equal(
	        host_get("acme/x", "\"OTHER\"", "TOK", buf, sizeof buf), -2);
	assert_int_equal(
	        host_get("acme/x", "\"TOKENS\"", "TOKENS", buf, sizeof buf),
	        -1);
	assert_null(strstr(buf, "refresh-1"));
	/* A 401 for a token that is not the broker's is left alone. */
	assert_null(oauthbroker_after_401(NULL, home, "acme/x",
	                                  "Bearer pasted-by-hand"));
	assert_null(oauthbroker_after_401(NULL, home, "acme/x", "Basic YTpi"));
	temphome_teardown(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(pkce_rfc7636_example),
	        cmocka_unit_test(token_answers),
	        cmocka_unit_test(device_polling),
	        cmocka_unit_test(form_encoding),
	        cmocka_unit_test(jwt_assertion_verifies),
	        cmocka_unit_test(manifest_declaration),
	        cmocka_unit_test(record_is_not_a_skill_secret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
