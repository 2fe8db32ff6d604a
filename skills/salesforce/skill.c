/*
 * skill.c - the skillhost/salesforce skill: the Salesforce REST API over
 * the host's skill.http/1 and skill.secrets/1. This file declares the
 * tools (schemas and MCP hints), keeps the skill's state (the shared
 * OAuth token) and dispatches calls; sf_tools.c does the work.
 */
#include <string.h>

#include <cjson/cJSON.h>
#include <skill/skill.h>

#include "sf_api.h"
#include "sf_bulk.h"
#include "sf_more.h"
#include "sf_tools.h"
#include "restcall.h"
#include "tooltable.h"

static const char *const needs[] = {SKILL_EXT_HTTP, SKILL_EXT_SECRETS, NULL};

#define SOBJECT_PROP                                                           \
	"\"sobject\":{\"type\":\"string\",\"pattern\":"                        \
	"\"^[A-Za-z][A-Za-z0-9_]{0,79}$\",\"description\":\"Object API name, " \
	"e.g. Account, Contact, Opportunity, Invoice__c\"}"

#define ID_PROP                                                                \
	"\"id\":{\"type\":\"string\",\"pattern\":"                             \
	"\"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$\",\"description\":\"Record Id "  \
	"(15 or 18 characters)\"}"

#define FIELDS_VALUES                                                          \
	"\"fields\":{\"type\":\"object\",\"minProperties\":1,\"description\":" \
	"\"Field API names and values, e.g. {\\\"Name\\\": \\\"Acme\\\", "     \
	"\\\"Industry\\\": \\\"Energy\\\", \\\"AnnualRevenue\\\": 1000000, "   \
	"\\\"AccountId\\\": \\\"001...\\\"}; dates as YYYY-MM-DD\"}"

#define RECORD_ID_RESULT                                                       \
	"{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"   \
	"\"sobject\":{\"type\":\"string\"}},\"required\":[\"id\",\"sobject\"]" \
	"}"

