/*
 * toolfmt_vendor.c - vendor tool declarations. See toolfmt_vendor.h.
 */
#include "toolfmt_vendor.h"

#include "schema_portable.h"
#include "toolfmt.h"

#include <stdio.h>
#include <string.h>

static const char *const vendor_names[TOOLFMT_VENDOR_COUNT] = {
        [TOOLFMT_OPENAI] = "openai",
        [TOOLFMT_OPENAI_RESPONSES] = "openai-responses",
        [TOOLFMT_ANTHROPIC] = "anthropic",
        [TOOLFMT_BEDROCK] = "bedrock",
        [TOOLFMT_GEMINI] = "gemini",
        [TOOLFMT_GEMINI_OPENAPI] = "gemini-openapi",
        [TOOLFMT_OLLAMA] = "ollama",
};

int toolfmt_vendor_parse(const char *name, enum toolfmt_vendor *out)
{
	for (int i = 0; i < TOOLFMT_VENDOR_COUNT; i++)
		if (name && !strcmp(name, vendor_names[i])) {
			*out = (enum toolfmt_vendor)i;
			return 1;
		}
	return 0;
}

const char *toolfmt_vendor_name(enum toolfmt_vendor v)
{
	return (int)v >= 0 && v < TOOLFMT_VENDOR_COUNT ? vendor_names[v]
	                                               : "unknown";
}

const char *toolfmt_vendor_names(void)
{
	return "openai, openai-responses, anthropic, bedrock, gemini, "
	       "gemini-openapi, ollama";
}

/* ---- OpenAI strict mode ------------------------------------------------ */

struct strict_walk {
	int props;
	int enums;
};

static int type_has(const cJSON *type, const char *name)
{
	const cJSON *t;

	if (cJSON_IsString(type))
		return !strcmp(type->valuestring, name);
	cJSON_ArrayForEach(t, type) if (cJSON_IsString(t) &&
	                                !strcmp(t->valuestring, name)) return 1;
	return 0;
}

static int strict_node(struct strict_walk *w, const cJSON *s, int depth,
                       int root);

static int strict_object(struct strict_walk *w, const cJSON *s, int depth)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
	const cJSON *ap =
	        cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
	const cJSON *p, *r;
	int nprops = 0, nreq = 0;

	if (!cJSON_IsFalse(ap))
		return 0;
	if (props && !cJSON_IsObject(props))
		return 0;
	if (req && !cJSON_IsArray(req))
		return 0;
	cJSON_ArrayForEach(p, props)
	{
		int listed = 0;
		cJSON_ArrayForEach(r, req) if (cJSON_IsString(r) &&
		                               !strcmp(r->valuestring,
		                                       p->string)) listed = 1;
		if (!listed)
			return 0;
		nprops++;
		if (++w->props > TOOLFMT_STRICT_MAX_PROPERTIES ||
		    !strict_node(w, p, depth + 1, 0))
			return 0;
	}
	cJSON_ArrayForEach(r, req) nreq++;
	/* A required name that is not a property would never validate. */
	return nreq == nprops;
}

