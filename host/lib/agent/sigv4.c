/*
 * sigv4.c - AWS Signature Version 4. See sigv4.h.
 */
#include "sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "curlapi.h"

/* Room for the canonical request and the string to sign (the payload is
 * hashed, never copied). */
#define SIGV4_CANON_MAX  16384
#define SIGV4_NAME_MAX   128
#define SIGV4_VALUE_MAX  4096
#define SIGV4_SECRET_MAX 256

static int unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

int sigv4_path_is_canonical(const char *path)
{
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (!unreserved(*p) && *p != '/')
			return 0;
	return 1;
}

int sigv4_canonical_uri(const char *path, char *out, size_t cap)
{
	size_t j = 0;

	if (!*path)
		path = "/";
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (unreserved(*p) || *p == '/') {
			if (j + 1 >= cap)
				return 0;
			out[j++] = (char)*p;
		} else {
			if (j + 3 >= cap)
				return 0;
			snprintf(out + j, 4, "%%%02X", *p);
			j += 3;
		}
	}
	out[j] = '\0';
	return 1;
}

static void hex(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static void sha256_hex(const void *data, size_t len,
                       char out[crypto_hash_sha256_BYTES * 2 + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	hex(h, sizeof h, out);
}

static void hmac(const unsigned char *key, size_t klen, const char *msg,
                 unsigned char out[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, klen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg,
	                              strlen(msg));
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof st);
}

struct hdr {
	char name[SIGV4_NAME_MAX];
	char value[SIGV4_VALUE_MAX];
};

static int hdr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hdr *)a)->name,
	              ((const struct hdr *)b)->name);
}

/* Lower-case name, value with surrounding blanks trimmed and inner runs of
 * blanks folded to one, as the canonical form wants. */
static int hdr_set(struct hdr *h, const char *name, size_t nlen,
                   const char *value)
{
	size_t j = 0;
	int blank = 0;

	if (nlen == 0 || nlen >= sizeof h->name)
		return 0;
	for (size_t i = 0; i < nlen; i++)
		h->name[i] = (char)tolower((unsigned char)name[i]);
	h->name[nlen] = '\0';
	while (*value == ' ' || *value == '\t')
		value++;
	for (; *value; value++) {
		if (*value == ' ' || *value == '\t') {
			blank = 1;
			continue;
		}
		if (blank && j) {
			if (j + 1 >= sizeof h->value)
				return 0;
			h->value[j++] = ' ';
		}
		blank = 0;
		if (j + 1 >= sizeof h->value)
			return 0;
		h->value[j++] = *value;
	}
	h->value[j] = '\0';
	return 1;
}

/* host[:port] as libcurl sends it in the Host header. */
static sh_status url_parts(const char *url, char *host, size_t hcap, char *path,
                           size_t pcap, struct sh_error *e)
{
	CURLU *u = curlapi()->url();
	char *h = NULL, *port = NULL, *p = NULL, *q = NULL, *scheme = NULL;
	sh_status rc = SH_OK;

	if (!u)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (curlapi()->url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curlapi()->url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    curlapi()->url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curlapi()->url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "cannot sign: \"%s\" is not a valid URL",
		                  url);
		goto out;
	}
	if (curlapi()->url_get(u, CURLUPART_QUERY, &q, 0) == CURLUE_OK && q &&
	    *q) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "cannot sign \"%s\": query strings are not "
		                  "supported",
		                  url);
		goto out;
	}
	curlapi()->url_get(u, CURLUPART_PORT, &port, 0);
	if (port && ((!strcmp(scheme, "https") && !strcmp(port, "443")) ||
	             (!strcmp(scheme, "http") && !strcmp(port, "80")))) {
		curlapi()->free(port);
		port = NULL;
	}
	if (snprintf(host, hcap, "%s%s%s", h, port ? ":" : "",
	             port ? port : "") >= (int)hcap ||
	    snprintf(path, pcap, "%s", p) >= (int)pcap)
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "cannot sign: URL too long");
out:
	curlapi()->free(h);
	curlapi()->free(port);
	curlapi()->free(p);
	curlapi()->free(q);
	curlapi()->free(scheme);
	curlapi()->url_cleanup(u);
	return rc;
}

