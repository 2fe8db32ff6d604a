/*
 * testing/netclient - calls the host's HTTP and secrets services the way a
 * real integration does, for the host's tests.
 */
#include <stdio.h>
#include <string.h>

#include <skill/skill.h>

#include "../fixture.h"

static const skill_tool_t fetch = {
        .struct_size = sizeof(skill_tool_t),
        .name = "fetch",
        .description = "Make an HTTP request through the host.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{\"url\":{\"type\":"
                "\"string\"},\"method\":{\"type\":\"string\"},\"body\":"
                "{\"type\":\"string\"},\"header\":{\"type\":\"string\"},"
                "\"max\":{\"type\":\"integer\"},\"timeout_ms\":{\"type\":"
                "\"integer\"}},\"required\":[\"url\"]}",
        .requires_ext = (const char *const[]){SKILL_EXT_HTTP, NULL}};

static const skill_tool_t secret = {
        .struct_size = sizeof(skill_tool_t),
        .name = "secret",
        .description = "Say whether a secret is readable, and how long it is.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
                "\"string\"}},\"required\":[\"name\"]}",
        .requires_ext = (const char *const[]){SKILL_EXT_SECRETS, NULL}};

static const skill_tool_t *const tools[] = {&fetch, &secret};

static skill_status do_fetch(const skill_host_t *h, skill_call_t *c)
{
	const skill_ext_http_t *http = h->get_extension(h, SKILL_EXT_HTTP);
	skill_http_request_t req = {.struct_size = sizeof req};
	const skill_http_response_t *resp;
	skill_http_header_t hdr = {"X-Test", NULL};
	const char *body = h->arg_string(c, "body");
	char out[1024];
	double n;
	skill_status st;

	req.method =
	        h->arg_string(c, "method") ? h->arg_string(c, "method") : "GET";
	req.url = h->arg_string(c, "url");
	if ((hdr.value = h->arg_string(c, "header"))) {
		req.headers = &hdr;
		req.header_count = 1;
	}
	if (body) {
		req.body = body;
		req.body_len = strlen(body);
	}
	if (h->arg_number(c, "max", &n))
		req.max_response_bytes = (int64_t)n;
	if (h->arg_number(c, "timeout_ms", &n))
		req.timeout_ms = (int64_t)n;
	st = http->request(c, &req, &resp);
	if (st != SKILL_OK) {
		snprintf(out, sizeof out, "request failed: status %d", (int)st);
		h->tool_error(c, out);
		return st;
	}
	snprintf(out, sizeof out, "%d %s|%s|%.600s", resp->status,
	         http->header(resp, "x-attempt")
	                 ? http->header(resp, "x-attempt")
	                 : "-",
	         resp->final_url, resp->body);
	return h->result_text(c, out, SKILL_NUL_TERMINATED);
}

static skill_status do_secret(const skill_host_t *h, skill_call_t *c)
{
	const skill_ext_secrets_t *s = h->get_extension(h, SKILL_EXT_SECRETS);
	char buf[256], out[128];
	int64_t n = s->get(c, h->arg_string(c, "name"), buf, sizeof buf);

	/* Report the length only: a tool should never echo a secret. */
	snprintf(out, sizeof out, "length %lld", (long long)n);
	memset(buf, 0, sizeof buf);
	return h->result_text(c, out, SKILL_NUL_TERMINATED);
}

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool, const char *args,
                           size_t len)
{
	(void)data, (void)args, (void)len;
	return tool == 0 ? do_fetch(host, call) : do_secret(host, call);
}

FIXTURE_SKILL("testing/netclient", "1.0.0",
              "Test fixture: uses the host's HTTP and secrets "
              "services.",
              tools, invoke)
