/*
 * cmd_serve.c - `skillhost serve`: the tools over MCP, on stdio or
 * Streamable HTTP.
 *
 * The main thread only waits for signals: SIGTERM or SIGINT drains the
 * calls in flight and exits, SIGHUP re-reads the installed skills, and the
 * store is also polled every --reload-interval seconds; a change reaches
 * clients as notifications/tools/list_changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "artifacts.h"
#include "commands.h"
#include "fsutil.h"
#include "hostlog.h"
#include "mcp_http.h"
#include "mcp_server.h"
#include "mcp_toolsearch.h"
#include "mcp_stdio.h"
#include "runtime.h"

#define SERVE_MAX_LIST         32 /* --allow-origin / --allow-host */
#define SERVE_TOKEN_MIN        16 /* bytes: shorter tokens are guessable */
#define SERVE_TOKEN_FILE_MAX   4096
#define SERVE_RELOAD_DEFAULT_S 2
#define SERVE_DRAIN_DEFAULT_S  30
/* How often the main thread wakes to see whether a stdio client left. */
#define SERVE_TICK_MS 200

static void help(void)
{
	puts("usage: skillhost serve --stdio | --http HOST:PORT [options]\n"
	     "\n"
	     "Serve the tools of the installed skills (and of --skill files)\n"
	     "over MCP 2025-11-25 (2025-06-18, 2025-03-26 and 2024-11-05 are\n"
	     "accepted).\n"
	     "\n"
	     "  --stdio               newline-delimited JSON-RPC on "
	     "stdin/stdout\n"
	     "  --http HOST:PORT      Streamable HTTP at "
	     "http://HOST:PORT/mcp;\n"
	     "                        port 0 picks a free port (see "
	     "--ready-file)\n"
	     "  --skill PATH.so       also serve this skill file (repeatable)\n"
	     "  --tool-names FORM     portable (default): names every client\n"
	     "                        accepts, the bare tool name when unique\n"
	     "                        (else skill_tool, ns_skill_tool);\n"
	     "                        canonical: the old ns.skill.tool\n"
	     "  --page-size N         tools per tools/list page (default "
	     "1000)\n"
	     "  --threads N           call workers (default 32)\n"
	     "  --call-timeout DUR    default call deadline, e.g. 30s or 2m\n"
	     "                        (a skill's own `timeout` wins; default:\n"
	     "                        `config --host timeout`, else 60s)\n"
	     "  --reload-interval S   re-read the installed skills every S\n"
	     "                        seconds (default 2; 0: only on SIGHUP)\n"
	     "  --drain-timeout S     on SIGTERM, let calls finish for S "
	     "seconds\n"
	     "                        before cancelling them (default 30)\n"
	     "  --max-body BYTES      largest message (default 16777216)\n"
	     "  --ready-file FILE     write the server's URL (or \"stdio\") "
	     "here\n"
	     "                        once it is ready\n"
	     "\n"
	     "HTTP only:\n"
	     "  --token-file FILE     require Authorization: Bearer <the "
	     "file's\n"
	     "                        content>\n"
	     "  --auth-issuer URL     accept OAuth 2.1 JWT access tokens "
	     "from\n"
	     "                        this authorization server (RS256, "
	     "ES256,\n"
	     "                        EdDSA; JWKS from its metadata); "
	     "serves\n"
	     "                        /.well-known/oauth-protected-resource\n"
	     "  --auth-audience URL   the resource tokens must name in aud\n"
	     "                        (default: the server's URL + /mcp)\n"
	     "  --auth-jwks URL       the issuer's JWKS (default: from its\n"
	     "                        metadata)\n"
	     "  --auth-scope SCOPE    a scope every token must carry (403\n"
	     "                        insufficient_scope otherwise)\n"
	     "  --auth-introspect URL accept opaque tokens too, asking this\n"
	     "                        RFC 7662 endpoint (answers cached);\n"
	     "                        needs --auth-client-id ID and\n"
	     "                        --auth-client-secret-file FILE\n"
	     "  --stateless           keep no session state, so several hosts\n"
	     "                        can serve behind one load balancer\n"
	     "  --allow-origin ORIGIN allow browser pages from ORIGIN "
	     "(repeatable;\n"
	     "                        loopback origins are allowed on a "
	     "loopback\n"
	     "                        address; \"*\" allows any)\n"
	     "  --allow-host HOST     accept this Host header too "
	     "(repeatable;\n"
	     "                        e.g. behind a proxy or on 0.0.0.0)\n"
	     "  --public-url URL      where clients reach this server, for\n"
	     "                        artifact links (default "
	     "http://HOST:PORT)\n"
	     "  --poll-threads N      I/O threads (default: one per CPU)\n"
	     "  --max-connections N   default 4096\n"
	     "  --connection-timeout S  close connections idle for S seconds\n"
	     "                        (default 60)\n"
	     "  --session-timeout S   end sessions idle for S seconds "
	     "(default\n"
	     "                        1800)\n"
	     "  --max-sessions N      default 10000; when all are open, the\n"
	     "                        least recently used idle one ends\n"
	     "  --max-client-connections N  connections one client address\n"
	     "                        may hold (default 128; loopback too)\n"
	     "  --max-client-sessions N  sessions one client address may\n"
	     "                        hold (default 64; 429 past it)\n"
	     "  --header-timeout S    close a connection that has not sent\n"
	     "                        complete request headers within S\n"
	     "                        seconds (default 10)\n"
	     "  --tool-search on|off|auto  list search_tools (BM25 over "
	     "names,\n"
	     "                        descriptions, arguments) instead of "
	     "every\n"
	     "                        tool; found tools join the session's "
	     "list\n"
	     "                        (auto: above --tool-search-threshold, "
	     "40)\n"
	     "  --core-tools LIST     tools always listed with tool search "
	     "on\n"
	     "                        (canonical names, comma-separated)\n"
	     "  --profile NAME        serve only the tools of this profile "
	     "(`skillhost\n"
	     "                        profile`); others are unknown to "
	     "clients\n"
	     "\n"
	     "SIGTERM or SIGINT drains the calls in flight, then exits; "
	     "SIGHUP\n"
	     "re-reads the installed skills now.");
}

