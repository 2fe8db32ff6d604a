/*
 * agent.h - the native agent loop: a model and the host's tools, in turns.
 *
 * What: an agent sends the conversation and the catalog's tool
 * declarations to a model backend (backend.h), runs the tools the model
 * asks for through the dispatch path every surface shares (the calls of
 * one turn concurrently, one thread each, up to AGENT_MAX_PARALLEL), sends
 * the results back with their call ids, and repeats until the model
 * answers without asking for tools, or the step limit is reached.
 *
 *   struct backend_config be[] = {{.name = "openai", .model = "gpt-4.1"},
 *                                 {.name = "anthropic", .model = "..."}};
 *   struct agent_opts o = {.backends = be, .nbackends = 2};
 *   agent_new(rt, &o, &a, &err);
 *   if (agent_run(a, "What is on my calendar?", &err) == SH_OK)
 *           puts(agent_answer(a));
 *   agent_free(a);
 *
 * Failover: when a backend fails (network, 5xx, still rate-limited after
 * its retries, a malformed answer, refused credentials), the same
 * conversation goes on with the next backend of the list; the transcript
 * is vendor-neutral (transcript.h), so each backend converts the turns the
 * others produced. Later steps stay on the backend that worked.
 *
 * Tool failures are not agent failures: a tool error, arguments that are
 * not JSON or break the tool's schema, or an unknown tool name all go back
 * to the model as an error result in the vendor's shape, so it can correct
 * itself.
 *
 * Cancellation: setting *cancel stops the model request in flight (the
 * backends watch it between transfer chunks and while waiting to retry)
 * and every running tool call (dispatch's cancel), and agent_run returns
 * SH_ERR_CANCELLED.
 *
 * Ownership: the agent borrows the runtime (which must outlive it) and
 * owns its backends and transcript. Each step holds a counted reference to
 * the runtime's catalog (runtime_acquire), so a reload may swap catalogs
 * between or during steps. Threads: [control] one thread drives an agent
 * at a time; its tool calls run on threads of its own.
 */
#ifndef SH_AGENT_H
#define SH_AGENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "backend.h"
#include "call.h"
#include "runtime.h"
#include "status.h"
#include "transcript.h"

#define AGENT_DEFAULT_MAX_STEPS 10
#define AGENT_MAX_STEPS_LIMIT   10000
#define AGENT_MAX_BACKENDS      8
#define AGENT_MAX_PARALLEL      16 /* tool calls running at once */
#define AGENT_MAX_FAILURES      64 /* backend failures kept for the report */
#define AGENT_MAX_ARTIFACTS     64 /* artifacts remembered per agent */

/*
 * What the loop is doing, for a person watching (agent_opts.on_event).
 * Strings are borrowed for the duration of the callback only.
 */
enum agent_event_kind {
	AGENT_EV_REQUEST,   /* a model request starts: backend, model, step */
	AGENT_EV_REPLY,     /* it was answered: ms, ncalls */
	AGENT_EV_FAILED,    /* it failed on this backend: ms, error */
	AGENT_EV_TOOL,      /* a tool call starts: tool, args */
	AGENT_EV_TOOL_DONE, /* it ended: tool, ms, is_error, error */
};

struct agent_event {
	enum agent_event_kind kind;
	int step;            /* model request number in this run, from 1 */
	const char *backend; /* REQUEST, REPLY, FAILED */
	const char *model;
	const char *tool;  /* TOOL*: the name the model used */
	const char *args;  /* TOOL: the arguments as the model sent them */
	int64_t ms;        /* REPLY, FAILED, TOOL_DONE: how long it took */
	size_t ncalls;     /* REPLY: tool calls the model asked for */
	int is_error;      /* TOOL_DONE */
	const char *error; /* FAILED, TOOL_DONE with is_error: first line */
};

/* Called on the agent's thread for model events and on the tool's thread
 * for tool events, so calls of one turn may come at once: a callback
 * that prints must not interleave its own lines. */
typedef void (*agent_event_fn)(void *ud, const struct agent_event *ev);

/* An artifact a tool of this agent committed (skill.artifacts/1). */
struct agent_artifact {
	char path[4096]; /* in the runtime's artifacts folder */
	char name[128];  /* the name the skill suggested ("deck.pptx") */
};

struct agent_opts {
	/* The backend to start with, then the fallbacks in order. The
	 * configs are read by agent_new only. */
	const struct backend_config *backends;
	size_t nbackends;
	const char *system;      /* system prompt, or NULL */
	int max_steps;           /* model requests per agent_run; 0: default */
	int64_t tool_timeout_ms; /* per tool call; 0: the skill's or host's */
	struct backend_http_opts http;  /* timeouts and retries */
	atomic_int *cancel;             /* set to 1 to stop; may be NULL */
	const struct call_sinks *sinks; /* tools' progress and logs */
	agent_event_fn on_event;        /* may be NULL */
	void *event_ud;
};

enum agent_stop {
	AGENT_RUNNING,   /* no run yet, or one in progress */
	AGENT_ANSWERED,  /* the model gave its final answer */
	AGENT_MAX_STEPS, /* the step limit came first */
	AGENT_FAILED,    /* every backend failed */
	AGENT_CANCELLED
};

struct agent;

/* Open the backends (checking their credentials) and make an agent. */
sh_status agent_new(struct runtime *rt, const struct agent_opts *o,
                    struct agent **out, struct sh_error *e);

/*
 * Add prompt as a user message and run the loop until the model answers
 * (SH_OK; agent_answer), the step limit is reached (SH_ERR_FAIL, stop
 * AGENT_MAX_STEPS; the tools of the last turn are not run, since their
 * results could not be used), every backend failed, or cancel was set
 * (SH_ERR_CANCELLED). May be called again to continue the conversation.
 */
sh_status agent_run(struct agent *a, const char *prompt, struct sh_error *e);

/* The last final answer, or NULL. Owned by the agent. */
const char *agent_answer(const struct agent *a);
enum agent_stop agent_stop_reason(const struct agent *a);
const char *agent_stop_name(enum agent_stop s);
/* Model requests answered in all runs. */
int agent_steps(const struct agent *a);
const struct transcript *agent_transcript(const struct agent *a);
size_t agent_backend_count(const struct agent *a);
const struct backend *agent_backend(const struct agent *a, size_t i);
/* The backend the next step goes to. */
const struct backend *agent_current_backend(const struct agent *a);

/* The artifacts the tools committed in all runs, in the order they were
 * committed: only files in the runtime's artifacts folder, whatever
 * else a result links to. */
size_t agent_artifact_count(const struct agent *a);
const struct agent_artifact *agent_artifact(const struct agent *a, size_t i);

/*
 * Everything as JSON: {"status", "answer", "steps", "backend",
 * "transcript": [...], "usage": {"backends": [{"backend", "model",
 * "requests", "attempts", "input_tokens", "output_tokens"}], "input_tokens",
 * "output_tokens"}, "failures": [{"backend", "error"}]}. NULL when out of
 * memory.
 */
cJSON *agent_report(const struct agent *a);

void agent_free(struct agent *a);

#endif /* SH_AGENT_H */
