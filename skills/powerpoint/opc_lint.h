/*
 * opc_lint.h - structural checks of a .pptx package that no XSD covers:
 * the things that make PowerPoint ask to repair a deck even when every part
 * validates on its own.
 */
#ifndef PPTX_OPC_LINT_H
#define PPTX_OPC_LINT_H

#include <stddef.h>

typedef void (*opc_lint_emit)(void *ctx, const char *problem);

/*
 * Check the package zip[0..len) and report each problem through emit.
 * Returns the number of problems (0: clean). Checked:
 * - [Content_Types].xml is the first entry; no directory entries; no two
 *   entries whose names differ only in case;
 * - every part has a content type, every Override names an existing part;
 * - every XML part is well-formed; none uses mc:AlternateContent;
 * - every internal relationship target exists (relative targets resolved);
 *   Ids are unique in each rels part; each rels part's source exists;
 * - every part is reachable from _rels/.rels (no orphans);
 * - every r:* attribute refers to a relationship of its part;
 * - cNvPr ids are unique within each slide, layout, master and notes part;
 *   sldId values are unique and in 256..2147483647; sldMasterId and
 *   sldLayoutId values are unique together and >= 2147483648;
 * - slide, layout, master, notes and theme relationships point at parts of
 *   the matching content type;
 * - notes slides come with a notes master and notesMasterIdLst.
 */
size_t opc_lint(const unsigned char *zip, size_t len, opc_lint_emit emit,
                void *ctx);

#endif /* PPTX_OPC_LINT_H */
