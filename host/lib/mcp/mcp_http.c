/*
 * mcp_http.c - MCP Streamable HTTP on libmicrohttpd. See mcp_http.h.
 *
 * One struct exchange per HTTP request. It is reference-counted, because
 * up to four parties hold it at once: libmicrohttpd until the request
 * completes, the MCP reply until its final message, a streaming response
 * object until libmicrohttpd destroys it, and a session while it is that
 * session's GET stream. Its lock guards what a worker thread and the I/O
 * thread share: the answer so far and whether the connection is
 * suspended. A connection is suspended only under that lock and resumed
 * only under it, so a wake-up is never lost. A quick call on a connection
 * alone on its I/O thread is run by that thread and never suspended
 * (run_here): the reply is complete when mcp_session_receive returns.
 *
 * Lock order: h->tlock -> hs->glock -> x->lock, and the MCP server's locks
 * before all of them (list_changed arrives holding them). Nothing is
 * freed while holding a lock.
 */
#include "mcp_http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "artifacts.h"
#include "call.h"
#include "dynbuf.h"
#include "hostlog.h"
#include "hostapi.h"
#include "jsonrpc.h"
#include "mcp_events.h"
#include "mcp_oauth.h"
#include "metrics.h"
#include "mhd_dl.h" /* MHD_* calls go through its table */
#include "strhash.h"

#define HTTP_SESSION_BUCKETS  1024
#define HTTP_SESSION_ID_BYTES 32
#define HTTP_SESSION_ID_LEN   ((size_t)HTTP_SESSION_ID_BYTES * 2)
#define HTTP_KEEPALIVE_S      15    /* comment line on idle event streams */
#define HTTP_SSE_BLOCK        16384 /* bytes per streaming read */
#define HTTP_SSE_RETRY_MS     2000  /* advised reconnection delay */
/* Unsent notifications one stream may hold before more are dropped: a
 * client that stops reading must not grow the server without bound. The
 * final response is always kept. */
#define HTTP_STREAM_BUFFER_MAX ((size_t)16 * 1024 * 1024)
/* The most a stream's buffer may hold at all: the notifications above,
 * plus the final response, whose content (at most CALL_RESULT_MAX bytes)
 * JSON escaping can grow up to 6-fold ("\u001f"), plus its envelope. */
#define HTTP_STREAM_OUT_MAX                                                    \
	((size_t)HTTP_STREAM_BUFFER_MAX + 8 * (size_t)CALL_RESULT_MAX)
#define HTTP_STOP_WAIT_MS      3000 /* for streams to flush at shutdown */
#define HTTP_ORIGIN_MAX        256
#define HTTP_CONTENT_TOO_LARGE 413
/* How often suspended calls are checked for a client that hung up: with
 * the isolated executor's grace, its worker is gone well within 1 s. */
#define HTTP_WATCH_MS 200
/* Hung-up calls handled per check; the rest wait for the next one. */
#define HTTP_WATCH_BATCH       256
#define HTTP_TOO_MANY_REQUESTS 429
#define HTTP_CLIENT_BUCKETS    256
#define HTTP_ADDR_LEN          64 /* a printed IPv6 address, and more */
/* An address at its session cap may take over its own session idle this
 * long (or half the idle timeout, when shorter): a client that restarts
 * without DELETE keeps working, while a flood gets 429. */
#define HTTP_SESSION_GRACE_S 60
/* A call whose event stream dropped keeps running this long for its
 * client to resume the stream (GET with Last-Event-ID) before it is
 * cancelled: a disconnection is not a cancellation (Streamable HTTP), but
 * a client that never comes back must not hold a pool slot until the
 * deadline. Covers the SDKs' reconnection back-off (1 s, then 1.5 s...). */
#define HTTP_RESUME_GRACE_MS 15000
/* A call in a session still unanswered after this long turns its answer
 * into an event stream with a priming event, so its client has an id to
 * resume from should the connection drop; quicker calls keep their plain
 * JSON answer. */
#define HTTP_PRIME_AFTER_MS 1000

enum xkind { X_POST, X_GET, X_OTHER };
enum xstate { S_BODY, S_WAITING, S_QUEUED };
enum xmode { M_NONE, M_JSON, M_SSE };

struct http_session;
struct http_client;

/* One TCP connection, from libmicrohttpd's connection notifications. */
struct http_conn {
	struct http_conn *prev, *next; /* h->conns, under h->clock */
	unsigned slot; /* its I/O thread's in h->io_conns (io_slot), or
	                * MCP_HTTP_POLL_THREADS_MAX: not counted */
	MHD_socket fd;
	/* Complete request headers are due by then (CLOCK_MONOTONIC ms); 0
	 * while a request is being answered. */
	atomic_llong deadline_ms;
	int shut; /* under h->clock */
};

struct exchange {
	struct mcp_http *h;
	struct MHD_Connection *conn;
	pthread_mutex_t lock;
	int refs; /* under lock */
	enum xkind kind;
	enum xstate state; /* the I/O thread's own */
	char *body;        /* the request body, growing */
	size_t len, cap;
	int too_big;
	/* The answer, under lock. */
	enum xmode mode;
	int final; /* nothing more will be added */
	int suspended;
	int gone;    /* the request completed */
	int dropped; /* notifications were dropped */
	int aborted; /* the client hung up mid-call; its call was cancelled */
	int here;    /* its call runs on the I/O thread now (run_here) */
	char *json;  /* M_JSON: the body, or NULL for 202 */
	size_t json_len;
	struct dynbuf out;     /* M_SSE: what is to be read, from out_off */
	size_t out_off;        /* bytes of out already read */
	atomic_ullong own_seq; /* event ids without a session */
	/* Resumable streams (stateful sessions). A POST's stream number is
	 * set when it turns into an event stream, a resuming GET's is the
	 * stream it carries; 0 otherwise (the GET stream's own number). */
	uint64_t stream;
	struct exchange *resumer;       /* POST: the GET now carrying its
	                                 * stream (a reference); hs->glock */
	struct exchange *pprev, *pnext; /* hs->posts; under hs->glock */
	int in_posts;                   /* under hs->glock */
	int done;                       /* the final reply came; under lock */
	struct mcp_principal who; /* from the OAuth token; empty without */
	int resumed;              /* a resumer carries it; under lock */
	int64_t orphan_ms; /* its connection went before the reply did, at
	                    * this time; 0 if not (under lock) */
	int64_t start_ms;  /* POST: handed to the session (before sharing) */
	/* Set up by the I/O thread before any sharing. */
	struct http_session *hs;       /* a reference and a use, or NULL */
	struct mcp_session *ms;        /* a reference, or NULL */
	struct mcp_session *transient; /* stateless: closed when freed */
	char set_session[HTTP_SESSION_ID_LEN + 1];
	char origin[HTTP_ORIGIN_MAX]; /* allowed Origin to echo, or "" */
	struct exchange *prev, *next; /* h->live, under h->xlock */
};

struct http_session {
	char id[HTTP_SESSION_ID_LEN + 1];
	struct mcp_session *ms;
	struct http_session *next; /* bucket chain; under h->tlock */
	int refs;                  /* under h->tlock */
	int busy;                  /* exchanges using it; under h->tlock */
	int64_t last_ms;           /* last use; under h->tlock */
	pthread_mutex_t glock;     /* guards get */
	struct exchange *get;      /* the open GET stream (a reference) */
	struct mcp_events *events; /* every event, for resumption */
	struct exchange *posts;    /* open POST streams; under glock */
	struct mcp_http *h;
	/* The address that created it; counted there from the check in
	 * process_post until the session leaves the table. Under h->tlock. */
	struct http_client *client;
	struct http_session *cprev, *cnext; /* client->sessions */
};

/* Sessions per client address, so one address cannot fill the table. */
struct http_client {
	struct http_client *next;      /* bucket chain; under h->tlock */
	struct http_session *sessions; /* attached ones */
	unsigned n;                    /* attached + reserved */
	char addr[HTTP_ADDR_LEN];
};

struct mcp_http {
	struct mcp_server *srv;
	struct MHD_Daemon *d;
	struct mcp_http_addr addr;
	const struct host_services *svc;
	char **allow_origins;
	char **allow_hosts;
	int any_origin;
	int has_token;
	unsigned char token_hash[crypto_generichash_BYTES];
	struct mcp_oauth *oauth; /* the caller's; NULL: no OAuth */
	int stateless;
	size_t max_body;
	unsigned session_idle_s;
	unsigned max_sessions;
	unsigned client_sessions; /* per address */
	unsigned header_timeout_s;
	unsigned connection_timeout_s;

	pthread_mutex_t tlock; /* the session table and the clients */
	struct http_session *buckets[HTTP_SESSION_BUCKETS];
	size_t nsessions;
	struct http_client *clients[HTTP_CLIENT_BUCKETS];

	pthread_mutex_t clock; /* open connections */
	struct http_conn *conns;

	pthread_mutex_t xlock; /* live exchanges */
	struct exchange *live;
	size_t nlive;

	atomic_int draining;

	unsigned threads; /* I/O threads */
	/* Connections per I/O thread (io_slot), so that a request can tell
	 * whether it is alone on its thread (run_here). Kept here, not in
	 * the threads, so that a connection closed from another thread
	 * counts down memory that still exists. */
	atomic_uint io_conns[MCP_HTTP_POLL_THREADS_MAX];
	atomic_uint io_next;   /* slots given */
	atomic_uint here_busy; /* of them, running a call (run_here) */
	atomic_int untracked;  /* a connection is not counted: never */

	pthread_t keeper;
	int keeper_started;
	pthread_mutex_t klock;
	pthread_cond_t kcond;
	int kstop;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- output buffers --- */

/* Bytes of x's stream not yet read. Caller holds x->lock. */
static size_t out_pending(const struct exchange *x)
{
	return dyn_len(&x->out) - x->out_off;
}

/* Give the next event of x's stream its id (see mcp_events.h), keeping
 * a copy in the session's store when there is a session. Caller holds
 * x->hs->glock when x has a session, so that recording an event and
 * routing it to the connection carrying its stream are one step. */
static void stamp(struct exchange *x, const char *msg, size_t len, int last,
                  char id[MCP_EVENT_ID_MAX])
{
	if (x->hs)
		mcp_events_add(x->hs->events, x->stream, msg, len, last, id);
	else
		snprintf(id, MCP_EVENT_ID_MAX, "%llu",
		         atomic_fetch_add(&x->own_seq, 1) + 1);
}

/* Append one SSE event carrying msg under id. Caller holds x->lock, or x
 * is not shared yet. */
static void put_event(struct exchange *x, const char *id, const char *msg,
                      size_t len)
{
	if (dyn_add(&x->out, "event: message\nid: ") || dyn_add(&x->out, id) ||
	    dyn_addn(&x->out, "\ndata: ", 7) || dyn_addn(&x->out, msg, len) ||
	    dyn_addn(&x->out, "\n\n", 2))
		hostlog(SKILL_LOG_ERROR, "http: out of memory for an event");
}

/* The priming event: an id and empty data, so a client knows the stream
 * is live and what to resume from. */
static void add_priming(struct exchange *x)
{
	char id[MCP_EVENT_ID_MAX], ev[128];
	int n;

	stamp(x, NULL, 0, 0, id);
	n = snprintf(ev, sizeof ev, "id: %s\nretry: %d\ndata: \n\n", id,
	             HTTP_SSE_RETRY_MS);
	if (dyn_addn(&x->out, ev, (size_t)n))
		hostlog(SKILL_LOG_ERROR, "http: out of memory for an event");
}

/* The open POST streams of a session, so a resumption finds the call
 * still answering. Caller holds hs->glock. */
static void posts_link(struct http_session *hs, struct exchange *x)
{
	x->pprev = NULL;
	x->pnext = hs->posts;
	if (hs->posts)
		hs->posts->pprev = x;
	hs->posts = x;
	x->in_posts = 1;
}

static void posts_unlink(struct http_session *hs, struct exchange *x)
{
	if (!x->in_posts)
		return;
	if (x->pprev)
		x->pprev->pnext = x->pnext;
	else
		hs->posts = x->pnext;
	if (x->pnext)
		x->pnext->pprev = x->pprev;
	x->in_posts = 0;
}

static struct exchange *posts_find(struct http_session *hs, uint64_t stream)
{
	struct exchange *x = hs->posts;

