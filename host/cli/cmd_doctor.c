/*
 * cmd_doctor.c - `skillhost doctor`: what isolation this system gives
 * skills.
 *
 * Two views: what the kernel offers this user (sandbox_detect, in
 * throw-away child processes), and what a real worker applied to itself
 * (`skillhost-worker --sandbox-check`, which also tries what the sandbox
 * must stop). Exit 0 when skills can run isolated (the mandatory layers
 * work), 5 when they cannot.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "archive_dl.h"
#include "audit.h"
#include "b2fast.h"
#include "call.h"
#include "commands.h"
#include "curlapi.h"
#include "exec_isolated.h"
#include "fsutil.h"
#include "config.h"
#include "libcrypto_dl.h"
#include "mhd_dl.h"
#include "probe.h"
#include "regindex.h"
#include "registry_client.h"
#include "runtime.h"
#include "sandbox.h"
#include "oauthbroker.h"
#include "secrets.h"
#include "store.h"
#include "trust.h"

#define CHECK_TIMEOUT_MS 10000
/* A registry index this close to its expiry is flagged: `skillreg
 * resign` runs from cron, and a missed run shows here first. */
#define DOCTOR_EXPIRY_WARN_S ((time_t)3 * 86400)
#define CHECK_OUTPUT_MAX     8192

static void help(void)
{
	puts("usage: skillhost doctor [--json]\n"
	     "\n"
	     "Check the isolation this system gives skills: the kernel's\n"
	     "seccomp, Landlock and namespaces, and a sandboxed worker that\n"
	     "tries what its sandbox must stop. Then the configuration:\n"
	     "declared secrets not set, registry indexes expired or near\n"
	     "expiry, and the modes and readability of the store, trust,\n"
	     "secrets and configuration files. Exit 0 when skills can run\n"
	     "isolated and no configuration problem was found, 5 otherwise\n"
	     "(warnings alone do not fail).");
}

/* Run the worker's --sandbox-check and parse what it prints. NULL with
 * why filled when it fails. */