static const skill_tool_t query_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "soql_query",
        .title = "Query Salesforce records (SOQL)",
        .description =
                "Run a SOQL query and return the records, following "
                "Salesforce's "
                "batches (nextRecordsUrl) until max_records are collected. "
                "Example: SELECT Id, Name, Industry FROM Account WHERE "
                "Industry = 'Energy' ORDER BY Name LIMIT 100. Relationship "
                "fields work (Account.Name, (SELECT LastName FROM Contacts)). "
                "Give exactly one of query and next_records_url. "
                "When more records remain, next_records_url continues the "
                "query (keep max_records the same to read on to the end); "
                "with the default batch size a call may return fewer than "
                "max_records so that it ends on a batch boundary. "
                "truncated (only with a max_records below 200 or a "
                "batch_size that does not divide it) means max_records cut a "
                "batch, so narrow the query "
                "(e.g. WHERE Id > 'last Id' ORDER BY Id) to read on.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
                "100000,\"description\":\"The SOQL query\"},"
                "\"next_records_url\":{\"type\":\"string\",\"minLength\":1,"
                "\"description\":\"Continue an earlier query from its "
                "next_records_url (instead of query)\"},"
                "\"max_records\":{\"type\":\"integer\",\"minimum\":1,"
                "\"maximum\":"
                "10000,\"default\":500,\"description\":\"Most records to "
                "return "
                "(batches are followed until then)\"},"
                "\"batch_size\":{\"type\":\"integer\",\"minimum\":200,"
                "\"maximum\":"
                "2000,\"description\":\"Records per batch Salesforce should "
                "send "
                "(a hint; default: one that divides max_records)\"},"
                "\"include_deleted\":{\"type\":\"boolean\",\"default\":false,"
                "\"description\":\"Include deleted and archived records "
                "(queryAll)\"}},"
                "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"records\":{\"type\":"
                "\"array\",\"items\":{\"type\":\"object\"}},\"total_size\":{"
                "\"type\":\"integer\"},\"returned\":{\"type\":\"integer\"},"
                "\"done\":{\"type\":\"boolean\"},\"next_records_url\":{"
                "\"type\":"
                "\"string\"},\"truncated\":{\"type\":\"boolean\"}},"
                "\"required\":[\"records\",\"returned\",\"done\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t get_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "get_record",
        .title = "Get a Salesforce record",
        .description =
                "Read one Salesforce record by object and Id: all its fields, "
                "or only those named.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" SOBJECT_PROP "," ID_PROP
                ",\"fields\":{\"type\":\"array\",\"maxItems\":500,\"items\":{"
                "\"type\":\"string\",\"pattern\":\"^[A-Za-z][A-Za-z0-9_.]*$\"},"
                "\"description\":\"Field API names to return; default all\"}},"
                "\"required\":[\"sobject\",\"id\"],\"additionalProperties\":"
                "false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"sobject\":{\"type\":"
                "\"string\"},\"id\":{\"type\":\"string\"},\"record\":{\"type\":"
                "\"object\"}},\"required\":[\"sobject\",\"id\",\"record\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t create_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "create_record",
        .title = "Create a Salesforce record",
        .description =
                "Create a Salesforce record of an object with the given field "
                "values and return its Id. describe_object shows the object's "
                "fields, which are required, their types and picklist values. "
                "Each call creates a new record.",
        .input_schema = "{\"type\":\"object\",\"properties\":{" SOBJECT_PROP
                        "," FIELDS_VALUES "},\"required\":[\"sobject\","
                        "\"fields\"],\"additionalProperties\":false}",
        .output_schema = RECORD_ID_RESULT,
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t update_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "update_record",
        .title = "Update a Salesforce record",
        .description =
                "Change fields of a Salesforce record by Id; the values given "
                "replace the current ones (null clears a field).",
        .input_schema = "{\"type\":\"object\",\"properties\":{" SOBJECT_PROP
                        "," ID_PROP "," FIELDS_VALUES "},\"required\":["
                        "\"sobject\",\"id\",\"fields\"],"
                        "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                "\"string\"},\"sobject\":{\"type\":\"string\"},\"updated\":{"
                "\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
                "\"required\":[\"id\",\"sobject\",\"updated\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t delete_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "delete_record",
        .title = "Delete a Salesforce record",
        .description =
                "Delete a Salesforce record by object and Id (it goes to the "
                "recycle bin). Deleting can cascade to child records.",
        .input_schema = "{\"type\":\"object\",\"properties\":{" SOBJECT_PROP
                        "," ID_PROP "},\"required\":[\"sobject\",\"id\"],"
                        "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                "\"string\"},\"sobject\":{\"type\":\"string\"},\"deleted\":{"
                "\"type\":\"boolean\"}},\"required\":[\"id\",\"deleted\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t upsert_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "upsert_record",
        .title = "Create or update a Salesforce record by external id",
        .description =
                "Create a record, or update the one whose external id field "
                "has "
                "the given value (the field must be marked External ID, or be "
                "Id). Says whether it created one. Several matches are an "
                "error.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" SOBJECT_PROP ","
                "\"external_id_field\":{\"type\":\"string\",\"pattern\":"
                "\"^[A-Za-z][A-Za-z0-9_]{0,79}$\",\"description\":\"External "
                "id "
                "field API name, e.g. ERP_Id__c\"},"
                "\"external_id\":{\"type\":\"string\",\"minLength\":1,"
                "\"maxLength\":255}," FIELDS_VALUES
                "},\"required\":[\"sobject\",\"external_id_field\","
                "\"external_id\",\"fields\"],\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                "\"string\"},\"sobject\":{\"type\":\"string\"},\"created\":{"
                "\"type\":\"boolean\"},\"external_id_field\":{\"type\":"
                "\"string\"},\"external_id\":{\"type\":\"string\"}},"
                "\"required\":[\"sobject\",\"created\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t describe_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "describe_object",
        .title = "Describe a Salesforce object",
        .description =
                "Describe a Salesforce object: each field's API name, label, "
                "type, length, whether it is required (nillable false and "
                "createable), updateable, unique or an external id, what a "
                "lookup refers to, and the active picklist values; optionally "
                "the child relationships used in subqueries.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" SOBJECT_PROP ","
                "\"include_picklists\":{\"type\":\"boolean\",\"default\":true},"
                "\"include_child_relationships\":{\"type\":\"boolean\","
                "\"default\":false}},\"required\":[\"sobject\"],"
                "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
                "\"string\"},\"label\":{\"type\":\"string\"},\"fields\":{"
                "\"type\":"
                "\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
                "\"name\":{\"type\":\"string\"},\"type\":{\"type\":\"string\"}}"
                ","
                "\"required\":[\"name\"]}},\"child_relationships\":{\"type\":"
                "\"array\"}},\"required\":[\"fields\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t list_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "list_objects",
        .title = "List Salesforce objects",
        .description =
                "List the org's objects (standard and custom) with API name, "
                "label and whether they can be queried and created; filter by "
                "a part of the name or label, or custom objects only.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"filter\":{\"type\":\"string\",\"maxLength\":100,"
                "\"description\":\"Only objects whose API name or label "
                "contains "
                "this (any case)\"},"
                "\"custom_only\":{\"type\":\"boolean\",\"default\":false},"
                "\"max_results\":{\"type\":\"integer\",\"minimum\":1,"
                "\"maximum\":"
                "5000,\"default\":200}},\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"objects\":{\"type\":"
                "\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
                "\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}},"
                "\"matched\":{\"type\":\"integer\"},\"returned\":{\"type\":"
                "\"integer\"}},\"required\":[\"objects\",\"matched\","
                "\"returned\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t composite_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "composite",
        .title = "Run up to 25 Salesforce requests in one call",
        .description =
                "Send up to 25 REST subrequests in one round trip, in order; a "
                "later one can use an earlier result as @{reference_id.id} "
                "(e.g. "
                "create an Account, then a Contact with AccountId "
                "@{newAccount.id}). With all_or_none (the default) any failure "
                "rolls everything back and the call fails with the cause; "
                "otherwise each result says its status.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"requests\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":"
                "25,"
                "\"items\":{\"type\":\"object\",\"properties\":{"
                "\"method\":{\"enum\":[\"GET\",\"POST\",\"PATCH\",\"PUT\","
                "\"DELETE\"]},"
                "\"url\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
                "16000,\"description\":\"Under the REST base, e.g. "
                "sobjects/Account, sobjects/Contact/003..., query?q=SELECT+Id+"
                "FROM+Account; or a full /services/data/vXX.X/... path\"},"
                "\"reference_id\":{\"type\":\"string\",\"pattern\":"
                "\"^[A-Za-z][A-Za-z0-9_]{0,79}$\"},"
                "\"body\":{\"type\":\"object\"}},"
                "\"required\":[\"method\",\"url\",\"reference_id\"],"
                "\"additionalProperties\":false}},"
                "\"all_or_none\":{\"type\":\"boolean\",\"default\":true}},"
                "\"required\":[\"requests\"],\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"results\":{\"type\":"
                "\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
                "\"reference_id\":{\"type\":\"string\"},\"status\":{\"type\":"
                "\"integer\"},\"body\":{},\"error\":{\"type\":\"string\"}},"
                "\"required\":[\"status\"]}},\"all_or_none\":{\"type\":"
                "\"boolean\"},\"succeeded\":{\"type\":\"integer\"},\"failed\":{"
                "\"type\":\"integer\"}},\"required\":[\"results\","
                "\"succeeded\","
                "\"failed\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t limits_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "limits",
        .title = "Read the Salesforce org's limits",
        .description =
                "Read the org's limits and what is left of them, e.g. "
                "DailyApiRequests {Max, Remaining}, DataStorageMB; optionally "
                "only the ones named.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{\"names\":{\"type\":"
                "\"array\",\"maxItems\":100,\"items\":{\"type\":\"string\","
                "\"minLength\":1}}},\"additionalProperties\":false}",
        .output_schema = "{\"type\":\"object\",\"properties\":{\"limits\":{"
                         "\"type\":\"object\"}},\"required\":[\"limits\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

