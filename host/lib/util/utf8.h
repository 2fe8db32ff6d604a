/*
 * utf8.h - UTF-8 validation.
 *
 * Every text that crosses into JSON or a log (skill results, audit fields,
 * JSON-RPC messages) is checked here first, so one strict definition of
 * "valid" holds across the host: no overlong forms, no surrogates, nothing
 * past U+10FFFF.
 */
#ifndef SH_UTF8_H
#define SH_UTF8_H

#include <stddef.h>

/* 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates). NUL bytes
 * are valid UTF-8; callers that cannot carry them check separately. */
int sh_utf8_valid(const char *s, size_t len);

/* The offset of the first byte of s[0..len) that starts an invalid
 * sequence, or len when all are valid: what an error message names. */
size_t sh_utf8_check(const char *s, size_t len);

#endif /* SH_UTF8_H */
