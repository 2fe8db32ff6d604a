/*
 * hostapi.c - the skill_host_t vtable. See hostapi.h.
 */
#include "hostapi.h"

#include <stddef.h>
#include <string.h>

#include "call.h"
#include "hostlog.h"

const struct hostapi_binding *hostapi_binding_of(const skill_host_t *host)
{
	/* api is the first member, so the pointers coincide. */
	return (const struct hostapi_binding *)(const void *)host;
}

static const void *get_extension(const skill_host_t *host, const char *id)
{
	const struct hostapi_binding *b = hostapi_binding_of(host);

	if (!id || !b->svc || !b->svc->ext_lookup)
		return NULL;
	return b->svc->ext_lookup(id);
}

static void host_log(const skill_host_t *host, skill_call_t *call,
                     skill_log_level level, const char *msg)
{
	if ((int)level < SKILL_LOG_DEBUG || level > SKILL_LOG_EMERGENCY)
		level = SKILL_LOG_ERROR;
	if (call)
		call_log(call, level, msg);
	else
		hostapi_log_outside_call(hostapi_binding_of(host)->skill_name,
		                         level, msg);
}

void hostapi_log_outside_call(const char *skill, skill_log_level level,
                              const char *msg)
{
	if (!msg)
		return;
	/* Only the host's log sees these, but that log is read by tools that
	 * expect text, and the same rule holds as for the wire. */
	if (!call_utf8_valid(msg, strlen(msg))) {
		hostlog_skill(skill, SKILL_LOG_WARNING,
		              "a log message outside any call was refused: not "
		              "valid UTF-8");
		return;
	}
	hostlog_skill(skill, level, msg);
}

void hostapi_bind(struct hostapi_binding *b, const char *skill_name,
                  const struct host_services *svc)
{
	static const skill_abi_t abi = SKILL_ABI_CURRENT;

	memset(b, 0, sizeof *b);
	b->skill_name = skill_name;
	b->svc = svc;
	b->api.struct_size = sizeof(skill_host_t);
	b->api.abi = abi;
	b->api.name = "skillhost";
	b->api.version = SKILLHOST_VERSION;
	b->api.get_extension = get_extension;
	b->api.log = host_log;
	b->api.progress = call_progress;
	b->api.is_cancelled = call_is_cancelled;
	b->api.remaining_ms = call_remaining_ms;
	b->api.result_text = call_result_text;
	b->api.result_json = call_result_json;
	b->api.result_media = call_result_media;
	b->api.result_resource = call_result_resource;
	b->api.result_link = call_result_link;
	b->api.tool_error = call_tool_error;
	b->api.arg_string = call_arg_string;
	b->api.arg_number = call_arg_number;
	b->api.arg_bool = call_arg_bool;
	b->api.arg_count = call_arg_count;
	b->api.arg_json = call_arg_json;
}
