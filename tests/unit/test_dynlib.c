/*
 * test_dynlib.c - libarchive, libmicrohttpd and libcrypto opened on first
 * use (dynlib.h, archive_dl.h, mhd_dl.h, libcrypto_dl.h): none is mapped
 * until a load asks for it; the tables resolve every function from the real
 * libraries and work; a missing library, or one without the functions, is
 * refused with a message naming it and the Debian package, and leaves the table
 * as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "archive_dl.h"
#include "dynlib.h"
#include "libcrypto_dl.h"
#include "mhd_dl.h"

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

/* Every pointer of a table of n function pointers is set. */
static void all_set(const void *table, size_t size)
{
	for (size_t i = 0; i < size / sizeof(void (*)(void)); i++) {
		void (*f)(void);

		memcpy(&f, (const char *)table + i * sizeof f, sizeof f);
		assert_non_null(f);
	}
}

struct sink {
	char buf[20480]; /* two of libarchive's default 10240-byte blocks */
	size_t used;
};

static la_ssize_t to_sink(struct archive *a, void *ud, const void *p, size_t n)
{
	struct sink *s = ud;

	(void)a;
	if (n > sizeof s->buf - s->used)
		return -1;
	memcpy(s->buf + s->used, p, n);
	s->used += n;
	return (la_ssize_t)n;
}

static void test_archive_on_first_use(void **state)
{
	struct sh_error e;
	struct archive *a;
	struct archive_entry *en;
	static struct sink out;

	(void)state;
	/* This program does not link libarchive: nothing has opened it. */
	assert_false(mapped("libarchive.so"));
	assert_null(__atomic_load_n(&archive_dl_table, __ATOMIC_ACQUIRE));
	assert_int_equal(archive_dl_load(&e), SH_OK);
	assert_true(mapped("libarchive.so"));
	assert_non_null(archive_dl_table);
	all_set(archive_dl_table, sizeof *archive_dl_table);
	assert_int_equal(archive_dl_load(&e), SH_OK); /* once is enough */

	/* The calls, written as usual, go through the table. */
	a = archive_write_new();
	assert_non_null(a);
	assert_int_equal(archive_write_set_format_ustar(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open(a, &out, NULL, to_sink, NULL),
	                 ARCHIVE_OK);
	en = archive_entry_new();
	archive_entry_set_pathname(en, "x.txt");
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_size(en, 2);
	assert_int_equal(archive_write_header(a, en), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, "hi", 2), 2);
	archive_entry_free(en);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	assert_true(out.used >= 1024);
	assert_string_equal(out.buf, "x.txt"); /* the ustar header's name */
}

static void test_mhd_on_first_use(void **state)
{
	struct sh_error e;
	struct MHD_Response *r;

	(void)state;
	assert_false(mapped("libmicrohttpd.so"));
	assert_int_equal(mhd_dl_load(&e), SH_OK);
	assert_true(mapped("libmicrohttpd.so"));
	all_set(mhd_dl_table, sizeof *mhd_dl_table);
	r = MHD_create_response_from_buffer(2, (void *)"ok",
	                                    MHD_RESPMEM_PERSISTENT);
	assert_non_null(r);
	assert_int_equal(MHD_add_response_header(r, "X-Test", "1"), MHD_YES);
	MHD_destroy_response(r);
}

static void test_libcrypto_on_first_use(void **state)
{
	struct sh_error e;
	unsigned char md[32];
	unsigned int n = 0;

	(void)state;
	assert_false(mapped("libcrypto.so"));
	assert_int_equal(libcrypto_dl_load(&e), SH_OK);
	assert_true(mapped("libcrypto.so"));
	all_set(libcrypto_dl_table, sizeof *libcrypto_dl_table);
	assert_int_equal(EVP_Digest("abc", 3, md, &n, EVP_sha256(), NULL), 1);
	assert_int_equal(n, 32);
	/* FIPS 180-2's first example */
	assert_int_equal(md[0], 0xba);
	assert_int_equal(md[31], 0xad);
}

