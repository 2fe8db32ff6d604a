/*
 * skillset.h - the Agent Skills of the installed packages, verified.
 *
 * A skill set is read from the store index: every enabled package's
 * current version whose record lists Agent Skills. Loading checks the
 * package's manifest.json against the hash recorded at install and every
 * file of every skill against the signed manifest (size and BLAKE2b-256),
 * computing each file's SHA-256 from the same bytes for the digests MCP
 * (SEP-2640) and exported copies use. A skill with a changed file is left
 * out of the set (with a warning in the host log) rather than served.
 *
 * Reading a file again (skillset_read) re-checks it against the manifest,
 * so a file changed after the set was loaded is refused, not served.
 *
 * Each skill has a URI path: its name when no other installed package has
 * a skill of that name, else "<namespace>/<package>/<name>" (the last
 * segment stays the name, as SEP-2640 wants). Sets are immutable once
 * loaded and may be shared between threads.
 */
#ifndef SH_SKILLSET_H
#define SH_SKILLSET_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "status.h"

#define SKILLSET_URI_SCHEME "skill://"
#define SKILLSET_DIGEST_MAX 72 /* "sha256:" + 64 hex + NUL */

struct skillset_file {
	char *rel;  /* inside the skill folder: "SKILL.md", "scripts/x.py" */
	char *path; /* inside the package: "skills/NAME/..." */
	uint64_t size;
	uint8_t blake2b[32]; /* from the signed manifest */
	uint8_t sha256[32];  /* of the same, verified bytes */
};

struct skillset_skill {
	char *name;        /* the front matter's, equal to the folder's */
	char *description; /* the front matter's */
	char *package;     /* "acme/pdf-tools" */
	char *version;
	char *publisher; /* key id */
	char *root;      /* the installed package folder, absolute */
	char *dir;       /* the same, as the store index names it */
	char *manifest;  /* the hash of manifest.json recorded at install */
	char *uri_path;  /* see the file comment */
	cJSON *frontmatter;
	struct skillset_file *files; /* sorted by rel */
	size_t nfiles;
};

struct skillset {
	struct skillset_skill **skills; /* sorted by uri_path */
	size_t n;
};

/*
 * Load the Agent Skills installed under home. reuse (may be NULL) is an
 * earlier set: a package whose folder and manifest hash are unchanged is
 * taken from it (already verified) instead of hashed again. *out is the
 * caller's (skillset_free). Errors are for the index (unreadable, damaged)
 * and memory; a tampered package is left out (serving goes on for the
 * others), unless strict: then it is the error (SH_ERR_TRUST naming the
 * file), as an export wants.
 */
sh_status skillset_load(const char *home, const struct skillset *reuse,
                        int strict, struct skillset **out, struct sh_error *e);

void skillset_free(struct skillset *set);

/* The skill whose uri_path is path, or NULL. */
const struct skillset_skill *skillset_find(const struct skillset *set,
                                           const char *path);

/* The skill named by a skill:// URI and, when the URI names one of its
 * files, that file (*file NULL for the skill's folder itself). NULL when
 * the URI names nothing in the set. */
const struct skillset_skill *
skillset_find_uri(const struct skillset *set, const char *uri,
                  const struct skillset_file **file);

/* The file rel of s, or NULL. */
const struct skillset_file *skillset_file(const struct skillset_skill *s,
                                          const char *rel);

/* "sha256:<hex>" of f into out (SKILLSET_DIGEST_MAX bytes). */
void skillset_digest(const struct skillset_file *f, char *out);

/*
 * Read f of s from the store, checking its bytes against the signed
 * manifest again: a file changed since install is SH_ERR_TRUST naming it
 * and how to repair the package. *data (NUL-terminated, *len bytes) is
 * the caller's.
 */
sh_status skillset_read(const struct skillset_skill *s,
                        const struct skillset_file *f, char **data, size_t *len,
                        struct sh_error *e);

#endif /* SH_SKILLSET_H */
