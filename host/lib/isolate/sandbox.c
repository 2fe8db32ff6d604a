/*
 * sandbox.c - rlimits, namespaces, Landlock and seccomp for workers. See
 * sandbox.h.
 */
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <poll.h>
#include <stdatomic.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <seccomp.h>

#include "schedclass.h"
#include "wire.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif

/* Landlock, spelled out here so the build does not depend on how new the
 * installed kernel headers are; the running kernel's ABI decides what is
 * used. */
#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_RULE_PATH_BENEATH      1
#define LL_FS_EXECUTE             (1ull << 0)
#define LL_FS_WRITE_FILE          (1ull << 1)
#define LL_FS_READ_FILE           (1ull << 2)
#define LL_FS_READ_DIR            (1ull << 3)
#define LL_FS_ABI1_ALL            ((1ull << 13) - 1)
#define LL_FS_REFER               (1ull << 13) /* ABI 2 */
#define LL_FS_TRUNCATE            (1ull << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV           (1ull << 15) /* ABI 5 */
#define LL_NET_BIND_TCP           (1ull << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP        (1ull << 1)
#define LL_SCOPE_ABSTRACT_UNIX    (1ull << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL           (1ull << 1)

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule       445
#define SYS_landlock_restrict_self  446
#endif

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

/* System folders every skill may read: shared libraries (a skill's own
 * dependencies load with it), the loader's cache, time zones and locale
 * data, random numbers, and what glibc reads about this process. */
static const char *const system_read[] = {"/usr/lib",
                                          "/usr/lib64",
                                          "/usr/lib32",
                                          "/usr/local/lib",
                                          "/usr/share",
                                          "/lib",
                                          "/lib64",
                                          "/lib32",
                                          "/etc/ld.so.cache",
                                          "/etc/localtime",
                                          "/dev/urandom",
                                          "/dev/random",
                                          "/dev/zero",
                                          "/proc/self",
                                          "/sys/devices/system/cpu",
                                          NULL};

/* System calls that only serve an escape or an attack on the host: the
 * worker is stopped, and the host names the call. */
static const char *const fatal_calls[] = {"execve",
                                          "execveat",
                                          "fork",
                                          "vfork",
                                          "ptrace",
                                          "process_vm_readv",
                                          "process_vm_writev",
                                          "mount",
                                          "umount",
                                          "umount2",
                                          "pivot_root",
                                          "chroot",
                                          "unshare",
                                          "setns",
                                          "kexec_load",
                                          "kexec_file_load",
                                          "init_module",
                                          "finit_module",
                                          "delete_module",
                                          "bpf",
                                          "perf_event_open",
                                          "io_uring_setup",
                                          "io_uring_enter",
                                          "io_uring_register",
                                          "userfaultfd",
                                          "keyctl",
                                          "add_key",
                                          "request_key",
                                          "reboot",
                                          "swapon",
                                          "swapoff",
                                          "iopl",
                                          "ioperm",
                                          "open_by_handle_at",
                                          "name_to_handle_at",
                                          "fsopen",
                                          "fsmount",
                                          "fsconfig",
                                          "move_mount",
                                          "open_tree",
                                          "fspick",
                                          "mount_setattr",
                                          "setuid",
                                          "setgid",
                                          "setreuid",
                                          "setregid",
                                          "setresuid",
                                          "setresgid",
                                          "setgroups",
                                          "setfsuid",
                                          "setfsgid",
                                          "personality",
                                          "acct",
                                          "settimeofday",
                                          "clock_settime",
                                          "clock_adjtime",
                                          "adjtimex",
                                          "quotactl",
                                          "sethostname",
                                          "setdomainname",
                                          "syslog",
                                          "vhangup",
                                          "pidfd_open",
                                          "pidfd_getfd",
                                          "pidfd_send_signal",
                                          "kcmp",
                                          "tkill",
                                          "lookup_dcookie",
                                          "uselib",
                                          NULL};

/* Network calls: refused with EACCES rather than fatal, because libraries
 * try a UNIX socket now and then (nscd, syslog) and cope with a refusal.
 * Skills reach the network only through the host's skill.http/1. */
static const char *const net_calls[] = {
        "socket",      "socketpair", "connect",    "bind",       "listen",
        "accept",      "accept4",    "sendto",     "sendmmsg",   "recvfrom",
        "recvmmsg",    "shutdown",   "getsockopt", "setsockopt", "getsockname",
        "getpeername", NULL};

/* sendmsg and recvmsg, which carry descriptors: on the host's socket
 * (chan_fd > 0) only, refused like net_calls on any other descriptor. */
static int add_msg_calls(scmp_filter_ctx ctx, int chan_fd)
{
	static const char *const names[] = {"sendmsg", "recvmsg"};

	for (size_t i = 0; i < 2; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		if (chan_fd <= 0) {
			if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), nr,
			                     0))
				return -1;
			continue;
		}
		if (seccomp_rule_add(
		            ctx, SCMP_ACT_ALLOW, nr, 1,
		            SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)chan_fd)) ||
		    seccomp_rule_add(
		            ctx, SCMP_ACT_ERRNO(EACCES), nr, 1,
		            SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)chan_fd)))
			return -1;
	}
	return 0;
}

/* Everything a skill, libc, the dynamic loader and a sanitizer runtime
 * need to compute, allocate, use threads and files, and tell time. */
