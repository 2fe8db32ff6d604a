/*
 * config.h - the operator's per-skill configuration, $HOME/config.json.
 *
 *   {"version": 1,
 *    "host":   {"KEY": "VALUE", ...},
 *    "skills": {"ns/name": {"settings": {"KEY": "VALUE", ...},
 *                           "policy":   {"KEY": "VALUE", ...}}}}
 *
 * "settings" are the skill's own, read through the skill.config/1 host
 * extension. "policy" is the host's (isolation, timeout, input folders...),
 * never shown to the skill. "host" holds the host-wide defaults a skill's
 * policy overrides (`skillhost config --host KEY VALUE`: timeout and the
 * artifact quotas). Values are strings. The file is rewritten
 * atomically under a lock, so concurrent `skillhost config` runs never lose
 * an update and readers never see half a file.
 */
#ifndef SH_CONFIG_H
#define SH_CONFIG_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "status.h"

#define CONFIG_FILE      "config.json"
#define CONFIG_MAX_BYTES ((size_t)4 * 1024 * 1024)
/* The deadline of a call nobody configured: a skill that spins must not
 * hold a worker forever. */
#define CONFIG_TIMEOUT_DEFAULT_MS 60000

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

/* A host-wide default ("host" section), or NULL. Borrowed. */
const char *config_host(const struct config *c, const char *key);

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

/* Remove everything configured for skill (settings and policy), under
 * the same lock; a skill with nothing configured is not an error. */
sh_status config_remove_skill(const char *home, const char *skill,
                              struct sh_error *e);

/* The same for the "host" section (host-wide defaults). */
sh_status config_update_host(const char *home, const char *key,
                             const char *value, struct sh_error *e);

/*
 * Parse a duration: a number of milliseconds ("1500"), or a number with a
 * unit: ms, s, m, h, d ("250ms", "30s", "2m", "1h", "7d"). Returns 0 and
 * sets *out_ms for a positive duration of at most 100 years; -1 for
 * anything else (empty, zero, negative, trailing junk, overflow).
 */
int config_parse_duration_ms(const char *s, int64_t *out_ms);

/* Parse a size ("512M", "2G", "64K", "1048576") into bytes; 0 when
 * malformed, zero or too large. */
uint64_t config_parse_size(const char *s);

/*
 * The deadline of one call of skill, in ms, by precedence: per_call_ms
 * (the caller's --timeout) when > 0; else the skill's `timeout` policy;
 * else host_ms (a server's --call-timeout) when > 0; else the host
 * section's `timeout`; else CONFIG_TIMEOUT_DEFAULT_MS. Never 0: every call
 * has a deadline. c may be NULL; malformed values are skipped.
 */
int64_t config_call_timeout_ms(const struct config *c, const char *skill,
                               int64_t per_call_ms, int64_t host_ms);

/* The `confirm-destructive` policy of skill ("on" or "off"; the skill's
 * policy, else the host section's; off when neither is set): 1 when the
 * user must confirm each destructive call first (core/confirm.h). A
 * value other than on/off counts as on: a typo must not turn a safety
 * check off. c may be NULL. */
int config_confirm_destructive(const struct config *c, const char *skill);

#endif /* SH_CONFIG_H */
