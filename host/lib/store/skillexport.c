/*
 * skillexport.c - verified copies of Agent Skills for agents. See
 * skillexport.h.
 */
#include "skillexport.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fsutil.h"
#include "jsonfile.h"
#include "skillset.h"
#include "store.h"

#define EXPORT_LOCK "exports.lock"

const char *const skillexport_clients[] = {"claude-code", "codex",  "copilot",
                                           "cursor",      "agents", NULL};

/*
 * Where each client reads Agent Skills, from its documentation:
 *  - Claude Code: ~/.claude/skills, .claude/skills (docs.claude.com,
 *    "Agent Skills" in Claude Code);
 *  - Codex: ~/.agents/skills, .agents/skills (developers.openai.com/codex/
 *    skills; older releases also read ~/.codex/skills);
 *  - GitHub Copilot (VS Code, CLI): ~/.copilot/skills, .github/skills
 *    (code.visualstudio.com, Agent Skills reference);
 *  - Cursor: ~/.cursor/skills, .cursor/skills (cursor.com docs, Skills);
 *  - agents: the client-neutral ~/.agents/skills, .agents/skills that
 *    Codex, Copilot and Cursor all read.
 */
static const struct {
	const char *client, *user, *project;
} client_dirs[] = {
        {"claude-code", ".claude/skills", ".claude/skills"},
        {"codex", ".agents/skills", ".agents/skills"},
        {"copilot", ".copilot/skills", ".github/skills"},
        {"cursor", ".cursor/skills", ".cursor/skills"},
        {"agents", ".agents/skills", ".agents/skills"},
};

sh_status skillexport_client_dir(const char *client, const char *project,
                                 const char *user_home, char *out, size_t cap,
                                 struct sh_error *e)
{
	for (size_t i = 0; i < sizeof client_dirs / sizeof *client_dirs; i++) {
		if (strcmp(client, client_dirs[i].client))
			continue;
		if (project)
			return fs_pathf(out, cap, e, "%s/%s", project,
			                client_dirs[i].project);
		if (!user_home || !*user_home)
			return sh_error_set(
			        e, SH_ERR_USAGE,
			        "HOME is not set: give --project DIR "
			        "or --dir DIR");
		return fs_pathf(out, cap, e, "%s/%s", user_home,
		                client_dirs[i].user);
	}
	return sh_error_set(e, SH_ERR_USAGE,
	                    "unknown client \"%s\"; known: claude-code, codex, "
	                    "copilot, cursor, agents (or --dir DIR)",
	                    client);
}

/* ---- the state file ---- */

static sh_status state_load(const char *home, cJSON **out, struct sh_error *e)
{
	char path[PATH_MAX], *text = NULL;
	size_t len;
	sh_status rc;
	cJSON *j;

	*out = NULL;
	if ((rc = fs_pathf(path, sizeof path, e, "%s/%s", home,
	                   SKILLEXPORT_STATE)))
		return rc;
	if (!fs_exists(path)) {
		j = cJSON_CreateObject();
		if (!j || !cJSON_AddNumberToObject(j, "format", 1) ||
		    !cJSON_AddObjectToObject(j, "copies")) {
			cJSON_Delete(j);
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		}
		*out = j;
		return SH_OK;
	}
	if ((rc = fs_read_file(path, (size_t)64 * 1024 * 1024, &text, &len, e)))
		return rc;
	j = cJSON_ParseWithLength(text, len);
	free(text);
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "copies"))) {
		cJSON_Delete(j);
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s is damaged; it records the exported "
		        "skill folders: restore it, or remove it and "
		        "the folders it named by hand",
		        path);
	}
	*out = j;
	return SH_OK;
}

static sh_status state_save(const char *home, const cJSON *j,
                            struct sh_error *e)
{
	char path[PATH_MAX];
	sh_status rc;

	if ((rc = fs_pathf(path, sizeof path, e, "%s/%s", home,
	                   SKILLEXPORT_STATE)))
		return rc;
	return json_write_atomic(path, j, 0600, 0, e);
}

/* ---- the folders export creates ---- */

/* Create dest, recording in state's "dirs" each folder that did not
 * exist, so removing the last copy can take them out again. */
