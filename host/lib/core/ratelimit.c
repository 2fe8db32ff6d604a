/*
 * ratelimit.c - token buckets and in-flight caps (ratelimit.h).
 */
#include "ratelimit.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "metrics.h"
#include "monotime.h"

/* Buckets kept per table. A bucket that is full and idle is the same as
 * no bucket, so past this many the table forgets those: memory stays
 * bounded however many principals appear. */
#define RL_MAX_ENTRIES   65536
#define RL_SLOTS         4096
#define RL_CONC_RETRY_MS 1000

struct entry {
	struct entry *next;
	double tokens;
	int64_t last_ms;
	unsigned in_flight;
	char key[];
};

struct table {
	struct entry *slots[RL_SLOTS];
	size_t n;
};

struct ratelimit {
	struct rl_limits l;
	rl_clock_fn clock;
	void *clock_ud;
	struct metrics *m;
	pthread_mutex_t lock;
	struct table principals, tools;
};

static int64_t mono_ms(void *ud)
{
	(void)ud;
	return sh_now_ns() / 1000000;
}

/* "N/s", "N/m", "N/h" (N a positive number) into calls per second. */
static int parse_rate(const char *s, double *out)
{
	char *end;
	double n;

	errno = 0;
	n = strtod(s, &end);
	if (errno || end == s || !(n > 0) || n > 1e9 || end[0] != '/' ||
	    end[2] != '\0')
		return -1;
	switch (end[1]) {
	case 's': *out = n; return 0;
	case 'm': *out = n / 60; return 0;
	case 'h': *out = n / 3600; return 0;
	default: return -1;
	}
}

static int parse_count(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || s[0] == '-' || *out == 0 ||
	                       *out > 1000000
	               ? -1
	               : 0;
}

static sh_status rate_from(const struct config *c, const char *key,
                           const char *burst_key, struct rl_rate *r,
                           struct sh_error *e)
{
	const char *v = config_host(c, key), *b = config_host(c, burst_key);
	unsigned long n;

	if (!v && b)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "host config %s is set without %s; set "
		                    "%s too or unset %s",
		                    burst_key, key, key, burst_key);
	if (!v)
		return SH_OK;
	if (parse_rate(v, &r->per_sec))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "host config %s \"%.40s\" is not a rate "
		                    "like 10/s, 600/m or 1000/h",
		                    key, v);
	/* Default burst: one second's worth (one minute's for N/m...),
	 * i.e. the N written, so "60/m" allows 60 at once then 1/s. */
	r->burst = strtod(v, NULL);
	if (b) {
		if (parse_count(b, &n))
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "host config %s \"%.40s\" must be a "
			        "whole number from 1 to 1000000",
			        burst_key, b);
		r->burst = (double)n;
	}
	if (r->burst < 1)
		r->burst = 1;
	return SH_OK;
}

static sh_status conc_from(const struct config *c, const char *key,
                           unsigned *out, struct sh_error *e)
{
	const char *v = config_host(c, key);
	unsigned long n;

	if (!v)
		return SH_OK;
	if (parse_count(v, &n))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "host config %s \"%.40s\" must be a whole "
		                    "number from 1 to 1000000",
		                    key, v);
	*out = (unsigned)n;
	return SH_OK;
}

sh_status ratelimit_limits_from_config(const struct config *c,
                                       struct rl_limits *out,
                                       struct sh_error *e)
{
	sh_status rc;

	memset(out, 0, sizeof *out);
	if ((rc = rate_from(c, "rate-principal", "rate-principal-burst",
	                    &out->principal, e)) ||
	    (rc = rate_from(c, "rate-tool", "rate-tool-burst", &out->tool,
	                    e)) ||
	    (rc = conc_from(c, "concurrency-principal", &out->principal_conc,
	                    e)) ||
	    (rc = conc_from(c, "concurrency-tool", &out->tool_conc, e)))
		return rc;
	return SH_OK;
}

int ratelimit_key_check(const char *key, const char *value, int *ok)
{
	double r;
	unsigned long n;

	if (!strcmp(key, "rate-principal") || !strcmp(key, "rate-tool")) {
		*ok = !parse_rate(value, &r);
		return 1;
	}
	if (!strcmp(key, "rate-principal-burst") ||
	    !strcmp(key, "rate-tool-burst") ||
	    !strcmp(key, "concurrency-principal") ||
	    !strcmp(key, "concurrency-tool")) {
		*ok = !parse_count(value, &n);
		return 1;
	}
	return 0;
}

int ratelimit_any(const struct rl_limits *l)
{
	return l && (l->principal.per_sec > 0 || l->tool.per_sec > 0 ||
	             l->principal_conc || l->tool_conc);
}

struct ratelimit *ratelimit_new(const struct rl_limits *l, rl_clock_fn clock,
                                void *clock_ud, struct metrics *m)
{
	struct ratelimit *rl = calloc(1, sizeof *rl);

	if (!rl)
		return NULL;
	rl->l = *l;
	rl->clock = clock ? clock : mono_ms;
	rl->clock_ud = clock_ud;
	rl->m = m;
	pthread_mutex_init(&rl->lock, NULL);
	return rl;
}

static void table_clear(struct table *t)
{
	for (size_t i = 0; i < RL_SLOTS; i++)
		while (t->slots[i]) {
			struct entry *x = t->slots[i];
			t->slots[i] = x->next;
			free(x);
		}
	t->n = 0;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	table_clear(&rl->principals);
	table_clear(&rl->tools);
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

static size_t slot_of(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)(h % RL_SLOTS);
}

