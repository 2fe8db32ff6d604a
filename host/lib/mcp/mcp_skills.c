/*
 * mcp_skills.c - Agent Skills over MCP (SEP-2640). See mcp_skills.h.
 */
#include "mcp_skills.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "jsonrpc.h"
#include "profile.h"
#include "skillset.h"
#include "status.h"
#include "store.h"
#include "utf8.h"

#define URI_MAX    (PATH_MAX + 16)
#define CURSOR_MAX (((PATH_MAX + 2) / 3) * 4 + 4)

struct mcp_skills {
	pthread_mutex_t lock;
	char *home;
	size_t page_size;
	struct skillset *set; /* NULL until first loaded */
	struct stat seen;     /* of the store index the set was read from */
	int have_seen;
};

struct mcp_skills *mcp_skills_new(const char *home, size_t page_size)
{
	struct mcp_skills *k = calloc(1, sizeof *k);

	if (!k || !(k->home = strdup(home))) {
		free(k);
		return NULL;
	}
	k->page_size = page_size ? page_size : 100;
	pthread_mutex_init(&k->lock, NULL);
	return k;
}

void mcp_skills_free(struct mcp_skills *k)
{
	if (!k)
		return;
	skillset_free(k->set);
	pthread_mutex_destroy(&k->lock);
	free(k->home);
	free(k);
}

/* The current set, reloaded when the store index changed. Under k->lock.
 * NULL with msg set when the index cannot be read. */
static const struct skillset *current(struct mcp_skills *k, char *msg,
                                      size_t cap)
{
	char path[PATH_MAX];
	struct stat st;
	struct skillset *next;
	struct sh_error e;
	int have;

	snprintf(path, sizeof path, "%s/%s", k->home, STORE_INDEX);
	have = stat(path, &st) == 0;
	if (k->set && have == k->have_seen &&
	    (!have ||
	     (st.st_ino == k->seen.st_ino && st.st_size == k->seen.st_size &&
	      st.st_mtim.tv_sec == k->seen.st_mtim.tv_sec &&
	      st.st_mtim.tv_nsec == k->seen.st_mtim.tv_nsec)))
		return k->set;
	if (skillset_load(k->home, k->set, 0, &next, &e) != SH_OK) {
		snprintf(msg, cap, "%s", e.msg);
		return k->set; /* the last good set, if any */
	}
	skillset_free(k->set);
	k->set = next;
	k->seen = st;
	k->have_seen = have;
	return k->set;
}

int mcp_skills_capabilities(struct mcp_skills *k, cJSON *caps)
{
	const struct skillset *set;
	cJSON *ext;
	char msg[256];
	int rc = 0;

	pthread_mutex_lock(&k->lock);
	set = current(k, msg, sizeof msg);
	if (set && set->n) {
		ext = cJSON_GetObjectItemCaseSensitive(caps, "extensions");
		if (!ext)
			ext = cJSON_AddObjectToObject(caps, "extensions");
		if (!ext ||
		    !(ext = cJSON_AddObjectToObject(ext,
		                                    MCP_SKILLS_EXTENSION)) ||
		    !cJSON_AddTrueToObject(ext, "directoryRead"))
			rc = -1;
		if (!cJSON_GetObjectItemCaseSensitive(caps, "resources") &&
		    !cJSON_AddObjectToObject(caps, "resources"))
			rc = -1;
		if (!cJSON_GetObjectItemCaseSensitive(caps, "prompts") &&
		    !cJSON_AddObjectToObject(caps, "prompts"))
			rc = -1;
	}
	pthread_mutex_unlock(&k->lock);
	return rc;
}

/* ---- entries ---- */

