/*
 * fuzz_package - archive extraction must refuse or accept any bytes without
 * crashing, writing outside its destination, or leaving files behind when
 * it refuses.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fsutil.h"
#include "package.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_limits lim = {
	        .max_total = 8 << 20, .max_ratio = 1000, .max_entries = 64};
	char pkg[128], dest[128];
	struct manifest *m = NULL;
	struct sh_error e;
	FILE *f;

	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/fuzz-package-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(pkg, sizeof pkg, "%s/in.skill", dir);
	snprintf(dest, sizeof dest, "%s/out", dir);
	f = fopen(pkg, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	if (package_extract_limited(pkg, dest, &lim, NULL, &m, &e) == SH_OK) {
		manifest_free(m);
		fs_remove_tree(dest, &e);
	} else if (fs_exists(dest)) {
		/* A refusal must not leave a half-written folder. */
		abort();
	}
	if (package_read_manifest(pkg, &m, &e) == SH_OK)
		manifest_free(m);
	return 0;
}
