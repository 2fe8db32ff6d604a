/*
 * monotime.h - the host's one clock for deadlines and durations.
 *
 * CLOCK_MONOTONIC, so deadlines, timeouts and measured durations do not
 * jump when the wall clock is set.
 */
#ifndef SH_MONOTIME_H
#define SH_MONOTIME_H

#include <stdint.h>

/* Nanoseconds on CLOCK_MONOTONIC (an arbitrary origin: only differences
 * mean anything). */
int64_t sh_now_ns(void);

#endif /* SH_MONOTIME_H */
