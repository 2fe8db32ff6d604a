/*
 * mcp_prompts.c - prompts and completion. See mcp_prompts.h.
 */
#include "mcp_prompts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "jsonrpc.h"
#include "mcp_decl.h"
#include "mcp_resources.h"
#include "runtime.h"
#include "profile.h"
#include "skilldesc.h"

#define PROMPT_NAME_MAX 64

/* Every well-formed prompt of the catalog (of the skills in prof) as
 * {"name": public name, "decl": declaration}, in catalog order; caller
 * frees. */
static cJSON *all_prompts(struct runtime *rt, const struct profile *prof)
{
	struct catalog *c = runtime_acquire(rt);
	cJSON *all = cJSON_CreateArray();

	for (size_t i = 0; all && i < catalog_skill_count(c); i++) {
		struct skill *s = catalog_skill_at(c, i);
		cJSON *d, *e;
		const char *sn = strchr(s->desc->name, '/');
		if (!mcp_skill_in_profile(s, prof))
			continue;
		d = mcp_decl_get(c, s, "prompts");
		while (d && (e = cJSON_DetachItemFromArray(d, 0))) {
			const cJSON *n =
			        cJSON_GetObjectItemCaseSensitive(e, "name");
			cJSON *w = cJSON_CreateObject();
			char skill[PROMPT_NAME_MAX + 1];
			size_t k = 0;
			if (!cJSON_IsString(n) || !n->valuestring[0] ||
			    strlen(n->valuestring) > PROMPT_NAME_MAX || !w) {
				cJSON_Delete(e);
				cJSON_Delete(w);
				continue;
			}
			for (const char *p = sn ? sn + 1 : s->desc->name;
			     *p && k < sizeof skill - 1; p++)
				skill[k++] = strchr("abcdefghijklmnopqrstuvwxyz"
				                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				                    "0123456789_-",
				                    *p)
				                     ? *p
				                     : '_';
			skill[k] = '\0';
			cJSON_AddStringToObject(w, "name", n->valuestring);
			cJSON_AddStringToObject(w, "skill", skill);
			cJSON_AddStringToObject(w, "skillname", s->desc->name);
			cJSON_AddItemToObject(w, "decl", e);
			cJSON_AddItemToArray(all, w);
		}
		cJSON_Delete(d);
	}
	runtime_release(c);
	/* Qualify the names two skills share. */
	for (cJSON *w = all ? all->child : NULL; w; w = w->next) {
		const char *n = cJSON_GetObjectItemCaseSensitive(w, "name")
		                        ->valuestring;
		int dup = 0;
		for (cJSON *o = all->child; o && !dup; o = o->next)
			dup = o != w &&
			      !strcmp(cJSON_GetObjectItemCaseSensitive(
			                      cJSON_GetObjectItemCaseSensitive(
			                              o, "decl"),
			                      "name")
			                      ->valuestring,
			              n);
		if (dup) {
			char q[2 * PROMPT_NAME_MAX + 2];
			snprintf(q, sizeof q, "%s_%s",
			         cJSON_GetObjectItemCaseSensitive(w, "skill")
			                 ->valuestring,
			         n);
			cJSON_ReplaceItemInObjectCaseSensitive(
			        w, "name", cJSON_CreateString(q));
		}
	}
	return all;
}

static const cJSON *find_prompt(const cJSON *all, const char *name)
{
	const cJSON *w;

	cJSON_ArrayForEach(w, all)
	{
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(w, "name")
		                    ->valuestring,
		            name))
			return w;
	}
	return NULL;
}

