/*
 * jira_api.c - requests to Jira and their failures. See jira_api.h.
 */
#include "jira_api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jira_error.h"
#include "restcall.h"

/* Jira's answers can be large (an issue with all fields and comments); the
 * host's default cap is far above what a search page needs. */
#define JIRA_TIMEOUT_MS 30000

skill_status(jira_fail)(struct jira *j, skill_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st = rc_vfail(j->host, j->call, st, fmt, ap);
	va_end(ap);
	return st;
}

static skill_status fail_buf(struct jira *j, skill_status st, struct sbuf *msg)
{
	return rc_fail_buf(j->host, j->call, st, msg);
}

/* A secret that must be declared: -2 is a packaging bug. */
static int64_t secret(struct jira *j, const skill_ext_secrets_t *sec,
                      const char *name, char **out)
{
	return rc_secret(j->host, j->call, sec, JIRA_SKILL_NAME, name, out);
}

static skill_status open_base(struct jira *j, const skill_ext_secrets_t *sec)
{
	const skill_ext_config_t *cfg =
	        j->host->get_extension(j->host, SKILL_EXT_CONFIG);
	char *url = NULL, from_config[RK_URL_MAX];
	const char *src = "JIRA_BASE_URL";
	struct sbuf why;
	int64_t n = secret(j, sec, "JIRA_BASE_URL", &url);
	int ok;

	if (n < -1)
		return n == -3 ? SKILL_ERR_NOMEM : SKILL_ERR_INTERNAL;
	if (n <= 0) {
		rk_secret_free(url);
		url = NULL;
		int64_t m = cfg ? cfg->get(j->host, "base_url", from_config,
		                           sizeof from_config)
		                : -1;
		if (m >= (int64_t)sizeof from_config)
			return jira_fail(
			        j, SKILL_ERR_TOOL,
			        "The base_url setting is too long; set it "
			        "to the site's address, e.g. "
			        "https://your-site.atlassian.net.");
		if (m > 0)
			src = "the base_url setting";
		else
			return jira_fail(
			        j, SKILL_ERR_TOOL,
			        "Jira is not configured: JIRA_BASE_URL is not "
			        "set. Set the site's address with `skillhost "
			        "secret set %s JIRA_BASE_URL` (the value is "
			        "read "
			        "from stdin, e.g. "
			        "https://your-site.atlassian.net"
			        "), or `skillhost config %s base_url URL`, or "
			        "pass the JIRA_BASE_URL environment variable "
			        "with `skillhost secret set %s JIRA_BASE_URL "
			        "--from-env`.",
			        JIRA_SKILL_NAME, JIRA_SKILL_NAME,
			        JIRA_SKILL_NAME);
	}
	sb_init(&why, 0);
	ok = rk_base_url(url ? url : from_config, j->base, sizeof j->base,
	                 &why);
	rk_secret_free(url);
	if (!ok) {
		/* The value itself is not echoed: it came from the secret
		 * store. */
		jira_fail(j, SKILL_ERR_TOOL,
		          "The Jira address in %s is not usable: %s. Set it "
		          "to the site's address, e.g. "
		          "https://your-site.atlassian.net (or "
		          "https://api.atlassian.com/ex/jira/CLOUD_ID for "
		          "scoped tokens and OAuth).",
		          src, sb_str(&why));
		sb_free(&why);
		return SKILL_ERR_TOOL;
	}
	sb_free(&why);
	return SKILL_OK;
}

static skill_status missing_credentials(struct jira *j, const char *what)
{
	return jira_fail(
	        j, SKILL_ERR_TOOL,
	        "Jira credentials are missing: %s. For Jira Cloud set "
	        "JIRA_EMAIL (the Atlassian account's e-mail) and "
	        "JIRA_API_TOKEN (create one at "
	        "https://id.atlassian.com/manage-profile/security/api-tokens)"
	        " with `skillhost secret set %s NAME` (the value is read from "
	        "stdin); for OAuth 2.0 (3LO) run `skillhost login %s`, which "
	        "keeps the token fresh, or set JIRA_BEARER_TOKEN instead.",
	        what, JIRA_SKILL_NAME, JIRA_SKILL_NAME);
}

