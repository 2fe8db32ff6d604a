/*
 * runtime.c - a host instance. See runtime.h.
 */
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "dispatch.h"
#include "exec_inproc.h"
#include "exec_isolated.h"
#include "hostext.h"
#include "hostlog.h"
#include "loader.h"
#include "metrics.h"
#include "perms.h"
#include "phasetime.h"
#include "probe.h"
#include "store.h"

struct watcher {
	runtime_change_fn fn;
	void *ud;
};

struct runtime {
	char *home;
	struct config *config;
	struct host_services svc;
	pthread_mutex_t lock; /* guards catalog swaps and watchers */
	struct catalog *catalog;
	struct watcher watchers[RUNTIME_MAX_WATCHERS];
	int nwatchers;
	int sealed;
	int no_store;
	int isolate_files;
	pthread_mutex_t reload_lock; /* one reload at a time */
};

/* What a store-backed skill keeps: its index record. */
static void free_record(void *rec)
{
	cJSON_Delete(rec);
}

sh_status runtime_default_home(char *buf, size_t cap, struct sh_error *e)
{
	const char *v = getenv("SKILLHOST_HOME");
	int n;

	if (v && *v)
		n = snprintf(buf, cap, "%s", v);
	else if ((v = getenv("XDG_DATA_HOME")) && *v == '/')
		n = snprintf(buf, cap, "%s/skillhost", v);
	else if ((v = getenv("HOME")) && *v)
		n = snprintf(buf, cap, "%s/.local/share/skillhost", v);
	else
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "no store folder: set SKILLHOST_HOME or pass "
		        "--home DIR");
	if (n < 0 || (size_t)n >= cap)
		return sh_error_set(e, SH_ERR_USAGE, "store path is too long");
	return SH_OK;
}

/* The operator's `isolation in-process` marks a trusted skill: nothing
 * else, not even a signature, lets skill code into the host process. */
static int in_process(const struct runtime *rt, const char *skill)
{
	const char *v = config_policy(rt->config, skill, "isolation");
	return v && !strcmp(v, "in-process");
}

static sh_status open_isolated(struct runtime *rt, struct skill *s,
                               const char *lib, const char *bundle,
                               struct executor **out, struct sh_error *e)
{
	struct exec_isolated_opts o = {.desc = s->desc,
	                               .lib = lib,
	                               .bundle_dir = bundle,
	                               .svc = &rt->svc};
	const char *v;

	/* `config` checked these values when they were set. */
	if ((v = config_policy(rt->config, s->desc->name, "memory")))
		o.memory_max = config_parse_size(v);
	if ((v = config_policy(rt->config, s->desc->name, "concurrency")))
		o.pool_max = (unsigned)strtoul(v, NULL, 10);
	if ((v = config_policy(rt->config, s->desc->name, "threads")))
		o.threads_max = (unsigned)strtoul(v, NULL, 10);
	hostlog(SKILL_LOG_DEBUG, "starting %s %s isolated from %s",
	        s->desc->name, s->desc->version, lib);
	return exec_isolated_open(&o, out, e);
}

static sh_status open_installed(struct runtime *rt, struct skill *s,
                                struct executor **out, struct sh_error *e)
{
	const cJSON *rec = s->user;
	struct loaded_skill *ls;
	char lib[4096], bundle[4096];
	sh_status rc;

