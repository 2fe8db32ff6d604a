/*
 * dynlib.h - a shared library opened on first use, through a table of
 * function pointers.
 *
 * Every library the skillhost binary names in DT_NEEDED is mapped, with
 * all of its own dependencies, before main() runs, by every process,
 * whatever the command. libarchive (libxml2, ICU, libstdc++...) and
 * libmicrohttpd (GnuTLS, p11-kit...) were 30 objects and 3 ms of each
 * `skillhost call`, which uses neither, and libcrypto's relocations
 * another 0.6 ms. A library only some commands need is therefore opened
 * with dlopen the first time one of them needs it.
 *
 * This is the mechanism; each library has a small module that owns its
 * table, its soname and its once-guard (package/archive_dl.h,
 * package/libcrypto_dl.h, mcp/mhd_dl.h; util/curlapi.h predates it and
 * does the same by hand). The module's header also renames the library's
 * calls to go through the table, so the code that calls them reads as
 * before:
 *
 *   - the table is a struct of pointers typed from the library's own
 *     header (__typeof__(archive_read_new) *), so a call through it is
 *     checked like a direct call;
 *   - dynlib_spec lists the symbols with their offsets in that struct;
 *   - the module's load function runs dynlib_load_once() under its own
 *     pthread_once and publishes the table only when every symbol
 *     resolved: a library is either wholly usable or not at all.
 *
 * Libraries opened here are never closed: their code may still be on a
 * thread's stack, and a second dlopen would only return the same handle.
 */
#ifndef SH_DYNLIB_H
#define SH_DYNLIB_H

#include <stddef.h>

#include "status.h"

/* One function: the name the library exports, and where its pointer goes
 * in the table. */
struct dynlib_sym {
	const char *name;
	size_t offset;
};

/* What to open and how to talk about it when that fails. */
struct dynlib_spec {
	const char *name;    /* "libarchive", as users know it */
	const char *soname;  /* "libarchive.so.13": the ABI the headers have */
	const char *package; /* the Debian package that installs it */
	const char *version; /* the oldest release with every symbol */
	const char *purpose; /* "to pack, install and verify packages" */
	const struct dynlib_sym *syms;
	size_t nsyms;
};

/* A library's state once its load has run (see dynlib_load_once). */
struct dynlib_state {
	sh_status status;           /* SH_OK: table filled and usable */
	char msg[SH_ERROR_MSG_MAX]; /* why not, when status != SH_OK */
};

/*
 * [any thread] dlopen soname (the spec's when NULL) and resolve every
 * symbol of spec into table, the struct the offsets point into. SH_OK, or
 * SH_ERR_FAIL with a message that names the library, the soname and what
 * to install (a missing library), or the first missing function and the
 * version needed (a library of the wrong release). table is written only
 * on success. The library stays open either way.
 */
sh_status dynlib_open(const struct dynlib_spec *spec, const char *soname,
                      void *table, struct sh_error *e);

/*
 * [once per library] dynlib_open(spec, NULL, table) into *state: call it
 * from the library's pthread_once routine. The library's module publishes
 * its table only when state->status is SH_OK.
 */
void dynlib_load_once(const struct dynlib_spec *spec, void *table,
                      struct dynlib_state *state);

/*
 * [any thread, after the load ran] state's outcome into e: SH_OK, or the
 * load's status and message again (every later caller gets the same one).
 */
sh_status dynlib_result(const struct dynlib_state *state, struct sh_error *e);

/*
 * A function of spec's library was called before a load succeeded: a bug
 * in the caller (the contract is to call the module's load function first,
 * where the error can be reported). Prints which library and why it is not
 * loaded, then aborts.
 */
_Noreturn void dynlib_unloaded(const struct dynlib_spec *spec,
                               const struct dynlib_state *state);

#endif /* SH_DYNLIB_H */