static const char *const allowed_calls[] = {"read",
                                            "write",
                                            "readv",
                                            "writev",
                                            "pread64",
                                            "pwrite64",
                                            "preadv",
                                            "pwritev",
                                            "preadv2",
                                            "pwritev2",
                                            "close",
                                            "close_range",
                                            "fstat",
                                            "stat",
                                            "lstat",
                                            "newfstatat",
                                            "statx",
                                            "lseek",
                                            "mmap",
                                            "munmap",
                                            "mprotect",
                                            "mremap",
                                            "madvise",
                                            "brk",
                                            "msync",
                                            "mincore",
                                            "mlock",
                                            "munlock",
                                            "rt_sigaction",
                                            "rt_sigprocmask",
                                            "rt_sigreturn",
                                            "rt_sigpending",
                                            "rt_sigtimedwait",
                                            "rt_sigsuspend",
                                            "sigaltstack",
                                            "access",
                                            "faccessat",
                                            "faccessat2",
                                            "getdents",
                                            "getdents64",
                                            "getcwd",
                                            "chdir",
                                            "fchdir",
                                            "mkdir",
                                            "mkdirat",
                                            "rmdir",
                                            "unlink",
                                            "unlinkat",
                                            "rename",
                                            "renameat",
                                            "renameat2",
                                            "link",
                                            "linkat",
                                            "symlink",
                                            "symlinkat",
                                            "readlink",
                                            "readlinkat",
                                            "ftruncate",
                                            "fallocate",
                                            "fsync",
                                            "fdatasync",
                                            "sync_file_range",
                                            "flock",
                                            "fcntl",
                                            "dup",
                                            "dup2",
                                            "dup3",
                                            "pipe",
                                            "pipe2",
                                            "poll",
                                            "ppoll",
                                            "select",
                                            "pselect6",
                                            "epoll_create",
                                            "epoll_create1",
                                            "epoll_ctl",
                                            "epoll_wait",
                                            "epoll_pwait",
                                            "epoll_pwait2",
                                            "eventfd",
                                            "eventfd2",
                                            "timerfd_create",
                                            "timerfd_settime",
                                            "timerfd_gettime",
                                            "signalfd",
                                            "signalfd4",
                                            "futex",
                                            "futex_waitv",
                                            "set_robust_list",
                                            "get_robust_list",
                                            "rseq",
                                            "set_tid_address",
                                            "nanosleep",
                                            "clock_nanosleep",
                                            "clock_gettime",
                                            "clock_getres",
                                            "gettimeofday",
                                            "time",
                                            "getpid",
                                            "gettid",
                                            "getppid",
                                            "getuid",
                                            "geteuid",
                                            "getgid",
                                            "getegid",
                                            "getgroups",
                                            "getresuid",
                                            "getresgid",
                                            "getpgrp",
                                            "getpgid",
                                            "getsid",
                                            "getrlimit",
                                            "setrlimit",
                                            "getrusage",
                                            "times",
                                            "sched_yield",
                                            "sched_getaffinity",
                                            "sched_setaffinity",
                                            "sched_getparam",
                                            "sched_getscheduler",
                                            "sched_get_priority_max",
                                            "sched_get_priority_min",
                                            "exit",
                                            "exit_group",
                                            "wait4",
                                            "waitid",
                                            "getrandom",
                                            "uname",
                                            "sysinfo",
                                            "umask",
                                            "statfs",
                                            "fstatfs",
                                            "copy_file_range",
                                            "sendfile",
                                            "splice",
                                            "tee",
                                            "memfd_create",
                                            "membarrier",
                                            "getcpu",
                                            "arch_prctl",
                                            "prctl",
                                            "capget",
                                            "alarm",
                                            "getitimer",
                                            "setitimer",
                                            "timer_create",
                                            "timer_settime",
                                            "timer_gettime",
                                            "timer_getoverrun",
                                            "timer_delete",
                                            "restart_syscall",
                                            "fadvise64",
                                            "readahead",
                                            "getxattr",
                                            "lgetxattr",
                                            "fgetxattr",
                                            "listxattr",
                                            "llistxattr",
                                            "flistxattr",
                                            "seccomp",
                                            NULL};

int sandbox_sanitized(void)
{
#ifdef SANDBOX_ASAN
	return 1;
#else
	return 0;
#endif
}

/* Record that a layer was skipped: "<what>: <why>". */
static void note(struct sandbox_report *r, const char *what, int err)
{
	size_t used = strlen(r->detail);

	(void)snprintf(r->detail + used, sizeof r->detail - used, "%s%s: %s",
	               used ? "; " : "", what, strerror(err));
}

/* Lower a limit (never raise it: a lower limit set by the operator's own
 * shell stays). */
static int cap_limit(int resource, rlim_t soft, rlim_t hard)
{
	struct rlimit cur, rl;

	if (getrlimit(resource, &cur))
		return -1;
	rl.rlim_max = cur.rlim_max < hard ? cur.rlim_max : hard;
	rl.rlim_cur = soft < rl.rlim_max ? soft : rl.rlim_max;
	if (cur.rlim_cur < rl.rlim_cur)
		rl.rlim_cur = cur.rlim_cur;
	return setrlimit(resource, &rl);
}

static sh_status limits(const struct sandbox_opts *o, struct sandbox_report *r,
                        struct sh_error *e)
{
	if (cap_limit(RLIMIT_CPU, SANDBOX_CPU_SECONDS,
	              SANDBOX_CPU_SECONDS + 10) ||
	    cap_limit(RLIMIT_NOFILE, SANDBOX_MAX_FILES, SANDBOX_MAX_FILES) ||
	    cap_limit(RLIMIT_FSIZE, SANDBOX_FILE_SIZE_MAX,
	              SANDBOX_FILE_SIZE_MAX) ||
	    cap_limit(RLIMIT_CORE, 0, 0))
		return sh_error_errno(e, SH_ERR_FAIL, errno,
		                      "cannot set resource limits");
	r->applied |= SANDBOX_RLIMITS;
	if (o->memory_max && !sandbox_sanitized()) {
		if (cap_limit(RLIMIT_AS, (rlim_t)o->memory_max,
		              (rlim_t)o->memory_max))
			return sh_error_errno(e, SH_ERR_FAIL, errno,
			                      "cannot cap the address space");
		r->applied |= SANDBOX_MEMORY_CAP;
	}
	/* The host's threads that wake this worker keep their CPU
	 * (schedclass.h). Threads the skill starts inherit it. Not a
	 * restriction: one the kernel refuses costs speed only. */
	(void)schedclass_batch_self();
	return SH_OK;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	size_t len = strlen(text);

