/*
 * exec_isolated.c - skills in sandboxed worker processes. See
 * exec_isolated.h; the protocol is in wire.h, the sandbox in sandbox.h.
 */
#include "exec_isolated.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include <skill/ext/artifacts.h>
#include <skill/ext/config.h>
#include <skill/ext/http.h>
#include <skill/ext/secrets.h>

#include "call.h"
#include "exec_inproc.h"
#include "fsutil.h"
#include "hostapi.h"
#include "hostlog.h"
#include "metrics.h"
#include "sandbox.h"
#include "wire.h"
#include "worker_path.h"

/* How often a wait re-checks a caller's cancellation flag, which nothing
 * signals. */
#define POLL_SLICE_MS 10
/* Most handles (artifacts, inputs, HTTP responses) one call may hold. */
#define HANDLES_MAX 4096
/* Most bytes of a setting or secret returned in one reply. */
#define VALUE_MAX (4u * 1024 * 1024)
/* A worker's last output kept for error messages. */
#define TAIL_MAX        1024
#define LINE_MAX_LOGGED 512
#define DRAIN_BUDGET    (256 * 1024)
#define MSG_MAX         1024
/* How long a worker whose socket closed may take to finish exiting. */
#define EXIT_WAIT_MS 200

extern char **environ;

struct worker {
	struct worker *next; /* in the idle list */
	pid_t pid;
	int fd;     /* our end of the socketpair */
	int out_fd; /* its stdout and stderr, or -1 once closed */
	struct wire_ctl *ctl;
	struct wire_reader rd;
	unsigned sandbox;
	char scratch[PATH_MAX];
	char line[LINE_MAX_LOGGED];
	size_t line_len;
	char tail[TAIL_MAX];
	size_t tail_len;
	size_t logged;     /* output bytes logged in this call */
	int retire;        /* replace it after this call */
	int rss_limit_hit; /* ASan's memory cap stopped it */
	char first_error[LINE_MAX_LOGGED]; /* the first line of a report */
};

struct isolated {
	struct executor base;
	char *name, *version, *lib, *bundle, *worker, *scratch_root;
	char *tools; /* tool names, each followed by '\n' */
	uint32_t ntools;
	struct hostapi_binding binding; /* for skill.config/1 */
	const struct host_services *svc;
	const void *ext[WIRE_EXT_COUNT];
	char *welcome_ids;
	uint64_t memory_max;
	unsigned threads_max;
	unsigned pool_max;
	int64_t grace_ns, backoff_base_ns, backoff_max_ns, cooldown_ns;
	unsigned breaker_crashes;
	struct metrics_skill *metrics;
	char *config_schema;
	skill_ext_config_schema_t schema_ext;

	pthread_mutex_t lock; /* everything below */
	pthread_cond_t cv;    /* a worker became idle, or a slot free */
	struct worker *idle;
	unsigned nworkers;        /* alive or starting */
	unsigned streak;          /* crashes since the last success */
	unsigned unreplaced;      /* workers that died and were not replaced */
	int64_t next_start_ns;    /* backoff: no start before */
	int64_t breaker_until_ns; /* 0: closed */
	char last_crash[96];
	uint64_t started, restarts, crashes;
	unsigned last_sandbox;
	atomic_uint_fast64_t next_call;
};

static const struct executor_ops isolated_ops;

static void set_outcome(struct exec_result *res, enum exec_outcome oc,
                        const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Say how the executor's part of a call ended (executor.h). */
static void set_outcome(struct exec_result *res, enum exec_outcome oc,
                        const char *fmt, ...)
{
	va_list ap;

	res->outcome = oc;
	va_start(ap, fmt);
	vsnprintf(res->detail, sizeof res->detail, fmt, ap);
	va_end(ap);
}

/* ---- workers ---- */

static void keep_tail(struct worker *w, const char *p, size_t n)
{
	if (n >= TAIL_MAX) {
		memcpy(w->tail, p + n - (TAIL_MAX - 1), TAIL_MAX - 1);
		w->tail_len = TAIL_MAX - 1;
	} else {
		if (w->tail_len + n >= TAIL_MAX) {
			size_t drop = w->tail_len + n - (TAIL_MAX - 1);
			memmove(w->tail, w->tail + drop, w->tail_len - drop);
			w->tail_len -= drop;
		}
		memcpy(w->tail + w->tail_len, p, n);
		w->tail_len += n;
	}
	w->tail[w->tail_len] = '\0';
}

static void emit_line(const struct isolated *iso, struct worker *w)
{
	w->line[w->line_len] = '\0';
	/* A sanitizer build caps memory with ASan's RSS limit, which says so
	 * on stderr and exits. */
	if (sandbox_sanitized() && strstr(w->line, "hard rss limit exhausted"))
		w->rss_limit_hit = 1;
	/* A sanitizer's report starts with its cause and ends with pages of
	 * detail: keep the cause for the error message. */
	if (!w->first_error[0] &&
	    (strstr(w->line, "ERROR: ") || strstr(w->line, "runtime error: ")))
		snprintf(w->first_error, sizeof w->first_error, "%s", w->line);
	if (w->logged < ISOLATED_OUTPUT_LOG_MAX) {
		hostlog(SKILL_LOG_NOTICE, "%s (worker %d): %s", iso->name,
		        (int)w->pid, w->line);
		w->logged += w->line_len + 1;
		if (w->logged >= ISOLATED_OUTPUT_LOG_MAX)
			hostlog(SKILL_LOG_NOTICE,
			        "%s (worker %d): more output in this call is "
			        "dropped",
			        iso->name, (int)w->pid);
	}
	w->line_len = 0;
}

/* Move what the worker printed into the host's log (a bounded amount per
 * call), keeping its tail for error messages. Never blocks, and reads at
 * most DRAIN_BUDGET bytes at a time: a skill that prints as fast as it is
 * read must not keep the host from its deadline. */
static void drain_output(const struct isolated *iso, struct worker *w)
{
	char buf[4096];
	size_t budget = DRAIN_BUDGET;

	while (w->out_fd >= 0 && budget >= sizeof buf) {
		ssize_t n = read(w->out_fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 ||
			    (errno != EAGAIN && errno != EWOULDBLOCK)) {
				close(w->out_fd);
				w->out_fd = -1;
			}
			break;
		}
		budget -= (size_t)n;
		keep_tail(w, buf, (size_t)n);
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' ||
			    w->line_len == sizeof w->line - 1) {
				emit_line(iso, w);
				if (buf[i] == '\n')
					continue;
			}
			w->line[w->line_len++] = buf[i];
		}
	}
	if (w->out_fd < 0 && w->line_len)
		emit_line(iso, w);
}

static int reap(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return status;
}

/* Free a worker that has exited (after reap). */
static void worker_free(struct worker *w)
{
	struct sh_error e;

	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->out_fd >= 0)
		close(w->out_fd);
	if (w->ctl)
		munmap(w->ctl, WIRE_CTL_SIZE);
	wire_reader_free(&w->rd);
	/* Reaped by now (or never started). */
	sandbox_cgroup_remove(w->pid);
	if (w->scratch[0] && fs_remove_tree(w->scratch, &e) != SH_OK)
		hostlog(SKILL_LOG_WARNING, "%s", e.msg);
	free(w);
}

/* Stop a worker now and collect its exit status. */
static int kill_worker(const struct isolated *iso, struct worker *w)
{
	int status;

	kill(w->pid, SIGKILL);
	status = reap(w->pid);
	drain_output(iso, w);
	return status;
}

/* "NAME=value" into a fresh string, or NULL. */
static char *env_entry(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s=%s", name, value);
	return s;
}

/* The worker's environment: none of the host's (which may hold API keys;
 * a skill gets secrets only through skill.secrets/1), only what a process
 * needs, the log level, the library path, and sanitizer settings in
 * sanitizer builds (with the memory cap, which RLIMIT_AS cannot give). */
