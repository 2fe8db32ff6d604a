/*
 * utf8.c - UTF-8 validation. See utf8.h.
 */
#include "utf8.h"

size_t sh_utf8_check(const char *s, size_t len)
{
	const unsigned char *start = (const unsigned char *)s;
	const unsigned char *p = start;
	const unsigned char *end = p + len;

	while (p < end) {
		unsigned c = *p;
		unsigned cp;
		int extra;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			extra = 1;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			extra = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			extra = 3;
			cp = c & 0x07;
		} else {
			return (size_t)(p - start);
		}
		if (end - p <= extra)
			return (size_t)(p - start);
		for (int i = 1; i <= extra; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return (size_t)(p - start);
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((extra == 2 &&
		     (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return (size_t)(p - start);
		p += extra + 1;
	}
	return len;
}

int sh_utf8_valid(const char *s, size_t len)
{
	return sh_utf8_check(s, len) == len;
}
