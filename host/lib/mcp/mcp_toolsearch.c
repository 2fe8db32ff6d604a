/*
 * mcp_toolsearch.c - deferred tool loading. See mcp_toolsearch.h.
 */
#include "mcp_toolsearch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "dynbuf.h"
#include "runtime.h"
#include "toolfmt.h"
#include "toolsearch.h"

#define LIMIT_MAX 50

struct mcp_toolsearch {
	enum mcp_toolsearch_mode mode;
	size_t threshold;
	char **core;
	size_t ncore;
	pthread_mutex_t lock;    /* guards the index */
	struct catalog *indexed; /* the catalog the index is of (a ref) */
	struct toolsearch *index;
};

void mcp_ts_found_free(struct mcp_ts_found *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->names[i]);
	free(f->names);
	memset(f, 0, sizeof *f);
}

int mcp_ts_found_has(const struct mcp_ts_found *f, const char *canonical)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->names[i], canonical))
			return 1;
	return 0;
}

static int found_add(struct mcp_ts_found *f, const char *canonical)
{
	if (mcp_ts_found_has(f, canonical))
		return 0;
	if (f->n == f->cap) {
		size_t nc = f->cap ? 2 * f->cap : 16;
		char **nn = realloc(f->names, nc * sizeof *nn);
		if (!nn)
			return -1;
		f->names = nn;
		f->cap = nc;
	}
	if (!(f->names[f->n] = strdup(canonical)))
		return -1;
	f->n++;
	return 1;
}

struct mcp_toolsearch *mcp_toolsearch_new(enum mcp_toolsearch_mode mode,
                                          size_t threshold, const char *core)
{
	struct mcp_toolsearch *ts = calloc(1, sizeof *ts);
	char *list, *tok, *save = NULL;

	if (!ts)
		return NULL;
	ts->mode = mode;
	ts->threshold = threshold ? threshold : MCP_TOOLSEARCH_THRESHOLD;
	pthread_mutex_init(&ts->lock, NULL);
	if (core && *core) {
		if (!(list = strdup(core)) ||
		    !(ts->core =
		              calloc(strlen(core) / 2 + 2, sizeof *ts->core))) {
			free(list);
			mcp_toolsearch_free(ts);
			return NULL;
		}
		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			if (*tok && !(ts->core[ts->ncore++] = strdup(tok))) {
				free(list);
				mcp_toolsearch_free(ts);
				return NULL;
			}
		free(list);
	}
	return ts;
}

void mcp_toolsearch_free(struct mcp_toolsearch *ts)
{
	if (!ts)
		return;
	for (size_t i = 0; ts->core && i < ts->ncore; i++)
		free(ts->core[i]);
	free(ts->core);
	toolsearch_free(ts->index);
	if (ts->indexed)
		runtime_release(ts->indexed);
	pthread_mutex_destroy(&ts->lock);
	free(ts);
}

int mcp_toolsearch_active(const struct mcp_toolsearch *ts, struct catalog *c)
{
	if (!ts || ts->mode == MCP_TS_OFF)
		return 0;
	return ts->mode == MCP_TS_ON || catalog_tool_count(c) > ts->threshold;
}

int mcp_toolsearch_is_core(const struct mcp_toolsearch *ts,
                           const struct tool *t)
{
	for (size_t i = 0; i < ts->ncore; i++)
		if (!strcmp(ts->core[i], t->canonical) ||
		    !strcmp(ts->core[i], t->mcp_name))
			return 1;
	return 0;
}

cJSON *mcp_toolsearch_definition(void)
{
	return cJSON_Parse(
	        "{\"name\":\"" MCP_TOOLSEARCH_NAME "\",\"title\":\"Search the "
	        "tools\",\"description\":\"This server has more tools than "
	        "it lists. Describe what you want to do; the best-matching "
	        "tools are returned with their definitions and become "
	        "listed, ready to call.\",\"inputSchema\":{\"type\":"
	        "\"object\",\"properties\":{\"query\":{\"type\":\"string\","
	        "\"description\":\"what the tool should do, in words\"},"
	        "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":50,"
	        "\"description\":\"most tools to return (default 8)\"}},"
	        "\"required\":[\"query\"],\"additionalProperties\":false},"
	        "\"annotations\":{\"readOnlyHint\":true,\"openWorldHint\":"
	        "false}}");
}

/* The index of c, built when c is new. Under ts->lock. */
static const struct toolsearch *index_of(struct mcp_toolsearch *ts,
                                         struct catalog *c)
{
	struct toolsearch_doc *docs;
	struct toolsearch *idx = NULL;
	size_t n = catalog_tool_count(c);
	struct sh_error e;