char **exec_isolated_env(const char *scratch, uint64_t memory_max)
{
	enum { ENV_MAX = 12 };
	char **env = calloc(ENV_MAX, sizeof *env);
	const char *v;
	int n = 0, level = hostlog_level();

	if (!env)
		return NULL;
	env[n++] = strdup("PATH=/usr/bin:/bin");
	env[n++] = strdup("LANG=C.UTF-8");
	env[n++] = env_entry("HOME", scratch);
	env[n++] = env_entry("TMPDIR", scratch);
	if (level >= SKILL_LOG_DEBUG && level <= SKILL_LOG_EMERGENCY)
		env[n++] =
		        env_entry("SKILLHOST_LOG_LEVEL",
		                  hostlog_level_name((skill_log_level)level));
	if ((v = getenv("LD_LIBRARY_PATH")))
		env[n++] = env_entry("LD_LIBRARY_PATH", v);
	/* The sandbox's test switches (sandbox.h), so a test can make every
	 * worker behave as on an older kernel. */
	if ((v = getenv(SANDBOX_ENV_LANDLOCK_ABI)))
		env[n++] = env_entry(SANDBOX_ENV_LANDLOCK_ABI, v);
	if ((v = getenv(SANDBOX_ENV_NO_NAMESPACES)))
		env[n++] = env_entry(SANDBOX_ENV_NO_NAMESPACES, v);
	if (sandbox_sanitized()) {
		char opts[512];
		/* No leak checker (it needs ptrace), no symbolizer (it needs
		 * execve), and the memory cap as an RSS limit. */
		v = getenv("ASAN_OPTIONS");
		snprintf(opts, sizeof opts,
		         "%s%sdetect_leaks=0:symbolize=0:"
		         "allocator_may_return_null=1:hard_rss_limit_mb=%llu",
		         v ? v : "", v && *v ? ":" : "",
		         (unsigned long long)(memory_max >> 20));
		env[n++] = env_entry("ASAN_OPTIONS", opts);
		if ((v = getenv("UBSAN_OPTIONS")))
			env[n++] = env_entry("UBSAN_OPTIONS", v);
	}
	for (int i = 0; i < n; i++)
		if (!env[i]) {
			for (int j = 0; j < n; j++)
				free(env[j]);
			free(env);
			return NULL;
		}
	return env;
}

void exec_isolated_env_free(char **env)
{
	for (char **p = env; p && *p; p++)
		free(*p);
	free(env);
}

static sh_status make_scratch(const struct isolated *iso, char *buf, size_t cap,
                              struct sh_error *e)
{
	char name[128];
	size_t i = 0;

	for (const char *p = iso->name; *p && i < sizeof name - 1; p++)
		name[i++] = *p == '/' ? '-' : *p;
	name[i] = '\0';
	if (fs_pathf(buf, cap, e, "%s/skillhost-%s-XXXXXX", iso->scratch_root,
	             name))
		return SH_ERR_NOMEM;
	if (!mkdtemp(buf))
		return sh_error_errno(e, SH_ERR_IO, errno,
		                      "cannot make a scratch folder in %s",
		                      iso->scratch_root);
	return SH_OK;
}

/* A descriptor for the child, moved clear of 0-4 so its dup2 onto them
 * never meets itself (and keeps close-on-exec in this process). */
static int child_fd(int fd)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, 10);
}

static sh_status spawn(struct isolated *iso, struct worker **out,
                       struct sh_error *e)
{
	struct worker *w = calloc(1, sizeof *w);
	int sv[2] = {-1, -1}, op[2] = {-1, -1}, memfd = -1;
	int cfd = -1, cout = -1, cmem = -1;
	char memory[32], threads[16];
	char *argv[] = {"skillhost-worker",
	                "--serve",
	                iso->lib,
	                "--bundle",
	                iso->bundle,
	                "--scratch",
	                NULL,
	                "--memory",
	                memory,
	                "--threads",
	                threads,
	                NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	char **env = NULL;
	sh_status rc = SH_OK;
	void *page;
	int err;

	*out = NULL;
	if (!w)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	w->fd = w->out_fd = -1;
	w->pid = -1;
	wire_reader_init(&w->rd);
	if ((rc = make_scratch(iso, w->scratch, sizeof w->scratch, e))) {
		w->scratch[0] = '\0';
		goto fail;
	}
	argv[6] = w->scratch;
	snprintf(memory, sizeof memory, "%llu",
	         (unsigned long long)iso->memory_max);
	snprintf(threads, sizeof threads, "%u", iso->threads_max);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ||
	    pipe2(op, O_CLOEXEC) ||
	    (memfd = memfd_create("skillhost-ctl", MFD_CLOEXEC)) < 0 ||
	    ftruncate(memfd, WIRE_CTL_SIZE)) {
		rc = sh_error_errno(e, SH_ERR_IO, errno,
		                    "cannot set up a worker's channels");
		goto fail;
	}
	page = mmap(NULL, WIRE_CTL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	            memfd, 0);
	if (page == MAP_FAILED) {
		rc = sh_error_errno(e, SH_ERR_IO, errno,
		                    "cannot map a worker's control page");
		goto fail;
	}
	w->ctl = page;
	w->ctl->magic = WIRE_CTL_MAGIC;
	atomic_store(&w->ctl->crash_syscall, -1);
	if ((cfd = child_fd(sv[1])) < 0 || (cout = child_fd(op[1])) < 0 ||
	    (cmem = child_fd(memfd)) < 0 ||
	    !(env = exec_isolated_env(w->scratch, iso->memory_max))) {
		rc = sh_error_errno(e, SH_ERR_IO, errno ? errno : ENOMEM,
		                    "cannot prepare a worker");
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, cout, 1);
	posix_spawn_file_actions_adddup2(&fa, cout, 2);
	posix_spawn_file_actions_adddup2(&fa, cfd, 3);
	posix_spawn_file_actions_adddup2(&fa, cmem, 4);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	/* Its own session: a Ctrl-C at the terminal is the host's to handle
	 * (it cancels the call), not a signal to every worker. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	                                        POSIX_SPAWN_SETSIGDEF |
	                                        POSIX_SPAWN_SETSID);
	err = posix_spawn(&w->pid, iso->worker, &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err) {
		w->pid = -1;
		rc = sh_error_errno(e, SH_ERR_FAIL, err, "cannot run %s",
		                    iso->worker);
		goto fail;
	}
	w->fd = sv[0];
	w->out_fd = op[0];
	sv[0] = op[0] = -1;
	fcntl(w->fd, F_SETFL, O_NONBLOCK);
	fcntl(w->out_fd, F_SETFL, O_NONBLOCK);
	*out = w;
fail:
	exec_isolated_env_free(env);
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (op[i] >= 0)
			close(op[i]);
	}
	if (memfd >= 0)
		close(memfd);
	if (cfd >= 0)
		close(cfd);
	if (cout >= 0)
		close(cout);
	if (cmem >= 0)
		close(cmem);
	if (rc != SH_OK)
		worker_free(w);
	return rc;
}

/* ---- one conversation turn: start-up or a call ---- */

enum hkind { H_FREE, H_OUT, H_IN, H_HTTP };

struct handle {
	enum hkind kind;
	void *p;
};

enum turn { T_MORE, T_FINISHED, T_BROKEN };

struct session {
	struct isolated *iso;
	struct worker *w;
	struct skill_call *call; /* NULL during start-up */
	uint64_t call_id;        /* 0 during start-up */
	int64_t io_deadline_ns;  /* for writes to the worker */
	int hello, ready;
	unsigned notes; /* log and progress messages passed on */
	struct wire_done done;
	skill_status init_status;
	struct handle *handles;
	size_t nhandles;
	char why[MSG_MAX]; /* what broke the protocol */
};

static enum turn broken(struct session *s, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Record why the worker is no longer trusted. */
static enum turn broken(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof s->why, fmt, ap);
	va_end(ap);
	return T_BROKEN;
}

static uint32_t add_handle(struct session *s, enum hkind kind, void *p)
{
	struct handle *grown;

	for (size_t i = 0; i < s->nhandles; i++)
		if (s->handles[i].kind == H_FREE) {
			s->handles[i] = (struct handle){kind, p};
			return (uint32_t)i + 1;
		}
	if (s->nhandles == HANDLES_MAX)
		return 0;
	grown = realloc(s->handles, (s->nhandles + 1) * sizeof *grown);
	if (!grown)
		return 0;
	s->handles = grown;
	s->handles[s->nhandles++] = (struct handle){kind, p};
	return (uint32_t)s->nhandles;
}

/* The handle numbered id of kind, or NULL; take also frees the slot. */
static void *get_handle(struct session *s, uint32_t id, enum hkind kind,
                        int take)
{
	struct handle *h;

	if (id == 0 || id > s->nhandles || s->handles[id - 1].kind != kind)
		return NULL;
	h = &s->handles[id - 1];
	if (take)
		h->kind = H_FREE;
	return h->p;
}

static int send_frame(struct session *s, struct wire_buf *b, int wipe)
{
	int rc = -1;

	int err = 0;

	if (wire_end(b, NULL) == SH_OK) {
		rc = wire_write_all(s->w->fd, b->data, b->len,
		                    s->io_deadline_ns);
		err = errno;
	}
	wire_buf_free(b, wipe);
	errno = err;
	return rc;
}

static int live(const struct session *s, uint64_t call)
{
	return s->call && call == s->call_id;
}

static void reply_value(struct wire_buf *b, int64_t ret, const char *buf,
                        size_t cap)
{
	size_t n = ret < 0 || !cap           ? 0
	           : (uint64_t)ret < cap - 1 ? (size_t)ret
	                                     : cap - 1;
	wire_put_i64(b, ret);
	wire_put_bytes(b, buf, n);
}

static enum turn ext_config(struct session *s, const skill_ext_config_t *x,
                            struct wire_ext_call *c, struct wire_buf *b)
{
	const char *key = wire_get_str(&c->args);
	uint64_t want = wire_get_u64(&c->args);
	size_t cap = want < VALUE_MAX ? (size_t)want : VALUE_MAX;
	char *buf;
	int64_t ret;

