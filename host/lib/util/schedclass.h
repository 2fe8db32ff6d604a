/*
 * schedclass.h - the scheduling class of the threads that run calls.
 *
 * A call crosses threads: the HTTP I/O thread hands it to a call thread,
 * which writes it to a skill's worker process and sleeps until the reply.
 * Under Linux's default class each hand-off's wake-up preempts the thread
 * that made it: the call thread loses its CPU to the worker it just woke,
 * before it has gone to sleep, and comes back only to sleep, so one hop
 * costs two context switches; the I/O thread loses its CPU to the call
 * thread while other requests wait in its socket buffers. SCHED_BATCH
 * threads do not preempt on wake-up (they run at the next tick, when a CPU
 * idles, or when the waker sleeps), and otherwise share the CPU as before:
 * same nice value, same fairness, no privilege needed. So the threads that
 * are woken to do work (call threads, skill workers) take it, and the I/O
 * threads that wake them keep the default class and run first.
 *
 * Measured on a 2-vCPU VM, 32 connections, isolated echo: involuntary
 * switches 1.2 -> 0.2 per call, host and worker CPU 75 -> 55 us per call.
 *
 * Threads: any thread, for itself. Threads it then creates inherit it.
 */
#ifndef SH_SCHEDCLASS_H
#define SH_SCHEDCLASS_H

/* Put the calling thread in SCHED_BATCH. Returns 0, or an errno value
 * (the thread then keeps its class: this is a cost, never a safety,
 * matter). */
int schedclass_batch_self(void);

/* Put the calling thread back in the default class (SCHED_OTHER): for a
 * thread that a call thread starts but that wakes others or keeps time,
 * such as the audit log's (audit.h). Returns 0, or an errno value. */
int schedclass_default_self(void);

#endif
