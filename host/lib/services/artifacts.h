/*
 * artifacts.h - the host side of the skill.artifacts/1 extension.
 *
 * Output files go to the runtime's artifacts folder: written to a hidden
 * temporary file, fsynced, then renamed to "<id>-<name>" on commit, so a
 * crash or an error never leaves a partial artifact under a real name.
 * Input files are opened only inside the allowed folders: the artifacts
 * folder, the runtime's input folders, and the skill's "input-dir" policy
 * (`skillhost config SKILL input-dir DIR`, ':'-separated).
 */
#ifndef SH_ARTIFACTS_H
#define SH_ARTIFACTS_H

#include <skill/ext/artifacts.h>

#include "status.h"

struct skill_call;
struct host_services;

/* Largest artifact a call may write. */
#define ARTIFACT_MAX_BYTES (1024ull * 1024 * 1024)
/* Longest suggested file name kept. */
#define ARTIFACT_NAME_MAX 96

extern const skill_ext_artifacts_t artifacts_ext;

/* Discard every output not committed and close every input of the call.
 * Called by call_finish(). */
void artifacts_release_all(struct skill_call *c);

/* The local path of artifact id (as in its /artifacts/<id> URL) into buf,
 * refusing ids that are not a plain file name in the folder. Used by the
 * HTTP server to serve artifacts. */
sh_status artifacts_path(const struct host_services *svc, const char *id,
                         char *buf, size_t cap, struct sh_error *e);

#endif /* SH_ARTIFACTS_H */
