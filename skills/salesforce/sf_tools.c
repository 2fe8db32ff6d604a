/*
 * sf_tools.c - the tools of skillhost/salesforce. See sf_tools.h.
 */
#include "sf_tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sf_error.h"
#include "sf_records.h"
#include "restcall.h"

/* ---- helpers ---- */

static skill_status nomem(struct sf *c)
{
	return sf_fail(c, SKILL_ERR_NOMEM, "out of memory");
}

/* "/sobjects/OBJ[/ID]" into b. */
static void sobject_path(struct sbuf *b, const char *obj, const char *id)
{
	sb_puts(b, "/sobjects/");
	sb_put_pct(b, obj);
	if (id) {
		sb_putc(b, '/');
		sb_put_pct(b, id);
	}
}

/* ---- soql_query ---- */

skill_status sf_soql_query(struct sf *c, const cJSON *args)
{
	const char *query = rc_str(args, "query");
	const char *next = rc_str(args, "next_records_url");
	int max = rc_int(args, "max_records", SF_DEFAULT_RECORDS);
	int batch = rc_int(args, "batch_size", 0), count = 0, done = 1;
	int cut = 0, auto_batch = 0, last_batch = 0;
	int all = cJSON_IsTrue(
	        cJSON_GetObjectItemCaseSensitive(args, "include_deleted"));
	char opt[48];
	skill_http_header_t hdr = {"Sforce-Query-Options", opt};
	cJSON *out = NULL, *records, *res = NULL;
	char *locator = NULL;
	double total = -1;
	struct sbuf path;
	skill_status st;

	if (!query == !next)
		return sf_fail(c, SKILL_ERR_TOOL,
		               "give either \"query\" (SOQL) or "
		               "\"next_records_url\" (from an earlier "
		               "soql_query), not %s",
		               query ? "both" : "neither");
	if (next && !sf_valid_locator(next))
		return sf_fail(
		        c, SKILL_ERR_TOOL,
		        "next_records_url must be the next_records_url an "
		        "earlier soql_query returned (it starts with "
		        "/services/data/v and holds /query/)");
	if (max > SF_MAX_RECORDS_CAP)
		max = SF_MAX_RECORDS_CAP;
	/* Unless the caller chose, ask for batches that tile max_records,
	 * so the call ends on a batch boundary and next_records_url can
	 * continue it: a cap inside a batch would strand the batch's rest
	 * (a query locator is used once and only in order). */
	if (!batch) {
		auto_batch = 1;
		batch = sf_tiling_batch(max);
	}
	snprintf(opt, sizeof opt, "batchSize=%d", batch);
	sb_init(&path, 0);
	if (next) {
		sb_puts(&path, next);
	} else {
		sb_puts(&path, all ? "/queryAll?q=" : "/query?q=");
		sb_put_pct(&path, query);
	}
	out = cJSON_CreateObject();
	records = out ? cJSON_AddArrayToObject(out, "records") : NULL;
	if (!records || sb_failed(&path)) {
		st = nomem(c);
		goto out;
	}
	for (;;) {
		const cJSON *tot;
		cJSON *arr;
		const char *nru;

		st = sf_get_json(c, "GET", sb_str(&path), NULL, &hdr, 1,
		                 "running the SOQL query",
		                 "Check the SOQL (field and object API names: "
		                 "describe_object and list_objects show them).",
		                 &res);
		if (st != SKILL_OK)
			goto out;
		tot = cJSON_GetObjectItemCaseSensitive(res, "totalSize");
		if (cJSON_IsNumber(tot))
			total = tot->valuedouble;
		arr = cJSON_GetObjectItemCaseSensitive(res, "records");
		last_batch = cJSON_GetArraySize(arr);
		while (arr && arr->child) {
			cJSON *r;
			if (count >= max) {
				cut = 1;
				break;
			}
			r = cJSON_DetachItemViaPointer(arr, arr->child);
			sf_strip_attributes(r);
			cJSON_AddItemToArray(records, r);
			count++;
		}
		done = cJSON_IsTrue(
		        cJSON_GetObjectItemCaseSensitive(res, "done"));
		nru = rc_str(res, "nextRecordsUrl");
		free(locator);
		locator = !done && nru && sf_valid_locator(nru) ? strdup(nru)
		                                                : NULL;
		cJSON_Delete(res);
		res = NULL;
		if (done || !locator || cut || count >= max)
			break;
		/* A next batch as large as this one would not fit: stop on
		 * the boundary (the batches Salesforce sends are the size
		 * asked for, only the last is smaller). */
		if (auto_batch && count + last_batch > max)
			break;
		if (c->host->is_cancelled(c->call)) {
			st = SKILL_ERR_CANCELLED;
			goto out;
		}
		c->host->progress(c->call, count,
		                  total > 0 && total < max ? total : max,
		                  "records");
		sb_trim(&path, path.len);
		sb_puts(&path, locator);
	}
	if ((total >= 0 &&
	     !cJSON_AddNumberToObject(out, "total_size", total)) ||
	    !cJSON_AddNumberToObject(out, "returned", count) ||
	    !cJSON_AddBoolToObject(out, "done", done && !cut) ||
	    (!cut && !done && !rc_add_str(out, "next_records_url", locator)) ||
	    (cut && !cJSON_AddBoolToObject(out, "truncated", 1))) {
		st = nomem(c);
		goto out;
	}
	st = sf_result(c, out);
	out = NULL;
out:
	free(locator);
	cJSON_Delete(res);
	cJSON_Delete(out);
	sb_free(&path);
	return st;
}