static int strict_node(struct strict_walk *w, const cJSON *s, int depth,
                       int root)
{
	const cJSON *k, *type, *sub;

	if (!cJSON_IsObject(s) || depth > TOOLFMT_STRICT_MAX_DEPTH)
		return 0;
	cJSON_ArrayForEach(k, s)
	{
		if (!sp_in_list(k->string, sp_strict_keywords))
			return 0;
	}
	type = cJSON_GetObjectItemCaseSensitive(s, "type");
	if (type && !cJSON_IsString(type) && !cJSON_IsArray(type))
		return 0;
	if (root && !(type && cJSON_IsString(type) &&
	              !strcmp(type->valuestring, "object")))
		return 0;
	if (type_has(type, "object") ||
	    cJSON_GetObjectItemCaseSensitive(s, "properties")) {
		if (!strict_object(w, s, depth))
			return 0;
	}
	if ((sub = cJSON_GetObjectItemCaseSensitive(s, "items")) &&
	    !strict_node(w, sub, depth + 1, 0))
		return 0;
	if ((sub = cJSON_GetObjectItemCaseSensitive(s, "anyOf"))) {
		const cJSON *b;
		if (root || !cJSON_IsArray(sub))
			return 0;
		cJSON_ArrayForEach(
		        b, sub) if (!strict_node(w, b, depth, 0)) return 0;
	}
	for (int i = 0; i < 2; i++) {
		const cJSON *d;
		sub = cJSON_GetObjectItemCaseSensitive(s, i ? "definitions"
		                                            : "$defs");
		if (sub && !cJSON_IsObject(sub))
			return 0;
		cJSON_ArrayForEach(
		        d, sub) if (!strict_node(w, d, depth, 0)) return 0;
	}
	if ((sub = cJSON_GetObjectItemCaseSensitive(s, "enum"))) {
		if (!cJSON_IsArray(sub))
			return 0;
		w->enums += cJSON_GetArraySize(sub);
		if (w->enums > TOOLFMT_STRICT_MAX_ENUM)
			return 0;
	}
	if ((sub = cJSON_GetObjectItemCaseSensitive(s, "format")) &&
	    (!cJSON_IsString(sub) ||
	     !sp_in_list(sub->valuestring, sp_strict_formats)))
		return 0;
	if ((sub = cJSON_GetObjectItemCaseSensitive(s, "$ref")) &&
	    (!cJSON_IsString(sub) || sub->valuestring[0] != '#'))
		return 0;
	return 1;
}

int toolfmt_openai_strict_ok(const cJSON *schema)
{
	struct strict_walk w = {0};

	return strict_node(&w, schema, 0, 1);
}

/* ---- Gemini ------------------------------------------------------------ */

cJSON *toolfmt_gemini_json_schema(const cJSON *schema)
{
	cJSON *c = cJSON_Duplicate(schema, 1);

	if (c)
		cJSON_DeleteItemFromObjectCaseSensitive(c, "$schema");
	return c;
}

struct gconv {
	const cJSON *root;
	const char *refs[TOOLFMT_MAX_DEPTH]; /* $refs being expanded */
	int nrefs;
	int expansions;
	struct sh_error *e;
};

static cJSON *gnode(struct gconv *g, const cJSON *s, int depth);

/* The schema a local $ref names, or NULL (with g->e set). */
static const cJSON *resolve_ref(struct gconv *g, const char *ref)
{
	const char *name;
	const cJSON *defs;

	if (!strcmp(ref, "#"))
		return g->root;
	if (!strncmp(ref, "#/$defs/", 8)) {
		defs = cJSON_GetObjectItemCaseSensitive(g->root, "$defs");
		name = ref + 8;
	} else if (!strncmp(ref, "#/definitions/", 14)) {
		defs = cJSON_GetObjectItemCaseSensitive(g->root, "definitions");
		name = ref + 14;
	} else {
		sh_error_set(g->e, SH_ERR_INVALID,
		             "$ref \"%s\" is not a local #/$defs/ or "
		             "#/definitions/ reference",
		             ref);
		return NULL;
	}
	if (!cJSON_GetObjectItemCaseSensitive(defs, name)) {
		sh_error_set(g->e, SH_ERR_INVALID, "$ref \"%s\" names nothing",
		             ref);
		return NULL;
	}
	return cJSON_GetObjectItemCaseSensitive(defs, name);
}

