/*
 * sandbox.h - confine a worker process before it loads skill code.
 *
 * Layers, applied by sandbox_apply in this order:
 *   1. rlimits: address space (the memory cap), CPU seconds, open files,
 *      file size, no core dumps;
 *   2. namespaces where the kernel allows them: network (no interfaces but
 *      a loopback that is down), mount (private; a size-capped tmpfs over
 *      the scratch folder), IPC, and a user namespace when not root (needed
 *      for the others);
 *   3. every capability dropped (bounding, effective, permitted, ambient);
 *   4. no_new_privs (Landlock and seccomp need it);
 *   5. Landlock: reads only beneath the skill's folder and the system's
 *      library and data folders, writes only to the scratch folder; no TCP
 *      connect or bind (ABI 4); no signals or abstract sockets outside the
 *      sandbox (ABI 6);
 *   6. a seccomp allowlist (libseccomp). System calls that only make sense
 *      for an escape (execve, creating processes, ptrace, mount, namespaces,
 *      kernel modules, bpf, io_uring, reading other processes' memory ...)
 *      trap: the worker records the call in its control page and exits
 *      with WIRE_EXIT_VIOLATION. Network calls (socket, connect, ...) fail
 *      with EACCES, so libraries that probe for nscd or syslog carry on.
 *      Anything not listed fails with EPERM.
 * 1, 4 and 6 are mandatory: sandbox_apply fails when they cannot be set.
 * 2, 3 and 5 depend on the kernel and on privileges; what was skipped is in
 * the report (and in `skillhost doctor`). Without Landlock a skill can read
 * whatever files the host's user can; without a mount namespace its scratch
 * folder is a plain folder (removed when the worker ends) with no size cap
 * beyond RLIMIT_FSIZE per file.
 *
 * Threads: sandbox_apply runs in the worker before it starts threads of its
 * own (seccomp is synchronised to any a sanitizer runtime started).
 */
#ifndef SH_SANDBOX_H
#define SH_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

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
#define SANDBOX_ALL_BITS      11

/* Defaults; the memory cap comes from policy (`config SKILL memory`). */
#define SANDBOX_CPU_SECONDS   600 /* per worker lifetime; see below */
#define SANDBOX_MAX_FILES     256
#define SANDBOX_FILE_SIZE_MAX (256ull * 1024 * 1024)
#define SANDBOX_SCRATCH_MAX   (64ull * 1024 * 1024) /* the tmpfs size */
/* A worker that has used this much CPU asks to be replaced after its
 * call, long before RLIMIT_CPU would kill it mid-call. */
#define SANDBOX_CPU_RETIRE_SECONDS (SANDBOX_CPU_SECONDS / 2)

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
};

struct sandbox_report {
	unsigned applied; /* SANDBOX_* */
	int landlock_abi; /* 0 when unavailable */
	char detail[512]; /* what was skipped and why */
};

/*
 * [worker] Apply every layer to the calling process. On success the
 * report says what was applied; on failure (a mandatory layer) the process
 * is in an unknown state and must exit.
 */
sh_status sandbox_apply(const struct sandbox_opts *o, struct sandbox_report *r,
                        struct sh_error *e);

/* What the kernel offers, found in throw-away child processes (the caller
 * is not changed). For `skillhost doctor`. */
struct sandbox_support {
	int seccomp; /* a filter can be loaded */
	int no_new_privs;
	int landlock_abi;                /* 0 when unavailable */
	int userns, netns, mntns, ipcns; /* can be created by this user */
	int is_root;
	int sanitized;            /* this build cannot cap address space */
	char seccomp_version[32]; /* libseccomp's */
};
void sandbox_detect(struct sandbox_support *s);

/* The layers in r.applied as "rlimits memory-cap netns ..." into buf. */
const char *sandbox_describe(unsigned applied, char *buf, size_t cap);

/* The name of system call nr on this architecture ("socket"), or
 * "syscall N". */
const char *sandbox_syscall_name(int nr, char *buf, size_t cap);

/* 1 in sanitizer builds (no address-space cap possible). */
int sandbox_sanitized(void);

#endif /* SH_SANDBOX_H */
