/*
 * backend.c - what every model backend shares: credentials, the HTTP
 * exchange, retries, errors and usage. See backend.h.
 */
#include "backend_int.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "curlapi.h"
#include "dynbuf.h"
#include "hostlog.h"

/* Room for one response header value we keep. */
#define BACKEND_HEADER_VALUE_MAX 128
/* Granularity of a cancellable wait. */
#define BACKEND_SLEEP_SLICE_MS 20
#define BACKEND_REDACTED       "[redacted]"

static const struct backend_ops *const all_ops[] = {
        &backend_openai_ops,  &backend_responses_ops,
        &backend_azure_ops,   &backend_anthropic_ops,
        &backend_bedrock_ops, &backend_gemini_ops,
        &backend_ollama_ops,  NULL};

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_rc;

/* For the backoff jitter (randombytes). */
static void sodium_start(void)
{
	sodium_rc = sodium_init();
}

static const struct backend_ops *find_ops(const char *name)
{
	for (int i = 0; all_ops[i]; i++)
		if (name && !strcmp(all_ops[i]->name, name))
			return all_ops[i];
	return NULL;
}

int backend_known(const char *name)
{
	return find_ops(name) != NULL;
}

const char *backend_default_model(const char *name, char *buf, size_t cap)
{
	static const struct {
		const char *backend, *model;
	} builtin[] = {
	        {"openai", "gpt-4.1"},
	        {"openai-responses", "gpt-4.1"},
	        {"anthropic", "claude-sonnet-4-5"},
	        {"gemini", "gemini-2.5-flash"},
	        {"ollama", "llama3.2"},
	};
	char var[64];
	size_t n = 0;
	const char *v;

	if (!find_ops(name))
		return NULL;
	n = (size_t)snprintf(var, sizeof var, "SKILLHOST_%s_MODEL", name);
	for (size_t i = 0; i < n && i < sizeof var; i++)
		var[i] = var[i] == '-' ? '_'
		                       : (char)toupper((unsigned char)var[i]);
	if ((v = getenv(var)) && *v) {
		snprintf(buf, cap, "%s", v);
		return buf;
	}
	for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
		if (!strcmp(builtin[i].backend, name)) {
			snprintf(buf, cap, "%s", builtin[i].model);
			return buf;
		}
	return NULL;
}

const char *backend_names(void)
{
	return "openai, openai-responses, azure, anthropic, bedrock, gemini, "
	       "ollama";
}

void backend_redact(const struct backend *b, char *msg, size_t cap)
{
	static const char mark[] = BACKEND_REDACTED;

	for (int i = 0; b && i < b->nsecrets; i++) {
		const char *s = b->secrets[i];
		size_t slen = strlen(s);
		char *at;
		if (slen == 0)
			continue;
		while ((at = strstr(msg, s))) {
			size_t tail = strlen(at + slen) + 1;
			size_t mlen = sizeof mark - 1;
			if ((size_t)(at - msg) + mlen + tail > cap)
				tail = cap - (size_t)(at - msg) - mlen;
			memmove(at + mlen, at + slen, tail);
			memcpy(at, mark, mlen);
			msg[cap - 1] = '\0';
		}
	}
}

sh_status backend_open(const struct backend_config *cfg, struct backend **out,
                       struct sh_error *e)
{
	const struct backend_ops *ops = find_ops(cfg->name);
	struct backend *b;
	sh_status rc;

	*out = NULL;
	if (!ops)
		return sh_error_set(
		        e, SH_ERR_USAGE, "unknown backend \"%s\" (known: %s)",
		        cfg->name ? cfg->name : "", backend_names());
	if (!cfg->model || !*cfg->model)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "backend %s: which model? give --model",
		                    ops->name);
	pthread_once(&sodium_once, sodium_start);
	if (sodium_rc < 0)
		return sh_error_set(e, SH_ERR_FAIL, "libsodium cannot start");
	if (curlapi_load(e) != SH_OK)
		return SH_ERR_FAIL;
	if (!(b = calloc(1, sizeof *b)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	b->ops = ops;
	b->max_tokens = cfg->max_tokens;
	b->tools = ops->tools;
	if (!(b->model = strdup(cfg->model))) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	rc = backend_add_header(b, "Content-Type", "application/json", e);
	if (rc == SH_OK)
		rc = backend_add_header(b, "Accept", "application/json", e);
	if (rc == SH_OK)
		rc = ops->setup(b, cfg, e);
	if (rc != SH_OK)
		goto fail;
	if (!(b->curl = curlapi()->easy_init())) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "libcurl: out of memory");
		goto fail;
	}
	*out = b;
	return SH_OK;
