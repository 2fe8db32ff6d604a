/*
 * regindex.h - a registry's signed metadata: index.json and root.json, the
 * trusted comments that bind them to their signatures, and version
 * constraints. Shared by the client (registry_client.c) and by skillreg
 * (registry/), so both sides read the formats with the same code.
 *
 * registry/FORMAT.md is the full specification; in short:
 *
 *   root.json   {"type": "skillhost-root", "format": 1, "version": N,
 *                "created": T, "root_key": PUB, "index_keys": [PUB, ...]}
 *               signed (detached, minisign format) by its own root_key;
 *               version N+1 is also signed by version N's root_key.
 *   index.json  {"type": "skillhost-index", "format": 1, "version": N,
 *                "generated": T, "expires": T,
 *                "namespaces": {NS: [{"id": KEYID, "key": PUB}, ...]},
 *                "packages": [{"name", "version", "description",
 *                              "license", "tools", "permissions",
 *                              "publisher", "url", "signature", "length",
 *                              "blake2b256", "published",
 *                              "x-agentskills"?}, ...]}
 *               signed by one of the current root's index_keys.
 *
 * T is an RFC 3339 UTC time, exactly "YYYY-MM-DDTHH:MM:SSZ"; PUB a bare
 * minisign public key line; KEYID 16 hex digits.
 *
 * Trusted comments (one line, printable ASCII, `key:value` fields; writers
 * emit this order with single spaces, readers take any order, ignore
 * unknown keys and refuse a known key given twice):
 *
 *   skillhost-index:1 version:N expires:T length:BYTES blake2b256:HEX
 * timestamp:UNIX skillhost-root:1 version:N length:BYTES blake2b256:HEX
 * timestamp:UNIX
 *
 * The comment is covered by minisign's global signature, which can be
 * checked without the file: a client reads version and expiry from the
 * small .minisig first, refuses a rollback or a frozen index before it
 * downloads anything else, and then caps the download at `length` and
 * checks `blake2b256`.
 *
 * Parsed structures point into the JSON tree they own; they are immutable
 * after parsing and may be read from several threads at once. Every
 * function here is [thread-safe] and keeps no state between calls.
 */
#ifndef SH_REGINDEX_H
#define SH_REGINDEX_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "minisig.h"
#include "status.h"

#define REGINDEX_FORMAT 1
#define REGINDEX_TYPE   "skillhost-index"
#define REGROOT_TYPE    "skillhost-root"

/* Caps on what a reader accepts, so a hostile server cannot make a client
 * allocate without bound. */
#define REGINDEX_MAX_BYTES      ((size_t)64 * 1024 * 1024)
#define REGINDEX_MAX_PACKAGES   100000
#define REGINDEX_MAX_NAMESPACES 10000
#define REGINDEX_MAX_NS_KEYS    16
#define REGINDEX_MAX_TOOLS      512
#define REGINDEX_MAX_LIST       256                 /* each permission list */
#define REGINDEX_MAX_TEXT       ((size_t)64 * 1024) /* a description */
#define REGINDEX_MAX_SHORT      256 /* license, a permission item */
#define REGINDEX_MAX_URL        2048
#define REGROOT_MAX_BYTES       ((size_t)64 * 1024)
#define REGROOT_MAX_INDEX_KEYS  16
/* JSON numbers are doubles: versions and lengths stay exact below 2^53. */
#define REGINDEX_MAX_INT 9007199254740991LL

/* "YYYY-MM-DDTHH:MM:SSZ" and a NUL. */
#define REGINDEX_TIME_SIZE     21
#define REGINDEX_HASH_HEX_SIZE (2 * MINISIG_FILE_HASH_BYTES + 1)
/* A formatted trusted comment of either kind fits in this. */
#define REGINDEX_COMMENT_SIZE 256

struct regindex_tool {
	const char *name;
	const char *description; /* "" when the index gives none */
};

/* An Agent Skill a package carries (its front matter's name and
 * description; the index entry also lists its front matter and files). */
struct regindex_agentskill {
	const char *name;
	const char *description;
};

struct regindex_list {
	const char **items;
	size_t n;
};

