/*
 * mcp_resources.c - resources/list, resources/read, templates and
 * subscriptions over artifacts and skill declarations. See
 * mcp_resources.h.
 */
#include "mcp_resources.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "artifacts.h"
#include "call.h"
#include "catalog.h"
#include "dynbuf.h"
#include "extcall.h"
#include "hostapi.h"
#include "hostlog.h"
#include <skill/ext/resources.h>
#include "jsonrpc.h"
#include "mcp_decl.h"
#include "runtime.h"
#include "skilldesc.h"
#include "utf8.h"

#define ART_ID_MAX  (64 + ARTIFACT_NAME_MAX + 8)
#define ART_URI_MAX (sizeof MCP_ARTIFACT_SCHEME + ART_ID_MAX)
/* Subscriptions one session may hold. */
#define SUBS_MAX 256

struct art {
	char id[ART_ID_MAX];
	char mime[128];
	long long size;
};

struct mcp_artifacts {
	pthread_mutex_t lock;
	struct art *v; /* oldest first */
	size_t n, cap;
	char **subs; /* subscribed URIs */
	size_t nsubs;
};

struct mcp_artifacts *mcp_artifacts_new(void)
{
	struct mcp_artifacts *a = calloc(1, sizeof *a);

	if (a)
		pthread_mutex_init(&a->lock, NULL);
	return a;
}

void mcp_artifacts_free(struct mcp_artifacts *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nsubs; i++)
		free(a->subs[i]);
	free(a->subs);
	free(a->v);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static int has_locked(struct mcp_artifacts *a, const char *id)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].id, id))
			return 1;
	return 0;
}

int mcp_artifacts_has(struct mcp_artifacts *a, const char *id)
{
	int r;

	if (!a)
		return 0;
	pthread_mutex_lock(&a->lock);
	r = has_locked(a, id);
	pthread_mutex_unlock(&a->lock);
	return r;
}

