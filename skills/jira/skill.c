/*
 * skill.c - the skillhost/jira skill: Jira Cloud REST v3 over the host's
 * skill.http/1 and skill.secrets/1. This file declares the tools (schemas
 * and MCP hints) and dispatches calls; jira_tools.c does the work.
 */
#include <string.h>

#include <cjson/cJSON.h>
#include <skill/skill.h>

#include "jira_api.h"
#include "jira_more.h"
#include "jira_tools.h"
#include "jira_users.h"
#include "restcall.h"
#include "tooltable.h"

static const char *const needs[] = {SKILL_EXT_HTTP, SKILL_EXT_SECRETS, NULL};

#define ISSUE_KEY_PROP                                                         \
	"\"issue_key\":{\"type\":\"string\",\"pattern\":"                      \
	"\"^([A-Za-z][A-Za-z0-9_]*-[1-9][0-9]*|[1-9][0-9]*)$\","               \
	"\"description\":\"The issue's key, e.g. PROJ-123 (or its numeric "    \
	"id)\"}"

#define PROJECT_PROP                                                           \
	"\"project\":{\"type\":\"string\",\"pattern\":"                        \
	"\"^([A-Za-z][A-Za-z0-9_]*|[0-9]+)$\",\"description\":\"Project key, " \
	"e.g. PROJ (or its numeric id); list_projects finds them\"}"

#define MARKDOWN_NOTE                                                          \
	"Markdown, converted to Jira's rich text: headings, **bold**, "        \
	"*italic*, ~~strike~~, `code`, [links](https://...), bullet and "      \
	"numbered lists (nested), fenced code blocks with a language, "        \
	"tables, "                                                             \
	"quotes, rules, and mentions written [~accountid:ACCOUNT_ID]. A line " \
	"break is kept as a line break."

/* What create_issue and update_issue both take. */
#define EDIT_PROPS                                                             \
	"\"description\":{\"type\":\"string\",\"maxLength\":200000,"           \
	"\"description\":\"" MARKDOWN_NOTE "\"},"                              \
	"\"priority\":{\"type\":\"string\",\"minLength\":1,\"description\":"   \
	"\"Priority name, e.g. High (or its id)\"},"                           \
	"\"components\":{\"type\":\"array\",\"maxItems\":50,\"items\":{"       \
	"\"type\":\"string\",\"minLength\":1},\"description\":\"Component "    \
	"names (or ids)\"},"                                                   \
	"\"due_date\":{\"type\":\"string\",\"pattern\":"                       \
	"\"^[0-9]{4}-[0-9]{2}-[0-9]{2}$\",\"description\":\"YYYY-MM-DD\"},"    \
	"\"parent\":{\"type\":\"string\",\"minLength\":1,\"description\":"     \
	"\"Parent issue key: the epic of a story or task, or the issue a "     \
	"sub-task belongs to\"},"                                              \
	"\"assignee\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"     \
	"128,\"description\":\"The assignee: accountId, e-mail address, "      \
	"display name, or \\\"me\\\" for the authenticated user (a name or "   \
	"e-mail that matches several users is refused with the "               \
	"candidates)\"},"                                                      \
	"\"fields\":{\"type\":\"object\",\"description\":\"Other fields by "   \
	"id, "                                                                 \
	"in Jira's REST format, e.g. {\\\"customfield_10011\\\": \\\"Epic "    \
	"name\\\", \\\"customfield_10016\\\": 5, \\\"customfield_10030\\\": "  \
	"{\\\"value\\\": \\\"Option A\\\"}}. get_create_fields gives the "     \
	"ids, "                                                                \
	"types and allowed values.\"},"                                        \
	"\"rich_text_fields\":{\"type\":\"object\",\"additionalProperties\":"  \
	"{\"type\":\"string\"},\"description\":\"Rich-text custom fields by "  \
	"id, each given as Markdown, e.g. {\\\"customfield_10050\\\": "        \
	"\\\"**Steps**: ...\\\"}\"}"

#define LABELS_ITEMS                                                           \
	"{\"type\":\"string\",\"pattern\":\"^[^\\\\s]+$\",\"maxLength\":255}"

