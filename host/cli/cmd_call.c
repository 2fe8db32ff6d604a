/*
 * cmd_call.c - `skillhost call`: call one tool and print its result.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "call.h"
#include "catalog.h"
#include "commands.h"
#include "config.h"
#include "hostlog.h"
#include "phasetime.h"
#include "runtime.h"

/* Most bytes of arguments read from stdin. */
#define CALL_STDIN_MAX ((size_t)64 * 1024 * 1024)
/* How long past its deadline a call may run before the process gives up
 * on it: an isolated worker is killed 100 ms after the deadline, so only
 * an in-process skill that ignores cancellation gets here. */
#define CALL_WATCHDOG_GRACE_S 2

static atomic_int interrupted;
/* What the watchdog prints: formatted before it is armed, because a
 * signal handler may only write() it. */
static char watchdog_msg[768];
static size_t watchdog_len;

static void on_watchdog(int sig)
{
	ssize_t n;

	(void)sig;
	n = write(STDOUT_FILENO, watchdog_msg, watchdog_len);
	(void)n;
	_exit(1);
}

/* Arm SIGALRM for the call's deadline plus the grace: a spinning
 * in-process skill cannot be stopped any other way, and a CLI call must
 * end. The message is a CallToolResult, like every other answer. */
static void arm_watchdog(struct runtime *rt, const char *name,
                         int64_t timeout_ms)
{
	struct catalog *c = runtime_acquire(rt);
	struct sh_error e;
	struct tool *t = catalog_find(c, name, &e);
	int64_t ms;
	int n;

	if (!t) {
		runtime_release(c);
		return; /* the call reports the unknown tool */
	}
	ms = config_call_timeout_ms(runtime_config(rt), t->skill->desc->name,
	                            timeout_ms, 0);
	n = snprintf(watchdog_msg, sizeof watchdog_msg,
	             "{\"content\":[{\"type\":\"text\",\"text\":\"%s failed: "
	             "the call's deadline passed (%lld ms) and the skill "
	             "did not stop; skillhost gave up on it\"}],"
	             "\"isError\":true}\n",
	             t->canonical, (long long)ms);
	runtime_release(c);
	if (n <= 0 || (size_t)n >= sizeof watchdog_msg)
		return;
	watchdog_len = (size_t)n;
	(void)signal(SIGALRM, on_watchdog);
	alarm((unsigned)((ms + 999) / 1000) + CALL_WATCHDOG_GRACE_S);
}

static void on_sigint(int sig)
{
	(void)sig;
	/* The first Ctrl-C asks the tool to stop; a second one kills. */
	atomic_store(&interrupted, 1);
	(void)signal(SIGINT, SIG_DFL);
}

static void help(void)
{
	puts("usage: skillhost call TOOL [JSON|-] [--skill PATH.so]... "
	     "[--timeout DUR] [--compact]\n"
	     "\n"
	     "Call TOOL with the JSON object given (or read from stdin with\n"
	     "'-'; none means {}) and print the MCP CallToolResult JSON.\n"
	     "TOOL is the canonical name (ns/skill.tool), the MCP name\n"
	     "(ns.skill.tool), the function-calling name (ns__skill__tool), "
	     "or\n"
	     "the bare tool name when only one skill has it.\n"
	     "\n"
	     "  --skill PATH.so  load this skill file directly (repeatable)\n"
	     "  --timeout DUR    the call's deadline: milliseconds, or 30s, "
	     "2m...\n"
	     "                   (default: the skill's `config` timeout, "
	     "else\n"
	     "                   `config --host timeout`, else 60s)\n"
	     "  --compact        print the result on one line\n"
	     "\n"
	     "Exit code 1 when the tool reports an error (isError).\n"
	     "Ctrl-C cancels the call; a second Ctrl-C kills the host.");
}

static void on_progress(void *ud, double progress, double total,
                        const char *message)
{
	(void)ud;
	if (total > 0)
		hostlog(SKILL_LOG_INFO, "progress %g/%g%s%s", progress, total,
		        message ? " " : "", message ? message : "");
	else
		hostlog(SKILL_LOG_INFO, "progress %g%s%s", progress,
		        message ? " " : "", message ? message : "");
}

static char *read_stdin(size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		size_t got;
		if (n + 1 == cap) {
			char *grown;
			if (cap >= CALL_STDIN_MAX) {
				free(buf);
				return NULL;
			}
			grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				return NULL;
			}
			buf = grown;
			cap *= 2;
		}
		got = fread(buf + n, 1, cap - 1 - n, stdin);
		n += got;
		if (got == 0)
			break;
	}
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

