/*
 * skip_ci.h - how a cmocka test skips.
 *
 * cmocka's skip() marks the test skipped, but the program still exits 0, so
 * ctest counts it as passed and nobody sees it. SKIP_OR_FAIL(msg) prints why
 * (msg: a string literal naming what is missing and how to get it) and
 * skips; under CI=true, where everything is installed, it fails the test
 * instead (the shell tests' tests/skip.sh rule). Include after <cmocka.h>.
 */
#ifndef SKIP_CI_H
#define SKIP_CI_H

#include <stdlib.h>
#include <string.h>

#define SKIP_OR_FAIL(msg)                                                      \
	do {                                                                   \
		const char *ci_ = getenv("CI");                                \
		if (ci_ && strcmp(ci_, "true") == 0)                           \
			fail_msg("CI=true makes every skip a failure: %s",     \
			         msg);                                         \
		print_message("SKIP: %s\n", msg);                              \
		skip();                                                        \
	} while (0)

#endif /* SKIP_CI_H */
