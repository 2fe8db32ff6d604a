/*
 * test_secrets.c - what reaches a skill through skill.secrets/1: only the
 * operator's decisions (a stored value, or an approved environment
 * variable), never the environment on a manifest's word; development
 * skills (no manifest) may read the environment, and the host says so on
 * stderr once per skill and variable.
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
#include <unistd.h>

#include <cmocka.h>

#include "call.h"
#include "fsutil.h"
#include "hostapi.h"
#include "perms.h"
#include "secrets.h"
#include "stderr_capture.h"
#include "temphome.h"

static int setup(void **state)
{
	(void)state;
	if (temphome_make("secrets"))
		return -1;
	unsetenv("ACME_TOKEN");
	unsetenv("OTHER_VAR");
	return 0;
}

/* skill.secrets/1 get() as skill (declared: the manifest's secrets, or
 * NULL for a development skill) sees it; the value into buf. */
static int64_t get_as(const char *skill, const char *declared, const char *name,
                      char *buf, size_t cap)
{
	struct host_services svc = {.home = home};
	struct skill_call c;
	struct call_result r;
	cJSON *perm = NULL;
	struct skill_perms *tp = NULL;
	int64_t n;

	call_init(&c, skill, "t", NULL);
	c.services = &svc;
	if (declared) {
		char text[256];
		snprintf(text, sizeof text, "{\"secrets\":[%s]}", declared);
		perm = cJSON_Parse(text);
		assert_non_null(perm);
		assert_int_equal(perms_from_json(perm, &tp, NULL), SH_OK);
		c.perms = tp;
	}
	n = secrets_ext.get(&c, name, buf, cap);
	call_finish(&c, &r);
	call_result_free(&r);
	cJSON_Delete(perm);
	perms_free(tp);
	return n;
}

/* ACME_TOKEN as the installed skill (which declares it) sees it. */
static int64_t acme_token(const char *skill, char *buf, size_t cap)
{
	return get_as(skill, "\"ACME_TOKEN\"", "ACME_TOKEN", buf, cap);
}

static void test_env_needs_approval(void **state)
{
	char buf[64];
	struct sh_error e;

	(void)state;
	setenv("ACME_TOKEN", "from-the-env", 1);
	/* Declared by the manifest, set in the environment: not enough. */
	assert_int_equal(acme_token("acme/x", buf, sizeof buf), -1);
	/* Approved for another skill: still not this one's. */
	assert_int_equal(
	        secrets_allow_env(home, "acme/y", "ACME_TOKEN", NULL, &e),
	        SH_OK);
	assert_int_equal(acme_token("acme/x", buf, sizeof buf), -1);
	/* Approved for this skill: read at call time. */
	assert_int_equal(
	        secrets_allow_env(home, "acme/x", "ACME_TOKEN", NULL, &e),
	        SH_OK);
	assert_int_equal(acme_token("acme/x", buf, sizeof buf), 12);
	assert_string_equal(buf, "from-the-env");
	setenv("ACME_TOKEN", "rotated", 1);
	assert_int_equal(acme_token("acme/x", buf, sizeof buf), 7);
	/* Approval does not widen the manifest. */
	assert_int_equal(secrets_allow_env(home, "acme/x", "UNDECLARED",
	                                   "ACME_TOKEN", &e),
	                 SH_OK);
	assert_int_equal(get_as("acme/x", "\"ACME_TOKEN\"", "UNDECLARED", buf,
	                        sizeof buf),
	                 -2);
	/* Unset where the skill runs: missing, not an empty value. */
	unsetenv("ACME_TOKEN");
	assert_int_equal(acme_token("acme/x", buf, sizeof buf), -1);
}