/* Remember an artifact; 1 when it is new, 0 when known or no memory. */
static int remember(struct mcp_artifacts *a, const char *id, const char *mime,
                    long long size)
{
	int added = 0;

	pthread_mutex_lock(&a->lock);
	if (!has_locked(a, id)) {
		if (a->n == MCP_SESSION_ARTIFACTS_MAX) {
			memmove(a->v, a->v + 1, (a->n - 1) * sizeof *a->v);
			a->n--;
		}
		if (a->n == a->cap) {
			size_t cap = a->cap ? a->cap * 2 : 16;
			struct art *v = realloc(a->v, cap * sizeof *v);
			if (v) {
				a->v = v;
				a->cap = cap;
			}
		}
		if (a->n < a->cap) {
			struct art *e = &a->v[a->n++];
			snprintf(e->id, sizeof e->id, "%s", id);
			snprintf(e->mime, sizeof e->mime, "%s",
			         mime ? mime : "application/octet-stream");
			e->size = size;
			added = 1;
		}
	}
	pthread_mutex_unlock(&a->lock);
	return added;
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The artifact id a link URI names, into id; 0 when it names none. */
static int link_id(const struct host_services *svc, const char *uri, char *id,
                   size_t cap)
{
	const char *rest = NULL;
	char path[PATH_MAX], local[PATH_MAX];
	struct sh_error err;
	size_t dl;

	if (!svc->artifacts_dir)
		return 0;
	if (svc->artifact_url_base &&
	    !strncmp(uri, svc->artifact_url_base,
	             strlen(svc->artifact_url_base))) {
		rest = uri + strlen(svc->artifact_url_base);
	} else if (!strncmp(uri, "file:///", 8)) {
		size_t j = 0;
		for (const char *p = uri + 7; *p; p++) {
			if (j + 1 >= sizeof path)
				return 0;
			if (*p == '%') {
				int hi = unhex(p[1]),
				    lo = hi < 0 ? -1 : unhex(p[2]);
				if (lo < 0 || (hi == 0 && lo == 0))
					return 0;
				path[j++] = (char)(hi * 16 + lo);
				p += 2;
			} else {
				path[j++] = *p;
			}
		}
		path[j] = '\0';
		dl = strlen(svc->artifacts_dir);
		if (strncmp(path, svc->artifacts_dir, dl) || path[dl] != '/')
			return 0;
		rest = path + dl + 1;
	} else if (!strncmp(uri, MCP_ARTIFACT_SCHEME,
	                    strlen(MCP_ARTIFACT_SCHEME))) {
		rest = uri + strlen(MCP_ARTIFACT_SCHEME);
	}
	if (!rest || !*rest || strchr(rest, '/') ||
	    snprintf(id, cap, "%s", rest) >= (int)cap)
		return 0;
	sh_error_clear(&err);
	return artifacts_path(svc, id, local, sizeof local, &err) == SH_OK;
}

/* One text replacement: every occurrence of from becomes to. */
struct repl {
	char *from;
	char *to;
};

/* s with every replacement applied, malloc'd, or NULL when nothing
 * matched (or out of memory: the string is then kept, which is no worse
 * than before). */
static char *replace_all(const char *s, const struct repl *r, size_t nr)
{
	char *cur = NULL;

	for (size_t i = 0; i < nr; i++) {
		const char *src = cur ? cur : s;
		struct dynbuf b = DYN_INIT((size_t)1 << 30);
		size_t fl = strlen(r[i].from);
		const char *p, *hit;

		if (!fl || !strstr(src, r[i].from))
			continue;
		for (p = src; (hit = strstr(p, r[i].from)); p = hit + fl) {
			dyn_addn(&b, p, (size_t)(hit - p));
			dyn_add(&b, r[i].to);
		}
		dyn_add(&b, p);
		if (dyn_error(&b) != SH_OK) {
			dyn_free(&b);
			continue;
		}
		free(cur);
		cur = dyn_take(&b, NULL);
	}
	return cur;
}

/* Apply the replacements to every string inside v. */
static void scrub(cJSON *v, const struct repl *r, size_t nr)
{
	cJSON *c;

	if (cJSON_IsString(v) && v->valuestring) {
		char *n = replace_all(v->valuestring, r, nr);
		if (n) {
			cJSON_free(v->valuestring);
			v->valuestring = (char *)cJSON_malloc(strlen(n) + 1);
			if (v->valuestring)
				memcpy(v->valuestring, n, strlen(n) + 1);
			else
				v->type = cJSON_NULL;
			free(n);
		}
		return;
	}
	cJSON_ArrayForEach(c, v) scrub(c, r, nr);
}

/* path as a file:// URI, escaped the way the artifacts service writes
 * its links; NULL when out of memory. */
static char *file_uri_of(const char *path)
{
	static const char hexd[] = "0123456789ABCDEF";
	char *out = malloc(7 + 3 * strlen(path) + 1), *o = out;

	if (!out)
		return NULL;
	o += sprintf(o, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hexd[*p >> 4];
			*o++ = hexd[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

/* The replacements so far, growing. */
struct repls {
	struct repl *v;
	size_t n, cap;
	int failed;
};

/* Add from -> to (both copied; from taken over when own). own_from is
 * NULL when the caller's allocation of it failed: then r fails too. */
static void repl_add(struct repls *r, const char *from, char *own_from,
                     const char *to)
{
	struct repl e = {own_from ? own_from
	                 : from   ? strdup(from)
	                          : NULL,
	                 strdup(to)};

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct repl *v = realloc(r->v, cap * sizeof *v);
		if (v) {
			r->v = v;
			r->cap = cap;
		}
	}
	if (!e.from || !e.to || r->n == r->cap) {
		free(e.from);
		free(e.to);
		r->failed = 1;
		return;
	}
	r->v[r->n++] = e;
}

size_t mcp_artifacts_adopt(struct mcp_artifacts *a,
                           const struct host_services *svc,
                           struct call_result *res)
{
	struct repls r = {0};
	size_t added = 0;
	char dir_slash[PATH_MAX + 1];
	cJSON *b;

	if (!a || !svc || !svc->artifacts_dir || !res)
		return 0;
	cJSON_ArrayForEach(b, res->content)
	{
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(b, "type");
		cJSON *uri = cJSON_GetObjectItemCaseSensitive(b, "uri");
		const cJSON *mime =
		        cJSON_GetObjectItemCaseSensitive(b, "mimeType");
		const cJSON *size = cJSON_GetObjectItemCaseSensitive(b, "size");
		char id[ART_ID_MAX], mine[ART_URI_MAX], path[PATH_MAX];

		if (!cJSON_IsString(type) ||
		    strcmp(type->valuestring, "resource_link") ||
		    !cJSON_IsString(uri) ||
		    !link_id(svc, uri->valuestring, id, sizeof id))
			continue;
		snprintf(mine, sizeof mine, "%s%s", MCP_ARTIFACT_SCHEME, id);
		snprintf(path, sizeof path, "%s/%s", svc->artifacts_dir, id);
		/* The URI the link had, and the path it stood for, become
		 * ours wherever the result repeats them; the longest forms
		 * first, since a file URI holds the path. */
		repl_add(&r, uri->valuestring, NULL, mine);
		repl_add(&r, NULL, file_uri_of(path), mine);
		repl_add(&r, path, NULL, mine);
		cJSON_SetValuestring(uri, mine);
		added += (size_t)remember(
		        a, id, cJSON_IsString(mime) ? mime->valuestring : NULL,
		        cJSON_IsNumber(size) ? (long long)size->valuedouble
		                             : -1);
	}
	/* Whatever else names the artifacts folder (another call's artifact,
	 * say) still must not show the server's path. */
	if (svc->artifact_url_base)
		repl_add(&r, svc->artifact_url_base, NULL, MCP_ARTIFACT_SCHEME);
	if (snprintf(dir_slash, sizeof dir_slash, "%s/", svc->artifacts_dir) <
	    (int)sizeof dir_slash) {
		repl_add(&r, NULL, file_uri_of(dir_slash), MCP_ARTIFACT_SCHEME);
		repl_add(&r, dir_slash, NULL, MCP_ARTIFACT_SCHEME);
	}
	if (r.failed)
		hostlog(SKILL_LOG_WARNING,
		        "out of memory while removing server paths from a "
		        "result; some may remain");
	scrub(res->content, r.v, r.n);
	if (res->structured)
		scrub(res->structured, r.v, r.n);
	for (size_t i = 0; i < r.n; i++) {
		free(r.v[i].from);
		free(r.v[i].to);
	}
	free(r.v);
	return added;
}

/* --- listing --- */

static void set_err(int *code, char *msg, size_t cap, int c, const char *m)
{
	*code = c;
	snprintf(msg, cap, "%s", m);
}

/* Copy the descriptive members of a declaration into o. */
static int copy_meta(cJSON *o, const cJSON *d, const char *const *keys)
{
	for (; *keys; keys++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, *keys);
		if (cJSON_IsString(v) &&
		    !cJSON_AddStringToObject(o, *keys, v->valuestring))
			return 0;
	}
	return 1;
}

/* Every skill's declarations of kind in one array (caller frees), each
 * element a copy naming its skill (MCP_DECL_SKILL). */
static cJSON *gather(struct catalog *c, const char *kind,
                     const struct profile *prof)
{
	cJSON *all = cJSON_CreateArray();

	for (size_t i = 0; all && i < catalog_skill_count(c); i++) {
		struct skill *sk = catalog_skill_at(c, i);
		cJSON *d, *e;
		if (!mcp_skill_in_profile(sk, prof))
			continue;
		d = mcp_decl_get(c, sk, kind);
		while (d && (e = cJSON_DetachItemFromArray(d, 0)))
			if (cJSON_IsObject(e)) {
				cJSON_DeleteItemFromObjectCaseSensitive(
				        e, MCP_DECL_SKILL);
				cJSON_AddStringToObject(e, MCP_DECL_SKILL,
				                        sk->desc->name);
				cJSON_AddItemToArray(all, e);
			} else {
				cJSON_Delete(e);
			}
		cJSON_Delete(d);
	}
	return all;
}

static const char *const res_keys[] = {"uri",         "name",     "title",
                                       "description", "mimeType", NULL};
static const char *const tmpl_keys[] = {"uriTemplate", "name",     "title",
                                        "description", "mimeType", NULL};

/* One page of items [start, start + page) of all into key of a new
 * result, with nextCursor when more follow. */
static cJSON *page_of(cJSON *all, const char *key, size_t start, size_t page)
{
	cJSON *res = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(res, key);
	size_t n = (size_t)cJSON_GetArraySize(all), i;

	if (!res || !arr) {
		cJSON_Delete(res);
		return NULL;
	}
	for (i = start; i < n && i - start < page; i++) {
		cJSON *e = cJSON_DetachItemFromArray(all, (int)start);
		cJSON_AddItemToArray(arr, e);
	}
	if (i < n) {
		char cur[64];
		mcp_cursor_make(i, cur, sizeof cur);
		if (!cJSON_AddStringToObject(res, "nextCursor", cur)) {
			cJSON_Delete(res);
			return NULL;
		}
	}
	return res;
}

/* Add to all what each skill's skill.resources/1 list() reports now. A
 * skill whose list fails is logged and left out: the others still
 * list. */
static int add_dynamic(struct runtime *rt, const struct profile *prof,
                       cJSON *all, const struct dispatch_opts *o)
{
	struct catalog *c = runtime_acquire(rt);
	cJSON *names = cJSON_CreateArray(), *n;
	int ok = names != NULL;

	for (size_t i = 0; ok && i < catalog_skill_count(c); i++) {
		struct skill *sk = catalog_skill_at(c, i);
		if (mcp_skill_in_profile(sk, prof) &&
		    mcp_decl_ext(c, sk, SKILL_EXT_RESOURCES))
			cJSON_AddItemToArray(
			        names, cJSON_CreateString(sk->desc->name));
	}
	runtime_release(c);
	cJSON_ArrayForEach(n, names)
	{
		cJSON *args = cJSON_CreateObject();
		struct call_result cr;
		const cJSON *list, *e;
		skill_status st;
		char why[512];

		if (!args ||
		    mcp_decl_call(rt, n->valuestring, EXTCALL_RESOURCE_LIST,
		                  args, o, &cr, &st, why, sizeof why)) {
			cJSON_Delete(args);
			continue;
		}
		cJSON_Delete(args);
		list = cJSON_GetObjectItemCaseSensitive(cr.structured,
		                                        "resources");
		if (st != SKILL_ERR_UNSUPPORTED &&
		    (cr.is_error || !cJSON_IsArray(list)))
			hostlog(SKILL_LOG_WARNING,
			        "%s: its resources list() failed or returned "
			        "no {\"resources\": [...]}; its dynamic "
			        "resources are not listed",
			        n->valuestring);
		if (cr.is_error)
			list = NULL;
		cJSON_ArrayForEach(e, list)
		{
			const cJSON *size =
			        cJSON_GetObjectItemCaseSensitive(e, "size");
			cJSON *x;
			if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
			            e, "uri")) ||
			    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
			            e, "name")))
				continue;
			if (!(x = cJSON_CreateObject()) ||
			    !copy_meta(x, e, res_keys) ||
			    (cJSON_IsNumber(size) &&
			     !cJSON_AddNumberToObject(x, "size",
			                              size->valuedouble))) {
				cJSON_Delete(x);
				ok = 0;
				break;
			}
			cJSON_AddItemToArray(all, x);
		}
		call_result_free(&cr);
	}
	cJSON_Delete(names);
	return ok;
}

