/*
 * clientask.c - skill.elicit/1 and skill.sample/1. See clientask.h.
 */
#include "clientask.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "call.h"
#include "schema.h"
#include "utf8.h"

#define WHY_MAX 400

static int text_ok(const char *s)
{
	return s && sh_utf8_valid(s, strlen(s));
}

/* Refuse with a reason the error result will carry. */
static skill_status refuse(skill_call_t *c, skill_status st, const char *fmt,
                           ...) __attribute__((format(printf, 3, 4)));

static skill_status refuse(skill_call_t *c, skill_status st, const char *fmt,
                           ...)
{
	char msg[WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	call_note(c, msg);
	return st;
}

/* Hand the request to whoever drives the call. */
static skill_status ask(skill_call_t *c, const char *method, cJSON *params,
                        const char *what, cJSON **result)
{
	char why[WHY_MAX] = "";
	skill_status st;

	if (!c->sinks || !c->sinks->request) {
		cJSON_Delete(params);
		return refuse(c, SKILL_ERR_UNSUPPORTED,
		              "%s is not available here: this caller has no "
		              "user or model to ask",
		              what);
	}
	st = c->sinks->request(c->sinks->ud, c, method, params, result, why,
	                       sizeof why);
	if (st != SKILL_OK && why[0])
		call_note(c, why);
	return st;
}

/* A list of option strings: a non-empty "enum" array of strings (with
 * "enumNames", deprecated, a title per option) or a non-empty "oneOf" /
 * "anyOf" (as key says) of {"const": string, "title": string}. */
static int options_ok(const cJSON *s, const char *key, const char *name,
                      char *why, size_t cap)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(s, key);
	const cJSON *o;
	int titled = strcmp(key, "enum") != 0;

	if (!cJSON_IsArray(list) || !cJSON_GetArraySize(list)) {
		snprintf(
		        why, cap,
		        "requested_schema property \"%.64s\": \"%s\" must be a "
		        "non-empty array",
		        name, key);
		return 0;
	}
	cJSON_ArrayForEach(o, list)
	{
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "const");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "title");
		if (titled ? !cJSON_IsString(k) || !cJSON_IsString(t)
		           : !cJSON_IsString(o)) {
			snprintf(why, cap,
			         "requested_schema property \"%.64s\": every "
			         "option in \"%s\" must be %s",
			         name, key,
			         titled ? "{\"const\": string, \"title\": "
			                  "string}"
			                : "a string");
			return 0;
		}
	}
	return 1;
}

/* Is str one of the options of the enum schema s? */
static int is_option(const cJSON *s, const char *str)
{
	const cJSON *o, *list = cJSON_GetObjectItemCaseSensitive(s, "enum");

	if (list) {
		cJSON_ArrayForEach(
		        o, list) if (!strcmp(o->valuestring, str)) return 1;
		return 0;
	}
	list = cJSON_GetObjectItemCaseSensitive(s, "oneOf");
	if (!list)
		list = cJSON_GetObjectItemCaseSensitive(s, "anyOf");
	cJSON_ArrayForEach(o, list)
	{
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(o, "const")
		                    ->valuestring,
		            str))
			return 1;
	}
	return 0;
}

/* A string property: free text, or a single choice from "enum" (with
 * deprecated "enumNames" titles) or from a titled "oneOf". */
static int string_field_ok(const cJSON *p, const char *name, char *why,
                           size_t cap)
{
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(p, "enum");
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(p, "enumNames");
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(p, "oneOf");
	const cJSON *def = cJSON_GetObjectItemCaseSensitive(p, "default");
	const cJSON *n;

	if (en && one) {
		snprintf(why, cap,
		         "requested_schema property \"%.64s\": give the "
		         "options as \"enum\" or as \"oneOf\", not both",
		         name);
		return 0;
	}
	if ((en && !options_ok(p, "enum", name, why, cap)) ||
	    (one && !options_ok(p, "oneOf", name, why, cap)))
		return 0;
	if (names) {
		int ok = en && cJSON_IsArray(names) &&
		         cJSON_GetArraySize(names) == cJSON_GetArraySize(en);
		cJSON_ArrayForEach(n, names) ok = ok && cJSON_IsString(n);
		if (!ok) {
			snprintf(why, cap,
			         "requested_schema property \"%.64s\": "
			         "\"enumNames\" must be strings, one per "
			         "\"enum\" option (or use \"oneOf\" with "
			         "const and title)",
			         name);
			return 0;
		}
	}
	if (def && (!cJSON_IsString(def) ||
	            ((en || one) && !is_option(p, def->valuestring)))) {
		snprintf(why, cap,
		         "requested_schema property \"%.64s\": \"default\" "
		         "must be a string%s",
		         name, en || one ? " among the options" : "");
		return 0;
	}
	return 1;
}

