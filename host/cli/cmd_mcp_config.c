/*
 * cmd_mcp_config.c - `skillhost mcp-config`: print the snippet that
 * registers this host with an MCP client.
 *
 * Formats, per each client's documentation:
 *   claude-desktop  claude_desktop_config.json: {"mcpServers": {NAME:
 *                   {"command", "args", "env"?}}}; stdio only, so an HTTP
 *                   server is reached through the mcp-remote bridge
 *   vscode          .vscode/mcp.json: {"servers": {NAME: {"type": "stdio",
 *                   "command", "args"} | {"type": "http", "url",
 *                   "headers"?}}, "inputs"?: [promptString...]}
 *   cursor          ~/.cursor/mcp.json: {"mcpServers": {NAME: {"command",
 *                   "args"} | {"url", "headers"?}}}, with ${env:VAR}
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

#define MCPCFG_URL_MAX           2048
#define MCPCFG_TOKEN_ENV_DEFAULT "SKILLHOST_TOKEN"

enum client { C_CLAUDE, C_VSCODE, C_CURSOR };

static void help(void)
{
	puts("usage: skillhost mcp-config --client "
	     "claude-desktop|vscode|cursor\n"
	     "                            [--http URL [--token]] [--name "
	     "NAME]\n"
	     "                            [--skill PATH.so]...\n"
	     "\n"
	     "Print the JSON that registers this host with an MCP client.\n"
	     "Without --http the client starts `skillhost serve --stdio`\n"
	     "itself (with the same --home, and the --skill files given).\n"
	     "\n"
	     "  --client C      claude-desktop: merge into\n"
	     "                    claude_desktop_config.json (Settings >\n"
	     "                    Developer > Edit Config)\n"
	     "                  vscode: save as .vscode/mcp.json\n"
	     "                  cursor: merge into ~/.cursor/mcp.json or\n"
	     "                    .cursor/mcp.json\n"
	     "  --http URL      connect to a running `skillhost serve --http`\n"
	     "                  (e.g. http://127.0.0.1:8080/mcp)\n"
	     "  --token         that server wants a bearer token: VS Code "
	     "asks\n"
	     "                  for it, Cursor and Claude Desktop read it "
	     "from\n"
	     "                  $" MCPCFG_TOKEN_ENV_DEFAULT
	     " (--token-env VAR)\n"
	     "  --name NAME     the server's name in the client (default\n"
	     "                  skillhost)\n"
	     "  --skill PATH    also serve this skill file (stdio only)");
}

/* The URL of the MCP endpoint: URL as given, with /mcp added when it has
 * no path. 0 when it is not an http(s) URL. */
static int endpoint(const char *in, char *out, size_t cap)
{
	const char *rest;

	if (!strncmp(in, "http://", 7))
		rest = in + 7;
	else if (!strncmp(in, "https://", 8))
		rest = in + 8;
	else
		return 0;
	if (!*rest || *rest == '/' || strpbrk(in, " \t\r\n\"'"))
		return 0;
	rest = strchr(rest, '/');
	return snprintf(out, cap, "%s%s", in,
	                !rest || !strcmp(rest, "/") ? (rest ? "mcp" : "/mcp")
	                                            : "") < (int)cap;
}

