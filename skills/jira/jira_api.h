/*
 * jira_api.h - one call's connection to Jira: configuration, credentials,
 * requests through skill.http/1, and every failure worded for the model.
 *
 * Configuration (read at the start of each call, so a change applies to
 * the next call without a restart):
 *   JIRA_BASE_URL      secret, else the "base_url" setting
 *                      (`skillhost config skillhost/jira base_url URL`):
 *                      https://SITE.atlassian.net, or for scoped tokens and
 *                      OAuth https://api.atlassian.com/ex/jira/CLOUD_ID
 *   JIRA_BEARER_TOKEN  secret: OAuth 2.0 access token (sent as Bearer);
 *                      when set it wins over
 *   JIRA_EMAIL and JIRA_API_TOKEN  secrets: Cloud basic authentication
 *
 * Every function that fails has already written the tool error (what went
 * wrong and what to do) and returns the status for invoke() to return.
 */
#ifndef JIRA_API_H
#define JIRA_API_H

#include <cjson/cJSON.h>
#include <skill/skill.h>

#include "restkit.h"

#define JIRA_SKILL_NAME "skillhost/jira"
#define JIRA_API        "/rest/api/3"

struct jira {
	const skill_host_t *host;
	skill_call_t *call;
	const skill_ext_http_t *http;
	char base[RK_URL_MAX];
	char *auth; /* the Authorization header's value: a secret */
	int bearer;
	/* Set by a tool before an idempotent POST (a search): resend it on
	 * 429 and 5xx, honouring Retry-After, at most JIRA_POST_RETRIES
	 * times and never waiting past JIRA_RETRY_WAIT_MAX_S at once (the
	 * host retries only GET, PUT and DELETE itself). */
	int retry_post;
	/* Set by a tool that handles a failed answer itself: jira_request
	 * then keeps a non-2xx answer in failed (and returns SKILL_ERR_TOOL
	 * without writing the tool error); jira_report() writes it later. */
	int quiet;
	const skill_http_response_t *failed;
	int retries; /* resends of the last request */
};

#define JIRA_POST_RETRIES     3
#define JIRA_RETRY_WAIT_MAX_S 5

/* 1 for the statuses a retry may cure: 429 and 5xx but 501. */
int jira_retryable(int status);

/* Write the tool error for j->failed (see quiet), as jira_request would
 * have; returns SKILL_ERR_TOOL. */
skill_status jira_report(struct jira *j, const char *method, const char *path,
                         const char *doing, const char *hint);

/* Read the configuration and credentials for this call. */
skill_status jira_open(struct jira *j, const skill_host_t *host,
                       skill_call_t *call);

/* Wipe the credentials. Safe on a struct jira_open() failed on. */
void jira_close(struct jira *j);

/*
 * Send method path (from "/rest/...", query already encoded) with an
 * optional JSON body. doing says what for ("creating the issue"), hint adds
 * tool-specific advice to a 400 or 404 (may be NULL). On a 2xx answer sets
 * *resp; any other answer or failure becomes the tool error.
 */
skill_status jira_request(struct jira *j, const char *method, const char *path,
                          const cJSON *body, const char *doing,
                          const char *hint, const skill_http_response_t **resp);

/* As jira_request with any body: content_type (NULL: no body) and len
 * bytes of body, and a cap on the answer's size (0: the host's default). */
skill_status jira_request_ex(struct jira *j, const char *method,
                             const char *path, const char *content_type,
                             const void *body, size_t len, int64_t max_response,
                             const char *doing, const char *hint,
                             const skill_http_response_t **resp);

/* As jira_request, and parse the answer as JSON into *out (the caller
 * deletes it). */
skill_status jira_get_json(struct jira *j, const char *method, const char *path,
                           const cJSON *body, const char *doing,
                           const char *hint, cJSON **out);

/* Write a tool error (printf-style) and return st. */
skill_status jira_fail(struct jira *j, skill_status st, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
#ifdef __clang_analyzer__
/* The analyzer does not follow variadic calls: tell it the result is st
 * (the definition's name is in parentheses, so it is not expanded). */
#define jira_fail(c, st, ...)                                                  \
	__extension__({                                                        \
		skill_status fail_st_ = (st);                                  \
		(jira_fail)(c, fail_st_, __VA_ARGS__);                         \
		fail_st_;                                                      \
	})
#endif

/* Append the web address, https://SITE/browse/KEY, and return 1;
 * 0 when the base URL is the API gateway (api.atlassian.com), which has no
 * web pages. */
int jira_browse_url(const struct jira *j, struct sbuf *b, const char *key);

/* Hand a result object to the host (structured content); deletes it. */
skill_status jira_result(struct jira *j, cJSON *result);

#endif /* JIRA_API_H */