static cJSON *gref(struct gconv *g, const cJSON *s, const char *ref, int depth)
{
	const cJSON *target, *desc;
	cJSON *out;

	for (int i = 0; i < g->nrefs; i++)
		if (!strcmp(g->refs[i], ref)) {
			sh_error_set(g->e, SH_ERR_INVALID,
			             "$ref \"%s\" is recursive, which Gemini's "
			             "OpenAPI subset cannot express; use the "
			             "gemini format (parametersJsonSchema)",
			             ref);
			return NULL;
		}
	if (g->nrefs == TOOLFMT_MAX_DEPTH ||
	    ++g->expansions > TOOLFMT_MAX_REF_EXPANSIONS) {
		sh_error_set(g->e, SH_ERR_INVALID,
		             "the schema expands to more than %d $refs",
		             TOOLFMT_MAX_REF_EXPANSIONS);
		return NULL;
	}
	if (!(target = resolve_ref(g, ref)))
		return NULL;
	g->refs[g->nrefs++] = ref;
	out = gnode(g, target, depth + 1);
	g->nrefs--;
	desc = cJSON_GetObjectItemCaseSensitive(s, "description");
	if (out && cJSON_IsString(desc) &&
	    !cJSON_GetObjectItemCaseSensitive(out, "anyOf")) {
		cJSON_DeleteItemFromObjectCaseSensitive(out, "description");
		cJSON_AddStringToObject(out, "description", desc->valuestring);
	}
	return out;
}

/* Merge allOf's members into one schema (properties and required are
 * unioned; other keywords are taken from the first that has them). */
static cJSON *gallof(struct gconv *g, const cJSON *s, const cJSON *all,
                     int depth)
{
	cJSON *merged = cJSON_Duplicate(s, 1), *out = NULL;
	const cJSON *m;

	if (!merged)
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(merged, "allOf");
	cJSON_ArrayForEach(m, all)
	{
		const cJSON *ref = cJSON_GetObjectItemCaseSensitive(m, "$ref");
		const cJSON *k;
		if (cJSON_IsString(ref) &&
		    !(m = resolve_ref(g, ref->valuestring)))
			goto out;
		cJSON_ArrayForEach(k, m)
		{
			cJSON *have = cJSON_GetObjectItemCaseSensitive(
			        merged, k->string);
			const cJSON *c;
			if (!strcmp(k->string, "$ref"))
				continue;
			if (!have) {
				cJSON_AddItemToObject(merged, k->string,
				                      cJSON_Duplicate(k, 1));
				continue;
			}
			if (cJSON_IsObject(have) && cJSON_IsObject(k) &&
			    !strcmp(k->string, "properties")) {
				cJSON_ArrayForEach(c, k) if (
				        !cJSON_GetObjectItemCaseSensitive(
				                have, c->string))
				        cJSON_AddItemToObject(
				                have, c->string,
				                cJSON_Duplicate(c, 1));
			} else if (cJSON_IsArray(have) && cJSON_IsArray(k) &&
			           !strcmp(k->string, "required")) {
				cJSON_ArrayForEach(c, k) cJSON_AddItemToArray(
				        have, cJSON_Duplicate(c, 1));
			}
		}
	}
	out = gnode(g, merged, depth + 1);
out:
	cJSON_Delete(merged);
	return out;
}

static void upper(char *dst, const char *src, size_t cap)
{
	size_t i = 0;

	for (; src[i] && i + 1 < cap; i++)
		dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32
		                                               : src[i]);
	dst[i] = '\0';
}

static void copy_if(cJSON *out, const cJSON *s, const char *from,
                    const char *to, int (*is)(const cJSON *))
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, from);

	if (v && is(v) && !cJSON_GetObjectItemCaseSensitive(out, to))
		cJSON_AddItemToObject(out, to, cJSON_Duplicate(v, 1));
}

static int is_any(const cJSON *v)
{
	(void)v;
	return 1;
}

static int is_number(const cJSON *v)
{
	return cJSON_IsNumber(v);
}

static int is_string(const cJSON *v)
{
	return cJSON_IsString(v);
}

/* Append " Allowed values: a, b." (or another note) to the description. */
static void add_note(cJSON *out, const char *label, const cJSON *values)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(out, "description");
	char *vals = cJSON_PrintUnformatted(values);
	char buf[2048];

	if (!vals)
		return;
	snprintf(buf, sizeof buf, "%s%s%s %s.",
	         cJSON_IsString(d) ? d->valuestring : "",
	         cJSON_IsString(d) && d->valuestring[0] ? " " : "", label,
	         vals);
	cJSON_free(vals);
	cJSON_DeleteItemFromObjectCaseSensitive(out, "description");
	cJSON_AddStringToObject(out, "description", buf);
}

