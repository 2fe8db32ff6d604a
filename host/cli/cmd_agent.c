/*
 * cmd_agent.c - `skillhost agent`: run the agent loop (agent.h) once.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "commands.h"
#include "fsutil.h"
#include "hostlog.h"
#include "runtime.h"

/* Most bytes of a prompt read from stdin. */
#define AGENT_PROMPT_MAX ((size_t)4 * 1024 * 1024)
#define AGENT_SPEC_MAX   256

/* The longest argument text shown for a tool call on the terminal. */
#define AGENT_ARGS_SHOWN 72
/* Exit code of a run stopped by Ctrl-C, as shells report SIGINT. */
#define AGENT_EXIT_INTERRUPTED 130
/* Most "-N" suffixes tried for a free artifact name. */
#define AGENT_COPY_TRIES 1000

static atomic_int interrupted;

static void on_sigint(int sig)
{
	static const char msg[] = "\nskillhost: interrupted: stopping the "
	                          "model request and the tools (Ctrl-C again "
	                          "to force)\n";
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	(void)sig;
	/* The first Ctrl-C stops the loop and its tools; a second kills. */
	atomic_store(&interrupted, 1);
	(void)sigaction(SIGINT, &dfl, NULL);
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
}

/* Without SA_RESTART, so a wait in poll() or a read returns at once and
 * the loop sees the flag without waiting for its next timer. */
static void catch_sigint(int on)
{
	struct sigaction sa = {.sa_handler = on ? on_sigint : SIG_DFL};

	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
}

/* ---- what the person at the terminal sees ------------------------------ */

static pthread_mutex_t show_lock = PTHREAD_MUTEX_INITIALIZER;

/* One line of s, shortened to max bytes (at a UTF-8 boundary) with
 * "..." when cut. */
static void shorten(const char *s, size_t max, char *out, size_t cap)
{
	size_t j = 0;
	int cut = 0;

	for (; s && *s; s++) {
		char c = *s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s;
		if (j >= max || j + 4 >= cap) {
			cut = 1;
			break;
		}
		if ((unsigned char)c < 0x20)
			continue;
		out[j++] = c;
	}
	/* Do not end inside a multi-byte character. */
	while (cut && j && ((unsigned char)out[j - 1] & 0xC0) == 0x80)
		j--;
	if (cut && j && ((unsigned char)out[j - 1] & 0xC0) == 0xC0)
		j--;
	/* Every byte written so far had 4 to spare (j + 4 < cap), so the
	 * "..." and its NUL fit. */
	if (cut)
		memcpy(out + j, "...", sizeof "...");
	else
		out[j] = '\0';
}

static void show_event(void *ud, const struct agent_event *ev)
{
	char a[AGENT_ARGS_SHOWN + 8], line[1024];
	double s = (double)ev->ms / 1000.0;

	(void)ud;
	switch (ev->kind) {
	case AGENT_EV_REQUEST:
		snprintf(line, sizeof line, "step %d: asking %s (%s)...",
		         ev->step, ev->backend, ev->model);
		break;
	case AGENT_EV_REPLY:
		if (ev->ncalls)
			snprintf(line, sizeof line,
			         "step %d: %s answered in %.1f s, asking for "
			         "%zu tool call%s",
			         ev->step, ev->backend, s, ev->ncalls,
			         ev->ncalls == 1 ? "" : "s");
		else
			snprintf(line, sizeof line,
			         "step %d: %s answered in %.1f s", ev->step,
			         ev->backend, s);
		break;
	case AGENT_EV_FAILED:
		shorten(ev->error, 300, line, sizeof line);
		snprintf(a, sizeof a, "%.1f s", s);
		fprintf(stderr, "skillhost: step %d: %s failed after %s: %s\n",
		        ev->step, ev->backend, a, line);
		return;
	case AGENT_EV_TOOL:
		shorten(ev->args, AGENT_ARGS_SHOWN, a, sizeof a);
		snprintf(line, sizeof line, "  -> %s %s", ev->tool,
		         *a ? a : "{}");
		break;
	case AGENT_EV_TOOL_DONE:
		if (ev->is_error) {
			char why[200];
			shorten(ev->error, 160, why, sizeof why);
			snprintf(line, sizeof line,
			         "  <- %s failed in %.1f s: %s", ev->tool, s,
			         why);
		} else {
			snprintf(line, sizeof line, "  <- %s done in %.1f s",
			         ev->tool, s);
		}
		break;
	default: return;
	}
	/* Calls of one turn finish on their own threads. */
	pthread_mutex_lock(&show_lock);
	fprintf(stderr, "skillhost: %s\n", line);
	pthread_mutex_unlock(&show_lock);
}

