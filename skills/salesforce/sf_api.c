/*
 * sf_api.c - requests to Salesforce, its tokens and its failures. See
 * sf_api.h.
 */
#include "sf_api.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sf_error.h"
#include "restcall.h"

#define SF_TIMEOUT_MS 60000
#define TOKEN_PATH    "/services/oauth2/token"

struct sf_state {
	pthread_mutex_t mu;
	uint64_t fingerprint; /* of the credentials the token came from */
	char *token;
	char *instance;    /* the token response's instance_url */
	char *refresh;     /* a rotated refresh token, when one came */
	unsigned requests; /* token requests made */
};

struct sf_state *sf_state_new(void)
{
	struct sf_state *s = calloc(1, sizeof *s);

	if (s && pthread_mutex_init(&s->mu, NULL)) {
		free(s);
		s = NULL;
	}
	return s;
}

static void state_clear(struct sf_state *s)
{
	rk_secret_free(s->token);
	rk_secret_free(s->refresh);
	free(s->instance);
	s->token = s->refresh = s->instance = NULL;
	s->fingerprint = 0;
}

void sf_state_free(struct sf_state *s)
{
	if (!s)
		return;
	state_clear(s);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

unsigned sf_state_token_requests(struct sf_state *s)
{
	unsigned n;

	pthread_mutex_lock(&s->mu);
	n = s->requests;
	pthread_mutex_unlock(&s->mu);
	return n;
}

skill_status(sf_fail)(struct sf *c, skill_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st = rc_vfail(c->host, c->call, st, fmt, ap);
	va_end(ap);
	return st;
}

static skill_status fail_buf(struct sf *c, skill_status st, struct sbuf *m)
{
	return rc_fail_buf(c->host, c->call, st, m);
}

static void log_msg(struct sf *c, skill_log_level level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void log_msg(struct sf *c, skill_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->host->log(c->host, c->call, level, msg);
}

/* ---- configuration ---- */

static int64_t secret(struct sf *c, const skill_ext_secrets_t *sec,
                      const char *name, char **out)
{
	int64_t n = rc_secret(c->host, c->call, sec, SF_SKILL_NAME, name, out);

	if (n == 0) {
		/* An empty secret is no secret. */
		rk_secret_free(*out);
		*out = NULL;
		n = -1;
	}
	return n;
}

static int valid_version(const char *v)
{
	size_t i = 0, dot = 0;

	for (; v[i]; i++) {
		if (v[i] == '.') {
			if (dot || i == 0)
				return 0;
			dot = i;
		} else if (v[i] < '0' || v[i] > '9') {
			return 0;
		}
	}
	return dot && dot + 1 < i && i <= SF_VERSION_MAX;
}

/* A URL from a setting, checked; 0 with the tool error written. */
static skill_status url_setting(struct sf *c, const skill_ext_config_t *cfg,
                                const char *key, char *out, int *set)
{
	char v[RK_URL_MAX];
	struct sbuf why;
	int64_t n = cfg ? cfg->get(c->host, key, v, sizeof v) : -1;

	*set = 0;
	if (n <= 0)
		return SKILL_OK;
	sb_init(&why, 0);
	if (n >= (int64_t)sizeof v || !rk_base_url(v, out, RK_URL_MAX, &why)) {
		sf_fail(c, SKILL_ERR_TOOL,
		        "The %s setting (%s) is not usable: %s. Change it with "
		        "`skillhost config %s %s URL`.",
		        key, n < (int64_t)sizeof v ? v : "too long",
		        why.len ? sb_str(&why) : "it is too long",
		        SF_SKILL_NAME, key);
		sb_free(&why);
		return SKILL_ERR_TOOL;
	}
	sb_free(&why);
	*set = 1;
	return SKILL_OK;
}

static skill_status read_config(struct sf *c, const skill_ext_secrets_t *sec)
{
	const skill_ext_config_t *cfg =
	        c->host->get_extension(c->host, SKILL_EXT_CONFIG);
	struct sf_creds *cr = &c->creds;
	char *url = NULL;
	int64_t n;
	int set;
	skill_status st;

	n = secret(c, sec, "SALESFORCE_INSTANCE_URL", &url);
	if (n < -1)
		return SKILL_ERR_INTERNAL;
	if (url) {
		struct sbuf why;
		int ok;
		sb_init(&why, 0);
		ok = rk_base_url(url, cr->instance, sizeof cr->instance, &why);
		rk_secret_free(url);
		if (!ok) {
			sf_fail(c, SKILL_ERR_TOOL,
			        "SALESFORCE_INSTANCE_URL is not usable: %s. "
			        "Set "
			        "it to the org's My Domain address, e.g. "
			        "https://acme.my.salesforce.com.",
			        sb_str(&why));
			sb_free(&why);
			return SKILL_ERR_TOOL;
		}
		sb_free(&why);
	} else {
		if ((st = url_setting(c, cfg, "instance_url", cr->instance,
		                      &set)) != SKILL_OK)
			return st;
		if (!set)
			return sf_fail(
			        c, SKILL_ERR_TOOL,
			        "Salesforce is not configured: "
			        "SALESFORCE_INSTANCE_URL is not set. Set the "
			        "org's "
			        "My Domain address with `skillhost secret set "
			        "%s "
			        "SALESFORCE_INSTANCE_URL` (the value is read "
			        "from "
			        "stdin, e.g. https://acme.my.salesforce.com), "
			        "or "
			        "`skillhost config %s instance_url URL`.",
			        SF_SKILL_NAME, SF_SKILL_NAME);
	}
	if ((st = url_setting(c, cfg, "login_url", cr->login, &set)) !=
	    SKILL_OK)
		return st;
	if (!set)
		snprintf(cr->login, sizeof cr->login, "%s", cr->instance);
	snprintf(c->version, sizeof c->version, "%s", SF_DEFAULT_API_VERSION);
	if (cfg) {
		char v[32];
		n = cfg->get(c->host, "api_version", v, sizeof v);
		if (n > 0) {
			const char *p =
			        (v[0] == 'v' || v[0] == 'V') ? v + 1 : v;
			if (n >= (int64_t)sizeof v || !valid_version(p))
				return sf_fail(
				        c, SKILL_ERR_TOOL,
				        "The api_version setting (%s) is not "
				        "a version like 62.0; change it with "
				        "`skillhost config %s api_version "
				        "62.0`.",
				        n < (int64_t)sizeof v ? v : "too long",
				        SF_SKILL_NAME);
			/* valid_version() bounds it by SF_VERSION_MAX. */
			memcpy(c->version, p, strlen(p) + 1);
		}
	}
	return SKILL_OK;
}

static uint64_t fnv(uint64_t h, const char *s)
{
	/* FNV-1a, with a separator so "ab"+"c" differs from "a"+"bc". */
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull;
}

static skill_status read_credentials(struct sf *c,
                                     const skill_ext_secrets_t *sec)
{
	struct sf_creds *cr = &c->creds;
	static const char *const names[] = {
	        "SALESFORCE_ACCESS_TOKEN", "SALESFORCE_CLIENT_ID",
	        "SALESFORCE_CLIENT_SECRET", "SALESFORCE_REFRESH_TOKEN"};
	char **slots[] = {&cr->access, &cr->client_id, &cr->client_secret,
	                  &cr->refresh};
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < 4; i++)
		if (secret(c, sec, names[i], slots[i]) < -1)
			return SKILL_ERR_INTERNAL;
	if (!cr->access &&
	    !(cr->client_id && (cr->refresh || cr->client_secret))) {
		const char *what =
		        cr->client_id
		                ? "SALESFORCE_CLIENT_ID is set but neither "
		                  "SALESFORCE_CLIENT_SECRET nor "
		                  "SALESFORCE_REFRESH_TOKEN is"
		        : (cr->refresh || cr->client_secret)
		                ? "SALESFORCE_CLIENT_ID is not set"
		                : "SALESFORCE_ACCESS_TOKEN is not set, nor an "
		                  "OAuth client to get one";
		return sf_fail(
		        c, SKILL_ERR_TOOL,
		        "Salesforce credentials are missing: %s. Run "
		        "`skillhost login %s` (the web-server flow with "
		        "PKCE, or --jwt for the JWT bearer flow: the host "
		        "keeps the token fresh); or set, with "
		        "`skillhost secret set %s NAME` (the value is read "
		        "from "
		        "stdin): SALESFORCE_ACCESS_TOKEN; or "
		        "SALESFORCE_CLIENT_ID "
		        "and SALESFORCE_CLIENT_SECRET of a connected app with "
		        "the "
		        "client credentials flow enabled; or "
		        "SALESFORCE_CLIENT_ID "
		        "and SALESFORCE_REFRESH_TOKEN (and "
		        "SALESFORCE_CLIENT_SECRET "
		        "if the app requires it).",
		        what, SF_SKILL_NAME, SF_SKILL_NAME);
	}
	h = fnv(h, cr->instance);
	h = fnv(h, cr->login);
	for (size_t i = 0; i < 4; i++)
		h = fnv(h, *slots[i]);
	cr->fingerprint = h ? h : 1;
	return SKILL_OK;
}

/* ---- tokens ---- */

static int can_renew(const struct sf_creds *cr)
{
	return cr->client_id && (cr->refresh || cr->client_secret);
}

static const char *grant_hint(const char *code, int refresh)
{
	if (!strcmp(code, "invalid_client_id"))
		return "SALESFORCE_CLIENT_ID is not a connected app's consumer "
		       "key for this org.";
	if (!strcmp(code, "invalid_client"))
		return "SALESFORCE_CLIENT_SECRET does not match "
		       "SALESFORCE_CLIENT_ID.";
	if (!strcmp(code, "unsupported_grant_type"))
		return refresh ? "The connected app does not allow the refresh "
		                 "token flow."
		               : "The connected app does not allow the client "
		                 "credentials flow; enable it and choose a Run "
		                 "As user.";
	if (!strcmp(code, "invalid_grant"))
		return refresh ? "SALESFORCE_REFRESH_TOKEN has expired or was "
		                 "revoked (or used up, with refresh token "
		                 "rotation); get a new one and set it."
		               : "Check that the connected app's client "
		                 "credentials flow has a Run As user, and that "
		                 "SALESFORCE_INSTANCE_URL is the My Domain "
		                 "address.";
	return "Check the OAuth secrets and the connected app.";
}

/* A host that only redeems interactive logins: client credentials must
 * go to the org's My Domain instead. */
static int generic_login(const char *url)
{
	char host[256];

	rk_url_host(url, host, sizeof host);
	return !strcasecmp(host, "login.salesforce.com") ||
	       !strcasecmp(host, "test.salesforce.com");
}

/* Ask the token endpoint for a new access token; s->mu is held. */
static skill_status obtain(struct sf *c, struct sf_state *s)
{
	const struct sf_creds *cr = &c->creds;
	const char *refresh = s->refresh ? s->refresh : cr->refresh;
	const char *base =
	        refresh || !generic_login(cr->login) ? cr->login : cr->instance;
	skill_http_header_t hdrs[2] = {
	        {"Content-Type", "application/x-www-form-urlencoded"},
	        {"Accept", "application/json"}};
	skill_http_request_t req = {.struct_size = sizeof req};
	const skill_http_response_t *r = NULL;
	struct sbuf form, url, m;
	cJSON *j = NULL;
	const char *tok, *inst, *rot;
	skill_status st;

	sb_init(&form, 0);
	sb_init(&url, 0);
	sb_init(&m, 0);
	if (refresh) {
		rk_put_form(&form, "grant_type", "refresh_token");
		rk_put_form(&form, "refresh_token", refresh);
		rk_put_form(&form, "client_id", cr->client_id);
		if (cr->client_secret)
			rk_put_form(&form, "client_secret", cr->client_secret);
	} else {
		rk_put_form(&form, "grant_type", "client_credentials");
		rk_put_form(&form, "client_id", cr->client_id);
		rk_put_form(&form, "client_secret", cr->client_secret);
	}
	sb_puts(&url, base);
	sb_puts(&url, TOKEN_PATH);
	if (sb_failed(&form) || sb_failed(&url)) {
		st = sf_fail(c, SKILL_ERR_NOMEM, "out of memory");
		goto out;
	}
	req.method = "POST";
	req.url = sb_str(&url);
	req.headers = hdrs;
	req.header_count = 2;
	req.body = form.p;
	req.body_len = form.len;
	req.timeout_ms = SF_TIMEOUT_MS;
	s->requests++;
	st = c->http->request(c->call, &req, &r);
	log_msg(c, SKILL_LOG_INFO, "Salesforce token request (%s) -> %d",
	        refresh ? "refresh token" : "client credentials",
	        st == SKILL_OK ? r->status : -(int)st);
	if (st != SKILL_OK) {
		rk_put_transport_error(&m, st, "Salesforce's token endpoint",
		                       SF_SKILL_NAME, "POST", sb_str(&url));
		st = fail_buf(c, st == SKILL_ERR_DENIED ? SKILL_ERR_TOOL : st,
		              &m);
		goto out;
	}
	if (r->status != 200) {
		char code[SF_ERROR_CODE_MAX] = "";
		sb_printf(&m,
		          "Salesforce refused the OAuth token request (%s "
		          "flow, HTTP %d) at %s",
		          refresh ? "refresh token" : "client credentials",
		          r->status, sb_str(&url));
		sb_puts(&m, ": ");
		if (!sf_error_text(&m, r->body, r->body_len,
		                   c->http->header(r, "content-type"), code,
		                   sizeof code))
			sb_puts(&m, "no details");
		sb_puts(&m, ". ");
		sb_puts(&m, grant_hint(code, refresh != NULL));
		st = fail_buf(c, SKILL_ERR_TOOL, &m);
		goto out;
	}
	j = cJSON_ParseWithLength(r->body, r->body_len);
	tok = cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(j, "access_token"));
	inst = cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(j, "instance_url"));
	rot = cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(j, "refresh_token"));
	if (!tok || !*tok) {
		st = sf_fail(
		        c, SKILL_ERR_TOOL,
		        "Salesforce's token endpoint (%s) answered without "
		        "an access_token; check SALESFORCE_INSTANCE_URL and "
		        "the login_url setting",
		        sb_str(&url));
		goto out;
	}
	state_clear(s);
	s->fingerprint = cr->fingerprint;
	s->token = strdup(tok);
	if (inst) {
		char checked[RK_URL_MAX];
		struct sbuf why;
		sb_init(&why, 0);
		/* The token works where Salesforce says; a URL that is not
		 * https (or loopback) is ignored for the configured one. */
		if (rk_base_url(inst, checked, sizeof checked, &why))
			s->instance = strdup(checked);
		sb_free(&why);
	}
	if (rot && refresh && strcmp(rot, refresh)) {
		s->refresh = strdup(rot);
		log_msg(c, SKILL_LOG_NOTICE,
		        "Salesforce rotated the refresh token; the new one is "
		        "kept in memory. Store the current one with `skillhost "
		        "secret set %s SALESFORCE_REFRESH_TOKEN` before a "
		        "restart if rotation is on.",
		        SF_SKILL_NAME);
	}
	if (!s->token) {
		state_clear(s);
		st = sf_fail(c, SKILL_ERR_NOMEM, "out of memory");
	}