cJSON *mcp_resources_list(struct runtime *rt, const struct profile *prof,
                          struct mcp_artifacts *a, const cJSON *params,
                          size_t page, const struct dispatch_opts *dopts,
                          int *code, char *msg, size_t cap)
{
	size_t start = mcp_cursor_parse(
	        cJSON_GetObjectItemCaseSensitive(params, "cursor"));
	struct catalog *c;
	cJSON *decl, *all, *res = NULL;

	if (start == (size_t)-1) {
		set_err(code, msg, cap, JSONRPC_INVALID_PARAMS,
		        "Invalid params: unknown cursor; start again from a "
		        "resources/list without one");
		return NULL;
	}
	c = runtime_acquire(rt);
	decl = gather(c, "resources", prof);
	runtime_release(c);
	all = cJSON_CreateArray();
	for (cJSON *d = decl ? decl->child : NULL; all && d; d = d->next) {
		const cJSON *uri = cJSON_GetObjectItemCaseSensitive(d, "uri");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(d, "name");
		cJSON *o;
		if (!cJSON_IsString(uri) || !cJSON_IsString(name))
			continue;
		if (!(o = cJSON_CreateObject()) || !copy_meta(o, d, res_keys)) {
			cJSON_Delete(o);
			goto nomem;
		}
		cJSON_AddItemToArray(all, o);
	}
	if (all && !add_dynamic(rt, prof, all, dopts))
		goto nomem;
	if (a && all) {
		pthread_mutex_lock(&a->lock);
		for (size_t i = 0; i < a->n; i++) {
			char uri[ART_URI_MAX];
			cJSON *o = cJSON_CreateObject();
			snprintf(uri, sizeof uri, "%s%s", MCP_ARTIFACT_SCHEME,
			         a->v[i].id);
			if (!o || !cJSON_AddStringToObject(o, "uri", uri) ||
			    !cJSON_AddStringToObject(
			            o, "name",
			            strchr(a->v[i].id, '-')
			                    ? strchr(a->v[i].id, '-') + 1
			                    : a->v[i].id) ||
			    !cJSON_AddStringToObject(o, "mimeType",
			                             a->v[i].mime) ||
			    (a->v[i].size >= 0 &&
			     !cJSON_AddNumberToObject(o, "size",
			                              (double)a->v[i].size))) {
				cJSON_Delete(o);
				pthread_mutex_unlock(&a->lock);
				goto nomem;
			}
			cJSON_AddItemToArray(all, o);
		}
		pthread_mutex_unlock(&a->lock);
	}
	if (all)
		res = page_of(all, "resources", start, page);
	if (!res)
		goto nomem;
	cJSON_Delete(decl);
	cJSON_Delete(all);
	return res;
nomem:
	cJSON_Delete(decl);
	cJSON_Delete(all);
	set_err(code, msg, cap, JSONRPC_INTERNAL_ERROR,
	        "Internal error: out of memory");
	return NULL;
}

