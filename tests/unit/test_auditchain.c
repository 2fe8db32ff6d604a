/*
 * test_auditchain.c - the audit log's hash chain and seals: records from
 * several threads form one chain across rotations; every file but the
 * live one is sealed; verification names the line after an edit, a
 * removal, a swap or a cut, and a file after a seal fault; the tail hash
 * the writer resumes from; argument values never reach the log; and the
 * cost of one record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "auditchain.h"
#include "fsutil.h"
#include "minisig.h"
#include "status.h"
#include "temphome.h"

#define SECRET  "unit-secret-51c0"
#define THREADS 4
#define PER     150

static struct audit_caller who = {"mcp",   "s-1",   "client-a",
                                  "alice", "app-7", "sales"};

static struct audit_record rec(void)
{
	static const char args[] = "{\"q\":\"" SECRET "\"}";
	struct audit_record r = {.caller = &who,
	                         .skill = "ns/s",
	                         .version = "1.2.3",
	                         .digest = "abcd",
	                         .tool = "ns/s.t",
	                         .args = args,
	                         .args_len = sizeof args - 1,
	                         .isolation = "isolated",
	                         .status = "ok",
	                         .duration_ns = 1000,
	                         .bytes_in = sizeof args - 1,
	                         .bytes_out = 2};
	return r;
}

static void *writer(void *arg)
{
	struct audit *a = arg;
	struct audit_record r = rec();

	for (int i = 0; i < PER; i++)
		if (audit_write(a, &r, NULL) != SH_OK)
			return (void *)1;
	return NULL;
}

/* Fill home's log from THREADS threads; max_bytes 0 is the default cap. */
static void fill(uint64_t max_bytes)
{
	pthread_t t[THREADS];
	struct audit *a;
	struct sh_error e;
	void *ret;

	assert_int_equal(fs_mkdirs(home, 0700, &e), SH_OK);
	assert_int_equal(audit_open(home, max_bytes, "cli", &a, &e), SH_OK);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer, a), 0);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	audit_close(a);
}

static sh_status verify_home(struct auditchain_result *res)
{
	char **files, pub[256];
	struct minisig_pubkey pk;
	struct sh_error e;
	size_t n;
	int anchored, have = 0;
	sh_status rc;

	snprintf(pub, sizeof pub, "%s/%s", home, AUDIT_PUB_FILE);
	if (fs_exists(pub)) {
		assert_int_equal(minisig_pubkey_load(pub, &pk, &e), SH_OK);
		have = 1;
	}
	assert_int_equal(auditchain_files(home, &files, &n, &anchored, &e),
	                 SH_OK);
	rc = auditchain_verify((const char *const *)files, n, anchored,
	                       have ? &pk : NULL, res, &e);
	auditchain_files_free(files, n);
	return rc;
}

static void live_path(char *buf, size_t cap, int n)
{
	if (n)
		snprintf(buf, cap, "%s/%s/%s.%d", home, AUDIT_DIR, AUDIT_FILE,
		         n);
	else
		snprintf(buf, cap, "%s/%s/%s", home, AUDIT_DIR, AUDIT_FILE);
}

static int reset(void **state)
{
	struct sh_error e;

	(void)state;
	fs_remove_tree(home, &e);
	return 0;
}

static void test_one_chain_from_threads(void **state)
{
	struct auditchain_result res;
	char path[256], *text;
	struct sh_error e;

	(void)state;
	fill(0);
	assert_int_equal(verify_home(&res), SH_OK);
	assert_int_equal(res.records, THREADS * PER);
	assert_int_equal(res.files, 1);
	live_path(path, sizeof path, 0);
	assert_int_equal(fs_read_file(path, 1 << 24, &text, NULL, &e), SH_OK);
	assert_null(strstr(text, SECRET));
	assert_non_null(strstr(text, "\"principal\":\"alice\""));
	assert_non_null(
	        strstr(text, "\"sub\":\"alice\",\"client_id\":\"app-7\""));
	assert_non_null(strstr(text, "\"profile\":\"sales\""));
	assert_non_null(
	        strstr(text, "\"version\":\"1.2.3\",\"digest\":\"abcd\""));
	assert_non_null(strstr(text, "\"args_hash\":\"blake2b256:"));
	/* The first record starts the chain. */
	assert_non_null(strstr(text, "\"prev\":\"" AUDIT_GENESIS "\"}\n"));
	free(text);
}