static void help(void)
{
	puts("usage: skillhost agent --backend B --model M [--base-url URL]\n"
	     "           [--max-steps N] [--json] [--fallback "
	     "B2[:M2][,B3...]]\n"
	     "           [--skill PATH.so]... [options] PROMPT...|-\n"
	     "\n"
	     "Run a model with the host's tools until it answers: the model\n"
	     "asks for tools, the host runs them (a turn's calls at once) and\n"
	     "sends the results back. Prints the answer, then the paths of\n"
	     "the files the tools made (copied into --out), then each\n"
	     "backend's token usage on stderr. On a terminal, stderr shows\n"
	     "each step: the model requests, each tool call with its\n"
	     "arguments, durations, errors and retries. Ctrl-C stops the\n"
	     "model request and the tools and exits 130; a second Ctrl-C\n"
	     "forces it. PROMPT '-' reads the prompt from stdin.\n"
	     "\n"
	     "Backends and their credentials (from the environment):\n"
	     "  openai            OPENAI_API_KEY (OPENAI_BASE_URL)\n"
	     "  openai-responses  OPENAI_API_KEY (OPENAI_BASE_URL)\n"
	     "  azure             AZURE_OPENAI_API_KEY, "
	     "AZURE_OPENAI_ENDPOINT;\n"
	     "                    --model is the deployment\n"
	     "  anthropic         ANTHROPIC_API_KEY (ANTHROPIC_BASE_URL)\n"
	     "  bedrock           AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,\n"
	     "                    AWS_SESSION_TOKEN or "
	     "AWS_BEARER_TOKEN_BEDROCK;\n"
	     "                    AWS_REGION "
	     "(AWS_ENDPOINT_URL_BEDROCK_RUNTIME)\n"
	     "  gemini            GEMINI_API_KEY (GOOGLE_GEMINI_BASE_URL)\n"
	     "  ollama            none; OLLAMA_HOST (OLLAMA_API_KEY)\n"
	     "\n"
	     "  --backend B        the backend to start with\n"
	     "  --model M          its model (Azure: deployment; Bedrock: "
	     "id);\n"
	     "                     default $SKILLHOST_<B>_MODEL, else the\n"
	     "                     vendor's current general model\n"
	     "  --base-url URL     its endpoint (fallbacks use the variables\n"
	     "                     in parentheses above)\n"
	     "  --fallback LIST    backends to continue the same conversation\n"
	     "                     on when one fails or stays rate-limited:\n"
	     "                     B or B:MODEL, comma-separated (a bare B\n"
	     "                     uses $SKILLHOST_<B>_MODEL, else B's\n"
	     "                     current general model; azure and bedrock\n"
	     "                     need B:MODEL)\n"
	     "  --max-steps N      model requests before giving up (default "
	     "10)\n"
	     "  --json             print the transcript, usage, failures and\n"
	     "                     artifacts as JSON; no progress lines\n"
	     "  -q, --quiet        only the answer and errors\n"
	     "  --progress         show the steps even when stderr is not a\n"
	     "                     terminal\n"
	     "  --out DIR          copy the artifacts here (default: the\n"
	     "                     working folder); an existing file is never\n"
	     "                     replaced: the copy becomes NAME-2.EXT, ...\n"
	     "  --skill PATH.so    load this skill file (repeatable)\n"
	     "  --system TEXT      a system prompt\n"
	     "  --max-tokens N     the model's output token limit\n"
	     "  --timeout S        seconds one model request may take (300)\n"
	     "  --connect-timeout S  seconds to connect (10)\n"
	     "  --retries N        retries on 429, 5xx and network errors (3)\n"
	     "  --retry-max S      longest wait between retries, Retry-After\n"
	     "                     included (30)\n"
	     "  --tool-timeout MS  deadline of each tool call\n"
	     "  --region R         Bedrock region (else AWS_REGION)\n"
	     "  --api-version V    Azure API version (else\n"
	     "                     AZURE_OPENAI_API_VERSION, "
	     "or " BACKEND_AZURE_API_VERSION ")\n"
	     "  --gemini-openapi   declare Gemini tools in the OpenAPI subset\n"
	     "\n"
	     "Exit codes: 0 answered; 2 usage (e.g. a missing key); 5 the\n"
	     "step limit was reached or every backend failed; 130 Ctrl-C.");
}

