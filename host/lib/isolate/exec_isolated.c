/*
 * exec_isolated.c - skills in sandboxed worker processes: the executor,
 * its pool, a call's course and how it ended. See exec_isolated.h; the
 * other parts are listed in exec_isolated_int.h, the protocol is in wire.h,
 * the sandbox in sandbox.h.
 */
#include "exec_isolated_int.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <skill/ext/config.h>

#include "artifacts.h"
#include "call.h"
#include "exec_inproc.h"
#include "hostapi.h"
#include "hostlog.h"
#include "metrics.h"
#include "monotime.h"
#include "phasetime.h"
#include "sandbox.h"
#include "wire.h"
#include "worker_path.h"

/* How often a wait re-checks a caller's cancellation flag, which nothing
 * signals. */
#define POLL_SLICE_MS 10
/* How long a worker whose socket closed may take to finish exiting. */
#define EXIT_WAIT_MS 200

static const struct executor_ops isolated_ops;

/* Say how the executor's part of a call ended (executor.h): the detail is
 * what, followed by arg ("crashed: " "SIGSEGV"). */
static void set_outcome(struct exec_result *res, enum exec_outcome oc,
                        const char *what, const char *arg)
{
	res->outcome = oc;
	(void)snprintf(res->detail, sizeof res->detail, "%s%s", what, arg);
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
		(void)snprintf(
		        msg, cap,
		        "%s failed: %s and the skill did not stop within "
		        "%lld ms of being asked to; its worker was stopped",
		        tool,
		        why == END_DEADLINE ? "the call's deadline passed"
		                            : "the call was cancelled",
		        (long long)grace_ms);
		set_outcome(res,
		            why == END_DEADLINE ? EXEC_DEADLINE
		                                : EXEC_CANCELLED,
		            "killed: ",
		            why == END_DEADLINE ? "deadline" : "cancelled");
		return why == END_DEADLINE ? SKILL_ERR_TIMEOUT
		                           : SKILL_ERR_CANCELLED;
	}
	if (why == END_HANGUP) {
		(void)snprintf(
		        msg, cap,
		        "%s failed: the skill closed its worker's connection "
		        "to the host during the call; the worker was stopped",
		        tool);
		set_outcome(res, EXEC_HUNG_UP, "hung up", "");
		*crash = "closed the connection";
		return SKILL_ERR_INTERNAL;
	}
	if (why == END_PROTOCOL) {
		(void)snprintf(msg, cap,
		               "%s failed: the skill's worker broke the host "
		               "protocol (%.600s) and was stopped",
		               tool, s->why);
		set_outcome(res, EXEC_PROTOCOL, "protocol", "");
		*crash = "protocol violation";
		return SKILL_ERR_INTERNAL;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == WIRE_EXIT_VIOLATION &&
	    nr >= 0) {
		sandbox_syscall_name(nr, arch, sn, sizeof sn);
		(void)snprintf(
		        msg, cap,
		        "%s failed: the skill made a system call isolated "
		        "skills may not make (%s), and its worker was "
		        "stopped. Isolated skills cannot run programs, create "
		        "processes, trace or mount; they reach the network "
		        "only through the host's skill.http/1 extension",
		        tool, sn);
		set_outcome(res, EXEC_VIOLATION, "sandbox: ", sn);
		*crash = "forbidden system call";
		return SKILL_ERR_DENIED;
	}
	/* vm is the worker's word: compared, never added to. */
	if ((WIFSIGNALED(status) && sig && !sandbox_sanitized() &&
	     iso->memory_max > slack && vm >= iso->memory_max - slack) ||
	    w->rss_limit_hit) {
		(void)snprintf(
		        msg, cap,
		        "%s failed: the skill ran out of memory: its worker "
		        "reached the memory cap of %llu MiB and was stopped "
		        "(raise it with `skillhost config %s memory SIZE`)",
		        tool, (unsigned long long)(iso->memory_max >> 20),
		        iso->name);
		set_outcome(res, EXEC_MEMORY_CAP, "memory cap", "");
		*crash = "memory cap";
		return SKILL_ERR_NOMEM;
	}
	if (WIFSIGNALED(status)) {
		int term = WTERMSIG(status);
		iso_signame(term, sn, sizeof sn);
		if (term == SIGXCPU)
			(void)snprintf(
			        msg, cap,
			        "%s failed: the skill used up its worker's "
			        "CPU time limit (%d s) and was stopped",
			        tool, SANDBOX_CPU_SECONDS);
		else
			(void)snprintf(
			        msg, cap,
			        "%s failed: the skill crashed (%s: %s); a new "
			        "worker will serve the next call",
			        tool, sn, strsignal(term));
		set_outcome(res, EXEC_CRASHED, "crashed: ", sn);
		*crash = res->detail + strlen("crashed: ");
		return SKILL_ERR_INTERNAL;
	}
	(void)snprintf(
	        msg, cap,
	        "%s failed: the skill's worker exited with status %d during "
	        "the call%s",
	        tool, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
	        iso_tail_text(w, tail, sizeof tail));
	(void)snprintf(sn, sizeof sn, "%d",
	               WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	set_outcome(res, EXEC_EXITED, "exited: ", sn);
	*crash = "unexpected exit";
	return SKILL_ERR_INTERNAL;
}

