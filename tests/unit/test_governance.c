/*
 * test_governance.c - resource governance below the CLI: durations, the
 * order in which a call's deadline is chosen (and that nothing configured
 * still means 60 s), the artifact quotas (per call, the whole store; the
 * partial file deleted, the result naming the cap), listing with the
 * writing skill, and pruning by age, dry runs and stale partial files.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "artifacts.h"
#include "call.h"
#include "config.h"
#include "hostapi.h"

static char home[256];

static int setup(void **state)
{
	(void)state;
	snprintf(home, sizeof home, "/tmp/skillhost-gov.XXXXXX");
	return mkdtemp(home) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_durations(void **state)
{
	static const struct {
		const char *in;
		int64_t ms; /* -1: refused */
	} cases[] = {
	        {"1500", 1500},
	        {"250ms", 250},
	        {"30s", 30000},
	        {"2m", 120000},
	        {"1h", 3600000},
	        {"7d", 604800000},
	        {"0", -1},
	        {"0s", -1},
	        {"-5", -1},
	        {"", -1},
	        {"s", -1},
	        {"5x", -1},
	        {"5 s", -1},
	        {"1.5s", -1},
	        {"99999999999999999999", -1},
	        {"99999999d", -1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int64_t ms = 0;
		int rc = config_parse_duration_ms(cases[i].in, &ms);
		if (cases[i].ms < 0) {
			if (rc != -1)
				fail_msg("'%s' was accepted", cases[i].in);
		} else if (rc != 0 || ms != cases[i].ms) {
			fail_msg("'%s': rc %d, %lld ms", cases[i].in, rc,
			         (long long)ms);
		}
	}
	assert_int_equal(config_parse_duration_ms(NULL, NULL), -1);
}

static struct config *load(void)
{
	struct config *c = NULL;
	struct sh_error e;

	if (config_load(home, &c, &e) != SH_OK)
		fail_msg("%s", e.msg);
	return c;
}

static void set_host(const char *key, const char *value)
{
	struct sh_error e;

	if (config_update_host(home, key, value, &e) != SH_OK)
		fail_msg("%s", e.msg);
}

static void set_policy(const char *skill, const char *key, const char *value)
{
	struct sh_error e;

	if (config_update(home, skill, "policy", key, value, &e) != SH_OK)
		fail_msg("%s", e.msg);
}

static void test_deadline_precedence(void **state)
{
	struct config *c;

	(void)state;
	/* Nothing configured anywhere: still a deadline, of 60 s. */
	assert_int_equal(config_call_timeout_ms(NULL, "a/b", 0, 0),
	                 CONFIG_TIMEOUT_DEFAULT_MS);
	assert_int_equal(CONFIG_TIMEOUT_DEFAULT_MS, 60000);
	c = load();
	assert_int_equal(config_call_timeout_ms(c, "a/b", 0, 0), 60000);
	config_free(c);

	set_host("timeout", "120000");
	c = load();
	assert_string_equal(config_host(c, "timeout"), "120000");
	assert_int_equal(config_call_timeout_ms(c, "a/b", 0, 0), 120000);
	/* A server's --call-timeout is host-wide too, above the config. */
	assert_int_equal(config_call_timeout_ms(c, "a/b", 0, 9000), 9000);
	config_free(c);

	set_policy("a/b", "timeout", "5000");
	c = load();
	assert_int_equal(config_call_timeout_ms(c, "a/b", 0, 9000), 5000);
	assert_int_equal(config_call_timeout_ms(c, "a/other", 0, 0), 120000);
	/* The caller's own deadline beats everything, longer or shorter. */
	assert_int_equal(config_call_timeout_ms(c, "a/b", 30000, 9000), 30000);
	assert_int_equal(config_call_timeout_ms(c, "a/b", 10, 9000), 10);
	config_free(c);

	/* Hand-edited values: units work, junk falls through. */
	set_policy("a/b", "timeout", "2m");
	set_host("timeout", "soon");
	c = load();
	assert_int_equal(config_call_timeout_ms(c, "a/b", 0, 0), 120000);
	assert_int_equal(config_call_timeout_ms(c, "a/other", 0, 0), 60000);
	config_free(c);
	set_policy("a/b", "timeout", NULL);
	set_host("timeout", NULL);
	c = load();
	assert_null(config_host(c, "timeout"));
	assert_int_equal(config_call_timeout_ms(c, "a/b", 0, 0), 60000);
	config_free(c);
}

/* Files in dir, partial ones included. */
static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' || !strncmp(de->d_name, ".tmp-", 5);
	closedir(d);
	return n;
}

struct fixture {
	struct host_services svc;
	struct config *cfg;
	char dir[300];
};

static void fixture_open(struct fixture *f, const char *sub)
{
	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "%s/%s", home, sub);
	f->cfg = load();
	f->svc.config = f->cfg;
	f->svc.artifacts_dir = f->dir;
}