static int valid_name(const char *s)
{
	if (!*s || strlen(s) > 64 ||
	    !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* The stdio server entry: the running binary, --home, serve --stdio and
 * the skill files, all as absolute paths. */
static cJSON *stdio_entry(const struct cli_ctx *ctx, char **skills, int nskills,
                          enum client cl)
{
	char self[PATH_MAX], abs[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	cJSON *o = cJSON_CreateObject(), *args;

	if (!o || n <= 0)
		goto fail;
	self[n] = '\0';
	if (cl == C_VSCODE && !cJSON_AddStringToObject(o, "type", "stdio"))
		goto fail;
	if (!cJSON_AddStringToObject(o, "command", self) ||
	    !(args = cJSON_AddArrayToObject(o, "args")))
		goto fail;
	if (ctx->home) {
		if (!realpath(ctx->home, abs))
			snprintf(abs, sizeof abs, "%s", ctx->home);
		cJSON_AddItemToArray(args, cJSON_CreateString("--home"));
		cJSON_AddItemToArray(args, cJSON_CreateString(abs));
	}
	cJSON_AddItemToArray(args, cJSON_CreateString("serve"));
	cJSON_AddItemToArray(args, cJSON_CreateString("--stdio"));
	for (int i = 0; i < nskills; i++) {
		if (!realpath(skills[i], abs)) {
			fprintf(stderr,
			        "skillhost: error: --skill %s: no such "
			        "file\n",
			        skills[i]);
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddItemToArray(args, cJSON_CreateString("--skill"));
		cJSON_AddItemToArray(args, cJSON_CreateString(abs));
	}
	return o;
fail:
	fprintf(stderr, "skillhost: error: cannot build the entry (where is "
	                "this binary?)\n");
	cJSON_Delete(o);
	return NULL;
}

static cJSON *http_entry(const char *url, int token, const char *token_env,
                         enum client cl, cJSON *root)
{
	cJSON *o = cJSON_CreateObject(), *headers;
	char value[256];

	if (!o)
		return NULL;
	if (cl == C_CLAUDE) {
		/* Claude Desktop's file takes stdio servers only: bridge with
		 * mcp-remote, which passes the header through its env. */
		cJSON *args;
		cJSON_AddStringToObject(o, "command", "npx");
		args = cJSON_AddArrayToObject(o, "args");
		cJSON_AddItemToArray(args, cJSON_CreateString("-y"));
		cJSON_AddItemToArray(args, cJSON_CreateString("mcp-remote"));
		cJSON_AddItemToArray(args, cJSON_CreateString(url));
		if (token) {
			cJSON *env;
			cJSON_AddItemToArray(args,
			                     cJSON_CreateString("--header"));
			cJSON_AddItemToArray(
			        args,
			        cJSON_CreateString(
			                "Authorization:${SKILLHOST_AUTH}"));
			env = cJSON_AddObjectToObject(o, "env");
			snprintf(value, sizeof value,
			         "Bearer <the token in %s>", token_env);
			cJSON_AddStringToObject(env, "SKILLHOST_AUTH", value);
		}
		return o;
	}
	if (cl == C_VSCODE)
		cJSON_AddStringToObject(o, "type", "http");
	cJSON_AddStringToObject(o, "url", url);
	if (!token)
		return o;
	headers = cJSON_AddObjectToObject(o, "headers");
	if (cl == C_VSCODE) {
		/* VS Code prompts once and keeps the value in its secret
		 * storage, so the token never sits in the file. */
		cJSON *inputs = cJSON_AddArrayToObject(root, "inputs");
		cJSON *in = cJSON_CreateObject();
		cJSON_AddStringToObject(in, "type", "promptString");
		cJSON_AddStringToObject(in, "id", "skillhost-token");
		cJSON_AddStringToObject(in, "description",
		                        "skillhost bearer token (serve "
		                        "--token-file)");
		cJSON_AddTrueToObject(in, "password");
		cJSON_AddItemToArray(inputs, in);
		cJSON_AddStringToObject(headers, "Authorization",
		                        "Bearer ${input:skillhost-token}");
	} else {
		snprintf(value, sizeof value, "Bearer ${env:%s}", token_env);
		cJSON_AddStringToObject(headers, "Authorization", value);
	}
	return o;
}

int cmd_mcp_config(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"client", required_argument, NULL, 'c'},
	        {"http", required_argument, NULL, 'u'},
	        {"token", no_argument, NULL, 't'},
	        {"token-env", required_argument, NULL, 'e'},
	        {"name", required_argument, NULL, 'n'},
	        {"skill", required_argument, NULL, 's'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	char *skills[CLI_MAX_SKILLS];
	char url[MCPCFG_URL_MAX];
	const char *client = NULL, *http = NULL, *name = "skillhost";
	const char *token_env = MCPCFG_TOKEN_ENV_DEFAULT;
	int nskills = 0, token = 0, c, rc;
	enum client cl;
	cJSON *root, *servers, *entry;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': client = optarg; break;
		case 'u': http = optarg; break;
		case 't': token = 1; break;
		case 'e':
			token_env = optarg;
			token = 1;
			break;
		case 'n': name = optarg; break;
		case 's':
			if (nskills == CLI_MAX_SKILLS)
				return cli_usage("mcp-config",
				                 "too many --skill");
			skills[nskills++] = optarg;
			break;
		case 'h': help(); return 0;
		default: return cli_usage("mcp-config", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage("mcp-config", "unexpected argument '%s'",
		                 argv[optind]);
	if (!client)
		return cli_usage("mcp-config", "which client? give --client "
		                               "claude-desktop, vscode or "
		                               "cursor");
	if (!strcmp(client, "claude-desktop"))
		cl = C_CLAUDE;
	else if (!strcmp(client, "vscode"))
		cl = C_VSCODE;
	else if (!strcmp(client, "cursor"))
		cl = C_CURSOR;
	else
		return cli_usage("mcp-config",
		                 "unknown client '%s': use "
		                 "claude-desktop, vscode or cursor",
		                 client);
	if (!valid_name(name))
		return cli_usage("mcp-config", "--name wants a letter then "
		                               "letters, digits, - or _ (at "
		                               "most 64)");
	if (!valid_name(token_env))
		return cli_usage("mcp-config", "--token-env wants an "
		                               "environment variable name");
	if (http && !endpoint(http, url, sizeof url))
		return cli_usage("mcp-config",
		                 "--http wants an http:// or "
		                 "https:// URL, not '%s'",
		                 http);
	if (http && nskills)
		return cli_usage("mcp-config", "--skill is for stdio; give it "
		                               "to `skillhost serve --http`");
	if (!http && token)
		return cli_usage("mcp-config", "--token is for --http");

	root = cJSON_CreateObject();
	servers = cJSON_AddObjectToObject(root, cl == C_VSCODE ? "servers"
	                                                       : "mcpServers");
	if (!root || !servers) {
		cJSON_Delete(root);
		fprintf(stderr, "skillhost: error: out of memory\n");
		return 5;
	}
	entry = http ? http_entry(url, token, token_env, cl, root)
	             : stdio_entry(ctx, skills, nskills, cl);
	if (!entry) {
		cJSON_Delete(root);
		return 5;
	}
	cJSON_AddItemToObject(servers, name, entry);
	rc = cli_print_json(root, 1);
	cJSON_Delete(root);
	return rc;
}
