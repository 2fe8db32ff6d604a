/*
 * bench_http - host overhead of skill.http/1 per request.
 *
 * In one run, against one local libmicrohttpd server (keep-alive, a fixed
 * 256-byte JSON answer, so the server is not the bottleneck), times:
 *   curl-reuse   a direct libcurl call on one reused easy handle: what a
 *                skill linking libcurl itself would do;
 *   curl-share   a direct libcurl call on a new easy handle per request,
 *                with a connection share: how the host drives curl;
 *   host         skill.http/1 request() + response_free() on a call set up
 *                as for an installed skill (the allowlist checked, the
 *                address connected to checked: the operator permits the
 *                server's 127.0.0.1:PORT in a scratch config, as
 *                `skillhost permit` would; the skills' usual three
 *                headers), as the Jira and Salesforce skills use it;
 * for a GET and for a POST with a 1 KiB JSON body, N requests per round,
 * interleaved over R rounds, and prints the median microseconds per
 * request and the host's ratio to each direct variant.
 *
 *   bench_http [N=2000] [ROUNDS=7]
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <skill/ext/http.h>

#include "call.h"
#include "config.h"
#include "fsutil.h"
#include "hostapi.h"
#include "hostext.h"
#include "bench_util.h"
#include "perms.h"

#define BODY_BYTES 256
#define POST_BYTES 1024

static struct MHD_Response *answer;

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *data,
                               size_t *size, void **state)
{
	(void)cls, (void)url, (void)method, (void)version, (void)data;
	if (!*state) { /* headers first */
		*state = c;
		return MHD_YES;
	}
	if (*size) { /* the request body: read and dropped */
		*size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(c, MHD_HTTP_OK, answer);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
	size_t *got = ud;

	(void)p;
	*got += size * n;
	return size * n;
}

struct bench {
	char url[64];
	const char *post; /* NULL: GET */
	struct curl_slist *hdrs;
	CURL *reused;
	CURLSH *share;
	const skill_ext_http_t *http;
	struct skill_call *call;
	skill_http_header_t skill_hdrs[3];
};

static void setup_curl(CURL *h, struct bench *b, size_t *got)
{
	curl_easy_setopt(h, CURLOPT_URL, b->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, b->hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, got);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (b->post) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, b->post);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE,
		                 (long)strlen(b->post));
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
}

/* Each runner: n requests, 0 or the first failure. */
static int run_reuse(struct bench *b, long n)
{
	for (long i = 0; i < n; i++) {
		size_t got = 0;
		long code = 0;
		setup_curl(b->reused, b, &got);
		if (curl_easy_perform(b->reused) != CURLE_OK)
			return -1;
		curl_easy_getinfo(b->reused, CURLINFO_RESPONSE_CODE, &code);
		if (code != 200 || got != BODY_BYTES)
			return -1;
	}
	return 0;
}

static int run_share(struct bench *b, long n)
{
	for (long i = 0; i < n; i++) {
		CURL *h = curl_easy_init();
		size_t got = 0;
		long code = 0;
		CURLcode cc;
		if (!h)
			return -1;
		setup_curl(h, b, &got);
		curl_easy_setopt(h, CURLOPT_SHARE, b->share);
		cc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_cleanup(h);
		if (cc != CURLE_OK || code != 200 || got != BODY_BYTES)
			return -1;
	}
	return 0;
}

