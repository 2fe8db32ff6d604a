/*
 * cmd_tools.c - `skillhost tools`: list tools.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "commands.h"
#include "runtime.h"
#include "toolfmt.h"
#include "toolfmt_vendor.h"

static void help(void)
{
	puts("usage: skillhost tools [--skill PATH.so]... [--json] "
	     "[--format FORMAT]\n"
	     "\n"
	     "List the tools of the installed skills, or of the skill files\n"
	     "given with --skill (the skill author's dev loop).\n"
	     "\n"
	     "  --skill PATH.so  load this skill file directly (repeatable)\n"
	     "  --json           print every tool's names, schemas and hints\n"
	     "  --budget         estimate the definitions' token cost (1 "
	     "token per\n"
	     "                   4 bytes of JSON); with --client NAME "
	     "(cursor,\n"
	     "                   vscode, copilot, openai, claude-code) "
	     "against\n"
	     "                   that client's documented tool limits\n"
	     "  --format FORMAT  print the declarations in a client's shape:\n"
	     "    mcp               the MCP tools/list result\n"
	     "    openai            Chat Completions and Azure OpenAI tools\n"
	     "    openai-responses  Responses API tools\n"
	     "    anthropic         Messages API tools\n"
	     "    bedrock           Converse toolConfig\n"
	     "    gemini            functionDeclarations, "
	     "parametersJsonSchema\n"
	     "    gemini-openapi    functionDeclarations, parameters in the\n"
	     "                      OpenAPI subset (models without\n"
	     "                      parametersJsonSchema)\n"
	     "    ollama            /api/chat tools\n"
	     "Function names are the tools' function-calling names\n"
	     "(ns__skill__tool); 'skillhost call' and the agent accept them.");
}

static const char *hint_tags(const struct tool *t, char *buf, size_t cap)
{
	const skill_hint *h = t->desc->hints;

	snprintf(buf, cap, "%s%s%s",
	         h[HINT_READ_ONLY] == SKILL_HINT_YES ? " [read-only]" : "",
	         h[HINT_DESTRUCTIVE] == SKILL_HINT_YES ? " [destructive]" : "",
	         h[HINT_OPEN_WORLD] == SKILL_HINT_YES ? " [open-world]" : "");
	return buf;
}

int cmd_tools(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"skill", required_argument, NULL, 's'},
	        {"json", no_argument, NULL, 'j'},
	        {"format", required_argument, NULL, 'f'},
	        {"budget", no_argument, NULL, 'b'},
	        {"client", required_argument, NULL, 'c'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	char *skills[CLI_MAX_SKILLS];
	int nskills = 0, json = ctx->json, c, rc = 0;
	const char *format = NULL, *client = NULL;
	int budget = 0;
	enum toolfmt_vendor vendor = TOOLFMT_OPENAI;
	int is_vendor = 0;
	struct runtime *rt = NULL;
	struct catalog *cat;
	struct sh_error err;
	cJSON *out = NULL, *list;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (nskills == CLI_MAX_SKILLS)
				return cli_usage("tools", "too many --skill");
			skills[nskills++] = optarg;
			break;
		case 'j': json = 1; break;
		case 'f': format = optarg; break;
		case 'b': budget = 1; break;
		case 'c': client = optarg; break;
		case 'h': help(); return 0;
		default: return cli_usage("tools", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage("tools", "unexpected argument '%s'",
		                 argv[optind]);
	if (client && (!budget || !cli_budget_client_known(client)))
		return cli_usage("tools",
		                 budget ? "unknown --client '%s' (known: "
		                          "cursor, vscode, copilot, openai, "
		                          "claude-code)"
		                        : "--client '%s' goes with --budget",
		                 client);
	if (format && strcmp(format, "mcp")) {
		if (!toolfmt_vendor_parse(format, &vendor))
			return cli_usage(
			        "tools",
			        "unknown --format '%s' (known: mcp, %s)",
			        format, toolfmt_vendor_names());
		is_vendor = 1;
	}
	if (cli_open_runtime(ctx, skills, nskills, &rt, &err) != SH_OK)
		return cli_fail(&err);
	cat = runtime_catalog(rt);

	if (budget) {
		rc = cli_tools_budget(cat, client, json);
	} else if (is_vendor) {
		if (toolfmt_vendor_request(cat, vendor, &out, &err) != SH_OK)
			rc = cli_fail(&err);
		else
			rc = cli_print_json(out, 1);
	} else if (format || json) {
		out = format ? cJSON_CreateObject() : cJSON_CreateArray();
		list = format ? cJSON_AddArrayToObject(out, "tools") : out;
		for (size_t i = 0; list && i < catalog_tool_count(cat); i++) {
			const struct tool *t = catalog_tool_at(cat, i);
			cJSON *o = format ? toolfmt_mcp(t) : toolfmt_info(t);
			if (!o) {
				list = NULL;
				break;
			}
			cJSON_AddItemToArray(list, o);
		}
		rc = list ? cli_print_json(out, 1) : 5;
		if (!list)
			fprintf(stderr, "skillhost: error: out of memory\n");
	} else {
		size_t n = catalog_tool_count(cat);
		for (size_t i = 0; i < n; i++) {
			const struct tool *t = catalog_tool_at(cat, i);
			char tags[64];
			printf("%-40s %s%s\n", t->canonical,
			       t->desc->title ? t->desc->title
			                      : t->desc->description,
			       hint_tags(t, tags, sizeof tags));
		}
		if (n == 0)
			fprintf(stderr,
			        "skillhost: no skills loaded; pass --skill "
			        "PATH.so\n");
	}
	cJSON_Delete(out);
	runtime_close(rt);
	return rc;
}
