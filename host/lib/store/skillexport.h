/*
 * skillexport.h - verified copies of installed Agent Skills in the folders
 * agents read them from.
 *
 * Each client documents a user-level and a project-level skills folder
 * (see skillexport_client_dir). Exporting writes one folder per skill,
 * <dest>/<name>/, from bytes re-checked against the signed manifest at
 * that moment (a changed installed file is refused, and nothing of that
 * skill is written). What was written is recorded in
 * $SKILLHOST_HOME/exports.json (every folder, its skill, package, version
 * and each file's SHA-256), replaced atomically under a lock.
 *
 * Safety: a folder the record does not name is never touched (export
 * refuses it, naming it); a recorded folder whose files were changed or
 * added to since is refused too, so nobody's edits are overwritten or
 * deleted. A new copy is built beside the folder and renamed into place,
 * so an agent sees the old copy or the new one. Files are written 0644:
 * the host never makes a skill's scripts executable; agents run them, if
 * they choose, as the data they are.
 */
#ifndef SH_SKILLEXPORT_H
#define SH_SKILLEXPORT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "status.h"

#define SKILLEXPORT_STATE "exports.json"

/*
 * The skills folder of client ("claude-code", "codex", "copilot",
 * "cursor", "agents") into out: under project when it is not NULL, else
 * under the user's home folder user_home. An unknown client is
 * SH_ERR_USAGE listing the known ones.
 */
sh_status skillexport_client_dir(const char *client, const char *project,
                                 const char *user_home, char *out, size_t cap,
                                 struct sh_error *e);

/* The known clients, NULL-terminated, for help texts. */
extern const char *const skillexport_clients[];

/*
 * Export the installed Agent Skills (only those named only, a skill or a
 * package name, when not NULL) into dest, creating it. label (the client,
 * or "dir") is recorded. *report (may be NULL) receives [{"skill",
 * "package", "version", "folder", "files"}] for what was written. Stops at
 * the first refusal; the skills exported before it stay exported and
 * recorded.
 */
sh_status skillexport_export(const char *home, const char *dest,
                             const char *label, const char *only,
                             cJSON **report, struct sh_error *e);

/*
 * Remove recorded copies: those in dest (all folders when NULL) of
 * package, a package or a skill name (every package when NULL). A copy changed
 * since it was written is refused unless force. *report (may be NULL) receives
 * the removed folders as a JSON array of strings.
 */
sh_status skillexport_remove(const char *home, const char *dest,
                             const char *package, int force, cJSON **report,
                             struct sh_error *e);

#endif /* SH_SKILLEXPORT_H */