	if (fd < 0)
		return -1;
	n = write(fd, text, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Map our own ids into a new user namespace (the only ids it knows). */
static int map_ids(uid_t uid, gid_t gid)
{
	char line[64];

	(void)snprintf(line, sizeof line, "%u %u 1\n", (unsigned)uid,
	               (unsigned)uid);
	if (write_file("/proc/self/uid_map", line))
		return -1;
	/* An unprivileged process may map its gid only once setgroups is
	 * denied, which also stops it from dropping a deny-group. */
	if (write_file("/proc/self/setgroups", "deny") && errno != ENOENT)
		return -1;
	(void)snprintf(line, sizeof line, "%u %u 1\n", (unsigned)gid,
	               (unsigned)gid);
	return write_file("/proc/self/gid_map", line);
}

/* The test switches (sandbox.h). */
static int test_no_namespaces(void)
{
	const char *v = getenv(SANDBOX_ENV_NO_NAMESPACES);
	return v && *v && strcmp(v, "0") != 0;
}

/* The highest Landlock ABI a test allows, or -1 for no cap. */
static int test_landlock_cap(void)
{
	const char *v = getenv(SANDBOX_ENV_LANDLOCK_ABI);
	char *end;
	long n;

	if (!v || !*v)
		return -1;
	n = strtol(v, &end, 10);
	return *end || n < 0 || n > 1000 ? -1 : (int)n;
}

/* ---- the pids cgroup ---- */

/* cgroup v1's pids hierarchy, then v2's single one. */
static const char *const cg_bases[] = {"/sys/fs/cgroup/pids", "/sys/fs/cgroup",
                                       NULL};

static int cg_usable(const char *base)
{
	char path[256], buf[512];
	ssize_t n;
	int fd;

	/* v1: a hierarchy of its own; v2: the pids controller must be
	 * enabled for the root's children. */
	(void)snprintf(path, sizeof path, "%s/cgroup.subtree_control", base);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		(void)snprintf(path, sizeof path, "%s/tasks", base);
		return strcmp(base, cg_bases[0]) == 0 &&
		       access(path, W_OK) == 0;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
		if (!strcmp(t, "pids"))
			return access(base, W_OK) == 0;
	return 0;
}

static void cg_dir(const char *base, pid_t pid, char *buf, size_t cap)
{
	(void)snprintf(buf, cap, "%s/skillhost-worker-%ld", base, (long)pid);
}

static int cg_write(const char *dir, const char *file, long value)
{
	char path[320], text[32];

	(void)snprintf(path, sizeof path, "%s/%s", dir, file);
	(void)snprintf(text, sizeof text, "%ld\n", value);
	return write_file(path, text);
}

/* Remove the cgroups of workers that are gone without their host
 * removing them (a host killed outright). A live pid's is left alone,
 * even when its number was reused. */
static void cg_sweep(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *de;
	char dir[300];

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		long pid;
		if (strncmp(de->d_name, "skillhost-worker-", 17) != 0)
			continue;
		pid = strtol(de->d_name + 17, &end, 10);
		if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		(void)snprintf(dir, sizeof dir, "%s/%s", base, de->d_name);
		rmdir(dir);
	}
	closedir(d);
}

/* The worker's pids cgroup once joined, for cg_settle. */
static char cg_joined[256];

/* Join a pids cgroup of our own, named by our pid (which the host knows).
 * Its cap is set by cg_settle once it is known whether a supervisor
 * shares it; until then it allows the worker's own tasks only. */
static void pids_cgroup(struct sandbox_report *r)
{
	pid_t pid = getpid();
	char dir[256];
	int err = EACCES; /* no hierarchy this user may write */

	for (const char *const *b = cg_bases; *b; b++) {
		if (!cg_usable(*b))
			continue;
		cg_sweep(*b);
		cg_dir(*b, pid, dir, sizeof dir);
		/* EEXIST: one left by an earlier process with our pid. */
		if (mkdir(dir, 0755) && errno != EEXIST) {
			err = errno;
			continue;
		}
		/* cgroup v1: "0" into tasks moves just this (so far only)
		 * thread, which the kernel does without the global
		 * threadgroup lock and the RCU grace period that taking it
		 * costs (~10 ms); threads started later follow it. */
		if (cg_write(dir, "pids.max", 4) ||
		    (b == cg_bases
		             ? cg_write(dir, "tasks", 0)
		             : cg_write(dir, "cgroup.procs", (long)pid))) {
			err = errno;
			rmdir(dir);
			continue;
		}
		(void)snprintf(cg_joined, sizeof cg_joined, "%s", dir);
		r->applied |= SANDBOX_PIDS_CGROUP;
		return;
	}
	note(r, "pids cgroup (thread cap)", err);
}

/* Cap the cgroup at the skill's threads plus the worker's own tasks: the
 * main thread, the watchdog and the supervisor when there is one (a
 * sanitizer runtime's thread, started before, stayed outside). */
static void cg_settle(const struct sandbox_opts *o, struct sandbox_report *r)
{
	unsigned max =
	        o->threads_max ? o->threads_max : SANDBOX_THREADS_DEFAULT;
	long own = 2 + !!(r->applied & SANDBOX_PIDNS);

	if (!(r->applied & SANDBOX_PIDS_CGROUP))
		return;
	if (max > SANDBOX_THREADS_MAX)
		max = SANDBOX_THREADS_MAX;
	if (cg_write(cg_joined, "pids.max", (long)max + own)) {
		note(r, "pids cgroup (thread cap)", errno);
		r->applied &= ~SANDBOX_PIDS_CGROUP;
	}
}

void sandbox_cgroup_remove(pid_t pid)
{
	char dir[256];

	if (pid <= 0)
		return;
	for (const char *const *b = cg_bases; *b; b++) {
		cg_dir(*b, pid, dir, sizeof dir);
		/* The namespace's pid 1 dies of PR_SET_PDEATHSIG a moment
		 * after the supervisor the host reaped. */
		for (int i = 0; i < 200 && rmdir(dir) && errno == EBUSY; i++)
			usleep(500);
	}
}

/* ---- namespaces ---- */

static void namespaces(struct sandbox_report *r, int want_pid)
{
	static const struct {
		int flag;
		unsigned bit;
		const char *name;
	} each[] = {{CLONE_NEWNET, SANDBOX_NETNS, "network namespace"},
	            {CLONE_NEWNS, SANDBOX_MNTNS, "mount namespace"},
	            {CLONE_NEWIPC, SANDBOX_IPCNS, "IPC namespace"},
	            {CLONE_NEWPID, SANDBOX_PIDNS, "PID namespace"}};
	uid_t uid = getuid();
	gid_t gid = getgid();

	/* Without root, the other namespaces need a user namespace first. */
	if (geteuid() != 0) {
		if (unshare(CLONE_NEWUSER)) {
			note(r, "user namespace", errno);
			return;
		}
		if (map_ids(uid, gid)) {
			note(r, "user namespace id maps", errno);
			return;
		}
		r->applied |= SANDBOX_USERNS;
	}
	for (size_t i = 0; i < sizeof each / sizeof *each; i++) {
		if (each[i].flag == CLONE_NEWPID && !want_pid)
			continue;
		if (unshare(each[i].flag))
			note(r, each[i].name, errno);
		else
			r->applied |= each[i].bit;
	}
	/* Nothing we mount may propagate back to the host's namespace. */
	if ((r->applied & SANDBOX_MNTNS) &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		note(r, "private mounts", errno);
		r->applied &= ~SANDBOX_MNTNS;
	}
}

/* ---- the supervisor ---- */

static void die_like(int sig) __attribute__((noreturn));
static void die_like(int sig)
{
	sigset_t one;

	(void)signal(sig, SIG_DFL);
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	(void)raise(sig);
	_exit(128 + sig);
}

static void drop_capabilities(struct sandbox_report *r);

/* The parent after the fork into the PID namespace: it runs no skill code,
 * holds none of the worker's descriptors (the host must see the channel
 * close when the child dies) and ends as the child ended. */
static void supervise(pid_t child, const struct sandbox_opts *o, int keep)
        __attribute__((noreturn));
static void supervise(pid_t child, const struct sandbox_opts *o, int keep)
{
	struct sandbox_report scratch_report = {0};
	int status;

	if (keep > 3)
		syscall(SYS_close_range, 3, keep - 1, 0);
	syscall(SYS_close_range, keep + 1, ~0u, 0);
	drop_capabilities(&scratch_report);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	/* The host ends the worker with SIGKILL; anything else asking it to
	 * stop ends it too, and the child with it (its death signal). */
	while (waitpid(child, &status, __WALL) < 0)
		if (errno != EINTR)
			_exit(WIRE_EXIT_SETUP);
	if (WIFSIGNALED(status))
		die_like(WTERMSIG(status));
	if (o->death_signal && WEXITSTATUS(status) == o->signal_exit) {
		int sig = atomic_load(o->death_signal);
		if (sig > 0 && sig < NSIG)
			die_like(sig);
	}
	_exit(WEXITSTATUS(status));
}

/* Fork into the PID namespace unshared before. Returns in the child only;
 * -1 (and no namespace) when fork fails. */
static int enter_pidns(const struct sandbox_opts *o, struct sandbox_report *r)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		note(r, "PID namespace (pipe)", errno);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		note(r, "PID namespace (fork)", errno);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		supervise(pid, o, p[0]);
	}
	close(p[0]);
	/* Die with the supervisor; if it died before this was set, its end
	 * of the pipe is closed already. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		_exit(WIRE_EXIT_SETUP);
	{
		struct pollfd pf = {p[1], POLLOUT, 0};
		if (poll(&pf, 1, 0) == 1 && (pf.revents & (POLLERR | POLLHUP)))
			_exit(WIRE_EXIT_SETUP);
	}
	close(p[1]);
	return 0;
}

/* ---- the minimal root ---- */

