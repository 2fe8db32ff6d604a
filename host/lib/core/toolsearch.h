/*
 * toolsearch.h - ranked search over tool definitions (BM25), so a client
 * facing 1,000 tools can be shown a search tool instead of all of them.
 *
 * Each tool is one document made of its name (split at '.', '_', '-', '/'
 * and camelCase; counted three times, names being the densest signal), its
 * title and description, and the names and descriptions of its
 * arguments (the input schema's properties, at any depth; argument names
 * counted twice). Terms are lower-cased runs of letters and digits with a
 * light English suffix folding ("comments" and "commenting" match
 * "comment"); a few dozen stop words are dropped. Scores are Okapi BM25
 * (k1 = 1.2, b = 0.75).
 *
 * Building is O(total terms); a query costs O(postings of its terms) plus
 * a top-k selection, well under a millisecond at 1,000 tools. An index is
 * immutable and may be queried from several threads.
 */
#ifndef SH_TOOLSEARCH_H
#define SH_TOOLSEARCH_H

#include <stddef.h>

#include "status.h"

struct toolsearch_doc {
	const char *name;         /* e.g. "acme/jira.add_comment" */
	const char *title;        /* may be NULL */
	const char *description;  /* may be NULL */
	const char *input_schema; /* JSON text, may be NULL */
};

struct toolsearch;

/* Index n documents (copied what is needed; docs may go afterwards). */
sh_status toolsearch_build(const struct toolsearch_doc *docs, size_t n,
                           struct toolsearch **out, struct sh_error *e);

void toolsearch_free(struct toolsearch *ts);

/*
 * The at most k best documents for query, best first: their indexes in
 * idx, and (scores may be NULL) their scores. Documents matching no query
 * term are not returned. Returns how many were written.
 */
size_t toolsearch_query(const struct toolsearch *ts, const char *query,
                        size_t k, size_t *idx, double *scores);

#endif /* SH_TOOLSEARCH_H */
