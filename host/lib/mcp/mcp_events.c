/*
 * mcp_events.c - the bounded per-session SSE event store. See
 * mcp_events.h.
 *
 * A ring of events in the order they were recorded; sequence numbers
 * grow by one per event, whatever its stream, so the ring is sorted by
 * them and an event that has left can be told from one never issued.
 * Eviction is oldest first, so when the event a client resumes from is
 * still kept, every later event of its stream is too: a replay never has
 * a silent hole. An event too big for the store leaves a zero-byte
 * placeholder instead, which turns a replay across it into
 * MCP_EVENTS_GAP.
 */
#include "mcp_events.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct event {
	uint64_t stream;
	uint64_t seq;
	char *data; /* NULL for a marker or a placeholder */
	size_t len;
	unsigned char last;      /* the stream ends here */
	unsigned char lost;      /* its data could not be kept */
	unsigned char forgotten; /* its stream was read to the end */
};

struct mcp_events {
	pthread_mutex_t lock;
	/* cap slots, grown on demand up to max_count: most sessions never
	 * hold an event, and must not pay for a thousand slots each. */
	struct event *ring;
	size_t cap;
	size_t max_count, max_bytes;
	size_t head; /* oldest */
	size_t count;
	size_t bytes;
	uint64_t next_seq;    /* of the next event; starts at 1 */
	uint64_t next_stream; /* starts at 1: 0 is the GET stream */
};

struct mcp_events *mcp_events_new(size_t max_count, size_t max_bytes)
{
	struct mcp_events *ev = calloc(1, sizeof *ev);

	if (!ev)
		return NULL;
	ev->max_count = max_count ? max_count : MCP_EVENTS_MAX_COUNT;
	ev->max_bytes = max_bytes ? max_bytes : MCP_EVENTS_MAX_BYTES;
	ev->next_seq = 1;
	ev->next_stream = 1;
	pthread_mutex_init(&ev->lock, NULL);
	return ev;
}

void mcp_events_free(struct mcp_events *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < ev->count; i++)
		free(ev->ring[(ev->head + i) % ev->cap].data);
	free(ev->ring);
	pthread_mutex_destroy(&ev->lock);
	free(ev);
}

uint64_t mcp_events_stream(struct mcp_events *ev)
{
	uint64_t s;

	pthread_mutex_lock(&ev->lock);
	s = ev->next_stream++;
	pthread_mutex_unlock(&ev->lock);
	return s;
}

/* Double the ring (from 16, up to max_count), oldest event first. 0 when
 * done, -1 when out of memory. Caller holds ev->lock. */
static int grow(struct mcp_events *ev)
{
	size_t cap = ev->cap ? ev->cap * 2 : 16;
	struct event *ring;

	if (cap > ev->max_count)
		cap = ev->max_count;
	ring = calloc(cap, sizeof *ring);
	if (!ring)
		return -1;
	for (size_t i = 0; i < ev->count; i++)
		ring[i] = ev->ring[(ev->head + i) % ev->cap];
	free(ev->ring);
	ev->ring = ring;
	ev->cap = cap;
	ev->head = 0;
	return 0;
}

/* Drop the oldest event. Caller holds ev->lock; ev->count > 0. */
static void evict_oldest(struct mcp_events *ev)
{
	struct event *o = &ev->ring[ev->head];

	ev->bytes -= o->len;
	free(o->data);
	memset(o, 0, sizeof *o);
	ev->head = (ev->head + 1) % ev->cap;
	ev->count--;
}

