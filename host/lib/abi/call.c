/*
 * call.c - the host side of one tool call. See call.h.
 */
#include "call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "hostlog.h"
#include "perms.h"

void call_init(struct skill_call *c, const char *skill_name,
               const char *tool_name, const cJSON *args)
{
	memset(c, 0, sizeof *c);
	c->skill_name = skill_name;
	c->tool_name = tool_name;
	c->args = args;
}

void call_result_free(struct call_result *r)
{
	if (!r)
		return;
	cJSON_Delete(r->content);
	cJSON_Delete(r->structured);
	memset(r, 0, sizeof *r);
}

void call_defer(struct skill_call *c, struct call_deferred *d)
{
	d->next = c->deferred;
	c->deferred = d;
}

int call_release(struct skill_call *c, struct call_deferred *d)
{
	for (struct call_deferred **p = &c->deferred; *p; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			d->release(d);
			return 1;
		}
	return 0;
}

void call_finish(struct skill_call *c, struct call_result *out)
{
	if (c->release_artifacts)
		c->release_artifacts(c);
	while (c->deferred) {
		struct call_deferred *d = c->deferred;
		c->deferred = d->next;
		d->release(d);
	}
	/* Everything the skill put out was refused: say why rather than
	 * answer with an empty success. */
	if (c->nrefused && !c->is_error && !c->content && !c->structured) {
		char msg[CALL_REFUSED_MAX + 64];
		snprintf(msg, sizeof msg,
		         "the skill sent no output the host could accept: %s",
		         c->refused);
		call_set_error(c, msg);
	}
	for (size_t i = 0; i < c->nscratch; i++)
		free(c->scratch[i]);
	free(c->scratch);
	c->scratch = NULL;
	c->nscratch = c->scratch_cap = 0;
	if (c->host_note) {
		if (c->is_error) {
			size_t n = strlen(c->host_note) + 12;
			char *t = malloc(n);
			if (t) {
				snprintf(t, n, "skillhost: %s", c->host_note);
				call_result_text(c, t, SKILL_NUL_TERMINATED);
				free(t);
			}
		}
		free(c->host_note);
		c->host_note = NULL;
	}
	if (out) {
		out->content = c->content;
		out->structured = c->structured;
		out->is_error = c->is_error;
	} else {
		cJSON_Delete(c->content);
		cJSON_Delete(c->structured);
	}
	c->content = c->structured = NULL;
}

static int has_text_block(const cJSON *content)
{
	const cJSON *b;

	cJSON_ArrayForEach(b, content)
	{
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "type");
		if (cJSON_IsString(t) && !strcmp(t->valuestring, "text"))
			return 1;
	}
	return 0;
}

cJSON *call_result_to_json(struct call_result *r)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		goto fail;
	if (!r->content && !(r->content = cJSON_CreateArray()))
		goto fail;
	/* MCP: a tool with structured output SHOULD also return it as text,
	 * for clients that only show content. */
	if (r->structured && !r->is_error && !has_text_block(r->content)) {
		char *s = cJSON_PrintUnformatted(r->structured);
		cJSON *b = cJSON_CreateObject();
		if (!s || !b || !cJSON_AddStringToObject(b, "type", "text") ||
		    !cJSON_AddStringToObject(b, "text", s)) {
			free(s);
			cJSON_Delete(b);
			goto fail;
		}
		free(s);
		cJSON_AddItemToArray(r->content, b);
	}
	cJSON_AddItemToObject(o, "content", r->content);
	r->content = NULL;
	if (r->structured && !r->is_error) {
		cJSON_AddItemToObject(o, "structuredContent", r->structured);
		r->structured = NULL;
	}
	if (r->is_error)
		cJSON_AddTrueToObject(o, "isError");
	call_result_free(r);
	return o;
fail:
	cJSON_Delete(o);
	call_result_free(r);
	return NULL;
}

int call_is_cancelled(skill_call_t *c)
{
	if (c->cancel && atomic_load_explicit(c->cancel, memory_order_relaxed))
		return 1;
	return c->deadline_ns && call_now_ns() >= c->deadline_ns;
}

