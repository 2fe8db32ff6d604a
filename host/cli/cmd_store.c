/*
 * cmd_store.c - `skillhost install`, `remove`, `list`, `info`, `rollback`:
 * the local store.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "commands.h"
#include "config.h"
#include "registry_client.h"
#include "oauthbroker.h"
#include "secrets.h"
#include "store.h"

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void when(const cJSON *rec, char *buf, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, "installed");
	time_t t = cJSON_IsNumber(v) ? (time_t)v->valuedouble : 0;
	struct tm tm;

	gmtime_r(&t, &tm);
	(void)strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "a, b" from a JSON array of strings, or "none". */
static void joined(const cJSON *arr, char *buf, size_t cap)
{
	const cJSON *it;
	size_t used = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(it, arr) if (cJSON_IsString(it) && used < cap)
	        used += (size_t)snprintf(buf + used, cap - used, "%s%s",
	                                 used ? ", " : "", it->valuestring);
	if (!buf[0])
		snprintf(buf, cap, "none");
}

static void print_permissions(const cJSON *perm, const char *indent)
{
	static const char *const kinds[] = {"network", "secrets", "filesystem"};
	char buf[1024];

	for (int i = 0; i < 3; i++) {
		joined(cJSON_GetObjectItemCaseSensitive(perm, kinds[i]), buf,
		       sizeof buf);
		printf("%s%-11s %s\n", indent, kinds[i], buf);
	}
}

static const cJSON *entry_of(const cJSON *index, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(index, "skills"), name);
}

/* A package file, rather than NAME[@VERSION] for the registries: an
 * existing file, or a name ending in .skill ("./x" forces a file). */
static int is_package_path(const char *arg)
{
	struct stat st;
	size_t n = strlen(arg);

	return (n > 6 && !strcmp(arg + n - 6, ".skill")) ||
	       !strncmp(arg, "./", 2) || arg[0] == '/' ||
	       (stat(arg, &st) == 0 && S_ISREG(st.st_mode));
}

