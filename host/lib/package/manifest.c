/*
 * manifest.c - package manifests. See manifest.h and sdk/MANIFEST.md.
 */
#include "manifest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "egress.h"
#include "fsutil.h"
#include "jsonstrict.h"
#include "oauthdecl.h"
#include "names.h"

#define MAX_DEPTH 16

const char *manifest_host_platform(void)
{
	return SKILLHOST_PLATFORM;
}

void manifest_hash_hex(const uint8_t h[MANIFEST_HASH_BYTES], char *out)
{
	sodium_bin2hex(out, 2 * MANIFEST_HASH_BYTES + 1, h,
	               MANIFEST_HASH_BYTES);
}

int manifest_valid_path(const char *path)
{
	size_t n = strlen(path), comp = 0;
	int depth = 1;

	if (n == 0 || n > MANIFEST_MAX_PATH || path[0] == '/')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c == '/') {
			if (comp == 0 || ++depth > MAX_DEPTH)
				return 0;
			comp = 0;
			continue;
		}
		if (comp == 0 && c == '.')
			return 0; /* ".", "..", and hidden files */
		if (!(isalnum(c) || c == '.' || c == '_' || c == '-' ||
		      c == '+' || c == '@'))
			return 0;
		comp++;
	}
	return comp > 0;
}

static void free_list(struct manifest_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
}

void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->version);
	free(m->description);
	free(m->license);
	free(m->publisher);
	for (size_t i = 0; i < m->nplatforms; i++) {
		free(m->platforms[i].triplet);
		free(m->platforms[i].lib);
	}
	free(m->platforms);
	for (size_t i = 0; i < m->ntools; i++) {
		free(m->tools[i].name);
		free(m->tools[i].description);
	}
	free(m->tools);
	free_list(&m->network);
	free_list(&m->secrets);
	free_list(&m->filesystem);
	free_list(&m->include);
	for (size_t i = 0; i < m->nfiles; i++)
		free(m->files[i].path);
	free(m->files);
	cJSON_Delete(m->json);
	free(m);
}

struct ctx {
	const char *origin;
	struct sh_error *e;
};

static sh_status bad(struct ctx *c, const char *key, const char *why)
{
	return sh_error_set(c->e, SH_ERR_INVALID, "%s: \"%s\" %s", c->origin,
	                    key, why);
}

static sh_status get_string(struct ctx *c, const cJSON *o, const char *key,
                            int required, size_t max, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NULL;
	if (!v)
		return required ? bad(c, key, "is missing") : SH_OK;
	if (!cJSON_IsString(v))
		return bad(c, key, "must be a string");
	if (strlen(v->valuestring) > max) {
		char why[64];
		snprintf(why, sizeof why, "is longer than %zu bytes", max);
		return bad(c, key, why);
	}
	*out = strdup(v->valuestring);
	return *out ? SH_OK : sh_error_set(c->e, SH_ERR_NOMEM, "out of memory");
}

typedef int (*item_check)(const char *s);

