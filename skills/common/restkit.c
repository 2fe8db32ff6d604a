/*
 * restkit.c - shared helpers of the REST skills. See restkit.h.
 */
#include "restkit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* First secret read: most tokens fit; longer ones are read again. */
#define SECRET_FIRST_CAP 512

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

void rk_put_clean(struct sbuf *b, const char *s, size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = b->len, i = 0;
	int space = 1; /* drop leading white space */

	while (i < n) {
		size_t k = utf8_len(u + i, n - i);
		const char *piece = s + i;
		size_t plen = k;

		if (k == 1 && (u[i] < 0x20 || u[i] == 0x7F || u[i] == ' ')) {
			i++;
			if (!space) {
				space = 1;
				sb_putc(b, ' ');
			}
			continue;
		}
		if (k == 0) {
			piece = "\xEF\xBF\xBD"; /* U+FFFD */
			plen = 3;
			k = 1;
		}
		if (b->len - start + plen > max) {
			sb_puts(b, "...");
			return;
		}
		sb_put(b, piece, plen);
		space = 0;
		i += k;
	}
	if (space && b->len > start)
		sb_trim(b, 1);
}

static const char *find_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (!strncasecmp(s + i, needle, k))
			return s + i;
	return NULL;
}

int rk_is_html(const char *body, size_t len, const char *content_type)
{
	size_t i = 0;
	size_t head = len < 512 ? len : 512;

	if (content_type && strcasestr(content_type, "html"))
		return 1;
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	return i < len && body[i] == '<' &&
	       (find_ci(body, head, "<html") ||
	        find_ci(body, head, "<!doctype") ||
	        find_ci(body, head, "<head") || find_ci(body, head, "<body") ||
	        find_ci(body, head, "<title"));
}

/* Append HTML text with tags removed and the common entities decoded. */
static void strip_tags(struct sbuf *out, const char *s, size_t n)
{
	static const struct {
		const char *e;
		char c;
	} ents[] = {{"&amp;", '&'},  {"&lt;", '<'},   {"&gt;", '>'},
	            {"&quot;", '"'}, {"&#39;", '\''}, {"&nbsp;", ' '}};
	size_t i = 0;

	while (i < n) {
		if (s[i] == '<') {
			/* Scripts and styles are not text: skip to the end of
			 * their closing tag. */
			static const char *const skip[] = {"<script", "<style"};
			size_t j = i + 1;
			const char *gt;
			for (size_t k = 0; k < 2; k++) {
				size_t kl = strlen(skip[k]);
				if (i + kl <= n &&
				    !strncasecmp(s + i, skip[k], kl)) {
					char close[16];
					const char *end;
					snprintf(close, sizeof close, "</%s",
					         skip[k] + 1);
					end = find_ci(s + i, n - i, close);
					j = end ? (size_t)(end - s) + 1 : n;
					break;
				}
			}
			gt = j < n ? memchr(s + j, '>', n - j) : NULL;
			i = gt ? (size_t)(gt - s) + 1 : n;
			sb_putc(out, ' ');
			continue;
		}
		if (s[i] == '&') {
			size_t k;
			for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
				size_t el = strlen(ents[k].e);
				if (i + el <= n &&
				    !strncmp(s + i, ents[k].e, el)) {
					sb_putc(out, ents[k].c);
					i += el;
					break;
				}
			}
			if (k < sizeof ents / sizeof ents[0])
				continue;
		}
		sb_putc(out, s[i++]);
	}
}

void rk_put_html_text(struct sbuf *b, const char *body, size_t len, size_t max)
{
	const char *t = find_ci(body, len, "<title");
	struct sbuf text;

	sb_init(&text, 0);
	if (t) {
		const char *gt = memchr(t, '>', len - (size_t)(t - body));
		const char *end =
		        gt ? find_ci(gt, len - (size_t)(gt - body), "</title")
		           : NULL;
		if (gt && end)
			strip_tags(&text, gt + 1, (size_t)(end - gt - 1));
	}
	{
		/* A title of only white space says nothing: use the page. */
		size_t k = 0;
		while (k < text.len && isspace((unsigned char)text.p[k]))
			k++;
		if (k == text.len) {
			const char *bs = find_ci(body, len, "<body");
			sb_trim(&text, text.len);
			if (bs)
				strip_tags(&text, bs,
				           len - (size_t)(bs - body));
			else
				strip_tags(&text, body, len);
		}
	}
	if (sb_failed(&text))
		b->failed = 1;
	else
		rk_put_clean(b, sb_str(&text), text.len, max);
	sb_free(&text);
}

