/*
 * test_mcp_events.c - the per-session SSE event store (mcp_events.c):
 * ids name their stream, replay gives exactly the events of that stream
 * after the id, the count and byte bounds evict oldest first, an evicted
 * or never-issued or malformed id is unknown, an event too big to keep
 * turns a replay across it into a gap, end markers say a stream is over,
 * and a stream read to its end can be forgotten.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mcp_events.h"

struct got {
	char ids[64][MCP_EVENT_ID_MAX];
	char data[64][64];
	int n;
};

static void collect(void *ud, const char *id, const char *msg, size_t len)
{
	struct got *g = ud;

	assert_true(g->n < 64);
	snprintf(g->ids[g->n], sizeof g->ids[0], "%s", id);
	snprintf(g->data[g->n], sizeof g->data[0], "%.*s", (int)len, msg);
	g->n++;
}

static void add(struct mcp_events *ev, uint64_t stream, const char *msg,
                int last, char id[MCP_EVENT_ID_MAX])
{
	assert_int_equal(mcp_events_add(ev, stream, msg, msg ? strlen(msg) : 0,
	                                last, id),
	                 0);
}

static void test_ids_and_replay(void **state)
{
	struct mcp_events *ev = mcp_events_new(16, 4096);
	char prime[MCP_EVENT_ID_MAX], a1[MCP_EVENT_ID_MAX],
	        g1[MCP_EVENT_ID_MAX], a2[MCP_EVENT_ID_MAX],
	        b1[MCP_EVENT_ID_MAX], a3[MCP_EVENT_ID_MAX];
	uint64_t sa, sb, stream = 99;
	struct got g = {0};
	int ended = -1;

	(void)state;
	assert_non_null(ev);
	sa = mcp_events_stream(ev);
	sb = mcp_events_stream(ev);
	assert_true(sa != MCP_EVENTS_GET_STREAM && sb != sa &&
	            sb != MCP_EVENTS_GET_STREAM);
	add(ev, sa, NULL, 0, prime); /* the priming event: no data */
	add(ev, sa, "a1", 0, a1);
	add(ev, MCP_EVENTS_GET_STREAM, "g1", 0, g1);
	add(ev, sa, "a2", 0, a2);
	add(ev, sb, "b1", 0, b1);
	/* Ids are unique and name their stream. */
	assert_string_not_equal(a1, a2);
	assert_int_equal(strtoull(a1, NULL, 10), sa);
	assert_int_equal(strtoull(g1, NULL, 10), 0);
	assert_int_equal(strtoull(b1, NULL, 10), sb);

	/* From the priming event: all of stream a, nothing of the others,
	 * and the stream is not over. */
	assert_int_equal(
	        mcp_events_replay(ev, prime, collect, &g, &stream, &ended),
	        MCP_EVENTS_REPLAYED);
	assert_int_equal(stream, sa);
	assert_int_equal(ended, 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.data[0], "a1");
	assert_string_equal(g.ids[0], a1);
	assert_string_equal(g.data[1], "a2");
	assert_string_equal(g.ids[1], a2);

	/* From a1: only a2. The final message ends the stream. */
	add(ev, sa, "a3", 1, a3);
	memset(&g, 0, sizeof g);
	assert_int_equal(
	        mcp_events_replay(ev, a1, collect, &g, &stream, &ended),
	        MCP_EVENTS_REPLAYED);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.data[0], "a2");
	assert_string_equal(g.data[1], "a3");
	assert_int_equal(ended, 1);

	/* From the last event: nothing to send, and over. */
	memset(&g, 0, sizeof g);
	assert_int_equal(
	        mcp_events_replay(ev, a3, collect, &g, &stream, &ended),
	        MCP_EVENTS_REPLAYED);
	assert_int_equal(g.n, 0);
	assert_int_equal(ended, 1);

	/* The GET stream replays its own events only. */
	memset(&g, 0, sizeof g);
	add(ev, MCP_EVENTS_GET_STREAM, "g2", 0, a3);
	assert_int_equal(
	        mcp_events_replay(ev, g1, collect, &g, &stream, &ended),
	        MCP_EVENTS_REPLAYED);
	assert_int_equal(stream, MCP_EVENTS_GET_STREAM);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.data[0], "g2");
	mcp_events_free(ev);
}

