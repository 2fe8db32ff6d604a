/*
 * minisig.c - minisign-format keys and signatures. See minisig.h.
 */
#include "minisig.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "b2fast.h"
#include "fsutil.h"

/* Line prefixes minisign writes and requires. */
#define UNTRUSTED_PREFIX     "untrusted comment: "
#define TRUSTED_PREFIX       "trusted comment: "
#define UNTRUSTED_PREFIX_LEN (sizeof UNTRUSTED_PREFIX - 1)
#define TRUSTED_PREFIX_LEN   (sizeof TRUSTED_PREFIX - 1)

/* Blob sizes (see the layouts in minisig.h). */
#define ALG_BYTES 2
#define PUBKEY_BLOB_BYTES                                                      \
	(ALG_BYTES + MINISIG_KEYID_BYTES + MINISIG_PUBKEY_BYTES)
#define SIG_BLOB_BYTES (ALG_BYTES + MINISIG_KEYID_BYTES + MINISIG_SIG_BYTES)

/* Secret key blob: offsets of its fields. */
#define SK_OFF_KDF        2
#define SK_OFF_CHKALG     4
#define SK_OFF_SALT       6
#define SK_SALT_BYTES     32
#define SK_OFF_OPSLIMIT   38
#define SK_OFF_MEMLIMIT   46
#define SK_OFF_KEYID      54
#define SK_OFF_SK         62
#define SK_OFF_CHK        126
#define SK_CHK_BYTES      32
#define SECKEY_BLOB_BYTES 158
/* The encrypted part: key id, secret key and checksum. */
#define SK_ENC_BYTES (SECKEY_BLOB_BYTES - SK_OFF_KEYID)

/* base64 text lengths (no NUL) of the blobs. */
#define B64_LEN(n)     ((((size_t)(n) + 2) / 3) * 4)
#define PUBKEY_B64_LEN B64_LEN(PUBKEY_BLOB_BYTES)
#define SIG_B64_LEN    B64_LEN(SIG_BLOB_BYTES)
#define GLOBAL_B64_LEN B64_LEN(MINISIG_SIG_BYTES)
#define SECKEY_B64_LEN B64_LEN(SECKEY_BLOB_BYTES)

#define SECKEY_TEXT_MAX                                                        \
	(UNTRUSTED_PREFIX_LEN + MINISIG_UNTRUSTED_COMMENT_MAX + 1 +            \
	 SECKEY_B64_LEN + 1)
#define SECKEY_TEXT_SIZE (SECKEY_TEXT_MAX + 1)

/*
 * scrypt limits accepted from an encrypted key file. minisign encrypts with
 * libsodium's "sensitive" limits and only ever lowers them, so anything
 * above is not a minisign key, and honouring it would let a crafted key
 * file make us allocate without bound.
 */
#define SCRYPT_OPSLIMIT_MAX                                                    \
	crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE
#define SCRYPT_MEMLIMIT_MAX                                                    \
	crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE

/* Reads of 1 MiB keep syscalls few (a 64 KiB loop, like minisign's, makes
 * 16 times as many) while the buffer still sits in cache. */
#define HASH_READ_BYTES (1u << 20)
/* When both hashes are wanted, each gets 64 KiB at a time so the second
 * reads the bytes the first just pulled into L1/L2. */
#define HASH_SLICE_BYTES (64u << 10)
/* Read-ahead ring for large files (see hash_pipelined): enough slots that
 * the reader never waits on a hasher that is merely between chunks. */
#define PIPE_SLOTS 4
/* Below this, starting threads costs more than the overlap saves. */
#define PIPE_MIN_BYTES (4 << 20)
/* The single-hash read size: see hash_solo. */
#define SOLO_READ_BYTES (256u << 10)

/* Longest value quoted back in a package comment error. */
#define QUOTE_MAX 64

#define SIG_ADVICE                                                             \
	"re-download the signature, or re-sign the file with `skillhost sign`"
#define PUBKEY_ADVICE                                                          \
	"check that the whole key was copied (a minisign public key is one "   \
	"line of 56 base64 characters starting with \"RW\")"
#define SECKEY_ADVICE                                                          \
	"use a key file made by `skillhost keygen` or `minisign -G`"
#define COMMENT_ADVICE "re-sign the package with `skillhost sign`"

/* Two-byte tags, as bytes (they are not strings in the blobs). */
static const uint8_t TAG_ED25519[ALG_BYTES] = {'E', 'd'};   /* keys, legacy */
static const uint8_t TAG_PREHASHED[ALG_BYTES] = {'E', 'D'}; /* signatures */
static const uint8_t TAG_SCRYPT[2] = {'S', 'c'};
static const uint8_t TAG_BLAKE2B[2] = {'B', '2'};

#define HASH_HEX_LEN ((size_t)2 * MINISIG_FILE_HASH_BYTES)

struct line {
	const char *p;
	size_t len;
};

static sh_status sodium_ready(struct sh_error *e)
{
	if (sodium_init() < 0)
		return sh_error_set(e, SH_ERR_FAIL,
		                    "libsodium failed to start");
	return SH_OK;
}

static uint64_t le64_load(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void le64_store(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/*
 * Split text into at most max lines at LF, a final LF being optional. NUL
 * bytes and CR are refused (a CR makes minisign and us disagree on where a
 * comment ends), except that crlf_ok lets a line end in CRLF, for key files
 * written on Windows. *count receives the number of lines.
 */
static sh_status split_lines(const char *text, size_t len, size_t max,
                             int crlf_ok, struct line *out, size_t *count,
                             const char *what, const char *advice,
                             struct sh_error *e)
{
	size_t n = 0, pos = 0;
	const char *nul;

	*count = 0;
	if (len == 0)
		return sh_error_set(e, SH_ERR_INVALID, "the %s is empty; %s",
		                    what, advice);
	nul = memchr(text, '\0', len);
	if (nul)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the %s contains a NUL byte at offset %zu, so it "
		        "is not a text file; %s",
		        what, (size_t)(nul - text), advice);
	while (pos < len) {
		const char *lf = memchr(text + pos, '\n', len - pos);
		size_t end = lf ? (size_t)(lf - text) : len;
		struct line l = {text + pos, end - pos};

		if (n == max)
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "the %s has unexpected data after line "
			        "%zu; %s",
			        what, max, advice);
		if (crlf_ok && lf && l.len > 0 && l.p[l.len - 1] == '\r')
			l.len--;
		if (memchr(l.p, '\r', l.len))
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "line %zu of the %s contains a carriage "
			        "return (CR); minisign files use LF line "
			        "endings only; %s",
			        n + 1, what, advice);
		out[n++] = l;
		pos = end + 1;
	}
	*count = n;
	return SH_OK;
}

static int b64_char_ok(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
}

/* Decode a line holding exactly out_len bytes of padded, canonical base64. */
static sh_status b64_exact(const struct line *l, uint8_t *out, size_t out_len,
                           size_t lineno, const char *field, const char *what,
                           const char *advice, struct sh_error *e)
{
	size_t want = B64_LEN(out_len), got = 0;
	const char *end = NULL;

	if (l->len != want)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "line %zu of the %s (%s) is %zu characters "
		                    "long, expected %zu; %s",
		                    lineno, what, field, l->len, want, advice);
	/* libsodium 1.0.18 decodes bytes >= 0x80 as if they were '/' (its
	 * constant-time range checks see them as negative), so the alphabet
	 * is checked here first; found by fuzz_minisig. */
	for (size_t i = 0; i < l->len; i++)
		if (!b64_char_ok(l->p[i]))
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "line %zu of the %s (%s) is not valid "
			        "base64 (unexpected byte at column %zu); "
			        "%s",
			        lineno, what, field, i + 1, advice);
	/* libsodium rejects missing padding and non-zero trailing bits, so
	 * every blob has exactly one accepted spelling. */
	if (sodium_base642bin(out, out_len, l->p, l->len, NULL, &got, &end,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != l->p + l->len || got != out_len)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "line %zu of the %s (%s) is not valid base64; %s",
		        lineno, what, field, advice);
	return SH_OK;
}

static void b64_encode(char *out, size_t cap, const uint8_t *bin, size_t len)
{
	sodium_bin2base64(out, cap, bin, len, sodium_base64_VARIANT_ORIGINAL);
}

/* Printable ASCII and tab: what minisign 0.12 and every terminal agree
 * on. Returns the offset of the first bad byte, or len. */
static size_t trusted_text_check(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c != '\t' && (c < 0x20 || c > 0x7e))
			return i;
	}
	return len;
}

/*
 * Well-formed UTF-8 without control characters (C0 but tab, DEL, C1), so
 * an untrusted comment can be shown without letting it drive the terminal.
 * Returns the offset of the first bad byte, or len.
 */
