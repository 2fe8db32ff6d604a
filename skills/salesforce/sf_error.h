/*
 * sf_error.h - Salesforce's error responses, as text for a tool error.
 *
 * The REST API answers errors with an array,
 *   [{"message":"...","errorCode":"INVALID_FIELD","fields":["Name"]}]
 * the OAuth endpoint with {"error":"invalid_grant","error_description":..},
 * record results with {"success":false,"errors":[{"statusCode",...}]},
 * and proxies with HTML or nothing. sf_error_text() reads all of them.
 */
#ifndef SF_ERROR_H
#define SF_ERROR_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "sbuf.h"

/* Most bytes of error text taken from one response. */
#define SF_ERROR_TEXT_MAX 1500
/* Longest errorCode kept. */
#define SF_ERROR_CODE_MAX 64

/* Append what an error body says, "CODE: message (fields: A, B)" per
 * error, joined by "; ", and copy the first error code (or OAuth error)
 * into code ("" when none). Returns 1 when anything was appended. */
int sf_error_text(struct sbuf *b, const char *body, size_t len,
                  const char *content_type, char *code, size_t code_cap);

/* The same for an already parsed body (a composite subresponse's). */
int sf_error_json(struct sbuf *b, const cJSON *body, char *code,
                  size_t code_cap);

#endif /* SF_ERROR_H */
