/*
 * jira_tools.c - the tools of skillhost/jira. See jira_tools.h.
 */
#include "jira_tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adf_loss.h"
#include "adf_md.h"
#include "jira_fields.h"
#include "jira_users.h"
#include "md_adf.h"
#include "restcall.h"

static const char *const default_search_fields[] = {
        "summary",   "status", "assignee", "reporter", "priority",
        "issuetype", "labels", "created",  "updated",  "parent"};

/* ---- arguments ---- */

static const char *or_str(const char *a, const char *b)
{
	return a ? a : b;
}

static const char *arg_str(const cJSON *args, const char *k)
{
	return rc_str(args, k);
}

static int arg_bool(const cJSON *args, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(args, k));
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* {"id": s} for a numeric id, else {name_key: s}. */
static cJSON *ref(const char *s, const char *name_key)
{
	cJSON *o = cJSON_CreateObject();

	if (o &&
	    !cJSON_AddStringToObject(o, all_digits(s) ? "id" : name_key, s)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

static skill_status nomem(struct jira *j)
{
	return jira_fail(j, SKILL_ERR_NOMEM, "out of memory");
}

/* Markdown to an ADF document, or a tool error naming the argument. */
static skill_status to_adf(struct jira *j, const char *md, const char *what,
                           cJSON **out)
{
	md_status ms = md_to_adf(md, strlen(md), out);

	if (ms == MD_ERR_TOO_LARGE)
		return jira_fail(
		        j, SKILL_ERR_TOOL,
		        "%s is over %zu bytes; Jira keeps at most 32,767 "
		        "characters of rich text, so shorten it",
		        what, MD_ADF_MAX_INPUT);
	if (ms != MD_OK)
		return nomem(j);
	return SKILL_OK;
}

/* The path /rest/api/3/issue/KEY[suffix] into b. */
static void issue_path(struct sbuf *b, const char *key, const char *suffix)
{
	sb_puts(b, JIRA_API "/issue/");
	sb_put_pct(b, key);
	if (suffix)
		sb_puts(b, suffix);
}

/* ---- search_issues ---- */

static cJSON *fields_array(const cJSON *args)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(args, "fields");
	cJSON *out;

	if (cJSON_GetArraySize(f) > 0)
		return cJSON_Duplicate(f, 1);
	out = cJSON_CreateArray();
	for (size_t i = 0;
	     out &&
	     i < sizeof default_search_fields / sizeof default_search_fields[0];
	     i++)
		if (!cJSON_AddItemToArray(
		            out,
		            cJSON_CreateString(default_search_fields[i]))) {
			cJSON_Delete(out);
			return NULL;
		}
	return out;
}

/* Custom field names from a "names" object into out.field_names. */
static int add_field_names(cJSON *out, const cJSON *names)
{
	const cJSON *it;
	cJSON *fn = NULL;

	cJSON_ArrayForEach(it, names)
	{
		if (!it->string || strncmp(it->string, "customfield_", 12) ||
		    !cJSON_IsString(it))
			continue;
		if (!fn && !(fn = cJSON_AddObjectToObject(out, "field_names")))
			return 0;
		if (!cJSON_AddStringToObject(fn, it->string, it->valuestring))
			return 0;
	}
	return 1;
}

#define SEARCH_HINT                                                            \
	"Fix the JQL (field names, quoting, operators) and search again; a "   \
	"query needs a search restriction, e.g. project = KEY ORDER BY "       \
	"updated DESC. A next_page_token only works with the JQL it came "     \
	"from."

skill_status jira_search_issues(struct jira *j, const cJSON *args)
{
	const char *jql = arg_str(args, "jql");
	const char *token = arg_str(args, "next_page_token");
	const char *expand = arg_str(args, "expand");
	int max = rc_int(args, "max_results", JIRA_DEFAULT_RESULTS);
	int page = rc_int(args, "page_size", JIRA_DEFAULT_RESULTS);
	int raw = arg_bool(args, "raw"), is_last = 1, count = 0, pages = 0;
	cJSON *out = cJSON_CreateObject(), *issues,
	      *fields = fields_array(args);
	char *next = NULL;
	skill_status st = SKILL_OK;

	if (max > JIRA_MAX_RESULTS_CAP)
		max = JIRA_MAX_RESULTS_CAP;
	if (page > JIRA_PAGE_MAX)
		page = JIRA_PAGE_MAX;
	issues = out ? cJSON_AddArrayToObject(out, "issues") : NULL;
	if (!issues || !fields) {
		st = nomem(j);
		goto out;
	}
	for (;;) {
		cJSON *body = cJSON_CreateObject(), *res = NULL, *it;
		const char *nt;
		const cJSON *last;
		int want = max - count < page ? max - count : page;

		if (!body || !cJSON_AddStringToObject(body, "jql", jql) ||
		    !cJSON_AddNumberToObject(body, "maxResults", want) ||
		    !cJSON_AddItemToObject(body, "fields",
		                           cJSON_Duplicate(fields, 1)) ||
		    (expand && *expand &&
		     !cJSON_AddStringToObject(body, "expand", expand)) ||
		    ((next || token) &&
		     !cJSON_AddStringToObject(body, "nextPageToken",
		                              next ? next : token))) {
			cJSON_Delete(body);
			st = nomem(j);
			goto out;
		}
		/* A search changes nothing, so its POST may be resent on a
		 * rate limit or a server failure. */
		j->retry_post = j->quiet = 1;
		st = jira_get_json(j, "POST", JIRA_API "/search/jql", body,
		                   "searching issues", SEARCH_HINT, &res);
		j->retry_post = j->quiet = 0;
		cJSON_Delete(body);
		if (st != SKILL_OK && j->failed &&
		    jira_retryable(j->failed->status) && count > 0) {
			/* Keep the pages already read: hand them back with the
			 * token that resumes at the page that failed. */
			char warn[256];
			long ra = rk_retry_after(j->http, j->failed);
			snprintf(warn, sizeof warn,
			         "Jira answered %d to page %d after %d "
			         "retries%s; these are the issues read before "
			         "it. Call again with next_page_token (and the "
			         "same jql) to resume%s",
			         j->failed->status, pages + 1, j->retries,
			         ra >= 0 ? " (Retry-After asked for more "
			                   "waiting)"
			                 : "",
			         ra >= 0 ? " after that wait." : " later.");
			if (!cJSON_AddBoolToObject(out, "partial", 1) ||
			    !cJSON_AddStringToObject(out, "warning", warn)) {
				st = nomem(j);
				goto out;
			}
			is_last = 0;
			if (!next && token && !(next = strdup(token))) {
				st = nomem(j);
				goto out;
			}
			break;
		}
		if (st != SKILL_OK) {
			if (j->failed)
				st = jira_report(
				        j, "POST", JIRA_API "/search/jql",
				        "searching issues", SEARCH_HINT);
			goto out;
		}
		pages++;
		cJSON_ArrayForEach(
		        it, cJSON_GetObjectItemCaseSensitive(res, "issues"))
		{
			cJSON *v;
			if (count >= max)
				break;
			if (!(v = jira_issue_view(it, raw)) ||
			    !cJSON_AddItemToArray(issues, v)) {
				cJSON_Delete(v);
				cJSON_Delete(res);
				st = nomem(j);
				goto out;
			}
			count++;
		}
		if (pages == 1 &&
		    !add_field_names(out, cJSON_GetObjectItemCaseSensitive(
		                                  res, "names"))) {
			cJSON_Delete(res);
			st = nomem(j);
			goto out;
		}
		nt = rc_str(res, "nextPageToken");
		last = cJSON_GetObjectItemCaseSensitive(res, "isLast");
		is_last = cJSON_IsBool(last) ? cJSON_IsTrue(last) : !nt;
		free(next);
		next = nt && !is_last ? strdup(nt) : NULL;
		cJSON_Delete(res);
		if (nt && !is_last && !next) {
			st = nomem(j);
			goto out;
		}
		if (is_last || !next)
			break;
		if (count >= max)
			break;
		if (j->host->is_cancelled(j->call)) {
			st = SKILL_ERR_CANCELLED;
			goto out;
		}
		{
			char msg[64];
			snprintf(msg, sizeof msg, "%d issues", count);
			j->host->progress(j->call, count, max, msg);
		}
	}
	if (!cJSON_AddNumberToObject(out, "count", count) ||
	    !cJSON_AddBoolToObject(out, "is_last", is_last || !next) ||
	    !rc_add_str(out, "next_page_token", is_last ? NULL : next)) {
		st = nomem(j);
		goto out;
	}
	st = jira_result(j, out);
	out = NULL;
out:
	free(next);
	cJSON_Delete(fields);
	cJSON_Delete(out);
	return st;
}

/* ---- get_issue ---- */

/* "a,b" from an array of strings, percent-encoded, into b. */
static void put_csv(struct sbuf *b, const cJSON *arr)
{
	const cJSON *it;
	int first = 1;

	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it))
			continue;
		if (!first)
			sb_puts(b, "%2C");
		first = 0;
		sb_put_pct(b, it->valuestring);
	}
}

