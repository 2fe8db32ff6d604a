/*
 * agent_ask.c - the agent's answers to skills' questions. See agent_ask.h.
 */
#include "agent_ask.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "transcript.h"

/* How often a wait for the terminal looks at the call's cancel flag. */
#define ASK_POLL_MS 100

/* Read one line from fd into buf (without the newline), a byte at a time
 * so nothing after it is consumed. 1: a line; 0: end of input; -1: the
 * deadline or cancellation (*st says which). */
static int read_line(int fd, struct skill_call *c, char *buf, size_t cap,
                     skill_status *st)
{
	size_t n = 0;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char ch;
		ssize_t k;
		if (c && call_is_cancelled(c)) {
			*st = call_remaining_ms(c) == 0 ? SKILL_ERR_TIMEOUT
			                                : SKILL_ERR_CANCELLED;
			return -1;
		}
		if (poll(&p, 1, ASK_POLL_MS) <= 0)
			continue;
		k = read(fd, &ch, 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			/* End of input: a last line without its newline is
			 * still a line, terminated like any other. */
			buf[n] = '\0';
			return n ? 1 : 0;
		}
		if (ch == '\n') {
			buf[n] = '\0';
			if (n && buf[n - 1] == '\r')
				buf[n - 1] = '\0';
			return 1;
		}
		if (n + 1 < cap)
			buf[n++] = ch;
	}
}

/* The option of a choice (the field, or a multiple choice's "items") that
 * tok names, by value or by title (case-insensitive); NULL if none. */
static const char *option(const cJSON *s, const char *tok)
{
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(s, "enumNames");
	const cJSON *o, *list;
	int i = 0;

	cJSON_ArrayForEach(o, en)
	{
		const cJSON *t = cJSON_GetArrayItem(names, i++);
		if (cJSON_IsString(o) &&
		    (!strcmp(o->valuestring, tok) ||
		     (cJSON_IsString(t) && !strcasecmp(t->valuestring, tok))))
			return o->valuestring;
	}
	list = cJSON_GetObjectItemCaseSensitive(s, "oneOf");
	if (!list)
		list = cJSON_GetObjectItemCaseSensitive(s, "anyOf");
	cJSON_ArrayForEach(o, list)
	{
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "const");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "title");
		if (cJSON_IsString(k) &&
		    (!strcmp(k->valuestring, tok) ||
		     (cJSON_IsString(t) && !strcasecmp(t->valuestring, tok))))
			return k->valuestring;
	}
	return NULL;
}

static int is_choice(const cJSON *s)
{
	return cJSON_HasObjectItem(s, "enum") ||
	       cJSON_HasObjectItem(s, "oneOf") ||
	       cJSON_HasObjectItem(s, "anyOf");
}

/* Show a choice's options, "value (Title)" each. */
static void show_options(FILE *out, const cJSON *s)
{
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(s, "enumNames");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(s, "oneOf");
	const cJSON *o, *opts;
	const char *sep = "";
	int i = 0;

	if (!list)
		list = cJSON_GetObjectItemCaseSensitive(s, "anyOf");
	opts = en ? en : list;
	fputs(" [", out);
	cJSON_ArrayForEach(o, opts)
	{
		const cJSON *k =
		        en ? o : cJSON_GetObjectItemCaseSensitive(o, "const");
		const cJSON *t =
		        en ? cJSON_GetArrayItem(names, i++)
		           : cJSON_GetObjectItemCaseSensitive(o, "title");
		fprintf(out, "%s%s", sep,
		        cJSON_IsString(k) ? k->valuestring : "?");
		if (cJSON_IsString(t))
			fprintf(out, " (%s)", t->valuestring);
		sep = ", ";
	}
	fputs("]", out);
}

/* The answer to one field, typed by its schema; NULL to ask again. A
 * multiple choice is typed as a comma-separated list. */
