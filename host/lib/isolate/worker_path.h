/*
 * worker_path.h - where the skillhost-worker binary is.
 *
 * Both the isolated executor and the install-time probe start the worker;
 * they find it the same way, here, below both of them.
 */
#ifndef SH_WORKER_PATH_H
#define SH_WORKER_PATH_H

#include <stddef.h>

#include "status.h"

/* The path of the skillhost-worker binary: $SKILLHOST_WORKER, else next to
 * the running executable, else the installed libexec path. */
sh_status probe_worker_path(char *buf, size_t cap, struct sh_error *e);

#endif /* SH_WORKER_PATH_H */
