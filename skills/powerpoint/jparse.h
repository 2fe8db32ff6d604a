/*
 * jparse.h - JSON text to a cJSON tree, fast on long strings.
 *
 * A deck's arguments are megabytes of base64 in a handful of strings, and
 * cJSON_ParseWithLength walks each string twice a byte at a time (find the
 * end, then copy): 40% of create_presentation's own time. This parser
 * finds a string's end 16 bytes at a time and copies it with memcpy when
 * it holds no escapes. The tree is an ordinary cJSON tree, allocated with
 * cJSON's hooks: cJSON_Delete frees it and every cJSON function reads it.
 */
#ifndef PPTX_JPARSE_H
#define PPTX_JPARSE_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Parse text[0..len) (RFC 8259: one value, whitespace around it, nothing
 * else; an optional UTF-8 byte order mark first) into the tree
 * cJSON_ParseWithLength gives for the same text: the same types, strings,
 * numbers (valuedouble and valueint), member order and duplicate members,
 * nesting limited to CJSON_NESTING_LIMIT. NULL for text that is not JSON
 * (including what cJSON lets through: trailing text, control characters
 * in strings, numbers like 01, +1, .5 or 1.) or when out of memory. */
cJSON *pptx_json_parse(const char *text, size_t len);

#endif /* PPTX_JPARSE_H */