static void test_env_variable_and_precedence(void **state)
{
	char buf[64];
	cJSON *d = NULL;
	struct sh_error e;
	struct stat st;
	char path[256];

	(void)state;
	setenv("OTHER_VAR", "other", 1);
	setenv("ACME_TOKEN", "same-name", 1);
	assert_int_equal(secrets_allow_env(home, "acme/z", "ACME_TOKEN",
	                                   "OTHER_VAR", &e),
	                 SH_OK);
	assert_int_equal(acme_token("acme/z", buf, sizeof buf), 5);
	assert_string_equal(buf, "other");
	assert_int_equal(secrets_describe(home, "acme/z", &d, &e), SH_OK);
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	                cJSON_GetObjectItemCaseSensitive(d, "ACME_TOKEN"),
	                "variable")),
	        "OTHER_VAR");
	cJSON_Delete(d);
	/* A stored value replaces the approval (the latest decision). */
	assert_int_equal(
	        secrets_set(home, "acme/z", "ACME_TOKEN", "stored", 6, &e),
	        SH_OK);
	assert_int_equal(acme_token("acme/z", buf, sizeof buf), 6);
	assert_int_equal(secrets_describe(home, "acme/z", &d, &e), SH_OK);
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	                cJSON_GetObjectItemCaseSensitive(d, "ACME_TOKEN"),
	                "source")),
	        "stored");
	assert_null(cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(d, "ACME_TOKEN"), "variable"));
	cJSON_Delete(d);
	/* And an approval replaces the stored value. */
	assert_int_equal(
	        secrets_allow_env(home, "acme/z", "ACME_TOKEN", NULL, &e),
	        SH_OK);
	assert_int_equal(acme_token("acme/z", buf, sizeof buf), 9);
	/* Remove takes the approval back; twice is not found. */
	assert_int_equal(secrets_set(home, "acme/z", "ACME_TOKEN", NULL, 0, &e),
	                 SH_OK);
	assert_int_equal(acme_token("acme/z", buf, sizeof buf), -1);
	assert_int_equal(secrets_set(home, "acme/z", "ACME_TOKEN", NULL, 0, &e),
	                 SH_ERR_NOTFOUND);
	/* Bad names are refused before anything is written. */
	assert_int_equal(
	        secrets_allow_env(home, "acme/z", "ACME_TOKEN", "BAD-VAR", &e),
	        SH_ERR_USAGE);
	assert_int_equal(secrets_allow_env(home, "acme/z", "lower", NULL, &e),
	                 SH_ERR_USAGE);
	snprintf(path, sizeof path, "%s/%s", home, SECRETS_FILE);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unsetenv("OTHER_VAR");
	unsetenv("ACME_TOKEN");
}

static void test_development_skills(void **state)
{
	struct stderr_capture cap;
	char buf[64];
	char *log = NULL, *first;

	(void)state;
	stderr_capture_start(&cap, tmp);
	setenv("ACME_TOKEN", "dev-value", 1);
	/* No manifest, no store decision: the environment, said aloud. */
	assert_int_equal(
	        get_as("acme/dev", NULL, "ACME_TOKEN", buf, sizeof buf), 9);
	assert_int_equal(
	        get_as("acme/dev", NULL, "ACME_TOKEN", buf, sizeof buf), 9);
	/* An installed skill of another name next to it gets nothing, and
	 * is told how the operator approves it. */
	assert_int_equal(acme_token("acme/inst", buf, sizeof buf), -1);
	unsetenv("ACME_TOKEN");
	stderr_capture_end(&cap, &log);
	first = strstr(log, "development mode: passing environment variable "
	                    "ACME_TOKEN to skill acme/dev");
	assert_non_null(first);
	/* Once per skill and variable. */
	assert_null(strstr(first + 1, "development mode"));
	assert_non_null(strstr(log, "skillhost secret set acme/inst "
	                            "ACME_TOKEN --from-env"));
	assert_null(strstr(log, "dev-value"));
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_env_needs_approval),
	        cmocka_unit_test(test_env_variable_and_precedence),
	        cmocka_unit_test(test_development_skills),
	};
	return cmocka_run_group_tests(tests, setup, temphome_teardown);
}
