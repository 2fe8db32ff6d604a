/*
 * backend_common.c - what the vendor adapters share: credentials, headers
 * and URLs, and the pieces of requests and replies that recur across
 * vendors. See backend_int.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backend_int.h"
#include "curlapi.h"
#include "jsonnum.h"

/* ---- credentials, headers and URLs ------------------------------------ */

const char *backend_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

const char *backend_setting(const char *given, const char *var)
{
	return given ? given : backend_env(var);
}

sh_status backend_missing(struct sh_error *e, const char *backend,
                          const char *var, const char *what)
{
	return sh_error_set(e, SH_ERR_USAGE,
	                    "backend %s: %s is not set; export %s, or choose "
	                    "another --backend",
	                    backend, var, what);
}

const char *backend_add_secret(struct backend *b, const char *value)
{
	char *copy;

	if (b->nsecrets == BACKEND_MAX_SECRETS || !(copy = strdup(value)))
		return NULL;
	b->secrets[b->nsecrets++] = copy;
	return copy;
}

sh_status backend_add_header(struct backend *b, const char *name,
                             const char *value, struct sh_error *e)
{
	size_t n = strlen(name) + strlen(value) + 3;
	char *line = malloc(n);
	struct curl_slist *l;

	if (!line)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	snprintf(line, n, "%s: %s", name, value);
	l = curlapi()->slist_append(b->headers, line);
	sodium_memzero(line, n); /* it may hold a key */
	free(line);
	if (!l)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	b->headers = l;
	return SH_OK;
}

sh_status backend_auth_header(struct backend *b, const char *name,
                              const char *prefix, const char *key,
                              struct sh_error *e)
{
	size_t n = strlen(prefix) + strlen(key) + 1;
	char *value;
	sh_status rc;

	if (!backend_add_secret(b, key))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	if (!(value = malloc(n)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	snprintf(value, n, "%s%s", prefix, key);
	rc = backend_add_header(b, name, value, e);
	sodium_memzero(value, n);
	free(value);
	return rc;
}

sh_status backend_set_url(struct backend *b, const char *base,
                          const char *suffix, struct sh_error *e)
{
	size_t blen = strlen(base);
	int n;

	while (blen && base[blen - 1] == '/')
		blen--;
	if (strncmp(base, "http://", 7) && strncmp(base, "https://", 8))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "backend %s: base URL \"%s\" must start "
		                    "with http:// or https://",
		                    b->ops->name, base);
	n = snprintf(b->url, sizeof b->url, "%.*s%s", (int)blen, base, suffix);
	if (n < 0 || (size_t)n >= sizeof b->url)
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "backend %s: the URL is longer than %d bytes",
		        b->ops->name, BACKEND_URL_MAX);
	return SH_OK;
}

int backend_path_escape(const char *s, char *out, size_t cap)
{
	size_t j = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' ||
		    *p == '~') {
			if (j + 1 >= cap)
				return 0;
			out[j++] = (char)*p;
		} else {
			if (j + 3 >= cap)
				return 0;
			snprintf(out + j, 4, "%%%02X", *p);
			j += 3;
		}
	}
	out[j] = '\0';
	return 1;
}

sh_status backend_key(struct backend *b, const struct backend_config *cfg,
                      const struct backend_endpoint *ep, struct sh_error *e)
{
	const char *key = backend_setting(cfg->api_key, ep->key_var);

	if (!key && ep->key_var2)
		key = backend_env(ep->key_var2);
	if (!key)
		return ep->key_hint ? backend_missing(e, b->ops->name,
		                                      ep->key_var, ep->key_hint)
		                    : SH_OK;
	return backend_auth_header(b, ep->header, ep->prefix, key, e);
}

sh_status backend_endpoint_url(struct backend *b,
                               const struct backend_config *cfg,
                               const struct backend_endpoint *ep,
                               const char *suffix, struct sh_error *e)
{
	const char *base = cfg->base_url;

	if (!base && ep->base_var)
		base = backend_env(ep->base_var);
	return backend_set_url(b, base ? base : ep->default_base, suffix, e);
}

/* ---- requests ------------------------------------------------------------ */

/* Every result of t as a block of one user message. */
static int add_result_blocks(cJSON *msgs, const struct tr_msg *t,
                             const struct backend_turns *turns)
{
	cJSON *content = backend_add_block_message(msgs, "user");
	char id[BACKEND_ID_MAX + 1];

	if (!content)
		return 0;
	for (size_t i = 0; i < t->nresults; i++) {
		cJSON *blk = cJSON_CreateObject();
		if (!blk)
			return 0;
		cJSON_AddItemToArray(content, blk);
		backend_safe_id(t->results[i].call_id, id);
		if (!turns->result_block(blk, &t->results[i], id))
			return 0;
	}
	return 1;
}