int mcp_events_add(struct mcp_events *ev, uint64_t stream, const char *msg,
                   size_t len, int last, char id[MCP_EVENT_ID_MAX])
{
	struct event *e;
	char *copy = NULL;
	int kept = 1;

	if (len > ev->max_bytes) {
		kept = 0;
	} else if (len) {
		copy = malloc(len);
		if (copy)
			memcpy(copy, msg, len);
		else
			kept = 0;
	}
	pthread_mutex_lock(&ev->lock);
	if (kept)
		while (ev->count && ev->bytes + len > ev->max_bytes)
			evict_oldest(ev);
	if (ev->count == ev->cap && (ev->cap == ev->max_count || grow(ev)) &&
	    ev->count)
		evict_oldest(ev);
	if (!ev->cap) {
		/* Out of memory before the first event: the id is issued,
		 * the event not kept (a resumption from before it is
		 * refused as unknown, never given a hole). */
		snprintf(id, MCP_EVENT_ID_MAX, "%" PRIu64 "-%" PRIu64, stream,
		         ev->next_seq++);
		pthread_mutex_unlock(&ev->lock);
		free(copy);
		return -1;
	}
	e = &ev->ring[(ev->head + ev->count) % ev->cap];
	e->stream = stream;
	e->seq = ev->next_seq++;
	e->data = copy;
	e->len = kept ? len : 0;
	e->last = last != 0;
	e->lost = !kept;
	ev->count++;
	ev->bytes += e->len;
	snprintf(id, MCP_EVENT_ID_MAX, "%" PRIu64 "-%" PRIu64, stream, e->seq);
	pthread_mutex_unlock(&ev->lock);
	return kept ? 0 : -1;
}

/* Parse "<stream>-<seq>" strictly: decimal digits only, no sign, no
 * spaces, no leading zeros but a lone 0. */
static int parse_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return 0;
}

static int parse_id(const char *id, uint64_t *stream, uint64_t *seq)
{
	if (!id || strlen(id) >= MCP_EVENT_ID_MAX || parse_u64(&id, stream) ||
	    *id++ != '-' || parse_u64(&id, seq) || *id)
		return -1;
	return 0;
}

enum mcp_events_replay mcp_events_replay(
        struct mcp_events *ev, const char *last_id,
        void (*emit)(void *ud, const char *id, const char *msg, size_t len),
        void *ud, uint64_t *stream, int *ended)
{
	uint64_t want_stream, want_seq;
	size_t at = 0, i;
	int found = 0;
	char id[MCP_EVENT_ID_MAX];

	*ended = 0;
	if (parse_id(last_id, &want_stream, &want_seq))
		return MCP_EVENTS_UNKNOWN;
	*stream = want_stream;
	pthread_mutex_lock(&ev->lock);
	/* Sorted by seq: the event is at a known offset from the oldest. */
	if (ev->count && want_seq >= ev->ring[ev->head].seq) {
		at = (size_t)(want_seq - ev->ring[ev->head].seq);
		const struct event *e = &ev->ring[(ev->head + at) % ev->cap];
		found = at < ev->count && e->stream == want_stream &&
		        !e->forgotten;
	}
	if (!found) {
		pthread_mutex_unlock(&ev->lock);
		return MCP_EVENTS_UNKNOWN;
	}
	for (i = at + 1; i < ev->count; i++) {
		const struct event *e = &ev->ring[(ev->head + i) % ev->cap];
		if (e->stream == want_stream && e->lost) {
			pthread_mutex_unlock(&ev->lock);
			return MCP_EVENTS_GAP;
		}
	}
	for (i = at; i < ev->count; i++) {
		const struct event *e = &ev->ring[(ev->head + i) % ev->cap];
		if (e->stream != want_stream)
			continue;
		if (i > at && e->len) {
			snprintf(id, sizeof id, "%" PRIu64 "-%" PRIu64,
			         e->stream, e->seq);
			emit(ud, id, e->data, e->len);
		}
		if (e->last)
			*ended = 1;
	}
	pthread_mutex_unlock(&ev->lock);
	return MCP_EVENTS_REPLAYED;
}

void mcp_events_forget(struct mcp_events *ev, uint64_t stream)
{
	pthread_mutex_lock(&ev->lock);
	for (size_t i = 0; i < ev->count; i++) {
		struct event *e = &ev->ring[(ev->head + i) % ev->cap];
		if (e->stream != stream)
			continue;
		ev->bytes -= e->len;
		free(e->data);
		e->data = NULL;
		e->len = 0;
		e->forgotten = 1;
	}
	pthread_mutex_unlock(&ev->lock);
}

void mcp_events_usage(struct mcp_events *ev, size_t *count, size_t *bytes)
{
	pthread_mutex_lock(&ev->lock);
	*count = ev->count;
	*bytes = ev->bytes;
	pthread_mutex_unlock(&ev->lock);
}
