/*
 * cmd_secret.c - `skillhost secret` and `skillhost permit`: what the
 * operator gives a skill beyond its manifest.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "commands.h"
#include "config.h"
#include "manifest.h"
#include "oauthbroker.h"
#include "secrets.h"
#include "skilldesc.h"
#include "store.h"

/* Most bytes of a secret read from stdin. */
#define SECRET_STDIN_MAX SECRET_VALUE_MAX

static void secret_help(void)
{
	puts("usage: skillhost secret set SKILL NAME [--force]   (the value "
	     "is read\n"
	     "                                 from stdin; on a terminal, "
	     "asked for)\n"
	     "       skillhost secret set SKILL NAME --from-env [VAR] "
	     "[--force]\n"
	     "       skillhost secret list [SKILL] [--json]   (no SKILL: "
	     "every installed one)\n"
	     "       skillhost secret remove SKILL NAME\n"
	     "\n"
	     "Secrets are kept in the store's secrets.json (mode 0600). A "
	     "skill reads\nonly the secrets its manifest declares, and only "
	     "what you decided:\na value stored here, or, with --from-env, "
	     "the environment variable VAR\n(default: NAME) of the process "
	     "that runs the skill (`serve`, `call`,\n`agent`), read at call "
	     "time. Without that approval the environment is\nnever passed "
	     "to an installed skill. Skills loaded with --skill FILE.so\n"
	     "(development) may read the variable of the secret's name; the "
	     "host says\nso on stderr. `list` shows each declared secret as "
	     "set, from env, or\nmissing. Values are never printed or "
	     "logged.\n"
	     "\n"
	     "`set` refuses a skill that is not installed and a NAME its "
	     "manifest\ndoes not declare (the skill could never read it), "
	     "unless --force.");
}

/* The installed skill's declared secrets (its manifest's
 * permissions.secrets), or NULL when it is not installed. *index holds
 * them and is the caller's. */
static const cJSON *declared_secrets(const char *home, const char *skill,
                                     cJSON **index)
{
	struct sh_error e;
	const cJSON *cur;

	*index = NULL;
	if (store_read_index(home, index, &e) != SH_OK)
		return NULL;
	cur = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(
	                cJSON_GetObjectItemCaseSensitive(*index, "skills"),
	                skill),
	        "current");
	if (!cur)
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(cur, "permissions"),
	        "secrets");
}

/* The installed skills' names, NULL-terminated, pointing into index. */
static const char **installed_names(const cJSON *index)
{
	const cJSON *skills = cJSON_GetObjectItemCaseSensitive(index, "skills");
	const char **names =
	        calloc((size_t)cJSON_GetArraySize(skills) + 1, sizeof *names);
	const cJSON *it;
	size_t n = 0;

	if (names)
		cJSON_ArrayForEach(it, skills) names[n++] = it->string;
	return names;
}

/* 0 when skill is installed; else prints why not (with the nearest
 * installed name) and returns exit code 4, or 0 after a note when force
 * is given. cmd names the command for the --force hint. */
static int require_installed(const char *home, const char *skill, int force,
                             const char *cmd)
{
	cJSON *index = NULL;
	struct sh_error e;
	const char **names;
	const char *near = NULL;

	if (store_read_index(home, &index, &e) != SH_OK)
		return cli_fail(&e);
	if (cJSON_GetObjectItemCaseSensitive(
	            cJSON_GetObjectItemCaseSensitive(index, "skills"), skill)) {
		cJSON_Delete(index);
		return 0;
	}
	names = installed_names(index);
	if (names)
		near = cli_nearest(skill, names);
	if (force)
		fprintf(stderr,
		        "skillhost: note: %s is not installed; storing it "
		        "anyway (--force)\n",
		        skill);
	else if (near)
		fprintf(stderr,
		        "skillhost: error: %s is not installed; did you mean "
		        "%s?\nskillhost: `skillhost list` shows the installed "
		        "skills; `%s --force` stores it for a skill you will "
		        "install later\n",
		        skill, near, cmd);
	else
		fprintf(stderr,
		        "skillhost: error: %s is not installed\nskillhost: "
		        "`skillhost list` shows the installed skills; `%s "
		        "--force` stores it for a skill you will install "
		        "later\n",
		        skill, cmd);
	free(names);
	cJSON_Delete(index);
	return force ? 0 : 4;
}

/* 0 when the installed skill's manifest declares secret name; else prints
 * what it declares and returns 2, or 0 after a note with force. */
