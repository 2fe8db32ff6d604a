/*
 * test_artifacts.c - the host side of skill.artifacts/1 (artifacts.h),
 * driven on a real call and a temporary folder: a committed artifact lands
 * whole under "<id>-<name>" with a resource_link and filled info; nothing
 * appears under a real name before commit; discard and an abandoned handle
 * leave no file; bad names, a missing folder and an undeclared permission
 * are refused; inputs are readable only inside the allowed folders (not
 * through a symlink out of them); artifacts_path refuses ids that are not a
 * plain file name; an early commit (artifacts_commit_early) lands the same
 * once settled, and one that cannot be finished fails the call and leaves
 * nothing.
 */
#include <dirent.h>
#include <limits.h>
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

#include "artifacts.h"
#include "call.h"
#include "hostapi.h"
#include "perms.h"

static char root[PATH_MAX / 2], outdir[PATH_MAX], indir[PATH_MAX / 2 + 8];
static char *inputs[2];
static struct host_services svc;
static struct skill_call call;
static char last_log[PATH_MAX + 256];

/* The call's log sink: keeps the last message, to check what the operator
 * is told. */
static void on_log(void *ud, skill_log_level level, const char *logger,
                   const char *msg)
{
	(void)ud;
	(void)level;
	(void)logger;
	snprintf(last_log, sizeof last_log, "%s", msg);
}

static const struct call_sinks sinks = {.log = on_log,
                                        .log_min = SKILL_LOG_DEBUG};

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(root, sizeof root, "%s/skillhost-art-XXXXXX",
	         t && *t ? t : "/tmp");
	assert_non_null(mkdtemp(root));
	snprintf(outdir, sizeof outdir, "%s/out", root);
	snprintf(indir, sizeof indir, "%s/in", root);
	assert_int_equal(mkdir(indir, 0700), 0);
	memset(&svc, 0, sizeof svc);
	svc.artifacts_dir = outdir; /* created on first use */
	inputs[0] = indir;
	inputs[1] = NULL;
	svc.input_dirs = inputs;
	call_init(&call, "acme/deck", "acme/deck.make", NULL);
	call.services = &svc;
	call.sinks = &sinks;
	last_log[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	struct call_result r;

	(void)state;
	call_finish(&call, &r);
	call_result_free(&r);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* The names in outdir, sorted into one string "a,b,". */
static void listing(char *out, size_t cap)
{
	struct dirent **ents;
	int n = scandir(outdir, &ents, NULL, alphasort);
	size_t j = 0;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") &&
		    strcmp(ents[i]->d_name, ".."))
			j += (size_t)snprintf(out + j, cap - j, "%s,",
			                      ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
}

static void test_commit(void **state)
{
	const skill_ext_artifacts_t *x = &artifacts_ext;
	skill_artifact_t *a;
	skill_artifact_info_t info = {.struct_size = sizeof info};
	char names[1024], buf[32];
	FILE *f;

	(void)state;
	assert_int_equal(x->create(&call, "Q3 report.pptx",
	                           "application/vnd.ms-powerpoint", &a),
	                 SKILL_OK);
	assert_int_equal(x->write(&call, a, "hello ", 6), SKILL_OK);
	assert_int_equal(x->write(&call, a, "world", 5), SKILL_OK);
	/* Before commit only a hidden temporary file exists. */
	listing(names, sizeof names);
	assert_true(strncmp(names, ".tmp-", 5) == 0);
	assert_int_equal(strchr(names, ',')[1], '\0'); /* and nothing else */

	assert_int_equal(x->commit(&call, a, &info), SKILL_OK);
	assert_int_equal(info.size, 11);
	/* The name is cleaned ([A-Za-z0-9._-]) and follows a random id. */
	assert_non_null(strstr(info.id, "-Q3_report.pptx"));
	assert_true(strncmp(info.uri, "file://", 7) == 0);
	assert_true(strncmp(info.path, outdir, strlen(outdir)) == 0);
	listing(names, sizeof names);
	snprintf(buf, sizeof buf, "%.16s", info.id);
	assert_non_null(strstr(names, buf));
	assert_null(strstr(names, ".tmp-")); /* no temporary left */
	f = fopen(info.path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof buf, f), 11);
	fclose(f);
	assert_memory_equal(buf, "hello world", 11);

	/* The call's result links to it. */
	cJSON *link = cJSON_GetArrayItem(call.content, 0);
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(link, "type")),
	        "resource_link");
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(link, "uri")),
	        info.uri);
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(link, "name")),
	        "Q3_report.pptx");
	/* A committed handle is released: using it again is refused. */
	assert_int_equal(x->write(&call, a, "x", 1), SKILL_ERR_ARGS);
}

/* The descriptor this process holds on the artifact's temporary file. */
static int tmp_fd(void)
{
	char link[32], target[PATH_MAX];

	for (int fd = 3; fd < 1024; fd++) {
		ssize_t n;
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof target - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strstr(target, "/.tmp-"))
			return fd;
	}
	return -1;
}

