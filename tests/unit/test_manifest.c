/*
 * test_manifest.c - the manifest parser, and the published JSON Schema
 * (sdk/manifest.schema.json): real manifests must satisfy both, and bad
 * ones be refused by both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fsutil.h"
#include "manifest.h"
#include "schema.h"

static struct schema *schema;

static int setup(void **state)
{
	char path[1024], *text;
	struct sh_error e;

	(void)state;
	snprintf(path, sizeof path, "%s/sdk/manifest.schema.json", SOURCE_DIR);
	if (fs_read_file(path, 1 << 20, &text, NULL, &e) != SH_OK)
		return -1;
	if (schema_compile_text(text, strlen(text), &schema, &e) != SH_OK) {
		fprintf(stderr, "%s\n", e.msg);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	schema_free(schema);
	return 0;
}

static int schema_ok(const char *text)
{
	char msg[512];
	cJSON *j = cJSON_Parse(text);
	int ok = j && schema_validate(schema, j, msg, sizeof msg);

	if (!ok)
		print_message("  schema: %s\n", j ? msg : "not JSON");
	cJSON_Delete(j);
	return ok;
}

#define HEX64                                                                  \
	"00000000000000000000000000000000"                                     \
	"00000000000000000000000000000000"

static const char *good_source =
        "{\"name\":\"acme/weather\",\"version\":\"1.2.0-rc.1+b7\",\"abi\":1,"
        "\"description\":\"d\",\"license\":\"MIT\",\"publisher\":"
        "\"D863B0EB97232B85\",\"platforms\":{\"x86_64-linux-gnu\":"
        "\"lib/x86_64-linux-gnu/w.so\"},\"tools\":[{\"name\":\"current\","
        "\"description\":\"now\"}],\"permissions\":{\"network\":"
        "[\"api.weather.example\",\"*.tiles.example:443\"],\"secrets\":"
        "[\"WEATHER_API_KEY\"],\"filesystem\":[\"artifacts\"]},\"include\":"
        "[\"README.md\"],\"x-homepage\":\"https://example.com\"}";

static void test_good(void **state)
{
	struct manifest *m;
	struct sh_error e;

	(void)state;
	assert_int_equal(manifest_parse(good_source, strlen(good_source),
	                                MANIFEST_SOURCE, "t", &m, &e),
	                 SH_OK);
	assert_string_equal(m->name, "acme/weather");
	assert_int_equal(m->network.n, 2);
	assert_string_equal(manifest_platform_lib(m, "x86_64-linux-gnu"),
	                    "lib/x86_64-linux-gnu/w.so");
	assert_null(manifest_platform_lib(m, "aarch64-linux-gnu"));
	assert_true(manifest_has_fs(m, "artifacts"));
	assert_false(manifest_has_fs(m, "inputs"));
	manifest_free(m);
	assert_true(schema_ok(good_source));
}

static void test_every_shipped_manifest(void **state)
{
	static const char *const files[] = {
	        "sdk/examples/hello/manifest.json",
	        "skills/testing/everything/manifest.json",
	        "skills/testing/noop/manifest.json",
	        "skills/testing/library/manifest.json",
	        "skills/powerpoint/manifest.json",
	};
	(void)state;
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char path[1024], *text;
		struct manifest *m;
		struct sh_error e;

		snprintf(path, sizeof path, "%s/%s", SOURCE_DIR, files[i]);
		print_message("%s\n", files[i]);
		assert_int_equal(fs_read_file(path, 1 << 20, &text, NULL, &e),
		                 SH_OK);
		/* The build rewrites "platforms"; both checks see the file
		 * as committed, which must already be valid. */
		if (manifest_parse(text, strlen(text), MANIFEST_SOURCE, path,
		                   &m, &e) != SH_OK)
			fail_msg("%s", e.msg);
		manifest_free(m);
		assert_true(schema_ok(text));
		free(text);
	}
}