	if (!wire_rd_done(&c->args) || c->fn != WIRE_CONFIG_GET)
		return broken(s, "a malformed %s call", "skill.config/1");
	if (!(buf = malloc(cap ? cap : 1)))
		return broken(s, "out of memory");
	ret = x->get(&s->iso->binding.api, key, buf, cap);
	reply_value(b, ret, buf, cap);
	free(buf);
	return T_MORE;
}

static enum turn ext_secrets(struct session *s, const skill_ext_secrets_t *x,
                             struct wire_ext_call *c, struct wire_buf *b)
{
	const char *name = wire_get_str(&c->args);
	uint64_t want = wire_get_u64(&c->args);
	size_t cap = want < VALUE_MAX ? (size_t)want : VALUE_MAX;
	char *buf;
	int64_t ret = -1;

	if (!wire_rd_done(&c->args) || c->fn != WIRE_SECRETS_GET)
		return broken(s, "a malformed %s call", "skill.secrets/1");
	if (!(buf = malloc(cap ? cap : 1)))
		return broken(s, "out of memory");
	if (live(s, c->call))
		ret = x->get(s->call, name, buf, cap);
	reply_value(b, ret, buf, cap);
	sodium_memzero(buf, cap ? cap : 1);
	free(buf);
	return T_MORE;
}

static enum turn ext_artifacts(struct session *s,
                               const skill_ext_artifacts_t *x,
                               struct wire_ext_call *c, struct wire_buf *b)
{
	struct wire_rd *r = &c->args;
	int ok = live(s, c->call);
	skill_status st = SKILL_ERR_ARGS;

	switch (c->fn) {
	case WIRE_ART_CREATE: {
		const char *name = wire_get_str(r), *mime = wire_get_str(r);
		skill_artifact_t *h = NULL;
		uint32_t id = 0;
		if (!wire_rd_done(r))
			break;
		if (ok &&
		    (st = x->create(s->call, name, mime, &h)) == SKILL_OK &&
		    !(id = add_handle(s, H_OUT, h))) {
			x->discard(s->call, h);
			st = SKILL_ERR_NOMEM;
		}
		wire_put_u32(b, (uint32_t)st);
		wire_put_u32(b, id);
		return T_MORE;
	}
	case WIRE_ART_WRITE: {
		uint32_t id = wire_get_u32(r);
		size_t n;
		const char *data = wire_get_bytes(r, &n);
		void *h = ok ? get_handle(s, id, H_OUT, 0) : NULL;
		if (!wire_rd_done(r))
			break;
		if (h)
			st = x->write(s->call, h, data, n);
		wire_put_u32(b, (uint32_t)st);
		return T_MORE;
	}
	case WIRE_ART_COMMIT: {
		skill_artifact_info_t info = {.struct_size = sizeof info};
		uint32_t id = wire_get_u32(r);
		void *h;
		if (!wire_rd_done(r))
			break;
		if ((h = ok ? get_handle(s, id, H_OUT, 1) : NULL))
			st = x->commit(s->call, h, &info);
		wire_put_u32(b, (uint32_t)st);
		wire_put_u64(b, ok ? s->call->bytes : 0);
		wire_put_str(b, st == SKILL_OK ? info.id : "");
		wire_put_str(b, st == SKILL_OK ? info.uri : "");
		wire_put_str(b, st == SKILL_OK ? info.path : "");
		wire_put_i64(b, st == SKILL_OK ? info.size : 0);
		return T_MORE;
	}
	case WIRE_ART_DISCARD:
	case WIRE_ART_CLOSE_INPUT: {
		enum hkind k = c->fn == WIRE_ART_DISCARD ? H_OUT : H_IN;
		uint32_t id = wire_get_u32(r);
		void *h;
		if (!wire_rd_done(r))
			break;
		if ((h = ok ? get_handle(s, id, k, 1) : NULL)) {
			if (k == H_OUT)
				x->discard(s->call, h);
			else
				x->close_input(s->call, h);
		}
		return T_MORE;
	}
	case WIRE_ART_OPEN_INPUT: {
		const char *path = wire_get_str(r);
		skill_input_t *h = NULL;
		int64_t size = -1;
		uint32_t id = 0;
		if (!wire_rd_done(r))
			break;
		if (ok &&
		    (st = x->open_input(s->call, path, &h, &size)) ==
		            SKILL_OK &&
		    !(id = add_handle(s, H_IN, h))) {
			x->close_input(s->call, h);
			st = SKILL_ERR_NOMEM;
		}
		wire_put_u32(b, (uint32_t)st);
		wire_put_u32(b, id);
		wire_put_i64(b, size);
		return T_MORE;
	}
	case WIRE_ART_READ: {
		uint32_t id = wire_get_u32(r);
		uint64_t want = wire_get_u64(r);
		size_t cap = want < WIRE_CHUNK ? (size_t)want : WIRE_CHUNK;
		void *h = ok ? get_handle(s, id, H_IN, 0) : NULL;
		char *buf;
		int64_t n = -1;
		if (!wire_rd_done(r))
			break;
		if (!(buf = malloc(cap ? cap : 1)))
			return broken(s, "out of memory");
		if (h)
			n = x->read(s->call, h, buf, cap);
		if (n > (int64_t)cap)
			n = -1;
		wire_put_i64(b, n);
		wire_put_bytes(b, buf, n > 0 ? (size_t)n : 0);
		free(buf);
		return T_MORE;
	}
	default: break;
	}
	return broken(s, "a malformed %s call", "skill.artifacts/1");
}

static void put_response(struct wire_buf *b, const skill_http_response_t *rs)
{
	size_t n = rs->header_count < WIRE_HTTP_HEADERS_MAX
	                   ? rs->header_count
	                   : WIRE_HTTP_HEADERS_MAX;
	size_t kept = 0;

	for (size_t i = 0; i < n; i++)
		kept += rs->headers[i].name && rs->headers[i].value;
	wire_put_u32(b, (uint32_t)rs->status);
	wire_put_u32(b, (uint32_t)kept);
	for (size_t i = 0; i < n; i++)
		if (rs->headers[i].name && rs->headers[i].value) {
			wire_put_str(b, rs->headers[i].name);
			wire_put_str(b, rs->headers[i].value);
		}
	wire_put_bytes(b, rs->body ? rs->body : "",
	               rs->body ? rs->body_len : 0);
	wire_put_nstr(b, rs->final_url);
}

static enum turn ext_http(struct session *s, const skill_ext_http_t *x,
                          struct wire_ext_call *c, struct wire_buf *b)
{
	struct wire_rd *r = &c->args;
	int ok = live(s, c->call);

