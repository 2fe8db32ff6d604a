/*
 * breaker.c - crash accounting for the isolated executor: the restart
 * backoff and the circuit breaker (exec_isolated.h has the rules). See
 * exec_isolated_int.h.
 */
#include "exec_isolated_int.h"

#include <stdio.h>

#include "call.h"
#include "hostlog.h"
#include "metrics.h"

/* ---- crash accounting ---- */

static int64_t backoff_ns(const struct isolated *iso, unsigned streak)
{
	int64_t d;

	if (streak < 2)
		return 0;
	d = iso->backoff_base_ns;
	for (unsigned i = 2; i < streak && d < iso->backoff_max_ns; i++)
		d *= 2;
	return d < iso->backoff_max_ns ? d : iso->backoff_max_ns;
}

/* Count a worker that died on its own. Under iso->lock. */
void iso_crashed(struct isolated *iso, const char *what)
{
	int64_t now = call_now_ns();

	iso->crashes++;
	iso->streak++;
	(void)snprintf(iso->last_crash, sizeof iso->last_crash, "%s", what);
	iso->next_start_ns = now + backoff_ns(iso, iso->streak);
	metrics_worker_crashed(iso->metrics);
	/* Once open, it stays open until a call succeeds: after the
	 * cool-down, one more crash opens it again. */
	if (iso->streak >= iso->breaker_crashes &&
	    !(iso->breaker_until_ns && now < iso->breaker_until_ns)) {
		iso->breaker_until_ns = now + iso->cooldown_ns;
		metrics_set_breaker(iso->metrics, 1);
		hostlog(SKILL_LOG_ERROR,
		        "%s: its worker crashed %u times in a row (last: %s); "
		        "not restarting it for %.1f s (circuit breaker open)",
		        iso->name, iso->streak, what,
		        (double)iso->cooldown_ns / 1e9);
	}
}

/* Give a worker back after a call (alive) or account for its end. */
void iso_release(struct isolated *iso, struct worker *w, int alive, int served,
                 const char *crash)
{
	pthread_mutex_lock(&iso->lock);
	if (served) {
		iso->streak = 0;
		if (iso->breaker_until_ns) {
			iso->breaker_until_ns = 0;
			metrics_set_breaker(iso->metrics, 0);
			hostlog(SKILL_LOG_NOTICE,
			        "%s: a call succeeded; circuit breaker closed",
			        iso->name);
		}
	}
	if (alive && iso->waiters) {
		struct pool_waiter *pw = iso->waiters;
		iso->waiters = pw->next;
		pw->next = NULL;
		pw->given = w;
		pthread_cond_signal(&pw->cv);
	} else if (alive) {
		w->next = iso->idle;
		iso->idle = w;
	} else {
		iso->nworkers--;
		iso->unreplaced++;
		if (crash)
			iso_crashed(iso, crash);
	}
	/* A worker gone changes what every waiter may do (start one, the
	 * breaker), so all of them look; a worker given back went to one. */
	if (!alive)
		iso_wake_waiters(iso);
	pthread_mutex_unlock(&iso->lock);
}

void iso_wake_waiters(struct isolated *iso)
{
	for (struct pool_waiter *pw = iso->waiters; pw; pw = pw->next)
		pthread_cond_signal(&pw->cv);
}
