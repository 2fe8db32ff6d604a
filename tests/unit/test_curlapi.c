/*
 * test_curlapi.c - libcurl opened at run time: the table resolves from the
 * real library and works, a missing library or one without libcurl's
 * functions is refused with a message naming it, and the process itself
 * does not map libcurl until something asks for HTTP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "curlapi.h"

/* 1 when a library whose path contains name is mapped into this process. */
static int mapped(const char *name)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	int found = 0;

	assert_non_null(f);
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, name) != NULL;
	fclose(f);
	return found;
}

static void test_not_mapped_until_used(void **state)
{
	struct sh_error e;
	const struct curlapi *c;
	CURLU *u;
	char *host = NULL;

	(void)state;
	/* Nothing in this test has asked for HTTP yet. */
	assert_false(mapped("libcurl"));
	assert_int_equal(curlapi_load(&e), SH_OK);
	assert_true(mapped("libcurl"));
	c = curlapi();
	u = c->url();
	assert_non_null(u);
	assert_int_equal(c->url_set(u, CURLUPART_URL,
	                            "https://example.com:8443/a?b=c", 0),
	                 CURLUE_OK);
	assert_int_equal(c->url_get(u, CURLUPART_HOST, &host, 0), CURLUE_OK);
	assert_string_equal(host, "example.com");
	c->free(host);
	c->url_cleanup(u);
	assert_string_equal(c->easy_strerror(CURLE_OK), "No error");
	assert_int_equal(c->getdate("Sun, 06 Nov 1994 08:49:37 GMT", NULL),
	                 784111777);
}

static void test_open_the_real_library(void **state)
{
	struct curlapi t;
	struct sh_error e;
	CURL *h;

	(void)state;
	memset(&t, 0, sizeof t);
	assert_int_equal(curlapi_open(CURLAPI_SONAME, &t, &e), SH_OK);
	/* Every member resolved. */
	for (size_t i = 0; i < sizeof t / sizeof(void (*)(void)); i++) {
		void (*f)(void);

		memcpy(&f, (char *)&t + i * sizeof f, sizeof f);
		assert_non_null(f);
	}
	h = t.easy_init();
	assert_non_null(h);
	assert_int_equal(t.easy_setopt(h, CURLOPT_URL, "http://127.0.0.1:1/"),
	                 CURLE_OK);
	t.easy_cleanup(h);
}

static void test_refusals_name_the_library(void **state)
{
	struct curlapi t;
	struct sh_error e;

	(void)state;
	assert_int_equal(curlapi_open("libskillhost-no-such-curl.so.4", &t, &e),
	                 SH_ERR_FAIL);
	assert_non_null(strstr(e.msg, "cannot load libcurl "
	                              "(libskillhost-no-such-curl.so.4)"));
	assert_non_null(strstr(e.msg, "apt-get install libcurl4"));

	/* A library that loads but is not libcurl. */
	assert_int_equal(curlapi_open("libc.so.6", &t, &e), SH_ERR_FAIL);
	assert_non_null(strstr(e.msg, "libc.so.6 has no curl_global_init"));
	assert_non_null(strstr(e.msg, "not the libcurl"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_not_mapped_until_used),
	        cmocka_unit_test(test_open_the_real_library),
	        cmocka_unit_test(test_refusals_name_the_library),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
