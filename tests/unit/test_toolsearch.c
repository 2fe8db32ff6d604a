/*
 * test_toolsearch.c - BM25 tool search (toolsearch.h): with 1,000
 * generated tools (50 services x 20 actions, descriptions from templates,
 * argument names from the action), a query phrased as the purpose of a
 * known tool, in other words than its name, finds it in the top 5; word
 * forms meet ("comments" / "commenting"); argument names count; no match
 * returns nothing; the ranking is by score.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "toolsearch.h"

static const char *const services[50] = {
        "jira",       "github",     "gitlab",     "slack",     "teams",
        "zoom",       "salesforce", "hubspot",    "stripe",    "paypal",
        "shopify",    "notion",     "confluence", "trello",    "asana",
        "linear",     "sentry",     "datadog",    "pagerduty", "grafana",
        "aws",        "gcp",        "azure",      "docker",    "kubernetes",
        "postgres",   "mysql",      "redis",      "mongodb",   "snowflake",
        "bigquery",   "airtable",   "gmail",      "outlook",   "calendar",
        "dropbox",    "drive",      "box",        "figma",     "miro",
        "zendesk",    "intercom",   "twilio",     "sendgrid",  "mailchimp",
        "quickbooks", "xero",       "workday",    "okta",      "powerpoint"};

static const struct {
	const char *verb, *object, *desc, *args;
} actions[20] = {
        {"add", "comment", "Add a comment to an existing %s item",
         "item_id body"},
        {"create", "issue", "Create a new issue or ticket in %s",
         "title description priority"},
        {"list", "issues", "List the open issues in a %s project",
         "project status limit"},
        {"delete", "item", "Delete an item permanently from %s", "item_id"},
        {"search", "records", "Search %s records matching a text query",
         "query limit"},
        {"get", "user", "Look up a user profile in %s by email", "email"},
        {"send", "message", "Send a chat message to a %s channel",
         "channel text"},
        {"upload", "file", "Upload a file attachment to %s", "path filename"},
        {"download", "file", "Download a stored file from %s", "file_id"},
        {"update", "status", "Change the workflow status of a %s item",
         "item_id status"},
        {"assign", "owner", "Assign an owner to a %s item", "item_id assignee"},
        {"close", "issue", "Close a resolved issue in %s", "issue_id"},
        {"export", "report", "Export a CSV report from %s", "report_id format"},
        {"schedule", "meeting", "Schedule a meeting with attendees in %s",
         "start attendees"},
        {"invite", "member", "Invite a new member to a %s workspace",
         "email role"},
        {"archive", "project", "Archive an old project in %s", "project_id"},
        {"tag", "label", "Attach a label to a %s item", "item_id label"},
        {"refund", "payment", "Refund a customer payment through %s",
         "payment_id amount"},
        {"rotate", "key", "Rotate an API key used by %s", "key_id"},
        {"backup", "database", "Take a backup snapshot of a %s database",
         "database"},
};

struct gen {
	struct toolsearch_doc docs[1000];
	char names[1000][96], descs[1000][160], schemas[1000][256];
};

static struct gen *generate(void)
{
	struct gen *g = calloc(1, sizeof *g);

	for (size_t s = 0; s < 50; s++)
		for (size_t a = 0; a < 20; a++) {
			size_t i = s * 20 + a;
			char args[64], *tok, *save = NULL;
			int first = 1;
			snprintf(g->names[i], sizeof g->names[i],
			         "acme/%s.%s_%s", services[s], actions[a].verb,
			         actions[a].object);
			{
				/* The template's "%s" is the service. */
				const char *at = strstr(actions[a].desc, "%s");
				snprintf(g->descs[i], sizeof g->descs[i],
				         "%.*s%s%s",
				         (int)(at - actions[a].desc),
				         actions[a].desc, services[s], at + 2);
			}
			snprintf(args, sizeof args, "%s", actions[a].args);
			strcpy(g->schemas[i],
			       "{\"type\":\"object\",\"properties\":{");
			for (tok = strtok_r(args, " ", &save); tok;
			     tok = strtok_r(NULL, " ", &save)) {
				strcat(g->schemas[i], first ? "\"" : ",\"");
				strcat(g->schemas[i], tok);
				strcat(g->schemas[i],
				       "\":{\"type\":\"string\"}");
				first = 0;
			}
			strcat(g->schemas[i], "}}");
			g->docs[i].name = g->names[i];
			g->docs[i].description = g->descs[i];
			g->docs[i].input_schema = g->schemas[i];
		}
	return g;
}

static size_t find(const struct gen *g, const char *name)
{
	for (size_t i = 0; i < 1000; i++)
		if (!strcmp(g->names[i], name))
			return i;
	fail_msg("no generated tool %s", name);
	return 0;
}

static void expect_top5(const struct toolsearch *ts, const struct gen *g,
                        const char *query, const char *want)
{
	size_t idx[5], n = toolsearch_query(ts, query, 5, idx, NULL);
	size_t w = find(g, want);

	for (size_t i = 0; i < n; i++)
		if (idx[i] == w)
			return;
	fail_msg("\"%s\": %s is not in the top 5 (first: %s)", query, want,
	         n ? g->names[idx[0]] : "nothing");
}

static void test_top5_at_1000(void **state)
{
	struct gen *g = generate();
	struct toolsearch *ts;
	struct sh_error e;

	(void)state;
	assert_int_equal(toolsearch_build(g->docs, 1000, &ts, &e), SH_OK);
	expect_top5(ts, g, "post a comment on a jira ticket",
	            "acme/jira.add_comment");
	expect_top5(ts, g, "refund the customer's stripe payment",
	            "acme/stripe.refund_payment");
	expect_top5(ts, g, "slack: send a message to a channel",
	            "acme/slack.send_message");
	expect_top5(ts, g, "take a snapshot of the postgres database",
	            "acme/postgres.backup_database");
	expect_top5(ts, g, "commenting on github", "acme/github.add_comment");
	expect_top5(ts, g, "which okta user has this email",
	            "acme/okta.get_user");
	toolsearch_free(ts);
	free(g);
}

static void test_ranking_and_misses(void **state)
{
	const struct toolsearch_doc docs[] = {
	        {"a/x.weather", NULL, "Current weather for a city", NULL},
	        {"a/x.forecast", NULL, "Weather forecast, weather radar",
	         "{\"properties\":{\"city\":{\"type\":\"string\"}}}"},
	        {"a/x.stocks", NULL, "Stock prices", NULL},
	};
	struct toolsearch *ts;
	struct sh_error e;
	size_t idx[3];
	double sc[3];

	(void)state;
	assert_int_equal(toolsearch_build(docs, 3, &ts, &e), SH_OK);
	assert_int_equal(toolsearch_query(ts, "zebra crossing", 3, idx, sc), 0);
	assert_int_equal(toolsearch_query(ts, "the of and", 3, idx, sc), 0);
	/* The name counts most. */
	assert_int_equal(toolsearch_query(ts, "weather", 3, idx, sc), 2);
	assert_int_equal(idx[0], 0);
	assert_true(sc[0] >= sc[1]);
	/* Argument names are searched. */
	assert_int_equal(toolsearch_query(ts, "city", 3, idx, sc), 2);
	assert_int_equal(idx[0], 1);
	assert_int_equal(toolsearch_query(ts, "stock", 1, idx, sc), 1);
	assert_int_equal(idx[0], 2);
	toolsearch_free(ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_top5_at_1000),
	        cmocka_unit_test(test_ranking_and_misses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
