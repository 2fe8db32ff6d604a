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
 * "{{var}}" replaced by the value the URI gives. Isolated skills are
 * served the same: the worker reports the text once, when it starts.
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
} skill_ext_resources_t;

#endif /* SKILL_EXT_RESOURCES_H */
