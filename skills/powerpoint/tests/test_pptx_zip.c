/*
 * The zip container (zipio.c): what the writer produces reads back byte
 * for byte, decks written by pptxgenjs and LibreOffice read, and hand-made
 * hostile archives are each refused with the message that names their
 * fault. Also that powerpoint.so, which needs only zlib for this, loads
 * none of libarchive's dependencies.
 */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#define ZLIB_CONST /* next_in points at const data */
#include <zlib.h>

#include "crc32x.h"
#include "pptx_read.h"
#include "zipio.h"

struct mem {
	unsigned char *p;
	size_t len, cap;
	unsigned long calls;
};

static void mem_put(struct mem *m, const void *data, size_t len)
{
	if (m->cap - m->len < len) {
		size_t nc = m->cap ? m->cap * 2 : 65536;

		while (nc - m->len < len)
			nc *= 2;
		m->p = realloc(m->p, nc);
		assert_non_null(m->p);
		m->cap = nc;
	}
	if (len)
		memcpy(m->p + m->len, data, len);
	m->len += len;
}

static int mem_sink(void *ctx, const void *data, size_t len)
{
	struct mem *m = ctx;

	m->calls++;
	mem_put(m, data, len);
	return 0;
}

static int discard_sink(void *ctx, const void *data, size_t len)
{
	(void)data;
	*(size_t *)ctx += len;
	return 0;
}

static void put16(struct mem *m, unsigned v)
{
	unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};

	mem_put(m, b, 2);
}

static void put32(struct mem *m, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8),
	                      (unsigned char)(v >> 16),
	                      (unsigned char)(v >> 24)};

	mem_put(m, b, 4);
}

static void set16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void set32(unsigned char *p, uint32_t v)
{
	set16(p, v & 0xFFFF);
	set16(p + 2, v >> 16);
}

/*
 * A hand-made zip: each entry's fields can lie, one at a time.
 */
struct tent {
	const char *name;
	const void *data; /* the bytes stored (already deflated for 8) */
	size_t len;
	size_t usize; /* declared uncompressed size */
	uint32_t crc; /* declared CRC */
	unsigned method, flags;
	const char *local_name; /* NULL: name */
	unsigned local_method;  /* with local_method_set */
	int local_method_set;
	int descriptor;      /* write a data descriptor (sets flag bit 3) */
	uint32_t desc_csize; /* the descriptor's csize, if desc_lies */
	int desc_lies;
	uint32_t offset_from; /* >0: point the entry's offset at entry n-1 */
};

static uint32_t crc_of(const void *p, size_t n)
{
	return (uint32_t)crc32(0L, p, (uInt)n);
}

/* A stored entry with honest fields. */
static struct tent stored(const char *name, const char *text)
{
	struct tent t = {0};

	t.name = name;
	t.data = text;
	t.len = strlen(text);
	t.usize = t.len;
	t.crc = crc_of(text, t.len);
	return t;
}

/* Deflate in[0..n) raw at level; the caller frees *out. */
static size_t raw_deflate(const void *in, size_t n, int level,
                          unsigned char **out)
{
	z_stream zs;
	uLong cap;

	memset(&zs, 0, sizeof zs);
	assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, -15, 9,
	                              Z_DEFAULT_STRATEGY),
	                 Z_OK);
	cap = deflateBound(&zs, (uLong)n);
	*out = malloc(cap);
	assert_non_null(*out);
	zs.next_in = in;
	zs.avail_in = (uInt)n;
	zs.next_out = *out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	n = zs.total_out;
	deflateEnd(&zs);
	return n;
}

