/*
 * test_registry_index.c - the registry's signed metadata (regindex.c):
 * index and root parsing with every refusal naming what is wrong, the
 * trusted comments, verifying a comment before the file and the file after,
 * times, version constraints (exact, caret, latest) and search scoring.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "minisig.h"
#include "regindex.h"

static struct minisig_seckey *key_a, *key_b;
static struct minisig_pubkey pub_a, pub_b;
static char b64_a[MINISIG_PUBKEY_B64_SIZE], b64_b[MINISIG_PUBKEY_B64_SIZE];
static char id_a[MINISIG_KEYID_HEX_SIZE], id_b[MINISIG_KEYID_HEX_SIZE];

#define HASH "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"

static int setup(void **state)
{
	struct sh_error e;

	(void)state;
	if (minisig_keygen(&key_a, &pub_a, &e) ||
	    minisig_keygen(&key_b, &pub_b, &e))
		return -1;
	minisig_pubkey_to_base64(&pub_a, b64_a);
	minisig_pubkey_to_base64(&pub_b, b64_b);
	minisig_keyid_to_hex(pub_a.key_id, id_a);
	minisig_keyid_to_hex(pub_b.key_id, id_b);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	minisig_seckey_free(key_a);
	minisig_seckey_free(key_b);
	return 0;
}

/* One package entry; fields overridable by printf-style arguments. */
static void pkg(char *out, size_t cap, const char *name, const char *version,
                const char *extra)
{
	snprintf(out, cap,
	         "{\"name\":\"%s\",\"version\":\"%s\",\"description\":\"A "
	         "%s skill.\",\"license\":\"MIT\",\"tools\":[{\"name\":"
	         "\"greet\",\"description\":\"Say hello.\"}],"
	         "\"permissions\":{\"network\":[\"api.example.com\"],"
	         "\"secrets\":[],\"filesystem\":[\"artifacts\"]},"
	         "\"publisher\":\"%s\",\"url\":\"packages/x.skill\","
	         "\"signature\":\"packages/x.skill.minisig\",\"length\":100,"
	         "\"blake2b256\":\"" HASH "\",\"published\":"
	         "\"2025-01-31T12:00:00Z\"%s}",
	         name, version, name, id_a, extra ? extra : "");
}

/* A whole index around the package entries pkgs (a JSON array body). */
static char *index_text(const char *top_extra, const char *pkgs)
{
	size_t cap = strlen(pkgs) + 4096;
	char *t = malloc(cap);

	snprintf(
	        t, cap,
	        "{\"type\":\"skillhost-index\",\"format\":1,\"version\":7,"
	        "\"generated\":\"2025-01-31T12:00:00Z\",\"expires\":"
	        "\"2030-01-31T12:00:00Z\",\"namespaces\":{\"acme\":[{\"id\":"
	        "\"%s\",\"key\":\"%s\"}],\"beta\":[{\"id\":\"%s\",\"key\":"
	        "\"%s\"},{\"id\":\"%s\",\"key\":\"%s\"}]}%s,\"packages\":[%s]}",
	        id_a, b64_a, id_a, b64_a, id_b, b64_b,
	        top_extra ? top_extra : "", pkgs);
	return t;
}

static struct regindex *parse_ok(const char *text)
{
	struct regindex *ix = NULL;
	struct sh_error e = {0};

	if (regindex_parse(text, strlen(text), "t", &ix, &e) != SH_OK)
		fail_msg("parse failed: %s", e.msg);
	return ix;
}