static int require_declared(const char *home, const char *skill,
                            const char *name, int force)
{
	cJSON *index = NULL;
	const cJSON *decl = declared_secrets(home, skill, &index), *it;
	const char *names[64];
	char list[1024] = "";
	size_t n = 0;
	const char *near;

	if (!index ||
	    !cJSON_GetObjectItemCaseSensitive(
	            cJSON_GetObjectItemCaseSensitive(index, "skills"), skill)) {
		cJSON_Delete(index);
		return 0; /* not installed: require_installed decided */
	}
	cJSON_ArrayForEach(it, decl) if (cJSON_IsString(it))
	{
		if (!strcmp(it->valuestring, name)) {
			cJSON_Delete(index);
			return 0;
		}
		if (n + 1 < sizeof names / sizeof *names)
			names[n++] = it->valuestring;
		snprintf(list + strlen(list), sizeof list - strlen(list),
		         "%s%s", list[0] ? ", " : "", it->valuestring);
	}
	names[n] = NULL;
	near = cli_nearest(name, names);
	if (force)
		fprintf(stderr,
		        "skillhost: note: %s does not declare %s; storing it "
		        "anyway (--force), but the skill cannot read it\n",
		        skill, name);
	else
		fprintf(stderr,
		        "skillhost: error: %s does not declare a secret %s, so "
		        "it could never read it%s%s%s\nskillhost: it declares: "
		        "%s; --force stores it anyway\n",
		        skill, name, near ? "; did you mean " : "",
		        near ? near : "", near ? "?" : "",
		        list[0] ? list : "none");
	cJSON_Delete(index);
	return force ? 0 : 2;
}

/* Restored by the SIGINT handler, so Ctrl-C at the prompt does not leave
 * the terminal without echo. */
static struct termios saved_tty;

static void restore_tty(int sig)
{
	(void)tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

/* Read one line from the terminal with echo off into buf (sodium
 * memory); returns its length, or -1 when the terminal cannot be set. */
static long prompt_secret(const char *skill, const char *name, char *buf,
                          size_t cap)
{
	struct termios quiet;
	void (*old_int)(int);
	size_t n = 0;
	int c;

	if (tcgetattr(STDIN_FILENO, &saved_tty) != 0)
		return -1;
	quiet = saved_tty;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	fprintf(stderr, "Value of %s for %s (not shown): ", name, skill);
	fflush(stderr);
	old_int = signal(SIGINT, restore_tty);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &quiet) != 0) {
		(void)signal(SIGINT, old_int);
		return -1;
	}
	while ((c = getchar()) != EOF && c != '\n')
		if (n + 1 < cap)
			buf[n++] = (char)c;
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	(void)signal(SIGINT, old_int);
	fputc('\n', stderr);
	return (long)n;
}

/* One row of `secret list`: {"name", "declared", "state": "set" | "env"
 * | "missing" | "login" (served by `skillhost login`), "variable"?,
 * "variable_present"?}. */
static cJSON *row(const char *name, int declared, const cJSON *have)
{
	const char *src = cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(have, "source"));
	const char *var = cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(have, "variable"));
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddBoolToObject(o, "declared", declared);
	if (src && !strcmp(src, "env") && var) {
		cJSON_AddStringToObject(o, "state", "env");
		cJSON_AddStringToObject(o, "variable", var);
		cJSON_AddBoolToObject(o, "variable_present",
		                      getenv(var) != NULL);
	} else {
		cJSON_AddStringToObject(o, "state", src ? "set" : "missing");
	}
	return o;
}

/* The secret a `skillhost login` serves (oauthbroker.h) is set, by the
 * host, whatever the store holds under its name. */
static void mark_login(const char *home, const char *skill, cJSON *rows)
{
	char *name = NULL;
	cJSON *r;
	int found = 0;

	if (!oauthbroker_logged_in(home, skill, &name) || !name) {
		free(name);
		return;
	}
	for (int pass = 0; pass < 2 && !found; pass++) {
		/* A skill loaded with --skill has no declared rows: the
		 * login's own manifest declared the name. */
		if (pass)
			cJSON_AddItemToArray(rows, row(name, 1, NULL));
		cJSON_ArrayForEach(r, rows)
		{
			const char *n = cJSON_GetStringValue(
			        cJSON_GetObjectItemCaseSensitive(r, "name"));
			if (n && !strcmp(n, name)) {
				found = 1;
				cJSON_ReplaceItemInObjectCaseSensitive(
				        r, "state",
				        cJSON_CreateString("login"));
				cJSON_DeleteItemFromObjectCaseSensitive(
				        r, "variable");
				cJSON_DeleteItemFromObjectCaseSensitive(
				        r, "variable_present");
			}
		}
	}
	free(name);
}