static void test_rotation_seals(void **state)
{
	struct auditchain_result res;
	char path[300];
	struct stat st;

	(void)state;
	fill(3000);
	assert_int_equal(verify_home(&res), SH_OK);
	assert_true(res.files == AUDIT_KEEP + 1);
	assert_int_equal(res.seals, AUDIT_KEEP);
	for (int i = 1; i <= AUDIT_KEEP; i++) {
		live_path(path, sizeof path, i);
		strcat(path, AUDIT_SEAL_EXT);
		assert_true(fs_exists(path));
	}
	snprintf(path, sizeof path, "%s/%s", home, AUDIT_KEY_FILE);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* The oldest slot is taken, so older files may have gone: the first
	 * record kept is not required to start the chain. */
	live_path(path, sizeof path, AUDIT_KEEP);
	assert_true(fs_exists(path));
}

/* Rewrite file n of the log through edit(text, len) and expect
 * verification to fail at (file n, line). */
static void expect_fault(int n, void (*edit)(char *text, size_t *len),
                         unsigned long line, const char *why)
{
	struct auditchain_result res;
	char path[256], *text;
	struct sh_error e;
	size_t len;

	live_path(path, sizeof path, n);
	assert_int_equal(fs_read_file(path, 1 << 24, &text, &len, &e), SH_OK);
	edit(text, &len);
	assert_int_equal(fs_write_atomic(path, text, len, 0600, &e), SH_OK);
	free(text);
	assert_int_equal(verify_home(&res), SH_ERR_TRUST);
	assert_string_equal(res.file, path);
	assert_int_equal(res.line, line);
	if (!strstr(res.why, why))
		fail_msg("wanted '%s' in '%s'", why, res.why);
}

static char *line_start(char *text, int k) /* 1-based */
{
	for (int i = 1; i < k; i++)
		text = strchr(text, '\n') + 1;
	return text;
}

static void edit_byte(char *text, size_t *len)
{
	char *p = strstr(line_start(text, 2), "\"ok\"");
	(void)len;
	p[1] = 'O';
}

static void delete_line(char *text, size_t *len)
{
	char *a = line_start(text, 2), *b = line_start(text, 3);
	memmove(a, b, (size_t)(text + *len - b));
	*len -= (size_t)(b - a);
}

static void swap_lines(char *text, size_t *len)
{
	char *a = line_start(text, 2), *b = line_start(text, 3),
	     *c = line_start(text, 4);
	size_t la = (size_t)(b - a), lb = (size_t)(c - b);
	char tmpbuf[8192];

	(void)len;
	memcpy(tmpbuf, a, la);
	memmove(a, b, lb);
	memcpy(a + lb, tmpbuf, la);
}

static void cut_end(char *text, size_t *len)
{
	(void)text;
	*len -= 2;
}

static void drop_last_line(char *text, size_t *len)
{
	*len -= 1;
	while (*len > 0 && text[*len - 1] != '\n')
		(*len)--;
}

static void test_faults_live(void **state)
{
	(void)state;
	fill(0);
	expect_fault(0, edit_byte, 3, "hash of line 2");
	reset(NULL);
	fill(0);
	expect_fault(0, delete_line, 2, "hash of line 1");
	reset(NULL);
	fill(0);
	expect_fault(0, swap_lines, 2, "hash of line 1");
	reset(NULL);
	fill(0);
	expect_fault(0, cut_end, THREADS * PER, "cut");
}

static void test_faults_sealed(void **state)
{
	struct auditchain_result res;
	char path[256], seal[300];
	struct sh_error e;

	(void)state;
	fill(3000);
	/* The last line of a sealed file: only the seal can tell. */
	expect_fault(2, drop_last_line, 0, "seal does not verify");
	reset(NULL);
	fill(3000);
	expect_fault(2, cut_end, 6, "cut");
	reset(NULL);
	fill(3000);
	live_path(path, sizeof path, 2);
	snprintf(seal, sizeof seal, "%s%s", path, AUDIT_SEAL_EXT);
	assert_int_equal(unlink(seal), 0);
	assert_int_equal(verify_home(&res), SH_ERR_TRUST);
	assert_string_equal(res.file, path);
	assert_non_null(strstr(res.why, "no seal"));
	/* A whole file removed: the next file does not follow on. */
	reset(NULL);
	fill(3000);
	live_path(path, sizeof path, 3);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(verify_home(&res), SH_ERR_TRUST);
	live_path(path, sizeof path, 2);
	assert_string_equal(res.file, path);
	assert_int_equal(res.line, 1);
	/* Without the public key a seal cannot be trusted. */
	reset(NULL);
	fill(3000);
	snprintf(path, sizeof path, "%s/%s", home, AUDIT_PUB_FILE);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(verify_home(&res), SH_ERR_TRUST);
	assert_non_null(strstr(res.why, "no audit public key"));
	(void)e;
}

