/*
 * clientask.h - skill.elicit/1 and skill.sample/1 as the host performs
 * them: a skill's question to the user or to the caller's model, checked
 * and turned into an MCP request (elicitation/create,
 * sampling/createMessage) that the call's driver carries through
 * call_sinks.request (the MCP server to its client, the agent loop to the
 * terminal or its backend). The answer is checked before the skill sees
 * it: an accepted form must match the schema the skill asked with.
 */
#ifndef SH_CLIENTASK_H
#define SH_CLIENTASK_H

#include <cjson/cJSON.h>

#include <skill/ext/elicit.h>
#include <skill/ext/sample.h>

/* Most bytes of a question (message + schema) or of all sampling
 * messages together: a model's context, not a file transfer. */
#define CLIENTASK_REQUEST_MAX  ((size_t)1024 * 1024)
#define CLIENTASK_MESSAGES_MAX 256

/*
 * Is s (a requestedSchema) a form MCP clients can render: an object whose
 * "properties" are flat fields, i.e. string (free text, "enum", legacy
 * "enumNames", or titled "oneOf" of {const, title}), number, integer,
 * boolean, or array (multiple choice: "items" {"type": "string", "enum"}
 * or {"anyOf" of {const, title}}), each with an optional "default" of the
 * field's type (among the options, for a choice)? 1 if so; else 0 with
 * why (cap bytes) naming the field and what to change.
 */
int clientask_form_ok(const cJSON *s, char *why, size_t cap);

extern const skill_ext_elicit_t clientask_elicit_ext;
extern const skill_ext_sample_t clientask_sample_ext;

#endif /* SH_CLIENTASK_H */
