/*
 * regserve.c - a registry over HTTP. See regserve.h.
 *
 * The catalog's parsed index is shared by the connection threads under a
 * read-write lock: renders hold it for reading; a reload (index.json's
 * identity changed on disk) swaps it under the write lock. Publishes hold
 * the registry lock (regdir_open) and nothing else.
 */
#include "regserve.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "catalog_html.h"
#include "fsutil.h"
#include "hostlog.h"
#include "manifest.h"
#include "netbind.h"
#include "regdir.h"
#include "regindex.h"
#include "regkeys.h"
#include "skilldesc.h"

#define UPLOADS_DIR    "uploads"
#define POST_BUFFER    65536
#define ETAG_SIZE      64
#define HTTP_DATE_SIZE 40
#define PUBLISH_PATH   "/v1/packages"
/* Status codes whose names differ across libmicrohttpd versions. */
#define HTTP_CONTENT_TOO_LARGE     413
#define HTTP_RANGE_NOT_SATISFIABLE 416
#define HTTP_UNPROCESSABLE         422
#define CSP                                                                    \
	"default-src 'none'; style-src 'unsafe-inline'; "                      \
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

struct regserve {
	char dir[PATH_MAX];
	char keydir[PATH_MAX];
	char url[160];
	char public_url[REGINDEX_MAX_URL];
	char name[80];
	uint64_t max_upload;
	int64_t expires_in;
	struct MHD_Daemon *d;
	/* the catalog */
	pthread_rwlock_t lock;
	struct regindex *ix;
	struct stat ix_st;
	char root_key[MINISIG_PUBKEY_B64_SIZE];
	char root_id[MINISIG_KEYID_HEX_SIZE];
};

/* A publish in progress. */
struct upload {
	struct MHD_PostProcessor *pp;
	char path[PATH_MAX];
	int fd;
	uint64_t bytes, max;
	int responded; /* an early answer was queued: drain, say nothing */
	char *sig;
	size_t sig_len;
	int got_package, too_big, sig_too_big;
	char bad_field[64];
};

/* ---- responses ---------------------------------------------------------- */

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status,
                               const char *type, const char *body, size_t len,
                               const char *cache)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	        len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        cache ? cache : "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (!strncmp(type, "text/html", 9)) {
		MHD_add_response_header(r, "Content-Security-Policy", CSP);
		MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
		MHD_add_response_header(r, "X-Frame-Options", "DENY");
	}
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result respond_json_error(struct MHD_Connection *c,
                                          unsigned status, const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	char *text;
	enum MHD_Result ok;

	cJSON_AddStringToObject(o, "error", msg);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		return MHD_NO;
	ok = respond(c, status, "application/json", text, strlen(text), NULL);
	free(text);
	return ok;
}

static void site_of(const struct regserve *s, struct catalog_site *site)
{
	site->title = "skillhost registry";
	site->registry_name = s->name;
	site->public_url = s->public_url;
	site->root_key = s->root_key;
	site->root_key_id = s->root_id;
}

static enum MHD_Result respond_html_error(struct regserve *s,
                                          struct MHD_Connection *c,
                                          unsigned status, const char *msg)
{
	struct catalog_site site;
	struct dynbuf b;
	struct sh_error e;
	enum MHD_Result ok;
	sh_status rc;

	/* The site's root key changes under the write lock on a reload. */
	pthread_rwlock_rdlock(&s->lock);
	site_of(s, &site);
	rc = catalog_html_error(&site, (int)status, msg, &b, &e);
	pthread_rwlock_unlock(&s->lock);
	if (rc != SH_OK)
		return respond(c, status, "text/plain; charset=utf-8", msg,
		               strlen(msg), NULL);
	ok = respond(c, status, "text/html; charset=utf-8", dyn_ptr(&b),
	             dyn_len(&b), "no-cache");
	dyn_free(&b);
	return ok;
}

/* ---- static files ------------------------------------------------------- */

static void http_date(time_t t, char out[HTTP_DATE_SIZE])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	(void)strftime(out, HTTP_DATE_SIZE, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static int etag_matches(const char *header, const char *etag)
{
	const char *p = header;

	while (*p) {
		size_t n;
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (*p == '*')
			return 1;
		if (!strncmp(p, "W/", 2)) /* weak comparison for GETs */
			p += 2;
		n = strcspn(p, ",");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == strlen(etag) && !strncmp(p, etag, n))
			return 1;
		p += strcspn(p, ",");
	}
	return 0;
}