/* artifacts_commit_early answers at once and finishes on another thread:
 * after artifacts_settle the file is whole under its final name, the link
 * is in the result, the handle is spent; a second commit waits for the
 * first. A commit that cannot be finished turns the call into an error
 * that says so and leaves no file at all. */
static void test_commit_early(void **state)
{
	const skill_ext_artifacts_t *x = &artifacts_ext;
	skill_artifact_t *a, *b;
	skill_artifact_info_t ia = {.struct_size = sizeof ia};
	skill_artifact_info_t ib = {.struct_size = sizeof ib};
	char names[1024], buf[32];
	const char *text;
	FILE *f;
	int fd;

	(void)state;
	assert_int_equal(x->create(&call, "a.txt", "text/plain", &a), SKILL_OK);
	assert_int_equal(x->create(&call, "b.txt", "text/plain", &b), SKILL_OK);
	assert_int_equal(x->write(&call, a, "first", 5), SKILL_OK);
	assert_int_equal(x->write(&call, b, "second", 6), SKILL_OK);
	assert_int_equal(artifacts_commit_early(&call, a, &ia), SKILL_OK);
	assert_int_equal(ia.size, 5);
	assert_non_null(strstr(ia.id, "-a.txt"));
	assert_int_equal(artifacts_commit_early(&call, b, &ib), SKILL_OK);
	assert_int_equal(artifacts_settle(&call), 0);
	assert_int_equal(artifacts_settle(&call), 0); /* nothing left */
	listing(names, sizeof names);
	assert_null(strstr(names, ".tmp-"));
	f = fopen(ia.path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof buf, f), 5);
	fclose(f);
	assert_memory_equal(buf, "first", 5);
	f = fopen(ib.path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof buf, f), 6);
	fclose(f);
	assert_memory_equal(buf, "second", 6);
	assert_int_equal(cJSON_GetArraySize(call.content), 2);
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(
	                cJSON_GetArrayItem(call.content, 0), "uri")),
	        ia.uri);
	assert_int_equal(x->write(&call, a, "x", 1), SKILL_ERR_ARGS);
	assert_false(call.is_error);

	/* Its data cannot be synced (the descriptor is gone): the call is an
	 * error naming the artifact, and neither file remains. */
	assert_int_equal(x->create(&call, "c.txt", "text/plain", &a), SKILL_OK);
	assert_int_equal(x->write(&call, a, "lost", 4), SKILL_OK);
	assert_true((fd = tmp_fd()) >= 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(artifacts_commit_early(&call, a, &ia), SKILL_OK);
	assert_int_equal(artifacts_settle(&call), -1);
	assert_true(call.is_error);
	text = cJSON_GetStringValue(cJSON_GetObjectItem(
	        cJSON_GetArrayItem(call.content, 0), "text"));
	assert_non_null(text);
	assert_non_null(strstr(text, "c.txt could not be saved"));
	assert_non_null(strstr(text, "write its data to disk"));
	listing(names, sizeof names);
	assert_null(strstr(names, ".tmp-"));
	assert_null(strstr(names, "-c.txt"));
}

static void test_url_base(void **state)
{
	const skill_ext_artifacts_t *x = &artifacts_ext;
	skill_artifact_t *a;
	skill_artifact_info_t info = {.struct_size = sizeof info};

	(void)state;
	svc.artifact_url_base = "http://127.0.0.1:8080/artifacts/";
	assert_int_equal(x->create(&call, "a.txt", "text/plain", &a), SKILL_OK);
	assert_int_equal(x->commit(&call, a, &info), SKILL_OK);
	assert_true(strncmp(info.uri, svc.artifact_url_base,
	                    strlen(svc.artifact_url_base)) == 0);
	assert_string_equal(info.uri + strlen(svc.artifact_url_base), info.id);
	svc.artifact_url_base = NULL;
}

static void test_discard_and_abandon(void **state)
{
	const skill_ext_artifacts_t *x = &artifacts_ext;
	skill_artifact_t *a, *b;
	char names[1024];

	(void)state;
	assert_int_equal(
	        x->create(&call, "a.bin", "application/octet-stream", &a),
	        SKILL_OK);
	assert_int_equal(x->write(&call, a, "abc", 3), SKILL_OK);
	x->discard(&call, a);
	assert_int_equal(
	        x->create(&call, "b.bin", "application/octet-stream", &b),
	        SKILL_OK);
	assert_int_equal(x->write(&call, b, "abc", 3), SKILL_OK);
	/* b is neither committed nor discarded: the call's end removes it. */
	artifacts_release_all(&call);
	listing(names, sizeof names);
	assert_string_equal(names, "");
}

