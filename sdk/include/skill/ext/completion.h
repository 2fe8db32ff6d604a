/*
 * skill/ext/completion.h - argument completion computed by the skill.
 *
 * Skill extension "skill.completion/1". MCP clients ask for completions
 * while the user types a prompt argument or a resource template variable
 * (completion/complete). The host answers from the declaration's "values"
 * (skill/ext/prompts.h, skill/ext/resources.h); for an argument or
 * variable that declares none, it asks complete() here, when the skill
 * offers it. Isolated skills are served the same.
 */
#ifndef SKILL_EXT_COMPLETION_H
#define SKILL_EXT_COMPLETION_H

#include "../host.h"

#define SKILL_EXT_COMPLETION "skill.completion/1"

typedef struct skill_ext_completion {
	uint32_t struct_size;

	/* [call] Suggest values for argument (borrowed) of ref (borrowed:
	 * "prompt:NAME" for a prompt's argument, "resource:TEMPLATE" for a
	 * template's variable) that start with value (borrowed, what the user
	 * typed so far). Write them with host->result_json as
	 * {"values": [strings, best first]} (the host keeps the first 100;
	 * add "total" when there are more than you list), and return
	 * SKILL_OK. Runs like a tool call: the same deadline, cancellation,
	 * permissions and isolation; keep it quick, a user is typing. */
	skill_status (*complete)(void *skill_data, const skill_host_t *host,
	                         skill_call_t *call, const char *ref,
	                         const char *argument, const char *value);
} skill_ext_completion_t;

#endif /* SKILL_EXT_COMPLETION_H */