static void test_bad(void **state)
{
	static const struct {
		const char *text, *say;
	} cases[] = {
	        {"[]", "not a JSON object"},
	        {"{\"version\":\"1.0.0\",\"abi\":1,\"description\":\"d\","
	         "\"platforms\":{\"x\":\"l.so\"},\"tools\":[{\"name\":\"t\"}]}",
	         "\"name\" is missing"},
	        {"{\"name\":\"Acme/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}]}",
	         "\"name\" must be"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}]}",
	         "semantic version"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":\"1\","
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}]}",
	         "\"abi\""},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"../l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}]}",
	         "relative path"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[]}",
	         "non-empty array"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}],\"permissions\":{\"network\":"
	         "[\"*.com\"]}}",
	         "permissions.network"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}],\"permissions\":{\"secrets\":"
	         "[\"lower\"]}}",
	         "permissions.secrets"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}],\"permissions\":{\"camera\":[]}"
	         "}",
	         "unknown permission"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}],\"include\":[\".env\"]}",
	         "include"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}],\"prompts\":{}}",
	         "\"prompts\" must be an array"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}],\"prompts\":[{\"name\":"
	         "\"a.b\",\"messages\":[{\"role\":\"user\",\"content\":"
	         "{\"type\":\"text\",\"text\":\"x\"}}]}]}",
	         "\"prompts\" must be"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}],\"prompts\":[{\"name\":"
	         "\"p\",\"messages\":[{\"role\":\"system\",\"content\":"
	         "{\"type\":\"text\",\"text\":\"x\"}}]}]}",
	         "\"role\" (\"user\" or"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}],\"resources\":[{\"uri\":"
	         "\"a://b\",\"name\":\"b\"}]}",
	         "\"resources\" must be"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}],\"resourceTemplates\":[{"
	         "\"name\":\"b\",\"text\":\"x\"}]}",
	         "\"resourceTemplates\" must be"},
	        /* Code is all or nothing: abi, platforms and tools. */
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\"}",
	         "\"platforms\""},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\","
	         "\"description\":\"d\",\"tools\":[{\"name\":\"t\"}]}",
	         "\"abi\""},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct manifest *m = NULL;
		struct sh_error e;
		assert_int_equal(manifest_parse(cases[i].text,
		                                strlen(cases[i].text),
		                                MANIFEST_SOURCE, "t", &m, &e),
		                 SH_ERR_INVALID);
		if (!strstr(e.msg, cases[i].say))
			fail_msg("case %zu: \"%s\" not in: %s", i, cases[i].say,
			         e.msg);
		/* The published schema refuses them too (the "*.com" rule is
		 * the parser's alone: a pattern cannot count labels). */
		if (!strstr(cases[i].say, "permissions.network"))
			assert_false(schema_ok(cases[i].text));
	}
}

/* A package of Agent Skills only: no abi, platforms or tools, and packaged
 * it must hold a skills/<name>/SKILL.md. */
static void test_agentskills_only(void **state)
{
	static const char *src = "{\"name\":\"a/x\",\"version\":\"1.0.0\","
	                         "\"description\":\"d\"}";
	static const char *with = "{\"name\":\"a/x\",\"version\":\"1.0.0\","
	                          "\"description\":\"d\",\"files\":{"
	                          "\"skills/pdf/SKILL.md\":{\"size\":3,"
	                          "\"blake2b256\":\"" HEX64 "\"}}}";
	static const char *without =
	        "{\"name\":\"a/x\",\"version\":"
	        "\"1.0.0\",\"description\":\"d\","
	        "\"files\":{\"skills/SKILL.md\":{"
	        "\"size\":3,\"blake2b256\":\"" HEX64 "\"}}}";
	struct manifest *m = NULL;
	struct sh_error e;

	(void)state;
	assert_int_equal(
	        manifest_parse(src, strlen(src), MANIFEST_SOURCE, "t", &m, &e),
	        SH_OK);
	assert_int_equal(m->nplatforms, 0);
	assert_int_equal(m->ntools, 0);
	assert_int_equal(m->abi, 0);
	manifest_free(m);
	assert_true(schema_ok(src));
	assert_int_equal(manifest_parse(with, strlen(with), MANIFEST_PACKAGED,
	                                "t", &m, &e),
	                 SH_OK);
	manifest_free(m);
	assert_int_equal(manifest_parse(without, strlen(without),
	                                MANIFEST_PACKAGED, "t", &m, &e),
	                 SH_ERR_INVALID);
	assert_non_null(strstr(e.msg, "must hold an Agent Skill"));
}

