/*
 * test_wire.c - descriptors on the host/worker protocol (wire.h): a
 * sealed memfd holds what it was given and cannot change; only such a
 * memfd of the declared size passes wire_check_sealed; a descriptor sent
 * with a frame arrives with that frame; a frame that claims one without
 * it, and more descriptors than frames, break the stream.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "wire.h"

static void test_sealed_memfd(void **state)
{
	static const char text[] = "{\"x\":1}";
	char buf[16] = {0};
	int fd = wire_sealed_memfd(text, sizeof text - 1, 1);
	int seals;
	struct stat st;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, sizeof text); /* with the NUL */
	assert_int_equal(pread(fd, buf, sizeof buf, 0), sizeof text);
	assert_string_equal(buf, text);
	seals = fcntl(fd, F_GET_SEALS);
	assert_int_equal(seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK |
	                          F_SEAL_SEAL),
	                 F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK |
	                         F_SEAL_SEAL);
	/* Nobody holding it can change it. */
	assert_int_equal(pwrite(fd, "y", 1, 0), -1);
	assert_int_equal(ftruncate(fd, 1), -1);
	assert_int_equal(ftruncate(fd, 4096), -1);
	assert_ptr_equal(mmap(NULL, sizeof text, PROT_READ | PROT_WRITE,
	                      MAP_SHARED, fd, 0),
	                 MAP_FAILED);
	assert_int_equal(wire_check_sealed(fd, sizeof text, buf, sizeof buf),
	                 0);
	close(fd);
}

static void test_check_refuses(void **state)
{
	char why[200];
	int p[2], fd;

	(void)state;
	/* Not a memfd at all: refused before anything could block. */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(wire_check_sealed(p[0], 0, why, sizeof why), -1);
	assert_non_null(strstr(why, "not a memfd"));
	close(p[0]);
	close(p[1]);
	/* Unsealed, and sealed but still shrinkable. */
	fd = memfd_create("t", MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 100), 0);
	assert_int_equal(wire_check_sealed(fd, 100, why, sizeof why), -1);
	assert_non_null(strstr(why, "not sealed"));
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW), 0);
	assert_int_equal(wire_check_sealed(fd, 100, why, sizeof why), -1);
	assert_non_null(strstr(why, "not sealed"));
	/* Fully sealed, but not the size declared. */
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	assert_int_equal(wire_check_sealed(fd, 101, why, sizeof why), -1);
	assert_non_null(strstr(why, "of 100 bytes declared as 101"));
	assert_int_equal(wire_check_sealed(fd, 100, why, sizeof why), 0);
	close(fd);
}

/* A LOG frame, with or without the descriptor flag. */
static void log_frame(struct wire_buf *b, const char *msg, int flag)
{
	wire_buf_init(b);
	wire_begin(b, WIRE_LOG, 7);
	wire_put_u32(b, 6);
	wire_put_str(b, msg);
	if (flag)
		wire_mark_fd(b);
	assert_int_equal(wire_end(b, NULL), SH_OK);
}

/* The next frame, reading from fd as needed. */
static int next(struct wire_reader *r, int fd, struct wire_msg *m, char *why,
                size_t cap)
{
	int k;

	while ((k = wire_next(r, m, why, cap)) == 0)
		if (wire_fill(r, fd) <= 0)
			return -2;
	return k;
}

static void test_fd_with_its_frame(void **state)
{
	struct wire_reader r;
	struct wire_buf b;
	struct wire_msg m;
	struct stat a, got;
	char why[200];
	int sv[2], fd;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fd = wire_sealed_memfd("abc", 3, 0);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &a), 0);
	/* An ordinary frame, then one carrying fd. */
	log_frame(&b, "first", 0);
	assert_int_equal(wire_write_all(sv[0], b.data, b.len, 0), 0);
	wire_buf_free(&b, 0);
	log_frame(&b, "second", 1);
	assert_int_equal(wire_write_all_fd(sv[0], b.data, b.len, fd, 0), 0);
	wire_buf_free(&b, 0);
	close(fd);
	wire_reader_init(&r);
	assert_int_equal(next(&r, sv[1], &m, why, sizeof why), 1);
	assert_int_equal(m.fd, -1);
	assert_int_equal(next(&r, sv[1], &m, why, sizeof why), 1);
	assert_true(m.fd >= 0);
	assert_int_equal(fstat(m.fd, &got), 0);
	assert_int_equal(got.st_ino, a.st_ino);
	assert_true(fcntl(m.fd, F_GETFD) & FD_CLOEXEC);
	close(m.fd);
	assert_int_equal(wire_fds_pending(&r), 0);
	/* A frame that says it carries one, without it. */
	log_frame(&b, "liar", 1);
	assert_int_equal(wire_write_all(sv[0], b.data, b.len, 0), 0);
	wire_buf_free(&b, 0);
	assert_int_equal(next(&r, sv[1], &m, why, sizeof why), -1);
	assert_non_null(strstr(why, "without one"));
	wire_reader_free(&r);
	close(sv[0]);
	close(sv[1]);
}

static void test_too_many_fds(void **state)
{
	struct wire_reader r;
	struct wire_buf b;
	struct wire_msg m;
	char why[200];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	wire_reader_init(&r);
	/* Descriptors no frame claims pile up to the limit, then the
	 * stream is refused (and the extra one closed, not leaked). */
	for (int i = 0; i <= WIRE_FDS_MAX; i++) {
		log_frame(&b, "unclaimed", 0);
		assert_int_equal(
		        wire_write_all_fd(sv[0], b.data, b.len, sv[0], 0), 0);
		wire_buf_free(&b, 0);
		assert_true(wire_fill(&r, sv[1]) > 0);
	}
	assert_int_equal(wire_fds_pending(&r), WIRE_FDS_MAX);
	assert_int_equal(wire_next(&r, &m, why, sizeof why), -1);
	assert_non_null(strstr(why, "more file descriptors"));
	wire_reader_free(&r);
	assert_int_equal(wire_fds_pending(&r), 0);
	close(sv[0]);
	close(sv[1]);
}

/* The host's end of a channel whose worker is gone: EPIPE, with SIGPIPE at
 * its default disposition (which would end this process), with and
 * without a descriptor attached. The worker's end keeps write(). */
static void test_send_to_gone_peer(void **state)
{
	int sv[2], memfd;
	const char msg[] = "frame";

	(void)state;
	assert_int_equal(signal(SIGPIPE, SIG_DFL) == SIG_ERR, 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
	                 0);
	close(sv[1]);
	errno = 0;
	assert_int_equal(wire_send_all_fd(sv[0], msg, sizeof msg, -1, 0), -1);
	assert_int_equal(errno, EPIPE);
	memfd = wire_sealed_memfd(msg, sizeof msg, 1);
	assert_true(memfd >= 0);
	errno = 0;
	assert_int_equal(wire_send_all_fd(sv[0], msg, sizeof msg, memfd, 0),
	                 -1);
	assert_int_equal(errno, EPIPE);
	close(memfd);
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sealed_memfd),
	        cmocka_unit_test(test_check_refuses),
	        cmocka_unit_test(test_fd_with_its_frame),
	        cmocka_unit_test(test_too_many_fds),
	        cmocka_unit_test(test_send_to_gone_peer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