skill_status jira_get_issue(struct jira *j, const cJSON *args)
{
	const char *key = arg_str(args, "issue_key");
	const char *expand = arg_str(args, "expand");
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(args, "fields");
	struct sbuf path, url;
	cJSON *res = NULL, *v;
	skill_status st;

	sb_init(&path, 0);
	issue_path(&path, key, NULL);
	/* Field names come along, so custom fields can be read. */
	sb_puts(&path, "?expand=names");
	if (expand && *expand) {
		sb_puts(&path, "%2C");
		sb_put_pct(&path, expand);
	}
	if (cJSON_GetArraySize(fields) > 0) {
		sb_puts(&path, "&fields=");
		put_csv(&path, fields);
	}
	if (sb_failed(&path)) {
		sb_free(&path);
		return nomem(j);
	}
	st = jira_get_json(j, "GET", sb_str(&path), NULL, "getting the issue",
	                   "Check the issue key (search_issues finds keys); "
	                   "the Jira account may also lack permission to "
	                   "browse the project.",
	                   &res);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	v = jira_issue_view(res, arg_bool(args, "raw"));
	cJSON_Delete(res);
	if (!v)
		return nomem(j);
	sb_init(&url, 0);
	if (jira_browse_url(j, &url, or_str(rc_str(v, "key"), key)) &&
	    (sb_failed(&url) ||
	     !cJSON_AddStringToObject(v, "url", sb_str(&url)))) {
		sb_free(&url);
		cJSON_Delete(v);
		return nomem(j);
	}
	sb_free(&url);
	return jira_result(j, v);
}

/* ---- create_issue and update_issue ---- */

/* Copy "fields" (raw, by id) and "rich_text_fields" (Markdown, by id)
 * into the request's fields. */
static skill_status extra_fields(struct jira *j, const cJSON *args,
                                 cJSON *fields)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(args, "fields"))
	{
		cJSON *copy;
		if (cJSON_GetObjectItemCaseSensitive(fields, it->string))
			return jira_fail(
			        j, SKILL_ERR_TOOL,
			        "\"%s\" is given both as its own argument "
			        "and in \"fields\"; give it once",
			        it->string);
		if (!(copy = cJSON_Duplicate(it, 1)) ||
		    !cJSON_AddItemToObject(fields, it->string, copy)) {
			cJSON_Delete(copy);
			return nomem(j);
		}
	}
	cJSON_ArrayForEach(
	        it, cJSON_GetObjectItemCaseSensitive(args, "rich_text_fields"))
	{
		cJSON *adf;
		char what[128];
		skill_status st;
		if (cJSON_GetObjectItemCaseSensitive(fields, it->string))
			return jira_fail(
			        j, SKILL_ERR_TOOL,
			        "\"%s\" is given twice (in "
			        "rich_text_fields and elsewhere); give it "
			        "once",
			        it->string);
		snprintf(what, sizeof what, "rich_text_fields.%s", it->string);
		if ((st = to_adf(j, it->valuestring, what, &adf)) != SKILL_OK)
			return st;
		if (!cJSON_AddItemToObject(fields, it->string, adf)) {
			cJSON_Delete(adf);
			return nomem(j);
		}
	}
	return SKILL_OK;
}

