/*
 * schema_regex.h - JSON Schema "pattern" (an ECMA-262 subset) translated
 * to a POSIX extended regex for glibc's regcomp, for the schema compiler.
 *
 * What is supported and refused is listed in schema.h under "pattern".
 * The ERE speaks in bytes: compile it with REG_EXTENDED in the C locale
 * (schema.c does), and a class or "." still matches one whole UTF-8
 * character, because each is written out as alternatives of UTF-8 byte
 * sequences. A search becomes a match anchored at the start
 * (^[\x01-\xff]*(P)), which glibc runs in one pass instead of restarting
 * at every byte.
 *
 * Layer: part of the schema validator; depends on libc and dynbuf.h only.
 * Threads: [any] no shared state.
 */
#ifndef SH_SCHEMA_REGEX_H
#define SH_SCHEMA_REGEX_H

#include <stddef.h>

#pragma GCC visibility push(hidden)

/* Why a pattern was refused. */
struct schema_rx_error {
	const char *why; /* static text, e.g. "lookahead is not supported" */
	size_t at;       /* byte offset in the pattern where it was found */
	int oom;         /* out of memory, not the pattern's fault */
};

/* Translate the NUL-terminated ECMA-262 pattern src into an ERE. Returns
 * it (the caller frees it) or NULL with *err filled. */
char *schema_regex_translate(const char *src, struct schema_rx_error *err);

/* The value of hex digit ch, or -1; shared with the $ref decoder. */
int schema_hexval(char ch);

#pragma GCC visibility pop

#endif /* SH_SCHEMA_REGEX_H */
