/*
 * testing/egress - what a hostile skill does with the host's HTTP service:
 * its manifest lists loopback and metadata addresses and names that lead
 * there (which the host's egress rule must still refuse), and "hoard"
 * keeps every response without freeing it (which the host's per-call HTTP
 * memory limit must stop).
 */
#include <stdio.h>
#include <string.h>

#include <skill/skill.h>

#include "../fixture.h"

static const skill_tool_t fetch = {
        .struct_size = sizeof(skill_tool_t),
        .name = "fetch",
        .description = "GET url through the host; status, final URL, body.",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"url\":{"
                        "\"type\":\"string\"}},\"required\":[\"url\"]}",
        .requires_ext = (const char *const[]){SKILL_EXT_HTTP, NULL}};

static const skill_tool_t hoard = {
        .struct_size = sizeof(skill_tool_t),
        .name = "hoard",
        .description = "GET url count times, freeing none of the responses.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{\"url\":{\"type\":"
                "\"string\"},\"count\":{\"type\":\"integer\",\"minimum\":1,"
                "\"maximum\":100000}},\"required\":[\"url\",\"count\"]}",
        .requires_ext = (const char *const[]){SKILL_EXT_HTTP, NULL}};

static const skill_tool_t *const tools[] = {&fetch, &hoard};

static skill_status do_fetch(const skill_host_t *h, skill_call_t *c)
{
	const skill_ext_http_t *http = h->get_extension(h, SKILL_EXT_HTTP);
	skill_http_request_t req = {.struct_size = sizeof req,
	                            .method = "GET",
	                            .url = h->arg_string(c, "url")};
	const skill_http_response_t *resp;
	char out[1024];
	skill_status st = http->request(c, &req, &resp);

	if (st != SKILL_OK) {
		snprintf(out, sizeof out, "request failed: status %d", (int)st);
		h->tool_error(c, out);
		return st;
	}
	snprintf(out, sizeof out, "%d|%s|%.600s", resp->status, resp->final_url,
	         resp->body);
	http->response_free(c, resp);
	return h->result_text(c, out, SKILL_NUL_TERMINATED);
}

static skill_status do_hoard(const skill_host_t *h, skill_call_t *c)
{
	const skill_ext_http_t *http = h->get_extension(h, SKILL_EXT_HTTP);
	skill_http_request_t req = {.struct_size = sizeof req,
	                            .method = "GET",
	                            .url = h->arg_string(c, "url")};
	const skill_http_response_t *resp;
	size_t bytes = 0;
	double count = 0;
	long i;
	char out[256];
	skill_status st = SKILL_OK;

	h->arg_number(c, "count", &count);
	for (i = 0; i < (long)count; i++) {
		if ((st = http->request(c, &req, &resp)) != SKILL_OK)
			break;
		bytes += resp->body_len; /* kept: never response_free'd */
	}
	snprintf(out, sizeof out, "held %ld responses, %zu body bytes; %s %d",
	         i, bytes, st == SKILL_OK ? "all done" : "then status",
	         (int)st);
	return h->result_text(c, out, SKILL_NUL_TERMINATED);
}

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool, const char *args,
                           size_t len)
{
	(void)data, (void)args, (void)len;
	return tool == 0 ? do_fetch(host, call) : do_hoard(host, call);
}

FIXTURE_SKILL("testing/egress", "1.0.0",
              "Test fixture: a hostile skill's network reach, to "
              "test the host's egress rule and HTTP memory cap.",
              tools, invoke)