/* The fields both tools take by name: summary, description, priority,
 * labels, components, due_date, parent, assignee. */
static skill_status common_fields(struct jira *j, const cJSON *args,
                                  cJSON *fields)
{
	const char *s;
	const cJSON *arr, *it;
	skill_status st;

	if ((s = arg_str(args, "summary")) &&
	    !cJSON_AddStringToObject(fields, "summary", s))
		return nomem(j);
	if ((s = arg_str(args, "description"))) {
		cJSON *adf;
		if ((st = to_adf(j, s, "description", &adf)) != SKILL_OK)
			return st;
		if (!cJSON_AddItemToObject(fields, "description", adf)) {
			cJSON_Delete(adf);
			return nomem(j);
		}
	}
	if ((s = arg_str(args, "priority")) &&
	    !cJSON_AddItemToObject(fields, "priority", ref(s, "name")))
		return nomem(j);
	if ((s = arg_str(args, "due_date")) &&
	    !cJSON_AddStringToObject(fields, "duedate", s))
		return nomem(j);
	if ((s = arg_str(args, "parent")) &&
	    !cJSON_AddItemToObject(fields, "parent", ref(s, "key")))
		return nomem(j);
	if ((arr = cJSON_GetObjectItemCaseSensitive(args, "labels")) &&
	    !cJSON_AddItemToObject(fields, "labels", cJSON_Duplicate(arr, 1)))
		return nomem(j);
	if ((arr = cJSON_GetObjectItemCaseSensitive(args, "components"))) {
		cJSON *c = cJSON_AddArrayToObject(fields, "components");
		if (!c)
			return nomem(j);
		cJSON_ArrayForEach(it, arr) if (
		        !cJSON_AddItemToArray(c, ref(it->valuestring,
		                                     "name"))) return nomem(j);
	}
	if ((s = arg_str(args, "assignee"))) {
		cJSON *a = cJSON_CreateObject(), *me = NULL;
		const char *id;
		if ((st = jira_resolve_user(j, s, "assignee", &me)) !=
		    SKILL_OK) {
			cJSON_Delete(a);
			return st;
		}
		id = rc_str(me, "accountId");
		if (!a || !cJSON_AddStringToObject(a, "accountId", id) ||
		    !cJSON_AddItemToObject(fields, "assignee", a)) {
			cJSON_Delete(me);
			cJSON_Delete(a);
			return nomem(j);
		}
		cJSON_Delete(me);
	}
	return extra_fields(j, args, fields);
}

skill_status jira_create_issue(struct jira *j, const cJSON *args)
{
	const char *type = arg_str(args, "issue_type");
	cJSON *body = cJSON_CreateObject(), *fields, *res = NULL, *out = NULL;
	struct sbuf url;
	const char *key;
	skill_status st;

	fields = body ? cJSON_AddObjectToObject(body, "fields") : NULL;
	if (!fields ||
	    !cJSON_AddItemToObject(fields, "project",
	                           ref(arg_str(args, "project"), "key")) ||
	    !cJSON_AddItemToObject(fields, "issuetype",
	                           ref(type ? type : "Task", "name"))) {
		cJSON_Delete(body);
		return nomem(j);
	}
	if ((st = common_fields(j, args, fields)) != SKILL_OK) {
		cJSON_Delete(body);
		return st;
	}
	st = jira_get_json(j, "POST", JIRA_API "/issue", body,
	                   "creating the issue",
	                   "Correct the fields named above; get_create_fields "
	                   "lists the project's issue types, their required "
	                   "fields and allowed values.",
	                   &res);
	cJSON_Delete(body);
	if (st != SKILL_OK)
		return st;
	key = rc_str(res, "key");
	out = cJSON_CreateObject();
	sb_init(&url, 0);
	if (!key) {
		cJSON_Delete(res);
		cJSON_Delete(out);
		return jira_fail(
		        j, SKILL_ERR_TOOL,
		        "Jira created the issue but did not say its "
		        "key; search for it by summary before creating "
		        "it again");
	}
	if (!out || !cJSON_AddStringToObject(out, "key", key) ||
	    !rc_add_str(out, "id", rc_str(res, "id")) ||
	    (jira_browse_url(j, &url, key) &&
	     (sb_failed(&url) ||
	      !cJSON_AddStringToObject(out, "url", sb_str(&url))))) {
		cJSON_Delete(out);
		out = NULL;
	}
	sb_free(&url);
	cJSON_Delete(res);
	if (!out)
		return nomem(j);
	return jira_result(j, out);
}

/* The rich-text fields update_issue writes from Markdown: "description"
 * and the keys of rich_text_fields, as a comma-separated, percent-encoded
 * list for ?fields=; empty when there are none. */
static void markdown_fields(const cJSON *args, struct sbuf *b)
{
	const cJSON *it;

	if (arg_str(args, "description"))
		sb_puts(b, "description");
	cJSON_ArrayForEach(
	        it, cJSON_GetObjectItemCaseSensitive(args, "rich_text_fields"))
	{
		if (b->len)
			sb_puts(b, "%2C");
		sb_put_pct(b, it->string);
	}
}

/*
 * Refuse (SKILL_ERR_TOOL) to overwrite a rich-text field from Markdown when
 * its current ADF holds content the Markdown round trip would lose, naming
 * that content and the lossless path: the ADF from get_issue raw, edited
 * and passed in "fields". Losses of table widths alone do not refuse: they
 * go into *layout (field -> text, created on demand; the caller deletes)
 * for the result to report. Costs one GET, only when Markdown replaces
 * rich text.
 */