/* The rows of `secret list` for skill: each declared secret, then what
 * the store holds that the manifest does not ask for (kept, but never
 * given to the skill). *index is the store index, the caller's. */
static cJSON *secret_rows(const char *home, const char *skill, cJSON **index,
                          struct sh_error *e)
{
	cJSON *have = NULL, *rows = cJSON_CreateArray();
	const cJSON *decl, *it;

	*index = NULL;
	if (!rows) {
		sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (secrets_describe(home, skill, &have, e) != SH_OK) {
		cJSON_Delete(rows);
		return NULL;
	}
	decl = declared_secrets(home, skill, index);
	cJSON_ArrayForEach(it, decl) if (cJSON_IsString(it))
	        cJSON_AddItemToArray(rows, row(it->valuestring, 1,
	                                       cJSON_GetObjectItemCaseSensitive(
	                                               have, it->valuestring)));
	cJSON_ArrayForEach(it, have)
	{
		int listed = 0;
		const cJSON *d;
		cJSON_ArrayForEach(d, decl) listed |=
		        cJSON_IsString(d) &&
		        !strcmp(d->valuestring, it->string);
		if (!listed)
			cJSON_AddItemToArray(rows, row(it->string, 0, it));
	}
	cJSON_Delete(have);
	mark_login(home, skill, rows);
	return rows;
}

/* `secret list` without a skill: every installed skill's declared
 * secrets and their state, the missing ones counted. */
static int list_all(const char *home, int json)
{
	cJSON *index = NULL, *all = cJSON_CreateArray();
	const cJSON *sk;
	struct sh_error e;
	int rc = 0, missing = 0;

	if (!all)
		return 5;
	if (store_read_index(home, &index, &e) != SH_OK) {
		cJSON_Delete(all);
		return cli_fail(&e);
	}
	cJSON_ArrayForEach(sk,
	                   cJSON_GetObjectItemCaseSensitive(index, "skills"))
	{
		cJSON *idx = NULL,
		      *rows = secret_rows(home, sk->string, &idx, &e), *o;
		const cJSON *r;
		cJSON_Delete(idx);
		if (!rows) {
			rc = cli_fail(&e);
			break;
		}
		cJSON_ArrayForEach(r, rows)
		{
			const char *state = cJSON_GetStringValue(
			        cJSON_GetObjectItemCaseSensitive(r, "state"));
			int declared =
			        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			                r, "declared"));
			missing +=
			        declared && state && !strcmp(state, "missing");
			if (!json)
				printf("%-28s %-28s %s%s\n", sk->string,
				       cJSON_GetStringValue(
				               cJSON_GetObjectItemCaseSensitive(
				                       r, "name")),
				       state,
				       declared ? "" : "  (not declared)");
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "skill", sk->string);
		cJSON_AddItemToObject(o, "secrets", rows);
		cJSON_AddItemToArray(all, o);
	}
	if (!rc && json)
		rc = cli_print_json(all, 1);
	else if (!rc && missing)
		fprintf(stderr,
		        "skillhost: %d declared secret%s missing; `skillhost "
		        "secret set SKILL NAME` sets one\n",
		        missing, missing == 1 ? " is" : "s are");
	cJSON_Delete(all);
	cJSON_Delete(index);
	return rc;
}

static int list_secrets(const char *home, const char *skill, int json)
{
	cJSON *index = NULL, *rows, *r;
	struct sh_error e;
	int rc = 0;

	if (!(rows = secret_rows(home, skill, &index, &e)))
		return cli_fail(&e);
	if (json) {
		rc = cli_print_json(rows, 1);
		goto out;
	}
	if (!index ||
	    !cJSON_GetObjectItemCaseSensitive(
	            cJSON_GetObjectItemCaseSensitive(index, "skills"), skill))
		fprintf(stderr,
		        "skillhost: %s is not installed; showing what the "
		        "store holds for it\n",
		        skill);
	cJSON_ArrayForEach(r, rows)
	{
		const char *name = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(r, "name"));
		const char *state = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(r, "state"));
		const char *var = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(r, "variable"));
		int declared = cJSON_IsTrue(
		        cJSON_GetObjectItemCaseSensitive(r, "declared"));
		if (!strcmp(state, "env"))
			printf("%-32s from env %s (approved; %s here)", name,
			       var, getenv(var) ? "set" : "not set");
		else
			printf("%-32s %s", name, state);
		puts(declared ? ""
		              : "  (not declared by the manifest: never "
		                "given to the skill)");
	}
	if (!cJSON_GetArraySize(rows))
		fprintf(stderr, "skillhost: %s declares no secrets\n", skill);
