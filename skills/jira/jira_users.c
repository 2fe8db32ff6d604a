/*
 * jira_users.c - find_users and user resolution. See jira_users.h.
 */
#include "jira_users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "restcall.h"

int jira_is_account_id(const char *s)
{
	size_t n = 0;
	int digit = 0;

	for (; s[n]; n++) {
		char c = s[n];
		if (c >= '0' && c <= '9')
			digit = 1;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           c == ':' || c == '-' || c == '_'))
			return 0;
	}
	return n >= 20 && n <= 128 && digit;
}

skill_status jira_myself(struct jira *j, cJSON **me)
{
	skill_status st =
	        jira_get_json(j, "GET", JIRA_API "/myself", NULL,
	                      "looking up the authenticated user", NULL, me);

	if (st == SKILL_OK &&
	    !cJSON_GetStringValue(
	            cJSON_GetObjectItemCaseSensitive(*me, "accountId"))) {
		cJSON_Delete(*me);
		*me = NULL;
		return jira_fail(
		        j, SKILL_ERR_TOOL,
		        "Jira's /myself answer has no accountId; the "
		        "credentials may belong to an app rather than a "
		        "user, so give an accountId instead of \"me\"");
	}
	return st;
}

/* GET /user/search?query=q&maxResults=max: the array of users. */
static skill_status search(struct jira *j, const char *q, int start, int max,
                           cJSON **out)
{
	struct sbuf path;
	skill_status st;

	sb_init(&path, 0);
	sb_puts(&path, JIRA_API "/user/search?query=");
	sb_put_pct(&path, q);
	sb_printf(&path, "&startAt=%d&maxResults=%d", start, max);
	if (sb_failed(&path)) {
		sb_free(&path);
		return jira_fail(j, SKILL_ERR_NOMEM, "out of memory");
	}
	st = jira_get_json(j, "GET", sb_str(&path), NULL, "searching for users",
	                   "The account needs the global \"Browse users and "
	                   "groups\" permission to look people up.",
	                   out);
	sb_free(&path);
	if (st == SKILL_OK && !cJSON_IsArray(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		return jira_fail(
		        j, SKILL_ERR_TOOL,
		        "Jira's user search did not answer a list "
		        "of users; is the base URL a Jira Cloud site?");
	}
	return st;
}

/* The compact view of a user bean; NULL when out of memory. */
static cJSON *user_view(const cJSON *u)
{
	cJSON *v = cJSON_CreateObject();
	const cJSON *active = cJSON_GetObjectItemCaseSensitive(u, "active");

	if (!v || !rc_add_str(v, "accountId", rc_str(u, "accountId")) ||
	    !rc_add_str(v, "displayName", rc_str(u, "displayName")) ||
	    !rc_add_str(v, "emailAddress", rc_str(u, "emailAddress")) ||
	    !rc_add_str(v, "accountType", rc_str(u, "accountType")) ||
	    (cJSON_IsBool(active) &&
	     !cJSON_AddBoolToObject(v, "active", cJSON_IsTrue(active)))) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

static int is_active(const cJSON *u)
{
	return !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(u, "active"));
}

skill_status jira_resolve_user(struct jira *j, const char *who,
                               const char *what, cJSON **user)
{
	cJSON *list = NULL;
	const cJSON *it, *hit = NULL;
	int exact = 0, active = 0, email = strchr(who, '@') != NULL;
	skill_status st;
	struct sbuf msg;

	*user = NULL;
	if (!strcmp(who, "me")) {
		cJSON *me = NULL;
		if ((st = jira_myself(j, &me)) != SKILL_OK)
			return st;
		*user = user_view(me);
		cJSON_Delete(me);
		return *user ? SKILL_OK
		             : jira_fail(j, SKILL_ERR_NOMEM, "out of memory");
	}
	if (jira_is_account_id(who)) {
		*user = cJSON_CreateObject();
		if (!*user ||
		    !cJSON_AddStringToObject(*user, "accountId", who)) {
			cJSON_Delete(*user);
			*user = NULL;
			return jira_fail(j, SKILL_ERR_NOMEM, "out of memory");
		}
		return SKILL_OK;
	}
	if ((st = search(j, who, 0, JIRA_RESOLVE_PAGE, &list)) != SKILL_OK)
		return st;
	/* An exact e-mail or name wins over partial matches ("Bob" among
	 * "Bob" and "Bobby"); inactive users only when nothing else fits. */
	cJSON_ArrayForEach(it, list)
	{
		const char *k =
		        rc_str(it, email ? "emailAddress" : "displayName");
		if (k && !strcasecmp(k, who) && is_active(it)) {
			exact++;
			hit = it;
		}
	}
	if (!exact) {
		cJSON_ArrayForEach(it, list) if (is_active(it))
		{
			active++;
			hit = it;
		}
		if (active != 1)
			hit = NULL;
	} else if (exact > 1) {
		hit = NULL;
	}
	if (hit) {
		*user = user_view(hit);
		cJSON_Delete(list);
		return *user ? SKILL_OK
		             : jira_fail(j, SKILL_ERR_NOMEM, "out of memory");
	}
	sb_init(&msg, 0);
	if (!cJSON_GetArraySize(list)) {
		sb_printf(&msg,
		          "%s: no Jira user matches \"%s\". Check the "
		          "spelling, or use find_users with part of the name; "
		          "%s",
		          what, who,
		          email ? "Jira hides e-mail addresses that their "
		                  "owners keep private, so search by name "
		                  "instead."
		                : "or give the accountId.");
	} else {
		int n = 0;
		sb_printf(&msg,
		          "%s: \"%s\" is ambiguous (%d %s match); nothing "
		          "was changed. Give one accountId: ",
		          what, who, exact ? exact : cJSON_GetArraySize(list),
		          exact ? "exact" : "users");
		cJSON_ArrayForEach(it, list)
		{
			const char *e = rc_str(it, "emailAddress");
			if (exact &&
			    !(rc_str(it,
			             email ? "emailAddress" : "displayName") &&
			      !strcasecmp(rc_str(it, email ? "emailAddress"
			                                   : "displayName"),
			                  who)))
				continue;
			if (n++ >= 10) {
				sb_puts(&msg, "; ...");
				break;
			}
			sb_printf(&msg, "%s%s (%s%s%s%s)", n > 1 ? "; " : "",
			          rc_str(it, "accountId")
			                  ? rc_str(it, "accountId")
			                  : "?",
			          rc_str(it, "displayName")
			                  ? rc_str(it, "displayName")
			                  : "no name",
			          e ? ", " : "", e ? e : "",
			          is_active(it) ? "" : ", inactive");
		}
	}
	cJSON_Delete(list);
	return rc_fail_buf(j->host, j->call, SKILL_ERR_TOOL, &msg);
}

skill_status jira_find_users(struct jira *j, const cJSON *args)
{
	const char *q = rc_str(args, "query");
	int max = rc_int(args, "max_results", 20);
	cJSON *list = NULL, *out = cJSON_CreateObject(), *users;
	const cJSON *it;
	skill_status st;

	if (max > JIRA_USERS_MAX)
		max = JIRA_USERS_MAX;
	users = out ? cJSON_AddArrayToObject(out, "users") : NULL;
	if (!users) {
		cJSON_Delete(out);
		return jira_fail(j, SKILL_ERR_NOMEM, "out of memory");
	}
	if ((st = search(j, q, 0, max, &list)) != SKILL_OK) {
		cJSON_Delete(out);
		return st;
	}
	cJSON_ArrayForEach(it, list)
	{
		cJSON *v = user_view(it);
		if (!v || !cJSON_AddItemToArray(users, v)) {
			cJSON_Delete(v);
			cJSON_Delete(list);
			cJSON_Delete(out);
			return jira_fail(j, SKILL_ERR_NOMEM, "out of memory");
		}
	}
	cJSON_Delete(list);
	if (!cJSON_AddNumberToObject(out, "count", cJSON_GetArraySize(users))) {
		cJSON_Delete(out);
		return jira_fail(j, SKILL_ERR_NOMEM, "out of memory");
	}
	return jira_result(j, out);
}
