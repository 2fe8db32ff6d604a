/*
 * backend_int.h - the contract between the backend frame (backend.c) and
 * the vendor adapters (backend_openai.c, backend_responses.c,
 * backend_anthropic.c, backend_bedrock.c, backend_gemini.c,
 * backend_ollama.c); not part of the library's interface (backend.h is).
 *
 * Like curl's vtls: the frame owns what every vendor has (the model, the
 * URL, the fixed headers, the secrets, the curl handle, usage) and runs
 * the exchange; an adapter is a const struct backend_ops of functions
 * that only translate. State only one vendor needs lives behind b->priv,
 * in a struct the adapter defines, allocates in setup and frees in close.
 * What adapters share (credentials, URLs, request and reply pieces) is in
 * backend_common.c, declared below.
 *
 * Threads: [control] as backend.h.
 */
#ifndef SH_BACKEND_INT_H
#define SH_BACKEND_INT_H

#include <curl/curl.h>

#include "backend.h"

struct backend_ops {
	const char *name;
	const char *wire; /* native messages replay between equal wires */
	enum toolfmt_vendor tools;
	int max_tools; /* 0: no known limit */
	/* Read credentials, build b->url and b->headers, and set up b->priv
	 * (and b->tools, for a variant). Called once from backend_open; on
	 * failure backend_open calls close. */
	sh_status (*setup)(struct backend *b, const struct backend_config *cfg,
	                   struct sh_error *e);
	/* The request body for tr and tools. */
	sh_status (*build)(struct backend *b, const struct transcript *tr,
	                   const cJSON *tools, cJSON **body,
	                   struct sh_error *e);
	/* A 2xx response body into an assistant message (the frame sets its
	 * role, wire, backend and model). */
	sh_status (*parse)(struct backend *b, const cJSON *resp,
	                   struct tr_msg *out, struct sh_error *e);
	/* The vendor's error message in an error body, or NULL. */
	const char *(*error_message)(const cJSON *body);
	/* Per-attempt authentication (Bedrock's SigV4), called on the handle
	 * h already set up for this attempt: it may set options on h, and may
	 * hand back in *extra a header list to send instead of b->headers
	 * (the frame frees it after the attempt). May be NULL. */
	sh_status (*sign)(struct backend *b, CURL *h, const char *body,
	                  size_t len, struct curl_slist **extra,
	                  struct sh_error *e);
	/* After each attempt: take off h whatever secret sign left on it. May
	 * be NULL. */
	void (*unsign)(struct backend *b, CURL *h);
	/* Free b->priv. Secrets registered with backend_add_secret are wiped
	 * by the frame. May be NULL when setup allocates nothing. */
	void (*close)(struct backend *b);
};

struct backend {
	const struct backend_ops *ops;
	void *priv; /* the adapter's own state; NULL when it has none */
	char *model;
	int max_tokens;
	enum toolfmt_vendor
	        tools; /* ops->tools, unless setup chose a variant */
	char url[BACKEND_URL_MAX];
	struct curl_slist *headers;
	char *secrets[BACKEND_MAX_SECRETS]; /* redacted and wiped */
	int nsecrets;
	CURL *curl;
	struct backend_usage usage;
	unsigned long made_ids; /* counter for made-up call ids */
};

/* The backends. */
extern const struct backend_ops backend_openai_ops;
extern const struct backend_ops backend_azure_ops;
extern const struct backend_ops backend_responses_ops;
extern const struct backend_ops backend_anthropic_ops;
extern const struct backend_ops backend_bedrock_ops;
extern const struct backend_ops backend_gemini_ops;
extern const struct backend_ops backend_ollama_ops;

/* ---- credentials, headers and URLs (backend_common.c) ------------------ */

/* Keep a copy of a secret for redaction and wiping; returns the copy (owned
 * by b) or NULL when out of memory or too many. */
const char *backend_add_secret(struct backend *b, const char *value);

/* Register key as a secret and send it as "name: prefix key" (prefix
 * may be ""). */
sh_status backend_auth_header(struct backend *b, const char *name,
                              const char *prefix, const char *key,
                              struct sh_error *e);

/* Append "name: value" to b->headers. */
sh_status backend_add_header(struct backend *b, const char *name,
                             const char *value, struct sh_error *e);

