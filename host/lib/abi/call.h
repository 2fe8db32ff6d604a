/*
 * call.h - one tool call in flight: the host side of skill_call_t.
 *
 * A struct skill_call lives on the dispatching thread's stack for the
 * duration of one call. It holds the validated arguments, the cancellation
 * flag and deadline, where progress and log messages go, and the result the
 * skill writes. The call_* functions are the implementations of the call-
 * scoped host services (hostapi.c puts them in the skill_host_t vtable; the
 * isolated executor calls them when a worker forwards a request), so every
 * executor produces results through the same code.
 *
 * Result writers are [call]: a skill must not call them for one call from
 * two threads at once.
 */
#ifndef SH_CALL_H
#define SH_CALL_H

#include <stdatomic.h>
#include <stdint.h>

#include <skill/host.h> /* skill_log_level, skill_status by value */

#include "monotime.h" /* for the inline call_now_ns */
#include "utf8.h"     /* for the inline call_utf8_* */

/* Only pointed to here: their users include them. */
struct cJSON;
struct skill_perms;

/* Most bytes of content one call may return (text, base64, JSON). */
#define CALL_RESULT_MAX  ((size_t)64 * 1024 * 1024)
#define CALL_REFUSED_MAX 160 /* the first refusal's reason */

/* Where a call's progress and log messages go (e.g. MCP notifications). All
 * callbacks are optional and run on the thread that calls the service. */
struct call_sinks {
	void (*progress)(void *ud, double progress, double total,
	                 const char *message);
	void (*log)(void *ud, skill_log_level level, const char *logger,
	            const char *message);
	skill_log_level log_min; /* messages below it are not delivered */
	void *ud;
	/* Ask whoever drives the call (skill.elicit/1, skill.sample/1):
	 * method is "elicitation/create" or "sampling/createMessage" with
	 * MCP's params (consumed). Blocks until the answer, the call's
	 * deadline or its cancellation. On SKILL_OK *result is the answer's
	 * result object (the caller owns it); otherwise why says what went
	 * wrong and what to do (for call_note). SKILL_ERR_UNSUPPORTED when
	 * the caller cannot take that method. NULL: nobody to ask. */
	skill_status (*request)(void *ud, struct skill_call *c,
	                        const char *method, struct cJSON *params,
	                        struct cJSON **result, char *why,
	                        size_t whycap);
};

/* The result of a call, in MCP CallToolResult terms. */
struct call_result {
	struct cJSON *content; /* array of content blocks (owned) */
	struct cJSON
	        *structured; /* structuredContent object, or NULL (owned) */
	int is_error;
};

struct call_artifact;

struct skill_call {
	const char *skill_name;         /* for log messages */
	const char *tool_name;          /* canonical */
	const struct cJSON *args;       /* validated arguments (borrowed) */
	atomic_int *cancel;             /* set to 1 to cancel; may be NULL */
	int64_t deadline_ns;            /* CLOCK_MONOTONIC, 0 = none */
	const struct call_sinks *sinks; /* may be NULL */
	const void *services; /* struct host_services, for extensions */
	/* The permissions the skill's signed manifest declares (perms.h),
	 * enforced by the host services; NULL for skills loaded from a file
	 * during development, which are not restricted. Borrowed from the
	 * skill (struct skill), typed once when it was loaded. */
	const struct skill_perms *perms;
	/* The arguments' text also as a memfd: exactly its bytes and a NUL,
	 * sealed against writing, growing and shrinking (the form
	 * wire_sealed_memfd makes), which an isolated executor may hand its
	 * worker instead of copying the text into a new one. Borrowed; 0:
	 * none (the zeroed default; descriptor 0 is stdin, never such a
	 * memfd). */
	int args_memfd;
	/* 1: the caller makes no other call on this skill's executor before
	 * closing it (the CLI's one call). An isolated worker is then asked
	 * to finish as soon as it has answered, so that its exit overlaps
	 * what the caller does with the answer. */
	int last_call;

	struct cJSON *content;
	struct cJSON *structured;
	int is_error;
	size_t bytes;
	double last_progress;
	int has_progress;
	char **scratch; /* strings handed out by arg_json, freed at the end */
	size_t nscratch, scratch_cap;
	struct call_artifact *artifacts; /* open output files */
	/* One artifact whose commit finishes on another thread
	 * (artifacts_commit_early), until artifacts_settle. */
	struct call_artifact *committing;
	uint64_t artifact_bytes;        /* written to artifacts by this call */
	struct call_deferred *deferred; /* released by call_finish */
	/* Text the host refused to put on the wire (not UTF-8, a NUL):
	 * how many times, and the first reason, naming the field. A call
	 * whose every output was refused ends as a tool error saying so. */
	unsigned nrefused;
	char refused[CALL_REFUSED_MAX];
	/* The worker's copy, kept only to check results the way the host
	 * will: refusals are not logged there, the host logs them. */
	int check_only;
	size_t http_held; /* bytes of HTTP responses not yet freed (httpsvc) */
	char *host_note;  /* call_note: shown with an error result */
	/* Set by the artifacts service when it opens a file for the call, so
	 * call_finish can discard what was not committed without this layer
	 * knowing about the services above it. */
	void (*release_artifacts)(struct skill_call *c);
};

