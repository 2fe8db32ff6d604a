/*
 * test_jira_text.c - error bodies of every kind (Jira's JSON, gateway
 * JSON, HTML, text, empty, broken UTF-8), the shared REST helpers (text
 * cleaning, base URLs, base64, forms, Retry-After) and the compact issue
 * view.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "jira_error.h"
#include "jira_fields.h"
#include "restkit.h"

static char text[8192];
static unsigned flags;

static const char *error_text(const char *body, const char *ct)
{
	struct sbuf b;

	sb_init(&b, 0);
	flags = jira_error_text(&b, body, body ? strlen(body) : 0, ct);
	assert_false(sb_failed(&b));
	snprintf(text, sizeof text, "%s", sb_str(&b));
	sb_free(&b);
	return text;
}

static void test_error_collection(void **state)
{
	(void)state;
	assert_string_equal(
	        error_text(
	                "{\"errorMessages\":[\"Field 'priority' is required\","
	                "\"Second\"],\"errors\":{}}",
	                "application/json"),
	        "Field 'priority' is required; Second");
	assert_int_equal(flags, JIRA_ERR_SAID);
	assert_string_equal(
	        error_text(
	                "{\"errorMessages\":[],\"errors\":{\"summary\":\"You "
	                "must specify a summary of the issue.\","
	                "\"customfield_10001\":\"Field 'customfield_10001' "
	                "cannot be set. It is not on the appropriate screen, "
	                "or unknown.\"},\"status\":400}",
	                "application/json;charset=UTF-8"),
	        "summary: You must specify a summary of the issue.; "
	        "customfield_10001: Field 'customfield_10001' cannot be set. "
	        "It "
	        "is not on the appropriate screen, or unknown.");
	assert_int_equal(flags,
	                 JIRA_ERR_SAID | JIRA_ERR_FIELDS | JIRA_ERR_CUSTOM);
	/* Messages then field errors; values that are not strings skipped;
	 * control characters and runs of white space folded. */
	assert_string_equal(error_text("{\"errorMessages\":[\"a\\n\\n  b\",7],"
	                               "\"errors\":{\"labels\":\"no\\tspaces\","
	                               "\"x\":5}}",
	                               NULL),
	                    "a b; labels: no spaces");
	/* Gateways: {"message"}, {"code","message"}, OAuth errors. */
	assert_string_equal(
	        error_text("{\"code\":401,\"message\":\"Unauthorized;"
	                   " scope does not match\"}",
	                   NULL),
	        "Unauthorized; scope does not match");
	assert_string_equal(error_text("{\"error\":\"invalid_token\","
	                               "\"error_description\":\"expired\"}",
	                               NULL),
	                    "expired");
	/* An ErrorCollection that says nothing. */
	assert_string_equal(error_text("{\"errorMessages\":[],\"errors\":{}}",
	                               "application/json"),
	                    "");
	assert_int_equal(flags, 0);
}

