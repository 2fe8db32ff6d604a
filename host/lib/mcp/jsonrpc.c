/*
 * jsonrpc.c - JSON-RPC 2.0 framing. See jsonrpc.h.
 */
#include "jsonrpc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"

static sh_status refuse(struct jsonrpc_refusal *why, int code, const char *id,
                        const char *msg)
{
	if (why) {
		why->code = code;
		snprintf(why->message, sizeof why->message, "%s", msg);
		snprintf(why->id, sizeof why->id, "%s",
		         id && *id ? id : "null");
	}
	return SH_ERR_INVALID;
}

/* 1 when the text nests deeper than JSONRPC_NESTING_MAX, counted outside
 * strings; cheaper than letting the recursive parser find out. */
static int too_deep(const char *s, size_t len)
{
	int depth = 0, in_str = 0;

	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == '{' || ch == '[') {
			if (++depth > JSONRPC_NESTING_MAX)
				return 1;
		} else if (ch == '}' || ch == ']') {
			depth--;
		}
	}
	return 0;
}

static int only_space(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			return 0;
	return 1;
}

int jsonrpc_id_text(const cJSON *v, char out[JSONRPC_ID_TEXT_MAX + 1])
{
	if (cJSON_IsString(v)) {
		char *s;
		if (strlen(v->valuestring) > JSONRPC_ID_MAX)
			return 0;
		s = cJSON_PrintUnformatted(v);
		if (!s)
			return 0;
		snprintf(out, JSONRPC_ID_TEXT_MAX + 1, "%s", s);
		free(s);
		return 1;
	}
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (!isfinite(d) || d != floor(d) ||
		    fabs(d) > JSONRPC_ID_INT_MAX)
			return 0;
		snprintf(out, JSONRPC_ID_TEXT_MAX + 1, "%.0f", d);
		return 1;
	}
	return 0;
}

sh_status jsonrpc_parse(const char *text, size_t len, struct jsonrpc_msg *m,
                        struct jsonrpc_refusal *why)
{
	const cJSON *v, *id, *method, *params, *result, *error;
	const char *end = NULL;
	cJSON *root;

	memset(m, 0, sizeof *m);
	if (!text || !len || only_space(text, text + len))
		return refuse(why, JSONRPC_PARSE_ERROR, NULL,
		              "Parse error: the message is empty");
	if (!call_utf8_valid(text, len))
		return refuse(why, JSONRPC_PARSE_ERROR, NULL,
		              "Parse error: the message is not valid UTF-8");
	if (too_deep(text, len))
		return refuse(why, JSONRPC_PARSE_ERROR, NULL,
		              "Parse error: the message nests deeper than "
		              "128 levels");
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root || !end || !only_space(end, text + len)) {
		char msg[128];
		size_t at = root && end ? (size_t)(end - text)
		            : cJSON_GetErrorPtr() &&
		                            cJSON_GetErrorPtr() >= text &&
		                            cJSON_GetErrorPtr() <= text + len
		                    ? (size_t)(cJSON_GetErrorPtr() - text)
		                    : 0;
		cJSON_Delete(root);
		snprintf(
		        msg, sizeof msg,
		        "Parse error: not valid JSON (near byte %zu); send one "
		        "JSON-RPC message",
		        at);
		return refuse(why, JSONRPC_PARSE_ERROR, NULL, msg);
	}
	if (cJSON_IsArray(root)) {
		cJSON_Delete(root);
		return refuse(why, JSONRPC_INVALID_REQUEST, NULL,
		              "Invalid Request: batches are not supported "
		              "(removed in MCP 2025-06-18); send each message "
		              "on its own");
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return refuse(
		        why, JSONRPC_INVALID_REQUEST, NULL,
		        "Invalid Request: a message must be a JSON object");
	}
	m->root = root;
	id = cJSON_GetObjectItemCaseSensitive(root, "id");
	if (id && !jsonrpc_id_text(id, m->id)) {
		jsonrpc_msg_free(m);
		return refuse(why, JSONRPC_INVALID_REQUEST, NULL,
		              "Invalid Request: \"id\" must be a string of at "
		              "most 256 bytes or an integer");
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "jsonrpc");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "2.0")) {
		sh_status rc = refuse(why, JSONRPC_INVALID_REQUEST, m->id,
		                      "Invalid Request: \"jsonrpc\" must be "
		                      "\"2.0\"");
		jsonrpc_msg_free(m);
		return rc;
	}
	method = cJSON_GetObjectItemCaseSensitive(root, "method");
	result = cJSON_GetObjectItemCaseSensitive(root, "result");
	error = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (!method) {
		/* A response from the client: to a request we never send,
		 * but it must still be well formed to be ignored quietly. */
		if (!id || !!result == !!error ||
		    (error && !cJSON_IsObject(error))) {
			/* The id was read: the error answers it. */
			char known[JSONRPC_ID_TEXT_MAX + 1];
			snprintf(known, sizeof known, "%s", m->id);
			jsonrpc_msg_free(m);
			return refuse(
			        why, JSONRPC_INVALID_REQUEST, known,
			        "Invalid Request: a message needs "
			        "\"method\" (a request or notification) or "
			        "\"id\" with one of \"result\" and "
			        "\"error\" (a response)");
		}
		m->kind = JSONRPC_RESPONSE;
		return SH_OK;
	}
	if (!cJSON_IsString(method) || !method->valuestring[0] ||
	    strlen(method->valuestring) > JSONRPC_METHOD_MAX) {
		sh_status rc = refuse(why, JSONRPC_INVALID_REQUEST, m->id,
		                      "Invalid Request: \"method\" must be a "
		                      "non-empty string of at most 128 bytes");
		jsonrpc_msg_free(m);
		return rc;
	}
	params = cJSON_GetObjectItemCaseSensitive(root, "params");
	if (params && !cJSON_IsObject(params)) {
		sh_status rc = refuse(why,
		                      id ? JSONRPC_INVALID_PARAMS
		                         : JSONRPC_INVALID_REQUEST,
		                      m->id,
		                      "Invalid params: \"params\" must be an "
		                      "object in MCP");
		jsonrpc_msg_free(m);
		return rc;
	}
	if (result || error) {
		sh_status rc = refuse(why, JSONRPC_INVALID_REQUEST, m->id,
		                      "Invalid Request: a request cannot carry "
		                      "\"result\" or \"error\"");
		jsonrpc_msg_free(m);
		return rc;
	}
	m->method = method->valuestring;
	m->params = params;
	m->kind = id ? JSONRPC_REQUEST : JSONRPC_NOTIFICATION;
	return SH_OK;
}

