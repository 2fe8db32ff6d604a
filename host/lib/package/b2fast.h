/*
 * b2fast.h - BLAKE2b-512 over large inputs with the faster of two
 * implementations on this machine.
 *
 * A signature check is one BLAKE2b-512 pass over the file, so its speed is
 * that of the hash. libsodium picks a SIMD BLAKE2b at run time, but SIMD is
 * not always the faster one: on the AMD EPYC (Zen 4) this was measured on,
 * libsodium's AVX2 code hashes at about 0.65 GB/s and libcrypto's portable
 * 64-bit C at about 1.1 GB/s; on other CPUs the order can be the other way
 * round. Both compute the same function (unkeyed BLAKE2b, 64-byte digest),
 * so which one runs changes only the speed, never the digest.
 *
 * The choice is made once per process, the first time an input of at least
 * B2FAST_MIN_BYTES is hashed: each implementation hashes the same 128 KiB
 * three times, alternately, and the faster minimum wins (about a
 * millisecond). Smaller inputs always use libsodium, which needs no
 * allocation. SKILLHOST_BLAKE2B=sodium or =libcrypto skips the measurement
 * and forces one (for benchmarks and tests; any other value is ignored).
 * If libcrypto cannot be loaded (libssl3 not installed) or cannot provide
 * BLAKE2B-512 (a FIPS-only configuration, say), libsodium is used, and
 * b2fast_fallback() says why (doctor shows it; it is also logged at info
 * level and marked in the SKILLHOST_TRACE=timings trace, once).
 *
 * Thread-safe: the choice is made under pthread_once; a hasher belongs to
 * one thread at a time.
 */
#ifndef SH_B2FAST_H
#define SH_B2FAST_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "status.h"

#define B2FAST_DIGEST_BYTES 64
/* Below this, a calibration (about 1 ms) would cost more than it can save. */
#define B2FAST_MIN_BYTES ((uint64_t)4 << 20)

enum b2fast_impl { B2FAST_SODIUM, B2FAST_LIBCRYPTO };

/* A hash in progress. Keep it on the stack or in static storage (the
 * libsodium state inside wants 64-byte alignment, as minisig_hasher). */
struct b2fast {
	crypto_generichash_state st;
	void *evp; /* EVP_MD_CTX *, when impl is B2FAST_LIBCRYPTO */
	enum b2fast_impl impl;
	int failed; /* a libcrypto call failed: final reports it */
};

/*
 * Start a BLAKE2b-512 hash of about expected_bytes (a hint: below
 * B2FAST_MIN_BYTES libsodium is used without measuring). SH_ERR_FAIL if
 * libsodium cannot start, SH_ERR_NOMEM if a libcrypto context cannot be
 * had. On success, b2fast_final or b2fast_abort must follow.
 */
sh_status b2fast_init(struct b2fast *h, uint64_t expected_bytes,
                      struct sh_error *e);

/*
 * Start a hash with the given implementation, whatever the measurement
 * says (tests compare the two; benchmarks time each). SH_ERR_NOTFOUND
 * when libcrypto cannot hash here, with b2fast_fallback()'s reason;
 * otherwise as b2fast_init.
 */
sh_status b2fast_init_with(struct b2fast *h, enum b2fast_impl impl,
                           struct sh_error *e);

/* Feed len bytes. Cannot fail (a libcrypto failure is kept for final). */
void b2fast_update(struct b2fast *h, const void *data, size_t len);

/*
 * Write the digest and release the hasher. SH_ERR_FAIL if libcrypto failed
 * on the way (digest is then zero-filled, which matches no signature); the
 * hasher is released either way.
 */
sh_status b2fast_final(struct b2fast *h, uint8_t digest[B2FAST_DIGEST_BYTES],
                       struct sh_error *e);

/* Release a hasher without a result (after a read error). */
void b2fast_abort(struct b2fast *h);

/* The implementation inputs of B2FAST_MIN_BYTES and more get in this
 * process (measuring now if not yet done): for benchmark reports. */
enum b2fast_impl b2fast_chosen(void);

/*
 * NULL when libcrypto can hash BLAKE2b-512 in this process (whether or not
 * the measurement chose it); otherwise why not, for people: libcrypto could
 * not be loaded (naming the library, the Debian package and the loader's
 * error) or has no BLAKE2B-512, and that hashing falls back to libsodium.
 * Runs the choice if it has not run yet. The string lives as long as the
 * process.
 */
const char *b2fast_fallback(void);

/* "libsodium" or "libcrypto". */
const char *b2fast_impl_name(enum b2fast_impl impl);

#endif
