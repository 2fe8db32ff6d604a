/*
 * sf_more.c - SOSL, sObject Collections, Apex REST and invocable actions.
 * See sf_more.h.
 */
#include "sf_more.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restcall.h"
#include "sf_error.h"
#include "sf_records.h"

static skill_status nomem(struct sf *c)
{
	return sf_fail(c, SKILL_ERR_NOMEM, "out of memory");
}

/* ---- sosl_search ---- */

/* "FIND {text} IN scope FIELDS RETURNING Obj(f, ... WHERE w LIMIT n), ..."
 * from the structured arguments. */
static void build_sosl(struct sbuf *q, const cJSON *args)
{
	const cJSON *objs = cJSON_GetObjectItemCaseSensitive(args, "objects");
	const char *scope = rc_str(args, "in");
	const cJSON *o;
	int first = 1;

	sb_puts(q, "FIND {");
	sf_sosl_escape(q, rc_str(args, "text"));
	sb_printf(q, "} IN %s FIELDS", scope ? scope : "ALL");
	cJSON_ArrayForEach(o, objs)
	{
		const cJSON *f;
		const char *where = rc_str(o, "where");
		int lim = rc_int(o, "limit", 0), ff = 1;
		sb_puts(q, first ? " RETURNING " : ", ");
		first = 0;
		sb_puts(q, rc_str(o, "name"));
		sb_putc(q, '(');
		if (!cJSON_GetArraySize(
		            cJSON_GetObjectItemCaseSensitive(o, "fields")))
			sb_puts(q, "Id");
		cJSON_ArrayForEach(
		        f, cJSON_GetObjectItemCaseSensitive(o, "fields"))
		{
			sb_printf(q, "%s%s", ff ? "" : ", ", f->valuestring);
			ff = 0;
		}
		if (where && *where)
			sb_printf(q, " WHERE %s", where);
		if (lim > 0)
			sb_printf(q, " LIMIT %d", lim);
		sb_putc(q, ')');
	}
	sb_printf(q, " LIMIT %d", rc_int(args, "limit", 200));
}

skill_status sf_sosl_search(struct sf *c, const cJSON *args)
{
	const char *sosl = rc_str(args, "sosl"), *text = rc_str(args, "text");
	struct sbuf q, path;
	cJSON *res = NULL, *out = NULL, *recs, *by;
	const cJSON *r;
	skill_status st;
	int n = 0;

	if (!sosl == !text)
		return sf_fail(
		        c, SKILL_ERR_TOOL,
		        "give either \"sosl\" (a whole FIND statement) "
		        "or \"text\" (words to find, with objects), not %s",
		        sosl ? "both" : "neither");
	if (sosl && cJSON_GetObjectItemCaseSensitive(args, "objects"))
		return sf_fail(c, SKILL_ERR_TOOL,
		               "\"objects\" goes with \"text\"; with \"sosl\" "
		               "write the RETURNING clause into the statement");
	sb_init(&q, 0);
	if (sosl)
		sb_puts(&q, sosl);
	else
		build_sosl(&q, args);
	sb_init(&path, 0);
	sb_puts(&path, "/search?q=");
	sb_put_pct(&path, sb_str(&q));
	if (sb_failed(&q) || sb_failed(&path)) {
		sb_free(&q);
		sb_free(&path);
		return nomem(c);
	}
	st = sf_get_json(c, "GET", sb_str(&path), NULL, NULL, 0,
	                 "running the SOSL search",
	                 "SOSL is FIND {words} [IN ALL|NAME|EMAIL|PHONE "
	                 "FIELDS] RETURNING Object(Field, ...); the words "
	                 "need two or more characters, and object and field "
	                 "names are API names (describe_object).",
	                 &res);
	sb_free(&path);
	out = st == SKILL_OK ? cJSON_CreateObject() : NULL;
	recs = out ? cJSON_AddArrayToObject(out, "records") : NULL;
	by = recs ? cJSON_AddObjectToObject(out, "by_object") : NULL;
	if (st == SKILL_OK &&
	    (!by || !cJSON_AddStringToObject(out, "sosl", sb_str(&q))))
		st = nomem(c);
	sb_free(&q);
	/* API 36.0 and later wrap the records in searchRecords. */
	r = cJSON_IsArray(res)
	            ? res
	            : cJSON_GetObjectItemCaseSensitive(res, "searchRecords");
	if (st == SKILL_OK) {
		const cJSON *it;
		cJSON_ArrayForEach(it, r)
		{
			const char *type = cJSON_GetStringValue(
			        cJSON_GetObjectItemCaseSensitive(
			                cJSON_GetObjectItemCaseSensitive(
			                        it, "attributes"),
			                "type"));
			cJSON *x = cJSON_Duplicate(it, 1), *cnt;
			if (!x) {
				st = nomem(c);
				break;
			}
			sf_strip_attributes(x);
			if (type &&
			    !cJSON_AddStringToObject(x, "sobject", type)) {
				cJSON_Delete(x);
				st = nomem(c);
				break;
			}
			cJSON_AddItemToArray(recs, x);
			n++;
			if (!type)
				continue;
			cnt = cJSON_GetObjectItemCaseSensitive(by, type);
			if (cnt)
				cJSON_SetNumberValue(cnt, cnt->valuedouble + 1);
			else if (!cJSON_AddNumberToObject(by, type, 1)) {
				st = nomem(c);
				break;
			}
		}
	}
	cJSON_Delete(res);
	if (st == SKILL_OK && !cJSON_AddNumberToObject(out, "count", n))
		st = nomem(c);
	if (st != SKILL_OK) {
		cJSON_Delete(out);
		return st;
	}
	return sf_result(c, out);
}

