/*
 * restcall.h - the per-call plumbing the REST skills (skillhost/jira,
 * skillhost/salesforce) share: failing a call with a formatted tool error,
 * reading a declared secret with the packaging-error wording, parsing the
 * arguments, answering the config-schema extension, reading JSON members,
 * and naming HTTP statuses. Each skill keeps only what differs (its
 * connection struct, its services' wording).
 */
#ifndef SKILL_RESTCALL_H
#define SKILL_RESTCALL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <skill/skill.h>

#include "sbuf.h"

/* Longest tool error rc_fail() formats; longer ones are cut. */
#define RC_MESSAGE_MAX 4096

/* Report a tool error (printf-style, cut at RC_MESSAGE_MAX bytes) for the
 * call and return st, so a tool can `return rc_fail(...)`. */
skill_status rc_fail(const skill_host_t *host, skill_call_t *call,
                     skill_status st, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
skill_status rc_vfail(const skill_host_t *host, skill_call_t *call,
                      skill_status st, const char *fmt, va_list ap)
        __attribute__((format(printf, 4, 0)));

/* Report msg's text as the tool error ("out of memory" when building it
 * failed), free msg, and return st. */
skill_status rc_fail_buf(const skill_host_t *host, skill_call_t *call,
                         skill_status st, struct sbuf *msg);

/* rk_secret() for a secret the skill's manifest must declare: on -2 (not
 * declared: a packaging error) and -3 (out of memory) it also reports the
 * tool error, naming skill and the secret. Returns what rk_secret returns;
 * *out is NULL unless the result is >= 0. */
int64_t rc_secret(const skill_host_t *host, skill_call_t *call,
                  const skill_ext_secrets_t *sec, const char *skill,
                  const char *name, char **out);

/* Parse a call's arguments (validated by the host, so an object; checked
 * anyway). On success *out is the object, to cJSON_Delete; otherwise a
 * tool error is reported and SKILL_ERR_ARGS returned. */
skill_status rc_parse_args(const skill_host_t *host, skill_call_t *call,
                           const char *json, size_t len, cJSON **out);

/* The start of every invoke(): refuse a tool index past tool_count (a host
 * bug: SKILL_ERR_INTERNAL), then rc_parse_args(). */
skill_status rc_begin(const skill_host_t *host, skill_call_t *call,
                      uint32_t tool, uint32_t tool_count, const char *json,
                      size_t len, cJSON **args);

/* The skill side of get_extension for a skill whose only extension is
 * "skill.config-schema/1": schema when id asks for it, else NULL. */
const void *rc_config_schema(const char *id,
                             const skill_ext_config_schema_t *schema);

/* The string member k of o, or NULL when absent or not a string. */
const char *rc_str(const cJSON *o, const char *k);

/* The number member k of o as an int, or def when absent or not a number. */
int rc_int(const cJSON *o, const char *k, int def);

/* Add k: v to o when v is not NULL. Returns 0 only when out of memory. */
int rc_add_str(cJSON *o, const char *k, const char *v);

/* The standard reason phrase of an HTTP status, or "" for one the REST
 * skills do not expect. */
const char *rc_http_reason(int status);

/* 1 for the methods that may be sent again without a second effect. */
int rc_idempotent(const char *method);

#endif /* SKILL_RESTCALL_H */
