/* testing/names - tools whose names and schemas test the host's portable
 * forms: a tool name other skills share (echo, get_issue), the longest
 * tool name allowed, and a schema with a top-level anyOf of objects that
 * vendors refuse and the host rewrites when serving. */
#include <skill/skill.h>

#include "../fixture.h"

#define LONG64                                                                 \
	"a_tool_name_of_exactly_sixty_four_characters_for_the_name_testss"

static const skill_tool_t echo = {
        .struct_size = sizeof(skill_tool_t),
        .name = "echo",
        .description = "Return the text argument.",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":"
                        "{\"type\":\"string\"}},\"required\":[\"text\"]}",
        FIXTURE_HINTS_PURE};

static const skill_tool_t get_issue = {
        .struct_size = sizeof(skill_tool_t),
        .name = "get_issue",
        .description = "Shares its name with a Jira tool.",
        .input_schema = "{\"type\":\"object\",\"properties\":{}}",
        FIXTURE_HINTS_PURE};

static const skill_tool_t long_name = {
        .struct_size = sizeof(skill_tool_t),
        .name = LONG64,
        .description = "Has the longest tool name allowed.",
        .input_schema = "{\"type\":\"object\",\"properties\":{}}",
        FIXTURE_HINTS_PURE};

static const skill_tool_t either = {
        .struct_size = sizeof(skill_tool_t),
        .name = "either",
        .description = "Takes an id or a path (a top-level anyOf).",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{\"note\":{\"type\":"
                "\"string\"}},\"anyOf\":[{\"properties\":{\"id\":{\"type\":"
                "\"integer\"}},\"required\":[\"id\"]},{\"properties\":{"
                "\"path\":{\"type\":\"string\"}},\"required\":[\"path\"]}],"
                "\"additionalProperties\":false}",
        FIXTURE_HINTS_PURE};

static const skill_tool_t *const tools[] = {&echo, &get_issue, &long_name,
                                            &either};

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool, const char *args,
                           size_t len)
{
	(void)data;
	if (tool == 0)
		return host->result_text(call, host->arg_string(call, "text"),
		                         SKILL_NUL_TERMINATED);
	return host->result_text(call, args, len);
}

FIXTURE_SKILL("testing/names", "1.0.0",
              "Test fixture: tool names and schemas for the portable forms.",
              tools, invoke)
