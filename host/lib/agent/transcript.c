/*
 * transcript.c - the vendor-neutral conversation. See transcript.h.
 */
#include "transcript.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"

/* Room for a made-up call id. */
#define TR_ID_MAX 64
/* The text of one tool result. The call layer caps a result at
 * CALL_RESULT_MAX (64 MiB of JSON), and the text is never longer than the
 * JSON it comes from, so this only stops a result built elsewhere. */
#define TR_TEXT_MAX ((size_t)128 * 1024 * 1024)

void transcript_init(struct transcript *t)
{
	memset(t, 0, sizeof *t);
}

void tr_msg_free(struct tr_msg *m)
{
	for (size_t i = 0; i < m->ncalls; i++) {
		free(m->calls[i].id);
		free(m->calls[i].name);
		free(m->calls[i].arguments);
	}
	for (size_t i = 0; i < m->nresults; i++) {
		free(m->results[i].call_id);
		free(m->results[i].name);
		free(m->results[i].tool);
		cJSON_Delete(m->results[i].result);
	}
	free(m->calls);
	free(m->results);
	free(m->text);
	free(m->backend);
	free(m->model);
	free(m->stop);
	cJSON_Delete(m->native);
	memset(m, 0, sizeof *m);
}

void transcript_free(struct transcript *t)
{
	for (size_t i = 0; i < t->nmsgs; i++)
		tr_msg_free(&t->msgs[i]);
	free(t->msgs);
	free(t->system);
	memset(t, 0, sizeof *t);
}

sh_status transcript_set_system(struct transcript *t, const char *system,
                                struct sh_error *e)
{
	char *s = NULL;