/* Join the end of the waiters' line. Under iso->lock. */
static void wait_in_line(struct isolated *iso, struct pool_waiter *me)
{
	struct pool_waiter **pp = &iso->waiters;

	sh_cond_init_monotonic(&me->cv);
	me->next = NULL;
	me->given = NULL;
	while (*pp)
		pp = &(*pp)->next;
	*pp = me;
}

/* Leave the line (if a worker was not handed over, which took me out).
 * Under iso->lock. */
static void leave_line(struct isolated *iso, struct pool_waiter *me)
{
	if (!me->given)
		for (struct pool_waiter **pp = &iso->waiters; *pp;
		     pp = &(*pp)->next)
			if (*pp == me) {
				*pp = me->next;
				break;
			}
	pthread_cond_destroy(&me->cv);
}

/* Take an idle worker, or start one, waiting while the pool is full or a
 * restart is being held back; waiters are served in turn. NULL with msg
 * and *st when none can be had before the call ends. */
static struct worker *take_worker(struct isolated *iso, struct skill_call *call,
                                  char *msg, size_t cap, skill_status *st,
                                  struct exec_result *res)
{
	const char *tool = call->tool_name ? call->tool_name : iso->name;
	struct worker *w = NULL;
	struct pool_waiter me = {0};
	int in_line = 0;

