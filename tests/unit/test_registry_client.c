/*
 * test_registry_client.c - the registry client through its public header,
 * without a network: registry names, what regclient_add refuses before it
 * writes anything, a damaged registries.json (truncated, a repeated key,
 * the wrong shape, a bad root key) refused with a message naming the file
 * and left as it was, a registry whose index cannot be reached kept with
 * its problem, trust that needs named namespaces, and remove; then a real
 * signed registry on disk (made with the build's skillreg, served by
 * file://): add pins its root, list and search its index, trust imports
 * its publisher key, and an older index version (rollback) is refused.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fsutil.h"
#include "minisig.h"
#include "registry_client.h"
#include "temphome.h"

static struct minisig_seckey *key;
static struct minisig_pubkey pub;
static char b64[MINISIG_PUBKEY_B64_SIZE];
static char regfile[256];

static int setup(void **state)
{
	struct sh_error e;

	(void)state;
	if (minisig_keygen(&key, &pub, &e))
		return -1;
	minisig_pubkey_to_base64(&pub, b64);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	minisig_seckey_free(key);
	return 0;
}

static int setup_each(void **state)
{
	(void)state;
	if (temphome_make("regclient") || mkdir(home, 0700))
		return -1;
	snprintf(regfile, sizeof regfile, "%s/%s", home, REGCLIENT_FILE);
	return 0;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *path)
{
	struct sh_error e;
	char *text = NULL;
	size_t len;

	assert_int_equal(fs_read_file(path, 1 << 20, &text, &len, &e), SH_OK);
	return text;
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* registries.json naming one registry "local" whose mirror has nothing. */
static void write_one_registry(void)
{
	char text[1024];

	snprintf(text, sizeof text,
	         "{\"registries\":[{\"name\":\"local\",\"urls\":"
	         "[\"file://%s/nothing/\"],\"root_key\":\"%s\","
	         "\"added\":1}]}",
	         tmp, b64);
	write_text(regfile, text);
}

static void test_names(void **state)
{
	char longname[REGCLIENT_MAX_NAME + 2];

	(void)state;
	assert_true(regclient_valid_name("main"));
	assert_true(regclient_valid_name("corp.internal_2-b"));
	assert_false(regclient_valid_name(""));
	assert_false(regclient_valid_name("Main"));
	assert_false(regclient_valid_name("a/b"));
	assert_false(regclient_valid_name("a b"));
	memset(longname, 'a', sizeof longname - 1);
	longname[REGCLIENT_MAX_NAME] = '\0';
	assert_true(regclient_valid_name(longname));
	longname[REGCLIENT_MAX_NAME] = 'a';
	longname[REGCLIENT_MAX_NAME + 1] = '\0';
	assert_false(regclient_valid_name(longname));
}

static void test_add_refusals(void **state)
{
	struct regclient_opts o = {.refresh = REGCLIENT_ALWAYS};
	struct regclient_summary sum;
	struct sh_error e;
	char url[256], dir[300];
	const char *u[1] = {url};

	(void)state;
	snprintf(url, sizeof url, "file://%s/nothing/", tmp);
	assert_int_equal(
	        regclient_add(home, "Bad Name", u, 1, &pub, &o, &sum, &e),
	        SH_ERR_USAGE);
	assert_non_null(strstr(e.msg, "Bad Name"));
	assert_int_equal(regclient_add(home, "main", u, 0, &pub, &o, &sum, &e),
	                 SH_ERR_USAGE);
	{
		const char *bad[] = {"ftp://example.org/reg/",
		                     "http://example.org/reg/?x=1",
		                     "not a url"};
		for (size_t i = 0; i < 3; i++) {
			const char *one[1] = {bad[i]};
			assert_int_equal(regclient_add(home, "main", one, 1,
			                               &pub, &o, &sum, &e),
			                 SH_ERR_USAGE);
			assert_non_null(strstr(e.msg, bad[i]));
		}
	}

	/* A mirror with no root: refused, and nothing is written. */
	assert_int_not_equal(
	        regclient_add(home, "main", u, 1, &pub, &o, &sum, &e), SH_OK);
	assert_true(e.msg[0] != '\0');
	assert_false(exists(regfile));
	snprintf(dir, sizeof dir, "%s/%s/main", home, REGCLIENT_DIR);
	assert_false(exists(dir));
}

