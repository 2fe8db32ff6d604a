/* test_status - the error type: messages set, with the system's reason,
 * prefixed and suffixed, and marked "..." when cut at the buffer's end. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "status.h"

static void test_compose(void **state)
{
	struct sh_error e;

	(void)state;
	assert_int_equal(sh_error_set(&e, SH_ERR_IO, "cannot open %s", "a"),
	                 SH_ERR_IO);
	assert_int_equal(e.status, SH_ERR_IO);
	assert_string_equal(e.msg, "cannot open a");
	assert_int_equal(sh_error_errno(&e, SH_ERR_NOTFOUND, ENOENT,
	                                "cannot read %s", "b"),
	                 SH_ERR_NOTFOUND);
	assert_string_equal(e.msg, "cannot read b: No such file or directory");
	assert_int_equal(sh_error_prefix(&e, "skill %d", 7), SH_ERR_NOTFOUND);
	assert_string_equal(
	        e.msg, "skill 7: cannot read b: No such file or directory");
	assert_int_equal(sh_error_suffix(&e, " (try %s)", "again"),
	                 SH_ERR_NOTFOUND);
	assert_string_equal(e.msg, "skill 7: cannot read b: No such file or "
	                           "directory (try again)");
	sh_error_clear(&e);
	assert_int_equal(e.status, SH_OK);
	assert_string_equal(e.msg, "");
	/* No error to fill: the status still comes back. */
	assert_int_equal(sh_error_set(NULL, SH_ERR_USAGE, "x"), SH_ERR_USAGE);
	assert_int_equal(sh_error_errno(NULL, SH_ERR_IO, EIO, "x"), SH_ERR_IO);
}

/* Every way of writing a message marks a cut one with "..." and keeps it
 * NUL-terminated within the buffer. */
static void test_cut_is_marked(void **state)
{
	char big[SH_ERROR_MSG_MAX + 100];
	struct sh_error e;
	size_t n;

	(void)state;
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';

	sh_error_set(&e, SH_ERR_FAIL, "%s", big);
	n = strlen(e.msg);
	assert_int_equal(n, SH_ERROR_MSG_MAX - 1);
	assert_string_equal(e.msg + n - 3, "...");

	sh_error_errno(&e, SH_ERR_IO, ENOENT, "%s", big);
	assert_int_equal(strlen(e.msg), SH_ERROR_MSG_MAX - 1);
	assert_string_equal(e.msg + SH_ERROR_MSG_MAX - 4, "...");

	/* The reason is what gets cut when the message nearly fills it. */
	big[SH_ERROR_MSG_MAX - 10] = '\0';
	sh_error_errno(&e, SH_ERR_IO, ENOENT, "%s", big);
	assert_int_equal(strlen(e.msg), SH_ERROR_MSG_MAX - 1);
	assert_memory_equal(e.msg + SH_ERROR_MSG_MAX - 10, ": No ", 5);
	assert_string_equal(e.msg + SH_ERROR_MSG_MAX - 4, "...");

	/* Just fits: nothing cut, no mark. */
	sh_error_set(&e, SH_ERR_FAIL, "short");
	sh_error_prefix(&e, "%s", big);
	assert_string_equal(e.msg + SH_ERROR_MSG_MAX - 10, ": short");
	sh_error_set(&e, SH_ERR_FAIL, "longer than that");
	sh_error_prefix(&e, "%s", big);
	assert_int_equal(strlen(e.msg), SH_ERROR_MSG_MAX - 1);
	assert_memory_equal(e.msg + SH_ERROR_MSG_MAX - 10, ": lon", 5);
	assert_string_equal(e.msg + SH_ERROR_MSG_MAX - 4, "...");

	sh_error_set(&e, SH_ERR_FAIL, "%s", big);
	sh_error_suffix(&e, " and more text than the buffer holds");
	assert_int_equal(strlen(e.msg), SH_ERROR_MSG_MAX - 1);
	assert_string_equal(e.msg + SH_ERROR_MSG_MAX - 4, "...");
	assert_memory_equal(e.msg + SH_ERROR_MSG_MAX - 10, " an", 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_compose),
	        cmocka_unit_test(test_cut_is_marked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
