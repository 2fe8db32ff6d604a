/*
 * cli.h - what every `skillhost` command shares.
 *
 * The CLI is thin: a command parses its arguments (getopt_long, with argv[0]
 * being the command name), calls the library, prints, and returns an exit
 * code (README.md, "Exit codes": 0 ok, 1 tool error, 2 usage, 3 trust,
 * 4 not found, 5 other). Every command answers --help on stdout with exit 0.
 */
#ifndef SH_CLI_H
#define SH_CLI_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "status.h"

struct runtime;

struct cli_ctx {
	/* The store directory: --home, else $SKILLHOST_HOME, else
	 * $XDG_DATA_HOME/skillhost, else ~/.local/share/skillhost. */
	const char *home;
	/* --json was given before the command name. */
	int json;
};

typedef int (*cli_command_fn)(struct cli_ctx *ctx, int argc, char **argv);

struct cli_command {
	const char *name;
	const char *summary; /* one line for `skillhost help` */
	cli_command_fn run;
};

/* Print "skillhost: <msg>" for e to stderr, with a hint on the next line
 * when the status has a standard one, and return the exit code. */
int cli_fail(const struct sh_error *e);

/* The hint cli_fail prints after a trust failure (SH_ERR_TRUST), for
 * commands where "the file was not installed or run" would mislead (a
 * registry refused). h must outlive the command. */
void cli_set_trust_hint(const char *h);

/* Print "skillhost <cmd>: <message>" and "Run 'skillhost <cmd> --help'." to
 * stderr and return 2. */
int cli_usage(const char *cmd, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* The command's argv (argv[0] its name), so cli_usage(cmd, "unknown
 * option") can name what getopt refused. Set by main. */
void cli_set_args(int argc, char **argv);

/* Take every "--json" out of argv (before any "--") and set ctx->json:
 * for commands that parse their arguments by hand, so that --json is
 * accepted after the command as before it. */
void cli_take_json(struct cli_ctx *ctx, int *argc, char **argv);

/* Print {"ok": true, KEY: VALUE, ...} (string pairs, NULL-terminated) on
 * stdout: the --json result of a command that changes something and
 * otherwise prints one line. Returns 0, or 5 when out of memory. */
int cli_print_done(const char *key, ...);

/* 1 when argv holds -h or --help before any "--". */
int cli_wants_help(int argc, char **argv);

/* Open the runtime for ctx's store and load the --skill files given, then
 * seal it. *out is closed by the caller with runtime_close. */
sh_status cli_open_runtime(const struct cli_ctx *ctx, char **skill_paths,
                           int nskills, struct runtime **out,
                           struct sh_error *e);

/* The store folder for ctx into buf: --home, else the default. Prints the
 * error and returns its exit code on failure, else 0. */
int cli_home(const struct cli_ctx *ctx, char *buf, size_t cap);

/* Print j on stdout followed by a newline; returns 0, or 5 when out of
 * memory. */
int cli_print_json(const cJSON *j, int pretty);

/*
 * The candidate closest to word by edit distance (insertions, deletions,
 * substitutions and swaps of neighbours, case-insensitive), or NULL when
 * none is close enough to be a likely typo: at most 1 edit for words of
 * up to 4 characters, 2 up to 8, else 3. For "did you mean ...?" hints.
 * cands is NULL-terminated.
 */
const char *cli_nearest(const char *word, const char *const *cands);

/* Most --skill options one command takes. */
#define CLI_MAX_SKILLS 64

#endif /* SH_CLI_H */