/* ---- sObject Collections ---- */

enum coll_op { COLL_CREATE, COLL_UPDATE, COLL_UPSERT, COLL_DELETE };

/* The body {"allOrNone", "records": [{"attributes": {"type"}, ...}]} of a
 * create, update or upsert; NULL after writing the tool error. */
static cJSON *collection_body(struct sf *c, enum coll_op op, const char *obj,
                              const char *ext, const cJSON *records,
                              int all_or_none, skill_status *st)
{
	cJSON *body = cJSON_CreateObject(), *list;
	const cJSON *r;
	int i = 0;

	list = body ? cJSON_AddArrayToObject(body, "records") : NULL;
	if (!list || !cJSON_AddBoolToObject(body, "allOrNone", all_or_none))
		goto nomem;
	cJSON_ArrayForEach(r, records)
	{
		cJSON *x, *attrs;
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "Id");
		i++;
		if (cJSON_GetObjectItemCaseSensitive(r, "attributes")) {
			*st = sf_fail(c, SKILL_ERR_TOOL,
			              "record %d has \"attributes\": give only "
			              "field values; the object is \"sobject\"",
			              i);
			cJSON_Delete(body);
			return NULL;
		}
		if (op == COLL_CREATE && id) {
			*st = sf_fail(
			        c, SKILL_ERR_TOOL,
			        "record %d has an Id: create_records makes "
			        "new records (update_records changes "
			        "existing ones)",
			        i);
			cJSON_Delete(body);
			return NULL;
		}
		if (op == COLL_UPDATE && !cJSON_IsString(id)) {
			*st = sf_fail(c, SKILL_ERR_TOOL,
			              "record %d has no \"Id\": update_records "
			              "needs each record's Id",
			              i);
			cJSON_Delete(body);
			return NULL;
		}
		if (op == COLL_UPSERT &&
		    !cJSON_GetObjectItemCaseSensitive(r, ext)) {
			*st = sf_fail(
			        c, SKILL_ERR_TOOL,
			        "record %d has no value for the external id "
			        "field \"%s\"",
			        i, ext);
			cJSON_Delete(body);
			return NULL;
		}
		if (!(x = cJSON_Duplicate(r, 1)))
			goto nomem;
		attrs = cJSON_CreateObject();
		if (!attrs || !cJSON_AddStringToObject(attrs, "type", obj) ||
		    !cJSON_AddItemToObject(x, "attributes", attrs)) {
			cJSON_Delete(attrs);
			cJSON_Delete(x);
			goto nomem;
		}
		cJSON_AddItemToArray(list, x);
	}
	return body;
