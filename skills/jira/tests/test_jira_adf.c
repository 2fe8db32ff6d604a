/*
 * test_jira_adf.c - Markdown to ADF and back: every construct, escaping,
 * nesting, tables, code blocks, links and what ADF forbids; the round
 * trip; the size and depth limits.
 *
 * With ADF_DUMP set, every document produced is also written there, one
 * per line, so test_jira_adf_schema.sh can validate them against
 * Atlassian's schema.
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

#include "adf_md.h"
#include "md_adf.h"

static FILE *dump;

static cJSON *convert(const char *md)
{
	cJSON *doc = NULL;

	assert_int_equal(md_to_adf(md, strlen(md), &doc), MD_OK);
	assert_non_null(doc);
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(doc, "type")), "doc");
	assert_int_equal(cJSON_GetObjectItem(doc, "version")->valueint, 1);
	if (dump) {
		char *s = cJSON_PrintUnformatted(doc);
		fprintf(dump, "%s\n", s);
		free(s);
	}
	return doc;
}

/* Markdown in, the document's "content" expected. */
static const struct {
	const char *name, *md, *content;
} cases[] = {
        {"marks", "a **b** *c* ~~d~~ `e` [f](http://g \"T\")",
         "[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"tex"
         "t\":\"a \"},{\"type\":\"text\",\"text\":\"b\",\"marks\":[{\"ty"
         "pe\":\"strong\"}]},{\"type\":\"text\",\"text\":\" \"},{\"type\""
         ":\"text\",\"text\":\"c\",\"marks\":[{\"type\":\"em\"}]},{\"typ"
         "e\":\"text\",\"text\":\" \"},{\"type\":\"text\",\"text\":\"d\""
         ",\"marks\":[{\"type\":\"strike\"}]},{\"type\":\"text\",\"text\""
         ":\" \"},{\"type\":\"text\",\"text\":\"e\",\"marks\":[{\"type\""
         ":\"code\"}]},{\"type\":\"text\",\"text\":\" \"},{\"type\":\"te"
         "xt\",\"text\":\"f\",\"marks\":[{\"type\":\"link\",\"attrs\":{\""
         "href\":\"http://g\",\"title\":\"T\"}}]}]}]"},
        {"breaks", "x\ny  \nz\\\nw<br>v",
         "[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"tex"
         "t\":\"x\"},{\"type\":\"hardBreak\"},{\"type\":\"text\",\"text\""
         ":\"y\"},{\"type\":\"hardBreak\"},{\"type\":\"text\",\"text\":\""
         "z\"},{\"type\":\"hardBreak\"},{\"type\":\"text\",\"text\":\"w\""
         "},{\"type\":\"hardBreak\"},{\"type\":\"text\",\"text\":\"v\"}]"
         "}]"},
        {"atx_closing", "### H3 ###",
         "[{\"type\":\"heading\",\"attrs\":{\"level\":3},\"content\":[{\""
         "type\":\"text\",\"text\":\"H3\"}]}]"},
        {"setext", "Set\n===\nSub\n---",
         "[{\"type\":\"heading\",\"attrs\":{\"level\":1},\"content\":[{\""
         "type\":\"text\",\"text\":\"Set\"}]},{\"type\":\"heading\",\"at"
         "trs\":{\"level\":2},\"content\":[{\"type\":\"text\",\"text\":\""
         "Sub\"}]}]"},
        {"escapes_entities",
         "\\*a\\* \\_b\\_ \\\\ \\[c\\] &amp; &#65;&#x42; &copy; &foo; &#"
         "0;",
         "[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"tex"
         "t\":\"*a* _b_ \\\\ [c] & AB \xc2\xa9 &foo; \xef\xbf\xbd\"}]}]"},
        {"code_spans", "``a`b`` ` c ` **`d`** [`e`](http://x)",
         "[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"tex"
         "t\":\"a`b\",\"marks\":[{\"type\":\"code\"}]},{\"type\":\"text\""
         ",\"text\":\" \"},{\"type\":\"text\",\"text\":\"c\",\"marks\":["
         "{\"type\":\"code\"}]},{\"type\":\"text\",\"text\":\" \"},{\"ty"
         "pe\":\"text\",\"text\":\"d\",\"marks\":[{\"type\":\"code\"}]},"
         "{\"type\":\"text\",\"text\":\" \"},{\"type\":\"text\",\"text\""
         ":\"e\",\"marks\":[{\"type\":\"link\",\"attrs\":{\"href\":\"htt"
         "p://x\"}},{\"type\":\"code\"}]}]}]"},
        {"emphasis_rules", "x_y_z *a**b**c* ***x*** **a* ~single~ ~~strike~~",
         "[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"tex"
         "t\":\"x_y_z \"},{\"type\":\"text\",\"text\":\"a\",\"marks\":[{"
         "\"type\":\"em\"}]},{\"type\":\"text\",\"text\":\"b\",\"marks\""
         ":[{\"type\":\"em\"},{\"type\":\"strong\"}]},{\"type\":\"text\""
         ",\"text\":\"c\",\"marks\":[{\"type\":\"em\"}]},{\"type\":\"tex"
         "t\",\"text\":\" \"},{\"type\":\"text\",\"text\":\"x\",\"marks\""
         ":[{\"type\":\"em\"},{\"type\":\"strong\"}]},{\"type\":\"text\""
         ",\"text\":\" *\"},{\"type\":\"text\",\"text\":\"a\",\"marks\":"
         "[{\"type\":\"em\"}]},{\"type\":\"text\",\"text\":\" ~single~ \""
         "},{\"type\":\"text\",\"text\":\"strike\",\"marks\":[{\"type\":"
         "\"strike\"}]}]}]"},
        {"lists", "- a\n- b\n\n  c\n- \n\n5. five\n6. six",
         "[{\"type\":\"bulletList\",\"content\":[{\"type\":\"listItem\","
         "\"content\":[{\"type\":\"paragraph\",\"content\":[{\"type\":\""
         "text\",\"text\":\"a\"}]}]},{\"type\":\"listItem\",\"content\":"
         "[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"tex"
         "t\":\"b\"}]},{\"type\":\"paragraph\",\"content\":[{\"type\":\""
         "text\",\"text\":\"c\"}]}]},{\"type\":\"listItem\",\"content\":"
         "[{\"type\":\"paragraph\",\"content\":[]}]}]},{\"type\":\"order"
         "edList\",\"attrs\":{\"order\":5},\"content\":[{\"type\":\"list"
         "Item\",\"content\":[{\"type\":\"paragraph\",\"content\":[{\"ty"
         "pe\":\"text\",\"text\":\"five\"}]}]},{\"type\":\"listItem\",\""
         "content\":[{\"type\":\"paragraph\",\"content\":[{\"type\":\"te"
         "xt\",\"text\":\"six\"}]}]}]}]"},
        {"nested_lists",
         "1. one\n   - two\n     1. three\n        deeper text\n2. four",
         "[{\"type\":\"orderedList\",\"content\":[{\"type\":\"listItem\""
         ",\"content\":[{\"type\":\"paragraph\",\"content\":[{\"type\":\""
         "text\",\"text\":\"one\"}]},{\"type\":\"bulletList\",\"content\""
         ":[{\"type\":\"listItem\",\"content\":[{\"type\":\"paragraph\","
         "\"content\":[{\"type\":\"text\",\"text\":\"two\"}]},{\"type\":"
         "\"orderedList\",\"content\":[{\"type\":\"listItem\",\"content\""
         ":[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"te"
         "xt\":\"three\"},{\"type\":\"hardBreak\"},{\"type\":\"text\",\""
         "text\":\"deeper text\"}]}]}]}]}]}]},{\"type\":\"listItem\",\"c"
         "ontent\":[{\"type\":\"paragraph\",\"content\":[{\"type\":\"tex"
         "t\",\"text\":\"four\"}]}]}]}]"},
        {"list_leading_list", "- - deep\n  - x",
         "[{\"type\":\"bulletList\",\"content\":[{\"type\":\"listItem\","
         "\"content\":[{\"type\":\"paragraph\",\"content\":[]},{\"type\""
         ":\"bulletList\",\"content\":[{\"type\":\"listItem\",\"content\""
         ":[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"te"
         "xt\":\"deep\"}]}]},{\"type\":\"listItem\",\"content\":[{\"type"
         "\":\"paragraph\",\"content\":[{\"type\":\"text\",\"text\":\"x\""
         "}]}]}]}]}]}]"},
        {"list_siblings_lazy", "3. three\n4. four\ncontinued\n- new list",
         "[{\"type\":\"orderedList\",\"attrs\":{\"order\":3},\"content\""
         ":[{\"type\":\"listItem\",\"content\":[{\"type\":\"paragraph\","
         "\"content\":[{\"type\":\"text\",\"text\":\"three\"}]}]},{\"typ"
         "e\":\"listItem\",\"content\":[{\"type\":\"paragraph\",\"conten"
         "t\":[{\"type\":\"text\",\"text\":\"four\"},{\"type\":\"hardBre"
         "ak\"},{\"type\":\"text\",\"text\":\"continued\"}]}]}]},{\"type"
         "\":\"bulletList\",\"content\":[{\"type\":\"listItem\",\"conten"
         "t\":[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\""
         "text\":\"new list\"}]}]}]}]"},
        {"code_blocks",
         "```js title\nlet a;\n\n```\n~~~~\nb\n~~~~\n\n    ind\n\n```\no"
         "pen",
         "[{\"type\":\"codeBlock\",\"attrs\":{\"language\":\"js\"},\"con"
         "tent\":[{\"type\":\"text\",\"text\":\"let a;\\n\"}]},{\"type\""
         ":\"codeBlock\",\"content\":[{\"type\":\"text\",\"text\":\"b\"}"
         "]},{\"type\":\"codeBlock\",\"content\":[{\"type\":\"text\",\"t"
         "ext\":\"ind\"}]},{\"type\":\"codeBlock\",\"content\":[{\"type\""
         ":\"text\",\"text\":\"open\"}]}]"},
        {"code_in_item", "- item\n\n  ```sql\n  SELECT 1;\n  ```",
         "[{\"type\":\"bulletList\",\"content\":[{\"type\":\"listItem\","
         "\"content\":[{\"type\":\"paragraph\",\"content\":[{\"type\":\""
         "text\",\"text\":\"item\"}]},{\"type\":\"codeBlock\",\"attrs\":"
         "{\"language\":\"sql\"},\"content\":[{\"type\":\"text\",\"text\""
         ":\"SELECT 1;\"}]}]}]}]"},
        {"table",
         "| a | b |\n|:-:|--:|\n| 1 |\n| 2 | 3 | 4 |\n| x \\| y | `p\\|q"
         "` |",
         "[{\"type\":\"table\",\"content\":[{\"type\":\"tableRow\",\"con"
         "tent\":[{\"type\":\"tableHeader\",\"content\":[{\"type\":\"par"
         "agraph\",\"marks\":[{\"type\":\"alignment\",\"attrs\":{\"align"
         "\":\"center\"}}],\"content\":[{\"type\":\"text\",\"text\":\"a\""
         "}]}]},{\"type\":\"tableHeader\",\"content\":[{\"type\":\"parag"
         "raph\",\"marks\":[{\"type\":\"alignment\",\"attrs\":{\"align\""
         ":\"end\"}}],\"content\":[{\"type\":\"text\",\"text\":\"b\"}]}]"
         "}]},{\"type\":\"tableRow\",\"content\":[{\"type\":\"tableCell\""
         ",\"content\":[{\"type\":\"paragraph\",\"marks\":[{\"type\":\"a"
         "lignment\",\"attrs\":{\"align\":\"center\"}}],\"content\":[{\""
         "type\":\"text\",\"text\":\"1\"}]}]},{\"type\":\"tableCell\",\""
         "content\":[{\"type\":\"paragraph\",\"marks\":[{\"type\":\"alig"
         "nment\",\"attrs\":{\"align\":\"end\"}}],\"content\":[]}]}]},{\""
         "type\":\"tableRow\",\"content\":[{\"type\":\"tableCell\",\"con"
         "tent\":[{\"type\":\"paragraph\",\"marks\":[{\"type\":\"alignme"
         "nt\",\"attrs\":{\"align\":\"center\"}}],\"content\":[{\"type\""
         ":\"text\",\"text\":\"2\"}]}]},{\"type\":\"tableCell\",\"conten"
         "t\":[{\"type\":\"paragraph\",\"marks\":[{\"type\":\"alignment\""
         ",\"attrs\":{\"align\":\"end\"}}],\"content\":[{\"type\":\"text"
         "\",\"text\":\"3\"}]}]}]},{\"type\":\"tableRow\",\"content\":[{"
         "\"type\":\"tableCell\",\"content\":[{\"type\":\"paragraph\",\""
         "marks\":[{\"type\":\"alignment\",\"attrs\":{\"align\":\"center"
         "\"}}],\"content\":[{\"type\":\"text\",\"text\":\"x | y\"}]}]},"
         "{\"type\":\"tableCell\",\"content\":[{\"type\":\"paragraph\",\""
         "marks\":[{\"type\":\"alignment\",\"attrs\":{\"align\":\"end\"}"
         "}],\"content\":[{\"type\":\"text\",\"text\":\"p|q\",\"marks\":"
         "[{\"type\":\"code\"}]}]}]}]}]}]"},
        {"table_in_list", "- | a | b |\n  |---|---|\n  | 1 | 2 |",
         "[{\"type\":\"bulletList\",\"content\":[{\"type\":\"listItem\","
         "\"content\":[{\"type\":\"paragraph\",\"content\":[{\"type\":\""
         "text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\" | \"},{\""
         "type\":\"text\",\"text\":\"b\"}]},{\"type\":\"paragraph\",\"co"
         "ntent\":[{\"type\":\"text\",\"text\":\"1\"},{\"type\":\"text\""
         ",\"text\":\" | \"},{\"type\":\"text\",\"text\":\"2\"}]}]}]}]"},
        {"quote", "> q\n> > n\n> # h\nlazy",
         "[{\"type\":\"blockquote\",\"content\":[{\"type\":\"paragraph\""
         ",\"content\":[{\"type\":\"text\",\"text\":\"q\"}]},{\"type\":\""
         "paragraph\",\"content\":[{\"type\":\"text\",\"text\":\"n\"}]},"
         "{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"text"
         "\":\"h\",\"marks\":[{\"type\":\"strong\"}]}]}]},{\"type\":\"pa"
         "ragraph\",\"content\":[{\"type\":\"text\",\"text\":\"lazy\"}]}"
         "]"},
        {"quote_lazy", "> para\ncontinues\n\n> - item",
         "[{\"type\":\"blockquote\",\"content\":[{\"type\":\"paragraph\""
         ",\"content\":[{\"type\":\"text\",\"text\":\"para\"},{\"type\":"
         "\"hardBreak\"},{\"type\":\"text\",\"text\":\"continues\"}]}]},"
         "{\"type\":\"blockquote\",\"content\":[{\"type\":\"bulletList\""
         ",\"content\":[{\"type\":\"listItem\",\"content\":[{\"type\":\""
         "paragraph\",\"content\":[{\"type\":\"text\",\"text\":\"item\"}"
         "]}]}]}]}]"},
        {"links",
         "<http://a.b/c> <x@y.io> www.e.org/x, (https://p.q/r_(s)). java"
         "script:x [j](javascript:alert(1)) ![i](http://i/p.png) [~accou"
         "ntid:abc-123:def] [no link] [t](<u v> 'ti')",
         "[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"tex"
         "t\":\"http://a.b/c\",\"marks\":[{\"type\":\"link\",\"attrs\":{"
         "\"href\":\"http://a.b/c\"}}]},{\"type\":\"text\",\"text\":\" \""
         "},{\"type\":\"text\",\"text\":\"x@y.io\",\"marks\":[{\"type\":"
         "\"link\",\"attrs\":{\"href\":\"mailto:x@y.io\"}}]},{\"type\":\""
         "text\",\"text\":\" \"},{\"type\":\"text\",\"text\":\"www.e.org"
         "/x\",\"marks\":[{\"type\":\"link\",\"attrs\":{\"href\":\"http:"
         "//www.e.org/x\"}}]},{\"type\":\"text\",\"text\":\", (\"},{\"ty"
         "pe\":\"text\",\"text\":\"https://p.q/r_(s)\",\"marks\":[{\"typ"
         "e\":\"link\",\"attrs\":{\"href\":\"https://p.q/r_(s)\"}}]},{\""
         "type\":\"text\",\"text\":\"). javascript:x \"},{\"type\":\"tex"
         "t\",\"text\":\"j\"},{\"type\":\"text\",\"text\":\" \"},{\"type"
         "\":\"text\",\"text\":\"i\",\"marks\":[{\"type\":\"link\",\"att"
         "rs\":{\"href\":\"http://i/p.png\"}}]},{\"type\":\"text\",\"tex"
         "t\":\" \"},{\"type\":\"mention\",\"attrs\":{\"id\":\"abc-123:d"
         "ef\"}},{\"type\":\"text\",\"text\":\" [no link] \"},{\"type\":"
         "\"text\",\"text\":\"t\",\"marks\":[{\"type\":\"link\",\"attrs\""
         ":{\"href\":\"u v\",\"title\":\"ti\"}}]}]}]"},
        {"rules", "a\n\n***\n\n- x\n\n  ---",
         "[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"tex"
         "t\":\"a\"}]},{\"type\":\"rule\"},{\"type\":\"bulletList\",\"co"
         "ntent\":[{\"type\":\"listItem\",\"content\":[{\"type\":\"parag"
         "raph\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}]}]}]"},
        {"crlf_tabs_controls",
         "a\r\nb\rc\td\x01"
         "e",
         "[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"tex"
         "t\":\"a\"},{\"type\":\"hardBreak\"},{\"type\":\"text\",\"text\""
         ":\"b\"},{\"type\":\"hardBreak\"},{\"type\":\"text\",\"text\":\""
         "c\\tde\"}]}]"},
        {"heading_in_list", "- # H\n- text",
         "[{\"type\":\"bulletList\",\"content\":[{\"type\":\"listItem\","
         "\"content\":[{\"type\":\"paragraph\",\"content\":[{\"type\":\""
         "text\",\"text\":\"H\",\"marks\":[{\"type\":\"strong\"}]}]}]},{"
         "\"type\":\"listItem\",\"content\":[{\"type\":\"paragraph\",\"c"
         "ontent\":[{\"type\":\"text\",\"text\":\"text\"}]}]}]}]"},
        {"empty", "", "[]"},
};