static int all_strings(const cJSON *a)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, a) if (!cJSON_IsString(v)) return 0;
	return 1;
}

/* One node restricted to a single type (NULL: no type keyword). */
static cJSON *gtyped(struct gconv *g, const cJSON *s, const char *type,
                     int nullable, int depth)
{
	static const char *const formats[] = {"date-time", "float", "double",
	                                      "int32",     "int64", NULL};
	cJSON *out = cJSON_CreateObject();
	const cJSON *v, *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
	const cJSON *cst = cJSON_GetObjectItemCaseSensitive(s, "const");
	char T[16];

	if (!out)
		return NULL;
	if (!type && cJSON_IsArray(en) && all_strings(en))
		type = "string";
	if (!type && cJSON_IsString(cst))
		type = "string";
	if (type) {
		upper(T, type, sizeof T);
		cJSON_AddStringToObject(out, "type", T);
	}
	if (nullable ||
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "nullable")))
		cJSON_AddBoolToObject(out, "nullable", 1);
	copy_if(out, s, "title", "title", is_string);
	copy_if(out, s, "description", "description", is_string);
	if (cJSON_IsArray(en) && all_strings(en) &&
	    (!type || !strcmp(type, "string"))) {
		cJSON_AddStringToObject(out, "format", "enum");
		cJSON_AddItemToObject(out, "enum", cJSON_Duplicate(en, 1));
	} else if (cJSON_IsArray(en)) {
		add_note(out, "Allowed values:", en);
	}
	if (cJSON_IsString(cst) && (!type || !strcmp(type, "string"))) {
		cJSON *one = cJSON_CreateArray();
		cJSON_AddItemToArray(one, cJSON_CreateString(cst->valuestring));
		cJSON_AddStringToObject(out, "format", "enum");
		cJSON_AddItemToObject(out, "enum", one);
	} else if (cst) {
		add_note(out, "Must be", cst);
	}
	v = cJSON_GetObjectItemCaseSensitive(s, "format");
	if (cJSON_IsString(v) && sp_in_list(v->valuestring, formats))
		copy_if(out, s, "format", "format", is_string);

	if (!type || !strcmp(type, "object")) {
		const cJSON *props =
		        cJSON_GetObjectItemCaseSensitive(s, "properties");
		const cJSON *req =
		        cJSON_GetObjectItemCaseSensitive(s, "required");
		if (cJSON_IsObject(props)) {
			cJSON *p = cJSON_AddObjectToObject(out, "properties");
			const cJSON *k;
			cJSON_ArrayForEach(k, props)
			{
				cJSON *c = gnode(g, k, depth + 1);
				if (!c)
					goto fail;
				cJSON_AddItemToObject(p, k->string, c);
			}
			if (cJSON_IsArray(req)) {
				cJSON *r =
				        cJSON_AddArrayToObject(out, "required");
				cJSON_ArrayForEach(k, req) if (
				        cJSON_IsString(k) &&
				        cJSON_GetObjectItemCaseSensitive(
				                props, k->valuestring))
				        cJSON_AddItemToArray(
				                r, cJSON_CreateString(
				                           k->valuestring));
			}
		}
		copy_if(out, s, "minProperties", "minProperties", is_number);
		copy_if(out, s, "maxProperties", "maxProperties", is_number);
	}
	if (!type || !strcmp(type, "array")) {
		const cJSON *items =
		        cJSON_GetObjectItemCaseSensitive(s, "items");
		if (cJSON_IsObject(items) || cJSON_IsBool(items)) {
			cJSON *c = gnode(g, items, depth + 1);
			if (!c)
				goto fail;
			cJSON_AddItemToObject(out, "items", c);
		} else if (type) {
			/* Gemini refuses an ARRAY without items. */
			cJSON_AddObjectToObject(out, "items");
		}
		copy_if(out, s, "minItems", "minItems", is_number);
		copy_if(out, s, "maxItems", "maxItems", is_number);
	}
	if (!type || !strcmp(type, "string")) {
		copy_if(out, s, "minLength", "minLength", is_number);
		copy_if(out, s, "maxLength", "maxLength", is_number);
		copy_if(out, s, "pattern", "pattern", is_string);
	}
	if (!type || !strcmp(type, "number") || !strcmp(type, "integer")) {
		copy_if(out, s, "minimum", "minimum", is_number);
		copy_if(out, s, "maximum", "maximum", is_number);
		copy_if(out, s, "exclusiveMinimum", "minimum", is_number);
		copy_if(out, s, "exclusiveMaximum", "maximum", is_number);
	}
	copy_if(out, s, "default", "default", is_any);
	copy_if(out, s, "example", "example", is_any);
	v = cJSON_GetObjectItemCaseSensitive(s, "examples");
	if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0 &&
	    !cJSON_GetObjectItemCaseSensitive(out, "example"))
		cJSON_AddItemToObject(
		        out, "example",
		        cJSON_Duplicate(cJSON_GetArrayItem(v, 0), 1));
	return out;