static void test_error_bodies(void **state)
{
	char big[4000];

	(void)state;
	/* HTML: the title, never markup, scripts or styles. */
	assert_string_equal(
	        error_text(
	                "<!DOCTYPE html>\n<html><head><title> 429 Too Many "
	                "Requests </title><style>body{x}</style></head><body>"
	                "<h1>Slow</h1></body></html>",
	                "text/html; charset=utf-8"),
	        "429 Too Many Requests");
	/* No title: the visible text, scripts and styles skipped, entities
	 * decoded. */
	assert_string_equal(
	        error_text(
	                "<html><body><script>var x='<b>';</script><h1>Service "
	                "&amp; site</h1>\n<p>is   down</p><style>p{}</style>"
	                "</body></html>",
	                NULL),
	        "Service & site is down");
	/* HTML recognised without a content type. */
	assert_string_equal(error_text("  <HTML><TITLE>Oops</TITLE></HTML>",
	                               "application/octet-stream"),
	                    "Oops");
	/* Plain text, an empty body, a JSON array, broken UTF-8. */
	assert_string_equal(error_text("Bad gateway\r\n", "text/plain"),
	                    "Bad gateway");
	assert_string_equal(error_text("", "application/json"), "");
	assert_int_equal(flags, 0);
	assert_string_equal(error_text(NULL, NULL), "");
	assert_string_equal(error_text("[\"x\"]", "application/json"),
	                    "[\"x\"]");
	assert_string_equal(error_text("bad \xff\xfe bytes \xc3\x28", NULL),
	                    "bad \xef\xbf\xbd\xef\xbf\xbd bytes "
	                    "\xef\xbf\xbd(");
	/* Long bodies are cut at a character boundary, and say so. */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	error_text(big, NULL);
	assert_int_equal(strlen(text), RK_QUOTE_MAX + 3);
	assert_string_equal(text + RK_QUOTE_MAX, "...");
	for (size_t i = 0; i + 2 < sizeof big; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[sizeof big - 2] = '\0';
	error_text(big, NULL);
	assert_int_equal(strlen(text) % 2, 1); /* whole é's, then "..." */
}

static void test_base_url(void **state)
{
	static const struct {
		const char *in, *out, *why;
	} cases[] = {
	        {"https://acme.atlassian.net", "https://acme.atlassian.net",
	         NULL},
	        {"https://acme.atlassian.net///", "https://acme.atlassian.net",
	         NULL},
	        {"HTTPS://api.atlassian.com/ex/jira/1a2b/",
	         "HTTPS://api.atlassian.com/ex/jira/1a2b", NULL},
	        {"https://[::1]:8443/x", "https://[::1]:8443/x", NULL},
	        {"http://127.0.0.1:4010", "http://127.0.0.1:4010", NULL},
	        {"http://localhost:80/", "http://localhost:80", NULL},
	        {"http://[::1]:9", "http://[::1]:9", NULL},
	        {"http://acme.atlassian.net", NULL, "unencrypted"},
	        {"ftp://acme.atlassian.net", NULL, "absolute https://"},
	        {"acme.atlassian.net", NULL, "absolute https://"},
	        {"https://", NULL, "absolute https://"},
	        {"https://user:pw@acme.atlassian.net", NULL, "user name"},
	        {"https://acme.atlassian.net/?x=1", NULL, "query"},
	        {"https://acme.atlassian.net#top", NULL, "query"},
	        {"https://acme.atlassian.net:0", NULL, "port"},
	        {"https://acme.atlassian.net:99999", NULL, "port"},
	        {"https://acme.atlassian.net:8x", NULL, "port"},
	        {"https://acme.atlassian.net\r\nX: y", NULL, "white space"},
	        {"https://acme .atlassian.net", NULL, "white space"},
	};
	char out[RK_URL_MAX], host[64];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sbuf why;
		int ok;
		sb_init(&why, 0);
		ok = rk_base_url(cases[i].in, out, sizeof out, &why);
		if (cases[i].out) {
			if (!ok)
				fail_msg("%s refused: %s", cases[i].in,
				         sb_str(&why));
			assert_string_equal(out, cases[i].out);
		} else {
			if (ok)
				fail_msg("%s accepted", cases[i].in);
			if (!strstr(sb_str(&why), cases[i].why))
				fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].in,
				         sb_str(&why), cases[i].why);
		}
		sb_free(&why);
	}
	rk_url_host("https://x.my.salesforce.com:443/services", host,
	            sizeof host);
	assert_string_equal(host, "x.my.salesforce.com");
	rk_url_host("http://[::1]:80/", host, sizeof host);
	assert_string_equal(host, "::1");
	rk_url_host("nonsense", host, sizeof host);
	assert_string_equal(host, "");
}

static void test_encodings(void **state)
{
	static const struct {
		const char *in, *b64;
	} b64[] = {{"", ""},
	           {"f", "Zg=="},
	           {"fo", "Zm8="},
	           {"foo", "Zm9v"},
	           {"foob", "Zm9vYg=="},
	           {"fooba", "Zm9vYmE="},
	           {"a@b.c:t\xff", "YUBiLmM6dP8="}};
	struct sbuf b;

	(void)state;
	for (size_t i = 0; i < sizeof b64 / sizeof b64[0]; i++) {
		sb_init(&b, 0);
		rk_put_base64(&b, b64[i].in, strlen(b64[i].in));
		assert_string_equal(sb_str(&b), b64[i].b64);
		sb_free(&b);
	}
	sb_init(&b, 0);
	rk_put_form(&b, "grant_type", "refresh_token");
	rk_put_form(&b, "refresh_token", "5Aep861.a/b+c=d&e f~");
	assert_string_equal(sb_str(&b), "grant_type=refresh_token&"
	                                "refresh_token=5Aep861.a%2Fb%2Bc%3Dd"
	                                "%26e%20f~");
	sb_free(&b);
	/* The size cap is sticky. */
	sb_init(&b, 8);
	sb_puts(&b, "12345678");
	assert_false(sb_failed(&b));
	sb_putc(&b, '9');
	assert_true(sb_failed(&b));
	assert_null(sb_steal(&b));
}

/* A response with one header, for rk_retry_after. */
static const char *ra_value;

static const char *fake_header(const skill_http_response_t *r, const char *name)
{
	(void)r;
	return strcmp(name, "retry-after") ? NULL : ra_value;
}

