/*
 * sf_more.h - the tools of skillhost/salesforce beyond single records:
 * SOSL search, sObject Collections (up to 200 records per request), Apex
 * REST and invocable actions. Same conventions as sf_tools.h.
 */
#ifndef SF_MORE_H
#define SF_MORE_H

#include <cjson/cJSON.h>

#include "sf_api.h"
#include "sf_records.h"

/* sObject Collections: Salesforce's limit on records per request. */
#define SF_COLLECTION_MAX 200
/* Invocable actions: most inputs sent in one request. */
#define SF_ACTION_INPUTS_MAX 200
/* sosl_search: most records asked for (SOSL's own cap is 2000). */
#define SF_SOSL_MAX 2000

skill_status sf_sosl_search(struct sf *c, const cJSON *args);
skill_status sf_create_records(struct sf *c, const cJSON *args);
skill_status sf_update_records(struct sf *c, const cJSON *args);
skill_status sf_upsert_records(struct sf *c, const cJSON *args);
skill_status sf_delete_records(struct sf *c, const cJSON *args);
skill_status sf_apex_rest(struct sf *c, const cJSON *args);
skill_status sf_invoke_action(struct sf *c, const cJSON *args);

#endif /* SF_MORE_H */
