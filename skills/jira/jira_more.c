/*
 * jira_more.c - attachments, issue links, worklogs and watchers. See
 * jira_more.h.
 */
#include "jira_more.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <skill/ext/artifacts.h>

#include "adf_md.h"
#include "jira_fields.h"
#include "jira_users.h"
#include "md_adf.h"
#include "restcall.h"

static skill_status nomem(struct jira *j)
{
	return jira_fail(j, SKILL_ERR_NOMEM, "out of memory");
}

/* JIRA_API "/issue/KEY" + suffix into b. */
static void issue_path(struct sbuf *b, const char *key, const char *suffix)
{
	sb_puts(b, JIRA_API "/issue/");
	sb_put_pct(b, key);
	if (suffix)
		sb_puts(b, suffix);
}

/* GET path as JSON; the tool error is written on failure. */
static skill_status get(struct jira *j, const struct sbuf *path,
                        const char *doing, const char *hint, cJSON **out)
{
	if (sb_failed(path))
		return nomem(j);
	return jira_get_json(j, "GET", sb_str(path), NULL, doing, hint, out);
}

static const char *const KEY_HINT =
        "Check the issue key (search_issues finds keys); the account may "
        "also lack permission to see the issue.";

/* ---- attachments ---- */

const char *jira_mime_for(const char *name)
{
	static const char *const map[][2] = {
	        {"png", "image/png"},
	        {"jpg", "image/jpeg"},
	        {"jpeg", "image/jpeg"},
	        {"gif", "image/gif"},
	        {"webp", "image/webp"},
	        {"svg", "image/svg+xml"},
	        {"pdf", "application/pdf"},
	        {"txt", "text/plain"},
	        {"log", "text/plain"},
	        {"md", "text/markdown"},
	        {"csv", "text/csv"},
	        {"json", "application/json"},
	        {"xml", "application/xml"},
	        {"html", "text/html"},
	        {"zip", "application/zip"},
	        {"gz", "application/gzip"},
	        {"docx", "application/vnd.openxmlformats-officedocument."
	                 "wordprocessingml.document"},
	        {"xlsx", "application/vnd.openxmlformats-officedocument."
	                 "spreadsheetml.sheet"},
	        {"pptx", "application/vnd.openxmlformats-officedocument."
	                 "presentationml.presentation"},
	};
	const char *dot = strrchr(name, '.');

	if (dot && dot[1])
		for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
			if (!strcasecmp(dot + 1, map[i][0]))
				return map[i][1];
	return "application/octet-stream";
}

/* The compact view of an attachment bean. */
static cJSON *attachment_view(const cJSON *a)
{
	cJSON *v = cJSON_CreateObject(), *author;
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(a, "size");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");
	char num[32] = "";

	if (cJSON_IsNumber(id))
		snprintf(num, sizeof num, "%.0f", id->valuedouble);
	if (!v ||
	    !rc_add_str(v, "id",
	                cJSON_IsString(id) ? id->valuestring
	                : *num             ? num
	                                   : NULL) ||
	    !rc_add_str(v, "filename", rc_str(a, "filename")) ||
	    !rc_add_str(v, "mime_type", rc_str(a, "mimeType")) ||
	    (cJSON_IsNumber(size) &&
	     !cJSON_AddNumberToObject(v, "size", size->valuedouble)) ||
	    !rc_add_str(v, "created", rc_str(a, "created"))) {
		cJSON_Delete(v);
		return NULL;
	}
	author = jira_value_view(cJSON_GetObjectItemCaseSensitive(a, "author"));
	if (author && !cJSON_AddItemToObject(v, "author", author))
		cJSON_Delete(author);
	return v;
}

/* Add the views of the attachment beans in arr to out[name]. */
static int add_attachments(cJSON *out, const char *name, const cJSON *arr)
{
	cJSON *list = cJSON_AddArrayToObject(out, name);
	const cJSON *a;

	if (!list)
		return 0;
	cJSON_ArrayForEach(a, arr)
	{
		cJSON *v = attachment_view(a);
		if (!v || !cJSON_AddItemToArray(list, v)) {
			cJSON_Delete(v);
			return 0;
		}
	}
	return cJSON_AddNumberToObject(out, "count",
	                               cJSON_GetArraySize(list)) != NULL;
}

