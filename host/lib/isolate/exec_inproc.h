/*
 * exec_inproc.h - run a skill inside the host process.
 *
 * Fastest (a call is a function call), and trusted: a crash in the skill is
 * a crash of the host. Used for skills the operator marks in-process
 * (`skillhost config SKILL isolation in-process`), for `--skill` files run
 * with `skillhost --in-process` (e.g. under a debugger), and inside the
 * isolated workers themselves.
 */
#ifndef SH_EXEC_INPROC_H
#define SH_EXEC_INPROC_H

#include "executor.h"
#include "hostapi.h"
#include "loader.h"
#include "status.h"

/*
 * Take ownership of ls, bind a skill_host_t to it, and run the skill's init
 * with bundle_dir (may be NULL: the .so's folder is used). On success *out
 * owns ls; on failure ls is released and the error names the skill and the
 * status its init returned.
 */
sh_status exec_inproc_open(struct loaded_skill *ls,
                           const struct host_services *svc,
                           const char *bundle_dir, struct executor **out,
                           struct sh_error *e);

/* The skill-side extension id of an in-process skill, or NULL. */
const void *exec_inproc_skill_extension(struct executor *ex, const char *id);

#endif /* SH_EXEC_INPROC_H */
