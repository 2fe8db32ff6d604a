/* clang-format off */
/*
 * minisig.h - publisher keys and detached signatures in minisign's format.
 *
 * Every byte a package carries is checked against a detached `<file>.minisig`
 * that real minisign (0.11 and 0.12) writes and reads unchanged. The layouts
 * (minisign's own, from its source and documentation) are:
 *
 *   public key   "untrusted comment: minisign public key <ID>\n"
 *                base64("Ed" || key_id[8] || ed25519_pk[32]) "\n"
 *   secret key   "untrusted comment: ...\n"
 *                base64("Ed" || kdf[2] || "B2" || salt[32] || opslimit[8] ||
 *                       memlimit[8] || key_id[8] || sk[64] || chk[32]) "\n"
 *   signature    "untrusted comment: <text>\n"
 *                base64("ED" || key_id[8] || Ed25519(BLAKE2b-512(file))) "\n"
 *                "trusted comment: <text>\n"
 *                base64(Ed25519(sig[64] || trusted comment bytes)) "\n"
 *
 * Only the prehashed algorithm "ED" is produced and accepted. The legacy
 * "Ed" form signs the raw file, so checking it needs the whole file in
 * memory; it is refused with a message saying how to re-sign.
 *
 * Statuses used throughout:
 *   SH_ERR_INVALID  a key, signature or comment is malformed (the message
 *                   names the line and field);
 *   SH_ERR_TRUST    a well-formed signature does not verify;
 *   SH_ERR_USAGE    bad arguments (a bad comment to sign, an existing file
 *                   without force, a missing password);
 *   SH_ERR_DENIED   a wrong password for an encrypted secret key;
 *   SH_ERR_NOTFOUND a named file does not exist;
 *   SH_ERR_IO       reading or writing failed;
 *   SH_ERR_NOMEM    out of memory, or a file over its size cap.
 *
 * All functions are safe to call from several threads at once; none keeps
 * state between calls.
 *
 * ---------------------------------------------------------------------------
 * The package trusted comment, format version 1
 * ---------------------------------------------------------------------------
 * minisign never interprets the trusted comment, but it is covered by the
 * global signature. skillhost puts the package identity in it, so that a
 * valid signature for another package, another version or another file is
 * refused. A package signature's trusted comment is one line of printable
 * ASCII:
 *
 *   skillhost-package:1 name:<ns/name> version:<semver> blake2b256:<hex> timestamp:<unix>
 *
 *   skillhost-package  format version; this host understands 1. A comment
 *                      with another value is refused (upgrade skillhost).
 *   name               the package name, "<namespace>/<name>": namespace is
 *                      [a-z0-9][a-z0-9.-]*, name is [a-z0-9][a-z0-9._-]*,
 *                      at most 128 bytes in all.
 *   version            a Semantic Versioning 2.0.0 version (no leading "v",
 *                      no leading zeros, optional -prerelease and +build),
 *                      at most 64 bytes.
 *   blake2b256         64 lower-case hex digits: the unkeyed BLAKE2b-256 of
 *                      the whole .skill file (the same bytes the signature
 *                      covers through BLAKE2b-512).
 *   timestamp          signing time, decimal unix seconds (informational).
 *
 * Writers emit exactly the line above: single spaces, this key order, all
 * five fields. Readers accept fields in any order, separated by one or more
 * spaces or tabs, and require skillhost-package, name, version and
 * blake2b256; timestamp is optional. Every field is `key:value` with a key of
 * [a-z0-9_.-] characters and a non-empty value without blanks; fields with
 * keys a reader does not know are ignored, so later writers may add fields
 * without a format bump. A known key given twice, a field without ':' or a
 * value with the wrong syntax makes the whole comment invalid.
 *
 * Example (for an empty file, whose BLAKE2b-256 is 0e5751c0...):
 *   skillhost-package:1 name:skillhost/jira version:1.4.0-rc.1 blake2b256:0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8 timestamp:1767225600
 *
 * The host checks name and version against what it expected to install
 * (from the index or the command line). blake2b256 is how a registry index
 * names the file: a download is checked against the index's hash as it
 * streams, and the comment's hash must equal the index's. A local
 * `skillhost verify` or install does not recompute it: once the signature
 * verifies, the file is exactly the one signed (BLAKE2b-512 covers every
 * byte), and the comment is signed together with that signature, so other
 * bytes, another package's signature or an edited comment are all refused
 * without a second hash (which would double the cost of every check).
 */