skill_status jira_list_attachments(struct jira *j, const cJSON *args)
{
	const char *key = rc_str(args, "issue_key");
	struct sbuf path;
	cJSON *res = NULL, *out;
	skill_status st;

	sb_init(&path, 0);
	issue_path(&path, key, "?fields=attachment");
	st = get(j, &path, "listing the attachments", KEY_HINT, &res);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "issue_key", key) ||
	    !add_attachments(
	            out, "attachments",
	            cJSON_GetObjectItemCaseSensitive(
	                    cJSON_GetObjectItemCaseSensitive(res, "fields"),
	                    "attachment"))) {
		cJSON_Delete(out);
		cJSON_Delete(res);
		return nomem(j);
	}
	cJSON_Delete(res);
	return jira_result(j, out);
}

static const skill_ext_artifacts_t *artifacts(struct jira *j)
{
	const skill_ext_artifacts_t *a =
	        j->host->get_extension(j->host, SKILL_EXT_ARTIFACTS);

	if (!a)
		jira_fail(j, SKILL_ERR_UNSUPPORTED,
		          "this host offers no %s extension, which attachments "
		          "need (files in and out)",
		          SKILL_EXT_ARTIFACTS);
	return a;
}

/* Read an input file (operator-allowed folder or artifact) into b. */
static skill_status read_input(struct jira *j, const skill_ext_artifacts_t *a,
                               const char *path, struct sbuf *b)
{
	skill_input_t *in = NULL;
	int64_t size = 0, n;
	char buf[65536];
	skill_status st = a->open_input(j->call, path, &in, &size);

	if (st == SKILL_ERR_DENIED)
		return jira_fail(j, SKILL_ERR_TOOL,
		                 "%s is outside the folders skillhost/jira may "
		                 "read: give an artifact's URI or a file in a "
		                 "folder the operator allowed with `skillhost "
		                 "config skillhost/jira input-dir DIR`",
		                 path);
	if (st != SKILL_OK)
		return jira_fail(j, SKILL_ERR_TOOL,
		                 "cannot open %s: check that the file exists",
		                 path);
	if (size > JIRA_ATTACHMENT_MAX) {
		a->close_input(j->call, in);
		return jira_fail(j, SKILL_ERR_TOOL,
		                 "%s is %lld bytes, over the %lld-byte limit "
		                 "for an attachment",
		                 path, (long long)size,
		                 (long long)JIRA_ATTACHMENT_MAX);
	}
	while ((n = a->read(j->call, in, buf, sizeof buf)) > 0) {
		sb_put(b, buf, (size_t)n);
		if (b->len > (size_t)JIRA_ATTACHMENT_MAX)
			break;
	}
	a->close_input(j->call, in);
	if (n < 0)
		return jira_fail(j, SKILL_ERR_IO, "reading %s failed", path);
	if (b->len > (size_t)JIRA_ATTACHMENT_MAX)
		return jira_fail(j, SKILL_ERR_TOOL,
		                 "%s grew past the %lld-byte attachment limit "
		                 "while being read",
		                 path, (long long)JIRA_ATTACHMENT_MAX);
	return sb_failed(b) ? nomem(j) : SKILL_OK;
}

/* 1 when s[0..n) contains the string w. */
static int contains(const char *s, size_t n, const char *w)
{
	size_t m = strlen(w);

	for (size_t i = 0; s && i + m <= n; i++)
		if (s[i] == w[0] && !memcmp(s + i, w, m))
			return 1;
	return 0;
}

/* Append a quoted-string for a multipart header: quotes, backslashes and
 * control characters cannot break out of it. */
static void put_quoted(struct sbuf *b, const char *s)
{
	sb_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_putc(b, '\\');
		sb_putc(b, (unsigned char)*s < 0x20 ? '_' : *s);
	}
	sb_putc(b, '"');
}

