/*
 * cmd_registry.c - `skillhost registry`, `search`, `outdated`, `upgrade`,
 * and installs from registries for `skillhost install NAME[@VERSION]`.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "minisig.h"
#include "registry_client.h"
#include "skilldesc.h"

#define MAX_NAMESPACES_ARGS 64

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static int open_set(const char *home, const char *name,
                    enum regclient_refresh mode, struct regclient_set **s)
{
	struct regclient_opts o = {.refresh = mode};
	struct sh_error e;

	if (regclient_open(home, name, &o, s, &e) != SH_OK)
		return cli_fail(&e);
	return 0;
}

static void print_trusted(const cJSON *added)
{
	const cJSON *a, *o;

	cJSON_ArrayForEach(a, added)
	{
		printf("  trusted key %s for namespace %s\n", str(a, "key_id"),
		       str(a, "namespace"));
		cJSON_ArrayForEach(
		        o, cJSON_GetObjectItemCaseSensitive(a, "also_trusted"))
		        fprintf(stderr,
		                "skillhost: warning: namespace %s was already "
		                "trusted to key %s; key %s from the registry "
		                "can now publish it too (undo with `skillhost "
		                "trust remove %s`)\n",
		                str(a, "namespace"), o->valuestring,
		                str(a, "key_id"), str(a, "key_id"));
		if (cJSON_IsTrue(
		            cJSON_GetObjectItemCaseSensitive(a, "first_party")))
			fprintf(stderr,
			        "skillhost: warning: %s is the first-party "
			        "namespace; key %s from the registry can now "
			        "publish skillhost/* skills\n",
			        str(a, "namespace"), str(a, "key_id"));
	}
}

/* Why namespaces must be named, for the usage errors. */
#define NAMESPACES_WHY                                                         \
	"name the namespaces whose registry-listed keys you trust "            \
	"(`--namespace NS`, repeatable); trusting every namespace a "          \
	"registry lists would let whoever controls its index publish as "      \
	"any namespace, first-party `skillhost/` included. Review them "       \
	"with `skillhost registry trust NAME --list`"

/* ---- registry add ------------------------------------------------------- */

static int registry_add(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"root-key", required_argument, NULL, 'k'},
	        {"mirror", required_argument, NULL, 'm'},
	        {"trust-publishers", no_argument, NULL, 't'},
	        {"namespace", required_argument, NULL, 'n'},
	        {NULL, 0, NULL, 0},
	};
	const char *urls[DOWNLOAD_MAX_MIRRORS], *keyfile = NULL;
	const char *nss[MAX_NAMESPACES_ARGS];
	size_t nns = 0;
	struct regclient_summary sum;
	struct regclient_set *s = NULL;
	struct minisig_pubkey pk;
	char home[4096], id[MINISIG_KEYID_HEX_SIZE], t[REGINDEX_TIME_SIZE];
	size_t nurls = 1;
	struct sh_error e;
	int c, rc, trust = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': keyfile = optarg; break;
		case 't': trust = 1; break;
		case 'n':
			if (nns >= MAX_NAMESPACES_ARGS)
				return cli_usage("registry add",
				                 "too many namespaces");
			nss[nns++] = optarg;
			break;
		case 'm':
			if (nurls >= DOWNLOAD_MAX_MIRRORS)
				return cli_usage("registry add",
				                 "at most %d URLs",
				                 DOWNLOAD_MAX_MIRRORS);
			urls[nurls++] = optarg;
			break;
		default: return cli_usage("registry add", "unknown option");
		}
	}
	if (optind + 2 != argc || !keyfile)
		return cli_usage("registry add",
		                 "give NAME URL --root-key ROOT.pub");
	if (trust && !nns)
		return cli_usage("registry add",
		                 "--trust-publishers needs --namespace NS: "
		                 "%s",
		                 NAMESPACES_WHY);
	if (!trust && nns)
		return cli_usage("registry add",
		                 "--namespace goes with --trust-publishers");
	urls[0] = argv[optind + 1];
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (minisig_pubkey_load(keyfile, &pk, &e) != SH_OK)
		return cli_fail(&e);
	if (regclient_add(home, argv[optind], urls, nurls, &pk, NULL, &sum,
	                  &e) != SH_OK)
		return cli_fail(&e);
	minisig_keyid_to_hex(pk.key_id, id);
	regindex_time_format(sum.expires, t);
	printf("added registry %s (root key %s, root version %" PRId64
	       ", index version %" PRId64 ": %zu packages, %zu namespaces; "
	       "signed until %s)\n",
	       argv[optind], id, sum.root_version, sum.index_version,
	       sum.npackages, sum.nnamespaces, t);
	if (!trust) {
		if (sum.nnamespaces)
			printf("no publisher keys were trusted: review them "
			       "with `skillhost registry trust %s --list`, "
			       "then trust them with `skillhost registry "
			       "trust %s --namespace NS`\n",
			       argv[optind], argv[optind]);
		return 0;
	}
	{
		cJSON *added = NULL;
		if ((rc = open_set(home, argv[optind], REGCLIENT_OFFLINE, &s)))
			return rc;
		if (regclient_trust_publishers(home, s, argv[optind], nss, nns,
		                               &added, &e) != SH_OK) {
			regclient_set_free(s);
			return cli_fail(&e);
		}
		print_trusted(added);
		cJSON_Delete(added);
		regclient_set_free(s);
	}
	return cli_sync_trust(home);
}