static const skill_tool_t search_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "search_issues",
        .title = "Search Jira issues (JQL)",
        .description =
                "Find Jira issues with a JQL query, following Jira's pages "
                "(nextPageToken) until max_results issues are collected. Each "
                "issue comes back compact: its key, and the chosen fields with "
                "rich text as Markdown, people as accountId and name, and "
                "statuses, priorities and types as names. When more issues "
                "match, the result's next_page_token continues the same "
                "search. A rate limit (429) or server failure is retried "
                "as Retry-After asks; if it persists after some pages were "
                "read, those come back with partial: true and the "
                "next_page_token that resumes. "
                "JQL must be bounded, e.g. 'project = PROJ AND statusCategory "
                "!= "
                "Done ORDER BY updated DESC', 'assignee = currentUser()', "
                "'text "
                "~ \"login error\"'.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"jql\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
                "20000,\"description\":\"The JQL query\"},"
                "\"fields\":{\"type\":\"array\",\"maxItems\":200,\"items\":{"
                "\"type\":\"string\",\"minLength\":1},\"description\":\"Field "
                "ids to return, e.g. [\\\"summary\\\", \\\"status\\\", "
                "\\\"customfield_10016\\\"], or [\\\"*all\\\"]. Default: "
                "summary, status, assignee, reporter, priority, issuetype, "
                "labels, created, updated, parent\"},"
                "\"max_results\":{\"type\":\"integer\",\"minimum\":1,"
                "\"maximum\":"
                "1000,\"default\":50,\"description\":\"Most issues to return "
                "(pages are followed until then)\"},"
                "\"page_size\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":"
                "100,\"default\":50,\"description\":\"Issues asked of Jira per "
                "page\"},"
                "\"next_page_token\":{\"type\":\"string\",\"minLength\":1,"
                "\"description\":\"Continue an earlier search (same jql) from "
                "the next_page_token it returned\"},"
                "\"expand\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z.,]*$\","
                "\"description\":\"Comma-separated extras: renderedFields, "
                "names, "
                "schema, transitions, operations, editmeta, changelog\"},"
                "\"raw\":{\"type\":\"boolean\",\"default\":false,"
                "\"description\":"
                "\"Return the fields exactly as Jira does (rich text as "
                "ADF)\"}},"
                "\"required\":[\"jql\"],\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"issues\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
                "\"properties\":{\"key\":{\"type\":\"string\"},\"id\":{"
                "\"type\":"
                "\"string\"},\"fields\":{\"type\":\"object\"},\"field_names\":{"
                "\"type\":\"object\"}},\"required\":[\"fields\"]}},"
                "\"count\":{\"type\":\"integer\"},\"is_last\":{\"type\":"
                "\"boolean\"},\"next_page_token\":{\"type\":\"string\"},"
                "\"partial\":{\"type\":\"boolean\"},\"warning\":{\"type\":"
                "\"string\"},"
                "\"field_names\":{\"type\":\"object\"}},"
                "\"required\":[\"issues\",\"count\",\"is_last\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t get_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "get_issue",
        .title = "Get a Jira issue",
        .description =
                "Read one Jira issue: all its fields (or the ones asked for), "
                "with the description and comments as Markdown, people as "
                "accountId and name, and custom fields with their names. Set "
                "raw "
                "to get the fields exactly as Jira returns them (rich text as "
                "Atlassian Document Format). When a rich-text field holds "
                "content Markdown cannot express (panels, images, status "
                "lozenges, dates, emoji, colours, underline, task lists, "
                "expands...), markdown_losses names it per field: edit such "
                "a field through its ADF (raw) and update_issue's fields, "
                "not through Markdown.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP ","
                "\"fields\":{\"type\":\"array\",\"maxItems\":200,\"items\":{"
                "\"type\":\"string\",\"minLength\":1},\"description\":\"Field "
                "ids "
                "to return; default all\"},"
                "\"expand\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z.,]*$\","
                "\"description\":\"Comma-separated extras: renderedFields, "
                "changelog, transitions, editmeta, operations\"},"
                "\"raw\":{\"type\":\"boolean\",\"default\":false}},"
                "\"required\":[\"issue_key\"],\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"key\":{\"type\":"
                "\"string\"},\"id\":{\"type\":\"string\"},\"url\":{\"type\":"
                "\"string\"},\"fields\":{\"type\":\"object\"},\"field_names\":{"
                "\"type\":\"object\"},\"markdown_losses\":{\"type\":"
                "\"object\",\"additionalProperties\":{\"type\":\"array\","
                "\"items\":{\"type\":\"object\",\"properties\":{\"kind\":{"
                "\"type\":\"string\"},\"count\":{\"type\":\"integer\"},"
                "\"at\":{\"type\":\"string\"},\"layout\":{\"type\":"
                "\"boolean\"}}}}}},"
                "\"required\":[\"key\",\"fields\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t create_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "create_issue",
        .title = "Create a Jira issue",
        .description =
                "Create a Jira issue. The description is Markdown and is "
                "converted to Jira's rich text. Custom fields go in \"fields\" "
                "by id (get_create_fields lists the fields an issue type "
                "takes, "
                "which are required, and their allowed values). Returns the "
                "new "
                "issue's key and address. Each call creates a new issue.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" PROJECT_PROP ","
                "\"summary\":{\"type\":\"string\",\"minLength\":1,"
                "\"maxLength\":"
                "255},"
                "\"issue_type\":{\"type\":\"string\",\"minLength\":1,"
                "\"default\":"
                "\"Task\",\"description\":\"Issue type name (Task, Bug, Story, "
                "Epic, Subtask...) or id\"},"
                "\"labels\":{\"type\":\"array\",\"maxItems\":100,"
                "\"items\":" LABELS_ITEMS
                ",\"description\":\"Labels (no spaces)\"}," EDIT_PROPS
                "},\"required\":[\"project\",\"summary\"],"
                "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"key\":{\"type\":"
                "\"string\"},\"id\":{\"type\":\"string\"},\"url\":{\"type\":"
                "\"string\"}},\"required\":[\"key\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t update_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "update_issue",
        .title = "Update a Jira issue",
        .description =
                "Change fields of a Jira issue: what is given replaces the "
                "current value (the description is Markdown). Labels can be "
                "replaced (labels) or changed one by one (add_labels, "
                "remove_labels). To change the status use transition_issue; to "
                "change the assignee, assign_issue or assignee here. A "
                "Markdown description (or rich_text_fields) is refused when "
                "the field's current content has parts Markdown cannot "
                "express, naming them: then edit its ADF (get_issue raw) "
                "and pass it in fields, or set allow_loss.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP ","
                "\"summary\":{\"type\":\"string\",\"minLength\":1,"
                "\"maxLength\":"
                "255},"
                "\"labels\":{\"type\":\"array\",\"maxItems\":100,"
                "\"items\":" LABELS_ITEMS
                ",\"description\":\"Replaces all labels\"},"
                "\"add_labels\":{\"type\":\"array\",\"maxItems\":100,"
                "\"items\":" LABELS_ITEMS "},"
                "\"remove_labels\":{\"type\":\"array\",\"maxItems\":100,"
                "\"items\":" LABELS_ITEMS "},"
                "\"notify_users\":{\"type\":\"boolean\",\"default\":true,"
                "\"description\":\"Whether watchers get an "
                "e-mail\"},"
                "\"allow_loss\":{\"type\":\"boolean\",\"default\":false,"
                "\"description\":\"Replace rich text from Markdown even "
                "when its current content has parts Markdown cannot "
                "express (they are lost)\"}," EDIT_PROPS
                "},\"required\":[\"issue_key\"],"
                "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"key\":{\"type\":"
                "\"string\"},\"updated\":{\"type\":\"array\",\"items\":{"
                "\"type\":"
                "\"string\"}},\"dropped_layout\":{\"type\":\"object\","
                "\"description\":\"Per field, the table widths the "
                "Markdown could not keep\"}},\"required\":[\"key\","
                "\"updated\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t comment_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "add_comment",
        .title = "Comment on a Jira issue",
        .description =
                "Add a comment to a Jira issue. The body is Markdown and is "
                "converted to Jira's rich text; mention people with "
                "[~accountid:ACCOUNT_ID]. Optionally restrict who sees it to a "
                "project role or a group. Each call adds a new comment.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP ","
                "\"body\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
                "200000,\"description\":\"" MARKDOWN_NOTE "\"},"
                "\"visibility\":{\"type\":\"object\",\"properties\":{\"type\":{"
                "\"enum\":[\"role\",\"group\"]},\"value\":{\"type\":\"string\","
                "\"minLength\":1,\"description\":\"Role name (e.g. "
                "Developers) or group "
                "name\"}},\"required\":[\"type\",\"value\"],"
                "\"additionalProperties\":false}},"
                "\"required\":[\"issue_key\",\"body\"],"
                "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"issue_key\":{\"type\":"
                "\"string\"},\"id\":{\"type\":\"string\"},\"created\":{"
                "\"type\":"
                "\"string\"}},\"required\":[\"issue_key\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

