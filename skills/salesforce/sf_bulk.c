/*
 * sf_bulk.c - Bulk API 2.0 jobs and ContentVersion files. See sf_bulk.h.
 */
#include "sf_bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <skill/ext/artifacts.h>

#include "restcall.h"
#include "sf_error.h"
#include "sf_records.h"

static skill_status nomem(struct sf *c)
{
	return sf_fail(c, SKILL_ERR_NOMEM, "out of memory");
}

static const skill_ext_artifacts_t *artifacts(struct sf *c)
{
	const skill_ext_artifacts_t *a =
	        c->host->get_extension(c->host, SKILL_EXT_ARTIFACTS);

	if (!a)
		sf_fail(c, SKILL_ERR_UNSUPPORTED,
		        "this host offers no %s extension, which files and "
		        "bulk jobs need",
		        SKILL_EXT_ARTIFACTS);
	return a;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Sleep ms in short steps; 0 when the call was cancelled meanwhile. */
static int nap(struct sf *c, long ms)
{
	struct timespec step = {0, 50L * 1000 * 1000};

	for (long t = 0; t < ms; t += 50) {
		if (c->host->is_cancelled(c->call))
			return 0;
		nanosleep(&step, NULL);
	}
	return !c->host->is_cancelled(c->call);
}

/* Read an input file (allowed folder or artifact) into b, at most max
 * bytes. */
static skill_status read_input(struct sf *c, const skill_ext_artifacts_t *a,
                               const char *path, int64_t max, struct sbuf *b)
{
	skill_input_t *in = NULL;
	int64_t size = 0, n = 0;
	char buf[65536];
	skill_status st = a->open_input(c->call, path, &in, &size);

	if (st == SKILL_ERR_DENIED)
		return sf_fail(
		        c, SKILL_ERR_TOOL,
		        "%s is outside the folders skillhost/salesforce "
		        "may read: give an artifact's URI or a file in a "
		        "folder the operator allowed with `skillhost "
		        "config skillhost/salesforce input-dir DIR`",
		        path);
	if (st != SKILL_OK)
		return sf_fail(c, SKILL_ERR_TOOL,
		               "cannot open %s: check that the file exists",
		               path);
	if (size > max) {
		a->close_input(c->call, in);
		return sf_fail(
		        c, SKILL_ERR_TOOL,
		        "%s is %lld bytes, over the %lld bytes this tool "
		        "sends in one call",
		        path, (long long)size, (long long)max);
	}
	while (b->len <= (size_t)max &&
	       (n = a->read(c->call, in, buf, sizeof buf)) > 0)
		sb_put(b, buf, (size_t)n);
	a->close_input(c->call, in);
	if (n < 0)
		return sf_fail(c, SKILL_ERR_IO, "reading %s failed", path);
	if (b->len > (size_t)max)
		return sf_fail(c, SKILL_ERR_TOOL,
		               "%s grew past %lld bytes while being read", path,
		               (long long)max);
	return sb_failed(b) ? nomem(c) : SKILL_OK;
}

/* Store len bytes as an artifact; its URI goes into out[key]. */
static skill_status save(struct sf *c, const skill_ext_artifacts_t *a,
                         const char *name, const char *type, const void *data,
                         size_t len, cJSON *out, const char *key)
{
	skill_artifact_info_t info = {.struct_size = sizeof info};
	skill_artifact_t *art = NULL;
	skill_status st = a->create(c->call, name, type, &art);

	if (st != SKILL_OK)
		return sf_fail(c, st == SKILL_ERR_DENIED ? SKILL_ERR_TOOL : st,
		               "the host did not let the skill store %s as an "
		               "artifact (the skill needs the \"artifacts\" "
		               "filesystem permission)",
		               name);
	if (len && (st = a->write(c->call, art, data, len)) != SKILL_OK) {
		a->discard(c->call, art);
		return sf_fail(c, SKILL_ERR_IO, "saving %s failed (%s)", name,
		               st == SKILL_ERR_NOMEM
		                       ? "over the host's artifact size cap"
		                       : "write error");
	}
	if (a->commit(c->call, art, &info) != SKILL_OK)
		return sf_fail(c, SKILL_ERR_IO, "saving %s failed", name);
	return cJSON_AddStringToObject(out, key, info.uri) ? SKILL_OK
	                                                   : nomem(c);
}

/* ---- polling a job ---- */

/*
 * Poll GET /jobs/KIND/ID until JobComplete, Failed or Aborted, or until
 * wait seconds pass (then *done = 0). Reports progress on every poll.
 * *info is the last job info (caller deletes). A Failed or Aborted job is
 * a tool error quoting its errorMessage.
 */
static skill_status poll_job(struct sf *c, const char *kind, const char *id,
                             int wait, cJSON **info, int *done)
{
	double t0 = now_s();
	long pause = 250;
	struct sbuf path;
	skill_status st;

	*done = 0;
	*info = NULL;
	sb_init(&path, 0);
	sb_printf(&path, "/jobs/%s/", kind);
	sb_put_pct(&path, id);
	if (sb_failed(&path))
		return nomem(c);
	for (;;) {
		const char *state;
		const cJSON *n;
		char msg[160];
		cJSON_Delete(*info);
		*info = NULL;
		st = sf_get_json(
		        c, "GET", sb_str(&path), NULL, NULL, 0,
		        "checking the bulk job",
		        "The job_id is the one an earlier call of this "
		        "tool returned.",
		        info);
		if (st != SKILL_OK)
			break;
		state = rc_str(*info, "state");
		n = cJSON_GetObjectItemCaseSensitive(*info,
		                                     "numberRecordsProcessed");
		snprintf(msg, sizeof msg, "bulk job %s: %s, %.0f records", id,
		         state ? state : "?",
		         cJSON_IsNumber(n) ? n->valuedouble : 0);
		c->host->progress(c->call, now_s() - t0 + 0.001 * (double)pause,
		                  wait, msg);
		if (state && !strcmp(state, "JobComplete")) {
			*done = 1;
			break;
		}
		if (state &&
		    (!strcmp(state, "Failed") || !strcmp(state, "Aborted"))) {
			const char *why = rc_str(*info, "errorMessage");
			st = sf_fail(
			        c, SKILL_ERR_TOOL,
			        "the bulk job %s ended %s%s%s. Fix what it "
			        "says and start a new job.",
			        id, state, why ? ": " : "", why ? why : "");
			break;
		}
		if (now_s() - t0 + (double)pause / 1000 > wait)
			break; /* still running: the caller hands back job_id */
		if (!nap(c, pause)) {
			st = SKILL_ERR_CANCELLED;
			break;
		}
		if (pause < 5000)
			pause = pause * 2 > 5000 ? 5000 : pause * 2;
	}
	sb_free(&path);
	if (st != SKILL_OK) {
		cJSON_Delete(*info);
		*info = NULL;
	}
	return st;
}

/* The running-job answer: {job_id, state, done: false, ...}. */
static skill_status still_running(struct sf *c, const char *id, cJSON *info,
                                  const char *tool)
{
	cJSON *out = cJSON_CreateObject();
	char next[200];

	snprintf(next, sizeof next,
	         "the job is still running: call %s again with job_id "
	         "to go on waiting",
	         tool);
	if (!out || !cJSON_AddStringToObject(out, "job_id", id) ||
	    !rc_add_str(out, "state", rc_str(info, "state")) ||
	    !cJSON_AddBoolToObject(out, "done", 0) ||
	    !cJSON_AddStringToObject(out, "next", next)) {
		cJSON_Delete(out);
		cJSON_Delete(info);
		return nomem(c);
	}
	cJSON_Delete(info);
	return sf_result(c, out);
}

static int wait_of(const cJSON *args)
{
	int w = rc_int(args, "wait_seconds", SF_BULK_WAIT_DEFAULT);

	return w < 0 ? 0 : w > SF_BULK_WAIT_MAX ? SF_BULK_WAIT_MAX : w;
}

/* ---- bulk_query ---- */

skill_status sf_bulk_query(struct sf *c, const cJSON *args)
{
	const char *query = rc_str(args, "query");
	const char *job = rc_str(args, "job_id");
	const skill_ext_artifacts_t *a = artifacts(c);
	char id[64], *locator = NULL, name[96];
	cJSON *info = NULL, *out = NULL;
	struct sbuf csv, path;
	skill_status st;
	double records = 0;
	int done, pages = 0;

	if (!a)
		return SKILL_ERR_UNSUPPORTED;
	if (!query == !job)
		return sf_fail(
		        c, SKILL_ERR_TOOL,
		        "give either \"query\" (a new job) or \"job_id\" "
		        "(to go on waiting for one), not %s",
		        query ? "both" : "neither");
	if (query) {
		cJSON *body = cJSON_CreateObject(), *res = NULL;
		int all = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		        args, "include_deleted"));
		if (!body ||
		    !cJSON_AddStringToObject(body, "operation",
		                             all ? "queryAll" : "query") ||
		    !cJSON_AddStringToObject(body, "query", query) ||
		    !cJSON_AddStringToObject(body, "contentType", "CSV") ||
		    !cJSON_AddStringToObject(body, "columnDelimiter",
		                             "COMMA") ||
		    !cJSON_AddStringToObject(body, "lineEnding", "LF")) {
			cJSON_Delete(body);
			return nomem(c);
		}
		st = sf_get_json(c, "POST", "/jobs/query", body, NULL, 0,
		                 "creating the bulk query job",
		                 "Check the SOQL; Bulk API 2.0 queries take no "
		                 "subqueries, COUNT(), OFFSET or TYPEOF.",
		                 &res);
		cJSON_Delete(body);
		if (st != SKILL_OK)
			return st;
		snprintf(id, sizeof id, "%s",
		         rc_str(res, "id") ? rc_str(res, "id") : "");
		cJSON_Delete(res);
		if (!*id)
			return sf_fail(
			        c, SKILL_ERR_TOOL,
			        "Salesforce created the query job but did "
			        "not say its id");
	} else {
		snprintf(id, sizeof id, "%s", job);
	}
	if ((st = poll_job(c, "query", id, wait_of(args), &info, &done)) !=
	    SKILL_OK)
		return st;
	if (!done)
		return still_running(c, id, info, "bulk_query");
	cJSON_Delete(info);
	/* Results come in pages of CSV, each with its header line; the
	 * artifact keeps the first. Sforce-Locator "null" ends them. */
	sb_init(&csv, 0);
	for (;;) {
		const skill_http_response_t *r;
		struct sf_raw raw = {.accept = "text/csv",
		                     .max_response = SF_FILE_DOWNLOAD_MAX};
		const char *loc, *nrec, *body;
		size_t len;
		sb_init(&path, 0);
		sb_puts(&path, "/jobs/query/");
		sb_put_pct(&path, id);
		sb_printf(&path, "/results?maxRecords=%d", SF_BULK_PAGE);
		if (locator) {
			sb_puts(&path, "&locator=");
			sb_put_pct(&path, locator);
		}
		st = sb_failed(&path)
		             ? nomem(c)
		             : sf_request_raw(c, "GET", sb_str(&path), &raw,
		                              "downloading the query results",
		                              NULL, &r);
		sb_free(&path);
		if (st != SKILL_OK)
			break;
		body = r->body;
		len = r->body_len;
		if (pages++ && len) {
			const char *nl = memchr(body, '\n', len);
			size_t skip = nl ? (size_t)(nl - body) + 1 : len;
			body += skip;
			len -= skip;
		}
		sb_put(&csv, body, len);
		nrec = c->http->header(r, "sforce-numberofrecords");
		if (nrec)
			records += strtod(nrec, NULL);
		loc = c->http->header(r, "sforce-locator");
		free(locator);
		locator =
		        loc && *loc && strcmp(loc, "null") ? strdup(loc) : NULL;
		c->http->response_free(c->call, r);
		if (!locator)
			break;
		if (sb_failed(&csv) || csv.len > (size_t)SF_FILE_DOWNLOAD_MAX) {
			st = sf_fail(c, SKILL_ERR_TOOL,
			             "the results pass %lld bytes; narrow the "
			             "query (WHERE) and run it in parts",
			             (long long)SF_FILE_DOWNLOAD_MAX);
			break;
		}
	}
	free(locator);
	snprintf(name, sizeof name, "query-%s.csv", id);
	out = st == SKILL_OK ? cJSON_CreateObject() : NULL;
	if (st == SKILL_OK && (!out || sb_failed(&csv)))
		st = nomem(c);
	if (st == SKILL_OK)
		st = save(c, a, name, "text/csv", csv.p, csv.len, out, "uri");
	sb_free(&csv);
	if (st == SKILL_OK &&
	    (!cJSON_AddStringToObject(out, "job_id", id) ||
	     !cJSON_AddStringToObject(out, "state", "JobComplete") ||
	     !cJSON_AddBoolToObject(out, "done", 1) ||
	     !cJSON_AddNumberToObject(out, "records", records) ||
	     !cJSON_AddNumberToObject(out, "pages", pages)))
		st = nomem(c);
	if (st != SKILL_OK) {
		cJSON_Delete(out);
		return st;
	}
	return sf_result(c, out);
}