skill_status jira_add_attachment(struct jira *j, const cJSON *args)
{
	const char *key = rc_str(args, "issue_key");
	const char *file = rc_str(args, "path");
	const char *name = rc_str(args, "filename");
	const char *type = rc_str(args, "mime_type");
	const skill_ext_artifacts_t *a = artifacts(j);
	struct sbuf data, body, path, ctype;
	unsigned char rnd[12];
	char boundary[64];
	cJSON *res = NULL, *out;
	const skill_http_response_t *r;
	skill_status st;

	if (!a)
		return SKILL_ERR_UNSUPPORTED;
	if (!name) {
		const char *slash = strrchr(file, '/');
		name = slash ? slash + 1 : file;
		if (!*name)
			return jira_fail(j, SKILL_ERR_TOOL,
			                 "give \"filename\": %s ends in a '/'",
			                 file);
	}
	sb_init(&data, 0);
	if ((st = read_input(j, a, file, &data)) != SKILL_OK) {
		sb_free(&data);
		return st;
	}
	/* A boundary that does not occur in the file (RFC 2046 5.1.1). */
	for (int tries = 0;; tries++) {
		FILE *u = fopen("/dev/urandom", "rb");
		size_t got = u ? fread(rnd, 1, sizeof rnd, u) : 0;
		/* A read-only stream: closing it cannot lose data, and the
		 * bytes are already in rnd (or replaced below). */
		if (u)
			(void)fclose(u);
		if (got != sizeof rnd)
			for (size_t i = 0; i < sizeof rnd; i++)
				rnd[i] = (unsigned char)(rand() ^ (int)i);
		snprintf(boundary, sizeof boundary, "skillhost-");
		for (size_t i = 0; i < sizeof rnd; i++)
			snprintf(boundary + 10 + 2 * i, 3, "%02x", rnd[i]);
		if (!contains(data.p, data.len, boundary) || tries > 8)
			break;
	}
	sb_init(&body, 0);
	sb_printf(&body,
	          "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
	          "filename=",
	          boundary);
	put_quoted(&body, name);
	sb_printf(&body, "\r\nContent-Type: %s\r\n\r\n",
	          type ? type : jira_mime_for(name));
	sb_put(&body, data.p ? data.p : "", data.len);
	sb_printf(&body, "\r\n--%s--\r\n", boundary);
	sb_free(&data);
	sb_init(&ctype, 0);
	sb_printf(&ctype, "multipart/form-data; boundary=%s", boundary);
	sb_init(&path, 0);
	issue_path(&path, key, "/attachments");
	st = sb_failed(&body) || sb_failed(&path) || sb_failed(&ctype)
	             ? nomem(j)
	             : jira_request_ex(j, "POST", sb_str(&path), sb_str(&ctype),
	                               body.p, body.len, 0,
	                               "uploading the attachment",
	                               "Attachments may be disabled on the "
	                               "site, or the account lacks the "
	                               "Create Attachments permission.",
	                               &r);
	sb_free(&body);
	sb_free(&path);
	sb_free(&ctype);
	if (st != SKILL_OK)
		return st;
	res = cJSON_ParseWithLength(r->body, r->body_len);
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "issue_key", key) ||
	    !add_attachments(out, "attachments", res)) {
		cJSON_Delete(out);
		cJSON_Delete(res);
		return nomem(j);
	}
	cJSON_Delete(res);
	return jira_result(j, out);
}

