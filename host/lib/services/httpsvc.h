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
 *
 * Names are not enough: the address each connection actually goes to is
 * checked too (egress.h), for every address curl tries, every redirect hop
 * and every reused connection, so an allowed name that resolves to
 * 127.0.0.1 or a redirect to 169.254.169.254 is refused unless the
 * operator permits that literal address (`skillhost permit SKILL
 * 127.0.0.1:8080`). When the operator configured a proxy, the connection
 * to the proxy's own address is allowed and the proxy makes the onward
 * connection: the host then checks the name only and the proxy is the
 * egress control. SKILLHOST_HTTP_RESOLVE ("HOST:PORT:ADDR,...", as curl's
 * --resolve) pins names to addresses, which are checked the same way. A
 * skill loaded from a file for development (no signed manifest) is not
 * restricted by name, nor by address.
 *
 * Responses the skill has not freed count against a per-call limit
 * (HTTPSVC_CALL_MEMORY_DEFAULT, policy "http-memory"); past it further
 * requests fail with SKILL_ERR_NOMEM and a message, and everything is
 * released when the call ends.
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
/* Bytes of responses one call may hold before freeing them (policy key
 * "http-memory" overrides it), and what each response is counted as at
 * least (its bookkeeping), so that many tiny ones also hit the limit. */
#define HTTPSVC_CALL_MEMORY_DEFAULT (64ll * 1024 * 1024)
#define HTTPSVC_RESPONSE_MIN_COST   1024

extern const skill_ext_http_t httpsvc_ext;

/* 1 when the call's skill may reach host:port (see the file comment). */
int httpsvc_allowed(const struct skill_call *call, const char *host, int port);

#endif /* SH_HTTPSVC_H */
