/*
 * cmd_keys.c - `skillhost keygen`, `sign` and `verify`: minisign-format
 * keys and signatures.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "fsutil.h"
#include "manifest.h"
#include "minisig.h"
#include "package.h"
#include "runtime.h"
#include "trust.h"

int cmd_keygen(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"public", required_argument, NULL, 'p'},
	        {"secret", required_argument, NULL, 's'},
	        {"force", no_argument, NULL, 'f'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *pub = NULL, *sec = NULL;
	struct minisig_seckey *sk = NULL;
	struct minisig_pubkey pk;
	char id[MINISIG_KEYID_HEX_SIZE];
	struct sh_error e;
	int force = 0, c, rc = 0;

	(void)ctx;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:s:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pub = optarg; break;
		case 's': sec = optarg; break;
		case 'f': force = 1; break;
		case 'h':
			puts("usage: skillhost keygen -p PUB -s SEC [--force]\n"
			     "\n"
			     "Create a publisher key pair in minisign's "
			     "format: "
			     "PUB is the\npublic key to share (minisign -P "
			     "reads its second line), SEC\nthe secret key, "
			     "written with mode 0600 and not encrypted: keep\n"
			     "it safe. Existing files are never overwritten "
			     "without --force.");
			return 0;
		default: return cli_usage("keygen", "unknown option");
		}
	}
	if (!pub || !sec || optind < argc)
		return cli_usage("keygen", "give -p PUB and -s SEC");
	if (!force && (fs_exists(pub) || fs_exists(sec))) {
		fprintf(stderr,
		        "skillhost: error: %s already exists; keygen never "
		        "overwrites a key without --force\n",
		        fs_exists(sec) ? sec : pub);
		return 5;
	}
	if (minisig_keygen(&sk, &pk, &e) != SH_OK ||
	    minisig_seckey_save(sec, sk, force, &e) != SH_OK ||
	    minisig_pubkey_save(pub, &pk, force, &e) != SH_OK) {
		rc = cli_fail(&e);
		goto out;
	}
	minisig_keyid_to_hex(pk.key_id, id);
	printf("created key %s\n  public: %s (share it)\n  secret: %s (keep "
	       "it private)\n",
	       id, pub, sec);
out:
	minisig_seckey_free(sk);
	return rc;
}

/* The password of an encrypted secret key: $SKILLHOST_KEY_PASSWORD, or a
 * prompt on the terminal. */
static char *ask_password(const char *path)
{
	const char *env = getenv("SKILLHOST_KEY_PASSWORD");
	struct termios old, quiet;
	char buf[1024];
	FILE *tty;

	if (env)
		return strdup(env);
	tty = fopen("/dev/tty", "r+");
	if (!tty)
		return NULL;
	fprintf(tty, "Password for %s: ", path);
	fflush(tty);
	tcgetattr(fileno(tty), &old);
	quiet = old;
	quiet.c_lflag &= (tcflag_t)~ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	if (!fgets(buf, sizeof buf, tty))
		buf[0] = '\0';
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	(void)fclose(tty);
	buf[strcspn(buf, "\r\n")] = '\0';
	return strdup(buf);
}

static sh_status load_secret(const char *path, struct minisig_seckey **sk,
                             struct sh_error *e)
{
	char *pw = NULL;
	int enc = 0;
	sh_status rc;

	if ((rc = minisig_seckey_needs_password(path, &enc, e)))
		return rc;
	if (enc && !(pw = ask_password(path)))
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "%s is password-protected: set "
		        "SKILLHOST_KEY_PASSWORD or run in a terminal",
		        path);
	rc = minisig_seckey_load(path, pw, sk, e);
	if (pw) {
		memset(pw, 0, strlen(pw));
		free(pw);
	}
	return rc;
}

static int is_package(const char *path)
{
	size_t n = strlen(path);
	return n > 6 && !strcmp(path + n - 6, ".skill");
}

int cmd_sign(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"secret", required_argument, NULL, 's'},
	        {"trusted-comment", required_argument, NULL, 't'},
	        {"output", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *sec = NULL, *file, *tcomment = NULL, *outp = NULL;
	struct minisig_seckey *sk = NULL;
	struct minisig_signature sig;
	struct minisig_package_info info = {0};
	uint8_t digest[MINISIG_DIGEST_BYTES];
	char comment[MINISIG_PKG_COMMENT_SIZE], sigpath[4096];
	struct manifest *m = NULL;
	struct sh_error e;
	uint64_t size;
	int c, rc = 0;

	(void)ctx;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sec = optarg; break;
		case 't': tcomment = optarg; break;
		case 'o': outp = optarg; break;
		case 'h':
			puts("usage: skillhost sign FILE -s SEC [-t COMMENT] "
			     "[-o SIGFILE]\n"
			     "\n"
			     "Write FILE.minisig, a minisign signature "
			     "(prehashed "
			     "ED) that\n`minisign -V` accepts. For a .skill "
			     "package the trusted comment\nbinds the package's "
			     "name, version and BLAKE2b-256 hash:\n"
			     "  skillhost-package:1 name:NS/NAME version:V "
			     "blake2b256:HEX timestamp:T\n"
			     "Other files get -t COMMENT, or minisign's "
			     "default "
			     "comment.");
			return 0;
		default: return cli_usage("sign", "unknown option");
		}
	}
	if (!sec || optind + 1 != argc)
		return cli_usage("sign", "give FILE and -s SEC");
	file = argv[optind];
	if (load_secret(sec, &sk, &e) != SH_OK ||
	    minisig_hash_file(file, digest, info.blake2b256, &size, &e) !=
	            SH_OK) {
		rc = cli_fail(&e);
		goto out;
	}
	if (is_package(file) && !tcomment) {
		if (package_read_manifest(file, &m, &e) != SH_OK) {
			rc = cli_fail(&e);
			goto out;
		}
		snprintf(info.name, sizeof info.name, "%s", m->name);
		snprintf(info.version, sizeof info.version, "%s", m->version);
		info.timestamp = (int64_t)time(NULL);
		if (minisig_package_comment_format(
		            &info, comment, sizeof comment, &e) != SH_OK) {
			rc = cli_fail(&e);
			goto out;
		}
	} else {
		const char *base = strrchr(file, '/');
		if (tcomment)
			snprintf(comment, sizeof comment, "%s", tcomment);
		else
			snprintf(comment, sizeof comment,
			         "timestamp:%lld\tfile:%s\thashed",
			         (long long)time(NULL), base ? base + 1 : file);
	}
	if (outp)
		snprintf(sigpath, sizeof sigpath, "%s", outp);
	else if (snprintf(sigpath, sizeof sigpath, "%s.minisig", file) >=
	         (int)sizeof sigpath) {
		rc = cli_usage("sign", "path too long");
		goto out;
	}
	if (minisig_sign_digest(sk, digest, comment, NULL, &sig, &e) != SH_OK ||
	    minisig_save(sigpath, &sig, &e) != SH_OK) {
		rc = cli_fail(&e);
		goto out;
	}
	printf("signed %s -> %s\n", file, sigpath);