	/* The key must still be trusted (trust.json may have been edited by
	 * hand since `trust remove` last marked the store), and every byte
	 * is checked again right before the code is mapped: the store folder
	 * may have been changed since install. */
	if ((rc = store_check_trusted(rt->home, s->desc->name, rec, e)))
		return rc;
	PHASE_MARK("runtime: trust checked");
	if (store_verify_record(rt->home, rec, lib, sizeof lib, e) != SH_OK)
		return sh_error_prefix(e, "skill %s", s->desc->name);
	PHASE_MARK("runtime: package verified");
	snprintf(bundle, sizeof bundle, "%s/%s", rt->home,
	         cJSON_GetObjectItemCaseSensitive(rec, "dir")->valuestring);
	if (!in_process(rt, s->desc->name))
		return open_isolated(rt, s, lib, bundle, out, e);
	if ((rc = loader_open(lib, &ls, e)))
		return rc;
	if (strcmp(ls->desc->name, s->desc->name) ||
	    strcmp(ls->desc->version, s->desc->version)) {
		rc = sh_error_set(e, SH_ERR_TRUST,
		                  "%s: the library says it is %s %s but was "
		                  "installed as %s %s",
		                  lib, ls->desc->name, ls->desc->version,
		                  s->desc->name, s->desc->version);
		loader_close(ls, 0);
		return rc;
	}
	hostlog(SKILL_LOG_DEBUG, "loaded %s %s from %s", s->desc->name,
	        s->desc->version, lib);
	return exec_inproc_open(ls, &rt->svc, bundle, out, e);
}

static sh_status open_executor(void *ud, struct skill *s, struct executor **out,
                               struct sh_error *e)
{
	struct runtime *rt = ud;
	struct loaded_skill *ls = s->preloaded;

	if (!ls && s->user)
		return open_installed(rt, s, out, e);
	/* A file added to an isolating runtime was only probed. */
	if (!ls && rt->isolate_files && !in_process(rt, s->desc->name))
		return open_isolated(rt, s, s->origin, NULL, out, e);
	if (!ls && rt->isolate_files) {
		sh_status rc = loader_open(s->origin, &ls, e);
		if (rc != SH_OK)
			return rc;
		return exec_inproc_open(ls, &rt->svc, NULL, out, e);
	}
	if (!ls)
		return sh_error_set(e, SH_ERR_FAIL,
		                    "skill %s has no loadable code (%s)",
		                    s->desc->name, s->origin);
	s->preloaded = NULL; /* the executor owns it now, even on failure */
	return exec_inproc_open(ls, &rt->svc, NULL, out, e);
}

/* Add the installed skills of index to c, skipping names c already has
 * (files given on the command line win), and sharing skills old already
 * holds from the same installed folder. */
static sh_status add_installed(struct runtime *rt, struct catalog *c,
                               cJSON *index, struct catalog *old,
                               struct sh_error *e)
{
	cJSON *s;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(index, "skills"))
	{
		cJSON *cur = cJSON_GetObjectItemCaseSensitive(s, "current");
		const cJSON *dir = cJSON_GetObjectItemCaseSensitive(cur, "dir");
		const cJSON *perm;
		struct skill *prev =
		        old ? catalog_skill_find(old, s->string) : NULL;
		struct skilldesc *d;
		struct skill *added;
		char origin[4096];
		sh_status rc;

		if (catalog_skill_find(c, s->string))
			continue;
		/* A package of Agent Skills only has no tools to serve. */
		if (cJSON_IsString(
		            cJSON_GetObjectItemCaseSensitive(cur, "lib")) &&
		    !*cJSON_GetObjectItemCaseSensitive(cur, "lib")->valuestring)
			continue;
		/* Its publisher key was removed from trust: no tools, and a
		 * call says why. */
		if (store_record_disabled(cur)) {
			char why[SH_ERROR_MSG_MAX];
			store_disabled_reason(s->string, cur, why, sizeof why);
			if ((rc = catalog_add_disabled(c, s->string, why, e)))
				return rc;
			continue;
		}
		if (!cJSON_IsString(dir))
			return sh_error_set(e, SH_ERR_INVALID,
			                    "the store index entry of %s is "
			                    "damaged; reinstall it",
			                    s->string);
		if (prev && prev->user &&
		    !strcmp(cJSON_GetObjectItemCaseSensitive(prev->user, "dir")
		                    ->valuestring,
		            dir->valuestring)) {
			if ((rc = catalog_add_shared(c, prev, e)))
				return rc;
			continue;
		}
		snprintf(origin, sizeof origin, "%s/%s", rt->home,
		         dir->valuestring);
		rc = skilldesc_from_json_trusted(
		        cJSON_GetObjectItemCaseSensitive(cur, "skill"), origin,
		        &d, e);
		if (rc == SH_OK && strcmp(d->name, s->string)) {
			skilldesc_free(d);
			rc = sh_error_set(e, SH_ERR_INVALID,
			                  "the store index entry of %s is "
			                  "damaged; reinstall it",
			                  s->string);
		}
		if (rc != SH_OK)
			return rc;
		if ((rc = catalog_add(c, d, origin, NULL, &added, e)))
			return rc;
		/* The skill keeps its record, taken out of the index rather
		 * than copied; the description in it is no longer needed. */
		cJSON_DetachItemViaPointer(s, cur);
		cJSON_DeleteItemFromObjectCaseSensitive(cur, "skill");
		added->user = cur;
		added->user_free = free_record;
		added->digest = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(cur, "manifest"));
		/* Typed once here, so no call looks permissions up by key. A
		 * record without them (written before they were kept) is not
		 * restricted, as before. */
		perm = cJSON_GetObjectItemCaseSensitive(cur, "permissions");
		if (perm && (rc = perms_from_json(perm, &added->perms, e)))
			return rc;
	}
	return SH_OK;
}