/* The tools: one row per tool, its descriptor and its handler together.
 * The ABI's descriptor array and the handler array both come from this
 * list (tooltable.h), so get_record's index can never reach
 * delete_record's handler. */
#define COLLECTION_RESULT                                                      \
	"{\"type\":\"object\",\"properties\":{\"results\":{\"type\":"          \
	"\"array\","                                                           \
	"\"items\":{\"type\":\"object\",\"properties\":{\"index\":{\"type\":"  \
	"\"integer\"},\"id\":{\"type\":\"string\"},\"success\":{\"type\":"     \
	"\"boolean\"},\"created\":{\"type\":\"boolean\"},\"error\":{\"type\":" \
	"\"string\"}},\"required\":[\"index\",\"success\"]}},\"all_or_none\":" \
	"{\"type\":\"boolean\"},\"succeeded\":{\"type\":\"integer\"},"         \
	"\"failed\":{\"type\":\"integer\"}},\"required\":[\"results\","        \
	"\"succeeded\",\"failed\"]}"

#define ALL_OR_NONE_PROP                                                       \
	"\"all_or_none\":{\"type\":\"boolean\",\"default\":true,"              \
	"\"description\":\"Roll everything back when any record fails (the "   \
	"call then fails with the causes); false saves the good records and "  \
	"reports each failure\"}"