	while (x && x->stream != stream)
		x = x->pnext;
	return x;
}

/* --- exchanges --- */

static void hs_release(struct mcp_http *h, struct http_session *hs, int use);

static struct exchange *x_new(struct mcp_http *h, struct MHD_Connection *c,
                              enum xkind kind)
{
	struct exchange *x = calloc(1, sizeof *x);

	if (!x)
		return NULL;
	x->h = h;
	x->conn = c;
	x->kind = kind;
	x->refs = 1; /* libmicrohttpd's, until the request completes */
	dyn_init(&x->out, HTTP_STREAM_OUT_MAX);
	pthread_mutex_init(&x->lock, NULL);
	pthread_mutex_lock(&h->xlock);
	x->next = h->live;
	if (x->next)
		x->next->prev = x;
	h->live = x;
	h->nlive++;
	pthread_mutex_unlock(&h->xlock);
	return x;
}

static void x_ref(struct exchange *x)
{
	pthread_mutex_lock(&x->lock);
	x->refs++;
	pthread_mutex_unlock(&x->lock);
}

static void x_unref(struct exchange *x)
{
	struct mcp_http *h = x->h;
	int left;

	pthread_mutex_lock(&x->lock);
	left = --x->refs;
	pthread_mutex_unlock(&x->lock);
	if (left)
		return;
	pthread_mutex_lock(&h->xlock);
	if (x->prev)
		x->prev->next = x->next;
	else
		h->live = x->next;
	if (x->next)
		x->next->prev = x->prev;
	h->nlive--;
	pthread_mutex_unlock(&h->xlock);
	if (x->transient)
		mcp_session_close(x->transient);
	if (x->ms)
		mcp_session_unref(x->ms);
	if (x->hs)
		hs_release(h, x->hs, 1);
	free(x->body);
	free(x->json);
	dyn_free(&x->out);
	pthread_mutex_destroy(&x->lock);
	free(x);
}

/* Let the I/O thread look at x again. Caller holds x->lock. */
static void x_wake_locked(struct exchange *x)
{
	if (x->suspended) {
		x->suspended = 0;
		MHD_resume_connection(x->conn);
	}
}

/* The MCP reply for a POST: see mcp_server.h for the contract.
 *
 * In a session, a reply that turns into an event stream is resumable:
 * each of its events is kept in the session's store and goes to the
 * connection carrying the stream: the POST's own, or the GET that resumed
 * it after the first one dropped (then the call goes on rather than being
 * cancelled, and its result is delivered exactly once). */
static void x_send(void *ud, char *msg, size_t len, int final)
{
	struct exchange *x = ud, *r = NULL;
	struct http_session *hs = x->hs;
	char id[MCP_EVENT_ID_MAX];

	if (hs)
		pthread_mutex_lock(&hs->glock);
	pthread_mutex_lock(&x->lock);
	if (x->mode == M_NONE && !x->gone && !x->final) {
		if (final) {
			x->mode = M_JSON;
			x->json = msg;
			x->json_len = len;
			msg = NULL;
		} else {
			x->mode = M_SSE;
			if (hs) {
				x->stream = mcp_events_stream(hs->events);
				posts_link(hs, x);
			}
			add_priming(x);
		}
	}
	if (x->stream) {
		if (msg || final)
			stamp(x, msg, len, final, id);
		r = x->resumer;
		if (r) {
			/* r's reference passes to us with the final. */
			if (final)
				x->resumer = NULL;
		} else if (msg && !x->gone && !x->final &&
		           (final || out_pending(x) < HTTP_STREAM_BUFFER_MAX)) {
			put_event(x, id, msg, len);
		}
		/* Only a session's reply streams (see above). */
		if (final && hs)
			posts_unlink(hs, x);
	} else if (x->gone || x->final) {
		/* The client left (its call was cancelled, see
		 * cancel_call) or shutdown answered for us. */
	} else if (x->mode == M_SSE) {
		if (msg && (final || out_pending(x) < HTTP_STREAM_BUFFER_MAX)) {
			stamp(x, msg, len, final, id);
			put_event(x, id, msg, len);
		} else if (msg && !x->dropped) {
			x->dropped = 1;
			hostlog(SKILL_LOG_WARNING,
			        "http: the client reads too slowly; dropping "
			        "notifications");
		}
	}
	if (final) {
		x->final = 1;
		x->done = 1;
	}
	x_wake_locked(x);
	pthread_mutex_unlock(&x->lock);
	if (r) {
		pthread_mutex_lock(&r->lock);
		if (msg && !r->gone && !r->final)
			put_event(r, id, msg, len);
		if (final)
			r->final = 1;
		x_wake_locked(r);
		pthread_mutex_unlock(&r->lock);
	}
	if (hs)
		pthread_mutex_unlock(&hs->glock);
	free(msg);
	if (final && r)
		x_unref(r); /* the resumed POST's */
	if (final)
		x_unref(x); /* the reply's reference */
}

/* Push an event with its id, or raw SSE text (a comment) when id is
 * NULL, onto a stream. */
static void x_push(struct exchange *x, const char *id, const char *msg,
                   size_t len)
{
	pthread_mutex_lock(&x->lock);
	if (!x->gone && !x->final && out_pending(x) < HTTP_STREAM_BUFFER_MAX) {
		if (!id && dyn_addn(&x->out, msg, len))
			hostlog(SKILL_LOG_ERROR,
			        "http: out of memory for an event");
		else if (id)
			put_event(x, id, msg, len);
		x_wake_locked(x);
	}
	pthread_mutex_unlock(&x->lock);
}

/* End a stream once what it holds has been read. */
static void x_end(struct exchange *x)
{
	pthread_mutex_lock(&x->lock);
	x->final = 1;
	x_wake_locked(x);
	pthread_mutex_unlock(&x->lock);
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct exchange *x = cls;
	size_t n;

	(void)pos;
	pthread_mutex_lock(&x->lock);
	if (out_pending(x)) {
		n = out_pending(x);
		if (n > max)
			n = max;
		memcpy(buf, dyn_ptr(&x->out) + x->out_off, n);
		x->out_off += n;
		/* All read: start over at the front, keeping the memory (and
		 * clearing an append that failed, so the stream goes on). */
		if (x->out_off == dyn_len(&x->out)) {
			dyn_reset(&x->out);
			x->out_off = 0;
		}
		pthread_mutex_unlock(&x->lock);
		return (ssize_t)n;
	}
	if (x->final) {
		pthread_mutex_unlock(&x->lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	/* Nothing to send yet: sleep until x_wake_locked. */
	x->suspended = 1;
	MHD_suspend_connection(x->conn);
	pthread_mutex_unlock(&x->lock);
	return 0;
}

static void sse_free(void *cls)
{
	x_unref(cls); /* the response's reference */
}

/* --- sessions --- */

static unsigned bucket_of(const char *id)
{
	return sh_strhash32(id) % HTTP_SESSION_BUCKETS;
}

static void hs_notify(void *ud, char *msg, size_t len, int final)
{
	struct http_session *hs = ud;
	char id[MCP_EVENT_ID_MAX];

	(void) final;
	pthread_mutex_lock(&hs->glock);
	/* Kept even with no GET stream open, for a client resuming it. */
	if (msg) {
		mcp_events_add(hs->events, MCP_EVENTS_GET_STREAM, msg, len, 0,
		               id);
		if (hs->get)
			x_push(hs->get, id, msg, len);
	}
	pthread_mutex_unlock(&hs->glock);
	free(msg);
}

static struct http_session *hs_new(struct mcp_http *h, struct sh_error *e)
{
	struct http_session *hs = calloc(1, sizeof *hs);
	unsigned char rnd[HTTP_SESSION_ID_BYTES];

	if (!hs) {
		sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		return NULL;
	}
	hs->h = h;
	hs->refs = 1; /* the creator's */
	hs->busy = 1;
	hs->events = mcp_events_new(0, 0);
	if (!hs->events) {
		free(hs);
		sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&hs->glock, NULL);
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hs->id, sizeof hs->id, rnd, sizeof rnd);
	if (mcp_session_new(h->srv, &(struct mcp_notify){hs_notify, hs}, 0,
	                    NULL, &hs->ms, e) != SH_OK) {
		pthread_mutex_destroy(&hs->glock);
		mcp_events_free(hs->events);
		free(hs);
		return NULL;
	}
	{
		char label[24];
		snprintf(label, sizeof label, "http:%.8s", hs->id);
		mcp_session_set_label(hs->ms, label);
	}
	return hs;
}

/* Drop a reference: with use, one taken by hs_new or hs_find (which also
 * counted a use), else the table's. */
static void hs_release(struct mcp_http *h, struct http_session *hs, int use)
{
	int left;

	pthread_mutex_lock(&h->tlock);
	if (use) {
		hs->busy--;
		hs->last_ms = now_ms();
	}
	left = --hs->refs;
	pthread_mutex_unlock(&h->tlock);
	if (left)
		return;
	pthread_mutex_destroy(&hs->glock);
	mcp_events_free(hs->events);
	free(hs);
}

/* End hs: no more notifications, calls cancelled, GET stream ended. Only
 * the thread that took it out of the table (or never put it in) calls
 * this, once; exchanges still using it hold their own session
 * references. */
static void hs_close(struct http_session *hs)
{
	struct exchange *g;

	mcp_session_close(hs->ms);
	pthread_mutex_lock(&hs->glock);
	g = hs->get;
	hs->get = NULL;
	pthread_mutex_unlock(&hs->glock);
	if (g) {
		x_end(g);
		x_unref(g);
	}
}

/* Find a session by id and take a use of it and a reference to its MCP
 * session (*ms); NULL when unknown. */
static struct http_session *hs_find(struct mcp_http *h, const char *id,
                                    struct mcp_session **ms)
{
	struct http_session *hs;

	if (strlen(id) != HTTP_SESSION_ID_LEN)
		return NULL;
	pthread_mutex_lock(&h->tlock);
	for (hs = h->buckets[bucket_of(id)]; hs; hs = hs->next)
		if (!strcmp(hs->id, id)) {
			hs->refs++;
			hs->busy++;
			hs->last_ms = now_ms();
			mcp_session_ref(hs->ms);
			*ms = hs->ms;
			break;
		}
	pthread_mutex_unlock(&h->tlock);
	return hs;
}

/* --- clients (sessions per address) --- */

/* The peer's address as text. An IPv4 address mapped into IPv6 (a
 * dual-stack listener) is printed as IPv4, so it is the same client. A
 * global IPv6 address stands for its /64, which one host usually has
 * whole: counting each address would let it take 2^64 shares. */
static void client_addr(struct MHD_Connection *c, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, cap, "unknown");
	if (sa && sa->sa_family == AF_INET) {
		struct sockaddr_in in;
		memcpy(&in, sa, sizeof in);
		inet_ntop(AF_INET, &in.sin_addr, out, (socklen_t)cap);
	} else if (sa && sa->sa_family == AF_INET6) {
		struct sockaddr_in6 in6;
		memcpy(&in6, sa, sizeof in6);
		if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr))
			inet_ntop(AF_INET, in6.sin6_addr.s6_addr + 12, out,
			          (socklen_t)cap);
		else if (IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr))
			inet_ntop(AF_INET6, &in6.sin6_addr, out,
			          (socklen_t)cap);
		else {
			size_t n;
			memset(in6.sin6_addr.s6_addr + 8, 0, 8);
			inet_ntop(AF_INET6, &in6.sin6_addr, out,
			          (socklen_t)cap);
			n = strlen(out);
			snprintf(out + n, cap - n, "/64");
		}
	}
}

