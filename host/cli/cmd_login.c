/*
 * cmd_login.c - `skillhost login` and `skillhost logout`: the operator's
 * side of the credential broker (services/oauthbroker.h).
 *
 * The authorization-code flow listens on 127.0.0.1 at an ephemeral port
 * for exactly one redirect carrying the state it sent (RFC 8252 7.3), with
 * a deadline, and refuses anything else on that port; the device flow
 * (RFC 8628) prints the code and polls at the interval the provider asks.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "commands.h"
#include "config.h"
#include "dynbuf.h"
#include "fsutil.h"
#include "manifest.h"
#include "monotime.h"
#include "oauthbroker.h"
#include "oauthdecl.h"
#include "store.h"

extern char **environ;

#define LOGIN_TIMEOUT_DEFAULT_S 300

static void login_help(void)
{
	puts("usage: skillhost login SKILL [--device] [--no-browser] "
	     "[--timeout DURATION]\n"
	     "                     [--manifest FILE]\n"
	     "       skillhost login SKILL --jwt --jwt-key FILE --jwt-subject "
	     "USER\n"
	     "       skillhost logout SKILL\n"
	     "\n"
	     "Log in to the OAuth provider SKILL's manifest declares (its "
	     "\"oauth\"\n"
	     "key). The host keeps the refresh token in the secret store, "
	     "refreshes\n"
	     "the access token before it expires and when the provider "
	     "answers 401,\n"
	     "and gives the skill only the access token, as the secret its "
	     "manifest\n"
	     "names. A refused refresh says to run `skillhost login SKILL` "
	     "again.\n"
	     "\n"
	     "  (default)      authorization code with PKCE: open the printed "
	     "URL;\n"
	     "                 the browser returns to a one-time listener on\n"
	     "                 127.0.0.1\n"
	     "  --device       the device flow, for a host without a "
	     "browser: open\n"
	     "                 the printed address anywhere and enter the "
	     "code\n"
	     "  --no-browser   print the URL only (default when there is no "
	     "display)\n"
	     "  --timeout D    how long to wait for the login (default 5m)\n"
	     "  --jwt          the JWT bearer flow (RFC 7523, e.g. "
	     "Salesforce): "
	     "no\n"
	     "                 browser; --jwt-key is the app's RSA private key "
	     "(PEM),\n"
	     "                 --jwt-subject the user to act as\n"
	     "  --manifest F   the skill's manifest.json, for a skill loaded "
	     "with\n"
	     "                 --skill during development\n"
	     "\n"
	     "The client id, and the endpoints of a self-hosted provider, "
	     "are set with\n"
	     "`skillhost config SKILL KEY VALUE`: oauth-client-id, "
	     "oauth-scopes,\n"
	     "oauth-authorization-endpoint, oauth-token-endpoint, "
	     "oauth-revocation-endpoint,\n"
	     "oauth-device-endpoint. A client secret is a secret the manifest "
	     "names:\n"
	     "`skillhost secret set SKILL NAME`.\n"
	     "\n"
	     "`logout` revokes the tokens where the provider has a "
	     "revocation\n"
	     "endpoint (RFC 7009) and removes them.");
}

static const char *policy_of(void *ctx, const char *key)
{
	void **p = ctx;
	return config_policy(p[0], p[1], key);
}

/* The provider of skill: its installed (or --manifest) manifest's
 * declaration with the operator's policy applied. */
static sh_status load_decl(const char *home, const char *skill,
                           const char *manifest_path, struct oauth_decl **d,
                           struct sh_error *e)
{
	char path[PATH_MAX];
	struct manifest *m = NULL;
	struct config *cfg = NULL;
	cJSON *index = NULL;
	const cJSON *perm;
	sh_status rc;

