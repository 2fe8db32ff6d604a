/*
 * auditchain.h - the hash chain and seals of the audit log (audit.h
 * describes the format): computing chain hashes and verifying files.
 *
 * A line's chain hash is BLAKE2b-256 of its bytes without the newline. The
 * next line ends in ,"prev":"<that hash in hex>"}. Verification reads each
 * file whole (files are capped by rotation) and stops at the first fault,
 * naming the file, the 1-based line and why.
 *
 * All functions are [thread-safe] and keep no state.
 */
#ifndef SH_AUDITCHAIN_H
#define SH_AUDITCHAIN_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "status.h"

#define AUDITCHAIN_HASH_BYTES 32

/* The log's files (audit.h). */
#define AUDIT_DIR               "logs"
#define AUDIT_FILE              "audit.jsonl"
#define AUDIT_MAX_BYTES_DEFAULT (16ull * 1024 * 1024)
#define AUDIT_KEEP              5
#define AUDIT_SEAL_EXT          ".seal"
#define AUDIT_KEY_FILE          "audit.key"
#define AUDIT_PUB_FILE          "audit.pub"
/* The trusted comment of a seal starts with this, then "last:<hex>". */
#define AUDIT_SEAL_TAG "skillhost-audit-seal:1"
/* The "prev" of the first record ever written. */
#define AUDIT_GENESIS                                                          \
	"0000000000000000000000000000000000000000000000000000000000000000"
/* Hex of a chain hash (BLAKE2b-256) with its NUL. */
#define AUDIT_HASH_HEX 65

struct minisig_pubkey;

/* Lower-case hex of a chain hash into out (65 bytes). Cannot fail. */
void auditchain_hex(const uint8_t h[AUDITCHAIN_HASH_BYTES], char out[65]);

/* The chain hash of one line (len bytes, without its newline). */
void auditchain_hash(const char *line, size_t len,
                     uint8_t out[AUDITCHAIN_HASH_BYTES]);

/* The chain hash of the last line of the file open at fd, size bytes long
 * (a cut last line, with no newline, is hashed as it is). SH_ERR_IO if it
 * cannot be read; SH_ERR_INVALID if its last line is longer than a record
 * can be. */
sh_status auditchain_tail_fd(int fd, off_t size,
                             uint8_t out[AUDITCHAIN_HASH_BYTES],
                             struct sh_error *e);

/* Where verification stopped, and what it covered. */
struct auditchain_result {
	char file[PATH_MAX]; /* the bad file, or "" */
	unsigned long line;  /* its bad line (1-based), 0 for the file */
	char why[256];       /* the fault, or "" */
	unsigned long records, files, seals;
};

/*
 * Verify files (n of them, oldest first) as one chain: every line complete
 * (ends in a newline), a JSON object ending in a well-formed "prev" equal
 * to the previous line's chain hash, across files too. The first file's
 * first "prev" must be the genesis value when anchored, else it is taken
 * as is (the files before it were rotated away). Every file not named
 * audit.jsonl (the live one) must have a <file>.seal, and any seal present
 * must verify against pk (NULL: none can) and name the file's last chain
 * hash.
 *
 * SH_OK when all is well; SH_ERR_TRUST when a fault was found (res says
 * where; e too, as "FILE:LINE: why"); SH_ERR_NOTFOUND/SH_ERR_IO/
 * SH_ERR_NOMEM when a file cannot be read. res is always filled.
 */
sh_status auditchain_verify(const char *const *files, size_t n, int anchored,
                            const struct minisig_pubkey *pk,
                            struct auditchain_result *res, struct sh_error *e);

/*
 * The audit files under home/logs that exist, oldest first (the rotated
 * audit.jsonl.N down to .1, then audit.jsonl), in *files (n of them; free
 * with auditchain_files_free). *anchored says whether the oldest one must
 * start the chain: true unless the oldest rotation slot is taken (then
 * older files may have been dropped by rotation). SH_ERR_NOMEM only.
 */
sh_status auditchain_files(const char *home, char ***files, size_t *n,
                           int *anchored, struct sh_error *e);
void auditchain_files_free(char **files, size_t n);

#endif /* SH_AUDITCHAIN_H */
