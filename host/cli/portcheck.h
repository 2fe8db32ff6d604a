/*
 * portcheck.h - the schema portability report `skillhost tools --check`
 * and `skillhost pack` print (rules: schema_portable.h).
 */
#ifndef SH_CLI_PORTCHECK_H
#define SH_CLI_PORTCHECK_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "catalog.h"

/*
 * Check every tool of cat against the targets in mask. Text goes to text
 * (one line per finding, naming the tool, where in the schema, what, and
 * which targets refuse it, and, with ignored, also what a target only
 * ignores); with json non-NULL (everything), one object per
 * tool is appended to that array instead. *rejecting receives the number
 * of tools with a construct some target in mask refuses. 0, or 5 when
 * out of memory or a stored schema does not parse (said on stderr).
 */
int portcheck_catalog(struct catalog *cat, uint32_t mask, int ignored,
                      FILE *text, cJSON *json, size_t *rejecting);

/* Parse a --client value ("all" or a target name) into *mask (OR-ed);
 * 1 when known. */
int portcheck_parse_client(const char *name, uint32_t *mask);

#endif /* SH_CLI_PORTCHECK_H */
