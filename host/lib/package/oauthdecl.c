/*
 * oauthdecl.c - the manifest's "oauth" declaration. See oauthdecl.h.
 */
#include "oauthdecl.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int oauthdecl_url_ok(const char *url)
{
	const char *h, *end;
	size_t n;

	if (!url || strlen(url) > OAUTHDECL_URL_MAX ||
	    strpbrk(url, " \t\r\n\"<>\\^`{|}"))
		return 0;
	if (!strncmp(url, "https://", 8))
		return url[8] && url[8] != '/' && url[8] != ':';
	if (strncmp(url, "http://", 7))
		return 0;
	/* Plain http only where nobody can listen in: the loopback. A name
	 * that merely starts like one (127.0.0.1.evil.example) is not. */
	h = url + 7;
	end = h + strcspn(h, "/?#");
	n = (size_t)(end - h);
	if (n >= 10 && !strncmp(h, "127.0.0.1", 9) && h[9] == ':')
		return 1;
	if ((n == 9 && !strncmp(h, "127.0.0.1", 9)) ||
	    (n >= 5 && !strncmp(h, "[::1]", 5) && (n == 5 || h[5] == ':')))
		return 1;
	return (n == 9 && !strncasecmp(h, "localhost", 9)) ||
	       (n > 10 && !strncasecmp(h, "localhost:", 10));
}

void oauthdecl_free(struct oauth_decl *d)
{
	if (!d)
		return;
	free(d->authorization_endpoint);
	free(d->token_endpoint);
	free(d->revocation_endpoint);
	free(d->device_authorization_endpoint);
	free(d->scope);
	free(d->client_id);
	free(d->client_secret);
	free(d->access_token);
	cJSON_Delete(d->token_fields);
	cJSON_Delete(d->authorize_params);
	free(d->jwt_audience);
	free(d);
}

struct pctx {
	const char *origin;
	const cJSON *declared;
	struct sh_error *e;
};

static sh_status bad(struct pctx *c, const char *key, const char *why)
{
	return sh_error_set(c->e, SH_ERR_INVALID, "%s: \"oauth.%s\" %s",
	                    c->origin, key, why);
}

static int is_declared(const cJSON *declared, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(
	        it, declared) if (cJSON_IsString(it) &&
	                          !strcmp(it->valuestring, name)) return 1;
	return 0;
}

/* A string member: kind 'u' an endpoint URL, 's' a declared secret name,
 * anything else free text of at most 512 bytes. */
static sh_status member(struct pctx *c, const cJSON *o, const char *key,
                        int required, char kind, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NULL;
	if (!v)
		return required ? bad(c, key, "is missing") : SH_OK;
	if (!cJSON_IsString(v) || !*v->valuestring)
		return bad(c, key, "must be a non-empty string");
	if (kind == 'u' && !oauthdecl_url_ok(v->valuestring))
		return bad(c, key,
		           "must be an https:// URL (plain http only to "
		           "127.0.0.1, [::1] or localhost)");
	if (kind == 's' && !is_declared(c->declared, v->valuestring))
		return sh_error_set(c->e, SH_ERR_INVALID,
		                    "%s: \"oauth.%s\" names %s, which "
		                    "permissions.secrets does not declare; add "
		                    "it there",
		                    c->origin, key, v->valuestring);
	if (kind != 'u' && kind != 's' && strlen(v->valuestring) > 512)
		return bad(c, key, "is longer than 512 bytes");
	*out = strdup(v->valuestring);
	return *out ? SH_OK : sh_error_set(c->e, SH_ERR_NOMEM, "out of memory");
}

/* An object of strings; secrets_keys: its keys are declared secrets. */
static sh_status string_map(struct pctx *c, const cJSON *o, const char *key,
                            int secret_keys, cJSON **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key), *it;

	*out = NULL;
	if (!v)
		return SH_OK;
	if (!cJSON_IsObject(v))
		return bad(c, key, "must be an object of strings");
	cJSON_ArrayForEach(it, v)
	{
		if (!cJSON_IsString(it) || strlen(it->valuestring) > 512)
			return bad(c, key,
			           "must map names to strings of at most 512 "
			           "bytes");
		if (secret_keys && !is_declared(c->declared, it->string))
			return sh_error_set(
			        c->e, SH_ERR_INVALID,
			        "%s: \"oauth.%s\" names %s, which "
			        "permissions.secrets does not declare; add it "
			        "there",
			        c->origin, key, it->string);
	}
	*out = cJSON_Duplicate(v, 1);
	return *out ? SH_OK : sh_error_set(c->e, SH_ERR_NOMEM, "out of memory");
}

static sh_status scopes(struct pctx *c, const cJSON *o, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "scopes"), *it;
	size_t len = 1;

	*out = NULL;
	if (!v)
		return SH_OK;
	if (!cJSON_IsArray(v))
		return bad(c, "scopes", "must be an array of scope names");
	cJSON_ArrayForEach(it, v)
	{
		/* RFC 6749 3.3: printable ASCII but space, '"' and '\'. */
		const char *s = cJSON_IsString(it) ? it->valuestring : NULL;
		if (!s || !*s || strlen(s) > 256)
			return bad(c, "scopes",
			           "must hold non-empty strings of at most "
			           "256 bytes");
		for (const char *p = s; *p; p++)
			if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
				return bad(
				        c, "scopes",
				        "holds a scope with a space, a quote "
				        "or a character outside ASCII");
		len += strlen(s) + 1;
	}
	if (!(*out = calloc(1, len)))
		return sh_error_set(c->e, SH_ERR_NOMEM, "out of memory");
	len = 0;
	cJSON_ArrayForEach(it, v)
	{
		size_t n = strlen(it->valuestring);
		if (len)
			(*out)[len++] = ' ';
		memcpy(*out + len, it->valuestring, n);
		len += n;
	}
	return SH_OK;
}

