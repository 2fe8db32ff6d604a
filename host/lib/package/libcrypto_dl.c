/*
 * libcrypto_dl.c - libcrypto, opened on first use. See libcrypto_dl.h.
 */
#define LIBCRYPTO_DL_IMPL
#include "libcrypto_dl.h"

#include <pthread.h>
#include <stddef.h>

#include "dynlib.h"

#define LIBCRYPTO_DL_SYM(f) {#f, offsetof(struct libcrypto_dl, f)},
static const struct dynlib_sym syms[] = {
        LIBCRYPTO_DL_FUNCTIONS(LIBCRYPTO_DL_SYM)};
#undef LIBCRYPTO_DL_SYM

static const struct dynlib_spec spec = {
        .name = "libcrypto",
        .soname = LIBCRYPTO_DL_SONAME,
        .package = "libssl3",
        /* EVP_DigestInit_ex2, EVP_MD_fetch, OSSL_PARAM_BLD */
        .version = "OpenSSL 3.0",
        .purpose = "to check OAuth tokens, sign JWT assertions and hash "
                   "large packages faster",
        .syms = syms,
        .nsyms = sizeof syms / sizeof syms[0],
};

const struct libcrypto_dl *libcrypto_dl_table;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct libcrypto_dl loaded;
static struct dynlib_state state;

static void load_once(void)
{
	dynlib_load_once(&spec, &loaded, &state);
	if (state.status == SH_OK)
		__atomic_store_n(&libcrypto_dl_table, &loaded,
		                 __ATOMIC_RELEASE);
}

sh_status libcrypto_dl_load(struct sh_error *e)
{
	pthread_once(&once, load_once);
	return dynlib_result(&state, e);
}

sh_status libcrypto_dl_open(const char *soname, struct libcrypto_dl *out,
                            struct sh_error *e)
{
	return dynlib_open(&spec, soname, out, e);
}

const struct libcrypto_dl *libcrypto_dl_need(void)
{
	pthread_once(&once, load_once);
	if (state.status != SH_OK)
		dynlib_unloaded(&spec, &state);
	return &loaded;
}