/* ---- registry list, remove, update, trust -------------------------------- */

static int registry_list(struct cli_ctx *ctx, int argc, char **argv)
{
	struct regclient_set *s = NULL;
	const cJSON *r, *u;
	char home[4096];
	cJSON *list;
	int rc, json = ctx->json;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else
			return cli_usage("registry list", "unexpected '%s'",
			                 argv[i]);
	}
	if ((rc = cli_home(ctx, home, sizeof home)) ||
	    (rc = open_set(home, NULL, REGCLIENT_OFFLINE, &s)))
		return rc;
	list = regclient_list_json(s);
	regclient_set_free(s);
	if (!list) {
		fprintf(stderr, "skillhost: error: out of memory\n");
		return 5;
	}
	if (json) {
		rc = cli_print_json(list, 1);
		cJSON_Delete(list);
		return rc;
	}
	cJSON_ArrayForEach(r, list)
	{
		const cJSON *ver =
		        cJSON_GetObjectItemCaseSensitive(r, "index_version");
		printf("%s\n  root key %s (root version %.0f)\n",
		       str(r, "name"), str(r, "root_key_id"),
		       cJSON_GetObjectItemCaseSensitive(r, "root_version")
		               ->valuedouble);
		cJSON_ArrayForEach(u,
		                   cJSON_GetObjectItemCaseSensitive(r, "urls"))
		        printf("  url      %s\n", u->valuestring);
		if (cJSON_IsNumber(ver))
			printf("  index    version %.0f, %.0f packages, "
			       "expires "
			       "%s, checked %s\n",
			       ver->valuedouble,
			       cJSON_GetObjectItemCaseSensitive(r, "packages")
			               ->valuedouble,
			       str(r, "expires"), str(r, "checked"));
		else
			printf("  problem  %s\n", str(r, "problem"));
	}
	if (!cJSON_GetArraySize(list))
		fprintf(stderr, "skillhost: no registries; add one with "
		                "`skillhost registry add NAME URL --root-key "
		                "ROOT.pub`\n");
	cJSON_Delete(list);
	return 0;
}

static int registry_remove(struct cli_ctx *ctx, int argc, char **argv)
{
	char home[4096];
	struct sh_error e;
	int rc;

	if (argc != 2)
		return cli_usage("registry remove", "give one registry NAME");
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (regclient_remove(home, argv[1], &e) != SH_OK)
		return cli_fail(&e);
	printf("removed registry %s (installed skills and trusted keys "
	       "stay)\n",
	       argv[1]);
	return 0;
}