/* ---- bulk_ingest ---- */

/* Stop a job that will not be completed, so nothing half-loaded runs. */
static void abort_job(struct sf *c, const char *id)
{
	cJSON *body = cJSON_CreateObject(), *res = NULL;
	struct sbuf path;

	sb_init(&path, 0);
	sb_puts(&path, "/jobs/ingest/");
	sb_put_pct(&path, id);
	if (body && cJSON_AddStringToObject(body, "state", "Aborted") &&
	    !sb_failed(&path)) {
		/* The call already failed; this answer changes nothing. */
		skill_status ignored =
		        sf_get_json(c, "PATCH", sb_str(&path), body, NULL, 0,
		                    "aborting the job", NULL, &res);
		(void)ignored;
	}
	cJSON_Delete(res);
	cJSON_Delete(body);
	sb_free(&path);
}

skill_status sf_bulk_ingest(struct sf *c, const cJSON *args)
{
	const char *obj = rc_str(args, "sobject"),
	           *op = rc_str(args, "operation");
	const char *ext = rc_str(args, "external_id_field");
	const char *file = rc_str(args, "csv_path"),
	           *inline_csv = rc_str(args, "csv");
	const char *job = rc_str(args, "job_id");
	const skill_ext_artifacts_t *a = artifacts(c);
	cJSON *info = NULL, *out;
	struct sbuf data, path;
	char id[64];
	skill_status st;
	int done;

	if (!a)
		return SKILL_ERR_UNSUPPORTED;
	if (job && (file || inline_csv || obj))
		return sf_fail(
		        c, SKILL_ERR_TOOL,
		        "with job_id give nothing else: it goes on waiting "
		        "for that job");
	if (!job && (!obj || !op || !file == !inline_csv))
		return sf_fail(
		        c, SKILL_ERR_TOOL,
		        "a new job needs sobject, operation and one of "
		        "csv_path (a file or artifact) or csv (the text)");
	if (!job && !strcmp(op, "upsert") && !ext)
		return sf_fail(c, SKILL_ERR_TOOL,
		               "an upsert needs external_id_field");
	if (job) {
		snprintf(id, sizeof id, "%s", job);
	} else {
		cJSON *body = cJSON_CreateObject(), *res = NULL;
		const skill_http_response_t *r;
		struct sf_raw raw = {.content_type = "text/csv"};
		int crlf;
		sb_init(&data, 0);
		if (file)
			st = read_input(c, a, file, SF_BULK_UPLOAD_MAX, &data);
		else {
			sb_puts(&data, inline_csv);
			st = sb_failed(&data) ? nomem(c) : SKILL_OK;
		}
		/* No buffer (nothing read) has no line either. */
		if (st == SKILL_OK &&
		    (!data.p || !memchr(data.p, '\n', data.len)))
			st = sf_fail(c, SKILL_ERR_TOOL,
			             "the CSV needs a header line of field API "
			             "names and at least one record line");
		if (st != SKILL_OK) {
			cJSON_Delete(body);
			sb_free(&data);
			return st;
		}
		crlf = memchr(data.p, '\r', data.len) != NULL;
		if (!body || !cJSON_AddStringToObject(body, "object", obj) ||
		    !cJSON_AddStringToObject(body, "operation", op) ||
		    (ext && !cJSON_AddStringToObject(
		                    body, "externalIdFieldName", ext)) ||
		    !cJSON_AddStringToObject(body, "contentType", "CSV") ||
		    !cJSON_AddStringToObject(body, "columnDelimiter",
		                             "COMMA") ||
		    !cJSON_AddStringToObject(body, "lineEnding",
		                             crlf ? "CRLF" : "LF")) {
			cJSON_Delete(body);
			sb_free(&data);
			return nomem(c);
		}
		st = sf_get_json(c, "POST", "/jobs/ingest", body, NULL, 0,
		                 "creating the bulk ingest job",
		                 "Check the object name and operation (insert, "
		                 "update, upsert, delete, hardDelete).",
		                 &res);
		cJSON_Delete(body);
		snprintf(id, sizeof id, "%s",
		         st == SKILL_OK && rc_str(res, "id") ? rc_str(res, "id")
		                                             : "");
		cJSON_Delete(res);
		if (st != SKILL_OK || !*id) {
			sb_free(&data);
			return st != SKILL_OK
			               ? st
			               : sf_fail(c, SKILL_ERR_TOOL,
			                         "Salesforce created the job "
			                         "but did not say its id");
		}
		raw.body = data.p;
		raw.len = data.len;
		sb_init(&path, 0);
		sb_puts(&path, "/jobs/ingest/");
		sb_put_pct(&path, id);
		sb_puts(&path, "/batches");
		st = sb_failed(&path)
		             ? nomem(c)
		             : sf_request_raw(c, "PUT", sb_str(&path), &raw,
		                              "uploading the CSV",
		                              "The CSV's header names the "
		                              "fields by API name; values are "
		                              "quoted with \" when they hold "
		                              "commas or line breaks.",
		                              &r);
		sb_free(&path);
		sb_free(&data);
		if (st == SKILL_OK) {
			cJSON *close = cJSON_CreateObject(), *res2 = NULL;
			sb_init(&path, 0);
			sb_puts(&path, "/jobs/ingest/");
			sb_put_pct(&path, id);
			st = !close || sb_failed(&path) ||
			                     !cJSON_AddStringToObject(
			                             close, "state",
			                             "UploadComplete")
			             ? nomem(c)
			             : sf_get_json(c, "PATCH", sb_str(&path),
			                           close, NULL, 0,
			                           "closing the upload", NULL,
			                           &res2);
			cJSON_Delete(close);
			cJSON_Delete(res2);
			sb_free(&path);
		}
		if (st != SKILL_OK) {
			abort_job(c, id);
			return st;
		}
	}
	if ((st = poll_job(c, "ingest", id, wait_of(args), &info, &done)) !=
	    SKILL_OK)
		return st;
	if (!done)
		return still_running(c, id, info, "bulk_ingest");
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "job_id", id) ||
	    !cJSON_AddStringToObject(out, "state", "JobComplete") ||
	    !cJSON_AddBoolToObject(out, "done", 1) ||
	    !cJSON_AddNumberToObject(
	            out, "processed",
	            rc_int(info, "numberRecordsProcessed", 0)) ||
	    !cJSON_AddNumberToObject(out, "failed",
	                             rc_int(info, "numberRecordsFailed", 0))) {
		cJSON_Delete(out);
		cJSON_Delete(info);
		return nomem(c);
	}
	cJSON_Delete(info);
	for (int k = 0; k < 2; k++) {
		static const char *const what[] = {"successfulResults",
		                                   "failedResults"};
		static const char *const key[] = {"successful_results_uri",
		                                  "failed_results_uri"};
		const skill_http_response_t *r;
		struct sf_raw raw = {.accept = "text/csv",
		                     .max_response = SF_FILE_DOWNLOAD_MAX};
		char name[96];
		sb_init(&path, 0);
		sb_puts(&path, "/jobs/ingest/");
		sb_put_pct(&path, id);
		sb_printf(&path, "/%s", what[k]);
		st = sb_failed(&path)
		             ? nomem(c)
		             : sf_request_raw(c, "GET", sb_str(&path), &raw,
		                              "downloading the job's results",
		                              NULL, &r);
		sb_free(&path);
		if (st != SKILL_OK)
			break;
		snprintf(name, sizeof name, "ingest-%s-%s.csv", id,
		         k ? "failed" : "successful");
		st = save(c, a, name, "text/csv", r->body, r->body_len, out,
		          key[k]);
		c->http->response_free(c->call, r);
		if (st != SKILL_OK)
			break;
	}
	if (st != SKILL_OK) {
		cJSON_Delete(out);
		return st;
	}
	return sf_result(c, out);
}