static cJSON *typed(const cJSON *prop, const char *line)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(prop, "type");
	const char *type = cJSON_IsString(t) ? t->valuestring : "string";
	char *end;

	if (!strcmp(type, "array")) {
		const cJSON *items =
		        cJSON_GetObjectItemCaseSensitive(prop, "items");
		cJSON *arr = cJSON_CreateArray();
		char tok[AGENT_ASK_LINE_MAX];
		const char *p = line;
		/* p: the rest of the line; NULL after its last item. */
		while (arr && p && *p) {
			const char *comma = strchr(p, ',');
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			size_t a = 0, b = n;
			const char *v;
			while (a < b && (p[a] == ' ' || p[a] == '\t'))
				a++;
			while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
				b--;
			memcpy(tok, p + a, b - a);
			tok[b - a] = '\0';
			p = comma ? comma + 1 : NULL;
			if (!tok[0])
				continue;
			v = option(items, tok);
			if (!v) {
				cJSON_Delete(arr);
				return NULL;
			}
			cJSON_AddItemToArray(arr, cJSON_CreateString(v));
		}
		return arr;
	}
	if (!strcmp(type, "boolean")) {
		if (!strcasecmp(line, "y") || !strcasecmp(line, "yes") ||
		    !strcasecmp(line, "true"))
			return cJSON_CreateTrue();
		if (!strcasecmp(line, "n") || !strcasecmp(line, "no") ||
		    !strcasecmp(line, "false"))
			return cJSON_CreateFalse();
		return NULL;
	}
	if (!strcmp(type, "integer") || !strcmp(type, "number")) {
		double v = strtod(line, &end);
		if (!*line || *end ||
		    (!strcmp(type, "integer") && v != (double)(long long)v))
			return NULL;
		return cJSON_CreateNumber(v);
	}
	if (is_choice(prop)) {
		const char *v = option(prop, line);
		return v ? cJSON_CreateString(v) : NULL;
	}
	return cJSON_CreateString(line);
}

static int required(const cJSON *schema, const char *name)
{
	const cJSON *r;

	cJSON_ArrayForEach(
	        r, cJSON_GetObjectItemCaseSensitive(
	                   schema, "required")) if (cJSON_IsString(r) &&
	                                            !strcmp(r->valuestring,
	                                                    name)) return 1;
	return 0;
}

skill_status agent_ask_terminal(int in_fd, FILE *out, struct skill_call *c,
                                const cJSON *params, cJSON **result, char *why,
                                size_t cap)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(params, "message");
	const cJSON *schema =
	        cJSON_GetObjectItemCaseSensitive(params, "requestedSchema");
	const cJSON *prop;
	char line[AGENT_ASK_LINE_MAX];
	cJSON *res, *content;
	skill_status st = SKILL_OK;
	int r;

	*result = NULL;
	if (!isatty(in_fd)) {
		snprintf(why, cap,
		         "a skill asked the user a question, but skillhost "
		         "agent's input is not a terminal, so nobody can "
		         "answer; "
		         "run it on a terminal");
		return SKILL_ERR_UNSUPPORTED;
	}
	fprintf(out, "\n[skill question] %s\nAnswer? [y]es / [n]o / [c]ancel: ",
	        cJSON_IsString(msg) ? msg->valuestring : "(no message)");
	fflush(out);
	r = read_line(in_fd, c, line, sizeof line, &st);
	if (r < 0)
		goto ended;
	res = cJSON_CreateObject();
	if (!res)
		return SKILL_ERR_NOMEM;
	*result = res;
	if (r == 0 || !strcasecmp(line, "c") || !strcasecmp(line, "cancel")) {
		cJSON_AddStringToObject(res, "action", "cancel");
		return SKILL_OK;
	}
	if (strcasecmp(line, "y") && strcasecmp(line, "yes")) {
		cJSON_AddStringToObject(res, "action", "decline");
		return SKILL_OK;
	}
	cJSON_AddStringToObject(res, "action", "accept");
	content = cJSON_AddObjectToObject(res, "content");
	cJSON_ArrayForEach(
	        prop, cJSON_GetObjectItemCaseSensitive(schema, "properties"))
	{
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(prop, "type");
		const cJSON *d =
		        cJSON_GetObjectItemCaseSensitive(prop, "description");
		const cJSON *def =
		        cJSON_GetObjectItemCaseSensitive(prop, "default");
		const cJSON *items =
		        cJSON_GetObjectItemCaseSensitive(prop, "items");
		int req = required(schema, prop->string);
		cJSON *v = NULL;
		for (int tries = 0; !v; tries++) {
			fprintf(out, "  %s (%s%s)%s%s", prop->string,
			        cJSON_IsString(t) ? t->valuestring : "string",
			        req ? ", required" : "",
			        cJSON_IsString(d) ? " - " : "",
			        cJSON_IsString(d) ? d->valuestring : "");
			if (is_choice(prop) || is_choice(items))
				show_options(out,
				             is_choice(prop) ? prop : items);
			if (def) {
				char *dt = cJSON_PrintUnformatted(def);
				fprintf(out, " (Enter: %s)",
				        dt ? dt : "default");
				free(dt);
			}
			fputs(is_choice(items) ? " (comma-separated): " : ": ",
			      out);
			fflush(out);
			r = read_line(in_fd, c, line, sizeof line, &st);
			if (r < 0) {
				cJSON_Delete(res);
				*result = NULL;
				goto ended;
			}
			if (r == 0) { /* end of input: the user walked away */
				cJSON_DeleteItemFromObject(res, "content");
				cJSON_ReplaceItemInObject(
				        res, "action",
				        cJSON_CreateString("cancel"));
				return SKILL_OK;
			}
			/* The skill's default (SEP-1034) is what an empty
			 * answer means, as a form client pre-fills it. */
			if (!line[0] && def) {
				v = cJSON_Duplicate(def, 1);
				break;
			}
			if (!line[0] && !req)
				break;
			v = typed(prop, line);
			if (!v && tries < 3)
				fprintf(out, "  (not a valid %s; try again)\n",
				        is_choice(prop) || is_choice(items)
				                ? "choice"
				        : cJSON_IsString(t) ? t->valuestring
				                            : "string");
			else if (!v) {
				cJSON_DeleteItemFromObject(res, "content");
				cJSON_ReplaceItemInObject(
				        res, "action",
				        cJSON_CreateString("cancel"));
				return SKILL_OK;
			}
		}
		if (v)
			cJSON_AddItemToObject(content, prop->string, v);
	}
	return SKILL_OK;