static skill_status check_losses(struct jira *j, const char *key,
                                 const cJSON *args, cJSON **layout)
{
	struct sbuf want, path, msg;
	cJSON *cur = NULL;
	const cJSON *it;
	skill_status st;
	int lossy = 0;

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(args, "allow_loss")))
		return SKILL_OK;
	sb_init(&want, 0);
	markdown_fields(args, &want);
	if (!want.len) {
		sb_free(&want);
		return SKILL_OK;
	}
	sb_init(&path, 0);
	issue_path(&path, key, NULL);
	sb_puts(&path, "?fields=");
	sb_puts(&path, sb_str(&want));
	sb_free(&want);
	if (sb_failed(&path)) {
		sb_free(&path);
		return nomem(j);
	}
	st = jira_get_json(j, "GET", sb_str(&path), NULL,
	                   "reading the rich text the update would replace",
	                   "Check the issue key (search_issues finds keys).",
	                   &cur);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	sb_init(&msg, 0);
	sb_puts(&msg, "Not updated: ");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(cur, "fields"))
	{
		cJSON *loss;
		if (!adf_is_doc(it))
			continue;
		if (!(loss = adf_md_losses(it))) {
			sb_free(&msg);
			cJSON_Delete(cur);
			return nomem(j);
		}
		if (cJSON_GetArraySize(loss) > 0) {
			struct sbuf one;
			sb_init(&one, 0);
			if (adf_losses_text(loss, &one, 1)) {
				sb_printf(
				        &msg,
				        "%sthe current %s holds content "
				        "Markdown cannot express, which "
				        "writing it from Markdown would lose: "
				        "%s",
				        lossy ? "; " : "", it->string,
				        sb_str(&one));
				lossy = 1;
			} else if (layout) {
				/* Only table widths: the edit goes ahead
				 * and the result says they were dropped. */
				sb_trim(&one, one.len);
				adf_losses_text(loss, &one, 0);
				if (!*layout)
					*layout = cJSON_CreateObject();
				if (*layout)
					cJSON_AddStringToObject(*layout,
					                        it->string,
					                        sb_str(&one));
			}
			sb_free(&one);
		}
		cJSON_Delete(loss);
	}
	cJSON_Delete(cur);
	if (!lossy) {
		sb_free(&msg);
		return SKILL_OK;
	}
	sb_puts(&msg,
	        ". To keep it, edit the Atlassian Document Format instead: "
	        "get_issue with raw: true returns the field as ADF; change "
	        "the text there and pass the whole document in \"fields\", "
	        "e.g. {\"fields\": {\"description\": {\"type\": \"doc\", "
	        "...}}}. To replace the content anyway, set allow_loss: true.");
	return rc_fail_buf(j->host, j->call, SKILL_ERR_TOOL, &msg);
}

/* update_issue after its checks; layout (may be NULL) is reported as
 * dropped_layout. */
static skill_status update(struct jira *j, const cJSON *args,
                           const cJSON *layout)
{
	const char *key = arg_str(args, "issue_key");
	const cJSON *add = cJSON_GetObjectItemCaseSensitive(args, "add_labels");
	const cJSON *rm =
	        cJSON_GetObjectItemCaseSensitive(args, "remove_labels");
	cJSON *body, *fields, *out = NULL, *names, *it;
	const skill_http_response_t *r;
	struct sbuf path;
	skill_status st;

	body = cJSON_CreateObject();
	fields = body ? cJSON_AddObjectToObject(body, "fields") : NULL;
	if (!fields) {
		cJSON_Delete(body);
		return nomem(j);
	}
	if ((st = common_fields(j, args, fields)) != SKILL_OK) {
		cJSON_Delete(body);
		return st;
	}
	if (add || rm) {
		cJSON *upd = cJSON_AddObjectToObject(body, "update");
		cJSON *ops = upd ? cJSON_AddArrayToObject(upd, "labels") : NULL;
		const cJSON *l;
		if (!ops) {
			cJSON_Delete(body);
			return nomem(j);
		}
		for (int k = 0; k < 2; k++) {
			const cJSON *list = k ? rm : add;
			cJSON_ArrayForEach(l, list)
			{
				cJSON *op = cJSON_CreateObject();
				if (!op ||
				    !cJSON_AddStringToObject(
				            op, k ? "remove" : "add",
				            l->valuestring) ||
				    !cJSON_AddItemToArray(ops, op)) {
					cJSON_Delete(op);
					cJSON_Delete(body);
					return nomem(j);
				}
			}
		}
	}
	if (!fields->child && !(add || rm)) {
		cJSON_Delete(body);
		return jira_fail(j, SKILL_ERR_TOOL,
		                 "nothing to change: give at least one of "
		                 "summary, description, priority, labels, "
		                 "add_labels, remove_labels, components, "
		                 "due_date, parent, assignee, fields or "
		                 "rich_text_fields");
	}
	sb_init(&path, 0);
	issue_path(&path, key, NULL);
	if (cJSON_IsFalse(
	            cJSON_GetObjectItemCaseSensitive(args, "notify_users")))
		sb_puts(&path, "?notifyUsers=false");
	if (sb_failed(&path)) {
		cJSON_Delete(body);
		sb_free(&path);
		return nomem(j);
	}
	st = jira_request(j, "PUT", sb_str(&path), body, "updating the issue",
	                  "Correct the fields named above; a field that cannot "
	                  "be set may be missing from the project's edit "
	                  "screen.",
	                  &r);
	sb_free(&path);
	if (st != SKILL_OK) {
		cJSON_Delete(body);
		return st;
	}
	out = cJSON_CreateObject();
	names = out ? cJSON_AddArrayToObject(out, "updated") : NULL;
	if (!names || !cJSON_AddStringToObject(out, "key", key)) {
		cJSON_Delete(body);
		cJSON_Delete(out);
		return nomem(j);
	}
	cJSON_ArrayForEach(it, fields)
	        cJSON_AddItemToArray(names, cJSON_CreateString(it->string));
	if (add || rm)
		cJSON_AddItemToArray(names, cJSON_CreateString("labels"));
	cJSON_Delete(body);
	if (layout && !cJSON_AddItemToObject(out, "dropped_layout",
	                                     cJSON_Duplicate(layout, 1))) {
		cJSON_Delete(out);
		return nomem(j);
	}
	return jira_result(j, out);
}