out:
	if (j) {
		/* The parsed token answer holds secrets. */
		cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "access_token");
		cJSON *rt =
		        cJSON_GetObjectItemCaseSensitive(j, "refresh_token");
		if (cJSON_IsString(t))
			explicit_bzero(t->valuestring, strlen(t->valuestring));
		if (cJSON_IsString(rt))
			explicit_bzero(rt->valuestring,
			               strlen(rt->valuestring));
		cJSON_Delete(j);
	}
	if (r)
		c->http->response_free(c->call, r);
	sb_wipe(&form);
	sb_free(&url);
	return st;
}

/* Copy the state's token into the call; s->mu is held. */
static skill_status take(struct sf *c, struct sf_state *s)
{
	rk_secret_free(c->token);
	c->token = s->token ? strdup(s->token) : NULL;
	snprintf(c->instance, sizeof c->instance, "%s",
	         s->instance ? s->instance : c->creds.instance);
	return c->token ? SKILL_OK
	                : sf_fail(c, SKILL_ERR_NOMEM, "out of memory");
}

/* This call's token: the shared one if it came from the same
 * credentials, else the configured access token, else a new one. */
static skill_status get_token(struct sf *c)
{
	struct sf_state *s = c->state;
	skill_status st = SKILL_OK;

	pthread_mutex_lock(&s->mu);
	if (!s->token || s->fingerprint != c->creds.fingerprint) {
		state_clear(s);
		if (c->creds.access) {
			s->fingerprint = c->creds.fingerprint;
			if (!(s->token = strdup(c->creds.access)))
				st = sf_fail(c, SKILL_ERR_NOMEM,
				             "out of memory");
		} else {
			st = obtain(c, s);
		}
	}
	if (st == SKILL_OK)
		st = take(c, s);
	pthread_mutex_unlock(&s->mu);
	return st;
}