ended:
	fprintf(out, "\n[skill question] %s\n",
	        st == SKILL_ERR_TIMEOUT ? "no answer before the call's deadline"
	                                : "the call was cancelled");
	snprintf(why, cap, "%s while waiting for the user's answer",
	         st == SKILL_ERR_TIMEOUT ? "the call's deadline passed"
	                                 : "the call was cancelled");
	return st;
}

skill_status agent_ask_backend(struct backend *b,
                               const struct backend_http_opts *http,
                               const cJSON *params, cJSON **result, char *why,
                               size_t cap)
{
	const cJSON *sys =
	        cJSON_GetObjectItemCaseSensitive(params, "systemPrompt");
	const cJSON *m;
	struct transcript tr;
	struct tr_msg reply = {0};
	struct sh_error e;
	cJSON *res, *content;

	*result = NULL;
	transcript_init(&tr);
	if (cJSON_IsString(sys) &&
	    transcript_set_system(&tr, sys->valuestring, &e) != SH_OK)
		goto fail;
	cJSON_ArrayForEach(m,
	                   cJSON_GetObjectItemCaseSensitive(params, "messages"))
	{
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetObjectItemCaseSensitive(m, "content"), "text");
		if (!cJSON_IsString(role) || !cJSON_IsString(text)) {
			transcript_free(&tr);
			snprintf(why, cap,
			         "the agent samples text messages only");
			return SKILL_ERR_ARGS;
		}
		if (!strcmp(role->valuestring, "user")) {
			if (transcript_add_user(&tr, text->valuestring, &e) !=
			    SH_OK)
				goto fail;
		} else {
			struct tr_msg a = {.role = TR_ASSISTANT};
			if (tr_msg_append_text(&a, text->valuestring, &e) !=
			            SH_OK ||
			    transcript_push(&tr, &a, &e) != SH_OK)
				goto fail;
		}
	}
	if (backend_step(b, &tr, NULL, http, &reply, &e) != SH_OK)
		goto fail;
	transcript_free(&tr);
	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "role", "assistant");
	content = cJSON_AddObjectToObject(res, "content");
	cJSON_AddStringToObject(content, "type", "text");
	cJSON_AddStringToObject(content, "text", reply.text ? reply.text : "");
	cJSON_AddStringToObject(res, "model",
	                        reply.model ? reply.model : backend_model(b));
	cJSON_AddStringToObject(res, "stopReason",
	                        reply.ncalls ? "toolUse" : "endTurn");
	tr_msg_free(&reply);
	if (!cJSON_GetObjectItemCaseSensitive(res, "stopReason")) {
		cJSON_Delete(res);
		return SKILL_ERR_NOMEM;
	}
	*result = res;
	return SKILL_OK;
fail:
	transcript_free(&tr);
	snprintf(why, cap, "the agent's backend could not answer: %.300s",
	         e.msg);
	return SKILL_ERR_IO;
}
