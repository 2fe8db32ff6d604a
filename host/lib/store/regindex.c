/*
 * regindex.c - a registry's signed metadata. See regindex.h and
 * registry/FORMAT.md.
 */
#include "regindex.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "agentskill.h"
#include "jsonstrict.h"
#include "manifest.h"
#include "names.h"

#define HEX_KEYID_LEN    16
#define HEX_HASH_LEN     ((size_t)2 * MINISIG_FILE_HASH_BYTES)
#define PUBKEY_B64_LEN   (MINISIG_PUBKEY_B64_SIZE - 1)
#define URL_SCHEME_HTTP  "http://"
#define URL_SCHEME_HTTPS "https://"
/* Seconds in a day, and the last second of year 9999: RFC 3339's range. */
#define DAY_S    86400
#define TIME_MAX 253402300799LL

/* ---- times -------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's
 * algorithm): exact for every year RFC 3339 can write, without timegm's
 * dependence on the C library's idea of time zones. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const unsigned dm[] = {31, 28, 31, 30, 31, 30,
	                              31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

void regindex_time_format(int64_t t, char out[REGINDEX_TIME_SIZE])
{
	time_t tt;
	struct tm tm;

	if (t < 0)
		t = 0;
	if (t > TIME_MAX)
		t = TIME_MAX;
	tt = (time_t)t;
	gmtime_r(&tt, &tm);
	(void)strftime(out, REGINDEX_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 1;
}

int regindex_time_parse(const char *s, int64_t *t)
{
	unsigned y, mo, d, h, mi, se;

	if (!s || strlen(s) != REGINDEX_TIME_SIZE - 1 || s[4] != '-' ||
	    s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z')
		return 0;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
	    !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
		return 0;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59)
		return 0;
	*t = days_from_civil(y, mo, d) * DAY_S + (int64_t)h * 3600 +
	     (int64_t)mi * 60 + se;
	return 1;
}

/* ---- small parsing helpers ---------------------------------------------- */

static int hex_lower(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int hash_from_hex(const char *s, uint8_t out[MINISIG_FILE_HASH_BYTES])
{
	if (!s || strlen(s) != HEX_HASH_LEN || !hex_lower(s, HEX_HASH_LEN))
		return 0;
	return sodium_hex2bin(out, MINISIG_FILE_HASH_BYTES, s, HEX_HASH_LEN,
	                      NULL, NULL, NULL) == 0;
}

/* A JSON number that is an integer in [min, max]. */
static int json_int(const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return 0;
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || d < (double)min || d > (double)max)
		return 0;
	*out = (int64_t)d;
	return 1;
}

static const cJSON *member(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* A string no longer than max bytes; NULL otherwise. */
static const char *json_str(const cJSON *v, size_t max)
{
	if (!cJSON_IsString(v) || !v->valuestring ||
	    strlen(v->valuestring) > max)
		return NULL;
	return v->valuestring;
}

/* Refuse keys a reader does not know (typos must not pass silently), but
 * let "x-" extensions through, as manifests do. */
static sh_status only_keys(const cJSON *o, const char *const *known,
                           const char *origin, const char *where,
                           struct sh_error *e)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, o)
	{
		int ok = !strncmp(it->string, "x-", 2);
		for (const char *const *k = known; !ok && *k; k++)
			ok = !strcmp(it->string, *k);
		if (!ok)
			return sh_error_set(e, SH_ERR_INVALID,
			                    "%s: %s%s\"%s\" is not a known key "
			                    "(extensions start with \"x-\")",
			                    origin, where, *where ? ": " : "",
			                    it->string);
	}
	return SH_OK;
}

/* A relative URL is a safe package path; an absolute one is http(s) and
 * printable, without characters that would need quoting anywhere. */
static int valid_url(const char *u)
{
	size_t n = strlen(u);

	if (n == 0 || n > REGINDEX_MAX_URL)
		return 0;
	if (!strncmp(u, URL_SCHEME_HTTP, strlen(URL_SCHEME_HTTP)) ||
	    !strncmp(u, URL_SCHEME_HTTPS, strlen(URL_SCHEME_HTTPS))) {
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)u[i];
			if (c <= ' ' || c >= 0x7f || strchr("\"'<>\\^`{|}", c))
				return 0;
		}
		return strlen(strchr(u, ':') + 3) > 0;
	}
	return manifest_valid_path(u);
}

static int printable_short(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return 0;
	return 1;
}

static sh_status parse_pubkey(const cJSON *v, const char *origin,
                              const char *where, struct minisig_pubkey *pk,
                              struct sh_error *e)
{
	struct sh_error ke;
	const char *s = json_str(v, PUBKEY_B64_LEN);

	if (!s || strlen(s) != PUBKEY_B64_LEN ||
	    minisig_pubkey_parse(s, strlen(s), pk, &ke) != SH_OK)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: %s is not a minisign public key (the "
		                    "56-character line starting \"RWQ\")",
		                    origin, where);
	return SH_OK;
}

/* ---- the index ---------------------------------------------------------- */

void regindex_free(struct regindex *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->nnamespaces; i++)
		free(ix->namespaces[i].keys);
	free(ix->namespaces);
	for (size_t i = 0; ix->pkgs && i < ix->npkgs; i++) {
		struct regindex_pkg *p = &ix->pkgs[i];
		free(p->tools);
		free(p->agentskills);
		free(p->network.items);
		free(p->secrets.items);
		free(p->filesystem.items);
	}
	free(ix->pkgs);
	cJSON_Delete(ix->json);
	free(ix);
}

static int ns_cmp(const void *a, const void *b)
{
	return strcmp(((const struct regindex_ns *)a)->name,
	              ((const struct regindex_ns *)b)->name);
}

static int pkg_cmp(const void *a, const void *b)
{
	const struct regindex_pkg *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : skilldesc_semver_compare(x->version, y->version);
}

