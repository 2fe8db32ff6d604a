/*
 * skill/tool.h - tool descriptors.
 *
 * A tool descriptor is owned by the skill, is immutable, and must stay valid
 * from the moment skill_entry_v1() returns until the process exits: the host
 * reads it without copying and never frees it. Static storage is the norm.
 */
#ifndef SKILL_TOOL_H
#define SKILL_TOOL_H

#include "version.h"

/*
 * A tri-state MCP hint. UNSET keeps MCP's worst-case default for that hint
 * (readOnly=false, destructive=true, idempotent=false, openWorld=true), so a
 * skill that says nothing is never presented as safer than it is.
 * A fixed-width field (see status.h for why not the enum type).
 */
typedef int32_t skill_hint;

enum skill_hint_value {
	SKILL_HINT_UNSET = 0,
	SKILL_HINT_NO = 1,
	SKILL_HINT_YES = 2
};

typedef struct skill_tool {
	/* sizeof(skill_tool_t) at build time. */
	uint32_t struct_size;

	/* Required. 1-64 characters of [A-Za-z0-9_-], starting with a letter,
	 * unique within the skill. The host builds the canonical name
	 * "namespace/skill.tool" from it, and vendor-legal names from that. */
	const char *name;

	/* Optional. A short human-readable title. */
	const char *title;

	/* Required. What the tool does, written for the model. */
	const char *description;

	/* Required. JSON Schema (2020-12 keywords) for the arguments, as UTF-8
	 * JSON text whose root is an object schema ("type":"object"). The host
	 * validates every call's arguments against it before invoke. */
	const char *input_schema;

	/* Optional. JSON Schema for the structured result (object root). When
	 * set, the tool must write its result with result_json(), and the host
	 * validates it. */
	const char *output_schema;

	/* MCP behaviour hints; see skill_hint. */
	skill_hint read_only;
	skill_hint destructive;
	skill_hint idempotent;
	skill_hint open_world;

	/* Optional. NULL-terminated list of host extension IDs this tool cannot
	 * work without (e.g. "skill.http/1"). A host that lacks one refuses to
	 * load the skill and names the missing ID. */
	const char *const *requires_ext;
} skill_tool_t;

#endif /* SKILL_TOOL_H */
