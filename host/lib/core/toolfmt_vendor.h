/*
 * toolfmt_vendor.h - tool declarations in each model vendor's shape.
 *
 * What: turns a catalog tool into the function declaration each
 * function-calling API expects, and a whole catalog into the request
 * fragment that carries them. `skillhost tools --format VENDOR` prints the
 * fragment; the agent loop's backends put the same declarations in their
 * requests, so what an operator inspects is what a model sees.
 *
 *   openai            {"tools":[{"type":"function","function":{name,
 *                     description,parameters,strict}}]}   (also Azure)
 *   openai-responses  {"tools":[{"type":"function",name,description,
 *                     parameters,strict}]}
 *   anthropic         {"tools":[{name,description,input_schema}]}
 *   bedrock           {"toolConfig":{"tools":[{"toolSpec":{name,
 *                     description,inputSchema:{json}}}]}}
 *   gemini            {"tools":[{"functionDeclarations":[{name,
 *                     description,parametersJsonSchema}]}]}
 *   gemini-openapi    the same with "parameters" in Gemini's OpenAPI subset
 *   ollama            {"tools":[{"type":"function","function":{name,
 *                     description,parameters}}]}
 *
 * Names are the catalog's portable names (mcp_name, names.h), the same
 * the MCP server shows, and mapped back with catalog_find.
 *
 * Schemas. The host validates every call's arguments against the tool's
 * own schema before the skill runs (dispatch.c), so a converted schema only
 * has to guide the model, never to guard the skill:
 *  - OpenAI gets the schema as is, with strict:true only when the schema
 *    is inside the Structured Outputs subset (toolfmt_openai_strict_ok);
 *    the host never rewrites a schema to make it strict, since that would
 *    change which arguments the model may send.
 *  - Gemini gets parametersJsonSchema by default: the full JSON Schema
 *    (less "$schema", which that field refuses). Why: the older "parameters"
 *    field takes an OpenAPI 3.0 subset in which unions, $ref, type arrays
 *    and additionalProperties cannot be written, one declaration it cannot
 *    parse fails the whole request, and MCP tool schemas use all of those.
 *    gemini-openapi (toolfmt_gemini_openapi) is for models and deployments
 *    without parametersJsonSchema: a lossy, documented down-conversion.
 *  - Anthropic, Bedrock and Ollama take JSON Schema as is.
 *
 * Everything here is pure: thread-safe, no I/O. Returned trees are owned
 * by the caller.
 */
#ifndef SH_TOOLFMT_VENDOR_H
#define SH_TOOLFMT_VENDOR_H

#include <cjson/cJSON.h>

#include "catalog.h"
#include "status.h"

enum toolfmt_vendor {
	TOOLFMT_OPENAI,
	TOOLFMT_OPENAI_RESPONSES,
	TOOLFMT_ANTHROPIC,
	TOOLFMT_BEDROCK,
	TOOLFMT_GEMINI,
	TOOLFMT_GEMINI_OPENAPI,
	TOOLFMT_OLLAMA,
	TOOLFMT_VENDOR_COUNT
};

/* OpenAI's Structured Outputs limits (documented; past them strict mode
 * refuses the schema). */
#define TOOLFMT_STRICT_MAX_DEPTH      10
#define TOOLFMT_STRICT_MAX_PROPERTIES 5000
#define TOOLFMT_STRICT_MAX_ENUM       1000

/* Deepest schema the converters walk, and most $ref expansions in one
 * Gemini OpenAPI conversion (a recursive $ref cannot be inlined). */
#define TOOLFMT_MAX_DEPTH          64
#define TOOLFMT_MAX_REF_EXPANSIONS 256

/* "openai", "openai-responses", ... into *out; 1 when known. */
int toolfmt_vendor_parse(const char *name, enum toolfmt_vendor *out);
const char *toolfmt_vendor_name(enum toolfmt_vendor v);
/* "openai, openai-responses, ..." for usage messages. */
const char *toolfmt_vendor_names(void);

/* One tool's declaration, as an element of the vendor's tool list (for
 * Gemini: one functionDeclarations element). SH_ERR_INVALID when the
 * tool's stored schema does not parse or cannot be converted. */
sh_status toolfmt_vendor_tool(const struct tool *t, enum toolfmt_vendor v,
                              cJSON **out, struct sh_error *e);

/* Wrap a list of declarations made by toolfmt_vendor_tool (consumed) in
 * the vendor's request fragment (the shapes above). */
sh_status toolfmt_vendor_wrap(cJSON *decls, enum toolfmt_vendor v, cJSON **out,
                              struct sh_error *e);

/* Every tool of cat, wrapped. */
sh_status toolfmt_vendor_request(struct catalog *cat, enum toolfmt_vendor v,
                                 cJSON **out, struct sh_error *e);

/*
 * 1 when OpenAI's strict mode accepts schema unchanged: the root is an
 * object; every object schema has additionalProperties:false and lists all
 * its properties in required; only keywords of the Structured Outputs
 * subset occur (type, properties, required, additionalProperties, items,
 * anyOf (not at the root), enum, const, $ref, $defs, definitions,
 * description, title, pattern, format (its listed values), minimum,
 * maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minItems,
 * maxItems); and the depth, property and enum limits above hold.
 */
int toolfmt_openai_strict_ok(const cJSON *schema);

/* The schema for Gemini's parametersJsonSchema: a copy without "$schema".
 * NULL when out of memory. */
cJSON *toolfmt_gemini_json_schema(const cJSON *schema);

/*
 * Down-convert a JSON Schema to Gemini's OpenAPI 3.0 subset (the Schema
 * message of the "parameters" field):
 *  - local $ref ("#/$defs/X", "#/definitions/X") is inlined; a recursive
 *    one is refused (SH_ERR_INVALID, saying to use parametersJsonSchema);
 *  - type names are upper-cased; "null" in a type array becomes
 *    nullable:true; several other types become anyOf, each branch with
 *    its type's keywords (anyOf must be alone on its node); oneOf becomes
 *    anyOf; allOf is merged;
 *  - string enum and const become format:"enum" + enum; other enums move
 *    into the description ("Allowed values: ...");
 *  - kept: description, title, nullable, properties, required (only names
 *    that are properties), items, minItems, maxItems, minProperties,
 *    maxProperties, minLength, maxLength, pattern, minimum, maximum
 *    (exclusive bounds become inclusive ones), default, example (from
 *    examples[0]) and the formats Gemini knows (date-time; float, double;
 *    int32, int64);
 *  - dropped: everything else (additionalProperties, uniqueItems, not,
 *    multipleOf, ...), which the host still enforces;
 *  - an array without items gets items {} .
 * *out is NULL (omit "parameters") for an object root without properties:
 * Gemini refuses an OBJECT with empty properties there.
 */
sh_status toolfmt_gemini_openapi(const cJSON *schema, cJSON **out,
                                 struct sh_error *e);

#endif /* SH_TOOLFMT_VENDOR_H */
