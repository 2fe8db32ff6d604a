/*
 * libFuzzer target for the zip reader (zipio.c) alone: any input either is
 * refused with a message or loads; what loads is written back through the
 * zip writer and must read back to the same parts, byte for byte. A
 * second load with a want filter exercises partial loading.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zipio.h"

static int every_other(const char *name, void *ctx)
{
	(void)name;
	return (*(unsigned *)ctx)++ & 1;
}

static void round_trip(const struct zipr *z)
{
	struct pptx_membuf m = {0};
	struct pptx_err e;
	struct zipw *zw;
	struct zipr back;
	size_t i;

	if (zipw_open(&zw, pptx_membuf_write, &m, &e) != PPTX_OK)
		return;
	for (i = 0; i < z->n; i++) {
		const struct zip_entry *ent = &z->entries[i];

		if (ent->is_dir)
			continue;
		if (zipw_add(zw, ent->name, ent->data, ent->len, &e) !=
		    PPTX_OK) {
			zipw_abort(zw);
			free(m.p);
			return;
		}
	}
	if (zipw_finish(zw, &e) != PPTX_OK) {
		free(m.p);
		return;
	}
	/* Our own output of parts that loaded must always load. */
	if (zipr_load(m.p, m.len, NULL, NULL, &back, &e) != PPTX_OK)
		__builtin_trap();
	for (i = 0; i < z->n; i++) {
		const struct zip_entry *a = &z->entries[i], *b;

		if (a->is_dir)
			continue;
		b = zipr_find(&back, a->name);
		if (!b || b->len != a->len ||
		    (a->len && memcmp(a->data, b->data, a->len) != 0))
			__builtin_trap();
	}
	zipr_free(&back);
	free(m.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zipr z;
	struct pptx_err e;
	unsigned turn = 0;

	if (zipr_load(data, size, NULL, NULL, &z, &e) == PPTX_OK) {
		round_trip(&z);
		zipr_free(&z);
	} else if (!e.msg[0]) {
		__builtin_trap(); /* a refusal must say why */
	}
	if (zipr_load(data, size, every_other, &turn, &z, &e) == PPTX_OK)
		zipr_free(&z);
	return 0;
}
