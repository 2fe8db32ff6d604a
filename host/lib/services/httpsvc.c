/*
 * httpsvc.c - skill.http/1. See httpsvc.h.
 */
#include "httpsvc.h"

#include <ctype.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "call.h"
#include "config.h"
#include "curlapi.h"
#include "egress.h"
#include "hostapi.h"
#include "hostpattern.h"
#include "oauthbroker.h"
#include "perms.h"

struct response {
	struct call_deferred d; /* first: released with the call */
	skill_http_response_t pub;
	skill_http_header_t *headers;
	size_t nheaders, cap_headers;
	char *body;
	size_t len, cap;
	size_t max;
	int overflow;
	int over_budget; /* max was cut to what the call's budget had left */
	size_t charged;  /* counted in the call's http_held */
	char *final_url;
};

/* ---- process-wide curl state ---- */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLSH *share;
static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

static void lock_cb(CURL *h, curl_lock_data data, curl_lock_access a, void *ud)
{
	(void)h, (void)a, (void)ud;
	pthread_mutex_lock(&share_locks[data]);
}

static void unlock_cb(CURL *h, curl_lock_data data, void *ud)
{
	(void)h, (void)ud;
	pthread_mutex_unlock(&share_locks[data]);
}

static void init_once(void)
{
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&share_locks[i], NULL);
	share = curlapi()->share_init();
	if (share) {
		curlapi()->share_setopt(share, CURLSHOPT_LOCKFUNC, lock_cb);
		curlapi()->share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock_cb);
		curlapi()->share_setopt(share, CURLSHOPT_SHARE,
		                        CURL_LOCK_DATA_DNS);
		curlapi()->share_setopt(share, CURLSHOPT_SHARE,
		                        CURL_LOCK_DATA_SSL_SESSION);
		curlapi()->share_setopt(share, CURLSHOPT_SHARE,
		                        CURL_LOCK_DATA_CONNECT);
	}
}

/* ---- policy ---- */

/* A literal-address entry ("127.0.0.1:8080", "[::1]") names that address;
 * any other is a host pattern. */
static int entry_matches(const char *pat, const char *host, int port)
{
	return egress_is_address_permit(pat)
	               ? egress_permit_names(pat, host, port)
	               : manifest_host_matches(pat, host, port);
}

static int pattern_list_allows(const char *list, const char *host, int port)
{
	char pat[300];

	while (list && *list) {
		const char *comma = strchr(list, ',');
		size_t n = comma ? (size_t)(comma - list) : strlen(list);
		while (n && isspace((unsigned char)*list))
			list++, n--;
		if (n > 0 && n < sizeof pat) {
			memcpy(pat, list, n);
			pat[n] = '\0';
			if (entry_matches(pat, host, port))
				return 1;
		}
		list = comma ? comma + 1 : NULL;
	}
	return 0;
}

int httpsvc_allowed(const struct skill_call *call, const char *host, int port)
{
	const struct host_services *svc = call->services;
	const struct skill_perms *p = call->perms;

	/* Files loaded for development are not restricted. */
	if (!p)
		return 1;
	for (size_t i = 0; i < p->nnetwork; i++)
		if (entry_matches(p->network[i], host, port))
			return 1;
	return pattern_list_allows(config_policy(svc ? svc->config : NULL,
	                                         call->skill_name, "network"),
	                           host, port);
}

/* ---- egress by address (egress.h) ---- */

/* What the socket callbacks of one request need, and what they found. */
struct egress_ctx {
	const struct skill_call *call;
	const char *host;    /* as the URL names it */
	const char *permits; /* the operator's "network" policy, or NULL */
	int checked;         /* 0: a skill loaded from a file, unrestricted */
	int connected;       /* sockets opened to allowed addresses */
	int aborted;         /* on_prereq refused the connection */
	char refused[600];   /* why the last address was refused */
};

/* 1 when sa is the proxy the operator configured in one of the variables
 * libcurl reads (host and, when given, port): the proxy is the operator's
 * own egress point, so reaching it is allowed even on loopback or a
 * private network. */
