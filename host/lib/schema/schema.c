/*
 * schema.c - the compiled JSON Schema validator. See schema.h.
 *
 * Compiling turns the cJSON schema into a graph of struct node: each keyword
 * becomes a field plus a bit in node->kw, so validation tests bits and
 * compares numbers instead of looking keys up in the schema. Every $ref
 * target and every $defs entry is compiled once, from a work queue keyed by
 * the cJSON node it comes from; that is what turns a recursive schema into a
 * finite graph instead of an endless compile.
 *
 * Validation walks the instance and the graph together. It allocates nothing
 * unless it fails with a message asked for: the instance path is a chain of
 * stack frames that becomes text only when a message is written.
 */
#include "schema.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest message built internally; the caller's buffer may be smaller. */
#define MSG_MAX 1024
/* Longest rendering of one value, pattern or name inside a message. */
#define SHOW_MAX 64
/* Enum values or allowed property names listed in one message. */
#define LIST_MAX 8
/* Room for the abort message, which outlives speculative branches. */
#define ABORT_MSG_MAX 256
/* Room for any double in %.17g, or a {n,m} quantifier. */
#define NUM_MAX 40
/* Room for regerror()'s text. */
#define REGERR_MAX 128
/* Longest keyword location kept for compile errors. */
#define LOC_MAX 512
/* Nested subschema applications during one validation. Larger than
 * SCHEMA_MAX_DEPTH (which bounds instance nesting) because a chain of $refs
 * or allOfs applies several subschemas at one instance level. */
#define EVAL_DEPTH_MAX (8 * SCHEMA_MAX_DEPTH)
/* Subschema applications per validation: anyOf/oneOf over a recursive
 * schema can otherwise take time exponential in the instance depth. */
#define STEPS_MAX (1UL << 22)
/* Up to this many properties a linear scan beats a binary search. */
#define PROPS_LINEAR_MAX 8
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

#define COLD __attribute__((cold, noinline))

enum {
	T_NULL = 1u << 0,
	T_BOOLEAN = 1u << 1,
	T_OBJECT = 1u << 2,
	T_ARRAY = 1u << 3,
	T_NUMBER = 1u << 4,
	T_INTEGER = 1u << 5,
	T_STRING = 1u << 6
};

#define NTYPES 7
static const char *const type_names[NTYPES] = {
        "null", "boolean", "object", "array", "number", "integer", "string"};

enum {
	K_FALSE = 1u << 0,
	K_TYPE = 1u << 1,
	K_ENUM = 1u << 2,
	K_CONST = 1u << 3,
	K_MINIMUM = 1u << 4,
	K_MAXIMUM = 1u << 5,
	K_XMINIMUM = 1u << 6,
	K_XMAXIMUM = 1u << 7,
	K_MINLENGTH = 1u << 8,
	K_MAXLENGTH = 1u << 9,
	K_PATTERN = 1u << 10,
	K_ITEMS = 1u << 11,
	K_MINITEMS = 1u << 12,
	K_MAXITEMS = 1u << 13,
	K_PROPERTIES = 1u << 14,
	K_REQUIRED = 1u << 15,
	K_ADDITIONAL = 1u << 16,
	K_ALLOF = 1u << 17,
	K_ANYOF = 1u << 18,
	K_ONEOF = 1u << 19,
	K_NOT = 1u << 20,
	K_REF = 1u << 21,
	K_MULTIPLEOF = 1u << 22,
	K_UNIQUE = 1u << 23,
	K_MINPROPS = 1u << 24,
	K_MAXPROPS = 1u << 25,
	K_PATTERNPROPS = 1u << 26,
	K_PROPNAMES = 1u << 27,
	K_DEPREQ = 1u << 28,
	K_PREFIX = 1u << 29,
	K_CONTAINS = 1u << 30, /* with minContains and maxContains */
	K_IF = 1u << 31        /* with then and else */
};

#define K_NUMBER_KWS                                                           \
	(K_MINIMUM | K_MAXIMUM | K_XMINIMUM | K_XMAXIMUM | K_MULTIPLEOF)
#define K_STRING_KWS (K_MINLENGTH | K_MAXLENGTH | K_PATTERN)
#define K_ARRAY_KWS                                                            \
	(K_ITEMS | K_MINITEMS | K_MAXITEMS | K_UNIQUE | K_PREFIX | K_CONTAINS)
#define K_OBJECT_KWS                                                           \
	(K_PROPERTIES | K_REQUIRED | K_ADDITIONAL | K_MINPROPS | K_MAXPROPS |  \
	 K_PATTERNPROPS | K_PROPNAMES | K_DEPREQ)
#define K_APPLY_KWS (K_ALLOF | K_ANYOF | K_ONEOF | K_NOT | K_REF | K_IF)
/* Up to this many items uniqueItems compares every pair; past it, it sorts
 * the items by a hash first (which allocates). */
#define UNIQUE_PAIRWISE_MAX 32

struct node;

struct prop {
	char *name;
	struct node *schema;
};

struct nodes {
	struct node **v;
	size_t n;
};

/* One patternProperties entry. */
struct pprop {
	char *pattern; /* the source text, for messages */
	regex_t re;
	int match_all; /* the empty pattern, which matches every name */
	struct node *schema;
};

/* One dependentRequired entry: when name is present, so must these be. */
struct depreq {
	char *name;
	char **required;
	size_t nrequired;
};

struct node {
	unsigned kw;    /* K_* bits of the keywords present */
	unsigned types; /* T_* bits allowed by "type" */
	double minimum, maximum, xminimum, xmaximum;
	size_t min_length, max_length, min_items, max_items;
	struct prop *props;  /* in declaration order, for messages */
	struct prop *sorted; /* by name, when nprops > PROPS_LINEAR_MAX */
	size_t nprops;
	char **required;
	size_t nrequired;
	struct node *additional;
	struct node *items;
	struct nodes all_of, any_of, one_of;
	struct node *not_schema;
	struct node *ref;
	double multiple_of;
	size_t min_props, max_props, min_contains, max_contains;
	struct pprop *pprops;
	size_t npprops;
	struct node *prop_names;
	struct depreq *depreqs;
	size_t ndepreqs;
	struct nodes prefix; /* prefixItems, or draft-07's array "items" */
	struct node *contains;
	struct node *if_schema, *then_schema, *else_schema;
	cJSON *enum_values; /* own copies: the source tree is only borrowed */
	cJSON *const_value;
	regex_t re;
	char *pattern;     /* the source text, for messages */
	char *ref_loc;     /* where the $ref is, for cycle errors */
	struct node *next; /* every node of a schema, for schema_free */
	unsigned char color;
};

struct schema {
	struct node *root;
	struct node *nodes;
	size_t nnodes;
	int root_is_object;
};

/* ------------------------------------------------------------------ */
/* Bounded string building: never overflows, always NUL-terminated. */

struct sbuf {
	char *p;
	size_t cap; /* at least 1 */
	size_t len; /* bytes asked for, which may pass cap */
};

static void sb_init(struct sbuf *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	p[0] = '\0';
}

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len < b->cap) {
		size_t room = b->cap - 1 - b->len;
		size_t k = n < room ? n : room;

		memcpy(b->p + b->len, s, k);
		b->p[b->len + k] = '\0';
	}
	b->len += n;
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_putc(struct sbuf *b, char ch)
{
	sb_putn(b, &ch, 1);
}

static void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));

static void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	int n;

	if (b->len < b->cap)
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	else
		n = vsnprintf(NULL, 0, fmt, ap);
	if (n > 0)
		b->len += (size_t)n;
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

/* The longest prefix of s[0..n) that does not split a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t n)
{
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* Mark a cut message with "..." so a reader knows the rest is missing. */
static void sb_finish(struct sbuf *b)
{
	size_t n;

	if (b->len < b->cap || b->cap <= 4)
		return;
	n = utf8_cut(b->p, b->cap - 4);
	memcpy(b->p + n, "...", 4);
}