int64_t call_remaining_ms(skill_call_t *c)
{
	int64_t left;

	if (!c->deadline_ns)
		return SKILL_NO_DEADLINE;
	left = c->deadline_ns - call_now_ns();
	return left <= 0 ? 0 : (left + 999999) / 1000000;
}

void call_progress(skill_call_t *c, double progress, double total,
                   const char *message)
{
	/* MCP requires progress to increase; drop reports that do not rather
	 * than forward a protocol violation. */
	if (c->has_progress && !(progress > c->last_progress))
		return;
	c->has_progress = 1;
	c->last_progress = progress;
	if (message &&
	    !call_text_ok(c, "progress message", message, strlen(message), 0))
		message = NULL; /* the progress itself still counts */
	if (c->sinks && c->sinks->progress)
		c->sinks->progress(c->sinks->ud, progress, total, message);
}

void call_log(skill_call_t *c, skill_log_level level, const char *message)
{
	if (!message)
		return;
	if (!call_text_ok(c, "log message", message, strlen(message), 0))
		return; /* call_text_ok logged the refusal instead */
	hostlog_skill(c->skill_name, level, message);
	if (c->sinks && c->sinks->log && level >= c->sinks->log_min)
		c->sinks->log(c->sinks->ud, level, c->skill_name, message);
}

int call_text_ok(struct skill_call *c, const char *field, const char *s,
                 size_t len, int allow_nul)
{
	size_t at = call_utf8_check(s, len);
	const char *nul = allow_nul ? NULL : memchr(s, '\0', len);
	char why[CALL_REFUSED_MAX];

	if (at == len && !nul)
		return 1;
	if (nul && (size_t)(nul - s) < at)
		snprintf(why, sizeof why,
		         "%s refused: it holds a NUL byte at byte %zu", field,
		         (size_t)(nul - s));
	else
		snprintf(
		        why, sizeof why,
		        "%s refused: not valid UTF-8 at byte %zu; send text as "
		        "UTF-8",
		        field, at);
	if (!c->nrefused++)
		memcpy(c->refused, why, sizeof why);
	if (!c->check_only)
		call_log(c, SKILL_LOG_WARNING, why);
	return 0;
}

/* Account for n more result bytes; 0 when the cap would be passed. */
static int reserve(struct skill_call *c, size_t n)
{
	if (n > CALL_RESULT_MAX || c->bytes > CALL_RESULT_MAX - n)
		return 0;
	c->bytes += n;
	return 1;
}

static skill_status append_block(struct skill_call *c, cJSON *b)
{
	if (!b)
		return SKILL_ERR_NOMEM;
	if (!c->content && !(c->content = cJSON_CreateArray())) {
		cJSON_Delete(b);
		return SKILL_ERR_NOMEM;
	}
	cJSON_AddItemToArray(c->content, b);
	return SKILL_OK;
}

/* A cJSON string node from len bytes that need not be NUL-terminated. */
static cJSON *string_n(const char *s, size_t len)
{
	char *copy = malloc(len + 1);
	cJSON *node;

	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	node = cJSON_CreateString(copy);
	free(copy);
	return node;
}

static size_t measure(const char *s, size_t len)
{
	return len == SKILL_NUL_TERMINATED ? strlen(s) : len;
}

skill_status call_result_text(skill_call_t *c, const char *text, size_t len)
{
	cJSON *b, *t;

	if (!text)
		return SKILL_ERR_ARGS;
	len = measure(text, len);
	if (!call_text_ok(c, "result_text", text, len, 0))
		return SKILL_ERR_ARGS;
	if (!reserve(c, len))
		return SKILL_ERR_NOMEM;
	b = cJSON_CreateObject();
	t = string_n(text, len);
	if (!b || !t || !cJSON_AddStringToObject(b, "type", "text")) {
		cJSON_Delete(b);
		cJSON_Delete(t);
		return SKILL_ERR_NOMEM;
	}
	cJSON_AddItemToObject(b, "text", t);
	return append_block(c, b);
}

