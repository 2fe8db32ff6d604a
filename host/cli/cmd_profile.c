/*
 * cmd_profile.c - `skillhost profile`: named tool subsets (profile.h),
 * the claim mapping that picks one per caller, and what `serve` needs of
 * both (plus the call limits of ratelimit.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "hostapi.h"
#include "profile.h"
#include "ratelimit.h"
#include "runtime.h"

static void help(void)
{
	puts("usage: skillhost profile set NAME --tools PATTERN...\n"
	     "       skillhost profile list | show NAME | remove NAME\n"
	     "       skillhost profile map (--scope S | --group G | "
	     "--client-id C) NAME\n"
	     "       skillhost profile unmap (--scope S | --group G | "
	     "--client-id C)\n"
	     "\n"
	     "A profile is a named subset of the tools: `serve --profile "
	     "NAME`\n"
	     "lists and runs only those, and `tools --profile NAME` shows "
	     "them.\n"
	     "PATTERN is a glob over canonical names (ns/skill.tool): '*' "
	     "matches\n"
	     "anything, '?' one character; quote it from the shell, e.g.\n"
	     "  skillhost profile set sales --tools 'skillhost/salesforce.*' "
	     "'example/hello.*'\n"
	     "map picks a profile from a verified OAuth token's claims "
	     "(a scope it\n"
	     "grants, a group it names, or its client id); the first rule "
	     "that\n"
	     "matches wins, others fall back to serve --profile. Stored in\n"
	     "HOME/profiles.json.");
}

static int do_set(const char *home, int argc, char **argv)
{
	struct sh_error err;
	int i = 2;

	if (argc < 3)
		return cli_usage("profile",
		                 "set needs NAME --tools PATTERN...");
	if (i + 1 >= argc || strcmp(argv[i + 1], "--tools"))
		return cli_usage("profile", "set %s needs --tools PATTERN...",
		                 argv[i]);
	if (argc <= i + 2)
		return cli_usage("profile", "--tools needs at least one "
		                            "PATTERN");
	sh_error_clear(&err);
	if (profile_store_set(home, argv[i], (const char *const *)&argv[i + 2],
	                      (size_t)(argc - i - 2), &err) != SH_OK)
		return err.status == SH_ERR_USAGE
		               ? cli_usage("profile", "%s", err.msg)
		               : cli_fail(&err);
	fprintf(stderr, "profile %s: %d pattern%s\n", argv[i], argc - i - 2,
	        argc - i - 2 == 1 ? "" : "s");
	return 0;
}

static cJSON *profile_json(const struct profile *p)
{
	cJSON *o = cJSON_CreateObject(), *a;

	if (!o || !cJSON_AddStringToObject(o, "name", p->name) ||
	    !(a = cJSON_AddArrayToObject(o, "tools"))) {
		cJSON_Delete(o);
		return NULL;
	}
	for (size_t k = 0; k < p->n_patterns; k++)
		if (!cJSON_AddItemToArray(a,
		                          cJSON_CreateString(p->patterns[k]))) {
			cJSON_Delete(o);
			return NULL;
		}
	return o;
}

static int do_show(struct cli_ctx *ctx, const char *home, const char *name)
{
	struct profile_set *ps = NULL;
	struct sh_error err;
	int rc = 0;

	sh_error_clear(&err);
	if (profile_set_load(home, &ps, &err) != SH_OK)
		return cli_fail(&err);
	if (name && !profile_get(ps, name)) {
		profile_set_free(ps);
		sh_error_set(&err, SH_ERR_NOTFOUND,
		             "no profile \"%.64s\"; `skillhost profile list` "
		             "shows them",
		             name);
		return cli_fail(&err);
	}
	if (ctx->json) {
		cJSON *out = name ? NULL : cJSON_CreateArray();
		for (size_t i = 0; i < profile_count(ps); i++) {
			const struct profile *p = profile_at(ps, i);
			cJSON *o;
			if (name && strcmp(p->name, name))
				continue;
			if (!(o = profile_json(p)) ||
			    (out && !cJSON_AddItemToArray(out, o))) {
				cJSON_Delete(o);
				rc = 5;
				break;
			}
			if (!out)
				out = o;
		}
		if (rc == 0)
			rc = cli_print_json(out, 1);
		cJSON_Delete(out);
	} else {
		for (size_t i = 0; i < profile_count(ps); i++) {
			const struct profile *p = profile_at(ps, i);
			if (name && strcmp(p->name, name))
				continue;
			printf("%s", p->name);
			for (size_t k = 0; k < p->n_patterns; k++)
				printf("%s%s", name ? "\n  " : " ",
				       p->patterns[k]);
			putchar('\n');
		}
		if (!name && profile_count(ps) == 0)
			fprintf(stderr, "no profiles; create one with "
			                "`skillhost profile set NAME --tools "
			                "PATTERN...`\n");
	}
	profile_set_free(ps);
	if (rc == 5)
		fprintf(stderr, "skillhost: error: out of memory\n");
	return rc;
}

static int do_map(const char *home, int argc, char **argv, int unmap)
{
	static const char *const opts[][2] = {{"--scope", "scope"},
	                                      {"--group", "group"},
	                                      {"--client-id", "client_id"}};
	const char *kind = NULL;
	struct sh_error err;
	int want = unmap ? 4 : 5;

	if (argc == want)
		for (size_t k = 0; k < 3; k++)
			if (!strcmp(argv[2], opts[k][0]))
				kind = opts[k][1];
	if (!kind)
		return cli_usage("profile",
		                 "%s takes one of --scope, --group or "
		                 "--client-id with a value%s",
		                 argv[1],
		                 unmap ? "" : ", then the profile NAME");
	sh_error_clear(&err);
	if (profile_store_map(home, kind, argv[3], unmap ? NULL : argv[4],
	                      &err) != SH_OK)
		return err.status == SH_ERR_USAGE
		               ? cli_usage("profile", "%s", err.msg)
		               : cli_fail(&err);
	return 0;
}

int cmd_profile(struct cli_ctx *ctx, int argc, char **argv)
{
	char home[PATH_MAX];
	struct sh_error err;
	int rc;

	cli_take_json(ctx, &argc, argv);
	if (cli_wants_help(argc, argv)) {
		help();
		return 0;
	}
	if (argc < 2)
		return cli_usage("profile", "missing subcommand (set, list, "
		                            "show, remove, map, unmap)");
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (!strcmp(argv[1], "set"))
		return do_set(home, argc, argv);
	if (!strcmp(argv[1], "list")) {
		if (argc != 2)
			return cli_usage("profile", "list takes no arguments");
		return do_show(ctx, home, NULL);
	}
	if (!strcmp(argv[1], "show")) {
		if (argc != 3)
			return cli_usage("profile", "show takes one NAME");
		return do_show(ctx, home, argv[2]);
	}
	if (!strcmp(argv[1], "remove")) {
		if (argc != 3)
			return cli_usage("profile", "remove takes one NAME");
		sh_error_clear(&err);
		if (profile_store_remove(home, argv[2], &err) != SH_OK)
			return cli_fail(&err);
		return 0;
	}
	if (!strcmp(argv[1], "map") || !strcmp(argv[1], "unmap"))
		return do_map(home, argc, argv, argv[1][0] == 'u');
	return cli_usage("profile",
	                 "unknown subcommand '%s' (set, list, show, remove, "
	                 "map, unmap)",
	                 argv[1]);
}

sh_status cli_serve_policy(const struct cli_ctx *ctx, struct runtime *rt,
                           const char *profile, struct cli_serve_policy *out,
                           struct sh_error *e)
{
	struct rl_limits l;
	sh_status rc;

	memset(out, 0, sizeof *out);
	(void)ctx;
	/* The claim mapping is always loaded, so a principal the OAuth
	 * layer names gets its profile even without --profile. */
	if (runtime_home(rt) &&
	    (rc = profile_set_load(runtime_home(rt), &out->profiles, e)))
		return rc;
	if (profile && !(out->profile = profile_get(out->profiles, profile))) {
		cli_serve_policy_free(out);
		return sh_error_set(e, SH_ERR_NOTFOUND,
		                    "no profile \"%.64s\"; create it with "
		                    "`skillhost profile set %.64s --tools "
		                    "PATTERN...`",
		                    profile, profile);
	}
	if (ratelimit_limits_from_config(runtime_config(rt), &l, e)) {
		cli_serve_policy_free(out);
		return sh_error_prefix(e, "cannot serve");
	}
	if (ratelimit_any(&l) &&
	    !(out->limits = ratelimit_new(&l, NULL, NULL,
	                                  runtime_services(rt)->metrics))) {
		cli_serve_policy_free(out);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	return SH_OK;
}

void cli_serve_policy_free(struct cli_serve_policy *p)
{
	ratelimit_free(p->limits);
	profile_set_free(p->profiles);
	memset(p, 0, sizeof *p);
}
