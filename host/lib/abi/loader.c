/*
 * loader.c - dlopen a skill and check its ABI. See loader.h.
 */
#include "loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <skill/ext/artifacts.h>
#include <skill/ext/config.h>
#include <skill/ext/http.h>
#include <skill/ext/secrets.h>

/* The host extensions this build offers; see hostapi.c. */
static const char *const host_extensions[] = {
        SKILL_EXT_CONFIG,
        SKILL_EXT_ARTIFACTS,
        SKILL_EXT_HTTP,
        SKILL_EXT_SECRETS,
        NULL,
};

int loader_host_has_extension(const char *id)
{
	for (const char *const *p = host_extensions; *p; p++)
		if (!strcmp(*p, id))
			return 1;
	return 0;
}

/* A file without our entry may still be a skill for another ABI major;
 * saying so beats "symbol not found". */
static int other_major(void *dl)
{
	char sym[32];

	for (int major = 0; major <= 16; major++) {
		if (major == SKILL_ABI_MAJOR)
			continue;
		snprintf(sym, sizeof sym, "skill_entry_v%d", major);
		if (dlsym(dl, sym))
			return major;
	}
	return -1;
}

static sh_status check_entry(const char *path, const skill_entry_t *en,
                             struct sh_error *e)
{
	size_t abi_end = offsetof(skill_entry_t, abi) + sizeof(en->abi);

	/* struct_size and abi are the first two members in every major, so
	 * they can be read before anything else is trusted. */
	if (en->struct_size < abi_end)
		return sh_error_set(
		        e, SH_ERR_ABI,
		        "%s: skill_entry_t.struct_size is %u, too "
		        "small to hold even the ABI stamp (%zu); the "
		        "file is not a skill built with the SDK",
		        path, en->struct_size, abi_end);
	if (en->abi.major != SKILL_ABI_MAJOR)
		return sh_error_set(
		        e, SH_ERR_ABI,
		        "%s: skill_entry_t.abi.major is %u: the skill "
		        "was built for ABI %u.%u, this host supports "
		        "ABI %d.x (up to %d.%d); rebuild the skill "
		        "against SDK %d",
		        path, en->abi.major, en->abi.major, en->abi.minor,
		        SKILL_ABI_MAJOR, SKILL_ABI_MAJOR, SKILL_ABI_MINOR,
		        SKILL_ABI_MAJOR);
	if (en->abi.ptr_size != sizeof(void *))
		return sh_error_set(e, SH_ERR_ABI,
		                    "%s: skill_entry_t.abi.ptr_size is %u: the "
		                    "skill was built for %u-bit pointers, this "
		                    "host uses %zu-bit ones",
		                    path, en->abi.ptr_size,
		                    en->abi.ptr_size * 8u, sizeof(void *) * 8);
	if (en->struct_size < LOADER_ENTRY_MIN_SIZE)
		return sh_error_set(
		        e, SH_ERR_ABI,
		        "%s: skill_entry_t.struct_size is %u, but ABI "
		        "%d.0 needs at least %zu (skill built for ABI "
		        "%u.%u, host %d.%d)",
		        path, en->struct_size, SKILL_ABI_MAJOR,
		        (size_t)LOADER_ENTRY_MIN_SIZE, en->abi.major,
		        en->abi.minor, SKILL_ABI_MAJOR, SKILL_ABI_MINOR);
	return SH_OK;
}

static sh_status check_required(const char *path, const skill_entry_t *en,
                                struct sh_error *e)
{
	const char *missing = !en->name                        ? "name"
	                      : !en->version                   ? "version"
	                      : !en->description               ? "description"
	                      : !en->invoke                    ? "invoke"
	                      : (!en->tools && en->tool_count) ? "tools"
	                                                       : NULL;
	if (missing)
		return sh_error_set(
		        e, SH_ERR_ABI,
		        "%s: skill_entry_t.%s is NULL; it is required "
		        "(skill ABI %u.%u, host %d.%d)",
		        path, missing, en->abi.major, en->abi.minor,
		        SKILL_ABI_MAJOR, SKILL_ABI_MINOR);
	return SH_OK;
}

