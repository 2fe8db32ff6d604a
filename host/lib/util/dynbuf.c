/*
 * dynbuf.c - the growable, bounded byte buffer. See dynbuf.h.
 */
#include "dynbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first allocation: small, since most buffers hold a line or two;
 * doubling reaches megabytes in a few steps. */
#define DYN_FIRST_CAP 64

void dyn_init(struct dynbuf *b, size_t max)
{
	b->buf = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = SH_OK;
	b->too_big = 0;
}

static sh_status fail(struct dynbuf *b, int too_big)
{
	b->err = SH_ERR_NOMEM;
	b->too_big = too_big;
	return b->err;
}

/* Room for need more bytes and the NUL. */
static sh_status grow(struct dynbuf *b, size_t need)
{
	size_t want, cap;
	char *p;

	if (need > b->max || b->len > b->max - need)
		return fail(b, 1);
	want = b->len + need + 1;
	if (want <= b->cap)
		return SH_OK;
	cap = b->cap ? b->cap : DYN_FIRST_CAP;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	/* Never allocate more than the bound can use. */
	if (b->max < SIZE_MAX && cap > b->max + 1)
		cap = b->max + 1;
	if (!(p = realloc(b->buf, cap)))
		return fail(b, 0);
	b->buf = p;
	b->cap = cap;
	return SH_OK;
}

sh_status dyn_addn(struct dynbuf *b, const void *p, size_t n)
{
	if (b->err != SH_OK)
		return b->err;
	if (grow(b, n) != SH_OK)
		return b->err;
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return SH_OK;
}

sh_status dyn_add(struct dynbuf *b, const char *s)
{
	return dyn_addn(b, s, strlen(s));
}

sh_status dyn_addc(struct dynbuf *b, char ch)
{
	return dyn_addn(b, &ch, 1);
}

sh_status dyn_vaddf(struct dynbuf *b, const char *fmt, va_list ap)
{
	va_list again;
	size_t room;
	int n;

	if (b->err != SH_OK)
		return b->err;
	/* Format straight into the spare room; only when that is too small,
	 * grow and format once more. */
	room = b->cap > b->len ? b->cap - b->len : 0;
	va_copy(again, ap);
	n = vsnprintf(room ? b->buf + b->len : NULL, room, fmt, ap);
	if (n < 0) {
		va_end(again);
		if (b->buf)
			b->buf[b->len] = '\0';
		return fail(b, 0);
	}
	if ((size_t)n >= room) {
		if (grow(b, (size_t)n) != SH_OK) {
			va_end(again);
			if (b->buf)
				b->buf[b->len] = '\0';
			return b->err;
		}
		vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, again);
	}
	/* Text that fitted the spare room fits the bound too: grow() never
	 * allocates past max + 1. */
	va_end(again);
	b->len += (size_t)n;
	return SH_OK;
}

sh_status dyn_addf(struct dynbuf *b, const char *fmt, ...)
{
	va_list ap;
	sh_status rc;

	va_start(ap, fmt);
	rc = dyn_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *dyn_ptr(const struct dynbuf *b)
{
	return b->buf ? b->buf : "";
}

void dyn_reset(struct dynbuf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
	b->err = SH_OK;
	b->too_big = 0;
}

char *dyn_take(struct dynbuf *b, size_t *len)
{
	char *p = b->buf;
	size_t n = b->len;

	if (b->err != SH_OK) {
		dyn_free(b);
		if (len)
			*len = 0;
		return NULL;
	}
	if (!p)
		p = calloc(1, 1);
	dyn_init(b, b->max);
	if (len)
		*len = p ? n : 0;
	return p;
}

void dyn_free(struct dynbuf *b)
{
	free(b->buf);
	dyn_init(b, b->max);
}