/* What the new root holds besides the system folders. */
static const char *const devices[] = {"/dev/null", "/dev/zero", "/dev/random",
                                      "/dev/urandom", NULL};

#define ROOT_PATHS_MAX 64

struct root_src {
	const char *path;
	int fd; /* O_PATH, opened before the host's tree is covered */
	int device;
};

/* mkdir -p of a path relative to the current folder. */
static int mkdirs(const char *rel, int last)
{
	char buf[PATH_MAX];
	size_t n = strlen(rel);

	if (n >= sizeof buf)
		return errno = ENAMETOOLONG, -1;
	memcpy(buf, rel, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (last && mkdir(buf, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

/* A mount's flags that a remount in a user namespace must keep. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv))
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

/* Put src at the same path (relative to the new root, the current
 * folder): a symlink as a symlink, anything else as a read-only bind. */
static int place(const struct root_src *src)
{
	const char *rel = src->path + 1;
	char link[PATH_MAX], from[64];
	struct stat st;
	unsigned long fl;
	ssize_t n;
	int fd;

	if (fstatat(src->fd, "", &st, AT_EMPTY_PATH))
		return -1;
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(src->fd, "", link, sizeof link - 1);
		if (n < 0)
			return -1;
		link[n] = '\0';
		return mkdirs(rel, 0) || (symlink(link, rel) && errno != EEXIST)
		               ? -1
		               : 0;
	}
	if (S_ISDIR(st.st_mode)) {
		if (mkdirs(rel, 1))
			return -1;
	} else {
		if (mkdirs(rel, 0))
			return -1;
		fd = open(rel, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		close(fd);
	}
	(void)snprintf(from, sizeof from, "/proc/self/fd/%d", src->fd);
	if (mount(from, rel, NULL, MS_BIND | MS_REC, NULL))
		return -1;
	/* Device files keep working on their mount (no MS_NODEV); nothing
	 * else can be a device, run setuid or be written. */
	fl = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | locked_flags(rel);
	if (!src->device)
		fl |= MS_NODEV;
	return mount(NULL, rel, NULL, fl, NULL);
}

static int by_length(const void *a, const void *b)
{
	size_t x = strlen(((const struct root_src *)a)->path);
	size_t y = strlen(((const struct root_src *)b)->path);
	return x < y ? -1 : x > y;
}

/* 1 when path is at or beneath dir. */
static int beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || !path[n]);
}

/* Add an absolute path (skipping what is missing or already inside an
 * earlier one happens in min_root). */
static void add_src(struct root_src *v, size_t *n, const char *path, int device)
{
	if (*n < ROOT_PATHS_MAX && path && path[0] == '/' && path[1])
		v[(*n)++] = (struct root_src){path, -1, device};
}

/* Where the new root is built: a folder every system has, covered only in
 * our own mount namespace. */
#define ROOT_MOUNTPOINT "/tmp"

static void min_root(const struct sandbox_opts *o, struct sandbox_report *r)
{
	struct root_src src[ROOT_PATHS_MAX];
	char ld[4096], opts[64];
	const char *v = getenv("LD_LIBRARY_PATH");
	size_t n = 0, kept = 0;
	int covered = 0, err = 0;
	const char *step = "";

	for (const char *const *p = system_read; *p; p++)
		if (strncmp(*p, "/proc", 5) != 0 &&
		    strncmp(*p, "/dev/", 5) != 0)
			add_src(src, &n, *p, 0);
	for (const char *const *p = o->read_paths; p && *p; p++)
		add_src(src, &n, *p, 0);
	if (v && strlen(v) < sizeof ld) {
		char *save = NULL;
		memcpy(ld, v, strlen(v) + 1);
		for (char *d = strtok_r(ld, ":", &save); d;
		     d = strtok_r(NULL, ":", &save))
			add_src(src, &n, d, 0);
	}
	for (const char *const *p = devices; *p; p++)
		add_src(src, &n, *p, 1);
	qsort(src, n, sizeof *src, by_length);
	for (size_t i = 0; i < n; i++) {
		int inside = 0;
		for (size_t j = 0; j < kept && !inside; j++)
			inside = beneath(src[i].path, src[j].path);
		if (inside)
			continue;
		src[i].fd = open(src[i].path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (src[i].fd >= 0)
			src[kept++] = src[i];
	}
	step = "tmpfs";
	if (mount("tmpfs", ROOT_MOUNTPOINT, "tmpfs", MS_NOSUID | MS_NODEV,
	          "size=1m,nr_inodes=4096,mode=0755") ||
	    chdir(ROOT_MOUNTPOINT))
		goto fail;
	covered = 1;
	step = "bind";
	for (size_t i = 0; i < kept; i++)
		if (place(&src[i]))
			goto fail;
	if (o->scratch) {
		step = "scratch tmpfs";
		(void)snprintf(opts, sizeof opts, "size=%llu,mode=0700",
		               (unsigned long long)SANDBOX_SCRATCH_MAX);
		if (mkdirs(o->scratch + 1, 1) ||
		    mount("tmpfs", o->scratch + 1, "tmpfs",
		          MS_NOSUID | MS_NODEV | MS_NOEXEC, opts))
			goto fail;
	}
	step = "proc";
	/* Only the new PID namespace's processes; without one, a /proc that
	 * Landlock narrows to /proc/self (sanitizer builds need its maps). */
	if (mkdir("proc", 0555) ||
	    mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	          NULL))
		goto fail;
	step = "pivot_root";
	if (syscall(SYS_pivot_root, ".", ".") || umount2(".", MNT_DETACH) ||
	    chdir("/"))
		goto fail;
	for (size_t i = 0; i < kept; i++)
		close(src[i].fd);
	if (mount(NULL, "/", NULL,
	          MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
	          NULL)) {
		/* Past the pivot there is no going back; a writable but
		 * tiny tmpfs root still hides the host. */
		note(r, "minimal root (read-only)", errno);
	}
	r->applied |=
	        SANDBOX_MIN_ROOT | (o->scratch ? SANDBOX_SCRATCH_TMPFS : 0);
	return;
fail:
	err = errno;
	for (size_t i = 0; i < kept; i++)
		close(src[i].fd);
	if (covered) {
		if (chdir("/") == 0)
			umount2(ROOT_MOUNTPOINT, MNT_DETACH);
	}
	{
		char what[64];
		(void)snprintf(what, sizeof what, "minimal root (%s)", step);
		note(r, what, err);
	}
	/* The scratch folder still gets its own tmpfs. */
	if (o->scratch) {
		(void)snprintf(opts, sizeof opts, "size=%llu,mode=0700",
		               (unsigned long long)SANDBOX_SCRATCH_MAX);
		if (mount("tmpfs", o->scratch, "tmpfs",
		          MS_NOSUID | MS_NODEV | MS_NOEXEC, opts))
			note(r, "scratch tmpfs", errno);
		else
			r->applied |= SANDBOX_SCRATCH_TMPFS;
	}
}

static void drop_capabilities(struct sandbox_report *r)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	/* The bounding set first: dropping it needs CAP_SETPCAP, which the
	 * capset below takes away. EINVAL marks the end of the kernel's
	 * list; EPERM means we never had the capability to drop. */
	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno == EINVAL)
			break;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(d, 0, sizeof d);
	if (syscall(SYS_capset, &h, d))
		note(r, "dropping capabilities", errno);
	else
		r->applied |= SANDBOX_CAPS_DROPPED;
}

