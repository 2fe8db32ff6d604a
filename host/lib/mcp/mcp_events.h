/*
 * mcp_events.h - a bounded store of the SSE events of one MCP session, so
 * that a client whose stream dropped can resume it (Streamable HTTP,
 * 2025-03-26 and later: GET with Last-Event-ID).
 *
 * Every event of a session goes through its store, which gives it an id
 * that names its stream ("<stream>-<seq>"; stream 0 is the session's GET
 * stream, each POST stream gets its own number) and keeps a copy. Events
 * leave oldest first when the store is over its count or byte bound, so a
 * session costs at most those bounds; a client resuming from an event that
 * has left is told it is unknown rather than given a stream with a hole.
 * An event with no data marks a point a client may resume from (the
 * priming event) or, with last set, the end of a stream that had no final
 * message (a call cancelled without a response).
 *
 * Threads: every function is [thread-safe] (one mutex per store; the
 * replay callback runs under it, so it must not call back into the store).
 */
#ifndef SH_MCP_EVENTS_H
#define SH_MCP_EVENTS_H

#include <stddef.h>
#include <stdint.h>

/* The bounds of one session's store: about a few long calls' worth of
 * progress plus their results, while 10,000 idle sessions cannot hold
 * more than their count bound of small events each. */
#define MCP_EVENTS_MAX_COUNT 1024
#define MCP_EVENTS_MAX_BYTES ((size_t)8 * 1024 * 1024)
/* "<stream>-<seq>", both decimal uint64, and the NUL. */
#define MCP_EVENT_ID_MAX 48
/* The stream number of a session's GET stream. */
#define MCP_EVENTS_GET_STREAM 0

struct mcp_events;

enum mcp_events_replay {
	MCP_EVENTS_REPLAYED, /* the events after the id were replayed */
	MCP_EVENTS_UNKNOWN,  /* malformed, never issued, or already evicted */
	MCP_EVENTS_GAP       /* an event after the id was too big to keep */
};

/* Create a store bounded by max_count events and max_bytes bytes of event
 * data (0: the defaults above). NULL when out of memory. */
struct mcp_events *mcp_events_new(size_t max_count, size_t max_bytes);

/* Free the store and every event in it. NULL is fine. */
void mcp_events_free(struct mcp_events *ev);

/* A new stream number, never MCP_EVENTS_GET_STREAM, unique in ev. */
uint64_t mcp_events_stream(struct mcp_events *ev);

/*
 * Record one event of stream: a copy of msg[0..len) (msg may be NULL when
 * len is 0: a resumption point, or the end marker with last set). last
 * says the stream ends with it. Writes the event's id into id (always,
 * even when the event cannot be kept: it is then too big for the store,
 * or memory ran out, and a later replay across it reports
 * MCP_EVENTS_GAP). Returns 0 when kept, -1 when not.
 */
int mcp_events_add(struct mcp_events *ev, uint64_t stream, const char *msg,
                   size_t len, int last, char id[MCP_EVENT_ID_MAX]);

/*
 * Replay the events of the stream that last_id belongs to, after it, in
 * order: emit(ud, id, msg, len) for each one with data (the borrowed
 * msg is valid during the call only). Sets *stream to that stream and
 * *ended to 1 when the stream's last event is among those kept at or
 * after last_id (nothing more will come), else 0. Nothing is emitted
 * unless the result is MCP_EVENTS_REPLAYED.
 */
enum mcp_events_replay mcp_events_replay(
        struct mcp_events *ev, const char *last_id,
        void (*emit)(void *ud, const char *id, const char *msg, size_t len),
        void *ud, uint64_t *stream, int *ended);

/* Forget the data of stream's events: its client has read all of it
 * (the response completed), so nobody will resume it. Frees their bytes
 * at once; a later replay from one of them is MCP_EVENTS_UNKNOWN. */
void mcp_events_forget(struct mcp_events *ev, uint64_t stream);

/* Events and bytes kept now, for tests and metrics. */
void mcp_events_usage(struct mcp_events *ev, size_t *count, size_t *bytes);

#endif /* SH_MCP_EVENTS_H */