static sh_status parse_namespaces(struct regindex *ix, const cJSON *nss,
                                  const char *origin, struct sh_error *e)
{
	static const char *const key_keys[] = {"id", "key", NULL};
	const cJSON *ns;
	size_t n = (size_t)cJSON_GetArraySize(nss);
	sh_status rc;

	if (n > REGINDEX_MAX_NAMESPACES)
		return sh_error_set(e, SH_ERR_NOMEM,
		                    "%s: namespaces: more than %d namespaces",
		                    origin, REGINDEX_MAX_NAMESPACES);
	ix->namespaces = calloc(n + 1, sizeof *ix->namespaces);
	if (!ix->namespaces)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(ns, nss)
	{
		struct regindex_ns *out = &ix->namespaces[ix->nnamespaces];
		const cJSON *k;
		size_t nk = (size_t)cJSON_GetArraySize(ns);

		if (!skilldesc_valid_namespace(ns->string))
			return sh_error_set(e, SH_ERR_INVALID,
			                    "%s: namespaces: \"%s\" is not a "
			                    "namespace (lower-case [a-z0-9-], "
			                    "1-64 characters)",
			                    origin, ns->string);
		if (!cJSON_IsArray(ns) || nk == 0 || nk > REGINDEX_MAX_NS_KEYS)
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s: namespaces.%s must list 1 to %d "
			        "publisher keys",
			        origin, ns->string, REGINDEX_MAX_NS_KEYS);
		out->name = ns->string;
		out->keys = calloc(nk, sizeof *out->keys);
		if (!out->keys)
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		ix->nnamespaces++;
		cJSON_ArrayForEach(k, ns)
		{
			char where[160], id[MINISIG_KEYID_HEX_SIZE];
			struct minisig_pubkey *pk = &out->keys[out->nkeys];
			const char *want;

			snprintf(where, sizeof where, "namespaces.%s[%zu]",
			         ns->string, out->nkeys);
			if (!cJSON_IsObject(k))
				return sh_error_set(e, SH_ERR_INVALID,
				                    "%s: %s must be an object "
				                    "{\"id\", \"key\"}",
				                    origin, where);
			if ((rc = only_keys(k, key_keys, origin, where, e)))
				return rc;
			if ((rc = parse_pubkey(member(k, "key"), origin, where,
			                       pk, e)))
				return rc;
			minisig_keyid_to_hex(pk->key_id, id);
			want = json_str(member(k, "id"), HEX_KEYID_LEN);
			if (!want || strcmp(want, id))
				return sh_error_set(
				        e, SH_ERR_INVALID,
				        "%s: %s.id must be the key's id "
				        "%s",
				        origin, where, id);
			for (size_t j = 0; j < out->nkeys; j++)
				if (!memcmp(out->keys[j].key_id, pk->key_id,
				            MINISIG_KEYID_BYTES))
					return sh_error_set(e, SH_ERR_INVALID,
					                    "%s: %s: key %s is "
					                    "listed twice",
					                    origin, where, id);
			out->nkeys++;
		}
	}
	qsort(ix->namespaces, ix->nnamespaces, sizeof *ix->namespaces, ns_cmp);
	for (size_t i = 1; i < ix->nnamespaces; i++)
		if (!strcmp(ix->namespaces[i - 1].name, ix->namespaces[i].name))
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s: namespaces: \"%s\" is given twice", origin,
			        ix->namespaces[i].name);
	return SH_OK;
}

static sh_status parse_list(const cJSON *arr, struct regindex_list *out,
                            const char *origin, const char *where,
                            int (*valid)(const char *), struct sh_error *e)
{
	const cJSON *it;
	size_t n;

	if (!arr) /* an absent list is an empty one */
		return SH_OK;
	n = (size_t)cJSON_GetArraySize(arr);
	if (!cJSON_IsArray(arr) || n > REGINDEX_MAX_LIST)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: %s must be an array of at most %d "
		                    "strings",
		                    origin, where, REGINDEX_MAX_LIST);
	out->items = calloc(n + 1, sizeof *out->items);
	if (!out->items)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(it, arr)
	{
		const char *s = json_str(it, REGINDEX_MAX_SHORT);
		if (!s || !*s || !printable_short(s) || (valid && !valid(s)))
			return sh_error_set(e, SH_ERR_INVALID,
			                    "%s: %s[%zu] is not a valid entry",
			                    origin, where, out->n);
		out->items[out->n++] = s;
	}
	return SH_OK;
}

static sh_status parse_tools(const cJSON *arr, struct regindex_pkg *p,
                             const char *origin, const char *where,
                             struct sh_error *e)
{
	static const char *const tool_keys[] = {"name", "description", NULL};
	const cJSON *t;
	size_t n = (size_t)cJSON_GetArraySize(arr);
	sh_status rc;

	if (!cJSON_IsArray(arr) || n > REGINDEX_MAX_TOOLS)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: %s.tools must be an array of at most "
		                    "%d tools",
		                    origin, where, REGINDEX_MAX_TOOLS);
	p->tools = calloc(n + 1, sizeof *p->tools);
	if (!p->tools)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(t, arr)
	{
		char tw[96];
		const char *name, *desc = "";

		snprintf(tw, sizeof tw, "%s.tools[%zu]", where, p->ntools);
		if (!cJSON_IsObject(t))
			return sh_error_set(e, SH_ERR_INVALID,
			                    "%s: %s must be an object", origin,
			                    tw);
		if ((rc = only_keys(t, tool_keys, origin, tw, e)))
			return rc;
		name = json_str(member(t, "name"), SKILLDESC_MAX_NAME);
		if (!name || !skilldesc_valid_tool_name(name))
			return sh_error_set(e, SH_ERR_INVALID,
			                    "%s: %s.name is not a tool name",
			                    origin, tw);
		if (member(t, "description") &&
		    !(desc = json_str(member(t, "description"),
		                      REGINDEX_MAX_TEXT)))
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s: %s.description must be a string "
			        "of at most %zu bytes",
			        origin, tw, REGINDEX_MAX_TEXT);
		p->tools[p->ntools].name = name;
		p->tools[p->ntools].description = desc;
		p->ntools++;
	}
	return SH_OK;
}

static int valid_fs_perm(const char *s)
{
	return !strcmp(s, MANIFEST_FS_ARTIFACTS) ||
	       !strcmp(s, MANIFEST_FS_INPUTS);
}

/* A mark's text: printable, non-empty, at most REGINDEX_MAX_REASON bytes. */
static sh_status mark_text(const cJSON *j, const char *key, const char **out,
                           const char *origin, const char *where,
                           struct sh_error *e)
{
	const cJSON *v = member(j, key);