nomem:
	cJSON_Delete(body);
	*st = nomem(c);
	return NULL;
}

static skill_status collection(struct sf *c, const cJSON *args, enum coll_op op)
{
	static const char *const doing[] = {
	        "creating the records", "updating the records",
	        "upserting the records", "deleting the records"};
	const char *obj = rc_str(args, "sobject");
	const char *ext = rc_str(args, "external_id_field");
	const cJSON *records = cJSON_GetObjectItemCaseSensitive(
	        args, op == COLL_DELETE ? "ids" : "records");
	int all_or_none = !cJSON_IsFalse(
	        cJSON_GetObjectItemCaseSensitive(args, "all_or_none"));
	int ok = 0, failed = 0, i = 0;
	cJSON *body = NULL, *res = NULL, *out = NULL, *results;
	const cJSON *r;
	struct sbuf path, why;
	skill_status st = SKILL_OK;

	if (cJSON_GetArraySize(records) > SF_COLLECTION_MAX)
		return sf_fail(c, SKILL_ERR_TOOL,
		               "at most %d records per call (Salesforce's "
		               "limit for sObject Collections); split them",
		               SF_COLLECTION_MAX);
	sb_init(&path, 0);
	if (op == COLL_DELETE) {
		const cJSON *id;
		int first = 1;
		sb_puts(&path, "/composite/sobjects?ids=");
		cJSON_ArrayForEach(id, records)
		{
			sb_puts(&path, first ? "" : ",");
			sb_put_pct(&path, id->valuestring);
			first = 0;
		}
		sb_printf(&path, "&allOrNone=%s",
		          all_or_none ? "true" : "false");
	} else {
		body = collection_body(c, op, obj, ext, records, all_or_none,
		                       &st);
		if (!body) {
			sb_free(&path);
			return st;
		}
		sb_puts(&path, "/composite/sobjects");
		if (op == COLL_UPSERT) {
			sb_putc(&path, '/');
			sb_put_pct(&path, obj);
			sb_putc(&path, '/');
			sb_put_pct(&path, ext);
		}
	}
	if (sb_failed(&path)) {
		sb_free(&path);
		cJSON_Delete(body);
		return nomem(c);
	}
	st = sf_get_json(c,
	                 op == COLL_CREATE   ? "POST"
	                 : op == COLL_DELETE ? "DELETE"
	                                     : "PATCH",
	                 sb_str(&path), body, NULL, 0, doing[op],
	                 "Check the object and field API names "
	                 "(describe_object); every record must be of "
	                 "\"sobject\".",
	                 &res);
	sb_free(&path);
	cJSON_Delete(body);
	if (st != SKILL_OK)
		return st;
	if (!cJSON_IsArray(res)) {
		cJSON_Delete(res);
		return sf_fail(c, SKILL_ERR_TOOL,
		               "Salesforce's answer to the collection request "
		               "is not a list of results; nothing can be said "
		               "about which records were saved, so query them "
		               "before retrying");
	}
	out = cJSON_CreateObject();
	results = out ? cJSON_AddArrayToObject(out, "results") : NULL;
	if (!results) {
		cJSON_Delete(res);
		cJSON_Delete(out);
		return nomem(c);
	}
	sb_init(&why, 0);
	cJSON_ArrayForEach(r, res)
	{
		cJSON *x = cJSON_CreateObject();
		const cJSON *created =
		        cJSON_GetObjectItemCaseSensitive(r, "created");
		int good = cJSON_IsTrue(
		        cJSON_GetObjectItemCaseSensitive(r, "success"));
		if (!x || !cJSON_AddNumberToObject(x, "index", i) ||
		    !rc_add_str(x, "id", rc_str(r, "id")) ||
		    !cJSON_AddBoolToObject(x, "success", good) ||
		    (cJSON_IsBool(created) &&
		     !cJSON_AddBoolToObject(x, "created",
		                            cJSON_IsTrue(created))) ||
		    !cJSON_AddItemToArray(results, x)) {
			cJSON_Delete(x);
			st = nomem(c);
			break;
		}
		if (good) {
			ok++;
		} else {
			struct sbuf e;
			char code[SF_ERROR_CODE_MAX] = "";
			failed++;
			sb_init(&e, 0);
			if (!sf_error_json(&e, r, code, sizeof code))
				sb_puts(&e, "failed (no reason given)");
			rc_add_str(x, "error", sb_str(&e));
			/* With allOrNone the innocent records fail as rolled
			 * back: only the causes go in the message. */
			if (strcmp(code, "ALL_OR_NONE_OPERATION_ROLLED_BACK") &&
			    why.len < 2000)
				sb_printf(&why, "%srecord %d: %s",
				          why.len ? "; " : "", i, sb_str(&e));
			sb_free(&e);
		}
		i++;
	}
	cJSON_Delete(res);
	if (st == SKILL_OK &&
	    (!cJSON_AddBoolToObject(out, "all_or_none", all_or_none) ||
	     !cJSON_AddNumberToObject(out, "succeeded", ok) ||
	     !cJSON_AddNumberToObject(out, "failed", failed)))
		st = nomem(c);
	if (st == SKILL_OK && failed && all_or_none) {
		st = sf_fail(c, SKILL_ERR_TOOL,
		             "Rolled back: none of the %d records was %s "
		             "(all_or_none). %s. Fix those records and send "
		             "them all again.",
		             i,
		             op == COLL_CREATE   ? "created"
		             : op == COLL_DELETE ? "deleted"
		                                 : "saved",
		             why.len ? sb_str(&why) : "A record failed");
	}
	sb_free(&why);
	if (st != SKILL_OK) {
		cJSON_Delete(out);
		return st;
	}
	return sf_result(c, out);
}