int cmd_install(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"allow-downgrade", no_argument, NULL, 'd'},
	        {"force", no_argument, NULL, 'f'},
	        {"sig", required_argument, NULL, 'x'},
	        {"registry", required_argument, NULL, 'r'},
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct store_install_opts o = {0};
	struct regclient_install_opts ro = {0};
	struct store_install_result res;
	char home[4096];
	cJSON *index = NULL;
	const cJSON *cur, *perms;
	struct sh_error e;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "dfx:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': ctx->json = 1; break;
		case 'd': o.allow_downgrade = 1; break;
		case 'f': o.force = 1; break;
		case 'x': o.sig_path = optarg; break;
		case 'r': ro.registry = optarg; break;
		case 'h':
			puts("usage: skillhost install FILE.skill "
			     "[--allow-downgrade] [--force] [--sig FILE]\n"
			     "       skillhost install "
			     "NAME[@VERSION|@^VERSION] "
			     "[--registry R]\n"
			     "                         [--allow-downgrade] "
			     "[--force] [--json]\n"
			     "\n"
			     "Install a signed package. Its signature is read "
			     "from\nFILE.skill.minisig (or --sig) and must "
			     "come "
			     "from a key trusted for\nthe package's namespace "
			     "(`skillhost trust add`). The signature "
			     "is\nchecked "
			     "before anything is decompressed; every file is "
			     "checked\nagainst the signed manifest; the skill "
			     "is "
			     "test-loaded in a\nseparate process; only then "
			     "does "
			     "the store switch to it. A newer\nversion keeps "
			     "the "
			     "old one for `skillhost rollback`.\n"
			     "\n"
			     "NAME installs from the registries (`skillhost "
			     "registry`): the newest\nstable version, exactly "
			     "@VERSION, or the newest within @^VERSION\n(^1.2 "
			     "means >=1.2.0 <2.0.0). The package must be the "
			     "exact bytes\nthe registry's signed index lists "
			     "(length and hash, checked while\ndownloading), "
			     "signed by the publisher key the index lists for "
			     "its\nnamespace, which this host must trust too. "
			     "Use ./FILE for a package\nfile whose name does "
			     "not "
			     "end in .skill. Installing the installed "
			     "version\nagain changes nothing and exits 0; "
			     "--force reinstalls it.\n"
			     "\n"
			     "Exit status: 0 installed, 2 the package file is "
			     "malformed (say, its\nmanifest repeats a key) or "
			     "the request needs an option, 3 trust or\n"
			     "integrity refused, 4 not found, 5 anything "
			     "else.");
			return 0;
		default: return cli_usage("install", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage("install", "give one FILE.skill or NAME");
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	o.same_version_ok = !o.force;
	if (!is_package_path(argv[optind])) {
		if (o.sig_path)
			return cli_usage("install", "--sig is for package "
			                            "files; a registry lists "
			                            "the signature");
		ro.force = o.force;
		ro.allow_downgrade = o.allow_downgrade;
		ro.same_version_ok = o.same_version_ok;
		if ((rc = cli_install_from_registry(ctx, argv[optind], &ro,
		                                    &res)))
			return rc;
	} else if (ro.registry) {
		return cli_usage("install", "--registry is for NAME, not for "
		                            "a package file");
	} else if (store_install(home, argv[optind], &o, &res, &e) != SH_OK) {
		/* A package file that is not a well-formed package is a bad
		 * argument: exit 2, as for the other things to fix in the
		 * request, rather than the catch-all 5. */
		rc = cli_fail(&e);
		return e.status == SH_ERR_INVALID ? 2 : rc;
	}
	if (store_read_index(home, &index, &e) != SH_OK)
		index = NULL;
	cur = cJSON_GetObjectItemCaseSensitive(entry_of(index, res.name),
	                                       "current");
	perms = cJSON_GetObjectItemCaseSensitive(cur, "permissions");
	if (ctx->json) {
		cJSON *j = cJSON_CreateObject();
		if (j) {
			cJSON_AddStringToObject(j, "name", res.name);
			cJSON_AddStringToObject(j, "version", res.version);
			cJSON_AddStringToObject(j, "publisher", res.publisher);
			cJSON_AddBoolToObject(j, "changed", !res.unchanged);
			if (res.previous[0])
				cJSON_AddStringToObject(j, "previous",
				                        res.previous);
			cJSON_AddItemToObject(j, "permissions",
			                      perms ? cJSON_Duplicate(perms, 1)
			                            : cJSON_CreateObject());
		}
		rc = j ? cli_print_json(j, 1) : 5;
		cJSON_Delete(j);
		cJSON_Delete(index);
		return rc;
	}
	if (res.unchanged)
		printf("%s %s is already installed; nothing to do (--force "
		       "reinstalls it)\n",
		       res.name, res.version);
	else if (res.previous[0])
		printf("installed %s %s (replacing %s), signed by key %s\n",
		       res.name, res.version, res.previous, res.publisher);
	else
		printf("installed %s %s, signed by key %s\n", res.name,
		       res.version, res.publisher);
	if (cur && !res.unchanged) {
		printf("permissions it declares:\n");
		print_permissions(perms, "  ");
		cli_print_agentskills(cur);
	}
	cJSON_Delete(index);
	return 0;
}

/* What the store still holds for a removed skill: its secrets and its
 * configuration, which a reinstall would pick up again. With purge they
 * go too. Returns an exit code. */
static int leftovers(const char *home, const char *name, int purge, int json)
{
	char **names = NULL;
	struct config *cfg = NULL;
	struct sh_error e;
	char what[128];
	size_t nsecrets = 0;
	int configured = 0, rc = 0;

	/* A purge forgets a `skillhost login` too, revoking it where the
	 * provider can (a failed revocation still removes the tokens);
	 * first, while the client secret it revokes with is still stored. */
	if (purge && oauthbroker_logged_in(home, name, NULL)) {
		int revoked;
		sh_status st = oauthbroker_logout(home, name, &revoked, &e);
		if (st == SH_ERR_IO)
			fprintf(stderr, "skillhost: warning: %s\n", e.msg);
		else if (st != SH_OK)
			rc = cli_fail(&e);
	}
	if (secrets_names(home, name, &names, &e) != SH_OK)
		return cli_fail(&e);
	for (; names && names[nsecrets]; nsecrets++)
		if (purge && secrets_set(home, name, names[nsecrets], NULL, 0,
		                         &e) != SH_OK)
			rc = cli_fail(&e);
	secrets_free_names(names);
	if (config_load(home, &cfg, &e) != SH_OK)
		return cli_fail(&e);
	configured = config_skill(cfg, name) != NULL;
	config_free(cfg);
	if (purge && configured && config_remove_skill(home, name, &e) != SH_OK)
		rc = cli_fail(&e);
	if (rc || (!nsecrets && !configured) || json)
		return rc;
	if (nsecrets)
		snprintf(what, sizeof what, "%zu stored secret%s%s", nsecrets,
		         nsecrets == 1 ? "" : "s",
		         configured ? " and its configuration" : "");
	else
		snprintf(what, sizeof what, "configuration");
	if (purge)
		printf("purged %s's %s\n", name, what);
	else
		printf("kept %s's %s for a reinstall; `skillhost remove "
		       "--purge %s` removes %s too\n",
		       name, what, name,
		       nsecrets + configured > 1 ? "them" : "it");
	return 0;
}