cJSON *mcp_resources_templates_list(struct runtime *rt,
                                    const struct profile *prof,
                                    const cJSON *params, size_t page, int *code,
                                    char *msg, size_t cap)
{
	size_t start = mcp_cursor_parse(
	        cJSON_GetObjectItemCaseSensitive(params, "cursor"));
	struct catalog *c;
	cJSON *decl, *all, *res = NULL, *o;

	if (start == (size_t)-1) {
		set_err(code, msg, cap, JSONRPC_INVALID_PARAMS,
		        "Invalid params: unknown cursor; start again from a "
		        "resources/templates/list without one");
		return NULL;
	}
	all = cJSON_CreateArray();
	/* The artifacts themselves, so a client can complete their ids. */
	o = cJSON_CreateObject();
	if (!all || !o ||
	    !cJSON_AddStringToObject(o, "uriTemplate", MCP_ARTIFACT_TEMPLATE) ||
	    !cJSON_AddStringToObject(o, "name", "artifact") ||
	    !cJSON_AddStringToObject(o, "title", "Artifacts") ||
	    !cJSON_AddStringToObject(o, "description",
	                             "Files this session's tool calls made")) {
		cJSON_Delete(o);
		cJSON_Delete(all);
		goto nomem_nodecl;
	}
	cJSON_AddItemToArray(all, o);
	c = runtime_acquire(rt);
	decl = gather(c, "templates", prof);
	runtime_release(c);
	for (cJSON *d = decl ? decl->child : NULL; d; d = d->next) {
		const cJSON *t =
		        cJSON_GetObjectItemCaseSensitive(d, "uriTemplate");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(d, "name");
		if (!cJSON_IsString(t) || !cJSON_IsString(name))
			continue;
		if (!(o = cJSON_CreateObject()) ||
		    !copy_meta(o, d, tmpl_keys)) {
			cJSON_Delete(o);
			cJSON_Delete(decl);
			cJSON_Delete(all);
			goto nomem_nodecl;
		}
		cJSON_AddItemToArray(all, o);
	}
	cJSON_Delete(decl);
	res = page_of(all, "resourceTemplates", start, page);
	cJSON_Delete(all);
	if (res)
		return res;
nomem_nodecl:
	set_err(code, msg, cap, JSONRPC_INTERNAL_ERROR,
	        "Internal error: out of memory");
	return NULL;
}