skill_status sf_create_records(struct sf *c, const cJSON *args)
{
	return collection(c, args, COLL_CREATE);
}

skill_status sf_update_records(struct sf *c, const cJSON *args)
{
	return collection(c, args, COLL_UPDATE);
}

skill_status sf_upsert_records(struct sf *c, const cJSON *args)
{
	return collection(c, args, COLL_UPSERT);
}

skill_status sf_delete_records(struct sf *c, const cJSON *args)
{
	return collection(c, args, COLL_DELETE);
}

/* ---- apex_rest ---- */

skill_status sf_apex_rest(struct sf *c, const cJSON *args)
{
	const char *method = rc_str(args, "method"), *p = rc_str(args, "path");
	const cJSON *query = cJSON_GetObjectItemCaseSensitive(args, "query");
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(args, "body");
	const skill_http_response_t *r;
	const cJSON *q;
	struct sbuf path;
	cJSON *out, *parsed = NULL;
	skill_status st;
	int first = 1;

	if (body && (!strcmp(method, "GET") || !strcmp(method, "DELETE")))
		return sf_fail(c, SKILL_ERR_TOOL,
		               "a %s request has no body; put parameters in "
		               "\"query\"",
		               method);
	/* Apex REST lives beside the versioned API, at
	 * /services/apexrest/<urlMapping>, never under /services/data. */
	sb_init(&path, 0);
	sb_puts(&path, "/services/apexrest/");
	while (*p == '/')
		p++;
	sb_puts(&path, p);
	cJSON_ArrayForEach(q, query)
	{
		char num[32];
		const char *v = cJSON_IsString(q) ? q->valuestring : NULL;
		if (!v && cJSON_IsNumber(q)) {
			snprintf(num, sizeof num, "%.17g", q->valuedouble);
			v = num;
		} else if (!v && cJSON_IsBool(q)) {
			v = cJSON_IsTrue(q) ? "true" : "false";
		}
		if (!v) {
			sb_free(&path);
			return sf_fail(c, SKILL_ERR_TOOL,
			               "query.%s must be a string, number or "
			               "boolean",
			               q->string);
		}
		sb_putc(&path, first ? (strchr(p, '?') ? '&' : '?') : '&');
		sb_put_pct(&path, q->string);
		sb_putc(&path, '=');
		sb_put_pct(&path, v);
		first = 0;
	}
	if (sb_failed(&path)) {
		sb_free(&path);
		return nomem(c);
	}
	st = sf_request(c, method, sb_str(&path), body, NULL, 0,
	                "calling the Apex REST service",
	                "The path is the class's @RestResource urlMapping "
	                "(e.g. MyService/001...); check it and the method "
	                "the class accepts.",
	                &r);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddNumberToObject(out, "status", r->status)) {
		cJSON_Delete(out);
		return nomem(c);
	}
	if (r->body_len) {
		parsed = cJSON_ParseWithLength(r->body, r->body_len);
		if (!parsed) {
			/* An Apex class may answer text (RestContext). */
			char *t = malloc(r->body_len + 1);
			if (t) {
				memcpy(t, r->body, r->body_len);
				t[r->body_len] = '\0';
				parsed = cJSON_CreateString(t);
				free(t);
			}
			if (!parsed) {
				cJSON_Delete(out);
				return nomem(c);
			}
		}
		cJSON_AddItemToObject(out, "body", parsed);
	}
	return sf_result(c, out);
}