static sh_status make_dest(const char *dest, cJSON *state, struct sh_error *e)
{
	char p[PATH_MAX];
	cJSON *dirs = cJSON_GetObjectItemCaseSensitive(state, "dirs");
	sh_status rc;

	if (!dirs && !(dirs = cJSON_AddObjectToObject(state, "dirs")))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if ((rc = fs_pathf(p, sizeof p, e, "%s", dest)))
		return rc;
	/* The missing ancestors, deepest first. */
	for (;;) {
		char *slash;
		if (fs_exists(p) || !*p)
			break;
		if (!cJSON_GetObjectItemCaseSensitive(dirs, p))
			cJSON_AddTrueToObject(dirs, p);
		slash = strrchr(p, '/');
		if (!slash || slash == p)
			break;
		*slash = '\0';
	}
	return fs_mkdirs(dest, 0755, e);
}

static int longer_first(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);
	return x < y ? 1 : x > y ? -1 : 0;
}

/* Remove the recorded folders export created that are now empty. */
static void prune_dirs(cJSON *state)
{
	cJSON *dirs = cJSON_GetObjectItemCaseSensitive(state, "dirs"), *d;
	char **v;
	size_t n = 0;

	v = calloc((size_t)cJSON_GetArraySize(dirs) + 1, sizeof *v);
	if (!v)
		return;
	cJSON_ArrayForEach(d, dirs) v[n++] = d->string;
	qsort(v, n, sizeof *v, longer_first);
	for (size_t i = 0; i < n; i++)
		if (rmdir(v[i]) == 0 || errno == ENOENT)
			cJSON_DeleteItemFromObjectCaseSensitive(dirs, v[i]);
	free(v);
}

/* ---- comparing a copy with what was recorded ---- */

static int sha256_file(const char *path, char hex[65])
{
	crypto_hash_sha256_state st;
	unsigned char buf[65536], h[32];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	crypto_hash_sha256_init(&st);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		crypto_hash_sha256_update(&st, buf, (size_t)n);
	close(fd);
	if (n < 0)
		return -1;
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, 65, h, 32);
	return 0;
}

/* Regular files under dir matching files ({rel: sha256 hex}): the number
 * seen, or -1 on anything else (a changed or unknown file, a link). */
static long count_matching(const char *dir, const char *rel, const cJSON *files,
                           int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long n = 0;

	if (!d || depth > 16) {
		if (d)
			closedir(d);
		return -1;
	}
	while ((de = readdir(d)) && n >= 0) {
		char p[PATH_MAX], r[PATH_MAX], hex[65];
		const cJSON *want;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(p, sizeof p, "%s/%s", dir, de->d_name) >=
		            (int)sizeof p ||
		    snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "",
		             de->d_name) >= (int)sizeof r ||
		    lstat(p, &st) != 0) {
			n = -1;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			long k = count_matching(p, r, files, depth + 1);
			n = k < 0 ? -1 : n + k;
			continue;
		}
		want = cJSON_GetObjectItemCaseSensitive(files, r);
		if (!S_ISREG(st.st_mode) || !cJSON_IsString(want) ||
		    sha256_file(p, hex) != 0 || strcmp(hex, want->valuestring))
			n = -1;
		else
			n++;
	}
	closedir(d);
	return n;
}

static int copy_unchanged(const char *folder, const cJSON *rec)
{
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(rec, "files");
	return count_matching(folder, "", files, 0) ==
	       (long)cJSON_GetArraySize(files);
}

/* ---- writing a copy ---- */

