/*
 * test_audit_burst.c - the audit log under concurrency: a process keeps
 * the log's flock from one record to the next (a burst) and skips looking
 * at the file meanwhile, so these tests check that nothing is lost by it:
 * N threads x M records in one process and two processes writing one log
 * at once, with rotations, leave every record exactly once, one chain that
 * verifies and valid seals. The rounds go on until both a burst and
 * another process's append between two bursts were seen, so the skipped
 * checks were needed; a process that waits is let in within a few looks,
 * not only at the AUDIT_HOLD_MAX_NS backstop; nothing is held for long
 * once the writers stop. A sole writer seals from the digest it kept while
 * writing, and those seals verify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "auditchain.h"
#include "fsutil.h"
#include "minisig.h"
#include "status.h"
#include "temphome.h"

#define PROCS   2
#define THREADS 4
#define PER     150
/* Rounds to wait for the interleavings the tests are about (each round is
 * a few milliseconds; one is nearly always enough). */
#define ROUNDS 40
/* The two-process test's pace: 15 pauses per thread, so each process
 * writes for several looks of the other's releaser. */
#define PACE_US 400
/* A waiting process is let in within this (median of WAITS tries): a few
 * looks, well under the AUDIT_HOLD_MAX_NS backstop, which alone would
 * make it wait about half of that. */
#define WAIT_MAX_NS (AUDIT_HOLD_MAX_NS / 4)
#define WAITS       5

struct job {
	struct audit *a;
	int proc, thread, per;
	/* Sleep this long every 10 records (0: never), so that two processes
	 * overlap for longer than one of them takes to write alone. */
	unsigned pace_us;
	pthread_barrier_t *start;
};

/* The record of (proc, thread, i): its detail names it, so each can be
 * found once. Every record has the same length. */
static void record(struct audit_record *r, char *tag, size_t cap, int proc,
                   int thread, int i)
{
	snprintf(tag, cap, "p%d-t%d-%05d", proc, thread, i);
	memset(r, 0, sizeof *r);
	r->skill = "ns/s";
	r->version = "1.0.0";
	r->tool = "ns/s.t";
	r->args = "{}";
	r->args_len = 2;
	r->isolation = "isolated";
	r->status = "ok";
	r->detail = tag;
	r->duration_ns = 1000;
	r->bytes_in = 2;
	r->bytes_out = 2;
}

static void *writer(void *arg)
{
	struct job *j = arg;
	struct audit_record r;
	char tag[32];

	pthread_barrier_wait(j->start);
	for (int i = 0; i < j->per; i++) {
		record(&r, tag, sizeof tag, j->proc, j->thread, i);
		if (audit_write(j->a, &r, NULL) != SH_OK)
			return (void *)1;
		if (j->pace_us && i % 10 == 9)
			usleep(j->pace_us);
	}
	return NULL;
}

/* Whether another open file description can take the log's flock at
 * once: nothing is held. */
static int lock_free(void)
{
	char path[300];
	int fd, ok;

	snprintf(path, sizeof path, "%s/%s/audit.lock", home, AUDIT_DIR);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ok = flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return ok;
}

/* Milliseconds until nothing holds the log's flock, polled; -1 past 5 s.
 * A burst no record ended is let go AUDIT_BURST_NS after it began. */
static int ms_until_free(void)
{
	for (int ms = 0; ms < 5000; ms++) {
		if (lock_free())
			return ms;
		usleep(1000);
	}
	return -1;
}

/* Write threads x per records as process proc through a new handle on
 * home, all threads starting together; the handle's counters in *st.
 * alone: no other process writes, so the flock must be free at the end.
 * 0, or -1 on any failure (no cmocka here: a forked child runs it). */
static int run_writers(int proc, int threads, int per, uint64_t max_bytes,
                       int alone, unsigned pace_us, struct audit_stats *st)
{
	pthread_t t[THREADS];
	struct job j[THREADS];
	pthread_barrier_t start;
	struct audit *a;
	struct sh_error e;
	int bad = 0;
	void *ret;

	if (audit_open(home, max_bytes, "cli", &a, &e) != SH_OK)
		return -1;
	pthread_barrier_init(&start, NULL, (unsigned)threads);
	for (int i = 0; i < threads; i++) {
		j[i] = (struct job){a, proc, i, per, pace_us, &start};
		if (pthread_create(&t[i], NULL, writer, &j[i]))
			abort();
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], &ret);
		bad |= ret != NULL;
	}
	pthread_barrier_destroy(&start);
	audit_stats(a, st);
	/* The flock is let go within a burst's time of the last record,
	 * before the handle is closed (generous for a loaded machine). */
	if (alone && (unsigned)ms_until_free() > 1000)
		bad = 1;
	audit_close(a);
	return bad ? -1 : 0;
}

