/*
 * crc32x.c - the zip CRC-32, folded with PCLMULQDQ. See crc32x.h.
 */
#include "crc32x.h"

#include <zlib.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* The bit-reflected constants of the paper for the CRC-32 polynomial
 * 0x04C11DB7: x^(4*128+32) mod P and x^(4*128-32) mod P to fold four
 * lanes 512 bits on, the same for 128 bits, then 96 -> 64 bits, and P
 * with its Barrett constant. */
static const uint64_t k1k2[2] = {0x0154442bd4, 0x01c6e41596};
static const uint64_t k3k4[2] = {0x01751997d0, 0x00ccaa009e};
static const uint64_t k5k0[2] = {0x0163cd6124, 0x0000000000};
static const uint64_t poly[2] = {0x01db710641, 0x01f7011641};

/* The CRC register (not inverted) after len bytes at buf, len a multiple
 * of 16 and at least 64. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t
crc_fold(const unsigned char *buf, size_t len, uint32_t crc)
{
	__m128i x0, x1, x2, x3, x4, x5, x6, x7, x8;

	x1 = _mm_loadu_si128((const __m128i *)(const void *)buf);
	x2 = _mm_loadu_si128((const __m128i *)(const void *)(buf + 16));
	x3 = _mm_loadu_si128((const __m128i *)(const void *)(buf + 32));
	x4 = _mm_loadu_si128((const __m128i *)(const void *)(buf + 48));
	x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
	x0 = _mm_loadu_si128((const __m128i *)(const void *)k1k2);
	buf += 64;
	len -= 64;
	/* Four lanes, 64 bytes a step. */
	while (len >= 64) {
		x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
		x6 = _mm_clmulepi64_si128(x2, x0, 0x00);
		x7 = _mm_clmulepi64_si128(x3, x0, 0x00);
		x8 = _mm_clmulepi64_si128(x4, x0, 0x00);
		x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
		x2 = _mm_clmulepi64_si128(x2, x0, 0x11);
		x3 = _mm_clmulepi64_si128(x3, x0, 0x11);
		x4 = _mm_clmulepi64_si128(x4, x0, 0x11);
		x1 = _mm_xor_si128(
		        _mm_xor_si128(x1, x5),
		        _mm_loadu_si128((const __m128i *)(const void *)buf));
		x2 = _mm_xor_si128(
		        _mm_xor_si128(x2, x6),
		        _mm_loadu_si128(
		                (const __m128i *)(const void *)(buf + 16)));
		x3 = _mm_xor_si128(
		        _mm_xor_si128(x3, x7),
		        _mm_loadu_si128(
		                (const __m128i *)(const void *)(buf + 32)));
		x4 = _mm_xor_si128(
		        _mm_xor_si128(x4, x8),
		        _mm_loadu_si128(
		                (const __m128i *)(const void *)(buf + 48)));
		buf += 64;
		len -= 64;
	}
	/* The four lanes into one. */
	x0 = _mm_loadu_si128((const __m128i *)(const void *)k3k4);
	x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
	x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
	x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x5);
	x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
	x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
	x1 = _mm_xor_si128(_mm_xor_si128(x1, x3), x5);
	x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
	x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
	x1 = _mm_xor_si128(_mm_xor_si128(x1, x4), x5);
	/* 16 bytes a step for what is left. */
	while (len >= 16) {
		x2 = _mm_loadu_si128((const __m128i *)(const void *)buf);
		x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
		x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
		x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x5);
		buf += 16;
		len -= 16;
	}
	/* 128 bits to 64... */
	x2 = _mm_clmulepi64_si128(x1, x0, 0x10);
	x3 = _mm_setr_epi32(~0, 0, ~0, 0);
	x1 = _mm_srli_si128(x1, 8);
	x1 = _mm_xor_si128(x1, x2);
	x0 = _mm_loadl_epi64((const __m128i *)(const void *)k5k0);
	x2 = _mm_srli_si128(x1, 4);
	x1 = _mm_and_si128(x1, x3);
	x1 = _mm_clmulepi64_si128(x1, x0, 0x00);
	x1 = _mm_xor_si128(x1, x2);
	/* ...and Barrett's reduction to 32. */
	x0 = _mm_loadu_si128((const __m128i *)(const void *)poly);
	x2 = _mm_and_si128(x1, x3);
	x2 = _mm_clmulepi64_si128(x2, x0, 0x10);
	x2 = _mm_and_si128(x2, x3);
	x2 = _mm_clmulepi64_si128(x2, x0, 0x00);
	x1 = _mm_xor_si128(x1, x2);
	return (uint32_t)_mm_extract_epi32(x1, 1);
}

static int have_clmul(void)
{
	/* Every thread computes the same answer: relaxed atomics keep the
	 * race on the cache defined without a lock. */
	static int known = -1;
	int k = __atomic_load_n(&known, __ATOMIC_RELAXED);

	if (k < 0) {
		k = __builtin_cpu_supports("pclmul") &&
		    __builtin_cpu_supports("sse4.1");
		__atomic_store_n(&known, k, __ATOMIC_RELAXED);
	}
	return k;
}
#endif

uint32_t pptx_crc32(const void *p, size_t len)
{
	const unsigned char *b = p;
	uLong crc = crc32(0L, Z_NULL, 0);

#if defined(__x86_64__) && defined(__GNUC__)
	if (len >= 64 && have_clmul()) {
		size_t bulk = len & ~(size_t)15;

		/* The register is the inverted CRC (zlib's is not). */
		crc = ~crc_fold(b, bulk, ~(uint32_t)crc) & 0xFFFFFFFFu;
		b += bulk;
		len -= bulk;
	}
#endif
	while (len) {
		uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;

		crc = crc32(crc, b, n);
		b += n;
		len -= n;
	}
	return (uint32_t)crc;
}