static void build(struct mem *m, const struct tent *t, size_t n)
{
	uint32_t offs[16];
	size_t i, cd_at;

	assert_true(n <= 16);
	memset(m, 0, sizeof *m);
	for (i = 0; i < n; i++) {
		const char *ln = t[i].local_name ? t[i].local_name : t[i].name;
		unsigned fl = t[i].flags | (t[i].descriptor ? 8u : 0u);

		offs[i] = (uint32_t)m->len;
		put32(m, 0x04034b50);
		put16(m, 20);
		put16(m, fl);
		put16(m,
		      t[i].local_method_set ? t[i].local_method : t[i].method);
		put16(m, 0);
		put16(m, 0x5021);
		put32(m, t[i].descriptor ? 0 : t[i].crc);
		put32(m, t[i].descriptor ? 0 : (uint32_t)t[i].len);
		put32(m, t[i].descriptor ? 0 : (uint32_t)t[i].usize);
		put16(m, (unsigned)strlen(ln));
		put16(m, 0);
		mem_put(m, ln, strlen(ln));
		mem_put(m, t[i].data, t[i].len);
		if (t[i].descriptor) {
			put32(m, 0x08074b50);
			put32(m, t[i].crc);
			put32(m, t[i].desc_lies ? t[i].desc_csize
			                        : (uint32_t)t[i].len);
			put32(m, (uint32_t)t[i].usize);
		}
	}
	cd_at = m->len;
	for (i = 0; i < n; i++) {
		unsigned fl = t[i].flags | (t[i].descriptor ? 8u : 0u);

		put32(m, 0x02014b50);
		put16(m, (3u << 8) | 20u);
		put16(m, 20);
		put16(m, fl);
		put16(m, t[i].method);
		put16(m, 0);
		put16(m, 0x5021);
		put32(m, t[i].crc);
		put32(m, (uint32_t)t[i].len);
		put32(m, (uint32_t)t[i].usize);
		put16(m, (unsigned)strlen(t[i].name));
		put16(m, 0);
		put16(m, 0);
		put16(m, 0);
		put16(m, 0);
		put32(m, 0100644u << 16);
		put32(m,
		      t[i].offset_from ? offs[t[i].offset_from - 1] : offs[i]);
		mem_put(m, t[i].name, strlen(t[i].name));
	}
	put32(m, 0x06054b50);
	put16(m, 0);
	put16(m, 0);
	put16(m, (unsigned)n);
	put16(m, (unsigned)n);
	put32(m, (uint32_t)(m->len - cd_at - 12));
	put32(m, (uint32_t)cd_at);
	put16(m, 0);
}

/* The end record of a zip with no comment. */
static unsigned char *eocd(struct mem *m)
{
	return m->p + m->len - 22;
}