/* A single byte range of a file of size bytes: 1 with [*from, *to], 0
 * when the header is absent or not one we serve (the whole file goes
 * out), -1 when unsatisfiable. */
static int parse_range(const char *h, uint64_t size, uint64_t *from,
                       uint64_t *to)
{
	unsigned long long a, b;
	char *end;

	if (!h || strncmp(h, "bytes=", 6) || strchr(h, ','))
		return 0;
	h += 6;
	if (*h == '-') { /* the last N bytes */
		errno = 0;
		b = strtoull(h + 1, &end, 10);
		if (errno || end == h + 1 || *end)
			return 0;
		if (b == 0 || size == 0)
			return -1;
		*from = b >= size ? 0 : size - b;
		*to = size - 1;
		return 1;
	}
	errno = 0;
	a = strtoull(h, &end, 10);
	if (errno || end == h || *end != '-')
		return 0;
	h = end + 1;
	if (!*h) {
		b = size ? size - 1 : 0;
	} else {
		b = strtoull(h, &end, 10);
		if (errno || *end || b < a)
			return 0;
		if (b >= size)
			b = size - 1;
	}
	if (a >= size)
		return -1;
	*from = a;
	*to = b;
	return 1;
}

static const char *content_type(const char *rel)
{
	size_t n = strlen(rel);

	if (n > 5 && !strcmp(rel + n - 5, ".json"))
		return "application/json";
	if (n > 8 && !strcmp(rel + n - 8, ".minisig"))
		return "text/plain; charset=utf-8";
	return "application/octet-stream";
}

static enum MHD_Result serve_file(struct regserve *s, struct MHD_Connection *c,
                                  const char *rel, int immutable)
{
	char path[PATH_MAX], etag[ETAG_SIZE], lm[HTTP_DATE_SIZE], cache[80];
	char cr[96];
	const char *inm, *ims, *range, *ifr;
	struct MHD_Response *r;
	struct stat st;
	uint64_t from = 0, to = 0;
	unsigned status = MHD_HTTP_OK;
	int fd, ranged;
	enum MHD_Result ok;

	if (!manifest_valid_path(rel) || strstr(rel, ".tmp.") ||
	    fs_pathf(path, sizeof path, NULL, "%s/%s", s->dir, rel))
		return respond_html_error(s, c, MHD_HTTP_NOT_FOUND,
		                          "There is no such file here.");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return respond_html_error(s, c, MHD_HTTP_NOT_FOUND,
		                          "There is no such file here.");
	}
	snprintf(etag, sizeof etag, "\"%llx-%llx-%llx\"",
	         (unsigned long long)st.st_size,
	         (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
	                 (unsigned long long)st.st_mtim.tv_nsec,
	         (unsigned long long)st.st_ino);
	http_date(st.st_mtime, lm);
	snprintf(cache, sizeof cache,
	         immutable ? "public, max-age=%d, immutable"
	                   : "public, max-age=%d",
	         immutable ? REGSERVE_IMMUTABLE_MAX_AGE
	                   : REGSERVE_META_MAX_AGE);
	inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                  MHD_HTTP_HEADER_IF_NONE_MATCH);
	ims = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                  MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	if ((inm && etag_matches(inm, etag)) ||
	    (!inm && ims && !strcmp(ims, lm))) {
		close(fd);
		r = MHD_create_response_from_buffer(0, (void *)"",
		                                    MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
		                        cache);
		ok = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, r);
		MHD_destroy_response(r);
		return ok;
	}
	range = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                    MHD_HTTP_HEADER_RANGE);
	ifr = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                  MHD_HTTP_HEADER_IF_RANGE);
	/* If-Range names the version the client has; for another one the
	 * whole current file is the answer. */
	if (ifr && strcmp(ifr, etag) && strcmp(ifr, lm))
		range = NULL;
	ranged = parse_range(range, (uint64_t)st.st_size, &from, &to);
	if (ranged < 0) {
		close(fd);
		snprintf(cr, sizeof cr, "bytes */%llu",
		         (unsigned long long)st.st_size);
		r = MHD_create_response_from_buffer(0, (void *)"",
		                                    MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
		ok = MHD_queue_response(c, HTTP_RANGE_NOT_SATISFIABLE, r);
		MHD_destroy_response(r);
		return ok;
	}
	if (ranged > 0) {
		status = MHD_HTTP_PARTIAL_CONTENT;
		r = MHD_create_response_from_fd_at_offset64(to - from + 1, fd,
		                                            from);
		snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu",
		         (unsigned long long)from, (unsigned long long)to,
		         (unsigned long long)st.st_size);
	} else {
		r = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
	}
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        content_type(rel));
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, lm);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (ranged > 0)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* ---- the catalog -------------------------------------------------------- */

