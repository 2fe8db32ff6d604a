/*
 * test_agentskill.c - SKILL.md front matter (agentskill.h): tables of valid
 * and invalid documents, one row per rule of the Agent Skills
 * specification and per YAML form the strict parser reads or refuses.
 * Each invalid row names the text its error must hold (the field and the
 * rule); each valid row the JSON its front matter must become, exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agentskill.h"

struct good {
	const char *what, *text, *json;
};

static const struct good goods[] = {
        {"minimal", "---\nname: pdf\ndescription: Read PDFs.\n---\nbody\n",
         "{\"name\":\"pdf\",\"description\":\"Read PDFs.\"}"},
        {"all fields",
         "---\nname: pdf-tools\ndescription: Read PDFs.\nlicense: "
         "Apache-2.0\ncompatibility: Needs python3\nmetadata:\n  author: "
         "acme\n  version: \"1.0\"\nallowed-tools: Bash(git:*) Read\n---\n",
         "{\"name\":\"pdf-tools\",\"description\":\"Read PDFs.\","
         "\"license\":\"Apache-2.0\",\"compatibility\":\"Needs python3\","
         "\"metadata\":{\"author\":\"acme\",\"version\":\"1.0\"},"
         "\"allowed-tools\":\"Bash(git:*) Read\"}"},
        {"quotes and escapes",
         "---\nname: 'pdf'\ndescription: \"Say \\\"hi\\\"\\n\\u00e9\" # c\n"
         "license: 'it''s MIT'\n---\n",
         "{\"name\":\"pdf\",\"description\":\"Say \\\"hi\\\"\\n\xc3\xa9\","
         "\"license\":\"it's MIT\"}"},
        {"folded block",
         "---\nname: pdf\ndescription: >\n  Reads PDFs\n  and forms.\n\n  "
         "Second.\n---\n",
         "{\"name\":\"pdf\",\"description\":\"Reads PDFs and "
         "forms.\\nSecond.\\n\"}"},
        {"literal block, strip",
         "---\nname: pdf\ndescription: |-\n  line one\n  line two\n---\n",
         "{\"name\":\"pdf\",\"description\":\"line one\\nline two\"}"},
        {"plain scalar over two lines",
         "---\nname: pdf\ndescription: Reads PDFs\n  and forms.\n---\n",
         "{\"name\":\"pdf\",\"description\":\"Reads PDFs and forms.\"}"},
        {"comments, blank lines, CRLF",
         "---\r\n# about\r\nname: pdf   # the name\r\n\r\ndescription: "
         "x#y\r\n---\r\n",
         "{\"name\":\"pdf\",\"description\":\"x#y\"}"},
        {"empty metadata", "---\nname: a\ndescription: d\nmetadata: {}\n---\n",
         "{\"name\":\"a\",\"description\":\"d\",\"metadata\":{}}"},
        {"64-character name",
         "---\nname: "
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
         "description: d\n---\n",
         "{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaa\",\"description\":\"d\"}"},
};

struct badrow {
	const char *what, *text, *want1, *want2;
};

static const struct badrow bads[] = {
        {"no front matter", "# PDF\n", "does not start with YAML front", "---"},
        {"unclosed", "---\nname: a\ndescription: d\n", "no closing", "---"},
        {"name missing", "---\ndescription: d\n---\n", "field \"name\"",
         "is missing"},
        {"name upper case", "---\nname: PDF\ndescription: d\n---\n",
         "field \"name\"", "lower-case"},
        {"name leading hyphen", "---\nname: -pdf\ndescription: d\n---\n",
         "field \"name\"", "starting or ending with a hyphen"},
        {"name trailing hyphen", "---\nname: pdf-\ndescription: d\n---\n",
         "field \"name\"", "naming rule"},
        {"name doubled hyphen", "---\nname: pd--f\ndescription: d\n---\n",
         "field \"name\"", "\"--\""},
        {"name underscore", "---\nname: pd_f\ndescription: d\n---\n",
         "field \"name\"", "naming rule"},
        {"name 65 characters",
         "---\nname: "
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
         "description: d\n---\n",
         "field \"name\"", "over the limit of 64"},
        {"name not the folder", "---\nname: other\ndescription: d\n---\n",
         "field \"name\"", "must equal the name of its folder"},
        {"description missing", "---\nname: pdf\n---\n",
         "field \"description\"", "missing or empty"},
        {"description empty", "---\nname: pdf\ndescription: \"\"\n---\n",
         "field \"description\"", "missing or empty"},
        {"compatibility empty",
         "---\nname: pdf\ndescription: d\ncompatibility: ''\n---\n",
         "field \"compatibility\"", "1 to 500"},
        {"unknown field", "---\nname: pdf\ndescription: d\nmodel: x\n---\n",
         "field \"model\"", "under metadata"},
        {"repeated field", "---\nname: pdf\nname: pdf\ndescription: d\n---\n",
         "field \"name\"", "twice"},
        {"metadata not a map",
         "---\nname: pdf\ndescription: d\nmetadata: x\n---\n",
         "field \"metadata\"", "mapping"},
        {"metadata number",
         "---\nname: pdf\ndescription: d\nmetadata:\n  version: 1.0\n---\n",
         "field \"metadata.version\"", "number"},
        {"metadata nested",
         "---\nname: pdf\ndescription: d\nmetadata:\n  a:\n    b: c\n---\n",
         "metadata.a", "string"},
        {"metadata repeated",
         "---\nname: pdf\ndescription: d\nmetadata:\n  a: x\n  a: y\n---\n",
         "metadata.a", "twice"},
        {"boolean value", "---\nname: pdf\ndescription: true\n---\n",
         "field \"description\"", "boolean"},
        {"null value", "---\nname: pdf\ndescription: ~\n---\n",
         "field \"description\"", "quotes"},
        {"list",
         "---\nname: pdf\ndescription: d\nallowed-tools:\n  - Read\n---\n",
         "field \"allowed-tools\"", "YAML list"},
        {"top-level list item", "---\n- name\n---\n", "list item",
         "allowed-tools"},
        {"flow sequence", "---\nname: pdf\ndescription: [a, b]\n---\n",
         "field \"description\"", "quotes"},
        {"anchor", "---\nname: pdf\ndescription: &x d\n---\n",
         "field \"description\"", "anchors"},
        {"colon in plain scalar",
         "---\nname: pdf\ndescription: Use it: always\n---\n",
         "field \"description\"", "put the value in quotes"},
        {"unterminated quote", "---\nname: pdf\ndescription: \"abc\n---\n",
         "field \"description\"", "closing quote"},
        {"unknown escape", "---\nname: pdf\ndescription: \"a\\qb\"\n---\n",
         "field \"description\"", "\\q"},
        {"tab indentation", "---\nname: pdf\n\tdescription: d\n---\n", "tab",
         "spaces"},
        {"stray indentation", "---\n  name: pdf\ndescription: d\n---\n",
         "indented", "continues no value"},
        {"not UTF-8", "---\nname: pdf\ndescription: \xff\n---\n", "UTF-8",
         "save it"},
};

static void test_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof goods / sizeof *goods; i++) {
		struct agentskill *s = NULL;
		struct sh_error e = {0};
		char *got;
		sh_status rc =
		        agentskill_parse(goods[i].text, strlen(goods[i].text),
		                         "SKILL.md", NULL, &s, &e);
		if (rc != SH_OK)
			fail_msg("%s: refused: %s", goods[i].what, e.msg);
		got = cJSON_PrintUnformatted(s->frontmatter);
		if (strcmp(got, goods[i].json))
			fail_msg("%s:\n got  %s\n want %s", goods[i].what, got,
			         goods[i].json);
		free(got);
		agentskill_free(s);
	}
}

static void test_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bads / sizeof *bads; i++) {
		struct agentskill *s = NULL;
		struct sh_error e = {0};
		sh_status rc =
		        agentskill_parse(bads[i].text, strlen(bads[i].text),
		                         "skills/pdf/SKILL.md", "pdf", &s, &e);
		if (rc != SH_ERR_INVALID)
			fail_msg("%s: accepted (rc %d)", bads[i].what, rc);
		assert_null(s);
		/* Every message names the file, then the field and rule. */
		if (strncmp(e.msg, "skills/pdf/SKILL.md: ", 21) ||
		    !strstr(e.msg, bads[i].want1) ||
		    !strstr(e.msg, bads[i].want2))
			fail_msg("%s: message lacks '%s'/'%s': %s",
			         bads[i].what, bads[i].want1, bads[i].want2,
			         e.msg);
	}
}