	if (c->fn == WIRE_HTTP_REQUEST) {
		struct wire_http_header *wh;
		skill_http_header_t *hh;
		struct wire_http_req q;
		skill_http_request_t req = {.struct_size = sizeof req};
		const skill_http_response_t *resp = NULL;
		skill_status st = SKILL_ERR_ARGS;
		uint32_t id = 0;

		wh = calloc(WIRE_HTTP_HEADERS_MAX, sizeof *wh);
		hh = calloc(WIRE_HTTP_HEADERS_MAX, sizeof *hh);
		if (!wh || !hh) {
			free(wh);
			free(hh);
			return broken(s, "out of memory");
		}
		if (!wire_decode_http_req(r, &q, wh, WIRE_HTTP_HEADERS_MAX)) {
			free(wh);
			free(hh);
			return broken(s, "a malformed %s call", "skill.http/1");
		}
		for (size_t i = 0; i < q.nheaders; i++) {
			hh[i].name = wh[i].name;
			hh[i].value = wh[i].value;
		}
		req.method = q.method;
		req.url = q.url;
		req.headers = q.nheaders ? hh : NULL;
		req.header_count = q.nheaders;
		req.body = q.body;
		req.body_len = q.body ? q.body_len : 0;
		req.timeout_ms = q.timeout_ms;
		req.max_response_bytes = q.max_response_bytes;
		if (ok && (st = x->request(s->call, &req, &resp)) == SKILL_OK &&
		    (!resp || !(id = add_handle(s, H_HTTP, (void *)resp)))) {
			if (resp && x->response_free)
				x->response_free(s->call, resp);
			st = resp ? SKILL_ERR_NOMEM : SKILL_ERR_INTERNAL;
			if (resp) {
				/* Responses count against the call's HTTP
				 * memory too (httpsvc); this is the cap on
				 * how many, whatever their size. */
				char msg[300];
				snprintf(msg, sizeof msg,
				         "request refused: the call holds %d "
				         "handles (HTTP responses, artifacts) "
				         "it has not freed; free each response "
				         "with response_free() when done with "
				         "it",
				         HANDLES_MAX);
				call_log(s->call, SKILL_LOG_ERROR, msg);
				call_note(s->call, msg);
			}
		}
		wire_put_u32(b, (uint32_t)st);
		wire_put_u32(b, id);
		if (st == SKILL_OK)
			put_response(b, resp);
		free(wh);
		free(hh);
		return T_MORE;
	}
	if (c->fn == WIRE_HTTP_RESPONSE_FREE) {
		uint32_t id = wire_get_u32(r);
		void *h;
		if (!wire_rd_done(r))
			return broken(s, "a malformed %s call", "skill.http/1");
		if ((h = ok ? get_handle(s, id, H_HTTP, 1) : NULL) &&
		    x->response_free)
			x->response_free(s->call, h);
		return T_MORE;
	}
	return broken(s, "a malformed %s call", "skill.http/1");
}

/* Perform a forwarded host-extension call with the real vtable and the
 * real call, and answer it. */
static enum turn serve_ext(struct session *s, const struct wire_msg *m)
{
	struct wire_ext_call c;
	struct wire_buf b;
	enum turn t;
	const void *x;
	int wipe = 0;

	if (!wire_decode_ext_call(m, &c))
		return broken(s, "a malformed extension call");
	x = c.ext < WIRE_EXT_COUNT ? s->iso->ext[c.ext] : NULL;
	if (!x)
		return broken(s,
		              "a call to extension %u, which the host did "
		              "not offer",
		              c.ext);
	wire_buf_init(&b);
	wire_begin(&b, WIRE_REPLY, m->id);
	switch (c.ext) {
	case WIRE_EXT_CONFIG: t = ext_config(s, x, &c, &b); break;
	case WIRE_EXT_ARTIFACTS: t = ext_artifacts(s, x, &c, &b); break;
	case WIRE_EXT_HTTP:
		/* Response bodies may carry tokens. */
		wipe = 1;
		t = ext_http(s, x, &c, &b);
		break;
	default:
		wipe = 1;
		t = ext_secrets(s, x, &c, &b);
		break;
	}
	if (t != T_MORE) {
		wire_buf_free(&b, wipe);
		return t;
	}
	if (send_frame(s, &b, wipe))
		return broken(s, "the worker stopped reading its socket");
	return T_MORE;
}

/* Apply a result frame the worker checked already; the host checks it
 * again, and a refusal means the worker is not playing by the rules. */
static enum turn result(struct session *s, const struct wire_msg *m)
{
	skill_status st = SKILL_OK;
	unsigned nrefused = s->call ? s->call->nrefused : 0;
	const char *p;
	size_t n;

	switch (m->type) {
	case WIRE_RESULT_TEXT:
	case WIRE_RESULT_JSON:
		if (!wire_decode_blob(m, &p, &n))
			return broken(s, "a malformed result");
		if (live(s, m->id))
			st = m->type == WIRE_RESULT_TEXT
			             ? call_result_text(s->call, p, n)
			             : call_result_json(s->call, p, n);
		break;
	case WIRE_RESULT_MEDIA: {
		struct wire_media md;
		if (!wire_decode_media(m, &md))
			return broken(s, "a malformed result");
		if (live(s, m->id))
			st = call_result_media(s->call, md.mime, md.data,
			                       md.len);
		break;
	}
	case WIRE_RESULT_RESOURCE: {
		struct wire_resource rs;
		skill_resource_t res = {.struct_size = sizeof res};
		if (!wire_decode_resource(m, &rs))
			return broken(s, "a malformed result");
		res.uri = rs.uri;
		res.mime_type = rs.mime;
		res.text = rs.text;
		res.text_len = rs.text_len;
		res.blob = rs.blob;
		res.blob_len = rs.blob_len;
		if (live(s, m->id))
			st = call_result_resource(s->call, &res);
		break;
	}
	case WIRE_RESULT_LINK: {
		struct wire_link lk;
		skill_resource_link_t link = {.struct_size = sizeof link};
		if (!wire_decode_link(m, &lk))
			return broken(s, "a malformed result");
		link.uri = lk.uri;
		link.name = lk.name;
		link.title = lk.title;
		link.description = lk.description;
		link.mime_type = lk.mime;
		link.size = lk.size;
		if (live(s, m->id))
			st = call_result_link(s->call, &link);
		break;
	}
	default: {
		const char *msg;
		if (!wire_decode_tool_error(m, &msg))
			return broken(s, "a malformed tool error");
		if (live(s, m->id))
			call_tool_error(s->call, msg);
		break;
	}
	}
	/* Text refused for its bytes (not UTF-8, a NUL) is the worker
	 * passing on the skill's output as it should: the refusal is on the
	 * call already. Any other refusal is the worker breaking the rules. */
	if (st != SKILL_OK &&
	    !(st == SKILL_ERR_ARGS && s->call && s->call->nrefused != nrefused))
		return broken(s, "a result the host refused (%s)",
		              call_skill_status_name(st));
	return T_MORE;
}

/* Check HELLO against what the catalog says the skill is. */
static enum turn hello(struct session *s, const struct wire_msg *m)
{
	struct isolated *iso = s->iso;
	struct wire_hello h;

	if (s->hello || !wire_decode_hello(m, &h))
		return broken(s, "a malformed or repeated hello");
	if (h.version != WIRE_VERSION)
		return broken(s, "a different protocol version");
	if (strcmp(h.skill, iso->name) ||
	    strcmp(h.skill_version, iso->version) || h.ntools != iso->ntools ||
	    strcmp(h.tools, iso->tools)) {
		snprintf(s->why, sizeof s->why,
		         "the library says it is %.100s %.60s, which is not "
		         "the %s %s (with the same tools) the host knows; "
		         "reinstall the skill",
		         h.skill, h.skill_version, iso->name, iso->version);
		return T_BROKEN;
	}
	s->hello = 1;
	s->w->sandbox = h.sandbox;
	if (h.sandbox_detail[0])
		hostlog(SKILL_LOG_DEBUG,
		        "%s (worker %d): sandbox layers "
		        "skipped: %s",
		        iso->name, (int)s->w->pid, h.sandbox_detail);
	{
		struct wire_buf b;
		wire_buf_init(&b);
		wire_begin(&b, WIRE_WELCOME, 0);
		wire_put_u32(&b, WIRE_VERSION);
		wire_put_str(&b, iso->welcome_ids);
		if (send_frame(s, &b, 0))
			return broken(s, "the worker stopped reading");
	}
	return T_MORE;
}

static enum turn ready(struct session *s, const struct wire_msg *m)
{
	struct isolated *iso = s->iso;
	struct wire_ready r;