static int operator_proxy(const struct sockaddr *sa)
{
	static const char *const vars[] = {"http_proxy", "https_proxy",
	                                   "HTTPS_PROXY", "all_proxy",
	                                   "ALL_PROXY"};

	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]), *p, *end;
		char host[256], port[8] = "";
		struct addrinfo hints = {.ai_flags = AI_NUMERICSERV,
		                         .ai_socktype = SOCK_STREAM},
		                *res = NULL;
		size_t n;
		int hit = 0;

		if (!v || !*v)
			continue;
		p = strstr(v, "://") ? strstr(v, "://") + 3 : v;
		if ((end = strpbrk(p, "@/")) && *end == '@')
			p = end + 1;
		if (*p == '[') {
			end = strchr(p, ']');
			if (!end)
				continue;
			n = (size_t)(end - p - 1);
			p++;
			end++;
		} else {
			end = p + strcspn(p, ":/");
			n = (size_t)(end - p);
		}
		if (!n || n >= sizeof host)
			continue;
		memcpy(host, p, n);
		host[n] = '\0';
		if (*end == ':')
			snprintf(port, sizeof port, "%.*s",
			         (int)strspn(end + 1, "0123456789"), end + 1);
		if (getaddrinfo(host, NULL, &hints, &res))
			continue;
		for (struct addrinfo *a = res; a && !hit; a = a->ai_next) {
			char want[INET6_ADDRSTRLEN], got[INET6_ADDRSTRLEN];
			int gport = egress_format(sa, got, sizeof got);
			hit = egress_format(a->ai_addr, want, sizeof want) >=
			              0 &&
			      gport >= 0 && !strcmp(want, got) &&
			      (!port[0] || atoi(port) == gport);
		}
		freeaddrinfo(res);
		if (hit)
			return 1;
	}
	return 0;
}

/* 1 when the request may connect to sa; otherwise records why in ctx. */
static int egress_ok(struct egress_ctx *x, const struct sockaddr *sa)
{
	char rule[EGRESS_RULE_MAX], addr[INET6_ADDRSTRLEN + 2] = "?";
	struct sockaddr_storage named;
	const char *skill;
	int port, literal;

	if (!x->checked || !egress_refused(sa, rule, sizeof rule) ||
	    egress_list_allows(x->permits, sa) || operator_proxy(sa))
		return 1;
	port = egress_format(sa, addr + 1, sizeof addr - 1);
	if (sa->sa_family == AF_INET6) {
		size_t n = strlen(addr + 1);
		addr[0] = '[';
		memcpy(addr + 1 + n, "]", 2); /* addr has room: see above */
	} else {
		memmove(addr, addr + 1, strlen(addr + 1) + 1);
	}
	skill = x->call->skill_name ? x->call->skill_name : "SKILL";
	literal = egress_parse(x->host, 0, &named);
	snprintf(x->refused, sizeof x->refused,
	         "request to %s refused: %s%s%s is %s; the host does not let "
	         "skills reach loopback, private, link-local (cloud metadata) "
	         "or other non-public addresses. If this skill should reach "
	         "that service, the operator can permit the address: "
	         "`skillhost permit %s %s:%d`",
	         x->host, literal ? "" : "it resolves to ", addr,
	         literal ? "" : ", which", rule, skill, addr, port);
	return 0;
}

/* Called for every address curl is about to connect to (each one of a
 * name's answers, each redirect hop): refusing here means no packet is
 * sent. */
static curl_socket_t on_opensocket(void *ud, curlsocktype purpose,
                                   struct curl_sockaddr *a)
{
	struct egress_ctx *x = ud;

