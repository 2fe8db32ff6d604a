/*
 * mcp_decl.c - the skills' MCP declarations and the helpers around them.
 * See mcp_decl.h.
 */
#include "mcp_decl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include <skill/ext/prompts.h>
#include <skill/ext/resources.h>

#include "call.h"
#include "catalog.h"
#include "dispatch.h"
#include "dynbuf.h"
#include "exec_isolated.h"
#include "hostlog.h"
#include "manifest.h"
#include "profile.h"
#include "runtime.h"
#include "skilldesc.h"

/* Declarations are small; this bounds what one substitution may build. */
#define SUBST_MAX ((size_t)4 * 1024 * 1024)

int mcp_skill_in_profile(const struct skill *s, const struct profile *p)
{
	if (!p)
		return 1;
	for (uint32_t k = 0; k < s->desc->ntools; k++)
		if (profile_allows(p, s->tools[k].canonical))
			return 1;
	return 0;
}

const void *mcp_decl_ext(struct catalog *c, struct skill *s, const char *id)
{
	struct executor *ex = NULL;
	struct sh_error err;

	sh_error_clear(&err);
	if (catalog_executor(c, s, &ex, &err) != SH_OK) {
		hostlog(SKILL_LOG_WARNING,
		        "%s: cannot start it to list its prompts and "
		        "resources: %s",
		        s->desc->name, err.msg);
		return NULL;
	}
	return exec_skill_extension(ex, id);
}

/* The declarations of kind in the manifest of an installed skill (its
 * origin is its folder), or NULL. The manifest was checked at install;
 * reading it per request keeps a reload's new version current. */