static int registry_update(struct cli_ctx *ctx, int argc, char **argv)
{
	struct regclient_set *s = NULL;
	char home[4096];
	int rc;

	if (argc > 2)
		return cli_usage("registry update", "give at most one NAME");
	if ((rc = cli_home(ctx, home, sizeof home)) ||
	    (rc = open_set(home, argc == 2 ? argv[1] : NULL, REGCLIENT_ALWAYS,
	                   &s)))
		return rc;
	for (size_t i = 0; i < s->n; i++)
		printf("%s: index version %" PRId64 ", %zu packages\n",
		       s->regs[i].name, s->regs[i].ix->version,
		       s->regs[i].ix->npkgs);
	regclient_set_free(s);
	return 0;
}

static int registry_trust(struct cli_ctx *ctx, int argc, char **argv)
{
	struct regclient_set *s = NULL;
	const char *nss[MAX_NAMESPACES_ARGS];
	size_t nns = 0;
	char home[4096];
	cJSON *added = NULL;
	struct sh_error e;
	int rc, list = 0;
	const char *name = NULL;

	for (int i = 1; i < argc; i++) {
		const char *ns = NULL;
		if (!strcmp(argv[i], "--list"))
			list = 1;
		else if (!strcmp(argv[i], "--namespace") && i + 1 < argc)
			ns = argv[++i];
		else if (!strncmp(argv[i], "--namespace=", 12))
			ns = argv[i] + 12;
		else if (argv[i][0] == '-')
			return cli_usage("registry trust",
			                 "unknown option '%s'", argv[i]);
		else if (!name)
			name = argv[i];
		else
			ns = argv[i]; /* NAMESPACE... as before */
		if (ns && nns >= MAX_NAMESPACES_ARGS)
			return cli_usage("registry trust",
			                 "too many namespaces");
		if (ns)
			nss[nns++] = ns;
	}
	if (!name)
		return cli_usage("registry trust",
		                 "give a registry NAME and --namespace NS");
	if (!list && !nns)
		return cli_usage("registry trust", "%s", NAMESPACES_WHY);
	if ((rc = cli_home(ctx, home, sizeof home)) ||
	    (rc = open_set(home, name, REGCLIENT_OFFLINE, &s)))
		return rc;
	if (!s->regs[0].ix) {
		fprintf(stderr, "skillhost: error: %s\n", s->regs[0].problem);
		regclient_set_free(s);
		return 5;
	}
	if (list) {
		const struct regindex *ix = s->regs[0].ix;
		for (size_t i = 0; i < ix->nnamespaces; i++)
			for (size_t k = 0; k < ix->namespaces[i].nkeys; k++) {
				char id[MINISIG_KEYID_HEX_SIZE];
				char b64[MINISIG_PUBKEY_B64_SIZE];
				minisig_keyid_to_hex(
				        ix->namespaces[i].keys[k].key_id, id);
				minisig_pubkey_to_base64(
				        &ix->namespaces[i].keys[k], b64);
				printf("%-24s %s %s\n", ix->namespaces[i].name,
				       id, b64);
			}
		regclient_set_free(s);
		return 0;
	}
	if (regclient_trust_publishers(home, s, name, nss, nns, &added, &e) !=
	    SH_OK) {
		regclient_set_free(s);
		return cli_fail(&e);
	}
	print_trusted(added);
	cJSON_Delete(added);
	regclient_set_free(s);
	return cli_sync_trust(home);
}

