/*
 * registry_client.h - the host's side of the marketplace: the registries a
 * store follows, their verified indexes, and search, install, outdated and
 * upgrade through them.
 *
 * State, all under the store folder (HOME):
 *   registries.json              the registries: name, mirror URLs and the
 *                                pinned root key, in the order added
 *   registries/.lock             serializes writers (flock)
 *   registries/NAME/root.json    the newest root reached from the pinned
 *                  root.json.minisig  key (see below)
 *   registries/NAME/index.json   the cached index and its signature, so
 *                  index.json.minisig search works offline
 *   registries/NAME/state.json   {"root_version", "index_version" (the
 *                                highest ever accepted), "checked"}
 *   registries/NAME/downloads/   packages being downloaded (resumable)
 *
 * Refreshing a registry, per mirror until one succeeds:
 *   1. root: roots/N+1.root.json is fetched while it exists; each must be
 *      signed by version N's root key (.prev.minisig) and by its own
 *      (.minisig), and be exactly version N+1. When the index keys change,
 *      the stored index version is reset (recovery from a compromised,
 *      fast-forwarded index key) and the cache dropped.
 *   2. index.json.minisig: signed by one of the root's index keys; its
 *      trusted comment, checked on its own, gives version, expiry, length
 *      and hash. An older version than the stored one (rollback) and an
 *      expired one (freeze) are refused here, before any download.
 *   3. index.json, unless the cache already is that version: capped at the
 *      listed length and hashed while streaming (a publisher updating the
 *      index between the two requests is met by fetching the versioned
 *      copy indexes/N.json), then the full signature and the parse.
 *   4. the cache, then state.json, are replaced atomically.
 * Reading the cache re-verifies its signature and expiry, so a cached
 * index is never used past its expiry, online or not.
 *
 * Trust: a registry never widens what the host trusts. A package from a
 * registry is installed only when (a) the index lists that name, version,
 * length and BLAKE2b-256 (mix-and-match protection: a validly signed
 * package that the index did not list is refused), (b) its signature's key
 * is the publisher key the index lists for the entry, which the index's
 * namespace map allows for the namespace, AND (c) the host's own trust
 * store (trust.json) trusts that key for the namespace. `registry add`
 * imports no keys; `registry add --trust-publishers` and `registry trust`
 * copy the index's namespace -> key map into trust.json, printing every
 * key they add. Every install still ends in store_install, which checks
 * the publisher signature and namespace again before decompressing.
 *
 * Threads: functions are [control]: call them from one thread per store;
 * several processes may use one store at once (the lock serializes
 * writers). A regclient_set is immutable and may be read from any thread.
 */
#ifndef SH_REGISTRY_CLIENT_H
#define SH_REGISTRY_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "download.h"
#include "minisig.h"
#include "regindex.h"
#include "status.h"
#include "store.h"

#define REGCLIENT_FILE           "registries.json"
#define REGCLIENT_DIR            "registries"
#define REGCLIENT_MAX_REGISTRIES 64
#define REGCLIENT_MAX_NAME       64
#define REGCLIENT_MAX_URL        1024
#define REGCLIENT_MAX_FILE_BYTES ((size_t)1024 * 1024) /* registries.json */
/* Root versions one refresh may walk: rotations are rare. */
#define REGCLIENT_MAX_ROOT_STEPS 1024
/* search refreshes an index checked longer ago than this. */
#define REGCLIENT_FRESH_S 300

enum regclient_refresh {
	REGCLIENT_OFFLINE,  /* use the caches only */
	REGCLIENT_IF_STALE, /* refresh caches older than REGCLIENT_FRESH_S;
	                     * fall back to a valid cache on failures */
	REGCLIENT_TRY,      /* refresh every registry; fall back likewise */
	REGCLIENT_ALWAYS    /* refresh every registry; failures are errors */
};

struct regclient_opts {
	const struct download_opts *dl; /* NULL: download_opts_default */
	enum regclient_refresh refresh;
};

/* One registry, loaded and verified. */
struct regclient_reg {
	char name[REGCLIENT_MAX_NAME + 1];
	char **urls; /* mirror base URLs, each ending in '/' */
	size_t nurls;
	struct minisig_pubkey root_key; /* pinned at add */
	int64_t root_version;
	int64_t checked;     /* last successful refresh, unix seconds */
	struct regindex *ix; /* NULL when its cache could not be used */
	char problem[SH_ERROR_MSG_MAX]; /* why ix is NULL */
};

struct regclient_set {
	struct regclient_reg *regs;
	size_t n;
};

/* What `registry add` found. */
struct regclient_summary {
	int64_t root_version;
	int64_t index_version;
	int64_t expires;
	size_t npackages;
	size_t nnamespaces;
};

