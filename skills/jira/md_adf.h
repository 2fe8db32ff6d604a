/*
 * md_adf.h - Markdown to the Atlassian Document Format (ADF).
 *
 * Jira Cloud's v3 API takes rich text (descriptions, comments, rich custom
 * fields) only as ADF, a JSON tree, while models and people write Markdown.
 * md_to_adf() reads CommonMark plus the GitHub extensions used in tickets
 * and builds a document that validates against Atlassian's ADF schema:
 *
 *   blocks   ATX and setext headings, paragraphs, bullet and ordered lists
 *            (nested, with a start number), fenced code blocks with a
 *            language and indented code blocks, block quotes, thematic
 *            breaks, GFM tables (with column alignment)
 *   inline   **strong**, *em*, ~~strike~~, `code`, [links](url "title"),
 *            <autolinks>, bare http(s):// and www. links, images (as links,
 *            since ADF media needs an upload), backslash escapes, HTML
 *            entities, hard breaks, and Jira mentions [~accountid:ID]
 *
 * Where Markdown nests something ADF forbids (a heading or table inside a
 * list item or quote, a quote in a quote), the content is kept in the
 * nearest allowed form rather than dropped: headings become bold
 * paragraphs, table rows become paragraphs, nested quotes are flattened.
 * A line break inside a paragraph is kept as a hard break, as in Jira's
 * editor and GitHub comments. Links with javascript:, vbscript: or data:
 * targets keep their text but lose the link.
 */
#ifndef JIRA_MD_ADF_H
#define JIRA_MD_ADF_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Largest Markdown input accepted, in bytes (Jira itself keeps at most
 * 32,767 characters of a field). */
#define MD_ADF_MAX_INPUT ((size_t)256 * 1024)
/* Deepest nesting of lists and quotes; deeper markers are kept as text. */
#define MD_ADF_MAX_DEPTH 10

typedef enum md_status {
	MD_OK = 0,
	MD_ERR_TOO_LARGE, /* over MD_ADF_MAX_INPUT */
	MD_ERR_NOMEM
} md_status;

/* Convert len bytes of UTF-8 Markdown to an ADF document
 * ({"type":"doc","version":1,"content":[...]}) the caller frees with
 * cJSON_Delete. */
md_status md_to_adf(const char *md, size_t len, cJSON **out);

#endif /* JIRA_MD_ADF_H */