/* clang-format on */
#ifndef SH_MINISIG_H
#define SH_MINISIG_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "status.h"

#define MINISIG_KEYID_BYTES     8
#define MINISIG_PUBKEY_BYTES    32 /* Ed25519 public key */
#define MINISIG_SECKEY_BYTES    64 /* libsodium secret key: seed || pk */
#define MINISIG_SIG_BYTES       64 /* Ed25519 signature */
#define MINISIG_DIGEST_BYTES    64 /* BLAKE2b-512 of the file: what ED signs */
#define MINISIG_FILE_HASH_BYTES 32 /* BLAKE2b-256 of the file: in comments */

/* 16 hex digits and a NUL. */
#define MINISIG_KEYID_HEX_SIZE 17
/* The bare public key line (what `minisign -P` takes): 56 chars and a NUL. */
#define MINISIG_PUBKEY_B64_SIZE 57

/* minisign reads comment lines into 1024- and 8192-byte buffers, so these
 * are the longest comments both versions of minisign accept. */
#define MINISIG_UNTRUSTED_COMMENT_MAX 1003
#define MINISIG_TRUSTED_COMMENT_MAX   8173

/* The longest .minisig text (four full lines, each ending in LF), and a
 * buffer size that holds it with its NUL. */
#define MINISIG_TEXT_MAX                                                       \
	(19 + MINISIG_UNTRUSTED_COMMENT_MAX + 1 + 100 + 1 + 17 +               \
	 MINISIG_TRUSTED_COMMENT_MAX + 1 + 88 + 1)
#define MINISIG_TEXT_SIZE (MINISIG_TEXT_MAX + 1)
/* The longest public key file text, and a buffer size for it. */
#define MINISIG_PUBKEY_TEXT_MAX                                                \
	(19 + MINISIG_UNTRUSTED_COMMENT_MAX + 1 + 56 + 1)
#define MINISIG_PUBKEY_TEXT_SIZE (MINISIG_PUBKEY_TEXT_MAX + 1)

/* Package trusted comment limits, and a buffer size for a formatted one. */
#define MINISIG_PKG_NAME_MAX     128
#define MINISIG_PKG_VERSION_MAX  64
#define MINISIG_PKG_COMMENT_SIZE 512

/* The two signature algorithm tags. Only PREHASHED verifies. */
#define MINISIG_ALG_PREHASHED "ED"
#define MINISIG_ALG_LEGACY    "Ed"

/* A public key. Plain data: copy it freely. */
struct minisig_pubkey {
	uint8_t key_id[MINISIG_KEYID_BYTES];
	uint8_t pk[MINISIG_PUBKEY_BYTES];
};

/*
 * A secret key. Only ever obtained from minisig_keygen, minisig_seckey_parse
 * or minisig_seckey_load, which place it in sodium_malloc'd memory (guard
 * pages, excluded from core dumps, locked when the system allows); release
 * it with minisig_seckey_free, which wipes it. Never copy it by value.
 */
struct minisig_seckey {
	uint8_t key_id[MINISIG_KEYID_BYTES];
	uint8_t sk[MINISIG_SECKEY_BYTES];
};

/* A parsed .minisig. Plain data (about 9.3 KB): copy it freely. Both
 * comments are NUL-terminated and, after minisig_parse, printable. */
struct minisig_signature {
	uint8_t alg[2]; /* "ED", or "Ed" (refused) */
	uint8_t key_id[MINISIG_KEYID_BYTES];
	uint8_t sig[MINISIG_SIG_BYTES];        /* over BLAKE2b-512(file) */
	uint8_t global_sig[MINISIG_SIG_BYTES]; /* over sig || trusted comment */
	char untrusted_comment[MINISIG_UNTRUSTED_COMMENT_MAX + 1];
	char trusted_comment[MINISIG_TRUSTED_COMMENT_MAX + 1];
};