static void expect_refused(const struct mem *m, pptx_status want,
                           const char *needle)
{
	struct zipr z;
	struct pptx_err e = {0};
	pptx_status st = zipr_load(m->p, m->len, NULL, NULL, &z, &e);

	if (st != want)
		fail_msg("status %d, want %d (\"%s\"); wanted a message with "
		         "\"%s\"",
		         st, want, e.msg, needle);
	if (!strstr(e.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, needle);
	assert_int_equal(z.n, 0);
	assert_null(z.entries);
}

static void expect_ok(const struct mem *m, size_t n)
{
	struct zipr z;
	struct pptx_err e = {0};

	if (zipr_load(m->p, m->len, NULL, NULL, &z, &e) != PPTX_OK)
		fail_msg("refused: %s", e.msg);
	assert_int_equal(z.n, n);
	zipr_free(&z);
}

/* The hand-made builder itself is honest: the hostile cases below differ
 * from an accepted archive in the one field each names. */
static void test_builder_baseline(void **state)
{
	struct tent t[2] = {stored("a.xml", "<a/>"), stored("b/c.xml", "<c/>")};
	struct mem m;

	(void)state;
	build(&m, t, 2);
	expect_ok(&m, 2);
	free(m.p);
	t[1].descriptor = 1;
	build(&m, t, 2);
	expect_ok(&m, 2);
	free(m.p);
}

static void test_truncated(void **state)
{
	struct tent t[2] = {stored("a.xml", "<a/>"), stored("b.xml", "<b/>")};
	struct mem m;
	size_t full;

	(void)state;
	build(&m, t, 2);
	full = m.len;
	m.len = full - 5; /* the end record cut */
	expect_refused(&m, PPTX_ERR_FORMAT, "end record");
	m.len = full / 2;
	expect_refused(&m, PPTX_ERR_FORMAT, "end record");
	m.len = 21;
	expect_refused(&m, PPTX_ERR_FORMAT, "too short");
	/* The end record says the directory is elsewhere. */
	m.len = full;
	set32(eocd(&m) + 16, 3);
	expect_refused(&m, PPTX_ERR_FORMAT, "central directory is not where");
	free(m.p);
	/* More entries claimed than the directory's bytes hold. */
	build(&m, t, 2);
	set16(eocd(&m) + 8, 200);
	set16(eocd(&m) + 10, 200);
	expect_refused(&m, PPTX_ERR_FORMAT, "shorter than the number");
	free(m.p);
	/* A directory entry cut short: three claimed, two there, yet the
	 * byte count allows the third. */
	build(&m, t, 2);
	set16(eocd(&m) + 8, 3);
	set16(eocd(&m) + 10, 3);
	set32(eocd(&m) + 12, 3 * 46);
	set32(eocd(&m) + 16, (uint32_t)(m.len - 22 - (size_t)3 * 46));
	expect_refused(&m, PPTX_ERR_FORMAT, "");
	free(m.p);
}

static void test_local_mismatch(void **state)
{
	struct tent t[2] = {stored("a.xml", "<a/>"), stored("b.xml", "<b/>")};
	struct mem m;

	(void)state;
	t[1].local_name = "x.xml";
	build(&m, t, 2);
	expect_refused(&m, PPTX_ERR_FORMAT, "name does not match");
	free(m.p);
	t[1].local_name = "b.xm";
	build(&m, t, 2);
	expect_refused(&m, PPTX_ERR_FORMAT, "name does not match");
	free(m.p);
	t[1].local_name = NULL;
	t[1].local_method_set = 1;
	t[1].local_method = 8;
	build(&m, t, 2);
	expect_refused(&m, PPTX_ERR_FORMAT, "does not match the central");
	free(m.p);
	/* Sizes in the local header differ from the directory's. */
	t[1].local_method_set = 0;
	build(&m, t, 2);
	set32(m.p + 30 + 5 + 4 + 22, 999); /* entry 2's local usize */
	expect_refused(&m, PPTX_ERR_FORMAT, "local header that the central");
	free(m.p);
	/* The directory points into the middle of nowhere. */
	build(&m, t, 2);
	set32(m.p + m.len - 22 - 46 - 5 + 42, 2);
	expect_refused(&m, PPTX_ERR_FORMAT, "no local header");
	free(m.p);
}

static void test_descriptor_mismatch(void **state)
{
	struct tent t[1] = {stored("a.xml", "<a>hello</a>")};
	struct mem m;

	(void)state;
	t[0].descriptor = 1;
	t[0].desc_lies = 1;
	t[0].desc_csize = 3;
	build(&m, t, 1);
	expect_refused(&m, PPTX_ERR_FORMAT, "data descriptor");
	free(m.p);
}

static void test_ratio_bomb(void **state)
{
	size_t big = (size_t)8 * 1024 * 1024;
	unsigned char *zeros = calloc(1, big), *def;
	struct tent t[1] = {{0}};
	struct mem m;
	size_t n = raw_deflate(zeros, big, 9, &def);

	(void)state;
	/* 1000:1, far past the 200:1 limit, under every size limit. */
	assert_true(n < big / 500);
	t[0].name = "ppt/slides/slide1.xml";
	t[0].data = def;
	t[0].len = n;
	t[0].usize = big;
	t[0].crc = crc_of(zeros, big);
	t[0].method = 8;
	build(&m, t, 1);
	expect_refused(&m, PPTX_ERR_LIMIT,
	               "more than the reader's limit of "
	               "200:1: this looks like a zip bomb");
	free(m.p);
	/* The same stream declared as 1 KiB: it may not inflate past it. */
	t[0].usize = 1024;
	build(&m, t, 1);
	expect_refused(&m, PPTX_ERR_FORMAT, "more bytes than the central");
	free(m.p);
	/* Declared larger than it inflates. */
	t[0].usize = big + 1;
	build(&m, t, 1);
	expect_refused(&m, PPTX_ERR_LIMIT, "zip bomb"); /* ratio first */
	free(m.p);
	free(def);
	free(zeros);
}

static void test_oversize(void **state)
{
	struct tent t[1] = {stored("ppt/presentation.xml", "<p/>")};
	struct mem m;

	(void)state;
	/* Declared sizes are checked before any allocation: a lie about
	 * 65 MiB is refused without inflating anything. */
	t[0].usize = (size_t)65 * 1024 * 1024;
	t[0].method = 8;
	build(&m, t, 1);
	expect_refused(&m, PPTX_ERR_LIMIT,
	               "over the reader's limit of 64 "
	               "MiB a part");
	free(m.p);
	/* A declared size that does not fit in 32 bits is ZIP64's. */
	t[0].usize = 0xFFFFFFFFu;
	build(&m, t, 1);
	expect_refused(&m, PPTX_ERR_FORMAT, "ZIP64");
	free(m.p);
}

static void test_total_limit(void **state)
{
	/* A 3 MiB stored filler keeps the ratio under 200:1; nine parts
	 * declared at 60 MiB each stay under the part limit and pass 512 MiB
	 * together. Nothing is inflated: the declared sizes are refused
	 * first (the tiny streams would fail to inflate otherwise). */
	size_t fill_len = (size_t)3 * 1024 * 1024;
	unsigned char *filler = malloc(fill_len);
	static const unsigned char empty_block[2] = {0x03, 0x00};
	struct tent t[10];
	char names[10][16];
	struct mem m;
	size_t i;

	(void)state;
	assert_non_null(filler);
	memset(filler, 'x', fill_len);
	for (i = 0; i < 10; i++) {
		snprintf(names[i], sizeof names[i], "p%zu.xml", i);
		memset(&t[i], 0, sizeof t[i]);
		t[i].name = names[i];
		t[i].data = empty_block;
		t[i].len = 2;
		t[i].usize = (size_t)60 * 1024 * 1024;
		t[i].method = 8;
	}
	t[0].data = filler;
	t[0].len = t[0].usize = fill_len;
	t[0].method = 0;
	t[0].crc = crc_of(filler, fill_len);
	build(&m, t, 10);
	expect_refused(&m, PPTX_ERR_LIMIT,
	               "more than 512 MiB in all (at "
	               "p9.xml)");
	free(m.p);
	free(filler);
}

static void test_bad_crc(void **state)
{
	struct tent t[2] = {stored("a.xml", "<a/>"), stored("b.xml", "<b/>")};
	struct mem m;

	(void)state;
	t[1].crc ^= 1;
	build(&m, t, 2);
	expect_refused(&m, PPTX_ERR_FORMAT, "b.xml fails its CRC check");
	free(m.p);
}

static void test_encrypted(void **state)
{
	struct tent t[1] = {stored("a.xml", "<a/>")};
	struct mem m;

	(void)state;
	t[0].flags = 1;
	build(&m, t, 1);
	expect_refused(&m, PPTX_ERR_FORMAT, "encrypted");
	free(m.p);
	t[0].flags = 0x40; /* strong encryption */
	build(&m, t, 1);
	expect_refused(&m, PPTX_ERR_FORMAT, "encrypted");
	free(m.p);
	t[0].flags = 0;
	t[0].method = 99; /* WinZip AES */
	build(&m, t, 1);
	expect_refused(&m, PPTX_ERR_FORMAT, "encrypted");
	free(m.p);
	/* Only the local header says so. */
	t[0].method = 0;
	build(&m, t, 1);
	set16(m.p + 6, 1);
	expect_refused(&m, PPTX_ERR_FORMAT, "encrypted");
	free(m.p);
}

static void test_methods(void **state)
{
	struct tent t[1] = {stored("a.xml", "<a/>")};
	struct mem m;

	(void)state;
	t[0].method = 12; /* bzip2 */
	build(&m, t, 1);
	expect_refused(&m, PPTX_ERR_FORMAT, "compression method 12");
	free(m.p);
	/* Deflate that is not deflate. */
	t[0].method = 8;
	t[0].data = "\xff\xff\xff\xff";
	build(&m, t, 1);
	expect_refused(&m, PPTX_ERR_FORMAT, "cannot inflate a.xml");
	free(m.p);
	/* Deflate that ends before its declared size. */
	{
		unsigned char *def;
		size_t n = raw_deflate("hello", 5, 6, &def);

		t[0].data = def;
		t[0].len = n;
		t[0].usize = 10;
		build(&m, t, 1);
		expect_refused(&m, PPTX_ERR_FORMAT, "shorter than declared");
		free(m.p);
		free(def);
	}
	/* Stored with two sizes. */
	t[0] = stored("a.xml", "<a/>");
	t[0].usize = 3;
	build(&m, t, 1);
	expect_refused(&m, PPTX_ERR_FORMAT, "two different sizes");
	free(m.p);
}

static void test_zip64(void **state)
{
	struct tent t[1] = {stored("a.xml", "<a/>")};
	struct mem m, m2;

	(void)state;
	build(&m, t, 1);
	set16(eocd(&m) + 8, 0xFFFF);
	set16(eocd(&m) + 10, 0xFFFF);
	expect_refused(&m, PPTX_ERR_FORMAT, "ZIP64");
	free(m.p);
	build(&m, t, 1);
	set32(eocd(&m) + 16, 0xFFFFFFFFu);
	expect_refused(&m, PPTX_ERR_FORMAT, "ZIP64");
	free(m.p);
	/* A ZIP64 locator before an otherwise ordinary end record. */
	build(&m, t, 1);
	memset(&m2, 0, sizeof m2);
	mem_put(&m2, m.p, m.len - 22);
	put32(&m2, 0x07064b50);
	put32(&m2, 0);
	put32(&m2, 0);
	put32(&m2, 0);
	put32(&m2, 1);
	mem_put(&m2, eocd(&m), 22);
	expect_refused(&m2, PPTX_ERR_FORMAT, "ZIP64");
	free(m.p);
	free(m2.p);
	/* A central entry with ZIP64's offset marker. */
	build(&m, t, 1);
	set32(m.p + m.len - 22 - 46 - 5 + 42, 0xFFFFFFFFu);
	expect_refused(&m, PPTX_ERR_FORMAT, "ZIP64");
	free(m.p);
}

static void test_multidisk(void **state)
{
	struct tent t[1] = {stored("a.xml", "<a/>")};
	struct mem m;

	(void)state;
	build(&m, t, 1);
	set16(eocd(&m) + 4, 1);
	expect_refused(&m, PPTX_ERR_FORMAT, "several disks");
	free(m.p);
	build(&m, t, 1);
	set16(m.p + m.len - 22 - 46 - 5 + 34, 2);
	expect_refused(&m, PPTX_ERR_FORMAT, "several disks");
	free(m.p);
}

static void test_duplicate_names(void **state)
{
	struct tent t[3] = {stored("a.xml", "<a/>"), stored("b.xml", "<b/>"),
	                    stored("a.xml", "<a2/>")};
	struct mem m;

	(void)state;
	build(&m, t, 3);
	expect_refused(&m, PPTX_ERR_FORMAT, "two entries named \"a.xml\"");
	free(m.p);
}

static void test_unsafe_names(void **state)
{
	static const char *const bad[] = {
	        "../evil.xml", "/etc/passwd",     "ppt/../../x", "a/..",
	        "C:/x.xml",    "\\\\host\\share", "ppt\\..\\x",  ""};
	static const char *const good[] = {"ppt/..x/a.xml", "a..b", ".../x",
	                                   "ppt/slides/slide1.xml"};
	struct tent t[1];
	struct mem m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t[0] = stored(bad[i], "<a/>");
		build(&m, t, 1);
		expect_refused(&m, PPTX_ERR_FORMAT, "absolute or climbs out");
		free(m.p);
	}
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		t[0] = stored(good[i], "<a/>");
		build(&m, t, 1);
		expect_ok(&m, 1);
		free(m.p);
	}
	/* A NUL inside a name would hide its tail. */
	t[0] = stored("a.xmlXb", "<a/>");
	build(&m, t, 1);
	m.p[m.len - 22 - 2] = '\0';
	expect_refused(&m, PPTX_ERR_FORMAT, "NUL byte");
	free(m.p);
}

