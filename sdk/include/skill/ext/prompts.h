/*
 * skill/ext/prompts.h - prompts a skill offers to MCP clients.
 *
 * Skill extension "skill.prompts/1". A skill that offers it publishes its
 * prompts (shown by clients as slash commands) as one static JSON array;
 * the host serves them through prompts/list, prompts/get and
 * completion/complete. Each element:
 *
 *   {"name": "summarize",                 [A-Za-z0-9_-]{1,64}, required
 *    "title": "Summarize", "description": "...",
 *    "arguments": [{"name": "style", "description": "...",
 *                   "required": true,
 *                   "values": ["short", "long"]}],   completion values
 *    "messages": [{"role": "user" | "assistant",
 *                  "content": <an MCP content block: text, image, audio
 *                              or resource>}]}
 *
 * "{{arg}}" in a text block's "text" and in a resource block's "uri" and
 * "text" is replaced by the argument's value ("" for an optional argument
 * left out). A prompts/get missing a required argument is refused naming
 * it. The host checks the text when it loads the skill and ignores (and
 * logs) a malformed one. Isolated skills are served the same: the worker
 * reports the text once, when it starts.
 */
#ifndef SKILL_EXT_PROMPTS_H
#define SKILL_EXT_PROMPTS_H

#include "../host.h"

#define SKILL_EXT_PROMPTS "skill.prompts/1"

typedef struct skill_ext_prompts {
	uint32_t struct_size;
	/* The prompts, as UTF-8 JSON text (an array). Owned by the skill,
	 * static. */
	const char *prompts;
} skill_ext_prompts_t;

#endif /* SKILL_EXT_PROMPTS_H */
