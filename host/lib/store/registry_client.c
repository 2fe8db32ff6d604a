/*
 * registry_client.c - registries, their verified indexes, and installs from
 * them. See registry_client.h and registry/FORMAT.md.
 */
#include "registry_client.h"
#include "jsonnum.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "fsutil.h"
#include "jsonfile.h"
#include "hostlog.h"
#include "jsonstrict.h"
#include "names.h"
#include "trust.h"

#define LOCK_FILE       ".lock"
#define STATE_FILE      "state.json"
#define ROOT_FILE       "root.json"
#define INDEX_FILE      "index.json"
#define SIG_SUFFIX      ".minisig"
#define PREV_SIG_SUFFIX ".prev.minisig"
#define DOWNLOADS_DIR   "downloads"
#define STATE_MAX_BYTES ((size_t)64 * 1024)
#define REL_MAX         96

/* ---- small helpers ------------------------------------------------------ */

int regclient_valid_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > REGCLIENT_MAX_NAME)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		         (i > 0 && (c == '.' || c == '_' || c == '-'));
		if (!ok)
			return 0;
	}
	return 1;
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static sh_status lock_registries(const char *home, int *fd, struct sh_error *e)
{
	char dir[PATH_MAX];
	sh_status rc;

	*fd = -1;
	if ((rc = fs_join(dir, sizeof dir, home, REGCLIENT_DIR, e)))
		return rc;
	return fs_lock_in(dir, LOCK_FILE, fd, e);
}

static void unlock_registries(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int valid_base_url(const char *u)
{
	size_t n = strlen(u);

	if (n == 0 || n > REGCLIENT_MAX_URL - 2)
		return 0;
	if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8) &&
	    strncmp(u, "file://", 7))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u[i];
		if (c <= ' ' || c >= 0x7f || strchr("\"'<>\\^`{|}#?", c))
			return 0;
	}
	return strlen(strchr(u, ':') + 3) > 0;
}

/* base ends in '/'; rel is a relative path or an absolute http(s) URL. */
static char *resolve_url(const char *base, const char *rel)
{
	size_t n;
	char *u;

	if (!base || !rel)
		return NULL;
	if (!strncmp(rel, "http://", 7) || !strncmp(rel, "https://", 8))
		return strdup(rel);
	n = strlen(base) + strlen(rel) + 1;
	u = malloc(n);
	if (u)
		snprintf(u, n, "%s%s", base, rel);
	return u;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* rel resolved against every mirror, without repeats (an absolute URL
 * is the same from all of them). */
static sh_status mirror_urls(char *const *bases, size_t nbases, const char *rel,
                             char ***out, size_t *n, struct sh_error *e)
{
	char **v = calloc(nbases + 1, sizeof *v);

	*n = 0;
	if (!v)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < nbases; i++) {
		char *u = resolve_url(bases[i], rel);
		int dup = 0;
		if (!u) {
			free_strv(v, *n);
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		}
		for (size_t j = 0; j < *n && !dup; j++)
			dup = !strcmp(v[j], u);
		if (dup)
			free(u);
		else
			v[(*n)++] = u;
	}
	*out = v;
	return SH_OK;
}

/* Fetch base+rel into memory, capped at cap bytes. */
static sh_status fetch_mem(const char *base, const char *rel, uint64_t cap,
                           int exact, const uint8_t *hash, const char *what,
                           const struct download_opts *dl,
                           struct download_result *res, struct sh_error *e)
{
	struct download_req r = {0};
	char *url = resolve_url(base, rel);
	const char *urls[1];
	sh_status rc;

	if (!url)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	urls[0] = url;
	r.urls = urls;
	r.nurls = 1;
	r.max_bytes = cap;
	r.exact = exact;
	r.blake2b256 = hash;
	r.what = what;
	rc = download_fetch(&r, dl, res, e);
	free(url);
	return rc;
}

static sh_status parse_sig(const struct download_result *res, const char *what,
                           struct minisig_signature *sig, struct sh_error *e)
{
	sh_status rc = minisig_parse(res->data, res->len, sig, e);

	if (rc != SH_OK) {
		e->status = SH_ERR_TRUST;
		return sh_error_prefix(e, "%s is not a valid signature", what);
	}
	return SH_OK;
}

/* ---- registries.json ---------------------------------------------------- */

struct regcfg {
	char name[REGCLIENT_MAX_NAME + 1];
	char **urls;
	size_t nurls;
	struct minisig_pubkey root_key;
	int64_t added;
};

struct regcfgs {
	struct regcfg *v;
	size_t n;
};

static void cfgs_free(struct regcfgs *c)
{
	for (size_t i = 0; i < c->n; i++)
		free_strv(c->v[i].urls, c->v[i].nurls);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/* Read dir/name (its path into path, at most cap bytes) as JSON: *out is
 * the parsed text, NULL when it is not JSON (the caller says how that is
 * damaged). A missing file is SH_ERR_NOTFOUND with e cleared; a repeated
 * key is refused, fix appended to the message. */
static sh_status load_json(const char *dir, const char *name, size_t cap,
                           char path[PATH_MAX], cJSON **out, const char *fix,
                           struct sh_error *e)
{
	char *text = NULL;
	size_t len;
	sh_status rc;

	*out = NULL;
	if ((rc = fs_join(path, PATH_MAX, dir, name, e)))
		return rc;
	rc = fs_read_file(path, cap, &text, &len, e);
	if (rc == SH_ERR_NOTFOUND)
		sh_error_clear(e);
	if (rc != SH_OK)
		return rc;
	*out = cJSON_ParseWithLength(text, len);
	free(text);
	if (*out && json_check_unique_keys(*out, path, e) != SH_OK) {
		cJSON_Delete(*out);
		*out = NULL;
		return sh_error_suffix(e, "%s", fix);
	}
	return SH_OK;
}

static sh_status cfgs_load(const char *home, struct regcfgs *c,
                           struct sh_error *e)
{
	char path[PATH_MAX];
	cJSON *root = NULL;
	const cJSON *regs, *r;
	sh_status rc;

	memset(c, 0, sizeof *c);
	/* It pins each registry's root key: one reading only. */
	rc = load_json(home, REGCLIENT_FILE, REGCLIENT_MAX_FILE_BYTES, path,
	               &root,
	               "; restore it from a backup, or remove it and add the "
	               "registries again",
	               e);
	if (rc != SH_OK)
		return rc == SH_ERR_NOTFOUND ? SH_OK : rc;
	regs = cJSON_GetObjectItemCaseSensitive(root, "registries");
	if (!cJSON_IsArray(regs) ||
	    cJSON_GetArraySize(regs) > REGCLIENT_MAX_REGISTRIES)
		goto damaged;
	c->v = calloc((size_t)cJSON_GetArraySize(regs) + 1, sizeof *c->v);
	if (!c->v) {
		cJSON_Delete(root);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	cJSON_ArrayForEach(r, regs)
	{
		struct regcfg *g = &c->v[c->n];
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(r, "name");
		const cJSON *urls = cJSON_GetObjectItemCaseSensitive(r, "urls");
		const cJSON *key =
		        cJSON_GetObjectItemCaseSensitive(r, "root_key");
		const cJSON *added =
		        cJSON_GetObjectItemCaseSensitive(r, "added");
		const cJSON *u;
		size_t nu = (size_t)cJSON_GetArraySize(urls);

		if (!cJSON_IsString(name) ||
		    !regclient_valid_name(name->valuestring) ||
		    !cJSON_IsArray(urls) || nu < 1 ||
		    nu > DOWNLOAD_MAX_MIRRORS || !cJSON_IsString(key) ||
		    minisig_pubkey_parse(key->valuestring,
		                         strlen(key->valuestring), &g->root_key,
		                         NULL) != SH_OK)
			goto damaged;
		snprintf(g->name, sizeof g->name, "%s", name->valuestring);
		g->added = json_int64(added, 0);
		g->urls = calloc(nu, sizeof *g->urls);
		if (!g->urls)
			goto damaged;
		c->n++;
		cJSON_ArrayForEach(u, urls)
		{
			if (!cJSON_IsString(u) ||
			    !valid_base_url(u->valuestring))
				goto damaged;
			if (!(g->urls[g->nurls] = strdup(u->valuestring)))
				goto damaged;
			g->nurls++;
		}
	}
	cJSON_Delete(root);
	return SH_OK;
damaged:
	cJSON_Delete(root);
	cfgs_free(c);
	return sh_error_set(e, SH_ERR_INVALID,
	                    "%s is damaged; restore it from a backup, or "
	                    "remove it and add the registries again",
	                    path);
}

static sh_status cfgs_save(const char *home, const struct regcfgs *c,
                           struct sh_error *e)
{
	char path[PATH_MAX], b64[MINISIG_PUBKEY_B64_SIZE];
	cJSON *root = cJSON_CreateObject(), *regs;
	sh_status rc;

	if (!root || !cJSON_AddNumberToObject(root, "format", 1) ||
	    !(regs = cJSON_AddArrayToObject(root, "registries")))
		goto nomem;
	for (size_t i = 0; i < c->n; i++) {
		cJSON *o = cJSON_CreateObject(), *urls;
		if (!o)
			goto nomem;
		cJSON_AddItemToArray(regs, o);
		minisig_pubkey_to_base64(&c->v[i].root_key, b64);
		if (!cJSON_AddStringToObject(o, "name", c->v[i].name) ||
		    !(urls = cJSON_AddArrayToObject(o, "urls")) ||
		    !cJSON_AddStringToObject(o, "root_key", b64) ||
		    !cJSON_AddNumberToObject(o, "added", (double)c->v[i].added))
			goto nomem;
		for (size_t j = 0; j < c->v[i].nurls; j++)
			if (!cJSON_AddItemToArray(
			            urls, cJSON_CreateString(c->v[i].urls[j])))
				goto nomem;
	}
	if ((rc = fs_join(path, sizeof path, home, REGCLIENT_FILE, e)) == SH_OK)
		rc = json_write_atomic(path, root, 0644, 0, e);
	cJSON_Delete(root);
	return rc;
nomem:
	cJSON_Delete(root);
	return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
}

static struct regcfg *cfgs_find(const struct regcfgs *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name))
			return &c->v[i];
	return NULL;
}