/* The identity a package signature binds (see the format above). */
struct minisig_package_info {
	char name[MINISIG_PKG_NAME_MAX + 1];
	char version[MINISIG_PKG_VERSION_MAX + 1];
	uint8_t blake2b256[MINISIG_FILE_HASH_BYTES];
	int64_t timestamp; /* unix seconds; -1 when a parsed comment has none */
};

/*
 * Streaming hash state: BLAKE2b-512 (for the signature) and optionally
 * BLAKE2b-256 (for the package comment) over the same bytes, for callers
 * that see the data in pieces, e.g. during a download. libsodium wants the
 * states 64-byte aligned: keep a hasher on the stack, in static storage, or
 * in aligned_alloc(64, ...) memory, not in plain malloc'd memory.
 */
struct minisig_hasher {
	crypto_generichash_state h512;
	crypto_generichash_state h256;
	uint64_t bytes; /* bytes hashed so far */
	int with_file_hash;
};

/* ---- key ids ---------------------------------------------------------- */

/*
 * Write key_id as the 16 upper-case hex digits users see (the key id read
 * as a little-endian u64, printed "%016" PRIX64: the same digits minisign
 * 0.12 prints and puts in public key comments) into out, NUL-terminated.
 * Cannot fail.
 */
void minisig_keyid_to_hex(const uint8_t key_id[MINISIG_KEYID_BYTES],
                          char out[MINISIG_KEYID_HEX_SIZE]);

/*
 * Parse exactly 16 hex digits (either case, nothing else) into key_id.
 * SH_ERR_INVALID otherwise; key_id is then untouched.
 */
sh_status minisig_keyid_from_hex(const char *hex,
                                 uint8_t key_id[MINISIG_KEYID_BYTES],
                                 struct sh_error *e);

/* ---- keys ------------------------------------------------------------- */

/*
 * Make a new key pair with a random key id. *sk receives a new secret key
 * the caller frees with minisig_seckey_free; pk is filled in. On failure
 * *sk is NULL (SH_ERR_NOMEM, or SH_ERR_FAIL if libsodium cannot start).
 */
sh_status minisig_keygen(struct minisig_seckey **sk, struct minisig_pubkey *pk,
                         struct sh_error *e);

/* Wipe and release a secret key. NULL is fine. */
void minisig_seckey_free(struct minisig_seckey *sk);

/* Fill pk with the public half of sk. Cannot fail. */
void minisig_seckey_public(const struct minisig_seckey *sk,
                           struct minisig_pubkey *pk);

/*
 * Write the bare public key line (56 base64 characters, no LF: what
 * `minisign -P` and the trust store take) into out. Cannot fail.
 */
void minisig_pubkey_to_base64(const struct minisig_pubkey *pk,
                              char out[MINISIG_PUBKEY_B64_SIZE]);

/*
 * Write the two-line public key file text into buf (cap bytes, at least
 * MINISIG_PUBKEY_TEXT_SIZE is always enough), NUL-terminated, and its
 * length without the NUL into *len (len may be NULL). The first line is
 * "untrusted comment: minisign public key <16 hex digits>". SH_ERR_NOMEM if
 * cap is too small.
 */
sh_status minisig_pubkey_format(const struct minisig_pubkey *pk, char *buf,
                                size_t cap, size_t *len, struct sh_error *e);

/*
 * Parse a public key from text of len bytes (it need not be NUL-terminated):
 * either the two-line file form (first line "untrusted comment: ...") or
 * the bare base64 line, each with or without a final LF (a CRLF ending is
 * tolerated in key text). The key must be minisign's "Ed" type.
 * SH_ERR_INVALID with the reason otherwise; pk is then unspecified.
 */
sh_status minisig_pubkey_parse(const char *text, size_t len,
                               struct minisig_pubkey *pk, struct sh_error *e);