static void test_constructs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *doc = convert(cases[i].md);
		char *got = cJSON_PrintUnformatted(
		        cJSON_GetObjectItem(doc, "content"));
		if (strcmp(got, cases[i].content))
			fail_msg("%s:\n  got  %s\n  want %s", cases[i].name,
			         got, cases[i].content);
		free(got);
		cJSON_Delete(doc);
	}
}

/* Markdown -> ADF -> Markdown -> ADF gives the same ADF, and the
 * rendering is stable. */
static void test_round_trip(void **state)
{
	static const char *const docs[] = {
	        "# Title *x*\n\nHello **bold**, *em*, ~~gone~~, `code`, "
	        "[link](https://x.com \"T \\\"q\\\"\") and a_b.\nline two",
	        "- a\n- b\n  - nested *x*\n    1. deep\n- c\n\n3. three\n4. "
	        "four",
	        "```python\nprint(\"```\")\n```\n\n    indented\n\n---",
	        "> quote\n> - in quote\n>\n> ```\n> code\n> ```",
	        "| A | B | C |\n|:-:|--:|---|\n| 1 | **2** | `x|y` |\n| a \\| "
	        "b "
	        "|  | [l](http://l) |",
	        "[~accountid:5b10ac8d82e05b22cc7d4ef5] see "
	        "<https://e.com/a_(b)>"
	        ", <me@x.org>, www.x.org",
	        "\\*lit\\* 2 \\* 3 = 6, \\[x\\], #hash, 1\\. not a list, + "
	        "plus "
	        "&amp; &lt;b&gt; ~ tilde ~~ two",
	        "***both*** **strong *nested* x** *a **b** c* [**bl** "
	        "x](http://a)",
	        "1. one\n\n   para\n\n   ```\n   code\n   ```\n2. two",
	        "**bold `code` bold** and [`lc`](http://l)",
	};

	(void)state;
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		cJSON *a = convert(docs[i]), *b, *c;
		char *md1 = adf_to_markdown(a), *md2, *ja, *jb;
		assert_non_null(md1);
		b = convert(md1);
		md2 = adf_to_markdown(b);
		ja = cJSON_PrintUnformatted(a);
		jb = cJSON_PrintUnformatted(b);
		if (strcmp(ja, jb))
			fail_msg("round trip %zu changed the document:\n"
			         "markdown: %s\nfirst:  %s\nsecond: %s",
			         i, md1, ja, jb);
		assert_string_equal(md1, md2);
		c = convert(md2);
		cJSON_Delete(c);
		free(ja);
		free(jb);
		free(md1);
		free(md2);
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
}

