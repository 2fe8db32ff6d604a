/*
 * mcp_prompts.h - prompts/list, prompts/get and completion/complete over
 * the prompts skills declare (skill.prompts/1, see skill/ext/prompts.h).
 *
 * A prompt is listed under its declared name when no other skill declares
 * the same one, else as "<skill>_<name>" (the skill's name after '/',
 * with characters outside [A-Za-z0-9_-] turned into '_'), so every name
 * stays portable and unambiguous. prompts/get checks the arguments: a
 * missing required one is refused (-32602) naming it, an undeclared one
 * too, and a value that is not a string.
 *
 * Threads: [thread-safe]; the catalog is held only for each request.
 */
#ifndef SH_MCP_PROMPTS_H
#define SH_MCP_PROMPTS_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct runtime;
struct profile;
struct mcp_artifacts;
struct dispatch_opts;

/* Each returns the result (caller frees), or NULL with *code and msg set
 * to the JSON-RPC error. */
/* prof (profile.h, may be NULL): only the prompts of skills with a tool
 * in it; the others are unknown. */
cJSON *mcp_prompts_list(struct runtime *rt, const struct profile *prof,
                        const cJSON *params, size_t page, int *code, char *msg,
                        size_t cap);
cJSON *mcp_prompts_get(struct runtime *rt, const struct profile *prof,
                       const cJSON *params, int *code, char *msg, size_t cap);
/* completion/complete: ref/prompt from the argument's declared "values",
 * ref/resource from the template's (mcp_resources_complete); without
 * values, from the skill's skill.completion/1, run with o (may be NULL)
 * like a tool call. A prompt or template of a skill outside prof is
 * unknown. */
cJSON *mcp_complete(struct runtime *rt, const struct profile *prof,
                    struct mcp_artifacts *a, const cJSON *params,
                    const struct dispatch_opts *o, int *code, char *msg,
                    size_t cap);

#endif /* SH_MCP_PROMPTS_H */
