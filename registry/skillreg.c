/*
 * skillreg.c - `skillreg`: make, fill, sign and serve a skill registry.
 *
 * Thin, like `skillhost`: it parses arguments and calls the registry
 * modules (lib/), and exits with the codes of README.md (0 ok, 2 usage,
 * 3 signature or trust, 4 not found, 5 other).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "fsutil.h"
#include "hostlog.h"
#include "regdir.h"
#include "regindex.h"
#include "regkeys.h"
#include "regserve.h"
#include "names.h"

#define PUBLISH_REPLY_MAX (64 * 1024)
#define PUBLISH_TIMEOUT_S 600

static int fail(const struct sh_error *e)
{
	fprintf(stderr, "skillreg: error: %s\n",
	        e->msg[0] ? e->msg : sh_status_name(e->status));
	return sh_status_exit_code(e->status == SH_OK ? SH_ERR_FAIL
	                                              : e->status);
}

static int usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr,
	        "skillreg %s: %s\nRun 'skillreg %s --help' for usage.\n", cmd,
	        msg, cmd);
	return 2;
}

/* "90", "90s", "15m", "12h", "7d" -> seconds; -1 when malformed. */
static int64_t parse_duration(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	if (!strcmp(end, "d"))
		return v * 86400;
	return -1;
}

/* Options most commands share. */
struct common {
	const char *keys;
	int64_t expires_in;
};

static int common_opt(int c, const char *cmd, struct common *co)
{
	switch (c) {
	case 'k': co->keys = optarg; return 0;
	case 'e':
		co->expires_in = parse_duration(optarg);
		if (co->expires_in <= 0)
			return usage_error(cmd, "--expires-in wants a duration "
			                        "like 3600, 12h or 7d");
		return 0;
	default: return usage_error(cmd, "unknown option");
	}
}

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

/* ---- init --------------------------------------------------------------- */

static int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"keys", required_argument, NULL, 'k'},
	        {"expires-in", required_argument, NULL, 'e'},
	        {NULL, 0, NULL, 0},
	};
	struct common co = {NULL, REGDIR_DEFAULT_EXPIRES_S};
	struct regdir_init_result res;
	struct sh_error e;
	int c, rc;

	if (wants_help(argc, argv)) {
		puts("usage: skillreg init DIR [--keys KEYDIR] "
		     "[--expires-in DURATION]\n"
		     "\n"
		     "Create a registry in DIR (new or empty): root version 1 "
		     "and an\nempty signed index. New root and index keys go "
		     "to "
		     "KEYDIR (default\nDIR.keys beside DIR; never inside DIR, "
		     "which is served). Give\nclients KEYDIR/root.pub, and "
		     "keep "
		     "KEYDIR/root.sec offline once\nthe registry is set up: "
		     "only rotate-key needs it. The index\nexpires after "
		     "DURATION (default 7d): run `skillreg resign` more\noften "
		     "than that.");
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if ((rc = common_opt(c, "init", &co)))
			return rc;
	if (optind + 1 != argc)
		return usage_error("init", "give one registry folder DIR");
	if (regdir_init(argv[optind], co.keys, co.expires_in, &res, &e))
		return fail(&e);
	printf("created registry %s\n"
	       "  root key  %s  (%s/root.pub: give it to clients; keep "
	       "root.sec offline)\n"
	       "  index key %s  (%s/index.sec: used by add, resign and "
	       "serve)\n"
	       "next: skillreg publisher add %s NAMESPACE PUBLISHER.pub\n",
	       argv[optind], res.root_id, res.keydir, res.index_id, res.keydir,
	       argv[optind]);
	return 0;
}

/* ---- publisher ---------------------------------------------------------- */

static int publisher_list(const char *dir)
{
	char path[4096], *text = NULL;
	struct regindex *ix = NULL;
	struct sh_error e;
	size_t len;

	if (fs_pathf(path, sizeof path, &e, "%s/%s", dir, REGDIR_INDEX) ||
	    fs_read_file(path, REGINDEX_MAX_BYTES, &text, &len, &e) ||
	    regindex_parse(text, len, path, &ix, &e)) {
		free(text);
		return fail(&e);
	}
	free(text);
	for (size_t i = 0; i < ix->nnamespaces; i++)
		for (size_t k = 0; k < ix->namespaces[i].nkeys; k++) {
			char id[MINISIG_KEYID_HEX_SIZE];
			minisig_keyid_to_hex(ix->namespaces[i].keys[k].key_id,
			                     id);
			printf("%-24s %s\n", ix->namespaces[i].name, id);
		}
	if (!ix->nnamespaces)
		fprintf(stderr,
		        "skillreg: no publishers yet; add one with "
		        "`skillreg publisher add %s NAMESPACE PUB`\n",
		        dir);
	regindex_free(ix);
	return 0;
}