/* ---- records ---- */

skill_status sf_get_record(struct sf *c, const cJSON *args)
{
	const char *obj = rc_str(args, "sobject"), *id = rc_str(args, "id");
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(args, "fields");
	const cJSON *f;
	cJSON *res = NULL, *out;
	struct sbuf path;
	skill_status st;
	int first = 1;

	sb_init(&path, 0);
	sobject_path(&path, obj, id);
	cJSON_ArrayForEach(f, fields)
	{
		sb_puts(&path, first ? "?fields=" : ",");
		sb_put_pct(&path, f->valuestring);
		first = 0;
	}
	st = sb_failed(&path)
	             ? nomem(c)
	             : sf_get_json(c, "GET", sb_str(&path), NULL, NULL, 0,
	                           "getting the record",
	                           "Check the object's API name and the "
	                           "record Id.",
	                           &res);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	sf_strip_attributes(res);
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "sobject", obj) ||
	    !cJSON_AddStringToObject(out, "id", id) ||
	    !cJSON_AddItemToObject(out, "record", res)) {
		cJSON_Delete(out);
		cJSON_Delete(res);
		return nomem(c);
	}
	return sf_result(c, out);
}

skill_status sf_create_record(struct sf *c, const cJSON *args)
{
	const char *obj = rc_str(args, "sobject");
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(args, "fields");
	cJSON *res = NULL, *out;
	struct sbuf path;
	skill_status st;

	sb_init(&path, 0);
	sobject_path(&path, obj, NULL);
	st = sb_failed(&path)
	             ? nomem(c)
	             : sf_get_json(c, "POST", sb_str(&path), fields, NULL, 0,
	                           "creating the record",
	                           "Check the object and field API names "
	                           "(describe_object shows the fields, which "
	                           "are required and their types).",
	                           &res);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	if (!rc_str(res, "id") ||
	    cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(res, "success"))) {
		struct sbuf m;
		sb_init(&m, 0);
		sb_puts(&m, "Salesforce did not create the record: ");
		if (!sf_error_json(&m, res, NULL, 0))
			sb_puts(&m, "its answer has no record Id");
		cJSON_Delete(res);
		st = sf_fail(c, SKILL_ERR_TOOL, "%s", sb_str(&m));
		sb_free(&m);
		return st;
	}
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "id", rc_str(res, "id")) ||
	    !cJSON_AddStringToObject(out, "sobject", obj) ||
	    !cJSON_AddBoolToObject(out, "success", 1)) {
		cJSON_Delete(out);
		cJSON_Delete(res);
		return nomem(c);
	}
	cJSON_Delete(res);
	return sf_result(c, out);
}

