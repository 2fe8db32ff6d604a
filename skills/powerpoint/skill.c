/*
 * skill.c - the skillhost/powerpoint skill: create, read and extend .pptx
 * decks. The work is done by pptx_core; this file maps tool arguments to it
 * and moves bytes through the host's skill.artifacts/1 extension.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <skill/skill.h>

#include "jparse.h"
#include "pptx_edit.h"
#include "pptx_json.h"
#include "pptx_read.h"
#include "pptx_write.h"
#include "tooltable.h"

#define PPTX_MIME                                                              \
	"application/vnd.openxmlformats-officedocument.presentationml."        \
	"presentation"
/* A suggested file name's stem: longer ones are cut. */
#define FILENAME_STEM_MAX 80
#define READ_CHUNK        65536

/* Every object in the schemas is closed (additionalProperties false), so a
 * misspelt or unsupported key ("color", "bold") is refused by the host
 * instead of being ignored; the core refuses them too (pptx_json.c), for
 * hosts that do not validate. */
#define CHART_SCHEMA                                                           \
	"{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" \
	"\"type\":{\"type\":\"string\",\"enum\":[\"bar\",\"column\",\"line\"," \
	"\"pie\",\"doughnut\",\"area\",\"scatter\"],\"description\":\"bar: "   \
	"horizontal bars; column: vertical bars; scatter: categories are the " \
	"x values (numbers)\"},"                                               \
	"\"title\":{\"type\":\"string\"},"                                     \
	"\"categories\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":1000," \
	"\"items\":{\"type\":[\"string\",\"number\"]}},"                       \
	"\"series\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":50,"       \
	"\"items\":{\"type\":\"object\",\"additionalProperties\":false,"       \
	"\"properties\":{\"name\":{\"type\":\"string\"},\"values\":{\"type\":" \
	"\"array\",\"maxItems\":1000,\"items\":{\"type\":[\"number\","         \
	"\"null\"]},\"description\":\"one per category; null for a gap\"}},"   \
	"\"required\":[\"name\",\"values\"]}},"                                \
	"\"x_title\":{\"type\":\"string\"},\"y_title\":{\"type\":\"string\"}," \
	"\"data_labels\":{\"type\":\"boolean\",\"default\":false},"            \
	"\"legend\":{\"type\":\"string\",\"enum\":[\"right\",\"bottom\","      \
	"\"top\",\"left\",\"none\"],\"default\":\"bottom\"}},"                 \
	"\"required\":[\"type\",\"categories\",\"series\"]}"

#define SLIDE_SCHEMA                                                           \
	"{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" \
	"\"layout\":{\"type\":\"string\",\"enum\":[\"title\",\"bullets\","     \
	"\"two_column\",\"table\",\"image\",\"section\",\"chart\","            \
	"\"text_chart\",\"quote\",\"big_number\",\"agenda\",\"image_text\","   \
	"\"comparison\"],\"description\":"                                     \
	"\"title: title + subtitle; bullets: title + bullet list; two_column:" \
	" title + two bullet lists; table: title + table; image: title + "     \
	"picture; section: section header + subtitle; chart: title + native "  \
	"chart; text_chart: title, bullets on the left, chart on the right. "  \
	"Default bullets. Text fields take **bold**, *italic*, __underline__ " \
	"and [text](https://...) links.\"},"                                   \
	"\"title\":{\"type\":\"string\"},"                                     \
	"\"layout_name\":{\"type\":\"string\",\"description\":\"add_slides "   \
	"and edit_presentation only: use the deck's (or template's) own "      \
	"layout of this name (its p:cSld name, e.g. Title and Content) "       \
	"instead of the one matched by layout type\"},"                        \
	"\"subtitle\":{\"type\":\"string\",\"description\":\"title, section, " \
	"quote and big_number layouts only\"},"                                \
	"\"headings\":{\"type\":\"array\",\"minItems\":2,\"maxItems\":2,"      \
	"\"items\":{\"type\":\"string\"},\"description\":\"comparison: the "   \
	"two columns' headings\"},"                                            \
	"\"bullets\":{\"type\":\"array\",\"maxItems\":500,\"items\":"          \
	"{\"$ref\":\"#/$defs/bullet\"}},"                                      \
	"\"columns\":{\"type\":\"array\",\"minItems\":2,\"maxItems\":2,"       \
	"\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/"         \
	"bullet\"}"                                                            \
	"},\"description\":\"two_column layout: [left bullets, right "         \
	"bullets]\"},"                                                         \
	"\"table\":{\"type\":\"object\",\"additionalProperties\":false,"       \
	"\"properties\":{\"columns\":{"                                        \
	"\"type\":"                                                            \
	"\"array\",\"minItems\":1,\"maxItems\":30,\"items\":{\"type\":"        \
	"\"string\"}},\"rows\":{\"type\":\"array\",\"maxItems\":300,"          \
	"\"items\":"                                                           \
	"{\"type\":\"array\",\"items\":{\"type\":[\"string\",\"number\","      \
	"\"boolean\",\"null\"]}}},\"split\":{\"type\":\"boolean\","            \
	"\"description\":\"continue the table on more slides (header "         \
	"repeated) when it does not fit one\"}},\"required\":[\"columns\"]},"  \
	"\"image\":{\"type\":\"object\",\"additionalProperties\":false,"       \
	"\"properties\":{\"data\":{\"type\":"                                  \
	"\"string\",\"description\":\"base64 PNG or JPEG, at most 20 MiB\"},"  \
	"\"mime\":{\"type\":\"string\",\"enum\":[\"image/png\","               \
	"\"image/jpeg\"]},\"alt\":{\"type\":\"string\"}},\"required\":"        \
	"[\"data\",\"mime\"]},"                                                \
	"\"chart\":" CHART_SCHEMA ","                                          \
	"\"notes\":{\"type\":\"string\",\"description\":\"speaker notes\"}},"  \
	"\"required\":[\"title\"]}"

