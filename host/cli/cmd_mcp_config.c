/*
 * cmd_mcp_config.c - `skillhost mcp-config`: the snippet that registers
 * this host with an MCP client, printed or merged into the client's file.
 *
 * Formats and files, per each client's documentation:
 *   claude-desktop  ~/.config/Claude/claude_desktop_config.json:
 *                   {"mcpServers": {NAME: {"command", "args", "env"}}};
 *                   stdio only, so HTTP goes through the mcp-remote bridge
 *   claude-code     `claude mcp add --scope project NAME -e K=V -- CMD
 *                   ARGS` (printed), or the project's .mcp.json (--write):
 *                   {"mcpServers": {NAME: {"type": "stdio"|"http", ...}}}
 *   vscode          .vscode/mcp.json: {"servers": {NAME: {"type": "stdio",
 *                   "command", "args", "env"} | {"type": "http", "url",
 *                   "headers"?}}, "inputs"?: [promptString...]}
 *   cursor          ~/.cursor/mcp.json: {"mcpServers": {NAME: {"command",
 *                   "args", "env"} | {"url", "headers"?}}}, ${env:VAR}
 *   windsurf        ~/.codeium/windsurf/mcp_config.json: {"mcpServers":
 *                   {NAME: {"command", "args", "env"} | {"serverUrl",
 *                   "headers"?}}}, ${env:VAR}
 *   zed             ~/.config/zed/settings.json: {"context_servers": {NAME:
 *                   {"command", "args", "env"} | {"url", "headers"?}}}
 *   gemini-cli      ~/.gemini/settings.json: {"mcpServers": {NAME:
 *                   {"command", "args", "env"} | {"httpUrl",
 *                   "headers"?}}}, $VAR expanded
 *   codex           ~/.codex/config.toml (TOML): [mcp_servers.NAME] with
 *                   command, args, env | url, bearer_token_env_var
 *
 * A stdio entry names the store twice (--home and SKILLHOST_HOME, both
 * absolute), since a client starts the server with its own environment
 * and working folder: without them it would serve an empty default store.
 *
 * --write merges the entry into the client's file: other servers and keys
 * stay, the file is first copied to FILE.bak, the new text replaces it
 * atomically (temp + fsync + rename), a second run with the same options
 * changes nothing, and a file that does not parse (JSON with comments, say)
 * is refused, naming it, without a byte written.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "dynbuf.h"
#include "fsutil.h"

#define MCPCFG_URL_MAX           2048
#define MCPCFG_TOKEN_ENV_DEFAULT "SKILLHOST_TOKEN"
#define MCPCFG_FILE_MAX          ((size_t)4 * 1024 * 1024)

enum client {
	C_CLAUDE,
	C_CLAUDE_CODE,
	C_VSCODE,
	C_CURSOR,
	C_WINDSURF,
	C_ZED,
	C_GEMINI,
	C_CODEX,
	C_COUNT
};

static const char *const client_names[C_COUNT] = {
        "claude-desktop", "claude-code", "vscode",     "cursor",
        "windsurf",       "zed",         "gemini-cli", "codex"};

#define CLIENT_LIST                                                            \
	"claude-desktop, claude-code, vscode, cursor, windsurf, zed, "         \
	"gemini-cli or codex"

static void help(void)
{
	puts("usage: skillhost mcp-config --client CLIENT [--http URL "
	     "[--token]]\n"
	     "                            [--name NAME] [--skill PATH.so]...\n"
	     "                            [--write [--config-file FILE]]\n"
	     "\n"
	     "Print the snippet that registers this host with an MCP client,\n"
	     "or merge it into the client's own file with --write. Without\n"
	     "--http the client starts `skillhost serve --stdio` itself, with\n"
	     "this store (--home and SKILLHOST_HOME, absolute) and the "
	     "--skill\n"
	     "files given.\n"
	     "\n"
	     "  --client C      claude-desktop  ~/.config/Claude/"
	     "claude_desktop_config.json\n"
	     "                  claude-code     prints `claude mcp add ...`; "
	     "--write: ./.mcp.json\n"
	     "                  vscode          ./.vscode/mcp.json\n"
	     "                  cursor          ~/.cursor/mcp.json\n"
	     "                  windsurf        ~/.codeium/windsurf/"
	     "mcp_config.json\n"
	     "                  zed             ~/.config/zed/settings.json\n"
	     "                  gemini-cli      ~/.gemini/settings.json\n"
	     "                  codex           ~/.codex/config.toml (TOML)\n"
	     "  --write         merge into that file (a backup goes to "
	     "FILE.bak;\n"
	     "                  running it again changes nothing)\n"
	     "  --config-file F write into F instead of the client's file\n"
	     "  --http URL      connect to a running `skillhost serve --http`\n"
	     "                  (e.g. http://127.0.0.1:8080/mcp)\n"
	     "  --token         that server wants a bearer token: VS Code "
	     "asks\n"
	     "                  for it, the others read it from\n"
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
	if (!*rest || *rest == '/' || strpbrk(in, " \t\r\n\"'\\"))
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

/* What a stdio entry runs: the binary, its arguments and the store, all
 * absolute. */
