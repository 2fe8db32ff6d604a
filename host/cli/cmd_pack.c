/*
 * cmd_pack.c - `skillhost pack`: build a reproducible .skill package.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "manifest.h"
#include "minisig.h"
#include "package.h"

int cmd_pack(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"publisher", required_argument, NULL, 'p'},
	        {"namespace", required_argument, NULL, 'N'},
	        {"version", required_argument, NULL, 'V'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *out = NULL, *pub = NULL, *ns = NULL, *version = NULL;
	char probe[4096];
	sh_status rc;
	char id[MINISIG_KEYID_HEX_SIZE];
	struct minisig_pubkey pk;
	struct manifest *m = NULL;
	struct sh_error e;
	int c;

	(void)ctx;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:p:N:V:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'p': pub = optarg; break;
		case 'N': ns = optarg; break;
		case 'V': version = optarg; break;
		case 'h':
			puts("usage: skillhost pack DIR -o FILE.skill [-p "
			     "PUB]\n"
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
			     "FILE.skill -s SEC\n"
			     "\n"
			     "Agent Skills (agentskills.io) ship in "
			     "DIR/skills/<name>/, each with\nits SKILL.md and "
			     "every other file; their front matter is "
			     "checked\nagainst the specification (an error "
			     "exits 2). A plain Agent Skill\nfolder (SKILL.md, "
			     "no manifest.json) packs with a generated "
			     "manifest:\n  skillhost pack ./my-skill "
			     "--namespace acme --version 1.0.0 -o x.skill");
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
	snprintf(probe, sizeof probe, "%s/manifest.json", argv[optind]);
	if (access(probe, F_OK) != 0 &&
	    (snprintf(probe, sizeof probe, "%s/SKILL.md", argv[optind]),
	     access(probe, F_OK) == 0)) {
		if (!ns || !version)
			return cli_usage(
			        "pack",
			        "%s is an Agent Skill folder without a "
			        "manifest: give --namespace NS and "
			        "--version X.Y.Z to generate one",
			        argv[optind]);
		rc = package_pack_agentskill(argv[optind], ns, version,
		                             pub ? id : NULL, out, &m, &e);
	} else if (ns || version) {
		return cli_usage("pack",
		                 "--namespace and --version are for a folder "
		                 "holding SKILL.md and no manifest.json");
	} else {
		rc = package_pack(argv[optind], out, pub ? id : NULL, &m, &e);
	}
	/* A folder that breaks the rules is the author's to fix, like a bad
	 * command line: exit 2. */
	if (rc == SH_ERR_INVALID) {
		fprintf(stderr, "skillhost: error: %s\n", e.msg);
		return 2;
	}
	if (rc != SH_OK)
		return cli_fail(&e);
	printf("packed %s %s (%zu files) -> %s\n", m->name, m->version,
	       m->nfiles, out);
	manifest_free(m);
	return 0;
}