	if (purpose != CURLSOCKTYPE_IPCXN || !egress_ok(x, &a->addr))
		return CURL_SOCKET_BAD;
	x->connected++;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* Called before every request, on a new or a reused connection: a
 * connection kept from another request (the connection cache is shared)
 * is checked against this request's permits too. */
static int on_prereq(void *ud, char *primary_ip, char *local_ip,
                     int primary_port, int local_port)
{
	struct egress_ctx *x = ud;
	struct sockaddr_storage sa;

	(void)local_ip, (void)local_port;
	if (!x->checked)
		return CURL_PREREQFUNC_OK;
	if (!primary_ip || !egress_parse(primary_ip, primary_port, &sa)) {
		snprintf(x->refused, sizeof x->refused,
		         "request to %s refused: the address connected to "
		         "(%s) could not be checked",
		         x->host, primary_ip ? primary_ip : "unknown");
		x->aborted = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	if (egress_ok(x, (const struct sockaddr *)&sa))
		return CURL_PREREQFUNC_OK;
	x->aborted = 1;
	return CURL_PREREQFUNC_ABORT;
}

/* SKILLHOST_HTTP_RESOLVE, "HOST:PORT:ADDRESS[,...]" as curl's --resolve:
 * the operator pins names to addresses (tests use it to give a
 * public-looking name a loopback answer). The pinned address is checked
 * like any DNS answer. NULL when unset or on failure. */
static struct curl_slist *resolve_map(void)
{
	const char *v = getenv("SKILLHOST_HTTP_RESOLVE");
	struct curl_slist *list = NULL, *n;
	char item[512];

	while (v && *v) {
		size_t len = strcspn(v, ",");
		if (len && len < sizeof item) {
			memcpy(item, v, len);
			item[len] = '\0';
			if (!(n = curlapi()->slist_append(list, item))) {
				curlapi()->slist_free_all(list);
				return NULL;
			}
			list = n;
		}
		v += len + (v[len] == ',');
	}
	return list;
}

/* ---- responses ---- */

static void release(struct call_deferred *d)
{
	struct response *r = (struct response *)d;

	for (size_t i = 0; i < r->nheaders; i++) {
		free((char *)r->headers[i].name);
		free((char *)r->headers[i].value);
	}
	free(r->headers);
	free(r->body);
	free(r->final_url);
	free(r);
}

static void reset(struct response *r)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		free((char *)r->headers[i].name);
		free((char *)r->headers[i].value);
	}
	r->nheaders = 0;
	r->len = 0;
	r->overflow = 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct response *r = ud;
	size_t k = size * n;

	if (r->len + k > r->max) {
		r->overflow = 1;
		return 0; /* aborts the transfer */
	}
	if (r->len + k + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 16384;
		char *grown;
		while (cap < r->len + k + 1)
			cap *= 2;
		grown = realloc(r->body, cap);
		if (!grown)
			return 0;
		r->body = grown;
		r->cap = cap;
	}
	memcpy(r->body + r->len, p, k);
	r->len += k;
	return k;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct response *r = ud;
	size_t k = size * n, name_len, vstart, vend;
	const char *colon = memchr(p, ':', k);
	char *name, *value;

	/* A new status line (after a 100 Continue or a retry) starts over. */
	if (k >= 5 && !memcmp(p, "HTTP/", 5)) {
		for (size_t i = 0; i < r->nheaders; i++) {
			free((char *)r->headers[i].name);
			free((char *)r->headers[i].value);
		}
		r->nheaders = 0;
		return k;
	}
	if (!colon || r->nheaders >= HTTPSVC_MAX_HEADERS)
		return k;
	name_len = (size_t)(colon - p);
	vstart = name_len + 1;
	while (vstart < k && (p[vstart] == ' ' || p[vstart] == '\t'))
		vstart++;
	vend = k;
	while (vend > vstart && (p[vend - 1] == '\r' || p[vend - 1] == '\n' ||
	                         p[vend - 1] == ' '))
		vend--;
	if (r->nheaders == r->cap_headers) {
		size_t cap = r->cap_headers ? r->cap_headers * 2 : 16;
		skill_http_header_t *g = realloc(r->headers, cap * sizeof *g);
		if (!g)
			return 0;
		r->headers = g;
		r->cap_headers = cap;
	}
	name = strndup(p, name_len);
	value = strndup(p + vstart, vend - vstart);
	if (!name || !value) {
		free(name);
		free(value);
		return 0;
	}
	for (char *c = name; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	r->headers[r->nheaders].name = name;
	r->headers[r->nheaders].value = value;
	r->nheaders++;
	return k;
}

static const char *header(const skill_http_response_t *pub, const char *name)
{
	if (!pub || !name)
		return NULL;
	for (size_t i = 0; i < pub->header_count; i++)
		if (!strcasecmp(pub->headers[i].name, name))
			return pub->headers[i].value;
	return NULL;
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c,
                       curl_off_t d)
{
	(void)a, (void)b, (void)c, (void)d;
	return call_is_cancelled(ud);
}

/* ---- requests ---- */

static int valid_method(const char *m)
{
	size_t n = m ? strlen(m) : 0;

	if (n == 0 || n > 16)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)m[i]))
			return 0;
	return 1;
}