/* The arguments read from stdin: in a sealed memfd when one can be made
 * (an isolated worker maps that very memfd: the bytes are copied once, from
 * stdin, and never again), else on the heap. */
struct stdin_args {
	char *text; /* len bytes and a NUL */
	size_t len;
	int memfd;     /* > 0: text is a read-only mapping of it */
	size_t maplen; /* of the mapping */
};

/* When stdin is a regular file, copy it into memfd fd inside the kernel:
 * tmpfs allocates the pages as it writes them, where read() into a shared
 * mapping takes a page fault for each 4 KiB (1.5 against 2.7 ms for the
 * 3 MB deck). 1 when done (*n bytes), 0 when stdin is not such a file
 * and nothing was read, -1 with errno (EFBIG: too large). */
static int sendfile_stdin(int fd, size_t *n, int *consumed)
{
	struct stat st;

	if (fstat(STDIN_FILENO, &st) || !S_ISREG(st.st_mode))
		return 0;
	for (;;) {
		ssize_t got = sendfile(fd, STDIN_FILENO, NULL,
		                       CALL_STDIN_MAX + 1 - *n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && !*consumed &&
		    (errno == EINVAL || errno == ENOSYS))
			return 0;
		if (got < 0)
			return -1;
		if (got == 0)
			return 1;
		*consumed = 1;
		*n += (size_t)got;
		if (*n > CALL_STDIN_MAX) {
			errno = EFBIG;
			return -1;
		}
	}
}

/* Read stdin into a memfd mapped shared and writable (reserving the
 * largest size allowed; tmpfs allocates only what is written), then seal
 * it and map it read-only. 0, or -1 with errno (EFBIG: too large) after
 * undoing everything; *consumed says whether stdin was read from. */
