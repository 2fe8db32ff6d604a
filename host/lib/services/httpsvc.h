/*
 * httpsvc.h - skill.http/1: HTTP requests the host makes for skills.
 *
 * The host, not the skill, talks to the network, so it can police every
 * request: the target must match the skill's signed manifest
 * (permissions.network) or a pattern the operator added with
 * `skillhost permit SKILL HOST[:PORT]` (policy key "network" in
 * config.json, comma-separated). Redirects are followed by hand, each hop
 * checked the same way. TLS verification stays on; only http and https are
 * spoken; responses are capped; idempotent requests are retried on 429 and
 * 503, honouring Retry-After up to a cap and the call's deadline; the usual
 * proxy variables (https_proxy, no_proxy, ...) apply. Connections, DNS
 * answers and TLS sessions are shared between requests.
 */
#ifndef SH_HTTPSVC_H
#define SH_HTTPSVC_H

#include <skill/ext/http.h>

struct skill_call;

#define HTTPSVC_DEFAULT_TIMEOUT_MS 30000
#define HTTPSVC_CONNECT_TIMEOUT_MS 10000
#define HTTPSVC_DEFAULT_MAX_BYTES  (16ll * 1024 * 1024)
#define HTTPSVC_HARD_MAX_BYTES     (256ll * 1024 * 1024)
#define HTTPSVC_MAX_REDIRECTS      5
#define HTTPSVC_MAX_RETRIES        3
#define HTTPSVC_RETRY_AFTER_MAX_MS 30000
#define HTTPSVC_MAX_HEADERS        256

extern const skill_ext_http_t httpsvc_ext;

/* 1 when the call's skill may reach host:port (see the file comment). */
int httpsvc_allowed(const struct skill_call *call, const char *host, int port);

#endif /* SH_HTTPSVC_H */