static void test_overlap(void **state)
{
	struct tent t[2] = {stored("a.xml", "<a/>"), stored("b.xml", "<b/>")};
	struct mem m;

	(void)state;
	/* b's directory entry points at a's local header, under b's name:
	 * the names do not match. Point b at a and name both a: duplicate.
	 * An overlap that passes both: a's stored data swallows b's local
	 * header and data, b is read from inside it. */
	build(&m, t, 2);
	{
		/* a's data grows to cover b's header and data. */
		size_t a_len = 4 + 30 + 5 + 4;
		unsigned char *cd = m.p + 30 + 5 + 4 + 30 + 5 + 4;
		uint32_t crc = crc_of(m.p + 30 + 5, a_len);

		set32(m.p + 14, crc);
		set32(m.p + 18, (uint32_t)a_len);
		set32(m.p + 22, (uint32_t)a_len);
		set32(cd + 16, crc);
		set32(cd + 20, (uint32_t)a_len);
		set32(cd + 24, (uint32_t)a_len);
	}
	expect_refused(&m, PPTX_ERR_FORMAT, "overlap");
	free(m.p);
}

/* Bytes from a small deterministic generator. */
static void fill(unsigned char *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

static void test_round_trip(void **state)
{
	static const char *const names[] = {
	        "[Content_Types].xml",  "_rels/.rels",           "empty.xml",
	        "ppt/media/image1.png", "ppt/slides/slide1.xml", "ppt/big.xml",
	        "ppt/na\xc3\xafve.xml"};
	size_t lens[] = {5000, 300, 0, 70000, 4095, 300000, 10};
	unsigned char *data[7];
	struct mem a = {0}, b = {0};
	struct pptx_err e = {0};
	struct zipw *zw;
	struct zipr z;
	size_t i, j;

	(void)state;
	for (i = 0; i < 7; i++) {
		data[i] = malloc(lens[i] + 1);
		assert_non_null(data[i]);
		if (i == 3) {
			fill(data[i], lens[i], 7); /* incompressible */
		} else {
			for (j = 0; j < lens[i]; j++)
				data[i][j] = "<a b=\"c\">text</a>\n"[j % 18];
		}
	}
	for (j = 0; j < 2; j++) {
		struct mem *m = j ? &b : &a;

		assert_int_equal(zipw_open(&zw, mem_sink, m, &e), PPTX_OK);
		for (i = 0; i < 7; i++)
			assert_int_equal(
			        i == 3 ? zipw_add_stored(zw, names[i], data[i],
			                                 lens[i], &e)
			               : zipw_add(zw, names[i], data[i],
			                          lens[i], &e),
			        PPTX_OK);
		assert_int_equal(zipw_finish(zw, &e), PPTX_OK);
	}
	/* Deterministic: the same parts give the same bytes. */
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.p, b.p, a.len);
	/* Gathered: far fewer sink calls than entries times three. */
	assert_true(a.calls < 7);
	/* [Content_Types].xml first, as written. */
	assert_memory_equal(a.p + 30, "[Content_Types].xml", 19);
	assert_int_equal(zipr_load(a.p, a.len, NULL, NULL, &z, &e), PPTX_OK);
	assert_int_equal(z.n, 7);
	for (i = 0; i < 7; i++) {
		struct zip_entry *ent = zipr_find(&z, names[i]);

		assert_ptr_equal(ent, &z.entries[i]);
		assert_int_equal(ent->len, lens[i]);
		if (lens[i])
			assert_memory_equal(ent->data, data[i], lens[i]);
		assert_int_equal(ent->data[lens[i]], 0);
		assert_false(ent->is_dir);
	}
	zipr_free(&z);
	/* The big XML part is deflated, the small one and the media not. */
	{
		const unsigned char *p = a.p;
		unsigned methods[7];

		for (i = 0; i < 7; i++) {
			methods[i] = p[8] | p[9] << 8;
			p += 30 + (p[26] | p[27] << 8) +
			     (p[18] | p[19] << 8 | p[20] << 16 |
			      (size_t)p[21] << 24);
		}
		assert_int_equal(methods[0], 8);
		assert_int_equal(methods[1], 0);
		assert_int_equal(methods[3], 0);
		assert_int_equal(methods[4], 0);
		assert_int_equal(methods[5], 8);
	}
	for (i = 0; i < 7; i++)
		free(data[i]);
	free(a.p);
	free(b.p);
}

