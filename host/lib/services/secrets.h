/*
 * secrets.h - the operator's secrets for skills, and skill.secrets/1.
 *
 * $HOME/secrets.json (mode 0600, rewritten atomically under a lock):
 *   {"format": 1,
 *    "skills":   {"ns/name": {"JIRA_API_TOKEN": "..."}},
 *    "from_env": {"ns/name": {"JIRA_API_TOKEN": "JIRA_TOKEN"}}}
 * "skills" holds values; "from_env" holds the operator's approvals to pass
 * an environment variable of the host process (here JIRA_TOKEN) to a skill
 * as one of its secrets at call time. A skill reads a secret only when its
 * manifest declares it, and gets a value only from what the operator
 * decided: a stored value, else an approved environment variable. The
 * environment is never consulted for an installed skill on its own: a
 * manifest naming OPENAI_API_KEY must not be enough to receive the
 * operator's key. Skills loaded from a file for development (no manifest,
 * no store decision) may read the environment variable of the secret's
 * name; the host says so on stderr, once per skill and variable. Values
 * never reach a log, an error message or the audit log.
 */
#ifndef SH_SECRETS_H
#define SH_SECRETS_H

#include <stddef.h>

#include <cjson/cJSON.h>
#include <skill/ext/secrets.h>

#include "status.h"

#define SECRETS_FILE      "secrets.json"
#define SECRETS_MAX_BYTES ((size_t)4 * 1024 * 1024)
#define SECRET_VALUE_MAX  ((size_t)64 * 1024)

extern const skill_ext_secrets_t secrets_ext;

/* 1 when name is a secret name: [A-Z][A-Z0-9_]*, at most 64. */
int secrets_valid_name(const char *name);

/* 1 when var is an environment variable name an approval may name:
 * [A-Za-z_][A-Za-z0-9_]*, at most 128. */
int secrets_valid_env_name(const char *var);

/* Set (value != NULL) or remove one secret of skill, creating the file
 * 0600. value is len bytes and may hold anything but NUL. Setting a value
 * withdraws an environment approval for the same name (the operator's
 * latest decision is the one that counts); removing removes both, and is
 * SH_ERR_NOTFOUND when there was neither. */
sh_status secrets_set(const char *home, const char *skill, const char *name,
                      const char *value, size_t len, struct sh_error *e);

/* Record the operator's approval that environment variable var may be
 * passed to skill as its secret name at call time (var NULL: name). It
 * replaces a stored value of that name. Under the lock, written
 * atomically, 0600. */
sh_status secrets_allow_env(const char *home, const char *skill,
                            const char *name, const char *var,
                            struct sh_error *e);

/* What the store holds for skill, by secret name, never with values:
 * {"NAME": {"source": "stored"} | {"source": "env", "variable": "VAR"}}.
 * *out is the caller's. */
sh_status secrets_describe(const char *home, const char *skill, cJSON **out,
                           struct sh_error *e);

/* The names (never the values) of skill's stored secrets as a
 * NULL-terminated array the caller frees with secrets_free_names. */
sh_status secrets_names(const char *home, const char *skill, char ***names,
                        struct sh_error *e);
void secrets_free_names(char **names);

/* Copy value into buf the way skill.secrets/1 get() answers: truncated to
 * cap - 1 bytes and always terminated (nothing written when buf is NULL or
 * cap is 0). Returns the value's whole length, so a caller whose buffer
 * was too small can ask again with a bigger one. */
int64_t secrets_copy_out(const char *value, char *buf, size_t cap);

/* Look a secret up for skill: the stored value, else the environment
 * variable the operator approved for it (when it is set). Copies into buf
 * as skill.secrets/1 get() does; returns the length, or -1 when there is
 * neither. home NULL: -1. */
int64_t secrets_lookup(const char *home, const char *skill, const char *name,
                       char *buf, size_t cap);

#endif /* SH_SECRETS_H */