#define DEFS                                                                   \
	"\"$defs\":{\"bullet\":{\"oneOf\":[{\"type\":\"string\"},{\"type\":"   \
	"\"object\",\"additionalProperties\":false,\"properties\":{\"text\":"  \
	"{\"type\":\"string\"},\"level\":"                                     \
	"{\"type\":\"integer\",\"minimum\":0,\"maximum\":4}},\"required\":"    \
	"[\"text\"]}]},\"slide\":" SLIDE_SCHEMA "}"

#define THEME_ENUM                                                             \
	"[\"ocean\",\"classic\",\"forest\",\"sunset\",\"berry\",\"slate\","    \
	"\"mono\"]"
#define HEX_COLOR "{\"type\":\"string\",\"pattern\":\"^#?[0-9A-Fa-f]{6}$\"}"
#define THEME_SCHEMA                                                           \
	"{\"description\":\"a built-in theme (palette and font pair; "         \
	"default ocean) or a custom one: {base, colors {text, background, "    \
	"heading, light, accent1..accent6, link, visited_link: "               \
	"\\\"#RRGGBB\\\"}, "                                                   \
	"fonts {heading, "                                                     \
	"body}}\",\"anyOf\":[{\"type\":\"string\",\"enum\":" THEME_ENUM        \
	"},{\"type\":\"object\",\"additionalProperties\":false,"               \
	"\"properties\":{\"base\":{\"type\":\"string\",\"enum\":" THEME_ENUM   \
	"},\"colors\":{\"type\":\"object\",\"additionalProperties\":false,"    \
	"\"properties\":{\"text\":" HEX_COLOR ",\"background\":" HEX_COLOR     \
	",\"heading\":" HEX_COLOR ",\"light\":" HEX_COLOR                      \
	",\"accent1\":" HEX_COLOR ",\"accent2\":" HEX_COLOR                    \
	",\"accent3\":" HEX_COLOR ",\"accent4\":" HEX_COLOR                    \
	",\"accent5\":" HEX_COLOR ",\"accent6\":" HEX_COLOR                    \
	",\"link\":" HEX_COLOR ",\"visited_link\":" HEX_COLOR "}},"            \
	"\"fonts\":{\"type\":\"object\",\"additionalProperties\":false,"       \
	"\"properties\":{\"heading\":{\"type\":\"string\",\"minLength\":1,"    \
	"\"maxLength\":64},\"body\":{\"type\":\"string\",\"minLength\":1,"     \
	"\"maxLength\":64}}}}}]}"

