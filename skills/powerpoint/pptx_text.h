/*
 * pptx_text.h - rich text runs from a small Markdown subset, and the
 * direction of a paragraph.
 *
 * In slide text, **bold**, *italic*, __underline__ and [text](url) become
 * run properties and hyperlinks; "\*", "\_", "\[" and "\\" stand for the
 * character itself. Markers only count where Markdown would take them: an
 * opening one before a non-space and not after a letter or digit, a
 * closing one after a non-space (so "5*3*2" and "a * b" stay as typed).
 * Links take http:, https: and mailto: URLs only.
 */
#ifndef PPTX_TEXT_H
#define PPTX_TEXT_H

#include <stddef.h>

#include "xmlw.h"

/* External hyperlinks of one part: their relationship entries, numbered
 * rIdL1, rIdL2, ... so they never meet the part's other rIds. */
struct pptx_links {
	struct xbuf rels; /* <Relationship .../> entries */
	unsigned n;
};

/* Append the runs of one line (no '\n') of text[0..n) at size sz (1/100
 * pt; 0 to inherit). links NULL: links are written as plain text. */
void pptx_put_rich(struct xbuf *b, const char *text, size_t n, unsigned sz,
                   struct pptx_links *links);

/* The text with the markers taken out, as a reader shows it, into b. */
void pptx_plain(struct xbuf *b, const char *text, size_t n);

/* 1 when the first strongly directional character of s is right-to-left
 * (Hebrew, Arabic, Syriac, Thaana, NKo...), as Unicode's paragraph rule
 * (P2) decides; 0 for left-to-right or no strong character. */
int pptx_first_strong_rtl(const char *s);

#endif /* PPTX_TEXT_H */
