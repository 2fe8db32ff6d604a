/*
 * toolsearch.c - BM25 over tool definitions. See toolsearch.h.
 */
#include "toolsearch.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define TERM_MAX   32
#define BM25_K1    1.2
#define BM25_B     0.75
#define NAME_BOOST 3
#define ARG_BOOST  2

struct posting {
	uint32_t doc;
	uint32_t tf;
};

struct term {
	char *text;
	struct posting *p;
	size_t n, cap;
};

struct toolsearch {
	size_t ndocs;
	uint32_t *doclen;
	double avglen;
	struct term *terms; /* open addressing, power of two */
	size_t nterms, cap;
};

static const char *const stop[] = {
        "a",    "an",   "and", "are",  "as",   "at",   "be",    "by",
        "for",  "from", "in",  "into", "is",   "it",   "its",   "of",
        "on",   "or",   "the", "this", "that", "to",   "with",  "was",
        "will", "can",  "you", "your", "if",   "when", "which", NULL};

static int is_stop(const char *t)
{
	for (size_t i = 0; stop[i]; i++)
		if (!strcmp(stop[i], t))
			return 1;
	return 0;
}

/* Fold common English suffixes so forms of one word meet; t is n bytes
 * and a NUL. */
static void fold(char *t, size_t n)
{
	if (n > 5 && !strcmp(t + n - 3, "ing")) {
		t[n -= 3] = '\0';
	} else if (n > 4 && !strcmp(t + n - 2, "ed")) {
		t[n -= 2] = '\0';
	} else if (n > 4 && !strcmp(t + n - 3, "ies")) {
		t[n - 3] = 'y';
		t[n -= 2] = '\0';
	} else if (n > 3 && t[n - 1] == 's' && t[n - 2] != 's') {
		t[--n] = '\0';
	}
	if (n > 3 && t[n - 1] == 'e')
		t[n - 1] = '\0';
}

/* Call fn for each term of text. */
static void terms_of(const char *text, void (*fn)(void *, const char *),
                     void *ud)
{
	char t[TERM_MAX + 1];
	size_t n = 0;

	for (const char *p = text;; p++) {
		int alnum = *p && isalnum((unsigned char)*p);
		/* camelCase: a capital after a lower-case letter starts a
		 * term. */
		int split = alnum && n > 0 && isupper((unsigned char)*p) &&
		            islower((unsigned char)p[-1]);
		if ((!alnum || split) && n > 0) {
			t[n] = '\0';
			fold(t, n);
			if (t[0] && !is_stop(t))
				fn(ud, t);
			n = 0;
		}
		if (!*p)
			break;
		if (alnum && n < TERM_MAX)
			t[n++] = (char)tolower((unsigned char)*p);
	}
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct term *lookup(const struct toolsearch *ts, const char *t)
{
	size_t i = hash(t) & (ts->cap - 1);

	while (ts->terms[i].text) {
		if (!strcmp(ts->terms[i].text, t))
			return &ts->terms[i];
		i = (i + 1) & (ts->cap - 1);
	}
	return NULL;
}

static int grow(struct toolsearch *ts)
{
	size_t ncap = ts->cap ? 2 * ts->cap : 1024;
	struct term *nt = calloc(ncap, sizeof *nt);

	if (!nt)
		return -1;
	for (size_t i = 0; i < ts->cap; i++) {
		size_t j;
		if (!ts->terms[i].text)
			continue;
		j = hash(ts->terms[i].text) & (ncap - 1);
		while (nt[j].text)
			j = (j + 1) & (ncap - 1);
		nt[j] = ts->terms[i];
	}
	free(ts->terms);
	ts->terms = nt;
	ts->cap = ncap;
	return 0;
}

struct adding {
	struct toolsearch *ts;
	uint32_t doc;
	int failed;
};

static void add_term(void *ud, const char *t)
{
	struct adding *a = ud;
	struct toolsearch *ts = a->ts;
	struct term *e;

	if (a->failed)
		return;
	if ((ts->nterms + 1) * 2 > ts->cap && grow(ts) != 0) {
		a->failed = 1;
		return;
	}
	e = lookup(ts, t);
	if (!e) {
		size_t i = hash(t) & (ts->cap - 1);
		while (ts->terms[i].text)
			i = (i + 1) & (ts->cap - 1);
		e = &ts->terms[i];
		if (!(e->text = strdup(t))) {
			a->failed = 1;
			return;
		}
		ts->nterms++;
	}
	ts->doclen[a->doc]++;
	if (e->n && e->p[e->n - 1].doc == a->doc) {
		e->p[e->n - 1].tf++;
		return;
	}
	if (e->n == e->cap) {
		size_t nc = e->cap ? 2 * e->cap : 4;
		struct posting *np = realloc(e->p, nc * sizeof *np);
		if (!np) {
			a->failed = 1;
			return;
		}
		e->p = np;
		e->cap = nc;
	}
	e->p[e->n].doc = a->doc;
	e->p[e->n].tf = 1;
	e->n++;
}

/* The properties of a schema, at any depth: names (boosted) and
 * descriptions. */
static void schema_terms(const cJSON *s, struct adding *a, int depth)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	const cJSON *p, *items;

	if (!cJSON_IsObject(s) || depth > 8)
		return;
	cJSON_ArrayForEach(p, props)
	{
		const cJSON *d =
		        cJSON_GetObjectItemCaseSensitive(p, "description");
		for (int k = 0; k < ARG_BOOST; k++)
			terms_of(p->string, add_term, a);
		if (cJSON_IsString(d))
			terms_of(d->valuestring, add_term, a);
		schema_terms(p, a, depth + 1);
	}
	items = cJSON_GetObjectItemCaseSensitive(s, "items");
	if (items)
		schema_terms(items, a, depth + 1);
}

