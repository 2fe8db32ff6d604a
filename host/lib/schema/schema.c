/*
 * schema.c - compiling a JSON Schema for the validator. See schema.h for
 * the contract; schema_int.h lists the other parts (validation, regex
 * translation, message text).
 *
 * Compiling turns the cJSON schema into a graph of struct node: each keyword
 * becomes a field plus a bit in node->kw, so validation tests bits and
 * compares numbers instead of looking keys up in the schema. Every $ref
 * target and every $defs entry is compiled once, from a work queue keyed by
 * the cJSON node it comes from; that is what turns a recursive schema into a
 * finite graph instead of an endless compile.
 */
#include "schema_int.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "schema_regex.h"

/* Room for regerror()'s text. */
#define REGERR_MAX 128
/* Longest keyword location kept for compile errors. */
#define LOC_MAX 512

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
	struct schema_rx_error rxe;
	char *ere;
	locale_t cloc, old = (locale_t)0;
	sh_status rc = SH_OK;
	int err;

	sb_init(&b, shown, sizeof shown);
	sb_show_str(&b, src);
	if (!(ere = schema_regex_translate(src, &rxe))) {
		if (rxe.oom)
			return nomem(c);
		return cerr(c, kw,
		            "%s is not a supported regex: %s (at offset %zu)",
		            shown, rxe.why, rxe.at);
	}
	/* The translation speaks in bytes; a UTF-8 LC_CTYPE would make glibc
	 * read the pattern as characters instead. glibc fixes the encoding
	 * into the compiled regex, so regexec needs no locale switch. */
	cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (cloc)
		old = uselocale(cloc);
	err = regcomp(re, ere, REG_EXTENDED | REG_NOSUB);
	if (cloc) {
		uselocale(old);
		freelocale(cloc);
	}
	if (err != 0) {
		regerror(err, re, why, sizeof why);
		rc = cerr(c, kw, "%s is not a valid regex: %s", shown, why);
	}
	free(ere);
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
	out->v = calloc(count, sizeof(struct node *));
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
		hi = schema_hexval(s[1]);
		lo = hi >= 0 ? schema_hexval(s[2]) : -1;
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
			/* to is GRAY, so it is on the stack below sp. */
			// NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult)
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
	        t && cJSON_IsString(t) && strcmp(t->valuestring, "object") == 0;
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
