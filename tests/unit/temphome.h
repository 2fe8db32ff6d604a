/*
 * temphome.h - the scratch folder most unit tests work in: tmp, a fresh
 * private folder under /tmp, and home, the skillhost home inside it (made
 * by whatever first writes there). Include after <cmocka.h>.
 */
#ifndef SKILLHOST_TEST_TEMPHOME_H
#define SKILLHOST_TEST_TEMPHOME_H

#include <stdio.h>
#include <stdlib.h>

#include "fsutil.h"

static char tmp[64] __attribute__((unused));
static char home[128] __attribute__((unused));

/* Make tmp as /tmp/skillhost-<name>-XXXXXX and set home; 0, or -1 when the
 * folder cannot be made (what a cmocka setup returns). */
static inline int temphome_make(const char *name)
{
	snprintf(tmp, sizeof tmp, "/tmp/skillhost-%s-XXXXXX", name);
	if (!mkdtemp(tmp))
		return -1;
	snprintf(home, sizeof home, "%s/home", tmp);
	return 0;
}

/* A cmocka teardown: remove tmp and everything in it. */
static inline int temphome_teardown(void **state)
{
	struct sh_error e;

	(void)state;
	fs_remove_tree(tmp, &e);
	return 0;
}

#endif
