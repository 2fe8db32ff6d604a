/*
 * agent.c - the model <-> tool loop with failover. See agent.h.
 */
#include "agent.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "artifacts.h"
#include "agent_ask.h"
#include "catalog.h"
#include "config.h"
#include "confirm.h"
#include "dispatch.h"
#include "hostapi.h"
#include "hostlog.h"
#include "monotime.h"
#include "toolfmt_vendor.h"
#include "agent_skills.h"

/* Room for a message to the model about a call that could not run. */
#define AGENT_TOOL_MSG_MAX 2048
/* Room for the list of tools named in the step-limit message. */
#define AGENT_NAMES_MAX 512

struct agent_backend {
	struct backend *b;
	cJSON *decls;             /* declarations for decl_cat */
	struct catalog *decl_cat; /* counted reference */
};

struct agent_failure {
	char backend[32];
	char msg[SH_ERROR_MSG_MAX];
};

struct agent {
	struct runtime *rt;
	struct agent_opts o;
	struct agent_backend be[AGENT_MAX_BACKENDS];
	size_t nbe, cur;
	struct transcript tr;
	char *answer;
	int steps;
	enum agent_stop stop;
	struct agent_failure failures[AGENT_MAX_FAILURES];
	size_t nfailures;
	int run_step; /* model requests in the current run */
	/* Tool threads add artifacts at once. */
	pthread_mutex_t art_lock;
	struct agent_artifact artifacts[AGENT_MAX_ARTIFACTS];
	size_t nartifacts;
	/* What tools' calls report to and ask through: the caller's sinks,
	 * plus the agent's answers to skills' questions (agent_ask.h), one
	 * question at a time. */
	struct call_sinks sinks;
	pthread_mutex_t ask_lock;
	struct agent_skills *skills; /* installed Agent Skills, or NULL */
};

static void emit(const struct agent *a, struct agent_event *ev)
{
	if (a->o.on_event) {
		ev->step = a->run_step;
		a->o.on_event(a->o.event_ud, ev);
	}
}

static int64_t ms_since(int64_t t0)
{
	return (sh_now_ns() - t0) / 1000000;
}

static void fwd_progress(void *ud, double progress, double total,
                         const char *message)
{
	const struct agent *a = ud;

	a->o.sinks->progress(a->o.sinks->ud, progress, total, message);
}

static void fwd_log(void *ud, skill_log_level level, const char *logger,
                    const char *message)
{
	const struct agent *a = ud;

	a->o.sinks->log(a->o.sinks->ud, level, logger, message);
}

/* call_sinks.request: the terminal for elicitation, the backend in use
 * for sampling. Tools run while the agent's own thread waits for them,
 * so the backend is free; ask_lock keeps two tools from using it (or the
 * terminal) at once. */
static skill_status ask(void *ud, struct skill_call *c, const char *method,
                        cJSON *params, cJSON **result, char *why, size_t cap)
{
	struct agent *a = ud;
	skill_status st;

	pthread_mutex_lock(&a->ask_lock);
	if (!strcmp(method, "elicitation/create"))
		st = agent_ask_terminal(STDIN_FILENO, stderr, c, params, result,
		                        why, cap);
	else if (!strcmp(method, "sampling/createMessage"))
		st = agent_ask_backend(a->be[a->cur].b, &a->o.http, params,
		                       result, why, cap);
	else {
		snprintf(why, cap, "the agent cannot answer %s", method);
		st = SKILL_ERR_UNSUPPORTED;
	}
	pthread_mutex_unlock(&a->ask_lock);
	cJSON_Delete(params);
	return st;
}

sh_status agent_new(struct runtime *rt, const struct agent_opts *o,
                    struct agent **out, struct sh_error *e)
{
	struct agent *a;
	sh_status rc;

