/*
 * schema_validate.c - validating an instance against a compiled schema.
 * See schema.h for the contract and schema_int.h for the compiled graph.
 *
 * Validation walks the instance and the graph together. It allocates nothing
 * unless it fails with a message asked for: the instance path is a chain of
 * stack frames that becomes text only when a message is written.
 */
#include "schema_int.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>

#define COLD __attribute__((cold, noinline))

/* Enum values or allowed property names listed in one message. */
#define LIST_MAX 8
/* Room for the abort message, which outlives speculative branches. */
#define ABORT_MSG_MAX 256
/* Nested subschema applications during one validation. Larger than
 * SCHEMA_MAX_DEPTH (which bounds instance nesting) because a chain of $refs
 * or allOfs applies several subschemas at one instance level. */
#define EVAL_DEPTH_MAX (8 * SCHEMA_MAX_DEPTH)
/* Subschema applications per validation: anyOf/oneOf over a recursive
 * schema can otherwise take time exponential in the instance depth. */
#define STEPS_MAX (1UL << 22)
/* Up to this many items uniqueItems compares every pair; past it, it sorts
 * the items by a hash first (which allocates). */
#define UNIQUE_PAIRWISE_MAX 32

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

	for (; p && p->up && n < sizeof seg / sizeof(const struct ipath *);
	     p = p->up)
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
				/* cJSON's field is not const; check only reads
				 * it. */
				// NOLINTNEXTLINE(performance-no-int-to-ptr)
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
