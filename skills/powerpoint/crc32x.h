/*
 * crc32x.h - the zip CRC-32 of a buffer, by carry-less multiplication
 * where the CPU has it.
 */
#ifndef PPTX_CRC32X_H
#define PPTX_CRC32X_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32 (ISO 3309, as zip and zlib's crc32() compute it) of
 * p[0..len). With PCLMULQDQ and SSE4.1 the bulk is folded 64 bytes a
 * step (Intel's "Fast CRC Computation Using PCLMULQDQ"), several times
 * zlib 1.2's table method: a deck's stored media are megabytes, and their
 * CRC was a fifth of create_presentation's own time. Elsewhere, and for
 * the tail, zlib. Thread-safe. */
uint32_t pptx_crc32(const void *p, size_t len);

#endif /* PPTX_CRC32X_H */
