/*
 * skilldesc.c - validated copies of skill descriptors. See skilldesc.h.
 */
#include "skilldesc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

static const char *const hint_keys[HINT_COUNT] = {
        "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"};

static int valid_utf8_text(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p) {
		int extra;
		if (++n > max)
			return 0;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xE0) == 0xC0 && *p >= 0xC2)
			extra = 1;
		else if ((*p & 0xF0) == 0xE0)
			extra = 2;
		else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4)
			extra = 3;
		else
			return 0;
		p++;
		for (int i = 0; i < extra; i++, p++) {
			if ((*p & 0xC0) != 0x80)
				return 0;
			n++;
		}
	}
	return 1;
}

static void tooldesc_clear(struct tooldesc *t)
{
	free(t->name);
	free(t->title);
	free(t->description);
	free(t->input_schema);
	free(t->output_schema);
	if (t->requires_ext) {
		for (char **r = t->requires_ext; *r; r++)
			free(*r);
		free(t->requires_ext);
	}
	memset(t, 0, sizeof *t);
}

void skilldesc_free(struct skilldesc *d)
{
	if (!d)
		return;
	for (uint32_t i = 0; i < d->ntools; i++)
		tooldesc_clear(&d->tools[i]);
	free(d->tools);
	free(d->name);
	free(d->version);
	free(d->description);
	free(d->license);
	free(d);
}

static sh_status copy_text(char **dst, const char *src, size_t max,
                           int required, const char *origin, const char *field,
                           struct sh_error *e)
{
	*dst = NULL;
	if (!src) {
		if (required)
			return sh_error_set(e, SH_ERR_ABI,
			                    "%s: %s is NULL; it is required",
			                    origin, field);
		return SH_OK;
	}
	if (!valid_utf8_text(src, max))
		return sh_error_set(e, SH_ERR_ABI,
		                    "%s: %s is not valid UTF-8 text of at most "
		                    "%zu bytes",
		                    origin, field, max);
	if (required && !*src)
		return sh_error_set(e, SH_ERR_ABI, "%s: %s is empty", origin,
		                    field);
	*dst = strdup(src);
	if (!*dst)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	return SH_OK;
}

static sh_status check_schema(const char *text, const char *origin,
                              const char *field, struct sh_error *e)
{
	struct schema *s = NULL;
	sh_status rc;

	rc = schema_compile_text(text, strlen(text), &s, e);
	if (rc != SH_OK) {
		e->status = SH_ERR_ABI;
		return sh_error_prefix(e, "%s: %s", origin, field);
	}
	if (!schema_root_is_object(s)) {
		schema_free(s);
		return sh_error_set(e, SH_ERR_ABI,
		                    "%s: %s must be a schema whose root has "
		                    "\"type\": \"object\"",
		                    origin, field);
	}
	schema_free(s);
	return SH_OK;
}

static sh_status check_hint(skill_hint h, const char *origin, uint32_t i,
                            const char *key, struct sh_error *e)
{
	if (h == SKILL_HINT_UNSET || h == SKILL_HINT_NO || h == SKILL_HINT_YES)
		return SH_OK;
	return sh_error_set(e, SH_ERR_ABI,
	                    "%s: tools[%u].%s is %d; use SKILL_HINT_UNSET, "
	                    "SKILL_HINT_NO or SKILL_HINT_YES",
	                    origin, i, key, (int)h);
}