out:
	cJSON_Delete(rows);
	cJSON_Delete(index);
	return rc;
}

static int set_from_stdin(const char *home, const char *skill, const char *name,
                          int json)
{
	struct sh_error e;
	char *buf;
	size_t n;
	int rc;

	/* sodium_malloc aborts unless the library is initialised. */
	if (sodium_init() < 0)
		return 5;
	buf = sodium_malloc(SECRET_STDIN_MAX + 2);
	if (!buf)
		return 5;
	if (isatty(STDIN_FILENO)) {
		long got =
		        prompt_secret(skill, name, buf, SECRET_STDIN_MAX + 2);
		n = got < 0 ? 0 : (size_t)got;
	} else {
		n = fread(buf, 1, SECRET_STDIN_MAX + 1, stdin);
	}
	if (n > SECRET_STDIN_MAX) {
		sodium_free(buf);
		return cli_usage("secret", "the value is over %zu bytes",
		                 SECRET_STDIN_MAX);
	}
	/* `echo value | skillhost secret set` adds one newline. */
	if (n && buf[n - 1] == '\n')
		n--;
	if (n && buf[n - 1] == '\r')
		n--;
	if (n == 0) {
		sodium_free(buf);
		return cli_usage("secret",
		                 "no value on stdin; pipe it in, e.g. "
		                 "`printf %%s \"$TOKEN\" | skillhost "
		                 "secret set %s %s`, or approve an environment "
		                 "variable with --from-env",
		                 skill, name);
	}
	rc = secrets_set(home, skill, name, buf, n, &e);
	sodium_free(buf);
	if (rc != SH_OK)
		return cli_fail(&e);
	if (json)
		return cli_print_done("skill", skill, "secret", name, NULL);
	printf("set secret %s for %s\n", name, skill);
	return 0;
}