	*d = NULL;
	if (manifest_path) {
		rc = manifest_load(manifest_path, MANIFEST_SOURCE, &m, e);
	} else {
		const cJSON *cur;
		const char *dir;
		if ((rc = store_read_index(home, &index, e)))
			return rc;
		cur = cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetObjectItemCaseSensitive(
		                cJSON_GetObjectItemCaseSensitive(index,
		                                                 "skills"),
		                skill),
		        "current");
		dir = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(cur, "dir"));
		if (!dir) {
			cJSON_Delete(index);
			return sh_error_set(
			        e, SH_ERR_NOTFOUND,
			        "%s is not installed; install it, or "
			        "give its manifest with --manifest "
			        "FILE",
			        skill);
		}
		rc = fs_pathf(path, sizeof path, e, "%s/%s/%s", home, dir,
		              MANIFEST_FILE);
		cJSON_Delete(index);
		if (rc == SH_OK)
			rc = manifest_load(path, MANIFEST_PACKAGED, &m, e);
	}
	if (rc)
		return rc;
	if (strcmp(m->name, skill)) {
		rc = sh_error_set(e, SH_ERR_USAGE,
		                  "the manifest is %s's, not %s's", m->name,
		                  skill);
		goto out;
	}
	perm = cJSON_GetObjectItemCaseSensitive(m->json, "permissions");
	if ((rc = oauthdecl_parse(
	             m->json, cJSON_GetObjectItemCaseSensitive(perm, "secrets"),
	             skill, d, e)))
		goto out;
	if (!*d) {
		rc = sh_error_set(
		        e, SH_ERR_USAGE,
		        "%s declares no OAuth provider (no \"oauth\" in "
		        "its manifest); give it its credentials with "
		        "`skillhost secret set`",
		        skill);
		goto out;
	}
	if ((rc = config_load(home, &cfg, e)) == SH_OK) {
		void *ctx[2] = {cfg, (void *)skill};
		rc = oauthdecl_apply_policy(*d, policy_of, ctx, e);
	}
out:
	config_free(cfg);
	manifest_free(m);
	if (rc) {
		oauthdecl_free(*d);
		*d = NULL;
	}
	return rc;
}

/* Try to open url in the user's browser; failure is fine, the URL was
 * printed. Only with a display: a terminal browser would take over the
 * terminal the operator reads the URL on. */
static void open_browser(const char *url)
{
	char *argv[] = {"xdg-open", (char *)url, NULL};
	pid_t pid;

	if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY"))
		return;
	if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) == 0)
		waitpid(pid, NULL, 0);
}

/* The value of query parameter name in q (a "a=b&c=d" string), decoded,
 * or NULL. */
static char *query_param(const char *q, const char *name)
{
	size_t n = strlen(name);

	while (q && *q) {
		const char *end = q + strcspn(q, "&");
		if ((size_t)(end - q) > n && !strncmp(q, name, n) &&
		    q[n] == '=') {
			const char *v = q + n + 1;
			char *out = malloc((size_t)(end - v) + 1), *o = out;
			if (!out)
				return NULL;
			for (; v < end; v++) {
				if (*v == '%' && end - v > 2) {
					char hex[3] = {v[1], v[2], 0};
					*o++ = (char)strtol(hex, NULL, 16);
					v += 2;
				} else
					*o++ = *v == '+' ? ' ' : *v;
			}
			*o = '\0';
			return out;
		}
		q = *end ? end + 1 : end;
	}
	return NULL;
}

static void reply(int fd, int status, const char *text)
{
	char buf[1024];
	int n = snprintf(
	        buf, sizeof buf,
	        "HTTP/1.1 %d %s\r\nContent-Type: text/plain; "
	        "charset=utf-8\r\nContent-Length: %zu\r\n"
	        "Connection: close\r\nCache-Control: no-store\r\n\r\n%s",
	        status, status == 200 ? "OK" : "Bad Request", strlen(text),
	        text);
	if (n > 0 && write(fd, buf, (size_t)n) < 0) {
		/* The browser went away; the result stands. */
	}
}

/*
 * Accept connections on lfd until one brings GET /callback with our state,
 * or the deadline. *code gets the code (the caller's). Other requests (a
 * favicon, a stray visitor) get an error page and change nothing; a
 * callback with the wrong state is refused and waited past.
 */
