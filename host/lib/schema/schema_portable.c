/*
 * schema_portable.c - schema portability rules per target. See
 * schema_portable.h.
 *
 * Where each rule comes from (checked December 2026):
 *  - Anthropic Messages API: tools[].input_schema must have "type":
 *    "object", and the API answers 400 "input_schema does not support
 *    oneOf, allOf, or anyOf at the top level" (the error Claude Code and
 *    Claude Desktop surface; reported e.g. in nspady/google-calendar-mcp#39
 *    and imagekit-nodejs#150). Bedrock's Converse API passes
 *    toolSpec.inputSchema.json to the same models and refuses the same.
 *  - OpenAI function calling: "schema must have type 'object' and not have
 *    'oneOf'/'anyOf'/'allOf'/'enum'/'not' at the top level" (the 400 Codex
 *    CLI shows; langchainjs#9804), newer deployments add 'const'.
 *    Strict mode (Structured Outputs guide, "Supported schemas"): every
 *    object has additionalProperties: false and lists every property in
 *    required; only the documented keywords and string formats
 *    (date-time, time, date, duration, email, hostname, ipv4, ipv6, uuid).
 *  - Gemini: parametersJsonSchema takes "$id, $defs, $ref, $anchor, type,
 *    format, title, description, enum, items, prefixItems, minItems,
 *    maxItems, minimum, maximum, anyOf, oneOf, properties,
 *    additionalProperties, required" (+ propertyOrdering); other keywords
 *    are ignored, "If $ref is set on a sub-schema, no other properties,
 *    except for those starting as a $, may be set", and the schema "must
 *    describe an object". The older "parameters" field is the OpenAPI 3.0
 *    Schema subset (type, format, title, description, nullable, enum,
 *    maxItems, minItems, properties, required, minProperties,
 *    maxProperties, minLength, maxLength, pattern, example, anyOf,
 *    propertyOrdering, default, items, minimum, maximum): anything else is
 *    a 400 "Unknown name ... Cannot find field", no $ref, a single type
 *    name, and string formats only "enum" and "date-time".
 *  - Ollama: api.ToolFunction.Parameters is a Go struct (type, $defs,
 *    items, required, properties): a top-level combinator, not, enum or
 *    const is dropped without a word.
 *  - MCP clients: the MCP spec requires inputSchema "type": "object".
 *    Claude Desktop and Claude Code forward to Anthropic; Codex CLI and
 *    Copilot CLI to OpenAI; Cursor and VS Code (Copilot Chat) to either,
 *    so they inherit both vendors' refusals.
 */
#include "schema_portable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const target_names[SP_TARGET_COUNT] = {
        "anthropic",      "openai", "openai-strict",  "bedrock",     "gemini",
        "gemini-openapi", "ollama", "claude-desktop", "claude-code", "cursor",
        "vscode",         "codex",  "copilot"};

int sp_target_parse(const char *name, enum sp_target *out)
{
	for (int i = 0; name && i < SP_TARGET_COUNT; i++)
		if (!strcmp(name, target_names[i])) {
			*out = (enum sp_target)i;
			return 1;
		}
	return 0;
}

const char *sp_target_name(enum sp_target t)
{
	return (unsigned)t < SP_TARGET_COUNT ? target_names[t] : "?";
}

const char *sp_target_names(void)
{
	return "anthropic, openai, openai-strict, bedrock, gemini, "
	       "gemini-openapi, ollama, claude-desktop, claude-code, cursor, "
	       "vscode, codex, copilot";
}

void sp_targets_format(uint32_t mask, char *buf, size_t cap)
{
	size_t used = 0;

	if (cap)
		buf[0] = '\0';
	for (int i = 0; i < SP_TARGET_COUNT && used < cap; i++)
		if (mask & SP_BIT(i)) {
			int n = snprintf(buf + used, cap - used, "%s%s",
			                 used ? ", " : "", target_names[i]);
			if (n < 0)
				break;
			used += (size_t)n;
		}
}

/* The clients that forward to a vendor inherit its refusals. */
#define ANTHROPIC_LIKE                                                         \
	(SP_BIT(SP_ANTHROPIC) | SP_BIT(SP_BEDROCK) |                           \
	 SP_BIT(SP_CLAUDE_DESKTOP) | SP_BIT(SP_CLAUDE_CODE) |                  \
	 SP_BIT(SP_CURSOR) | SP_BIT(SP_VSCODE))
