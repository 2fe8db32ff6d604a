/*
 * pptx_text.c - Markdown-subset runs and paragraph direction. See
 * pptx_text.h.
 */
#include "pptx_text.h"

#include <stdio.h>
#include <string.h>

#define RT_HLINK                                                               \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships/" \
	"hyperlink"

enum { F_B = 1, F_I = 2, F_U = 4 };

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Length of the marker at i (2 for ** or __, 1 for *), with its flag, or
 * 0 when there is none. */
static size_t marker(const char *s, size_t n, size_t i, int *flag)
{
	if (i + 1 < n && s[i] == '*' && s[i + 1] == '*') {
		*flag = F_B;
		return 2;
	}
	if (i + 1 < n && s[i] == '_' && s[i + 1] == '_') {
		*flag = F_U;
		return 2;
	}
	if (s[i] == '*') {
		*flag = F_I;
		return 1;
	}
	return 0;
}

static int can_open(const char *s, size_t n, size_t i, size_t ml)
{
	return i + ml < n && !is_space((unsigned char)s[i + ml]) &&
	       (i == 0 || !is_alnum((unsigned char)s[i - 1]));
}

static int can_close(const char *s, size_t n, size_t i, size_t ml)
{
	return i > 0 && !is_space((unsigned char)s[i - 1]) &&
	       (i + ml >= n || !is_alnum((unsigned char)s[i + ml]));
}

/* Whether a marker with flag at i has a closer later on the line. */
static int has_closer(const char *s, size_t n, size_t i, size_t ml, int flag)
{
	size_t j;
	int f;

	for (j = i + ml; j < n; j++) {
		size_t l;

		if (s[j] == '\\') {
			j++;
			continue;
		}
		l = marker(s, n, j, &f);
		if (l == ml && f == flag && can_close(s, n, j, l))
			return 1;
		if (l > 1)
			j += l - 1;
	}
	return 0;
}

static int url_ok(const char *u, size_t n)
{
	size_t i;

	if (!((n > 7 && !strncmp(u, "http://", 7)) ||
	      (n > 8 && !strncmp(u, "https://", 8)) ||
	      (n > 7 && !strncmp(u, "mailto:", 7))))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= ' ' || u[i] == '"' || u[i] == '<' ||
		    u[i] == '>')
			return 0;
	return 1;
}

/* A link at i: "[text](url)". Sets the text and URL spans. */
static int link_at(const char *s, size_t n, size_t i, size_t *t0, size_t *t1,
                   size_t *u0, size_t *u1)
{
	const char *close, *paren;

	if (s[i] != '[')
		return 0;
	close = memchr(s + i + 1, ']', n - i - 1);
	if (!close || close == s + i + 1 || (size_t)(close - s) + 1 >= n ||
	    close[1] != '(')
		return 0;
	paren = memchr(close + 2, ')', n - (size_t)(close + 2 - s));
	if (!paren || !url_ok(close + 2, (size_t)(paren - close - 2)))
		return 0;
	*t0 = i + 1;
	*t1 = (size_t)(close - s);
	*u0 = (size_t)(close + 2 - s);
	*u1 = (size_t)(paren - s);
	return 1;
}

static void put_run(struct xbuf *b, const char *s, size_t n, unsigned sz,
                    int flags, const char *rid)
{
	if (!n)
		return;
	xb_puts(b, "<a:r><a:rPr lang=\"en-US\"");
	if (sz) {
		xb_puts(b, " sz=\"");
		xb_putu(b, sz);
		xb_putc(b, '"');
	}
	if (flags & F_B)
		xb_puts(b, " b=\"1\"");
	if (flags & F_I)
		xb_puts(b, " i=\"1\"");
	if (flags & F_U)
		xb_puts(b, " u=\"sng\"");
	xb_puts(b, " dirty=\"0\"");
	if (rid) {
		xb_puts(b, "><a:hlinkClick r:id=\"");
		xb_puts(b, rid);
		xb_puts(b, "\"/></a:rPr><a:t>");
	} else {
		xb_puts(b, "/><a:t>");
	}
	xb_esc_text(b, s, n);
	xb_puts(b, "</a:t></a:r>");
}

/* Walk the line, calling emit for every plain stretch with its flags and
 * link. One walker serves both the writer and pptx_plain. */
typedef void (*emit_fn)(void *ctx, const char *s, size_t n, int flags,
                        const char *url, size_t url_n);

