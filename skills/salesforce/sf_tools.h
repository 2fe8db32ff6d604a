/*
 * sf_tools.h - the tools of skillhost/salesforce, one function each.
 *
 * Each takes the call's open connection and its validated arguments, talks
 * to Salesforce, and writes the structured result (or the tool error).
 * Records come back without Salesforce's "attributes" (type and URL)
 * members, which cost tokens and say what the caller already knows.
 */
#ifndef SF_TOOLS_H
#define SF_TOOLS_H

#include <cjson/cJSON.h>

#include "sf_api.h"
#include "sf_records.h"

/* soql_query: most records one call returns, and the default. */
#define SF_MAX_RECORDS_CAP 10000
#define SF_DEFAULT_RECORDS 500
/* list_objects: most objects listed, and the default. */
#define SF_MAX_OBJECTS_CAP 5000
#define SF_DEFAULT_OBJECTS 200
/* composite: Salesforce's limit on subrequests. */
#define SF_COMPOSITE_MAX 25
/* describe_object: most child relationships listed. */
#define SF_CHILDREN_MAX 200

skill_status sf_soql_query(struct sf *c, const cJSON *args);
skill_status sf_get_record(struct sf *c, const cJSON *args);
skill_status sf_create_record(struct sf *c, const cJSON *args);
skill_status sf_update_record(struct sf *c, const cJSON *args);
skill_status sf_delete_record(struct sf *c, const cJSON *args);
skill_status sf_upsert_record(struct sf *c, const cJSON *args);
skill_status sf_describe_object(struct sf *c, const cJSON *args);
skill_status sf_list_objects(struct sf *c, const cJSON *args);
skill_status sf_composite(struct sf *c, const cJSON *args);
skill_status sf_limits(struct sf *c, const cJSON *args);

#endif /* SF_TOOLS_H */
