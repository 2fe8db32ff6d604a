/*
 * skill/ext/http.h - HTTP requests made by the host on the skill's behalf.
 *
 * Host extension "skill.http/1". Skills never open sockets (an isolated
 * skill cannot): the host performs the request with TLS verification on,
 * enforces the manifest's network allowlist (the operator can widen it with
 * `skillhost permit SKILL HOST[:PORT]`), refuses redirects to hosts that are
 * not allowed, drops the Authorization, Proxy-Authorization and Cookie
 * headers when a redirect moves to another origin, applies timeouts and a
 * response-size cap, retries idempotent requests on 429 and 503 honouring
 * Retry-After up to a cap, and uses the usual proxy environment variables. A
 * denied request fails with SKILL_ERR_DENIED, and the host logs the host name
 * and the permit command.
 *
 * Names are not trusted to lead where they say: the host also checks the
 * address it connects to (after DNS, on every redirect hop) and refuses
 * loopback, private, link-local (cloud metadata) and other non-public
 * addresses, also with SKILL_ERR_DENIED, unless the operator permits that
 * literal address (`skillhost permit SKILL 127.0.0.1:8080`). Responses the
 * skill has not freed count against a per-call limit (64 MiB unless the
 * operator sets `http-memory`): free each one with response_free() when
 * done, or further requests fail with SKILL_ERR_NOMEM. When the call ends
 * in an error result, the host adds its reason for such refusals to it.
 */
#ifndef SKILL_EXT_HTTP_H
#define SKILL_EXT_HTTP_H

#include "../host.h"

#define SKILL_EXT_HTTP "skill.http/1"

/* One request header or response header. */
typedef struct skill_http_header {
	const char *name;
	const char *value;
} skill_http_header_t;

/* A request. Owned by the skill; everything is borrowed for the duration
 * of request() and copied as needed. */
typedef struct skill_http_request {
	uint32_t struct_size;
	const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE", ... */
	const char *url;    /* absolute http:// or https:// URL */
	const skill_http_header_t *headers; /* may be NULL */
	size_t header_count;
	const void *body; /* may be NULL */
	size_t body_len;
	int64_t timeout_ms; /* 0: the host's default; capped by the call's
	                     * deadline */
	int64_t max_response_bytes; /* 0: the host's default cap */
} skill_http_request_t;

/* A response: owned by the host, valid until the call ends or until
 * response_free(). */
typedef struct skill_http_response {
	uint32_t struct_size;
	int32_t status;                     /* HTTP status, e.g. 200 */
	const skill_http_header_t *headers; /* names lower-case */
	size_t header_count;
	const char *body; /* NUL-terminated for convenience */
	size_t body_len;
	const char *final_url; /* after allowed redirects */
} skill_http_response_t;

typedef struct skill_ext_http {
	uint32_t struct_size;

	/* [call] Perform req. On success *resp is a response of any status
	 * (a 404 is a success here); check status. Errors: SKILL_ERR_DENIED
	 * (host or address not allowed), SKILL_ERR_TIMEOUT,
	 * SKILL_ERR_CANCELLED, SKILL_ERR_NOMEM (response over the cap, or
	 * the call's unfreed responses at their limit), SKILL_ERR_IO
	 * (network or TLS failure; the host logs why), SKILL_ERR_ARGS (bad
	 * request). */
	skill_status (*request)(skill_call_t *call,
	                        const skill_http_request_t *req,
	                        const skill_http_response_t **resp);

	/* [call] Release a response early. Optional: all are released when
	 * the call ends. */
	void (*response_free)(skill_call_t *call,
	                      const skill_http_response_t *resp);

	/* [call] The value of response header name (case-insensitive), or
	 * NULL. Borrowed from resp. */
	const char *(*header)(const skill_http_response_t *resp,
	                      const char *name);
} skill_ext_http_t;

#endif /* SKILL_EXT_HTTP_H */
