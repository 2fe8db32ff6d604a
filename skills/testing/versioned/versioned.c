/*
 * testing/versioned - the same skill at several versions (the build
 * compiles it once per VERSION), for upgrade, downgrade and rollback tests.
 */
#include <skill/skill.h>

#include "../fixture.h"

static const skill_tool_t version_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "version",
        .description = "Return this build's version.",
        .input_schema = "{\"type\":\"object\"}",
        .read_only = SKILL_HINT_YES};

static const skill_tool_t *const tools[] = {&version_tool};

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool, const char *args,
                           size_t len)
{
	(void)data, (void)tool, (void)args, (void)len;
	return host->result_text(call, VERSION, SKILL_NUL_TERMINATED);
}

FIXTURE_SKILL("testing/versioned", VERSION,
              "Test fixture: one skill, several versions.", tools, invoke)