/* Checks shared by both constructors, on the finished copy. */
static sh_status validate(const struct skilldesc *d, const char *origin,
                          int trusted, struct sh_error *e)
{
	if (!skilldesc_valid_skill_name(d->name))
		return sh_error_set(e, SH_ERR_ABI,
		                    "%s: name \"%s\" is not \"namespace/name\" "
		                    "(lower-case letters, digits and '-', each "
		                    "part 1-%d characters)",
		                    origin, d->name, SKILLDESC_MAX_NAME);
	if (!skilldesc_valid_semver(d->version))
		return sh_error_set(
		        e, SH_ERR_ABI,
		        "%s: version \"%s\" is not a semantic version "
		        "like 1.2.3",
		        origin, d->version);
	if (d->ntools == 0)
		return sh_error_set(
		        e, SH_ERR_ABI,
		        "%s: tool_count is 0; a skill must declare at "
		        "least one tool",
		        origin);
	for (uint32_t i = 0; i < d->ntools; i++) {
		const struct tooldesc *t = &d->tools[i];
		char field[64];
		sh_status rc;

		if (!skilldesc_valid_tool_name(t->name))
			return sh_error_set(
			        e, SH_ERR_ABI,
			        "%s: tools[%u].name \"%s\" must be 1-%d "
			        "characters of [A-Za-z0-9_-] starting "
			        "with a letter",
			        origin, i, t->name, SKILLDESC_MAX_NAME);
		for (uint32_t j = 0; j < i; j++)
			/* Names before i passed skilldesc_valid_tool_name,
			 * which refuses NULL (names.c). */
			// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
			if (!strcmp(d->tools[j].name, t->name))
				return sh_error_set(
				        e, SH_ERR_ABI,
				        "%s: tools[%u] and tools[%u] are "
				        "both named \"%s\"",
				        origin, j, i, t->name);
		if (trusted)
			continue;
		snprintf(field, sizeof field, "tools[%u].input_schema", i);
		rc = check_schema(t->input_schema, origin, field, e);
		if (rc != SH_OK)
			return rc;
		if (t->output_schema) {
			snprintf(field, sizeof field, "tools[%u].output_schema",
			         i);
			rc = check_schema(t->output_schema, origin, field, e);
			if (rc != SH_OK)
				return rc;
		}
	}
	return SH_OK;
}

static struct skilldesc *alloc_desc(uint32_t ntools)
{
	struct skilldesc *d = calloc(1, sizeof *d);

	if (!d)
		return NULL;
	d->tools = calloc(ntools ? ntools : 1, sizeof *d->tools);
	if (!d->tools) {
		free(d);
		return NULL;
	}
	d->ntools = ntools;
	return d;
}

sh_status skilldesc_from_entry(const skill_entry_t *en, const char *origin,
                               struct skilldesc **out, struct sh_error *e)
{
	struct skilldesc *d = NULL;
	sh_status rc;

	*out = NULL;
	if (en->tool_count > SKILLDESC_MAX_TOOLS)
		return sh_error_set(
		        e, SH_ERR_ABI,
		        "%s: tool_count is %u, over the limit of %d", origin,
		        en->tool_count, SKILLDESC_MAX_TOOLS);
	if (en->tool_count > 0 && !en->tools)
		return sh_error_set(e, SH_ERR_ABI,
		                    "%s: tools is NULL but tool_count is %u",
		                    origin, en->tool_count);
	d = alloc_desc(en->tool_count);
	if (!d)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	d->flags = en->flags;
	if ((rc = copy_text(&d->name, en->name, SKILLDESC_MAX_NAME * 2 + 1, 1,
	                    origin, "name", e)) ||
	    (rc = copy_text(&d->version, en->version, SKILLDESC_MAX_VERSION, 1,
	                    origin, "version", e)) ||
	    (rc = copy_text(&d->description, en->description,
	                    SKILLDESC_MAX_TEXT, 1, origin, "description", e)) ||
	    (rc = copy_text(&d->license, en->license, 256, 0, origin, "license",
	                    e)))
		goto fail;

