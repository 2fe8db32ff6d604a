/*
 * mcp_decl.h - what mcp_resources.c and mcp_prompts.c share: the skills'
 * static declarations (skill.prompts/1, skill.resources/1), opaque page
 * cursors, "{{var}}" substitution and level-1 URI template matching.
 *
 * Why a module: both method families page their lists and read the same
 * skill extensions; the pure parts are unit-tested here (test_mcp_decl.c).
 * Threads: [any]; nothing here keeps state.
 */
#ifndef SH_MCP_DECL_H
#define SH_MCP_DECL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include <stdint.h>

#include <skill/status.h>

struct catalog;
struct skill;
struct runtime;
struct dispatch_opts;
struct call_result;
struct profile;

/* The most "{var}"s one template may hold, and the longest value kept. */
#define MCP_DECL_VARS_MAX  16
#define MCP_DECL_VALUE_MAX 1024
/* Values completion/complete answers at most (MCP says 100). */
#define MCP_COMPLETE_MAX 100

/* The skill's extension id (its vtable in-process, the worker's report
 * when isolated), opening the skill if it is not yet open; NULL when it
 * offers none or cannot start (logged). */
/* 1 when skill s is visible to a caller with profile p (NULL: every
 * skill): when any of its tools is in p. Its prompts, resources, templates
 * and completions follow, so a profile that hides a skill's tools hides
 * everything else it offers. */
int mcp_skill_in_profile(const struct skill *s, const struct profile *p);

const void *mcp_decl_ext(struct catalog *c, struct skill *s, const char *id);

/* The skill's declarations, parsed: a JSON array (caller frees) or NULL
 * when the skill declares none. A malformed text is logged and treated
 * as none. kind: "prompts", "resources" or
 * "templates". */
cJSON *mcp_decl_get(struct catalog *c, struct skill *s, const char *kind);

/* The member that names, in each gathered declaration, the skill that
 * made it (never sent to a client: listings copy named members only). */
#define MCP_DECL_SKILL "_skill"

/* Run callback index (extcall.h) of the skill called skill with args, as
 * dispatch_call_ext does, holding the catalog for the call. 0 with *res
 * (caller frees) and *st filled; -1 with msg set when the skill is gone
 * or cannot start. */
int mcp_decl_call(struct runtime *rt, const char *skill, uint32_t index,
                  const cJSON *args, const struct dispatch_opts *o,
                  struct call_result *res, skill_status *st, char *msg,
                  size_t cap);

/* An opaque cursor for position pos into out (>= 24 bytes). */
void mcp_cursor_make(size_t pos, char *out, size_t cap);

/* The position a cursor names, or (size_t)-1 when it is not ours. A NULL
 * or JSON null cursor is position 0. */
size_t mcp_cursor_parse(const cJSON *cursor);

/* text with each "{{name}}" replaced by the string member name of vars
 * ("" when absent or not a string), malloc'd; NULL when out of memory.
 * Unknown or unclosed braces are kept as they are. */
char *mcp_decl_subst(const char *text, const cJSON *vars);

/*
 * Match uri against an RFC 6570 level-1 template ("a://b/{x}/c"): each
 * "{name}" matches one or more characters other than '/', '?' and '#'.
 * On a match returns 1 and sets *vars to an object of name -> value
 * (caller frees); 0 when it does not match, -1 when out of memory or the
 * template is malformed.
 */
int mcp_template_match(const char *tmpl, const char *uri, cJSON **vars);

/* 1 when tmpl holds a variable called name. */
int mcp_template_has_var(const char *tmpl, const char *name);

/* A completion/complete result ({"completion": {"values", "total",
 * "hasMore"}}) with the strings of arr (may be NULL) that start with
 * prefix, at most MCP_COMPLETE_MAX of them; NULL when out of memory. */
cJSON *mcp_complete_from(const cJSON *arr, const char *prefix);

/* 1 when mime names text a client can show as such (text/..., JSON, XML,
 * JavaScript, YAML, CSV, SVG). */
int mcp_mime_is_text(const char *mime);

#endif /* SH_MCP_DECL_H */
