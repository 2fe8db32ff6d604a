/*
 * hostapi.h - the skill_host_t vtable a skill receives, and the services
 * behind its extensions.
 *
 * Each loaded skill gets its own binding (a skill_host_t plus who it is), so
 * a host service can tell which skill is asking without trusting anything
 * the skill says. Call-scoped services are implemented in call.c; this
 * module wires them up and answers extension lookups.
 */
#ifndef SH_HOSTAPI_H
#define SH_HOSTAPI_H

#include <skill/host.h>

#include "config.h"

struct audit;
struct metrics;

/* What the host's extensions need to know. Owned by the runtime; outlives
 * every binding that points at it. */
struct host_services {
	const char *home;            /* the store folder, or NULL */
	const struct config *config; /* may be NULL */
	char *artifacts_dir;         /* absolute; NULL disables artifacts */
	char *artifact_url_base;     /* "http://host:port/artifacts/", or NULL
	                              * for file:// URIs */
	char **input_dirs;           /* NULL-terminated; may be NULL */
	struct audit *audit;         /* the call audit log, or NULL */
	struct metrics *metrics;     /* call and worker metrics, or NULL */
	/* The host extensions a skill may look up (hostext_lookup in a
	 * runtime); NULL offers none. */
	const void *(*ext_lookup)(const char *id);
};

struct hostapi_binding {
	skill_host_t api; /* first: the skill sees a pointer to this */
	const char *skill_name;
	const struct host_services *svc;
};

/* Fill b for skill skill_name (borrowed; must outlive b). */
void hostapi_bind(struct hostapi_binding *b, const char *skill_name,
                  const struct host_services *svc);

/* The binding behind a skill_host_t that hostapi_bind filled. */
const struct hostapi_binding *hostapi_binding_of(const skill_host_t *host);

/* A skill's log message from outside any call (a background thread):
 * to the host's log only, and only when it is UTF-8 (else a warning that
 * it was refused). */
void hostapi_log_outside_call(const char *skill, skill_log_level level,
                              const char *msg);

#endif /* SH_HOSTAPI_H */
