/*
 * Tests of the skill through its ABI: the built powerpoint.so is loaded
 * with dlopen and driven by a minimal in-test host that implements the
 * core services and skill.artifacts/1 on a temporary folder.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <skill/skill.h>

#include "opc_lint.h"
#include "test_images.h"

struct skill_call {
	const char *args;
	char *error;
	char *json;
	int links;
	int cancel_after_writes; /* 0: never */
	int writes;
};

struct skill_artifact {
	FILE *f;
	char tmp[1024];
	char final[1024];
};

struct skill_input {
	FILE *f;
};

static char out_dir[256];  /* artifacts */
static char in_dir[256];   /* the operator-allowed input folder */
static char deny_dir[256]; /* somewhere else */
static const skill_entry_t *entry;
static void *skill_data;

static skill_status a_create(skill_call_t *call, const char *filename,
                             const char *mime, skill_artifact_t **out)
{
	skill_artifact_t *a = calloc(1, sizeof *a);

	(void)call;
	assert_non_null(a);
	assert_null(strchr(filename, '/'));
	assert_true(filename[0] != '.');
	assert_string_equal(mime, "application/vnd.openxmlformats-"
	                          "officedocument.presentationml.presentation");
	snprintf(a->final, sizeof a->final, "%s/%s", out_dir, filename);
	snprintf(a->tmp, sizeof a->tmp, "%s/.%s.part", out_dir, filename);
	a->f = fopen(a->tmp, "wb");
	assert_non_null(a->f);
	*out = a;
	return SKILL_OK;
}

static skill_status a_write(skill_call_t *call, skill_artifact_t *a,
                            const void *data, size_t len)
{
	call->writes++;
	return fwrite(data, 1, len, a->f) == len ? SKILL_OK : SKILL_ERR_IO;
}

static skill_status a_commit(skill_call_t *call, skill_artifact_t *a,
                             skill_artifact_info_t *info)
{
	struct stat st;

	(void)fclose(a->f);
	assert_int_equal(rename(a->tmp, a->final), 0);
	assert_int_equal(stat(a->final, &st), 0);
	if (info) {
		snprintf(info->id, sizeof info->id, "test-1");
		snprintf(info->path, sizeof info->path, "%s", a->final);
		snprintf(info->uri, sizeof info->uri, "file://%s", a->final);
		info->size = st.st_size;
	}
	call->links++;
	free(a);
	return SKILL_OK;
}

static void a_discard(skill_call_t *call, skill_artifact_t *a)
{
	(void)call;
	(void)fclose(a->f);
	unlink(a->tmp);
	free(a);
}

static skill_status a_open(skill_call_t *call, const char *path,
                           skill_input_t **out, int64_t *size)
{
	char real[PATH_MAX], allowed[PATH_MAX];
	struct stat st;
	skill_input_t *in;

	(void)call;
	if (!realpath(path, real) || !realpath(in_dir, allowed))
		return SKILL_ERR_IO;
	if (strncmp(real, allowed, strlen(allowed)) != 0 ||
	    real[strlen(allowed)] != '/')
		return SKILL_ERR_DENIED;
	in = calloc(1, sizeof *in);
	in->f = fopen(real, "rb");
	if (!in->f || stat(real, &st) != 0) {
		free(in);
		return SKILL_ERR_IO;
	}
	if (size)
		*size = st.st_size;
	*out = in;
	return SKILL_OK;
}

static int64_t a_read(skill_call_t *call, skill_input_t *in, void *buf,
                      size_t cap)
{
	(void)call;
	return (int64_t)fread(buf, 1, cap, in->f);
}

static void a_close(skill_call_t *call, skill_input_t *in)
{
	(void)call;
	(void)fclose(in->f);
	free(in);
}

static const skill_ext_artifacts_t artifacts = {
        sizeof artifacts, a_create, a_write, a_commit,
        a_discard,        a_open,   a_read,  a_close};

static const void *h_ext(const skill_host_t *h, const char *id)
{
	(void)h;
	return strcmp(id, SKILL_EXT_ARTIFACTS) == 0 ? &artifacts : NULL;
}

