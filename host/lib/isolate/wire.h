/*
 * wire.h - the framed protocol between the host and an isolated worker.
 *
 * One socketpair (SOCK_STREAM) per worker carries frames both ways. A frame
 * is a 16-byte header followed by its payload:
 *
 *   u32 len       payload bytes, at most WIRE_PAYLOAD_MAX
 *   u16 type      enum wire_type
 *   u8  version   WIRE_VERSION; any other value is refused
 *   u8  flags     WIRE_F_FD or zero (any other bit is refused)
 *   u64 id        a call id or a request id, as the type says
 *
 * All integers are little-endian. Payload fields follow each other with no
 * padding: u8/u16/u32/u64/i64, f64 (IEEE-754 bits as u64), and
 *   bytes   u32 n, n bytes, then one NUL (not counted), so text can be
 *           used in place as a C string;
 *   str     bytes without an embedded NUL;
 *   nstr    str, or u32 0xFFFFFFFF for NULL;
 *   nbytes  bytes, or u32 0xFFFFFFFF for NULL.
 * A payload must be consumed exactly: a short or a long one is refused.
 *
 * The conversation:
 *
 *   worker                                 host
 *   HELLO (who it is, what sandbox)  ->
 *                                    <-    WELCOME (the host extension IDs)
 *   (init runs; LOG, EXT_CALL ...)   <->
 *   READY (init's status)            ->
 *                                    <-    CALL (id, tool, deadline, args)
 *   LOG, PROGRESS, RESULT_*,
 *   TOOL_ERROR                       ->    (no answer: applied in order)
 *   EXT_CALL (request id)            ->
 *                                    <-    REPLY (same request id)
 *   DONE (call id, status)           ->
 *                                    <-    SHUTDOWN
 *   (fini runs, the worker exits)
 *
 * Bulk data crosses as a file descriptor, not through the socket: a frame
 * with WIRE_F_FD carries one descriptor (SCM_RIGHTS, sent with the frame's
 * first byte), which its receiver takes with the frame. The host passes a
 * call's arguments of WIRE_ARGS_FD_MIN bytes or more as a memfd holding
 * them and a NUL, sealed against every change (wire_sealed_memfd), which
 * the worker checks and maps read-only; a worker passes an artifact's
 * bytes the same way (WIRE_ART_APPEND_FD), in segments of at most
 * WIRE_ART_SEGMENT bytes. The host uses a descriptor from a worker only
 * after wire_check_sealed: a memfd whose seals forbid writing, growing and
 * shrinking, so its size is fixed and reading it cannot fault or block.
 * Anything else (a pipe, a socket, a file, an unsealed or half-sealed
 * memfd, a size that is not the one declared) breaks the session, as does
 * a descriptor no frame claims.
 *
 * Cancellation does not wait for the worker to read: the host sets a flag
 * in a shared control page (struct wire_ctl), so a skill's is_cancelled()
 * is one memory load. The same page carries what a dying worker's signal
 * handler could record (the signal, the forbidden system call, its address
 * space size), which the host reads after it has reaped the worker.
 *
 * Trust: the host trusts nothing a worker sends. Every decoder below is
 * for worker-to-host messages, checks every length against the frame, and
 * is fuzzed (tests/fuzz/fuzz_wire.c). Decoded pointers point into the
 * frame's buffer and are valid until the reader is filled again.
 *
 * Threads: a wire_reader or wire_buf belongs to one thread at a time.
 */
#ifndef SH_WIRE_H
#define SH_WIRE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "status.h"

/* 2: CALL gained its fd length, frames may carry a descriptor. */
#define WIRE_VERSION  2
#define WIRE_HDR_SIZE 16
/* Header flag: the frame carries one file descriptor. */
#define WIRE_F_FD 0x01
/* Descriptors a reader holds that no complete frame has claimed yet, at
 * most; more is a broken stream. A sender passes one per frame, and one
 * read returns at most one sender's descriptors, so two suffice; the rest
 * is slack. */
#define WIRE_FDS_MAX 4
/* Arguments this long or longer cross as a sealed memfd. Measured with
 * `bench_bulk 100 7 args` (the argument alone; 2 cores, load 14-16): with
 * the memfd 1.06 ms at 64 KiB, 3.1 ms at 256 KiB, 28 ms at 3 MB; through
 * the socket 0.59, 3.6 and 53 ms. Below this, creating, sealing and
 * mapping a memfd costs more than copying the bytes, which fit the
 * socket's buffer in one write. */