/* ---- files ---- */

skill_status sf_upload_file(struct sf *c, const cJSON *args)
{
	const char *file = rc_str(args, "path"), *title = rc_str(args, "title");
	const char *link = rc_str(args, "link_to");
	const char *name = rc_str(args, "filename");
	const skill_ext_artifacts_t *a = artifacts(c);
	struct sbuf data, b64;
	cJSON *body, *res = NULL, *out;
	skill_status st;

	if (!a)
		return SKILL_ERR_UNSUPPORTED;
	if (!name) {
		const char *slash = strrchr(file, '/');
		name = slash ? slash + 1 : file;
	}
	if (!*name)
		return sf_fail(c, SKILL_ERR_TOOL,
		               "give \"filename\": %s ends in a '/'", file);
	sb_init(&data, 0);
	if ((st = read_input(c, a, file, SF_FILE_MAX, &data)) != SKILL_OK) {
		sb_free(&data);
		return st;
	}
	sb_init(&b64, 0);
	rk_put_base64(&b64, data.p ? data.p : "", data.len);
	sb_free(&data);
	body = cJSON_CreateObject();
	if (sb_failed(&b64) || !body ||
	    !cJSON_AddStringToObject(body, "Title", title ? title : name) ||
	    !cJSON_AddStringToObject(body, "PathOnClient", name) ||
	    !cJSON_AddStringToObject(body, "VersionData", sb_str(&b64)) ||
	    (link &&
	     !cJSON_AddStringToObject(body, "FirstPublishLocationId", link))) {
		sb_free(&b64);
		cJSON_Delete(body);
		return nomem(c);
	}
	sb_free(&b64);
	st = sf_get_json(c, "POST", "/sobjects/ContentVersion", body, NULL, 0,
	                 "uploading the file",
	                 "link_to must be the Id of a record the file can be "
	                 "shared with (an Account, Case, Opportunity...).",
	                 &res);
	cJSON_Delete(body);
	if (st != SKILL_OK)
		return st;
	out = cJSON_CreateObject();
	if (!out || !rc_add_str(out, "id", rc_str(res, "id")) ||
	    !cJSON_AddStringToObject(out, "title", title ? title : name) ||
	    !cJSON_AddStringToObject(out, "filename", name) ||
	    !rc_add_str(out, "linked_to", link)) {
		cJSON_Delete(out);
		cJSON_Delete(res);
		return nomem(c);
	}
	cJSON_Delete(res);
	return sf_result(c, out);
}