/* After a 401 with the token used: renew it once (unless another call
 * already has). 0 when it cannot be renewed, with no error written. */
static int renew(struct sf *c, const char *used, skill_status *st)
{
	struct sf_state *s = c->state;
	int renewed = 0;

	*st = SKILL_OK;
	pthread_mutex_lock(&s->mu);
	if (s->token && s->fingerprint == c->creds.fingerprint &&
	    strcmp(s->token, used)) {
		renewed = 1; /* someone else already did */
	} else if (can_renew(&c->creds)) {
		*st = obtain(c, s);
		renewed = *st == SKILL_OK;
	}
	if (renewed)
		*st = take(c, s);
	pthread_mutex_unlock(&s->mu);
	return renewed;
}

skill_status sf_open(struct sf *c, struct sf_state *state,
                     const skill_host_t *host, skill_call_t *call)
{
	const skill_ext_secrets_t *sec;
	skill_status st;

	memset(c, 0, sizeof *c);
	c->host = host;
	c->call = call;
	c->state = state;
	c->http = host->get_extension(host, SKILL_EXT_HTTP);
	sec = host->get_extension(host, SKILL_EXT_SECRETS);
	if (!c->http || !sec || !state)
		return sf_fail(c, SKILL_ERR_UNSUPPORTED,
		               "this host offers no %s extension, which "
		               "skillhost/salesforce needs to reach Salesforce",
		               !c->http ? SKILL_EXT_HTTP : SKILL_EXT_SECRETS);
	if ((st = read_config(c, sec)) != SKILL_OK ||
	    (st = read_credentials(c, sec)) != SKILL_OK)
		return st;
	return get_token(c);
}

