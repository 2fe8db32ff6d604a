/*
 * testing/library - what MCP clients read besides tool results: a tool
 * that writes artifacts (and, like skills/powerpoint, repeats the
 * artifact's local path and URI in its result, which the host must keep
 * from remote clients), one prompt with a completable argument
 * (skill.prompts/1), and a static resource and a resource template
 * (skill.resources/1), a dynamic template read and listed by the skill, and
 * completion values the skill computes (skill.completion/1).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <skill/skill.h>

#include "../fixture.h"

/* The most bytes write_report writes: past the host's resources/read
 * cap, so tests can see the refusal. */
#define REPORT_MAX (20 * 1024 * 1024)

static const skill_tool_t write_report = {
        .struct_size = sizeof(skill_tool_t),
        .name = "write_report",
        .description = "Write a text report as an artifact (count artifacts "
                       "named name, each holding text, or size bytes of "
                       "'x').",
        .input_schema = "{\"type\":\"object\",\"properties\":{"
                        "\"name\":{\"type\":\"string\",\"minLength\":1,"
                        "\"maxLength\":40,\"pattern\":\"^[a-z0-9_-]+$\"},"
                        "\"text\":{\"type\":\"string\"},"
                        "\"size\":{\"type\":\"integer\",\"minimum\":0,"
                        "\"maximum\":20971520},"
                        "\"binary\":{\"type\":\"boolean\"},"
                        "\"count\":{\"type\":\"integer\",\"minimum\":1,"
                        "\"maximum\":20}},\"required\":[\"name\"]}",
        .output_schema = "{\"type\":\"object\",\"properties\":{"
                         "\"path\":{\"type\":\"string\"},"
                         "\"uri\":{\"type\":\"string\"},"
                         "\"bytes\":{\"type\":\"integer\"}},"
                         "\"required\":[\"path\",\"uri\",\"bytes\"]}",
        .read_only = SKILL_HINT_NO,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_NO,
        .open_world = SKILL_HINT_NO,
        .requires_ext = (const char *const[]){SKILL_EXT_ARTIFACTS, NULL},
};

static const skill_tool_t *const tool_ptrs[] = {&write_report};

static skill_status write_one(const skill_host_t *h, skill_call_t *c,
                              const skill_ext_artifacts_t *art,
                              const char *file, const char *mime,
                              const char *text, size_t size,
                              skill_artifact_info_t *info)
{
	static const char xs[4096] = {[0 ... 4095] = 'x'};
	skill_artifact_t *out = NULL;
	skill_status st = art->create(c, file, mime, &out);

	if (st)
		return st;
	if (text) {
		st = art->write(c, out, text, strlen(text));
	} else {
		for (size_t done = 0; !st && done < size;) {
			size_t n = size - done < sizeof xs ? size - done
			                                   : sizeof xs;
			st = art->write(c, out, xs, n);
			done += n;
		}
	}
	if (st) {
		art->discard(c, out);
		return st;
	}
	(void)h;
	return art->commit(c, out, info);
}

static skill_status invoke(void *data, const skill_host_t *h, skill_call_t *c,
                           uint32_t tool, const char *args, size_t len)
{
	const skill_ext_artifacts_t *art =
	        h->get_extension(h, SKILL_EXT_ARTIFACTS);
	skill_artifact_info_t info = {.struct_size = sizeof info};
	const char *name = h->arg_string(c, "/name");
	const char *body = h->arg_string(c, "/text");
	char file[64], text[4200], json[8192];
	double size = 0, count = 1;
	int32_t binary = 0;
	skill_status st;

	(void)data;
	(void)args;
	(void)len;
	if (tool != 0 || !art)
		return SKILL_ERR_UNSUPPORTED;
	if (!name) {
		h->tool_error(c, "name is required");
		return SKILL_ERR_TOOL;
	}
	h->arg_number(c, "/size", &size);
	h->arg_number(c, "/count", &count);
	h->arg_bool(c, "/binary", &binary);
	if (size > REPORT_MAX) {
		h->tool_error(c, "size is too large");
		return SKILL_ERR_TOOL;
	}
	for (int i = 0; i < (int)count; i++) {
		if (count > 1)
			snprintf(file, sizeof file, "%s-%d.%s", name, i + 1,
			         binary ? "bin" : "txt");
		else
			snprintf(file, sizeof file, "%s.%s", name,
			         binary ? "bin" : "txt");
		st = write_one(h, c, art, file,
		               binary ? "application/octet-stream"
		                      : "text/plain",
		               body, (size_t)size, &info);
		if (st) {
			h->tool_error(c, "the host could not save the report");
			return SKILL_ERR_TOOL;
		}
	}
	/* The last one's path and URI, in the text and the structured
	 * result alike, as a careless skill would. */
	snprintf(json, sizeof json,
	         "{\"path\":\"%s\",\"uri\":\"%s\",\"bytes\":%lld}", info.path,
	         info.uri, (long long)info.size);
	snprintf(text, sizeof text, "Saved the report to %s", info.path);
	if ((st = h->result_text(c, text, SKILL_NUL_TERMINATED)))
		return st;
	return h->result_json(c, json, SKILL_NUL_TERMINATED);
}