int backend_add_turns(cJSON *into, const struct transcript *tr,
                      const struct backend_turns *t)
{
	for (size_t i = 0; i < tr->nmsgs; i++) {
		const struct tr_msg *m = &tr->msgs[i];
		int ok;

		switch (m->role) {
		case TR_USER:
			ok = t->user ? t->user(into, m->text ? m->text : "")
			             : backend_add_message(
			                       into, "user",
			                       m->text ? m->text : "") != NULL;
			break;
		case TR_ASSISTANT: ok = t->assistant(into, m); break;
		default:
			ok = t->results        ? t->results(into, tr, i)
			     : t->result_block ? add_result_blocks(into, m, t)
			                       : backend_add_result_items(
			                                 into, m, t->items);
		}
		if (!ok)
			return 0;
	}
	return 1;
}

cJSON *backend_add_message(cJSON *arr, const char *role, const char *content)
{
	cJSON *m = cJSON_CreateObject();

	if (!m || !cJSON_AddStringToObject(m, "role", role) ||
	    !cJSON_AddStringToObject(m, "content", content)) {
		cJSON_Delete(m);
		return NULL;
	}
	cJSON_AddItemToArray(arr, m);
	return m;
}

const cJSON *backend_native(const struct tr_msg *a, const char *wire)
{
	return a->native && a->wire && !strcmp(a->wire, wire) ? a->native
	                                                      : NULL;
}

const char *backend_turn_text(const struct tr_msg *a)
{
	if (a->text && *a->text)
		return a->text;
	return a->ncalls ? NULL : "(no answer)";
}

char *backend_result_text(const struct tr_result *r)
{
	char *text = tr_result_text(r->result, 0), *out;
	size_t n;

	if (!text || !r->is_error)
		return text;
	n = strlen(text) + 8;
	if ((out = malloc(n)))
		snprintf(out, n, "Error: %s", text);
	free(text);
	return out;
}

int backend_add_result_items(cJSON *into, const struct tr_msg *t,
                             const struct backend_result_item *shape)
{
	for (size_t i = 0; i < t->nresults; i++) {
		const struct tr_result *r = &t->results[i];
		char *text = backend_result_text(r);
		cJSON *m = cJSON_CreateObject();
		int ok = m && text &&
		         cJSON_AddStringToObject(m, shape->kind_key,
		                                 shape->kind) &&
		         (!shape->id_key ||
		          cJSON_AddStringToObject(m, shape->id_key,
		                                  r->call_id)) &&
		         cJSON_AddStringToObject(m, shape->text_key, text) &&
		         (!shape->name_key ||
		          cJSON_AddStringToObject(m, shape->name_key, r->name));

		free(text);
		if (!ok) {
			cJSON_Delete(m);
			return 0;
		}
		cJSON_AddItemToArray(into, m);
	}
	return 1;
}

cJSON *backend_text_block(const char *type, const char *text)
{
	cJSON *t = cJSON_CreateObject();

	if (!t || (type && !cJSON_AddStringToObject(t, "type", type)) ||
	    !cJSON_AddStringToObject(t, "text", text)) {
		cJSON_Delete(t);
		return NULL;
	}
	return t;
}

cJSON *backend_add_block_message(cJSON *msgs, const char *role)
{
	cJSON *m = cJSON_CreateObject();

	if (!m)
		return NULL;
	cJSON_AddItemToArray(msgs, m);
	if (!cJSON_AddStringToObject(m, "role", role))
		return NULL;
	return cJSON_AddArrayToObject(m, "content");
}

/* One call as a content block. */
static int add_use_block(cJSON *content, const struct tr_call *c,
                         const struct backend_blocks *bs)
{
	cJSON *input = tr_call_args_object(c), *blk, *use;
	char id[BACKEND_ID_MAX + 1];

	if (!input || !(blk = cJSON_CreateObject())) {
		cJSON_Delete(input);
		return 0;
	}
	cJSON_AddItemToArray(content, blk);
	backend_safe_id(c->id, id);
	use = bs->use_wrap ? cJSON_AddObjectToObject(blk, bs->use_wrap) : blk;
	if (!use ||
	    (bs->use_type &&
	     !cJSON_AddStringToObject(use, "type", bs->use_type)) ||
	    !cJSON_AddStringToObject(use, bs->use_id, id) ||
	    !cJSON_AddStringToObject(use, "name", c->name)) {
		cJSON_Delete(input);
		return 0;
	}
	cJSON_AddItemToObject(use, "input", input);
	return 1;
}