void sf_close(struct sf *c)
{
	rk_secret_free(c->token);
	rk_secret_free(c->creds.access);
	rk_secret_free(c->creds.client_id);
	rk_secret_free(c->creds.client_secret);
	rk_secret_free(c->creds.refresh);
	memset(&c->creds, 0, sizeof c->creds);
	c->token = NULL;
}

/* ---- requests ---- */

const char *sf_hint_for(const char *code)
{
	static const struct {
		const char *code, *hint;
	} hints[] = {
	        {"MALFORMED_QUERY",
	         "Fix the SOQL: SELECT field, ... FROM Object "
	         "[WHERE ...] [ORDER BY ...] [LIMIT n]; quote "
	         "strings with single quotes."},
	        {"INVALID_FIELD",
	         "Check the field API names with describe_object "
	         "(custom fields end in __c, relationships in "
	         "__r)."},
	        {"INVALID_TYPE",
	         "Check the object's API name with list_objects."},
	        {"NOT_FOUND",
	         "Check the object's API name and the record Id (15 "
	         "or 18 characters)."},
	        {"MALFORMED_ID", "A record Id is 15 or 18 letters and digits, "
	                         "e.g. 001D000000IqhSLIAZ."},
	        {"INVALID_CROSS_REFERENCE_KEY",
	         "A lookup field points at an Id "
	         "that does not exist or has the "
	         "wrong object type."},
	        {"REQUIRED_FIELD_MISSING", "Give values for the fields named; "
	                                   "describe_object shows which fields "
	                                   "are required (createable and not "
	                                   "nillable)."},
	        {"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
	         "describe_object lists the picklist's values."},
	        {"FIELD_CUSTOM_VALIDATION_EXCEPTION",
	         "An org validation rule "
	         "rejected the values; change "
	         "them as its message says."},
	        {"DUPLICATE_VALUE",
	         "A record with that unique value exists; "
	         "update it instead (upsert_record does either)."},
	        {"DUPLICATES_DETECTED", "A duplicate rule matched an existing "
	                                "record; update that record instead."},
	        {"ENTITY_IS_DELETED", "The record is deleted (it may be in the "
	                              "recycle bin)."},
	        {"REQUEST_LIMIT_EXCEEDED",
	         "The org's API request limit is used "
	         "up (the limits tool shows it); wait "
	         "before calling again."},
	        {"INSUFFICIENT_ACCESS_OR_READONLY",
	         "The Salesforce user may not "
	         "change this record."},
	        {"INSUFFICIENT_ACCESS", "The Salesforce user lacks the "
	                                "permission."},
	        {"API_DISABLED_FOR_ORG", "The org or user has no API access."},
	        {"INVALID_SESSION_ID", NULL},
	};

	for (size_t i = 0; code && i < sizeof hints / sizeof hints[0]; i++)
		if (!strcmp(code, hints[i].code))
			return hints[i].hint;
	return NULL;
}

