/*
 * cmd_keys.c - `skillhost keygen`, `sign` and `verify`: minisign-format
 * keys and signatures.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* Where a password comes from: --password-file, --password-fd, else
 * $SKILLHOST_KEY_PASSWORD, else a prompt on the terminal. */
struct pw_source {
	const char *file;
	int fd; /* -1: none */
};

#define PW_MAX 1024

/* The first line of fd (without its line ending) into buf. */
static int read_line_fd(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t got = read(fd, buf + n, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int tty_prompt(FILE *tty, const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	int have = tcgetattr(fileno(tty), &old) == 0;

	/* Quiet first, then the prompt: whatever is typed once the prompt
	 * shows is neither echoed nor flushed. */
	if (have) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	fprintf(tty, "%s", prompt);
	fflush(tty);
	if (!fgets(buf, (int)cap, tty))
		buf[0] = '\0';
	if (have)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/*
 * Get a password into buf (PW_MAX bytes). what names the key in prompts and
 * errors; confirm asks twice on a terminal (keygen). Returns 0, or prints
 * the error and returns the exit code.
 */
static int get_password(const struct pw_source *src, const char *what,
                        int confirm, char *buf)
{
	const char *env = getenv("SKILLHOST_KEY_PASSWORD");
	char again[PW_MAX];
	FILE *tty;

	if (src->file) {
		int fd = open(src->file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr,
			        "skillhost: error: cannot read the password "
			        "file %s: %s\n",
			        src->file, strerror(errno));
			return errno == ENOENT ? 4 : 5;
		}
		read_line_fd(fd, buf, PW_MAX);
		close(fd);
		return 0;
	}
	if (src->fd >= 0) {
		if (fcntl(src->fd, F_GETFD) < 0) {
			fprintf(stderr,
			        "skillhost: error: --password-fd %d is not an "
			        "open file descriptor\n",
			        src->fd);
			return 2;
		}
		read_line_fd(src->fd, buf, PW_MAX);
		return 0;
	}
	if (env) {
		snprintf(buf, PW_MAX, "%s", env);
		return 0;
	}
	tty = fopen("/dev/tty", "r+");
	if (!tty) {
		fprintf(stderr,
		        "skillhost: error: %s needs a password and there is "
		        "no terminal to ask on; give --password-file FILE or "
		        "--password-fd N, or set SKILLHOST_KEY_PASSWORD\n",
		        what);
		return 2;
	}
	{
		char prompt[PATH_MAX + 32];
		snprintf(prompt, sizeof prompt, "Password for %s: ", what);
		tty_prompt(tty, prompt, buf, PW_MAX);
		if (confirm) {
			tty_prompt(tty, "Password (again): ", again,
			           sizeof again);
			if (strcmp(buf, again)) {
				sodium_memzero(again, sizeof again);
				(void)fclose(tty);
				fprintf(stderr, "skillhost: error: the two "
				                "passwords differ; nothing was "
				                "written\n");
				return 2;
			}
			sodium_memzero(again, sizeof again);
		}
	}
	(void)fclose(tty);
	return 0;
}

/* Load the secret key at path, asking for its password only when it is
 * encrypted. Returns 0 or prints the error and returns the exit code. */
static int load_secret(const char *path, const struct pw_source *src,
                       struct minisig_seckey **sk)
{
	char pw[PW_MAX];
	struct sh_error e;
	int enc = 0, rc = 0;

	if (minisig_seckey_needs_password(path, &enc, &e) != SH_OK)
		return cli_fail(&e);
	if (enc && (rc = get_password(src, path, 0, pw)))
		return rc;
	if (minisig_seckey_load(path, enc ? pw : NULL, sk, &e) != SH_OK)
		rc = cli_fail(&e);
	sodium_memzero(pw, sizeof pw);
	return rc;
}

/* --password-fd's argument into src; 0, or the usage error's exit code. */
static int parse_fd(const char *cmd, const char *arg, struct pw_source *src)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end || v < 0 || v > 1 << 20)
		return cli_usage(cmd,
		                 "--password-fd wants a descriptor "
		                 "number, not '%s'",
		                 arg);
	src->fd = (int)v;
	return 0;
}