#define SOURCE_PROPS                                                           \
	"\"path\":{\"type\":\"string\",\"description\":\"a .pptx inside a "    \
	"folder the operator allowed, or an artifact URI\"},"                  \
	"\"data\":{\"type\":\"string\",\"description\":\"the .pptx as "        \
	"base64, instead of path (give exactly one of path and data)\"}"

#define DECK_RESULT_SCHEMA                                                     \
	"{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}," \
	"\"uri\":{\"type\":\"string\"},\"slides\":{\"type\":\"integer\"},"     \
	"\"bytes\":{\"type\":\"integer\"},\"warnings\":{\"type\":\"array\","   \
	"\"items\":{\"type\":\"string\"}}},\"required\":[\"path\",\"uri\","    \
	"\"slides\",\"bytes\"]}"

static const char *const needs_artifacts[] = {SKILL_EXT_ARTIFACTS, NULL};

/* What the tools that write a new deck share: the result they return, and
 * that each call writes a new artifact (not read-only, not idempotent) but
 * overwrites nothing and stays inside the host. */
#define DECK_WRITER                                                            \
	.output_schema = DECK_RESULT_SCHEMA, .read_only = SKILL_HINT_NO,       \
	.destructive = SKILL_HINT_NO, .idempotent = SKILL_HINT_NO,             \
	.open_world = SKILL_HINT_NO, .requires_ext = needs_artifacts

static const skill_tool_t create_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "create_presentation",
        .title = "Create a PowerPoint deck",
        .description =
                "Create a .pptx deck from slides (title, bullets, two columns, "
                "table, image, section) with speaker notes. The deck opens in "
                "PowerPoint without a repair prompt; long text is shrunk to "
                "fit. Returns the file's path, URI, slide count and size, and "
                "a link to the file.",
        .input_schema =
                "{\"type\":\"object\",\"additionalProperties\":false,"
                "\"properties\":{"
                "\"title\":{\"type\":\"string\",\"description\":\"the deck's "
                "title (document properties)\"},"
                "\"aspect\":{\"type\":\"string\",\"enum\":[\"16:9\",\"4:3\"],"
                "\"default\":\"16:9\"},"
                "\"filename\":{\"type\":\"string\",\"description\":\"suggested "
                "file name, e.g. q3-review.pptx\"},"
                "\"theme\":" THEME_SCHEMA ","
                "\"footer\":{\"type\":\"string\",\"description\":\"footer "
                "text on every slide but title slides\"},"
                "\"date\":{\"type\":\"string\",\"description\":\"date text "
                "for the footer row, shown as given\"},"
                "\"slide_numbers\":{\"type\":\"boolean\",\"default\":false},"
                "\"slides\":{\"type\":\"array\",\"maxItems\":5000,\"items\":"
                "{\"$ref\":\"#/$defs/slide\"}}},"
                "\"required\":[\"title\",\"slides\"]," DEFS "}",
        DECK_WRITER};

static const skill_tool_t read_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "read_presentation",
        .title = "Read a PowerPoint deck",
        .description =
                "Read a .pptx deck made by any program and return each "
                "slide's title, subtitle, bullets with their levels, tables, "
                "image alt texts and speaker notes, in slide order. Give "
                "\"path\" (a file in an allowed folder) or \"data\" (base64).",
        /* "path" or "data": a top-level oneOf would say it, but
         * Anthropic's API refuses top-level oneOf, so load_input checks
         * the rule itself. */
        .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
                        "false,\"properties\":{" SOURCE_PROPS "}}",
        .output_schema =
                "{\"type\":\"object\",\"properties\":{\"slide_count\":{"
                "\"type\":"
                "\"integer\"},\"title\":{\"type\":\"string\"},\"slides\":{"
                "\"type\":"
                "\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
                "\"index\":{\"type\":\"integer\"},\"layout\":{\"type\":"
                "\"string\"},\"title\":{\"type\":\"string\"},\"subtitle\":"
                "{\"type\":\"string\"},\"bullets\":{\"type\":\"array\"},"
                "\"columns\":{\"type\":\"array\"},\"tables\":{\"type\":"
                "\"array\"},\"images\":{\"type\":\"array\"},\"charts\":{"
                "\"type\":\"array\",\"description\":\"each in the form "
                "create_presentation takes\"},\"notes\":{"
                "\"type\":"
                "\"string\"}},\"required\":[\"index\",\"title\",\"bullets\"]}}}"
                ","
                "\"required\":[\"slide_count\",\"slides\"]}",
        .read_only = SKILL_HINT_YES,
        .destructive = SKILL_HINT_NO,
        .idempotent = SKILL_HINT_YES,
        .open_world = SKILL_HINT_NO};

