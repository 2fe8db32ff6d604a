/*
 * archive_dl.h - libarchive, opened on first use (see dynlib.h for why).
 *
 * Only packing, signing and installing packages read or write archives,
 * and libarchive brings libxml2, ICU, libstdc++, lzma, zstd, nettle and
 * more: the skillhost binary does not link it. A module that calls
 * libarchive includes this header after <archive.h> and <archive_entry.h>
 * and calls archive_dl_load() where it can report an error; its calls are
 * then written as usual, archive_read_new() and so on, and go through the
 * table (the macros at the end of this header).
 *
 * Threads: archive_dl_load() and archive_dl() may be called from any
 * thread; the library is opened once (pthread_once) and the table never
 * changes after it is published.
 */
#ifndef SH_ARCHIVE_DL_H
#define SH_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

#include "status.h"

/* The ABI <archive.h> describes (libarchive 3.x). */
#define ARCHIVE_DL_SONAME "libarchive.so.13"

/* Every libarchive function the host calls. A new call goes here and in
 * the macros below; without that it fails to link, as libarchive is not
 * on the link line. */
#define ARCHIVE_DL_FUNCTIONS(X)                                                \
	X(archive_entry_filetype)                                              \
	X(archive_entry_free)                                                  \
	X(archive_entry_hardlink)                                              \
	X(archive_entry_new)                                                   \
	X(archive_entry_pathname)                                              \
	X(archive_entry_set_filetype)                                          \
	X(archive_entry_set_gid)                                               \
	X(archive_entry_set_mtime)                                             \
	X(archive_entry_set_pathname)                                          \
	X(archive_entry_set_perm)                                              \
	X(archive_entry_set_size)                                              \
	X(archive_entry_set_uid)                                               \
	X(archive_entry_symlink)                                               \
	X(archive_error_string)                                                \
	X(archive_read_data_block)                                             \
	X(archive_read_free)                                                   \
	X(archive_read_new)                                                    \
	X(archive_read_next_header)                                            \
	X(archive_read_open_fd)                                                \
	X(archive_read_support_filter_gzip)                                    \
	X(archive_read_support_format_tar)                                     \
	X(archive_write_add_filter_gzip)                                       \
	X(archive_write_close)                                                 \
	X(archive_write_data)                                                  \
	X(archive_write_free)                                                  \
	X(archive_write_header)                                                \
	X(archive_write_new)                                                   \
	X(archive_write_open)                                                  \
	X(archive_write_set_bytes_in_last_block)                               \
	X(archive_write_set_filter_option)                                     \
	X(archive_write_set_format_ustar)

/* One pointer per function, typed from libarchive's own declaration. */
struct archive_dl {
#define ARCHIVE_DL_MEMBER(f) __typeof__(f) *(f);
	ARCHIVE_DL_FUNCTIONS(ARCHIVE_DL_MEMBER)
#undef ARCHIVE_DL_MEMBER
};

/*
 * [any thread] Open libarchive, once per process. SH_OK when every
 * function resolved; otherwise SH_ERR_FAIL with a message that names the
 * library and the Debian package to install (every later call returns the
 * same). Call it before the first libarchive call of a command, before
 * anything is written, so a missing library leaves nothing behind.
 */
sh_status archive_dl_load(struct sh_error *e);

/*
 * [any thread] Resolve the table from soname into *out without touching
 * the process-wide one (tests use it to see the refusals). The same
 * results and messages as archive_dl_load(). The library stays open.
 */
sh_status archive_dl_open(const char *soname, struct archive_dl *out,
                          struct sh_error *e);

/* Set once, by the load, when it succeeded. */
extern const struct archive_dl *archive_dl_table;

/* The slow path of archive_dl(): loads, or aborts naming the library. */
const struct archive_dl *archive_dl_need(void);

/*
 * [any thread] The table. A call before archive_dl_load() succeeded loads
 * libarchive then, and aborts the process with the load's message if it
 * cannot: call archive_dl_load() first.
 */
static inline const struct archive_dl *archive_dl(void)
{
	const struct archive_dl *t =
	        __atomic_load_n(&archive_dl_table, __ATOMIC_ACQUIRE);

	return t ? t : archive_dl_need();
}

/* The calls, through the table. Not in archive_dl.c, which names the
 * members. A macro's own name is not expanded again in its expansion. */
#ifndef ARCHIVE_DL_IMPL
#define archive_entry_filetype     (archive_dl()->archive_entry_filetype)
#define archive_entry_free         (archive_dl()->archive_entry_free)
#define archive_entry_hardlink     (archive_dl()->archive_entry_hardlink)
#define archive_entry_new          (archive_dl()->archive_entry_new)
#define archive_entry_pathname     (archive_dl()->archive_entry_pathname)
#define archive_entry_set_filetype (archive_dl()->archive_entry_set_filetype)
#define archive_entry_set_gid      (archive_dl()->archive_entry_set_gid)
#define archive_entry_set_mtime    (archive_dl()->archive_entry_set_mtime)
#define archive_entry_set_pathname (archive_dl()->archive_entry_set_pathname)
#define archive_entry_set_perm     (archive_dl()->archive_entry_set_perm)
#define archive_entry_set_size     (archive_dl()->archive_entry_set_size)
#define archive_entry_set_uid      (archive_dl()->archive_entry_set_uid)
#define archive_entry_symlink      (archive_dl()->archive_entry_symlink)
#define archive_error_string       (archive_dl()->archive_error_string)
#define archive_read_data_block    (archive_dl()->archive_read_data_block)
#define archive_read_free          (archive_dl()->archive_read_free)
#define archive_read_new           (archive_dl()->archive_read_new)
#define archive_read_next_header   (archive_dl()->archive_read_next_header)
#define archive_read_open_fd       (archive_dl()->archive_read_open_fd)
#define archive_read_support_filter_gzip                                       \
	(archive_dl()->archive_read_support_filter_gzip)
#define archive_read_support_format_tar                                        \
	(archive_dl()->archive_read_support_format_tar)
#define archive_write_add_filter_gzip                                          \
	(archive_dl()->archive_write_add_filter_gzip)
#define archive_write_close  (archive_dl()->archive_write_close)
#define archive_write_data   (archive_dl()->archive_write_data)
#define archive_write_free   (archive_dl()->archive_write_free)
#define archive_write_header (archive_dl()->archive_write_header)
#define archive_write_new    (archive_dl()->archive_write_new)
#define archive_write_open   (archive_dl()->archive_write_open)
#define archive_write_set_bytes_in_last_block                                  \
	(archive_dl()->archive_write_set_bytes_in_last_block)
#define archive_write_set_filter_option                                        \
	(archive_dl()->archive_write_set_filter_option)
#define archive_write_set_format_ustar                                         \
	(archive_dl()->archive_write_set_format_ustar)
#endif

#endif /* SH_ARCHIVE_DL_H */