static int valid_secret_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || !isupper((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(isupper((unsigned char)s[i]) ||
		      isdigit((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

static int valid_fs_perm(const char *s)
{
	return !strcmp(s, MANIFEST_FS_ARTIFACTS) ||
	       !strcmp(s, MANIFEST_FS_INPUTS);
}

static sh_status get_list(struct ctx *c, const cJSON *o, const char *key,
                          const char *shown, item_check check, const char *rule,
                          int max, struct manifest_list *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key), *it;
	size_t i = 0;

	if (!v)
		return SH_OK;
	if (!cJSON_IsArray(v))
		return bad(c, shown, "must be an array of strings");
	if (cJSON_GetArraySize(v) > max)
		return bad(c, shown, "lists too many entries");
	out->items = calloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
	if (!out->items)
		return sh_error_set(c->e, SH_ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(it, v)
	{
		if (!cJSON_IsString(it) || !check(it->valuestring))
			return sh_error_set(c->e, SH_ERR_INVALID,
			                    "%s: \"%s\"[%zu] %s", c->origin,
			                    shown, i, rule);
		for (size_t j = 0; j < out->n; j++)
			if (!strcmp(out->items[j], it->valuestring))
				return sh_error_set(
				        c->e, SH_ERR_INVALID,
				        "%s: \"%s\" lists \"%s\" twice",
				        c->origin, shown, it->valuestring);
		if (!(out->items[out->n++] = strdup(it->valuestring)))
			return sh_error_set(c->e, SH_ERR_NOMEM,
			                    "out of memory");
		i++;
	}
	return SH_OK;
}

static int valid_path_item(const char *s)
{
	return manifest_valid_path(s);
}

static int valid_hex_id(const char *s)
{
	if (strlen(s) != 16)
		return 0;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

static sh_status parse_platforms(struct ctx *c, struct manifest *m)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->json, "platforms");
	const cJSON *it;

	if (!cJSON_IsObject(v) || !v->child)
		return bad(c, "platforms",
		           "must be an object mapping each platform triplet "
		           "(e.g. \"x86_64-linux-gnu\") to its library, like "
		           "\"lib/x86_64-linux-gnu/x.so\"");
	if (cJSON_GetArraySize(v) > MANIFEST_MAX_LIST)
		return bad(c, "platforms", "lists too many platforms");
	m->platforms =
	        calloc((size_t)cJSON_GetArraySize(v), sizeof *m->platforms);
	if (!m->platforms)
		return sh_error_set(c->e, SH_ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(it, v)
	{
		struct manifest_platform *p = &m->platforms[m->nplatforms];
		if (!manifest_valid_path(it->string) || strchr(it->string, '/'))
			return sh_error_set(
			        c->e, SH_ERR_INVALID,
			        "%s: platform \"%s\" is not a triplet "
			        "like x86_64-linux-gnu",
			        c->origin, it->string);
		if (!cJSON_IsString(it) ||
		    !manifest_valid_path(it->valuestring))
			return sh_error_set(
			        c->e, SH_ERR_INVALID,
			        "%s: platforms.%s must be a relative "
			        "path inside the package",
			        c->origin, it->string);
		p->triplet = strdup(it->string);
		p->lib = strdup(it->valuestring);
		m->nplatforms++;
		if (!p->triplet || !p->lib)
			return sh_error_set(c->e, SH_ERR_NOMEM,
			                    "out of memory");
	}
	return SH_OK;
}

static sh_status parse_tools(struct ctx *c, struct manifest *m)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->json, "tools");
	const cJSON *it;
	size_t i = 0;

	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
		return bad(c, "tools",
		           "must be a non-empty array of {\"name\", "
		           "\"description\"}");
	if (cJSON_GetArraySize(v) > SKILLDESC_MAX_TOOLS)
		return bad(c, "tools", "lists too many tools");
	m->tools = calloc((size_t)cJSON_GetArraySize(v), sizeof *m->tools);
	if (!m->tools)
		return sh_error_set(c->e, SH_ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(it, v)
	{
		const cJSON *k;
		char where[32];
		sh_status rc;

		snprintf(where, sizeof where, "tools[%zu]", i++);
		if (!cJSON_IsObject(it))
			return bad(c, where, "must be an object");
		cJSON_ArrayForEach(k, it) if (
		        strcmp(k->string, "name") &&
		        strcmp(k->string,
		               "description")) return sh_error_set(c->e,
		                                                   SH_ERR_INVALID,
		                                                   "%s: %s has "
		                                                   "unknown "
		                                                   "key \"%s\"",
		                                                   c->origin,
		                                                   where,
		                                                   k->string);
		rc = get_string(c, it, "name", 1, SKILLDESC_MAX_NAME,
		                &m->tools[m->ntools].name);
		if (rc == SH_OK)
			rc = get_string(c, it, "description", 0,
			                SKILLDESC_MAX_TEXT,
			                &m->tools[m->ntools].description);
		m->ntools++;
		if (rc != SH_OK)
			return rc;
		if (!skilldesc_valid_tool_name(m->tools[m->ntools - 1].name))
			return bad(c, where,
			           "has a name that is not 1-64 characters of "
			           "[A-Za-z0-9_-] starting with a letter");
	}
	return SH_OK;
}

static int hex_to_hash(const char *hex, uint8_t out[MANIFEST_HASH_BYTES])
{
	size_t bin_len = 0;

	if (strlen(hex) != (size_t)2 * MANIFEST_HASH_BYTES)
		return 0;
	for (const char *p = hex; *p; p++)
		if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
			return 0;
	return sodium_hex2bin(out, MANIFEST_HASH_BYTES, hex, strlen(hex), NULL,
	                      &bin_len, NULL) == 0 &&
	       bin_len == MANIFEST_HASH_BYTES;
}

static sh_status parse_files(struct ctx *c, struct manifest *m)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->json, "files");
	const cJSON *it;

	if (!cJSON_IsObject(v))
		return bad(c, "files",
		           "must be an object mapping each file in the package "
		           "to {\"size\", \"blake2b256\"}; a package made by "
		           "`skillhost pack` always has it");
	if (cJSON_GetArraySize(v) > MANIFEST_MAX_FILES)
		return bad(c, "files", "lists too many files");
	m->files = calloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *m->files);
	if (!m->files)
		return sh_error_set(c->e, SH_ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(it, v)
	{
		struct manifest_file *f = &m->files[m->nfiles];
		const cJSON *size =
		        cJSON_GetObjectItemCaseSensitive(it, "size");
		const cJSON *hash =
		        cJSON_GetObjectItemCaseSensitive(it, "blake2b256");

		if (!manifest_valid_path(it->string) ||
		    !strcmp(it->string, MANIFEST_FILE))
			return sh_error_set(c->e, SH_ERR_INVALID,
			                    "%s: files: \"%s\" is not a valid "
			                    "package path",
			                    c->origin, it->string);
		if (!cJSON_IsObject(it) || !cJSON_IsNumber(size) ||
		    size->valuedouble < 0 || size->valuedouble > 4e15 ||
		    size->valuedouble != (double)(uint64_t)size->valuedouble ||
		    !cJSON_IsString(hash) ||
		    !hex_to_hash(hash->valuestring, f->blake2b256) ||
		    cJSON_GetArraySize(it) != 2)
			return sh_error_set(
			        c->e, SH_ERR_INVALID,
			        "%s: files.\"%s\" must be {\"size\": "
			        "bytes, \"blake2b256\": 64 lower-case "
			        "hex digits}",
			        c->origin, it->string);
		f->size = (uint64_t)size->valuedouble;
		if (!(f->path = strdup(it->string)))
			return sh_error_set(c->e, SH_ERR_NOMEM,
			                    "out of memory");
		m->nfiles++;
	}
	return SH_OK;
}

static const char *const known_keys[] = {
        "manifest", "name",      "version",   "abi",       "description",
        "license",  "publisher", "platforms", "tools",     "permissions",
        "include",  "files",     "prompts",   "resources", "resourceTemplates",
        "oauth",    NULL};

static sh_status check_keys(struct ctx *c, const cJSON *root,
                            enum manifest_form form)
{
	const cJSON *k, *perm;

	cJSON_ArrayForEach(k, root)
	{
		const char *const *p = known_keys;
		if (!strncmp(k->string, "x-", 2))
			continue;
		while (*p && strcmp(*p, k->string))
			p++;
		if (!*p)
			return sh_error_set(
			        c->e, SH_ERR_INVALID,
			        "%s: unknown key \"%s\" (extensions "
			        "must start with \"x-\")",
			        c->origin, k->string);
	}
	if (form == MANIFEST_PACKAGED &&
	    cJSON_GetObjectItemCaseSensitive(root, "include"))
		return bad(c, "include",
		           "belongs to the source manifest only; packages list "
		           "their files under \"files\"");
	perm = cJSON_GetObjectItemCaseSensitive(root, "permissions");
	if (perm && !cJSON_IsObject(perm))
		return bad(
		        c, "permissions",
		        "must be an object with \"network\", \"secrets\" and "
		        "\"filesystem\" arrays");
	cJSON_ArrayForEach(k, perm) if (
	        strcmp(k->string, "network") && strcmp(k->string, "secrets") &&
	        strcmp(k->string,
	               "filesystem")) return sh_error_set(c->e, SH_ERR_INVALID,
	                                                  "%s: unknown "
	                                                  "permission \"%s\" "
	                                                  "(known: "
	                                                  "network, secrets, "
	                                                  "filesystem)",
	                                                  c->origin, k->string);
	return SH_OK;
}

/* 1 when s is a portable MCP name: [A-Za-z0-9_-]{1,64}. */
static int mcp_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789_-") == n;
}

/* The MCP declarations ("prompts", "resources", "resourceTemplates"),
 * served as they are by the host (see sdk/MANIFEST.md): arrays of
 * objects, each with the members a client needs, checked here so a bad
 * one is refused at pack and install rather than skipped at serve. */
static sh_status check_mcp_decls(struct ctx *c, const cJSON *root)
{
	static const struct {
		const char *key, *id, *what;
	} kinds[] = {
	        {"prompts", "name",
	         "a \"name\" ([A-Za-z0-9_-]{1,64}) and "
	         "\"messages\" [{\"role\", \"content\"}]"},
	        {"resources", "uri",
	         "a \"uri\", a \"name\" and \"text\" "
	         "or \"blob\" (base64)"},
	        {"resourceTemplates", "uriTemplate",
	         "a \"uriTemplate\" and a \"name\""},
	};

	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		const cJSON *arr =
		        cJSON_GetObjectItemCaseSensitive(root, kinds[k].key);
		const cJSON *e;
		char why[256];

		if (!arr)
			continue;
		snprintf(why, sizeof why,
		         "must be an array of objects, each "
		         "with %s",
		         kinds[k].what);
		if (!cJSON_IsArray(arr) ||
		    cJSON_GetArraySize(arr) > MANIFEST_MAX_LIST)
			return bad(c, kinds[k].key, why);
		cJSON_ArrayForEach(e, arr)
		{
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(
			        e, kinds[k].id);
			const cJSON *name =
			        cJSON_GetObjectItemCaseSensitive(e, "name");
			const cJSON *msgs =
			        cJSON_GetObjectItemCaseSensitive(e, "messages");
			const cJSON *m;
			if (!cJSON_IsObject(e) || !cJSON_IsString(id) ||
			    !id->valuestring[0] || !cJSON_IsString(name))
				return bad(c, kinds[k].key, why);
			/* A template without either is dynamic: read by the
			 * skill's skill.resources/1 read(). */
			if (k == 2)
				continue;
			if (k != 0) {
				if (!cJSON_IsString(
				            cJSON_GetObjectItemCaseSensitive(
				                    e, "text")) &&
				    !cJSON_IsString(
				            cJSON_GetObjectItemCaseSensitive(
				                    e, "blob")))
					return bad(c, kinds[k].key, why);
				continue;
			}
			if (!mcp_name_ok(name->valuestring) ||
			    !cJSON_IsArray(msgs) || !cJSON_GetArraySize(msgs))
				return bad(c, kinds[k].key, why);
			cJSON_ArrayForEach(m, msgs)
			{
				const cJSON *role =
				        cJSON_GetObjectItemCaseSensitive(
				                m, "role");
				if (!cJSON_IsString(role) ||
				    (strcmp(role->valuestring, "user") &&
				     strcmp(role->valuestring, "assistant")) ||
				    !cJSON_IsObject(
				            cJSON_GetObjectItemCaseSensitive(
				                    m, "content")))
					return bad(c, kinds[k].key,
					           "messages must each have a "
					           "\"role\" (\"user\" or "
					           "\"assistant\") and a "
					           "\"content\" "
					           "block");
			}
		}
	}
	return SH_OK;
}

