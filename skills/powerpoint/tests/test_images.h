/*
 * test_images.h - tiny valid PNG and JPEG headers built in memory for the
 * tests (no fixture files, no image library).
 */
#ifndef PPTX_TEST_IMAGES_H
#define PPTX_TEST_IMAGES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t test_crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return c ^ 0xFFFFFFFFu;
}

static inline void test_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline size_t test_chunk(unsigned char *p, const char *type,
                                const unsigned char *data, uint32_t len)
{
	test_be32(p, len);
	memcpy(p + 4, type, 4);
	if (len)
		memcpy(p + 8, data, len);
	test_be32(p + 8 + len, test_crc32(p + 4, 4 + len));
	return 12 + len;
}

/* A structurally valid PNG of w x h (its IDAT is a stored zlib stream of one
 * black pixel row; only headers are parsed). Needs 96 bytes. */
static inline size_t test_png(unsigned char *buf, size_t cap, uint32_t w,
                              uint32_t h)
{
	static const unsigned char sig[8] = {0x89, 'P',  'N',  'G',
	                                     '\r', '\n', 0x1A, '\n'};
	static const unsigned char idat[] = {0x78, 0x01, 0x01, 0x01,
	                                     0x00, 0xFE, 0xFF, 0x00,
	                                     0x00, 0x01, 0x00, 0x01};
	unsigned char ihdr[13] = {0};
	size_t n = 8;

	if (cap < 96)
		return 0;
	memcpy(buf, sig, 8);
	test_be32(ihdr, w);
	test_be32(ihdr + 4, h);
	ihdr[8] = 8; /* bit depth */
	ihdr[9] = 0; /* greyscale */
	n += test_chunk(buf + n, "IHDR", ihdr, 13);
	n += test_chunk(buf + n, "IDAT", idat, sizeof idat);
	n += test_chunk(buf + n, "IEND", NULL, 0);
	return n;
}

/* A JPEG header: SOI, APP0 (JFIF), optional fill bytes, then a segment with
 * marker sof (SOF0, SOF2, or anything else for error cases) giving w x h,
 * then SOS and EOI. Needs 64 bytes. */
static inline size_t test_jpeg(unsigned char *buf, size_t cap, unsigned sof,
                               unsigned w, unsigned h, int fill)
{
	static const unsigned char app0[] = {
	        0xFF, 0xE0, 0x00, 0x10, 'J',  'F',  'I',  'F',  0x00,
	        0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00};
	size_t n = 0;

	if (cap < 64)
		return 0;
	buf[n++] = 0xFF;
	buf[n++] = 0xD8;
	memcpy(buf + n, app0, sizeof app0);
	n += sizeof app0;
	if (fill) {
		buf[n++] = 0xFF;
		buf[n++] = 0xFF;
	}
	buf[n++] = 0xFF;
	buf[n++] = (unsigned char)sof;
	buf[n++] = 0x00;
	buf[n++] = 0x0B; /* length 11: one component */
	buf[n++] = 8;
	buf[n++] = (unsigned char)(h >> 8);
	buf[n++] = (unsigned char)h;
	buf[n++] = (unsigned char)(w >> 8);
	buf[n++] = (unsigned char)w;
	buf[n++] = 1;
	buf[n++] = 1;
	buf[n++] = 0x11;
	buf[n++] = 0;
	buf[n++] = 0xFF;
	buf[n++] = 0xDA;
	buf[n++] = 0x00;
	buf[n++] = 0x08;
	buf[n++] = 1;
	buf[n++] = 1;
	buf[n++] = 0;
	buf[n++] = 0;
	buf[n++] = 63;
	buf[n++] = 0;
	buf[n++] = 0x00;
	buf[n++] = 0xFF;
	buf[n++] = 0xD9;
	return n;
}

#endif /* PPTX_TEST_IMAGES_H */
