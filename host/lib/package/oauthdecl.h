/*
 * oauthdecl.h - a skill's OAuth provider, as its manifest declares it.
 *
 * A skill that talks to an OAuth-protected API declares the provider under
 * the manifest's "oauth" key, and the host (services/oauthbroker.h) logs
 * the operator in, keeps the refresh token and hands the skill only a
 * current access token, through one of its declared secrets:
 *
 *   "oauth": {
 *     "authorization_endpoint": "https://auth.atlassian.com/authorize",
 *     "token_endpoint": "https://auth.atlassian.com/oauth/token",
 *     "revocation_endpoint": "https://...",            (optional, RFC 7009)
 *     "device_authorization_endpoint": "https://...",  (optional, RFC 8628)
 *     "scopes": ["read:jira-work", "offline_access"],
 *     "client_id": "...",                (optional: the operator sets it)
 *     "client_secret": "JIRA_CLIENT_SECRET",  (optional: a declared secret)
 *     "access_token": "JIRA_BEARER_TOKEN",    (a declared secret)
 *     "token_fields": {"SALESFORCE_INSTANCE_URL": "instance_url"},
 *     "authorize_params": {"audience": "api.atlassian.com"},
 *     "jwt_bearer": {"audience": "https://login.salesforce.com"}
 *   }
 *
 * Endpoints are https (plain http only on loopback, for tests and local
 * providers). The secrets named must be declared in permissions.secrets:
 * the skill reads the access token (and the token fields) through
 * skill.secrets/1, and the operator stores the client secret with `secret
 * set`. The operator overrides the endpoints, client id and scopes for a
 * self-hosted provider with policy keys (`skillhost config SKILL
 * oauth-token-endpoint URL`, ... see oauthdecl_apply_policy).
 */
#ifndef SH_OAUTHDECL_H
#define SH_OAUTHDECL_H

#include <cjson/cJSON.h>

#include "status.h"

#define OAUTHDECL_URL_MAX 2048

struct oauth_decl {
	char *authorization_endpoint; /* NULL: no browser flow */
	char *token_endpoint;
	char *revocation_endpoint;           /* or NULL */
	char *device_authorization_endpoint; /* or NULL */
	char *scope;                         /* space-separated, or NULL */
	char *client_id;                     /* or NULL until configured */
	char *client_secret;                 /* a secret NAME, or NULL */
	char *access_token;                  /* the secret NAME it serves */
	cJSON *token_fields;     /* {"SECRET": "response member"}, or NULL */
	cJSON *authorize_params; /* {"name": "value"}, or NULL */
	char *jwt_audience;      /* jwt_bearer.audience, or NULL */
};

/*
 * Parse and check root's "oauth" member (root is a whole manifest;
 * declared is its permissions.secrets array, may be NULL). *out is NULL
 * when the manifest declares no provider, else the caller's
 * (oauthdecl_free). Errors are SH_ERR_INVALID, naming origin and the key.
 */
sh_status oauthdecl_parse(const cJSON *root, const cJSON *declared,
                          const char *origin, struct oauth_decl **out,
                          struct sh_error *e);

/*
 * Apply the operator's overrides: get(ctx, key) returns the policy value
 * of key or NULL, for the keys oauth-authorization-endpoint,
 * oauth-token-endpoint, oauth-revocation-endpoint,
 * oauth-device-endpoint, oauth-client-id, oauth-scopes and
 * oauth-jwt-audience (a sandbox's https://test.salesforce.com). Overridden
 * URLs are checked as in the manifest; SH_ERR_USAGE names the key.
 */
sh_status oauthdecl_apply_policy(struct oauth_decl *d,
                                 const char *(*get)(void *ctx, const char *key),
                                 void *ctx, struct sh_error *e);

/* 1 when url is https, or http to a loopback address (127.0.0.1, [::1],
 * localhost), with a host part. */
int oauthdecl_url_ok(const char *url);

void oauthdecl_free(struct oauth_decl *d);

#endif /* SH_OAUTHDECL_H */
