/*
 * test_toolfmt_vendor.c - tool declarations in each vendor's shape: the
 * exact shapes, OpenAI's strict-mode rule, Gemini's parametersJsonSchema
 * and the OpenAPI-subset down-conversion, and the request fragments for a
 * real catalog.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime.h"
#include "toolfmt_vendor.h"

static struct tooldesc desc;
static struct tool tool;

/* A catalog-less tool with the given input schema. */
static struct tool *mk(const char *schema)
{
	memset(&desc, 0, sizeof desc);
	memset(&tool, 0, sizeof tool);
	desc.name = "t";
	desc.description = "Does t.";
	desc.input_schema = (char *)schema;
	tool.desc = &desc;
	snprintf(tool.canonical, sizeof tool.canonical, "ns/skill.t");
	names_fc(tool.canonical, tool.fc_name);
	{
		const char *canon = tool.canonical;
		struct sh_error e;
		assert_int_equal(names_mcp(&canon, 1, &tool.mcp_name, &e),
		                 SH_OK);
	}
	return &tool;
}

static char *decl(const char *schema, enum toolfmt_vendor v)
{
	struct sh_error e;
	cJSON *o;
	char *s;

	assert_int_equal(toolfmt_vendor_tool(mk(schema), v, &o, &e), SH_OK);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static int strict(const char *schema)
{
	cJSON *j = cJSON_Parse(schema);
	int r;

	assert_non_null(j);
	r = toolfmt_openai_strict_ok(j);
	cJSON_Delete(j);
	return r;
}

#define CLOSED                                                                 \
	"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},"   \
	"\"required\":[\"a\"],\"additionalProperties\":false}"

static void test_strict(void **state)
{
	(void)state;
	assert_true(strict(CLOSED));
	assert_true(
	        strict("{\"type\":\"object\",\"properties\":{},\"required\":[],"
	               "\"additionalProperties\":false}"));
	/* nested objects, anyOf, nullable type arrays, $defs refs */
	assert_true(
	        strict("{\"type\":\"object\",\"properties\":{\"o\":" CLOSED
	               ",\"u\":{\"anyOf\":"
	               "[{\"type\":\"string\",\"format\":\"email\"},{\"type\":"
	               "\"null\"}]},"
	               "\"n\":{\"type\":[\"integer\",\"null\"],\"minimum\":1},"
	               "\"r\":{\"$ref\":"
	               "\"#/$defs/x\"}},\"required\":[\"o\",\"u\",\"n\",\"r\"],"
	               "\"additionalProperties\":false,\"$defs\":{\"x\":" CLOSED
	               "}}"));
	/* open object, optional property, unsupported keyword or format */
	assert_false(
	        strict("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":"
	               "\"string\"}},\"required\":[\"a\"]}"));
	assert_false(strict(
	        "{\"type\":\"object\",\"properties\":{\"a\":{},\"b\":{}},"
	        "\"required\":[\"a\"],\"additionalProperties\":false}"));
	assert_false(
	        strict("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":"
	               "\"string\",\"minLength\":1}},\"required\":[\"a\"],"
	               "\"additionalProperties\":false}"));
	assert_false(
	        strict("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":"
	               "\"string\",\"format\":\"uri\"}},\"required\":[\"a\"],"
	               "\"additionalProperties\":false}"));
	/* an open object nested inside a closed one */
	assert_false(
	        strict("{\"type\":\"object\",\"properties\":{\"o\":{\"type\":"
	               "\"object\"}},\"required\":[\"o\"],"
	               "\"additionalProperties\":false}"));
	/* anyOf at the root, a required name that is no property */
	assert_false(strict("{\"anyOf\":[" CLOSED "]}"));
	assert_false(
	        strict("{\"type\":\"object\",\"properties\":{},\"required\":"
	               "[\"x\"],\"additionalProperties\":false}"));
}

static void test_strict_depth(void **state)
{
	char buf[4096] = "";
	(void)state;
	/* 12 nested closed objects is past the 10-level limit */
	for (int i = 0; i < 12; i++)
		strcat(buf,
		       "{\"type\":\"object\",\"additionalProperties\":false,"
		       "\"required\":[\"x\"],\"properties\":{\"x\":");
	strcat(buf, "{\"type\":\"string\"}");
	for (int i = 0; i < 12; i++)
		strcat(buf, "}}");
	assert_false(strict(buf));
}

static void test_shapes(void **state)
{
	char *s;
	(void)state;
	s = decl(CLOSED, TOOLFMT_OPENAI);
	assert_string_equal(s, "{\"type\":\"function\",\"function\":{\"name\":"
	                       "\"t\",\"description\":\"Does t.\","
	                       "\"parameters\":" CLOSED ",\"strict\":true}}");
	free(s);
	s = decl("{\"type\":\"object\"}", TOOLFMT_OPENAI);
	assert_non_null(strstr(s, "\"strict\":false"));
	free(s);
	s = decl(CLOSED, TOOLFMT_OPENAI_RESPONSES);
	assert_string_equal(s,
	                    "{\"type\":\"function\",\"name\":\"t\","
	                    "\"description\":\"Does t.\",\"parameters\":" CLOSED
	                    ",\"strict\":true}");
	free(s);
	s = decl(CLOSED, TOOLFMT_ANTHROPIC);
	assert_string_equal(s, "{\"name\":\"t\",\"description\":"
	                       "\"Does t.\",\"input_schema\":" CLOSED "}");
	free(s);
	s = decl(CLOSED, TOOLFMT_BEDROCK);
	assert_string_equal(s, "{\"toolSpec\":{\"name\":\"t\","
	                       "\"description\":\"Does t.\",\"inputSchema\":"
	                       "{\"json\":" CLOSED "}}}");
	free(s);
	s = decl(
	        "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
	        "\"type\":\"object\",\"properties\":{\"a\":{\"type\":"
	        "\"string\"}}}",
	        TOOLFMT_GEMINI);
	assert_string_equal(s, "{\"name\":\"t\",\"description\":"
	                       "\"Does t.\",\"parametersJsonSchema\":{\"type\":"
	                       "\"object\",\"properties\":{\"a\":{\"type\":"
	                       "\"string\"}}}}");
	free(s);
	s = decl(CLOSED, TOOLFMT_OLLAMA);
	assert_string_equal(s, "{\"type\":\"function\",\"function\":{\"name\":"
	                       "\"t\",\"description\":\"Does t.\","
	                       "\"parameters\":" CLOSED "}}");
	free(s);
}

static char *openapi(const char *schema, sh_status want)
{
	cJSON *in = cJSON_Parse(schema), *out = NULL;
	struct sh_error e;
	char *s = NULL;

	assert_non_null(in);
	assert_int_equal(toolfmt_gemini_openapi(in, &out, &e), want);
	if (want != SH_OK)
		s = strdup(e.msg);
	else if (out)
		s = cJSON_PrintUnformatted(out);
	cJSON_Delete(in);
	cJSON_Delete(out);
	return s;
}

static void test_gemini_openapi(void **state)
{
	char *s;
	(void)state;
	s = openapi(
	        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":["
	        "\"string\","
	        "\"null\"],\"maxLength\":5},\"n\":{\"type\":\"integer\","
	        "\"exclusiveMinimum\":0,\"multipleOf\":2}},\"required\":[\"a\","
	        "\"zz\"],\"additionalProperties\":false}",
	        SH_OK);
	assert_string_equal(
	        s, "{\"type\":\"OBJECT\",\"properties\":{\"a\":{\"type\":"
	           "\"STRING\",\"nullable\":true,\"maxLength\":5},\"n\":"
	           "{\"type\":\"INTEGER\",\"minimum\":0}},\"required\":"
	           "[\"a\"]}");
	free(s);
	/* several types: anyOf alone on its node, each branch with its kws */
	s = openapi("{\"type\":\"object\",\"properties\":{\"v\":{"
	            "\"description\":\"d\","
	            "\"type\":[\"string\",\"integer\"],\"pattern\":\"^x\","
	            "\"maximum\":9}}}",
	            SH_OK);
	assert_string_equal(
	        s, "{\"type\":\"OBJECT\",\"properties\":{\"v\":{\"anyOf\":"
	           "[{\"type\":\"STRING\",\"description\":\"d\",\"pattern\":"
	           "\"^x\"},{\"type\":\"INTEGER\",\"description\":\"d\","
	           "\"maximum\":9}]}}}");
	free(s);
	/* $ref inlined, oneOf -> anyOf, enums, const, allOf merged */
	s = openapi(
	        "{\"type\":\"object\",\"$defs\":{\"c\":{\"type\":\"string\","
	        "\"enum\":[\"r\",\"g\"]}},\"properties\":{\"c\":{\"$ref\":"
	        "\"#/$defs/c\",\"description\":\"colour\"},\"k\":{\"oneOf\":["
	        "{\"const\":\"a\"},{\"type\":\"integer\",\"enum\":[1,2]}]},"
	        "\"m\":{\"allOf\":[{\"type\":\"object\",\"properties\":{\"x\":"
	        "{\"type\":\"number\"}},\"required\":[\"x\"]},{\"properties\":"
	        "{\"y\":{\"type\":\"boolean\"}}}]},\"l\":{\"type\":\"array\"}}"
	        "}",
	        SH_OK);
	assert_string_equal(
	        s,
	        "{\"type\":\"OBJECT\",\"properties\":{\"c\":{\"type\":"
	        "\"STRING\","
	        "\"format\":\"enum\",\"enum\":[\"r\",\"g\"],\"description\":"
	        "\"colour\"},\"k\":{\"anyOf\":[{\"type\":\"STRING\",\"format\":"
	        "\"enum\",\"enum\":[\"a\"]},{\"type\":\"INTEGER\","
	        "\"description\":"
	        "\"Allowed values: [1,2].\"}]},\"m\":{\"type\":\"OBJECT\","
	        "\"properties\":{\"x\":{\"type\":\"NUMBER\"},\"y\":{\"type\":"
	        "\"BOOLEAN\"}},\"required\":[\"x\"]},\"l\":{\"type\":\"ARRAY\","
	        "\"items\":{}}}}");
	free(s);
	/* an object root without properties: omit parameters */
	assert_null(openapi("{\"type\":\"object\"}", SH_OK));
	assert_null(openapi("{\"type\":\"object\",\"properties\":{}}", SH_OK));
	/* recursion cannot be inlined */
	s = openapi(
	        "{\"type\":\"object\",\"properties\":{\"n\":{\"$ref\":"
	        "\"#/$defs/node\"}},\"$defs\":{\"node\":{\"type\":\"object\","
	        "\"properties\":{\"next\":{\"$ref\":\"#/$defs/node\"}}}}}",
	        SH_ERR_INVALID);
	assert_non_null(strstr(s, "recursive"));
	assert_non_null(strstr(s, "parametersJsonSchema"));
	free(s);
	s = openapi("{\"type\":\"object\",\"properties\":{\"n\":{\"$ref\":"
	            "\"https://example.com/x\"}}}",
	            SH_ERR_INVALID);
	assert_non_null(strstr(s, "not a local"));
	free(s);
}

static void test_vendor_names(void **state)
{
	enum toolfmt_vendor v;
	(void)state;
	for (int i = 0; i < TOOLFMT_VENDOR_COUNT; i++) {
		assert_true(toolfmt_vendor_parse(
		        toolfmt_vendor_name((enum toolfmt_vendor)i), &v));
		assert_int_equal(v, i);
		assert_non_null(
		        strstr(toolfmt_vendor_names(), toolfmt_vendor_name(v)));
	}
	assert_false(toolfmt_vendor_parse("mcp", &v));
	assert_false(toolfmt_vendor_parse(NULL, &v));
}

/* The tools fragment of rt's catalog in vendor format v, as compact JSON
 * text (freed by the caller). */
static char *fragment(struct runtime *rt, enum toolfmt_vendor v)
{
	struct sh_error e;
	cJSON *f;
	char *s;

	assert_int_equal(toolfmt_vendor_request(runtime_catalog(rt), v, &f, &e),
	                 SH_OK);
	s = cJSON_PrintUnformatted(f);
	cJSON_Delete(f);
	assert_non_null(s);
	return s;
}

static void test_catalog_fragments(void **state)
{
	struct runtime_opts o = {.home = "/nonexistent-skillhost-home"};
	struct runtime *rt;
	struct sh_error e;
	char path[1024];
	char *s;
	(void)state;

	snprintf(path, sizeof path, "%s/lib/hello.so", SKILLS_OUT);
	assert_int_equal(runtime_open(&o, &rt, &e), SH_OK);
	assert_int_equal(runtime_add_skill_file(rt, path, &e), SH_OK);
	assert_int_equal(runtime_seal(rt, &e), SH_OK);

	s = fragment(rt, TOOLFMT_BEDROCK);
	assert_non_null(strstr(s, "{\"toolConfig\":{\"tools\":[{\"toolSpec\":"
	                          "{\"name\":\"greet\""));
	free(s);
	s = fragment(rt, TOOLFMT_GEMINI_OPENAPI);
	assert_non_null(strstr(s, "{\"tools\":[{\"functionDeclarations\":[{"
	                          "\"name\":\"greet\""));
	assert_non_null(strstr(s, "\"parameters\":{\"type\":\"OBJECT\""));
	assert_null(strstr(s, "additionalProperties"));
	free(s);
	/* minLength keeps greet out of strict mode */
	s = fragment(rt, TOOLFMT_OPENAI);
	assert_non_null(strstr(s, "\"strict\":false"));
	free(s);
	runtime_close(rt);
}

static void test_bad_schema(void **state)
{
	struct sh_error e;
	cJSON *o;
	(void)state;
	assert_int_equal(
	        toolfmt_vendor_tool(mk("{not json"), TOOLFMT_OPENAI, &o, &e),
	        SH_ERR_INVALID);
	assert_non_null(strstr(e.msg, "ns/skill.t"));
	assert_null(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_strict),
	        cmocka_unit_test(test_strict_depth),
	        cmocka_unit_test(test_shapes),
	        cmocka_unit_test(test_gemini_openapi),
	        cmocka_unit_test(test_vendor_names),
	        cmocka_unit_test(test_catalog_fragments),
	        cmocka_unit_test(test_bad_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
