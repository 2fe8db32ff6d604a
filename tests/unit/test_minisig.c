/*
 * test_minisig.c - keys, signatures and package comments in minisign's
 * format: round trips, a fixed vector made by minisign 0.11, and every
 * refusal the parser and verifier promise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "skip_ci.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "b2fast.h"
#include "fsutil.h"
#include "minisig.h"
#include "status.h"

/* Made with /usr/bin/minisign 0.11: `minisign -G -W`, then
 * `minisign -S -t "hi there"` and `minisign -S -l` over "hello\n". */
#define VEC_PUB    "RWQuUQJ+ZhLF1ryTGWQQ2bo3lilXyIx5Smhwz2MKj9uuvixSOnDch9bt"
#define VEC_PUB_ID "D6C512667E02512E"
#define VEC_MSG    "hello\n"
#define VEC_SIG                                                                \
	"untrusted comment: signature from minisign secret key\n"              \
	"RUQuUQJ+ZhLF1un1b/0p9dHa0TBIkrntXWqzIyKyIEjX54L1AOAX1h8GZgupL4sYyUVc" \
	"57zTbzzUxGd4zWbxRwRiwgkCzKkXgAg=\n"                                   \
	"trusted comment: hi there\n"                                          \
	"bJ1jahTV/LsFwwtYBJI24yyamfRyM0GPpGbT+nxrUTpV0TVFT3Z7qZ6Gn2gNK0qOEmMp" \
	"0HDK0b2MXdZpefbRAA==\n"
#define VEC_SIG_LEGACY                                                         \
	"untrusted comment: signature from minisign secret key\n"              \
	"RWQuUQJ+ZhLF1norWovS4LlKez3478DqxOd53AuRRHe51UNsn9hqN5x7DmZ+49jdLY+p" \
	"/r2kzQvcbz18a5TDTv7Q5FEcnuf3/Q4=\n"                                   \
	"trusted comment: timestamp:1795696512\tfile:f.txt\n"                  \
	"FXufemifh/JLlP2oYvDHGvSYD/8SmQr8iFt0pI2Cu34gkXwCciFvxILi3fNJw96aFCHd" \
	"/oKjiGOJCBB0I1x7AQ==\n"

/* Fast scrypt limits for the encrypted keys the tests make themselves. */
#define TEST_OPSLIMIT crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN
#define TEST_MEMLIMIT crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN

static char tmpdir[PATH_MAX];

static int group_setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	if (sodium_init() < 0)
		return -1;
	(void)snprintf(tmpdir, sizeof tmpdir, "%s/test_minisig.XXXXXX",
	               base && *base ? base : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return fs_remove_tree(tmpdir, NULL) == SH_OK ? 0 : -1;
}

/* tmpdir/name in a static buffer per call site (tests use few at once). */
static void tpath(char *out, size_t cap, const char *name)
{
	assert_int_equal(fs_join(out, cap, tmpdir, name, NULL), SH_OK);
}

static void put_file(const char *path, const void *data, size_t len)
{
	struct sh_error e;

	assert_int_equal(fs_write_atomic(path, data, len, 0644, &e), SH_OK);
}

static void assert_msg_has(const struct sh_error *e, const char *needle)
{
	if (!strstr(e->msg, needle))
		fail_msg("error message \"%s\" lacks \"%s\"", e->msg, needle);
}

/* Deterministic, non-repeating test data. */
static unsigned char *make_data(size_t len, uint32_t seed)
{
	unsigned char *p = malloc(len ? len : 1);
	uint32_t x = seed * 2654435761u + 1;

	assert_non_null(p);
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
	return p;
}

/* Set a two-byte tag in a key or signature blob. */
static void put_tag(uint8_t *p, char a, char b)
{
	p[0] = (uint8_t)a;
	p[1] = (uint8_t)b;
}

static void blake2b(const void *data, size_t len, uint8_t *out, size_t outlen)
{
	crypto_generichash(out, outlen, data, len, NULL, 0);
}

static void make_package_comment(const uint8_t hash[MINISIG_FILE_HASH_BYTES],
                                 char *buf, size_t cap)
{
	struct minisig_package_info info = {0};
	struct sh_error e;

	(void)snprintf(info.name, sizeof info.name, "acme/widgets");
	(void)snprintf(info.version, sizeof info.version, "1.2.3-rc.1+build.7");
	memcpy(info.blake2b256, hash, MINISIG_FILE_HASH_BYTES);
	info.timestamp = 1767225600;
	assert_int_equal(minisig_package_comment_format(&info, buf, cap, &e),
	                 SH_OK);
}

/* A fresh key pair and a signed file, shared by the refusal tests. */
struct fixture {
	struct minisig_seckey *sk;
	struct minisig_pubkey pk;
	char file[PATH_MAX];
	struct minisig_signature sig;
	char text[MINISIG_TEXT_SIZE];
	size_t text_len;
};

static void fixture_make(struct fixture *f, const char *name)
{
	struct sh_error e;
	unsigned char *data = make_data(200000, 7);

	assert_int_equal(minisig_keygen(&f->sk, &f->pk, &e), SH_OK);
	tpath(f->file, sizeof f->file, name);
	put_file(f->file, data, 200000);
	free(data);
	assert_int_equal(minisig_sign_file(f->sk, f->file, "test comment", NULL,
	                                   &f->sig, &e),
	                 SH_OK);
	assert_int_equal(minisig_format(&f->sig, f->text, sizeof f->text,
	                                &f->text_len, &e),
	                 SH_OK);
}

static void fixture_free(struct fixture *f)
{
	minisig_seckey_free(f->sk);
	unlink(f->file);
}

/* ---- key ids ---------------------------------------------------------- */

static void test_keyid_hex(void **state)
{
	struct minisig_pubkey pk;
	struct sh_error e;
	uint8_t id[MINISIG_KEYID_BYTES];
	char hex[MINISIG_KEYID_HEX_SIZE];

	(void)state;
	assert_int_equal(
	        minisig_pubkey_parse(VEC_PUB, strlen(VEC_PUB), &pk, &e), SH_OK);
	minisig_keyid_to_hex(pk.key_id, hex);
	assert_string_equal(hex, VEC_PUB_ID);
	assert_int_equal(minisig_keyid_from_hex(VEC_PUB_ID, id, &e), SH_OK);
	assert_memory_equal(id, pk.key_id, sizeof id);
	assert_int_equal(minisig_keyid_from_hex("d6c512667e02512e", id, &e),
	                 SH_OK);
	assert_memory_equal(id, pk.key_id, sizeof id);
	/* Leading zeros are kept, unlike minisign 0.11's comment. */
	memset(id, 0, sizeof id);
	id[0] = 0xab;
	minisig_keyid_to_hex(id, hex);
	assert_string_equal(hex, "00000000000000AB");

	assert_int_equal(minisig_keyid_from_hex("D6C512667E02512", id, &e),
	                 SH_ERR_INVALID);
	assert_int_equal(minisig_keyid_from_hex("D6C512667E02512E0", id, &e),
	                 SH_ERR_INVALID);
	assert_int_equal(minisig_keyid_from_hex("D6C512667E02512G", id, &e),
	                 SH_ERR_INVALID);
	assert_int_equal(minisig_keyid_from_hex("", id, &e), SH_ERR_INVALID);
	assert_int_equal(minisig_keyid_from_hex(" D6C512667E0251", id, &e),
	                 SH_ERR_INVALID);
}

/* ---- a vector made by minisign itself ---------------------------------- */

static void test_minisign_vector(void **state)
{
	struct minisig_pubkey pk;
	struct minisig_signature sig;
	struct sh_error e;
	uint8_t digest[MINISIG_DIGEST_BYTES];
	char path[PATH_MAX];
	char text[MINISIG_TEXT_SIZE];
	size_t len;

	(void)state;
	assert_int_equal(
	        minisig_pubkey_parse(VEC_PUB, strlen(VEC_PUB), &pk, &e), SH_OK);
	assert_int_equal(minisig_parse(VEC_SIG, strlen(VEC_SIG), &sig, &e),
	                 SH_OK);
	assert_memory_equal(sig.alg, "ED", 2);
	assert_string_equal(sig.trusted_comment, "hi there");
	assert_string_equal(sig.untrusted_comment,
	                    "signature from minisign secret key");
	blake2b(VEC_MSG, strlen(VEC_MSG), digest, sizeof digest);
	assert_int_equal(minisig_verify_digest(&pk, &sig, digest, &e), SH_OK);

	tpath(path, sizeof path, "vector.txt");
	put_file(path, VEC_MSG, strlen(VEC_MSG));
	assert_int_equal(minisig_verify_file(&pk, &sig, path, NULL, &e), SH_OK);

	/* Our text for their signature is byte for byte theirs. */
	assert_int_equal(minisig_format(&sig, text, sizeof text, &len, &e),
	                 SH_OK);
	assert_int_equal(len, strlen(VEC_SIG));
	assert_string_equal(text, VEC_SIG);

	/* Legacy "Ed" from minisign -l: parsed, then refused with a reason. */
	assert_int_equal(
	        minisig_parse(VEC_SIG_LEGACY, strlen(VEC_SIG_LEGACY), &sig, &e),
	        SH_OK);
	assert_memory_equal(sig.alg, "Ed", 2);
	assert_int_equal(minisig_verify_file(&pk, &sig, path, NULL, &e),
	                 SH_ERR_TRUST);
	assert_msg_has(&e, "legacy");
	assert_msg_has(&e, "whole file in memory");
	assert_int_equal(minisig_verify_digest(&pk, &sig, digest, &e),
	                 SH_ERR_TRUST);
	assert_msg_has(&e, "legacy");
	unlink(path);
}