struct launch {
	char self[PATH_MAX];
	char home[PATH_MAX];
	cJSON *args; /* array of strings */
};

/* path made absolute (realpath when it exists, else joined to the working
 * folder), into out. */
static int absolute(const char *path, char *out, size_t cap)
{
	char cwd[PATH_MAX];

	if (realpath(path, out))
		return 1;
	if (path[0] == '/')
		return snprintf(out, cap, "%s", path) < (int)cap;
	if (!getcwd(cwd, sizeof cwd))
		return 0;
	return snprintf(out, cap, "%s/%s", cwd, path) < (int)cap;
}

static int launch_init(const struct cli_ctx *ctx, char **skills, int nskills,
                       struct launch *l)
{
	char home[PATH_MAX], abs[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", l->self, sizeof l->self - 1);
	int rc;

	l->args = NULL;
	if (n <= 0) {
		fprintf(stderr, "skillhost: error: cannot find this binary "
		                "(/proc/self/exe)\n");
		return 5;
	}
	l->self[n] = '\0';
	if ((rc = cli_home(ctx, home, sizeof home)) != 0)
		return rc;
	if (!absolute(home, l->home, sizeof l->home)) {
		fprintf(stderr,
		        "skillhost: error: the store path %s is too "
		        "long\n",
		        home);
		return 5;
	}
	if (!(l->args = cJSON_CreateArray()))
		goto nomem;
	cJSON_AddItemToArray(l->args, cJSON_CreateString("--home"));
	cJSON_AddItemToArray(l->args, cJSON_CreateString(l->home));
	cJSON_AddItemToArray(l->args, cJSON_CreateString("serve"));
	cJSON_AddItemToArray(l->args, cJSON_CreateString("--stdio"));
	for (int i = 0; i < nskills; i++) {
		if (!realpath(skills[i], abs)) {
			fprintf(stderr,
			        "skillhost: error: --skill %s: no such "
			        "file\n",
			        skills[i]);
			cJSON_Delete(l->args);
			l->args = NULL;
			return 4;
		}
		cJSON_AddItemToArray(l->args, cJSON_CreateString("--skill"));
		cJSON_AddItemToArray(l->args, cJSON_CreateString(abs));
	}
	if (cJSON_GetArraySize(l->args) != 4 + 2 * nskills)
		goto nomem;
	return 0;
nomem:
	cJSON_Delete(l->args);
	l->args = NULL;
	fprintf(stderr, "skillhost: error: out of memory\n");
	return 5;
}

static cJSON *stdio_entry(const struct launch *l, enum client cl)
{
	cJSON *o = cJSON_CreateObject(), *env;

	if (!o)
		return NULL;
	if ((cl == C_VSCODE || cl == C_CLAUDE_CODE) &&
	    !cJSON_AddStringToObject(o, "type", "stdio"))
		goto fail;
	if (!cJSON_AddStringToObject(o, "command", l->self))
		goto fail;
	cJSON_AddItemToObject(o, "args", cJSON_Duplicate(l->args, 1));
	env = cJSON_AddObjectToObject(o, "env");
	if (!env || !cJSON_GetObjectItem(o, "args") ||
	    !cJSON_AddStringToObject(env, "SKILLHOST_HOME", l->home))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static cJSON *http_entry(const char *url, int token, const char *token_env,
                         enum client cl, cJSON *root)
{
	cJSON *o = cJSON_CreateObject(), *headers;
	char value[256];
	const char *url_key = cl == C_WINDSURF ? "serverUrl"
	                      : cl == C_GEMINI ? "httpUrl"
	                                       : "url";

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
	if (cl == C_VSCODE || cl == C_CLAUDE_CODE)
		cJSON_AddStringToObject(o, "type", "http");
	cJSON_AddStringToObject(o, url_key, url);
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
		/* Each client's own syntax for reading the environment. */
		snprintf(value, sizeof value,
		         cl == C_CLAUDE_CODE ? "Bearer ${%s}"
		         : cl == C_GEMINI    ? "Bearer $%s"
		                             : "Bearer ${env:%s}",
		         token_env);
		cJSON_AddStringToObject(headers, "Authorization", value);
	}
	return o;
}

/* ---- TOML (Codex) -------------------------------------------------------- */

/* A TOML basic string for s into b. */
static void toml_str(struct dynbuf *b, const char *s)
{
	dyn_addn(b, "\"", 1);
	for (; *s; s++) {
		char esc[8];
		if (*s == '"' || *s == '\\') {
			esc[0] = '\\', esc[1] = *s;
			dyn_addn(b, esc, 2);
		} else if ((unsigned char)*s < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned char)*s);
			dyn_addn(b, esc, 6);
		} else {
			dyn_addn(b, s, 1);
		}
	}
	dyn_addn(b, "\"", 1);
}