skill_status jira_get_attachment(struct jira *j, const cJSON *args)
{
	const char *id = rc_str(args, "id");
	const skill_ext_artifacts_t *a = artifacts(j);
	skill_artifact_info_t info = {.struct_size = sizeof info};
	skill_artifact_t *art = NULL;
	const skill_http_response_t *r;
	struct sbuf path;
	cJSON *meta = NULL, *out;
	const char *name, *type;
	skill_status st;

	if (!a)
		return SKILL_ERR_UNSUPPORTED;
	sb_init(&path, 0);
	sb_puts(&path, JIRA_API "/attachment/");
	sb_put_pct(&path, id);
	st = get(j, &path, "reading the attachment's details",
	         "Check the attachment id (list_attachments gives them).",
	         &meta);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	name = rc_str(meta, "filename");
	type = rc_str(meta, "mimeType");
	if (!name || !*name || *name == '.' || strchr(name, '/'))
		name = "attachment.bin";
	if (!type)
		type = jira_mime_for(name);
	/* redirect=false: Jira sends the bytes itself rather than a redirect
	 * to its media host, which the allowlist would refuse. */
	sb_init(&path, 0);
	sb_puts(&path, JIRA_API "/attachment/content/");
	sb_put_pct(&path, id);
	sb_puts(&path, "?redirect=false");
	st = sb_failed(&path)
	             ? nomem(j)
	             : jira_request_ex(j, "GET", sb_str(&path), NULL, NULL, 0,
	                               JIRA_ATTACHMENT_MAX,
	                               "downloading the attachment", NULL, &r);
	sb_free(&path);
	if (st != SKILL_OK) {
		cJSON_Delete(meta);
		return st;
	}
	if ((st = a->create(j->call, name, type, &art)) != SKILL_OK) {
		cJSON_Delete(meta);
		return jira_fail(j,
		                 st == SKILL_ERR_DENIED ? SKILL_ERR_TOOL : st,
		                 "the host did not let the skill store the "
		                 "attachment as an artifact (the skill needs "
		                 "the \"artifacts\" filesystem permission)");
	}
	st = a->write(j->call, art, r->body, r->body_len);
	if (st != SKILL_OK) {
		a->discard(j->call, art);
		cJSON_Delete(meta);
		return jira_fail(j, SKILL_ERR_IO,
		                 "saving the attachment failed (%s)",
		                 st == SKILL_ERR_NOMEM
		                         ? "over the host's artifact size cap"
		                         : "write error");
	}
	if (a->commit(j->call, art, &info) != SKILL_OK) {
		cJSON_Delete(meta);
		return jira_fail(j, SKILL_ERR_IO,
		                 "saving the attachment failed");
	}
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "id", id) ||
	    !cJSON_AddStringToObject(out, "filename", name) ||
	    !cJSON_AddStringToObject(out, "mime_type", type) ||
	    !cJSON_AddNumberToObject(out, "size", (double)info.size) ||
	    !cJSON_AddStringToObject(out, "uri", info.uri)) {
		cJSON_Delete(out);
		cJSON_Delete(meta);
		return nomem(j);
	}
	cJSON_Delete(meta);
	return jira_result(j, out);
}

/* ---- issue links ---- */

skill_status jira_list_link_types(struct jira *j, const cJSON *args)
{
	struct sbuf path;
	cJSON *res = NULL, *out, *list;
	const cJSON *t;
	skill_status st;

	(void)args;
	sb_init(&path, 0);
	sb_puts(&path, JIRA_API "/issueLinkType");
	st = get(j, &path, "listing the issue link types",
	         "Issue linking may be turned off on the site.", &res);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	list = out ? cJSON_AddArrayToObject(out, "link_types") : NULL;
	if (!list)
		goto nomem;
	cJSON_ArrayForEach(
	        t, cJSON_GetObjectItemCaseSensitive(res, "issueLinkTypes"))
	{
		cJSON *v = cJSON_CreateObject();
		if (!v || !rc_add_str(v, "id", rc_str(t, "id")) ||
		    !rc_add_str(v, "name", rc_str(t, "name")) ||
		    !rc_add_str(v, "inward", rc_str(t, "inward")) ||
		    !rc_add_str(v, "outward", rc_str(t, "outward")) ||
		    !cJSON_AddItemToArray(list, v)) {
			cJSON_Delete(v);
			goto nomem;
		}
	}
	cJSON_Delete(res);
	return jira_result(j, out);
nomem:
	cJSON_Delete(out);
	cJSON_Delete(res);
	return nomem(j);
}