#define OPENAI_LIKE                                                            \
	(SP_BIT(SP_OPENAI) | SP_BIT(SP_OPENAI_STRICT) | SP_BIT(SP_CODEX) |     \
	 SP_BIT(SP_COPILOT) | SP_BIT(SP_CURSOR) | SP_BIT(SP_VSCODE))
#define GEMINI_BOTH (SP_BIT(SP_GEMINI) | SP_BIT(SP_GEMINI_OPENAPI))
/* ANTHROPIC_LIKE | OPENAI_LIKE | GEMINI_BOTH: every target but Ollama
 * (written so, as the two lists share Cursor and VS Code). */
#define ALL_BUT_OLLAMA (SP_ALL & ~SP_BIT(SP_OLLAMA))

const char *const sp_strict_keywords[] = {"type",
                                          "properties",
                                          "required",
                                          "additionalProperties",
                                          "items",
                                          "anyOf",
                                          "enum",
                                          "const",
                                          "$ref",
                                          "$defs",
                                          "definitions",
                                          "description",
                                          "title",
                                          "pattern",
                                          "format",
                                          "minimum",
                                          "maximum",
                                          "exclusiveMinimum",
                                          "exclusiveMaximum",
                                          "multipleOf",
                                          "minItems",
                                          "maxItems",
                                          NULL};
const char *const sp_strict_formats[] = {
        "date-time", "time", "date", "duration", "email",
        "hostname",  "ipv4", "ipv6", "uuid",     NULL};
static const char *const gemini_keywords[] = {
        "$id",         "$defs",
        "$ref",        "$anchor",
        "$schema",     "type",
        "format",      "title",
        "description", "enum",
        "items",       "prefixItems",
        "minItems",    "maxItems",
        "minimum",     "maximum",
        "anyOf",       "oneOf",
        "properties",  "additionalProperties",
        "required",    "propertyOrdering",
        NULL};
static const char *const openapi_keywords[] = {"type",
                                               "format",
                                               "title",
                                               "description",
                                               "nullable",
                                               "enum",
                                               "maxItems",
                                               "minItems",
                                               "properties",
                                               "required",
                                               "minProperties",
                                               "maxProperties",
                                               "minLength",
                                               "maxLength",
                                               "pattern",
                                               "example",
                                               "anyOf",
                                               "propertyOrdering",
                                               "default",
                                               "items",
                                               "minimum",
                                               "maximum",
                                               NULL};

int sp_in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

struct walk {
	struct sp_report *r;
	uint32_t mask;
	int nomem;
};

/* Escape one JSON-pointer token (RFC 6901) onto path. */
static void path_join(char *dst, size_t cap, const char *base,
                      const char *token)
{
	size_t j = (size_t)snprintf(dst, cap, "%s/", base);

	for (const char *p = token; *p && j + 3 < cap; p++) {
		if (*p == '~' || *p == '/') {
			dst[j++] = '~';
			dst[j++] = *p == '~' ? '0' : '1';
		} else {
			dst[j++] = *p;
		}
	}
	if (j < cap)
		dst[j] = '\0';
	else
		dst[cap - 1] = '\0';
}

static void add(struct walk *w, const char *path, uint32_t rejects,
                uint32_t ignores, int rewritten, const char *fmt, ...)
        __attribute__((format(printf, 6, 7)));

#include <stdarg.h>

static void add(struct walk *w, const char *path, uint32_t rejects,
                uint32_t ignores, int rewritten, const char *fmt, ...)
{
	struct sp_report *r = w->r;
	struct sp_finding *f;
	va_list ap;

	char what[SP_WHAT_MAX];

	rejects &= w->mask;
	ignores &= w->mask & ~rejects;
	if (!rejects && !ignores)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	/* One finding per construct and place, whichever rules hit it. */
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->f[i].path, path) &&
		    !strcmp(r->f[i].what, what)) {
			r->f[i].rejects |= rejects;
			r->f[i].ignores =
			        (r->f[i].ignores | ignores) & ~r->f[i].rejects;
			r->f[i].rewritten |= rewritten;
			return;
		}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct sp_finding *grown = realloc(r->f, cap * sizeof *grown);
		if (!grown) {
			w->nomem = 1;
			return;
		}
		r->f = grown;
		r->cap = cap;
	}
	f = &r->f[r->n++];
	snprintf(f->path, sizeof f->path, "%s", path);
	memcpy(f->what, what, sizeof f->what);
	f->rejects = rejects;
	f->ignores = ignores;
	f->rewritten = rewritten;
}

static int is_object_type(const cJSON *s)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");

	return cJSON_IsString(t) && !strcmp(t->valuestring, "object");
}