/* ---- per-registry state ------------------------------------------------- */

struct regstate {
	int64_t root_version;
	int64_t index_version; /* the highest accepted: rollback floor */
	int64_t checked;
};

static sh_status reg_dir(const char *home, const char *name, char *buf,
                         size_t cap, struct sh_error *e)
{
	return fs_pathf(buf, cap, e, "%s/%s/%s", home, REGCLIENT_DIR, name);
}

static int64_t num(const cJSON *o, const char *k)
{
	int64_t n = json_int64(cJSON_GetObjectItemCaseSensitive(o, k), 0);
	return n >= 0 ? n : 0;
}

static sh_status state_load(const char *dir, struct regstate *st,
                            struct sh_error *e)
{
	char path[PATH_MAX];
	cJSON *j;
	sh_status rc;

	memset(st, 0, sizeof *st);
	/* A repeated key could hide a lower rollback floor. */
	rc = load_json(dir, STATE_FILE, STATE_MAX_BYTES, path, &j,
	               "; remove the registry and add it again", e);
	if (rc != SH_OK)
		return rc == SH_ERR_NOTFOUND ? SH_OK : rc;
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		/* Losing the rollback floor silently would be worse than
		 * stopping: say what to do. */
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s is damaged; remove the registry and add "
		        "it again",
		        path);
	}
	st->root_version = num(j, "root_version");
	st->index_version = num(j, "index_version");
	st->checked = num(j, "checked");
	cJSON_Delete(j);
	return SH_OK;
}

static sh_status state_save(const char *dir, const struct regstate *st,
                            struct sh_error *e)
{
	char path[PATH_MAX], text[256];
	sh_status rc;
	int n;

	if ((rc = fs_join(path, sizeof path, dir, STATE_FILE, e)))
		return rc;
	n = snprintf(text, sizeof text,
	             "{\"format\": 1, \"root_version\": %" PRId64
	             ", \"index_version\": %" PRId64 ", \"checked\": %" PRId64
	             "}\n",
	             st->root_version, st->index_version, st->checked);
	return fs_write_atomic(path, text, (size_t)n, 0644, e);
}

static sh_status write_file(const char *dir, const char *name, const char *data,
                            size_t len, struct sh_error *e)
{
	char path[PATH_MAX];
	sh_status rc;

	if ((rc = fs_join(path, sizeof path, dir, name, e)))
		return rc;
	return fs_write_atomic(path, data, len, 0644, e);
}

static sh_status read_in(const char *dir, const char *name, size_t cap,
                         char **text, size_t *len, struct sh_error *e)
{
	char path[PATH_MAX];
	sh_status rc;

	if ((rc = fs_join(path, sizeof path, dir, name, e)))
		return rc;
	return fs_read_file(path, cap, text, len, e);
}

/* ---- refreshing --------------------------------------------------------- */

/* What a refresh works on: the trusted root (possibly advanced by the
 * walk) and, once fetched, the new index. */
struct refresh {
	const char *regname;
	const struct download_opts *dl;
	struct regstate st;
	struct regroot *root;
	char *root_text, *root_sig;
	size_t root_len, root_sig_len;
	int root_changed, keys_changed;
	/* the cache's signature comment, when there is a usable cache */
	int have_cache;
	struct regmeta_info cache_info;
	/* the new index */
	char *ix_text, *ix_sig;
	size_t ix_len, ix_sig_len;
	struct regindex *ix;
	struct regmeta_info info;
	int unchanged; /* the new index is the cached one */
};

static void refresh_clear_index(struct refresh *r)
{
	free(r->ix_text);
	free(r->ix_sig);
	regindex_free(r->ix);
	r->ix_text = r->ix_sig = NULL;
	r->ix = NULL;
}

static void refresh_free(struct refresh *r)
{
	regroot_free(r->root);
	free(r->root_text);
	free(r->root_sig);
	refresh_clear_index(r);
}

static int same_index_keys(const struct regroot *a, const struct regroot *b)
{
	if (a->nindex_keys != b->nindex_keys)
		return 0;
	for (size_t i = 0; i < a->nindex_keys; i++)
		if (!regroot_index_key(b, a->index_keys[i].key_id) ||
		    memcmp(regroot_index_key(b, a->index_keys[i].key_id)->pk,
		           a->index_keys[i].pk, MINISIG_PUBKEY_BYTES))
			return 0;
	return 1;
}

/* Verify a root file (text) with its detached signature (sig text) made
 * by pk, as version want (0: any). On success *out is the parsed root. */
static sh_status verify_root(const struct minisig_pubkey *pk,
                             const struct download_result *text,
                             const struct download_result *sigtext,
                             int64_t want, const char *what,
                             struct regroot **out, struct sh_error *e)
{
	struct minisig_signature sig;
	struct regmeta_info info;
	sh_status rc;

	*out = NULL;
	if ((rc = parse_sig(sigtext, what, &sig, e)) ||
	    (rc = regmeta_verify_comment(pk, &sig, REGMETA_ROOT, what, &info,
	                                 e)))
		return rc;
	if (want && info.version != want)
		return sh_error_set(e, SH_ERR_TRUST,
		                    "%s is signed as root version %" PRId64
		                    ", not %" PRId64,
		                    what, info.version, want);
	if ((rc = regmeta_verify_body(pk, &sig, &info, text->data, text->len,
	                              what, e)))
		return rc;
	if ((rc = regroot_parse(text->data, text->len, what, out, e))) {
		e->status = SH_ERR_TRUST;
		return rc;
	}
	if ((*out)->version != info.version) {
		int64_t said = (*out)->version;
		regroot_free(*out);
		*out = NULL;
		return sh_error_set(e, SH_ERR_TRUST,
		                    "%s says version %" PRId64
		                    " but its signature says %" PRId64,
		                    what, said, info.version);
	}
	return SH_OK;
}