static skill_status open_auth(struct jira *j, const skill_ext_secrets_t *sec)
{
	char *bearer = NULL, *email = NULL, *token = NULL;
	struct sbuf b;
	int64_t nb, ne, nt;
	skill_status st = SKILL_OK;

	nb = secret(j, sec, "JIRA_BEARER_TOKEN", &bearer);
	if (nb < -1)
		return SKILL_ERR_INTERNAL;
	sb_init(&b, 0);
	if (nb > 0) {
		sb_puts(&b, "Bearer ");
		sb_puts(&b, bearer);
		j->bearer = 1;
		goto done;
	}
	ne = secret(j, sec, "JIRA_EMAIL", &email);
	nt = ne < -1 ? ne : secret(j, sec, "JIRA_API_TOKEN", &token);
	if (ne < -1 || nt < -1) {
		st = SKILL_ERR_INTERNAL;
		goto done;
	}
	if (ne <= 0 && nt <= 0) {
		st = missing_credentials(j, "neither JIRA_EMAIL and "
		                            "JIRA_API_TOKEN nor "
		                            "JIRA_BEARER_TOKEN is set");
		goto done;
	}
	if (ne <= 0 || nt <= 0) {
		st = missing_credentials(j,
		                         ne <= 0 ? "JIRA_EMAIL is not set"
		                                 : "JIRA_API_TOKEN is not set");
		goto done;
	}
	{
		struct sbuf pair;
		sb_init(&pair, 0);
		sb_puts(&pair, email);
		sb_putc(&pair, ':');
		sb_puts(&pair, token);
		sb_puts(&b, "Basic ");
		rk_put_base64(&b, pair.p, pair.len);
		if (sb_failed(&pair))
			b.failed = 1;
		sb_wipe(&pair);
	}
done:
	rk_secret_free(bearer);
	rk_secret_free(email);
	rk_secret_free(token);
	if (st == SKILL_OK && sb_failed(&b))
		st = jira_fail(j, SKILL_ERR_NOMEM, "out of memory");
	if (st == SKILL_OK)
		j->auth = sb_steal(&b);
	sb_wipe(&b);
	return st;
}

skill_status jira_open(struct jira *j, const skill_host_t *host,
                       skill_call_t *call)
{
	const skill_ext_secrets_t *sec;
	skill_status st;

	memset(j, 0, sizeof *j);
	j->host = host;
	j->call = call;
	j->http = host->get_extension(host, SKILL_EXT_HTTP);
	sec = host->get_extension(host, SKILL_EXT_SECRETS);
	if (!j->http || !sec)
		return jira_fail(j, SKILL_ERR_UNSUPPORTED,
		                 "this host offers no %s extension, which "
		                 "skillhost/jira needs to reach Jira",
		                 !j->http ? SKILL_EXT_HTTP : SKILL_EXT_SECRETS);
	if ((st = open_base(j, sec)) != SKILL_OK)
		return st;
	return open_auth(j, sec);
}

void jira_close(struct jira *j)
{
	rk_secret_free(j->auth);
	j->auth = NULL;
}

