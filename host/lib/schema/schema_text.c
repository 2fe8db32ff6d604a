/*
 * schema_text.c - the text side of the schema validator: bounded string
 * building for messages (which must not allocate), rendering values and
 * types for messages, and the JSON helpers the compiler and the validator
 * share. See schema_int.h.
 */
#include "schema_int.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>

const char *const type_names[NTYPES] = {"null",   "boolean", "object", "array",
                                        "number", "integer", "string"};

/* ------------------------------------------------------------------ */
/* Bounded string building: never overflows, always NUL-terminated. */

void sb_init(struct sbuf *b, char *p, size_t cap)
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

void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

void sb_putc(struct sbuf *b, char ch)
{
	sb_putn(b, &ch, 1);
}

void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	int n;

	if (b->len < b->cap)
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	else
		n = vsnprintf(NULL, 0, fmt, ap);
	if (n > 0)
		b->len += (size_t)n;
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
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
void sb_finish(struct sbuf *b)
{
	size_t n;

	if (b->len < b->cap || b->cap <= 4)
		return;
	n = utf8_cut(b->p, b->cap - 4);
	memcpy(b->p + n, "...", 4);
}

void copy_msg(char *dst, size_t cap, const char *src)
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

void fmt_number(char *buf, size_t cap, double x)
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

/* Append the rendering in t (made in a SHOW_MAX + 1 buffer) to b; when it
 * was cut, end it at a character boundary with "..." and, for a string,
 * its closing quote so it still reads as one. */
static void put_shown(struct sbuf *b, const struct sbuf *t, int is_string)
{
	size_t n;

	if (t->len < t->cap) {
		sb_puts(b, t->p);
		return;
	}
	n = utf8_cut(t->p, SHOW_MAX - 4);
	sb_putn(b, t->p, n);
	sb_puts(b, is_string ? "...\"" : "...");
}

/* Append v as compact JSON, cut to about SHOW_MAX bytes. */
void sb_show(struct sbuf *b, const cJSON *v)
{
	char tmp[SHOW_MAX + 1];
	struct sbuf t;

	sb_init(&t, tmp, sizeof tmp);
	sb_json(&t, v);
	put_shown(b, &t, cJSON_IsString(v));
}

void sb_show_str(struct sbuf *b, const char *s)
{
	char tmp[SHOW_MAX + 1];
	struct sbuf t;

	sb_init(&t, tmp, sizeof tmp);
	sb_jstring(&t, s);
	put_shown(b, &t, 1);
}

const char *json_kind(const cJSON *v)
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
void sb_describe(struct sbuf *b, const cJSON *v)
{
	sb_puts(b, json_kind(v));
	if (!cJSON_IsNull(v)) {
		sb_putc(b, ' ');
		sb_show(b, v);
	}
}

/* "string", "string or null", "string, number or null": in an order that
 * reads naturally, null last, whatever order the schema listed them in. */
void sb_types(struct sbuf *b, unsigned mask)
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

int json_equal(const cJSON *a, const cJSON *b)
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
int depth_within(const cJSON *v, int limit)
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
