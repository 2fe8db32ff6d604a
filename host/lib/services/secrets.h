/*
 * secrets.h - the operator's secrets for skills, and skill.secrets/1.
 *
 * $HOME/secrets.json (mode 0600, rewritten atomically under a lock):
 *   {"format": 1, "skills": {"ns/name": {"JIRA_API_TOKEN": "..."}}}
 * A skill reads a secret only when its manifest declares it; the value
 * comes from this file, else from the environment variable of the same
 * name. Values never reach a log, an error message or the audit log.
 */
#ifndef SH_SECRETS_H
#define SH_SECRETS_H

#include <stddef.h>

#include <skill/ext/secrets.h>

#include "status.h"

#define SECRETS_FILE      "secrets.json"
#define SECRETS_MAX_BYTES (4u * 1024 * 1024)
#define SECRET_VALUE_MAX  (64u * 1024)

extern const skill_ext_secrets_t secrets_ext;

/* Set (value != NULL) or remove one secret of skill, creating the file
 * 0600. value is len bytes and may hold anything but NUL. */
sh_status secrets_set(const char *home, const char *skill, const char *name,
                      const char *value, size_t len, struct sh_error *e);

/* The names (never the values) of skill's secrets as a NULL-terminated
 * array the caller frees with secrets_free_names. */
sh_status secrets_names(const char *home, const char *skill, char ***names,
                        struct sh_error *e);
void secrets_free_names(char **names);

/* Look a secret up for skill: file first, then the environment. Copies
 * into buf as skill.secrets/1 get() does; returns the length or -1. */
int64_t secrets_lookup(const char *home, const char *skill, const char *name,
                       char *buf, size_t cap);

#endif /* SH_SECRETS_H */