fail:
	backend_close(b);
	return rc;
}

void backend_close(struct backend *b)
{
	if (!b)
		return;
	if (b->ops->close)
		b->ops->close(b);
	if (b->curl)
		curlapi()->easy_cleanup(b->curl);
	/* Header lines may hold keys: wipe them before freeing. */
	for (struct curl_slist *l = b->headers; l; l = l->next)
		sodium_memzero(l->data, strlen(l->data));
	curlapi()->slist_free_all(b->headers);
	for (int i = 0; i < b->nsecrets; i++) {
		sodium_memzero(b->secrets[i], strlen(b->secrets[i]));
		free(b->secrets[i]);
	}
	free(b->model);
	free(b);
}

const char *backend_name(const struct backend *b)
{
	return b->ops->name;
}

const char *backend_model(const struct backend *b)
{
	return b->model;
}

enum toolfmt_vendor backend_tool_format(const struct backend *b)
{
	return b->tools;
}

int backend_max_tools(const struct backend *b)
{
	return b->ops->max_tools;
}

const struct backend_usage *backend_usage(const struct backend *b)
{
	return &b->usage;
}

long backend_retry_after_ms(const char *value, time_t now)
{
	const char *p = value;
	time_t when;
	long secs = 0;

	while (*p == ' ')
		p++;
	if (isdigit((unsigned char)*p)) {
		for (; isdigit((unsigned char)*p); p++) {
			if (secs > 24L * 3600)
				break; /* absurd; the cap applies anyway */
			secs = secs * 10 + (*p - '0');
		}
		while (*p == ' ')
			p++;
		if (*p == '\0' || isdigit((unsigned char)*p))
			return secs * 1000;
		return -1;
	}
	when = curlapi()->getdate(p, NULL);
	if (when == -1)
		return -1;
	return when <= now ? 0 : (long)(when - now) * 1000;
}

/* ---- one exchange ------------------------------------------------------ */

struct exchange {
	struct dynbuf body; /* bounded by BACKEND_RESPONSE_MAX */
	int too_big;
	char retry_after[BACKEND_HEADER_VALUE_MAX];
	char retry_after_ms[BACKEND_HEADER_VALUE_MAX];
	char should_retry[BACKEND_HEADER_VALUE_MAX];
	atomic_int *cancel;
};

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct exchange *x = ud;
	size_t add = size * n;

	if (dyn_addn(&x->body, data, add) != SH_OK) {
		x->too_big = x->body.too_big;
		return 0;
	}
	return add;
}

static void keep_header(const char *line, size_t len, const char *name,
                        char *dst)
{
	size_t nlen = strlen(name), j = 0;

	if (len <= nlen || strncasecmp(line, name, nlen) || line[nlen] != ':')
		return;
	line += nlen + 1;
	len -= nlen + 1;
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
	               line[len - 1] == ' '))
		len--;
	for (; j < len && j + 1 < BACKEND_HEADER_VALUE_MAX; j++)
		dst[j] = line[j];
	dst[j] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct exchange *x = ud;
	size_t len = size * n;

	keep_header(data, len, "retry-after", x->retry_after);
	keep_header(data, len, "retry-after-ms", x->retry_after_ms);
	keep_header(data, len, "x-should-retry", x->should_retry);
	return len;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                       curl_off_t un)
{
	struct exchange *x = ud;

	(void)dt, (void)dn, (void)ut, (void)un;
	return x->cancel && atomic_load(x->cancel) ? 1 : 0;
}

static int cancelled(const struct backend_http_opts *o)
{
	return o->cancel && atomic_load(o->cancel);
}