skill_status call_result_json(skill_call_t *c, const char *json, size_t len)
{
	cJSON *v;

	if (!json)
		return SKILL_ERR_ARGS;
	if (c->structured)
		return SKILL_ERR_ARGS;
	len = measure(json, len);
	/* cJSON copies string bytes as they are: without this, invalid
	 * UTF-8 inside a JSON string would reach the wire. */
	if (!call_text_ok(c, "result_json", json, len, 0))
		return SKILL_ERR_ARGS;
	if (!reserve(c, len))
		return SKILL_ERR_NOMEM;
	v = cJSON_ParseWithLength(json, len);
	if (!cJSON_IsObject(v)) {
		cJSON_Delete(v);
		return SKILL_ERR_ARGS;
	}
	c->structured = v;
	return SKILL_OK;
}

static int valid_mime(const char *m)
{
	/* type "/" subtype, both RFC 6838 restricted names. */
	const char *slash;

	if (!m || !(slash = strchr(m, '/')) || slash == m || !slash[1] ||
	    strlen(m) > 255)
		return 0;
	for (const char *p = m; *p; p++) {
		char ch = *p;
		if (p == slash)
			continue;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr("!#$&^_.+-", ch)))
			return 0;
	}
	return 1;
}

static cJSON *base64_node(const void *data, size_t len)
{
	size_t cap =
	        sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *buf = malloc(cap);
	cJSON *node;

	if (!buf)
		return NULL;
	sodium_bin2base64(buf, cap, data, len, sodium_base64_VARIANT_ORIGINAL);
	node = cJSON_CreateString(buf);
	free(buf);
	return node;
}

skill_status call_result_media(skill_call_t *c, const char *mime,
                               const void *data, size_t len)
{
	const char *type;
	cJSON *b, *d;

	if (!valid_mime(mime) || (!data && len))
		return SKILL_ERR_ARGS;
	if (!strncmp(mime, "image/", 6))
		type = "image";
	else if (!strncmp(mime, "audio/", 6))
		type = "audio";
	else
		return SKILL_ERR_ARGS;
	if (!reserve(c, len / 3 * 4 + 4))
		return SKILL_ERR_NOMEM;
	b = cJSON_CreateObject();
	d = base64_node(data ? data : "", len);
	if (!b || !d || !cJSON_AddStringToObject(b, "type", type) ||
	    !cJSON_AddStringToObject(b, "mimeType", mime)) {
		cJSON_Delete(b);
		cJSON_Delete(d);
		return SKILL_ERR_NOMEM;
	}
	cJSON_AddItemToObject(b, "data", d);
	return append_block(c, b);
}

/* A URI needs a scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":". */
static int valid_uri(const char *u)
{
	const char *p = u;

	if (!u || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while (*p && *p != ':') {
		char ch = *p++;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '+' || ch == '-' ||
		      ch == '.'))
			return 0;
	}
	return *p == ':' && strlen(u) < 8192;
}

skill_status call_result_resource(skill_call_t *c, const skill_resource_t *r)
{
	skill_resource_t res;
	cJSON *b = NULL, *inner;

	if (!r || r->struct_size < offsetof(skill_resource_t, blob_len) +
	                                   sizeof(r->blob_len))
		return SKILL_ERR_ARGS;
	memset(&res, 0, sizeof res);
	memcpy(&res, r,
	       r->struct_size < sizeof res ? r->struct_size : sizeof res);
	if (!valid_uri(res.uri) || (!res.text == !res.blob) ||
	    (res.mime_type && !valid_mime(res.mime_type)))
		return SKILL_ERR_ARGS;
	if (!call_text_ok(c, "result_resource uri", res.uri, strlen(res.uri),
	                  0))
		return SKILL_ERR_ARGS;
	if (res.text) {
		res.text_len = measure(res.text, res.text_len);
		if (!call_text_ok(c, "result_resource text", res.text,
		                  res.text_len, 0))
			return SKILL_ERR_ARGS;
	}
	if (!reserve(c, res.text ? res.text_len : res.blob_len / 3 * 4 + 4))
		return SKILL_ERR_NOMEM;
	if (!(b = cJSON_CreateObject()) ||
	    !cJSON_AddStringToObject(b, "type", "resource") ||
	    !(inner = cJSON_AddObjectToObject(b, "resource")) ||
	    !cJSON_AddStringToObject(inner, "uri", res.uri) ||
	    (res.mime_type &&
	     !cJSON_AddStringToObject(inner, "mimeType", res.mime_type)))
		goto nomem;
	if (res.text) {
		cJSON *t = string_n(res.text, res.text_len);
		if (!t)
			goto nomem;
		cJSON_AddItemToObject(inner, "text", t);
	} else {
		cJSON *d = base64_node(res.blob, res.blob_len);
		if (!d)
			goto nomem;
		cJSON_AddItemToObject(inner, "blob", d);
	}
	return append_block(c, b);
nomem:
	cJSON_Delete(b);
	return SKILL_ERR_NOMEM;
}