static const skill_tool_t add_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "add_slides",
        .title = "Add slides to a PowerPoint deck",
        .description =
                "Append slides to an existing .pptx deck and save the result "
                "as a new file; the original is left as it was and everything "
                "in it is kept. Slides take the same form as in "
                "create_presentation and use the deck's own layouts.",
        .input_schema =
                "{\"type\":\"object\",\"additionalProperties\":false,"
                "\"properties\":{" SOURCE_PROPS
                ",\"filename\":{\"type\":\"string\"},\"slides\":{\"type\":"
                "\"array\",\"minItems\":1,\"maxItems\":5000,\"items\":"
                "{\"$ref\":\"#/$defs/slide\"}}},\"required\":[\"slides\"]," DEFS
                "}",
        DECK_WRITER};

/* One operation: "op" says which, and each op takes only its own members
 * (the core refuses the others, naming the op). A single closed object
 * rather than a oneOf of eight, so every host's validator and Anthropic's
 * API take it. */
#define EDIT_OP_SCHEMA                                                         \
	"{\"type\":\"object\",\"additionalProperties\":false,"                 \
	"\"properties\":{\"op\":{\"type\":\"string\",\"enum\":["               \
	"\"replace_text\",\"set_text\",\"set_cell\",\"delete_slide\","         \
	"\"move_slide\",\"duplicate_slide\",\"set_notes\",\"add_slides\"],"    \
	"\"description\":\"replace_text {slide, find, replace}: every match "  \
	"on the slide, keeping the run's formatting; set_text {slide, "        \
	"placeholder title|subtitle|body, text}; set_cell {slide, table, "     \
	"row, "                                                                \
	"col, text}; delete_slide {slide}; move_slide {slide, to}; "           \
	"duplicate_slide {slide, to?} (default: after it); set_notes {slide, " \
	"text}; add_slides {slides, at?} (default: at the end; the deck's "    \
	"own "                                                                 \
	"layouts)\"},"                                                         \
	"\"slide\":{\"type\":\"integer\",\"minimum\":1,\"description\":"       \
	"\"1-based, as read_presentation's index, in the deck as the earlier " \
	"ops left it\"},"                                                      \
	"\"find\":{\"type\":\"string\",\"minLength\":1},"                      \
	"\"replace\":{\"type\":\"string\"},"                                   \
	"\"placeholder\":{\"type\":\"string\",\"enum\":[\"title\","            \
	"\"subtitle\","                                                        \
	"\"body\"]},"                                                          \
	"\"text\":{\"type\":\"string\",\"description\":\"plain text; \\\\n "   \
	"starts a new paragraph\"},"                                           \
	"\"table\":{\"type\":\"integer\",\"minimum\":0,\"description\":"       \
	"\"0-based, in read_presentation's tables order\"},"                   \
	"\"row\":{\"type\":\"integer\",\"minimum\":0,\"description\":\"0 is "  \
	"the "                                                                 \
	"header row (read_presentation's columns), r is rows[r-1]\"},"         \
	"\"col\":{\"type\":\"integer\",\"minimum\":0},"                        \
	"\"to\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"the "    \
	"slide's new 1-based position\"},"                                     \
	"\"at\":{\"type\":\"integer\",\"minimum\":1},"                         \
	"\"slides\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":5000,"     \
	"\"items\":{\"$ref\":\"#/$defs/slide\"}}},\"required\":[\"op\"]}"

static const skill_tool_t edit_tool = {
        .struct_size = sizeof(skill_tool_t),
        .name = "edit_presentation",
        .title = "Edit a PowerPoint deck",
        .description =
                "Edit any .pptx deck and save the result as a new file (the "
                "original is left as it was): replace text (keeping its "
                "formatting), set a title/subtitle/body placeholder or a "
                "table cell, delete, move or duplicate slides (with their "
                "charts and pictures), set speaker notes, add slides on the "
                "deck's own layouts. Operations apply in order; if one "
                "fails, nothing is written and the error names it.",
        .input_schema = "{\"type\":\"object\",\"additionalProperties\":false,"
                        "\"properties\":{" SOURCE_PROPS
                        ",\"filename\":{\"type\":\"string\"},\"ops\":{\"type\":"
                        "\"array\",\"minItems\":1,\"maxItems\":1000,"
                        "\"items\":" EDIT_OP_SCHEMA
                        "}},\"required\":[\"ops\"]," DEFS "}",
        DECK_WRITER};

