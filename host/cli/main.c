/*
 * main.c - `skillhost`: global options and the command table.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skill/version.h>

#include "allocator.h"
#include "cli.h"
#include "commands.h"
#include "hostlog.h"
#include "phasetime.h"

static const struct cli_command commands[] = {
        {"keygen", "create a publisher key pair (minisign format)", cmd_keygen},
        {"pack", "package a skill folder into a reproducible .skill", cmd_pack},
        {"sign", "sign a package (writes FILE.minisig)", cmd_sign},
        {"verify", "check a package's signature", cmd_verify},
        {"trust", "add, list or remove trusted publisher keys", cmd_trust},
        {"install", "install a signed package, or a skill from a registry",
         cmd_install},
        {"remove", "uninstall a skill", cmd_remove},
        {"list", "list the installed skills", cmd_list},
        {"info", "show an installed skill", cmd_info},
        {"rollback", "switch a skill back to its previous version",
         cmd_rollback},
        {"registry", "add, list, update, trust or remove registries",
         cmd_registry},
        {"search", "search the registries for skills", cmd_search},
        {"outdated", "list installed skills with newer versions", cmd_outdated},
        {"upgrade", "install the newest versions from the registries",
         cmd_upgrade},
        {"secret", "set, list or remove a skill's secrets", cmd_secret},
        {"profile", "named tool subsets for serve and per-caller claims",
         cmd_profile},
        {"login", "log a skill in to its OAuth provider (host-managed)",
         cmd_login},
        {"logout", "revoke and remove a skill's OAuth tokens", cmd_logout},
        {"permit", "let a skill reach a network host", cmd_permit},
        {"tools",
         "list the tools of the installed skills (or of --skill files)",
         cmd_tools},
        {"call", "call a tool and print the MCP CallToolResult JSON", cmd_call},
        {"serve", "serve the tools over MCP (stdio or Streamable HTTP)",
         cmd_serve},
        {"mcp-config",
         "print the snippet that registers this host with an "
         "MCP client",
         cmd_mcp_config},
        {"config", "show or change a skill's settings and host policy",
         cmd_config},
        {"artifacts", "list or prune the files skills wrote", cmd_artifacts},
        {"skills", "list the installed Agent Skills, export them to agents",
         cmd_skills},
        {"new", "scaffold a new skill project that builds against the SDK",
         cmd_new},
        {"agent", "run a model with the tools until it answers", cmd_agent},
        {"doctor", "check isolation, secrets, registries and file modes",
         cmd_doctor},
        {"completion", "print a bash, zsh or fish completion script",
         cmd_completion},
        {"audit", "verify, tail or query the tamper-evident audit log",
         cmd_audit},
        {NULL, NULL, NULL},
};

const struct cli_command *cli_commands(void)
{
	return commands;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: skillhost [--home DIR] [--json] [-v|-q] COMMAND "
	           "[ARGS]\n"
	           "\n"
	           "Install, verify and run AI-agent skills, and serve their "
	           "tools\n"
	           "to any model backend.\n"
	           "\n"
	           "Commands:\n");
	for (const struct cli_command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f,
	        "  %-10s %s\n"
	        "\n"
	        "Global options:\n"
	        "  --home DIR   the store folder (default $SKILLHOST_HOME, "
	        "else\n"
	        "               $XDG_DATA_HOME/skillhost or "
	        "~/.local/share/skillhost)\n"
	        "  --json       machine-readable output for listings\n"
	        "  -v, -q       more or less logging on stderr\n"
	        "  --in-process run --skill files inside this process instead\n"
	        "               of sandboxed workers (for debuggers; "
	        "installed\n"
	        "               skills follow `config SKILL isolation`)\n"
	        "  --version    print the version and the skill ABI\n"
	        "\n"
	        "Exit codes: 0 ok, 1 tool error, 2 usage, 3 signature or "
	        "trust,\n"
	        "4 not found, 5 other failure.\n"
	        "Run 'skillhost COMMAND --help' for a command's options.\n",
	        "help", "show this help, or a command's");
}

/* After a registry refused its root or index, nothing was downloaded,
 * so "the file was not installed" would mislead. */
#define REGISTRY_TRUST_HINT                                                    \
	"nothing was installed or changed; check the registry's root key "     \
	"(the --root-key given, or `skillhost registry list`) or ask its "     \
	"operator (`skillreg resign` renews an expired index)"

/* "did you mean" for a mistyped command. */
static const char *nearest_command(const char *word)
{
	const char *names[sizeof commands / sizeof commands[0] + 1];
	size_t n = 0;

	for (const struct cli_command *c = commands; c->name; c++)
		names[n++] = c->name;
	names[n++] = "help";
	names[n] = NULL;
	return cli_nearest(word, names);
}

static const struct cli_command *find(const char *name)
{
	for (const struct cli_command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx = {0};
	const struct cli_command *cmd;
	int i = 1;

	phasetime_init();
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--home") && i + 1 < argc) {
			ctx.home = argv[++i];
		} else if (!strncmp(a, "--home=", 7)) {
			ctx.home = a + 7;
		} else if (!strcmp(a, "--json")) {
			ctx.json = 1;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			hostlog_set_level(SKILL_LOG_DEBUG);
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			hostlog_set_level(SKILL_LOG_ERROR);
		} else if (!strcmp(a, "--in-process")) {
			cli_set_in_process(1);
		} else if (!strcmp(a, "--version")) {
			char alloc[64];
			printf("skillhost %s (skill ABI %d.%d)\nallocator: "
			       "%s\n",
			       SKILLHOST_VERSION, SKILL_ABI_MAJOR,
			       SKILL_ABI_MINOR,
			       cli_allocator(alloc, sizeof alloc));
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "skillhost: unknown option %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 < argc && (cmd = find(argv[i + 1]))) {
			char *args[] = {argv[i + 1], "--help", NULL};
			return cmd->run(&ctx, 2, args);
		}
		if (i + 1 < argc) {
			const char *near = nearest_command(argv[i + 1]);
			fprintf(stderr, "skillhost: no command '%s'%s%s%s\n",
			        argv[i + 1], near ? "; did you mean '" : "",
			        near ? near : "", near ? "'?" : "");
			return 2;
		}
		usage(stdout);
		return 0;
	}
	cmd = find(argv[i]);
	if (!cmd) {
		const char *near = nearest_command(argv[i]);
		if (near)
			fprintf(stderr,
			        "skillhost: no command '%s'; did you mean "
			        "'%s'?\n",
			        argv[i], near);
		else
			fprintf(stderr,
			        "skillhost: no command '%s'; run 'skillhost "
			        "help' for the list\n",
			        argv[i]);
		return 2;
	}
	if (!strcmp(cmd->name, "registry") || !strcmp(cmd->name, "search") ||
	    !strcmp(cmd->name, "outdated") || !strcmp(cmd->name, "upgrade"))
		cli_set_trust_hint(REGISTRY_TRUST_HINT);
	/* Commands print their own usage errors: getopt's would make two. */
	opterr = 0;
	cli_set_args(argc - i, argv + i);
	cli_set_surface(!strcmp(cmd->name, "serve")   ? "mcp"
	                : !strcmp(cmd->name, "agent") ? "agent"
	                                              : "cli");
	if (strcmp(cmd->name, "serve") != 0)
		cli_allocator_large_pages();
	return cmd->run(&ctx, argc - i, argv + i);
}