/* --- reading --- */

/* {"contents": [one]} with text or blob for data[0..len). */
static cJSON *contents_of(const char *uri, const char *mime, const char *data,
                          size_t len, int b64_already)
{
	cJSON *res = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(res, "contents");
	cJSON *one = cJSON_CreateObject();

	cJSON_AddItemToArray(arr, one);
	if (!res || !arr || !one || !cJSON_AddStringToObject(one, "uri", uri) ||
	    (mime && !cJSON_AddStringToObject(one, "mimeType", mime)))
		goto nomem;
	if (b64_already) {
		if (!cJSON_AddStringToObject(one, "blob", data))
			goto nomem;
	} else if (mcp_mime_is_text(mime) && sh_utf8_valid(data, len) &&
	           !memchr(data, '\0', len)) {
		if (!cJSON_AddStringToObject(one, "text", data))
			goto nomem;
	} else {
		size_t cap = sodium_base64_ENCODED_LEN(
		        len, sodium_base64_VARIANT_ORIGINAL);
		char *b = malloc(cap);
		if (!b)
			goto nomem;
		sodium_bin2base64(b, cap, (const unsigned char *)data, len,
		                  sodium_base64_VARIANT_ORIGINAL);
		if (!cJSON_AddStringToObject(one, "blob", b)) {
			free(b);
			goto nomem;
		}
		free(b);
	}
	return res;
nomem:
	cJSON_Delete(res);
	return NULL;
}

static cJSON *read_artifact(const struct host_services *svc,
                            struct mcp_artifacts *a, int any, const char *uri,
                            int *code, char *msg, size_t cap)
{
	const char *id = uri + strlen(MCP_ARTIFACT_SCHEME);
	char path[PATH_MAX], mime[128] = "application/octet-stream";
	struct sh_error err;
	struct stat st;
	cJSON *res;
	char *data;
	ssize_t got;
	size_t off = 0;
	int fd;

	if ((!any && !mcp_artifacts_has(a, id)) || !svc ||
	    artifacts_path(svc, id, path, sizeof path, &err) != SH_OK ||
	    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		*code = MCP_ERR_RESOURCE_NOT_FOUND;
		snprintf(msg, cap,
		         "Resource not found: %.300s (a session reads the "
		         "artifacts its own calls made, until they expire; "
		         "resources/list names them)",
		         uri);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*code = MCP_ERR_RESOURCE_NOT_FOUND;
		snprintf(msg, cap, "Resource not found: %.300s", uri);
		return NULL;
	}
	if ((uint64_t)st.st_size > (uint64_t)MCP_RESOURCE_READ_MAX) {
		close(fd);
		*code = JSONRPC_INVALID_PARAMS;
		snprintf(msg, cap,
		         "Invalid params: %.300s is %lld bytes, over the %u "
		         "bytes resources/read returns; download it with GET "
		         "/artifacts/%.200s from the HTTP server (same token "
		         "and session)",
		         uri, (long long)st.st_size, MCP_RESOURCE_READ_MAX, id);
		return NULL;
	}
	if (a) {
		pthread_mutex_lock(&a->lock);
		for (size_t i = 0; i < a->n; i++)
			if (!strcmp(a->v[i].id, id))
				snprintf(mime, sizeof mime, "%s", a->v[i].mime);
		pthread_mutex_unlock(&a->lock);
	}
	data = malloc((size_t)st.st_size + 1);
	while (data && off < (size_t)st.st_size &&
	       (got = read(fd, data + off, (size_t)st.st_size - off)) > 0)
		off += (size_t)got;
	close(fd);
	if (!data || off != (size_t)st.st_size) {
		free(data);
		*code = JSONRPC_INTERNAL_ERROR;
		snprintf(msg, cap, "Internal error: cannot read %.300s", uri);
		return NULL;
	}
	data[off] = '\0';
	res = contents_of(uri, mime, data, off, 0);
	free(data);
	if (!res)
		set_err(code, msg, cap, JSONRPC_INTERNAL_ERROR,
		        "Internal error: out of memory");
	return res;
}

/* A declared resource or template read: its text (with the template's
 * variables) or blob. */
static cJSON *read_decl(const char *uri, const cJSON *d, const cJSON *vars)
{
	const cJSON *mime = cJSON_GetObjectItemCaseSensitive(d, "mimeType");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(d, "text");
	const cJSON *blob = cJSON_GetObjectItemCaseSensitive(d, "blob");
	const char *m = cJSON_IsString(mime) ? mime->valuestring : NULL;
	cJSON *res;

	if (cJSON_IsString(blob))
		return contents_of(uri, m ? m : "application/octet-stream",
		                   blob->valuestring, 0, 1);
	if (cJSON_IsString(text)) {
		char *t = mcp_decl_subst(text->valuestring, vars);
		if (!t)
			return NULL;
		res = contents_of(uri, m ? m : "text/plain", t, strlen(t), 0);
		free(t);
		return res;
	}
	return contents_of(uri, m ? m : "text/plain", "", 0, 0);
}

