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

/*
 * How an executor's part of a call ended, apart from what the skill
 * answered. Dispatch maps it onto the audit status with a switch, so a new
 * value must be handled there (the compiler says where); the detail string
 * is for people (the audit log's detail) and never parsed.
 */
enum exec_outcome {
	EXEC_OK,           /* the call was served, whatever the skill said */
	EXEC_DEADLINE,     /* the host stopped the skill at its deadline */
	EXEC_CANCELLED,    /* the host stopped the skill on a cancel */
	EXEC_MEMORY_CAP,   /* the skill reached its memory cap */
	EXEC_VIOLATION,    /* a system call the sandbox forbids */
	EXEC_CRASHED,      /* the worker died of a signal */
	EXEC_EXITED,       /* the worker exited during the call */
	EXEC_PROTOCOL,     /* the worker broke the host protocol */
	EXEC_HUNG_UP,      /* the worker closed its connection, alive */
	EXEC_BREAKER_OPEN, /* not run: restarts held back after crashes */
	EXEC_START_FAILED, /* not run: no worker could be started */
	EXEC_BUSY,         /* not run: the call ended waiting for a worker */
};

/* Room for an outcome's detail, NUL included. */
#define EXEC_DETAIL_MAX 64

struct exec_result {
	enum exec_outcome outcome;
	/* What happened in host terms, for the audit log: "killed:
	 * deadline", "crashed: SIGSEGV", "sandbox: execve", "exited: 3",
	 * ...; "" with EXEC_OK. */
	char detail[EXEC_DETAIL_MAX];
};

struct executor_ops {
	/* "in-process", "isolated", ... for messages and `info`. */
	const char *kind;

	/* [call] Run tool tool_index with args (validated JSON object text of
	 * len bytes, NUL-terminated). Everything the skill produces goes into
	 * call. Returns the skill's status; the executor turns its own
	 * failures (a crashed worker, say) into a status plus call_set_error,
	 * and always fills res (never NULL) with how its own part ended:
	 * EXEC_OK when the skill ran to its answer. Called concurrently
	 * unless the skill is serialized. */
	skill_status (*invoke)(struct executor *ex, uint32_t tool_index,
	                       const char *args, size_t len,
	                       struct skill_call *call,
	                       struct exec_result *res);

	/* 1 when invoke never reads call->args (the parsed arguments): the
	 * skill runs elsewhere and parses its own copy of the text. The
	 * caller may then free the tree while the call runs. */
	int text_only;

	/* [control] Finalize the skill and free the executor. No call may be
	 * in flight. */
	void (*destroy)(struct executor *ex);
};

struct executor {
	const struct executor_ops *ops;
};

#endif /* SH_EXECUTOR_H */