static void test_unknown_ids(void **state)
{
	struct mcp_events *ev = mcp_events_new(16, 4096);
	char id[MCP_EVENT_ID_MAX], other[MCP_EVENT_ID_MAX];
	const char *bad[] = {"",     "7",
	                     "g7",   "1-",
	                     "-1",   "1--1",
	                     "01-1", "1-01",
	                     "1-1x", " 1-1",
	                     "1-+1", "1-999999",
	                     "2-1",  "99999999999999999999-1",
	                     "1-1 "};
	uint64_t stream;
	struct got g = {0};
	int ended;

	(void)state;
	assert_int_equal(mcp_events_stream(ev), 1);
	add(ev, 1, "x", 0, id);
	assert_string_equal(id, "1-1");
	add(ev, 1, "y", 0, other);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (mcp_events_replay(ev, bad[i], collect, &g, &stream,
		                      &ended) != MCP_EVENTS_UNKNOWN)
			fail_msg("\"%s\" was not unknown", bad[i]);
		assert_int_equal(g.n, 0);
	}
	assert_int_equal(
	        mcp_events_replay(ev, NULL, collect, &g, &stream, &ended),
	        MCP_EVENTS_UNKNOWN);
	/* The right seq under the wrong stream is not that event. */
	assert_int_equal(
	        mcp_events_replay(ev, "0-1", collect, &g, &stream, &ended),
	        MCP_EVENTS_UNKNOWN);
	assert_int_equal(
	        mcp_events_replay(ev, "1-1", collect, &g, &stream, &ended),
	        MCP_EVENTS_REPLAYED);
	assert_int_equal(g.n, 1);
	mcp_events_free(ev);
}

static void test_count_bound(void **state)
{
	struct mcp_events *ev = mcp_events_new(4, 1 << 20);
	char ids[10][MCP_EVENT_ID_MAX], msg[8];
	uint64_t stream;
	struct got g = {0};
	size_t count, bytes;
	int ended;

	(void)state;
	for (int i = 0; i < 10; i++) {
		snprintf(msg, sizeof msg, "m%d", i);
		add(ev, 3, msg, 0, ids[i]);
	}
	mcp_events_usage(ev, &count, &bytes);
	assert_int_equal(count, 4);
	assert_int_equal(bytes, 8); /* m6..m9 */
	/* Evicted: the client cannot be given a stream with a hole. */
	for (int i = 0; i < 6; i++)
		assert_int_equal(mcp_events_replay(ev, ids[i], collect, &g,
		                                   &stream, &ended),
		                 MCP_EVENTS_UNKNOWN);
	assert_int_equal(g.n, 0);
	assert_int_equal(
	        mcp_events_replay(ev, ids[6], collect, &g, &stream, &ended),
	        MCP_EVENTS_REPLAYED);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.data[0], "m7");
	assert_string_equal(g.data[2], "m9");
	mcp_events_free(ev);
}

