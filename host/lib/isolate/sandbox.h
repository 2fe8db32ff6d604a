/*
 * sandbox.h - confine a worker process before it loads skill code.
 *
 * Layers, applied by sandbox_apply in this order:
 *   1. rlimits: address space (the memory cap), CPU seconds, open files,
 *      file size, no core dumps;
 *   2. a pids cgroup of its own (cgroup v1 `pids` or v2 with the pids
 *      controller, where writable: as root) capping the worker's threads
 *      at threads_max, so a thread flood fails inside the skill with
 *      EAGAIN; removed by sandbox_cgroup_remove when the worker ends;
 *   3. namespaces where the kernel allows them: network (no interfaces but
 *      a loopback that is down), mount, IPC, PID, and a user namespace
 *      when not root (needed for the others);
 *   4. with a PID namespace, the process forks: the parent stays outside
 *      as a small supervisor that runs no skill code, waits for the child
 *      and ends the way it ended (its exit status, or its fatal signal,
 *      which it raises on itself), so killing the pid the host started
 *      kills the child too (PR_SET_PDEATHSIG), and with it the namespace.
 *      The child, pid 1 of the namespace, returns from sandbox_apply and
 *      runs the skill; it sees no other process;
 *   5. a minimal root (with the mount namespace): pivot_root onto a fresh
 *      read-only tmpfs that holds only read-only, nosuid, nodev binds of
 *      the system library and data folders below, the LD_LIBRARY_PATH
 *      folders, the skill's bundle and library folder (at their own
 *      absolute paths), /dev/null, /dev/zero, /dev/random, /dev/urandom,
 *      a fresh /proc of the new PID namespace, and the scratch folder as a
 *      size-capped noexec tmpfs. The host's home, store, keys, secrets,
 *      other skills, /etc and other processes cannot be named at all;
 *   6. every capability dropped (bounding, effective, permitted, ambient);
 *   7. no_new_privs (Landlock and seccomp need it);
 *   8. Landlock: reads only beneath the skill's folder and the system's
 *      library and data folders, writes only to the scratch folder; no TCP
 *      connect or bind (ABI 4); no signals or abstract sockets outside the
 *      sandbox (ABI 6);
 *   9. a seccomp allowlist (libseccomp). System calls that only make sense
 *      for an escape (execve, creating processes, ptrace, mount, namespaces,
 *      kernel modules, bpf, io_uring, reading other processes' memory ...)
 *      trap: the worker records the call in its control page and exits
 *      with WIRE_EXIT_VIOLATION. So does a system call of another ABI (x32,
 *      or i386 through int 0x80): the whole process stops, never one
 *      thread. Network calls (socket, connect, ...) fail with EACCES, so
 *      libraries that probe for nscd or syslog carry on. Always refused
 *      with EPERM, whatever the other layers give: chmod, chown and utime
 *      in all their forms, truncate by path (ftruncate stays), prlimit64
 *      on any process but itself, and signals to anything but itself
 *      (kill(0) and kill(-1) included). Without a minimal root and without
 *      Landlock ABI 3 (which governs truncation), open with O_TRUNC and
 *      creat are refused too: seccomp cannot see paths, and truncating
 *      any host file would otherwise be possible; a skill then writes new
 *      files or unlinks first. Anything not listed fails with EPERM.
 * 1, 7 and 9 are mandatory: sandbox_apply fails when they cannot be set.
 * The others depend on the kernel and on privileges; what was skipped is in
 * the report, and sandbox_weaknesses says what that leaves open (shown by
 * `skillhost doctor`). Sanitizer builds get no PID namespace: a forked
 * child would lose the runtime's RSS-limit thread, the memory cap there.
 *
 * Test switches (environment, read by sandbox_apply and sandbox_detect,
 * passed to workers by exec_isolated_env): SANDBOX_ENV_LANDLOCK_ABI=N uses
 * Landlock at most at ABI N (0: not at all), as on an older kernel (Debian
 * 12's 6.1 has ABI 2); SANDBOX_ENV_NO_NAMESPACES=1 creates no namespace
 * (and so no minimal root, no PID namespace).
 *
 * Threads: sandbox_apply runs in the worker before it starts threads of its
 * own (seccomp is synchronised to any a sanitizer runtime started).
 */
