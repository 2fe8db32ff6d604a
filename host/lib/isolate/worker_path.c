/*
 * worker_path.c - where skillhost-worker is. See worker_path.h.
 */
#include "worker_path.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

sh_status probe_worker_path(char *buf, size_t cap, struct sh_error *e)
{
	const char *env = getenv("SKILLHOST_WORKER");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		(void)snprintf(buf, cap, "%s", env);
		return SH_OK;
	}
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		char *dir;
		self[n] = '\0';
		dir = dirname(self);
		/* The build tree keeps both binaries together; an installed,
		 * relocated prefix keeps the worker in libexec. */
		if (snprintf(buf, cap, "%s/skillhost-worker", dir) < (int)cap &&
		    access(buf, X_OK) == 0)
			return SH_OK;
		if (snprintf(buf, cap,
		             "%s/../libexec/skillhost/skillhost-worker",
		             dir) < (int)cap &&
		    access(buf, X_OK) == 0)
			return SH_OK;
		/* The build tree keeps skillreg in registry/, beside host/. */
		if (snprintf(buf, cap, "%s/../host/skillhost-worker", dir) <
		            (int)cap &&
		    access(buf, X_OK) == 0)
			return SH_OK;
	}
	if (snprintf(buf, cap, "%s/skillhost-worker", SKILLHOST_LIBEXECDIR) <
	            (int)cap &&
	    access(buf, X_OK) == 0)
		return SH_OK;
	return sh_error_set(e, SH_ERR_FAIL,
	                    "cannot find skillhost-worker (looked next to "
	                    "this program and in %s); set SKILLHOST_WORKER",
	                    SKILLHOST_LIBEXECDIR);
}
