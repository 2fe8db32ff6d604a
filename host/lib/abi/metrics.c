/*
 * metrics.c - counters, histograms and their exposition. See metrics.h.
 */
#include "metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monotime.h"

/* Open addressing at most half full, so probes stay short. */
#define SLOTS ((size_t)2 * METRICS_MAX_SERIES)
/* How long a waiter sleeps before it looks at a cancel flag that nothing
 * signals. */
#define GATE_SLICE_NS (10 * 1000000LL)

static const double bounds_s[METRICS_BUCKETS] = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
        0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,    60};

enum kind { K_TOOL = 1, K_SKILL = 2 };

struct series {
	enum kind kind;
	char *key;   /* tool: canonical name; skill: skill name */
	char *skill; /* tool: its skill */
};

struct metrics_tool {
	struct series s;
	atomic_uint_fast64_t calls, errors, sum_ns;
	atomic_uint_fast64_t buckets[METRICS_BUCKETS + 1]; /* last: +Inf */
	int64_t bound_ns[METRICS_BUCKETS];
};

struct metrics_skill {
	struct series s;
	atomic_uint in_flight;
	atomic_uint waiters;
	atomic_uint_fast64_t starts, restarts, crashes;
	atomic_int breaker;
	pthread_mutex_t lock; /* the concurrency gate */
	pthread_cond_t cv;
};

struct metrics {
	_Atomic(struct series *) slots[SLOTS];
	atomic_uint count;
	struct metrics_tool other_tool;
	struct metrics_skill other_skill;
	/* Calls refused by a rate limit or concurrency cap (ratelimit.h),
	 * by limit: a handful of fixed series, whatever the callers. */
	atomic_ullong limited[METRICS_LIMITS];
	atomic_ullong inline_calls;
};

static uint64_t hash(enum kind k, const char *s)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)k;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void tool_init(struct metrics_tool *t)
{
	for (int i = 0; i < METRICS_BUCKETS; i++)
		t->bound_ns[i] = (int64_t)(bounds_s[i] * 1e9 + 0.5);
}

static void skill_init(struct metrics_skill *s)
{
	pthread_mutex_init(&s->lock, NULL);
	sh_cond_init_monotonic(&s->cv);
}

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof *m);

	if (!m)
		return NULL;
	m->other_tool.s = (struct series){K_TOOL, "(other)", "(other)"};
	m->other_skill.s = (struct series){K_SKILL, "(other)", NULL};
	tool_init(&m->other_tool);
	skill_init(&m->other_skill);
	return m;
}

static void series_free(struct series *s)
{
	free(s->key);
	free(s->skill);
	if (s->kind == K_SKILL) {
		struct metrics_skill *k = (struct metrics_skill *)s;
		pthread_mutex_destroy(&k->lock);
		pthread_cond_destroy(&k->cv);
	}
	free(s);
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < SLOTS; i++) {
		struct series *s = atomic_load(&m->slots[i]);
		if (s)
			series_free(s);
	}
	pthread_mutex_destroy(&m->other_skill.lock);
	pthread_cond_destroy(&m->other_skill.cv);
	free(m);
}

static struct series *make(enum kind k, const char *key, const char *skill)
{
	struct series *s;

	if (k == K_TOOL) {
		struct metrics_tool *t = calloc(1, sizeof *t);
		if (!t)
			return NULL;
		tool_init(t);
		s = &t->s;
	} else {
		struct metrics_skill *sk = calloc(1, sizeof *sk);
		if (!sk)
			return NULL;
		skill_init(sk);
		s = &sk->s;
	}
	s->kind = k;
	s->key = strdup(key);
	s->skill = skill ? strdup(skill) : NULL;
	if (!s->key || (skill && !s->skill)) {
		series_free(s);
		return NULL;
	}
	return s;
}

/* Find or insert: lock-free; a lost race frees its copy and uses the
 * winner's. */
