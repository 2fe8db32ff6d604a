/*
 * jira_fields.h - Jira's issue JSON, made compact for a model.
 *
 * An issue as Jira returns it is mostly links, avatars and icons; its rich
 * text is ADF. The view keeps what a model reasons with:
 *   - rich text (description, comment bodies, rich custom fields) as
 *     Markdown, in the dialect create_issue and add_comment accept;
 *   - users as {"accountId","displayName"} (plus "emailAddress" when Jira
 *     shows it), so an accountId is at hand for assign_issue;
 *   - named things (status, priority, issue type, resolution, components,
 *     versions, select options) as their name or value;
 *   - linked and parent issues as {"key", ...their simplified fields};
 *   - no "self", "expand", avatar or icon URLs, and no null fields.
 * With raw the fields are left exactly as Jira sent them (ADF included),
 * for callers that need the full structure.
 */
#ifndef JIRA_FIELDS_H
#define JIRA_FIELDS_H

#include <cjson/cJSON.h>

/* Nesting past which values are left out of the view. */
#define JIRA_VIEW_MAX_DEPTH 24

/* The view of one issue bean: {"key","id","fields":{...}} plus
 * "field_names" (custom field id -> name) when the bean carries "names".
 * NULL when out of memory. */
cJSON *jira_issue_view(const cJSON *issue, int raw);

/* The simplified form of one field value (NULL for nothing to show). */
cJSON *jira_value_view(const cJSON *value);

#endif /* JIRA_FIELDS_H */
