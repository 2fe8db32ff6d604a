/*
 * jsonfile.c - JSON documents on disk. See jsonfile.h.
 */
#include "jsonfile.h"

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

sh_status json_write_atomic(const char *path, const cJSON *j, mode_t mode,
                            int wipe, struct sh_error *e)
{
	char *text = cJSON_Print(j);
	size_t len;
	sh_status rc;

	if (!text)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory writing %s",
		                    path);
	len = strlen(text);
	rc = fs_write_atomic(path, text, len, mode, e);
	if (wipe)
		explicit_bzero(text, len);
	free(text);
	return rc;
}