static void h_log(const skill_host_t *h, skill_call_t *c, skill_log_level l,
                  const char *m)
{
	(void)h, (void)c, (void)l, (void)m;
}

static void h_progress(skill_call_t *c, double p, double t, const char *m)
{
	(void)c, (void)p, (void)t, (void)m;
}

static int h_cancelled(skill_call_t *c)
{
	return c->cancel_after_writes && c->writes >= c->cancel_after_writes;
}

static int64_t h_remaining(skill_call_t *c)
{
	(void)c;
	return SKILL_NO_DEADLINE;
}

static skill_status h_text(skill_call_t *c, const char *t, size_t n)
{
	(void)c, (void)t, (void)n;
	return SKILL_OK;
}

static skill_status h_json(skill_call_t *c, const char *j, size_t n)
{
	cJSON *root = cJSON_ParseWithLength(j, n);

	assert_true(cJSON_IsObject(root));
	cJSON_Delete(root);
	free(c->json);
	c->json = strndup(j, n);
	return SKILL_OK;
}

static skill_status h_media(skill_call_t *c, const char *m, const void *d,
                            size_t n)
{
	(void)c, (void)m, (void)d, (void)n;
	return SKILL_OK;
}

static skill_status h_resource(skill_call_t *c, const skill_resource_t *r)
{
	(void)c, (void)r;
	return SKILL_OK;
}

static skill_status h_link(skill_call_t *c, const skill_resource_link_t *l)
{
	(void)l;
	c->links++;
	return SKILL_OK;
}

static skill_status h_error(skill_call_t *c, const char *m)
{
	free(c->error);
	c->error = strdup(m);
	return SKILL_OK;
}

static const char *h_arg_string(skill_call_t *c, const char *p)
{
	(void)c, (void)p;
	return NULL;
}

static int h_arg_number(skill_call_t *c, const char *p, double *o)
{
	(void)c, (void)p, (void)o;
	return 0;
}

static int h_arg_bool(skill_call_t *c, const char *p, int *o)
{
	(void)c, (void)p, (void)o;
	return 0;
}

static int64_t h_arg_count(skill_call_t *c, const char *p)
{
	(void)c, (void)p;
	return -1;
}

static const char *h_arg_json(skill_call_t *c, const char *p)
{
	return p[0] == '\0' || strcmp(p, "/") == 0 ? c->args : NULL;
}

static const skill_host_t host = {
        sizeof host,  SKILL_ABI_CURRENT, "test-host", "0",         h_ext,
        h_log,        h_progress,        h_cancelled, h_remaining, h_text,
        h_json,       h_media,           h_resource,  h_link,      h_error,
        h_arg_string, h_arg_number,      h_arg_bool,  h_arg_count, h_arg_json};

static uint32_t tool_index(const char *name)
{
	uint32_t i;

	for (i = 0; i < entry->tool_count; i++)
		if (!strcmp(entry->tools[i]->name, name))
			return i;
	fail_msg("no tool %s", name);
	return 0;
}

static skill_status call_tool(const char *tool, const char *args,
                              struct skill_call *c)
{
	memset(c, 0, sizeof *c);
	c->args = args;
	return entry->invoke(skill_data, &host, c, tool_index(tool), args,
	                     strlen(args));
}

static void call_free(struct skill_call *c)
{
	free(c->error);
	free(c->json);
}

static size_t count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' || strstr(de->d_name, ".part"))
			n += strcmp(de->d_name, ".") &&
			     strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static char *json_field(const char *json, const char *key)
{
	cJSON *r = cJSON_Parse(json), *v;
	char *out = NULL;

	v = cJSON_GetObjectItemCaseSensitive(r, key);
	if (cJSON_IsString(v))
		out = strdup(v->valuestring);
	else if (cJSON_IsNumber(v))
		asprintf(&out, "%.0f", v->valuedouble);
	cJSON_Delete(r);
	return out;
}

static void copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	char buf[65536];
	size_t n;

	assert_non_null(a);
	assert_non_null(b);
	while ((n = fread(buf, 1, sizeof buf, a)) > 0)
		assert_int_equal(fwrite(buf, 1, n, b), n);
	(void)fclose(a);
	(void)fclose(b);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	(void)fclose(f);
	*len = (size_t)n;
	return buf;
}