static int cmd_publisher(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"keys", required_argument, NULL, 'k'},
	        {"expires-in", required_argument, NULL, 'e'},
	        {NULL, 0, NULL, 0},
	};
	struct common co = {NULL, REGDIR_DEFAULT_EXPIRES_S};
	struct minisig_pubkey pk;
	struct regdir *r = NULL;
	struct sh_error e;
	char id[MINISIG_KEYID_HEX_SIZE];
	int64_t v;
	int c, rc;

	if (wants_help(argc, argv)) {
		puts("usage: skillreg publisher add DIR NAMESPACE PUB "
		     "[--keys KEYDIR] [--expires-in D]\n"
		     "       skillreg publisher list DIR\n"
		     "\n"
		     "Allow the publisher key PUB (a minisign public key "
		     "file) to\npublish packages in NAMESPACE, and re-sign "
		     "the index. A namespace\nmay have several keys; a key "
		     "may hold several namespaces.");
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if ((rc = common_opt(c, "publisher", &co)))
			return rc;
	if (optind + 2 == argc && !strcmp(argv[optind], "list"))
		return publisher_list(argv[optind + 1]);
	if (optind + 4 != argc || strcmp(argv[optind], "add"))
		return usage_error("publisher",
		                   "give add DIR NAMESPACE PUB, or list DIR");
	if (minisig_pubkey_load(argv[optind + 3], &pk, &e) ||
	    regdir_open(argv[optind + 1], co.keys, &r, &e) ||
	    regdir_add_publisher(r, argv[optind + 2], &pk, &e) ||
	    regdir_commit(r, co.expires_in, &v, &e)) {
		regdir_close(r);
		return fail(&e);
	}
	regdir_close(r);
	minisig_keyid_to_hex(pk.key_id, id);
	printf("key %s may now publish in namespace %s (index version %" PRId64
	       ")\n",
	       id, argv[optind + 2], v);
	return 0;
}

/* ---- add ---------------------------------------------------------------- */

static int cmd_add(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"keys", required_argument, NULL, 'k'},
	        {"expires-in", required_argument, NULL, 'e'},
	        {"sig", required_argument, NULL, 'x'},
	        {"no-probe", no_argument, NULL, 'N'},
	        {NULL, 0, NULL, 0},
	};
	struct common co = {NULL, REGDIR_DEFAULT_EXPIRES_S};
	const char *sig = NULL;
	int probe = 1;
	struct regdir *r = NULL;
	struct sh_error e;
	int64_t v;
	int c, rc;

	if (wants_help(argc, argv)) {
		puts("usage: skillreg add DIR FILE.skill... [--sig FILE] "
		     "[--keys KEYDIR] [--expires-in D]\n"
		     "                    [--no-probe]\n"
		     "\n"
		     "Publish packages: each signature (FILE.skill.minisig, or "
		     "--sig for\na single package) must be by a key allowed "
		     "for the package's\nnamespace and match the package; "
		     "versions already listed are\nrefused. The packages are "
		     "copied into DIR/packages/ and listed\nin one new index "
		     "version, signed with the index key. Nothing is\n"
		     "published unless every package is accepted.\n"
		     "Each package's code is probed against its manifest "
		     "first, as\n`skillhost pack` does (name, version, tools, "
		     "ABI, CPU per platform\nkey): a package every host would "
		     "refuse is never published.\n--no-probe skips that, for "
		     "test fixtures built to fail.");
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'x') {
			sig = optarg;
			continue;
		}
		if (c == 'N') {
			probe = 0;
			continue;
		}
		if ((rc = common_opt(c, "add", &co)))
			return rc;
	}
	if (argc - optind < 2)
		return usage_error("add",
		                   "give DIR and one or more FILE.skill");
	if (sig && argc - optind != 2)
		return usage_error("add", "--sig goes with a single package");
	if (regdir_open(argv[optind], co.keys, &r, &e))
		return fail(&e);
	regdir_set_probe(r, probe);
	for (int i = optind + 1; i < argc; i++) {
		struct regdir_added a;
		if (regdir_add_package(r, argv[i], sig, NULL, &a, &e)) {
			regdir_close(r);
			return fail(&e);
		}
		printf("added %s %s (key %s, %" PRIu64 " bytes) as %s\n",
		       a.name, a.version, a.publisher, a.length, a.url);
	}
	if (regdir_commit(r, co.expires_in, &v, &e)) {
		regdir_close(r);
		return fail(&e);
	}
	regdir_close(r);
	printf("index version %" PRId64 " signed\n", v);
	return 0;
}