int cmd_remove(struct cli_ctx *ctx, int argc, char **argv)
{
	char home[4096];
	const char *name = NULL;
	struct sh_error e;
	int rc, purge = 0;

	cli_take_json(ctx, &argc, argv);
	if (cli_wants_help(argc, argv)) {
		puts("usage: skillhost remove NAME [--purge] "
		     "[--json]\n\nUninstall a "
		     "skill (every version of it). Its stored secrets\nand "
		     "configuration stay for a reinstall unless --purge is "
		     "given.");
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--purge"))
			purge = 1;
		else if (argv[i][0] == '-' || name)
			return cli_usage("remove", "unexpected '%s'", argv[i]);
		else
			name = argv[i];
	}
	if (!name)
		return cli_usage("remove", "give one skill NAME");
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (store_remove(home, name, &e) != SH_OK) {
		/* --purge also cleans up after a skill already removed. */
		if (!(purge && e.status == SH_ERR_NOTFOUND))
			return cli_fail(&e);
		fprintf(stderr,
		        "skillhost: %s is not installed; purging what the "
		        "store still holds for it\n",
		        name);
	} else if (!ctx->json) {
		printf("removed %s\n", name);
	}
	cli_remove_exports(home, name);
	if ((rc = leftovers(home, name, purge, ctx->json)))
		return rc;
	return ctx->json ? cli_print_done("removed", name, "purged",
	                                  purge ? "yes" : "no", NULL)
	                 : 0;
}

int cmd_rollback(struct cli_ctx *ctx, int argc, char **argv)
{
	char home[4096], now[128];
	struct sh_error e;
	int rc;

	cli_take_json(ctx, &argc, argv);
	if (cli_wants_help(argc, argv)) {
		puts("usage: skillhost rollback NAME [--json]\n\nSwitch a "
		     "skill back to "
		     "the version it had before the last\nupgrade (running "
		     "it again switches forward).");
		return 0;
	}
	if (argc != 2)
		return cli_usage("rollback", "give one skill NAME");
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (store_rollback(home, argv[1], now, sizeof now, &e) != SH_OK)
		return cli_fail(&e);
	if (ctx->json)
		return cli_print_done("name", argv[1], "version", now, NULL);
	printf("%s is now at %s\n", argv[1], now);
	return 0;
}

int cmd_list(struct cli_ctx *ctx, int argc, char **argv)
{
	const cJSON *s;
	char home[4096];
	cJSON *index, *out;
	struct sh_error e;
	int rc, json = ctx->json;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			puts("usage: skillhost list [--json]\n\nList the "
			     "installed skills.");
			return 0;
		} else
			return cli_usage("list", "unexpected '%s'", argv[i]);
	}
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (store_read_index(home, &index, &e) != SH_OK)
		return cli_fail(&e);
	if (json) {
		out = cJSON_CreateArray();
		cJSON_ArrayForEach(
		        s, cJSON_GetObjectItemCaseSensitive(index, "skills"))
		{
			const cJSON *cur =
			        cJSON_GetObjectItemCaseSensitive(s, "current");
			const cJSON *prev =
			        cJSON_GetObjectItemCaseSensitive(s, "previous");
			const cJSON *desc =
			        cJSON_GetObjectItemCaseSensitive(cur, "skill");
			cJSON *o = cJSON_CreateObject();
			cJSON_AddItemToArray(out, o);
			cJSON_AddStringToObject(o, "name", s->string);
			cJSON_AddStringToObject(o, "version",
			                        str(cur, "version"));
			cJSON_AddStringToObject(o, "publisher",
			                        str(cur, "publisher"));
			cJSON_AddNumberToObject(
			        o, "tools",
			        cJSON_GetArraySize(
			                cJSON_GetObjectItemCaseSensitive(
			                        desc, "tools")));
			if (cJSON_IsObject(prev))
				cJSON_AddStringToObject(o, "previous",
				                        str(prev, "version"));
			if (store_record_disabled(cur))
				cJSON_AddStringToObject(
				        o, "disabled_key",
				        store_record_disabled(cur));
		}
		rc = cli_print_json(out, 1);
		cJSON_Delete(out);
	} else {
		int n = 0;
		cJSON_ArrayForEach(
		        s, cJSON_GetObjectItemCaseSensitive(index, "skills"))
		{
			const cJSON *cur =
			        cJSON_GetObjectItemCaseSensitive(s, "current");
			char t[32];
			when(cur, t, sizeof t);
			printf("%-32s %-12s key %s  installed %s%s\n",
			       s->string, str(cur, "version"),
			       str(cur, "publisher"), t,
			       store_record_disabled(cur)
			               ? "  DISABLED (key no longer trusted)"
			               : "");
			n++;
		}
		if (!n)
			fprintf(stderr,
			        "skillhost: no skills installed in %s\n", home);
	}
	cJSON_Delete(index);
	return rc;
}