static const char *deck_args =
        "{\"title\":\"Quarterly / review: Q3\",\"slides\":["
        "{\"layout\":\"title\",\"title\":\"Q3 Review\",\"subtitle\":\"Team\"},"
        "{\"layout\":\"bullets\",\"title\":\"Wins\",\"bullets\":[\"Revenue "
        "up\","
        "{\"text\":\"EMEA\",\"level\":1}],\"notes\":\"Say thanks\"},"
        "{\"layout\":\"table\",\"title\":\"Numbers\",\"table\":{\"columns\":"
        "[\"Region\",\"Sales\"],\"rows\":[[\"EMEA\",12],[\"APAC\",7]]}}]}";

static char created[PATH_MAX];

static void test_entry(void **state)
{
	uint32_t i;

	(void)state;
	assert_string_equal(entry->name, "skillhost/powerpoint");
	assert_string_equal(entry->version, "1.0.0");
	assert_int_equal(entry->tool_count, 4);
	for (i = 0; i < entry->tool_count; i++) {
		const skill_tool_t *t = entry->tools[i];
		cJSON *s = cJSON_Parse(t->input_schema);

		assert_true(cJSON_IsObject(s));
		cJSON_Delete(s);
		s = cJSON_Parse(t->output_schema);
		assert_true(cJSON_IsObject(s));
		cJSON_Delete(s);
		assert_int_equal(t->open_world, SKILL_HINT_NO);
		assert_int_equal(t->destructive, SKILL_HINT_NO);
	}
	assert_int_equal(
	        entry->tools[tool_index("read_presentation")]->read_only,
	        SKILL_HINT_YES);
	assert_int_equal(
	        entry->tools[tool_index("create_presentation")]->read_only,
	        SKILL_HINT_NO);
	assert_int_equal(
	        entry->tools[tool_index("create_presentation")]->idempotent,
	        SKILL_HINT_NO);
}

static void test_create(void **state)
{
	struct skill_call c;
	char *path, *bytes, *slides;
	unsigned char *buf;
	size_t len;
	struct stat st;

	(void)state;
	assert_int_equal(call_tool("create_presentation", deck_args, &c),
	                 SKILL_OK);
	assert_null(c.error);
	assert_non_null(c.json);
	assert_int_equal(c.links, 1);
	path = json_field(c.json, "path");
	bytes = json_field(c.json, "bytes");
	slides = json_field(c.json, "slides");
	assert_non_null(path);
	assert_non_null(strstr(path, "Quarterly-review-Q3.pptx"));
	assert_string_equal(slides, "3");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((long long)st.st_size, atoll(bytes));
	buf = slurp(path, &len);
	assert_int_equal(opc_lint(buf, len, NULL, NULL), 0);
	free(buf);
	snprintf(created, sizeof created, "%s", path);
	free(path);
	free(bytes);
	free(slides);
	call_free(&c);
}

static void test_read_path_and_data(void **state)
{
	char inpath[PATH_MAX], args[PATH_MAX + 64];
	struct skill_call c;
	unsigned char *raw;
	char *b64args;
	size_t len, i;
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
	                          "stuvwxyz0123456789+/";

	(void)state;
	snprintf(inpath, sizeof inpath, "%s/deck.pptx", in_dir);
	copy_file(created, inpath);
	snprintf(args, sizeof args, "{\"path\":\"%s\"}", inpath);
	assert_int_equal(call_tool("read_presentation", args, &c), SKILL_OK);
	assert_non_null(c.json);
	assert_non_null(strstr(c.json, "\"title\":\"Q3 Review\""));
	assert_non_null(strstr(c.json, "\"text\":\"EMEA\",\"level\":1"));
	assert_non_null(strstr(c.json, "\"notes\":\"Say thanks\""));
	assert_non_null(strstr(c.json, "[\"APAC\",\"7\"]"));
	call_free(&c);

	/* The same deck inline as base64. */
	raw = slurp(inpath, &len);
	b64args = malloc(len * 2 + 32);
	memcpy(b64args, "{\"data\":\"", sizeof "{\"data\":\"");
	{
		char *p = b64args + strlen(b64args);

		for (i = 0; i + 2 < len; i += 3) {
			uint32_t v = (uint32_t)raw[i] << 16 |
			             (uint32_t)raw[i + 1] << 8 | raw[i + 2];

			*p++ = tbl[v >> 18];
			*p++ = tbl[(v >> 12) & 63];
			*p++ = tbl[(v >> 6) & 63];
			*p++ = tbl[v & 63];
		}
		for (; i < len; i++) { /* unpadded tail, 8 bits at a time */
			uint32_t v = raw[i];

			*p++ = tbl[v >> 2];
			*p++ = tbl[(v & 3) << 4];
		}
		memcpy(p, "\"}", 3);
	}
	/* A 1- or 2-byte tail encoded byte by byte is not valid base64
	 * unless len is a multiple of 3; only then compare. */
	if (len % 3 == 0) {
		assert_int_equal(call_tool("read_presentation", b64args, &c),
		                 SKILL_OK);
		assert_non_null(strstr(c.json, "\"title\":\"Q3 Review\""));
		call_free(&c);
	}
	free(b64args);
	free(raw);
}

