/*
 * oauthbroker.c - host-managed OAuth for skills. See oauthbroker.h.
 */
#include "oauthbroker.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "call.h"
#include "curlapi.h"
#include "dynbuf.h"
#include "fsutil.h"
#include "hostapi.h"
#include "libcrypto_dl.h" /* OpenSSL calls go through its table */
#include "perms.h"
#include "secrets.h"

/* The secrets.json key of skill's record: not a skill name any skill can
 * have, so skill.secrets/1 never reaches it. */
static void record_key(char *out, size_t cap, const char *skill)
{
	snprintf(out, cap, "oauth:%s", skill);
}

/* ---- pure parts ---- */

static void b64url(const unsigned char *in, size_t n, char *out, size_t cap)
{
	sodium_bin2base64(out, cap, in, n,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void oauth_pkce_challenge(const char *verifier,
                          char challenge[OAUTH_PKCE_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)verifier,
	                   strlen(verifier));
	b64url(h, sizeof h, challenge, OAUTH_PKCE_LEN + 1);
}

void oauth_pkce_pair(char verifier[OAUTH_PKCE_LEN + 1],
                     char challenge[OAUTH_PKCE_LEN + 1])
{
	unsigned char r[32];

	randombytes_buf(r, sizeof r);
	b64url(r, sizeof r, verifier, OAUTH_PKCE_LEN + 1);
	sodium_memzero(r, sizeof r);
	oauth_pkce_challenge(verifier, challenge);
}

void oauth_random_state(char out[33])
{
	unsigned char r[16];

	randombytes_buf(r, sizeof r);
	sodium_bin2hex(out, 33, r, sizeof r);
}

static void wipe_free(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

void oauth_token_clear(struct oauth_token *t)
{
	wipe_free(t->access_token);
	wipe_free(t->refresh_token);
	if (t->raw) {
		cJSON *c;
		cJSON_ArrayForEach(c, t->raw) if (cJSON_IsString(c))
		        sodium_memzero(c->valuestring, strlen(c->valuestring));
		cJSON_Delete(t->raw);
	}
	memset(t, 0, sizeof *t);
}

/* A token or code fit to send in a header or form: printable ASCII. */
static int token_chars_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 16384)
		return 0;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

/* Copy at most cap-1 printable ASCII bytes of s (the provider's text,
 * shown to the operator). */
static void clean_copy(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 1 < cap; s++)
		out[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	out[n] = '\0';
}

sh_status oauth_parse_token(long status, const char *body, size_t len,
                            struct oauth_token *t, char *code, size_t cap,
                            struct sh_error *e)
{
	const cJSON *at, *rt, *tt, *ex, *er, *desc;
	cJSON *j;

	memset(t, 0, sizeof *t);
	if (code && cap)
		code[0] = '\0';
	j = body ? cJSON_ParseWithLength(body, len) : NULL;
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the token endpoint answered HTTP %ld "
		                    "without a JSON object",
		                    status);
	}
	er = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (status != 200 || er) {
		char c[64] = "", d[300] = "";
		desc = cJSON_GetObjectItemCaseSensitive(j, "error_description");
		if (cJSON_IsString(er))
			clean_copy(c, sizeof c, er->valuestring);
		if (cJSON_IsString(desc))
			clean_copy(d, sizeof d, desc->valuestring);
		if (code && cap)
			snprintf(code, cap, "%s", c);
		cJSON_Delete(j);
		if (!*c)
			return sh_error_set(e, SH_ERR_INVALID,
			                    "the token endpoint answered HTTP "
			                    "%ld without an OAuth error code",
			                    status);
		return sh_error_set(e, SH_ERR_DENIED,
		                    "the provider refused: %s%s%s", c,
		                    *d ? " (" : "", *d ? d : "");
	}
	at = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	rt = cJSON_GetObjectItemCaseSensitive(j, "refresh_token");
	tt = cJSON_GetObjectItemCaseSensitive(j, "token_type");
	ex = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	if (!cJSON_IsString(at) || !token_chars_ok(at->valuestring) ||
	    (rt && (!cJSON_IsString(rt) || !token_chars_ok(rt->valuestring)))) {
		cJSON_Delete(j);
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the token endpoint's answer has no usable "
		                    "access_token (or a malformed "
		                    "refresh_token)");
	}
	/* Only a bearer token can be sent as the skills send it. */
	if (tt &&
	    (!cJSON_IsString(tt) || strcasecmp(tt->valuestring, "bearer"))) {
		cJSON_Delete(j);
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the token endpoint issued a token of type "
		        "other than Bearer, which skills cannot use");
	}
	/* Some providers send the number as a string. */
	if (cJSON_IsString(ex)) {
		char *end;
		double v = strtod(ex->valuestring, &end);
		if (*end || end == ex->valuestring)
			v = -1;
		t->expires_in = v >= 1 && v <= 1e9 ? (int64_t)v : -1;
	} else if (cJSON_IsNumber(ex)) {
		t->expires_in = ex->valuedouble >= 1 && ex->valuedouble <= 1e9
		                        ? (int64_t)ex->valuedouble
		                        : -1;
	}
	if (t->expires_in < 0) {
		cJSON_Delete(j);
		t->expires_in = 0;
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the token endpoint's expires_in is not a "
		                    "positive number of seconds");
	}
	t->access_token = strdup(at->valuestring);
	t->refresh_token = rt ? strdup(rt->valuestring) : NULL;
	t->raw = j;
	if (!t->access_token || (rt && !t->refresh_token)) {
		oauth_token_clear(t);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	return SH_OK;
}