/* The entry for addr, created empty when missing; NULL when out of
 * memory. */
static struct http_client *client_get_locked(struct mcp_http *h,
                                             const char *addr)
{
	unsigned b = bucket_of(addr) % HTTP_CLIENT_BUCKETS;
	struct http_client *cl;

	for (cl = h->clients[b]; cl; cl = cl->next)
		if (!strcmp(cl->addr, addr))
			return cl;
	cl = calloc(1, sizeof *cl);
	if (!cl)
		return NULL;
	snprintf(cl->addr, sizeof cl->addr, "%s", addr);
	cl->next = h->clients[b];
	h->clients[b] = cl;
	return cl;
}

/* Drop one count of cl's; an entry with nothing left is freed. */
static void client_put_locked(struct mcp_http *h, struct http_client *cl,
                              unsigned drop)
{
	struct http_client **p;

	cl->n -= drop;
	if (cl->n || cl->sessions)
		return;
	for (p = &h->clients[bucket_of(cl->addr) % HTTP_CLIENT_BUCKETS]; *p;
	     p = &(*p)->next)
		if (*p == cl) {
			*p = cl->next;
			free(cl);
			return;
		}
}

/* hs now holds the place reserved in cl's count. */
static void client_attach_locked(struct http_client *cl,
                                 struct http_session *hs)
{
	hs->client = cl;
	hs->cprev = NULL;
	hs->cnext = cl->sessions;
	if (cl->sessions)
		cl->sessions->cprev = hs;
	cl->sessions = hs;
}

/* Give back hs's place in its client's count; once per session. */
static void client_detach_locked(struct mcp_http *h, struct http_session *hs)
{
	struct http_client *cl = hs->client;

	if (!cl)
		return;
	if (hs->cprev)
		hs->cprev->cnext = hs->cnext;
	else
		cl->sessions = hs->cnext;
	if (hs->cnext)
		hs->cnext->cprev = hs->cprev;
	hs->client = NULL;
	hs->cprev = hs->cnext = NULL;
	client_put_locked(h, cl, 1);
}

/* Take hs out of the table; returns 1 when it was there (the table's
 * reference now belongs to the caller). Its client's count drops. */
static int hs_unlink_locked(struct mcp_http *h, struct http_session *hs)
{
	struct http_session **p = &h->buckets[bucket_of(hs->id)];

	for (; *p; p = &(*p)->next)
		if (*p == hs) {
			*p = hs->next;
			h->nsessions--;
			client_detach_locked(h, hs);
			return 1;
		}
	return 0;
}

/* The least recently used session in the table that no request is using
 * and that has been idle for at least min_idle_ms: cl's own, or any when
 * cl is NULL. NULL when there is none. */
static struct http_session *lru_idle_locked(struct mcp_http *h,
                                            struct http_client *cl,
                                            int64_t min_idle_ms, int64_t now)
{
	struct http_session *best = NULL;

	if (cl) {
		for (struct http_session *hs = cl->sessions; hs; hs = hs->cnext)
			if (hs->busy == 0 && now - hs->last_ms >= min_idle_ms &&
			    (!best || hs->last_ms < best->last_ms))
				best = hs;
		return best;
	}
	for (unsigned b = 0; b < HTTP_SESSION_BUCKETS; b++)
		for (struct http_session *hs = h->buckets[b]; hs; hs = hs->next)
			if (hs->busy == 0 && now - hs->last_ms >= min_idle_ms &&
			    (!best || hs->last_ms < best->last_ms))
				best = hs;
	return best;
}

/* --- checks --- */

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* 1 when the comma-separated media list accepts type ("a/b"). */
static int accepts(const char *list, const char *type)
{
	size_t major = strcspn(type, "/");

	if (!list)
		return 0;
	while (*list) {
		size_t n;
		while (*list == ' ' || *list == ',')
			list++;
		n = strcspn(list, ",;");
		while (n && list[n - 1] == ' ')
			n--;
		if ((n == strlen(type) && !strncasecmp(list, type, n)) ||
		    (n == 3 && !strncmp(list, "*/*", 3)) ||
		    (n == major + 2 && !strncasecmp(list, type, major) &&
		     !strncmp(list + major, "/*", 2)))
			return 1;
		list += strcspn(list, ",");
	}
	return 0;
}

static int is_loopback_name(const char *host, size_t n)
{
	return (n == 9 && !strncasecmp(host, "localhost", 9)) ||
	       (n == 9 && !strncmp(host, "127.0.0.1", 9)) ||
	       (n == 5 && !strncmp(host, "[::1]", 5));
}

/* Split "host[:port]" (host may be "[v6]"): length of the host part. */
static size_t host_part(const char *hp)
{
	if (hp[0] == '[') {
		const char *end = strchr(hp, ']');
		return end ? (size_t)(end - hp) + 1 : strlen(hp);
	}
	return strcspn(hp, ":");
}

static int host_allowed(const struct mcp_http *h, const char *host)
{
	size_t n;

	if (!host)
		return 1; /* HTTP/1.0 without Host: no browser sends that */
	n = host_part(host);
	if (h->allow_hosts)
		for (char **a = h->allow_hosts; *a; a++) {
			size_t an = host_part(*a);
			if (!strcasecmp(*a, host))
				return 1;
			/* An entry without a port allows any port. */
			if (!(*a)[an] && an == n && !strncasecmp(*a, host, n))
				return 1;
		}
	if (h->addr.loopback)
		return is_loopback_name(host, n);
	if (h->addr.wildcard)
		return !h->allow_hosts;
	if (strchr(h->addr.host, ':')) /* IPv6: Host has brackets */
		return n == strlen(h->addr.host) + 2 && host[0] == '[' &&
		       !strncasecmp(host + 1, h->addr.host, n - 2);
	return n == strlen(h->addr.host) && !strncasecmp(host, h->addr.host, n);
}

static int origin_allowed(const struct mcp_http *h, const char *origin)
{
	const char *hp;

	if (!origin)
		return 1; /* not a browser */
	if (h->any_origin)
		return 1;
	if (h->allow_origins)
		for (char **a = h->allow_origins; *a; a++)
			if (!strcasecmp(*a, origin))
				return 1;
	if (!h->addr.loopback)
		return 0;
	/* A page served from this machine may talk to a server bound to
	 * it; a rebinding attack cannot forge that. */
	if (!strncasecmp(origin, "http://", 7))
		hp = origin + 7;
	else if (!strncasecmp(origin, "https://", 8))
		hp = origin + 8;
	else
		return 0;
	return !strchr(hp, '/') && is_loopback_name(hp, host_part(hp)) &&
	       (!hp[host_part(hp)] || hp[host_part(hp)] == ':');
}

static int token_ok(const struct mcp_http *h, const char *auth)
{
	unsigned char got[crypto_generichash_BYTES];

	if (!auth || strncasecmp(auth, "Bearer ", 7))
		return 0;
	auth += 7;
	while (*auth == ' ')
		auth++;
	/* Compare digests, so neither the content nor the length of the
	 * token leaks through timing. */
	crypto_generichash(got, sizeof got, (const unsigned char *)auth,
	                   strlen(auth), NULL, 0);
	return sodium_memcmp(got, h->token_hash, sizeof got) == 0;
}

/* --- responses --- */

static void add_cors(struct MHD_Response *r, const char *origin)
{
	if (!origin || !*origin)
		return;
	MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
	MHD_add_response_header(r, "Access-Control-Expose-Headers",
	                        "Mcp-Session-Id, MCP-Protocol-Version");
	MHD_add_response_header(r, "Vary", "Origin");
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status,
                             struct MHD_Response *r)
{
	enum MHD_Result ok;

	if (!r)
		return MHD_NO;
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* A JSON-RPC error as the body of an HTTP error; with Retry-After when
 * retry_s is not 0. */
static enum MHD_Result http_error_retry(struct mcp_http *h,
                                        struct MHD_Connection *c,
                                        unsigned status, int code,
                                        const char *id, const char *msg,
                                        const char *origin, unsigned retry_s)
{
	size_t len = 0;
	char *body = jsonrpc_error(id, code, msg, NULL, &len);
	struct MHD_Response *r;

	if (!body)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        "application/json");
	add_cors(r, origin);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(
		        r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		        header(c, MHD_HTTP_HEADER_AUTHORIZATION)
		                ? "Bearer realm=\"skillhost\", "
		                  "error=\"invalid_token\", "
		                  "error_description=\"the bearer token is "
		                  "not the one this server was given\""
		                : "Bearer realm=\"skillhost\"");
	if (retry_s) {
		char v[16];
		snprintf(v, sizeof v, "%u", retry_s);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, v);
	}
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE || atomic_load(&h->draining))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	return queue(c, status, r);
}

static enum MHD_Result http_error(struct mcp_http *h, struct MHD_Connection *c,
                                  unsigned status, int code, const char *id,
                                  const char *msg, const char *origin)
{
	return http_error_retry(h, c, status, code, id, msg, origin, 0);
}

static enum MHD_Result plain(struct MHD_Connection *c, unsigned status,
                             const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	        strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);

	if (r)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        "text/plain; charset=utf-8");
	return queue(c, status, r);
}

static enum MHD_Result method_not_allowed(struct MHD_Connection *c,
                                          const char *allow, const char *origin)
{
	static const char body[] =
	        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,\"message\":"
	        "\"Method not allowed\"},\"id\":null}";
	struct MHD_Response *r = MHD_create_response_from_buffer(
	        sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);

	if (r) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        "application/json");
		add_cors(r, origin);
	}
	return queue(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
}

