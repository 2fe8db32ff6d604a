/*
 * spin.h - when a waiting thread may poll instead of sleeping.
 *
 * A reply that comes within microseconds is best caught by polling: a
 * sleeping thread and its idle vCPU take tens of microseconds to wake,
 * more than the work itself. But a spinner is a runnable thread that does
 * no work. On a machine with no CPU to spare it takes the CPU from the very
 * thread or process it waits for, and from the load generator or the next
 * request, and the tail grows by whole scheduler slices. So a wait spins
 * only when both hold:
 *   - a CPU is spare: the machine's runnable tasks, the spinner included,
 *     do not outnumber its online CPUs by more than the one peer the spin
 *     serves (spin_cpu_spare);
 *   - the waits of this waiter have been short: its recent waits,
 *     smoothed, fit in the budget (spin_budget), with a probe now and then
 *     so that a waiter whose waits became short again finds out.
 * And a spin ends as soon as the spinner finds it was preempted (see
 * wire_spin_readable): that is the CPU telling it someone else needed it.
 *
 * Threads: spin_cpu_spare is safe from any thread; a struct spin_est
 * belongs to one waiter at a time.
 */
#ifndef SH_SPIN_H
#define SH_SPIN_H

#include <stdint.h>

/* How stale the runnable count may be; it is read from /proc/loadavg (a
 * few microseconds) at most this often per process. */
#define SPIN_SAMPLE_NS 1000000
/* One wait in this many spins at the full budget although the waiter's
 * waits have been long, to find out whether they still are. */
#define SPIN_PROBE_EVERY 16

/* 1 when a CPU is free for one more spinner: the runnable tasks of the
 * whole machine, sampled at most every SPIN_SAMPLE_NS, including the
 * caller, are no more than the online CPUs plus one (the peer the spin
 * waits for, which is runnable while it works or polls). 0 otherwise, and 0
 * when the count cannot be read (no /proc: a sandboxed process), since a spin
 * that cannot see the load must not risk the tail. */
int spin_cpu_spare(void);

/* One waiter's record of how long its waits took. Zero-initialized is a
 * waiter with no history (it may spin). Only waits that spun are
 * recorded: a wait that slept includes the wake-up, which is what
 * spinning saves, and would keep the waiter from ever spinning again. */
struct spin_est {
	int64_t wait_ns;  /* recent spun waits, smoothed (1/4 of each new
	                   * one, each counted as at most twice the budget) */
	int64_t max_ns;   /* the budget of the wait in progress; 0: no spin */
	unsigned skipped; /* waits since the last spin */
};

/* How long the next wait of e may spin, at most max_ns: 0 when no CPU is
 * spare, or when e's waits have been longer than max_ns (but every
 * SPIN_PROBE_EVERY-th wait spins max_ns all the same). */
int64_t spin_budget(struct spin_est *e, int64_t max_ns);

/* Record that the wait of e that spin_budget was asked about took
 * waited_ns in all (spinning and sleeping; a wait that timed out: how
 * long it was). */
void spin_note(struct spin_est *e, int64_t waited_ns);

#endif /* SH_SPIN_H */
