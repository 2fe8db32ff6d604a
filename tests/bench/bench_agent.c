/*
 * bench_agent - host overhead of one agent step, the model excluded.
 *
 * A zero-latency fake OpenAI Chat Completions server (libmicrohttpd, on
 * 127.0.0.1, in this process) answers the first 9 requests of a run with
 * a call to testing/noop.noop and the 10th with the final answer. Each run
 * is one agent_run of 10 steps; a step is: build the request from the
 * transcript, POST it over a kept-alive loopback connection, parse the
 * reply, dispatch the tool, record the result. Prints the median us per
 * step over the runs; beside it the median of a bare libcurl POST of a
 * request of the same size to the same server, timed right after each
 * run; and the median of the per-run differences: what the host itself
 * spends per step.
 *
 *   bench_agent [RUNS=31]
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>

#include "agent.h"
#include "call.h"
#include "runtime.h"
#include "bench_util.h"

#define STEPS    10
#define MAX_RUNS 1000

static atomic_int served;
static char replies[STEPS][512];

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
	struct MHD_Response *r;
	enum MHD_Result rc;
	int n;

	(void)cls, (void)url, (void)method, (void)version, (void)upload;
	if (!*state) { /* headers only: ask for the body */
		*state = conn;
		return MHD_YES;
	}
	if (*upload_size) { /* drop the body: a zero-cost model */
		*upload_size = 0;
		return MHD_YES;
	}
	n = atomic_fetch_add(&served, 1) % STEPS;
	r = MHD_create_response_from_buffer(strlen(replies[n]), replies[n],
	                                    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

static size_t discard(char *p, size_t s, size_t n, void *ud)
{
	(void)p, (void)ud;
	return s * n;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 31;
	struct runtime_opts ro = {.home = "/nonexistent-skillhost-home"};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	double step_us[MAX_RUNS], http_us[MAX_RUNS], diff_us[MAX_RUNS];
	char url[128], path[1024], full[160];
	char *body = NULL;
	CURL *h;
	struct curl_slist *hd;
	size_t req_size = 0;
	struct MHD_Daemon *d;
	struct runtime *rt;
	struct sh_error e;
	int port;

	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: bench_agent [RUNS 1..%d]\n", MAX_RUNS);
		return 2;
	}
	for (int i = 0; i < STEPS - 1; i++)
		snprintf(replies[i], sizeof replies[i],
		         "{\"choices\":[{\"message\":{\"role\":\"assistant\","
		         "\"content\":null,\"tool_calls\":[{\"id\":\"call_%d\","
		         "\"type\":\"function\",\"function\":{\"name\":"
		         "\"testing__noop__noop\",\"arguments\":\"{\\\"x\\\":%"
		         "d}\"}}]},"
		         "\"finish_reason\":\"tool_calls\"}],\"usage\":"
		         "{\"prompt_tokens\":10,\"completion_tokens\":5}}",
		         i, i);
	snprintf(replies[STEPS - 1], sizeof replies[STEPS - 1],
	         "{\"choices\":[{\"message\":{\"role\":\"assistant\","
	         "\"content\":"
	         "\"done\"},\"finish_reason\":\"stop\"}],\"usage\":"
	         "{\"prompt_tokens\":10,\"completion_tokens\":5}}");

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0,
	                     NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
	                     &sa, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "bench_agent: cannot start the fake server\n");
		return 5;
	}
	port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", port);
	snprintf(path, sizeof path, "%s/lib/testing-noop.so", SKILLS_OUT);
	if (runtime_open(&ro, &rt, &e) ||
	    runtime_add_skill_file(rt, path, &e) || runtime_seal(rt, &e)) {
		fprintf(stderr, "bench_agent: %s\n", e.msg);
		return 5;
	}

	h = curl_easy_init();
	hd = curl_slist_append(NULL, "Content-Type: application/json");
	/* The same loopback exchange with nothing of the host around it,
	 * timed right after each run so both see the same machine load. */
	snprintf(full, sizeof full, "%s/chat/completions", url);
	curl_easy_setopt(h, CURLOPT_URL, full);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	for (int r = 0; r < runs; r++) {
		struct backend_config be = {.name = "openai",
		                            .model = "bench",
		                            .base_url = url,
		                            .api_key = "sk-bench"};
		struct agent_opts o = {
		        .backends = &be, .nbackends = 1, .max_steps = STEPS};
		struct agent *a;
		int64_t t0;

		atomic_store(&served, 0);
		if (agent_new(rt, &o, &a, &e) != SH_OK) {
			fprintf(stderr, "bench_agent: %s\n", e.msg);
			return 5;
		}
		t0 = call_now_ns();
		if (agent_run(a, "Call noop nine times.", &e) != SH_OK ||
		    agent_steps(a) != STEPS) {
			fprintf(stderr, "bench_agent: %s\n", e.msg);
			return 5;
		}
		step_us[r] = (double)(call_now_ns() - t0) / 1000.0 / STEPS;
		if (!body) {
			/* a body the size of the run's average request */
			cJSON *j = agent_report(a);
			char *s = cJSON_PrintUnformatted(j);
			req_size = strlen(s) / 2;
			free(s);
			cJSON_Delete(j);
			body = malloc(req_size + 1);
			memset(body, ' ', req_size);
			body[0] = '{';
			body[req_size - 1] = '}';
			body[req_size] = '\0';
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		}
		agent_free(a);

		t0 = call_now_ns();
		for (int i = 0; i < STEPS; i++)
			curl_easy_perform(h);
		http_us[r] = (double)(call_now_ns() - t0) / 1000.0 / STEPS;
		diff_us[r] = step_us[r] - http_us[r];
	}
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
	free(body);

	qsort(step_us, (size_t)runs, sizeof *step_us, bench_cmp_double);
	qsort(http_us, (size_t)runs, sizeof *http_us, bench_cmp_double);
	qsort(diff_us, (size_t)runs, sizeof *diff_us, bench_cmp_double);
	printf("runs: %d x %d steps (9 tool calls + the answer)\n", runs,
	       STEPS);
	printf("agent step (median):         %8.1f us\n", step_us[runs / 2]);
	printf("bare HTTP round trip:        %8.1f us (%zu-byte body)\n",
	       http_us[runs / 2], req_size);
	printf("host overhead per step:      %8.1f us (median of per-run "
	       "differences)\n",
	       diff_us[runs / 2]);
	runtime_close(rt);
	MHD_stop_daemon(d);
	return 0;
}