fail:
	cJSON_Delete(out);
	return NULL;
}

/* anyOf of the converted branches, each carrying the outer description
 * (anyOf must be the only field on its node). */
static cJSON *ganyof(struct gconv *g, const cJSON *s, const cJSON *list,
                     int depth)
{
	const cJSON *desc = cJSON_GetObjectItemCaseSensitive(s, "description");
	cJSON *out = cJSON_CreateObject(), *arr, *c;
	const cJSON *b;

	if (!out || !(arr = cJSON_AddArrayToObject(out, "anyOf")))
		goto fail;
	cJSON_ArrayForEach(b, list)
	{
		if (!(c = gnode(g, b, depth + 1)))
			goto fail;
		if (cJSON_IsString(desc) &&
		    !cJSON_GetObjectItemCaseSensitive(c, "description") &&
		    !cJSON_GetObjectItemCaseSensitive(c, "anyOf"))
			cJSON_AddStringToObject(c, "description",
			                        desc->valuestring);
		cJSON_AddItemToArray(arr, c);
	}
	return out;
fail:
	cJSON_Delete(out);
	return NULL;
}

static cJSON *gnode(struct gconv *g, const cJSON *s, int depth)
{
	const char *types[8];
	int ntypes = 0, nullable = 0;
	const cJSON *v, *type;
	cJSON *out, *arr;

	if (depth > TOOLFMT_MAX_DEPTH) {
		sh_error_set(g->e, SH_ERR_INVALID,
		             "the schema nests deeper than %d levels",
		             TOOLFMT_MAX_DEPTH);
		return NULL;
	}
	if (cJSON_IsBool(s))
		return cJSON_CreateObject();
	if (!cJSON_IsObject(s)) {
		sh_error_set(g->e, SH_ERR_INVALID,
		             "a schema must be an object or a boolean");
		return NULL;
	}
	if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(s, "$ref")))
		return gref(g, s, v->valuestring, depth);
	if (cJSON_IsArray(v = cJSON_GetObjectItemCaseSensitive(s, "allOf")))
		return gallof(g, s, v, depth);
	if (cJSON_IsArray(v = cJSON_GetObjectItemCaseSensitive(s, "anyOf")) ||
	    cJSON_IsArray(v = cJSON_GetObjectItemCaseSensitive(s, "oneOf")))
		return ganyof(g, s, v, depth);

	type = cJSON_GetObjectItemCaseSensitive(s, "type");
	if (cJSON_IsString(type)) {
		types[ntypes++] = type->valuestring;
	} else if (cJSON_IsArray(type)) {
		cJSON_ArrayForEach(v, type) if (cJSON_IsString(v) && ntypes < 8)
		        types[ntypes++] = v->valuestring;
	}
	for (int i = 0; i < ntypes; i++)
		if (!strcmp(types[i], "null")) {
			nullable = 1;
			types[i--] = types[--ntypes];
		}
	if (ntypes == 0 && !type) {
		if (cJSON_GetObjectItemCaseSensitive(s, "properties"))
			types[ntypes++] = "object";
		else if (cJSON_GetObjectItemCaseSensitive(s, "items"))
			types[ntypes++] = "array";
	}
	if (ntypes <= 1)
		return gtyped(g, s, ntypes ? types[0] : NULL, nullable, depth);

	out = cJSON_CreateObject();
	if (!out || !(arr = cJSON_AddArrayToObject(out, "anyOf")))
		goto fail;
	for (int i = 0; i < ntypes; i++) {
		cJSON *c = gtyped(g, s, types[i], nullable, depth);
		if (!c)
			goto fail;
		cJSON_AddItemToArray(arr, c);
	}
	return out;
