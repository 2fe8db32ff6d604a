/*
 * pptx_tool - the PPTX core on the command line, for tests and the
 * benchmark (the skill itself runs inside skillhost).
 *
 *   pptx_tool create ARGS.json OUT.pptx     create_presentation's arguments
 *   pptx_tool read DECK.pptx                read_presentation's result
 *   pptx_tool append DECK.pptx ARGS.json OUT.pptx   ARGS: {"slides": [...]}
 *   pptx_tool edit DECK.pptx OPS.json OUT.pptx     OPS: {"ops": [...]}
 *   pptx_tool bench ARGS.json RUNS          median ms of JSON -> deck bytes
 *
 * Output files are written to OUT.pptx.tmp and renamed, so a failed run
 * leaves no partial deck. Exit status: 0 ok, 1 the input was refused (the
 * message says why), 2 usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jparse.h"
#include "pptx_edit.h"
#include "pptx_json.h"
#include "pptx_read.h"
#include "pptx_write.h"

#define TOOL_MAX_JSON  ((size_t)512 * 1024 * 1024)
#define BENCH_MAX_RUNS 1000

static int read_file(const char *path, size_t cap, unsigned char **out,
                     size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t n = 0, bcap = 0;

	if (!f) {
		fprintf(stderr, "pptx_tool: cannot open %s: %s\n", path,
		        strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (bcap - n < 65536) {
			unsigned char *nb;

			bcap = bcap ? bcap * 2 : 1 << 16;
			if (bcap > cap + 65536 ||
			    !(nb = realloc(buf, bcap + 1))) {
				fprintf(stderr, "pptx_tool: %s is too big\n",
				        path);
				free(buf);
				(void)fclose(f);
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, bcap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	(void)fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int file_write(void *ctx, const void *data, size_t len)
{
	return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

static cJSON *load_json(const char *path)
{
	unsigned char *buf;
	size_t len;
	cJSON *j;

	if (read_file(path, TOOL_MAX_JSON, &buf, &len) != 0)
		return NULL;
	j = pptx_json_parse((const char *)buf, len);
	free(buf);
	if (!j)
		fprintf(stderr, "pptx_tool: %s is not valid JSON\n", path);
	return j;
}

/* Write through a temporary file; remove it on any failure. */
static int write_deck(const char *out, const struct pptx_deck *d,
                      const unsigned char *base, size_t base_len,
                      struct pptx_warnings *w, size_t *slides)
{
	char tmp[4096];
	struct pptx_err e = {0};
	pptx_status st;
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", out);
	f = fopen(tmp, "wb");
	if (!f) {
		fprintf(stderr, "pptx_tool: cannot create %s: %s\n", tmp,
		        strerror(errno));
		return 2;
	}
	if (base)
		st = pptx_append(base, base_len, d, file_write, f, w, slides,
		                 &e);
	else
		st = pptx_write(d, file_write, f, w, &e);
	if (fclose(f) != 0 && st == PPTX_OK)
		st = pptx_fail(&e, PPTX_ERR_IO, "cannot write %s", tmp);
	if (st != PPTX_OK) {
		unlink(tmp);
		fprintf(stderr, "pptx_tool: %s\n", e.msg);
		return st == PPTX_ERR_IO || st == PPTX_ERR_NOMEM ? 2 : 1;
	}
	if (rename(tmp, out) != 0) {
		fprintf(stderr, "pptx_tool: cannot rename %s: %s\n", tmp,
		        strerror(errno));
		unlink(tmp);
		return 2;
	}
	if (!base)
		*slides = d->nslides;
	return 0;
}

static void print_result(const char *path, size_t slides,
                         const struct pptx_warnings *w)
{
	FILE *f = fopen(path, "rb");
	long bytes = -1;
	size_t i;

	if (f && fseek(f, 0, SEEK_END) == 0)
		bytes = ftell(f);
	if (f)
		(void)fclose(f);
	printf("{\"path\":\"%s\",\"slides\":%zu,\"bytes\":%ld,\"warnings\":[",
	       path, slides, bytes);
	for (i = 0; i < w->n; i++) {
		cJSON *m = cJSON_CreateString(w->msg[i]);
		char *q = m ? cJSON_PrintUnformatted(m) : NULL;

		printf("%s%s", i ? "," : "", q ? q : "\"\"");
		free(q);
		cJSON_Delete(m);
	}
	printf("]}\n");
}

static int cmd_create(const char *args, const char *out)
{
	cJSON *j = load_json(args);
	struct pptx_deck *d = NULL;
	struct pptx_err e = {0};
	struct pptx_warnings w = {0};
	size_t slides = 0;
	int rc;

	if (!j)
		return 2;
	/* As the skill does: j is deleted next, so images decode in place. */
	if (pptx_json_deck_take(j, &d, &e) != PPTX_OK) {
		fprintf(stderr, "pptx_tool: %s\n", e.msg);
		cJSON_Delete(j);
		return 1;
	}
	cJSON_Delete(j);
	rc = write_deck(out, d, NULL, 0, &w, &slides);
	pptx_deck_free(d);
	if (rc == 0)
		print_result(out, slides, &w);
	return rc;
}