static sh_status wait_callback(int lfd, const char *state, int64_t deadline_ms,
                               char **code, struct sh_error *e)
{
	*code = NULL;
	for (;;) {
		int64_t left = deadline_ms - (sh_now_ns() / 1000000);
		struct pollfd p = {lfd, POLLIN, 0};
		char req[8192] = "", *q, *sp, *got_state, *err;
		size_t len = 0;
		int fd;

		if (left <= 0)
			return sh_error_set(e, SH_ERR_TIMEOUT,
			                    "no login arrived before the "
			                    "deadline; run `skillhost login` "
			                    "again (--timeout waits longer)");
		if (poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left) <= 0)
			continue;
		if ((fd = accept(lfd, NULL, NULL)) < 0)
			continue;
		/* The request line is all we need; a slow client is cut off
		 * by the same deadline. */
		while (len + 1 < sizeof req && !memchr(req, '\n', len)) {
			struct pollfd r = {fd, POLLIN, 0};
			ssize_t n;
			if (poll(&r, 1, 5000) <= 0 ||
			    (n = read(fd, req + len, sizeof req - 1 - len)) <=
			            0)
				break;
			len += (size_t)n;
		}
		req[len] = '\0';
		if (strncmp(req, "GET /callback?", 14)) {
			reply(fd, 404, "Not the login callback.\n");
			close(fd);
			continue;
		}
		q = req + 14;
		if ((sp = strpbrk(q, " \r\n")))
			*sp = '\0';
		got_state = query_param(q, "state");
		if (!got_state || strcmp(got_state, state)) {
			free(got_state);
			reply(fd, 400,
			      "This login answer does not belong to the "
			      "running `skillhost login` (state mismatch).\n");
			close(fd);
			continue;
		}
		free(got_state);
		if ((err = query_param(q, "error"))) {
			char *desc = query_param(q, "error_description");
			reply(fd, 400,
			      "The login was refused; see the terminal.\n");
			close(fd);
			sh_error_set(e, SH_ERR_DENIED,
			             "the provider refused the login: "
			             "%.100s%s%.200s%s",
			             err, desc ? " (" : "", desc ? desc : "",
			             desc ? ")" : "");
			free(err);
			free(desc);
			return SH_ERR_DENIED;
		}
		*code = query_param(q, "code");
		if (!*code || !**code) {
			free(*code);
			*code = NULL;
			reply(fd, 400, "The login answer has no code.\n");
			close(fd);
			return sh_error_set(e, SH_ERR_INVALID,
			                    "the provider's redirect carried "
			                    "no authorization code");
		}
		reply(fd, 200,
		      "Logged in. You can close this tab and return to the "
		      "terminal.\n");
		close(fd);
		return SH_OK;
	}
}

static sh_status code_flow(const char *home, const char *skill,
                           const struct oauth_decl *d, int browser,
                           int64_t timeout_s, struct sh_error *e)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof sa;
	char verifier[OAUTH_PKCE_LEN + 1], challenge[OAUTH_PKCE_LEN + 1];
	char state[33], redirect[64], *code = NULL;
	struct dynbuf url = DYN_INIT(16384), form = DYN_INIT(65536);
	struct oauth_token t = {0};
	const cJSON *it;
	sh_status rc;
	int lfd;

	if (!d->authorization_endpoint)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%s's provider has no authorization "
		                    "endpoint; use --device or --jwt",
		                    skill);
	if ((rc = oauthbroker_client_auth(home, skill, d, &form, e)))
		goto out;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, 8) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl)) {
		rc = sh_error_errno(e, SH_ERR_IO, errno,
		                    "cannot listen on 127.0.0.1 for the "
		                    "login's redirect");
		if (lfd >= 0)
			close(lfd);
		goto out;
	}
	snprintf(redirect, sizeof redirect, "http://127.0.0.1:%d/callback",
	         ntohs(sa.sin_port));
	oauth_pkce_pair(verifier, challenge);
	oauth_random_state(state);
	{
		struct dynbuf q = DYN_INIT(16384);
		oauth_form_add(&q, "response_type", "code");
		oauth_form_add(&q, "client_id", d->client_id);
		oauth_form_add(&q, "redirect_uri", redirect);
		if (d->scope)
			oauth_form_add(&q, "scope", d->scope);
		oauth_form_add(&q, "state", state);
		oauth_form_add(&q, "code_challenge", challenge);
		oauth_form_add(&q, "code_challenge_method", "S256");
		cJSON_ArrayForEach(it, d->authorize_params)
		        oauth_form_add(&q, it->string, it->valuestring);
		dyn_add(&url, d->authorization_endpoint);
		dyn_addc(&url,
		         strchr(d->authorization_endpoint, '?') ? '&' : '?');
		dyn_add(&url, dyn_ptr(&q));
		dyn_free(&q);
	}
	if (dyn_error(&url)) {
		close(lfd);
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	fprintf(stderr,
	        "Open this address in a browser to log %s in:\n\n  %s\n\n"
	        "Waiting for the provider to redirect to %s ...\n",
	        skill, dyn_ptr(&url), redirect);
	fflush(stderr);
	if (browser)
		open_browser(dyn_ptr(&url));
	rc = wait_callback(lfd, state,
	                   (sh_now_ns() / 1000000) + timeout_s * 1000, &code,
	                   e);
	close(lfd);
	if (rc)
		goto out;
	oauth_form_add(&form, "grant_type", "authorization_code");
	oauth_form_add(&form, "code", code);
	oauth_form_add(&form, "redirect_uri", redirect);
	oauth_form_add(&form, "code_verifier", verifier);
	if (dyn_error(&form)) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = oauthbroker_post_token(d->token_endpoint, dyn_ptr(&form), &t,
	                                 NULL, 0, e)) == SH_OK)
		rc = oauthbroker_store(home, skill, d, &t, NULL, e);
