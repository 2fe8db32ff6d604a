/*
 * runtime.h - a host instance: configuration, services and the catalog.
 *
 * This is the object a program that embeds the host holds, and what every
 * surface of the `skillhost` CLI is built on:
 *
 *   struct runtime *rt;
 *   runtime_open(&opts, &rt, &err);
 *   runtime_add_skill_file(rt, "hello.so", &err);   (or installed skills)
 *   runtime_seal(rt, &err);
 *   runtime_call(rt, "example/hello.greet", "{\"name\":\"Ada\"}", ...);
 *   runtime_close(rt);
 */
#ifndef SH_RUNTIME_H
#define SH_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "call.h"
#include "catalog.h"
#include "config.h"
#include "hostapi.h"
#include "status.h"

struct runtime_opts {
	const char *home; /* store folder; NULL: runtime_default_home */
	const char *artifacts_dir;     /* NULL: <home>/artifacts */
	const char *const *input_dirs; /* NULL-terminated extra input folders */
	const char *artifact_url_base; /* NULL: file:// URIs */
	int no_store; /* do not load installed skills (only added files) */
	/* Run skills added with runtime_add_skill_file in sandboxed workers
	 * (what the CLI does) instead of in this process. Installed skills
	 * are isolated either way unless the operator's policy says
	 * `isolation in-process`. */
	int isolate_files;
	/* Who calls, for the audit log, when a call does not say: "cli",
	 * "mcp", "agent"; NULL: "api". */
	const char *caller;
};

struct runtime;

/* Resolve the default store folder into buf: $SKILLHOST_HOME, else
 * $XDG_DATA_HOME/skillhost, else $HOME/.local/share/skillhost. */
sh_status runtime_default_home(char *buf, size_t cap, struct sh_error *e);

/* Create a runtime. Reads <home>/config.json and the installed skills'
 * index (their code loads on first call, after its files are re-hashed).
 * Does not create home. */
sh_status runtime_open(const struct runtime_opts *o, struct runtime **out,
                       struct sh_error *e);

/* Load a skill shared object directly (the skill author's dev loop). It runs
 * in-process, or with isolate_files in sandboxed workers (its description is
 * then read by a probe process, so its code never runs here), and takes the
 * place of an installed skill of the same name. Refused skills leave the
 * runtime unchanged. Only before runtime_seal. */
sh_status runtime_add_skill_file(struct runtime *rt, const char *path,
                                 struct sh_error *e);

/* Finish adding skills; after this the runtime may be used from many
 * threads. */
sh_status runtime_seal(struct runtime *rt, struct sh_error *e);

/* The current catalog, without taking a reference: only for programs that
 * never reload (the one-shot CLI commands). */
struct catalog *runtime_catalog(struct runtime *rt);

/*
 * [thread-safe] A counted reference to the current catalog. Hold it for the
 * duration of a listing or a call, then drop it with runtime_release: a
 * reload can then swap in a new catalog while calls on the old one finish.
 */
struct catalog *runtime_acquire(struct runtime *rt);
void runtime_release(struct catalog *c);

/* Called after a reload changed the catalog (on the reloading thread). */
typedef void (*runtime_change_fn)(void *ud);

/* [control] Register fn to hear about catalog changes (e.g. to send MCP
 * notifications/tools/list_changed). At most RUNTIME_MAX_WATCHERS. */
#define RUNTIME_MAX_WATCHERS 8
sh_status runtime_watch(struct runtime *rt, runtime_change_fn fn, void *ud,
                        struct sh_error *e);

/*
 * [thread-safe] Re-read the installed skills. When they differ from the
 * current catalog, build a new one (sharing unchanged skills and their
 * executors), swap it in, and notify the watchers. *changed (may be NULL)
 * says whether anything changed. Skills loaded with runtime_add_skill_file
 * are kept as they are.
 */
sh_status runtime_reload(struct runtime *rt, int *changed, struct sh_error *e);
const struct host_services *runtime_services(struct runtime *rt);
const char *runtime_home(struct runtime *rt);
const struct config *runtime_config(struct runtime *rt);

/*
 * Call a tool (see dispatch_call for the contract). sinks, cancel may be
 * NULL; timeout_ms is the caller's deadline, 0: the skill's policy or the
 * host's default (config_call_timeout_ms).
 */
sh_status runtime_call(struct runtime *rt, const char *name,
                       const char *args_json, size_t len,
                       const struct call_sinks *sinks, int64_t timeout_ms,
                       atomic_int *cancel, struct call_result *res,
                       struct sh_error *e);

/*
 * runtime_call for a process that makes this one call and then closes the
 * runtime (the CLI's `call`): the skill's isolated worker is asked to
 * finish as soon as it has answered. args_memfd, unless 0, holds the
 * arguments too: a memfd of exactly len bytes (args_json's; a mapping of
 * it, say) and a NUL, sealed against writing, growing and shrinking; an
 * isolated skill's worker gets this descriptor, not a copy of the bytes.
 * Borrowed; the caller closes it after the call.
 */
sh_status runtime_call_once(struct runtime *rt, const char *name,
                            const char *args_json, size_t len, int args_memfd,
                            const struct call_sinks *sinks, int64_t timeout_ms,
                            atomic_int *cancel, struct call_result *res,
                            struct sh_error *e);

/*
 * [any thread] Start the executor of the skill that has tool name, if it is
 * not running yet, so that a call soon after does not wait for its worker
 * to start (an isolated skill's worker takes milliseconds to exec, sandbox
 * itself and load the skill). Meant to run on a second thread while the
 * caller gets the arguments ready; the CLI's `call` reads stdin meanwhile.
 * Its errors are the ones that call would meet and report again, so a
 * caller may ignore them. Not concurrently with runtime_reload.
 */
sh_status runtime_prepare(struct runtime *rt, const char *name,
                          struct sh_error *e);

/* Finalize every skill and free the runtime. NULL is fine. */
void runtime_close(struct runtime *rt);

#endif /* SH_RUNTIME_H */