#define WIRE_ARGS_FD_MIN ((size_t)128 * 1024)
/* A worker buffers an artifact's bytes in memory up to WIRE_ART_INLINE and
 * sends them in the frame; past that it writes them to a memfd and sends
 * it, sealed, each time it holds WIRE_ART_SEGMENT bytes and at commit. */
#define WIRE_ART_INLINE  ((size_t)128 * 1024)
#define WIRE_ART_SEGMENT ((size_t)32 * 1024 * 1024)
/* Big enough for a result block at the host's 64 MiB result cap plus its
 * framing; anything larger is refused before it is buffered. */
#define WIRE_PAYLOAD_MAX ((size_t)72 * 1024 * 1024)
/* Streamed extension data (artifact writes and reads) moves in pieces of
 * at most this size, so no request grows with the file. */
#define WIRE_CHUNK ((size_t)1024 * 1024)
/* Most headers of one HTTP request or response carried. */
#define WIRE_HTTP_HEADERS_MAX 256
/* A NULL nstr or nbytes. */
#define WIRE_NULL_LEN 0xFFFFFFFFu

enum wire_type {
	/* worker -> host */
	WIRE_HELLO = 1,
	WIRE_READY = 2,
	WIRE_DONE = 3,
	WIRE_LOG = 4,
	WIRE_PROGRESS = 5,
	WIRE_RESULT_TEXT = 6,
	WIRE_RESULT_JSON = 7,
	WIRE_RESULT_MEDIA = 8,
	WIRE_RESULT_RESOURCE = 9,
	WIRE_RESULT_LINK = 10,
	WIRE_TOOL_ERROR = 11,
	WIRE_EXT_CALL = 12,
	/* host -> worker */
	WIRE_WELCOME = 32,
	WIRE_CALL = 33,
	WIRE_REPLY = 34,
	WIRE_SHUTDOWN = 35
};

/* The host extensions the protocol can forward, and their functions. A
 * worker offers a skill only those the host's WELCOME lists. */
enum wire_ext {
	WIRE_EXT_CONFIG = 1,    /* skill.config/1 */
	WIRE_EXT_ARTIFACTS = 2, /* skill.artifacts/1 */
	WIRE_EXT_HTTP = 3,      /* skill.http/1 */
	WIRE_EXT_SECRETS = 4,   /* skill.secrets/1 */
	WIRE_EXT_ELICIT = 5,    /* skill.elicit/1 */
	WIRE_EXT_SAMPLE = 6,    /* skill.sample/1 */
	WIRE_EXT_COUNT = 7
};

enum wire_fn {
	WIRE_CONFIG_GET = 1,
	WIRE_ART_CREATE = 1,
	WIRE_ART_WRITE = 2,
	WIRE_ART_COMMIT = 3,
	WIRE_ART_DISCARD = 4,
	WIRE_ART_OPEN_INPUT = 5,
	WIRE_ART_READ = 6,
	WIRE_ART_CLOSE_INPUT = 7,
	/* handle, size; the frame's descriptor holds the bytes -> status */
	WIRE_ART_APPEND_FD = 8,
	WIRE_HTTP_REQUEST = 1,
	WIRE_HTTP_RESPONSE_FREE = 2,
	WIRE_SECRETS_GET = 1,
	/* message, schema -> status, action, content (nullable) */
	WIRE_ELICIT_ASK = 1,
	/* n, n x (role, text), system?, max_tokens, preferences? ->
	 * status, role?, text?, content?, model?, stop_reason? */
	WIRE_SAMPLE_ASK = 1
};

/* Most messages one forwarded sampling request may carry (the host's
 * own limit, clientask.h, is lower). */
#define WIRE_SAMPLE_MESSAGES_MAX 1024

/* The extension ID of a wire_ext, or NULL; and back (0 when unknown). */
const char *wire_ext_id(enum wire_ext x);
enum wire_ext wire_ext_from_id(const char *id);

/*
 * The shared control page, one per worker (a memfd both map). The host
 * writes cancel; the worker's fatal-signal handler writes the rest just
 * before it dies. The host reads those as hints only, after the worker is
 * gone, and range-checks them.
 */
#define WIRE_CTL_MAGIC 0x534b4c43u /* "SKLC" */
#define WIRE_CTL_SIZE  4096