/* Queue the event-stream response that reads x. */
static enum MHD_Result queue_stream(struct exchange *x)
{
	struct MHD_Response *r;

	x_ref(x); /* the response's */
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HTTP_SSE_BLOCK,
	                                      sse_read, x, sse_free);
	if (!r) {
		x_unref(x);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        "text/event-stream");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        "no-cache, no-transform");
	/* nginx would otherwise hold events back until its buffer fills. */
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	if (x->set_session[0])
		MHD_add_response_header(r, "Mcp-Session-Id", x->set_session);
	add_cors(r, x->origin);
	x->state = S_QUEUED;
	return queue(x->conn, MHD_HTTP_OK, r);
}

/* A call a limit refused (mcp_server.h MCP_ERR_LIMITED) also says when
 * to retry in HTTP's own terms, for proxies and clients that read only
 * headers. Only short replies are looked at: the refusal is small, and a
 * large result is never scanned. */
static void add_retry_after(struct MHD_Response *r, const char *json,
                            size_t len)
{
	const cJSON *err, *ra;
	cJSON *m;
	char v[24];

	if (len > 4096 || !memmem(json, len, "-32029", 6) ||
	    !(m = cJSON_ParseWithLength(json, len)))
		return;
	err = cJSON_GetObjectItemCaseSensitive(m, "error");
	ra = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(err, "data"), "retryAfter");
	if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(err, "code")) &&
	    cJSON_GetObjectItemCaseSensitive(err, "code")->valueint ==
	            MCP_ERR_LIMITED &&
	    cJSON_IsNumber(ra) && ra->valuedouble >= 1 &&
	    ra->valuedouble < 1e9) {
		snprintf(v, sizeof v, "%lld", (long long)ra->valuedouble);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, v);
	}
	cJSON_Delete(m);
}

/* Answer a POST whose reply may have arrived: JSON, a stream, 202, or
 * suspend until it does. Runs on the I/O thread. */
static enum MHD_Result answer(struct exchange *x)
{
	struct MHD_Response *r;
	char *json;
	size_t len;

	pthread_mutex_lock(&x->lock);
	if (x->mode == M_SSE) {
		pthread_mutex_unlock(&x->lock);
		return queue_stream(x);
	}
	if (x->mode == M_NONE) {
		x->suspended = 1;
		MHD_suspend_connection(x->conn);
		pthread_mutex_unlock(&x->lock);
		return MHD_YES;
	}
	json = x->json;
	len = x->json_len;
	x->json = NULL;
	pthread_mutex_unlock(&x->lock);
	x->state = S_QUEUED;
	if (!json) {
		r = MHD_create_response_from_buffer(0, (void *)"",
		                                    MHD_RESPMEM_PERSISTENT);
		add_cors(r, x->origin);
		return queue(x->conn, MHD_HTTP_ACCEPTED, r);
	}
	r = MHD_create_response_from_buffer(len, json, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(json);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        "application/json");
	add_retry_after(r, json, len);
	if (x->set_session[0])
		MHD_add_response_header(r, "Mcp-Session-Id", x->set_session);
	add_cors(r, x->origin);
	return queue(x->conn, MHD_HTTP_OK, r);
}

/* Resolve the session a request names; on failure an error is queued and
 * NULL returned with *rc set. */
static struct http_session *
need_session(struct mcp_http *h, struct MHD_Connection *c, const char *origin,
             const struct mcp_principal *who, struct mcp_session **ms,
             enum MHD_Result *rc)
{
	const char *sid = header(c, "Mcp-Session-Id");
	struct http_session *hs;
	struct mcp_principal owner;

	if (!sid) {
		*rc = http_error(h, c, MHD_HTTP_BAD_REQUEST,
		                 JSONRPC_SERVER_ERROR, NULL,
		                 "Bad Request: Mcp-Session-Id header is "
		                 "required; send initialize first to get one",
		                 origin);
		return NULL;
	}
	hs = hs_find(h, sid, ms);
	if (!hs) {
		*rc = http_error(h, c, MHD_HTTP_NOT_FOUND, -32001, NULL,
		                 "Session not found: it ended or expired; send "
		                 "initialize to start a new one",
		                 origin);
		return NULL;
	}
	/* With OAuth a session is bound to the principal that opened it: a
	 * leaked session id is no use with another user's token. Answered
	 * as an unknown session, so ids cannot be probed. */
	if (who && mcp_session_principal(*ms, &owner) &&
	    (strcmp(owner.sub, who->sub) ||
	     strcmp(owner.client_id, who->client_id))) {
		hostlog(SKILL_LOG_WARNING,
		        "http: session %.8s used by another principal (%s)",
		        hs->id, who->sub);
		mcp_session_unref(*ms);
		hs_release(h, hs, 1);
		*ms = NULL;
		*rc = http_error(h, c, MHD_HTTP_NOT_FOUND, -32001, NULL,
		                 "Session not found: it ended or expired; send "
		                 "initialize to start a new one",
		                 origin);
		return NULL;
	}
	return hs;
}

/* Make room for one more session from x's client address: reserve a
 * place in that address's count (*cl) and, when the address is at its cap
 * or the table is full, end the least recently used idle session (the
 * address's own, idle for the grace period; or the table's). When there
 * is no room, queue 429 (the address's own cap, with Retry-After) or 503
 * and return 0 with *rc set. */
static int admit(struct mcp_http *h, struct exchange *x,
                 struct http_client **cl, enum MHD_Result *rc)
{
	char addr[HTTP_ADDR_LEN], text[400], vaddr[HTTP_ADDR_LEN];
	struct http_session *victim = NULL;
	unsigned grace_s = h->session_idle_s / 2 < HTTP_SESSION_GRACE_S
	                           ? h->session_idle_s / 2
	                           : HTTP_SESSION_GRACE_S;
	int64_t now = now_ms(), wait_ms = (int64_t)grace_s * 1000;
	const char *why = NULL;
	int over = 0, full = 0;

	client_addr(x->conn, addr, sizeof addr);
	pthread_mutex_lock(&h->tlock);
	*cl = client_get_locked(h, addr);
	if (!*cl) {
		pthread_mutex_unlock(&h->tlock);
		*rc = MHD_NO;
		return 0;
	}
	/* Reserved first, so ending a victim of this address cannot free
	 * the entry. */
	(*cl)->n++;
	if ((*cl)->n > h->client_sessions) {
		victim = lru_idle_locked(h, *cl, (int64_t)grace_s * 1000, now);
		why = "its address was at --max-client-sessions";
		if (!victim) {
			over = 1;
			for (struct http_session *hs = (*cl)->sessions; hs;
			     hs = hs->cnext)
				if (hs->busy == 0 &&
				    (int64_t)grace_s * 1000 -
				                    (now - hs->last_ms) <
				            wait_ms)
					wait_ms = (int64_t)grace_s * 1000 -
					          (now - hs->last_ms);
		}
	} else if (h->nsessions >= h->max_sessions) {
		victim = lru_idle_locked(h, NULL, 0, now);
		why = "the session table was full (--max-sessions)";
		full = !victim;
	}
	if (over || full) {
		client_put_locked(h, *cl, 1);
		*cl = NULL;
	}
	if (victim) {
		snprintf(vaddr, sizeof vaddr, "%s",
		         victim->client ? victim->client->addr : "?");
		hs_unlink_locked(h, victim);
	}
	pthread_mutex_unlock(&h->tlock);
	if (victim) {
		hostlog(SKILL_LOG_NOTICE,
		        "http: session %.8s... of %s ended, least recently "
		        "used, to make room: %s",
		        victim->id, vaddr, why);
		hs_close(victim);
		hs_release(h, victim, 0);
	}
	if (over) {
		unsigned retry = (unsigned)((wait_ms + 999) / 1000);
		snprintf(text, sizeof text,
		         "Too Many Requests: the client address %s already "
		         "has %u open sessions, the most one address may hold "
		         "(serve --max-client-sessions); end unused ones with "
		         "DELETE, or retry after %u s",
		         addr, h->client_sessions, retry ? retry : 1);
		*rc = http_error_retry(h, x->conn, HTTP_TOO_MANY_REQUESTS,
		                       JSONRPC_SERVER_ERROR, NULL, text,
		                       x->origin, retry ? retry : 1);
		return 0;
	}
	if (full) {
		*rc = http_error(h, x->conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		                 JSONRPC_SERVER_ERROR, NULL,
		                 "Service Unavailable: too many open "
		                 "sessions, all in use; end unused ones with "
		                 "DELETE",
		                 x->origin);
		return 0;
	}
	return 1;
}