int cmd_info(struct cli_ctx *ctx, int argc, char **argv)
{
	const cJSON *ent, *cur, *prev, *desc, *t;
	char home[4096], ts[32];
	struct config *cfg = NULL;
	cJSON *index;
	struct sh_error e;
	int rc, json = ctx->json;
	const char *name = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			puts("usage: skillhost info NAME [--json]\n\nShow an "
			     "installed skill: version, publisher key,\n"
			     "permissions, tools, install time and "
			     "configuration.");
			return 0;
		} else if (!name)
			name = argv[i];
		else
			return cli_usage("info", "unexpected '%s'", argv[i]);
	}
	if (!name)
		return cli_usage("info", "give a skill NAME");
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (store_read_index(home, &index, &e) != SH_OK)
		return cli_fail(&e);
	ent = entry_of(index, name);
	if (!ent) {
		fprintf(stderr,
		        "skillhost: error: %s is not installed; see "
		        "`skillhost list`\n",
		        name);
		cJSON_Delete(index);
		return 4;
	}
	cur = cJSON_GetObjectItemCaseSensitive(ent, "current");
	prev = cJSON_GetObjectItemCaseSensitive(ent, "previous");
	desc = cJSON_GetObjectItemCaseSensitive(cur, "skill");
	config_load(home, &cfg, &e);
	if (json) {
		cJSON *o = cJSON_Duplicate(cur, 1);
		const cJSON *conf = config_skill(cfg, name);
		cJSON_AddStringToObject(o, "name", name);
		if (cJSON_IsObject(prev))
			cJSON_AddStringToObject(o, "previous",
			                        str(prev, "version"));
		if (conf)
			cJSON_AddItemToObject(o, "config",
			                      cJSON_Duplicate(conf, 1));
		rc = cli_print_json(o, 1);
		cJSON_Delete(o);
	} else {
		when(cur, ts, sizeof ts);
		printf("%s %s\n  %s\n", name, str(cur, "version"),
		       str(desc, "description"));
		printf("  publisher key %s\n  installed   %s\n",
		       str(cur, "publisher"), ts);
		if (cJSON_IsObject(prev))
			printf("  previous    %s (skillhost rollback %s)\n",
			       str(prev, "version"), name);
		if (store_record_disabled(cur)) {
			char why[SH_ERROR_MSG_MAX];
			store_disabled_reason(name, cur, why, sizeof why);
			printf("  DISABLED    %s\n", why);
		}
		printf("  license     %s\n",
		       *str(desc, "license") ? str(desc, "license") : "-");
		printf("permissions:\n");
		print_permissions(
		        cJSON_GetObjectItemCaseSensitive(cur, "permissions"),
		        "  ");
		printf("tools:\n");
		cJSON_ArrayForEach(
		        t, cJSON_GetObjectItemCaseSensitive(desc, "tools"))
		        printf("  %s.%s  %s\n", name, str(t, "name"),
		               *str(t, "title") ? str(t, "title")
		                                : str(t, "description"));
		{
			const cJSON *conf = config_skill(cfg, name), *sec, *kv;
			static const char *const secs[] = {"policy",
			                                   "settings"};
			for (int i = 0; conf && i < 2; i++) {
				sec = cJSON_GetObjectItemCaseSensitive(conf,
				                                       secs[i]);
				cJSON_ArrayForEach(kv, sec) printf(
				        "  %s %s = %s\n", secs[i], kv->string,
				        cJSON_IsString(kv) ? kv->valuestring
				                           : "?");
			}
		}
	}
	config_free(cfg);
	cJSON_Delete(index);
	return rc;
}
