/*
 * xmlw.c - output buffer and XML escaping. See xmlw.h.
 */
#include "xmlw.h"

#include <stdlib.h>
#include <string.h>

/* The first allocation; generous enough that most slide parts never grow. */
#define XB_INITIAL_CAP 4096

void xb_init(struct xbuf *b, size_t limit)
{
	memset(b, 0, sizeof *b);
	b->limit = limit;
}

void xb_free(struct xbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void xb_reset(struct xbuf *b)
{
	b->len = 0;
	b->failed = 0;
}

int xb_failed(const struct xbuf *b)
{
	return b->failed;
}

static int xb_reserve(struct xbuf *b, size_t n)
{
	size_t want, ncap;
	char *np;

	if (b->failed)
		return -1;
	if (n > SIZE_MAX - b->len - 1 || (b->limit && b->len + n > b->limit)) {
		b->failed = 1;
		return -1;
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : XB_INITIAL_CAP;
	while (ncap < want)
		ncap = ncap > SIZE_MAX / 2 ? want : ncap * 2;
	np = realloc(b->p, ncap);
	if (!np) {
		b->failed = 1;
		return -1;
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

void xb_put(struct xbuf *b, const void *data, size_t n)
{
	if (n == 0 || xb_reserve(b, n) != 0)
		return;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void xb_puts(struct xbuf *b, const char *s)
{
	xb_put(b, s, strlen(s));
}

void xb_putc(struct xbuf *b, char c)
{
	xb_put(b, &c, 1);
}

void xb_putu(struct xbuf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof tmp;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	xb_put(b, tmp + i, sizeof tmp - i);
}

void xb_puti(struct xbuf *b, int64_t v)
{
	if (v < 0) {
		xb_putc(b, '-');
		xb_putu(b, (uint64_t)0 - (uint64_t)v);
	} else {
		xb_putu(b, (uint64_t)v);
	}
}

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

int xml_char_ok(uint32_t cp)
{
	if (cp < 0x20)
		return cp == 0x09 || cp == 0x0A || cp == 0x0D;
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
	return cp != 0xFFFE && cp != 0xFFFF && cp <= 0x10FFFF;
}

void xb_put_utf8(struct xbuf *b, uint32_t cp)
{
	char u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		xb_put(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		xb_put(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		xb_put(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		xb_put(b, u, 4);
	}
}

static void xb_escape(struct xbuf *b, const char *str, size_t n, int attr)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	/* Copy runs of plain bytes in one go: escaping is on the hot path of
	 * every generated slide. */
	while (i < n) {
		unsigned char c = s[i];
		const char *rep = NULL;
		size_t skip = 1;
		uint32_t cp;

		if (c >= 0x80) {
			skip = utf8_decode(s + i, n - i, &cp);
			if (skip && xml_char_ok(cp)) {
				i += skip;
				continue;
			}
			rep = "";
			if (!skip)
				skip = 1;
		} else if (c == '&') {
			rep = "&amp;";
		} else if (c == '<') {
			rep = "&lt;";
		} else if (c == '>') {
			rep = "&gt;";
		} else if (c == '"' && attr) {
			rep = "&quot;";
		} else if (c == '\n' && attr) {
			rep = "&#10;";
		} else if (c == '\t' && attr) {
			rep = "&#9;";
		} else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
			/* C0 controls are not XML; DEL is allowed by XML 1.0
			 * but PowerPoint shows it as a box: drop both. */
			rep = "";
		}
		if (!rep) {
			i++;
			continue;
		}
		xb_put(b, s + run, i - run);
		xb_puts(b, rep);
		i += skip;
		run = i;
	}
	xb_put(b, s + run, i - run);
}

void xb_esc_text(struct xbuf *b, const char *s, size_t n)
{
	xb_escape(b, s, n, 0);
}

void xb_esc_attr(struct xbuf *b, const char *s, size_t n)
{
	xb_escape(b, s, n, 1);
}
