/*
 * test_dynbuf.c - the bounded growable buffer: growth keeps every byte,
 * the bound is exact and its failure sticks without losing what was held,
 * formatting appends whole or not at all, take hands over ownership,
 * reset keeps memory, and binary data with NULs survives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"

static void test_empty(void **state)
{
	struct dynbuf b = DYN_INIT(16);

	(void)state;
	assert_null(b.buf);
	assert_string_equal(dyn_ptr(&b), "");
	assert_int_equal(dyn_len(&b), 0);
	assert_int_equal(dyn_error(&b), SH_OK);
	/* An empty append allocates and terminates. */
	assert_int_equal(dyn_addn(&b, "", 0), SH_OK);
	assert_non_null(b.buf);
	assert_string_equal(dyn_ptr(&b), "");
	dyn_free(&b);
	assert_null(b.buf);
	assert_int_equal(b.max, 16);
}

static void test_growth(void **state)
{
	struct dynbuf b;
	char want[10001];

	(void)state;
	dyn_init(&b, 1 << 20);
	/* Past several doublings, one byte at a time and in runs. */
	for (int i = 0; i < 5000; i++) {
		want[i] = (char)('a' + i % 26);
		assert_int_equal(dyn_addc(&b, want[i]), SH_OK);
	}
	for (int i = 5000; i < 10000; i += 100) {
		for (int k = 0; k < 100; k++)
			want[i + k] = (char)('A' + (i + k) % 26);
		assert_int_equal(dyn_addn(&b, want + i, 100), SH_OK);
	}
	want[10000] = '\0';
	assert_int_equal(dyn_len(&b), 10000);
	assert_true(b.cap >= 10001);
	assert_string_equal(dyn_ptr(&b), want);
	assert_int_equal(strlen(dyn_ptr(&b)), 10000);
	dyn_free(&b);
}

static void test_cap_exceeded(void **state)
{
	struct dynbuf b = DYN_INIT(10);

	(void)state;
	assert_int_equal(dyn_add(&b, "0123456789"), SH_OK); /* exactly max */
	assert_int_equal(dyn_len(&b), 10);
	assert_true(b.cap <= 11); /* never allocates past the bound */
	assert_int_equal(dyn_addc(&b, 'x'), SH_ERR_NOMEM);
	assert_int_equal(dyn_error(&b), SH_ERR_NOMEM);
	assert_true(b.too_big);
	/* What it held before the failed append is intact... */
	assert_string_equal(dyn_ptr(&b), "0123456789");
	/* ...and the failure sticks, even for an append that would fit. */
	assert_int_equal(dyn_addn(&b, "", 0), SH_ERR_NOMEM);
	assert_int_equal(dyn_len(&b), 10);
	/* take refuses a buffer in error and frees it. */
	size_t n = 99;
	assert_null(dyn_take(&b, &n));
	assert_int_equal(n, 0);
	assert_null(b.buf);
	assert_int_equal(dyn_error(&b), SH_OK);
	assert_int_equal(b.max, 10);

	/* One large append over the bound fails as a whole. */
	assert_int_equal(dyn_add(&b, "abc"), SH_OK);
	assert_int_equal(dyn_add(&b, "defghijklmnop"), SH_ERR_NOMEM);
	assert_string_equal(dyn_ptr(&b), "abc");
	/* A length that would overflow size_t is refused, not wrapped. */
	dyn_reset(&b);
	assert_int_equal(dyn_add(&b, "a"), SH_OK);
	assert_int_equal(dyn_addn(&b, "b", SIZE_MAX), SH_ERR_NOMEM);
	assert_string_equal(dyn_ptr(&b), "a");
	dyn_free(&b);

	/* A zero bound holds nothing but an empty string. */
	dyn_init(&b, 0);
	assert_int_equal(dyn_addn(&b, "", 0), SH_OK);
	assert_int_equal(dyn_addc(&b, 'a'), SH_ERR_NOMEM);
	dyn_free(&b);
}