static int idempotent(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "PUT") ||
	       !strcmp(m, "DELETE") || !strcmp(m, "OPTIONS");
}

static int valid_header(const skill_http_header_t *h)
{
	if (!h->name || !h->value || !*h->name)
		return 0;
	for (const char *c = h->name; *c; c++)
		if (!isgraph((unsigned char)*c) || *c == ':')
			return 0;
	/* No CR or LF: a skill must not smuggle extra headers in. */
	return !strpbrk(h->value, "\r\n");
}

/* Headers that carry credentials: they go only to the origin the skill
 * addressed, never on to another one a redirect names. */
static int credential_header(const char *name)
{
	return !strcasecmp(name, "authorization") ||
	       !strcasecmp(name, "proxy-authorization") ||
	       !strcasecmp(name, "cookie");
}

/* The request's headers as a curl list, without the credential headers
 * when strip is set. */
static skill_status build_headers(const skill_http_request_t *req, int strip,
                                  struct curl_slist **out)
{
	struct curl_slist *hdrs = NULL;

	*out = NULL;
	for (size_t i = 0; i < req->header_count; i++) {
		char line[8192];
		struct curl_slist *n;
		if (!valid_header(&req->headers[i]) ||
		    snprintf(line, sizeof line, "%s: %s", req->headers[i].name,
		             req->headers[i].value) >= (int)sizeof line) {
			curlapi()->slist_free_all(hdrs);
			return SKILL_ERR_ARGS;
		}
		if (strip && credential_header(req->headers[i].name))
			continue;
		if (!(n = curlapi()->slist_append(hdrs, line))) {
			curlapi()->slist_free_all(hdrs);
			return SKILL_ERR_NOMEM;
		}
		hdrs = n;
	}
	*out = hdrs;
	return SKILL_OK;
}

/* A 401 to a request that carried the skill's brokered access token
 * (oauthbroker.h): the token is refreshed and the request made again with
 * it, once, so a token that expired early costs the skill nothing. 1 when
 * req (its headers now *copy, the new value *value, both the caller's to
 * free) and *hdrs are ready to send again. */
static int reauth(skill_call_t *call, skill_http_request_t *req,
                  struct curl_slist **hdrs, skill_http_header_t **copy,
                  char **value)
{
	const struct host_services *svc = call->services;
	struct curl_slist *fresh = NULL;
	skill_http_header_t *c;
	size_t at = req->header_count;
	char *v;

	for (size_t i = 0; i < req->header_count; i++)
		if (!strcasecmp(req->headers[i].name, "authorization"))
			at = i;
	if (at == req->header_count || !svc || !svc->home ||
	    !(v = oauthbroker_after_401(call, svc->home, call->skill_name,
	                                req->headers[at].value)))
		return 0;
	if (!(c = malloc(req->header_count * sizeof *c))) {
		free(v);
		return 0;
	}
	memcpy(c, req->headers, req->header_count * sizeof *c);
	c[at].value = v;
	req->headers = c;
	if (build_headers(req, 0, &fresh) != SKILL_OK) {
		free(c);
		free(v);
		return 0;
	}
	curlapi()->slist_free_all(*hdrs);
	*hdrs = fresh;
	free(*copy);
	if (*value) {
		sodium_memzero(*value, strlen(*value));
		free(*value);
	}
	*copy = c;
	*value = v;
	return 1;
}

/* "scheme://host:port" of u, for comparing origins; NULL on failure. */
static char *origin_of(CURLU *u)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *o = NULL;
	size_t n;

	if (curlapi()->url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curlapi()->url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curlapi()->url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	            CURLUE_OK &&
	    (o = malloc(n = strlen(scheme) + strlen(host) + strlen(port) + 5)))
		snprintf(o, n, "%s://%s:%s", scheme, host, port);
	curlapi()->free(scheme);
	curlapi()->free(host);
	curlapi()->free(port);
	return o;
}

