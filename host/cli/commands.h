/*
 * commands.h - the `skillhost` commands. Each takes argv with argv[0] being
 * its own name, and returns an exit code.
 */
#ifndef SH_COMMANDS_H
#define SH_COMMANDS_H

#include "cli.h"

int cmd_tools(struct cli_ctx *ctx, int argc, char **argv);
int cmd_call(struct cli_ctx *ctx, int argc, char **argv);
int cmd_config(struct cli_ctx *ctx, int argc, char **argv);
int cmd_new(struct cli_ctx *ctx, int argc, char **argv);
int cmd_serve(struct cli_ctx *ctx, int argc, char **argv);
int cmd_mcp_config(struct cli_ctx *ctx, int argc, char **argv);
int cmd_agent(struct cli_ctx *ctx, int argc, char **argv);
int cmd_keygen(struct cli_ctx *ctx, int argc, char **argv);
int cmd_sign(struct cli_ctx *ctx, int argc, char **argv);
int cmd_verify(struct cli_ctx *ctx, int argc, char **argv);
int cmd_pack(struct cli_ctx *ctx, int argc, char **argv);
int cmd_trust(struct cli_ctx *ctx, int argc, char **argv);
int cmd_install(struct cli_ctx *ctx, int argc, char **argv);
int cmd_remove(struct cli_ctx *ctx, int argc, char **argv);
int cmd_list(struct cli_ctx *ctx, int argc, char **argv);
int cmd_info(struct cli_ctx *ctx, int argc, char **argv);
int cmd_rollback(struct cli_ctx *ctx, int argc, char **argv);
int cmd_registry(struct cli_ctx *ctx, int argc, char **argv);
int cmd_search(struct cli_ctx *ctx, int argc, char **argv);
int cmd_outdated(struct cli_ctx *ctx, int argc, char **argv);
int cmd_upgrade(struct cli_ctx *ctx, int argc, char **argv);

struct regclient_install_opts;
struct store_install_result;
/* `install NAME[@VERSION]`: resolve spec in the registries, download and
 * install it (cmd_registry.c). Prints errors; returns an exit code. */
int cli_install_from_registry(struct cli_ctx *ctx, const char *spec,
                              const struct regclient_install_opts *o,
                              struct store_install_result *res);
/* After trust.json changed: disable the installed skills whose key is no
 * longer trusted and enable those trusted again, printing each
 * (cmd_trust.c). Returns an exit code. */
int cli_sync_trust(const char *home);
int cmd_secret(struct cli_ctx *ctx, int argc, char **argv);
int cmd_permit(struct cli_ctx *ctx, int argc, char **argv);
int cmd_doctor(struct cli_ctx *ctx, int argc, char **argv);
int cmd_artifacts(struct cli_ctx *ctx, int argc, char **argv);
int cmd_skills(struct cli_ctx *ctx, int argc, char **argv);
struct catalog;
/* `tools --budget` (cmd_tools_budget.c): 1 when client is a known one;
 * print the definitions' token estimate against client's limits. */
int cli_budget_client_known(const char *name);
int cli_tools_budget(struct catalog *cat, const char *client, int json);
/* The Agent Skills an installed record (store index) carries, for the
 * install summary; nothing when it has none (cmd_skills.c). */
void cli_print_agentskills(const cJSON *rec);
/* Take package's exported Agent Skill copies back out, printing each;
 * a refusal is a warning (cmd_skills.c). */
void cli_remove_exports(const char *home, const char *package);
int cmd_completion(struct cli_ctx *ctx, int argc, char **argv);
int cmd_audit(struct cli_ctx *ctx, int argc, char **argv);
int cmd_profile(struct cli_ctx *ctx, int argc, char **argv);
int cmd_login(struct cli_ctx *ctx, int argc, char **argv);
int cmd_logout(struct cli_ctx *ctx, int argc, char **argv);

/* What `serve` applies to every session (cmd_profile.c): the profiles
 * and claim mapping of the store, the --profile one (NULL: all tools),
 * and the host config's call limits (NULL: none). */
struct profile;
struct profile_set;
struct ratelimit;
struct cli_serve_policy {
	struct profile_set *profiles;
	const struct profile *profile;
	struct ratelimit *limits;
};
sh_status cli_serve_policy(const struct cli_ctx *ctx, struct runtime *rt,
                           const char *profile, struct cli_serve_policy *out,
                           struct sh_error *e);
void cli_serve_policy_free(struct cli_serve_policy *p);

/* The command table main runs, ending with a NULL name (main.c). */
const struct cli_command *cli_commands(void);

/* How cli_open_runtime opens runtimes (cli.c), set by main from the global
 * options and the command: --skill files run in sandboxed workers unless
 * --in-process was given (a debugger's choice), and the audit log names
 * the surface ("cli", "mcp", "agent") calls come from. */
void cli_set_in_process(int on);

/* Whether --in-process was given. */
int cli_files_in_process(void);
void cli_set_surface(const char *surface);

#endif /* SH_COMMANDS_H */