/* Sleep ms, waking early when cancelled. Returns 0 when cancelled. */
static int nap(long ms, const struct backend_http_opts *o)
{
	while (ms > 0) {
		long slice = ms < BACKEND_SLEEP_SLICE_MS
		                     ? ms
		                     : BACKEND_SLEEP_SLICE_MS;
		struct timespec ts = {slice / 1000, (slice % 1000) * 1000000L};
		if (cancelled(o))
			return 0;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			if (cancelled(o))
				return 0;
		ms -= slice;
	}
	return !cancelled(o);
}

static int retryable_curl(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR: return 1;
	default: return 0;
	}
}

static int retryable_status(long st)
{
	return st == 408 || st == 409 || st == 429 || st >= 500;
}

/* The vendor's message from an error body, or the body's start, made safe
 * to print on one line. */
static void error_text(const struct backend *b, const struct exchange *x,
                       char *out, size_t cap)
{
	size_t len = dyn_len(&x->body);
	cJSON *j = len ? cJSON_ParseWithLength(dyn_ptr(&x->body), len) : NULL;
	const char *m =
	        j && b->ops->error_message ? b->ops->error_message(j) : NULL;
	size_t k = 0;

	if (!m)
		m = len ? dyn_ptr(&x->body) : "(empty body)";
	for (const char *p = m; *p && k + 1 < cap && k < BACKEND_ERROR_BODY_MAX;
	     p++)
		out[k++] = (unsigned char)*p < 0x20 ? ' ' : *p;
	out[k] = '\0';
	cJSON_Delete(j);
	backend_redact(b, out, cap);
}

static long next_wait(const struct exchange *x, int attempt,
                      const struct backend_http_opts *o)
{
	long wait = -1, base = o->backoff_ms;

	if (x->retry_after_ms[0]) {
		char *end;
		double v = strtod(x->retry_after_ms, &end);
		if (end != x->retry_after_ms && v >= 0)
			wait = (long)v;
	}
	if (wait < 0 && x->retry_after[0])
		wait = backend_retry_after_ms(x->retry_after, time(NULL));
	if (wait < 0) {
		/* Exponential backoff with +-25% jitter, so many clients
		 * rate-limited at once do not come back at once. */
		for (int i = 0; i < attempt && base < o->retry_max_ms; i++)
			base *= 2;
		wait = base * 3 / 4 +
		       (long)randombytes_uniform((uint32_t)(base / 2 + 1));
	}
	return wait > o->retry_max_ms ? o->retry_max_ms : wait;
}

static void defaults(struct backend_http_opts *o,
                     const struct backend_http_opts *in)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof *o);
	if (o->connect_timeout_ms <= 0)
		o->connect_timeout_ms = BACKEND_DEFAULT_CONNECT_TIMEOUT_MS;
	if (o->timeout_ms <= 0)
		o->timeout_ms = BACKEND_DEFAULT_TIMEOUT_MS;
	if (o->max_retries == 0)
		o->max_retries = BACKEND_DEFAULT_RETRIES;
	if (o->max_retries < 0)
		o->max_retries = 0;
	if (o->backoff_ms <= 0)
		o->backoff_ms = BACKEND_DEFAULT_BACKOFF_MS;
	if (o->retry_max_ms <= 0)
		o->retry_max_ms = BACKEND_DEFAULT_RETRY_MAX_MS;
}

/* One HTTP attempt. Returns the curl code; *status the HTTP status. */
static CURLcode perform(struct backend *b, const char *body, size_t len,
                        const struct backend_http_opts *o, struct exchange *x,
                        long *status, struct sh_error *e, sh_status *rc)
{
	struct curl_slist *extra = NULL;
	CURL *h = b->curl;
	CURLcode cc;

	*rc = SH_OK;
	*status = 0;
	curlapi()->easy_reset(h);
	curlapi()->easy_setopt(h, CURLOPT_URL, b->url);
	curlapi()->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curlapi()->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curlapi()->easy_setopt(h, CURLOPT_USERAGENT,
	                       "skillhost/" SKILLHOST_VERSION);
	curlapi()->easy_setopt(h, CURLOPT_POST, 1L);
	curlapi()->easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curlapi()->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curlapi()->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                       o->connect_timeout_ms);
	curlapi()->easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curlapi()->easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curlapi()->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curlapi()->easy_setopt(h, CURLOPT_WRITEDATA, x);
	curlapi()->easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curlapi()->easy_setopt(h, CURLOPT_HEADERDATA, x);
	curlapi()->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curlapi()->easy_setopt(h, CURLOPT_XFERINFODATA, x);
	curlapi()->easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	if (b->ops->sign) {
		*rc = b->ops->sign(b, h, body, len, &extra, e);
		if (*rc != SH_OK) {
			curlapi()->slist_free_all(extra);
			return CURLE_OK;
		}
	}
	curlapi()->easy_setopt(h, CURLOPT_HTTPHEADER,
	                       extra ? extra : b->headers);
	cc = curlapi()->easy_perform(h);
	curlapi()->easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (b->ops->unsign)
		b->ops->unsign(b, h);
	curlapi()->easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curlapi()->slist_free_all(extra);
	return cc;
}