/* Parse index.json again if it changed since the last look. */
static sh_status catalog_refresh(struct regserve *s, struct sh_error *e)
{
	char path[PATH_MAX], *text = NULL, *rtext = NULL;
	struct regindex *ix = NULL;
	struct regroot *root = NULL;
	struct stat st;
	size_t len, rlen;
	sh_status rc;

	if ((rc = fs_pathf(path, sizeof path, e, "%s/%s", s->dir,
	                   REGDIR_INDEX)))
		return rc;
	if (stat(path, &st) != 0)
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot stat %s",
		                      path);
	pthread_rwlock_rdlock(&s->lock);
	if (s->ix && st.st_ino == s->ix_st.st_ino &&
	    st.st_size == s->ix_st.st_size &&
	    st.st_mtim.tv_sec == s->ix_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == s->ix_st.st_mtim.tv_nsec) {
		pthread_rwlock_unlock(&s->lock);
		return SH_OK;
	}
	pthread_rwlock_unlock(&s->lock);
	/* The folder is this server's own, written and verified by
	 * skillreg: the catalog only needs it parsed. */
	if ((rc = fs_read_file(path, REGINDEX_MAX_BYTES, &text, &len, e)) ||
	    (rc = regindex_parse(text, len, path, &ix, e)))
		goto out;
	if ((rc = fs_pathf(path, sizeof path, e, "%s/%s", s->dir,
	                   REGDIR_ROOT)) ||
	    (rc = fs_read_file(path, REGROOT_MAX_BYTES, &rtext, &rlen, e)) ||
	    (rc = regroot_parse(rtext, rlen, path, &root, e)))
		goto out;
	pthread_rwlock_wrlock(&s->lock);
	regindex_free(s->ix);
	s->ix = ix;
	s->ix_st = st;
	minisig_pubkey_to_base64(&root->root_key, s->root_key);
	minisig_keyid_to_hex(root->root_key.key_id, s->root_id);
	pthread_rwlock_unlock(&s->lock);
	ix = NULL;
out:
	regindex_free(ix);
	regroot_free(root);
	free(text);
	free(rtext);
	return rc;
}

static enum MHD_Result
serve_catalog(struct regserve *s, struct MHD_Connection *c, const char *skill)
{
	struct catalog_site site;
	struct dynbuf b;
	struct sh_error e;
	const char *q, *pg;
	size_t page = 1;
	sh_status rc;
	enum MHD_Result ok;

	if (catalog_refresh(s, &e) != SH_OK) {
		hostlog(SKILL_LOG_ERROR, "catalog: %s", e.msg);
		return respond_html_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		                          "The registry's index cannot be read "
		                          "right now.");
	}
	q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
	pg = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page");
	if (q && strlen(q) > CATALOG_QUERY_MAX)
		return respond_html_error(s, c, MHD_HTTP_BAD_REQUEST,
		                          "The search is too long.");
	if (pg) {
		char *end;
		unsigned long v = strtoul(pg, &end, 10);
		page = *end || v == 0 || v > 1000000 ? 1 : (size_t)v;
	}
	pthread_rwlock_rdlock(&s->lock);
	site_of(s, &site);
	if (skill)
		rc = catalog_html_skill(s->ix, &site, skill, &b, &e);
	else
		rc = catalog_html_list(s->ix, &site, q, page, &b, &e);
	pthread_rwlock_unlock(&s->lock);
	if (rc == SH_ERR_NOTFOUND)
		return respond_html_error(s, c, MHD_HTTP_NOT_FOUND, e.msg);
	if (rc != SH_OK)
		return respond_html_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		                          "The page could not be rendered.");
	ok = respond(c, MHD_HTTP_OK, "text/html; charset=utf-8", dyn_ptr(&b),
	             dyn_len(&b), "no-cache");
	dyn_free(&b);
	return ok;
}