static const char *mime_of(const char *rel)
{
	static const struct {
		const char *ext, *mime;
	} t[] = {
	        {".md", "text/markdown"},      {".txt", "text/plain"},
	        {".py", "text/x-python"},      {".sh", "text/x-shellscript"},
	        {".js", "text/javascript"},    {".ts", "text/x-typescript"},
	        {".json", "application/json"}, {".yaml", "application/yaml"},
	        {".yml", "application/yaml"},  {".html", "text/html"},
	        {".css", "text/css"},          {".csv", "text/csv"},
	        {".xml", "application/xml"},   {".png", "image/png"},
	        {".jpg", "image/jpeg"},        {".jpeg", "image/jpeg"},
	        {".gif", "image/gif"},         {".svg", "image/svg+xml"},
	        {".pdf", "application/pdf"},
	};
	const char *dot = strrchr(rel, '.');

	for (size_t i = 0; dot && i < sizeof t / sizeof *t; i++)
		if (!strcasecmp(dot, t[i].ext))
			return t[i].mime;
	return "application/octet-stream";
}

static void uri_of(const struct skillset_skill *s, const char *rel, char *out)
{
	snprintf(out, URI_MAX, "%s%s%s%s", SKILLSET_URI_SCHEME, s->uri_path,
	         rel ? "/" : "", rel ? rel : "");
}

static cJSON *entry(const struct skillset_skill *s)
{
	cJSON *o = cJSON_CreateObject(), *res;
	char uri[URI_MAX];

	uri_of(s, "SKILL.md", uri);
	if (!o || !cJSON_AddStringToObject(o, "uri", uri) ||
	    !cJSON_AddItemToObject(o, "frontmatter",
	                           cJSON_Duplicate(s->frontmatter, 1)) ||
	    !(res = cJSON_AddArrayToObject(o, "resources")))
		goto nomem;
	for (size_t i = 0; i < s->nfiles; i++) {
		const struct skillset_file *f = &s->files[i];
		char d[SKILLSET_DIGEST_MAX];
		cJSON *r = cJSON_CreateObject();

		skillset_digest(f, d);
		uri_of(s, f->rel, uri);
		if (!r || !cJSON_AddItemToArray(res, r) ||
		    !cJSON_AddStringToObject(r, "uri", uri) ||
		    !cJSON_AddStringToObject(r, "digest", d) ||
		    !cJSON_AddNumberToObject(r, "size", (double)f->size) ||
		    !cJSON_AddStringToObject(r, "mimeType", mime_of(f->rel)))
			goto nomem;
	}
	return o;
nomem:
	cJSON_Delete(o);
	return NULL;
}

/* 1 when skill s is visible under profile p (NULL: all), named as a tool
 * of its package would be: "<package>.<name>". */
static int visible(const struct skillset_skill *s, const struct profile *p)
{
	char id[PROFILE_PATTERN_MAX * 2];

	if (!p)
		return 1;
	if (snprintf(id, sizeof id, "%s.%s", s->package, s->name) >=
	    (int)sizeof id)
		return 0;
	return profile_allows(p, id);
}

/* ---- paging: a cursor is base64url of the last uri_path sent ---- */