static void begin(struct skill_call *c, struct fixture *f)
{
	call_init(c, "acme/deck", "acme/deck.make", NULL);
	c->services = &f->svc;
}

static char *end_text(struct skill_call *c, int *is_error)
{
	struct call_result r;
	cJSON *j;
	char *s;

	call_finish(c, &r);
	*is_error = r.is_error;
	j = call_result_to_json(&r);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static void test_call_cap(void **state)
{
	const skill_ext_artifacts_t *x = &artifacts_ext;
	static char block[600];
	struct fixture f;
	struct skill_call c;
	skill_artifact_t *a, *b;
	int is_error;
	char *s;

	(void)state;
	memset(block, 'x', sizeof block);
	set_host("artifacts-call-max", "1K");
	fixture_open(&f, "cap");
	begin(&c, &f);
	assert_int_equal(x->create(&c, "one.txt", "text/plain", &a), SKILL_OK);
	assert_int_equal(x->write(&c, a, block, sizeof block), SKILL_OK);
	assert_int_equal(x->commit(&c, a, NULL), SKILL_OK);
	/* The cap is per call, across its artifacts: 600 + 600 > 1024. */
	assert_int_equal(x->create(&c, "two.txt", "text/plain", &b), SKILL_OK);
	assert_int_equal(count_files(f.dir), 2);
	assert_int_equal(x->write(&c, b, block, sizeof block), SKILL_ERR_NOMEM);
	assert_int_equal(count_files(f.dir), 1); /* the partial is gone */
	assert_int_equal(x->write(&c, b, "y", 1), SKILL_ERR_NOMEM);
	assert_int_equal(x->commit(&c, b, NULL), SKILL_ERR_NOMEM);
	s = end_text(&c, &is_error);
	assert_true(is_error);
	assert_non_null(strstr(s, "per-call cap of 1 KiB"));
	assert_non_null(strstr(s, "skillhost config acme/deck "
	                          "artifacts-call-max SIZE"));
	free(s);
	assert_int_equal(count_files(f.dir), 1);

	/* The skill's own policy beats the host-wide cap. */
	set_policy("acme/deck", "artifacts-call-max", "4K");
	config_free(f.cfg);
	fixture_open(&f, "cap");
	begin(&c, &f);
	assert_int_equal(x->create(&c, "big.txt", "text/plain", &a), SKILL_OK);
	for (int i = 0; i < 5; i++)
		assert_int_equal(x->write(&c, a, block, sizeof block),
		                 SKILL_OK);
	assert_int_equal(x->commit(&c, a, NULL), SKILL_OK);
	s = end_text(&c, &is_error);
	assert_false(is_error);
	free(s);
	/* A new call starts from nothing. */
	begin(&c, &f);
	assert_int_equal(x->create(&c, "again.txt", "text/plain", &a),
	                 SKILL_OK);
	assert_int_equal(x->write(&c, a, block, sizeof block), SKILL_OK);
	s = end_text(&c, &is_error); /* not committed: discarded */
	free(s);
	assert_int_equal(count_files(f.dir), 2);
	config_free(f.cfg);
	set_policy("acme/deck", "artifacts-call-max", NULL);
	set_host("artifacts-call-max", NULL);
}

static void test_store_cap(void **state)
{
	const skill_ext_artifacts_t *x = &artifacts_ext;
	static char block[1000];
	struct artifact_entry *v;
	struct fixture f;
	struct skill_call c;
	struct sh_error e;
	skill_artifact_t *a;
	int is_error;
	size_t n;
	char *s;

	(void)state;
	memset(block, 'z', sizeof block);
	set_host("artifacts-max", "2500");
	fixture_open(&f, "store");
	for (int i = 0; i < 2; i++) {
		begin(&c, &f);
		assert_int_equal(x->create(&c, "r.txt", "text/plain", &a),
		                 SKILL_OK);
		assert_int_equal(x->write(&c, a, block, sizeof block),
		                 SKILL_OK);
		assert_int_equal(x->commit(&c, a, NULL), SKILL_OK);
		free(end_text(&c, &is_error));
	}
	/* 2000 of 2500 used: the third write crosses the cap. */
	begin(&c, &f);
	assert_int_equal(x->create(&c, "r.txt", "text/plain", &a), SKILL_OK);
	assert_int_equal(x->write(&c, a, block, sizeof block), SKILL_ERR_NOMEM);
	assert_int_equal(count_files(f.dir), 2);
	s = end_text(&c, &is_error);
	assert_true(is_error);
	assert_non_null(strstr(s, "artifact store is full"));
	assert_non_null(strstr(s, "artifacts-max"));
	assert_non_null(strstr(s, "skillhost artifacts prune"));
	free(s);
	/* Listed with the skill that wrote them, oldest first. */
	assert_int_equal(artifacts_list(f.dir, &v, &n, &e), SH_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].size, 1000);
	assert_non_null(strstr(v[0].id, "-r.txt"));
	/* tmpfs and ext4 keep user attributes; an unknown skill is "". */
	if (v[0].skill[0])
		assert_string_equal(v[0].skill, "acme/deck");
	free(v);
	assert_int_equal(artifacts_usage(f.dir), 2000);

	/* Expired artifacts make room when the store is full. */
	{
		DIR *d = opendir(f.dir);
		struct dirent *de;
		struct timespec old[2] = {{time(NULL) - 30 * 86400, 0},
		                          {time(NULL) - 30 * 86400, 0}};
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				utimensat(dirfd(d), de->d_name, old, 0);
		closedir(d);
	}
	set_host("artifacts-max", "1500");
	config_free(f.cfg);
	fixture_open(&f, "store");
	begin(&c, &f);
	assert_int_equal(x->create(&c, "r.txt", "text/plain", &a), SKILL_OK);
	assert_int_equal(x->write(&c, a, block, sizeof block), SKILL_OK);
	assert_int_equal(x->commit(&c, a, NULL), SKILL_OK);
	free(end_text(&c, &is_error));
	assert_false(is_error);
	assert_int_equal(count_files(f.dir), 1);
	config_free(f.cfg);
	set_host("artifacts-max", NULL);
}