/* 1 when the body's first non-blank byte opens a JSON array. */
static int body_is_array(const char *b, size_t len)
{
	size_t i = 0;

	while (i < len &&
	       (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
		i++;
	return i < len && b[i] == '[';
}

static struct http_conn *conn_of(struct MHD_Connection *c);

/* Which I/O thread of which server the calling thread is. */
static _Thread_local struct {
	const struct mcp_http *h;
	unsigned slot;
} io_me;

/* The calling I/O thread's slot in h->io_conns, given on its first
 * connection; 0 when h has no slot left for it. */
static int io_slot(struct mcp_http *h, unsigned *slot)
{
	if (io_me.h != h) {
		unsigned n = atomic_fetch_add(&h->io_next, 1);
		if (n >= MCP_HTTP_POLL_THREADS_MAX)
			return 0;
		io_me.h = h;
		io_me.slot = n;
	}
	*slot = io_me.slot;
	return 1;
}

/* Whether x's call may run on this I/O thread (mcp_reply.may_block):
 * only while its connection is the only one the thread serves, so that
 * waiting for the call holds up no other client (HTTP/1.1 answers a
 * connection's requests in order anyway), and while another I/O thread
 * is free to take new connections. A client that hangs up meanwhile is
 * seen by the keeper, as for a suspended call (watch_hangups). Takes a
 * place in h->here_busy when so. */
static int run_here(struct mcp_http *h, struct exchange *x)
{
	struct http_conn *hc = conn_of(x->conn);
	unsigned me;

	if (!hc || !io_slot(h, &me) || hc->slot != me ||
	    atomic_load(&h->io_conns[me]) != 1 || atomic_load(&h->untracked) ||
	    h->threads < 2)
		return 0;
	if (atomic_fetch_add(&h->here_busy, 1) + 1 >= h->threads) {
		atomic_fetch_sub(&h->here_busy, 1);
		return 0;
	}
	pthread_mutex_lock(&x->lock);
	x->here = 1;
	pthread_mutex_unlock(&x->lock);
	return 1;
}

/* The body of a POST is in: hand the message to its session. */
static enum MHD_Result process_post(struct mcp_http *h, struct exchange *x)
{
	struct MHD_Connection *c = x->conn;
	const char *pv = header(c, "MCP-Protocol-Version");
	struct mcp_reply reply = {x_send, x};
	struct jsonrpc_refusal why;
	struct jsonrpc_msg m;
	struct mcp_session *ms;
	struct sh_error err;
	enum MHD_Result rc = MHD_YES;
	int init;

	if (x->too_big) {
		char text[160];
		snprintf(text, sizeof text,
		         "Payload Too Large: the body is over %zu bytes "
		         "(serve --max-body)",
		         h->max_body);
		return http_error(h, c, HTTP_CONTENT_TOO_LARGE,
		                  JSONRPC_INVALID_REQUEST, NULL, text,
		                  x->origin);
	}
	if (pv && !mcp_version_supported(pv)) {
		char text[200];
		snprintf(text, sizeof text,
		         "Bad Request: unsupported MCP-Protocol-Version "
		         "\"%.40s\" "
		         "(supported: 2025-11-25, 2025-06-18, 2025-03-26, "
		         "2024-11-05)",
		         pv);
		return http_error(h, c, MHD_HTTP_BAD_REQUEST,
		                  JSONRPC_SERVER_ERROR, NULL, text, x->origin);
	}
	/* A JSON-RPC batch: answered, on a 2025-03-26 session (that
	 * revision's clients MUST be), by mcp_session_receive, which refuses
	 * it on any other. It never starts a session: that revision forbids
	 * initialize in a batch, and stateless mode has no revision to ask. */
	if (!h->stateless && body_is_array(x->body, x->len)) {
		const char *v;
		x->hs = need_session(h, c, x->origin, h->oauth ? &x->who : NULL,
		                     &x->ms, &rc);
		if (!x->hs)
			return rc;
		v = mcp_session_version(x->ms);
		if (!v || strcmp(v, "2025-03-26")) {
			/* The parser's refusal, which names the revision. */
			if (jsonrpc_parse(x->body, x->len, &m, &why) == SH_OK)
				jsonrpc_msg_free(&m);
			return http_error(h, c, MHD_HTTP_BAD_REQUEST, why.code,
			                  why.id, why.message, x->origin);
		}
		x_ref(x); /* the reply's, until its final message */
		x->start_ms = now_ms();
		mcp_session_receive(x->ms, x->body, x->len, &reply);
		free(x->body);
		x->body = NULL;
		return answer(x);
	}
	if (jsonrpc_parse(x->body, x->len, &m, &why) != SH_OK)
		return http_error(h, c, MHD_HTTP_BAD_REQUEST, why.code, why.id,
		                  why.message, x->origin);
	free(x->body);
	x->body = NULL;
	init = m.kind == JSONRPC_REQUEST && !strcmp(m.method, "initialize");
	if (h->stateless) {
		if (mcp_session_new(h->srv, NULL, MCP_SESSION_STATELESS, pv,
		                    &x->transient, &err) != SH_OK)
			goto fail;
		ms = x->transient;
		if (h->oauth)
			mcp_session_set_principal(ms, &x->who);
	} else if (init) {
		struct http_client *cl;
		if (header(c, "Mcp-Session-Id")) {
			jsonrpc_msg_free(&m);
			return http_error(
			        h, c, MHD_HTTP_BAD_REQUEST,
			        JSONRPC_INVALID_REQUEST, NULL,
			        "Bad Request: initialize starts a new "
			        "session; send it without "
			        "Mcp-Session-Id",
			        x->origin);
		}
		if (!admit(h, x, &cl, &rc)) {
			jsonrpc_msg_free(&m);
			return rc;
		}
		if (!(x->hs = hs_new(h, &err))) {
			pthread_mutex_lock(&h->tlock);
			client_put_locked(h, cl, 1);
			pthread_mutex_unlock(&h->tlock);
			goto fail;
		}
		pthread_mutex_lock(&h->tlock);
		client_attach_locked(cl, x->hs);
		pthread_mutex_unlock(&h->tlock);
		ms = x->hs->ms;
		if (h->oauth)
			mcp_session_set_principal(ms, &x->who);
		mcp_session_ref(ms);
		x->ms = ms;
	} else {
		x->hs = need_session(h, c, x->origin, h->oauth ? &x->who : NULL,
		                     &x->ms, &rc);
		if (!x->hs) {
			jsonrpc_msg_free(&m);
			return rc;
		}
		ms = x->ms;
	}
	if (m.kind == JSONRPC_REQUEST && !strcmp(m.method, "tools/call"))
		reply.may_block = run_here(h, x);
	x_ref(x); /* the reply's, until its final message */
	x->start_ms = now_ms();
	mcp_session_handle(ms, &m, &reply);
	if (reply.may_block) {
		pthread_mutex_lock(&x->lock);
		x->here = 0;
		pthread_mutex_unlock(&x->lock);
		atomic_fetch_sub(&h->here_busy, 1);
	}
	if (init && !h->stateless) {
		if (mcp_session_initialized(ms)) {
			pthread_mutex_lock(&h->tlock);
			x->hs->refs++; /* the table's */
			x->hs->next = h->buckets[bucket_of(x->hs->id)];
			h->buckets[bucket_of(x->hs->id)] = x->hs;
			h->nsessions++;
			pthread_mutex_unlock(&h->tlock);
			memcpy(x->set_session, x->hs->id,
			       sizeof x->set_session);
		} else {
			pthread_mutex_lock(&h->tlock);
			client_detach_locked(h, x->hs);
			pthread_mutex_unlock(&h->tlock);
			hs_close(x->hs);
		}
	}
	return answer(x);
fail:
	jsonrpc_msg_free(&m);
	hostlog(SKILL_LOG_ERROR, "http: %s", err.msg);
	return http_error(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
	                  JSONRPC_INTERNAL_ERROR, NULL, "Internal error",
	                  x->origin);
}

static void replay_emit(void *ud, const char *id, const char *msg, size_t len)
{
	put_event(ud, id, msg, len); /* x is not shared yet */
}

/*
 * A GET with Last-Event-ID: replay into the new stream x what its client
 * missed, then make x carry the rest. For a POST's stream whose call still
 * runs, x takes over from the POST's connection (which ends, if the
 * server had not noticed it drop); for one that ended, x ends after the
 * replay; for the GET stream, the caller makes x the session's GET
 * stream. Caller holds hs->glock, so no event can slip between the
 * replay and the takeover.
 */
static enum mcp_events_replay resume(struct http_session *hs,
                                     struct exchange *x, const char *last)
{
	struct exchange *p, *old = NULL;
	enum mcp_events_replay rr;
	uint64_t stream = 0;
	int ended = 0;

	rr = mcp_events_replay(hs->events, last, replay_emit, x, &stream,
	                       &ended);
	if (rr != MCP_EVENTS_REPLAYED)
		return rr;
	x->stream = stream;
	if (stream == MCP_EVENTS_GET_STREAM)
		return rr;
	p = ended ? NULL : posts_find(hs, stream);
	if (!p) {
		x->final = 1; /* all of it was replayed */
		return rr;
	}
	x_ref(x); /* p's */
	old = p->resumer;
	p->resumer = x;
	pthread_mutex_lock(&p->lock);
	p->resumed = 1;
	if (!p->gone && !p->final) {
		/* The client has given up on that connection. */
		p->final = 1;
		x_wake_locked(p);
	}
	pthread_mutex_unlock(&p->lock);
	hostlog(SKILL_LOG_INFO, "http: session %.8s...: stream %llu resumed",
	        hs->id, (unsigned long long)stream);
	if (old) {
		/* A second resumption of the same stream replaces the
		 * first. old->lock nests in hs->glock, as everywhere. */
		x_end(old);
		x_unref(old); /* p's, which it held; not the last one */
	}
	return rr;
}

static enum MHD_Result open_get_stream(struct mcp_http *h,
                                       struct MHD_Connection *c,
                                       const char *origin,
                                       const struct mcp_principal *who,
                                       void **con_cls)
{
	struct http_session *hs;
	struct mcp_session *ms = NULL;
	struct exchange *x, *old;
	enum MHD_Result rc = MHD_YES;
	const char *last;

	if (h->stateless)
		return method_not_allowed(c, "POST, OPTIONS", origin);
	if (!accepts(header(c, MHD_HTTP_HEADER_ACCEPT), "text/event-stream"))
		return http_error(h, c, MHD_HTTP_NOT_ACCEPTABLE,
		                  JSONRPC_SERVER_ERROR, NULL,
		                  "Not Acceptable: a GET stream needs Accept: "
		                  "text/event-stream",
		                  origin);
	last = header(c, "Last-Event-ID");
	hs = need_session(h, c, origin, who, &ms, &rc);
	if (!hs)
		return rc;
	x = x_new(h, c, X_GET);
	if (!x) {
		mcp_session_unref(ms);
		hs_release(h, hs, 1);
		return MHD_NO;
	}
	x->hs = hs;
	x->ms = ms;
	if (origin)
		snprintf(x->origin, sizeof x->origin, "%s", origin);
	x->mode = M_SSE;
	/* Something to send at once, so the client sees the stream open. */
	dyn_add(&x->out, ": stream open\n\n"); /* fits: the buffer is new */
	pthread_mutex_lock(&hs->glock);
	if (last) {
		enum mcp_events_replay rr = resume(hs, x, last);
		if (rr != MCP_EVENTS_REPLAYED) {
			pthread_mutex_unlock(&hs->glock);
			x_unref(x);
			/* Nothing to resume from (an id never issued, or one
			 * whose events have left the store); answering with a
			 * fresh stream would make the client reconnect again
			 * and again. 405 is the answer a client takes
			 * quietly. */
			hostlog(SKILL_LOG_INFO,
			        "http: cannot resume from event %.48s: %s",
			        last,
			        rr == MCP_EVENTS_GAP
			                ? "an event was too big to "
			                  "keep"
			                : "unknown or evicted");
			return method_not_allowed(c, "POST, DELETE, OPTIONS",
			                          origin);
		}
		if (x->stream != MCP_EVENTS_GET_STREAM) {
			pthread_mutex_unlock(&hs->glock);
			*con_cls = x;
			return queue_stream(x);
		}
	}
	*con_cls = x;
	x_ref(x); /* the session's */
	old = hs->get;
	hs->get = x;
	pthread_mutex_unlock(&hs->glock);
	/* One stream per session: a new GET (a reconnecting client)
	 * replaces the old one. */
	if (old) {
		x_end(old);
		x_unref(old);
	}
	return queue_stream(x);
}

static enum MHD_Result end_session(struct mcp_http *h, struct MHD_Connection *c,
                                   const char *origin,
                                   const struct mcp_principal *who)
{
	struct http_session *hs;
	struct mcp_session *ms = NULL;
	enum MHD_Result rc = MHD_YES;
	int had;

	if (h->stateless)
		return method_not_allowed(c, "POST, OPTIONS", origin);
	hs = need_session(h, c, origin, who, &ms, &rc);
	if (!hs)
		return rc;
	pthread_mutex_lock(&h->tlock);
	had = hs_unlink_locked(h, hs);
	pthread_mutex_unlock(&h->tlock);
	if (had) {
		hs_close(hs);
		hs_release(h, hs, 0); /* the table's reference */
	}
	mcp_session_unref(ms);
	/* need_session's reference keeps hs alive past the table's release
	 * above; the analyzer cannot count references. */
	// NOLINTNEXTLINE(clang-analyzer-unix.Malloc)
	hs_release(h, hs, 1);
	return plain(c, MHD_HTTP_OK, "");
}

static const char *mime_of(const char *name)
{
	static const char *const map[][2] = {
	        {".pptx", "application/vnd.openxmlformats-officedocument."
	                  "presentationml.presentation"},
	        {".docx", "application/vnd.openxmlformats-officedocument."
	                  "wordprocessingml.document"},
	        {".xlsx", "application/vnd.openxmlformats-officedocument."
	                  "spreadsheetml.sheet"},
	        {".pdf", "application/pdf"},
	        {".png", "image/png"},
	        {".jpg", "image/jpeg"},
	        {".jpeg", "image/jpeg"},
	        {".gif", "image/gif"},
	        {".json", "application/json"},
	        {".csv", "text/csv"},
	        {".txt", "text/plain"},
	        {".wav", "audio/wav"},
	        {".zip", "application/zip"},
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof map / sizeof *map; i++)
		if (!strcasecmp(dot, map[i][0]))
			return map[i][1];
	return "application/octet-stream";
}

static enum MHD_Result serve_artifact(struct mcp_http *h,
                                      struct MHD_Connection *c, const char *id,
                                      const char *origin,
                                      const struct mcp_principal *who)
{
	char path[4096];
	struct sh_error err;
	struct MHD_Response *r;
	struct stat st;
	int fd;

	/* Scoped like resources/read: a session downloads only what its
	 * own calls made. A stateless server has no sessions; there the id
	 * (random) and the token are the guard. */
	if (!h->stateless) {
		struct mcp_session *ms = NULL;
		enum MHD_Result rc;
		struct http_session *hs =
		        need_session(h, c, origin, who, &ms, &rc);
		int mine;
		if (!hs)
			return rc;
		mine = mcp_session_has_artifact(ms, id);
		mcp_session_unref(ms);
		hs_release(h, hs, 1);
		if (!mine)
			return http_error(
			        h, c, MHD_HTTP_NOT_FOUND, JSONRPC_SERVER_ERROR,
			        NULL,
			        "Not Found: no such artifact in this "
			        "session (a session downloads what its "
			        "own calls made; resources/list names "
			        "them)",
			        origin);
	}
	if (artifacts_path(h->svc, id, path, sizeof path, &err) != SH_OK)
		return http_error(h, c, MHD_HTTP_NOT_FOUND,
		                  JSONRPC_SERVER_ERROR, NULL,
		                  "Not Found: no such artifact", origin);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return http_error(h, c, MHD_HTTP_NOT_FOUND,
		                  JSONRPC_SERVER_ERROR, NULL,
		                  "Not Found: no such artifact", origin);
	}
	r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, mime_of(id));
	/* Served from the server's origin: never let it run as a page. */
	MHD_add_response_header(r, "Content-Disposition", "attachment");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy", "sandbox");
	add_cors(r, origin);
	return queue(c, MHD_HTTP_OK, r);
}