static void test_read_refusals(void **state)
{
	char path[PATH_MAX], args[PATH_MAX + 64];
	struct skill_call c;
	FILE *f;

	(void)state;
	/* Outside the allowed folder. */
	snprintf(path, sizeof path, "%s/secret.pptx", deny_dir);
	copy_file(created, path);
	snprintf(args, sizeof args, "{\"path\":\"%s\"}", path);
	assert_int_equal(call_tool("read_presentation", args, &c),
	                 SKILL_ERR_TOOL);
	assert_non_null(strstr(c.error, "outside the folders"));
	assert_null(c.json);
	call_free(&c);
	/* A text file is not a deck. */
	snprintf(path, sizeof path, "%s/notes.txt", in_dir);
	f = fopen(path, "w");
	fputs("hello", f);
	(void)fclose(f);
	snprintf(args, sizeof args, "{\"path\":\"%s\"}", path);
	assert_int_equal(call_tool("read_presentation", args, &c),
	                 SKILL_ERR_TOOL);
	assert_non_null(strstr(c.error, "not a .pptx"));
	call_free(&c);
	assert_int_equal(
	        call_tool("read_presentation", "{\"data\":\"@@\"}", &c),
	        SKILL_ERR_TOOL);
	assert_non_null(strstr(c.error, "base64"));
	call_free(&c);
	/* "path" and "data" together: the rule the schema no longer states
	 * (no top-level oneOf) is the skill's own. */
	snprintf(args, sizeof args, "{\"path\":\"%s\",\"data\":\"UEs=\"}",
	         created);
	assert_int_equal(call_tool("read_presentation", args, &c),
	                 SKILL_ERR_ARGS);
	assert_non_null(strstr(c.error, "not both"));
	call_free(&c);
	assert_int_equal(call_tool("read_presentation", "{}", &c),
	                 SKILL_ERR_TOOL);
	assert_non_null(strstr(c.error, "\"path\""));
	call_free(&c);
}

/* Every object schema below s is closed: additionalProperties false. */
static void assert_closed(const cJSON *s, const char *where)
{
	const cJSON *it;

	if (cJSON_IsObject(s) &&
	    cJSON_GetObjectItemCaseSensitive(s, "properties")) {
		const cJSON *ap = cJSON_GetObjectItemCaseSensitive(
		        s, "additionalProperties");

		if (!cJSON_IsFalse(ap))
			fail_msg("%s: an object schema without "
			         "additionalProperties false",
			         where);
	}
	cJSON_ArrayForEach(it, s) assert_closed(it, where);
}

static void test_schemas_portable(void **state)
{
	static const char *const banned[] = {"oneOf", "anyOf", "allOf",
	                                     "enum",  "not",   NULL};
	uint32_t i;

	(void)state;
	for (i = 0; i < entry->tool_count; i++) {
		const skill_tool_t *t = entry->tools[i];
		cJSON *s = cJSON_Parse(t->input_schema);
		const char *const *b;

		assert_non_null(s);
		/* Anthropic's API refuses these at the top level. */
		for (b = banned; *b; b++)
			if (cJSON_GetObjectItemCaseSensitive(s, *b))
				fail_msg("%s: top-level %s", t->name, *b);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(s, "type")
		                            ->valuestring,
		                    "object");
		assert_closed(s, t->name);
		cJSON_Delete(s);
	}
}