#ifndef SH_SANDBOX_H
#define SH_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "status.h"

/* What was applied (bits of struct sandbox_report.applied). */
#define SANDBOX_RLIMITS       (1u << 0)
#define SANDBOX_MEMORY_CAP    (1u << 1) /* RLIMIT_AS (not under ASan) */
#define SANDBOX_USERNS        (1u << 2)
#define SANDBOX_NETNS         (1u << 3)
#define SANDBOX_MNTNS         (1u << 4)
#define SANDBOX_IPCNS         (1u << 5)
#define SANDBOX_SCRATCH_TMPFS (1u << 6)
#define SANDBOX_CAPS_DROPPED  (1u << 7)
#define SANDBOX_LANDLOCK      (1u << 8)
#define SANDBOX_NO_NEW_PRIVS  (1u << 9)
#define SANDBOX_SECCOMP       (1u << 10)
#define SANDBOX_PIDNS         (1u << 11) /* and a supervisor outside it */
#define SANDBOX_MIN_ROOT      (1u << 12)
#define SANDBOX_PIDS_CGROUP   (1u << 13)
#define SANDBOX_TRUNC_GUARD   (1u << 14) /* O_TRUNC opens refused */
#define SANDBOX_ALL_BITS      15

/* Test switches; see above. */
#define SANDBOX_ENV_LANDLOCK_ABI  "SKILLHOST_SANDBOX_TEST_LANDLOCK_ABI"
#define SANDBOX_ENV_NO_NAMESPACES "SKILLHOST_SANDBOX_TEST_NO_NAMESPACES"

/* Defaults; the memory cap comes from policy (`config SKILL memory`). */
#define SANDBOX_CPU_SECONDS   600 /* per worker lifetime; see below */
#define SANDBOX_MAX_FILES     256
#define SANDBOX_FILE_SIZE_MAX (256ull * 1024 * 1024)
#define SANDBOX_SCRATCH_MAX   (64ull * 1024 * 1024) /* the tmpfs size */
/* Threads a worker's skill may have at once (`config SKILL threads`). */
#define SANDBOX_THREADS_DEFAULT 64
#define SANDBOX_THREADS_MAX     4096

/* A worker that has used this much CPU asks to be replaced after its
 * call, long before RLIMIT_CPU would kill it mid-call. */
#define SANDBOX_CPU_RETIRE_SECONDS (SANDBOX_CPU_SECONDS / 2)

/* A seccomp program built ahead of time by sandbox_seccomp_export from
 * the rules below (the worker's build embeds both variants), so a worker
 * loads its filter instead of compiling it with libseccomp at every
 * start (about 1.5 ms, a sixth of a worker's start-up). */
/* The worker's descriptor for the host's socket (it inherits it there), the
 * one its prebuilt filter lets sendmsg and recvmsg use. */
#define SANDBOX_WORKER_CHAN_FD 3

struct sandbox_bpf {
	const void *prog; /* struct sock_filter[] */
	size_t len;       /* in bytes */
	/* The instructions whose constant is the process's own pid (the
	 * rules on signals and prlimit), set at load time. */
	const unsigned *pid_at;
	size_t npid;
	/* The descriptor the program lets sendmsg and recvmsg use (see
	 * sandbox_opts.chan_fd); a worker whose channel differs compiles. */
	int chan_fd;
};

struct sandbox_opts {
	/* Folders or files the skill may read (and map as code): its bundle
	 * folder and library. The system's library and data folders are
	 * added by sandbox_apply. NULL-terminated; may be NULL. */
	const char *const *read_paths;
	/* The one folder the skill may write, or NULL. */
	const char *scratch;
	/* RLIMIT_AS in bytes; 0 for none. Ignored in sanitizer builds, which
	 * reserve terabytes of address space for shadow memory. */
	uint64_t memory_max;
	/* The skill's threads at most (pids cgroup); 0: the default. */
	unsigned threads_max;
	/* With a PID namespace, the child is pid 1, for which a signal it
	 * raises on itself is ignored; so a crash handler records the signal
	 * in *death_signal and exits with signal_exit instead, and the
	 * supervisor raises that signal on itself. NULL: no such convention
	 * (the supervisor passes on exit statuses as they are). */
	int signal_exit;
	const _Atomic int *death_signal;
	/* The filter prebuilt, indexed by whether open with O_TRUNC is
	 * refused (see 9. above); NULL entries, or a kernel that refuses
	 * the program, mean it is compiled here as before. */
	const struct sandbox_bpf *seccomp_prebuilt[2];
	/* The host's socket, when above 0: the one descriptor sendmsg and
	 * recvmsg work on (bulk data crosses it as descriptors, wire.h); on
	 * any other they fail with EACCES like the other network calls. */
	int chan_fd;
};