/* The listing entry of a prompt. */
static cJSON *listing(const cJSON *w)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(w, "decl");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(d, "arguments");
	cJSON *o = cJSON_CreateObject(), *arr = NULL;
	const cJSON *a;
	static const char *const keys[] = {"title", "description"};

	if (!o ||
	    !cJSON_AddStringToObject(
	            o, "name",
	            cJSON_GetObjectItemCaseSensitive(w, "name")->valuestring))
		goto nomem;
	for (size_t i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, keys[i]);
		if (cJSON_IsString(v) &&
		    !cJSON_AddStringToObject(o, keys[i], v->valuestring))
			goto nomem;
	}
	if (cJSON_IsArray(args) &&
	    !(arr = cJSON_AddArrayToObject(o, "arguments")))
		goto nomem;
	cJSON_ArrayForEach(a, args)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "name");
		const cJSON *ds =
		        cJSON_GetObjectItemCaseSensitive(a, "description");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(a, "title");
		cJSON *x;
		if (!cJSON_IsString(n))
			continue;
		if (!(x = cJSON_CreateObject()))
			goto nomem;
		cJSON_AddItemToArray(arr, x);
		if (!cJSON_AddStringToObject(x, "name", n->valuestring) ||
		    (cJSON_IsString(t) &&
		     !cJSON_AddStringToObject(x, "title", t->valuestring)) ||
		    (cJSON_IsString(ds) &&
		     !cJSON_AddStringToObject(x, "description",
		                              ds->valuestring)) ||
		    !cJSON_AddBoolToObject(
		            x, "required",
		            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		                    a, "required"))))
			goto nomem;
	}
	return o;
nomem:
	cJSON_Delete(o);
	return NULL;
}

static void nomem(int *code, char *msg, size_t cap)
{
	*code = JSONRPC_INTERNAL_ERROR;
	snprintf(msg, cap, "Internal error: out of memory");
}

cJSON *mcp_prompts_list(struct runtime *rt, const struct profile *prof,
                        const cJSON *params, size_t page, int *code, char *msg,
                        size_t cap)
{
	size_t start = mcp_cursor_parse(
	        cJSON_GetObjectItemCaseSensitive(params, "cursor"));
	cJSON *all, *res, *arr;
	size_t n, i;

	if (start == (size_t)-1) {
		*code = JSONRPC_INVALID_PARAMS;
		snprintf(msg, cap,
		         "Invalid params: unknown cursor; start again from a "
		         "prompts/list without one");
		return NULL;
	}
	all = all_prompts(rt, prof);
	res = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(res, "prompts");
	if (!all || !res || !arr)
		goto fail;
	n = (size_t)cJSON_GetArraySize(all);
	for (i = start; i < n && i - start < page; i++) {
		cJSON *o = listing(cJSON_GetArrayItem(all, (int)i));
		if (!o)
			goto fail;
		cJSON_AddItemToArray(arr, o);
	}
	if (i < n) {
		char cur[64];
		mcp_cursor_make(i, cur, sizeof cur);
		if (!cJSON_AddStringToObject(res, "nextCursor", cur))
			goto fail;
	}
	cJSON_Delete(all);
	return res;
fail:
	cJSON_Delete(all);
	cJSON_Delete(res);
	nomem(code, msg, cap);
	return NULL;
}

/* A copy of a message's content block with the arguments substituted in
 * its text-bearing members. */
static cJSON *render_block(const cJSON *content, const cJSON *args)
{
	cJSON *b = cJSON_Duplicate(content, 1);
	cJSON *res = cJSON_GetObjectItemCaseSensitive(b, "resource");
	cJSON *targets[] = {cJSON_GetObjectItemCaseSensitive(b, "text"),
	                    cJSON_GetObjectItemCaseSensitive(res, "uri"),
	                    cJSON_GetObjectItemCaseSensitive(res, "text")};

	for (size_t i = 0; b && i < sizeof targets / sizeof targets[0]; i++) {
		char *t;
		if (!cJSON_IsString(targets[i]))
			continue;
		if (!(t = mcp_decl_subst(targets[i]->valuestring, args)) ||
		    !cJSON_SetValuestring(targets[i], t)) {
			free(t);
			cJSON_Delete(b);
			return NULL;
		}
		free(t);
	}
	return b;
}