	pthread_mutex_lock(&iso->lock);
	for (;;) {
		int64_t now = call_now_ns(), wake;
		struct timespec ts;
		/* Handed over while waiting: it is this caller's now, even
		 * if the call was cancelled meanwhile (the call finds out). */
		if (me.given) {
			w = me.given;
			break;
		}
		if (iso->breaker_until_ns && now < iso->breaker_until_ns) {
			int64_t secs =
			        (iso->breaker_until_ns - now) / 1000000000 + 1;
			(void)snprintf(
			        msg, cap,
			        "%s failed: skill %s is not being restarted: "
			        "its worker crashed %u times in a row (last: "
			        "%s). Calls fail for %lld more s; fix the "
			        "skill, or restart skillhost to try again now",
			        tool, iso->name, iso->streak, iso->last_crash,
			        (long long)secs);
			set_outcome(res, EXEC_BREAKER_OPEN, "breaker open", "");
			*st = SKILL_ERR_INTERNAL;
			break;
		}
		/* Before taking or starting a worker: a call cancelled while
		 * it waited (its client left, its deadline passed) must not
		 * start one only to have it killed. */
		if (call_is_cancelled(call)) {
			int timed_out =
			        call->deadline_ns && now >= call->deadline_ns;
			(void)snprintf(
			        msg, cap,
			        "%s failed: %s while waiting for one of skill "
			        "%s's %u workers%s",
			        tool,
			        timed_out ? "the call's deadline passed"
			                  : "the call was cancelled",
			        iso->name, iso->pool_max,
			        iso->nworkers < iso->pool_max &&
			                        now < iso->next_start_ns
			                ? " (restarts are being held back "
			                  "after crashes)"
			                : "");
			set_outcome(res, EXEC_BUSY, "busy", "");
			*st = timed_out ? SKILL_ERR_TIMEOUT
			                : SKILL_ERR_CANCELLED;
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
			if (in_line) {
				leave_line(iso, &me);
				in_line = 0;
			}
			pthread_mutex_unlock(&iso->lock);
			if (iso_start_worker(iso, &w, &e) == SH_OK)
				return w;
			(void)snprintf(
			        msg, cap,
			        "%s failed: a new worker for the skill could "
			        "not start: %.700s",
			        tool, e.msg);
			set_outcome(res, EXEC_START_FAILED, "start failed", "");
			*st = SKILL_ERR_INTERNAL;
			pthread_mutex_lock(&iso->lock);
			iso->nworkers--;
			iso_crashed(iso, "start failed");
			iso_wake_waiters(iso);
			break;
		}
		wake = now + (int64_t)1000 * 1000000;
		if (iso->nworkers < iso->pool_max && iso->next_start_ns < wake)
			wake = iso->next_start_ns;
		if (call->deadline_ns && call->deadline_ns < wake)
			wake = call->deadline_ns;
		if (call->cancel &&
		    now + (int64_t)POLL_SLICE_MS * 1000000 < wake)
			wake = now + (int64_t)POLL_SLICE_MS * 1000000;
		ts = sh_timespec(wake);
		if (!in_line) {
			wait_in_line(iso, &me);
			in_line = 1;
		}
		pthread_cond_timedwait(&me.cv, &iso->lock, &ts);
	}
	if (in_line)
		leave_line(iso, &me);
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
		iso_drain_output(iso, w);
		iso_describe_status(status, why, sizeof why);
		hostlog(SKILL_LOG_WARNING,
		        "%s: an idle worker %s%s; starting another", iso->name,
		        why, iso_tail_text(w, tail, sizeof tail));
		iso_worker_free(w);
		iso_release(iso, NULL, 0, 0, "ended while idle");
	}
}

/* Send SHUTDOWN on s's worker; 0, or -1 when it cannot be sent. */
static int send_shutdown(struct session *s)
{
	struct wire_buf b;

	wire_buf_init(&b);
	wire_begin(&b, WIRE_SHUTDOWN, 0);
	return iso_send_frame(s, &b, 0);
}

/* The caller's memfd of the arguments (struct skill_call), when it is in
 * the form the worker takes: then the bytes are not copied again. A
 * descriptor in any other state is the caller's bug, and costs only the
 * copy. -1 when there is none to use. */
static int caller_memfd(const struct skill_call *call, size_t len)
{
	char why[160];

	if (call->args_memfd <= 0)
		return -1;
	if (wire_check_sealed(call->args_memfd, (uint64_t)len + 1, why,
	                      sizeof why)) {
		hostlog(SKILL_LOG_WARNING,
		        "the arguments' memfd is not usable (%s); copying them",
		        why);
		return -1;
	}
	return call->args_memfd;
}

/* The channel of worker w failed during call s before the worker took it
 * (wire_ctl.taken) and with nothing heard from it: none of the call ran,
 * so it may go to another worker. Reaps or stops w and accounts for it as
 * a worker that ended while idle. 1 when so; 0 (w untouched) otherwise. */
