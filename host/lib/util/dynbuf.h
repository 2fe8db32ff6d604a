/*
 * dynbuf.h - the one growable byte buffer of libskillhost.
 *
 * What: a buffer that grows as bytes are appended, always NUL-terminated
 * (so text can be read as a C string while binary data may hold NULs), and
 * bounded: each buffer is given the most bytes it may ever hold, so input
 * from outside (a response, an archive, a pattern) cannot make it grow
 * without end. Modelled on curl's dynbuf.
 *
 * Errors are sticky: once an append fails (out of memory, or the bound
 * would be passed) the buffer keeps what it held before that append,
 * refuses every later append with the same status, and dyn_error() says
 * so. Builders can therefore append without checking each call and check
 * once at the end. dyn_reset() clears the error.
 *
 * Layer: util; depends only on libc and status.h.
 * Threads: [any] a buffer is owned by one thread at a time.
 */
#ifndef SH_DYNBUF_H
#define SH_DYNBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "status.h"

struct dynbuf {
	char *buf;     /* NULL until the first append; NUL-terminated after */
	size_t len;    /* bytes held, not counting the terminating NUL */
	size_t cap;    /* bytes allocated, the NUL included */
	size_t max;    /* the most bytes it may hold, the NUL not included */
	sh_status err; /* SH_OK, or the status of the first failed append */
	int too_big;   /* the failure was the bound, not memory */
};

/* A static initializer: struct dynbuf b = DYN_INIT(max); */
#define DYN_INIT(max_bytes)                                                    \
	{                                                                      \
		NULL, 0, 0, (max_bytes), SH_OK, 0                              \
	}

/* Make b empty with bound max (bytes, the NUL not counted). Allocates
 * nothing. */
void dyn_init(struct dynbuf *b, size_t max);

/* Append n bytes at p (which may hold NULs). SH_OK, or SH_ERR_NOMEM when
 * out of memory or when b would hold more than its bound; either way the
 * failure sticks (see above). */
sh_status dyn_addn(struct dynbuf *b, const void *p, size_t n);

/* Append the C string s. */
sh_status dyn_add(struct dynbuf *b, const char *s);

/* Append one byte. */
sh_status dyn_addc(struct dynbuf *b, char ch);

/* Append printf-style formatted text; the result is not cut: it fits
 * whole or the append fails. */
sh_status dyn_addf(struct dynbuf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
sh_status dyn_vaddf(struct dynbuf *b, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));

/* The bytes held, NUL-terminated: "" (a static empty string) when b holds
 * nothing yet. Valid until the next append, take or free. */
const char *dyn_ptr(const struct dynbuf *b);

static inline size_t dyn_len(const struct dynbuf *b)
{
	return b->len;
}

/* SH_OK, or the status of the first failed append since init or reset. */
static inline sh_status dyn_error(const struct dynbuf *b)
{
	return b->err;
}

/* Empty b, keeping its memory and bound, and clear a sticky error. */
void dyn_reset(struct dynbuf *b);

/* Hand the bytes to the caller, who frees them with free(); *len (when
 * not NULL) gets their length. b is left empty, as after dyn_init with
 * the same bound. Returns NULL when the buffer is in error (whatever it
 * held is freed) or when allocating an empty string fails; a buffer that
 * never grew yields an allocated "". */
char *dyn_take(struct dynbuf *b, size_t *len);

/* Free the bytes; b is left empty and usable, with the same bound. */
void dyn_free(struct dynbuf *b);

#endif /* SH_DYNBUF_H */