static size_t untrusted_text_check(const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t more;

		if (c < 0x80) {
			if (c != '\t' && (c < 0x20 || c == 0x7f))
				return i;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
			if (c == 0xc2)
				lo = 0xa0; /* U+0080..U+009F are C1 controls */
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			if (c == 0xe0)
				lo = 0xa0; /* overlong */
			else if (c == 0xed)
				hi = 0x9f; /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			if (c == 0xf0)
				lo = 0x90; /* overlong */
			else if (c == 0xf4)
				hi = 0x8f; /* above U+10FFFF */
		} else {
			return i;
		}
		if (len - i - 1 < more || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k <= more; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return i;
		i += more + 1;
	}
	return len;
}

/* Check a comment for writing or after reading; st is the status to report
 * (USAGE for a caller's argument, INVALID for data). */
static sh_status comment_check(const char *text, int trusted, sh_status st,
                               struct sh_error *e)
{
	size_t max = trusted ? MINISIG_TRUSTED_COMMENT_MAX
	                     : MINISIG_UNTRUSTED_COMMENT_MAX;
	const char *name = trusted ? "trusted" : "untrusted";
	size_t len = strnlen(text, max + 1), bad;

	if (len > max)
		return sh_error_set(e, st,
		                    "the %s comment is longer than minisign's "
		                    "limit of %zu bytes",
		                    name, max);
	bad = trusted ? trusted_text_check(text, len)
	              : untrusted_text_check(text, len);
	if (bad < len)
		return sh_error_set(
		        e, st,
		        "the %s comment has a byte minisign or a "
		        "terminal would misread (0x%02x at offset %zu); "
		        "%s",
		        name, (unsigned char)text[bad], bad,
		        trusted ? "use printable ASCII and tabs only"
		                : "use printable UTF-8 only");
	return SH_OK;
}

/* ---- key ids ---------------------------------------------------------- */

void minisig_keyid_to_hex(const uint8_t key_id[MINISIG_KEYID_BYTES],
                          char out[MINISIG_KEYID_HEX_SIZE])
{
	(void)snprintf(out, MINISIG_KEYID_HEX_SIZE, "%016" PRIX64,
	               le64_load(key_id));
}

sh_status minisig_keyid_from_hex(const char *hex,
                                 uint8_t key_id[MINISIG_KEYID_BYTES],
                                 struct sh_error *e)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < MINISIG_KEYID_HEX_SIZE - 1; i++) {
		char c = hex[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			break;
		v = (v << 4) | d;
	}
	if (i != MINISIG_KEYID_HEX_SIZE - 1 || hex[i] != '\0')
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "a key id is 16 hex digits, as `skillhost trust "
		        "list` shows it (e.g. 5C35CDCC6CF8C983)");
	le64_store(key_id, v);
	return SH_OK;
}

/* ---- keys ------------------------------------------------------------- */

static struct minisig_seckey *seckey_alloc(void)
{
	return sodium_malloc(sizeof(struct minisig_seckey));
}

void minisig_seckey_free(struct minisig_seckey *sk)
{
	if (sk)
		sodium_free(sk); /* wipes before unmapping */
}

sh_status minisig_keygen(struct minisig_seckey **sk, struct minisig_pubkey *pk,
                         struct sh_error *e)
{
	struct minisig_seckey *k = NULL;
	sh_status rc;

	*sk = NULL;
	rc = sodium_ready(e);
	if (rc != SH_OK)
		goto out;
	k = seckey_alloc();
	if (!k) {
		rc = sh_error_set(e, SH_ERR_NOMEM,
		                  "out of memory for a secret key");
		goto out;
	}
	randombytes_buf(k->key_id, sizeof k->key_id);
	crypto_sign_keypair(pk->pk, k->sk);
	memcpy(pk->key_id, k->key_id, sizeof pk->key_id);
	*sk = k;
	k = NULL;
out:
	minisig_seckey_free(k);
	return rc;
}

void minisig_seckey_public(const struct minisig_seckey *sk,
                           struct minisig_pubkey *pk)
{
	memcpy(pk->key_id, sk->key_id, sizeof pk->key_id);
	crypto_sign_ed25519_sk_to_pk(pk->pk, sk->sk);
}

void minisig_pubkey_to_base64(const struct minisig_pubkey *pk,
                              char out[MINISIG_PUBKEY_B64_SIZE])
{
	uint8_t blob[PUBKEY_BLOB_BYTES];

	memcpy(blob, TAG_ED25519, ALG_BYTES);
	memcpy(blob + ALG_BYTES, pk->key_id, MINISIG_KEYID_BYTES);
	memcpy(blob + ALG_BYTES + MINISIG_KEYID_BYTES, pk->pk,
	       MINISIG_PUBKEY_BYTES);
	b64_encode(out, MINISIG_PUBKEY_B64_SIZE, blob, sizeof blob);
}

sh_status minisig_pubkey_format(const struct minisig_pubkey *pk, char *buf,
                                size_t cap, size_t *len, struct sh_error *e)
{
	char id[MINISIG_KEYID_HEX_SIZE];
	char b64[MINISIG_PUBKEY_B64_SIZE];
	int n;

	minisig_keyid_to_hex(pk->key_id, id);
	minisig_pubkey_to_base64(pk, b64);
	n = snprintf(buf, cap, UNTRUSTED_PREFIX "minisign public key %s\n%s\n",
	             id, b64);
	if (n < 0 || (size_t)n >= cap)
		return sh_error_set(
		        e, SH_ERR_NOMEM,
		        "a %zu-byte buffer is too small for a public "
		        "key file",
		        cap);
	if (len)
		*len = (size_t)n;
	return SH_OK;
}

sh_status minisig_pubkey_parse(const char *text, size_t len,
                               struct minisig_pubkey *pk, struct sh_error *e)
{
	struct line lines[2];
	uint8_t blob[PUBKEY_BLOB_BYTES];
	const struct line *key;
	size_t count, lineno = 1, bad;
	sh_status rc;

	if (len > MINISIG_PUBKEY_TEXT_MAX)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the public key is %zu bytes, longer than any "
		        "minisign public key file; %s",
		        len, PUBKEY_ADVICE);
	rc = split_lines(text, len, 2, 1, lines, &count, "public key",
	                 PUBKEY_ADVICE, e);
	if (rc != SH_OK)
		return rc;
	key = &lines[0];
	if (count == 1 && lines[0].len >= UNTRUSTED_PREFIX_LEN &&
	    memcmp(lines[0].p, UNTRUSTED_PREFIX, UNTRUSTED_PREFIX_LEN) == 0)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the public key file is truncated: it has its "
		        "comment line but no key line; %s",
		        PUBKEY_ADVICE);
	if (count == 2) {
		const struct line *c = &lines[0];

		if (c->len < UNTRUSTED_PREFIX_LEN ||
		    memcmp(c->p, UNTRUSTED_PREFIX, UNTRUSTED_PREFIX_LEN) != 0)
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "line 1 of the public key file must start "
			        "with \"" UNTRUSTED_PREFIX "\"; %s",
			        PUBKEY_ADVICE);
		if (c->len - UNTRUSTED_PREFIX_LEN >
		    MINISIG_UNTRUSTED_COMMENT_MAX)
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "line 1 of the public key file is longer "
			        "than minisign's limit; %s",
			        PUBKEY_ADVICE);
		bad = untrusted_text_check(c->p, c->len);
		if (bad < c->len)
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "line 1 of the public key file has a "
			        "control or invalid UTF-8 byte at "
			        "column %zu; %s",
			        bad + 1, PUBKEY_ADVICE);
		key = &lines[1];
		lineno = 2;
	}
	rc = b64_exact(key, blob, sizeof blob, lineno, "key", "public key",
	               PUBKEY_ADVICE, e);
	if (rc != SH_OK)
		return rc;
	if (memcmp(blob, TAG_ED25519, ALG_BYTES) != 0)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the public key has algorithm tag 0x%02x%02x, "
		        "not minisign's Ed25519 (\"Ed\"); %s",
		        blob[0], blob[1], PUBKEY_ADVICE);
	memcpy(pk->key_id, blob + ALG_BYTES, MINISIG_KEYID_BYTES);
	memcpy(pk->pk, blob + ALG_BYTES + MINISIG_KEYID_BYTES,
	       MINISIG_PUBKEY_BYTES);
	return SH_OK;
}

sh_status minisig_pubkey_load(const char *path, struct minisig_pubkey *pk,
                              struct sh_error *e)
{
	char *buf = NULL;
	size_t len = 0;
	sh_status rc;

	rc = fs_read_file(path, MINISIG_PUBKEY_TEXT_MAX, &buf, &len, e);
	if (rc == SH_OK)
		rc = minisig_pubkey_parse(buf, len, pk, e);
	if (rc != SH_OK && rc != SH_ERR_NOTFOUND && rc != SH_ERR_IO)
		sh_error_prefix(e, "public key %s", path);
	free(buf);
	return rc;
}

