/*
 * skillhost/runtime.h - embed the skill host: open a runtime, list its
 * tools and call them with JSON arguments.
 *
 *   skillhost_runtime *rt;
 *   skillhost_error err;
 *   const char *files[] = {"hello.so", NULL};
 *   skillhost_options o = {.struct_size = sizeof o, .skill_files = files};
 *   char *result;
 *
 *   if (skillhost_open(&o, &rt, &err) != SKILLHOST_OK)
 *           ... err.message says why ...
 *   skillhost_call(rt, "example/hello.greet", "{\"name\":\"Ada\"}", 0,
 *                  &result, &err);
 *   ... result is an MCP CallToolResult as JSON text ...
 *   skillhost_free(result);
 *   skillhost_close(rt);
 *
 * Everything crosses this interface as JSON text, so a program needs no
 * other header, and the library may change its internals without breaking
 * it. The runtime is the one `skillhost` itself uses: installed skills are
 * verified and run in sandboxed workers the same way, the operator's policy
 * (home/config.json) applies, and calls go to the same audit log.
 */
#ifndef SKILLHOST_RUNTIME_H
#define SKILLHOST_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct skillhost_runtime skillhost_runtime;

/*
 * How to open a runtime. Zero-initialize it and set struct_size to
 * sizeof(skillhost_options): later versions only append fields, and the
 * library reads only the fields a program was built with. Every field may
 * be left 0/NULL.
 */
typedef struct skillhost_options {
	size_t struct_size;
	/* The store folder (installed skills, config.json, audit log); NULL:
	 * $SKILLHOST_HOME, else $XDG_DATA_HOME/skillhost, else
	 * ~/.local/share/skillhost. Not created. */
	const char *home;
	/* Skill shared objects to load directly, NULL-terminated (a skill
	 * author's dev loop); they take the place of installed skills of the
	 * same name. May be NULL. */
	const char *const *skill_files;
	/* Run skill_files in this process instead of in sandboxed workers
	 * (faster start, no isolation: only for code you trust). Installed
	 * skills are isolated either way unless the operator's policy says
	 * otherwise. */
	int files_in_process;
	/* Load only skill_files, not the installed skills. */
	int no_store;
	/* Where artifacts go; NULL: <home>/artifacts. */
	const char *artifacts_dir;
	/* Who calls, for the audit log; NULL: "api". */
	const char *caller;
} skillhost_options;

/*
 * Open a runtime: read <home>/config.json and the installed skills' index,
 * load skill_files, and make the tool catalog ready. o may be NULL for the
 * defaults. On success *out is owned by the caller (skillhost_close). On
 * failure *out is NULL and e (may be NULL) says why; nothing is left open.
 */
SH_API skillhost_status skillhost_open(const skillhost_options *o,
                                       skillhost_runtime **out,
                                       skillhost_error *e);

/*
 * [thread-safe] The tools the runtime offers, as JSON text: an array of MCP
 * Tool objects ({"name","title","description","inputSchema",...}), sorted
 * by name. *json_out is owned by the caller (skillhost_free).
 */
SH_API skillhost_status skillhost_list_tools(skillhost_runtime *rt,
                                             char **json_out,
                                             skillhost_error *e);

/*
 * [thread-safe] Call tool (its canonical "namespace/skill.tool" name or its
 * MCP name) with args_json (a JSON object as text; NULL means "{}"),
 * waiting at most timeout_ms (0: no deadline of the caller's own; the
 * operator's per-skill timeout applies either way). The arguments are
 * validated against the tool's input schema before the skill runs.
 *
 * When the tool ran, *result_out is an MCP CallToolResult as JSON text
 * ({"content":[...], "structuredContent":{...}, "isError":true}), owned by
 * the caller (skillhost_free), and the status is SKILLHOST_OK, or
 * SKILLHOST_ERR_TOOL when the result is an error (invalid arguments
 * included: the result's text says what was wrong, for the model). Any other
 * status means no call was made (unknown tool, skill cannot start, ...):
 * *result_out is NULL and e says why.
 */
SH_API skillhost_status skillhost_call(skillhost_runtime *rt, const char *tool,
                                       const char *args_json,
                                       int64_t timeout_ms, char **result_out,
                                       skillhost_error *e);

/* Free a string the library returned. NULL is fine. */
SH_API void skillhost_free(char *s);

/* Finalize every skill and free the runtime. No call may be in flight.
 * NULL is fine. */
SH_API void skillhost_close(skillhost_runtime *rt);

#ifdef __cplusplus
}
#endif

#endif /* SKILLHOST_RUNTIME_H */