cJSON *mcp_prompts_get(struct runtime *rt, const struct profile *prof,
                       const cJSON *params, int *code, char *msg, size_t cap)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(params, "name");
	const cJSON *args =
	        cJSON_GetObjectItemCaseSensitive(params, "arguments");
	const cJSON *w, *d, *decl_args, *a, *m, *given;
	cJSON *all, *res = NULL, *msgs;

	if (!cJSON_IsString(name)) {
		*code = JSONRPC_INVALID_PARAMS;
		snprintf(msg, cap,
		         "Invalid params: prompts/get needs \"name\", the "
		         "name of a prompt from prompts/list");
		return NULL;
	}
	if (args && !cJSON_IsNull(args) && !cJSON_IsObject(args)) {
		*code = JSONRPC_INVALID_PARAMS;
		snprintf(msg, cap,
		         "Invalid params: \"arguments\" must be an object of "
		         "strings");
		return NULL;
	}
	if (!(all = all_prompts(rt, prof))) {
		nomem(code, msg, cap);
		return NULL;
	}
	if (!(w = find_prompt(all, name->valuestring))) {
		*code = JSONRPC_INVALID_PARAMS;
		snprintf(msg, cap,
		         "Invalid params: unknown prompt \"%.128s\"; "
		         "prompts/list names the prompts this server offers",
		         name->valuestring);
		goto out;
	}
	d = cJSON_GetObjectItemCaseSensitive(w, "decl");
	decl_args = cJSON_GetObjectItemCaseSensitive(d, "arguments");
	cJSON_ArrayForEach(a, decl_args)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "name");
		const cJSON *v;
		if (!cJSON_IsString(n))
			continue;
		v = cJSON_GetObjectItemCaseSensitive(args, n->valuestring);
		if ((!v || cJSON_IsNull(v)) &&
		    cJSON_IsTrue(
		            cJSON_GetObjectItemCaseSensitive(a, "required"))) {
			*code = JSONRPC_INVALID_PARAMS;
			snprintf(msg, cap,
			         "Invalid params: prompt \"%.128s\" needs "
			         "argument \"%.64s\"",
			         name->valuestring, n->valuestring);
			goto out;
		}
	}
	given = cJSON_IsObject(args) ? args : NULL;
	cJSON_ArrayForEach(a, given)
	{
		const cJSON *known = NULL, *x;
		cJSON_ArrayForEach(x, decl_args)
		{
			const cJSON *n =
			        cJSON_GetObjectItemCaseSensitive(x, "name");
			if (cJSON_IsString(n) &&
			    !strcmp(n->valuestring, a->string))
				known = x;
		}
		if (!known || !cJSON_IsString(a)) {
			*code = JSONRPC_INVALID_PARAMS;
			snprintf(msg, cap,
			         !known ? "Invalid params: prompt \"%.128s\" "
			                  "has no argument \"%.64s\""
			                : "Invalid params: prompt \"%.128s\": "
			                  "argument \"%.64s\" must be a string",
			         name->valuestring, a->string);
			goto out;
		}
	}
	res = cJSON_CreateObject();
	msgs = cJSON_AddArrayToObject(res, "messages");
	if (!res || !msgs ||
	    (cJSON_IsString(
	             cJSON_GetObjectItemCaseSensitive(d, "description")) &&
	     !cJSON_AddStringToObject(
	             res, "description",
	             cJSON_GetObjectItemCaseSensitive(d, "description")
	                     ->valuestring)))
		goto oom;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(d, "messages"))
	{
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		const cJSON *content =
		        cJSON_GetObjectItemCaseSensitive(m, "content");
		cJSON *o, *b;
		if (!cJSON_IsString(role) || !cJSON_IsObject(content))
			continue;
		if (!(o = cJSON_CreateObject()))
			goto oom;
		cJSON_AddItemToArray(msgs, o);
		if (!cJSON_AddStringToObject(o, "role", role->valuestring) ||
		    !(b = render_block(content, args)))
			goto oom;
		cJSON_AddItemToObject(o, "content", b);
	}
	goto out;
oom:
	cJSON_Delete(res);
	res = NULL;
	nomem(code, msg, cap);
out:
	cJSON_Delete(all);
	return res;
}

