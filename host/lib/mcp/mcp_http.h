/*
 * mcp_http.h - the MCP Streamable HTTP transport (libmicrohttpd).
 *
 * Routes:
 *   POST   /mcp              one JSON-RPC message; a response comes back as
 *                            application/json, or as text/event-stream
 *                            (priming event, then `event: message` events
 *                            with ids) when notifications such as progress
 *                            precede it; notifications and responses: 202
 *   GET    /mcp              a server->client event stream for the session
 *                            (tools/list_changed); a new one replaces the
 *                            old; 405 when stateless. With Last-Event-ID:
 *                            the events of that stream (a POST's or the
 *                            GET's) after it, from the session's store
 *                            (mcp_events.h), then the rest of the stream;
 *                            405 for an id the store no longer knows.
 *                            A call still unanswered after a second is
 *                            primed (its answer becomes a stream), and a
 *                            call whose stream drops runs on for 15 s
 *                            awaiting a resumption before it is cancelled
 *   DELETE /mcp              ends the session; 405 when stateless
 *   GET    /artifacts/<id>   a file from the runtime's artifacts folder
 *   GET    /metrics          call and worker metrics (Prometheus text)
 *   GET    /healthz          200 "ok" (no token needed), 503 while draining
 *   GET    /.well-known/oauth-protected-resource[/mcp]
 *                            with OAuth on: RFC 9728 metadata (no token)
 *   OPTIONS                  CORS preflight for allowed origins
 *
 * Defences, in the order they apply: Host must name the bound address or
 * an allowed host, and Origin (when sent) an allowed origin (DNS
 * rebinding) -> 403; the bearer token, compared in constant time, or the
 * OAuth access token (mcp_oauth.h) -> 401 with WWW-Authenticate (403 for
 * a missing scope); with OAuth, a session used by another principal ->
 * 404; method -> 405; Accept -> 406; Content-Type -> 415;
 * body cap -> 413; MCP-Protocol-Version -> 400; Mcp-Session-Id missing ->
 * 400, unknown or expired -> 404. Connections are bounded in number, in
 * total and per client address, time out when idle, and must send their
 * request headers within a deadline however slowly they trickle
 * (slowloris). Sessions are bounded per client address (429 over it) and
 * in total (the least recently used idle session ends to make room; 503
 * only when all are in use), and expire when idle.
 *
 * Threads: libmicrohttpd's epoll thread pool does the I/O and answers
 * everything but tools/call on the spot; calls run on the MCP server's
 * workers while their connection is suspended, so a long call holds no
 * I/O thread. A housekeeping thread expires sessions and keeps event
 * streams alive.
 *
 * Stateful by default: initialize creates a session (Mcp-Session-Id, 256
 * random bits in hex). With stateless, no state outlives a request: any
 * instance behind a load balancer can answer any request.
 */
#ifndef SH_MCP_HTTP_H
#define SH_MCP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "mcp_oauth.h"
#include "mcp_server.h"
#include "netbind.h"
#include "status.h"

struct host_services;

#define MCP_HTTP_MAX_BODY_DEFAULT           ((size_t)16 * 1024 * 1024)
#define MCP_HTTP_MAX_CONNECTIONS_DEFAULT    4096
#define MCP_HTTP_CONNECTION_TIMEOUT_DEFAULT 60   /* seconds idle */
#define MCP_HTTP_SESSION_IDLE_DEFAULT       1800 /* seconds */
#define MCP_HTTP_MAX_SESSIONS_DEFAULT       10000
/* Per client address. One HTTP/1.1 connection per concurrent call, so a
 * busy agent can want dozens. */
#define MCP_HTTP_MAX_CLIENT_CONNECTIONS_DEFAULT 128
#define MCP_HTTP_MAX_CLIENT_SESSIONS_DEFAULT    64
#define MCP_HTTP_HEADER_TIMEOUT_DEFAULT         10 /* seconds */
#define MCP_HTTP_POLL_THREADS_MAX               64

/* struct mcp_http_addr and mcp_http_bind are in netbind.h. */

struct mcp_http_opts {
	const struct mcp_http_addr *addr; /* from mcp_http_bind; the fd is
	                                   * taken over (and closed when
	                                   * mcp_http_start fails) */
	const struct host_services *svc;  /* for /artifacts; may be NULL */
	const char *const *allow_origins; /* NULL-terminated; may be NULL */
	const char *const *allow_hosts;   /* NULL-terminated; may be NULL */
	const char *token;                /* bearer token, or NULL */
	/* OAuth resource server (mcp_oauth.h), the caller's, outliving the
	 * server; NULL: none. Exclusive with token. With it GET
	 * /.well-known/oauth-protected-resource[/mcp] is the RFC 9728
	 * metadata, open to all. */
	struct mcp_oauth *oauth;
	int stateless;
	size_t max_body;               /* 0: default */
	unsigned poll_threads;         /* 0: one per CPU */
	unsigned max_connections;      /* 0: default */
	unsigned connection_timeout_s; /* 0: default */
	unsigned session_idle_s;       /* 0: default */
	unsigned max_sessions;         /* 0: default */
	/* Per client address; loopback clients too. Over the connection
	 * cap a new connection is closed at once; over the session cap
	 * initialize gets 429 with Retry-After, unless the address has a
	 * session idle for a minute (then that one ends). */
	unsigned max_client_connections; /* 0: default */
	unsigned max_client_sessions;    /* 0: default */
	/* Seconds a new connection has to send complete request headers
	 * (a later request on it: connection_timeout_s), however slowly
	 * it trickles them. */
	unsigned header_timeout_s; /* 0: default */
};

struct mcp_http;

/*
 * [control] Open what serving over HTTP needs that the binary does not
 * link (libmicrohttpd, mhd_dl.h), once per process. SH_ERR_FAIL with a
 * message naming the library and the Debian package to install when it
 * cannot be had. mcp_http_start() does it too; a command calls it before
 * it opens the store or any skill, so a host without the library fails
 * at once, having done and left nothing.
 */
sh_status mcp_http_load(struct sh_error *e);

/* [control] Start serving srv. */
sh_status mcp_http_start(struct mcp_server *srv, const struct mcp_http_opts *o,
                         struct mcp_http **out, struct sh_error *e);

/* [control] Stop taking connections, let calls in flight finish for up to
 * drain_ms (then cancel them), end the event streams and sessions, and
 * free h. NULL is fine. */
void mcp_http_stop(struct mcp_http *h, int64_t drain_ms);

#endif /* SH_MCP_HTTP_H */
