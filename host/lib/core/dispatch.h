/*
 * dispatch.h - the one path every surface (CLI, MCP, agent loop) calls tools
 * through.
 *
 * dispatch_call finds the tool, parses and validates the arguments against
 * the input schema *before* the skill runs, applies the operator's policy
 * (every call gets a deadline: the caller's, else the skill's `timeout`,
 * else the host's default, else 60 s, see config_call_timeout_ms; the
 * skill's `concurrency` bounds the calls in flight, later ones waiting),
 * serializes skills that asked for it, runs the call on the skill's executor,
 * checks structured output against the output schema, records the call in the
 * audit log and the metrics, and hands back an MCP CallToolResult.
 *
 * Thread-safe: any number of threads may dispatch on one sealed catalog.
 */
#ifndef SH_DISPATCH_H
#define SH_DISPATCH_H

#include <stdatomic.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "call.h"
#include "catalog.h"
#include "status.h"

struct audit_caller;
struct host_services;

struct dispatch_opts {
	/* The caller's own deadline for this call (`call --timeout`); 0:
	 * the skill's policy or the host's default decides. */
	int64_t timeout_ms;
	/* A host-wide default for this surface (`serve --call-timeout`),
	 * below the skill's policy; 0: the host config's, else 60 s. */
	int64_t default_timeout_ms;
	atomic_int *cancel;             /* set to 1 to cancel; may be NULL */
	const struct call_sinks *sinks; /* progress and log; may be NULL */
	const struct host_services *services; /* for host extensions, the
	                                       * audit log and metrics */
	/* Who is calling, for the audit log (audit.h); NULL: the runtime's
	 * default surface. */
	const struct audit_caller *caller;
	/* dispatch_call's arguments also as a sealed memfd (struct
	 * skill_call's args_memfd says which form); borrowed; 0: none. */
	int args_memfd;
	/* The process's last call on this skill (struct skill_call's
	 * last_call). */
	int last_call;
};

/*
 * Call the tool called name with arguments args_json: JSON text of len bytes
 * followed by a NUL (args_json[len] == '\0'); NULL or len 0 means "{}".
 * Returns SH_OK whenever a result was produced, including tool failures and
 * invalid arguments, which come back as res->is_error with a message for the
 * model (what was wrong, and where). Returns an error status
 * only when no call could be made: SH_ERR_NOTFOUND for an unknown tool,
 * SH_ERR_FAIL when the skill cannot be started. *res is owned by the caller
 * (call_result_free or call_result_to_json).
 */
sh_status dispatch_call(struct catalog *c, const char *name,
                        const char *args_json, size_t len,
                        const struct dispatch_opts *opts,
                        struct call_result *res, struct sh_error *e);

/* The same, for a tool already looked up and arguments already parsed (the
 * MCP server has both). args may be NULL for "{}"; it is borrowed. */
sh_status dispatch_call_tool(struct catalog *c, struct tool *t,
                             const cJSON *args,
                             const struct dispatch_opts *opts,
                             struct call_result *res, struct sh_error *e);

/*
 * Run callback index of skill s (extcall.h: skill.resources/1 read and
 * list, skill.completion/1 complete) with args (a JSON object, borrowed) the
 * way a tool call runs: the skill's deadline, permissions, serialization
 * and executor, o's cancel flag and services. *st gets the skill's status
 * (SKILL_ERR_UNSUPPORTED: it offers no such callback). Not in the audit
 * log, which records tool calls. Returns an error status only when the
 * skill cannot be started.
 */
sh_status dispatch_call_ext(struct catalog *c, struct skill *s, uint32_t index,
                            const cJSON *args, const struct dispatch_opts *opts,
                            struct call_result *res, skill_status *st,
                            struct sh_error *e);

#endif /* SH_DISPATCH_H */
