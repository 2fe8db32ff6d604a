/*
 * cmd_pack.c - `skillhost pack`: build a reproducible .skill package.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "manifest.h"
#include "minisig.h"
#include "package.h"
#include "portcheck.h"
#include "runtime.h"
#include "schema_portable.h"

/* Check the schemas of the skill in dir (its library for this platform)
 * before packing: each construct a model vendor or MCP client refuses is
 * a warning on stderr, or with strict an error that packs nothing. 0 to
 * go on, else the exit code. */
static int check_schemas(struct cli_ctx *ctx, const char *dir, int strict)
{
	char path[4096], lib[4096];
	const char *rel;
	struct manifest *m = NULL;
	struct runtime *rt = NULL;
	struct sh_error e;
	size_t bad = 0;
	char *skills[1];
	int rc;

	snprintf(path, sizeof path, "%s/manifest.json", dir);
	if (manifest_load(path, MANIFEST_SOURCE, &m, &e) != SH_OK)
		return cli_fail(&e);
	rel = manifest_platform_lib(m, manifest_host_platform());
	if (!rel) {
		fprintf(stderr,
		        "skillhost pack: no library for %s in the manifest: "
		        "tool schemas not checked\n",
		        manifest_host_platform());
		manifest_free(m);
		return strict ? 2 : 0;
	}
	snprintf(lib, sizeof lib, "%s/%s", dir, rel);
	manifest_free(m);
	skills[0] = lib;
	/* A library that does not load is for install to refuse; packing
	 * it is the author's call (test fixtures do it on purpose). */
	if (cli_open_runtime(ctx, skills, 1, &rt, &e) != SH_OK) {
		fprintf(stderr,
		        "skillhost pack: %s: tool schemas not checked: %s\n",
		        strict ? "error" : "warning", e.msg);
		return strict ? cli_fail(&e) : 0;
	}
	rc = portcheck_catalog(runtime_catalog(rt), SP_DEFAULT, 0, stderr, NULL,
	                       &bad);
	runtime_close(rt);
	if (rc)
		return rc;
	if (bad)
		fprintf(stderr,
		        "skillhost pack: %s: %zu tool%s a schema some model "
		        "vendor or MCP client refuses (see above)%s\n",
		        strict ? "error" : "warning", bad,
		        bad == 1 ? " has" : "s have",
		        strict ? "; nothing was packed" : "");
	return bad && strict ? 1 : 0;
}

int cmd_pack(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"publisher", required_argument, NULL, 'p'},
	        {"strict", no_argument, NULL, 'S'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *out = NULL, *pub = NULL;
	char id[MINISIG_KEYID_HEX_SIZE];
	struct minisig_pubkey pk;
	struct manifest *m = NULL;
	struct sh_error e;
	int c, strict = 0, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'p': pub = optarg; break;
		case 'S': strict = 1; break;
		case 'h':
			puts("usage: skillhost pack DIR -o FILE.skill [-p "
			     "PUB] [--strict]\n"
			     "\n"
			     "Package DIR: its manifest.json and the files it "
			     "names (each\nplatform's library and "
			     "\"include\"). "
			     "The packaged manifest records\nevery file's size "
			     "and BLAKE2b-256 hash, and with -p the publisher\n"
			     "key id. The output is reproducible: the same "
			     "input "
			     "gives the\nsame bytes ($SOURCE_DATE_EPOCH sets "
			     "the "
			     "entries' time).\nSign it next: skillhost sign "
			     "FILE.skill -s SEC\n\n"
			     "The tools' input schemas are checked first "
			     "(`skillhost tools\n--check`): what a model "
			     "vendor or MCP client refuses is a\nwarning, or "
			     "with --strict an error that packs nothing.");
			return 0;
		default: return cli_usage("pack", "unknown option");
		}
	}
	if (!out || optind + 1 != argc)
		return cli_usage("pack", "give DIR and -o FILE.skill");
	if (pub) {
		if (minisig_pubkey_load(pub, &pk, &e) != SH_OK)
			return cli_fail(&e);
		minisig_keyid_to_hex(pk.key_id, id);
	}
	if ((rc = check_schemas(ctx, argv[optind], strict)) != 0)
		return rc;
	if (package_pack(argv[optind], out, pub ? id : NULL, &m, &e) != SH_OK)
		return cli_fail(&e);
	printf("packed %s %s (%zu files) -> %s\n", m->name, m->version,
	       m->nfiles, out);
	manifest_free(m);
	return 0;
}
