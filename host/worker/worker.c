/*
 * skillhost-worker - runs skill code away from the host process.
 *
 *   skillhost-worker --probe LIB [--bundle DIR]
 *       Load LIB in the sandbox, check its ABI, run its init and fini, and
 *       print the description it declares as JSON on stdout. Exit 0 on
 *       success, 3 with the reason on stderr when the skill is refused.
 *       Used by the installer, so a skill that crashes on load fails the
 *       install.
 *
 *   skillhost-worker --serve LIB --bundle DIR [--scratch DIR]
 *                    [--memory BYTES] [--threads N]
 *       The isolated executor's worker (exec_isolated.c starts it): fd 3 is
 *       its end of the host's socketpair, fd 4 the shared control page,
 *       stdout and stderr a pipe the host reads. It sandboxes itself, loads
 *       LIB, and then speaks the protocol of wire.h until the host says
 *       SHUTDOWN or goes away. One call at a time: the host keeps a pool of
 *       workers for concurrency.
 *
 *   skillhost-worker --sandbox-check [--scratch DIR]
 *       Sandbox itself as --serve does, try what the sandbox must stop, and
 *       print what was applied and what was stopped as JSON (`skillhost
 *       doctor`).
 *
 * Threads. The main thread runs init, the calls and fini. A skill may call
 * host services from threads of its own; every frame is written whole under
 * a lock, and frames from the host are read by whichever waiting thread
 * finds nobody reading (leader/follower), then handed to the thread they
 * belong to. A watchdog thread exits the process when the host's end of
 * the socket closes, so a skill spinning in a call cannot outlive its host.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sodium.h>

#include <skill/ext/artifacts.h>
#include <skill/ext/config.h>
#include <skill/ext/elicit.h>
#include <skill/ext/http.h>
#include <skill/ext/prompts.h>
#include <skill/ext/resources.h>
#include <skill/ext/sample.h>
#include <skill/ext/secrets.h>

#include "call.h"
#include "artifacts.h"
#include "exec_inproc.h"
#include "extcall.h"
#include "hostapi.h"
#include "hostlog.h"
#include "loader.h"
#include "monotime.h"
#include "probe.h"
#include "sandbox.h"
#include "wire.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

/* The sandbox's seccomp filters, compiled at build time (seccomp_gen). */
extern const struct sandbox_bpf worker_bpf[2];

#ifdef SANITIZED
/* Read by the sanitizer runtime before main. The sandbox forbids what the
 * leak checker (ptrace from a cloned process) and the symbolizer (execve)
 * need, and a worker's memory cap is an RSS limit the host adds through
 * ASAN_OPTIONS, which take precedence over these. */
const char *__asan_default_options(void);
__attribute__((used, visibility("default"))) const char *
__asan_default_options(void)
{
	return "detect_leaks=0:symbolize=0:allocator_may_return_null=1";
}
#endif

#define CHAN_FD SANDBOX_WORKER_CHAN_FD
#define CTL_FD  4
/* The signal handlers' own stack, so a stack overflow is reported too. */
#define ALT_STACK_SIZE (64 * 1024)
/* Most bytes a secret or a setting may have when read through the host. */
#define VALUE_MAX ((size_t)4 * 1024 * 1024)

/* ---- the channel to the host ---- */

/* A frame from the host, copied out of the shared read buffer, with the
 * descriptor it carries (or -1). */
struct frame {
	uint16_t type;
	uint64_t id;
	size_t len;
	unsigned char *data;
	int fd;
};

struct pending {
	struct pending *next;
	uint64_t id;
	struct frame *reply;
};

static struct {
	int fd;
	pthread_mutex_t wlock; /* one whole frame at a time */
	pthread_mutex_t lock;  /* what follows */
	pthread_cond_t cv;
	int reading;           /* a thread is reading the socket */
	int dead;              /* the host went away or spoke garbage */
	struct wire_reader rd; /* used only by the reading thread */
	struct frame *main;    /* WELCOME, CALL or SHUTDOWN for main */
	struct pending *pending;
	uint64_t next_id;
	int64_t spin_ns; /* how long read_frame polls before sleeping */
} chan = {.fd = -1,
          .spin_ns = WIRE_SPIN_NS,
          .wlock = PTHREAD_MUTEX_INITIALIZER,
          .lock = PTHREAD_MUTEX_INITIALIZER,
          .cv = PTHREAD_COND_INITIALIZER};

/* How long a worker polls for its next frame while calls keep coming. A
 * client calling back to back sends every few tens of microseconds once
 * nobody sleeps, but a sleeping worker and its idle vCPU take 40-70 us to
 * wake, more than the call itself. So after a wait shorter than this the
 * worker polls this long for the next frame; after a longer one (an agent
 * thinking, a quiet server) it polls only WIRE_SPIN_NS, and an idle worker
 * costs nothing. The price is CPU: under a stream of calls spaced just
 * under this, a worker keeps one core busy, so the host caps it
 * (wire_ctl.spin_ns) to nothing when the machine has no CPU to spare. */
#define WORKER_SPIN_MAX_NS WIRE_SPIN_NEXT_NS

static struct wire_ctl *ctl;
static long page_size;
/* pid 1 of a PID namespace: a signal raised on itself would be ignored. */
static int ns_init;

static void frame_free(struct frame *f)
{
	if (f) {
		if (f->fd >= 0)
			close(f->fd);
		free(f->data);
		free(f);
	}
}

/* Read frames until one is complete; NULL when the stream ended or is
 * malformed. Only the thread that set chan.reading calls it. */
static struct frame *read_frame(void)
{
	struct wire_msg m;
	char why[160];

	for (;;) {
		int k = wire_next(&chan.rd, &m, why, sizeof why);
		struct frame *f;
		if (k < 0) {
			hostlog(SKILL_LOG_ERROR,
			        "worker: bad frame from the "
			        "host: %s",
			        why);
			return NULL;
		}
		if (k == 0) {
			int64_t t0 = call_now_ns(), waited;
			int64_t spin = chan.spin_ns;

			/* The next call often follows at once: poll for it
			 * before sleeping, long while calls keep coming (see
			 * WORKER_SPIN_MAX_NS), as long as the host allows. */
			if (ctl && atomic_load(&ctl->spin_ns) < spin)
				spin = atomic_load(&ctl->spin_ns);
			/* Then sleep in poll, not in recvmsg. A reader asleep
			 * in recvmsg on a unix socket is woken whenever the
			 * host reads one of our frames (freeing its buffer
			 * wakes writers on the same wait queue, whatever they
			 * wait for): one wasted wake-up and context switch per
			 * call, since the host reads our reply while we wait
			 * for the next call. poll is woken for input only. */
			if (!wire_spin_readable(chan.fd, spin))
				wire_wait_readable(chan.fd);
			if (wire_fill(&chan.rd, chan.fd) <= 0)
				return NULL;
			waited = call_now_ns() - t0;
			chan.spin_ns = waited <= WORKER_SPIN_MAX_NS
			                       ? WORKER_SPIN_MAX_NS
			                       : WIRE_SPIN_NS;
			continue;
		}
		f = calloc(1, sizeof *f);
		if (!f || !(f->data = malloc(m.len + 1))) {
			free(f);
			if (m.fd >= 0)
				close(m.fd);
			return NULL;
		}
		f->fd = m.fd;
		f->type = m.type;
		f->id = m.id;
		f->len = m.len;
		memcpy(f->data, m.p, m.len);
		f->data[m.len] = '\0';
		return f;
	}
}

/* Hand f to the thread it belongs to. Under chan.lock. */
static void route(struct frame *f)
{
	if (f->type == WIRE_REPLY) {
		for (struct pending *p = chan.pending; p; p = p->next)
			if (p->id == f->id && !p->reply) {
				p->reply = f;
				return;
			}
	} else if ((f->type == WIRE_WELCOME || f->type == WIRE_CALL ||
	            f->type == WIRE_SHUTDOWN) &&
	           !chan.main) {
		chan.main = f;
		return;
	}
	/* The host sends nothing else, and never two of these at once. */
	hostlog(SKILL_LOG_ERROR,
	        "worker: unexpected frame type %u from the "
	        "host",
	        f->type);
	frame_free(f);
	chan.dead = 1;
}

/* Wait until *slot holds a frame and take it; NULL when the host is
 * gone. */
static struct frame *chan_wait(struct frame **slot)
{
	struct frame *f;

	pthread_mutex_lock(&chan.lock);
	while (!*slot && !chan.dead) {
		if (chan.reading) {
			pthread_cond_wait(&chan.cv, &chan.lock);
			continue;
		}
		chan.reading = 1;
		pthread_mutex_unlock(&chan.lock);
		f = read_frame();
		pthread_mutex_lock(&chan.lock);
		chan.reading = 0;
		if (f)
			route(f);
		else
			chan.dead = 1;
		pthread_cond_broadcast(&chan.cv);
	}
	f = *slot;
	*slot = NULL;
	pthread_mutex_unlock(&chan.lock);
	return f;
}