/* A dynamic template's read: the skill's read() writes the contents as a
 * call result, turned here into resources/read contents. */
static cJSON *read_dynamic(struct runtime *rt, const char *uri, const cJSON *d,
                           const struct dispatch_opts *o, int *code, char *msg,
                           size_t cap)
{
	const cJSON *skill =
	        cJSON_GetObjectItemCaseSensitive(d, MCP_DECL_SKILL);
	const cJSON *mime = cJSON_GetObjectItemCaseSensitive(d, "mimeType");
	struct call_result cr;
	skill_status st;
	cJSON *args = cJSON_CreateObject(), *res = NULL, *arr, *b;

	if (!args || !cJSON_AddStringToObject(args, "uri", uri)) {
		cJSON_Delete(args);
		set_err(code, msg, cap, JSONRPC_INTERNAL_ERROR,
		        "Internal error: out of memory");
		return NULL;
	}
	if (mcp_decl_call(rt, skill->valuestring, EXTCALL_RESOURCE_READ, args,
	                  o, &cr, &st, msg, cap)) {
		cJSON_Delete(args);
		*code = JSONRPC_INTERNAL_ERROR;
		return NULL;
	}
	cJSON_Delete(args);
	if (st == SKILL_ERR_UNSUPPORTED || cr.is_error) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetArrayItem(cr.content, 0), "text");
		*code = st == SKILL_ERR_TOOL ? MCP_ERR_RESOURCE_NOT_FOUND
		                             : JSONRPC_INTERNAL_ERROR;
		if (st == SKILL_ERR_UNSUPPORTED)
			snprintf(msg, cap,
			         "Internal error: skill %s declares a dynamic "
			         "template for %.300s but offers no read "
			         "callback (skill.resources/1 read)",
			         skill->valuestring, uri);
		else
			snprintf(msg, cap, "%s%.900s",
			         *code == MCP_ERR_RESOURCE_NOT_FOUND
			                 ? "Resource not found: "
			                 : "Internal error: ",
			         cJSON_IsString(t) ? t->valuestring
			                           : "the skill's read failed");
		call_result_free(&cr);
		return NULL;
	}
	res = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(res, "contents");
	cJSON_ArrayForEach(b, cr.content)
	{
		const char *type = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(b, "type"));
		cJSON *one = NULL;
		if (!type || !arr)
			continue;
		if (!strcmp(type, "resource")) {
			one = cJSON_DetachItemFromObjectCaseSensitive(
			        b, "resource");
		} else if (!strcmp(type, "text")) {
			one = cJSON_CreateObject();
			cJSON_AddStringToObject(one, "uri", uri);
			cJSON_AddStringToObject(one, "mimeType",
			                        cJSON_IsString(mime)
			                                ? mime->valuestring
			                                : "text/plain");
			cJSON_AddItemToObject(
			        one, "text",
			        cJSON_DetachItemFromObjectCaseSensitive(
			                b, "text"));
		} else if (!strcmp(type, "image") || !strcmp(type, "audio")) {
			one = cJSON_CreateObject();
			cJSON_AddStringToObject(one, "uri", uri);
			cJSON_AddItemToObject(
			        one, "mimeType",
			        cJSON_DetachItemFromObjectCaseSensitive(
			                b, "mimeType"));
			cJSON_AddItemToObject(
			        one, "blob",
			        cJSON_DetachItemFromObjectCaseSensitive(
			                b, "data"));
		}
		if (one)
			cJSON_AddItemToArray(arr, one);
	}
	call_result_free(&cr);
	if (!res || !arr) {
		cJSON_Delete(res);
		set_err(code, msg, cap, JSONRPC_INTERNAL_ERROR,
		        "Internal error: out of memory");
		return NULL;
	}
	return res;
}

/* The declaration (resource or template) that answers uri, as a
 * contents result; NULL with *found 0 when none does, or with *found 1
 * and the error set when reading it failed. With probe, nothing is read:
 * a match returns an empty object. */
static cJSON *find_decl(struct runtime *rt, const struct profile *prof,
                        const char *uri, int *found, int probe,
                        const struct dispatch_opts *o, int *code, char *msg,
                        size_t cap)
{
	struct catalog *c = runtime_acquire(rt);
	cJSON *res_decl = gather(c, "resources", prof);
	cJSON *tmpl_decl = gather(c, "templates", prof);
	cJSON *res = NULL, *d;

	runtime_release(c);
	*found = 0;
	cJSON_ArrayForEach(d, res_decl)
	{
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(d, "uri");
		if (cJSON_IsString(u) && !strcmp(u->valuestring, uri)) {
			*found = 1;
			res = probe ? cJSON_CreateObject()
			            : read_decl(uri, d, NULL);
			goto out;
		}
	}
	cJSON_ArrayForEach(d, tmpl_decl)
	{
		const cJSON *t =
		        cJSON_GetObjectItemCaseSensitive(d, "uriTemplate");
		cJSON *vars = NULL;
		if (cJSON_IsString(t) &&
		    mcp_template_match(t->valuestring, uri, &vars) == 1) {
			*found = 1;
			if (probe)
				res = cJSON_CreateObject();
			else if (cJSON_GetObjectItemCaseSensitive(d, "text") ||
			         cJSON_GetObjectItemCaseSensitive(d, "blob"))
				res = read_decl(uri, d, vars);
			else
				res = read_dynamic(rt, uri, d, o, code, msg,
				                   cap);
			cJSON_Delete(vars);
			if (!res && *code == 0)
				set_err(code, msg, cap, JSONRPC_INTERNAL_ERROR,
				        "Internal error: out of memory");
			goto out;
		}
	}
out:
	cJSON_Delete(res_decl);
	cJSON_Delete(tmpl_decl);
	return res;
}