/* minisig_pubkey_parse on the contents of the file at path. Messages start
 * with the path. */
sh_status minisig_pubkey_load(const char *path, struct minisig_pubkey *pk,
                              struct sh_error *e);

/*
 * Write pk's two-line file to path atomically with mode 0644. Unless force,
 * an existing path is left alone and SH_ERR_USAGE returned; the check and
 * the creation are one atomic step (a hard link), so two writers racing for
 * one path cannot both succeed.
 */
sh_status minisig_pubkey_save(const char *path, const struct minisig_pubkey *pk,
                              int force, struct sh_error *e);

/*
 * Write sk as an unencrypted minisign secret key file (kdf 00 00, chk "B2",
 * checksum = BLAKE2b-256("Ed" || key_id || sk)) to path atomically with
 * mode 0600. Same force rule as minisig_pubkey_save. minisign -S reads the
 * result (it treats it like a `minisign -G -W` key).
 */
sh_status minisig_seckey_save(const char *path, const struct minisig_seckey *sk,
                              int force, struct sh_error *e);

/* The scrypt limits minisign -G encrypts with (libsodium's "sensitive":
 * 1 GiB of memory, seconds of CPU); keys written with them read the same in
 * minisign and here. */
#define MINISIG_SCRYPT_OPSLIMIT                                                \
	((uint64_t)crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE)
#define MINISIG_SCRYPT_MEMLIMIT                                                \
	((size_t)crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE)

/*
 * Write sk encrypted with password (NUL-terminated, may be empty, not
 * NULL) in minisign's own format: kdf "Sc", a random salt, the limits
 * stored in the key, and key id || key || checksum XORed with
 * scrypt(password, salt, opslimit, memlimit). `minisign -S` and
 * minisig_seckey_load read it with the password. Pass MINISIG_SCRYPT_*;
 * lower limits make a weaker key (tests use them for speed), higher ones
 * than minisign's are refused (SH_ERR_USAGE) since nothing could read the
 * key back. Mode 0600 and the force rule as minisig_seckey_save.
 */
sh_status minisig_seckey_save_encrypted(const char *path,
                                        const struct minisig_seckey *sk,
                                        const char *password, uint64_t opslimit,
                                        size_t memlimit, int force,
                                        struct sh_error *e);

/*
 * Parse a secret key from text of len bytes (two lines, optional final LF).
 * Unencrypted keys (kdf 00 00) need no password; their checksum may be all
 * zeros (minisign -G -W writes it so) and otherwise must match. Encrypted
 * keys (kdf "Sc") are decrypted with password (NUL-terminated, any length,
 * may be empty) by scrypt with the limits stored in the key, capped at what
 * minisign itself uses (1 GiB of memory: this takes seconds, by design);
 * a checksum mismatch after decryption is SH_ERR_DENIED ("wrong password"),
 * a NULL password for an encrypted key SH_ERR_USAGE. The key's public half
 * must match its seed, or it is SH_ERR_INVALID (a damaged key would make
 * signatures nobody can verify). On success *sk is a new secret key for
 * minisig_seckey_free; on failure it is NULL. The caller keeps ownership of
 * text and password and should wipe them.
 */
sh_status minisig_seckey_parse(const char *text, size_t len,
                               const char *password, struct minisig_seckey **sk,
                               struct sh_error *e);

/* minisig_seckey_parse on the contents of the file at path (read buffer
 * wiped afterwards). Messages start with the path. */
sh_status minisig_seckey_load(const char *path, const char *password,
                              struct minisig_seckey **sk, struct sh_error *e);

/*
 * Set *encrypted to 1 when the secret key file at path is password-
 * protected, 0 when not, so a caller asks for a password only when one is
 * needed. Errors as minisig_seckey_load (the key is checked for form only).
 */
sh_status minisig_seckey_needs_password(const char *path, int *encrypted,
                                        struct sh_error *e);

/* ---- hashing ---------------------------------------------------------- */