/* regclient_open and regclient_remove refuse text in registries.json,
 * with a message naming the file, and leave it as it was. */
static void expect_damaged(const char *text)
{
	struct regclient_opts o = {.refresh = REGCLIENT_OFFLINE};
	struct regclient_set *s = (struct regclient_set *)1;
	struct sh_error e;
	char *after;

	write_text(regfile, text);
	assert_int_not_equal(regclient_open(home, NULL, &o, &s, &e), SH_OK);
	assert_null(s);
	assert_non_null(strstr(e.msg, regfile));
	assert_non_null(strstr(e.msg, "backup"));
	assert_int_not_equal(regclient_remove(home, "local", &e), SH_OK);
	assert_non_null(strstr(e.msg, regfile));
	after = read_text(regfile);
	assert_string_equal(after, text);
	free(after);
}

static void test_damaged_file(void **state)
{
	char text[1024];
	struct regclient_opts o = {.refresh = REGCLIENT_OFFLINE};
	struct regclient_set *s;
	struct sh_error e;

	(void)state;
	/* Truncated mid-way. */
	expect_damaged("{\"registries\":[{\"name\":\"local\",\"urls\":[");
	/* A repeated key could hide a second pinned root key. */
	snprintf(text, sizeof text,
	         "{\"registries\":[{\"name\":\"local\",\"urls\":"
	         "[\"file:///x/\"],\"root_key\":\"%s\",\"root_key\":\"%s\"}]}",
	         b64, b64);
	expect_damaged(text);
	expect_damaged("{\"registries\":[],\"registries\":[]}");
	/* The wrong shape, a bad name, a bad key, a bad URL. */
	expect_damaged("{\"registries\":{}}");
	expect_damaged("[]");
	snprintf(text, sizeof text,
	         "{\"registries\":[{\"name\":\"Bad\",\"urls\":[\"file:///x/\"],"
	         "\"root_key\":\"%s\"}]}",
	         b64);
	expect_damaged(text);
	expect_damaged("{\"registries\":[{\"name\":\"local\",\"urls\":"
	               "[\"file:///x/\"],\"root_key\":\"not-a-key\"}]}");
	snprintf(text, sizeof text,
	         "{\"registries\":[{\"name\":\"local\",\"urls\":[\"gopher://x/"
	         "\"],\"root_key\":\"%s\"}]}",
	         b64);
	expect_damaged(text);

	/* No file at all is no registries, not an error. */
	assert_int_equal(unlink(regfile), 0);
	assert_int_equal(regclient_open(home, NULL, &o, &s, &e), SH_OK);
	assert_int_equal(s->n, 0);
	regclient_set_free(s);
}

