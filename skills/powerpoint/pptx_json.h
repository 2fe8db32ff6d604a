/*
 * pptx_json.h - tool arguments (JSON) to the deck model and back.
 */
#ifndef PPTX_JSON_H
#define PPTX_JSON_H

#include <cjson/cJSON.h>

#include "pptx_model.h"

/* Build a deck from create_presentation's arguments: title, aspect,
 * slides. Every problem is a PPTX_ERR_INPUT/LIMIT with a message naming
 * the slide and what to send instead. */
pptx_status pptx_json_deck(const cJSON *args, struct pptx_deck **out,
                           struct pptx_err *e);
/* The same for a caller that is done with args: images are decoded in
 * place, in the blocks cJSON made for their base64, and the deck keeps
 * those blocks (released with cJSON_free); their "data" strings become ""
 * in args, on success or failure alike. Saves a buffer the size of every
 * image, which a one-deck worker pays in fresh pages. */
pptx_status pptx_json_deck_take(cJSON *args, struct pptx_deck **out,
                                struct pptx_err *e);

/* Append the slides of a JSON array to d; first_no is the number shown in
 * messages for the first one. */
pptx_status pptx_json_slides(struct pptx_deck *d, const cJSON *slides,
                             size_t first_no, struct pptx_err *e);

/* The read_presentation result for d: a JSON object as malloc'd text, or
 * NULL when out of memory. */
char *pptx_json_read_result(const struct pptx_deck *d);

/* Decode base64 (standard or URL-safe alphabet, whitespace and padding
 * optional, an optional "data:...;base64," prefix) into a buffer the
 * caller frees. Returns 0, -1 for malformed input, -2 when the decoded size
 * would exceed cap, -3 when out of memory. */
int pptx_b64_decode(const char *in, size_t n, size_t cap, unsigned char **out,
                    size_t *out_len);
/* The same into a buffer from alloc(ctx, size) (-3 when it returns NULL),
 * so that a deck's images are decoded straight into its arena: one pass
 * over fresh memory instead of a decode and a copy. On failure *out is
 * NULL and the block alloc returned, if any, stays the caller's. The
 * decoder writes at most 3 bytes per 4 characters, each only after reading
 * them, so the writable text holding in may itself be the buffer (alloc
 * returning it, whatever size asks). */
int pptx_b64_decode_with(const char *in, size_t n, size_t cap,
                         void *(*alloc)(void *ctx, size_t size), void *ctx,
                         unsigned char **out, size_t *out_len);

#endif /* PPTX_JSON_H */
