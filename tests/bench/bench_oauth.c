/*
 * bench_oauth.c - what an OAuth access token costs a request: the time
 * mcp_oauth_check takes on a valid JWT with the JWKS cached, per
 * algorithm (RS256 with RSA-2048, ES256, EdDSA/Ed25519): with the
 * signature verified every time (no_cache), and for a token seen before
 * (the verified-token cache: what a client reusing its token costs).
 *
 *   bench_oauth [--runs N]     N validations per algorithm (default 20000)
 *
 * Keys are made fresh with OpenSSL and tokens signed here, so the program
 * needs no authorization server; every validation must pass (exit 1 if
 * one does not), so a broken verifier cannot look fast.
 */
#define BENCH_NAME "bench_oauth"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "bench_util.h"
#include "mcp_oauth.h"

#define ISSUER   "https://issuer.example"
#define RESOURCE "https://mcp.example/mcp"

static void b64u(const unsigned char *p, size_t n, char *out, size_t cap)
{
	sodium_bin2base64(out, cap, p, n,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void bn_b64u(EVP_PKEY *pk, const char *param, char *out, size_t cap)
{
	BIGNUM *bn = NULL;
	unsigned char buf[600];
	int n;

	EVP_PKEY_get_bn_param(pk, param, &bn);
	n = BN_bn2bin(bn, buf);
	BN_free(bn);
	b64u(buf, (size_t)n, out, cap);
}

/* The public half of pk as a JWK under kid, appended to out. */
static void jwk(EVP_PKEY *pk, const char *alg, const char *kid, char *out,
                size_t cap)
{
	char a[800], b[200];
	unsigned char raw[80];
	size_t n = sizeof raw;
	size_t len = strlen(out);

	if (!strcmp(alg, "RS256")) {
		bn_b64u(pk, OSSL_PKEY_PARAM_RSA_N, a, sizeof a);
		bn_b64u(pk, OSSL_PKEY_PARAM_RSA_E, b, sizeof b);
		snprintf(out + len, cap - len,
		         "%s{\"kty\":\"RSA\",\"kid\":\"%s\",\"n\":\"%s\","
		         "\"e\":\"%s\"}",
		         len > 9 ? "," : "", kid, a, b);
	} else if (!strcmp(alg, "ES256")) {
		EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY,
		                                raw, sizeof raw, &n);
		b64u(raw + 1, 32, a, sizeof a);
		b64u(raw + 33, 32, b, sizeof b);
		snprintf(out + len, cap - len,
		         "%s{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"%s\","
		         "\"x\":\"%s\",\"y\":\"%s\"}",
		         len > 9 ? "," : "", kid, a, b);
	} else {
		EVP_PKEY_get_raw_public_key(pk, raw, &n);
		b64u(raw, n, a, sizeof a);
		snprintf(
		        out + len, cap - len,
		        "%s{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"%s\","
		        "\"x\":\"%s\"}",
		        len > 9 ? "," : "", kid, a);
	}
}

/* A token for RESOURCE from ISSUER, valid for an hour, into out. */
static void sign(EVP_PKEY *pk, const char *alg, const char *kid, char *out,
                 size_t cap)
{
	char hdr[200], cl[400], h64[300], c64[600], s64[700];
	unsigned char sig[600], rs[64];
	size_t sl = sizeof sig;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ed = !strcmp(alg, "EdDSA");

	snprintf(hdr, sizeof hdr,
	         "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", alg, kid);
	snprintf(cl, sizeof cl,
	         "{\"iss\":\"" ISSUER "\",\"aud\":\"" RESOURCE "\","
	         "\"sub\":\"bench\",\"client_id\":\"c1\",\"scope\":\"mcp\","
	         "\"exp\":%lld}",
	         (long long)time(NULL) + 3600);
	b64u((const unsigned char *)hdr, strlen(hdr), h64, sizeof h64);
	b64u((const unsigned char *)cl, strlen(cl), c64, sizeof c64);
	snprintf(out, cap, "Bearer %s.%s", h64, c64);
	EVP_DigestSignInit(ctx, NULL, ed ? NULL : EVP_sha256(), NULL, pk);
	EVP_DigestSign(ctx, sig, &sl, (const unsigned char *)out + 7,
	               strlen(out + 7));
	EVP_MD_CTX_free(ctx);
	if (!strcmp(alg, "ES256")) {
		const unsigned char *p = sig;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)sl);
		BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, 32);
		BN_bn2binpad(ECDSA_SIG_get0_s(es), rs + 32, 32);
		ECDSA_SIG_free(es);
		memcpy(sig, rs, 64);
		sl = 64;
	}
	b64u(sig, sl, s64, sizeof s64);
	strncat(out, ".", cap - strlen(out) - 1);
	strncat(out, s64, cap - strlen(out) - 1);
}

/* runs validations of tok; prints the cost. 1 if one was refused. */
static int bench_oauth_run(struct mcp_oauth *a, const char *alg,
                           const char *tok, int runs)
{
	struct mcp_principal p;
	char why[200];
	double t0 = bench_now_ms(), dt;

	for (int r = 0; r < runs; r++)
		if (mcp_oauth_check(a, tok, &p, why, sizeof why) !=
		    MCP_OAUTH_OK) {
			fprintf(stderr, "bench_oauth: %s refused: %s\n", alg,
			        why);
			return 1;
		}
	dt = bench_now_ms() - t0;
	printf("    %-6s %8.2f us/validation  (%.0f per second)\n", alg,
	       dt * 1000.0 / runs, runs / (dt / 1000.0));
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const algs[] = {"RS256", "ES256", "EdDSA"};
	static const char *const kids[] = {"r", "e", "d"};
	EVP_PKEY *keys[3];
	static char jwks[8192] = "{\"keys\":[";
	static char tok[3][4096];
	int runs = 20000;
	struct mcp_oauth *a = NULL;
	struct sh_error e;
	struct mcp_oauth_opts o = {.issuer = ISSUER, .resource = RESOURCE};

	if (argc == 3 && !strcmp(argv[1], "--runs"))
		runs = atoi(argv[2]);
	if (runs < 1 || (argc != 1 && argc != 3)) {
		fprintf(stderr, "usage: bench_oauth [--runs N]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 5;
	keys[0] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	keys[1] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	keys[2] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	for (int i = 0; i < 3; i++) {
		if (!keys[i]) {
			fprintf(stderr, "bench_oauth: keygen failed\n");
			return 5;
		}
		jwk(keys[i], algs[i], kids[i], jwks, sizeof jwks);
		sign(keys[i], algs[i], kids[i], tok[i], sizeof tok[i]);
	}
	strncat(jwks, "]}", sizeof jwks - strlen(jwks) - 1);
	printf("bench_oauth: mcp_oauth_check on a valid JWT, JWKS cached, "
	       "%d runs each\n",
	       runs);
	for (int i = 0; i < 6; i++) {
		if (i % 3 == 0) {
			if (i)
				mcp_oauth_free(a);
			o.no_cache = i == 0;
			if (mcp_oauth_new_static(&o, jwks, &a, &e) != SH_OK)
				bench_die("mcp_oauth_new_static", &e);
			printf("  %s\n",
			       i == 0 ? "signature verified each time "
			                "(no_cache):"
			              : "the same token again "
			                "(verified-token cache):");
		}
		if (bench_oauth_run(a, algs[i % 3], tok[i % 3], runs) != 0)
			return 1;
	}
	mcp_oauth_free(a);
	for (int i = 0; i < 3; i++)
		EVP_PKEY_free(keys[i]);
	return 0;
}