#define TRANSITION_SCHEMA                                                      \
	"{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"   \
	"\"name\":{\"type\":\"string\"},\"to_status\":{\"type\":\"string\"},"  \
	"\"to_status_category\":{\"type\":\"string\"},\"has_screen\":{"        \
	"\"type\":\"boolean\"},\"required_fields\":{\"type\":\"array\","       \
	"\"items\":{\"type\":\"string\"}}},\"required\":[\"id\"]}"

static const skill_tool_t transitions_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "list_transitions",
        .title = "List a Jira issue's transitions",
        .description =
                "List the workflow transitions a Jira issue can take from its "
                "current status: each transition's id and name, the status it "
                "leads to, and the fields its screen requires.",
        .input_schema = "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP
                        "},\"required\":[\"issue_key\"],"
                        "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"issue_key\":{\"type\":"
                "\"string\"},\"transitions\":{\"type\":\"array\","
                "\"items\":" TRANSITION_SCHEMA "}},\"required\":[\"issue_key\","
                "\"transitions\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t transition_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "transition_issue",
        .title = "Move a Jira issue through its workflow",
        .description =
                "Change a Jira issue's status by taking a workflow transition, "
                "named by its name (\"Start Progress\"), its id, or the status "
                "it "
                "leads to (\"Done\"). Optionally add a comment (Markdown) and "
                "set "
                "fields the transition's screen asks for, such as the "
                "resolution. An unknown transition fails with the list of "
                "those "
                "available.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP ","
                "\"transition\":{\"type\":\"string\",\"minLength\":1,"
                "\"description\":\"Transition name or id, or the target status "
                "name\"},"
                "\"comment\":{\"type\":\"string\",\"minLength\":1,"
                "\"maxLength\":"
                "200000,\"description\":\"" MARKDOWN_NOTE "\"},"
                "\"resolution\":{\"type\":\"string\",\"minLength\":1,"
                "\"description\":\"Resolution name, e.g. Done, Won't Do\"},"
                "\"fields\":{\"type\":\"object\",\"description\":\"Fields to "
                "set "
                "with the transition, by id, in Jira's REST format\"}},"
                "\"required\":[\"issue_key\",\"transition\"],"
                "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"issue_key\":{\"type\":"
                "\"string\"},\"transition\":" TRANSITION_SCHEMA "},"
                "\"required\":[\"issue_key\",\"transition\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t assign_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "assign_issue",
        .title = "Assign a Jira issue",
        .description =
                "Assign a Jira issue to a user by accountId, e-mail address "
                "or display name, to \"me\" (the authenticated user), or to "
                "nobody (null). A name or e-mail is looked up and must "
                "match one user: otherwise the call is refused with the "
                "candidates and nothing changes (find_users searches).",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP ","
                "\"account_id\":{\"type\":[\"string\",\"null\"],\"minLength\":"
                "1,"
                "\"maxLength\":128,\"description\":\"accountId, e-mail "
                "address, "
                "display name, \\\"me\\\", or null to unassign\"}},"
                "\"required\":[\"issue_key\",\"account_id\"],"
                "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"issue_key\":{\"type\":"
                "\"string\"},\"assignee\":{\"type\":[\"object\",\"null\"],"
                "\"properties\":{\"accountId\":{\"type\":\"string\"},"
                "\"displayName\":{\"type\":\"string\"}}}},"
                "\"required\":[\"issue_key\",\"assignee\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t projects_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "list_projects",
        .title = "List Jira projects",
        .description =
                "List the Jira projects the account can see, by key, following "
                "Jira's pages up to max_results; query filters by key or name. "
                "When more remain, next_start_at continues the listing.",
        .input_schema = "{\"type\":\"object\",\"properties\":{"
                        "\"query\":{\"type\":\"string\",\"maxLength\":200,"
                        "\"description\":"
                        "\"Only projects whose key or name contains this\"},"
                        "\"max_results\":{\"type\":\"integer\",\"minimum\":1,"
                        "\"maximum\":"
                        "1000,\"default\":50},"
                        "\"start_at\":{\"type\":\"integer\",\"minimum\":0,"
                        "\"default\":0,"
                        "\"description\":\"Skip this many (from an earlier "
                        "next_start_at)\"}},\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"projects\":{\"type\":"
                "\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
                "\"id\":"
                "{\"type\":\"string\"},\"key\":{\"type\":\"string\"},\"name\":{"
                "\"type\":\"string\"},\"type\":{\"type\":\"string\"},\"lead\":{"
                "\"type\":\"string\"}},\"required\":[\"key\"]}},\"count\":{"
                "\"type\":\"integer\"},\"total\":{\"type\":\"integer\"},"
                "\"next_start_at\":{\"type\":\"integer\"}},"
                "\"required\":[\"projects\",\"count\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t create_fields_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "get_create_fields",
        .title = "Discover Jira issue types and fields",
        .description =
                "Without issue_type: list the issue types that can be created "
                "in a project. With issue_type (name or id): list the fields "
                "that type takes when creating an issue, each with its id "
                "(e.g. "
                "customfield_10011), name, whether it is required, its type "
                "and "
                "its allowed values, so create_issue can set custom fields.",
        .input_schema = "{\"type\":\"object\",\"properties\":{" PROJECT_PROP ","
                        "\"issue_type\":{\"type\":\"string\",\"minLength\":1,"
                        "\"description\":\"Issue type name or id\"},"
                        "\"max_fields\":{\"type\":\"integer\",\"minimum\":1,"
                        "\"maximum\":"
                        "1000,\"default\":200}},\"required\":[\"project\"],"
                        "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"project\":{\"type\":"
                "\"string\"},\"issue_types\":{\"type\":\"array\",\"items\":{"
                "\"type\":\"object\"}},\"issue_type\":{\"type\":\"object\"},"
                "\"fields\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
                "\"properties\":{\"id\":{\"type\":\"string\"},\"name\":{"
                "\"type\":"
                "\"string\"},\"required\":{\"type\":\"boolean\"}},\"required\":"
                "["
                "\"id\",\"required\"]}},\"truncated\":{\"type\":\"boolean\"}},"
                "\"required\":[\"project\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

