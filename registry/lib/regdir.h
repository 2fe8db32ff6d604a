/*
 * regdir.h - a registry folder, and every change skillreg makes to it.
 *
 * The folder is what a web server, object store or CDN serves, unchanged
 * (registry/FORMAT.md has the formats):
 *
 *   root.json, root.json.minisig       the newest root, signed by its own
 *                                      root key
 *   roots/N.root.json                  every root version, signed by its
 *        N.root.json.minisig           own root key and (N > 1) by version
 *        N.root.json.prev.minisig      N-1's root key
 *   index.json, index.json.minisig     the index, signed by an index key
 *   indexes/N.json                     the last REGDIR_KEEP_INDEXES index
 *                                      versions, for clients that raced an
 *                                      update
 *   packages/NS/NAME/NAME-VERSION.skill (+ .minisig)   immutable packages
 *
 * Write order keeps every moment consistent for readers: a package and
 * its signature are in place before an index lists them; a versioned file
 * before the name that points to it; signatures of roots before the root
 * itself; index.json before index.json.minisig. Every file is replaced
 * atomically.
 *
 * The keys live outside, in the key folder (regkeys.h). A struct regdir
 * holds the registry's lock (KEYDIR/skillreg.lock) from regdir_open to
 * regdir_close, so one process changes a registry at a time.
 *
 * Threads: a struct regdir is [control]: one thread at a time.
 */
#ifndef SKILLREG_REGDIR_H
#define SKILLREG_REGDIR_H

#include <stdint.h>

#include "minisig.h"
#include "regindex.h"
#include "status.h"

#define REGDIR_INDEX             "index.json"
#define REGDIR_ROOT              "root.json"
#define REGDIR_SIG               ".minisig"
#define REGDIR_PREV_SIG          ".prev.minisig"
#define REGDIR_ROOTS             "roots"
#define REGDIR_INDEXES           "indexes"
#define REGDIR_PACKAGES          "packages"
#define REGDIR_KEEP_INDEXES      16
#define REGDIR_DEFAULT_EXPIRES_S ((int64_t)7 * 86400)
#define REGDIR_MAX_EXPIRES_S     (366LL * 86400)

struct regdir;

struct regdir_init_result {
	char keydir[4096];
	char root_id[MINISIG_KEYID_HEX_SIZE];
	char index_id[MINISIG_KEYID_HEX_SIZE];
};

/*
 * Create registry folder dir (it must not exist, or be empty) with new
 * root and index keys in keydir (NULL: "<dir>.keys"; refused inside dir),
 * root version 1 and an empty index version 1 that expires in expires_in
 * seconds.
 */
sh_status regdir_init(const char *dir, const char *keydir, int64_t expires_in,
                      struct regdir_init_result *out, struct sh_error *e);

/*
 * Open dir for changes: take its lock, load root.json and index.json and
 * verify them (the index with the root's index keys), and finish or undo
 * a key rotation that was interrupted. keydir NULL means the default. The
 * index key is loaded when first needed. *out is the caller's
 * (regdir_close).
 */
sh_status regdir_open(const char *dir, const char *keydir, struct regdir **out,
                      struct sh_error *e);

/* Release the lock and everything r holds; changes not committed are
 * dropped (package files already copied are harmless: nothing lists them,
 * and the next add of that version replaces them). NULL is fine. */
void regdir_close(struct regdir *r);

/* The committed index and the current root. */
const struct regindex *regdir_index(const struct regdir *r);
const struct regroot *regdir_root(const struct regdir *r);
const char *regdir_path(const struct regdir *r);
const char *regdir_keydir(const struct regdir *r);

/* Allow pk to publish in namespace ns (pending until regdir_commit).
 * SH_ERR_USAGE when it already may, or for a bad namespace. */
sh_status regdir_add_publisher(struct regdir *r, const char *ns,
                               const struct minisig_pubkey *pk,
                               struct sh_error *e);

struct regdir_added {
	char name[MINISIG_PKG_NAME_MAX + 1];
	char version[MINISIG_PKG_VERSION_MAX + 1];
	char publisher[MINISIG_KEYID_HEX_SIZE];
	char url[REGINDEX_MAX_URL + 1];
	uint64_t length;
	int conflict; /* the refusal was: this version is already listed */
};

/*
 * Add the package at pkg with its signature at sig (NULL: pkg.minisig),
 * pending until regdir_commit: the signature must be by a key the index
 * lists for the package's namespace and match the bytes copied (which are
 * the bytes published), its trusted comment must name the package's
 * manifest name, version and hash, and the version must not be listed
 * yet (versions are immutable), and (unless regdir_set_probe(r, 0)) its code
 * must match its manifest. shown names the package in messages (NULL:
 * pkg). SH_ERR_NOTFOUND when pkg does not exist, SH_ERR_TRUST for
 * signature and namespace refusals, SH_ERR_INVALID for a malformed package
 * or code that disagrees with its manifest (SH_ERR_ABI when the probe
 * refuses it), SH_ERR_USAGE with out->conflict for an existing version.
 */
sh_status regdir_add_package(struct regdir *r, const char *pkg, const char *sig,
                             const char *shown, struct regdir_added *out,
                             struct sh_error *e);

/*
 * Probe each added package's code against its manifest (pkgcheck.h, what
 * `skillhost pack` does) before listing it: on by default; off only for
 * fixtures built to fail. A refusal is the probe's status, prefixed
 * "... is refused: its code does not match its manifest".
 */
void regdir_set_probe(struct regdir *r, int on);

/*
 * Yank name@version (pending until regdir_commit): the index entry gets
 * "x-yanked": reason and "x-yanked-at": now (FORMAT.md). The package stays
 * downloadable for installs that name that exact version; ranges, "latest"
 * and upgrades skip it. reason NULL undoes a yank. SH_ERR_NOTFOUND when the
 * version is not listed; SH_ERR_USAGE for an empty or multi-line reason, a
 * version already yanked, or an undo of one that is not.
 */
sh_status regdir_yank(struct regdir *r, const char *name, const char *version,
                      const char *reason, struct sh_error *e);

/*
 * Mark name@version, or every listed version of name when version is NULL,
 * deprecated with message ("x-deprecated"), pending until regdir_commit;
 * message NULL removes the mark. *count is how many entries changed.
 * Errors as regdir_yank.
 */
sh_status regdir_deprecate(struct regdir *r, const char *name,
                           const char *version, const char *message,
                           size_t *count, struct sh_error *e);

/*
 * Sign and publish the index with every pending change as the next
 * version, expiring expires_in seconds from now. The new index is parsed
 * back before it is signed, so only what clients accept is published.
 * *version (may be NULL) receives the new version.
 */
sh_status regdir_commit(struct regdir *r, int64_t expires_in, int64_t *version,
                        struct sh_error *e);

/*
 * Rotate the index key (and, with rotate_root, the root key too): publish
 * root version N+1 listing a new index key, signed by the current root
 * key (root_key_path, or KEYDIR/root.sec) and by its own root key, then
 * re-sign the index with the new key as the next version. The retired
 * keys' secret files are replaced. *new_root (may be NULL) receives the
 * new root version.
 */
sh_status regdir_rotate(struct regdir *r, int rotate_root,
                        const char *root_key_path, int64_t expires_in,
                        int64_t *new_root, struct sh_error *e);

#endif /* SKILLREG_REGDIR_H */
