/*
 * oauthbroker.h - host-managed OAuth for skills (a credential broker).
 *
 * `skillhost login SKILL` obtains tokens from the provider the skill's
 * manifest declares (package/oauthdecl.h): authorization code with PKCE
 * (S256) on a loopback redirect, the device flow (RFC 8628), or the JWT
 * bearer grant (RFC 7523, an RS256 assertion signed with libcrypto from a
 * private key file the operator supplies). The broker keeps what it got
 * in the secret store (secrets.json, 0600, written atomically), as one
 * record under the pseudo-skill "oauth:SKILL": no skill can be named so,
 * so no skill can read it through skill.secrets/1, and the refresh token
 * never leaves the host process (an isolated worker's secret and HTTP
 * calls are answered here too, see isolate/extproxy.c).
 *
 * A skill receives a current access token through skill.secrets/1, under
 * the secret name its manifest's oauth.access_token declares (e.g.
 * JIRA_BEARER_TOKEN), and token-response members under the names of
 * oauth.token_fields (Salesforce's instance_url). Secrets were chosen
 * over a new skill.oauth/1 extension because the REST skills already read
 * a bearer token as a secret: they need no new code and keep working with
 * a pasted token, and the host still controls every value. The broker
 * refreshes the token when it is within OAUTHBROKER_MARGIN_S of expiry
 * (half its lifetime for short ones), and skill.http/1 refreshes it and
 * sends the request again once when the provider answers 401 to a request
 * that carried it. Refreshes are serialized by a lock file across threads
 * and processes, and a rotated refresh token is stored before the new
 * access token is used, so two calls never spend one rotating refresh
 * token twice. A refused refresh says: run `skillhost login SKILL`.
 */
#ifndef SH_OAUTHBROKER_H
#define SH_OAUTHBROKER_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <skill/ext/secrets.h>

#include "oauthdecl.h"
#include "status.h"

struct skill_call;

#define OAUTHBROKER_MARGIN_S  60
#define OAUTHBROKER_TIMEOUT_S 30
#define OAUTHBROKER_RECORD    "TOKENS"
#define OAUTHBROKER_BODY_MAX  ((size_t)256 * 1024)
#define OAUTHBROKER_NOT_MINE  (-3)
#define OAUTH_PKCE_LEN        43 /* 32 random bytes, base64url */
#define OAUTH_JWT_LIFETIME_S  180

/* ---- pure parts (unit-tested) ---- */

/* A fresh PKCE verifier (43 base64url characters from 32 random bytes)
 * and its S256 challenge, both NUL-terminated. */
void oauth_pkce_pair(char verifier[OAUTH_PKCE_LEN + 1],
                     char challenge[OAUTH_PKCE_LEN + 1]);

/* The S256 challenge of verifier: BASE64URL(SHA256(verifier)), no padding. */
void oauth_pkce_challenge(const char *verifier,
                          char challenge[OAUTH_PKCE_LEN + 1]);

/* A random state value (32 hex digits). */
void oauth_random_state(char out[33]);

/* A token endpoint's answer, parsed. */
struct oauth_token {
	char *access_token;
	char *refresh_token; /* or NULL: the old one stays */
	int64_t expires_in;  /* seconds, or 0 when not given */
	cJSON *raw;          /* the whole answer (for token_fields) */
};
void oauth_token_clear(struct oauth_token *t);

/*
 * Parse a token endpoint's answer (HTTP status, body). SH_OK fills t: an
 * access_token, a bearer token_type (when one is given), a sane
 * expires_in. An OAuth error answer is SH_ERR_DENIED with its "error"
 * code copied into code (cap bytes; "" otherwise) and a message with the
 * description; anything else malformed is SH_ERR_INVALID.
 */
sh_status oauth_parse_token(long status, const char *body, size_t len,
                            struct oauth_token *t, char *code, size_t cap,
                            struct sh_error *e);

/* The device flow's polling state (RFC 8628 3.5). */
struct oauth_device_poll {
	int64_t interval_s; /* current wait between polls */
	int64_t deadline;   /* unix time the code expires */
};

/*
 * Given the error code of one poll's answer (or "" for a transport
 * hiccup worth another try) at time now: 1 to poll again after
 * p->interval_s (slow_down adds 5 s), 0 to stop, with e saying why:
 * access_denied, expired_token, a passed deadline or any other error.
 */
int oauth_device_next(struct oauth_device_poll *p, const char *code,
                      int64_t now, struct sh_error *e);

