/*
 * fuzz_minisig.c - libFuzzer target for the .minisig, public key, secret key
 * and package comment parsers.
 *
 * Besides not crashing, every input checks these properties:
 *   - a failure always carries its status and a printable message (input
 *     bytes are never echoed raw into a message a terminal would show);
 *   - a .minisig that parses formats back to exactly the input (plus the
 *     final LF when it was missing), and reparses to the same struct, so
 *     there is one spelling of every signature;
 *   - a public key that parses re-encodes to the same key;
 *   - a package comment that parses formats and reparses to the same fields;
 *   - a parsed signature never verifies against an unrelated key.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "minisig.h"
#include "status.h"

#define SECKEY_MIN_TEXT 212 /* the base64 line alone */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(sh_status rc, const struct sh_error *e)
{
	if (rc == SH_OK)
		return;
	CHECK(e->status == rc);
	CHECK(e->msg[0] != '\0');
	for (const char *p = e->msg; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static void fuzz_signature(const char *text, size_t size)
{
	static const struct minisig_pubkey other = {{1, 2, 3, 4, 5, 6, 7, 8},
	                                            {9}};
	struct minisig_signature sig, sig2;
	struct minisig_package_info info;
	struct sh_error e;
	char out[MINISIG_TEXT_SIZE];
	uint8_t digest[MINISIG_DIGEST_BYTES] = {0};
	size_t len = 0;
	sh_status rc;

	rc = minisig_parse(text, size, &sig, &e);
	check_error(rc, &e);
	if (rc != SH_OK)
		return;
	rc = minisig_format(&sig, out, sizeof out, &len, &e);
	CHECK(rc == SH_OK);
	CHECK(len == size || (len == size + 1 && out[size] == '\n'));
	CHECK(memcmp(out, text, size) == 0);
	CHECK(minisig_parse(out, len, &sig2, &e) == SH_OK);
	CHECK(memcmp(&sig, &sig2, sizeof sig) == 0);

	rc = minisig_verify_digest(&other, &sig, digest, &e);
	CHECK(rc == SH_ERR_TRUST);
	check_error(rc, &e);

	rc = minisig_package_comment_parse(sig.trusted_comment, &info, &e);
	check_error(rc, &e);
}

static void fuzz_pubkey(const char *text, size_t size)
{
	struct minisig_pubkey pk, pk2;
	struct sh_error e;
	char b64[MINISIG_PUBKEY_B64_SIZE];
	char file[MINISIG_PUBKEY_TEXT_SIZE];
	size_t len;
	sh_status rc;

	rc = minisig_pubkey_parse(text, size, &pk, &e);
	check_error(rc, &e);
	if (rc != SH_OK)
		return;
	minisig_pubkey_to_base64(&pk, b64);
	CHECK(minisig_pubkey_parse(b64, strlen(b64), &pk2, &e) == SH_OK);
	CHECK(memcmp(&pk, &pk2, sizeof pk) == 0);
	CHECK(minisig_pubkey_format(&pk, file, sizeof file, &len, &e) == SH_OK);
	CHECK(minisig_pubkey_parse(file, len, &pk2, &e) == SH_OK);
	CHECK(memcmp(&pk, &pk2, sizeof pk) == 0);
	/* The key line of the input is the canonical one. */
	CHECK(strstr(text, b64) != NULL);
}

static void fuzz_package_comment(const char *s)
{
	struct minisig_package_info info, info2;
	struct sh_error e;
	char out[MINISIG_PKG_COMMENT_SIZE];
	sh_status rc;

	rc = minisig_package_comment_parse(s, &info, &e);
	check_error(rc, &e);
	if (rc != SH_OK)
		return;
	CHECK(strlen(info.name) > 0 && strlen(info.version) > 0);
	if (info.timestamp < 0)
		info.timestamp = 0;
	CHECK(minisig_package_comment_format(&info, out, sizeof out, &e) ==
	      SH_OK);
	CHECK(minisig_package_comment_parse(out, &info2, &e) == SH_OK);
	CHECK(strcmp(info.name, info2.name) == 0);
	CHECK(strcmp(info.version, info2.version) == 0);
	CHECK(memcmp(info.blake2b256, info2.blake2b256,
	             sizeof info.blake2b256) == 0);
	CHECK(info.timestamp == info2.timestamp);
}

static void fuzz_seckey(const char *text, size_t size)
{
	struct minisig_seckey *sk = NULL;
	struct minisig_pubkey pk;
	struct sh_error e;
	sh_status rc;

	/* No password: an encrypted key stops before scrypt, which at
	 * minisign's limits would take seconds per input. */
	rc = minisig_seckey_parse(text, size, NULL, &sk, &e);
	check_error(rc, &e);
	CHECK((rc == SH_OK) == (sk != NULL));
	if (sk) {
		minisig_seckey_public(sk, &pk);
		minisig_seckey_free(sk);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	uint8_t id[MINISIG_KEYID_BYTES];
	struct sh_error e;

	/* Past the largest signature every parser only checks the size. */
	if (size > (size_t)2 * MINISIG_TEXT_MAX)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	fuzz_signature(s, size);
	fuzz_pubkey(s, size);
	fuzz_package_comment(s);
	if (size >= SECKEY_MIN_TEXT)
		fuzz_seckey(s, size);
	check_error(minisig_keyid_from_hex(s, id, &e), &e);

	free(s);
	return 0;
}