/* Walk roots/N+1.root.json from base while they exist. */
static sh_status walk_roots(struct refresh *r, const char *base,
                            struct sh_error *e)
{
	for (int step = 0; step < REGCLIENT_MAX_ROOT_STEPS; step++) {
		struct download_result body, prev, self;
		struct regroot *next = NULL;
		char rel[REL_MAX], srel[REL_MAX], prel[REL_MAX], what[160];
		int64_t v = r->root->version + 1;
		sh_status rc;

		snprintf(rel, sizeof rel, "roots/%" PRId64 ".root.json", v);
		snprintf(prel, sizeof prel, "roots/%" PRId64 ".root.json%s", v,
		         PREV_SIG_SUFFIX);
		snprintf(srel, sizeof srel, "roots/%" PRId64 ".root.json%s", v,
		         SIG_SUFFIX);
		snprintf(what, sizeof what,
		         "root version %" PRId64 " of registry %s", v,
		         r->regname);
		rc = fetch_mem(base, rel, REGROOT_MAX_BYTES, 0, NULL, rel,
		               r->dl, &body, e);
		if (rc == SH_ERR_NOTFOUND) {
			sh_error_clear(e);
			return SH_OK; /* the newest root: done */
		}
		if (rc != SH_OK)
			return rc;
		memset(&prev, 0, sizeof prev);
		memset(&self, 0, sizeof self);
		rc = fetch_mem(base, prel, MINISIG_TEXT_MAX, 0, NULL, prel,
		               r->dl, &prev, e);
		if (rc == SH_ERR_NOTFOUND)
			rc = sh_error_set(
			        e, SH_ERR_TRUST,
			        "%s has no %s: a new root is accepted "
			        "only when the previous root key signed "
			        "it",
			        what, prel);
		/* N+1 must be signed by N's root key, and by its own. */
		if (rc == SH_OK)
			rc = verify_root(&r->root->root_key, &body, &prev, v,
			                 what, &next, e);
		if (rc == SH_OK) {
			struct regroot *again = NULL;
			rc = fetch_mem(base, srel, MINISIG_TEXT_MAX, 0, NULL,
			               srel, r->dl, &self, e);
			if (rc == SH_ERR_NOTFOUND)
				rc = sh_error_set(e, SH_ERR_TRUST,
				                  "%s has no %s", what, srel);
			if (rc == SH_OK)
				rc = verify_root(&next->root_key, &body, &self,
				                 v, what, &again, e);
			regroot_free(again);
		}
		download_result_free(&prev);
		if (rc != SH_OK) {
			download_result_free(&body);
			download_result_free(&self);
			regroot_free(next);
			return rc;
		}
		hostlog(SKILL_LOG_INFO,
		        "registry %s: root version %" PRId64 " accepted",
		        r->regname, v);
		if (!same_index_keys(r->root, next))
			r->keys_changed = 1;
		regroot_free(r->root);
		free(r->root_text);
		free(r->root_sig);
		r->root = next;
		r->root_text = body.data;
		r->root_len = body.len;
		r->root_sig = self.data;
		r->root_sig_len = self.len;
		r->root_changed = 1;
	}
	return sh_error_set(e, SH_ERR_TRUST,
	                    "registry %s offers more than %d new root "
	                    "versions at once; refusing to walk further",
	                    r->regname, REGCLIENT_MAX_ROOT_STEPS);
}

/* Check a signature comment against the rollback floor and the clock. */
static sh_status check_fresh(const struct refresh *r,
                             const struct regmeta_info *info, int64_t now,
                             const char *where, struct sh_error *e)
{
	char t[REGINDEX_TIME_SIZE];

	if (info->version < r->st.index_version)
		return sh_error_set(
		        e, SH_ERR_TRUST,
		        "%s is index version %" PRId64 ", older than "
		        "version %" PRId64 " already seen from "
		        "registry %s: a rollback (or a stale mirror) "
		        "is refused; try again later or use another "
		        "mirror",
		        where, info->version, r->st.index_version, r->regname);
	if (info->expires <= now) {
		regindex_time_format(info->expires, t);
		return sh_error_set(
		        e, SH_ERR_TRUST,
		        "%s (index version %" PRId64 ") expired at "
		        "%s: registry %s is frozen or stale; its "
		        "operator must re-sign it (skillreg resign)",
		        where, info->version, t, r->regname);
	}
	return SH_OK;
}

static sh_status index_key(const struct regroot *root,
                           const struct minisig_signature *sig,
                           const char *regname, const char *where,
                           const struct minisig_pubkey **pk, struct sh_error *e)
{
	char id[MINISIG_KEYID_HEX_SIZE];

	*pk = regroot_index_key(root, sig->key_id);
	if (*pk)
		return SH_OK;
	minisig_keyid_to_hex(sig->key_id, id);
	return sh_error_set(
	        e, SH_ERR_TRUST,
	        "%s is signed by key %s, which root version %" PRId64
	        " of registry %s does not list as an index key "
	        "(a retired or foreign key)",
	        where, id, root->version, regname);
}

/* Fetch and verify the index from base into r. */
static sh_status fetch_index(struct refresh *r, const char *base,
                             const char *cache_text, size_t cache_len,
                             int64_t now, struct sh_error *e)
{
	struct download_result sigr = {0}, body = {0};
	const struct minisig_pubkey *pk;
	struct minisig_signature sig;
	char where[160], rel[REL_MAX];
	const char *text;
	size_t len;
	sh_status rc;

	refresh_clear_index(r);
	r->unchanged = 0;
	snprintf(where, sizeof where, "index.json of registry %s", r->regname);
	if ((rc = fetch_mem(base, INDEX_FILE SIG_SUFFIX, MINISIG_TEXT_MAX, 0,
	                    NULL, INDEX_FILE SIG_SUFFIX, r->dl, &sigr, e)))
		return rc;
	if ((rc = parse_sig(&sigr, where, &sig, e)) ||
	    (rc = index_key(r->root, &sig, r->regname, where, &pk, e)) ||
	    (rc = regmeta_verify_comment(pk, &sig, REGMETA_INDEX, where,
	                                 &r->info, e)) ||
	    (rc = check_fresh(r, &r->info, now, where, e)))
		goto out;
	if (r->info.length > REGINDEX_MAX_BYTES) {
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "%s is signed as %" PRIu64 " bytes, over the "
		                  "%zu-byte cap on an index; refused before "
		                  "downloading it",
		                  where, r->info.length, REGINDEX_MAX_BYTES);
		goto out;
	}
	if (r->info.version == r->st.index_version && r->have_cache &&
	    sodium_memcmp(r->info.blake2b256, r->cache_info.blake2b256,
	                  MINISIG_FILE_HASH_BYTES)) {
		rc = sh_error_set(
		        e, SH_ERR_TRUST,
		        "%s: index version %" PRId64 " now has other "
		        "content than when it was first seen; an index "
		        "never changes without a new version",
		        where, r->info.version);
		goto out;
	}
	if (r->have_cache && r->info.version == r->cache_info.version &&
	    !sodium_memcmp(r->info.blake2b256, r->cache_info.blake2b256,
	                   MINISIG_FILE_HASH_BYTES)) {
		text = cache_text; /* unchanged: nothing to download */
		len = cache_len;
		r->unchanged = 1;
	} else {
		rc = fetch_mem(base, INDEX_FILE, r->info.length, 1,
		               r->info.blake2b256, INDEX_FILE, r->dl, &body, e);
		if (rc == SH_ERR_TRUST) {
			/* index.json moved on (or was cached stale) between
			 * the two requests: the versioned copy is immutable. */
			snprintf(rel, sizeof rel, "indexes/%" PRId64 ".json",
			         r->info.version);
			hostlog(SKILL_LOG_DEBUG, "registry %s: %s; trying %s",
			        r->regname, e->msg, rel);
			rc = fetch_mem(base, rel, r->info.length, 1,
			               r->info.blake2b256, rel, r->dl, &body,
			               e);
		}
		if (rc != SH_OK)
			goto out;
		text = body.data;
		len = body.len;
	}
	if ((rc = regmeta_verify_body(pk, &sig, &r->info, text, len, where, e)))
		goto out;
	if ((rc = regindex_parse(text, len, where, &r->ix, e)))
		goto out;
	if (r->ix->version != r->info.version ||
	    r->ix->expires != r->info.expires) {
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "%s says version %" PRId64
		                  " but its signature "
		                  "says %" PRId64 " (or their expiry times "
		                  "differ)",
		                  where, r->ix->version, r->info.version);
		goto out;
	}
	if (text == cache_text) {
		r->ix_text = malloc(len + 1);
		if (!r->ix_text) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			goto out;
		}
		if (len && text)
			memcpy(r->ix_text, text, len);
	} else {
		r->ix_text = body.data;
		body.data = NULL;
	}
	r->ix_len = len;
	r->ix_sig = sigr.data;
	r->ix_sig_len = sigr.len;
	sigr.data = NULL;
