/*
 * zipio.h - the zip container on zlib alone: a streaming writer with the
 * settings Office expects, and a bounded, strict in-memory reader.
 */
#ifndef PPTX_ZIPIO_H
#define PPTX_ZIPIO_H

#include <stddef.h>

#include "pptx_model.h"

struct zipw;

/* Start a zip written through fn. Entries carry their CRC and sizes in
 * the local header (no data descriptors, no extra fields, never ZIP64: an
 * archive that would need it, over 65535 entries or 4 GiB, is refused with
 * PPTX_ERR_LIMIT), have a fixed timestamp (so the same deck gives the same
 * bytes) and are never directories. Entries are written in the order they
 * are added. Output reaches fn in pieces of up to 16 KiB (larger for a big
 * part); a failing fn turns into PPTX_ERR_IO from the next call. */
pptx_status zipw_open(struct zipw **out, pptx_write_fn fn, void *ctx,
                      struct pptx_err *e);
pptx_status zipw_add(struct zipw *z, const char *name, const void *data,
                     size_t len, struct pptx_err *e);
/* Add an entry stored without compression: for media that is compressed
 * already (PNG, JPEG), where deflate costs most of a deck's write time and
 * saves nothing. */
pptx_status zipw_add_stored(struct zipw *z, const char *name, const void *data,
                            size_t len, struct pptx_err *e);
/* Add an entry deflated whatever its size (zipw_add stores parts under
 * 4 KiB): for a small part that compresses well, such as an embedded
 * workbook whose own parts are stored. Stored after all if deflate does
 * not make it smaller, as for every entry. */
pptx_status zipw_add_deflated(struct zipw *z, const char *name,
                              const void *data, size_t len, struct pptx_err *e);
/* Write the central directory and release z. */
pptx_status zipw_finish(struct zipw *z, struct pptx_err *e);
/* Release z without finishing (after an error). */
void zipw_abort(struct zipw *z);

struct zip_entry {
	char *name;
	unsigned char *data; /* NUL-terminated when loaded, else NULL */
	size_t len;          /* inflated size when loaded */
	int is_dir;
};

struct zipr {
	struct zip_entry *entries; /* in archive order */
	size_t n;
	size_t total;   /* bytes inflated */
	size_t *sorted; /* entry indexes by name, for zipr_find */
};

/* Which entries to inflate: return non-zero to load name's data. */
typedef int (*zipr_want_fn)(const char *name, void *ctx);

/* Read the zip in buf[0..len) with the PPTX_READ_* caps. want NULL loads
 * every entry. Refused, with PPTX_ERR_FORMAT and a message saying why:
 * no end record in the last 64 KiB + 22 bytes, ZIP64, several disks,
 * encryption, methods other than stored and deflate, local headers or data
 * descriptors that disagree with the central directory, duplicate names,
 * names that are empty, absolute or hold a ".." segment, overlapping
 * entries, a bad CRC, data that inflates to another size than declared.
 * PPTX_ERR_LIMIT: over PPTX_MAX_INPUT_BYTES, PPTX_READ_MAX_ENTRIES, or
 * an entry that would pass PPTX_READ_MAX_PART_BYTES,
 * PPTX_READ_MAX_TOTAL_BYTES or PPTX_READ_MAX_RATIO (checked on the
 * declared size, before anything is allocated; an entry may never inflate
 * past it). On failure out is empty. */
pptx_status zipr_load(const unsigned char *buf, size_t len, zipr_want_fn want,
                      void *ctx, struct zipr *out, struct pptx_err *e);
void zipr_free(struct zipr *z);
/* The entry named name (exact, as OPC part names are compared after
 * normalisation by the caller), or NULL. */
struct zip_entry *zipr_find(const struct zipr *z, const char *name);

/* Editing a loaded zip in place (pptx_edit.c). zipr_put replaces name's
 * data with a copy of data[0..len), or adds the entry at the end; the copy
 * is NUL-terminated like loaded data. zipr_remove drops name if present.
 * Both keep zipr_find working. */
pptx_status zipr_put(struct zipr *z, const char *name, const void *data,
                     size_t len, struct pptx_err *e);
void zipr_remove(struct zipr *z, const char *name);

#endif /* PPTX_ZIPIO_H */