/* An array property: a multiple choice, "items" being an enum of strings
 * ({"type": "string", "enum": [...]}) or titled ({"anyOf": [{"const",
 * "title"}...]}); "default", if any, lists options. */
static int multi_field_ok(const cJSON *p, const char *name, char *why,
                          size_t cap)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(p, "items");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(items, "type");
	const cJSON *def = cJSON_GetObjectItemCaseSensitive(p, "default");
	const cJSON *d;
	int has_enum = cJSON_HasObjectItem(items, "enum");
	int has_any = cJSON_HasObjectItem(items, "anyOf");

	if (!cJSON_IsObject(items) || has_enum == has_any ||
	    (has_enum &&
	     (!cJSON_IsString(t) || strcmp(t->valuestring, "string"))) ||
	    (t && (!cJSON_IsString(t) || strcmp(t->valuestring, "string")))) {
		snprintf(why, cap,
		         "requested_schema property \"%.64s\": an array field "
		         "is a multiple choice; its \"items\" must be "
		         "{\"type\": \"string\", \"enum\": [...]} or "
		         "{\"anyOf\": [{\"const\": ..., \"title\": ...}]}",
		         name);
		return 0;
	}
	if (!options_ok(items, has_enum ? "enum" : "anyOf", name, why, cap))
		return 0;
	if (def) {
		int ok = cJSON_IsArray(def);
		cJSON_ArrayForEach(d, def) ok =
		        ok && cJSON_IsString(d) &&
		        is_option(items, d->valuestring);
		if (!ok) {
			snprintf(why, cap,
			         "requested_schema property \"%.64s\": "
			         "\"default\" must be an array of the options",
			         name);
			return 0;
		}
	}
	return 1;
}

/* MCP limits a form to flat fields (2025-11-25: string, number, integer,
 * boolean, single- and multiple-choice enums, each with an optional
 * "default", SEP-1034 and SEP-1330); check the skill kept to that, so a
 * client is never sent a form it cannot render. */
int clientask_form_ok(const cJSON *s, char *why, size_t cap)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(s, "type");
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	const cJSON *p;

	if (!cJSON_IsObject(s) || !cJSON_IsString(type) ||
	    strcmp(type->valuestring, "object") || !cJSON_IsObject(props)) {
		snprintf(why, cap,
		         "requested_schema must be an object schema with "
		         "\"type\": \"object\" and \"properties\"");
		return 0;
	}
	cJSON_ArrayForEach(p, props)
	{
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "type");
		const cJSON *def =
		        cJSON_GetObjectItemCaseSensitive(p, "default");
		const char *name = p->string ? p->string : "?";
		const char *ty = cJSON_IsString(t) ? t->valuestring : "";

		if (!cJSON_IsObject(p) ||
		    (strcmp(ty, "string") && strcmp(ty, "number") &&
		     strcmp(ty, "integer") && strcmp(ty, "boolean") &&
		     strcmp(ty, "array"))) {
			snprintf(
			        why, cap,
			        "requested_schema property \"%.64s\" must be a "
			        "string, number, integer, boolean or an array "
			        "of enum options (MCP forms are flat)",
			        name);
			return 0;
		}
		if (!strcmp(ty, "string")) {
			if (!string_field_ok(p, name, why, cap))
				return 0;
		} else if (!strcmp(ty, "array")) {
			if (!multi_field_ok(p, name, why, cap))
				return 0;
		} else if (
		        def &&
		        (!strcmp(ty, "boolean")
		                 ? !cJSON_IsBool(def)
		                 : !cJSON_IsNumber(def) ||
		                           (!strcmp(ty, "integer") &&
		                            def->valuedouble !=
		                                    (double)(long long)def
		                                            ->valuedouble))) {
			snprintf(why, cap,
			         "requested_schema property \"%.64s\": "
			         "\"default\" "
			         "must be a%s %s like the field",
			         name, strcmp(ty, "integer") ? "" : "n", ty);
			return 0;
		}
	}
	return 1;
}

