/*
 * mcp_oauth.h - the OAuth 2.1 resource server for `serve --http`.
 *
 * The MCP endpoint accepts JWT access tokens issued by one authorization
 * server (the issuer) for one resource (RFC 8707: the audience, by default
 * the server's own /mcp URL). Tokens are checked locally: signature against
 * the issuer's JWKS (RS256, ES256, EdDSA through OpenSSL's libcrypto; the
 * algorithm must match the key's type, so `none`, HS256 and any confusion
 * are refused), `iss`, `aud`, `exp` and `nbf` with MCP_OAUTH_SKEW_S of
 * clock skew. The JWKS URL comes from the issuer's metadata
 * (/.well-known/oauth-authorization-server, then openid-configuration)
 * unless given; it is fetched at start, cached, and fetched again on a
 * token whose `kid` it does not know, at most once per
 * MCP_OAUTH_REFETCH_MIN_S, so a key rotation on the issuer works without a
 * restart and a stream of forged kids cannot hammer the issuer.
 *
 * A JWT that passed is remembered by a hash of it (never the token) until
 * its exp, at most MCP_OAUTH_INTRO_TTL_S: the same token again (a client
 * sends one token for its whole life) costs a hash and its claims checks
 * (exp, nbf, aud...), not a signature verification, as Envoy's jwt_authn
 * cache does. A JWKS refetch forgets them, so a key the issuer withdrew
 * stops working at the next refetch. no_cache turns this off.
 *
 * RFC 7662 (optional): a token that is not a JWT is an opaque token, and
 * with an introspection endpoint configured the issuer is asked about it
 * (POST, the resource server's client credentials in HTTP Basic). The
 * answer must say active, and passes the same iss (when given), aud, exp,
 * nbf and scope checks as a JWT's claims. Answers are cached by a hash of
 * the token (never the token) for the token's remaining life, at most
 * MCP_OAUTH_INTRO_TTL_S so that a revocation is seen within that time,
 * and "not active" for MCP_OAUTH_INTRO_NEG_S; the cache holds at most
 * MCP_OAUTH_INTRO_CACHE answers, evicting the soonest to expire.
 *
 * RFC 9728: the server publishes its protected-resource metadata, and a
 * refusal names it in WWW-Authenticate, which is how an MCP client
 * discovers where to get a token.
 */
#ifndef SH_MCP_OAUTH_H
#define SH_MCP_OAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define MCP_OAUTH_SKEW_S        60    /* seconds of clock skew for exp/nbf */
#define MCP_OAUTH_REFETCH_MIN_S 10    /* between JWKS fetches on unknown kid */
#define MCP_OAUTH_FETCH_TIMEOUT 10    /* seconds per metadata/JWKS fetch */
#define MCP_OAUTH_MAX_TOKEN     16384 /* bytes of a compact JWT */
#define MCP_OAUTH_WELL_KNOWN    "/.well-known/oauth-protected-resource"
#define MCP_OAUTH_INTRO_CACHE   1024 /* introspection answers kept */
#define MCP_OAUTH_INTRO_TTL_S   300  /* longest an active answer is kept */
#define MCP_OAUTH_INTRO_NEG_S   30   /* how long "not active" is kept */

/* Who made a request, from a token that passed. Empty strings when the
 * token had no such claim. The audit and profile code reads this. */
struct mcp_principal {
	char sub[256];
	char client_id[256]; /* client_id, else azp */
	char scope[1024];    /* space-separated; scope, else scp joined */
	int64_t exp;         /* seconds since the epoch */
};

struct mcp_oauth_opts {
	const char *issuer;   /* required; compared exactly with `iss` */
	const char *resource; /* required; must be in `aud` */
	const char *jwks_url; /* NULL: discovered from the issuer */
	const char *scope;    /* NULL, or a scope every token must carry */
	/* RFC 7662 for opaque tokens; NULL: JWTs only. The client id and
	 * secret are required with it (HTTP Basic to the endpoint). */
	const char *introspect_url;
	const char *client_id;
	const char *client_secret;
	int no_cache; /* 1: verify every JWT's signature, every time */
};

enum mcp_oauth_verdict {
	MCP_OAUTH_OK = 0,
	MCP_OAUTH_NO_TOKEN, /* 401, no error attribute */
	MCP_OAUTH_INVALID,  /* 401 error="invalid_token" */
	MCP_OAUTH_NO_SCOPE, /* 403 error="insufficient_scope" */
};

struct mcp_oauth;

/* [control] Discover and fetch the JWKS. Fails (SH_ERR_IO, SH_ERR_INVALID)
 * with a message naming the URL when the issuer cannot be reached or its
 * documents are not usable: the server does not start half-configured. */
sh_status mcp_oauth_new(const struct mcp_oauth_opts *o, struct mcp_oauth **out,
                        struct sh_error *e);

/* [control] The same with a fixed JWKS document (JSON text) and no
 * fetching at all: an unknown kid is refused. For tests and benchmarks,
 * and for a deployment that pins its keys. */
sh_status mcp_oauth_new_static(const struct mcp_oauth_opts *o, const char *jwks,
                               struct mcp_oauth **out, struct sh_error *e);
void mcp_oauth_free(struct mcp_oauth *a);

/* [any thread] Check an Authorization header value (NULL: none). An
 * opaque token may cost one introspection request (a cache miss), made on
 * the calling thread without holding any lock. On
 * MCP_OAUTH_OK fills *p (may be NULL). Otherwise writes a short reason
 * (for error_description and the log; never the token) into why. */
enum mcp_oauth_verdict mcp_oauth_check(struct mcp_oauth *a, const char *auth,
                                       struct mcp_principal *p, char *why,
                                       size_t whylen);

/* [any thread] The RFC 9728 document (JSON), and its absolute URL. */
const char *mcp_oauth_metadata(const struct mcp_oauth *a);
const char *mcp_oauth_metadata_url(const struct mcp_oauth *a);

/* [any thread] Whether path (of a GET) is the metadata: the bare
 * well-known path, or it suffixed with the resource's path. */
int mcp_oauth_is_metadata_path(const struct mcp_oauth *a, const char *path);

/* [any thread] The WWW-Authenticate value for a refusal; malloc'd. */
char *mcp_oauth_challenge(const struct mcp_oauth *a, enum mcp_oauth_verdict v,
                          const char *why);

#endif /* SH_MCP_OAUTH_H */