/* The kernel's Landlock ABI, lowered by the test switch. */
static int landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	                 LL_CREATE_RULESET_VERSION);
	int cap = test_landlock_cap();

	if (v <= 0)
		return 0;
	return cap >= 0 && cap < v ? cap : (int)v;
}

static uint64_t fs_rights(int abi)
{
	uint64_t all = LL_FS_ABI1_ALL;

	if (abi >= 2)
		all |= LL_FS_REFER;
	if (abi >= 3)
		all |= LL_FS_TRUNCATE;
	if (abi >= 5)
		all |= LL_FS_IOCTL_DEV;
	return all;
}

/* Allow access beneath path (a missing path is skipped). A rule on a file
 * may only carry rights that apply to files. */
static int allow(int ruleset, const char *path, uint64_t access, int abi)
{
	struct ll_path_beneath_attr pb;
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == EACCES
		               ? 0
		               : -1;
	if (fstat(fd, &st)) {
		close(fd);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		access &= LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE |
		          (abi >= 3 ? LL_FS_TRUNCATE : 0) |
		          (abi >= 5 ? LL_FS_IOCTL_DEV : 0);
	pb.allowed_access = access;
	pb.parent_fd = fd;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH,
	                  &pb, 0);
	close(fd);
	return rc;
}

static int allow_env_dirs(int ruleset, const char *var, uint64_t access,
                          int abi)
{
	const char *v = getenv(var);
	char *copy, *save = NULL;
	int rc = 0;

	if (!v || !*v)
		return 0;
	if (!(copy = strdup(v)))
		return -1;
	for (char *d = strtok_r(copy, ":", &save); d && !rc;
	     d = strtok_r(NULL, ":", &save))
		if (d[0] == '/')
			rc = allow(ruleset, d, access, abi);
	free(copy);
	return rc;
}

