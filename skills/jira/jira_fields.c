/*
 * jira_fields.c - compact issue views. See jira_fields.h.
 */
#include "jira_fields.h"

#include <stdlib.h>
#include <string.h>

#include "adf_loss.h"
#include "adf_md.h"

static const char *str(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* Members that only serve Jira's web UI or its REST links. */
static int noise(const char *k)
{
	return !strcmp(k, "self") || !strcmp(k, "expand") ||
	       !strcmp(k, "avatarUrls") || !strcmp(k, "iconUrl") ||
	       !strcmp(k, "avatarId") || !strcmp(k, "32x32") ||
	       !strcmp(k, "statusCategory") || !strcmp(k, "thumbnail");
}

static cJSON *view(const cJSON *v, int depth, int *nomem);

static cJSON *user_view(const cJSON *u, int *nomem)
{
	cJSON *o = cJSON_CreateObject();
	static const char *const keep[] = {"accountId", "displayName",
	                                   "emailAddress"};

	if (!o) {
		*nomem = 1;
		return NULL;
	}
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if (str(u, keep[i]) &&
		    !cJSON_AddStringToObject(o, keep[i], str(u, keep[i])))
			*nomem = 1;
	return o;
}

/* A linked, parent or sub-task issue: its key, then its fields. */
static cJSON *issue_ref_view(const cJSON *v, int depth, int *nomem)
{
	cJSON *o = cJSON_CreateObject(), *f;
	const cJSON *it;

	if (!o || !cJSON_AddStringToObject(o, "key", str(v, "key"))) {
		cJSON_Delete(o);
		*nomem = 1;
		return NULL;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(v, "fields"))
	{
		if (!it->string || noise(it->string))
			continue;
		f = view(it, depth + 1, nomem);
		if (f && !cJSON_AddItemToObject(o, it->string, f)) {
			cJSON_Delete(f);
			*nomem = 1;
		}
	}
	return o;
}

static cJSON *view(const cJSON *v, int depth, int *nomem)
{
	const cJSON *it;
	cJSON *out;

	if (!v || cJSON_IsNull(v) || depth > JIRA_VIEW_MAX_DEPTH)
		return NULL;
	if (cJSON_IsArray(v)) {
		if (!(out = cJSON_CreateArray())) {
			*nomem = 1;
			return NULL;
		}
		cJSON_ArrayForEach(it, v)
		{
			cJSON *x = view(it, depth + 1, nomem);
			if (x && !cJSON_AddItemToArray(out, x)) {
				cJSON_Delete(x);
				*nomem = 1;
			}
		}
		return out;
	}
	if (!cJSON_IsObject(v)) {
		out = cJSON_Duplicate(v, 0);
		if (!out)
			*nomem = 1;
		return out;
	}
	if (adf_is_doc(v)) {
		char *md = adf_to_markdown(v);
		out = md ? cJSON_CreateString(md) : NULL;
		free(md);
		if (!out)
			*nomem = 1;
		return out;
	}
	if (str(v, "accountId"))
		return user_view(v, nomem);
	if (str(v, "key") &&
	    cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(v, "fields")))
		return issue_ref_view(v, depth, nomem);
	/* Named things behind a link: status, priority, issue type,
	 * resolution, components, versions; select options have "value". */
	if (str(v, "self") && !str(v, "key") &&
	    (str(v, "name") || str(v, "value"))) {
		out = cJSON_CreateString(str(v, "name") ? str(v, "name")
		                                        : str(v, "value"));
		if (!out)
			*nomem = 1;
		return out;
	}
	if (!(out = cJSON_CreateObject())) {
		*nomem = 1;
		return NULL;
	}
	cJSON_ArrayForEach(it, v)
	{
		cJSON *x;
		if (!it->string || noise(it->string))
			continue;
		x = view(it, depth + 1, nomem);
		if (x && !cJSON_AddItemToObject(out, it->string, x)) {
			cJSON_Delete(x);
			*nomem = 1;
		}
	}
	return out;
}

cJSON *jira_value_view(const cJSON *value)
{
	int nomem = 0;
	cJSON *v = view(value, 0, &nomem);

	if (nomem) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

cJSON *jira_issue_view(const cJSON *issue, int raw)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(issue, "fields");
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(issue, "names");
	const cJSON *it;
	cJSON *out = cJSON_CreateObject(), *f, *fn = NULL, *ml = NULL;
	int nomem = !out;

	if (out && str(issue, "key"))
		nomem |=
		        !cJSON_AddStringToObject(out, "key", str(issue, "key"));
	if (out && str(issue, "id"))
		nomem |= !cJSON_AddStringToObject(out, "id", str(issue, "id"));
	f = out ? cJSON_AddObjectToObject(out, "fields") : NULL;
	nomem |= !f;
	cJSON_ArrayForEach(it, fields)
	{
		cJSON *x;
		if (nomem || !it->string)
			break;
		if (raw) {
			if (cJSON_IsNull(it))
				continue;
			x = cJSON_Duplicate(it, 1);
			nomem |= !x;
		} else {
			x = view(it, 0, &nomem);
		}
		if (!x)
			continue;
		if (!cJSON_AddItemToObject(f, it->string, x)) {
			cJSON_Delete(x);
			nomem = 1;
			break;
		}
		/* Say which rich-text fields the Markdown shows only in
		 * part, so an edit goes through the ADF path instead. */
		if (!raw && adf_is_doc(it)) {
			cJSON *loss = adf_md_losses(it);
			nomem |= !loss;
			if (loss && cJSON_GetArraySize(loss) > 0) {
				if (!ml && !(ml = cJSON_AddObjectToObject(
				                     out, "markdown_losses")))
					nomem = 1;
				if (ml && !cJSON_AddItemToObject(ml, it->string,
				                                 loss)) {
					nomem = 1;
					cJSON_Delete(loss);
				}
			} else {
				cJSON_Delete(loss);
			}
		}
		/* Names of the custom fields shown, so "customfield_10011"
		 * can be read as "Epic Name". */
		if (!strncmp(it->string, "customfield_", 12) &&
		    str(names, it->string)) {
			if ((!fn && !(fn = cJSON_AddObjectToObject(
			                      out, "field_names"))) ||
			    !cJSON_AddStringToObject(fn, it->string,
			                             str(names, it->string)))
				nomem = 1;
		}
	}
	if (nomem) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}