/* The value of an environment variable, NULL when unset or empty. */
const char *backend_env(const char *name);

/* given when not NULL, else the environment variable var (NULL when
 * unset or empty). */
const char *backend_setting(const char *given, const char *var);

/* A missing credential: an SH_ERR_USAGE message naming the variable. */
sh_status backend_missing(struct sh_error *e, const char *backend,
                          const char *var, const char *what);

/* base (no trailing "/") + suffix into b->url, or an error. */
sh_status backend_set_url(struct backend *b, const char *base,
                          const char *suffix, struct sh_error *e);

/* How a vendor takes its key and where it lives. */
struct backend_endpoint {
	const char *key_var;  /* the key's variable, e.g. OPENAI_API_KEY */
	const char *key_var2; /* a second variable read after it, or NULL */
	const char *key_hint; /* "export ..." advice when it is missing; NULL:
	                         the key is optional */
	const char *header;   /* the header that carries it */
	const char *prefix; /* before the key in that header, e.g. "Bearer " */
	const char *base_var; /* the variable with the base URL, or NULL */
	const char *default_base;
};

/* The key (cfg->api_key, else ep->key_var, else ep->key_var2) registered
 * as a secret and sent in ep->header; missing and required: an error
 * naming ep->key_var. */
sh_status backend_key(struct backend *b, const struct backend_config *cfg,
                      const struct backend_endpoint *ep, struct sh_error *e);

/* b->url: the base (cfg->base_url, else ep->base_var, else
 * ep->default_base) + suffix. */
sh_status backend_endpoint_url(struct backend *b,
                               const struct backend_config *cfg,
                               const struct backend_endpoint *ep,
                               const char *suffix, struct sh_error *e);

/* OpenAI's key and base URL, for Chat Completions and Responses. */
extern const struct backend_endpoint backend_openai_endpoint;

/* Percent-encode s for a URL path segment into out. 0 when too long. */
int backend_path_escape(const char *s, char *out, size_t cap);

/* ---- requests (backend_common.c) -------------------------------------- */

/* How a vendor without an error flag writes one result as an item of its
 * own: {kind_key: kind, id_key: call id, text_key: backend_result_text,
 * name_key: tool name}, in that order; id_key and name_key may be NULL. */
struct backend_result_item {
	const char *kind_key, *kind, *id_key, *text_key, *name_key;
};

/* How one vendor writes each kind of turn into its list (into). Each
 * function returns 0 when out of memory. user NULL: {"role": "user",
 * "content": text}. Results, by the first of these that is set:
 *  - results, given the transcript and the index of the TR_TOOL message,
 *    for vendors that pair results with calls;
 *  - result_block: one user message {"role": "user", "content": [...]}
 *    with a block per result, which result_block fills given the result
 *    and its call id made safe (backend_safe_id);
 *  - items: one item per result (backend_add_result_items). */
struct backend_turns {
	int (*user)(cJSON *into, const char *text);
	int (*assistant)(cJSON *into, const struct tr_msg *a);
	int (*results)(cJSON *into, const struct transcript *tr, size_t i);
	int (*result_block)(cJSON *blk, const struct tr_result *r,
	                    const char *safe_id);
	const struct backend_result_item *items;
};

/* Every message of tr, in order, through t. 0 when out of memory. */
int backend_add_turns(cJSON *into, const struct transcript *tr,
                      const struct backend_turns *t);

/* Append {"role": role, "content": content} to arr; returns it, or NULL
 * when out of memory (nothing appended). */
cJSON *backend_add_message(cJSON *arr, const char *role, const char *content);

/* The native form of an assistant turn when it came from wire (to replay
 * verbatim), else NULL. */
const cJSON *backend_native(const struct tr_msg *a, const char *wire);

/* The text of an assistant turn for vendors that refuse an empty turn:
 * its text, "(no answer)" when it has neither text nor calls, NULL when
 * it has calls and no text. */
const char *backend_turn_text(const struct tr_msg *a);

/* A tool result as text for vendors without an error flag: "Error: "
 * before a failure's text. NULL when out of memory; free() it. */
char *backend_result_text(const struct tr_result *r);

