/*
 * regserve.h - `skillreg serve`: a registry folder over HTTP, with a
 * publish endpoint and a browsable catalog (libmicrohttpd).
 *
 * Routes:
 *   GET|HEAD /index.json, /index.json.minisig, /root.json,
 *            /root.json.minisig
 *            the signed metadata, "Cache-Control: public, max-age=
 *            REGSERVE_META_MAX_AGE" (short-lived: they change)
 *   GET|HEAD /roots/..., /indexes/..., /packages/...
 *            versioned files that never change: "public, max-age=one
 *            year, immutable"
 *            Every file has a strong ETag and Last-Modified, answers
 *            If-None-Match / If-Modified-Since with 304 and a single
 *            byte range ("Range: bytes=A-B", honouring If-Range) with 206
 *            (416 when unsatisfiable), so downloads resume.
 *   PUT|POST /v1/packages
 *            publish: a multipart/form-data body with a file part named
 *            "package" (the .skill) and one named "signature" (its
 *            .minisig). There are no passwords: the publisher's own
 *            package signature is the credential, and it must be by a
 *            key the index allows for the package's namespace (see
 *            regdir_add_package). 201 with {"name", "version",
 *            "index_version", "url"}; 400 malformed request, 403 refused
 *            signature or namespace, 409 version already published, 413
 *            over the upload cap, 415 not multipart, 422 invalid package;
 *            errors are {"error": message}.
 *   GET|HEAD /          the catalog (?q=QUERY, ?page=N)
 *   GET|HEAD /skills/NS/NAME   one skill's page
 *   GET|HEAD /healthz   "ok"
 *
 * HTML pages carry a strict Content-Security-Policy (no scripts at all)
 * and are rendered from the index on disk, parsed again whenever
 * index.json changes. Nothing else in the folder is served: no dot files,
 * no temporary files, no symlinks.
 *
 * Threads: one thread per connection (libmicrohttpd); publishes serialize
 * on the registry lock. regserve_start and regserve_stop are [control].
 */
#ifndef SKILLREG_REGSERVE_H
#define SKILLREG_REGSERVE_H

#include <stdint.h>

#include "status.h"

#define REGSERVE_DEFAULT_ADDR         "127.0.0.1:8080"
#define REGSERVE_META_MAX_AGE         30
#define REGSERVE_IMMUTABLE_MAX_AGE    31536000
#define REGSERVE_MAX_UPLOAD_DEFAULT   (256ull * 1024 * 1024)
#define REGSERVE_MAX_CONNECTIONS      256
#define REGSERVE_CONNECTION_TIMEOUT_S 60

struct regserve_opts {
	const char *dir;        /* the registry folder */
	const char *keydir;     /* NULL: "<dir>.keys" */
	const char *hostport;   /* NULL: REGSERVE_DEFAULT_ADDR */
	const char *name;       /* the registry name the catalog suggests */
	const char *public_url; /* NULL: the bound address */
	uint64_t max_upload;    /* 0: REGSERVE_MAX_UPLOAD_DEFAULT */
	int64_t expires_in;     /* index lifetime after a publish */
};

struct regserve;

/* [control] Bind, check the registry opens, and start serving. */
sh_status regserve_start(const struct regserve_opts *o, struct regserve **out,
                         struct sh_error *e);

/* The base URL the server answers on, e.g. "http://127.0.0.1:8080/". */
const char *regserve_url(const struct regserve *s);

/* [control] Stop and free. NULL is fine. */
void regserve_stop(struct regserve *s);

#endif /* SKILLREG_REGSERVE_H */
