/*
 * schema_regex.c - JSON Schema's ECMA-262 patterns as POSIX EREs. See
 * schema_regex.h.
 */
#include "schema_regex.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"

/* Regex limits. glibc compiles {n,m} by copying the repeated atom, at about
 * 2 KiB per copied node, so the cost bound is on the expanded size. */
#define RX_REPEAT_MAX 1000
#define RX_COST_MAX   4096
#define RX_GROUPS_MAX 32
#define RX_SPLIT_MAX  32
#define CP_MAX        0x10FFFFu
#define RX_NOT_UTF8   "the pattern is not valid UTF-8"
#define RX_TOO_LARGE                                                           \
	"the pattern expands to too large a regex (for a "                     \
	"length limit, use minLength and maxLength)"
/* Room for a {n,m} quantifier's numbers. */
#define NUM_MAX 40
/* The translated ERE. The cost bound above keeps real patterns to a few
 * KiB; this only stops a pathological one from growing without end. */
#define RX_OUT_MAX ((size_t)16 * 1024 * 1024)

/* Decode one UTF-8 sequence at *p; 0 if it is malformed. */
static int utf8_next(const char **p, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)*p;
	uint32_t c;
	int n, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		*p += 1;
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		n = 2;
		c = u[0] & 0x1F;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		n = 3;
		c = u[0] & 0x0F;
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		n = 4;
		c = u[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > CP_MAX)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	*p += n;
	return 1;
}

static size_t utf8_encode(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | (cp >> 18));
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ------------------------------------------------------------------ */
/* ECMA-262 regex to POSIX ERE.
 *
 * glibc's regex is compiled in the C locale, so it matches bytes. To keep
 * ECMA's "one character" meaning for UTF-8 text, every character class is
 * first built as a set of code point ranges, then written out as an ASCII
 * bracket expression plus alternatives of UTF-8 byte sequences. */

struct crange {
	uint32_t lo, hi;
};

struct rset {
	struct crange *r;
	size_t n, cap;
	int oom;
};

static void rset_add(struct rset *s, uint32_t lo, uint32_t hi)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct crange *r = realloc(s->r, cap * sizeof *r);

		if (!r) {
			s->oom = 1;
			return;
		}
		s->r = r;
		s->cap = cap;
	}
	s->r[s->n].lo = lo;
	s->r[s->n].hi = hi;
	s->n++;
}

static int crange_cmp(const void *a, const void *b)
{
	const struct crange *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void rset_normalize(struct rset *s)
{
	size_t i, k = 0;

	if (s->n == 0)
		return;
	qsort(s->r, s->n, sizeof *s->r, crange_cmp);
	for (i = 1; i < s->n; i++) {
		if (s->r[i].lo <= s->r[k].hi + 1) {
			if (s->r[i].hi > s->r[k].hi)
				s->r[k].hi = s->r[i].hi;
		} else {
			s->r[++k] = s->r[i];
		}
	}
	s->n = k + 1;
}

/* Complement a normalized set within 1..CP_MAX (NUL never occurs in a
 * cJSON string, so it is left out of every set). */
static void rset_complement(struct rset *s)
{
	struct rset out = {NULL, 0, 0, 0};
	uint32_t next = 1;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->r[i].lo > next)
			rset_add(&out, next, s->r[i].lo - 1);
		if (s->r[i].hi + 1 > next)
			next = s->r[i].hi + 1;
	}
	if (next <= CP_MAX)
		rset_add(&out, next, CP_MAX);
	free(s->r);
	out.oom |= s->oom;
	*s = out;
}

