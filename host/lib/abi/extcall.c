/*
 * extcall.c - skill callbacks run as calls. See extcall.h.
 */
#include "extcall.h"

#include <string.h>

#include <cjson/cJSON.h>
#include <skill/ext/completion.h>
#include <skill/ext/resources.h>

int extcall_is(uint32_t index)
{
	return index == EXTCALL_RESOURCE_READ ||
	       index == EXTCALL_RESOURCE_LIST || index == EXTCALL_COMPLETE;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

skill_status extcall_invoke(const skill_entry_t *e, void *skill_data,
                            const skill_host_t *host, skill_call_t *call,
                            uint32_t index, const char *args, size_t len)
{
	cJSON *a;
	skill_status st = SKILL_ERR_UNSUPPORTED;

	if (!e->get_extension)
		return SKILL_ERR_UNSUPPORTED;
	if (!(a = cJSON_ParseWithLength(args, len)))
		return SKILL_ERR_ARGS;
	if (index == EXTCALL_RESOURCE_READ) {
		const skill_ext_resources_t *r =
		        e->get_extension(skill_data, SKILL_EXT_RESOURCES);
		const char *uri = str(a, "uri");
		if (!uri)
			st = SKILL_ERR_ARGS;
		else if (r &&
		         r->struct_size >=
		                 offsetof(skill_ext_resources_t, read) +
		                         sizeof r->read &&
		         r->read)
			st = r->read(skill_data, host, call, uri);
	} else if (index == EXTCALL_RESOURCE_LIST) {
		const skill_ext_resources_t *r =
		        e->get_extension(skill_data, SKILL_EXT_RESOURCES);
		if (r &&
		    r->struct_size >= offsetof(skill_ext_resources_t, list) +
		                              sizeof r->list &&
		    r->list)
			st = r->list(skill_data, host, call);
	} else if (index == EXTCALL_COMPLETE) {
		const skill_ext_completion_t *c =
		        e->get_extension(skill_data, SKILL_EXT_COMPLETION);
		const char *ref = str(a, "ref"), *arg = str(a, "argument"),
		           *val = str(a, "value");
		if (!ref || !arg || !val)
			st = SKILL_ERR_ARGS;
		else if (c &&
		         c->struct_size >=
		                 offsetof(skill_ext_completion_t, complete) +
		                         sizeof c->complete &&
		         c->complete)
			st = c->complete(skill_data, host, call, ref, arg, val);
	}
	cJSON_Delete(a);
	return st;
}
