/* testing/crasher - a skill that crashes on call, for isolation tests. */
#include <signal.h>
#include <stdlib.h>

#include <skill/skill.h>

#include "../fixture.h"

static const skill_tool_t segv = {.struct_size = sizeof(skill_tool_t),
                                  .name = "segv",
                                  .description = "Dereference NULL (SIGSEGV).",
                                  .input_schema = "{\"type\":\"object\"}"};
static const skill_tool_t abrt = {.struct_size = sizeof(skill_tool_t),
                                  .name = "abort",
                                  .description = "Call abort() (SIGABRT).",
                                  .input_schema = "{\"type\":\"object\"}"};
static const skill_tool_t ok = {.struct_size = sizeof(skill_tool_t),
                                .name = "ok",
                                .description = "Return normally.",
                                .input_schema = "{\"type\":\"object\"}"};

static const skill_tool_t *const tools[] = {&segv, &abrt, &ok};

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool, const char *args,
                           size_t len)
{
	(void)data, (void)args, (void)len;
	if (tool == 0) {
		volatile int *volatile p = NULL;
		/* The crash is what this test skill is for. */
		// NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
		*p = 1;
	}
	if (tool == 1)
		abort();
	return host->result_text(call, "still alive", SKILL_NUL_TERMINATED);
}

FIXTURE_SKILL("testing/crasher", "1.0.0",
              "Test fixture: crashes with SIGSEGV or SIGABRT on call.", tools,
              invoke)