skill_status jira_update_issue(struct jira *j, const cJSON *args)
{
	const char *key = arg_str(args, "issue_key");
	cJSON *layout = NULL;
	skill_status st;

	if (cJSON_GetObjectItemCaseSensitive(args, "labels") &&
	    (cJSON_GetObjectItemCaseSensitive(args, "add_labels") ||
	     cJSON_GetObjectItemCaseSensitive(args, "remove_labels")))
		return jira_fail(
		        j, SKILL_ERR_TOOL,
		        "give either \"labels\" (replaces all labels) "
		        "or \"add_labels\"/\"remove_labels\", not both");
	if ((st = check_losses(j, key, args, &layout)) == SKILL_OK)
		st = update(j, args, layout);
	cJSON_Delete(layout);
	return st;
}

/* ---- add_comment ---- */

skill_status jira_add_comment(struct jira *j, const cJSON *args)
{
	const char *key = arg_str(args, "issue_key");
	const cJSON *vis = cJSON_GetObjectItemCaseSensitive(args, "visibility");
	cJSON *body = cJSON_CreateObject(), *adf, *res = NULL, *out;
	struct sbuf path;
	skill_status st;

	if (!body)
		return nomem(j);
	if ((st = to_adf(j, arg_str(args, "body"), "body", &adf)) != SKILL_OK) {
		cJSON_Delete(body);
		return st;
	}
	if (!cJSON_GetArraySize(cJSON_GetObjectItem(adf, "content"))) {
		cJSON_Delete(adf);
		cJSON_Delete(body);
		return jira_fail(j, SKILL_ERR_TOOL,
		                 "the comment body has no text; write the "
		                 "comment in \"body\" (Markdown)");
	}
	if (!cJSON_AddItemToObject(body, "body", adf) ||
	    (vis && !cJSON_AddItemToObject(body, "visibility",
	                                   cJSON_Duplicate(vis, 1)))) {
		cJSON_Delete(body);
		return nomem(j);
	}
	sb_init(&path, 0);
	issue_path(&path, key, "/comment");
	st = sb_failed(&path) ? nomem(j)
	                      : jira_get_json(j, "POST", sb_str(&path), body,
	                                      "adding the comment", NULL, &res);
	sb_free(&path);
	cJSON_Delete(body);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "issue_key", key) ||
	    !rc_add_str(out, "id", rc_str(res, "id")) ||
	    !rc_add_str(out, "created", rc_str(res, "created"))) {
		cJSON_Delete(out);
		cJSON_Delete(res);
		return nomem(j);
	}
	cJSON_Delete(res);
	return jira_result(j, out);
}

/* ---- transitions ---- */

static skill_status get_transitions(struct jira *j, const char *key,
                                    cJSON **res)
{
	struct sbuf path;
	skill_status st;

	sb_init(&path, 0);
	issue_path(&path, key, "/transitions?expand=transitions.fields");
	st = sb_failed(&path) ? nomem(j)
	                      : jira_get_json(j, "GET", sb_str(&path), NULL,
	                                      "listing the issue's transitions",
	                                      NULL, res);
	sb_free(&path);
	return st;
}

static cJSON *transition_view(const cJSON *t)
{
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(t, "to");
	const cJSON *f;
	cJSON *o = cJSON_CreateObject(), *req = NULL;

	if (!o || !rc_add_str(o, "id", rc_str(t, "id")) ||
	    !rc_add_str(o, "name", rc_str(t, "name")) ||
	    !rc_add_str(o, "to_status", rc_str(to, "name")) ||
	    !rc_add_str(o, "to_status_category",
	                rc_str(cJSON_GetObjectItem(to, "statusCategory"),
	                       "name"))) {
		cJSON_Delete(o);
		return NULL;
	}
	if (cJSON_IsBool(cJSON_GetObjectItem(t, "hasScreen")))
		cJSON_AddBoolToObject(
		        o, "has_screen",
		        cJSON_IsTrue(cJSON_GetObjectItem(t, "hasScreen")));
	/* Fields the transition's screen requires, for transition_issue's
	 * "fields". */
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(t, "fields"))
	{
		if (!cJSON_IsTrue(cJSON_GetObjectItem(f, "required")) ||
		    cJSON_IsTrue(cJSON_GetObjectItem(f, "hasDefaultValue")))
			continue;
		if (!req &&
		    !(req = cJSON_AddArrayToObject(o, "required_fields")))
			break;
		cJSON_AddItemToArray(req, cJSON_CreateString(f->string));
	}
	return o;
}

skill_status jira_list_transitions(struct jira *j, const cJSON *args)
{
	const char *key = arg_str(args, "issue_key");
	cJSON *res = NULL, *out, *arr;
	const cJSON *t;
	skill_status st = get_transitions(j, key, &res);

	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	arr = out ? cJSON_AddArrayToObject(out, "transitions") : NULL;
	if (!arr || !cJSON_AddStringToObject(out, "issue_key", key)) {
		cJSON_Delete(out);
		cJSON_Delete(res);
		return nomem(j);
	}
	cJSON_ArrayForEach(t,
	                   cJSON_GetObjectItemCaseSensitive(res, "transitions"))
	{
		cJSON *v = transition_view(t);
		if (!v || !cJSON_AddItemToArray(arr, v)) {
			cJSON_Delete(v);
			cJSON_Delete(out);
			cJSON_Delete(res);
			return nomem(j);
		}
	}
	cJSON_Delete(res);
	return jira_result(j, out);
}

/* The transition that want names: its id, its name, or the status it
 * leads to (each case-insensitive, in that order of preference). */
static const cJSON *find_transition(const cJSON *list, const char *want,
                                    int *ambiguous)
{
	const cJSON *t, *hit = NULL;

	*ambiguous = 0;
	for (int pass = 0; pass < 3 && !hit; pass++) {
		cJSON_ArrayForEach(t, list)
		{
			const char *v =
			        pass == 0 ? rc_str(t, "id")
			        : pass == 1
			                ? rc_str(t, "name")
			                : rc_str(cJSON_GetObjectItem(t, "to"),
			                         "name");
			if (!v || strcasecmp(v, want))
				continue;
			if (hit && hit != t)
				*ambiguous = 1;
			if (!hit)
				hit = t;
		}
	}
	return hit;
}