static skill_status status_error(struct sf *c, const char *method,
                                 const char *url, const char *doing,
                                 const char *hint,
                                 const skill_http_response_t *r)
{
	char code[SF_ERROR_CODE_MAX] = "";
	const char *h;
	struct sbuf m;
	long ra = rk_retry_after(c->http, r);
	int s = r->status;
	const char *path = url + strlen(c->instance);

	sb_init(&m, 0);
	sb_printf(&m, "Salesforce answered %d%s%s to %s %.*s (%s)", s,
	          *rc_http_reason(s) ? " " : "", rc_http_reason(s), method,
	          (int)strcspn(path, "?"), path, doing);
	{
		size_t before = m.len;
		sb_puts(&m, ": ");
		if (!sf_error_text(&m, r->body, r->body_len,
		                   c->http->header(r, "content-type"), code,
		                   sizeof code))
			sb_trim(&m, m.len - before);
	}
	sb_puts(&m, m.len && m.p[m.len - 1] == '.' ? " " : ". ");
	h = sf_hint_for(code);
	/* NOT_FOUND covers objects, records and fields alike: the tool
	 * knows which it asked for. */
	if (hint && !strcmp(code, "NOT_FOUND"))
		h = hint;
	if (s == 401) {
		sb_printf(&m,
		          "Salesforce did not accept the access token%s. Set a "
		          "valid SALESFORCE_ACCESS_TOKEN, or "
		          "SALESFORCE_CLIENT_ID "
		          "with SALESFORCE_CLIENT_SECRET or "
		          "SALESFORCE_REFRESH_TOKEN so the skill can get one "
		          "(`skillhost secret set %s NAME`).",
		          can_renew(&c->creds) ? " even after renewing it" : "",
		          SF_SKILL_NAME);
	} else if (s == 300) {
		sb_puts(&m, "Several records have that external id; use a more "
		            "specific one, or update one of them by Id.");
	} else if (s == 429 ||
	           (s == 403 && !strcmp(code, "REQUEST_LIMIT_EXCEEDED"))) {
		sb_puts(&m,
		        s == 429 ? "Salesforce's rate limit was reached"
		                 : "The org's API request limit was reached");
		sb_puts(&m,
		        s == 429 && rc_idempotent(method)
		                ? "; skillhost already retried the request. "
		                : "; the request was not carried out. ");
		if (ra >= 0)
			sb_printf(&m,
			          "Retry-After: %ld seconds. Wait that long "
			          "before calling again.",
			          ra);
		else
			sb_puts(&m, h ? h : "Wait before calling again.");
	} else if (s >= 500) {
		sb_puts(&m, "Salesforce had a server-side failure; try again "
		            "later");
		if (ra >= 0)
			sb_printf(&m, " (Retry-After: %ld seconds)", ra);
		sb_puts(&m,
		        ". If it persists, see https://status.salesforce.com.");
	} else if (h) {
		sb_puts(&m, h);
	} else if (s == 403) {
		sb_puts(&m, "The Salesforce user lacks the permission for this "
		            "(object, field or record access, or API access).");
	} else if (s == 404 || s == 400) {
		sb_puts(&m, hint ? hint
		                 : "Check the object, the Id and the "
		                   "arguments, then try again.");
	} else {
		sb_puts(&m, hint ? hint : "Check the arguments and try again.");
	}
	return fail_buf(c, SKILL_ERR_TOOL, &m);
}

