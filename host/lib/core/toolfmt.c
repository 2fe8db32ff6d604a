/*
 * toolfmt.c - tool declarations per surface. See toolfmt.h.
 */
#include "toolfmt.h"

#include <string.h>

#include "schema_portable.h"

static const char *const hint_keys[HINT_COUNT] = {
        "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"};

static int add_parsed(cJSON *o, const char *key, const char *json)
{
	cJSON *v;

	if (!json)
		return 1;
	v = cJSON_Parse(json);
	if (!v)
		return 0;
	cJSON_AddItemToObject(o, key, v);
	return 1;
}

static int add_hints(cJSON *o, const struct tool *t, const char *key)
{
	cJSON *a = NULL;

	for (int h = 0; h < HINT_COUNT; h++) {
		if (t->desc->hints[h] == SKILL_HINT_UNSET)
			continue;
		if (!a && !(a = cJSON_AddObjectToObject(o, key)))
			return 0;
		if (!cJSON_AddBoolToObject(a, hint_keys[h],
		                           t->desc->hints[h] == SKILL_HINT_YES))
			return 0;
	}
	return 1;
}

cJSON *toolfmt_input_schema(const struct tool *t)
{
	cJSON *s = cJSON_Parse(t->desc->input_schema);

	if (s && sp_rewrite(s) < 0) {
		cJSON_Delete(s);
		s = NULL;
	}
	return s;
}

cJSON *toolfmt_mcp(const struct tool *t)
{
	cJSON *o = cJSON_CreateObject(), *in = toolfmt_input_schema(t), *meta;

	if (!o || !in)
		goto fail;
	if (!cJSON_AddStringToObject(o, "name", t->mcp_name) ||
	    !cJSON_AddStringToObject(o, "title",
	                             t->desc->title ? t->desc->title
	                                            : t->canonical) ||
	    !cJSON_AddStringToObject(o, "description", t->desc->description))
		goto fail;
	cJSON_AddItemToObject(o, "inputSchema", in);
	in = NULL;
	if (!add_parsed(o, "outputSchema", t->desc->output_schema) ||
	    !add_hints(o, t, "annotations") ||
	    !(meta = cJSON_AddObjectToObject(o, "_meta")) ||
	    !cJSON_AddStringToObject(meta, TOOLFMT_META_CANONICAL,
	                             t->canonical))
		goto fail;
	return o;
fail:
	cJSON_Delete(in);
	cJSON_Delete(o);
	return NULL;
}

cJSON *toolfmt_info(const struct tool *t)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddStringToObject(o, "name", t->canonical) ||
	    !cJSON_AddStringToObject(o, "skill", t->skill->desc->name) ||
	    !cJSON_AddStringToObject(o, "version", t->skill->desc->version) ||
	    !cJSON_AddStringToObject(o, "tool", t->desc->name) ||
	    !cJSON_AddStringToObject(o, "mcp_name", t->mcp_name) ||
	    !cJSON_AddStringToObject(o, "function_name", t->fc_name) ||
	    /* The first spellings, kept for the scripts that read them. */
	    !cJSON_AddStringToObject(o, "mcpName", t->mcp_name) ||
	    !cJSON_AddStringToObject(o, "functionName", t->mcp_name) ||
	    (t->desc->title &&
	     !cJSON_AddStringToObject(o, "title", t->desc->title)) ||
	    !cJSON_AddStringToObject(o, "description", t->desc->description) ||
	    !add_parsed(o, "inputSchema", t->desc->input_schema) ||
	    !add_parsed(o, "outputSchema", t->desc->output_schema) ||
	    !add_hints(o, t, "hints")) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