/* Top up e's bucket to now. */
static void refill(struct entry *x, const struct rl_rate *r, int64_t now)
{
	if (r->per_sec > 0 && now > x->last_ms) {
		x->tokens += (double)(now - x->last_ms) * r->per_sec / 1000.0;
		if (x->tokens > r->burst)
			x->tokens = r->burst;
	}
	x->last_ms = now;
}

/* Forget the entries that hold no state: a full bucket, nothing in
 * flight. */
static void sweep(struct table *t, const struct rl_rate *r, int64_t now)
{
	for (size_t i = 0; i < RL_SLOTS; i++)
		for (struct entry **pp = &t->slots[i]; *pp;) {
			struct entry *x = *pp;
			refill(x, r, now);
			if (!x->in_flight && x->tokens >= r->burst) {
				*pp = x->next;
				free(x);
				t->n--;
			} else {
				pp = &x->next;
			}
		}
}

/* The entry of key, made (with a full bucket) when missing; NULL when
 * out of memory or the table is full of live entries. */
static struct entry *get(struct table *t, const struct rl_rate *r,
                         const char *key, int64_t now)
{
	size_t s = slot_of(key), len;
	struct entry *x;

	for (x = t->slots[s]; x; x = x->next)
		if (!strcmp(x->key, key)) {
			refill(x, r, now);
			return x;
		}
	if (t->n >= RL_MAX_ENTRIES) {
		sweep(t, r, now);
		if (t->n >= RL_MAX_ENTRIES)
			return NULL;
	}
	len = strlen(key);
	if (!(x = malloc(sizeof *x + len + 1)))
		return NULL;
	memcpy(x->key, key, len + 1);
	x->tokens = r->burst;
	x->last_ms = now;
	x->in_flight = 0;
	x->next = t->slots[s];
	t->slots[s] = x;
	t->n++;
	return x;
}

/* ms until the bucket holds one token again. */
static int64_t wait_ms(const struct entry *x, const struct rl_rate *r)
{
	return (int64_t)ceil((1.0 - x->tokens) * 1000.0 / r->per_sec);
}

enum rl_kind ratelimit_enter(struct ratelimit *rl, const char *principal,
                             const char *tool, int64_t *retry_after_ms)
{
	const struct rl_limits *l = &rl->l;
	int per_p = l->principal.per_sec > 0 || l->principal_conc;
	int per_t = l->tool.per_sec > 0 || l->tool_conc;
	struct entry *p = NULL, *t = NULL;
	enum rl_kind k = RL_OK;
	int64_t now;

	*retry_after_ms = 0;
	if (!per_p && !per_t)
		return RL_OK;
	pthread_mutex_lock(&rl->lock);
	now = rl->clock(rl->clock_ud);
	if (per_p)
		p = get(&rl->principals, &l->principal,
		        principal ? principal : "anonymous", now);
	if (per_t)
		t = get(&rl->tools, &l->tool, tool, now);
	/* Out of memory or a table full of live callers: refuse rather
	 * than let the unlimited through. */
	if ((per_p && !p) || (per_t && !t)) {
		k = per_p && !p ? RL_PRINCIPAL_RATE : RL_TOOL_RATE;
		*retry_after_ms = RL_CONC_RETRY_MS;
	} else if (p && l->principal_conc &&
	           p->in_flight >= l->principal_conc) {
		k = RL_PRINCIPAL_CONCURRENCY;
		*retry_after_ms = RL_CONC_RETRY_MS;
	} else if (t && l->tool_conc && t->in_flight >= l->tool_conc) {
		k = RL_TOOL_CONCURRENCY;
		*retry_after_ms = RL_CONC_RETRY_MS;
	} else if (p && l->principal.per_sec > 0 && p->tokens < 1) {
		k = RL_PRINCIPAL_RATE;
		*retry_after_ms = wait_ms(p, &l->principal);
	} else if (t && l->tool.per_sec > 0 && t->tokens < 1) {
		k = RL_TOOL_RATE;
		*retry_after_ms = wait_ms(t, &l->tool);
	} else {
		/* Both admit: only now take from either, so a refusal by
		 * one never spends the other's token. */
		if (p) {
			if (l->principal.per_sec > 0)
				p->tokens -= 1;
			p->in_flight++;
		}
		if (t) {
			if (l->tool.per_sec > 0)
				t->tokens -= 1;
			t->in_flight++;
		}
	}
	pthread_mutex_unlock(&rl->lock);
	if (k != RL_OK)
		metrics_limited(rl->m, (int)k - 1);
	return k;
}

static struct entry *find(struct table *t, const char *key)
{
	for (struct entry *x = t->slots[slot_of(key)]; x; x = x->next)
		if (!strcmp(x->key, key))
			return x;
	return NULL;
}

void ratelimit_leave(struct ratelimit *rl, const char *principal,
                     const char *tool)
{
	const struct rl_limits *l = &rl->l;
	struct entry *x;

	pthread_mutex_lock(&rl->lock);
	if ((l->principal.per_sec > 0 || l->principal_conc) &&
	    (x = find(&rl->principals, principal ? principal : "anonymous")) &&
	    x->in_flight)
		x->in_flight--;
	if ((l->tool.per_sec > 0 || l->tool_conc) &&
	    (x = find(&rl->tools, tool)) && x->in_flight)
		x->in_flight--;
	pthread_mutex_unlock(&rl->lock);
}

const char *ratelimit_kind_name(enum rl_kind k)
{
	switch (k) {
	case RL_PRINCIPAL_RATE: return "principal_rate";
	case RL_TOOL_RATE: return "tool_rate";
	case RL_PRINCIPAL_CONCURRENCY: return "principal_concurrency";
	case RL_TOOL_CONCURRENCY: return "tool_concurrency";
	default: return "none";
	}
}
