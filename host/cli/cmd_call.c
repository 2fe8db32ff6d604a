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
#include "commands.h"
#include "hostlog.h"
#include "runtime.h"

/* Most bytes of arguments read from stdin. */
#define CALL_STDIN_MAX (64u * 1024 * 1024)

static atomic_int interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	/* The first Ctrl-C asks the tool to stop; a second one kills. */
	atomic_store(&interrupted, 1);
	signal(SIGINT, SIG_DFL);
}

static void help(void)
{
	puts("usage: skillhost call TOOL [JSON|-] [--skill PATH.so]... "
	     "[--timeout MS] [--compact]\n"
	     "\n"
	     "Call TOOL with the JSON object given (or read from stdin with\n"
	     "'-'; none means {}) and print the MCP CallToolResult JSON.\n"
	     "TOOL is the canonical name (ns/skill.tool), the MCP name\n"
	     "(ns.skill.tool), the function-calling name (ns__skill__tool), "
	     "or\n"
	     "the bare tool name when only one skill has it.\n"
	     "\n"
	     "  --skill PATH.so  load this skill file directly (repeatable)\n"
	     "  --timeout MS     ask the tool to stop after MS milliseconds\n"
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
	long long timeout = 0;
	const char *tool, *args = NULL;
	char *owned = NULL;
	size_t len = 0;
	struct runtime *rt = NULL;
	struct call_result res;
	struct sh_error err;
	cJSON *out;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:t:ch", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 's':
			if (nskills == CLI_MAX_SKILLS)
				return cli_usage("call", "too many --skill");
			skills[nskills++] = optarg;
			break;
		case 't':
			timeout = strtoll(optarg, &end, 10);
			if (*end || timeout <= 0)
				return cli_usage("call",
				                 "--timeout needs a positive "
				                 "number of milliseconds");
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
			        "from stdin (over %u bytes?)\n",
			        CALL_STDIN_MAX);
			rc = 5;
			goto out;
		}
		args = owned;
	} else if (args) {
		len = strlen(args);
	}
	signal(SIGINT, on_sigint);
	if (runtime_call(rt, tool, args, len, &sinks, timeout, &interrupted,
	                 &res, &err) != SH_OK) {
		rc = cli_fail(&err);
		goto out;
	}
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
	signal(SIGINT, SIG_DFL);
	if (preparing)
		pthread_join(pre.thread, NULL);
	runtime_close(rt);
	free(owned);
	return rc;
}