static struct series *lookup(struct metrics *m, enum kind k, const char *key,
                             const char *skill)
{
	size_t i = (size_t)hash(k, key) & (SLOTS - 1);
	struct series *fresh = NULL;

	for (size_t probes = 0; probes < SLOTS; probes++) {
		struct series *s = atomic_load_explicit(&m->slots[i],
		                                        memory_order_acquire);
		if (!s) {
			struct series *expected = NULL;
			if (atomic_load(&m->count) >= METRICS_MAX_SERIES)
				break;
			if (!fresh && !(fresh = make(k, key, skill)))
				break;
			if (atomic_compare_exchange_strong(&m->slots[i],
			                                   &expected, fresh)) {
				atomic_fetch_add(&m->count, 1);
				return fresh;
			}
			s = expected;
		}
		if (s->kind == k && !strcmp(s->key, key)) {
			if (fresh)
				series_free(fresh);
			return s;
		}
		i = (i + 1) & (SLOTS - 1);
	}
	if (fresh)
		series_free(fresh);
	return k == K_TOOL ? &m->other_tool.s : &m->other_skill.s;
}

struct metrics_tool *metrics_tool(struct metrics *m, const char *skill,
                                  const char *tool)
{
	return m ? (struct metrics_tool *)lookup(m, K_TOOL, tool, skill) : NULL;
}

struct metrics_skill *metrics_skill(struct metrics *m, const char *skill)
{
	return m ? (struct metrics_skill *)lookup(m, K_SKILL, skill, NULL)
	         : NULL;
}

void metrics_observe(struct metrics_tool *t, int64_t ns, int error)
{
	int b = 0;

	if (!t)
		return;
	if (ns < 0)
		ns = 0;
	while (b < METRICS_BUCKETS && ns > t->bound_ns[b])
		b++;
	atomic_fetch_add_explicit(&t->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&t->sum_ns, (uint64_t)ns,
	                          memory_order_relaxed);
	atomic_fetch_add_explicit(&t->calls, 1, memory_order_relaxed);
	if (error)
		atomic_fetch_add_explicit(&t->errors, 1, memory_order_relaxed);
}

void metrics_worker_started(struct metrics_skill *s, int restart)
{
	if (!s)
		return;
	atomic_fetch_add(&s->starts, 1);
	if (restart)
		atomic_fetch_add(&s->restarts, 1);
}

void metrics_worker_crashed(struct metrics_skill *s)
{
	if (s)
		atomic_fetch_add(&s->crashes, 1);
}

void metrics_set_breaker(struct metrics_skill *s, int open)
{
	if (s)
		atomic_store(&s->breaker, open ? 1 : 0);
}

unsigned metrics_skill_in_flight(struct metrics_skill *s)
{
	return s ? atomic_load(&s->in_flight) : 0;
}

sh_status metrics_skill_enter(struct metrics_skill *s, unsigned limit,
                              int64_t deadline_ns, atomic_int *cancel,
                              struct sh_error *e)
{
	sh_status rc = SH_OK;

	if (!s)
		return SH_OK;
	if (!limit) {
		atomic_fetch_add(&s->in_flight, 1);
		return SH_OK;
	}
	/* Announce the wait before looking, so a call that ends meanwhile
	 * either is seen here or sees us and signals (both are seq_cst). */
	atomic_fetch_add(&s->waiters, 1);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		unsigned cur = atomic_load(&s->in_flight);
		struct timespec now_ts, ts;
		int64_t now, wake;
		if (cur < limit && atomic_compare_exchange_strong(
		                           &s->in_flight, &cur, cur + 1))
			break;
		if (cur < limit)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now_ts);
		now = (int64_t)now_ts.tv_sec * 1000000000 + now_ts.tv_nsec;
		if (cancel && atomic_load(cancel)) {
			rc = sh_error_set(
			        e, SH_ERR_CANCELLED,
			        "the call was cancelled while %u calls "
			        "of skill %s (its concurrency limit) were "
			        "running",
			        limit, s->s.key);
			break;
		}
		if (deadline_ns && now >= deadline_ns) {
			rc = sh_error_set(e, SH_ERR_TIMEOUT,
			                  "the call's deadline passed while %u "
			                  "calls of skill %s (its concurrency "
			                  "limit) were running",
			                  limit, s->s.key);
			break;
		}
		wake = now + (cancel ? GATE_SLICE_NS : 1000 * 1000000LL);
		if (deadline_ns && deadline_ns < wake)
			wake = deadline_ns;
		ts = sh_timespec(wake);
		pthread_cond_timedwait(&s->cv, &s->lock, &ts);
	}
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_sub(&s->waiters, 1);
	return rc;
}

