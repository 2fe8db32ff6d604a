/*
 * phasetime.h - where a command's time goes: SKILLHOST_TRACE=timings.
 *
 * With SKILLHOST_TRACE=timings in the environment (a comma list; other
 * words are for other tracers), each phase mark prints one line to stderr:
 *
 *   skillhost: timing  12.345 ms (+ 1.234)  call: arguments read
 *
 * the time since phasetime_init and since the previous mark. Marks from
 * several threads interleave; each line is one write(2). Off (the
 * default), a mark is one load and a branch, nothing is printed and no
 * clock is read, so marks may sit on hot paths.
 */
#ifndef SH_PHASETIME_H
#define SH_PHASETIME_H

/* Nonzero once phasetime_init found the tracer asked for. Read it only
 * through PHASE_MARK. */
extern int phasetime_on;

/* Read SKILLHOST_TRACE and start the clock; call once, early in main,
 * before other threads exist. */
void phasetime_init(void);

/* Print what with the times (see above). Use PHASE_MARK. */
void phasetime_mark(const char *what);

#define PHASE_MARK(what)                                                       \
	do {                                                                   \
		if (phasetime_on)                                              \
			phasetime_mark(what);                                  \
	} while (0)

#endif /* SH_PHASETIME_H */
