/*
 * test_jsonstrict.c - repeated object keys: found at any depth, named with
 * their path, and refused in every document the host trusts from disk
 * (trust.json, installed.json, secrets.json, registries.json). Manifests
 * and registry documents are covered in test_manifest.c and
 * test_registry_index.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fsutil.h"
#include "jsonstrict.h"
#include "registry_client.h"
#include "secrets.h"
#include "store.h"
#include "trust.h"

static char tmp[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof tmp, "/tmp/skillhost-strict-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	struct sh_error e;

	(void)state;
	fs_remove_tree(tmp, &e);
	return 0;
}

/* The path json_find_duplicate_key reports for text, and the repeated
 * key, or NULL when it finds none. */
static const char *dup_of(const char *text, char *path, size_t cap, char *key,
                          size_t kcap)
{
	cJSON *j = cJSON_Parse(text);
	const cJSON *d;

	assert_non_null(j);
	d = json_find_duplicate_key(j, path, cap);
	if (d)
		snprintf(key, kcap, "%s", d->string);
	cJSON_Delete(j);
	return d ? key : NULL;
}

static void test_find(void **state)
{
	static const struct {
		const char *text, *path, *key; /* key NULL: none repeated */
	} cases[] = {
	        {"{\"a\":1,\"b\":2}", NULL, NULL},
	        {"[1,{\"a\":1},{\"a\":2}]", NULL, NULL},
	        {"{\"a\":{\"x\":1},\"b\":{\"x\":1}}", NULL, NULL},
	        {"\"scalar\"", NULL, NULL},
	        {"{\"a\":1,\"a\":2}", "", "a"},
	        {"{\"permissions\":{\"http\":[],\"http\":[\"x\"]}}",
	         "/permissions", "http"},
	        {"{\"tools\":[{\"name\":\"a\"},{\"name\":\"b\",\"name\":\"c\"}"
	         "]}",
	         "/tools/1", "name"},
	        /* Escapes are decoded before keys are compared. */
	        {"{\"a\":1,\"\\u0061\":2}", "", "a"},
	        /* JSON Pointer escaping of the path. */
	        {"{\"x/y\":{\"m~n\":{\"k\":1,\"k\":2}}}", "/x~1y/m~0n", "k"},
	        /* Empty names are names too. */
	        {"{\"\":1,\"\":2}", "", ""},
	};
	char path[JSONSTRICT_PATH_MAX], key[64];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *k = dup_of(cases[i].text, path, sizeof path, key,
		                       sizeof key);
		if (!cases[i].key) {
			if (k)
				fail_msg("case %zu: found \"%s\" at \"%s\"", i,
				         k, path);
			continue;
		}
		if (!k)
			fail_msg("case %zu: no repeated key found", i);
		assert_string_equal(k, cases[i].key);
		assert_string_equal(path, cases[i].path);
	}
	/* NULL and a NULL path are fine. */
	assert_null(json_find_duplicate_key(NULL, NULL, 0));
	{
		cJSON *j = cJSON_Parse("{\"a\":1,\"a\":2}");
		assert_non_null(json_find_duplicate_key(j, NULL, 0));
		cJSON_Delete(j);
	}
}

/* Objects past the pairwise limit are sorted: the same answers. */
static void test_large_objects(void **state)
{
	char *text = malloc(200000), path[JSONSTRICT_PATH_MAX], key[64];
	size_t n = 0;

	(void)state;
	n += (size_t)sprintf(text + n, "{\"packages\":{");
	for (int i = 0; i < 5000; i++)
		n += (size_t)sprintf(text + n, "%s\"p%d\":{\"v\":%d}",
		                     i ? "," : "", i, i);
	sprintf(text + n, "}}");
	assert_null(dup_of(text, path, sizeof path, key, sizeof key));
	/* The same name far apart, in reverse order of its neighbours. */
	sprintf(text + n, ",\"p17\":{}}}");
	assert_non_null(dup_of(text, path, sizeof path, key, sizeof key));
	assert_string_equal(key, "p17");
	assert_string_equal(path, "/packages");
	free(text);
}

static void test_message(void **state)
{
	cJSON *j = cJSON_Parse("{\"permissions\":{\"network\":[],\"secrets\":[]"
	                       ",\"network\":[\"*\"]}}");
	struct sh_error e;

	(void)state;
	assert_int_equal(
	        json_check_unique_keys(j, "pkg.skill:manifest.json", &e),
	        SH_ERR_INVALID);
	assert_non_null(strstr(e.msg, "pkg.skill:manifest.json"));
	assert_non_null(strstr(e.msg, "\"network\" appears twice"));
	assert_non_null(strstr(e.msg, "/permissions"));
	cJSON_Delete(j);
	/* A hostile key cannot put control characters on a terminal. */
	j = cJSON_Parse("{\"\\u001b[2J\":1,\"\\u001b[2J\":2}");
	assert_int_equal(json_check_unique_keys(j, "d", &e), SH_ERR_INVALID);
	assert_null(strchr(e.msg, 0x1b));
	cJSON_Delete(j);
	j = cJSON_Parse("{\"a\":{\"b\":1}}");
	assert_int_equal(json_check_unique_keys(j, "d", &e), SH_OK);
	cJSON_Delete(j);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	struct sh_error e;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_int_equal(fs_mkdirs(dir, 0700, &e), SH_OK);
	assert_int_equal(fs_write_atomic(path, text, strlen(text), 0600, &e),
	                 SH_OK);
}