static void test_description_limit(void **state)
{
	char text[2048];
	struct agentskill *s = NULL;
	struct sh_error e;
	char d[1100];

	(void)state;
	/* 1024 characters pass, counted as characters: 'é' is two bytes. */
	memset(d, 'x', 1022);
	memcpy(d + 1022, "\xc3\xa9", 3);
	snprintf(text, sizeof text, "---\nname: a\ndescription: %s\n---\n", d);
	assert_int_equal(agentskill_parse(text, strlen(text), "f", "a", &s, &e),
	                 SH_OK);
	assert_string_equal(s->description, d);
	agentskill_free(s);
	memset(d, 'x', 1025);
	d[1025] = '\0';
	snprintf(text, sizeof text, "---\nname: a\ndescription: %s\n---\n", d);
	assert_int_equal(agentskill_parse(text, strlen(text), "f", "a", &s, &e),
	                 SH_ERR_INVALID);
	assert_non_null(
	        strstr(e.msg, "1025 characters, over the limit of 1024"));
}

static void test_compatibility_limit(void **state)
{
	char text[1024], c[520];
	struct agentskill *s = NULL;
	struct sh_error e;

	(void)state;
	memset(c, 'c', 500);
	c[500] = '\0';
	snprintf(text, sizeof text,
	         "---\nname: a\ndescription: d\ncompatibility: %s\n---\n", c);
	assert_int_equal(agentskill_parse(text, strlen(text), "f", "a", &s, &e),
	                 SH_OK);
	agentskill_free(s);
	strcat(c, "c");
	snprintf(text, sizeof text,
	         "---\nname: a\ndescription: d\ncompatibility: %s\n---\n", c);
	assert_int_equal(agentskill_parse(text, strlen(text), "f", "a", &s, &e),
	                 SH_ERR_INVALID);
	assert_non_null(strstr(e.msg, "field \"compatibility\""));
}

static void test_body_and_names(void **state)
{
	const char *t = "---\nname: a\ndescription: d\n---\n# Body\n";
	char name[AGENTSKILL_NAME_MAX + 1];
	struct agentskill *s = NULL;
	struct sh_error e;

	(void)state;
	assert_int_equal(agentskill_parse(t, strlen(t), "f", "a", &s, &e),
	                 SH_OK);
	assert_string_equal(t + s->body_offset, "# Body\n");
	agentskill_free(s);
	assert_true(agentskill_valid_name("a1-b2"));
	assert_false(agentskill_valid_name(""));
	assert_false(agentskill_valid_name("a/b"));
	assert_string_equal(
	        agentskill_split_path("skills/pdf/scripts/x.py", name),
	        "scripts/x.py");
	assert_string_equal(name, "pdf");
	assert_null(agentskill_split_path("skills/pdf", name));
	assert_null(agentskill_split_path("lib/x.so", name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_valid),
	        cmocka_unit_test(test_invalid),
	        cmocka_unit_test(test_description_limit),
	        cmocka_unit_test(test_compatibility_limit),
	        cmocka_unit_test(test_body_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
