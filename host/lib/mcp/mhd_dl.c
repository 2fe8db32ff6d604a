/*
 * mhd_dl.c - libmicrohttpd, opened on first use. See mhd_dl.h.
 */
#define MHD_DL_IMPL
#include "mhd_dl.h"

#include <pthread.h>
#include <stddef.h>

#include "dynlib.h"

#define MHD_DL_SYM(f) {#f, offsetof(struct mhd_dl, f)},
static const struct dynlib_sym syms[] = {MHD_DL_FUNCTIONS(MHD_DL_SYM)};
#undef MHD_DL_SYM

static const struct dynlib_spec spec = {
        .name = "libmicrohttpd",
        .soname = MHD_DL_SONAME,
        .package = "libmicrohttpd12",
        /* the release of the headers the host is built with */
        .version = "0.9.75",
        .purpose = "to serve MCP over HTTP (serve --http)",
        .syms = syms,
        .nsyms = sizeof syms / sizeof syms[0],
};

const struct mhd_dl *mhd_dl_table;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct mhd_dl loaded;
static struct dynlib_state state;

static void load_once(void)
{
	dynlib_load_once(&spec, &loaded, &state);
	if (state.status == SH_OK)
		__atomic_store_n(&mhd_dl_table, &loaded, __ATOMIC_RELEASE);
}

sh_status mhd_dl_load(struct sh_error *e)
{
	pthread_once(&once, load_once);
	return dynlib_result(&state, e);
}

sh_status mhd_dl_open(const char *soname, struct mhd_dl *out,
                      struct sh_error *e)
{
	return dynlib_open(&spec, soname, out, e);
}

const struct mhd_dl *mhd_dl_need(void)
{
	pthread_once(&once, load_once);
	if (state.status != SH_OK)
		dynlib_unloaded(&spec, &state);
	return &loaded;
}