	*out = NULL;
	if (!o->nbackends || !o->backends)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "no backend: choose one (%s)",
		                    backend_names());
	if (o->nbackends > AGENT_MAX_BACKENDS)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "at most %d backends (one and its "
		                    "fallbacks)",
		                    AGENT_MAX_BACKENDS);
	if (o->max_steps < 0 || o->max_steps > AGENT_MAX_STEPS_LIMIT)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "the step limit must be 1 to %d",
		                    AGENT_MAX_STEPS_LIMIT);
	if (!(a = calloc(1, sizeof *a)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	a->rt = rt;
	a->o = *o;
	a->o.backends = NULL; /* read here only */
	/* One flag stops everything: the model request as well as tools. */
	if (!a->o.http.cancel)
		a->o.http.cancel = a->o.cancel;
	pthread_mutex_init(&a->art_lock, NULL);
	pthread_mutex_init(&a->ask_lock, NULL);
	a->sinks = (struct call_sinks){
	        .progress =
	                o->sinks && o->sinks->progress ? fwd_progress : NULL,
	        .log = o->sinks && o->sinks->log ? fwd_log : NULL,
	        .log_min = o->sinks ? o->sinks->log_min : SKILL_LOG_INFO,
	        .ud = a,
	        .request = ask,
	};
	if (!a->o.max_steps)
		a->o.max_steps = AGENT_DEFAULT_MAX_STEPS;
	transcript_init(&a->tr);
	for (size_t i = 0; i < o->nbackends; i++) {
		rc = backend_open(&o->backends[i], &a->be[i].b, e);
		if (rc != SH_OK)
			goto fail;
		a->nbe++;
	}
	/* Agent Skills: their names and descriptions go into the system
	 * prompt; the rest loads through two tools (agent_skills.h). */
	if ((rc = agent_skills_open(runtime_home(rt), &a->skills, e)))
		goto fail;
	if (a->skills) {
		char *sys = agent_skills_system(a->skills, o->system);
		rc = sys ? transcript_set_system(&a->tr, sys, e)
		         : sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		free(sys);
	} else {
		rc = transcript_set_system(&a->tr, o->system, e);
	}
	if (rc != SH_OK)
		goto fail;
	a->o.system = NULL;
	*out = a;
	return SH_OK;
fail:
	agent_free(a);
	return rc;
}

void agent_free(struct agent *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nbe; i++) {
		backend_close(a->be[i].b);
		cJSON_Delete(a->be[i].decls);
		runtime_release(a->be[i].decl_cat);
	}
	transcript_free(&a->tr);
	pthread_mutex_destroy(&a->ask_lock);
	agent_skills_free(a->skills);
	free(a->answer);
	pthread_mutex_destroy(&a->art_lock);
	free(a);
}

/* The declarations of cat's tools for ab's vendor, made once per catalog
 * (a reload makes a new catalog, so they follow it). */
static sh_status declarations(struct agent_backend *ab, struct catalog *cat,
                              const struct agent_skills *skills,
                              struct sh_error *e)
{
	size_t n = catalog_tool_count(cat) + (skills ? 2 : 0);
	int max = backend_max_tools(ab->b);
	enum toolfmt_vendor v = backend_tool_format(ab->b);
	cJSON *arr;
	sh_status rc;

	if (ab->decls && ab->decl_cat == cat)
		return SH_OK;
	if (max && n > (size_t)max)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%zu tools are loaded and %s accepts at "
		                    "most %d in one request; load fewer skills",
		                    n, backend_name(ab->b), max);
	if (!(arr = cJSON_CreateArray()))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < catalog_tool_count(cat); i++) {
		cJSON *d;
		rc = toolfmt_vendor_tool(catalog_tool_at(cat, i), v, &d, e);
		if (rc != SH_OK) {
			cJSON_Delete(arr);
			return rc;
		}
		cJSON_AddItemToArray(arr, d);
	}
	if (skills && (rc = agent_skills_declare(v, arr, e))) {
		cJSON_Delete(arr);
		return rc;
	}
	cJSON_Delete(ab->decls);
	runtime_release(ab->decl_cat);
	ab->decls = arr;
	ab->decl_cat = catalog_ref(cat);
	return SH_OK;
}

