/*
 * b2fast.c - BLAKE2b-512 with the faster of libsodium's and libcrypto's
 * implementations (see b2fast.h).
 */
#include "b2fast.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "hostlog.h"
#include "libcrypto_dl.h" /* EVP calls go through its table */
#include "phasetime.h"

/* The calibration sample: big enough that timer resolution and call
 * overhead vanish, small enough to stay in L2 and cost about a ms. */
#define CALIB_BYTES  (128u << 10)
#define CALIB_ROUNDS 3

static pthread_once_t choose_once = PTHREAD_ONCE_INIT;
static enum b2fast_impl chosen = B2FAST_SODIUM;
static EVP_MD *evp_md; /* kept for the life of the process */
/* Why libcrypto does not hash here, once choose() ran ("" when it can). */
static char fallback[SH_ERROR_MSG_MAX + 256];

/* Thread CPU time: a preemption during a sample (the machine may be busy)
 * does not count against the implementation being timed. */
static int64_t cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t time_sodium(const unsigned char *buf)
{
	uint8_t out[B2FAST_DIGEST_BYTES];
	int64_t t0 = cpu_ns();

	crypto_generichash(out, sizeof out, buf, CALIB_BYTES, NULL, 0);
	return cpu_ns() - t0;
}

/* -1 when libcrypto fails: it is then never chosen. */
static int64_t time_libcrypto(const unsigned char *buf)
{
	uint8_t out[B2FAST_DIGEST_BYTES];
	unsigned int n = 0;
	int64_t t0 = cpu_ns();

	if (EVP_Digest(buf, CALIB_BYTES, out, &n, evp_md, NULL) != 1 ||
	    n != B2FAST_DIGEST_BYTES)
		return -1;
	return cpu_ns() - t0;
}

/* Record why libcrypto is not used (why: the whole story, for doctor and
 * the info log; brief: the same in a trace line's room), and say so where
 * an operator looks: the info log and the SKILLHOST_TRACE=timings trace. */
static void fall_back(const char *why, const char *brief)
{
	(void)snprintf(fallback, sizeof fallback,
	               "%.*s; until then, BLAKE2b-512 hashing falls back to "
	               "libsodium, which is slower on CPUs where libcrypto's "
	               "is the faster",
	               SH_ERROR_MSG_MAX, why);
	hostlog(SKILL_LOG_INFO, "%s", fallback);
	if (phasetime_on) {
		char mark[256];
		(void)snprintf(mark, sizeof mark,
		               "hash: %.160s; BLAKE2b-512 by libsodium "
		               "(slower) instead",
		               brief);
		phasetime_mark(mark);
	}
}

static void choose(void)
{
	const char *force = getenv("SKILLHOST_BLAKE2B");
	int64_t best_s = INT64_MAX, best_c = INT64_MAX;
	struct sh_error e;
	unsigned char *buf;

	if (force && strcmp(force, "sodium") == 0) {
		/* Asked for, not a fallback: nothing to report. */
		(void)snprintf(fallback, sizeof fallback, "%s",
		               "SKILLHOST_BLAKE2B=sodium rules libcrypto out");
		return;
	}
	/* libcrypto is opened only now (libcrypto_dl.h); without it,
	 * libsodium does it all. */
	if (libcrypto_dl_load(&e) != SH_OK) {
		/* The loader's message names libcrypto, its soname, why it
		 * failed and the Debian package (libssl3). */
		fall_back(e.msg, "libcrypto (" LIBCRYPTO_DL_SONAME
		                 ", Debian package libssl3) could not be "
		                 "loaded");
		return;
	}
	evp_md = EVP_MD_fetch(NULL, "BLAKE2B-512", NULL);
	if (!evp_md) {
		fall_back("libcrypto has no BLAKE2B-512 here (a FIPS-only "
		          "configuration?)",
		          "libcrypto has no BLAKE2B-512 here");
		return;
	}
	if (force && strcmp(force, "libcrypto") == 0) {
		chosen = B2FAST_LIBCRYPTO;
		return;
	}
	buf = calloc(1, CALIB_BYTES);
	if (!buf)
		return;
	for (int i = 0; i < CALIB_ROUNDS; i++) {
		int64_t s = time_sodium(buf), c = time_libcrypto(buf);

		if (c < 0) {
			free(buf);
			fall_back("libcrypto failed to compute BLAKE2B-512",
			          "libcrypto failed to compute BLAKE2B-512");
			return;
		}
		best_s = s < best_s ? s : best_s;
		best_c = c < best_c ? c : best_c;
	}
	free(buf);
	if (best_c < best_s)
		chosen = B2FAST_LIBCRYPTO;
	PHASE_MARK(
	        chosen == B2FAST_LIBCRYPTO
	                ? "hash: BLAKE2b-512 by libcrypto (measured faster)"
	                : "hash: BLAKE2b-512 by libsodium (measured faster)");
}