#define RECORDS_PROP(what)                                                     \
	"\"records\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":200,"     \
	"\"items\":{\"type\":\"object\",\"minProperties\":1},"                 \
	"\"description\":\"Up to 200 records of sobject, each its field "      \
	"values by API name" what "\"}"

static const skill_tool_t sosl_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "sosl_search",
        .title = "Search Salesforce text (SOSL)",
        .description =
                "Full-text search across objects with SOSL: find records "
                "whose text, e-mail or phone fields contain words, e.g. a "
                "name seen in an e-mail, without knowing which object holds "
                "it. Give text (the words; * and ? are wildcards) with "
                "objects to return and their fields, or a whole SOSL "
                "statement in sosl (FIND {Acme} IN NAME FIELDS RETURNING "
                "Account(Id, Name), Contact(Id, Email)). Each record says its "
                "sobject.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"text\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":"
                "4000,\"description\":\"Words to find (reserved characters "
                "are escaped for you)\"},"
                "\"objects\":{\"type\":\"array\",\"maxItems\":20,\"items\":{"
                "\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
                "\"string\",\"pattern\":\"^[A-Za-z][A-Za-z0-9_]{0,79}$\"},"
                "\"fields\":{\"type\":\"array\",\"maxItems\":100,\"items\":{"
                "\"type\":\"string\",\"pattern\":"
                "\"^[A-Za-z][A-Za-z0-9_.]{0,120}$\"}},"
                "\"where\":{\"type\":\"string\",\"maxLength\":4000,"
                "\"description\":\"A SOQL condition, e.g. Industry = "
                "'Energy'\"},"
                "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":"
                "2000}},\"required\":[\"name\"],\"additionalProperties\":"
                "false},\"description\":\"Objects to return (with text); "
                "default: every searchable object, Ids only\"},"
                "\"in\":{\"type\":\"string\",\"enum\":[\"ALL\",\"NAME\","
                "\"EMAIL\",\"PHONE\"],\"default\":\"ALL\",\"description\":"
                "\"Which fields to search (with text)\"},"
                "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":"
                "2000,\"default\":200,\"description\":\"Most records in all "
                "(with text)\"},"
                "\"sosl\":{\"type\":\"string\",\"minLength\":6,\"maxLength\":"
                "100000,\"description\":\"A whole SOSL statement instead of "
                "text\"}},\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"records\":{\"type\":"
                "\"array\",\"items\":{\"type\":\"object\"}},\"count\":{"
                "\"type\":\"integer\"},\"by_object\":{\"type\":\"object\"},"
                "\"sosl\":{\"type\":\"string\"}},\"required\":[\"records\","
                "\"count\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t create_many_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "create_records",
        .title = "Create up to 200 Salesforce records",
        .description =
                "Create up to 200 records of one object in a single request "
                "(sObject Collections). With all_or_none (the default) either "
                "all are created or none, and a failure names the records at "
                "fault; otherwise each result says whether it was created. "
                "Each call creates new records.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" SOBJECT_PROP
                "," RECORDS_PROP(
                        ", without Id") "," ALL_OR_NONE_PROP
                                        "},\"required\":[\"sobject\","
                                        "\"records\"],"
                                        "\"additionalProperties\":false}",
        .output_schema = COLLECTION_RESULT,
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t update_many_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "update_records",
        .title = "Update up to 200 Salesforce records",
        .description =
                "Change fields of up to 200 records of one object in a single "
                "request (sObject Collections); each record gives its Id and "
                "the fields to set (null clears). all_or_none (default) "
                "saves all or none.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" SOBJECT_PROP
                "," RECORDS_PROP(
                        ", each with its Id") "," ALL_OR_NONE_PROP
                                              "},\"required\":[\"sobject\","
                                              "\"records\"],"
                                              "\"additionalProperties\":false}",
        .output_schema = COLLECTION_RESULT,
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t upsert_many_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "upsert_records",
        .title = "Upsert up to 200 Salesforce records",
        .description = "Create or update up to 200 records of "
                       "one object by an "
                       "external id field in a single request "
                       "(sObject "
                       "Collections): a record whose external "
                       "id matches is "
                       "updated, else created; each result "
                       "says which. all_or_none "
                       "(default) saves all or none.",
        .input_schema = "{\"type\":\"object\",\"properties\":"
                        "{" SOBJECT_PROP ","
                        "\"external_id_field\":{\"type\":"
                        "\"string\",\"pattern\":"
                        "\"^[A-Za-z][A-Za-z0-9_]{0,79}$\","
                        "\"description\":\"A field "
                        "marked External ID, e.g. "
                        "ERP_Id__c\"}," RECORDS_PROP(
                                ", each with its external id "
                                "field") "," ALL_OR_NONE_PROP "},\"required\":["
                                         "\"sobject\","
                                         "\"external_id_"
                                         "field\","
                                         "\"records\"],"
                                         "\"additionalPropertie"
                                         "s\":false}",
        .output_schema = COLLECTION_RESULT,
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t delete_many_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "delete_records",
        .title = "Delete up to 200 Salesforce records",
        .description =
                "Delete up to 200 records by Id in a single request (sObject "
                "Collections; they go to the recycle bin). all_or_none "
                "(default) deletes all or none.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{\"ids\":{\"type\":"
                "\"array\",\"minItems\":1,\"maxItems\":200,\"uniqueItems\":"
                "true,\"items\":{\"type\":\"string\",\"pattern\":"
                "\"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$\"}}," ALL_OR_NONE_PROP
                "},\"required\":[\"ids\"],\"additionalProperties\":false}",
        .output_schema = COLLECTION_RESULT,
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t apex_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "apex_rest",
        .title = "Call a Salesforce Apex REST service",
        .description =
                "Call a custom Apex REST service of the org "
                "(/services/apexrest/<urlMapping>): the class's "
                "@RestResource urlMapping as path, the HTTP method it "
                "handles, query parameters, and a JSON body for POST, PUT and "
                "PATCH. Returns the status and the body (JSON, or text).",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"method\":{\"type\":\"string\",\"enum\":[\"GET\",\"POST\","
                "\"PUT\",\"PATCH\",\"DELETE\"]},"
                "\"path\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
                "2000,\"pattern\":\"^/?[A-Za-z0-9_][A-Za-z0-9_./%~-]*$\","
                "\"description\":\"Under /services/apexrest/, e.g. "
                "CaseSummary/001...\"},"
                "\"query\":{\"type\":\"object\",\"additionalProperties\":{"
                "\"type\":[\"string\",\"number\",\"boolean\"]}},"
                "\"body\":{\"description\":\"JSON body (POST, PUT, "
                "PATCH)\"}},"
                "\"required\":[\"method\",\"path\"],\"additionalProperties\":"
                "false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"status\":{\"type\":"
                "\"integer\"},\"body\":{}},\"required\":[\"status\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const skill_tool_t action_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "invoke_action",
        .title = "Run a Salesforce invocable action or flow",
        .description =
                "Run an invocable action: a standard one (standard/"
                "chatterPost, standard/emailSimple...), an autolaunched flow "
                "(custom/flow/API_Name) or an @InvocableMethod Apex class "
                "(custom/apex/ClassName), once per input (up to 200). "
                "Returns each input's outputs or error.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"action\":{\"type\":\"string\",\"pattern\":"
                "\"^(standard/[A-Za-z][A-Za-z0-9_]{0,79}|custom/[A-Za-z]{1,40}/"
                "[A-Za-z][A-Za-z0-9_]{0,120})$\"},"
                "\"inputs\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":"
                "200,\"items\":{\"type\":\"object\"},\"description\":\"One "
                "object of input parameters per run\"}},"
                "\"required\":[\"action\",\"inputs\"],"
                "\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"action\":{\"type\":"
                "\"string\"},\"results\":{\"type\":\"array\",\"items\":{"
                "\"type\":\"object\",\"properties\":{\"index\":{\"type\":"
                "\"integer\"},\"success\":{\"type\":\"boolean\"},\"outputs\":{}"
                ","
                "\"error\":{\"type\":\"string\"}}}},\"succeeded\":{\"type\":"
                "\"integer\"},\"failed\":{\"type\":\"integer\"}},\"required\":"
                "[\"results\",\"succeeded\",\"failed\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs};

