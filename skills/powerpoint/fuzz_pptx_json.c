/*
 * libFuzzer target for the argument path of create_presentation:
 * jparse.c against cJSON's own parser (a text jparse accepts, cJSON
 * accepts, and both print the same), the base64 decoder into a fresh
 * buffer against in place, the folded CRC against zlib's, then the tree
 * through pptx_json_deck_take.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "crc32x.h"
#include "jparse.h"
#include "pptx_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *in_place(void *ctx, size_t size)
{
	(void)size;
	return ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *mine = pptx_json_parse((const char *)data, size);
	unsigned char *fresh = NULL, *inplace = NULL;
	size_t nf = 0, ni = 0;
	char *copy;
	int rf, ri;

	if ((uint32_t)crc32(0L, data, (uInt)size) != pptx_crc32(data, size))
		__builtin_trap();
	if (mine) {
		cJSON *ref = cJSON_ParseWithLength((const char *)data, size);
		char *a, *b;

		if (!ref)
			__builtin_trap(); /* jparse took what cJSON refuses */
		a = cJSON_PrintUnformatted(mine);
		b = cJSON_PrintUnformatted(ref);
		if (a && b && strcmp(a, b) != 0)
			__builtin_trap(); /* another tree than cJSON's */
		cJSON_free(a);
		cJSON_free(b);
		cJSON_Delete(ref);
		if (cJSON_IsObject(mine)) {
			struct pptx_deck *d = NULL;
			struct pptx_err e;

			if (pptx_json_deck_take(mine, &d, &e) == PPTX_OK)
				pptx_deck_free(d);
		}
		cJSON_Delete(mine);
	}
	/* The bytes as base64, decoded both ways. */
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	rf = pptx_b64_decode((const char *)data, size, size, &fresh, &nf);
	ri = pptx_b64_decode_with(copy, size, size, in_place, copy, &inplace,
	                          &ni);
	if (rf != ri || nf != ni ||
	    (rf == 0 && nf && memcmp(fresh, inplace, nf)))
		__builtin_trap();
	free(fresh);
	free(copy);
	return 0;
}