static cJSON *error_result(const char *msg)
{
	cJSON *r = cJSON_CreateObject(), *content, *t;

	if (!r || !(content = cJSON_AddArrayToObject(r, "content")) ||
	    !(t = cJSON_CreateObject())) {
		cJSON_Delete(r);
		return NULL;
	}
	cJSON_AddItemToArray(content, t);
	if (!cJSON_AddStringToObject(t, "type", "text") ||
	    !cJSON_AddStringToObject(t, "text", msg) ||
	    !cJSON_AddBoolToObject(r, "isError", 1)) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

/* ---- running one turn's tool calls ------------------------------------ */

struct tool_jobs {
	struct agent *a;
	struct catalog *cat;
	const struct tr_msg *turn;
	struct tr_result *results;
	atomic_size_t next;
};

static int blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

static int unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode a file:// URI's path; 0 when it is not one or does not fit. */
static int file_uri_path(const char *uri, char *out, size_t cap)
{
	size_t j = 0;

	if (strncmp(uri, "file:///", 8))
		return 0;
	for (const char *p = uri + 7; *p; p++) {
		int c = (unsigned char)*p;
		if (c == '%') {
			int hi = unhex(p[1]), lo = hi < 0 ? -1 : unhex(p[2]);
			if (lo < 0)
				return 0;
			c = hi * 16 + lo;
			p += 2;
		}
		if (!c || j + 1 >= cap)
			return 0;
		out[j++] = (char)c;
	}
	out[j] = '\0';
	return 1;
}

/* Remember the artifacts a result links to. Only links into this
 * runtime's artifacts folder count, rebuilt from their id: a skill may
 * link to any file:// URI, and whoever copies these files out (the CLI)
 * must never be pointed at a file of its choosing. */
static void note_artifacts(struct agent *a, const cJSON *result)
{
	const struct host_services *svc = runtime_services(a->rt);
	const cJSON *item;
	size_t dlen;

	if (!svc || !svc->artifacts_dir)
		return;
	dlen = strlen(svc->artifacts_dir);
	cJSON_ArrayForEach(item,
	                   cJSON_GetObjectItemCaseSensitive(result, "content"))
	{
		const char *type = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(item, "type"));
		const char *uri = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(item, "uri"));
		char local[PATH_MAX], path[PATH_MAX];
		const char *id, *dash;
		struct sh_error e;

		if (!type || strcmp(type, "resource_link") || !uri ||
		    !file_uri_path(uri, local, sizeof local) ||
		    strncmp(local, svc->artifacts_dir, dlen) ||
		    local[dlen] != '/')
			continue;
		id = local + dlen + 1;
		if (artifacts_path(svc, id, path, sizeof path, &e) != SH_OK ||
		    !(dash = strchr(id, '-')) || !dash[1])
			continue;
		pthread_mutex_lock(&a->art_lock);
		if (a->nartifacts < AGENT_MAX_ARTIFACTS) {
			struct agent_artifact *art =
			        &a->artifacts[a->nartifacts++];
			snprintf(art->path, sizeof art->path, "%s", path);
			snprintf(art->name, sizeof art->name, "%s", dash + 1);
		}
		pthread_mutex_unlock(&a->art_lock);
	}
}

/* The first text of an error result, for a one-line report. */
static const char *first_text(const cJSON *result)
{
	const cJSON *item;

	cJSON_ArrayForEach(item,
	                   cJSON_GetObjectItemCaseSensitive(result, "content"))
	{
		const char *t = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(item, "text"));
		if (t)
			return t;
	}
	return "";
}

static void run_call(struct tool_jobs *j, size_t i);

/* run_call, reported to on_event and scanned for artifacts. */
static void run_call_reported(struct tool_jobs *j, size_t i)
{
	const struct tr_call *c = &j->turn->calls[i];
	struct tr_result *r = &j->results[i];
	struct agent_event ev = {
	        .kind = AGENT_EV_TOOL, .tool = c->name, .args = c->arguments};
	int64_t t0 = sh_now_ns();

	emit(j->a, &ev);
	run_call(j, i);
	if (r->result)
		note_artifacts(j->a, r->result);
	ev.kind = AGENT_EV_TOOL_DONE;
	ev.ms = ms_since(t0);
	ev.is_error = r->is_error;
	ev.error = r->is_error && r->result ? first_text(r->result) : NULL;
	emit(j->a, &ev);
}

/* Run call i and fill results[i]. Never fails: what goes wrong becomes an
 * error result for the model (or a NULL result when out of memory). */