	if (!s->hello || s->ready || !wire_decode_ready(m, &r))
		return broken(s, "a malformed or early ready");
	s->ready = 1;
	s->init_status = (skill_status)r.status;
	/* The schema is the same for every worker of the skill; keep the
	 * first. */
	pthread_mutex_lock(&iso->lock);
	if (r.config_schema && !iso->config_schema) {
		iso->config_schema = strdup(r.config_schema);
		iso->schema_ext.struct_size = sizeof iso->schema_ext;
		iso->schema_ext.schema = iso->config_schema;
	}
	pthread_mutex_unlock(&iso->lock);
	return T_FINISHED;
}

/* Log and progress messages are passed on up to ISOLATED_NOTES_MAX per
 * call (or start-up): a skill in a loop must not flood the operator's log
 * or the client. */
static int note_allowed(struct session *s)
{
	if (s->notes < ISOLATED_NOTES_MAX) {
		s->notes++;
		return 1;
	}
	if (s->notes == ISOLATED_NOTES_MAX) {
		s->notes++;
		hostlog(SKILL_LOG_WARNING,
		        "%s: more than %d log and progress messages in one "
		        "call; the rest are dropped",
		        s->iso->name, ISOLATED_NOTES_MAX);
	}
	return 0;
}

/* Handle every complete frame buffered. */
static enum turn handle_frames(struct session *s)
{
	struct wire_msg m;
	char why[160], tn[16];
	int k;

	while ((k = wire_next(&s->w->rd, &m, why, sizeof why)) == 1) {
		enum turn t = T_MORE;
		if (!s->call && m.type != WIRE_HELLO && !s->hello)
			return broken(s, "a %s before its hello",
			              wire_type_name(m.type, tn, sizeof tn));
		switch (m.type) {
		case WIRE_HELLO:
			t = s->call ? broken(s, "a hello during a call")
			            : hello(s, &m);
			break;
		case WIRE_READY:
			t = s->call ? broken(s, "a ready during a call")
			            : ready(s, &m);
			break;
		case WIRE_LOG: {
			struct wire_log lg;
			skill_log_level lvl;
			if (!wire_decode_log(&m, &lg))
				return broken(s, "a malformed log");
			lvl = lg.level <= SKILL_LOG_EMERGENCY
			              ? (skill_log_level)lg.level
			              : SKILL_LOG_ERROR;
			if (!note_allowed(s))
				break;
			if (live(s, m.id))
				call_log(s->call, lvl, lg.msg);
			else
				hostapi_log_outside_call(s->iso->name, lvl,
				                         lg.msg);
			break;
		}
		case WIRE_PROGRESS: {
			struct wire_progress pg;
			if (!wire_decode_progress(&m, &pg))
				return broken(s, "a malformed progress");
			if (live(s, m.id) && note_allowed(s))
				call_progress(s->call, pg.progress, pg.total,
				              pg.message);
			break;
		}
		case WIRE_RESULT_TEXT:
		case WIRE_RESULT_JSON:
		case WIRE_RESULT_MEDIA:
		case WIRE_RESULT_RESOURCE:
		case WIRE_RESULT_LINK:
		case WIRE_TOOL_ERROR: t = result(s, &m); break;
		case WIRE_EXT_CALL: t = serve_ext(s, &m); break;
		case WIRE_DONE:
			if (!live(s, m.id) || !wire_decode_done(&m, &s->done))
				return broken(s, "a malformed or stray done");
			t = T_FINISHED;
			break;
		default:
			return broken(s, "an unexpected %s frame",
			              wire_type_name(m.type, tn, sizeof tn));
		}
		if (t != T_MORE)
			return t;
	}
	if (k < 0)
		return broken(s, "%s", why);
	return T_MORE;
}

/* Wait up to timeout_ms (-1: forever) for the worker to say something or
 * print something. Returns 1 when there may be new frames, 0 on timeout,
 * -1 when the worker's end closed (it died). */
static int wait_input(struct session *s, int timeout_ms)
{
	struct worker *w = s->w;
	struct pollfd p[2] = {{w->fd, POLLIN, 0}, {w->out_fd, POLLIN, 0}};
	int n = w->out_fd >= 0 ? 2 : 1;

	/* Most replies come within microseconds: catch them before sleeping
	 * (output on out_fd can wait for the poll below). */
	if (timeout_ms != 0)
		wire_spin_readable(w->fd, WIRE_SPIN_NS);
	if (poll(p, (nfds_t)n, timeout_ms) < 0)
		return errno == EINTR ? 0 : -1;
	if (n == 2 && p[1].revents)
		drain_output(s->iso, w);
	if (p[0].revents) {
		ssize_t got = wire_fill(&w->rd, w->fd);
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
			return -1;
		return 1;
	}
	return 0;
}

static int ms_until(int64_t deadline_ns)
{
	int64_t left = deadline_ns - call_now_ns();

	if (left <= 0)
		return 0;
	left = (left + 999999) / 1000000;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* ---- crash accounting ---- */

static int64_t backoff_ns(const struct isolated *iso, unsigned streak)
{
	int64_t d;

	if (streak < 2)
		return 0;
	d = iso->backoff_base_ns;
	for (unsigned i = 2; i < streak && d < iso->backoff_max_ns; i++)
		d *= 2;
	return d < iso->backoff_max_ns ? d : iso->backoff_max_ns;
}

/* Count a worker that died on its own. Under iso->lock. */
static void crashed(struct isolated *iso, const char *what)
{
	int64_t now = call_now_ns();

	iso->crashes++;
	iso->streak++;
	snprintf(iso->last_crash, sizeof iso->last_crash, "%s", what);
	iso->next_start_ns = now + backoff_ns(iso, iso->streak);
	metrics_worker_crashed(iso->metrics);
	/* Once open, it stays open until a call succeeds: after the
	 * cool-down, one more crash opens it again. */
	if (iso->streak >= iso->breaker_crashes &&
	    !(iso->breaker_until_ns && now < iso->breaker_until_ns)) {
		iso->breaker_until_ns = now + iso->cooldown_ns;
		metrics_set_breaker(iso->metrics, 1);
		hostlog(SKILL_LOG_ERROR,
		        "%s: its worker crashed %u times in a row (last: %s); "
		        "not restarting it for %.1f s (circuit breaker open)",
		        iso->name, iso->streak, what,
		        (double)iso->cooldown_ns / 1e9);
	}
}

/* Give a worker back after a call (alive) or account for its end. */
static void release(struct isolated *iso, struct worker *w, int alive,
                    int served, const char *crash)
{
	pthread_mutex_lock(&iso->lock);
	if (served) {
		iso->streak = 0;
		if (iso->breaker_until_ns) {
			iso->breaker_until_ns = 0;
			metrics_set_breaker(iso->metrics, 0);
			hostlog(SKILL_LOG_NOTICE,
			        "%s: a call succeeded; circuit breaker closed",
			        iso->name);
		}
	}
	if (alive) {
		w->next = iso->idle;
		iso->idle = w;
	} else {
		iso->nworkers--;
		iso->unreplaced++;
		if (crash)
			crashed(iso, crash);
	}
	pthread_cond_broadcast(&iso->cv);
	pthread_mutex_unlock(&iso->lock);
}

/* ---- starting a worker ---- */

static const char *signame(int sig, char *buf, size_t cap)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, cap, "SIG%s", abbrev);
	else
		snprintf(buf, cap, "signal %d", sig);
	return buf;
}

