/*
 * cmd_pack.c - `skillhost pack`: build a reproducible .skill package.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "manifest.h"
#include "minisig.h"
#include "package.h"

int cmd_pack(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"publisher", required_argument, NULL, 'p'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *out = NULL, *pub = NULL;
	char id[MINISIG_KEYID_HEX_SIZE];
	struct minisig_pubkey pk;
	struct manifest *m = NULL;
	struct sh_error e;
	int c;

	(void)ctx;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'p': pub = optarg; break;
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
			     "FILE.skill -s SEC");
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
	if (package_pack(argv[optind], out, pub ? id : NULL, &m, &e) != SH_OK)
		return cli_fail(&e);
	printf("packed %s %s (%zu files) -> %s\n", m->name, m->version,
	       m->nfiles, out);
	manifest_free(m);
	return 0;
}