skill_status call_result_link(skill_call_t *c, const skill_resource_link_t *l)
{
	skill_resource_link_t link;
	cJSON *b;

	if (!l || l->struct_size < offsetof(skill_resource_link_t, size) +
	                                   sizeof(l->size))
		return SKILL_ERR_ARGS;
	memset(&link, 0, sizeof link);
	memcpy(&link, l,
	       l->struct_size < sizeof link ? l->struct_size : sizeof link);
	if (!valid_uri(link.uri) || !link.name || !*link.name ||
	    (link.mime_type && !valid_mime(link.mime_type)))
		return SKILL_ERR_ARGS;
	if (!call_text_ok(c, "result_link uri", link.uri, strlen(link.uri),
	                  0) ||
	    !call_text_ok(c, "result_link name", link.name, strlen(link.name),
	                  0) ||
	    (link.title && !call_text_ok(c, "result_link title", link.title,
	                                 strlen(link.title), 0)) ||
	    (link.description &&
	     !call_text_ok(c, "result_link description", link.description,
	                   strlen(link.description), 0)))
		return SKILL_ERR_ARGS;
	if (!reserve(c, strlen(link.uri) + strlen(link.name) + 64))
		return SKILL_ERR_NOMEM;
	if (!(b = cJSON_CreateObject()) ||
	    !cJSON_AddStringToObject(b, "type", "resource_link") ||
	    !cJSON_AddStringToObject(b, "uri", link.uri) ||
	    !cJSON_AddStringToObject(b, "name", link.name) ||
	    (link.title && !cJSON_AddStringToObject(b, "title", link.title)) ||
	    (link.description &&
	     !cJSON_AddStringToObject(b, "description", link.description)) ||
	    (link.mime_type &&
	     !cJSON_AddStringToObject(b, "mimeType", link.mime_type)) ||
	    (link.size >= 0 &&
	     !cJSON_AddNumberToObject(b, "size", (double)link.size))) {
		cJSON_Delete(b);
		return SKILL_ERR_NOMEM;
	}
	return append_block(c, b);
}

void call_set_error(struct skill_call *c, const char *message)
{
	cJSON_Delete(c->content);
	cJSON_Delete(c->structured);
	c->content = NULL;
	c->structured = NULL;
	c->is_error = 1;
	call_result_text(c, message, SKILL_NUL_TERMINATED);
}

void call_note(struct skill_call *c, const char *message)
{
	char *copy = message ? strdup(message) : NULL;

	if (!copy)
		return;
	free(c->host_note);
	c->host_note = copy;
}

skill_status call_tool_error(skill_call_t *c, const char *message)
{
	if (!message || !*message) {
		message = "the tool failed without saying why";
	} else if (!call_text_ok(c, "tool_error message", message,
	                         strlen(message), 0)) {
		/* Still an error, and one that says what went wrong. */
		char msg[160];
		snprintf(msg, sizeof msg,
		         "the tool failed, and its tool_error message was "
		         "refused: not valid UTF-8 at byte %zu",
		         call_utf8_check(message, strlen(message)));
		call_set_error(c, msg);
		return SKILL_OK;
	}
	call_set_error(c, message);
	return SKILL_OK;
}

/* Decode one reference token (~1 -> '/', ~0 -> '~') into buf. */
static int pointer_token(const char *s, size_t n, char *buf, size_t cap)
{
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '~') {
			if (i + 1 >= n || (s[i + 1] != '0' && s[i + 1] != '1'))
				return 0;
			ch = s[++i] == '0' ? '~' : '/';
		}
		if (j + 1 >= cap)
			return 0;
		buf[j++] = ch;
	}
	buf[j] = '\0';
	return 1;
}

