/*
 * testing/serial and testing/parallel - count how many calls run inside
 * the skill at once. Built twice: with SERIALIZED the skill sets
 * SKILL_FLAG_SERIALIZED and the host must never overlap its calls.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include <skill/skill.h>

#include "../fixture.h"

static atomic_int inside, most_inside, calls;

static const skill_tool_t enter = {
        .struct_size = sizeof(skill_tool_t),
        .name = "enter",
        .description = "Stay inside the skill for a moment.",
        .input_schema = "{\"type\":\"object\"}"};
static const skill_tool_t stats = {
        .struct_size = sizeof(skill_tool_t),
        .name = "stats",
        .description = "Report calls and the most calls seen at once.",
        .input_schema = "{\"type\":\"object\"}"};

static const skill_tool_t *const tools[] = {&enter, &stats};

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool, const char *args,
                           size_t len)
{
	const struct timespec pause = {0, 200000};
	char buf[128];
	int now, seen;

	(void)data, (void)args, (void)len;
	if (tool == 1) {
		snprintf(buf, sizeof buf, "{\"calls\":%d,\"most_inside\":%d}",
		         atomic_load(&calls), atomic_load(&most_inside));
		return host->result_text(call, buf, SKILL_NUL_TERMINATED);
	}
	now = atomic_fetch_add(&inside, 1) + 1;
	seen = atomic_load(&most_inside);
	while (now > seen &&
	       !atomic_compare_exchange_weak(&most_inside, &seen, now))
		;
	nanosleep(&pause, NULL);
	atomic_fetch_add(&calls, 1);
	atomic_fetch_sub(&inside, 1);
	return SKILL_OK;
}

#define SERIAL_DESCRIPTION "Test fixture: measures overlapping calls."
#ifdef SERIALIZED
FIXTURE_SKILL("testing/serial", "1.0.0", SERIAL_DESCRIPTION, tools, invoke,
              .flags = SKILL_FLAG_SERIALIZED)
#else
FIXTURE_SKILL("testing/parallel", "1.0.0", SERIAL_DESCRIPTION, tools, invoke)
#endif
