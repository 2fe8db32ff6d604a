/*
 * strhash.h - a 32-bit FNV-1a hash of a NUL-terminated string, for
 * spreading names over a fixed table of buckets or slots. Not for
 * anything an attacker's choice of names may degrade beyond one bucket's
 * share of the work: callers cap their chains or merely share a slot.
 *
 * Threads: a pure function, safe from any thread.
 */
#ifndef SH_STRHASH_H
#define SH_STRHASH_H

#include <stdint.h>

static inline uint32_t sh_strhash32(const char *s)
{
	uint32_t hash = 2166136261u;

	for (; *s; s++)
		hash = (hash ^ (unsigned char)*s) * 16777619u;
	return hash;
}

#endif /* SH_STRHASH_H */