static void describe_status(int status, char *buf, size_t cap)
{
	char sn[32];

	if (WIFSIGNALED(status))
		snprintf(buf, cap, "was killed by %s (%s)",
		         signame(WTERMSIG(status), sn, sizeof sn),
		         strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == WIRE_EXIT_SETUP)
		snprintf(buf, cap, "could not set itself up");
	else
		snprintf(buf, cap, "exited with status %d",
		         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* What the worker printed that explains its end, as ": <text>" for a
 * message: the first line of an error report, else its last output; or
 * "". */
static const char *tail_text(struct worker *w, char *buf, size_t cap)
{
	char *end;

	buf[0] = '\0';
	if (w->first_error[0])
		snprintf(buf, cap, ": %s", w->first_error);
	else if (w->tail_len)
		snprintf(buf, cap, ": %s", w->tail);
	else
		return buf;
	end = buf + strlen(buf);
	while (end > buf && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return buf;
}

/* Start a worker and wait for its skill's init. */
static sh_status start_worker(struct isolated *iso, struct worker **out,
                              struct sh_error *e)
{
	struct session s = {.iso = iso};
	int64_t deadline =
	        call_now_ns() + (int64_t)ISOLATED_START_TIMEOUT_MS * 1000000;
	char why[256], tail[TAIL_MAX + 8];
	struct worker *w;
	sh_status rc;
	int restart;

	*out = NULL;
	if ((rc = spawn(iso, &w, e)))
		return rc;
	s.w = w;
	s.io_deadline_ns = deadline;
	for (;;) {
		enum turn t = handle_frames(&s);
		int got;
		if (t == T_BROKEN) {
			kill_worker(iso, w);
			rc = sh_error_set(e, SH_ERR_FAIL,
			                  "skill %s: its worker broke the "
			                  "protocol while starting (%s)",
			                  iso->name, s.why);
			goto fail;
		}
		if (t == T_FINISHED)
			break;
		got = wait_input(&s, ms_until(deadline));
		if (got < 0) {
			int status = reap(w->pid);
			drain_output(iso, w);
			describe_status(status, why, sizeof why);
			rc = sh_error_set(e, SH_ERR_FAIL,
			                  "skill %s: its worker %s while "
			                  "starting%s",
			                  iso->name, why,
			                  tail_text(w, tail, sizeof tail));
			goto fail;
		}
		if (got == 0 && call_now_ns() >= deadline) {
			kill_worker(iso, w);
			rc = sh_error_set(e, SH_ERR_FAIL,
			                  "skill %s: its worker did not "
			                  "finish starting within %d ms; it "
			                  "hangs in its load or init",
			                  iso->name, ISOLATED_START_TIMEOUT_MS);
			goto fail;
		}
	}
	if (s.init_status != SKILL_OK) {
		/* It exits by itself after a failed init. */
		kill_worker(iso, w);
		rc = sh_error_set(e, SH_ERR_FAIL,
		                  "skill %s (%s): init failed with status %d "
		                  "(%s); see its log messages above",
		                  iso->name, iso->lib, (int)s.init_status,
		                  call_skill_status_name(s.init_status));
		goto fail;
	}
	free(s.handles);
	w->logged = 0;
	pthread_mutex_lock(&iso->lock);
	iso->started++;
	iso->last_sandbox = w->sandbox;
	restart = iso->unreplaced > 0;
	if (restart) {
		iso->unreplaced--;
		iso->restarts++;
	}
	pthread_mutex_unlock(&iso->lock);
	metrics_worker_started(iso->metrics, restart);
	*out = w;
	return SH_OK;
fail:
	free(s.handles);
	worker_free(w);
	return rc;
}

/* ---- calls ---- */

enum why_ended { END_DEADLINE = 1, END_CANCELLED, END_PROTOCOL, END_HANGUP };

/* The socket closed: a dying process closes its descriptors before it can
 * be reaped, so give it a moment to finish dying by itself before calling
 * it a worker that hung up and lives on. Returns 1 when it exited (status
 * filled). */
static int exited_soon(pid_t pid, int *status)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	pid_t r;

	if (fd >= 0) {
		struct pollfd p = {fd, POLLIN, 0};
		while (poll(&p, 1, EXIT_WAIT_MS) < 0 && errno == EINTR)
			;
		close(fd);
	} else {
		for (int i = 0; i < EXIT_WAIT_MS; i++) {
			if (waitpid(pid, status, WNOHANG) == pid)
				return 1;
			usleep(1000);
		}
	}
	while ((r = waitpid(pid, status, WNOHANG)) < 0 && errno == EINTR)
		;
	return r == pid;
}

/* The message and status for a worker that ended during a call; *crash
 * names the crash for the breaker, NULL when the host ended it. */
static skill_status ended(struct isolated *iso, struct session *s, int status,
                          enum why_ended why, char *msg, size_t cap,
                          const char **crash, struct exec_result *res)
{
	const char *tool = s->call->tool_name ? s->call->tool_name : iso->name;
	struct worker *w = s->w;
	int sig = atomic_load(&w->ctl->crash_signal);
	int nr = atomic_load(&w->ctl->crash_syscall);
	unsigned arch = atomic_load(&w->ctl->crash_arch);
	uint64_t vm = atomic_load(&w->ctl->crash_vm);
	uint64_t slack = iso->memory_max / 8 > (16u << 20) ? iso->memory_max / 8
	                                                   : (16u << 20);
	char sn[48], tail[TAIL_MAX + 8];
	int64_t grace_ms = iso->grace_ns / 1000000;

	*crash = NULL;
	if (why == END_DEADLINE || why == END_CANCELLED) {
		snprintf(msg, cap,
		         "%s failed: %s and the skill did not stop within "
		         "%lld ms of being asked to; its worker was stopped",
		         tool,
		         why == END_DEADLINE ? "the call's deadline passed"
		                             : "the call was cancelled",
		         (long long)grace_ms);
		set_outcome(res,
		            why == END_DEADLINE ? EXEC_DEADLINE
		                                : EXEC_CANCELLED,
		            "killed: %s",
		            why == END_DEADLINE ? "deadline" : "cancelled");
		return why == END_DEADLINE ? SKILL_ERR_TIMEOUT
		                           : SKILL_ERR_CANCELLED;
	}
	if (why == END_HANGUP) {
		snprintf(msg, cap,
		         "%s failed: the skill closed its worker's connection "
		         "to the host during the call; the worker was stopped",
		         tool);
		set_outcome(res, EXEC_HUNG_UP, "hung up");
		*crash = "closed the connection";
		return SKILL_ERR_INTERNAL;
	}
	if (why == END_PROTOCOL) {
		snprintf(msg, cap,
		         "%s failed: the skill's worker broke the host "
		         "protocol (%.600s) and was stopped",
		         tool, s->why);
		set_outcome(res, EXEC_PROTOCOL, "protocol");
		*crash = "protocol violation";
		return SKILL_ERR_INTERNAL;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == WIRE_EXIT_VIOLATION &&
	    nr >= 0) {
		sandbox_syscall_name(nr, arch, sn, sizeof sn);
		snprintf(msg, cap,
		         "%s failed: the skill made a system call isolated "
		         "skills may not make (%s), and its worker was "
		         "stopped. Isolated skills cannot run programs, create "
		         "processes, trace or mount; they reach the network "
		         "only through the host's skill.http/1 extension",
		         tool, sn);
		set_outcome(res, EXEC_VIOLATION, "sandbox: %s", sn);
		*crash = "forbidden system call";
		return SKILL_ERR_DENIED;
	}
	/* vm is the worker's word: compared, never added to. */
	if ((WIFSIGNALED(status) && sig && !sandbox_sanitized() &&
	     iso->memory_max > slack && vm >= iso->memory_max - slack) ||
	    w->rss_limit_hit) {
		snprintf(msg, cap,
		         "%s failed: the skill ran out of memory: its worker "
		         "reached the memory cap of %llu MiB and was stopped "
		         "(raise it with `skillhost config %s memory SIZE`)",
		         tool, (unsigned long long)(iso->memory_max >> 20),
		         iso->name);
		set_outcome(res, EXEC_MEMORY_CAP, "memory cap");
		*crash = "memory cap";
		return SKILL_ERR_NOMEM;
	}
	if (WIFSIGNALED(status)) {
		int term = WTERMSIG(status);
		signame(term, sn, sizeof sn);
		if (term == SIGXCPU)
			snprintf(msg, cap,
			         "%s failed: the skill used up its worker's "
			         "CPU time limit (%d s) and was stopped",
			         tool, SANDBOX_CPU_SECONDS);
		else
			snprintf(msg, cap,
			         "%s failed: the skill crashed (%s: %s); a new "
			         "worker will serve the next call",
			         tool, sn, strsignal(term));
		set_outcome(res, EXEC_CRASHED, "crashed: %s", sn);
		*crash = res->detail + strlen("crashed: ");
		return SKILL_ERR_INTERNAL;
	}
	snprintf(msg, cap,
	         "%s failed: the skill's worker exited with status %d during "
	         "the call%s",
	         tool, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
	         tail_text(w, tail, sizeof tail));
	snprintf(sn, sizeof sn, "%d",
	         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	set_outcome(res, EXEC_EXITED, "exited: %s", sn);
	*crash = "unexpected exit";
	return SKILL_ERR_INTERNAL;
}

/* Take an idle worker, or start one, waiting while the pool is full or a
 * restart is being held back. NULL with msg and *st when none can be
 * had before the call ends. */
static struct worker *take_worker(struct isolated *iso, struct skill_call *call,
                                  char *msg, size_t cap, skill_status *st,
                                  struct exec_result *res)
{
	const char *tool = call->tool_name ? call->tool_name : iso->name;
	struct worker *w = NULL;

	pthread_mutex_lock(&iso->lock);
	for (;;) {
		int64_t now = call_now_ns(), wake;
		struct timespec ts;
		if (iso->breaker_until_ns && now < iso->breaker_until_ns) {
			snprintf(msg, cap,
			         "%s failed: skill %s is not being restarted: "
			         "its worker crashed %u times in a row (last: "
			         "%s). Calls fail for %lld more s; fix the "
			         "skill, or restart skillhost to try again now",
			         tool, iso->name, iso->streak, iso->last_crash,
			         (long long)((iso->breaker_until_ns - now) /
			                             1000000000 +
			                     1));
			set_outcome(res, EXEC_BREAKER_OPEN, "breaker open");
			*st = SKILL_ERR_INTERNAL;
			break;
		}
		if (iso->idle) {
			w = iso->idle;
			iso->idle = w->next;
			break;
		}
		if (iso->nworkers < iso->pool_max &&
		    now >= iso->next_start_ns) {
			struct sh_error e;
			iso->nworkers++;
			pthread_mutex_unlock(&iso->lock);
			if (start_worker(iso, &w, &e) == SH_OK)
				return w;
			snprintf(msg, cap,
			         "%s failed: a new worker for the skill could "
			         "not start: %.700s",
			         tool, e.msg);
			set_outcome(res, EXEC_START_FAILED, "start failed");
			*st = SKILL_ERR_INTERNAL;
			pthread_mutex_lock(&iso->lock);
			iso->nworkers--;
			crashed(iso, "start failed");
			pthread_cond_broadcast(&iso->cv);
			break;
		}
		if (call_is_cancelled(call)) {
			int timed_out =
			        call->deadline_ns && now >= call->deadline_ns;
			snprintf(msg, cap,
			         "%s failed: %s while waiting for one of skill "
			         "%s's %u workers%s",
			         tool,
			         timed_out ? "the call's deadline passed"
			                   : "the call was cancelled",
			         iso->name, iso->pool_max,
			         iso->nworkers < iso->pool_max
			                 ? " (restarts are being held back "
			                   "after crashes)"
			                 : "");
			set_outcome(res, EXEC_BUSY, "busy");
			*st = timed_out ? SKILL_ERR_TIMEOUT
			                : SKILL_ERR_CANCELLED;
			break;
		}
		wake = now + (int64_t)1000 * 1000000;
		if (iso->nworkers < iso->pool_max && iso->next_start_ns < wake)
			wake = iso->next_start_ns;
		if (call->deadline_ns && call->deadline_ns < wake)
			wake = call->deadline_ns;
		if (call->cancel && now + POLL_SLICE_MS * 1000000 < wake)
			wake = now + (int64_t)POLL_SLICE_MS * 1000000;
		ts.tv_sec = wake / 1000000000;
		ts.tv_nsec = wake % 1000000000;
		pthread_cond_timedwait(&iso->cv, &iso->lock, &ts);
	}
	pthread_mutex_unlock(&iso->lock);
	return w;
}

/* How long a write to the worker (a reply, the call) may wait for it to
 * read: until the worker is to be killed, or the call's deadline plus the
 * grace, or ISOLATED_STALL_MS for a call without a deadline. */
static int64_t io_deadline(const struct isolated *iso,
                           const struct skill_call *call, int64_t kill_at)
{
	if (kill_at)
		return kill_at;
	if (call->deadline_ns)
		return call->deadline_ns + iso->grace_ns;
	return call_now_ns() + (int64_t)ISOLATED_STALL_MS * 1000000;
}

/* take_worker, replacing an idle worker that has died since its last
 * call (a thread of the skill crashed it): that is not this call's
 * failure. */
static struct worker *acquire(struct isolated *iso, struct skill_call *call,
                              char *msg, size_t cap, skill_status *st,
                              struct exec_result *res)
{
	for (;;) {
		struct worker *w = take_worker(iso, call, msg, cap, st, res);
		char why[256], tail[TAIL_MAX + 8];
		int status;

		if (!w || waitpid(w->pid, &status, WNOHANG) != w->pid)
			return w;
		drain_output(iso, w);
		describe_status(status, why, sizeof why);
		hostlog(SKILL_LOG_WARNING,
		        "%s: an idle worker %s%s; starting another", iso->name,
		        why, tail_text(w, tail, sizeof tail));
		worker_free(w);
		release(iso, NULL, 0, 0, "ended while idle");
	}
}

static skill_status isolated_invoke(struct executor *ex, uint32_t tool_index,
                                    const char *args, size_t len,
                                    struct skill_call *call,
                                    struct exec_result *res)
{
	struct isolated *iso = (struct isolated *)ex;
	struct session s = {.iso = iso, .call = call};
	char msg[MSG_MAX];
	enum why_ended why = 0;
	const char *crash = NULL;
	int64_t kill_at = 0;
	skill_status st = SKILL_ERR_INTERNAL;
	struct wire_buf b;
	struct worker *w;
	int status;

	res->outcome = EXEC_OK;
	res->detail[0] = '\0';
	if (!(w = acquire(iso, call, msg, sizeof msg, &st, res))) {
		call_set_error(call, msg);
		return st;
	}
	s.w = w;
	s.call_id = atomic_fetch_add(&iso->next_call, 1) + 1;
	w->logged = 0;
	atomic_store(&w->ctl->cancel, 0);
	s.io_deadline_ns = io_deadline(iso, call, 0);
	wire_buf_init(&b);
	wire_begin(&b, WIRE_CALL, s.call_id);
	wire_put_u32(&b, tool_index);
	wire_put_i64(&b, call->deadline_ns);
	wire_put_bytes(&b, args, len);
	if (send_frame(&s, &b, 0)) {
		/* A worker that is gone is classified by how it ended; one
		 * that does not read is hung. */
		if (errno == ETIMEDOUT) {
			why = END_PROTOCOL;
			snprintf(s.why, sizeof s.why,
			         "it did not read the call");
		}
		goto dead;
	}
	for (;;) {
		enum turn t = handle_frames(&s);
		int64_t now;
		int timeout = -1, got;
		if (t == T_FINISHED)
			break;
		if (t == T_BROKEN) {
			why = END_PROTOCOL;
			goto dead;
		}
		now = call_now_ns();
		if (!kill_at && call_is_cancelled(call)) {
			/* Ask first; the skill may stop by itself. */
			atomic_store(&w->ctl->cancel, 1);
			kill_at = now + iso->grace_ns;
			why = call->deadline_ns && now >= call->deadline_ns
			              ? END_DEADLINE
			              : END_CANCELLED;
		}
		if (kill_at) {
			if (now >= kill_at)
				goto dead;
			timeout = ms_until(kill_at);
		} else if (call->deadline_ns) {
			timeout = ms_until(call->deadline_ns);
		}
		if (!kill_at && call->cancel &&
		    (timeout < 0 || timeout > POLL_SLICE_MS))
			timeout = POLL_SLICE_MS;
		s.io_deadline_ns = io_deadline(iso, call, kill_at);
		got = wait_input(&s, timeout);
		if (got < 0) {
			/* It died by itself: even a pending cancel does not
			 * make that the host's doing. */
			why = 0;
			goto dead;
		}
	}
	free(s.handles);
	st = (skill_status)s.done.status;
	drain_output(iso, w);
	if (st == SKILL_ERR_NOMEM && !sandbox_sanitized() &&
	    s.done.vm >= iso->memory_max - iso->memory_max / 8) {
		snprintf(msg, sizeof msg,
		         "%s failed: the skill ran out of memory: its worker "
		         "is at the memory cap of %llu MiB (raise it with "
		         "`skillhost config %s memory SIZE`)",
		         call->tool_name ? call->tool_name : iso->name,
		         (unsigned long long)(iso->memory_max >> 20),
		         iso->name);
		if (!call->is_error)
			call_set_error(call, msg);
		set_outcome(res, EXEC_MEMORY_CAP, "memory cap");
		/* Its heap is at the cap: a fresh worker serves better. */
		w->retire = 1;
	}
	if (s.done.retire)
		w->retire = 1;
	if (w->retire) {
		/* Not a crash: replaced the next time one is needed. */
		kill_worker(iso, w);
		worker_free(w);
		release(iso, NULL, 0, 1, NULL);
	} else {
		release(iso, w, 1, 1, NULL);
	}
	return st;
dead:
	free(s.handles);
	if (why == 0 && !exited_soon(w->pid, &status))
		why = END_HANGUP;
	if (why)
		status = kill_worker(iso, w);
	else
		drain_output(iso, w);
	st = ended(iso, &s, status, why, msg, sizeof msg, &crash, res);
	hostlog(crash ? SKILL_LOG_WARNING : SKILL_LOG_NOTICE, "%s", msg);
	call_set_error(call, msg);
	iso->last_sandbox = w->sandbox;
	worker_free(w);
	release(iso, NULL, 0, 0, crash);
	return st;
}

/* ---- the executor ---- */

/* Ask a worker to finish (its skill's fini runs), serving its last log
 * messages, then make sure it is gone. */
static void shutdown_worker(struct isolated *iso, struct worker *w)
{
	struct session s = {.iso = iso, .w = w, .hello = 1, .ready = 1};
	int64_t deadline =
	        call_now_ns() + (int64_t)ISOLATED_SHUTDOWN_MS * 1000000;
	struct wire_buf b;

	s.io_deadline_ns = deadline;
	wire_buf_init(&b);
	wire_begin(&b, WIRE_SHUTDOWN, 0);
	if (send_frame(&s, &b, 0) == 0) {
		for (;;) {
			int got;
			if (handle_frames(&s) != T_MORE)
				break;
			got = wait_input(&s, ms_until(deadline));
			if (got < 0 || (got == 0 && call_now_ns() >= deadline))
				break;
		}
	}
	free(s.handles);
	kill_worker(iso, w);
	worker_free(w);
}

static void isolated_destroy(struct executor *ex)
{
	struct isolated *iso = (struct isolated *)ex;

	if (!iso)
		return;
	while (iso->idle) {
		struct worker *w = iso->idle;
		iso->idle = w->next;
		shutdown_worker(iso, w);
	}
	pthread_mutex_destroy(&iso->lock);
	pthread_cond_destroy(&iso->cv);
	free(iso->name);
	free(iso->version);
	free(iso->lib);
	free(iso->bundle);
	free(iso->worker);
	free(iso->scratch_root);
	free(iso->tools);
	free(iso->welcome_ids);
	free(iso->config_schema);
	free(iso);
}

static const struct executor_ops isolated_ops = {
        .kind = "isolated",
        .invoke = isolated_invoke,
        .destroy = isolated_destroy,
};

const void *exec_skill_extension(struct executor *ex, const char *id)
{
	struct isolated *iso = (struct isolated *)ex;
	const void *found = NULL;

	if (!ex || !id)
		return NULL;
	if (ex->ops != &isolated_ops)
		return exec_inproc_skill_extension(ex, id);
	pthread_mutex_lock(&iso->lock);
	if (!strcmp(id, SKILL_EXT_CONFIG_SCHEMA) && iso->config_schema)
		found = &iso->schema_ext;
	pthread_mutex_unlock(&iso->lock);
	return found;
}

int exec_isolated_stats(struct executor *ex, struct exec_isolated_stats *out)
{
	struct isolated *iso = (struct isolated *)ex;

	memset(out, 0, sizeof *out);
	if (!ex || ex->ops != &isolated_ops)
		return 0;
	pthread_mutex_lock(&iso->lock);
	out->workers = iso->nworkers;
	for (struct worker *w = iso->idle; w; w = w->next)
		if (out->idle < ISOLATED_POOL_MAX)
			out->idle_pids[out->idle++] = w->pid;
	out->started = iso->started;
	out->restarts = iso->restarts;
	out->crashes = iso->crashes;
	out->crash_streak = iso->streak;
	out->breaker_open =
	        iso->breaker_until_ns && call_now_ns() < iso->breaker_until_ns;
	out->sandbox = iso->last_sandbox;
	pthread_mutex_unlock(&iso->lock);
	return 1;
}

static char *tool_names(const struct skilldesc *d)
{
	size_t len = 1, off = 0;
	char *s;

	for (uint32_t i = 0; i < d->ntools; i++)
		len += strlen(d->tools[i].name) + 1;
	if (!(s = malloc(len)))
		return NULL;
	for (uint32_t i = 0; i < d->ntools; i++) {
		size_t n = strlen(d->tools[i].name);
		memcpy(s + off, d->tools[i].name, n);
		s[off + n] = '\n';
		off += n + 1;
	}
	s[off] = '\0';
	return s;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* The host extensions the worker may use: those the host offers and the
 * protocol can forward. */
static char *offer(struct isolated *iso, const void *(*lookup)(const char *id))
{
	size_t len = 1;
	char *s;

	for (unsigned x = 1; x < WIRE_EXT_COUNT && lookup; x++)
		if ((iso->ext[x] = lookup(wire_ext_id((enum wire_ext)x))))
			len += strlen(wire_ext_id((enum wire_ext)x)) + 1;
	if (!(s = calloc(1, len)))
		return NULL;
	for (unsigned x = 1; x < WIRE_EXT_COUNT; x++)
		if (iso->ext[x]) {
			strcat(s, wire_ext_id((enum wire_ext)x));
			strcat(s, "\n");
		}
	return s;
}

static int64_t ms_or(int64_t v, int64_t def)
{
	return (v > 0 ? v : def) * 1000000;
}

sh_status exec_isolated_open(const struct exec_isolated_opts *o,
                             struct executor **out, struct sh_error *e)
{
	struct isolated *iso;
	pthread_condattr_t ca;
	char worker[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	struct worker *w;
	sh_status rc;

	*out = NULL;
	if (o->worker_path)
		snprintf(worker, sizeof worker, "%s", o->worker_path);
	else if ((rc = probe_worker_path(worker, sizeof worker, e)))
		return rc;
	if (!(iso = calloc(1, sizeof *iso)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	iso->base.ops = &isolated_ops;
	pthread_mutex_init(&iso->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&iso->cv, &ca);
	pthread_condattr_destroy(&ca);
	iso->name = strdup(o->desc->name);
	iso->version = strdup(o->desc->version);
	iso->lib = strdup(o->lib);
	iso->bundle = o->bundle_dir ? strdup(o->bundle_dir) : dir_of(o->lib);
	iso->worker = strdup(worker);
	iso->scratch_root = strdup(o->scratch_root        ? o->scratch_root
	                           : tmp && tmp[0] == '/' ? tmp
	                                                  : "/tmp");
	iso->tools = tool_names(o->desc);
	iso->ntools = o->desc->ntools;
	iso->svc = o->svc;
	iso->welcome_ids = offer(iso, o->ext_lookup ? o->ext_lookup
	                              : o->svc      ? o->svc->ext_lookup
	                                            : NULL);
	if (!iso->name || !iso->version || !iso->lib || !iso->bundle ||
	    !iso->worker || !iso->scratch_root || !iso->tools ||
	    !iso->welcome_ids) {
		isolated_destroy(&iso->base);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	hostapi_bind(&iso->binding, iso->name, o->svc);
	iso->memory_max =
	        o->memory_max ? o->memory_max : ISOLATED_MEMORY_DEFAULT;
	if (iso->memory_max < ISOLATED_MEMORY_MIN)
		iso->memory_max = ISOLATED_MEMORY_MIN;
	iso->threads_max =
	        o->threads_max ? o->threads_max : SANDBOX_THREADS_DEFAULT;
	if (iso->threads_max > SANDBOX_THREADS_MAX)
		iso->threads_max = SANDBOX_THREADS_MAX;
	iso->pool_max = o->pool_max ? o->pool_max : ISOLATED_POOL_DEFAULT;
	if (iso->pool_max > ISOLATED_POOL_MAX)
		iso->pool_max = ISOLATED_POOL_MAX;
	if (o->desc->flags & SKILL_FLAG_SERIALIZED)
		iso->pool_max = 1;
	iso->grace_ns = ms_or(o->cancel_grace_ms, ISOLATED_CANCEL_GRACE_MS);
	iso->backoff_base_ns =
	        ms_or(o->backoff_base_ms, ISOLATED_BACKOFF_BASE_MS);
	iso->backoff_max_ns = ms_or(o->backoff_max_ms, ISOLATED_BACKOFF_MAX_MS);
	iso->cooldown_ns =
	        ms_or(o->breaker_cooldown_ms, ISOLATED_BREAKER_COOLDOWN_MS);
	iso->breaker_crashes = o->breaker_crashes ? o->breaker_crashes
	                                          : ISOLATED_BREAKER_CRASHES;
	iso->metrics = o->svc && o->svc->metrics
	                       ? metrics_skill(o->svc->metrics, iso->name)
	                       : NULL;
	/* The first worker starts now, so a skill that cannot start fails
	 * the way it would in-process: before its first call runs. */
	iso->nworkers = 1;
	if ((rc = start_worker(iso, &w, e))) {
		iso->nworkers = 0;
		isolated_destroy(&iso->base);
		return rc;
	}
	iso->idle = w;
	*out = &iso->base;
	return SH_OK;
}
