/*
 * config.h - the operator's per-skill configuration, $HOME/config.json.
 *
 *   {"version": 1,
 *    "skills": {"ns/name": {"settings": {"KEY": "VALUE", ...},
 *                           "policy":   {"KEY": "VALUE", ...}}}}
 *
 * "settings" are the skill's own, read through the skill.config/1 host
 * extension. "policy" is the host's (isolation, timeout, input folders...),
 * never shown to the skill. Values are strings. The file is rewritten
 * atomically under a lock, so concurrent `skillhost config` runs never lose
 * an update and readers never see half a file.
 */
#ifndef SH_CONFIG_H
#define SH_CONFIG_H

#include <cjson/cJSON.h>

#include "status.h"

#define CONFIG_FILE      "config.json"
#define CONFIG_MAX_BYTES (4u * 1024 * 1024)

struct config;

/* Load home/config.json. A missing home or file is an empty config. A
 * malformed file is SH_ERR_INVALID naming the file. *out is owned by the
 * caller (config_free). */
sh_status config_load(const char *home, struct config **out,
                      struct sh_error *e);

void config_free(struct config *c);

/* A skill setting or policy value, or NULL. Borrowed from c. c may be NULL. */
const char *config_setting(const struct config *c, const char *skill,
                           const char *key);
const char *config_policy(const struct config *c, const char *skill,
                          const char *key);

/* The {"settings":..., "policy":...} object of a skill, or NULL. Borrowed. */
const cJSON *config_skill(const struct config *c, const char *skill);

/*
 * Set (value != NULL) or remove (value == NULL) one key of a skill's
 * "settings" or "policy" section in home/config.json, creating home and the
 * file as needed. Serialized with other writers by a lock file; written
 * atomically.
 */
sh_status config_update(const char *home, const char *skill,
                        const char *section, const char *key, const char *value,
                        struct sh_error *e);

#endif /* SH_CONFIG_H */