static const char *const known[] = {"authorization_endpoint",
                                    "token_endpoint",
                                    "revocation_endpoint",
                                    "device_authorization_endpoint",
                                    "scopes",
                                    "client_id",
                                    "client_secret",
                                    "access_token",
                                    "token_fields",
                                    "authorize_params",
                                    "jwt_bearer",
                                    NULL};

sh_status oauthdecl_parse(const cJSON *root, const cJSON *declared,
                          const char *origin, struct oauth_decl **out,
                          struct sh_error *e)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "oauth"), *k;
	const cJSON *jwt;
	struct pctx c = {origin, declared, e};
	struct oauth_decl *d;
	sh_status rc;

	*out = NULL;
	if (!o)
		return SH_OK;
	if (!cJSON_IsObject(o))
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s: \"oauth\" must be an object naming the "
		        "provider's endpoints (see sdk/MANIFEST.md)",
		        origin);
	cJSON_ArrayForEach(k, o)
	{
		const char *const *p = known;
		while (*p && strcmp(*p, k->string))
			p++;
		if (!*p)
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s: unknown key \"oauth.%s\" (known: "
			        "authorization_endpoint, token_endpoint, "
			        "revocation_endpoint, "
			        "device_authorization_endpoint, scopes, "
			        "client_id, client_secret, access_token, "
			        "token_fields, authorize_params, jwt_bearer)",
			        origin, k->string);
	}
	if (!(d = calloc(1, sizeof *d)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	jwt = cJSON_GetObjectItemCaseSensitive(o, "jwt_bearer");
	if ((rc = member(&c, o, "authorization_endpoint", 0, 'u',
	                 &d->authorization_endpoint)) ||
	    (rc = member(&c, o, "token_endpoint", 1, 'u',
	                 &d->token_endpoint)) ||
	    (rc = member(&c, o, "revocation_endpoint", 0, 'u',
	                 &d->revocation_endpoint)) ||
	    (rc = member(&c, o, "device_authorization_endpoint", 0, 'u',
	                 &d->device_authorization_endpoint)) ||
	    (rc = scopes(&c, o, &d->scope)) ||
	    (rc = member(&c, o, "client_id", 0, 't', &d->client_id)) ||
	    (rc = member(&c, o, "client_secret", 0, 's', &d->client_secret)) ||
	    (rc = member(&c, o, "access_token", 1, 's', &d->access_token)) ||
	    (rc = string_map(&c, o, "token_fields", 1, &d->token_fields)) ||
	    (rc = string_map(&c, o, "authorize_params", 0,
	                     &d->authorize_params)))
		goto fail;
	if (jwt &&
	    (!cJSON_IsObject(jwt) ||
	     (rc = member(&c, jwt, "audience", 1, 't', &d->jwt_audience)))) {
		if (!rc)
			rc = bad(&c, "jwt_bearer",
			         "must be an object with \"audience\"");
		goto fail;
	}
	if (!d->authorization_endpoint && !d->device_authorization_endpoint &&
	    !d->jwt_audience) {
		rc = bad(&c, "token_endpoint",
		         "needs a way to log in: authorization_endpoint, "
		         "device_authorization_endpoint or jwt_bearer");
		goto fail;
	}
	if (d->token_fields && cJSON_GetObjectItemCaseSensitive(
	                               d->token_fields, d->access_token)) {
		rc = bad(&c, "token_fields",
		         "must not name the access_token secret again");
		goto fail;
	}
	*out = d;
	return SH_OK;
fail:
	oauthdecl_free(d);
	return rc;
}

static sh_status override(char **slot, const char *v, const char *key, int url,
                          struct sh_error *e)
{
	char *copy;

	if (!v)
		return SH_OK;
	if (url && !oauthdecl_url_ok(v))
		return sh_error_set(e, SH_ERR_USAGE,
		                    "policy %s must be an https:// URL (plain "
		                    "http only to the loopback); fix it with "
		                    "`skillhost config SKILL %s URL`",
		                    key, key);
	if (!(copy = strdup(v)))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	free(*slot);
	*slot = copy;
	return SH_OK;
}

sh_status oauthdecl_apply_policy(struct oauth_decl *d,
                                 const char *(*get)(void *ctx, const char *key),
                                 void *ctx, struct sh_error *e)
{
	static const struct {
		const char *key;
		size_t off;
		int url;
	} keys[] = {
	        {"oauth-authorization-endpoint",
	         offsetof(struct oauth_decl, authorization_endpoint), 1},
	        {"oauth-token-endpoint",
	         offsetof(struct oauth_decl, token_endpoint), 1},
	        {"oauth-revocation-endpoint",
	         offsetof(struct oauth_decl, revocation_endpoint), 1},
	        {"oauth-device-endpoint",
	         offsetof(struct oauth_decl, device_authorization_endpoint), 1},
	        {"oauth-client-id", offsetof(struct oauth_decl, client_id), 0},
	        {"oauth-scopes", offsetof(struct oauth_decl, scope), 0},
	        {"oauth-jwt-audience",
	         offsetof(struct oauth_decl, jwt_audience), 0},
	};
	sh_status rc;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char **slot = (char **)(void *)((char *)d + keys[i].off);
		if ((rc = override(slot, get(ctx, keys[i].key), keys[i].key,
		                   keys[i].url, e)))
			return rc;
	}
	return SH_OK;
}
