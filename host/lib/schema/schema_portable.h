/*
 * schema_portable.h - what each model vendor and MCP client refuses in a
 * tool's inputSchema, and a portable form the host can serve instead.
 *
 * A tool schema is plain JSON Schema (2020-12), but every consumer takes a
 * different subset, and one schema a consumer refuses usually breaks the
 * whole request (Anthropic and OpenAI answer 400 for the entire tool list),
 * so a single tool can make a client unusable. sp_check names each
 * construct a target refuses (or silently ignores); sp_rewrite turns what
 * can be turned into a form every target takes. The host still validates
 * arguments against the ORIGINAL schema before a skill runs, so a rewrite
 * only has to guide the model, never to guard the skill.
 *
 * Pure: no I/O, thread-safe.
 */
#ifndef SH_SCHEMA_PORTABLE_H
#define SH_SCHEMA_PORTABLE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "status.h"

enum sp_target {
	SP_ANTHROPIC,
	SP_OPENAI,         /* function calling, strict off */
	SP_OPENAI_STRICT,  /* Structured Outputs (strict: true) */
	SP_BEDROCK,        /* Converse toolSpec.inputSchema.json */
	SP_GEMINI,         /* functionDeclarations[].parametersJsonSchema */
	SP_GEMINI_OPENAPI, /* functionDeclarations[].parameters (OpenAPI) */
	SP_OLLAMA,
	SP_CLAUDE_DESKTOP, /* MCP clients */
	SP_CLAUDE_CODE,
	SP_CURSOR,
	SP_VSCODE,
	SP_CODEX,
	SP_COPILOT,
	SP_TARGET_COUNT
};

#define SP_BIT(t) (UINT32_C(1) << (t))
#define SP_ALL    ((UINT32_C(1) << SP_TARGET_COUNT) - 1)
/* What `tools --check` and `pack` check unless told: every target the
 * host serves as is. OpenAI strict mode is left out because the host only
 * asks for it when a schema qualifies (toolfmt_openai_strict_ok), and the
 * Gemini OpenAPI form because the host down-converts to it itself. */
#define SP_DEFAULT                                                             \
	(SP_ALL & ~SP_BIT(SP_OPENAI_STRICT) & ~SP_BIT(SP_GEMINI_OPENAPI))

/* "anthropic", "claude-desktop", ... into *out; 1 when known. */
int sp_target_parse(const char *name, enum sp_target *out);
const char *sp_target_name(enum sp_target t);
/* "anthropic, openai, ..." for usage messages. */
const char *sp_target_names(void);

/* Room for a JSON pointer and a construct's description. */
#define SP_PATH_MAX 160
#define SP_WHAT_MAX 96

struct sp_finding {
	char path[SP_PATH_MAX]; /* JSON pointer into the schema; "" = top */
	char what[SP_WHAT_MAX]; /* "top-level oneOf", "keyword \"if\"", ... */
	uint32_t rejects;       /* targets that refuse the schema for it */
	uint32_t ignores;       /* targets that drop it silently */
	int rewritten;          /* sp_rewrite removes it */
};

struct sp_report {
	struct sp_finding *f;
	size_t n, cap;
};

/*
 * Check schema (a tool's inputSchema) against the targets in mask. Adds
 * one finding per construct that some target in mask refuses or ignores
 * (rejects/ignores are limited to mask). SH_ERR_NOMEM only; a schema that
 * is not an object is itself a finding. Free with sp_report_free.
 */
sh_status sp_check(const cJSON *schema, uint32_t mask, struct sp_report *out,
                   struct sh_error *e);
void sp_report_free(struct sp_report *r);

/* 1 when some finding refuses / needs sp_rewrite. */
int sp_report_rejects(const struct sp_report *r);
int sp_report_needs_rewrite(const struct sp_report *r);

/* "anthropic, openai" for the targets in mask, into buf. */
void sp_targets_format(uint32_t mask, char *buf, size_t cap);

/*
 * Rewrite schema in place into the portable form:
 *  - a top-level oneOf/anyOf whose branches are all objects becomes one
 *    object: properties are the union, required the top level's plus the
 *    names every branch requires; the description lists the branches;
 *  - a top-level allOf of objects is merged in (properties and required
 *    united);
 *  - a top-level not, enum or const is dropped;
 *  - a missing top-level "type" becomes "object".
 * Returns the number of changes (0: already portable, or nothing this can
 * fix, e.g. a non-object top level), or -1 when out of memory (schema may
 * then be partly rewritten; discard it).
 */
int sp_rewrite(cJSON *schema);

/* The keywords and formats OpenAI's strict mode accepts (NULL-ended):
 * the one list both the checker here and the strict serializer
 * (toolfmt_vendor.c) use, so they cannot disagree. */
extern const char *const sp_strict_keywords[];
extern const char *const sp_strict_formats[];

/* 1 when s is one of list's strings (NULL-ended), else 0. */
int sp_in_list(const char *s, const char *const *list);

#endif /* SH_SCHEMA_PORTABLE_H */