int cmd_registry(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || cli_wants_help(argc, argv)) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f,
		        "usage: skillhost registry add NAME URL --root-key "
		        "ROOT.pub [--mirror URL]...\n"
		        "                             [--trust-publishers "
		        "--namespace NS...]\n"
		        "       skillhost registry list [--json]\n"
		        "       skillhost registry update [NAME]\n"
		        "       skillhost registry trust NAME --namespace NS "
		        "[--namespace NS]... | --list\n"
		        "       skillhost registry remove NAME\n"
		        "\n"
		        "A registry is a signed index of packages served over "
		        "HTTP(S) or from\nfile://. `add` pins its root key "
		        "(ROOT.pub, from the operator) and\nchecks its current "
		        "root and index; mirrors are tried in order when\na "
		        "server fails or sends bad bytes. The host remembers "
		        "the highest\nindex version seen and refuses older "
		        "(rollback) and expired (freeze)\nindexes.\n"
		        "\n"
		        "Trust: adding a registry trusts no publisher. A "
		        "package is installed\nonly if its key is listed by "
		        "the "
		        "registry for the package's namespace\nAND trusted for "
		        "that namespace here: `registry trust NAME --namespace "
		        "NS`\n(or add --trust-publishers --namespace NS) "
		        "copies "
		        "the registry's keys\nfor the namespaces you name into "
		        "the trust store, printing each;\n`skillhost trust "
		        "add` does it by hand. Namespaces are never implied:\n"
		        "one not named (first-party `skillhost` included) is "
		        "never trusted\nthrough a registry.\n"
		        "\n"
		        "Downloads: SKILLHOST_CONNECT_TIMEOUT, "
		        "SKILLHOST_LOW_SPEED_LIMIT (bytes/s),\n"
		        "SKILLHOST_LOW_SPEED_TIME (s), SKILLHOST_RETRIES, "
		        "SKILLHOST_BACKOFF_MS and\nSKILLHOST_PROGRESS=0|1 tune "
		        "them.\n");
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "add"))
		return registry_add(ctx, argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return registry_list(ctx, argc - 1, argv + 1);
	if (!strcmp(argv[1], "remove"))
		return registry_remove(ctx, argc - 1, argv + 1);
	if (!strcmp(argv[1], "update"))
		return registry_update(ctx, argc - 1, argv + 1);
	if (!strcmp(argv[1], "trust"))
		return registry_trust(ctx, argc - 1, argv + 1);
	return cli_usage("registry",
	                 "no subcommand '%s' (add, list, update, "
	                 "trust, remove)",
	                 argv[1]);
}

/* ---- search ------------------------------------------------------------- */

int cmd_search(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"json", no_argument, NULL, 'j'},
	        {"offline", no_argument, NULL, 'o'},
	        {"refresh", no_argument, NULL, 'r'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	enum regclient_refresh mode = REGCLIENT_IF_STALE;
	struct regclient_set *s = NULL;
	const cJSON *hit, *t;
	char home[4096];
	cJSON *hits;
	int c, rc, json = ctx->json;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'o': mode = REGCLIENT_OFFLINE; break;
		case 'r': mode = REGCLIENT_ALWAYS; break;
		case 'h':
			puts("usage: skillhost search [QUERY] [--json] "
			     "[--offline | --refresh]\n"
			     "\n"
			     "Search the registries' indexes: names, tool "
			     "names "
			     "and descriptions\n(case-insensitive), newest "
			     "version of each skill, best matches\nfirst. "
			     "Indexes checked in the last 5 minutes are used "
			     "as they are;\nolder ones are refreshed, falling "
			     "back to the cache when offline.\nAn expired "
			     "index "
			     "is never used.");
			return 0;
		default: return cli_usage("search", "unknown option");
		}
	}
	if (argc - optind > 1)
		return cli_usage("search", "give one QUERY (quote it)");
	if ((rc = cli_home(ctx, home, sizeof home)) ||
	    (rc = open_set(home, NULL, mode, &s)))
		return rc;
	for (size_t i = 0; i < s->n; i++)
		if (!s->regs[i].ix)
			fprintf(stderr,
			        "skillhost: warning: registry %s is "
			        "not searched: %s\n",
			        s->regs[i].name, s->regs[i].problem);
	hits = regclient_search(s, optind < argc ? argv[optind] : "");
	if (!s->n)
		fprintf(stderr, "skillhost: no registries; add one with "
		                "`skillhost registry add`\n");
	regclient_set_free(s);
	if (!hits) {
		fprintf(stderr, "skillhost: error: out of memory\n");
		return 5;
	}
	if (json) {
		/* The same exit code as without --json: an empty [] is
		 * printed, and "nothing matches" is still 4. */
		rc = cli_print_json(hits, 1);
		if (!rc && !cJSON_GetArraySize(hits))
			rc = 4;
		cJSON_Delete(hits);
		return rc;
	}
	cJSON_ArrayForEach(hit, hits)
	{
		char tools[256] = "";
		size_t used = 0;
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(
		                              hit, "tools")) if (used <
		                                                 sizeof tools)
		        used +=
		        (size_t)snprintf(tools + used, sizeof tools - used,
		                         "%s%s", used ? ", " : "",
		                         t->valuestring);
		printf("%-32s %-10s %s\n  %.200s\n  tools: %s\n",
		       str(hit, "name"), str(hit, "version"),
		       str(hit, "registry"), str(hit, "description"),
		       tools[0] ? tools : "none");
		cJSON_ArrayForEach(
		        t, cJSON_GetObjectItemCaseSensitive(hit, "agentskills"))
		        printf("  Agent Skill %s: %.160s\n", str(t, "name"),
		               str(t, "description"));
	}
	if (!cJSON_GetArraySize(hits)) {
		fprintf(stderr, "skillhost: nothing matches\n");
		rc = 4;
	}
	cJSON_Delete(hits);
	return rc;
}

