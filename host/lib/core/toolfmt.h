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

/* The MCP Tool object: name (MCP name), title, description, inputSchema,
 * outputSchema, annotations (only the hints the skill set). NULL when out of
 * memory or a stored schema does not parse. Owned by the caller. */
cJSON *toolfmt_mcp(const struct tool *t);

/* The JSON `skillhost tools --json` prints for a tool: every name, the
 * schemas, hints and the skill's name and version. */
cJSON *toolfmt_info(const struct tool *t);

#endif /* SH_TOOLFMT_H */