/*
 * Start a hasher. with_file_hash also computes BLAKE2b-256 (about doubling
 * the cost); otherwise only the BLAKE2b-512 signature digest is kept.
 * SH_ERR_FAIL if libsodium cannot start.
 */
sh_status minisig_hasher_init(struct minisig_hasher *h, int with_file_hash,
                              struct sh_error *e);

/* Feed len bytes. Cannot fail. */
void minisig_hasher_update(struct minisig_hasher *h, const void *data,
                           size_t len);

/*
 * Finish: digest receives BLAKE2b-512 and file_hash (may be NULL)
 * BLAKE2b-256; if the hasher was started without with_file_hash, file_hash
 * is zero-filled, which matches no real hash. The hasher is then spent;
 * init it again to reuse it.
 */
void minisig_hasher_final(struct minisig_hasher *h,
                          uint8_t digest[MINISIG_DIGEST_BYTES],
                          uint8_t file_hash[MINISIG_FILE_HASH_BYTES]);

/*
 * Hash the file at path in one streaming pass of large sequential reads:
 * BLAKE2b-512 into digest (always) and BLAKE2b-256 into file_hash (only if
 * not NULL). *size (may be NULL) receives the byte count.
 * Without file_hash (checking a signature), the calling thread reads and
 * hashes alone with the faster BLAKE2b-512 on this machine (b2fast.h): a
 * second thread would only compete for the cores. With file_hash
 * (signing), for regular files of 4 MiB and more a helper thread reads
 * ahead and BLAKE2b-256 runs on a thread of its own, so on two cores the
 * pair costs about one hash's time; the threads are joined before return,
 * and if none can be started the file is hashed on the calling thread.
 * SH_ERR_NOTFOUND, SH_ERR_IO, SH_ERR_FAIL (a hash library failed).
 */
sh_status minisig_hash_file(const char *path,
                            uint8_t digest[MINISIG_DIGEST_BYTES],
                            uint8_t file_hash[MINISIG_FILE_HASH_BYTES],
                            uint64_t *size, struct sh_error *e);

/* minisig_hash_file from fd's current offset to its end. fd stays open and
 * owned by the caller; name is only used in messages. */
sh_status minisig_hash_fd(int fd, const char *name,
                          uint8_t digest[MINISIG_DIGEST_BYTES],
                          uint8_t file_hash[MINISIG_FILE_HASH_BYTES],
                          uint64_t *size, struct sh_error *e);

/* ---- signing ---------------------------------------------------------- */

/*
 * Sign a BLAKE2b-512 digest (prehashed "ED": plain Ed25519 over the 64
 * digest bytes, not Ed25519ph) and the trusted comment, filling sig.
 * trusted_comment is required: printable ASCII and tab only, at most
 * MINISIG_TRUSTED_COMMENT_MAX bytes (for packages, make it with
 * minisig_package_comment_format). untrusted_comment may be NULL for
 * "signature from skillhost secret key <ID>"; otherwise printable text
 * (UTF-8 allowed, no control characters but tab), at most
 * MINISIG_UNTRUSTED_COMMENT_MAX bytes. A bad comment is SH_ERR_USAGE.
 */
sh_status minisig_sign_digest(const struct minisig_seckey *sk,
                              const uint8_t digest[MINISIG_DIGEST_BYTES],
                              const char *trusted_comment,
                              const char *untrusted_comment,
                              struct minisig_signature *sig,
                              struct sh_error *e);

/* minisig_hash_file then minisig_sign_digest. */
sh_status minisig_sign_file(const struct minisig_seckey *sk, const char *path,
                            const char *trusted_comment,
                            const char *untrusted_comment,
                            struct minisig_signature *sig, struct sh_error *e);

/* ---- signature text --------------------------------------------------- */

/*
 * Write sig as the four-line .minisig text (LF endings, final LF) into buf
 * (cap bytes; MINISIG_TEXT_SIZE is always enough), NUL-terminated, length
 * without the NUL in *len (may be NULL). The comments are checked as in
 * minisig_parse (SH_ERR_INVALID), so only text minisig_parse and minisign
 * accept is ever written. SH_ERR_NOMEM if cap is too small.
 */