	*out = NULL;
	if (!v)
		return SH_OK;
	*out = json_str(v, REGINDEX_MAX_REASON);
	if (!*out || !**out || !printable_short(*out))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: %s.%s must be a non-empty line of at "
		                    "most %d bytes",
		                    origin, where, key, REGINDEX_MAX_REASON);
	return SH_OK;
}

static sh_status parse_marks(struct regindex_pkg *p, const cJSON *j,
                             const char *origin, const char *where,
                             struct sh_error *e)
{
	const char *at;
	sh_status rc;

	if ((rc = mark_text(j, REGINDEX_KEY_YANKED, &p->yanked, origin, where,
	                    e)) ||
	    (rc = mark_text(j, REGINDEX_KEY_DEPRECATED, &p->deprecated, origin,
	                    where, e)))
		return rc;
	at = json_str(member(j, REGINDEX_KEY_YANKED_AT), REGINDEX_TIME_SIZE);
	if (member(j, REGINDEX_KEY_YANKED_AT) &&
	    (!at || !regindex_time_parse(at, &p->yanked_at)))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: %s.%s must be a time like "
		                    "2025-01-31T12:00:00Z",
		                    origin, where, REGINDEX_KEY_YANKED_AT);
	return SH_OK;
}

/* "x-agentskills": [{"name", "description", "frontmatter", "files"}], the
 * Agent Skills a package carries (optional). */
static sh_status parse_agentskills(const cJSON *arr, struct regindex_pkg *p,
                                   const char *origin, const char *where,
                                   struct sh_error *e)
{
	static const char *const keys[] = {"name", "description", "frontmatter",
	                                   "files", NULL};
	const cJSON *t;
	size_t n = (size_t)cJSON_GetArraySize(arr);
	sh_status rc;

	if (!arr)
		return SH_OK;
	if (!cJSON_IsArray(arr) || n > MANIFEST_MAX_FILES)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: %s." REGINDEX_KEY_AGENTSKILLS
		                    " must be an array of at "
		                    "most %d skills",
		                    origin, where, MANIFEST_MAX_FILES);
	p->agentskills = calloc(n + 1, sizeof *p->agentskills);
	if (!p->agentskills)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(t, arr)
	{
		char tw[96];
		const char *name, *desc;

		snprintf(tw, sizeof tw, "%s." REGINDEX_KEY_AGENTSKILLS "[%zu]",
		         where, p->nagentskills);
		if (!cJSON_IsObject(t))
			return sh_error_set(e, SH_ERR_INVALID,
			                    "%s: %s must be an object", origin,
			                    tw);
		if ((rc = only_keys(t, keys, origin, tw, e)))
			return rc;
		name = json_str(member(t, "name"), AGENTSKILL_NAME_MAX);
		desc = json_str(member(t, "description"), REGINDEX_MAX_TEXT);
		if (!name || !agentskill_valid_name(name) || !desc ||
		    (member(t, "frontmatter") &&
		     !cJSON_IsObject(member(t, "frontmatter"))) ||
		    (member(t, "files") && !cJSON_IsArray(member(t, "files"))))
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s: %s needs a skill \"name\", a "
			        "\"description\" string, and an object "
			        "\"frontmatter\" and array \"files\" if given",
			        origin, tw);
		p->agentskills[p->nagentskills].name = name;
		p->agentskills[p->nagentskills].description = desc;
		p->nagentskills++;
	}
	return SH_OK;
}

static sh_status parse_package(struct regindex *ix, const cJSON *j, size_t i,
                               const char *origin, struct sh_error *e)
{
	static const char *const pkg_keys[] = {
	        "name",      "version",     "description", "license",
	        "tools",     "permissions", "publisher",   "url",
	        "signature", "length",      "blake2b256",  "published",
	        NULL};
	static const char *const perm_keys[] = {"network", "secrets",
	                                        "filesystem", NULL};
	struct regindex_pkg *p = &ix->pkgs[ix->npkgs];
	const cJSON *perm, *lic;
	const char *pub, *s;
	char where[48], ns[SKILLDESC_MAX_NAME + 1], pw[96];
	int64_t v;
	sh_status rc;

	snprintf(where, sizeof where, "packages[%zu]", i);
	if (!cJSON_IsObject(j))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: %s must be an object", origin, where);
	if ((rc = only_keys(j, pkg_keys, origin, where, e)))
		return rc;
	p->json = j;
	p->name = json_str(member(j, "name"), MINISIG_PKG_NAME_MAX);
	if (!p->name || !skilldesc_valid_skill_name(p->name))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: %s.name is not a skill name "
		                    "(\"namespace/name\")",
		                    origin, where);
	p->version = json_str(member(j, "version"), MINISIG_PKG_VERSION_MAX);
	if (!p->version || !skilldesc_valid_semver(p->version))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: %s (%s).version is not a semantic "
		                    "version",
		                    origin, where, p->name);
	p->description = json_str(member(j, "description"), REGINDEX_MAX_TEXT);
	if (!p->description)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: %s.description must be a string of at "
		                    "most %zu bytes",
		                    origin, where, REGINDEX_MAX_TEXT);
	lic = member(j, "license");
	if (lic && !cJSON_IsNull(lic) &&
	    !(p->license = json_str(lic, REGINDEX_MAX_SHORT)))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s: %s.license must be a string or null",
		                    origin, where);
	if ((rc = parse_tools(member(j, "tools"), p, origin, where, e)) ||
	    (rc = parse_agentskills(member(j, REGINDEX_KEY_AGENTSKILLS), p,
	                            origin, where, e)))
		goto counted;
	perm = member(j, "permissions");
	if (perm && !cJSON_IsObject(perm)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: %s.permissions must be an object",
		                  origin, where);
		goto counted;
	}
	if (perm && (rc = only_keys(perm, perm_keys, origin, where, e)))
		goto counted;
	snprintf(pw, sizeof pw, "%s.permissions.network", where);
	if ((rc = parse_list(member(perm, "network"), &p->network, origin, pw,
	                     manifest_valid_host_pattern, e)))
		goto counted;
	snprintf(pw, sizeof pw, "%s.permissions.secrets", where);
	if ((rc = parse_list(member(perm, "secrets"), &p->secrets, origin, pw,
	                     NULL, e)))
		goto counted;
	snprintf(pw, sizeof pw, "%s.permissions.filesystem", where);
	if ((rc = parse_list(member(perm, "filesystem"), &p->filesystem, origin,
	                     pw, valid_fs_perm, e)))
		goto counted;
	pub = json_str(member(j, "publisher"), HEX_KEYID_LEN);
	if (!pub || minisig_keyid_from_hex(pub, p->publisher, NULL) != SH_OK) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: %s.publisher must be a key id (16 hex "
		                  "digits)",
		                  origin, where);
		goto counted;
	}
	snprintf(ns, sizeof ns, "%.*s", (int)strcspn(p->name, "/"), p->name);
	if (!regindex_ns_allows(ix, ns, p->publisher)) {
		rc = sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s: %s (%s %s) is published by key %s, which "
		        "the index does not list for namespace \"%s\"",
		        origin, where, p->name, p->version, pub, ns);
		goto counted;
	}
	p->url = json_str(member(j, "url"), REGINDEX_MAX_URL);
	p->sig_url = json_str(member(j, "signature"), REGINDEX_MAX_URL);
	if (!p->url || !valid_url(p->url) || !p->sig_url ||
	    !valid_url(p->sig_url)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: %s.url and .signature must be relative "
		                  "paths or http(s) URLs",
		                  origin, where);
		goto counted;
	}
	if (!json_int(member(j, "length"), 1, REGINDEX_MAX_INT, &v)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: %s.length must be a positive integer",
		                  origin, where);
		goto counted;
	}
	p->length = (uint64_t)v;
	s = json_str(member(j, "blake2b256"), HEX_HASH_LEN);
	if (!hash_from_hex(s, p->blake2b256)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: %s.blake2b256 must be 64 lower-case hex "
		                  "digits",
		                  origin, where);
		goto counted;
	}
	s = json_str(member(j, "published"), REGINDEX_TIME_SIZE);
	if (!s || !regindex_time_parse(s, &p->published)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: %s.published must be a time like "
		                  "2025-01-31T12:00:00Z",
		                  origin, where);
		goto counted;
	}
	if ((rc = parse_marks(p, j, origin, where, e)))
		goto counted;