static void run_call(struct tool_jobs *j, size_t i)
{
	const struct tr_call *c = &j->turn->calls[i];
	struct tr_result *r = &j->results[i];
	struct dispatch_opts o = {
	        .timeout_ms = j->a->o.tool_timeout_ms,
	        .cancel = j->a->o.cancel,
	        .sinks = &j->a->sinks,
	        .services = runtime_services(j->a->rt),
	};
	char msg[AGENT_TOOL_MSG_MAX];
	struct call_result cr;
	struct sh_error e;
	const char *end = NULL;
	struct tool *t;
	cJSON *args = NULL;
	size_t len = strlen(c->arguments);

	r->call_id = strdup(c->id);
	r->name = strdup(c->name);
	if (agent_skills_call(j->a->skills, c->name, c->arguments, &r->result,
	                      &r->is_error)) {
		r->tool = strdup(c->name);
		return;
	}
	t = catalog_find(j->cat, c->name, &e);
	if (!t) {
		snprintf(msg, sizeof msg,
		         "There is no tool named \"%s\". Call one of the "
		         "declared functions by its exact name.",
		         c->name);
		r->result = error_result(msg);
		r->is_error = 1;
		return;
	}
	r->tool = strdup(t->canonical);
	/* Some models send "" for a function without parameters. */
	if (!blank(c->arguments) &&
	    !(args = cJSON_ParseWithLengthOpts(c->arguments, len, &end, 0))) {
		size_t off =
		        end && end >= c->arguments && end <= c->arguments + len
		                ? (size_t)(end - c->arguments)
		                : 0;
		snprintf(msg, sizeof msg,
		         "Invalid arguments for %s: not valid JSON (error near "
		         "byte %zu). Send the arguments as one JSON object and "
		         "call it again.",
		         t->canonical, off);
		r->result = error_result(msg);
		r->is_error = 1;
		return;
	}
	if (!confirm_destructive(
	            runtime_config(j->a->rt), t, args, &j->a->sinks,
	            j->a->o.cancel,
	            config_call_timeout_ms(runtime_config(j->a->rt),
	                                   t->skill->desc->name,
	                                   j->a->o.tool_timeout_ms, 0),
	            e.msg, sizeof e.msg) ||
	    dispatch_call_tool(j->cat, t, args, &o, &cr, &e) != SH_OK) {
		snprintf(msg, sizeof msg, "%s could not run: %s", t->canonical,
		         e.msg);
		r->result = error_result(msg);
		r->is_error = 1;
	} else {
		r->is_error = cr.is_error;
		r->result = call_result_to_json(&cr);
	}
	cJSON_Delete(args);
}

static void *tool_worker(void *arg)
{
	struct tool_jobs *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->turn->ncalls)
		run_call_reported(j, i);
	return NULL;
}

/* Run every call of turn, concurrently, and append the results. */
static sh_status run_tools(struct agent *a, struct catalog *cat,
                           const struct tr_msg *turn, struct sh_error *e)
{
	struct tool_jobs j = {.a = a, .cat = cat, .turn = turn};
	pthread_t threads[AGENT_MAX_PARALLEL];
	size_t want, started = 0;
	struct tr_msg m = {.role = TR_TOOL};

	if (!(j.results = calloc(turn->ncalls, sizeof *j.results)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	atomic_init(&j.next, 0);
	/* This thread is one of the workers, so a single call (the common
	 * case) costs no thread at all. */
	want = turn->ncalls < AGENT_MAX_PARALLEL ? turn->ncalls
	                                         : AGENT_MAX_PARALLEL;
	for (size_t i = 1; i < want; i++) {
		if (pthread_create(&threads[started], NULL, tool_worker, &j))
			break; /* fewer threads; the others take the calls */
		started++;
	}
	tool_worker(&j);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);

	m.results = j.results;
	m.nresults = turn->ncalls;
	for (size_t i = 0; i < m.nresults; i++)
		if (!m.results[i].call_id || !m.results[i].name ||
		    !m.results[i].result) {
			tr_msg_free(&m);
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		}
	return transcript_push(&a->tr, &m, e);
}

/* ---- the loop ---------------------------------------------------------- */

static void note_failure(struct agent *a, const struct backend *b,
                         const struct sh_error *err)
{
	struct agent_failure *f;

	if (a->nfailures == AGENT_MAX_FAILURES)
		return;
	f = &a->failures[a->nfailures++];
	snprintf(f->backend, sizeof f->backend, "%s", backend_name(b));
	snprintf(f->msg, sizeof f->msg, "%s", err->msg);
}

/* One model request, moving on to the fallbacks while backends fail. */
static sh_status ask_model(struct agent *a, struct catalog *cat,
                           struct tr_msg *reply, struct sh_error *e)
{
	struct sh_error err;
	sh_status rc;

	for (;;) {
		struct agent_backend *ab = &a->be[a->cur];
		struct agent_event ev = {.kind = AGENT_EV_REQUEST,
		                         .backend = backend_name(ab->b),
		                         .model = backend_model(ab->b)};
		int64_t t0 = sh_now_ns();

		sh_error_clear(&err);
		emit(a, &ev);
		rc = declarations(ab, cat, a->skills, &err);
		if (rc == SH_OK)
			rc = backend_step(ab->b, &a->tr, ab->decls, &a->o.http,
			                  reply, &err);
		ev.ms = ms_since(t0);
		if (rc == SH_OK) {
			ev.kind = AGENT_EV_REPLY;
			ev.ncalls = reply->ncalls;
			emit(a, &ev);
			return SH_OK;
		}
		ev.kind = AGENT_EV_FAILED;
		ev.error = err.msg;
		emit(a, &ev);
		if (rc == SH_ERR_CANCELLED) {
			*e = err;
			return rc;
		}
		note_failure(a, ab->b, &err);
		if (a->cur + 1 == a->nbe) {
			*e = err;
			if (a->nbe > 1)
				sh_error_prefix(e, "every backend failed; "
				                   "the last");
			return rc;
		}
		hostlog(SKILL_LOG_WARNING,
		        "%s; continuing the conversation on %s", err.msg,
		        backend_name(a->be[a->cur + 1].b));
		a->cur++;
	}
}

static int truncated(const char *stop)
{
	return stop &&
	       (!strcmp(stop, "length") || !strcmp(stop, "max_tokens") ||
	        !strcmp(stop, "MAX_TOKENS") || !strcmp(stop, "incomplete"));
}

static void tool_names(const struct tr_msg *m, char *buf, size_t cap)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < m->ncalls && used < cap; i++) {
		int n = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "",
		                 m->calls[i].name);
		used += n > 0 ? (size_t)n : 0;
	}
}

