/*
 * restkit.h - what the first-party REST skills (skillhost/jira,
 * skillhost/salesforce) share on top of skill.http/1 and skill.secrets/1:
 * turning error bodies of any kind into text fit for a tool error,
 * reading secrets without leaving copies behind, checking an operator's
 * base URL, and wording host-side failures so the model knows what to do.
 *
 * Every text function appends valid UTF-8 to an sbuf (invalid bytes become
 * U+FFFD, control characters spaces), because tool errors must be UTF-8
 * and error bodies come from anywhere.
 */
#ifndef SKILL_RESTKIT_H
#define SKILL_RESTKIT_H

#include <stddef.h>
#include <stdint.h>

#include <skill/skill.h>

#include "sbuf.h"

/* Most bytes of a server's error text quoted in a tool error. */
#define RK_QUOTE_MAX 600
/* Longest base URL accepted from the operator. */
#define RK_URL_MAX 2048

/* Append s[0..n) cleaned: invalid UTF-8 replaced, control characters and
 * runs of white space folded into one space, cut at a character boundary
 * after max bytes with "..." to say so. */
void rk_put_clean(struct sbuf *b, const char *s, size_t n, size_t max);

/* 1 when a body is an HTML page (by content type or by its first bytes). */
int rk_is_html(const char *body, size_t len, const char *content_type);

/* Append what an HTML error page says: its <title>, else its visible text,
 * cleaned and cut at max bytes. */
void rk_put_html_text(struct sbuf *b, const char *body, size_t len, size_t max);

/* Append the readable part of an error body that is not the service's own
 * JSON: the text of an HTML page, or the body as cleaned text. Appends
 * nothing for an empty body. */
void rk_put_body_text(struct sbuf *b, const char *body, size_t len,
                      const char *content_type);

/* Read secret name into a malloc'd string (*out), without white space at
 * its ends. Returns its length, -1
 * when it is not set, -2 when the manifest does not declare it (the host
 * logs that), -3 when out of memory. Free with rk_secret_free(). */
int64_t rk_secret(const skill_ext_secrets_t *sec, skill_call_t *call,
                  const char *name, char **out);

/* Wipe and free a secret (NULL is fine). */
void rk_secret_free(char *s);

/* Check an operator-supplied base URL and copy it to out without trailing
 * slashes. It must be an absolute https:// URL without user info, query or
 * fragment; http:// is accepted only for loopback hosts (local test
 * servers), so credentials never cross a network in clear text. On error
 * returns 0 and appends why to why. */
int rk_base_url(const char *url, char *out, size_t cap, struct sbuf *why);

/* The host name of an absolute URL, into out; "" when there is none. */
void rk_url_host(const char *url, char *out, size_t cap);

/*
 * Append a message for a request that failed in the host (st is what
 * skill.http/1 request() returned): denied by the allowlist (with the
 * `skillhost permit` command to run), timed out, unreachable, too large,
 * or cancelled. service names the remote side ("Jira"), skill the skill
 * ("skillhost/jira").
 */
void rk_put_transport_error(struct sbuf *b, skill_status st,
                            const char *service, const char *skill,
                            const char *method, const char *url);

/* Append the standard base64 encoding of s[0..n). */
void rk_put_base64(struct sbuf *b, const void *s, size_t n);

/* Append name=value to an application/x-www-form-urlencoded body, with
 * '&' before it unless the body is empty. */
void rk_put_form(struct sbuf *b, const char *name, const char *value);

/* The Retry-After of a response as whole seconds, or -1 when it has none
 * or one that cannot be read. */
long rk_retry_after(const skill_ext_http_t *http,
                    const skill_http_response_t *resp);

#endif /* SKILL_RESTKIT_H */
