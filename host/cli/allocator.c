/*
 * allocator.c - see allocator.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef SKILLHOST_WITH_MIMALLOC
#include <mimalloc.h>
#endif

#include "allocator.h"
#include "exec_isolated.h"

const char *cli_allocator(char *buf, size_t cap)
{
#ifdef SKILLHOST_WITH_MIMALLOC
	/* Asked of a real block rather than assumed from the build: the
	 * override holds only while libmimalloc comes before libc in the
	 * program's library order. */
	void *p = calloc(1, 16);
	int ours = p && mi_is_in_heap_region(p);
	int v = mi_version();

	free(p);
	if (ours)
		snprintf(buf, cap, "mimalloc %d.%d.%d", v / 100, v / 10 % 10,
		         v % 10);
	else
		snprintf(buf, cap,
		         "glibc malloc (mimalloc linked but not in use)");
#else
	snprintf(buf, cap, "glibc malloc");
#endif
	return buf;
}

void cli_allocator_large_pages(void)
{
	const char *v = getenv("MIMALLOC_LARGE_OS_PAGES");

	/* The values mimalloc itself reads as off. */
	if (v && (!strcmp(v, "0") || !strcasecmp(v, "false") ||
	          !strcasecmp(v, "off") || !strcasecmp(v, "no")))
		return;
#ifdef SKILLHOST_WITH_MIMALLOC
	/* mimalloc read its environment at start-up; a value there is
	 * already in force. */
	if (!v)
		mi_option_enable(mi_option_large_os_pages);
#endif
	exec_isolated_short_lived(1);
}