fail:
	cJSON_Delete(out);
	return NULL;
}

sh_status toolfmt_gemini_openapi(const cJSON *schema, cJSON **out,
                                 struct sh_error *e)
{
	struct gconv g = {.root = schema, .e = e};
	const cJSON *props;
	cJSON *r;

	*out = NULL;
	sh_error_clear(e);
	r = gnode(&g, schema, 0);
	if (!r)
		return e && e->status != SH_OK
		               ? e->status
		               : sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	props = cJSON_GetObjectItemCaseSensitive(r, "properties");
	if (!props || !props->child) {
		cJSON_Delete(r);
		return SH_OK;
	}
	*out = r;
	return SH_OK;
}

/* ---- declarations ------------------------------------------------------ */

/* {[type,] name, description, parameters[, strict]}; strict < 0 leaves it
 * out. params is consumed. */
static cJSON *fn_object(const struct tool *t, cJSON *params, int strict,
                        int typed)
{
	cJSON *f = cJSON_CreateObject();

	if (!f || (typed && !cJSON_AddStringToObject(f, "type", "function")) ||
	    !cJSON_AddStringToObject(f, "name", t->mcp_name) ||
	    !cJSON_AddStringToObject(f, "description", t->desc->description)) {
		cJSON_Delete(f);
		cJSON_Delete(params);
		return NULL;
	}
	cJSON_AddItemToObject(f, "parameters", params);
	if (strict >= 0 && !cJSON_AddBoolToObject(f, "strict", strict)) {
		cJSON_Delete(f);
		return NULL;
	}
	return f;
}

static cJSON *typed_function(cJSON *f)
{
	cJSON *o;

	if (!f)
		return NULL;
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "type", "function")) {
		cJSON_Delete(o);
		cJSON_Delete(f);
		return NULL;
	}
	cJSON_AddItemToObject(o, "function", f);
	return o;
}

