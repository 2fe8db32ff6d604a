/*
 * schedclass.c - see schedclass.h.
 */
#include "schedclass.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>

int schedclass_batch_self(void)
{
	struct sched_param sp = {.sched_priority = 0};

	/* Per thread, unlike sched_setscheduler(0, ...) on other systems. */
	return pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
}

int schedclass_default_self(void)
{
	struct sched_param sp = {.sched_priority = 0};

	return pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
}
