/*
 * skillhost/status.h - status codes and errors of the libskillhost API.
 *
 * Every function that can fail returns a skillhost_status and, when given a
 * skillhost_error, fills it with a message that says what was wrong and
 * what to do next. The library never exits and never prints.
 *
 * Status codes are append-only: a value never changes meaning, and new
 * ones may be added in a minor release, so handle unknown values as
 * failures (skillhost_status_name gives them a name all the same).
 */
#ifndef SKILLHOST_STATUS_H
#define SKILLHOST_STATUS_H

#include <stddef.h>

/* Marks the functions libskillhost.so exports; everything else in the
 * library is hidden. */
#ifndef SH_API
#if defined(__GNUC__) || defined(__clang__)
#define SH_API __attribute__((visibility("default")))
#else
#define SH_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum skillhost_status {
	SKILLHOST_OK = 0,
	SKILLHOST_ERR_TOOL = 1,     /* the tool ran and reported an error */
	SKILLHOST_ERR_USAGE = 2,    /* bad arguments from the caller */
	SKILLHOST_ERR_TRUST = 3,    /* signature, trust or integrity failure */
	SKILLHOST_ERR_NOTFOUND = 4, /* no such tool, skill or file */
	SKILLHOST_ERR_FAIL = 5,     /* any other failure */
	SKILLHOST_ERR_IO = 6,       /* file or network I/O */
	SKILLHOST_ERR_ABI = 7,     /* a skill's ABI or descriptor was refused */
	SKILLHOST_ERR_NOMEM = 8,   /* out of memory, or a size cap was hit */
	SKILLHOST_ERR_INVALID = 9, /* malformed input data (JSON, file) */
	SKILLHOST_ERR_BUSY = 10,   /* a lock is held or a limit reached */
	SKILLHOST_ERR_TIMEOUT = 11, /* a deadline passed */
	SKILLHOST_ERR_CANCELLED = 12,
	SKILLHOST_ERR_DENIED = 13 /* refused by policy or permissions */
} skillhost_status;

/* Longest message kept (with its NUL); longer ones end in "...". */
#define SKILLHOST_ERROR_MESSAGE_MAX 1024

typedef struct skillhost_error {
	skillhost_status status;
	char message[SKILLHOST_ERROR_MESSAGE_MAX];
} skillhost_error;

/* A stable lower-case name for st, e.g. "not-found"; "unknown" for a value
 * this library does not know. Never NULL. */
SH_API const char *skillhost_status_name(skillhost_status st);

/* The library's version, "MAJOR.MINOR.PATCH" (see host/EMBEDDING.md for
 * what a change of each part means to a program that embeds it). */
SH_API const char *skillhost_version(void);

#ifdef __cplusplus
}
#endif

#endif /* SKILLHOST_STATUS_H */