static void expect_refused(const char *text, sh_status st, const char *needle)
{
	struct regindex *ix = NULL;
	struct sh_error e = {0};
	sh_status rc = regindex_parse(text, strlen(text), "t", &ix, &e);

	if (rc == SH_OK) {
		regindex_free(ix);
		fail_msg("accepted, but wanted a refusal with \"%s\": %.300s",
		         needle, text);
	}
	assert_null(ix);
	assert_int_equal(rc, st);
	if (!strstr(e.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, needle);
}

/* ---- times -------------------------------------------------------------- */

static void test_times(void **state)
{
	static const char *const bad[] = {"2025-02-29T00:00:00Z",
	                                  "2025-13-01T00:00:00Z",
	                                  "2025-01-01T24:00:00Z",
	                                  "2025-01-01T00:60:00Z",
	                                  "2025-01-01T00:00:60Z",
	                                  "2025-01-01 00:00:00Z",
	                                  "2025-01-01T00:00:00z",
	                                  "2025-01-01T00:00:00+00:00",
	                                  "2025-01-01T00:00:00.5Z",
	                                  "1969-12-31T23:59:59Z",
	                                  "",
	                                  "x"};
	char buf[REGINDEX_TIME_SIZE];
	int64_t t;

	(void)state;
	assert_true(regindex_time_parse("1970-01-01T00:00:00Z", &t));
	assert_int_equal(t, 0);
	assert_true(regindex_time_parse("2024-02-29T12:34:56Z", &t));
	assert_int_equal(t, 1709210096);
	regindex_time_format(t, buf);
	assert_string_equal(buf, "2024-02-29T12:34:56Z");
	assert_true(regindex_time_parse("9999-12-31T23:59:59Z", &t));
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (regindex_time_parse(bad[i], &t))
			fail_msg("accepted bad time %s", bad[i]);
}

/* ---- the index ---------------------------------------------------------- */

static void test_index_valid(void **state)
{
	char p1[2048], p2[2048], p3[2048], p4[2048], all[9000];
	struct regindex *ix;
	size_t first;
	char *t;

	(void)state;
	pkg(p1, sizeof p1, "beta/zeta", "1.10.0", NULL);
	pkg(p2, sizeof p2, "acme/weather", "1.2.0", ",\"x-note\":\"ok\"");
	pkg(p3, sizeof p3, "beta/zeta", "1.9.0", NULL);
	pkg(p4, sizeof p4, "acme/weather", "1.2.0-rc.1", NULL);
	snprintf(all, sizeof all, "%s,%s,%s,%s", p1, p2, p3, p4);
	t = index_text(",\"x-operator\":\"us\"", all);
	ix = parse_ok(t);
	assert_int_equal(ix->version, 7);
	assert_int_equal(ix->npkgs, 4);
	assert_int_equal(ix->nnamespaces, 2);
	/* Sorted by name, then by semver precedence, not by text. */
	assert_string_equal(ix->pkgs[0].version, "1.2.0-rc.1");
	assert_string_equal(ix->pkgs[1].version, "1.2.0");
	assert_string_equal(ix->pkgs[2].version, "1.9.0");
	assert_string_equal(ix->pkgs[3].version, "1.10.0");
	assert_int_equal(regindex_find(ix, "beta/zeta", &first), 2);
	assert_int_equal(first, 2);
	assert_int_equal(regindex_find(ix, "acme/nothing", &first), 0);
	assert_int_equal(ix->pkgs[1].length, 100);
	assert_int_equal(ix->pkgs[1].ntools, 1);
	assert_string_equal(ix->pkgs[1].network.items[0], "api.example.com");
	assert_string_equal(ix->pkgs[1].license, "MIT");
	assert_true(regindex_ns_allows(ix, "beta", pub_b.key_id));
	assert_false(regindex_ns_allows(ix, "acme", pub_b.key_id));
	assert_false(regindex_ns_allows(ix, "nope", pub_a.key_id));
	regindex_free(ix);
	free(t);
}

static void test_index_refusals(void **state)
{
	static const struct {
		const char *from, *to; /* a substitution in a good index */
		sh_status st;
		const char *needle;
	} cases[] = {
	        {"\"skillhost-index\"", "\"skillhost-root\"", SH_ERR_INVALID,
	         "\"type\" must be"},
	        {"\"format\":1", "\"format\":2", SH_ERR_INVALID,
	         "upgrade skillhost"},
	        {"\"version\":7", "\"version\":0", SH_ERR_INVALID,
	         "\"version\""},
	        {"\"version\":7", "\"version\":7.5", SH_ERR_INVALID,
	         "\"version\""},
	        {"\"version\":7", "\"version\":\"7\"", SH_ERR_INVALID,
	         "\"version\""},
	        {"\"expires\":\"2030-01-31T12:00:00Z\"",
	         "\"expires\":1893456000", SH_ERR_INVALID, "\"expires\""},
	        {"\"format\":1,", "\"format\":1,\"mirrors\":[],",
	         SH_ERR_INVALID, "\"mirrors\" is not a known key"},
	        {"\"namespaces\":{", "\"namespaces\":{\"Bad NS\":[],",
	         SH_ERR_INVALID, "is not a namespace"},
	        {"\"acme\":[{", "\"acme\":[],\"x\":[{", SH_ERR_INVALID,
	         "must list 1 to 16"},
	        {"\"acme\":[{\"id\":\"", "\"acme\":[{\"id\":\"0",
	         SH_ERR_INVALID, "must be the key's id"},
	        {"\"name\":\"acme/weather\"", "\"name\":\"acme/Weather\"",
	         SH_ERR_INVALID, "is not a skill name"},
	        {"\"name\":\"acme/weather\"", "\"name\":\"gamma/weather\"",
	         SH_ERR_INVALID, "does not list for namespace \"gamma\""},
	        {"\"version\":\"1.2.0\"", "\"version\":\"1.2\"", SH_ERR_INVALID,
	         "is not a semantic version"},
	        {"\"length\":100", "\"length\":0", SH_ERR_INVALID,
	         "packages[0].length"},
	        {"\"length\":100", "\"length\":-5", SH_ERR_INVALID,
	         "packages[0].length"},
	        {"\"blake2b256\":\"0e", "\"blake2b256\":\"0E", SH_ERR_INVALID,
	         "packages[0].blake2b256"},
	        {"\"url\":\"packages/x.skill\"", "\"url\":\"../x.skill\"",
	         SH_ERR_INVALID, ".url and .signature"},
	        {"\"url\":\"packages/x.skill\"", "\"url\":\"javascript:x\"",
	         SH_ERR_INVALID, ".url and .signature"},
	        {"\"url\":\"packages/x.skill\"", "\"url\":\"http://a b/x\"",
	         SH_ERR_INVALID, ".url and .signature"},
	        {"\"signature\":\"packages/x.skill.minisig\"",
	         "\"signature\":\"/etc/passwd\"", SH_ERR_INVALID,
	         ".url and .signature"},
	        {"\"tools\":[{\"name\":\"greet\"",
	         "\"tools\":[{\"name\":\"gr eet\"", SH_ERR_INVALID,
	         "tools[0].name"},
	        {"\"tools\":[", "\"tools\":7,\"x-t\":[", SH_ERR_INVALID,
	         ".tools must be an array"},
	        {"\"api.example.com\"", "\"http://api.example.com/\"",
	         SH_ERR_INVALID, "permissions.network[0]"},
	        {"\"artifacts\"", "\"everything\"", SH_ERR_INVALID,
	         "permissions.filesystem[0]"},
	        {"\"secrets\":[]", "\"secrets\":[], \"disk\":[]",
	         SH_ERR_INVALID, "\"disk\" is not a known key"},
	        {"\"published\":\"2025-01-31T12:00:00Z\"", "\"published\":null",
	         SH_ERR_INVALID, ".published"},
	        {"\"license\":\"MIT\"", "\"license\":7", SH_ERR_INVALID,
	         ".license"},
	        {"\"packages\":[", "\"packages\":7,\"x-p\":[", SH_ERR_INVALID,
	         "\"packages\" must be an array"},
	};
	char p[2048], buf[16384];
	char *good;

	(void)state;
	pkg(p, sizeof p, "acme/weather", "1.2.0", NULL);
	good = index_text(NULL, p);
	regindex_free(parse_ok(good));
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *at = strstr(good, cases[i].from);
		if (!at)
			fail_msg("case %zu: '%s' not in the good index", i,
			         cases[i].from);
		snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - good), good,
		         cases[i].to, at + strlen(cases[i].from));
		expect_refused(buf, cases[i].st, cases[i].needle);
	}
	free(good);
	expect_refused("", SH_ERR_INVALID, "not a JSON object");
	expect_refused("[1,2]", SH_ERR_INVALID, "not a JSON object");
	expect_refused("{\"type\":\"skillhost-index\"", SH_ERR_INVALID,
	               "not a JSON object");
	{
		/* The same name and version twice. */
		char all[5000];
		snprintf(all, sizeof all, "%s,%s", p, p);
		good = index_text(NULL, all);
		expect_refused(good, SH_ERR_INVALID, "is listed twice");
		free(good);
	}
	{
		/* Over the byte cap: refused before parsing. */
		size_t n = REGINDEX_MAX_BYTES + 1;
		char *big = malloc(n + 1);
		struct regindex *ix = NULL;
		struct sh_error e;
		memset(big, ' ', n);
		big[n] = '\0';
		assert_int_equal(regindex_parse(big, n, "big", &ix, &e),
		                 SH_ERR_NOMEM);
		assert_non_null(strstr(e.msg, "cap"));
		free(big);
	}
}