int oauth_device_next(struct oauth_device_poll *p, const char *code,
                      int64_t now, struct sh_error *e)
{
	if (!code)
		code = "";
	if (!strcmp(code, "access_denied")) {
		sh_error_set(e, SH_ERR_DENIED,
		             "the login was denied at the provider");
		return 0;
	}
	if (!strcmp(code, "expired_token") || now >= p->deadline) {
		sh_error_set(e, SH_ERR_TIMEOUT,
		             "the device code expired before the login was "
		             "approved; run `skillhost login` again");
		return 0;
	}
	/* RFC 8628 3.5: slow_down adds 5 s to this and all later polls. */
	if (!strcmp(code, "slow_down"))
		p->interval_s += 5;
	else if (*code && strcmp(code, "authorization_pending")) {
		sh_error_set(e, SH_ERR_DENIED,
		             "the provider ended the device login: %s", code);
		return 0;
	}
	if (p->interval_s < 1)
		p->interval_s = 5;
	return 1;
}

sh_status oauth_form_add(struct dynbuf *b, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *parts[2] = {name, value};

	if (dyn_len(b))
		dyn_addc(b, '&');
	for (int i = 0; i < 2; i++) {
		if (i)
			dyn_addc(b, '=');
		for (const unsigned char *p = (const unsigned char *)parts[i];
		     *p; p++) {
			if ((*p >= 'A' && *p <= 'Z') ||
			    (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
				dyn_addc(b, (char)*p);
			} else {
				char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
				dyn_addn(b, enc, 3);
			}
		}
	}
	return dyn_error(b);
}

static char *b64url_json(const cJSON *j)
{
	char *text = cJSON_PrintUnformatted(j), *out;
	size_t n, cap;

	if (!text)
		return NULL;
	n = strlen(text);
	cap = sodium_base64_ENCODED_LEN(
	        n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if ((out = malloc(cap)))
		b64url((const unsigned char *)text, n, out, cap);
	cJSON_free(text);
	return out;
}

static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

sh_status oauth_jwt_assertion(const char *key_pem, size_t key_len,
                              const char *client_id, const char *subject,
                              const char *audience, int64_t now, char **out,
                              struct sh_error *e)
{
	cJSON *hdr = cJSON_CreateObject(), *pl = cJSON_CreateObject();
	char jti[33], *h64 = NULL, *p64 = NULL, *sig64 = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0, cap;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	BIO *bio = NULL;
	struct dynbuf signing = DYN_INIT(65536);
	sh_status rc = SH_OK;

	*out = NULL;
	if ((rc = libcrypto_dl_load(e)) != SH_OK) { /* opens libcrypto */
		cJSON_Delete(hdr);
		cJSON_Delete(pl);
		return rc;
	}
	oauth_random_state(jti);
	if (!hdr || !pl || !cJSON_AddStringToObject(hdr, "alg", "RS256") ||
	    !cJSON_AddStringToObject(hdr, "typ", "JWT") ||
	    !cJSON_AddStringToObject(pl, "iss", client_id) ||
	    !cJSON_AddStringToObject(pl, "sub", subject) ||
	    !cJSON_AddStringToObject(pl, "aud", audience) ||
	    !cJSON_AddNumberToObject(pl, "iat", (double)now) ||
	    !cJSON_AddNumberToObject(pl, "exp",
	                             (double)(now + OAUTH_JWT_LIFETIME_S)) ||
	    !cJSON_AddStringToObject(pl, "jti", jti) ||
	    !(h64 = b64url_json(hdr)) || !(p64 = b64url_json(pl))) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	bio = BIO_new_mem_buf(key_pem, (int)key_len);
	/* no_password: OpenSSL's default would ask on the terminal, which
	 * would hang `serve`; an encrypted key is refused instead. */
	key = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL)
	          : NULL;
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "the JWT signing key is not a PEM RSA "
		                  "private key (unencrypted PKCS#8 or PKCS#1, "
		                  "as `openssl genrsa` writes)");
		goto out;
	}
	dyn_add(&signing, h64);
	dyn_addc(&signing, '.');
	dyn_add(&signing, p64);
	if (dyn_error(&signing) || !(md = EVP_MD_CTX_new()) ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen,
	                   (const unsigned char *)dyn_ptr(&signing),
	                   dyn_len(&signing)) != 1 ||
	    !(sig = malloc(siglen)) ||
	    EVP_DigestSign(md, sig, &siglen,
	                   (const unsigned char *)dyn_ptr(&signing),
	                   dyn_len(&signing)) != 1) {
		rc = sh_error_set(e, SH_ERR_FAIL,
		                  "signing the JWT assertion failed");
		goto out;
	}
	cap = sodium_base64_ENCODED_LEN(
	        siglen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (!(sig64 = malloc(cap))) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	b64url(sig, siglen, sig64, cap);
	dyn_addc(&signing, '.');
	dyn_add(&signing, sig64);
	if (dyn_error(&signing) || !(*out = strdup(dyn_ptr(&signing))))
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	BIO_free(bio);
	cJSON_Delete(hdr);
	cJSON_Delete(pl);
	free(h64);
	free(p64);
	free(sig64);
	free(sig);
	dyn_free(&signing);
	return rc;
}

