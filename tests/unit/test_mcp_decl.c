/*
 * test_mcp_decl.c - the pure parts behind MCP resources, prompts and
 * completion (mcp_decl.h), and how a tool result is rewritten for a
 * client (mcp_artifacts_adopt): "{{var}}" substitution, level-1 URI
 * templates, opaque cursors, completion values and their cap, text MIME
 * types; artifact links turned into skillhost://artifacts/ URIs that the
 * session (and only it) knows, with every copy of the local path, file
 * URI and HTTP URL replaced (and any other path in the artifacts folder),
 * however many links, and links that are not artifacts left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "call.h"
#include "dynbuf.h"
#include "hostapi.h"
#include "mcp_decl.h"
#include "mcp_resources.h"
#include "temphome.h"

static void test_subst(void **state)
{
	cJSON *vars = cJSON_Parse("{\"a\":\"1\",\"b\":\"two\",\"n\":3}");
	char *s;

	(void)state;
	s = mcp_decl_subst("x={{a}}, y={{b}}, z={{c}}, n={{n}}", vars);
	assert_string_equal(s, "x=1, y=two, z=, n=");
	free(s);
	/* Unclosed, empty and single braces stay as they are. */
	s = mcp_decl_subst("{{a} {{}} {a} {{a", vars);
	assert_string_equal(s, "{{a} {{}} {a} {{a");
	free(s);
	s = mcp_decl_subst("", NULL);
	assert_string_equal(s, "");
	free(s);
	cJSON_Delete(vars);
}

static void test_template(void **state)
{
	cJSON *v = NULL;

	(void)state;
	assert_int_equal(mcp_template_match("test://template/{id}/data",
	                                    "test://template/123/data", &v),
	                 1);
	assert_string_equal(cJSON_GetObjectItem(v, "id")->valuestring, "123");
	cJSON_Delete(v);
	assert_int_equal(
	        mcp_template_match("a://{x}-{y}", "a://left-right", &v), 1);
	assert_string_equal(cJSON_GetObjectItem(v, "x")->valuestring, "left");
	assert_string_equal(cJSON_GetObjectItem(v, "y")->valuestring, "right");
	cJSON_Delete(v);
	/* A variable is one segment: never empty, never a '/'. */
	assert_int_equal(mcp_template_match("t://{id}/data", "t:///data", &v),
	                 0);
	assert_int_equal(
	        mcp_template_match("t://{id}/data", "t://a/b/data", &v), 0);
	assert_int_equal(mcp_template_match("t://{id}", "t://a/", &v), 0);
	assert_int_equal(mcp_template_match("t://{id}", "u://a", &v), 0);
	assert_null(v);
	assert_int_equal(mcp_template_match("t://{id", "t://a", &v), -1);
	assert_true(mcp_template_has_var("t://{a}/{bc}", "bc"));
	assert_false(mcp_template_has_var("t://{a}/{bc}", "b"));
}

static void test_cursor(void **state)
{
	char c[64];
	cJSON *j;

	(void)state;
	mcp_cursor_make(1234, c, sizeof c);
	j = cJSON_CreateString(c);
	assert_int_equal(mcp_cursor_parse(j), 1234);
	cJSON_Delete(j);
	assert_int_equal(mcp_cursor_parse(NULL), 0);
	j = cJSON_CreateString("not-a-cursor");
	assert_int_equal(mcp_cursor_parse(j), (size_t)-1);
	cJSON_Delete(j);
	j = cJSON_CreateNumber(3);
	assert_int_equal(mcp_cursor_parse(j), (size_t)-1);
	cJSON_Delete(j);
}

static void test_complete(void **state)
{
	cJSON *arr = cJSON_CreateArray(), *r, *comp;

	(void)state;
	for (int i = 0; i < 150; i++) {
		char v[16];
		snprintf(v, sizeof v, "v%03d", i);
		cJSON_AddItemToArray(arr, cJSON_CreateString(v));
	}
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(1)); /* ignored */
	r = mcp_complete_from(arr, "v");
	comp = cJSON_GetObjectItem(r, "completion");
	assert_int_equal(
	        cJSON_GetArraySize(cJSON_GetObjectItem(comp, "values")),
	        MCP_COMPLETE_MAX);
	assert_int_equal(cJSON_GetObjectItem(comp, "total")->valueint, 150);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(comp, "hasMore")));
	cJSON_Delete(r);
	r = mcp_complete_from(arr, "v14");
	comp = cJSON_GetObjectItem(r, "completion");
	assert_int_equal(cJSON_GetObjectItem(comp, "total")->valueint, 10);
	assert_string_equal(
	        cJSON_GetArrayItem(cJSON_GetObjectItem(comp, "values"), 0)
	                ->valuestring,
	        "v140");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(comp, "hasMore")));
	cJSON_Delete(r);
	r = mcp_complete_from(NULL, "");
	assert_int_equal(
	        cJSON_GetArraySize(cJSON_GetObjectItem(
	                cJSON_GetObjectItem(r, "completion"), "values")),
	        0);
	cJSON_Delete(r);
	cJSON_Delete(arr);
}

static void test_mime(void **state)
{
	(void)state;
	assert_true(mcp_mime_is_text("text/plain"));
	assert_true(mcp_mime_is_text("application/json; charset=utf-8"));
	assert_true(mcp_mime_is_text("application/vnd.api+json"));
	assert_false(mcp_mime_is_text("application/jsonx"));
	assert_false(mcp_mime_is_text("image/png"));
	assert_false(mcp_mime_is_text(NULL));
}