skill_status jira_transition_issue(struct jira *j, const cJSON *args)
{
	const char *key = arg_str(args, "issue_key");
	const char *want = arg_str(args, "transition");
	const char *comment = arg_str(args, "comment");
	const char *resolution = arg_str(args, "resolution");
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(args, "fields");
	cJSON *list = NULL, *body = NULL, *out = NULL, *tr;
	const cJSON *t;
	const skill_http_response_t *r;
	struct sbuf path, names;
	int ambiguous;
	skill_status st = get_transitions(j, key, &list);

	if (st != SKILL_OK)
		return st;
	t = find_transition(
	        cJSON_GetObjectItemCaseSensitive(list, "transitions"), want,
	        &ambiguous);
	if (!t || ambiguous) {
		const cJSON *x;
		sb_init(&names, 0);
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(
		                              list, "transitions"))
		{
			sb_printf(&names, "%s\"%s\" (id %s, to %s)",
			          names.len ? ", " : "",
			          or_str(rc_str(x, "name"), "?"),
			          or_str(rc_str(x, "id"), "?"),
			          or_str(rc_str(cJSON_GetObjectItem(x, "to"),
			                        "name"),
			                 "?"));
		}
		cJSON_Delete(list);
		st = jira_fail(
		        j, SKILL_ERR_TOOL,
		        ambiguous ? "\"%s\" matches more than one transition "
		                    "of %s; give the transition's id. "
		                    "Available: %s"
		                  : "%s has no transition \"%s\" from its "
		                    "current status. Available: %s",
		        ambiguous ? want : key, ambiguous ? key : want,
		        names.len ? sb_str(&names) : "none");
		sb_free(&names);
		return st;
	}
	body = cJSON_CreateObject();
	tr = body ? cJSON_AddObjectToObject(body, "transition") : NULL;
	if (!tr || !cJSON_AddStringToObject(tr, "id", rc_str(t, "id"))) {
		st = nomem(j);
		goto out;
	}
	if (extra || resolution) {
		cJSON *f = extra ? cJSON_Duplicate(extra, 1)
		                 : cJSON_CreateObject();
		if (!f || !cJSON_AddItemToObject(body, "fields", f)) {
			cJSON_Delete(f);
			st = nomem(j);
			goto out;
		}
		if (resolution) {
			if (cJSON_GetObjectItemCaseSensitive(f, "resolution")) {
				st = jira_fail(
				        j, SKILL_ERR_TOOL,
				        "the resolution is given both as "
				        "\"resolution\" and in \"fields\"; "
				        "give it once");
				goto out;
			}
			if (!cJSON_AddItemToObject(f, "resolution",
			                           ref(resolution, "name"))) {
				st = nomem(j);
				goto out;
			}
		}
	}
	if (comment) {
		/* {"update":{"comment":[{"add":{"body":ADF}}]}} */
		cJSON *adf, *upd, *arr, *op, *add;
		if ((st = to_adf(j, comment, "comment", &adf)) != SKILL_OK)
			goto out;
		upd = cJSON_AddObjectToObject(body, "update");
		arr = upd ? cJSON_AddArrayToObject(upd, "comment") : NULL;
		op = cJSON_CreateObject();
		add = op ? cJSON_AddObjectToObject(op, "add") : NULL;
		if (!arr || !add || !cJSON_AddItemToObject(add, "body", adf) ||
		    !cJSON_AddItemToArray(arr, op)) {
			cJSON_Delete(op);
			st = nomem(j);
			goto out;
		}
	}
	sb_init(&path, 0);
	issue_path(&path, key, "/transitions");
	st = sb_failed(&path)
	             ? nomem(j)
	             : jira_request(j, "POST", sb_str(&path), body,
	                            "transitioning the issue",
	                            "The transition's screen may require "
	                            "fields: list_transitions shows them as "
	                            "required_fields; pass them in \"fields\" "
	                            "(or \"resolution\").",
	                            &r);
	sb_free(&path);
	if (st != SKILL_OK)
		goto out;
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "issue_key", key) ||
	    !cJSON_AddItemToObject(out, "transition", transition_view(t))) {
		st = nomem(j);
		goto out;
	}
	st = jira_result(j, out);
	out = NULL;
out:
	cJSON_Delete(out);
	cJSON_Delete(body);
	cJSON_Delete(list);
	return st;
}

/* ---- assign_issue ---- */

skill_status jira_assign_issue(struct jira *j, const cJSON *args)
{
	const char *key = arg_str(args, "issue_key");
	const cJSON *who = cJSON_GetObjectItemCaseSensitive(args, "account_id");
	cJSON *me = NULL, *body = cJSON_CreateObject(), *out = NULL, *a;
	const char *id = cJSON_GetStringValue(who);
	const skill_http_response_t *r;
	struct sbuf path;
	skill_status st;
	int ok;

	if (!body)
		return nomem(j);
	if (id) {
		if ((st = jira_resolve_user(j, id, "account_id", &me)) !=
		    SKILL_OK) {
			cJSON_Delete(body);
			return st;
		}
		id = rc_str(me, "accountId");
	}
	sb_init(&path, 0);
	if (id) {
		issue_path(&path, key, "/assignee");
		ok = cJSON_AddStringToObject(body, "accountId", id) != NULL;
	} else {
		/* The assign endpoint's schema has no null accountId, so
		 * unassigning clears the field through an edit. */
		cJSON *f = cJSON_AddObjectToObject(body, "fields");
		issue_path(&path, key, NULL);
		ok = f && cJSON_AddNullToObject(f, "assignee");
	}
	st = !ok || sb_failed(&path)
	             ? nomem(j)
	             : jira_request(j, "PUT", sb_str(&path), body,
	                            id ? "assigning the issue"
	                               : "unassigning the issue",
	                            "Check the issue key and the accountId "
	                            "(the accountId of a user appears in "
	                            "get_issue's assignee and reporter, or "
	                            "use \"me\"); the user must be assignable "
	                            "in the project.",
	                            &r);
	sb_free(&path);
	if (st != SKILL_OK)
		goto out;
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "issue_key", key)) {
		st = nomem(j);
		goto out;
	}
	if (id) {
		a = cJSON_AddObjectToObject(out, "assignee");
		if (!a || !cJSON_AddStringToObject(a, "accountId", id) ||
		    !rc_add_str(a, "displayName", rc_str(me, "displayName"))) {
			st = nomem(j);
			goto out;
		}
	} else if (!cJSON_AddNullToObject(out, "assignee")) {
		st = nomem(j);
		goto out;
	}
	st = jira_result(j, out);
	out = NULL;