out:
	if (rc != SH_OK)
		refresh_clear_index(r);
	download_result_free(&sigr);
	download_result_free(&body);
	return rc;
}

/* Verify the cached index against root and the rollback floor. */
static sh_status load_cache(const char *dir, const char *regname,
                            const struct regroot *root, int64_t floor,
                            int64_t now, struct regindex **ix,
                            struct regmeta_info *info, char **text_out,
                            size_t *len_out, struct sh_error *e)
{
	struct refresh tmp = {.regname = regname};
	const struct minisig_pubkey *pk;
	struct minisig_signature sig;
	struct download_result sigr = {0};
	char *text = NULL, where[160];
	size_t len;
	sh_status rc;

	if (ix)
		*ix = NULL;
	tmp.st.index_version = floor;
	snprintf(where, sizeof where, "the cached index of registry %s",
	         regname);
	if ((rc = read_in(dir, INDEX_FILE SIG_SUFFIX, MINISIG_TEXT_MAX,
	                  &sigr.data, &sigr.len, e)))
		goto out;
	if ((rc = parse_sig(&sigr, where, &sig, e)) ||
	    (rc = index_key(root, &sig, regname, where, &pk, e)) ||
	    (rc = regmeta_verify_comment(pk, &sig, REGMETA_INDEX, where, info,
	                                 e)) ||
	    (rc = check_fresh(&tmp, info, now, where, e)))
		goto out;
	if ((rc = read_in(dir, INDEX_FILE, REGINDEX_MAX_BYTES, &text, &len,
	                  e)) ||
	    (rc = regmeta_verify_body(pk, &sig, info, text, len, where, e)))
		goto out;
	if (ix && (rc = regindex_parse(text, len, where, ix, e)))
		goto out;
	if (text_out) {
		*text_out = text;
		*len_out = len;
		text = NULL;
	}
out:
	free(text);
	download_result_free(&sigr);
	return rc;
}

/* Save what a successful refresh brought. Ordered so a crash at any point
 * leaves a state the next refresh recovers from: the rollback floor is
 * lowered (key rotation) before the new root is written, and raised only
 * after the index it vouches for is in place. */
static sh_status refresh_commit(const char *dir, struct refresh *r, int64_t now,
                                struct sh_error *e)
{
	char path[PATH_MAX];
	sh_status rc;

	if ((rc = fs_mkdirs(dir, 0755, e)))
		return rc;
	if (r->keys_changed) {
		struct regstate reset = r->st;
		reset.index_version = 0;
		if ((rc = state_save(dir, &reset, e)))
			return rc;
		if (fs_join(path, sizeof path, dir, INDEX_FILE SIG_SUFFIX,
		            NULL) == SH_OK)
			unlink(path);
	}
	if (r->root_changed &&
	    ((rc = write_file(dir, ROOT_FILE, r->root_text, r->root_len, e)) ||
	     (rc = write_file(dir, ROOT_FILE SIG_SUFFIX, r->root_sig,
	                      r->root_sig_len, e))))
		return rc;
	/* An unchanged index is not written again: only its check time. */
	if ((!r->unchanged || r->keys_changed) &&
	    ((rc = write_file(dir, INDEX_FILE, r->ix_text, r->ix_len, e)) ||
	     (rc = write_file(dir, INDEX_FILE SIG_SUFFIX, r->ix_sig,
	                      r->ix_sig_len, e))))
		return rc;
	r->st.root_version = r->root->version;
	r->st.index_version = r->info.version;
	r->st.checked = now;
	return state_save(dir, &r->st, e);
}

/* One refresh of a registry whose root is in r, over its mirrors. */
static sh_status refresh_from_mirrors(const char *dir, struct refresh *r,
                                      char *const *urls, size_t nurls,
                                      struct sh_error *e)
{
	char whys[SH_ERROR_MSG_MAX] = "";
	char *cache_text = NULL;
	size_t cache_len = 0, used = 0;
	int64_t now = now_s();
	sh_status rc = SH_ERR_FAIL, worst = SH_OK;
	struct sh_error me;

	/* A cache that still verifies spares downloading an unchanged
	 * index, and pins that version's content. */
	/* Read with no floor and no clock: only its content matters here,
	 * and the new signature is checked for both. */
	r->have_cache = load_cache(dir, r->regname, r->root, 0, INT64_MIN, NULL,
	                           &r->cache_info, &cache_text, &cache_len,
	                           &me) == SH_OK;
	for (size_t m = 0; m < nurls; m++) {
		int64_t root_before = r->root->version;

		rc = walk_roots(r, urls[m], &me);
		if (rc == SH_OK && r->keys_changed) {
			/* The index key changed: versions signed by the new
			 * key start a new count (TUF's fast-forward
			 * recovery), and the old cache means nothing. */
			r->st.index_version = 0;
			r->have_cache = 0;
		}
		if (rc == SH_OK)
			rc = fetch_index(r, urls[m], cache_text, cache_len, now,
			                 &me);
		if (rc == SH_OK) {
			if (m > 0)
				hostlog(SKILL_LOG_WARNING,
				        "registry %s: refreshed from mirror %s "
				        "after: %s",
				        r->regname, urls[m], whys);
			break;
		}
		if (r->root->version != root_before)
			hostlog(SKILL_LOG_DEBUG,
			        "registry %s: root advanced to %" PRId64
			        " before the failure",
			        r->regname, r->root->version);
		if (worst != SH_ERR_TRUST)
			worst = me.status;
		if (used < sizeof whys - 1)
			used += (size_t)snprintf(
			        whys + used, sizeof whys - used,
			        "%sfrom %s: %s", used ? "; " : "", urls[m],
			        me.msg);
		if (used >= sizeof whys)
			used = sizeof whys - 1;
	}
	free(cache_text);
	if (rc != SH_OK)
		return sh_error_set(e, worst == SH_OK ? SH_ERR_FAIL : worst,
		                    "%s", whys);
	return refresh_commit(dir, r, now, e);
}

/* Load the stored root of a registry into r. */
static sh_status load_root(const char *dir, struct refresh *r,
                           struct sh_error *e)
{
	char where[160];
	sh_status rc;

	snprintf(where, sizeof where, "the stored root of registry %s",
	         r->regname);
	if ((rc = read_in(dir, ROOT_FILE, REGROOT_MAX_BYTES, &r->root_text,
	                  &r->root_len, e)) ||
	    (rc = read_in(dir, ROOT_FILE SIG_SUFFIX, MINISIG_TEXT_MAX,
	                  &r->root_sig, &r->root_sig_len, e)))
		goto missing;
	return regroot_parse(r->root_text, r->root_len, where, &r->root, e);
missing:
	return sh_error_set(e, rc == SH_ERR_NOTFOUND ? SH_ERR_INVALID : rc,
	                    "%s is missing or unreadable (%s); remove the "
	                    "registry and add it again",
	                    where, e->msg);
}

/* ---- add and remove ----------------------------------------------------- */

/* First contact: root.json from a mirror, signed by and naming the
 * pinned root key. */
static sh_status first_root(struct refresh *r, char *const *urls, size_t nurls,
                            const struct minisig_pubkey *pinned,
                            struct sh_error *e)
{
	char whys[SH_ERROR_MSG_MAX] = "", where[160];
	size_t used = 0;
	sh_status worst = SH_OK;

	snprintf(where, sizeof where, "root.json of registry %s", r->regname);
	for (size_t m = 0; m < nurls; m++) {
		struct download_result body = {0}, sig = {0};
		struct regroot *root = NULL;
		struct sh_error me;
		sh_status rc;

		rc = fetch_mem(urls[m], ROOT_FILE, REGROOT_MAX_BYTES, 0, NULL,
		               ROOT_FILE, r->dl, &body, &me);
		if (rc == SH_OK)
			rc = fetch_mem(urls[m], ROOT_FILE SIG_SUFFIX,
			               MINISIG_TEXT_MAX, 0, NULL,
			               ROOT_FILE SIG_SUFFIX, r->dl, &sig, &me);
		if (rc == SH_OK)
			rc = verify_root(pinned, &body, &sig, 0, where, &root,
			                 &me);
		if (rc == SH_OK &&
		    memcmp(&root->root_key, pinned, sizeof *pinned)) {
			char id[MINISIG_KEYID_HEX_SIZE];
			minisig_keyid_to_hex(root->root_key.key_id, id);
			rc = sh_error_set(
			        &me, SH_ERR_TRUST,
			        "%s names root key %s, not the key "
			        "given; ask the registry operator for "
			        "its current root.pub",
			        where, id);
		}
		if (rc == SH_OK) {
			r->root = root;
			r->root_text = body.data;
			r->root_len = body.len;
			r->root_sig = sig.data;
			r->root_sig_len = sig.len;
			r->root_changed = 1;
			return SH_OK;
		}
		regroot_free(root);
		download_result_free(&body);
		download_result_free(&sig);
		if (worst != SH_ERR_TRUST)
			worst = me.status;
		if (used < sizeof whys - 1)
			used += (size_t)snprintf(
			        whys + used, sizeof whys - used,
			        "%sfrom %s: %s", used ? "; " : "", urls[m],
			        me.msg);
		if (used >= sizeof whys)
			used = sizeof whys - 1;
	}
	return sh_error_set(e, worst == SH_OK ? SH_ERR_FAIL : worst, "%s",
	                    whys);
}