/* ---- publishing --------------------------------------------------------- */

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *filename,
                                const char *ctype, const char *encoding,
                                const char *data, uint64_t off, size_t size)
{
	struct upload *u = cls;

	(void)kind;
	(void)filename;
	(void)ctype;
	(void)encoding;
	(void)off;
	if (!strcmp(key, "package")) {
		u->got_package = 1;
		u->bytes += size;
		if (u->bytes > u->max) {
			u->too_big = 1;
			return MHD_NO;
		}
		while (size > 0) {
			ssize_t w = write(u->fd, data, size);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return MHD_NO;
			data += w;
			size -= (size_t)w;
		}
		return MHD_YES;
	}
	if (!strcmp(key, "signature")) {
		char *nb;
		if (u->sig_len + size > MINISIG_TEXT_MAX) {
			u->sig_too_big = 1;
			return MHD_NO;
		}
		nb = realloc(u->sig, u->sig_len + size + 1);
		if (!nb)
			return MHD_NO;
		u->sig = nb;
		memcpy(u->sig + u->sig_len, data, size);
		u->sig_len += size;
		u->sig[u->sig_len] = '\0';
		return MHD_YES;
	}
	snprintf(u->bad_field, sizeof u->bad_field, "%s", key);
	return MHD_NO;
}

static void upload_free(struct upload *u)
{
	if (!u)
		return;
	if (u->pp)
		MHD_destroy_post_processor(u->pp);
	if (u->fd >= 0)
		close(u->fd);
	if (u->path[0])
		unlink(u->path);
	free(u->sig);
	free(u);
}