static int page_start(const struct skillset *set, const cJSON *params,
                      size_t *start)
{
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(params, "cursor");
	unsigned char path[PATH_MAX];
	size_t n = 0, lo = 0, hi = set->n;

	*start = 0;
	if (!cur || cJSON_IsNull(cur))
		return 0;
	if (!cJSON_IsString(cur) || strlen(cur->valuestring) > CURSOR_MAX ||
	    sodium_base642bin(path, sizeof path - 1, cur->valuestring,
	                      strlen(cur->valuestring), NULL, &n, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n == 0 || memchr(path, '\0', n))
		return -1;
	path[n] = '\0';
	/* By name: an install between pages neither repeats nor skips. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(set->skills[mid]->uri_path, (const char *)path) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*start = lo;
	return 0;
}

static int add_cursor(cJSON *res, const struct skillset *set, size_t i,
                      size_t start)
{
	const char *last;
	char next[CURSOR_MAX + 1];

	if (i >= set->n || i == start)
		return 0;
	last = set->skills[i - 1]->uri_path;
	sodium_bin2base64(next, sizeof next, (const unsigned char *)last,
	                  strlen(last),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return cJSON_AddStringToObject(res, "nextCursor", next) ? 0 : -1;
}

/* ---- methods ---- */

#define FAIL(c, ...)                                                           \
	do {                                                                   \
		*code = (c);                                                   \
		snprintf(msg, cap, __VA_ARGS__);                               \
		rc = MCP_SKILLS_ERROR;                                         \
		goto out;                                                      \
	} while (0)

static enum mcp_skills_rc list_page(const struct skillset *set,
                                    const struct profile *prof,
                                    const cJSON *params, const char *method,
                                    size_t page, cJSON **result, int *code,
                                    char *msg, size_t cap)
{
	enum mcp_skills_rc rc = MCP_SKILLS_RESULT;
	int skills = !strcmp(method, "skills/list");
	int prompts = !strcmp(method, "prompts/list");
	cJSON *res = cJSON_CreateObject(), *arr;
	size_t start, i, n = 0;

	if (page_start(set, params, &start) != 0)
		FAIL(JSONRPC_INVALID_PARAMS,
		     "Invalid params: unknown cursor; start again from a %s "
		     "without one",
		     method);
	arr = cJSON_AddArrayToObject(res, skills    ? "skills"
	                                  : prompts ? "prompts"
	                                            : "resources");
	if (!arr)
		goto nomem;
	for (i = start; i < set->n && n < page; i++) {
		const struct skillset_skill *s = set->skills[i];
		cJSON *o;
		char uri[URI_MAX];

		if (!visible(s, prof))
			continue;
		n++;
		if (skills) {
			o = entry(s);
		} else {
			o = cJSON_CreateObject();
			uri_of(s, "SKILL.md", uri);
			if (o && (!cJSON_AddStringToObject(o, "name",
			                                   prompts ? s->uri_path
			                                           : s->name) ||
			          !cJSON_AddStringToObject(o, "description",
			                                   s->description) ||
			          (!prompts &&
			           (!cJSON_AddStringToObject(o, "uri", uri) ||
			            !cJSON_AddStringToObject(
			                    o, "mimeType", "text/markdown")))))
				o = (cJSON_Delete(o), NULL);
		}
		if (!o || !cJSON_AddItemToArray(arr, o))
			goto nomem;
	}
	/* No next page when only hidden skills remain. */
	while (i < set->n && !visible(set->skills[i], prof))
		i++;
	if (add_cursor(res, set, i, start) != 0)
		goto nomem;
	*result = res;
	return MCP_SKILLS_RESULT;
nomem:
	*code = JSONRPC_INTERNAL_ERROR;
	snprintf(msg, cap, "Internal error: out of memory");
	rc = MCP_SKILLS_ERROR;
out:
	cJSON_Delete(res);
	return rc;
}

static enum mcp_skills_rc get_skill(const struct skillset *set,
                                    const struct profile *prof,
                                    const cJSON *params, cJSON **result,
                                    int *code, char *msg, size_t cap)
{
	const cJSON *uri = cJSON_GetObjectItemCaseSensitive(params, "uri");
	const struct skillset_skill *s = NULL;
	const struct skillset_file *f = NULL;
	enum mcp_skills_rc rc = MCP_SKILLS_RESULT;
	cJSON *res = NULL, *o;

	if (!cJSON_IsString(uri))
		FAIL(JSONRPC_INVALID_PARAMS,
		     "Invalid params: skills/get needs \"uri\", a skill's "
		     "skill://.../SKILL.md from skills/list");
	s = skillset_find_uri(set, uri->valuestring, &f);
	if (!s || (f && strcmp(f->rel, "SKILL.md")) || !visible(s, prof))
		FAIL(JSONRPC_INVALID_PARAMS,
		     "Invalid params: no skill at %s; skills/list gives the "
		     "URIs this server serves",
		     uri->valuestring);
	res = cJSON_CreateObject();
	o = entry(s);
	if (!res || !o || !cJSON_AddItemToObject(res, "skill", o)) {
		cJSON_Delete(o);
		FAIL(JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
	}
	/* skills/get answers for one skill; its own uri is what was asked
	 * for when that was the SKILL.md. */
	if (f)
		cJSON_ReplaceItemInObjectCaseSensitive(
		        o, "uri", cJSON_CreateString(uri->valuestring));
	*result = res;
	return MCP_SKILLS_RESULT;
out:
	cJSON_Delete(res);
	return rc;
}

static enum mcp_skills_rc read_file(const struct skillset *set,
                                    const struct profile *prof,
                                    const cJSON *params, cJSON **result,
                                    int *code, char *msg, size_t cap)
{
	const cJSON *uri = cJSON_GetObjectItemCaseSensitive(params, "uri");
	const struct skillset_file *f = NULL;
	const struct skillset_skill *s;
	enum mcp_skills_rc rc = MCP_SKILLS_RESULT;
	cJSON *res = NULL, *arr, *c;
	struct sh_error e;
	char *data = NULL;
	size_t len;

	if (!cJSON_IsString(uri) ||
	    strncmp(uri->valuestring, SKILLSET_URI_SCHEME,
	            sizeof SKILLSET_URI_SCHEME - 1))
		return MCP_SKILLS_NOT_MINE;
	s = skillset_find_uri(set, uri->valuestring, &f);
	if (!s || !f || !visible(s, prof))
		FAIL(-32002,
		     "Resource not found: %s is not a file of an installed "
		     "Agent Skill",
		     uri->valuestring);
	if (skillset_read(s, f, &data, &len, &e) != SH_OK)
		FAIL(JSONRPC_SERVER_ERROR, "%s", e.msg);
	res = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(res, "contents");
	c = cJSON_CreateObject();
	if (!res || !arr || !c || !cJSON_AddItemToArray(arr, c) ||
	    !cJSON_AddStringToObject(c, "uri", uri->valuestring) ||
	    !cJSON_AddStringToObject(c, "mimeType", mime_of(f->rel)))
		FAIL(JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
	if (sh_utf8_valid(data, len) && !memchr(data, '\0', len)) {
		if (!cJSON_AddStringToObject(c, "text", data))
			FAIL(JSONRPC_INTERNAL_ERROR,
			     "Internal error: out of memory");
	} else {
		size_t n = sodium_base64_ENCODED_LEN(
		        len, sodium_base64_VARIANT_ORIGINAL);
		char *b = malloc(n);
		if (!b)
			FAIL(JSONRPC_INTERNAL_ERROR,
			     "Internal error: out of memory");
		sodium_bin2base64(b, n, (const unsigned char *)data, len,
		                  sodium_base64_VARIANT_ORIGINAL);
		c = cJSON_AddStringToObject(c, "blob", b) ? c : NULL;
		free(b);
		if (!c)
			FAIL(JSONRPC_INTERNAL_ERROR,
			     "Internal error: out of memory");
	}
	free(data);
	*result = res;
	return MCP_SKILLS_RESULT;
out:
	free(data);
	cJSON_Delete(res);
	return rc;
}

/* resources/directory/read: the direct children of a skill's folder or of
 * a folder inside it; subfolders have mimeType inode/directory. */
static enum mcp_skills_rc read_dir(const struct skillset *set,
                                   const struct profile *prof,
                                   const cJSON *params, cJSON **result,
                                   int *code, char *msg, size_t cap)
{
	const cJSON *uri = cJSON_GetObjectItemCaseSensitive(params, "uri");
	const size_t sl = sizeof SKILLSET_URI_SCHEME - 1;
	const struct skillset_skill *sk = NULL;
	enum mcp_skills_rc rc = MCP_SKILLS_RESULT;
	char path[PATH_MAX], rel[PATH_MAX] = "", last[PATH_MAX] = "";
	cJSON *res = NULL, *arr;
	size_t n, rl;

	if (!cJSON_IsString(uri) ||
	    strncmp(uri->valuestring, SKILLSET_URI_SCHEME, sl))
		return MCP_SKILLS_NOT_MINE;
	if ((n = strlen(uri->valuestring + sl)) >= sizeof path)
		FAIL(JSONRPC_INVALID_PARAMS, "Invalid params: URI too long");
	memcpy(path, uri->valuestring + sl, n + 1);
	while (n > 0 && path[n - 1] == '/')
		path[--n] = '\0';
	/* The skill is the longest prefix that names one; the rest is the
	 * folder inside it. */
	for (char *cut = path + n;;) {
		char *slash;
		if ((sk = skillset_find(set, path))) {
			snprintf(rel, sizeof rel, "%s",
			         uri->valuestring + sl + (cut - path) +
			                 (cut < path + n ? 1 : 0));
			break;
		}
		if (!(slash = strrchr(path, '/')))
			break;
		*slash = '\0';
		cut = slash;
	}
	rl = strlen(rel);
	while (rl > 0 && rel[rl - 1] == '/')
		rel[--rl] = '\0';
	if (sk && !visible(sk, prof))
		sk = NULL;
	if (sk && rl) {
		/* A folder only if some file is below it. */
		int dir = 0;
		for (size_t i = 0; i < sk->nfiles && !dir; i++)
			dir = !strncmp(sk->files[i].rel, rel, rl) &&
			      sk->files[i].rel[rl] == '/';
		if (!dir)
			sk = NULL;
	}
	if (!sk)
		FAIL(JSONRPC_INVALID_PARAMS,
		     "Invalid params: %s is not a folder of an installed "
		     "Agent Skill",
		     uri->valuestring);
	res = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(res, "resources");
	if (!arr)
		FAIL(JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
	for (size_t i = 0; i < sk->nfiles; i++) {
		const char *f = sk->files[i].rel, *rest, *slash;
		char child[PATH_MAX], u[URI_MAX];
		cJSON *o;

		if (rl && (strncmp(f, rel, rl) || f[rl] != '/'))
			continue;
		rest = rl ? f + rl + 1 : f;
		slash = strchr(rest, '/');
		if (snprintf(child, sizeof child, "%s%s%.*s", rel,
		             rl ? "/" : "",
		             slash ? (int)(slash - rest) : (int)strlen(rest),
		             rest) >= (int)sizeof child)
			continue; /* cannot be: rel is a prefix of f */
		/* Files are sorted: a folder's files are together. */
		if (slash && !strcmp(child, last))
			continue;
		memcpy(last, child, strlen(child) + 1); /* same size */
		uri_of(sk, child, u);
		o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o) ||
		    !cJSON_AddStringToObject(o, "uri", u) ||
		    !cJSON_AddStringToObject(o, "name",
		                             strrchr(child, '/')
		                                     ? strrchr(child, '/') + 1
		                                     : child) ||
		    !cJSON_AddStringToObject(o, "mimeType",
		                             slash ? "inode/directory"
		                                   : mime_of(f)) ||
		    (!slash && !cJSON_AddNumberToObject(
		                       o, "size", (double)sk->files[i].size)))
			FAIL(JSONRPC_INTERNAL_ERROR,
			     "Internal error: out of memory");
	}
	*result = res;
	return MCP_SKILLS_RESULT;
out:
	cJSON_Delete(res);
	return rc;
}

static enum mcp_skills_rc get_prompt(const struct skillset *set,
                                     const struct profile *prof,
                                     const cJSON *params, cJSON **result,
                                     int *code, char *msg, size_t cap)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(params, "name");
	const struct skillset_skill *s;
	const struct skillset_file *md;
	enum mcp_skills_rc rc = MCP_SKILLS_RESULT;
	cJSON *res = NULL, *msgs, *m, *content;
	struct sh_error e;
	char *data = NULL, *text = NULL;
	size_t len, tl;
	FILE *f;

	if (!cJSON_IsString(name) ||
	    !(s = skillset_find(set, name->valuestring)) || !visible(s, prof))
		return MCP_SKILLS_NOT_MINE;
	md = skillset_file(s, "SKILL.md");
	if (!md || skillset_read(s, md, &data, &len, &e) != SH_OK)
		FAIL(JSONRPC_SERVER_ERROR, "%s",
		     md ? e.msg : "the skill has no SKILL.md");
	/* The instructions, and where the rest of the skill is: a client
	 * without the extension reads those with resources/read. */
	f = open_memstream(&text, &tl);
	if (!f)
		FAIL(JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
	fprintf(f,
	        "Use the Agent Skill \"%s\" (%s %s). Its SKILL.md follows; "
	        "the files it mentions are resources:\n",
	        s->name, s->package, s->version);
	for (size_t i = 0; i < s->nfiles; i++) {
		char uri[URI_MAX];
		uri_of(s, s->files[i].rel, uri);
		fprintf(f, "- %s\n", uri);
	}
	fprintf(f, "\n%s", data);
	if (fclose(f) != 0 || !text)
		FAIL(JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
	res = cJSON_CreateObject();
	msgs = cJSON_AddArrayToObject(res, "messages");
	m = cJSON_CreateObject();
	if (!res || !msgs || !m || !cJSON_AddItemToArray(msgs, m) ||
	    !cJSON_AddStringToObject(res, "description", s->description) ||
	    !cJSON_AddStringToObject(m, "role", "user") ||
	    !(content = cJSON_AddObjectToObject(m, "content")) ||
	    !cJSON_AddStringToObject(content, "type", "text") ||
	    !cJSON_AddStringToObject(content, "text", text))
		FAIL(JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
	free(text);
	free(data);
	*result = res;
	return MCP_SKILLS_RESULT;
out:
	free(text);
	free(data);
	cJSON_Delete(res);
	return rc;
}

enum mcp_skills_rc mcp_skills_handle(struct mcp_skills *k,
                                     const struct profile *prof,
                                     const char *method, const cJSON *params,
                                     cJSON **result, int *code, char *msg,
                                     size_t cap)
{
	static const char *const mine[] = {"skills/list",
	                                   "skills/get",
	                                   "resources/read",
	                                   "resources/list",
	                                   "prompts/list",
	                                   "prompts/get",
	                                   "resources/directory/read",
	                                   NULL};
	const struct skillset *set;
	enum mcp_skills_rc rc = MCP_SKILLS_NOT_MINE;
	size_t i;

	*result = NULL;
	for (i = 0; mine[i] && strcmp(mine[i], method); i++)
		;
	if (!mine[i] || !k)
		return MCP_SKILLS_NOT_MINE;
	pthread_mutex_lock(&k->lock);
	msg[0] = '\0';
	set = current(k, msg, cap);
	if (!set) {
		char why[512];
		snprintf(why, sizeof why, "%s", msg);
		if (!strncmp(method, "skills/", 7))
			FAIL(JSONRPC_SERVER_ERROR,
			     "the installed skills cannot be read: %s", why);
		goto out; /* nothing installed: not ours */
	}
	/* skills/list always; resources/list and prompts/list only when
	 * there are skills (with none, they are not ours). */
	if (!strcmp(method, "skills/list") ||
	    (set->n && (!strcmp(method, "resources/list") ||
	                !strcmp(method, "prompts/list"))))
		rc = list_page(set, prof, params, method, k->page_size, result,
		               code, msg, cap);
	else if (!strcmp(method, "skills/get"))
		rc = get_skill(set, prof, params, result, code, msg, cap);
	else if (!strcmp(method, "resources/read"))
		rc = read_file(set, prof, params, result, code, msg, cap);
	else if (!strcmp(method, "resources/directory/read"))
		rc = read_dir(set, prof, params, result, code, msg, cap);
	else if (!strcmp(method, "prompts/get"))
		rc = get_prompt(set, prof, params, result, code, msg, cap);
out:
	pthread_mutex_unlock(&k->lock);
	return rc;
}