/* PATCH or DELETE a record by Id; the result names what changed. */
static skill_status change_record(struct sf *c, const cJSON *args,
                                  const char *method, const char *doing)
{
	const char *obj = rc_str(args, "sobject"), *id = rc_str(args, "id");
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(args, "fields");
	const skill_http_response_t *r;
	cJSON *out, *names;
	const cJSON *f;
	struct sbuf path;
	skill_status st;

	if (fields && !fields->child)
		return sf_fail(
		        c, SKILL_ERR_TOOL,
		        "\"fields\" is empty: give the fields to change, "
		        "e.g. {\"Phone\": \"555-0100\"}");
	sb_init(&path, 0);
	sobject_path(&path, obj, id);
	st = sb_failed(&path)
	             ? nomem(c)
	             : sf_request(c, method, sb_str(&path), fields, NULL, 0,
	                          doing,
	                          "Check the object's API name, the record Id "
	                          "and the field names (describe_object).",
	                          &r);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "id", id) ||
	    !cJSON_AddStringToObject(out, "sobject", obj)) {
		cJSON_Delete(out);
		return nomem(c);
	}
	if (fields) {
		if (!(names = cJSON_AddArrayToObject(out, "updated"))) {
			cJSON_Delete(out);
			return nomem(c);
		}
		cJSON_ArrayForEach(f, fields) cJSON_AddItemToArray(
		        names, cJSON_CreateString(f->string));
	} else if (!cJSON_AddBoolToObject(out, "deleted", 1)) {
		cJSON_Delete(out);
		return nomem(c);
	}
	return sf_result(c, out);
}

skill_status sf_update_record(struct sf *c, const cJSON *args)
{
	return change_record(c, args, "PATCH", "updating the record");
}

skill_status sf_delete_record(struct sf *c, const cJSON *args)
{
	return change_record(c, args, "DELETE", "deleting the record");
}

skill_status sf_upsert_record(struct sf *c, const cJSON *args)
{
	const char *obj = rc_str(args, "sobject");
	const char *field = rc_str(args, "external_id_field");
	const char *value = rc_str(args, "external_id");
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(args, "fields");
	const skill_http_response_t *r;
	cJSON *res = NULL, *out;
	struct sbuf path;
	skill_status st;
	int created;

	sb_init(&path, 0);
	sobject_path(&path, obj, field);
	sb_putc(&path, '/');
	sb_put_pct(&path, value);
	st = sb_failed(&path)
	             ? nomem(c)
	             : sf_request(c, "PATCH", sb_str(&path), fields, NULL, 0,
	                          "upserting the record",
	                          "The external id field must be a field "
	                          "marked External ID (or Id) on the object; "
	                          "describe_object shows them as "
	                          "external_id.",
	                          &r);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	/* 201 created, 200 updated (API 46.0 and later), 204 updated. */
	created = r->status == 201;
	if (r->body_len)
		res = cJSON_ParseWithLength(r->body, r->body_len);
	if (cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(res, "created")))
		created = cJSON_IsTrue(
		        cJSON_GetObjectItemCaseSensitive(res, "created"));
	out = cJSON_CreateObject();
	if (!out || !rc_add_str(out, "id", rc_str(res, "id")) ||
	    !cJSON_AddStringToObject(out, "sobject", obj) ||
	    !cJSON_AddBoolToObject(out, "created", created) ||
	    !cJSON_AddStringToObject(out, "external_id_field", field) ||
	    !cJSON_AddStringToObject(out, "external_id", value)) {
		cJSON_Delete(out);
		cJSON_Delete(res);
		return nomem(c);
	}
	cJSON_Delete(res);
	return sf_result(c, out);
}

/* ---- describe ---- */

static int copy_members(cJSON *to, const cJSON *from, const char *const *keys,
                        const char *const *as)
{
	for (size_t i = 0; keys[i]; i++) {
		const cJSON *v =
		        cJSON_GetObjectItemCaseSensitive(from, keys[i]);
		cJSON *d;
		if (!v || cJSON_IsNull(v))
			continue;
		/* Empty lists and zero lengths say nothing. */
		if ((cJSON_IsArray(v) && !v->child) ||
		    (cJSON_IsNumber(v) && v->valuedouble == 0))
			continue;
		if (!(d = cJSON_Duplicate(v, 1)) ||
		    !cJSON_AddItemToObject(to, as[i] ? as[i] : keys[i], d)) {
			cJSON_Delete(d);
			return 0;
		}
	}
	return 1;
}

