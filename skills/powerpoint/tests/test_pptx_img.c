/*
 * Unit tests: PNG and JPEG header parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "imgsize.h"
#include "test_images.h"

static void test_png_ok(void **state)
{
	unsigned char buf[256];
	size_t n = test_png(buf, sizeof buf, 640, 480);
	struct img_info info;
	char why[160];

	(void)state;
	assert_int_equal(img_probe(buf, n, &info, why, sizeof why), 0);
	assert_int_equal(info.type, IMG_PNG);
	assert_int_equal(info.width, 640);
	assert_int_equal(info.height, 480);
	assert_int_equal(img_sniff(buf, n), IMG_PNG);
}

static void test_png_corrupt(void **state)
{
	unsigned char buf[256];
	size_t n = test_png(buf, sizeof buf, 10, 10);
	struct img_info info;
	char why[160];

	(void)state;
	/* Flipped width bit: the IHDR CRC no longer matches. */
	buf[19] ^= 1;
	assert_int_equal(img_probe(buf, n, &info, why, sizeof why), -1);
	assert_non_null(strstr(why, "checksum"));
	buf[19] ^= 1;
	/* Truncated: the chunk chain ends before IEND. */
	assert_int_equal(img_probe(buf, n - 12, &info, why, sizeof why), -1);
	assert_non_null(strstr(why, "truncated"));
	assert_int_equal(img_probe(buf, 20, &info, why, sizeof why), -1);
	/* Zero width with a correct CRC. */
	n = test_png(buf, sizeof buf, 0, 10);
	assert_int_equal(img_probe(buf, n, &info, why, sizeof why), -1);
	assert_non_null(strstr(why, "zero"));
}

static void test_jpeg_baseline_and_progressive(void **state)
{
	unsigned char buf[256];
	struct img_info info;
	char why[160];
	size_t n;

	(void)state;
	n = test_jpeg(buf, sizeof buf, 0xC0, 1024, 768, 0);
	assert_int_equal(img_probe(buf, n, &info, why, sizeof why), 0);
	assert_int_equal(info.type, IMG_JPEG);
	assert_int_equal(info.width, 1024);
	assert_int_equal(info.height, 768);
	n = test_jpeg(buf, sizeof buf, 0xC2, 300, 200, 1);
	assert_int_equal(img_probe(buf, n, &info, why, sizeof why), 0);
	assert_int_equal(info.width, 300);
	assert_int_equal(info.height, 200);
}

static void test_jpeg_corrupt(void **state)
{
	unsigned char buf[256];
	struct img_info info;
	char why[160];
	size_t n;

	(void)state;
	n = test_jpeg(buf, sizeof buf, 0xC0, 10, 10, 0);
	/* Cut before the SOF. */
	assert_int_equal(img_probe(buf, 10, &info, why, sizeof why), -1);
	/* A segment length that runs past the end. */
	buf[4] = 0xFF;
	assert_int_equal(img_probe(buf, n, &info, why, sizeof why), -1);
	/* SOS before any SOF. */
	n = test_jpeg(buf, sizeof buf, 0xDA, 10, 10, 0);
	assert_int_equal(img_probe(buf, n, &info, why, sizeof why), -1);
	assert_non_null(strstr(why, "SOF"));
	/* Height 0 (DNL) is refused with advice. */
	n = test_jpeg(buf, sizeof buf, 0xC0, 10, 0, 0);
	assert_int_equal(img_probe(buf, n, &info, why, sizeof why), -1);
	assert_non_null(strstr(why, "DNL"));
}

static void test_not_an_image(void **state)
{
	struct img_info info;
	char why[160];
	const unsigned char gif[] = "GIF89a\x01\x00\x01\x00";

	(void)state;
	assert_int_equal(img_probe(gif, sizeof gif, &info, why, sizeof why),
	                 -1);
	assert_int_equal(img_sniff(gif, sizeof gif), IMG_UNKNOWN);
	assert_int_equal(img_probe(gif, 0, &info, why, sizeof why), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_png_ok),
	        cmocka_unit_test(test_png_corrupt),
	        cmocka_unit_test(test_jpeg_baseline_and_progressive),
	        cmocka_unit_test(test_jpeg_corrupt),
	        cmocka_unit_test(test_not_an_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