struct regindex_pkg {
	const char *name;    /* "namespace/name" */
	const char *version; /* semver */
	const char *description;
	const char *license; /* NULL when absent */
	struct regindex_tool *tools;
	size_t ntools;
	struct regindex_agentskill *agentskills; /* may be none */
	size_t nagentskills;
	struct regindex_list network, secrets, filesystem;
	uint8_t publisher[MINISIG_KEYID_BYTES];
	const char *url;     /* relative to the registry, or absolute */
	const char *sig_url; /* the package's .minisig, likewise */
	uint64_t length;
	uint8_t blake2b256[MINISIG_FILE_HASH_BYTES];
	int64_t published; /* unix seconds */
	/* "x-yanked" / "x-yanked-at" / "x-deprecated" (FORMAT.md): a yanked
	 * version is only installed when asked for exactly; a deprecated one
	 * is flagged. NULL / 0 when absent. */
	const char *yanked; /* the publisher's reason */
	int64_t yanked_at;
	const char *deprecated; /* the message */
	const cJSON *json;      /* the entry itself, inside the index tree */
};

/* The index keys of the yank and deprecation marks. They start with "x-"
 * so that clients from before them, which refuse unknown keys but let
 * "x-" extensions through, still read an index that has them. */
/* The Agent Skills a package carries, an x- key so that older clients,
 * which refuse other unknown keys, still read the index. */
#define REGINDEX_KEY_AGENTSKILLS "x-agentskills"
#define REGINDEX_KEY_YANKED      "x-yanked"
#define REGINDEX_KEY_YANKED_AT   "x-yanked-at"
#define REGINDEX_KEY_DEPRECATED  "x-deprecated"
#define REGINDEX_MAX_REASON      1024

struct regindex_ns {
	const char *name;
	struct minisig_pubkey *keys;
	size_t nkeys;
};

struct regindex {
	int64_t version;
	int64_t generated;
	int64_t expires;
	struct regindex_ns *namespaces; /* sorted by name */
	size_t nnamespaces;
	/* Sorted by name, then by semver precedence (oldest first); no
	 * name and version twice. */
	struct regindex_pkg *pkgs;
	size_t npkgs;
	cJSON *json; /* owned */
};

struct regroot {
	int64_t version;
	int64_t created;
	struct minisig_pubkey root_key;
	struct minisig_pubkey index_keys[REGROOT_MAX_INDEX_KEYS];
	size_t nindex_keys;
	cJSON *json; /* owned */
};

/* What a trusted comment says about the file it signs. */
enum regmeta_kind { REGMETA_INDEX, REGMETA_ROOT };

struct regmeta_info {
	enum regmeta_kind kind;
	int64_t version;
	int64_t expires; /* index only; 0 for a root */
	uint64_t length;
	uint8_t blake2b256[MINISIG_FILE_HASH_BYTES];
	int64_t timestamp; /* -1 when absent (it is informational) */
};

/* ---- times -------------------------------------------------------------- */

/* Write t as "YYYY-MM-DDTHH:MM:SSZ". Cannot fail for 0 <= t < year 10000. */
void regindex_time_format(int64_t t, char out[REGINDEX_TIME_SIZE]);

/* Parse exactly that form (UTC, seconds, no fraction, no offset). Returns
 * 1 and sets *t, or 0 when s is anything else. */
int regindex_time_parse(const char *s, int64_t *t);

/* ---- index and root ----------------------------------------------------- */

/*
 * Parse and validate index text of len bytes (at most REGINDEX_MAX_BYTES;
 * it need not be NUL-terminated). origin names the source in messages,
 * which name the offending key, e.g. "packages[3].blake2b256: ...".
 * Every package's publisher must be one of its namespace's keys. On
 * success *out is the caller's (regindex_free). SH_ERR_INVALID for any
 * malformed content, SH_ERR_NOMEM for a cap or memory.
 */
sh_status regindex_parse(const char *text, size_t len, const char *origin,
                         struct regindex **out, struct sh_error *e);
void regindex_free(struct regindex *ix);

/* Parse and validate root text, as regindex_parse. */
sh_status regroot_parse(const char *text, size_t len, const char *origin,
                        struct regroot **out, struct sh_error *e);
void regroot_free(struct regroot *r);

/* The index key of root r whose key id is key_id, or NULL. */
const struct minisig_pubkey *
regroot_index_key(const struct regroot *r,
                  const uint8_t key_id[MINISIG_KEYID_BYTES]);

/* The namespace entry for ns, or NULL. */
const struct regindex_ns *regindex_namespace(const struct regindex *ix,
                                             const char *ns);