static enum MHD_Result preflight(struct MHD_Connection *c, const char *origin)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	        0, (void *)"", MHD_RESPMEM_PERSISTENT);

	if (!r)
		return MHD_NO;
	add_cors(r, origin);
	MHD_add_response_header(r, "Access-Control-Allow-Methods",
	                        "GET, POST, DELETE, OPTIONS");
	MHD_add_response_header(r, "Access-Control-Allow-Headers",
	                        "Content-Type, Accept, Authorization, "
	                        "Mcp-Session-Id, MCP-Protocol-Version, "
	                        "Last-Event-ID");
	MHD_add_response_header(r, "Access-Control-Max-Age", "600");
	return queue(c, MHD_HTTP_NO_CONTENT, r);
}

/* GET /metrics: the runtime's call and worker metrics (metrics.h) in the
 * Prometheus text format, behind the same token as /mcp. */
static enum MHD_Result
serve_metrics(struct mcp_http *h, struct MHD_Connection *c, const char *origin)
{
	size_t len = 0;
	char *text = h->svc && h->svc->metrics
	                     ? metrics_render(h->svc->metrics, &len)
	                     : NULL;
	struct MHD_Response *r;

	if (!text)
		return http_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE,
		                  JSONRPC_SERVER_ERROR, NULL,
		                  "Service Unavailable: no metrics", origin);
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        "text/plain; version=0.0.4; charset=utf-8");
	add_cors(r, origin);
	return queue(c, MHD_HTTP_OK, r);
}

/* OAuth (mcp_oauth.h): the RFC 9728 metadata, or a refusal with the
 * challenge that names it. Returns 1 when it answered (*r set). */
static int oauth_gate(struct mcp_http *h, struct MHD_Connection *c,
                      const char *url, const char *method, const char *origin,
                      struct mcp_principal *who, enum MHD_Result *r)
{
	char why[200];
	enum mcp_oauth_verdict v;
	struct MHD_Response *resp;
	char *body, *chal;
	size_t len = 0;
	unsigned status;

	if (mcp_oauth_is_metadata_path(h->oauth, url)) {
		const char *doc = mcp_oauth_metadata(h->oauth);
		if (strcmp(method, MHD_HTTP_METHOD_GET) &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD)) {
			*r = method_not_allowed(c, "GET, HEAD", origin);
			return 1;
		}
		resp = MHD_create_response_from_buffer(strlen(doc), (void *)doc,
		                                       MHD_RESPMEM_PERSISTENT);
		if (resp) {
			MHD_add_response_header(resp,
			                        MHD_HTTP_HEADER_CONTENT_TYPE,
			                        "application/json");
			/* Browser-based clients read it cross-origin. */
			MHD_add_response_header(
			        resp, "Access-Control-Allow-Origin", "*");
		}
		*r = queue(c, MHD_HTTP_OK, resp);
		return 1;
	}
	v = mcp_oauth_check(h->oauth, header(c, MHD_HTTP_HEADER_AUTHORIZATION),
	                    who, why, sizeof why);
	if (v == MCP_OAUTH_OK)
		return 0;
	if (v != MCP_OAUTH_NO_TOKEN)
		hostlog(SKILL_LOG_INFO, "http: token refused: %s", why);
	status = v == MCP_OAUTH_NO_SCOPE ? MHD_HTTP_FORBIDDEN
	                                 : MHD_HTTP_UNAUTHORIZED;
	body = jsonrpc_error(NULL, JSONRPC_SERVER_ERROR,
	                     v == MCP_OAUTH_NO_SCOPE
	                             ? "Forbidden: insufficient "
	                               "scope"
	                             : "Unauthorized: send an "
	                               "OAuth access token "
	                               "(see WWW-Authenticate)",
	                     NULL, &len);
	chal = mcp_oauth_challenge(h->oauth, v, why);
	resp = body ? MHD_create_response_from_buffer(len, body,
	                                              MHD_RESPMEM_MUST_FREE)
	            : NULL;
	if (!resp) {
		free(body);
		free(chal);
		*r = MHD_NO;
		return 1;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        "application/json");
	if (chal)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		                        chal);
	add_cors(resp, origin);
	free(chal);
	*r = queue(c, status, resp);
	return 1;
}

/* The first call for a request: headers only. */
static enum MHD_Result start(struct mcp_http *h, struct MHD_Connection *c,
                             const char *url, const char *method,
                             void **con_cls)
{
	const char *origin = header(c, "Origin");
	const char *ok_origin;
	struct exchange *x;
	int is_mcp = !strcmp(url, "/mcp");
	struct mcp_principal who = {0};
	enum MHD_Result gated;

	if (!host_allowed(h, header(c, MHD_HTTP_HEADER_HOST)))
		return http_error(
		        h, c, MHD_HTTP_FORBIDDEN, JSONRPC_SERVER_ERROR, NULL,
		        "Forbidden: the Host header names a host this "
		        "server does not serve (serve --allow-host)",
		        NULL);
	if (!origin_allowed(h, origin))
		return http_error(h, c, MHD_HTTP_FORBIDDEN,
		                  JSONRPC_SERVER_ERROR, NULL,
		                  "Forbidden: Origin not allowed (serve "
		                  "--allow-origin)",
		                  NULL);
	ok_origin = origin;
	if (!strcmp(url, "/healthz")) {
		if (atomic_load(&h->draining))
			return plain(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			             "draining\n");
		return plain(c, MHD_HTTP_OK, "ok\n");
	}
	if (!strcmp(method, MHD_HTTP_METHOD_OPTIONS))
		return origin ? preflight(c, origin)
		              : plain(c, MHD_HTTP_NO_CONTENT, "");
	if (h->oauth && oauth_gate(h, c, url, method, ok_origin, &who, &gated))
		return gated;
	if (h->has_token &&
	    !token_ok(h, header(c, MHD_HTTP_HEADER_AUTHORIZATION)))
		return http_error(h, c, MHD_HTTP_UNAUTHORIZED,
		                  JSONRPC_SERVER_ERROR, NULL,
		                  "Unauthorized: send Authorization: Bearer "
		                  "<token> with the server's token",
		                  ok_origin);
	if (atomic_load(&h->draining))
		return http_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE,
		                  JSONRPC_SERVER_ERROR, NULL,
		                  "Service Unavailable: the server is shutting "
		                  "down",
		                  ok_origin);
	if (!strncmp(url, "/artifacts/", 11)) {
		if (strcmp(method, MHD_HTTP_METHOD_GET) &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD))
			return method_not_allowed(c, "GET, HEAD", ok_origin);
		return serve_artifact(h, c, url + 11, ok_origin,
		                      h->oauth ? &who : NULL);
	}
	if (!strcmp(url, "/metrics")) {
		if (strcmp(method, MHD_HTTP_METHOD_GET) &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD))
			return method_not_allowed(c, "GET, HEAD", ok_origin);
		return serve_metrics(h, c, ok_origin);
	}
	if (!is_mcp)
		return http_error(
		        h, c, MHD_HTTP_NOT_FOUND, JSONRPC_SERVER_ERROR, NULL,
		        "Not Found: the MCP endpoint is /mcp", ok_origin);
	if (!strcmp(method, MHD_HTTP_METHOD_GET))
		return open_get_stream(h, c, ok_origin, h->oauth ? &who : NULL,
		                       con_cls);
	if (!strcmp(method, MHD_HTTP_METHOD_DELETE))
		return end_session(h, c, ok_origin, h->oauth ? &who : NULL);
	if (strcmp(method, MHD_HTTP_METHOD_POST))
		return method_not_allowed(
		        c,
		        h->stateless ? "POST, OPTIONS"
		                     : "GET, POST, DELETE, OPTIONS",
		        ok_origin);
	{
		const char *accept = header(c, MHD_HTTP_HEADER_ACCEPT);
		const char *ct = header(c, MHD_HTTP_HEADER_CONTENT_TYPE);
		const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (!accepts(accept, "application/json") ||
		    !accepts(accept, "text/event-stream"))
			return http_error(
			        h, c, MHD_HTTP_NOT_ACCEPTABLE,
			        JSONRPC_SERVER_ERROR, NULL,
			        "Not Acceptable: Client must accept both "
			        "application/json and text/event-stream",
			        ok_origin);
		if (!ct || strncasecmp(ct, "application/json", 16) ||
		    (ct[16] && ct[16] != ';' && ct[16] != ' '))
			return http_error(h, c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
			                  JSONRPC_SERVER_ERROR, NULL,
			                  "Unsupported Media Type: send "
			                  "Content-Type: application/json",
			                  ok_origin);
		if (cl && strtoull(cl, NULL, 10) > h->max_body) {
			char text[160];
			snprintf(text, sizeof text,
			         "Payload Too Large: the body is over %zu "
			         "bytes (serve --max-body)",
			         h->max_body);
			return http_error(h, c, HTTP_CONTENT_TOO_LARGE,
			                  JSONRPC_INVALID_REQUEST, NULL, text,
			                  ok_origin);
		}
	}
	x = x_new(h, c, X_POST);
	if (!x)
		return MHD_NO;
	if (ok_origin)
		snprintf(x->origin, sizeof x->origin, "%s", ok_origin);
	x->who = who;
	x->state = S_BODY;
	*con_cls = x;
	return MHD_YES;
}