skill_status sf_download_file(struct sf *c, const cJSON *args)
{
	const char *id = rc_str(args, "id");
	const skill_ext_artifacts_t *a = artifacts(c);
	cJSON *meta = NULL, *out;
	const skill_http_response_t *r;
	struct sbuf path;
	char vid[32], name[256];
	const char *pn;
	skill_status st;

	if (!a)
		return SKILL_ERR_UNSUPPORTED;
	snprintf(vid, sizeof vid, "%s", id);
	/* A ContentDocument (069) stands for its latest version. */
	if (!strncmp(id, "069", 3)) {
		sb_init(&path, 0);
		sb_puts(&path, "/sobjects/ContentDocument/");
		sb_put_pct(&path, id);
		sb_puts(&path, "?fields=LatestPublishedVersionId");
		st = sb_failed(&path)
		             ? nomem(c)
		             : sf_get_json(c, "GET", sb_str(&path), NULL, NULL,
		                           0,
		                           "finding the file's latest version",
		                           NULL, &meta);
		sb_free(&path);
		if (st != SKILL_OK)
			return st;
		snprintf(vid, sizeof vid, "%s",
		         rc_str(meta, "LatestPublishedVersionId")
		                 ? rc_str(meta, "LatestPublishedVersionId")
		                 : "");
		cJSON_Delete(meta);
		meta = NULL;
		if (!*vid)
			return sf_fail(c, SKILL_ERR_TOOL,
			               "the file %s has no published version",
			               id);
	}
	sb_init(&path, 0);
	sb_puts(&path, "/sobjects/ContentVersion/");
	sb_put_pct(&path, vid);
	sb_puts(&path, "?fields=Title,PathOnClient,FileExtension,ContentSize,"
	               "ContentDocumentId");
	st = sb_failed(&path) ? nomem(c)
	                      : sf_get_json(c, "GET", sb_str(&path), NULL, NULL,
	                                    0, "reading the file's details",
	                                    "id is a ContentVersion (068...) "
	                                    "or ContentDocument (069...) Id.",
	                                    &meta);
	sb_free(&path);
	if (st != SKILL_OK)
		return st;
	pn = rc_str(meta, "PathOnClient");
	if (pn && strrchr(pn, '/'))
		pn = strrchr(pn, '/') + 1;
	if (pn && strrchr(pn, '\\'))
		pn = strrchr(pn, '\\') + 1;
	snprintf(name, sizeof name, "%s",
	         pn && *pn && *pn != '.' ? pn : "file.bin");
	sb_init(&path, 0);
	sb_puts(&path, "/sobjects/ContentVersion/");
	sb_put_pct(&path, vid);
	sb_puts(&path, "/VersionData");
	{
		struct sf_raw raw = {.accept = "*/*",
		                     .max_response = SF_FILE_DOWNLOAD_MAX};
		st = sb_failed(&path)
		             ? nomem(c)
		             : sf_request_raw(c, "GET", sb_str(&path), &raw,
		                              "downloading the file", NULL, &r);
	}
	sb_free(&path);
	if (st != SKILL_OK) {
		cJSON_Delete(meta);
		return st;
	}
	out = cJSON_CreateObject();
	if (!out) {
		cJSON_Delete(meta);
		return nomem(c);
	}
	{
		const char *ct = c->http->header(r, "content-type");
		char type[128];
		snprintf(type, sizeof type, "%.*s",
		         ct ? (int)strcspn(ct, "; ") : 0, ct ? ct : "");
		st = save(c, a, name, *type ? type : "application/octet-stream",
		          r->body, r->body_len, out, "uri");
		if (st == SKILL_OK &&
		    (!cJSON_AddStringToObject(out, "id", vid) ||
		     !rc_add_str(out, "title", rc_str(meta, "Title")) ||
		     !cJSON_AddStringToObject(out, "filename", name) ||
		     !cJSON_AddNumberToObject(out, "size",
		                              (double)r->body_len) ||
		     !rc_add_str(out, "content_document_id",
		                 rc_str(meta, "ContentDocumentId"))))
			st = nomem(c);
	}
	c->http->response_free(c->call, r);
	cJSON_Delete(meta);
	if (st != SKILL_OK) {
		cJSON_Delete(out);
		return st;
	}
	return sf_result(c, out);
}
