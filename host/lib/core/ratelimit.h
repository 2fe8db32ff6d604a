/*
 * ratelimit.h - per-principal and per-tool call limits: a token bucket
 * (a sustained rate with a burst) and a cap on calls in flight.
 *
 * Configured in the host section of config.json (`skillhost config --host
 * KEY VALUE`); every key is off unless set, because a host serving one
 * user must not start refusing calls after an upgrade, and the right
 * numbers depend on what the skills call:
 *
 *   rate-principal         "N/s", "N/m" or "N/h": calls per caller
 *   rate-principal-burst   calls a caller may make at once (default: N,
 *                          at least 1)
 *   rate-tool, rate-tool-burst   the same per tool, across callers
 *   concurrency-principal  calls of one caller in flight at once
 *   concurrency-tool       calls of one tool in flight at once
 *
 * A caller is the token's subject (sub), else its client id, else
 * "anonymous" (a local stdio client, or HTTP with the static token: one
 * shared bucket). State lives in this process only: in stateless
 * multi-host mode each host enforces the limits on its own share of the
 * traffic, so the effective limit is N times the host count. A deployment
 * needing one global limit would keep the buckets in a shared store
 * (Redis, with an atomic Lua token-bucket script or a GCRA cell); this
 * module does not build one.
 *
 * The clock is injectable so the bucket can be tested without sleeping.
 * Every function is [thread-safe].
 */
#ifndef SH_RATELIMIT_H
#define SH_RATELIMIT_H

#include <stdint.h>

#include "status.h"

struct config;
struct metrics;

struct rl_rate {
	double per_sec; /* 0: off */
	double burst;   /* bucket size, >= 1 when per_sec > 0 */
};

struct rl_limits {
	struct rl_rate principal, tool;
	unsigned principal_conc, tool_conc; /* 0: off */
};

enum rl_kind {
	RL_OK = 0,
	RL_PRINCIPAL_RATE,
	RL_TOOL_RATE,
	RL_PRINCIPAL_CONCURRENCY,
	RL_TOOL_CONCURRENCY,
};

/* The monotonic clock in ms; ud is the ratelimit_new argument. */
typedef int64_t (*rl_clock_fn)(void *ud);

struct ratelimit;

/* Read the limits from the host config (NULL: none). SH_ERR_INVALID
 * naming the key for a malformed value. */
sh_status ratelimit_limits_from_config(const struct config *c,
                                       struct rl_limits *out,
                                       struct sh_error *e);

/* For `config --host KEY VALUE`: 1 when key is one of the keys above;
 * then *ok says whether value is well-formed for it. */
int ratelimit_key_check(const char *key, const char *value, int *ok);

/* 1 when any limit in l is on. */
int ratelimit_any(const struct rl_limits *l);

/* A limiter for l. clock NULL: CLOCK_MONOTONIC. m (may be NULL) receives
 * the refusal counters. NULL when out of memory. */
struct ratelimit *ratelimit_new(const struct rl_limits *l, rl_clock_fn clock,
                                void *clock_ud, struct metrics *m);
void ratelimit_free(struct ratelimit *rl);

/*
 * Admit one call of tool (canonical name) by principal (NULL:
 * "anonymous"). RL_OK takes a token from both buckets and a slot of both
 * caps, which ratelimit_leave gives back; anything else takes nothing and
 * says which limit refused and, in *retry_after_ms, when trying again can
 * succeed (for a concurrency cap: a short hint, 1000 ms).
 */
enum rl_kind ratelimit_enter(struct ratelimit *rl, const char *principal,
                             const char *tool, int64_t *retry_after_ms);
void ratelimit_leave(struct ratelimit *rl, const char *principal,
                     const char *tool);

/* A short name of k for messages and metrics labels. */
const char *ratelimit_kind_name(enum rl_kind k);

#endif /* SH_RATELIMIT_H */
