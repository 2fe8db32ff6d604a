/*
 * bench_skills - Agent Skills and large catalogs, measured in one run:
 *   1. skills/list over MCP with 1,000 installed Agent Skills (one signed
 *      package of 1,000 skills/<name>/ folders, installed for real): the
 *      first listing (which verifies every file against the signed
 *      manifest and computes the SHA-256 digests), then warm listings of
 *      one page and of all pages;
 *   2. tool search with 1,000 generated tools: building the BM25 index,
 *      and one query;
 *   3. for comparison, what a tools/list of the same 1,000 tools costs:
 *      their MCP definitions built and printed, all at once (page size
 *      1,000) and one default page of 100.
 * Goal: each warm operation under 10 ms.
 *
 *   bench_skills [RUNS=21]
 * Needs the build's skills-out (dev key) and host/skillhost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "fsutil.h"
#include "mcp_server.h"
#include "runtime.h"
#include "skilldesc.h"
#include "toolfmt.h"
#include "toolsearch.h"
#define BENCH_NAME "bench_skills"
#include "bench_util.h"

#define NSKILLS 1000
#define NTOOLS  1000

struct sink {
	char *last;
};

static void on_send(void *ud, char *msg, size_t len, int final)
{
	struct sink *s = ud;
	(void)len;
	if (!final) {
		free(msg);
		return;
	}
	free(s->last);
	s->last = msg;
}

static cJSON *rpc(struct mcp_session *ss, struct sink *k, const char *text)
{
	struct mcp_reply r = {on_send, k};
	mcp_session_receive(ss, text, strlen(text), &r);
	return k->last ? cJSON_Parse(k->last) : NULL;
}

static void sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, BENCH_NAME ": failed: %s\n", cmd);
		exit(5);
	}
}

/* One package of NSKILLS Agent Skills, signed and installed into home. */
static void install_skills(const char *dir, const char *home)
{
	char p[1024], cmd[4096];
	FILE *f;

	snprintf(p, sizeof p, "%s/src/manifest.json", dir);
	fs_mkdirs(p, 0755, NULL);
	rmdir(p);
	f = fopen(p, "w");
	fprintf(f, "{\"name\":\"bench/skills\",\"version\":\"1.0.0\","
	           "\"description\":\"1,000 Agent Skills\"}\n");
	fclose(f);
	for (int i = 0; i < NSKILLS; i++) {
		snprintf(p, sizeof p, "%s/src/skills/skill-%04d/references",
		         dir, i);
		fs_mkdirs(p, 0755, NULL);
		snprintf(p, sizeof p, "%s/src/skills/skill-%04d/SKILL.md", dir,
		         i);
		f = fopen(p, "w");
		fprintf(f,
		        "---\nname: skill-%04d\ndescription: Handles task "
		        "number %d, in a few words.\nmetadata:\n  author: "
		        "bench\n---\n# Skill %d\n\nFollow references/REF.md.\n",
		        i, i, i);
		fclose(f);
		snprintf(p, sizeof p,
		         "%s/src/skills/skill-%04d/references/REF.md", dir, i);
		f = fopen(p, "w");
		fprintf(f, "Reference %d.\n", i);
		fclose(f);
	}
	snprintf(cmd, sizeof cmd,
	         "SKILLHOST_HOME=%s; export SKILLHOST_HOME; H=%s/../host/"
	         "skillhost; $H pack %s/src -o %s/b.skill >/dev/null && "
	         "$H sign %s/b.skill -s %s/dev.sec >/dev/null && $H trust add "
	         "%s/dev.pub --namespace bench >/dev/null && $H install "
	         "%s/b.skill >/dev/null",
	         home, SKILLS_OUT, dir, dir, dir, SKILLS_OUT, SKILLS_OUT, dir);
	sh(cmd);
}

static void bench_skills_list(const char *home, int runs)
{
	struct runtime_opts ro = {.home = home};
	struct runtime *rt;
	struct mcp_server *srv;
	struct mcp_session *ss;
	struct mcp_server_opts so = {0};
	struct sink k = {0};
	struct sh_error e;
	double first, page[64], all[64];
	int count = 0;
	cJSON *j;

	if (runtime_open(&ro, &rt, &e) || runtime_seal(rt, &e))
		bench_die("runtime", &e);
	so.rt = rt;
	if (mcp_server_new(&so, &srv, &e) ||
	    mcp_session_new(srv, NULL, 0, NULL, &ss, &e))
		bench_die("server", &e);
	first = bench_now_ms();
	j = rpc(ss, &k,
	        "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
	        "\"params\":{\"protocolVersion\":\"2025-11-25\","
	        "\"capabilities\":{},\"clientInfo\":{\"name\":\"b\","
	        "\"version\":\"1\"}}}");
	first = bench_now_ms() - first;
	cJSON_Delete(j);
	for (int r = 0; r < runs; r++) {
		char req[600];
		const char *cursor = NULL;
		double t0 = bench_now_ms(), t1 = 0;
		int n = 0;
		cJSON *res = NULL;
		do {
			if (cursor)
				snprintf(req, sizeof req,
				         "{\"jsonrpc\":\"2.0\",\"id\":1,"
				         "\"method\":"
				         "\"skills/"
				         "list\",\"params\":{\"cursor\":"
				         "\"%s\"}}",
				         cursor);
			else
				snprintf(req, sizeof req,
				         "{\"jsonrpc\":\"2.0\",\"id\":1,"
				         "\"method\":"
				         "\"skills/list\"}");
			cJSON_Delete(res);
			res = rpc(ss, &k, req);
			if (!t1)
				t1 = bench_now_ms() - t0;
			n += cJSON_GetArraySize(cJSON_GetObjectItem(
			        cJSON_GetObjectItem(res, "result"), "skills"));
			cursor = cJSON_GetStringValue(cJSON_GetObjectItem(
			        cJSON_GetObjectItem(res, "result"),
			        "nextCursor"));
		} while (cursor);
		cJSON_Delete(res);
		all[r] = bench_now_ms() - t0;
		page[r] = t1;
		count = n;
	}
	if (count != NSKILLS) {
		fprintf(stderr, BENCH_NAME ": skills/list listed %d of %d\n",
		        count, NSKILLS);
		exit(5);
	}
	printf("skills/list, %d installed Agent Skills (%d files):\n", count,
	       2 * count);
	printf("  initialize + first load (verify + SHA-256): %8.2f ms\n",
	       first);
	printf("  one page (100 skills), warm, median:      %8.3f ms\n",
	       bench_median(page, runs));
	printf("  all %d pages, warm, median:               %8.3f ms\n",
	       (count + 99) / 100, bench_median(all, runs));
	mcp_session_close(ss);
	mcp_server_free(srv);
	runtime_close(rt);
	free(k.last);
}