int cmd_keygen(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"public", required_argument, NULL, 'p'},
	        {"secret", required_argument, NULL, 's'},
	        {"force", no_argument, NULL, 'f'},
	        {"unencrypted", no_argument, NULL, 'W'},
	        {"password-file", required_argument, NULL, 'P'},
	        {"password-fd", required_argument, NULL, 'F'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *pub = NULL, *sec = NULL;
	struct pw_source src = {NULL, -1};
	struct minisig_seckey *sk = NULL;
	struct minisig_pubkey pk;
	char id[MINISIG_KEYID_HEX_SIZE], pw[PW_MAX];
	struct sh_error e;
	int force = 0, plain = 0, c, rc = 0;

	(void)ctx;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:s:fWh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pub = optarg; break;
		case 's': sec = optarg; break;
		case 'f': force = 1; break;
		case 'W': plain = 1; break;
		case 'P': src.file = optarg; break;
		case 'F':
			if ((rc = parse_fd("keygen", optarg, &src)))
				return rc;
			break;
		case 'h':
			puts("usage: skillhost keygen -p PUB -s SEC [-W] "
			     "[--password-file FILE | --password-fd N] "
			     "[--force]\n"
			     "\n"
			     "Create a publisher key pair in minisign's "
			     "format: PUB is the\npublic key to share "
			     "(minisign -P reads its second line), SEC\nthe "
			     "secret key, written with mode 0600 and encrypted "
			     "with a\npassword exactly as `minisign -G` does "
			     "(scrypt, 1 GiB: it takes\nseconds), so minisign "
			     "and skillhost both sign with it. The\npassword "
			     "is asked twice on the terminal, or read from the "
			     "first\nline of --password-file FILE or "
			     "--password-fd N, or "
			     "from\n$SKILLHOST_KEY_PASSWORD. "
			     "-W writes the secret key unencrypted,\nas "
			     "`minisign -G -W` does. Existing files are never "
			     "overwritten\nwithout --force.");
			return 0;
		default: return cli_usage("keygen", "unknown option");
		}
	}
	if (!pub || !sec || optind < argc)
		return cli_usage("keygen", "give -p PUB and -s SEC");
	if (plain && (src.file || src.fd >= 0))
		return cli_usage("keygen", "-W writes no password: drop "
		                           "--password-file/--password-fd");
	if (!force && (fs_exists(pub) || fs_exists(sec))) {
		fprintf(stderr,
		        "skillhost: error: %s already exists; keygen never "
		        "overwrites a key without --force\n",
		        fs_exists(sec) ? sec : pub);
		return 5;
	}
	if (!plain) {
		if ((rc = get_password(&src, sec, 1, pw)))
			return rc;
		if (!pw[0]) {
			fprintf(stderr,
			        "skillhost: error: the password is empty; give "
			        "one, or -W for an unencrypted key\n");
			return 2;
		}
	}
	if (minisig_keygen(&sk, &pk, &e) != SH_OK ||
	    (plain ? minisig_seckey_save(sec, sk, force, &e)
	           : minisig_seckey_save_encrypted(
	                     sec, sk, pw, MINISIG_SCRYPT_OPSLIMIT,
	                     MINISIG_SCRYPT_MEMLIMIT, force, &e)) != SH_OK ||
	    minisig_pubkey_save(pub, &pk, force, &e) != SH_OK) {
		rc = cli_fail(&e);
		goto out;
	}
	minisig_keyid_to_hex(pk.key_id, id);
	printf("created key %s\n  public: %s (share it)\n  secret: %s (%s; "
	       "keep it private)\n",
	       id, pub, sec,
	       plain ? "not encrypted" : "encrypted with your password");
out:
	sodium_memzero(pw, sizeof pw);
	minisig_seckey_free(sk);
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
	        {"password-file", required_argument, NULL, 'P'},
	        {"password-fd", required_argument, NULL, 'F'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *sec = NULL, *file, *tcomment = NULL, *outp = NULL;
	struct pw_source src = {NULL, -1};
	char skid[MINISIG_KEYID_HEX_SIZE];
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
		case 'P': src.file = optarg; break;
		case 'F':
			if ((rc = parse_fd("sign", optarg, &src)))
				return rc;
			break;
		case 'h':
			puts("usage: skillhost sign FILE -s SEC [-t COMMENT] "
			     "[-o SIGFILE]\n"
			     "                      [--password-file FILE | "
			     "--password-fd N]\n"
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
			     "comment.\n"
			     "A package whose manifest names a publisher key "
			     "must be signed\nwith that key. An encrypted "
			     "SEC's "
			     "password is asked on the\nterminal, or read from "
			     "the first line of --password-file FILE\nor "
			     "--password-fd N, or from "
			     "$SKILLHOST_KEY_PASSWORD.");
			return 0;
		default: return cli_usage("sign", "unknown option");
		}
	}
	if (!sec || optind + 1 != argc)
		return cli_usage("sign", "give FILE and -s SEC");
	file = argv[optind];
	/* The package is read before the key: its publisher decides which
	 * key may sign, and a wrong key costs no password prompt. */
	if (is_package(file) && package_read_manifest(file, &m, &e) != SH_OK) {
		/* With -t the signer wrote the comment and vouches for the
		 * content; without it, the comment comes from the manifest. */
		if (!tcomment) {
			rc = cli_fail(&e);
			goto out;
		}
		m = NULL;
	}
	if ((rc = load_secret(sec, &src, &sk)))
		goto out;
	minisig_keyid_to_hex(sk->key_id, skid);
	if (m && m->publisher && strcasecmp(m->publisher, skid)) {
		fprintf(stderr,
		        "skillhost: error: %s names publisher key %s, but %s "
		        "is key %s; sign with the publisher's key, or re-pack "
		        "with -p for this key\n",
		        file, m->publisher, sec, skid);
		rc = 3;
		goto out;
	}
	if (minisig_hash_file(file, digest, info.blake2b256, &size, &e) !=
	    SH_OK) {
		rc = cli_fail(&e);
		goto out;
	}
	if (m && !tcomment) {
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
	/* One BLAKE2b-512 pass, as minisign -Vm: the signature covers every
	 * byte and the trusted comment is signed with it, so the comment's
	 * blake2b256 needs no second pass over the file (see minisig.h). */
	if (minisig_verify_file(&pk, &sig, file, NULL, &e) != SH_OK) {
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