/* Directory part of path for fs_sync_dir. */
static sh_status parent_dir(const char *path, char *dir, size_t cap,
                            struct sh_error *e)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash) {
		(void)snprintf(dir, cap, ".");
		return SH_OK;
	}
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= cap)
		return sh_error_set(e, SH_ERR_NOMEM, "path too long: %s", path);
	memcpy(dir, path, n);
	dir[n] = '\0';
	return SH_OK;
}

static sh_status exists_error(const char *path, struct sh_error *e)
{
	return sh_error_set(e, SH_ERR_USAGE,
	                    "%s already exists; refusing to overwrite it "
	                    "(use --force to replace it)",
	                    path);
}

/* link(stage, path) failed with err: say why, or, where the filesystem has
 * no hard links, fall back to check-then-rename (which a writer racing
 * between the two steps could still lose to). */
static sh_status link_failed(const char *stage, const char *path, int err,
                             struct sh_error *e)
{
	if (err == EEXIST)
		return exists_error(path, e);
	if (err != EPERM && err != EOPNOTSUPP && err != ENOSYS)
		return sh_error_errno(e, SH_ERR_IO, err, "cannot create %s",
		                      path);
	if (fs_exists(path))
		return exists_error(path, e);
	if (rename(stage, path) != 0)
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot create %s",
		                      path);
	return SH_OK;
}

/*
 * Write a file that must not replace an existing one unless force. The
 * content is first written atomically under a unique staging name, then
 * hard-linked to path: link() fails with EEXIST instead of replacing, so
 * the existence check and the creation are one step.
 */
static sh_status write_new_file(const char *path, const void *data, size_t len,
                                mode_t mode, int force, struct sh_error *e)
{
	char stage[PATH_MAX];
	char dir[PATH_MAX];
	uint8_t rnd[8];
	char rnd_hex[2 * sizeof rnd + 1];
	sh_status rc;
	int n;

	if (force)
		return fs_write_atomic(path, data, len, mode, e);
	if (fs_exists(path))
		return exists_error(path, e);
	rc = parent_dir(path, dir, sizeof dir, e);
	if (rc != SH_OK)
		return rc;
	rc = sodium_ready(e);
	if (rc != SH_OK)
		return rc;
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(rnd_hex, sizeof rnd_hex, rnd, sizeof rnd);
	n = snprintf(stage, sizeof stage, "%s.new-%s", path, rnd_hex);
	if (n < 0 || (size_t)n >= sizeof stage)
		return sh_error_set(e, SH_ERR_NOMEM, "path too long: %s", path);
	rc = fs_write_atomic(stage, data, len, mode, e);
	if (rc != SH_OK)
		return rc;
	if (link(stage, path) != 0)
		rc = link_failed(stage, path, errno, e);
	/* Gone already after a fallback rename; ENOENT is fine then. The
	 * directory sync below makes the removal durable with the link. */
	unlink(stage);
	if (rc == SH_OK)
		rc = fs_sync_dir(dir, e);
	return rc;
}

sh_status minisig_pubkey_save(const char *path, const struct minisig_pubkey *pk,
                              int force, struct sh_error *e)
{
	char text[MINISIG_PUBKEY_TEXT_SIZE];
	size_t len = 0;
	sh_status rc;

	rc = minisig_pubkey_format(pk, text, sizeof text, &len, e);
	if (rc != SH_OK)
		return rc;
	return write_new_file(path, text, len, 0644, force, e);
}

static void seckey_checksum(const uint8_t *blob, uint8_t chk[SK_CHK_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, SK_CHK_BYTES);
	crypto_generichash_update(&st, blob, ALG_BYTES);
	crypto_generichash_update(&st, blob + SK_OFF_KEYID,
	                          MINISIG_KEYID_BYTES);
	crypto_generichash_update(&st, blob + SK_OFF_SK, MINISIG_SECKEY_BYTES);
	crypto_generichash_final(&st, chk, SK_CHK_BYTES);
	sodium_memzero(&st, sizeof st);
}

/*
 * Write sk as minisign does: with a password, the key id, key and checksum
 * are XORed with scrypt(password, salt, ops, mem) and kdf is "Sc" (minisign
 * -G); without one, kdf is 00 00 and salt and limits stay zero (minisign
 * -G -W). The checksum is always over the plain key, as minisign has it.
 */
static sh_status seckey_write(const char *path, const struct minisig_seckey *sk,
                              const char *password, uint64_t ops, size_t mem,
                              int force, struct sh_error *e)
{
	struct {
		uint8_t blob[SECKEY_BLOB_BYTES];
		uint8_t stream[SK_ENC_BYTES];
		char b64[SECKEY_B64_LEN + 1];
		char text[SECKEY_TEXT_SIZE];
	} * s;
	char id[MINISIG_KEYID_HEX_SIZE];
	sh_status rc;
	int n;

	rc = sodium_ready(e);
	if (rc != SH_OK)
		return rc;
	if (password &&
	    (ops > SCRYPT_OPSLIMIT_MAX || mem > SCRYPT_MEMLIMIT_MAX))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "scrypt limits above minisign's cannot be "
		                    "read back");
	/* Every copy of the key stays in guarded memory that is wiped. */
	s = sodium_malloc(sizeof *s);
	if (!s)
		return sh_error_set(e, SH_ERR_NOMEM,
		                    "out of memory writing a secret key");
	memset(s->blob, 0, sizeof s->blob);
	memcpy(s->blob, TAG_ED25519, ALG_BYTES);
	memcpy(s->blob + SK_OFF_CHKALG, TAG_BLAKE2B, 2);
	memcpy(s->blob + SK_OFF_KEYID, sk->key_id, MINISIG_KEYID_BYTES);
	memcpy(s->blob + SK_OFF_SK, sk->sk, MINISIG_SECKEY_BYTES);
	seckey_checksum(s->blob, s->blob + SK_OFF_CHK);
	if (password) {
		memcpy(s->blob + SK_OFF_KDF, TAG_SCRYPT, 2);
		randombytes_buf(s->blob + SK_OFF_SALT, SK_SALT_BYTES);
		le64_store(s->blob + SK_OFF_OPSLIMIT, ops);
		le64_store(s->blob + SK_OFF_MEMLIMIT, (uint64_t)mem);
		if (crypto_pwhash_scryptsalsa208sha256(
		            s->stream, SK_ENC_BYTES, password, strlen(password),
		            s->blob + SK_OFF_SALT, (unsigned long long)ops,
		            mem) != 0) {
			rc = sh_error_set(e, SH_ERR_NOMEM,
			                  "cannot derive a key from the "
			                  "password: scrypt needs %zu MiB of "
			                  "memory",
			                  mem >> 20);
			goto out;
		}
		for (size_t i = 0; i < SK_ENC_BYTES; i++)
			s->blob[SK_OFF_KEYID + i] ^= s->stream[i];
	}
	b64_encode(s->b64, sizeof s->b64, s->blob, sizeof s->blob);
	minisig_keyid_to_hex(sk->key_id, id);
	n = snprintf(s->text, sizeof s->text, UNTRUSTED_PREFIX "%s %s\n%s\n",
	             password ? "minisign encrypted secret key"
	                      : "skillhost unencrypted secret key",
	             id, s->b64);
	if (n < 0 || (size_t)n >= sizeof s->text) {
		rc = sh_error_set(e, SH_ERR_FAIL, "secret key text overflow");
		goto out;
	}
	rc = write_new_file(path, s->text, (size_t)n, 0600, force, e);
out:
	sodium_free(s);
	return rc;
}

sh_status minisig_seckey_save(const char *path, const struct minisig_seckey *sk,
                              int force, struct sh_error *e)
{
	return seckey_write(path, sk, NULL, 0, 0, force, e);
}

sh_status minisig_seckey_save_encrypted(const char *path,
                                        const struct minisig_seckey *sk,
                                        const char *password, uint64_t opslimit,
                                        size_t memlimit, int force,
                                        struct sh_error *e)
{
	if (!password)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "no password to encrypt the secret key");
	return seckey_write(path, sk, password, opslimit, memlimit, force, e);
}

/*
 * Check the form of a secret key text and decode its blob (SECKEY_BLOB_BYTES
 * of caller-provided guarded memory). The kdf tag is checked to be one we
 * know; decryption is the caller's.
 */
static sh_status seckey_decode(const char *text, size_t len, uint8_t *blob,
                               struct sh_error *e)
{
	struct line lines[2];
	size_t count;
	sh_status rc;