static void landlock(const struct sandbox_opts *o, struct sandbox_report *r)
{
	const uint64_t read = LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR;
	struct ll_ruleset_attr attr = {0};
	int abi = landlock_abi();
	size_t size = sizeof attr.handled_access_fs;
	uint64_t devnull;
	int rs, bad = 0;

	r->landlock_abi = abi;
	if (!abi) {
		note(r,
		     test_landlock_cap() == 0 ? "Landlock (test switch)"
		                              : "Landlock",
		     ENOSYS);
		return;
	}
	attr.handled_access_fs = fs_rights(abi);
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		size = sizeof attr;
	}
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (rs < 0) {
		note(r, "Landlock ruleset", errno);
		return;
	}
	devnull = LL_FS_READ_FILE | LL_FS_WRITE_FILE |
	          (abi >= 3 ? LL_FS_TRUNCATE : 0);
	for (const char *const *p = system_read; *p && !bad; p++)
		bad = allow(rs, *p, read, abi);
	for (const char *const *p = o->read_paths; p && *p && !bad; p++)
		bad = allow(rs, *p, read, abi);
	if (!bad)
		bad = allow_env_dirs(rs, "LD_LIBRARY_PATH", read, abi) ||
		      allow(rs, "/dev/null", devnull, abi) ||
		      (o->scratch &&
		       allow(rs, o->scratch, fs_rights(abi), abi));
	if (bad)
		note(r, "Landlock rule", errno);
	else if (syscall(SYS_landlock_restrict_self, rs, 0))
		note(r, "Landlock enforcement", errno);
	else
		r->applied |= SANDBOX_LANDLOCK;
	close(rs);
}

static int add_names(scmp_filter_ctx ctx, const char *const *names,
                     uint32_t action)
{
	for (const char *const *n = names; *n; n++) {
		int nr = seccomp_syscall_resolve_name(*n);
		/* Not every call exists on every architecture. */
		if (nr == __NR_SCMP_ERROR)
			continue;
		if (seccomp_rule_add(ctx, action, nr, 0))
			return -1;
	}
	return 0;
}

/* Signals only to ourselves: kill(our pid), tgkill(our pid, ...). Not
 * kill(0), our process group, which outside a PID namespace holds the
 * process that started us (the installer's shell, for the probe). */
static int add_signals(scmp_filter_ctx ctx, scmp_datum_t self)
{

	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
	                        SCMP_A0(SCMP_CMP_EQ, self)) ||
	       seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	                        SCMP_A0(SCMP_CMP_EQ, self)) ||
	       seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigqueueinfo),
	                        1, SCMP_A0(SCMP_CMP_EQ, self)) ||
	       seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
	                        SCMP_SYS(rt_tgsigqueueinfo), 1,
	                        SCMP_A0(SCMP_CMP_EQ, self));
}

/* prlimit64 on ourselves only (pid 0 or our own): glibc's getrlimit and
 * setrlimit use it with 0. */
static int add_prlimit(scmp_filter_ctx ctx, scmp_datum_t self)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1,
	                        SCMP_A0(SCMP_CMP_EQ, 0)) ||
	       seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1,
	                        SCMP_A0(SCMP_CMP_EQ, self));
}

/* open, openat and creat; with guard, only without O_TRUNC (creat always
 * truncates, and openat2 hides its flags in a struct). */
static int add_opens(scmp_filter_ctx ctx, int guard)
{
	if (!guard)
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open),
		                        0) ||
		       seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat),
		                        0) ||
		       seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(creat),
		                        0) ||
		       seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat2),
		                        0);
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
	                        SCMP_A1(SCMP_CMP_MASKED_EQ, O_TRUNC, 0)) ||
	       seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
	                        SCMP_A2(SCMP_CMP_MASKED_EQ, O_TRUNC, 0)) ||
	       seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2),
	                        0);
}

/* ioctl only for what libc asks of a descriptor: is it a terminal, how
 * many bytes wait, (non-)blocking and close-on-exec. */
static int add_ioctls(scmp_filter_ctx ctx)
{
	static const unsigned long ok[] = {TCGETS,  TIOCGWINSZ, FIONREAD,
	                                   FIONBIO, FIOCLEX,    FIONCLEX};

	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
		                     SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)ok[i])))
			return -1;
	return 0;
}

/* The worker's filter for the process self (its own pid, which the
 * signal and prlimit rules compare with) and its channel chan_fd (the one
 * descriptor sendmsg and recvmsg may use), built but not loaded; NULL when
 * out of memory or when libseccomp refuses a rule (*rc then says why). */
static scmp_filter_ctx build_filter(int trunc_guard, scmp_datum_t self,
                                    int chan_fd, int *rc_out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int rc;

	*rc_out = -ENOMEM;
	if (!ctx)
		return NULL;
	/* Threads a sanitizer runtime started before main get the filter
	 * too. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	/* A system call of another ABI (i386 through int 0x80; x32, which
	 * libseccomp counts as a bad architecture when the filter has none)
	 * traps like a forbidden call: the worker reports it and exits.
	 * libseccomp's default would kill only the calling thread and leave
	 * the call hanging until its deadline. */
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
		                      SCMP_ACT_TRAP);
	/* A binary tree of system call numbers: every call the worker makes
	 * walks a few comparisons, not the whole list (libseccomp 2.5; an
	 * older one keeps the list, which only costs time). */
	if (!rc)
		(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (!rc)
		rc = add_names(ctx, allowed_calls, SCMP_ACT_ALLOW);
	if (!rc)
		rc = add_names(ctx, fatal_calls, SCMP_ACT_TRAP);
	if (!rc)
		rc = add_names(ctx, net_calls, SCMP_ACT_ERRNO(EACCES));
	if (!rc)
		rc = add_msg_calls(ctx, chan_fd);
	/* Threads yes, processes no. glibc tries clone3 first, whose flags
	 * seccomp cannot see; ENOSYS makes it fall back to clone. */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		                      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD,
		                              CLONE_THREAD));
	if (!rc)
		rc = seccomp_rule_add(
		        ctx, SCMP_ACT_TRAP, SCMP_SYS(clone), 1,
		        SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
	if (!rc && seccomp_syscall_resolve_name("clone3") != __NR_SCMP_ERROR)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
		                      SCMP_SYS(clone3), 0);
	if (!rc)
		rc = add_signals(ctx, self);
	if (!rc)
		rc = add_prlimit(ctx, self);
	if (!rc)
		rc = add_opens(ctx, trunc_guard);
	if (!rc)
		rc = add_ioctls(ctx);
	*rc_out = rc;
	if (rc) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

