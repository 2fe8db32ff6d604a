/*
 * cmd_tools_budget.c - `skillhost tools --budget [--client NAME]`: what the
 * tool definitions cost a client's context, against its documented limits.
 *
 * The estimator: one token per 4 bytes of each tool's compact MCP
 * definition (name, title, description, input and output schemas,
 * annotations), rounded up. That is the rule of thumb the model vendors
 * publish for English text and JSON (OpenAI: "about 4 characters per
 * token"); real tokenizers land within about 20% of it on tool
 * definitions, and clients add a little framing per tool, so treat the
 * figure as an estimate, not a bill.
 *
 * The limits (each client's documentation):
 *   cursor       40 tools across its MCP servers (Cursor docs, MCP)
 *   vscode       128 tools in one chat request (VS Code docs, MCP servers)
 *   copilot      the same 128 (Copilot in VS Code)
 *   openai       128 functions per request (OpenAI API reference, tools)
 *   claude-code  no tool count; tool search starts when definitions pass
 *                10% of the context window (Claude Code docs, MCP), about
 *                20,000 tokens of a 200,000-token window
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "commands.h"
#include "toolfmt.h"

static const struct budget_client {
	const char *name;
	size_t max_tools;  /* 0: no documented count */
	size_t max_tokens; /* 0: no documented token budget */
	const char *source;
} clients[] = {
        {"cursor", 40, 0, "Cursor uses at most 40 tools"},
        {"vscode", 128, 0, "VS Code allows at most 128 tools per request"},
        {"copilot", 128, 0, "Copilot in VS Code allows at most 128 tools"},
        {"openai", 128, 0, "the OpenAI API takes at most 128 functions"},
        {"claude-code", 0, 20000,
         "Claude Code defers tools past 10% of its context (~20000 "
         "tokens)"},
        {NULL, 0, 0, NULL},
};

int cli_budget_client_known(const char *name)
{
	for (size_t i = 0; clients[i].name; i++)
		if (!strcmp(clients[i].name, name))
			return 1;
	return 0;
}

int cli_tools_budget(struct catalog *cat, const char *client, int json)
{
	const struct budget_client *bc = NULL;
	size_t n = catalog_tool_count(cat), total = 0;
	cJSON *out = cJSON_CreateObject(), *per;
	int over = 0, rc;

	for (size_t i = 0; client && clients[i].name; i++)
		if (!strcmp(clients[i].name, client))
			bc = &clients[i];
	per = cJSON_AddArrayToObject(out, "perTool");
	if (!out || !per) {
		cJSON_Delete(out);
		fprintf(stderr, "skillhost: error: out of memory\n");
		return 5;
	}
	for (size_t i = 0; i < n; i++) {
		const struct tool *t = catalog_tool_at(cat, i);
		cJSON *def = toolfmt_mcp(t), *o;
		char *text = def ? cJSON_PrintUnformatted(def) : NULL;
		size_t tokens = text ? (strlen(text) + 3) / 4 : 0;
		cJSON_Delete(def);
		free(text);
		total += tokens;
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(per, o);
		cJSON_AddStringToObject(o, "name", t->mcp_name);
		cJSON_AddNumberToObject(o, "tokens", (double)tokens);
	}
	cJSON_AddNumberToObject(out, "tools", (double)n);
	cJSON_AddNumberToObject(out, "tokens", (double)total);
	cJSON_AddStringToObject(out, "estimator",
	                        "ceil(bytes of the compact "
	                        "MCP definition / 4)");
	if (bc) {
		over = (bc->max_tools && n > bc->max_tools) ||
		       (bc->max_tokens && total > bc->max_tokens);
		cJSON_AddStringToObject(out, "client", bc->name);
		if (bc->max_tools)
			cJSON_AddNumberToObject(out, "maxTools",
			                        (double)bc->max_tools);
		if (bc->max_tokens)
			cJSON_AddNumberToObject(out, "maxTokens",
			                        (double)bc->max_tokens);
		cJSON_AddBoolToObject(out, "over", over);
	}
	if (json) {
		rc = cli_print_json(out, 1);
	} else {
		printf("%zu tools, about %zu tokens of definitions (%.0f per "
		       "tool; 1 token per 4 bytes of JSON)\n",
		       n, total, n ? (double)total / (double)n : 0.0);
		if (bc && bc->max_tools)
			printf("%s: %zu of %zu tools (%s)%s\n", bc->name, n,
			       bc->max_tools, bc->source, over ? ": OVER" : "");
		if (bc && bc->max_tokens)
			printf("%s: %zu of %zu tokens (%s)%s\n", bc->name,
			       total, bc->max_tokens, bc->source,
			       over ? ": OVER" : "");
		if (over)
			printf("serve with --tool-search auto (or on) to list "
			       "a search tool instead of every tool\n");
		rc = 0;
	}
	cJSON_Delete(out);
	return rc;
}