void metrics_skill_leave(struct metrics_skill *s)
{
	if (!s)
		return;
	atomic_fetch_sub(&s->in_flight, 1);
	if (atomic_load(&s->waiters)) {
		pthread_mutex_lock(&s->lock);
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->lock);
	}
}

/* ---- exposition ---- */

struct out {
	char *buf;
	size_t len, cap;
	int oom;
};

static void emit(struct out *o, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->oom = 1;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		{
			size_t cap = o->cap * 2 + (size_t)n;
			char *g = realloc(o->buf, cap);
			if (!g) {
				o->oom = 1;
				return;
			}
			o->buf = g;
			o->cap = cap;
		}
	}
}

/* A label value escaped as the format requires (\\, \", \n). */
static void label(struct out *o, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			emit(o, "\\\\");
		else if (*v == '"')
			emit(o, "\\\"");
		else if (*v == '\n')
			emit(o, "\\n");
		else
			emit(o, "%c", *v);
	}
}

static void tool_labels(struct out *o, const struct metrics_tool *t)
{
	emit(o, "skill=\"");
	label(o, t->s.skill);
	emit(o, "\",tool=\"");
	label(o, t->s.key);
	emit(o, "\"");
}

static void skill_labels(struct out *o, const struct metrics_skill *s)
{
	emit(o, "skill=\"");
	label(o, s->s.key);
	emit(o, "\"");
}

static int by_key(const void *a, const void *b)
{
	const struct series *x = *(struct series *const *)a;
	const struct series *y = *(struct series *const *)b;
	int c = strcmp(x->skill ? x->skill : "", y->skill ? y->skill : "");

	return c ? c : strcmp(x->key, y->key);
}

/* One counter family with a line per tool: its calls, or (errors) the
 * calls whose result was an error. */