/* ---- yank, deprecate, list ---------------------------------------------- */

/* Split "ns/name@version" (version required unless optional). */
static int split_spec(const char *cmd, const char *spec, char *name, size_t cap,
                      const char **version, int optional)
{
	const char *at = strchr(spec, '@');

	*version = NULL;
	if (!at && !optional)
		return usage_error(cmd, "give NAME@VERSION, like "
		                        "acme/weather@1.2.0");
	snprintf(name, cap, "%.*s", at ? (int)(at - spec) : (int)strlen(spec),
	         spec);
	if (!skilldesc_valid_skill_name(name))
		return usage_error(cmd, "that is not a skill name "
		                        "(namespace/name)");
	if (at) {
		*version = at + 1;
		if (!skilldesc_valid_semver(*version))
			return usage_error(cmd, "that is not a version "
			                        "(like 1.2.0)");
	}
	return 0;
}

static int cmd_yank(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"keys", required_argument, NULL, 'k'},
	        {"expires-in", required_argument, NULL, 'e'},
	        {"reason", required_argument, NULL, 'r'},
	        {"undo", no_argument, NULL, 'u'},
	        {NULL, 0, NULL, 0},
	};
	struct common co = {NULL, REGDIR_DEFAULT_EXPIRES_S};
	const char *reason = NULL, *version;
	char name[MINISIG_PKG_NAME_MAX + 1];
	struct regdir *r = NULL;
	struct sh_error e;
	int64_t v;
	int c, rc, undo = 0;

	if (wants_help(argc, argv)) {
		puts("usage: skillreg yank DIR NAME@VERSION --reason TEXT "
		     "[--keys KEYDIR] [--expires-in D]\n"
		     "       skillreg yank DIR NAME@VERSION --undo\n"
		     "\n"
		     "Mark a published version yanked, with the reason users "
		     "see, and\nre-sign the index. The package stays: hosts "
		     "that ask for that exact\nversion (NAME@VERSION) still "
		     "install it, with a warning, but\nranges, \"latest\" "
		     "and `skillhost upgrade` never choose it, and\n"
		     "`skillhost outdated` and the catalog flag it. --undo "
		     "lists it again.");
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			reason = optarg;
		else if (c == 'u')
			undo = 1;
		else if ((rc = common_opt(c, "yank", &co)))
			return rc;
	}
	if (optind + 2 != argc)
		return usage_error("yank", "give DIR and NAME@VERSION");
	if ((rc = split_spec("yank", argv[optind + 1], name, sizeof name,
	                     &version, 0)))
		return rc;
	if (undo == !!reason)
		return usage_error("yank", "give --reason TEXT (what is wrong "
		                           "with this version), or --undo");
	if (regdir_open(argv[optind], co.keys, &r, &e) ||
	    regdir_yank(r, name, version, reason, &e) ||
	    regdir_commit(r, co.expires_in, &v, &e)) {
		regdir_close(r);
		return fail(&e);
	}
	regdir_close(r);
	printf("%s %s %s (index version %" PRId64 ")\n", name, version,
	       undo ? "is listed again" : "is yanked", v);
	return 0;
}

