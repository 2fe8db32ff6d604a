/*
 * monotime.h - the host's one clock for deadlines and durations.
 *
 * CLOCK_MONOTONIC, so deadlines, timeouts and measured durations do not
 * jump when the wall clock is set.
 */
#ifndef SH_MONOTIME_H
#define SH_MONOTIME_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Nanoseconds on CLOCK_MONOTONIC (an arbitrary origin: only differences
 * mean anything). */
int64_t sh_now_ns(void);

/* Initialise cv so that pthread_cond_timedwait's deadline is on this
 * clock: pass it sh_timespec(a sh_now_ns() value). 0, or an errno value
 * as pthread_cond_init returns. */
int sh_cond_init_monotonic(pthread_cond_t *cv);

/* ns (at least 0) as a timespec: a deadline on this clock, or a
 * duration. */
struct timespec sh_timespec(int64_t ns);

#endif /* SH_MONOTIME_H */