/* The tools: one row per tool, its descriptor and its handler together.
 * The ABI's descriptor array and the handler array both come from this
 * list (tooltable.h), so an index always reaches the right handler. */
static const skill_tool_t users_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "find_users",
        .title = "Find Jira users",
        .description =
                "Find Jira users by part of their name or e-mail address: "
                "each with its accountId (what Jira's API takes), display "
                "name, and e-mail address where the user's privacy settings "
                "let Jira show it. assign_issue and the assignee of "
                "create_issue and update_issue also take a name or e-mail "
                "directly.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"query\":{\"type\":\"string\",\"minLength\":1,"
                "\"maxLength\":200,\"description\":\"Start of a name or "
                "e-mail address, e.g. bob or bob@example.com\"},"
                "\"max_results\":{\"type\":\"integer\",\"minimum\":1,"
                "\"maximum\":100,\"default\":20}},"
                "\"required\":[\"query\"],\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"users\":{\"type\":"
                "\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
                "\"accountId\":{\"type\":\"string\"},\"displayName\":{"
                "\"type\":\"string\"},\"emailAddress\":{\"type\":\"string\"},"
                "\"accountType\":{\"type\":\"string\"},\"active\":{\"type\":"
                "\"boolean\"}},\"required\":[\"accountId\"]}},\"count\":{"
                "\"type\":\"integer\"}},\"required\":[\"users\",\"count\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const char *const needs_files[] = {SKILL_EXT_HTTP, SKILL_EXT_SECRETS,
                                          SKILL_EXT_ARTIFACTS, NULL};

