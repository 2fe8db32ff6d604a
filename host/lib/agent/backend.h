/*
 * backend.h - a model API behind one interface, for the agent loop.
 *
 * What: a backend takes the conversation so far (a transcript) and the
 * tool declarations, sends one request to its vendor over libcurl, and
 * hands back the model's reply as a vendor-neutral assistant message. Each
 * vendor is one module that only translates (backend_openai.c: Chat
 * Completions and Azure OpenAI; backend_responses.c: OpenAI Responses;
 * backend_anthropic.c; backend_bedrock.c; backend_gemini.c;
 * backend_ollama.c), behind the internal interface of backend_int.h.
 * What they share lives in backend.c (the HTTP exchange with its
 * timeouts, retries with backoff that honour Retry-After, response size
 * caps, error messages, usage counting, and scrubbing of credentials from
 * anything the host prints) and backend_common.c (credentials, URLs and
 * the pieces of requests and replies that vendors have in common).
 *
 * Credentials come from struct backend_config or, when not given, from
 * the environment (OPENAI_API_KEY, AZURE_OPENAI_API_KEY and
 * AZURE_OPENAI_ENDPOINT, ANTHROPIC_API_KEY, AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN / AWS_REGION or
 * AWS_BEARER_TOKEN_BEDROCK, GEMINI_API_KEY, OLLAMA_API_KEY). A missing one
 * is an error naming the variable. Secret values never appear in an error
 * message or a log line: each is registered with the backend and replaced
 * by "[redacted]" in every message that comes from a response, and they
 * are wiped from memory on close.
 *
 * Threads: [control] a backend is used by one thread at a time (the
 * agent's); different backends may run on different threads. It keeps one
 * libcurl handle, so connections are reused between steps.
 */
#ifndef SH_BACKEND_H
#define SH_BACKEND_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "status.h"
#include "toolfmt_vendor.h"
#include "transcript.h"

/* Limits and defaults. */
#define BACKEND_URL_MAX                    2048
#define BACKEND_RESPONSE_MAX               (32u * 1024 * 1024)
#define BACKEND_MAX_SECRETS                4
#define BACKEND_MAX_HEADERS                8
#define BACKEND_ERROR_BODY_MAX             400 /* bytes of an error body quoted */
#define BACKEND_DEFAULT_MAX_TOKENS         4096
#define BACKEND_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define BACKEND_DEFAULT_TIMEOUT_MS         300000
#define BACKEND_DEFAULT_RETRIES            3
#define BACKEND_DEFAULT_BACKOFF_MS         500
#define BACKEND_DEFAULT_RETRY_MAX_MS       30000
#define BACKEND_ANTHROPIC_VERSION          "2023-06-01"
#define BACKEND_AZURE_API_VERSION          "2024-10-21"

/* What the caller chooses about one backend. Strings are borrowed for
 * backend_open only (it copies them). */
struct backend_config {
	const char *name;     /* openai, openai-responses, azure, anthropic,
	                         bedrock, gemini, ollama */
	const char *model;    /* model; Azure: the deployment name */
	const char *base_url; /* NULL: the vendor's (or its env variable) */
	const char *api_key;  /* NULL: from the environment */
	const char *region; /* Bedrock; NULL: AWS_REGION, AWS_DEFAULT_REGION */
	const char *api_version; /* Azure; NULL: AZURE_OPENAI_API_VERSION or
	                            BACKEND_AZURE_API_VERSION */
	int max_tokens;          /* 0: the vendor's default (Anthropic: 4096) */
	int gemini_openapi;      /* Gemini: declare "parameters" (OpenAPI
	                            subset) instead of parametersJsonSchema */
};

/* How one exchange is carried out. Zeroed fields take the defaults. */
struct backend_http_opts {
	long connect_timeout_ms;
	long timeout_ms;    /* the whole request, including the answer */
	int max_retries;    /* retries after the first try; <0: none */
	long backoff_ms;    /* first backoff; doubles per retry, jittered */
	long retry_max_ms;  /* cap on any one wait, Retry-After included */
	atomic_int *cancel; /* set to 1 to stop waiting and transferring */
};

/* Tokens and requests one backend used. */
struct backend_usage {
	int64_t requests; /* answered requests */
	int64_t attempts; /* HTTP attempts, retries included */
	int64_t input_tokens;
	int64_t output_tokens;
};

struct backend;

/* Make a backend from cfg: checks the name, the model and credentials,
 * and builds the URL and headers. */
sh_status backend_open(const struct backend_config *cfg, struct backend **out,
                       struct sh_error *e);

/*
 * One step: send the conversation tr and the declarations tools (the
 * vendor's tool list as made by toolfmt_vendor_tool; may be empty), and
 * fill *out with the model's reply (an assistant message; the caller owns
 * it: tr_msg_free). Retries on connection failures, timeouts, truncated
 * transfers, 408, 409, 429 and 5xx, waiting as Retry-After (seconds, an
 * HTTP date, or retry-after-ms) says, else with jittered exponential
 * backoff, each wait capped. Errors: SH_ERR_BUSY when still rate-limited
 * after the retries, SH_ERR_IO for network failures and 5xx, SH_ERR_DENIED
 * for 401/403, SH_ERR_INVALID for a malformed response, SH_ERR_FAIL for
 * other refusals, SH_ERR_CANCELLED. Every message names the backend and
 * quotes the vendor's error, redacted.
 */
sh_status backend_step(struct backend *b, const struct transcript *tr,
                       const cJSON *tools, const struct backend_http_opts *o,
                       struct tr_msg *out, struct sh_error *e);

const char *backend_name(const struct backend *b);
const char *backend_model(const struct backend *b);
enum toolfmt_vendor backend_tool_format(const struct backend *b);
/* Most tools the vendor accepts in one request; 0: no known limit. */
int backend_max_tools(const struct backend *b);
const struct backend_usage *backend_usage(const struct backend *b);

/* Replace every registered secret in msg (NUL-terminated) by
 * "[redacted]", in place, never growing past cap bytes. */
void backend_redact(const struct backend *b, char *msg, size_t cap);

void backend_close(struct backend *b);

/* 1 when name is a backend backend_open knows. */
int backend_known(const char *name);
/*
 * The model a backend uses when none is named (a bare `--fallback B`):
 * $SKILLHOST_<B>_MODEL (B upper-cased, '-' as '_'), else a current
 * general model of the vendor. NULL for an unknown backend and for azure
 * and bedrock, whose model is the operator's deployment or model id.
 * Written into buf (cap bytes), which is returned.
 */
const char *backend_default_model(const char *name, char *buf, size_t cap);

/* "openai, openai-responses, azure, ..." for usage messages. */
const char *backend_names(void);

/*
 * The wait a Retry-After value asks for, in milliseconds, or -1 when it
 * is neither delay-seconds nor an HTTP date. now is the current time (a
 * date in the past means 0).
 */
long backend_retry_after_ms(const char *value, time_t now);

#endif /* SH_BACKEND_H */