static void reset_exchange(struct exchange *x)
{
	dyn_reset(&x->body);
	x->too_big = 0;
	x->retry_after[0] = x->retry_after_ms[0] = x->should_retry[0] = '\0';
}

/* What to check when the endpoint itself looks wrong: the usual slips are
 * an OpenAI-compatible base URL without /v1, a web page's URL, a server
 * that is not running. Appended to the error, so it stays one message. */
static void endpoint_hint(const struct backend *b, CURLcode cc, long status,
                          struct sh_error *e)
{
	const char *name = b->ops->name;
	int openai_like =
	        !strcmp(name, "openai") || !strcmp(name, "openai-responses");

	if (cc == CURLE_COULDNT_CONNECT)
		sh_error_suffix(
		        e, "; is the server running, and is the base URL "
		           "(--base-url or the backend's variable) right?");
	else if (cc == CURLE_COULDNT_RESOLVE_HOST)
		sh_error_suffix(e, "; check the host name in the base URL");
	else if (cc == CURLE_OK && status == 404 && openai_like &&
	         !strstr(b->url, "/v1/")) {
		static const char *const paths[] = {"/chat/completions",
		                                    "/responses"};
		size_t ulen = strlen(b->url);
		int base = (int)ulen;
		for (size_t i = 0; i < 2; i++) {
			size_t plen = strlen(paths[i]);
			if (ulen > plen &&
			    !strcmp(b->url + ulen - plen, paths[i]))
				base = (int)(ulen - plen);
		}
		sh_error_suffix(e,
		                "; the URL has no /v1: OpenAI-compatible "
		                "servers answer at /v1/..., so try "
		                "--base-url %.*s/v1",
		                base, b->url);
	} else if (cc == CURLE_OK && (status == 404 || status == 405))
		sh_error_suffix(e,
		                "; nothing takes a %s request at %s: check the "
		                "base URL and the model name",
		                name, b->url);
}

static sh_status parse_ok(struct backend *b, struct exchange *x,
                          struct tr_msg *out, struct sh_error *e)
{
	cJSON *j = cJSON_ParseWithLength(dyn_ptr(&x->body), dyn_len(&x->body));
	sh_status rc;

	if (!j) {
		const char *p = dyn_len(&x->body) ? dyn_ptr(&x->body) : "";
		while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
			p++;
		if (*p == '<')
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s answered with a web page, not "
			        "JSON: the base URL points at a site, "
			        "not at the %s API",
			        b->url, b->ops->name);
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the response is not valid JSON (%zu bytes; "
		        "truncated or not from a %s API?)",
		        dyn_len(&x->body), b->ops->name);
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the response is not a JSON object");
	}
	rc = b->ops->parse(b, j, out, e);
	cJSON_Delete(j);
	if (rc != SH_OK) {
		tr_msg_free(out);
		return rc;
	}
	out->role = TR_ASSISTANT;
	out->wire = b->ops->wire;
	if (!(out->backend = strdup(b->ops->name)) ||
	    !(out->model = strdup(b->model))) {
		tr_msg_free(out);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	return SH_OK;
}

sh_status backend_step(struct backend *b, const struct transcript *tr,
                       const cJSON *tools, const struct backend_http_opts *in,
                       struct tr_msg *out, struct sh_error *e)
{
	struct backend_http_opts o;
	struct exchange x = {0};
	cJSON *req = NULL;
	char *body = NULL;
	char why[BACKEND_ERROR_BODY_MAX + 64];
	sh_status rc;
	size_t len;

