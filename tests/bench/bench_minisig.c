/*
 * bench_minisig.c - signature verification speed against minisign, plus the
 * small driver the interop test uses until `skillhost keygen/sign/verify`
 * exist.
 *
 *   bench_minisig [--runs N] [--size MB] [FILE]
 *       Sign FILE (default: a fresh 100 MB file of random bytes) with a new
 *       key, then verify it N times (default 5) with this module, in process
 *       and as a subprocess (this program's verify mode), and with
 *       `minisign -Vm FILE -x SIG -P KEY -q`, interleaved, on the same file
 *       in the same run. Prints the medians and ours/minisign time ratios
 *       (below 1.0 means we are faster). $MINISIGN overrides the minisign
 *       program.
 *   bench_minisig keygen PUB SEC [--force]
 *   bench_minisig sign FILE SEC [-x SIG] [-t COMMENT]
 *   bench_minisig sign-package FILE SEC NAME VERSION [-x SIG]
 *   bench_minisig verify FILE PUB [-x SIG] [-q] [--package NAME VERSION]
 *   bench_minisig package-comment FILE NAME VERSION [TIMESTAMP]
 *       PUB is a public key file or the bare base64 key. SIG defaults to
 *       FILE.minisig. An encrypted secret key's password is read from
 *       SKILLHOST_KEY_PASSWORD. Exit codes follow the CLI contract (0 ok,
 *       3 trust failure, 2 usage, ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "fsutil.h"
#include "minisig.h"
#include "status.h"

extern char **environ;

#define DEFAULT_RUNS    5
#define DEFAULT_SIZE_MB 100
#define MAX_RUNS        1000
#define MAX_SIZE_MB     100000
#define FILL_CHUNK      (1u << 20)

static void usage(void)
{
	(void)fprintf(
	        stderr,
	        "usage: bench_minisig [--runs N] [--size MB] [FILE]\n"
	        "       bench_minisig keygen PUB SEC [--force]\n"
	        "       bench_minisig sign FILE SEC [-x SIG] [-t COMMENT]\n"
	        "       bench_minisig sign-package FILE SEC NAME VERSION "
	        "[-x SIG]\n"
	        "       bench_minisig verify FILE PUB [-x SIG] [-q] "
	        "[--package NAME VERSION]\n"
	        "       bench_minisig package-comment FILE NAME VERSION "
	        "[TIMESTAMP]\n");
}

static int fail(const struct sh_error *e)
{
	(void)fprintf(stderr, "bench_minisig: %s\n", e->msg);
	return sh_status_exit_code(e->status);
}

static int usage_fail(void)
{
	usage();
	return sh_status_exit_code(SH_ERR_USAGE);
}

/* A public key file, or the bare base64 line as minisign -P takes it. */
static sh_status load_pub(const char *arg, struct minisig_pubkey *pk,
                          struct sh_error *e)
{
	if (fs_exists(arg))
		return minisig_pubkey_load(arg, pk, e);
	return minisig_pubkey_parse(arg, strlen(arg), pk, e);
}

static sh_status load_sec(const char *path, struct minisig_seckey **sk,
                          struct sh_error *e)
{
	int enc = 0;
	sh_status rc = minisig_seckey_needs_password(path, &enc, e);

	if (rc != SH_OK)
		return rc;
	return minisig_seckey_load(
	        path, enc ? getenv("SKILLHOST_KEY_PASSWORD") : NULL, sk, e);
}

static sh_status default_sig_path(const char *file, const char *given,
                                  char *out, size_t cap, struct sh_error *e)
{
	int n = given ? snprintf(out, cap, "%s", given)
	              : snprintf(out, cap, "%s.minisig", file);

	if (n < 0 || (size_t)n >= cap)
		return sh_error_set(e, SH_ERR_USAGE, "path too long: %s", file);
	return SH_OK;
}

/* ---- driver modes ----------------------------------------------------- */

static int cmd_keygen(int argc, char **argv)
{
	struct minisig_seckey *sk = NULL;
	struct minisig_pubkey pk;
	struct sh_error e = {0};
	char id[MINISIG_KEYID_HEX_SIZE];
	int force = argc == 5 && strcmp(argv[4], "--force") == 0;
	int code = 0;

	if (argc != 4 && !force)
		return usage_fail();
	if (minisig_keygen(&sk, &pk, &e) != SH_OK ||
	    minisig_seckey_save(argv[3], sk, force, &e) != SH_OK ||
	    minisig_pubkey_save(argv[2], &pk, force, &e) != SH_OK) {
		code = fail(&e);
		goto out;
	}
	minisig_keyid_to_hex(pk.key_id, id);
	(void)printf("key id %s\n", id);
out:
	minisig_seckey_free(sk);
	return code;
}

