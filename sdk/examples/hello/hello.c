/* hello - the smallest useful skill: one tool that greets someone. */
#include <stdio.h>

#include <skill/skill.h>

static const skill_tool_t greet = {
        .struct_size = sizeof(skill_tool_t),
        .name = "greet",
        .title = "Greet someone",
        .description = "Return a friendly greeting for the given name.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{\"name\":"
                "{\"type\":\"string\",\"minLength\":1,\"maxLength\":100}},"
                "\"required\":[\"name\"],\"additionalProperties\":false}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_NO};

static const skill_tool_t *const tools[] = {&greet};

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool, const char *args,
                           size_t len)
{
	char text[160];
	(void)data, (void)tool, (void)args, (void)len;
	snprintf(text, sizeof text, "Hello, %s!",
	         host->arg_string(call, "name"));
	return host->result_text(call, text, SKILL_NUL_TERMINATED);
}

static const skill_entry_t entry = {
        .struct_size = sizeof entry,
        .abi = SKILL_ABI_CURRENT,
        .name = "example/hello",
        .version = "1.0.0",
        .license = "MIT",
        .description = "Greets people. The SDK's hello-world example.",
        .tool_count = 1,
        .tools = tools,
        .invoke = invoke};

SKILL_EXPORT const skill_entry_t *skill_entry_v1(void)
{
	return &entry;
}
