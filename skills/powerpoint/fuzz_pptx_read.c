/*
 * libFuzzer target for the deck reader and the XML tokenizer. Inputs that
 * look like a zip go through pptx_read and opc_lint (caps, rels, ids);
 * everything else is tokenized as XML to the end, so both the byte-level
 * parser and the package logic get coverage.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "opc_lint.h"
#include "pptx_read.h"
#include "xmlr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
		struct pptx_deck *d = NULL;
		struct pptx_err e;

		if (pptx_read(data, size, &d, &e) == PPTX_OK)
			pptx_deck_free(d);
		(void)opc_lint(data, size, NULL, NULL);
	} else {
		struct xmlr r;
		enum xr_type t;
		size_t events = 0;

		xr_init(&r, (const char *)data, size);
		while ((t = xr_next(&r)) != XR_EOF && t != XR_ERROR) {
			/* Exercise the lookups on every start tag. */
			if (t == XR_START) {
				(void)xr_attr(&r, "", "id");
				(void)xr_is(&r, NS_P, "sp");
			}
			if (++events > size + 16)
				__builtin_trap(); /* no progress: a tokenizer
				                     bug */
		}
		xr_free(&r);
	}
	return 0;
}