/* Take --force out of argv wherever it is; returns whether it was there. */
static int take_force(int *argc, char **argv)
{
	int found = 0, j = 0;

	for (int i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--force"))
			found = 1;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	return found;
}

int cmd_secret(struct cli_ctx *ctx, int argc, char **argv)
{
	char home[4096];
	struct sh_error e;
	int rc, force = take_force(&argc, argv);

	cli_take_json(ctx, &argc, argv);
	if (argc < 2 || cli_wants_help(argc, argv)) {
		secret_help();
		return argc < 2 ? 2 : 0;
	}
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (!strcmp(argv[1], "list") && argc == 2)
		return list_all(home, ctx->json);
	if (argc < 3 || !skilldesc_valid_skill_name(argv[2]))
		return cli_usage("secret", "give a skill name like ns/name");
	if (!strcmp(argv[1], "set")) {
		const char *var;
		if (argc < 4 || !secrets_valid_name(argv[3]))
			return cli_usage("secret", "give SKILL and a NAME like "
			                           "JIRA_API_TOKEN");
		if ((rc = require_installed(
		             home, argv[2], force,
		             "skillhost secret set SKILL NAME")) ||
		    (rc = require_declared(home, argv[2], argv[3], force)))
			return rc;
		if (argc == 4)
			return set_from_stdin(home, argv[2], argv[3],
			                      ctx->json);
		if (strcmp(argv[4], "--from-env") || argc > 6)
			return cli_usage(
			        "secret",
			        "after SKILL NAME only --from-env [VAR] "
			        "may follow");
		var = argc == 6 ? argv[5] : argv[3];
		if (!secrets_valid_env_name(var))
			return cli_usage("secret",
			                 "'%s' is not an environment variable "
			                 "name (letters, digits and '_')",
			                 var);
		if (secrets_allow_env(home, argv[2], argv[3], var, &e) != SH_OK)
			return cli_fail(&e);
		if (ctx->json)
			return cli_print_done("skill", argv[2], "secret",
			                      argv[3], "from_env", var, NULL);
		printf("approved: %s gets environment variable %s as its "
		       "secret %s at call time\n",
		       argv[2], var, argv[3]);
		if (!getenv(var))
			fprintf(stderr,
			        "skillhost: note: %s is not set in this "
			        "environment; it must be set where the skill "
			        "runs (`skillhost serve`, `call` or `agent`)\n",
			        var);
		return 0;
	}
	if (!strcmp(argv[1], "remove")) {
		if (argc != 4)
			return cli_usage("secret", "give SKILL and NAME");
		if (secrets_set(home, argv[2], argv[3], NULL, 0, &e) != SH_OK)
			return cli_fail(&e);
		if (ctx->json)
			return cli_print_done("skill", argv[2], "removed",
			                      argv[3], NULL);
		printf("removed secret %s of %s\n", argv[3], argv[2]);
		return 0;
	}
	if (!strcmp(argv[1], "list")) {
		int json = ctx->json;
		for (int i = 3; i < argc; i++) {
			if (strcmp(argv[i], "--json"))
				return cli_usage("secret", "unexpected '%s'",
				                 argv[i]);
			json = 1;
		}
		return list_secrets(home, argv[2], json);
	}
	return cli_usage("secret", "unknown subcommand '%s'", argv[1]);
}

int cmd_permit(struct cli_ctx *ctx, int argc, char **argv)
{
	char home[4096], list[4096] = "";
	const char *skill, *pattern, *cur;
	struct config *cfg;
	struct sh_error e;
	int rc, remove = 0, force = take_force(&argc, argv);

	cli_take_json(ctx, &argc, argv);
	if (cli_wants_help(argc, argv)) {
		puts("usage: skillhost permit SKILL HOST[:PORT] [--remove] "
		     "[--force]\n"
		     "       skillhost permit SKILL ADDRESS[:PORT] [--remove]\n"
		     "\n"
		     "Let SKILL reach HOST (and PORT, or any port) through the "
		     "host's HTTP\nservice, beyond its manifest's "
		     "permissions.network. HOST may be\n\"*.example.com\" for "
		     "its subdomains. Loopback, private, link-local\n"
		     "(metadata) and other non-public addresses are refused "
		     "whatever the name;\na literal ADDRESS (127.0.0.1:8080, "
		     "[::1]:8080) lets the skill reach that\naddress. "
		     "`skillhost "
		     "info SKILL` shows the permits; --remove takes "
		     "one\nback. A skill that is not installed is refused "
		     "unless --force.");
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[3], "--remove"))
		remove = 1;
	if (argc != 3 + remove)
		return cli_usage("permit", "give SKILL and HOST[:PORT]");
	skill = argv[1];
	pattern = argv[2];
	if (!skilldesc_valid_skill_name(skill))
		return cli_usage("permit", "'%s' is not a skill name", skill);
	if (!manifest_valid_host_pattern(pattern))
		return cli_usage("permit",
		                 "'%s' is not a host name, *.domain, "
		                 "host:port, or an address (127.0.0.1:8080, "
		                 "[::1]:8080)",
		                 pattern);
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (!remove &&
	    (rc = require_installed(home, skill, force, "skillhost permit")))
		return rc;
	if (config_load(home, &cfg, &e) != SH_OK)
		return cli_fail(&e);
	cur = config_policy(cfg, skill, "network");
	/* Rebuild the comma-separated list with or without pattern. */
	for (const char *p = cur; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n && !(n == strlen(pattern) && !strncmp(p, pattern, n)) &&
		    strlen(list) + n + 2 < sizeof list)
			snprintf(list + strlen(list),
			         sizeof list - strlen(list), "%s%.*s",
			         list[0] ? "," : "", (int)n, p);
		p = comma ? comma + 1 : NULL;
	}
	config_free(cfg);
	if (!remove)
		snprintf(list + strlen(list), sizeof list - strlen(list),
		         "%s%s", list[0] ? "," : "", pattern);
	if (config_update(home, skill, "policy", "network",
	                  list[0] ? list : NULL, &e) != SH_OK)
		return cli_fail(&e);
	if (ctx->json)
		return cli_print_done("skill", skill,
		                      remove ? "removed" : "permitted", pattern,
		                      NULL);
	printf("%s %s may %sreach %s\n",
	       remove ? "removed:" : "permitted:", skill,
	       remove ? "no longer " : "", pattern);
	return 0;
}