static int untaken(struct isolated *iso, struct session *s)
{
	struct worker *w = s->w;
	char why[256], tail[TAIL_MAX + 8];
	int status, exited;

	if (s->frames || atomic_load(&w->ctl->taken) == s->call_id ||
	    call_is_cancelled(s->call))
		return 0;
	exited = exited_soon(w->pid, &status);
	if (!exited)
		status = iso_kill_worker(iso, w);
	iso_drain_output(iso, w);
	iso_describe_status(status, why, sizeof why);
	hostlog(SKILL_LOG_WARNING,
	        "%s: a worker %s%s before it took a call%s; the call goes to "
	        "another worker",
	        iso->name, exited ? "" : "closed its connection and ",
	        exited ? why : "was stopped",
	        iso_tail_text(w, tail, sizeof tail));
	iso->last_sandbox = w->sandbox;
	iso_worker_free(w);
	iso_release(iso, NULL, 0, 0,
	            exited ? "ended while idle" : "closed the connection");
	return 1;
}

/* One attempt at a call; *again (when not NULL) is set instead of failing
 * the call when its worker's channel failed before the worker took it. */
static skill_status invoke_once(struct isolated *iso, uint32_t tool_index,
                                const char *args, size_t len,
                                struct skill_call *call,
                                struct exec_result *res, int *again)
{
	struct session s = {.iso = iso, .call = call};
	char msg[MSG_MAX];
	enum why_ended why = 0;
	const char *crash = NULL;
	int64_t kill_at = 0;
	skill_status st = SKILL_ERR_INTERNAL;
	struct wire_buf b;
	struct worker *w;
	int status, args_fd = -1, sent;

	res->outcome = EXEC_OK;
	res->detail[0] = '\0';
	if (!(w = acquire(iso, call, msg, sizeof msg, &st, res))) {
		call_set_error(call, msg);
		return st;
	}
	PHASE_MARK("isolated: worker acquired");
	s.w = w;
	s.call_id = atomic_fetch_add(&iso->next_call, 1) + 1;
	w->logged = 0;
	atomic_store(&w->ctl->cancel, 0);
	/* Whether it may poll for its next call after this one. */
	atomic_store(&w->ctl->spin_ns,
	             spin_cpu_spare() ? WIRE_SPIN_NEXT_NS : 0);
	s.io_deadline_ns = io_deadline(iso, call, 0);
	wire_buf_init(&b);
	wire_begin(&b, WIRE_CALL, s.call_id);
	wire_put_u32(&b, tool_index);
	wire_put_i64(&b, call->deadline_ns);
	/* Large arguments go as a sealed memfd the worker maps: no copy
	 * through the socket, and no round trips while it drains. When the
	 * memfd cannot be made, the bytes go in the frame as usual. */
	if (len >= WIRE_ARGS_FD_MIN)
		args_fd = caller_memfd(call, len);
	if (len >= WIRE_ARGS_FD_MIN && args_fd < 0)
		args_fd = wire_sealed_memfd(args, len, 1);
	wire_put_u64(&b, args_fd >= 0 ? (uint64_t)len : 0);
	wire_put_bytes(&b, args, args_fd >= 0 ? 0 : len);
	PHASE_MARK("isolated: arguments memfd made");
	sent = iso_send_frame_fd(&s, &b, 0, args_fd);
	PHASE_MARK("isolated: call sent");
	if (args_fd >= 0 && args_fd != call->args_memfd)
		close(args_fd);
	if (sent) {
		/* A worker that is gone is classified by how it ended; one
		 * that does not read is hung. */
		if (errno == ETIMEDOUT) {
			why = END_PROTOCOL;
			(void)snprintf(s.why, sizeof s.why,
			               "it did not read the call");
		}
		goto dead;
	}
	for (;;) {
		enum turn t = iso_handle_frames(&s);
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
			timeout = iso_ms_until(kill_at);
		} else if (call->deadline_ns) {
			timeout = iso_ms_until(call->deadline_ns);
		}
		if (!kill_at && call->cancel &&
		    (timeout < 0 || timeout > POLL_SLICE_MS))
			timeout = POLL_SLICE_MS;
		s.io_deadline_ns = io_deadline(iso, call, kill_at);
		got = iso_wait_input(&s, timeout);
		if (got < 0) {
			/* It died by itself: even a pending cancel does not
			 * make that the host's doing. */
			why = 0;
			goto dead;
		}
	}
	PHASE_MARK("isolated: worker done");
	free(s.handles);
	st = (skill_status)s.done.status;
	iso_drain_output(iso, w);
	if (st == SKILL_ERR_NOMEM && !sandbox_sanitized() &&
	    s.done.vm >= iso->memory_max - iso->memory_max / 8) {
		(void)snprintf(
		        msg, sizeof msg,
		        "%s failed: the skill ran out of memory: its worker "
		        "is at the memory cap of %llu MiB (raise it with "
		        "`skillhost config %s memory SIZE`)",
		        call->tool_name ? call->tool_name : iso->name,
		        (unsigned long long)(iso->memory_max >> 20), iso->name);
		if (!call->is_error)
			call_set_error(call, msg);
		set_outcome(res, EXEC_MEMORY_CAP, "memory cap", "");
		/* Its heap is at the cap: a fresh worker serves better. */
		w->retire = 1;
	}
	if (s.done.retire)
		w->retire = 1;
	if (call->last_call && !w->retire) {
		send_shutdown(&s);
		/* Out of the pool: no call may get a worker that is leaving,
		 * and another one starts if a call comes after all. */
		pthread_mutex_lock(&iso->lock);
		w->leaving = 1;
		w->next = iso->leaving;
		iso->leaving = w;
		pthread_mutex_unlock(&iso->lock);
		iso_release(iso, NULL, 0, 1, NULL);
	} else if (w->retire) {
		/* Not a crash: replaced the next time one is needed. */
		iso_kill_worker(iso, w);
		iso_worker_free(w);
		iso_release(iso, NULL, 0, 1, NULL);
	} else {
		iso_release(iso, w, 1, 1, NULL);
	}
	/* An artifact committed during the call finishes syncing (a last
	 * call's worker exits meanwhile); if it fails, the call says so. */
	(void)artifacts_settle(call);
	return st;