out:
	if (code) {
		sodium_memzero(code, strlen(code));
		free(code);
	}
	sodium_memzero(verifier, sizeof verifier);
	if (dyn_len(&form))
		sodium_memzero((void *)dyn_ptr(&form), dyn_len(&form));
	dyn_free(&form);
	dyn_free(&url);
	oauth_token_clear(&t);
	return rc;
}

static sh_status device_flow(const char *home, const char *skill,
                             const struct oauth_decl *d, int64_t timeout_s,
                             struct sh_error *e)
{
	struct dynbuf form = DYN_INIT(65536), poll_form = DYN_INIT(65536);
	struct oauth_token t = {0};
	struct oauth_device_poll p;
	const char *dc, *uc, *vu, *vuc;
	cJSON *da = NULL;
	const cJSON *ex, *iv;
	sh_status rc;

	if (!d->device_authorization_endpoint)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%s's provider has no device authorization "
		                    "endpoint; log in without --device, or set "
		                    "one with `skillhost config %s "
		                    "oauth-device-endpoint URL`",
		                    skill, skill);
	if ((rc = oauthbroker_client_auth(home, skill, d, &form, e)) ||
	    (rc = oauthbroker_client_auth(home, skill, d, &poll_form, e)))
		goto out;
	if (d->scope)
		oauth_form_add(&form, "scope", d->scope);
	if (dyn_error(&form)) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = oauthbroker_post_json(d->device_authorization_endpoint,
	                                dyn_ptr(&form), &da, e)))
		goto out;
	dc = cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(da, "device_code"));
	uc = cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(da, "user_code"));
	vu = cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(da, "verification_uri"));
	vuc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	        da, "verification_uri_complete"));
	ex = cJSON_GetObjectItemCaseSensitive(da, "expires_in");
	iv = cJSON_GetObjectItemCaseSensitive(da, "interval");
	if (!dc || !uc || !vu || !cJSON_IsNumber(ex) || ex->valuedouble < 1) {
		rc = sh_error_set(e, SH_ERR_INVALID,
		                  "the device authorization answer lacks "
		                  "device_code, user_code, verification_uri or "
		                  "expires_in");
		goto out;
	}
	p.interval_s = cJSON_IsNumber(iv) && iv->valuedouble >= 1 &&
	                               iv->valuedouble <= 600
	                       ? (int64_t)iv->valuedouble
	                       : 5;
	p.deadline = (int64_t)time(NULL) + (ex->valuedouble < (double)timeout_s
	                                            ? (int64_t)ex->valuedouble
	                                            : timeout_s);
	fprintf(stderr,
	        "To log %s in, open\n\n  %s\n\nand enter the code\n\n  %s\n\n",
	        skill, vu, uc);
	if (vuc)
		fprintf(stderr, "(or open %s)\n", vuc);
	fprintf(stderr, "Waiting for the approval ...\n");
	fflush(stderr);
	oauth_form_add(&poll_form, "grant_type",
	               "urn:ietf:params:oauth:grant-type:device_code");
	oauth_form_add(&poll_form, "device_code", dc);
	if (dyn_error(&poll_form)) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		char code[64] = "";
		struct sh_error pe;
		sleep((unsigned)p.interval_s);
		rc = oauthbroker_post_token(d->token_endpoint,
		                            dyn_ptr(&poll_form), &t, code,
		                            sizeof code, &pe);
		if (rc == SH_OK)
			break;
		/* A network hiccup is worth another poll; a malformed
		 * answer is not. */
		if (rc != SH_ERR_DENIED && rc != SH_ERR_IO) {
			*e = pe;
			goto out;
		}
		if (!oauth_device_next(&p, code, (int64_t)time(NULL), e))
			goto out;
	}
	rc = oauthbroker_store(home, skill, d, &t, NULL, e);
