/*
 * cmd_pack.c - `skillhost pack`: build a reproducible .skill package.
 *
 * Before packing, the code is compared with the manifest (pkgcheck.h): a
 * package whose library says another version, lacks a tool or is built for
 * another CPU than its platform key would be refused by every host that
 * installs it, so it is refused here, where the author can still fix it.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "commands.h"
#include "fsutil.h"
#include "manifest.h"
#include "minisig.h"
#include "package.h"
#include "pkgcheck.h"
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

static void pack_help(void)
{
	puts("usage: skillhost pack DIR [-o FILE.skill] [-p PUB] "
	     "[--no-probe] [--strict]\n"
	     "       skillhost pack SKILLDIR --namespace NS --version X.Y.Z "
	     "-o FILE.skill\n"
	     "\n"
	     "Package DIR: its manifest.json and the files it names "
	     "(each\n"
	     "platform's library and \"include\"). The packaged "
	     "manifest "
	     "records\nevery file's size and BLAKE2b-256 hash, and "
	     "with -p "
	     "the publisher\nkey id. The output is reproducible: the "
	     "same "
	     "input gives the\nsame bytes ($SOURCE_DATE_EPOCH sets the "
	     "entries' time).\n"
	     "\n"
	     "The output defaults to NS-NAME-VERSION.skill in the "
	     "current "
	     "folder;\na -o name that holds another version than the "
	     "manifest's is refused.\n"
	     "\n"
	     "Before packing, every platform's library must be an ELF "
	     "object for\nits platform key, and the library for this "
	     "host's "
	     "platform is loaded\nin a sandboxed probe: its name, "
	     "version, "
	     "tools and ABI must be the\nmanifest's. --no-probe skips "
	     "loading "
	     "it (for packages built to fail,\nas test fixtures).\n"
	     "\n"
	     "Agent Skills (agentskills.io) ship in DIR/skills/<name>/, each "
	     "with\nits SKILL.md and every other file; their front matter is "
	     "checked\nagainst the specification (an error exits 2). A plain "
	     "Agent Skill\nfolder (SKILL.md, no manifest.json) packs with a "
	     "generated manifest:\n  skillhost pack ./my-skill --namespace "
	     "acme --version 1.0.0 -o x.skill\n"
	     "\n"
	     "Sign it next: skillhost sign FILE.skill -s SEC");
}

/* 1 when version occurs in s as a whole version: not preceded by a
 * digit or '.', and not followed by a digit or ".digit". */
static int has_version(const char *s, const char *version)
{
	size_t n = strlen(version);

	for (const char *p = strstr(s, version); p; p = strstr(p + 1, version))
		if ((p == s ||
		     (!(p[-1] >= '0' && p[-1] <= '9') && p[-1] != '.')) &&
		    !(p[n] >= '0' && p[n] <= '9') &&
		    !(p[n] == '.' && p[n + 1] >= '0' && p[n + 1] <= '9'))
			return 1;
	return 0;
}