/* A branch sp_rewrite can merge: an object schema, typed or not. */
static int mergeable(const cJSON *b)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "type");
	const cJSON *k;

	if (!cJSON_IsObject(b) || (t && !is_object_type(b)))
		return 0;
	cJSON_ArrayForEach(k, b)
	{
		if (!sp_in_list(k->string,
		                (const char *const[]){
		                        "type", "properties", "required",
		                        "additionalProperties", "title",
		                        "description", NULL}))
			return 0;
	}
	return 1;
}

static int all_mergeable(const cJSON *list)
{
	const cJSON *b;

	if (!cJSON_IsArray(list) || !cJSON_GetArraySize(list))
		return 0;
	cJSON_ArrayForEach(b, list) if (!mergeable(b)) return 0;
	return 1;
}

static void node(struct walk *w, const cJSON *s, const char *path, int depth);

static void children(struct walk *w, const cJSON *s, const char *path,
                     int depth)
{
	static const char *const maps[] = {
	        "properties",  "patternProperties", "$defs",
	        "definitions", "dependentSchemas",  NULL};
	static const char *const singles[] = {"additionalProperties",
	                                      "items",
	                                      "not",
	                                      "if",
	                                      "then",
	                                      "else",
	                                      "contains",
	                                      "propertyNames",
	                                      "unevaluatedProperties",
	                                      "unevaluatedItems",
	                                      NULL};
	static const char *const lists[] = {"anyOf", "oneOf", "allOf",
	                                    "prefixItems", NULL};
	char sub[SP_PATH_MAX], sub2[SP_PATH_MAX];
	const cJSON *c, *k;

	for (int i = 0; maps[i]; i++) {
		c = cJSON_GetObjectItemCaseSensitive(s, maps[i]);
		path_join(sub, sizeof sub, path, maps[i]);
		cJSON_ArrayForEach(k, c)
		{
			path_join(sub2, sizeof sub2, sub, k->string);
			node(w, k, sub2, depth + 1);
		}
	}
	for (int i = 0; singles[i]; i++) {
		c = cJSON_GetObjectItemCaseSensitive(s, singles[i]);
		if (cJSON_IsObject(c)) {
			path_join(sub, sizeof sub, path, singles[i]);
			node(w, c, sub, depth + 1);
		}
	}
	for (int i = 0; lists[i]; i++) {
		int n = 0;
		c = cJSON_GetObjectItemCaseSensitive(s, lists[i]);
		path_join(sub, sizeof sub, path, lists[i]);
		cJSON_ArrayForEach(k, c)
		{
			char idx[16];
			snprintf(idx, sizeof idx, "%d", n++);
			path_join(sub2, sizeof sub2, sub, idx);
			node(w, k, sub2, depth + 1);
		}
	}
}

static void strict_object(struct walk *w, const cJSON *s, const char *path)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
	const cJSON *p, *r;

	if (!cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
	            s, "additionalProperties")))
		add(w, path, SP_BIT(SP_OPENAI_STRICT), 0, 0,
		    "object without \"additionalProperties\": false");
	cJSON_ArrayForEach(p, props)
	{
		int listed = 0;
		cJSON_ArrayForEach(r, req) listed |=
		        cJSON_IsString(r) && !strcmp(r->valuestring, p->string);
		if (!listed) {
			add(w, path, SP_BIT(SP_OPENAI_STRICT), 0, 0,
			    "optional property \"%.40s\" (strict mode wants "
			    "every property required)",
			    p->string);
			break;
		}
	}
}

