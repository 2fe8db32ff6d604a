/*
 * sbuf.c - growable strings. See sbuf.h.
 */
#include "sbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SB_MIN_CAP 64

void sb_init(struct sbuf *b, size_t limit)
{
	memset(b, 0, sizeof *b);
	b->limit = limit;
}

void sb_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void sb_wipe(struct sbuf *b)
{
	if (b->p)
		explicit_bzero(b->p, b->cap);
	sb_free(b);
}

int sb_failed(const struct sbuf *b)
{
	return b->failed;
}

const char *sb_str(const struct sbuf *b)
{
	return b->len ? b->p : "";
}

char *sb_steal(struct sbuf *b)
{
	char *p;

	if (b->failed) {
		sb_free(b);
		return NULL;
	}
	p = b->p ? b->p : strdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

static int reserve(struct sbuf *b, size_t n)
{
	size_t cap;
	char *grown;

	if (b->failed)
		return 0;
	if (n > SIZE_MAX / 2 - b->len - 1 ||
	    (b->limit && b->len + n > b->limit)) {
		b->failed = 1;
		return 0;
	}
	if (b->len + n + 1 <= b->cap)
		return 1;
	cap = b->cap ? b->cap : SB_MIN_CAP;
	while (cap < b->len + n + 1)
		cap *= 2;
	grown = realloc(b->p, cap);
	if (!grown) {
		b->failed = 1;
		return 0;
	}
	b->p = grown;
	b->cap = cap;
	return 1;
}

void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (!n || !reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

void sb_putc(struct sbuf *b, char c)
{
	sb_put(b, &c, 1);
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if (!n || !reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sb_put_pct(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			sb_putc(b, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			sb_put(b, e, 3);
		}
	}
}

void sb_trim(struct sbuf *b, size_t n)
{
	b->len = n > b->len ? 0 : b->len - n;
	if (b->p)
		b->p[b->len] = '\0';
}