static int cmd_sign(int argc, char **argv, int package)
{
	struct minisig_seckey *sk = NULL;
	struct minisig_signature sig;
	struct minisig_package_info info = {0};
	struct sh_error e = {0};
	char sigpath[PATH_MAX];
	char comment[MINISIG_PKG_COMMENT_SIZE];
	const char *sigarg = NULL, *tc = NULL;
	uint8_t digest[MINISIG_DIGEST_BYTES];
	int first_opt = package ? 6 : 4;
	int code = 0;

	if (argc < first_opt)
		return usage_fail();
	for (int i = first_opt; i < argc; i++) {
		if (strcmp(argv[i], "-x") == 0 && i + 1 < argc)
			sigarg = argv[++i];
		else if (!package && strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			tc = argv[++i];
		else
			return usage_fail();
	}
	if (default_sig_path(argv[2], sigarg, sigpath, sizeof sigpath, &e) !=
	            SH_OK ||
	    load_sec(argv[3], &sk, &e) != SH_OK) {
		code = fail(&e);
		goto out;
	}
	if (package) {
		(void)snprintf(info.name, sizeof info.name, "%s", argv[4]);
		(void)snprintf(info.version, sizeof info.version, "%s",
		               argv[5]);
		info.timestamp = (int64_t)time(NULL);
		if (minisig_hash_file(argv[2], digest, info.blake2b256, NULL,
		                      &e) != SH_OK ||
		    minisig_package_comment_format(
		            &info, comment, sizeof comment, &e) != SH_OK ||
		    minisig_sign_digest(sk, digest, comment, NULL, &sig, &e) !=
		            SH_OK) {
			code = fail(&e);
			goto out;
		}
	} else {
		char deflt[64];

		if (!tc) {
			(void)snprintf(deflt, sizeof deflt, "timestamp:%lld",
			               (long long)time(NULL));
			tc = deflt;
		}
		if (minisig_sign_file(sk, argv[2], tc, NULL, &sig, &e) !=
		    SH_OK) {
			code = fail(&e);
			goto out;
		}
	}
	if (minisig_save(sigpath, &sig, &e) != SH_OK)
		code = fail(&e);
out:
	minisig_seckey_free(sk);
	return code;
}

static int cmd_verify(int argc, char **argv)
{
	struct minisig_pubkey pk;
	struct minisig_signature sig;
	struct minisig_package_info info;
	struct sh_error e = {0};
	char sigpath[PATH_MAX];
	const char *sigarg = NULL, *name = NULL, *version = NULL;
	uint8_t file_hash[MINISIG_FILE_HASH_BYTES];
	int quiet = 0;

	if (argc < 4)
		return usage_fail();
	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "-x") == 0 && i + 1 < argc) {
			sigarg = argv[++i];
		} else if (strcmp(argv[i], "-q") == 0) {
			quiet = 1;
		} else if (strcmp(argv[i], "--package") == 0 && i + 2 < argc) {
			name = argv[++i];
			version = argv[++i];
		} else {
			return usage_fail();
		}
	}
	if (default_sig_path(argv[2], sigarg, sigpath, sizeof sigpath, &e) !=
	            SH_OK ||
	    load_pub(argv[3], &pk, &e) != SH_OK ||
	    minisig_load(sigpath, &sig, &e) != SH_OK ||
	    minisig_verify_file(&pk, &sig, argv[2], name ? file_hash : NULL,
	                        &e) != SH_OK)
		return fail(&e);
	if (name) {
		if (minisig_package_comment_parse(sig.trusted_comment, &info,
		                                  &e) != SH_OK)
			return fail(&e);
		if (strcmp(info.name, name) != 0 ||
		    strcmp(info.version, version) != 0 ||
		    sodium_memcmp(info.blake2b256, file_hash,
		                  sizeof file_hash) != 0) {
			(void)fprintf(
			        stderr,
			        "bench_minisig: the signature is for %s %s "
			        "with another hash or name, not %s %s\n",
			        info.name, info.version, name, version);
			return sh_status_exit_code(SH_ERR_TRUST);
		}
	}
	if (!quiet) {
		(void)printf("Signature and comment signature verified\n"
		             "Trusted comment: %s\n",
		             sig.trusted_comment);
		if (name)
			(void)printf("Package: %s %s\n", info.name,
			             info.version);
	}
	return 0;
}