static void node(struct walk *w, const cJSON *s, const char *path, int depth)
{
	const cJSON *k, *type, *fmt, *ref;

	if (!cJSON_IsObject(s) || depth > 64 || w->nomem)
		return;
	cJSON_ArrayForEach(k, s)
	{
		int dollar = k->string[0] == '$';
		if (!sp_in_list(k->string, sp_strict_keywords))
			add(w, path, SP_BIT(SP_OPENAI_STRICT), 0, 0,
			    "keyword \"%.40s\"", k->string);
		if (!sp_in_list(k->string, openapi_keywords))
			add(w, path, SP_BIT(SP_GEMINI_OPENAPI), 0, 0,
			    "keyword \"%.40s\"", k->string);
		if (!dollar && !sp_in_list(k->string, gemini_keywords))
			add(w, path, 0, SP_BIT(SP_GEMINI), 0,
			    "keyword \"%.40s\"", k->string);
	}
	ref = cJSON_GetObjectItemCaseSensitive(s, "$ref");
	if (ref) {
		cJSON_ArrayForEach(k, s) if (k->string[0] != '$')
		{
			add(w, path, SP_BIT(SP_GEMINI), 0, 0,
			    "\"$ref\" beside \"%.40s\"", k->string);
			break;
		}
	}
	type = cJSON_GetObjectItemCaseSensitive(s, "type");
	if (cJSON_IsArray(type))
		add(w, path, SP_BIT(SP_GEMINI_OPENAPI), 0, 0,
		    "a list of types");
	fmt = cJSON_GetObjectItemCaseSensitive(s, "format");
	if (cJSON_IsString(fmt)) {
		const char *f = fmt->valuestring;
		int openapi_ok = !strcmp(f, "enum") ||
		                 !strcmp(f, "date-time") ||
		                 !strcmp(f, "float") || !strcmp(f, "double") ||
		                 !strcmp(f, "int32") || !strcmp(f, "int64");
		if (!sp_in_list(f, sp_strict_formats))
			add(w, path, SP_BIT(SP_OPENAI_STRICT), 0, 0,
			    "format \"%.40s\"", f);
		if (!openapi_ok)
			add(w, path, SP_BIT(SP_GEMINI_OPENAPI), 0, 0,
			    "format \"%.40s\"", f);
	}
	if (is_object_type(s) ||
	    cJSON_GetObjectItemCaseSensitive(s, "properties"))
		strict_object(w, s, path);
	children(w, s, path, depth);
}

sh_status sp_check(const cJSON *schema, uint32_t mask, struct sp_report *out,
                   struct sh_error *e)
{
	struct walk w = {out, mask, 0};
	static const char *const combis[] = {"oneOf", "anyOf", "allOf"};
	const cJSON *type;

	memset(out, 0, sizeof *out);
	if (!cJSON_IsObject(schema)) {
		add(&w, "", SP_ALL, 0, 0, "a schema that is not an object");
		goto done;
	}
	type = cJSON_GetObjectItemCaseSensitive(schema, "type");
	if (!type)
		add(&w, "", ALL_BUT_OLLAMA, SP_BIT(SP_OLLAMA), 1,
		    "top level without \"type\"");
	else if (!is_object_type(schema))
		add(&w, "", SP_ALL, 0, 0,
		    "top-level type other than \"object\"");
	for (size_t i = 0; i < sizeof combis / sizeof *combis; i++) {
		const cJSON *c =
		        cJSON_GetObjectItemCaseSensitive(schema, combis[i]);
		if (c)
			add(&w, "", ALL_BUT_OLLAMA, SP_BIT(SP_OLLAMA),
			    all_mergeable(c), "top-level %s", combis[i]);
	}
	for (int i = 0; i < 3; i++) {
		const char *kw = i == 0 ? "not" : i == 1 ? "enum" : "const";
		if (cJSON_GetObjectItemCaseSensitive(schema, kw))
			add(&w, "", OPENAI_LIKE | GEMINI_BOTH,
			    SP_BIT(SP_OLLAMA), 1, "top-level %s", kw);
	}
	node(&w, schema, "", 0);
done:
	if (w.nomem) {
		sp_report_free(out);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	return SH_OK;
}

void sp_report_free(struct sp_report *r)
{
	if (!r)
		return;
	free(r->f);
	memset(r, 0, sizeof *r);
}

int sp_report_rejects(const struct sp_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].rejects)
			return 1;
	return 0;
}

int sp_report_needs_rewrite(const struct sp_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].rewritten)
			return 1;
	return 0;
}

/* ---- rewriting ----------------------------------------------------------- */

static int has_string(const cJSON *list, const char *s)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, list) if (cJSON_IsString(x) &&
	                                !strcmp(x->valuestring, s)) return 1;
	return 0;
}

/* Copy branch b's properties into top's (the first schema for a name
 * wins); -1 when out of memory. */
static int merge_props(cJSON *top, const cJSON *b)
{
	const cJSON *bp = cJSON_GetObjectItemCaseSensitive(b, "properties");
	cJSON *tp = cJSON_GetObjectItemCaseSensitive(top, "properties");
	const cJSON *p;

	if (!cJSON_IsObject(bp))
		return 0;
	if (!tp && !(tp = cJSON_AddObjectToObject(top, "properties")))
		return -1;
	cJSON_ArrayForEach(p, bp)
	{
		cJSON *dup;
		if (cJSON_GetObjectItemCaseSensitive(tp, p->string))
			continue;
		if (!(dup = cJSON_Duplicate(p, 1)))
			return -1;
		cJSON_AddItemToObject(tp, p->string, dup);
	}
	return 0;
}

