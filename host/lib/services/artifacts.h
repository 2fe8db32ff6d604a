/*
 * artifacts.h - the host side of the skill.artifacts/1 extension.
 *
 * Output files go to the runtime's artifacts folder: written to a hidden
 * temporary file, fsynced, then renamed to "<id>-<name>" on commit, so a
 * crash or an error never leaves a partial artifact under a real name.
 * Input files are opened only inside the allowed folders: the artifacts
 * folder, the runtime's input folders, and the skill's "input-dir" policy
 * (`skillhost config SKILL input-dir DIR`, ':'-separated).
 *
 * Quotas, so one call cannot fill the disk: the bytes one call writes to
 * artifacts (artifacts-call-max, per skill or host-wide, default 256 MiB),
 * and the size of the whole folder (artifacts-max, host-wide, default
 * 2 GiB), checked at every write; artifacts older than artifacts-keep
 * (host-wide, default 7 days) are pruned at `serve` start, every 10
 * minutes while artifacts are being written, and before a full store
 * refuses a write. A write past a cap fails with SKILL_ERR_NOMEM, the
 * call's result says which cap and how to raise it, and the partial file
 * is deleted at once. The store cap is checked against the folder's size
 * when each artifact starts, so calls writing at the same moment can
 * overshoot it by at most their own per-call caps.
 *
 * Each artifact records the skill that wrote it in the extended attribute
 * user.skillhost.skill (where the file system keeps user attributes), for
 * `skillhost artifacts list`.
 */
#ifndef SH_ARTIFACTS_H
#define SH_ARTIFACTS_H

#include <stddef.h>
#include <stdint.h>

#include <skill/ext/artifacts.h>

#include "status.h"

struct skill_call;
struct host_services;
struct config;

/* Largest single artifact, whatever the quotas allow. */
#define ARTIFACT_MAX_BYTES (1024ull * 1024 * 1024)
/* Longest suggested file name kept. */
#define ARTIFACT_NAME_MAX 96
/* Quota defaults (see above). */
#define ARTIFACTS_CALL_MAX_DEFAULT  (256ull * 1024 * 1024)
#define ARTIFACTS_STORE_MAX_DEFAULT (2048ull * 1024 * 1024)
#define ARTIFACTS_KEEP_DEFAULT_MS   (7LL * 86400 * 1000)
/* How often writing artifacts also prunes expired ones. */
#define ARTIFACTS_PRUNE_EVERY_MS (10LL * 60 * 1000)
/* A partial file (".tmp-*") not written for this long belongs to a call
 * that died with its host: prune removes it. */
#define ARTIFACTS_TMP_STALE_MS (3600LL * 1000)
#define ARTIFACTS_XATTR_SKILL  "user.skillhost.skill"

struct artifacts_limits {
	uint64_t call_max;  /* bytes one call may write */
	uint64_t store_max; /* bytes the folder may hold */
	int64_t keep_ms;    /* age at which artifacts are pruned */
};

/* The quotas for skill (NULL: host-wide only): the skill's policy, else
 * the host section, else the defaults; malformed values are skipped. */
void artifacts_limits(const struct config *c, const char *skill,
                      struct artifacts_limits *out);

/* One committed artifact. */
struct artifact_entry {
	char id[64 + ARTIFACT_NAME_MAX + 8]; /* its file name */
	char skill[136];                     /* who wrote it; "" unknown */
	uint64_t size;
	int64_t mtime;    /* seconds since the epoch */
	int64_t mtime_ns; /* the same in nanoseconds, for ordering */
};

/* The committed artifacts in dir, oldest first, into *out (free()) and *n.
 * A missing folder is an empty list. */
sh_status artifacts_list(const char *dir, struct artifact_entry **out,
                         size_t *n, struct sh_error *e);

/* Bytes of every regular file in dir, partial ones included. */
uint64_t artifacts_usage(const char *dir);

/*
 * Remove the committed artifacts in dir last written more than
 * older_than_ms ago (0: all of them), and partial files not written for
 * ARTIFACTS_TMP_STALE_MS. With dry_run nothing is removed. each (may be
 * NULL) sees every artifact removed (or that would be). *removed and
 * *bytes (may be NULL) get the totals. A missing folder is nothing to do.
 */
sh_status artifacts_prune(const char *dir, int64_t older_than_ms, int dry_run,
                          void (*each)(void *ud, const struct artifact_entry *),
                          void *ud, size_t *removed, uint64_t *bytes,
                          struct sh_error *e);

extern const skill_ext_artifacts_t artifacts_ext;

/*
 * Append the first len bytes of fd to the output artifact h of call, with
 * the quotas and messages of skill.artifacts/1's write; the bytes are
 * copied inside the kernel (sendfile). For the isolated executor, which
 * gets an artifact's bytes from a worker as a memfd: fd must be one whose
 * size cannot change (wire_check_sealed), so the copy cannot come up short.
 */
skill_status artifacts_append_fd(skill_call_t *call, skill_artifact_t *h,
                                 int fd, uint64_t len);

/*
 * skill.artifacts/1's commit, for the isolated executor, whose worker
 * waits for the answer: the answer (the link in the result, info) is
 * given at once, and the data's fsync, the rename into place and the
 * folder's fsync run on another thread while the worker finishes its
 * call. Durability is the same: nothing is at the final name before its
 * bytes are synced. artifacts_settle must follow before the call's
 * outcome is used; if the commit failed after all, it turns the call
 * into an error that says so, and nothing is left behind. One commit at
 * a time is in flight: a second waits for the first.
 */
skill_status artifacts_commit_early(skill_call_t *call, skill_artifact_t *h,
                                    skill_artifact_info_t *info);

/* Wait for a commit artifacts_commit_early began; see there. No-op when
 * none is in flight. Returns 0, or -1 when it failed (the call is an
 * error now). */
int artifacts_settle(struct skill_call *c);

/* Settle, then discard every output not committed and close every input
 * of the call. Called by call_finish(). */
void artifacts_release_all(struct skill_call *c);

/* The local path of artifact id (as in its /artifacts/<id> URL) into buf,
 * refusing ids that are not a plain file name in the folder. Used by the
 * HTTP server to serve artifacts. */
sh_status artifacts_path(const struct host_services *svc, const char *id,
                         char *buf, size_t cap, struct sh_error *e);

#endif /* SH_ARTIFACTS_H */
