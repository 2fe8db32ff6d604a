/*
 * manifest.h - skill package manifests (manifest.json).
 *
 * The format is documented in sdk/MANIFEST.md with a JSON Schema in
 * sdk/manifest.schema.json. A manifest comes in two forms:
 *   - the source form, in a skill's project folder, which `skillhost pack`
 *     reads: it names the extra files to ship ("include");
 *   - the packaged form, at the root of every .skill archive, which `pack`
 *     writes: it adds "files", the size and BLAKE2b-256 of every file in the
 *     package, so the installer can check each byte it extracts.
 * Parsing is strict: unknown keys (other than "x-..." extensions), wrong
 * types, bad names, versions, paths or permission patterns are refused with
 * a message naming the key.
 */
#ifndef SH_MANIFEST_H
#define SH_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hostpattern.h"
#include "status.h"

#define MANIFEST_FILE       "manifest.json"
#define MANIFEST_FORMAT     1
#define MANIFEST_MAX_BYTES  ((size_t)1024 * 1024)
#define MANIFEST_MAX_FILES  4096
#define MANIFEST_MAX_PATH   255
#define MANIFEST_MAX_LIST   256 /* permissions, tools, platforms, include */
#define MANIFEST_HASH_BYTES 32

/* Filesystem permissions a skill may ask for. */
#define MANIFEST_FS_ARTIFACTS "artifacts" /* write output files */
#define MANIFEST_FS_INPUTS    "inputs"    /* read operator-allowed inputs */

struct manifest_file {
	char *path;
	uint64_t size;
	uint8_t blake2b256[MANIFEST_HASH_BYTES];
};

struct manifest_platform {
	char *triplet; /* e.g. "x86_64-linux-gnu" */
	char *lib;     /* path of the shared object inside the package */
};

struct manifest_tool {
	char *name;
	char *description;
};

struct manifest_list {
	char **items;
	size_t n;
};

struct manifest {
	char *name;    /* "namespace/name" */
	char *version; /* semver */
	int abi;       /* ABI major */
	char *description;
	char *license;   /* SPDX, or NULL */
	char *publisher; /* publisher key id (16 hex digits), or NULL */
	struct manifest_platform *platforms;
	size_t nplatforms;
	struct manifest_tool *tools;
	size_t ntools;
	struct manifest_list network; /* "host", "*.domain", "host:port" */
	struct manifest_list secrets; /* environment-style names */
	struct manifest_list filesystem;
	struct manifest_list include; /* source form: extra files to ship */
	struct manifest_file *files;  /* packaged form */
	size_t nfiles;
	cJSON *json; /* the parsed document, owned */
};

enum manifest_form { MANIFEST_SOURCE, MANIFEST_PACKAGED };

/*
 * Parse and validate a manifest of the given form from text (len bytes).
 * origin names it in errors. On success *out is owned by the caller
 * (manifest_free). Errors are SH_ERR_INVALID.
 */
sh_status manifest_parse(const char *text, size_t len, enum manifest_form form,
                         const char *origin, struct manifest **out,
                         struct sh_error *e);

/* Read and parse path (at most MANIFEST_MAX_BYTES). */
sh_status manifest_load(const char *path, enum manifest_form form,
                        struct manifest **out, struct sh_error *e);

void manifest_free(struct manifest *m);

/* The library for triplet, or NULL. */
const char *manifest_platform_lib(const struct manifest *m,
                                  const char *triplet);

/* The packaged entry for path, or NULL. */
const struct manifest_file *manifest_find_file(const struct manifest *m,
                                               const char *path);

/* The platform triplet of this host build, e.g. "x86_64-linux-gnu". */
const char *manifest_host_platform(void);

/* 1 when path is a safe relative package path: components of
 * [A-Za-z0-9._+@-] not starting with '.', no empty components, at most
 * MANIFEST_MAX_PATH bytes. */
int manifest_valid_path(const char *path);

/* manifest_valid_host_pattern and manifest_host_matches, the network
 * permission rules, are in hostpattern.h. */

/* 1 when m asks for the filesystem permission perm. */
int manifest_has_fs(const struct manifest *m, const char *perm);

/* Hex of a hash into out (2 * MANIFEST_HASH_BYTES + 1 bytes). */
void manifest_hash_hex(const uint8_t h[MANIFEST_HASH_BYTES], char *out);

#endif /* SH_MANIFEST_H */
