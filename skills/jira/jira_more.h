/*
 * jira_more.h - the tools of skillhost/jira around an issue rather than
 * its fields: attachments (list, upload from an input file or artifact as
 * multipart, download into an artifact), issue links (types, create,
 * delete), worklogs and watchers. Same conventions as jira_tools.h.
 */
#ifndef JIRA_MORE_H
#define JIRA_MORE_H

#include <cjson/cJSON.h>

#include "jira_api.h"

/* Largest attachment uploaded or downloaded (Jira Cloud's default limit
 * is 10 MB; sites may raise it). */
#define JIRA_ATTACHMENT_MAX ((int64_t)64 * 1024 * 1024)
/* Most worklogs listed. */
#define JIRA_WORKLOGS_MAX 1000

skill_status jira_list_attachments(struct jira *j, const cJSON *args);
skill_status jira_add_attachment(struct jira *j, const cJSON *args);
skill_status jira_get_attachment(struct jira *j, const cJSON *args);
skill_status jira_list_link_types(struct jira *j, const cJSON *args);
skill_status jira_link_issues(struct jira *j, const cJSON *args);
skill_status jira_delete_link(struct jira *j, const cJSON *args);
skill_status jira_list_worklogs(struct jira *j, const cJSON *args);
skill_status jira_add_worklog(struct jira *j, const cJSON *args);
skill_status jira_list_watchers(struct jira *j, const cJSON *args);
skill_status jira_add_watcher(struct jira *j, const cJSON *args);
skill_status jira_remove_watcher(struct jira *j, const cJSON *args);

/* The MIME type for a file name by its extension ("application/
 * octet-stream" when unknown). */
const char *jira_mime_for(const char *filename);

#endif /* JIRA_MORE_H */