static int patched(const struct sandbox_bpf *b, struct sock_filter *prog,
                   size_t *n);

/* Load a prebuilt program, with this process's pid put in the places
 * the build marked, as libseccomp's seccomp_load would (no_new_privs is
 * set already; TSYNC for a sanitizer runtime's threads). 0, or -1 when it
 * is unusable or the kernel refuses it: the filter is then compiled. */
static int load_prebuilt(const struct sandbox_bpf *b)
{
	struct sock_filter prog[BPF_MAXINSNS];
	struct sock_fprog fp;
	size_t n;

	if (patched(b, prog, &n))
		return -1;
	fp.len = (unsigned short)n;
	fp.filter = prog;
	/* Anything but 0 (an error, or the id of a thread that could not
	 * be synchronised) leaves this thread without the filter: fall back
	 * to libseccomp, which reports what is wrong. */
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	               SECCOMP_FILTER_FLAG_TSYNC, &fp) == 0
	               ? 0
	               : -1;
}

static sh_status seccomp_filter(const struct sandbox_opts *o,
                                struct sandbox_report *r, int trunc_guard,
                                struct sh_error *e)
{
	const struct sandbox_bpf *pre =
	        o->seccomp_prebuilt[trunc_guard ? 1 : 0];
	scmp_filter_ctx ctx;
	int rc;

	if (pre && pre->chan_fd == o->chan_fd && load_prebuilt(pre) == 0) {
		r->seccomp_prebuilt = 1;
	} else {
		if (!(ctx = build_filter(trunc_guard, (scmp_datum_t)getpid(),
		                         o->chan_fd, &rc)) &&
		    rc == -ENOMEM)
			return sh_error_set(e, SH_ERR_FAIL,
			                    "cannot start a seccomp filter");
		if (ctx) {
			rc = seccomp_load(ctx);
			seccomp_release(ctx);
		}
		if (rc)
			return sh_error_errno(e, SH_ERR_FAIL, -rc,
			                      "cannot load the seccomp filter");
	}
	r->applied |= SANDBOX_SECCOMP | (trunc_guard ? SANDBOX_TRUNC_GUARD : 0);
	return SH_OK;
}

/* b's program for this process, patched as load_prebuilt does, into
 * prog (n instructions); 0, or -1 when b is unusable. */