void toolsearch_free(struct toolsearch *ts)
{
	if (!ts)
		return;
	for (size_t i = 0; i < ts->cap; i++) {
		free(ts->terms[i].text);
		free(ts->terms[i].p);
	}
	free(ts->terms);
	free(ts->doclen);
	free(ts);
}

sh_status toolsearch_build(const struct toolsearch_doc *docs, size_t n,
                           struct toolsearch **out, struct sh_error *e)
{
	struct toolsearch *ts = calloc(1, sizeof *ts);
	struct adding a = {ts, 0, 0};
	uint64_t total = 0;

	*out = NULL;
	if (!ts || !(ts->doclen = calloc(n ? n : 1, sizeof *ts->doclen)) ||
	    grow(ts) != 0) {
		toolsearch_free(ts);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	ts->ndocs = n;
	for (size_t i = 0; i < n && !a.failed; i++) {
		cJSON *schema = docs[i].input_schema
		                        ? cJSON_Parse(docs[i].input_schema)
		                        : NULL;
		a.doc = (uint32_t)i;
		for (int k = 0; k < NAME_BOOST && docs[i].name; k++)
			terms_of(docs[i].name, add_term, &a);
		if (docs[i].title)
			terms_of(docs[i].title, add_term, &a);
		if (docs[i].description)
			terms_of(docs[i].description, add_term, &a);
		schema_terms(schema, &a, 0);
		cJSON_Delete(schema);
		total += ts->doclen[i];
	}
	if (a.failed) {
		toolsearch_free(ts);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	ts->avglen = n ? (double)total / (double)n : 1;
	if (ts->avglen <= 0)
		ts->avglen = 1;
	*out = ts;
	return SH_OK;
}

struct querying {
	const struct toolsearch *ts;
	double *score;
	const struct term *seen[64];
	size_t nseen;
};

static void score_term(void *ud, const char *t)
{
	struct querying *q = ud;
	const struct toolsearch *ts = q->ts;
	const struct term *e = lookup(ts, t);
	double idf;

	if (!e || q->nseen == sizeof q->seen / sizeof q->seen[0])
		return;
	/* A term repeated in the query counts once. */
	for (size_t i = 0; i < q->nseen; i++)
		if (q->seen[i] == e)
			return;
	q->seen[q->nseen++] = e;
	idf = log(1.0 + ((double)ts->ndocs - (double)e->n + 0.5) /
	                        ((double)e->n + 0.5));
	for (size_t i = 0; i < e->n; i++) {
		double tf = e->p[i].tf;
		double norm = BM25_K1 *
		              (1 - BM25_B +
		               BM25_B * ts->doclen[e->p[i].doc] / ts->avglen);
		q->score[e->p[i].doc] += idf * tf * (BM25_K1 + 1) / (tf + norm);
	}
}

size_t toolsearch_query(const struct toolsearch *ts, const char *query,
                        size_t k, size_t *idx, double *scores)
{
	struct querying q = {ts, NULL, {0}, 0};
	size_t got = 0;

	if (!ts || !ts->ndocs || !k || !query)
		return 0;
	q.score = calloc(ts->ndocs, sizeof *q.score);
	if (!q.score)
		return 0;
	terms_of(query, score_term, &q);
	/* Top k by insertion: k is small (a page of results). */
	for (size_t d = 0; d < ts->ndocs; d++) {
		size_t j;
		if (q.score[d] <= 0)
			continue;
		if (got == k && q.score[d] <= q.score[idx[k - 1]])
			continue;
		j = got < k ? got++ : k - 1;
		while (j > 0 && q.score[idx[j - 1]] < q.score[d]) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = d;
	}
	for (size_t i = 0; scores && i < got; i++)
		scores[i] = q.score[idx[i]];
	free(q.score);
	return got;
}