/* ---- HTTP ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	return dyn_addn(ud, p, size * n) == SH_OK ? size * n : 0;
}

/* POST form to url; *status and b get the answer. */
static sh_status post_form(const char *url, const char *form, long *status,
                           struct dynbuf *b, struct sh_error *e)
{
	const struct curlapi *c;
	struct curl_slist *h = NULL;
	CURL *k;
	CURLcode rc;

	*status = 0;
	if (!oauthdecl_url_ok(url))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%s is not an https URL (plain http only "
		                    "to the loopback)",
		                    url);
	if (curlapi_load(e) != SH_OK)
		return SH_ERR_FAIL;
	c = curlapi();
	if (!(k = c->easy_init()))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	h = c->slist_append(h, "Accept: application/json");
	h = c->slist_append(h,
	                    "Content-Type: application/x-www-form-urlencoded");
	c->easy_setopt(k, CURLOPT_URL, url);
	c->easy_setopt(k, CURLOPT_HTTPHEADER, h);
	c->easy_setopt(k, CURLOPT_POSTFIELDS, form);
	c->easy_setopt(k, CURLOPT_WRITEFUNCTION, on_body);
	c->easy_setopt(k, CURLOPT_WRITEDATA, b);
	c->easy_setopt(k, CURLOPT_TIMEOUT, (long)OAUTHBROKER_TIMEOUT_S);
	c->easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
	c->easy_setopt(k, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = c->easy_perform(k);
	c->easy_getinfo(k, CURLINFO_RESPONSE_CODE, status);
	c->easy_cleanup(k);
	c->slist_free_all(h);
	if (rc != CURLE_OK)
		return sh_error_set(e, SH_ERR_IO, "POST %s: %s", url,
		                    c->easy_strerror(rc));
	return SH_OK;
}

sh_status oauthbroker_post_token(const char *url, const char *form,
                                 struct oauth_token *t, char *code, size_t cap,
                                 struct sh_error *e)
{
	struct dynbuf b = DYN_INIT(OAUTHBROKER_BODY_MAX);
	long status;
	sh_status rc = post_form(url, form, &status, &b, e);

