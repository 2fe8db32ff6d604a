/*
 * pptx_theme.h - writing a deck's theme part from a pptx_theme (the
 * built-in table and the lookup are declared in pptx_model.h).
 */
#ifndef PPTX_THEME_H
#define PPTX_THEME_H

#include <stddef.h>

#include "pptx_model.h"
#include "xmlw.h"

/* Append to b the skeleton theme part skel[0..len) with its colour scheme
 * and font scheme replaced by t's. Returns 0, or -1 when the skeleton has
 * no scheme to replace (a build error). */
int pptx_theme_part(struct xbuf *b, const struct pptx_theme *t,
                    const unsigned char *skel, size_t len);

#endif /* PPTX_THEME_H */
