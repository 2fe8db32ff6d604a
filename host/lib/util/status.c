/*
 * status.c - the error type. See status.h.
 */
#include "status.h"
#undef sh_error_set /* the analyzer's shorthand (status.h) */
#undef sh_error_errno

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void set_truncation_mark(char *buf, size_t cap, int n)
{
	/* vsnprintf reports the untruncated length; mark a cut message so a
	 * reader knows the rest is missing rather than never written. */
	if (n >= (int)cap && cap > 4)
		memcpy(buf + cap - 4, "...", 4);
}

/* Format into e->msg from offset at on, marking a cut message; returns
 * the length of the message now (at most its capacity less one). */
static size_t vput(struct sh_error *e, size_t at, const char *fmt, va_list ap)
{
	int n = vsnprintf(e->msg + at, sizeof e->msg - at, fmt, ap);

	if (n < 0)
		n = 0;
	set_truncation_mark(e->msg, sizeof e->msg, (int)at + n);
	return at + (size_t)n < sizeof e->msg ? at + (size_t)n
	                                      : sizeof e->msg - 1;
}

static size_t put(struct sh_error *e, size_t at, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static size_t put(struct sh_error *e, size_t at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	at = vput(e, at, fmt, ap);
	va_end(ap);
	return at;
}

sh_status sh_error_set(struct sh_error *e, sh_status st, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return st;
	e->status = st;
	va_start(ap, fmt);
	vput(e, 0, fmt, ap);
	va_end(ap);
	return st;
}

sh_status sh_error_errno(struct sh_error *e, sh_status st, int errno_value,
                         const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (!e)
		return st;
	e->status = st;
	va_start(ap, fmt);
	used = vput(e, 0, fmt, ap);
	va_end(ap);
	put(e, used, ": %s", strerror(errno_value));
	return st;
}

sh_status sh_error_prefix(struct sh_error *e, const char *fmt, ...)
{
	char old[SH_ERROR_MSG_MAX];
	va_list ap;
	size_t used;

	if (!e)
		return SH_ERR_FAIL;
	memcpy(old, e->msg, sizeof old);
	va_start(ap, fmt);
	used = vput(e, 0, fmt, ap);
	va_end(ap);
	put(e, used, ": %s", old);
	return e->status;
}

sh_status sh_error_suffix(struct sh_error *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return SH_ERR_FAIL;
	va_start(ap, fmt);
	vput(e, strlen(e->msg), fmt, ap);
	va_end(ap);
	return e->status;
}

void sh_error_clear(struct sh_error *e)
{
	if (!e)
		return;
	e->status = SH_OK;
	e->msg[0] = '\0';
}

const char *sh_status_name(sh_status st)
{
	switch (st) {
	case SH_OK: return "ok";
	case SH_ERR_TOOL: return "tool-error";
	case SH_ERR_USAGE: return "usage";
	case SH_ERR_TRUST: return "trust";
	case SH_ERR_NOTFOUND: return "not-found";
	case SH_ERR_FAIL: return "failure";
	case SH_ERR_IO: return "io";
	case SH_ERR_ABI: return "abi";
	case SH_ERR_NOMEM: return "no-memory";
	case SH_ERR_INVALID: return "invalid";
	case SH_ERR_BUSY: return "busy";
	case SH_ERR_TIMEOUT: return "timeout";
	case SH_ERR_CANCELLED: return "cancelled";
	case SH_ERR_DENIED: return "denied";
	}
	return "unknown";
}

int sh_status_exit_code(sh_status st)
{
	switch (st) {
	case SH_OK: return 0;
	case SH_ERR_TOOL: return 1;
	case SH_ERR_USAGE: return 2;
	case SH_ERR_TRUST: return 3;
	case SH_ERR_NOTFOUND: return 4;
	default: return 5;
	}
}
