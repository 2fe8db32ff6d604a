/*
 * curlapi.h - libcurl, loaded on first use.
 *
 * libcurl and the twenty-odd libraries it brings (TLS, Kerberos, LDAP, SSH,
 * HTTP/2, IDN...) cost every process that maps them about 3 ms of start-up,
 * more than a whole `skillhost call` of a small tool. Most commands never
 * speak HTTP, so the host does not link libcurl: it opens libcurl.so.4 and
 * resolves the functions it uses by name the first time one is needed, as
 * a Redis module resolves its API.
 *
 * Code that speaks HTTP calls through the table, curlapi()->easy_init(),
 * and calls curlapi_load() first where it can report an error, so that a
 * missing libcurl is a clear message rather than failing handles.
 */
#ifndef SH_CURLAPI_H
#define SH_CURLAPI_H

#include <time.h>

#include <curl/curl.h>

#include "status.h"

/* The soname the host opens: the one its headers describe. */
#define CURLAPI_SONAME "libcurl.so.4"

struct curlapi {
	CURLcode (*global_init)(long flags); /* curlapi_load runs it */
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_reset)(CURL *h);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode code);
	CURLSH *(*share_init)(void);
	CURLSHcode (*share_setopt)(CURLSH *sh, CURLSHoption opt, ...);
	struct curl_slist *(*slist_append)(struct curl_slist *list,
	                                   const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part,
	                     unsigned int flags);
	CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part,
	                     unsigned int flags);
	void (*url_cleanup)(CURLU *u);
	void (*free)(void *p);
	time_t (*getdate)(const char *date, const time_t *unused);
	char *(*version)(void); /* "libcurl/8.x ..." */
};

/*
 * [any thread] Open libcurl and run curl_global_init, once per process.
 * SH_OK when libcurl is ready; otherwise SH_ERR_FAIL with a message that
 * names the library and how to install it (every later call fails the
 * same way).
 */
sh_status curlapi_load(struct sh_error *e);

/*
 * [any thread] The table, loading libcurl first if no one has. Never NULL:
 * when libcurl could not be loaded, its functions fail (NULL handles,
 * CURLE_FAILED_INIT, CURLUE_OUT_OF_MEMORY, -1 dates) and easy_strerror
 * says why.
 */
const struct curlapi *curlapi(void);

/*
 * [any thread] Resolve the table from the library soname into *out, without
 * touching the process-wide one (tests use it to see the errors). Returns
 * SH_ERR_FAIL naming the library or the first missing function. The
 * library stays open.
 */
sh_status curlapi_open(const char *soname, struct curlapi *out,
                       struct sh_error *e);

#endif /* SH_CURLAPI_H */