sh_status regclient_add(const char *home, const char *name,
                        const char *const *urls, size_t nurls,
                        const struct minisig_pubkey *root_key,
                        const struct regclient_opts *o,
                        struct regclient_summary *out, struct sh_error *e)
{
	struct regcfgs cfgs = {0};
	struct regcfg *g = NULL, *grown;
	struct refresh r = {.regname = name};
	struct download_opts dl;
	char dir[PATH_MAX];
	int lock = -1, made_dir = 0;
	sh_status rc;

	memset(out, 0, sizeof *out);
	if (!regclient_valid_name(name))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "'%s' is not a registry name (lower-case "
		                    "letters, digits, '.', '_' and '-', 1-%d "
		                    "characters)",
		                    name, REGCLIENT_MAX_NAME);
	if (nurls < 1 || nurls > DOWNLOAD_MAX_MIRRORS)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "give 1 to %d URLs for a registry",
		                    DOWNLOAD_MAX_MIRRORS);
	for (size_t i = 0; i < nurls; i++)
		if (!valid_base_url(urls[i]))
			return sh_error_set(
			        e, SH_ERR_USAGE,
			        "'%s' is not a registry URL: give "
			        "http://, https:// or file:// and a "
			        "path, without query or fragment",
			        urls[i]);
	if (o && o->dl)
		dl = *o->dl;
	else
		download_opts_default(&dl);
	r.dl = &dl;
	if ((rc = lock_registries(home, &lock, e)) ||
	    (rc = cfgs_load(home, &cfgs, e)))
		goto out;
	if (cfgs_find(&cfgs, name)) {
		rc = sh_error_set(
		        e, SH_ERR_USAGE,
		        "a registry named %s is already added; remove "
		        "it first (skillhost registry remove %s)",
		        name, name);
		goto out;
	}
	if (cfgs.n >= REGCLIENT_MAX_REGISTRIES) {
		rc = sh_error_set(e, SH_ERR_USAGE, "at most %d registries",
		                  REGCLIENT_MAX_REGISTRIES);
		goto out;
	}
	grown = realloc(cfgs.v, (cfgs.n + 1) * sizeof *cfgs.v);
	if (!grown) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	cfgs.v = grown;
	g = &cfgs.v[cfgs.n];
	memset(g, 0, sizeof *g);
	snprintf(g->name, sizeof g->name, "%s", name);
	g->root_key = *root_key;
	g->added = now_s();
	g->urls = calloc(nurls, sizeof *g->urls);
	if (!g->urls) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	cfgs.n++;
	for (size_t i = 0; i < nurls; i++) {
		size_t n = strlen(urls[i]);
		int slash = urls[i][n - 1] == '/';
		if (!(g->urls[i] = malloc(n + 2))) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			goto out;
		}
		snprintf(g->urls[i], n + 2, "%s%s", urls[i], slash ? "" : "/");
		g->nurls++;
	}
	if ((rc = reg_dir(home, name, dir, sizeof dir, e)))
		goto out;
	/* Leftovers of an earlier registry of this name mean nothing. */
	if ((rc = fs_remove_tree(dir, e)))
		goto out;
	if ((rc = first_root(&r, g->urls, g->nurls, root_key, e)))
		goto out;
	made_dir = 1;
	if ((rc = refresh_from_mirrors(dir, &r, g->urls, g->nurls, e)) ||
	    (rc = cfgs_save(home, &cfgs, e)))
		goto out;
	out->root_version = r.root->version;
	out->index_version = r.ix->version;
	out->expires = r.ix->expires;
	out->npackages = r.ix->npkgs;
	out->nnamespaces = r.ix->nnamespaces;
out:
	if (rc != SH_OK && made_dir) {
		struct sh_error ignored;
		fs_remove_tree(dir, &ignored);
	}
	refresh_free(&r);
	cfgs_free(&cfgs);
	unlock_registries(lock);
	return rc;
}

sh_status regclient_remove(const char *home, const char *name,
                           struct sh_error *e)
{
	struct regcfgs cfgs = {0};
	struct regcfg *g;
	char dir[PATH_MAX];
	int lock = -1;
	sh_status rc;

	if (!regclient_valid_name(name))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "'%s' is not a registry name", name);
	if ((rc = lock_registries(home, &lock, e)) ||
	    (rc = cfgs_load(home, &cfgs, e)))
		goto out;
	g = cfgs_find(&cfgs, name);
	if (!g) {
		rc = sh_error_set(e, SH_ERR_NOTFOUND,
		                  "no registry is named %s; see `skillhost "
		                  "registry list`",
		                  name);
		goto out;
	}
	free_strv(g->urls, g->nurls);
	memmove(g, g + 1, (size_t)(cfgs.v + cfgs.n - (g + 1)) * sizeof *g);
	cfgs.n--;
	/* The list first: a crash then leaves only an unused folder. */
	if ((rc = cfgs_save(home, &cfgs, e)) ||
	    (rc = reg_dir(home, name, dir, sizeof dir, e)))
		goto out;
	rc = fs_remove_tree(dir, e);
out:
	cfgs_free(&cfgs);
	unlock_registries(lock);
	return rc;
}

/* ---- opening ------------------------------------------------------------ */

void regclient_set_free(struct regclient_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free_strv(s->regs[i].urls, s->regs[i].nurls);
		regindex_free(s->regs[i].ix);
	}
	free(s->regs);
	free(s);
}

/* Load (and refresh, per o) registry g into out, which already holds its
 * name, pinned key and mirror URLs. */
static sh_status open_one(const char *home, const struct regcfg *g,
                          const struct regclient_opts *o,
                          const struct download_opts *dl,
                          struct regclient_reg *out, struct sh_error *e)
{
	struct refresh r = {.regname = g->name, .dl = dl};
	struct regmeta_info info;
	char dir[PATH_MAX];
	int64_t now = now_s();
	int refresh;
	sh_status rc;

	if ((rc = reg_dir(home, g->name, dir, sizeof dir, e)) ||
	    (rc = state_load(dir, &r.st, e)) || (rc = load_root(dir, &r, e)))
		goto out;
	out->root_version = r.root->version;
	out->checked = r.st.checked;
	refresh = o->refresh == REGCLIENT_ALWAYS ||
	          o->refresh == REGCLIENT_TRY ||
	          (o->refresh == REGCLIENT_IF_STALE &&
	           now - r.st.checked >= REGCLIENT_FRESH_S);
	if (refresh) {
		rc = refresh_from_mirrors(dir, &r, out->urls, out->nurls, e);
		if (rc == SH_OK) {
			out->ix = r.ix;
			r.ix = NULL;
			out->root_version = r.root->version;
			out->checked = r.st.checked;
			goto out;
		}
		if (o->refresh == REGCLIENT_ALWAYS)
			goto out;
		hostlog(SKILL_LOG_WARNING,
		        "registry %s could not be refreshed, using its cached "
		        "index: %s",
		        g->name, e->msg);
		sh_error_clear(e);
		/* A failed refresh may have advanced the root or lowered the
		 * rollback floor in memory only: the cache is checked against
		 * what is stored. */
		refresh_free(&r);
		memset(&r, 0, sizeof r);
		r.regname = g->name;
		r.dl = dl;
		if ((rc = state_load(dir, &r.st, e)) ||
		    (rc = load_root(dir, &r, e)))
			goto out;
	}
	rc = load_cache(dir, g->name, r.root, r.st.index_version, now, &out->ix,
	                &info, NULL, NULL, e);
	if (rc == SH_ERR_NOTFOUND)
		rc = sh_error_set(
		        e, SH_ERR_NOTFOUND,
		        "registry %s has no cached index yet; refresh "
		        "it while online (skillhost registry update "
		        "%s)",
		        g->name, g->name);
out:
	refresh_free(&r);
	return rc;
}