static unsigned status_of(sh_status st, int conflict)
{
	if (conflict)
		return MHD_HTTP_CONFLICT;
	switch (st) {
	case SH_ERR_TRUST: return MHD_HTTP_FORBIDDEN;
	case SH_ERR_INVALID: return HTTP_UNPROCESSABLE;
	case SH_ERR_USAGE: return MHD_HTTP_BAD_REQUEST;
	case SH_ERR_NOMEM: return HTTP_CONTENT_TOO_LARGE;
	default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

static enum MHD_Result
finish_publish(struct regserve *s, struct MHD_Connection *c, struct upload *u)
{
	char sigpath[PATH_MAX + 16];
	struct regdir *r = NULL;
	struct regdir_added added = {0};
	struct sh_error e = {0};
	int64_t version = 0;
	cJSON *o;
	char *text;
	sh_status rc;
	enum MHD_Result ok;

	if (u->too_big)
		return respond_json_error(c, HTTP_CONTENT_TOO_LARGE,
		                          "the package is over this registry's "
		                          "upload cap");
	if (u->bad_field[0]) {
		char msg[160];
		snprintf(msg, sizeof msg,
		         "unexpected form field \"%s\"; send \"package\" and "
		         "\"signature\"",
		         u->bad_field);
		return respond_json_error(c, MHD_HTTP_BAD_REQUEST, msg);
	}
	if (u->sig_too_big || !u->got_package || !u->sig_len)
		return respond_json_error(
		        c, MHD_HTTP_BAD_REQUEST,
		        "send a multipart/form-data body with "
		        "a \"package\" part (the .skill file) "
		        "and a \"signature\" part (its "
		        ".minisig)");
	snprintf(sigpath, sizeof sigpath, "%s.minisig", u->path);
	if ((rc = fs_write_atomic(sigpath, u->sig, u->sig_len, 0600, &e)))
		goto fail;
	memset(&added, 0, sizeof added);
	rc = regdir_open(s->dir, s->keydir, &r, &e);
	if (rc == SH_OK)
		rc = regdir_add_package(r, u->path, sigpath,
		                        "the uploaded package", &added, &e);
	if (rc == SH_OK)
		rc = regdir_commit(r, s->expires_in, &version, &e);
	regdir_close(r);
	unlink(sigpath);
	if (rc != SH_OK)
		goto fail;
	hostlog(SKILL_LOG_NOTICE,
	        "published %s %s (key %s), index version %" PRId64, added.name,
	        added.version, added.publisher, version);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", added.name);
	cJSON_AddStringToObject(o, "version", added.version);
	cJSON_AddStringToObject(o, "publisher", added.publisher);
	cJSON_AddNumberToObject(o, "index_version", (double)version);
	cJSON_AddStringToObject(o, "url", added.url);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		return MHD_NO;
	ok = respond(c, MHD_HTTP_CREATED, "application/json", text,
	             strlen(text), NULL);
	free(text);
	return ok;
fail:
	hostlog(SKILL_LOG_NOTICE, "publish refused: %s", e.msg);
	return respond_json_error(c, status_of(rc, added.conflict), e.msg);
}

static enum MHD_Result start_publish(struct regserve *s,
                                     struct MHD_Connection *c, void **ctx)
{
	const char *len = MHD_lookup_connection_value(
	        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char dir[PATH_MAX];
	struct upload *u;
	struct sh_error e;

	u = calloc(1, sizeof *u);
	if (!u)
		return MHD_NO;
	u->fd = -1;
	u->max = s->max_upload;
	*ctx = u;
	/* Every early answer below ends the exchange: the rest of the body
	 * is read and dropped. */
	u->responded = 1;
	if (len && strtoull(len, NULL, 10) > s->max_upload + POST_BUFFER)
		return respond_json_error(c, HTTP_CONTENT_TOO_LARGE,
		                          "the package is over this registry's "
		                          "upload cap");
	u->pp = MHD_create_post_processor(c, POST_BUFFER, on_field, u);
	if (!u->pp)
		return respond_json_error(
		        c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
		        "send multipart/form-data with "
		        "\"package\" and \"signature\" parts");
	/* Uploads wait in the key folder: private, never served. */
	if (fs_pathf(dir, sizeof dir, &e, "%s/%s", s->keydir, UPLOADS_DIR) ||
	    fs_mkdirs(dir, 0700, &e) ||
	    fs_pathf(u->path, sizeof u->path, &e, "%s/upload-XXXXXX", dir))
		return respond_json_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		                          e.msg);
	u->fd = mkostemp(u->path, O_CLOEXEC);
	if (u->fd < 0) {
		u->path[0] = '\0';
		return respond_json_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		                          "cannot store the upload");
	}
	u->responded = 0;
	return MHD_YES;
}

/* ---- dispatch ----------------------------------------------------------- */

static int is_meta(const char *rel)
{
	return !strcmp(rel, REGDIR_INDEX) ||
	       !strcmp(rel, REGDIR_INDEX REGDIR_SIG) ||
	       !strcmp(rel, REGDIR_ROOT) ||
	       !strcmp(rel, REGDIR_ROOT REGDIR_SIG);
}

static int is_versioned(const char *rel)
{
	return !strncmp(rel, REGDIR_ROOTS "/", strlen(REGDIR_ROOTS) + 1) ||
	       !strncmp(rel, REGDIR_INDEXES "/", strlen(REGDIR_INDEXES) + 1) ||
	       !strncmp(rel, REGDIR_PACKAGES "/", strlen(REGDIR_PACKAGES) + 1);
}

static int publish_marker;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *data_size, void **ctx)
{
	struct regserve *s = cls;
	int get = !strcmp(method, MHD_HTTP_METHOD_GET) ||
	          !strcmp(method, MHD_HTTP_METHOD_HEAD);
	int put = !strcmp(method, MHD_HTTP_METHOD_PUT) ||
	          !strcmp(method, MHD_HTTP_METHOD_POST);

	(void)version;
	if (!strcmp(url, PUBLISH_PATH) && put) {
		struct upload *u = *ctx;
		if (!u)
			return start_publish(s, c, ctx);
		if (*data_size) {
			size_t n = *data_size;
			*data_size = 0;
			if (u->responded)
				return MHD_YES;
			/* A refusal by the field callback is answered at
			 * the end; anything else is a broken body. Past the
			 * cap, stop reading: the connection is closed. */
			if (MHD_post_process(u->pp, data, n) != MHD_YES &&
			    !u->bad_field[0] && !u->sig_too_big)
				return MHD_NO;
			return MHD_YES;
		}
		if (u->responded)
			return MHD_YES;
		return finish_publish(s, c, u);
	}
	/* Requests without a body are answered on their first call. */
	*ctx = &publish_marker;
	if (!get) {
		struct MHD_Response *r = MHD_create_response_from_buffer(
		        0, (void *)"", MHD_RESPMEM_PERSISTENT);
		enum MHD_Result ok;
		if (!r)
			return MHD_NO;
		MHD_add_response_header(
		        r, MHD_HTTP_HEADER_ALLOW,
		        !strcmp(url, PUBLISH_PATH) ? "PUT, POST" : "GET, HEAD");
		ok = MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
		MHD_destroy_response(r);
		return ok;
	}
	if (!strcmp(url, "/healthz"))
		return respond(c, MHD_HTTP_OK, "text/plain", "ok\n", 3,
		               "no-store");
	if (!strcmp(url, "/"))
		return serve_catalog(s, c, NULL);
	if (!strncmp(url, "/skills/", 8)) {
		if (!skilldesc_valid_skill_name(url + 8))
			return respond_html_error(
			        s, c, MHD_HTTP_NOT_FOUND,
			        "There is no such skill here.");
		return serve_catalog(s, c, url + 8);
	}
	if (is_meta(url + 1))
		return serve_file(s, c, url + 1, 0);
	if (is_versioned(url + 1))
		return serve_file(s, c, url + 1, 1);
	return respond_html_error(s, c, MHD_HTTP_NOT_FOUND,
	                          "There is no such page here.");
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	if (*ctx && *ctx != &publish_marker)
		upload_free(*ctx);
	*ctx = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	hostlog(SKILL_LOG_DEBUG, "http: %s", msg);
}

