/*
 * adf_md.h - Atlassian Document Format to Markdown, for reading Jira.
 *
 * Descriptions and comments come back from Jira as ADF trees, which cost a
 * model many tokens to read. adf_to_markdown() renders them in the Markdown
 * dialect md_to_adf() reads, so what the converter supports survives the
 * round trip (Markdown -> ADF -> Markdown -> ADF gives the same ADF).
 * Nodes Markdown has no form for are rendered readably: mentions as
 * [~accountid:ID], media as [attachment: name], status lozenges as
 * [STATUS], dates as YYYY-MM-DD, panels as quotes, task items as [ ] and
 * [x], cards as their URL; unknown nodes give their text.
 */
#ifndef JIRA_ADF_MD_H
#define JIRA_ADF_MD_H

#include <cjson/cJSON.h>

/* Deepest ADF nesting rendered; deeper content is left out. */
#define ADF_MD_MAX_DEPTH 32

/* 1 when v looks like an ADF document: {"type":"doc","content":[...]}. */
int adf_is_doc(const cJSON *v);

/* Render an ADF document (or any ADF node) as Markdown: a malloc'd string
 * without a trailing newline, or NULL when out of memory. */
char *adf_to_markdown(const cJSON *doc);

#endif /* JIRA_ADF_MD_H */