struct call_ctx {
	const skill_host_t *host;
	skill_call_t *call;
	const skill_ext_artifacts_t *art;
	skill_artifact_t *out;
	skill_status write_status;
};

static skill_status fail(const skill_host_t *host, skill_call_t *call,
                         skill_status st, const char *msg)
{
	host->tool_error(call, msg);
	return st;
}

static skill_status from_pptx(const skill_host_t *host, skill_call_t *call,
                              pptx_status ps, const struct pptx_err *e)
{
	switch (ps) {
	case PPTX_ERR_NOMEM: return fail(host, call, SKILL_ERR_NOMEM, e->msg);
	case PPTX_ERR_INTERNAL:
		return fail(host, call, SKILL_ERR_INTERNAL, e->msg);
	default: return fail(host, call, SKILL_ERR_TOOL, e->msg);
	}
}

/* The pptx core's sink: into the artifact, stopping on cancellation. */
static int artifact_sink(void *ctx, const void *data, size_t len)
{
	struct call_ctx *c = ctx;

	if (c->host->is_cancelled(c->call)) {
		c->write_status = SKILL_ERR_CANCELLED;
		return -1;
	}
	c->write_status = c->art->write(c->call, c->out, data, len);
	return c->write_status == SKILL_OK ? 0 : -1;
}

/* A safe suggested name: the caller's, or one made from the title. */
static void make_filename(const char *want, const char *title, char *out,
                          size_t cap)
{
	const char *src = want && want[0]     ? want
	                  : title && title[0] ? title
	                                      : "presentation";
	size_t n = 0, i, len = strlen(src);
	const char *ext = ".pptx";

	if (len > 5 && strcmp(src + len - 5, ".pptx") == 0)
		len -= 5;
	for (i = 0; i < len && n < FILENAME_STEM_MAX && n + 6 < cap; i++) {
		unsigned char c = (unsigned char)src[i];

		/* No path separators, no leading dot, nothing a shell or a
		 * file system would trip on. */
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    (c == '.' && n > 0))
			out[n++] = (char)c;
		else if (n > 0 && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n > 0 && (out[n - 1] == '-' || out[n - 1] == '.'))
		n--;
	if (n == 0) {
		snprintf(out, cap, "presentation%s", ext);
		return;
	}
	snprintf(out + n, cap - n, "%s", ext);
}

static skill_status finish_artifact(struct call_ctx *c, size_t slides,
                                    const struct pptx_warnings *w)
{
	skill_artifact_info_t info;
	cJSON *res = NULL, *warns;
	char *text = NULL;
	skill_status st;
	size_t i;

	memset(&info, 0, sizeof info);
	info.struct_size = sizeof info;
	st = c->art->commit(c->call, c->out, &info);
	c->out = NULL;
	if (st != SKILL_OK)
		return fail(c->host, c->call, st,
		            "the host could not save the deck; check the "
		            "artifacts folder's free space and permissions");
	res = cJSON_CreateObject();
	if (!res || !cJSON_AddStringToObject(res, "path", info.path) ||
	    !cJSON_AddStringToObject(res, "uri", info.uri) ||
	    !cJSON_AddNumberToObject(res, "slides", (double)slides) ||
	    !cJSON_AddNumberToObject(res, "bytes", (double)info.size))
		goto nomem;
	if (w->n) {
		if (!(warns = cJSON_AddArrayToObject(res, "warnings")))
			goto nomem;
		for (i = 0; i < w->n; i++)
			if (!cJSON_AddItemToArray(
			            warns, cJSON_CreateString(w->msg[i])))
				goto nomem;
	}
	if (!(text = cJSON_PrintUnformatted(res)))
		goto nomem;
	st = c->host->result_json(c->call, text, strlen(text));
	cJSON_free(text);
	cJSON_Delete(res);
	return st;
nomem:
	cJSON_Delete(res);
	return fail(c->host, c->call, SKILL_ERR_NOMEM,
	            "out of memory building the result");
}