static void test_byte_bound_and_gap(void **state)
{
	struct mcp_events *ev = mcp_events_new(64, 10);
	char a[MCP_EVENT_ID_MAX], b[MCP_EVENT_ID_MAX], c[MCP_EVENT_ID_MAX],
	        big[MCP_EVENT_ID_MAX], d[MCP_EVENT_ID_MAX], e[MCP_EVENT_ID_MAX];
	uint64_t stream;
	struct got g = {0};
	size_t count, bytes;
	int ended;

	(void)state;
	add(ev, 1, "aaaa", 0, a);
	add(ev, 1, "bbbb", 0, b);
	mcp_events_usage(ev, &count, &bytes);
	assert_int_equal(bytes, 8);
	/* 4 more bytes pass the 10-byte bound: the oldest leaves. */
	add(ev, 1, "cccc", 0, c);
	mcp_events_usage(ev, &count, &bytes);
	assert_int_equal(count, 2);
	assert_int_equal(bytes, 8);
	assert_int_equal(mcp_events_replay(ev, a, collect, &g, &stream, &ended),
	                 MCP_EVENTS_UNKNOWN);
	/* Too big for the store at all: not kept (and nothing evicted for
	 * it), and a replay across it is a gap, not a silent hole. */
	assert_int_equal(mcp_events_add(ev, 1, "0123456789x", 11, 0, big), -1);
	assert_true(big[0] != '\0');
	mcp_events_usage(ev, &count, &bytes);
	assert_int_equal(bytes, 8);
	add(ev, 2, "dd", 0, d); /* another stream is unaffected */
	assert_int_equal(mcp_events_replay(ev, b, collect, &g, &stream, &ended),
	                 MCP_EVENTS_GAP);
	assert_int_equal(g.n, 0);
	add(ev, 2, NULL, 1, e); /* the end marker of a stream */
	assert_int_equal(mcp_events_replay(ev, d, collect, &g, &stream, &ended),
	                 MCP_EVENTS_REPLAYED);
	assert_int_equal(g.n, 0); /* a marker is not sent */
	assert_int_equal(ended, 1);
	/* A client that got the big event live may resume after it. */
	add(ev, 1, "ee", 0, e);
	assert_int_equal(
	        mcp_events_replay(ev, big, collect, &g, &stream, &ended),
	        MCP_EVENTS_REPLAYED);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.data[0], "ee");
	mcp_events_free(ev);
}

/* The ring grows on demand (16, 32, 64 slots...) and keeps its order
 * across growth and wrap-around. */
static void test_growth(void **state)
{
	struct mcp_events *ev = mcp_events_new(40, 1 << 20);
	char ids[60][MCP_EVENT_ID_MAX], msg[8];
	uint64_t stream;
	struct got g = {0};
	size_t count, bytes;
	int ended;

	(void)state;
	mcp_events_usage(ev, &count, &bytes);
	assert_int_equal(count, 0);
	for (int i = 0; i < 60; i++) {
		snprintf(msg, sizeof msg, "e%d", i);
		add(ev, 1 + (uint64_t)(i % 2), msg, 0, ids[i]);
	}
	mcp_events_usage(ev, &count, &bytes);
	assert_int_equal(count, 40); /* 20..59 */
	assert_int_equal(
	        mcp_events_replay(ev, ids[19], collect, &g, &stream, &ended),
	        MCP_EVENTS_UNKNOWN);
	assert_int_equal(
	        mcp_events_replay(ev, ids[20], collect, &g, &stream, &ended),
	        MCP_EVENTS_REPLAYED);
	assert_int_equal(g.n, 19); /* 22, 24, ..., 58 */
	assert_string_equal(g.data[0], "e22");
	assert_string_equal(g.data[18], "e58");
	mcp_events_free(ev);
}

static void test_forget(void **state)
{
	struct mcp_events *ev = mcp_events_new(16, 4096);
	char a1[MCP_EVENT_ID_MAX], a2[MCP_EVENT_ID_MAX], b1[MCP_EVENT_ID_MAX],
	        b2[MCP_EVENT_ID_MAX];
	uint64_t stream;
	struct got g = {0};
	size_t count, bytes;
	int ended;

	(void)state;
	add(ev, 1, "aaaa", 0, a1);
	add(ev, 2, "bb", 0, b1);
	add(ev, 1, "aaaa", 1, a2);
	add(ev, 2, "bb", 0, b2);
	mcp_events_forget(ev, 1);
	mcp_events_usage(ev, &count, &bytes);
	assert_int_equal(bytes, 4); /* only stream 2's */
	assert_int_equal(
	        mcp_events_replay(ev, a1, collect, &g, &stream, &ended),
	        MCP_EVENTS_UNKNOWN);
	assert_int_equal(
	        mcp_events_replay(ev, b1, collect, &g, &stream, &ended),
	        MCP_EVENTS_REPLAYED);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ids[0], b2);
	mcp_events_free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ids_and_replay),
	        cmocka_unit_test(test_unknown_ids),
	        cmocka_unit_test(test_count_bound),
	        cmocka_unit_test(test_byte_bound_and_gap),
	        cmocka_unit_test(test_forget),
	        cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