	if (code && cap)
		code[0] = '\0';
	if (rc == SH_OK)
		rc = oauth_parse_token(status, dyn_ptr(&b), dyn_len(&b), t,
		                       code, cap, e);
	if (dyn_len(&b))
		sodium_memzero((void *)dyn_ptr(&b), dyn_len(&b));
	dyn_free(&b);
	return rc;
}

sh_status oauthbroker_post_json(const char *url, const char *form, cJSON **out,
                                struct sh_error *e)
{
	struct dynbuf b = DYN_INIT(OAUTHBROKER_BODY_MAX);
	long status;
	sh_status rc = post_form(url, form, &status, &b, e);

	*out = NULL;
	if (rc == SH_OK) {
		*out = cJSON_ParseWithLength(dyn_ptr(&b), dyn_len(&b));
		if (status != 200 || !cJSON_IsObject(*out)) {
			const cJSON *er =
			        cJSON_GetObjectItemCaseSensitive(*out, "error");
			char c[64] = "";
			if (cJSON_IsString(er))
				clean_copy(c, sizeof c, er->valuestring);
			rc = sh_error_set(e, SH_ERR_IO,
			                  "POST %s answered HTTP %ld%s%s", url,
			                  status, *c ? ": " : "", c);
			cJSON_Delete(*out);
			*out = NULL;
		}
	}
	dyn_free(&b);
	return rc;
}

/* ---- the record ---- */

/* skill's record, or NULL (not logged in, or unreadable). */
static cJSON *load_record(const char *home, const char *skill)
{
	char key[300], *buf;
	int64_t n;
	cJSON *j = NULL;

	record_key(key, sizeof key, skill);
	if (!home || !(buf = malloc(SECRET_VALUE_MAX + 1)))
		return NULL;
	n = secrets_lookup(home, key, OAUTHBROKER_RECORD, buf,
	                   SECRET_VALUE_MAX + 1);
	if (n > 0 && n <= (int64_t)SECRET_VALUE_MAX)
		j = cJSON_ParseWithLength(buf, (size_t)n);
	sodium_memzero(buf, SECRET_VALUE_MAX + 1);
	free(buf);
	if (j && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = NULL;
	}
	return j;
}

static void drop_record(cJSON *j)
{
	cJSON *c;

	if (!j)
		return;
	cJSON_ArrayForEach(c, j) if (cJSON_IsString(c))
	        sodium_memzero(c->valuestring, strlen(c->valuestring));
	cJSON_Delete(j);
}

static sh_status save_record(const char *home, const char *skill,
                             const cJSON *rec, struct sh_error *e)
{
	char key[300], *text = cJSON_PrintUnformatted(rec);
	sh_status rc;

	if (!text)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	record_key(key, sizeof key, skill);
	rc = secrets_set(home, key, OAUTHBROKER_RECORD, text, strlen(text), e);
	sodium_memzero(text, strlen(text));
	cJSON_free(text);
	return rc;
}

static const char *rstr(const cJSON *rec, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t rnum(const cJSON *rec, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, k);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static void set_str(cJSON *rec, const char *k, const char *v)
{
	cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(rec, k);

	drop_record(old);
	if (v)
		cJSON_AddStringToObject(rec, k, v);
}

static void set_num(cJSON *rec, const char *k, int64_t v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(rec, k);
	cJSON_AddNumberToObject(rec, k, (double)v);
}

/* Put t's tokens and fields into rec: a rotated refresh token replaces
 * the old one, a missing one keeps it (RFC 6749 6). */
static void apply_token(cJSON *rec, const struct oauth_token *t, int64_t now)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(rec, "fields");
	const cJSON *f;
	cJSON *vals;

	/* The one it replaces stays known, so a 401 to a request that
	 * raced this refresh is answered with the new one. */
	if (rstr(rec, "access_token")) {
		char *prev = strdup(rstr(rec, "access_token"));
		set_str(rec, "previous_access_token", prev);
		wipe_free(prev);
	}
	set_str(rec, "access_token", t->access_token);
	if (t->refresh_token)
		set_str(rec, "refresh_token", t->refresh_token);
	set_num(rec, "expires_at", t->expires_in ? now + t->expires_in : 0);
	set_num(rec, "lifetime", t->expires_in);
	set_num(rec, "issued_at", now);
	/* A refresh answer may leave a member out: the login's stays. */
	vals = cJSON_GetObjectItemCaseSensitive(rec, "values");
	if (!vals)
		vals = cJSON_AddObjectToObject(rec, "values");
	cJSON_ArrayForEach(f, fields)
	{
		const char *v =
		        cJSON_IsString(f) ? rstr(t->raw, f->valuestring) : NULL;
		if (v && vals)
			set_str(vals, f->string, v);
	}
}

sh_status oauthbroker_store(const char *home, const char *skill,
                            const struct oauth_decl *d,
                            const struct oauth_token *t,
                            const struct oauth_login_opts *o,
                            struct sh_error *e)
{
	cJSON *rec = cJSON_CreateObject();
	sh_status rc;

