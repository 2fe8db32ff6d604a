/*
 * mhd_dl.h - libmicrohttpd, opened on first use (see dynlib.h for why).
 *
 * Only `serve --http` speaks HTTP as a server, and libmicrohttpd brings
 * GnuTLS, p11-kit, nettle, gmp, idn2 and more: the skillhost binary does
 * not link it. mcp_http.c includes this header after <microhttpd.h> and
 * calls mhd_dl_load() before it starts a daemon; its calls are written as
 * usual, MHD_start_daemon() and so on, and go through the table (the
 * macros at the end of this header).
 *
 * Threads: mhd_dl_load() and mhd_dl() may be called from any thread; the
 * library is opened once (pthread_once) and the table never changes after
 * it is published. libmicrohttpd's own threads only exist after a
 * successful load.
 */
#ifndef SH_MHD_DL_H
#define SH_MHD_DL_H

#include <microhttpd.h>

#include "status.h"

/* The ABI <microhttpd.h> describes. */
#define MHD_DL_SONAME "libmicrohttpd.so.12"

/* Every libmicrohttpd function the host calls. A new call goes here and
 * in the macros below; without that it fails to link, as libmicrohttpd is
 * not on the link line. */
#define MHD_DL_FUNCTIONS(X)                                                    \
	X(MHD_add_response_header)                                             \
	X(MHD_create_response_from_buffer)                                     \
	X(MHD_create_response_from_callback)                                   \
	X(MHD_create_response_from_fd)                                         \
	X(MHD_destroy_response)                                                \
	X(MHD_get_connection_info)                                             \
	X(MHD_lookup_connection_value)                                         \
	X(MHD_queue_response)                                                  \
	X(MHD_quiesce_daemon)                                                  \
	X(MHD_resume_connection)                                               \
	X(MHD_start_daemon)                                                    \
	X(MHD_stop_daemon)                                                     \
	X(MHD_suspend_connection)

/* One pointer per function, typed from libmicrohttpd's own declaration. */
struct mhd_dl {
#define MHD_DL_MEMBER(f) __typeof__(f) *(f);
	MHD_DL_FUNCTIONS(MHD_DL_MEMBER)
#undef MHD_DL_MEMBER
};

/*
 * [any thread] Open libmicrohttpd, once per process. SH_OK when every
 * function resolved; otherwise SH_ERR_FAIL with a message that names the
 * library and the Debian package to install (every later call returns the
 * same). Call it before anything else of a server is set up.
 */
sh_status mhd_dl_load(struct sh_error *e);

/*
 * [any thread] Resolve the table from soname into *out without touching
 * the process-wide one (tests use it to see the refusals). The same
 * results and messages as mhd_dl_load(). The library stays open.
 */
sh_status mhd_dl_open(const char *soname, struct mhd_dl *out,
                      struct sh_error *e);

/* Set once, by the load, when it succeeded. */
extern const struct mhd_dl *mhd_dl_table;

/* The slow path of mhd_dl(): loads, or aborts naming the library. */
const struct mhd_dl *mhd_dl_need(void);

/*
 * [any thread] The table: one load and a test on the request path. A call
 * before mhd_dl_load() succeeded loads libmicrohttpd then, and aborts the
 * process with the load's message if it cannot: call mhd_dl_load() first.
 */
static inline const struct mhd_dl *mhd_dl(void)
{
	const struct mhd_dl *t =
	        __atomic_load_n(&mhd_dl_table, __ATOMIC_ACQUIRE);

	return t ? t : mhd_dl_need();
}

/* The calls, through the table. Not in mhd_dl.c, which names the
 * members. A macro's own name is not expanded again in its expansion. */
#ifndef MHD_DL_IMPL
#define MHD_add_response_header (mhd_dl()->MHD_add_response_header)
#define MHD_create_response_from_buffer                                        \
	(mhd_dl()->MHD_create_response_from_buffer)
#define MHD_create_response_from_callback                                      \
	(mhd_dl()->MHD_create_response_from_callback)
#define MHD_create_response_from_fd (mhd_dl()->MHD_create_response_from_fd)
#define MHD_destroy_response        (mhd_dl()->MHD_destroy_response)
#define MHD_get_connection_info     (mhd_dl()->MHD_get_connection_info)
#define MHD_lookup_connection_value (mhd_dl()->MHD_lookup_connection_value)
#define MHD_queue_response          (mhd_dl()->MHD_queue_response)
#define MHD_quiesce_daemon          (mhd_dl()->MHD_quiesce_daemon)
#define MHD_resume_connection       (mhd_dl()->MHD_resume_connection)
#define MHD_start_daemon            (mhd_dl()->MHD_start_daemon)
#define MHD_stop_daemon             (mhd_dl()->MHD_stop_daemon)
#define MHD_suspend_connection      (mhd_dl()->MHD_suspend_connection)
#endif

#endif /* SH_MHD_DL_H */