/* Percent-encode s (RFC 3986 unreserved characters kept) onto b. */
struct dynbuf;
sh_status oauth_form_add(struct dynbuf *b, const char *name, const char *value);

/*
 * An RS256-signed JWT bearer assertion (RFC 7523 section 3): iss
 * client_id, sub subject, aud audience, iat now, exp now +
 * OAUTH_JWT_LIFETIME_S, a random jti. key_pem is the PEM private key
 * (RSA). *out is malloc'd.
 */
sh_status oauth_jwt_assertion(const char *key_pem, size_t key_len,
                              const char *client_id, const char *subject,
                              const char *audience, int64_t now, char **out,
                              struct sh_error *e);

/* ---- the broker ---- */

/* What `login` needs besides the declaration. */
struct oauth_login_opts {
	const char *jwt_key_file; /* JWT bearer: the private key's path */
	const char *jwt_subject;  /* JWT bearer: the user name */
};

/*
 * POST form (already encoded) to url and parse the token answer into t.
 * code gets an OAuth error code as in oauth_parse_token.
 */
sh_status oauthbroker_post_token(const char *url, const char *form,
                                 struct oauth_token *t, char *code, size_t cap,
                                 struct sh_error *e);

/* POST form to url and return the JSON object answered with HTTP 200
 * (device authorization). */
sh_status oauthbroker_post_json(const char *url, const char *form, cJSON **out,
                                struct sh_error *e);

/* The client authentication members of a token request (client_id, and
 * client_secret from the store when the declaration names one). */
sh_status oauthbroker_client_auth(const char *home, const char *skill,
                                  const struct oauth_decl *d,
                                  struct dynbuf *form, struct sh_error *e);

/*
 * Store what a login obtained for skill (replacing an earlier login):
 * the tokens, the endpoints and client of d to refresh and revoke with,
 * and, for the JWT bearer grant, o's key file and subject.
 */
sh_status oauthbroker_store(const char *home, const char *skill,
                            const struct oauth_decl *d,
                            const struct oauth_token *t,
                            const struct oauth_login_opts *o,
                            struct sh_error *e);

/* JWT bearer login: sign an assertion and exchange it, then store. */
sh_status oauthbroker_jwt_login(const char *home, const char *skill,
                                const struct oauth_decl *d,
                                const struct oauth_login_opts *o,
                                struct sh_error *e);

/*
 * Log skill out: revoke the refresh token (else the access token) at the
 * recorded revocation endpoint when there is one (*revoked 1 when the
 * provider accepted it), then remove the record. SH_ERR_NOTFOUND when
 * skill is not logged in. A failed revocation still removes the tokens
 * and is reported in e with SH_ERR_IO after the removal.
 */
sh_status oauthbroker_logout(const char *home, const char *skill, int *revoked,
                             struct sh_error *e);

/* 1 when skill has a login record; *access_secret (may be NULL) gets a
 * copy of the secret name it serves (free it). */
int oauthbroker_logged_in(const char *home, const char *skill,
                          char **access_secret);

/* skill.secrets/1 as the host offers it: secrets_ext (secrets.h), with a
 * declared secret a login serves answered by oauthbroker_secret first. */
extern const skill_ext_secrets_t oauthbroker_secrets_ext;

/*
 * skill.secrets/1's hook: when skill has a login whose record serves
 * secret name, copy the current access token (refreshing it first when
 * due) or the token field into buf as secrets_ext's get() does and
 * return its length; -1 (with call logged the reason: run `skillhost
 * login SKILL`) when it cannot be had; OAUTHBROKER_NOT_MINE otherwise.
 */
int64_t oauthbroker_secret(struct skill_call *call, const char *home,
                           const char *skill, const char *name, char *buf,
                           size_t cap);

/*
 * skill.http/1's hook for a 401 answer to a request whose Authorization
 * was "Bearer TOKEN": when TOKEN is (or was, before a concurrent refresh)
 * skill's brokered access token, refresh it and return the malloc'd new
 * header value "Bearer NEW"; NULL otherwise (the reason logged on call
 * when a refresh failed).
 */
char *oauthbroker_after_401(struct skill_call *call, const char *home,
                            const char *skill, const char *authorization);

/* Refresh now whatever the expiry (tests, `login --refresh`). */
sh_status oauthbroker_refresh(const char *home, const char *skill,
                              struct sh_error *e);

#endif /* SH_OAUTHBROKER_H */
