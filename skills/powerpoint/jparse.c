/*
 * jparse.c - JSON text to a cJSON tree, fast on long strings. See
 * jparse.h for the contract; cJSON 1.7's own parser (parse_value and
 * friends in cJSON.c) is the reference for the tree it builds.
 */
#include "jparse.h"

#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* cJSON reads a number through a buffer of 64 bytes: a longer one fails
 * there (or parses truncated), so it is refused here. */
#define JP_NUMBER_MAX 63

struct jp {
	const unsigned char *p, *end;
	int depth;
};

static cJSON *parse_value(struct jp *j);

static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	                         *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* The first byte in [p, end) that ends a run of plain string bytes: a
 * quote, a backslash or a control character (JSON allows none raw); end
 * if there is none. Sixteen bytes a step where SSE2 is there (every
 * x86-64). */
static const unsigned char *scan_special(const unsigned char *p,
                                         const unsigned char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i ctl = _mm_set1_epi8(0x1f);

	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* min(x, 0x1f) == x exactly when x <= 0x1f, unsigned. */
		__m128i hit =
		        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote),
		                                  _mm_cmpeq_epi8(x, bslash)),
		                     _mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x));
		unsigned m = (unsigned)_mm_movemask_epi8(hit);

		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (p < end && *p != '"' && *p != '\\' && *p >= 0x20)
		p++;
	return p;
}

static int hex4(const unsigned char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned c = s[i];

		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		v = v << 4 | c;
	}
	*out = v;
	return 0;
}

/* Decode the escapes of s[0..end) (a string's body, checked to hold no
 * raw control character) into o, which has room for end - s bytes: no
 * escape grows. Returns the end of the output, or NULL for a bad escape,
 * with cJSON's rules for \u: surrogates only in pairs, U+0000 kept (it
 * ends the C string). */
static char *unescape(const unsigned char *s, const unsigned char *end, char *o)
{
	while (s < end) {
		const unsigned char *bs = memchr(s, '\\', (size_t)(end - s));
		unsigned cp, lo;

		if (!bs)
			bs = end;
		memcpy(o, s, (size_t)(bs - s));
		o += bs - s;
		s = bs;
		if (s == end)
			break;
		switch (s[1]) { /* a backslash is never last (parse_string) */
		case '"':
		case '\\':
		case '/': *o++ = (char)s[1]; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (end - s < 6 || hex4(s + 2, &cp) != 0)
				return NULL;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return NULL;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (end - s < 12 || s[6] != '\\' ||
				    s[7] != 'u' || hex4(s + 8, &lo) != 0 ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return NULL;
				cp = 0x10000 +
				     ((cp & 0x3FF) << 10 | (lo & 0x3FF));
				s += 6;
			}
			if (cp < 0x80) {
				*o++ = (char)cp;
			} else if (cp < 0x800) {
				*o++ = (char)(0xC0 | cp >> 6);
				*o++ = (char)(0x80 | (cp & 0x3F));
			} else if (cp < 0x10000) {
				*o++ = (char)(0xE0 | cp >> 12);
				*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
				*o++ = (char)(0x80 | (cp & 0x3F));
			} else {
				*o++ = (char)(0xF0 | cp >> 18);
				*o++ = (char)(0x80 | (cp >> 12 & 0x3F));
				*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
				*o++ = (char)(0x80 | (cp & 0x3F));
			}
			s += 4; /* and the 2 below */
			break;
		default: return NULL;
		}
		s += 2;
	}
	return o;
}

/* A string this long is an image or a deck: its block is fresh pages. */
#define JP_PREFAULT_MIN ((size_t)128 * 1024)

/* Map in the pages of a fresh block about to be written whole, in one
 * system call instead of one fault per 4 KiB page (a 3 MB deck spec: 750
 * faults). A hint: a kernel without MADV_POPULATE_WRITE (before 5.14)
 * refuses it and the faults happen as before. */
static void prefault(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	long ps = sysconf(_SC_PAGESIZE);
	size_t page, skip;

	if (len < JP_PREFAULT_MIN || ps <= 0)
		return;
	/* The whole pages inside [p, p + len). */
	page = (size_t)ps;
	skip = (page - (uintptr_t)p % page) % page;
	if (len > skip && (len - skip) / page)
		(void)madvise((char *)p + skip, (len - skip) / page * page,
		              MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)len;
#endif
}

/* The string whose opening quote is just behind j->p, in a block from
 * cJSON_malloc (cJSON_Delete frees it), NUL-terminated; j->p ends past
 * the closing quote. One scan finds the end, then a memcpy when there
 * are no escapes. */
static char *parse_string(struct jp *j)
{
	const unsigned char *start = j->p, *p = start;
	int plain = 1;
	char *out, *o;

	for (;;) {
		p = scan_special(p, j->end);
		if (p == j->end || *p < 0x20)
			return NULL;
		if (*p == '"')
			break;
		/* A backslash: it and the byte it escapes are skipped here
		 * and checked by unescape. */
		if (j->end - p < 2 || p[1] < 0x20)
			return NULL;
		plain = 0;
		p += 2;
	}
	out = cJSON_malloc((size_t)(p - start) + 1);
	if (!out)
		return NULL;
	prefault(out, (size_t)(p - start));
	if (plain) {
		memcpy(out, start, (size_t)(p - start));
		o = out + (p - start);
	} else if (!(o = unescape(start, p, out))) {
		cJSON_free(out);
		return NULL;
	}
	*o = '\0';
	j->p = p + 1;
	return out;
}