static cJSON *live_check(const char *worker, const char *scratch, char *why,
                         size_t cap)
{
	char *argv[] = {"skillhost-worker", "--sandbox-check", "--scratch",
	                (char *)scratch, NULL};
	posix_spawn_file_actions_t fa;
	char buf[CHECK_OUTPUT_MAX];
	int p[2], status = 0, err;
	size_t len = 0;
	int64_t deadline = call_now_ns() + (int64_t)CHECK_TIMEOUT_MS * 1000000;
	pid_t pid;
	cJSON *j;
	char **env;

	if (pipe2(p, O_CLOEXEC)) {
		(void)snprintf(why, cap, "cannot make a pipe: %s",
		               strerror(errno));
		return NULL;
	}
	/* Checked the way skills will run: with a worker's environment. */
	env = exec_isolated_env(scratch, 0);
	if (!env) {
		close(p[0]);
		close(p[1]);
		(void)snprintf(why, cap, "out of memory");
		return NULL;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	err = posix_spawn(&pid, worker, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	exec_isolated_env_free(env);
	close(p[1]);
	if (err) {
		close(p[0]);
		(void)snprintf(why, cap, "cannot run %.400s: %s", worker,
		               strerror(err));
		return NULL;
	}
	for (;;) {
		struct pollfd pf = {p[0], POLLIN, 0};
		int64_t left = (deadline - call_now_ns()) / 1000000;
		ssize_t n;
		if (left <= 0 || poll(&pf, 1, (int)left) == 0) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(p[0], buf + len, sizeof buf - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof buf - 1)
			break;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sandbox_cgroup_remove(pid);
	buf[len] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		(void)snprintf(
		        why, cap,
		        "the sandboxed worker failed (%s %d); run it by hand: "
		        "%.400s --sandbox-check",
		        WIFSIGNALED(status) ? "signal" : "status",
		        WIFSIGNALED(status) ? WTERMSIG(status)
		                            : WEXITSTATUS(status),
		        worker);
		return NULL;
	}
	if (!(j = cJSON_Parse(buf)))
		(void)snprintf(why, cap,
		               "the sandboxed worker printed no report");
	return j;
}

/* ---- configuration checks ----------------------------------------------- */

struct findings {
	cJSON *list; /* [{"level": "problem"|"warning", "what", "fix"}] */
	int problems;
};

static void note(struct findings *f, int problem, const char *fix,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void note(struct findings *f, int problem, const char *fix,
                 const char *fmt, ...)
{
	char what[1024];
	va_list ap;
	cJSON *o = cJSON_CreateObject();

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	f->problems += problem;
	if (!o)
		return;
	cJSON_AddStringToObject(o, "level", problem ? "problem" : "warning");
	cJSON_AddStringToObject(o, "what", what);
	cJSON_AddStringToObject(o, "fix", fix);
	cJSON_AddItemToArray(f->list, o);
}

/* A file the host reads: present, readable, and with no more access
 * than max_mode allows (secrets and configuration only for the owner;
 * the trust list and store index not writable by others, who could
 * otherwise make the host trust their key). */
static void check_file(struct findings *f, const char *home, const char *name,
                       mode_t max_mode, const char *why)
{
	char path[PATH_MAX], fix[PATH_MAX + 64];
	struct stat st;
	int fd;

	if (snprintf(path, sizeof path, "%s/%s", home, name) >=
	            (int)sizeof path ||
	    lstat(path, &st) != 0)
		return; /* absent: nothing configured yet */
	if (!S_ISREG(st.st_mode)) {
		note(f, 1, "replace it with the file the host writes",
		     "%s is not a regular file", path);
		return;
	}
	if (st.st_mode & 07777 & ~max_mode) {
		snprintf(fix, sizeof fix, "chmod %o %s", (unsigned)max_mode,
		         path);
		note(f, 1, fix, "%s has mode %o: %s", path,
		     (unsigned)(st.st_mode & 07777), why);
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		note(f, 1, "check its owner and mode", "%s cannot be read: %s",
		     path, strerror(errno));
	else
		close(fd);
}

static void check_config(const char *home, struct findings *f)
{
	struct regclient_opts ro = {.refresh = REGCLIENT_OFFLINE};
	struct regclient_set *set = NULL;
	struct trust *tl = NULL;
	struct config *cfg = NULL;
	cJSON *index = NULL;
	const cJSON *sk;
	struct sh_error e;
	struct stat st;
	time_t now = time(NULL);

	if (stat(home, &st) == 0 && (st.st_mode & 022))
		note(f, 1, "chmod go-w on the folder",
		     "the store folder %s is writable by others (mode %o)",
		     home, (unsigned)(st.st_mode & 07777));
	check_file(f, home, SECRETS_FILE, 0600,
	           "secrets must be readable by their owner only");
	check_file(f, home, CONFIG_FILE, 0600,
	           "policy and settings are the operator's alone");
	check_file(f, home, TRUST_FILE, 0644,
	           "whoever can write it chooses the trusted keys");
	check_file(f, home, STORE_INDEX, 0644,
	           "whoever can write it chooses what is loaded");
	if (trust_load(home, &tl, &e) != SH_OK)
		note(f, 1, "fix or restore the file", "trust list: %s", e.msg);
	trust_free(tl);
	if (config_load(home, &cfg, &e) != SH_OK)
		note(f, 1, "fix or restore the file", "configuration: %s",
		     e.msg);
	config_free(cfg);

	/* Declared secrets nothing provides: the skill's calls that need
	 * them will fail. Skills often declare alternatives (a token or a
	 * bearer), so this is a warning, not a failure. */
	if (store_read_index(home, &index, &e) != SH_OK)
		note(f, 1, "fix or restore the file", "store index: %s", e.msg);
	cJSON_ArrayForEach(sk,
	                   cJSON_GetObjectItemCaseSensitive(index, "skills"))
	{
		const cJSON *decl = cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetObjectItemCaseSensitive(
		                cJSON_GetObjectItemCaseSensitive(sk, "current"),
		                "permissions"),
		        "secrets");
		const cJSON *d;
		cJSON *have = NULL;
		char missing[512] = "", fix[256], *served = NULL;
		if (secrets_describe(home, sk->string, &have, &e) != SH_OK) {
			note(f, 1, "fix or restore the file", "secrets: %s",
			     e.msg);
			break;
		}
		/* The secret a `skillhost login` serves is provided. */
		oauthbroker_logged_in(home, sk->string, &served);
		cJSON_ArrayForEach(d, decl)
		{
			const cJSON *h;
			const char *var;
			if (!cJSON_IsString(d) ||
			    (served && !strcmp(served, d->valuestring)))
				continue;
			h = cJSON_GetObjectItemCaseSensitive(have,
			                                     d->valuestring);
			var = cJSON_GetStringValue(
			        cJSON_GetObjectItemCaseSensitive(h,
			                                         "variable"));
			if (h && (!var || getenv(var)))
				continue;
			snprintf(missing + strlen(missing),
			         sizeof missing - strlen(missing), "%s%s%s",
			         missing[0] ? ", " : "", d->valuestring,
			         var ? " (approved variable not set here)"
			             : "");
		}
		cJSON_Delete(have);
		free(served);
		served = NULL;
		if (missing[0]) {
			snprintf(fix, sizeof fix,
			         "skillhost secret set %s NAME, or "
			         "`skillhost secret list %s`",
			         sk->string, sk->string);
			note(f, 0, fix, "%s: declared secrets not set: %s",
			     sk->string, missing);
		}
	}
	cJSON_Delete(index);

	if (regclient_open(home, NULL, &ro, &set, &e) != SH_OK) {
		note(f, 1, "fix or remove the registry (`skillhost registry`)",
		     "registries: %s", e.msg);
		return;
	}
	for (size_t i = 0; i < set->n; i++) {
		const struct regclient_reg *g = &set->regs[i];
		char t[REGINDEX_TIME_SIZE], fix[256];
		snprintf(fix, sizeof fix,
		         "skillhost registry update %s (and have its operator "
		         "run `skillreg resign` more often than the expiry)",
		         g->name);
		if (!g->ix) {
			note(f, 1, fix, "registry %s: %s", g->name, g->problem);
			continue;
		}
		regindex_time_format(g->ix->expires, t);
		if (g->ix->expires <= now)
			note(f, 1, fix, "registry %s: its index expired at %s",
			     g->name, t);
		else if (g->ix->expires - now < DOCTOR_EXPIRY_WARN_S)
			note(f, 0, fix,
			     "registry %s: its index expires at %s, in %.1f "
			     "days",
			     g->name, t,
			     (double)(g->ix->expires - now) / 86400.0);
	}
	regclient_set_free(set);
}

static const char *yes(int v)
{
	return v ? "yes" : "no";
}

/* The libraries opened on first use (dynlib.h): a missing one shows here
 * before a command that needs it fails. */
static const struct {
	const char *name, *soname, *use;
	sh_status (*load)(struct sh_error *e);
} on_demand[] = {
        {"libarchive", ARCHIVE_DL_SONAME, "to pack, sign and install",
         archive_dl_load},
        {"libmicrohttpd", MHD_DL_SONAME, "for serve --http", mhd_dl_load},
        {"libcrypto", LIBCRYPTO_DL_SONAME,
         "for OAuth, JWT assertions and fast hashing", libcrypto_dl_load},
};

int cmd_doctor(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sandbox_support sup;
	struct sh_error err;
	char worker[PATH_MAX], scratch[] = "/tmp/skillhost-doctor-XXXXXX";
	char home[PATH_MAX], why[512];
	const cJSON *checks, *c;
	cJSON *live = NULL, *out = NULL;
	struct sh_error curl_err;
	int worker_ok, curl_ok, mandatory, full, rc = 0, live_abi;
	struct findings fnd = {0};
	const cJSON *fi;
	unsigned applied;
	char weaker[1024], level[1400], ll[32] = "";

	if (cli_wants_help(argc, argv)) {
		help();
		return 0;
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") != 0)
			return cli_usage("doctor", "unexpected argument '%s'",
			                 argv[i]);
		else
			ctx->json = 1;
	sandbox_detect(&sup);
	curl_ok = curlapi_load(&curl_err) == SH_OK;
	worker_ok = probe_worker_path(worker, sizeof worker, &err) == SH_OK;
	why[0] = '\0';
	if (!worker_ok)
		(void)snprintf(why, sizeof why, "%.500s", err.msg);
	else if (!mkdtemp(scratch))
		(void)snprintf(why, sizeof why, "cannot make %s: %s", scratch,
		               strerror(errno));
	else
		live = live_check(worker, scratch, why, sizeof why);
	if (scratch[strlen(scratch) - 1] != 'X')
		fs_remove_tree(scratch, &err);
	mandatory = sup.seccomp && sup.no_new_privs && live;
	if ((rc = cli_home(ctx, home, sizeof home)))
		goto done;
	/* What a sandboxed worker really got, not what the kernel offers:
	 * a test switch or a failed step shows here. */
	applied = (unsigned)cJSON_GetNumberValue(
	        cJSON_GetObjectItemCaseSensitive(live, "applied_bits"));
	live_abi = (int)cJSON_GetNumberValue(
	        cJSON_GetObjectItemCaseSensitive(live, "landlock_abi"));
	if (!(applied & SANDBOX_LANDLOCK))
		live_abi = 0;
	full = mandatory &&
	       (applied &
	        (SANDBOX_PIDNS | SANDBOX_MIN_ROOT | SANDBOX_NETNS |
	         SANDBOX_LANDLOCK | SANDBOX_SECCOMP | SANDBOX_PIDS_CGROUP)) ==
	               (SANDBOX_PIDNS | SANDBOX_MIN_ROOT | SANDBOX_NETNS |
	                SANDBOX_LANDLOCK | SANDBOX_SECCOMP |
	                SANDBOX_PIDS_CGROUP);
	sandbox_weaknesses(applied, live_abi, weaker, sizeof weaker);
	if (full)
		(void)snprintf(
		        level, sizeof level,
		        "full: pid+mount+network namespaces, minimal root, "
		        "Landlock ABI %d, seccomp, thread cap",
		        live_abi);
	if (live_abi)
		(void)snprintf(ll, sizeof ll, ", Landlock ABI %d", live_abi);
	if (!full && mandatory)
		(void)snprintf(
		        level, sizeof level,
		        "partial: seccomp and rlimits%s%s%s%s; weaker: %s",
		        applied & SANDBOX_MIN_ROOT ? ", minimal root" : "",
		        applied & SANDBOX_PIDNS ? ", PID namespace" : "", ll,
		        applied & SANDBOX_PIDS_CGROUP ? ", thread cap" : "",
		        weaker);
	checks = cJSON_GetObjectItemCaseSensitive(live, "checks");
	if (!(fnd.list = cJSON_CreateArray())) {
		rc = 5;
		goto done;
	}
	check_config(home, &fnd);
	if (ctx->json) {
		out = cJSON_CreateObject();
		cJSON *k = cJSON_AddObjectToObject(out, "kernel");
		cJSON_AddStringToObject(out, "isolation",
		                        full        ? "full"
		                        : mandatory ? "partial"
		                                    : "unavailable");
		if (mandatory) {
			cJSON_AddStringToObject(out, "isolation_detail", level);
			cJSON_AddStringToObject(out, "weaker", weaker);
		}
		cJSON_AddBoolToObject(k, "pid_namespace", sup.pidns);
		cJSON_AddBoolToObject(k, "pids_cgroup", sup.pids_cgroup);
		cJSON_AddBoolToObject(k, "test_switches", sup.test_switches);
		cJSON_AddBoolToObject(k, "no_new_privs", sup.no_new_privs);
		cJSON_AddBoolToObject(k, "seccomp", sup.seccomp);
		cJSON_AddStringToObject(k, "libseccomp", sup.seccomp_version);
		cJSON_AddNumberToObject(k, "landlock_abi", sup.landlock_abi);
		cJSON_AddBoolToObject(k, "user_namespace", sup.userns);
		cJSON_AddBoolToObject(k, "network_namespace", sup.netns);
		cJSON_AddBoolToObject(k, "mount_namespace", sup.mntns);
		cJSON_AddBoolToObject(k, "ipc_namespace", sup.ipcns);
		cJSON_AddBoolToObject(k, "root", sup.is_root);
		cJSON_AddBoolToObject(out, "memory_cap_rlimit", !sup.sanitized);
		cJSON_AddStringToObject(out, "worker", worker_ok ? worker : "");
		if (live)
			cJSON_AddItemToObject(out, "worker_check",
			                      cJSON_Duplicate(live, 1));
		else
			cJSON_AddStringToObject(out, "worker_error", why);
		cJSON_AddStringToObject(out, "home", home);
		if (curl_ok)
			cJSON_AddStringToObject(out, "libcurl",
			                        curlapi()->version());
		else
			cJSON_AddStringToObject(out, "libcurl_error",
			                        curl_err.msg);
		for (size_t i = 0; i < sizeof on_demand / sizeof on_demand[0];
		     i++) {
			char key[64];
			int ok = on_demand[i].load(&err) == SH_OK;

			(void)snprintf(key, sizeof key, "%s%s",
			               on_demand[i].name, ok ? "" : "_error");
			cJSON_AddStringToObject(
			        out, key, ok ? on_demand[i].soname : err.msg);
		}
		cJSON_AddStringToObject(out, "blake2b",
		                        b2fast_impl_name(b2fast_chosen()));
		if (b2fast_fallback())
			cJSON_AddStringToObject(out, "blake2b_fallback",
			                        b2fast_fallback());
		cJSON_AddItemToObject(out, "configuration", fnd.list);
		fnd.list = NULL;
		rc = cli_print_json(out, 1);
		goto done;
	}
	printf("skillhost doctor: isolation of skills on this system\n\n");
	printf("  worker            %s\n", worker_ok ? worker : why);
	printf("  no_new_privs      %s\n", yes(sup.no_new_privs));
	printf("  seccomp filter    %s (libseccomp %s)\n", yes(sup.seccomp),
	       sup.seccomp_version);
	if (sup.landlock_abi)
		printf("  Landlock          ABI %d: files confined%s%s\n",
		       sup.landlock_abi,
		       sup.landlock_abi >= 4 ? ", TCP blocked" : "",
		       sup.landlock_abi >= 6 ? ", signals scoped" : "");
	else
		printf("  Landlock          no: a skill can read any file this "
		       "user can\n");
	printf("  user namespace    %s%s\n", yes(sup.userns),
	       sup.is_root ? " (not needed: running as root)" : "");
	printf("  network namespace %s\n", yes(sup.netns));
	printf("  mount namespace   %s\n", yes(sup.mntns));
	printf("  IPC namespace     %s\n", yes(sup.ipcns));
	printf("  PID namespace     %s\n", yes(sup.pidns));
	printf("  pids cgroup       %s\n",
	       sup.pids_cgroup ? "yes (threads capped per worker)"
	                       : "no: a skill's threads are not capped");
	if (sup.test_switches)
		printf("  TEST SWITCHES     %s / %s set: the sandbox is "
		       "weakened on purpose\n",
		       SANDBOX_ENV_LANDLOCK_ABI, SANDBOX_ENV_NO_NAMESPACES);
	printf("  memory cap        %s\n",
	       sup.sanitized ? "ASan RSS limit (sanitizer build: no RLIMIT_AS)"
	                     : "RLIMIT_AS per worker");
	if (live) {
		printf("\n  a sandboxed worker applied: %s\n",
		       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		               live, "applied")));
		c = cJSON_GetObjectItemCaseSensitive(live, "skipped");
		if (cJSON_GetStringValue(c) && *c->valuestring)
			printf("  and skipped: %s\n", c->valuestring);
		cJSON_ArrayForEach(c, checks) printf(
		        "    %-20s %s\n", c->string, cJSON_GetStringValue(c));
	} else {
		printf("\n  no sandboxed worker could run: %s\n", why);
	}
	printf("\n  audit log         %s/%s/%s\n", home, AUDIT_DIR, AUDIT_FILE);
	/* Opened on first use, so a missing libcurl shows only here and
	 * when something speaks HTTP. */
	if (curl_ok) {
		const char *v = curlapi()->version();

		printf("  libcurl           %.*s (for skill.http/1, registries "
		       "and agents)\n",
		       (int)strcspn(v, " "), v);
	} else {
		printf("  libcurl           MISSING: %s\n", curl_err.msg);
	}
	for (size_t i = 0; i < sizeof on_demand / sizeof on_demand[0]; i++) {
		if (on_demand[i].load(&err) == SH_OK)
			printf("  %-17s %s (%s)\n", on_demand[i].name,
			       on_demand[i].soname, on_demand[i].use);
		else
			printf("  %-17s MISSING: %s\n", on_demand[i].name,
			       err.msg);
	}
	/* Which BLAKE2b-512 hashes packages of B2FAST_MIN_BYTES and more
	 * (b2fast.h), and why not libcrypto's when it cannot. */
	if (b2fast_fallback())
		printf("  %-17s libsodium, not libcrypto: %s\n", "BLAKE2b-512",
		       b2fast_fallback());
	else
		printf("  %-17s %s (measured the faster here)\n", "BLAKE2b-512",
		       b2fast_impl_name(b2fast_chosen()));
	printf("\nConfiguration:\n");
	if (!cJSON_GetArraySize(fnd.list))
		printf("  no problem found (secrets, registries, file "
		       "modes)\n");
	cJSON_ArrayForEach(fi, fnd.list)
	        printf("  %-8s %s\n           fix: %s\n",
	               cJSON_GetStringValue(
	                       cJSON_GetObjectItemCaseSensitive(fi, "level")),
	               cJSON_GetStringValue(
	                       cJSON_GetObjectItemCaseSensitive(fi, "what")),
	               cJSON_GetStringValue(
	                       cJSON_GetObjectItemCaseSensitive(fi, "fix")));
	printf("\nIsolation: %s\n",
	       mandatory ? level
	                 : "UNAVAILABLE: skills cannot run isolated; only "
	                   "skills marked `isolation in-process` will run");
done:
	cJSON_Delete(fnd.list);
	cJSON_Delete(out);
	cJSON_Delete(live);
	if (rc)
		return rc;
	return mandatory && !fnd.problems ? 0 : 5;
}
