/* testing/noop - tools that do nothing, for measuring host overhead. */
#include <skill/skill.h>

#include "../fixture.h"

static const skill_tool_t noop = {
        .struct_size = sizeof(skill_tool_t),
        .name = "noop",
        .description = "Do nothing and return no content.",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":"
                        "\"integer\"},\"s\":{\"type\":\"string\",\"maxLength\":"
                        "64}},\"additionalProperties\":false}",
        FIXTURE_HINTS_PURE};

static const skill_tool_t echo = {
        .struct_size = sizeof(skill_tool_t),
        .name = "echo",
        .description = "Return the text argument.",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":"
                        "{\"type\":\"string\"}},\"required\":[\"text\"]}",
        FIXTURE_HINTS_PURE};

static const skill_tool_t *const tools[] = {&noop, &echo};

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool, const char *args,
                           size_t len)
{
	(void)data, (void)args, (void)len;
	if (tool == 1)
		return host->result_text(call, host->arg_string(call, "text"),
		                         SKILL_NUL_TERMINATED);
	return SKILL_OK;
}

FIXTURE_SKILL("testing/noop", "1.0.0",
              "Test fixture: no-op and echo tools for benchmarks.", tools,
              invoke)