	if (!rec)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	set_str(rec, "token_endpoint", d->token_endpoint);
	set_str(rec, "revocation_endpoint", d->revocation_endpoint);
	set_str(rec, "client_id", d->client_id);
	set_str(rec, "client_secret", d->client_secret);
	set_str(rec, "access_secret", d->access_token);
	if (d->token_fields)
		cJSON_AddItemToObject(rec, "fields",
		                      cJSON_Duplicate(d->token_fields, 1));
	if (o && o->jwt_key_file) {
		set_str(rec, "jwt_key_file", o->jwt_key_file);
		set_str(rec, "jwt_subject", o->jwt_subject);
		set_str(rec, "jwt_audience", d->jwt_audience);
	}
	apply_token(rec, t, (int64_t)time(NULL));
	rc = save_record(home, skill, rec, e);
	drop_record(rec);
	return rc;
}

static sh_status add_client_secret(const char *home, const char *skill,
                                   const char *name, struct dynbuf *form,
                                   struct sh_error *e)
{
	char *v;
	int64_t n;

	if (!name)
		return SH_OK;
	if (!(v = malloc(SECRET_VALUE_MAX + 1)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	n = secrets_lookup(home, skill, name, v, SECRET_VALUE_MAX + 1);
	if (n > 0)
		oauth_form_add(form, "client_secret", v);
	sodium_memzero(v, SECRET_VALUE_MAX + 1);
	free(v);
	if (n <= 0)
		return sh_error_set(e, SH_ERR_NOTFOUND,
		                    "the client secret %s of %s is not set; "
		                    "store it with `skillhost secret set %s "
		                    "%s` (the value is read from stdin)",
		                    name, skill, skill, name);
	return SH_OK;
}

sh_status oauthbroker_client_auth(const char *home, const char *skill,
                                  const struct oauth_decl *d,
                                  struct dynbuf *form, struct sh_error *e)
{
	if (!d->client_id)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%s's manifest names no OAuth client id; "
		                    "register an app with the provider and set "
		                    "it with `skillhost config %s "
		                    "oauth-client-id ID`",
		                    skill, skill);
	oauth_form_add(form, "client_id", d->client_id);
	return add_client_secret(home, skill, d->client_secret, form, e);
}

static sh_status read_key(const char *path, char **pem, size_t *len,
                          struct sh_error *e)
{
	sh_status rc = fs_read_file(path, (size_t)64 * 1024, pem, len, e);