static char *absolute(const char *path)
{
	char buf[PATH_MAX];
	size_t len, plen = strlen(path);

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(buf, sizeof buf))
		return NULL;
	len = strlen(buf);
	if (len + plen + 2 > sizeof buf)
		return NULL;
	buf[len] = '/';
	memcpy(buf + len + 1, path, plen + 1);
	return strdup(buf);
}

sh_status runtime_open(const struct runtime_opts *o, struct runtime **out,
                       struct sh_error *e)
{
	struct runtime *rt;
	char home[PATH_MAX];
	size_t n = 0;
	sh_status rc;

	*out = NULL;
	rt = calloc(1, sizeof *rt);
	if (!rt)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&rt->lock, NULL);
	pthread_mutex_init(&rt->reload_lock, NULL);
	rt->no_store = o && o->no_store;
	rt->isolate_files = o && o->isolate_files;
	if (o && o->home) {
		snprintf(home, sizeof home, "%s", o->home);
	} else if ((rc = runtime_default_home(home, sizeof home, e))) {
		goto fail;
	}
	rt->home = absolute(home);
	if (!rt->home) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "store path is too long");
		goto fail;
	}
	rc = config_load(rt->home, &rt->config, e);
	if (rc != SH_OK)
		goto fail;
	rt->svc.config = rt->config;
	rt->svc.ext_lookup = hostext_lookup;
	rt->svc.metrics = metrics_new();
	if (!rt->svc.metrics) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = audit_open(rt->home, 0, o ? o->caller : NULL, &rt->svc.audit,
	                     e)))
		goto fail;
	rt->svc.home = rt->home;
	if (o && o->artifacts_dir) {
		rt->svc.artifacts_dir = absolute(o->artifacts_dir);
	} else {
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s/artifacts", rt->home);
		rt->svc.artifacts_dir = strdup(dir);
	}
	if (o && o->artifact_url_base)
		rt->svc.artifact_url_base = strdup(o->artifact_url_base);
	while (o && o->input_dirs && o->input_dirs[n])
		n++;
	rt->svc.input_dirs = calloc(n + 1, sizeof(char *));
	if (!rt->svc.artifacts_dir || !rt->svc.input_dirs ||
	    (o && o->artifact_url_base && !rt->svc.artifact_url_base)) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if (!(rt->svc.input_dirs[i] = absolute(o->input_dirs[i]))) {
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
			goto fail;
		}
	rt->catalog = catalog_new(open_executor, rt);
	if (!rt->catalog) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	*out = rt;
	return SH_OK;
fail:
	runtime_close(rt);
	return rc;
}

/* Read a file's description in a sandboxed probe process, so none of its
 * code runs in the host; the executor starts workers for it later. */
static sh_status add_probed_file(struct runtime *rt, const char *path,
                                 struct sh_error *e)
{
	struct skilldesc *desc;
	struct stat st;
	char *abs, *dir, *slash;
	sh_status rc;