/* The [mcp_servers.NAME] table for Codex. */
static int codex_table(struct dynbuf *b, const char *name,
                       const struct launch *l, const char *url, int token,
                       const char *token_env)
{
	const cJSON *a;
	int first = 1;

	dyn_addf(b, "[mcp_servers.%s]\n", name);
	if (url) {
		dyn_addn(b, "url = ", 6);
		toml_str(b, url);
		dyn_addn(b, "\n", 1);
		if (token) {
			/* Codex refuses an inline token: it reads the
			 * variable named here. */
			dyn_addn(b, "bearer_token_env_var = ", 23);
			toml_str(b, token_env);
			dyn_addn(b, "\n", 1);
		}
		return dyn_error(b) == SH_OK;
	}
	dyn_addn(b, "command = ", 10);
	toml_str(b, l->self);
	dyn_addn(b, "\nargs = [", 9);
	cJSON_ArrayForEach(a, l->args)
	{
		if (!first)
			dyn_addn(b, ", ", 2);
		first = 0;
		toml_str(b, a->valuestring);
	}
	dyn_addn(b, "]\nenv = { SKILLHOST_HOME = ", 27);
	toml_str(b, l->home);
	dyn_addn(b, " }\n", 3);
	return dyn_error(b) == SH_OK;
}

/* A header line of the table [mcp_servers.NAME] or one of its sub-tables,
 * in either spelling of the key. */
static int is_own_header(const char *line, size_t n, const char *name)
{
	char a[128], q[128];
	int la = snprintf(a, sizeof a, "[mcp_servers.%s", name);
	int lq = snprintf(q, sizeof q, "[mcp_servers.\"%s\"", name);

	return (n > (size_t)la && !strncmp(line, a, (size_t)la) &&
	        (line[la] == ']' || line[la] == '.')) ||
	       (n > (size_t)lq && !strncmp(line, q, (size_t)lq) &&
	        (line[lq] == ']' || line[lq] == '.'));
}

/* old with the table for name replaced by (or, when absent, followed by)
 * table, into out. 0 with a message when the file defines mcp_servers in
 * a form this cannot edit safely. */
static int toml_merge(const char *path, const char *old, const char *name,
                      const char *table, struct dynbuf *out)
{
	const char *p = old;
	int replaced = 0, skipping = 0;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p + 1) : strlen(p);
		const char *t = p;
		while (t < p + n && (*t == ' ' || *t == '\t'))
			t++;
		if (*t == '[') {
			skipping = is_own_header(t, (size_t)(p + n - t), name);
			if (skipping && !replaced) {
				dyn_add(out, table);
				replaced = 1;
			}
		} else if (!skipping && !strncmp(t, "mcp_servers", 11) &&
		           strchr(" =.", t[11])) {
			fprintf(stderr,
			        "skillhost: error: %s defines mcp_servers "
			        "inline, which this cannot edit safely; add "
			        "the [mcp_servers.%s] table by hand (run "
			        "without --write to print it)\n",
			        path, name);
			return 0;
		}
		if (!skipping)
			dyn_addn(out, p, n);
		p += n;
	}
	if (!replaced) {
		if (out->len && dyn_ptr(out)[out->len - 1] != '\n')
			dyn_addn(out, "\n", 1);
		if (out->len)
			dyn_addn(out, "\n", 1);
		dyn_add(out, table);
	}
	return dyn_error(out) == SH_OK;
}