out:
	manifest_free(m);
	minisig_seckey_free(sk);
	return rc;
}

int cmd_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"public", required_argument, NULL, 'p'},
	        {"sig", required_argument, NULL, 'x'},
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *pub = NULL, *file, *sigp = NULL;
	struct minisig_signature sig;
	struct minisig_pubkey pk;
	struct minisig_package_info info;
	uint8_t file_hash[MINISIG_FILE_HASH_BYTES];
	char sigpath[4096], home[4096], id[MINISIG_KEYID_HEX_SIZE];
	struct trust *t = NULL;
	const struct trust_key *k = NULL;
	struct sh_error e;
	int c, rc = 0, pkg;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:x:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pub = optarg; break;
		case 'x': sigp = optarg; break;
		case 'j': ctx->json = 1; break;
		case 'h':
			puts("usage: skillhost verify FILE [-p PUB] [-x "
			     "SIGFILE] [--json]\n"
			     "\n"
			     "Check FILE.minisig (or -x SIGFILE) against the "
			     "public key PUB,\nor else against the keys this "
			     "host trusts. For a .skill package\nthe trusted "
			     "comment must name the package and its hash, and "
			     "the\nkey must be trusted for the package's "
			     "namespace. Exit 3 when\nverification fails.");
			return 0;
		default: return cli_usage("verify", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage("verify", "give one FILE");
	file = argv[optind];
	pkg = is_package(file);
	if (sigp)
		snprintf(sigpath, sizeof sigpath, "%s", sigp);
	else if (snprintf(sigpath, sizeof sigpath, "%s.minisig", file) >=
	         (int)sizeof sigpath)
		return cli_usage("verify", "path too long");
	if (minisig_load(sigpath, &sig, &e) != SH_OK) {
		e.status = SH_ERR_TRUST;
		return cli_fail(&e);
	}
	minisig_keyid_to_hex(sig.key_id, id);
	if (pub) {
		if (minisig_pubkey_load(pub, &pk, &e) != SH_OK)
			return cli_fail(&e);
	} else {
		if ((rc = cli_home(ctx, home, sizeof home)))
			return rc;
		if (trust_load(home, &t, &e) != SH_OK)
			return cli_fail(&e);
		k = trust_find(t, sig.key_id);
		if (!k) {
			fprintf(stderr,
			        "skillhost: error: %s is signed by key %s, "
			        "which "
			        "this host does not trust (give -p PUB, or "
			        "`skillhost trust add`)\n",
			        file, id);
			trust_free(t);
			return 3;
		}
		pk = k->pk;
	}
	if (minisig_verify_file(&pk, &sig, file, file_hash, &e) != SH_OK) {
		rc = cli_fail(&e);
		goto out;
	}
	if (pkg) {
		char ns[80];
		if (minisig_package_comment_parse(sig.trusted_comment, &info,
		                                  &e) != SH_OK) {
			e.status = SH_ERR_TRUST;
			rc = cli_fail(&e);
			goto out;
		}
		if (memcmp(info.blake2b256, file_hash, sizeof file_hash)) {
			fprintf(stderr,
			        "skillhost: error: the signature of %s names "
			        "another file's hash\n",
			        file);
			rc = 3;
			goto out;
		}
		snprintf(ns, sizeof ns, "%.*s", (int)strcspn(info.name, "/"),
		         info.name);
		if (k && !trust_key_allows(k, ns)) {
			fprintf(stderr,
			        "skillhost: error: key %s is not trusted for "
			        "namespace %s\n",
			        id, ns);
			rc = 3;
			goto out;
		}
		if (!ctx->json)
			printf("ok: %s %s, signed by key %s\n", info.name,
			       info.version, id);
	} else if (!ctx->json) {
		printf("ok: %s, signed by key %s\ntrusted comment: %s\n", file,
		       id, sig.trusted_comment);
	}
	if (ctx->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "file", file);
		cJSON_AddStringToObject(j, "key_id", id);
		cJSON_AddStringToObject(j, "trusted_comment",
		                        sig.trusted_comment);
		if (pkg) {
			cJSON_AddStringToObject(j, "name", info.name);
			cJSON_AddStringToObject(j, "version", info.version);
		}
		rc = cli_print_json(j, 1);
		cJSON_Delete(j);
	}
out:
	trust_free(t);
	return rc;
}
