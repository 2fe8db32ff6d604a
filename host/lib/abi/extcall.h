/*
 * extcall.h - the skill callbacks that run like tool calls:
 * skill.resources/1 read() and list(), and skill.completion/1
 * complete().
 *
 * Why: a callback needs what a tool call has (a deadline, cancellation,
 * the skill's permissions, and for an isolated skill its worker), so the
 * host runs it through the executor's invoke with a reserved tool index
 * and JSON arguments, and the executor (in-process, or the worker) hands
 * it to extcall_invoke instead of the skill's invoke. No tool index can
 * reach these values: a skill declares at most SKILLDESC_MAX_TOOLS tools.
 *
 * Threads: [call], like invoke.
 */
#ifndef SH_EXTCALL_H
#define SH_EXTCALL_H

#include <stddef.h>
#include <stdint.h>

#include <skill/entry.h>
#include <skill/host.h>

/* args {"uri": URI}: skill.resources/1 read(). */
#define EXTCALL_RESOURCE_READ 0xFFFFFF01u
/* args {}: skill.resources/1 list(). */
#define EXTCALL_RESOURCE_LIST 0xFFFFFF03u
/* args {"ref": REF, "argument": NAME, "value": PREFIX}:
 * skill.completion/1 complete(). */
#define EXTCALL_COMPLETE 0xFFFFFF02u

/* 1 when index is one of the reserved ones above. */
int extcall_is(uint32_t index);

/* Run callback index of the skill (its entry e and data) with args (JSON
 * text of len bytes). SKILL_ERR_UNSUPPORTED when the skill does not offer
 * it, SKILL_ERR_ARGS when args are not what index needs. */
skill_status extcall_invoke(const skill_entry_t *e, void *skill_data,
                            const skill_host_t *host, skill_call_t *call,
                            uint32_t index, const char *args, size_t len);

#endif /* SH_EXTCALL_H */