	if (ts->index && ts->indexed == c)
		return ts->index;
	docs = calloc(n ? n : 1, sizeof *docs);
	if (!docs)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct tool *t = catalog_tool_at(c, i);
		docs[i].name = t->canonical;
		docs[i].title = t->desc->title;
		docs[i].description = t->desc->description;
		docs[i].input_schema = t->desc->input_schema;
	}
	if (toolsearch_build(docs, n, &idx, &e) != SH_OK) {
		free(docs);
		return NULL;
	}
	free(docs);
	toolsearch_free(ts->index);
	if (ts->indexed)
		runtime_release(ts->indexed);
	ts->index = idx;
	ts->indexed = catalog_ref(c);
	return idx;
}

static cJSON *text_result(const char *text, int is_error)
{
	cJSON *r = cJSON_CreateObject(), *content, *t;

	if (!r || !(content = cJSON_AddArrayToObject(r, "content")) ||
	    !(t = cJSON_CreateObject())) {
		cJSON_Delete(r);
		return NULL;
	}
	cJSON_AddItemToArray(content, t);
	if (!cJSON_AddStringToObject(t, "type", "text") ||
	    !cJSON_AddStringToObject(t, "text", text) ||
	    (is_error && !cJSON_AddBoolToObject(r, "isError", 1))) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

cJSON *mcp_toolsearch_call(struct mcp_toolsearch *ts, struct catalog *c,
                           const cJSON *args, struct mcp_ts_found *found,
                           int *added, mcp_ts_name_fn name, void *ud)
{
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(args, "query");
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(args, "limit");
	size_t idx[LIMIT_MAX], n, k = MCP_TOOLSEARCH_RESULTS;
	struct dynbuf b = DYN_INIT((size_t)4 * 1024 * 1024);
	cJSON *res, *sc, *arr;
	char *text;

	*added = 0;
	if (!cJSON_IsString(q) || !q->valuestring[0])
		return text_result("search_tools needs \"query\": what the "
		                   "tool should do, in words",
		                   1);
	if (lim && (!cJSON_IsNumber(lim) || lim->valuedouble < 1 ||
	            lim->valuedouble > LIMIT_MAX))
		return text_result("\"limit\" must be 1 to 50", 1);
	if (lim)
		k = (size_t)lim->valuedouble;
	pthread_mutex_lock(&ts->lock);
	n = index_of(ts, c)
	            ? toolsearch_query(ts->index, q->valuestring, k, idx, NULL)
	            : 0;
	pthread_mutex_unlock(&ts->lock);
	{
		/* A tool the caller may not see (name gives NULL) is not a
		 * match: drop it before anything names it. */
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (name(ud, c, catalog_tool_at(c, idx[i])))
				idx[m++] = idx[i];
		n = m;
	}
	res = cJSON_CreateObject();
	sc = cJSON_AddObjectToObject(res, "structuredContent");
	arr = cJSON_AddArrayToObject(sc, "tools");
	if (!res || !sc || !arr) {
		cJSON_Delete(res);
		return NULL;
	}
	if (n == 0)
		dyn_addf(&b, "No tool matches \"%s\". Try other words.",
		         q->valuestring);
	else
		dyn_addf(&b, "%zu tool%s match \"%s\" and are now listed:\n", n,
		         n == 1 ? "" : "s", q->valuestring);
	for (size_t i = 0; i < n; i++) {
		const struct tool *t = catalog_tool_at(c, idx[i]);
		const char *pub = name(ud, c, t);
		cJSON *def = toolfmt_mcp(t);
		int r;
		if (!def) {
			cJSON_Delete(res);
			dyn_free(&b);
			return NULL;
		}
		cJSON_ReplaceItemInObjectCaseSensitive(def, "name",
		                                       cJSON_CreateString(pub));
		cJSON_AddItemToArray(arr, def);
		dyn_addf(&b, "- %s: %s\n", pub, t->desc->description);
		if ((r = found_add(found, t->canonical)) < 0) {
			cJSON_Delete(res);
			dyn_free(&b);
			return NULL;
		}
		*added |= r;
	}
	text = dyn_error(&b) ? NULL : dyn_take(&b, NULL);
	dyn_free(&b);
	{
		cJSON *content = cJSON_AddArrayToObject(res, "content"), *t;
		if (!text || !content || !(t = cJSON_CreateObject()) ||
		    !cJSON_AddItemToArray(content, t) ||
		    !cJSON_AddStringToObject(t, "type", "text") ||
		    !cJSON_AddStringToObject(t, "text", text)) {
			free(text);
			cJSON_Delete(res);
			return NULL;
		}
	}
	free(text);
	return res;
}
