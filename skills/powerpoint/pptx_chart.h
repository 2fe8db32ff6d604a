/*
 * pptx_chart.h - native charts: the chart part (DrawingML chart,
 * dml-chart.xsd), the workbook embedded beside it so PowerPoint's "Edit
 * Data" works, and the graphic frame a slide holds.
 *
 * A chart numbered N is written as ppt/charts/chartN.xml with its rels
 * pointing at ppt/embeddings/Microsoft_Excel_WorksheetN.xlsx; the caller
 * adds the content-type Override for the chart and the xlsx Default.
 */
#ifndef PPTX_CHART_H
#define PPTX_CHART_H

#include "pptx_write.h"

#define PPTX_CT_CHART                                                          \
	"application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
#define PPTX_CT_XLSX                                                           \
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* Write chart number no's part, its rels and its workbook into g->zw.
 * Uses g->rels as scratch. */
pptx_status pptx_chart_write(struct pptx_gen *g, const struct pptx_chart *c,
                             unsigned no, struct pptx_err *e);

/* Append to b the p:graphicFrame that shows the chart related as rid, at
 * (x, y) sized (cx, cy) EMU, with shape id id. */
void pptx_chart_frame(struct xbuf *b, unsigned id, const char *rid, uint64_t x,
                      uint64_t y, uint64_t cx, uint64_t cy);

/* The minimal workbook (one sheet "Sheet1": categories in column A, one
 * series per further column, names in row 1) as xlsx bytes in out. */
pptx_status pptx_chart_xlsx(const struct pptx_chart *c, struct xbuf *out,
                            struct pptx_err *e);

/* Read a chart part (any writer's) into out, allocating from d's arena:
 * kind, titles, categories and series from the caches. A chart without
 * categories gets "1", "2", ...; a point a cache lacks is a gap. */
pptx_status pptx_chart_parse(struct pptx_deck *d, const char *xml, size_t len,
                             struct pptx_chart *out, struct pptx_err *e);

#endif /* PPTX_CHART_H */