static void reset(void)
{
	struct sh_error e;

	fs_remove_tree(home, &e);
	assert_int_equal(fs_mkdirs(home, 0700, &e), SH_OK);
}

/* The length of one record, as the log writes it. */
static size_t record_bytes(void)
{
	char path[300], tag[32];
	struct audit_record r;
	struct audit *a;
	struct sh_error e;
	struct stat st;

	reset();
	assert_int_equal(audit_open(home, 0, "cli", &a, &e), SH_OK);
	record(&r, tag, sizeof tag, 0, 0, 0);
	assert_int_equal(audit_write(a, &r, &e), SH_OK);
	audit_close(a);
	snprintf(path, sizeof path, "%s/%s/%s", home, AUDIT_DIR, AUDIT_FILE);
	assert_int_equal(stat(path, &st), 0);
	fs_remove_tree(home, &e);
	return (size_t)st.st_size;
}

/* A cap that rotates total records into about four files, so the log
 * keeps them all (AUDIT_KEEP rotated files and the live one). */
static uint64_t cap_for(int total)
{
	return (uint64_t)((double)record_bytes() * total / 3.6);
}

/* What the log holds: every record of procs x threads x per exactly once,
 * one chain over all its files from the genesis, every rotated file
 * sealed by the host key, no file over the cap. *switches counts the places
 * where a record of one process follows one of the other. */
static void check_log(int procs, int threads, int per, uint64_t cap,
                      int *switches)
{
	char **files, pub[300];
	struct auditchain_result res;
	struct minisig_pubkey pk;
	struct sh_error e;
	size_t n, total = (size_t)procs * (size_t)threads * (size_t)per;
	unsigned char *seen = calloc(total, 1);
	int anchored, last = -1;

	assert_non_null(seen);
	*switches = 0;
	snprintf(pub, sizeof pub, "%s/%s", home, AUDIT_PUB_FILE);
	assert_int_equal(minisig_pubkey_load(pub, &pk, &e), SH_OK);
	assert_int_equal(auditchain_files(home, &files, &n, &anchored, &e),
	                 SH_OK);
	/* The oldest slot is free: nothing was rotated away, and the first
	 * record must start the chain. */
	assert_true(anchored);
	if (auditchain_verify((const char *const *)files, n, anchored, &pk,
	                      &res, &e) != SH_OK)
		fail_msg("the chain does not verify: %s", e.msg);
	assert_int_equal(res.records, total);
	assert_int_equal(res.seals, n - 1);
	assert_true(n >= 4);
	for (size_t f = 0; f < n; f++) {
		char *text, *p;
		size_t len;

		assert_int_equal(
		        fs_read_file(files[f], 1 << 24, &text, &len, &e),
		        SH_OK);
		if (len > cap)
			fail_msg("%s has %zu bytes, over the cap of %llu",
			         files[f], len, (unsigned long long)cap);
		for (p = text; (p = strstr(p, "\"detail\":\"p"));) {
			int proc, thread, i;
			size_t k;

			if (sscanf(p, "\"detail\":\"p%d-t%d-%d\"", &proc,
			           &thread, &i) != 3 ||
			    proc < 0 || proc >= procs || thread < 0 ||
			    thread >= threads || i < 0 || i >= per)
				fail_msg("a record not written here: %.40s", p);
			k = ((size_t)proc * (size_t)threads + (size_t)thread) *
			            (size_t)per +
			    (size_t)i;
			if (seen[k]++)
				fail_msg("p%d-t%d-%d is in the log twice", proc,
				         thread, i);
			if (last >= 0 && proc != last)
				(*switches)++;
			last = proc;
			p++;
		}
		free(text);
	}
	for (size_t k = 0; k < total; k++)
		if (!seen[k])
			fail_msg("record %zu is missing", k);
	free(seen);
	auditchain_files_free(files, n);
}

/* THREADS x PER records from one process through one handle, rotating
 * about four times. */