static const char *const needs_files[] = {SKILL_EXT_HTTP, SKILL_EXT_SECRETS,
                                          SKILL_EXT_ARTIFACTS, NULL};

#define WAIT_PROP                                                              \
	"\"wait_seconds\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":"    \
	"600,\"default\":120,\"description\":\"How long this call waits for "  \
	"the job; if it is still running, the result has done: false and "     \
	"its job_id\"}"

#define JOB_ID_PROP                                                            \
	"\"job_id\":{\"type\":\"string\",\"pattern\":"                         \
	"\"^750[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$\",\"description\":\"Go on "   \
	"waiting for a job an earlier call started\"}"

static const skill_tool_t bulk_query_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "bulk_query",
        .title = "Export records with a Bulk API 2.0 query",
        .description =
                "Run a SOQL query as a Bulk API 2.0 job, for large exports "
                "(thousands to millions of records): the job is polled to "
                "the end with progress notifications and every result page "
                "is saved as one CSV artifact (header once). A job still "
                "running after wait_seconds comes back with done: false and "
                "its job_id; call again with job_id to go on waiting.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
                "100000,\"description\":\"SOQL (no subqueries, COUNT(), "
                "OFFSET)\"},"
                "\"include_deleted\":{\"type\":\"boolean\",\"default\":false}"
                "," JOB_ID_PROP "," WAIT_PROP
                "},\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"job_id\":{\"type\":"
                "\"string\"},\"state\":{\"type\":\"string\"},\"done\":{"
                "\"type\":\"boolean\"},\"records\":{\"type\":\"integer\"},"
                "\"pages\":{\"type\":\"integer\"},\"uri\":{\"type\":"
                "\"string\"},\"next\":{\"type\":\"string\"}},\"required\":["
                "\"job_id\",\"done\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs_files};

