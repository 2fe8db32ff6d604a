/*
 * cmd_agent.c - `skillhost agent`: run the agent loop (agent.h) once.
 */
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "commands.h"
#include "hostlog.h"
#include "runtime.h"

/* Most bytes of a prompt read from stdin. */
#define AGENT_PROMPT_MAX ((size_t)4 * 1024 * 1024)
#define AGENT_SPEC_MAX   256

static atomic_int interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	/* The first Ctrl-C stops the loop and its tools; a second kills. */
	atomic_store(&interrupted, 1);
	(void)signal(SIGINT, SIG_DFL);
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
	     "sends the results back. Prints the answer, then each backend's\n"
	     "token usage on stderr. PROMPT '-' reads the prompt from stdin.\n"
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
	     "  --model M          its model (Azure: deployment; Bedrock: id)\n"
	     "  --base-url URL     its endpoint (fallbacks use the variables\n"
	     "                     in parentheses above)\n"
	     "  --fallback LIST    backends to continue the same conversation\n"
	     "                     on when one fails or stays rate-limited:\n"
	     "                     B or B:MODEL, comma-separated (a bare B\n"
	     "                     uses --model)\n"
	     "  --max-steps N      model requests before giving up (default "
	     "10)\n"
	     "  --json             print the transcript, usage and failures\n"
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
	     "step limit was reached or every backend failed.");
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
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct backend_config be[AGENT_MAX_BACKENDS] = {{0}};
	char specs[AGENT_MAX_BACKENDS][AGENT_SPEC_MAX];
	char *skills[CLI_MAX_SKILLS];
	struct agent_opts ao = {
	        .backends = be, .nbackends = 1, .cancel = &interrupted};
	const char *fallback = NULL;
	int nskills = 0, json = ctx->json, c, rc = 0;
	long v;
	char *prompt = NULL;
	struct runtime *rt = NULL;
	struct agent *agent = NULL;
	struct sh_error err;
	sh_status st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:m:u:n:jf:s:h", opts, NULL)) !=
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
		if ((colon = strchr(specs[ao.nbackends], ':'))) {
			*colon = '\0';
			f->model = colon + 1;
		}
		if (!backend_known(f->name) || !*f->model)
			return cli_usage("agent",
			                 "bad --fallback '%.*s' (backends: %s; "
			                 "B or B:MODEL)",
			                 (int)n, p, backend_names());
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
	if (agent_new(rt, &ao, &agent, &err) != SH_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	(void)signal(SIGINT, on_sigint);
	st = agent_run(agent, prompt, &err);
	(void)signal(SIGINT, SIG_DFL);
	if (json) {
		cJSON *report = agent_report(agent);
		if (!report || cli_print_json(report, 1))
			rc = 5;
		cJSON_Delete(report);
	} else if (st == SH_OK) {
		puts(agent_answer(agent));
	}
	print_usage(agent);
	if (st != SH_OK)
		rc = cli_fail(&err);
	else if (rc)
		fprintf(stderr, "skillhost: error: out of memory\n");
out:
	agent_free(agent);
	runtime_close(rt);
	free(prompt);
	return rc;
}
