/*
 * imgsize.c - PNG and JPEG header parsing. See imgsize.h.
 */
#include "imgsize.h"

#include <stdio.h>
#include <string.h>

static const unsigned char png_sig[8] = {0x89, 'P',  'N',  'G',
                                         '\r', '\n', 0x1A, '\n'};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t crc32_png(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i;
	int k;

	/* Bitwise: only the 17-byte IHDR is checked, so a table buys
	 * nothing. */
	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return c ^ 0xFFFFFFFFu;
}

enum img_type img_sniff(const unsigned char *d, size_t len)
{
	if (len >= 8 && memcmp(d, png_sig, 8) == 0)
		return IMG_PNG;
	if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return IMG_JPEG;
	return IMG_UNKNOWN;
}

const char *img_mime(enum img_type t)
{
	return t == IMG_PNG ? "image/png" : t == IMG_JPEG ? "image/jpeg" : "";
}

const char *img_ext(enum img_type t)
{
	return t == IMG_PNG ? "png" : t == IMG_JPEG ? "jpeg" : "";
}

static int bad(char *why, size_t n, const char *msg)
{
	if (why && n)
		snprintf(why, n, "%s", msg);
	return -1;
}

static int check_dims(uint32_t w, uint32_t h, char *why, size_t n)
{
	if (w == 0 || h == 0)
		return bad(why, n,
		           "the image header gives a zero width or "
		           "height");
	if (w > IMG_MAX_DIMENSION || h > IMG_MAX_DIMENSION)
		return bad(why, n,
		           "the image is wider or taller than 65535 "
		           "pixels; scale it down");
	return 0;
}

static int probe_png(const unsigned char *d, size_t len, struct img_info *info,
                     char *why, size_t n)
{
	size_t pos;
	int seen_idat = 0;

	/* signature(8) + IHDR: length(4) type(4) data(13) crc(4) */
	if (len < 8 + 25)
		return bad(why, n,
		           "the PNG is truncated before the end of its "
		           "IHDR header");
	if (be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
		return bad(why, n, "the PNG does not start with an IHDR chunk");
	if (crc32_png(d + 12, 17) != be32(d + 29))
		return bad(why, n,
		           "the PNG's IHDR checksum is wrong: the file "
		           "is corrupt");
	if (check_dims(be32(d + 16), be32(d + 20), why, n) != 0)
		return -1;
	info->width = be32(d + 16);
	info->height = be32(d + 20);
	pos = 33;
	/* Walk the chunk chain to IEND: a truncated or spliced file breaks it
	 * long before anything would decode it. */
	for (;;) {
		uint32_t clen;

		if (len - pos < 12)
			return bad(why, n,
			           "the PNG is truncated: it ends "
			           "before its IEND chunk");
		clen = be32(d + pos);
		if (clen > 0x7FFFFFFFu || clen > len - pos - 12)
			return bad(why, n,
			           "the PNG has a chunk longer than "
			           "the file: it is truncated or "
			           "corrupt");
		if (memcmp(d + pos + 4, "IDAT", 4) == 0)
			seen_idat = 1;
		if (memcmp(d + pos + 4, "IEND", 4) == 0)
			break;
		pos += 12 + clen;
	}
	if (!seen_idat)
		return bad(why, n, "the PNG has no image data (IDAT)");
	info->type = IMG_PNG;
	return 0;
}

static int probe_jpeg(const unsigned char *d, size_t len, struct img_info *info,
                      char *why, size_t n)
{
	size_t pos = 2;

	for (;;) {
		unsigned m;
		uint32_t seglen;

		if (pos >= len)
			return bad(why, n,
			           "the JPEG ends before its frame "
			           "header (SOF): it is truncated");
		if (d[pos] != 0xFF)
			return bad(why, n,
			           "the JPEG has garbage where a "
			           "marker should be: it is corrupt");
		while (pos < len && d[pos] == 0xFF)
			pos++; /* fill bytes may pad any marker */
		if (pos >= len)
			return bad(why, n, "the JPEG is truncated");
		m = d[pos++];
		if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue; /* standalone markers carry no length */
		if (m == 0xD9 || m == 0xDA || m == 0x00)
			return bad(why, n,
			           "the JPEG has no frame header (SOF) "
			           "before its image data");
		if (len - pos < 2)
			return bad(why, n, "the JPEG is truncated");
		seglen = be16(d + pos);
		if (seglen < 2 || seglen > len - pos)
			return bad(why, n,
			           "the JPEG has a segment longer than "
			           "the file: it is truncated or "
			           "corrupt");
		/* SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 &&
		    m != 0xCC) {
			uint32_t h, w;

			if (seglen < 8)
				return bad(why, n,
				           "the JPEG frame header is "
				           "too short");
			h = be16(d + pos + 3);
			w = be16(d + pos + 5);
			if (h == 0)
				return bad(why, n,
				           "the JPEG gives its height "
				           "later (DNL marker); re-save "
				           "it as a baseline or "
				           "progressive JPEG");
			if (check_dims(w, h, why, n) != 0)
				return -1;
			info->width = w;
			info->height = h;
			info->type = IMG_JPEG;
			return 0;
		}
		pos += seglen;
	}
}

int img_probe(const unsigned char *data, size_t len, struct img_info *info,
              char *why, size_t why_len)
{
	memset(info, 0, sizeof *info);
	switch (img_sniff(data, len)) {
	case IMG_PNG: return probe_png(data, len, info, why, why_len);
	case IMG_JPEG: return probe_jpeg(data, len, info, why, why_len);
	default:
		return bad(why, why_len,
		           "the data is neither a PNG nor a JPEG "
		           "image");
	}
}