void rk_put_body_text(struct sbuf *b, const char *body, size_t len,
                      const char *content_type)
{
	if (!body || !len)
		return;
	if (rk_is_html(body, len, content_type))
		rk_put_html_text(b, body, len, RK_QUOTE_MAX);
	else
		rk_put_clean(b, body, len, RK_QUOTE_MAX);
}

int64_t rk_secret(const skill_ext_secrets_t *sec, skill_call_t *call,
                  const char *name, char **out)
{
	size_t cap = SECRET_FIRST_CAP;
	char *buf = malloc(cap);
	int64_t n;

	*out = NULL;
	if (!buf)
		return -3;
	n = sec->get(call, name, buf, cap);
	if (n >= (int64_t)cap) {
		/* Longer than the first guess: read it again, whole. */
		explicit_bzero(buf, cap);
		free(buf);
		cap = (size_t)n + 1;
		if (!(buf = malloc(cap)))
			return -3;
		n = sec->get(call, name, buf, cap);
		if (n >= (int64_t)cap)
			n = -1; /* changed under us: treat as unset */
	}
	if (n < 0) {
		explicit_bzero(buf, cap);
		free(buf);
		return n;
	}
	{
		/* Tokens never hold white space at their ends; a pasted
		 * "\r\n" would make an invalid header. */
		size_t lead = 0, len = (size_t)n;
		while (lead < len && isspace((unsigned char)buf[lead]))
			lead++;
		while (len > lead && isspace((unsigned char)buf[len - 1]))
			len--;
		memmove(buf, buf + lead, len - lead);
		explicit_bzero(buf + (len - lead), cap - (len - lead));
		n = (int64_t)(len - lead);
	}
	*out = buf;
	return n;
}

void rk_secret_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static int loopback(const char *host)
{
	return !strcasecmp(host, "localhost") || !strcmp(host, "::1") ||
	       !strncmp(host, "127.", 4);
}

/* Split an absolute URL: scheme length (to "://"), host into host[], and
 * where the path starts. 0 when it is not an http(s) URL. */
static int split_url(const char *url, int *https, char *host, size_t cap,
                     const char **path, int *userinfo, int *bad_port)
{
	const char *a, *end, *h, *he;
	size_t n;

	*userinfo = *bad_port = 0;
	if (!strncasecmp(url, "https://", 8)) {
		*https = 1;
		a = url + 8;
	} else if (!strncasecmp(url, "http://", 7)) {
		*https = 0;
		a = url + 7;
	} else {
		return 0;
	}
	end = a + strcspn(a, "/?#");
	if (memchr(a, '@', (size_t)(end - a)))
		*userinfo = 1;
	h = a;
	if (*h == '[') {
		he = memchr(h, ']', (size_t)(end - h));
		if (!he)
			return 0;
		h++;
	} else {
		he = memchr(h, ':', (size_t)(end - h));
		if (!he)
			he = end;
	}
	n = (size_t)(he - h);
	if (n == 0 || n >= cap)
		return 0;
	memcpy(host, h, n);
	host[n] = '\0';
	{
		const char *p = *a == '[' ? he + 1 : he;
		if (p < end) {
			long port = 0;
			if (*p != ':' || p + 1 == end)
				*bad_port = 1;
			for (p++; p < end; p++) {
				if (*p < '0' || *p > '9' || port > 65535) {
					*bad_port = 1;
					break;
				}
				port = port * 10 + (*p - '0');
			}
			if (port < 1 || port > 65535)
				*bad_port = 1;
		}
	}
	*path = end;
	return 1;
}

void rk_url_host(const char *url, char *out, size_t cap)
{
	const char *path;
	int https, ui, bp;

	if (!cap)
		return;
	if (!url || !split_url(url, &https, out, cap, &path, &ui, &bp))
		out[0] = '\0';
}

