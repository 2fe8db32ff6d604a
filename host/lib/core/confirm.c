/*
 * confirm.c - the confirm-destructive policy. See confirm.h.
 */
#include "confirm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "catalog.h"
#include "config.h"
#include "skilldesc.h"

/* Arguments shown in the question, at most: the user must be able to read
 * what they approve, and a form is not a document viewer. */
#define CONFIRM_ARGS_SHOWN 600

int confirm_is_destructive(const struct tool *t)
{
	skill_hint d = t->desc->hints[HINT_DESTRUCTIVE];

	if (d == SKILL_HINT_UNSET)
		return t->desc->hints[HINT_READ_ONLY] != SKILL_HINT_YES;
	return d == SKILL_HINT_YES;
}

int confirm_destructive(const struct config *cfg, const struct tool *t,
                        const cJSON *args, const struct call_sinks *sinks,
                        atomic_int *cancel, int64_t timeout_ms, char *why,
                        size_t cap)
{
	const char *skill = t->skill->desc->name;
	char msg[CONFIRM_ARGS_SHOWN + 400], ask_why[400] = "";
	char *shown;
	cJSON *params, *result = NULL, *schema;
	struct skill_call c;
	skill_status st;
	const cJSON *action, *yes;
	int ok;

	/* The hint first: it costs nothing, and most calls stop here. */
	if (!confirm_is_destructive(t) ||
	    !config_confirm_destructive(cfg, skill))
		return 1;
	if (!sinks || !sinks->request) {
		snprintf(why, cap,
		         "%s is destructive and the host policy "
		         "confirm-destructive is on, but nobody can be asked "
		         "here; run it where a user can confirm (an MCP client "
		         "with elicitation, or skillhost agent on a terminal), "
		         "or turn the policy off: skillhost config %s "
		         "confirm-destructive off",
		         t->canonical, skill);
		return 0;
	}
	shown = args ? cJSON_PrintUnformatted(args) : NULL;
	snprintf(msg, sizeof msg,
	         "Allow %s to run? It is marked destructive (it may delete or "
	         "overwrite data). Arguments: %.*s%s",
	         t->canonical, CONFIRM_ARGS_SHOWN, shown ? shown : "{}",
	         shown && strlen(shown) > CONFIRM_ARGS_SHOWN ? "..." : "");
	free(shown);
	params = cJSON_CreateObject();
	schema =
	        cJSON_Parse("{\"type\":\"object\",\"properties\":{"
	                    "\"confirm\":{\"type\":\"boolean\",\"title\":"
	                    "\"Run it\",\"description\":\"Yes, run this "
	                    "destructive tool\"}},\"required\":[\"confirm\"]}");
	if (!params || !schema ||
	    !cJSON_AddStringToObject(params, "message", msg)) {
		cJSON_Delete(params);
		cJSON_Delete(schema);
		snprintf(why, cap, "out of memory asking to confirm %s",
		         t->canonical);
		return 0;
	}
	cJSON_AddItemToObject(params, "requestedSchema", schema);
	/* A stand-in call: the question has the call's deadline and
	 * cancellation, before the call itself starts. */
	call_init(&c, skill, t->canonical, NULL);
	c.cancel = cancel;
	c.deadline_ns = call_now_ns() + timeout_ms * 1000000;
	st = sinks->request(sinks->ud, &c, "elicitation/create", params,
	                    &result, ask_why, sizeof ask_why);
	call_finish(&c, NULL);
	if (st != SKILL_OK) {
		snprintf(why, cap,
		         "%s is destructive and the host policy "
		         "confirm-destructive is on, but the user could not be "
		         "asked: %s%s%s%s",
		         t->canonical, ask_why[0] ? ask_why : "no answer",
		         st == SKILL_ERR_UNSUPPORTED
		                 ? "; use a client that supports elicitation, "
		                   "or turn the policy off with skillhost "
		                   "config "
		                 : "",
		         st == SKILL_ERR_UNSUPPORTED ? skill : "",
		         st == SKILL_ERR_UNSUPPORTED
		                 ? " confirm-destructive off"
		                 : "");
		cJSON_Delete(result);
		return 0;
	}
	action = cJSON_GetObjectItemCaseSensitive(result, "action");
	yes = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(result, "content"), "confirm");
	ok = cJSON_IsString(action) && !strcmp(action->valuestring, "accept") &&
	     cJSON_IsTrue(yes);
	if (!ok)
		snprintf(why, cap,
		         "the user did not confirm %s (%s), so it did not run",
		         t->canonical,
		         !cJSON_IsString(action) ? "no answer"
		         : strcmp(action->valuestring, "accept")
		                 ? action->valuestring
		                 : "confirm was not true");
	cJSON_Delete(result);
	return ok;
}
