/*
 * cmd_tools.c - `skillhost tools`: list tools.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "commands.h"
#include "portcheck.h"
#include "profile.h"
#include "schema_portable.h"
#include "runtime.h"
#include "toolfmt.h"
#include "toolfmt_vendor.h"

/* More --client targets than anyone would name at once. */
#define CLI_MAX_CLIENTS 16

static void help(void)
{
	puts("usage: skillhost tools [--skill PATH.so]... [--json] "
	     "[--format FORMAT] [--profile NAME]\n"
	     "       skillhost tools --check [--client NAME]... [--json]\n"
	     "\n"
	     "List the tools of the installed skills, or of the skill files\n"
	     "given with --skill (the skill author's dev loop).\n"
	     "\n"
	     "  --skill PATH.so  load this skill file directly (repeatable)\n"
	     "  --profile NAME   only the tools of this profile (`skillhost "
	     "profile`),\n"
	     "                   as `serve --profile NAME` lists them\n"
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
	     "  --check          report what each target refuses (or ignores)\n"
	     "                   in each tool's input schema; exit 1 when a\n"
	     "                   chosen target refuses one\n"
	     "  --client NAME    the target to check (repeatable; default: "
	     "all\n"
	     "                   but openai-strict and gemini-openapi; "
	     "'all'):");
	printf("                   %s\n", sp_target_names());
	puts("Names are portable (the bare tool name when unique, else\n"
	     "skill_tool, ns_skill_tool), the same the MCP server and the\n"
	     "agent use; 'skillhost call' accepts them and ns/skill.tool.\n"
	     "Schemas are served in a portable form (a top-level oneOf of\n"
	     "objects merged into one object); arguments are still checked\n"
	     "against the tool's own schema.");
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
	        {"check", no_argument, NULL, 'c'},
	        {"client", required_argument, NULL, 'C'},
	        {"budget", no_argument, NULL, 'b'},
	        {"profile", required_argument, NULL, 'P'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	char *skills[CLI_MAX_SKILLS];
	int nskills = 0, json = ctx->json, c, rc = 0;
	const char *format = NULL, *client = NULL, *pname = NULL;
	struct profile_set *profiles = NULL;
	const struct profile *prof = NULL;
	int budget = 0, nclients = 0;
	const char *clients[CLI_MAX_CLIENTS];
	enum toolfmt_vendor vendor = TOOLFMT_OPENAI;
	int is_vendor = 0, check = 0;
	uint32_t mask = 0;
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
		case 'c': check = 1; break;
		case 'b': budget = 1; break;
		case 'P': pname = optarg; break;
		case 'C':
			/* Parsed below, once it is known whether this is
			 * --check (repeatable targets) or --budget (one
			 * client). */
			if (nclients == CLI_MAX_CLIENTS)
				return cli_usage("tools", "too many --client");
			clients[nclients++] = optarg;
			break;
		case 'h': help(); return 0;
		default: return cli_usage("tools", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage("tools", "unexpected argument '%s'",
		                 argv[optind]);
	if (check && format)
		return cli_usage("tools", "--check and --format do not mix");
	if (check && budget)
		return cli_usage("tools", "--check and --budget do not mix");
	if (nclients && !check && !budget)
		return cli_usage("tools",
		                 "--client goes with --check or --budget");
	if (budget && nclients > 1)
		return cli_usage("tools", "--budget takes one --client");
	if (budget && nclients) {
		client = clients[0];
		if (!cli_budget_client_known(client))
			return cli_usage("tools",
			                 "unknown --client '%s' for --budget "
			                 "(known: cursor, vscode, copilot, "
			                 "openai, claude-code)",
			                 client);
	}
	for (int k = 0; check && k < nclients; k++)
		if (!portcheck_parse_client(clients[k], &mask))
			return cli_usage(
			        "tools",
			        "unknown --client '%s' (known: all, %s)",
			        clients[k], sp_target_names());
	if (format && strcmp(format, "mcp")) {
		if (!toolfmt_vendor_parse(format, &vendor))
			return cli_usage(
			        "tools",
			        "unknown --format '%s' (known: mcp, %s)",
			        format, toolfmt_vendor_names());
		is_vendor = 1;
	}
	if (pname && (check || budget || (format && strcmp(format, "mcp"))))
		return cli_usage("tools", "--profile goes with the plain "
		                          "listing, --json or --format mcp");
	if (pname) {
		char home[PATH_MAX];
		if ((rc = cli_home(ctx, home, sizeof home)))
			return rc;
		sh_error_clear(&err);
		if (profile_set_load(home, &profiles, &err) != SH_OK)
			return cli_fail(&err);
		if (!(prof = profile_get(profiles, pname))) {
			profile_set_free(profiles);
			sh_error_set(&err, SH_ERR_NOTFOUND,
			             "no profile \"%.64s\"; `skillhost profile "
			             "list` shows them",
			             pname);
			return cli_fail(&err);
		}
	}
	if (cli_open_runtime(ctx, skills, nskills, &rt, &err) != SH_OK) {
		profile_set_free(profiles);
		return cli_fail(&err);
	}
	cat = runtime_catalog(rt);

	if (check) {
		size_t bad = 0;
		out = json ? cJSON_CreateArray() : NULL;
		if (json && !out) {
			fprintf(stderr, "skillhost: error: out of memory\n");
			rc = 5;
		} else {
			/* What a target merely ignores is noise unless
			 * the operator asked about that target. */
			rc = portcheck_catalog(cat, mask ? mask : SP_DEFAULT,
			                       mask != 0, stdout, out, &bad);
		}
		if (rc == 0 && json)
			rc = cli_print_json(out, 1);
		if (rc == 0 && !json)
			printf("%zu of %zu tools have a schema a chosen target "
			       "refuses\n",
			       bad, catalog_tool_count(cat));
		if (rc == 0 && bad)
			rc = 1;
	} else if (budget) {
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
			cJSON *o;
			if (!profile_allows(prof, t->canonical))
				continue;
			if (!(o = format ? toolfmt_mcp(t) : toolfmt_info(t))) {
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
			if (!profile_allows(prof, t->canonical))
				continue;
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
	profile_set_free(profiles);
	return rc;
}