/* 1 when m holds an Agent Skill: a file skills/<name>/SKILL.md (the skill
 * itself is checked by agentskill.c at pack and install). */
static int has_agentskill(const struct manifest *m)
{
	for (size_t i = 0; i < m->nfiles; i++) {
		const char *p = m->files[i].path, *slash;
		if (strncmp(p, "skills/", 7))
			continue;
		slash = strchr(p + 7, '/');
		if (slash && slash > p + 7 && !strcmp(slash, "/SKILL.md"))
			return 1;
	}
	return 0;
}

sh_status manifest_parse(const char *text, size_t len, enum manifest_form form,
                         const char *origin, struct manifest **out,
                         struct sh_error *e)
{
	struct ctx c = {origin, e};
	struct manifest *m = NULL;
	const cJSON *fmt, *abi, *perm;
	int native;
	sh_status rc;

	*out = NULL;
	if (len > MANIFEST_MAX_BYTES)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s: the manifest is %zu bytes, over the limit "
		        "of %zu",
		        origin, len, MANIFEST_MAX_BYTES);
	m = calloc(1, sizeof *m);
	if (!m)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	m->json = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(m->json)) {
		rc = sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s: not a JSON object; a manifest is JSON like "
		        "{\"name\": \"ns/name\", \"version\": ...}",
		        origin);
		goto fail;
	}
	if ((rc = json_check_unique_keys(m->json, origin, e))) {
		sh_error_suffix(e, "; the publisher must remove the repeated "
		                   "key and sign the package again");
		goto fail;
	}
	if ((rc = check_keys(&c, m->json, form)))
		goto fail;
	fmt = cJSON_GetObjectItemCaseSensitive(m->json, "manifest");
	if (fmt &&
	    (!cJSON_IsNumber(fmt) || fmt->valuedouble != MANIFEST_FORMAT)) {
		rc = bad(&c, "manifest",
		         "names a manifest format this host does not read "
		         "(it reads 1); upgrade skillhost");
		goto fail;
	}
	if ((rc = get_string(&c, m->json, "name", 1, 2 * SKILLDESC_MAX_NAME + 1,
	                     &m->name)) ||
	    (rc = get_string(&c, m->json, "version", 1, SKILLDESC_MAX_VERSION,
	                     &m->version)) ||
	    (rc = get_string(&c, m->json, "description", 1, SKILLDESC_MAX_TEXT,
	                     &m->description)) ||
	    (rc = get_string(&c, m->json, "license", 0, 256, &m->license)) ||
	    (rc = get_string(&c, m->json, "publisher", 0, 64, &m->publisher)))
		goto fail;
	if (!skilldesc_valid_skill_name(m->name)) {
		rc = bad(&c, "name",
		         "must be \"namespace/name\" in lower-case letters, "
		         "digits and '-'");
		goto fail;
	}
	if (!skilldesc_valid_semver(m->version)) {
		rc = bad(&c, "version",
		         "must be a semantic version like 1.2.3");
		goto fail;
	}
	if (m->publisher && !valid_hex_id(m->publisher)) {
		rc = bad(&c, "publisher", "must be a key id: 16 hex digits");
		goto fail;
	}
	abi = cJSON_GetObjectItemCaseSensitive(m->json, "abi");
	/* A package of Agent Skills only has no code: no abi, platforms or
	 * tools (packaged, it must then hold a skills/<name>/SKILL.md). */
	native = abi ||
	         cJSON_GetObjectItemCaseSensitive(m->json, "platforms") ||
	         cJSON_GetObjectItemCaseSensitive(m->json, "tools");
	/* Range first: casting an out-of-range double is undefined. */
	if (native && (!abi || !cJSON_IsNumber(abi) ||
	               !(abi->valuedouble >= 1) || abi->valuedouble > 1000 ||
	               abi->valuedouble != (int)abi->valuedouble)) {
		rc = bad(&c, "abi", "must be the skill ABI major, e.g. 1");
		goto fail;
	}
	m->abi = native ? (int)abi->valuedouble : 0;
	if ((native &&
	     ((rc = parse_platforms(&c, m)) || (rc = parse_tools(&c, m)))) ||
	    (rc = check_mcp_decls(&c, m->json)))
		goto fail;
	perm = cJSON_GetObjectItemCaseSensitive(m->json, "permissions");
	if ((rc = get_list(&c, perm, "network", "permissions.network",
	                   manifest_valid_host_pattern,
	                   "must be a host name, or *.domain, with an "
	                   "optional :port",
	                   MANIFEST_MAX_LIST, &m->network)) ||
	    (rc = get_list(&c, perm, "secrets", "permissions.secrets",
	                   valid_secret_name,
	                   "must be a name like JIRA_API_TOKEN "
	                   "([A-Z][A-Z0-9_]*, at most 64)",
	                   MANIFEST_MAX_LIST, &m->secrets)) ||
	    (rc = get_list(&c, perm, "filesystem", "permissions.filesystem",
	                   valid_fs_perm, "must be \"artifacts\" or \"inputs\"",
	                   MANIFEST_MAX_LIST, &m->filesystem)) ||
	    (rc = get_list(&c, m->json, "include", "include", valid_path_item,
	                   "must be a relative path inside the skill folder",
	                   MANIFEST_MAX_FILES, &m->include)))
		goto fail;
	{
		/* Checked here so pack and install refuse a bad provider;
		 * the broker parses it again when it logs in. */
		struct oauth_decl *od = NULL;
		rc = oauthdecl_parse(
		        m->json,
		        cJSON_GetObjectItemCaseSensitive(perm, "secrets"),
		        origin, &od, e);
		oauthdecl_free(od);
		if (rc)
			goto fail;
	}
	if (form == MANIFEST_PACKAGED) {
		if ((rc = parse_files(&c, m)))
			goto fail;
		if (!native && !has_agentskill(m)) {
			rc = sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s: a package without \"platforms\" must hold "
			        "an Agent Skill (skills/<name>/SKILL.md)",
			        origin);
			goto fail;
		}
		for (size_t i = 0; i < m->nplatforms; i++)
			if (!manifest_find_file(m, m->platforms[i].lib)) {
				rc = sh_error_set(
				        e, SH_ERR_INVALID,
				        "%s: platforms.%s names %s, which "
				        "is not in \"files\"",
				        origin, m->platforms[i].triplet,
				        m->platforms[i].lib);
				goto fail;
			}
	}
	*out = m;
	return SH_OK;