dead:
	free(s.handles);
	if (why == 0 && again && untaken(iso, &s)) {
		*again = 1;
		return SKILL_ERR_INTERNAL;
	}
	if (why == 0 && !exited_soon(w->pid, &status))
		why = END_HANGUP;
	if (why)
		status = iso_kill_worker(iso, w);
	else
		iso_drain_output(iso, w);
	(void)artifacts_settle(call); /* what the skill committed stays */
	st = ended(iso, &s, status, why, msg, sizeof msg, &crash, res);
	hostlog(crash ? SKILL_LOG_WARNING : SKILL_LOG_NOTICE, "%s", msg);
	call_set_error(call, msg);
	iso->last_sandbox = w->sandbox;
	iso_worker_free(w);
	iso_release(iso, NULL, 0, 0, crash);
	return st;
}

/* A worker that dies while idle is replaced before a call takes it
 * (acquire), but a worker of several threads cannot be reaped until all
 * have exited: one that a skill's thread crashed a moment ago can still
 * look alive, take the call's frame into its socket and only then close.
 * Such a call, which the worker never took, goes to another worker, once;
 * a call the worker may have started is never run twice. */
static skill_status isolated_invoke(struct executor *ex, uint32_t tool_index,
                                    const char *args, size_t len,
                                    struct skill_call *call,
                                    struct exec_result *res)
{
	struct isolated *iso = (struct isolated *)ex;
	int again = 0;
	skill_status st =
	        invoke_once(iso, tool_index, args, len, call, res, &again);

	if (again)
		st = invoke_once(iso, tool_index, args, len, call, res, NULL);
	return st;
}

/* ---- the executor ---- */

