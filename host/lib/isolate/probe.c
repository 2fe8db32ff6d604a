/*
 * probe.c - probing skills out of process. See probe.h.
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call.h"
#include "exec_isolated.h"
#include "sandbox.h"
#include "wire.h"

#define PROBE_STDERR_MAX 4096

static void describe_exit(int status, char *buf, size_t cap)
{
	if (WIFSIGNALED(status))
		(void)snprintf(buf, cap, "was killed by signal %d (%s)",
		               WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) == WIRE_EXIT_VIOLATION)
		(void)snprintf(
		        buf, cap,
		        "was stopped for a system call the sandbox forbids");
	else
		(void)snprintf(buf, cap, "exited with status %d",
		               WEXITSTATUS(status));
}

/* Read both pipes until they close or the deadline passes. */
static int collect(int out_fd, int err_fd, char **out, size_t *out_len,
                   char *err, size_t err_cap, int64_t deadline_ns)
{
	size_t cap = 65536, elen = 0;
	struct pollfd p[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
	int open_fds = 2;

	*out = malloc(cap);
	*out_len = 0;
	if (!*out)
		return -1;
	while (open_fds > 0) {
		int64_t left = (deadline_ns - call_now_ns()) / 1000000;
		if (left <= 0)
			return 1; /* timed out */
		if (poll(p, 2, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < 2; i++) {
			char buf[65536];
			ssize_t n;
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(p[i].fd, buf, sizeof buf);
			if (n <= 0) {
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 0) {
				if (*out_len + (size_t)n >= PROBE_OUTPUT_MAX)
					return 2; /* too much output */
				if (*out_len + (size_t)n + 1 > cap) {
					char *g;
					while (*out_len + (size_t)n + 1 > cap)
						cap *= 2;
					g = realloc(*out, cap);
					if (!g)
						return -1;
					*out = g;
				}
				memcpy(*out + *out_len, buf, (size_t)n);
				*out_len += (size_t)n;
			} else if (elen + 1 < err_cap) {
				size_t k = (size_t)n < err_cap - 1 - elen
				                   ? (size_t)n
				                   : err_cap - 1 - elen;
				memcpy(err + elen, buf, k);
				elen += k;
			}
		}
	}
	(*out)[*out_len] = '\0';
	err[elen] = '\0';
	return 0;
}

sh_status probe_skill(const char *lib, const char *bundle_dir,
                      struct skilldesc **out, struct sh_error *e)
{
	char worker[PATH_MAX], why[128], err[PROBE_STDERR_MAX];
	char *argv[] = {"skillhost-worker", "--probe",          (char *)lib,
	                "--bundle",         (char *)bundle_dir, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
	char *text = NULL, **env = NULL;
	size_t len = 0;
	cJSON *json = NULL;
	sh_status rc;
	pid_t pid;
	int status = 0, got;

	*out = NULL;
	err[0] = '\0';
	if ((rc = probe_worker_path(worker, sizeof worker, e)))
		return rc;
	/* The probe runs the skill's code: it gets a worker's environment,
	 * not ours (which may hold API keys). */
	if (!(env = exec_isolated_env("/tmp", PROBE_MEMORY_MAX)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) {
		exec_isolated_env_free(env);
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot make pipes");
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	/* Its own session and process group: a constructor's kill(0, ...)
	 * must not reach the installer and its shell (the sandbox refuses it
	 * as well). */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	if (posix_spawn(&pid, worker, &fa, &attr, argv, env) != 0) {
		posix_spawnattr_destroy(&attr);
		posix_spawn_file_actions_destroy(&fa);
		rc = sh_error_errno(e, SH_ERR_FAIL, errno, "cannot run %s",
		                    worker);
		goto out;
	}
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(out_pipe[1]);
	close(err_pipe[1]);
	out_pipe[1] = err_pipe[1] = -1;
	got = collect(out_pipe[0], err_pipe[0], &text, &len, err, sizeof err,
	              call_now_ns() + (int64_t)PROBE_TIMEOUT_MS * 1000000);
	if (got != 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sandbox_cgroup_remove(pid);
	if (got == 1) {
		rc = sh_error_set(e, SH_ERR_ABI,
		                  "%s: the skill did not finish loading within "
		                  "%d ms when probed; it hangs in its entry or "
		                  "init",
		                  lib, PROBE_TIMEOUT_MS);
		goto out;
	}
	if (got != 0) {
		rc = sh_error_set(
		        e, SH_ERR_ABI, "%s: probing the skill failed (%s)", lib,
		        got == 2 ? "it printed too much" : "I/O error");
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *nl = strrchr(err, '\n');
		if (nl && !nl[1])
			*nl = '\0';
		describe_exit(status, why, sizeof why);
		rc = sh_error_set(e, SH_ERR_ABI,
		                  "%s: the skill was refused when probed in a "
		                  "separate process, which %s%s%s",
		                  lib, why, err[0] ? ": " : "", err);
		goto out;
	}
	json = cJSON_ParseWithLength(text, len);
	rc = json ? skilldesc_from_json(json, lib, out, e)
	          : sh_error_set(e, SH_ERR_ABI,
	                         "%s: the probe printed no description", lib);
out:
	exec_isolated_env_free(env);
	cJSON_Delete(json);
	free(text);
	for (int i = 0; i < 2; i++) {
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
		if (err_pipe[i] >= 0)
			close(err_pipe[i]);
	}
	return rc;
}
