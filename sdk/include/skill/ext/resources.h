/*
 * skill/ext/resources.h - resources a skill offers to MCP clients.
 *
 * Skill extension "skill.resources/1". A skill that offers it publishes
 * static resources and resource templates as JSON text; the host serves
 * them through resources/list, resources/templates/list, resources/read
 * and completion/complete, beside the artifacts each session's calls
 * produced. Resources, an array of:
 *
 *   {"uri": "acme://weather/help",  required, unique in the host
 *    "name": "help", "title": "...", "description": "...",
 *    "mimeType": "text/markdown",
 *    "text": "..."  or  "blob": "<base64>"}    the contents
 *
 * Templates (RFC 6570 level 1: "{var}" stands for one path segment,
 * characters other than '/', '?' and '#'), an array of:
 *
 *   {"uriTemplate": "acme://weather/{city}/today", "name": "today",
 *    "title": "...", "description": "...", "mimeType": "text/plain",
 *    "text": "Forecast for {{city}}",   or "blob"
 *    "values": {"city": ["Oslo", "Paris"]}}   completion values
 *
 * A read of a URI that matches a template answers its "text" with each
 * "{{var}}" replaced by the value the URI gives; a template with neither
 * "text" nor "blob" is dynamic, and its reads go to read() below.
 * Isolated skills are served the same: the worker reports the text once,
 * when it starts, and runs read() like a tool call.
 */
#ifndef SKILL_EXT_RESOURCES_H
#define SKILL_EXT_RESOURCES_H

#include "../host.h"

#define SKILL_EXT_RESOURCES "skill.resources/1"

typedef struct skill_ext_resources {
	uint32_t struct_size;
	/* The resources, as UTF-8 JSON text (an array), or NULL. Owned by
	 * the skill, static. */
	const char *resources;
	/* The resource templates, as UTF-8 JSON text (an array), or NULL.
	 * Owned by the skill, static. */
	const char *templates;

	/* [call] Read uri (borrowed; it matches one of the skill's templates
	 * that has neither "text" nor "blob": a dynamic one). Write the
	 * contents as the call's result: host->result_text (text, served
	 * with the template's mimeType), host->result_media (bytes), or
	 * host->result_resource (your own uri, mime type and text or blob),
	 * and return SKILL_OK; host->tool_error and SKILL_ERR_TOOL when there
	 * is no such resource. Runs like a tool call: the same deadline,
	 * cancellation, permissions and isolation. May be NULL. */
	skill_status (*read)(void *skill_data, const skill_host_t *host,
	                     skill_call_t *call, const char *uri);

	/* [call] List the resources the skill has now, beside its static
	 * ones: write them with host->result_json as {"resources": [{"uri",
	 * "name", and optionally "title", "description", "mimeType",
	 * "size"}]} and return SKILL_OK. Their URIs must match one of the
	 * skill's dynamic templates, so read() answers them. Asked at every
	 * resources/list, like a tool call; keep it quick. May be NULL. */
	skill_status (*list)(void *skill_data, const skill_host_t *host,
	                     skill_call_t *call);
} skill_ext_resources_t;

#endif /* SKILL_EXT_RESOURCES_H */
