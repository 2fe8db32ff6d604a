/*
 * audit.h - the append-only audit log of tool calls.
 *
 * One JSON object per line per call, in <home>/logs/audit.jsonl:
 *
 *   {"ts":"2025-06-01T12:00:00.123Z","principal":"claude-code",
 *    "caller":{"surface":"mcp","session":"9f..","client":"claude-code",
 *              "sub":"alice","client_id":"c-1"},
 *    "profile":"","skill":"ns/name","version":"1.2.0","digest":"<hex>",
 *    "tool":"ns/name.tool","args_hash":"blake2b256:<hex>",
 *    "isolation":"isolated","status":"ok","detail":"crashed: SIGSEGV",
 *    "duration_ms":1.234,"bytes_in":42,"bytes_out":1337,"prev":"<hex>"}
 *
 * "principal" names who called: the token's sub, else its client_id, else
 * the MCP client name, else the session, else the surface ("cli"). "detail"
 * (only when the host ended the call: a crash, a kill, a limit), the
 * caller's other fields and "digest" (the store's hash of the signed
 * manifest; absent for a skill loaded from a file) appear when known.
 * Never argument values and never results: they may carry secrets; the
 * log keeps sizes and "args_hash", BLAKE2b-256 of the arguments exactly as
 * the tool received them (so a known call can be matched, nothing read).
 * Status is one of ok, tool_error, invalid_arguments, timeout, cancelled,
 * crashed, memory, denied, unavailable, busy.
 *
 * Tamper evidence (auditchain.h checks it): "prev" is the BLAKE2b-256 of
 * the previous line's bytes (without its newline); the first line of a
 * file links to the last line of the file rotated before it, or is
 * AUDIT_GENESIS when there was none. So an edit, a removal or a reordering
 * of lines breaks the chain at the line after. A rotated file is sealed:
 * <file>.seal is a minisign signature of the whole file by the host audit
 * key (<home>/audit.key, 0600, made on first rotation; its public half
 * <home>/audit.pub), whose trusted comment names the file's last chain
 * hash, so a rotated file cannot lose or change its last lines either.
 * The live file's last line is covered once it is rotated.
 *
 * Each record is one write(2) to a file opened O_APPEND under an exclusive
 * flock of logs/audit.lock, taken around reading the previous line's hash
 * and appending, so records from several threads and skillhost processes
 * never interleave and always chain. The record is in the file when
 * audit_write returns. From a process's second record on, the flock is
 * kept from one record to the next (a burst); within a burst nobody else
 * can have appended or rotated, so the file is not looked at again, and a
 * record costs one write(2) and no lock system call. A thread of the
 * handle looks every AUDIT_BURST_NS and ends the burst when the log has
 * been idle since its last look, or when another process waits for the
 * flock (it says so with a shared flock of logs/audit.want while it
 * waits), and then lets the waiter in before its own writers; a process
 * that cannot say so (an older skillhost) gets its turn at least every
 * AUDIT_HOLD_MAX_NS. When the file would pass
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

#include "auditchain.h" /* the file names and chain constants */
#include "status.h"

/* Longest caller session or client name kept (longer ones are cut). */
#define AUDIT_NAME_MAX 128

/* Who made a call. Strings are borrowed for the call. */
struct audit_caller {
	const char *surface; /* "cli", "mcp", "agent", "api", ... */
	const char *session; /* e.g. the MCP session id, or NULL */
	const char *client;  /* e.g. the MCP clientInfo name, or NULL */
	/* Filled by an authenticating front end (OAuth) when it knows them. */
	const char *sub;       /* the token's subject, or NULL */
	const char *client_id; /* the token's client, or NULL */
	const char *profile;   /* the tool profile in force, or NULL */
};

/* How often a process that keeps the log's flock looks whether it is
 * idle or wanted; the longest it keeps it for processes that cannot say
 * they wait. */
#define AUDIT_BURST_NS    2000000LL   /* 2 ms */
#define AUDIT_HOLD_MAX_NS 100000000LL /* 100 ms */
/* How long letting a waiter in may hold this process's writers back. */
#define AUDIT_HANDOVER_NS 5000000LL /* 5 ms */

/* The size of an args_hash. */
#define AUDIT_ARGS_HASH_BYTES 32

struct audit_record {
	const struct audit_caller *caller; /* NULL: the log's default */
	const char *skill, *tool;
	const char *version; /* the skill's version, or NULL */
	const char *digest;  /* the store's package digest, or NULL */
	/* The arguments as the tool got them, hashed, never kept; NULL for
	 * none. */
	const char *args;
	size_t args_len;
	/* audit_args_hash(args, args_len) when the caller computed it while
	 * the call ran (large arguments); NULL: audit_write hashes args. */
	const uint8_t *args_hash;
	const char *isolation; /* the executor's kind */
	const char *status;
	const char *detail; /* or NULL */
	int64_t duration_ns;
	uint64_t bytes_in, bytes_out;
};

struct audit;

/*
 * A log at home/logs/audit.jsonl rotated past max_bytes (0: the
 * environment's SKILLHOST_AUDIT_MAX_BYTES if set, else the default).
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

/* The "args_hash" of a record: BLAKE2b-256 of the len bytes at args (NULL
 * for none). Thread-safe; for a caller that hashes large arguments on
 * another thread while the call runs, instead of after it. */
void audit_args_hash(const char *args, size_t len,
                     uint8_t out[AUDIT_ARGS_HASH_BYTES]);

/* What a log has done since audit_open, for tests and benchmarks. */
struct audit_stats {
	uint64_t records;       /* appended */
	uint64_t locks;         /* times the flock was taken afresh */
	uint64_t rotations;     /* files this handle rotated */
	uint64_t seals_hashed;  /* of them, sealed without reading back */
	unsigned longest_burst; /* most records under one flock */
};

/* Copy a's counters into *out. [thread-safe] */
void audit_stats(struct audit *a, struct audit_stats *out);

/* The log's path. */
const char *audit_path(const struct audit *a);

#endif /* SH_AUDIT_H */