	if (system && !(s = strdup(system)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	free(t->system);
	t->system = s;
	return SH_OK;
}

sh_status transcript_push(struct transcript *t, struct tr_msg *m,
                          struct sh_error *e)
{
	if (t->nmsgs == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct tr_msg *grown;
		if (t->nmsgs >= TRANSCRIPT_MAX_MESSAGES ||
		    !(grown = realloc(t->msgs, cap * sizeof *grown))) {
			tr_msg_free(m);
			return sh_error_set(e, SH_ERR_NOMEM,
			                    "the conversation is too long (%zu "
			                    "messages)",
			                    t->nmsgs);
		}
		t->msgs = grown;
		t->cap = cap;
	}
	t->msgs[t->nmsgs++] = *m;
	memset(m, 0, sizeof *m);
	return SH_OK;
}

sh_status transcript_add_user(struct transcript *t, const char *text,
                              struct sh_error *e)
{
	struct tr_msg m = {.role = TR_USER};

	if (!(m.text = strdup(text)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	return transcript_push(t, &m, e);
}

sh_status tr_msg_append_text(struct tr_msg *m, const char *text,
                             struct sh_error *e)
{
	size_t old = m->text ? strlen(m->text) : 0;
	size_t n = old + strlen(text) + 2;
	char *grown = realloc(m->text, n);

	if (!grown)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	snprintf(grown + old, n - old, "%s%s", old ? "\n" : "", text);
	m->text = grown;
	return SH_OK;
}

sh_status tr_msg_add_call(struct tr_msg *m, const char *id, const char *name,
                          const char *arguments, const char *prefix,
                          unsigned long n, struct sh_error *e)
{
	struct tr_call *grown, *c;
	char made[TR_ID_MAX];

	grown = realloc(m->calls, (m->ncalls + 1) * sizeof *grown);
	if (!grown)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	m->calls = grown;
	c = &m->calls[m->ncalls];
	memset(c, 0, sizeof *c);
	if (!id) {
		snprintf(made, sizeof made, "%s_%lu", prefix ? prefix : "call",
		         n);
		id = made;
		c->id_made = 1;
	}
	c->id = strdup(id);
	c->name = strdup(name);
	c->arguments = strdup(arguments ? arguments : "{}");
	if (!c->id || !c->name || !c->arguments) {
		free(c->id);
		free(c->name);
		free(c->arguments);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	m->ncalls++;
	return SH_OK;
}

cJSON *tr_call_args_object(const struct tr_call *c)
{
	cJSON *a = cJSON_Parse(c->arguments);

	if (cJSON_IsObject(a))
		return a;
	cJSON_Delete(a);
	return cJSON_CreateObject();
}

/* Append s as a line of its own. */
static void add_line(struct dynbuf *b, const char *s)
{
	if (dyn_len(b))
		dyn_addc(b, '\n');
	dyn_add(b, s);
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The size of what base64 text decodes to. */
static size_t b64_size(const char *b64)
{
	size_t n = strlen(b64), pad = 0;

	while (n > pad && pad < 2 && b64[n - 1 - pad] == '=')
		pad++;
	return n / 4 * 3 - (n % 4 == 0 ? pad : 0);
}

int tr_image_embeddable(const cJSON *block)
{
	static const char *const mimes[] = {"image/png", "image/jpeg",
	                                    "image/gif", "image/webp", NULL};
	const char *type = str(block, "type"), *mime = str(block, "mimeType");

	if (!type || strcmp(type, "image") || !mime || !str(block, "data"))
		return 0;
	for (int i = 0; mimes[i]; i++)
		if (!strcmp(mime, mimes[i]))
			return 1;
	return 0;
}

char *tr_result_text(const cJSON *result, int skip_images)
{
	const cJSON *content =
	        cJSON_GetObjectItemCaseSensitive(result, "content");
	const cJSON *sc =
	        cJSON_GetObjectItemCaseSensitive(result, "structuredContent");
	const cJSON *b;
	struct dynbuf out = DYN_INIT(TR_TEXT_MAX);
	char note[512];

	cJSON_ArrayForEach(b, content)
	{
		const char *type = str(b, "type"), *v;
		if (!type)
			continue;
		if (!strcmp(type, "text") && (v = str(b, "text"))) {
			add_line(&out, v);
		} else if (!strcmp(type, "image") || !strcmp(type, "audio")) {
			const char *data = str(b, "data");
			if (skip_images && tr_image_embeddable(b))
				continue;
			snprintf(note, sizeof note, "[%s %s, %zu bytes]",
			         str(b, "mimeType") ? str(b, "mimeType") : "?",
			         type, data ? b64_size(data) : 0);
			add_line(&out, note);
		} else if (!strcmp(type, "resource")) {
			const cJSON *r =
			        cJSON_GetObjectItemCaseSensitive(b, "resource");
			if ((v = str(r, "text"))) {
				add_line(&out, v);
			} else {
				snprintf(note, sizeof note,
				         "[resource %s (%s)]",
				         str(r, "uri") ? str(r, "uri") : "?",
				         str(r, "mimeType") ? str(r, "mimeType")
				                            : "binary");
				add_line(&out, note);
			}
		} else if (!strcmp(type, "resource_link")) {
			snprintf(note, sizeof note, "[resource link %s]",
			         str(b, "uri") ? str(b, "uri") : "?");
			add_line(&out, note);
		}
	}
	if (!dyn_len(&out) && sc) {
		char *j = cJSON_PrintUnformatted(sc);
		if (!j) {
			dyn_free(&out);
			return NULL;
		}
		add_line(&out, j);
		cJSON_free(j);
	}
	if (!dyn_len(&out))
		add_line(&out, "(no output)");
	return dyn_take(&out, NULL); /* NULL when out of memory */
}

static cJSON *call_json(const struct tr_call *c)
{
	cJSON *o = cJSON_CreateObject(), *args = cJSON_Parse(c->arguments);

	if (!o || !cJSON_AddStringToObject(o, "id", c->id) ||
	    !cJSON_AddStringToObject(o, "name", c->name)) {
		cJSON_Delete(o);
		cJSON_Delete(args);
		return NULL;
	}
	if (args)
		cJSON_AddItemToObject(o, "arguments", args);
	else
		cJSON_AddStringToObject(o, "arguments", c->arguments);
	return o;
}

static cJSON *msg_json(const struct tr_msg *m)
{
	cJSON *o = cJSON_CreateObject(), *arr, *x;
	static const char *const roles[] = {"user", "assistant", "tool"};

	if (!o || !cJSON_AddStringToObject(o, "role", roles[m->role]))
		goto fail;
	if (m->role == TR_USER) {
		if (!cJSON_AddStringToObject(o, "content",
		                             m->text ? m->text : ""))
			goto fail;
		return o;
	}
	if (m->role == TR_ASSISTANT) {
		if ((m->backend &&
		     !cJSON_AddStringToObject(o, "backend", m->backend)) ||
		    (m->model &&
		     !cJSON_AddStringToObject(o, "model", m->model)) ||
		    (m->text && !cJSON_AddStringToObject(o, "text", m->text)))
			goto fail;
		if (m->ncalls) {
			if (!(arr = cJSON_AddArrayToObject(o, "tool_calls")))
				goto fail;
			for (size_t i = 0; i < m->ncalls; i++) {
				if (!(x = call_json(&m->calls[i])))
					goto fail;
				cJSON_AddItemToArray(arr, x);
			}
		}
		if ((m->stop && !cJSON_AddStringToObject(o, "stop", m->stop)) ||
		    !(x = cJSON_AddObjectToObject(o, "usage")) ||
		    !cJSON_AddNumberToObject(x, "input_tokens",
		                             (double)m->usage.input_tokens) ||
		    !cJSON_AddNumberToObject(x, "output_tokens",
		                             (double)m->usage.output_tokens))
			goto fail;
		return o;
	}
	if (!(arr = cJSON_AddArrayToObject(o, "results")))
		goto fail;
	for (size_t i = 0; i < m->nresults; i++) {
		const struct tr_result *r = &m->results[i];
		if (!(x = cJSON_CreateObject()))
			goto fail;
		cJSON_AddItemToArray(arr, x);
		if (!cJSON_AddStringToObject(x, "id", r->call_id) ||
		    !cJSON_AddStringToObject(x, "name", r->name) ||
		    (r->tool && !cJSON_AddStringToObject(x, "tool", r->tool)) ||
		    !cJSON_AddBoolToObject(x, "is_error", r->is_error))
			goto fail;
		if (r->result)
			cJSON_AddItemToObject(x, "result",
			                      cJSON_Duplicate(r->result, 1));
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

cJSON *transcript_to_json(const struct transcript *t)
{
	cJSON *arr = cJSON_CreateArray();

	if (!arr)
		return NULL;
	if (t->system) {
		cJSON *s = cJSON_CreateObject();
		if (!s || !cJSON_AddStringToObject(s, "role", "system") ||
		    !cJSON_AddStringToObject(s, "content", t->system)) {
			cJSON_Delete(s);
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, s);
	}
	for (size_t i = 0; i < t->nmsgs; i++) {
		cJSON *m = msg_json(&t->msgs[i]);
		if (!m) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, m);
	}
	return arr;
}