/* ---- the root ----------------------------------------------------------- */

/* A root of version 3 with this root_key and index_keys (the array's
 * inside) is refused as invalid, the message naming what. */
static void bad_root(const char *root_key, const char *index_keys,
                     const char *what)
{
	struct regroot *r = NULL;
	struct sh_error e;
	char t[2048];

	snprintf(t, sizeof t,
	         "{\"type\":\"skillhost-root\",\"format\":1,\"version\":3,"
	         "\"created\":\"2025-01-31T12:00:00Z\",\"root_key\":\"%s\","
	         "\"index_keys\":[%s]}",
	         root_key, index_keys);
	assert_int_equal(regroot_parse(t, strlen(t), "r", &r, &e),
	                 SH_ERR_INVALID);
	assert_null(r);
	assert_non_null(strstr(e.msg, what));
}

static void test_root(void **state)
{
	char t[2048];
	struct regroot *r = NULL;
	struct sh_error e;

	(void)state;
	snprintf(t, sizeof t,
	         "{\"type\":\"skillhost-root\",\"format\":1,\"version\":3,"
	         "\"created\":\"2025-01-31T12:00:00Z\",\"root_key\":\"%s\","
	         "\"index_keys\":[\"%s\",\"%s\"]}",
	         b64_a, b64_b, b64_a);
	assert_int_equal(regroot_parse(t, strlen(t), "r", &r, &e), SH_OK);
	assert_int_equal(r->version, 3);
	assert_int_equal(r->nindex_keys, 2);
	assert_non_null(regroot_index_key(r, pub_b.key_id));
	assert_memory_equal(&r->root_key, &pub_a, sizeof pub_a);
	regroot_free(r);
	bad_root(b64_a, "", "index_keys");
	snprintf(t, sizeof t, "\"%s\"", b64_a);
	bad_root("RWQx", t, "root_key");
	assert_int_equal(regroot_parse("{\"type\":\"skillhost-index\"}", 27,
	                               "r", &r, &e),
	                 SH_ERR_INVALID);
}

