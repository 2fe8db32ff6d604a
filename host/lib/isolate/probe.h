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

#define PROBE_TIMEOUT_MS  15000
#define PROBE_OUTPUT_MAX  (16u * 1024 * 1024)
#define PROBE_MEMORY_MAX  (4ull * 1024 * 1024 * 1024)
#define PROBE_CPU_SECONDS 10

/* The path of the skillhost-worker binary: $SKILLHOST_WORKER, else next to
 * the running executable, else the installed libexec path. */
sh_status probe_worker_path(char *buf, size_t cap, struct sh_error *e);

/*
 * Probe the skill library lib (bundle_dir: the folder its init receives).
 * On success *out is the validated description it declares. A crash, a
 * timeout or a refusal in the child is SH_ERR_ABI with what happened.
 */
sh_status probe_skill(const char *lib, const char *bundle_dir,
                      struct skilldesc **out, struct sh_error *e);

#endif /* SH_PROBE_H */