/* Small result frames wait here for the next frame of any kind, almost
 * always the call's DONE, and go with it in one write: the host, asleep
 * for the reply, then wakes once per call instead of twice (the result,
 * then DONE a few microseconds later). Under chan.wlock; nothing in it is
 * secret (frames to be wiped are never held). */
#define HELD_MAX ((size_t)64 * 1024)
static unsigned char held[HELD_MAX];
static size_t held_len;

/* Send the frame in b (and clear it), after any held frames, with pass_fd
 * when it is not -1 (the caller keeps it); or hold it when hold is set and
 * it fits (never a frame with a descriptor). Returns 0, or -1 when the
 * host is gone. */
static int chan_xmit(struct wire_buf *b, int wipe, int hold, int pass_fd)
{
	int rc = -1;

	if (pass_fd >= 0)
		wire_mark_fd(b);
	if (wire_end(b, NULL) == SH_OK) {
		pthread_mutex_lock(&chan.wlock);
		rc = 0;
		if (!wipe && pass_fd < 0 && held_len + b->len <= HELD_MAX) {
			memcpy(held + held_len, b->data, b->len);
			held_len += b->len;
			if (!hold) {
				rc = wire_write_all(chan.fd, held, held_len, 0);
				held_len = 0;
			}
		} else {
			if (held_len)
				rc = wire_write_all(chan.fd, held, held_len, 0);
			held_len = 0;
			if (!rc)
				rc = wire_write_all_fd(chan.fd, b->data, b->len,
				                       pass_fd, 0);
		}
		pthread_mutex_unlock(&chan.wlock);
	}
	wire_buf_free(b, wipe);
	if (rc) {
		pthread_mutex_lock(&chan.lock);
		chan.dead = 1;
		pthread_cond_broadcast(&chan.cv);
		pthread_mutex_unlock(&chan.lock);
	}
	return rc;
}

static int chan_send(struct wire_buf *b, int wipe)
{
	return chan_xmit(b, wipe, 0, -1);
}

/* A result or tool error: it may wait for the call's DONE (see held). */
static int chan_send_result(struct wire_buf *b)
{
	return chan_xmit(b, 0, 1, -1);
}

static uint64_t chan_next_id(void)
{
	uint64_t id;

	pthread_mutex_lock(&chan.lock);
	id = ++chan.next_id;
	pthread_mutex_unlock(&chan.lock);
	return id;
}

/* Send the request in b (built with id), with pass_fd unless -1, and wait
 * for its reply; NULL when the host is gone. */
static struct frame *chan_request(struct wire_buf *b, uint64_t id, int wipe,
                                  int pass_fd)
{
	struct pending p = {.id = id};
	struct frame *reply;

	pthread_mutex_lock(&chan.lock);
	p.next = chan.pending;
	chan.pending = &p;
	pthread_mutex_unlock(&chan.lock);
	reply = chan_xmit(b, wipe, 0, pass_fd) ? NULL : chan_wait(&p.reply);
	pthread_mutex_lock(&chan.lock);
	for (struct pending **pp = &chan.pending; *pp; pp = &(*pp)->next)
		if (*pp == &p) {
			*pp = p.next;
			break;
		}
	pthread_mutex_unlock(&chan.lock);
	return reply;
}

/* The host's end closed: nobody is left to give a result to. */
static void *watchdog(void *arg)
{
	struct pollfd p = {chan.fd, POLLRDHUP, 0};

	(void)arg;
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	_exit(0);
	return NULL;
}

/* ---- crash reports ---- */

/* Our address space in bytes, from a signal handler too (open and read
 * are async-signal-safe). 0 when unknown. */
static uint64_t vm_bytes(void)
{
	char buf[64];
	uint64_t pages = 0;
	ssize_t n;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		pages = pages * 10 + (uint64_t)(buf[i] - '0');
	return pages * (uint64_t)page_size;
}

static void on_fatal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (ctl) {
		atomic_store(&ctl->crash_signal, sig);
		atomic_store(&ctl->crash_addr,
		             (uint64_t)(uintptr_t)si->si_addr);
		atomic_store(&ctl->crash_vm, vm_bytes());
		if (sig == SIGSYS) {
			/* A forbidden system call: say which and stop. */
			atomic_store(&ctl->crash_syscall, si->si_syscall);
			atomic_store(&ctl->crash_arch, si->si_arch);
			syscall(SYS_exit_group, WIRE_EXIT_VIOLATION);
		}
		if (ns_init)
			syscall(SYS_exit_group, WIRE_EXIT_SIGNAL);
	}
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

static void crash_handlers(void)
{
	static char stack[ALT_STACK_SIZE];
	/* SIGXCPU too: as pid 1 of a PID namespace, the worker would ignore
	 * it, and die later of SIGKILL at the hard limit. */
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE,
	                           SIGABRT, SIGSYS, SIGXCPU};
	stack_t ss = {.ss_sp = stack, .ss_size = sizeof stack};
	struct sigaction sa;

	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, NULL);
	/* A write past RLIMIT_FSIZE fails with EFBIG instead of killing. */
	(void)signal(SIGXFSZ, SIG_IGN);
	(void)signal(SIGPIPE, SIG_IGN);
}

/* ---- the skill's view of one call ---- */

struct whttp {
	struct whttp *next;
	uint32_t handle;
	skill_http_response_t resp;
	skill_http_header_t *headers;
	char *strings; /* every string the response points to */
};

/* Bytes written to an artifact, held until there are enough to be worth
 * a round trip to the host: a deck written 4 KiB at a time would
 * otherwise cost thousands of them. Up to WIRE_ART_INLINE bytes wait in
 * buf and go in a frame; past that they go to a memfd (mfd) that is
 * sealed and handed to the host whole, at commit or every
 * WIRE_ART_SEGMENT bytes, instead of being copied through the socket. */
struct wart {
	struct wart *next;
	uint32_t handle;
	char *buf;
	size_t len;
	uint64_t total;
	int mfd;     /* -1: none yet */
	size_t mlen; /* bytes in mfd */
	/* A write to mfd failed: what is in it is not what the skill wrote,
	 * so the artifact can only be discarded. */
	skill_status failed;
};

struct wcall {
	struct skill_call base; /* first: the skill's skill_call_t */
	uint64_t id;
	struct whttp *http;
	struct wart *arts; /* under arts_lock: skill threads may share */
	/* The arguments, parsed only when an arg_* accessor needs them:
	 * a skill that parses its args text itself never pays twice. */
	const char *args;
	size_t args_len;
	cJSON *parsed;
	/* parsed is final: read without parse_lock. Not pthread_once, which
	 * makes a futex system call every time it runs, so once per call. */
	_Atomic int parsed_done;
};

static pthread_mutex_t arts_lock = PTHREAD_MUTEX_INITIALIZER;

static const skill_entry_t *entry;
static void *skill_data;
static int offered[WIRE_EXT_COUNT]; /* host extensions the host forwards */

static struct wcall *wc(skill_call_t *c)
{
	return (struct wcall *)c;
}

static uint64_t call_id(skill_call_t *c)
{
	return c ? wc(c)->id : 0;
}

/* The local copy of a result block only served to check it the way the
 * host will; the host keeps the real one. */
static void drop_local(struct wcall *c)
{
	cJSON_Delete(c->base.content);
	c->base.content = NULL;
}

static void w_log(const skill_host_t *h, skill_call_t *call,
                  skill_log_level level, const char *msg)
{
	struct wire_buf b;

	(void)h;
	if (!msg)
		return;
	if ((int)level < SKILL_LOG_DEBUG || level > SKILL_LOG_EMERGENCY)
		level = SKILL_LOG_ERROR;
	wire_buf_init(&b);
	wire_begin(&b, WIRE_LOG, call_id(call));
	wire_put_u32(&b, (uint32_t)level);
	wire_put_str(&b, msg);
	chan_send(&b, 0);
}

static void w_progress(skill_call_t *call, double progress, double total,
                       const char *message)
{
	struct wire_buf b;

	/* The host refuses non-finite numbers as malformed; a skill's NaN is
	 * dropped here instead of ending its worker. */
	if (!call || !isfinite(progress))
		return;
	wire_buf_init(&b);
	wire_begin(&b, WIRE_PROGRESS, call_id(call));
	wire_put_f64(&b, progress);
	wire_put_f64(&b, isfinite(total) ? total : 0);
	wire_put_nstr(&b, message);
	chan_send(&b, 0);
}

static int w_is_cancelled(skill_call_t *call)
{
	return call_is_cancelled(&wc(call)->base);
}

static int64_t w_remaining_ms(skill_call_t *call)
{
	return call_remaining_ms(&wc(call)->base);
}

/* Send a result frame whose checks already passed locally. */
static skill_status send_blob(skill_call_t *call, enum wire_type t,
                              const void *p, size_t n)
{
	struct wire_buf b;

	wire_buf_init(&b);
	wire_begin(&b, t, call_id(call));
	wire_put_bytes(&b, p, n);
	return chan_send_result(&b) ? SKILL_ERR_IO : SKILL_OK;
}

/* Text the local check refused (not UTF-8, a NUL) goes to the host all
 * the same: the host refuses it too, and it is the host that tells the
 * client which field was refused and why. The skill gets the refusal. */