/* Keys the tool does not know are refused, not ignored (issue 19). */
static void test_unknown_keys_refused(void **state)
{
	struct skill_call c;

	(void)state;
	assert_int_equal(
	        call_tool("create_presentation",
	                  "{\"title\":\"t\",\"slides\":[{\"title\":\"a\","
	                  "\"bullets\":[{\"text\":\"x\",\"bold\":true}]}]}",
	                  &c),
	        SKILL_ERR_TOOL);
	assert_non_null(strstr(c.error, "no key \"bold\""));
	assert_int_equal(c.links, 0);
	call_free(&c);
}

static void test_add_slides(void **state)
{
	char inpath[PATH_MAX], args[PATH_MAX + 256];
	struct skill_call c;
	unsigned char *before, *after;
	size_t blen, alen;
	char *path;

	(void)state;
	snprintf(inpath, sizeof inpath, "%s/deck.pptx", in_dir);
	before = slurp(inpath, &blen);
	snprintf(args, sizeof args,
	         "{\"path\":\"%s\",\"filename\":\"more.pptx\",\"slides\":"
	         "[{\"layout\":\"section\",\"title\":\"Appendix\"}]}",
	         inpath);
	assert_int_equal(call_tool("add_slides", args, &c), SKILL_OK);
	assert_non_null(strstr(c.json, "\"slides\":4"));
	path = json_field(c.json, "path");
	assert_non_null(strstr(path, "/more.pptx"));
	after = slurp(path, &alen);
	assert_int_equal(opc_lint(after, alen, NULL, NULL), 0);
	free(after);
	free(path);
	call_free(&c);
	/* The input deck is unchanged. */
	after = slurp(inpath, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);
	free(before);
	free(after);
}

/* edit_presentation through the ABI: the edits read back from the new
 * artifact, the input stays as it was, and a bad op names itself and
 * leaves no file. */
static void test_edit(void **state)
{
	char inpath[PATH_MAX], args[PATH_MAX + 512];
	struct skill_call c;
	unsigned char *before, *after;
	size_t blen, alen, files;
	char *path;

	(void)state;
	snprintf(inpath, sizeof inpath, "%s/deck.pptx", in_dir);
	before = slurp(inpath, &blen);
	snprintf(args, sizeof args,
	         "{\"path\":\"%s\",\"filename\":\"edited.pptx\",\"ops\":["
	         "{\"op\":\"set_text\",\"slide\":1,\"placeholder\":"
	         "\"title\",\"text\":\"Q4 Review\"},"
	         "{\"op\":\"set_cell\",\"slide\":3,\"table\":0,\"row\":2,"
	         "\"col\":1,\"text\":\"9\"},"
	         "{\"op\":\"replace_text\",\"slide\":2,\"find\":\"up\","
	         "\"replace\":\"down\"},"
	         "{\"op\":\"duplicate_slide\",\"slide\":2},"
	         "{\"op\":\"move_slide\",\"slide\":4,\"to\":1},"
	         "{\"op\":\"delete_slide\",\"slide\":4},"
	         "{\"op\":\"set_notes\",\"slide\":1,\"text\":\"Cells\"}]}",
	         inpath);
	assert_int_equal(call_tool("edit_presentation", args, &c), SKILL_OK);
	assert_non_null(strstr(c.json, "\"slides\":3"));
	path = json_field(c.json, "path");
	assert_non_null(strstr(path, "/edited.pptx"));
	after = slurp(path, &alen);
	assert_int_equal(opc_lint(after, alen, NULL, NULL), 0);
	free(path);
	call_free(&c);
	/* Read it back from the allowed input folder. */
	{
		char copy[PATH_MAX];
		FILE *f;

		snprintf(copy, sizeof copy, "%s/edited.pptx", in_dir);
		f = fopen(copy, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(after, 1, alen, f), alen);
		assert_int_equal(fclose(f), 0);
		snprintf(args, sizeof args, "{\"path\":\"%s\"}", copy);
	}
	free(after);
	assert_int_equal(call_tool("read_presentation", args, &c), SKILL_OK);
	assert_non_null(strstr(c.json, "[\"APAC\",\"9\"]"));
	assert_non_null(strstr(c.json, "\"notes\":\"Cells\""));
	assert_non_null(strstr(c.json, "\"Q4 Review\""));
	/* Numbers moved first; the copy of Wins deleted, the original kept. */
	assert_non_null(strstr(c.json, "{\"index\":1,\"layout\":\"table\""));
	assert_non_null(strstr(c.json, "Revenue down"));
	assert_null(strstr(strstr(c.json, "Revenue down") + 1, "Revenue"));
	call_free(&c);
	after = slurp(inpath, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);
	free(before);
	free(after);

	files = count_files(out_dir);
	snprintf(args, sizeof args,
	         "{\"path\":\"%s\",\"ops\":[{\"op\":\"delete_slide\","
	         "\"slide\":1},{\"op\":\"set_cell\",\"slide\":2,\"table\":"
	         "0,\"row\":9,\"col\":0,\"text\":\"x\"}]}",
	         inpath);
	assert_int_equal(call_tool("edit_presentation", args, &c),
	                 SKILL_ERR_TOOL);
	assert_non_null(strstr(c.error, "ops[1] (set_cell)"));
	assert_non_null(strstr(c.error, "no row 9"));
	assert_int_equal(count_files(out_dir), files);
	call_free(&c);
}