static const struct crange cls_d[] = {{'0', '9'}};
static const struct crange cls_w[] = {
        {'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
/* ASCII white space only. ECMA's \s also has U+00A0, U+2028, U+FEFF and
 * others; leaving them out keeps the non-ASCII part of \S "everything",
 * which has a three-node byte form instead of a dozen alternatives. */
static const struct crange cls_s[] = {{'\t', '\r'}, {' ', ' '}};

static void rset_add_class(struct rset *s, char letter)
{
	const struct crange *c;
	size_t n, i;
	struct rset tmp = {NULL, 0, 0, 0};

	switch (letter | 0x20) {
	case 'd':
		c = cls_d;
		n = sizeof cls_d / sizeof *c;
		break;
	case 'w':
		c = cls_w;
		n = sizeof cls_w / sizeof *c;
		break;
	default:
		c = cls_s;
		n = sizeof cls_s / sizeof *c;
		break;
	}
	if (letter >= 'a') {
		for (i = 0; i < n; i++)
			rset_add(s, c[i].lo, c[i].hi);
		return;
	}
	for (i = 0; i < n; i++)
		rset_add(&tmp, c[i].lo, c[i].hi);
	rset_complement(&tmp);
	for (i = 0; i < tmp.n; i++)
		rset_add(s, tmp.r[i].lo, tmp.r[i].hi);
	s->oom |= tmp.oom;
	free(tmp.r);
}

enum { ESC_ERR = -1, ESC_CHAR, ESC_CLASS, ESC_ASSERT };

struct rx {
	const char *src;
	const char *p;
	struct dynbuf out; /* the ERE so far */
	int can_repeat;
	int depth;
	int top_alt; /* a | outside any group */
	/* Expanded size so far of each open group, and of its last atom. */
	unsigned long total[RX_GROUPS_MAX + 1];
	unsigned long last[RX_GROUPS_MAX + 1];
	const char *err;
	size_t err_at;
};

static int rx_fail(struct rx *x, const char *why)
{
	if (!x->err) {
		x->err = why;
		x->err_at = (size_t)(x->p - x->src);
	}
	return -1;
}

/* Appends stick on failure (dynbuf.h): the loop in rx_translate checks. */
static void rx_putn(struct rx *x, const char *s, size_t n)
{
	dyn_addn(&x->out, s, n);
}

/* Why the output buffer failed. */
static int rx_out_fail(struct rx *x)
{
	return rx_fail(x, x->out.too_big ? RX_TOO_LARGE : "out of memory");
}

static void rx_puts(struct rx *x, const char *s)
{
	rx_putn(x, s, strlen(s));
}

static void rx_putc(struct rx *x, char ch)
{
	rx_putn(x, &ch, 1);
}

static unsigned long rx_clamp(unsigned long v)
{
	return v > RX_COST_MAX ? RX_COST_MAX + 1 : v;
}

static void rx_atom(struct rx *x, unsigned long cost)
{
	x->last[x->depth] = cost;
	x->total[x->depth] = rx_clamp(x->total[x->depth] + cost);
	x->can_repeat = 1;
}

static int rx_repeat(struct rx *x, unsigned long times)
{
	unsigned long *t = &x->total[x->depth], *l = &x->last[x->depth];

	if (times < 1)
		times = 1;
	*t = rx_clamp(*t + *l * (times - 1));
	*l = rx_clamp(*l * times);
	x->can_repeat = 0;
	if (*t > RX_COST_MAX)
		return rx_fail(x, RX_TOO_LARGE);
	return 0;
}

static void rx_escaped_char(struct rx *x, unsigned char ch)
{
	if (ch && strchr("^.[$()|*+?{}\\", ch))
		rx_putc(x, '\\');
	rx_putc(x, (char)ch);
}

static void rx_literal(struct rx *x, uint32_t cp)
{
	unsigned char u[4];
	size_t n = utf8_encode(cp, u);

	if (n == 1) {
		rx_escaped_char(x, u[0]);
		rx_atom(x, 1);
		return;
	}
	/* A group so a following quantifier repeats the whole character. */
	rx_putc(x, '(');
	rx_putn(x, (const char *)u, n);
	rx_putc(x, ')');
	rx_atom(x, n + 1);
}

static int bracket_special(int ch)
{
	return ch == ']' || ch == '-' || ch == '^' || ch == '[';
}

/* Write the ASCII characters of map as one bracket expression, placing
 * ] - ^ [ where POSIX reads them literally. */
static void rx_ascii_class(struct rx *x, const unsigned char *map)
{
	int ch, end, count = 0, only = 0;

	for (ch = 1; ch < 128; ch++) {
		if (map[ch]) {
			count++;
			only = ch;
		}
	}
	if (count == 1) {
		rx_escaped_char(x, (unsigned char)only);
		return;
	}
	rx_putc(x, '[');
	if (map[']'])
		rx_putc(x, ']');
	if (map['-'] && !map[']'])
		rx_putc(x, '-');
	for (ch = 1; ch < 128; ch++) {
		if (!map[ch] || bracket_special(ch))
			continue;
		end = ch;
		while (end + 1 < 128 && map[end + 1] &&
		       !bracket_special(end + 1))
			end++;
		rx_putc(x, (char)ch);
		if (end - ch >= 2)
			rx_putc(x, '-');
		if (end > ch)
			rx_putc(x, (char)end);
		ch = end;
	}
	if (map['['])
		rx_putc(x, '[');
	if (map['^'])
		rx_putc(x, '^');
	if (map['-'] && map[']'])
		rx_putc(x, '-');
	rx_putc(x, ']');
}

/* Write lo..hi (all >= 0x80) as alternatives of UTF-8 byte sequences, each
 * a run of byte ranges, splitting the range wherever the lead bytes differ
 * but the continuation bytes do not span their full 0x80..0xBF. */
static int rx_utf8_range(struct rx *x, uint32_t lo, uint32_t hi, int *alts,
                         unsigned long *cost)
{
	struct crange stack[RX_SPLIT_MAX];
	size_t sp = 0;

	stack[sp].lo = lo;
	stack[sp++].hi = hi;
	while (sp > 0) {
		struct crange r = stack[--sp];
		unsigned char a[4], b[4];
		size_t n, k;
		int i;
		int split;

		do {
			split = 0;
			if (sp + 2 >= RX_SPLIT_MAX)
				return rx_fail(x, "a class is too complex");
			if (r.lo <= 0x7FF && r.hi > 0x7FF) {
				stack[sp].lo = 0x800;
				stack[sp++].hi = r.hi;
				r.hi = 0x7FF;
			} else if (r.lo <= 0xFFFF && r.hi > 0xFFFF) {
				stack[sp].lo = 0x10000;
				stack[sp++].hi = r.hi;
				r.hi = 0xFFFF;
			}
			n = r.lo <= 0x7FF ? 2 : r.lo <= 0xFFFF ? 3 : 4;
			for (i = 1; i < (int)n && !split; i++) {
				uint32_t m = (1u << (6 * i)) - 1;

				if ((r.lo & ~m) == (r.hi & ~m))
					continue;
				if ((r.lo & m) != 0) {
					stack[sp].lo = (r.lo | m) + 1;
					stack[sp++].hi = r.hi;
					r.hi = r.lo | m;
					split = 1;
				} else if ((r.hi & m) != m) {
					stack[sp].lo = r.hi & ~m;
					stack[sp++].hi = r.hi;
					r.hi = (r.hi & ~m) - 1;
					split = 1;
				}
			}
		} while (split);
		utf8_encode(r.lo, a);
		utf8_encode(r.hi, b);
		if ((*alts)++ > 0)
			rx_putc(x, '|');
		for (k = 0; k < n; k++) {
			if (a[k] == b[k]) {
				rx_putc(x, (char)a[k]);
				continue;
			}
			rx_putc(x, '[');
			rx_putc(x, (char)a[k]);
			rx_putc(x, '-');
			rx_putc(x, (char)b[k]);
			rx_putc(x, ']');
		}
		*cost += n + 1;
	}
	return 0;
}

static int rx_emit_set(struct rx *x, struct rset *s)
{
	unsigned char map[128];
	unsigned long cost = 1;
	int alts = 0, has_ascii = 0;
	size_t i, k;
	uint32_t ch;

	if (s->oom)
		return rx_fail(x, "out of memory");
	if (s->n == 0)
		return rx_fail(x, "this character class can never match");
	if (s->n == 1 && s->r[0].lo == s->r[0].hi) {
		rx_literal(x, s->r[0].lo);
		return 0;
	}
	memset(map, 0, sizeof map);
	for (i = 0; i < s->n && s->r[i].lo < 0x80; i++) {
		for (ch = s->r[i].lo; ch <= s->r[i].hi && ch < 0x80; ch++)
			map[ch] = 1;
		has_ascii = 1;
	}
	/* k: the first range reaching past ASCII (it may straddle 0x7F). */
	for (k = 0; k < s->n && s->r[k].hi < 0x80; k++)
		;
	if (k == s->n) {
		rx_ascii_class(x, map);
		rx_atom(x, 1);
		return 0;
	}
	rx_putc(x, '(');
	if (has_ascii) {
		rx_ascii_class(x, map);
		alts++;
		cost++;
	}
	if (k == s->n - 1 && s->r[k].lo <= 0x80 && s->r[k].hi == CP_MAX) {
		/* Every non-ASCII character: a lead byte and its continuation
		 * bytes, much smaller than exact byte-range alternatives. */
		if (alts++ > 0)
			rx_putc(x, '|');
		rx_puts(x, "[\xc2-\xf4][\x80-\xbf]*");
		cost += 3;
	} else {
		for (; k < s->n; k++) {
			uint32_t lo = s->r[k].lo < 0x80 ? 0x80 : s->r[k].lo;

			if (rx_utf8_range(x, lo, s->r[k].hi, &alts, &cost) != 0)
				return -1;
		}
	}
	rx_putc(x, ')');
	rx_atom(x, cost);
	return 0;
}

int schema_hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int rx_hex(struct rx *x, int digits, uint32_t *out)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < digits; i++) {
		int h = schema_hexval(x->p[i]);

		if (h < 0)
			return rx_fail(x, "\\x and \\u need hex digits");
		v = v * 16 + (uint32_t)h;
	}
	x->p += digits;
	*out = v;
	return 0;
}

