/*
 * agentskill.h - Agent Skills (agentskills.io) inside skill packages.
 *
 * An Agent Skill is a folder holding SKILL.md (YAML front matter, then
 * Markdown instructions) and optionally scripts/, references/ and assets/.
 * A package carries them as skills/<name>/..., every file hashed into the
 * signed manifest like any other. The host never runs what they contain:
 * their scripts are data handed to agents.
 *
 * The front matter parser reads the subset of YAML the specification uses,
 * strictly: top-level "key: value" pairs (plain, single- or double-quoted
 * scalars, "|" / ">" block scalars), and the one nested mapping, metadata,
 * of string values. Anything else (lists, anchors, tags, flow collections,
 * plain scalars YAML would read as numbers, booleans or null) is refused
 * with the file, the field and what to write instead, so the JSON the host
 * serves is exactly what any YAML reader makes of the file.
 */
#ifndef SH_AGENTSKILL_H
#define SH_AGENTSKILL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "status.h"

#define AGENTSKILL_FILE              "SKILL.md"
#define AGENTSKILL_DIR               "skills"
#define AGENTSKILL_NAME_MAX          64
#define AGENTSKILL_DESCRIPTION_MAX   1024
#define AGENTSKILL_COMPATIBILITY_MAX 500
#define AGENTSKILL_MAX_BYTES         ((size_t)1024 * 1024) /* one SKILL.md */

struct agentskill {
	char *name;
	char *description;
	char *license;       /* or NULL */
	char *compatibility; /* or NULL */
	char *allowed_tools; /* or NULL: space-separated, as written */
	cJSON *frontmatter;  /* every field as JSON, in file order; owned */
	size_t body_offset;  /* where the Markdown after the front matter starts
	                      */
};

/*
 * Parse and validate SKILL.md text (len bytes). origin names the file in
 * errors; folder (may be NULL) is the name of the folder holding it, which
 * the skill's name must equal. Errors are SH_ERR_INVALID and read
 * "ORIGIN: field \"F\": RULE". On success *out is the caller's
 * (agentskill_free).
 */
sh_status agentskill_parse(const char *text, size_t len, const char *origin,
                           const char *folder, struct agentskill **out,
                           struct sh_error *e);

/* Read path (at most AGENTSKILL_MAX_BYTES) and agentskill_parse it. */
sh_status agentskill_load(const char *path, const char *folder,
                          struct agentskill **out, struct sh_error *e);

void agentskill_free(struct agentskill *s);

/* 1 when name follows the specification's naming rule: 1-64 of [a-z0-9-],
 * no leading, trailing or doubled hyphen. */
int agentskill_valid_name(const char *name);

/*
 * For a package path: when it is skills/<name>/<rest>, copy <name> into
 * name (AGENTSKILL_NAME_MAX + 1 bytes) and return <rest>; else NULL.
 */
const char *agentskill_split_path(const char *path, char *name);

/* Called for each file a scan finds: pkg_path is its path in the package
 * (skills/<name>/...), src_path where it is now. */
typedef sh_status (*agentskill_file_fn)(void *ud, const char *pkg_path,
                                        const char *src_path,
                                        struct sh_error *e);

/*
 * Walk src, the folder of one Agent Skill called name: validate its
 * SKILL.md (agentskill_load, the folder name being name), then call fn for
 * each regular file, SKILL.md included. Entries whose name starts with '.'
 * (.git, .DS_Store) are not part of a skill and are skipped; links and
 * other non-regular files are refused, naming them.
 */
sh_status agentskill_scan_folder(const char *src, const char *name,
                                 agentskill_file_fn fn, void *ud,
                                 struct sh_error *e);

/*
 * Scan every dir/skills/<name>/ of a package source folder as above. *count
 * (may be NULL) receives the number of skills; a folder without skills/
 * has none. Anything in skills/ that is not a skill folder is refused.
 */
sh_status agentskill_scan_package(const char *dir, agentskill_file_fn fn,
                                  void *ud, size_t *count, struct sh_error *e);

struct manifest;

/*
 * Check the Agent Skills of an extracted package (root, whose packaged
 * manifest is m): every skills/<name>/ holds a SKILL.md that passes
 * agentskill_load. *names (may be NULL) receives a JSON array of the skill
 * names, sorted; the caller's. No skills is an empty array.
 */
sh_status agentskill_check_package(const char *root, const struct manifest *m,
                                   cJSON **names, struct sh_error *e);

#endif /* SH_AGENTSKILL_H */