/* Ask a worker to finish (its skill's fini runs), serving its last log
 * messages, then make sure it is gone. A leaving worker was asked
 * already. */
static void shutdown_worker(struct isolated *iso, struct worker *w)
{
	struct session s = {.iso = iso, .w = w, .hello = 1, .ready = 1};
	int64_t deadline =
	        call_now_ns() + (int64_t)ISOLATED_SHUTDOWN_MS * 1000000;

	s.io_deadline_ns = deadline;
	if (w->leaving || send_shutdown(&s) == 0) {
		for (;;) {
			int got;
			if (iso_handle_frames(&s) != T_MORE)
				break;
			got = iso_wait_input(&s, iso_ms_until(deadline));
			if (got < 0 || (got == 0 && call_now_ns() >= deadline))
				break;
		}
	}
	PHASE_MARK("isolated: worker shut down");
	free(s.handles);
	iso_kill_worker(iso, w);
	PHASE_MARK("isolated: worker reaped");
	iso_worker_free(w);
	PHASE_MARK("isolated: worker freed");
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
	while (iso->leaving) {
		struct worker *w = iso->leaving;
		iso->leaving = w->next;
		shutdown_worker(iso, w);
	}
	pthread_mutex_destroy(&iso->lock);
	free(iso->name);
	free(iso->version);
	free(iso->lib);
	free(iso->bundle);
	free(iso->worker);
	free(iso->scratch_root);
	free(iso->tools);
	free(iso->welcome_ids);
	free(iso->config_schema);
	free(iso->prompts);
	free(iso->resources);
	free(iso->templates);
	free(iso);
}

static const struct executor_ops isolated_ops = {
        .kind = "isolated",
        .invoke = isolated_invoke,
        .text_only = 1,
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
	else if (!strcmp(id, SKILL_EXT_PROMPTS) && iso->has_prompts)
		found = &iso->prompts_ext;
	else if (!strcmp(id, SKILL_EXT_RESOURCES) && iso->has_resources)
		found = &iso->resources_ext;
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
	size_t len = 1, off = 0;
	char *s;

	for (unsigned x = 1; x < WIRE_EXT_COUNT && lookup; x++)
		if ((iso->ext[x] = lookup(wire_ext_id((enum wire_ext)x))))
			len += strlen(wire_ext_id((enum wire_ext)x)) + 1;
	if (!(s = malloc(len)))
		return NULL;
	for (unsigned x = 1; x < WIRE_EXT_COUNT; x++)
		if (iso->ext[x]) {
			const char *id = wire_ext_id((enum wire_ext)x);
			size_t n = strlen(id);
			memcpy(s + off, id, n);
			s[off + n] = '\n';
			off += n + 1;
		}
	s[off] = '\0';
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
	pthread_mutexattr_t ma;
	char worker[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	struct worker *w;
	sh_status rc;

	*out = NULL;
	PHASE_MARK("isolated: opening executor");
	if (o->worker_path)
		(void)snprintf(worker, sizeof worker, "%s", o->worker_path);
	else if ((rc = probe_worker_path(worker, sizeof worker, e)))
		return rc;
	if (!(iso = calloc(1, sizeof *iso)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	iso->base.ops = &isolated_ops;
	/* Adaptive: held for a few instructions by each caller taking or
	 * giving back a worker, and a waiter handed one is woken under it.
	 * Polling for a holder running on another CPU beats sleeping in
	 * the kernel, which under load cost a context switch per call. */
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(&iso->lock, &ma);
	pthread_mutexattr_destroy(&ma);
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
	PHASE_MARK("isolated: executor set up");
	/* The first worker starts now, so a skill that cannot start fails
	 * the way it would in-process: before its first call runs. */
	iso->nworkers = 1;
	if ((rc = iso_start_worker(iso, &w, e))) {
		iso->nworkers = 0;
		isolated_destroy(&iso->base);
		return rc;
	}
	iso->idle = w;
	*out = &iso->base;
	return SH_OK;
}