static skill_status refused(skill_call_t *call, enum wire_type t, const void *p,
                            size_t n)
{
	send_blob(call, t, p, n);
	return SKILL_ERR_ARGS;
}

static skill_status w_result_text(skill_call_t *call, const char *text,
                                  size_t len)
{
	struct skill_call *c = &wc(call)->base;

	/* The checks of call_result_text, so the skill gets the status the
	 * host would give, without a round trip. */
	if (!text)
		return SKILL_ERR_ARGS;
	if (len == SKILL_NUL_TERMINATED)
		len = strlen(text);
	if (!call_text_ok(c, "result_text", text, len, 0))
		return refused(call, WIRE_RESULT_TEXT, text, len);
	if (len > CALL_RESULT_MAX || c->bytes > CALL_RESULT_MAX - len)
		return SKILL_ERR_NOMEM;
	c->bytes += len;
	return send_blob(call, WIRE_RESULT_TEXT, text, len);
}

static skill_status w_result_json(skill_call_t *call, const char *json,
                                  size_t len)
{
	skill_status st;
	unsigned n;

	if (!json)
		return SKILL_ERR_ARGS;
	if (len == SKILL_NUL_TERMINATED)
		len = strlen(json);
	n = wc(call)->base.nrefused;
	st = call_result_json(&wc(call)->base, json, len);
	if (st != SKILL_OK)
		return wc(call)->base.nrefused != n
		               ? refused(call, WIRE_RESULT_JSON, json, len)
		               : st;
	return send_blob(call, WIRE_RESULT_JSON, json, len);
}

static skill_status w_result_media(skill_call_t *call, const char *mime,
                                   const void *data, size_t len)
{
	struct wire_buf b;
	skill_status st = call_result_media(&wc(call)->base, mime, data, len);

	drop_local(wc(call));
	if (st != SKILL_OK)
		return st;
	wire_buf_init(&b);
	wire_begin(&b, WIRE_RESULT_MEDIA, call_id(call));
	wire_put_str(&b, mime);
	wire_put_bytes(&b, data, len);
	return chan_send_result(&b) ? SKILL_ERR_IO : SKILL_OK;
}

static skill_status w_result_resource(skill_call_t *call,
                                      const skill_resource_t *r)
{
	skill_resource_t res;
	struct wire_buf b;
	unsigned n = wc(call)->base.nrefused;
	skill_status st = call_result_resource(&wc(call)->base, r);

	drop_local(wc(call));
	if (st != SKILL_OK && wc(call)->base.nrefused == n)
		return st;
	/* Passed the checks, so r is big enough and exactly one of text and
	 * blob is set. */
	memset(&res, 0, sizeof res);
	memcpy(&res, r,
	       r->struct_size < sizeof res ? r->struct_size : sizeof res);
	wire_buf_init(&b);
	wire_begin(&b, WIRE_RESULT_RESOURCE, call_id(call));
	wire_put_str(&b, res.uri);
	wire_put_nstr(&b, res.mime_type);
	wire_put_nbytes(&b, res.text,
	                res.text ? (res.text_len == SKILL_NUL_TERMINATED
	                                    ? strlen(res.text)
	                                    : res.text_len)
	                         : 0);
	wire_put_nbytes(&b, res.blob, res.blob ? res.blob_len : 0);
	/* A refused one goes to the host too; see refused(). */
	return chan_send_result(&b) ? SKILL_ERR_IO : st;
}

static skill_status w_result_link(skill_call_t *call,
                                  const skill_resource_link_t *l)
{
	skill_resource_link_t link;
	struct wire_buf b;
	unsigned n = wc(call)->base.nrefused;
	skill_status st = call_result_link(&wc(call)->base, l);

	drop_local(wc(call));
	if (st != SKILL_OK && wc(call)->base.nrefused == n)
		return st;
	memset(&link, 0, sizeof link);
	memcpy(&link, l,
	       l->struct_size < sizeof link ? l->struct_size : sizeof link);
	wire_buf_init(&b);
	wire_begin(&b, WIRE_RESULT_LINK, call_id(call));
	wire_put_str(&b, link.uri);
	wire_put_str(&b, link.name);
	wire_put_nstr(&b, link.title);
	wire_put_nstr(&b, link.description);
	wire_put_nstr(&b, link.mime_type);
	wire_put_i64(&b, link.size);
	/* A refused one goes to the host too; see refused(). */
	return chan_send_result(&b) ? SKILL_ERR_IO : st;
}

static skill_status w_tool_error(skill_call_t *call, const char *message)
{
	struct wire_buf b;

	call_tool_error(&wc(call)->base, message);
	drop_local(wc(call));
	wire_buf_init(&b);
	wire_begin(&b, WIRE_TOOL_ERROR, call_id(call));
	wire_put_nstr(&b, message);
	chan_send_result(&b);
	return SKILL_OK;
}

/* Only skill threads that reach for a call's arguments at the same time
 * as its first parse ever wait here. */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

static struct skill_call *with_args(skill_call_t *c)
{
	struct wcall *w = wc(c);

	if (!atomic_load_explicit(&w->parsed_done, memory_order_acquire)) {
		pthread_mutex_lock(&parse_lock);
		if (!atomic_load_explicit(&w->parsed_done,
		                          memory_order_relaxed)) {
			w->parsed = cJSON_ParseWithLength(w->args, w->args_len);
			w->base.args = w->parsed;
			atomic_store_explicit(&w->parsed_done, 1,
			                      memory_order_release);
		}
		pthread_mutex_unlock(&parse_lock);
	}
	return &w->base;
}

static const char *w_arg_string(skill_call_t *c, const char *path)
{
	return call_arg_string(with_args(c), path);
}

static int w_arg_number(skill_call_t *c, const char *path, double *out)
{
	return call_arg_number(with_args(c), path, out);
}

static int w_arg_bool(skill_call_t *c, const char *path, int *out)
{
	return call_arg_bool(with_args(c), path, out);
}

static int64_t w_arg_count(skill_call_t *c, const char *path)
{
	return call_arg_count(with_args(c), path);
}

static const char *w_arg_json(skill_call_t *c, const char *path)
{
	return call_arg_json(with_args(c), path);
}

/* ---- host extensions, forwarded ---- */

/* Start an EXT_CALL request in b; returns its id. */
static uint64_t ext_begin(struct wire_buf *b, skill_call_t *call,
                          enum wire_ext x, enum wire_fn fn)
{
	uint64_t id = chan_next_id();

	wire_buf_init(b);
	wire_begin(b, WIRE_EXT_CALL, id);
	wire_put_u64(b, call_id(call));
	wire_put_u16(b, (uint16_t)x);
	wire_put_u16(b, (uint16_t)fn);
	return id;
}

/* Send and decode: *r is positioned on the reply payload. Returns the
 * frame (free it) or NULL when the host is gone. */
static struct frame *ext_call_fd(struct wire_buf *b, uint64_t id,
                                 struct wire_rd *r, int wipe, int pass_fd)
{
	struct frame *f = chan_request(b, id, wipe, pass_fd);
	struct wire_msg m;

	if (!f)
		return NULL;
	m.type = f->type;
	m.id = f->id;
	m.p = f->data;
	m.len = f->len;
	m.fd = -1;
	wire_rd_init(r, &m);
	return f;
}

static struct frame *ext_call(struct wire_buf *b, uint64_t id,
                              struct wire_rd *r, int wipe)
{
	return ext_call_fd(b, id, r, wipe, -1);
}

static void reply_done(struct frame *f, int wipe)
{
	if (f && wipe)
		sodium_memzero(f->data, f->len);
	frame_free(f);
}

/* Copy a value reply (i64 full length, bytes) into a caller's buffer the
 * way skill.config/1 and skill.secrets/1 do. */
static int64_t value_reply(struct frame *f, struct wire_rd *r, char *buf,
                           size_t cap)
{
	int64_t ret = wire_get_i64(r);
	size_t n;
	const char *v = wire_get_bytes(r, &n);

	if (!wire_rd_done(r))
		ret = -1;
	else if (buf && cap) {
		size_t copy = n < cap - 1 ? n : cap - 1;
		memcpy(buf, v, copy);
		buf[copy] = '\0';
	}
	reply_done(f, 1);
	return ret;
}

static size_t value_cap(size_t cap)
{
	return cap < VALUE_MAX ? cap : VALUE_MAX;
}

static int64_t w_config_get(const skill_host_t *h, const char *key, char *buf,
                            size_t cap)
{
	struct wire_buf b;
	struct wire_rd r;
	struct frame *f;
	uint64_t id;

	(void)h;
	if (!key)
		return -1;
	id = ext_begin(&b, NULL, WIRE_EXT_CONFIG, WIRE_CONFIG_GET);
	wire_put_str(&b, key);
	wire_put_u64(&b, value_cap(cap));
	f = ext_call(&b, id, &r, 0);
	return f ? value_reply(f, &r, buf, cap) : -1;
}

