/*
 * schema_int.h - what the parts of the schema validator share; not part of
 * the library's interface (schema.h is).
 *
 * The validator is four modules along its seams:
 *   schema.c           compiling: cJSON schema -> graph of struct node
 *   schema_validate.c  validating an instance against that graph
 *   schema_regex.c     ECMA-262 pattern -> POSIX ERE (schema_regex.h)
 *   schema_text.c      bounded message building, rendering values for
 *                      messages, and JSON helpers for both sides
 * The compiled graph below is the contract between the compiler and the
 * validator: every keyword becomes a field plus a bit in node->kw.
 *
 * Everything declared here is hidden from the shared library's symbol
 * table. Threads: [any] as schema.h.
 */
#ifndef SH_SCHEMA_INT_H
#define SH_SCHEMA_INT_H

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "schema.h"

#pragma GCC visibility push(hidden)

/* Longest message built internally; the caller's buffer may be smaller. */
#define MSG_MAX 1024
/* Longest rendering of one value, pattern or name inside a message. */
#define SHOW_MAX 64
/* Room for any double in %.17g, or a {n,m} quantifier. */
#define NUM_MAX 40
/* Up to this many properties a linear scan beats a binary search. */
#define PROPS_LINEAR_MAX 8

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
/* Indexed by bit position of T_*. */
extern const char *const type_names[NTYPES];

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
/* Bounded string building (schema_text.c): never overflows, always
 * NUL-terminated; len counts what was asked for, so len >= cap means the
 * text was cut. Used for messages, which must not allocate. */

struct sbuf {
	char *p;
	size_t cap; /* at least 1 */
	size_t len; /* bytes asked for, which may pass cap */
};

void sb_init(struct sbuf *b, char *p, size_t cap);
void sb_puts(struct sbuf *b, const char *s);
void sb_putc(struct sbuf *b, char ch);
void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));
void sb_printf(struct sbuf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Mark a cut message with "..." so a reader knows the rest is missing. */
void sb_finish(struct sbuf *b);
/* Copy src into dst[cap], cut at a UTF-8 boundary with "..." when long. */
void copy_msg(char *dst, size_t cap, const char *src);

/* Rendering values for messages. */
/* x as the shortest text that reads back as the same double. */
void fmt_number(char *buf, size_t cap, double x);
/* v as compact JSON, cut to about SHOW_MAX bytes. */
void sb_show(struct sbuf *b, const cJSON *v);
/* s as a JSON string, cut to about SHOW_MAX bytes. */
void sb_show_str(struct sbuf *b, const char *s);
/* "a string", "an object", ... for v. */
const char *json_kind(const cJSON *v);
/* v's kind and value, for "got ..." in messages. */
void sb_describe(struct sbuf *b, const cJSON *v);
/* The types in mask as "a string or a number". */
void sb_types(struct sbuf *b, unsigned mask);

/* ------------------------------------------------------------------ */
/* JSON helpers shared by compile and validate. The small ones are inline:
 * validation calls them once per value. */

static inline int is_integral(double d)
{
	/* Every double of magnitude 2^52 or more is an integer. */
	if (fabs(d) < 0x1p52)
		return d == (double)(int64_t)d;
	return isfinite(d);
}

static inline unsigned type_bits(const cJSON *v)
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

static inline const cJSON *find_member(const cJSON *obj, const char *key)
{
	const cJSON *m;

	for (m = obj->child; m; m = m->next)
		if (m->string && strcmp(m->string, key) == 0)
			return m;
	return NULL;
}

static inline size_t utf8_count(const char *s, size_t bytes)
{
	size_t i, n = 0;

	for (i = 0; i < bytes; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* 1 when a and b are equal JSON values (numbers by value, objects
 * regardless of member order). */
int json_equal(const cJSON *a, const cJSON *b);
/* 1 when v nests no deeper than limit, checked without deeper recursion. */
int depth_within(const cJSON *v, int limit);

#pragma GCC visibility pop

#endif /* SH_SCHEMA_INT_H */