static void touch(const char *dir, const char *name, int64_t age_s)
{
	char path[600];
	struct timespec t[2] = {{time(NULL) - age_s, 0},
	                        {time(NULL) - age_s, 0}};
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abcd", 4), 4);
	close(fd);
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void count_each(void *ud, const struct artifact_entry *a)
{
	(void)a;
	++*(int *)ud;
}

static void test_prune(void **state)
{
	struct artifacts_limits lim;
	struct artifact_entry *v;
	struct sh_error e;
	char dir[300], link[400];
	struct stat st;
	uint64_t bytes;
	size_t n;
	int seen = 0;

	(void)state;
	snprintf(dir, sizeof dir, "%s/prune", home);
	assert_int_equal(mkdir(dir, 0700), 0);
	touch(dir, "aaaa-old.txt", 10 * 86400);
	touch(dir, "bbbb-week.txt", 6 * 86400);
	touch(dir, "cccc-new.txt", 0);
	touch(dir, ".tmp-dddd-dead.txt", 2 * 3600);
	touch(dir, ".tmp-eeee-live.txt", 0);
	/* Not a regular file: never listed, counted or removed. */
	snprintf(link, sizeof link, "%s/ffff-link.txt", dir);
	assert_int_equal(symlink("/etc/hostname", link), 0);

	artifacts_limits(NULL, NULL, &lim);
	assert_int_equal(lim.keep_ms, ARTIFACTS_KEEP_DEFAULT_MS);
	assert_int_equal(lim.call_max, ARTIFACTS_CALL_MAX_DEFAULT);
	assert_int_equal(lim.store_max, ARTIFACTS_STORE_MAX_DEFAULT);

	assert_int_equal(artifacts_list(dir, &v, &n, &e), SH_OK);
	assert_int_equal(n, 3); /* partial files are not artifacts */
	assert_string_equal(v[0].id, "aaaa-old.txt");
	assert_string_equal(v[2].id, "cccc-new.txt");
	assert_string_equal(v[0].skill, "");
	free(v);

	/* A dry run says what would go and removes nothing. */
	assert_int_equal(artifacts_prune(dir, lim.keep_ms, 1, count_each, &seen,
	                                 &n, &bytes, &e),
	                 SH_OK);
	assert_int_equal(n, 1);
	assert_int_equal(seen, 1);
	assert_int_equal(count_files(dir), 6);
	/* The retention removes the old one and the dead partial file. */
	assert_int_equal(artifacts_prune(dir, lim.keep_ms, 0, NULL, NULL, &n,
	                                 &bytes, &e),
	                 SH_OK);
	assert_int_equal(n, 1);
	assert_int_equal(bytes, 4);
	assert_int_equal(count_files(dir), 4);
	/* 0: every artifact; a live partial file stays. */
	assert_int_equal(artifacts_prune(dir, 0, 0, NULL, NULL, &n, &bytes, &e),
	                 SH_OK);
	assert_int_equal(n, 2);
	assert_int_equal(count_files(dir), 2);
	assert_int_equal(lstat(link, &st), 0);
	/* A missing folder is nothing to do. */
	assert_int_equal(artifacts_prune("/nonexistent-skillhost-dir", 0, 0,
	                                 NULL, NULL, &n, &bytes, &e),
	                 SH_OK);
	assert_int_equal(n, 0);
	assert_int_equal(
	        artifacts_list("/nonexistent-skillhost-dir", &v, &n, &e),
	        SH_OK);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_durations),
	        cmocka_unit_test(test_deadline_precedence),
	        cmocka_unit_test(test_call_cap),
	        cmocka_unit_test(test_store_cap),
	        cmocka_unit_test(test_prune),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