static int64_t w_secrets_get(skill_call_t *call, const char *name, char *buf,
                             size_t cap)
{
	struct wire_buf b;
	struct wire_rd r;
	struct frame *f;
	uint64_t id;

	if (!name)
		return -1;
	id = ext_begin(&b, call, WIRE_EXT_SECRETS, WIRE_SECRETS_GET);
	wire_put_str(&b, name);
	wire_put_u64(&b, value_cap(cap));
	f = ext_call(&b, id, &r, 0);
	return f ? value_reply(f, &r, buf, cap) : -1;
}

/* A reply that is just a status. */
static skill_status status_reply(struct frame *f, struct wire_rd *r)
{
	uint32_t st;

	if (!f)
		return SKILL_ERR_IO;
	st = wire_get_u32(r);
	if (!wire_rd_done(r))
		st = SKILL_ERR_INTERNAL;
	frame_free(f);
	return (skill_status)st;
}

static uint32_t handle_of(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

static skill_status w_art_create(skill_call_t *call, const char *filename,
                                 const char *mime, skill_artifact_t **out)
{
	struct wire_buf b;
	struct wire_rd r;
	struct frame *f;
	uint32_t st, h;
	uint64_t id;

	if (!out)
		return SKILL_ERR_ARGS;
	*out = NULL;
	if (!filename || !mime)
		return SKILL_ERR_ARGS;
	id = ext_begin(&b, call, WIRE_EXT_ARTIFACTS, WIRE_ART_CREATE);
	wire_put_str(&b, filename);
	wire_put_str(&b, mime);
	if (!(f = ext_call(&b, id, &r, 0)))
		return SKILL_ERR_IO;
	st = wire_get_u32(&r);
	h = wire_get_u32(&r);
	if (!wire_rd_done(&r))
		st = SKILL_ERR_INTERNAL;
	frame_free(f);
	/* The host's handle number stands in for the pointer: the skill
	 * treats handles as opaque, and the host checks every number. */
	if (st == SKILL_OK)
		/* A handle number the skill only passes back, never
		 * dereferenced. */
		// NOLINTNEXTLINE(performance-no-int-to-ptr)
		*out = (skill_artifact_t *)(uintptr_t)h;
	return (skill_status)st;
}

static skill_status send_art(skill_call_t *call, uint32_t handle,
                             const void *data, size_t len)
{
	const char *p = data;

	do {
		size_t n = len < WIRE_CHUNK ? len : WIRE_CHUNK;
		struct wire_buf b;
		struct wire_rd r;
		skill_status st;
		uint64_t id =
		        ext_begin(&b, call, WIRE_EXT_ARTIFACTS, WIRE_ART_WRITE);
		wire_put_u32(&b, handle);
		wire_put_bytes(&b, p, n);
		st = status_reply(ext_call(&b, id, &r, 0), &r);
		if (st != SKILL_OK)
			return st;
		p += n;
		len -= n;
	} while (len);
	return SKILL_OK;
}

static void handle_only(skill_call_t *call, enum wire_ext x, enum wire_fn fn,
                        uint32_t h);

/* The buffer of handle in call, created when create is set; NULL when
 * absent or out of memory. Caller holds arts_lock. */
static struct wart *art_buffer(skill_call_t *call, uint32_t handle, int create)
{
	struct wart *a;

	for (a = wc(call)->arts; a; a = a->next)
		if (a->handle == handle)
			return a;
	if (!create || !(a = calloc(1, sizeof *a)))
		return NULL;
	a->mfd = -1;
	a->handle = handle;
	a->next = wc(call)->arts;
	wc(call)->arts = a;
	return a;
}

/* Write n bytes at p to fd; 0, or -1 with errno. */
static int write_fd_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Seal a's memfd and hand it to the host, which appends its bytes to the
 * artifact; then forget it. Caller holds arts_lock. */
static skill_status send_segment(skill_call_t *call, struct wart *a)
{
	struct wire_buf b;
	struct wire_rd r;
	skill_status st;
	uint64_t id;

	/* The host refuses a memfd that could still change under it. */
	if (fcntl(a->mfd, F_ADD_SEALS,
	          F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)) {
		st = SKILL_ERR_IO;
	} else {
		id = ext_begin(&b, call, WIRE_EXT_ARTIFACTS,
		               WIRE_ART_APPEND_FD);
		wire_put_u32(&b, a->handle);
		wire_put_u64(&b, a->mlen);
		st = status_reply(ext_call_fd(&b, id, &r, 0, a->mfd), &r);
	}
	close(a->mfd);
	a->mfd = -1;
	a->mlen = 0;
	return st;
}

/* Move what buf holds, and then len bytes at data, into a's memfd
 * (created on first use); small writes wait in buf, so the memfd gets one
 * write() per WIRE_ART_INLINE bytes, not one per write of the skill's.
 * Send the memfd when it reaches WIRE_ART_SEGMENT. Caller holds
 * arts_lock. */
static skill_status art_spill(skill_call_t *call, struct wart *a,
                              const void *data, size_t len)
{
	if (a->mfd < 0) {
		a->mfd = memfd_create("skillhost-artifact",
		                      MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (a->mfd < 0)
			return errno == ENOMEM ? SKILL_ERR_NOMEM : SKILL_ERR_IO;
	}
	if (a->len && write_fd_all(a->mfd, a->buf, a->len))
		goto failed;
	a->mlen += a->len;
	a->len = 0;
	if (len >= WIRE_ART_INLINE) {
		if (write_fd_all(a->mfd, data, len))
			goto failed;
		a->mlen += len;
	} else if (len) {
		memcpy(a->buf, data, len);
		a->len = len;
	}
	return a->mlen >= WIRE_ART_SEGMENT ? send_segment(call, a) : SKILL_OK;
failed:
	return a->failed = errno == ENOSPC || errno == ENOMEM ? SKILL_ERR_NOMEM
	                                                      : SKILL_ERR_IO;
}

/* Send what is buffered for a. Caller holds arts_lock. */
static skill_status art_flush(skill_call_t *call, struct wart *a)
{
	skill_status st = SKILL_OK;

	if (a && a->failed) {
		st = a->failed;
	} else if (a && a->mfd >= 0) {
		if (a->len && write_fd_all(a->mfd, a->buf, a->len))
			st = SKILL_ERR_IO;
		a->mlen += a->len;
		a->len = 0;
		if (st == SKILL_OK)
			st = send_segment(call, a);
	} else if (a && a->len) {
		st = send_art(call, a->handle, a->buf, a->len);
		a->len = 0;
	}
	return st;
}

/* Forget a's buffer (after commit or discard). Caller holds arts_lock. */
static void art_drop(skill_call_t *call, struct wart *a)
{
	for (struct wart **p = &wc(call)->arts; a && *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			if (a->mfd >= 0)
				close(a->mfd);
			free(a->buf);
			free(a);
			return;
		}
}

static skill_status w_art_write(skill_call_t *call, skill_artifact_t *art,
                                const void *data, size_t len)
{
	skill_status st = SKILL_OK;
	struct wart *a;

	if (!data && len)
		return SKILL_ERR_ARGS;
	pthread_mutex_lock(&arts_lock);
	a = art_buffer(call, handle_of(art), 1);
	if (!a) {
		st = SKILL_ERR_NOMEM;
		goto out;
	}
	if (a->failed) {
		st = a->failed;
		goto out;
	}
	/* The host's cap, checked here too so the error comes at the write
	 * that crosses it, as in-process. */
	if (len > ARTIFACT_MAX_BYTES - a->total) {
		st = SKILL_ERR_NOMEM;
		goto out;
	}
	if (!a->buf && !(a->buf = malloc(WIRE_ART_INLINE))) {
		st = SKILL_ERR_NOMEM;
		goto out;
	}
	if (a->len + len > WIRE_ART_INLINE) {
		st = art_spill(call, a, data, len);
	} else if (len) {
		/* data may be NULL when len is 0, which memcpy may not get. */
		memcpy(a->buf + a->len, data, len);
		a->len += len;
	}
	if (st == SKILL_OK)
		a->total += len;
out:
	pthread_mutex_unlock(&arts_lock);
	return st;
}

/* A field too small for the value stays empty, as the host leaves it. */
static void copy_field(char *dst, size_t cap, const char *src)
{
	if (snprintf(dst, cap, "%s", src ? src : "") >= (int)cap)
		dst[0] = '\0';
}

static skill_status w_art_commit(skill_call_t *call, skill_artifact_t *art,
                                 skill_artifact_info_t *info)
{
	struct wire_buf b;
	struct wire_rd r;
	skill_artifact_info_t got;
	const char *aid, *uri, *path;
	struct frame *f;
	uint32_t st;
	uint64_t id, bytes;

	pthread_mutex_lock(&arts_lock);
	{
		struct wart *a = art_buffer(call, handle_of(art), 0);
		skill_status fst = art_flush(call, a);
		art_drop(call, a);
		if (fst != SKILL_OK) {
			pthread_mutex_unlock(&arts_lock);
			/* The host discards the artifact: a failed write left
			 * it unusable, as the ABI says. */
			handle_only(call, WIRE_EXT_ARTIFACTS, WIRE_ART_DISCARD,
			            handle_of(art));
			return fst;
		}
	}
	pthread_mutex_unlock(&arts_lock);
	id = ext_begin(&b, call, WIRE_EXT_ARTIFACTS, WIRE_ART_COMMIT);
	wire_put_u32(&b, handle_of(art));
	if (!(f = ext_call(&b, id, &r, 0)))
		return SKILL_ERR_IO;
	st = wire_get_u32(&r);
	bytes = wire_get_u64(&r);
	aid = wire_get_str(&r);
	uri = wire_get_str(&r);
	path = wire_get_str(&r);
	memset(&got, 0, sizeof got);
	got.size = wire_get_i64(&r);
	if (!wire_rd_done(&r)) {
		frame_free(f);
		return SKILL_ERR_INTERNAL;
	}
	/* The host added a resource link to the result: its byte count is
	 * the one that counts against the result cap. */
	wc(call)->base.bytes = (size_t)bytes;
	copy_field(got.id, sizeof got.id, aid);
	copy_field(got.uri, sizeof got.uri, uri);
	copy_field(got.path, sizeof got.path, path);
	frame_free(f);
	/* Like the host: the fields are filled only when the skill's struct
	 * holds them all. */
	if (st == SKILL_OK && info &&
	    info->struct_size >=
	            offsetof(skill_artifact_info_t, size) + sizeof info->size) {
		memcpy(info->id, got.id, sizeof got.id);
		memcpy(info->uri, got.uri, sizeof got.uri);
		memcpy(info->path, got.path, sizeof got.path);
		info->size = got.size;
	}
	return (skill_status)st;
}

/* A request whose reply carries nothing the skill needs. */
static void handle_only(skill_call_t *call, enum wire_ext x, enum wire_fn fn,
                        uint32_t h)
{
	struct wire_buf b;
	struct wire_rd r;
	uint64_t id = ext_begin(&b, call, x, fn);

	wire_put_u32(&b, h);
	frame_free(ext_call(&b, id, &r, 0));
}

static void w_art_discard(skill_call_t *call, skill_artifact_t *art)
{
	pthread_mutex_lock(&arts_lock);
	art_drop(call, art_buffer(call, handle_of(art), 0));
	pthread_mutex_unlock(&arts_lock);
	handle_only(call, WIRE_EXT_ARTIFACTS, WIRE_ART_DISCARD, handle_of(art));
}

static skill_status w_art_open_input(skill_call_t *call, const char *path,
                                     skill_input_t **out, int64_t *size)
{
	struct wire_buf b;
	struct wire_rd r;
	struct frame *f;
	uint32_t st, h;
	int64_t sz;
	uint64_t id;

	if (!out)
		return SKILL_ERR_ARGS;
	*out = NULL;
	if (!path)
		return SKILL_ERR_ARGS;
	id = ext_begin(&b, call, WIRE_EXT_ARTIFACTS, WIRE_ART_OPEN_INPUT);
	wire_put_str(&b, path);
	if (!(f = ext_call(&b, id, &r, 0)))
		return SKILL_ERR_IO;
	st = wire_get_u32(&r);
	h = wire_get_u32(&r);
	sz = wire_get_i64(&r);
	if (!wire_rd_done(&r))
		st = SKILL_ERR_INTERNAL;
	frame_free(f);
	if (st == SKILL_OK) {
		/* A handle number the skill only passes back, never
		 * dereferenced. */
		// NOLINTNEXTLINE(performance-no-int-to-ptr)
		*out = (skill_input_t *)(uintptr_t)h;
		if (size)
			*size = sz;
	}
	return (skill_status)st;
}

static int64_t w_art_read(skill_call_t *call, skill_input_t *in, void *buf,
                          size_t cap)
{
	struct wire_buf b;
	struct wire_rd r;
	struct frame *f;
	const char *data;
	int64_t n;
	size_t len;
	uint64_t id;

	if (!buf && cap)
		return -1;
	id = ext_begin(&b, call, WIRE_EXT_ARTIFACTS, WIRE_ART_READ);
	wire_put_u32(&b, handle_of(in));
	wire_put_u64(&b, cap < WIRE_CHUNK ? cap : WIRE_CHUNK);
	if (!(f = ext_call(&b, id, &r, 0)))
		return -1;
	n = wire_get_i64(&r);
	data = wire_get_bytes(&r, &len);
	if (!wire_rd_done(&r) || n > (int64_t)len || (uint64_t)len > cap)
		n = -1;
	else if (n > 0)
		memcpy(buf, data, (size_t)n);
	frame_free(f);
	return n;
}

static void w_art_close_input(skill_call_t *call, skill_input_t *in)
{
	handle_only(call, WIRE_EXT_ARTIFACTS, WIRE_ART_CLOSE_INPUT,
	            handle_of(in));
}

static void http_free(struct whttp *h)
{
	if (h) {
		free(h->headers);
		free(h->strings);
		free(h);
	}
}

/* Copy the response in r into a response the skill may keep until the
 * call ends. NULL when out of memory or malformed. */
static struct whttp *http_copy(struct wire_rd *r, uint32_t handle)
{
	struct whttp *h = calloc(1, sizeof *h);
	const char *hn[WIRE_HTTP_HEADERS_MAX], *hv[WIRE_HTTP_HEADERS_MAX];
	const char *body, *url;
	size_t body_len, total = 0, off = 0;
	uint32_t n;
	int32_t status;

	if (!h)
		return NULL;
	status = (int32_t)wire_get_u32(r);
	n = wire_get_u32(r);
	if (n > WIRE_HTTP_HEADERS_MAX)
		r->bad = 1;
	for (uint32_t i = 0; !r->bad && i < n; i++) {
		hn[i] = wire_get_str(r);
		hv[i] = wire_get_str(r);
		if (!r->bad)
			total += strlen(hn[i]) + strlen(hv[i]) + 2;
	}
	/* Here, not only at wire_rd_done below: a frame that went bad part
	 * way through the headers left the rest of hn and hv unset. */
	if (r->bad)
		goto fail;
	body = wire_get_bytes(r, &body_len);
	url = wire_get_nstr(r);
	if (!wire_rd_done(r))
		goto fail;
	total += body_len + 1 + (url ? strlen(url) + 1 : 0);
	h->strings = malloc(total ? total : 1);
	h->headers = calloc(n ? n : 1, sizeof *h->headers);
	if (!h->strings || !h->headers)
		goto fail;
	for (uint32_t i = 0; i < n; i++) {
		size_t a = strlen(hn[i]) + 1, v = strlen(hv[i]) + 1;
		memcpy(h->strings + off, hn[i], a);
		h->headers[i].name = h->strings + off;
		off += a;
		memcpy(h->strings + off, hv[i], v);
		h->headers[i].value = h->strings + off;
		off += v;
	}
	memcpy(h->strings + off, body, body_len + 1);
	h->resp.body = h->strings + off;
	off += body_len + 1;
	if (url) {
		memcpy(h->strings + off, url, strlen(url) + 1);
		h->resp.final_url = h->strings + off;
	}
	h->resp.struct_size = sizeof h->resp;
	h->resp.status = status;
	h->resp.headers = h->headers;
	h->resp.header_count = n;
	h->resp.body_len = body_len;
	h->handle = handle;
	return h;
fail:
	http_free(h);
	return NULL;
}

static skill_status w_http_request(skill_call_t *call,
                                   const skill_http_request_t *req,
                                   const skill_http_response_t **resp)
{
	skill_http_request_t q;
	struct wire_buf b;
	struct wire_rd r;
	struct whttp *h;
	struct frame *f;
	uint32_t st, handle;
	uint64_t id;

	if (!resp)
		return SKILL_ERR_ARGS;
	*resp = NULL;
	if (!req || req->struct_size < offsetof(skill_http_request_t, url) +
	                                       sizeof req->url)
		return SKILL_ERR_ARGS;
	memset(&q, 0, sizeof q);
	memcpy(&q, req,
	       req->struct_size < sizeof q ? req->struct_size : sizeof q);
	if (!q.method || !q.url || q.header_count > WIRE_HTTP_HEADERS_MAX ||
	    (q.header_count && !q.headers) || (!q.body && q.body_len))
		return SKILL_ERR_ARGS;
	for (size_t i = 0; i < q.header_count; i++)
		if (!q.headers[i].name || !q.headers[i].value)
			return SKILL_ERR_ARGS;
	id = ext_begin(&b, call, WIRE_EXT_HTTP, WIRE_HTTP_REQUEST);
	wire_put_str(&b, q.method);
	wire_put_str(&b, q.url);
	wire_put_u32(&b, (uint32_t)q.header_count);
	for (size_t i = 0; i < q.header_count; i++) {
		wire_put_str(&b, q.headers[i].name);
		wire_put_str(&b, q.headers[i].value);
	}
	wire_put_nbytes(&b, q.body, q.body_len);
	wire_put_i64(&b, q.timeout_ms);
	wire_put_i64(&b, q.max_response_bytes);
	/* Request headers may carry credentials. */
	if (!(f = ext_call(&b, id, &r, 1)))
		return SKILL_ERR_IO;
	st = wire_get_u32(&r);
	handle = wire_get_u32(&r);
	if (st != SKILL_OK) {
		if (!wire_rd_done(&r))
			st = SKILL_ERR_INTERNAL;
		frame_free(f);
		return (skill_status)st;
	}
	h = http_copy(&r, handle);
	frame_free(f);
	if (!h)
		return SKILL_ERR_NOMEM;
	h->next = wc(call)->http;
	wc(call)->http = h;
	*resp = &h->resp;
	return SKILL_OK;
}

static void w_http_response_free(skill_call_t *call,
                                 const skill_http_response_t *resp)
{
	for (struct whttp **p = &wc(call)->http; *p; p = &(*p)->next)
		if (&(*p)->resp == resp) {
			struct whttp *h = *p;
			*p = h->next;
			handle_only(call, WIRE_EXT_HTTP,
			            WIRE_HTTP_RESPONSE_FREE, h->handle);
			http_free(h);
			return;
		}
}

static const char *w_http_header(const skill_http_response_t *resp,
                                 const char *name)
{
	if (!resp || !name)
		return NULL;
	for (size_t i = 0; i < resp->header_count; i++)
		if (!strcasecmp(resp->headers[i].name, name))
			return resp->headers[i].value;
	return NULL;
}

static const skill_ext_config_t config_ext = {
        .struct_size = sizeof(skill_ext_config_t),
        .get = w_config_get,
};

static const skill_ext_artifacts_t w_artifacts_ext = {
        .struct_size = sizeof(skill_ext_artifacts_t),
        .create = w_art_create,
        .write = w_art_write,
        .commit = w_art_commit,
        .discard = w_art_discard,
        .open_input = w_art_open_input,
        .read = w_art_read,
        .close_input = w_art_close_input,
};

static const skill_ext_http_t http_ext = {
        .struct_size = sizeof(skill_ext_http_t),
        .request = w_http_request,
        .response_free = w_http_response_free,
        .header = w_http_header,
};

static const skill_ext_secrets_t secrets_ext = {
        .struct_size = sizeof(skill_ext_secrets_t),
        .get = w_secrets_get,
};

/* skill.elicit/1 and skill.sample/1: the host asks and waits; the
 * answer's strings are kept with the call until it ends. */
static const char *keep(skill_call_t *call, const char *s)
{
	return s ? call_keep(&wc(call)->base, strdup(s)) : NULL;
}

static skill_status w_elicit(skill_call_t *call,
                             const skill_elicit_request_t *req,
                             skill_elicit_result_t *out)
{
	struct wire_buf b;
	struct wire_rd r;
	struct frame *f;
	uint64_t id;
	uint32_t st, action;
	const char *content;

	if (!out || out->struct_size < sizeof *out || !req ||
	    req->struct_size < sizeof *req || !req->message ||
	    !req->requested_schema)
		return SKILL_ERR_ARGS;
	id = ext_begin(&b, call, WIRE_EXT_ELICIT, WIRE_ELICIT_ASK);
	wire_put_str(&b, req->message);
	wire_put_str(&b, req->requested_schema);
	if (!(f = ext_call(&b, id, &r, 0)))
		return SKILL_ERR_IO;
	st = wire_get_u32(&r);
	action = wire_get_u32(&r);
	content = wire_get_nstr(&r);
	if (!wire_rd_done(&r))
		st = SKILL_ERR_INTERNAL;
	if (st == SKILL_OK) {
		out->action = (skill_elicit_action)action;
		out->content = keep(call, content);
		out->content_len = out->content ? strlen(out->content) : 0;
		if (content && !out->content)
			st = SKILL_ERR_NOMEM;
	}
	frame_free(f);
	return (skill_status)st;
}

static skill_status w_sample(skill_call_t *call,
                             const skill_sample_request_t *req,
                             skill_sample_result_t *out)
{
	struct wire_buf b;
	struct wire_rd r;
	struct frame *f;
	uint64_t id;
	uint32_t st;
	const char *v[5];

	if (!out || out->struct_size < sizeof *out || !req ||
	    req->struct_size < sizeof *req || !req->messages ||
	    req->message_count > WIRE_SAMPLE_MESSAGES_MAX)
		return SKILL_ERR_ARGS;
	for (size_t i = 0; i < req->message_count; i++)
		if (req->messages[i].struct_size < sizeof req->messages[i] ||
		    !req->messages[i].role || !req->messages[i].text)
			return SKILL_ERR_ARGS;
	id = ext_begin(&b, call, WIRE_EXT_SAMPLE, WIRE_SAMPLE_ASK);
	wire_put_u32(&b, (uint32_t)req->message_count);
	for (size_t i = 0; i < req->message_count; i++) {
		wire_put_str(&b, req->messages[i].role);
		wire_put_str(&b, req->messages[i].text);
	}
	wire_put_nstr(&b, req->system_prompt);
	wire_put_u32(&b, req->max_tokens);
	wire_put_nstr(&b, req->model_preferences);
	if (!(f = ext_call(&b, id, &r, 0)))
		return SKILL_ERR_IO;
	st = wire_get_u32(&r);
	for (int i = 0; i < 5; i++)
		v[i] = wire_get_nstr(&r);
	if (!wire_rd_done(&r))
		st = SKILL_ERR_INTERNAL;
	if (st == SKILL_OK) {
		out->role = keep(call, v[0]);
		out->text = keep(call, v[1]);
		out->content = keep(call, v[2]);
		out->model = keep(call, v[3]);
		out->stop_reason = keep(call, v[4]);
		if (!out->content)
			st = SKILL_ERR_NOMEM;
	}
	frame_free(f);
	return (skill_status)st;
}

static const skill_ext_elicit_t elicit_ext = {
        .struct_size = sizeof(skill_ext_elicit_t),
        .elicit = w_elicit,
};

static const skill_ext_sample_t sample_ext = {
        .struct_size = sizeof(skill_ext_sample_t),
        .sample = w_sample,
};

static const void *const ext_tables[WIRE_EXT_COUNT] = {
        [WIRE_EXT_ELICIT] = &elicit_ext,
        [WIRE_EXT_SAMPLE] = &sample_ext,
        [WIRE_EXT_CONFIG] = &config_ext,
        [WIRE_EXT_ARTIFACTS] = &w_artifacts_ext,
        [WIRE_EXT_HTTP] = &http_ext,
        [WIRE_EXT_SECRETS] = &secrets_ext,
};

static const void *w_get_extension(const skill_host_t *h, const char *id)
{
	enum wire_ext x = wire_ext_from_id(id);

	(void)h;
	return x && offered[x] ? ext_tables[x] : NULL;
}

static skill_host_t host_api;

static void host_api_init(void)
{
	static const skill_abi_t abi = SKILL_ABI_CURRENT;

	host_api.struct_size = sizeof host_api;
	host_api.abi = abi;
	host_api.name = "skillhost";
	host_api.version = SKILLHOST_VERSION;
	host_api.get_extension = w_get_extension;
	host_api.log = w_log;
	host_api.progress = w_progress;
	host_api.is_cancelled = w_is_cancelled;
	host_api.remaining_ms = w_remaining_ms;
	host_api.result_text = w_result_text;
	host_api.result_json = w_result_json;
	host_api.result_media = w_result_media;
	host_api.result_resource = w_result_resource;
	host_api.result_link = w_result_link;
	host_api.tool_error = w_tool_error;
	host_api.arg_string = w_arg_string;
	host_api.arg_number = w_arg_number;
	host_api.arg_bool = w_arg_bool;
	host_api.arg_count = w_arg_count;
	host_api.arg_json = w_arg_json;
}

/* ---- serving ---- */

struct serve_opts {
	const char *lib, *bundle, *scratch;
	uint64_t memory;
	unsigned threads;
};

static int send_hello(const struct loaded_skill *ls,
                      const struct sandbox_report *sb)
{
	struct wire_buf b;
	char *names;
	size_t len = 1, off = 0;

	for (uint32_t i = 0; i < ls->desc->ntools; i++)
		len += strlen(ls->desc->tools[i].name) + 1;
	if (!(names = malloc(len)))
		return -1;
	for (uint32_t i = 0; i < ls->desc->ntools; i++) {
		size_t n = strlen(ls->desc->tools[i].name);
		memcpy(names + off, ls->desc->tools[i].name, n);
		names[off + n] = '\n';
		off += n + 1;
	}
	names[off] = '\0';
	wire_buf_init(&b);
	wire_begin(&b, WIRE_HELLO, 0);
	wire_put_u32(&b, WIRE_VERSION);
	wire_put_u32(&b, (uint32_t)getpid());
	wire_put_u32(&b, sb->applied);
	wire_put_str(&b, sb->detail);
	wire_put_str(&b, ls->desc->name);
	wire_put_str(&b, ls->desc->version);
	wire_put_u32(&b, ls->desc->ntools);
	wire_put_str(&b, names);
	free(names);
	return chan_send(&b, 0);
}

/* WELCOME: the host's extension IDs, each followed by '\n'. */
static int read_welcome(void)
{
	struct frame *f = chan_wait(&chan.main);
	struct wire_msg m;
	struct wire_rd r;
	const char *ids;
	uint32_t version;
	int ok;

	if (!f)
		return -1;
	m.type = f->type;
	m.p = f->data;
	m.len = f->len;
	wire_rd_init(&r, &m);
	version = wire_get_u32(&r);
	ids = wire_get_str(&r);
	ok = f->type == WIRE_WELCOME && wire_rd_done(&r) &&
	     version == WIRE_VERSION;
	for (const char *p = ok ? ids : ""; *p;) {
		const char *nl = strchr(p, '\n');
		char id[64];
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n < sizeof id) {
			enum wire_ext x;
			memcpy(id, p, n);
			id[n] = '\0';
			if ((x = wire_ext_from_id(id)))
				offered[x] = 1;
		}
		p += n + (nl ? 1 : 0);
	}
	frame_free(f);
	return ok ? 0 : -1;
}

static int send_ready(skill_status st)
{
	const skill_ext_config_schema_t *schema = NULL;
	const skill_ext_prompts_t *prompts = NULL;
	const skill_ext_resources_t *res = NULL;
	struct wire_buf b;

	/* The skill-side extensions the host needs are static data, so they
	 * travel once instead of being forwarded. */
	if (st == SKILL_OK && entry->get_extension) {
		schema = entry->get_extension(skill_data,
		                              SKILL_EXT_CONFIG_SCHEMA);
		prompts = entry->get_extension(skill_data, SKILL_EXT_PROMPTS);
		res = entry->get_extension(skill_data, SKILL_EXT_RESOURCES);
	}
	if (prompts &&
	    prompts->struct_size < offsetof(skill_ext_prompts_t, prompts) +
	                                   sizeof prompts->prompts)
		prompts = NULL;
	if (res &&
	    res->struct_size < offsetof(skill_ext_resources_t, templates) +
	                               sizeof res->templates)
		res = NULL;
	wire_buf_init(&b);
	wire_begin(&b, WIRE_READY, 0);
	wire_put_u32(&b, (uint32_t)st);
	wire_put_nstr(
	        &b, schema && schema->struct_size >=
	                                    offsetof(skill_ext_config_schema_t,
	                                             schema) +
	                                            sizeof schema->schema
	                    ? schema->schema
	                    : NULL);
	wire_put_nstr(&b, prompts ? prompts->prompts : NULL);
	wire_put_nstr(&b, res ? res->resources : NULL);
	wire_put_nstr(&b, res ? res->templates : NULL);
	return chan_send(&b, 0);
}

/* How often retire_now reads the CPU used, at most. Between two looks
 * the worker's CPU time grows by at most this times its threads (6.4 s
 * at 64), far inside the 300 s between asking to retire and RLIMIT_CPU;
 * reading it after every call cost a system call per call. */
#define RETIRE_CHECK_NS (100 * 1000000LL)

static int retire_now(void)
{
	static int64_t next_ns;
	struct rusage ru;
	int64_t now = sh_now_ns();

	if (now < next_ns)
		return 0;
	next_ns = now + RETIRE_CHECK_NS;
	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec >=
	       SANDBOX_CPU_RETIRE_SECONDS;
}

/* Free a call's arguments: the tree parsed for the skill, the mapping of
 * the host's memfd (MAP_FAILED: none). */
static void drop_args(struct wcall *c, void *map, uint64_t fd_len)
{
	cJSON_Delete(c->parsed);
	c->parsed = NULL;
	if (map != MAP_FAILED)
		munmap(map, (size_t)fd_len + 1);
}

static int serve_call(struct frame *f, uint32_t ntools)
{
	struct wire_msg m = {
	        .type = f->type, .id = f->id, .p = f->data, .len = f->len};
	struct wire_rd r;
	struct wire_buf b;
	struct wcall c;
	const char *args;
	size_t len;
	uint32_t tool;
	int64_t deadline;
	uint64_t fd_len;
	skill_status st;
	int retire, sent;
	uint64_t vm;
	void *map = MAP_FAILED;
	char why[160] = "it cannot be mapped";

	m.fd = -1;
	wire_rd_init(&r, &m);
	tool = wire_get_u32(&r);
	deadline = wire_get_i64(&r);
	fd_len = wire_get_u64(&r);
	args = wire_get_bytes(&r, &len);
	if (!wire_rd_done(&r) || (tool >= ntools && !extcall_is(tool)) ||
	    (f->fd >= 0) != (fd_len != 0) || (f->fd >= 0 && len) ||
	    fd_len >= SIZE_MAX) {
		hostlog(SKILL_LOG_ERROR,
		        "worker: malformed call from the host");
		return -1;
	}
	/* From here on the call may run: the host must not retry it. */
	atomic_store(&ctl->taken, f->id);
	if (f->fd >= 0) {
		/* The arguments, with their NUL, in a sealed memfd: mapped
		 * read-only, they cannot change while the skill reads. */
		if (wire_check_sealed(f->fd, fd_len + 1, why, sizeof why) ||
		    (map = mmap(NULL, (size_t)fd_len + 1, PROT_READ,
		                MAP_SHARED | MAP_POPULATE, f->fd, 0)) ==
		            MAP_FAILED ||
		    ((const char *)map)[fd_len] != '\0') {
			hostlog(SKILL_LOG_ERROR,
			        "worker: the call's arguments cannot be used: "
			        "%s",
			        map == MAP_FAILED ? why : "no NUL at the end");
			if (map != MAP_FAILED)
				munmap(map, (size_t)fd_len + 1);
			return -1;
		}
		args = map;
		len = (size_t)fd_len;
		close(f->fd);
		f->fd = -1;
	}
	memset(&c, 0, sizeof c);
	call_init(&c.base, entry->name, NULL, NULL);
	c.args = args;
	c.args_len = len;
	c.id = f->id;
	c.base.check_only = 1;
	c.base.cancel = &ctl->cancel;
	c.base.deadline_ns = deadline;
	/* The host validated the arguments before sending them. */
	st = extcall_is(tool)
	             ? extcall_invoke(entry, skill_data, &host_api,
	                              (skill_call_t *)&c, tool, args, len)
	             : entry->invoke(skill_data, &host_api, (skill_call_t *)&c,
	                             tool, args, len);
	while (c.http) {
		struct whttp *h = c.http;
		c.http = h->next;
		http_free(h);
	}
	/* Artifacts neither committed nor discarded: the host deletes them
	 * when the call ends; their unsent bytes go too. */
	while (c.arts)
		art_drop((skill_call_t *)&c, c.arts);
	call_finish(&c.base, NULL);
	/* A successful call's host gets its answer before the arguments (a
	 * large parsed tree, a large mapping) are freed, which is then off
	 * the call's path; the next frame is read only after. A failed call's
	 * size is read after, as it always was: it tells a memory cap. */
	if (st != SKILL_OK)
		drop_args(&c, map, fd_len);
	retire = retire_now();
	vm = st == SKILL_OK ? 0 : vm_bytes();
	wire_buf_init(&b);
	wire_begin(&b, WIRE_DONE, f->id);
	wire_put_u32(&b, (uint32_t)st);
	wire_put_u8(&b, (uint8_t)retire);
	/* Only a failed call needs the size (to tell a memory cap from
	 * another failure), and reading it costs a few system calls. */
	wire_put_u64(&b, vm);
	sent = chan_send(&b, 0);
	if (st == SKILL_OK)
		drop_args(&c, map, fd_len);
	return sent;
}

static char **read_paths(const char *lib, const char *bundle)
{
	static char lib_dir[PATH_MAX];
	static char *paths[3];
	char *slash;

	(void)snprintf(lib_dir, sizeof lib_dir, "%s", lib);
	slash = strrchr(lib_dir, '/');
	if (slash && slash != lib_dir)
		*slash = '\0';
	paths[0] = lib_dir;
	paths[1] = (char *)bundle;
	paths[2] = NULL;
	return paths;
}

static int serve(const struct serve_opts *o)
{
	struct sandbox_opts so = {
	        .scratch = o->scratch,
	        .memory_max = o->memory,
	        .threads_max = o->threads,
	        .signal_exit = WIRE_EXIT_SIGNAL,
	        .chan_fd = CHAN_FD,
	        .seccomp_prebuilt = {&worker_bpf[0], &worker_bpf[1]}};
	struct sandbox_report sb;
	struct loaded_skill *ls;
	struct sh_error e;
	pthread_t dog;
	skill_status st;
	void *page;

	/* Only what the host handed over stays open. */
	syscall(SYS_close_range, CTL_FD + 1, ~0u, 0);
	page = mmap(NULL, WIRE_CTL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	            CTL_FD, 0);
	if (page == MAP_FAILED) {
		(void)fprintf(stderr,
		              "worker: cannot map the control page: %s\n",
		              strerror(errno));
		return WIRE_EXIT_SETUP;
	}
	ctl = page;
	so.death_signal = &ctl->crash_signal;
	close(CTL_FD);
	chan.fd = CHAN_FD;
	wire_reader_init(&chan.rd);
	page_size = sysconf(_SC_PAGESIZE);
	crash_handlers();
	host_api_init();
	so.read_paths = (const char *const *)read_paths(o->lib, o->bundle);
	if (sandbox_apply(&so, &sb, &e) != SH_OK) {
		(void)fprintf(stderr, "worker: cannot sandbox the skill: %s\n",
		              e.msg);
		return WIRE_EXIT_SETUP;
	}
	ns_init = getpid() == 1;
	if (o->scratch && chdir(o->scratch))
		(void)fprintf(stderr, "worker: cannot enter %s: %s\n",
		              o->scratch, strerror(errno));
	if (pthread_create(&dog, NULL, watchdog, NULL) == 0)
		pthread_detach(dog);
	/* From here on the skill's code runs (constructors at load). */
	if (loader_open(o->lib, &ls, &e) != SH_OK) {
		(void)fprintf(stderr, "%s\n", e.msg);
		return WIRE_EXIT_SETUP;
	}
	entry = &ls->e;
	if (send_hello(ls, &sb) || read_welcome())
		return 0;
	st = entry->init ? entry->init(&host_api, o->bundle, &skill_data)
	                 : SKILL_OK;
	if (send_ready(st) || st != SKILL_OK)
		return 0;
	for (;;) {
		struct frame *f = chan_wait(&chan.main);
		if (!f)
			return 0;
		if (f->type == WIRE_SHUTDOWN) {
			frame_free(f);
			if (entry->fini)
				entry->fini(skill_data);
			return 0;
		}
		if (f->type != WIRE_CALL || serve_call(f, ls->desc->ntools)) {
			frame_free(f);
			return 0;
		}
		frame_free(f);
	}
}

/* ---- probing and checking ---- */

static int probe(const char *lib, const char *bundle)
{
	struct sandbox_opts so = {
	        .memory_max = PROBE_MEMORY_MAX,
	        .seccomp_prebuilt = {&worker_bpf[0], &worker_bpf[1]}};
	struct host_services svc = {0};
	struct sandbox_report sb;
	struct loaded_skill *ls;
	struct executor *ex;
	struct sh_error e;
	cJSON *j;
	char *s;
	void *page;

	/* The installer's descriptors are none of the skill's business. */
	syscall(SYS_close_range, 3, ~0u, 0);
	(void)signal(SIGXFSZ, SIG_IGN);
	/* A control page of its own, shared with the sandbox's supervisor,
	 * so a skill that crashes as pid 1 of its PID namespace is reported
	 * with its signal. */
	page = mmap(NULL, WIRE_CTL_SIZE, PROT_READ | PROT_WRITE,
	            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page != MAP_FAILED) {
		ctl = page;
		atomic_store(&ctl->crash_syscall, -1);
		so.signal_exit = WIRE_EXIT_SIGNAL;
		so.death_signal = &ctl->crash_signal;
		page_size = sysconf(_SC_PAGESIZE);
		crash_handlers();
	}
	so.read_paths =
	        (const char *const *)read_paths(lib, bundle ? bundle : lib);
	if (sandbox_apply(&so, &sb, &e) != SH_OK) {
		(void)fprintf(stderr, "%s: cannot sandbox the probe: %s\n", lib,
		              e.msg);
		return 3;
	}
	ns_init = getpid() == 1;
	if (loader_open(lib, &ls, &e) != SH_OK) {
		(void)fprintf(stderr, "%s\n", e.msg);
		return 3;
	}
	j = skilldesc_to_json(ls->desc);
	if (exec_inproc_open(ls, &svc, bundle, &ex, &e) != SH_OK) {
		(void)fprintf(stderr, "%s\n", e.msg);
		cJSON_Delete(j);
		return 3;
	}
	ex->ops->destroy(ex);
	s = j ? cJSON_PrintUnformatted(j) : NULL;
	if (!s) {
		(void)fprintf(stderr, "out of memory\n");
		return 5;
	}
	puts(s);
	free(s);
	cJSON_Delete(j);
	return fflush(stdout) == 0 ? 0 : 5;
}

/* "blocked" when the call failed, else "ALLOWED". */
static const char *verdict(int failed)
{
	return failed ? "blocked" : "ALLOWED";
}

static int sandbox_check(const char *scratch)
{
	/* The filter a serving worker gets, channel included, so the check
	 * reports on the prebuilt program workers load. (The probe has no
	 * channel: it compiles one that refuses sendmsg everywhere.) */
	struct sandbox_opts so = {
	        .scratch = scratch,
	        .memory_max = PROBE_MEMORY_MAX,
	        .chan_fd = CHAN_FD,
	        .seccomp_prebuilt = {&worker_bpf[0], &worker_bpf[1]}};
	struct sandbox_report sb;
	struct sh_error e;
	char applied[256], path[PATH_MAX];
	cJSON *j, *checks;
	char *s;
	int fd, ok_write = 0;

	(void)signal(SIGXFSZ, SIG_IGN);
	if (sandbox_apply(&so, &sb, &e) != SH_OK) {
		(void)fprintf(stderr, "worker: %s\n", e.msg);
		return 5;
	}
	j = cJSON_CreateObject();
	checks = cJSON_AddObjectToObject(j, "checks");
	cJSON_AddStringToObject(
	        j, "applied",
	        sandbox_describe(sb.applied, applied, sizeof applied));
	cJSON_AddNumberToObject(j, "applied_bits", sb.applied);
	cJSON_AddNumberToObject(j, "landlock_abi", sb.landlock_abi);
	cJSON_AddBoolToObject(j, "seccomp_prebuilt", sb.seccomp_prebuilt);
	cJSON_AddBoolToObject(
	        j, "seccomp_prebuilt_matches",
	        sandbox_seccomp_matches(
	                &worker_bpf[!!(sb.applied & SANDBOX_TRUNC_GUARD)],
	                !!(sb.applied & SANDBOX_TRUNC_GUARD)));
	cJSON_AddStringToObject(j, "skipped", sb.detail);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cJSON_AddStringToObject(checks, "socket", verdict(fd < 0));
	if (fd >= 0)
		close(fd);
	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	cJSON_AddStringToObject(checks, "read /etc/passwd", verdict(fd < 0));
	if (fd >= 0)
		close(fd);
	if (scratch) {
		(void)snprintf(path, sizeof path, "%s/check", scratch);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		ok_write = fd >= 0 && write(fd, "x", 1) == 1;
		if (fd >= 0)
			close(fd);
		unlink(path);
		cJSON_AddStringToObject(checks, "write scratch",
		                        ok_write ? "ok" : "FAILED");
	}
	cJSON_AddStringToObject(checks, "signal the parent",
	                        verdict(kill(getppid(), 0) != 0));
	cJSON_AddStringToObject(checks, "signal own group",
	                        verdict(kill(0, 0) != 0));
	cJSON_AddStringToObject(checks, "chmod a host file",
	                        verdict(chmod("/etc/passwd", 0644) != 0));
	{
		struct stat st;
		cJSON_AddStringToObject(checks, "stat /etc/passwd",
		                        verdict(stat("/etc/passwd", &st) != 0));
	}
	{
		/* In a PID namespace the parent has no pid here at all. */
		struct rlimit rl;
		pid_t pp = getppid();
		cJSON_AddStringToObject(
		        checks, "prlimit the parent",
		        verdict(pp == 0 ||
		                prlimit(pp, RLIMIT_NOFILE, NULL, &rl) != 0));
	}
	{
		char weak[1024];
		cJSON_AddStringToObject(j, "weaker",
		                        sandbox_weaknesses(sb.applied,
		                                           sb.landlock_abi,
		                                           weak, sizeof weak));
	}
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!s)
		return 5;
	puts(s);
	free(s);
	return fflush(stdout) == 0 ? 0 : 5;
}