sh_status agent_run(struct agent *a, const char *prompt, struct sh_error *e)
{
	sh_status rc;

	free(a->answer);
	a->answer = NULL;
	a->stop = AGENT_RUNNING;
	rc = transcript_add_user(&a->tr, prompt, e);
	if (rc != SH_OK)
		return rc;
	for (int step = 1;; step++) {
		struct catalog *cat;
		struct tr_msg reply;
		const struct tr_msg *turn;

		if (a->o.cancel && atomic_load(a->o.cancel)) {
			a->stop = AGENT_CANCELLED;
			return sh_error_set(e, SH_ERR_CANCELLED, "cancelled");
		}
		a->run_step = step;
		cat = runtime_acquire(a->rt);
		rc = ask_model(a, cat, &reply, e);
		if (rc != SH_OK) {
			runtime_release(cat);
			a->stop = rc == SH_ERR_CANCELLED ? AGENT_CANCELLED
			                                 : AGENT_FAILED;
			return rc;
		}
		a->steps++;
		hostlog(SKILL_LOG_INFO,
		        "step %d: %s answered with %zu tool "
		        "call(s)",
		        step, reply.backend, reply.ncalls);
		rc = transcript_push(&a->tr, &reply, e);
		if (rc != SH_OK) {
			runtime_release(cat);
			return rc;
		}
		turn = &a->tr.msgs[a->tr.nmsgs - 1];
		if (!turn->ncalls) {
			runtime_release(cat);
			if (truncated(turn->stop))
				hostlog(SKILL_LOG_WARNING,
				        "%s stopped at its output token limit "
				        "(%s): the answer may be cut short",
				        turn->backend, turn->stop);
			if (!(a->answer = strdup(turn->text ? turn->text : "")))
				return sh_error_set(e, SH_ERR_NOMEM,
				                    "out of memory");
			a->stop = AGENT_ANSWERED;
			return SH_OK;
		}
		if (step >= a->o.max_steps) {
			char names[AGENT_NAMES_MAX];
			runtime_release(cat);
			tool_names(turn, names, sizeof names);
			a->stop = AGENT_MAX_STEPS;
			return sh_error_set(e, SH_ERR_FAIL,
			                    "no final answer after %d step%s: "
			                    "the model still asked for tools "
			                    "(%s); allow more steps or narrow "
			                    "the task",
			                    step, step == 1 ? "" : "s", names);
		}
		rc = run_tools(a, cat, turn, e);
		runtime_release(cat);
		if (rc != SH_OK)
			return rc;
		/* The tools saw the cancel and returned errors; do not send
		 * those to the model as if they were answers. */
		if (a->o.cancel && atomic_load(a->o.cancel)) {
			a->stop = AGENT_CANCELLED;
			return sh_error_set(e, SH_ERR_CANCELLED, "cancelled");
		}
	}
}