static int cmd_deprecate(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"keys", required_argument, NULL, 'k'},
	        {"expires-in", required_argument, NULL, 'e'},
	        {"message", required_argument, NULL, 'm'},
	        {"undo", no_argument, NULL, 'u'},
	        {NULL, 0, NULL, 0},
	};
	struct common co = {NULL, REGDIR_DEFAULT_EXPIRES_S};
	const char *message = NULL, *version;
	char name[MINISIG_PKG_NAME_MAX + 1];
	struct regdir *r = NULL;
	struct sh_error e;
	size_t n = 0;
	int64_t v;
	int c, rc, undo = 0;

	if (wants_help(argc, argv)) {
		puts("usage: skillreg deprecate DIR NAME[@VERSION] --message "
		     "TEXT [--keys KEYDIR]\n"
		     "       skillreg deprecate DIR NAME[@VERSION] --undo\n"
		     "\n"
		     "Mark every version of NAME (or one version) deprecated, "
		     "with a\nmessage such as what to use instead, and "
		     "re-sign the index. Deprecated\nversions still install; "
		     "hosts warn when they do, and `skillhost\noutdated`, "
		     "`skillhost search` and the catalog show the message.");
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'm')
			message = optarg;
		else if (c == 'u')
			undo = 1;
		else if ((rc = common_opt(c, "deprecate", &co)))
			return rc;
	}
	if (optind + 2 != argc)
		return usage_error("deprecate", "give DIR and NAME[@VERSION]");
	if ((rc = split_spec("deprecate", argv[optind + 1], name, sizeof name,
	                     &version, 1)))
		return rc;
	if (undo == !!message)
		return usage_error("deprecate",
		                   "give --message TEXT (say what to use "
		                   "instead), or --undo");
	if (regdir_open(argv[optind], co.keys, &r, &e) ||
	    regdir_deprecate(r, name, version, message, &n, &e) ||
	    regdir_commit(r, co.expires_in, &v, &e)) {
		regdir_close(r);
		return fail(&e);
	}
	regdir_close(r);
	printf("%s%s%s: %zu version(s) %s (index version %" PRId64 ")\n", name,
	       version ? "@" : "", version ? version : "", n,
	       undo ? "no longer deprecated" : "deprecated", v);
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	char path[4096], *text = NULL, t[REGINDEX_TIME_SIZE];
	char id[MINISIG_KEYID_HEX_SIZE];
	const char *dir = NULL, *only = NULL;
	struct regindex *ix = NULL;
	struct sh_error e;
	size_t len, shown = 0;
	int json = 0;
	cJSON *arr = NULL;

	if (wants_help(argc, argv)) {
		puts("usage: skillreg list DIR [NAME] [--json]\n"
		     "\n"
		     "Every version the registry's index lists (or NAME's): "
		     "name,\nversion, publication time, publisher key, size, "
		     "and whether it is\nyanked or deprecated, with the "
		     "reason.");
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] == '-')
			return usage_error("list", "unknown option");
		else if (!dir)
			dir = argv[i];
		else if (!only)
			only = argv[i];
		else
			return usage_error("list", "give DIR and at most one "
			                           "NAME");
	}
	if (!dir)
		return usage_error("list", "give the registry folder DIR");
	if (fs_pathf(path, sizeof path, &e, "%s/%s", dir, REGDIR_INDEX) ||
	    fs_read_file(path, REGINDEX_MAX_BYTES, &text, &len, &e) ||
	    regindex_parse(text, len, path, &ix, &e)) {
		free(text);
		return fail(&e);
	}
	free(text);
	if (json && !(arr = cJSON_CreateArray()))
		goto nomem;
	for (size_t i = 0; i < ix->npkgs; i++) {
		const struct regindex_pkg *p = &ix->pkgs[i];
		if (only && strcmp(p->name, only))
			continue;
		shown++;
		regindex_time_format(p->published, t);
		minisig_keyid_to_hex(p->publisher, id);
		if (json) {
			cJSON *o = cJSON_CreateObject();
			if (!o || !cJSON_AddItemToArray(arr, o) ||
			    !cJSON_AddStringToObject(o, "name", p->name) ||
			    !cJSON_AddStringToObject(o, "version",
			                             p->version) ||
			    !cJSON_AddStringToObject(o, "published", t) ||
			    !cJSON_AddStringToObject(o, "publisher", id) ||
			    !cJSON_AddNumberToObject(o, "length",
			                             (double)p->length) ||
			    (p->yanked && !cJSON_AddStringToObject(
			                          o, "yanked", p->yanked)) ||
			    (p->deprecated &&
			     !cJSON_AddStringToObject(o, "deprecated",
			                              p->deprecated)))
				goto nomem;
			continue;
		}
		printf("%-32s %-12s %s %s %10" PRIu64, p->name, p->version, t,
		       id, p->length);
		if (p->yanked)
			printf("  YANKED: %s", p->yanked);
		if (p->deprecated)
			printf("  deprecated: %s", p->deprecated);
		putchar('\n');
	}
	regindex_free(ix);
	if (json) {
		char *out = cJSON_Print(arr);
		cJSON_Delete(arr);
		if (!out)
			goto nomem_freed;
		puts(out);
		free(out);
	}
	if (!shown && only) {
		fprintf(stderr, "skillreg: %s lists no %s\n", dir, only);
		return 4;
	}
	if (!shown && !json)
		fprintf(stderr,
		        "skillreg: %s lists no packages yet; publish with "
		        "`skillreg add %s FILE.skill`\n",
		        dir, dir);
	return 0;