int backend_add_block_turn(cJSON *msgs, const struct tr_msg *a,
                           const struct backend_blocks *bs)
{
	const cJSON *native = backend_native(a, bs->wire);
	const char *text = backend_turn_text(a);
	cJSON *m = cJSON_CreateObject(), *content, *blk;

	if (!m)
		return 0;
	cJSON_AddItemToArray(msgs, m);
	if (!cJSON_AddStringToObject(m, "role", "assistant"))
		return 0;
	if (native) {
		if (!(content = cJSON_Duplicate(native, 1)))
			return 0;
		cJSON_AddItemToObject(m, "content", content);
		return 1;
	}
	if (!(content = cJSON_AddArrayToObject(m, "content")))
		return 0;
	/* The APIs refuse an assistant turn with no content at all. */
	if (text) {
		if (!(blk = backend_text_block(bs->text_type, text)))
			return 0;
		cJSON_AddItemToArray(content, blk);
	}
	for (size_t i = 0; i < a->ncalls; i++)
		if (!add_use_block(content, &a->calls[i], bs))
			return 0;
	return 1;
}

void backend_add_tools(cJSON *o, const char *key, const cJSON *tools)
{
	if (cJSON_GetArraySize(tools) > 0)
		cJSON_AddItemReferenceToObject(o, key, (cJSON *)tools);
}

sh_status backend_build_nomem(cJSON *o, struct sh_error *e)
{
	cJSON_Delete(o);
	return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
}

void backend_safe_id(const char *id, char out[BACKEND_ID_MAX + 1])
{
	size_t j = 0;

	for (; id[j] && j < BACKEND_ID_MAX; j++)
		out[j] = isalnum((unsigned char)id[j]) || id[j] == '_' ||
		                         id[j] == '-'
		                 ? id[j]
		                 : '_';
	if (j == 0)
		out[j++] = '_';
	out[j] = '\0';
}

/* ---- replies ------------------------------------------------------------- */

const char *backend_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int64_t backend_num(const cJSON *o, const char *key)
{
	return json_int64(cJSON_GetObjectItemCaseSensitive(o, key), 0);
}

const char *backend_error_message(const cJSON *body)
{
	return backend_str(cJSON_GetObjectItemCaseSensitive(body, "error"),
	                   "message");
}

sh_status backend_add_call(struct tr_msg *out, const char *id, const char *name,
                           const cJSON *args, enum backend_args how,
                           const char *made_prefix, unsigned long made,
                           struct sh_error *e)
{
	char *printed = NULL;
	sh_status rc;

	if (how == BACKEND_ARGS_TEXT && cJSON_IsString(args))
		return tr_msg_add_call(out, id, name, args->valuestring,
		                       made_prefix, made, e);
	if (args && !(printed = cJSON_PrintUnformatted(args)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	rc = tr_msg_add_call(out, id, name, printed ? printed : "{}",
	                     made_prefix, made, e);
	cJSON_free(printed);
	return rc;
}

sh_status backend_add_use(struct tr_msg *out, const cJSON *use,
                          const char *id_key, const char *what,
                          struct sh_error *e)
{
	const char *id = backend_str(use, id_key);
	const char *name = backend_str(use, "name");
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(use, "input");

	if (!id || !name || !input)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "a %s block lacks %s, name or input", what,
		                    id_key);
	return backend_add_call(out, id, name, input, BACKEND_ARGS_JSON, NULL,
	                        0, e);
}

sh_status backend_add_function_call(struct tr_msg *out, const cJSON *call,
                                    const char *made_prefix,
                                    unsigned long *made, const char *bad,
                                    struct sh_error *e)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(call, "function");
	const char *id = made_prefix ? NULL : backend_str(call, "id");
	const char *name = backend_str(f, "name");

	if (!name || (!made_prefix && !id))
		return sh_error_set(e, SH_ERR_INVALID, "%s", bad);
	/* Some compatible servers send an object, not a string. */
	return backend_add_call(
	        out, id, name, cJSON_GetObjectItemCaseSensitive(f, "arguments"),
	        BACKEND_ARGS_TEXT, made_prefix, made_prefix ? ++*made : 0, e);
}

sh_status backend_set_stop(struct tr_msg *out, const char *stop,
                           struct sh_error *e)
{
	if (stop && !(out->stop = strdup(stop)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	return SH_OK;
}

sh_status backend_set_native(struct tr_msg *out, const cJSON *v,
                             struct sh_error *e)
{
	if (!(out->native = cJSON_Duplicate(v, 1)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	return SH_OK;
}