counted:
	/* Counted even on failure, so regindex_free releases its lists. */
	ix->npkgs++;
	return rc;
}

sh_status regindex_parse(const char *text, size_t len, const char *origin,
                         struct regindex **out, struct sh_error *e)
{
	static const char *const top_keys[] = {
	        "type",    "format",     "version",  "generated",
	        "expires", "namespaces", "packages", NULL};
	struct regindex *ix;
	const cJSON *pkgs, *nss, *p;
	const char *s;
	int64_t v;
	size_t n;
	sh_status rc;

	*out = NULL;
	if (len > REGINDEX_MAX_BYTES)
		return sh_error_set(
		        e, SH_ERR_NOMEM,
		        "%s: the index is %zu bytes, over the %zu-byte "
		        "cap",
		        origin, len, REGINDEX_MAX_BYTES);
	ix = calloc(1, sizeof *ix);
	if (!ix)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	ix->json = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(ix->json)) {
		rc = sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s: not a JSON object; the registry published "
		        "a damaged index",
		        origin);
		goto fail;
	}
	if ((rc = json_check_unique_keys(ix->json, origin, e))) {
		sh_error_suffix(e, "; the registry must publish a corrected "
		                   "index");
		goto fail;
	}
	s = json_str(member(ix->json, "type"), 64);
	if (!s || strcmp(s, REGINDEX_TYPE)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: \"type\" must be \"%s\"", origin,
		                  REGINDEX_TYPE);
		goto fail;
	}
	if (!json_int(member(ix->json, "format"), 1, REGINDEX_MAX_INT, &v)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: \"format\" must be a positive integer",
		                  origin);
		goto fail;
	}
	if (v != REGINDEX_FORMAT) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: index format %" PRId64
		                  " is not understood "
		                  "by this skillhost (it reads format %d); "
		                  "upgrade skillhost",
		                  origin, v, REGINDEX_FORMAT);
		goto fail;
	}
	if ((rc = only_keys(ix->json, top_keys, origin, "", e)))
		goto fail;
	if (!json_int(member(ix->json, "version"), 1, REGINDEX_MAX_INT,
	              &ix->version)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: \"version\" must be a positive integer",
		                  origin);
		goto fail;
	}
	s = json_str(member(ix->json, "expires"), REGINDEX_TIME_SIZE);
	if (!s || !regindex_time_parse(s, &ix->expires)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: \"expires\" must be a time like "
		                  "2025-01-31T12:00:00Z",
		                  origin);
		goto fail;
	}
	s = json_str(member(ix->json, "generated"), REGINDEX_TIME_SIZE);
	if (!s || !regindex_time_parse(s, &ix->generated)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: \"generated\" must be a time like "
		                  "2025-01-31T12:00:00Z",
		                  origin);
		goto fail;
	}
	nss = member(ix->json, "namespaces");
	if (!cJSON_IsObject(nss)) {
		rc = sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s: \"namespaces\" must be an object mapping "
		        "each namespace to its publisher keys",
		        origin);
		goto fail;
	}
	if ((rc = parse_namespaces(ix, nss, origin, e)))
		goto fail;
	pkgs = member(ix->json, "packages");
	if (!cJSON_IsArray(pkgs)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: \"packages\" must be an array", origin);
		goto fail;
	}
	n = (size_t)cJSON_GetArraySize(pkgs);
	if (n > REGINDEX_MAX_PACKAGES) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "%s: more than %d packages",
		                  origin, REGINDEX_MAX_PACKAGES);
		goto fail;
	}
	ix->pkgs = calloc(n + 1, sizeof *ix->pkgs);
	if (!ix->pkgs) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	n = 0;
	cJSON_ArrayForEach(p, pkgs) if ((rc = parse_package(ix, p, n++, origin,
	                                                    e))) goto fail;
	qsort(ix->pkgs, ix->npkgs, sizeof *ix->pkgs, pkg_cmp);
	for (size_t i = 1; i < ix->npkgs; i++)
		if (!pkg_cmp(&ix->pkgs[i - 1], &ix->pkgs[i])) {
			rc = sh_error_set(
			        e, SH_ERR_INVALID, "%s: %s %s is listed twice",
			        origin, ix->pkgs[i].name, ix->pkgs[i].version);
			goto fail;
		}
	*out = ix;
	return SH_OK;