sh_status sigv4_sign(const struct sigv4_params *p, char *auth, size_t cap,
                     char amz_date[SIGV4_DATE_LEN + 1], struct sh_error *e)
{
	struct hdr hs[SIGV4_MAX_HEADERS + 3];
	size_t nh = 0;
	char host[SIGV4_URL_MAX], path[SIGV4_URL_MAX], uri[SIGV4_URL_MAX * 3];
	char canon[SIGV4_CANON_MAX], sts[SIGV4_CANON_MAX / 4];
	char signed_names[SIGV4_CANON_MAX / 4];
	char payload_hash[65], canon_hash[65], day[9], scope[256];
	unsigned char k[crypto_auth_hmacsha256_BYTES];
	unsigned char sig[crypto_auth_hmacsha256_BYTES];
	char sig_hex[65];
	unsigned char secret[4 + SIGV4_SECRET_MAX];
	size_t slen, used, nused;
	struct tm tm;
	sh_status rc;
	int n;

	if (p->nheaders > SIGV4_MAX_HEADERS)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "cannot sign more than %d headers",
		                    SIGV4_MAX_HEADERS);
	rc = url_parts(p->url, host, sizeof host, path, sizeof path, e);
	if (rc != SH_OK)
		return rc;
	if (!sigv4_canonical_uri(path, uri, sizeof uri))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "cannot sign: path too long");
	gmtime_r(&p->now, &tm);
	(void)strftime(amz_date, SIGV4_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
	memcpy(day, amz_date, 8);
	day[8] = '\0';

	hdr_set(&hs[nh++], "host", 4, host);
	hdr_set(&hs[nh++], "x-amz-date", 10, amz_date);
	if (p->session_token &&
	    !hdr_set(&hs[nh++], "x-amz-security-token", 20, p->session_token))
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "cannot sign: the session token is too long");
	for (size_t i = 0; i < p->nheaders; i++) {
		const char *colon = strchr(p->headers[i], ':');
		if (!colon ||
		    !hdr_set(&hs[nh++], p->headers[i],
		             (size_t)(colon - p->headers[i]), colon + 1))
			return sh_error_set(e, SH_ERR_INVALID,
			                    "cannot sign header \"%.40s\"",
			                    p->headers[i]);
	}
	qsort(hs, nh, sizeof *hs, hdr_cmp);

	sha256_hex(p->payload ? p->payload : "", p->payload_len, payload_hash);
	n = snprintf(canon, sizeof canon, "%s\n%s\n\n", p->method, uri);
	used = n > 0 ? (size_t)n : 0;
	nused = 0;
	signed_names[0] = '\0';
	for (size_t i = 0; i < nh && used < sizeof canon; i++) {
		n = snprintf(canon + used, sizeof canon - used, "%s:%s\n",
		             hs[i].name, hs[i].value);
		used += n > 0 ? (size_t)n : 0;
		n = snprintf(signed_names + nused, sizeof signed_names - nused,
		             "%s%s", i ? ";" : "", hs[i].name);
		nused += n > 0 ? (size_t)n : 0;
	}
	if (used < sizeof canon)
		used += (size_t)snprintf(canon + used, sizeof canon - used,
		                         "\n%s\n%s", signed_names,
		                         payload_hash);
	if (used >= sizeof canon || nused >= sizeof signed_names)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "cannot sign: the headers are too long");

	sha256_hex(canon, used, canon_hash);
	snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", day, p->region,
	         p->service);
	snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date,
	         scope, canon_hash);

	/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region),
	 * service), "aws4_request") */
	slen = strlen(p->secret_key);
	if (slen > SIGV4_SECRET_MAX)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "cannot sign: the secret key is longer than "
		        "%d bytes",
		        SIGV4_SECRET_MAX);
	/* Key bytes, used with their length and never as a string. */
	// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
	memcpy(secret, "AWS4", 4);
	memcpy(secret + 4, p->secret_key, slen);
	hmac(secret, 4 + slen, day, k);
	sodium_memzero(secret, sizeof secret);
	hmac(k, sizeof k, p->region, k);
	hmac(k, sizeof k, p->service, k);
	hmac(k, sizeof k, "aws4_request", k);
	hmac(k, sizeof k, sts, sig);
	sodium_memzero(k, sizeof k);
	hex(sig, sizeof sig, sig_hex);

	n = snprintf(auth, cap,
	             "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
	             "Signature=%s",
	             p->access_key, scope, signed_names, sig_hex);
	if (n < 0 || (size_t)n >= cap)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "cannot sign: the Authorization header is "
		                    "too long");
	return SH_OK;
}
