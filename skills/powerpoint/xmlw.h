/*
 * xmlw.h - a growable output buffer with XML escaping.
 *
 * Errors are sticky: after an allocation failure or a size-cap overrun every
 * later append is a no-op and xb_failed() reports it, so generators can emit
 * a whole part and check once.
 */
#ifndef PPTX_XMLW_H
#define PPTX_XMLW_H

#include <stddef.h>
#include <stdint.h>

struct xbuf {
	char *p;
	size_t len;
	size_t cap;
	size_t limit; /* 0: no limit beyond memory */
	int failed;
};

void xb_init(struct xbuf *b, size_t limit);
void xb_free(struct xbuf *b);
void xb_reset(struct xbuf *b);
int xb_failed(const struct xbuf *b);
void xb_put(struct xbuf *b, const void *data, size_t n);
void xb_puts(struct xbuf *b, const char *s);
void xb_putc(struct xbuf *b, char c);
void xb_putu(struct xbuf *b, uint64_t v);
void xb_puti(struct xbuf *b, int64_t v);

/* Append s escaped for element content (esc_text) or a double-quoted
 * attribute value (esc_attr). Code points XML 1.0 forbids (C0 controls other
 * than tab, LF and CR; U+FFFE, U+FFFF) and bytes that are not well-formed
 * UTF-8 are dropped. CR is dropped too, because the model's line separator
 * is LF and an XML parser would normalise CR away anyway. */
void xb_esc_text(struct xbuf *b, const char *s, size_t n);
void xb_esc_attr(struct xbuf *b, const char *s, size_t n);

/* Decode one UTF-8 sequence at s[0..n). Returns its length (1-4) and stores
 * the code point, or returns 0 for a malformed, overlong or surrogate
 * sequence. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Whether code point cp may appear in an XML 1.0 document. */
int xml_char_ok(uint32_t cp);

/* Append the UTF-8 encoding of cp. */
void xb_put_utf8(struct xbuf *b, uint32_t cp);

#endif /* PPTX_XMLW_H */