	if (len > SECKEY_TEXT_MAX)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the secret key is %zu bytes, longer than any "
		        "minisign secret key file; %s",
		        len, SECKEY_ADVICE);
	rc = split_lines(text, len, 2, 1, lines, &count, "secret key",
	                 SECKEY_ADVICE, e);
	if (rc != SH_OK)
		return rc;
	if (count != 2)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the secret key file is truncated: it has %zu "
		        "of 2 lines; %s",
		        count, SECKEY_ADVICE);
	if (lines[0].len < UNTRUSTED_PREFIX_LEN ||
	    memcmp(lines[0].p, UNTRUSTED_PREFIX, UNTRUSTED_PREFIX_LEN) != 0)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "line 1 of the secret key file must start with "
		        "\"" UNTRUSTED_PREFIX "\"; %s",
		        SECKEY_ADVICE);
	rc = b64_exact(&lines[1], blob, SECKEY_BLOB_BYTES, 2, "key",
	               "secret key", SECKEY_ADVICE, e);
	if (rc != SH_OK)
		return rc;
	if (memcmp(blob, TAG_ED25519, ALG_BYTES) != 0)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the secret key has algorithm tag 0x%02x%02x, "
		        "not minisign's Ed25519 (\"Ed\"); %s",
		        blob[0], blob[1], SECKEY_ADVICE);
	if (memcmp(blob + SK_OFF_CHKALG, TAG_BLAKE2B, 2) != 0)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the secret key has checksum type 0x%02x%02x, "
		        "not BLAKE2b (\"B2\"); %s",
		        blob[SK_OFF_CHKALG], blob[SK_OFF_CHKALG + 1],
		        SECKEY_ADVICE);
	if (memcmp(blob + SK_OFF_KDF, TAG_SCRYPT, 2) != 0 &&
	    (blob[SK_OFF_KDF] != 0 || blob[SK_OFF_KDF + 1] != 0))
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the secret key has key derivation type "
		        "0x%02x%02x, neither scrypt (\"Sc\") nor none; "
		        "%s",
		        blob[SK_OFF_KDF], blob[SK_OFF_KDF + 1], SECKEY_ADVICE);
	return SH_OK;
}

/* Undo minisign's password encryption of blob[54..158) in place. */
static sh_status seckey_decrypt(uint8_t *blob, const char *password,
                                struct sh_error *e)
{
	uint64_t ops = le64_load(blob + SK_OFF_OPSLIMIT);
	uint64_t mem = le64_load(blob + SK_OFF_MEMLIMIT);
	uint8_t *stream = NULL;
	sh_status rc = SH_OK;

	if (!password)
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "the secret key is password-protected; supply "
		        "its password (the CLI asks for it, or reads "
		        "SKILLHOST_KEY_PASSWORD)");
	if (ops > SCRYPT_OPSLIMIT_MAX || mem > SCRYPT_MEMLIMIT_MAX)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the secret key asks for scrypt limits "
		        "(opslimit %" PRIu64 ", memlimit %" PRIu64
		        ") above minisign's (%llu, %llu); %s",
		        ops, mem, (unsigned long long)SCRYPT_OPSLIMIT_MAX,
		        (unsigned long long)SCRYPT_MEMLIMIT_MAX, SECKEY_ADVICE);
	stream = sodium_malloc(SK_ENC_BYTES);
	if (!stream)
		return sh_error_set(e, SH_ERR_NOMEM,
		                    "out of memory decrypting a secret key");
	if (crypto_pwhash_scryptsalsa208sha256(
	            stream, SK_ENC_BYTES, password, strlen(password),
	            blob + SK_OFF_SALT, (unsigned long long)ops,
	            (size_t)mem) != 0) {
		rc = sh_error_set(
		        e, SH_ERR_NOMEM,
		        "cannot derive the key from the password: scrypt "
		        "needs %" PRIu64 " MiB of memory",
		        mem >> 20);
		goto out;
	}
	for (size_t i = 0; i < SK_ENC_BYTES; i++)
		blob[SK_OFF_KEYID + i] ^= stream[i];
out:
	sodium_free(stream);
	return rc;
}

sh_status minisig_seckey_parse(const char *text, size_t len,
                               const char *password, struct minisig_seckey **sk,
                               struct sh_error *e)
{
	struct {
		uint8_t blob[SECKEY_BLOB_BYTES];
		uint8_t chk[SK_CHK_BYTES];
		uint8_t pk[crypto_sign_PUBLICKEYBYTES];
		uint8_t sk[crypto_sign_SECRETKEYBYTES];
	} *s = NULL;
	struct minisig_seckey *k = NULL;
	int encrypted;
	sh_status rc;

	*sk = NULL;
	rc = sodium_ready(e);
	if (rc != SH_OK)
		return rc;
	s = sodium_malloc(sizeof *s);
	if (!s)
		return sh_error_set(e, SH_ERR_NOMEM,
		                    "out of memory reading a secret key");
	rc = seckey_decode(text, len, s->blob, e);
	if (rc != SH_OK)
		goto out;
	encrypted = memcmp(s->blob + SK_OFF_KDF, TAG_SCRYPT, 2) == 0;
	if (encrypted) {
		rc = seckey_decrypt(s->blob, password, e);
		if (rc != SH_OK)
			goto out;
	}
	seckey_checksum(s->blob, s->chk);
	if (encrypted &&
	    sodium_memcmp(s->chk, s->blob + SK_OFF_CHK, SK_CHK_BYTES) != 0) {
		rc = sh_error_set(
		        e, SH_ERR_DENIED,
		        "wrong password for the secret key (its checksum "
		        "does not match after decryption)");
		goto out;
	}
	/* minisign -G -W leaves the checksum of a plain key zero. */
	if (!encrypted && !sodium_is_zero(s->blob + SK_OFF_CHK, SK_CHK_BYTES) &&
	    sodium_memcmp(s->chk, s->blob + SK_OFF_CHK, SK_CHK_BYTES) != 0) {
		rc = sh_error_set(
		        e, SH_ERR_INVALID,
		        "the secret key is damaged: its checksum does "
		        "not match; restore it from a backup");
		goto out;
	}
	crypto_sign_seed_keypair(s->pk, s->sk, s->blob + SK_OFF_SK);
	if (sodium_memcmp(s->sk, s->blob + SK_OFF_SK, sizeof s->sk) != 0) {
		rc = sh_error_set(
		        e, SH_ERR_INVALID,
		        "the secret key is damaged: its public half does "
		        "not match its seed; restore it from a backup");
		goto out;
	}
	k = seckey_alloc();
	if (!k) {
		rc = sh_error_set(e, SH_ERR_NOMEM,
		                  "out of memory for a secret key");
		goto out;
	}
	memcpy(k->key_id, s->blob + SK_OFF_KEYID, MINISIG_KEYID_BYTES);
	memcpy(k->sk, s->blob + SK_OFF_SK, MINISIG_SECKEY_BYTES);
	*sk = k;
out:
	sodium_free(s);
	return rc;
}

/* Read a secret key file; the caller wipes and frees *buf. */
static sh_status seckey_read(const char *path, char **buf, size_t *len,
                             struct sh_error *e)
{
	sh_status rc = fs_read_file(path, SECKEY_TEXT_MAX, buf, len, e);

	if (rc == SH_ERR_NOMEM)
		sh_error_prefix(e, "secret key");
	return rc;
}

static void wipe_free(char *buf, size_t len)
{
	if (buf) {
		sodium_memzero(buf, len);
		free(buf);
	}
}

sh_status minisig_seckey_load(const char *path, const char *password,
                              struct minisig_seckey **sk, struct sh_error *e)
{
	char *buf = NULL;
	size_t len = 0;
	sh_status rc;

	*sk = NULL;
	rc = seckey_read(path, &buf, &len, e);
	if (rc != SH_OK)
		return rc;
	rc = minisig_seckey_parse(buf, len, password, sk, e);
	if (rc != SH_OK)
		sh_error_prefix(e, "secret key %s", path);
	wipe_free(buf, len);
	return rc;
}

sh_status minisig_seckey_needs_password(const char *path, int *encrypted,
                                        struct sh_error *e)
{
	uint8_t *blob = NULL;
	char *buf = NULL;
	size_t len = 0;
	sh_status rc;

	*encrypted = 0;
	rc = sodium_ready(e);
	if (rc != SH_OK)
		return rc;
	rc = seckey_read(path, &buf, &len, e);
	if (rc != SH_OK)
		return rc;
	blob = sodium_malloc(SECKEY_BLOB_BYTES);
	if (!blob) {
		rc = sh_error_set(e, SH_ERR_NOMEM,
		                  "out of memory reading a secret key");
		goto out;
	}
	rc = seckey_decode(buf, len, blob, e);
	if (rc != SH_OK) {
		sh_error_prefix(e, "secret key %s", path);
		goto out;
	}
	*encrypted = memcmp(blob + SK_OFF_KDF, TAG_SCRYPT, 2) == 0;
out:
	if (blob)
		sodium_free(blob);
	wipe_free(buf, len);
	return rc;
}

