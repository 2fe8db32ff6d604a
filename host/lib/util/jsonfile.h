/*
 * jsonfile.h - JSON documents the host keeps on disk (config, secrets,
 * trust, the store index, the registry list): written whole and atomically,
 * never half.
 */
#ifndef SH_JSONFILE_H
#define SH_JSONFILE_H

#include <sys/types.h>

#include <cjson/cJSON.h>

#include "status.h"

/*
 * Replace path with j, pretty-printed, atomically (fs_write_atomic: a
 * crash leaves the old document or the new one) with permissions mode.
 * wipe: zero the printed text before freeing it, for a document that holds
 * secrets. SH_ERR_NOMEM when j cannot be printed.
 */
sh_status json_write_atomic(const char *path, const cJSON *j, mode_t mode,
                            int wipe, struct sh_error *e);

#endif /* SH_JSONFILE_H */
