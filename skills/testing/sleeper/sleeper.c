/*
 * testing/sleeper - sleeps in small steps, honouring cancellation and the
 * call's deadline, and says when it saw either.
 */
#include <stdio.h>
#include <time.h>

#include <skill/skill.h>

#include "../fixture.h"

static const skill_tool_t sleep_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "sleep",
        .description = "Sleep for ms milliseconds, reporting progress every "
                       "100 ms; stop early when cancelled.",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":"
                        "\"integer\",\"minimum\":0,\"maximum\":600000}},"
                        "\"required\":[\"ms\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO};

static const skill_tool_t *const tools[] = {&sleep_tool};

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool, const char *args,
                           size_t len)
{
	const struct timespec step = {0, 1000000};
	char msg[160];
	double ms = 0;

	(void)data, (void)tool, (void)args, (void)len;
	host->arg_number(call, "ms", &ms);
	for (long i = 0; i < (long)ms; i++) {
		if (host->is_cancelled(call)) {
			int timed_out = host->remaining_ms(call) == 0;
			snprintf(msg, sizeof msg,
			         "sleeper saw %s after %ld of %ld ms",
			         timed_out ? "its deadline pass"
			                   : "cancellation",
			         i, (long)ms);
			host->log(host, call, SKILL_LOG_NOTICE, msg);
			host->tool_error(call, msg);
			return timed_out ? SKILL_ERR_TIMEOUT
			                 : SKILL_ERR_CANCELLED;
		}
		if (i > 0 && i % 100 == 0)
			host->progress(call, (double)i, ms, "sleeping");
		nanosleep(&step, NULL);
	}
	snprintf(msg, sizeof msg, "slept %ld ms", (long)ms);
	return host->result_text(call, msg, SKILL_NUL_TERMINATED);
}

FIXTURE_SKILL("testing/sleeper", "1.0.0",
              "Test fixture: sleeps, honouring cancellation.", tools, invoke)