static void test_trust_file(void **state)
{
	char home[128], b64[MINISIG_PUBKEY_B64_SIZE], text[1024];
	struct minisig_seckey *sk;
	struct minisig_pubkey pk;
	struct trust *t = NULL;
	struct sh_error e;

	(void)state;
	snprintf(home, sizeof home, "%s/trust", tmp);
	assert_int_equal(minisig_keygen(&sk, &pk, &e), SH_OK);
	minisig_seckey_free(sk);
	minisig_pubkey_to_base64(&pk, b64);
	/* One reader sees "acme" only, another "skillhost" too. */
	snprintf(text, sizeof text,
	         "{\"format\":1,\"keys\":[{\"key\":\"%s\",\"namespaces\":"
	         "[\"acme\"],\"namespaces\":[\"acme\",\"skillhost\"]}]}",
	         b64);
	put(home, TRUST_FILE, text);
	assert_int_equal(trust_load(home, &t, &e), SH_ERR_INVALID);
	assert_null(t);
	assert_non_null(strstr(e.msg, "trust.json"));
	assert_non_null(strstr(e.msg, "\"namespaces\" appears twice"));
	assert_non_null(strstr(e.msg, "/keys/0"));
	assert_non_null(strstr(e.msg, "skillhost trust add"));
	/* Adding a key does not rewrite it into something else either. */
	assert_int_equal(trust_add(home, &pk, "acme", &e), SH_ERR_INVALID);
	snprintf(text, sizeof text,
	         "{\"format\":1,\"keys\":[{\"key\":\"%s\",\"namespaces\":"
	         "[\"acme\"]}]}",
	         b64);
	put(home, TRUST_FILE, text);
	assert_int_equal(trust_load(home, &t, &e), SH_OK);
	trust_free(t);
}

static void test_store_index(void **state)
{
	char home[128];
	cJSON *ix = NULL;
	struct sh_error e;

	(void)state;
	snprintf(home, sizeof home, "%s/store", tmp);
	put(home, STORE_INDEX,
	    "{\"format\":1,\"skills\":{\"a/b\":{\"current\":{\"version\":"
	    "\"1.0.0\",\"publisher\":\"0000000000000001\",\"publisher\":"
	    "\"0000000000000002\"}}}}");
	assert_int_equal(store_read_index(home, &ix, &e), SH_ERR_INVALID);
	assert_null(ix);
	assert_non_null(strstr(e.msg, "installed.json"));
	assert_non_null(strstr(e.msg, "/skills/a~1b/current"));
	put(home, STORE_INDEX, "{\"format\":1,\"skills\":{}}");
	assert_int_equal(store_read_index(home, &ix, &e), SH_OK);
	cJSON_Delete(ix);
}

static void test_secrets_file(void **state)
{
	char home[128], buf[64];
	cJSON *d = NULL;
	struct sh_error e;

	(void)state;
	snprintf(home, sizeof home, "%s/secrets", tmp);
	put(home, SECRETS_FILE,
	    "{\"format\":1,\"skills\":{},\"from_env\":{\"a/b\":{\"TOKEN\":"
	    "\"TOKEN\",\"TOKEN\":\"HOME\"}}}");
	assert_int_equal(secrets_describe(home, "a/b", &d, &e), SH_ERR_INVALID);
	assert_non_null(strstr(e.msg, "\"TOKEN\" appears twice"));
	setenv("TOKEN", "t", 1);
	assert_int_equal(secrets_lookup(home, "a/b", "TOKEN", buf, sizeof buf),
	                 -1);
	unsetenv("TOKEN");
	assert_int_equal(secrets_set(home, "a/b", "X", "v", 1, &e),
	                 SH_ERR_INVALID);
}

static void test_registries_file(void **state)
{
	char home[128];
	struct regclient_set *s = NULL;
	struct sh_error e;

	(void)state;
	snprintf(home, sizeof home, "%s/reg", tmp);
	put(home, REGCLIENT_FILE,
	    "{\"format\":1,\"registries\":[{\"name\":\"main\",\"name\":"
	    "\"other\",\"urls\":[\"http://127.0.0.1:1/\"],\"root_key\":"
	    "\"x\"}]}");
	assert_int_not_equal(regclient_open(home, NULL, NULL, &s, &e), SH_OK);
	assert_null(s);
	assert_non_null(strstr(e.msg, "\"name\" appears twice"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_find),
	        cmocka_unit_test(test_large_objects),
	        cmocka_unit_test(test_message),
	        cmocka_unit_test(test_trust_file),
	        cmocka_unit_test(test_store_index),
	        cmocka_unit_test(test_secrets_file),
	        cmocka_unit_test(test_registries_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