static const skill_tool_t bulk_ingest_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "bulk_ingest",
        .title = "Load records with a Bulk API 2.0 ingest job",
        .description =
                "Insert, update, upsert or delete many records from CSV as a "
                "Bulk API 2.0 job: the CSV (a file or artifact in csv_path, "
                "or the text in csv; header line of field API names) is "
                "uploaded, the job polled to the end with progress "
                "notifications, and the successful and failed results are "
                "saved as CSV artifacts (sf__Id, sf__Created / sf__Error per "
                "row). An empty cell leaves a field alone; #N/A clears it. A "
                "job still running after wait_seconds comes back with done: "
                "false and its job_id.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{" SOBJECT_PROP ","
                "\"operation\":{\"type\":\"string\",\"enum\":[\"insert\","
                "\"update\",\"upsert\",\"delete\",\"hardDelete\"]},"
                "\"external_id_field\":{\"type\":\"string\",\"pattern\":"
                "\"^[A-Za-z][A-Za-z0-9_]{0,79}$\",\"description\":\"For "
                "upsert\"},"
                "\"csv_path\":{\"type\":\"string\",\"minLength\":1,"
                "\"maxLength\":4096,\"description\":\"A CSV file in an "
                "allowed input folder, or an artifact's URI\"},"
                "\"csv\":{\"type\":\"string\",\"minLength\":3,\"maxLength\":"
                "1000000,\"description\":\"The CSV text itself\"}," JOB_ID_PROP
                "," WAIT_PROP "},\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"job_id\":{\"type\":"
                "\"string\"},\"state\":{\"type\":\"string\"},\"done\":{"
                "\"type\":\"boolean\"},\"processed\":{\"type\":\"integer\"},"
                "\"failed\":{\"type\":\"integer\"},"
                "\"successful_results_uri\":{\"type\":\"string\"},"
                "\"failed_results_uri\":{\"type\":\"string\"},\"next\":{"
                "\"type\":\"string\"}},\"required\":[\"job_id\",\"done\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs_files};

