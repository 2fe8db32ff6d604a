/*
 * mcp_server.h - the MCP session logic, independent of the transport.
 *
 * A server serves the tools of one runtime. A transport (mcp_stdio.c,
 * mcp_http.c, a test) opens a session per client and feeds it the
 * client's messages one at a time; everything that answers a message goes
 * back through the struct mcp_reply given with it:
 *
 *   srv = mcp_server_new(&opts)          one per runtime
 *   s = mcp_session_new(srv, &notify)    one per client
 *   mcp_session_receive(s, text, len, &reply)   per message
 *   mcp_session_close(s)                 client gone
 *   mcp_server_drain(srv, ms); mcp_server_free(srv)
 *
 * Supported (MCP 2025-11-25; 2025-06-18, 2025-03-26 and 2024-11-05 are
 * accepted too, and an unknown version is answered with the latest;
 * JSON-RPC batches only on 2025-03-26 sessions, as that revision
 * requires, through mcp_session_receive): initialize,
 * notifications/initialized, ping, tools/list with opaque cursors,
 * tools/call with progress (_meta.progressToken) and log messages
 * (notifications/message, filtered by logging/setLevel),
 * notifications/cancelled, and notifications/tools/list_changed when the
 * runtime's catalog changes. Resources (artifacts and skill.resources/1),
 * prompts (skill.prompts/1) and completion/complete are answered by
 * mcp_resources.c and mcp_prompts.c.
 *
 * Threads. tools/call runs on the server's worker pool, so a long call
 * never holds up pings or cancellations (unless the transport says its
 * thread may block and the call is predicted quick: mcp_reply.may_block);
 * everything else is answered on the calling thread before
 * mcp_session_receive returns. Catalogs are never
 * kept: each listing and each call holds a runtime_acquire() reference for
 * its own duration only, so a reload swaps catalogs under a live server.
 *
 * Ownership. The runtime is borrowed and must outlive the server; since a
 * runtime cannot forget a watcher, do not call runtime_reload once
 * mcp_server_free has started. A session is reference-counted: calls in
 * flight keep it (and the reply targets they were given) alive after
 * mcp_session_close until they return.
 */
#ifndef SH_MCP_SERVER_H
#define SH_MCP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "jsonrpc.h"
#include "mcp_oauth.h"
#include "status.h"

struct runtime;
struct principal;
struct profile;
struct profile_set;
struct ratelimit;
struct mcp_server;
struct mcp_session;

#define MCP_VERSION_LATEST "2025-11-25"
/* Tools per tools/list page unless told otherwise, and the most allowed. */
/* Clients that ignore nextCursor (the Inspector, some IDEs) see only the
 * first page, so one page holds a typical catalog. */
#define MCP_PAGE_SIZE_DEFAULT 1000
#define MCP_PAGE_SIZE_MAX     10000
/* Call workers unless told otherwise, and the most allowed. */
#define MCP_THREADS_DEFAULT 32
#define MCP_THREADS_MAX     256
/* Calls waiting for a worker before new ones are refused as busy. */
#define MCP_QUEUE_MAX 4096
/* The _meta keys on notifications/progress and notifications/message
 * from a tool call: the skill ("acme/weather") and the tool's name as this
 * server lists it (portable, or dotted with canonical names). */
#define MCP_META_SKILL "dev.skillhost/skill"
#define MCP_META_TOOL  "dev.skillhost/tool"

struct mcp_server_opts {
	struct runtime *rt; /* borrowed; sealed */
	size_t page_size;   /* 0: MCP_PAGE_SIZE_DEFAULT */
	unsigned threads;   /* call workers at most (about two per CPU
	                     * run at once, mcp_pool.h); 0:
	                     * MCP_THREADS_DEFAULT */
	/* Tool names as "ns.skill.tool" (serve --tool-names canonical)
	 * instead of the portable names (names.h) every client accepts. */
	int canonical_names;
	int stateless; /* no state outlives a request (HTTP
	                * --stateless): no list_changed */
	/* The host-wide call deadline for this server, below a skill's own
	 * `timeout`; 0: the host config's, else CONFIG_TIMEOUT_DEFAULT_MS. */
	int64_t call_timeout_ms;
	const char *instructions; /* optional, for initialize */
	/* Deferred listing behind a search tool (mcp_toolsearch.h):
	 * MCP_TS_OFF (0), MCP_TS_ON, or MCP_TS_AUTO above the threshold
	 * (0: MCP_TOOLSEARCH_THRESHOLD); core_tools, comma-separated
	 * canonical names always listed, may be NULL. */
	int tool_search;
	size_t tool_search_threshold;
	const char *core_tools;
	/* Profiles (profile.h), all borrowed and outliving the server:
	 * profile, when set, is every session's tool subset (serve
	 * --profile); profiles, when set, maps a principal given to
	 * mcp_session_set_principal to its own (falling back to profile).
	 * A tool outside a session's profile is neither listed nor
	 * callable: a call is refused exactly as an unknown tool. */
	const struct profile_set *profiles;
	const struct profile *profile;
	/* Call limits (ratelimit.h), borrowed, or NULL for none. A refused
	 * call is a JSON-RPC error MCP_ERR_LIMITED whose data carries
	 * retryAfter (whole seconds) and the limit's name. */
	struct ratelimit *limits;
};

/* The JSON-RPC error code of a call refused by a limit. */
#define MCP_ERR_LIMITED (-32029)

/*
 * Where the messages answering one client message go. send() receives each
 * message that belongs to it (progress and log notifications of a call,
 * final == 0), then exactly once final == 1 with the response, or with
 * msg NULL when there is none (a notification, a client's response, a call
 * the client cancelled). msg is a malloc'd JSON text without a newline,
 * owned by send() from then on. [thread-safe]: it may be called on a worker
 * thread after mcp_session_receive has returned.
 */