void jsonrpc_msg_free(struct jsonrpc_msg *m)
{
	if (!m)
		return;
	cJSON_Delete(m->root);
	memset(m, 0, sizeof *m);
}

/* Print {"jsonrpc":"2.0", <key>: <value>, ...} built around the caller's
 * trees; consumes value and extra. */
static char *print_envelope(const char *id, const char *key, cJSON *value,
                            const char *key2, cJSON *value2, size_t *len)
{
	cJSON *o = cJSON_CreateObject();
	char *s = NULL;

	if (!o || !cJSON_AddStringToObject(o, "jsonrpc", "2.0"))
		goto out;
	if (id) {
		cJSON *raw = cJSON_CreateRaw(*id ? id : "null");
		if (!raw)
			goto out;
		cJSON_AddItemToObject(o, "id", raw);
	}
	if (key2) {
		if (!value2)
			goto out;
		cJSON_AddItemToObject(o, key2, value2);
		value2 = NULL;
	}
	if (!value)
		goto out;
	cJSON_AddItemToObject(o, key, value);
	value = NULL;
	s = cJSON_PrintUnformatted(o);
	if (s && len)
		*len = strlen(s);
out:
	cJSON_Delete(value);
	cJSON_Delete(value2);
	cJSON_Delete(o);
	return s;
}

char *jsonrpc_result(const char *id, cJSON *result, size_t *len)
{
	if (!result)
		result = cJSON_CreateObject();
	return print_envelope(id ? id : "", "result", result, NULL, NULL, len);
}

char *jsonrpc_error(const char *id, int code, const char *message, cJSON *data,
                    size_t *len)
{
	cJSON *e = cJSON_CreateObject();

	if (!e || !cJSON_AddNumberToObject(e, "code", code) ||
	    !cJSON_AddStringToObject(e, "message", message ? message : "")) {
		cJSON_Delete(e);
		cJSON_Delete(data);
		return NULL;
	}
	if (data)
		cJSON_AddItemToObject(e, "data", data);
	return print_envelope(id ? id : "", "error", e, NULL, NULL, len);
}

char *jsonrpc_notification(const char *method, cJSON *params, size_t *len)
{
	cJSON *name = cJSON_CreateString(method);

	if (!params)
		return print_envelope(NULL, "method", name, NULL, NULL, len);
	return print_envelope(NULL, "params", params, "method", name, len);
}
