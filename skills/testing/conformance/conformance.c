/*
 * testing/conformance - the fixture tools of the MCP conformance suite
 * (@modelcontextprotocol/conformance 0.1.16, server scenarios), with the
 * content, logging, progress and errors each scenario checks. Served with
 * `skillhost serve --short-names` so the suite finds them by bare name.
 *
 * test_sampling and test_elicitation are absent: they need requests from
 * the server to the client, which the host does not make.
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
};

static const skill_tool_t *const tool_ptrs[T_COUNT] = {
        &tools_[0], &tools_[1], &tools_[2], &tools_[3], &tools_[4],
        &tools_[5], &tools_[6], &tools_[7], &tools_[8], &tools_[9]};
_Static_assert(T_COUNT == 10, "list every tool in tool_ptrs");

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
