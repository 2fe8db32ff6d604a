/*
 * audit.h - the append-only audit log of tool calls.
 *
 * One JSON object per line per call, in <home>/logs/audit.jsonl:
 *
 *   {"ts":"2025-06-01T12:00:00.123Z",
 *    "caller":{"surface":"mcp","session":"9f..","client":"claude-code"},
 *    "skill":"ns/name","tool":"ns/name.tool","isolation":"isolated",
 *    "status":"ok","detail":"crashed: SIGSEGV","duration_ms":1.234,
 *    "bytes_in":42,"bytes_out":1337}
 *
 * "detail" (only when the host ended the call: a crash, a kill, a limit)
 * and the caller's "session" and "client" (only when known) are optional.
 * Never arguments and never results: they may carry secrets, and the log
 * only needs sizes. Status is one of ok, tool_error, invalid_arguments,
 * timeout, cancelled, crashed, memory, denied, unavailable, busy.
 *
 * Each record is one write(2) to a file opened O_APPEND, so records from
 * several skillhost processes never interleave. When the file would pass
 * its size cap it is rotated (audit.jsonl -> .1 -> ... -> .AUDIT_KEEP)
 * under a lock file, once, by whichever process gets there first; the
 * others reopen. The log is created (0600, folder 0700) on the first call
 * only when the home folder exists; a missing home is retried at most once
 * a second rather than created.
 *
 * audit_write is [thread-safe].
 */
#ifndef SH_AUDIT_H
#define SH_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define AUDIT_DIR               "logs"
#define AUDIT_FILE              "audit.jsonl"
#define AUDIT_MAX_BYTES_DEFAULT (16ull * 1024 * 1024)
#define AUDIT_KEEP              5
/* Longest caller session or client name kept (longer ones are cut). */
#define AUDIT_NAME_MAX 128

/* Who made a call. Strings are borrowed for the call. */
struct audit_caller {
	const char *surface; /* "cli", "mcp", "agent", "api", ... */
	const char *session; /* e.g. the MCP session id, or NULL */
	const char *client;  /* e.g. the MCP clientInfo name, or NULL */
};

struct audit_record {
	const struct audit_caller *caller; /* NULL: the log's default */
	const char *skill, *tool;
	const char *isolation; /* the executor's kind */
	const char *status;
	const char *detail; /* or NULL */
	int64_t duration_ns;
	uint64_t bytes_in, bytes_out;
};

struct audit;

/*
 * A log at home/logs/audit.jsonl rotated past max_bytes (0: the default).
 * default_surface names callers that do not say who they are. Nothing is
 * opened yet. *out is freed with audit_close.
 */
sh_status audit_open(const char *home, uint64_t max_bytes,
                     const char *default_surface, struct audit **out,
                     struct sh_error *e);

void audit_close(struct audit *a);

/* Append one record. Failing to write is reported once in the host log
 * and otherwise does not fail the call; the return says what happened. */
sh_status audit_write(struct audit *a, const struct audit_record *r,
                      struct sh_error *e);

/* The log's path. */
const char *audit_path(const struct audit *a);

#endif /* SH_AUDIT_H */
