/*
 * status.h - the one error type of libskillhost.
 *
 * Every library function that can fail returns an sh_status and, when given
 * a struct sh_error, fills it with a message that says what was wrong and
 * what to do next. The library never exits; the CLI maps statuses to the
 * exit codes listed in README.md with sh_status_exit_code().
 *
 * Status codes are append-only: never renumber or remove one.
 */
#ifndef SH_STATUS_H
#define SH_STATUS_H

#include <stddef.h>

typedef enum sh_status {
	SH_OK = 0,
	SH_ERR_TOOL = 1,     /* a tool reported an error (isError) */
	SH_ERR_USAGE = 2,    /* bad arguments or options from the caller */
	SH_ERR_TRUST = 3,    /* signature, trust or integrity failure */
	SH_ERR_NOTFOUND = 4, /* a named thing does not exist */
	SH_ERR_FAIL = 5,     /* any other failure */
	SH_ERR_IO = 6,       /* file or network I/O */
	SH_ERR_ABI = 7,      /* a skill's ABI or descriptor was refused */
	SH_ERR_NOMEM = 8,    /* out of memory, or a size cap was hit */
	SH_ERR_INVALID = 9,  /* malformed input data (JSON, schema, file) */
	SH_ERR_BUSY = 10,    /* a lock is held or a resource is exhausted */
	SH_ERR_TIMEOUT = 11, /* a deadline passed */
	SH_ERR_CANCELLED = 12,
	SH_ERR_DENIED = 13 /* refused by policy or permissions */
} sh_status;

/* Longest message kept; longer ones are truncated with "...". */
#define SH_ERROR_MSG_MAX 1024

struct sh_error {
	sh_status status;
	char msg[SH_ERROR_MSG_MAX];
};

/*
 * Record status st and a printf-style message in e (which may be NULL) and
 * return st, so callers can write `return sh_error_set(e, SH_ERR_IO, ...)`.
 */
sh_status sh_error_set(struct sh_error *e, sh_status st, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Like sh_error_set, appending ": strerror(errno_value)". */
sh_status sh_error_errno(struct sh_error *e, sh_status st, int errno_value,
                         const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Prepend context to an existing message ("loading x.so: <old msg>").
 * Keeps the status. Returns it. */
sh_status sh_error_prefix(struct sh_error *e, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Append to an existing message ("<old msg> (skill ABI 1.0)"). Keeps the
 * status. Returns it. */
sh_status sh_error_suffix(struct sh_error *e, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Reset e to SH_OK with an empty message. e may be NULL. */
void sh_error_clear(struct sh_error *e);

/* A stable lower-case name for st, e.g. "not-found". */
const char *sh_status_name(sh_status st);

/* The CLI exit code for st: 0 ok, 1 tool error, 2 usage, 3 trust,
 * 4 not found, 5 anything else. */
int sh_status_exit_code(sh_status st);

#ifdef __clang_analyzer__
/* clang-tidy's analyzer does not look into status.c from other files, so
 * it would take `return sh_error_set(e, SH_ERR_IO, ...)` for a possible
 * SH_OK and follow impossible paths. Spell the contract out for it; the
 * compiled code calls the functions above. */
#define sh_error_set(e, st, ...)                                               \
	__extension__({                                                        \
		sh_status sh_st_ = (st);                                       \
		(sh_error_set)(e, sh_st_, __VA_ARGS__);                        \
		sh_st_;                                                        \
	})
#define sh_error_errno(e, st, ...)                                             \
	__extension__({                                                        \
		sh_status sh_st_ = (st);                                       \
		(sh_error_errno)(e, sh_st_, __VA_ARGS__);                      \
		sh_st_;                                                        \
	})
#endif

#endif /* SH_STATUS_H */
