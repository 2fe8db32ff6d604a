/*
 * test_trust_sync.c - revoking trust reaches installed skills: the store
 * marks the records a removed key signed (current and previous versions),
 * unmarks them when the key is trusted again for their namespace, rewrites
 * installed.json only when something changed; the runtime's trust check
 * refuses an unmarked record whose key is gone; the catalog answers a call
 * to a disabled skill, by any of its tool names, with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "fsutil.h"
#include "registry_client.h"
#include "store.h"
#include "temphome.h"
#include "trust.h"

static struct minisig_pubkey pub_a, pub_b;
static char id_a[MINISIG_KEYID_HEX_SIZE], id_b[MINISIG_KEYID_HEX_SIZE];

static int setup(void **state)
{
	struct minisig_seckey *sk;
	struct sh_error e;

	(void)state;
	if (temphome_make("tsync"))
		return -1;
	if (minisig_keygen(&sk, &pub_a, &e))
		return -1;
	minisig_seckey_free(sk);
	if (minisig_keygen(&sk, &pub_b, &e))
		return -1;
	minisig_seckey_free(sk);
	minisig_keyid_to_hex(pub_a.key_id, id_a);
	minisig_keyid_to_hex(pub_b.key_id, id_b);
	return 0;
}

static const cJSON *rec_of(const cJSON *ix, const char *name, const char *which)
{
	return cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(
	                cJSON_GetObjectItemCaseSensitive(ix, "skills"), name),
	        which);
}

static ino_t index_inode(void)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof path, "%s/%s", home, STORE_INDEX);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* Names in a sync report, "a,b". */
static void names(const cJSON *list, char *buf, size_t cap)
{
	const cJSON *it;

	buf[0] = '\0';
	cJSON_ArrayForEach(it, list) snprintf(
	        buf + strlen(buf), cap - strlen(buf), "%s%s", buf[0] ? "," : "",
	        cJSON_GetStringValue(
	                cJSON_GetObjectItemCaseSensitive(it, "name")));
}

