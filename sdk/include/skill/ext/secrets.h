/*
 * skill/ext/secrets.h - secrets the operator gives a skill.
 *
 * Host extension "skill.secrets/1". A skill may read only the secrets its
 * manifest declares (permissions.secrets). The value is what the operator
 * decided: the store's secrets file (0600, written by `skillhost secret set
 * SKILL NAME` from stdin), else an environment variable of the host process
 * the operator approved for this skill (`skillhost secret set SKILL NAME
 * --from-env [VAR]`). The environment is never read on the manifest's word
 * alone; only a skill loaded from a file during development (`--skill`)
 * may read the variable of the secret's name, and the host says so. Values
 * never appear in the host's logs, errors or audit records; skills must not
 * log them either.
 */
#ifndef SKILL_EXT_SECRETS_H
#define SKILL_EXT_SECRETS_H

#include "../host.h"

#define SKILL_EXT_SECRETS "skill.secrets/1"

typedef struct skill_ext_secrets {
	uint32_t struct_size;

	/* [call] Copy secret name's value into buf (cap bytes, NUL-terminated,
	 * truncated when too small). Returns the value's full length, so a
	 * result >= cap means truncation; -1 when the secret is not set
	 * (the call should then fail with a tool error that names it and
	 * says `skillhost secret set SKILL NAME`); -2 when the manifest does
	 * not declare it (denied). buf is skill-owned: wipe it after use. */
	int64_t (*get)(skill_call_t *call, const char *name, char *buf,
	               size_t cap);
} skill_ext_secrets_t;

#endif /* SKILL_EXT_SECRETS_H */