static void bench_search(int runs)
{
	static struct toolsearch_doc docs[NTOOLS];
	static char names[NTOOLS][64], descs[NTOOLS][128], schemas[NTOOLS][160];
	static struct tooldesc tds[NTOOLS];
	static struct tool tools[NTOOLS];
	static const char *const verbs[] = {
	        "add", "create", "list",   "delete", "search",
	        "get", "send",   "upload", "update", "archive"};
	static const char *const objs[] = {
	        "comment", "issue",   "message", "file",  "user",
	        "report",  "payment", "meeting", "label", "database"};
	double build[64], query[64], list_all[64], list_page[64];
	struct toolsearch *ts = NULL;
	struct sh_error e;
	size_t idx[5];

	for (int i = 0; i < NTOOLS; i++) {
		const char *v = verbs[i % 10], *o = objs[(i / 10) % 10];
		snprintf(names[i], sizeof names[i], "acme/svc%03d.%s_%s",
		         i / 100, v, o);
		snprintf(descs[i], sizeof descs[i],
		         "%s a %s in service %d of the company's systems", v, o,
		         i / 100);
		snprintf(
		        schemas[i], sizeof schemas[i],
		        "{\"type\":\"object\",\"properties\":{\"%s_id\":{"
		        "\"type\":\"string\"},\"text\":{\"type\":\"string\"}}}",
		        o);
		docs[i].name = names[i];
		docs[i].description = descs[i];
		docs[i].input_schema = schemas[i];
		tds[i].name = names[i];
		tds[i].description = descs[i];
		tds[i].input_schema = schemas[i];
		tools[i].desc = &tds[i];
		snprintf(tools[i].mcp_name, sizeof tools[i].mcp_name,
		         "svc%03d_%s_%s", i / 100, v, o);
		snprintf(tools[i].canonical, sizeof tools[i].canonical,
		         "acme/svc%03d.%s_%s", i / 100, v, o);
	}
	for (int r = 0; r < runs; r++) {
		double t0 = bench_now_ms();
		toolsearch_free(ts);
		if (toolsearch_build(docs, NTOOLS, &ts, &e))
			bench_die("index", &e);
		build[r] = bench_now_ms() - t0;
		t0 = bench_now_ms();
		if (toolsearch_query(ts, "post a comment in service 7", 5, idx,
		                     NULL) == 0)
			bench_die("query found nothing", NULL);
		query[r] = bench_now_ms() - t0;
		/* tools/list of the same tools: definitions built and
		 * printed, all, then one page of 100. */
		for (int pass = 0; pass < 2; pass++) {
			int n = pass ? 100 : NTOOLS;
			cJSON *res = cJSON_CreateObject();
			cJSON *arr = cJSON_AddArrayToObject(res, "tools");
			char *text;
			t0 = bench_now_ms();
			for (int i = 0; i < n; i++)
				cJSON_AddItemToArray(arr,
				                     toolfmt_mcp(&tools[i]));
			text = cJSON_PrintUnformatted(res);
			(pass ? list_page : list_all)[r] = bench_now_ms() - t0;
			free(text);
			cJSON_Delete(res);
		}
	}
	printf("tool search, %d tools:\n", NTOOLS);
	printf("  build the BM25 index, median:             %8.3f ms\n",
	       bench_median(build, runs));
	printf("  one query (top 5), median:                %8.3f ms\n",
	       bench_median(query, runs));
	printf("tools/list of the same %d tools, for comparison:\n", NTOOLS);
	printf("  all %d definitions, median:             %8.3f ms\n", NTOOLS,
	       bench_median(list_all, runs));
	printf("  one page of 100, median:                  %8.3f ms\n",
	       bench_median(list_page, runs));
	toolsearch_free(ts);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 21;
	char dir[] = "/tmp/bench_skills.XXXXXX", home[600], cmd[700];

	if (runs < 1 || runs > 64)
		runs = 21;
	if (!mkdtemp(dir))
		bench_die("mkdtemp", NULL);
	snprintf(home, sizeof home, "%s/home", dir);
	install_skills(dir, home);
	bench_skills_list(home, runs);
	bench_search(runs);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 5;
}