nomem:
	regindex_free(ix);
	cJSON_Delete(arr);
nomem_freed:
	fprintf(stderr, "skillreg: error: out of memory\n");
	return 5;
}

/* ---- resign and rotate-key ---------------------------------------------- */

static int cmd_resign(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"keys", required_argument, NULL, 'k'},
	        {"expires-in", required_argument, NULL, 'e'},
	        {NULL, 0, NULL, 0},
	};
	struct common co = {NULL, REGDIR_DEFAULT_EXPIRES_S};
	struct regdir *r = NULL;
	struct sh_error e;
	char t[REGINDEX_TIME_SIZE];
	int64_t v;
	int c, rc;

	if (wants_help(argc, argv)) {
		puts("usage: skillreg resign DIR [--keys KEYDIR] "
		     "[--expires-in D]\n"
		     "\n"
		     "Sign the index again as a new version that expires "
		     "after D\n(default 7d). Clients refuse an expired index "
		     "(a frozen\nregistry), so run this regularly, e.g. daily "
		     "from cron.");
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if ((rc = common_opt(c, "resign", &co)))
			return rc;
	if (optind + 1 != argc)
		return usage_error("resign", "give one registry folder DIR");
	if (regdir_open(argv[optind], co.keys, &r, &e) ||
	    regdir_commit(r, co.expires_in, &v, &e)) {
		regdir_close(r);
		return fail(&e);
	}
	regindex_time_format(regdir_index(r)->expires, t);
	regdir_close(r);
	printf("index version %" PRId64 " signed; it expires at %s\n", v, t);
	return 0;
}

static int cmd_rotate(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"keys", required_argument, NULL, 'k'},
	        {"expires-in", required_argument, NULL, 'e'},
	        {"root", no_argument, NULL, 'r'},
	        {"root-key", required_argument, NULL, 'R'},
	        {NULL, 0, NULL, 0},
	};
	struct common co = {NULL, REGDIR_DEFAULT_EXPIRES_S};
	const char *root_key = NULL;
	struct regdir *r = NULL;
	struct sh_error e;
	int64_t v;
	int c, rc, root = 0;

	if (wants_help(argc, argv)) {
		puts("usage: skillreg rotate-key DIR [--root] [--root-key "
		     "ROOT.sec] [--keys KEYDIR]\n"
		     "\n"
		     "Replace the index key: publish root version N+1 listing "
		     "a new\nindex key, signed by the current root key "
		     "(KEYDIR/root.sec or\n--root-key) and re-sign the index "
		     "with it. Clients follow the\nnew root and refuse "
		     "anything the old index key signs from then\non. With "
		     "--root the root key is replaced too (the new root is\n"
		     "signed by both); the new root.sec is written to KEYDIR: "
		     "move it\noffline, and give clients the new root.pub "
		     "for new installs.");
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r') {
			root = 1;
			continue;
		}
		if (c == 'R') {
			root_key = optarg;
			continue;
		}
		if ((rc = common_opt(c, "rotate-key", &co)))
			return rc;
	}
	if (optind + 1 != argc)
		return usage_error("rotate-key",
		                   "give one registry folder DIR");
	if (regdir_open(argv[optind], co.keys, &r, &e) ||
	    regdir_rotate(r, root, root_key, co.expires_in, &v, &e)) {
		regdir_close(r);
		return fail(&e);
	}
	printf("root version %" PRId64 " published with a new index key%s; "
	       "index version %" PRId64 " signed with it\n",
	       v, root ? " and a new root key" : "", regdir_index(r)->version);
	if (root)
		printf("the new root key is in %s/root.sec: move it offline; "
		       "new clients need %s/root.pub\n",
		       regdir_keydir(r), regdir_keydir(r));
	regdir_close(r);
	return 0;
}