	if (rc != SH_OK)
		return sh_error_suffix(e, "; the JWT bearer flow needs the "
		                          "private key file the operator "
		                          "gave with --jwt-key");
	return SH_OK;
}

/* Sign and exchange a JWT bearer assertion into t. */
static sh_status jwt_exchange(const char *endpoint, const char *client_id,
                              const char *key_file, const char *subject,
                              const char *audience, struct oauth_token *t,
                              char *code, size_t cap, struct sh_error *e)
{
	struct dynbuf form = DYN_INIT(65536);
	char *pem = NULL, *jwt = NULL;
	size_t len = 0;
	sh_status rc;

	if (!client_id || !key_file || !subject || !audience)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "the JWT bearer flow needs a client id, a "
		                    "key file, a subject and an audience");
	if ((rc = read_key(key_file, &pem, &len, e)))
		return rc;
	rc = oauth_jwt_assertion(pem, len, client_id, subject, audience,
	                         (int64_t)time(NULL), &jwt, e);
	sodium_memzero(pem, len);
	free(pem);
	if (rc)
		return rc;
	oauth_form_add(&form, "grant_type",
	               "urn:ietf:params:oauth:grant-type:jwt-bearer");
	oauth_form_add(&form, "assertion", jwt);
	free(jwt);
	if (dyn_error(&form))
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	else
		rc = oauthbroker_post_token(endpoint, dyn_ptr(&form), t, code,
		                            cap, e);
	dyn_free(&form);
	return rc;
}

sh_status oauthbroker_jwt_login(const char *home, const char *skill,
                                const struct oauth_decl *d,
                                const struct oauth_login_opts *o,
                                struct sh_error *e)
{
	struct oauth_token t = {0};
	char abs[PATH_MAX];
	sh_status rc;

	if (!d->jwt_audience)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%s's manifest declares no jwt_bearer "
		                    "audience; it does not support the JWT "
		                    "bearer flow",
		                    skill);
	if (!d->client_id)
		return oauthbroker_client_auth(home, skill, d, NULL, e);
	if (!o->jwt_key_file || !o->jwt_subject)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "the JWT bearer flow needs --jwt-key FILE "
		                    "(the app's RSA private key, PEM) and "
		                    "--jwt-subject USER (the user to act as)");
	/* The record keeps the path: a later refresh runs elsewhere. */
	if (!realpath(o->jwt_key_file, abs))
		return sh_error_errno(e, SH_ERR_NOTFOUND, errno,
		                      "cannot read the key file %s",
		                      o->jwt_key_file);
	rc = jwt_exchange(d->token_endpoint, d->client_id, abs, o->jwt_subject,
	                  d->jwt_audience, &t, NULL, 0, e);
	if (rc == SH_OK) {
		struct oauth_login_opts kept = {abs, o->jwt_subject};
		rc = oauthbroker_store(home, skill, d, &t, &kept, e);
	}
	oauth_token_clear(&t);
	return rc;
}

/* ---- refresh ---- */

static int64_t margin_of(const cJSON *rec)
{
	int64_t life = rnum(rec, "lifetime");

	return life > 0 && life / 2 < OAUTHBROKER_MARGIN_S
	               ? life / 2
	               : OAUTHBROKER_MARGIN_S;
}

static int due(const cJSON *rec, int64_t now)
{
	int64_t exp = rnum(rec, "expires_at");

	return !rstr(rec, "access_token") ||
	       (exp > 0 && now >= exp - margin_of(rec));
}

/*
 * Under the lock: reload the record; unless force or due, keep it. stale
 * (may be NULL) is the access token a 401 refused: when the record holds
 * another one, a concurrent refresh already replaced it. On success *out
 * is the current record (the caller's).
 */
static sh_status refresh_locked(const char *home, const char *skill, int force,
                                const char *stale, cJSON **out,
                                struct sh_error *e)
{
	struct dynbuf form = DYN_INIT(65536);
	struct oauth_token t = {0};
	char code[64] = "";
	const char *rt, *ep, *cur;
	int64_t now = (int64_t)time(NULL);
	cJSON *rec;
	sh_status rc = SH_OK;
	int fd = -1;