static skill_status start_artifact(struct call_ctx *c, const cJSON *args,
                                   const char *title)
{
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(args, "filename");
	char name[FILENAME_STEM_MAX + 8];
	skill_status st;

	make_filename(cJSON_IsString(fn) ? fn->valuestring : NULL, title, name,
	              sizeof name);
	st = c->art->create(c->call, name, PPTX_MIME, &c->out);
	if (st != SKILL_OK)
		return fail(c->host, c->call, st,
		            "the host could not create the output file; check "
		            "the artifacts folder");
	return SKILL_OK;
}

static skill_status write_failed(struct call_ctx *c, pptx_status ps,
                                 const struct pptx_err *e)
{
	/* No partial deck survives a failure. */
	if (c->out) {
		c->art->discard(c->call, c->out);
		c->out = NULL;
	}
	if (ps == PPTX_ERR_IO && c->write_status == SKILL_ERR_CANCELLED)
		return fail(c->host, c->call, SKILL_ERR_CANCELLED,
		            "cancelled while writing the deck");
	if (ps == PPTX_ERR_IO)
		return fail(c->host, c->call,
		            c->write_status != SKILL_OK ? c->write_status
		                                        : SKILL_ERR_IO,
		            "writing the deck failed: it is over the host's "
		            "artifact size limit or the disk is full");
	return from_pptx(c->host, c->call, ps, e);
}

static skill_status do_create(struct call_ctx *c, cJSON *args)
{
	struct pptx_deck *d = NULL;
	struct pptx_err e = {0};
	struct pptx_warnings w = {0};
	pptx_status ps;
	skill_status st;

	/* Images are decoded in place in args, which invoke frees anyway. */
	ps = pptx_json_deck_take(args, &d, &e);
	if (ps == PPTX_OK)
		ps = pptx_deck_check(d, &e);
	if (ps != PPTX_OK) {
		pptx_deck_free(d);
		return from_pptx(c->host, c->call, ps, &e);
	}
	st = start_artifact(c, args, d->title);
	if (st != SKILL_OK) {
		pptx_deck_free(d);
		return st;
	}
	ps = pptx_write(d, artifact_sink, c, &w, &e);
	if (ps != PPTX_OK) {
		pptx_deck_free(d);
		return write_failed(c, ps, &e);
	}
	st = finish_artifact(c, d->nslides, &w);
	pptx_deck_free(d);
	return st;
}

