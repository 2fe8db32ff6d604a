/*
 * confirm.h - the `confirm-destructive` host policy: before a call of a
 * destructive tool runs, ask the user through whoever drives the call
 * (an MCP client's elicitation, the agent's terminal), and refuse the call
 * when nobody can be asked or the user does not say yes.
 *
 * "Destructive" is MCP's effective destructiveHint: annotated true, or
 * left unset on a tool not annotated read-only (MCP's worst-case default,
 * which clients show as destructive too).
 */
#ifndef SH_CONFIRM_H
#define SH_CONFIRM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct call_sinks;
struct config;
struct tool;

/* 1 when t is destructive in MCP's sense (above). */
int confirm_is_destructive(const struct tool *t);

/*
 * [thread-safe] Decide whether t may run with args. Returns 1 at once
 * when the policy is off for t's skill or t is not destructive. Else asks
 * through sinks->request ("elicitation/create", a yes/no form naming the
 * tool and showing its arguments), waiting at most timeout_ms or until
 * *cancel (may be NULL) is set: 1 when the user accepted and confirmed;
 * 0 otherwise, with why (cap bytes) saying why the call was refused and
 * what to do.
 */
int confirm_destructive(const struct config *cfg, const struct tool *t,
                        const cJSON *args, const struct call_sinks *sinks,
                        atomic_int *cancel, int64_t timeout_ms, char *why,
                        size_t cap);

#endif /* SH_CONFIRM_H */