fail:
	regindex_free(ix);
	return rc;
}

const struct regindex_ns *regindex_namespace(const struct regindex *ix,
                                             const char *ns)
{
	struct regindex_ns key = {.name = ns};

	if (!ix->nnamespaces)
		return NULL;
	return bsearch(&key, ix->namespaces, ix->nnamespaces,
	               sizeof *ix->namespaces, ns_cmp);
}

int regindex_ns_allows(const struct regindex *ix, const char *ns,
                       const uint8_t key_id[MINISIG_KEYID_BYTES])
{
	const struct regindex_ns *n = regindex_namespace(ix, ns);

	for (size_t i = 0; n && i < n->nkeys; i++)
		if (!memcmp(n->keys[i].key_id, key_id, MINISIG_KEYID_BYTES))
			return 1;
	return 0;
}

size_t regindex_find(const struct regindex *ix, const char *name, size_t *first)
{
	size_t lo = 0, hi = ix->npkgs, end;

	/* The first entry not below name, then the run of equal names. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->pkgs[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	end = lo;
	while (end < ix->npkgs && !strcmp(ix->pkgs[end].name, name))
		end++;
	*first = lo;
	return end - lo;
}

/* ---- the root ----------------------------------------------------------- */

void regroot_free(struct regroot *r)
{
	if (!r)
		return;
	cJSON_Delete(r->json);
	free(r);
}

sh_status regroot_parse(const char *text, size_t len, const char *origin,
                        struct regroot **out, struct sh_error *e)
{
	static const char *const root_keys[] = {
	        "type",     "format",     "version", "created",
	        "root_key", "index_keys", NULL};
	struct regroot *r;
	const cJSON *keys, *k;
	const char *s;
	int64_t v;
	sh_status rc;

	*out = NULL;
	if (len > REGROOT_MAX_BYTES)
		return sh_error_set(
		        e, SH_ERR_NOMEM,
		        "%s: the root is %zu bytes, over the %zu-byte "
		        "cap",
		        origin, len, REGROOT_MAX_BYTES);
	r = calloc(1, sizeof *r);
	if (!r)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	r->json = cJSON_ParseWithLength(text, len);
	s = json_str(member(r->json, "type"), 64);
	if (!cJSON_IsObject(r->json) || !s || strcmp(s, REGROOT_TYPE)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: not a registry root (a JSON object with "
		                  "\"type\": \"%s\")",
		                  origin, REGROOT_TYPE);
		goto fail;
	}
	if ((rc = json_check_unique_keys(r->json, origin, e))) {
		sh_error_suffix(e, "; the registry must publish a corrected "
		                   "root signed by its root key");
		goto fail;
	}
	if (!json_int(member(r->json, "format"), 1, REGINDEX_MAX_INT, &v) ||
	    v != REGINDEX_FORMAT) {
		rc = sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s: root format is not %d; upgrade skillhost", origin,
		        REGINDEX_FORMAT);
		goto fail;
	}
	if ((rc = only_keys(r->json, root_keys, origin, "", e)))
		goto fail;
	if (!json_int(member(r->json, "version"), 1, REGINDEX_MAX_INT,
	              &r->version)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: \"version\" must be a positive integer",
		                  origin);
		goto fail;
	}
	s = json_str(member(r->json, "created"), REGINDEX_TIME_SIZE);
	if (!s || !regindex_time_parse(s, &r->created)) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: \"created\" must be a time like "
		                  "2025-01-31T12:00:00Z",
		                  origin);
		goto fail;
	}
	if ((rc = parse_pubkey(member(r->json, "root_key"), origin, "root_key",
	                       &r->root_key, e)))
		goto fail;
	keys = member(r->json, "index_keys");
	if (!cJSON_IsArray(keys) || cJSON_GetArraySize(keys) < 1 ||
	    cJSON_GetArraySize(keys) > REGROOT_MAX_INDEX_KEYS) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "%s: \"index_keys\" must list 1 to %d keys",
		                  origin, REGROOT_MAX_INDEX_KEYS);
		goto fail;
	}
	cJSON_ArrayForEach(k, keys)
	{
		char where[32];
		snprintf(where, sizeof where, "index_keys[%zu]",
		         r->nindex_keys);
		if ((rc = parse_pubkey(k, origin, where,
		                       &r->index_keys[r->nindex_keys], e)))
			goto fail;
		r->nindex_keys++;
	}
	*out = r;
	return SH_OK;
fail:
	regroot_free(r);
	return rc;
}

const struct minisig_pubkey *
regroot_index_key(const struct regroot *r,
                  const uint8_t key_id[MINISIG_KEYID_BYTES])
{
	for (size_t i = 0; i < r->nindex_keys; i++)
		if (!memcmp(r->index_keys[i].key_id, key_id,
		            MINISIG_KEYID_BYTES))
			return &r->index_keys[i];
	return NULL;
}

/* ---- trusted comments --------------------------------------------------- */

static const char *kind_key(enum regmeta_kind k)
{
	return k == REGMETA_INDEX ? REGINDEX_TYPE : REGROOT_TYPE;
}

sh_status regmeta_comment_format(const struct regmeta_info *info, char *buf,
                                 size_t cap, struct sh_error *e)
{
	char hex[REGINDEX_HASH_HEX_SIZE], exp[REGINDEX_TIME_SIZE];
	int n;

	if (info->version < 1 || info->version > REGINDEX_MAX_INT ||
	    info->length < 1 || info->length > (uint64_t)REGINDEX_MAX_INT ||
	    info->timestamp < 0 ||
	    (info->kind == REGMETA_INDEX &&
	     (info->expires < 0 || info->expires > TIME_MAX)))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "cannot sign metadata with version %" PRId64
		                    ", length %" PRIu64 " or expiry %" PRId64,
		                    info->version, info->length, info->expires);
	sodium_bin2hex(hex, sizeof hex, info->blake2b256,
	               MINISIG_FILE_HASH_BYTES);
	if (info->kind == REGMETA_INDEX) {
		regindex_time_format(info->expires, exp);
		n = snprintf(buf, cap,
		             "%s:%d version:%" PRId64
		             " expires:%s length:%" PRIu64
		             " blake2b256:%s timestamp:%" PRId64,
		             REGINDEX_TYPE, REGINDEX_FORMAT, info->version, exp,
		             info->length, hex, info->timestamp);
	} else {
		n = snprintf(buf, cap,
		             "%s:%d version:%" PRId64 " length:%" PRIu64
		             " blake2b256:%s timestamp:%" PRId64,
		             REGROOT_TYPE, REGINDEX_FORMAT, info->version,
		             info->length, hex, info->timestamp);
	}
	if (n < 0 || (size_t)n >= cap)
		return sh_error_set(e, SH_ERR_NOMEM,
		                    "trusted comment buffer too small");
	return SH_OK;
}