/* \u escapes: \uHHHH, a surrogate pair of two, or \u{H...}. */
static int rx_unicode_escape(struct rx *x, uint32_t *cp)
{
	uint32_t lo;

	if (*x->p == '{') {
		uint32_t v = 0;
		int n = 0, h;

		x->p++;
		while ((h = schema_hexval(*x->p)) >= 0 && n < 8) {
			v = v * 16 + (uint32_t)h;
			x->p++;
			n++;
		}
		if (n == 0 || *x->p != '}' || v > CP_MAX)
			return rx_fail(x, "\\u{...} needs hex up to 10FFFF");
		x->p++;
		*cp = v;
	} else if (rx_hex(x, 4, cp) != 0) {
		return -1;
	}
	if (*cp >= 0xD800 && *cp <= 0xDBFF && x->p[0] == '\\' &&
	    x->p[1] == 'u') {
		const char *save = x->p;

		x->p += 2;
		if (rx_hex(x, 4, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
			*cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
			return 0;
		}
		x->err = NULL;
		x->p = save;
	}
	if (*cp >= 0xD800 && *cp <= 0xDFFF)
		return rx_fail(x, "a lone surrogate never occurs in UTF-8");
	return 0;
}

/* Parse the escape at x->p (a backslash). A class escape adds to set; an
 * assertion (\b \B, outside classes) is written out directly. */
static int rx_escape_at(struct rx *x, int in_class, struct rset *set,
                        uint32_t *cp)
{
	char e = x->p[1];

	if (e == '\0') {
		x->p++;
		return rx_fail(x, "the pattern ends with a lone backslash");
	}
	x->p += 2;
	switch (e) {
	case 'd':
	case 'D':
	case 'w':
	case 'W':
	case 's':
	case 'S': rset_add_class(set, e); return ESC_CLASS;
	case 'b':
		if (in_class) {
			*cp = '\b';
			return ESC_CHAR;
		}
		rx_puts(x, "\\b");
		x->can_repeat = 0;
		return ESC_ASSERT;
	case 'B':
		if (in_class)
			return rx_fail(x, "\\B cannot be used in a class");
		rx_puts(x, "\\B");
		x->can_repeat = 0;
		return ESC_ASSERT;
	case 'n': *cp = '\n'; return ESC_CHAR;
	case 'r': *cp = '\r'; return ESC_CHAR;
	case 't': *cp = '\t'; return ESC_CHAR;
	case 'f': *cp = '\f'; return ESC_CHAR;
	case 'v': *cp = '\v'; return ESC_CHAR;
	case 'c':
		if ((*x->p >= 'a' && *x->p <= 'z') ||
		    (*x->p >= 'A' && *x->p <= 'Z')) {
			*cp = (uint32_t)(*x->p++ % 32);
			return ESC_CHAR;
		}
		return rx_fail(x, "\\c needs a letter");
	case 'x':
		if (rx_hex(x, 2, cp) != 0)
			return ESC_ERR;
		break;
	case 'u':
		if (rx_unicode_escape(x, cp) != 0)
			return ESC_ERR;
		break;
	case '0': return rx_fail(x, "\\0 (NUL) never occurs in a JSON string");
	case 'k': return rx_fail(x, "named backreferences are not supported");
	case 'p':
	case 'P':
		return rx_fail(x, "Unicode property escapes are not supported");
	default:
		if (e >= '1' && e <= '9')
			return rx_fail(x, "backreferences are not supported");
		if ((unsigned char)e >= 0x80) {
			x->p--;
			if (!utf8_next(&x->p, cp))
				return rx_fail(x, RX_NOT_UTF8);
			return ESC_CHAR;
		}
		if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z'))
			return rx_fail(x, "unknown escape");
		*cp = (unsigned char)e; /* \. \* \/ \- ...: the character */
		return ESC_CHAR;
	}
	if (*cp == 0)
		return rx_fail(x, "NUL never occurs in a JSON string");
	return ESC_CHAR;
}

static int rx_class_atom(struct rx *x, struct rset *set, uint32_t *cp)
{
	if (*x->p == '\\')
		return rx_escape_at(x, 1, set, cp);
	if (!utf8_next(&x->p, cp))
		return rx_fail(x, RX_NOT_UTF8);
	return ESC_CHAR;
}

static int rx_class(struct rx *x)
{
	struct rset set = {NULL, 0, 0, 0};
	int neg = 0, rc = -1, k;
	uint32_t lo = 0, hi = 0;

	x->p++;
	if (*x->p == '^') {
		neg = 1;
		x->p++;
	}
	if (*x->p == ']') {
		/* ECMA reads [] as matching nothing and [^] as anything. */
		if (!neg) {
			rx_fail(x, "the empty class [] can never match");
			goto out;
		}
		x->p++;
		goto emit;
	}
	for (;;) {
		if (*x->p == '\0') {
			rx_fail(x, "a class \"[\" is not closed");
			goto out;
		}
		if (*x->p == ']') {
			x->p++;
			break;
		}
		k = rx_class_atom(x, &set, &lo);
		if (k == ESC_ERR)
			goto out;
		if (k == ESC_CLASS)
			continue; /* a following '-' is then a literal */
		if (x->p[0] != '-' || x->p[1] == ']' || x->p[1] == '\0') {
			rset_add(&set, lo, lo);
			continue;
		}
		x->p++;
		if (x->p[0] == '\\' && x->p[1] && strchr("dDwWsS", x->p[1])) {
			rx_fail(x, "a range cannot end with a class escape");
			goto out;
		}
		if (rx_class_atom(x, &set, &hi) == ESC_ERR)
			goto out;
		if (hi < lo) {
			rx_fail(x, "a range in a class is out of order");
			goto out;
		}
		rset_add(&set, lo, hi);
	}
emit:
	rset_normalize(&set);
	if (neg)
		rset_complement(&set);
	rc = rx_emit_set(x, &set);
out:
	free(set.r);
	return rc;
}

static int rx_set_of(struct rx *x, const struct crange *r, size_t n)
{
	struct rset set = {NULL, 0, 0, 0};
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		rset_add(&set, r[i].lo, r[i].hi);
	rc = rx_emit_set(x, &set);
	free(set.r);
	return rc;
}

static int rx_escape(struct rx *x)
{
	struct rset set = {NULL, 0, 0, 0};
	uint32_t cp = 0;
	int k, rc = 0;

	k = rx_escape_at(x, 0, &set, &cp);
	if (k == ESC_ERR) {
		rc = -1;
	} else if (k == ESC_CHAR) {
		rx_literal(x, cp);
	} else if (k == ESC_CLASS) {
		rset_normalize(&set);
		rc = rx_emit_set(x, &set);
	}
	free(set.r);
	return rc;
}

static int group_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '$';
}

