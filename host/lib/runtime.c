/*
 * runtime.c - a host instance. See runtime.h.
 */
#include "runtime.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch.h"
#include "exec_inproc.h"
#include "loader.h"

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
};

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
		return sh_error_set(e, SH_ERR_USAGE,
		                    "no store folder: set SKILLHOST_HOME or pass "
		                    "--home DIR");
	if (n < 0 || (size_t)n >= cap)
		return sh_error_set(e, SH_ERR_USAGE, "store path is too long");
	return SH_OK;
}

static sh_status open_executor(void *ud, struct skill *s,
                               struct executor **out, struct sh_error *e)
{
	struct runtime *rt = ud;
	struct loaded_skill *ls = s->preloaded;

	if (!ls)
		return sh_error_set(e, SH_ERR_FAIL,
		                    "skill %s has no loadable code (%s)",
		                    s->desc->name, s->origin);
	s->preloaded = NULL; /* the executor owns it now, even on failure */
	return exec_inproc_open(ls, &rt->svc, NULL, out, e);
}

static char *absolute(const char *path)
{
	char buf[PATH_MAX];

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(buf, sizeof buf))
		return NULL;
	if (strlen(buf) + strlen(path) + 2 > sizeof buf)
		return NULL;
	strcat(buf, "/");
	strcat(buf, path);
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

sh_status runtime_add_skill_file(struct runtime *rt, const char *path,
                                 struct sh_error *e)
{
	struct loaded_skill *ls;
	struct skilldesc *desc;
	sh_status rc;

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
	sh_status rc = catalog_seal(rt->catalog, e);

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

sh_status runtime_reload(struct runtime *rt, int *changed, struct sh_error *e)
{
	/* Without a store the catalog holds only files given at start-up,
	 * which never change under us. */
	(void)e;
	if (changed)
		*changed = 0;
	if (!rt->sealed)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "runtime_reload before runtime_seal");
	return SH_OK;
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

sh_status runtime_call(struct runtime *rt, const char *name,
                       const char *args_json, size_t len,
                       const struct call_sinks *sinks, int64_t timeout_ms,
                       atomic_int *cancel, struct call_result *res,
                       struct sh_error *e)
{
	struct dispatch_opts o = {
		.timeout_ms = timeout_ms,
		.cancel = cancel,
		.sinks = sinks,
		.services = &rt->svc,
	};

	return dispatch_call(rt->catalog, name, args_json, len, &o, res, e);
}

void runtime_close(struct runtime *rt)
{
	if (!rt)
		return;
	catalog_unref(rt->catalog);
	pthread_mutex_destroy(&rt->lock);
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