/*
 * [control] Add registry name (lower-case [a-z0-9._-], 1-64 characters)
 * served at urls (http, https or file; the first is the primary, the
 * others mirrors), trusting root_key as its root. The registry's current
 * root must be signed by root_key and name it as its root key, and its
 * index must verify and not be expired; only then is anything written.
 * SH_ERR_USAGE when name is taken, SH_ERR_TRUST for a refused root or
 * index, network statuses as download.h.
 */
sh_status regclient_add(const char *home, const char *name,
                        const char *const *urls, size_t nurls,
                        const struct minisig_pubkey *root_key,
                        const struct regclient_opts *o,
                        struct regclient_summary *out, struct sh_error *e);

/* [control] Forget registry name and its caches (installed skills and
 * trusted keys stay). SH_ERR_NOTFOUND when there is none. */
sh_status regclient_remove(const char *home, const char *name,
                           struct sh_error *e);

/*
 * [control] Load the registries (only name, when not NULL), refreshing
 * them as o->refresh says. With REGCLIENT_ALWAYS any failure is returned;
 * otherwise a registry whose cache cannot be used is kept with ix NULL
 * and the reason in problem. *out is the caller's (regclient_set_free).
 */
sh_status regclient_open(const char *home, const char *name,
                         const struct regclient_opts *o,
                         struct regclient_set **out, struct sh_error *e);
void regclient_set_free(struct regclient_set *s);

/*
 * The registries as JSON for `registry list`: [{"name", "urls",
 * "root_key_id", "root_version", "index_version", "expires", "checked",
 * "packages", "problem"?}]. NULL when out of memory.
 */
cJSON *regclient_list_json(const struct regclient_set *s);

/*
 * Search the loaded indexes: the newest version of every package whose
 * name, tools or description contain query (case-insensitive), best
 * matches first: [{"name", "version", "description", "registry", "tools":
 * [names], "publisher"}]. NULL when out of memory.
 */
cJSON *regclient_search(const struct regclient_set *s, const char *query);

struct regclient_install_opts {
	const char *registry; /* only this registry; NULL: the one listing it */
	int force;            /* reinstall the installed version */
	int allow_downgrade;
	int same_version_ok; /* store_install_opts.same_version_ok */
	const struct download_opts *dl;
};

struct regclient_install_result {
	struct store_install_result store;
	char registry[REGCLIENT_MAX_NAME + 1];
	uint64_t bytes;    /* package size */
	uint64_t resumed;  /* bytes reused from an earlier download */
	double download_s; /* signature and package */
	double install_s;  /* store_install: verify, extract, probe */
};

/*
 * [control] Install spec ("ns/name", "ns/name@1.2.3", "ns/name@^1.2")
 * from the registries in s: resolve it in the one registry that lists
 * the name (or o->registry), check the host trusts the listed publisher
 * key for the namespace, download the signature and the package from the
 * registry's mirrors (capped at the listed length, hash checked while
 * streaming), refuse anything the index did not list, then store_install
 * with expect_name and expect_version set. SH_ERR_NOTFOUND when no
 * registry has a matching version; SH_ERR_USAGE when several registries
 * list the name and none was chosen; SH_ERR_TRUST for every integrity or
 * trust refusal (the store is unchanged).
 */
sh_status regclient_install(const char *home, const struct regclient_set *s,
                            const char *spec,
                            const struct regclient_install_opts *o,
                            struct regclient_install_result *res,
                            struct sh_error *e);

/*
 * The installed skills that a registry has a newer stable (not yanked)
 * version of, or whose installed version that registry yanked or
 * deprecated: [{"name", "installed", "latest", "registry"[, "yanked"]
 * [, "deprecated"]}], "latest" null when nothing newer exists, "yanked"
 * and "deprecated" the reasons given for the installed version. *out is
 * the caller's.
 */
sh_status regclient_outdated(const char *home, const struct regclient_set *s,
                             cJSON **out, struct sh_error *e);

/*
 * [control] Trust the publisher keys registry name's index lists for the
 * namespaces given, in the host's trust store. The namespaces must be
 * named (nns 0 is SH_ERR_USAGE): nothing, the first-party namespace
 * least of all, is trusted because an index lists it. *added (may be NULL)
 * receives [{"namespace", "key_id", "first_party": bool, "also_trusted":
 * [key ids trusted for that namespace before]}] for every binding made,
 * so the caller can print them and warn.
 */
sh_status regclient_trust_publishers(const char *home,
                                     const struct regclient_set *s,
                                     const char *name,
                                     const char *const *namespaces, size_t nns,
                                     cJSON **added, struct sh_error *e);

/* The namespace of the host's own first-party skills. */
#define REGCLIENT_FIRST_PARTY "skillhost"

/* 1 when name is a valid registry name. */
int regclient_valid_name(const char *name);

#endif /* SH_REGISTRY_CLIENT_H */