/* A decimal integer in [min, REGINDEX_MAX_INT]: digits only, no sign, no
 * leading zero. */
static int dec_value(const char *p, size_t n, int64_t min, int64_t *out)
{
	int64_t v = 0;

	if (n == 0 || n > 16 || (n > 1 && p[0] == '0'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	if (v < min || v > REGINDEX_MAX_INT)
		return 0;
	*out = v;
	return 1;
}

enum meta_field {
	MF_FORMAT,
	MF_VERSION,
	MF_EXPIRES,
	MF_LENGTH,
	MF_HASH,
	MF_TIMESTAMP,
	MF_COUNT
};

static const char *const meta_keys[MF_COUNT] = {
        NULL, "version", "expires", "length", "blake2b256", "timestamp"};

static int meta_key_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.' || c == '-';
}

/* 1 when comment has a field named key ("key:..."). */
static int has_field(const char *comment, const char *key)
{
	size_t kl = strlen(key);
	const char *p = comment;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return 0;
		if (!strncmp(p, key, kl) && p[kl] == ':')
			return 1;
		p += strcspn(p, " \t");
	}
}

sh_status regmeta_comment_parse(const char *comment, enum regmeta_kind kind,
                                struct regmeta_info *info, struct sh_error *e)
{
	const char *p = comment, *want = kind_key(kind);
	const char *other =
	        kind_key(kind == REGMETA_INDEX ? REGMETA_ROOT : REGMETA_INDEX);
	int seen[MF_COUNT] = {0};
	char tmp[REGINDEX_TIME_SIZE];

	memset(info, 0, sizeof *info);
	info->kind = kind;
	info->timestamp = -1;
	/* Which kind of signature this is decides how to read the rest, so
	 * it is looked for first. */
	if (!has_field(comment, want)) {
		if (has_field(comment, other))
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "the signature is for a %s, not a %s: "
			        "a signature of one kind of file is "
			        "never accepted for another",
			        kind == REGMETA_INDEX ? "registry root"
			                              : "registry index",
			        kind == REGMETA_INDEX ? "registry index"
			                              : "registry root");
		if (has_field(comment, "skillhost-package"))
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "the signature is a package's, not a "
			        "registry %s's",
			        kind == REGMETA_INDEX ? "index" : "root");
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the trusted comment is not a %s comment "
		                    "(\"%s:%d version:...\")",
		                    want, want, REGINDEX_FORMAT);
	}
	for (;;) {
		const char *k, *colon, *v;
		size_t kl, vl;
		enum meta_field f = MF_COUNT;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		k = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		colon = memchr(k, ':', (size_t)(p - k));
		if (!colon)
			return sh_error_set(e, SH_ERR_INVALID,
			                    "the trusted comment has a field "
			                    "without ':' (\"%.*s\")",
			                    (int)(p - k), k);
		kl = (size_t)(colon - k);
		v = colon + 1;
		vl = (size_t)(p - v);
		for (size_t i = 0; i < kl; i++)
			if (!meta_key_char_ok(k[i]))
				return sh_error_set(e, SH_ERR_INVALID,
				                    "the trusted comment has a "
				                    "bad field name \"%.*s\"",
				                    (int)kl, k);
		if (kl == strlen(want) && !memcmp(k, want, kl))
			f = MF_FORMAT;
		for (int i = MF_VERSION; f == MF_COUNT && i < MF_COUNT; i++)
			if (kl == strlen(meta_keys[i]) &&
			    !memcmp(k, meta_keys[i], kl))
				f = (enum meta_field)i;
		if (f == MF_EXPIRES && kind != REGMETA_INDEX)
			f = MF_COUNT;
		if (f == MF_COUNT)
			continue; /* later writers may add fields */
		if (seen[f]++)
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "the trusted comment gives \"%.*s\" "
			        "twice",
			        (int)kl, k);
		switch (f) {
		case MF_FORMAT:
			if (vl != 1 || v[0] != '0' + REGINDEX_FORMAT)
				return sh_error_set(
				        e, SH_ERR_INVALID,
				        "the trusted comment is %s format "
				        "%.*s, which this skillhost does not "
				        "understand; upgrade skillhost",
				        want, (int)vl, v);
			break;
		case MF_VERSION:
			if (!dec_value(v, vl, 1, &info->version))
				return sh_error_set(
				        e, SH_ERR_INVALID,
				        "the trusted comment's version "
				        "is not a positive integer");
			break;
		case MF_EXPIRES:
			snprintf(tmp, sizeof tmp, "%.*s", (int)vl, v);
			if (vl != REGINDEX_TIME_SIZE - 1 ||
			    !regindex_time_parse(tmp, &info->expires))
				return sh_error_set(
				        e, SH_ERR_INVALID,
				        "the trusted comment's expires "
				        "is not a time like "
				        "2025-01-31T12:00:00Z");
			break;
		case MF_LENGTH: {
			int64_t l;
			if (!dec_value(v, vl, 1, &l))
				return sh_error_set(
				        e, SH_ERR_INVALID,
				        "the trusted comment's length "
				        "is not a positive integer");
			info->length = (uint64_t)l;
			break;
		}
		case MF_HASH: {
			char hex[HEX_HASH_LEN + 1];
			snprintf(hex, sizeof hex, "%.*s", (int)vl, v);
			if (vl != HEX_HASH_LEN ||
			    !hash_from_hex(hex, info->blake2b256))
				return sh_error_set(e, SH_ERR_INVALID,
				                    "the trusted comment's "
				                    "blake2b256 is not 64 "
				                    "lower-case hex digits");
			break;
		}
		case MF_TIMESTAMP:
			if (!dec_value(v, vl, 0, &info->timestamp))
				return sh_error_set(
				        e, SH_ERR_INVALID,
				        "the trusted comment's "
				        "timestamp is not a unix time");
			break;
		case MF_COUNT: break;
		}
	}
	if (!seen[MF_VERSION] || !seen[MF_LENGTH] || !seen[MF_HASH] ||
	    (kind == REGMETA_INDEX && !seen[MF_EXPIRES]))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the trusted comment lacks %s",
		                    !seen[MF_VERSION]  ? "version"
		                    : !seen[MF_LENGTH] ? "length"
		                    : !seen[MF_HASH]   ? "blake2b256"
		                                       : "expires");
	return SH_OK;
}

