/*
 * fuzz_manifest - the manifest parser, in both forms, must refuse or accept
 * any input without crashing, leaking or reading out of bounds.
 */
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest *m = NULL;
	struct sh_error e;

	for (int form = MANIFEST_SOURCE; form <= MANIFEST_PACKAGED; form++) {
		if (manifest_parse((const char *)data, size,
		                   (enum manifest_form)form, "fuzz", &m,
		                   &e) == SH_OK) {
			/* Walk what was accepted. */
			for (size_t i = 0; i < m->nplatforms; i++)
				(void)manifest_platform_lib(
				        m, m->platforms[i].triplet);
			for (size_t i = 0; i < m->network.n; i++)
				(void)manifest_host_matches(m->network.items[i],
				                            "api.example.com",
				                            443);
			manifest_free(m);
			m = NULL;
		}
	}
	return 0;
}