static cJSON *field_view(const cJSON *f, int picklists)
{
	static const char *const keys[] = {"name",
	                                   "label",
	                                   "type",
	                                   "length",
	                                   "precision",
	                                   "scale",
	                                   "nillable",
	                                   "createable",
	                                   "updateable",
	                                   "unique",
	                                   "externalId",
	                                   "calculated",
	                                   "defaultedOnCreate",
	                                   "referenceTo",
	                                   "relationshipName",
	                                   "inlineHelpText",
	                                   NULL};
	static const char *const as[] = {NULL,
	                                 NULL,
	                                 NULL,
	                                 NULL,
	                                 NULL,
	                                 NULL,
	                                 NULL,
	                                 NULL,
	                                 NULL,
	                                 NULL,
	                                 "external_id",
	                                 NULL,
	                                 "defaulted_on_create",
	                                 "reference_to",
	                                 "relationship_name",
	                                 "help",
	                                 NULL};
	cJSON *o = cJSON_CreateObject(), *vals;
	const cJSON *p;

	if (!o || !copy_members(o, f, keys, as)) {
		cJSON_Delete(o);
		return NULL;
	}
	if (!picklists)
		return o;
	cJSON_ArrayForEach(
	        p, cJSON_GetObjectItemCaseSensitive(f, "picklistValues"))
	{
		cJSON *v;
		if (!cJSON_IsTrue(
		            cJSON_GetObjectItemCaseSensitive(p, "active")))
			continue;
		vals = cJSON_GetObjectItemCaseSensitive(o, "picklist");
		if (!vals && !(vals = cJSON_AddArrayToObject(o, "picklist")))
			break;
		v = cJSON_CreateObject();
		if (!v || !rc_add_str(v, "value", rc_str(p, "value")) ||
		    (rc_str(p, "label") && rc_str(p, "value") &&
		     strcmp(rc_str(p, "label"), rc_str(p, "value")) &&
		     !rc_add_str(v, "label", rc_str(p, "label"))) ||
		    (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		             p, "defaultValue")) &&
		     !cJSON_AddBoolToObject(v, "default", 1)) ||
		    !cJSON_AddItemToArray(vals, v)) {
			cJSON_Delete(v);
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

skill_status sf_describe_object(struct sf *c, const cJSON *args)
{
	static const char *const keys[] = {
	        "name",      "label",      "labelPlural", "keyPrefix",
	        "custom",    "createable", "updateable",  "deletable",
	        "queryable", "searchable", NULL};
	static const char *const as[] = {
	        NULL, NULL, "label_plural", "key_prefix", NULL, NULL,
	        NULL, NULL, NULL,           NULL,         NULL};
	const char *obj = rc_str(args, "sobject");
	const cJSON *pk =
	        cJSON_GetObjectItemCaseSensitive(args, "include_picklists");
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(
	        args, "include_child_relationships");
	int picklists = !cJSON_IsFalse(pk), children = cJSON_IsTrue(ch);
	cJSON *res = NULL, *out, *fields;
	const cJSON *f;
	struct sbuf path;
	skill_status st;

	sb_init(&path, 0);
	sobject_path(&path, obj, NULL);
	sb_puts(&path, "/describe");
	st = sb_failed(&path)
	             ? nomem(c)
	             : sf_get_json(c, "GET", sb_str(&path), NULL, NULL, 0,
	                           "describing the object",
	                           "Check the object's API name with "
	                           "list_objects (custom objects end in __c).",
	                           &res);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	fields = out ? cJSON_CreateArray() : NULL;
	if (!fields || !copy_members(out, res, keys, as) ||
	    !cJSON_AddItemToObject(out, "fields", fields)) {
		cJSON_Delete(fields);
		goto nomem;
	}
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(res, "fields"))
	{
		cJSON *v = field_view(f, picklists);
		if (!v || !cJSON_AddItemToArray(fields, v)) {
			cJSON_Delete(v);
			goto nomem;
		}
	}
	if (children) {
		cJSON *arr = cJSON_AddArrayToObject(out, "child_relationships");
		int n = 0;
		if (!arr)
			goto nomem;
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(
		                              res, "childRelationships"))
		{
			cJSON *v;
			if (!rc_str(f, "relationshipName"))
				continue;
			if (n++ >= SF_CHILDREN_MAX) {
				cJSON_AddBoolToObject(out,
				                      "child_relationships_"
				                      "truncated",
				                      1);
				break;
			}
			v = cJSON_CreateObject();
			if (!v ||
			    !rc_add_str(v, "relationship_name",
			                rc_str(f, "relationshipName")) ||
			    !rc_add_str(v, "child_sobject",
			                rc_str(f, "childSObject")) ||
			    !rc_add_str(v, "field", rc_str(f, "field")) ||
			    !cJSON_AddItemToArray(arr, v)) {
				cJSON_Delete(v);
				goto nomem;
			}
		}
	}
	cJSON_Delete(res);
	return sf_result(c, out);
