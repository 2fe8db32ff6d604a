/*
 * portcheck.c - schema portability report. See portcheck.h.
 */
#include "portcheck.h"

#include <string.h>

#include "schema_portable.h"

int portcheck_parse_client(const char *name, uint32_t *mask)
{
	enum sp_target t;

	if (!strcmp(name, "all")) {
		*mask |= SP_ALL;
		return 1;
	}
	if (!sp_target_parse(name, &t))
		return 0;
	*mask |= SP_BIT(t);
	return 1;
}

static cJSON *finding_json(const struct sp_finding *f)
{
	cJSON *o = cJSON_CreateObject(), *rej, *ign;

	if (!o || !cJSON_AddStringToObject(o, "path", f->path) ||
	    !cJSON_AddStringToObject(o, "construct", f->what) ||
	    !(rej = cJSON_AddArrayToObject(o, "rejectedBy")) ||
	    !(ign = cJSON_AddArrayToObject(o, "ignoredBy")) ||
	    !cJSON_AddBoolToObject(o, "rewrittenWhenServed", f->rewritten)) {
		cJSON_Delete(o);
		return NULL;
	}
	for (int i = 0; i < SP_TARGET_COUNT; i++) {
		cJSON *arr = f->rejects & SP_BIT(i)   ? rej
		             : f->ignores & SP_BIT(i) ? ign
		                                      : NULL;
		if (arr) {
			cJSON *n = cJSON_CreateString(
			        sp_target_name((enum sp_target)i));
			if (!n) {
				cJSON_Delete(o);
				return NULL;
			}
			cJSON_AddItemToArray(arr, n);
		}
	}
	return o;
}

int portcheck_catalog(struct catalog *cat, uint32_t mask, int ignored,
                      FILE *text, cJSON *json, size_t *rejecting)
{
	*rejecting = 0;
	for (size_t i = 0; i < catalog_tool_count(cat); i++) {
		const struct tool *t = catalog_tool_at(cat, i);
		cJSON *schema = cJSON_Parse(t->desc->input_schema), *o = NULL;
		cJSON *arr = NULL;
		struct sp_report r;
		struct sh_error e;

		if (!schema) {
			fprintf(stderr,
			        "skillhost: error: %s: the input schema is not "
			        "valid JSON\n",
			        t->canonical);
			return 5;
		}
		if (sp_check(schema, mask, &r, &e) != SH_OK) {
			cJSON_Delete(schema);
			fprintf(stderr, "skillhost: error: %s\n", e.msg);
			return 5;
		}
		cJSON_Delete(schema);
		if (sp_report_rejects(&r))
			(*rejecting)++;
		if (json) {
			o = cJSON_CreateObject();
			if (!o ||
			    !cJSON_AddStringToObject(o, "name", t->canonical) ||
			    !cJSON_AddStringToObject(o, "mcpName",
			                             t->mcp_name) ||
			    !cJSON_AddBoolToObject(o, "rejected",
			                           sp_report_rejects(&r)) ||
			    !cJSON_AddBoolToObject(
			            o, "needsRewrite",
			            sp_report_needs_rewrite(&r)) ||
			    !(arr = cJSON_AddArrayToObject(o, "findings")))
				goto nomem;
			cJSON_AddItemToArray(json, o);
			o = NULL;
		}
		for (size_t k = 0; k < r.n; k++) {
			const struct sp_finding *f = &r.f[k];
			char rej[512], ign[512];
			if (arr) {
				cJSON *fj = finding_json(f);
				if (!fj)
					goto nomem;
				cJSON_AddItemToArray(arr, fj);
				continue;
			}
			if (!f->rejects && !ignored)
				continue;
			sp_targets_format(f->rejects, rej, sizeof rej);
			sp_targets_format(f->ignores, ign, sizeof ign);
			fprintf(text, "%s: %s%s%s: %s%s%s%s%s%s\n",
			        t->canonical, f->what, f->path[0] ? " at " : "",
			        f->path, f->rejects ? "refused by " : "", rej,
			        f->rejects && f->ignores ? "; " : "",
			        f->ignores ? "ignored by " : "", ign,
			        f->rewritten ? " (the host rewrites it when "
			                       "serving)"
			                     : "");
		}
		sp_report_free(&r);
		continue;
	nomem:
		cJSON_Delete(o);
		sp_report_free(&r);
		fprintf(stderr, "skillhost: error: out of memory\n");
		return 5;
	}
	return 0;
}
