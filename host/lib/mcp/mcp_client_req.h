/*
 * mcp_client_req.h - server-to-client requests of one MCP session
 * (elicitation/create, sampling/createMessage): ids, and matching the
 * client's responses to the calls waiting for them.
 *
 *   q = mcp_creqs_new()                       one per session
 *   r = mcp_creq_begin(q, id)                 id for the request to send
 *   ... send {"id": id, "method": ...} to the client ...
 *   mcp_creq_wait(q, r, deadline, cancel, &result, ...)   the call's thread
 *   mcp_creqs_deliver(q, msg)                 the client's response arrives
 *   mcp_creqs_close(q); mcp_creqs_free(q)     the session ends
 *
 * Ids are strings ("skillhost-<n>"), so they cannot collide with the
 * client's own request ids in logs, and a response naming no pending
 * request (late, repeated, forged) is ignored. Every function is
 * [thread-safe].
 */
#ifndef SH_MCP_CLIENT_REQ_H
#define SH_MCP_CLIENT_REQ_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <skill/status.h>

#include "jsonrpc.h"

struct cJSON;
struct mcp_creqs;
struct mcp_creq;

/* How often a wait looks at the call's cancel flag (which has no
 * condition variable of its own). */
#define MCP_CREQ_POLL_MS 50
/* Requests one session may have waiting at once: each holds a call. */
#define MCP_CREQ_MAX 256

enum mcp_creq_end {
	MCP_CREQ_ANSWERED,  /* a result: *result is set */
	MCP_CREQ_ERROR,     /* the client answered with a JSON-RPC error */
	MCP_CREQ_TIMEOUT,   /* the deadline passed */
	MCP_CREQ_CANCELLED, /* *cancel became non-zero */
	MCP_CREQ_CLOSED     /* the session ended */
};

/* NULL when out of memory. */
struct mcp_creqs *mcp_creqs_new(void);

/* Free q; no wait may be in progress (close first). NULL is fine. */
void mcp_creqs_free(struct mcp_creqs *q);

/* Register a request and write its id (JSON text, with quotes) into id.
 * NULL when q is closed, full (MCP_CREQ_MAX), or out of memory. */
struct mcp_creq *mcp_creq_begin(struct mcp_creqs *q,
                                char id[JSONRPC_ID_TEXT_MAX + 1]);

/*
 * Wait for r's response until deadline_ns (CLOCK_MONOTONIC, as
 * call_now_ns; 0: none) or until *cancel (may be NULL) is set, then forget
 * r (freed: do not use it again). On MCP_CREQ_ANSWERED *result is the
 * response's result (the caller owns it); on MCP_CREQ_ERROR msg holds the
 * client's error message and *code its code.
 */
enum mcp_creq_end mcp_creq_wait(struct mcp_creqs *q, struct mcp_creq *r,
                                int64_t deadline_ns, atomic_int *cancel,
                                struct cJSON **result, int *code, char *msg,
                                size_t cap);

/* A response from the client: hand it to the request it answers. m's
 * result is taken when it matches. Returns 1 when it matched a pending
 * request, 0 when not (to be ignored). */
int mcp_creqs_deliver(struct mcp_creqs *q, struct jsonrpc_msg *m);

/* The session ended: every wait returns MCP_CREQ_CLOSED, and begin
 * fails from now on. */
void mcp_creqs_close(struct mcp_creqs *q);

/*
 * The whole exchange for a call's thread: send the request {method,
 * params (consumed)} through send(ud, msg, len, 0) (the call's reply
 * target: its SSE stream, or stdout), wait as mcp_creq_wait does, and
 * when the wait ends without an answer tell the client with
 * notifications/cancelled. Maps the end to a skill status, with why
 * (cap bytes) saying what happened and what to do: SKILL_OK with *result,
 * SKILL_ERR_DENIED for the client's error, SKILL_ERR_TIMEOUT,
 * SKILL_ERR_CANCELLED (also when the session ended), SKILL_ERR_NOMEM.
 */
skill_status
mcp_creq_ask(struct mcp_creqs *q,
             void (*send)(void *ud, char *msg, size_t len, int final), void *ud,
             const char *method, struct cJSON *params, int64_t deadline_ns,
             atomic_int *cancel, struct cJSON **result, char *why, size_t cap);

/* Requests waiting now. */
size_t mcp_creqs_pending(struct mcp_creqs *q);

#endif /* SH_MCP_CLIENT_REQ_H */