static skill_status send_once(struct sf *c, const char *method, const char *url,
                              const char *body,
                              const skill_http_header_t *extra, size_t nextra,
                              const skill_http_response_t **resp)
{
	skill_http_header_t hdrs[8];
	skill_http_request_t req = {.struct_size = sizeof req};
	struct sbuf auth;
	size_t n = 0;
	struct timespec t0, t1;
	skill_status st;

	sb_init(&auth, 0);
	sb_puts(&auth, "Bearer ");
	sb_puts(&auth, c->token);
	if (sb_failed(&auth))
		return SKILL_ERR_NOMEM;
	hdrs[n++] = (skill_http_header_t){"Authorization", sb_str(&auth)};
	hdrs[n++] = (skill_http_header_t){
	        "Accept",
	        c->raw && c->raw->accept ? c->raw->accept : "application/json"};
	if (body)
		hdrs[n++] = (skill_http_header_t){"Content-Type",
		                                  "application/json"};
	else if (c->raw && c->raw->content_type)
		hdrs[n++] = (skill_http_header_t){"Content-Type",
		                                  c->raw->content_type};
	for (size_t i = 0; i < nextra && n < sizeof hdrs / sizeof hdrs[0]; i++)
		hdrs[n++] = extra[i];
	req.method = method;
	req.url = url;
	req.headers = hdrs;
	req.header_count = n;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	if (!body && c->raw && c->raw->content_type) {
		req.body = c->raw->body;
		req.body_len = c->raw->len;
	}
	if (c->raw)
		req.max_response_bytes = c->raw->max_response;
	req.timeout_ms = SF_TIMEOUT_MS;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = c->http->request(c->call, &req, resp);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sb_wipe(&auth);
	/* The log names the request, never its headers or body. */
	log_msg(c, SKILL_LOG_DEBUG, "%s %.*s -> %d (%ld ms)", method,
	        (int)strcspn(url + strlen(c->instance), "?"),
	        url + strlen(c->instance),
	        st == SKILL_OK ? (*resp)->status : -(int)st,
	        (long)((t1.tv_sec - t0.tv_sec) * 1000 +
	               (t1.tv_nsec - t0.tv_nsec) / 1000000));
	return st;
}