/* ---- trusted comments and verification ---------------------------------- */

static void test_comments(void **state)
{
	struct regmeta_info in = {.kind = REGMETA_INDEX,
	                          .version = 42,
	                          .expires = 1893456000,
	                          .length = 1234,
	                          .timestamp = 1700000000};
	struct regmeta_info out;
	char c[REGINDEX_COMMENT_SIZE];
	struct sh_error e;

	(void)state;
	memset(in.blake2b256, 0xab, sizeof in.blake2b256);
	assert_int_equal(regmeta_comment_format(&in, c, sizeof c, &e), SH_OK);
	assert_non_null(strstr(c, "skillhost-index:1 version:42 expires:"
	                          "2030-01-01T00:00:00Z length:1234 "));
	assert_int_equal(regmeta_comment_parse(c, REGMETA_INDEX, &out, &e),
	                 SH_OK);
	assert_int_equal(out.version, 42);
	assert_int_equal(out.expires, 1893456000);
	assert_int_equal(out.length, 1234);
	assert_memory_equal(out.blake2b256, in.blake2b256, 32);
	/* Any order, more blanks, unknown fields ignored. */
	assert_int_equal(
	        regmeta_comment_parse("length:5\tfuture:x  blake2b256:" HASH
	                              " version:3 skillhost-index:1 "
	                              "expires:2030-01-01T00:00:00Z",
	                              REGMETA_INDEX, &out, &e),
	        SH_OK);
	assert_int_equal(out.timestamp, -1);
	{
		static const struct {
			const char *c;
			enum regmeta_kind k;
			const char *needle;
		} bad[] = {
		        {"skillhost-root:1 version:1 length:1 blake2b256:" HASH,
		         REGMETA_INDEX, "for a registry root"},
		        {"skillhost-package:1 name:a/b version:1.0.0 "
		         "blake2b256:" HASH,
		         REGMETA_ROOT, "package's"},
		        {"skillhost-index:2 version:1 length:1 expires:"
		         "2030-01-01T00:00:00Z blake2b256:" HASH,
		         REGMETA_INDEX, "upgrade skillhost"},
		        {"skillhost-index:1 version:01 length:1 expires:"
		         "2030-01-01T00:00:00Z blake2b256:" HASH,
		         REGMETA_INDEX, "version"},
		        {"skillhost-index:1 version:1 version:2 length:1 "
		         "expires:2030-01-01T00:00:00Z blake2b256:" HASH,
		         REGMETA_INDEX, "twice"},
		        {"skillhost-index:1 version:1 length:1 "
		         "blake2b256:" HASH,
		         REGMETA_INDEX, "lacks expires"},
		        {"skillhost-index:1 version:1 length:0 expires:"
		         "2030-01-01T00:00:00Z blake2b256:" HASH,
		         REGMETA_INDEX, "length"},
		        {"skillhost-root:1 version:1 length:1 blake2b256:ab",
		         REGMETA_ROOT, "blake2b256"},
		        {"skillhost-root:1 version:1 length:1 nocolon",
		         REGMETA_ROOT, "without ':'"},
		        {"timestamp:1 file:x hashed", REGMETA_ROOT,
		         "not a skillhost-root comment"},
		};
		for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
			if (regmeta_comment_parse(bad[i].c, bad[i].k, &out,
			                          &e) != SH_ERR_INVALID)
				fail_msg("accepted comment %s", bad[i].c);
			if (!strstr(e.msg, bad[i].needle))
				fail_msg("\"%s\": message \"%s\" lacks \"%s\"",
				         bad[i].c, e.msg, bad[i].needle);
		}
	}
}