	if (stat(path, &st) != 0)
		return sh_error_errno(
		        e, errno == ENOENT ? SH_ERR_NOTFOUND : SH_ERR_IO, errno,
		        "cannot load skill %s", path);
	if (!(abs = absolute(path)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (!(dir = strdup(abs))) {
		free(abs);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	rc = probe_skill(abs, dir, &desc, e);
	if (rc == SH_OK)
		rc = catalog_add(rt->catalog, desc, abs, NULL, NULL, e);
	free(dir);
	free(abs);
	return rc;
}

sh_status runtime_add_skill_file(struct runtime *rt, const char *path,
                                 struct sh_error *e)
{
	struct loaded_skill *ls;
	struct skilldesc *desc = NULL;
	sh_status rc;

	if (rt->isolate_files)
		return add_probed_file(rt, path, e);
	rc = loader_open(path, &ls, e);
	if (rc != SH_OK)
		return rc;
	/* The catalog keeps its own copy of the description; the loaded
	 * skill keeps the original for the executor. */
	{
		cJSON *j = skilldesc_to_json(ls->desc);
		rc = j ? skilldesc_from_json(j, path, &desc, e)
		       : sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		cJSON_Delete(j);
	}
	if (rc != SH_OK) {
		loader_close(ls, 0);
		return rc;
	}
	return catalog_add(rt->catalog, desc, path, ls, NULL, e);
}

sh_status runtime_seal(struct runtime *rt, struct sh_error *e)
{
	sh_status rc = SH_OK;

	if (!rt->no_store) {
		cJSON *index;
		if ((rc = store_read_index(rt->home, &index, e)))
			return rc;
		rc = add_installed(rt, rt->catalog, index, NULL, e);
		cJSON_Delete(index);
		if (rc != SH_OK)
			return rc;
	}
	rc = catalog_seal(rt->catalog, e);
	if (rc == SH_OK)
		rt->sealed = 1;
	return rc;
}

struct catalog *runtime_catalog(struct runtime *rt)
{
	return rt->catalog;
}

struct catalog *runtime_acquire(struct runtime *rt)
{
	struct catalog *c;

	pthread_mutex_lock(&rt->lock);
	c = catalog_ref(rt->catalog);
	pthread_mutex_unlock(&rt->lock);
	return c;
}

void runtime_release(struct catalog *c)
{
	catalog_unref(c);
}

sh_status runtime_watch(struct runtime *rt, runtime_change_fn fn, void *ud,
                        struct sh_error *e)
{
	sh_status rc = SH_OK;

	pthread_mutex_lock(&rt->lock);
	if (rt->nwatchers == RUNTIME_MAX_WATCHERS)
		rc = sh_error_set(e, SH_ERR_BUSY, "too many catalog watchers");
	else
		rt->watchers[rt->nwatchers++] = (struct watcher){fn, ud};
	pthread_mutex_unlock(&rt->lock);
	return rc;
}

/* 1 when a and b hold the same skills from the same places. */
static int same_skills(struct catalog *a, struct catalog *b)
{
	if (catalog_skill_count(a) != catalog_skill_count(b))
		return 0;
	for (size_t i = 0; i < catalog_skill_count(a); i++)
		if (!catalog_skill_find(b,
		                        catalog_skill_at(a, i)->desc->name) ||
		    catalog_skill_find(b, catalog_skill_at(a, i)->desc->name) !=
		            catalog_skill_at(a, i))
			return 0;
	return 1;
}

sh_status runtime_reload(struct runtime *rt, int *changed, struct sh_error *e)
{
	struct catalog *old, *fresh = NULL;
	struct watcher w[RUNTIME_MAX_WATCHERS];
	cJSON *index = NULL;
	sh_status rc = SH_OK;
	int n = 0, differs = 0;

	if (changed)
		*changed = 0;
	if (!rt->sealed)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "runtime_reload before runtime_seal");
	if (rt->no_store)
		return SH_OK;
	pthread_mutex_lock(&rt->reload_lock);
	old = runtime_acquire(rt);
	if ((rc = store_read_index(rt->home, &index, e)))
		goto out;
	fresh = catalog_new(open_executor, rt);
	if (!fresh) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* Files given at start-up stay as they are. */
	for (size_t i = 0; i < catalog_skill_count(old); i++) {
		struct skill *s = catalog_skill_at(old, i);
		if (!s->user && (rc = catalog_add_shared(fresh, s, e)))
			goto out;
	}
	if ((rc = add_installed(rt, fresh, index, old, e)) ||
	    (rc = catalog_seal(fresh, e)))
		goto out;
	differs = !same_skills(old, fresh);
	if (differs) {
		pthread_mutex_lock(&rt->lock);
		catalog_unref(rt->catalog);
		rt->catalog = fresh;
		fresh = NULL;
		n = rt->nwatchers;
		memcpy(w, rt->watchers, sizeof w);
		pthread_mutex_unlock(&rt->lock);
	}
out:
	catalog_unref(fresh);
	runtime_release(old);
	cJSON_Delete(index);
	pthread_mutex_unlock(&rt->reload_lock);
	if (rc == SH_OK && differs) {
		if (changed)
			*changed = 1;
		for (int i = 0; i < n; i++)
			w[i].fn(w[i].ud);
	}
	return rc;
}

const struct host_services *runtime_services(struct runtime *rt)
{
	return &rt->svc;
}

const char *runtime_home(struct runtime *rt)
{
	return rt->home;
}

const struct config *runtime_config(struct runtime *rt)
{
	return rt->config;
}

/* A call, as the process's last (runtime_call_once) or not. */
static sh_status call(struct runtime *rt, const char *name,
                      const char *args_json, size_t len, int args_memfd,
                      int last, const struct call_sinks *sinks,
                      int64_t timeout_ms, atomic_int *cancel,
                      struct call_result *res, struct sh_error *e)
{
	struct dispatch_opts o = {
	        .timeout_ms = timeout_ms,
	        .cancel = cancel,
	        .sinks = sinks,
	        .services = &rt->svc,
	        .args_memfd = args_memfd,
	        .last_call = last,
	};

	return dispatch_call(rt->catalog, name, args_json, len, &o, res, e);
}

sh_status runtime_call_once(struct runtime *rt, const char *name,
                            const char *args_json, size_t len, int args_memfd,
                            const struct call_sinks *sinks, int64_t timeout_ms,
                            atomic_int *cancel, struct call_result *res,
                            struct sh_error *e)
{
	return call(rt, name, args_json, len, args_memfd, 1, sinks, timeout_ms,
	            cancel, res, e);
}

sh_status runtime_call(struct runtime *rt, const char *name,
                       const char *args_json, size_t len,
                       const struct call_sinks *sinks, int64_t timeout_ms,
                       atomic_int *cancel, struct call_result *res,
                       struct sh_error *e)
{
	return call(rt, name, args_json, len, 0, 0, sinks, timeout_ms, cancel,
	            res, e);
}

sh_status runtime_prepare(struct runtime *rt, const char *name,
                          struct sh_error *e)
{
	struct tool *t = catalog_find(rt->catalog, name, e);
	struct executor *ex;

	if (!t)
		return e->status;
	return catalog_executor(rt->catalog, t->skill, &ex, e);
}

void runtime_close(struct runtime *rt)
{
	if (!rt)
		return;
	catalog_unref(rt->catalog);
	PHASE_MARK("runtime: catalog released");
	audit_close(rt->svc.audit);
	metrics_free(rt->svc.metrics);
	pthread_mutex_destroy(&rt->lock);
	pthread_mutex_destroy(&rt->reload_lock);
	config_free(rt->config);
	free(rt->svc.artifacts_dir);
	free(rt->svc.artifact_url_base);
	if (rt->svc.input_dirs)
		for (char **d = rt->svc.input_dirs; *d; d++)
			free(*d);
	free(rt->svc.input_dirs);
	free(rt->home);
	free(rt);
}