/* Host and port of url; 0 unless it is an absolute http(s) URL. */
static int target_of(CURLU *u, char **host, int *port)
{
	char *scheme = NULL, *portstr = NULL;
	int ok = 0;

	*host = NULL;
	if (curlapi()->url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (!strcmp(scheme, "http") || !strcmp(scheme, "https")) &&
	    curlapi()->url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK &&
	    curlapi()->url_get(u, CURLUPART_PORT, &portstr,
	                       CURLU_DEFAULT_PORT) == CURLUE_OK) {
		*port = atoi(portstr);
		ok = 1;
	}
	curlapi()->free(scheme);
	curlapi()->free(portstr);
	if (!ok) {
		curlapi()->free(*host);
		*host = NULL;
	}
	return ok;
}

static void deny(skill_call_t *call, const char *host, int port)
{
	char msg[600];

	snprintf(msg, sizeof msg,
	         "request to %s:%d denied: it is not in the skill's manifest "
	         "(permissions.network) nor allowed by the operator; to allow "
	         "it run `skillhost permit %s %s`",
	         host, port, call->skill_name ? call->skill_name : "SKILL",
	         host);
	call_log(call, SKILL_LOG_ERROR, msg);
	call_note(call, msg);
}

/* Milliseconds to wait per Retry-After (seconds or an HTTP date). */
static int64_t retry_after_ms(const char *v)
{
	char *end;
	long long secs;

	if (!v)
		return -1;
	secs = strtoll(v, &end, 10);
	if (end != v && *end == '\0')
		return secs < 0 ? 0 : secs * 1000;
	{
		time_t t = curlapi()->getdate(v, NULL);
		if (t < 0)
			return -1;
		return t > time(NULL) ? (int64_t)(t - time(NULL)) * 1000 : 0;
	}
}

/* Sleep ms unless the call is cancelled first; 0 when cancelled. */
static int pause_ms(skill_call_t *call, int64_t ms)
{
	while (ms > 0) {
		struct timespec ts = {0, 10L * 1000000};
		if (call_is_cancelled(call))
			return 0;
		nanosleep(&ts, NULL);
		ms -= 10;
	}
	return !call_is_cancelled(call);
}

/* The most bytes of unfreed responses call may hold: the operator's
 * http-memory policy, or the default. */
static size_t call_budget(const skill_call_t *call)
{
	const struct host_services *svc = call->services;
	uint64_t v = config_parse_size(config_policy(
	        svc ? svc->config : NULL, call->skill_name, "http-memory"));

	return v ? (size_t)v : (size_t)HTTPSVC_CALL_MEMORY_DEFAULT;
}

/* Say why a request failed on the call's HTTP memory limit: url's
 * response needed more than the left bytes the budget had (url NULL: the
 * budget was spent before the request). */
static void budget_exhausted(skill_call_t *call, const char *url, size_t left)
{
	char msg[900];
	const char *skill = call->skill_name ? call->skill_name : "SKILL";
	int n = url ? snprintf(msg, sizeof msg,
	                       "the response from %s is larger than the %zu "
	                       "bytes left of this call's HTTP memory: ",
	                       url, left)
	            : snprintf(msg, sizeof msg, "request refused: ");

	snprintf(msg + n, sizeof msg - (size_t)n,
	         "the call holds %zu bytes of HTTP responses it has not freed, "
	         "at its limit of %zu; free each response with "
	         "response_free() when done with it, or the operator can "
	         "raise the limit: `skillhost config %s http-memory 256M`",
	         call->http_held, call_budget(call), skill);
	call_log(call, SKILL_LOG_ERROR, msg);
	call_note(call, msg);
}