static void sign_meta(const struct minisig_seckey *sk, const char *text,
                      struct regmeta_info *info, struct minisig_signature *sig)
{
	uint8_t digest[MINISIG_DIGEST_BYTES];
	char c[REGINDEX_COMMENT_SIZE];
	struct minisig_hasher h;
	struct sh_error e;

	assert_int_equal(minisig_hasher_init(&h, 1, &e), SH_OK);
	minisig_hasher_update(&h, text, strlen(text));
	minisig_hasher_final(&h, digest, info->blake2b256);
	info->length = strlen(text);
	info->timestamp = 1;
	assert_int_equal(regmeta_comment_format(info, c, sizeof c, &e), SH_OK);
	assert_int_equal(minisig_sign_digest(sk, digest, c, NULL, sig, &e),
	                 SH_OK);
}

static void test_verify(void **state)
{
	const char *text = "{\"some\":\"index\"}";
	struct regmeta_info info = {
	        .kind = REGMETA_INDEX, .version = 5, .expires = 1893456000};
	struct regmeta_info got;
	struct minisig_signature sig, bad;
	struct sh_error e;

	(void)state;
	sign_meta(key_a, text, &info, &sig);
	assert_int_equal(regmeta_verify_comment(&pub_a, &sig, REGMETA_INDEX,
	                                        "ix", &got, &e),
	                 SH_OK);
	assert_int_equal(got.version, 5);
	assert_int_equal(regmeta_verify_body(&pub_a, &sig, &got, text,
	                                     strlen(text), "ix", &e),
	                 SH_OK);
	/* Another key. */
	assert_int_equal(regmeta_verify_comment(&pub_b, &sig, REGMETA_INDEX,
	                                        "ix", &got, &e),
	                 SH_ERR_TRUST);
	assert_non_null(strstr(e.msg, "is signed by key"));
	/* A comment edited after signing. */
	bad = sig;
	bad.trusted_comment[strlen(bad.trusted_comment) - 1] ^= 1;
	assert_int_equal(regmeta_verify_comment(&pub_a, &bad, REGMETA_INDEX,
	                                        "ix", &got, &e),
	                 SH_ERR_TRUST);
	assert_non_null(strstr(e.msg, "does not verify"));
	/* The legacy algorithm. */
	bad = sig;
	memcpy(bad.alg, "Ed", 2);
	assert_int_equal(regmeta_verify_comment(&pub_a, &bad, REGMETA_INDEX,
	                                        "ix", &got, &e),
	                 SH_ERR_TRUST);
	/* A valid root signature is not an index signature. */
	{
		struct regmeta_info ri = {.kind = REGMETA_ROOT, .version = 1};
		struct minisig_signature rs;
		sign_meta(key_a, text, &ri, &rs);
		assert_int_equal(regmeta_verify_comment(&pub_a, &rs,
		                                        REGMETA_INDEX, "ix",
		                                        &got, &e),
		                 SH_ERR_TRUST);
		assert_non_null(strstr(e.msg, "registry root"));
	}
	/* Bodies: another length, other bytes of the same length. */
	assert_int_equal(regmeta_verify_comment(&pub_a, &sig, REGMETA_INDEX,
	                                        "ix", &got, &e),
	                 SH_OK);
	assert_int_equal(regmeta_verify_body(&pub_a, &sig, &got, text,
	                                     strlen(text) - 1, "ix", &e),
	                 SH_ERR_TRUST);
	assert_non_null(strstr(e.msg, "bytes, but its signature says"));
	assert_int_equal(regmeta_verify_body(&pub_a, &sig, &got,
	                                     "{\"some\":\"indeX\"}",
	                                     strlen(text), "ix", &e),
	                 SH_ERR_TRUST);
	assert_non_null(strstr(e.msg, "hash"));
}