/* Two handles on one log, as two processes have: each sees the other's
 * rotations and appends, and never writes into a file already sealed. */
static void test_two_writers(void **state)
{
	struct audit_record r = rec(), big = rec();
	struct auditchain_result res;
	struct audit *a, *b;
	struct sh_error e;

	(void)state;
	big.detail = "a longer detail that makes this writer rotate first";
	assert_int_equal(fs_mkdirs(home, 0700, &e), SH_OK);
	assert_int_equal(audit_open(home, 3000, "cli", &a, &e), SH_OK);
	assert_int_equal(audit_open(home, 3000, "cli", &b, &e), SH_OK);
	for (int i = 0; i < 40; i++) {
		assert_int_equal(audit_write(a, &big, &e), SH_OK);
		assert_int_equal(audit_write(b, &r, &e), SH_OK);
		assert_int_equal(audit_write(b, &r, &e), SH_OK);
	}
	audit_close(a);
	audit_close(b);
	assert_int_equal(verify_home(&res), SH_OK);
	assert_true(res.seals >= 3);
}

static void test_tail_hash(void **state)
{
	static const char two[] = "{\"a\":1}\n{\"b\":2}\n",
	                  cut[] = "{\"a\":1}\n{\"b\"";
	uint8_t got[AUDITCHAIN_HASH_BYTES], want[AUDITCHAIN_HASH_BYTES];
	char path[256];
	struct sh_error e;
	int fd;

	(void)state;
	snprintf(path, sizeof path, "%s/tail", tmp);
	assert_int_equal(fs_write_atomic(path, two, sizeof two - 1, 0600, &e),
	                 SH_OK);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(auditchain_tail_fd(fd, sizeof two - 1, got, &e),
	                 SH_OK);
	auditchain_hash("{\"b\":2}", 7, want);
	assert_memory_equal(got, want, sizeof got);
	close(fd);
	assert_int_equal(fs_write_atomic(path, cut, sizeof cut - 1, 0600, &e),
	                 SH_OK);
	fd = open(path, O_RDONLY);
	assert_int_equal(auditchain_tail_fd(fd, sizeof cut - 1, got, &e),
	                 SH_OK);
	auditchain_hash("{\"b\"", 4, want);
	assert_memory_equal(got, want, sizeof got);
	close(fd);
}

/* What one record costs, for the report; bounded loosely so that a lock
 * or a re-read of the file per record would fail it. */
static void test_record_cost(void **state)
{
	struct audit_record r = rec();
	struct timespec t0, t1;
	struct audit *a;
	struct sh_error e;
	const int n = 2000;
	double us;

	(void)state;
	assert_int_equal(fs_mkdirs(home, 0700, &e), SH_OK);
	assert_int_equal(audit_open(home, 0, "cli", &a, &e), SH_OK);
	assert_int_equal(audit_write(a, &r, &e), SH_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		assert_int_equal(audit_write(a, &r, &e), SH_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	audit_close(a);
	us = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	      (double)(t1.tv_nsec - t0.tv_nsec)) /
	     n / 1000;
	printf("audit: %.2f us per record (format, hash, flock, append)\n", us);
	assert_true(us < 500);
}

static int setup(void **state)
{
	(void)state;
	return temphome_make("auditchain");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_teardown(test_one_chain_from_threads, reset),
	        cmocka_unit_test_teardown(test_rotation_seals, reset),
	        cmocka_unit_test_teardown(test_faults_live, reset),
	        cmocka_unit_test_teardown(test_faults_sealed, reset),
	        cmocka_unit_test_teardown(test_two_writers, reset),
	        cmocka_unit_test(test_tail_hash),
	        cmocka_unit_test_teardown(test_record_cost, reset),
	};

	return cmocka_run_group_tests(tests, setup, temphome_teardown);
}
