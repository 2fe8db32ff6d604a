/*
 * libcrypto_dl.h - OpenSSL's libcrypto, opened on first use (see dynlib.h
 * for why).
 *
 * libcrypto is 4.7 MB with some 18,000 relocations: mapping it cost each
 * skillhost process about 0.6 ms, more than everything else the binary
 * links together, and `skillhost call` never uses it. Three modules do:
 * BLAKE2b-512 over large files (b2fast.c, which falls back to libsodium
 * when libcrypto cannot be had), OAuth access token checks (mcp_oauth.c)
 * and JWT bearer assertions (oauthbroker.c). Each includes this header
 * after the OpenSSL headers and calls libcrypto_dl_load() where it can
 * report an error; its calls are written as usual, EVP_Digest() and so on,
 * and go through the table (the macros at the end of this header).
 *
 * Threads: libcrypto_dl_load() and libcrypto_dl() may be called from any
 * thread; the library is opened once (pthread_once) and the table never
 * changes after it is published.
 */
#ifndef SH_LIBCRYPTO_DL_H
#define SH_LIBCRYPTO_DL_H

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "status.h"

/* The ABI the OpenSSL 3 headers describe. */
#define LIBCRYPTO_DL_SONAME "libcrypto.so.3"

/* Every libcrypto function the host calls. A new call goes here and in
 * the macros below; without that it fails to link, as libcrypto is not
 * on the link line. */
#define LIBCRYPTO_DL_FUNCTIONS(X)                                              \
	X(BIO_free)                                                            \
	X(BIO_new_mem_buf)                                                     \
	X(BN_bin2bn)                                                           \
	X(BN_free)                                                             \
	X(CRYPTO_free)                                                         \
	X(ECDSA_SIG_free)                                                      \
	X(ECDSA_SIG_new)                                                       \
	X(ECDSA_SIG_set0)                                                      \
	X(EVP_Digest)                                                          \
	X(EVP_DigestFinal_ex)                                                  \
	X(EVP_DigestInit_ex2)                                                  \
	X(EVP_DigestSign)                                                      \
	X(EVP_DigestSignInit)                                                  \
	X(EVP_DigestUpdate)                                                    \
	X(EVP_DigestVerify)                                                    \
	X(EVP_DigestVerifyInit)                                                \
	X(EVP_MD_CTX_free)                                                     \
	X(EVP_MD_CTX_new)                                                      \
	X(EVP_MD_fetch)                                                        \
	X(EVP_PKEY_CTX_free)                                                   \
	X(EVP_PKEY_CTX_new_from_name)                                          \
	X(EVP_PKEY_free)                                                       \
	X(EVP_PKEY_fromdata)                                                   \
	X(EVP_PKEY_fromdata_init)                                              \
	X(EVP_PKEY_get_base_id)                                                \
	X(EVP_PKEY_get_bits)                                                   \
	X(EVP_PKEY_new_raw_public_key)                                         \
	X(EVP_PKEY_up_ref)                                                     \
	X(EVP_sha256)                                                          \
	X(OSSL_PARAM_BLD_free)                                                 \
	X(OSSL_PARAM_BLD_new)                                                  \
	X(OSSL_PARAM_BLD_push_BN)                                              \
	X(OSSL_PARAM_BLD_push_octet_string)                                    \
	X(OSSL_PARAM_BLD_push_utf8_string)                                     \
	X(OSSL_PARAM_BLD_to_param)                                             \
	X(OSSL_PARAM_free)                                                     \
	X(PEM_read_bio_PrivateKey)                                             \
	X(i2d_ECDSA_SIG)

/* One pointer per function, typed from OpenSSL's own declaration. */
struct libcrypto_dl {
#define LIBCRYPTO_DL_MEMBER(f) __typeof__(f) *(f);
	LIBCRYPTO_DL_FUNCTIONS(LIBCRYPTO_DL_MEMBER)
#undef LIBCRYPTO_DL_MEMBER
};

/*
 * [any thread] Open libcrypto, once per process. SH_OK when every
 * function resolved; otherwise SH_ERR_FAIL with a message that names the
 * library and the Debian package to install (every later call returns the
 * same). Call it before the first libcrypto call of an operation.
 */
sh_status libcrypto_dl_load(struct sh_error *e);

/*
 * [any thread] Resolve the table from soname into *out without touching
 * the process-wide one (tests use it to see the refusals). The same
 * results and messages as libcrypto_dl_load(). The library stays open.
 */
sh_status libcrypto_dl_open(const char *soname, struct libcrypto_dl *out,
                            struct sh_error *e);

/* Set once, by the load, when it succeeded. */
extern const struct libcrypto_dl *libcrypto_dl_table;

/* The slow path of libcrypto_dl(): loads, or aborts naming the library. */
const struct libcrypto_dl *libcrypto_dl_need(void);

