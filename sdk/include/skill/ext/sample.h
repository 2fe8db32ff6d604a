/*
 * skill/ext/sample.h - ask the caller's language model for a completion.
 *
 * Host extension "skill.sample/1" (MCP sampling/createMessage). The host
 * carries the request to the MCP client (only when the client declared the
 * sampling capability; the client usually shows it to the user first), or
 * in `skillhost agent` to the agent's own backend. Text messages only.
 */
#ifndef SKILL_EXT_SAMPLE_H
#define SKILL_EXT_SAMPLE_H

#include "../host.h"

#define SKILL_EXT_SAMPLE "skill.sample/1"

typedef struct skill_sample_message {
	uint32_t struct_size;
	const char *role; /* "user" or "assistant" */
	const char *text; /* UTF-8 */
} skill_sample_message_t;

typedef struct skill_sample_request {
	uint32_t struct_size;
	const skill_sample_message_t *messages; /* at least one */
	size_t message_count;
	const char *system_prompt; /* or NULL */
	uint32_t max_tokens;       /* required, > 0 */
	/* MCP ModelPreferences as JSON object text (hints, costPriority,
	 * speedPriority, intelligencePriority), or NULL. */
	const char *model_preferences;
} skill_sample_request_t;

typedef struct skill_sample_result {
	uint32_t struct_size;
	const char *role;        /* "assistant" */
	const char *text;        /* the text of a text reply, else NULL */
	const char *content;     /* the reply's content block, JSON text */
	const char *model;       /* the model that answered */
	const char *stop_reason; /* "endTurn", "maxTokens"... or NULL */
} skill_sample_result_t;

typedef struct skill_ext_sample {
	uint32_t struct_size;

	/* [call] Ask the model and wait, at most until the call's deadline;
	 * a cancelled call or a client that goes away ends the wait. req is
	 * borrowed for the call; set out->struct_size before calling. On
	 * SKILL_OK, *out's strings are owned by the host, valid until the
	 * call ends. Returns SKILL_ERR_UNSUPPORTED when the caller offers no
	 * model (the MCP client did not declare sampling, stateless HTTP),
	 * SKILL_ERR_ARGS for a malformed request, SKILL_ERR_TIMEOUT or
	 * SKILL_ERR_CANCELLED when the wait ended, SKILL_ERR_DENIED when the
	 * client or the user refused it. */
	skill_status (*sample)(skill_call_t *call,
	                       const skill_sample_request_t *req,
	                       skill_sample_result_t *out);
} skill_ext_sample_t;

#endif /* SKILL_EXT_SAMPLE_H */