out:
	cJSON_Delete(da);
	dyn_free(&form);
	dyn_free(&poll_form);
	oauth_token_clear(&t);
	return rc;
}

int cmd_login(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"device", no_argument, NULL, 'd'},
	        {"no-browser", no_argument, NULL, 'n'},
	        {"timeout", required_argument, NULL, 't'},
	        {"manifest", required_argument, NULL, 'm'},
	        {"jwt", no_argument, NULL, 'j'},
	        {"jwt-key", required_argument, NULL, 'k'},
	        {"jwt-subject", required_argument, NULL, 's'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0}};
	struct oauth_login_opts lo = {0};
	const char *manifest = NULL, *skill;
	struct oauth_decl *d = NULL;
	int64_t timeout_s = LOGIN_TIMEOUT_DEFAULT_S;
	int device = 0, browser = 1, jwt = 0, c, rc;
	char home[PATH_MAX];
	struct sh_error e;
	sh_status st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': device = 1; break;
		case 'n': browser = 0; break;
		case 'm': manifest = optarg; break;
		case 'j': jwt = 1; break;
		case 'k': lo.jwt_key_file = optarg; break;
		case 's': lo.jwt_subject = optarg; break;
		case 't': {
			int64_t ms;
			if (config_parse_duration_ms(optarg, &ms) || ms < 1000)
				return cli_usage("login",
				                 "--timeout must be a duration "
				                 "of at least 1s, like 90s or "
				                 "5m");
			timeout_s = ms / 1000;
			break;
		}
		case 'h': login_help(); return 0;
		default: return cli_usage("login", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage("login", "name one skill, e.g. `skillhost "
		                          "login skillhost/jira`");
	if (device && jwt)
		return cli_usage("login", "--device and --jwt exclude each "
		                          "other");
	if (!jwt && (lo.jwt_key_file || lo.jwt_subject))
		return cli_usage("login", "--jwt-key and --jwt-subject go with "
		                          "--jwt");
	skill = argv[optind];
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (load_decl(home, skill, manifest, &d, &e) != SH_OK)
		return cli_fail(&e);
	if (jwt)
		st = oauthbroker_jwt_login(home, skill, d, &lo, &e);
	else if (device)
		st = device_flow(home, skill, d, timeout_s, &e);
	else
		st = code_flow(home, skill, d, browser, timeout_s, &e);
	if (st == SH_OK)
		fprintf(stderr,
		        "skillhost: %s is logged in; it receives the access "
		        "token as %s, refreshed by the host\n",
		        skill, d->access_token);
	oauthdecl_free(d);
	if (st)
		return cli_fail(&e);
	return ctx->json ? cli_print_done("skill", skill, NULL) : 0;
}

int cmd_logout(struct cli_ctx *ctx, int argc, char **argv)
{
	char home[PATH_MAX];
	struct sh_error e;
	int revoked = 0, rc;
	sh_status st;

	cli_take_json(ctx, &argc, argv);
	if (cli_wants_help(argc, argv)) {
		login_help();
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage("logout", "name one skill, e.g. `skillhost "
		                           "logout skillhost/jira`");
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	st = oauthbroker_logout(home, argv[1], &revoked, &e);
	if (st == SH_OK)
		fprintf(stderr, "skillhost: %s is logged out%s\n", argv[1],
		        revoked ? "; the provider revoked its tokens"
		                : " (the provider declares no revocation; "
		                  "the tokens stay valid until they expire)");
	if (st)
		return cli_fail(&e);
	return ctx->json ? cli_print_done("skill", argv[1], NULL) : 0;
}
