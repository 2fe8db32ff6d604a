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

#endif /* SF_RECORDS_H */
