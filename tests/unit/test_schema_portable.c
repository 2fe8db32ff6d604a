/*
 * test_schema_portable.c - the portability checker and the serving
 * rewrite (schema_portable.h): which targets refuse which construct, that
 * what is clean stays clean, and that the rewrite merges a top-level union
 * into one object every target accepts while the original still refuses
 * what it refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "schema.h"
#include "schema_portable.h"

static const struct sp_finding *find(const struct sp_report *r,
                                     const char *what)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->f[i].what, what))
			return &r->f[i];
	return NULL;
}

static void check(const char *text, uint32_t mask, struct sp_report *r)
{
	cJSON *s = cJSON_Parse(text);
	struct sh_error e;

	assert_non_null(s);
	assert_int_equal(sp_check(s, mask, r, &e), SH_OK);
	cJSON_Delete(s);
}

static void test_clean_schema(void **state)
{
	struct sp_report r;

	(void)state;
	check("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":"
	      "\"string\"}},\"required\":[\"a\"],\"additionalProperties\":"
	      "false}",
	      SP_DEFAULT | SP_BIT(SP_OPENAI_STRICT), &r);
	assert_false(sp_report_rejects(&r));
	assert_false(sp_report_needs_rewrite(&r));
	sp_report_free(&r);
}

static void test_top_level_union(void **state)
{
	const struct sp_finding *f;
	struct sp_report r;

	(void)state;
	check("{\"type\":\"object\",\"oneOf\":[{\"required\":[\"a\"]},"
	      "{\"required\":[\"b\"]}]}",
	      SP_ALL, &r);
	f = find(&r, "top-level oneOf");
	assert_non_null(f);
	/* Anthropic and the clients that forward to it, OpenAI and its
	 * clients, Bedrock and Gemini refuse; Ollama drops it. */
	for (int t = 0; t < SP_TARGET_COUNT; t++)
		if (t == SP_OLLAMA)
			assert_true(f->ignores & SP_BIT(t));
		else
			assert_true(f->rejects & SP_BIT(t));
	assert_true(f->rewritten);
	assert_true(sp_report_rejects(&r));
	sp_report_free(&r);

	/* Only the targets asked about are reported. */
	check("{\"type\":\"object\",\"anyOf\":[{\"required\":[\"a\"]}]}",
	      SP_BIT(SP_CODEX), &r);
	f = find(&r, "top-level anyOf");
	assert_non_null(f);
	assert_int_equal(f->rejects, SP_BIT(SP_CODEX));
	assert_int_equal(f->ignores, 0);
	sp_report_free(&r);
}

static void test_openai_only_constructs(void **state)
{
	const struct sp_finding *f;
	struct sp_report r;

	(void)state;
	check("{\"type\":\"object\",\"not\":{\"required\":[\"x\"]}}", SP_ALL,
	      &r);
	f = find(&r, "top-level not");
	assert_non_null(f);
	assert_true(f->rejects & SP_BIT(SP_OPENAI));
	assert_true(f->rejects & SP_BIT(SP_CODEX));
	assert_false(f->rejects & SP_BIT(SP_ANTHROPIC));
	sp_report_free(&r);
}

static void test_non_object_top(void **state)
{
	const struct sp_finding *f;
	struct sp_report r;

	(void)state;
	check("{\"type\":\"string\"}", SP_ALL, &r);
	f = find(&r, "top-level type other than \"object\"");
	assert_non_null(f);
	assert_int_equal(f->rejects, SP_ALL);
	assert_false(f->rewritten); /* nothing to rewrite it into */
	sp_report_free(&r);
}

static void test_nested_rules(void **state)
{
	const struct sp_finding *f;
	struct sp_report r;

	(void)state;
	check("{\"type\":\"object\",\"properties\":{\"u\":{\"type\":"
	      "\"string\",\"format\":\"uri\"},\"r\":{\"$ref\":\"#/$defs/x\","
	      "\"description\":\"d\"},\"t\":{\"type\":[\"string\",\"null\"]}},"
	      "\"$defs\":{\"x\":{\"type\":\"integer\"}}}",
	      SP_ALL, &r);
	f = find(&r, "format \"uri\"");
	assert_non_null(f);
	assert_string_equal(f->path, "/properties/u");
	assert_true(f->rejects & SP_BIT(SP_OPENAI_STRICT));
	assert_true(f->rejects & SP_BIT(SP_GEMINI_OPENAPI));
	assert_false(f->rejects & SP_BIT(SP_ANTHROPIC));
	f = find(&r, "\"$ref\" beside \"description\"");
	assert_non_null(f);
	assert_int_equal(f->rejects, SP_BIT(SP_GEMINI));
	f = find(&r, "keyword \"$defs\"");
	assert_non_null(f);
	assert_true(f->rejects & SP_BIT(SP_GEMINI_OPENAPI));
	f = find(&r, "a list of types");
	assert_non_null(f);
	assert_int_equal(f->rejects, SP_BIT(SP_GEMINI_OPENAPI));
	f = find(&r, "object without \"additionalProperties\": false");
	assert_non_null(f);
	assert_int_equal(f->rejects, SP_BIT(SP_OPENAI_STRICT));
	/* None of these is refused by the default targets. */
	sp_report_free(&r);
	check("{\"type\":\"object\",\"properties\":{\"u\":{\"type\":"
	      "\"string\",\"format\":\"uri\"}}}",
	      SP_DEFAULT, &r);
	assert_false(sp_report_rejects(&r));
	sp_report_free(&r);
}