static char *render(const char *adf_json)
{
	cJSON *j = cJSON_Parse(adf_json);
	char *md;

	assert_non_null(j);
	md = adf_to_markdown(j);
	cJSON_Delete(j);
	assert_non_null(md);
	return md;
}

/* Nodes Jira writes that Markdown has no syntax for. */
static void test_render_jira_nodes(void **state)
{
	char *md;

	(void)state;
	md = render(
	        "{\"type\":\"doc\",\"version\":1,\"content\":["
	        "{\"type\":\"panel\",\"attrs\":{\"panelType\":\"warning\"},"
	        "\"content\":[{\"type\":\"paragraph\",\"content\":[{\"type\":"
	        "\"text\",\"text\":\"Careful\"}]}]},"
	        "{\"type\":\"paragraph\",\"content\":["
	        "{\"type\":\"mention\",\"attrs\":{\"id\":\"abc\",\"text\":"
	        "\"@Ann\"}},{\"type\":\"text\",\"text\":\" \"},"
	        "{\"type\":\"emoji\",\"attrs\":{\"shortName\":\":smile:\","
	        "\"text\":\"\\ud83d\\ude04\"}},{\"type\":\"text\",\"text\":\" "
	        "\"},"
	        "{\"type\":\"date\",\"attrs\":{\"timestamp\":\"1767225600000\"}"
	        "},"
	        "{\"type\":\"text\",\"text\":\" \"},"
	        "{\"type\":\"status\",\"attrs\":{\"text\":\"BLOCKED\","
	        "\"color\":\"red\"}},{\"type\":\"text\",\"text\":\" \"},"
	        "{\"type\":\"inlineCard\",\"attrs\":{\"url\":"
	        "\"https://x.atlassian.net/browse/A-1\"}}]},"
	        "{\"type\":\"taskList\",\"attrs\":{\"localId\":\"t\"},"
	        "\"content\":["
	        "{\"type\":\"taskItem\",\"attrs\":{\"localId\":\"1\",\"state\":"
	        "\"DONE\"},\"content\":[{\"type\":\"text\",\"text\":"
	        "\"shipped\"}]},"
	        "{\"type\":\"taskItem\",\"attrs\":{\"localId\":\"2\"},"
	        "\"content\":[{\"type\":\"text\",\"text\":\"docs\"}]}]},"
	        "{\"type\":\"mediaSingle\",\"content\":[{\"type\":\"media\","
	        "\"attrs\":{\"id\":\"f1\",\"type\":\"file\",\"collection\":"
	        "\"c\","
	        "\"alt\":\"screenshot.png\"}}]},"
	        "{\"type\":\"expand\",\"attrs\":{\"title\":\"Logs\"},"
	        "\"content\":["
	        "{\"type\":\"codeBlock\",\"content\":[{\"type\":\"text\","
	        "\"text\":"
	        "\"trace\"}]}]},"
	        "{\"type\":\"extension\",\"attrs\":{\"extensionKey\":\"x\"}},"
	        "{\"type\":\"heading\",\"attrs\":{\"level\":9},\"content\":[{"
	        "\"type\":\"text\",\"text\":\"odd level\"}]}]}");
	assert_string_equal(md, "> **warning:**\n>\n> Careful\n\n"
	                        "[~accountid:abc] \xf0\x9f\x98\x84 2026-01-01 "
	                        "\\[BLOCKED\\] "
	                        "<https://x.atlassian.net/browse/A-1>\n\n"
	                        "- [x] shipped\n- [ ] docs\n\n"
	                        "\\[attachment: screenshot.png\\]\n\n"
	                        "**Logs**\n\n```\ntrace\n```\n\n# odd level");
	free(md);

	/* A table with a hard break, a pipe and a missing cell. */
	md = render(
	        "{\"type\":\"table\",\"content\":[{\"type\":\"tableRow\","
	        "\"content\":[{\"type\":\"tableHeader\",\"content\":[{"
	        "\"type\":\"paragraph\",\"content\":[{\"type\":\"text\","
	        "\"text\":\"a|b\"}]}]},{\"type\":\"tableHeader\",\"content\":"
	        "[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\","
	        "\"text\":\"c\"}]}]}]},{\"type\":\"tableRow\",\"content\":[{"
	        "\"type\":\"tableCell\",\"content\":[{\"type\":\"paragraph\","
	        "\"content\":[{\"type\":\"text\",\"text\":\"x\"},{\"type\":"
	        "\"hardBreak\"},{\"type\":\"text\",\"text\":\"y\"}]}]}]}]}");
	assert_string_equal(md, "| a\\|b | c |\n| --- | --- |\n| x<br>y |  |");
	free(md);

	/* Not ADF at all: nothing, not a crash. */
	md = render("{\"type\":\"doc\",\"content\":[{\"no\":\"type\"},7,"
	            "{\"type\":\"paragraph\",\"content\":\"str\"}]}");
	assert_string_equal(md, "");
	free(md);
}