sh_status regclient_open(const char *home, const char *name,
                         const struct regclient_opts *o,
                         struct regclient_set **out, struct sh_error *e)
{
	static const struct regclient_opts defaults = {
	        .refresh = REGCLIENT_IF_STALE};
	struct regcfgs cfgs = {0};
	struct regclient_set *s = NULL;
	struct download_opts dl;
	int lock = -1;
	sh_status rc;

	*out = NULL;
	if (!o)
		o = &defaults;
	if (o->dl)
		dl = *o->dl;
	else
		download_opts_default(&dl);
	if ((rc = lock_registries(home, &lock, e)) ||
	    (rc = cfgs_load(home, &cfgs, e)))
		goto out;
	if (name && !cfgs_find(&cfgs, name)) {
		rc = sh_error_set(e, SH_ERR_NOTFOUND,
		                  "no registry is named %s; see `skillhost "
		                  "registry list`",
		                  name);
		goto out;
	}
	s = calloc(1, sizeof *s);
	if (!s || !(s->regs = calloc(cfgs.n + 1, sizeof *s->regs))) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < cfgs.n; i++) {
		struct regcfg *g = &cfgs.v[i];
		struct regclient_reg *reg = &s->regs[s->n];
		struct sh_error re;

		if (name && strcmp(g->name, name))
			continue;
		snprintf(reg->name, sizeof reg->name, "%s", g->name);
		reg->root_key = g->root_key;
		reg->urls = g->urls;
		reg->nurls = g->nurls;
		g->urls = NULL;
		g->nurls = 0;
		s->n++;
		rc = open_one(home, g, o, &dl, reg, &re);
		if (rc != SH_OK && o->refresh == REGCLIENT_ALWAYS) {
			*e = re;
			goto out;
		}
		if (rc != SH_OK)
			snprintf(reg->problem, sizeof reg->problem, "%s",
			         re.msg);
		rc = SH_OK;
	}
	*out = s;
	s = NULL;
out:
	regclient_set_free(s);
	cfgs_free(&cfgs);
	unlock_registries(lock);
	return rc;
}

cJSON *regclient_list_json(const struct regclient_set *s)
{
	cJSON *arr = cJSON_CreateArray();
	char id[MINISIG_KEYID_HEX_SIZE], t[REGINDEX_TIME_SIZE];

	for (size_t i = 0; arr && i < s->n; i++) {
		const struct regclient_reg *g = &s->regs[i];
		cJSON *o = cJSON_CreateObject(), *urls;
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto nomem;
		}
		minisig_keyid_to_hex(g->root_key.key_id, id);
		if (!cJSON_AddStringToObject(o, "name", g->name) ||
		    !(urls = cJSON_AddArrayToObject(o, "urls")) ||
		    !cJSON_AddStringToObject(o, "root_key_id", id) ||
		    !cJSON_AddNumberToObject(o, "root_version",
		                             (double)g->root_version))
			goto nomem;
		for (size_t j = 0; j < g->nurls; j++)
			if (!cJSON_AddItemToArray(
			            urls, cJSON_CreateString(g->urls[j])))
				goto nomem;
		regindex_time_format(g->checked, t);
		if (!cJSON_AddStringToObject(o, "checked", t))
			goto nomem;
		if (g->ix) {
			regindex_time_format(g->ix->expires, t);
			if (!cJSON_AddNumberToObject(o, "index_version",
			                             (double)g->ix->version) ||
			    !cJSON_AddStringToObject(o, "expires", t) ||
			    !cJSON_AddNumberToObject(o, "packages",
			                             (double)g->ix->npkgs))
				goto nomem;
		} else if (!cJSON_AddStringToObject(o, "problem", g->problem))
			goto nomem;
	}
	return arr;
nomem:
	cJSON_Delete(arr);
	return NULL;
}

/* ---- search ------------------------------------------------------------- */

struct hit {
	const struct regindex_pkg *p;
	const char *registry;
	int score;
};

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	int c;

	if (x->score != y->score)
		return y->score - x->score;
	c = strcmp(x->p->name, y->p->name);
	return c ? c : strcmp(x->registry, y->registry);
}

cJSON *regclient_search(const struct regclient_set *s, const char *query)
{
	struct hit *hits = NULL;
	size_t nhits = 0, cap = 0;
	cJSON *arr = cJSON_CreateArray();
	char id[MINISIG_KEYID_HEX_SIZE];

	if (!arr)
		return NULL;
	for (size_t i = 0; i < s->n; i++) {
		const struct regindex *ix = s->regs[i].ix;
		for (size_t j = 0; ix && j < ix->npkgs;) {
			size_t first,
			        n = regindex_find(ix, ix->pkgs[j].name, &first);
			struct regindex_constraint latest = {
			        .kind = REGC_LATEST};
			const struct regindex_pkg *p =
			        regindex_resolve(ix, ix->pkgs[j].name, &latest);
			int score;
			/* Every version yanked: found under its newest, which
			 * the result flags. */
			if (!p)
				p = &ix->pkgs[first + n - 1];
			score = regindex_pkg_match(p, query);
			j = first + n;
			if (!score)
				continue;
			if (nhits == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct hit *nh = realloc(hits, nc * sizeof *nh);
				if (!nh)
					goto nomem;
				hits = nh;
				cap = nc;
			}
			hits[nhits++] = (struct hit){p, s->regs[i].name, score};
		}
	}
	if (nhits)
		qsort(hits, nhits, sizeof *hits, hit_cmp);
	for (size_t i = 0; i < nhits; i++) {
		const struct regindex_pkg *p = hits[i].p;
		cJSON *o = cJSON_CreateObject(), *tools;
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto nomem;
		}
		minisig_keyid_to_hex(p->publisher, id);
		if (!cJSON_AddStringToObject(o, "name", p->name) ||
		    !cJSON_AddStringToObject(o, "version", p->version) ||
		    !cJSON_AddStringToObject(o, "description",
		                             p->description) ||
		    !cJSON_AddStringToObject(o, "registry", hits[i].registry) ||
		    !cJSON_AddStringToObject(o, "publisher", id) ||
		    !(tools = cJSON_AddArrayToObject(o, "tools")))
			goto nomem;
		for (size_t t = 0; t < p->ntools; t++)
			if (!cJSON_AddItemToArray(
			            tools,
			            cJSON_CreateString(p->tools[t].name)))
				goto nomem;
		if ((p->yanked &&
		     !cJSON_AddStringToObject(o, "yanked", p->yanked)) ||
		    (p->deprecated &&
		     !cJSON_AddStringToObject(o, "deprecated", p->deprecated)))
			goto nomem;
		if (p->nagentskills) {
			cJSON *as = cJSON_AddArrayToObject(o, "agentskills");
			for (size_t k = 0; k < p->nagentskills; k++) {
				cJSON *a = cJSON_CreateObject();
				if (!as || !a || !cJSON_AddItemToArray(as, a) ||
				    !cJSON_AddStringToObject(
				            a, "name",
				            p->agentskills[k].name) ||
				    !cJSON_AddStringToObject(
				            a, "description",
				            p->agentskills[k].description))
					goto nomem;
			}
		}
	}
	free(hits);
	return arr;
nomem:
	free(hits);
	cJSON_Delete(arr);
	return NULL;
}

/* ---- install ------------------------------------------------------------ */

static void ns_of(const char *name, char *ns, size_t cap)
{
	snprintf(ns, cap, "%.*s", (int)strcspn(name, "/"), name);
}