/* ---- writing ------------------------------------------------------------- */

/* The client's file: --config-file, else where its documentation keeps
 * it. */
static int client_file(enum client cl, const char *given, char *out, size_t cap)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *codex = getenv("CODEX_HOME");
	char cfg[PATH_MAX];
	int n;

	if (given)
		return absolute(given, out, cap);
	if (xdg && *xdg == '/')
		snprintf(cfg, sizeof cfg, "%s", xdg);
	else if (home && *home)
		snprintf(cfg, sizeof cfg, "%s/.config", home);
	else
		return 0;
	switch (cl) {
	case C_CLAUDE:
		n = snprintf(out, cap, "%s/Claude/claude_desktop_config.json",
		             cfg);
		break;
	case C_CLAUDE_CODE: return absolute(".mcp.json", out, cap);
	case C_VSCODE: return absolute(".vscode/mcp.json", out, cap);
	case C_CURSOR:
		n = snprintf(out, cap, "%s/.cursor/mcp.json", home);
		break;
	case C_WINDSURF:
		n = snprintf(out, cap, "%s/.codeium/windsurf/mcp_config.json",
		             home);
		break;
	case C_ZED: n = snprintf(out, cap, "%s/zed/settings.json", cfg); break;
	case C_GEMINI:
		n = snprintf(out, cap, "%s/.gemini/settings.json", home);
		break;
	case C_CODEX:
		n = codex && *codex == '/'
		            ? snprintf(out, cap, "%s/config.toml", codex)
		            : snprintf(out, cap, "%s/.codex/config.toml", home);
		break;
	default: return 0;
	}
	return n > 0 && (size_t)n < cap && out[0] == '/';
}

/* Replace path with text, after copying what it held to path.bak. */
static int replace_file(const char *path, const char *old, size_t old_len,
                        const char *text, size_t len)
{
	char dir[PATH_MAX], bak[PATH_MAX + 8];
	struct sh_error e;
	char *slash;

	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (fs_mkdirs(dir, 0700, &e) != SH_OK)
			return cli_fail(&e);
	}
	if (old) {
		snprintf(bak, sizeof bak, "%s.bak", path);
		if (fs_write_atomic(bak, old, old_len, 0600, &e) != SH_OK)
			return cli_fail(&e);
	}
	if (fs_write_atomic(path, text, len, 0600, &e) != SH_OK)
		return cli_fail(&e);
	return 0;
}