static int add_required(cJSON *top, const char *name)
{
	cJSON *req = cJSON_GetObjectItemCaseSensitive(top, "required");
	cJSON *s;

	if (!req && !(req = cJSON_AddArrayToObject(top, "required")))
		return -1;
	if (!cJSON_IsArray(req) || has_string(req, name))
		return 0;
	if (!(s = cJSON_CreateString(name)))
		return -1;
	cJSON_AddItemToArray(req, s);
	return 0;
}

/* "Give one of: {a, b} | {c}." describing the branches' required sets. */
static int describe_union(cJSON *top, const cJSON *list)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(top, "description");
	char buf[1024];
	size_t used = 0;
	const cJSON *b, *r;
	int first = 1;

	used += (size_t)snprintf(buf, sizeof buf, "%s%sGive one of: ",
	                         cJSON_IsString(d) ? d->valuestring : "",
	                         cJSON_IsString(d) ? " " : "");
	cJSON_ArrayForEach(b, list)
	{
		const cJSON *req =
		        cJSON_GetObjectItemCaseSensitive(b, "required");
		int n = 0;
		if (used >= sizeof buf - 8)
			break;
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s{",
		                         first ? "" : " | ");
		first = 0;
		cJSON_ArrayForEach(r, req)
		{
			if (!cJSON_IsString(r) || used >= sizeof buf - 8)
				continue;
			used += (size_t)snprintf(buf + used, sizeof buf - used,
			                         "%s%s", n++ ? ", " : "",
			                         r->valuestring);
		}
		if (used < sizeof buf - 2)
			used += (size_t)snprintf(buf + used, sizeof buf - used,
			                         "}");
	}
	if (used < sizeof buf - 1)
		snprintf(buf + used, sizeof buf - used, ".");
	cJSON_DeleteItemFromObjectCaseSensitive(top, "description");
	return cJSON_AddStringToObject(top, "description", buf) ? 0 : -1;
}

/* Merge a top-level oneOf/anyOf (union) or allOf (all). */
static int merge_combinator(cJSON *top, const char *kw)
{
	cJSON *list = cJSON_DetachItemFromObjectCaseSensitive(top, kw);
	int all = !strcmp(kw, "allOf"), rc = 0;
	const cJSON *b, *r, *first;

	if (!list)
		return 0;
	first = list->child;
	cJSON_ArrayForEach(b, list) if (merge_props(top, b) < 0) rc = -1;
	/* Required: every name for allOf; for a union only the names every
	 * branch requires (the others depend on the branch chosen). */
	cJSON_ArrayForEach(r,
	                   cJSON_GetObjectItemCaseSensitive(first, "required"))
	{
		int everywhere = 1;
		if (!cJSON_IsString(r))
			continue;
		if (!all)
			cJSON_ArrayForEach(b, list) everywhere &= has_string(
			        cJSON_GetObjectItemCaseSensitive(b, "required"),
			        r->valuestring);
		if (everywhere && add_required(top, r->valuestring) < 0)
			rc = -1;
	}
	if (all)
		cJSON_ArrayForEach(b, list)
		{
			cJSON_ArrayForEach(
			        r,
			        cJSON_GetObjectItemCaseSensitive(
			                b,
			                "required")) if (cJSON_IsString(r) &&
			                                 add_required(
			                                         top,
			                                         r->valuestring) <
			                                         0) rc = -1;
		}
	else if (rc == 0)
		rc = describe_union(top, list);
	cJSON_Delete(list);
	return rc;
}

int sp_rewrite(cJSON *schema)
{
	static const char *const combis[] = {"allOf", "oneOf", "anyOf"};
	int changes = 0;

	if (!cJSON_IsObject(schema))
		return 0;
	for (size_t i = 0; i < sizeof combis / sizeof *combis; i++) {
		const cJSON *c =
		        cJSON_GetObjectItemCaseSensitive(schema, combis[i]);
		if (!c || !all_mergeable(c))
			continue;
		if (merge_combinator(schema, combis[i]) < 0)
			return -1;
		changes++;
	}
	for (int i = 0; i < 3; i++) {
		const char *kw = i == 0 ? "not" : i == 1 ? "enum" : "const";
		if (cJSON_GetObjectItemCaseSensitive(schema, kw)) {
			cJSON_DeleteItemFromObjectCaseSensitive(schema, kw);
			changes++;
		}
	}
	if (!cJSON_GetObjectItemCaseSensitive(schema, "type")) {
		if (!cJSON_AddStringToObject(schema, "type", "object"))
			return -1;
		changes++;
	}
	return changes;
}
