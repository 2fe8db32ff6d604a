/*
 * regkeys.h - skillreg's key folder, and signing registry metadata.
 *
 * A registry has two kinds of keys, both minisign key pairs:
 *   root   signs root.json: which keys may sign the index. Offline: it is
 *          needed only by `skillreg init` and `skillreg rotate-key`, and
 *          should live on removable media otherwise (--root-key FILE).
 *   index  signs index.json. Online: `skillreg add`, `resign` and the
 *          publish endpoint of `skillreg serve` use it.
 *
 * They live in a key folder (KEYDIR) that must never be inside the served
 * tree: by default the folder beside the registry named "<DIR>.keys". It
 * holds root.sec, root.pub, index.sec, index.pub (secret keys 0600,
 * unencrypted, as `skillhost keygen` writes them; a key re-encrypted with
 * `minisign -C` is read with the password in $SKILLREG_KEY_PASSWORD), and
 * skillreg.lock, which serializes every change to the registry.
 *
 * [thread-safe]: no function keeps state between calls.
 */
#ifndef SKILLREG_REGKEYS_H
#define SKILLREG_REGKEYS_H

#include <stddef.h>

#include "minisig.h"
#include "regindex.h"
#include "status.h"

#define REGKEYS_ROOT   "root"
#define REGKEYS_INDEX  "index"
#define REGKEYS_SUFFIX ".keys"
#define REGKEYS_LOCK   "skillreg.lock"
/* A rotation writes the new keys under these suffixes first, and renames
 * them into place only after the root that lists them is published. */
#define REGKEYS_NEW          ".new"
#define REGKEYS_PASSWORD_ENV "SKILLREG_KEY_PASSWORD"

/* The default key folder of registry folder dir: "<dir>.keys" beside it
 * (a trailing '/' on dir is ignored). */
sh_status regkeys_default_dir(const char *dir, char *out, size_t cap,
                              struct sh_error *e);

/* SH_ERR_USAGE when keydir is dir itself or anywhere below it (resolved
 * through symlinks, for folders that exist), so no secret key is ever
 * served. */
sh_status regkeys_check_outside(const char *dir, const char *keydir,
                                struct sh_error *e);

/* "<keydir>/<role>.sec" and ".pub" (plus suffix, e.g. REGKEYS_NEW, or ""). */
sh_status regkeys_path(const char *keydir, const char *role, const char *ext,
                       const char *suffix, char *out, size_t cap,
                       struct sh_error *e);

/*
 * Make a key pair for role and save it in keydir as <role>.sec (0600) and
 * <role>.pub, with suffix appended to both names. Without force an
 * existing file is SH_ERR_USAGE. *sk is the caller's (minisig_seckey_free).
 */
sh_status regkeys_generate(const char *keydir, const char *role,
                           const char *suffix, int force,
                           struct minisig_seckey **sk,
                           struct minisig_pubkey *pk, struct sh_error *e);

/* Load the secret key of role from keydir, or from path when not NULL.
 * An encrypted key needs $SKILLREG_KEY_PASSWORD. */
sh_status regkeys_load(const char *keydir, const char *role, const char *path,
                       struct minisig_seckey **sk, struct sh_error *e);

/*
 * Sign metadata text (len bytes) with sk: info's kind, version and (for an
 * index) expires are the caller's; length, blake2b256 and timestamp are
 * filled in here, and the trusted comment made from them.
 */
sh_status regkeys_sign_meta(const struct minisig_seckey *sk,
                            struct regmeta_info *info, const char *text,
                            size_t len, struct minisig_signature *sig,
                            struct sh_error *e);

#endif /* SKILLREG_REGKEYS_H */
