/*
 * test_sf_text.c - Salesforce's error bodies of every kind (the REST
 * error array, OAuth errors, record results, composite subresponses,
 * HTML, text, empty, broken UTF-8) and the record conventions (attributes,
 * query locators, composite URLs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sf_error.h"
#include "sf_records.h"

static char text[4096], code[SF_ERROR_CODE_MAX];
static int said;

static const char *error_text(const char *body, const char *ct)
{
	struct sbuf b;

	sb_init(&b, 0);
	said = sf_error_text(&b, body, body ? strlen(body) : 0, ct, code,
	                     sizeof code);
	assert_false(sb_failed(&b));
	snprintf(text, sizeof text, "%s", sb_str(&b));
	sb_free(&b);
	return text;
}

static void test_rest_errors(void **state)
{
	(void)state;
	assert_string_equal(
	        error_text("[{\"message\":\"Required fields are missing: "
	                   "[Name, "
	                   "Type]\",\"errorCode\":\"REQUIRED_FIELD_MISSING\","
	                   "\"fields\":[\"Name\",\"Type\"]}]",
	                   "application/json;charset=UTF-8"),
	        "REQUIRED_FIELD_MISSING: Required fields are missing: [Name, "
	        "Type] (fields: Name, Type)");
	assert_string_equal(code, "REQUIRED_FIELD_MISSING");
	assert_true(said);
	/* Several errors; the first code is the one kept. */
	assert_string_equal(
	        error_text("[{\"message\":\"Session expired or invalid\","
	                   "\"errorCode\":\"INVALID_SESSION_ID\"},{\"message\":"
	                   "\"second\",\"errorCode\":\"OTHER\",\"fields\":[]}]",
	                   NULL),
	        "INVALID_SESSION_ID: Session expired or invalid; OTHER: "
	        "second");
	assert_string_equal(code, "INVALID_SESSION_ID");
	/* MALFORMED_QUERY messages span lines: folded to one. */
	assert_string_equal(error_text("[{\"message\":\"\\nSELEC Id FROM "
	                               "Account\\n^\\nERROR at "
	                               "Row:1:Column:1\\nunexpected token: "
	                               "SELEC\",\"errorCode\":"
	                               "\"MALFORMED_QUERY\"}]",
	                               NULL),
	                    "MALFORMED_QUERY: SELEC Id FROM Account ^ ERROR at "
	                    "Row:1:Column:1 "
	                    "unexpected token: SELEC");
	/* The OAuth endpoint. */
	assert_string_equal(error_text("{\"error\":\"invalid_grant\","
	                               "\"error_description\":\"expired "
	                               "access/refresh token\"}",
	                               "application/json"),
	                    "invalid_grant: expired access/refresh token");
	assert_string_equal(code, "invalid_grant");
	/* A record result and a composite "sobjects" item. */
	assert_string_equal(
	        error_text("{\"id\":null,\"success\":false,\"errors\":[{"
	                   "\"statusCode\":\"DUPLICATE_VALUE\",\"message\":"
	                   "\"dup\","
	                   "\"fields\":[\"ERP_Id__c\"]}]}",
	                   NULL),
	        "DUPLICATE_VALUE: dup (fields: ERP_Id__c)");
	assert_string_equal(code, "DUPLICATE_VALUE");
	/* One error object (some endpoints), a message alone, non-string
	 * fields skipped. */
	assert_string_equal(error_text("{\"errorCode\":\"NOT_FOUND\","
	                               "\"message\":\"gone\",\"fields\":[1,"
	                               "\"F\"]}",
	                               NULL),
	                    "NOT_FOUND: gone (fields: F)");
	assert_string_equal(
	        error_text("[{\"message\":\"only a message\"}]", NULL),
	        "only a message");
	assert_string_equal(code, "");
}

static void test_other_bodies(void **state)
{
	cJSON *j;
	struct sbuf b;

	(void)state;
	assert_string_equal(
	        error_text("<html><head><title>Maintenance</title></head><body>"
	                   "<p>Back soon</p></body></html>",
	                   "text/html"),
	        "Maintenance");
	assert_string_equal(code, "");
	assert_string_equal(error_text("upstream connect error", "text/plain"),
	                    "upstream connect error");
	assert_string_equal(error_text("", NULL), "");
	assert_false(said);
	assert_string_equal(error_text(NULL, NULL), "");
	/* An array of URLs (300 Multiple Choices) is shown as it is. */
	assert_string_equal(
	        error_text("[\"/services/data/v62.0/sobjects/Account/001A\","
	                   "\"/services/data/v62.0/sobjects/Account/001B\"]",
	                   "application/json"),
	        "[\"/services/data/v62.0/sobjects/Account/001A\",\"/services/"
	        "data/"
	        "v62.0/sobjects/Account/001B\"]");
	assert_string_equal(error_text("[{\"errorCode\":\"X\",\"message\":"
	                               "\"bad \\u0000 \xff byte\"}]",
	                               NULL),
	                    "X: bad");
	/* Broken UTF-8 inside the JSON: replaced, never passed on. */
	assert_string_equal(error_text("[{\"errorCode\":\"X\",\"message\":"
	                               "\"bad \xff byte\"}]",
	                               NULL),
	                    "X: bad \xef\xbf\xbd byte");
	/* A parsed composite subresponse body. */
	j = cJSON_Parse("[{\"errorCode\":\"PROCESSING_HALTED\",\"message\":"
	                "\"rolled back\"}]");
	sb_init(&b, 0);
	assert_true(sf_error_json(&b, j, code, sizeof code));
	assert_string_equal(sb_str(&b), "PROCESSING_HALTED: rolled back");
	assert_string_equal(code, "PROCESSING_HALTED");
	sb_free(&b);
	cJSON_Delete(j);
	sb_init(&b, 0);
	assert_false(sf_error_json(&b, NULL, code, sizeof code));
	sb_free(&b);
}