sh_status regmeta_verify_comment(const struct minisig_pubkey *pk,
                                 const struct minisig_signature *sig,
                                 enum regmeta_kind kind, const char *what,
                                 struct regmeta_info *info, struct sh_error *e)
{
	uint8_t msg[MINISIG_SIG_BYTES + MINISIG_TRUSTED_COMMENT_MAX];
	char have[MINISIG_KEYID_HEX_SIZE], want[MINISIG_KEYID_HEX_SIZE];
	size_t n;
	sh_status rc;

	if (sodium_init() < 0)
		return sh_error_set(e, SH_ERR_FAIL, "libsodium cannot start");
	if (memcmp(sig->alg, MINISIG_ALG_PREHASHED, 2))
		return sh_error_set(e, SH_ERR_TRUST,
		                    "%s: the signature does not use prehashed "
		                    "\"ED\" signing, the only kind accepted",
		                    what);
	if (memcmp(sig->key_id, pk->key_id, MINISIG_KEYID_BYTES)) {
		minisig_keyid_to_hex(sig->key_id, have);
		minisig_keyid_to_hex(pk->key_id, want);
		return sh_error_set(e, SH_ERR_TRUST,
		                    "%s is signed by key %s, not by key %s",
		                    what, have, want);
	}
	/* The global signature covers sig || comment, so the comment is
	 * authentic on its own: what lets a client decide before it fetches
	 * the (possibly large) file. minisig_verify_digest repeats this
	 * check once the file is here. */
	n = strnlen(sig->trusted_comment, MINISIG_TRUSTED_COMMENT_MAX);
	memcpy(msg, sig->sig, MINISIG_SIG_BYTES);
	memcpy(msg + MINISIG_SIG_BYTES, sig->trusted_comment, n);
	if (crypto_sign_verify_detached(sig->global_sig, msg,
	                                MINISIG_SIG_BYTES + n, pk->pk) != 0)
		return sh_error_set(e, SH_ERR_TRUST,
		                    "%s: the signature's trusted comment does "
		                    "not verify; the signature was altered or "
		                    "is not from this registry",
		                    what);
	rc = regmeta_comment_parse(sig->trusted_comment, kind, info, e);
	if (rc != SH_OK) {
		e->status = SH_ERR_TRUST;
		return sh_error_prefix(e, "%s", what);
	}
	return SH_OK;
}

sh_status regmeta_verify_body(const struct minisig_pubkey *pk,
                              const struct minisig_signature *sig,
                              const struct regmeta_info *info, const char *text,
                              size_t len, const char *what, struct sh_error *e)
{
	uint8_t digest[MINISIG_DIGEST_BYTES], fh[MINISIG_FILE_HASH_BYTES];
	struct minisig_hasher h;
	sh_status rc;

	if ((uint64_t)len != info->length)
		return sh_error_set(
		        e, SH_ERR_TRUST,
		        "%s is %zu bytes, but its signature says %" PRIu64
		        "; it was altered or mixed with another "
		        "version",
		        what, len, info->length);
	/* The signature over BLAKE2b-512 covers every byte, so the
	 * comment's BLAKE2b-256 is only computed to explain a failure: a
	 * large cached index is read at every search. */
	if ((rc = minisig_hasher_init(&h, 0, e)))
		return rc;
	minisig_hasher_update(&h, text, len);
	minisig_hasher_final(&h, digest, NULL);
	if (minisig_verify_digest(pk, sig, digest, e) == SH_OK)
		return SH_OK;
	crypto_generichash(fh, sizeof fh, (const unsigned char *)text, len,
	                   NULL, 0);
	if (sodium_memcmp(fh, info->blake2b256, sizeof fh))
		return sh_error_set(
		        e, SH_ERR_TRUST,
		        "%s does not have the hash its signature "
		        "names; it was altered or mixed with another "
		        "version",
		        what);
	return sh_error_prefix(e, "%s", what);
}

/* ---- version constraints ------------------------------------------------ */

/* major.minor.patch of a valid semver, and where its prerelease starts
 * (NULL when there is none). Returns 0 on overflow. */
static int semver_triple(const char *v, uint64_t t[3], const char **pre)
{
	const char *p = v;

	for (int i = 0; i < 3; i++) {
		uint64_t x = 0;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p)) {
			if (x > (UINT64_MAX - 9) / 10)
				return 0;
			x = x * 10 + (uint64_t)(*p++ - '0');
		}
		t[i] = x;
		if (i < 2 && *p++ != '.')
			return 0;
	}
	*pre = *p == '-' ? p + 1 : NULL;
	return 1;
}

int regindex_is_prerelease(const char *version)
{
	uint64_t t[3];
	const char *pre;

	return semver_triple(version, t, &pre) && pre != NULL;
}