/* Merge root's container entry into the JSON file at path. */
static int write_json(const char *path, const cJSON *root, const char *key,
                      const char *name)
{
	char *old = NULL, *text = NULL;
	size_t old_len = 0;
	const char *end = NULL;
	struct sh_error e;
	cJSON *doc = NULL, *box;
	const cJSON *in;
	sh_status st;
	int rc = 5;

	st = fs_read_file(path, MCPCFG_FILE_MAX, &old, &old_len, &e);
	if (st != SH_OK && st != SH_ERR_NOTFOUND)
		return cli_fail(&e);
	if (old) {
		doc = cJSON_ParseWithLengthOpts(old, old_len, &end, 0);
		if (!cJSON_IsObject(doc)) {
			fprintf(stderr,
			        "skillhost: error: cannot parse %s as a JSON "
			        "object (comments or trailing commas are not "
			        "read); nothing was written: add the snippet "
			        "by "
			        "hand (run without --write to print it)\n",
			        path);
			cJSON_Delete(doc);
			free(old);
			return 5;
		}
	} else if (!(doc = cJSON_CreateObject())) {
		goto out;
	}
	box = cJSON_GetObjectItemCaseSensitive(doc, key);
	if (box && !cJSON_IsObject(box)) {
		fprintf(stderr,
		        "skillhost: error: \"%s\" in %s is not an object; "
		        "nothing was written\n",
		        key, path);
		goto out;
	}
	if (!box && !(box = cJSON_AddObjectToObject(doc, key)))
		goto out;
	in = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(root, key), name);
	if (cJSON_GetObjectItemCaseSensitive(box, name))
		cJSON_ReplaceItemInObjectCaseSensitive(box, name,
		                                       cJSON_Duplicate(in, 1));
	else
		cJSON_AddItemToObject(box, name, cJSON_Duplicate(in, 1));
	/* VS Code's token prompt lives beside "servers". */
	if ((in = cJSON_GetObjectItemCaseSensitive(root, "inputs"))) {
		cJSON *have = cJSON_GetObjectItemCaseSensitive(doc, "inputs");
		const cJSON *want = in->child, *h;
		int found = 0;
		if (!have && !(have = cJSON_AddArrayToObject(doc, "inputs")))
			goto out;
		cJSON_ArrayForEach(h, have) found |= cJSON_Compare(h, want, 1);
		if (!found)
			cJSON_AddItemToArray(have, cJSON_Duplicate(want, 1));
	}
	if (!(text = cJSON_Print(doc)))
		goto out;
	{
		/* Idempotent: the same document means no write at all. */
		cJSON *before =
		        old ? cJSON_ParseWithLength(old, old_len) : NULL;
		int same = before && cJSON_Compare(before, doc, 1);
		cJSON_Delete(before);
		if (same) {
			printf("%s already has server %s; nothing changed\n",
			       path, name);
			rc = 0;
			goto out;
		}
	}
	{
		size_t n = strlen(text);
		char *nl = realloc(text, n + 2);
		if (!nl)
			goto out;
		text = nl;
		memcpy(text + n, "\n", 2);
	}
	if ((rc = replace_file(path, old, old_len, text, strlen(text))) == 0)
		printf("wrote server %s into %s%s\n", name, path,
		       old ? " (the previous file is in .bak)" : "");
out:
	if (rc == 5 && !text)
		fprintf(stderr, "skillhost: error: out of memory\n");
	cJSON_Delete(doc);
	free(text);
	free(old);
	return rc;
}

static int write_toml(const char *path, const char *name, const char *table)
{
	char *old = NULL;
	size_t old_len = 0;
	struct dynbuf out;
	struct sh_error e;
	sh_status st;
	int rc;

	st = fs_read_file(path, MCPCFG_FILE_MAX, &old, &old_len, &e);
	if (st != SH_OK && st != SH_ERR_NOTFOUND)
		return cli_fail(&e);
	if (old && memchr(old, '\0', old_len)) {
		fprintf(stderr,
		        "skillhost: error: %s is not a text file; "
		        "nothing was written\n",
		        path);
		free(old);
		return 5;
	}
	dyn_init(&out, MCPCFG_FILE_MAX);
	if (!toml_merge(path, old ? old : "", name, table, &out)) {
		rc = 5;
		goto done;
	}
	if (old && out.len == old_len && !memcmp(dyn_ptr(&out), old, old_len)) {
		printf("%s already has server %s; nothing changed\n", path,
		       name);
		rc = 0;
		goto done;
	}
	if ((rc = replace_file(path, old, old_len, dyn_ptr(&out), out.len)) ==
	    0)
		printf("wrote server %s into %s%s\n", name, path,
		       old ? " (the previous file is in .bak)" : "");
done:
	dyn_free(&out);
	free(old);
	return rc;
}

/* `claude mcp add ...` for the entry, shell-quoted. */
static void shell_word(struct dynbuf *b, const char *s)
{
	dyn_addn(b, " '", 2);
	for (; *s; s++)
		if (*s == '\'')
			dyn_addn(b, "'\\''", 4);
		else
			dyn_addn(b, s, 1);
	dyn_addn(b, "'", 1);
}

