/*
 * jira_error.h - Jira's error responses, as text for a tool error.
 *
 * Jira answers errors with an ErrorCollection,
 *   {"errorMessages":["..."],"errors":{"field":"message"},"status":400}
 * but gateways in front of it answer with {"message":...} or
 * {"code":...,"message":...}, and rate limiters and proxies with HTML
 * pages or nothing at all. jira_error_text() reads all of them.
 */
#ifndef JIRA_ERROR_H
#define JIRA_ERROR_H

#include <stddef.h>

#include "sbuf.h"

/* Most bytes of error text taken from one response. */
#define JIRA_ERROR_TEXT_MAX 1500

/* What jira_error_text() found, as bits. */
#define JIRA_ERR_SAID   (1u << 0) /* some text was appended */
#define JIRA_ERR_FIELDS (1u << 1) /* "errors" named fields */
#define JIRA_ERR_CUSTOM (1u << 2) /* a custom field among them */

/* Append what an error body says: the messages, then "field: message" for
 * each field error, joined by "; ". Returns JIRA_ERR_* bits. */
unsigned jira_error_text(struct sbuf *b, const char *body, size_t len,
                         const char *content_type);

#endif /* JIRA_ERROR_H */
