/*
 * store.h - the local store of installed skills.
 *
 * Layout under the store folder ($SKILLHOST_HOME):
 *   installed.json          what is installed: the one source of truth
 *   skills/NS/NAME/VER-ID/  an extracted, verified package per version
 *   skills/NS/NAME/VER-ID.stamp  its install stamp (stamp.h)
 *   staging/                work in progress; anything here is garbage
 *   trust.json, config.json, artifacts/ ...
 *
 * Installing verifies the publisher's signature over the exact bytes it
 * will extract (copied to staging first) before decompressing anything,
 * extracts into a fresh staging folder, checks every file against the
 * manifest, probes the skill in a separate process, renames the folder into
 * skills/, hashes it there once more and stamps it (stamp.h), and only then
 * replaces installed.json atomically. A kill at any
 * instant leaves the old state or the new one: folders that installed.json
 * does not name are swept up by the next writer. Writers serialize on a
 * lock; readers only read installed.json, which is always whole.
 */
#ifndef SH_STORE_H
#define SH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "status.h"

#define STORE_INDEX           "installed.json"
#define STORE_INDEX_MAX_BYTES ((size_t)256 * 1024 * 1024)

struct store_install_opts {
	const char *sig_path; /* default: <package>.minisig */
	int allow_downgrade;  /* install a lower version than installed */
	int force;            /* reinstall the installed version */
	/* The installed version again, without force: succeed without
	 * changing anything (res->unchanged), as npm and brew do, instead of
	 * SH_ERR_USAGE. The package is still verified first. */
	int same_version_ok;
	const char *expect_name; /* refuse another name (registry installs) */
	const char *expect_version; /* refuse another version */
};

/* What an install did, for the CLI to report. */
struct store_install_result {
	char name[160];
	char version[80];
	char previous[80]; /* the version replaced, or "" */
	char publisher[17];
	int unchanged; /* same_version_ok applied: nothing was installed */
};

/*
 * Install the package at path (see the file comment for the pipeline).
 * Trust failures (signature, key, namespace, hashes, archive safety) are
 * SH_ERR_TRUST; malformed packages SH_ERR_INVALID; skills refused by the
 * probe SH_ERR_ABI. The store is unchanged by any failure.
 */
sh_status store_install(const char *home, const char *path,
                        const struct store_install_opts *o,
                        struct store_install_result *res, struct sh_error *e);

/* Uninstall name (both its versions). SH_ERR_NOTFOUND if not installed. */
sh_status store_remove(const char *home, const char *name, struct sh_error *e);

/* Swap name's current and previous versions. */
sh_status store_rollback(const char *home, const char *name, char *now_version,
                         size_t cap, struct sh_error *e);

/*
 * Read installed.json. *out is {"format":1,"skills":{NAME:{"current":REC,
 * "previous":REC|null}}} where REC is {"version","dir","lib","publisher",
 * "installed","manifest","skill","permissions"}; owned by the caller. A
 * store without installed.json reads as no skills.
 */
sh_status store_read_index(const char *home, cJSON **out, struct sh_error *e);

/*
 * Check an installed skill's files (REC from the index) before its code is
 * loaded: manifest.json against the hash recorded at install, and every file
 * against the manifest. Files the install stamp shows unchanged since they
 * were hashed (stamp.h) are not hashed again; any other is, and so is every
 * file when $SKILLHOST_STORE_VERIFY is "full". A file the folder holds that
 * the manifest does not list is refused either way. A mismatch is
 * SH_ERR_TRUST naming the file. On success lib receives the absolute path
 * of the skill's library.
 */
sh_status store_verify_record(const char *home, const cJSON *rec, char *lib,
                              size_t cap, struct sh_error *e);

/*
 * Bring the installed skills in line with trust.json (read under the store
 * lock, so an install racing a `trust remove` is caught too). A record
 * whose publisher key is no longer trusted for the skill's namespace gets
 * "disabled": {"key": KEYID, "since": T}: its skill is then neither
 * listed, served nor called (the runtime skips it; a call names the key).
 * A disabled record whose key is trusted again loses the mark. Both the
 * current and the previous version are marked, so a rollback cannot bring
 * a distrusted version back. installed.json is rewritten (atomically) only
 * when something changed, which is what a running `serve` notices.
 * *disabled and *enabled (may be NULL) receive [{"name", "version",
 * "key"}] for the current versions that changed; the caller's.
 */
sh_status store_sync_trust(const char *home, cJSON **disabled, cJSON **enabled,
                           struct sh_error *e);

/* The key id a record was disabled for, or NULL when it is enabled. */
const char *store_record_disabled(const cJSON *rec);

/* Why skill name (record rec) is disabled, for an error message that says
 * how to trust the key again or remove the skill. */
void store_disabled_reason(const char *name, const cJSON *rec, char *buf,
                           size_t cap);

/*
 * SH_OK when rec's publisher key is trusted for name's namespace right now;
 * else SH_ERR_TRUST saying which key and what to do. The runtime checks
 * this before it loads an installed skill's code, so a key removed from
 * trust.json by hand stops its skills too.
 */
sh_status store_check_trusted(const char *home, const char *name,
                              const cJSON *rec, struct sh_error *e);

#endif /* SH_STORE_H */