/* ---- start and stop ----------------------------------------------------- */

sh_status regserve_start(const struct regserve_opts *o, struct regserve **out,
                         struct sh_error *e)
{
	struct mcp_http_addr addr;
	struct regserve *s;
	struct regdir *r = NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
	                 MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	sh_status rc;

	*out = NULL;
	s = calloc(1, sizeof *s);
	if (!s)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	pthread_rwlock_init(&s->lock, NULL);
	addr.fd = -1;
	if ((rc = fs_pathf(s->dir, sizeof s->dir, e, "%s", o->dir)))
		goto fail;
	if (o->keydir)
		rc = fs_pathf(s->keydir, sizeof s->keydir, e, "%s", o->keydir);
	else
		rc = regkeys_default_dir(o->dir, s->keydir, sizeof s->keydir,
		                         e);
	if (rc != SH_OK)
		goto fail;
	/* Open once to check the folder, the keys and the signatures now,
	 * rather than at the first publish. */
	if ((rc = regdir_open(s->dir, s->keydir, &r, e)))
		goto fail;
	regdir_close(r);
	s->max_upload =
	        o->max_upload ? o->max_upload : REGSERVE_MAX_UPLOAD_DEFAULT;
	s->expires_in = o->expires_in;
	snprintf(s->name, sizeof s->name, "%s", o->name ? o->name : "main");
	if ((rc = catalog_refresh(s, e)))
		goto fail;
	if ((rc = mcp_http_bind(o->hostport ? o->hostport
	                                    : REGSERVE_DEFAULT_ADDR,
	                        &addr, e)))
		goto fail;
	snprintf(s->url, sizeof s->url, "%s/", addr.url);
	snprintf(s->public_url, sizeof s->public_url, "%s",
	         o->public_url ? o->public_url : s->url);
	if (!addr.loopback)
		hostlog(SKILL_LOG_WARNING,
		        "serving on %s, which is not a loopback address: "
		        "anyone who reaches it can read the registry and try "
		        "to publish (only signed packages are accepted)",
		        s->url);
	if (strchr(addr.host, ':'))
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(
	        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET,
	        addr.fd, MHD_OPTION_CONNECTION_LIMIT,
	        (unsigned)REGSERVE_MAX_CONNECTIONS,
	        MHD_OPTION_CONNECTION_TIMEOUT,
	        (unsigned)REGSERVE_CONNECTION_TIMEOUT_S,
	        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, MHD_OPTION_END);
	if (!s->d) {
		rc = sh_error_set(e, SH_ERR_FAIL,
		                  "libmicrohttpd would not start on %s",
		                  s->url);
		goto fail;
	}
	*out = s;
	return SH_OK;
fail:
	if (addr.fd >= 0)
		close(addr.fd);
	regserve_stop(s);
	return rc;
}

const char *regserve_url(const struct regserve *s)
{
	return s->url;
}

void regserve_stop(struct regserve *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	regindex_free(s->ix);
	pthread_rwlock_destroy(&s->lock);
	free(s);
}
