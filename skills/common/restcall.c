/*
 * restcall.c - per-call plumbing of the REST skills. See restcall.h.
 */
#include "restcall.h"

#include <stdio.h>
#include <string.h>

#include "restkit.h"

skill_status rc_vfail(const skill_host_t *host, skill_call_t *call,
                      skill_status st, const char *fmt, va_list ap)
{
	char msg[RC_MESSAGE_MAX];

	vsnprintf(msg, sizeof msg, fmt, ap);
	host->tool_error(call, msg);
	return st;
}

skill_status rc_fail(const skill_host_t *host, skill_call_t *call,
                     skill_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st = rc_vfail(host, call, st, fmt, ap);
	va_end(ap);
	return st;
}

skill_status rc_fail_buf(const skill_host_t *host, skill_call_t *call,
                         skill_status st, struct sbuf *msg)
{
	host->tool_error(call, sb_failed(msg) ? "out of memory" : sb_str(msg));
	sb_free(msg);
	return st;
}

int64_t rc_secret(const skill_host_t *host, skill_call_t *call,
                  const skill_ext_secrets_t *sec, const char *skill,
                  const char *name, char **out)
{
	int64_t n = rk_secret(sec, call, name, out);

	if (n == -2)
		rc_fail(host, call, SKILL_ERR_INTERNAL,
		        "%s cannot read %s: its manifest does not declare it "
		        "(a packaging error; reinstall the skill)",
		        skill, name);
	else if (n == -3)
		rc_fail(host, call, SKILL_ERR_NOMEM, "out of memory reading %s",
		        name);
	return n;
}

skill_status rc_parse_args(const skill_host_t *host, skill_call_t *call,
                           const char *json, size_t len, cJSON **out)
{
	*out = cJSON_ParseWithLength(json, len);
	if (cJSON_IsObject(*out))
		return SKILL_OK;
	cJSON_Delete(*out);
	*out = NULL;
	host->tool_error(call, "the arguments must be a JSON object");
	return SKILL_ERR_ARGS;
}

skill_status rc_begin(const skill_host_t *host, skill_call_t *call,
                      uint32_t tool, uint32_t tool_count, const char *json,
                      size_t len, cJSON **args)
{
	*args = NULL;
	if (tool >= tool_count)
		return rc_fail(host, call, SKILL_ERR_INTERNAL,
		               "unknown tool index %u (the skill has %u tools)",
		               tool, tool_count);
	return rc_parse_args(host, call, json, len, args);
}

const void *rc_config_schema(const char *id,
                             const skill_ext_config_schema_t *schema)
{
	return id && !strcmp(id, SKILL_EXT_CONFIG_SCHEMA) ? schema : NULL;
}

const char *rc_str(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

int rc_int(const cJSON *o, const char *k, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valueint : def;
}

int rc_add_str(cJSON *o, const char *k, const char *v)
{
	return !v || cJSON_AddStringToObject(o, k, v) != NULL;
}

const char *rc_http_reason(int status)
{
	switch (status) {
	case 300: return "Multiple Choices";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

int rc_idempotent(const char *method)
{
	return !strcmp(method, "GET") || !strcmp(method, "PUT") ||
	       !strcmp(method, "DELETE");
}
