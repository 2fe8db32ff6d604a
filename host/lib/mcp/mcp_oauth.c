/*
 * mcp_oauth.c - JWT access tokens checked against the issuer's JWKS.
 *
 * See mcp_oauth.h. The keys are turned into OpenSSL EVP_PKEYs once, when
 * the JWKS is fetched; a request costs one base64url decode, one JSON parse
 * of header and claims, and one signature verification.
 */
#include "mcp_oauth.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include "curlapi.h"
#include "dynbuf.h"
#include "hostlog.h"
#include "libcrypto_dl.h" /* OpenSSL calls go through its table */
#include "monotime.h"

#define MAX_DOC      ((size_t)1024 * 1024) /* metadata or JWKS */
#define MAX_KEYS     64
#define MIN_RSA_BITS 2048

enum key_kind { KEY_RSA, KEY_EC256, KEY_ED25519 };

struct jwk {
	char kid[128];
	enum key_kind kind;
	EVP_PKEY *pkey;
};

/* One introspection answer or verified JWT's claims, by the token's
 * SHA-256. */
struct intro_ent {
	unsigned char h[32];
	int64_t until_ms; /* 0: a free slot */
	char *claims;     /* the answer (JSON), or NULL: not active */
	int jwt;          /* a JWT's: forgotten when the JWKS changes */
};

struct mcp_oauth {
	char *issuer, *resource, *jwks_url, *scope;
	char *metadata, *metadata_url;
	char *suffixed_path; /* well-known + the resource's path, or NULL */

	pthread_mutex_t lock; /* keys, nkeys, last_fetch_ms */
	struct jwk keys[MAX_KEYS];
	size_t nkeys;
	int64_t last_fetch_ms;

	/* RFC 7662; intro_url NULL when off. id and secret form-encoded. */
	char *intro_url, *intro_id, *intro_secret;
	pthread_mutex_t ilock;    /* icache */
	struct intro_ent *icache; /* MCP_OAUTH_INTRO_CACHE slots, or NULL */
	int cache_jwt;            /* remember verified JWTs in icache */
};

/* --- fetching --- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct dynbuf *b = ud;

	if (dyn_addn(b, p, size * n) != SH_OK)
		return 0;
	return size * n;
}

/* Whether url is plain http to a loopback host: localhost, [::1] or a
 * dotted 127.x.y.z, the whole host (so not http://localhost.evil/). */
static int http_loopback(const char *url)
{
	const char *h = url + 7;
	size_t n;
	unsigned a, b, c, d;
	char end;

	if (strncmp(url, "http://", 7))
		return 0;
	if (!strncmp(h, "[::1]", 5))
		return h[5] == ':' || h[5] == '/' || !h[5];
	n = strcspn(h, ":/?#");
	if (n == 9 && !strncmp(h, "localhost", 9))
		return 1;
	end = h[n];
	return n < 16 && sscanf(h, "%3u.%3u.%3u.%3u", &a, &b, &c, &d) == 4 &&
	       a == 127 && b < 256 && c < 256 && d < 256 &&
	       strspn(h, "0123456789.") == n &&
	       (end == ':' || end == '/' || !end);
}

/* GET url as JSON, or POST form to it when form is not NULL, with HTTP
 * Basic user:pass when user is not NULL. Loopback http is allowed (tests,
 * a local issuer); everything else must be https, as OAuth 2.1 asks. */
static sh_status request_json(const char *url, const char *form,
                              const char *user, const char *pass, cJSON **out,
                              struct sh_error *e)
{
	const struct curlapi *c;
	struct dynbuf b = DYN_INIT(MAX_DOC);
	const char *method = form ? "POST" : "GET";
	CURL *h;
	CURLcode rc;
	long status = 0;