/* ---- serve -------------------------------------------------------------- */

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"keys", required_argument, NULL, 'k'},
	        {"expires-in", required_argument, NULL, 'e'},
	        {"http", required_argument, NULL, 'H'},
	        {"name", required_argument, NULL, 'n'},
	        {"public-url", required_argument, NULL, 'u'},
	        {"max-upload", required_argument, NULL, 'm'},
	        {NULL, 0, NULL, 0},
	};
	struct common co = {NULL, REGDIR_DEFAULT_EXPIRES_S};
	struct regserve_opts o = {0};
	struct regserve *s = NULL;
	struct sh_error e;
	sigset_t set;
	int c, rc, sig;

	if (wants_help(argc, argv)) {
		puts("usage: skillreg serve DIR [--http HOST:PORT] [--keys "
		     "KEYDIR] [--name NAME]\n"
		     "                [--public-url URL] [--max-upload BYTES] "
		     "[--expires-in D]\n"
		     "\n"
		     "Serve the registry over HTTP (default 127.0.0.1:8080; "
		     "port 0\npicks a free one): the signed files with caching "
		     "headers (index\nshort-lived, packages immutable, ETag, "
		     "ranges), the catalog at /\n(search, one page per skill), "
		     "and PUT /v1/packages, where a\npublisher uploads a "
		     "package and its signature (multipart fields\n\"package\" "
		     "and \"signature\"; `skillreg publish` sends them). Only "
		     "a\nsignature by a key allowed for the package's "
		     "namespace "
		     "publishes.\nNAME and URL are what the catalog tells "
		     "clients to `registry add`.\nStops on SIGINT or SIGTERM.");
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'H': o.hostport = optarg; break;
		case 'n': o.name = optarg; break;
		case 'u': o.public_url = optarg; break;
		case 'm': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*end || v == 0)
				return usage_error("serve",
				                   "--max-upload wants "
				                   "a byte count");
			o.max_upload = v;
			break;
		}
		default:
			if ((rc = common_opt(c, "serve", &co)))
				return rc;
		}
	}
	if (optind + 1 != argc)
		return usage_error("serve", "give one registry folder DIR");
	o.dir = argv[optind];
	o.keydir = co.keys;
	o.expires_in = co.expires_in;
	/* The signals go to sigwait below, not to the server's threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	(void)signal(SIGPIPE, SIG_IGN);
	if (regserve_start(&o, &s, &e))
		return fail(&e);
	printf("skillreg: serving %s at %s (catalog at /, publish with PUT "
	       "/v1/packages)\n",
	       o.dir, regserve_url(s));
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	hostlog(SKILL_LOG_NOTICE, "stopping on signal %d", sig);
	regserve_stop(s);
	return 0;
}

/* ---- publish ------------------------------------------------------------ */

struct reply {
	char buf[PUBLISH_REPLY_MAX];
	size_t len;
};

static size_t on_reply(char *p, size_t size, size_t n, void *ud)
{
	struct reply *r = ud;
	size_t len = size * n, room = sizeof r->buf - 1 - r->len;

	if (len > room)
		len = room;
	memcpy(r->buf + r->len, p, len);
	r->len += len;
	r->buf[r->len] = '\0';
	return size * n;
}