/* ---- install from a registry -------------------------------------------- */

int cli_install_from_registry(struct cli_ctx *ctx, const char *spec,
                              const struct regclient_install_opts *o,
                              struct store_install_result *res)
{
	struct regclient_install_result r;
	struct regclient_set *s = NULL;
	char home[4096];
	struct sh_error e;
	int rc;

	/* A refusal here is the registry's (root, index, listed hash), not
	 * a file the operator gave. */
	cli_set_trust_hint("nothing was installed; check the registry's root "
	                   "key (`skillhost registry list`) or ask its "
	                   "operator");
	if ((rc = cli_home(ctx, home, sizeof home)) ||
	    (rc = open_set(home, o->registry, REGCLIENT_ALWAYS, &s)))
		return rc;
	if (regclient_install(home, s, spec, o, &r, &e) != SH_OK) {
		regclient_set_free(s);
		return cli_fail(&e);
	}
	regclient_set_free(s);
	*res = r.store;
	if (!ctx->json)
		printf("downloaded %s %s from registry %s (%" PRIu64
		       " bytes%s in "
		       "%.2fs; verified and installed in %.2fs)\n",
		       r.store.name, r.store.version, r.registry, r.bytes,
		       r.resumed ? ", resumed" : "", r.download_s, r.install_s);
	return 0;
}

/* ---- outdated and upgrade ----------------------------------------------- */

/* One `outdated` row: the newer version if any, and the installed
 * version's yank or deprecation. */
static void print_outdated(const cJSON *o)
{
	const char *latest = str(o, "latest");

	if (latest && *latest)
		printf("%-32s %-12s -> %-12s (%s)", str(o, "name"),
		       str(o, "installed"), latest, str(o, "registry"));
	else
		printf("%-32s %-12s    %-12s (%s)", str(o, "name"),
		       str(o, "installed"), "", str(o, "registry"));
	if (cJSON_GetObjectItemCaseSensitive(o, "yanked"))
		printf(" YANKED: %s", str(o, "yanked"));
	if (cJSON_GetObjectItemCaseSensitive(o, "deprecated"))
		printf(" deprecated: %s", str(o, "deprecated"));
	putchar('\n');
}

int cmd_outdated(struct cli_ctx *ctx, int argc, char **argv)
{
	struct regclient_set *s = NULL;
	const cJSON *o;
	char home[4096];
	cJSON *rows = NULL;
	struct sh_error e;
	int rc, json = ctx->json;
	enum regclient_refresh mode = REGCLIENT_TRY;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--offline"))
			mode = REGCLIENT_OFFLINE;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			puts("usage: skillhost outdated [--json] [--offline]\n"
			     "\nList installed skills that a registry has a "
			     "newer stable version of,\nand those whose "
			     "installed version was yanked or deprecated.\nThe "
			     "indexes are "
			     "refreshed first (the cache is used when a\n"
			     "registry cannot be reached, or with --offline).");
			return 0;
		} else
			return cli_usage("outdated", "unexpected '%s'",
			                 argv[i]);
	}
	if ((rc = cli_home(ctx, home, sizeof home)) ||
	    (rc = open_set(home, NULL, mode, &s)))
		return rc;
	if (regclient_outdated(home, s, &rows, &e) != SH_OK) {
		regclient_set_free(s);
		return cli_fail(&e);
	}
	regclient_set_free(s);
	if (json)
		rc = cli_print_json(rows, 1);
	else {
		cJSON_ArrayForEach(o, rows) print_outdated(o);
		if (!cJSON_GetArraySize(rows))
			fprintf(stderr,
			        "skillhost: everything is up to date\n");
	}
	cJSON_Delete(rows);
	return rc;
}