struct mcp_reply {
	void (*send)(void *ud, char *msg, size_t len, int final);
	void *ud;
	/* [transport] 1 when nothing but this message's sender waits on the
	 * thread delivering it, so that a quick tools/call may run there,
	 * before mcp_session_receive returns, instead of waking a call
	 * thread: a hand-off each way is most of a quick call's latency.
	 * The server does so only for a tool whose recent calls were quick
	 * and quiet, without a progressToken, on a session that cannot be
	 * asked anything (no elicitation or sampling), so nothing the call
	 * does waits on the client. 0 (the default) never. */
	int may_block;
};

/* Where a session's unsolicited notifications go (list_changed). Same
 * contract as mcp_reply.send, always final == 0. */
struct mcp_notify {
	void (*send)(void *ud, char *msg, size_t len, int final);
	void *ud;
};

enum mcp_rx {
	MCP_RX_DONE,   /* the final reply was sent before returning */
	MCP_RX_PENDING /* it will come from a worker thread */
};

/* [control] Create a server for o->rt: starts the workers and watches the
 * runtime for catalog changes. */
sh_status mcp_server_new(const struct mcp_server_opts *o,
                         struct mcp_server **out, struct sh_error *e);

/* [thread-safe] Calls queued or running. */
size_t mcp_server_calls(struct mcp_server *srv);

/* [control] Refuse new calls, wait up to timeout_ms for those in flight,
 * then cancel the rest and wait for them to return. */
void mcp_server_drain(struct mcp_server *srv, int64_t timeout_ms);

/* [control] Stop the workers and free the server. Every session must be
 * closed; calls still queued are cancelled. NULL is fine. */
void mcp_server_free(struct mcp_server *srv);

/* Session flags. */
#define MCP_SESSION_STATELESS 1 /* already initialized (stateless HTTP) */

/*
 * [thread-safe] Open a session. notify (may be NULL) receives its
 * unsolicited notifications until mcp_session_close. With
 * MCP_SESSION_STATELESS the session needs no initialize and speaks
 * version (NULL: 2025-03-26, as a client without the header means).
 */
sh_status mcp_session_new(struct mcp_server *srv,
                          const struct mcp_notify *notify, int flags,
                          const char *version, struct mcp_session **out,
                          struct sh_error *e);

#define MCP_SESSION_LABEL_MAX 48
#define MCP_CLIENT_NAME_MAX   96

/* [thread-safe] Name the session in audit records (e.g. "stdio", or the
 * first characters of an HTTP session id: never the whole id, which
 * works as a credential). Copied. */
void mcp_session_set_label(struct mcp_session *s, const char *label);

/* Longest principal key kept (the token's sub, else its client id). */
#define MCP_PRINCIPAL_MAX 128

/* [thread-safe] Say who the session's client is (mcp_session_set_principal
 * calls it with the verified token's claims, before the first message
 * is handled): its key for the limits, and its profile from the server's
 * claim mapping (else the server's profile). who NULL: anonymous. */
void mcp_session_set_caller(struct mcp_session *s, const struct principal *who);

/* [thread-safe] The session's profile, or NULL for every tool. */
const struct profile *mcp_session_profile(struct mcp_session *s);

/* [thread-safe] Who the session acts for (an OAuth token's principal,
 * mcp_oauth.h), for the audit log, profiles and limits: set by the HTTP
 * transport when a token opened the session (or, stateless, on each
 * request). Copied. mcp_session_principal copies it into *out and returns
 * 1, or returns 0 when none was set. */
void mcp_session_set_principal(struct mcp_session *s,
                               const struct mcp_principal *p);
int mcp_session_principal(struct mcp_session *s, struct mcp_principal *out);

/*
 * [thread-safe] Handle one message from the client: text[0..len) (need
 * not be NUL-terminated), or an already parsed message (consumed).
 * Malformed messages are answered with the JSON-RPC error they deserve.
 */
enum mcp_rx mcp_session_receive(struct mcp_session *s, const char *text,
                                size_t len, const struct mcp_reply *r);
enum mcp_rx mcp_session_handle(struct mcp_session *s, struct jsonrpc_msg *m,
                               const struct mcp_reply *r);

/* [thread-safe] 1 once initialize has been answered successfully. */
int mcp_session_initialized(struct mcp_session *s);

/* [thread-safe] The negotiated protocol version. */
const char *mcp_session_version(struct mcp_session *s);

/* [thread-safe] Cancel the session's calls, stop its notifications and
 * drop the caller's reference. NULL is fine. A closed session still
 * answers messages, but refuses calls. */
void mcp_session_close(struct mcp_session *s);

/* [thread-safe] The client behind reply target reply_ud has gone (an HTTP
 * connection closed mid-call): cancel the calls of s that would answer
 * through it, sending them no response. The isolated executor kills a
 * worker that does not stop within its grace. Other calls of s go on. */
void mcp_session_cancel_reply(struct mcp_session *s, const void *reply_ud);

/* [thread-safe] 1 when a call of s made artifact id (its file name, as in
 * skillhost://artifacts/<id> and /artifacts/<id>): what the HTTP download
 * is scoped to. */
int mcp_session_has_artifact(struct mcp_session *s, const char *id);

/* [thread-safe] Take and drop a reference, for a transport that may still
 * hand a session messages while another thread closes it. */
void mcp_session_ref(struct mcp_session *s);
void mcp_session_unref(struct mcp_session *s);

/* 1 when v is a protocol version this server speaks. */
int mcp_version_supported(const char *v);

#endif /* SH_MCP_SERVER_H */