static skill_status perform(skill_call_t *call, const char *method,
                            const char *url, struct curl_slist *hdrs,
                            const skill_http_request_t *req, int64_t timeout_ms,
                            struct egress_ctx *x, struct response *r,
                            long *status)
{
	CURL *h = curlapi()->easy_init();
	struct curl_slist *pins = NULL;
	CURLcode cc;
	char err[CURL_ERROR_SIZE] = "";
	char msg[CURL_ERROR_SIZE + 200];

	if (!h)
		return SKILL_ERR_NOMEM;
	curlapi()->easy_setopt(h, CURLOPT_URL, url);
	curlapi()->easy_setopt(h, CURLOPT_SHARE, share);
	curlapi()->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curlapi()->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curlapi()->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curlapi()->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                       (long)HTTPSVC_CONNECT_TIMEOUT_MS);
	curlapi()->easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curlapi()->easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curlapi()->easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curlapi()->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curlapi()->easy_setopt(h, CURLOPT_WRITEDATA, r);
	curlapi()->easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curlapi()->easy_setopt(h, CURLOPT_HEADERDATA, r);
	curlapi()->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curlapi()->easy_setopt(h, CURLOPT_XFERINFODATA, call);
	curlapi()->easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curlapi()->easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	curlapi()->easy_setopt(h, CURLOPT_USERAGENT,
	                       "skillhost/" SKILLHOST_VERSION);
	x->refused[0] = '\0';
	x->connected = x->aborted = 0;
	curlapi()->easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_opensocket);
	curlapi()->easy_setopt(h, CURLOPT_OPENSOCKETDATA, x);
	curlapi()->easy_setopt(h, CURLOPT_PREREQDATA, x);
	if (curlapi()->easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq) !=
	    CURLE_OK)
		/* Before libcurl 7.80 a reused connection cannot be checked:
		 * open a new one, which on_opensocket checks. */
		curlapi()->easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	if ((pins = resolve_map()))
		curlapi()->easy_setopt(h, CURLOPT_RESOLVE, pins);
	if (!strcmp(method, "HEAD"))
		curlapi()->easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") || req->body)
		/* A body makes curl say POST; keep the method asked for. */
		curlapi()->easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (req->body || strcmp(method, "GET")) {
		if (req->body || !strcmp(method, "POST") ||
		    !strcmp(method, "PUT") || !strcmp(method, "PATCH")) {
			curlapi()->easy_setopt(h, CURLOPT_POSTFIELDS,
			                       req->body ? req->body : "");
			curlapi()->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
			                       (curl_off_t)req->body_len);
		}
	}
	cc = curlapi()->easy_perform(h);
	curlapi()->easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curlapi()->easy_cleanup(h);
	curlapi()->slist_free_all(pins);
	if (cc == CURLE_OK)
		return SKILL_OK;
	if (x->refused[0] && (x->aborted || !x->connected)) {
		call_log(call, SKILL_LOG_ERROR, x->refused);
		call_note(call, x->refused);
		return SKILL_ERR_DENIED;
	}
	if (r->overflow && r->over_budget) {
		budget_exhausted(call, url, r->max);
		return SKILL_ERR_NOMEM;
	}
	if (r->overflow) {
		snprintf(msg, sizeof msg,
		         "the response from %s is larger than the cap of %zu "
		         "bytes",
		         url, r->max);
		call_log(call, SKILL_LOG_ERROR, msg);
		return SKILL_ERR_NOMEM;
	}
	if (cc == CURLE_ABORTED_BY_CALLBACK && call_is_cancelled(call))
		return call_remaining_ms(call) == 0 ? SKILL_ERR_TIMEOUT
		                                    : SKILL_ERR_CANCELLED;
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(msg, sizeof msg, "request to %s timed out: %s", url,
		         err[0] ? err : curlapi()->easy_strerror(cc));
		call_log(call, SKILL_LOG_WARNING, msg);
		return SKILL_ERR_TIMEOUT;
	}
	snprintf(msg, sizeof msg, "request to %s failed: %s", url,
	         err[0] ? err : curlapi()->easy_strerror(cc));
	call_log(call, SKILL_LOG_WARNING, msg);
	if (x->refused[0]) /* some addresses were refused, others failed */
		call_log(call, SKILL_LOG_WARNING, x->refused);
	return SKILL_ERR_IO;
}

/* What r costs the host while the skill holds it. */
static size_t cost_of(const struct response *r)
{
	size_t n = sizeof *r + r->cap + r->cap_headers * sizeof *r->headers +
	           (r->final_url ? strlen(r->final_url) + 1 : 0);

	for (size_t i = 0; i < r->nheaders; i++)
		n += strlen(r->headers[i].name) + strlen(r->headers[i].value) +
		     2;
	/* Allocator overhead makes many tiny responses cost more than their
	 * bytes: count each as at least the minimum. */
	return n > HTTPSVC_RESPONSE_MIN_COST ? n : HTTPSVC_RESPONSE_MIN_COST;
}

