/*
 * mcp_toolsearch.h - deferred tool loading for large catalogs.
 *
 * Clients cap or degrade with many tools (Cursor uses the first 40, VS
 * Code refuses more than 128, models choose worse past 30-50). With tool
 * search on (`serve --tool-search on`, or `auto` above a threshold, 40 by
 * default), tools/list shows the search tool, the operator's core tools
 * (`--core-tools`) and the tools this session already found; the search
 * tool ranks every tool (toolsearch.h, BM25 over names, descriptions and
 * argument names) and returns the best matches with their full
 * definitions; those join the session's list, and the client is told
 * notifications/tools/list_changed. Every tool stays callable by name:
 * listing is what is deferred, not permission.
 *
 * The index follows the runtime's catalog: it is rebuilt, once, when a
 * reload replaces the catalog. Thread-safe.
 */
#ifndef SH_MCP_TOOLSEARCH_H
#define SH_MCP_TOOLSEARCH_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "status.h"

#define MCP_TOOLSEARCH_NAME      "search_tools"
#define MCP_TOOLSEARCH_THRESHOLD 40
#define MCP_TOOLSEARCH_RESULTS   8 /* per query unless "limit" says */

enum mcp_toolsearch_mode { MCP_TS_OFF, MCP_TS_ON, MCP_TS_AUTO };

struct catalog;
struct tool;
struct mcp_toolsearch;

/* A session's found tools (canonical names). Guarded by its owner. */
struct mcp_ts_found {
	char **names;
	size_t n, cap;
};
void mcp_ts_found_free(struct mcp_ts_found *f);
int mcp_ts_found_has(const struct mcp_ts_found *f, const char *canonical);

/* mode and threshold (0: MCP_TOOLSEARCH_THRESHOLD); core: canonical tool
 * names always listed, comma-separated, or NULL. NULL out of memory. */
struct mcp_toolsearch *mcp_toolsearch_new(enum mcp_toolsearch_mode mode,
                                          size_t threshold, const char *core);
void mcp_toolsearch_free(struct mcp_toolsearch *ts);

/* 1 when tools/list of c is to be deferred. */
int mcp_toolsearch_active(const struct mcp_toolsearch *ts, struct catalog *c);

/* 1 when t is an operator core tool. */
int mcp_toolsearch_is_core(const struct mcp_toolsearch *ts,
                           const struct tool *t);

/* The search tool's definition for tools/list. */
cJSON *mcp_toolsearch_definition(void);

/* The name a client sees for a tool (the server's choice), or NULL for a
 * tool this caller may not see (outside its profile): never a match. */
typedef const char *(*mcp_ts_name_fn)(void *ud, struct catalog *c,
                                      const struct tool *t);

/*
 * Run the search tool with args ({"query", "limit"?}) over c: a
 * CallToolResult (text listing the matches and structuredContent
 * {"tools": [tool definitions]}), or an error result for bad arguments.
 * The matches are added to found; *added says whether any was new.
 * NULL when out of memory.
 */
cJSON *mcp_toolsearch_call(struct mcp_toolsearch *ts, struct catalog *c,
                           const cJSON *args, struct mcp_ts_found *found,
                           int *added, mcp_ts_name_fn name, void *ud);

#endif /* SH_MCP_TOOLSEARCH_H */