static int positive(const char *s, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v <= 0 || v > max)
		return 0;
	*out = v;
	return 1;
}

static char *read_stdin(void)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		size_t got;
		if (n + 1 == cap) {
			char *grown;
			if (cap >= AGENT_PROMPT_MAX ||
			    !(grown = realloc(buf, cap * 2))) {
				free(buf);
				return NULL;
			}
			buf = grown;
			cap *= 2;
		}
		got = fread(buf + n, 1, cap - 1 - n, stdin);
		n += got;
		if (got == 0)
			break;
	}
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* The words of the prompt joined by spaces. */
static char *join(int argc, char **argv)
{
	size_t n = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	if (!(s = malloc(n)))
		return NULL;
	n = 0;
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);
		if (i)
			s[n++] = ' ';
		memcpy(s + n, argv[i], len);
		n += len;
	}
	s[n] = '\0';
	return s;
}

/* ---- artifacts into the working folder --------------------------------- */

/* dir/name, or dir/stem-N.ext for the first N from 2 that is free. */
static int candidate(char *buf, size_t cap, const char *dir, const char *name,
                     int n)
{
	const char *dot = strrchr(name, '.');
	int len;

	if (n < 2)
		len = snprintf(buf, cap, "%s/%s", dir, name);
	else if (dot && dot != name)
		len = snprintf(buf, cap, "%s/%.*s-%d%s", dir, (int)(dot - name),
		               name, n, dot);
	else
		len = snprintf(buf, cap, "%s/%s-%d", dir, name, n);
	return len > 0 && (size_t)len < cap;
}

/*
 * Copy the artifact at src into dir under name. The copy is written to a
 * hidden temporary file, fsynced, then linked to its final name, which
 * fails rather than replaces when that name exists: an existing file is
 * never overwritten, the copy takes the next free "stem-N.ext" instead.
 * The final path goes to out.
 */
static sh_status copy_artifact(const char *src, const char *dir,
                               const char *name, char *out, size_t cap,
                               struct sh_error *e)
{
	char tmp[PATH_MAX], buf[65536];
	struct stat st;
	int in, fd = -1, n;
	sh_status rc = SH_OK;