static skill_status elicit(skill_call_t *c, const skill_elicit_request_t *req,
                           skill_elicit_result_t *out)
{
	cJSON *schema = NULL, *params, *result = NULL;
	const cJSON *action, *content;
	struct schema *compiled = NULL;
	struct sh_error err;
	char why[WHY_MAX] = "";
	skill_status st;

	if (!c || !out || out->struct_size < sizeof *out)
		return SKILL_ERR_ARGS;
	if (!req || req->struct_size < sizeof *req || !text_ok(req->message) ||
	    !text_ok(req->requested_schema))
		return refuse(c, SKILL_ERR_ARGS,
		              "%s: the request needs a UTF-8 message and "
		              "requested_schema",
		              "skill.elicit/1");
	if (strlen(req->message) + strlen(req->requested_schema) >
	    CLIENTASK_REQUEST_MAX)
		return refuse(c, SKILL_ERR_ARGS, "%s: the question is too long",
		              "skill.elicit/1");
	schema = cJSON_Parse(req->requested_schema);
	if (!clientask_form_ok(schema, why, sizeof why) ||
	    schema_compile(schema, &compiled, &err) != SH_OK) {
		if (compiled == NULL && schema && !why[0])
			snprintf(why, sizeof why, "%.300s", err.msg);
		cJSON_Delete(schema);
		return refuse(c, SKILL_ERR_ARGS, "skill.elicit/1: %.300s",
		              schema ? why : "requested_schema is not JSON");
	}
	params = cJSON_CreateObject();
	if (!params ||
	    !cJSON_AddStringToObject(params, "message", req->message)) {
		cJSON_Delete(params);
		cJSON_Delete(schema);
		schema_free(compiled);
		return SKILL_ERR_NOMEM;
	}
	cJSON_AddItemToObject(params, "requestedSchema", schema);
	st = ask(c, "elicitation/create", params,
	         "asking the user (elicitation)", &result);
	if (st != SKILL_OK) {
		schema_free(compiled);
		return st;
	}
	action = cJSON_GetObjectItemCaseSensitive(result, "action");
	content = cJSON_GetObjectItemCaseSensitive(result, "content");
	out->content = NULL;
	out->content_len = 0;
	if (cJSON_IsString(action) && !strcmp(action->valuestring, "accept")) {
		char msg[WHY_MAX];
		char *text;
		if (!cJSON_IsObject(content) ||
		    !schema_validate(compiled, content, msg, sizeof msg)) {
			snprintf(why, sizeof why,
			         "the user's answer does not match the form: "
			         "%.300s",
			         cJSON_IsObject(content) ? msg
			                                 : "no content object");
			schema_free(compiled);
			cJSON_Delete(result);
			return refuse(c, SKILL_ERR_DENIED, "%.390s", why);
		}
		text = cJSON_PrintUnformatted(content);
		if (!call_keep(c, text)) {
			schema_free(compiled);
			cJSON_Delete(result);
			return SKILL_ERR_NOMEM;
		}
		out->action = SKILL_ELICIT_ACCEPT;
		out->content = text;
		out->content_len = strlen(text);
	} else if (cJSON_IsString(action) &&
	           !strcmp(action->valuestring, "decline")) {
		out->action = SKILL_ELICIT_DECLINE;
	} else if (cJSON_IsString(action) &&
	           !strcmp(action->valuestring, "cancel")) {
		out->action = SKILL_ELICIT_CANCEL;
	} else {
		schema_free(compiled);
		cJSON_Delete(result);
		return refuse(c, SKILL_ERR_DENIED,
		              "%s: the client answered without a valid "
		              "\"action\" (accept, decline or cancel)",
		              "elicitation/create");
	}
	schema_free(compiled);
	cJSON_Delete(result);
	return SKILL_OK;
}

const skill_ext_elicit_t clientask_elicit_ext = {
        .struct_size = sizeof(skill_ext_elicit_t),
        .elicit = elicit,
};

