/*
 * sigv4.h - AWS Signature Version 4 for request paths libcurl signs wrong.
 *
 * Why this exists next to CURLOPT_AWS_SIGV4: for every service but S3,
 * AWS builds the canonical URI by URI-encoding each segment of the path
 * *as sent* (so "%3A" is signed as "%253A"); the AWS SDKs do the same.
 * libcurl 7.88 (Debian 12) signs the path exactly as sent. The two agree
 * only when the path holds nothing but unreserved characters and "/", and
 * Bedrock model ids almost always hold a ":" ("amazon.nova-lite-v1:0"),
 * which must go out as "%3A". backend_bedrock.c therefore lets libcurl sign
 * when sigv4_path_is_canonical() says the two agree, and signs here
 * otherwise. Both are checked against the same verifier in the tests,
 * which the AWS SDK's own signer validates.
 *
 * Signs host, x-amz-date, x-amz-security-token (when there is a session
 * token) and the headers given. No query strings (Bedrock has none).
 * Pure and thread-safe; no secret is ever copied into an error message.
 */
#ifndef SH_SIGV4_H
#define SH_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "status.h"

#define SIGV4_DATE_LEN    16   /* "20240101T000000Z" */
#define SIGV4_AUTH_MAX    1024 /* an Authorization header value */
#define SIGV4_MAX_HEADERS 16   /* headers signed besides host and date */
#define SIGV4_URL_MAX     4096

struct sigv4_params {
	const char *method; /* "POST" */
	const char *url;    /* as sent: percent-encoded path, no query */
	const char *const *headers; /* "Name: value" lines also sent */
	size_t nheaders;
	const char *payload;
	size_t payload_len;
	const char *region;
	const char *service;
	const char *access_key;
	const char *secret_key;
	const char *session_token; /* NULL when none */
	time_t now;
};

/* Write the Authorization header value into auth and the X-Amz-Date value
 * into amz_date. The caller sends both (and the session token as
 * x-amz-security-token) with exactly the headers it listed. */
sh_status sigv4_sign(const struct sigv4_params *p, char *auth, size_t cap,
                     char amz_date[SIGV4_DATE_LEN + 1], struct sh_error *e);

/* 1 when AWS's canonical form of path is path itself (only unreserved
 * characters and "/"): then libcurl's signature is right too. */
int sigv4_path_is_canonical(const char *path);

/* AWS's canonical URI of a non-S3 path as sent: each byte other than
 * unreserved ones and "/" becomes %XX. 0 when it does not fit in cap. */
int sigv4_canonical_uri(const char *path, char *out, size_t cap);

#endif /* SH_SIGV4_H */