/* The tool error for a non-2xx answer. */
static skill_status status_error(struct jira *j, const char *method,
                                 const char *path, const char *doing,
                                 const char *hint,
                                 const skill_http_response_t *r)
{
	struct sbuf m;
	unsigned said;
	long ra = rk_retry_after(j->http, r);
	const char *ct = j->http->header(r, "content-type");
	int s = r->status;

	sb_init(&m, 0);
	sb_printf(&m, "Jira answered %d%s%s to %s %.*s (%s)", s,
	          *rc_http_reason(s) ? " " : "", rc_http_reason(s), method,
	          (int)strcspn(path, "?"), path, doing);
	{
		size_t before = m.len;
		sb_puts(&m, ": ");
		said = jira_error_text(&m, r->body, r->body_len, ct);
		if (!(said & JIRA_ERR_SAID))
			sb_trim(&m, m.len - before);
	}
	sb_puts(&m, m.len && m.p[m.len - 1] == '.' ? " " : ". ");
	if (s == 400 || s == 422) {
		if ((said & JIRA_ERR_CUSTOM) &&
		    !(hint && strstr(hint, "get_create_fields")))
			sb_puts(&m,
			        "Call get_create_fields for the project and "
			        "issue type to see which fields can be set "
			        "and the values they allow. ");
		sb_puts(&m, hint ? hint
		                 : "Correct the arguments named above "
		                   "and try again.");
	} else if (s == 401) {
		if (j->bearer)
			sb_printf(
			        &m,
			        "Jira did not accept JIRA_BEARER_TOKEN: it may "
			        "have expired or lack the scopes "
			        "(read:jira-work, write:jira-work, "
			        "read:jira-user). Log in again with "
			        "`skillhost login %s` (OAuth 2.0 3LO), or set "
			        "a new one with `skillhost secret set %s "
			        "JIRA_BEARER_TOKEN`.",
			        JIRA_SKILL_NAME, JIRA_SKILL_NAME);
		else
			sb_printf(
			        &m,
			        "Jira did not accept JIRA_EMAIL and "
			        "JIRA_API_TOKEN: check that the token belongs "
			        "to that account, has not expired or been "
			        "revoked, and is for the site in JIRA_BASE_URL "
			        "(scoped API tokens need JIRA_BASE_URL="
			        "https://api.atlassian.com/ex/jira/CLOUD_ID). "
			        "Update them with `skillhost secret set %s "
			        "NAME`.",
			        JIRA_SKILL_NAME);
	} else if (s == 403) {
		sb_puts(&m, "The Jira account lacks the permission for this "
		            "(for example Browse Projects, Create Issues, Edit "
		            "Issues, Transition Issues, Assign Issues or Add "
		            "Comments), or its token lacks the scope. Ask a "
		            "Jira administrator, or work in another project.");
	} else if (s == 404) {
		sb_puts(&m, hint ? hint
		                 : "Check the key or id (search_issues and "
		                   "list_projects find them); the Jira account "
		                   "may also lack permission to see it.");
	} else if (s == 409) {
		sb_puts(&m, "Someone changed it at the same time; read it "
		            "again and retry.");
	} else if (s == 413) {
		sb_puts(&m, "The content is too large, or the issue reached a "
		            "Jira limit (such as the number of comments); "
		            "shorten it.");
	} else if (s == 429) {
		const char *why = j->http->header(r, "ratelimit-reason");
		sb_puts(&m, "Jira's rate limit was reached");
		if (why)
			sb_printf(&m, " (%s)", why);
		if (rc_idempotent(method))
			sb_puts(&m,
			        "; skillhost already retried the request. ");
		else if (j->retries)
			sb_printf(&m,
			          "; the skill sent it %d more times, as "
			          "Retry-After asked, without success. ",
			          j->retries);
		else
			sb_puts(&m, "; the request was not carried out. ");
		if (ra >= 0)
			sb_printf(&m,
			          "Retry-After: %ld seconds. Wait that long "
			          "before calling again.",
			          ra);
		else
			sb_puts(&m, "Wait a minute before calling again.");
	} else if (s >= 500) {
		sb_puts(&m, "Jira had a server-side failure; try again later");
		if (ra >= 0)
			sb_printf(&m, " (Retry-After: %ld seconds)", ra);
		sb_puts(&m,
		        ". If it persists, see https://status.atlassian.com.");
	} else if (s >= 300 && s < 400) {
		const char *loc = j->http->header(r, "location");
		sb_puts(&m, "Jira redirected the request");
		if (loc) {
			sb_puts(&m, " to ");
			rk_put_clean(&m, loc, strlen(loc), 300);
		}
		sb_puts(&m, "; set JIRA_BASE_URL to the site's final address.");
	} else {
		sb_puts(&m, "Check JIRA_BASE_URL and the arguments, then try "
		            "again.");
	}
	return fail_buf(j, SKILL_ERR_TOOL, &m);
}

/* Sleep for secs seconds in short steps, so a cancelled call stops
 * waiting at once. Returns 0 when the call was cancelled. */
static int sleep_unless_cancelled(struct jira *j, long secs)
{
	struct timespec step = {0, 100L * 1000 * 1000};

	for (long i = 0; i < secs * 10; i++) {
		if (j->host->is_cancelled(j->call))
			return 0;
		nanosleep(&step, NULL);
	}
	return !j->host->is_cancelled(j->call);
}

skill_status jira_request(struct jira *j, const char *method, const char *path,
                          const cJSON *body, const char *doing,
                          const char *hint, const skill_http_response_t **resp)
{
	char *text = NULL;
	skill_status st;

	if (body && !(text = cJSON_PrintUnformatted(body)))
		return jira_fail(j, SKILL_ERR_NOMEM, "out of memory");
	st = jira_request_ex(j, method, path, text ? "application/json" : NULL,
	                     text, text ? strlen(text) : 0, 0, doing, hint,
	                     resp);
	cJSON_free(text);
	return st;
}

