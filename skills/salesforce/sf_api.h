/*
 * sf_api.h - one call's connection to Salesforce: configuration, OAuth
 * tokens shared by the skill's calls, requests through skill.http/1, and
 * every failure worded for the model.
 *
 * Configuration, read at the start of every call:
 *   SALESFORCE_INSTANCE_URL  secret, else the "instance_url" setting: the
 *                            org's My Domain, https://NAME.my.salesforce.com
 *   api_version              setting, default SF_DEFAULT_API_VERSION
 *   login_url                setting: where refresh tokens are redeemed
 *                            (https://login.salesforce.com,
 *                            https://test.salesforce.com); default the
 *                            instance URL. Client credentials always use
 *                            the instance (My Domain), as Salesforce needs.
 * Credentials (secrets), in this order of preference:
 *   SALESFORCE_ACCESS_TOKEN                   used as is;
 *   SALESFORCE_CLIENT_ID + SALESFORCE_REFRESH_TOKEN
 *     (+ SALESFORCE_CLIENT_SECRET if the app needs it)  refresh token flow;
 *   SALESFORCE_CLIENT_ID + SALESFORCE_CLIENT_SECRET  client credentials.
 * With either flow configured next to an access token, the token is
 * renewed when it expires.
 *
 * Tokens never expire on a clock that Salesforce tells (no expires_in), so
 * an answer 401 INVALID_SESSION_ID gets the token renewed once and the
 * request sent again. The token lives in the skill's state, shared by
 * concurrent calls under a mutex; one call renews it while the others
 * wait for the result rather than each asking for a new one.
 *
 * Every function that fails has already written the tool error and
 * returns the status for invoke() to return.
 */
#ifndef SF_API_H
#define SF_API_H

#include <stdint.h>

#include <cjson/cJSON.h>
#include <skill/skill.h>

#include "restkit.h"

#define SF_SKILL_NAME          "skillhost/salesforce"
#define SF_DEFAULT_API_VERSION "62.0"
#define SF_VERSION_MAX         8

/* The skill's state (from init to fini): the shared token. */
struct sf_state;

struct sf_state *sf_state_new(void);
void sf_state_free(struct sf_state *s);
/* Token requests made so far (for the log and tests). */
unsigned sf_state_token_requests(struct sf_state *s);

struct sf_creds {
	char *access, *client_id, *client_secret, *refresh; /* NULL: unset */
	char instance[RK_URL_MAX];                          /* as configured */
	char login[RK_URL_MAX]; /* where refresh tokens are redeemed */
	uint64_t fingerprint;   /* of all the above */
};

struct sf {
	const skill_host_t *host;
	skill_call_t *call;
	const skill_ext_http_t *http;
	struct sf_state *state;
	struct sf_creds creds;
	char version[SF_VERSION_MAX + 1];
	char instance[RK_URL_MAX]; /* where this call's token works */
	char *token;               /* this call's copy of the token */
	const struct sf_raw *raw;  /* set by sf_request_raw for one request */
};

/* A request body that is not JSON (CSV for Bulk API 2.0) and what to
 * accept back; max_response caps the answer (0: the host's default). */
struct sf_raw {
	const char *content_type; /* NULL: no body */
	const void *body;
	size_t len;
	const char *accept; /* NULL: application/json */
	int64_t max_response;
};

/* Read the configuration and credentials and get a token. */
skill_status sf_open(struct sf *c, struct sf_state *state,
                     const skill_host_t *host, skill_call_t *call);

/* Wipe the call's copies of the secrets. Safe after a failed sf_open. */
void sf_close(struct sf *c);

/*
 * Send method path with an optional JSON body and extra headers. path is
 * under the versioned REST base ("/sobjects/Account") unless it starts
 * with "/services/" (a nextRecordsUrl). doing says what for ("creating
 * the record"), hint adds tool-specific advice to a 400 or 404. On a 2xx
 * answer sets *resp; any other answer or failure becomes the tool error.
 */
skill_status sf_request(struct sf *c, const char *method, const char *path,
                        const cJSON *body, const skill_http_header_t *extra,
                        size_t nextra, const char *doing, const char *hint,
                        const skill_http_response_t **resp);

/* As sf_request with a raw body and Accept (see struct sf_raw); a 401
 * still renews the token and sends again. */
skill_status sf_request_raw(struct sf *c, const char *method, const char *path,
                            const struct sf_raw *raw, const char *doing,
                            const char *hint,
                            const skill_http_response_t **resp);

/* As sf_request, and parse the answer as JSON into *out. */
skill_status sf_get_json(struct sf *c, const char *method, const char *path,
                         const cJSON *body, const skill_http_header_t *extra,
                         size_t nextra, const char *doing, const char *hint,
                         cJSON **out);

/* Write a tool error (printf-style) and return st. */
skill_status sf_fail(struct sf *c, skill_status st, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
#ifdef __clang_analyzer__
/* The analyzer does not follow variadic calls: tell it the result is st
 * (the definition's name is in parentheses, so it is not expanded). */
#define sf_fail(c, st, ...)                                                    \
	__extension__({                                                        \
		skill_status fail_st_ = (st);                                  \
		(sf_fail)(c, fail_st_, __VA_ARGS__);                           \
		fail_st_;                                                      \
	})
#endif

/* Hand a result object to the host (structured content); deletes it. */
skill_status sf_result(struct sf *c, cJSON *result);

/* The hint for an error code (NULL when there is none), so composite can
 * word its subrequests' failures the same way. */
const char *sf_hint_for(const char *code);

#endif /* SF_API_H */
