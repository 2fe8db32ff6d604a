/*
 * package.h - .skill archives: reproducible packing and safe extraction.
 *
 * A package is a gzip-compressed ustar archive holding manifest.json (first)
 * and the files it lists, sorted by path, with fixed times (0, or
 * $SOURCE_DATE_EPOCH), owners (0:0, no names) and modes (0644), and no
 * directory entries: the same input always gives byte-identical output.
 *
 * Extraction trusts nothing in the archive: it is meant to run only after
 * the package's signature was verified, and still accepts only regular
 * files at safe relative paths (no links, devices, FIFOs, "..", absolute
 * paths or duplicates), caps entries, bytes and the compression ratio on
 * the bytes actually written, and checks every file against the packaged
 * manifest's sizes and BLAKE2b-256 hashes, with no file missing or extra.
 */
#ifndef SH_PACKAGE_H
#define SH_PACKAGE_H

#include <stdint.h>

#include "manifest.h"
#include "minisig.h"
#include "status.h"

#define PACKAGE_MAX_BYTES   (1024ull * 1024 * 1024) /* the .skill file */
#define PACKAGE_MAX_ENTRIES (MANIFEST_MAX_FILES + 1)
#define PACKAGE_MAX_TOTAL   (2048ull * 1024 * 1024) /* bytes extracted */
#define PACKAGE_MAX_RATIO   100 /* extracted bytes per compressed byte */
#define PACKAGE_RATIO_SLACK                                                    \
	((size_t)1024 * 1024) /* small packages compress well */

/*
 * Hash the rest of the open file fd (named name in messages) with the
 * manifest's file hash (BLAKE2b-256), so what packing records and what the
 * store re-checks after install are computed by one piece of code. *size is
 * the byte count read. A read failure is SH_ERR_IO naming the file.
 */
sh_status package_hash_fd(int fd, const char *name, uint64_t *size,
                          uint8_t out[MANIFEST_HASH_BYTES], struct sh_error *e);

/*
 * Copy the package open at in to the file open at out while hashing it for
 * its signature (BLAKE2b-512 into digest, and BLAKE2b-256 into file_hash
 * unless it is NULL: the second hash doubles the CPU cost, so pass NULL
 * when only the signature is checked), so the bytes verified are exactly
 * the bytes kept; then fsync out. shown names the package and out_name the copy
 * in messages. Refuses, with SH_ERR_INVALID, a package over PACKAGE_MAX_BYTES
 * (what is copied so far stays in out: the caller removes its half-written
 * copy). *size is the byte count copied.
 */
sh_status package_copy_hashed(int in, int out, const char *shown,
                              const char *out_name,
                              uint8_t digest[MINISIG_DIGEST_BYTES],
                              uint8_t file_hash[MINISIG_FILE_HASH_BYTES],
                              uint64_t *size, struct sh_error *e);

/*
 * Pack dir (holding a source manifest.json and the files it names: every
 * platform library plus "include", and every file of each Agent Skill in
 * skills/<name>/, whose SKILL.md is validated) into out_path, written
 * atomically. publisher (16 hex digits, may be NULL) is recorded in the
 * packaged manifest. *packaged (may be NULL) receives the packaged manifest.
 */
sh_status package_pack(const char *dir, const char *out_path,
                       const char *publisher, struct manifest **packaged,
                       struct sh_error *e);

/*
 * Pack a plain Agent Skill folder (SKILL.md at its root, no manifest.json)
 * into out_path: the manifest is generated, named ns/<the skill's name>
 * with version, the skill's description and license, and every file goes
 * to skills/<name>/ in the package. Front matter errors are SH_ERR_INVALID
 * naming file, field and rule; a bad ns or version SH_ERR_USAGE.
 */
sh_status package_pack_agentskill(const char *dir, const char *ns,
                                  const char *version, const char *publisher,
                                  const char *out_path,
                                  struct manifest **packaged,
                                  struct sh_error *e);

/*
 * Extract the package at path into dest, which must not exist (it is
 * created 0755). On any refusal dest is removed again and the error says
 * what was wrong with the package. *m (may be NULL) receives the packaged
 * manifest, checked against every extracted byte.
 */
sh_status package_extract(const char *path, const char *dest,
                          struct manifest **m, struct sh_error *e);

/* The caps extraction enforces; package_extract uses the PACKAGE_MAX_*
 * values. Tests use smaller ones to exercise each cap. */
struct package_limits {
	uint64_t max_total; /* bytes written, all entries together */
	unsigned max_ratio; /* bytes written per byte of package */
	size_t max_entries;
};

/* lim NULL means the defaults; shown (may be NULL) is the name messages
 * use for the package instead of path. */
sh_status package_extract_limited(const char *path, const char *dest,
                                  const struct package_limits *lim,
                                  const char *shown, struct manifest **m,
                                  struct sh_error *e);

/* Read only the packaged manifest of a package (for signing and `info` of
 * a file). The same entry and size checks apply. */
sh_status package_read_manifest(const char *path, struct manifest **m,
                                struct sh_error *e);

#endif /* SH_PACKAGE_H */