/* The "uri" param, or NULL with the error set. */
static const char *uri_param(const cJSON *params, const char *method, int *code,
                             char *msg, size_t cap)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(params, "uri");

	if (!cJSON_IsString(u) || !u->valuestring[0]) {
		*code = JSONRPC_INVALID_PARAMS;
		snprintf(msg, cap,
		         "Invalid params: %s needs \"uri\", a resource URI "
		         "from resources/list or a resource template",
		         method);
		return NULL;
	}
	return u->valuestring;
}

cJSON *mcp_resources_read(struct runtime *rt, const struct profile *prof,
                          struct mcp_artifacts *a, int any_artifact,
                          const cJSON *params, const struct dispatch_opts *o,
                          int *code, char *msg, size_t cap)
{
	const char *uri = uri_param(params, "resources/read", code, msg, cap);
	cJSON *res;
	int found;

	if (!uri)
		return NULL;
	if (!strncmp(uri, MCP_ARTIFACT_SCHEME, strlen(MCP_ARTIFACT_SCHEME)))
		return read_artifact(runtime_services(rt), a, any_artifact, uri,
		                     code, msg, cap);
	*code = 0;
	res = find_decl(rt, prof, uri, &found, 0, o, code, msg, cap);
	if (res)
		return res;
	if (found) {
		if (*code == 0)
			set_err(code, msg, cap, JSONRPC_INTERNAL_ERROR,
			        "Internal error: out of memory");
	} else {
		*code = MCP_ERR_RESOURCE_NOT_FOUND;
		snprintf(msg, cap,
		         "Resource not found: %.300s; resources/list and "
		         "resources/templates/list name what this server has",
		         uri);
	}
	return NULL;
}

cJSON *mcp_resources_subscribe(struct runtime *rt, const struct profile *prof,
                               struct mcp_artifacts *a, int any_artifact,
                               const cJSON *params, int on, int *code,
                               char *msg, size_t cap)
{
	int found = 0;

	const char *uri = uri_param(
	        params, on ? "resources/subscribe" : "resources/unsubscribe",
	        code, msg, cap);
	cJSON *probe;
	size_t i;

	if (!uri)
		return NULL;
	if (on) {
		/* Only what this session could read; a skill's resources
		 * are matched, not read (a dynamic read is a call). */
		if (!strncmp(uri, MCP_ARTIFACT_SCHEME,
		             strlen(MCP_ARTIFACT_SCHEME))) {
			found = 1; /* its own message says why not */
			probe = mcp_resources_read(rt, prof, a, any_artifact,
			                           params, NULL, code, msg,
			                           cap);
		} else {
			probe = find_decl(rt, prof, uri, &found, 1, NULL, code,
			                  msg, cap);
		}
		if (!probe) {
			if (!found) {
				*code = MCP_ERR_RESOURCE_NOT_FOUND;
				snprintf(msg, cap,
				         "Resource not found: %.300s; "
				         "resources/list and resources/"
				         "templates/list name what this "
				         "server has",
				         uri);
			}
			return NULL;
		}
		cJSON_Delete(probe);
	}
	if (!a)
		return cJSON_CreateObject();
	pthread_mutex_lock(&a->lock);
	for (i = 0; i < a->nsubs && strcmp(a->subs[i], uri); i++)
		;
	if (on && i == a->nsubs && a->nsubs < SUBS_MAX) {
		char **v = realloc(a->subs, (a->nsubs + 1) * sizeof *v);
		if (v) {
			a->subs = v;
			if ((v[a->nsubs] = strdup(uri)))
				a->nsubs++;
		}
	} else if (!on && i < a->nsubs) {
		free(a->subs[i]);
		a->subs[i] = a->subs[--a->nsubs];
	}
	pthread_mutex_unlock(&a->lock);
	return cJSON_CreateObject();
}