static void test_unreachable_registry(void **state)
{
	struct regclient_opts off = {.refresh = REGCLIENT_OFFLINE};
	struct regclient_opts always = {.refresh = REGCLIENT_ALWAYS};
	struct regclient_summary sum;
	struct regclient_set *s = NULL;
	const char *ns[] = {"acme"};
	struct sh_error e;
	cJSON *list, *added = (cJSON *)1;
	char trustfile[300];

	(void)state;
	write_one_registry();

	/* Loaded, with no usable index and the reason why. */
	assert_int_equal(regclient_open(home, NULL, &off, &s, &e), SH_OK);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->regs[0].name, "local");
	assert_int_equal(s->regs[0].nurls, 1);
	assert_memory_equal(s->regs[0].root_key.key_id, pub.key_id,
	                    sizeof pub.key_id);
	assert_null(s->regs[0].ix);
	assert_true(s->regs[0].problem[0] != '\0');

	list = regclient_list_json(s);
	assert_non_null(list);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_string_equal(
	        cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "name")
	                ->valuestring,
	        "local");
	assert_true(cJSON_IsString(
	        cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "problem")));
	cJSON_Delete(list);
	list = regclient_search(s, "anything");
	assert_non_null(list);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	cJSON_Delete(list);

	/* Trust needs named namespaces, a known registry and its index;
	 * none of the refusals writes the trust store. */
	snprintf(trustfile, sizeof trustfile, "%s/trust.json", home);
	assert_int_equal(
	        regclient_trust_publishers(home, s, "local", ns, 0, &added, &e),
	        SH_ERR_USAGE);
	assert_null(added);
	assert_non_null(strstr(e.msg, "namespaces"));
	assert_int_equal(
	        regclient_trust_publishers(home, s, "nope", ns, 1, &added, &e),
	        SH_ERR_NOTFOUND);
	assert_int_not_equal(
	        regclient_trust_publishers(home, s, "local", ns, 1, &added, &e),
	        SH_OK);
	assert_non_null(strstr(e.msg, "cannot be used"));
	assert_false(exists(trustfile));
	regclient_set_free(s);

	/* Refreshing it for real fails, and says so. */
	s = (struct regclient_set *)1;
	assert_int_not_equal(regclient_open(home, NULL, &always, &s, &e),
	                     SH_OK);
	assert_null(s);
	assert_true(e.msg[0] != '\0');

	/* By name: only that one; an unknown name is NOTFOUND. */
	assert_int_equal(regclient_open(home, "other", &off, &s, &e),
	                 SH_ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "other"));

	/* The name is taken. */
	{
		char url[256];
		const char *u[1] = {url};
		snprintf(url, sizeof url, "file://%s/else/", tmp);
		assert_int_equal(regclient_add(home, "local", u, 1, &pub, &off,
		                               &sum, &e),
		                 SH_ERR_USAGE);
		assert_non_null(strstr(e.msg, "local"));
	}

	/* Remove, then it is gone. */
	assert_int_equal(regclient_remove(home, "local", &e), SH_OK);
	assert_int_equal(regclient_remove(home, "local", &e), SH_ERR_NOTFOUND);
	assert_int_equal(regclient_remove(home, "Not Valid", &e), SH_ERR_USAGE);
	assert_int_equal(regclient_open(home, "local", &off, &s, &e),
	                 SH_ERR_NOTFOUND);
	assert_int_equal(regclient_open(home, NULL, &off, &s, &e), SH_OK);
	assert_int_equal(s->n, 0);
	regclient_set_free(s);
}