static int rx_open(struct rx *x)
{
	if (x->depth >= RX_GROUPS_MAX)
		return rx_fail(x, "groups are nested too deeply");
	x->p++;
	if (*x->p == '?') {
		if (x->p[1] == ':') {
			x->p += 2;
		} else if (x->p[1] == '=' || x->p[1] == '!') {
			return rx_fail(x, "lookahead (?= (?! is not supported");
		} else if (x->p[1] == '<' &&
		           (x->p[2] == '=' || x->p[2] == '!')) {
			return rx_fail(x, "lookbehind is not supported");
		} else if (x->p[1] == '<') {
			const char *q = x->p + 2;

			while (group_name_char(*q))
				q++;
			if (q == x->p + 2 || *q != '>')
				return rx_fail(x, "bad group name");
			x->p = q + 1;
		} else {
			return rx_fail(x, "unsupported group syntax (?");
		}
	}
	/* Capturing or not is all one with REG_NOSUB. */
	rx_putc(x, '(');
	x->depth++;
	x->total[x->depth] = 0;
	x->last[x->depth] = 0;
	x->can_repeat = 0;
	return 0;
}

static int rx_close(struct rx *x)
{
	unsigned long cost;

	if (x->depth == 0)
		return rx_fail(x, "unmatched \")\"");
	x->p++;
	rx_putc(x, ')');
	cost = x->total[x->depth] + 1;
	x->depth--;
	rx_atom(x, rx_clamp(cost));
	if (x->total[x->depth] > RX_COST_MAX)
		return rx_fail(x, RX_TOO_LARGE);
	return 0;
}