cJSON *mcp_complete_by_skill(struct runtime *rt, const char *skill,
                             const char *ref, const char *arg,
                             const char *prefix, const struct dispatch_opts *o,
                             int *code, char *msg, size_t cap)
{
	cJSON *args = cJSON_CreateObject(), *res = NULL, *comp;
	const cJSON *vals, *total;
	struct call_result cr;
	skill_status st;

	if (!args || !cJSON_AddStringToObject(args, "ref", ref) ||
	    !cJSON_AddStringToObject(args, "argument", arg) ||
	    !cJSON_AddStringToObject(args, "value", prefix)) {
		cJSON_Delete(args);
		set_err(code, msg, cap, JSONRPC_INTERNAL_ERROR,
		        "Internal error: out of memory");
		return NULL;
	}
	if (mcp_decl_call(rt, skill, EXTCALL_COMPLETE, args, o, &cr, &st, msg,
	                  cap)) {
		cJSON_Delete(args);
		*code = JSONRPC_INTERNAL_ERROR;
		return NULL;
	}
	cJSON_Delete(args);
	vals = cJSON_GetObjectItemCaseSensitive(cr.structured, "values");
	if (st == SKILL_ERR_UNSUPPORTED) {
		/* Nothing declared and nothing computed: no suggestions. */
		res = mcp_complete_from(NULL, "");
	} else if (cr.is_error || !cJSON_IsArray(vals)) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetArrayItem(cr.content, 0), "text");
		*code = JSONRPC_INTERNAL_ERROR;
		snprintf(msg, cap, "Internal error: %.900s",
		         cr.is_error && cJSON_IsString(t)
		                 ? t->valuestring
		                 : "the skill's completion returned no "
		                   "{\"values\": [...]}");
		call_result_free(&cr);
		return NULL;
	} else {
		/* The skill filtered already; keep its order and cap it. */
		res = mcp_complete_from(vals, "");
		total = cJSON_GetObjectItemCaseSensitive(cr.structured,
		                                         "total");
		comp = cJSON_GetObjectItemCaseSensitive(res, "completion");
		if (comp && cJSON_IsNumber(total) &&
		    total->valuedouble >
		            cJSON_GetObjectItemCaseSensitive(comp, "total")
		                    ->valuedouble) {
			cJSON_SetNumberValue(
			        cJSON_GetObjectItemCaseSensitive(comp, "total"),
			        total->valuedouble);
			cJSON_ReplaceItemInObjectCaseSensitive(
			        comp, "hasMore", cJSON_CreateTrue());
		}
	}
	call_result_free(&cr);
	if (!res)
		set_err(code, msg, cap, JSONRPC_INTERNAL_ERROR,
		        "Internal error: out of memory");
	return res;
}

void mcp_artifacts_each_sub(struct mcp_artifacts *a,
                            void (*fn)(void *ud, const char *uri), void *ud)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->nsubs; i++)
		fn(ud, a->subs[i]);
	pthread_mutex_unlock(&a->lock);
}

cJSON *mcp_resources_complete(struct runtime *rt, const struct profile *prof,
                              struct mcp_artifacts *a, const char *uri,
                              const char *arg, const char *prefix,
                              const struct dispatch_opts *o, int *code,
                              char *msg, size_t cap)
{
	struct catalog *c;
	cJSON *decl, *d, *res = NULL;
	const cJSON *vals;

	if (!strcmp(uri, MCP_ARTIFACT_TEMPLATE)) {
		cJSON *ids = cJSON_CreateArray();
		if (a && ids && !strcmp(arg, "id")) {
			pthread_mutex_lock(&a->lock);
			for (size_t i = 0; i < a->n; i++)
				cJSON_AddItemToArray(
				        ids, cJSON_CreateString(a->v[i].id));
			pthread_mutex_unlock(&a->lock);
		}
		res = ids ? mcp_complete_from(ids, prefix) : NULL;
		cJSON_Delete(ids);
		goto out;
	}
	c = runtime_acquire(rt);
	decl = gather(c, "templates", prof);
	runtime_release(c);
	cJSON_ArrayForEach(d, decl)
	{
		const cJSON *t =
		        cJSON_GetObjectItemCaseSensitive(d, "uriTemplate");
		if (!cJSON_IsString(t) || strcmp(t->valuestring, uri))
			continue;
		if (!mcp_template_has_var(uri, arg)) {
			cJSON_Delete(decl);
			*code = JSONRPC_INVALID_PARAMS;
			snprintf(msg, cap,
			         "Invalid params: template %.300s has no "
			         "variable \"%.64s\"",
			         uri, arg);
			return NULL;
		}
		vals = cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetObjectItemCaseSensitive(d, "values"), arg);
		if (vals) {
			res = mcp_complete_from(vals, prefix);
		} else {
			/* No values declared: the skill may compute them. */
			char ref[1100];
			snprintf(ref, sizeof ref, "resource:%s", uri);
			res = mcp_complete_by_skill(
			        rt,
			        cJSON_GetObjectItemCaseSensitive(d,
			                                         MCP_DECL_SKILL)
			                ->valuestring,
			        ref, arg, prefix, o, code, msg, cap);
			cJSON_Delete(decl);
			return res;
		}
		cJSON_Delete(decl);
		goto out;
	}
	cJSON_Delete(decl);
	*code = JSONRPC_INVALID_PARAMS;
	snprintf(msg, cap,
	         "Invalid params: no resource template %.300s; "
	         "resources/templates/list names them",
	         uri);
	return NULL;
out:
	if (!res)
		set_err(code, msg, cap, JSONRPC_INTERNAL_ERROR,
		        "Internal error: out of memory");
	return res;
}