struct sandbox_report {
	unsigned applied;     /* SANDBOX_* */
	int landlock_abi;     /* 0 when unavailable */
	int seccomp_prebuilt; /* the filter loaded was the prebuilt one */
	char detail[512];     /* what was skipped and why */
};

/*
 * [worker] Apply every layer to the calling process. On success the
 * report says what was applied; on failure (a mandatory layer) the process
 * is in an unknown state and must exit. With a PID namespace only the
 * child returns; the supervisor exits from within (see above). Descriptors
 * stay open in the child (the caller's channel); the supervisor keeps
 * none but 0-2.
 */
sh_status sandbox_apply(const struct sandbox_opts *o, struct sandbox_report *r,
                        struct sh_error *e);

/* [build] Write the seccomp program sandbox_apply would compile in the
 * process self, with O_TRUNC opens refused or not and sendmsg/recvmsg
 * allowed on chan_fd only, to fd as raw struct
 * sock_filter (for the worker's build to embed; see struct sandbox_bpf).
 * Besides self, the program depends only on the rules in sandbox.c and on
 * libseccomp, both fixed at build time. */
sh_status sandbox_seccomp_export(int trunc_guard, uint32_t self, int chan_fd,
                                 int fd, struct sh_error *e);

/* [worker] 1 when b, set up for this process as sandbox_apply would load
 * it, is exactly the program libseccomp builds here and now for
 * trunc_guard; 0 otherwise (`--sandbox-check`, so a stale or mis-patched
 * prebuilt filter shows). */
int sandbox_seccomp_matches(const struct sandbox_bpf *b, int trunc_guard);

/* [host] Remove the pids cgroup of the worker the host started as pid
 * (after it was reaped; waits up to 100 ms for its namespace's last task
 * to finish exiting). Nothing when it has none. */
void sandbox_cgroup_remove(pid_t pid);

/* What the layers in applied (with Landlock at landlock_abi) leave open,
 * as "; "-separated phrases ("host paths can be stat'ed ..."), or "" when
 * nothing beyond what seccomp and rlimits promise. */
const char *sandbox_weaknesses(unsigned applied, int landlock_abi, char *buf,
                               size_t cap);

/* What the kernel offers, found in throw-away child processes (the caller
 * is not changed). For `skillhost doctor`. */
struct sandbox_support {
	int seccomp; /* a filter can be loaded */
	int no_new_privs;
	int landlock_abi;                /* 0 when unavailable */
	int userns, netns, mntns, ipcns; /* can be created by this user */
	int pidns;
	int pids_cgroup;   /* a writable pids cgroup hierarchy */
	int test_switches; /* a SANDBOX_ENV_* switch is set */
	int is_root;
	int sanitized;            /* this build cannot cap address space */
	char seccomp_version[32]; /* libseccomp's */
};
void sandbox_detect(struct sandbox_support *s);

/* The layers in r.applied as "rlimits memory-cap netns ..." into buf. */
const char *sandbox_describe(unsigned applied, char *buf, size_t cap);

/* The name of system call nr on this architecture ("socket"), or
 * "syscall N"; arch is the AUDIT_ARCH_* of a SIGSYS (0: native), so a call
 * through another ABI reads "i386 system call 20 (getpid)" or "x32 system
 * call 39". */
const char *sandbox_syscall_name(int nr, unsigned arch, char *buf, size_t cap);

/* 1 in sanitizer builds (no address-space cap possible). */
int sandbox_sanitized(void);

#endif /* SH_SANDBOX_H */