fail:
	manifest_free(m);
	return rc;
}

sh_status manifest_load(const char *path, enum manifest_form form,
                        struct manifest **out, struct sh_error *e)
{
	char *text;
	size_t len;
	sh_status rc;

	rc = fs_read_file(path, MANIFEST_MAX_BYTES, &text, &len, e);
	if (rc == SH_ERR_NOMEM)
		rc = sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s is over the manifest size limit of %zu bytes", path,
		        MANIFEST_MAX_BYTES);
	if (rc != SH_OK)
		return rc;
	rc = manifest_parse(text, len, form, path, out, e);
	free(text);
	return rc;
}

const char *manifest_platform_lib(const struct manifest *m, const char *triplet)
{
	for (size_t i = 0; i < m->nplatforms; i++)
		if (!strcmp(m->platforms[i].triplet, triplet))
			return m->platforms[i].lib;
	return NULL;
}

const struct manifest_file *manifest_find_file(const struct manifest *m,
                                               const char *path)
{
	if (!path)
		return NULL;
	for (size_t i = 0; i < m->nfiles; i++)
		if (m->files[i].path && !strcmp(m->files[i].path, path))
			return &m->files[i];
	return NULL;
}

int manifest_has_fs(const struct manifest *m, const char *perm)
{
	for (size_t i = 0; i < m->filesystem.n; i++)
		if (!strcmp(m->filesystem.items[i], perm))
			return 1;
	return 0;
}
