/*
 * cmd_secret.c - `skillhost secret` and `skillhost permit`: what the
 * operator gives a skill beyond its manifest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "commands.h"
#include "config.h"
#include "manifest.h"
#include "secrets.h"
#include "skilldesc.h"
#include "store.h"

/* Most bytes of a secret read from stdin. */
#define SECRET_STDIN_MAX SECRET_VALUE_MAX

static void secret_help(void)
{
	puts("usage: skillhost secret set SKILL NAME     (the value is read "
	     "from stdin)\n"
	     "       skillhost secret set SKILL NAME --from-env [VAR]\n"
	     "       skillhost secret list SKILL [--json]\n"
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
	     "logged.");
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

/* One row of `secret list`: {"name", "declared", "state": "set" | "env"
 * | "missing", "variable"?, "variable_present"?}. */
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

static int list_secrets(const char *home, const char *skill, int json)
{
	cJSON *have = NULL, *index = NULL, *rows = cJSON_CreateArray(), *r;
	const cJSON *decl, *it;
	struct sh_error e;
	int rc = 0;

	if (!rows)
		return 5;
	if (secrets_describe(home, skill, &have, &e) != SH_OK) {
		cJSON_Delete(rows);
		return cli_fail(&e);
	}
	decl = declared_secrets(home, skill, &index);
	cJSON_ArrayForEach(it, decl) if (cJSON_IsString(it))
	        cJSON_AddItemToArray(rows, row(it->valuestring, 1,
	                                       cJSON_GetObjectItemCaseSensitive(
	                                               have, it->valuestring)));
	/* What the store holds that the manifest does not ask for: kept, but
	 * never given to the skill. */
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
	cJSON_Delete(have);
	cJSON_Delete(index);
	return rc;
}

static int set_from_stdin(const char *home, const char *skill, const char *name)
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
	n = fread(buf, 1, SECRET_STDIN_MAX + 1, stdin);
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
	printf("set secret %s for %s\n", name, skill);
	return 0;
}

int cmd_secret(struct cli_ctx *ctx, int argc, char **argv)
{
	char home[4096];
	struct sh_error e;
	int rc;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		secret_help();
		return argc < 2 ? 2 : 0;
	}
	if (argc < 3 || !skilldesc_valid_skill_name(argv[2]))
		return cli_usage("secret", "give a skill name like ns/name");
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (!strcmp(argv[1], "set")) {
		const char *var;
		if (argc < 4 || !secrets_valid_name(argv[3]))
			return cli_usage("secret", "give SKILL and a NAME like "
			                           "JIRA_API_TOKEN");
		if (argc == 4)
			return set_from_stdin(home, argv[2], argv[3]);
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
	int rc, remove = 0;

	if (cli_wants_help(argc, argv)) {
		puts("usage: skillhost permit SKILL HOST[:PORT] [--remove]\n"
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
		     "one\nback.");
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
	printf("%s %s may %sreach %s\n",
	       remove ? "removed:" : "permitted:", skill,
	       remove ? "no longer " : "", pattern);
	return 0;
}
