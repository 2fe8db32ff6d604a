/*
 * skill/ext/elicit.h - ask the user a question in the middle of a call.
 *
 * Host extension "skill.elicit/1" (form mode). The host carries the
 * question to whoever drives the call: an MCP client as an
 * elicitation/create request (only when the client declared the
 * elicitation capability), or the terminal in `skillhost agent`. The user
 * answers with a form the client builds from requested_schema, declines,
 * or dismisses the question (cancel). Never ask for secrets this way
 * (MCP forbids it); use "skill.secrets/1".
 */
#ifndef SKILL_EXT_ELICIT_H
#define SKILL_EXT_ELICIT_H

#include "../host.h"

#define SKILL_EXT_ELICIT "skill.elicit/1"

typedef enum skill_elicit_action {
	SKILL_ELICIT_ACCEPT = 1,  /* the user submitted the form: content */
	SKILL_ELICIT_DECLINE = 2, /* the user said no */
	SKILL_ELICIT_CANCEL = 3   /* the user dismissed it without choosing */
} skill_elicit_action;

typedef struct skill_elicit_request {
	uint32_t struct_size;
	/* What to ask, shown to the user. UTF-8; required. */
	const char *message;
	/* The form, as JSON Schema text: an object whose "properties" are
	 * flat fields, with optional "required" (MCP 2025-11-25): string,
	 * number, integer, boolean; a single choice, {"type": "string"} with
	 * "enum" (optionally "enumNames", deprecated) or a "oneOf" of
	 * {"const", "title"}; a multiple choice, {"type": "array"} whose
	 * "items" is {"type": "string", "enum"} or an "anyOf" of {"const",
	 * "title"}. Any field may have a "default" (a valid value of it),
	 * which clients pre-fill. Anything else is SKILL_ERR_ARGS, with the
	 * reason in the error result. Required. */
	const char *requested_schema;
} skill_elicit_request_t;

typedef struct skill_elicit_result {
	uint32_t struct_size;
	skill_elicit_action action;
	/* With SKILL_ELICIT_ACCEPT: the user's answer, a JSON object text
	 * that the host has checked against requested_schema; else NULL. */
	const char *content;
	size_t content_len;
} skill_elicit_result_t;

typedef struct skill_ext_elicit {
	uint32_t struct_size;

	/* [call] Ask the user and wait for the answer, at most until the
	 * call's deadline; a cancelled call or a client that goes away ends
	 * the wait. req is borrowed for the call; set out->struct_size
	 * before calling. On SKILL_OK, *out is filled and its strings are
	 * owned by the host, valid until the call ends. Returns
	 * SKILL_ERR_UNSUPPORTED when the caller cannot ask the user (the
	 * MCP client did not declare elicitation, stateless HTTP, a
	 * non-interactive agent), SKILL_ERR_ARGS for a malformed request,
	 * SKILL_ERR_TIMEOUT or SKILL_ERR_CANCELLED when the wait ended, and
	 * SKILL_ERR_DENIED when the client refused the request. The host
	 * notes why for the error result, so a tool may just fail. */
	skill_status (*elicit)(skill_call_t *call,
	                       const skill_elicit_request_t *req,
	                       skill_elicit_result_t *out);
} skill_ext_elicit_t;

#endif /* SKILL_EXT_ELICIT_H */