#define USER_PROP(what)                                                        \
	"\"user\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":128,"     \
	"\"description\":\"" what ": accountId, e-mail address, display "      \
	"name, or \\\"me\\\"\"}"

#define ATTACHMENT_ITEM                                                        \
	"{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"   \
	"\"filename\":{\"type\":\"string\"},\"mime_type\":{\"type\":"          \
	"\"string\"},\"size\":{\"type\":\"integer\"},\"created\":{\"type\":"   \
	"\"string\"},\"author\":{\"type\":\"object\"}},\"required\":[\"id\"]}"

#define WORKLOG_PROPS                                                          \
	"\"id\":{\"type\":\"string\"},\"time_spent\":{\"type\":\"string\"},"   \
	"\"time_spent_seconds\":{\"type\":\"integer\"},\"started\":{\"type\":" \
	"\"string\"},\"comment\":{\"type\":\"string\"},\"author\":{\"type\":"  \
	"\"object\"}"

static const skill_tool_t list_attachments_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "list_attachments",
        .title = "List a Jira issue's attachments",
        .description = "List the files attached to a Jira issue: id, file "
                       "name, type, size, who added it and when. "
                       "get_attachment downloads one.",
        .input_schema = "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP
                        "},\"required\":[\"issue_key\"],"
                        "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"issue_key\":{\"type\":"
                "\"string\"},\"attachments\":{\"type\":\"array\","
                "\"items\":" ATTACHMENT_ITEM
                "},\"count\":{\"type\":\"integer\"}},"
                "\"required\":[\"issue_key\",\"attachments\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t add_attachment_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "add_attachment",
        .title = "Attach a file to a Jira issue",
        .description =
                "Upload a file to a Jira issue as an attachment: a file the "
                "operator allowed the skill to read, or an artifact another "
                "tool made (its URI). Each call adds a new attachment.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP ","
                "\"path\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
                "4096,\"description\":\"The file: a path in an allowed input "
                "folder, or an artifact's URI\"},"
                "\"filename\":{\"type\":\"string\",\"minLength\":1,"
                "\"maxLength\":255,\"pattern\":\"^[^/\\\\\\\\]+$\","
                "\"description\":\"Name shown in Jira (default: the file's "
                "own)\"},"
                "\"mime_type\":{\"type\":\"string\",\"pattern\":"
                "\"^[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+$\",\"description\":"
                "\"Default: from the file name's extension\"}},"
                "\"required\":[\"issue_key\",\"path\"],"
                "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"issue_key\":{\"type\":"
                "\"string\"},\"attachments\":{\"type\":\"array\","
                "\"items\":" ATTACHMENT_ITEM
                "},\"count\":{\"type\":\"integer\"}},"
                "\"required\":[\"issue_key\",\"attachments\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs_files};

