/*
 * names.h - tool names for each surface.
 *
 * Every tool has one canonical name, "namespace/skill.tool", and names
 * derived from it alone, so they never change when other skills come or go:
 *
 *   MCP              [A-Za-z0-9_.-]{1,128}   "namespace.skill.tool"
 *   function calling [A-Za-z0-9_-]{1,64}     "namespace__skill__tool"
 *     (OpenAI, Anthropic, Bedrock, Gemini, Ollama)
 *
 * Namespace and skill names are [a-z0-9-] and tool names [A-Za-z0-9_-], so
 * "." and "/" never occur inside a part and the MCP form is reversible by
 * itself. When a derived name would be too long it is cut and ends in "_"
 * plus 8 hex digits of BLAKE2b of the canonical name; the catalog keeps the
 * reverse table and refuses the (astronomically unlikely) collision.
 */
#ifndef SH_NAMES_H
#define SH_NAMES_H

#include <stddef.h>

#include "status.h"

#define NAMES_CANONICAL_MAX (64 + 1 + 64 + 1 + 64)
#define NAMES_MCP_MAX       128
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

/* The MCP name of a canonical name, into out (NAMES_MCP_MAX+1 bytes). */
void names_mcp(const char *canonical, char out[NAMES_MCP_MAX + 1]);

/* The function-calling name, into out (NAMES_FC_MAX+1 bytes). */
void names_fc(const char *canonical, char out[NAMES_FC_MAX + 1]);

/* 1 when name is a legal MCP tool name / function-calling name. */
int names_is_mcp_legal(const char *name);
int names_is_fc_legal(const char *name);

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