static int rx_quantifier(struct rx *x, unsigned long times)
{
	if (!x->can_repeat)
		return rx_fail(x, "nothing to repeat");
	rx_putc(x, *x->p++);
	if (*x->p == '?') /* lazy: the same strings match */
		x->p++;
	return rx_repeat(x, times);
}

static const char *rx_number(const char *p, unsigned long *out)
{
	unsigned long v = 0;

	if (*p < '0' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++)
		if (v <= RX_REPEAT_MAX)
			v = v * 10 + (unsigned long)(*p - '0');
	*out = v;
	return p;
}

/* {n} {n,} {n,m}; anything else starting with { is a literal brace, as
 * ECMA-262 Annex B reads it. */
static int rx_brace(struct rx *x)
{
	const char *q = x->p + 1;
	unsigned long lo, hi = 0;
	int open = 0, has_hi = 0;
	char buf[2 * NUM_MAX];

	q = rx_number(q, &lo);
	if (q && *q == ',') {
		const char *r = rx_number(q + 1, &hi);

		if (r) {
			has_hi = 1;
			q = r;
		} else {
			open = 1;
			q++;
		}
	}
	if (!q || *q != '}') {
		rx_puts(x, "\\{");
		x->p++;
		rx_atom(x, 1);
		return 0;
	}
	if (!x->can_repeat)
		return rx_fail(x, "nothing to repeat");
	if (lo > RX_REPEAT_MAX || (has_hi && hi > RX_REPEAT_MAX))
		return rx_fail(x, "a repeat count is over 1000");
	if (has_hi && hi < lo)
		return rx_fail(x, "numbers out of order in {n,m}");
	if (has_hi)
		snprintf(buf, sizeof buf, "{%lu,%lu}", lo, hi);
	else if (open)
		snprintf(buf, sizeof buf, "{%lu,}", lo);
	else
		snprintf(buf, sizeof buf, "{%lu}", lo);
	rx_puts(x, buf);
	x->p = q + 1;
	if (*x->p == '?')
		x->p++;
	return rx_repeat(x, has_hi ? hi : open ? lo + 1 : lo);
}