/* --- connections --- */

static struct http_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* Track each connection, so the keeper can close one that has not sent
 * complete request headers in time (slowloris): libmicrohttpd's own
 * timeout is reset by every byte, so a client trickling a header holds
 * its connection for ever. libmicrohttpd closes the socket only after the
 * CLOSED notification, and both that and the keeper's shutdown() hold
 * h->clock, so the keeper never touches a descriptor that was reused. */
static void on_connection(void *cls, struct MHD_Connection *c,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	struct mcp_http *h = cls;
	struct http_conn *hc = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		        c, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci || !(hc = calloc(1, sizeof *hc))) {
			/* Only the idle timeout applies to it, and no call
			 * can know it is alone on its thread any more. */
			atomic_store(&h->untracked, 1);
			return;
		}
		hc->fd = ci->connect_fd;
		if (io_slot(h, &hc->slot)) {
			atomic_fetch_add(&h->io_conns[hc->slot], 1);
		} else {
			hc->slot = MCP_HTTP_POLL_THREADS_MAX;
			atomic_store(&h->untracked, 1);
		}
		atomic_store(&hc->deadline_ms,
		             now_ms() + (int64_t)h->header_timeout_s * 1000);
		pthread_mutex_lock(&h->clock);
		hc->next = h->conns;
		if (h->conns)
			h->conns->prev = hc;
		h->conns = hc;
		pthread_mutex_unlock(&h->clock);
		*socket_context = hc;
		return;
	}
	if (!hc)
		return;
	if (hc->slot < MCP_HTTP_POLL_THREADS_MAX)
		atomic_fetch_sub(&h->io_conns[hc->slot], 1);
	pthread_mutex_lock(&h->clock);
	if (hc->prev)
		hc->prev->next = hc->next;
	else
		h->conns = hc->next;
	if (hc->next)
		hc->next->prev = hc->prev;
	pthread_mutex_unlock(&h->clock);
	*socket_context = NULL;
	free(hc);
}