skill_status sf_request_raw(struct sf *c, const char *method, const char *path,
                            const struct sf_raw *raw, const char *doing,
                            const char *hint,
                            const skill_http_response_t **resp)
{
	skill_status st;

	c->raw = raw;
	st = sf_request(c, method, path, NULL, NULL, 0, doing, hint, resp);
	c->raw = NULL;
	return st;
}

skill_status sf_request(struct sf *c, const char *method, const char *path,
                        const cJSON *body, const skill_http_header_t *extra,
                        size_t nextra, const char *doing, const char *hint,
                        const skill_http_response_t **resp)
{
	char *text = NULL;
	struct sbuf url;
	skill_status st;

	*resp = NULL;
	if (body && !(text = cJSON_PrintUnformatted(body)))
		return sf_fail(c, SKILL_ERR_NOMEM, "out of memory");
	for (int attempt = 0;; attempt++) {
		char code[SF_ERROR_CODE_MAX] = "";
		char *used;

		sb_init(&url, 0);
		sb_puts(&url, c->instance);
		if (strncmp(path, "/services/", 10))
			sb_printf(&url, "/services/data/v%s", c->version);
		sb_puts(&url, path);
		if (sb_failed(&url)) {
			st = sf_fail(c, SKILL_ERR_NOMEM, "out of memory");
			break;
		}
		st = send_once(c, method, sb_str(&url), text, extra, nextra,
		               resp);
		if (st != SKILL_OK) {
			struct sbuf m;
			sb_init(&m, 0);
			rk_put_transport_error(&m, st, "Salesforce",
			                       SF_SKILL_NAME, method,
			                       sb_str(&url));
			st = fail_buf(
			        c, st == SKILL_ERR_DENIED ? SKILL_ERR_TOOL : st,
			        &m);
			*resp = NULL;
			break;
		}
		if ((*resp)->status >= 200 && (*resp)->status <= 299)
			break;
		if ((*resp)->status == 401 && attempt == 0) {
			struct sbuf ignore;
			sb_init(&ignore, 0);
			sf_error_text(&ignore, (*resp)->body, (*resp)->body_len,
			              NULL, code, sizeof code);
			sb_free(&ignore);
		}
		/* An expired or revoked token: renew once, send again (a 401
		 * means the request was not carried out). */
		if ((*resp)->status == 401 && attempt == 0 &&
		    (!code[0] || !strcmp(code, "INVALID_SESSION_ID")) &&
		    (used = strdup(c->token))) {
			int renewed = renew(c, used, &st);
			rk_secret_free(used);
			if (st != SKILL_OK) {
				*resp = NULL;
				break;
			}
			if (renewed) {
				log_msg(c, SKILL_LOG_INFO,
				        "the Salesforce session had expired; "
				        "renewed the token, sending again");
				c->http->response_free(c->call, *resp);
				sb_free(&url);
				continue;
			}
		}
		st = status_error(c, method, sb_str(&url), doing, hint, *resp);
		*resp = NULL;
		break;
	}
	sb_free(&url);
	cJSON_free(text);
	return st;
}

