/*
 * archive_dl.c - libarchive, opened on first use. See archive_dl.h.
 */
#define ARCHIVE_DL_IMPL
#include "archive_dl.h"

#include <pthread.h>
#include <stddef.h>

#include "dynlib.h"

#define ARCHIVE_DL_SYM(f) {#f, offsetof(struct archive_dl, f)},
static const struct dynlib_sym syms[] = {ARCHIVE_DL_FUNCTIONS(ARCHIVE_DL_SYM)};
#undef ARCHIVE_DL_SYM

static const struct dynlib_spec spec = {
        .name = "libarchive",
        .soname = ARCHIVE_DL_SONAME,
        .package = "libarchive13",
        /* archive_write_set_filter_option and the filter_gzip calls */
        .version = "3.0",
        .purpose = "to pack, sign and install skill packages",
        .syms = syms,
        .nsyms = sizeof syms / sizeof syms[0],
};

const struct archive_dl *archive_dl_table;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct archive_dl loaded;
static struct dynlib_state state;

static void load_once(void)
{
	dynlib_load_once(&spec, &loaded, &state);
	if (state.status == SH_OK)
		__atomic_store_n(&archive_dl_table, &loaded, __ATOMIC_RELEASE);
}

sh_status archive_dl_load(struct sh_error *e)
{
	pthread_once(&once, load_once);
	return dynlib_result(&state, e);
}

sh_status archive_dl_open(const char *soname, struct archive_dl *out,
                          struct sh_error *e)
{
	return dynlib_open(&spec, soname, out, e);
}

const struct archive_dl *archive_dl_need(void)
{
	pthread_once(&once, load_once);
	if (state.status != SH_OK)
		dynlib_unloaded(&spec, &state);
	return &loaded;
}
