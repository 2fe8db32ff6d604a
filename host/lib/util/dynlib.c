/*
 * dynlib.c - a shared library opened on first use. See dynlib.h.
 */
#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sh_status dynlib_open(const struct dynlib_spec *spec, const char *soname,
                      void *table, struct sh_error *e)
{
	const char *why;
	size_t size = 0;
	void *dl;

	if (!soname)
		soname = spec->soname;
	dlerror();
	/* RTLD_NOW: a library missing one of its own dependencies fails
	 * here, with the error, not at some later call. RTLD_LOCAL: its
	 * symbols do not leak into skills opened after it. */
	dl = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		why = dlerror();
		return sh_error_set(e, SH_ERR_FAIL,
		                    "cannot load %s (%s), which skillhost "
		                    "needs %s: %s; install it (Debian: apt-get "
		                    "install %s)",
		                    spec->name, soname, spec->purpose,
		                    why ? why : "not found", spec->package);
	}
	for (size_t i = 0; i < spec->nsyms; i++)
		if (spec->syms[i].offset + sizeof(void *) > size)
			size = spec->syms[i].offset + sizeof(void *);
	{
		/* Resolved into a copy first: table is all or nothing. */
		unsigned char *t = calloc(1, size ? size : 1);

		if (!t)
			return sh_error_set(e, SH_ERR_NOMEM,
			                    "out of memory loading %s",
			                    spec->name);
		for (size_t i = 0; i < spec->nsyms; i++) {
			void *f = dlsym(dl, spec->syms[i].name);

			if (!f) {
				free(t);
				return sh_error_set(
				        e, SH_ERR_FAIL,
				        "%s has no %s: it is not the %s "
				        "skillhost was built for (%s or "
				        "later); install %s (Debian: "
				        "apt-get install %s)",
				        soname, spec->syms[i].name, spec->name,
				        spec->version, spec->name,
				        spec->package);
			}
			/* POSIX lets a data pointer from dlsym become a
			 * function pointer; memcpy says so without a cast
			 * warning. */
			memcpy(t + spec->syms[i].offset, &f, sizeof f);
		}
		memcpy(table, t, size);
		free(t);
	}
	return SH_OK;
}

void dynlib_load_once(const struct dynlib_spec *spec, void *table,
                      struct dynlib_state *state)
{
	struct sh_error e;

	sh_error_clear(&e);
	state->status = dynlib_open(spec, NULL, table, &e);
	snprintf(state->msg, sizeof state->msg, "%s", e.msg);
}

sh_status dynlib_result(const struct dynlib_state *state, struct sh_error *e)
{
	if (state->status != SH_OK)
		return sh_error_set(e, state->status, "%s", state->msg);
	return SH_OK;
}

void dynlib_unloaded(const struct dynlib_spec *spec,
                     const struct dynlib_state *state)
{
	fprintf(stderr,
	        "skillhost: internal error: %s called before it was "
	        "loaded%s%s\n",
	        spec->name, state && state->status != SH_OK ? ": " : "",
	        state && state->status != SH_OK ? state->msg : "");
	abort();
}