static int cmd_append(const char *deck, const char *args, const char *out)
{
	cJSON *j = load_json(args);
	struct pptx_deck *d = NULL;
	struct pptx_err e = {0};
	struct pptx_warnings w = {0};
	unsigned char *base = NULL;
	size_t base_len, slides = 0;
	int rc = 1;

	if (!j)
		return 2;
	if (read_file(deck, PPTX_MAX_INPUT_BYTES, &base, &base_len) != 0) {
		cJSON_Delete(j);
		return 2;
	}
	d = pptx_deck_new();
	if (!d ||
	    pptx_json_slides(d, cJSON_GetObjectItemCaseSensitive(j, "slides"),
	                     1, &e) != PPTX_OK) {
		fprintf(stderr, "pptx_tool: %s\n", d ? e.msg : "out of memory");
		goto out;
	}
	rc = write_deck(out, d, base, base_len, &w, &slides);
	if (rc == 0)
		print_result(out, slides, &w);
out:
	pptx_deck_free(d);
	cJSON_Delete(j);
	free(base);
	return rc;
}

static int cmd_edit(const char *deck, const char *args, const char *out)
{
	cJSON *j = load_json(args);
	struct pptx_err e = {0};
	struct pptx_warnings w = {0};
	unsigned char *base = NULL;
	size_t base_len, slides = 0;
	char tmp[4096];
	pptx_status st;
	FILE *f;

	if (!j)
		return 2;
	if (read_file(deck, PPTX_MAX_INPUT_BYTES, &base, &base_len) != 0) {
		cJSON_Delete(j);
		return 2;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", out);
	f = fopen(tmp, "wb");
	if (!f) {
		fprintf(stderr, "pptx_tool: cannot create %s: %s\n", tmp,
		        strerror(errno));
		cJSON_Delete(j);
		free(base);
		return 2;
	}
	st = pptx_edit(base, base_len,
	               cJSON_GetObjectItemCaseSensitive(j, "ops"), file_write,
	               f, &w, &slides, &e);
	if (fclose(f) != 0 && st == PPTX_OK)
		st = pptx_fail(&e, PPTX_ERR_IO, "cannot write %s", tmp);
	cJSON_Delete(j);
	free(base);
	if (st != PPTX_OK) {
		unlink(tmp);
		fprintf(stderr, "pptx_tool: %s\n", e.msg);
		return st == PPTX_ERR_IO || st == PPTX_ERR_NOMEM ? 2 : 1;
	}
	if (rename(tmp, out) != 0) {
		fprintf(stderr, "pptx_tool: cannot rename %s: %s\n", tmp,
		        strerror(errno));
		unlink(tmp);
		return 2;
	}
	print_result(out, slides, &w);
	return 0;
}

static int cmd_read(const char *deck)
{
	unsigned char *buf;
	size_t len;
	struct pptx_deck *d = NULL;
	struct pptx_err e = {0};
	char *json;

	if (read_file(deck, PPTX_MAX_INPUT_BYTES, &buf, &len) != 0)
		return 2;
	if (pptx_read(buf, len, &d, &e) != PPTX_OK) {
		fprintf(stderr, "pptx_tool: %s\n", e.msg);
		free(buf);
		return 1;
	}
	free(buf);
	json = pptx_json_read_result(d);
	pptx_deck_free(d);
	if (!json) {
		fprintf(stderr, "pptx_tool: out of memory\n");
		return 2;
	}
	puts(json);
	free(json);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Time what create_presentation does: JSON text in, deck bytes out. */
static int cmd_bench(const char *args, const char *runs_s)
{
	unsigned char *text;
	size_t len, i, bytes = 0;
	long runs = strtol(runs_s, NULL, 10);
	double t[BENCH_MAX_RUNS];

	if (runs < 1 || runs > BENCH_MAX_RUNS) {
		fprintf(stderr, "pptx_tool: RUNS must be 1..%d\n",
		        BENCH_MAX_RUNS);
		return 2;
	}
	if (read_file(args, TOOL_MAX_JSON, &text, &len) != 0)
		return 2;
	for (i = 0; i < (size_t)runs; i++) {
		struct pptx_membuf m = {0};
		struct pptx_deck *d = NULL;
		struct pptx_err e = {0};
		double t0 = now_ms();
		cJSON *j = pptx_json_parse((const char *)text, len);

		if (!j || pptx_json_deck_take(j, &d, &e) != PPTX_OK ||
		    pptx_write(d, pptx_membuf_write, &m, NULL, &e) != PPTX_OK) {
			fprintf(stderr, "pptx_tool: %s\n",
			        j ? e.msg : "invalid JSON");
			cJSON_Delete(j);
			pptx_deck_free(d);
			free(m.p);
			free(text);
			return 1;
		}
		cJSON_Delete(j);
		pptx_deck_free(d);
		t[i] = now_ms() - t0;
		bytes = m.len;
		free(m.p);
	}
	free(text);
	qsort(t, (size_t)runs, sizeof t[0], cmp_double);
	printf("{\"runs\":%ld,\"median_ms\":%.3f,\"min_ms\":%.3f,\"bytes\":%zu}"
	       "\n",
	       runs, t[runs / 2], t[0], bytes);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "create"))
		return cmd_create(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "read"))
		return cmd_read(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "append"))
		return cmd_append(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "edit"))
		return cmd_edit(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "bench"))
		return cmd_bench(argv[2], argv[3]);
	fprintf(stderr, "usage: pptx_tool create ARGS.json OUT.pptx\n"
	                "       pptx_tool edit DECK.pptx OPS.json OUT.pptx\n"
	                "       pptx_tool read DECK.pptx\n"
	                "       pptx_tool append DECK.pptx ARGS.json OUT.pptx\n"
	                "       pptx_tool bench ARGS.json RUNS\n");
	return 2;
}