static int run_host(struct bench *b, long n)
{
	skill_http_request_t req = {.struct_size = sizeof req};

	req.method = b->post ? "POST" : "GET";
	req.url = b->url;
	req.headers = b->skill_hdrs;
	req.header_count = b->post ? 3 : 2;
	req.body = b->post;
	req.body_len = b->post ? strlen(b->post) : 0;
	for (long i = 0; i < n; i++) {
		const skill_http_response_t *r;
		if (b->http->request(b->call, &req, &r) != SKILL_OK ||
		    r->status != 200 || r->body_len != BODY_BYTES)
			return -1;
		b->http->response_free(b->call, r);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	static char body[BODY_BYTES + 1], post[POST_BYTES + 1];
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct host_services svc = {0};
	struct config *cfg = NULL;
	struct sh_error e;
	char home[64] = "/tmp/bench-http-XXXXXX", permit[32];
	struct skill_call call;
	struct call_result res;
	struct MHD_Daemon *mhd;
	struct bench b = {0};
	cJSON *perms;
	struct skill_perms *tp = NULL;
	double *t[2][3];
	int (*const run[3])(struct bench *, long) = {run_reuse, run_share,
	                                             run_host};
	static const char *const names[3] = {"curl-reuse", "curl-share",
	                                     "host"};
	int rc = 1;

	if (n < 1 || rounds < 1 || rounds > 1000) {
		fprintf(stderr, "usage: bench_http [N] [ROUNDS]\n");
		return 2;
	}
	memset(body, 'x', BODY_BYTES);
	memcpy(body, "{\"ok\":\"", 7);
	memcpy(body + BODY_BYTES - 2, "\"}", 2);
	memset(post, 'y', POST_BYTES);
	memcpy(post, "{\"jql\":\"", 8);
	memcpy(post + POST_BYTES - 2, "\"}", 2);
	answer = MHD_create_response_from_buffer(BODY_BYTES, body,
	                                         MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(answer, "Content-Type", "application/json");
	mhd = MHD_start_daemon(
	        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
	        handler, NULL, MHD_OPTION_SOCK_ADDR, &sa,
	        MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
	if (!answer || !mhd) {
		fprintf(stderr, "bench_http: cannot start the server\n");
		return 1;
	}
	snprintf(b.url, sizeof b.url, "http://127.0.0.1:%u/rest/api/3/x",
	         MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_BIND_PORT)->port);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	b.hdrs = curl_slist_append(NULL, "Accept: application/json");
	b.hdrs = curl_slist_append(b.hdrs,
	                           "Authorization: Basic YTpiYmJiYmJiYmJi");
	b.hdrs = curl_slist_append(b.hdrs, "Content-Type: application/json");
	b.reused = curl_easy_init();
	b.share = curl_share_init();
	curl_share_setopt(b.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(b.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);

	/* The server is on loopback, which the egress rule refuses unless
	 * the operator permits its address. */
	snprintf(permit, sizeof permit, "127.0.0.1:%u",
	         MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_BIND_PORT)->port);
	if (!mkdtemp(home) ||
	    config_update(home, "skillhost/bench", "policy", "network", permit,
	                  &e) != SH_OK ||
	    config_load(home, &cfg, &e) != SH_OK) {
		fprintf(stderr, "bench_http: cannot permit %s in %s\n", permit,
		        home);
		return 1;
	}
	svc.config = cfg;
	/* A call as for an installed skill: its manifest allows the host. */
	perms = cJSON_Parse("{\"network\":[\"127.0.0.1\"]}");
	call_init(&call, "skillhost/bench", "skillhost/bench.x", NULL);
	call.services = &svc;
	if (perms && perms_from_json(perms, &tp, NULL) != SH_OK)
		tp = NULL;
	call.perms = tp;
	b.call = &call;
	b.http = hostext_lookup(SKILL_EXT_HTTP);
	b.skill_hdrs[0] = (skill_http_header_t){"Accept", "application/json"};
	b.skill_hdrs[1] = (skill_http_header_t){"Authorization",
	                                        "Basic YTpiYmJiYmJiYmJi"};
	b.skill_hdrs[2] =
	        (skill_http_header_t){"Content-Type", "application/json"};
	for (int m = 0; m < 2; m++)
		for (int k = 0; k < 3; k++)
			t[m][k] = calloc((size_t)rounds, sizeof(double));
	if (!b.hdrs || !b.reused || !b.share || !tp || !b.http) {
		fprintf(stderr, "bench_http: setup failed\n");
		goto out;
	}
	for (int m = 0; m < 2; m++) {
		b.post = m ? post : NULL;
		for (int k = 0; k < 3; k++) /* warm up: connections, caches */
			if (run[k](&b, n / 10 + 10)) {
				fprintf(stderr,
				        "bench_http: %s warm-up failed\n",
				        names[k]);
				goto out;
			}
		for (int r = 0; r < rounds; r++)
			for (int k = 0; k < 3; k++) {
				double t0 = now_us();
				if (run[k](&b, n)) {
					fprintf(stderr,
					        "bench_http: %s failed\n",
					        names[k]);
					goto out;
				}
				t[m][k][r] = (now_us() - t0) / (double)n;
			}
	}
	printf("skill.http/1 vs direct libcurl, %ld requests x %d rounds, "
	       "loopback libmicrohttpd, %d-byte answers (median us/request)\n",
	       n, rounds, BODY_BYTES);
	for (int m = 0; m < 2; m++) {
		double reuse = bench_median(t[m][0], rounds);
		double share = bench_median(t[m][1], rounds);
		double host = bench_median(t[m][2], rounds);
		printf("%-4s  curl-reuse %7.1f  curl-share %7.1f  host %7.1f  "
		       "ratio host/curl-reuse %.2f  host/curl-share %.2f  "
		       "overhead %+.1f us\n",
		       m ? "POST" : "GET", reuse, share, host, host / reuse,
		       host / share, host - reuse);
	}
	rc = 0;
out:
	call_finish(&call, &res);
	call_result_free(&res);
	cJSON_Delete(perms);
	perms_free(tp);
	config_free(cfg);
	fs_remove_tree(home, &e);
	for (int m = 0; m < 2; m++)
		for (int k = 0; k < 3; k++)
			free(t[m][k]);
	curl_easy_cleanup(b.reused);
	curl_share_cleanup(b.share);
	curl_slist_free_all(b.hdrs);
	MHD_stop_daemon(mhd);
	MHD_destroy_response(answer);
	return rc;
}