/* ---- constraints -------------------------------------------------------- */

static void test_constraints(void **state)
{
	static const struct {
		const char *spec, *version;
		int match;
	} cases[] = {
	        {"a/b", "1.0.0", 1},
	        {"a/b@1.2.3", "1.2.3", 1},
	        {"a/b@1.2.3", "1.2.4", 0},
	        {"a/b@1.2.3", "1.2.3+build", 1},
	        {"a/b@1.2.3-rc.1", "1.2.3-rc.1", 1},
	        {"a/b@^1.2.3", "1.2.3", 1},
	        {"a/b@^1.2.3", "1.9.9", 1},
	        {"a/b@^1.2.3", "2.0.0", 0},
	        {"a/b@^1.2.3", "1.2.2", 0},
	        {"a/b@^1.2.3", "1.3.0-beta", 0},
	        {"a/b@^1.2", "1.2.0", 1},
	        {"a/b@^1.2", "1.1.9", 0},
	        {"a/b@^1", "1.0.0", 1},
	        {"a/b@^1", "1.99.0", 1},
	        {"a/b@^1", "2.0.0-rc.1", 0},
	        {"a/b@^0.2.3", "0.2.9", 1},
	        {"a/b@^0.2.3", "0.3.0", 0},
	        {"a/b@^0.0.3", "0.0.3", 1},
	        {"a/b@^0.0.3", "0.0.4", 0},
	        {"a/b@^0.0", "0.0.9", 1},
	        {"a/b@^0.0", "0.1.0", 0},
	        {"a/b@^0", "0.9.9", 1},
	        {"a/b@^0", "1.0.0", 0},
	        {"a/b@^1.2.0-rc.1", "1.2.0-rc.2", 1},
	        {"a/b@^1.2.0-rc.1", "1.2.0-beta", 0},
	        {"a/b@^1.2.0-rc.1", "1.2.0", 1},
	        {"a/b@^1.2.0-rc.1", "1.5.0", 1},
	        {"a/b@^1.2.0-rc.1", "1.3.0-alpha", 0},
	};
	static const char *const bad[] = {
	        "a/b@",   "a/b@^",   "a/b@^1.2.3.4", "a/b@1.2", "A/b",
	        "a/b@^x", "a@1.0.0", "a/b@^1-rc",    "a/b@~1.2"};
	struct regindex_constraint c;
	char name[160], shown[80];
	struct sh_error e;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		if (regindex_spec_parse(cases[i].spec, name, sizeof name, &c,
		                        &e) != SH_OK)
			fail_msg("%s: %s", cases[i].spec, e.msg);
		assert_string_equal(name, "a/b");
		if (regindex_constraint_match(&c, cases[i].version) !=
		    cases[i].match)
			fail_msg("%s vs %s: wanted %d", cases[i].spec,
			         cases[i].version, cases[i].match);
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (regindex_spec_parse(bad[i], name, sizeof name, &c, &e) !=
		    SH_ERR_USAGE)
			fail_msg("accepted spec %s", bad[i]);
	assert_int_equal(
	        regindex_spec_parse("a/b@^1.2", name, sizeof name, &c, &e),
	        SH_OK);
	regindex_constraint_format(&c, shown, sizeof shown);
	assert_string_equal(shown, "^1.2");
}

