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
int cmd_secret(struct cli_ctx *ctx, int argc, char **argv);
int cmd_permit(struct cli_ctx *ctx, int argc, char **argv);

#endif /* SH_COMMANDS_H */