static void test_addf(void **state)
{
	struct dynbuf b = DYN_INIT(1 << 16);
	char big[3000];

	(void)state;
	assert_int_equal(dyn_addf(&b, "%s=%d;", "n", 42), SH_OK);
	assert_int_equal(dyn_addf(&b, "%.3f|%5s|%-3c|", 1.5, "ab", 'z'), SH_OK);
	assert_string_equal(dyn_ptr(&b), "n=42;1.500|   ab|z  |");
	assert_int_equal(dyn_len(&b), strlen("n=42;1.500|   ab|z  |"));
	/* Longer than the spare room: formatted again after growing. */
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(dyn_addf(&b, "[%s]", big), SH_OK);
	assert_int_equal(dyn_len(&b), 21 + 3001);
	assert_int_equal(dyn_ptr(&b)[21], '[');
	assert_int_equal(dyn_ptr(&b)[21 + 3000], ']');
	assert_int_equal(dyn_ptr(&b)[21 + 3001], '\0');
	dyn_free(&b);

	/* Formatted text over the bound is not cut: it fails whole. */
	dyn_init(&b, 8);
	assert_int_equal(dyn_addf(&b, "%d", 1234), SH_OK);
	assert_int_equal(dyn_addf(&b, "%d", 56789), SH_ERR_NOMEM);
	assert_string_equal(dyn_ptr(&b), "1234");
	assert_int_equal(dyn_len(&b), 4);
	dyn_free(&b);
}

static void test_take(void **state)
{
	struct dynbuf b = DYN_INIT(100);
	size_t n;
	char *p;

	(void)state;
	assert_int_equal(dyn_add(&b, "hello"), SH_OK);
	p = dyn_take(&b, &n);
	assert_non_null(p);
	assert_int_equal(n, 5);
	assert_string_equal(p, "hello");
	/* b is empty and usable, and no longer owns p. */
	assert_null(b.buf);
	assert_int_equal(dyn_len(&b), 0);
	assert_int_equal(dyn_add(&b, "again"), SH_OK);
	assert_string_equal(p, "hello");
	assert_string_equal(dyn_ptr(&b), "again");
	free(p);
	dyn_free(&b);
	/* A buffer that never grew hands over an allocated "". */
	p = dyn_take(&b, NULL);
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);
}

static void test_reset(void **state)
{
	struct dynbuf b = DYN_INIT(6);
	char *mem;
	size_t cap;

	(void)state;
	assert_int_equal(dyn_add(&b, "abcdef"), SH_OK);
	assert_int_equal(dyn_add(&b, "g"), SH_ERR_NOMEM);
	mem = b.buf;
	cap = b.cap;
	dyn_reset(&b);
	/* Memory kept, contents and error gone. */
	assert_ptr_equal(b.buf, mem);
	assert_int_equal(b.cap, cap);
	assert_int_equal(dyn_len(&b), 0);
	assert_string_equal(dyn_ptr(&b), "");
	assert_int_equal(dyn_error(&b), SH_OK);
	assert_false(b.too_big);
	assert_int_equal(dyn_add(&b, "xyz"), SH_OK);
	assert_string_equal(dyn_ptr(&b), "xyz");
	dyn_free(&b);
}

static void test_embedded_nul(void **state)
{
	static const char bin[] = {'a', '\0', 'b', '\0', '\0', 'c'};
	struct dynbuf b = DYN_INIT(64);
	size_t n;
	char *p;

	(void)state;
	assert_int_equal(dyn_addn(&b, bin, sizeof bin), SH_OK);
	assert_int_equal(dyn_addn(&b, bin, sizeof bin), SH_OK);
	assert_int_equal(dyn_len(&b), 2 * sizeof bin);
	assert_memory_equal(dyn_ptr(&b), bin, sizeof bin);
	assert_memory_equal(dyn_ptr(&b) + sizeof bin, bin, sizeof bin);
	/* Terminated after the last byte, not at the first NUL. */
	assert_int_equal(dyn_ptr(&b)[2 * sizeof bin], '\0');
	assert_int_equal(dyn_addf(&b, "%c", 0), SH_OK);
	assert_int_equal(dyn_len(&b), 2 * sizeof bin + 1);
	p = dyn_take(&b, &n);
	assert_int_equal(n, 2 * sizeof bin + 1);
	assert_memory_equal(p + sizeof bin, bin, sizeof bin);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_empty),
	        cmocka_unit_test(test_growth),
	        cmocka_unit_test(test_cap_exceeded),
	        cmocka_unit_test(test_addf),
	        cmocka_unit_test(test_take),
	        cmocka_unit_test(test_reset),
	        cmocka_unit_test(test_embedded_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
