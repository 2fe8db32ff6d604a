/*
 * skill/entry.h - the skill descriptor and the one exported entry function.
 *
 * A skill is a shared object that exports exactly one symbol:
 *
 *     SKILL_EXPORT const skill_entry_t *skill_entry_v1(void);
 *
 * It is a function, not data, because dlsym is only guaranteed to work on
 * functions, and its name carries the ABI major so a future incompatible ABI
 * gets a different symbol. It must have no side effects and return the same
 * pointer every time; the descriptor it returns is owned by the skill and
 * must stay valid, unchanged, until the process exits.
 *
 * Lifecycle, all driven by the host:
 *   skill_entry_v1()  -> validate descriptor -> init() -> invoke()* -> fini()
 * The host never dlcloses a skill it has initialised.
 */
#ifndef SKILL_ENTRY_H
#define SKILL_ENTRY_H

#include "host.h"
#include "tool.h"

/* The skill's invoke() is not reentrant: the host runs at most one call of
 * this skill at a time, queueing the rest. */
#define SKILL_FLAG_SERIALIZED (UINT64_C(1) << 0)

typedef struct skill_entry skill_entry_t;

struct skill_entry {
	/* sizeof(skill_entry_t) at build time. */
	uint32_t struct_size;
	/* SKILL_ABI_CURRENT at build time. */
	skill_abi_t abi;

	/* Required. "namespace/name": lower-case [a-z0-9-], each part 1-64
	 * characters, starting with a letter or digit. It must equal the
	 * package manifest's name. */
	const char *name;
	/* Required. Semantic version "MAJOR.MINOR.PATCH[-pre][+build]". */
	const char *version;
	/* Required. One or two sentences on what the skill does. */
	const char *description;
	/* Optional. SPDX license expression, e.g. "Apache-2.0". */
	const char *license;
	/* SKILL_FLAG_* bits; unknown bits are ignored by older hosts. */
	uint64_t flags;

	/* The tools: an array of tool_count pointers (an array of pointers, so
	 * skill_tool_t may grow without changing the array's stride). */
	uint32_t tool_count;
	const skill_tool_t *const *tools;

	/* [control] Optional. Called once before any invoke. host is valid
	 * until after fini() returns. Store per-skill state in *skill_data;
	 * it is passed back to every other callback. Return SKILL_OK, or a
	 * status after logging why through host->log(host, NULL, ...): the
	 * host then refuses the skill and never calls invoke or fini. */
	skill_status (*init)(const skill_host_t *host, const char *bundle_dir,
	                     void **skill_data);

	/* [control] Optional. Called once when the host unloads the skill,
	 * after every call has returned. Free what init allocated. */
	void (*fini)(void *skill_data);

	/* [call] Required. Run tool number tool_index (an index into tools)
	 * with its arguments: a JSON object as UTF-8 text of args_len bytes,
	 * NUL-terminated, already validated against the tool's input schema,
	 * borrowed for the duration of the call. Write results through the
	 * host's result_* services, then return SKILL_OK; on failure call
	 * host->tool_error() and return SKILL_ERR_TOOL (or another status).
	 * call is valid only until invoke returns. */
	skill_status (*invoke)(void *skill_data, const skill_host_t *host,
	                       skill_call_t *call, uint32_t tool_index,
	                       const char *args_json, size_t args_len);

	/* [thread-safe] Optional. Look up a skill-side extension by string
	 * ID, e.g. "skill.config-schema/1". Returns a vtable owned by the
	 * skill and valid until fini(), or NULL. Called only after init. */
	const void *(*get_extension)(void *skill_data, const char *id);
};

/* The name of the entry symbol for this ABI major, for hosts' dlsym. */
#define SKILL_ENTRY_SYMBOL "skill_entry_v1"

typedef const skill_entry_t *(*skill_entry_fn)(void);

SKILL_EXTERN_C SKILL_EXPORT const skill_entry_t *skill_entry_v1(void);

#endif /* SKILL_ENTRY_H */
