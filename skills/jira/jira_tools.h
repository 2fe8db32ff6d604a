/*
 * jira_tools.h - the tools of skillhost/jira, one function each.
 *
 * Each takes the call's open connection and its validated arguments, talks
 * to Jira, and writes the structured result (or the tool error).
 */
#ifndef JIRA_TOOLS_H
#define JIRA_TOOLS_H

#include <cjson/cJSON.h>

#include "jira_api.h"

/* Pagination caps: the most results one call returns, and the most asked
 * of Jira per page (its own limit for issues with fields). */
#define JIRA_MAX_RESULTS_CAP 1000
#define JIRA_PAGE_MAX        100
#define JIRA_DEFAULT_RESULTS 50
#define JIRA_PROJECT_PAGE    50
#define JIRA_CREATEMETA_PAGE 50
/* Allowed values listed per field by get_create_fields. */
#define JIRA_ALLOWED_VALUES_MAX 50

skill_status jira_search_issues(struct jira *j, const cJSON *args);
skill_status jira_get_issue(struct jira *j, const cJSON *args);
skill_status jira_create_issue(struct jira *j, const cJSON *args);
skill_status jira_update_issue(struct jira *j, const cJSON *args);
skill_status jira_add_comment(struct jira *j, const cJSON *args);
skill_status jira_list_transitions(struct jira *j, const cJSON *args);
skill_status jira_transition_issue(struct jira *j, const cJSON *args);
skill_status jira_assign_issue(struct jira *j, const cJSON *args);
skill_status jira_list_projects(struct jira *j, const cJSON *args);
skill_status jira_get_create_fields(struct jira *j, const cJSON *args);

#endif /* JIRA_TOOLS_H */
