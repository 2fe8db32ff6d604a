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

/* Most bytes of a secret read from stdin. */
#define SECRET_STDIN_MAX SECRET_VALUE_MAX

static void secret_help(void)
{
	puts("usage: skillhost secret set SKILL NAME     (the value is read "
	     "from stdin)\n"
	     "       skillhost secret list SKILL [--json]\n"
	     "       skillhost secret remove SKILL NAME\n"
	     "\n"
	     "Secrets are kept in the store's secrets.json (mode 0600). A "
	     "skill reads\nonly the secrets its manifest declares; when one is "
	     "not set here, the\nenvironment variable of the same name is "
	     "used. Values are never\nprinted or logged.");
}

static int valid_secret(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 64 || n[0] < 'A' || n[0] > 'Z')
		return 0;
	for (const char *c = n; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '_'))
			return 0;
	return 1;
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
		char *buf;
		size_t n;
		if (argc != 4 || !valid_secret(argv[3]))
			return cli_usage("secret", "give SKILL and a NAME like "
			                           "JIRA_API_TOKEN");
		/* sodium_malloc aborts unless the library is initialised. */
		if (sodium_init() < 0)
			return 5;
		buf = sodium_malloc(SECRET_STDIN_MAX + 2);
		if (!buf)
			return 5;
		n = fread(buf, 1, SECRET_STDIN_MAX + 1, stdin);
		if (n > SECRET_STDIN_MAX) {
			sodium_free(buf);
			return cli_usage("secret", "the value is over %u bytes",
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
			                 "secret set %s %s`",
			                 argv[2], argv[3]);
		}
		rc = secrets_set(home, argv[2], argv[3], buf, n, &e);
		sodium_free(buf);
		if (rc != SH_OK)
			return cli_fail(&e);
		printf("set secret %s for %s\n", argv[3], argv[2]);
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
		char **names;
		if (secrets_names(home, argv[2], &names, &e) != SH_OK)
			return cli_fail(&e);
		if (ctx->json || (argc > 3 && !strcmp(argv[3], "--json"))) {
			cJSON *a = cJSON_CreateArray();
			for (char **p = names; *p; p++)
				cJSON_AddItemToArray(a, cJSON_CreateString(*p));
			rc = cli_print_json(a, 1);
			cJSON_Delete(a);
		} else {
			for (char **p = names; *p; p++)
				puts(*p);
		}
		secrets_free_names(names);
		return rc;
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