/* Parse a whole decimal number in [min, max]; 0 when it is not one. */
static int number(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

/* A secret from a file (one line of visible ASCII, at least min bytes),
 * for option opt (named in the errors). */
static int read_secret(const char *path, const char *opt, size_t min,
                       char **out, struct sh_error *e)
{
	struct stat st;
	size_t len;
	char *t;

	if (fs_read_file(path, SERVE_TOKEN_FILE_MAX, &t, &len, e) != SH_OK)
		return sh_error_prefix(e, "%s %s", opt, path);
	while (len && (t[len - 1] == '\n' || t[len - 1] == '\r' ||
	               t[len - 1] == ' ' || t[len - 1] == '\t'))
		t[--len] = '\0';
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)t[i] <= 0x20 ||
		    (unsigned char)t[i] >= 0x7f) {
			free(t);
			return sh_error_set(
			        e, SH_ERR_USAGE,
			        "%s %s: the secret must be one line of "
			        "visible ASCII",
			        opt, path);
		}
	if (len < min) {
		free(t);
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "%s %s: the secret is %zu bytes; use at least "
		        "%zu random ones (e.g. openssl rand -hex 32)",
		        opt, path, len, min);
	}
	if (stat(path, &st) == 0 && (st.st_mode & 077))
		hostlog(SKILL_LOG_WARNING,
		        "%s %s can be read by other users; chmod 600 it", opt,
		        path);
	*out = t;
	return SH_OK;
}

/* Open the runtime with the store, the --skill files and, for HTTP, the
 * base of artifact URLs. */
static sh_status open_runtime(const struct cli_ctx *ctx, char **skills,
                              int nskills, const char *url_base,
                              struct runtime **out, struct sh_error *e)
{
	/* --skill files run isolated like installed skills, unless the
	 * global --in-process says otherwise. */
	struct runtime_opts o = {.home = ctx->home,
	                         .artifact_url_base = url_base,
	                         .isolate_files = !cli_files_in_process(),
	                         .caller = "mcp"};
	struct runtime *rt;
	sh_status rc = runtime_open(&o, &rt, e);

	if (rc != SH_OK)
		return rc;
	for (int i = 0; i < nskills && rc == SH_OK; i++)
		rc = runtime_add_skill_file(rt, skills[i], e);
	if (rc == SH_OK)
		rc = runtime_seal(rt, e);
	if (rc != SH_OK) {
		runtime_close(rt);
		return rc;
	}
	*out = rt;
	return SH_OK;
}