static int cmd_package_comment(int argc, char **argv)
{
	struct minisig_package_info info = {0};
	struct sh_error e = {0};
	char comment[MINISIG_PKG_COMMENT_SIZE];
	uint8_t digest[MINISIG_DIGEST_BYTES];

	if (argc != 5 && argc != 6)
		return usage_fail();
	(void)snprintf(info.name, sizeof info.name, "%s", argv[3]);
	(void)snprintf(info.version, sizeof info.version, "%s", argv[4]);
	info.timestamp =
	        argc == 6 ? strtoll(argv[5], NULL, 10) : (int64_t)time(NULL);
	if (minisig_hash_file(argv[2], digest, info.blake2b256, NULL, &e) !=
	            SH_OK ||
	    minisig_package_comment_format(&info, comment, sizeof comment,
	                                   &e) != SH_OK)
		return fail(&e);
	(void)printf("%s\n", comment);
	return 0;
}

/* ---- the benchmark ---------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Run argv with stdout and stderr on /dev/null; -1 if it cannot start. */
static int run_quiet(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	if (!argv[0])
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static sh_status make_random_file(const char *path, size_t bytes,
                                  struct sh_error *e)
{
	unsigned char *buf = malloc(bytes ? bytes : 1);
	sh_status rc;

	if (!buf)
		return sh_error_set(e, SH_ERR_NOMEM,
		                    "out of memory for %zu "
		                    "bytes of test data",
		                    bytes);
	for (size_t off = 0; off < bytes; off += FILL_CHUNK)
		randombytes_buf(buf + off, bytes - off < FILL_CHUNK
		                                   ? bytes - off
		                                   : FILL_CHUNK);
	rc = fs_write_atomic(path, buf, bytes, 0644, e);
	free(buf);
	return rc;
}

/* Everything our verify does from the files: parse both, hash, check. */
static sh_status verify_ours(const char *file, const char *sigpath,
                             const char *pub_b64, uint8_t *file_hash,
                             struct sh_error *e)
{
	struct minisig_pubkey pk;
	struct minisig_signature sig;
	sh_status rc;

	rc = minisig_pubkey_parse(pub_b64, strlen(pub_b64), &pk, e);
	if (rc == SH_OK)
		rc = minisig_load(sigpath, &sig, e);
	if (rc == SH_OK)
		rc = minisig_verify_file(&pk, &sig, file, file_hash, e);
	return rc;
}

static int cmd_bench(int argc, char **argv)
{
	struct minisig_seckey *sk = NULL;
	struct minisig_pubkey pk;
	struct minisig_signature sig;
	struct sh_error e = {0};
	char dir[] = "/tmp/bench_minisig.XXXXXX";
	char file[PATH_MAX], sigpath[PATH_MAX], self[PATH_MAX];
	char pub_b64[MINISIG_PUBKEY_B64_SIZE];
	const char *given = NULL;
	const char *minisign =
	        getenv("MINISIGN") ? getenv("MINISIGN") : "minisign";
	double *t_ours = NULL, *t_sub = NULL, *t_ms = NULL, *t_pkg = NULL;
	uint8_t fh[MINISIG_FILE_HASH_BYTES];
	long runs = DEFAULT_RUNS, size_mb = DEFAULT_SIZE_MB;
	uint64_t size = 0;
	uint8_t digest[MINISIG_DIGEST_BYTES];
	int have_ms, code = 0;
	ssize_t n;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
			size_mb = strtol(argv[++i], NULL, 10);
		else if (argv[i][0] != '-' && !given)
			given = argv[i];
		else
			return usage_fail();
	}
	if (runs < 1 || runs > MAX_RUNS || size_mb < 0 || size_mb > MAX_SIZE_MB)
		return usage_fail();
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0) {
		perror("bench_minisig: /proc/self/exe");
		return 5;
	}
	self[n] = '\0';
	if (!mkdtemp(dir)) {
		perror("bench_minisig: mkdtemp");
		return 5;
	}
	t_ours = calloc((size_t)runs, sizeof *t_ours);
	t_sub = calloc((size_t)runs, sizeof *t_sub);
	t_ms = calloc((size_t)runs, sizeof *t_ms);
	t_pkg = calloc((size_t)runs, sizeof *t_pkg);
	if (!t_ours || !t_sub || !t_ms || !t_pkg) {
		sh_error_set(&e, SH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (fs_join(sigpath, sizeof sigpath, dir, "file.minisig", &e) != SH_OK)
		goto fail;
	if (given) {
		(void)snprintf(file, sizeof file, "%s", given);
	} else {
		if (fs_join(file, sizeof file, dir, "file.bin", &e) != SH_OK ||
		    make_random_file(file, (size_t)size_mb << 20, &e) != SH_OK)
			goto fail;
	}
	if (minisig_keygen(&sk, &pk, &e) != SH_OK ||
	    minisig_hash_file(file, digest, NULL, &size, &e) != SH_OK ||
	    minisig_sign_digest(sk, digest, "benchmark", NULL, &sig, &e) !=
	            SH_OK ||
	    minisig_save(sigpath, &sig, &e) != SH_OK)
		goto fail;
	minisig_pubkey_to_base64(&pk, pub_b64);

	{
		char *ms_argv[] = {
		        (char *)minisign, "-Vm", file, "-x", sigpath, "-P",
		        pub_b64,          "-q",  NULL};
		char *our_argv[] = {self, "verify", file, pub_b64,
		                    "-x", sigpath,  "-q", NULL};
		int rc;

		/* Warm-up: the page cache, and a check that both accept. */
		rc = run_quiet(ms_argv);
		have_ms = rc == 0;
		if (rc > 0) {
			sh_error_set(&e, SH_ERR_FAIL,
			             "minisign refused our signature (exit %d)",
			             rc);
			goto fail;
		}
		if (rc < 0)
			(void)printf("minisign (%s) not found: measuring ours "
			             "only\n",
			             minisign);
		if (verify_ours(file, sigpath, pub_b64, NULL, &e) != SH_OK)
			goto fail;
		if (run_quiet(our_argv) != 0) {
			sh_error_set(&e, SH_ERR_FAIL,
			             "%s verify failed in a subprocess", self);
			goto fail;
		}
		(void)printf("file %s: %" PRIu64 " bytes, %ld runs each, "
		             "interleaved\n",
		             file, size, runs);
		for (long i = 0; i < runs; i++) {
			double t0 = now();

			if (verify_ours(file, sigpath, pub_b64, NULL, &e) !=
			    SH_OK)
				goto fail;
			t_ours[i] = now() - t0;
			t0 = now();
			if (run_quiet(our_argv) != 0) {
				sh_error_set(&e, SH_ERR_FAIL,
				             "subprocess verify failed");
				goto fail;
			}
			t_sub[i] = now() - t0;
			if (have_ms) {
				t0 = now();
				if (run_quiet(ms_argv) != 0) {
					sh_error_set(&e, SH_ERR_FAIL,
					             "minisign verify failed");
					goto fail;
				}
				t_ms[i] = now() - t0;
			}
			t0 = now();
			if (verify_ours(file, sigpath, pub_b64, fh, &e) !=
			    SH_OK)
				goto fail;
			t_pkg[i] = now() - t0;
		}
	}
	{
		double m_ours = median(t_ours, (int)runs);
		double m_sub = median(t_sub, (int)runs);
		double m_pkg = median(t_pkg, (int)runs);
		double mb = (double)size / (1 << 20);

		(void)printf(
		        "ours, in process        median %.4f s  (%.0f MiB/s)\n",
		        m_ours, mb / m_ours);
		(void)printf(
		        "ours, subprocess        median %.4f s  (%.0f MiB/s)\n",
		        m_sub, mb / m_sub);
		if (have_ms) {
			double m_ms = median(t_ms, (int)runs);

			(void)printf(
			        "minisign -Vm -q         median %.4f s  (%.0f "
			        "MiB/s)\n",
			        m_ms, mb / m_ms);
			(void)printf(
			        "ratio ours/minisign     %.3f in process, %.3f "
			        "as subprocesses (<= 1.0: as fast or faster)\n",
			        m_ours / m_ms, m_sub / m_ms);
		}
		(void)printf(
		        "ours + package hash     median %.4f s  (BLAKE2b-256 "
		        "for the trusted comment in the same pass; minisign "
		        "has no equivalent)\n",
		        m_pkg);
	}
	goto out;
fail:
	code = fail(&e);
out:
	minisig_seckey_free(sk);
	free(t_ours);
	free(t_sub);
	free(t_ms);
	free(t_pkg);
	fs_remove_tree(dir, NULL);
	return code;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
		return cmd_keygen(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "sign") == 0)
		return cmd_sign(argc, argv, 0);
	if (argc >= 2 && strcmp(argv[1], "sign-package") == 0)
		return cmd_sign(argc, argv, 1);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return cmd_verify(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "package-comment") == 0)
		return cmd_package_comment(argc, argv);
	if (argc >= 2 &&
	    (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage();
		return 0;
	}
	return cmd_bench(argc, argv);
}