static sh_status write_copy(const struct skillset_skill *s, const char *tmp,
                            cJSON *files, struct sh_error *e)
{
	sh_status rc;

	if (mkdir(tmp, 0755) != 0)
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot create %s",
		                      tmp);
	for (size_t i = 0; i < s->nfiles; i++) {
		const struct skillset_file *f = &s->files[i];
		char path[PATH_MAX], parent[PATH_MAX], hex[65], *data, *slash;
		size_t len;

		if ((rc = skillset_read(s, f, &data, &len, e)))
			return rc;
		if ((rc = fs_pathf(path, sizeof path, e, "%s/%s", tmp,
		                   f->rel))) {
			free(data);
			return rc;
		}
		snprintf(parent, sizeof parent, "%s", path);
		slash = strrchr(parent, '/');
		*slash = '\0';
		rc = fs_mkdirs(parent, 0755, e);
		if (rc == SH_OK)
			rc = fs_write_atomic(path, data, len, 0644, e);
		free(data);
		if (rc != SH_OK)
			return rc;
		sodium_bin2hex(hex, sizeof hex, f->sha256, 32);
		if (!cJSON_AddStringToObject(files, f->rel, hex))
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	return fs_sync_dir(tmp, e);
}

static sh_status export_one(const char *dest, const char *label,
                            const struct skillset_skill *s, cJSON *copies,
                            cJSON *report, struct sh_error *e)
{
	char folder[PATH_MAX], tmp[PATH_MAX];
	unsigned char rnd[6];
	char rhex[13];
	const cJSON *old;
	cJSON *rec = NULL, *files;
	struct stat st;
	int exists;
	sh_status rc;

	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(rhex, sizeof rhex, rnd, sizeof rnd);
	if ((rc = fs_pathf(folder, sizeof folder, e, "%s/%s", dest, s->name)) ||
	    (rc = fs_pathf(tmp, sizeof tmp, e, "%s/.skillhost-%s.%s", dest,
	                   s->name, rhex)))
		return rc;
	old = cJSON_GetObjectItemCaseSensitive(copies, folder);
	exists = lstat(folder, &st) == 0;
	if (exists && !old)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%s exists and skillhost did not write it; "
		                    "it is left alone. Move it away (or remove "
		                    "it) to export %s there",
		                    folder, s->name);
	if (old && strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	                          old, "package"))
	                          ?: "",
	                  s->package))
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "%s holds the skill %s exported from %s, not "
		        "from %s; skillhost skills export --remove "
		        "first, or export to another folder",
		        folder, s->name,
		        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		                old, "package"))
		                ?: "?",
		        s->package);
	if (exists && (!S_ISDIR(st.st_mode) || !copy_unchanged(folder, old)))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%s was changed since skillhost wrote it "
		                    "(files edited, added or removed); it is "
		                    "left alone so no edit is lost. Move it "
		                    "away, then export again",
		                    folder);
	rec = cJSON_CreateObject();
	files = cJSON_AddObjectToObject(rec, "files");
	if (!rec || !files || !cJSON_AddStringToObject(rec, "skill", s->name) ||
	    !cJSON_AddStringToObject(rec, "package", s->package) ||
	    !cJSON_AddStringToObject(rec, "version", s->version) ||
	    !cJSON_AddStringToObject(rec, "client", label)) {
		cJSON_Delete(rec);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	if ((rc = write_copy(s, tmp, files, e)))
		goto fail;
	/* Swap the new copy in whole; the old one (now at tmp) goes. */
	if (exists ? renameat2(AT_FDCWD, tmp, AT_FDCWD, folder,
	                       RENAME_EXCHANGE) != 0
	           : rename(tmp, folder) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot move %s to %s",
		                    tmp, folder);
		goto fail;
	}
	if (exists)
		fs_remove_tree(tmp, NULL);
	if ((rc = fs_sync_dir(dest, e)))
		goto fail_recorded;
	cJSON_DeleteItemFromObjectCaseSensitive(copies, folder);
	cJSON_AddItemToObject(copies, folder, rec);
	if (report) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "skill", s->name);
		cJSON_AddStringToObject(r, "package", s->package);
		cJSON_AddStringToObject(r, "version", s->version);
		cJSON_AddStringToObject(r, "folder", folder);
		cJSON_AddNumberToObject(r, "files", (double)s->nfiles);
		cJSON_AddItemToArray(report, r);
	}
	return SH_OK;
fail:
	fs_remove_tree(tmp, NULL);
fail_recorded:
	cJSON_Delete(rec);
	return rc;
}

