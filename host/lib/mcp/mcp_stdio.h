/*
 * mcp_stdio.h - the MCP stdio transport: newline-delimited JSON-RPC.
 *
 * One client, one session. A reader thread takes one message per line
 * from in_fd and hands it to the session; pings, listings and
 * cancellations are answered at once, calls run on the server's workers,
 * so responses may leave out of order, interleaved with the calls'
 * notifications. Every message goes to out_fd as one write of one line
 * under a lock, so lines never interleave. out_fd must carry nothing else:
 * the caller should point fd 1 at stderr and give us a duplicate of the
 * real stdout, so a skill that prints cannot corrupt the stream.
 *
 * The transport is finished when in_fd reaches end of file (the client's
 * way to shut down) or out_fd breaks; mcp_stdio_stop then cancels the
 * calls still running and frees it.
 */
#ifndef SH_MCP_STDIO_H
#define SH_MCP_STDIO_H

#include <stddef.h>

#include "mcp_server.h"
#include "status.h"

/* Longest line (message) accepted unless told otherwise. */
#define MCP_STDIO_LINE_MAX_DEFAULT ((size_t)16 * 1024 * 1024)

struct mcp_stdio;

/* [control] Start serving srv on in_fd/out_fd (both borrowed; the caller
 * closes them after mcp_stdio_stop). line_max 0 means the default. */
sh_status mcp_stdio_start(struct mcp_server *srv, int in_fd, int out_fd,
                          size_t line_max, struct mcp_stdio **out,
                          struct sh_error *e);

/* [thread-safe] 1 once the client has gone (end of input, or output
 * broken). */
int mcp_stdio_finished(struct mcp_stdio *t);

/* [control] Stop reading, cancel the calls still in flight, wait for them
 * to return, and free t. To let calls finish instead (SIGTERM), call
 * mcp_server_drain first. NULL is fine. */
void mcp_stdio_stop(struct mcp_stdio *t);

#endif /* SH_MCP_STDIO_H */