static sh_status check_requires(const char *path, const struct skilldesc *d,
                                struct sh_error *e)
{
	for (uint32_t i = 0; i < d->ntools; i++)
		for (char **r = d->tools[i].requires_ext; *r; r++)
			if (!loader_host_has_extension(*r))
				return sh_error_set(
				        e, SH_ERR_ABI,
				        "%s: tool \"%s\" requires the host "
				        "extension \"%s\", which this host "
				        "(skillhost %s, ABI %d.%d) does not "
				        "offer; upgrade skillhost",
				        path, d->tools[i].name, *r,
				        SKILLHOST_VERSION, SKILL_ABI_MAJOR,
				        SKILL_ABI_MINOR);
	return SH_OK;
}

sh_status loader_open(const char *path, struct loaded_skill **out,
                      struct sh_error *e)
{
	struct loaded_skill *ls = NULL;
	skill_entry_fn fn;
	struct stat st;
	sh_status rc;

	*out = NULL;
	if (stat(path, &st) != 0)
		return sh_error_errno(
		        e, errno == ENOENT ? SH_ERR_NOTFOUND : SH_ERR_IO, errno,
		        "cannot load skill %s", path);
	if (S_ISDIR(st.st_mode)) /* a project folder, most likely */
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "cannot load skill %s: it is a folder; give "
		        "the built library, such as %s%sbuild/NAME.so "
		        "in a `skillhost new` project",
		        path, path, path[strlen(path) - 1] == '/' ? "" : "/");
	if (!S_ISREG(st.st_mode))
		return sh_error_set(e, SH_ERR_ABI,
		                    "cannot load skill %s: not a regular file",
		                    path);
	ls = calloc(1, sizeof *ls);
	if (!ls || !(ls->path = strdup(path))) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	/* dlopen needs a slash to take the path literally instead of
	 * searching the library path. */
	if (!strchr(path, '/')) {
		char rel[4096];
		snprintf(rel, sizeof rel, "./%s", path);
		ls->dl = dlopen(rel, RTLD_NOW | RTLD_LOCAL);
	} else {
		ls->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	}
	if (!ls->dl) {
		const char *why = dlerror();
		rc = sh_error_set(e, SH_ERR_ABI, "cannot load skill %s: %s",
		                  path, why ? why : "dlopen failed");
		goto fail;
	}
	*(void **)&fn = dlsym(ls->dl, SKILL_ENTRY_SYMBOL);
	if (!fn) {
		int major = other_major(ls->dl);
		if (major >= 0)
			rc = sh_error_set(
			        e, SH_ERR_ABI,
			        "%s: no entry symbol %s; it exports "
			        "skill_entry_v%d, so it was built for ABI "
			        "%d and this host supports ABI %d",
			        path, SKILL_ENTRY_SYMBOL, major, major,
			        SKILL_ABI_MAJOR);
		else
			rc = sh_error_set(
			        e, SH_ERR_ABI,
			        "%s: no entry symbol %s: not a skill, or "
			        "built without SKILL_EXPORT on %s",
			        path, SKILL_ENTRY_SYMBOL, SKILL_ENTRY_SYMBOL);
		goto fail;
	}
	ls->entry = fn();
	if (!ls->entry) {
		rc = sh_error_set(e, SH_ERR_ABI, "%s: %s() returned NULL", path,
		                  SKILL_ENTRY_SYMBOL);
		goto fail;
	}
	rc = check_entry(path, ls->entry, e);
	if (rc != SH_OK)
		goto fail;
	/* Newer skills may have appended fields we do not know; older ones
	 * leave ours zero. Either way we read only the shared prefix. */
	memcpy(&ls->e, ls->entry,
	       ls->entry->struct_size < sizeof ls->e ? ls->entry->struct_size
	                                             : sizeof ls->e);
	rc = check_required(path, &ls->e, e);
	if (rc != SH_OK)
		goto fail;
	rc = skilldesc_from_entry(&ls->e, path, &ls->desc, e);
	if (rc != SH_OK) {
		sh_error_suffix(e, " (skill ABI %u.%u, host ABI %d.%d)",
		                ls->e.abi.major, ls->e.abi.minor,
		                SKILL_ABI_MAJOR, SKILL_ABI_MINOR);
		goto fail;
	}
	rc = check_requires(path, ls->desc, e);
	if (rc != SH_OK)
		goto fail;
	*out = ls;
	return SH_OK;
fail:
	loader_close(ls, 0);
	return rc;
}

void loader_close(struct loaded_skill *ls, int initialised)
{
	if (!ls)
		return;
	if (ls->dl && !initialised)
		dlclose(ls->dl);
	skilldesc_free(ls->desc);
	free(ls->path);
	free(ls);
}
