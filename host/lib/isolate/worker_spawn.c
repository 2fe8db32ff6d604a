/*
 * worker_spawn.c - a worker's process for the isolated executor: spawning
 * it sandboxed with its channels, moving its output to the host log, its
 * environment, its end, and start-up up to the skill's init. See
 * exec_isolated_int.h.
 */
#include "exec_isolated_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call.h"
#include "fsutil.h"
#include "hostlog.h"
#include "phasetime.h"
#include "metrics.h"
#include "sandbox.h"

/* Output read from a worker at most at a time (drain_output). */
#define DRAIN_BUDGET ((size_t)256 * 1024)

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
		(void)snprintf(w->first_error, sizeof w->first_error, "%s",
		               w->line);
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
void iso_drain_output(const struct isolated *iso, struct worker *w)
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

int iso_reap(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return status;
}

/* Free a worker that has exited (after reap). */
void iso_worker_free(struct worker *w)
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
int iso_kill_worker(const struct isolated *iso, struct worker *w)
{
	int status;

	kill(w->pid, SIGKILL);
	status = iso_reap(w->pid);
	iso_drain_output(iso, w);
	return status;
}

/* "NAME=value" into a fresh string, or NULL. */
static char *env_entry(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);

	if (s)
		(void)snprintf(s, n, "%s=%s", name, value);
	return s;
}

/* exec_isolated_short_lived: set before workers start, read as they do. */
static atomic_int short_lived;

void exec_isolated_short_lived(int on)
{
	atomic_store(&short_lived, on != 0);
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
	if (atomic_load(&short_lived) && !sandbox_sanitized())
		env[n++] =
		        strdup("GLIBC_TUNABLES=" ISOLATED_SHORT_LIVED_TUNABLES);
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
		(void)snprintf(
		        opts, sizeof opts,
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
	/* rc is set apart from the sh_error_* calls below so the analyzer
	 * sees it non-zero on every failure (it cannot see that they return
	 * the status they are given), and so *out is set on success. */
	if (!w) {
		sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		return SH_ERR_NOMEM;
	}
	w->fd = w->out_fd = -1;
	w->pid = -1;
	wire_reader_init(&w->rd);
	if ((rc = make_scratch(iso, w->scratch, sizeof w->scratch, e))) {
		w->scratch[0] = '\0';
		goto fail;
	}
	argv[6] = w->scratch;
	(void)snprintf(memory, sizeof memory, "%llu",
	               (unsigned long long)iso->memory_max);
	(void)snprintf(threads, sizeof threads, "%u", iso->threads_max);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ||
	    pipe2(op, O_CLOEXEC) ||
	    (memfd = memfd_create("skillhost-ctl", MFD_CLOEXEC)) < 0 ||
	    ftruncate(memfd, WIRE_CTL_SIZE)) {
		rc = SH_ERR_IO;
		sh_error_errno(e, rc, errno,
		               "cannot set up a worker's channels");
		goto fail;
	}
	page = mmap(NULL, WIRE_CTL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	            memfd, 0);
	if (page == MAP_FAILED) {
		rc = SH_ERR_IO;
		sh_error_errno(e, rc, errno,
		               "cannot map a worker's control page");
		goto fail;
	}
	w->ctl = page;
	w->ctl->magic = WIRE_CTL_MAGIC;
	atomic_store(&w->ctl->crash_syscall, -1);
	if ((cfd = child_fd(sv[1])) < 0 || (cout = child_fd(op[1])) < 0 ||
	    (cmem = child_fd(memfd)) < 0 ||
	    !(env = exec_isolated_env(w->scratch, iso->memory_max))) {
		rc = SH_ERR_IO;
		sh_error_errno(e, rc, errno ? errno : ENOMEM,
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
		rc = SH_ERR_FAIL;
		sh_error_errno(e, rc, err, "cannot run %s", iso->worker);
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
		iso_worker_free(w);
	return rc;
}

/* ---- starting a worker ---- */

const char *iso_signame(int sig, char *buf, size_t cap)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		(void)snprintf(buf, cap, "SIG%s", abbrev);
	else
		(void)snprintf(buf, cap, "signal %d", sig);
	return buf;
}

void iso_describe_status(int status, char *buf, size_t cap)
{
	char sn[32];

	if (WIFSIGNALED(status))
		(void)snprintf(buf, cap, "was killed by %s (%s)",
		               iso_signame(WTERMSIG(status), sn, sizeof sn),
		               strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == WIRE_EXIT_SETUP)
		(void)snprintf(buf, cap, "could not set itself up");
	else
		(void)snprintf(buf, cap, "exited with status %d",
		               WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* What the worker printed that explains its end, as ": <text>" for a
 * message: the first line of an error report, else its last output; or
 * "". */
const char *iso_tail_text(struct worker *w, char *buf, size_t cap)
{
	char *end;

	buf[0] = '\0';
	if (w->first_error[0])
		(void)snprintf(buf, cap, ": %s", w->first_error);
	else if (w->tail_len)
		(void)snprintf(buf, cap, ": %s", w->tail);
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
sh_status iso_start_worker(struct isolated *iso, struct worker **out,
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
	PHASE_MARK("spawn: starting worker");
	if ((rc = spawn(iso, &w, e)))
		return rc;
	PHASE_MARK("spawn: worker spawned");
	s.w = w;
	s.io_deadline_ns = deadline;
	for (;;) {
		enum turn t = iso_handle_frames(&s);
		int got;
		if (t == T_BROKEN) {
			iso_kill_worker(iso, w);
			rc = sh_error_set(e, SH_ERR_FAIL,
			                  "skill %s: its worker broke the "
			                  "protocol while starting (%s)",
			                  iso->name, s.why);
			goto fail;
		}
		if (t == T_FINISHED)
			break;
		got = iso_wait_input(&s, iso_ms_until(deadline));
		if (got < 0) {
			int status = iso_reap(w->pid);
			iso_drain_output(iso, w);
			iso_describe_status(status, why, sizeof why);
			rc = sh_error_set(e, SH_ERR_FAIL,
			                  "skill %s: its worker %s while "
			                  "starting%s",
			                  iso->name, why,
			                  iso_tail_text(w, tail, sizeof tail));
			goto fail;
		}
		if (got == 0 && call_now_ns() >= deadline) {
			iso_kill_worker(iso, w);
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
		iso_kill_worker(iso, w);
		rc = sh_error_set(e, SH_ERR_FAIL,
		                  "skill %s (%s): init failed with status %d "
		                  "(%s); see its log messages above",
		                  iso->name, iso->lib, (int)s.init_status,
		                  call_skill_status_name(s.init_status));
		goto fail;
	}
	PHASE_MARK("spawn: worker initialised");
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
	iso_worker_free(w);
	return rc;
}
