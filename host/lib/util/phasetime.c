/*
 * phasetime.c - phase timings on stderr. See phasetime.h.
 */
#include "phasetime.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monotime.h"

int phasetime_on;
static int64_t start_ns;
static _Atomic int64_t last_ns;

/* 1 when the comma list v holds word. */
static int has_word(const char *v, const char *word)
{
	size_t n = strlen(word);

	while (v && *v) {
		const char *end = strchr(v, ',');
		size_t len = end ? (size_t)(end - v) : strlen(v);
		if (len == n && !strncmp(v, word, n))
			return 1;
		v = end ? end + 1 : NULL;
	}
	return 0;
}

void phasetime_init(void)
{
	if (!has_word(getenv("SKILLHOST_TRACE"), "timings"))
		return;
	start_ns = sh_now_ns();
	atomic_store(&last_ns, start_ns);
	phasetime_on = 1;
}

void phasetime_mark(const char *what)
{
	int64_t now = sh_now_ns();
	int64_t prev = atomic_exchange(&last_ns, now);
	char line[256];
	int n = snprintf(line, sizeof line,
	                 "skillhost: timing %8.3f ms (+%7.3f)  %s\n",
	                 (double)(now - start_ns) / 1e6,
	                 (double)(now - prev) / 1e6, what);

	if (n > 0) {
		ssize_t w = write(STDERR_FILENO, line,
		                  (size_t)n < sizeof line ? (size_t)n
		                                          : sizeof line - 1);
		(void)w;
	}
}
