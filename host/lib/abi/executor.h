/*
 * executor.h - how a skill's code is run: the seam between dispatch and
 * isolation.
 *
 * Dispatch validates, locks and accounts; an executor only runs a tool and
 * feeds what the skill writes into the struct skill_call. The in-process
 * executor (exec_inproc.c) calls the skill's invoke directly; an isolated
 * executor forwards the call to a sandboxed worker process and replays the
 * worker's host-service requests onto the same skill_call, so results,
 * progress, logs and cancellation behave the same either way.
 */
#ifndef SH_EXECUTOR_H
#define SH_EXECUTOR_H

#include <stddef.h>
#include <stdint.h>

#include <skill/status.h>

struct skill_call;
struct executor;

struct executor_ops {
	/* "in-process", "isolated", ... for messages and `info`. */
	const char *kind;

	/* [call] Run tool tool_index with args (validated JSON object text of
	 * len bytes, NUL-terminated). Everything the skill produces goes into
	 * call. Returns the skill's status; the executor turns its own
	 * failures (a crashed worker, say) into a status plus call_set_error.
	 * Called concurrently unless the skill is serialized. */
	skill_status (*invoke)(struct executor *ex, uint32_t tool_index,
	                       const char *args, size_t len,
	                       struct skill_call *call);

	/* [control] Finalize the skill and free the executor. No call may be
	 * in flight. */
	void (*destroy)(struct executor *ex);
};

struct executor {
	const struct executor_ops *ops;
};

#endif /* SH_EXECUTOR_H */
