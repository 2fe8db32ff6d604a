/*
 * opc_lint - check .pptx packages for the structural faults that make
 * PowerPoint offer to repair a deck. Usage: opc_lint [-q] DECK.pptx...
 * Exit status: 0 clean, 1 problems found, 2 usage or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opc_lint.h"
#include "pptx_model.h"

static void print_problem(void *ctx, const char *msg)
{
	printf("%s: %s\n", (const char *)ctx, msg);
}

static int read_all(const char *path, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return -1;
	for (;;) {
		size_t got;

		if (cap - n < 65536) {
			unsigned char *nb;

			cap = cap ? cap * 2 : 1 << 20;
			if (cap > (size_t)PPTX_MAX_INPUT_BYTES * 2 ||
			    !(nb = realloc(buf, cap))) {
				free(buf);
				(void)fclose(f);
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		(void)fclose(f);
		return -1;
	}
	(void)fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

int main(int argc, char **argv)
{
	int i, quiet = 0, bad = 0, first = 1;

	if (argc > 1 && !strcmp(argv[1], "-q")) {
		quiet = 1;
		first = 2;
	}
	if (argc <= first || !strcmp(argv[first], "--help")) {
		fprintf(stderr, "usage: opc_lint [-q] DECK.pptx...\n"
		                "Checks content types, relationships, ids and "
		                "zip layout; exit 1 if any deck has a "
		                "problem.\n");
		return 2;
	}
	for (i = first; i < argc; i++) {
		unsigned char *buf;
		size_t len, n;

		if (read_all(argv[i], &buf, &len) != 0) {
			fprintf(stderr, "opc_lint: cannot read %s\n", argv[i]);
			return 2;
		}
		n = opc_lint(buf, len, quiet ? NULL : print_problem, argv[i]);
		free(buf);
		if (n) {
			bad = 1;
			fprintf(stderr, "%s: %zu problem%s\n", argv[i], n,
			        n == 1 ? "" : "s");
		} else if (!quiet) {
			printf("%s: ok\n", argv[i]);
		}
	}
	return bad;
}