	if (strncmp(url, "https://", 8) && !http_loopback(url))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%s: the issuer's URLs must be https "
		                    "(plain http only on loopback)",
		                    url);
	if (curlapi_load(e) != SH_OK)
		return SH_ERR_FAIL;
	c = curlapi();
	h = c->easy_init();
	if (!h)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	c->easy_setopt(h, CURLOPT_URL, url);
	c->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	c->easy_setopt(h, CURLOPT_WRITEDATA, &b);
	c->easy_setopt(h, CURLOPT_TIMEOUT, (long)MCP_OAUTH_FETCH_TIMEOUT);
	c->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	c->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (form) {
		c->easy_setopt(h, CURLOPT_POSTFIELDS, form);
		c->easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
	}
	if (user) {
		c->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		c->easy_setopt(h, CURLOPT_USERNAME, user);
		c->easy_setopt(h, CURLOPT_PASSWORD, pass);
	}
	rc = c->easy_perform(h);
	c->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	c->easy_cleanup(h);
	if (rc != CURLE_OK) {
		dyn_free(&b);
		return sh_error_set(e, SH_ERR_IO, "%s %s: %s", method, url,
		                    c->easy_strerror(rc));
	}
	if (status != 200) {
		dyn_free(&b);
		return sh_error_set(
		        e, SH_ERR_IO, "%s %s: HTTP %ld%s", method, url, status,
		        status == 401 && user ? " (check --auth-client-id and "
		                                "the client secret)"
		                              : "");
	}
	*out = cJSON_ParseWithLength(dyn_ptr(&b), dyn_len(&b));
	dyn_free(&b);
	if (!*out || !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s %s: the answer is not a JSON object",
		                    method, url);
	}
	return SH_OK;
}

static sh_status fetch_json(const char *url, cJSON **out, struct sh_error *e)
{
	return request_json(url, NULL, NULL, NULL, out, e);
}

/* application/x-www-form-urlencoded of s (RFC 6749 appendix B), appended
 * to b. */
static void form_encode(struct dynbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			dyn_addn(b, (const char *)p, 1);
		} else {
			char q[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			dyn_addn(b, q, 3);
		}
	}
}

static char *form_dup(const char *s)
{
	struct dynbuf b = DYN_INIT((size_t)64 * 1024);
	char *out;

	form_encode(&b, s);
	out = dyn_error(&b) == SH_OK ? strdup(dyn_ptr(&b)) : NULL;
	dyn_free(&b);
	return out;
}