enum b2fast_impl b2fast_chosen(void)
{
	if (sodium_init() < 0)
		return B2FAST_SODIUM;
	(void)pthread_once(&choose_once, choose);
	return chosen;
}

const char *b2fast_fallback(void)
{
	if (sodium_init() < 0)
		return "libsodium failed to start";
	(void)pthread_once(&choose_once, choose);
	return fallback[0] ? fallback : NULL;
}

const char *b2fast_impl_name(enum b2fast_impl impl)
{
	return impl == B2FAST_LIBCRYPTO ? "libcrypto" : "libsodium";
}

static sh_status start(struct b2fast *h, enum b2fast_impl impl,
                       struct sh_error *e)
{
	h->evp = NULL;
	h->failed = 0;
	h->impl = B2FAST_SODIUM;
	if (impl == B2FAST_LIBCRYPTO && evp_md) {
		EVP_MD_CTX *c = EVP_MD_CTX_new();

		if (!c)
			return sh_error_set(e, SH_ERR_NOMEM,
			                    "out of memory for a hash");
		if (EVP_DigestInit_ex2(c, evp_md, NULL) == 1) {
			h->evp = c;
			h->impl = B2FAST_LIBCRYPTO;
			return SH_OK;
		}
		/* Nothing hashed yet: libsodium can still do it all. */
		EVP_MD_CTX_free(c);
	}
	crypto_generichash_init(&h->st, NULL, 0, B2FAST_DIGEST_BYTES);
	return SH_OK;
}

sh_status b2fast_init(struct b2fast *h, uint64_t expected_bytes,
                      struct sh_error *e)
{
	/* sodium_init also selects libsodium's BLAKE2b for this CPU, which
	 * the measurement must see. */
	if (sodium_init() < 0)
		return sh_error_set(e, SH_ERR_FAIL,
		                    "libsodium failed to start");
	return start(h,
	             expected_bytes >= B2FAST_MIN_BYTES ? b2fast_chosen()
	                                                : B2FAST_SODIUM,
	             e);
}

sh_status b2fast_init_with(struct b2fast *h, enum b2fast_impl impl,
                           struct sh_error *e)
{
	if (sodium_init() < 0)
		return sh_error_set(e, SH_ERR_FAIL,
		                    "libsodium failed to start");
	(void)pthread_once(&choose_once, choose);
	if (impl == B2FAST_LIBCRYPTO && !evp_md)
		return sh_error_set(e, SH_ERR_NOTFOUND, "%s", fallback);
	return start(h, impl, e);
}

void b2fast_update(struct b2fast *h, const void *data, size_t len)
{
	if (h->impl == B2FAST_SODIUM)
		crypto_generichash_update(&h->st, data, len);
	else if (EVP_DigestUpdate(h->evp, data, len) != 1)
		h->failed = 1;
}

sh_status b2fast_final(struct b2fast *h, uint8_t digest[B2FAST_DIGEST_BYTES],
                       struct sh_error *e)
{
	unsigned int n = 0;

	if (h->impl == B2FAST_SODIUM) {
		crypto_generichash_final(&h->st, digest, B2FAST_DIGEST_BYTES);
		sodium_memzero(&h->st, sizeof h->st);
		return SH_OK;
	}
	if (!h->failed && (EVP_DigestFinal_ex(h->evp, digest, &n) != 1 ||
	                   n != B2FAST_DIGEST_BYTES))
		h->failed = 1;
	EVP_MD_CTX_free(h->evp);
	h->evp = NULL;
	if (!h->failed)
		return SH_OK;
	memset(digest, 0, B2FAST_DIGEST_BYTES);
	return sh_error_set(e, SH_ERR_FAIL,
	                    "libcrypto failed to compute BLAKE2b-512; set "
	                    "SKILLHOST_BLAKE2B=sodium to use libsodium");
}

void b2fast_abort(struct b2fast *h)
{
	if (h->impl == B2FAST_LIBCRYPTO)
		EVP_MD_CTX_free(h->evp);
	else
		sodium_memzero(&h->st, sizeof h->st);
	h->evp = NULL;
}