	*out = NULL;
	if ((rc = fs_lock_in(home, ".oauth.lock", &fd, e)))
		return rc;
	if (!(rec = load_record(home, skill))) {
		rc = sh_error_set(e, SH_ERR_NOTFOUND,
		                  "%s is not logged in; run `skillhost login "
		                  "%s`",
		                  skill, skill);
		goto out;
	}
	cur = rstr(rec, "access_token");
	if ((stale && cur && strcmp(stale, cur)) ||
	    (!stale && !force && !due(rec, now))) {
		*out = rec;
		rec = NULL;
		goto out;
	}
	rt = rstr(rec, "refresh_token");
	ep = rstr(rec, "token_endpoint");
	if (rstr(rec, "jwt_key_file")) {
		rc = jwt_exchange(
		        ep, rstr(rec, "client_id"), rstr(rec, "jwt_key_file"),
		        rstr(rec, "jwt_subject"), rstr(rec, "jwt_audience"), &t,
		        code, sizeof code, e);
	} else if (!rt) {
		rc = sh_error_set(e, SH_ERR_DENIED,
		                  "the access token expired and the provider "
		                  "gave no refresh token");
	} else {
		oauth_form_add(&form, "grant_type", "refresh_token");
		oauth_form_add(&form, "refresh_token", rt);
		if (rstr(rec, "client_id"))
			oauth_form_add(&form, "client_id",
			               rstr(rec, "client_id"));
		rc = add_client_secret(home, skill, rstr(rec, "client_secret"),
		                       &form, e);
		if (rc == SH_OK && dyn_error(&form))
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		if (rc == SH_OK)
			rc = oauthbroker_post_token(ep, dyn_ptr(&form), &t,
			                            code, sizeof code, e);
	}
	if (rc == SH_OK) {
		/* Stored before anyone uses it: a rotating provider has
		 * already retired the refresh token just spent. */
		apply_token(rec, &t, now);
		rc = save_record(home, skill, rec, e);
	}
	if (rc == SH_OK) {
		*out = rec;
		rec = NULL;
	} else if (rc != SH_ERR_NOMEM) {
		sh_error_suffix(e,
		                "; the stored login of %s no longer works: run "
		                "`skillhost login %s`",
		                skill, skill);
	}
out:
	if (dyn_len(&form))
		sodium_memzero((void *)dyn_ptr(&form), dyn_len(&form));
	dyn_free(&form);
	oauth_token_clear(&t);
	drop_record(rec);
	close(fd);
	return rc;
}

sh_status oauthbroker_refresh(const char *home, const char *skill,
                              struct sh_error *e)
{
	cJSON *rec = NULL;
	sh_status rc = refresh_locked(home, skill, 1, NULL, &rec, e);

	drop_record(rec);
	return rc;
}

int oauthbroker_logged_in(const char *home, const char *skill,
                          char **access_secret)
{
	cJSON *rec = load_record(home, skill);
	int yes = rec != NULL;

	if (access_secret)
		*access_secret = rec && rstr(rec, "access_secret")
		                         ? strdup(rstr(rec, "access_secret"))
		                         : NULL;
	drop_record(rec);
	return yes;
}

int64_t oauthbroker_secret(struct skill_call *call, const char *home,
                           const char *skill, const char *name, char *buf,
                           size_t cap)
{
	cJSON *rec = load_record(home, skill), *fresh = NULL;
	const char *v;
	struct sh_error e;
	int64_t n = OAUTHBROKER_NOT_MINE;

	if (!rec)
		return n;
	v = rstr(cJSON_GetObjectItemCaseSensitive(rec, "values"), name);
	if (!v && (!rstr(rec, "access_secret") ||
	           strcmp(rstr(rec, "access_secret"), name))) {
		drop_record(rec);
		return n;
	}
	if (!v && due(rec, (int64_t)time(NULL))) {
		if (refresh_locked(home, skill, 0, NULL, &fresh, &e) != SH_OK) {
			call_log(call, SKILL_LOG_ERROR, e.msg);
			drop_record(rec);
			return -1;
		}
		drop_record(rec);
		rec = fresh;
	}
	if (!v)
		v = rstr(rec, "access_token");
	n = v ? secrets_copy_out(v, buf, cap) : -1;
	drop_record(rec);
	return n;
}

static int64_t brokered_get(skill_call_t *call, const char *name, char *buf,
                            size_t cap)
{
	const struct host_services *svc = call->services;

	/* Only a declared name: the store's get() says why not. */
	if (name && strlen(name) <= 64 && perms_secret(call->perms, name) &&
	    svc && svc->home) {
		int64_t n = oauthbroker_secret(
		        call, svc->home, call->skill_name, name, buf, cap);
		if (n != OAUTHBROKER_NOT_MINE)
			return n;
	}
	return secrets_ext.get(call, name, buf, cap);
}