/*
 * [any thread] The table. A call before libcrypto_dl_load() succeeded
 * loads libcrypto then, and aborts the process with the load's message if
 * it cannot: call libcrypto_dl_load() first.
 */
static inline const struct libcrypto_dl *libcrypto_dl(void)
{
	const struct libcrypto_dl *t =
	        __atomic_load_n(&libcrypto_dl_table, __ATOMIC_ACQUIRE);

	return t ? t : libcrypto_dl_need();
}

/* The calls, through the table. Not in libcrypto_dl.c, which names the
 * members. A macro's own name is not expanded again in its expansion;
 * OPENSSL_free() and the like expand to these. */
#ifndef LIBCRYPTO_DL_IMPL
#define BIO_free                   (libcrypto_dl()->BIO_free)
#define BIO_new_mem_buf            (libcrypto_dl()->BIO_new_mem_buf)
#define BN_bin2bn                  (libcrypto_dl()->BN_bin2bn)
#define BN_free                    (libcrypto_dl()->BN_free)
#define CRYPTO_free                (libcrypto_dl()->CRYPTO_free)
#define ECDSA_SIG_free             (libcrypto_dl()->ECDSA_SIG_free)
#define ECDSA_SIG_new              (libcrypto_dl()->ECDSA_SIG_new)
#define ECDSA_SIG_set0             (libcrypto_dl()->ECDSA_SIG_set0)
#define EVP_Digest                 (libcrypto_dl()->EVP_Digest)
#define EVP_DigestFinal_ex         (libcrypto_dl()->EVP_DigestFinal_ex)
#define EVP_DigestInit_ex2         (libcrypto_dl()->EVP_DigestInit_ex2)
#define EVP_DigestSign             (libcrypto_dl()->EVP_DigestSign)
#define EVP_DigestSignInit         (libcrypto_dl()->EVP_DigestSignInit)
#define EVP_DigestUpdate           (libcrypto_dl()->EVP_DigestUpdate)
#define EVP_DigestVerify           (libcrypto_dl()->EVP_DigestVerify)
#define EVP_DigestVerifyInit       (libcrypto_dl()->EVP_DigestVerifyInit)
#define EVP_MD_CTX_free            (libcrypto_dl()->EVP_MD_CTX_free)
#define EVP_MD_CTX_new             (libcrypto_dl()->EVP_MD_CTX_new)
#define EVP_MD_fetch               (libcrypto_dl()->EVP_MD_fetch)
#define EVP_PKEY_CTX_free          (libcrypto_dl()->EVP_PKEY_CTX_free)
#define EVP_PKEY_CTX_new_from_name (libcrypto_dl()->EVP_PKEY_CTX_new_from_name)
#define EVP_PKEY_free              (libcrypto_dl()->EVP_PKEY_free)
#define EVP_PKEY_fromdata          (libcrypto_dl()->EVP_PKEY_fromdata)
#define EVP_PKEY_fromdata_init     (libcrypto_dl()->EVP_PKEY_fromdata_init)
#define EVP_PKEY_get_base_id       (libcrypto_dl()->EVP_PKEY_get_base_id)
#define EVP_PKEY_get_bits          (libcrypto_dl()->EVP_PKEY_get_bits)
#define EVP_PKEY_new_raw_public_key                                            \
	(libcrypto_dl()->EVP_PKEY_new_raw_public_key)
#define EVP_PKEY_up_ref        (libcrypto_dl()->EVP_PKEY_up_ref)
#define EVP_sha256             (libcrypto_dl()->EVP_sha256)
#define OSSL_PARAM_BLD_free    (libcrypto_dl()->OSSL_PARAM_BLD_free)
#define OSSL_PARAM_BLD_new     (libcrypto_dl()->OSSL_PARAM_BLD_new)
#define OSSL_PARAM_BLD_push_BN (libcrypto_dl()->OSSL_PARAM_BLD_push_BN)
#define OSSL_PARAM_BLD_push_octet_string                                       \
	(libcrypto_dl()->OSSL_PARAM_BLD_push_octet_string)
#define OSSL_PARAM_BLD_push_utf8_string                                        \
	(libcrypto_dl()->OSSL_PARAM_BLD_push_utf8_string)
#define OSSL_PARAM_BLD_to_param (libcrypto_dl()->OSSL_PARAM_BLD_to_param)
#define OSSL_PARAM_free         (libcrypto_dl()->OSSL_PARAM_free)
#define PEM_read_bio_PrivateKey (libcrypto_dl()->PEM_read_bio_PrivateKey)
#define i2d_ECDSA_SIG           (libcrypto_dl()->i2d_ECDSA_SIG)
#endif

#endif /* SH_LIBCRYPTO_DL_H */
