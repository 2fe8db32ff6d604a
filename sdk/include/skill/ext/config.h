/*
 * skill/ext/config.h - per-skill settings set by the operator.
 *
 * Host extension "skill.config/1". The operator sets values with
 *     skillhost config SKILL KEY VALUE
 * and the skill reads them here. Values are UTF-8 strings; secrets do not
 * belong here (use "skill.secrets/1").
 *
 * Skill extension "skill.config-schema/1". A skill that offers it publishes
 * a JSON Schema (object root) describing its settings. The host validates
 * values against it when the operator sets them, and `skillhost info` shows
 * it. Keys not in the schema are refused when the schema says
 * "additionalProperties": false.
 */
#ifndef SKILL_EXT_CONFIG_H
#define SKILL_EXT_CONFIG_H

#include "../host.h"

#define SKILL_EXT_CONFIG "skill.config/1"

typedef struct skill_ext_config {
	uint32_t struct_size;

	/* [thread-safe] Copy the value of setting key into buf, NUL-
	 * terminated and truncated to cap bytes (nothing is written when cap
	 * is 0). Returns the full length of the value in bytes, excluding the
	 * NUL, so a return >= cap means truncation; returns -1 when the
	 * setting is unset. key and buf are borrowed. */
	int64_t (*get)(const skill_host_t *host, const char *key, char *buf,
	               size_t cap);
} skill_ext_config_t;

#define SKILL_EXT_CONFIG_SCHEMA "skill.config-schema/1"

typedef struct skill_ext_config_schema {
	uint32_t struct_size;
	/* JSON Schema of the settings, as UTF-8 JSON text. Owned by the
	 * skill, static. */
	const char *schema;
} skill_ext_config_schema_t;

#endif /* SKILL_EXT_CONFIG_H */