static int setup(void **state)
{
	(void)state;
	return temphome_make("mcpdecl");
}

static void test_adopt(void **state)
{
	char dir[256], uri[600], path[512], url[300], json[2048];
	struct host_services svc = {0};
	struct mcp_artifacts *a = mcp_artifacts_new();
	struct call_result res = {0};
	cJSON *blk;
	char *out;

	(void)state;
	snprintf(dir, sizeof dir, "%s/artifacts", tmp);
	svc.artifacts_dir = dir;
	svc.artifact_url_base = "http://127.0.0.1:9/artifacts/";
	snprintf(path, sizeof path, "%s/00ff00ff00ff00ff-r.txt", dir);
	snprintf(uri, sizeof uri, "file://%s", path);
	snprintf(url, sizeof url, "%s0000aaaa0000aaaa-d.bin",
	         svc.artifact_url_base);
	snprintf(json, sizeof json,
	         "[{\"type\":\"resource_link\",\"uri\":\"%s\",\"name\":"
	         "\"r.txt\",\"mimeType\":\"text/plain\",\"size\":3},"
	         "{\"type\":\"resource_link\",\"uri\":\"%s\",\"name\":\"d."
	         "bin\"},"
	         "{\"type\":\"resource_link\",\"uri\":\"file:///etc/passwd\","
	         "\"name\":\"x\"},"
	         "{\"type\":\"text\",\"text\":\"saved to %s and %s\"}]",
	         uri, url, path, url);
	res.content = cJSON_Parse(json);
	snprintf(json, sizeof json,
	         "{\"path\":\"%s\",\"nested\":[{\"u\":\"%s\"}],\"n\":1}", path,
	         uri);
	res.structured = cJSON_Parse(json);
	assert_non_null(res.content);
	assert_non_null(res.structured);

	assert_int_equal(mcp_artifacts_adopt(a, &svc, &res), 2);
	assert_true(mcp_artifacts_has(a, "00ff00ff00ff00ff-r.txt"));
	assert_true(mcp_artifacts_has(a, "0000aaaa0000aaaa-d.bin"));
	assert_false(mcp_artifacts_has(a, "passwd"));
	blk = cJSON_GetArrayItem(res.content, 0);
	assert_string_equal(cJSON_GetObjectItem(blk, "uri")->valuestring,
	                    "skillhost://artifacts/00ff00ff00ff00ff-r.txt");
	/* Not an artifact: left as the skill wrote it. */
	blk = cJSON_GetArrayItem(res.content, 2);
	assert_string_equal(cJSON_GetObjectItem(blk, "uri")->valuestring,
	                    "file:///etc/passwd");
	blk = cJSON_GetArrayItem(res.content, 3);
	assert_string_equal(
	        cJSON_GetObjectItem(blk, "text")->valuestring,
	        "saved to skillhost://artifacts/00ff00ff00ff00ff-r.txt and "
	        "skillhost://artifacts/0000aaaa0000aaaa-d.bin");
	out = cJSON_PrintUnformatted(res.structured);
	assert_null(strstr(out, tmp));
	assert_string_equal(
	        out, "{\"path\":\"skillhost://artifacts/00ff00ff00ff00ff-r."
	             "txt\",\"nested\":[{\"u\":\"skillhost://artifacts/"
	             "00ff00ff00ff00ff-r.txt\"}],\"n\":1}");
	free(out);
	/* The same link again is nothing new. */
	cJSON_Delete(res.content);
	snprintf(json, sizeof json,
	         "[{\"type\":\"resource_link\",\"uri\":\"%s\",\"name\":\"r\"}]",
	         uri);
	res.content = cJSON_Parse(json);
	assert_int_equal(mcp_artifacts_adopt(a, &svc, &res), 0);
	/* Many links: every one's path goes; a path no link names (another
	 * call's artifact) is turned into a URI too. */
	{
		struct dynbuf jb = DYN_INIT(1 << 20);
		cJSON_Delete(res.content);
		dyn_add(&jb, "[");
		for (int i = 0; i < 40; i++)
			dyn_addf(&jb,
			         "{\"type\":\"resource_link\",\"uri\":"
			         "\"file://%s/%016d-f.txt\",\"name\":\"f\"},",
			         dir, i);
		dyn_addf(&jb,
		         "{\"type\":\"text\",\"text\":\"%s/%016d-f.txt "
		         "and %s/ffff-other.txt\"}]",
		         dir, 39, dir);
		res.content = cJSON_Parse(jb.buf);
		dyn_free(&jb);
		assert_non_null(res.content);
		assert_int_equal(mcp_artifacts_adopt(a, &svc, &res), 40);
		out = cJSON_PrintUnformatted(res.content);
		assert_null(strstr(out, tmp));
		assert_non_null(strstr(out,
		                       "skillhost://artifacts/"
		                       "0000000000000039-f.txt and "
		                       "skillhost://artifacts/ffff-other.txt"));
		free(out);
		assert_false(mcp_artifacts_has(a, "ffff-other.txt"));
	}
	/* Without artifacts there is nothing to do. */
	svc.artifacts_dir = NULL;
	assert_int_equal(mcp_artifacts_adopt(a, &svc, &res), 0);
	cJSON_Delete(res.content);
	cJSON_Delete(res.structured);
	mcp_artifacts_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_subst),
	        cmocka_unit_test(test_template),
	        cmocka_unit_test(test_cursor),
	        cmocka_unit_test(test_complete),
	        cmocka_unit_test(test_mime),
	        cmocka_unit_test_setup_teardown(test_adopt, setup,
	                                        temphome_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