/*
 * A search for P becomes a match of ^[\x01-\xff]*(P) at the start. Same
 * meaning, but glibc tries an anchored regex at one start position only,
 * where for an unanchored one it restarts at every byte: (a|aa)*b over a
 * 100 KB argument takes 16 s as a search and 0.3 ms anchored.
 */
static int rx_anchor(struct rx *x)
{
	static const char prefix[] = "^[\x01-\xff]*(";
	struct dynbuf out = DYN_INIT(RX_OUT_MAX);

	if (x->src[0] == '^' && !x->top_alt)
		return 0;
	dyn_addn(&out, prefix, sizeof prefix - 1);
	dyn_addn(&out, dyn_ptr(&x->out), dyn_len(&x->out));
	dyn_addc(&out, ')');
	if (dyn_error(&out) != SH_OK) {
		int too_big = out.too_big;
		dyn_free(&out);
		return rx_fail(x, too_big ? RX_TOO_LARGE : "out of memory");
	}
	dyn_free(&x->out);
	x->out = out;
	return 0;
}

static int rx_translate(struct rx *x)
{
	/* ECMA's . also stops at U+2028 and U+2029; excluding only \n and \r
	 * keeps it to the short "any character" form, as for \S. */
	static const struct crange dot[] = {
	        {1, '\n' - 1}, {'\n' + 1, '\r' - 1}, {'\r' + 1, CP_MAX}};
	uint32_t cp;
	int rc;

	rx_putn(x, "", 0);
	while (*x->p) {
		rc = 0;
		switch (*x->p) {
		case '^':
		case '$':
			rx_putc(x, *x->p++);
			x->can_repeat = 0;
			break;
		case '|':
			rx_putc(x, *x->p++);
			x->last[x->depth] = 0;
			x->can_repeat = 0;
			x->top_alt |= x->depth == 0;
			break;
		case '(': rc = rx_open(x); break;
		case ')': rc = rx_close(x); break;
		case '*':
		case '?': rc = rx_quantifier(x, 1); break;
		case '+': rc = rx_quantifier(x, 2); break;
		case '{': rc = rx_brace(x); break;
		case '[': rc = rx_class(x); break;
		case '.':
			x->p++;
			rc = rx_set_of(x, dot, sizeof dot / sizeof *dot);
			break;
		case '\\': rc = rx_escape(x); break;
		default:
			if (!utf8_next(&x->p, &cp))
				return rx_fail(x, RX_NOT_UTF8);
			rx_literal(x, cp);
		}
		if (rc != 0)
			return rc;
		if (dyn_error(&x->out) != SH_OK)
			return rx_out_fail(x);
	}
	if (x->depth != 0)
		return rx_fail(x, "a group \"(\" is not closed");
	if (x->total[0] > RX_COST_MAX)
		return rx_fail(x, RX_TOO_LARGE);
	return dyn_error(&x->out) != SH_OK ? rx_out_fail(x) : rx_anchor(x);
}

char *schema_regex_translate(const char *src, struct schema_rx_error *err)
{
	struct rx x;

	memset(&x, 0, sizeof x);
	x.src = x.p = src;
	dyn_init(&x.out, RX_OUT_MAX);
	if (rx_translate(&x) != 0) {
		err->why = x.err;
		err->at = x.err_at;
		err->oom = dyn_error(&x.out) != SH_OK && !x.out.too_big;
		dyn_free(&x.out);
		return NULL;
	}
	return dyn_take(&x.out, NULL); /* never NULL: rx_translate began with
	                                  an append, so the buffer exists */
}