static void test_resolve_and_search(void **state)
{
	char p[6][2048], all[14000];
	const char *vs[] = {"1.0.0", "1.5.0", "2.0.0-rc.1", "0.9.0"};
	struct regindex_constraint c;
	const struct regindex_pkg *got;
	struct regindex *ix;
	char name[160], *t;
	struct sh_error e;
	size_t used = 0;

	(void)state;
	for (int i = 0; i < 4; i++) {
		pkg(p[i], sizeof p[i], "acme/weather", vs[i], NULL);
		used += (size_t)snprintf(all + used, sizeof all - used, "%s%s",
		                         i ? "," : "", p[i]);
	}
	pkg(p[4], sizeof p[4], "beta/only-pre", "3.0.0-beta", NULL);
	used += (size_t)snprintf(all + used, sizeof all - used, ",%s", p[4]);
	t = index_text(NULL, all);
	ix = parse_ok(t);
	regindex_spec_parse("acme/weather", name, sizeof name, &c, &e);
	got = regindex_resolve(ix, name, &c);
	assert_string_equal(got->version, "1.5.0"); /* stable beats rc */
	regindex_spec_parse("acme/weather@^1", name, sizeof name, &c, &e);
	assert_string_equal(regindex_resolve(ix, name, &c)->version, "1.5.0");
	regindex_spec_parse("acme/weather@^0.9", name, sizeof name, &c, &e);
	assert_string_equal(regindex_resolve(ix, name, &c)->version, "0.9.0");
	regindex_spec_parse("acme/weather@2.0.0-rc.1", name, sizeof name, &c,
	                    &e);
	assert_string_equal(regindex_resolve(ix, name, &c)->version,
	                    "2.0.0-rc.1");
	regindex_spec_parse("acme/weather@^3", name, sizeof name, &c, &e);
	assert_null(regindex_resolve(ix, name, &c));
	regindex_spec_parse("beta/only-pre", name, sizeof name, &c, &e);
	assert_string_equal(regindex_resolve(ix, name, &c)->version,
	                    "3.0.0-beta");
	assert_int_equal(regindex_pkg_match(got, "WEATHER"), 3);
	assert_int_equal(regindex_pkg_match(got, "say hello"), 2);
	assert_int_equal(regindex_pkg_match(got, "a acme/weather skill"), 1);
	assert_int_equal(regindex_pkg_match(got, "nothing"), 0);
	assert_int_equal(regindex_pkg_match(got, ""), 1);
	regindex_free(ix);
	free(t);
}

/* Yanked versions: only an exact constraint chooses one; "latest" and
 * ranges fall back to the newest that is not yanked, or to nothing. The
 * marks are read with their text; malformed ones refuse the index. */