skill_status sf_get_json(struct sf *c, const char *method, const char *path,
                         const cJSON *body, const skill_http_header_t *extra,
                         size_t nextra, const char *doing, const char *hint,
                         cJSON **out)
{
	const skill_http_response_t *r;
	skill_status st = sf_request(c, method, path, body, extra, nextra,
	                             doing, hint, &r);
	struct sbuf m;

	*out = NULL;
	if (st != SKILL_OK)
		return st;
	/* sf_request sets r whenever it returns SKILL_OK. */
	*out = cJSON_ParseWithLength(
	        r->body, // NOLINT(clang-analyzer-core.NullDereference)
	        r->body_len);
	if (cJSON_IsObject(*out) || cJSON_IsArray(*out))
		return SKILL_OK;
	cJSON_Delete(*out);
	*out = NULL;
	sb_init(&m, 0);
	sb_printf(&m, "Salesforce's answer to %s %.*s (%s) is not JSON", method,
	          (int)strcspn(path, "?"), path, doing);
	if (rk_is_html(r->body, r->body_len,
	               c->http->header(r, "content-type"))) {
		sb_puts(&m, " but a web page (\"");
		rk_put_html_text(&m, r->body, r->body_len, 200);
		sb_puts(&m, "\")");
	}
	sb_puts(&m, ". Check that SALESFORCE_INSTANCE_URL is the org's My "
	            "Domain address, e.g. https://acme.my.salesforce.com.");
	return fail_buf(c, SKILL_ERR_TOOL, &m);
}

skill_status sf_result(struct sf *c, cJSON *result)
{
	char *text = result ? cJSON_PrintUnformatted(result) : NULL;
	skill_status st;

	cJSON_Delete(result);
	if (!text)
		return sf_fail(c, SKILL_ERR_NOMEM,
		               "out of memory building the result");
	st = c->host->result_json(c->call, text, strlen(text));
	cJSON_free(text);
	return st;
}