static void test_create_refusals(void **state)
{
	const skill_ext_artifacts_t *x = &artifacts_ext;
	skill_artifact_t *a = (skill_artifact_t *)&a;
	cJSON *perm;
	struct skill_perms *tp;

	(void)state;
	assert_int_equal(x->create(&call, "../evil", "text/plain", &a),
	                 SKILL_ERR_ARGS);
	assert_null(a); /* *out is cleared on failure */
	assert_int_equal(x->create(&call, ".hidden", "text/plain", &a),
	                 SKILL_ERR_ARGS);
	assert_int_equal(x->create(&call, "", "text/plain", &a),
	                 SKILL_ERR_ARGS);
	assert_int_equal(x->create(&call, "a.txt", "", &a), SKILL_ERR_ARGS);
	assert_int_equal(x->create(&call, "a.txt", "text/plain", NULL),
	                 SKILL_ERR_ARGS);

	svc.artifacts_dir = NULL;
	assert_int_equal(x->create(&call, "a.txt", "text/plain", &a),
	                 SKILL_ERR_UNSUPPORTED);
	svc.artifacts_dir = outdir;

	/* A signed manifest that does not declare "artifacts". */
	perm = cJSON_Parse("{\"filesystem\":[\"inputs\"]}");
	assert_int_equal(perms_from_json(perm, &tp, NULL), SH_OK);
	call.perms = tp;
	assert_int_equal(x->create(&call, "a.txt", "text/plain", &a),
	                 SKILL_ERR_DENIED);
	assert_non_null(
	        strstr(last_log, "\"artifacts\" filesystem permission"));
	call.perms = NULL;
	perms_free(tp);
	cJSON_Delete(perm);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_inputs(void **state)
{
	const skill_ext_artifacts_t *x = &artifacts_ext;
	char ok[PATH_MAX + 8], outside[PATH_MAX + 16], link[PATH_MAX + 8];
	char buf[16];
	skill_input_t *in;
	int64_t size = -1;
	cJSON *perm;
	struct skill_perms *tp;

	(void)state;
	snprintf(ok, sizeof ok, "%s/in.txt", indir);
	snprintf(outside, sizeof outside, "%s/secret.txt", root);
	snprintf(link, sizeof link, "%s/sneaky", indir);
	write_file(ok, "input!");
	write_file(outside, "secret");
	assert_int_equal(symlink(outside, link), 0);

	assert_int_equal(x->open_input(&call, ok, &in, &size), SKILL_OK);
	assert_int_equal(size, 6);
	assert_int_equal(x->read(&call, in, buf, sizeof buf), 6);
	assert_memory_equal(buf, "input!", 6);
	assert_int_equal(x->read(&call, in, buf, sizeof buf), 0); /* EOF */
	x->close_input(&call, in);
	assert_int_equal(x->read(&call, in, buf, sizeof buf), -1);

	assert_int_equal(x->open_input(&call, outside, &in, NULL),
	                 SKILL_ERR_DENIED);
	assert_null(in);
	/* The refusal tells the operator how to allow it. */
	assert_non_null(
	        strstr(last_log, "skillhost config acme/deck input-dir"));
	/* The symlink lies inside; what it points at does not. */
	assert_int_equal(x->open_input(&call, link, &in, NULL),
	                 SKILL_ERR_DENIED);
	snprintf(ok, sizeof ok, "%s/none.txt", indir);
	assert_int_equal(x->open_input(&call, ok, &in, NULL), SKILL_ERR_ARGS);
	snprintf(ok, sizeof ok, "%s/in.txt", indir);

	perm = cJSON_Parse("{\"filesystem\":[\"artifacts\"]}");
	assert_int_equal(perms_from_json(perm, &tp, NULL), SH_OK);
	call.perms = tp;
	assert_int_equal(x->open_input(&call, ok, &in, NULL), SKILL_ERR_DENIED);
	call.perms = NULL;
	perms_free(tp);
	cJSON_Delete(perm);
}

static void test_artifacts_path(void **state)
{
	char buf[PATH_MAX];
	struct sh_error e;
	static const char *const bad[] = {"",    ".x",   "a/b", "../a",
	                                  "a b", "a\\b", "%2e"};

	(void)state;
	assert_int_equal(
	        artifacts_path(&svc, "abc-x.pptx", buf, sizeof buf, &e), SH_OK);
	assert_true(strncmp(buf, outdir, strlen(outdir)) == 0);
	assert_string_equal(buf + strlen(outdir), "/abc-x.pptx");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(
		        artifacts_path(&svc, bad[i], buf, sizeof buf, &e),
		        SH_ERR_NOTFOUND);
	assert_int_equal(artifacts_path(&svc, NULL, buf, sizeof buf, &e),
	                 SH_ERR_NOTFOUND);
	svc.artifacts_dir = NULL;
	assert_int_equal(artifacts_path(&svc, "abc", buf, sizeof buf, &e),
	                 SH_ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "not enabled"));
	svc.artifacts_dir = outdir;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_commit, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_commit_early, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_url_base, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_discard_and_abandon, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_create_refusals, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_inputs, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_artifacts_path, setup,
	                                        teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