static void test_failures_leave_no_file(void **state)
{
	size_t files = count_files(out_dir);
	struct skill_call c;

	(void)state;
	assert_int_equal(
	        call_tool("create_presentation",
	                  "{\"title\":\"x\",\"slides\":[{\"layout\":"
	                  "\"image\",\"title\":\"x\",\"image\":{\"data\":"
	                  "\"iVBORw0KGgo=\",\"mime\":\"image/png\"}}]}",
	                  &c),
	        SKILL_ERR_TOOL);
	assert_non_null(strstr(c.error, "unusable image"));
	call_free(&c);
	assert_int_equal(count_files(out_dir), files);
	/* Cancelled half-way through writing: discarded. */
	memset(&c, 0, sizeof c);
	c.args = deck_args;
	c.cancel_after_writes = 2;
	assert_int_equal(entry->invoke(skill_data, &host, &c,
	                               tool_index("create_presentation"),
	                               deck_args, strlen(deck_args)),
	                 SKILL_ERR_CANCELLED);
	assert_int_equal(c.links, 0);
	call_free(&c);
	assert_int_equal(count_files(out_dir), files);
}

static int setup(void **state)
{
	char base[] = "/tmp/pptx-skill-XXXXXX";
	void *so;
	skill_entry_fn fn;

	(void)state;
	if (!mkdtemp(base))
		return -1;
	snprintf(out_dir, sizeof out_dir, "%s/out", base);
	snprintf(in_dir, sizeof in_dir, "%s/in", base);
	snprintf(deny_dir, sizeof deny_dir, "%s/other", base);
	if (mkdir(out_dir, 0700) || mkdir(in_dir, 0700) ||
	    mkdir(deny_dir, 0700))
		return -1;
	so = dlopen(PPTX_SKILL_SO, RTLD_NOW | RTLD_LOCAL);
	if (!so) {
		fprintf(stderr, "dlopen %s: %s\n", PPTX_SKILL_SO, dlerror());
		return -1;
	}
	fn = (skill_entry_fn)dlsym(so, SKILL_ENTRY_SYMBOL);
	if (!fn)
		return -1;
	entry = fn();
	if (entry->init && entry->init(&host, base, &skill_data) != SKILL_OK)
		return -1;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_entry),
	        cmocka_unit_test(test_create),
	        cmocka_unit_test(test_read_path_and_data),
	        cmocka_unit_test(test_read_refusals),
	        cmocka_unit_test(test_schemas_portable),
	        cmocka_unit_test(test_unknown_keys_refused),
	        cmocka_unit_test(test_add_slides),
	        cmocka_unit_test(test_edit),
	        cmocka_unit_test(test_failures_leave_no_file),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