sh_status minisig_format(const struct minisig_signature *sig, char *buf,
                         size_t cap, size_t *len, struct sh_error *e);

/*
 * Parse .minisig text of len bytes (need not be NUL-terminated) strictly:
 * exactly four lines (the final LF may be missing; no CR, no NUL, nothing
 * after line 4), "untrusted comment: " and "trusted comment: " prefixes,
 * canonical base64 of exactly 74 and 64 bytes, comments within the limits
 * above, the trusted one printable ASCII and tab only, the untrusted one
 * printable UTF-8. Any algorithm tag is accepted here and judged by the
 * verify functions. SH_ERR_INVALID naming the line and field otherwise;
 * sig is then unspecified.
 */
sh_status minisig_parse(const char *text, size_t len,
                        struct minisig_signature *sig, struct sh_error *e);

/* minisig_parse on the file at path (a missing file is SH_ERR_NOTFOUND, one
 * over MINISIG_TEXT_MAX bytes SH_ERR_NOMEM). Messages start with path. */
sh_status minisig_load(const char *path, struct minisig_signature *sig,
                       struct sh_error *e);

/* minisig_format, written atomically to path with mode 0644, replacing any
 * previous signature there. */
sh_status minisig_save(const char *path, const struct minisig_signature *sig,
                       struct sh_error *e);

/* ---- verifying -------------------------------------------------------- */

/*
 * Verify sig against pk for a file whose BLAKE2b-512 the caller computed
 * (with minisig_hasher while streaming, or minisig_hash_file), in
 * minisign's order: the algorithm must be "ED" (the legacy "Ed" and unknown
 * tags are refused, saying why), the key ids must match (the message shows
 * both), then the file signature over the digest, then the global signature
 * over sig || trusted comment. Every refusal is SH_ERR_TRUST. Success means
 * the trusted comment is the publisher's; its meaning is still the
 * caller's to check (minisig_package_comment_parse).
 */
sh_status minisig_verify_digest(const struct minisig_pubkey *pk,
                                const struct minisig_signature *sig,
                                const uint8_t digest[MINISIG_DIGEST_BYTES],
                                struct sh_error *e);

/*
 * Verify the file at path: the algorithm and key id are checked before the
 * file is read, then as minisig_verify_digest. If file_hash is not NULL it
 * receives the file's BLAKE2b-256 from the same pass (zeroed on failure),
 * at about twice the CPU; pass NULL unless the hash itself is needed (a
 * publisher checking what it will list), as the signature already binds
 * the comment to these bytes.
 * SH_ERR_TRUST for a bad signature; SH_ERR_NOTFOUND/SH_ERR_IO for the file.
 */
sh_status minisig_verify_file(const struct minisig_pubkey *pk,
                              const struct minisig_signature *sig,
                              const char *path,
                              uint8_t file_hash[MINISIG_FILE_HASH_BYTES],
                              struct sh_error *e);

/* ---- package trusted comment ------------------------------------------ */

/*
 * Write info as a version-1 package comment (the exact writer form above)
 * into buf (cap bytes; MINISIG_PKG_COMMENT_SIZE is always enough),
 * NUL-terminated. Name and version are checked as a reader would, and the
 * timestamp must be >= 0: SH_ERR_USAGE otherwise, SH_ERR_NOMEM if cap is
 * too small.
 */
sh_status
minisig_package_comment_format(const struct minisig_package_info *info,
                               char *buf, size_t cap, struct sh_error *e);

/*
 * Parse a trusted comment (NUL-terminated, e.g. sig->trusted_comment of a
 * verified signature) as a package comment into info. SH_ERR_INVALID naming
 * the field when it is not a valid version-1 package comment. The caller
 * still has to compare info's name, version and blake2b256 with what it
 * expected.
 */
sh_status minisig_package_comment_parse(const char *comment,
                                        struct minisig_package_info *info,
                                        struct sh_error *e);

#endif /* SH_MINISIG_H */