static const skill_tool_t upload_file_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "upload_file",
        .title = "Upload a file to Salesforce Files",
        .description =
                "Upload a file (an allowed input file or an artifact) to "
                "Salesforce Files as a ContentVersion, optionally shared with "
                "a record (link_to: an Account, Case, Opportunity... Id). "
                "Up to 37.5 MB.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"path\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
                "4096},"
                "\"title\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
                "255},"
                "\"filename\":{\"type\":\"string\",\"minLength\":1,"
                "\"maxLength\":255,\"pattern\":\"^[^/\\\\\\\\]+$\"},"
                "\"link_to\":{\"type\":\"string\",\"pattern\":"
                "\"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$\"}},"
                "\"required\":[\"path\"],\"additionalProperties\":false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                "\"string\"},\"title\":{\"type\":\"string\"},\"filename\":{"
                "\"type\":\"string\"},\"linked_to\":{\"type\":\"string\"}},"
                "\"required\":[\"id\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs_files};

static const skill_tool_t download_file_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "download_file",
        .title = "Download a Salesforce file",
        .description =
                "Download a file from Salesforce Files by ContentVersion "
                "(068...) or ContentDocument (069..., its latest version) Id "
                "and save it as an artifact.",
        .input_schema =
                "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                "\"string\",\"pattern\":\"^06[89][A-Za-z0-9]{12}([A-Za-z0-9]"
                "{3})?$\"}},\"required\":[\"id\"],\"additionalProperties\":"
                "false}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                "\"string\"},\"title\":{\"type\":\"string\"},\"filename\":{"
                "\"type\":\"string\"},\"size\":{\"type\":\"integer\"},\"uri\":"
                "{\"type\":\"string\"},\"content_document_id\":{\"type\":"
                "\"string\"}},\"required\":[\"id\",\"size\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_YES,
        .requires_ext = needs_files};

