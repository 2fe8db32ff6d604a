/*
 * sf_bulk.h - the tools of skillhost/salesforce that move files: Bulk API
 * 2.0 query and ingest jobs (CSV to and from artifacts, polled to the end
 * with progress notifications) and files (ContentVersion upload and
 * download). Same conventions as sf_tools.h.
 *
 * A bulk job outlives a call: when it is still running after wait_seconds
 * the tool returns its job_id with done: false, and the same tool called
 * with job_id goes on waiting, so a long job never forces a long call.
 */
#ifndef SF_BULK_H
#define SF_BULK_H

#include <cjson/cJSON.h>

#include "sf_api.h"

/* Most CSV bytes one ingest call uploads (Salesforce takes 150 MB of
 * base64-encoded data per job; kept well below). */
#define SF_BULK_UPLOAD_MAX ((int64_t)100 * 1024 * 1024)
/* Records asked per results page of a query job (Salesforce's most). */
#define SF_BULK_PAGE 50000
/* Seconds a call waits for a job by default, and at most. */
#define SF_BULK_WAIT_DEFAULT 120
#define SF_BULK_WAIT_MAX     600
/* Largest file uploaded as base64 JSON (Salesforce's limit for that
 * form is 37.5 MB decoded). */
#define SF_FILE_MAX ((int64_t)37 * 1024 * 1024 + (int64_t)512 * 1024)
/* Largest file downloaded. */
#define SF_FILE_DOWNLOAD_MAX ((int64_t)256 * 1024 * 1024)

skill_status sf_bulk_query(struct sf *c, const cJSON *args);
skill_status sf_bulk_ingest(struct sf *c, const cJSON *args);
skill_status sf_upload_file(struct sf *c, const cJSON *args);
skill_status sf_download_file(struct sf *c, const cJSON *args);

#endif /* SF_BULK_H */