nomem:
	cJSON_Delete(out);
	cJSON_Delete(res);
	return nomem(c);
}

skill_status sf_list_objects(struct sf *c, const cJSON *args)
{
	static const char *const keys[] = {
	        "name",       "label",     "custom", "queryable",
	        "createable", "keyPrefix", NULL};
	static const char *const as[] = {NULL, NULL,         NULL, NULL,
	                                 NULL, "key_prefix", NULL};
	const char *filter = rc_str(args, "filter");
	int custom_only = cJSON_IsTrue(
	        cJSON_GetObjectItemCaseSensitive(args, "custom_only"));
	int max = rc_int(args, "max_results", SF_DEFAULT_OBJECTS);
	int matched = 0, returned = 0;
	cJSON *res = NULL, *out, *arr;
	const cJSON *o;
	skill_status st;

	if (max > SF_MAX_OBJECTS_CAP)
		max = SF_MAX_OBJECTS_CAP;
	st = sf_get_json(c, "GET", "/sobjects", NULL, NULL, 0,
	                 "listing the objects", NULL, &res);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	arr = out ? cJSON_AddArrayToObject(out, "objects") : NULL;
	if (!arr)
		goto nomem;
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(res, "sobjects"))
	{
		const char *name = rc_str(o, "name"),
		           *label = rc_str(o, "label");
		cJSON *v;
		if (!name ||
		    (custom_only &&
		     !cJSON_IsTrue(
		             cJSON_GetObjectItemCaseSensitive(o, "custom"))) ||
		    (filter && *filter && !strcasestr(name, filter) &&
		     !(label && strcasestr(label, filter))))
			continue;
		matched++;
		if (returned >= max)
			continue;
		v = cJSON_CreateObject();
		if (!v || !copy_members(v, o, keys, as) ||
		    !cJSON_AddItemToArray(arr, v)) {
			cJSON_Delete(v);
			goto nomem;
		}
		returned++;
	}
	if (!cJSON_AddNumberToObject(out, "matched", matched) ||
	    !cJSON_AddNumberToObject(out, "returned", returned))
		goto nomem;
	cJSON_Delete(res);
	return sf_result(c, out);
nomem:
	cJSON_Delete(out);
	cJSON_Delete(res);
	return nomem(c);
}

/* ---- composite ---- */