/* Something a host service handed the skill for the rest of the call (an
 * HTTP response, say), released by call_finish unless released earlier. */
struct call_deferred {
	struct call_deferred *next;
	void (*release)(struct call_deferred *d);
};

/* Keep the malloc'd string s until the call ends (the host's strings a
 * skill may hold for the rest of the call); returns s, or NULL after
 * freeing it when out of memory. NULL s gives NULL. */
const char *call_keep(struct skill_call *c, char *s);

/* Keep d until the call ends; call_finish runs d->release(d). */
void call_defer(struct skill_call *c, struct call_deferred *d);

/* Release d now (it must have been deferred on c); 0 when it was not. */
int call_release(struct skill_call *c, struct call_deferred *d);

/* Start a call. Everything not given is zeroed. */
void call_init(struct skill_call *c, const char *skill_name,
               const char *tool_name, const struct cJSON *args);

/* Move the result out of c into *out (the caller owns it; call_result_free)
 * and release everything else the call holds, including discarding any
 * artifact that was not committed. c must not be used afterwards. */
void call_finish(struct skill_call *c, struct call_result *out);

/* Turn a result into an MCP CallToolResult object, consuming r's trees.
 * Adds the serialized structuredContent as a text block when the result has
 * structured content and no text. NULL when out of memory. */
struct cJSON *call_result_to_json(struct call_result *r);

void call_result_free(struct call_result *r);

/* Replace the result with an error message for the model (isError). */
void call_set_error(struct skill_call *c, const char *message);

/*
 * Keep message (copied; the latest wins) as the host's reason for refusing
 * the skill something, e.g. an HTTP request. A skill sees only a status;
 * when the call then ends in an error result, call_finish appends the
 * note ("skillhost: ...") so the model and the operator learn the host's
 * reason and what to do, not just the skill's wording.
 */
void call_note(struct skill_call *c, const char *message);

/* The call's cancellation state and time left. */
int call_is_cancelled(skill_call_t *c);
int64_t call_remaining_ms(skill_call_t *c);
/* The monotonic clock deadline_ns is on (util/monotime.h). */
static inline int64_t call_now_ns(void)
{
	return sh_now_ns();
}

/* The call-scoped host services (see skill/host.h for their contracts). */
void call_progress(skill_call_t *c, double progress, double total,
                   const char *message);
void call_log(skill_call_t *c, skill_log_level level, const char *message);
skill_status call_result_text(skill_call_t *c, const char *text, size_t len);
skill_status call_result_json(skill_call_t *c, const char *json, size_t len);
skill_status call_result_media(skill_call_t *c, const char *mime,
                               const void *data, size_t len);
skill_status call_result_resource(skill_call_t *c, const skill_resource_t *res);
skill_status call_result_link(skill_call_t *c,
                              const skill_resource_link_t *link);
skill_status call_tool_error(skill_call_t *c, const char *message);
const char *call_arg_string(skill_call_t *c, const char *path);
int call_arg_number(skill_call_t *c, const char *path, double *out);
int call_arg_bool(skill_call_t *c, const char *path, int *out);
int64_t call_arg_count(skill_call_t *c, const char *path);
const char *call_arg_json(skill_call_t *c, const char *path);

/* 1 when the call's skill may use permission item of kind ("network" for
 * a literal entry, "secrets", "filesystem"): always for unrestricted
 * (file-loaded) skills. The services use perms.h's typed checks. */
int call_permitted(const struct skill_call *c, const char *kind,
                   const char *item);

/* Resolve a JSON Pointer ("a/0/b" or "/a/0/b", with ~0 and ~1 escapes) in
 * root. "" and "/" give root. NULL when absent. */
const struct cJSON *call_json_pointer(const struct cJSON *root,
                                      const char *path);

/* 1 when s[0..len) is valid UTF-8 (util/utf8.h). */
static inline int call_utf8_valid(const char *s, size_t len)
{
	return sh_utf8_valid(s, len);
}

/* The offset of the first byte of s[0..len) that is not valid UTF-8, or
 * len when all are. The one validator: call_utf8_valid uses it. */
static inline size_t call_utf8_check(const char *s, size_t len)
{
	return sh_utf8_check(s, len);
}

/* [hot] Whether s[0..len) may go on the wire as text (UTF-8, and no NUL
 * unless allow_nul). When not, the refusal is counted on c, its reason
 * ("<field> refused: not valid UTF-8 at byte N") kept when it is the
 * first, and logged to the client as a warning from the skill. */
int call_text_ok(struct skill_call *c, const char *field, const char *s,
                 size_t len, int allow_nul);

/* The name of a status code, for messages ("cancelled", ...). */
const char *call_skill_status_name(skill_status st);

#endif /* SH_CALL_H */