	while (*name == '.')
		name++; /* never a hidden file */
	if (!*name)
		name = "artifact";
	if ((in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return sh_error_set(e, SH_ERR_IO, "cannot open %s: %s", src,
		                    strerror(errno));
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(in);
		return sh_error_set(e, SH_ERR_IO, "%s is not a regular file",
		                    src);
	}
	if (snprintf(tmp, sizeof tmp, "%s/.skillhost-copy.XXXXXX", dir) >=
	            (int)sizeof tmp ||
	    (fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = sh_error_set(e, SH_ERR_IO, "cannot write in %s: %s", dir,
		                  strerror(errno));
		close(in);
		return rc;
	}
	for (;;) {
		ssize_t got = read(in, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = sh_error_set(e, SH_ERR_IO, "cannot read %s: %s",
			                  src, strerror(errno));
			break;
		}
		if (got == 0)
			break;
		rc = fs_write_all(fd, buf, (size_t)got, tmp, e);
		if (rc != SH_OK)
			break;
	}
	close(in);
	if (rc == SH_OK && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
		rc = sh_error_set(e, SH_ERR_IO, "cannot write %s: %s", tmp,
		                  strerror(errno));
	if (close(fd) != 0 && rc == SH_OK)
		rc = sh_error_set(e, SH_ERR_IO, "cannot write %s: %s", tmp,
		                  strerror(errno));
	for (n = 1; rc == SH_OK; n++) {
		if (n > AGENT_COPY_TRIES ||
		    !candidate(out, cap, dir, name, n)) {
			rc = sh_error_set(e, SH_ERR_IO,
			                  "no free name for %s in %s", name,
			                  dir);
			break;
		}
		if (link(tmp, out) == 0)
			break;
		if (errno != EEXIST)
			rc = sh_error_set(e, SH_ERR_IO, "cannot create %s: %s",
			                  out, strerror(errno));
	}
	unlink(tmp);
	if (rc == SH_OK)
		rc = fs_sync_dir(dir, e);
	return rc;
}

/* Copy every artifact of the run into dir and print where each went on
 * stdout (after the answer); returns an exit code. */
static int deliver_artifacts(const struct agent *agent, const char *dir,
                             int json, cJSON *report)
{
	cJSON *arr = NULL;
	int rc = 0;

	if (!agent_artifact_count(agent))
		return 0;
	if (json && report &&
	    !(arr = cJSON_AddArrayToObject(report, "artifacts")))
		return 5;
	for (size_t i = 0; i < agent_artifact_count(agent); i++) {
		const struct agent_artifact *art = agent_artifact(agent, i);
		char dest[PATH_MAX];
		struct sh_error e;
		if (copy_artifact(art->path, dir, art->name, dest, sizeof dest,
		                  &e) != SH_OK) {
			fprintf(stderr,
			        "skillhost: error: %s; the artifact stays at "
			        "%s\n",
			        e.msg, art->path);
			rc = 5;
			continue;
		}
		if (arr)
			cJSON_AddItemToArray(arr, cJSON_CreateString(dest));
		else
			printf("artifact: %s\n", dest);
	}
	return rc;
}

static void print_usage(const struct agent *a)
{
	for (size_t i = 0; i < agent_backend_count(a); i++) {
		const struct backend *b = agent_backend(a, i);
		const struct backend_usage *u = backend_usage(b);
		if (!u->attempts)
			continue;
		hostlog(SKILL_LOG_NOTICE,
		        "usage: %s (%s): %lld request%s, %lld input + %lld "
		        "output tokens",
		        backend_name(b), backend_model(b),
		        (long long)u->requests, u->requests == 1 ? "" : "s",
		        (long long)u->input_tokens,
		        (long long)u->output_tokens);
	}
}

int cmd_agent(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"backend", required_argument, NULL, 'b'},
	        {"model", required_argument, NULL, 'm'},
	        {"base-url", required_argument, NULL, 'u'},
	        {"max-steps", required_argument, NULL, 'n'},
	        {"json", no_argument, NULL, 'j'},
	        {"fallback", required_argument, NULL, 'f'},
	        {"skill", required_argument, NULL, 's'},
	        {"system", required_argument, NULL, 'S'},
	        {"max-tokens", required_argument, NULL, 'T'},
	        {"timeout", required_argument, NULL, 't'},
	        {"connect-timeout", required_argument, NULL, 'C'},
	        {"retries", required_argument, NULL, 'r'},
	        {"retry-max", required_argument, NULL, 'R'},
	        {"tool-timeout", required_argument, NULL, 'o'},
	        {"region", required_argument, NULL, 'g'},
	        {"api-version", required_argument, NULL, 'v'},
	        {"gemini-openapi", no_argument, NULL, 'G'},
	        {"quiet", no_argument, NULL, 'q'},
	        {"progress", no_argument, NULL, 'P'},
	        {"out", required_argument, NULL, 'O'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct backend_config be[AGENT_MAX_BACKENDS] = {{0}};
	char specs[AGENT_MAX_BACKENDS][AGENT_SPEC_MAX];
	char *skills[CLI_MAX_SKILLS];
	struct agent_opts ao = {
	        .backends = be, .nbackends = 1, .cancel = &interrupted};
	const char *fallback = NULL, *outdir = ".";
	char models[AGENT_MAX_BACKENDS][AGENT_SPEC_MAX];
	int nskills = 0, json = ctx->json, c, rc = 0, quiet = 0, progress = -1;
	long v;
	char *prompt = NULL;
	struct runtime *rt = NULL;
	struct agent *agent = NULL;
	struct sh_error err;
	sh_status st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:m:u:n:jf:s:qh", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'b': be[0].name = optarg; break;
		case 'm': be[0].model = optarg; break;
		case 'u': be[0].base_url = optarg; break;
		case 'j': json = 1; break;
		case 'f': fallback = optarg; break;
		case 'S': ao.system = optarg; break;
		case 'g': be[0].region = optarg; break;
		case 'v': be[0].api_version = optarg; break;
		case 'G': be[0].gemini_openapi = 1; break;
		case 'q': quiet = 1; break;
		case 'P': progress = 1; break;
		case 'O': outdir = optarg; break;
		case 's':
			if (nskills == CLI_MAX_SKILLS)
				return cli_usage("agent", "too many --skill");
			skills[nskills++] = optarg;
			break;
		case 'n':
			if (!positive(optarg, AGENT_MAX_STEPS_LIMIT, &v))
				return cli_usage(
				        "agent",
				        "--max-steps needs a number from "
				        "1 to %d",
				        AGENT_MAX_STEPS_LIMIT);
			ao.max_steps = (int)v;
			break;
		case 'T':
			if (!positive(optarg, 10000000, &v))
				return cli_usage("agent",
				                 "--max-tokens needs a "
				                 "positive number");
			be[0].max_tokens = (int)v;
			break;
		case 't':
		case 'C':
		case 'R':
			if (!positive(optarg, 86400, &v))
				return cli_usage(
				        "agent",
				        "--%s needs a number of seconds",
				        c == 't'   ? "timeout"
				        : c == 'C' ? "connect-timeout"
				                   : "retry-max");
			if (c == 't')
				ao.http.timeout_ms = v * 1000;
			else if (c == 'C')
				ao.http.connect_timeout_ms = v * 1000;
			else
				ao.http.retry_max_ms = v * 1000;
			break;
		case 'r':
			if (!strcmp(optarg, "0"))
				ao.http.max_retries = -1;
			else if (positive(optarg, 100, &v))
				ao.http.max_retries = (int)v;
			else
				return cli_usage("agent",
				                 "--retries needs a "
				                 "number from 0 to 100");
			break;
		case 'o':
			if (!positive(optarg, 86400000, &v))
				return cli_usage("agent",
				                 "--tool-timeout needs a "
				                 "number of milliseconds");
			ao.tool_timeout_ms = v;
			break;
		case 'h': help(); return 0;
		default: return cli_usage("agent", "unknown option");
		}
	}
	if (!be[0].name)
		return cli_usage("agent", "which backend? give --backend (%s)",
		                 backend_names());
	if (!backend_known(be[0].name))
		return cli_usage("agent", "unknown backend '%s' (known: %s)",
		                 be[0].name, backend_names());
	if (!be[0].model)
		return cli_usage("agent", "which model? give --model");
	if (!fs_is_dir(outdir))
		return cli_usage("agent", "--out %s is not a folder", outdir);
	if (optind >= argc)
		return cli_usage("agent", "what should the agent do? give a "
		                          "PROMPT");
	for (const char *p = fallback; p && *p;) {
		size_t n = strcspn(p, ",");
		char *colon;
		struct backend_config *f;
		if (ao.nbackends == AGENT_MAX_BACKENDS)
			return cli_usage("agent", "at most %d fallbacks",
			                 AGENT_MAX_BACKENDS - 1);
		if (n == 0 || n >= AGENT_SPEC_MAX)
			return cli_usage("agent", "bad --fallback list '%s'",
			                 fallback);
		memcpy(specs[ao.nbackends], p, n);
		specs[ao.nbackends][n] = '\0';
		f = &be[ao.nbackends];
		*f = be[0];
		f->base_url = NULL;
		f->name = specs[ao.nbackends];
		/* Only the first ":" splits: Bedrock ids hold ":" too. */
		f->model = NULL;
		if ((colon = strchr(specs[ao.nbackends], ':'))) {
			*colon = '\0';
			f->model = colon + 1;
		}
		if (!backend_known(f->name) || (f->model && !*f->model))
			return cli_usage("agent",
			                 "bad --fallback '%.*s' (backends: %s; "
			                 "B or B:MODEL)",
			                 (int)n, p, backend_names());
		/* A bare backend takes its own default, never the primary's
		 * model: gpt-4.1 means nothing to Anthropic. */
		if (!f->model && !(f->model = backend_default_model(
		                           f->name, models[ao.nbackends],
		                           sizeof models[ao.nbackends])))
			return cli_usage("agent",
			                 "--fallback %s needs a model: give "
			                 "%s:MODEL",
			                 f->name, f->name);
		ao.nbackends++;
		p += n + (p[n] == ',');
	}
	prompt = optind + 1 == argc && !strcmp(argv[optind], "-")
	                 ? read_stdin()
	                 : join(argc - optind, argv + optind);
	if (!prompt) {
		fprintf(stderr,
		        "skillhost: error: cannot read the prompt (over "
		        "%zu bytes?)\n",
		        AGENT_PROMPT_MAX);
		return 5;
	}

	if (cli_open_runtime(ctx, skills, nskills, &rt, &err) != SH_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if (progress < 0)
		progress = !quiet && !json && isatty(STDERR_FILENO);
	if (progress && !quiet) {
		ao.on_event = show_event;
		ao.event_ud = NULL;
	}
	if (quiet)
		hostlog_set_level(SKILL_LOG_ERROR);
	if (agent_new(rt, &ao, &agent, &err) != SH_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	catch_sigint(1);
	st = agent_run(agent, prompt, &err);
	catch_sigint(0);
	if (json) {
		cJSON *report = agent_report(agent);
		if (!report)
			rc = 5;
		else if (st == SH_OK)
			rc = deliver_artifacts(agent, outdir, 1, report);
		if (report && cli_print_json(report, 1))
			rc = 5;
		cJSON_Delete(report);
	} else if (st == SH_OK) {
		puts(agent_answer(agent));
		rc = deliver_artifacts(agent, outdir, 0, NULL);
	}
	/* A failed run's token counts are not what a person reads first;
	 * --json reports them either way. */
	if (st == SH_OK && !quiet)
		print_usage(agent);
	if (st == SH_ERR_CANCELLED ||
	    (st != SH_OK && atomic_load(&interrupted))) {
		if (!json)
			fprintf(stderr, "skillhost: interrupted\n");
		rc = AGENT_EXIT_INTERRUPTED;
	} else if (st != SH_OK) {
		rc = cli_fail(&err);
	}
out:
	agent_free(agent);
	runtime_close(rt);
	free(prompt);
	return rc;
}
