/*
 * testing/everything - every content type, progress, logging, errors,
 * argument accessors and the config extension, for the host's tests.
 */
#include <stdio.h>
#include <string.h>

#include <skill/skill.h>

#include "../fixture.h"

#define OBJ(props) "{\"type\":\"object\",\"properties\":{" props "}}"

static const unsigned char png_1x1[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
        0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
        0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
        0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
        0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

/* A 44-byte WAV header with no samples: valid, silent audio. */
static const unsigned char wav_empty[] = {
        'R', 'I', 'F',  'F',  36,  0,   0,    0,    'W', 'A', 'V',
        'E', 'f', 'm',  't',  ' ', 16,  0,    0,    0,   1,   0,
        1,   0,   0x40, 0x1f, 0,   0,   0x80, 0x3e, 0,   0,   2,
        0,   16,  0,    'd',  'a', 't', 'a',  0,    0,   0,   0};

enum {
	T_TEXT,
	T_STRUCTURED,
	T_IMAGE,
	T_AUDIO,
	T_RESOURCE,
	T_LINK,
	T_MIXED,
	T_PROGRESS,
	T_LOG,
	T_FAIL,
	T_ECHO,
	T_ARGS,
	T_CONFIG,
	T_BADOUT,
	T_COUNT
};

#define TS .struct_size = sizeof(skill_tool_t)

static const skill_tool_t tools_[T_COUNT] = {
        [T_TEXT] = {TS, .name = "text", .description = "Return a text block.",
                    .input_schema = OBJ("\"text\":{\"type\":\"string\"}")},
        [T_STRUCTURED] =
                {TS, .name = "structured",
                 .description =
                         "Return structured content for an output schema.",
                 .input_schema = OBJ("\"n\":{\"type\":\"integer\"}"),
                 .output_schema =
                         "{\"type\":\"object\",\"properties\":{\"n\":"
                         "{\"type\":\"integer\"},\"square\":{\"type\":"
                         "\"integer\"}},\"required\":[\"n\",\"square\"]}",
                 .read_only = SKILL_HINT_YES},
        [T_IMAGE] = {TS, .name = "image", .description = "Return a PNG image.",
                     .input_schema = OBJ("")},
        [T_AUDIO] = {TS, .name = "audio", .description = "Return WAV audio.",
                     .input_schema = OBJ("")},
        [T_RESOURCE] = {TS, .name = "resource",
                        .description = "Return text and blob resources.",
                        .input_schema = OBJ("")},
        [T_LINK] = {TS, .name = "link",
                    .description = "Return a resource link.",
                    .input_schema = OBJ("")},
        [T_MIXED] = {TS, .name = "mixed",
                     .description = "Return text, image and a resource.",
                     .input_schema = OBJ("")},
        [T_PROGRESS] = {TS, .name = "progress",
                        .description = "Report progress steps then finish.",
                        .input_schema = OBJ("\"steps\":{\"type\":\"integer\","
                                            "\"minimum\":1,\"maximum\":100}")},
        [T_LOG] = {TS, .name = "log",
                   .description = "Log at every level, then return.",
                   .input_schema = OBJ("")},
        [T_FAIL] = {TS, .name = "fail",
                    .description = "Fail with a message for the model.",
                    .input_schema = OBJ("\"why\":{\"type\":\"string\"}")},
        [T_ECHO] = {TS, .name = "echo",
                    .description = "Return the arguments as text.",
                    .input_schema = "{\"type\":\"object\"}",
                    .read_only = SKILL_HINT_YES, .idempotent = SKILL_HINT_YES,
                    .destructive = SKILL_HINT_NO, .open_world = SKILL_HINT_NO},
        [T_ARGS] =
                {TS, .name = "args",
                 .description = "Read arguments through the accessors.",
                 .input_schema = OBJ(
                         "\"s\":{\"type\":\"string\"},\"n\":{\"type\":"
                         "\"number\"},\"b\":{\"type\":\"boolean\"},\"a\":"
                         "{\"type\":\"array\"},\"o\":{\"type\":\"object\"}")},
        [T_CONFIG] = {TS, .name = "config",
                      .description = "Return a setting from skill.config/1.",
                      .input_schema = OBJ("\"key\":{\"type\":\"string\"}"),
                      .requires_ext =
                              (const char *const[]){SKILL_EXT_CONFIG, NULL}},
        [T_BADOUT] = {TS, .name = "bad_output",
                      .description = "Break its own output schema.",
                      .input_schema = OBJ(""),
                      .output_schema = "{\"type\":\"object\",\"required\":"
                                       "[\"x\"]}"},
};

static const skill_tool_t *const tool_ptrs[T_COUNT] = {
        &tools_[0],  &tools_[1],  &tools_[2],  &tools_[3], &tools_[4],
        &tools_[5],  &tools_[6],  &tools_[7],  &tools_[8], &tools_[9],
        &tools_[10], &tools_[11], &tools_[12], &tools_[13]};
_Static_assert(T_COUNT == 14, "list every tool in tool_ptrs");

static skill_status text(const skill_host_t *h, skill_call_t *c, const char *s)
{
	return h->result_text(c, s, SKILL_NUL_TERMINATED);
}

static skill_status invoke(void *data, const skill_host_t *h, skill_call_t *c,
                           uint32_t tool, const char *args, size_t len)
{
	char buf[512];
	double n;
	int b;
	skill_status st;
	skill_resource_t res = {.struct_size = sizeof res};
	skill_resource_link_t link = {.struct_size = sizeof link};

	(void)data;
	switch (tool) {
	case T_TEXT: {
		const char *t = h->arg_string(c, "text");
		return text(h, c, t ? t : "hello from testing/everything");
	}
	case T_STRUCTURED: {
		long v = h->arg_number(c, "n", &n) ? (long)n : 7;
		snprintf(buf, sizeof buf, "{\"n\":%ld,\"square\":%ld}", v,
		         v * v);
		return h->result_json(c, buf, SKILL_NUL_TERMINATED);
	}
	case T_IMAGE:
		return h->result_media(c, "image/png", png_1x1, sizeof png_1x1);
	case T_AUDIO:
		return h->result_media(c, "audio/wav", wav_empty,
		                       sizeof wav_empty);
	case T_RESOURCE:
		res.uri = "test://everything/text";
		res.mime_type = "text/plain";
		res.text = "resource text";
		res.text_len = SKILL_NUL_TERMINATED;
		if ((st = h->result_resource(c, &res)))
			return st;
		res.uri = "test://everything/blob";
		res.mime_type = "application/octet-stream";
		res.text = NULL;
		res.blob = "\x00\x01\x02\x03";
		res.blob_len = 4;
		return h->result_resource(c, &res);
	case T_LINK:
		link.uri = "file:///tmp/everything.txt";
		link.name = "everything.txt";
		link.title = "A linked file";
		link.mime_type = "text/plain";
		link.size = 42;
		return h->result_link(c, &link);
	case T_MIXED:
		res.uri = "test://everything/mixed";
		res.text = "{\"ok\":true}";
		res.text_len = SKILL_NUL_TERMINATED;
		res.mime_type = "application/json";
		if ((st = text(h, c, "mixed content")) ||
		    (st = h->result_media(c, "image/png", png_1x1,
		                          sizeof png_1x1)))
			return st;
		return h->result_resource(c, &res);
	case T_PROGRESS: {
		int steps = h->arg_number(c, "steps", &n) ? (int)n : 3;
		for (int i = 1; i <= steps; i++) {
			snprintf(buf, sizeof buf, "step %d of %d", i, steps);
			h->progress(c, i, steps, buf);
		}
		return text(h, c, "progress done");
	}
	case T_LOG:
		for (int lvl = SKILL_LOG_DEBUG; lvl <= SKILL_LOG_EMERGENCY;
		     lvl++) {
			snprintf(buf, sizeof buf, "log message at level %d",
			         lvl);
			h->log(h, c, (skill_log_level)lvl, buf);
		}
		return text(h, c, "logged");
	case T_FAIL: {
		const char *why = h->arg_string(c, "why");
		h->tool_error(c, why ? why : "this tool always fails");
		return SKILL_ERR_TOOL;
	}
	case T_ECHO: return h->result_text(c, args, len);
	case T_ARGS: {
		const char *s = h->arg_string(c, "s");
		double num = 0;
		int have_n = h->arg_number(c, "/n", &num);
		int have_b = h->arg_bool(c, "b", &b);
		const char *o = h->arg_json(c, "o");
		snprintf(buf, sizeof buf,
		         "s=%s n=%s%g b=%s%d a=%lld a0=%s o=%s missing=%s",
		         s ? s : "(null)", have_n ? "" : "none:", num,
		         have_b ? "" : "none:", have_b ? b : 0,
		         (long long)h->arg_count(c, "a"),
		         h->arg_json(c, "/a/0") ? h->arg_json(c, "/a/0")
		                                : "(null)",
		         o ? o : "(null)",
		         h->arg_string(c, "nope") ? "no" : "yes");
		return text(h, c, buf);
	}
	case T_CONFIG: {
		const skill_ext_config_t *cfg =
		        h->get_extension(h, SKILL_EXT_CONFIG);
		const char *key = h->arg_string(c, "key");
		char val[256];
		if (!cfg || !key) {
			h->tool_error(c, "no config extension or no key");
			return SKILL_ERR_TOOL;
		}
		if (cfg->get(h, key, val, sizeof val) < 0)
			snprintf(buf, sizeof buf, "%s is unset", key);
		else
			snprintf(buf, sizeof buf, "%s=%s", key, val);
		return text(h, c, buf);
	}
	case T_BADOUT:
		return h->result_json(c, "{\"y\":1}", SKILL_NUL_TERMINATED);
	}
	return SKILL_ERR_UNSUPPORTED;
}

static const char settings_schema[] =
        "{\"type\":\"object\",\"properties\":{\"greeting\":{\"type\":"
        "\"string\",\"maxLength\":20}},\"additionalProperties\":false}";

static const skill_ext_config_schema_t config_schema = {
        .struct_size = sizeof config_schema, .schema = settings_schema};

static const void *get_extension(void *data, const char *id)
{
	(void)data;
	return !strcmp(id, SKILL_EXT_CONFIG_SCHEMA) ? &config_schema : NULL;
}

static skill_status init(const skill_host_t *host, const char *dir, void **data)
{
	(void)dir;
	*data = NULL;
	host->log(host, NULL, SKILL_LOG_DEBUG, "testing/everything ready");
	return SKILL_OK;
}

FIXTURE_SKILL("testing/everything", "1.0.0",
              "Test fixture: every content type and host service.", tool_ptrs,
              invoke, .init = init, .get_extension = get_extension)