static void test_threads_one_process(void **state)
{
	uint64_t cap = cap_for(THREADS * PER);
	struct audit_stats st;
	int switches, round;

	(void)state;
	for (round = 0; round < ROUNDS; round++) {
		reset();
		assert_int_equal(run_writers(0, THREADS, PER, cap, 1, 0, &st),
		                 0);
		check_log(1, THREADS, PER, cap, &switches);
		assert_int_equal(st.records, THREADS * PER);
		assert_true(st.rotations >= 3);
		/* The only writer: each seal signs the digest kept while
		 * writing (check_log verified them against the files). */
		assert_int_equal(st.seals_hashed, st.rotations);
		/* Until a burst happened, the path that skips the checks has
		 * not been tested. */
		if (st.longest_burst >= 2)
			break;
	}
	printf("one process: %d round(s); %llu records under %llu flocks, "
	       "longest burst %u\n",
	       round + 1, (unsigned long long)st.records,
	       (unsigned long long)st.locks, st.longest_burst);
	if (round == ROUNDS)
		fail_msg("no burst in %d rounds of %d threads: waiting threads "
		         "do not get the flock handed on",
		         ROUNDS, THREADS);
}

/* Two processes with THREADS/2 threads each, writing at once. A burst
 * skips looking at the file, so a record of the other process between two
 * bursts, or its rotation, would break the chain or land after a seal if
 * a burst went on too long or a fresh flock skipped the checks. */
static void test_two_processes(void **state)
{
	const int threads = THREADS / 2, total = PROCS * threads * PER;
	uint64_t cap = cap_for(total);
	struct audit_stats mine = {0}, theirs = {0};
	int switches = 0, round, bursts = 0;

	(void)state;
	for (round = 0; round < ROUNDS; round++) {
		int go[2], back[2], status;
		char c = 0;
		pid_t pid;

		reset();
		assert_int_equal(pipe(go), 0);
		assert_int_equal(pipe(back), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct audit_stats st;
			int rc;

			/* Start with the parent. */
			if (read(go[0], &c, 1) != 1)
				_exit(3);
			rc = run_writers(1, threads, PER, cap, 0, PACE_US, &st);
			if (write(back[1], &st, sizeof st) !=
			    (ssize_t)sizeof st)
				_exit(4);
			_exit(rc ? 1 : 0);
		}
		assert_int_equal(write(go[1], &c, 1), 1);
		assert_int_equal(
		        run_writers(0, threads, PER, cap, 0, PACE_US, &mine),
		        0);
		assert_int_equal(read(back[0], &theirs, sizeof theirs),
		                 sizeof theirs);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		close(go[0]);
		close(go[1]);
		close(back[0]);
		close(back[1]);
		check_log(PROCS, threads, PER, cap, &switches);
		assert_int_equal(mine.records + theirs.records, total);
		assert_true(mine.rotations + theirs.rotations >= 3);
		/* Let go within a burst's time or two once both are done. */
		assert_true((unsigned)ms_until_free() <= 1000);
		bursts = mine.longest_burst >= 2 || theirs.longest_burst >= 2;
		/* Both kinds of turn seen: a burst, and the other process
		 * appending between two of a process's records, both ways
		 * (A B A). */
		if (bursts && switches >= 2)
			break;
	}
	printf("two processes: %d round(s); %d switches between them; "
	       "flocks %llu + %llu for %d records; longest bursts %u, %u\n",
	       round + 1, switches, (unsigned long long)mine.locks,
	       (unsigned long long)theirs.locks, total, mine.longest_burst,
	       theirs.longest_burst);
	if (round == ROUNDS)
		fail_msg("in %d rounds the two processes never took turns "
		         "within bursts (bursts %d, switches %d)",
		         ROUNDS, bursts, switches);
}

/* One record at a time, as a quiet server writes: the first record of a
 * handle lets the flock go at once (a one-shot `skillhost call`); later
 * ones keep it for a burst that, with no more records, is let go within
 * AUDIT_BURST_NS by the handle's own thread; records spaced wider than a
 * burst each take it afresh, and records in quick succession share one.
 * The handle closes with nothing held. */