static void test_rewrite_union(void **state)
{
	static const char *const text =
	        "{\"type\":\"object\",\"description\":\"Read a deck.\","
	        "\"properties\":{\"keep\":{\"type\":\"boolean\"}},"
	        "\"required\":[\"keep\"],"
	        "\"oneOf\":[{\"properties\":{\"path\":{\"type\":\"string\"},"
	        "\"n\":{\"type\":\"integer\"}},\"required\":[\"path\",\"n\"]},"
	        "{\"properties\":{\"data\":{\"type\":\"string\"},\"n\":{"
	        "\"type\":\"integer\"}},\"required\":[\"data\",\"n\"]}]}";
	cJSON *s = cJSON_Parse(text), *req;
	struct sp_report r;
	struct sh_error e;
	struct schema *orig;
	char msg[256], *out;
	cJSON *inst;

	(void)state;
	assert_int_equal(sp_rewrite(s), 1);
	assert_null(cJSON_GetObjectItem(s, "oneOf"));
	assert_non_null(cJSON_GetObjectItem(
	        cJSON_GetObjectItem(s, "properties"), "path"));
	assert_non_null(cJSON_GetObjectItem(
	        cJSON_GetObjectItem(s, "properties"), "data"));
	/* Required: the top level's plus what every branch requires. */
	req = cJSON_GetObjectItem(s, "required");
	assert_int_equal(cJSON_GetArraySize(req), 2);
	out = cJSON_PrintUnformatted(req);
	assert_string_equal(out, "[\"keep\",\"n\"]");
	free(out);
	assert_string_equal(cJSON_GetObjectItem(s, "description")->valuestring,
	                    "Read a deck. Give one of: {path, n} | {data, n}.");
	assert_int_equal(sp_check(s,
	                          SP_ALL & ~SP_BIT(SP_OPENAI_STRICT) &
	                                  ~SP_BIT(SP_GEMINI_OPENAPI),
	                          &r, &e),
	                 SH_OK);
	for (size_t i = 0; i < r.n; i++)
		if (r.f[i].rejects)
			fprintf(stderr, "unexpected: %s at %s\n", r.f[i].what,
			        r.f[i].path);
	assert_false(sp_report_rejects(&r));
	sp_report_free(&r);
	/* Idempotent: a second pass changes nothing. */
	assert_int_equal(sp_rewrite(s), 0);
	cJSON_Delete(s);

	/* The original still refuses what the merged form would let by. */
	assert_int_equal(schema_compile_text(text, strlen(text), &orig, &e),
	                 SH_OK);
	inst = cJSON_Parse("{\"keep\":true,\"n\":1}");
	assert_int_equal(schema_validate(orig, inst, msg, sizeof msg), 0);
	cJSON_Delete(inst);
	inst = cJSON_Parse("{\"keep\":true,\"n\":1,\"path\":\"p\"}");
	assert_int_equal(schema_validate(orig, inst, msg, sizeof msg), 1);
	cJSON_Delete(inst);
	schema_free(orig);
}

static void test_rewrite_allof_and_drops(void **state)
{
	cJSON *s = cJSON_Parse(
	        "{\"allOf\":[{\"properties\":{\"a\":{}},\"required\":[\"a\"]},"
	        "{\"properties\":{\"b\":{}},\"required\":[\"b\"]}],"
	        "\"not\":{\"required\":[\"c\"]},\"enum\":[{}]}");
	char *out;

	(void)state;
	assert_int_equal(sp_rewrite(s), 4); /* allOf, not, enum, type */
	out = cJSON_PrintUnformatted(s);
	assert_string_equal(out, "{\"properties\":{\"a\":{},\"b\":{}},"
	                         "\"required\":[\"a\",\"b\"],\"type\":"
	                         "\"object\"}");
	free(out);
	cJSON_Delete(s);

	/* A union with a non-object branch cannot be merged: left as is. */
	s = cJSON_Parse("{\"type\":\"object\",\"anyOf\":[{\"type\":"
	                "\"string\"},{\"required\":[\"a\"]}]}");
	assert_int_equal(sp_rewrite(s), 0);
	assert_non_null(cJSON_GetObjectItem(s, "anyOf"));
	cJSON_Delete(s);
}

static void test_target_names(void **state)
{
	enum sp_target t;

	(void)state;
	for (int i = 0; i < SP_TARGET_COUNT; i++) {
		assert_true(
		        sp_target_parse(sp_target_name((enum sp_target)i), &t));
		assert_int_equal(t, i);
		assert_non_null(strstr(sp_target_names(),
		                       sp_target_name((enum sp_target)i)));
	}
	assert_false(sp_target_parse("claude", &t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_clean_schema),
	        cmocka_unit_test(test_top_level_union),
	        cmocka_unit_test(test_openai_only_constructs),
	        cmocka_unit_test(test_non_object_top),
	        cmocka_unit_test(test_nested_rules),
	        cmocka_unit_test(test_rewrite_union),
	        cmocka_unit_test(test_rewrite_allof_and_drops),
	        cmocka_unit_test(test_target_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