static int usage(void)
{
	(void)fprintf(
	        stderr,
	        "usage: skillhost-worker --probe LIB [--bundle DIR]\n"
	        "       skillhost-worker --serve LIB --bundle DIR "
	        "[--scratch DIR] [--memory BYTES] [--threads N]\n"
	        "       skillhost-worker --sandbox-check [--scratch DIR]\n"
	        "(an internal helper of skillhost)\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *probe_lib = NULL, *serve_lib = NULL, *bundle = NULL;
	const char *scratch = NULL;
	unsigned long long memory = 0, threads = 0;
	int check = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--probe") && i + 1 < argc)
			probe_lib = argv[++i];
		else if (!strcmp(argv[i], "--serve") && i + 1 < argc)
			serve_lib = argv[++i];
		else if (!strcmp(argv[i], "--bundle") && i + 1 < argc)
			bundle = argv[++i];
		else if (!strcmp(argv[i], "--scratch") && i + 1 < argc)
			scratch = argv[++i];
		else if (!strcmp(argv[i], "--memory") && i + 1 < argc)
			memory = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--sandbox-check"))
			check = 1;
		else
			return usage();
	}
	if (!!probe_lib + !!serve_lib + check != 1)
		return usage();
	if (probe_lib) {
		/* Only errors: stdout carries the description. */
		hostlog_set_level(SKILL_LOG_ERROR);
		return probe(probe_lib, bundle);
	}
	if (check)
		return sandbox_check(scratch);
	if (!bundle)
		return usage();
	return serve(&(struct serve_opts){
	        .lib = serve_lib,
	        .bundle = bundle,
	        .scratch = scratch,
	        .memory = memory,
	        .threads = threads > SANDBOX_THREADS_MAX ? SANDBOX_THREADS_MAX
	                                                 : (unsigned)threads});
}
