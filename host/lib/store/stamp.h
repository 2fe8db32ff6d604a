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
 * The stamp is the file "<version folder>.stamp" beside the folder
 * (inside it, it would be a file the signed manifest does not list),
 * written atomically (temporary file, fsync, rename, fsync of the folder).
 * It is as trusted as installed.json, which names the hashes a load
 * checks against: both are the store owner's files. It is bound to its
 * record by the manifest's hash, and to the files by their inodes.
 */
#ifndef SH_STAMP_H
#define SH_STAMP_H

#include <stddef.h>

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

#endif /* SH_STAMP_H */
