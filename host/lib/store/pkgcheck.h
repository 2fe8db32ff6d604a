/*
 * pkgcheck.h - does a package's code match its manifest?
 *
 * A manifest is what hosts, registries and people read; the library is what
 * runs. When they disagree (the code says 0.1.0 and the manifest 0.2.0, a
 * tool is missing, the x86_64 key names an aarch64 build), every host that
 * installs the package refuses it, after it was published. `skillhost pack`
 * and `skillreg add` run these checks first so such a package is never made
 * or published; the store runs pkgcheck_desc at install.
 *
 * Statuses: SH_ERR_INVALID for a mismatch (the message names the field and
 * both values), SH_ERR_ABI when the probe refuses the library, SH_ERR_IO /
 * SH_ERR_NOTFOUND for files.
 */
#ifndef SH_PKGCHECK_H
#define SH_PKGCHECK_H

#include "manifest.h"
#include "skilldesc.h"
#include "status.h"

/*
 * Compare what the code declares (d, from the probe) with the manifest:
 * name, version, and the tool names (every manifest tool exists in the
 * code, and the code has no tool the manifest does not list).
 */
sh_status pkgcheck_desc(const struct manifest *m, const struct skilldesc *d,
                        struct sh_error *e);

/*
 * Check that the file at lib is an ELF shared object for the platform key
 * triplet ("x86_64-linux-gnu": class, byte order and machine). Platform
 * keys whose CPU this host does not know are accepted unchecked (*checked,
 * may be NULL, is then 0).
 */
sh_status pkgcheck_elf(const char *lib, const char *triplet, int *checked,
                       struct sh_error *e);

/*
 * Check the unpacked package or source folder dir against its manifest m:
 * every platform's library is an ELF object for its key, and the library
 * for this host's platform is probed in a sandboxed worker (probe_skill)
 * and must declare the manifest's name, version, tools and ABI.
 * *probed (may be NULL) is 1 when a library was probed, 0 when the
 * manifest has no library for this host's platform (nothing could run).
 */
sh_status pkgcheck_dir(const char *dir, const struct manifest *m, int *probed,
                       struct sh_error *e);

/*
 * pkgcheck_dir on a .skill file: extracted (with the usual caps) into a
 * private temporary folder that is removed again. Call it only on a
 * package whose signature was verified: extraction trusts the caps, not
 * the content. *probed as pkgcheck_dir.
 */
sh_status pkgcheck_package(const char *path, int *probed, struct sh_error *e);

#endif /* SH_PKGCHECK_H */
