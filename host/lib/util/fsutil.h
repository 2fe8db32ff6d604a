/*
 * fsutil.h - file helpers that never leave a half-written file behind.
 */
#ifndef SH_FSUTIL_H
#define SH_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "status.h"

/*
 * Read the whole file at path into a NUL-terminated heap buffer (*out, freed
 * by the caller with free()) of *len bytes. Refuses files larger than cap
 * bytes with SH_ERR_NOMEM and a message naming the cap. A missing file is
 * SH_ERR_NOTFOUND. len may be NULL.
 */
sh_status fs_read_file(const char *path, size_t cap, char **out, size_t *len,
                       struct sh_error *e);

/*
 * Replace path with data atomically: write a temporary file in the same
 * directory, fsync it, rename it over path, then fsync the directory. A crash
 * at any instant leaves the old content or the new, never a mix. The file is
 * created with permissions mode (before umask for 0600-class modes, exact).
 */
sh_status fs_write_atomic(const char *path, const void *data, size_t len,
                          mode_t mode, struct sh_error *e);

/*
 * Open path read-only (close-on-exec) into *fd. A failure is
 * SH_ERR_NOTFOUND when it does not exist, else SH_ERR_IO, with a message
 * "cannot open <name>" and the system's reason; name is what the message
 * calls the file (often path itself).
 */
sh_status fs_open_read(const char *path, const char *name, int *fd,
                       struct sh_error *e);

/*
 * read(2) once into buf (at most cap bytes), retrying when a signal
 * interrupts it. *got is the count read, 0 at the end of the file. A failure
 * is SH_ERR_IO "cannot read <name>" with the system's reason; name is what
 * the message calls the file. Loops that stream a file use this so each one
 * does not re-implement the EINTR retry.
 */
sh_status fs_read_some(int fd, void *buf, size_t cap, size_t *got,
                       const char *name, struct sh_error *e);

/*
 * write(2) all len bytes of data, going on after short writes and signals.
 * A failure is SH_ERR_IO "cannot write <name>" with the system's reason.
 */
sh_status fs_write_all(int fd, const void *data, size_t len, const char *name,
                       struct sh_error *e);

/*
 * Open (creating, mode 0600) the lock file at path and take an exclusive
 * flock on it, waiting for whoever holds it: the lock lasts until *fd is
 * closed. On failure *fd is -1 and the error names path (SH_ERR_NOTFOUND
 * when its folder is missing, else SH_ERR_IO).
 */
sh_status fs_lock(const char *path, int *fd, struct sh_error *e);

/* fs_lock on dir/name, creating dir (0700) first: the lock beside a
 * JSON file that is read, changed and rewritten. */
sh_status fs_lock_in(const char *dir, const char *name, int *fd,
                     struct sh_error *e);

/* mkdir -p with mode for created directories. Existing ones are fine. */
sh_status fs_mkdirs(const char *path, mode_t mode, struct sh_error *e);

/* rm -rf: removes path and everything below it, not following symlinks. A
 * missing path is fine. */
sh_status fs_remove_tree(const char *path, struct sh_error *e);

/* fsync the directory at path, so a rename inside it is durable. */
sh_status fs_sync_dir(const char *path, struct sh_error *e);

/* 1 when path exists (any type, symlinks not followed), else 0. */
int fs_exists(const char *path);

/* 1 when path is a directory (symlinks not followed), else 0. */
int fs_is_dir(const char *path);

/* printf into a path buffer; SH_ERR_NOMEM naming the start of the path
 * when it does not fit, so a path is never silently cut. */
sh_status fs_pathf(char *buf, size_t cap, struct sh_error *e, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

/* Write "a/b" into buf of cap bytes; SH_ERR_NOMEM when it does not fit. */
sh_status fs_join(char *buf, size_t cap, const char *a, const char *b,
                  struct sh_error *e);

#endif /* SH_FSUTIL_H */