static int patched(const struct sandbox_bpf *b, struct sock_filter *prog,
                   size_t *n)
{
	if (!b || !b->prog || !b->len || b->len % sizeof(struct sock_filter) ||
	    b->len / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return -1;
	*n = b->len / sizeof(struct sock_filter);
	memcpy(prog, b->prog, b->len);
	for (size_t i = 0; i < b->npid; i++) {
		if (b->pid_at[i] >= *n)
			return -1;
		prog[b->pid_at[i]].k = (uint32_t)getpid();
	}
	return 0;
}

int sandbox_seccomp_matches(const struct sandbox_bpf *b, int trunc_guard)
{
	struct sock_filter mine[BPF_MAXINSNS];
	static struct sock_filter fresh[BPF_MAXINSNS];
	struct sh_error e;
	size_t n;
	ssize_t got;
	int fd, same = 0;

	if (patched(b, mine, &n))
		return 0;
	if ((fd = memfd_create("seccomp-check", MFD_CLOEXEC)) < 0)
		return 0;
	if (sandbox_seccomp_export(trunc_guard, (uint32_t)getpid(), b->chan_fd,
	                           fd, &e) == SH_OK) {
		got = pread(fd, fresh, sizeof fresh, 0);
		same = got == (ssize_t)(n * sizeof *mine) &&
		       !memcmp(fresh, mine, (size_t)got);
	}
	close(fd);
	return same;
}

sh_status sandbox_seccomp_export(int trunc_guard, uint32_t self, int chan_fd,
                                 int fd, struct sh_error *e)
{
	int rc;
	scmp_filter_ctx ctx = build_filter(trunc_guard, self, chan_fd, &rc);

	if (!ctx)
		return sh_error_errno(e, SH_ERR_FAIL, -rc,
		                      "cannot build the seccomp filter");
	rc = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (rc)
		return sh_error_errno(e, SH_ERR_IO, -rc,
		                      "cannot write the seccomp filter");
	return SH_OK;
}

sh_status sandbox_apply(const struct sandbox_opts *o, struct sandbox_report *r,
                        struct sh_error *e)
{
	sh_status rc;
	int trunc_guard;

	memset(r, 0, sizeof *r);
	if ((rc = limits(o, r, e)))
		return rc;
	/* Before the fork, so the supervisor counts too and the host finds
	 * the cgroup by the pid it started. */
	pids_cgroup(r);
	if (test_no_namespaces()) {
		note(r, "namespaces (test switch)", EPERM);
	} else {
		/* A sanitizer runtime's RSS-limit thread would not survive
		 * the fork into a PID namespace. */
		namespaces(r, !sandbox_sanitized());
		if (sandbox_sanitized())
			note(r, "PID namespace (sanitizer build)", ENOTSUP);
		if ((r->applied & SANDBOX_PIDNS) && enter_pidns(o, r))
			r->applied &= ~SANDBOX_PIDNS;
	}
	/* Before the minimal root hides /sys. */
	cg_settle(o, r);
	if (!test_no_namespaces()) {
		if (r->applied & SANDBOX_MNTNS)
			min_root(o, r);
	}
	drop_capabilities(r);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return sh_error_errno(e, SH_ERR_FAIL, errno,
		                      "cannot set no_new_privs");
	r->applied |= SANDBOX_NO_NEW_PRIVS;
	landlock(o, r);
	/* Read-only mounts stop truncation outside the scratch folder; so
	 * does Landlock from ABI 3. With neither, seccomp refuses O_TRUNC. */
	trunc_guard =
	        !(r->applied & SANDBOX_MIN_ROOT) &&
	        !((r->applied & SANDBOX_LANDLOCK) && r->landlock_abi >= 3);
	return seccomp_filter(o, r, trunc_guard, e);
}

/* ---- detection ---- */

/* Run fn in a child process; 1 when it returned 0. */
static int in_child(int (*fn)(int), int arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 0;
	if (pid == 0)
		_exit(fn(arg) == 0 ? 0 : 1);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int try_nnp(int arg)
{
	(void)arg;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static int try_seccomp(int arg)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	(void)arg;
	if (!ctx)
		return -1;
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ptrace), 0);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

static int try_unshare(int flag)
{
	if (flag != CLONE_NEWUSER && geteuid() != 0) {
		if (unshare(CLONE_NEWUSER) || map_ids(getuid(), getgid()))
			return -1;
	}
	return unshare(flag);
}

void sandbox_detect(struct sandbox_support *s)
{
	const struct scmp_version *v = seccomp_version();

	memset(s, 0, sizeof *s);
	s->is_root = geteuid() == 0;
	s->sanitized = sandbox_sanitized();
	s->no_new_privs = in_child(try_nnp, 0);
	s->seccomp = in_child(try_seccomp, 0);
	s->landlock_abi = landlock_abi();
	s->userns = in_child(try_unshare, CLONE_NEWUSER);
	s->netns = in_child(try_unshare, CLONE_NEWNET);
	s->mntns = in_child(try_unshare, CLONE_NEWNS);
	s->ipcns = in_child(try_unshare, CLONE_NEWIPC);
	s->pidns = in_child(try_unshare, CLONE_NEWPID);
	for (const char *const *b = cg_bases; *b && !s->pids_cgroup; b++)
		s->pids_cgroup = cg_usable(*b);
	s->test_switches = test_landlock_cap() >= 0 || test_no_namespaces();
	if (test_no_namespaces())
		s->userns = s->netns = s->mntns = s->ipcns = s->pidns = 0;
	if (v)
		(void)snprintf(s->seccomp_version, sizeof s->seccomp_version,
		               "%u.%u.%u", v->major, v->minor, v->micro);
}

const char *sandbox_describe(unsigned applied, char *buf, size_t cap)
{
	static const char *const names[SANDBOX_ALL_BITS] = {
	        "rlimits",       "memory-cap",      "userns",
	        "netns",         "mntns",           "ipcns",
	        "scratch-tmpfs", "no-capabilities", "landlock",
	        "no-new-privs",  "seccomp",         "pidns",
	        "minimal-root",  "pids-cgroup",     "no-o-trunc"};
	size_t used = 0;

	if (cap)
		buf[0] = '\0';
	for (int i = 0; i < SANDBOX_ALL_BITS; i++) {
		int n;
		if (!(applied & (1u << i)))
			continue;
		n = snprintf(buf + used, cap - used, "%s%s", used ? " " : "",
		             names[i]);
		if (n < 0 || (size_t)n >= cap - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

const char *sandbox_weaknesses(unsigned applied, int landlock_abi, char *buf,
                               size_t cap)
{
	size_t used = 0;
	int ll = (applied & SANDBOX_LANDLOCK) ? landlock_abi : 0;
	const char *w[8];
	size_t n = 0;

	if (!(applied & SANDBOX_MIN_ROOT)) {
		w[n++] = "no minimal root: host paths can be stat'ed, "
		         "readlink'ed and listed (existence, size, times of "
		         "secrets, keys, other skills' files)";
		if (!ll)
			w[n++] =
			        "no Landlock: a skill can read and write every "
			        "file this user can";
		else if (ll < 3)
			w[n++] = "Landlock below ABI 3: truncation is not "
			         "confined, so seccomp refuses every open with "
			         "O_TRUNC (skills must create new files)";
	}
	if (!(applied & SANDBOX_PIDNS))
		w[n++] = "no PID namespace: other processes are visible and "
		         "only seccomp keeps signals to the worker itself";
	if (!(applied & SANDBOX_NETNS) && ll < 4)
		w[n++] = "no network namespace and no Landlock TCP rules: only "
		         "seccomp keeps sockets closed";
	if (!(applied & SANDBOX_PIDS_CGROUP))
		w[n++] = "no pids cgroup: a skill's threads are not capped "
		         "(only by its memory cap)";
	if (cap)
		buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int k = snprintf(buf + used, cap - used, "%s%s",
		                 used ? "; " : "", w[i]);
		if (k < 0 || (size_t)k >= cap - used)
			break;
		used += (size_t)k;
	}
	return buf;
}

const char *sandbox_syscall_name(int nr, unsigned arch, char *buf, size_t cap)
{
	char *name = NULL;

#if defined(__x86_64__)
	if (arch == AUDIT_ARCH_I386) {
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, nr);
		(void)snprintf(buf, cap, "i386 system call %d%s%s%s", nr,
		               name ? " (" : "", name ? name : "",
		               name ? ")" : "");
		free(name);
		return buf;
	}
	if (nr >= 0x40000000) {
		(void)snprintf(buf, cap, "x32 system call %d", nr - 0x40000000);
		return buf;
	}
#endif
	if (arch && arch != (unsigned)seccomp_arch_native()) {
		(void)snprintf(buf, cap, "system call %d of another ABI", nr);
		return buf;
	}
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	if (name)
		(void)snprintf(buf, cap, "%s", name);
	else
		(void)snprintf(buf, cap, "syscall %d", nr);
	free(name);
	return buf;
}