static int read_stdin_memfd(struct stdin_args *a, int *consumed)
{
	const size_t reserve = CALL_STDIN_MAX + 1;
	int fd =
	        memfd_create("skillhost-args", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	char *map = MAP_FAILED;
	size_t n = 0;
	int err = 0;

	if (fd < 0)
		return -1;
	switch (sendfile_stdin(fd, &n, consumed)) {
	case 1: goto seal;
	case -1: goto fail;
	default: break; /* not a file sendfile reads: read() below */
	}
	if (ftruncate(fd, (off_t)reserve) ||
	    (map = mmap(NULL, reserve, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	                0)) == MAP_FAILED)
		goto fail;
	/* No MADV_POPULATE_WRITE here even when stdin is a file of known
	 * size: it holds the address space's lock while it allocates, and
	 * the thread starting the worker meanwhile waited for it in mmap.
	 * read() faults the pages in under the mapping's own lock. */
	for (;;) {
		ssize_t got = read(STDIN_FILENO, map + n, reserve - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail;
		if (got == 0)
			break;
		*consumed = 1;
		n += (size_t)got;
		if (n > CALL_STDIN_MAX) {
			errno = EFBIG;
			goto fail;
		}
	}
	/* Nothing was written past n, so the NUL is there already. The
	 * writable mapping goes before the seals, which forbid one. */
	if (munmap(map, reserve)) {
		map = MAP_FAILED;
		goto fail;
	}
	map = MAP_FAILED;
seal:
	if (ftruncate(fd, (off_t)n + 1) ||
	    fcntl(fd, F_ADD_SEALS,
	          F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) ||
	    (map = mmap(NULL, n + 1, PROT_READ, MAP_SHARED | MAP_POPULATE, fd,
	                0)) == MAP_FAILED)
		goto fail;
	a->text = map;
	a->len = n;
	a->memfd = fd;
	a->maplen = n + 1;
	return 0;
fail:
	err = errno ? errno : EIO;
	if (map != MAP_FAILED)
		munmap(map, reserve);
	close(fd);
	errno = err;
	return -1;
}

/* Read the arguments from stdin; 0, or -1 when they cannot be read or are
 * over CALL_STDIN_MAX. */
static int read_stdin_args(struct stdin_args *a)
{
	int consumed = 0;

	memset(a, 0, sizeof *a);
	if (read_stdin_memfd(a, &consumed) == 0)
		return 0;
	if (consumed)
		return -1;
	/* No memfd (an old kernel, a seccomp profile): the heap. */
	a->text = read_stdin(&a->len);
	return a->text ? 0 : -1;
}

static void free_stdin_args(struct stdin_args *a)
{
	if (a->memfd > 0) {
		munmap(a->text, a->maplen);
		close(a->memfd);
	} else {
		free(a->text);
	}
	memset(a, 0, sizeof *a);
}

struct prepare {
	pthread_t thread;
	struct runtime *rt;
	const char *tool;
};

static void *prepare_main(void *arg)
{
	struct prepare *pre = arg;
	struct sh_error e;

	PHASE_MARK("call: prepare thread running");
	/* The call itself reports whatever goes wrong here. */
	(void)runtime_prepare(pre->rt, pre->tool, &e);
	PHASE_MARK("call: worker ready (prepare thread)");
	return NULL;
}

int cmd_call(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"skill", required_argument, NULL, 's'},
	        {"timeout", required_argument, NULL, 't'},
	        {"compact", no_argument, NULL, 'c'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct call_sinks sinks = {.progress = on_progress};
	struct prepare pre;
	int preparing = 0;
	char *skills[CLI_MAX_SKILLS];
	int nskills = 0, compact = 0, c, rc;
	int64_t timeout = 0;
	const char *tool, *args = NULL;
	struct stdin_args in = {0};
	size_t len = 0;
	struct runtime *rt = NULL;
	struct call_result res;
	struct sh_error err;
	cJSON *out;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:t:ch", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (nskills == CLI_MAX_SKILLS)
				return cli_usage("call", "too many --skill");
			skills[nskills++] = optarg;
			break;
		case 't':
			if (config_parse_duration_ms(optarg, &timeout))
				return cli_usage(
				        "call",
				        "--timeout needs a duration: "
				        "milliseconds like 1500, or 30s, "
				        "2m, 1h; not '%s'",
				        optarg);
			break;
		case 'c': compact = 1; break;
		case 'h': help(); return 0;
		default: return cli_usage("call", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage("call", "which tool? give its name");
	tool = argv[optind++];
	if (optind < argc)
		args = argv[optind++];
	if (optind < argc)
		return cli_usage("call", "unexpected argument '%s'",
		                 argv[optind]);
	PHASE_MARK("call: start");
	if (cli_open_runtime(ctx, skills, nskills, &rt, &err) != SH_OK)
		return cli_fail(&err);
	PHASE_MARK("call: runtime open");
	if (args && !strcmp(args, "-")) {
		/* Start the skill's worker while the arguments arrive and are
		 * parsed and validated: on two cores its start-up and our
		 * work overlap (the call waits for the worker, if it must,
		 * only once the arguments are ready). */
		pre.rt = rt;
		pre.tool = tool;
		preparing =
		        !pthread_create(&pre.thread, NULL, prepare_main, &pre);
		/* A new thread is not always run at once: put on this CPU, it
		 * waited for the whole read (3 MB: ~2 ms) in about half the
		 * runs, and the call then waited ~3 ms for the worker. Given
		 * the CPU now, it soon blocks on the worker's start-up. */
		if (preparing)
			(void)sched_yield();
		PHASE_MARK("call: prepare thread created");
		if (read_stdin_args(&in)) {
			fprintf(stderr,
			        "skillhost: error: cannot read the arguments "
			        "from stdin (over %zu bytes?)\n",
			        CALL_STDIN_MAX);
			rc = 5;
			goto out;
		}
		args = in.text;
		len = in.len;
		PHASE_MARK("call: arguments read");
	} else if (args) {
		len = strlen(args);
	}
	(void)signal(SIGINT, on_sigint);
	arm_watchdog(rt, tool, timeout);
	if (runtime_call_once(rt, tool, args, len, in.memfd, &sinks, timeout,
	                      &interrupted, &res, &err) != SH_OK) {
		alarm(0);
		rc = cli_fail(&err);
		goto out;
	}
	alarm(0);
	PHASE_MARK("call: call returned");
	rc = res.is_error ? 1 : 0;
	out = call_result_to_json(&res);
	if (!out) {
		fprintf(stderr, "skillhost: error: out of memory\n");
		rc = 5;
		goto out;
	}
	/* Flushed now: whoever reads the answer has it while the worker
	 * and the runtime are still being taken down. */
	if (cli_print_json(out, !compact))
		rc = 5;
	(void)fflush(stdout);
	cJSON_Delete(out);
	PHASE_MARK("call: result printed");
out:
	alarm(0);
	(void)signal(SIGINT, SIG_DFL);
	if (preparing)
		pthread_join(pre.thread, NULL);
	PHASE_MARK("call: prepare thread joined");
	runtime_close(rt);
	PHASE_MARK("call: runtime closed");
	free_stdin_args(&in);
	PHASE_MARK("call: closed");
	return rc;
}
