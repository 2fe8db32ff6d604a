/*
 * cmd_call.c - `skillhost call`: call one tool and print its result.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "catalog.h"
#include "commands.h"
#include "config.h"
#include "hostlog.h"
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

struct prepare {
	pthread_t thread;
	struct runtime *rt;
	const char *tool;
};

static void *prepare_main(void *arg)
{
	struct prepare *pre = arg;
	struct sh_error e;

	/* The call itself reports whatever goes wrong here. */
	(void)runtime_prepare(pre->rt, pre->tool, &e);
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
	char *owned = NULL;
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
	if (cli_open_runtime(ctx, skills, nskills, &rt, &err) != SH_OK)
		return cli_fail(&err);
	if (args && !strcmp(args, "-")) {
		/* Start the skill's worker while the arguments arrive and are
		 * parsed and validated: on two cores its start-up and our
		 * work overlap (the call waits for the worker, if it must,
		 * only once the arguments are ready). */
		pre.rt = rt;
		pre.tool = tool;
		preparing =
		        !pthread_create(&pre.thread, NULL, prepare_main, &pre);
		owned = read_stdin(&len);
		if (!owned) {
			fprintf(stderr,
			        "skillhost: error: cannot read the arguments "
			        "from stdin (over %zu bytes?)\n",
			        CALL_STDIN_MAX);
			rc = 5;
			goto out;
		}
		args = owned;
	} else if (args) {
		len = strlen(args);
	}
	(void)signal(SIGINT, on_sigint);
	arm_watchdog(rt, tool, timeout);
	if (runtime_call(rt, tool, args, len, &sinks, timeout, &interrupted,
	                 &res, &err) != SH_OK) {
		alarm(0);
		rc = cli_fail(&err);
		goto out;
	}
	alarm(0);
	rc = res.is_error ? 1 : 0;
	out = call_result_to_json(&res);
	if (!out) {
		fprintf(stderr, "skillhost: error: out of memory\n");
		rc = 5;
		goto out;
	}
	if (cli_print_json(out, !compact))
		rc = 5;
	cJSON_Delete(out);
out:
	alarm(0);
	(void)signal(SIGINT, SIG_DFL);
	if (preparing)
		pthread_join(pre.thread, NULL);
	runtime_close(rt);
	free(owned);
	return rc;
}