/* ---- hashing ---------------------------------------------------------- */

sh_status minisig_hasher_init(struct minisig_hasher *h, int with_file_hash,
                              struct sh_error *e)
{
	/* sodium_init also selects the fastest BLAKE2b for this CPU. */
	sh_status rc = sodium_ready(e);

	if (rc != SH_OK)
		return rc;
	crypto_generichash_init(&h->h512, NULL, 0, MINISIG_DIGEST_BYTES);
	if (with_file_hash)
		crypto_generichash_init(&h->h256, NULL, 0,
		                        MINISIG_FILE_HASH_BYTES);
	h->bytes = 0;
	h->with_file_hash = with_file_hash != 0;
	return SH_OK;
}

void minisig_hasher_update(struct minisig_hasher *h, const void *data,
                           size_t len)
{
	const unsigned char *p = data;

	h->bytes += len;
	if (!h->with_file_hash) {
		crypto_generichash_update(&h->h512, p, len);
		return;
	}
	while (len > 0) {
		size_t n = len < HASH_SLICE_BYTES ? len : HASH_SLICE_BYTES;

		crypto_generichash_update(&h->h512, p, n);
		crypto_generichash_update(&h->h256, p, n);
		p += n;
		len -= n;
	}
}

void minisig_hasher_final(struct minisig_hasher *h,
                          uint8_t digest[MINISIG_DIGEST_BYTES],
                          uint8_t file_hash[MINISIG_FILE_HASH_BYTES])
{
	crypto_generichash_final(&h->h512, digest, MINISIG_DIGEST_BYTES);
	if (file_hash && h->with_file_hash)
		crypto_generichash_final(&h->h256, file_hash,
		                         MINISIG_FILE_HASH_BYTES);
	else if (file_hash)
		memset(file_hash, 0, MINISIG_FILE_HASH_BYTES);
}

/* One thread reading, one loop hashing: the simple path, for small files,
 * pipes, and whenever a thread cannot be started. */
static sh_status hash_serial(int fd, const char *name, struct minisig_hasher *h,
                             struct sh_error *e)
{
	unsigned char *buf = malloc(HASH_READ_BYTES);
	sh_status rc = SH_OK;

	if (!buf)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory hashing %s",
		                    name);
	for (;;) {
		size_t n;

		if ((rc = fs_read_some(fd, buf, HASH_READ_BYTES, &n, name,
		                       e)) ||
		    n == 0)
			break;
		minisig_hasher_update(h, buf, n);
	}
	free(buf);
	return rc;
}

/*
 * The pipelined path, for when both hashes are wanted (signing, and
 * publishers checking a comment's hash): a reader thread fills a ring of
 * buffers while the calling thread computes BLAKE2b-512 and a helper
 * BLAKE2b-256, so the pair costs one hash's time on two cores instead of
 * two. Each chunk is handed over under the mutex, which orders the reader's
 * writes before the hashers' reads; a slot is refilled only after every
 * hasher is done with it. (The digest alone goes through hash_solo.)
 */
struct hash_pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd;
	int nhashers;
	unsigned char *buf[PIPE_SLOTS];
	size_t len[PIPE_SLOTS]; /* 0 marks the end (EOF or error) */
	uint64_t produced;      /* chunks published so far */
	uint64_t consumed[2];   /* chunks each hasher has finished */
	int read_errno;
};

struct hash_worker {
	struct hash_pipe *p;
	int idx;
	crypto_generichash_state *st;
	uint64_t bytes;
};

static uint64_t pipe_min_consumed(const struct hash_pipe *p)
{
	uint64_t m = p->consumed[0];

	for (int i = 1; i < p->nhashers; i++)
		if (p->consumed[i] < m)
			m = p->consumed[i];
	return m;
}

static void *pipe_reader(void *arg)
{
	struct hash_pipe *p = arg;

	for (uint64_t seq = 0;; seq++) {
		size_t slot = (size_t)(seq % PIPE_SLOTS);
		ssize_t n;
		int err = 0;

		pthread_mutex_lock(&p->mu);
		while (seq >= pipe_min_consumed(p) + PIPE_SLOTS)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		do
			n = read(p->fd, p->buf[slot], HASH_READ_BYTES);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			err = errno;
		pthread_mutex_lock(&p->mu);
		p->len[slot] = n > 0 ? (size_t)n : 0;
		p->read_errno = err;
		p->produced = seq + 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (n <= 0)
			return NULL;
	}
}

