/*
 * sbuf.h - a growable byte string with sticky failure.
 *
 * After an allocation failure or a size-cap overrun every later append is a
 * no-op and sb_failed() says so, so builders append freely and check once.
 */
#ifndef JIRA_SBUF_H
#define JIRA_SBUF_H

#include <stddef.h>

struct sbuf {
	char *p; /* NUL-terminated while len > 0 */
	size_t len;
	size_t cap;
	size_t limit; /* 0: no limit beyond memory */
	int failed;
};

void sb_init(struct sbuf *b, size_t limit);
void sb_free(struct sbuf *b);
/* Zero the bytes, then free: for buffers that held a secret. */
void sb_wipe(struct sbuf *b);
int sb_failed(const struct sbuf *b);
/* The text so far ("" when empty); valid until the next append. */
const char *sb_str(const struct sbuf *b);
/* Hand the text over (the caller frees it); NULL after a failure. The
 * buffer is left empty. */
char *sb_steal(struct sbuf *b);

void sb_put(struct sbuf *b, const char *s, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_putc(struct sbuf *b, char c);
void sb_printf(struct sbuf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Append s percent-encoded: everything but RFC 3986 unreserved characters,
 * so it is safe as a path segment or a query value. */
void sb_put_pct(struct sbuf *b, const char *s);
/* Drop the last n bytes (all of them when n > len). */
void sb_trim(struct sbuf *b, size_t n);

#endif /* JIRA_SBUF_H */
