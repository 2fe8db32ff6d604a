/*
 * perms.h - what an installed skill's signed manifest permits, typed.
 *
 * The manifest's "permissions" object ({"network":[...],"secrets":[...],
 * "filesystem":[...]}) is turned into a struct skill_perms once, when the
 * skill is loaded from the store, so the host services check a call against
 * plain arrays and flags instead of looking keys up in JSON on every call.
 * A NULL struct skill_perms * means "not restricted": skills loaded from a
 * file during development have no manifest the operator reviewed.
 */
#ifndef SH_PERMS_H
#define SH_PERMS_H

#include <stddef.h>

#include "status.h"

struct cJSON;

/* permissions.filesystem items, as flags. */
enum {
	PERMS_FS_ARTIFACTS = 1u << 0, /* "artifacts": may write output files */
	PERMS_FS_INPUTS = 1u << 1     /* "inputs": may read the input folders */
};

struct skill_perms {
	char **network; /* permissions.network: "host", "*.domain", "host:port"
	                 */
	size_t nnetwork;
	char **secrets; /* permissions.secrets: names like JIRA_API_TOKEN */
	size_t nsecrets;
	unsigned fs; /* PERMS_FS_* */
};

/*
 * Build *out from a manifest's "permissions" object (as the store record
 * keeps it). Lists that are absent are empty; items that are not strings,
 * filesystem items other than "artifacts" and "inputs", and a perm that is
 * not an object grant nothing (the manifest was validated at install; a
 * damaged record must never grant more). *out is owned by the caller
 * (perms_free). Errors: SH_ERR_NOMEM.
 */
sh_status perms_from_json(const struct cJSON *perm, struct skill_perms **out,
                          struct sh_error *e);

void perms_free(struct skill_perms *p);

/* 1 when p lists item among its secrets; always when p is NULL. */
int perms_secret(const struct skill_perms *p, const char *name);

/* 1 when p grants the PERMS_FS_* flag; always when p is NULL. */
int perms_fs(const struct skill_perms *p, unsigned flag);

#endif /* SH_PERMS_H */