sh_status toolfmt_vendor_tool(const struct tool *t, enum toolfmt_vendor v,
                              cJSON **out, struct sh_error *e)
{
	cJSON *schema = toolfmt_input_schema(t);
	cJSON *o = NULL, *conv = NULL;
	sh_status rc = SH_OK;
	int strict;

	*out = NULL;
	if (!schema)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: the input schema is not valid JSON "
		                    "(or out of memory)",
		                    t->canonical);
	switch (v) {
	case TOOLFMT_OPENAI:
		strict = toolfmt_openai_strict_ok(schema);
		o = typed_function(fn_object(t, schema, strict, 0));
		schema = NULL;
		break;
	case TOOLFMT_OLLAMA:
		o = typed_function(fn_object(t, schema, -1, 0));
		schema = NULL;
		break;
	case TOOLFMT_OPENAI_RESPONSES:
		strict = toolfmt_openai_strict_ok(schema);
		o = fn_object(t, schema, strict, 1);
		schema = NULL;
		break;
	case TOOLFMT_ANTHROPIC:
		o = cJSON_CreateObject();
		if (o && cJSON_AddStringToObject(o, "name", t->mcp_name) &&
		    cJSON_AddStringToObject(o, "description",
		                            t->desc->description)) {
			cJSON_AddItemToObject(o, "input_schema", schema);
			schema = NULL;
		} else {
			cJSON_Delete(o);
			o = NULL;
		}
		break;
	case TOOLFMT_BEDROCK: {
		cJSON *spec = cJSON_CreateObject(), *in;
		o = cJSON_CreateObject();
		if (o && spec &&
		    cJSON_AddStringToObject(spec, "name", t->mcp_name) &&
		    cJSON_AddStringToObject(spec, "description",
		                            t->desc->description) &&
		    (in = cJSON_AddObjectToObject(spec, "inputSchema"))) {
			cJSON_AddItemToObject(in, "json", schema);
			cJSON_AddItemToObject(o, "toolSpec", spec);
			schema = NULL;
		} else {
			cJSON_Delete(spec);
			cJSON_Delete(o);
			o = NULL;
		}
		break;
	}
	case TOOLFMT_GEMINI:
	case TOOLFMT_GEMINI_OPENAPI:
		if (v == TOOLFMT_GEMINI) {
			conv = toolfmt_gemini_json_schema(schema);
			if (!conv)
				break;
		} else if ((rc = toolfmt_gemini_openapi(schema, &conv, e)) !=
		           SH_OK) {
			sh_error_prefix(e, "%s: input schema", t->canonical);
			break;
		}
		o = cJSON_CreateObject();
		if (o && cJSON_AddStringToObject(o, "name", t->mcp_name) &&
		    cJSON_AddStringToObject(o, "description",
		                            t->desc->description)) {
			if (conv)
				cJSON_AddItemToObject(
				        o,
				        v == TOOLFMT_GEMINI
				                ? "parametersJsonSchema"
				                : "parameters",
				        conv);
			conv = NULL;
		} else {
			cJSON_Delete(o);
			o = NULL;
		}
		break;
	default:
		rc = sh_error_set(e, SH_ERR_USAGE, "unknown tool format %d",
		                  (int)v);
	}
	cJSON_Delete(schema);
	cJSON_Delete(conv);
	if (rc != SH_OK)
		return rc;
	if (!o)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	*out = o;
	return SH_OK;
}

sh_status toolfmt_vendor_wrap(cJSON *decls, enum toolfmt_vendor v, cJSON **out,
                              struct sh_error *e)
{
	cJSON *o = cJSON_CreateObject(), *inner;

	*out = NULL;
	if (!o)
		goto nomem;
	switch (v) {
	case TOOLFMT_BEDROCK:
		if (!(inner = cJSON_AddObjectToObject(o, "toolConfig")))
			goto nomem;
		cJSON_AddItemToObject(inner, "tools", decls);
		break;
	case TOOLFMT_GEMINI:
	case TOOLFMT_GEMINI_OPENAPI: {
		cJSON *arr = cJSON_AddArrayToObject(o, "tools");
		if (!arr || !(inner = cJSON_CreateObject()))
			goto nomem;
		cJSON_AddItemToArray(arr, inner);
		cJSON_AddItemToObject(inner, "functionDeclarations", decls);
		break;
	}
	default: cJSON_AddItemToObject(o, "tools", decls);
	}
	*out = o;
	return SH_OK;
nomem:
	cJSON_Delete(o);
	cJSON_Delete(decls);
	return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
}

sh_status toolfmt_vendor_request(struct catalog *cat, enum toolfmt_vendor v,
                                 cJSON **out, struct sh_error *e)
{
	cJSON *decls = cJSON_CreateArray();
	sh_status rc;

	*out = NULL;
	if (!decls)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < catalog_tool_count(cat); i++) {
		cJSON *d;
		rc = toolfmt_vendor_tool(catalog_tool_at(cat, i), v, &d, e);
		if (rc != SH_OK) {
			cJSON_Delete(decls);
			return rc;
		}
		cJSON_AddItemToArray(decls, d);
	}
	return toolfmt_vendor_wrap(decls, v, out, e);
}