out:
	cJSON_Delete(out);
	cJSON_Delete(me);
	cJSON_Delete(body);
	return st;
}

/* ---- list_projects ---- */

skill_status jira_list_projects(struct jira *j, const cJSON *args)
{
	const char *query = arg_str(args, "query");
	int max = rc_int(args, "max_results", JIRA_DEFAULT_RESULTS);
	int start = rc_int(args, "start_at", 0), count = 0, is_last = 1;
	int total = -1;
	cJSON *out = cJSON_CreateObject(), *arr;
	skill_status st = SKILL_OK;

	if (max > JIRA_MAX_RESULTS_CAP)
		max = JIRA_MAX_RESULTS_CAP;
	arr = out ? cJSON_AddArrayToObject(out, "projects") : NULL;
	if (!arr) {
		cJSON_Delete(out);
		return nomem(j);
	}
	while (count < max) {
		struct sbuf path;
		cJSON *res = NULL;
		const cJSON *p, *v;
		int want = max - count < JIRA_PROJECT_PAGE ? max - count
		                                           : JIRA_PROJECT_PAGE;
		int got = 0;

		sb_init(&path, 0);
		sb_printf(&path,
		          JIRA_API "/project/search?startAt=%d&maxResults=%d"
		                   "&orderBy=key",
		          start, want);
		if (query && *query) {
			sb_puts(&path, "&query=");
			sb_put_pct(&path, query);
		}
		st = sb_failed(&path)
		             ? nomem(j)
		             : jira_get_json(j, "GET", sb_str(&path), NULL,
		                             "listing projects", NULL, &res);
		sb_free(&path);
		if (st != SKILL_OK)
			goto out;
		cJSON_ArrayForEach(
		        p, cJSON_GetObjectItemCaseSensitive(res, "values"))
		{
			cJSON *o = cJSON_CreateObject();
			const cJSON *lead = cJSON_GetObjectItem(p, "lead");
			if (!o || !rc_add_str(o, "id", rc_str(p, "id")) ||
			    !rc_add_str(o, "key", rc_str(p, "key")) ||
			    !rc_add_str(o, "name", rc_str(p, "name")) ||
			    !rc_add_str(o, "type",
			                rc_str(p, "projectTypeKey")) ||
			    !rc_add_str(o, "lead",
			                rc_str(lead, "displayName")) ||
			    !cJSON_AddItemToArray(arr, o)) {
				cJSON_Delete(o);
				cJSON_Delete(res);
				st = nomem(j);
				goto out;
			}
			got++;
			if (++count >= max)
				break;
		}
		v = cJSON_GetObjectItemCaseSensitive(res, "total");
		if (cJSON_IsNumber(v))
			total = v->valueint;
		v = cJSON_GetObjectItemCaseSensitive(res, "isLast");
		is_last = cJSON_IsBool(v)
		                  ? cJSON_IsTrue(v)
		                  : got < want || (total >= 0 &&
		                                   start + got >= total);
		cJSON_Delete(res);
		start += got;
		if (is_last || got == 0)
			break;
		if (j->host->is_cancelled(j->call)) {
			st = SKILL_ERR_CANCELLED;
			goto out;
		}
		j->host->progress(j->call, count, max, "projects");
	}
	if ((total >= 0 && !cJSON_AddNumberToObject(out, "total", total)) ||
	    !cJSON_AddNumberToObject(out, "count", count) ||
	    (!is_last &&
	     !cJSON_AddNumberToObject(out, "next_start_at", start))) {
		st = nomem(j);
		goto out;
	}
	st = jira_result(j, out);
	out = NULL;
out:
	cJSON_Delete(out);
	return st;
}

/* ---- get_create_fields ---- */

/* Follow a createmeta listing (startAt/maxResults/total) and append the
 * items of its array member (issueTypes, or fields) to into, up to cap. */
static skill_status createmeta_pages(struct jira *j, const char *base_path,
                                     const char *const *members, int cap,
                                     cJSON *into, int *more)
{
	int start = 0;

	*more = 0;
	for (;;) {
		struct sbuf path;
		cJSON *res = NULL, *items = NULL;
		const cJSON *tot;
		int got = 0, total;
		skill_status st;

		sb_init(&path, 0);
		sb_printf(&path, "%s?startAt=%d&maxResults=%d", base_path,
		          start, JIRA_CREATEMETA_PAGE);
		st = sb_failed(&path)
		             ? nomem(j)
		             : jira_get_json(
		                       j, "GET", sb_str(&path), NULL,
		                       "reading the create metadata",
		                       "Check the project key (list_projects "
		                       "finds keys) and the issue type.",
		                       &res);
		sb_free(&path);
		if (st != SKILL_OK)
			return st;
		/* Jira has named the member differently over time. */
		for (size_t k = 0; members[k] && !cJSON_IsArray(items); k++)
			items = cJSON_GetObjectItemCaseSensitive(res,
			                                         members[k]);
		while (items && items->child) {
			if (cJSON_GetArraySize(into) >= cap) {
				*more = 1;
				break;
			}
			cJSON_AddItemToArray(
			        into, cJSON_DetachItemViaPointer(items,
			                                         items->child));
			got++;
		}
		tot = cJSON_GetObjectItemCaseSensitive(res, "total");
		total = cJSON_IsNumber(tot) ? tot->valueint : -1;
		start += got;
		cJSON_Delete(res);
		if (*more || got == 0 || total < 0 || start >= total)
			return SKILL_OK;
	}
}