size_t agent_artifact_count(const struct agent *a)
{
	return a->nartifacts;
}

const struct agent_artifact *agent_artifact(const struct agent *a, size_t i)
{
	return i < a->nartifacts ? &a->artifacts[i] : NULL;
}

const char *agent_answer(const struct agent *a)
{
	return a->answer;
}

enum agent_stop agent_stop_reason(const struct agent *a)
{
	return a->stop;
}

const char *agent_stop_name(enum agent_stop s)
{
	switch (s) {
	case AGENT_RUNNING: return "running";
	case AGENT_ANSWERED: return "answered";
	case AGENT_MAX_STEPS: return "max-steps";
	case AGENT_FAILED: return "failed";
	case AGENT_CANCELLED: return "cancelled";
	}
	return "unknown";
}

int agent_steps(const struct agent *a)
{
	return a->steps;
}

const struct transcript *agent_transcript(const struct agent *a)
{
	return &a->tr;
}

size_t agent_backend_count(const struct agent *a)
{
	return a->nbe;
}

const struct backend *agent_backend(const struct agent *a, size_t i)
{
	return i < a->nbe ? a->be[i].b : NULL;
}

const struct backend *agent_current_backend(const struct agent *a)
{
	return a->be[a->cur].b;
}

static cJSON *usage_json(const struct agent *a)
{
	cJSON *u = cJSON_CreateObject(), *arr;
	int64_t in = 0, out = 0;

	if (!u || !(arr = cJSON_AddArrayToObject(u, "backends")))
		goto fail;
	for (size_t i = 0; i < a->nbe; i++) {
		const struct backend_usage *bu = backend_usage(a->be[i].b);
		cJSON *o = cJSON_CreateObject();
		if (!o)
			goto fail;
		cJSON_AddItemToArray(arr, o);
		if (!cJSON_AddStringToObject(o, "backend",
		                             backend_name(a->be[i].b)) ||
		    !cJSON_AddStringToObject(o, "model",
		                             backend_model(a->be[i].b)) ||
		    !cJSON_AddNumberToObject(o, "requests",
		                             (double)bu->requests) ||
		    !cJSON_AddNumberToObject(o, "attempts",
		                             (double)bu->attempts) ||
		    !cJSON_AddNumberToObject(o, "input_tokens",
		                             (double)bu->input_tokens) ||
		    !cJSON_AddNumberToObject(o, "output_tokens",
		                             (double)bu->output_tokens))
			goto fail;
		in += bu->input_tokens;
		out += bu->output_tokens;
	}
	if (!cJSON_AddNumberToObject(u, "input_tokens", (double)in) ||
	    !cJSON_AddNumberToObject(u, "output_tokens", (double)out))
		goto fail;
	return u;
fail:
	cJSON_Delete(u);
	return NULL;
}

cJSON *agent_report(const struct agent *a)
{
	cJSON *r = cJSON_CreateObject(), *x, *arr;

	if (!r ||
	    !cJSON_AddStringToObject(r, "status", agent_stop_name(a->stop)) ||
	    (a->answer && !cJSON_AddStringToObject(r, "answer", a->answer)) ||
	    !cJSON_AddNumberToObject(r, "steps", a->steps) ||
	    !cJSON_AddStringToObject(r, "backend",
	                             backend_name(a->be[a->cur].b)))
		goto fail;
	if (!(x = transcript_to_json(&a->tr)))
		goto fail;
	cJSON_AddItemToObject(r, "transcript", x);
	if (!(x = usage_json(a)))
		goto fail;
	cJSON_AddItemToObject(r, "usage", x);
	if (!(arr = cJSON_AddArrayToObject(r, "failures")))
		goto fail;
	for (size_t i = 0; i < a->nfailures; i++) {
		cJSON *f = cJSON_CreateObject();
		if (!f)
			goto fail;
		cJSON_AddItemToArray(arr, f);
		if (!cJSON_AddStringToObject(f, "backend",
		                             a->failures[i].backend) ||
		    !cJSON_AddStringToObject(f, "error", a->failures[i].msg))
			goto fail;
	}
	return r;
fail:
	cJSON_Delete(r);
	return NULL;
}