static const char *str_of(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* RFC 8414: the well-known segment goes between the host and the path. */
static char *well_known(const char *base, const char *seg)
{
	const char *host = strstr(base, "://");
	const char *path;
	size_t plen, cap;
	char *u;

	host = host ? host + 3 : base;
	path = strchr(host, '/');
	if (!path)
		path = host + strlen(host);
	plen = strlen(path);
	while (plen && path[plen - 1] == '/')
		plen--;
	cap = strlen(base) + strlen(seg) + 2;
	u = malloc(cap);
	if (!u)
		return NULL;
	/* cap holds base (host and path) plus seg: the copy is never cut. */
	snprintf(u, cap, "%.*s%s%.*s", (int)(path - base), base, seg, (int)plen,
	         path);
	return u;
}

static sh_status discover(struct mcp_oauth *a, struct sh_error *e)
{
	static const char *const segs[] = {
	        "/.well-known/oauth-authorization-server",
	        "/.well-known/openid-configuration"};
	struct sh_error first = {0};

	for (size_t i = 0; i < 2; i++) {
		char *u = well_known(a->issuer, segs[i]);
		cJSON *doc = NULL;
		const char *iss, *jwks;
		sh_status st;

		if (!u)
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		st = fetch_json(u, &doc, i ? e : &first);
		if (st != SH_OK) {
			free(u);
			if (st == SH_ERR_USAGE) {
				if (!i)
					*e = first;
				return st;
			}
			continue;
		}
		iss = str_of(doc, "issuer");
		jwks = str_of(doc, "jwks_uri");
		if (!iss || strcmp(iss, a->issuer) || !jwks) {
			sh_error_set(e, SH_ERR_INVALID,
			             "%s: %s; check --auth-issuer", u,
			             !iss || strcmp(iss, a->issuer)
			                     ? "its issuer is not the one "
			                       "given (RFC 8414 wants them "
			                       "equal)"
			                     : "it names no jwks_uri");
			cJSON_Delete(doc);
			free(u);
			return SH_ERR_INVALID;
		}
		a->jwks_url = strdup(jwks);
		cJSON_Delete(doc);
		free(u);
		return a->jwks_url
		               ? SH_OK
		               : sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	return sh_error_prefix(e,
	                       "--auth-issuer %s: no authorization server "
	                       "metadata (%s; then)",
	                       a->issuer, first.msg);
}

/* --- keys --- */

static int b64url(const char *s, size_t slen, unsigned char *out, size_t cap,
                  size_t *len)
{
	return sodium_base642bin(out, cap, s, slen, NULL, len, NULL,
	                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
}

/* A base64url member decoded into a fresh buffer; NULL when absent, bad,
 * or over max bytes. */
static unsigned char *member_bytes(const cJSON *k, const char *name, size_t max,
                                   size_t *len)
{
	const char *s = str_of(k, name);
	unsigned char *b;

	if (!s || !*s)
		return NULL;
	b = malloc(max);
	if (b && !b64url(s, strlen(s), b, max, len)) {
		free(b);
		b = NULL;
	}
	return b;
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pk = NULL;

	if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pk;
}

static EVP_PKEY *rsa_key(const cJSON *k)
{
	size_t nl = 0, el = 0;
	unsigned char *n = member_bytes(k, "n", 1024, &nl);
	unsigned char *x = member_bytes(k, "e", 16, &el);
	BIGNUM *bn = n ? BN_bin2bn(n, (int)nl, NULL) : NULL;
	BIGNUM *be = x ? BN_bin2bn(x, (int)el, NULL) : NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *pk = NULL;

	if (bn && be && bld &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		pk = from_params("RSA", bld);
	if (pk && EVP_PKEY_get_bits(pk) < MIN_RSA_BITS) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	free(n);
	free(x);
	return pk;
}

static EVP_PKEY *ec256_key(const cJSON *k)
{
	size_t xl = 0, yl = 0;
	unsigned char *x = member_bytes(k, "x", 64, &xl);
	unsigned char *y = member_bytes(k, "y", 64, &yl);
	unsigned char pt[65];
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *pk = NULL;

	if (x && y && xl == 32 && yl == 32 && bld) {
		pt[0] = 4; /* uncompressed point */
		memcpy(pt + 1, x, 32);
		memcpy(pt + 33, y, 32);
		if (OSSL_PARAM_BLD_push_utf8_string(
		            bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
		    OSSL_PARAM_BLD_push_octet_string(
		            bld, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt))
			pk = from_params("EC", bld);
	}
	OSSL_PARAM_BLD_free(bld);
	free(x);
	free(y);
	return pk;
}

static EVP_PKEY *ed25519_key(const cJSON *k)
{
	size_t xl = 0;
	unsigned char *x = member_bytes(k, "x", 64, &xl);
	EVP_PKEY *pk = NULL;

	if (x && xl == 32)
		pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, 32);
	free(x);
	return pk;
}

/* One JWK; 0 when it is not a signing key of a kind we verify (skipped,
 * not an error: a JWKS may hold encryption keys too). */
static int parse_jwk(const cJSON *k, struct jwk *out)
{
	const char *kty = str_of(k, "kty"), *crv = str_of(k, "crv");
	const char *use = str_of(k, "use"), *kid = str_of(k, "kid");

	if (!kty || (use && strcmp(use, "sig")))
		return 0;
	snprintf(out->kid, sizeof out->kid, "%s", kid ? kid : "");
	if (!strcmp(kty, "RSA")) {
		out->kind = KEY_RSA;
		out->pkey = rsa_key(k);
	} else if (!strcmp(kty, "EC") && crv && !strcmp(crv, "P-256")) {
		out->kind = KEY_EC256;
		out->pkey = ec256_key(k);
	} else if (!strcmp(kty, "OKP") && crv && !strcmp(crv, "Ed25519")) {
		out->kind = KEY_ED25519;
		out->pkey = ed25519_key(k);
	} else {
		return 0;
	}
	return out->pkey != NULL;
}

static void drop_keys(struct mcp_oauth *a)
{
	for (size_t i = 0; i < a->nkeys; i++)
		EVP_PKEY_free(a->keys[i].pkey);
	a->nkeys = 0;
}

/* Fetch the JWKS and replace the cache. Caller holds a->lock (or owns a).
 * On failure the old keys stay. */
static sh_status keys_from(struct mcp_oauth *a, cJSON *doc, const char *from,
                           struct sh_error *e)
{
	cJSON *ks, *k;
	struct jwk fresh[MAX_KEYS];
	size_t n = 0;

	ks = cJSON_GetObjectItemCaseSensitive(doc, "keys");
	cJSON_ArrayForEach(k, ks)
	{
		if (n < MAX_KEYS && parse_jwk(k, &fresh[n]))
			n++;
	}
	if (!n)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: no usable signing key (RSA of %d bits "
		                    "or more, EC P-256, Ed25519)",
		                    from, MIN_RSA_BITS);
	drop_keys(a);
	memcpy(a->keys, fresh, n * sizeof fresh[0]);
	a->nkeys = n;
	return SH_OK;
}

/* Forget the JWTs verified so far: their keys may have been withdrawn. */
static void forget_jwts(struct mcp_oauth *a)
{
	if (!a->icache)
		return;
	pthread_mutex_lock(&a->ilock);
	for (size_t i = 0; i < MCP_OAUTH_INTRO_CACHE; i++) {
		struct intro_ent *c = &a->icache[i];
		if (c->jwt) {
			free(c->claims);
			c->claims = NULL;
			c->until_ms = 0;
			c->jwt = 0;
		}
	}
	pthread_mutex_unlock(&a->ilock);
}

static sh_status load_jwks(struct mcp_oauth *a, struct sh_error *e)
{
	cJSON *doc = NULL;
	sh_status st;

	a->last_fetch_ms = (sh_now_ns() / 1000000);
	if (fetch_json(a->jwks_url, &doc, e) != SH_OK)
		return sh_error_prefix(e, "the issuer's JWKS");
	st = keys_from(a, doc, a->jwks_url, e);
	cJSON_Delete(doc);
	if (st == SH_OK)
		forget_jwts(a);
	return st;
}

/* --- setup --- */

static char *build_metadata(const struct mcp_oauth *a)
{
	cJSON *d = cJSON_CreateObject(), *as = cJSON_CreateArray();
	char *s;

	cJSON_AddStringToObject(d, "resource", a->resource);
	cJSON_AddItemToArray(as, cJSON_CreateString(a->issuer));
	cJSON_AddItemToObject(d, "authorization_servers", as);
	cJSON_AddItemToArray(
	        cJSON_AddArrayToObject(d, "bearer_methods_supported"),
	        cJSON_CreateString("header"));
	if (a->scope)
		cJSON_AddItemToArray(
		        cJSON_AddArrayToObject(d, "scopes_supported"),
		        cJSON_CreateString(a->scope));
	cJSON_AddStringToObject(d, "resource_name", "skillhost");
	s = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	return s;
}

static sh_status oauth_new(const struct mcp_oauth_opts *o, const char *jwks,
                           struct mcp_oauth **out, struct sh_error *e)
{
	struct mcp_oauth *a = calloc(1, sizeof *a);
	const char *host, *path;
	sh_status st;

	*out = NULL;
	if ((st = libcrypto_dl_load(e)) != SH_OK) { /* opens libcrypto */
		free(a);
		return st;
	}
	if (!a)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&a->lock, NULL);
	pthread_mutex_init(&a->ilock, NULL);
	a->issuer = strdup(o->issuer);
	a->resource = strdup(o->resource);
	a->scope = o->scope ? strdup(o->scope) : NULL;
	a->jwks_url = o->jwks_url ? strdup(o->jwks_url) : NULL;
	a->metadata_url = well_known(o->resource, MCP_OAUTH_WELL_KNOWN);
	a->metadata = build_metadata(a);
	host = strstr(o->resource, "://");
	path = host ? strchr(host + 3, '/') : NULL;
	if (path && strcmp(path, "/")) {
		size_t cap = strlen(MCP_OAUTH_WELL_KNOWN) + strlen(path) + 1;
		a->suffixed_path = malloc(cap);
		/* cap is exactly the two strings and the NUL. */
		if (a->suffixed_path)
			snprintf(a->suffixed_path, cap, "%s%s",
			         MCP_OAUTH_WELL_KNOWN, path);
	}
	if (o->introspect_url) {
		if (!o->client_id || !o->client_secret) {
			mcp_oauth_free(a);
			return sh_error_set(e, SH_ERR_USAGE,
			                    "introspection at %s needs the "
			                    "resource server's client id and "
			                    "secret",
			                    o->introspect_url);
		}
		if (strncmp(o->introspect_url, "https://", 8) &&
		    !http_loopback(o->introspect_url)) {
			mcp_oauth_free(a);
			return sh_error_set(
			        e, SH_ERR_USAGE,
			        "%s: the introspection endpoint must "
			        "be https (plain http only on "
			        "loopback)",
			        o->introspect_url);
		}
		a->intro_url = strdup(o->introspect_url);
		a->intro_id = form_dup(o->client_id);
		a->intro_secret = form_dup(o->client_secret);
		if (!a->intro_url || !a->intro_id || !a->intro_secret) {
			mcp_oauth_free(a);
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		}
	}
	a->cache_jwt = !o->no_cache;
	if (a->cache_jwt || a->intro_url) {
		a->icache = calloc(MCP_OAUTH_INTRO_CACHE, sizeof *a->icache);
		if (!a->icache) {
			mcp_oauth_free(a);
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		}
	}
	if (!a->issuer || !a->resource || !a->metadata_url || !a->metadata ||
	    (o->scope && !a->scope) || (o->jwks_url && !a->jwks_url)) {
		mcp_oauth_free(a);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	if (jwks) {
		cJSON *doc = cJSON_Parse(jwks);
		st = doc ? keys_from(a, doc, "the JWKS given", e)
		         : sh_error_set(e, SH_ERR_INVALID,
		                        "the JWKS given is not JSON");
		cJSON_Delete(doc);
	} else {
		st = a->jwks_url ? SH_OK : discover(a, e);
		if (st == SH_OK)
			st = load_jwks(a, e);
	}
	if (st != SH_OK) {
		mcp_oauth_free(a);
		return st;
	}
	/* The start-up fetch does not count against the refetch interval:
	 * a key rotated in just after start is found at once. */
	a->last_fetch_ms = INT64_MIN / 2;
	hostlog(SKILL_LOG_INFO, "oauth: %zu key(s) from %s", a->nkeys,
	        a->jwks_url ? a->jwks_url : "the JWKS given");
	*out = a;
	return SH_OK;
}

sh_status mcp_oauth_new(const struct mcp_oauth_opts *o, struct mcp_oauth **out,
                        struct sh_error *e)
{
	return oauth_new(o, NULL, out, e);
}

sh_status mcp_oauth_new_static(const struct mcp_oauth_opts *o, const char *jwks,
                               struct mcp_oauth **out, struct sh_error *e)
{
	struct mcp_oauth_opts fixed = *o;

	fixed.jwks_url = NULL;
	return oauth_new(&fixed, jwks, out, e);
}

void mcp_oauth_free(struct mcp_oauth *a)
{
	if (!a)
		return;
	drop_keys(a);
	pthread_mutex_destroy(&a->lock);
	pthread_mutex_destroy(&a->ilock);
	for (size_t i = 0; a->icache && i < MCP_OAUTH_INTRO_CACHE; i++)
		free(a->icache[i].claims);
	free(a->icache);
	free(a->intro_url);
	if (a->intro_secret)
		sodium_memzero(a->intro_secret, strlen(a->intro_secret));
	free(a->intro_id);
	free(a->intro_secret);
	free(a->issuer);
	free(a->resource);
	free(a->jwks_url);
	free(a->scope);
	free(a->metadata);
	free(a->metadata_url);
	free(a->suffixed_path);
	free(a);
}

const char *mcp_oauth_metadata(const struct mcp_oauth *a)
{
	return a->metadata;
}

const char *mcp_oauth_metadata_url(const struct mcp_oauth *a)
{
	return a->metadata_url;
}

int mcp_oauth_is_metadata_path(const struct mcp_oauth *a, const char *path)
{
	return !strcmp(path, MCP_OAUTH_WELL_KNOWN) ||
	       (a->suffixed_path && !strcmp(path, a->suffixed_path));
}

char *mcp_oauth_challenge(const struct mcp_oauth *a, enum mcp_oauth_verdict v,
                          const char *why)
{
	struct dynbuf b = DYN_INIT(4096);

	dyn_addf(&b, "Bearer resource_metadata=\"%s\"", a->metadata_url);
	if (v == MCP_OAUTH_INVALID)
		dyn_add(&b, ", error=\"invalid_token\"");
	else if (v == MCP_OAUTH_NO_SCOPE)
		dyn_addf(&b, ", error=\"insufficient_scope\", scope=\"%s\"",
		         a->scope ? a->scope : "");
	if (v != MCP_OAUTH_NO_TOKEN && why && *why) {
		/* A quoted-string: no quote or backslash inside. */
		dyn_add(&b, ", error_description=\"");
		for (const char *p = why; *p; p++)
			dyn_addc(&b, *p == '"' || *p == '\\' ? '\'' : *p);
		dyn_addc(&b, '"');
	}
	if (dyn_error(&b) != SH_OK) {
		dyn_free(&b);
		return NULL;
	}
	return dyn_take(&b, NULL);
}

/* --- checking --- */

/* The key for kid and kind, with a reference the caller frees. An unknown
 * kid fetches the JWKS again, rate-limited. */
static EVP_PKEY *find_key(struct mcp_oauth *a, const char *kid,
                          enum key_kind kind, int *kind_mismatch)
{
	EVP_PKEY *pk = NULL;

	pthread_mutex_lock(&a->lock);
	for (int round = 0; round < 2 && !pk; round++) {
		int known = 0;
		for (size_t i = 0; i < a->nkeys; i++) {
			if (kid ? strcmp(a->keys[i].kid, kid) : 0)
				continue;
			known = 1;
			if (a->keys[i].kind != kind) {
				*kind_mismatch = 1;
				continue;
			}
			pk = a->keys[i].pkey;
			EVP_PKEY_up_ref(pk);
			break;
		}
		if (pk || known || round || !a->jwks_url)
			break;
		if ((sh_now_ns() / 1000000) - a->last_fetch_ms <
		    (int64_t)MCP_OAUTH_REFETCH_MIN_S * 1000)
			break;
		{
			struct sh_error e = {0};
			if (load_jwks(a, &e) != SH_OK)
				hostlog(SKILL_LOG_WARNING, "oauth: %s", e.msg);
		}
	}
	pthread_mutex_unlock(&a->lock);
	return pk;
}

static int verify_sig(EVP_PKEY *pk, enum key_kind kind, const char *input,
                      size_t ilen, const unsigned char *sig, size_t slen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	int ok = 0;

	if (!ctx)
		return 0;
	if (kind == KEY_EC256) {
		/* JWS carries r||s; OpenSSL wants DER. */
		ECDSA_SIG *es = ECDSA_SIG_new();
		BIGNUM *r, *s;
		int dl;
		if (slen != 64 || !es) {
			ECDSA_SIG_free(es);
			EVP_MD_CTX_free(ctx);
			return 0;
		}
		r = BN_bin2bn(sig, 32, NULL);
		s = BN_bin2bn(sig + 32, 32, NULL);
		if (!r || !s || !ECDSA_SIG_set0(es, r, s)) {
			BN_free(r);
			BN_free(s);
			ECDSA_SIG_free(es);
			EVP_MD_CTX_free(ctx);
			return 0;
		}
		dl = i2d_ECDSA_SIG(es, &der);
		ECDSA_SIG_free(es);
		if (dl <= 0) {
			EVP_MD_CTX_free(ctx);
			return 0;
		}
		sig = der;
		slen = (size_t)dl;
	}
	if (EVP_DigestVerifyInit(ctx, NULL,
	                         kind == KEY_ED25519 ? NULL : EVP_sha256(),
	                         NULL, pk) == 1 &&
	    EVP_DigestVerify(ctx, sig, slen, (const unsigned char *)input,
	                     ilen) == 1)
		ok = 1;
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	return ok;
}

static cJSON *decode_part(const char *s, size_t len)
{
	size_t cap = len, n = 0;
	unsigned char *b = malloc(cap + 1);
	cJSON *j = NULL;

	if (b && b64url(s, len, b, cap, &n))
		j = cJSON_ParseWithLength((const char *)b, n);
	free(b);
	if (j && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = NULL;
	}
	return j;
}

static int aud_has(const cJSON *aud, const char *want)
{
	const cJSON *v;

	if (cJSON_IsString(aud))
		return !strcmp(aud->valuestring, want);
	cJSON_ArrayForEach(v, aud)
	{
		if (cJSON_IsString(v) && !strcmp(v->valuestring, want))
			return 1;
	}
	return 0;
}

static int has_scope(const char *list, const char *want)
{
	size_t wl = strlen(want);

	for (const char *p = list; *p;) {
		size_t l = strcspn(p, " ");
		if (l == wl && !strncmp(p, want, wl))
			return 1;
		p += l;
		p += strspn(p, " ");
	}
	return 0;
}

/* --- RFC 7662 introspection --- */

static int64_t now_ms(void)
{
	return (int64_t)time(NULL) * 1000;
}

/* The cached answer for hash h, as a new cJSON (*active 1), or "not
 * active" (*active 0). 0 when there is no live entry. */
static int intro_cached(struct mcp_oauth *a, const unsigned char *h,
                        cJSON **claims, int *active)
{
	int64_t now = now_ms();
	int hit = 0;

	pthread_mutex_lock(&a->ilock);
	for (size_t i = 0; i < MCP_OAUTH_INTRO_CACHE; i++) {
		struct intro_ent *c = &a->icache[i];
		if (c->until_ms > now && !memcmp(c->h, h, sizeof c->h)) {
			*active = c->claims != NULL;
			*claims = c->claims ? cJSON_Parse(c->claims) : NULL;
			hit = !c->claims || *claims;
			break;
		}
	}
	pthread_mutex_unlock(&a->ilock);
	return hit;
}

/* Keep an answer (claims NULL: not active) until until_ms, in a free or
 * expired slot, else in place of the one that expires first. */
static void intro_store(struct mcp_oauth *a, const unsigned char *h,
                        const cJSON *claims, int64_t until_ms, int jwt)
{
	char *text = claims ? cJSON_PrintUnformatted(claims) : NULL;
	int64_t now = now_ms();
	struct intro_ent *slot = NULL;

	if (claims && !text)
		return;
	pthread_mutex_lock(&a->ilock);
	for (size_t i = 0; i < MCP_OAUTH_INTRO_CACHE; i++) {
		struct intro_ent *c = &a->icache[i];
		if (c->until_ms <= now || !memcmp(c->h, h, sizeof c->h)) {
			slot = c;
			break;
		}
		if (!slot || c->until_ms < slot->until_ms)
			slot = c;
	}
	free(slot->claims);
	memcpy(slot->h, h, sizeof slot->h);
	slot->claims = text;
	slot->until_ms = until_ms;
	slot->jwt = jwt;
	pthread_mutex_unlock(&a->ilock);
}

/* How long to keep an answer for a token with these claims: until its
 * exp, at most MCP_OAUTH_INTRO_TTL_S. */
static int64_t keep_until(const cJSON *claims)
{
	int64_t until = now_ms() + (int64_t)MCP_OAUTH_INTRO_TTL_S * 1000;
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");

	if (cJSON_IsNumber(exp) && exp->valuedouble * 1000 < (double)until)
		until = (int64_t)(exp->valuedouble * 1000);
	return until;
}

/* The claims of an active opaque token, from the cache or the issuer's
 * introspection endpoint; NULL with why set otherwise. */
static cJSON *introspect(struct mcp_oauth *a, const char *tok, char *why,
                         size_t whylen)
{
	unsigned char h[32];
	struct dynbuf form = DYN_INIT((size_t)MCP_OAUTH_MAX_TOKEN * 3 + 64);
	struct sh_error e = {0};
	cJSON *doc = NULL;
	const cJSON *act;
	int active = 0;

	if (!EVP_Digest(tok, strlen(tok), h, NULL, EVP_sha256(), NULL)) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (intro_cached(a, h, &doc, &active)) {
		if (!active)
			snprintf(why, whylen, "the token is not active");
		return doc;
	}
	dyn_add(&form, "token=");
	form_encode(&form, tok);
	dyn_add(&form, "&token_type_hint=access_token");
	if (dyn_error(&form) != SH_OK) {
		dyn_free(&form);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (request_json(a->intro_url, dyn_ptr(&form), a->intro_id,
	                 a->intro_secret, &doc, &e) != SH_OK) {
		/* Not cached: the next request asks again. */
		dyn_free(&form);
		hostlog(SKILL_LOG_WARNING, "oauth: introspection: %s", e.msg);
		snprintf(why, whylen, "the token could not be introspected");
		return NULL;
	}
	dyn_free(&form);
	act = cJSON_GetObjectItemCaseSensitive(doc, "active");
	if (!cJSON_IsTrue(act)) {
		intro_store(a, h, NULL,
		            now_ms() + (int64_t)MCP_OAUTH_INTRO_NEG_S * 1000,
		            0);
		cJSON_Delete(doc);
		snprintf(why, whylen, "the token is not active");
		return NULL;
	}
	intro_store(a, h, doc, keep_until(doc), 0);
	return doc;
}

#define REFUSE(...)                                                            \
	do {                                                                   \
		snprintf(why, whylen, __VA_ARGS__);                            \
		goto out;                                                      \
	} while (0)

enum mcp_oauth_verdict mcp_oauth_check(struct mcp_oauth *a, const char *auth,
                                       struct mcp_principal *p, char *why,
                                       size_t whylen)
{
	enum mcp_oauth_verdict v = MCP_OAUTH_INVALID;
	const char *tok, *d1, *d2, *alg, *kid, *iss;
	cJSON *hdr = NULL, *cl = NULL;
	const cJSON *exp, *nbf;
	enum key_kind kind;
	unsigned char sig[512];
	size_t slen = 0;
	EVP_PKEY *pk = NULL;
	int mismatch = 0, opaque = 0, cached = 0;
	unsigned char h[32];
	time_t now = time(NULL);

	if (whylen)
		why[0] = 0;
	if (!auth || strncasecmp(auth, "Bearer ", 7)) {
		snprintf(why, whylen, "no bearer token");
		return MCP_OAUTH_NO_TOKEN;
	}
	tok = auth + 7;
	while (*tok == ' ')
		tok++;
	if (strlen(tok) > MCP_OAUTH_MAX_TOKEN)
		REFUSE("the token is too long");
	d1 = strchr(tok, '.');
	d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if ((!d2 || strchr(d2 + 1, '.')) && a->intro_url && *tok) {
		/* Opaque: the issuer vouches for it (RFC 7662). */
		cl = introspect(a, tok, why, whylen);
		if (!cl)
			goto out;
		opaque = 1;
		goto claims;
	}
	if (!d2 || strchr(d2 + 1, '.'))
		REFUSE("not a JWT (three base64url parts)");
	if (a->cache_jwt) {
		/* Verified before: its claims, checked again below. */
		int active = 0;
		if (!EVP_Digest(tok, strlen(tok), h, NULL, EVP_sha256(), NULL))
			REFUSE("out of memory");
		if (intro_cached(a, h, &cl, &active) && cl) {
			cached = 1;
			goto claims;
		}
	}
	hdr = decode_part(tok, (size_t)(d1 - tok));
	cl = decode_part(d1 + 1, (size_t)(d2 - d1 - 1));
	if (!hdr || !cl)
		REFUSE("the JWT header or claims are not base64url JSON");
	alg = str_of(hdr, "alg");
	kid = str_of(hdr, "kid");
	/* The algorithm picks the key type; a key of another type is never
	 * tried with it (algorithm confusion), and none/HS* never verify. */
	if (alg && !strcmp(alg, "RS256"))
		kind = KEY_RSA;
	else if (alg && !strcmp(alg, "ES256"))
		kind = KEY_EC256;
	else if (alg && !strcmp(alg, "EdDSA"))
		kind = KEY_ED25519;
	else
		REFUSE("algorithm %s is not accepted (RS256, ES256, EdDSA)",
		       alg ? alg : "(none)");
	if (!b64url(d2 + 1, strlen(d2 + 1), sig, sizeof sig, &slen))
		REFUSE("the signature is not base64url");
	pk = find_key(a, kid, kind, &mismatch);
	if (!pk)
		REFUSE(mismatch ? "key %s is not a %s key"
		                : "no key %s%.0s in the issuer's JWKS",
		       kid ? kid : "(no kid)", alg);
	if (!verify_sig(pk, kind, tok, (size_t)(d2 - tok), sig, slen))
		REFUSE("bad signature");
claims:
	/* An introspection answer need not name the issuer (it came from
	 * it); a JWT must. */
	iss = str_of(cl, "iss");
	if (opaque ? iss && strcmp(iss, a->issuer)
	           : !iss || strcmp(iss, a->issuer))
		REFUSE("the token is from another issuer");
	if (!aud_has(cJSON_GetObjectItemCaseSensitive(cl, "aud"), a->resource))
		REFUSE("the token is not for this resource (aud)");
	exp = cJSON_GetObjectItemCaseSensitive(cl, "exp");
	if (!cJSON_IsNumber(exp))
		REFUSE("the token has no exp");
	if ((double)now > exp->valuedouble + MCP_OAUTH_SKEW_S)
		REFUSE("the token has expired");
	nbf = cJSON_GetObjectItemCaseSensitive(cl, "nbf");
	if (nbf && (!cJSON_IsNumber(nbf) ||
	            (double)now + MCP_OAUTH_SKEW_S < nbf->valuedouble))
		REFUSE("the token is not valid yet (nbf)");
	{
		struct mcp_principal pr = {0};
		const char *s;
		const cJSON *scp = cJSON_GetObjectItemCaseSensitive(cl, "scp");
		const cJSON *it;

		snprintf(pr.sub, sizeof pr.sub, "%s",
		         str_of(cl, "sub") ? str_of(cl, "sub") : "");
		s = str_of(cl, "client_id") ? str_of(cl, "client_id")
		                            : str_of(cl, "azp");
		snprintf(pr.client_id, sizeof pr.client_id, "%s", s ? s : "");
		s = str_of(cl, "scope");
		if (s) {
			snprintf(pr.scope, sizeof pr.scope, "%s", s);
		} else {
			cJSON_ArrayForEach(it, scp)
			{
				size_t l = strlen(pr.scope);
				if (cJSON_IsString(it))
					snprintf(pr.scope + l,
					         sizeof pr.scope - l, "%s%s",
					         l ? " " : "", it->valuestring);
			}
		}
		pr.exp = (int64_t)exp->valuedouble;
		if (a->scope && !has_scope(pr.scope, a->scope)) {
			v = MCP_OAUTH_NO_SCOPE;
			REFUSE("the token lacks scope %s", a->scope);
		}
		if (p)
			*p = pr;
	}
	v = MCP_OAUTH_OK;
	if (a->cache_jwt && !opaque && !cached)
		intro_store(a, h, cl, keep_until(cl), 1);
out:
	/* why can quote a kid or alg from the token: keep it printable, as it
	 * goes into a response header and the log. */
	for (char *q = why; whylen && *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f || *q == '"' ||
		    *q == '\\')
			*q = '?';
	EVP_PKEY_free(pk);
	cJSON_Delete(hdr);
	cJSON_Delete(cl);
	return v;
}
