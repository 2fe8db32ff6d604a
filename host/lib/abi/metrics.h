/*
 * metrics.h - per-tool and per-skill counters, latency histograms, and the
 * Prometheus text exposition of them.
 *
 * A registry belongs to a runtime (struct host_services.metrics), so every
 * surface that dispatches through it is counted, and `serve --http` shows
 * it at /metrics. Series are made on first use and never freed before the
 * registry; their pointers are stable, so a caller may keep one. At most
 * METRICS_MAX_SERIES series exist: past that, new tools and skills share
 * one series labelled "(other)", which keeps memory and the scrape bounded
 * whatever names appear.
 *
 * Exposed (names and labels are stable):
 *   skillhost_tool_calls_total{skill,tool}             counter
 *   skillhost_tool_errors_total{skill,tool}            counter (isError)
 *   skillhost_tool_call_duration_seconds{skill,tool}   histogram
 *   skillhost_calls_in_flight{skill}                   gauge
 *   skillhost_worker_starts_total{skill}               counter
 *   skillhost_worker_restarts_total{skill}             counter
 *   skillhost_worker_crashes_total{skill}              counter
 *   skillhost_circuit_breaker_open{skill}              gauge (0/1)
 *   skillhost_calls_limited_total{limit}               counter (ratelimit.h)
 *   skillhost_calls_inline_total                       counter (mcp_http.c)
 *
 * Every function is [thread-safe]; observing is lock-free.
 */
#ifndef SH_METRICS_H
#define SH_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define METRICS_MAX_SERIES 4096
/* Upper bounds of the latency buckets, in seconds (then +Inf). */
#define METRICS_BUCKETS 18

struct metrics;
struct metrics_tool;
struct metrics_skill;

/* A new, empty registry, or NULL when out of memory. */
struct metrics *metrics_new(void);
/* [control] Free it; nothing may use it or its series afterwards. */
void metrics_free(struct metrics *m);

/* The series of a tool (canonical name) of a skill. Never NULL when m is
 * not NULL; NULL m gives NULL (and the functions below accept NULL). */
struct metrics_tool *metrics_tool(struct metrics *m, const char *skill,
                                  const char *tool);
/* Count one call that took ns nanoseconds; error: it returned isError. */
void metrics_observe(struct metrics_tool *t, int64_t ns, int error);

/* The series of a skill, as for tools. */
struct metrics_skill *metrics_skill(struct metrics *m, const char *skill);
void metrics_worker_started(struct metrics_skill *s, int restart);
void metrics_worker_crashed(struct metrics_skill *s);
void metrics_set_breaker(struct metrics_skill *s, int open);

/*
 * Count a call of the skill in flight, and with a limit (the skill's
 * `concurrency` policy; 0 for none) wait while that many are: until one
 * ends, the deadline (CLOCK_MONOTONIC ns; 0 = none) passes
 * (SH_ERR_TIMEOUT) or *cancel (may be NULL) turns 1 (SH_ERR_CANCELLED).
 * Every SH_OK must be matched by metrics_skill_leave.
 */
sh_status metrics_skill_enter(struct metrics_skill *s, unsigned limit,
                              int64_t deadline_ns, atomic_int *cancel,
                              struct sh_error *e);
void metrics_skill_leave(struct metrics_skill *s);
/* Calls of the skill in flight now. */
unsigned metrics_skill_in_flight(struct metrics_skill *s);

/* Count a call refused by limit: 0 principal_rate, 1 tool_rate,
 * 2 principal_concurrency, 3 tool_concurrency (ratelimit.h's
 * enum rl_kind minus one). NULL m is fine. */
#define METRICS_LIMITS 4
void metrics_limited(struct metrics *m, int limit);

/* Count a call run on the thread that received it rather than handed to
 * a call thread (mcp_http.c says when). NULL m is fine. */
void metrics_call_inline(struct metrics *m);

/* The whole registry in the Prometheus text format (version 0.0.4),
 * series sorted by labels. The caller frees it; NULL when out of
 * memory. */
char *metrics_render(struct metrics *m, size_t *len);

#endif /* SH_METRICS_H */