struct wire_ctl {
	uint32_t magic;
	atomic_int cancel;           /* 1: the running call is cancelled */
	atomic_int crash_signal;     /* the fatal signal, or 0 */
	atomic_int crash_syscall;    /* SIGSYS: the forbidden call, or -1 */
	_Atomic uint64_t crash_vm;   /* address space (bytes) at the crash */
	_Atomic uint64_t crash_addr; /* the faulting address, or 0 */
	atomic_uint crash_arch;      /* SIGSYS: its AUDIT_ARCH_*, or 0 */
	/* Host to worker: the longest the worker may poll for its next
	 * frame before it sleeps (0: sleep at once), set before each call
	 * from the machine's load (spin.h). A hint: a worker that ignores
	 * it only costs the machine CPU that its cgroup would cap anyway. */
	atomic_llong spin_ns;
	/* Worker to host: the id of the last call the worker took, stored
	 * once it has read the whole CALL frame and before any of the
	 * skill's code sees the call. A worker whose channel failed during
	 * a call it had not taken (and that sent nothing during it) cannot
	 * have run any of it: the host gives the call to another worker
	 * (exec_isolated.c). Anything else is never retried. */
	_Atomic uint64_t taken;
};

/* Exit status of a worker stopped by its sandbox for a forbidden system
 * call (the number is in wire_ctl.crash_syscall). */
#define WIRE_EXIT_VIOLATION 121
/* Exit status of a worker whose set-up failed before it could say why over
 * the socket (the reason went to its stderr). */
#define WIRE_EXIT_SETUP 122
/* Exit status of a worker that is pid 1 of its PID namespace and died of
 * the signal in wire_ctl.crash_signal (a signal pid 1 raises on itself is
 * ignored); its supervisor turns it back into that signal. */
#define WIRE_EXIT_SIGNAL 123

/* ---- writing ---- */

/* A frame being built. oom records an allocation failure or an overlong
 * frame; wire_end reports it. */
struct wire_buf {
	unsigned char *data;
	size_t len, cap;
	int bad;
};

void wire_buf_init(struct wire_buf *b);
/* Free the buffer; when wipe, zero it first (it held a secret). */
void wire_buf_free(struct wire_buf *b, int wipe);

/* Start a frame of type t with id in b (dropping what b held). */
void wire_begin(struct wire_buf *b, enum wire_type t, uint64_t id);
void wire_put_u8(struct wire_buf *b, uint8_t v);
void wire_put_u16(struct wire_buf *b, uint16_t v);
void wire_put_u32(struct wire_buf *b, uint32_t v);
void wire_put_u64(struct wire_buf *b, uint64_t v);
void wire_put_i64(struct wire_buf *b, int64_t v);
void wire_put_f64(struct wire_buf *b, double v);
/* bytes; p may be NULL only when n is 0. */
void wire_put_bytes(struct wire_buf *b, const void *p, size_t n);
/* nbytes: NULL p gives the NULL marker. */
void wire_put_nbytes(struct wire_buf *b, const void *p, size_t n);
/* str (s must not be NULL) and nstr. */
void wire_put_str(struct wire_buf *b, const char *s);
void wire_put_nstr(struct wire_buf *b, const char *s);

/* Mark the frame in b as carrying a descriptor (WIRE_F_FD); the sender
 * passes it to wire_write_all_fd. */
void wire_mark_fd(struct wire_buf *b);

/* Finish the frame: fill in its length. SH_ERR_NOMEM when memory ran out
 * or the payload passed WIRE_PAYLOAD_MAX. */
sh_status wire_end(struct wire_buf *b, struct sh_error *e);

/*
 * Write all n bytes to fd. A non-blocking fd is waited on with poll until
 * deadline_ns (CLOCK_MONOTONIC; 0 = none). Returns 0, or -1 with errno
 * (ETIMEDOUT at the deadline, EPIPE when the peer is gone).
 */
int wire_write_all(int fd, const void *p, size_t n, int64_t deadline_ns);

/* wire_write_all, passing pass_fd (SCM_RIGHTS) with the first byte; fd
 * must be a UNIX socket. pass_fd < 0 is wire_write_all. */
int wire_write_all_fd(int fd, const void *p, size_t n, int pass_fd,
                      int64_t deadline_ns);

/* wire_write_all_fd for the host's end of a channel (fd a UNIX socket):
 * a worker that is gone makes it fail with EPIPE, never raise SIGPIPE. */