skill_status jira_request_ex(struct jira *j, const char *method,
                             const char *path, const char *content_type,
                             const void *body, size_t len, int64_t max_response,
                             const char *doing, const char *hint,
                             const skill_http_response_t **resp)
{
	skill_http_request_t req = {.struct_size = sizeof req};
	skill_http_header_t hdrs[4] = {{"Accept", "application/json"},
	                               {"Authorization", j->auth}};
	size_t nh = 2;
	struct sbuf url;
	char log[512];
	skill_status st;
	struct timespec t0, t1;

	*resp = NULL;
	sb_init(&url, 0);
	sb_puts(&url, j->base);
	sb_puts(&url, path);
	if (sb_failed(&url))
		return jira_fail(j, SKILL_ERR_NOMEM, "out of memory");
	req.method = method;
	req.url = sb_str(&url);
	req.headers = hdrs;
	if (content_type) {
		hdrs[nh].name = "Content-Type";
		hdrs[nh++].value = content_type;
		/* Jira refuses a multipart upload without this (XSRF
		 * protection). */
		if (!strncmp(content_type, "multipart/", 10)) {
			hdrs[nh].name = "X-Atlassian-Token";
			hdrs[nh++].value = "no-check";
		}
	}
	req.header_count = nh;
	req.body = body;
	req.body_len = len;
	req.max_response_bytes = max_response;
	req.timeout_ms = JIRA_TIMEOUT_MS;
	j->failed = NULL;
	j->retries = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long wait;
		st = j->http->request(j->call, &req, resp);
		if (st != SKILL_OK || !j->retry_post || rc_idempotent(method) ||
		    !jira_retryable((*resp)->status) ||
		    j->retries >= JIRA_POST_RETRIES)
			break;
		/* Retry-After when Jira gives one, else 1, 2, 4 s; a wait
		 * longer than the cap is left to the caller. */
		wait = rk_retry_after(j->http, *resp);
		if (wait < 0)
			wait = 1L << j->retries;
		if (wait > JIRA_RETRY_WAIT_MAX_S ||
		    !sleep_unless_cancelled(j, wait))
			break;
		j->retries++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* The log names the request, never its headers or body. */
	snprintf(log, sizeof log, "%s %.*s -> %d (%ld ms)", method,
	         (int)strcspn(path, "?"), path,
	         st == SKILL_OK ? (*resp)->status : -(int)st,
	         (long)((t1.tv_sec - t0.tv_sec) * 1000 +
	                (t1.tv_nsec - t0.tv_nsec) / 1000000));
	j->host->log(j->host, j->call, SKILL_LOG_DEBUG, log);
	if (st != SKILL_OK) {
		struct sbuf m;
		sb_init(&m, 0);
		rk_put_transport_error(&m, st, "Jira", JIRA_SKILL_NAME, method,
		                       sb_str(&url));
		sb_free(&url);
		*resp = NULL;
		return fail_buf(j, st == SKILL_ERR_DENIED ? SKILL_ERR_TOOL : st,
		                &m);
	}
	sb_free(&url);
	if ((*resp)->status < 200 || (*resp)->status > 299) {
		if (j->quiet) {
			j->failed = *resp;
			*resp = NULL;
			return SKILL_ERR_TOOL;
		}
		st = status_error(j, method, path, doing, hint, *resp);
		*resp = NULL;
		return st;
	}
	return SKILL_OK;
}

skill_status jira_report(struct jira *j, const char *method, const char *path,
                         const char *doing, const char *hint)
{
	if (!j->failed)
		return jira_fail(j, SKILL_ERR_INTERNAL,
		                 "internal error: no failed answer to report");
	return status_error(j, method, path, doing, hint, j->failed);
}

int jira_retryable(int status)
{
	return status == 429 ||
	       (status >= 500 && status <= 599 && status != 501);
}

skill_status jira_get_json(struct jira *j, const char *method, const char *path,
                           const cJSON *body, const char *doing,
                           const char *hint, cJSON **out)
{
	const skill_http_response_t *r;
	skill_status st = jira_request(j, method, path, body, doing, hint, &r);
	struct sbuf m;

	*out = NULL;
	if (st != SKILL_OK)
		return st;
	/* jira_request sets r whenever it returns SKILL_OK. */
	*out = cJSON_ParseWithLength(
	        r->body, // NOLINT(clang-analyzer-core.NullDereference)
	        r->body_len);
	if (*out && (cJSON_IsObject(*out) || cJSON_IsArray(*out)))
		return SKILL_OK;
	cJSON_Delete(*out);
	*out = NULL;
	sb_init(&m, 0);
	sb_printf(&m, "Jira's answer to %s %.*s (%s) is not JSON", method,
	          (int)strcspn(path, "?"), path, doing);
	if (rk_is_html(r->body, r->body_len,
	               j->http->header(r, "content-type"))) {
		sb_puts(&m, " but a web page (\"");
		rk_put_html_text(&m, r->body, r->body_len, 200);
		sb_puts(&m, "\"): JIRA_BASE_URL probably points at something "
		            "other than the Jira site");
	}
	sb_puts(&m, ". Check that JIRA_BASE_URL is the Jira site's address, "
	            "e.g. https://your-site.atlassian.net.");
	return fail_buf(j, SKILL_ERR_TOOL, &m);
}

int jira_browse_url(const struct jira *j, struct sbuf *b, const char *key)
{
	char host[256];

	rk_url_host(j->base, host, sizeof host);
	if (!strcasecmp(host, "api.atlassian.com"))
		return 0;
	sb_puts(b, j->base);
	sb_puts(b, "/browse/");
	sb_put_pct(b, key);
	return 1;
}

skill_status jira_result(struct jira *j, cJSON *result)
{
	char *text = result ? cJSON_PrintUnformatted(result) : NULL;
	skill_status st;

	cJSON_Delete(result);
	if (!text)
		return jira_fail(j, SKILL_ERR_NOMEM,
		                 "out of memory building the result");
	st = j->host->result_json(j->call, text, strlen(text));
	cJSON_free(text);
	return st;
}