static void test_records(void **state)
{
	cJSON *r = cJSON_Parse(
	        "{\"attributes\":{\"type\":\"Contact\",\"url\":\"/x\"},\"Id\":"
	        "\"003\",\"Account\":{\"attributes\":{\"type\":\"Account\"},"
	        "\"Name\":\"A\"},\"Cases\":{\"totalSize\":1,\"records\":[{"
	        "\"attributes\":{\"type\":\"Case\"},\"Subject\":\"S\"}]},"
	        "\"Note\":\"attributes stay in values\"}");
	char *s;
	struct sbuf b;

	(void)state;
	sf_strip_attributes(r);
	s = cJSON_PrintUnformatted(r);
	assert_string_equal(s, "{\"Id\":\"003\",\"Account\":{\"Name\":\"A\"},"
	                       "\"Cases\":{\"totalSize\":1,\"records\":[{"
	                       "\"Subject\":\"S\"}]},\"Note\":\"attributes "
	                       "stay in values\"}");
	free(s);
	cJSON_Delete(r);

	assert_true(sf_valid_locator("/services/data/v62.0/query/"
	                             "01gD0000002HU6KIAW-2000"));
	assert_true(
	        sf_valid_locator("/services/data/v62.0/queryAll/01gX-4000"));
	assert_false(sf_valid_locator("https://evil.example.com/services/data/"
	                              "v62.0/query/01g-1"));
	assert_false(sf_valid_locator("/services/data/v62.0/sobjects/Account"));
	assert_false(sf_valid_locator("/services/data/v62.0/query/../../x"));
	assert_false(sf_valid_locator("/services/data/v62.0/query/01g?x=1"));
	assert_false(sf_valid_locator("/services/data/v62.0/query/01g@h"));

	sb_init(&b, 0);
	sf_composite_url(&b, "62.0", "sobjects/Account");
	assert_string_equal(sb_str(&b),
	                    "/services/data/v62.0/sobjects/Account");
	sb_trim(&b, b.len);
	sf_composite_url(&b, "62.0", "//sobjects/Contact/@{ct.id}");
	assert_string_equal(sb_str(&b),
	                    "/services/data/v62.0/sobjects/Contact/@{ct.id}");
	sb_trim(&b, b.len);
	sf_composite_url(&b, "62.0", "/services/data/v60.0/limits");
	assert_string_equal(sb_str(&b), "/services/data/v60.0/limits");
	sb_trim(&b, b.len);
	/* Apex REST is not under the versioned base: never rewritten. */
	sf_composite_url(&b, "62.0", "/services/apexrest/CaseSummary/1");
	assert_string_equal(sb_str(&b), "/services/apexrest/CaseSummary/1");
	sb_free(&b);
}

static void test_batches_and_sosl(void **state)
{
	struct sbuf b;

	(void)state;
	/* A batch size that tiles max_records, so a call ends on a batch
	 * boundary with a locator to continue. */
	assert_int_equal(sf_tiling_batch(500), 500);
	assert_int_equal(sf_tiling_batch(1200), 1200);
	assert_int_equal(sf_tiling_batch(2500), 1250);
	assert_int_equal(sf_tiling_batch(10000), 2000);
	assert_int_equal(sf_tiling_batch(2003), SF_BATCH_MAX); /* prime */
	assert_int_equal(sf_tiling_batch(150), SF_BATCH_MIN);
	assert_int_equal(sf_tiling_batch(200), 200);
	for (int m = 200; m <= 10000; m += 37) {
		int bs = sf_tiling_batch(m);
		assert_true(bs >= SF_BATCH_MIN && bs <= SF_BATCH_MAX);
	}
	sb_init(&b, 0);
	sf_sosl_escape(&b, "O'Brien-Smith (x) {y} a&b|c!d^e~f:g\\h\"i+j* k?");
	assert_string_equal(
	        sb_str(&b),
	        "O\\'Brien\\-Smith \\(x\\) \\{y\\} a\\&b\\|c\\!d\\^e\\~f\\:"
	        "g\\\\h\\\"i\\+j* k?");
	sb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rest_errors),
	        cmocka_unit_test(test_other_bodies),
	        cmocka_unit_test(test_records),
	        cmocka_unit_test(test_batches_and_sosl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
