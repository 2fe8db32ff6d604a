/*
 * toolfmt.h - tool declarations in each surface's shape.
 *
 * One place turns a catalog tool into what a client expects, so the MCP
 * server, `skillhost tools` and the agent loop's backends agree.
 */
#ifndef SH_TOOLFMT_H
#define SH_TOOLFMT_H

#include <cjson/cJSON.h>

#include "catalog.h"

/* The _meta key that carries a tool's canonical name ("ns/skill.tool"). */
#define TOOLFMT_META_CANONICAL "io.skillhost/canonical"

/* The tool's inputSchema as served: parsed and made portable (sp_rewrite,
 * schema_portable.h). Arguments are still validated against the original.
 * NULL when out of memory or the stored schema does not parse. */
cJSON *toolfmt_input_schema(const struct tool *t);

/* The MCP Tool object: name (the portable name), title (the skill's, else
 * the canonical name), description, inputSchema (portable),
 * outputSchema, annotations (only the hints the skill set) and _meta
 * {TOOLFMT_META_CANONICAL: canonical}. NULL when out of memory or a stored
 * schema does not parse. Owned by the caller. */
cJSON *toolfmt_mcp(const struct tool *t);

/* The JSON `skillhost tools --json` prints for a tool: every name, the
 * schemas, hints and the skill's name and version. */
cJSON *toolfmt_info(const struct tool *t);

#endif /* SH_TOOLFMT_H */