skill_status sf_composite(struct sf *c, const cJSON *args)
{
	const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(args, "requests");
	const cJSON *aon =
	        cJSON_GetObjectItemCaseSensitive(args, "all_or_none");
	int all_or_none = !cJSON_IsFalse(aon), failed = 0, ok = 0;
	cJSON *body = cJSON_CreateObject(), *list, *res = NULL, *out = NULL;
	cJSON *results;
	const cJSON *q, *sub;
	struct sbuf why;
	skill_status st;

	list = body ? cJSON_AddArrayToObject(body, "compositeRequest") : NULL;
	if (!list || !cJSON_AddBoolToObject(body, "allOrNone", all_or_none)) {
		cJSON_Delete(body);
		return nomem(c);
	}
	cJSON_ArrayForEach(q, reqs)
	{
		cJSON *x = cJSON_CreateObject();
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(q, "body");
		struct sbuf url;
		sb_init(&url, 0);
		sf_composite_url(&url, c->version, rc_str(q, "url"));
		if (!x || sb_failed(&url) ||
		    !cJSON_AddStringToObject(x, "method",
		                             rc_str(q, "method")) ||
		    !cJSON_AddStringToObject(x, "url", sb_str(&url)) ||
		    !cJSON_AddStringToObject(x, "referenceId",
		                             rc_str(q, "reference_id")) ||
		    (b && !cJSON_AddItemToObject(x, "body",
		                                 cJSON_Duplicate(b, 1))) ||
		    !cJSON_AddItemToArray(list, x)) {
			sb_free(&url);
			cJSON_Delete(x);
			cJSON_Delete(body);
			return nomem(c);
		}
		sb_free(&url);
	}
	st = sf_get_json(c, "POST", "/composite", body, NULL, 0,
	                 "running the composite request",
	                 "Each subrequest needs a method, a url (e.g. "
	                 "sobjects/Account or /services/data/vXX.X/...) and a "
	                 "reference_id of letters, digits and underscores; "
	                 "later ones can use @{reference_id.id}.",
	                 &res);
	cJSON_Delete(body);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	results = out ? cJSON_AddArrayToObject(out, "results") : NULL;
	if (!results)
		goto nomem;
	sb_init(&why, 0);
	cJSON_ArrayForEach(
	        sub, cJSON_GetObjectItemCaseSensitive(res, "compositeResponse"))
	{
		const cJSON *code =
		        cJSON_GetObjectItemCaseSensitive(sub, "httpStatusCode");
		int status = cJSON_IsNumber(code) ? code->valueint : 0;
		cJSON *x = cJSON_CreateObject(), *b;
		const char *ref = rc_str(sub, "referenceId");

		if (!x || !rc_add_str(x, "reference_id", ref) ||
		    !cJSON_AddNumberToObject(x, "status", status) ||
		    !cJSON_AddItemToArray(results, x)) {
			cJSON_Delete(x);
			sb_free(&why);
			goto nomem;
		}
		b = cJSON_Duplicate(
		        cJSON_GetObjectItemCaseSensitive(sub, "body"), 1);
		if (status >= 200 && status <= 299) {
			ok++;
			sf_strip_attributes(b);
			if (b && !cJSON_AddItemToObject(x, "body", b))
				cJSON_Delete(b);
			continue;
		}
		failed++;
		{
			struct sbuf e;
			char ecode[SF_ERROR_CODE_MAX] = "";
			sb_init(&e, 0);
			if (!sf_error_json(&e, b, ecode, sizeof ecode))
				sb_printf(&e, "HTTP %d", status);
			rc_add_str(x, "error", sb_str(&e));
			/* With allOrNone the others fail as PROCESSING_HALTED:
			 * only the causes go in the message. */
			if (strcmp(ecode, "PROCESSING_HALTED")) {
				const char *h = sf_hint_for(ecode);
				sb_printf(&why, "%s'%s' failed (%d): %s%s%s",
				          why.len ? "; " : "", ref ? ref : "?",
				          status, sb_str(&e), h ? " " : "",
				          h ? h : "");
			}
			sb_free(&e);
		}
		cJSON_Delete(b);
	}
	if (!cJSON_AddBoolToObject(out, "all_or_none", all_or_none) ||
	    !cJSON_AddNumberToObject(out, "succeeded", ok) ||
	    !cJSON_AddNumberToObject(out, "failed", failed)) {
		sb_free(&why);
		goto nomem;
	}
	cJSON_Delete(res);
	if (failed && all_or_none) {
		st = sf_fail(
		        c, SKILL_ERR_TOOL,
		        "The composite request was rolled back: nothing was "
		        "changed. %s",
		        why.len ? sb_str(&why) : "A subrequest failed.");
		sb_free(&why);
		cJSON_Delete(out);
		return st;
	}
	sb_free(&why);
	return sf_result(c, out);
nomem:
	cJSON_Delete(out);
	cJSON_Delete(res);
	return nomem(c);
}

/* ---- limits ---- */

skill_status sf_limits(struct sf *c, const cJSON *args)
{
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(args, "names");
	const cJSON *n;
	cJSON *res = NULL, *out, *lim;
	skill_status st = sf_get_json(c, "GET", "/limits", NULL, NULL, 0,
	                              "reading the org's limits", NULL, &res);

	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	if (!out) {
		cJSON_Delete(res);
		return nomem(c);
	}
	if (!cJSON_GetArraySize(names)) {
		if (!cJSON_AddItemToObject(out, "limits", res)) {
			cJSON_Delete(out);
			cJSON_Delete(res);
			return nomem(c);
		}
		return sf_result(c, out);
	}
	if (!(lim = cJSON_AddObjectToObject(out, "limits"))) {
		cJSON_Delete(out);
		cJSON_Delete(res);
		return nomem(c);
	}
	cJSON_ArrayForEach(n, names)
	{
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(
		        res, n->valuestring);
		if (!v) {
			cJSON_Delete(out);
			cJSON_Delete(res);
			return sf_fail(
			        c, SKILL_ERR_TOOL,
			        "the org reports no limit named \"%s\"; "
			        "call limits without names to see them all "
			        "(e.g. DailyApiRequests, DataStorageMB)",
			        n->valuestring);
		}
		if (!cJSON_AddItemToObject(lim, n->valuestring, v)) {
			cJSON_Delete(v);
			cJSON_Delete(out);
			cJSON_Delete(res);
			return nomem(c);
		}
	}
	cJSON_Delete(res);
	return sf_result(c, out);
}