static void test_host_patterns(void **state)
{
	(void)state;
	assert_true(manifest_valid_host_pattern("api.example.com"));
	assert_true(manifest_valid_host_pattern("*.atlassian.net"));
	assert_true(manifest_valid_host_pattern("localhost:8080"));
	assert_false(manifest_valid_host_pattern("*.com"));
	assert_false(manifest_valid_host_pattern("a*.example.com"));
	assert_false(manifest_valid_host_pattern("Example.com"));
	assert_false(manifest_valid_host_pattern("x.com:99999"));
	assert_false(manifest_valid_host_pattern("-x.com"));
	assert_true(manifest_host_matches("*.atlassian.net",
	                                  "acme.atlassian.net", 443));
	assert_false(
	        manifest_host_matches("*.atlassian.net", "atlassian.net", 443));
	assert_false(manifest_host_matches("*.atlassian.net",
	                                   "evilatlassian.net", 443));
	assert_true(manifest_host_matches("api.example.com", "API.example.com",
	                                  80));
	assert_true(manifest_host_matches("localhost:8080", "localhost", 8080));
	assert_false(
	        manifest_host_matches("localhost:8080", "localhost", 8081));
	assert_false(manifest_host_matches("api.example.com",
	                                   "api.example.com.evil.org", 443));
}

static void test_paths(void **state)
{
	(void)state;
	assert_true(manifest_valid_path("lib/x86_64-linux-gnu/a.so"));
	assert_true(manifest_valid_path("README.md"));
	assert_false(manifest_valid_path(""));
	assert_false(manifest_valid_path("/abs"));
	assert_false(manifest_valid_path("a//b"));
	assert_false(manifest_valid_path("a/"));
	assert_false(manifest_valid_path("../a"));
	assert_false(manifest_valid_path("a/./b"));
	assert_false(manifest_valid_path("a/.git/b"));
	assert_false(manifest_valid_path("a b"));
	assert_false(manifest_valid_path("a\\b"));
}

/* A repeated key makes one signed manifest say two things (cJSON keeps
 * the first copy, JavaScript and jq the last): refused wherever it is. */
static void test_duplicate_keys(void **state)
{
	static const struct {
		const char *text, *key, *where;
	} cases[] = {
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}],\"permissions\":{\"network\":"
	         "[]},\"permissions\":{\"network\":[\"evil.example\"]}}",
	         "\"permissions\" appears twice", "the top-level object"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\"}],\"permissions\":{\"network\":"
	         "[],\"secrets\":[],\"network\":[\"evil.example\"]}}",
	         "\"network\" appears twice", "/permissions"},
	        {"{\"name\":\"a/x\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"x\":\"l.so\"},"
	         "\"tools\":[{\"name\":\"t\",\"input_schema\":{\"type\":"
	         "\"object\",\"properties\":{\"a\":{},\"a\":{}}}}]}",
	         "\"a\" appears twice", "/tools/0/input_schema/properties"},
	        {"{\"name\":\"a/x\",\"name\":\"skillhost/x\",\"version\":"
	         "\"1.0.0\",\"abi\":1,\"description\":\"d\",\"platforms\":"
	         "{\"x\":\"l.so\"},\"tools\":[{\"name\":\"t\"}]}",
	         "\"name\" appears twice", "the top-level object"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct manifest *m = NULL;
		struct sh_error e;
		for (int form = 0; form < 2; form++) {
			assert_int_equal(manifest_parse(cases[i].text,
			                                strlen(cases[i].text),
			                                form ? MANIFEST_PACKAGED
			                                     : MANIFEST_SOURCE,
			                                "p.skill:manifest.json",
			                                &m, &e),
			                 SH_ERR_INVALID);
			assert_null(m);
			if (!strstr(e.msg, cases[i].key) ||
			    !strstr(e.msg, cases[i].where) ||
			    !strstr(e.msg, "p.skill:manifest.json"))
				fail_msg("case %zu: %s", i, e.msg);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_good),
	        cmocka_unit_test(test_every_shipped_manifest),
	        cmocka_unit_test(test_bad),
	        cmocka_unit_test(test_agentskills_only),
	        cmocka_unit_test(test_host_patterns),
	        cmocka_unit_test(test_paths),
	        cmocka_unit_test(test_duplicate_keys),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