static cJSON *key_ref(const char *key)
{
	cJSON *o = cJSON_CreateObject();

	if (o && !cJSON_AddStringToObject(o, "key", key)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

skill_status jira_link_issues(struct jira *j, const cJSON *args)
{
	const char *type = rc_str(args, "type");
	const char *from = rc_str(args, "outward_issue");
	const char *to = rc_str(args, "inward_issue");
	const char *comment = rc_str(args, "comment");
	cJSON *body = cJSON_CreateObject(), *t = NULL, *out;
	const skill_http_response_t *r;
	char *link_id = NULL;
	skill_status st;

	if (!body || !(t = cJSON_AddObjectToObject(body, "type")) ||
	    !cJSON_AddStringToObject(t, "name", type) ||
	    !cJSON_AddItemToObject(body, "outwardIssue", key_ref(from)) ||
	    !cJSON_AddItemToObject(body, "inwardIssue", key_ref(to))) {
		cJSON_Delete(body);
		return nomem(j);
	}
	if (comment) {
		cJSON *c = cJSON_AddObjectToObject(body, "comment"),
		      *adf = NULL;
		md_status ms = md_to_adf(comment, strlen(comment), &adf);
		if (ms != MD_OK || !c ||
		    !cJSON_AddItemToObject(c, "body", adf)) {
			cJSON_Delete(adf);
			cJSON_Delete(body);
			return ms == MD_ERR_TOO_LARGE
			               ? jira_fail(j, SKILL_ERR_TOOL,
			                           "the comment is too long")
			               : nomem(j);
		}
	}
	st = jira_request(j, "POST", JIRA_API "/issueLink", body,
	                  "linking the issues",
	                  "type is a link type's name (list_link_types), "
	                  "and both issues must exist and be visible.",
	                  &r);
	cJSON_Delete(body);
	if (st != SKILL_OK)
		return st;
	/* Jira answers 201 without the link; its id is in the from issue's
	 * issuelinks, as {"type", "outwardIssue": the to issue}. */
	{
		struct sbuf path;
		cJSON *res = NULL;
		const cJSON *l;
		sb_init(&path, 0);
		issue_path(&path, from, "?fields=issuelinks");
		st = get(j, &path, "reading the new link's id", KEY_HINT, &res);
		sb_free(&path);
		if (st != SKILL_OK)
			return st;
		cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(
		                              cJSON_GetObjectItemCaseSensitive(
		                                      res, "fields"),
		                              "issuelinks"))
		{
			const char *k = rc_str(cJSON_GetObjectItemCaseSensitive(
			                               l, "outwardIssue"),
			                       "key");
			const char *tn = rc_str(
			        cJSON_GetObjectItemCaseSensitive(l, "type"),
			        "name");
			if (k && tn && !strcasecmp(k, to) &&
			    !strcasecmp(tn, type) && rc_str(l, "id")) {
				link_id = strdup(rc_str(l, "id"));
				break;
			}
		}
		cJSON_Delete(res);
	}
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "type", type) ||
	    !cJSON_AddStringToObject(out, "outward_issue", from) ||
	    !cJSON_AddStringToObject(out, "inward_issue", to) ||
	    !rc_add_str(out, "link_id", link_id)) {
		free(link_id);
		cJSON_Delete(out);
		return nomem(j);
	}
	free(link_id);
	return jira_result(j, out);
}

skill_status jira_delete_link(struct jira *j, const cJSON *args)
{
	const char *id = rc_str(args, "link_id");
	const skill_http_response_t *r;
	struct sbuf path;
	cJSON *out;
	skill_status st;

	sb_init(&path, 0);
	sb_puts(&path, JIRA_API "/issueLink/");
	sb_put_pct(&path, id);
	st = sb_failed(&path)
	             ? nomem(j)
	             : jira_request(j, "DELETE", sb_str(&path), NULL,
	                            "deleting the issue link",
	                            "The link id is in get_issue's "
	                            "issuelinks (id) or link_issues' result.",
	                            &r);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "link_id", id) ||
	    !cJSON_AddBoolToObject(out, "deleted", 1)) {
		cJSON_Delete(out);
		return nomem(j);
	}
	return jira_result(j, out);
}

/* ---- worklogs ---- */