int rk_base_url(const char *url, char *out, size_t cap, struct sbuf *why)
{
	char host[256];
	const char *path;
	int https, userinfo, bad_port;
	size_t n;

	for (const char *p = url; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7F) {
			sb_puts(why, "it contains white space or control "
			             "characters");
			return 0;
		}
	}
	if (!split_url(url, &https, host, sizeof host, &path, &userinfo,
	               &bad_port)) {
		sb_puts(why, "it is not an absolute https:// URL with a host "
		             "name");
		return 0;
	}
	if (userinfo) {
		sb_puts(why, "it contains a user name or password; put "
		             "credentials in their own secrets instead");
		return 0;
	}
	if (bad_port) {
		sb_puts(why, "its port is not a number from 1 to 65535");
		return 0;
	}
	if (strpbrk(path, "?#")) {
		sb_puts(why, "it has a query or a fragment; give only the "
		             "site's address");
		return 0;
	}
	if (!https && !loopback(host)) {
		sb_puts(why, "it uses http://, which would send the "
		             "credentials unencrypted; use https://");
		return 0;
	}
	n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	if (n >= cap || n >= RK_URL_MAX) {
		sb_puts(why, "it is too long");
		return 0;
	}
	memcpy(out, url, n);
	out[n] = '\0';
	return 1;
}

void rk_put_transport_error(struct sbuf *b, skill_status st,
                            const char *service, const char *skill,
                            const char *method, const char *url)
{
	char host[256];
	size_t ulen = strcspn(url, "?");

	rk_url_host(url, host, sizeof host);
	switch (st) {
	case SKILL_ERR_DENIED:
		sb_printf(
		        b,
		        "skillhost refused to send %s %.*s: %s is not in the "
		        "hosts %s may reach, or it (or a redirect) leads to "
		        "a loopback, private or metadata address; skillhost's "
		        "log names the host, address and rule. If %s is the "
		        "right address, the operator can allow it with "
		        "`skillhost permit %s %s` (or the address the log "
		        "names); otherwise correct the configured URL.",
		        method, (int)ulen, url, host, skill, host, skill, host);
		break;
	case SKILL_ERR_TIMEOUT:
		sb_printf(
		        b,
		        "%s did not answer %s %.*s in time. Try again, or ask "
		        "for less (fewer results or fields).",
		        service, method, (int)ulen, url);
		break;
	case SKILL_ERR_NOMEM:
		sb_printf(b,
		          "%s's answer to %s %.*s is larger than skillhost "
		          "accepts; ask for fewer results or fields.",
		          service, method, (int)ulen, url);
		break;
	case SKILL_ERR_CANCELLED: sb_puts(b, "The call was cancelled."); break;
	case SKILL_ERR_ARGS:
		sb_printf(
		        b,
		        "skillhost could not send %s %.*s (a malformed URL or "
		        "header); check the configured URL.",
		        method, (int)ulen, url);
		break;
	default:
		sb_printf(b,
		          "Could not reach %s at %.*s (a network or TLS error; "
		          "skillhost's log says which). Check the configured "
		          "URL and the network, then try again.",
		          service, (int)ulen, url);
		break;
	}
}

void rk_put_base64(struct sbuf *b, const void *data, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = data;
	char q[4];

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = tab[v >> 18];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		sb_put(b, q, 4);
	}
	explicit_bzero(q, sizeof q);
}

void rk_put_form(struct sbuf *b, const char *name, const char *value)
{
	if (b->len)
		sb_putc(b, '&');
	sb_put_pct(b, name);
	sb_putc(b, '=');
	sb_put_pct(b, value);
}

long rk_retry_after(const skill_ext_http_t *http,
                    const skill_http_response_t *resp)
{
	const char *v = http->header(resp, "retry-after");
	char *end;
	long secs;
	struct tm tm;

	if (!v)
		return -1;
	secs = strtol(v, &end, 10);
	if (end != v && *end == '\0')
		return secs < 0 ? 0 : secs;
	/* An HTTP date: how long from now. */
	memset(&tm, 0, sizeof tm);
	end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end && *end == '\0') {
		time_t at = timegm(&tm), now = time(NULL);
		return at > now ? (long)(at - now) : 0;
	}
	return -1;
}