static const skill_ext_prompts_t prompts = {
        .struct_size = sizeof prompts,
        .prompts = "[{\"name\":\"summarize_report\",\"title\":\"Summarize a "
                   "report\",\"description\":\"Ask for a summary of a "
                   "report.\",\"arguments\":[{\"name\":\"topic\","
                   "\"description\":\"What the report is about\","
                   "\"required\":true},{\"name\":\"style\",\"description\":"
                   "\"How long the summary is\",\"values\":[\"short\","
                   "\"long\",\"bullet points\"]}],\"messages\":[{\"role\":"
                   "\"user\",\"content\":{\"type\":\"text\",\"text\":"
                   "\"Summarize the report on {{topic}} in a {{style}} "
                   "style.\"}},{\"role\":\"assistant\",\"content\":{\"type\":"
                   "\"text\",\"text\":\"Which report on {{topic}}?\"}}]}]",
};

/* library://live/ITEM: computed per read, in this process (the worker
 * when isolated: the text says which); "missing" is not found. */
static skill_status read_live(void *data, const skill_host_t *h,
                              skill_call_t *c, const char *uri)
{
	const char *item = uri + strlen("library://live/");
	char text[512];

	(void)data;
	if (strncmp(uri, "library://live/", 15)) {
		h->tool_error(c, "not a library://live/ URI");
		return SKILL_ERR_TOOL;
	}
	if (!strcmp(item, "missing")) {
		h->tool_error(c, "no live item called missing");
		return SKILL_ERR_TOOL;
	}
	snprintf(text, sizeof text, "live %s from pid %ld", item,
	         (long)getpid());
	return h->result_text(c, text, SKILL_NUL_TERMINATED);
}

/* The live items there are now. */
static skill_status list_live(void *data, const skill_host_t *h,
                              skill_call_t *c)
{
	(void)data;
	return h->result_json(c,
	                      "{\"resources\":[{\"uri\":\"library://live/"
	                      "today\",\"name\":\"today\",\"mimeType\":"
	                      "\"text/plain\"}]}",
	                      SKILL_NUL_TERMINATED);
}

/* Values for what declares none: the prompt's "topic" and the live
 * template's "item". */
static skill_status complete(void *data, const skill_host_t *h, skill_call_t *c,
                             const char *ref, const char *arg,
                             const char *value)
{
	static const char *const topics[] = {"budget", "backlog", "billing"};
	static const char *const items[] = {"alpha", "beta", "gamma"};
	const char *const *v = NULL;
	char json[512];
	size_t n = 0;

	(void)data;
	if (!strcmp(ref, "prompt:summarize_report") && !strcmp(arg, "topic"))
		v = topics, n = 3;
	else if (!strcmp(ref, "resource:library://live/{item}") &&
	         !strcmp(arg, "item"))
		v = items, n = 3;
	snprintf(json, sizeof json, "{\"values\":[");
	for (size_t i = 0, k = 0; i < n; i++)
		if (!strncmp(v[i], value, strlen(value)))
			snprintf(json + strlen(json),
			         sizeof json - strlen(json), "%s\"%s\"",
			         k++ ? "," : "", v[i]);
	snprintf(json + strlen(json), sizeof json - strlen(json), "]}");
	return h->result_json(c, json, SKILL_NUL_TERMINATED);
}

static const skill_ext_completion_t completion = {
        .struct_size = sizeof completion, .complete = complete};

static const skill_ext_resources_t resources = {
        .struct_size = sizeof resources,
        .read = read_live,
        .list = list_live,
        .resources = "[{\"uri\":\"library://readme\",\"name\":\"readme\","
                     "\"title\":\"About the library\",\"mimeType\":"
                     "\"text/markdown\",\"text\":\"# Library\\nReports "
                     "live here.\"}]",
        .templates = "[{\"uriTemplate\":\"library://live/{item}\","
                     "\"name\":\"live\",\"description\":\"Read by the "
                     "skill when asked\",\"mimeType\":\"text/plain\"},"
                     "{\"uriTemplate\":\"library://topics/{topic}\","
                     "\"name\":\"topic\",\"description\":\"Notes on a "
                     "topic\",\"mimeType\":\"text/plain\",\"text\":"
                     "\"Notes on {{topic}}.\",\"values\":{\"topic\":"
                     "[\"sales\",\"security\",\"support\"]}}]",
};

static const void *get_extension(void *data, const char *id)
{
	(void)data;
	if (!strcmp(id, SKILL_EXT_PROMPTS))
		return &prompts;
	if (!strcmp(id, SKILL_EXT_RESOURCES))
		return &resources;
	if (!strcmp(id, SKILL_EXT_COMPLETION))
		return &completion;
	return NULL;
}

FIXTURE_SKILL("testing/library", "1.0.0",
              "Test fixture: artifacts, prompts and resources for MCP "
              "clients.",
              tool_ptrs, invoke, .get_extension = get_extension)