	memset(out, 0, sizeof *out);
	defaults(&o, in);
	x.cancel = o.cancel;
	/* The bound counts the NUL, as the cap always has. */
	dyn_init(&x.body, BACKEND_RESPONSE_MAX - 1);
	rc = b->ops->build(b, tr, tools, &req, e);
	if (rc != SH_OK)
		goto out;
	if (!(body = cJSON_PrintUnformatted(req))) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	len = strlen(body);
	hostlog(SKILL_LOG_DEBUG, "%s: POST %s (%zu bytes)", b->ops->name,
	        b->url, len);
	for (int attempt = 0;; attempt++) {
		long status;
		CURLcode cc;
		int retry;

		if (cancelled(&o)) {
			rc = sh_error_set(e, SH_ERR_CANCELLED, "cancelled");
			goto out;
		}
		reset_exchange(&x);
		b->usage.attempts++;
		cc = perform(b, body, len, &o, &x, &status, e, &rc);
		if (rc != SH_OK)
			goto out;
		if (cc == CURLE_ABORTED_BY_CALLBACK) {
			rc = sh_error_set(e, SH_ERR_CANCELLED, "cancelled");
			goto out;
		}
		if (x.too_big) {
			rc = sh_error_set(
			        e, SH_ERR_INVALID,
			        "the response is larger than %u bytes",
			        BACKEND_RESPONSE_MAX);
			goto out;
		}
		if (cc == CURLE_OK && status >= 200 && status < 300) {
			rc = parse_ok(b, &x, out, e);
			if (rc == SH_OK) {
				b->usage.requests++;
				b->usage.input_tokens +=
				        out->usage.input_tokens;
				b->usage.output_tokens +=
				        out->usage.output_tokens;
			}
			goto out;
		}
		if (cc != CURLE_OK) {
			retry = retryable_curl(cc);
			snprintf(why, sizeof why, "%s",
			         curlapi()->easy_strerror(cc));
		} else {
			char msg[BACKEND_ERROR_BODY_MAX + 1];
			retry = retryable_status(status);
			if (!strcasecmp(x.should_retry, "false"))
				retry = 0;
			else if (!strcasecmp(x.should_retry, "true"))
				retry = 1;
			error_text(b, &x, msg, sizeof msg);
			snprintf(why, sizeof why, "HTTP %ld: %s", status, msg);
		}
		if (retry && attempt < o.max_retries) {
			long wait = next_wait(&x, attempt, &o);
			hostlog(SKILL_LOG_WARNING,
			        "%s: %s; retrying in %.1f s (retry %d of %d)",
			        b->ops->name, why, (double)wait / 1000.0,
			        attempt + 1, o.max_retries);
			if (!nap(wait, &o)) {
				rc = sh_error_set(e, SH_ERR_CANCELLED,
				                  "cancelled");
				goto out;
			}
			continue;
		}
		if (cc != CURLE_OK)
			rc = sh_error_set(e, SH_ERR_IO, "%s: %s", b->url, why);
		else if (status == 429)
			rc = sh_error_set(e, SH_ERR_BUSY,
			                  "still rate-limited after %d "
			                  "retr%s (%s)",
			                  attempt, attempt == 1 ? "y" : "ies",
			                  why);
		else if (status >= 500)
			rc = sh_error_set(e, SH_ERR_IO, "%s", why);
		else if (status == 401 || status == 403)
			rc = sh_error_set(e, SH_ERR_DENIED,
			                  "%s (check the credentials)", why);
		else
			rc = sh_error_set(e, SH_ERR_FAIL, "%s", why);
		if (retry && attempt > 0 && status != 429)
			sh_error_suffix(e, " after %d retr%s", attempt,
			                attempt == 1 ? "y" : "ies");
		endpoint_hint(b, cc, status, e);
		goto out;
	}
out:
	if (rc != SH_OK && e) {
		sh_error_prefix(e, "%s", b->ops->name);
		backend_redact(b, e->msg, sizeof e->msg);
	}
	cJSON_Delete(req);
	free(body);
	dyn_free(&x.body);
	return rc;
}