#define SF_TOOLS(X)                                                            \
	X(query_tool, sf_soql_query)                                           \
	X(get_tool, sf_get_record)                                             \
	X(create_tool, sf_create_record)                                       \
	X(update_tool, sf_update_record)                                       \
	X(delete_tool, sf_delete_record)                                       \
	X(upsert_tool, sf_upsert_record)                                       \
	X(describe_tool, sf_describe_object)                                   \
	X(list_tool, sf_list_objects)                                          \
	X(composite_tool, sf_composite)                                        \
	X(limits_tool, sf_limits)                                              \
	X(sosl_tool, sf_sosl_search)                                           \
	X(create_many_tool, sf_create_records)                                 \
	X(update_many_tool, sf_update_records)                                 \
	X(upsert_many_tool, sf_upsert_records)                                 \
	X(delete_many_tool, sf_delete_records)                                 \
	X(apex_tool, sf_apex_rest)                                             \
	X(action_tool, sf_invoke_action)                                       \
	X(bulk_query_tool, sf_bulk_query)                                      \
	X(bulk_ingest_tool, sf_bulk_ingest)                                    \
	X(upload_file_tool, sf_upload_file)                                    \
	X(download_file_tool, sf_download_file)

typedef skill_status (*tool_fn)(struct sf *c, const cJSON *args);

static const skill_tool_t *const tools[] = {SF_TOOLS(TT_DESCRIPTOR)};
static const tool_fn handlers[] = {SF_TOOLS(TT_HANDLER)};
TT_ASSERT_SAME_LENGTH(tools, handlers);

static const skill_ext_config_schema_t config_schema = {
        .struct_size = sizeof(skill_ext_config_schema_t),
        .schema =
                "{\"type\":\"object\",\"properties\":{"
                "\"instance_url\":{\"type\":\"string\",\"pattern\":"
                "\"^https?://[^/?#@\\\\s]+$\",\"description\":\"The org's My "
                "Domain, e.g. https://acme.my.salesforce.com (used when the "
                "SALESFORCE_INSTANCE_URL secret is not set)\"},"
                "\"login_url\":{\"type\":\"string\",\"pattern\":"
                "\"^https?://[^/?#@\\\\s]+$\",\"description\":\"Where refresh "
                "tokens are redeemed: https://login.salesforce.com, "
                "https://test.salesforce.com or the My Domain (default)\"},"
                "\"api_version\":{\"type\":\"string\",\"pattern\":"
                "\"^[vV]?[0-9]{2,3}\\\\.[0-9]$\",\"description\":\"REST API "
                "version, default " SF_DEFAULT_API_VERSION "\"}},"
                "\"additionalProperties\":false}"};

static skill_status init(const skill_host_t *host, const char *bundle_dir,
                         void **data)
{
	(void)bundle_dir;
	*data = sf_state_new();
	if (!*data) {
		host->log(host, NULL, SKILL_LOG_ERROR,
		          "skillhost/salesforce: out of memory");
		return SKILL_ERR_NOMEM;
	}
	return SKILL_OK;
}

static void fini(void *data)
{
	sf_state_free(data);
}

static const void *get_extension(void *data, const char *id)
{
	(void)data;
	return rc_config_schema(id, &config_schema);
}

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool,
                           const char *args_json, size_t args_len)
{
	struct sf c;
	cJSON *args;
	skill_status st;

	st = rc_begin(host, call, tool, TT_COUNT(handlers), args_json, args_len,
	              &args);
	if (st != SKILL_OK)
		return st;
	st = sf_open(&c, data, host, call);
	if (st == SKILL_OK)
		st = handlers[tool](&c, args);
	sf_close(&c);
	cJSON_Delete(args);
	return st;
}

static const skill_entry_t entry = {
        .struct_size = sizeof entry,
        .abi = SKILL_ABI_CURRENT,
        .name = SF_SKILL_NAME,
        .version = "1.0.0",
        .description = "Query (SOQL), read, create, update, upsert and delete "
                       "Salesforce records, describe objects and their "
                       "fields, batch requests with composite, and read the "
                       "org's limits.",
        .license = "Apache-2.0",
        .tool_count = TT_COUNT(tools),
        .tools = tools,
        .init = init,
        .fini = fini,
        .invoke = invoke,
        .get_extension = get_extension};

SKILL_EXPORT const skill_entry_t *skill_entry_v1(void)
{
	return &entry;
}