static void *pipe_hasher(void *arg)
{
	struct hash_worker *w = arg;
	struct hash_pipe *p = w->p;

	for (uint64_t seq = 0;; seq++) {
		size_t slot = (size_t)(seq % PIPE_SLOTS);
		size_t n;

		pthread_mutex_lock(&p->mu);
		while (p->produced <= seq)
			pthread_cond_wait(&p->cv, &p->mu);
		n = p->len[slot];
		pthread_mutex_unlock(&p->mu);
		if (n == 0)
			return NULL;
		crypto_generichash_update(w->st, p->buf[slot], n);
		w->bytes += n;
		pthread_mutex_lock(&p->mu);
		p->consumed[w->idx] = seq + 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

/* Returns SH_ERR_BUSY, with nothing read, when threads cannot be had, so
 * the caller falls back to hash_serial. */
static sh_status hash_pipelined(int fd, const char *name,
                                struct minisig_hasher *h, struct sh_error *e)
{
	struct hash_pipe p;
	struct hash_worker w[2];
	pthread_t reader, helper;
	int have_reader = 0, have_helper = 0, slots = 0;
	sh_status rc = SH_OK;

	memset(&p, 0, sizeof p);
	p.fd = fd;
	p.nhashers = h->with_file_hash ? 2 : 1;
	for (int i = 0; i < 2; i++) {
		w[i].p = &p;
		w[i].idx = i;
		w[i].bytes = 0;
	}
	w[0].st = &h->h512;
	w[1].st = &h->h256;
	for (; slots < PIPE_SLOTS; slots++) {
		p.buf[slots] = malloc(HASH_READ_BYTES);
		if (!p.buf[slots]) {
			rc = SH_ERR_BUSY;
			goto out;
		}
	}
	if (pthread_mutex_init(&p.mu, NULL) != 0) {
		rc = SH_ERR_BUSY;
		goto out;
	}
	if (pthread_cond_init(&p.cv, NULL) != 0) {
		pthread_mutex_destroy(&p.mu);
		rc = SH_ERR_BUSY;
		goto out;
	}
	if (p.nhashers == 2)
		have_helper =
		        pthread_create(&helper, NULL, pipe_hasher, &w[1]) == 0;
	if (p.nhashers == 1 || have_helper)
		have_reader =
		        pthread_create(&reader, NULL, pipe_reader, &p) == 0;
	if (!have_reader) {
		if (have_helper) {
			/* Release the helper: an empty chunk means the end. */
			pthread_mutex_lock(&p.mu);
			p.produced = 1;
			pthread_cond_broadcast(&p.cv);
			pthread_mutex_unlock(&p.mu);
			pthread_join(helper, NULL);
		}
		rc = SH_ERR_BUSY;
		goto destroy;
	}
	pipe_hasher(&w[0]);
	pthread_join(reader, NULL);
	if (have_helper)
		pthread_join(helper, NULL);
	h->bytes = w[0].bytes;
	if (p.read_errno != 0)
		rc = sh_error_errno(e, SH_ERR_IO, p.read_errno,
		                    "cannot read %s", name);
destroy:
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
out:
	for (int i = 0; i < slots; i++)
		free(p.buf[i]);
	return rc;
}

/*
 * The signature digest alone, on the calling thread: BLAKE2b-512 is one
 * sequential chain, so a second thread could only copy ahead, and on a
 * shared 2-core machine that costs CPU without making the chain shorter.
 * Reads of SOLO_READ_BYTES land in a buffer that stays in L2, so the hash
 * reads what the copy just wrote.
 */
static sh_status hash_solo(int fd, const char *name, uint64_t expected,
                           uint8_t digest[MINISIG_DIGEST_BYTES], uint64_t *size,
                           struct sh_error *e)
{
	unsigned char *buf = malloc(SOLO_READ_BYTES);
	struct b2fast h;
	uint64_t total = 0;
	sh_status rc;

	if (!buf)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory hashing %s",
		                    name);
	if ((rc = b2fast_init(&h, expected, e))) {
		free(buf);
		return rc;
	}
	for (;;) {
		size_t n;

		if ((rc = fs_read_some(fd, buf, SOLO_READ_BYTES, &n, name,
		                       e)) ||
		    n == 0)
			break;
		b2fast_update(&h, buf, n);
		total += n;
	}
	free(buf);
	if (rc != SH_OK) {
		b2fast_abort(&h);
		return rc;
	}
	if ((rc = b2fast_final(&h, digest, e)))
		return rc;
	if (size)
		*size = total;
	return SH_OK;
}

sh_status minisig_hash_fd(int fd, const char *name,
                          uint8_t digest[MINISIG_DIGEST_BYTES],
                          uint8_t file_hash[MINISIG_FILE_HASH_BYTES],
                          uint64_t *size, struct sh_error *e)
{
	struct minisig_hasher h;
	struct stat st;
	uint64_t left = 0;
	int regular;
	sh_status rc;

	regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (regular) {
		off_t at = lseek(fd, 0, SEEK_CUR);

		if (at >= 0 && at < st.st_size)
			left = (uint64_t)(st.st_size - at);
	}
	/* A hint only: pipes and some filesystems refuse it, which is fine. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (!file_hash)
		return hash_solo(fd, name, left, digest, size, e);
	rc = minisig_hasher_init(&h, 1, e);
	if (rc != SH_OK)
		return rc;
	rc = SH_ERR_BUSY;
	if (regular && left >= PIPE_MIN_BYTES)
		rc = hash_pipelined(fd, name, &h, e);
	if (rc == SH_ERR_BUSY)
		rc = hash_serial(fd, name, &h, e);
	if (rc != SH_OK)
		goto out;
	minisig_hasher_final(&h, digest, file_hash);
	if (size)
		*size = h.bytes;
out:
	sodium_memzero(&h, sizeof h);
	return rc;
}

sh_status minisig_hash_file(const char *path,
                            uint8_t digest[MINISIG_DIGEST_BYTES],
                            uint8_t file_hash[MINISIG_FILE_HASH_BYTES],
                            uint64_t *size, struct sh_error *e)
{
	sh_status rc;
	int fd;

	if ((rc = fs_open_read(path, path, &fd, e)))
		return rc;
	rc = minisig_hash_fd(fd, path, digest, file_hash, size, e);
	close(fd);
	return rc;
}

/* ---- signing ---------------------------------------------------------- */

/* Ed25519 over sig || trusted comment: the global signature's message. */
static size_t
global_message(const struct minisig_signature *sig,
               uint8_t buf[MINISIG_SIG_BYTES + MINISIG_TRUSTED_COMMENT_MAX])
{
	size_t n = strnlen(sig->trusted_comment, MINISIG_TRUSTED_COMMENT_MAX);

	memcpy(buf, sig->sig, MINISIG_SIG_BYTES);
	memcpy(buf + MINISIG_SIG_BYTES, sig->trusted_comment, n);
	return MINISIG_SIG_BYTES + n;
}

sh_status minisig_sign_digest(const struct minisig_seckey *sk,
                              const uint8_t digest[MINISIG_DIGEST_BYTES],
                              const char *trusted_comment,
                              const char *untrusted_comment,
                              struct minisig_signature *sig, struct sh_error *e)
{
	uint8_t msg[MINISIG_SIG_BYTES + MINISIG_TRUSTED_COMMENT_MAX];
	char id[MINISIG_KEYID_HEX_SIZE];
	size_t n;
	sh_status rc;

	rc = sodium_ready(e);
	if (rc != SH_OK)
		return rc;
	if (!trusted_comment)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "a trusted comment is required to sign");
	rc = comment_check(trusted_comment, 1, SH_ERR_USAGE, e);
	if (rc != SH_OK)
		return rc;
	if (untrusted_comment) {
		rc = comment_check(untrusted_comment, 0, SH_ERR_USAGE, e);
		if (rc != SH_OK)
			return rc;
	}
	memset(sig, 0, sizeof *sig);
	memcpy(sig->alg, TAG_PREHASHED, ALG_BYTES);
	memcpy(sig->key_id, sk->key_id, MINISIG_KEYID_BYTES);
	if (untrusted_comment) {
		(void)snprintf(sig->untrusted_comment,
		               sizeof sig->untrusted_comment, "%s",
		               untrusted_comment);
	} else {
		minisig_keyid_to_hex(sk->key_id, id);
		(void)snprintf(sig->untrusted_comment,
		               sizeof sig->untrusted_comment,
		               "signature from skillhost secret key %s", id);
	}
	(void)snprintf(sig->trusted_comment, sizeof sig->trusted_comment, "%s",
	               trusted_comment);
	/* Plain Ed25519 over the 64 digest bytes: what minisign calls
	 * prehashed. crypto_sign_init/update would be Ed25519ph, which no
	 * minisign can verify. */
	crypto_sign_detached(sig->sig, NULL, digest, MINISIG_DIGEST_BYTES,
	                     sk->sk);
	n = global_message(sig, msg);
	crypto_sign_detached(sig->global_sig, NULL, msg, n, sk->sk);
	return SH_OK;
}

sh_status minisig_sign_file(const struct minisig_seckey *sk, const char *path,
                            const char *trusted_comment,
                            const char *untrusted_comment,
                            struct minisig_signature *sig, struct sh_error *e)
{
	uint8_t digest[MINISIG_DIGEST_BYTES];
	sh_status rc;

	rc = minisig_hash_file(path, digest, NULL, NULL, e);
	if (rc != SH_OK)
		return rc;
	return minisig_sign_digest(sk, digest, trusted_comment,
	                           untrusted_comment, sig, e);
}

/* ---- signature text --------------------------------------------------- */

sh_status minisig_format(const struct minisig_signature *sig, char *buf,
                         size_t cap, size_t *len, struct sh_error *e)
{
	uint8_t blob[SIG_BLOB_BYTES];
	char sig_b64[SIG_B64_LEN + 1];
	char global_b64[GLOBAL_B64_LEN + 1];
	sh_status rc;
	int n;

	rc = comment_check(sig->untrusted_comment, 0, SH_ERR_INVALID, e);
	if (rc == SH_OK)
		rc = comment_check(sig->trusted_comment, 1, SH_ERR_INVALID, e);
	if (rc != SH_OK)
		return rc;
	memcpy(blob, sig->alg, ALG_BYTES);
	memcpy(blob + ALG_BYTES, sig->key_id, MINISIG_KEYID_BYTES);
	memcpy(blob + ALG_BYTES + MINISIG_KEYID_BYTES, sig->sig,
	       MINISIG_SIG_BYTES);
	b64_encode(sig_b64, sizeof sig_b64, blob, sizeof blob);
	b64_encode(global_b64, sizeof global_b64, sig->global_sig,
	           MINISIG_SIG_BYTES);
	n = snprintf(buf, cap,
	             UNTRUSTED_PREFIX "%s\n%s\n" TRUSTED_PREFIX "%s\n%s\n",
	             sig->untrusted_comment, sig_b64, sig->trusted_comment,
	             global_b64);
	if (n < 0 || (size_t)n >= cap)
		return sh_error_set(e, SH_ERR_NOMEM,
		                    "a %zu-byte buffer is too small for the "
		                    "signature text (%d bytes)",
		                    cap, n);
	if (len)
		*len = (size_t)n;
	return SH_OK;
}

/* Check a comment line's prefix, length and bytes, and copy its text. */
static sh_status parse_comment_line(const struct line *l, size_t lineno,
                                    int trusted, char *out, struct sh_error *e)
{
	const char *prefix = trusted ? TRUSTED_PREFIX : UNTRUSTED_PREFIX;
	size_t plen = trusted ? TRUSTED_PREFIX_LEN : UNTRUSTED_PREFIX_LEN;
	size_t max = trusted ? MINISIG_TRUSTED_COMMENT_MAX
	                     : MINISIG_UNTRUSTED_COMMENT_MAX;
	const char *name = trusted ? "trusted comment" : "untrusted comment";
	size_t n, bad;

	if (l->len < plen || memcmp(l->p, prefix, plen) != 0)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "line %zu of the signature must start with "
		                    "\"%s\"; %s",
		                    lineno, prefix, SIG_ADVICE);
	n = l->len - plen;
	if (n > max)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "line %zu of the signature (%s) is %zu bytes, "
		        "over minisign's limit of %zu; %s",
		        lineno, name, n, max, SIG_ADVICE);
	bad = trusted ? trusted_text_check(l->p + plen, n)
	              : untrusted_text_check(l->p + plen, n);
	if (bad < n)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "line %zu of the signature (%s) has a byte "
		        "that is not printable %s (0x%02x at column "
		        "%zu); %s",
		        lineno, name, trusted ? "ASCII" : "UTF-8",
		        (unsigned char)l->p[plen + bad], plen + bad + 1,
		        SIG_ADVICE);
	memcpy(out, l->p + plen, n);
	out[n] = '\0';
	return SH_OK;
}

sh_status minisig_parse(const char *text, size_t len,
                        struct minisig_signature *sig, struct sh_error *e)
{
	struct line lines[4];
	uint8_t blob[SIG_BLOB_BYTES];
	size_t count;
	sh_status rc;