static cJSON *worklog_view(const cJSON *w)
{
	cJSON *v = cJSON_CreateObject(), *author;
	const cJSON *secs =
	        cJSON_GetObjectItemCaseSensitive(w, "timeSpentSeconds");
	const cJSON *comment = cJSON_GetObjectItemCaseSensitive(w, "comment");

	if (!v || !rc_add_str(v, "id", rc_str(w, "id")) ||
	    !rc_add_str(v, "time_spent", rc_str(w, "timeSpent")) ||
	    (cJSON_IsNumber(secs) &&
	     !cJSON_AddNumberToObject(v, "time_spent_seconds",
	                              secs->valuedouble)) ||
	    !rc_add_str(v, "started", rc_str(w, "started"))) {
		cJSON_Delete(v);
		return NULL;
	}
	if (adf_is_doc(comment)) {
		char *md = adf_to_markdown(comment);
		if (!md || !cJSON_AddStringToObject(v, "comment", md)) {
			free(md);
			cJSON_Delete(v);
			return NULL;
		}
		free(md);
	}
	author = jira_value_view(cJSON_GetObjectItemCaseSensitive(w, "author"));
	if (author && !cJSON_AddItemToObject(v, "author", author))
		cJSON_Delete(author);
	return v;
}

skill_status jira_list_worklogs(struct jira *j, const cJSON *args)
{
	const char *key = rc_str(args, "issue_key");
	int max = rc_int(args, "max_results", 100);
	struct sbuf path;
	cJSON *res = NULL, *out, *list;
	const cJSON *w, *total;
	skill_status st;

	if (max > JIRA_WORKLOGS_MAX)
		max = JIRA_WORKLOGS_MAX;
	sb_init(&path, 0);
	issue_path(&path, key, "/worklog");
	sb_printf(&path, "?startAt=0&maxResults=%d", max);
	st = get(j, &path, "listing the worklogs", KEY_HINT, &res);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	list = out ? cJSON_AddArrayToObject(out, "worklogs") : NULL;
	if (!list || !cJSON_AddStringToObject(out, "issue_key", key))
		goto nomem;
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(res, "worklogs"))
	{
		cJSON *v = worklog_view(w);
		if (!v || !cJSON_AddItemToArray(list, v)) {
			cJSON_Delete(v);
			goto nomem;
		}
	}
	total = cJSON_GetObjectItemCaseSensitive(res, "total");
	if (cJSON_IsNumber(total) &&
	    !cJSON_AddNumberToObject(out, "total", total->valuedouble))
		goto nomem;
	cJSON_Delete(res);
	return jira_result(j, out);
nomem:
	cJSON_Delete(out);
	cJSON_Delete(res);
	return nomem(j);
}

skill_status jira_add_worklog(struct jira *j, const cJSON *args)
{
	const char *key = rc_str(args, "issue_key");
	const char *spent = rc_str(args, "time_spent");
	const char *started = rc_str(args, "started");
	const char *comment = rc_str(args, "comment");
	const cJSON *secs =
	        cJSON_GetObjectItemCaseSensitive(args, "time_spent_seconds");
	cJSON *body, *res = NULL, *out;
	struct sbuf path;
	char now[40];
	skill_status st;

	if (!spent == !secs)
		return jira_fail(
		        j, SKILL_ERR_TOOL,
		        "give either \"time_spent\" (e.g. \"1h 30m\") or "
		        "\"time_spent_seconds\", not %s",
		        spent ? "both" : "neither");
	if (!started) {
		/* Jira's format: 2021-01-17T12:34:00.000+0000. */
		time_t t = time(NULL);
		struct tm tm;
		if (t == (time_t)-1 || !gmtime_r(&t, &tm) ||
		    !strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%S.000+0000",
		              &tm))
			return jira_fail(
			        j, SKILL_ERR_TOOL,
			        "cannot read the clock; give \"started\"");
		started = now;
	}
	body = cJSON_CreateObject();
	if (!body || !cJSON_AddStringToObject(body, "started", started) ||
	    (spent && !cJSON_AddStringToObject(body, "timeSpent", spent)) ||
	    (secs && !cJSON_AddNumberToObject(body, "timeSpentSeconds",
	                                      secs->valuedouble))) {
		cJSON_Delete(body);
		return nomem(j);
	}
	if (comment) {
		cJSON *adf = NULL;
		md_status ms = md_to_adf(comment, strlen(comment), &adf);
		if (ms != MD_OK ||
		    !cJSON_AddItemToObject(body, "comment", adf)) {
			cJSON_Delete(adf);
			cJSON_Delete(body);
			return ms == MD_ERR_TOO_LARGE
			               ? jira_fail(j, SKILL_ERR_TOOL,
			                           "the comment is too long")
			               : nomem(j);
		}
	}
	sb_init(&path, 0);
	issue_path(&path, key, "/worklog");
	st = sb_failed(&path)
	             ? nomem(j)
	             : jira_get_json(j, "POST", sb_str(&path), body,
	                             "logging work",
	                             "time_spent uses Jira's units (1w 2d 3h "
	                             "4m); time tracking must be on for the "
	                             "project.",
	                             &res);
	sb_free(&path);
	cJSON_Delete(body);
	if (st != SKILL_OK)
		return st;
	out = worklog_view(res);
	cJSON_Delete(res);
	if (!out || !cJSON_AddStringToObject(out, "issue_key", key)) {
		cJSON_Delete(out);
		return nomem(j);
	}
	return jira_result(j, out);
}