/* depth copies of marker then "x", into buf; returns buf. */
static char *nest(char *buf, size_t depth, const char *marker)
{
	size_t n = strlen(marker), at = 0;

	for (size_t i = 0; i < depth; i++, at += n)
		snprintf(buf + at, n + 1, "%s", marker);
	snprintf(buf + at, 2, "x");
	return buf;
}

static void test_limits(void **state)
{
	size_t n = MD_ADF_MAX_INPUT + 1, depth = 400;
	char *big = malloc(n + 1), *deep = malloc(depth * 3 + 8);
	cJSON *doc = NULL;
	char *md;

	(void)state;
	assert_non_null(big);
	assert_non_null(deep);
	memset(big, 'a', n);
	big[n] = '\0';
	assert_int_equal(md_to_adf(big, n, &doc), MD_ERR_TOO_LARGE);
	assert_null(doc);

	/* Deep nesting: kept within MD_ADF_MAX_DEPTH, the rest as text. */
	doc = convert(nest(deep, depth, "> "));
	md = adf_to_markdown(doc);
	assert_non_null(strstr(md, "x"));
	free(md);
	cJSON_Delete(doc);
	doc = convert(nest(deep, depth, "- "));
	cJSON_Delete(doc);

	/* Pathological emphasis and brackets stay fast (no quadratic
	 * blow-up): 100,000 openers. */
	memset(big, '*', 100000);
	memcpy(big + 100000, "a", 2);
	doc = convert(big);
	cJSON_Delete(doc);
	for (size_t i = 0; i < 100000; i += 2)
		memcpy(big + i, "[_", 2);
	memcpy(big + 100000, "a", 2);
	doc = convert(big);
	cJSON_Delete(doc);
	free(big);
	free(deep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_constructs),
	        cmocka_unit_test(test_round_trip),
	        cmocka_unit_test(test_render_jira_nodes),
	        cmocka_unit_test(test_limits),
	};
	const char *path = getenv("ADF_DUMP");
	int rc;

	if (path && !(dump = fopen(path, "w"))) {
		perror(path);
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (dump)
		(void)fclose(dump);
	return rc;
}