static const skill_tool_t get_attachment_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "get_attachment",
        .title = "Download a Jira attachment",
        .description = "Download a Jira attachment by id (list_attachments "
                       "gives ids) and save it as an artifact; the result "
                       "links to it.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                "\"string\",\"pattern\":\"^[0-9]{1,20}$\",\"description\":"
                "\"The attachment id\"}},\"required\":[\"id\"],"
                "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                "\"string\"},\"filename\":{\"type\":\"string\"},\"mime_type\":"
                "{\"type\":\"string\"},\"size\":{\"type\":\"integer\"},"
                "\"uri\":{\"type\":\"string\"}},\"required\":[\"id\","
                "\"filename\",\"size\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs_files};

static const skill_tool_t link_types_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "list_link_types",
        .title = "List Jira issue link types",
        .description = "List the site's issue link types (Blocks, Relates, "
                       "Duplicate...) with their outward and inward wording "
                       "(\"blocks\" / \"is blocked by\").",
        .input_schema = "{\"type\":\"object\",\"properties\":{},"
                        "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"link_types\":{\"type\":"
                "\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
                "\"id\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},"
                "\"inward\":{\"type\":\"string\"},\"outward\":{\"type\":"
                "\"string\"}}}}},\"required\":[\"link_types\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t link_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "link_issues",
        .title = "Link two Jira issues",
        .description =
                "Link two Jira issues with a link type (list_link_types): "
                "outward_issue takes the type's outward wording toward "
                "inward_issue, e.g. type Blocks with outward_issue ENG-1 and "
                "inward_issue ENG-2 reads \"ENG-1 blocks ENG-2\". Optionally "
                "comment (Markdown) on the outward (from) issue. Returns the "
                "link's id, for delete_issue_link.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"type\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
                "255,\"description\":\"Link type name, e.g. Blocks, "
                "Relates\"},"
                "\"outward_issue\":{\"type\":\"string\",\"pattern\":"
                "\"^([A-Za-z][A-Za-z0-9_]*-[1-9][0-9]*|[1-9][0-9]*)$\"},"
                "\"inward_issue\":{\"type\":\"string\",\"pattern\":"
                "\"^([A-Za-z][A-Za-z0-9_]*-[1-9][0-9]*|[1-9][0-9]*)$\"},"
                "\"comment\":{\"type\":\"string\",\"minLength\":1,"
                "\"maxLength\":200000}},"
                "\"required\":[\"type\",\"outward_issue\",\"inward_issue\"],"
                "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"type\":{\"type\":"
                "\"string\"},\"outward_issue\":{\"type\":\"string\"},"
                "\"inward_issue\":{\"type\":\"string\"},\"link_id\":{\"type\":"
                "\"string\"}},\"required\":[\"type\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t unlink_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "delete_issue_link",
        .title = "Delete a Jira issue link",
        .description = "Delete one issue link by its id (get_issue's "
                       "issuelinks, or link_issues' result).",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{\"link_id\":{\"type\":"
                "\"string\",\"pattern\":\"^[0-9]{1,20}$\"}},\"required\":["
                "\"link_id\"],\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"link_id\":{\"type\":"
                "\"string\"},\"deleted\":{\"type\":\"boolean\"}},"
                "\"required\":[\"link_id\",\"deleted\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t worklogs_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "list_worklogs",
        .title = "List a Jira issue's worklogs",
        .description = "List the work logged on a Jira issue: who, how long, "
                       "when started, and the comment as Markdown.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP ","
                "\"max_results\":{\"type\":\"integer\",\"minimum\":1,"
                "\"maximum\":1000,\"default\":100}},"
                "\"required\":[\"issue_key\"],\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"issue_key\":{\"type\":"
                "\"string\"},\"worklogs\":{\"type\":\"array\",\"items\":{"
                "\"type\":\"object\",\"properties\":{" WORKLOG_PROPS "}}},"
                "\"total\":{\"type\":\"integer\"}},\"required\":["
                "\"issue_key\",\"worklogs\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t add_worklog_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "add_worklog",
        .title = "Log work on a Jira issue",
        .description =
                "Log time spent on a Jira issue: time_spent in Jira's units "
                "(\"1h 30m\", \"2d\") or time_spent_seconds, when it started "
                "(default now), and an optional Markdown comment. Each call "
                "adds a new worklog.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP ","
                "\"time_spent\":{\"type\":\"string\",\"pattern\":"
                "\"^ *[0-9]+(\\\\.[0-9]+)? *[wdhm]( +[0-9]+(\\\\.[0-9]+)? "
                "*[wdhm])* *$\","
                "\"description\":\"e.g. 1h 30m\"},"
                "\"time_spent_seconds\":{\"type\":\"integer\",\"minimum\":60},"
                "\"started\":{\"type\":\"string\",\"pattern\":"
                "\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\\\."
                "[0-9]{3}[+-][0-9]{4}$\",\"description\":\"e.g. "
                "2026-01-17T12:34:00.000+0000; default now\"},"
                "\"comment\":{\"type\":\"string\",\"minLength\":1,"
                "\"maxLength\":200000}},"
                "\"required\":[\"issue_key\"],\"additionalProperties\":false}",
        .output_schema = "{\"type\":\"object\",\"properties\":{\"issue_key\":{"
                         "\"type\":\"string\"}," WORKLOG_PROPS "},"
                         "\"required\":[\"issue_key\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t watchers_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "list_watchers",
        .title = "List a Jira issue's watchers",
        .description = "List who watches a Jira issue (accountId and name), "
                       "and whether the authenticated user does.",
        .input_schema = "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP
                        "},\"required\":[\"issue_key\"],"
                        "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"issue_key\":{\"type\":"
                "\"string\"},\"watchers\":{\"type\":\"array\",\"items\":{"
                "\"type\":\"object\"}},\"watch_count\":{\"type\":\"integer\"},"
                "\"is_watching\":{\"type\":\"boolean\"}},\"required\":["
                "\"issue_key\",\"watchers\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

#define WATCHER_OUT(k)                                                         \
	"{\"type\":\"object\",\"properties\":{\"issue_key\":{\"type\":"        \
	"\"string\"},\"" k "\":{\"type\":\"object\",\"properties\":{"          \
	"\"accountId\":{\"type\":\"string\"}}}},\"required\":[\"issue_key\","  \
	"\"" k "\"]}"

static const skill_tool_t add_watcher_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "add_watcher",
        .title = "Add a watcher to a Jira issue",
        .description = "Make a user watch a Jira issue. The user may be "
                       "given as accountId, e-mail, name or \"me\"; an "
                       "ambiguous name is refused with the candidates.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP
                "," USER_PROP("Who watches") "},\"required\":[\"issue_key\","
                                             "\"user\"],"
                                             "\"additionalProperties\":false}",
        .output_schema = WATCHER_OUT("added"),
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t remove_watcher_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "remove_watcher",
        .title = "Remove a watcher from a Jira issue",
        .description = "Stop a user watching a Jira issue (accountId, "
                       "e-mail, name or \"me\").",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" ISSUE_KEY_PROP
                "," USER_PROP(
                        "Who stops watching") "},\"required\":[\"issue_key\","
                                              "\"user\"],"
                                              "\"additionalProperties\":false}",
        .output_schema = WATCHER_OUT("removed"),
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

#define JIRA_TOOLS(X)                                                          \
	X(search_tool, jira_search_issues)                                     \
	X(get_tool, jira_get_issue)                                            \
	X(create_tool, jira_create_issue)                                      \
	X(update_tool, jira_update_issue)                                      \
	X(comment_tool, jira_add_comment)                                      \
	X(transitions_tool, jira_list_transitions)                             \
	X(transition_tool, jira_transition_issue)                              \
	X(assign_tool, jira_assign_issue)                                      \
	X(projects_tool, jira_list_projects)                                   \
	X(create_fields_tool, jira_get_create_fields)                          \
	X(users_tool, jira_find_users)                                         \
	X(list_attachments_tool, jira_list_attachments)                        \
	X(add_attachment_tool, jira_add_attachment)                            \
	X(get_attachment_tool, jira_get_attachment)                            \
	X(link_types_tool, jira_list_link_types)                               \
	X(link_tool, jira_link_issues)                                         \
	X(unlink_tool, jira_delete_link)                                       \
	X(worklogs_tool, jira_list_worklogs)                                   \
	X(add_worklog_tool, jira_add_worklog)                                  \
	X(watchers_tool, jira_list_watchers)                                   \
	X(add_watcher_tool, jira_add_watcher)                                  \
	X(remove_watcher_tool, jira_remove_watcher)

typedef skill_status (*tool_fn)(struct jira *j, const cJSON *args);

static const skill_tool_t *const tools[] = {JIRA_TOOLS(TT_DESCRIPTOR)};
static const tool_fn handlers[] = {JIRA_TOOLS(TT_HANDLER)};
TT_ASSERT_SAME_LENGTH(tools, handlers);

static const skill_ext_config_schema_t config_schema = {
        .struct_size = sizeof(skill_ext_config_schema_t),
        .schema = "{\"type\":\"object\",\"properties\":{\"base_url\":{"
                  "\"type\":\"string\",\"pattern\":\"^https?://[^/?#@\\\\s]+"
                  "(/[^?#\\\\s]*)?$\",\"description\":\"The Jira site, e.g. "
                  "https://your-site.atlassian.net (used when the "
                  "JIRA_BASE_URL secret is not set)\"}},"
                  "\"additionalProperties\":false}"};

static const void *get_extension(void *data, const char *id)
{
	(void)data;
	return rc_config_schema(id, &config_schema);
}

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool,
                           const char *args_json, size_t args_len)
{
	struct jira j;
	cJSON *args;
	skill_status st;

	(void)data;
	st = rc_begin(host, call, tool, TT_COUNT(handlers), args_json, args_len,
	              &args);
	if (st != SKILL_OK)
		return st;
	st = jira_open(&j, host, call);
	if (st == SKILL_OK)
		st = handlers[tool](&j, args);
	jira_close(&j);
	cJSON_Delete(args);
	return st;
}

static const skill_entry_t entry = {
        .struct_size = sizeof entry,
        .abi = SKILL_ABI_CURRENT,
        .name = JIRA_SKILL_NAME,
        .version = "1.0.0",
        .description = "Search, read, create, update, comment on, transition "
                       "and assign Jira Cloud issues, with Markdown for rich "
                       "text, and discover projects, issue types and custom "
                       "fields.",
        .license = "Apache-2.0",
        .tool_count = TT_COUNT(tools),
        .tools = tools,
        .invoke = invoke,
        .get_extension = get_extension};

SKILL_EXPORT const skill_entry_t *skill_entry_v1(void)
{
	return &entry;
}
