/*
 * profile.h - named tool subsets ("profiles") and the mapping from a
 * caller's token claims to one, kept in home/profiles.json:
 *
 *   {"version": 1,
 *    "profiles": {"sales": {"tools": ["skillhost/salesforce.*",
 *                                     "example/hello.*"]}},
 *    "claims":   [{"scope": "crm", "profile": "sales"},
 *                 {"group": "eng", "profile": "dev"},
 *                 {"client_id": "ci-bot", "profile": "ci"}]}
 *
 * A pattern is a glob over canonical tool names ("ns/skill.tool"): '*'
 * matches any run of characters ('/' and '.' included), '?' any one; every
 * other character matches itself. A tool is in a profile when any of its
 * patterns matches. A native skill's prompts, resources and completions
 * are visible when any of its tools is (mcp_skill_in_profile); an Agent
 * Skill, which has no tools, is named "<package>.<name>" for matching
 * (mcp_skills.h). "claims" is an ordered list: the first rule whose one
 * claim (scope, group or client_id) the principal carries names its
 * profile, so an operator puts the narrow rules first. The file is written
 * atomically under a lock, like config.json.
 */
#ifndef SH_PROFILE_H
#define SH_PROFILE_H

#include <stddef.h>

#include "status.h"

#define PROFILE_FILE         "profiles.json"
#define PROFILE_NAME_MAX     64
#define PROFILE_PATTERN_MAX  256
#define PROFILE_PATTERNS_MAX 256

struct profile {
	char name[PROFILE_NAME_MAX + 1];
	char **patterns; /* n_patterns globs, owned by the set */
	size_t n_patterns;
};

struct profile_set;

/* Who is calling, as a verified access token says (the OAuth resource
 * server fills it; any field may be NULL/0). Borrowed throughout. */
struct principal {
	const char *sub;
	const char *client_id;
	const char *const *scopes;
	size_t n_scopes;
	const char *const *groups;
	size_t n_groups;
};

/* 1 when glob pattern matches the whole of name, else 0. */
int profile_pattern_match(const char *pattern, const char *name);

/* 1 when the tool with this canonical name is in p; p NULL (no profile)
 * allows every tool. */
int profile_allows(const struct profile *p, const char *canonical);

/* 0 when s is a usable profile name ([a-z0-9_-], 1..PROFILE_NAME_MAX,
 * starting with a letter or digit), else -1. */
int profile_name_check(const char *s);

/* 0 when s is a usable pattern (1..PROFILE_PATTERN_MAX printable ASCII
 * characters, no spaces), else -1. */
int profile_pattern_check(const char *s);

/* Load home/profiles.json (missing: an empty set). A malformed file is
 * SH_ERR_INVALID naming the file and the bad entry. *out is the caller's
 * (profile_set_free). */
sh_status profile_set_load(const char *home, struct profile_set **out,
                           struct sh_error *e);
void profile_set_free(struct profile_set *ps);

/* The profile called name, or NULL. Borrowed from ps. */
const struct profile *profile_get(const struct profile_set *ps,
                                  const char *name);

/* The i-th profile in name order (i < profile_count), borrowed. */
size_t profile_count(const struct profile_set *ps);
const struct profile *profile_at(const struct profile_set *ps, size_t i);

/* The profile the first matching "claims" rule names for who, or NULL
 * when no rule matches (the caller then uses its default: serve
 * --profile, or every tool). A rule naming a profile that does not exist
 * is refused when the file is loaded, so a non-NULL result is always a
 * real profile. Borrowed from ps. */
const struct profile *profile_for_principal(const struct profile_set *ps,
                                            const struct principal *who);

/* Create or replace profile name with the given patterns (each checked);
 * under the lock, atomically. */
sh_status profile_store_set(const char *home, const char *name,
                            const char *const *patterns, size_t n,
                            struct sh_error *e);

/* Remove profile name: SH_ERR_NOTFOUND when there is none; SH_ERR_USAGE
 * while a "claims" rule still names it (remove the rule first). */
sh_status profile_store_remove(const char *home, const char *name,
                               struct sh_error *e);

/* Append the rule {kind: value, "profile": name} (kind is "scope",
 * "group" or "client_id"; the profile must exist), or with name NULL
 * remove every rule {kind: value}. */
sh_status profile_store_map(const char *home, const char *kind,
                            const char *value, const char *name,
                            struct sh_error *e);

#endif /* SH_PROFILE_H */