static int want_xml(const char *name, void *ctx)
{
	(*(size_t *)ctx)++;
	return strstr(name, ".xml") != NULL && !strstr(name, ".rels");
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	(void)fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A deck another program wrote reads, with and without a want filter, and
 * written again through zipw reads back to the same parts. */
static void foreign_deck(const char *file, size_t slides)
{
	char path[4096];
	size_t len, asked = 0, i;
	unsigned char *buf;
	struct zipr z, z2, zf;
	struct pptx_err e = {0};
	struct pptx_deck *d = NULL;
	struct mem m = {0};
	struct zipw *zw;

	snprintf(path, sizeof path, "%s/%s", PPTX_ZIP_DIR, file);
	buf = slurp(path, &len);
	if (zipr_load(buf, len, NULL, NULL, &z, &e) != PPTX_OK)
		fail_msg("%s: %s", file, e.msg);
	assert_true(z.n > 10);
	assert_int_equal(zipr_load(buf, len, want_xml, &asked, &zf, &e),
	                 PPTX_OK);
	assert_int_equal(zf.n, z.n);
	assert_true(asked > 0 && asked <= z.n);
	for (i = 0; i < zf.n; i++)
		if (zf.entries[i].data == NULL)
			assert_true(strstr(zf.entries[i].name, ".rels") ||
			            !strstr(zf.entries[i].name, ".xml") ||
			            zf.entries[i].is_dir);
	zipr_free(&zf);
	assert_int_equal(zipw_open(&zw, mem_sink, &m, &e), PPTX_OK);
	for (i = 0; i < z.n; i++)
		if (!z.entries[i].is_dir)
			assert_int_equal(zipw_add(zw, z.entries[i].name,
			                          z.entries[i].data,
			                          z.entries[i].len, &e),
			                 PPTX_OK);
	assert_int_equal(zipw_finish(zw, &e), PPTX_OK);
	assert_int_equal(zipr_load(m.p, m.len, NULL, NULL, &z2, &e), PPTX_OK);
	for (i = 0; i < z.n; i++) {
		struct zip_entry *a = &z.entries[i], *b;

		if (a->is_dir)
			continue;
		b = zipr_find(&z2, a->name);
		assert_non_null(b);
		assert_int_equal(a->len, b->len);
		assert_memory_equal(a->data, b->data, a->len);
	}
	zipr_free(&z2);
	zipr_free(&z);
	if (pptx_read(buf, len, &d, &e) != PPTX_OK)
		fail_msg("%s: %s", file, e.msg);
	assert_int_equal(d->nslides, slides);
	pptx_deck_free(d);
	free(m.p);
	free(buf);
}

static void test_pptxgenjs_deck(void **state)
{
	(void)state;
	foreign_deck("pptxgenjs.pptx", 4); /* stored entries */
}

static void test_libreoffice_deck(void **state)
{
	(void)state;
	foreign_deck("libreoffice.pptx", 3); /* deflate, data descriptors */
}

/* What would need ZIP64 is refused, not written wrong. */
static void test_write_zip64_refused(void **state)
{
	size_t sunk = 0, i;
	struct pptx_err e = {0};
	struct zipw *zw;
	char name[32];

	(void)state;
	assert_int_equal(zipw_open(&zw, discard_sink, &sunk, &e), PPTX_OK);
	for (i = 0; i < 65535; i++) {
		snprintf(name, sizeof name, "p/%zu", i);
		assert_int_equal(zipw_add(zw, name, "x", 1, &e), PPTX_OK);
	}
	assert_int_equal(zipw_add(zw, "one-more", "x", 1, &e), PPTX_ERR_LIMIT);
	assert_non_null(strstr(e.msg, "ZIP64"));
	/* 65535 entries fit. */
	assert_int_equal(zipw_finish(zw, &e), PPTX_OK);
	assert_true(sunk > (size_t)65535 * 30);
	/* An empty name is no entry. */
	assert_int_equal(zipw_open(&zw, discard_sink, &sunk, &e), PPTX_OK);
	assert_int_equal(zipw_add(zw, "", "x", 1, &e), PPTX_ERR_INPUT);
	zipw_abort(zw);
}

/* powerpoint.so's own dependencies, from its dynamic section. */
static void needed_of(const char *path, char *out, size_t cap)
{
	size_t len, i, j;
	unsigned char *f = slurp(path, &len);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(void *)f;
	const Elf64_Shdr *sh;

	assert_true(len > sizeof *eh);
	assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS64);
	assert_true(eh->e_shoff + (size_t)eh->e_shnum * sizeof *sh <= len);
	sh = (const Elf64_Shdr *)(void *)(f + eh->e_shoff);
	out[0] = '\0';
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Dyn *dyn;
		const char *str;

		if (sh[i].sh_type != SHT_DYNAMIC)
			continue;
		assert_true(sh[i].sh_link < eh->e_shnum);
		dyn = (const Elf64_Dyn *)(void *)(f + sh[i].sh_offset);
		str = (const char *)f + sh[sh[i].sh_link].sh_offset;
		for (j = 0; j < sh[i].sh_size / sizeof *dyn; j++)
			if (dyn[j].d_tag == DT_NEEDED) {
				size_t at = strlen(out);

				snprintf(out + at, cap - at, "%s ",
				         str + dyn[j].d_un.d_val);
			}
	}
	free(f);
}