static void test_refusals_name_the_library(void **state)
{
	struct archive_dl at, aseen;
	struct mhd_dl mt, mseen;
	struct sh_error e;

	(void)state;
	memset(&at, 0xab, sizeof at);
	aseen = at;
	assert_int_equal(
	        archive_dl_open("libskillhost-no-such-archive.so.13", &at, &e),
	        SH_ERR_FAIL);
	assert_non_null(strstr(e.msg, "cannot load libarchive "
	                              "(libskillhost-no-such-archive.so.13)"));
	assert_non_null(strstr(e.msg, "to pack, sign and install"));
	assert_non_null(strstr(e.msg, "apt-get install libarchive13"));
	assert_memory_equal(&at, &aseen, sizeof at);

	/* A library that loads but is not libarchive: the first function of
	 * the list is missing, and the table is left alone. */
	assert_int_equal(archive_dl_open("libc.so.6", &at, &e), SH_ERR_FAIL);
	assert_non_null(
	        strstr(e.msg, "libc.so.6 has no archive_entry_filetype"));
	assert_non_null(strstr(e.msg, "not the libarchive skillhost was built "
	                              "for (3.0 or later)"));
	assert_non_null(strstr(e.msg, "apt-get install libarchive13"));
	assert_memory_equal(&at, &aseen, sizeof at);

	memset(&mt, 0xcd, sizeof mt);
	mseen = mt;
	assert_int_equal(mhd_dl_open("libskillhost-no-such-mhd.so.12", &mt, &e),
	                 SH_ERR_FAIL);
	assert_non_null(strstr(e.msg, "cannot load libmicrohttpd "
	                              "(libskillhost-no-such-mhd.so.12)"));
	assert_non_null(strstr(e.msg, "serve --http"));
	assert_non_null(strstr(e.msg, "apt-get install libmicrohttpd12"));
	assert_memory_equal(&mt, &mseen, sizeof mt);

	{
		struct libcrypto_dl ct, cseen;

		memset(&ct, 0xef, sizeof ct);
		cseen = ct;
		assert_int_equal(libcrypto_dl_open("libskillhost-no-such-"
		                                   "crypto.so.3",
		                                   &ct, &e),
		                 SH_ERR_FAIL);
		assert_non_null(strstr(e.msg, "cannot load libcrypto"));
		assert_non_null(strstr(e.msg, "apt-get install libssl3"));
		assert_int_equal(libcrypto_dl_open("libc.so.6", &ct, &e),
		                 SH_ERR_FAIL);
		assert_non_null(strstr(e.msg, "libc.so.6 has no BIO_free"));
		assert_non_null(strstr(e.msg, "OpenSSL 3.0 or later"));
		assert_memory_equal(&ct, &cseen, sizeof ct);
	}

	/* libarchive is no libmicrohttpd either. */
	assert_int_equal(mhd_dl_open(ARCHIVE_DL_SONAME, &mt, &e), SH_ERR_FAIL);
	assert_non_null(strstr(e.msg, "has no MHD_add_response_header"));
	assert_memory_equal(&mt, &mseen, sizeof mt);
}

/* The generic part alone: a spec's symbols land at their offsets. */
struct two {
	__typeof__(strlen) *len;
	__typeof__(strcmp) *cmp;
};

static void test_generic_table(void **state)
{
	static const struct dynlib_sym syms[] = {
	        {"strcmp", offsetof(struct two, cmp)},
	        {"strlen", offsetof(struct two, len)},
	};
	static const struct dynlib_spec spec = {
	        .name = "libc",
	        .soname = "libc.so.6",
	        .package = "libc6",
	        .version = "2.36",
	        .purpose = "for everything",
	        .syms = syms,
	        .nsyms = 2,
	};
	struct dynlib_state st;
	struct two t;
	struct sh_error e;

	(void)state;
	memset(&t, 0, sizeof t);
	assert_int_equal(dynlib_open(&spec, NULL, &t, &e), SH_OK);
	assert_int_equal(t.len("four"), 4);
	assert_int_equal(t.cmp("a", "a"), 0);

	/* The once-path records the outcome for every later caller. */
	memset(&t, 0, sizeof t);
	dynlib_load_once(&spec, &t, &st);
	assert_int_equal(st.status, SH_OK);
	assert_int_equal(dynlib_result(&st, &e), SH_OK);
	assert_int_equal(t.len("ab"), 2);

	{
		struct dynlib_spec bad = spec;

		bad.soname = "libskillhost-none.so.0";
		dynlib_load_once(&bad, &t, &st);
		assert_int_equal(st.status, SH_ERR_FAIL);
		assert_int_equal(dynlib_result(&st, &e), SH_ERR_FAIL);
		assert_non_null(strstr(e.msg, "apt-get install libc6"));
		assert_string_equal(e.msg, st.msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_archive_on_first_use),
	        cmocka_unit_test(test_mhd_on_first_use),
	        cmocka_unit_test(test_libcrypto_on_first_use),
	        cmocka_unit_test(test_refusals_name_the_library),
	        cmocka_unit_test(test_generic_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