/* 1 when key_id is one of the keys ix allows for namespace ns. */
int regindex_ns_allows(const struct regindex *ix, const char *ns,
                       const uint8_t key_id[MINISIG_KEYID_BYTES]);

/* The versions of name: *first receives the index of the oldest in
 * ix->pkgs, and the count is returned (0 when ix does not list name). */
size_t regindex_find(const struct regindex *ix, const char *name,
                     size_t *first);

/* ---- trusted comments --------------------------------------------------- */

/*
 * Write info as a trusted comment of its kind (the writer form above) into
 * buf of cap bytes (REGINDEX_COMMENT_SIZE is enough). SH_ERR_USAGE for
 * out-of-range fields.
 */
sh_status regmeta_comment_format(const struct regmeta_info *info, char *buf,
                                 size_t cap, struct sh_error *e);

/* Parse comment as a trusted comment of kind into info. SH_ERR_INVALID
 * naming the field when it is not one. */
sh_status regmeta_comment_parse(const char *comment, enum regmeta_kind kind,
                                struct regmeta_info *info, struct sh_error *e);

/*
 * Check sig's global signature (over the trusted comment) with pk and
 * parse the comment as kind: what a client trusts before it fetches the
 * signed file. The algorithm and key id are checked as minisign does. Any
 * refusal is SH_ERR_TRUST; what names names the file in messages.
 */
sh_status regmeta_verify_comment(const struct minisig_pubkey *pk,
                                 const struct minisig_signature *sig,
                                 enum regmeta_kind kind, const char *what,
                                 struct regmeta_info *info, struct sh_error *e);

/*
 * Check that text (len bytes) is the file info describes: the length and
 * BLAKE2b-256 from the comment, and sig's file signature with pk over its
 * BLAKE2b-512. SH_ERR_TRUST naming what otherwise.
 */
sh_status regmeta_verify_body(const struct minisig_pubkey *pk,
                              const struct minisig_signature *sig,
                              const struct regmeta_info *info, const char *text,
                              size_t len, const char *what, struct sh_error *e);

/* ---- version constraints ------------------------------------------------ */

enum regindex_constraint_kind {
	REGC_LATEST, /* the highest stable version (or prerelease if none) */
	REGC_EXACT,  /* "1.2.3" or "1.2.3-rc.1" */
	REGC_CARET   /* "^1.2.3", "^1.2", "^1", as npm means them */
};

struct regindex_constraint {
	enum regindex_constraint_kind kind;
	char version[MINISIG_PKG_VERSION_MAX + 1]; /* EXACT: the version */
	uint64_t major, minor, patch;              /* CARET: the floor */
	int parts; /* CARET: how many of the three were given */
	char pre[MINISIG_PKG_VERSION_MAX + 1]; /* CARET: floor prerelease */
};

/*
 * Split "ns/name", "ns/name@1.2.3" or "ns/name@^1.2" into name (a buffer
 * of name_cap bytes) and c. SH_ERR_USAGE with an example otherwise.
 */
sh_status regindex_spec_parse(const char *spec, char *name, size_t name_cap,
                              struct regindex_constraint *c,
                              struct sh_error *e);

/* 1 when version satisfies c. Prereleases satisfy a caret only when the
 * floor is a prerelease of the same major.minor.patch (npm's rule). */
int regindex_constraint_match(const struct regindex_constraint *c,
                              const char *version);

/* The highest version of name in ix that satisfies c, or NULL. Yanked
 * versions satisfy only an exact constraint (a pinned install); ranges and
 * "latest" never choose them. */
const struct regindex_pkg *
regindex_resolve(const struct regindex *ix, const char *name,
                 const struct regindex_constraint *c);

/* Write c as the user would type it ("latest", "1.2.3", "^1.2"). */
void regindex_constraint_format(const struct regindex_constraint *c, char *buf,
                                size_t cap);

/* ---- search ------------------------------------------------------------- */

/*
 * How well p matches query (case-insensitive substrings; an empty query
 * matches everything with 1): 0 no match, 1 the description, 2 a tool's
 * name or description or an Agent Skill's description, 3 the name or an
 * Agent Skill's name. Higher is better.
 */
int regindex_pkg_match(const struct regindex_pkg *p, const char *query);

/* 1 when version has a prerelease part. */
int regindex_is_prerelease(const char *version);

#endif /* SH_REGINDEX_H */
