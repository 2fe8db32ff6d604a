/*
 * cmd_trust.c - `skillhost trust`: the publisher keys this host accepts.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "runtime.h"
#include "store.h"
#include "trust.h"

static void help(void)
{
	puts("usage: skillhost trust add PUB --namespace NS [--namespace "
	     "NS]...\n"
	     "       skillhost trust list [--json]\n"
	     "       skillhost trust remove KEYID\n"
	     "\n"
	     "A package installs only when it is signed by a key trusted for\n"
	     "its namespace (the part of its name before the '/'). Removing "
	     "a key\ndisables the installed skills it signed: they are no "
	     "longer listed,\nserved (a running `serve` drops them at its "
	     "next reload) or called.\nTrusting the key again enables "
	     "them.");
}

/* One line per skill store_sync_trust turned off or on: what, which
 * version, and the key that signed it. */
static void print_changed(const cJSON *list, const char *what,
                          const char *again)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, list)
	        printf("%s %s %s%s (signed by key %s)\n", what,
	               cJSON_GetStringValue(
	                       cJSON_GetObjectItemCaseSensitive(it, "name")),
	               cJSON_GetStringValue(
	                       cJSON_GetObjectItemCaseSensitive(it, "version")),
	               again,
	               cJSON_GetStringValue(
	                       cJSON_GetObjectItemCaseSensitive(it, "key")));
}

int cli_sync_trust(const char *home)
{
	cJSON *off = NULL, *on = NULL;
	struct sh_error e;

	if (store_sync_trust(home, &off, &on, &e) != SH_OK) {
		fprintf(stderr,
		        "skillhost: error: trust.json changed, but the "
		        "installed skills could not be brought in line: %s\n"
		        "skillhost: run the command again; meanwhile a skill "
		        "whose key is not trusted is refused when called\n",
		        e.msg);
		return sh_status_exit_code(e.status);
	}
	print_changed(off, "disabled", "");
	print_changed(on, "enabled", " again");
	cJSON_Delete(off);
	cJSON_Delete(on);
	return 0;
}

static int add(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"namespace", required_argument, NULL, 'n'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *ns[64];
	int nns = 0, c, rc;
	char home[4096];
	struct minisig_pubkey pk;
	struct sh_error e;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		if (c == 'n' && nns < 64)
			ns[nns++] = optarg;
		else if (c == 'h') {
			help();
			return 0;
		} else
			return cli_usage("trust", "unknown option");
	}
	if (optind + 1 != argc || nns == 0)
		return cli_usage("trust",
		                 "give PUB and at least one --namespace NS");
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (minisig_pubkey_load(argv[optind], &pk, &e) != SH_OK)
		return cli_fail(&e);
	for (int i = 0; i < nns; i++)
		if (trust_add(home, &pk, ns[i], &e) != SH_OK)
			return cli_fail(&e);
	{
		char id[MINISIG_KEYID_HEX_SIZE];
		minisig_keyid_to_hex(pk.key_id, id);
		printf("trusted key %s for", id);
		for (int i = 0; i < nns; i++)
			printf(" %s/*", ns[i]);
		putchar('\n');
	}
	return cli_sync_trust(home);
}

/* t as RFC 3339 UTC, the form every other listing prints. */
static void rfc3339(int64_t t, char *buf, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, cap, "unknown");
}

static int list(struct cli_ctx *ctx, int json)
{
	char when[32];
	struct trust *t;
	struct sh_error e;
	char home[4096];
	int rc;

	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (trust_load(home, &t, &e) != SH_OK)
		return cli_fail(&e);
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; arr && i < t->n; i++) {
			cJSON *o = cJSON_CreateObject(), *ns;
			char b64[MINISIG_PUBKEY_B64_SIZE];
			minisig_pubkey_to_base64(&t->keys[i].pk, b64);
			cJSON_AddItemToArray(arr, o);
			cJSON_AddStringToObject(o, "id", t->keys[i].id);
			cJSON_AddStringToObject(o, "key", b64);
			ns = cJSON_AddArrayToObject(o, "namespaces");
			for (size_t j = 0; j < t->keys[i].nnamespaces; j++)
				cJSON_AddItemToArray(
				        ns, cJSON_CreateString(
				                    t->keys[i].namespaces[j]));
			rfc3339(t->keys[i].added, when, sizeof when);
			cJSON_AddStringToObject(o, "added", when);
		}
		rc = cli_print_json(arr, 1);
		cJSON_Delete(arr);
	} else {
		for (size_t i = 0; i < t->n; i++) {
			printf("%s ", t->keys[i].id);
			for (size_t j = 0; j < t->keys[i].nnamespaces; j++)
				printf("%s%s", j ? "," : "",
				       t->keys[i].namespaces[j]);
			rfc3339(t->keys[i].added, when, sizeof when);
			printf("  added %s\n", when);
		}
		if (t->n == 0)
			fprintf(stderr, "skillhost: no trusted keys; add one "
			                "with `skillhost trust add PUB "
			                "--namespace NS`\n");
	}
	trust_free(t);
	return rc;
}

int cmd_trust(struct cli_ctx *ctx, int argc, char **argv)
{
	char home[4096];
	struct sh_error e;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		help();
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "add"))
		return add(ctx, argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return list(ctx, ctx->json || (argc > 2 &&
		                               !strcmp(argv[2], "--json")));
	if (!strcmp(argv[1], "remove")) {
		if (argc != 3)
			return cli_usage("trust", "give the KEYID to remove");
		if ((rc = cli_home(ctx, home, sizeof home)))
			return rc;
		if (trust_remove(home, argv[2], &e) != SH_OK)
			return cli_fail(&e);
		printf("removed key %s\n", argv[2]);
		return cli_sync_trust(home);
	}
	return cli_usage("trust", "unknown subcommand '%s'", argv[1]);
}
