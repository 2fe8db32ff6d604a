/*
 * pptx_read.h - reading the text of a deck made by any program.
 */
#ifndef PPTX_READ_H
#define PPTX_READ_H

#include "pptx_model.h"

/*
 * Read the deck in zip[0..len): slides in presentation order, each with its
 * title (the title or ctrTitle placeholder), subtitle, body paragraphs with
 * their levels (text boxes included), tables, pictures' alt text and the
 * notes. The layout is mapped back to the create_presentation names where
 * the slide layout's type says which. All PPTX_READ_* caps apply.
 */
pptx_status pptx_read(const unsigned char *zip, size_t len,
                      struct pptx_deck **out, struct pptx_err *e);

#endif /* PPTX_READ_H */
