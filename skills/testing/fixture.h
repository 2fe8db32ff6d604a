/* fixture.h - what every test-fixture skill under skills/testing declares
 * the same way: its entry and the exported skill_entry_v1.
 *
 * FIXTURE_SKILL(name, version, description, tools, invoke, ...) defines
 * the skill's entry (ABI current, licence MIT, tool_count from the tools
 * array so the two cannot drift apart) and skill_entry_v1 returning it.
 * The trailing arguments are further designated initialisers (.init,
 * .flags, .get_extension); leave them out when there are none.  Use it
 * once per skill, at file scope, without a trailing semicolon. */
#ifndef SKILLHOST_TESTING_FIXTURE_H
#define SKILLHOST_TESTING_FIXTURE_H

#include <skill/skill.h>

#define FIXTURE_SKILL(name_, version_, description_, tools_, invoke_, ...)     \
	static const skill_entry_t fixture_entry = {                           \
	        .struct_size = sizeof(skill_entry_t),                          \
	        .abi = SKILL_ABI_CURRENT,                                      \
	        .name = (name_),                                               \
	        .version = (version_),                                         \
	        .license = "MIT",                                              \
	        .description = (description_),                                 \
	        .tool_count = (uint32_t)(sizeof(tools_) /                      \
	                                 sizeof(const skill_tool_t *)),        \
	        .tools = (tools_),                                             \
	        .invoke = (invoke_),                                           \
	        __VA_ARGS__};                                                  \
	SKILL_EXPORT const skill_entry_t *skill_entry_v1(void)                 \
	{                                                                      \
		return &fixture_entry;                                         \
	}

/* The hints of a tool that only reads, gives the same answer each time
 * and touches nothing outside the host: most fixtures' tools. */
#define FIXTURE_HINTS_PURE                                                     \
	.read_only = SKILL_HINT_YES, .destructive = SKILL_HINT_NO,             \
	.idempotent = SKILL_HINT_YES, .open_world = SKILL_HINT_NO

#endif