/* ---- watchers ---- */

skill_status jira_list_watchers(struct jira *j, const cJSON *args)
{
	const char *key = rc_str(args, "issue_key");
	struct sbuf path;
	cJSON *res = NULL, *out, *list;
	const cJSON *w, *n;
	skill_status st;

	sb_init(&path, 0);
	issue_path(&path, key, "/watchers");
	st = get(j, &path, "listing the watchers", KEY_HINT, &res);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	list = out ? cJSON_AddArrayToObject(out, "watchers") : NULL;
	if (!list || !cJSON_AddStringToObject(out, "issue_key", key))
		goto nomem;
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(res, "watchers"))
	{
		cJSON *v = jira_value_view(w);
		if (!v || !cJSON_AddItemToArray(list, v)) {
			cJSON_Delete(v);
			goto nomem;
		}
	}
	n = cJSON_GetObjectItemCaseSensitive(res, "watchCount");
	if ((cJSON_IsNumber(n) &&
	     !cJSON_AddNumberToObject(out, "watch_count", n->valuedouble)) ||
	    !cJSON_AddBoolToObject(
	            out, "is_watching",
	            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	                    res, "isWatching"))))
		goto nomem;
	cJSON_Delete(res);
	return jira_result(j, out);
nomem:
	cJSON_Delete(out);
	cJSON_Delete(res);
	return nomem(j);
}

static skill_status watcher(struct jira *j, const cJSON *args, int add)
{
	const char *key = rc_str(args, "issue_key");
	cJSON *user = NULL, *body = NULL, *out;
	const skill_http_response_t *r;
	struct sbuf path;
	const char *id;
	skill_status st;

	if ((st = jira_resolve_user(j, rc_str(args, "user"), "user", &user)) !=
	    SKILL_OK)
		return st;
	id = rc_str(user, "accountId");
	sb_init(&path, 0);
	issue_path(&path, key, "/watchers");
	if (!add) {
		sb_puts(&path, "?accountId=");
		sb_put_pct(&path, id);
	} else if (!(body = cJSON_CreateString(id))) {
		sb_free(&path);
		cJSON_Delete(user);
		return nomem(j);
	}
	st = sb_failed(&path)
	             ? nomem(j)
	             : jira_request(j, add ? "POST" : "DELETE", sb_str(&path),
	                            body,
	                            add ? "adding the watcher"
	                                : "removing the watcher",
	                            "Check the issue key; watching may be "
	                            "turned off, and adding someone else "
	                            "needs the Manage Watchers permission.",
	                            &r);
	sb_free(&path);
	cJSON_Delete(body);
	if (st != SKILL_OK) {
		cJSON_Delete(user);
		return st;
	}
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "issue_key", key) ||
	    !cJSON_AddItemToObject(out, add ? "added" : "removed", user)) {
		cJSON_Delete(out);
		cJSON_Delete(user);
		return nomem(j);
	}
	return jira_result(j, out);
}

skill_status jira_add_watcher(struct jira *j, const cJSON *args)
{
	return watcher(j, args, 1);
}

skill_status jira_remove_watcher(struct jira *j, const cJSON *args)
{
	return watcher(j, args, 0);
}