static int claude_add(const char *name, const struct launch *l, const char *url,
                      int token, const char *token_env)
{
	struct dynbuf b;
	const cJSON *a;
	char hdr[128];

	dyn_init(&b, MCPCFG_FILE_MAX);
	dyn_add(&b, "claude mcp add --scope project");
	if (url) {
		dyn_add(&b, " --transport http");
		if (token) {
			snprintf(hdr, sizeof hdr, "Authorization: Bearer ${%s}",
			         token_env);
			dyn_add(&b, " --header");
			shell_word(&b, hdr);
		}
		shell_word(&b, name);
		shell_word(&b, url);
	} else {
		char env[PATH_MAX + 32];
		snprintf(env, sizeof env, "SKILLHOST_HOME=%s", l->home);
		dyn_add(&b, " --transport stdio --env");
		shell_word(&b, env);
		shell_word(&b, name);
		dyn_add(&b, " --");
		shell_word(&b, l->self);
		cJSON_ArrayForEach(a, l->args) shell_word(&b, a->valuestring);
	}
	if (dyn_error(&b) != SH_OK) {
		dyn_free(&b);
		fprintf(stderr, "skillhost: error: out of memory\n");
		return 5;
	}
	printf("%s\n", dyn_ptr(&b));
	dyn_free(&b);
	return 0;
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
	        {"write", no_argument, NULL, 'w'},
	        {"config-file", required_argument, NULL, 'f'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	char *skills[CLI_MAX_SKILLS];
	char url[MCPCFG_URL_MAX], file[PATH_MAX];
	const char *client = NULL, *http = NULL, *name = "skillhost";
	const char *token_env = MCPCFG_TOKEN_ENV_DEFAULT, *given = NULL;
	const char *key;
	int nskills = 0, token = 0, write = 0, c, rc;
	enum client cl = C_COUNT;
	struct launch l = {.args = NULL};
	cJSON *root = NULL, *servers, *entry;

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
		case 'w': write = 1; break;
		case 'f': given = optarg; break;
		case 'h': help(); return 0;
		default: return cli_usage("mcp-config", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage("mcp-config", "unexpected argument '%s'",
		                 argv[optind]);
	if (!client)
		return cli_usage("mcp-config",
		                 "which client? give --client " CLIENT_LIST);
	for (int i = 0; i < C_COUNT; i++)
		if (!strcmp(client, client_names[i]))
			cl = (enum client)i;
	if (cl == C_COUNT)
		return cli_usage("mcp-config",
		                 "unknown client '%s': use " CLIENT_LIST,
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
	if (given && !write)
		return cli_usage("mcp-config",
		                 "--config-file goes with --write");
	if (write && !client_file(cl, given, file, sizeof file))
		return cli_usage("mcp-config",
		                 "cannot tell where %s keeps its "
		                 "file ($HOME unset?); give "
		                 "--config-file",
		                 client);
	if (!http && (rc = launch_init(ctx, skills, nskills, &l)) != 0)
		return rc;

	if (cl == C_CODEX) {
		struct dynbuf t;
		dyn_init(&t, MCPCFG_FILE_MAX);
		if (!codex_table(&t, name, &l, http ? url : NULL, token,
		                 token_env)) {
			rc = 5;
			fprintf(stderr, "skillhost: error: out of memory\n");
		} else if (write) {
			rc = write_toml(file, name, dyn_ptr(&t));
		} else {
			printf("%s", dyn_ptr(&t));
			rc = 0;
		}
		dyn_free(&t);
		cJSON_Delete(l.args);
		return rc;
	}
	if (cl == C_CLAUDE_CODE && !write) {
		rc = claude_add(name, &l, http ? url : NULL, token, token_env);
		cJSON_Delete(l.args);
		return rc;
	}
	key = cl == C_VSCODE ? "servers"
	      : cl == C_ZED  ? "context_servers"
	                     : "mcpServers";
	root = cJSON_CreateObject();
	servers = cJSON_AddObjectToObject(root, key);
	entry = !servers ? NULL
	        : http   ? http_entry(url, token, token_env, cl, root)
	                 : stdio_entry(&l, cl);
	if (!entry) {
		cJSON_Delete(root);
		cJSON_Delete(l.args);
		fprintf(stderr, "skillhost: error: out of memory\n");
		return 5;
	}
	cJSON_AddItemToObject(servers, name, entry);
	rc = write ? write_json(file, root, key, name)
	           : cli_print_json(root, 1);
	cJSON_Delete(root);
	cJSON_Delete(l.args);
	return rc;
}