/* Keep a string member of obj for the rest of the call, or NULL. */
static const char *keep_str(skill_call_t *c, const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *s;

	if (!cJSON_IsString(v))
		return NULL;
	s = strdup(v->valuestring);
	return call_keep(c, s);
}

static skill_status sample(skill_call_t *c, const skill_sample_request_t *req,
                           skill_sample_result_t *out)
{
	cJSON *params, *msgs, *prefs = NULL, *result = NULL;
	const cJSON *content;
	size_t total = 0;
	skill_status st;

	if (!c || !out || out->struct_size < sizeof *out)
		return SKILL_ERR_ARGS;
	if (!req || req->struct_size < sizeof *req || !req->messages ||
	    !req->message_count ||
	    req->message_count > CLIENTASK_MESSAGES_MAX || !req->max_tokens)
		return refuse(c, SKILL_ERR_ARGS,
		              "%s: the request needs 1 to 256 messages and "
		              "max_tokens > 0",
		              "skill.sample/1");
	for (size_t i = 0; i < req->message_count; i++) {
		const skill_sample_message_t *m = &req->messages[i];
		if (m->struct_size < sizeof *m || !text_ok(m->text) ||
		    !m->role ||
		    (strcmp(m->role, "user") && strcmp(m->role, "assistant")))
			return refuse(c, SKILL_ERR_ARGS,
			              "%s: each message needs role \"user\" or "
			              "\"assistant\" and UTF-8 text",
			              "skill.sample/1");
		total += strlen(m->text);
	}
	if (req->system_prompt && !text_ok(req->system_prompt))
		return refuse(c, SKILL_ERR_ARGS,
		              "%s: system_prompt is not UTF-8",
		              "skill.sample/1");
	if (total > CLIENTASK_REQUEST_MAX)
		return refuse(c, SKILL_ERR_ARGS,
		              "%s: the messages are too long",
		              "skill.sample/1");
	if (req->model_preferences) {
		prefs = cJSON_Parse(req->model_preferences);
		if (!cJSON_IsObject(prefs)) {
			cJSON_Delete(prefs);
			return refuse(c, SKILL_ERR_ARGS,
			              "%s: model_preferences must be a JSON "
			              "object",
			              "skill.sample/1");
		}
	}
	params = cJSON_CreateObject();
	msgs = cJSON_AddArrayToObject(params, "messages");
	if (!msgs) {
		cJSON_Delete(params);
		cJSON_Delete(prefs);
		return SKILL_ERR_NOMEM;
	}
	for (size_t i = 0; i < req->message_count; i++) {
		cJSON *m = cJSON_CreateObject(), *b;
		cJSON_AddItemToArray(msgs, m);
		cJSON_AddStringToObject(m, "role", req->messages[i].role);
		b = cJSON_AddObjectToObject(m, "content");
		cJSON_AddStringToObject(b, "type", "text");
		if (!cJSON_AddStringToObject(b, "text",
		                             req->messages[i].text)) {
			cJSON_Delete(params);
			cJSON_Delete(prefs);
			return SKILL_ERR_NOMEM;
		}
	}
	if (req->system_prompt)
		cJSON_AddStringToObject(params, "systemPrompt",
		                        req->system_prompt);
	if (prefs)
		cJSON_AddItemToObject(params, "modelPreferences", prefs);
	cJSON_AddNumberToObject(params, "maxTokens", req->max_tokens);
	st = ask(c, "sampling/createMessage", params,
	         "asking the client's model (sampling)", &result);
	if (st != SKILL_OK)
		return st;
	content = cJSON_GetObjectItemCaseSensitive(result, "content");
	if (!cJSON_IsObject(content)) {
		cJSON_Delete(result);
		return refuse(c, SKILL_ERR_DENIED,
		              "%s: the client's answer has no content block",
		              "sampling/createMessage");
	}
	out->role = keep_str(c, result, "role");
	out->model = keep_str(c, result, "model");
	out->stop_reason = keep_str(c, result, "stopReason");
	out->text = keep_str(c, content, "text");
	out->content = call_keep(c, cJSON_PrintUnformatted(content));
	cJSON_Delete(result);
	return out->content ? SKILL_OK : SKILL_ERR_NOMEM;
}

const skill_ext_sample_t clientask_sample_ext = {
        .struct_size = sizeof(skill_ext_sample_t),
        .sample = sample,
};