/* Every result of the TR_TOOL message t, one item each, into into. 0 when
 * out of memory. */
int backend_add_result_items(cJSON *into, const struct tr_msg *t,
                             const struct backend_result_item *shape);

/* A text block: {"type": type, "text": text}, or {"text": text} when type
 * is NULL. NULL when out of memory. */
cJSON *backend_text_block(const char *type, const char *text);

/* Append {"role": role, "content": []} to msgs and return the content
 * array, or NULL when out of memory. */
cJSON *backend_add_block_message(cJSON *msgs, const char *role);

/* How a vendor writes an assistant turn as content blocks (Anthropic,
 * Bedrock). */
struct backend_blocks {
	const char *wire;      /* turns from this wire replay verbatim */
	const char *text_type; /* a text block's "type", or NULL */
	const char *use_wrap;  /* a call block nests in {use_wrap: {...}}, or
	                          NULL */
	const char *use_type;  /* a call block's "type", or NULL */
	const char *use_id;    /* the key of the call's (safe) id */
};

/* Append the assistant turn a to msgs as {"role": "assistant", "content":
 * blocks}: its native blocks when it came from bs->wire, else a text block
 * (backend_turn_text) and a block {use_type, use_id: safe id, "name",
 * "input": arguments object} per call. 0 when out of memory. */
int backend_add_block_turn(cJSON *msgs, const struct tr_msg *a,
                           const struct backend_blocks *bs);

/* Refer to the tool declarations under key in o, when there are any. */
void backend_add_tools(cJSON *o, const char *key, const cJSON *tools);

/* The build functions' out-of-memory exit: frees o. */
sh_status backend_build_nomem(cJSON *o, struct sh_error *e);

/* A call id made safe for vendors that want ^[a-zA-Z0-9_-]{1,64}$
 * (Anthropic, Bedrock) when it came from another vendor: other characters
 * become "_". out holds at least 65 bytes. */
#define BACKEND_ID_MAX 64
void backend_safe_id(const char *id, char out[BACKEND_ID_MAX + 1]);

/* ---- replies (backend_common.c) --------------------------------------- */

/* JSON helpers for parse functions: a string member or NULL. */
const char *backend_str(const cJSON *o, const char *key);

/* An integer member (a token count), 0 when absent or not a number. */
int64_t backend_num(const cJSON *o, const char *key);

/* body.error.message, or NULL: the error shape most vendors share. */
const char *backend_error_message(const cJSON *body);

/* How a call's arguments arrive. */
enum backend_args {
	BACKEND_ARGS_JSON, /* any JSON value, sent on as its text */
	BACKEND_ARGS_TEXT  /* JSON text in a string (an object is also taken,
	                      from servers that send one) */
};

/* Add a call to out with arguments args (NULL: "{}"); id NULL makes one
 * up from made_prefix and made (see tr_msg_add_call). */
sh_status backend_add_call(struct tr_msg *out, const char *id, const char *name,
                           const cJSON *args, enum backend_args how,
                           const char *made_prefix, unsigned long made,
                           struct sh_error *e);

/* A call block of the content-block vendors (Anthropic's tool_use,
 * Bedrock's toolUse): {id_key, "name", "input"}; what names the block in
 * the error when one is missing. */
sh_status backend_add_use(struct tr_msg *out, const cJSON *use,
                          const char *id_key, const char *what,
                          struct sh_error *e);

/* A call in the Chat Completions shape {"id", "function": {"name",
 * "arguments"}}. With made_prefix the vendor sends no id: the host makes
 * one up from ++*made; else the id is required. bad is the error when the
 * call lacks what it needs. */
sh_status backend_add_function_call(struct tr_msg *out, const cJSON *call,
                                    const char *made_prefix,
                                    unsigned long *made, const char *bad,
                                    struct sh_error *e);

/* out->stop = a copy of stop, when stop is not NULL. */
sh_status backend_set_stop(struct tr_msg *out, const char *stop,
                           struct sh_error *e);

/* out->native = a copy of v, for replay on the same wire. */
sh_status backend_set_native(struct tr_msg *out, const cJSON *v,
                             struct sh_error *e);

#endif /* SH_BACKEND_INT_H */