/* The one registry to install name from, and the version to install. */
static sh_status choose(const struct regclient_set *s, const char *name,
                        const struct regindex_constraint *c, const char *only,
                        const struct regclient_reg **reg,
                        const struct regindex_pkg **pkg, struct sh_error *e)
{
	char listing[512] = "", want[80];
	size_t nlisting = 0, used = 0;
	const struct regclient_reg *lister = NULL;

	*reg = NULL;
	*pkg = NULL;
	if (only) {
		int found = 0;
		for (size_t i = 0; i < s->n; i++)
			found |= !strcmp(s->regs[i].name, only);
		if (!found)
			return sh_error_set(e, SH_ERR_NOTFOUND,
			                    "no registry is named %s; see "
			                    "`skillhost registry list`",
			                    only);
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct regclient_reg *g = &s->regs[i];
		size_t first;
		if (only && strcmp(g->name, only))
			continue;
		if (!g->ix) {
			if (only)
				return sh_error_set(
				        e, SH_ERR_FAIL,
				        "registry %s cannot be used: "
				        "%s",
				        g->name, g->problem);
			continue;
		}
		if (!regindex_find(g->ix, name, &first))
			continue;
		nlisting++;
		lister = g;
		if (used < sizeof listing)
			used += (size_t)snprintf(listing + used,
			                         sizeof listing - used, "%s%s",
			                         used ? ", " : "", g->name);
	}
	if (!nlisting)
		return sh_error_set(e, SH_ERR_NOTFOUND,
		                    "no registry%s%s lists %s; try `skillhost "
		                    "search`",
		                    only ? " named " : "", only ? only : "",
		                    name);
	if (nlisting > 1)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%s is listed by several registries (%s); "
		                    "choose one with --registry NAME, so a "
		                    "package never comes from a registry by "
		                    "accident",
		                    name, listing);
	*reg = lister;
	*pkg = regindex_resolve(lister->ix, name, c);
	if (!*pkg) {
		size_t first, n = regindex_find(lister->ix, name, &first);
		char versions[256] = "";
		size_t vu = 0;
		for (size_t i = first; i < first + n && vu < sizeof versions;
		     i++)
			vu += (size_t)snprintf(
			        versions + vu, sizeof versions - vu, "%s%s",
			        vu ? ", " : "", lister->ix->pkgs[i].version);
		size_t nyanked = 0;
		for (size_t i = first; i < first + n; i++)
			nyanked += lister->ix->pkgs[i].yanked != NULL;
		regindex_constraint_format(c, want, sizeof want);
		return sh_error_set(e, SH_ERR_NOTFOUND,
		                    "registry %s has no version of %s matching "
		                    "%s (it has %s%s)",
		                    lister->name, name, want, versions,
		                    nyanked ? "; yanked versions are installed "
		                              "only when named exactly, as "
		                              "NAME@VERSION"
		                            : "");
	}
	if ((*pkg)->yanked)
		hostlog(SKILL_LOG_WARNING,
		        "%s %s was yanked from registry %s (%s); installing "
		        "it because that exact version was asked for",
		        name, (*pkg)->version, lister->name, (*pkg)->yanked);
	else if ((*pkg)->deprecated)
		hostlog(SKILL_LOG_WARNING, "%s %s is deprecated: %s", name,
		        (*pkg)->version, (*pkg)->deprecated);
	return SH_OK;
}

static sh_status check_host_trust(const char *home,
                                  const struct regclient_reg *reg,
                                  const struct regindex_pkg *p,
                                  struct sh_error *e)
{
	struct trust *t = NULL;
	const struct trust_key *k;
	char ns[SKILLDESC_MAX_NAME + 1], id[MINISIG_KEYID_HEX_SIZE];
	sh_status rc;

	ns_of(p->name, ns, sizeof ns);
	minisig_keyid_to_hex(p->publisher, id);
	if ((rc = trust_load(home, &t, e)))
		return rc;
	k = trust_find(t, p->publisher);
	if (!k || !trust_key_allows(k, ns))
		rc = sh_error_set(
		        e, SH_ERR_TRUST,
		        "%s %s is published by key %s, which registry "
		        "%s lists for namespace \"%s\" but this host "
		        "does not trust for it. If you trust that "
		        "publisher: skillhost registry trust %s %s",
		        p->name, p->version, id, reg->name, ns, reg->name, ns);
	trust_free(t);
	return rc;
}

/* The package's signature, checked against what the index says before
 * the package itself is downloaded. store_install verifies it fully. */
static sh_status fetch_package_sig(const struct regclient_reg *reg,
                                   const struct regindex_pkg *p,
                                   const struct download_opts *dl,
                                   struct download_result *sigr, double *secs,
                                   struct sh_error *e)
{
	struct download_req r = {0};
	struct minisig_signature sig;
	struct minisig_package_info info;
	char **urls = NULL, what[200], have[MINISIG_KEYID_HEX_SIZE];
	char want[MINISIG_KEYID_HEX_SIZE];
	size_t n;
	sh_status rc;

	snprintf(what, sizeof what, "the signature of %s %s", p->name,
	         p->version);
	if ((rc = mirror_urls(reg->urls, reg->nurls, p->sig_url, &urls, &n, e)))
		return rc;
	r.urls = (const char *const *)urls;
	r.nurls = n;
	r.max_bytes = MINISIG_TEXT_MAX;
	r.what = what;
	rc = download_fetch(&r, dl, sigr, e);
	free_strv(urls, n);
	*secs += sigr->seconds;
	if (rc != SH_OK)
		return rc;
	if ((rc = parse_sig(sigr, what, &sig, e)))
		return rc;
	minisig_keyid_to_hex(sig.key_id, have);
	minisig_keyid_to_hex(p->publisher, want);
	if (memcmp(sig.key_id, p->publisher, MINISIG_KEYID_BYTES))
		return sh_error_set(e, SH_ERR_TRUST,
		                    "%s is made with key %s, but registry %s "
		                    "lists %s as its publisher key: refused "
		                    "(a swapped signature or a namespace "
		                    "hijack)",
		                    what, have, reg->name, want);
	if (minisig_package_comment_parse(sig.trusted_comment, &info, e) !=
	    SH_OK) {
		e->status = SH_ERR_TRUST;
		return sh_error_prefix(e, "%s", what);
	}
	if (strcmp(info.name, p->name) || strcmp(info.version, p->version) ||
	    sodium_memcmp(info.blake2b256, p->blake2b256,
	                  MINISIG_FILE_HASH_BYTES))
		return sh_error_set(
		        e, SH_ERR_TRUST,
		        "%s names %s %s with another hash than the "
		        "one registry %s lists: a package the index "
		        "did not sign is refused (mix-and-match)",
		        what, info.name, info.version, reg->name);
	return SH_OK;
}

sh_status regclient_install(const char *home, const struct regclient_set *s,
                            const char *spec,
                            const struct regclient_install_opts *o,
                            struct regclient_install_result *res,
                            struct sh_error *e)
{
	static const struct regclient_install_opts defaults = {0};
	struct regindex_constraint c;
	const struct regclient_reg *reg;
	const struct regindex_pkg *p;
	struct download_result sigr = {0}, pkgr = {0};
	struct download_req r = {0};
	struct download_opts dl;
	struct store_install_opts so = {0};
	char name[MINISIG_PKG_NAME_MAX + 1], dir[PATH_MAX], path[PATH_MAX];
	char sigpath[PATH_MAX], hex[REGINDEX_HASH_HEX_SIZE], what[200];
	char label[64];
	char **urls = NULL;
	size_t nurls = 0;
	struct timespec t0, t1;
	sh_status rc;
	int keep_part = 0;

