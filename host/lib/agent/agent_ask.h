/*
 * agent_ask.h - how `skillhost agent` answers a skill's questions
 * (skill.elicit/1, skill.sample/1, and the confirm-destructive policy's
 * confirmation), in place of an MCP client: elicitation is a prompt on the
 * terminal (the question and each form field on the error stream, answers
 * read from the input, which must be a terminal), and sampling goes to the
 * agent's own backend as a one-off conversation without tools.
 */
#ifndef SH_AGENT_ASK_H
#define SH_AGENT_ASK_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>
#include <skill/status.h>

#include "backend.h"

struct skill_call;

/* Longest answer line read from the terminal. */
#define AGENT_ASK_LINE_MAX 1024

/*
 * [call] Put the elicitation/create params (message, requestedSchema) to
 * the user: the message, then a y/n/c choice (accept, decline, cancel),
 * then each field of the form by its type, on out; answers read from
 * in_fd. A choice shows its options (value and title; either is a valid
 * answer), a multiple choice takes a comma-separated list, and an empty
 * answer to a field with a "default" takes the default. Waits until
 * the call's deadline or cancellation (c may be NULL: no limit). SKILL_OK
 * with *result {action, content?}; SKILL_ERR_UNSUPPORTED with why when
 * in_fd is not a terminal; SKILL_ERR_TIMEOUT, SKILL_ERR_CANCELLED. The
 * caller serializes questions.
 */
skill_status agent_ask_terminal(int in_fd, FILE *out, struct skill_call *c,
                                const cJSON *params, cJSON **result, char *why,
                                size_t cap);

/*
 * [call] Put the sampling/createMessage params to backend b as a fresh
 * conversation (systemPrompt, the text messages), without tools, and make
 * MCP's CreateMessageResult {role, content, model, stopReason} of the
 * reply. The caller serializes use of b. SKILL_ERR_ARGS for messages that
 * are not text, SKILL_ERR_IO with why when the backend fails.
 */
skill_status agent_ask_backend(struct backend *b,
                               const struct backend_http_opts *http,
                               const cJSON *params, cJSON **result, char *why,
                               size_t cap);

#endif /* SH_AGENT_ASK_H */