const skill_ext_secrets_t oauthbroker_secrets_ext = {
        .struct_size = sizeof(skill_ext_secrets_t),
        .get = brokered_get,
};

char *oauthbroker_after_401(struct skill_call *call, const char *home,
                            const char *skill, const char *authorization)
{
	cJSON *rec, *fresh = NULL;
	const char *tok, *cur, *prev;
	struct sh_error e;
	char *out = NULL;
	int known;

	if (!authorization || strncasecmp(authorization, "Bearer ", 7))
		return NULL;
	tok = authorization + 7;
	if (!(rec = load_record(home, skill)))
		return NULL;
	cur = rstr(rec, "access_token");
	prev = rstr(rec, "previous_access_token");
	/* Only our own token: a pasted one is the operator's to renew. */
	known = cur && (!strcmp(cur, tok) || (prev && !strcmp(prev, tok)));
	drop_record(rec);
	if (!known)
		return NULL;
	if (refresh_locked(home, skill, 1, tok, &fresh, &e) != SH_OK) {
		call_log(call, SKILL_LOG_ERROR, e.msg);
		return NULL;
	}
	cur = rstr(fresh, "access_token");
	if (cur && strcmp(cur, tok) && (out = malloc(strlen(cur) + 8)))
		(void)snprintf(out, strlen(cur) + 8, "Bearer %s", cur);
	drop_record(fresh);
	return out;
}

/* ---- logout ---- */

sh_status oauthbroker_logout(const char *home, const char *skill, int *revoked,
                             struct sh_error *e)
{
	struct dynbuf form = DYN_INIT(65536);
	struct sh_error rev_err = {0};
	char key[300];
	const char *ep, *tok;
	cJSON *rec;
	sh_status rc, rev = SH_OK;
	int fd = -1;

	*revoked = 0;
	if ((rc = fs_lock_in(home, ".oauth.lock", &fd, e)))
		return rc;
	if (!(rec = load_record(home, skill))) {
		close(fd);
		return sh_error_set(e, SH_ERR_NOTFOUND,
		                    "%s is not logged in (nothing to log out "
		                    "of)",
		                    skill);
	}
	ep = rstr(rec, "revocation_endpoint");
	tok = rstr(rec, "refresh_token");
	/* RFC 7009 2.1: revoking the refresh token also ends the access
	 * tokens of its grant where the provider supports that. */
	if (ep && (tok || (tok = rstr(rec, "access_token")))) {
		long status = 0;
		struct dynbuf b = DYN_INIT(65536);
		oauth_form_add(&form, "token", tok);
		oauth_form_add(&form, "token_type_hint",
		               rstr(rec, "refresh_token") ? "refresh_token"
		                                          : "access_token");
		if (rstr(rec, "client_id"))
			oauth_form_add(&form, "client_id",
			               rstr(rec, "client_id"));
		rev = add_client_secret(home, skill, rstr(rec, "client_secret"),
		                        &form, &rev_err);
		if (rev == SH_OK)
			rev = post_form(ep, dyn_ptr(&form), &status, &b,
			                &rev_err);
		if (rev == SH_OK && status != 200)
			rev = sh_error_set(&rev_err, SH_ERR_IO,
			                   "the provider answered HTTP %ld to "
			                   "the revocation",
			                   status);
		*revoked = rev == SH_OK;
		dyn_free(&b);
	}
	record_key(key, sizeof key, skill);
	rc = secrets_set(home, key, OAUTHBROKER_RECORD, NULL, 0, e);
	if (dyn_len(&form))
		sodium_memzero((void *)dyn_ptr(&form), dyn_len(&form));
	dyn_free(&form);
	drop_record(rec);
	close(fd);
	if (rc == SH_OK && rev != SH_OK)
		rc = sh_error_set(e, SH_ERR_IO,
		                  "the tokens were removed, but revoking them "
		                  "failed (%s); revoke the app's access at the "
		                  "provider",
		                  rev_err.msg);
	return rc;
}
