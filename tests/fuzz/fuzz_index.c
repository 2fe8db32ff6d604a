/*
 * fuzz_index.c - libFuzzer target for the registry's metadata parsers
 * (regindex.c), everything a hostile registry or mirror controls before
 * any signature says otherwise: the index and root parsers, the trusted
 * comment parser for both kinds, and install specs with their version
 * constraints. The first input byte picks the parser, so one corpus
 * covers all; the rest is the input.
 *
 * For a parsed index, every package is also resolved and matched, which
 * walks the sorted tables the parser built.
 *
 *   fuzz_index -max_total_time=60 tests/fuzz/corpus/fuzz_index
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "regindex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise_index(const struct regindex *ix)
{
	for (size_t i = 0; i < ix->npkgs; i++) {
		const struct regindex_pkg *p = &ix->pkgs[i];
		struct regindex_constraint c = {.kind = REGC_LATEST};
		size_t first;
		if (!regindex_find(ix, p->name, &first) ||
		    !regindex_resolve(ix, p->name, &c))
			abort(); /* a listed name must be found */
		(void)regindex_pkg_match(p, "a");
		(void)regindex_ns_allows(ix, "acme", p->publisher);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sh_error e;
	char *text;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0: {
		struct regindex *ix = NULL;
		if (regindex_parse(text, size - 1, "fuzz", &ix, &e) == SH_OK)
			exercise_index(ix);
		regindex_free(ix);
		break;
	}
	case 1: {
		struct regroot *r = NULL;
		if (regroot_parse(text, size - 1, "fuzz", &r, &e) == SH_OK)
			(void)regroot_index_key(r, r->root_key.key_id);
		regroot_free(r);
		break;
	}
	case 2:
	case 3: {
		struct regmeta_info info;
		enum regmeta_kind k =
		        data[0] % 5 == 2 ? REGMETA_INDEX : REGMETA_ROOT;
		char buf[REGINDEX_COMMENT_SIZE];
		struct regmeta_info again;
		if (regmeta_comment_parse(text, k, &info, &e) != SH_OK)
			break;
		/* What was read writes back and reads the same. */
		if (info.timestamp < 0)
			info.timestamp = 0;
		if (regmeta_comment_format(&info, buf, sizeof buf, &e) !=
		            SH_OK ||
		    regmeta_comment_parse(buf, k, &again, &e) != SH_OK ||
		    again.version != info.version ||
		    again.length != info.length ||
		    again.expires != info.expires ||
		    memcmp(again.blake2b256, info.blake2b256,
		           sizeof info.blake2b256))
			abort();
		break;
	}
	default: {
		struct regindex_constraint c;
		char name[MINISIG_PKG_NAME_MAX + 1], shown[160];
		if (regindex_spec_parse(text, name, sizeof name, &c, &e) ==
		    SH_OK) {
			regindex_constraint_format(&c, shown, sizeof shown);
			(void)regindex_constraint_match(&c, "1.2.3");
			(void)regindex_constraint_match(&c, "0.0.1-rc.1");
		}
		break;
	}
	}
	free(text);
	return 0;
}