static cJSON *field_meta_view(const cJSON *f)
{
	const cJSON *schema = cJSON_GetObjectItem(f, "schema");
	const cJSON *av = cJSON_GetObjectItem(f, "allowedValues"), *v;
	cJSON *o = cJSON_CreateObject(), *vals;
	int n = 0;

	if (!o ||
	    !rc_add_str(o, "id",
	                or_str(rc_str(f, "fieldId"), rc_str(f, "key"))) ||
	    !rc_add_str(o, "name", rc_str(f, "name")) ||
	    !cJSON_AddBoolToObject(
	            o, "required",
	            cJSON_IsTrue(cJSON_GetObjectItem(f, "required"))) ||
	    !rc_add_str(o, "type", rc_str(schema, "type")) ||
	    !rc_add_str(o, "items", rc_str(schema, "items")) ||
	    !rc_add_str(o, "custom", rc_str(schema, "custom"))) {
		cJSON_Delete(o);
		return NULL;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItem(f, "hasDefaultValue")))
		cJSON_AddBoolToObject(o, "has_default", 1);
	if (cJSON_GetArraySize(av) > 0) {
		vals = cJSON_AddArrayToObject(o, "allowed_values");
		cJSON_ArrayForEach(v, av)
		{
			const char *name = or_str(
			        or_str(rc_str(v, "name"), rc_str(v, "value")),
			        rc_str(v, "key"));
			cJSON *x = cJSON_CreateObject();
			if (n++ >= JIRA_ALLOWED_VALUES_MAX) {
				cJSON_Delete(x);
				cJSON_AddBoolToObject(
				        o, "allowed_values_truncated", 1);
				break;
			}
			if (!x || !rc_add_str(x, "id", rc_str(v, "id")) ||
			    !rc_add_str(x,
			                cJSON_GetObjectItem(v, "value") &&
			                                !cJSON_GetObjectItem(
			                                        v, "name")
			                        ? "value"
			                        : "name",
			                name) ||
			    !cJSON_AddItemToArray(vals, x)) {
				cJSON_Delete(x);
				cJSON_Delete(o);
				return NULL;
			}
		}
	}
	return o;
}

skill_status jira_get_create_fields(struct jira *j, const cJSON *args)
{
	static const char *const type_members[] = {
	        "issueTypes", "createMetaIssueType", "values", NULL};
	static const char *const field_members[] = {"fields", "results",
	                                            "values", NULL};
	const char *project = arg_str(args, "project");
	const char *want = arg_str(args, "issue_type");
	int cap = rc_int(args, "max_fields", 200), more = 0;
	cJSON *types = cJSON_CreateArray(), *fields = NULL, *out = NULL;
	const cJSON *t, *hit = NULL;
	struct sbuf base;
	skill_status st;

	if (cap > JIRA_MAX_RESULTS_CAP)
		cap = JIRA_MAX_RESULTS_CAP;
	sb_init(&base, 0);
	sb_puts(&base, JIRA_API "/issue/createmeta/");
	sb_put_pct(&base, project);
	sb_puts(&base, "/issuetypes");
	if (!types || sb_failed(&base)) {
		st = nomem(j);
		goto out;
	}
	st = createmeta_pages(j, sb_str(&base), type_members,
	                      JIRA_MAX_RESULTS_CAP, types, &more);
	if (st != SKILL_OK)
		goto out;
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "project", project)) {
		st = nomem(j);
		goto out;
	}
	if (!want) {
		cJSON *arr = cJSON_AddArrayToObject(out, "issue_types");
		cJSON_ArrayForEach(t, types)
		{
			cJSON *o = cJSON_CreateObject();
			if (!o || !rc_add_str(o, "id", rc_str(t, "id")) ||
			    !rc_add_str(o, "name", rc_str(t, "name")) ||
			    !cJSON_AddBoolToObject(
			            o, "subtask",
			            cJSON_IsTrue(cJSON_GetObjectItem(
			                    t, "subtask"))) ||
			    !rc_add_str(o, "description",
			                rc_str(t, "description")) ||
			    !cJSON_AddItemToArray(arr, o)) {
				cJSON_Delete(o);
				st = nomem(j);
				goto out;
			}
		}
		st = jira_result(j, out);
		out = NULL;
		goto out;
	}
	cJSON_ArrayForEach(t, types)
	{
		const char *id = rc_str(t, "id");
		const char *name = rc_str(t, "name");
		if ((id && !strcmp(id, want)) ||
		    (name && !strcasecmp(name, want))) {
			hit = t;
			break;
		}
	}
	if (!hit) {
		struct sbuf names;
		sb_init(&names, 0);
		cJSON_ArrayForEach(t, types)
		        sb_printf(&names, "%s%s (id %s)", names.len ? ", " : "",
		                  or_str(rc_str(t, "name"), "?"),
		                  or_str(rc_str(t, "id"), "?"));
		st = jira_fail(j, SKILL_ERR_TOOL,
		               "project %s has no issue type \"%s\" you can "
		               "create. Its issue types: %s",
		               project, want,
		               names.len ? sb_str(&names) : "none");
		sb_free(&names);
		goto out;
	}
	sb_putc(&base, '/');
	sb_put_pct(&base, rc_str(hit, "id"));
	fields = cJSON_CreateArray();
	if (!fields || sb_failed(&base)) {
		st = nomem(j);
		goto out;
	}
	st = createmeta_pages(j, sb_str(&base), field_members, cap, fields,
	                      &more);
	if (st != SKILL_OK)
		goto out;
	{
		cJSON *it = cJSON_AddObjectToObject(out, "issue_type");
		cJSON *arr = cJSON_AddArrayToObject(out, "fields");
		const cJSON *f;
		if (!it || !arr || !rc_add_str(it, "id", rc_str(hit, "id")) ||
		    !rc_add_str(it, "name", rc_str(hit, "name"))) {
			st = nomem(j);
			goto out;
		}
		cJSON_ArrayForEach(f, fields)
		{
			cJSON *v = field_meta_view(f);
			if (!v || !cJSON_AddItemToArray(arr, v)) {
				cJSON_Delete(v);
				st = nomem(j);
				goto out;
			}
		}
		if (more)
			cJSON_AddBoolToObject(out, "truncated", 1);
	}
	st = jira_result(j, out);
	out = NULL;
out:
	sb_free(&base);
	cJSON_Delete(types);
	cJSON_Delete(fields);
	cJSON_Delete(out);
	return st;
}