	for (uint32_t i = 0; i < en->tool_count; i++) {
		const skill_tool_t *src = en->tools[i];
		struct tooldesc *t = &d->tools[i];
		skill_tool_t tool;
		char field[64];
		size_t nreq = 0;

		if (!src) {
			rc = sh_error_set(e, SH_ERR_ABI,
			                  "%s: tools[%u] is NULL", origin, i);
			goto fail;
		}
		if (src->struct_size < offsetof(skill_tool_t, requires_ext) +
		                               sizeof(src->requires_ext)) {
			rc = sh_error_set(
			        e, SH_ERR_ABI,
			        "%s: tools[%u].struct_size is %u, but ABI "
			        "%d.0 needs at least %zu",
			        origin, i, src->struct_size, SKILL_ABI_MAJOR,
			        offsetof(skill_tool_t, requires_ext) +
			                sizeof(src->requires_ext));
			goto fail;
		}
		/* Read only the prefix the skill's build knows about. */
		memset(&tool, 0, sizeof tool);
		memcpy(&tool, src,
		       src->struct_size < sizeof tool ? src->struct_size
		                                      : sizeof tool);

#define COPY(member, max, req)                                                 \
	do {                                                                   \
		snprintf(field, sizeof field, "tools[%u]." #member, i);        \
		if ((rc = copy_text(&t->member, tool.member, max, req, origin, \
		                    field, e)))                                \
			goto fail;                                             \
	} while (0)
		COPY(name, SKILLDESC_MAX_NAME, 1);
		COPY(title, 1024, 0);
		COPY(description, SKILLDESC_MAX_TEXT, 1);
		COPY(input_schema, SKILLDESC_MAX_SCHEMA, 1);
		COPY(output_schema, SKILLDESC_MAX_SCHEMA, 0);
#undef COPY
		t->hints[HINT_READ_ONLY] = tool.read_only;
		t->hints[HINT_DESTRUCTIVE] = tool.destructive;
		t->hints[HINT_IDEMPOTENT] = tool.idempotent;
		t->hints[HINT_OPEN_WORLD] = tool.open_world;
		for (int h = 0; h < HINT_COUNT; h++)
			if ((rc = check_hint(t->hints[h], origin, i,
			                     hint_keys[h], e)))
				goto fail;
		if (tool.requires_ext)
			while (tool.requires_ext[nreq] &&
			       nreq <= SKILLDESC_MAX_REQUIRES)
				nreq++;
		if (nreq > SKILLDESC_MAX_REQUIRES) {
			rc = sh_error_set(
			        e, SH_ERR_ABI,
			        "%s: tools[%u].requires_ext lists more "
			        "than %d IDs or is not NULL-terminated",
			        origin, i, SKILLDESC_MAX_REQUIRES);
			goto fail;
		}
		t->requires_ext = calloc(nreq + 1, sizeof(char *));
		if (!t->requires_ext) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			goto fail;
		}
		for (size_t r = 0; r < nreq; r++) {
			snprintf(field, sizeof field,
			         "tools[%u].requires_ext[%zu]", i, r);
			if ((rc = copy_text(&t->requires_ext[r],
			                    tool.requires_ext[r], 256, 1,
			                    origin, field, e)))
				goto fail;
		}
	}
	rc = validate(d, origin, 0, e);
	if (rc != SH_OK)
		goto fail;
	*out = d;
	return SH_OK;
fail:
	skilldesc_free(d);
	return rc;
}

static int add_str(cJSON *o, const char *k, const char *v)
{
	return !v || cJSON_AddStringToObject(o, k, v) != NULL;
}

cJSON *skilldesc_to_json(const struct skilldesc *d)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *tools;

	if (!root || !add_str(root, "name", d->name) ||
	    !add_str(root, "version", d->version) ||
	    !add_str(root, "description", d->description) ||
	    !add_str(root, "license", d->license) ||
	    !cJSON_AddBoolToObject(root, "serialized",
	                           (d->flags & SKILL_FLAG_SERIALIZED) != 0) ||
	    !(tools = cJSON_AddArrayToObject(root, "tools")))
		goto fail;
	for (uint32_t i = 0; i < d->ntools; i++) {
		const struct tooldesc *t = &d->tools[i];
		cJSON *o = cJSON_CreateObject(), *hints, *req;

		if (!o)
			goto fail;
		cJSON_AddItemToArray(tools, o);
		if (!add_str(o, "name", t->name) ||
		    !add_str(o, "title", t->title) ||
		    !add_str(o, "description", t->description) ||
		    !add_str(o, "inputSchema", t->input_schema) ||
		    !add_str(o, "outputSchema", t->output_schema) ||
		    !(hints = cJSON_AddObjectToObject(o, "hints")) ||
		    !(req = cJSON_AddArrayToObject(o, "requires")))
			goto fail;
		for (int h = 0; h < HINT_COUNT; h++)
			if (t->hints[h] != SKILL_HINT_UNSET &&
			    !cJSON_AddBoolToObject(hints, hint_keys[h],
			                           t->hints[h] ==
			                                   SKILL_HINT_YES))
				goto fail;
		for (char **r = t->requires_ext; *r; r++)
			cJSON_AddItemToArray(req, cJSON_CreateString(*r));
	}
	return root;
fail:
	cJSON_Delete(root);
	return NULL;
}

static sh_status json_text(const cJSON *o, const char *key, int required,
                           char **dst, const char *origin, const char *where,
                           struct sh_error *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*dst = NULL;
	if (!v || cJSON_IsNull(v)) {
		if (required)
			return sh_error_set(e, SH_ERR_INVALID,
			                    "%s: %s%s is missing", origin,
			                    where, key);
		return SH_OK;
	}
	if (!cJSON_IsString(v))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: %s%s must be a string", origin, where,
		                    key);
	*dst = strdup(v->valuestring);
	return *dst ? SH_OK : sh_error_set(e, SH_ERR_NOMEM, "out of memory");
}