int wire_send_all_fd(int fd, const void *p, size_t n, int pass_fd,
                     int64_t deadline_ns);

/*
 * A memfd holding the n bytes at p, then a NUL when nul, sealed with
 * F_SEAL_WRITE, F_SEAL_GROW, F_SEAL_SHRINK and F_SEAL_SEAL: what it holds
 * can no longer change, whoever else gets it. Close-on-exec. Returns the
 * descriptor, or -1 with errno.
 */
int wire_sealed_memfd(const void *p, size_t n, int nul);

/*
 * Whether fd, received from a peer that is not trusted, is a memfd sealed
 * so that its bytes cannot change (F_SEAL_WRITE, F_SEAL_GROW and
 * F_SEAL_SHRINK), and of exactly want bytes. 0 when it is; -1 with why
 * (for a message) when not. It looks at the seals before anything else,
 * so another kind of file (a FIFO, a socket, a file on a FUSE mount) is
 * refused without a call that could block on it; once sealed, reading it
 * with read() or a read-only mapping cannot fault or block.
 */
int wire_check_sealed(int fd, uint64_t want, char *why, size_t cap);

/* ---- reading ---- */

/* Buffered frames from a stream. */
struct wire_reader {
	unsigned char *buf;
	size_t start, end, cap; /* unconsumed bytes are buf[start, end) */
	int fds[WIRE_FDS_MAX];  /* received, not yet claimed by a frame */
	unsigned nfds;
	int fd_overflow; /* more descriptors came than the protocol allows */
};

/* A frame: its payload points into the reader's buffer. fd is the
 * descriptor it carries (WIRE_F_FD), or -1; whoever took the frame from
 * wire_next owns it and must close it. */
struct wire_msg {
	uint16_t type;
	uint64_t id;
	const unsigned char *p;
	size_t len;
	int fd;
};

void wire_reader_init(struct wire_reader *r);
/* Free r, closing the descriptors no frame took. */
void wire_reader_free(struct wire_reader *r);

/* Read what fd has (one recvmsg(), or read() when fd is not a socket)
 * into r, keeping descriptors that came along (close-on-exec) for the
 * frames that carry them. Returns the bytes read, 0 at end of stream, or
 * -1 with errno (EAGAIN on an empty non-blocking fd). */
ssize_t wire_fill(struct wire_reader *r, int fd);

/* How many received descriptors no frame has claimed. */
unsigned wire_fds_pending(const struct wire_reader *r);

/* How long a waiting side polls before it sleeps in the kernel, when the
 * machine has a CPU to spare (spin.h). An idle vCPU takes tens of
 * microseconds to wake, which would be most of a call's round trip; a
 * short spin keeps the reply on a running CPU. */
#define WIRE_SPIN_NS 50000
/* How long a worker may poll for the next call while calls keep coming
 * back to back (see worker.c), and the host says a CPU is spare. */
#define WIRE_SPIN_NEXT_NS 250000
/* A gap this long between two polls of a spin means the spinner was
 * preempted: the CPU was wanted by another task, so the spin stops. */
#define WIRE_SPIN_PREEMPTED_NS 30000

/* Poll fd for input without sleeping for up to spin_ns. Returns 1 as soon
 * as it is readable (or has hung up), 0 when the time passed first or
 * the spinner was preempted (WIRE_SPIN_PREEMPTED_NS). */
int wire_spin_readable(int fd, int64_t spin_ns);

/* Sleep until fd has input or its peer hung up (poll, retried on EINTR);
 * the read that follows finds out which. */
void wire_wait_readable(int fd);

/* Append n bytes to r as if read (the fuzzer's entry). Returns 0, or -1
 * when out of memory. */
int wire_feed(struct wire_reader *r, const void *p, size_t n);

/*
 * Take the next complete frame out of r: 1 with *m filled, 0 when more
 * bytes are needed, -1 when the stream is malformed (why says how; the
 * stream cannot be resynchronised and must be dropped). A frame's payload
 * stays valid until the next wire_fill, wire_feed or wire_reader_free.
 */
int wire_next(struct wire_reader *r, struct wire_msg *m, char *why, size_t cap);

/* A cursor over a payload. bad is set by any read past the end or any
 * malformed field, and sticks. */
struct wire_rd {
	const unsigned char *p, *end;
	int bad;
};

