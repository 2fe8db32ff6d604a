/*
 * probe.h - run a skill's entry and init in a child process, and read back
 * what it declares.
 *
 * The installer never runs a new skill's code in its own process: a skill
 * that crashes, aborts or hangs in its entry or init must fail the install,
 * not the installer. The child is `skillhost-worker --probe`, with limits
 * on CPU, memory, files and wall time.
 */
#ifndef SH_PROBE_H
#define SH_PROBE_H

#include "skilldesc.h"
#include "status.h"
#include "worker_path.h" /* probe_worker_path */

#define PROBE_TIMEOUT_MS  15000
#define PROBE_OUTPUT_MAX  ((size_t)16 * 1024 * 1024)
#define PROBE_MEMORY_MAX  (4ull * 1024 * 1024 * 1024)
#define PROBE_CPU_SECONDS 10

/*
 * Probe the skill library lib (bundle_dir: the folder its init receives).
 * On success *out is the validated description it declares. A crash, a
 * timeout or a refusal in the child is SH_ERR_ABI with what happened.
 */
sh_status probe_skill(const char *lib, const char *bundle_dir,
                      struct skilldesc **out, struct sh_error *e);

#endif /* SH_PROBE_H */