/* ---- hashing ---------------------------------------------------------- */

static void test_hash_file(void **state)
{
	static const size_t sizes[] = {0,
	                               1,
	                               65535,
	                               65536,
	                               65537,
	                               (1u << 20) - 1,
	                               1u << 20,
	                               (1u << 20) + 1,
	                               3u * (1u << 20) + 17,
	                               4u << 20,
	                               9u * (1u << 20) + 3};
	char path[PATH_MAX];
	struct sh_error e;

	(void)state;
	tpath(path, sizeof path, "hash.bin");
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		unsigned char *data = make_data(n, (uint32_t)i);
		uint8_t want512[64], want256[32], got512[64], got256[32];
		uint8_t only512[64];
		struct minisig_hasher h;
		uint64_t size = 0;
		size_t pos = 0, step = 1;

		blake2b(data, n, want512, 64);
		blake2b(data, n, want256, 32);
		put_file(path, data, n);
		assert_int_equal(
		        minisig_hash_file(path, got512, got256, &size, &e),
		        SH_OK);
		assert_memory_equal(got512, want512, 64);
		assert_memory_equal(got256, want256, 32);
		assert_int_equal(size, n);
		assert_int_equal(
		        minisig_hash_file(path, only512, NULL, NULL, &e),
		        SH_OK);
		assert_memory_equal(only512, want512, 64);

		/* Odd-sized pieces, as a download would deliver them. */
		assert_int_equal(minisig_hasher_init(&h, 1, &e), SH_OK);
		while (pos < n) {
			size_t k = n - pos < step ? n - pos : step;
			minisig_hasher_update(&h, data + pos, k);
			pos += k;
			step = step * 3 + 1;
		}
		assert_int_equal(h.bytes, n);
		minisig_hasher_final(&h, got512, got256);
		assert_memory_equal(got512, want512, 64);
		assert_memory_equal(got256, want256, 32);
		free(data);
	}
	{
		struct minisig_hasher h;
		uint8_t d[64], fh[32], zero[32] = {0};

		assert_int_equal(minisig_hasher_init(&h, 0, &e), SH_OK);
		minisig_hasher_update(&h, "abc", 3);
		memset(fh, 0xff, sizeof fh);
		minisig_hasher_final(&h, d, fh);
		assert_memory_equal(fh, zero, sizeof fh);
	}
	assert_int_equal(
	        minisig_hash_file("/nonexistent/x", NULL, NULL, NULL, &e),
	        SH_ERR_NOTFOUND);
	{
		uint8_t d[64];
		assert_int_equal(minisig_hash_file(tmpdir, d, NULL, NULL, &e),
		                 SH_ERR_IO);
	}
	unlink(path);
}

/* minisig_hash_fd from the current offset, and from a pipe. */
static void test_hash_fd(void **state)
{
	size_t n = 5u << 20;
	unsigned char *data = make_data(n, 99);
	uint8_t want512[64], want256[32], got512[64], got256[32];
	char path[PATH_MAX];
	struct sh_error e;
	uint64_t size;
	int fd, pfd[2];

	(void)state;
	tpath(path, sizeof path, "fd.bin");
	put_file(path, data, n);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 1000, SEEK_SET), 1000);
	blake2b(data + 1000, n - 1000, want512, 64);
	blake2b(data + 1000, n - 1000, want256, 32);
	assert_int_equal(
	        minisig_hash_fd(fd, "fd.bin", got512, got256, &size, &e),
	        SH_OK);
	assert_int_equal(size, n - 1000);
	assert_memory_equal(got512, want512, 64);
	assert_memory_equal(got256, want256, 32);
	close(fd);

	/* The digest alone from the same offset: the single-thread path, with
	 * the implementation chosen for large files. */
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 1000, SEEK_SET), 1000);
	memset(got512, 0, sizeof got512);
	assert_int_equal(minisig_hash_fd(fd, "fd.bin", got512, NULL, &size, &e),
	                 SH_OK);
	assert_int_equal(size, n - 1000);
	assert_memory_equal(got512, want512, 64);
	close(fd);

	/* A pipe: not a regular file, so the plain loop. */
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(write(pfd[1], data, 4096), 4096);
	close(pfd[1]);
	blake2b(data, 4096, want512, 64);
	assert_int_equal(
	        minisig_hash_fd(pfd[0], "pipe", got512, NULL, &size, &e),
	        SH_OK);
	assert_int_equal(size, 4096);
	assert_memory_equal(got512, want512, 64);
	close(pfd[0]);
	free(data);
	unlink(path);
}

/* Both BLAKE2b-512 implementations b2fast can pick give libsodium's
 * digest, whatever the lengths and however the data is cut. */
static void test_b2fast_impls(void **state)
{
	static const size_t sizes[] = {
	        0, 1, 127, 128, 129, 255, 256, 1000, (1u << 20) + 3, 5u << 20};
	static const enum b2fast_impl impls[] = {B2FAST_SODIUM,
	                                         B2FAST_LIBCRYPTO};
	enum b2fast_impl chosen = b2fast_chosen();
	struct sh_error e;

	(void)state;
	assert_true(chosen == B2FAST_SODIUM || chosen == B2FAST_LIBCRYPTO);
	assert_string_equal(b2fast_impl_name(B2FAST_SODIUM), "libsodium");
	assert_string_equal(b2fast_impl_name(B2FAST_LIBCRYPTO), "libcrypto");
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		unsigned char *data = make_data(n, (uint32_t)(i + 40));
		uint8_t want[64];

		blake2b(data, n, want, 64);
		for (size_t k = 0; k < 2; k++) {
			struct b2fast h;
			uint8_t got[64];
			size_t pos = 0, step = 1;

			/* Debian's libcrypto has BLAKE2B-512: both must run. */
			assert_int_equal(b2fast_init_with(&h, impls[k], &e),
			                 SH_OK);
			assert_int_equal(h.impl, impls[k]);
			while (pos < n) {
				size_t c = n - pos < step ? n - pos : step;

				b2fast_update(&h, data + pos, c);
				pos += c;
				step = step * 5 + 3;
			}
			memset(got, 0, sizeof got);
			assert_int_equal(b2fast_final(&h, got, &e), SH_OK);
			if (memcmp(got, want, 64) != 0)
				fail_msg("%s differs from libsodium at %zu "
				         "bytes",
				         b2fast_impl_name(impls[k]), n);
		}
		{
			/* An abandoned hash releases its context (ASan). */
			struct b2fast h;

			assert_int_equal(b2fast_init_with(&h, impls[1], &e),
			                 SH_OK);
			b2fast_update(&h, data, n);
			b2fast_abort(&h);
		}
		{
			/* The size hint: small inputs take libsodium. */
			struct b2fast h;

			assert_int_equal(b2fast_init(&h, n, &e), SH_OK);
			assert_int_equal(h.impl, n >= B2FAST_MIN_BYTES
			                                 ? chosen
			                                 : B2FAST_SODIUM);
			b2fast_update(&h, data, n);
			uint8_t got[64];
			assert_int_equal(b2fast_final(&h, got, &e), SH_OK);
			assert_memory_equal(got, want, 64);
		}
		free(data);
	}
}

/* Flip one byte of the file at path, at off. */
static void flip_byte(const char *path, off_t off)
{
	unsigned char c;
	int fd = open(path, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, off), 1);
	c ^= 0x01;
	assert_int_equal(pwrite(fd, &c, 1, off), 1);
	close(fd);
}

/*
 * A 100 MiB file (sparse, so it costs no disk) through the single-pass
 * verify: any one changed byte, the last one included and one on a read
 * boundary, is refused; put back, the file verifies again.
 */
static void test_verify_large_tamper(void **state)
{
	const off_t size = (off_t)100 << 20;
	const off_t spots[] = {size - 1, (off_t)4 << 20, 0, size / 2 + 12345};
	unsigned char *edge = make_data(65536, 5);
	struct minisig_seckey *sk = NULL;
	struct minisig_pubkey pk;
	struct minisig_signature sig;
	char path[PATH_MAX];
	struct sh_error e;
	int fd;

	(void)state;
	tpath(path, sizeof path, "large.bin");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, size), 0);
	assert_int_equal(pwrite(fd, edge, 65536, 0), 65536);
	assert_int_equal(pwrite(fd, edge, 65536, size - 65536), 65536);
	close(fd);
	free(edge);
	assert_int_equal(minisig_keygen(&sk, &pk, &e), SH_OK);
	assert_int_equal(minisig_sign_file(sk, path, "large", NULL, &sig, &e),
	                 SH_OK);
	assert_int_equal(minisig_verify_file(&pk, &sig, path, NULL, &e), SH_OK);
	for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
		flip_byte(path, spots[i]);
		sh_error_clear(&e);
		if (minisig_verify_file(&pk, &sig, path, NULL, &e) !=
		    SH_ERR_TRUST)
			fail_msg("a changed byte at %lld was not caught",
			         (long long)spots[i]);
		assert_msg_has(&e, "does not match the file");
		flip_byte(path, spots[i]);
		assert_int_equal(minisig_verify_file(&pk, &sig, path, NULL, &e),
		                 SH_OK);
	}
	/* One byte more or less is another file too. */
	assert_int_equal(truncate(path, size - 1), 0);
	assert_int_equal(minisig_verify_file(&pk, &sig, path, NULL, &e),
	                 SH_ERR_TRUST);
	minisig_seckey_free(sk);
	unlink(path);
}

/* ---- sign and verify -------------------------------------------------- */

