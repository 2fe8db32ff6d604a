/*
 * testing/conformance - the fixture tools of the MCP conformance suite
 * (@modelcontextprotocol/conformance 0.1.16, server scenarios), with the
 * content, logging, progress and errors each scenario checks. The names
 * are unique, so the host's portable MCP names keep them bare, as the
 * suite calls them.
 *
 * test_sampling and the test_elicitation* tools ask the client mid-call
 * through skill.sample/1 and skill.elicit/1 (sampling/createMessage,
 * elicitation/create), with the forms the elicitation scenarios check:
 * defaults of every field type (SEP-1034) and the five kinds of enum
 * (SEP-1330).
 *
 * The prompts (skill.prompts/1) and the resources and template
 * (skill.resources/1) are the ones the prompts-*, resources-* and
 * completion-complete scenarios ask for.
 *
 * One more tool is for the host's own tests: print_to_stdout writes to the
 * process's stdout, which must not reach an MCP stdio client.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <skill/skill.h>

#include "../fixture.h"

/* The pauses the logging and progress scenarios ask for, so a client
 * sees messages arrive during the call rather than all at its end. */
#define STEP_MS 50

/* A 1x1 red pixel. */
static const unsigned char red_png[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
        0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
        0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00,
        0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
        0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

/* A WAV file: 8 kHz mono 16-bit, 8 samples of silence. */
static const unsigned char short_wav[] = {
        'R',  'I',  'F', 'F', 52,   0,    0, 0, 'W', 'A', 'V', 'E',
        'f',  'm',  't', ' ', 16,   0,    0, 0, 1,   0,   1,   0,
        0x40, 0x1f, 0,   0,   0x80, 0x3e, 0, 0, 2,   0,   16,  0,
        'd',  'a',  't', 'a', 16,   0,    0, 0, 0,   0,   0,   0,
        0,    0,    0,   0,   0,    0,    0, 0, 0,   0,   0,   0};

enum {
	T_TEXT,
	T_IMAGE,
	T_AUDIO,
	T_RESOURCE,
	T_MIXED,
	T_LOGGING,
	T_PROGRESS,
	T_ERROR,
	T_SCHEMA,
	T_STDOUT,
	T_SAMPLING,
	T_ELICIT,
	T_ELICIT_DEFAULTS,
	T_ELICIT_ENUMS,
	T_COUNT
};

#define TS      .struct_size = sizeof(skill_tool_t)
#define NO_ARGS "{\"type\":\"object\",\"properties\":{}}"
#define SAFE                                                                   \
	.read_only = SKILL_HINT_YES, .destructive = SKILL_HINT_NO,             \
	.idempotent = SKILL_HINT_YES, .open_world = SKILL_HINT_NO

static const skill_tool_t tools_[T_COUNT] = {
        [T_TEXT] = {TS, .name = "test_simple_text",
                    .description = "Return one text block.",
                    .input_schema = NO_ARGS, SAFE},
        [T_IMAGE] = {TS, .name = "test_image_content",
                     .description = "Return a 1x1 red PNG image.",
                     .input_schema = NO_ARGS, SAFE},
        [T_AUDIO] = {TS, .name = "test_audio_content",
                     .description = "Return a short WAV clip.",
                     .input_schema = NO_ARGS, SAFE},
        [T_RESOURCE] = {TS, .name = "test_embedded_resource",
                        .description = "Return an embedded text resource.",
                        .input_schema = NO_ARGS, SAFE},
        [T_MIXED] = {TS, .name = "test_multiple_content_types",
                     .description = "Return text, an image and a resource.",
                     .input_schema = NO_ARGS, SAFE},
        [T_LOGGING] = {TS, .name = "test_tool_with_logging",
                       .description = "Log three info messages 50 ms apart.",
                       .input_schema = NO_ARGS, SAFE},
        [T_PROGRESS] = {TS, .name = "test_tool_with_progress",
                        .description = "Report progress 0, 50 and 100 of 100, "
                                       "50 ms apart.",
                        .input_schema = NO_ARGS, SAFE},
        [T_ERROR] = {TS, .name = "test_error_handling",
                     .description = "Always fail, with a message for the "
                                    "model.",
                     .input_schema = NO_ARGS, SAFE},
        [T_SCHEMA] =
                {TS, .name = "json_schema_2020_12_tool",
                 .description = "Tool with JSON Schema 2020-12 features",
                 .input_schema =
                         "{\"$schema\":\"https://json-schema.org/draft/"
                         "2020-12/schema\",\"type\":\"object\",\"$defs\":{"
                         "\"address\":{\"type\":\"object\",\"properties\":{"
                         "\"street\":{\"type\":\"string\"},\"city\":{\"type\":"
                         "\"string\"}}}},\"properties\":{\"name\":{\"type\":"
                         "\"string\"},\"address\":{\"$ref\":\"#/$defs/"
                         "address\"}},\"additionalProperties\":false}",
                 SAFE},
        [T_STDOUT] = {TS, .name = "print_to_stdout",
                      .description = "Write a line to the host process's "
                                     "stdout, as a careless skill might.",
                      .input_schema = NO_ARGS, SAFE},
        [T_SAMPLING] = {TS, .name = "test_sampling",
                        .description = "Ask the client's model to answer "
                                       "the prompt.",
                        .input_schema = "{\"type\":\"object\",\"properties\":{"
                                        "\"prompt\":{\"type\":\"string\"}},"
                                        "\"required\":[\"prompt\"]}",
                        SAFE},
        [T_ELICIT] = {TS, .name = "test_elicitation",
                      .description = "Ask the user for a username and an "
                                     "email address.",
                      .input_schema = "{\"type\":\"object\",\"properties\":{"
                                      "\"message\":{\"type\":\"string\"}},"
                                      "\"required\":[\"message\"]}",
                      SAFE},
        [T_ELICIT_DEFAULTS] = {TS, .name = "test_elicitation_sep1034_defaults",
                               .description = "Ask the user with a form "
                                              "whose fields have defaults.",
                               .input_schema = NO_ARGS, SAFE},
        [T_ELICIT_ENUMS] = {TS, .name = "test_elicitation_sep1330_enums",
                            .description = "Ask the user with a form of "
                                           "every kind of enum.",
                            .input_schema = NO_ARGS, SAFE},
};

static const skill_tool_t *const tool_ptrs[T_COUNT] = {
        &tools_[0],  &tools_[1],  &tools_[2],  &tools_[3], &tools_[4],
        &tools_[5],  &tools_[6],  &tools_[7],  &tools_[8], &tools_[9],
        &tools_[10], &tools_[11], &tools_[12], &tools_[13]};
_Static_assert(T_COUNT == 14, "list every tool in tool_ptrs");

/* The forms of the elicitation scenarios. */
static const char form_user[] =
        "{\"type\":\"object\",\"properties\":{"
        "\"username\":{\"type\":\"string\",\"description\":\"User's "
        "response\"},"
        "\"email\":{\"type\":\"string\",\"description\":\"User's email "
        "address\"}},"
        "\"required\":[\"username\",\"email\"]}";

static const char form_defaults[] =
        "{\"type\":\"object\",\"properties\":{"
        "\"name\":{\"type\":\"string\",\"default\":\"John Doe\"},"
        "\"age\":{\"type\":\"integer\",\"default\":30},"
        "\"score\":{\"type\":\"number\",\"default\":95.5},"
        "\"status\":{\"type\":\"string\",\"enum\":[\"active\","
        "\"inactive\",\"pending\"],\"default\":\"active\"},"
        "\"verified\":{\"type\":\"boolean\",\"default\":true}}}";

static const char form_enums[] =
        "{\"type\":\"object\",\"properties\":{"
        "\"untitledSingle\":{\"type\":\"string\",\"enum\":[\"option1\","
        "\"option2\",\"option3\"]},"
        "\"titledSingle\":{\"type\":\"string\",\"oneOf\":["
        "{\"const\":\"value1\",\"title\":\"First Option\"},"
        "{\"const\":\"value2\",\"title\":\"Second Option\"},"
        "{\"const\":\"value3\",\"title\":\"Third Option\"}]},"
        "\"legacyEnum\":{\"type\":\"string\",\"enum\":[\"opt1\",\"opt2\","
        "\"opt3\"],\"enumNames\":[\"Option One\",\"Option Two\","
        "\"Option Three\"]},"
        "\"untitledMulti\":{\"type\":\"array\",\"items\":{\"type\":"
        "\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]}},"
        "\"titledMulti\":{\"type\":\"array\",\"items\":{\"anyOf\":["
        "{\"const\":\"value1\",\"title\":\"First Choice\"},"
        "{\"const\":\"value2\",\"title\":\"Second Choice\"},"
        "{\"const\":\"value3\",\"title\":\"Third Choice\"}]}}}}";

static skill_status failed(const skill_host_t *h, skill_call_t *c,
                           const char *what, skill_status st)
{
	char msg[96];

	snprintf(msg, sizeof msg, "%s failed with status %d", what, (int)st);
	h->tool_error(c, msg);
	return SKILL_ERR_TOOL;
}

/* Ask the user with form and answer "<prefix>action=..., content=...". */
static skill_status do_elicit(const skill_host_t *h, skill_call_t *c,
                              const char *message, const char *form,
                              const char *prefix)
{
	const skill_ext_elicit_t *x = h->get_extension(h, SKILL_EXT_ELICIT);
	skill_elicit_request_t req = {.struct_size = sizeof req,
	                              .message = message,
	                              .requested_schema = form};
	skill_elicit_result_t out = {.struct_size = sizeof out};
	static const char *const actions[] = {"?", "accept", "decline",
	                                      "cancel"};
	char text[1024];
	skill_status st;

	if (!x)
		return failed(h, c, "skill.elicit/1 lookup",
		              SKILL_ERR_UNSUPPORTED);
	if ((st = x->elicit(c, &req, &out)) != SKILL_OK)
		return failed(h, c, "elicitation", st);
	snprintf(text, sizeof text, "%saction=%s, content=%.*s", prefix,
	         actions[out.action <= SKILL_ELICIT_CANCEL ? out.action : 0],
	         out.content ? (int)out.content_len : 2,
	         out.content ? out.content : "{}");
	return h->result_text(c, text, SKILL_NUL_TERMINATED);
}

static skill_status do_sample(const skill_host_t *h, skill_call_t *c)
{
	const skill_ext_sample_t *x = h->get_extension(h, SKILL_EXT_SAMPLE);
	skill_sample_message_t m = {.struct_size = sizeof m,
	                            .role = "user",
	                            .text = h->arg_string(c, "prompt")};
	skill_sample_request_t req = {.struct_size = sizeof req,
	                              .messages = &m,
	                              .message_count = 1,
	                              .max_tokens = 100};
	skill_sample_result_t out = {.struct_size = sizeof out};
	char text[1024];
	skill_status st;

	if (!x)
		return failed(h, c, "skill.sample/1 lookup",
		              SKILL_ERR_UNSUPPORTED);
	if ((st = x->sample(c, &req, &out)) != SKILL_OK)
		return failed(h, c, "sampling", st);
	snprintf(text, sizeof text, "LLM response: %s",
	         out.text ? out.text : "(no text)");
	return h->result_text(c, text, SKILL_NUL_TERMINATED);
}

/* Sleep ms, waking early when the call is cancelled; 1 when it was. */
static int pause_ms(const skill_host_t *h, skill_call_t *c, int ms)
{
	const struct timespec step = {0, 5000000};

	for (int waited = 0; waited < ms; waited += 5) {
		if (h->is_cancelled(c))
			return 1;
		nanosleep(&step, NULL);
	}
	return h->is_cancelled(c);
}

static skill_status cancelled(const skill_host_t *h, skill_call_t *c)
{
	h->tool_error(c, "cancelled");
	return SKILL_ERR_CANCELLED;
}

static skill_status invoke(void *data, const skill_host_t *h, skill_call_t *c,
                           uint32_t tool, const char *args, size_t len)
{
	skill_resource_t res = {.struct_size = sizeof res};
	skill_status st;

	(void)data;
	switch (tool) {
	case T_TEXT:
		return h->result_text(c,
		                      "This is a simple text response for "
		                      "testing.",
		                      SKILL_NUL_TERMINATED);
	case T_IMAGE:
		return h->result_media(c, "image/png", red_png, sizeof red_png);
	case T_AUDIO:
		return h->result_media(c, "audio/wav", short_wav,
		                       sizeof short_wav);
	case T_RESOURCE:
		res.uri = "test://embedded-resource";
		res.mime_type = "text/plain";
		res.text = "This is an embedded resource content.";
		res.text_len = SKILL_NUL_TERMINATED;
		return h->result_resource(c, &res);
	case T_MIXED:
		res.uri = "test://mixed-content-resource";
		res.mime_type = "application/json";
		res.text = "{\"test\":\"data\",\"value\":123}";
		res.text_len = SKILL_NUL_TERMINATED;
		if ((st = h->result_text(c, "Multiple content types test:",
		                         SKILL_NUL_TERMINATED)) ||
		    (st = h->result_media(c, "image/png", red_png,
		                          sizeof red_png)))
			return st;
		return h->result_resource(c, &res);
	case T_LOGGING:
		h->log(h, c, SKILL_LOG_INFO, "Tool execution started");
		if (pause_ms(h, c, STEP_MS))
			return cancelled(h, c);
		h->log(h, c, SKILL_LOG_INFO, "Tool processing data");
		if (pause_ms(h, c, STEP_MS))
			return cancelled(h, c);
		h->log(h, c, SKILL_LOG_INFO, "Tool execution completed");
		return h->result_text(c,
		                      "Tool with logging executed "
		                      "successfully",
		                      SKILL_NUL_TERMINATED);
	case T_PROGRESS:
		for (int p = 0; p <= 100; p += 50) {
			if (p && pause_ms(h, c, STEP_MS))
				return cancelled(h, c);
			h->progress(c, p, 100, NULL);
		}
		return h->result_text(c,
		                      "Tool with progress executed "
		                      "successfully",
		                      SKILL_NUL_TERMINATED);
	case T_ERROR:
		h->tool_error(c, "This tool intentionally returns an error for "
		                 "testing");
		return SKILL_ERR_TOOL;
	case T_SCHEMA:
		/* Echo what arrived: the host validated it against the
		 * schema's $defs and $ref before this runs. */
		return h->result_text(c, args, len);
	case T_STDOUT:
		puts("stray output from testing/conformance");
		fflush(stdout);
		return h->result_text(c, "printed", SKILL_NUL_TERMINATED);
	case T_SAMPLING: return do_sample(h, c);
	case T_ELICIT:
		return do_elicit(h, c, h->arg_string(c, "message"), form_user,
		                 "User response: ");
	case T_ELICIT_DEFAULTS:
		return do_elicit(h, c, "Please review these values",
		                 form_defaults, "Elicitation completed: ");
	case T_ELICIT_ENUMS:
		return do_elicit(h, c, "Please choose", form_enums,
		                 "Elicitation completed: ");
	}
	return SKILL_ERR_UNSUPPORTED;
}

/* base64 of red_png. */
#define RED_PNG_B64                                                            \
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVQI12P4z8AAAAMB" \
	"AQA"                                                                  \
	"Y3Y2wAAAAAElFTkSuQmCC"

static const skill_ext_prompts_t prompts = {
        .struct_size = sizeof prompts,
        .prompts = "[{\"name\":\"test_simple_prompt\",\"title\":\"Simple\","
                   "\"description\":\"A prompt without arguments\","
                   "\"messages\":[{\"role\":\"user\",\"content\":{\"type\":"
                   "\"text\",\"text\":\"This is a simple prompt for "
                   "testing.\"}}]},"
                   "{\"name\":\"test_prompt_with_arguments\","
                   "\"description\":\"A prompt with arguments\","
                   "\"arguments\":[{\"name\":\"arg1\",\"description\":"
                   "\"First test argument\",\"required\":true,\"values\":"
                   "[\"test\",\"testValue1\",\"other\"]},"
                   "{\"name\":\"arg2\",\"description\":\"Second test "
                   "argument\",\"required\":true}],"
                   "\"messages\":[{\"role\":\"user\",\"content\":{\"type\":"
                   "\"text\",\"text\":\"Prompt with arguments: "
                   "arg1='{{arg1}}', arg2='{{arg2}}'\"}}]},"
                   "{\"name\":\"test_prompt_with_embedded_resource\","
                   "\"description\":\"A prompt with an embedded "
                   "resource\",\"arguments\":[{\"name\":\"resourceUri\","
                   "\"description\":\"URI of the resource to embed\","
                   "\"required\":true}],"
                   "\"messages\":[{\"role\":\"user\",\"content\":{\"type\":"
                   "\"resource\",\"resource\":{\"uri\":\"{{resourceUri}}\","
                   "\"mimeType\":\"text/plain\",\"text\":\"Embedded resource "
                   "content for testing.\"}}},{\"role\":\"user\",\"content\":"
                   "{\"type\":\"text\",\"text\":\"Please process the embedded "
                   "resource above.\"}}]},"
                   "{\"name\":\"test_prompt_with_image\",\"description\":"
                   "\"A prompt with an image\",\"messages\":[{\"role\":"
                   "\"user\",\"content\":{\"type\":\"image\",\"data\":"
                   "\"" RED_PNG_B64 "\",\"mimeType\":\"image/png\"}},"
                   "{\"role\":\"user\",\"content\":{\"type\":\"text\","
                   "\"text\":\"Please analyze the image above.\"}}]}]",
};

static const skill_ext_resources_t resources = {
        .struct_size = sizeof resources,
        .resources = "[{\"uri\":\"test://static-text\",\"name\":"
                     "\"static-text\",\"title\":\"Static text\","
                     "\"mimeType\":\"text/plain\",\"text\":\"This is the "
                     "content of the static text resource.\"},"
                     "{\"uri\":\"test://static-binary\",\"name\":"
                     "\"static-binary\",\"mimeType\":\"image/png\","
                     "\"blob\":\"" RED_PNG_B64 "\"},"
                     "{\"uri\":\"test://watched-resource\",\"name\":"
                     "\"watched-resource\",\"mimeType\":\"text/plain\","
                     "\"text\":\"Watched resource content\"}]",
        .templates = "[{\"uriTemplate\":\"test://template/{id}/data\","
                     "\"name\":\"template-data\",\"mimeType\":"
                     "\"application/json\",\"text\":\"{\\\"id\\\":"
                     "\\\"{{id}}\\\",\\\"templateTest\\\":true}\","
                     "\"values\":{\"id\":[\"123\",\"124\",\"200\"]}}]",
};

static const void *get_extension(void *skill_data, const char *id)
{
	(void)skill_data;
	if (!strcmp(id, SKILL_EXT_PROMPTS))
		return &prompts;
	if (!strcmp(id, SKILL_EXT_RESOURCES))
		return &resources;
	return NULL;
}

FIXTURE_SKILL("testing/conformance", "1.0.0",
              "Test fixture: the tools, prompts and resources the MCP "
              "conformance suite calls.",
              tool_ptrs, invoke, .get_extension = get_extension)