static int triple_cmp(const uint64_t a[3], const uint64_t b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

sh_status regindex_spec_parse(const char *spec, char *name, size_t name_cap,
                              struct regindex_constraint *c, struct sh_error *e)
{
	const char *at = strchr(spec, '@'), *v;
	size_t nl = at ? (size_t)(at - spec) : strlen(spec);

	memset(c, 0, sizeof *c);
	if (nl >= name_cap || nl > MINISIG_PKG_NAME_MAX)
		return sh_error_set(e, SH_ERR_USAGE, "'%s' is too long", spec);
	memcpy(name, spec, nl);
	name[nl] = '\0';
	if (!skilldesc_valid_skill_name(name))
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "'%s' is not a skill name; give NAMESPACE/NAME, "
		        "optionally with @VERSION or @^VERSION "
		        "(e.g. acme/weather@^1.2)",
		        name);
	if (!at || !strcmp(at + 1, "latest")) {
		c->kind = REGC_LATEST;
		return SH_OK;
	}
	v = at + 1;
	if (*v != '^') {
		if (strlen(v) > MINISIG_PKG_VERSION_MAX ||
		    !skilldesc_valid_semver(v))
			return sh_error_set(
			        e, SH_ERR_USAGE,
			        "'%s' is not a version: give an exact "
			        "version (1.2.3), a caret range "
			        "(^1.2 means >=1.2.0 <2.0.0) or "
			        "latest",
			        v);
		c->kind = REGC_EXACT;
		snprintf(c->version, sizeof c->version, "%s", v);
		return SH_OK;
	}
	/* ^M, ^M.m, ^M.m.p[-pre]: complete it to a full version to reuse
	 * the semver check, remembering how many parts were given. */
	{
		char full[MINISIG_PKG_VERSION_MAX + 8];
		uint64_t t[3];
		const char *pre;
		int dots = 0;

		v++;
		for (const char *p = v; *p && *p != '-' && *p != '+'; p++)
			dots += *p == '.';
		if (strlen(v) > MINISIG_PKG_VERSION_MAX || dots > 2 ||
		    (dots < 2 && strpbrk(v, "-+")))
			goto bad_caret;
		snprintf(full, sizeof full, "%s%s", v,
		         dots == 0   ? ".0.0"
		         : dots == 1 ? ".0"
		                     : "");
		if (!skilldesc_valid_semver(full) ||
		    !semver_triple(full, t, &pre))
			goto bad_caret;
		c->kind = REGC_CARET;
		c->major = t[0];
		c->minor = t[1];
		c->patch = t[2];
		c->parts = dots + 1;
		if (pre)
			snprintf(c->pre, sizeof c->pre, "%.*s",
			         (int)strcspn(pre, "+"), pre);
		return SH_OK;
	}
bad_caret:
	return sh_error_set(e, SH_ERR_USAGE,
	                    "'^%s' is not a caret range: give ^MAJOR, "
	                    "^MAJOR.MINOR or ^MAJOR.MINOR.PATCH (e.g. ^1.2)",
	                    v);
}

int regindex_constraint_match(const struct regindex_constraint *c,
                              const char *version)
{
	uint64_t t[3], floor_t[3], upper[3] = {0, 0, 0};
	const char *pre;
	char floor_v[MINISIG_PKG_VERSION_MAX + 64];

	switch (c->kind) {
	case REGC_LATEST: return 1;
	case REGC_EXACT:
		return skilldesc_semver_compare(version, c->version) == 0;
	case REGC_CARET: break;
	}
	if (!semver_triple(version, t, &pre))
		return 0;
	floor_t[0] = c->major;
	floor_t[1] = c->minor;
	floor_t[2] = c->patch;
	/* A prerelease only ever matches a floor that is a prerelease of the
	 * same release: ^1.2.0-rc.1 takes 1.2.0-rc.2 but not 1.3.0-beta. */
	if (pre && (!c->pre[0] || triple_cmp(t, floor_t)))
		return 0;
	snprintf(floor_v, sizeof floor_v,
	         "%" PRIu64 ".%" PRIu64 ".%" PRIu64 "%s%s", c->major, c->minor,
	         c->patch, c->pre[0] ? "-" : "", c->pre);
	if (skilldesc_semver_compare(version, floor_v) < 0)
		return 0;
	/* The upper bound bumps the left-most non-zero part given. */
	if (c->major > 0 || c->parts == 1)
		upper[0] = c->major + 1;
	else if (c->minor > 0 || c->parts == 2)
		upper[1] = c->minor + 1;
	else
		upper[2] = c->patch + 1;
	return triple_cmp(t, upper) < 0;
}

const struct regindex_pkg *regindex_resolve(const struct regindex *ix,
                                            const char *name,
                                            const struct regindex_constraint *c)
{
	size_t first, n = regindex_find(ix, name, &first);

	if (!n)
		return NULL;
	if (c->kind == REGC_LATEST) {
		const struct regindex_pkg *pre = NULL;
		for (size_t i = first + n; i-- > first;) {
			if (ix->pkgs[i].yanked)
				continue;
			if (!regindex_is_prerelease(ix->pkgs[i].version))
				return &ix->pkgs[i];
			if (!pre)
				pre = &ix->pkgs[i];
		}
		return pre;
	}
	for (size_t i = first + n; i-- > first;)
		if ((c->kind == REGC_EXACT || !ix->pkgs[i].yanked) &&
		    regindex_constraint_match(c, ix->pkgs[i].version))
			return &ix->pkgs[i];
	return NULL;
}

void regindex_constraint_format(const struct regindex_constraint *c, char *buf,
                                size_t cap)
{
	switch (c->kind) {
	case REGC_LATEST: snprintf(buf, cap, "latest"); break;
	case REGC_EXACT: snprintf(buf, cap, "%s", c->version); break;
	case REGC_CARET:
		if (c->parts == 1)
			snprintf(buf, cap, "^%" PRIu64, c->major);
		else if (c->parts == 2)
			snprintf(buf, cap, "^%" PRIu64 ".%" PRIu64, c->major,
			         c->minor);
		else
			snprintf(buf, cap,
			         "^%" PRIu64 ".%" PRIu64 ".%" PRIu64 "%s%s",
			         c->major, c->minor, c->patch,
			         c->pre[0] ? "-" : "", c->pre);
		break;
	}
}

/* ---- search ------------------------------------------------------------- */

int regindex_pkg_match(const struct regindex_pkg *p, const char *query)
{
	if (!query || !*query)
		return 1;
	if (strcasestr(p->name, query))
		return 3;
	for (size_t i = 0; i < p->nagentskills; i++)
		if (strcasestr(p->agentskills[i].name, query))
			return 3;
	for (size_t i = 0; i < p->nagentskills; i++)
		if (strcasestr(p->agentskills[i].description, query))
			return 2;
	for (size_t i = 0; i < p->ntools; i++)
		if (strcasestr(p->tools[i].name, query) ||
		    strcasestr(p->tools[i].description, query))
			return 2;
	if (strcasestr(p->description, query))
		return 1;
	return 0;
}