static int is_digit(const struct jp *j, const unsigned char *p)
{
	return p < j->end && *p >= '0' && *p <= '9';
}

/* A number by RFC 8259's grammar, converted as cJSON converts it (strtod
 * with the locale's decimal point; valueint saturated by
 * cJSON_CreateNumber as cJSON's parser saturates it). */
static cJSON *parse_number(struct jp *j)
{
	const unsigned char *s = j->p, *p = s;
	char buf[JP_NUMBER_MAX + 1], *endp, dp;
	size_t n, i;
	double d;

	if (p < j->end && *p == '-')
		p++;
	if (!is_digit(j, p))
		return NULL;
	if (*p == '0')
		p++;
	else
		while (is_digit(j, p))
			p++;
	if (p < j->end && *p == '.') {
		if (!is_digit(j, ++p))
			return NULL;
		while (is_digit(j, p))
			p++;
	}
	if (p < j->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < j->end && (*p == '+' || *p == '-'))
			p++;
		if (!is_digit(j, p))
			return NULL;
		while (is_digit(j, p))
			p++;
	}
	n = (size_t)(p - s);
	if (n > JP_NUMBER_MAX)
		return NULL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	dp = localeconv()->decimal_point[0];
	if (dp != '.')
		for (i = 0; i < n; i++)
			if (buf[i] == '.')
				buf[i] = dp;
	d = strtod(buf, &endp);
	if (endp != buf + n)
		return NULL;
	j->p = p;
	return cJSON_CreateNumber(d);
}

static int literal(struct jp *j, const char *word, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

/* Link item behind *tail in parent's child list (the list cJSON keeps:
 * next forward, prev backward, and the first child's prev the last one,
 * set by finish_list). */
static void link_child(cJSON *parent, cJSON **tail, cJSON *item)
{
	item->prev = *tail;
	if (*tail)
		(*tail)->next = item;
	else
		parent->child = item;
	*tail = item;
}

static void finish_list(cJSON *parent, cJSON *tail)
{
	if (parent->child)
		parent->child->prev = tail;
}

/* An array or object at j->p (its opening bracket). */
static cJSON *parse_container(struct jp *j, int object)
{
	const unsigned char close = object ? '}' : ']';
	cJSON *c, *tail = NULL, *item;
	char *key = NULL;

	if (j->depth >= CJSON_NESTING_LIMIT)
		return NULL;
	c = object ? cJSON_CreateObject() : cJSON_CreateArray();
	if (!c)
		return NULL;
	j->depth++;
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return c;
	}
	for (;;) {
		skip_ws(j);
		if (object) {
			if (j->p >= j->end || *j->p != '"')
				goto fail;
			j->p++;
			if (!(key = parse_string(j)))
				goto fail;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':')
				goto fail;
			j->p++;
			skip_ws(j);
		}
		if (!(item = parse_value(j)))
			goto fail;
		item->string = key;
		key = NULL;
		link_child(c, &tail, item);
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			break;
		}
		goto fail;
	}
	finish_list(c, tail);
	j->depth--;
	return c;
fail:
	cJSON_free(key);
	finish_list(c, tail);
	cJSON_Delete(c);
	return NULL;
}

static cJSON *parse_value(struct jp *j)
{
	cJSON *item;
	char *s;

	if (j->p >= j->end)
		return NULL;
	switch (*j->p) {
	case '{': return parse_container(j, 1);
	case '[': return parse_container(j, 0);
	case '"':
		j->p++;
		if (!(s = parse_string(j)))
			return NULL;
		/* The string block is the item's as it is: no second copy
		 * through cJSON_CreateString. */
		if (!(item = cJSON_CreateNull())) {
			cJSON_free(s);
			return NULL;
		}
		item->type = cJSON_String;
		item->valuestring = s;
		return item;
	case 't':
		if (literal(j, "true", 4) != 0 || !(item = cJSON_CreateTrue()))
			return NULL;
		item->valueint = 1; /* as cJSON's parser sets it */
		return item;
	case 'f':
		return literal(j, "false", 5) == 0 ? cJSON_CreateFalse() : NULL;
	case 'n': return literal(j, "null", 4) == 0 ? cJSON_CreateNull() : NULL;
	default: return parse_number(j);
	}
}

cJSON *pptx_json_parse(const char *text, size_t len)
{
	struct jp j;
	cJSON *v;

	if (!text)
		return NULL;
	j.p = (const unsigned char *)text;
	j.end = j.p + len;
	j.depth = 0;
	/* cJSON skips a byte order mark only with more than 4 bytes in all
	 * (so "<BOM>7" is refused there): the same, so that what this parser
	 * takes cJSON takes too. */
	if (len > 4 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		j.p += 3;
	skip_ws(&j);
	if (!(v = parse_value(&j)))
		return NULL;
	skip_ws(&j);
	/* A length that counts the text's terminating NUL is fine. */
	if (j.p < j.end && !(*j.p == '\0' && j.end - j.p == 1)) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}