/* Close connections whose request headers are overdue. */
static void close_overdue(struct mcp_http *h)
{
	int64_t now = now_ms();
	unsigned n = 0;

	pthread_mutex_lock(&h->clock);
	for (struct http_conn *hc = h->conns; hc; hc = hc->next) {
		int64_t due = atomic_load(&hc->deadline_ms);
		if (due && now >= due && !hc->shut) {
			/* Not close(): the descriptor is libmicrohttpd's; it
			 * sees end of file and closes the connection. */
			shutdown(hc->fd, SHUT_RDWR);
			hc->shut = 1;
			n++;
		}
	}
	pthread_mutex_unlock(&h->clock);
	if (n)
		hostlog(SKILL_LOG_NOTICE,
		        "http: closed %u connection%s that sent no complete "
		        "request headers in time (serve --header-timeout %u)",
		        n, n == 1 ? "" : "s", h->header_timeout_s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	struct mcp_http *h = cls;
	struct exchange *x = *con_cls;

	(void)version;
	if (!x) {
		struct http_conn *hc = conn_of(c);
		if (hc) /* the headers are in */
			atomic_store(&hc->deadline_ms, 0);
		return start(h, c, url, method, con_cls);
	}
	if (x->kind != X_POST)
		return MHD_YES;
	if (x->state == S_BODY) {
		if (*upload_size) {
			size_t n = *upload_size;
			*upload_size = 0;
			if (x->too_big || x->len + n > h->max_body) {
				x->too_big = 1;
				return MHD_YES;
			}
			if (x->len + n + 1 > x->cap) {
				size_t cap = x->cap ? x->cap : 4096;
				char *p;
				while (cap < x->len + n + 1)
					cap *= 2;
				p = realloc(x->body, cap);
				if (!p)
					return MHD_NO;
				x->body = p;
				x->cap = cap;
			}
			memcpy(x->body + x->len, upload, n);
			x->len += n;
			return MHD_YES;
		}
		x->state = S_WAITING;
		return process_post(h, x);
	}
	if (x->state == S_WAITING)
		return answer(x);
	return MHD_YES;
}

/* Cancel the call a POST is waiting for, its client being gone: a client
 * that gives up must not leave a skill spinning in a pool slot. */
static void cancel_call(struct exchange *x)
{
	hostlog(SKILL_LOG_INFO,
	        "http: the client closed its connection mid-call; cancelling "
	        "the call");
	mcp_session_cancel_reply(x->transient ? x->transient : x->ms, x);
}

/* A GET carrying a resumed POST stream ended: the call, if it still runs,
 * is orphaned again and may be resumed again. */
static void resumer_gone(struct exchange *x)
{
	struct http_session *hs = x->hs;
	struct exchange *p;
	int drop = 0;

	pthread_mutex_lock(&hs->glock);
	p = posts_find(hs, x->stream);
	if (p && p->resumer == x) {
		p->resumer = NULL;
		drop = 1;
		pthread_mutex_lock(&p->lock);
		p->resumed = 0;
		p->orphan_ms = now_ms();
		pthread_mutex_unlock(&p->lock);
	}
	pthread_mutex_unlock(&hs->glock);
	if (drop)
		x_unref(x); /* p's; libmicrohttpd's is still held */
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct mcp_http *h = cls;
	struct exchange *x = *con_cls;
	struct http_conn *hc = conn_of(c);
	struct http_session *hs;
	int detach = 0, abort_call, forget;

	/* The next request on a kept-alive connection has until the idle
	 * timeout to send its headers; trickling does not extend it. */
	if (hc)
		atomic_store(&hc->deadline_ms,
		             now_ms() +
		                     (int64_t)h->connection_timeout_s * 1000);
	if (!x)
		return;
	*con_cls = NULL;
	pthread_mutex_lock(&x->lock);
	x->gone = 1;
	x->suspended = 0;
	/* The connection ended before the answer did (a write failed, the
	 * client reset it): nobody will read the result. */
	abort_call = x->kind == X_POST && !x->final && !x->aborted &&
	             toe != MHD_REQUEST_TERMINATED_COMPLETED_OK;
	if (abort_call && x->stream) {
		/* A resumable stream: the client may come back for it
		 * (watch_hangups cancels the call if it does not). */
		abort_call = 0;
		if (!x->orphan_ms)
			x->orphan_ms = now_ms();
	}
	x->aborted |= abort_call;
	/* A POST stream read to its end needs no resumption: free what the
	 * store holds of it (a session's store then only keeps streams
	 * that were cut, and the GET stream). */
	forget = x->kind == X_POST && x->stream && x->done && !x->resumed &&
	         toe == MHD_REQUEST_TERMINATED_COMPLETED_OK;
	pthread_mutex_unlock(&x->lock);
	if (forget)
		mcp_events_forget(x->hs->events, x->stream);
	if (abort_call)
		cancel_call(x);
	if (x->kind == X_GET && x->stream != MCP_EVENTS_GET_STREAM)
		resumer_gone(x);
	hs = x->kind == X_GET ? x->hs : NULL;
	if (hs) {
		pthread_mutex_lock(&hs->glock);
		if (hs->get == x) {
			hs->get = NULL;
			detach = 1;
		}
		pthread_mutex_unlock(&hs->glock);
		if (detach)
			x_unref(x); /* the session's */
	}
	x_unref(x); /* libmicrohttpd's */
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	hostlog(SKILL_LOG_INFO, "http: %s", msg);
}

/* --- housekeeping --- */

static void expire_sessions(struct mcp_http *h, int keepalive)
{
	struct http_session *dead = NULL;
	int64_t now = now_ms();

	pthread_mutex_lock(&h->tlock);
	for (unsigned b = 0; b < HTTP_SESSION_BUCKETS; b++) {
		struct http_session **p = &h->buckets[b];
		while (*p) {
			struct http_session *hs = *p;
			if (hs->busy == 0 &&
			    now - hs->last_ms >
			            (int64_t)h->session_idle_s * 1000) {
				*p = hs->next;
				h->nsessions--;
				client_detach_locked(h, hs);
				hs->next = dead;
				dead = hs;
				continue;
			}
			if (keepalive) {
				pthread_mutex_lock(&hs->glock);
				if (hs->get)
					x_push(hs->get, NULL, ": keepalive\n\n",
					       13);
				pthread_mutex_unlock(&hs->glock);
			}
			p = &hs->next;
		}
	}
	pthread_mutex_unlock(&h->tlock);
	while (dead) {
		struct http_session *hs = dead;
		dead = hs->next;
		hostlog(SKILL_LOG_INFO, "http: session %.8s... expired",
		        hs->id);
		hs_close(hs);
		hs_release(h, hs, 0);
	}
}

/* libmicrohttpd does not watch a suspended connection, so a client that
 * closes its socket while its call runs would go unnoticed until the call
 * ended: look at those sockets here (POLLRDHUP: the peer closed; a
 * pipelined request is only POLLIN). A call on a resumable stream is
 * cancelled only once its client has not resumed it for
 * HTTP_RESUME_GRACE_MS. */
static void watch_hangups(struct mcp_http *h)
{
	struct exchange *hung[HTTP_WATCH_BATCH], *slow[HTTP_WATCH_BATCH];
	size_t n = 0, nslow = 0;
	int64_t now = now_ms();

	pthread_mutex_lock(&h->xlock);
	for (struct exchange *x = h->live; x && n < HTTP_WATCH_BATCH;
	     x = x->next) {
		const union MHD_ConnectionInfo *ci;
		struct pollfd p = {.events = POLLRDHUP};
		pthread_mutex_lock(&x->lock);
		if (x->kind == X_POST && x->orphan_ms && !x->resumed &&
		    !x->done && !x->aborted &&
		    now - x->orphan_ms > HTTP_RESUME_GRACE_MS) {
			x->aborted = 1;
			x->refs++; /* ours, until cancelled */
			hung[n++] = x;
		} else if (x->kind == X_POST && (x->suspended || x->here) &&
		           !x->final && !x->gone && !x->aborted &&
		           (ci = MHD_get_connection_info(
		                    x->conn,
		                    MHD_CONNECTION_INFO_CONNECTION_FD))) {
			p.fd = ci->connect_fd;
			if (poll(&p, 1, 0) > 0 &&
			    (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
				if (x->stream) {
					if (!x->orphan_ms)
						x->orphan_ms = now;
				} else {
					x->aborted = 1;
					x->refs++; /* ours, until cancelled */
					hung[n++] = x;
				}
			}
		}
		if (x->kind == X_POST && x->hs && x->mode == M_NONE &&
		    x->suspended && !x->final && !x->gone && !x->aborted &&
		    nslow < HTTP_WATCH_BATCH &&
		    now - x->start_ms >= HTTP_PRIME_AFTER_MS) {
			x->refs++; /* ours, until primed */
			slow[nslow++] = x;
		}
		pthread_mutex_unlock(&x->lock);
	}
	pthread_mutex_unlock(&h->xlock);
	for (size_t i = 0; i < n; i++) {
		cancel_call(hung[i]);
		x_unref(hung[i]);
	}
	for (size_t i = 0; i < nslow; i++) {
		struct exchange *x = slow[i];
		/* Unlocked in between: look again; x_send may have answered
		 * or started the stream itself. */
		pthread_mutex_lock(&x->hs->glock);
		pthread_mutex_lock(&x->lock);
		if (x->mode == M_NONE && !x->final && !x->gone) {
			x->mode = M_SSE;
			x->stream = mcp_events_stream(x->hs->events);
			posts_link(x->hs, x);
			add_priming(x);
			x_wake_locked(x);
		}
		pthread_mutex_unlock(&x->lock);
		pthread_mutex_unlock(&x->hs->glock);
		x_unref(x);
	}
}

static void *keeper_main(void *arg)
{
	struct mcp_http *h = arg;
	int64_t last_keepalive = now_ms(), last_expire = now_ms();

	pthread_mutex_lock(&h->klock);
	while (!h->kstop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += HTTP_WATCH_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&h->kcond, &h->klock, &until);
		if (h->kstop)
			break;
		pthread_mutex_unlock(&h->klock);
		watch_hangups(h);
		if (now_ms() - last_expire >= 1000) {
			int ka = now_ms() - last_keepalive >=
			         (int64_t)HTTP_KEEPALIVE_S * 1000;
			last_expire = now_ms();
			if (ka)
				last_keepalive = now_ms();
			expire_sessions(h, ka);
			close_overdue(h);
		}
		pthread_mutex_lock(&h->klock);
	}
	pthread_mutex_unlock(&h->klock);
	return NULL;
}

/* --- start and stop --- */

static void free_list(char **l)
{
	if (!l)
		return;
	for (char **p = l; *p; p++)
		free(*p);
	free(l);
}

static char **copy_list(const char *const *l, int *any_star)
{
	size_t n = 0;
	char **out;

	if (!l)
		return NULL;
	while (l[n])
		n++;
	out = calloc(n + 1, sizeof *out);
	for (size_t i = 0; out && i < n; i++) {
		if (any_star && !strcmp(l[i], "*"))
			*any_star = 1;
		if (!(out[i] = strdup(l[i]))) {
			free_list(out);
			return NULL;
		}
	}
	return out;
}

static void http_free(struct mcp_http *h)
{
	free_list(h->allow_origins);
	free_list(h->allow_hosts);
	for (unsigned b = 0; b < HTTP_CLIENT_BUCKETS; b++)
		while (h->clients[b]) {
			struct http_client *cl = h->clients[b];
			h->clients[b] = cl->next;
			free(cl);
		}
	while (h->conns) {
		struct http_conn *hc = h->conns;
		h->conns = hc->next;
		free(hc);
	}
	pthread_mutex_destroy(&h->tlock);
	pthread_mutex_destroy(&h->clock);
	pthread_mutex_destroy(&h->xlock);
	pthread_mutex_destroy(&h->klock);
	pthread_cond_destroy(&h->kcond);
	if (h->addr.fd >= 0)
		close(h->addr.fd);
	free(h);
}

sh_status mcp_http_load(struct sh_error *e)
{
	return mhd_dl_load(e);
}

sh_status mcp_http_start(struct mcp_server *srv, const struct mcp_http_opts *o,
                         struct mcp_http **out, struct sh_error *e)
{
	struct mcp_http *h;
	unsigned threads = o->poll_threads;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	                 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
	                 MHD_USE_TURBO;
	sh_status st;
	int err;

	*out = NULL;
	if (!o->addr || o->addr->fd < 0)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "mcp_http_start: no listening socket");
	if (sodium_init() < 0) {
		close(o->addr->fd);
		return sh_error_set(e, SH_ERR_FAIL,
		                    "libsodium failed to start");
	}
	if ((st = mhd_dl_load(e)) != SH_OK) { /* opens libmicrohttpd */
		close(o->addr->fd);
		return st;
	}
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	if (threads > MCP_HTTP_POLL_THREADS_MAX)
		threads = MCP_HTTP_POLL_THREADS_MAX;
	h = calloc(1, sizeof *h);
	if (!h) {
		close(o->addr->fd);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	h->srv = srv;
	h->threads = threads;
	h->addr = *o->addr;
	h->svc = o->svc;
	h->stateless = o->stateless;
	h->max_body = o->max_body ? o->max_body : MCP_HTTP_MAX_BODY_DEFAULT;
	h->session_idle_s = o->session_idle_s ? o->session_idle_s
	                                      : MCP_HTTP_SESSION_IDLE_DEFAULT;
	h->max_sessions = o->max_sessions ? o->max_sessions
	                                  : MCP_HTTP_MAX_SESSIONS_DEFAULT;
	h->client_sessions = o->max_client_sessions
	                             ? o->max_client_sessions
	                             : MCP_HTTP_MAX_CLIENT_SESSIONS_DEFAULT;
	h->header_timeout_s = o->header_timeout_s
	                              ? o->header_timeout_s
	                              : MCP_HTTP_HEADER_TIMEOUT_DEFAULT;
	h->connection_timeout_s = o->connection_timeout_s
	                                  ? o->connection_timeout_s
	                                  : MCP_HTTP_CONNECTION_TIMEOUT_DEFAULT;
	pthread_mutex_init(&h->tlock, NULL);
	pthread_mutex_init(&h->clock, NULL);
	pthread_mutex_init(&h->xlock, NULL);
	pthread_mutex_init(&h->klock, NULL);
	pthread_cond_init(&h->kcond, NULL);
	h->allow_origins = copy_list(o->allow_origins, &h->any_origin);
	h->allow_hosts = copy_list(o->allow_hosts, NULL);
	if ((o->allow_origins && !h->allow_origins) ||
	    (o->allow_hosts && !h->allow_hosts)) {
		http_free(h);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	h->oauth = o->oauth;
	if (o->token) {
		h->has_token = 1;
		crypto_generichash(h->token_hash, sizeof h->token_hash,
		                   (const unsigned char *)o->token,
		                   strlen(o->token), NULL, 0);
	}
	if (strchr(h->addr.host, ':'))
		flags |= MHD_USE_IPv6;
	h->d = MHD_start_daemon(
	        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_LISTEN_SOCKET,
	        h->addr.fd, MHD_OPTION_THREAD_POOL_SIZE, threads,
	        MHD_OPTION_CONNECTION_LIMIT,
	        o->max_connections ? o->max_connections
	                           : MCP_HTTP_MAX_CONNECTIONS_DEFAULT,
	        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	        o->max_client_connections
	                ? o->max_client_connections
	                : MCP_HTTP_MAX_CLIENT_CONNECTIONS_DEFAULT,
	        MHD_OPTION_CONNECTION_TIMEOUT, h->connection_timeout_s,
	        MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
	        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
	        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h, MHD_OPTION_END);
	if (!h->d) {
		http_free(h);
		return sh_error_set(e, SH_ERR_FAIL,
		                    "libmicrohttpd would not start on %s",
		                    o->addr->url);
	}
	h->addr.fd = -1; /* the daemon's now */
	err = pthread_create(&h->keeper, NULL, keeper_main, h);
	if (err) {
		MHD_stop_daemon(h->d);
		http_free(h);
		return sh_error_errno(e, SH_ERR_FAIL, err,
		                      "cannot start the session keeper");
	}
	h->keeper_started = 1;
	*out = h;
	return SH_OK;
}

void mcp_http_stop(struct mcp_http *h, int64_t drain_ms)
{
	struct http_session *all = NULL;
	MHD_socket lfd;
	int64_t until;

	if (!h)
		return;
	atomic_store(&h->draining, 1);
	lfd = MHD_quiesce_daemon(h->d);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	/* Calls in flight answer on their suspended connections. */
	mcp_server_drain(h->srv, drain_ms);
	while (mcp_server_calls(h->srv) > 0) {
		/* A call that ignores cancellation still holds its
		 * exchange; freeing under it would be worse than waiting. */
		struct timespec ts = {0, 50L * 1000000};
		nanosleep(&ts, NULL);
	}
	if (h->keeper_started) {
		pthread_mutex_lock(&h->klock);
		h->kstop = 1;
		pthread_cond_broadcast(&h->kcond);
		pthread_mutex_unlock(&h->klock);
		pthread_join(h->keeper, NULL);
	}
	pthread_mutex_lock(&h->tlock);
	for (unsigned b = 0; b < HTTP_SESSION_BUCKETS; b++) {
		while (h->buckets[b]) {
			struct http_session *hs = h->buckets[b];
			h->buckets[b] = hs->next;
			client_detach_locked(h, hs);
			hs->next = all;
			all = hs;
		}
	}
	h->nsessions = 0;
	pthread_mutex_unlock(&h->tlock);
	while (all) {
		struct http_session *hs = all;
		all = hs->next;
		hs_close(hs);
		hs_release(h, hs, 0);
	}
	/* Let the streams flush what they hold; libmicrohttpd must not stop
	 * with a connection suspended. */
	until = now_ms() + HTTP_STOP_WAIT_MS;
	for (;;) {
		int suspended = 0;
		size_t live;
		pthread_mutex_lock(&h->xlock);
		for (struct exchange *x = h->live; x; x = x->next) {
			pthread_mutex_lock(&x->lock);
			if (!x->final && x->kind == X_POST &&
			    x->mode == M_NONE) {
				/* No reply will come (it cannot, after the
				 * drain): answer for it. */
				size_t len = 0;
				x->json = jsonrpc_error(
				        NULL, JSONRPC_SERVER_ERROR,
				        "the server is shutting down", NULL,
				        &len);
				x->json_len = len;
				x->mode = M_JSON;
			}
			x->final = 1;
			x_wake_locked(x);
			suspended |= x->suspended;
			pthread_mutex_unlock(&x->lock);
		}
		live = h->nlive;
		pthread_mutex_unlock(&h->xlock);
		if (!suspended && (live == 0 || now_ms() > until))
			break;
		{
			struct timespec ts = {0, 20L * 1000000};
			nanosleep(&ts, NULL);
		}
		if (now_ms() > until + HTTP_STOP_WAIT_MS)
			break;
	}
	MHD_stop_daemon(h->d);
	http_free(h);
}