sh_status skillexport_export(const char *home, const char *dest,
                             const char *label, const char *only,
                             cJSON **report, struct sh_error *e)
{
	struct skillset *set = NULL;
	cJSON *state = NULL, *rep = NULL;
	size_t done = 0;
	sh_status rc;
	int lock = -1;

	if (report)
		*report = NULL;
	if ((rc = fs_lock_in(home, EXPORT_LOCK, &lock, e)) ||
	    (rc = state_load(home, &state, e)) ||
	    (rc = skillset_load(home, NULL, 1, &set, e)) ||
	    (rc = make_dest(dest, state, e)))
		goto out;
	rep = cJSON_CreateArray();
	for (size_t i = 0; rep && i < set->n && rc == SH_OK; i++) {
		const struct skillset_skill *s = set->skills[i];
		if (only && strcmp(only, s->name) && strcmp(only, s->package))
			continue;
		rc = export_one(
		        dest, label, s,
		        cJSON_GetObjectItemCaseSensitive(state, "copies"), rep,
		        e);
		done += rc == SH_OK;
		/* Recorded after each copy: a later refusal keeps the
		 * record of what is already out there. */
		if (rc == SH_OK)
			rc = state_save(home, state, e);
	}
	if (rc == SH_OK && !rep)
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (rc == SH_OK && done == 0)
		rc = sh_error_set(e, SH_ERR_NOTFOUND,
		                  only ? "no installed Agent Skill or package "
		                         "is called %s; see `skillhost skills "
		                         "list`"
		                       : "no Agent Skills are installed%s; "
		                         "packages carry them in "
		                         "skills/<name>/SKILL.md",
		                  only ? only : "");
	if (rc == SH_OK && report) {
		*report = rep;
		rep = NULL;
	}
out:
	cJSON_Delete(rep);
	cJSON_Delete(state);
	skillset_free(set);
	if (lock >= 0)
		close(lock);
	return rc;
}

sh_status skillexport_remove(const char *home, const char *dest,
                             const char *package, int force, cJSON **report,
                             struct sh_error *e)
{
	cJSON *state = NULL, *copies, *c, *next, *rep = NULL;
	size_t dlen = dest ? strlen(dest) : 0;
	sh_status rc;
	int lock = -1, changed = 0;

	if (report)
		*report = NULL;
	if ((rc = fs_lock_in(home, EXPORT_LOCK, &lock, e)) ||
	    (rc = state_load(home, &state, e)))
		goto out;
	rep = cJSON_CreateArray();
	if (!rep) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	copies = cJSON_GetObjectItemCaseSensitive(state, "copies");
	for (c = copies->child; c && rc == SH_OK; c = next) {
		const char *pkg = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(c, "package"));
		const char *folder = c->string;
		next = c->next;
		if (dest &&
		    (strncmp(folder, dest, dlen) || folder[dlen] != '/' ||
		     strchr(folder + dlen + 1, '/')))
			continue;
		/* --skill names a skill or a package. */
		if (package && (!pkg || strcmp(pkg, package)) &&
		    strcmp(cJSON_GetStringValue(
		                   cJSON_GetObjectItemCaseSensitive(c, "skill"))
		                   ?: "",
		           package))
			continue;
		if (fs_exists(folder) || fs_is_dir(folder)) {
			if (!force && !copy_unchanged(folder, c)) {
				rc = sh_error_set(
				        e, SH_ERR_USAGE,
				        "%s was changed since skillhost wrote "
				        "it; it is left alone so no edit is "
				        "lost (--force removes it anyway)",
				        folder);
				break;
			}
			if ((rc = fs_remove_tree(folder, e)))
				break;
		}
		cJSON_AddItemToArray(rep, cJSON_CreateString(folder));
		cJSON_DetachItemViaPointer(copies, c);
		cJSON_Delete(c);
		changed = 1;
	}
	if (changed) {
		sh_status src;
		prune_dirs(state);
		src = state_save(home, state, rc == SH_OK ? e : NULL);
		if (rc == SH_OK)
			rc = src;
	}
	if (rc == SH_OK && report) {
		*report = rep;
		rep = NULL;
	}
out:
	cJSON_Delete(rep);
	cJSON_Delete(state);
	if (lock >= 0)
		close(lock);
	return rc;
}