const cJSON *call_json_pointer(const cJSON *root, const char *path)
{
	const cJSON *cur = root;
	const char *p = path;
	char tok[256];

	if (!root || !path)
		return NULL;
	if (*p == '/')
		p++;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (!pointer_token(p, n, tok, sizeof tok))
			return NULL;
		if (cJSON_IsObject(cur)) {
			cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
		} else if (cJSON_IsArray(cur)) {
			char *stop;
			long idx;
			if (!tok[0] || (tok[0] == '0' && tok[1]) ||
			    tok[0] < '0' || tok[0] > '9')
				return NULL;
			idx = strtol(tok, &stop, 10);
			if (*stop || idx > 1000000000L)
				return NULL;
			cur = cJSON_GetArrayItem(cur, (int)idx);
		} else {
			return NULL;
		}
		if (!cur)
			return NULL;
		p += n;
		if (*p == '/')
			p++;
	}
	return cur;
}

const char *call_arg_string(skill_call_t *c, const char *path)
{
	const cJSON *v = call_json_pointer(c->args, path);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int call_arg_number(skill_call_t *c, const char *path, double *out)
{
	const cJSON *v = call_json_pointer(c->args, path);

	if (!cJSON_IsNumber(v))
		return 0;
	if (out)
		*out = v->valuedouble;
	return 1;
}

int call_arg_bool(skill_call_t *c, const char *path, int *out)
{
	const cJSON *v = call_json_pointer(c->args, path);

	if (!cJSON_IsBool(v))
		return 0;
	if (out)
		*out = cJSON_IsTrue(v);
	return 1;
}

int64_t call_arg_count(skill_call_t *c, const char *path)
{
	const cJSON *v = call_json_pointer(c->args, path);

	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return -1;
	return cJSON_GetArraySize(v);
}

const char *call_keep(struct skill_call *c, char *s)
{
	if (!s)
		return NULL;
	if (c->nscratch == c->scratch_cap) {
		size_t cap = c->scratch_cap ? c->scratch_cap * 2 : 4;
		char **grown = realloc(c->scratch, cap * sizeof *grown);
		if (!grown) {
			free(s);
			return NULL;
		}
		c->scratch = grown;
		c->scratch_cap = cap;
	}
	c->scratch[c->nscratch++] = s;
	return s;
}

const char *call_arg_json(skill_call_t *c, const char *path)
{
	const cJSON *v = call_json_pointer(c->args, path);

	if (!v)
		return NULL;
	return call_keep(c, cJSON_PrintUnformatted(v));
}

int call_permitted(const struct skill_call *c, const char *kind,
                   const char *item)
{
	const struct skill_perms *p = c->perms;

	if (!p)
		return 1;
	if (!strcmp(kind, "secrets"))
		return perms_secret(p, item);
	if (!strcmp(kind, "filesystem"))
		return (!strcmp(item, "artifacts") &&
		        perms_fs(p, PERMS_FS_ARTIFACTS)) ||
		       (!strcmp(item, "inputs") &&
		        perms_fs(p, PERMS_FS_INPUTS));
	if (!strcmp(kind, "network"))
		for (size_t i = 0; i < p->nnetwork; i++)
			if (!strcmp(p->network[i], item))
				return 1;
	return 0;
}

const char *call_skill_status_name(skill_status st)
{
	switch (st) {
	case SKILL_OK: return "ok";
	case SKILL_ERR_TOOL: return "tool error";
	case SKILL_ERR_ARGS: return "bad arguments";
	case SKILL_ERR_CANCELLED: return "cancelled";
	case SKILL_ERR_TIMEOUT: return "timed out";
	case SKILL_ERR_DENIED: return "denied";
	case SKILL_ERR_UNSUPPORTED: return "unsupported";
	case SKILL_ERR_NOMEM: return "out of memory or over a size limit";
	case SKILL_ERR_INTERNAL: return "internal error";
	case SKILL_ERR_IO: return "I/O error";
	}
	return "unknown status";
}