static void tool_counter(struct out *o, const char *name, const char *help,
                         struct metrics_tool **t, size_t n, int errors)
{
	emit(o, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
	for (size_t i = 0; i < n; i++) {
		emit(o, "%s{", name);
		tool_labels(o, t[i]);
		emit(o, "} %llu\n",
		     (unsigned long long)atomic_load(errors ? &t[i]->errors
		                                            : &t[i]->calls));
	}
}

static void tools_block(struct out *o, struct metrics_tool **t, size_t n)
{
	tool_counter(o, "skillhost_tool_calls_total", "Tool calls dispatched.",
	             t, n, 0);
	tool_counter(o, "skillhost_tool_errors_total",
	             "Tool calls whose result was an error (isError).", t, n,
	             1);
	emit(o, "# HELP skillhost_tool_call_duration_seconds Tool call "
	        "latency, from dispatch to result.\n"
	        "# TYPE skillhost_tool_call_duration_seconds histogram\n");
	for (size_t i = 0; i < n; i++) {
		unsigned long long cum = 0;
		/* The count is the buckets' sum, so +Inf equals _count even
		 * while calls finish during the scrape. */
		for (int b = 0; b <= METRICS_BUCKETS; b++) {
			cum += atomic_load(&t[i]->buckets[b]);
			emit(o, "skillhost_tool_call_duration_seconds_bucket{");
			tool_labels(o, t[i]);
			if (b < METRICS_BUCKETS)
				emit(o, ",le=\"%g\"} %llu\n", bounds_s[b], cum);
			else
				emit(o, ",le=\"+Inf\"} %llu\n", cum);
		}
		emit(o, "skillhost_tool_call_duration_seconds_sum{");
		tool_labels(o, t[i]);
		emit(o, "} %.9f\n", (double)atomic_load(&t[i]->sum_ns) / 1e9);
		emit(o, "skillhost_tool_call_duration_seconds_count{");
		tool_labels(o, t[i]);
		emit(o, "} %llu\n", cum);
	}
}

static void skill_gauge(struct out *o, struct metrics_skill **s, size_t n,
                        const char *name, const char *type, const char *help,
                        int which)
{
	emit(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	for (size_t i = 0; i < n; i++) {
		unsigned long long v =
		        which == 0   ? atomic_load(&s[i]->in_flight)
		        : which == 1 ? atomic_load(&s[i]->starts)
		        : which == 2 ? atomic_load(&s[i]->restarts)
		        : which == 3 ? atomic_load(&s[i]->crashes)
		                     : (unsigned long long)atomic_load(
		                               &s[i]->breaker);
		emit(o, "%s{", name);
		skill_labels(o, s[i]);
		emit(o, "} %llu\n", v);
	}
}

static const char *const limit_names[METRICS_LIMITS] = {
        "principal_rate", "tool_rate", "principal_concurrency",
        "tool_concurrency"};

void metrics_limited(struct metrics *m, int limit)
{
	if (m && limit >= 0 && limit < METRICS_LIMITS)
		atomic_fetch_add(&m->limited[limit], 1);
}

void metrics_call_inline(struct metrics *m)
{
	if (m)
		atomic_fetch_add(&m->inline_calls, 1);
}

char *metrics_render(struct metrics *m, size_t *len)
{
	/* At most METRICS_MAX_SERIES series, plus the two "(other)" ones. */
	struct metrics_tool **tools =
	        calloc(METRICS_MAX_SERIES + 1, sizeof(struct metrics_tool *));
	struct metrics_skill **skills =
	        calloc(METRICS_MAX_SERIES + 1, sizeof(struct metrics_skill *));
	struct out o = {0};
	size_t nt = 0, ns = 0;

	if (!tools || !skills)
		goto oom;
	for (size_t i = 0; i < SLOTS; i++) {
		struct series *s = atomic_load(&m->slots[i]);
		if (s && s->kind == K_TOOL && nt < METRICS_MAX_SERIES)
			tools[nt++] = (struct metrics_tool *)s;
		else if (s && s->kind == K_SKILL && ns < METRICS_MAX_SERIES)
			skills[ns++] = (struct metrics_skill *)s;
	}
	if (atomic_load(&m->other_tool.calls))
		tools[nt++] = &m->other_tool;
	if (atomic_load(&m->other_skill.starts) ||
	    atomic_load(&m->other_skill.in_flight))
		skills[ns++] = &m->other_skill;
	qsort(tools, nt, sizeof(struct metrics_tool *), by_key);
	qsort(skills, ns, sizeof(struct metrics_skill *), by_key);
	o.cap = 4096;
	if (!(o.buf = malloc(o.cap)))
		goto oom;
	o.buf[0] = '\0';
	tools_block(&o, tools, nt);
	skill_gauge(&o, skills, ns, "skillhost_calls_in_flight", "gauge",
	            "Tool calls running now, by skill.", 0);
	skill_gauge(&o, skills, ns, "skillhost_worker_starts_total", "counter",
	            "Isolated workers started.", 1);
	skill_gauge(&o, skills, ns, "skillhost_worker_restarts_total",
	            "counter",
	            "Isolated workers started to replace one that ended.", 2);
	skill_gauge(&o, skills, ns, "skillhost_worker_crashes_total", "counter",
	            "Isolated workers that crashed, hit a limit or broke the "
	            "protocol.",
	            3);
	skill_gauge(&o, skills, ns, "skillhost_circuit_breaker_open", "gauge",
	            "1 while a skill's workers are not restarted after "
	            "repeated crashes.",
	            4);
	emit(&o, "# HELP skillhost_calls_limited_total Tool calls refused by a "
	         "rate limit or concurrency cap, by limit.\n"
	         "# TYPE skillhost_calls_limited_total counter\n");
	for (int i = 0; i < METRICS_LIMITS; i++)
		emit(&o, "skillhost_calls_limited_total{limit=\"%s\"} %llu\n",
		     limit_names[i],
		     (unsigned long long)atomic_load(&m->limited[i]));
	emit(&o,
	     "# HELP skillhost_calls_inline_total MCP calls run on the "
	     "HTTP thread that received them (a quick call on a "
	     "connection alone on its thread).\n"
	     "# TYPE skillhost_calls_inline_total counter\n"
	     "skillhost_calls_inline_total %llu\n",
	     (unsigned long long)atomic_load(&m->inline_calls));
	if (o.oom)
		goto oom;
	free(tools);
	free(skills);
	if (len)
		*len = o.len;
	return o.buf;
oom:
	free(o.buf);
	free(tools);
	free(skills);
	return NULL;
}