	if (len > MINISIG_TEXT_MAX)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the signature is %zu bytes, longer than any "
		        "minisign signature (%d); %s",
		        len, MINISIG_TEXT_MAX, SIG_ADVICE);
	/* Zero the slack after each comment too, so two parses of one text
	 * compare equal byte for byte. */
	memset(sig, 0, sizeof *sig);
	rc = split_lines(text, len, 4, 0, lines, &count, "signature",
	                 SIG_ADVICE, e);
	if (rc != SH_OK)
		return rc;
	if (count != 4)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the signature is truncated: it has %zu of 4 "
		        "lines; %s",
		        count, SIG_ADVICE);
	rc = parse_comment_line(&lines[0], 1, 0, sig->untrusted_comment, e);
	if (rc != SH_OK)
		return rc;
	rc = b64_exact(&lines[1], blob, sizeof blob, 2, "signature",
	               "signature", SIG_ADVICE, e);
	if (rc != SH_OK)
		return rc;
	rc = parse_comment_line(&lines[2], 3, 1, sig->trusted_comment, e);
	if (rc != SH_OK)
		return rc;
	rc = b64_exact(&lines[3], sig->global_sig, MINISIG_SIG_BYTES, 4,
	               "global signature", "signature", SIG_ADVICE, e);
	if (rc != SH_OK)
		return rc;
	memcpy(sig->alg, blob, ALG_BYTES);
	memcpy(sig->key_id, blob + ALG_BYTES, MINISIG_KEYID_BYTES);
	memcpy(sig->sig, blob + ALG_BYTES + MINISIG_KEYID_BYTES,
	       MINISIG_SIG_BYTES);
	return SH_OK;
}

sh_status minisig_load(const char *path, struct minisig_signature *sig,
                       struct sh_error *e)
{
	char *buf = NULL;
	size_t len = 0;
	sh_status rc;

	rc = fs_read_file(path, MINISIG_TEXT_MAX, &buf, &len, e);
	if (rc == SH_OK)
		rc = minisig_parse(buf, len, sig, e);
	if (rc != SH_OK && rc != SH_ERR_NOTFOUND && rc != SH_ERR_IO)
		sh_error_prefix(e, "signature %s", path);
	free(buf);
	return rc;
}

sh_status minisig_save(const char *path, const struct minisig_signature *sig,
                       struct sh_error *e)
{
	char text[MINISIG_TEXT_SIZE];
	size_t len = 0;
	sh_status rc;

	rc = minisig_format(sig, text, sizeof text, &len, e);
	if (rc != SH_OK)
		return rc;
	return fs_write_atomic(path, text, len, 0644, e);
}

/* ---- verifying -------------------------------------------------------- */

/* The checks that need no file data, so a hopeless verification fails
 * before a large file is read. */
static sh_status verify_precheck(const struct minisig_pubkey *pk,
                                 const struct minisig_signature *sig,
                                 struct sh_error *e)
{
	char want[MINISIG_KEYID_HEX_SIZE], have[MINISIG_KEYID_HEX_SIZE];

	if (memcmp(sig->alg, TAG_ED25519, ALG_BYTES) == 0)
		return sh_error_set(
		        e, SH_ERR_TRUST,
		        "the signature uses minisign's legacy "
		        "algorithm \"Ed\" (Ed25519 over the raw file), "
		        "which needs the whole file in memory to "
		        "check, so skillhost refuses it; re-sign with "
		        "`skillhost sign`, or with minisign 0.11 or "
		        "later without -l (prehashed \"ED\" is its "
		        "default)");
	if (memcmp(sig->alg, TAG_PREHASHED, ALG_BYTES) != 0)
		return sh_error_set(e, SH_ERR_TRUST,
		                    "the signature uses unknown algorithm tag "
		                    "0x%02x%02x (only prehashed \"ED\" is "
		                    "accepted); %s",
		                    sig->alg[0], sig->alg[1], SIG_ADVICE);
	if (memcmp(sig->key_id, pk->key_id, MINISIG_KEYID_BYTES) != 0) {
		minisig_keyid_to_hex(sig->key_id, have);
		minisig_keyid_to_hex(pk->key_id, want);
		return sh_error_set(
		        e, SH_ERR_TRUST,
		        "the signature was made with key %s, but the "
		        "public key is %s; verify with the key that "
		        "made it, if you trust it, or ask the publisher "
		        "to re-sign with key %s",
		        have, want, want);
	}
	return SH_OK;
}

sh_status minisig_verify_digest(const struct minisig_pubkey *pk,
                                const struct minisig_signature *sig,
                                const uint8_t digest[MINISIG_DIGEST_BYTES],
                                struct sh_error *e)
{
	uint8_t msg[MINISIG_SIG_BYTES + MINISIG_TRUSTED_COMMENT_MAX];
	size_t n;
	sh_status rc;

	rc = sodium_ready(e);
	if (rc != SH_OK)
		return rc;
	rc = verify_precheck(pk, sig, e);
	if (rc != SH_OK)
		return rc;
	if (crypto_sign_verify_detached(sig->sig, digest, MINISIG_DIGEST_BYTES,
	                                pk->pk) != 0)
		return sh_error_set(
		        e, SH_ERR_TRUST,
		        "the signature does not match the file: the "
		        "file was changed or damaged, or the signature "
		        "belongs to another file; download both again");
	n = global_message(sig, msg);
	if (crypto_sign_verify_detached(sig->global_sig, msg, n, pk->pk) != 0)
		return sh_error_set(
		        e, SH_ERR_TRUST,
		        "the trusted comment's signature does not "
		        "match: the trusted comment was changed after "
		        "signing; %s",
		        SIG_ADVICE);
	return SH_OK;
}

sh_status minisig_verify_file(const struct minisig_pubkey *pk,
                              const struct minisig_signature *sig,
                              const char *path,
                              uint8_t file_hash[MINISIG_FILE_HASH_BYTES],
                              struct sh_error *e)
{
	uint8_t digest[MINISIG_DIGEST_BYTES];
	sh_status rc;

	if (file_hash)
		memset(file_hash, 0, MINISIG_FILE_HASH_BYTES);
	rc = verify_precheck(pk, sig, e);
	if (rc != SH_OK)
		return rc;
	rc = minisig_hash_file(path, digest, file_hash, NULL, e);
	if (rc == SH_OK)
		rc = minisig_verify_digest(pk, sig, digest, e);
	if (rc != SH_OK && file_hash)
		memset(file_hash, 0, MINISIG_FILE_HASH_BYTES);
	return rc;
}

/* ---- package trusted comment ------------------------------------------ */

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_semver_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* A name part: a lower-case letter or digit, then any of those or extra. */
static int name_part_ok(const char *p, size_t n, const char *extra)
{
	if (n == 0 || !is_lower_alnum(p[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_lower_alnum(p[i]) && !strchr(extra, p[i]))
			return 0;
	return 1;
}

/* "<namespace>/<name>". Starting both parts with a letter or digit keeps
 * "." and ".." out, should a name ever become a path. */
static int pkg_name_ok(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	size_t ns;

	if (n > MINISIG_PKG_NAME_MAX || !slash)
		return 0;
	ns = (size_t)(slash - s);
	return name_part_ok(s, ns, ".-") &&
	       name_part_ok(slash + 1, n - ns - 1, "._-");
}

/* Dot-separated semver identifiers; numeric ones in a pre-release may not
 * have leading zeros, build ones may. */
static int semver_idents_ok(const char *p, size_t n, int prerelease)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		size_t len;
		int numeric = 1;

		if (i < n && p[i] != '.')
			continue;
		len = i - start;
		if (len == 0)
			return 0;
		for (size_t k = start; k < i; k++) {
			if (!is_semver_ident_char(p[k]))
				return 0;
			if (p[k] < '0' || p[k] > '9')
				numeric = 0;
		}
		if (prerelease && numeric && len > 1 && p[start] == '0')
			return 0;
		start = i + 1;
	}
	return 1;
}

/* Semantic Versioning 2.0.0: MAJOR.MINOR.PATCH[-pre][+build]. */
static int semver_ok(const char *v, size_t n)
{
	const char *plus = memchr(v, '+', n);
	size_t core_end = plus ? (size_t)(plus - v) : n;
	const char *dash = memchr(v, '-', core_end);
	size_t num_end = dash ? (size_t)(dash - v) : core_end;
	size_t start = 0, parts = 0;

	if (n > MINISIG_PKG_VERSION_MAX)
		return 0;
	for (size_t i = 0; i <= num_end; i++) {
		size_t len;

		if (i < num_end && v[i] != '.') {
			if (v[i] < '0' || v[i] > '9')
				return 0;
			continue;
		}
		len = i - start;
		if (len == 0 || (len > 1 && v[start] == '0'))
			return 0;
		parts++;
		start = i + 1;
	}
	if (parts != 3)
		return 0;
	if (dash && !semver_idents_ok(dash + 1, core_end - num_end - 1, 1))
		return 0;
	if (plus && !semver_idents_ok(plus + 1, n - core_end - 1, 0))
		return 0;
	return 1;
}