static void test_sync(void **state)
{
	char text[2048], path[256], got[256];
	cJSON *off = NULL, *on = NULL, *ix = NULL;
	struct sh_error e;
	ino_t ino;

	(void)state;
	assert_int_equal(trust_add(home, &pub_a, "acme", &e), SH_OK);
	assert_int_equal(trust_add(home, &pub_a, "beta", &e), SH_OK);
	assert_int_equal(trust_add(home, &pub_b, "acme", &e), SH_OK);
	/* acme/x 2.0 by B over 1.0 by A; acme/y and beta/z by A. */
	snprintf(text, sizeof text,
	         "{\"format\":1,\"skills\":{"
	         "\"acme/x\":{\"current\":{\"version\":\"2.0.0\",\"publisher\":"
	         "\"%s\"},\"previous\":{\"version\":\"1.0.0\",\"publisher\":"
	         "\"%s\"}},"
	         "\"acme/y\":{\"current\":{\"version\":\"1.0.0\",\"publisher\":"
	         "\"%s\"},\"previous\":null},"
	         "\"beta/z\":{\"current\":{\"version\":\"3.0.0\",\"publisher\":"
	         "\"%s\"},\"previous\":null}}}",
	         id_b, id_a, id_a, id_a);
	snprintf(path, sizeof path, "%s/%s", home, STORE_INDEX);
	assert_int_equal(fs_write_atomic(path, text, strlen(text), 0644, &e),
	                 SH_OK);
	/* Everything trusted: nothing to do, nothing rewritten. */
	ino = index_inode();
	assert_int_equal(store_sync_trust(home, &off, &on, &e), SH_OK);
	assert_null(off);
	assert_null(on);
	assert_int_equal(index_inode(), ino);

	assert_int_equal(trust_remove(home, id_a, &e), SH_OK);
	assert_int_equal(store_sync_trust(home, &off, &on, &e), SH_OK);
	names(off, got, sizeof got);
	assert_string_equal(got, "acme/y,beta/z");
	assert_null(on);
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	                cJSON_GetArrayItem(off, 0), "key")),
	        id_a);
	cJSON_Delete(off);
	assert_int_equal(store_read_index(home, &ix, &e), SH_OK);
	assert_null(store_record_disabled(rec_of(ix, "acme/x", "current")));
	/* The previous version is marked too: no rollback into it. */
	assert_string_equal(
	        store_record_disabled(rec_of(ix, "acme/x", "previous")), id_a);
	assert_string_equal(
	        store_record_disabled(rec_of(ix, "acme/y", "current")), id_a);
	store_disabled_reason("acme/y", rec_of(ix, "acme/y", "current"), got,
	                      sizeof got);
	assert_non_null(strstr(got, id_a));
	assert_non_null(strstr(got, "skillhost trust add"));
	assert_non_null(strstr(got, "skillhost remove acme/y"));
	/* The load-time check agrees, mark or no mark. */
	assert_int_equal(store_check_trusted(home, "acme/y",
	                                     rec_of(ix, "acme/y", "current"),
	                                     &e),
	                 SH_ERR_TRUST);
	assert_non_null(strstr(e.msg, id_a));
	assert_int_equal(store_check_trusted(home, "acme/x",
	                                     rec_of(ix, "acme/x", "current"),
	                                     &e),
	                 SH_OK);
	/* Trusted for acme, B still may not sign beta/. */
	assert_int_equal(store_check_trusted(home, "beta/x",
	                                     rec_of(ix, "acme/x", "current"),
	                                     &e),
	                 SH_ERR_TRUST);
	cJSON_Delete(ix);
	/* A second sync changes nothing. */
	ino = index_inode();
	assert_int_equal(store_sync_trust(home, &off, &on, &e), SH_OK);
	assert_null(off);
	assert_null(on);
	assert_int_equal(index_inode(), ino);

	/* Trusted again for acme only: acme's skills come back, beta's not. */
	assert_int_equal(trust_add(home, &pub_a, "acme", &e), SH_OK);
	assert_int_equal(store_sync_trust(home, &off, &on, &e), SH_OK);
	names(on, got, sizeof got);
	assert_string_equal(got, "acme/y");
	assert_null(off);
	cJSON_Delete(on);
	assert_int_equal(store_read_index(home, &ix, &e), SH_OK);
	assert_null(store_record_disabled(rec_of(ix, "acme/x", "previous")));
	assert_null(store_record_disabled(rec_of(ix, "acme/y", "current")));
	assert_non_null(store_record_disabled(rec_of(ix, "beta/z", "current")));
	cJSON_Delete(ix);
}

static void test_catalog_disabled(void **state)
{
	static const char *const forms[] = {"acme/x.t", "acme.x.t",
	                                    "acme__x__t"};
	static const char *const others[] = {"acme/xy.t", "acme.xy.t",
	                                     "acme__xy__t", "acme/x", "t"};
	struct catalog *c = catalog_new(NULL, NULL);
	struct sh_error e;

	(void)state;
	assert_non_null(c);
	assert_int_equal(catalog_add_disabled(c, "acme/x", "why it is off", &e),
	                 SH_OK);
	assert_int_equal(catalog_seal(c, &e), SH_OK);
	assert_int_equal(catalog_tool_count(c), 0);
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		assert_null(catalog_find(c, forms[i], &e));
		assert_int_equal(e.status, SH_ERR_TRUST);
		assert_string_equal(e.msg, "why it is off");
	}
	for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
		assert_null(catalog_find(c, others[i], &e));
		assert_int_equal(e.status, SH_ERR_NOTFOUND);
	}
	catalog_unref(c);
}

/* The library refuses "every namespace the index lists" by itself, not
 * only through the CLI. */
static void test_registry_trust_needs_namespaces(void **state)
{
	struct regclient_set none = {0};
	struct sh_error e;
	cJSON *added = NULL;

	(void)state;
	assert_int_equal(regclient_trust_publishers(home, &none, "main", NULL,
	                                            0, &added, &e),
	                 SH_ERR_USAGE);
	assert_null(added);
	assert_non_null(strstr(e.msg, "none is implied"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sync),
	        cmocka_unit_test(test_catalog_disabled),
	        cmocka_unit_test(test_registry_trust_needs_namespaces),
	};
	return cmocka_run_group_tests(tests, setup, temphome_teardown);
}
