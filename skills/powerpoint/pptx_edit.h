/*
 * pptx_edit.h - edit_presentation: an ordered list of edits applied to any
 * valid deck, written as a new deck.
 */
#ifndef PPTX_EDIT_H
#define PPTX_EDIT_H

#include <cjson/cJSON.h>

#include "pptx_model.h"

/*
 * Apply ops (a JSON array of operation objects, see skill.c's schema) in
 * order to the deck zip[0..len) and write the result through fn. Every
 * operation is applied in memory first: a bad operation fails with a
 * PPTX_ERR_INPUT message naming its index ("op 2 (set_cell): ...") and
 * what to send instead, before a byte is written. Parts the edits leave
 * unreachable (a deleted slide, its notes, charts and media) are dropped;
 * every other part is copied unchanged except the ones edited. *total
 * gets the final slide count.
 */
pptx_status pptx_edit(const unsigned char *zip, size_t len, const cJSON *ops,
                      pptx_write_fn fn, void *ctx, struct pptx_warnings *w,
                      size_t *total, struct pptx_err *e);

#endif /* PPTX_EDIT_H */