static sh_status from_json(const cJSON *j, const char *origin, int trusted,
                           struct skilldesc **out, struct sh_error *e);

sh_status skilldesc_from_json(const cJSON *j, const char *origin,
                              struct skilldesc **out, struct sh_error *e)
{
	return from_json(j, origin, 0, out, e);
}

sh_status skilldesc_from_json_trusted(const cJSON *j, const char *origin,
                                      struct skilldesc **out,
                                      struct sh_error *e)
{
	return from_json(j, origin, 1, out, e);
}

static sh_status from_json(const cJSON *j, const char *origin, int trusted,
                           struct skilldesc **out, struct sh_error *e)
{
	const cJSON *tools = cJSON_GetObjectItemCaseSensitive(j, "tools");
	const cJSON *ser = cJSON_GetObjectItemCaseSensitive(j, "serialized");
	struct skilldesc *d = NULL;
	sh_status rc;
	int n;

	*out = NULL;
	if (!cJSON_IsObject(j) || !cJSON_IsArray(tools))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: not a skill description (an object "
		                    "with a \"tools\" array)",
		                    origin);
	n = cJSON_GetArraySize(tools);
	if (n > SKILLDESC_MAX_TOOLS)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: too many tools (%d)", origin, n);
	d = alloc_desc((uint32_t)n);
	if (!d)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (cJSON_IsTrue(ser))
		d->flags |= SKILL_FLAG_SERIALIZED;
	if ((rc = json_text(j, "name", 1, &d->name, origin, "", e)) ||
	    (rc = json_text(j, "version", 1, &d->version, origin, "", e)) ||
	    (rc = json_text(j, "description", 1, &d->description, origin, "",
	                    e)) ||
	    (rc = json_text(j, "license", 0, &d->license, origin, "", e)))
		goto fail;
	for (int i = 0; i < n; i++) {
		const cJSON *o = cJSON_GetArrayItem(tools, i);
		const cJSON *hints =
		        cJSON_GetObjectItemCaseSensitive(o, "hints");
		const cJSON *req =
		        cJSON_GetObjectItemCaseSensitive(o, "requires");
		struct tooldesc *t = &d->tools[i];
		char where[32];
		int nreq = cJSON_IsArray(req) ? cJSON_GetArraySize(req) : 0;

		snprintf(where, sizeof where, "tools[%d].", i);
		if (!cJSON_IsObject(o)) {
			rc = sh_error_set(e, SH_ERR_INVALID,
			                  "%s: tools[%d] is not an object",
			                  origin, i);
			goto fail;
		}
		if ((rc = json_text(o, "name", 1, &t->name, origin, where,
		                    e)) ||
		    (rc = json_text(o, "title", 0, &t->title, origin, where,
		                    e)) ||
		    (rc = json_text(o, "description", 1, &t->description,
		                    origin, where, e)) ||
		    (rc = json_text(o, "inputSchema", 1, &t->input_schema,
		                    origin, where, e)) ||
		    (rc = json_text(o, "outputSchema", 0, &t->output_schema,
		                    origin, where, e)))
			goto fail;
		for (int h = 0; h < HINT_COUNT; h++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(
			        hints, hint_keys[h]);
			t->hints[h] = !cJSON_IsBool(v)  ? SKILL_HINT_UNSET
			              : cJSON_IsTrue(v) ? SKILL_HINT_YES
			                                : SKILL_HINT_NO;
		}
		if (nreq > SKILLDESC_MAX_REQUIRES)
			nreq = SKILLDESC_MAX_REQUIRES + 1;
		t->requires_ext = calloc((size_t)nreq + 1, sizeof(char *));
		if (!t->requires_ext) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			goto fail;
		}
		for (int r = 0; r < nreq; r++) {
			const cJSON *s = cJSON_GetArrayItem(req, r);
			if (!cJSON_IsString(s) ||
			    !(t->requires_ext[r] = strdup(s->valuestring))) {
				rc = sh_error_set(
				        e, SH_ERR_INVALID,
				        "%s: %srequires[%d] must be a "
				        "string",
				        origin, where, r);
				goto fail;
			}
		}
	}
	rc = validate(d, origin, trusted, e);
	if (rc != SH_OK) {
		e->status = SH_ERR_INVALID;
		goto fail;
	}
	*out = d;
	return SH_OK;
fail:
	skilldesc_free(d);
	return rc;
}