static cJSON *from_manifest(const struct skill *s, const char *kind)
{
	const char *key =
	        !strcmp(kind, "templates") ? "resourceTemplates" : kind;
	char path[4096];
	struct manifest *m = NULL;
	struct sh_error err;
	struct stat st;
	cJSON *arr;

	if (!s->user || stat(s->origin, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    snprintf(path, sizeof path, "%s/%s", s->origin, MANIFEST_FILE) >=
	            (int)sizeof path)
		return NULL;
	sh_error_clear(&err);
	if (manifest_load(path, MANIFEST_PACKAGED, &m, &err) != SH_OK) {
		hostlog(SKILL_LOG_WARNING, "%s: %s", s->desc->name, err.msg);
		return NULL;
	}
	arr = cJSON_DetachItemFromObjectCaseSensitive(m->json, key);
	manifest_free(m);
	return arr;
}

cJSON *mcp_decl_get(struct catalog *c, struct skill *s, const char *kind)
{
	const char *text = NULL;
	cJSON *v, *man = from_manifest(s, kind), *e;

	if (!strcmp(kind, "prompts")) {
		const skill_ext_prompts_t *p =
		        mcp_decl_ext(c, s, SKILL_EXT_PROMPTS);
		if (p &&
		    p->struct_size >= offsetof(skill_ext_prompts_t, prompts) +
		                              sizeof p->prompts)
			text = p->prompts;
	} else {
		const skill_ext_resources_t *r =
		        mcp_decl_ext(c, s, SKILL_EXT_RESOURCES);
		if (r && r->struct_size >=
		                 offsetof(skill_ext_resources_t, templates) +
		                         sizeof r->templates)
			text = !strcmp(kind, "resources") ? r->resources
			                                  : r->templates;
	}
	if (!text)
		return man;
	v = cJSON_Parse(text);
	if (!cJSON_IsArray(v)) {
		hostlog(SKILL_LOG_WARNING,
		        "%s: its %s declaration is not a JSON array; "
		        "ignoring it",
		        s->desc->name, kind);
		cJSON_Delete(v);
		return man;
	}
	if (!man)
		return v;
	/* The manifest's entries first, then the extension's. */
	while ((e = cJSON_DetachItemFromArray(v, 0)))
		cJSON_AddItemToArray(man, e);
	cJSON_Delete(v);
	return man;
}

int mcp_decl_call(struct runtime *rt, const char *skill, uint32_t index,
                  const cJSON *args, const struct dispatch_opts *o,
                  struct call_result *res, skill_status *st, char *msg,
                  size_t cap)
{
	struct catalog *c = runtime_acquire(rt);
	struct skill *s = catalog_skill_find(c, skill);
	struct sh_error err;
	int rc = 0;

	sh_error_clear(&err);
	if (!s) {
		snprintf(msg, cap, "skill %s is no longer installed", skill);
		rc = -1;
	} else if (dispatch_call_ext(c, s, index, args, o, res, st, &err) !=
	           SH_OK) {
		snprintf(msg, cap, "skill %s cannot start: %s", skill, err.msg);
		rc = -1;
	}
	runtime_release(c);
	return rc;
}

void mcp_cursor_make(size_t pos, char *out, size_t cap)
{
	char raw[32];
	int n = snprintf(raw, sizeof raw, "p%zu", pos);

	sodium_bin2base64(out, cap, (const unsigned char *)raw, (size_t)n,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

size_t mcp_cursor_parse(const cJSON *cursor)
{
	unsigned char raw[32];
	size_t n = 0, pos = 0;

	if (!cursor || cJSON_IsNull(cursor))
		return 0;
	if (!cJSON_IsString(cursor) || strlen(cursor->valuestring) > 40 ||
	    sodium_base642bin(raw, sizeof raw - 1, cursor->valuestring,
	                      strlen(cursor->valuestring), NULL, &n, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n < 2 || n > 20 || raw[0] != 'p')
		return (size_t)-1;
	for (size_t i = 1; i < n; i++) {
		if (raw[i] < '0' || raw[i] > '9')
			return (size_t)-1;
		pos = pos * 10 + (size_t)(raw[i] - '0');
	}
	return pos;
}

char *mcp_decl_subst(const char *text, const cJSON *vars)
{
	struct dynbuf b = DYN_INIT(SUBST_MAX);
	const char *p = text;

	while (*p) {
		const char *open = strstr(p, "{{"), *close;
		char name[128];
		size_t n;
		const cJSON *v;

		if (!open) {
			dyn_add(&b, p);
			break;
		}
		dyn_addn(&b, p, (size_t)(open - p));
		close = strstr(open + 2, "}}");
		n = close ? (size_t)(close - open - 2) : 0;
		/* A name is a plain identifier: anything else is text. */
		if (!close || n == 0 || n >= sizeof name ||
		    strspn(open + 2,
		           "abcdefghijklmnopqrstuvwxyz"
		           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n) {
			dyn_addn(&b, open, 2);
			p = open + 2;
			continue;
		}
		memcpy(name, open + 2, n);
		name[n] = '\0';
		v = cJSON_GetObjectItemCaseSensitive(vars, name);
		if (cJSON_IsString(v))
			dyn_add(&b, v->valuestring);
		p = close + 2;
	}
	if (dyn_add(&b, "") != SH_OK) {
		dyn_free(&b);
		return NULL;
	}
	return dyn_take(&b, NULL);
}

/* The variable name starting after '{' at t, into name; the length of
 * "{name}" or 0 when malformed. */
static size_t var_at(const char *t, char *name, size_t cap)
{
	const char *end = strchr(t + 1, '}');
	size_t n = end ? (size_t)(end - t - 1) : 0;

	if (!end || n == 0 || n >= cap || memchr(t + 1, '{', n))
		return 0;
	memcpy(name, t + 1, n);
	name[n] = '\0';
	return n + 2;
}

int mcp_template_match(const char *tmpl, const char *uri, cJSON **vars)
{
	cJSON *out = cJSON_CreateObject();
	const char *t = tmpl, *u = uri;
	int nvars = 0;

	*vars = NULL;
	if (!out)
		return -1;
	while (*t) {
		if (*t == '{') {
			char name[64], val[MCP_DECL_VALUE_MAX];
			size_t skip = var_at(t, name, sizeof name), n;
			if (!skip || ++nvars > MCP_DECL_VARS_MAX) {
				cJSON_Delete(out);
				return -1;
			}
			n = strcspn(u, "/?#");
			/* A literal after the variable bounds it too. */
			if (t[skip] && t[skip] != '{') {
				const char *lit = t + skip;
				size_t litn = strcspn(lit, "{");
				size_t k;
				for (k = 1; k <= n; k++)
					if (!strncmp(u + k, lit, litn))
						break;
				n = k <= n ? k : n;
			}
			if (n == 0 || n >= sizeof val) {
				cJSON_Delete(out);
				return 0;
			}
			memcpy(val, u, n);
			val[n] = '\0';
			if (!cJSON_AddStringToObject(out, name, val)) {
				cJSON_Delete(out);
				return -1;
			}
			t += skip;
			u += n;
		} else if (*t == *u) {
			t++;
			u++;
		} else {
			cJSON_Delete(out);
			return 0;
		}
	}
	if (*u) {
		cJSON_Delete(out);
		return 0;
	}
	*vars = out;
	return 1;
}

int mcp_template_has_var(const char *tmpl, const char *name)
{
	for (const char *t = strchr(tmpl, '{'); t; t = strchr(t + 1, '{')) {
		char n[64];
		if (var_at(t, n, sizeof n) && !strcmp(n, name))
			return 1;
	}
	return 0;
}

cJSON *mcp_complete_from(const cJSON *arr, const char *prefix)
{
	cJSON *res = cJSON_CreateObject();
	cJSON *comp = cJSON_AddObjectToObject(res, "completion");
	cJSON *vals = cJSON_AddArrayToObject(comp, "values");
	const cJSON *v;
	size_t plen = strlen(prefix), total = 0;

	if (!res || !comp || !vals) {
		cJSON_Delete(res);
		return NULL;
	}
	cJSON_ArrayForEach(v, arr)
	{
		if (!cJSON_IsString(v) || strncmp(v->valuestring, prefix, plen))
			continue;
		if (total++ < MCP_COMPLETE_MAX &&
		    !cJSON_AddItemToArray(vals,
		                          cJSON_CreateString(v->valuestring))) {
			cJSON_Delete(res);
			return NULL;
		}
	}
	if (!cJSON_AddNumberToObject(comp, "total", (double)total) ||
	    !cJSON_AddBoolToObject(comp, "hasMore", total > MCP_COMPLETE_MAX)) {
		cJSON_Delete(res);
		return NULL;
	}
	return res;
}

int mcp_mime_is_text(const char *mime)
{
	static const char *const text[] = {
	        "application/json",       "application/xml",
	        "application/javascript", "application/yaml",
	        "application/x-yaml",     "image/svg+xml",
	        "application/ld+json"};

	if (!mime)
		return 0;
	if (!strncmp(mime, "text/", 5))
		return 1;
	for (size_t i = 0; i < sizeof text / sizeof *text; i++)
		if (!strncmp(mime, text[i], strlen(text[i])) &&
		    (!mime[strlen(text[i])] || mime[strlen(text[i])] == ';'))
			return 1;
	return !!strstr(mime, "+json") || !!strstr(mime, "+xml");
}
