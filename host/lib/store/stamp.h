/*
 * stamp.h - a verified stamp of an installed package's files, so that a
 * load does not hash again what has not changed since it was hashed.
 *
 * Like git's index: at install, after the package is in its final folder,
 * every file is hashed once more against the manifest and its identity is
 * recorded: (dev, ino, size, mtime, ctime, mode). A load lstat()s each file
 * and skips hashing only when every field still matches; anything else
 * (no stamp, a field changed, a damaged stamp) means the files are hashed
 * as before. ctime is set by the kernel on every change to a file (a
 * write, truncate, chmod, link, rename onto it) and cannot be set back by
 * an unprivileged process, so a file that was changed in any way no
 * longer matches; a file put in its place is another inode, or has a new
 * ctime.
 *
 * The racy case: timestamps are coarse (a clock tick, or a second on some
 * file systems), so a change made in the same tick as the file's last
 * change could leave ctime as it was. A stamp therefore also records the
 * file system's own clock when it was taken (the ctime of the stamp's
 * fresh temporary file, so a skewed network file system clock does not
 * matter), and an entry counts only when the file's ctime is older than
 * that by more than STAMP_MARGIN_NS: any change after the stamp was taken
 * then gets a later ctime. The installer waits out the margin before it
 * takes the stamp (at most STAMP_WAIT_MAX_NS; on a file system whose
 * clock does not advance within that, it writes no stamp and loads hash).
 *
 * A load that finds no stamp it can use (a package installed before
 * stamps, a stamp that cannot vouch) hashes every file, and stamps them
 * then by the same rules, with its own hashes instead of a second pass
 * (stamp_draft_*): the clock is read first, each file is fstat()ed on the
 * descriptor its bytes are then hashed from, and a file enters the stamp
 * only when that ctime is older than the clock by more than the margin;
 * the stamp is written only when every file matched the signed manifest
 * and the folder holds no other. So what the stamp records is what was
 * hashed, and any change after the fstat gets a ctime later than the
 * clock. A load does not wait: when a file is too recent, it writes no
 * stamp and a later load tries again. Stamping at load is best effort: a
 * read-only store or any failure only means no stamp (logged at debug
 * level), never a failed load. Concurrent loads each write a temporary
 * file of their own and rename it over the stamp; any one of them is
 * sound, so whichever rename comes last wins.
 *
 * The stamp is the file "<version folder>.stamp" beside the folder
 * (inside it, it would be a file the signed manifest does not list),
 * written atomically (temporary file, fsync, rename, fsync of the folder).
 * It is as trusted as installed.json, which names the hashes a load
 * checks against: both are the store owner's files (a load can write it
 * only where it could write installed.json's folder tree anyway). It is
 * bound to its record by the manifest's hash, and to the files by their
 * inodes.
 */
#ifndef SH_STAMP_H
#define SH_STAMP_H

#include <stddef.h>
#include <sys/stat.h>

#include "manifest.h"
#include "status.h"

#define STAMP_SUFFIX ".stamp"
/* How much older than the stamp a file's ctime must be: two clock ticks
 * at HZ=100 (file timestamps come from the coarse clock, so a change in
 * the tick after the stamp's would be caught by any margin above zero;
 * the second tick is slack). The install waits this long at most after
 * its last write: 50 ms made an install of a 10 MB package ~1.9x as slow. */
#define STAMP_MARGIN_NS ((long long)20 * 1000 * 1000)
/* How long an install waits for its files to become older than the
 * margin (a file system with one-second timestamps needs up to a second
 * and the margin). */
#define STAMP_WAIT_MAX_NS ((long long)2500 * 1000 * 1000)

/*
 * At install, with the package's files in their final folder dir
 * (absolute) and the store lock held: hash manifest.json (against
 * manifest_hex) and every file of m (against m) again, and write the
 * stamp for dir. A file that does not match is SH_ERR_TRUST (it changed
 * during the install). When no sound stamp can be taken (a file changed
 * while it was taken, a file system whose clock does not advance, files
 * on another file system), none is written and SH_OK is returned: loads
 * then hash as they did before stamps.
 */
sh_status stamp_take(const char *dir, const char *manifest_hex,
                     const struct manifest *m, struct sh_error *e);

/*
 * At load: 1 when the stamp of dir (absolute) is bound to manifest_hex
 * and vouches for every file it lists, each unchanged since it was
 * hashed; *nfiles is then how many files the stamp lists (manifest.json
 * included), for the caller's check that the folder holds no others.
 * 0 when the files must be hashed, with the reason in why (no stamp, a
 * file changed, ...). Reads the stamp and lstat()s each file; hashes
 * nothing.
 */
int stamp_check(const char *dir, const char *manifest_hex, long *nfiles,
                char *why, size_t cap);

/*
 * A stamp taken by a load that hashes the files itself (see above). Use:
 *
 *   d = stamp_draft_begin(dir, manifest_hex);   before the first stat
 *   for manifest.json, then each file of the manifest:
 *       open, fstat(fd, &st), hash fd; when it matches the manifest,
 *       stamp_draft_add(d, path, &st);
 *   when every file matched and dir holds no other:
 *       stamp_draft_commit(d);
 *   otherwise stamp_draft_abort(d).
 *
 * begin reads the file system's clock on a new temporary file beside dir
 * and returns NULL when it cannot (a read-only store); every other call
 * accepts NULL and does nothing then. add keeps a file out (and so the
 * whole stamp) when st is not a regular file on dir's file system or
 * changed within STAMP_MARGIN_NS of the clock. commit writes the stamp
 * atomically unless a file was kept out, and frees d; abort frees d and
 * its temporary file. Nothing here fails a load: problems are logged at
 * debug level. Any thread; a draft belongs to one.
 */
struct stamp_draft;

struct stamp_draft *stamp_draft_begin(const char *dir,
                                      const char *manifest_hex);
void stamp_draft_add(struct stamp_draft *d, const char *rel,
                     const struct stat *st);
void stamp_draft_commit(struct stamp_draft *d);
void stamp_draft_abort(struct stamp_draft *d);

#endif /* SH_STAMP_H */