static void reload(struct runtime *rt)
{
	struct sh_error err;
	int changed = 0;

	if (runtime_reload(rt, &changed, &err) != SH_OK)
		hostlog(SKILL_LOG_ERROR, "re-reading the installed skills: %s",
		        err.msg);
	else if (changed)
		hostlog(SKILL_LOG_NOTICE,
		        "the installed skills changed; clients are told");
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for a signal to stop, reloading on SIGHUP and every interval.
 * Returns the signal, or 0 when the stdio client went away. */
static int wait_loop(struct runtime *rt, const sigset_t *set,
                     struct mcp_stdio *stdio, long long reload_s)
{
	int64_t next = reload_s ? mono_ms() + reload_s * 1000 : INT64_MAX;

	for (;;) {
		int64_t now = mono_ms(), wait = SERVE_TICK_MS;
		struct timespec ts;
		siginfo_t si;
		int sig;

		if (!stdio && next - now < wait)
			wait = next > now ? next - now : 0;
		if (!stdio && next == INT64_MAX)
			wait = (int64_t)3600 * 1000;
		ts.tv_sec = wait / 1000;
		ts.tv_nsec = (wait % 1000) * 1000000;
		sig = sigtimedwait(set, &si, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			return sig;
		if (sig == SIGHUP) {
			reload(rt);
			if (reload_s)
				next = mono_ms() + reload_s * 1000;
		}
		if (stdio && mcp_stdio_finished(stdio))
			return 0;
		if (mono_ms() >= next) {
			reload(rt);
			next = mono_ms() + reload_s * 1000;
		}
	}
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	/* Every connection is a descriptor; the usual soft limit of 1024
	 * would cap connections well below --max-connections. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Artifacts past their retention go when a server starts (and then while
 * skills write more, see artifacts.h): a long-lived host keeps its store
 * from growing without bound. */
static void prune_artifacts(struct runtime *rt)
{
	const struct host_services *svc = runtime_services(rt);
	struct artifacts_limits lim;
	struct sh_error err;
	uint64_t bytes = 0;
	size_t n = 0;

	if (!svc->artifacts_dir)
		return;
	artifacts_limits(runtime_config(rt), NULL, &lim);
	if (artifacts_prune(svc->artifacts_dir, lim.keep_ms, 0, NULL, NULL, &n,
	                    &bytes, &err) != SH_OK)
		hostlog(SKILL_LOG_WARNING, "pruning artifacts: %s", err.msg);
	else if (n)
		hostlog(SKILL_LOG_NOTICE,
		        "removed %zu artifacts (%llu bytes) older than %lld s",
		        n, (unsigned long long)bytes,
		        (long long)(lim.keep_ms / 1000));
}

int cmd_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	enum {
		O_STDIO = 256,
		O_HTTP,
		O_TOKEN,
		O_SKILL,
		O_PAGE,
		O_SHORT,
		O_TOOLNAMES,
		O_STATELESS,
		O_ORIGIN,
		O_HOST,
		O_BODY,
		O_THREADS,
		O_POLL,
		O_CONNS,
		O_CTIMEOUT,
		O_STIMEOUT,
		O_SESSIONS,
		O_CALLTO,
		O_RELOAD,
		O_DRAIN,
		O_READY,
		O_PUBLIC,
		O_CCONNS,
		O_CSESSIONS,
		O_HTIMEOUT,
		O_TSEARCH,
		O_TSTHRESH,
		O_CORE,
		O_PROFILE,
		O_AISSUER,
		O_AAUD,
		O_AJWKS,
		O_ASCOPE,
		O_AINTRO,
		O_ACLIENT,
		O_ASECRET,
		O_HELP
	};
	static const struct option opts[] = {
	        {"stdio", no_argument, NULL, O_STDIO},
	        {"http", required_argument, NULL, O_HTTP},
	        {"token-file", required_argument, NULL, O_TOKEN},
	        {"skill", required_argument, NULL, O_SKILL},
	        {"page-size", required_argument, NULL, O_PAGE},
	        {"short-names", no_argument, NULL, O_SHORT},
	        {"tool-names", required_argument, NULL, O_TOOLNAMES},
	        {"stateless", no_argument, NULL, O_STATELESS},
	        {"allow-origin", required_argument, NULL, O_ORIGIN},
	        {"allow-host", required_argument, NULL, O_HOST},
	        {"max-body", required_argument, NULL, O_BODY},
	        {"threads", required_argument, NULL, O_THREADS},
	        {"poll-threads", required_argument, NULL, O_POLL},
	        {"max-connections", required_argument, NULL, O_CONNS},
	        {"connection-timeout", required_argument, NULL, O_CTIMEOUT},
	        {"session-timeout", required_argument, NULL, O_STIMEOUT},
	        {"max-sessions", required_argument, NULL, O_SESSIONS},
	        {"call-timeout", required_argument, NULL, O_CALLTO},
	        {"reload-interval", required_argument, NULL, O_RELOAD},
	        {"drain-timeout", required_argument, NULL, O_DRAIN},
	        {"ready-file", required_argument, NULL, O_READY},
	        {"public-url", required_argument, NULL, O_PUBLIC},
	        {"max-client-connections", required_argument, NULL, O_CCONNS},
	        {"max-client-sessions", required_argument, NULL, O_CSESSIONS},
	        {"header-timeout", required_argument, NULL, O_HTIMEOUT},
	        {"tool-search", required_argument, NULL, O_TSEARCH},
	        {"tool-search-threshold", required_argument, NULL, O_TSTHRESH},
	        {"core-tools", required_argument, NULL, O_CORE},
	        {"profile", required_argument, NULL, O_PROFILE},
	        {"auth-issuer", required_argument, NULL, O_AISSUER},
	        {"auth-audience", required_argument, NULL, O_AAUD},
	        {"auth-jwks", required_argument, NULL, O_AJWKS},
	        {"auth-scope", required_argument, NULL, O_ASCOPE},
	        {"auth-introspect", required_argument, NULL, O_AINTRO},
	        {"auth-client-id", required_argument, NULL, O_ACLIENT},
	        {"auth-client-secret-file", required_argument, NULL, O_ASECRET},
	        {"help", no_argument, NULL, O_HELP},
	        {NULL, 0, NULL, 0},
	};
	char *skills[CLI_MAX_SKILLS];
	const char *origins[SERVE_MAX_LIST + 1] = {0};
	const char *hosts[SERVE_MAX_LIST + 1] = {0};
	int nskills = 0, norigins = 0, nhosts = 0, use_stdio = 0, c, rc = 0;
	int canonical_names = 0, stateless = 0;
	const char *http = NULL, *token_file = NULL, *ready = NULL;
	const char *public_url = NULL;
	const char *auth_issuer = NULL, *auth_aud = NULL, *auth_jwks = NULL;
	const char *auth_scope = NULL, *auth_intro = NULL, *auth_client = NULL;
	const char *auth_secret_file = NULL;
	char *auth_secret = NULL;
	char resource[300];
	struct mcp_oauth *oauth = NULL;
	long long page = 0, threads = 0, body = 0, poll = 0, conns = 0;
	long long ctimeout = 0, stimeout = 0, sessions = 0, call_to = 0;
	long long cconns = 0, csessions = 0, htimeout = 0, ts_threshold = 0;
	int tool_search = MCP_TS_OFF;
	const char *core_tools = NULL, *profile = NULL;
	struct cli_serve_policy pol = {0};
	long long reload_s = SERVE_RELOAD_DEFAULT_S;
	long long drain_s = SERVE_DRAIN_DEFAULT_S;
	char *token = NULL;
	char base[256];
	struct mcp_http_addr addr = {.fd = -1};
	struct runtime *rt = NULL;
	struct mcp_server *srv = NULL;
	struct mcp_stdio *stdio = NULL;
	struct mcp_http *hsrv = NULL;
	struct sh_error err;
	sigset_t set;
	int out_fd = -1, sig;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		long long *num = NULL, min = 1, max = INT_MAX;
		switch (c) {
		case O_STDIO: use_stdio = 1; break;
		case O_HTTP: http = optarg; break;
		case O_TOKEN: token_file = optarg; break;
		case O_AISSUER: auth_issuer = optarg; break;
		case O_AAUD: auth_aud = optarg; break;
		case O_AJWKS: auth_jwks = optarg; break;
		case O_ASCOPE: auth_scope = optarg; break;
		case O_AINTRO: auth_intro = optarg; break;
		case O_ACLIENT: auth_client = optarg; break;
		case O_ASECRET: auth_secret_file = optarg; break;
		case O_SKILL:
			if (nskills == CLI_MAX_SKILLS)
				return cli_usage("serve", "too many --skill");
			skills[nskills++] = optarg;
			break;
		case O_SHORT:
			/* Deprecated: portable names are bare when unique. */
			fputs("skillhost serve: --short-names is deprecated "
			      "and "
			      "has no effect: tool names are portable by "
			      "default (the bare name when unique); drop it\n",
			      stderr);
			break;
		case O_TOOLNAMES:
			if (!strcmp(optarg, "portable"))
				canonical_names = 0;
			else if (!strcmp(optarg, "canonical"))
				canonical_names = 1;
			else
				return cli_usage(
				        "serve",
				        "--tool-names takes portable or "
				        "canonical");
			break;
		case O_STATELESS: stateless = 1; break;
		case O_ORIGIN:
			if (norigins == SERVE_MAX_LIST)
				return cli_usage("serve",
				                 "too many --allow-origin");
			origins[norigins++] = optarg;
			break;
		case O_HOST:
			if (nhosts == SERVE_MAX_LIST)
				return cli_usage("serve",
				                 "too many --allow-host");
			hosts[nhosts++] = optarg;
			break;
		case O_READY: ready = optarg; break;
		case O_TSEARCH:
			if (!strcmp(optarg, "on"))
				tool_search = MCP_TS_ON;
			else if (!strcmp(optarg, "off"))
				tool_search = MCP_TS_OFF;
			else if (!strcmp(optarg, "auto"))
				tool_search = MCP_TS_AUTO;
			else
				return cli_usage("serve",
				                 "--tool-search is on, off or "
				                 "auto, not '%s'",
				                 optarg);
			break;
		case O_TSTHRESH: num = &ts_threshold; break;
		case O_CORE: core_tools = optarg; break;
		case O_PROFILE: profile = optarg; break;
		case O_PUBLIC: public_url = optarg; break;
		case O_PAGE:
			num = &page;
			max = MCP_PAGE_SIZE_MAX;
			break;
		case O_THREADS:
			num = &threads;
			max = MCP_THREADS_MAX;
			break;
		case O_POLL:
			num = &poll;
			max = MCP_HTTP_POLL_THREADS_MAX;
			break;
		case O_BODY:
			num = &body;
			min = 1024;
			max = 1LL << 30;
			break;
		case O_CONNS:
			num = &conns;
			max = 1000000;
			break;
		case O_CTIMEOUT:
			num = &ctimeout;
			max = 86400;
			break;
		case O_STIMEOUT:
			num = &stimeout;
			max = 30LL * 86400;
			break;
		case O_SESSIONS:
			num = &sessions;
			max = 1000000;
			break;
		case O_CCONNS:
			num = &cconns;
			max = 1000000;
			break;
		case O_CSESSIONS:
			num = &csessions;
			max = 1000000;
			break;
		case O_HTIMEOUT:
			num = &htimeout;
			max = 3600;
			break;
		case O_CALLTO: {
			int64_t ms;
			if (config_parse_duration_ms(optarg, &ms) ||
			    ms > 86400000)
				return cli_usage(
				        "serve",
				        "--call-timeout needs a duration "
				        "up to 1 day, like 1500, 30s or "
				        "2m, not '%s'",
				        optarg);
			call_to = ms;
			break;
		}
		case O_RELOAD:
			num = &reload_s;
			min = 0;
			max = 86400;
			break;
		case O_DRAIN:
			num = &drain_s;
			min = 0;
			max = 86400;
			break;
		case 'h':
		case O_HELP: help(); return 0;
		default: return cli_usage("serve", "unknown option");
		}
		if (num && !number(optarg, min, max, num))
			return cli_usage(
			        "serve",
			        "--%s needs a whole number from %lld to "
			        "%lld, not '%s'",
			        opts[c - O_STDIO].name, min, max, optarg);
	}
	if (optind < argc)
		return cli_usage("serve", "unexpected argument '%s'",
		                 argv[optind]);
	if (use_stdio == !!http)
		return cli_usage("serve", "give exactly one of --stdio and "
		                          "--http HOST:PORT");
	if (use_stdio && (token_file || stateless || norigins || nhosts ||
	                  public_url || poll || conns || ctimeout || stimeout ||
	                  sessions || cconns || csessions || htimeout))
		return cli_usage("serve", "--token-file, --stateless, "
		                          "--allow-*, --public-url and the "
		                          "connection options are for --http");
	if (use_stdio && auth_issuer)
		return cli_usage("serve", "--auth-issuer is for --http: "
		                          "stdio has no bearer tokens");
	if (token_file && auth_issuer)
		return cli_usage("serve",
		                 "--token-file and --auth-issuer exclude each "
		                 "other: give the static token (one user) or "
		                 "the OAuth issuer (many), not both");
	if (!auth_issuer && (auth_aud || auth_jwks || auth_scope ||
	                     auth_intro || auth_client || auth_secret_file))
		return cli_usage(
		        "serve",
		        "--auth-audience, --auth-jwks, --auth-scope "
		        "and --auth-introspect need --auth-issuer URL");
	if (!auth_intro != !auth_client || !auth_intro != !auth_secret_file)
		return cli_usage("serve",
		                 "--auth-introspect URL, --auth-client-id ID "
		                 "and --auth-client-secret-file FILE go "
		                 "together: introspection needs the resource "
		                 "server's own client credentials");
	/* Before anything is opened or read: without libmicrohttpd the
	 * command fails here, not after the store and the skills. */
	if (http && mcp_http_load(&err) != SH_OK)
		return cli_fail(&err);
	if (token_file && read_secret(token_file, "--token-file",
	                              SERVE_TOKEN_MIN, &token, &err) != SH_OK)
		return cli_fail(&err);
	if (auth_secret_file &&
	    read_secret(auth_secret_file, "--auth-client-secret-file", 1,
	                &auth_secret, &err) != SH_OK)
		return cli_fail(&err);

	/* Signals go to the main thread only: block them before any thread
	 * starts, so every thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	(void)signal(SIGPIPE, SIG_IGN);
	/* One malloc arena for a long-running server (before any thread):
	 * with glibc's default of eight per CPU, memory freed by one thread
	 * and reused by another stays spread over arenas that are trimmed
	 * only at their top, and RSS crept up ~2% per million calls; with
	 * one it is flat once the connection pools have settled. Each
	 * thread's tcache still serves the small allocations of a call
	 * without the arena's lock. An operator's MALLOC_ARENA_MAX or
	 * GLIBC_TUNABLES wins. */
	if (!getenv("MALLOC_ARENA_MAX") && !getenv("GLIBC_TUNABLES"))
		(void)mallopt(M_ARENA_MAX, 1);

	if (http) {
		raise_fd_limit();
		if (mcp_http_bind(http, &addr, &err) != SH_OK) {
			rc = cli_fail(&err);
			goto out;
		}
		snprintf(base, sizeof base, "%s/artifacts/",
		         public_url ? public_url : addr.url);
		if (auth_issuer) {
			/* RFC 8707: the resource is this endpoint's URL,
			 * as clients name it, unless told otherwise. */
			struct mcp_oauth_opts ao = {
			        .issuer = auth_issuer,
			        .resource = resource,
			        .jwks_url = auth_jwks,
			        .scope = auth_scope,
			        .introspect_url = auth_intro,
			        .client_id = auth_client,
			        .client_secret = auth_secret,
			};
			snprintf(resource, sizeof resource, "%s%s",
			         auth_aud
			                 ? auth_aud
			                 : (public_url ? public_url : addr.url),
			         auth_aud ? "" : "/mcp");
			if (mcp_oauth_new(&ao, &oauth, &err) != SH_OK) {
				rc = cli_fail(&err);
				goto out;
			}
		}
		if (!addr.loopback && !token && !oauth)
			hostlog(SKILL_LOG_WARNING,
			        "%s is not a loopback address and there is no "
			        "--token-file: anyone who reaches it can call "
			        "the tools",
			        addr.url);
	}
	if (open_runtime(ctx, skills, nskills, http ? base : NULL, &rt, &err) !=
	    SH_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	prune_artifacts(rt);
	if (cli_serve_policy(ctx, rt, profile, &pol, &err) != SH_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	{
		struct mcp_server_opts so = {
		        .rt = rt,
		        .page_size = (size_t)page,
		        .threads = (unsigned)threads,
		        .canonical_names = canonical_names,
		        .stateless = stateless,
		        .call_timeout_ms = call_to,
		        .tool_search = tool_search,
		        .tool_search_threshold = (size_t)ts_threshold,
		        .core_tools = core_tools,
		        .profiles = pol.profiles,
		        .profile = pol.profile,
		        .limits = pol.limits,
		};
		if (mcp_server_new(&so, &srv, &err) != SH_OK) {
			rc = cli_fail(&err);
			goto out;
		}
	}
	if (use_stdio) {
		/* stdout carries only MCP: keep the real one for us and
		 * point fd 1 at stderr, so stray prints go to the log. */
		fflush(stdout);
		out_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		if (out_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
			sh_error_errno(&err, SH_ERR_IO, errno,
			               "cannot set up stdout");
			rc = cli_fail(&err);
			goto out;
		}
		if (mcp_stdio_start(srv, STDIN_FILENO, out_fd, (size_t)body,
		                    &stdio, &err) != SH_OK) {
			rc = cli_fail(&err);
			goto out;
		}
		hostlog(SKILL_LOG_INFO, "serving %zu tools over MCP on stdio",
		        catalog_tool_count(runtime_catalog(rt)));
	} else {
		struct mcp_http_opts ho = {
		        .addr = &addr,
		        .svc = runtime_services(rt),
		        .allow_origins = norigins ? origins : NULL,
		        .allow_hosts = nhosts ? hosts : NULL,
		        .token = token,
		        .oauth = oauth,
		        .stateless = stateless,
		        .max_body = (size_t)body,
		        .poll_threads = (unsigned)poll,
		        .max_connections = (unsigned)conns,
		        .connection_timeout_s = (unsigned)ctimeout,
		        .session_idle_s = (unsigned)stimeout,
		        .max_sessions = (unsigned)sessions,
		        .max_client_connections = (unsigned)cconns,
		        .max_client_sessions = (unsigned)csessions,
		        .header_timeout_s = (unsigned)htimeout,
		};
		sh_status st = mcp_http_start(srv, &ho, &hsrv, &err);
		addr.fd = -1; /* the server's now, or closed */
		if (st != SH_OK) {
			rc = cli_fail(&err);
			goto out;
		}
		hostlog(SKILL_LOG_NOTICE,
		        "serving %zu tools over MCP at %s/mcp%s",
		        catalog_tool_count(runtime_catalog(rt)), addr.url,
		        stateless ? " (stateless)" : "");
	}
	if (ready) {
		char line[160];
		int n = snprintf(line, sizeof line, "%s\n",
		                 http ? addr.url : "stdio");
		if (fs_write_atomic(ready, line, (size_t)n, 0644, &err) !=
		    SH_OK)
			hostlog(SKILL_LOG_ERROR, "--ready-file: %s", err.msg);
	}

	sig = wait_loop(rt, &set, stdio, reload_s);
	/* A second SIGTERM or Ctrl-C kills at once, should the drain hang. */
	(void)signal(SIGTERM, SIG_DFL);
	(void)signal(SIGINT, SIG_DFL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (sig)
		hostlog(SKILL_LOG_NOTICE,
		        "%s: draining calls in flight, then "
		        "exiting",
		        sig == SIGTERM ? "SIGTERM" : "SIGINT");
	if (hsrv) {
		mcp_http_stop(hsrv, drain_s * 1000);
		hsrv = NULL;
	}
	if (stdio) {
		if (sig)
			mcp_server_drain(srv, drain_s * 1000);
		mcp_stdio_stop(stdio);
		stdio = NULL;
	}
out:
	mcp_http_stop(hsrv, 0);
	mcp_stdio_stop(stdio);
	mcp_server_free(srv);
	cli_serve_policy_free(&pol);
	mcp_oauth_free(oauth);
	if (auth_secret) {
		memset(auth_secret, 0, strlen(auth_secret));
		free(auth_secret);
	}
	runtime_close(rt);
	if (addr.fd >= 0)
		close(addr.fd);
	if (out_fd >= 0)
		close(out_fd);
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	return rc;
}
