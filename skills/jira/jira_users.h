/*
 * jira_users.h - people in Jira: find_users, and turning what a model
 * knows about a person (an e-mail address, a name, "me") into the
 * accountId Jira's API wants.
 *
 * Jira Cloud identifies users only by accountId; a model usually has an
 * e-mail address or a name. Resolution searches GET /user/search and
 * accepts only an unambiguous answer: an exact e-mail or display-name
 * match, or a single result. Anything else is a tool error that lists the
 * candidates (accountId, name, e-mail where Jira shows it), so the model
 * can pick one rather than act on a guess.
 */
#ifndef JIRA_USERS_H
#define JIRA_USERS_H

#include <cjson/cJSON.h>

#include "jira_api.h"

/* Most users find_users returns, and the most asked of Jira when
 * resolving (enough to see an ambiguity). */
#define JIRA_USERS_MAX    100
#define JIRA_RESOLVE_PAGE 20

/* 1 when s has the shape of an Atlassian accountId (e.g.
 * 5b10ac8d82e05b22cc7d4ef5 or 557058:f58131cb-...): 20 or more of
 * [A-Za-z0-9:_-] with a digit, so names and e-mail addresses never pass. */
int jira_is_account_id(const char *s);

/* The authenticated user (GET /myself) into *me (caller deletes). */
skill_status jira_myself(struct jira *j, cJSON **me);

/*
 * Resolve who ("me", an accountId, an e-mail address or a name) into *user,
 * {"accountId", "displayName"?, "emailAddress"?} (caller deletes). what
 * names the argument for errors ("assignee"). An accountId is taken as
 * given (Jira checks it); the others cost one request.
 */
skill_status jira_resolve_user(struct jira *j, const char *who,
                               const char *what, cJSON **user);

skill_status jira_find_users(struct jira *j, const cJSON *args);

#endif /* JIRA_USERS_H */