	memset(res, 0, sizeof *res);
	path[0] = sigpath[0] = '\0';
	if (!o)
		o = &defaults;
	if (o->dl)
		dl = *o->dl;
	else
		download_opts_default(&dl);
	if ((rc = regindex_spec_parse(spec, name, sizeof name, &c, e)) ||
	    (rc = choose(s, name, &c, o->registry, &reg, &p, e)) ||
	    (rc = check_host_trust(home, reg, p, e)))
		return rc;
	snprintf(res->registry, sizeof res->registry, "%s", reg->name);
	sodium_bin2hex(hex, sizeof hex, p->blake2b256, MINISIG_FILE_HASH_BYTES);
	if ((rc = reg_dir(home, reg->name, dir, sizeof dir, e)) ||
	    (rc = fs_pathf(dir + strlen(dir), sizeof dir - strlen(dir), e,
	                   "/%s", DOWNLOADS_DIR)) ||
	    (rc = fs_mkdirs(dir, 0700, e)) ||
	    (rc = fs_pathf(path, sizeof path, e, "%s/%s.skill", dir, hex)) ||
	    (rc = fs_pathf(sigpath, sizeof sigpath, e, "%s.minisig", path)))
		return rc;
	if ((rc = fetch_package_sig(reg, p, &dl, &sigr, &res->download_s, e)))
		goto out;
	if ((rc = mirror_urls(reg->urls, reg->nurls, p->url, &urls, &nurls, e)))
		goto out;
	snprintf(what, sizeof what, "%s %s", p->name, p->version);
	snprintf(label, sizeof label, "%s %s", p->name, p->version);
	if (!dl.label)
		dl.label = label;
	r.urls = (const char *const *)urls;
	r.nurls = nurls;
	r.max_bytes = p->length;
	r.exact = 1;
	r.blake2b256 = p->blake2b256;
	r.path = path;
	r.what = what;
	/* The file is named by its hash, so bytes left by an interrupted
	 * download of the same package are resumed, never mixed up. */
	rc = download_fetch(&r, &dl, &pkgr, e);
	res->download_s += pkgr.seconds;
	res->resumed = pkgr.resumed;
	if (rc != SH_OK) {
		keep_part = rc != SH_ERR_TRUST;
		if (rc == SH_ERR_TRUST)
			sh_error_suffix(e,
			                "; the registry lists %" PRIu64
			                " bytes with BLAKE2b-256 %.16s...",
			                p->length, hex);
		goto out;
	}
	res->bytes = pkgr.bytes;
	if ((rc = fs_write_atomic(sigpath, sigr.data, sigr.len, 0600, e)))
		goto out;
	so.sig_path = sigpath;
	so.expect_name = p->name;
	so.expect_version = p->version;
	so.force = o->force;
	so.allow_downgrade = o->allow_downgrade;
	so.same_version_ok = o->same_version_ok;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = store_install(home, path, &so, &res->store, e);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->install_s = (double)(t1.tv_sec - t0.tv_sec) +
	                 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (rc != SH_OK)
		sh_error_prefix(e, "%s from registry %s", what, reg->name);
out:
	if (!keep_part && path[0])
		unlink(path);
	if (sigpath[0])
		unlink(sigpath);
	free_strv(urls, nurls);
	download_result_free(&sigr);
	download_result_free(&pkgr);
	return rc;
}

/* ---- outdated ----------------------------------------------------------- */

sh_status regclient_outdated(const char *home, const struct regclient_set *s,
                             cJSON **out, struct sh_error *e)
{
	cJSON *index = NULL, *arr = NULL;
	const cJSON *sk;
	sh_status rc;

	*out = NULL;
	if ((rc = store_read_index(home, &index, e)))
		return rc;
	if (!(arr = cJSON_CreateArray()))
		goto nomem;
	cJSON_ArrayForEach(sk,
	                   cJSON_GetObjectItemCaseSensitive(index, "skills"))
	{
		const cJSON *ver = cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetObjectItemCaseSensitive(sk, "current"),
		        "version");
		struct regindex_constraint latest = {.kind = REGC_LATEST};
		struct regindex_constraint exact = {.kind = REGC_EXACT};
		if (!cJSON_IsString(ver))
			continue;
		snprintf(exact.version, sizeof exact.version, "%s",
		         ver->valuestring);
		for (size_t i = 0; i < s->n; i++) {
			const struct regindex_pkg *p, *mine;
			int newer;
			cJSON *o;
			if (!s->regs[i].ix)
				continue;
			p = regindex_resolve(s->regs[i].ix, sk->string,
			                     &latest);
			/* The installed version's own marks: a yanked or
			 * deprecated install is flagged even when nothing
			 * newer exists. */
			mine = regindex_resolve(s->regs[i].ix, sk->string,
			                        &exact);
			newer = p && !regindex_is_prerelease(p->version) &&
			        skilldesc_semver_compare(p->version,
			                                 ver->valuestring) > 0;
			if (!newer &&
			    !(mine && (mine->yanked || mine->deprecated)))
				continue;
			if (!(o = cJSON_CreateObject()) ||
			    !cJSON_AddItemToArray(arr, o)) {
				cJSON_Delete(o);
				goto nomem;
			}
			if (!cJSON_AddStringToObject(o, "name", sk->string) ||
			    !cJSON_AddStringToObject(o, "installed",
			                             ver->valuestring) ||
			    !(newer ? cJSON_AddStringToObject(o, "latest",
			                                      p->version)
			            : cJSON_AddNullToObject(o, "latest")) ||
			    !cJSON_AddStringToObject(o, "registry",
			                             s->regs[i].name))
				goto nomem;
			if (mine && mine->yanked &&
			    !cJSON_AddStringToObject(o, "yanked", mine->yanked))
				goto nomem;
			if (mine && mine->deprecated &&
			    !cJSON_AddStringToObject(o, "deprecated",
			                             mine->deprecated))
				goto nomem;
		}
	}
	cJSON_Delete(index);
	*out = arr;
	return SH_OK;
nomem:
	cJSON_Delete(index);
	cJSON_Delete(arr);
	return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
}

/* ---- publisher trust ---------------------------------------------------- */

sh_status regclient_trust_publishers(const char *home,
                                     const struct regclient_set *s,
                                     const char *name,
                                     const char *const *namespaces, size_t nns,
                                     cJSON **added, struct sh_error *e)
{
	const struct regclient_reg *reg = NULL;
	cJSON *arr = NULL;
	char id[MINISIG_KEYID_HEX_SIZE];
	sh_status rc = SH_OK;
	struct trust *before = NULL;

	if (added)
		*added = NULL;
	/* Every namespace is the operator's explicit choice: "all that the
	 * index lists" would hand whoever controls the index any namespace,
	 * the first-party one included. */
	if (nns == 0)
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "name the namespaces whose keys registry %s may "
		        "bring into the trust store; none is implied",
		        name);
	if (!(arr = cJSON_CreateArray()))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if ((rc = trust_load(home, &before, e)))
		goto out;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->regs[i].name, name))
			reg = &s->regs[i];
	if (!reg) {
		rc = sh_error_set(e, SH_ERR_NOTFOUND, "no registry is named %s",
		                  name);
		goto out;
	}
	if (!reg->ix) {
		rc = sh_error_set(e, SH_ERR_FAIL,
		                  "registry %s cannot be used: %s", name,
		                  reg->problem);
		goto out;
	}
	for (size_t i = 0; i < nns; i++)
		if (!regindex_namespace(reg->ix, namespaces[i])) {
			rc = sh_error_set(e, SH_ERR_NOTFOUND,
			                  "registry %s lists no publisher for "
			                  "namespace \"%s\"",
			                  name, namespaces[i]);
			goto out;
		}
	for (size_t i = 0; i < reg->ix->nnamespaces; i++) {
		const struct regindex_ns *ns = &reg->ix->namespaces[i];
		int wanted = 0;
		for (size_t j = 0; j < nns && !wanted; j++)
			wanted = !strcmp(namespaces[j], ns->name);
		if (!wanted)
			continue;
		for (size_t k = 0; k < ns->nkeys; k++) {
			cJSON *o, *others;
			if ((rc = trust_add(home, &ns->keys[k], ns->name, e)))
				goto out;
			minisig_keyid_to_hex(ns->keys[k].key_id, id);
			if (!(o = cJSON_CreateObject()) ||
			    !cJSON_AddItemToArray(arr, o) ||
			    !cJSON_AddStringToObject(o, "namespace",
			                             ns->name) ||
			    !cJSON_AddStringToObject(o, "key_id", id) ||
			    !cJSON_AddBoolToObject(
			            o, "first_party",
			            !strcmp(ns->name, REGCLIENT_FIRST_PARTY)) ||
			    !(others = cJSON_AddArrayToObject(
			              o, "also_trusted"))) {
				rc = sh_error_set(e, SH_ERR_NOMEM,
				                  "out of memory");
				goto out;
			}
			/* Keys the operator trusted for it before, which this
			 * one now sits beside: worth a warning. */
			for (size_t b = 0; b < before->n; b++)
				if (strcmp(before->keys[b].id, id) &&
				    trust_key_allows(&before->keys[b],
				                     ns->name))
					cJSON_AddItemToArray(
					        others,
					        cJSON_CreateString(
					                before->keys[b].id));
		}
	}
	if (added) {
		*added = arr;
		arr = NULL;
	}
out:
	trust_free(before);
	cJSON_Delete(arr);
	return rc;
}