static skill_status request(skill_call_t *call, const skill_http_request_t *in,
                            const skill_http_response_t **out)
{
	struct egress_ctx egress = {0};
	size_t budget;
	skill_http_request_t req;
	struct sh_error load_err;
	struct curl_slist *hdrs = NULL;
	struct response *r = NULL;
	CURLU *u = NULL;
	char *url = NULL, *host = NULL;
	char method[17];
	skill_status st = SKILL_OK;
	int port = 0, redirects = 0, retries = 0, reauthed = 0;
	skill_http_header_t *swapped = NULL;
	char *auth_value = NULL;
	long status = 0;

	if (!out)
		return SKILL_ERR_ARGS;
	*out = NULL;
	if (!in || in->struct_size <
	                   offsetof(skill_http_request_t, max_response_bytes) +
	                           sizeof(in->max_response_bytes))
		return SKILL_ERR_ARGS;
	memset(&req, 0, sizeof req);
	memcpy(&req, in,
	       in->struct_size < sizeof req ? in->struct_size : sizeof req);
	if (!valid_method(req.method) || !req.url ||
	    (req.header_count && !req.headers) || (req.body_len && !req.body))
		return SKILL_ERR_ARGS;
	snprintf(method, sizeof method, "%s", req.method);
	if (curlapi_load(&load_err) != SH_OK) {
		call_log(call, SKILL_LOG_ERROR, load_err.msg);
		return SKILL_ERR_UNSUPPORTED;
	}
	pthread_once(&once, init_once);
	if ((st = build_headers(&req, 0, &hdrs)) != SKILL_OK)
		goto out;
	r = calloc(1, sizeof *r);
	u = curlapi()->url();
	if (!r || !u) {
		st = SKILL_ERR_NOMEM;
		goto out;
	}
	r->d.release = release;
	r->max = req.max_response_bytes > 0 && req.max_response_bytes <=
	                                               HTTPSVC_HARD_MAX_BYTES
	                 ? (size_t)req.max_response_bytes
	                 : (size_t)HTTPSVC_DEFAULT_MAX_BYTES;
	/* Responses stay in the host until the skill frees them or the call
	 * ends: a skill that never frees would otherwise grow the host
	 * without bound. The response being read counts against what is
	 * left (its headers and bookkeeping are small next to the body). */
	budget = call_budget(call);
	if (call->http_held + HTTPSVC_RESPONSE_MIN_COST > budget) {
		budget_exhausted(call, NULL, 0);
		st = SKILL_ERR_NOMEM;
		goto out;
	}
	if (r->max > budget - call->http_held - HTTPSVC_RESPONSE_MIN_COST) {
		r->max = budget - call->http_held - HTTPSVC_RESPONSE_MIN_COST;
		r->over_budget = 1;
	}
	egress.call = call;
	egress.checked = call->perms != NULL;
	egress.permits = config_policy(
	        call->services
	                ? ((const struct host_services *)call->services)->config
	                : NULL,
	        call->skill_name, "network");
	if (curlapi()->url_set(u, CURLUPART_URL, req.url, 0) != CURLUE_OK ||
	    !target_of(u, &host, &port)) {
		call_log(call, SKILL_LOG_ERROR,
		         "the request URL must be an absolute http:// or "
		         "https:// URL");
		st = SKILL_ERR_ARGS;
		goto out;
	}
	for (;;) {
		int64_t timeout = req.timeout_ms > 0
		                          ? req.timeout_ms
		                          : HTTPSVC_DEFAULT_TIMEOUT_MS;
		int64_t left = call_remaining_ms(call);
		const char *loc, *ra;

		if (!httpsvc_allowed(call, host, port)) {
			deny(call, host, port);
			st = SKILL_ERR_DENIED;
			goto out;
		}
		if (left != SKILL_NO_DEADLINE && left < timeout)
			timeout = left;
		if (timeout <= 0) {
			st = SKILL_ERR_TIMEOUT;
			goto out;
		}
		curlapi()->free(url);
		url = NULL;
		if (curlapi()->url_get(u, CURLUPART_URL, &url, 0) !=
		    CURLUE_OK) {
			st = SKILL_ERR_ARGS;
			goto out;
		}
		reset(r);
		egress.host = host;
		st = perform(call, method, url, hdrs, &req, timeout, &egress, r,
		             &status);
		if (st != SKILL_OK)
			goto out;
		r->pub.headers = r->headers;
		r->pub.header_count = r->nheaders;
		if (status == 401 && !reauthed && !redirects &&
		    reauth(call, &req, &hdrs, &swapped, &auth_value)) {
			reauthed = 1;
			continue;
		}
		loc = header(&r->pub, "location");
		if (status >= 300 && status < 400 && status != 304 && loc &&
		    redirects < HTTPSVC_MAX_REDIRECTS) {
			/* Each hop is checked against the allowlist at the top
			 * of the loop, so a redirect cannot leave it. */
			char *from = origin_of(u), *to;
			int moved;
			if (curlapi()->url_set(u, CURLUPART_URL, loc, 0) !=
			    CURLUE_OK) {
				free(from);
				st = SKILL_ERR_IO;
				goto out;
			}
			curlapi()->free(host);
			if (!target_of(u, &host, &port)) {
				free(from);
				call_log(call, SKILL_LOG_ERROR,
				         "a redirect left http(s); refused");
				st = SKILL_ERR_DENIED;
				goto out;
			}
			to = origin_of(u);
			moved = !from || !to || strcasecmp(from, to);
			free(from);
			free(to);
			if (moved) {
				/* Another origin gets no credentials (as when
				 * curl follows redirects itself). */
				curlapi()->slist_free_all(hdrs);
				if ((st = build_headers(&req, 1, &hdrs)) !=
				    SKILL_OK)
					goto out;
			}
			if (status == 303 ||
			    ((status == 301 || status == 302) &&
			     !strcmp(method, "POST"))) {
				snprintf(method, sizeof method, "GET");
				req.body = NULL;
				req.body_len = 0;
			}
			redirects++;
			continue;
		}
		ra = header(&r->pub, "retry-after");
		if ((status == 429 || status == 503) && idempotent(method) &&
		    retries < HTTPSVC_MAX_RETRIES) {
			int64_t wait = retry_after_ms(ra);
			if (wait < 0)
				wait = 250LL << retries; /* no hint: back off */
			left = call_remaining_ms(call);
			if (wait <= HTTPSVC_RETRY_AFTER_MAX_MS &&
			    (left == SKILL_NO_DEADLINE || wait < left)) {
				retries++;
				if (!pause_ms(call, wait)) {
					st = SKILL_ERR_CANCELLED;
					goto out;
				}
				continue;
			}
		}
		break;
	}
	if (!r->body && !(r->body = malloc(1))) {
		st = SKILL_ERR_NOMEM;
		goto out;
	}
	if (r->cap > r->len + 1) {
		/* Give back the growth slack: the skill may hold this for the
		 * rest of the call, and it is what the budget counts. */
		char *fit = realloc(r->body, r->len + 1);
		if (fit) {
			r->body = fit;
			r->cap = r->len + 1;
		}
	}
	r->body[r->len] = '\0';
	r->final_url = strdup(url);
	r->charged = cost_of(r);
	call->http_held += r->charged;
	r->pub.struct_size = sizeof r->pub;
	r->pub.status = (int)status;
	r->pub.body = r->body;
	r->pub.body_len = r->len;
	r->pub.final_url = r->final_url ? r->final_url : "";
	call_defer(call, &r->d);
	*out = &r->pub;
	r = NULL;
out:
	if (r)
		release(&r->d);
	curlapi()->slist_free_all(hdrs);
	curlapi()->url_cleanup(u);
	curlapi()->free(url);
	curlapi()->free(host);
	free(swapped);
	if (auth_value) {
		sodium_memzero(auth_value, strlen(auth_value));
		free(auth_value);
	}
	return st;
}

static void response_free(skill_call_t *call, const skill_http_response_t *resp)
{
	struct response *r;
	size_t charged;

	if (!resp)
		return;
	r = (struct response *)(void *)((char *)resp -
	                                offsetof(struct response, pub));
	charged = r->charged;
	if (call_release(call, &r->d))
		call->http_held -=
		        charged < call->http_held ? charged : call->http_held;
}

const skill_ext_http_t httpsvc_ext = {
        .struct_size = sizeof(skill_ext_http_t),
        .request = request,
        .response_free = response_free,
        .header = header,
};