/* ---- invoke_action ---- */

skill_status sf_invoke_action(struct sf *c, const cJSON *args)
{
	const char *action = rc_str(args, "action");
	const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(args, "inputs");
	cJSON *body = cJSON_CreateObject(), *res = NULL, *out = NULL, *results;
	const cJSON *r, *list;
	struct sbuf path;
	skill_status st = SKILL_OK;
	int ok = 0, failed = 0, i = 0;

	if (!body || !cJSON_AddItemToObject(body, "inputs",
	                                    cJSON_Duplicate(inputs, 1))) {
		cJSON_Delete(body);
		return nomem(c);
	}
	sb_init(&path, 0);
	sb_puts(&path, "/actions/");
	sb_puts(&path, action); /* checked by the schema's pattern */
	st = sb_failed(&path)
	             ? nomem(c)
	             : sf_get_json(c, "POST", sb_str(&path), body, NULL, 0,
	                           "invoking the action",
	                           "action is standard/NAME (e.g. "
	                           "standard/chatterPost) or "
	                           "custom/TYPE/NAME (custom/flow/My_Flow, "
	                           "custom/apex/MyInvocable); inputs are "
	                           "the action's input parameters by name.",
	                           &res);
	sb_free(&path);
	cJSON_Delete(body);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	results = out ? cJSON_AddArrayToObject(out, "results") : NULL;
	if (!results)
		st = nomem(c);
	list = st == SKILL_OK ? res : NULL;
	cJSON_ArrayForEach(r, list)
	{
		int good = cJSON_IsTrue(
		        cJSON_GetObjectItemCaseSensitive(r, "isSuccess"));
		cJSON *x = cJSON_CreateObject(), *ov;
		ov = cJSON_Duplicate(
		        cJSON_GetObjectItemCaseSensitive(r, "outputValues"), 1);
		if (!x || !cJSON_AddNumberToObject(x, "index", i++) ||
		    !cJSON_AddBoolToObject(x, "success", good) ||
		    (ov && !cJSON_AddItemToObject(x, "outputs", ov)) ||
		    !cJSON_AddItemToArray(results, x)) {
			if (!x ||
			    !cJSON_GetObjectItemCaseSensitive(x, "outputs"))
				cJSON_Delete(ov);
			cJSON_Delete(x);
			st = nomem(c);
			break;
		}
		if (good) {
			ok++;
		} else {
			struct sbuf e;
			failed++;
			sb_init(&e, 0);
			char code[SF_ERROR_CODE_MAX];
			if (!sf_error_json(&e, r, code, sizeof code))
				sb_puts(&e, "failed (no reason given)");
			rc_add_str(x, "error", sb_str(&e));
			sb_free(&e);
		}
	}
	cJSON_Delete(res);
	if (st == SKILL_OK &&
	    (!cJSON_AddStringToObject(out, "action", action) ||
	     !cJSON_AddNumberToObject(out, "succeeded", ok) ||
	     !cJSON_AddNumberToObject(out, "failed", failed)))
		st = nomem(c);
	if (st != SKILL_OK) {
		cJSON_Delete(out);
		return st;
	}
	return sf_result(c, out);
}
