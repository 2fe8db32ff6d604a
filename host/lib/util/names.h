/*
 * names.h - tool names for each surface.
 *
 * Every tool has one canonical name, "namespace/skill.tool" (the CLI's),
 * and these derived ones:
 *
 *   portable  [A-Za-z0-9_-]{1,64}    "tool", "skill_tool" or "ns_skill_tool"
 *     What MCP clients and function-calling APIs see (MCP, `tools --format`,
 *     the agent loop). Claude Desktop and claude.ai drop a server's whole
 *     tool list when one name fails ^[a-zA-Z0-9_-]{1,64}$, and Codex and
 *     Copilot CLI fail with HTTP 400, so this is the only safe form. It
 *     depends on the whole catalog (names_mcp): short when unique.
 *   dotted    [A-Za-z0-9_.-]{1,128}  "namespace.skill.tool"
 *     The old MCP form, only with `serve --tool-names canonical`.
 *   legacy fc [A-Za-z0-9_-]{1,64}    "namespace__skill__tool"
 *     The old function-calling form; still resolved by the catalog, so
 *     saved transcripts and scripts keep working.
 *
 * Namespace and skill names are [a-z0-9-] and tool names [A-Za-z0-9_-], so
 * "." and "/" never occur inside a part. When a derived name would be too
 * long it is cut and ends in "_" plus 8 hex digits of BLAKE2b of the
 * canonical name; the catalog refuses the (astronomically unlikely)
 * collision that might remain.
 */
#ifndef SH_NAMES_H
#define SH_NAMES_H

#include <stddef.h>

#include "status.h"

#define NAMES_CANONICAL_MAX (64 + 1 + 64 + 1 + 64)
#define NAMES_MCP_MAX       64
#define NAMES_DOTTED_MAX    128
#define NAMES_FC_MAX        64

/* Limits on what a skill may declare, the same in its description and its
 * manifest. */
#define SKILLDESC_MAX_NAME    64 /* namespace, skill and tool names */
#define SKILLDESC_MAX_VERSION 64
#define SKILLDESC_MAX_TOOLS   512
#define SKILLDESC_MAX_TEXT    ((size_t)64 * 1024) /* descriptions */

/* "ns/skill" + "tool" -> "ns/skill.tool" into out (NAMES_CANONICAL_MAX+1). */
sh_status names_canonical(const char *skill, const char *tool, char *out,
                          size_t cap, struct sh_error *e);

/*
 * The portable names of a whole catalog: out[i] for canonical[i], each
 * matching ^[A-Za-z0-9_-]{1,64}$ and all distinct. A tool gets its bare
 * name when no other tool would have the same name; else "skill_tool";
 * else "ns_skill_tool"; else (only when cutting or the mapping of
 * characters outside the set to '_' made two equal) that cut with a hash.
 * A name longer than 64 is cut to 55 characters plus "_" and 8 hex digits
 * of BLAKE2b of the canonical name. Deterministic: the result depends on
 * the set of canonical names only, not on their order. SH_ERR_USAGE
 * naming both tools if two hashed names still collide; SH_ERR_NOMEM.
 */
sh_status names_mcp(const char *const *canonical, size_t n,
                    char (*out)[NAMES_MCP_MAX + 1], struct sh_error *e);

/* The old dotted MCP name "ns.skill.tool" (NAMES_DOTTED_MAX+1 bytes). */
void names_dotted(const char *canonical, char out[NAMES_DOTTED_MAX + 1]);

/* The old function-calling name "ns__skill__tool" (NAMES_FC_MAX+1). */
void names_fc(const char *canonical, char out[NAMES_FC_MAX + 1]);

/* 1 when name is a legal portable name (^[A-Za-z0-9_-]{1,64}$, the same
 * for MCP and function calling) / dotted name. */
int names_is_mcp_legal(const char *name);
int names_is_fc_legal(const char *name);
int names_is_dotted_legal(const char *name);

/* Name rules, shared by skill descriptions, manifests, the trust store, the
 * registry index and the CLI. Each returns 1 if valid. Namespace and skill
 * names are [a-z0-9-] (lower-case, so they cannot collide by case on any
 * filesystem or registry), tool names [A-Za-z][A-Za-z0-9_-]*. */
int skilldesc_valid_skill_name(const char *name); /* "ns/name" */
int skilldesc_valid_namespace(const char *ns);    /* the "ns" alone */
int skilldesc_valid_tool_name(const char *name);
int skilldesc_valid_semver(const char *version); /* semver 2.0.0 */

/* Semantic-version precedence of two valid versions: <0, 0 or >0. Build
 * metadata is ignored, as semver 2.0.0 says. */
int skilldesc_semver_compare(const char *a, const char *b);

#endif /* SH_NAMES_H */
