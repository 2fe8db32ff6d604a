/*
 * skilldesc.h - the host's own, validated copy of what a skill declares.
 *
 * A skill's descriptors live in its shared object; the host copies them into
 * a skilldesc right after loading, so nothing later depends on the skill's
 * memory (which an isolated skill does not share) and the same description
 * can be cached as JSON (the catalog) or sent across a process boundary (the
 * install-time probe and isolated workers).
 */
#ifndef SH_SKILLDESC_H
#define SH_SKILLDESC_H

#include <stdint.h>

#include <cjson/cJSON.h>
#include <skill/entry.h>

#include "names.h"
#include "status.h"

/* Limits on what a skill may declare (and names.h: names, versions, tool
 * count, text). */
#define SKILLDESC_MAX_SCHEMA   ((size_t)256 * 1024)
#define SKILLDESC_MAX_REQUIRES 32

enum {
	HINT_READ_ONLY,
	HINT_DESTRUCTIVE,
	HINT_IDEMPOTENT,
	HINT_OPEN_WORLD,
	HINT_COUNT
};

struct tooldesc {
	char *name;
	char *title; /* may be NULL */
	char *description;
	char *input_schema;  /* JSON text, object root */
	char *output_schema; /* JSON text or NULL */
	skill_hint hints[HINT_COUNT];
	char **requires_ext; /* NULL-terminated, possibly empty */
};

struct skilldesc {
	char *name;    /* "namespace/name" */
	char *version; /* semver */
	char *description;
	char *license; /* may be NULL */
	uint64_t flags;
	uint32_t ntools;
	struct tooldesc *tools;
};

/*
 * Copy and validate the descriptor a skill returned. origin (the file path)
 * and every field name appear in error messages, e.g.
 * "x.so: tools[1].input_schema: at #/properties/n/minimum: must be a number".
 * The entry must already have passed the loader's size and ABI checks and be
 * zero-extended to the host's sizeof(skill_entry_t). On success *out is owned
 * by the caller (skilldesc_free).
 */
sh_status skilldesc_from_entry(const skill_entry_t *entry, const char *origin,
                               struct skilldesc **out, struct sh_error *e);

/* Serialize to JSON ({"name","version",...,"tools":[...]}); the caller owns
 * the tree. NULL when out of memory. */
cJSON *skilldesc_to_json(const struct skilldesc *d);

/* Parse and validate the form skilldesc_to_json writes. origin names the
 * source in errors. */
sh_status skilldesc_from_json(const cJSON *json, const char *origin,
                              struct skilldesc **out, struct sh_error *e);

void skilldesc_free(struct skilldesc *d);

/* The name and version rules (skilldesc_valid_*, skilldesc_semver_compare)
 * are in names.h, below the manifest and trust code that share them. */

/* skilldesc_from_json for descriptions this host validated itself earlier
 * (the store's index): the same structure checks, but schemas are not
 * compiled until a tool is first called, so start-up stays fast. */
sh_status skilldesc_from_json_trusted(const cJSON *json, const char *origin,
                                      struct skilldesc **out,
                                      struct sh_error *e);

#endif /* SH_SKILLDESC_H */
