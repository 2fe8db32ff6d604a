/*
 * stderr_capture.h - for unit tests that check what the host logs: send
 * this process's stderr to a file for a while, then read it back.
 * Include after <cmocka.h>.
 */
#ifndef SKILLHOST_TEST_STDERR_CAPTURE_H
#define SKILLHOST_TEST_STDERR_CAPTURE_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fsutil.h"

struct stderr_capture {
	char path[512];
	int saved, fd;
};

/* From now on stderr goes to dir/stderr.log (emptied first). */
static inline void stderr_capture_start(struct stderr_capture *c,
                                        const char *dir)
{
	snprintf(c->path, sizeof c->path, "%s/stderr.log", dir);
	fflush(stderr);
	c->saved = dup(2);
	c->fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(c->saved >= 0 && c->fd >= 0);
	assert_int_equal(dup2(c->fd, 2), 2);
}

/* stderr back where it was; *log is what was logged meanwhile (freed by
 * the caller). */
static inline void stderr_capture_end(struct stderr_capture *c, char **log)
{
	struct sh_error e;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	close(c->fd);
	assert_int_equal(fs_read_file(c->path, 1 << 20, log, NULL, &e), SH_OK);
}

#endif