static void walk(const char *s, size_t n, emit_fn emit, void *ctx)
{
	size_t i = 0, run = 0;
	int flags = 0, f;

	while (i < n) {
		size_t ml, t0, t1, u0, u1;

		if (s[i] == '\\' && i + 1 < n && strchr("*_[]\\", s[i + 1])) {
			emit(ctx, s + run, i - run, flags, NULL, 0);
			run = i + 1; /* the escaped character starts the run */
			i += 2;
			continue;
		}
		if (link_at(s, n, i, &t0, &t1, &u0, &u1)) {
			emit(ctx, s + run, i - run, flags, NULL, 0);
			emit(ctx, s + t0, t1 - t0, flags, s + u0, u1 - u0);
			i = run = u1 + 1;
			continue;
		}
		ml = marker(s, n, i, &f);
		if (ml && (flags & f) && can_close(s, n, i, ml)) {
			emit(ctx, s + run, i - run, flags, NULL, 0);
			flags &= ~f;
			i = run = i + ml;
			continue;
		}
		if (ml && !(flags & f) && can_open(s, n, i, ml) &&
		    has_closer(s, n, i, ml, f)) {
			emit(ctx, s + run, i - run, flags, NULL, 0);
			flags |= f;
			i = run = i + ml;
			continue;
		}
		i += ml ? ml : 1;
	}
	emit(ctx, s + run, n - run, flags, NULL, 0);
}

struct rich_ctx {
	struct xbuf *b;
	unsigned sz;
	struct pptx_links *links;
};

static void emit_rich(void *ctx, const char *s, size_t n, int flags,
                      const char *url, size_t url_n)
{
	struct rich_ctx *c = ctx;
	char rid[24];

	if (!n)
		return;
	if (!url || !c->links) {
		put_run(c->b, s, n, c->sz, flags, NULL);
		return;
	}
	c->links->n++;
	snprintf(rid, sizeof rid, "rIdL%u", c->links->n);
	xb_puts(&c->links->rels, "<Relationship Id=\"");
	xb_puts(&c->links->rels, rid);
	xb_puts(&c->links->rels, "\" Type=\"" RT_HLINK "\" Target=\"");
	xb_esc_attr(&c->links->rels, url, url_n);
	xb_puts(&c->links->rels, "\" TargetMode=\"External\"/>");
	put_run(c->b, s, n, c->sz, flags, rid);
}

void pptx_put_rich(struct xbuf *b, const char *text, size_t n, unsigned sz,
                   struct pptx_links *links)
{
	struct rich_ctx c = {b, sz, links};

	walk(text, n, emit_rich, &c);
}

static void emit_plain(void *ctx, const char *s, size_t n, int flags,
                       const char *url, size_t url_n)
{
	(void)flags;
	(void)url;
	(void)url_n;
	xb_put(ctx, s, n);
}

void pptx_plain(struct xbuf *b, const char *text, size_t n)
{
	walk(text, n, emit_plain, b);
}

static int strong_rtl(uint32_t cp)
{
	return (cp >= 0x0590 && cp <= 0x08FF) ||
	       (cp >= 0xFB1D && cp <= 0xFDFF) ||
	       (cp >= 0xFE70 && cp <= 0xFEFF) ||
	       (cp >= 0x10800 && cp <= 0x10FFF) ||
	       (cp >= 0x1E800 && cp <= 0x1EFFF);
}

/* Strong left-to-right, near enough: letters of the other scripts. Digits,
 * punctuation, spaces and symbols are weak or neutral. */
static int strong_ltr(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
	if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7)
		return 0;
	if (cp >= 0x2000 && cp <= 0x2BFF) /* punctuation, symbols */
		return 0;
	if (cp >= 0x3000 && cp <= 0x303F) /* CJK punctuation */
		return 0;
	if (cp >= 0xFE00 && cp <= 0xFE0F) /* variation selectors */
		return 0;
	if (cp >= 0x1F000 && cp <= 0x1FAFF) /* emoji */
		return 0;
	return !strong_rtl(cp);
}

int pptx_first_strong_rtl(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0, i = 0;

	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);

		if (!k) {
			i++;
			continue;
		}
		i += k;
		if (strong_rtl(cp))
			return 1;
		if (strong_ltr(cp))
			return 0;
	}
	return 0;
}
