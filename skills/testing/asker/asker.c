/*
 * testing/asker - asks mid-call: the user (skill.elicit/1) and the
 * caller's model (skill.sample/1); plus a tool annotated destructive, for
 * the host's `confirm destructive` policy.
 */
#include <stdio.h>
#include <string.h>

#include <skill/skill.h>

#include "../fixture.h"

static const skill_tool_t ask = {
        .struct_size = sizeof(skill_tool_t),
        .name = "ask",
        .description = "Ask the user for their name and age, and return "
                       "what they answered.",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"message\":"
                        "{\"type\":\"string\",\"maxLength\":200}},"
                        "\"additionalProperties\":false}",
        FIXTURE_HINTS_PURE};

static const skill_tool_t summarize = {
        .struct_size = sizeof(skill_tool_t),
        .name = "summarize",
        .description = "Ask the caller's model to summarize the text.",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":"
                        "{\"type\":\"string\",\"maxLength\":2000}},"
                        "\"required\":[\"text\"],"
                        "\"additionalProperties\":false}",
        FIXTURE_HINTS_PURE};

static const skill_tool_t wipe = {
        .struct_size = sizeof(skill_tool_t),
        .name = "wipe",
        .description = "Pretend to delete everything (annotated "
                       "destructive; deletes nothing).",
        .input_schema = "{\"type\":\"object\",\"properties\":{},"
                        "\"additionalProperties\":false}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_YES,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_NO};

static const skill_tool_t *const tools[] = {&ask, &summarize, &wipe};

static skill_status failed(const skill_host_t *host, skill_call_t *call,
                           const char *what, skill_status st)
{
	char msg[96];

	snprintf(msg, sizeof msg, "%s failed with status %d", what, (int)st);
	host->tool_error(call, msg);
	return SKILL_ERR_TOOL;
}

static skill_status do_ask(const skill_host_t *host, skill_call_t *call)
{
	const skill_ext_elicit_t *x =
	        host->get_extension(host, SKILL_EXT_ELICIT);
	const char *message = host->arg_string(call, "message");
	skill_elicit_request_t req = {
	        .struct_size = sizeof req,
	        .message = message ? message : "Who are you?",
	        .requested_schema =
	                "{\"type\":\"object\",\"properties\":{"
	                "\"name\":{\"type\":\"string\",\"minLength\":1},"
	                "\"age\":{\"type\":\"integer\",\"minimum\":0}},"
	                "\"required\":[\"name\"]}",
	};
	skill_elicit_result_t out = {.struct_size = sizeof out};
	char text[512];
	skill_status st;

	if (!x)
		return failed(host, call, "skill.elicit/1 lookup",
		              SKILL_ERR_UNSUPPORTED);
	st = x->elicit(call, &req, &out);
	if (st != SKILL_OK)
		return failed(host, call, "elicitation", st);
	if (out.action == SKILL_ELICIT_ACCEPT)
		snprintf(text, sizeof text, "accepted: %.*s",
		         (int)out.content_len, out.content);
	else
		snprintf(text, sizeof text, "%s",
		         out.action == SKILL_ELICIT_DECLINE ? "declined"
		                                            : "cancelled");
	return host->result_text(call, text, SKILL_NUL_TERMINATED);
}

static skill_status do_summarize(const skill_host_t *host, skill_call_t *call)
{
	const skill_ext_sample_t *x =
	        host->get_extension(host, SKILL_EXT_SAMPLE);
	skill_sample_message_t m = {
	        .struct_size = sizeof m,
	        .role = "user",
	        .text = host->arg_string(call, "text"),
	};
	skill_sample_request_t req = {
	        .struct_size = sizeof req,
	        .messages = &m,
	        .message_count = 1,
	        .system_prompt = "Summarize in one sentence.",
	        .max_tokens = 100,
	        .model_preferences = "{\"hints\":[{\"name\":\"claude\"}],"
	                             "\"speedPriority\":0.8}",
	};
	skill_sample_result_t out = {.struct_size = sizeof out};
	char text[1024];
	skill_status st;

	if (!x)
		return failed(host, call, "skill.sample/1 lookup",
		              SKILL_ERR_UNSUPPORTED);
	st = x->sample(call, &req, &out);
	if (st != SKILL_OK)
		return failed(host, call, "sampling", st);
	snprintf(text, sizeof text, "model %s said: %s (stop: %s)",
	         out.model ? out.model : "?", out.text ? out.text : "",
	         out.stop_reason ? out.stop_reason : "none");
	return host->result_text(call, text, SKILL_NUL_TERMINATED);
}

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool, const char *args,
                           size_t len)
{
	(void)data, (void)args, (void)len;
	switch (tool) {
	case 0: return do_ask(host, call);
	case 1: return do_summarize(host, call);
	default:
		return host->result_text(call, "wiped (nothing, it is a test)",
		                         SKILL_NUL_TERMINATED);
	}
}

FIXTURE_SKILL("testing/asker", "1.0.0",
              "Test fixture: asks the user and the model mid-call.", tools,
              invoke)