void wire_rd_init(struct wire_rd *r, const struct wire_msg *m);
uint8_t wire_get_u8(struct wire_rd *r);
uint16_t wire_get_u16(struct wire_rd *r);
uint32_t wire_get_u32(struct wire_rd *r);
uint64_t wire_get_u64(struct wire_rd *r);
int64_t wire_get_i64(struct wire_rd *r);
/* Finite values only: NaN and infinities make the cursor bad. */
double wire_get_f64(struct wire_rd *r);
/* bytes: the pointer is NUL-terminated at [*n]. */
const char *wire_get_bytes(struct wire_rd *r, size_t *n);
/* nbytes: NULL for the NULL marker (not bad). */
const char *wire_get_nbytes(struct wire_rd *r, size_t *n);
/* str, nstr: bytes without an embedded NUL. */
const char *wire_get_str(struct wire_rd *r);
const char *wire_get_nstr(struct wire_rd *r);
/* 1 when nothing is left and nothing was malformed. */
int wire_rd_done(const struct wire_rd *r);

/* ---- worker-to-host messages, decoded (each returns 1, or 0 when the
 * payload is malformed) ---- */

struct wire_hello {
	uint32_t version;
	uint32_t pid;
	uint32_t sandbox; /* SANDBOX_* bits the worker applied */
	const char *sandbox_detail;
	const char *skill; /* name */
	const char *skill_version;
	uint32_t ntools;
	const char *tools; /* tool names, each followed by '\n' */
};
int wire_decode_hello(const struct wire_msg *m, struct wire_hello *out);

struct wire_ready {
	uint32_t status;           /* init's skill_status */
	const char *config_schema; /* skill.config-schema/1 text, or NULL */
	const char *prompts;       /* skill.prompts/1 text, or NULL */
	const char *resources;     /* skill.resources/1 resources, or NULL */
	const char *templates;     /* skill.resources/1 templates, or NULL */
};
int wire_decode_ready(const struct wire_msg *m, struct wire_ready *out);

struct wire_done {
	uint32_t status; /* invoke's skill_status */
	uint8_t retire;  /* the worker wants to be replaced (CPU budget) */
	uint64_t vm;     /* its address space in bytes after the call */
};
int wire_decode_done(const struct wire_msg *m, struct wire_done *out);

struct wire_log {
	uint32_t level;
	const char *msg;
};
int wire_decode_log(const struct wire_msg *m, struct wire_log *out);

struct wire_progress {
	double progress, total;
	const char *message; /* may be NULL */
};
int wire_decode_progress(const struct wire_msg *m, struct wire_progress *out);

/* RESULT_TEXT and RESULT_JSON: the bytes. TOOL_ERROR: an nstr. */
int wire_decode_blob(const struct wire_msg *m, const char **p, size_t *n);
int wire_decode_tool_error(const struct wire_msg *m, const char **message);

struct wire_media {
	const char *mime;
	const char *data;
	size_t len;
};
int wire_decode_media(const struct wire_msg *m, struct wire_media *out);

struct wire_resource {
	const char *uri, *mime; /* mime may be NULL */
	const char *text;       /* NULL or text_len bytes */
	size_t text_len;
	const char *blob; /* NULL or blob_len bytes */
	size_t blob_len;
};
int wire_decode_resource(const struct wire_msg *m, struct wire_resource *out);

struct wire_link {
	const char *uri, *name;
	const char *title, *description, *mime; /* each may be NULL */
	int64_t size;
};
int wire_decode_link(const struct wire_msg *m, struct wire_link *out);

/* EXT_CALL: the call it belongs to, the extension and function, and a
 * cursor positioned on the function's arguments. */
struct wire_ext_call {
	uint64_t call;
	uint16_t ext, fn;
	struct wire_rd args;
	int fd; /* the frame's descriptor (still the frame's), or -1 */
};
int wire_decode_ext_call(const struct wire_msg *m, struct wire_ext_call *out);

/* http.request's arguments. Header names and values are str. */
struct wire_http_header {
	const char *name, *value;
};
struct wire_http_req {
	const char *method, *url;
	const char *body; /* NULL or body_len bytes */
	size_t body_len;
	int64_t timeout_ms, max_response_bytes;
	size_t nheaders; /* decoded into the caller's array */
};
int wire_decode_http_req(struct wire_rd *args, struct wire_http_req *out,
                         struct wire_http_header *headers, size_t max);

/* The name of a frame type, for messages ("hello", ... "type 77"). */
const char *wire_type_name(unsigned type, char *buf, size_t cap);

#endif /* SH_WIRE_H */