/* The deck named by "path" or carried in "data", into a malloc'd buffer. */
static skill_status load_input(struct call_ctx *c, const cJSON *args,
                               unsigned char **out, size_t *len)
{
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(args, "path");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(args, "data");
	skill_input_t *in = NULL;
	unsigned char *buf = NULL;
	int64_t size = -1;
	size_t n = 0, cap;
	skill_status st;

	*out = NULL;
	*len = 0;
	/* The schema cannot say "exactly one" portably (no top-level
	 * oneOf), so the rule is enforced here. */
	if (path && data)
		return fail(c->host, c->call, SKILL_ERR_ARGS,
		            "give the deck as \"path\" or as \"data\", not "
		            "both");
	/* cJSON_IsString(NULL) is false; the null tests say so here. */
	if (data && cJSON_IsString(data)) {
		int rc = pptx_b64_decode(data->valuestring,
		                         strlen(data->valuestring),
		                         PPTX_MAX_INPUT_BYTES, out, len);

		if (rc == -2)
			return fail(c->host, c->call, SKILL_ERR_TOOL,
			            "the deck in \"data\" is over the 256 MiB "
			            "limit");
		if (rc != 0)
			return fail(c->host, c->call,
			            rc == -3 ? SKILL_ERR_NOMEM : SKILL_ERR_TOOL,
			            rc == -3 ? "out of memory"
			                     : "\"data\" is not valid base64; "
			                       "send the .pptx file base64-"
			                       "encoded");
		return SKILL_OK;
	}
	if (!path || !cJSON_IsString(path))
		return fail(c->host, c->call, SKILL_ERR_TOOL,
		            "give the deck as \"path\" (a file in an allowed "
		            "folder) or \"data\" (base64)");
	if (!c->art)
		return fail(c->host, c->call, SKILL_ERR_UNSUPPORTED,
		            "this host cannot open files (no skill.artifacts/1 "
		            "extension); pass the deck as \"data\" instead");
	st = c->art->open_input(c->call, path->valuestring, &in, &size);
	if (st == SKILL_ERR_DENIED)
		return fail(c->host, c->call, SKILL_ERR_TOOL,
		            "that path is outside the folders the operator "
		            "allowed this skill to read; ask for the folder to "
		            "be allowed (skillhost config skillhost/powerpoint "
		            "input-dir DIR) or pass the deck as \"data\"");
	if (st != SKILL_OK)
		return fail(c->host, c->call, SKILL_ERR_TOOL,
		            "cannot open that file; check that the path exists "
		            "and is a readable .pptx");
	if (size > (int64_t)PPTX_MAX_INPUT_BYTES) {
		c->art->close_input(c->call, in);
		return fail(c->host, c->call, SKILL_ERR_TOOL,
		            "the file is over the 256 MiB limit for decks");
	}
	cap = size > 0 ? (size_t)size + 1 : READ_CHUNK;
	buf = malloc(cap);
	for (;;) {
		int64_t got;

		if (!buf) {
			c->art->close_input(c->call, in);
			return fail(c->host, c->call, SKILL_ERR_NOMEM,
			            "out of memory reading the deck");
		}
		if (cap - n < READ_CHUNK / 4) {
			unsigned char *nb;

			if (cap > PPTX_MAX_INPUT_BYTES) {
				free(buf);
				c->art->close_input(c->call, in);
				return fail(
				        c->host, c->call, SKILL_ERR_TOOL,
				        "the file is over the 256 MiB limit "
				        "for decks");
			}
			nb = realloc(buf, cap * 2);
			if (!nb)
				free(buf);
			buf = nb;
			cap *= 2;
			continue;
		}
		got = c->art->read(c->call, in, buf + n, cap - n);
		if (got < 0) {
			free(buf);
			c->art->close_input(c->call, in);
			return fail(c->host, c->call, SKILL_ERR_IO,
			            "reading the file failed");
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	c->art->close_input(c->call, in);
	*out = buf;
	*len = n;
	return SKILL_OK;
}

static skill_status do_read(struct call_ctx *c, cJSON *args)
{
	unsigned char *buf;
	size_t len;
	struct pptx_deck *d = NULL;
	struct pptx_err e = {0};
	pptx_status ps;
	skill_status st;
	char *json;

	st = load_input(c, args, &buf, &len);
	if (st != SKILL_OK)
		return st;
	ps = pptx_read(buf, len, &d, &e);
	free(buf);
	if (ps != PPTX_OK)
		return from_pptx(c->host, c->call, ps, &e);
	json = pptx_json_read_result(d);
	pptx_deck_free(d);
	if (!json)
		return fail(c->host, c->call, SKILL_ERR_NOMEM,
		            "out of memory building the result");
	st = c->host->result_json(c->call, json, strlen(json));
	free(json);
	return st;
}

static skill_status do_add(struct call_ctx *c, cJSON *args)
{
	struct pptx_deck *d = pptx_deck_new();
	struct pptx_err e = {0};
	struct pptx_warnings w = {0};
	unsigned char *buf = NULL;
	size_t len = 0, total = 0;
	pptx_status ps;
	skill_status st;

	if (!d)
		return fail(c->host, c->call, SKILL_ERR_NOMEM, "out of memory");
	ps = pptx_json_slides(
	        d, cJSON_GetObjectItemCaseSensitive(args, "slides"), 1, &e);
	if (ps == PPTX_OK)
		ps = pptx_deck_check(d, &e);
	if (ps != PPTX_OK) {
		st = from_pptx(c->host, c->call, ps, &e);
		goto out;
	}
	st = load_input(c, args, &buf, &len);
	if (st != SKILL_OK)
		goto out;
	st = start_artifact(c, args, "presentation");
	if (st != SKILL_OK)
		goto out;
	ps = pptx_append(buf, len, d, artifact_sink, c, &w, &total, &e);
	if (ps != PPTX_OK) {
		st = write_failed(c, ps, &e);
		goto out;
	}
	st = finish_artifact(c, total, &w);
out:
	free(buf);
	pptx_deck_free(d);
	return st;
}

static skill_status do_edit(struct call_ctx *c, cJSON *args)
{
	struct pptx_err e = {0};
	struct pptx_warnings w = {0};
	const cJSON *ops = cJSON_GetObjectItemCaseSensitive(args, "ops");
	unsigned char *buf = NULL;
	size_t len = 0, total = 0;
	pptx_status ps;
	skill_status st;

	if (!cJSON_IsArray(ops) || cJSON_GetArraySize(ops) == 0)
		return fail(c->host, c->call, SKILL_ERR_TOOL,
		            "\"ops\" must be a non-empty array of operations");
	st = load_input(c, args, &buf, &len);
	if (st != SKILL_OK)
		return st;
	/* pptx_edit applies every operation before its first byte, and
	 * write_failed discards the artifact, so a bad operation leaves no
	 * file. */
	st = start_artifact(c, args, "presentation");
	if (st == SKILL_OK) {
		ps = pptx_edit(buf, len, ops, artifact_sink, c, &w, &total, &e);
		st = ps != PPTX_OK ? write_failed(c, ps, &e)
		                   : finish_artifact(c, total, &w);
	}
	free(buf);
	return st;
}

/* The tools: one row per tool, its descriptor and its handler together;
 * the ABI's descriptor array and the handler array both come from this
 * list (tooltable.h), and the entry's tool_count from the array. */
#define PPTX_TOOLS(X)                                                          \
	X(create_tool, do_create)                                              \
	X(read_tool, do_read)                                                  \
	X(add_tool, do_add)                                                    \
	X(edit_tool, do_edit)

/* args are the handler's to change: invoke deletes them afterwards. */
typedef skill_status (*tool_fn)(struct call_ctx *c, cJSON *args);

static const skill_tool_t *const tools[] = {PPTX_TOOLS(TT_DESCRIPTOR)};
static const tool_fn handlers[] = {PPTX_TOOLS(TT_HANDLER)};
TT_ASSERT_SAME_LENGTH(tools, handlers);

/* 1 when the tool's descriptor says it cannot work without ext. */
static int tool_requires(const skill_tool_t *t, const char *ext)
{
	for (const char *const *r = t->requires_ext; r && *r; r++)
		if (!strcmp(*r, ext))
			return 1;
	return 0;
}

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t tool,
                           const char *args_json, size_t args_len)
{
	struct call_ctx c;
	cJSON *args;
	skill_status st;

	(void)data;
	memset(&c, 0, sizeof c);
	c.host = host;
	c.call = call;
	c.art = host->get_extension(host, SKILL_EXT_ARTIFACTS);
	if (c.art && c.art->struct_size < sizeof *c.art)
		c.art = NULL; /* an older host's table lacks members we use */
	/* The host hands over the validated text itself: parse it once, not
	 * a re-serialized copy (a deck's images make it megabytes), with the
	 * parser that copies long strings in bulk (jparse.h). */
	if (tool >= TT_COUNT(handlers))
		return fail(host, call, SKILL_ERR_INTERNAL,
		            "unknown tool index");
	args = pptx_json_parse(args_json, args_len);
	if (!cJSON_IsObject(args)) {
		cJSON_Delete(args);
		return fail(host, call, SKILL_ERR_ARGS,
		            "the arguments must be a JSON object");
	}
	/* The host refuses a skill whose tools need an extension it lacks,
	 * so this is a second line for hosts that do not check. */
	if (tool_requires(tools[tool], SKILL_EXT_ARTIFACTS) && !c.art) {
		cJSON_Delete(args);
		return fail(host, call, SKILL_ERR_UNSUPPORTED,
		            "this host offers no skill.artifacts/1 extension, "
		            "so the skill has nowhere to save the deck");
	}
	st = handlers[tool](&c, args);
	cJSON_Delete(args);
	return st;
}

static const skill_entry_t entry = {
        .struct_size = sizeof entry,
        .abi = SKILL_ABI_CURRENT,
        .name = "skillhost/powerpoint",
        .version = "1.0.0",
        .description = "Create PowerPoint (.pptx) decks that open without a "
                       "repair prompt, read the text of any deck, and append "
                       "slides to existing decks.",
        .license = "Apache-2.0",
        .tool_count = TT_COUNT(tools),
        .tools = tools,
        .invoke = invoke};

SKILL_EXPORT const skill_entry_t *skill_entry_v1(void)
{
	return &entry;
}