/* Run the build's skillreg with args, quietly; its exit code. */
static int skillreg(const char *const *args)
{
	char path[1024];
	const char *argv[16] = {path, "-q"};
	size_t n = 2;
	int status;
	pid_t pid;

	snprintf(path, sizeof path, "%s/../registry/skillreg", SKILLS_OUT);
	if (access(path, X_OK))
		fail_msg("%s is not built (build the skillreg target)", path);
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void copy_file(const char *from, const char *to)
{
	char *text = read_text(from);

	write_text(to, text);
	free(text);
}

static void test_signed_registry(void **state)
{
	struct regclient_opts off = {.refresh = REGCLIENT_OFFLINE};
	struct regclient_opts always = {.refresh = REGCLIENT_ALWAYS};
	struct regclient_opts try = {.refresh = REGCLIENT_TRY};
	struct regclient_summary sum;
	struct regclient_set *s;
	struct minisig_pubkey root;
	const char *ns[] = {"testing"};
	char reg[200], p1[300], p2[300], url[300], trustfile[300];
	const char *u[1] = {url};
	struct sh_error e;
	cJSON *j, *added = NULL;
	int64_t version;

	(void)state;
	snprintf(reg, sizeof reg, "%s/reg", tmp);
	snprintf(url, sizeof url, "file://%s/", reg);
	snprintf(p1, sizeof p1, "%s/dev.pub", SKILLS_OUT);
	snprintf(p2, sizeof p2, "%s/packages/testing-noop-1.0.0.skill",
	         SKILLS_OUT);
	assert_int_equal(skillreg((const char *[]){"init", reg, NULL}), 0);
	assert_int_equal(skillreg((const char *[]){"publisher", "add", reg,
	                                           "testing", p1, NULL}),
	                 0);
	assert_int_equal(skillreg((const char *[]){"add", reg, p2, NULL}), 0);
	/* Keep this index version aside, then sign a newer one. */
	snprintf(p1, sizeof p1, "%s/index.json", reg);
	snprintf(p2, sizeof p2, "%s/old.json", tmp);
	copy_file(p1, p2);
	snprintf(p1, sizeof p1, "%s/index.json.minisig", reg);
	snprintf(p2, sizeof p2, "%s/old.json.minisig", tmp);
	copy_file(p1, p2);
	assert_int_equal(skillreg((const char *[]){"resign", reg, NULL}), 0);

	/* A root key the registry was not made with: refused, nothing
	 * written. */
	assert_int_equal(
	        regclient_add(home, "local", u, 1, &pub, &off, &sum, &e),
	        SH_ERR_TRUST);
	assert_false(exists(regfile));

	snprintf(p1, sizeof p1, "%s/reg.keys/root.pub", tmp);
	assert_int_equal(minisig_pubkey_load(p1, &root, &e), SH_OK);
	if (regclient_add(home, "local", u, 1, &root, &off, &sum, &e))
		fail_msg("regclient_add: %s", e.msg);
	assert_int_equal(sum.root_version, 1);
	assert_true(sum.index_version >= 2);
	assert_int_equal(sum.npackages, 1);
	assert_int_equal(sum.nnamespaces, 1);
	assert_true(sum.expires > (int64_t)time(NULL));
	assert_true(exists(regfile));
	version = sum.index_version;

	/* Offline, from the verified cache. */
	assert_int_equal(regclient_open(home, NULL, &off, &s, &e), SH_OK);
	assert_int_equal(s->n, 1);
	assert_non_null(s->regs[0].ix);
	j = regclient_list_json(s);
	assert_non_null(j);
	assert_int_equal(cJSON_GetArraySize(j), 1);
	assert_int_equal(
	        cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "index_version")
	                ->valuedouble,
	        (double)version);
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "problem"));
	cJSON_Delete(j);
	j = regclient_search(s, "NOOP");
	assert_non_null(j);
	assert_int_equal(cJSON_GetArraySize(j), 1);
	assert_string_equal(
	        cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "name")
	                ->valuestring,
	        "testing/noop");
	assert_string_equal(
	        cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "registry")
	                ->valuestring,
	        "local");
	cJSON_Delete(j);
	j = regclient_search(s, "no-such-skill-anywhere");
	assert_int_equal(cJSON_GetArraySize(j), 0);
	cJSON_Delete(j);

	/* Trust imports the key the index lists for the namespace named. */
	snprintf(trustfile, sizeof trustfile, "%s/trust.json", home);
	if (regclient_trust_publishers(home, s, "local", ns, 1, &added, &e))
		fail_msg("trust: %s", e.msg);
	assert_int_equal(cJSON_GetArraySize(added), 1);
	assert_string_equal(
	        cJSON_GetObjectItem(cJSON_GetArrayItem(added, 0), "namespace")
	                ->valuestring,
	        "testing");
	cJSON_Delete(added);
	assert_true(exists(trustfile));
	regclient_set_free(s);

	/* Rollback: the mirror now serves the older, validly signed index. */
	snprintf(p1, sizeof p1, "%s/old.json", tmp);
	snprintf(p2, sizeof p2, "%s/index.json", reg);
	copy_file(p1, p2);
	snprintf(p1, sizeof p1, "%s/old.json.minisig", tmp);
	snprintf(p2, sizeof p2, "%s/index.json.minisig", reg);
	copy_file(p1, p2);
	s = (struct regclient_set *)1;
	assert_int_equal(regclient_open(home, NULL, &always, &s, &e),
	                 SH_ERR_TRUST);
	assert_null(s);
	assert_non_null(strstr(e.msg, "rollback"));
	/* Falling back keeps the newer cached index. */
	assert_int_equal(regclient_open(home, NULL, &try, &s, &e), SH_OK);
	assert_non_null(s->regs[0].ix);
	j = regclient_list_json(s);
	assert_int_equal(
	        cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "index_version")
	                ->valuedouble,
	        (double)version);
	cJSON_Delete(j);
	regclient_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_names),
	        cmocka_unit_test_setup_teardown(test_add_refusals, setup_each,
	                                        temphome_teardown),
	        cmocka_unit_test_setup_teardown(test_damaged_file, setup_each,
	                                        temphome_teardown),
	        cmocka_unit_test_setup_teardown(test_unreachable_registry,
	                                        setup_each, temphome_teardown),
	        cmocka_unit_test_setup_teardown(test_signed_registry,
	                                        setup_each, temphome_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