static void test_yanked(void **state)
{
	char p[4][2048], all[9000];
	struct regindex_constraint c;
	const struct regindex_pkg *got;
	struct regindex *ix;
	char name[160], *t;
	struct sh_error e;

	(void)state;
	pkg(p[0], sizeof p[0], "acme/weather", "1.0.0",
	    ",\"x-deprecated\":\"use acme/forecast\"");
	pkg(p[1], sizeof p[1], "acme/weather", "1.5.0",
	    ",\"x-yanked\":\"corrupts the cache\",\"x-yanked-at\":"
	    "\"2025-02-01T00:00:00Z\"");
	pkg(p[2], sizeof p[2], "beta/gone", "1.0.0", ",\"x-yanked\":\"bad\"");
	pkg(p[3], sizeof p[3], "beta/gone", "2.0.0-rc.1",
	    ",\"x-yanked\":\"bad\"");
	snprintf(all, sizeof all, "%s,%s,%s,%s", p[0], p[1], p[2], p[3]);
	t = index_text(NULL, all);
	ix = parse_ok(t);
	regindex_spec_parse("acme/weather", name, sizeof name, &c, &e);
	got = regindex_resolve(ix, name, &c);
	assert_string_equal(got->version, "1.0.0");
	assert_null(got->yanked);
	assert_string_equal(got->deprecated, "use acme/forecast");
	regindex_spec_parse("acme/weather@^1.1", name, sizeof name, &c, &e);
	assert_null(regindex_resolve(ix, name, &c));
	regindex_spec_parse("acme/weather@1.5.0", name, sizeof name, &c, &e);
	got = regindex_resolve(ix, name, &c);
	assert_non_null(got);
	assert_string_equal(got->yanked, "corrupts the cache");
	assert_int_equal(got->yanked_at, 1738368000);
	regindex_spec_parse("beta/gone", name, sizeof name, &c, &e);
	assert_null(regindex_resolve(ix, name, &c)); /* prereleases too */
	regindex_free(ix);
	free(t);

	pkg(p[0], sizeof p[0], "acme/weather", "1.0.0", ",\"x-yanked\":true");
	t = index_text(NULL, p[0]);
	expect_refused(t, SH_ERR_INVALID, "x-yanked");
	free(t);
	pkg(p[0], sizeof p[0], "acme/weather", "1.0.0", ",\"x-yanked\":\"\"");
	t = index_text(NULL, p[0]);
	expect_refused(t, SH_ERR_INVALID, "x-yanked");
	free(t);
	pkg(p[0], sizeof p[0], "acme/weather", "1.0.0",
	    ",\"x-yanked\":\"a\",\"x-yanked-at\":\"yesterday\"");
	t = index_text(NULL, p[0]);
	expect_refused(t, SH_ERR_INVALID, "x-yanked-at");
	free(t);
}

/* A repeated key in a signed registry document is refused with its path:
 * the index's namespace map, a package entry, and the root. */
static void test_duplicate_keys(void **state)
{
	char one[2048], *text, t[2048];
	struct regroot *r = NULL;
	struct sh_error e;

	(void)state;
	pkg(one, sizeof one, "acme/weather", "1.0.0",
	    ",\"permissions\":{\"network\":[\"evil.example\"]}");
	text = index_text(NULL, one);
	expect_refused(text, SH_ERR_INVALID, "\"permissions\" appears twice");
	expect_refused(text, SH_ERR_INVALID, "/packages/0");
	free(text);
	pkg(one, sizeof one, "acme/weather", "1.0.0", NULL);
	text = index_text(",\"namespaces\":{\"skillhost\":[]}", one);
	expect_refused(text, SH_ERR_INVALID, "\"namespaces\" appears twice");
	expect_refused(text, SH_ERR_INVALID, "corrected index");
	free(text);
	snprintf(t, sizeof t,
	         "{\"type\":\"skillhost-root\",\"format\":1,\"version\":3,"
	         "\"created\":\"2025-01-31T12:00:00Z\",\"root_key\":\"%s\","
	         "\"index_keys\":[\"%s\"],\"index_keys\":[\"%s\"]}",
	         b64_a, b64_a, b64_b);
	assert_int_equal(regroot_parse(t, strlen(t), "root.json", &r, &e),
	                 SH_ERR_INVALID);
	assert_null(r);
	assert_non_null(strstr(e.msg, "root.json"));
	assert_non_null(strstr(e.msg, "\"index_keys\" appears twice"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_times),
	        cmocka_unit_test(test_index_valid),
	        cmocka_unit_test(test_index_refusals),
	        cmocka_unit_test(test_root),
	        cmocka_unit_test(test_duplicate_keys),
	        cmocka_unit_test(test_comments),
	        cmocka_unit_test(test_verify),
	        cmocka_unit_test(test_constraints),
	        cmocka_unit_test(test_resolve_and_search),
	        cmocka_unit_test(test_yanked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
