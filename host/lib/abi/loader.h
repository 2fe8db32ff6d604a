/*
 * loader.h - open a skill shared object and check it against ABI v1.
 *
 * loader_open dlopens the file with RTLD_NOW|RTLD_LOCAL (every symbol the
 * skill needs resolved up front, none of its symbols leaking into the global
 * namespace), calls its entry function and refuses it, with a message naming
 * the file, the field and both versions, when:
 *   - the entry symbol skill_entry_v1 is missing (naming any other ABI major
 *     the file does export);
 *   - the entry function returns NULL;
 *   - struct_size is too small for ABI 1.0, or the ABI major differs, or the
 *     pointer size differs;
 *   - a required pointer is NULL (name, version, description, invoke, tools);
 *   - a descriptor is invalid (names, versions, schemas; see skilldesc.h);
 *   - a tool requires a host extension this host lacks.
 * It does not call the skill's init: that is the executor's job, so that
 * probing a file never runs more of its code than necessary.
 */
#ifndef SH_LOADER_H
#define SH_LOADER_H

#include <skill/entry.h>

#include "skilldesc.h"
#include "status.h"

struct loaded_skill {
	char *path;                 /* as given */
	void *dl;                   /* dlopen handle; never closed once used */
	const skill_entry_t *entry; /* the skill's own descriptor */
	skill_entry_t e;            /* its prefix, zero-extended to our size */
	struct skilldesc *desc;     /* validated copy */
};

/* The smallest struct_size a v1.0 skill_entry_t may have. */
#define LOADER_ENTRY_MIN_SIZE                                                  \
	(offsetof(skill_entry_t, get_extension) +                              \
	 sizeof(((skill_entry_t *)0)->get_extension))

/*
 * Open and check the skill at path. On success *out is owned by the caller.
 * Errors: SH_ERR_NOTFOUND (no such file), SH_ERR_ABI (refused; the message
 * says why), SH_ERR_NOMEM.
 */
sh_status loader_open(const char *path, struct loaded_skill **out,
                      struct sh_error *e);

/*
 * Release a loaded skill. When its init never ran, the object is dlclosed;
 * otherwise it stays mapped, because a skill may have left threads or
 * atexit handlers behind that would crash on unmapped code.
 */
void loader_close(struct loaded_skill *ls, int initialised);

/* 1 when this host provides the host extension id. */
int loader_host_has_extension(const char *id);

#endif /* SH_LOADER_H */
