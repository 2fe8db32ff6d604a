/*
 * curlapi.c - libcurl, loaded on first use. See curlapi.h.
 */
#include "curlapi.h"

#include <dlfcn.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ---- what the table holds when libcurl cannot be loaded ---- */

static char load_error[SH_ERROR_MSG_MAX];

static CURLcode no_global_init(long flags)
{
	(void)flags;
	return CURLE_FAILED_INIT;
}

static CURL *no_easy_init(void)
{
	return NULL;
}

static CURLcode no_easy_setopt(CURL *h, CURLoption opt, ...)
{
	(void)h, (void)opt;
	return CURLE_FAILED_INIT;
}

static CURLcode no_easy_perform(CURL *h)
{
	(void)h;
	return CURLE_FAILED_INIT;
}

static CURLcode no_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	(void)h, (void)info;
	return CURLE_FAILED_INIT;
}

static void no_easy_handle(CURL *h)
{
	(void)h;
}

static const char *no_easy_strerror(CURLcode code)
{
	(void)code;
	return load_error;
}

static CURLSH *no_share_init(void)
{
	return NULL;
}

static CURLSHcode no_share_setopt(CURLSH *sh, CURLSHoption opt, ...)
{
	(void)sh, (void)opt;
	return CURLSHE_NOT_BUILT_IN;
}

static struct curl_slist *no_slist_append(struct curl_slist *list,
                                          const char *s)
{
	(void)list, (void)s;
	return NULL;
}

static void no_slist_free_all(struct curl_slist *list)
{
	(void)list;
}

static CURLU *no_url(void)
{
	return NULL;
}

static CURLUcode no_url_set(CURLU *u, CURLUPart what, const char *part,
                            unsigned int flags)
{
	(void)u, (void)what, (void)part, (void)flags;
	return CURLUE_OUT_OF_MEMORY;
}

static CURLUcode no_url_get(const CURLU *u, CURLUPart what, char **part,
                            unsigned int flags)
{
	(void)u, (void)what, (void)flags;
	if (part)
		*part = NULL;
	return CURLUE_OUT_OF_MEMORY;
}

static void no_url_cleanup(CURLU *u)
{
	(void)u;
}

static void no_free(void *p)
{
	(void)p;
}

static time_t no_getdate(const char *date, const time_t *unused)
{
	(void)date, (void)unused;
	return -1;
}

static char *no_version(void)
{
	return load_error;
}

static const struct curlapi unloaded = {
        .global_init = no_global_init,
        .easy_init = no_easy_init,
        .easy_setopt = no_easy_setopt,
        .easy_perform = no_easy_perform,
        .easy_getinfo = no_easy_getinfo,
        .easy_reset = no_easy_handle,
        .easy_cleanup = no_easy_handle,
        .easy_strerror = no_easy_strerror,
        .share_init = no_share_init,
        .share_setopt = no_share_setopt,
        .slist_append = no_slist_append,
        .slist_free_all = no_slist_free_all,
        .url = no_url,
        .url_set = no_url_set,
        .url_get = no_url_get,
        .url_cleanup = no_url_cleanup,
        .free = no_free,
        .getdate = no_getdate,
        .version = no_version,
};

/* ---- loading ---- */

/* Each member with the name libcurl exports it under. */
#define SYM(member, name)                                                      \
	{                                                                      \
		offsetof(struct curlapi, member), name                         \
	}

static const struct {
	size_t offset;
	const char *name;
} symbols[] = {
        SYM(global_init, "curl_global_init"),
        SYM(easy_init, "curl_easy_init"),
        SYM(easy_setopt, "curl_easy_setopt"),
        SYM(easy_perform, "curl_easy_perform"),
        SYM(easy_getinfo, "curl_easy_getinfo"),
        SYM(easy_reset, "curl_easy_reset"),
        SYM(easy_cleanup, "curl_easy_cleanup"),
        SYM(easy_strerror, "curl_easy_strerror"),
        SYM(share_init, "curl_share_init"),
        SYM(share_setopt, "curl_share_setopt"),
        SYM(slist_append, "curl_slist_append"),
        SYM(slist_free_all, "curl_slist_free_all"),
        SYM(url, "curl_url"),
        SYM(url_set, "curl_url_set"),
        SYM(url_get, "curl_url_get"),
        SYM(url_cleanup, "curl_url_cleanup"),
        SYM(free, "curl_free"),
        SYM(getdate, "curl_getdate"),
        SYM(version, "curl_version"),
};

sh_status curlapi_open(const char *soname, struct curlapi *out,
                       struct sh_error *e)
{
	struct curlapi t;
	const char *why;
	void *dl;

	dlerror();
	dl = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		why = dlerror();
		return sh_error_set(e, SH_ERR_FAIL,
		                    "cannot load libcurl (%s): %s; install it "
		                    "(Debian: apt-get install libcurl4)",
		                    soname, why ? why : "not found");
	}
	for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
		void *f = dlsym(dl, symbols[i].name);

		if (!f)
			return sh_error_set(
			        e, SH_ERR_FAIL,
			        "%s has no %s: it is not the libcurl "
			        "skillhost was built for (7.62 or "
			        "later)",
			        soname, symbols[i].name);
		/* POSIX lets a data pointer from dlsym become a function
		 * pointer; memcpy says so without a cast warning. */
		memcpy((char *)&t + symbols[i].offset, &f, sizeof f);
	}
	*out = t;
	return SH_OK;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct curlapi loaded;
static const struct curlapi *table = &unloaded;
static sh_status load_status;

static void load_once(void)
{
	struct sh_error e;
	CURLcode rc;

	sh_error_clear(&e);
	load_status = curlapi_open(CURLAPI_SONAME, &loaded, &e);
	if (load_status != SH_OK) {
		snprintf(load_error, sizeof load_error, "%s", e.msg);
		return;
	}
	rc = loaded.global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		snprintf(load_error, sizeof load_error,
		         "libcurl failed to initialize: %s",
		         loaded.easy_strerror(rc));
		load_status = SH_ERR_FAIL;
		return;
	}
	table = &loaded;
}

sh_status curlapi_load(struct sh_error *e)
{
	pthread_once(&once, load_once);
	if (load_status != SH_OK)
		return sh_error_set(e, SH_ERR_FAIL, "%s", load_error);
	return SH_OK;
}

const struct curlapi *curlapi(void)
{
	pthread_once(&once, load_once);
	return table;
}