int cmd_upgrade(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"registry", required_argument, NULL, 'r'},
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct regclient_install_opts io = {0};
	cJSON *done = cJSON_CreateArray();
	struct regclient_set *s = NULL;
	const cJSON *o;
	const char *only = NULL, *prev = NULL;
	char home[4096];
	cJSON *rows = NULL;
	struct sh_error e;
	int c, rc, worst = 0, n = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': io.registry = optarg; break;
		case 'j': ctx->json = 1; break;
		case 'h':
			cJSON_Delete(done);
			puts("usage: skillhost upgrade [NAME] [--registry R] "
			     "[--json]\n"
			     "\n"
			     "Install the newest stable version of NAME, or of "
			     "every installed\nskill that a registry has a "
			     "newer version of (from the first\nregistry, in "
			     "the order added, that has one), with every check "
			     "of\n`skillhost install`. The replaced version "
			     "stays for `skillhost\nrollback`.");
			return 0;
		default:
			cJSON_Delete(done);
			return cli_usage("upgrade", "unknown option");
		}
	}
	if (!done)
		return 5;
	if (argc - optind > 1) {
		cJSON_Delete(done);
		return cli_usage("upgrade", "give at most one NAME");
	}
	only = optind < argc ? argv[optind] : NULL;
	if (only && !skilldesc_valid_skill_name(only)) {
		cJSON_Delete(done);
		return cli_usage("upgrade", "'%s' is not a skill name", only);
	}
	if ((rc = cli_home(ctx, home, sizeof home)) ||
	    (rc = open_set(home, io.registry, REGCLIENT_ALWAYS, &s))) {
		cJSON_Delete(done);
		return rc;
	}
	if (regclient_outdated(home, s, &rows, &e) != SH_OK) {
		regclient_set_free(s);
		cJSON_Delete(done);
		return cli_fail(&e);
	}
	cJSON_ArrayForEach(o, rows)
	{
		struct regclient_install_result r;
		const char *name = str(o, "name");
		char spec[256];
		if ((only && strcmp(only, name)) ||
		    (prev && !strcmp(prev, name)))
			continue;
		/* A row for a yanked or deprecated install with nothing
		 * newer: there is nothing to upgrade to. */
		if (!cJSON_IsString(
		            cJSON_GetObjectItemCaseSensitive(o, "latest")))
			continue;
		/* Several registries may list a newer version: outdated has
		 * a row for each, adjacent and in the order the registries
		 * were added; the first one wins, named explicitly. */
		prev = name;
		snprintf(spec, sizeof spec, "%s@%s", name, str(o, "latest"));
		io.registry = str(o, "registry");
		if (regclient_install(home, s, spec, &io, &r, &e) != SH_OK) {
			int code = cli_fail(&e);
			if (code > worst)
				worst = code;
			continue;
		}
		n++;
		if (ctx->json) {
			cJSON *u = cJSON_CreateObject();
			cJSON_AddStringToObject(u, "name", name);
			cJSON_AddStringToObject(u, "previous",
			                        str(o, "installed"));
			cJSON_AddStringToObject(u, "version", r.store.version);
			cJSON_AddStringToObject(u, "registry", r.registry);
			cJSON_AddItemToArray(done, u);
		} else {
			printf("upgraded %s %s -> %s (registry %s)\n", name,
			       str(o, "installed"), r.store.version,
			       r.registry);
		}
	}
	if (!n && !worst)
		fprintf(stderr, "skillhost: %s is up to date\n",
		        only ? only : "everything");
	if (ctx->json && cli_print_json(done, 1) && !worst)
		worst = 5;
	cJSON_Delete(done);
	cJSON_Delete(rows);
	regclient_set_free(s);
	return worst;
}