sh_status
minisig_package_comment_format(const struct minisig_package_info *info,
                               char *buf, size_t cap, struct sh_error *e)
{
	char hex[HASH_HEX_LEN + 1];
	size_t name_len = strnlen(info->name, sizeof info->name);
	size_t ver_len = strnlen(info->version, sizeof info->version);
	int n;

	if (name_len == sizeof info->name || !pkg_name_ok(info->name, name_len))
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "package name \"%.*s\" is not "
		        "<namespace>/<name> in lower case (letters, "
		        "digits, '.', '-', and '_' in the name; at most "
		        "%d bytes)",
		        QUOTE_MAX, info->name, MINISIG_PKG_NAME_MAX);
	if (ver_len == sizeof info->version ||
	    !semver_ok(info->version, ver_len))
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "package version \"%.*s\" is not a semantic "
		        "version such as 1.2.3 or 1.2.3-rc.1 (at most "
		        "%d bytes)",
		        QUOTE_MAX, info->version, MINISIG_PKG_VERSION_MAX);
	if (info->timestamp < 0)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "package signing time %" PRId64
		                    " is before 1970",
		                    info->timestamp);
	sodium_bin2hex(hex, sizeof hex, info->blake2b256,
	               MINISIG_FILE_HASH_BYTES);
	n = snprintf(buf, cap,
	             "skillhost-package:1 name:%s version:%s blake2b256:%s "
	             "timestamp:%" PRId64,
	             info->name, info->version, hex, info->timestamp);
	if (n < 0 || (size_t)n >= cap)
		return sh_error_set(
		        e, SH_ERR_NOMEM,
		        "a %zu-byte buffer is too small for the package "
		        "comment",
		        cap);
	return SH_OK;
}

enum pkg_field {
	PKG_FORMAT,
	PKG_NAME,
	PKG_VERSION,
	PKG_HASH,
	PKG_TIMESTAMP,
	PKG_NFIELDS
};

static const char *const pkg_keys[PKG_NFIELDS] = {
        "skillhost-package", "name", "version", "blake2b256", "timestamp"};

static int pkg_key_char_ok(char c)
{
	return is_lower_alnum(c) || c == '_' || c == '.' || c == '-';
}

static int parse_timestamp(const char *p, size_t n, int64_t *out)
{
	int64_t v = 0;

	if (n == 0 || (n > 1 && p[0] == '0'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		if (v > (INT64_MAX - (p[i] - '0')) / 10)
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 1;
}

/* Store one known field's value, checking its syntax. */
static sh_status pkg_field_set(enum pkg_field f, const char *v, size_t n,
                               struct minisig_package_info *info,
                               struct sh_error *e)
{
	int q = (int)(n < QUOTE_MAX ? n : QUOTE_MAX);

	switch (f) {
	case PKG_FORMAT:
		if (n != 1 || v[0] != '1')
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "package comment format "
			        "\"skillhost-package:%.*s\" is not one "
			        "this skillhost reads (it reads 1); "
			        "upgrade skillhost",
			        q, v);
		return SH_OK;
	case PKG_NAME:
		if (!pkg_name_ok(v, n))
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "package comment field name:%.*s is not "
			        "a valid <namespace>/<name>; %s",
			        q, v, COMMENT_ADVICE);
		memcpy(info->name, v, n);
		info->name[n] = '\0';
		return SH_OK;
	case PKG_VERSION:
		if (!semver_ok(v, n))
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "package comment field version:%.*s is "
			        "not a semantic version; %s",
			        q, v, COMMENT_ADVICE);
		memcpy(info->version, v, n);
		info->version[n] = '\0';
		return SH_OK;
	case PKG_HASH:
		for (size_t i = 0; i < n; i++)
			if (!((v[i] >= '0' && v[i] <= '9') ||
			      (v[i] >= 'a' && v[i] <= 'f')))
				n = 0; /* reported below */
		if (n != HASH_HEX_LEN ||
		    sodium_hex2bin(info->blake2b256, MINISIG_FILE_HASH_BYTES, v,
		                   n, NULL, NULL, NULL) != 0)
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "package comment field blake2b256 is not "
			        "64 lower-case hex digits; %s",
			        COMMENT_ADVICE);
		return SH_OK;
	case PKG_TIMESTAMP:
		if (!parse_timestamp(v, n, &info->timestamp))
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "package comment field timestamp:%.*s "
			        "is not a number of seconds; %s",
			        q, v, COMMENT_ADVICE);
		return SH_OK;
	case PKG_NFIELDS: break;
	}
	return sh_error_set(e, SH_ERR_FAIL, "unknown package comment field");
}

/* Whether any blank-separated token starts with "skillhost-package:", so a
 * comment from another tool is reported as such rather than by the first
 * token that happens not to fit the format. */
static int has_format_field(const char *s, size_t len)
{
	static const char key[] = "skillhost-package:";
	size_t pos = 0;

	while (pos < len) {
		size_t start;

		while (pos < len && (s[pos] == ' ' || s[pos] == '\t'))
			pos++;
		start = pos;
		while (pos < len && s[pos] != ' ' && s[pos] != '\t')
			pos++;
		if (pos - start >= sizeof key - 1 &&
		    memcmp(s + start, key, sizeof key - 1) == 0)
			return 1;
	}
	return 0;
}

sh_status minisig_package_comment_parse(const char *comment,
                                        struct minisig_package_info *info,
                                        struct sh_error *e)
{
	int seen[PKG_NFIELDS] = {0};
	size_t len = strnlen(comment, MINISIG_TRUSTED_COMMENT_MAX + 1);
	size_t bad, pos = 0;
	sh_status rc;

	memset(info, 0, sizeof *info);
	info->timestamp = -1;
	if (len > MINISIG_TRUSTED_COMMENT_MAX)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the package comment is longer than a trusted "
		        "comment can be; %s",
		        COMMENT_ADVICE);
	/* Everything quoted back below is then safe to print. */
	bad = trusted_text_check(comment, len);
	if (bad < len)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "the package comment has a non-printable byte "
		        "0x%02x at offset %zu; %s",
		        (unsigned char)comment[bad], bad, COMMENT_ADVICE);
	if (!has_format_field(comment, len))
		goto not_package;
	for (;;) {
		const char *tok, *colon;
		size_t tlen, klen;
		int f;

		while (pos < len &&
		       (comment[pos] == ' ' || comment[pos] == '\t'))
			pos++;
		if (pos == len)
			break;
		tok = comment + pos;
		while (pos < len && comment[pos] != ' ' && comment[pos] != '\t')
			pos++;
		tlen = (size_t)(comment + pos - tok);
		colon = memchr(tok, ':', tlen);
		klen = colon ? (size_t)(colon - tok) : 0;
		if (!colon || klen == 0 || klen == tlen - 1)
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "package comment field \"%.*s\" is not "
			        "key:value; %s",
			        (int)(tlen < QUOTE_MAX ? tlen : QUOTE_MAX), tok,
			        COMMENT_ADVICE);
		for (size_t i = 0; i < klen; i++)
			if (!pkg_key_char_ok(tok[i]))
				return sh_error_set(
				        e, SH_ERR_INVALID,
				        "package comment field key "
				        "\"%.*s\" has characters other "
				        "than a-z 0-9 _ . -; %s",
				        (int)(klen < QUOTE_MAX ? klen
				                               : QUOTE_MAX),
				        tok, COMMENT_ADVICE);
		for (f = 0; f < PKG_NFIELDS; f++)
			if (strlen(pkg_keys[f]) == klen &&
			    memcmp(pkg_keys[f], tok, klen) == 0)
				break;
		if (f == PKG_NFIELDS)
			continue; /* a later format's field: ignored by design
			           */
		if (seen[f])
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "package comment field %s appears more "
			        "than once; %s",
			        pkg_keys[f], COMMENT_ADVICE);
		seen[f] = 1;
		rc = pkg_field_set((enum pkg_field)f, colon + 1,
		                   tlen - klen - 1, info, e);
		if (rc != SH_OK)
			return rc;
	}
	for (int f = PKG_NAME; f <= PKG_HASH; f++)
		if (!seen[f])
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "the package comment has no %s field; %s",
			        pkg_keys[f], COMMENT_ADVICE);
	return SH_OK;
not_package:
	return sh_error_set(e, SH_ERR_INVALID,
	                    "the trusted comment is not a skillhost package "
	                    "comment (no skillhost-package:1 field), so it "
	                    "does not say which package it signs; %s",
	                    COMMENT_ADVICE);
}
