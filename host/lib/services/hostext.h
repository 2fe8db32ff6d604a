/*
 * hostext.h - the host extensions a skill can look up: skill.config/1,
 * skill.artifacts/1, skill.secrets/1, skill.http/1, skill.elicit/1 and
 * skill.sample/1, as this process performs them.
 *
 * Kept apart from hostapi.c so that a program which forwards extensions
 * elsewhere links none of their machinery: skillhost-worker answers
 * lookups with proxies to the host and so maps no libcurl at all (one
 * less library inside the sandbox, and 3-4 ms less start-up per worker).
 */
#ifndef SH_HOSTEXT_H
#define SH_HOSTEXT_H

/*
 * [any thread] The vtable of host extension id, or NULL when the host
 * offers none by that id. The vtables are static; each call on them finds
 * its skill through the skill_host_t it is given (see hostapi_binding_of).
 * Runtimes put this in host_services.ext_lookup.
 */
const void *hostext_lookup(const char *id);

#endif /* SH_HOSTEXT_H */