cJSON *mcp_complete(struct runtime *rt, const struct profile *prof,
                    struct mcp_artifacts *art, const cJSON *params,
                    const struct dispatch_opts *o, int *code, char *msg,
                    size_t cap)
{
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(params, "ref");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(ref, "type");
	const cJSON *arg = cJSON_GetObjectItemCaseSensitive(params, "argument");
	const cJSON *an = cJSON_GetObjectItemCaseSensitive(arg, "name");
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(arg, "value");
	cJSON *all, *res = NULL;
	const cJSON *w, *a;

	if (!cJSON_IsString(type) || !cJSON_IsString(an) ||
	    !cJSON_IsString(av)) {
		*code = JSONRPC_INVALID_PARAMS;
		snprintf(msg, cap,
		         "Invalid params: completion/complete needs \"ref\" "
		         "({\"type\": \"ref/prompt\", \"name\"} or "
		         "{\"type\": \"ref/resource\", \"uri\"}) and "
		         "\"argument\" ({\"name\", \"value\"} strings)");
		return NULL;
	}
	if (!strcmp(type->valuestring, "ref/resource")) {
		const cJSON *uri = cJSON_GetObjectItemCaseSensitive(ref, "uri");
		if (!cJSON_IsString(uri)) {
			*code = JSONRPC_INVALID_PARAMS;
			snprintf(msg, cap,
			         "Invalid params: a ref/resource needs "
			         "\"uri\", a resource template");
			return NULL;
		}
		return mcp_resources_complete(rt, prof, art, uri->valuestring,
		                              an->valuestring, av->valuestring,
		                              o, code, msg, cap);
	}
	if (strcmp(type->valuestring, "ref/prompt") ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(ref, "name"))) {
		*code = JSONRPC_INVALID_PARAMS;
		snprintf(msg, cap,
		         "Invalid params: \"ref\" must be a ref/prompt with "
		         "\"name\" or a ref/resource with \"uri\"");
		return NULL;
	}
	if (!(all = all_prompts(rt, prof))) {
		nomem(code, msg, cap);
		return NULL;
	}
	w = find_prompt(
	        all,
	        cJSON_GetObjectItemCaseSensitive(ref, "name")->valuestring);
	if (!w) {
		*code = JSONRPC_INVALID_PARAMS;
		snprintf(msg, cap,
		         "Invalid params: unknown prompt \"%.128s\"; "
		         "prompts/list names them",
		         cJSON_GetObjectItemCaseSensitive(ref, "name")
		                 ->valuestring);
		goto out;
	}
	cJSON_ArrayForEach(a,
	                   cJSON_GetObjectItemCaseSensitive(
	                           cJSON_GetObjectItemCaseSensitive(w, "decl"),
	                           "arguments"))
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "name");
		if (cJSON_IsString(n) &&
		    !strcmp(n->valuestring, an->valuestring)) {
			const cJSON *vals =
			        cJSON_GetObjectItemCaseSensitive(a, "values");
			const cJSON *decl =
			        cJSON_GetObjectItemCaseSensitive(w, "decl");
			char pref[PROMPT_NAME_MAX + 8];
			if (vals) {
				res = mcp_complete_from(vals, av->valuestring);
				if (!res)
					nomem(code, msg, cap);
				goto out;
			}
			/* No values declared: the skill may compute them,
			 * asked by the prompt's own name. */
			snprintf(pref, sizeof pref, "prompt:%s",
			         cJSON_GetObjectItemCaseSensitive(decl, "name")
			                 ->valuestring);
			res = mcp_complete_by_skill(
			        rt,
			        cJSON_GetObjectItemCaseSensitive(w, "skillname")
			                ->valuestring,
			        pref, an->valuestring, av->valuestring, o, code,
			        msg, cap);
			goto out;
		}
	}
	*code = JSONRPC_INVALID_PARAMS;
	snprintf(msg, cap,
	         "Invalid params: prompt \"%.128s\" has no argument "
	         "\"%.64s\"",
	         cJSON_GetObjectItemCaseSensitive(ref, "name")->valuestring,
	         an->valuestring);
out:
	cJSON_Delete(all);
	return res;
}