static void test_retry_after(void **state)
{
	skill_ext_http_t http = {.header = fake_header};
	skill_http_response_t r = {0};
	char date[64];
	time_t t = time(NULL) + 120;
	struct tm tm;

	(void)state;
	ra_value = NULL;
	assert_int_equal(rk_retry_after(&http, &r), -1);
	ra_value = "7";
	assert_int_equal(rk_retry_after(&http, &r), 7);
	ra_value = "-3";
	assert_int_equal(rk_retry_after(&http, &r), 0);
	ra_value = "soon";
	assert_int_equal(rk_retry_after(&http, &r), -1);
	gmtime_r(&t, &tm);
	(void)strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	ra_value = date;
	assert_in_range(rk_retry_after(&http, &r), 115, 120);
	ra_value = "Wed, 21 Oct 2015 07:28:00 GMT";
	assert_int_equal(rk_retry_after(&http, &r), 0);
}

static void test_issue_view(void **state)
{
	cJSON *issue = cJSON_Parse(
	        "{\"expand\":\"x\",\"id\":\"10001\",\"self\":\"https://s/i/1\","
	        "\"key\":\"ENG-1\",\"names\":{\"customfield_10016\":\"Story "
	        "Points\",\"summary\":\"Summary\"},\"fields\":{"
	        "\"summary\":\"S\",\"empty\":null,"
	        "\"status\":{\"self\":\"u\",\"name\":\"In "
	        "Progress\",\"id\":\"3\","
	        "\"statusCategory\":{\"key\":\"indeterminate\"}},"
	        "\"assignee\":{\"self\":\"u\",\"accountId\":\"acc-1\","
	        "\"displayName\":\"Ann\",\"avatarUrls\":{\"48x48\":\"a\"},"
	        "\"active\":true,\"timeZone\":\"UTC\"},"
	        "\"customfield_10016\":5,"
	        "\"customfield_10030\":{\"self\":\"u\",\"value\":\"Prod\","
	        "\"id\":"
	        "\"1\"},"
	        "\"components\":[{\"self\":\"u\",\"id\":\"1\",\"name\":\"API\"}"
	        "],"
	        "\"project\":{\"self\":\"u\",\"id\":\"1\",\"key\":\"ENG\","
	        "\"name\":"
	        "\"Eng\",\"avatarUrls\":{}},"
	        "\"parent\":{\"id\":\"9\",\"key\":\"ENG-0\",\"self\":\"u\","
	        "\"fields\":{\"summary\":\"Epic\",\"status\":{\"self\":\"u\","
	        "\"name\":\"Done\"}}},"
	        "\"description\":{\"type\":\"doc\",\"version\":1,\"content\":[{"
	        "\"type\":\"paragraph\",\"content\":[{\"type\":\"text\","
	        "\"text\":"
	        "\"Hi \"},{\"type\":\"text\",\"text\":\"there\",\"marks\":[{"
	        "\"type\":\"strong\"}]}]}]},"
	        "\"votes\":{\"self\":\"u\",\"votes\":0,\"hasVoted\":false}}}");
	cJSON *v, *raw;
	char *s;

	(void)state;
	assert_non_null(issue);
	v = jira_issue_view(issue, 0);
	assert_non_null(v);
	s = cJSON_PrintUnformatted(v);
	assert_string_equal(
	        s,
	        "{\"key\":\"ENG-1\",\"id\":\"10001\",\"fields\":{"
	        "\"summary\":\"S\",\"status\":\"In Progress\","
	        "\"assignee\":{\"accountId\":\"acc-1\",\"displayName\":"
	        "\"Ann\"},\"customfield_10016\":5,\"customfield_10030\":"
	        "\"Prod\",\"components\":[\"API\"],\"project\":{\"id\":\"1\","
	        "\"key\":\"ENG\",\"name\":\"Eng\"},\"parent\":{\"key\":"
	        "\"ENG-0\",\"summary\":\"Epic\",\"status\":\"Done\"},"
	        "\"description\":\"Hi **there**\",\"votes\":{\"votes\":0,"
	        "\"hasVoted\":false}},\"field_names\":{\"customfield_10016\":"
	        "\"Story Points\"}}");
	free(s);
	cJSON_Delete(v);
	/* raw: the fields as Jira sent them, nulls dropped. */
	raw = jira_issue_view(issue, 1);
	assert_non_null(raw);
	assert_string_equal(
	        cJSON_GetStringValue(cJSON_GetObjectItem(
	                cJSON_GetObjectItem(cJSON_GetObjectItem(raw, "fields"),
	                                    "description"),
	                "type")),
	        "doc");
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(raw, "fields"),
	                                "empty"));
	cJSON_Delete(raw);
	cJSON_Delete(issue);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_error_collection),
	        cmocka_unit_test(test_error_bodies),
	        cmocka_unit_test(test_base_url),
	        cmocka_unit_test(test_encodings),
	        cmocka_unit_test(test_retry_after),
	        cmocka_unit_test(test_issue_view),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
