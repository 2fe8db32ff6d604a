/*
 * transcript.h - a conversation with a model, in no vendor's shape.
 *
 * What: the agent loop keeps its conversation here, and each backend turns
 * it into its own wire format on every request. Because nothing in it
 * belongs to one vendor, the same conversation can go on with another
 * backend when one fails (agent.c's fallback): the new backend converts
 * the earlier turns like any others.
 *
 * A message is one of:
 *   user       text
 *   assistant  text and/or tool calls; which backend and model answered;
 *              the vendor's own form of the message (native), which a
 *              backend of the same wire format replays verbatim, so what
 *              only that vendor understands (Anthropic thinking blocks,
 *              Gemini thought signatures, Responses reasoning items) goes
 *              back to it unchanged
 *   tool       the results of the previous message's tool calls, each with
 *              the call's id, as MCP CallToolResult objects
 *
 * Ownership: a transcript owns every string and tree in it; a message
 * given to transcript_push is moved in. Not thread-safe: one owner (the
 * agent) at a time.
 */
#ifndef SH_TRANSCRIPT_H
#define SH_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "status.h"

/* Most messages one conversation may hold (a loop that never ends is
 * stopped by max-steps long before). */
#define TRANSCRIPT_MAX_MESSAGES 100000

enum tr_role { TR_USER, TR_ASSISTANT, TR_TOOL };

struct tr_call {
	char *id;        /* the vendor's call id, or one the host made up */
	int id_made;     /* 1: the vendor sent no id; do not send this one */
	char *name;      /* the function name the model used */
	char *arguments; /* JSON text as the model sent it (may be invalid) */
};

struct tr_result {
	char *call_id;
	char *name; /* the function name the model called */
	char *tool; /* canonical name of the tool that ran, or NULL */
	int is_error;
	cJSON *result; /* MCP CallToolResult */
};

struct tr_usage {
	int64_t input_tokens;
	int64_t output_tokens;
};

struct tr_msg {
	enum tr_role role;
	char *text; /* user prompt, or the assistant's text (NULL: none) */
	struct tr_call *calls;
	size_t ncalls;
	struct tr_result *results;
	size_t nresults;
	/* assistant only: */
	char *backend; /* the backend name ("openai", ...) */
	char *model;
	const char *wire; /* static: the wire format of native */
	cJSON *native;    /* the vendor's form of the message, or NULL */
	char *stop;       /* the vendor's stop reason, or NULL */
	struct tr_usage usage;
};

struct transcript {
	char *system; /* system prompt or NULL */
	struct tr_msg *msgs;
	size_t nmsgs, cap;
};

void transcript_init(struct transcript *t);
void transcript_free(struct transcript *t);

/* Set (copy) the system prompt; NULL clears it. */
sh_status transcript_set_system(struct transcript *t, const char *system,
                                struct sh_error *e);

/* Append a user message with a copy of text. */
sh_status transcript_add_user(struct transcript *t, const char *text,
                              struct sh_error *e);

/* Append *m, moving it in (*m is zeroed), even on failure (then freed). */
sh_status transcript_push(struct transcript *t, struct tr_msg *m,
                          struct sh_error *e);

/* Free what m holds and zero it. */
void tr_msg_free(struct tr_msg *m);

/* Append text to m->text, joined to what is there by a newline. */
sh_status tr_msg_append_text(struct tr_msg *m, const char *text,
                             struct sh_error *e);

/* Append a call to an assistant message, copying the strings. id NULL:
 * make one up from prefix and n (id_made). */
sh_status tr_msg_add_call(struct tr_msg *m, const char *id, const char *name,
                          const char *arguments, const char *prefix,
                          unsigned long n, struct sh_error *e);

/*
 * A tool result as one text for vendors whose results are text: the text
 * blocks joined by newlines; a resource's text; a short note for each
 * image, audio clip, blob or link ("[image/png image, 67 bytes]"), unless
 * skip_images (the vendor gets the images as blocks of their own); the
 * structured content as JSON when there is nothing else; "(no output)"
 * when empty. With skip_images, images a vendor takes as blocks of their
 * own (tr_image_embeddable) are left out. Caller frees. NULL when out of
 * memory.
 */
char *tr_result_text(const cJSON *result, int skip_images);

/* 1 when an MCP content block is an image in a format Anthropic and
 * Bedrock accept in tool results (PNG, JPEG, GIF, WebP). */
int tr_image_embeddable(const cJSON *block);

/* The call's arguments as an object for vendors that want one (Anthropic,
 * Bedrock, Gemini, Ollama): the parsed arguments, or {} when they were
 * not a JSON object. Caller owns it. */
cJSON *tr_call_args_object(const struct tr_call *c);

/* The whole conversation as JSON: [{"role":"user","content":...},
 * {"role":"assistant","backend","model","text","tool_calls":[{id,name,
 * arguments}],"stop","usage":{input_tokens,output_tokens}},
 * {"role":"tool","results":[{id,name,tool,is_error,result}]}]: the host's
 * snake_case, with each result the MCP CallToolResult as it is. Arguments
 * that parse are shown as JSON, others as the text the model sent. NULL
 * when out of memory. */
cJSON *transcript_to_json(const struct transcript *t);

#endif /* SH_TRANSCRIPT_H */