static int cmd_publish(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"sig", required_argument, NULL, 'x'},
	        {NULL, 0, NULL, 0},
	};
	const char *sig = NULL, *base, *file;
	char sigpath[4096], url[2048];
	struct reply *reply = NULL;
	curl_mime *mime = NULL;
	curl_mimepart *part;
	CURL *h = NULL;
	CURLcode cc;
	long status = 0;
	int c, rc = 5;
	cJSON *j;

	if (wants_help(argc, argv)) {
		puts("usage: skillreg publish URL FILE.skill [--sig FILE]\n"
		     "\n"
		     "Upload a signed package to the registry served at URL "
		     "(PUT\nURL/v1/packages). The signature "
		     "(FILE.skill.minisig "
		     "or --sig) is\nthe only credential: the registry accepts "
		     "it when its key may\npublish in the package's "
		     "namespace.");
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'x')
			return usage_error("publish", "unknown option");
		sig = optarg;
	}
	if (optind + 2 != argc)
		return usage_error("publish", "give URL and FILE.skill");
	base = argv[optind];
	file = argv[optind + 1];
	snprintf(sigpath, sizeof sigpath, "%s%s", sig ? sig : file,
	         sig ? "" : ".minisig");
	if (snprintf(url, sizeof url, "%s%sv1/packages", base,
	             base[strlen(base) - 1] == '/' ? "" : "/") >=
	    (int)sizeof url)
		return usage_error("publish", "URL is too long");
	if (access(file, R_OK) || access(sigpath, R_OK)) {
		fprintf(stderr, "skillreg: error: cannot read %s\n",
		        access(file, R_OK) ? file : sigpath);
		return 4;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) ||
	    !(reply = calloc(1, sizeof *reply)) || !(h = curl_easy_init()) ||
	    !(mime = curl_mime_init(h))) {
		fprintf(stderr, "skillreg: error: libcurl cannot start\n");
		goto out;
	}
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "package");
	curl_mime_filedata(part, file);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "signature");
	curl_mime_filedata(part, sigpath);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_reply);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, reply);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)PUBLISH_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "skillreg/" SKILLHOST_VERSION);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		fprintf(stderr, "skillreg: error: cannot reach %s: %s\n", url,
		        curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	j = cJSON_Parse(reply->buf);
	if (status == 201) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "version");
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "name");
		const cJSON *iv =
		        cJSON_GetObjectItemCaseSensitive(j, "index_version");
		printf("published %s %s (index version %.0f)\n",
		       cJSON_IsString(n) ? n->valuestring : "?",
		       cJSON_IsString(v) ? v->valuestring : "?",
		       cJSON_IsNumber(iv) ? iv->valuedouble : 0.0);
		rc = 0;
	} else {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "error");
		fprintf(stderr,
		        "skillreg: error: the registry refused the "
		        "package (HTTP %ld): %s\n",
		        status,
		        cJSON_IsString(m) ? m->valuestring : reply->buf);
		rc = status == 403 ? 3 : status == 400 ? 2 : 5;
	}
	cJSON_Delete(j);
out:
	curl_mime_free(mime);
	if (h)
		curl_easy_cleanup(h);
	free(reply);
	return rc;
}

/* ---- main --------------------------------------------------------------- */

static const struct {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
} commands[] = {
        {"init", "create a registry with its root and index keys", cmd_init},
        {"publisher", "allow a publisher key in a namespace (add, list)",
         cmd_publisher},
        {"add", "publish signed packages and re-sign the index", cmd_add},
        {"list",
         "list the published versions, yanked and deprecated ones "
         "flagged",
         cmd_list},
        {"yank",
         "withdraw a version from ranges and upgrades (it stays "
         "downloadable)",
         cmd_yank},
        {"deprecate", "mark a skill or version deprecated, with a message",
         cmd_deprecate},
        {"resign", "sign the index again with a fresh expiry", cmd_resign},
        {"rotate-key", "replace the index key (and the root key)", cmd_rotate},
        {"serve", "serve the registry, its catalog and publishing over HTTP",
         cmd_serve},
        {"publish", "upload a signed package to a served registry",
         cmd_publish},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: skillreg [-v|-q] COMMAND [ARGS]\n\n"
	           "Make, fill, sign and serve a skill registry (TUF-lite: "
	           "see\nregistry/FORMAT.md).\n\nCommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name,
		        commands[i].summary);
	fprintf(f, "\nExit codes: 0 ok, 2 usage, 3 signature or trust, 4 not "
	           "found, 5 other.\nRun 'skillreg COMMAND --help' for a "
	           "command's options.\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	hostlog_set_program("skillreg");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			hostlog_set_level(SKILL_LOG_DEBUG);
		else if (!strcmp(argv[i], "-q"))
			hostlog_set_level(SKILL_LOG_ERROR);
		else if (!strcmp(argv[i], "--version")) {
			printf("skillreg %s (registry format %d)\n",
			       SKILLHOST_VERSION, REGINDEX_FORMAT);
			return 0;
		} else if (!strcmp(argv[i], "-h") ||
		           !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "skillreg: unknown option %s\n",
			        argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
		if (!strcmp(commands[k].name, argv[i]))
			return commands[k].run(argc - i, argv + i);
	fprintf(stderr, "skillreg: no command '%s'; run 'skillreg --help'\n",
	        argv[i]);
	return 2;
}