/* The first "D.D.D" in s into out, or 0 when it has none. */
static int find_version(const char *s, char *out, size_t cap)
{
	for (const char *p = s; *p; p++) {
		const char *q = p;
		int parts = 0;
		if (p > s && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.'))
			continue;
		while (parts < 3 && *q >= '0' && *q <= '9') {
			while (*q >= '0' && *q <= '9')
				q++;
			if (++parts < 3 && *q == '.' && q[1] >= '0' &&
			    q[1] <= '9')
				q++;
			else
				break;
		}
		if (parts == 3) {
			snprintf(out, cap, "%.*s", (int)(q - p), p);
			return 1;
		}
	}
	return 0;
}

/*
 * Refuse an output name that states another version than the
 * manifest's:
 * `-o acme-weather-1.2.0.skill` for a 0.1.0 skill would be published,
 * mirrored and installed under a name that lies. A warning would scroll
 * by in a build log; the fix (drop -o, or correct it) is immediate, so
 * this is a usage error.
 */
static int check_output_name(const char *out, const struct manifest *m)
{
	const char *base = strrchr(out, '/');
	char seen[64];

	base = base ? base + 1 : out;
	if (has_version(base, m->version) ||
	    !find_version(base, seen, sizeof seen))
		return 0;
	return cli_usage("pack",
	                 "the output name %s says version %s but the "
	                 "manifest says %s; leave out -o for the default "
	                 "name, or name the file for %s",
	                 base, seen, m->version, m->version);
}

/* Check the code against the manifest; prints and returns an exit code.
 */
static int check_code(const char *dir, const struct manifest *m, int probe)
{
	char lib[PATH_MAX];
	struct sh_error e;
	int probed = 0;

	for (size_t i = 0; i < m->nplatforms; i++) {
		if (fs_pathf(lib, sizeof lib, &e, "%s/%s", dir,
		             m->platforms[i].lib) != SH_OK)
			return cli_fail(&e);
		if (!fs_exists(lib)) {
			/* The usual case: a `skillhost new` project
			 * folder, whose build stages the package
			 * elsewhere. */
			fprintf(stderr,
			        "skillhost: error: %s has no %s, the "
			        "library "
			        "its manifest names for %s; in a "
			        "project made "
			        "by `skillhost new`, run `cmake "
			        "--build build "
			        "--target package-skill` (or pack "
			        "build/package, the folder the build "
			        "stages)\n",
			        dir, m->platforms[i].lib,
			        m->platforms[i].triplet);
			return 4;
		}
	}
	if (probe) {
		if (pkgcheck_dir(dir, m, &probed, &e) != SH_OK) {
			sh_error_prefix(&e, "%s does not match its manifest",
			                dir);
			return cli_fail(&e);
		}
		if (!probed)
			fprintf(stderr,
			        "skillhost: warning: %s has no library "
			        "for "
			        "this host's platform (%s), so its "
			        "code was "
			        "not probed; pack on such a host to "
			        "check it\n",
			        dir, manifest_host_platform());
		return 0;
	}
	for (size_t i = 0; i < m->nplatforms; i++)
		if (fs_pathf(lib, sizeof lib, &e, "%s/%s", dir,
		             m->platforms[i].lib) != SH_OK ||
		    pkgcheck_elf(lib, m->platforms[i].triplet, NULL, &e) !=
		            SH_OK)
			return cli_fail(&e);
	return 0;
}

/* Pack a plain Agent Skill folder (SKILL.md, no manifest.json): the
 * manifest is generated, so there is no code to probe. */
static int pack_plain_agentskill(const char *dir, const char *ns,
                                 const char *version, const char *pub_id,
                                 const char *out)
{
	struct manifest *m = NULL;
	struct sh_error e;
	sh_status rc;

	rc = package_pack_agentskill(dir, ns, version, pub_id, out, &m, &e);
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

enum { O_STRICT = 256, O_NO_PROBE, O_NAMESPACE, O_VERSION };

int cmd_pack(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"publisher", required_argument, NULL, 'p'},
	        {"strict", no_argument, NULL, O_STRICT},
	        {"no-probe", no_argument, NULL, O_NO_PROBE},
	        {"namespace", required_argument, NULL, O_NAMESPACE},
	        {"version", required_argument, NULL, O_VERSION},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *out = NULL, *pub = NULL, *dir, *ns = NULL, *version = NULL;
	char id[MINISIG_KEYID_HEX_SIZE], mpath[PATH_MAX], defname[PATH_MAX];
	struct minisig_pubkey pk;
	struct manifest *src = NULL, *m = NULL;
	struct sh_error e;
	sh_status st;
	int c, strict = 0, probe = 1, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'p': pub = optarg; break;
		case O_STRICT: strict = 1; break;
		case O_NO_PROBE: probe = 0; break;
		case O_NAMESPACE: ns = optarg; break;
		case O_VERSION: version = optarg; break;
		case 'h': pack_help(); return 0;
		default: return cli_usage("pack", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage("pack", "give one DIR (the folder holding "
		                         "manifest.json, or an Agent Skill's "
		                         "SKILL.md)");
	dir = argv[optind];
	if (pub) {
		if (minisig_pubkey_load(pub, &pk, &e) != SH_OK)
			return cli_fail(&e);
		minisig_keyid_to_hex(pk.key_id, id);
	}
	if (fs_pathf(mpath, sizeof mpath, &e, "%s/%s", dir, MANIFEST_FILE) !=
	    SH_OK)
		return cli_fail(&e);
	if (!fs_exists(mpath)) {
		char skillmd[PATH_MAX];
		if (fs_pathf(skillmd, sizeof skillmd, &e, "%s/SKILL.md", dir) !=
		    SH_OK)
			return cli_fail(&e);
		if (fs_exists(skillmd)) {
			if (!ns || !version)
				return cli_usage(
				        "pack",
				        "%s is an Agent Skill folder without a "
				        "manifest: give --namespace NS and "
				        "--version X.Y.Z to generate one",
				        dir);
			if (!out)
				return cli_usage(
				        "pack",
				        "give -o FILE.skill for an Agent "
				        "Skill folder");
			return pack_plain_agentskill(dir, ns, version,
			                             pub ? id : NULL, out);
		}
	}
	if (ns || version)
		return cli_usage("pack",
		                 "--namespace and --version are for a folder "
		                 "holding SKILL.md and no manifest.json");
	if (manifest_load(mpath, MANIFEST_SOURCE, &src, &e) != SH_OK)
		return cli_fail(&e);
	if (!out) {
		size_t n =
		        (size_t)snprintf(defname, sizeof defname, "%s-%s.skill",
		                         src->name, src->version);
		for (size_t i = 0; i < n && i < sizeof defname; i++)
			if (defname[i] == '/')
				defname[i] = '-';
		out = defname;
	} else if ((rc = check_output_name(out, src))) {
		goto done;
	}
	if (pub && src->publisher && strcasecmp(src->publisher, id)) {
		rc = cli_usage("pack",
		               "the manifest names publisher key %s but -p %s "
		               "is key %s; give the manifest's key, or drop "
		               "\"publisher\" from manifest.json",
		               src->publisher, pub, id);
		goto done;
	}
	/* A package of Agent Skills alone has no code to compare. */
	if (src->nplatforms && (rc = check_code(dir, src, probe)))
		goto done;
	if (src->nplatforms && probe && (rc = check_schemas(ctx, dir, strict)))
		goto done;
	st = package_pack(dir, out, pub ? id : NULL, &m, &e);
	if (st == SH_ERR_INVALID) {
		/* Agent Skill front matter that breaks the rules: exit 2. */
		fprintf(stderr, "skillhost: error: %s\n", e.msg);
		rc = 2;
		goto done;
	}
	if (st != SH_OK) {
		rc = cli_fail(&e);
		goto done;
	}
	printf("packed %s %s (%zu files) -> %s\n", m->name, m->version,
	       m->nfiles, out);
done:
	manifest_free(src);
	manifest_free(m);
	return rc;
}