static const char *const heavy[] = {
        "libarchive", "libxml2", "libicu", "libstdc++", "liblzma",
        "libzstd",    "liblz4",  "libbz2", "libnettle", "libacl"};

/* The heavy libraries this process has loaded, as one string. */
static int heavy_loaded(struct dl_phdr_info *info, size_t size, void *data)
{
	char *out = data;
	size_t i, at = strlen(out);

	(void)size;
	for (i = 0; i < sizeof heavy / sizeof heavy[0]; i++)
		if (strstr(info->dlpi_name, heavy[i]) &&
		    at + strlen(info->dlpi_name) + 2 < 4096) {
			snprintf(out + at, 4096 - at, "%s ", info->dlpi_name);
			break;
		}
	return 0;
}

static void test_so_needs_zlib_only(void **state)
{
	char needed[1024];
	static char before[4096], after[4096];
	void *so;
	size_t i;

	(void)state;
	needed_of(PPTX_SKILL_SO, needed, sizeof needed);
	print_message("powerpoint.so NEEDED: %s\n", needed);
	assert_non_null(strstr(needed, "libz.so"));
	for (i = 0; i < sizeof heavy / sizeof heavy[0]; i++)
		if (strstr(needed, heavy[i]))
			fail_msg("powerpoint.so needs %s: %s", heavy[i],
			         needed);
	/* And nothing it pulls in does: the process, which links no more
	 * than the skill's core, has none of them after loading it. */
	/* A sanitizer runtime may have loaded some already (UBSan's brings
	 * libstdc++): what counts is what the load adds. */
	dl_iterate_phdr(heavy_loaded, before);
	so = dlopen(PPTX_SKILL_SO, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(so);
	dl_iterate_phdr(heavy_loaded, after);
	if (strcmp(before, after))
		fail_msg("loading powerpoint.so brought in more of: %s (had: "
		         "%s)",
		         after, before);
	dlclose(so);
}

/* pptx_crc32 is zlib's crc32 for every length 0..1100 at every alignment
 * 0..15 (the folded bulk, its 16-byte steps and the tail all vary), and
 * for a 3 MB buffer; the CRC of "123456789" is the standard check value. */
static void test_crc32_matches_zlib(void **state)
{
	size_t big = (size_t)3 << 20, len, off, i;
	unsigned char *buf = malloc(big);
	uint32_t seed = 99;

	(void)state;
	assert_non_null(buf);
	for (i = 0; i < big; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (unsigned char)(seed >> 16);
	}
	assert_int_equal(pptx_crc32("123456789", 9), 0xCBF43926u);
	for (off = 0; off < 16; off++)
		for (len = 0; len <= 1100; len++)
			assert_int_equal(
			        pptx_crc32(buf + off, len),
			        (uint32_t)crc32(0L, buf + off, (uInt)len));
	assert_int_equal(pptx_crc32(buf, big),
	                 (uint32_t)crc32(0L, buf, (uInt)big));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_builder_baseline),
	        cmocka_unit_test(test_crc32_matches_zlib),
	        cmocka_unit_test(test_truncated),
	        cmocka_unit_test(test_local_mismatch),
	        cmocka_unit_test(test_descriptor_mismatch),
	        cmocka_unit_test(test_ratio_bomb),
	        cmocka_unit_test(test_oversize),
	        cmocka_unit_test(test_total_limit),
	        cmocka_unit_test(test_bad_crc),
	        cmocka_unit_test(test_encrypted),
	        cmocka_unit_test(test_methods),
	        cmocka_unit_test(test_zip64),
	        cmocka_unit_test(test_multidisk),
	        cmocka_unit_test(test_duplicate_names),
	        cmocka_unit_test(test_unsafe_names),
	        cmocka_unit_test(test_overlap),
	        cmocka_unit_test(test_round_trip),
	        cmocka_unit_test(test_pptxgenjs_deck),
	        cmocka_unit_test(test_libreoffice_deck),
	        cmocka_unit_test(test_write_zip64_refused),
	        cmocka_unit_test(test_so_needs_zlib_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