static void test_round_trip(void **state)
{
	struct minisig_seckey *sk = NULL;
	struct minisig_pubkey pk, pk2;
	struct minisig_signature sig, sig2;
	struct minisig_package_info info;
	struct sh_error e;
	char file[PATH_MAX], sigpath[PATH_MAX];
	char comment[MINISIG_PKG_COMMENT_SIZE];
	char text[MINISIG_TEXT_SIZE];
	uint8_t d512[64], h256[32], vh256[32];
	size_t n = 3u * (1u << 20) + 5, len;
	unsigned char *data = make_data(n, 42);
	struct stat st;

	(void)state;
	assert_int_equal(minisig_keygen(&sk, &pk, &e), SH_OK);
	minisig_seckey_public(sk, &pk2);
	assert_memory_equal(&pk, &pk2, sizeof pk);

	tpath(file, sizeof file, "pkg.skill");
	put_file(file, data, n);
	/* The publisher's path: one pass gives both hashes, then sign. */
	assert_int_equal(minisig_hash_file(file, d512, h256, NULL, &e), SH_OK);
	make_package_comment(h256, comment, sizeof comment);
	assert_int_equal(minisig_sign_digest(sk, d512, comment, NULL, &sig, &e),
	                 SH_OK);
	assert_memory_equal(sig.alg, "ED", 2);
	assert_memory_equal(sig.key_id, pk.key_id, MINISIG_KEYID_BYTES);
	assert_string_equal(sig.trusted_comment, comment);
	assert_non_null(strstr(sig.untrusted_comment,
	                       "signature from skillhost secret key"));

	tpath(sigpath, sizeof sigpath, "pkg.skill.minisig");
	assert_int_equal(minisig_save(sigpath, &sig, &e), SH_OK);
	assert_int_equal(stat(sigpath, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);

	/* The host's path: load, verify, match the comment. */
	assert_int_equal(minisig_load(sigpath, &sig2, &e), SH_OK);
	assert_memory_equal(&sig, &sig2, sizeof sig);
	assert_int_equal(minisig_verify_file(&pk, &sig2, file, vh256, &e),
	                 SH_OK);
	assert_memory_equal(vh256, h256, 32);
	assert_int_equal(minisig_verify_digest(&pk, &sig2, d512, &e), SH_OK);
	assert_int_equal(
	        minisig_package_comment_parse(sig2.trusted_comment, &info, &e),
	        SH_OK);
	assert_string_equal(info.name, "acme/widgets");
	assert_string_equal(info.version, "1.2.3-rc.1+build.7");
	assert_memory_equal(info.blake2b256, h256, 32);
	assert_int_equal(info.timestamp, 1767225600);

	/* Text round trip is exact, with or without the final LF. */
	assert_int_equal(minisig_format(&sig, text, sizeof text, &len, &e),
	                 SH_OK);
	assert_int_equal(text[len - 1], '\n');
	assert_int_equal(minisig_parse(text, len - 1, &sig2, &e), SH_OK);
	assert_memory_equal(&sig, &sig2, sizeof sig);
	/* Buffer too small for the text. */
	assert_int_equal(minisig_format(&sig, text, 100, &len, &e),
	                 SH_ERR_NOMEM);

	/* An empty file signs and verifies too. */
	put_file(file, "", 0);
	assert_int_equal(
	        minisig_sign_file(sk, file, "empty", "my comment é", &sig, &e),
	        SH_OK);
	assert_string_equal(sig.untrusted_comment, "my comment é");
	assert_int_equal(minisig_verify_file(&pk, &sig, file, NULL, &e), SH_OK);

	minisig_seckey_free(sk);
	free(data);
	unlink(file);
	unlink(sigpath);
}

static void test_sign_comment_checks(void **state)
{
	struct fixture f;
	struct minisig_signature sig;
	struct sh_error e;
	uint8_t d[64] = {0};
	char *big = malloc(MINISIG_TRUSTED_COMMENT_MAX + 2);

	(void)state;
	fixture_make(&f, "comments.bin");
	assert_int_equal(minisig_sign_digest(f.sk, d, NULL, NULL, &sig, &e),
	                 SH_ERR_USAGE);
	assert_int_equal(minisig_sign_digest(f.sk, d, "a\nb", NULL, &sig, &e),
	                 SH_ERR_USAGE);
	assert_int_equal(minisig_sign_digest(f.sk, d, "a\rb", NULL, &sig, &e),
	                 SH_ERR_USAGE);
	assert_int_equal(
	        minisig_sign_digest(f.sk, d, "caf\xc3\xa9", NULL, &sig, &e),
	        SH_ERR_USAGE);
	assert_msg_has(&e, "printable ASCII");
	assert_int_equal(
	        minisig_sign_digest(f.sk, d, "ok\tok", "\x1b[31m", &sig, &e),
	        SH_ERR_USAGE);
	assert_int_equal(
	        minisig_sign_digest(f.sk, d, "ok", "bad \xff utf8", &sig, &e),
	        SH_ERR_USAGE);
	assert_int_equal(
	        minisig_sign_digest(f.sk, d, "ok", "c1 \xc2\x9b", &sig, &e),
	        SH_ERR_USAGE);

	assert_non_null(big);
	memset(big, 'x', MINISIG_TRUSTED_COMMENT_MAX);
	big[MINISIG_TRUSTED_COMMENT_MAX] = '\0';
	assert_int_equal(minisig_sign_digest(f.sk, d, big, NULL, &sig, &e),
	                 SH_OK);
	assert_int_equal(minisig_verify_digest(&f.pk, &sig, d, &e), SH_OK);
	big[MINISIG_TRUSTED_COMMENT_MAX] = 'x';
	big[MINISIG_TRUSTED_COMMENT_MAX + 1] = '\0';
	assert_int_equal(minisig_sign_digest(f.sk, d, big, NULL, &sig, &e),
	                 SH_ERR_USAGE);
	big[MINISIG_UNTRUSTED_COMMENT_MAX] = '\0';
	assert_int_equal(minisig_sign_digest(f.sk, d, "t", big, &sig, &e),
	                 SH_OK);
	big[MINISIG_UNTRUSTED_COMMENT_MAX] = 'x';
	big[MINISIG_UNTRUSTED_COMMENT_MAX + 1] = '\0';
	assert_int_equal(minisig_sign_digest(f.sk, d, "t", big, &sig, &e),
	                 SH_ERR_USAGE);
	free(big);
	fixture_free(&f);
}

static void test_verify_refusals(void **state)
{
	struct fixture f;
	struct minisig_seckey *sk2 = NULL;
	struct minisig_pubkey pk2;
	struct minisig_signature s;
	struct sh_error e;
	char other[PATH_MAX], idhex[MINISIG_KEYID_HEX_SIZE];
	char idhex2[MINISIG_KEYID_HEX_SIZE];
	unsigned char *data;
	uint8_t d[64];

	(void)state;
	fixture_make(&f, "refuse.bin");
	assert_int_equal(minisig_verify_file(&f.pk, &f.sig, f.file, NULL, &e),
	                 SH_OK);

	/* Key id mismatch: both ids in the message. */
	assert_int_equal(minisig_keygen(&sk2, &pk2, &e), SH_OK);
	assert_int_equal(minisig_verify_file(&pk2, &f.sig, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	minisig_keyid_to_hex(f.pk.key_id, idhex);
	minisig_keyid_to_hex(pk2.key_id, idhex2);
	assert_msg_has(&e, idhex);
	assert_msg_has(&e, idhex2);
	/* Same key id, another key: the signature itself fails. */
	memcpy(pk2.key_id, f.pk.key_id, sizeof pk2.key_id);
	assert_int_equal(minisig_verify_file(&pk2, &f.sig, f.file, NULL, &e),
	                 SH_ERR_TRUST);

	/* Legacy and unknown algorithms. */
	s = f.sig;
	memcpy(s.alg, "Ed", 2);
	assert_int_equal(minisig_verify_file(&f.pk, &s, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	assert_msg_has(&e, "legacy");
	memcpy(s.alg, "XY", 2);
	assert_int_equal(minisig_verify_file(&f.pk, &s, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	assert_msg_has(&e, "unknown algorithm");

	/* A flipped bit in the signature, the global signature. */
	s = f.sig;
	s.sig[17] ^= 0x04;
	assert_int_equal(minisig_verify_file(&f.pk, &s, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	assert_msg_has(&e, "does not match the file");
	s = f.sig;
	s.global_sig[63] ^= 0x01;
	assert_int_equal(minisig_verify_file(&f.pk, &s, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	assert_msg_has(&e, "trusted comment");

	/* An edited trusted comment fails the global signature. */
	s = f.sig;
	(void)snprintf(s.trusted_comment, sizeof s.trusted_comment,
	               "test commenT");
	assert_int_equal(minisig_verify_file(&f.pk, &s, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	assert_msg_has(&e, "trusted comment was changed");
	s = f.sig;
	s.trusted_comment[0] = '\0';
	assert_int_equal(minisig_verify_file(&f.pk, &s, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	/* The untrusted comment is not authenticated, by design. */
	s = f.sig;
	(void)snprintf(s.untrusted_comment, sizeof s.untrusted_comment,
	               "edited");
	assert_int_equal(minisig_verify_file(&f.pk, &s, f.file, NULL, &e),
	                 SH_OK);

	/* A flipped bit in the file. */
	data = make_data(200000, 7);
	data[123456] ^= 0x10;
	put_file(f.file, data, 200000);
	assert_int_equal(minisig_verify_file(&f.pk, &f.sig, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	/* One byte more or less. */
	data[123456] ^= 0x10;
	put_file(f.file, data, 199999);
	assert_int_equal(minisig_verify_file(&f.pk, &f.sig, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	put_file(f.file, data, 200000);
	assert_int_equal(minisig_verify_file(&f.pk, &f.sig, f.file, NULL, &e),
	                 SH_OK);
	free(data);

	/* The signature of another file. */
	tpath(other, sizeof other, "other.bin");
	data = make_data(1000, 8);
	put_file(other, data, 1000);
	free(data);
	assert_int_equal(minisig_verify_file(&f.pk, &f.sig, other, NULL, &e),
	                 SH_ERR_TRUST);
	assert_int_equal(minisig_sign_file(f.sk, other, "other", NULL, &s, &e),
	                 SH_OK);
	assert_int_equal(minisig_verify_file(&f.pk, &s, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	/* Another file's signature with this file's trusted comment. */
	(void)snprintf(s.trusted_comment, sizeof s.trusted_comment, "%s",
	               f.sig.trusted_comment);
	memcpy(s.global_sig, f.sig.global_sig, sizeof s.global_sig);
	assert_int_equal(minisig_verify_file(&f.pk, &s, other, NULL, &e),
	                 SH_ERR_TRUST);

	/* A digest of other bytes. */
	blake2b("nope", 4, d, sizeof d);
	assert_int_equal(minisig_verify_digest(&f.pk, &f.sig, d, &e),
	                 SH_ERR_TRUST);

	/* A missing file is not a trust failure but is still a failure. */
	assert_int_equal(
	        minisig_verify_file(&f.pk, &f.sig, "/nonexistent/f", NULL, &e),
	        SH_ERR_NOTFOUND);
	minisig_seckey_free(sk2);
	unlink(other);
	fixture_free(&f);
}

/* ---- parsing refusals ------------------------------------------------- */

static sh_status parse_str(const char *text, struct sh_error *e)
{
	struct minisig_signature sig;

	return minisig_parse(text, strlen(text), &sig, e);
}

/* The fixture's text with line `line` (1-based) replaced. */
static char *with_line(const struct fixture *f, int line, const char *repl)
{
	char *out = malloc((size_t)MINISIG_TEXT_SIZE * 2);
	const char *p = f->text;
	size_t o = 0;

	assert_non_null(out);
	for (int i = 1; i <= 4; i++) {
		const char *lf = strchr(p, '\n');
		size_t n = (size_t)(lf - p);

		if (i == line) {
			memcpy(out + o, repl, strlen(repl));
			o += strlen(repl);
		} else {
			memcpy(out + o, p, n);
			o += n;
		}
		out[o++] = '\n';
		p = lf + 1;
	}
	out[o] = '\0';
	return out;
}

static void expect_line_invalid(const struct fixture *f, int line,
                                const char *repl, const char *needle)
{
	struct sh_error e;
	char *t = with_line(f, line, repl);

	assert_int_equal(parse_str(t, &e), SH_ERR_INVALID);
	assert_msg_has(&e, needle);
	free(t);
}

static void test_parse_refusals(void **state)
{
	struct fixture f;
	struct minisig_signature sig;
	struct sh_error e;
	char buf[MINISIG_TEXT_SIZE * 2];
	char line[MINISIG_TEXT_SIZE];
	char *t;
	const char *l2, *l4;
	size_t l2len;

	(void)state;
	fixture_make(&f, "parse.bin");
	assert_int_equal(parse_str(f.text, &e), SH_OK);
	l2 = strchr(f.text, '\n') + 1;
	l2len = (size_t)(strchr(l2, '\n') - l2);
	l4 = strrchr(f.text, '\n');
	while (l4 > f.text && l4[-1] != '\n')
		l4--;

	/* Empty, truncated, NUL, CR, extra lines. */
	assert_int_equal(parse_str("", &e), SH_ERR_INVALID);
	assert_msg_has(&e, "empty");
	assert_msg_has(&e, "re-download the signature");
	for (int keep = 1; keep <= 3; keep++) {
		const char *p = f.text;
		for (int i = 0; i < keep; i++)
			p = strchr(p, '\n') + 1;
		assert_int_equal(
		        minisig_parse(f.text, (size_t)(p - f.text), &sig, &e),
		        SH_ERR_INVALID);
		assert_msg_has(&e, "truncated");
	}
	/* Cut inside the last line. */
	assert_int_equal(minisig_parse(f.text, f.text_len - 10, &sig, &e),
	                 SH_ERR_INVALID);
	assert_msg_has(&e, "line 4");
	assert_int_equal(minisig_parse(f.text, 5, &sig, &e), SH_ERR_INVALID);
	memcpy(buf, f.text, f.text_len);
	buf[3] = '\0';
	assert_int_equal(minisig_parse(buf, f.text_len, &sig, &e),
	                 SH_ERR_INVALID);
	assert_msg_has(&e, "NUL");

	/* CRLF line endings, and a lone CR inside a comment. */
	{
		size_t o = 0;
		for (size_t i = 0; i < f.text_len; i++) {
			if (f.text[i] == '\n')
				buf[o++] = '\r';
			buf[o++] = f.text[i];
		}
		assert_int_equal(minisig_parse(buf, o, &sig, &e),
		                 SH_ERR_INVALID);
		assert_msg_has(&e, "carriage return");
	}
	expect_line_invalid(&f, 3, "trusted comment: a\rb", "carriage return");

	(void)snprintf(buf, sizeof buf, "%sextra\n", f.text);
	assert_int_equal(parse_str(buf, &e), SH_ERR_INVALID);
	assert_msg_has(&e, "after line 4");
	(void)snprintf(buf, sizeof buf, "%s\n", f.text);
	assert_int_equal(parse_str(buf, &e), SH_ERR_INVALID);
	assert_msg_has(&e, "after line 4");

	/* A missing final LF is fine. */
	assert_int_equal(minisig_parse(f.text, f.text_len - 1, &sig, &e),
	                 SH_OK);
	assert_memory_equal(&sig, &f.sig, sizeof sig);

	/* Prefixes. */
	expect_line_invalid(&f, 1, "untrusted comment:x", "line 1");
	expect_line_invalid(&f, 1, "Untrusted comment: x", "line 1");
	expect_line_invalid(&f, 1, "", "line 1");
	expect_line_invalid(&f, 3, "trusted comment:x", "line 3");
	expect_line_invalid(&f, 3, "trusted  comment: x", "line 3");

	/* Garbage base64, wrong lengths, trailing garbage. */
	memset(line, '!', l2len);
	line[l2len] = '\0';
	expect_line_invalid(&f, 2, line, "not valid base64");
	memcpy(line, l2, l2len);
	line[l2len - 1] = '\0';
	expect_line_invalid(&f, 2, line, "characters long");
	memcpy(line, l2, l2len);
	line[l2len] = 'A';
	line[l2len + 1] = '\0';
	expect_line_invalid(&f, 2, line, "characters long");
	memcpy(line, l2, l2len);
	line[l2len] = '\0';
	line[10] = ' ';
	expect_line_invalid(&f, 2, line, "not valid base64");
	/* '=' padding removed and replaced by a data character. */
	memcpy(line, l2, l2len);
	line[l2len - 1] = 'A';
	line[l2len] = '\0';
	expect_line_invalid(&f, 2, line, "line 2");
	/* Non-zero bits under the padding: a second spelling of the blob.
	 * 74 bytes end in a 2-byte group, whose third character carries two
	 * unused low bits. */
	{
		static const char alphabet[] =
		        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		        "0123456789+/";
		size_t v;

		memcpy(line, l2, l2len);
		line[l2len] = '\0';
		assert_int_equal(line[l2len - 1], '=');
		v = (size_t)(strchr(alphabet, line[l2len - 2]) - alphabet);
		assert_int_equal(v & 3, 0);
		line[l2len - 2] = alphabet[v | 1];
		expect_line_invalid(&f, 2, line, "not valid base64");
	}
	/* Base64 of 64 bytes on the 74-byte line, and the other way. */
	expect_line_invalid(&f, 2, "", "line 2");
	memcpy(line, l4, 88);
	line[88] = '\0';
	expect_line_invalid(&f, 2, line, "line 2");
	memcpy(line, l2, l2len);
	line[l2len] = '\0';
	expect_line_invalid(&f, 4, line, "line 4");
	memcpy(line, l4, 88);
	line[88] = '\0';
	line[87] = 'A'; /* 66 bytes' worth of text in 88 characters */
	line[86] = 'A';
	expect_line_invalid(&f, 4, line, "line 4");
	/* A 73-byte blob padded to 100 characters. */
	{
		uint8_t blob[73] = {'E', 'D'};
		char b64[120];
		sodium_bin2base64(b64, sizeof b64, blob, sizeof blob,
		                  sodium_base64_VARIANT_ORIGINAL);
		assert_int_equal(strlen(b64), 100);
		expect_line_invalid(&f, 2, b64, "line 2");
	}
	/* Bytes >= 0x80 are not base64, though libsodium 1.0.18 decodes
	 * them as '/' (found by fuzz_minisig). */
	memcpy(line, l2, l2len);
	line[l2len] = '\0';
	line[20] = (char)0xba;
	expect_line_invalid(&f, 2, line, "not valid base64");
	{
		char k[MINISIG_PUBKEY_B64_SIZE];
		struct minisig_pubkey pk;

		minisig_pubkey_to_base64(&f.pk, k);
		for (int i = 0; i < 56; i++) {
			if (k[i] != '/')
				continue;
			k[i] = (char)0x80;
			assert_int_equal(minisig_pubkey_parse(k, 56, &pk, &e),
			                 SH_ERR_INVALID);
			k[i] = '/';
		}
		k[30] = (char)0xff;
		assert_int_equal(minisig_pubkey_parse(k, 56, &pk, &e),
		                 SH_ERR_INVALID);
	}
	/* URL-safe alphabet is not minisign's. */
	memcpy(line, l2, l2len);
	line[l2len] = '\0';
	for (size_t i = 0; i < l2len; i++) {
		if (line[i] == '+')
			line[i] = '-';
		else if (line[i] == '/')
			line[i] = '_';
	}
	if (memcmp(line, l2, l2len) != 0)
		expect_line_invalid(&f, 2, line, "not valid base64");

	/* Comments: bytes and lengths. */
	expect_line_invalid(&f, 3, "trusted comment: esc \x1b[2J", "line 3");
	expect_line_invalid(&f, 3, "trusted comment: caf\xc3\xa9", "line 3");
	expect_line_invalid(&f, 3, "trusted comment: del \x7f", "line 3");
	expect_line_invalid(&f, 1, "untrusted comment: esc \x1b", "line 1");
	expect_line_invalid(&f, 1, "untrusted comment: \xff", "line 1");
	expect_line_invalid(&f, 1, "untrusted comment: \xc0\xaf", "line 1");
	expect_line_invalid(&f, 1, "untrusted comment: \xed\xa0\x80", "line 1");
	expect_line_invalid(&f, 1, "untrusted comment: \xe2\x82", "line 1");
	t = with_line(&f, 1,
	              "untrusted comment: caf\xc3\xa9 \xe2\x82\xac "
	              "\xf0\x9f\x94\x91\ttab");
	assert_int_equal(parse_str(t, &e), SH_OK);
	free(t);

	memcpy(line, "untrusted comment: ", 19);
	memset(line + 19, 'u', MINISIG_UNTRUSTED_COMMENT_MAX);
	line[19 + MINISIG_UNTRUSTED_COMMENT_MAX] = '\0';
	t = with_line(&f, 1, line);
	assert_int_equal(parse_str(t, &e), SH_OK);
	free(t);
	line[19 + MINISIG_UNTRUSTED_COMMENT_MAX] = 'u';
	line[20 + MINISIG_UNTRUSTED_COMMENT_MAX] = '\0';
	expect_line_invalid(&f, 1, line, "limit");

	memcpy(line, "trusted comment: ", 17);
	memset(line + 17, 't', MINISIG_TRUSTED_COMMENT_MAX);
	line[17 + MINISIG_TRUSTED_COMMENT_MAX] = '\0';
	t = with_line(&f, 3, line);
	assert_int_equal(parse_str(t, &e), SH_OK);
	free(t);
	line[17 + MINISIG_TRUSTED_COMMENT_MAX] = 't';
	line[18 + MINISIG_TRUSTED_COMMENT_MAX] = '\0';
	expect_line_invalid(&f, 3, line, "limit");

	/* Over the longest possible signature. */
	t = calloc(1, MINISIG_TEXT_MAX + 2);
	assert_non_null(t);
	memset(t, 'a', MINISIG_TEXT_MAX + 1);
	assert_int_equal(minisig_parse(t, MINISIG_TEXT_MAX + 1, &sig, &e),
	                 SH_ERR_INVALID);
	free(t);

	/* Files: missing, oversized, a directory. */
	assert_int_equal(minisig_load("/nonexistent/x.minisig", &sig, &e),
	                 SH_ERR_NOTFOUND);
	{
		char p[PATH_MAX];
		char *big = calloc(1, MINISIG_TEXT_MAX + 10);
		assert_non_null(big);
		tpath(p, sizeof p, "big.minisig");
		memset(big, 'a', MINISIG_TEXT_MAX + 10);
		put_file(p, big, MINISIG_TEXT_MAX + 10);
		assert_int_not_equal(minisig_load(p, &sig, &e), SH_OK);
		assert_msg_has(&e, p);
		put_file(p, "", 0);
		assert_int_equal(minisig_load(p, &sig, &e), SH_ERR_INVALID);
		assert_msg_has(&e, p);
		assert_msg_has(&e, "empty");
		assert_int_not_equal(minisig_load(tmpdir, &sig, &e), SH_OK);
		unlink(p);
		free(big);
	}
	fixture_free(&f);
}

/* A signature whose bytes are edited on the wire (base64 re-encoded). */
static void test_wire_edits(void **state)
{
	struct fixture f;
	struct minisig_signature sig;
	struct sh_error e;
	uint8_t blob[74];
	char b64[120];
	char *t;

	(void)state;
	fixture_make(&f, "wire.bin");
	memcpy(blob, f.sig.alg, 2);
	memcpy(blob + 2, f.sig.key_id, 8);
	memcpy(blob + 10, f.sig.sig, 64);

	/* Flipped algorithm tag "ED" -> "Ed": a downgrade attempt. */
	blob[1] = 'd';
	sodium_bin2base64(b64, sizeof b64, blob, 74,
	                  sodium_base64_VARIANT_ORIGINAL);
	t = with_line(&f, 2, b64);
	assert_int_equal(parse_str(t, &e), SH_OK);
	assert_int_equal(minisig_parse(t, strlen(t), &sig, &e), SH_OK);
	assert_int_equal(minisig_verify_file(&f.pk, &sig, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	assert_msg_has(&e, "legacy");
	free(t);
	blob[1] = 'D';

	/* Edited key id. */
	blob[5] ^= 0x80;
	sodium_bin2base64(b64, sizeof b64, blob, 74,
	                  sodium_base64_VARIANT_ORIGINAL);
	t = with_line(&f, 2, b64);
	assert_int_equal(minisig_parse(t, strlen(t), &sig, &e), SH_OK);
	assert_int_equal(minisig_verify_file(&f.pk, &sig, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	assert_msg_has(&e, "was made with key");
	free(t);
	blob[5] ^= 0x80;

	/* A flipped bit in the signature bytes. */
	blob[40] ^= 0x01;
	sodium_bin2base64(b64, sizeof b64, blob, 74,
	                  sodium_base64_VARIANT_ORIGINAL);
	t = with_line(&f, 2, b64);
	assert_int_equal(minisig_parse(t, strlen(t), &sig, &e), SH_OK);
	assert_int_equal(minisig_verify_file(&f.pk, &sig, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	free(t);

	/* An edited trusted comment line. */
	t = with_line(&f, 3, "trusted comment: test comment ");
	assert_int_equal(minisig_parse(t, strlen(t), &sig, &e), SH_OK);
	assert_int_equal(minisig_verify_file(&f.pk, &sig, f.file, NULL, &e),
	                 SH_ERR_TRUST);
	free(t);
	fixture_free(&f);
}

/* ---- public keys ------------------------------------------------------ */

static void test_pubkey_parse(void **state)
{
	struct minisig_seckey *sk = NULL;
	struct minisig_pubkey pk, pk2;
	struct sh_error e;
	char text[MINISIG_PUBKEY_TEXT_SIZE], b64[MINISIG_PUBKEY_B64_SIZE];
	char buf[2048], hex[MINISIG_KEYID_HEX_SIZE], want[128];
	char path[PATH_MAX];
	size_t len;
	uint8_t blob[42];

	(void)state;
	assert_int_equal(minisig_keygen(&sk, &pk, &e), SH_OK);
	assert_int_equal(
	        minisig_pubkey_format(&pk, text, sizeof text, &len, &e), SH_OK);
	assert_int_equal(len, strlen(text));
	minisig_keyid_to_hex(pk.key_id, hex);
	(void)snprintf(want, sizeof want,
	               "untrusted comment: minisign public key %s\n", hex);
	assert_memory_equal(text, want, strlen(want));
	minisig_pubkey_to_base64(&pk, b64);
	assert_int_equal(strlen(b64), 56);
	assert_memory_equal(b64, "RW", 2);
	(void)snprintf(buf, sizeof buf, "%s\n", b64);
	assert_string_equal(text + strlen(want), buf);

	/* File form, with and without final LF, CRLF; bare form +- LF. */
	assert_int_equal(minisig_pubkey_parse(text, len, &pk2, &e), SH_OK);
	assert_memory_equal(&pk, &pk2, sizeof pk);
	assert_int_equal(minisig_pubkey_parse(text, len - 1, &pk2, &e), SH_OK);
	assert_memory_equal(&pk, &pk2, sizeof pk);
	(void)snprintf(buf, sizeof buf, "%.*s\r\n%s\r\n", (int)strlen(want) - 1,
	               text, b64);
	assert_int_equal(minisig_pubkey_parse(buf, strlen(buf), &pk2, &e),
	                 SH_OK);
	assert_memory_equal(&pk, &pk2, sizeof pk);
	assert_int_equal(minisig_pubkey_parse(b64, 56, &pk2, &e), SH_OK);
	assert_memory_equal(&pk, &pk2, sizeof pk);
	(void)snprintf(buf, sizeof buf, "%s\n", b64);
	assert_int_equal(minisig_pubkey_parse(buf, 57, &pk2, &e), SH_OK);

	/* Save, load, refuse to clobber. */
	tpath(path, sizeof path, "k.pub");
	assert_int_equal(minisig_pubkey_save(path, &pk, 0, &e), SH_OK);
	assert_int_equal(minisig_pubkey_load(path, &pk2, &e), SH_OK);
	assert_memory_equal(&pk, &pk2, sizeof pk);
	assert_int_equal(minisig_pubkey_save(path, &pk, 0, &e), SH_ERR_USAGE);
	assert_msg_has(&e, "already exists");

	/* Refusals. */
	assert_int_equal(minisig_pubkey_parse("", 0, &pk2, &e), SH_ERR_INVALID);
	assert_int_equal(minisig_pubkey_parse(b64, 55, &pk2, &e),
	                 SH_ERR_INVALID);
	assert_msg_has(&e, "56");
	(void)snprintf(buf, sizeof buf, " %s", b64);
	assert_int_equal(minisig_pubkey_parse(buf, strlen(buf), &pk2, &e),
	                 SH_ERR_INVALID);
	(void)snprintf(buf, sizeof buf, "%s\n\n", b64);
	assert_int_equal(minisig_pubkey_parse(buf, strlen(buf), &pk2, &e),
	                 SH_ERR_INVALID);
	(void)snprintf(buf, sizeof buf, "%sextra\n", text);
	assert_int_equal(minisig_pubkey_parse(buf, strlen(buf), &pk2, &e),
	                 SH_ERR_INVALID);
	assert_int_equal(minisig_pubkey_parse(text, strlen(want), &pk2, &e),
	                 SH_ERR_INVALID);
	assert_msg_has(&e, "truncated");
	(void)snprintf(buf, sizeof buf, "comment: x\n%s\n", b64);
	assert_int_equal(minisig_pubkey_parse(buf, strlen(buf), &pk2, &e),
	                 SH_ERR_INVALID);
	assert_msg_has(&e, "line 1");
	(void)snprintf(buf, sizeof buf, "%s", b64);
	buf[20] = '*';
	assert_int_equal(minisig_pubkey_parse(buf, 56, &pk2, &e),
	                 SH_ERR_INVALID);
	assert_msg_has(&e, "base64");
	/* A signature blob's first 42 bytes are not a key ("ED" tag). */
	put_tag(blob, 'E', 'D');
	memcpy(blob + 2, pk.key_id, 8);
	memcpy(blob + 10, pk.pk, 32);
	sodium_bin2base64(buf, sizeof buf, blob, sizeof blob,
	                  sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(minisig_pubkey_parse(buf, strlen(buf), &pk2, &e),
	                 SH_ERR_INVALID);
	assert_msg_has(&e, "algorithm");
	assert_int_equal(minisig_pubkey_parse("RWQ\0AAAA", 8, &pk2, &e),
	                 SH_ERR_INVALID);
	assert_int_equal(minisig_pubkey_load("/nonexistent/k.pub", &pk2, &e),
	                 SH_ERR_NOTFOUND);

	unlink(path);
	minisig_seckey_free(sk);
}

/* ---- secret keys ------------------------------------------------------ */

/* Decode line 2 of a secret key file into blob[158]. */
static void read_sk_blob(const char *path, uint8_t *blob, char *comment,
                         size_t cap)
{
	char *text = NULL, *lf;
	size_t len, got;
	struct sh_error e;

	assert_int_equal(fs_read_file(path, 4096, &text, &len, &e), SH_OK);
	lf = strchr(text, '\n');
	assert_non_null(lf);
	(void)snprintf(comment, cap, "%.*s", (int)(lf - text), text);
	assert_int_equal(sodium_base642bin(blob, 158, lf + 1, 212, NULL, &got,
	                                   NULL,
	                                   sodium_base64_VARIANT_ORIGINAL),
	                 0);
	assert_int_equal(got, 158);
	free(text);
}

static void write_sk_blob(const char *path, const uint8_t *blob,
                          const char *comment)
{
	char b64[300], text[1400];

	sodium_bin2base64(b64, sizeof b64, blob, 158,
	                  sodium_base64_VARIANT_ORIGINAL);
	(void)snprintf(text, sizeof text, "%s\n%s\n", comment, b64);
	put_file(path, text, strlen(text));
}

static void sk_checksum(const uint8_t *blob, uint8_t *chk)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, blob, 2);
	crypto_generichash_update(&st, blob + 54, 8);
	crypto_generichash_update(&st, blob + 62, 64);
	crypto_generichash_final(&st, chk, 32);
}

static void assert_same_key(const struct minisig_seckey *a,
                            const struct minisig_seckey *b)
{
	assert_memory_equal(a->key_id, b->key_id, sizeof a->key_id);
	assert_memory_equal(a->sk, b->sk, sizeof a->sk);
}

static void test_seckey_files(void **state)
{
	struct minisig_seckey *sk = NULL, *sk2 = NULL;
	struct minisig_pubkey pk;
	struct sh_error e;
	char path[PATH_MAX], comment[1100];
	uint8_t blob[158], chk[32];
	struct stat st;
	int enc = -1;
	DIR *d;
	struct dirent *de;

	(void)state;
	assert_int_equal(minisig_keygen(&sk, &pk, &e), SH_OK);
	tpath(path, sizeof path, "k.key");
	assert_int_equal(minisig_seckey_save(path, sk, 0, &e), SH_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* The layout minisign reads: Ed, 00 00, B2, a real checksum. */
	read_sk_blob(path, blob, comment, sizeof comment);
	assert_memory_equal(blob, "Ed\0\0B2", 6);
	assert_memory_equal(blob + 54, sk->key_id, 8);
	assert_memory_equal(blob + 62, sk->sk, 64);
	sk_checksum(blob, chk);
	assert_memory_equal(blob + 126, chk, 32);
	assert_non_null(strstr(comment, "untrusted comment: "));

	assert_int_equal(minisig_seckey_needs_password(path, &enc, &e), SH_OK);
	assert_int_equal(enc, 0);
	assert_int_equal(minisig_seckey_load(path, NULL, &sk2, &e), SH_OK);
	assert_same_key(sk, sk2);
	minisig_seckey_free(sk2);
	/* An unencrypted key ignores any password given. */
	assert_int_equal(minisig_seckey_load(path, "whatever", &sk2, &e),
	                 SH_OK);
	minisig_seckey_free(sk2);

	/* Not overwritten without force; overwritten with it. */
	{
		struct minisig_seckey *other = NULL;
		struct minisig_pubkey opk;

		assert_int_equal(minisig_keygen(&other, &opk, &e), SH_OK);
		assert_int_equal(minisig_seckey_save(path, other, 0, &e),
		                 SH_ERR_USAGE);
		assert_msg_has(&e, "already exists");
		assert_int_equal(minisig_seckey_load(path, NULL, &sk2, &e),
		                 SH_OK);
		assert_same_key(sk, sk2);
		minisig_seckey_free(sk2);
		assert_int_equal(minisig_seckey_save(path, other, 1, &e),
		                 SH_OK);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		assert_int_equal(minisig_seckey_load(path, NULL, &sk2, &e),
		                 SH_OK);
		assert_same_key(other, sk2);
		minisig_seckey_free(sk2);
		minisig_seckey_free(other);
		assert_int_equal(minisig_seckey_save(path, sk, 1, &e), SH_OK);
	}
	/* No staging files are left behind. */
	d = opendir(tmpdir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".new-") || strstr(de->d_name, ".tmp."))
			fail_msg("leftover staging file %s", de->d_name);
	}
	closedir(d);

	/* minisign -G -W writes a zero checksum: accepted. */
	memset(blob + 126, 0, 32);
	write_sk_blob(path, blob, comment);
	assert_int_equal(minisig_seckey_load(path, NULL, &sk2, &e), SH_OK);
	assert_same_key(sk, sk2);
	minisig_seckey_free(sk2);

	/* A wrong checksum: damaged. */
	memcpy(blob + 126, chk, 32);
	blob[130] ^= 1;
	write_sk_blob(path, blob, comment);
	assert_int_equal(minisig_seckey_load(path, NULL, &sk2, &e),
	                 SH_ERR_INVALID);
	assert_null(sk2);
	assert_msg_has(&e, "damaged");
	assert_msg_has(&e, path);

	/* A public half that does not match the seed, checksum recomputed. */
	blob[100] ^= 1;
	sk_checksum(blob, blob + 126);
	write_sk_blob(path, blob, comment);
	assert_int_equal(minisig_seckey_load(path, NULL, &sk2, &e),
	                 SH_ERR_INVALID);
	assert_msg_has(&e, "public half");
	blob[100] ^= 1;

	/* Unknown kdf, checksum type, algorithm. */
	put_tag(blob + 2, 'X', 'x');
	write_sk_blob(path, blob, comment);
	assert_int_equal(minisig_seckey_load(path, NULL, &sk2, &e),
	                 SH_ERR_INVALID);
	assert_int_equal(minisig_seckey_needs_password(path, &enc, &e),
	                 SH_ERR_INVALID);
	put_tag(blob + 2, 0, 0);
	put_tag(blob + 4, 'B', '3');
	write_sk_blob(path, blob, comment);
	assert_int_equal(minisig_seckey_load(path, NULL, &sk2, &e),
	                 SH_ERR_INVALID);
	put_tag(blob + 4, 'B', '2');
	put_tag(blob, 'E', 'D');
	write_sk_blob(path, blob, comment);
	assert_int_equal(minisig_seckey_load(path, NULL, &sk2, &e),
	                 SH_ERR_INVALID);

	/* Form. */
	assert_int_equal(minisig_seckey_parse("", 0, NULL, &sk2, &e),
	                 SH_ERR_INVALID);
	assert_int_equal(minisig_seckey_parse("untrusted comment: x\n", 21,
	                                      NULL, &sk2, &e),
	                 SH_ERR_INVALID);
	assert_msg_has(&e, "truncated");
	assert_int_equal(minisig_seckey_load("/nonexistent/k", NULL, &sk2, &e),
	                 SH_ERR_NOTFOUND);
	unlink(path);
	minisig_seckey_free(sk);
}

/* Write an encrypted key the way minisign -G does, with given limits. */
static void write_encrypted_key(const char *path,
                                const struct minisig_seckey *sk,
                                const char *password, uint64_t ops,
                                uint64_t mem)
{
	uint8_t blob[158], stream[104];

	memset(blob, 0, sizeof blob);
	put_tag(blob, 'E', 'd');
	put_tag(blob + 2, 'S', 'c');
	put_tag(blob + 4, 'B', '2');
	randombytes_buf(blob + 6, 32);
	for (int i = 0; i < 8; i++) {
		blob[38 + i] = (uint8_t)(ops >> (8 * i));
		blob[46 + i] = (uint8_t)(mem >> (8 * i));
	}
	memcpy(blob + 54, sk->key_id, 8);
	memcpy(blob + 62, sk->sk, 64);
	sk_checksum(blob, blob + 126);
	assert_int_equal(crypto_pwhash_scryptsalsa208sha256(
	                         stream, sizeof stream, password,
	                         strlen(password), blob + 6,
	                         (unsigned long long)ops, (size_t)mem),
	                 0);
	for (size_t i = 0; i < sizeof stream; i++)
		blob[54 + i] ^= stream[i];
	write_sk_blob(path, blob,
	              "untrusted comment: minisign encrypted "
	              "secret key");
}

static void test_encrypted_key(void **state)
{
	struct minisig_seckey *sk = NULL, *sk2 = NULL;
	struct minisig_pubkey pk;
	struct sh_error e;
	char path[PATH_MAX], comment[1100];
	uint8_t blob[158];
	int enc = -1;

	(void)state;
	assert_int_equal(minisig_keygen(&sk, &pk, &e), SH_OK);
	tpath(path, sizeof path, "enc.key");
	write_encrypted_key(path, sk, "correct horse", TEST_OPSLIMIT,
	                    TEST_MEMLIMIT);

	assert_int_equal(minisig_seckey_needs_password(path, &enc, &e), SH_OK);
	assert_int_equal(enc, 1);
	assert_int_equal(minisig_seckey_load(path, NULL, &sk2, &e),
	                 SH_ERR_USAGE);
	assert_msg_has(&e, "password");
	assert_int_equal(minisig_seckey_load(path, "wrong horse", &sk2, &e),
	                 SH_ERR_DENIED);
	assert_msg_has(&e, "wrong password");
	assert_null(sk2);
	assert_int_equal(minisig_seckey_load(path, "", &sk2, &e),
	                 SH_ERR_DENIED);
	assert_int_equal(minisig_seckey_load(path, "correct horse", &sk2, &e),
	                 SH_OK);
	assert_same_key(sk, sk2);
	minisig_seckey_free(sk2);

	/* An empty password is a password. */
	write_encrypted_key(path, sk, "", TEST_OPSLIMIT, TEST_MEMLIMIT);
	assert_int_equal(minisig_seckey_load(path, "", &sk2, &e), SH_OK);
	assert_same_key(sk, sk2);
	minisig_seckey_free(sk2);

	/* Limits beyond minisign's are refused before any work. */
	write_encrypted_key(path, sk, "pw", TEST_OPSLIMIT, TEST_MEMLIMIT);
	read_sk_blob(path, blob, comment, sizeof comment);
	blob[46 + 7] = 0x01; /* memlimit 2^56 */
	write_sk_blob(path, blob, comment);
	assert_int_equal(minisig_seckey_load(path, "pw", &sk2, &e),
	                 SH_ERR_INVALID);
	assert_msg_has(&e, "scrypt limits");
	blob[46 + 7] = 0;
	blob[38 + 7] = 0x01; /* opslimit 2^56 */
	write_sk_blob(path, blob, comment);
	assert_int_equal(minisig_seckey_load(path, "pw", &sk2, &e),
	                 SH_ERR_INVALID);

	unlink(path);
	minisig_seckey_free(sk);
}

/* minisig_seckey_save_encrypted writes minisign's layout (kdf "Sc", the
 * limits stored little-endian) and reads back only with the password. */
static void test_save_encrypted(void **state)
{
	struct minisig_seckey *sk = NULL, *sk2 = NULL;
	struct minisig_pubkey pk;
	struct sh_error e;
	char path[PATH_MAX], comment[1100];
	uint8_t blob[158];
	uint64_t ops = 0, mem = 0;
	struct stat st;
	int enc = -1;

	(void)state;
	assert_int_equal(minisig_keygen(&sk, &pk, &e), SH_OK);
	tpath(path, sizeof path, "saved-enc.key");
	unlink(path);
	assert_int_equal(minisig_seckey_save_encrypted(path, sk, "pw one",
	                                               TEST_OPSLIMIT,
	                                               TEST_MEMLIMIT, 0, &e),
	                 SH_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(minisig_seckey_needs_password(path, &enc, &e), SH_OK);
	assert_int_equal(enc, 1);
	read_sk_blob(path, blob, comment, sizeof comment);
	assert_memory_equal(blob, "EdScB2", 6);
	for (int i = 7; i >= 0; i--) {
		ops = ops << 8 | blob[38 + i];
		mem = mem << 8 | blob[46 + i];
	}
	assert_int_equal(ops, TEST_OPSLIMIT);
	assert_int_equal(mem, TEST_MEMLIMIT);
	assert_non_null(strstr(comment, "encrypted"));
	/* The key id is encrypted too, as minisign has it. */
	assert_memory_not_equal(blob + 54, sk->key_id, 8);
	assert_int_equal(minisig_seckey_load(path, "pw two", &sk2, &e),
	                 SH_ERR_DENIED);
	assert_null(sk2);
	assert_int_equal(minisig_seckey_load(path, "pw one", &sk2, &e), SH_OK);
	assert_same_key(sk, sk2);
	minisig_seckey_free(sk2);

	/* Not over an existing file without force; never unreadable limits;
	 * never without a password. */
	assert_int_equal(minisig_seckey_save_encrypted(path, sk, "x",
	                                               TEST_OPSLIMIT,
	                                               TEST_MEMLIMIT, 0, &e),
	                 SH_ERR_USAGE);
	assert_int_equal(minisig_seckey_save_encrypted(
	                         path, sk, "x", MINISIG_SCRYPT_OPSLIMIT + 1,
	                         TEST_MEMLIMIT, 1, &e),
	                 SH_ERR_USAGE);
	assert_int_equal(minisig_seckey_save_encrypted(path, sk, NULL,
	                                               TEST_OPSLIMIT,
	                                               TEST_MEMLIMIT, 1, &e),
	                 SH_ERR_USAGE);
	assert_int_equal(minisig_seckey_load(path, "pw one", &sk2, &e), SH_OK);
	minisig_seckey_free(sk2);
	unlink(path);
	minisig_seckey_free(sk);
}

/* A key made by real minisign -G with a password, read from stdin. */
static void test_minisign_encrypted_key(void **state)
{
	struct minisig_seckey *sk = NULL;
	struct minisig_pubkey pk;
	struct minisig_signature sig;
	struct sh_error e;
	char pub[PATH_MAX], key[PATH_MAX], file[PATH_MAX], cmd[3 * PATH_MAX];
	int enc = 0;

	(void)state;
	if (system("command -v minisign >/dev/null 2>&1") != 0) {
		SKIP_OR_FAIL(
		        "minisign is not installed (apt-get install minisign)");
	}
	tpath(pub, sizeof pub, "ms.pub");
	tpath(key, sizeof key, "ms.key");
	tpath(file, sizeof file, "ms.txt");
	(void)snprintf(
	        cmd, sizeof cmd,
	        "printf 'pass word\\npass word\\n' | minisign -G -p '%s' "
	        "-s '%s' >/dev/null 2>&1",
	        pub, key);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(minisig_seckey_needs_password(key, &enc, &e), SH_OK);
	assert_int_equal(enc, 1);
	assert_int_equal(minisig_pubkey_load(pub, &pk, &e), SH_OK);
	assert_int_equal(minisig_seckey_load(key, "pass wor", &sk, &e),
	                 SH_ERR_DENIED);
	if (minisig_seckey_load(key, "pass word", &sk, &e) != SH_OK)
		fail_msg("%s", e.msg);
	assert_memory_equal(sk->key_id, pk.key_id, 8);
	put_file(file, "data\n", 5);
	assert_int_equal(minisig_sign_file(sk, file, "made with a minisign key",
	                                   NULL, &sig, &e),
	                 SH_OK);
	assert_int_equal(minisig_verify_file(&pk, &sig, file, NULL, &e), SH_OK);
	minisig_seckey_free(sk);
	unlink(pub);
	unlink(key);
	unlink(file);
}

/* ---- package comments ------------------------------------------------- */

#define HASH_HEX                                                               \
	"000102030405060708090a0b0c0d0e0f"                                     \
	"101112131415161718191a1b1c1d1e1f"

static sh_status pc_parse(const char *s, struct minisig_package_info *info,
                          struct sh_error *e)
{
	return minisig_package_comment_parse(s, info, e);
}

static void assert_info_equal(const struct minisig_package_info *a,
                              const struct minisig_package_info *b)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->version, b->version);
	assert_memory_equal(a->blake2b256, b->blake2b256, sizeof a->blake2b256);
	assert_int_equal(a->timestamp, b->timestamp);
}

static void expect_pc_invalid(const char *s, const char *needle)
{
	struct minisig_package_info info;
	struct sh_error e;

	if (pc_parse(s, &info, &e) != SH_ERR_INVALID)
		fail_msg("package comment accepted: \"%s\"", s);
	assert_msg_has(&e, needle);
}

static void test_package_comment(void **state)
{
	struct minisig_package_info info, back;
	struct sh_error e;
	char buf[MINISIG_PKG_COMMENT_SIZE];
	char s[1024];

	(void)state;
	memset(&info, 0, sizeof info);
	(void)snprintf(info.name, sizeof info.name, "skillhost/jira");
	(void)snprintf(info.version, sizeof info.version, "1.4.0");
	for (int i = 0; i < 32; i++)
		info.blake2b256[i] = (uint8_t)i;
	info.timestamp = 1767225600;
	assert_int_equal(
	        minisig_package_comment_format(&info, buf, sizeof buf, &e),
	        SH_OK);
	assert_string_equal(buf, "skillhost-package:1 name:skillhost/jira "
	                         "version:1.4.0 blake2b256:" HASH_HEX
	                         " timestamp:1767225600");
	assert_int_equal(pc_parse(buf, &back, &e), SH_OK);
	assert_info_equal(&info, &back);
	assert_int_equal(minisig_package_comment_format(&info, buf, 40, &e),
	                 SH_ERR_NOMEM);

	/* Any order, blanks, unknown fields, no timestamp. */
	assert_int_equal(pc_parse("blake2b256:" HASH_HEX "\tversion:1.4.0  "
	                          "future.field:x=y,z skillhost-package:1 "
	                          "name:skillhost/jira ",
	                          &back, &e),
	                 SH_OK);
	assert_string_equal(back.name, "skillhost/jira");
	assert_string_equal(back.version, "1.4.0");
	assert_memory_equal(back.blake2b256, info.blake2b256, 32);
	assert_int_equal(back.timestamp, -1);

	/* Versions. */
	{
		static const char *const good[] = {
		        "0.0.0",
		        "1.2.3-alpha.1+build.5",
		        "1.0.0-0.3.7",
		        "1.0.0-x.7.z.92",
		        "1.0.0+001",
		        "10.20.30",
		        "1.0.0-alpha-a.b-c",
		        "1.0.0+21AF26D3----117B344092BD",
		};
		static const char *const bad[] = {
		        "01.2.3",    "1.2",       "1.2.3-",     "1.2.3-01",
		        "1.2.3+",    "v1.2.3",    "1.2.3-a..b", "1.2.3.4",
		        "1.-2.3",    "1.2.3+a+b", "1..3",       "1.2.3-é",
		        "1.2.3-a_b", "",
		};
		for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
			(void)snprintf(s, sizeof s,
			               "skillhost-package:1 name:a/b "
			               "version:%s blake2b256:" HASH_HEX,
			               good[i]);
			if (pc_parse(s, &back, &e) != SH_OK)
				fail_msg("version %s refused: %s", good[i],
				         e.msg);
			assert_string_equal(back.version, good[i]);
			(void)snprintf(info.version, sizeof info.version, "%s",
			               good[i]);
			assert_int_equal(minisig_package_comment_format(
			                         &info, buf, sizeof buf, &e),
			                 SH_OK);
		}
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			(void)snprintf(s, sizeof s,
			               "skillhost-package:1 name:a/b "
			               "version:%s blake2b256:" HASH_HEX,
			               bad[i]);
			assert_int_equal(pc_parse(s, &back, &e),
			                 SH_ERR_INVALID);
			(void)snprintf(info.version, sizeof info.version, "%s",
			               bad[i]);
			assert_int_equal(minisig_package_comment_format(
			                         &info, buf, sizeof buf, &e),
			                 SH_ERR_USAGE);
		}
		(void)snprintf(info.version, sizeof info.version, "1.4.0");
	}
	/* Names. */
	{
		static const char *const good[] = {
		        "a/b",
		        "io.github.user/my-skill_2",
		        "0/0",
		        "a-b.c/d.e_f",
		};
		static const char *const bad[] = {
		        "Acme/x", "acme", "acme/", "/x",    "a/b/c", ".a/b",
		        "a/.b",   "a/-b", "-a/b",  "a b/c", "a/B",   "a/b\\c",
		};
		for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
			(void)snprintf(s, sizeof s,
			               "skillhost-package:1 name:%s "
			               "version:1.0.0 blake2b256:" HASH_HEX,
			               good[i]);
			if (pc_parse(s, &back, &e) != SH_OK)
				fail_msg("name %s refused: %s", good[i], e.msg);
		}
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			(void)snprintf(s, sizeof s,
			               "skillhost-package:1 name:%s "
			               "version:1.0.0 blake2b256:" HASH_HEX,
			               bad[i]);
			assert_int_equal(pc_parse(s, &back, &e),
			                 SH_ERR_INVALID);
			(void)snprintf(info.name, sizeof info.name, "%s",
			               bad[i]);
			assert_int_equal(minisig_package_comment_format(
			                         &info, buf, sizeof buf, &e),
			                 SH_ERR_USAGE);
		}
		{
			size_t base;

			memset(s, 0, sizeof s);
			(void)snprintf(s, sizeof s,
			               "skillhost-package:1 version:1.0.0 "
			               "blake2b256:" HASH_HEX " name:a/");
			base = strlen(s);
			memset(s + base, 'n', MINISIG_PKG_NAME_MAX - 2);
			assert_int_equal(pc_parse(s, &back, &e), SH_OK);
			assert_int_equal(strlen(back.name),
			                 MINISIG_PKG_NAME_MAX);
			s[base + MINISIG_PKG_NAME_MAX - 2] = 'n';
			assert_int_equal(pc_parse(s, &back, &e),
			                 SH_ERR_INVALID);
		}
		(void)snprintf(info.name, sizeof info.name, "skillhost/jira");
	}

	/* Missing, duplicated and malformed fields. */
	expect_pc_invalid("", "not a skillhost package comment");
	expect_pc_invalid("timestamp:1795696512\tfile:f.txt\thashed",
	                  "not a skillhost package comment");
	expect_pc_invalid("skillhost-package:1 hashed name:a/b version:1.0.0 "
	                  "blake2b256:" HASH_HEX,
	                  "not key:value");
	expect_pc_invalid("timestamp:1795696512\tfile:f.txt",
	                  "not a skillhost package comment");
	expect_pc_invalid("name:a/b version:1.0.0 blake2b256:" HASH_HEX,
	                  "not a skillhost package comment");
	expect_pc_invalid("skillhost-package:2 name:a/b version:1.0.0 "
	                  "blake2b256:" HASH_HEX,
	                  "upgrade skillhost");
	expect_pc_invalid("skillhost-package:1 version:1.0.0 "
	                  "blake2b256:" HASH_HEX,
	                  "no name field");
	expect_pc_invalid("skillhost-package:1 name:a/b blake2b256:" HASH_HEX,
	                  "no version field");
	expect_pc_invalid("skillhost-package:1 name:a/b version:1.0.0",
	                  "no blake2b256 field");
	expect_pc_invalid("skillhost-package:1 name:a/b name:evil/x "
	                  "version:1.0.0 blake2b256:" HASH_HEX,
	                  "more than once");
	expect_pc_invalid("skillhost-package:1 skillhost-package:1 name:a/b "
	                  "version:1.0.0 blake2b256:" HASH_HEX,
	                  "more than once");
	expect_pc_invalid("skillhost-package:1 name:a/b version:1.0.0 "
	                  "blake2b256:000102030405060708090A0B0C0D0E0F"
	                  "101112131415161718191a1b1c1d1e1f",
	                  "lower-case hex");
	expect_pc_invalid("skillhost-package:1 name:a/b version:1.0.0 "
	                  "blake2b256:0001",
	                  "64 lower-case hex");
	expect_pc_invalid("skillhost-package:1 name:a/b version:1.0.0 "
	                  "blake2b256:" HASH_HEX "00",
	                  "64 lower-case hex");
	expect_pc_invalid("skillhost-package:1 name: version:1.0.0 "
	                  "blake2b256:" HASH_HEX,
	                  "not key:value");
	expect_pc_invalid("skillhost-package:1 :x name:a/b version:1.0.0 "
	                  "blake2b256:" HASH_HEX,
	                  "not key:value");
	expect_pc_invalid("skillhost-package:1 Name:a/b name:a/b "
	                  "version:1.0.0 blake2b256:" HASH_HEX,
	                  "a-z 0-9");
	expect_pc_invalid("skillhost-package:1 name:a/b version:1.0.0 "
	                  "blake2b256:" HASH_HEX " timestamp:01",
	                  "timestamp");
	expect_pc_invalid("skillhost-package:1 name:a/b version:1.0.0 "
	                  "blake2b256:" HASH_HEX " timestamp:-1",
	                  "timestamp");
	expect_pc_invalid("skillhost-package:1 name:a/b version:1.0.0 "
	                  "blake2b256:" HASH_HEX
	                  " timestamp:9223372036854775808",
	                  "timestamp");
	expect_pc_invalid("skillhost-package:1 name:a/b version:1.0.0 "
	                  "blake2b256:" HASH_HEX " x:\x1b[0m",
	                  "non-printable");
	assert_int_equal(pc_parse("skillhost-package:1 name:a/b version:1.0.0 "
	                          "blake2b256:" HASH_HEX
	                          " timestamp:9223372036854775807",
	                          &back, &e),
	                 SH_OK);
	assert_int_equal(back.timestamp, INT64_MAX);
	/* A field value may hold ':' (only the first splits). */
	assert_int_equal(pc_parse("skillhost-package:1 name:a/b version:1.0.0 "
	                          "blake2b256:" HASH_HEX " url:https://x/y",
	                          &back, &e),
	                 SH_OK);

	info.timestamp = -1;
	assert_int_equal(
	        minisig_package_comment_format(&info, buf, sizeof buf, &e),
	        SH_ERR_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_keyid_hex),
	        cmocka_unit_test(test_minisign_vector),
	        cmocka_unit_test(test_hash_file),
	        cmocka_unit_test(test_hash_fd),
	        cmocka_unit_test(test_b2fast_impls),
	        cmocka_unit_test(test_verify_large_tamper),
	        cmocka_unit_test(test_round_trip),
	        cmocka_unit_test(test_sign_comment_checks),
	        cmocka_unit_test(test_verify_refusals),
	        cmocka_unit_test(test_parse_refusals),
	        cmocka_unit_test(test_wire_edits),
	        cmocka_unit_test(test_pubkey_parse),
	        cmocka_unit_test(test_seckey_files),
	        cmocka_unit_test(test_encrypted_key),
	        cmocka_unit_test(test_save_encrypted),
	        cmocka_unit_test(test_minisign_encrypted_key),
	        cmocka_unit_test(test_package_comment),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
