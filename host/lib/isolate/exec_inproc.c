/*
 * exec_inproc.c - the in-process executor. See exec_inproc.h.
 */
#include "exec_inproc.h"

#include <libgen.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "extcall.h"

struct inproc {
	struct executor base;
	struct loaded_skill *ls;
	struct hostapi_binding binding;
	void *skill_data;
	int initialised;
};

static skill_status inproc_invoke(struct executor *ex, uint32_t tool_index,
                                  const char *args, size_t len,
                                  struct skill_call *call,
                                  struct exec_result *res)
{
	struct inproc *ip = (struct inproc *)ex;

	/* The skill runs on this thread: nothing can end it but itself. */
	res->outcome = EXEC_OK;
	res->detail[0] = '\0';
	if (extcall_is(tool_index))
		return extcall_invoke(&ip->ls->e, ip->skill_data,
		                      &ip->binding.api, call, tool_index, args,
		                      len);
	return ip->ls->e.invoke(ip->skill_data, &ip->binding.api, call,
	                        tool_index, args, len);
}

static void inproc_destroy(struct executor *ex)
{
	struct inproc *ip = (struct inproc *)ex;

	if (!ip)
		return;
	if (ip->initialised && ip->ls->e.fini)
		ip->ls->e.fini(ip->skill_data);
	loader_close(ip->ls, ip->initialised);
	free(ip);
}

static const struct executor_ops inproc_ops = {
        .kind = "in-process",
        .invoke = inproc_invoke,
        .destroy = inproc_destroy,
};

sh_status exec_inproc_open(struct loaded_skill *ls,
                           const struct host_services *svc,
                           const char *bundle_dir, struct executor **out,
                           struct sh_error *e)
{
	struct inproc *ip;
	char dir[PATH_MAX];

	*out = NULL;
	ip = calloc(1, sizeof *ip);
	if (!ip) {
		loader_close(ls, 0);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	ip->base.ops = &inproc_ops;
	ip->ls = ls;
	hostapi_bind(&ip->binding, ls->desc->name, svc);
	if (!bundle_dir) {
		(void)snprintf(dir, sizeof dir, "%s", ls->path);
		bundle_dir = dirname(dir);
	}
	if (ls->e.init) {
		skill_status st;
		/* From here on the skill's code has run: never dlclose it. */
		ip->initialised = 1;
		st = ls->e.init(&ip->binding.api, bundle_dir, &ip->skill_data);
		if (st != SKILL_OK) {
			sh_error_set(
			        e, SH_ERR_FAIL,
			        "skill %s (%s): init failed with status %d "
			        "(%s); see its log messages above",
			        ls->desc->name, ls->path, (int)st,
			        call_skill_status_name(st));
			ip->initialised = 0;
			loader_close(ls, 1);
			free(ip);
			return SH_ERR_FAIL;
		}
	} else {
		ip->initialised = 1;
	}
	*out = &ip->base;
	return SH_OK;
}

const void *exec_inproc_skill_extension(struct executor *ex, const char *id)
{
	struct inproc *ip = (struct inproc *)ex;

	if (!ex || ex->ops != &inproc_ops || !ip->ls->e.get_extension)
		return NULL;
	return ip->ls->e.get_extension(ip->skill_data, id);
}
