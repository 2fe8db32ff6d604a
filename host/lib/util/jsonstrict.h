/*
 * jsonstrict.h - refuse JSON documents whose meaning depends on the reader.
 *
 * JSON does not say what a repeated object key means: cJSON keeps both and
 * its lookups find the first, while JavaScript, Python and jq keep the
 * last. In a signed document (a manifest, a registry index or root, the
 * trust file) that lets one set of signed bytes say two things: the host
 * enforces {"permissions": {...narrow...}} while a reviewer's tool shows the
 * second, wider copy. Every document the host verifies or trusts is
 * therefore checked here right after parsing, and refused whole when any
 * object at any depth names a key twice. Keys are compared after cJSON has
 * decoded their escapes, so "a" and "\u0061" are the same key.
 */
#ifndef SH_JSONSTRICT_H
#define SH_JSONSTRICT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "status.h"

/* Longest JSON Pointer reported (with its NUL); deeper paths are cut
 * short. */
#define JSONSTRICT_PATH_MAX 256

/*
 * Find the first object member (depth first, in document order) whose name
 * an earlier member of the same object already used. Returns that member,
 * or NULL when every object's keys are distinct (and for NULL j). When one
 * is found and path is not NULL, path receives the JSON Pointer (RFC 6901)
 * of the object holding it: "" for the top level, "/permissions" for a key
 * inside "permissions", "/tools/0" inside the first tool. Out of memory
 * (only objects of over 16 members need any) also returns NULL: where that
 * must not pass, use json_check_unique_keys.
 */
const cJSON *json_find_duplicate_key(const cJSON *j, char *path, size_t cap);

/*
 * SH_OK when j repeats no key; otherwise SH_ERR_INVALID with a message
 * naming the document (doc, e.g. "pkg.skill:manifest.json"), the repeated
 * key and where it is, and saying the document is refused as a whole;
 * callers append what the reader should do about it (sh_error_suffix).
 */
sh_status json_check_unique_keys(const cJSON *j, const char *doc,
                                 struct sh_error *e);

#endif /* SH_JSONSTRICT_H */
