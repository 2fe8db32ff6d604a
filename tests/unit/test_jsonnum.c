/*
 * test_jsonnum.c - json_int64 (jsonnum.h): ordinary numbers, truncation
 * toward zero, clamping at and past both ends of int64 (where a plain cast
 * is undefined), NaN and non-numbers giving the default.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "jsonnum.h"

/* json_int64 of v (which must exist), then v freed. */
static int64_t of_value(cJSON *v, int64_t def)
{
	int64_t r;

	assert_non_null(v);
	r = json_int64(v, def);
	cJSON_Delete(v);
	return r;
}

static int64_t parsed(const char *json, int64_t def)
{
	return of_value(cJSON_Parse(json), def);
}

static int64_t of_double(double d, int64_t def)
{
	return of_value(cJSON_CreateNumber(d), def);
}

static void test_ordinary(void **state)
{
	(void)state;
	assert_int_equal(parsed("0", 7), 0);
	assert_int_equal(parsed("42", 7), 42);
	assert_int_equal(parsed("-42", 7), -42);
	/* 2^53: the largest range where every integer is exact. */
	assert_true(parsed("9007199254740992", 7) == INT64_C(9007199254740992));
}

static void test_truncates_toward_zero(void **state)
{
	(void)state;
	assert_int_equal(parsed("2.9", 0), 2);
	assert_int_equal(parsed("-2.9", 0), -2);
	assert_int_equal(parsed("0.5", 9), 0);
}

static void test_clamps(void **state)
{
	(void)state;
	assert_true(parsed("1e300", 0) == INT64_MAX);
	assert_true(parsed("-1e300", 0) == INT64_MIN);
	/* 2^63 itself is out of range: clamps, not wraps. */
	assert_true(of_double(9223372036854775808.0, 0) == INT64_MAX);
	assert_true(of_double(-9223372036854775808.0, 0) == INT64_MIN);
	assert_true(of_double(INFINITY, 0) == INT64_MAX);
	assert_true(of_double(-INFINITY, 0) == INT64_MIN);
	/* Just inside: the largest double below 2^63 converts exactly. */
	assert_true(of_double(9223372036854774784.0, 0) ==
	            INT64_C(9223372036854774784));
}

static void test_default(void **state)
{
	cJSON *s = cJSON_CreateString("12");

	(void)state;
	assert_int_equal(of_double(NAN, -5), -5);
	assert_int_equal(json_int64(NULL, 11), 11);
	assert_int_equal(json_int64(s, 11), 11); /* a string is no number */
	assert_int_equal(parsed("true", 3), 3);
	assert_int_equal(parsed("null", 3), 3);
	assert_int_equal(parsed("[1]", 3), 3);
	cJSON_Delete(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ordinary),
	        cmocka_unit_test(test_truncates_toward_zero),
	        cmocka_unit_test(test_clamps),
	        cmocka_unit_test(test_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