static void test_idle_lets_go(void **state)
{
	struct audit_record r;
	struct audit_stats st;
	struct audit *a;
	struct sh_error e;
	char tag[32];
	int ms;

	(void)state;
	reset();
	assert_int_equal(audit_open(home, 0, "cli", &a, &e), SH_OK);
	record(&r, tag, sizeof tag, 0, 0, 0);
	assert_int_equal(audit_write(a, &r, &e), SH_OK);
	assert_true(lock_free());
	for (int i = 1; i < 5; i++) {
		record(&r, tag, sizeof tag, 0, 0, i);
		assert_int_equal(audit_write(a, &r, &e), SH_OK);
		ms = ms_until_free();
		/* Let go, and not at once by the writer (that is the cost
		 * this saves); generous bound for a loaded machine. */
		assert_true(ms >= 0 && ms <= 1000);
	}
	audit_stats(a, &st);
	assert_int_equal(st.records, 5);
	assert_int_equal(st.locks, 5);
	assert_int_equal(st.longest_burst, 1);
	/* Back to back: one flock for all (well within a burst's time,
	 * unless the machine stalls this thread for 2 ms). */
	for (int i = 5; i < 10; i++) {
		record(&r, tag, sizeof tag, 0, 0, i);
		assert_int_equal(audit_write(a, &r, &e), SH_OK);
	}
	audit_stats(a, &st);
	assert_int_equal(st.records, 10);
	assert_true(st.locks <= 7);
	assert_true(st.longest_burst >= 2);
	audit_close(a);
	assert_true(lock_free());
}

/* Writes records until told to stop: keeps its process's flock busy. */
struct hog {
	struct audit *a;
	_Atomic int stop;
	_Atomic int failed;
};

static void *hog_main(void *arg)
{
	struct hog *h = arg;
	struct audit_record r;
	char tag[32];

	for (int i = 0; !atomic_load(&h->stop); i++) {
		record(&r, tag, sizeof tag, 0, 0, i % 100000);
		if (audit_write(h->a, &r, NULL) != SH_OK) {
			atomic_store(&h->failed, 1);
			break;
		}
	}
	return NULL;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

/* While two threads of this process write without a pause (their burst
 * never idles), another process writes one record, WAITS times: it says
 * it waits, and the holder lets it in at its next look or so. Without
 * that only the AUDIT_HOLD_MAX_NS backstop would, and the median wait
 * would be about half of it. */
static void test_waiter_let_in(void **state)
{
	struct hog h = {0};
	pthread_t t[2];
	struct audit_stats st;
	struct sh_error e;
	int64_t waits[WAITS];

	(void)state;
	reset();
	assert_int_equal(audit_open(home, 0, "cli", &h.a, &e), SH_OK);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hog_main, &h), 0);
	usleep(20000); /* a burst under way */
	for (int k = 0; k < WAITS; k++) {
		int p[2], status;
		pid_t pid;

		assert_int_equal(pipe(p), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct audit *b;
			struct audit_record r;
			char tag[32];
			int64_t t0, took;

			if (audit_open(home, 0, "cli", &b, NULL) != SH_OK)
				_exit(2);
			record(&r, tag, sizeof tag, 1, 0, k);
			t0 = mono_ns();
			if (audit_write(b, &r, NULL) != SH_OK)
				_exit(3);
			took = mono_ns() - t0;
			if (write(p[1], &took, sizeof took) != sizeof took)
				_exit(4);
			audit_close(b);
			_exit(0);
		}
		assert_int_equal(read(p[0], &waits[k], sizeof waits[k]),
		                 sizeof waits[k]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		close(p[0]);
		close(p[1]);
		usleep(10000);
	}
	atomic_store(&h.stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_false(atomic_load(&h.failed));
	audit_stats(h.a, &st);
	qsort(waits, WAITS, sizeof waits[0], cmp_i64);
	printf("a waiting process got the flock in (ms):");
	for (int k = 0; k < WAITS; k++)
		printf(" %.2f", (double)waits[k] / 1e6);
	printf("; the busy one: %llu records under %llu flocks, longest "
	       "burst %u\n",
	       (unsigned long long)st.records, (unsigned long long)st.locks,
	       st.longest_burst);
	/* The busy process kept the flock across records... */
	assert_true(st.longest_burst >= 100);
	/* ...and let the other in when it asked. */
	assert_true(waits[WAITS / 2] <= WAIT_MAX_NS);
	assert_true((unsigned)ms_until_free() <= 1000);
	audit_close(h.a);
	assert_true(lock_free());
}

static int setup(void **state)
{
	(void)state;
	return temphome_make("auditburst");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_idle_lets_go),
	        cmocka_unit_test(test_threads_one_process),
	        cmocka_unit_test(test_two_processes),
	        cmocka_unit_test(test_waiter_let_in),
	};

	return cmocka_run_group_tests(tests, setup, temphome_teardown);
}
