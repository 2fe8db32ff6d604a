/*
 * sf_records.h - small pieces of Salesforce's REST conventions the tools
 * rely on, kept apart so the unit tests reach them without a host.
 */
#ifndef SF_RECORDS_H
#define SF_RECORDS_H

#include <cjson/cJSON.h>

#include "sbuf.h"

/* Remove the "attributes" members (type and URL) Salesforce puts in every
 * record, at every level (relationships, subqueries), in place. */
void sf_strip_attributes(cJSON *v);

/* 1 when u is a query locator path as Salesforce gives in nextRecordsUrl
 * (/services/data/vXX.X/query/01g...-2000): nothing else may be followed,
 * so a model cannot steer the skill to another URL with it. */
int sf_valid_locator(const char *u);

/* The URL of a composite subrequest: url as given when it starts with
 * "/services/" (data, apexrest...), else under the versioned base.
 * Appended to b. */
void sf_composite_url(struct sbuf *b, const char *version, const char *url);

/* The batch sizes Salesforce accepts in Sforce-Query-Options. */
#define SF_BATCH_MIN 200
#define SF_BATCH_MAX 2000

/* The batch size soql_query asks for when the caller names none: the
 * largest in [SF_BATCH_MIN, SF_BATCH_MAX] that divides max (so max records
 * end on a batch boundary), else SF_BATCH_MAX (the call then stops at the
 * last boundary below max), or SF_BATCH_MIN when max is below it. */
int sf_tiling_batch(int max);

/* Append text escaped for a SOSL FIND {...} clause: every reserved
 * character but the wildcards * and ? gets a backslash. */
void sf_sosl_escape(struct sbuf *b, const char *text);

#endif /* SF_RECORDS_H */