static void copy_msg(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (!dst || cap == 0)
		return;
	if (n < cap) {
		memcpy(dst, src, n + 1);
		return;
	}
	if (cap > 4) {
		n = utf8_cut(src, cap - 4);
		memcpy(dst, src, n);
		memcpy(dst + n, "...", 4);
	} else {
		n = utf8_cut(src, cap - 1);
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
}

/* ------------------------------------------------------------------ */
/* Rendering values for messages. */

static void fmt_number(char *buf, size_t cap, double x)
{
	int prec;
	char *p;

	if (isnan(x)) {
		snprintf(buf, cap, "NaN");
		return;
	}
	if (isinf(x)) {
		snprintf(buf, cap, x < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (x == floor(x) && fabs(x) < 1e16) {
		snprintf(buf, cap, "%.0f", x);
		return;
	}
	/* The shortest precision that reads back as the same double, so 0.1
	 * shows as 0.1 and not 0.10000000000000001. */
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	if (prec == 17)
		snprintf(buf, cap, "%.17g", x);
	/* A host running under a comma-decimal locale still shows JSON. */
	for (p = buf; *p; p++)
		if (*p == ',')
			*p = '.';
}

static void sb_jstring(struct sbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	sb_putc(b, '"');
	for (; *u && b->len < b->cap; u++) {
		switch (*u) {
		case '"': sb_puts(b, "\\\""); break;
		case '\\': sb_puts(b, "\\\\"); break;
		case '\n': sb_puts(b, "\\n"); break;
		case '\r': sb_puts(b, "\\r"); break;
		case '\t': sb_puts(b, "\\t"); break;
		default:
			if (*u < 0x20)
				sb_printf(b, "\\u%04x", *u);
			else
				sb_putc(b, (char)*u);
		}
	}
	sb_putc(b, '"');
}

static void sb_json(struct sbuf *b, const cJSON *v)
{
	char num[NUM_MAX];
	const cJSON *e;

	/* Stop once full: this also bounds the recursion by the buffer. */
	if (b->len >= b->cap)
		return;
	switch (v->type & 0xFF) {
	case cJSON_False: sb_puts(b, "false"); break;
	case cJSON_True: sb_puts(b, "true"); break;
	case cJSON_NULL: sb_puts(b, "null"); break;
	case cJSON_Number:
		fmt_number(num, sizeof num, v->valuedouble);
		sb_puts(b, num);
		break;
	case cJSON_String:
		sb_jstring(b, v->valuestring ? v->valuestring : "");
		break;
	case cJSON_Raw: sb_puts(b, v->valuestring ? v->valuestring : ""); break;
	case cJSON_Array:
		sb_putc(b, '[');
		for (e = v->child; e && b->len < b->cap; e = e->next) {
			if (e != v->child)
				sb_putc(b, ',');
			sb_json(b, e);
		}
		sb_putc(b, ']');
		break;
	case cJSON_Object:
		sb_putc(b, '{');
		for (e = v->child; e && b->len < b->cap; e = e->next) {
			if (e != v->child)
				sb_putc(b, ',');
			sb_jstring(b, e->string ? e->string : "");
			sb_putc(b, ':');
			sb_json(b, e);
		}
		sb_putc(b, '}');
		break;
	default: sb_puts(b, "(invalid)");
	}
}

/* Append v as compact JSON, cut to about SHOW_MAX bytes. A cut string keeps
 * its closing quote so it still reads as a string. */
static void sb_show(struct sbuf *b, const cJSON *v)
{
	char tmp[SHOW_MAX + 1];
	struct sbuf t;
	size_t n;

	sb_init(&t, tmp, sizeof tmp);
	sb_json(&t, v);
	if (t.len < t.cap) {
		sb_puts(b, tmp);
		return;
	}
	n = utf8_cut(tmp, SHOW_MAX - 4);
	sb_putn(b, tmp, n);
	sb_puts(b, cJSON_IsString(v) ? "...\"" : "...");
}

static void sb_show_str(struct sbuf *b, const char *s)
{
	char tmp[SHOW_MAX + 1];
	struct sbuf t;
	size_t n;

	sb_init(&t, tmp, sizeof tmp);
	sb_jstring(&t, s);
	if (t.len < t.cap) {
		sb_puts(b, tmp);
		return;
	}
	n = utf8_cut(tmp, SHOW_MAX - 4);
	sb_putn(b, tmp, n);
	sb_puts(b, "...\"");
}

static const char *json_kind(const cJSON *v)
{
	switch (v->type & 0xFF) {
	case cJSON_False:
	case cJSON_True: return "boolean";
	case cJSON_NULL: return "null";
	case cJSON_Number: return "number";
	case cJSON_String: return "string";
	case cJSON_Array: return "array";
	case cJSON_Object: return "object";
	case cJSON_Raw: return "raw JSON";
	}
	return "invalid value";
}

/* "string \"abc\"", "number 3", "null": a value with its kind. */
static void sb_describe(struct sbuf *b, const cJSON *v)
{
	sb_puts(b, json_kind(v));
	if (!cJSON_IsNull(v)) {
		sb_putc(b, ' ');
		sb_show(b, v);
	}
}

/* "string", "string or null", "string, number or null": in an order that
 * reads naturally, null last, whatever order the schema listed them in. */
static void sb_types(struct sbuf *b, unsigned mask)
{
	static const unsigned order[NTYPES] = {T_STRING,  T_NUMBER, T_INTEGER,
	                                       T_BOOLEAN, T_OBJECT, T_ARRAY,
	                                       T_NULL};
	size_t i, n = 0, k = 0;
	unsigned bit;

	if (mask & T_NUMBER)
		mask &= ~(unsigned)T_INTEGER; /* number already allows them */
	for (i = 0; i < NTYPES; i++)
		n += (mask & order[i]) != 0;
	if (n == 0) {
		sb_puts(b, "no type at all");
		return;
	}
	for (i = 0; i < NTYPES; i++) {
		if (!(mask & order[i]))
			continue;
		if (k > 0)
			sb_puts(b, k + 1 == n ? " or " : ", ");
		for (bit = 0; (1u << bit) != order[i]; bit++)
			;
		sb_puts(b, type_names[bit]);
		k++;
	}
}

/* ------------------------------------------------------------------ */
/* JSON helpers shared by compile and validate. */

static int is_integral(double d)
{
	/* Every double of magnitude 2^52 or more is an integer. */
	if (fabs(d) < 0x1p52)
		return d == (double)(int64_t)d;
	return isfinite(d);
}

static unsigned type_bits(const cJSON *v)
{
	switch (v->type & 0xFF) {
	case cJSON_NULL: return T_NULL;
	case cJSON_False:
	case cJSON_True: return T_BOOLEAN;
	case cJSON_Number:
		return is_integral(v->valuedouble) ? T_NUMBER | T_INTEGER
		                                   : T_NUMBER;
	case cJSON_String: return T_STRING;
	case cJSON_Array: return T_ARRAY;
	case cJSON_Object: return T_OBJECT;
	}
	return 0;
}

static const cJSON *find_member(const cJSON *obj, const char *key)
{
	const cJSON *m;

	for (m = obj->child; m; m = m->next)
		if (m->string && strcmp(m->string, key) == 0)
			return m;
	return NULL;
}

static int json_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;
	size_t na = 0, nb = 0;

	if ((a->type & 0xFF) != (b->type & 0xFF))
		return 0;
	switch (a->type & 0xFF) {
	case cJSON_Number: return a->valuedouble == b->valuedouble;
	case cJSON_String:
	case cJSON_Raw:
		return strcmp(a->valuestring ? a->valuestring : "",
		              b->valuestring ? b->valuestring : "") == 0;
	case cJSON_Array:
		x = a->child;
		y = b->child;
		for (; x && y; x = x->next, y = y->next)
			if (!json_equal(x, y))
				return 0;
		return !x && !y;
	case cJSON_Object:
		for (x = a->child; x; x = x->next)
			na++;
		for (y = b->child; y; y = y->next)
			nb++;
		if (na != nb)
			return 0;
		for (x = a->child; x; x = x->next) {
			y = find_member(b, x->string ? x->string : "");
			if (!y || !json_equal(x, y))
				return 0;
		}
		return 1;
	}
	return 1; /* null, true, false: the type says it all */
}

/* 1 when v nests no deeper than limit, checked without deeper recursion. */
static int depth_within(const cJSON *v, int limit)
{
	const cJSON *e;

	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return 1;
	if (limit <= 0)
		return 0;
	for (e = v->child; e; e = e->next)
		if (!depth_within(e, limit - 1))
			return 0;
	return 1;
}

static size_t utf8_count(const char *s, size_t bytes)
{
	size_t i, n = 0;

	for (i = 0; i < bytes; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

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
	char *out;
	size_t len, cap;
	int oom;
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

static void rx_putn(struct rx *x, const char *s, size_t n)
{
	if (x->oom)
		return;
	if (x->len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 64;
		char *p;

		while (cap < x->len + n + 1)
			cap *= 2;
		p = realloc(x->out, cap);
		if (!p) {
			x->oom = 1;
			return;
		}
		x->out = p;
		x->cap = cap;
	}
	memcpy(x->out + x->len, s, n);
	x->len += n;
	x->out[x->len] = '\0';
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

static int hexval(char ch)
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
		int h = hexval(x->p[i]);

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
		while ((h = hexval(*x->p)) >= 0 && n < 8) {
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
	uint32_t lo, hi;

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
	char *out;

	if (x->src[0] == '^' && !x->top_alt)
		return 0;
	out = malloc(sizeof prefix + x->len + 1);
	if (!out)
		return rx_fail(x, "out of memory");
	memcpy(out, prefix, sizeof prefix - 1);
	memcpy(out + sizeof prefix - 1, x->out, x->len);
	out[sizeof prefix - 1 + x->len] = ')';
	out[sizeof prefix + x->len] = '\0';
	free(x->out);
	x->out = out;
	x->len += sizeof prefix;
	x->cap = x->len + 1;
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
		if (x->oom)
			return rx_fail(x, "out of memory");
	}
	if (x->depth != 0)
		return rx_fail(x, "a group \"(\" is not closed");
	if (x->total[0] > RX_COST_MAX)
		return rx_fail(x, RX_TOO_LARGE);
	return x->oom ? rx_fail(x, "out of memory") : rx_anchor(x);
}

/* ------------------------------------------------------------------ */
/* Compiling. */

struct target {
	const cJSON *json;
	struct node *node;
	char *loc;
};

struct cctx {
	struct schema *s;
	const cJSON *root;
	struct sh_error *e;
	struct target *targets; /* the work queue, and the $ref cache */
	size_t ntargets, targets_cap;
	size_t loc_len;
	char loc[LOC_MAX];
};

static sh_status compile_node(struct cctx *c, const cJSON *j, struct node *n,
                              int depth);

static sh_status cerr(struct cctx *c, const char *kw, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* A compile error at the current location (plus kw when not NULL). */
static sh_status cerr(struct cctx *c, const char *kw, const char *fmt, ...)
{
	char what[SH_ERROR_MSG_MAX];
	struct sbuf b;
	va_list ap;

	sb_init(&b, what, sizeof what);
	va_start(ap, fmt);
	sb_vprintf(&b, fmt, ap);
	va_end(ap);
	if (kw)
		return sh_error_set(c->e, SH_ERR_INVALID, "at %s/%s: %s",
		                    c->loc, kw, what);
	return sh_error_set(c->e, SH_ERR_INVALID, "at %s: %s", c->loc, what);
}

static sh_status nomem(struct cctx *c)
{
	return sh_error_set(c->e, SH_ERR_NOMEM,
	                    "out of memory compiling the schema at %s", c->loc);
}

static size_t loc_push(struct cctx *c, const char *seg)
{
	size_t old = c->loc_len;
	struct sbuf b = {c->loc, sizeof c->loc, c->loc_len};

	sb_putc(&b, '/');
	for (; *seg; seg++) {
		if (*seg == '~')
			sb_puts(&b, "~0");
		else if (*seg == '/')
			sb_puts(&b, "~1");
		else
			sb_putc(&b, *seg);
	}
	c->loc_len = b.len < b.cap ? b.len : b.cap - 1;
	return old;
}

static size_t loc_push_index(struct cctx *c, size_t i)
{
	char num[24];

	snprintf(num, sizeof num, "%zu", i);
	return loc_push(c, num);
}

static void loc_pop(struct cctx *c, size_t old)
{
	c->loc_len = old;
	c->loc[old] = '\0';
}

static void loc_set(struct cctx *c, const char *loc)
{
	struct sbuf b;

	sb_init(&b, c->loc, sizeof c->loc);
	sb_puts(&b, loc);
	c->loc_len = b.len < b.cap ? b.len : b.cap - 1;
}

static struct node *new_node(struct cctx *c)
{
	struct node *n = calloc(1, sizeof *n);

	if (!n)
		return NULL;
	n->next = c->s->nodes;
	c->s->nodes = n;
	c->s->nnodes++;
	return n;
}

static void node_free(struct node *n)
{
	size_t i;

	for (i = 0; i < n->nprops; i++)
		free(n->props[i].name);
	free(n->props);
	free(n->sorted);
	for (i = 0; i < n->nrequired; i++)
		free(n->required[i]);
	free(n->required);
	free(n->all_of.v);
	free(n->any_of.v);
	free(n->one_of.v);
	free(n->prefix.v);
	for (i = 0; i < n->npprops; i++) {
		if (n->pprops[i].pattern && !n->pprops[i].match_all)
			regfree(&n->pprops[i].re);
		free(n->pprops[i].pattern);
	}
	free(n->pprops);
	for (i = 0; i < n->ndepreqs; i++) {
		size_t k;

		for (k = 0; k < n->depreqs[i].nrequired; k++)
			free(n->depreqs[i].required[k]);
		free(n->depreqs[i].required);
		free(n->depreqs[i].name);
	}
	free(n->depreqs);
	cJSON_Delete(n->enum_values);
	cJSON_Delete(n->const_value);
	if (n->kw & K_PATTERN)
		regfree(&n->re);
	free(n->pattern);
	free(n->ref_loc);
	free(n);
}

/* The node compiled for json, queued for compiling if it is new. */
static sh_status target_get(struct cctx *c, const cJSON *json, const char *loc,
                            struct node **out)
{
	struct target *t;
	size_t i;

	for (i = 0; i < c->ntargets; i++) {
		if (c->targets[i].json == json) {
			*out = c->targets[i].node;
			return SH_OK;
		}
	}
	if (c->ntargets == c->targets_cap) {
		size_t cap = c->targets_cap ? 2 * c->targets_cap : 8;

		t = realloc(c->targets, cap * sizeof *t);
		if (!t)
			return nomem(c);
		c->targets = t;
		c->targets_cap = cap;
	}
	t = &c->targets[c->ntargets];
	t->json = json;
	t->loc = strdup(loc);
	t->node = new_node(c);
	if (!t->loc || !t->node) {
		free(t->loc);
		return nomem(c);
	}
	c->ntargets++;
	*out = t->node;
	return SH_OK;
}

static sh_status compile_sub(struct cctx *c, const cJSON *j, const char *kw,
                             struct node **out, int depth)
{
	size_t old = kw ? loc_push(c, kw) : c->loc_len;
	struct node *n = new_node(c);
	sh_status rc;

	if (!n)
		return nomem(c);
	rc = compile_node(c, j, n, depth + 1);
	if (rc != SH_OK)
		return rc;
	loc_pop(c, old);
	*out = n;
	return SH_OK;
}

static const cJSON *kw_get(const cJSON *j, const char *kw)
{
	return cJSON_GetObjectItemCaseSensitive(j, kw);
}

static sh_status what_got(struct cctx *c, const char *kw, const char *what,
                          const cJSON *v)
{
	char got[SHOW_MAX + 32];
	struct sbuf b;

	sb_init(&b, got, sizeof got);
	sb_describe(&b, v);
	return cerr(c, kw, "%s, got %s", what, got);
}

static sh_status type_bit(struct cctx *c, const char *kw, const char *name,
                          unsigned *mask)
{
	char shown[SHOW_MAX + 8];
	struct sbuf b;
	size_t i;

	for (i = 0; i < NTYPES; i++) {
		if (strcmp(name, type_names[i]) == 0) {
			*mask |= 1u << i;
			return SH_OK;
		}
	}
	sb_init(&b, shown, sizeof shown);
	sb_show_str(&b, name);
	return cerr(c, kw,
	            "unknown type %s (expected one of null, boolean, "
	            "object, array, number, integer, string)",
	            shown);
}

static sh_status compile_type(struct cctx *c, const cJSON *j, struct node *n)
{
	const cJSON *t = kw_get(j, "type"), *e;
	size_t i = 0, old, old_i;
	sh_status rc;

	if (!t)
		return SH_OK;
	n->kw |= K_TYPE;
	if (cJSON_IsString(t))
		return type_bit(c, "type", t->valuestring, &n->types);
	if (!cJSON_IsArray(t))
		return what_got(c, "type",
		                "must be a type name or an array of "
		                "type names",
		                t);
	old = loc_push(c, "type");
	for (e = t->child; e; e = e->next, i++) {
		old_i = loc_push_index(c, i);
		if (!cJSON_IsString(e))
			return what_got(c, NULL, "must be a type name", e);
		rc = type_bit(c, NULL, e->valuestring, &n->types);
		if (rc != SH_OK)
			return rc;
		loc_pop(c, old_i);
	}
	loc_pop(c, old);
	return SH_OK;
}

static sh_status copy_value(struct cctx *c, const char *kw, const cJSON *v,
                            cJSON **out)
{
	/* Equality recursion at validation follows the copied value, so its
	 * depth is what bounds that recursion. */
	if (!depth_within(v, SCHEMA_MAX_DEPTH))
		return cerr(c, kw, "value nested deeper than %d levels",
		            SCHEMA_MAX_DEPTH);
	*out = cJSON_Duplicate(v, 1);
	return *out ? SH_OK : nomem(c);
}

static sh_status compile_values(struct cctx *c, const cJSON *j, struct node *n)
{
	const cJSON *v;
	sh_status rc;

	v = kw_get(j, "enum");
	if (v) {
		if (!cJSON_IsArray(v))
			return what_got(c, "enum", "must be an array", v);
		rc = copy_value(c, "enum", v, &n->enum_values);
		if (rc != SH_OK)
			return rc;
		n->kw |= K_ENUM;
	}
	v = kw_get(j, "const");
	if (v) {
		rc = copy_value(c, "const", v, &n->const_value);
		if (rc != SH_OK)
			return rc;
		n->kw |= K_CONST;
	}
	return SH_OK;
}

static sh_status get_number(struct cctx *c, const cJSON *j, const char *kw,
                            unsigned bit, struct node *n, double *out)
{
	const cJSON *v = kw_get(j, kw);

	if (!v)
		return SH_OK;
	if (!cJSON_IsNumber(v) || isnan(v->valuedouble))
		return what_got(c, kw, "must be a number", v);
	*out = v->valuedouble;
	n->kw |= bit;
	return SH_OK;
}

static sh_status get_count(struct cctx *c, const cJSON *j, const char *kw,
                           unsigned bit, struct node *n, size_t *out)
{
	const cJSON *v = kw_get(j, kw);
	double d;

	if (!v)
		return SH_OK;
	d = cJSON_IsNumber(v) ? v->valuedouble : -1;
	if (!(d >= 0) || !is_integral(d))
		return what_got(c, kw, "must be a non-negative integer", v);
	*out = d >= (double)SIZE_MAX ? SIZE_MAX : (size_t)d;
	n->kw |= bit;
	return SH_OK;
}

static sh_status compile_numbers(struct cctx *c, const cJSON *j, struct node *n)
{
	const cJSON *v;
	sh_status rc;

	if ((rc = get_number(c, j, "minimum", K_MINIMUM, n, &n->minimum)) ||
	    (rc = get_number(c, j, "maximum", K_MAXIMUM, n, &n->maximum)) ||
	    (rc = get_number(c, j, "exclusiveMinimum", K_XMINIMUM, n,
	                     &n->xminimum)) ||
	    (rc = get_number(c, j, "exclusiveMaximum", K_XMAXIMUM, n,
	                     &n->xmaximum)))
		return rc;
	v = kw_get(j, "multipleOf");
	if (v) {
		if (!cJSON_IsNumber(v) || !(v->valuedouble > 0) ||
		    !isfinite(v->valuedouble))
			return what_got(c, "multipleOf",
			                "must be a number greater than 0", v);
		n->multiple_of = v->valuedouble;
		n->kw |= K_MULTIPLEOF;
	}
	return SH_OK;
}

/* Compile the ECMA-262 regex src into re (errors name keyword kw). */
static sh_status compile_regex(struct cctx *c, const char *kw, const char *src,
                               regex_t *re)
{
	char shown[SHOW_MAX + 8], why[REGERR_MAX];
	struct sbuf b;
	struct rx x;
	locale_t cloc, old = (locale_t)0;
	sh_status rc = SH_OK;
	int err;

	sb_init(&b, shown, sizeof shown);
	sb_show_str(&b, src);
	memset(&x, 0, sizeof x);
	x.src = x.p = src;
	if (rx_translate(&x) != 0) {
		if (x.oom)
			rc = nomem(c);
		else
			rc = cerr(c, kw,
			          "%s is not a supported regex: "
			          "%s (at offset %zu)",
			          shown, x.err, x.err_at);
		goto out;
	}
	/* The translation speaks in bytes; a UTF-8 LC_CTYPE would make glibc
	 * read the pattern as characters instead. glibc fixes the encoding
	 * into the compiled regex, so regexec needs no locale switch. */
	cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (cloc)
		old = uselocale(cloc);
	err = regcomp(re, x.out, REG_EXTENDED | REG_NOSUB);
	if (cloc) {
		uselocale(old);
		freelocale(cloc);
	}
	if (err != 0) {
		regerror(err, re, why, sizeof why);
		rc = cerr(c, kw, "%s is not a valid regex: %s", shown, why);
	}
out:
	free(x.out);
	return rc;
}

static sh_status compile_pattern(struct cctx *c, const cJSON *j, struct node *n)
{
	const cJSON *v = kw_get(j, "pattern");
	sh_status rc;

	if (!v)
		return SH_OK;
	if (!cJSON_IsString(v))
		return what_got(c, "pattern",
		                "must be a string (a regular "
		                "expression)",
		                v);
	if (v->valuestring[0] == '\0')
		return SH_OK; /* matches everywhere */
	rc = compile_regex(c, "pattern", v->valuestring, &n->re);
	if (rc != SH_OK)
		return rc;
	n->pattern = strdup(v->valuestring);
	if (!n->pattern) {
		regfree(&n->re);
		return nomem(c);
	}
	n->kw |= K_PATTERN;
	return SH_OK;
}

static sh_status compile_strings(struct cctx *c, const cJSON *j, struct node *n)
{
	sh_status rc;

	if ((rc = get_count(c, j, "minLength", K_MINLENGTH, n,
	                    &n->min_length)) ||
	    (rc = get_count(c, j, "maxLength", K_MAXLENGTH, n,
	                    &n->max_length)) ||
	    (rc = compile_pattern(c, j, n)))
		return rc;
	return SH_OK;
}

#define NOT_A_SCHEMA "must be a schema (an object or a boolean)"

static int is_schema(const cJSON *v)
{
	return cJSON_IsObject(v) || cJSON_IsBool(v);
}

static sh_status compile_list(struct cctx *c, const cJSON *j, const char *kw,
                              unsigned bit, struct node *n, struct nodes *out,
                              int depth);

static sh_status compile_arrays(struct cctx *c, const cJSON *j, struct node *n,
                                int depth)
{
	const cJSON *v = kw_get(j, "items");
	const char *items_kw = "items";
	sh_status rc;

	if (kw_get(j, "prefixItems")) {
		if (v && cJSON_IsArray(v))
			return cerr(c, "items",
			            "must be a schema when prefixItems is "
			            "there (an array here is draft-07's form "
			            "of prefixItems)");
		rc = compile_list(c, j, "prefixItems", K_PREFIX, n, &n->prefix,
		                  depth);
		if (rc != SH_OK)
			return rc;
	} else if (v && cJSON_IsArray(v)) {
		/* Draft-07's tuple form: items lists the prefix and
		 * additionalItems covers the rest. */
		rc = compile_list(c, j, "items", K_PREFIX, n, &n->prefix,
		                  depth);
		if (rc != SH_OK)
			return rc;
		v = kw_get(j, "additionalItems");
		items_kw = "additionalItems";
	}
	if (v) {
		if (!is_schema(v))
			return what_got(c, items_kw, NOT_A_SCHEMA, v);
		rc = compile_sub(c, v, items_kw, &n->items, depth);
		if (rc != SH_OK)
			return rc;
		if (n->items->kw != 0) /* "items": true checks nothing */
			n->kw |= K_ITEMS;
	}
	if ((rc = get_count(c, j, "minItems", K_MINITEMS, n, &n->min_items)) ||
	    (rc = get_count(c, j, "maxItems", K_MAXITEMS, n, &n->max_items)))
		return rc;
	v = kw_get(j, "uniqueItems");
	if (v) {
		if (!cJSON_IsBool(v))
			return what_got(c, "uniqueItems", "must be a boolean",
			                v);
		if (cJSON_IsTrue(v))
			n->kw |= K_UNIQUE;
	}
	v = kw_get(j, "contains");
	if (v) {
		if (!is_schema(v))
			return what_got(c, "contains", NOT_A_SCHEMA, v);
		rc = compile_sub(c, v, "contains", &n->contains, depth);
		if (rc != SH_OK)
			return rc;
		n->min_contains = 1;
		n->max_contains = SIZE_MAX;
		if ((rc = get_count(c, j, "minContains", 0, n,
		                    &n->min_contains)) ||
		    (rc = get_count(c, j, "maxContains", 0, n,
		                    &n->max_contains)))
			return rc;
		n->kw |= K_CONTAINS;
	}
	return SH_OK;
}

static int prop_cmp(const void *a, const void *b)
{
	const struct prop *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static sh_status compile_properties(struct cctx *c, const cJSON *j,
                                    struct node *n, int depth)
{
	const cJSON *v = kw_get(j, "properties"), *m;
	size_t count = 0, i, old;
	char shown[SHOW_MAX + 8];
	struct sbuf b;
	sh_status rc;

	if (!v)
		return SH_OK;
	if (!cJSON_IsObject(v))
		return what_got(c, "properties", "must be an object of schemas",
		                v);
	for (m = v->child; m; m = m->next)
		count++;
	if (count == 0)
		return SH_OK;
	n->props = calloc(count, sizeof *n->props);
	n->sorted = malloc(count * sizeof *n->sorted);
	if (!n->props || !n->sorted)
		return nomem(c);
	old = loc_push(c, "properties");
	for (m = v->child; m; m = m->next) {
		struct prop *p = &n->props[n->nprops];

		p->name = strdup(m->string ? m->string : "");
		if (!p->name)
			return nomem(c);
		n->nprops++;
		rc = compile_sub(c, m, p->name, &p->schema, depth);
		if (rc != SH_OK)
			return rc;
	}
	loc_pop(c, old);
	memcpy(n->sorted, n->props, count * sizeof *n->sorted);
	qsort(n->sorted, count, sizeof *n->sorted, prop_cmp);
	for (i = 1; i < count; i++) {
		if (strcmp(n->sorted[i - 1].name, n->sorted[i].name) == 0) {
			sb_init(&b, shown, sizeof shown);
			sb_show_str(&b, n->sorted[i].name);
			return cerr(c, "properties",
			            "property %s is defined "
			            "twice",
			            shown);
		}
	}
	if (count <= PROPS_LINEAR_MAX) {
		free(n->sorted);
		n->sorted = NULL;
	}
	n->kw |= K_PROPERTIES;
	return SH_OK;
}

static sh_status compile_required(struct cctx *c, const cJSON *j,
                                  struct node *n)
{
	const cJSON *v = kw_get(j, "required"), *e;
	size_t count = 0, i = 0;

	if (!v)
		return SH_OK;
	if (!cJSON_IsArray(v))
		return what_got(c, "required",
		                "must be an array of property "
		                "names",
		                v);
	for (e = v->child; e; e = e->next)
		count++;
	if (count == 0)
		return SH_OK;
	n->required = calloc(count, sizeof *n->required);
	if (!n->required)
		return nomem(c);
	for (e = v->child; e; e = e->next, i++) {
		if (!cJSON_IsString(e)) {
			loc_push(c, "required");
			loc_push_index(c, i);
			return what_got(c, NULL,
			                "must be a property name (a "
			                "string)",
			                e);
		}
		n->required[i] = strdup(e->valuestring);
		if (!n->required[i])
			return nomem(c);
		n->nrequired++;
	}
	n->kw |= K_REQUIRED;
	return SH_OK;
}

static sh_status compile_pattern_props(struct cctx *c, const cJSON *j,
                                       struct node *n, int depth)
{
	const cJSON *v = kw_get(j, "patternProperties"), *m;
	size_t count = 0, old;
	sh_status rc;

	if (!v)
		return SH_OK;
	if (!cJSON_IsObject(v))
		return what_got(c, "patternProperties",
		                "must be an object of schemas", v);
	for (m = v->child; m; m = m->next)
		count++;
	if (count == 0)
		return SH_OK;
	n->pprops = calloc(count, sizeof *n->pprops);
	if (!n->pprops)
		return nomem(c);
	old = loc_push(c, "patternProperties");
	for (m = v->child; m; m = m->next) {
		struct pprop *pp = &n->pprops[n->npprops];
		const char *src = m->string ? m->string : "";

		if (!is_schema(m))
			return what_got(c, src, NOT_A_SCHEMA, m);
		if (src[0] == '\0')
			pp->match_all = 1;
		else if ((rc = compile_regex(c, src, src, &pp->re)) != SH_OK)
			return rc;
		pp->pattern = strdup(src);
		if (!pp->pattern) {
			if (!pp->match_all)
				regfree(&pp->re);
			return nomem(c);
		}
		n->npprops++;
		rc = compile_sub(c, m, src, &pp->schema, depth);
		if (rc != SH_OK)
			return rc;
	}
	loc_pop(c, old);
	n->kw |= K_PATTERNPROPS;
	return SH_OK;
}

static sh_status compile_dep_required(struct cctx *c, const cJSON *j,
                                      struct node *n)
{
	const cJSON *v = kw_get(j, "dependentRequired"), *m, *e;
	size_t count = 0, k, old;

	if (!v)
		return SH_OK;
	if (!cJSON_IsObject(v))
		return what_got(c, "dependentRequired",
		                "must be an object of arrays of property "
		                "names",
		                v);
	for (m = v->child; m; m = m->next)
		count++;
	if (count == 0)
		return SH_OK;
	n->depreqs = calloc(count, sizeof *n->depreqs);
	if (!n->depreqs)
		return nomem(c);
	old = loc_push(c, "dependentRequired");
	for (m = v->child; m; m = m->next) {
		struct depreq *d = &n->depreqs[n->ndepreqs];
		size_t ne = 0;

		if (!cJSON_IsArray(m))
			return what_got(c, m->string ? m->string : "",
			                "must be an array of property names",
			                m);
		for (e = m->child; e; e = e->next)
			ne++;
		d->name = strdup(m->string ? m->string : "");
		d->required = calloc(ne ? ne : 1, sizeof *d->required);
		n->ndepreqs++;
		if (!d->name || !d->required)
			return nomem(c);
		for (e = m->child, k = 0; e; e = e->next, k++) {
			if (!cJSON_IsString(e)) {
				loc_push(c, d->name);
				loc_push_index(c, k);
				return what_got(c, NULL,
				                "must be a property name (a "
				                "string)",
				                e);
			}
			d->required[k] = strdup(e->valuestring);
			if (!d->required[k])
				return nomem(c);
			d->nrequired++;
		}
	}
	loc_pop(c, old);
	n->kw |= K_DEPREQ;
	return SH_OK;
}

static sh_status compile_objects(struct cctx *c, const cJSON *j, struct node *n,
                                 int depth)
{
	const cJSON *v;
	sh_status rc;

	if ((rc = compile_properties(c, j, n, depth)) ||
	    (rc = compile_pattern_props(c, j, n, depth)) ||
	    (rc = compile_required(c, j, n)) ||
	    (rc = compile_dep_required(c, j, n)) ||
	    (rc = get_count(c, j, "minProperties", K_MINPROPS, n,
	                    &n->min_props)) ||
	    (rc = get_count(c, j, "maxProperties", K_MAXPROPS, n,
	                    &n->max_props)))
		return rc;
	v = kw_get(j, "propertyNames");
	if (v) {
		if (!is_schema(v))
			return what_got(c, "propertyNames", NOT_A_SCHEMA, v);
		rc = compile_sub(c, v, "propertyNames", &n->prop_names, depth);
		if (rc != SH_OK)
			return rc;
		if (n->prop_names->kw != 0)
			n->kw |= K_PROPNAMES;
	}
	v = kw_get(j, "additionalProperties");
	if (v) {
		if (!is_schema(v))
			return what_got(c, "additionalProperties",
			                "must be a "
			                "boolean or a schema",
			                v);
		rc = compile_sub(c, v, "additionalProperties", &n->additional,
		                 depth);
		if (rc != SH_OK)
			return rc;
		if (n->additional->kw != 0)
			n->kw |= K_ADDITIONAL;
	}
	return SH_OK;
}

static sh_status compile_list(struct cctx *c, const cJSON *j, const char *kw,
                              unsigned bit, struct node *n, struct nodes *out,
                              int depth)
{
	const cJSON *v = kw_get(j, kw), *e;
	size_t count = 0, old, old_i;
	sh_status rc;

	if (!v)
		return SH_OK;
	if (!cJSON_IsArray(v) || !v->child)
		return what_got(c, kw, "must be a non-empty array of schemas",
		                v);
	for (e = v->child; e; e = e->next)
		count++;
	out->v = calloc(count, sizeof *out->v);
	if (!out->v)
		return nomem(c);
	old = loc_push(c, kw);
	for (e = v->child; e; e = e->next) {
		old_i = loc_push_index(c, out->n);
		if (!is_schema(e))
			return what_got(c, NULL, NOT_A_SCHEMA, e);
		rc = compile_sub(c, e, NULL, &out->v[out->n], depth);
		if (rc != SH_OK)
			return rc;
		out->n++;
		loc_pop(c, old_i);
	}
	loc_pop(c, old);
	n->kw |= bit;
	return SH_OK;
}

static sh_status compile_applicators(struct cctx *c, const cJSON *j,
                                     struct node *n, int depth)
{
	const cJSON *v;
	sh_status rc;

	if ((rc = compile_list(c, j, "allOf", K_ALLOF, n, &n->all_of, depth)) ||
	    (rc = compile_list(c, j, "anyOf", K_ANYOF, n, &n->any_of, depth)) ||
	    (rc = compile_list(c, j, "oneOf", K_ONEOF, n, &n->one_of, depth)))
		return rc;
	v = kw_get(j, "not");
	if (v) {
		if (!is_schema(v))
			return what_got(c, "not", NOT_A_SCHEMA, v);
		rc = compile_sub(c, v, "not", &n->not_schema, depth);
		if (rc != SH_OK)
			return rc;
		n->kw |= K_NOT;
	}
	/* then and else mean nothing without if. */
	if (!kw_get(j, "if"))
		return SH_OK;
	{
		static const char *const kws[3] = {"if", "then", "else"};
		struct node **slots[3] = {&n->if_schema, &n->then_schema,
		                          &n->else_schema};
		int k;

		for (k = 0; k < 3; k++) {
			v = kw_get(j, kws[k]);
			if (!v)
				continue;
			if (!is_schema(v))
				return what_got(c, kws[k], NOT_A_SCHEMA, v);
			rc = compile_sub(c, v, kws[k], slots[k], depth);
			if (rc != SH_OK)
				return rc;
		}
	}
	n->kw |= K_IF;
	return SH_OK;
}

/* Percent-decode a URI fragment (after the '#'); NULL when malformed. */
static char *fragment_decode(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	int hi, lo;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		hi = hexval(s[1]);
		lo = hi >= 0 ? hexval(s[2]) : -1;
		if (lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		*o++ = (char)(hi * 16 + lo);
		s += 2;
	}
	*o = '\0';
	return out;
}

/* Resolve a JSON Pointer fragment ("/a/b~1c/0") against the schema root. */
static sh_status resolve_ref(struct cctx *c, const char *ref, const cJSON **out)
{
	char shown[SHOW_MAX + 8], *frag = NULL, *seg = NULL, *p;
	const cJSON *cur = c->root;
	struct sbuf b;
	sh_status rc = SH_OK;
	size_t len;

	sb_init(&b, shown, sizeof shown);
	sb_show_str(&b, ref);
	if (ref[0] != '#')
		return cerr(c, "$ref",
		            "%s is not supported: only references "
		            "inside this schema (\"#\", \"#/$defs/NAME\") are",
		            shown);
	if (ref[1] != '\0' && ref[1] != '/' && ref[1] != '%')
		return cerr(c, "$ref",
		            "%s is not supported: anchors are not, "
		            "use \"#/$defs/NAME\"",
		            shown);
	frag = fragment_decode(ref + 1);
	if (!frag)
		return cerr(c, "$ref", "%s has a malformed %%-escape", shown);
	if (frag[0] != '\0' && frag[0] != '/') {
		rc = cerr(c, "$ref", "%s is not a JSON Pointer", shown);
		goto out;
	}
	seg = malloc(strlen(frag) + 1);
	if (!seg) {
		rc = nomem(c);
		goto out;
	}
	p = frag;
	while (*p == '/') {
		p++;
		len = 0;
		for (; *p && *p != '/'; p++) {
			if (*p != '~') {
				seg[len++] = *p;
			} else if (p[1] == '0' || p[1] == '1') {
				seg[len++] = p[1] == '0' ? '~' : '/';
				p++;
			} else {
				rc = cerr(c, "$ref",
				          "%s has a \"~\" that "
				          "is not ~0 or ~1",
				          shown);
				goto out;
			}
		}
		seg[len] = '\0';
		if (cJSON_IsObject(cur)) {
			cur = kw_get(cur, seg);
		} else if (cJSON_IsArray(cur) && len > 0 && len < 10 &&
		           strspn(seg, "0123456789") == len &&
		           (seg[0] != '0' || len == 1)) {
			cur = cJSON_GetArrayItem(cur, atoi(seg));
		} else {
			cur = NULL;
		}
		if (!cur) {
			rc = cerr(c, "$ref",
			          "%s does not resolve: nothing in "
			          "this schema is at that location",
			          shown);
			goto out;
		}
	}
	*out = cur;
out:
	free(seg);
	free(frag);
	return rc;
}

static sh_status compile_defs(struct cctx *c, const cJSON *j, const char *kw)
{
	const cJSON *v = kw_get(j, kw), *m;
	struct node *unused;
	size_t old, old_m;
	sh_status rc;

	if (!v)
		return SH_OK;
	if (!cJSON_IsObject(v))
		return what_got(c, kw, "must be an object of schemas", v);
	old = loc_push(c, kw);
	for (m = v->child; m; m = m->next) {
		/* Queued, so that a $ref to it shares the one compiled copy,
		 * and so a mistake in an unused definition still shows. */
		old_m = loc_push(c, m->string ? m->string : "");
		rc = target_get(c, m, c->loc, &unused);
		if (rc != SH_OK)
			return rc;
		loc_pop(c, old_m);
	}
	loc_pop(c, old);
	return SH_OK;
}

static sh_status compile_refs(struct cctx *c, const cJSON *j, struct node *n)
{
	const cJSON *v = kw_get(j, "$ref"), *target = NULL;
	char shown[SHOW_MAX + 8];
	struct sbuf b;
	size_t old;
	sh_status rc;

	if ((rc = compile_defs(c, j, "$defs")) ||
	    (rc = compile_defs(c, j, "definitions")))
		return rc;
	if (!v)
		return SH_OK;
	if (!cJSON_IsString(v))
		return what_got(c, "$ref", "must be a string", v);
	rc = resolve_ref(c, v->valuestring, &target);
	if (rc != SH_OK)
		return rc;
	if (!is_schema(target)) {
		sb_init(&b, shown, sizeof shown);
		sb_show_str(&b, v->valuestring);
		return cerr(c, "$ref", "%s points to a %s, not to a schema",
		            shown, json_kind(target));
	}
	old = loc_push(c, "$ref");
	n->ref_loc = strdup(c->loc);
	loc_pop(c, old);
	if (!n->ref_loc)
		return nomem(c);
	rc = target_get(c, target, v->valuestring, &n->ref);
	if (rc != SH_OK)
		return rc;
	n->kw |= K_REF;
	return SH_OK;
}

static sh_status compile_node(struct cctx *c, const cJSON *j, struct node *n,
                              int depth)
{
	sh_status rc;

	if (depth > SCHEMA_MAX_DEPTH)
		return cerr(c, NULL, "schema nested deeper than %d levels",
		            SCHEMA_MAX_DEPTH);
	if (cJSON_IsBool(j)) {
		if (cJSON_IsFalse(j))
			n->kw = K_FALSE;
		return SH_OK;
	}
	if (!cJSON_IsObject(j))
		return what_got(c, NULL,
		                "a schema must be an object or a "
		                "boolean",
		                j);
	if ((rc = compile_type(c, j, n)) || (rc = compile_values(c, j, n)) ||
	    (rc = compile_numbers(c, j, n)) ||
	    (rc = compile_strings(c, j, n)) ||
	    (rc = compile_arrays(c, j, n, depth)) ||
	    (rc = compile_objects(c, j, n, depth)) ||
	    (rc = compile_applicators(c, j, n, depth)) ||
	    (rc = compile_refs(c, j, n)))
		return rc;
	return SH_OK;
}

/* The i-th subschema that n applies to the same instance value. */
static struct node *inplace_edge(const struct node *n, size_t i)
{
	if (n->kw & K_REF) {
		if (i == 0)
			return n->ref;
		i--;
	}
	if (n->kw & K_NOT) {
		if (i == 0)
			return n->not_schema;
		i--;
	}
	if (i < n->all_of.n)
		return n->all_of.v[i];
	i -= n->all_of.n;
	if (i < n->any_of.n)
		return n->any_of.v[i];
	i -= n->any_of.n;
	if (i < n->one_of.n)
		return n->one_of.v[i];
	i -= n->one_of.n;
	if (n->kw & K_IF) {
		struct node *branches[3] = {n->if_schema, n->then_schema,
		                            n->else_schema};
		int k;

		for (k = 0; k < 3; k++) {
			if (!branches[k])
				continue;
			if (i == 0)
				return branches[k];
			i--;
		}
	}
	return NULL;
}

enum { WHITE, GRAY, BLACK };

/*
 * Refuse a $ref cycle that never descends into a property or item: it would
 * apply the same schema to the same value forever (or until the depth cap,
 * through 2^depth anyOf branches). Depth-first search over the in-place
 * edges, with an explicit stack since a $ref chain can be long.
 */
static sh_status check_cycles(struct cctx *c)
{
	struct frame {
		struct node *n;
		size_t next;
	} * stack;
	struct node *start, *to;
	size_t sp, k;
	sh_status rc = SH_OK;

	stack = malloc(c->s->nnodes * sizeof *stack);
	if (!stack)
		return nomem(c);
	for (start = c->s->nodes; start; start = start->next) {
		if (start->color != WHITE)
			continue;
		sp = 0;
		stack[sp].n = start;
		stack[sp++].next = 0;
		start->color = GRAY;
		while (sp > 0) {
			struct frame *f = &stack[sp - 1];

			to = inplace_edge(f->n, f->next++);
			if (!to) {
				f->n->color = BLACK;
				sp--;
				continue;
			}
			if (to->color == BLACK)
				continue;
			if (to->color == WHITE) {
				to->color = GRAY;
				stack[sp].n = to;
				stack[sp++].next = 0;
				continue;
			}
			/* Every cycle has a $ref edge: the rest follow the
			 * tree of the schema text. Name that $ref. */
			for (k = 0; stack[k].n != to; k++)
				;
			for (; k < sp; k++)
				if ((stack[k].n->kw & K_REF) &&
				    stack[k].next == 1)
					break;
			loc_set(c, k < sp ? stack[k].n->ref_loc : "#");
			rc = cerr(c, NULL,
			          "this $ref leads back to a "
			          "schema already being applied to the same "
			          "value, so validation would never end; a "
			          "recursive $ref must sit below properties, "
			          "items or additionalProperties");
			goto out;
		}
	}
out:
	free(stack);
	return rc;
}

sh_status schema_compile(const cJSON *root, struct schema **out,
                         struct sh_error *e)
{
	struct cctx *c;
	const cJSON *t;
	sh_status rc = SH_OK;
	size_t i;

	if (!out)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "schema_compile: no output");
	*out = NULL;
	if (!root)
		return sh_error_set(e, SH_ERR_INVALID, "no schema given");
	/* The context holds the location buffer: keep it off the stack. */
	c = calloc(1, sizeof *c);
	if (!c)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	c->e = e;
	c->root = root;
	loc_set(c, "#");
	c->s = calloc(1, sizeof *c->s);
	if (!c->s) {
		rc = nomem(c);
		goto out;
	}
	rc = target_get(c, root, "#", &c->s->root);
	if (rc != SH_OK)
		goto out;
	/* The queue grows while it is worked through: index, not pointer. */
	for (i = 0; i < c->ntargets; i++) {
		loc_set(c, c->targets[i].loc);
		rc = compile_node(c, c->targets[i].json, c->targets[i].node, 0);
		if (rc != SH_OK)
			goto out;
	}
	rc = check_cycles(c);
	if (rc != SH_OK)
		goto out;
	t = cJSON_IsObject(root) ? kw_get(root, "type") : NULL;
	c->s->root_is_object =
	        cJSON_IsString(t) && strcmp(t->valuestring, "object") == 0;
	*out = c->s;
	c->s = NULL;
out:
	for (i = 0; i < c->ntargets; i++)
		free(c->targets[i].loc);
	free(c->targets);
	schema_free(c->s);
	free(c);
	return rc;
}

sh_status schema_compile_text(const char *json, size_t len, struct schema **out,
                              struct sh_error *e)
{
	const char *end = NULL, *p;
	cJSON *root;
	sh_status rc;

	if (out)
		*out = NULL;
	if (!json || len == 0)
		return sh_error_set(e, SH_ERR_INVALID, "the schema is empty");
	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (!root)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the schema is not "
		                    "valid JSON (error near byte %zu)",
		                    end && end >= json ? (size_t)(end - json)
		                                       : 0);
	for (p = end; p && p < json + len; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
			cJSON_Delete(root);
			return sh_error_set(e, SH_ERR_INVALID,
			                    "the schema "
			                    "has data after its JSON value, at "
			                    "byte %zu",
			                    (size_t)(p - json));
		}
	}
	rc = schema_compile(root, out, e);
	cJSON_Delete(root);
	return rc;
}

int schema_root_is_object(const struct schema *s)
{
	return s ? s->root_is_object : 0;
}

void schema_free(struct schema *s)
{
	struct node *n, *next;

	if (!s)
		return;
	for (n = s->nodes; n; n = next) {
		next = n->next;
		node_free(n);
	}
	free(s);
}

/* ------------------------------------------------------------------ */
/* Validating. */

/* One step of the instance path, kept on the stack of check(). */
struct ipath {
	const struct ipath *up;
	const char *key; /* property name, or NULL for an array index */
	size_t index;
	int depth;
};

struct vctx {
	char *msg; /* where a failure is described; NULL while speculating */
	size_t cap;
	unsigned long steps;
	unsigned long passes; /* subschemas passed: progress, to rank anyOf */
	int depth;
	int aborted;
	/* The failure last written to msg, to pick the closest branch. */
	int err_depth;
	unsigned err_type; /* ERR_TYPE | expected types, for a type mismatch */
	char abort_msg[ABORT_MSG_MAX];
};

/* Marks err_type as set even when no type at all was expected. */
#define TOO_DEEP "the value is nested deeper than %d levels"
#define ERR_TYPE (1u << 31)

static int check(struct vctx *c, const struct node *n, const cJSON *v,
                 const struct ipath *p);

static void sb_path(struct sbuf *b, const struct ipath *p)
{
	const struct ipath *seg[SCHEMA_MAX_DEPTH + 1];
	size_t n = 0;
	const char *k;

	for (; p && p->up && n < sizeof seg / sizeof *seg; p = p->up)
		seg[n++] = p;
	if (n == 0) {
		sb_putc(b, '/');
		return;
	}
	while (n-- > 0) {
		sb_putc(b, '/');
		if (!seg[n]->key) {
			sb_printf(b, "%zu", seg[n]->index);
			continue;
		}
		for (k = seg[n]->key; *k; k++) {
			if (*k == '~')
				sb_puts(b, "~0");
			else if (*k == '/')
				sb_puts(b, "~1");
			else
				sb_putc(b, *k);
		}
	}
}

/* Start a failure message: "<path>: ". 0 when nobody wants one. */
static int msg_begin(struct vctx *c, const struct ipath *p, struct sbuf *b)
{
	if (!c->msg)
		return 0;
	c->err_depth = p->depth;
	c->err_type = 0;
	sb_init(b, c->msg, c->cap);
	sb_path(b, p);
	sb_puts(b, ": ");
	return 1;
}

static int msg_end(struct sbuf *b)
{
	sb_finish(b);
	return 0;
}

static COLD int fail(struct vctx *c, const struct ipath *p, const char *fmt,
                     ...) __attribute__((format(printf, 3, 4)));

static COLD int fail(struct vctx *c, const struct ipath *p, const char *fmt,
                     ...)
{
	struct sbuf b;
	va_list ap;

	if (!msg_begin(c, p, &b))
		return 0;
	va_start(ap, fmt);
	sb_vprintf(&b, fmt, ap);
	va_end(ap);
	return msg_end(&b);
}

/* Stop the whole validation (not just this branch), whatever anyOf or not
 * would make of a failure: the value is refused with this message. */
static COLD int abort_at(struct vctx *c, const struct ipath *p, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));

static COLD int abort_at(struct vctx *c, const struct ipath *p, const char *fmt,
                         ...)
{
	struct sbuf b;
	va_list ap;

	if (c->aborted)
		return 0;
	c->aborted = 1;
	sb_init(&b, c->abort_msg, sizeof c->abort_msg);
	sb_path(&b, p);
	sb_puts(&b, ": ");
	va_start(ap, fmt);
	sb_vprintf(&b, fmt, ap);
	va_end(ap);
	sb_finish(&b);
	return 0;
}

static COLD int fail_false(struct vctx *c, const struct ipath *p)
{
	return fail(c, p, "no value is allowed here");
}

static COLD int fail_type(struct vctx *c, unsigned mask, const cJSON *v,
                          const struct ipath *p)
{
	struct sbuf b;

	if (!msg_begin(c, p, &b))
		return 0;
	c->err_type = ERR_TYPE | mask;
	sb_puts(&b, "expected ");
	sb_types(&b, mask);
	sb_puts(&b, ", got ");
	sb_describe(&b, v);
	return msg_end(&b);
}

static COLD int fail_enum(struct vctx *c, const struct node *n, const cJSON *v,
                          const struct ipath *p)
{
	const cJSON *e;
	size_t i = 0, total = 0;
	struct sbuf b;

	if (!msg_begin(c, p, &b))
		return 0;
	for (e = n->enum_values->child; e; e = e->next)
		total++;
	sb_show(&b, v);
	if (total == 0) {
		sb_puts(&b, " is not allowed: the enum is empty");
		return msg_end(&b);
	}
	sb_puts(&b,
	        total == 1 ? " is not the allowed value " : " is not one of ");
	for (e = n->enum_values->child; e && i < LIST_MAX; e = e->next, i++) {
		if (i > 0)
			sb_puts(&b, ", ");
		sb_show(&b, e);
	}
	if (total > LIST_MAX)
		sb_printf(&b, ", ... (%zu values in all)", total);
	return msg_end(&b);
}

static COLD int fail_const(struct vctx *c, const struct node *n, const cJSON *v,
                           const struct ipath *p)
{
	struct sbuf b;

	if (!msg_begin(c, p, &b))
		return 0;
	sb_puts(&b, "must be ");
	sb_show(&b, n->const_value);
	sb_puts(&b, ", got ");
	sb_show(&b, v);
	return msg_end(&b);
}

static COLD int fail_bound(struct vctx *c, const struct ipath *p, double x,
                           const char *what, double bound, const char *kw)
{
	char xs[NUM_MAX], bs[NUM_MAX];

	fmt_number(xs, sizeof xs, x);
	fmt_number(bs, sizeof bs, bound);
	return fail(c, p, "%s %s %s%s", xs, what, bs, kw);
}

static COLD int fail_length(struct vctx *c, const cJSON *v, size_t chars,
                            int too_long, size_t bound, const struct ipath *p)
{
	struct sbuf b;

	if (!msg_begin(c, p, &b))
		return 0;
	sb_show(&b, v);
	sb_printf(&b, " has %zu character%s, %s than the %s length %zu", chars,
	          chars == 1 ? "" : "s", too_long ? "more" : "fewer",
	          too_long ? "maximum" : "minimum", bound);
	return msg_end(&b);
}

static COLD int fail_pattern(struct vctx *c, const struct node *n,
                             const cJSON *v, const struct ipath *p)
{
	struct sbuf b;

	if (!msg_begin(c, p, &b))
		return 0;
	sb_show(&b, v);
	sb_puts(&b, " does not match the pattern ");
	sb_show_str(&b, n->pattern);
	return msg_end(&b);
}

static COLD int fail_items(struct vctx *c, size_t count, int too_many,
                           size_t bound, const struct ipath *p)
{
	return fail(c, p, "the array has %zu item%s, %s than the %s %zu", count,
	            count == 1 ? "" : "s", too_many ? "more" : "fewer",
	            too_many ? "maximum" : "minimum", bound);
}

static COLD int fail_unexpected(struct vctx *c, const struct node *n,
                                const char *key, const struct ipath *p)
{
	struct sbuf b;
	size_t i;

	if (!msg_begin(c, p, &b))
		return 0;
	sb_puts(&b, "unexpected property ");
	sb_show_str(&b, key);
	if (n->nprops == 0 && n->npprops == 0) {
		sb_puts(&b, " (this object takes no properties)");
		return msg_end(&b);
	}
	sb_puts(&b, " (allowed: ");
	for (i = 0; i < n->nprops && i < LIST_MAX; i++) {
		if (i > 0)
			sb_puts(&b, ", ");
		sb_show_str(&b, n->props[i].name);
	}
	if (n->nprops > LIST_MAX)
		sb_printf(&b, ", ... (%zu in all)", n->nprops);
	for (i = 0; i < n->npprops && i < LIST_MAX; i++) {
		sb_puts(&b, i > 0 || n->nprops > 0 ? ", names matching "
		                                   : "names matching ");
		sb_show_str(&b, n->pprops[i].pattern);
	}
	sb_putc(&b, ')');
	return msg_end(&b);
}

static COLD int fail_multiple(struct vctx *c, const struct ipath *p, double x,
                              double m)
{
	char xs[NUM_MAX], ms[NUM_MAX];

	fmt_number(xs, sizeof xs, x);
	fmt_number(ms, sizeof ms, m);
	return fail(c, p, "%s is not a multiple of %s", xs, ms);
}

static COLD int fail_props(struct vctx *c, size_t count, int too_many,
                           size_t bound, const struct ipath *p)
{
	return fail(c, p, "the object has %zu propert%s, %s than the %s %zu",
	            count, count == 1 ? "y" : "ies",
	            too_many ? "more" : "fewer",
	            too_many ? "maximum" : "minimum", bound);
}

static COLD int fail_duplicate(struct vctx *c, size_t i, size_t j,
                               const struct ipath *p)
{
	return fail(c, p,
	            "items %zu and %zu are equal, but the items must be "
	            "distinct (uniqueItems)",
	            i, j);
}

static COLD int fail_extra_items(struct vctx *c, size_t count, size_t prefix,
                                 const struct ipath *p)
{
	return fail(c, p,
	            "the array has %zu items, but only the first %zu are "
	            "allowed (the schema lists %zu and forbids more)",
	            count, prefix, prefix);
}

static COLD int fail_contains(struct vctx *c, size_t count, int too_many,
                              size_t bound, const struct ipath *p)
{
	if (count == 0)
		return fail(c, p,
		            "no item of the array matches the schema of "
		            "\"contains\"");
	return fail(c, p,
	            "%zu item%s of the array match%s the schema of "
	            "\"contains\", %s than the %s %zu",
	            count, count == 1 ? "" : "s", count == 1 ? "es" : "",
	            too_many ? "more" : "fewer",
	            too_many ? "maximum (maxContains)"
	                     : "minimum (minContains)",
	            bound);
}

static COLD int fail_dep_required(struct vctx *c, const char *name,
                                  const char *needed, const struct ipath *p)
{
	struct sbuf b;

	if (!msg_begin(c, p, &b))
		return 0;
	sb_puts(&b, "missing property ");
	sb_show_str(&b, needed);
	sb_puts(&b, ", which is required when ");
	sb_show_str(&b, name);
	sb_puts(&b, " is given");
	return msg_end(&b);
}

static COLD int fail_required(struct vctx *c, const char *name,
                              const struct ipath *p)
{
	struct sbuf b;

	if (!msg_begin(c, p, &b))
		return 0;
	sb_puts(&b, "missing required property ");
	sb_show_str(&b, name);
	return msg_end(&b);
}

static COLD int fail_not(struct vctx *c, const struct node *n, const cJSON *v,
                         const struct ipath *p)
{
	const struct node *ns = n->not_schema;
	struct sbuf b;

	if (!msg_begin(c, p, &b))
		return 0;
	if (ns->kw == K_TYPE) {
		sb_puts(&b, "must not be ");
		sb_types(&b, ns->types);
		sb_puts(&b, ", got ");
		sb_describe(&b, v);
	} else if (ns->kw == K_CONST || ns->kw == K_ENUM) {
		sb_show(&b, v);
		sb_puts(&b, " is a forbidden value");
	} else {
		sb_show(&b, v);
		sb_puts(&b, " matches the schema under \"not\", which is not "
		            "allowed");
	}
	return msg_end(&b);
}

static COLD int fail_one_of_many(struct vctx *c, size_t nbranches, size_t first,
                                 size_t second, const struct ipath *p)
{
	return fail(c, p,
	            "matches more than one of the %zu allowed shapes "
	            "(oneOf branches %zu and %zu); it must match exactly one",
	            nbranches, first, second);
}

/*
 * Every branch of an anyOf/oneOf failed. Re-run them with messages and say
 * the most useful thing: when exactly one branch has the value's type, that
 * branch's own error; when none has, the types that would do; otherwise the
 * error of the branch that got furthest.
 */
static COLD int fail_branches(struct vctx *c, const struct nodes *br,
                              const char *kw, const cJSON *v,
                              const struct ipath *p)
{
	char *saved = c->msg, *cur, *best, *tmp;
	size_t saved_cap = c->cap, nfit = 0, i;
	unsigned long best_passes = 0, progress, before;
	unsigned types = 0;
	int best_depth = 0;
	struct sbuf b;

	if (!saved)
		return 0;
	cur = malloc(MSG_MAX);
	best = malloc(MSG_MAX);
	if (!cur || !best) {
		free(cur);
		free(best);
		return fail(c, p, "matches none of the %zu allowed shapes (%s)",
		            br->n, kw);
	}
	best[0] = '\0';
	for (i = 0; i < br->n && !c->aborted; i++) {
		before = c->passes;
		c->msg = cur;
		c->cap = MSG_MAX;
		cur[0] = '\0';
		c->err_type = 0;
		c->err_depth = p->depth;
		if (check(c, br->v[i], v, p) || c->aborted)
			continue;
		if (c->err_type && c->err_depth == p->depth) {
			types |= c->err_type & ~ERR_TYPE;
			continue;
		}
		progress = c->passes - before;
		if (nfit == 0 || progress > best_passes ||
		    (progress == best_passes && c->err_depth > best_depth)) {
			tmp = best;
			best = cur;
			cur = tmp;
			best_passes = progress;
			best_depth = c->err_depth;
		}
		nfit++;
	}
	c->msg = saved;
	c->cap = saved_cap;
	if (c->aborted)
		goto out; /* the abort message is the one reported */
	if (nfit == 0 && types) {
		fail_type(c, types, v, p);
	} else if (nfit == 1) {
		copy_msg(c->msg, c->cap, best);
		c->err_type = 0;
		c->err_depth = best_depth;
	} else if (msg_begin(c, p, &b)) {
		sb_printf(&b, "matches none of the %zu allowed shapes (%s)",
		          br->n, kw);
		if (best[0]) {
			sb_puts(&b, "; the closest fails with: ");
			sb_puts(&b, best);
		}
		msg_end(&b);
		c->err_depth = best_depth;
	}
out:
	free(cur);
	free(best);
	return 0;
}

static int in_enum(const cJSON *values, const cJSON *v)
{
	const cJSON *e;

	for (e = values->child; e; e = e->next)
		if (json_equal(e, v))
			return 1;
	return 0;
}

/* x / m is whole, up to the rounding of decimal input: 0.07 is a multiple
 * of 0.01 though 0.07 / 0.01 is 7.000000000000001 in doubles. The slack is
 * a few units in the last place of the quotient, so 100000000.5 is still no
 * multiple of 1. Past 2^53 every double is whole. */
static int is_multiple(double x, double m)
{
	double q = x / m;

	if (!(fabs(q) < 0x1p53))
		return 1;
	return fabs(q - nearbyint(q)) <= 8 * DBL_EPSILON * fmax(1.0, fabs(q));
}

static int check_number(struct vctx *c, const struct node *n, const cJSON *v,
                        const struct ipath *p)
{
	double x = v->valuedouble;
	unsigned kw = n->kw;

	if ((kw & K_MINIMUM) && x < n->minimum)
		return fail_bound(c, p, x, "is less than the minimum",
		                  n->minimum, "");
	if ((kw & K_MAXIMUM) && x > n->maximum)
		return fail_bound(c, p, x, "is greater than the maximum",
		                  n->maximum, "");
	if ((kw & K_XMINIMUM) && x <= n->xminimum)
		return fail_bound(c, p, x, "must be greater than", n->xminimum,
		                  " (exclusiveMinimum)");
	if ((kw & K_XMAXIMUM) && x >= n->xmaximum)
		return fail_bound(c, p, x, "must be less than", n->xmaximum,
		                  " (exclusiveMaximum)");
	if ((kw & K_MULTIPLEOF) && !is_multiple(x, n->multiple_of))
		return fail_multiple(c, p, x, n->multiple_of);
	return 1;
}

static int check_string(struct vctx *c, const struct node *n, const cJSON *v,
                        const struct ipath *p)
{
	const char *s = v->valuestring ? v->valuestring : "";
	unsigned kw = n->kw;
	size_t bytes, chars;

	if (kw & (K_MINLENGTH | K_MAXLENGTH)) {
		/* A character is 1 to 4 bytes: the byte count alone settles
		 * most strings without decoding them. */
		bytes = strlen(s);
		if ((kw & K_MAXLENGTH) && bytes > n->max_length) {
			chars = utf8_count(s, bytes);
			if (chars > n->max_length)
				return fail_length(c, v, chars, 1,
				                   n->max_length, p);
		}
		if ((kw & K_MINLENGTH) && bytes / 4 < n->min_length) {
			chars = utf8_count(s, bytes);
			if (chars < n->min_length)
				return fail_length(c, v, chars, 0,
				                   n->min_length, p);
		}
	}
	if ((kw & K_PATTERN) && regexec(&n->re, s, 0, NULL, 0) != 0)
		return fail_pattern(c, n, v, p);
	return 1;
}

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* A hash that agrees with json_equal: members in any order, 1 and 1.0 and
 * -0 and 0 alike. Instances nest no deeper than SCHEMA_MAX_DEPTH. */
static uint64_t json_hash(const cJSON *v)
{
	uint64_t h = (uint64_t)(v->type & 0xFF) * 0x9E3779B97F4A7C15ULL, sum;
	const cJSON *e;
	double d;

	switch (v->type & 0xFF) {
	case cJSON_Number:
		d = v->valuedouble == 0 ? 0.0 : v->valuedouble;
		memcpy(&sum, &d, sizeof sum);
		return mix64(h ^ sum);
	case cJSON_String:
	case cJSON_Raw:
		return mix64(h ^
		             str_hash(v->valuestring ? v->valuestring : ""));
	case cJSON_Array:
		for (e = v->child; e; e = e->next)
			h = mix64(h * 31 + json_hash(e));
		return h;
	case cJSON_Object:
		sum = 0;
		for (e = v->child; e; e = e->next)
			sum += mix64(str_hash(e->string ? e->string : "") ^
			             (json_hash(e) * 3));
		return mix64(h ^ sum);
	}
	return mix64(h);
}

struct uitem {
	uint64_t hash;
	size_t index;
	const cJSON *v;
};

static int uitem_cmp(const void *a, const void *b)
{
	const struct uitem *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int check_unique(struct vctx *c, const cJSON *v, size_t count,
                        const struct ipath *p)
{
	const cJSON *x, *y;
	struct uitem *u;
	size_t i, j, a, b;

	if (count <= UNIQUE_PAIRWISE_MAX) {
		for (x = v->child, i = 0; x; x = x->next, i++)
			for (y = x->next, j = i + 1; y; y = y->next, j++)
				if (json_equal(x, y))
					return fail_duplicate(c, i, j, p);
		return 1;
	}
	u = malloc(count * sizeof *u);
	if (!u)
		return abort_at(c, p, "out of memory checking uniqueItems");
	for (x = v->child, i = 0; x; x = x->next, i++) {
		u[i].hash = json_hash(x);
		u[i].index = i;
		u[i].v = x;
	}
	qsort(u, count, sizeof *u, uitem_cmp);
	for (i = 0; i < count; i = j) {
		for (j = i + 1; j < count && u[j].hash == u[i].hash; j++)
			;
		for (a = i; a < j; a++)
			for (b = a + 1; b < j; b++)
				if (json_equal(u[a].v, u[b].v)) {
					size_t first = u[a].index,
					       second = u[b].index;

					free(u);
					return fail_duplicate(c, first, second,
					                      p);
				}
	}
	free(u);
	return 1;
}

static int check_array(struct vctx *c, const struct node *n, const cJSON *v,
                       const struct ipath *p)
{
	const cJSON *e;
	struct ipath ip;
	unsigned kw = n->kw;
	size_t count = 0, matched = 0;
	char *saved;

	if (kw & (K_MINITEMS | K_MAXITEMS | K_UNIQUE)) {
		for (e = v->child; e; e = e->next)
			count++;
		if ((kw & K_MINITEMS) && count < n->min_items)
			return fail_items(c, count, 0, n->min_items, p);
		if ((kw & K_MAXITEMS) && count > n->max_items)
			return fail_items(c, count, 1, n->max_items, p);
		if ((kw & K_UNIQUE) && count > 1 &&
		    !check_unique(c, v, count, p))
			return 0;
	}
	if (!(kw & (K_ITEMS | K_PREFIX | K_CONTAINS)))
		return 1;
	if (!v->child)
		return (kw & K_CONTAINS) && n->min_contains > 0
		               ? fail_contains(c, 0, 0, n->min_contains, p)
		               : 1;
	if (p->depth >= SCHEMA_MAX_DEPTH)
		return abort_at(c, p, TOO_DEEP, SCHEMA_MAX_DEPTH);
	ip.up = p;
	ip.key = NULL;
	ip.depth = p->depth + 1;
	ip.index = 0;
	for (e = v->child; e; e = e->next, ip.index++) {
		const struct node *sub = NULL;

		if (ip.index < n->prefix.n)
			sub = n->prefix.v[ip.index];
		else if (kw & K_ITEMS)
			sub = n->items;
		else
			break;
		if (n->prefix.n && sub == n->items && (sub->kw & K_FALSE)) {
			for (count = ip.index; e; e = e->next)
				count++;
			return fail_extra_items(c, count, n->prefix.n, p);
		}
		if (!check(c, sub, e, &ip))
			return 0;
	}
	if (!(kw & K_CONTAINS))
		return 1;
	/* Items are tried without messages: most may not match. */
	saved = c->msg;
	c->msg = NULL;
	ip.index = 0;
	for (e = v->child; e && !c->aborted; e = e->next, ip.index++)
		if (check(c, n->contains, e, &ip))
			matched++;
	c->msg = saved;
	if (c->aborted)
		return 0;
	if (matched < n->min_contains)
		return fail_contains(c, matched, 0, n->min_contains, p);
	if (matched > n->max_contains)
		return fail_contains(c, matched, 1, n->max_contains, p);
	return 1;
}

static const struct node *find_prop(const struct node *n, const char *key)
{
	size_t i, lo, hi, mid;
	int cmp;

	if (!n->sorted) {
		for (i = 0; i < n->nprops; i++)
			if (n->props[i].name[0] == key[0] &&
			    strcmp(n->props[i].name, key) == 0)
				return n->props[i].schema;
		return NULL;
	}
	lo = 0;
	hi = n->nprops;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = strcmp(key, n->sorted[mid].name);
		if (cmp == 0)
			return n->sorted[mid].schema;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int check_object(struct vctx *c, const struct node *n, const cJSON *v,
                        const struct ipath *p)
{
	const struct node *ps;
	const cJSON *m;
	struct ipath ip;
	unsigned kw = n->kw;
	size_t i, k, count = 0;

	if (kw & (K_MINPROPS | K_MAXPROPS)) {
		for (m = v->child; m; m = m->next)
			count++;
		if ((kw & K_MINPROPS) && count < n->min_props)
			return fail_props(c, count, 0, n->min_props, p);
		if ((kw & K_MAXPROPS) && count > n->max_props)
			return fail_props(c, count, 1, n->max_props, p);
	}
	if ((kw &
	     (K_PROPERTIES | K_ADDITIONAL | K_PATTERNPROPS | K_PROPNAMES)) &&
	    v->child) {
		if (p->depth >= SCHEMA_MAX_DEPTH)
			return abort_at(c, p, TOO_DEEP, SCHEMA_MAX_DEPTH);
		ip.up = p;
		ip.index = 0;
		ip.depth = p->depth + 1;
		for (m = v->child; m; m = m->next) {
			int matched = 0;

			ip.key = m->string ? m->string : "";
			if (kw & K_PROPNAMES) {
				/* The name itself, checked as a string. */
				cJSON name;

				memset(&name, 0, sizeof name);
				name.type = cJSON_String;
				name.valuestring = (char *)(uintptr_t)ip.key;
				if (!check(c, n->prop_names, &name, &ip))
					return 0;
			}
			ps = find_prop(n, ip.key);
			if (ps) {
				matched = 1;
				if (!check(c, ps, m, &ip))
					return 0;
			}
			for (k = 0; k < n->npprops; k++) {
				const struct pprop *pp = &n->pprops[k];

				if (!pp->match_all &&
				    regexec(&pp->re, ip.key, 0, NULL, 0) != 0)
					continue;
				matched = 1;
				if (!check(c, pp->schema, m, &ip))
					return 0;
			}
			if (!matched && (kw & K_ADDITIONAL)) {
				if (n->additional->kw & K_FALSE)
					return fail_unexpected(c, n, ip.key, p);
				if (!check(c, n->additional, m, &ip))
					return 0;
			}
		}
	}
	if (kw & K_REQUIRED)
		for (i = 0; i < n->nrequired; i++)
			if (!find_member(v, n->required[i]))
				return fail_required(c, n->required[i], p);
	if (kw & K_DEPREQ)
		for (i = 0; i < n->ndepreqs; i++) {
			const struct depreq *d = &n->depreqs[i];

			if (!find_member(v, d->name))
				continue;
			for (k = 0; k < d->nrequired; k++)
				if (!find_member(v, d->required[k]))
					return fail_dep_required(
					        c, d->name, d->required[k], p);
		}
	return 1;
}

static int check_apply(struct vctx *c, const struct node *n, const cJSON *v,
                       const struct ipath *p)
{
	unsigned kw = n->kw;
	char *saved = c->msg;
	size_t i, first, second;
	int ok;

	if (kw & K_ALLOF)
		for (i = 0; i < n->all_of.n; i++)
			if (!check(c, n->all_of.v[i], v, p))
				return 0;
	if (kw & K_ANYOF) {
		/* Branches are tried without messages: most of them are
		 * expected to fail. */
		c->msg = NULL;
		for (i = 0; i < n->any_of.n && !c->aborted; i++)
			if (check(c, n->any_of.v[i], v, p))
				break;
		c->msg = saved;
		if (c->aborted)
			return 0;
		if (i == n->any_of.n)
			return fail_branches(c, &n->any_of, "anyOf", v, p);
	}
	if (kw & K_ONEOF) {
		first = second = SIZE_MAX;
		c->msg = NULL;
		for (i = 0; i < n->one_of.n && !c->aborted; i++) {
			if (!check(c, n->one_of.v[i], v, p))
				continue;
			if (first != SIZE_MAX) {
				second = i;
				break;
			}
			first = i;
		}
		c->msg = saved;
		if (c->aborted)
			return 0;
		if (first == SIZE_MAX)
			return fail_branches(c, &n->one_of, "oneOf", v, p);
		if (second != SIZE_MAX)
			return fail_one_of_many(c, n->one_of.n, first, second,
			                        p);
	}
	if (kw & K_NOT) {
		c->msg = NULL;
		ok = check(c, n->not_schema, v, p);
		c->msg = saved;
		if (c->aborted)
			return 0;
		if (ok)
			return fail_not(c, n, v, p);
	}
	if (kw & K_IF) {
		const struct node *branch;

		c->msg = NULL;
		ok = !n->if_schema || check(c, n->if_schema, v, p);
		c->msg = saved;
		if (c->aborted)
			return 0;
		branch = ok ? n->then_schema : n->else_schema;
		if (branch && !check(c, branch, v, p))
			return 0;
	}
	if (kw & K_REF)
		return check(c, n->ref, v, p);
	return 1;
}

static int check_node(struct vctx *c, const struct node *n, const cJSON *v,
                      const struct ipath *p)
{
	unsigned kw = n->kw;

	if (kw & K_FALSE)
		return fail_false(c, p);
	if ((kw & K_TYPE) && !(n->types & type_bits(v)))
		return fail_type(c, n->types, v, p);
	if ((kw & K_ENUM) && !in_enum(n->enum_values, v))
		return fail_enum(c, n, v, p);
	if ((kw & K_CONST) && !json_equal(n->const_value, v))
		return fail_const(c, n, v, p);
	switch (v->type & 0xFF) {
	case cJSON_Number:
		if ((kw & K_NUMBER_KWS) && !check_number(c, n, v, p))
			return 0;
		break;
	case cJSON_String:
		if ((kw & K_STRING_KWS) && !check_string(c, n, v, p))
			return 0;
		break;
	case cJSON_Array:
		if ((kw & K_ARRAY_KWS) && !check_array(c, n, v, p))
			return 0;
		break;
	case cJSON_Object:
		if ((kw & K_OBJECT_KWS) && !check_object(c, n, v, p))
			return 0;
		break;
	default: break;
	}
	if ((kw & K_APPLY_KWS) && !check_apply(c, n, v, p))
		return 0;
	return 1;
}

static int check(struct vctx *c, const struct node *n, const cJSON *v,
                 const struct ipath *p)
{
	int ok;

	if (n->kw == 0) {
		c->passes++;
		return 1;
	}
	if (++c->steps > STEPS_MAX)
		return abort_at(c, p,
		                "validation gave up after %lu steps: "
		                "the schema is too complex for this value",
		                STEPS_MAX);
	if (c->depth >= EVAL_DEPTH_MAX)
		return abort_at(c, p,
		                "validation gave up: subschemas nest "
		                "deeper than %d levels",
		                EVAL_DEPTH_MAX);
	c->depth++;
	ok = check_node(c, n, v, p);
	c->depth--;
	c->passes += (unsigned long)ok;
	return ok;
}

int schema_validate(const struct schema *s, const cJSON *instance, char *msg,
                    size_t cap)
{
	const struct ipath root = {NULL, NULL, 0, 0};
	char buf[MSG_MAX];
	struct vctx c;

	if (msg && cap > 0)
		msg[0] = '\0';
	if (!s || !instance) {
		copy_msg(msg, cap,
		         s ? "/: there is no value to validate"
		           : "/: there is no schema to validate with");
		return 0;
	}
	c.msg = msg && cap > 0 ? buf : NULL;
	c.cap = sizeof buf;
	c.steps = 0;
	c.passes = 0;
	c.depth = 0;
	c.aborted = 0;
	c.err_depth = 0;
	c.err_type = 0;
	buf[0] = '\0';
	if (check(&c, s->root, instance, &root))
		return 1;
	if (!c.msg)
		return 0;
	if (c.aborted)
		copy_msg(msg, cap, c.abort_msg);
	else
		copy_msg(msg, cap,
		         buf[0] ? buf
		                : "/: the value does not match "
		                  "the schema");
	return 0;
}
