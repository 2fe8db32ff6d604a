/*
 * schema.h - a compiled JSON Schema validator for tool arguments and results.
 *
 * A schema is compiled once (when a skill loads) into a tree with its
 * keywords pre-parsed, regexes compiled and $ref links resolved, so that
 * validating a call's arguments is a walk over two trees with no allocation
 * on success.
 *
 * Supported keywords (JSON Schema 2020-12 semantics): type (string or array
 * of: null boolean object array number integer string), enum, const;
 * minimum, maximum, exclusiveMinimum, exclusiveMaximum (numbers), multipleOf
 * (with a few units in the last place of slack, so 0.07 is a multiple of
 * 0.01); minLength, maxLength (counted in Unicode code points), pattern
 * (ECMA-262 subset, translated to POSIX ERE, see below); items, prefixItems,
 * minItems, maxItems, uniqueItems, contains, minContains, maxContains;
 * properties, patternProperties, additionalProperties (boolean or schema),
 * propertyNames, required, dependentRequired, minProperties, maxProperties;
 * anyOf, oneOf, allOf, not, if/then/else; $ref to "#", "#/$defs/NAME" and
 * "#/definitions/NAME", $defs, definitions. Draft-07's array form of items
 * is read as prefixItems, with additionalItems for the rest.
 * Annotation keywords (title, description, default, examples, $schema, $id,
 * $comment, format, readOnly, writeOnly, deprecated) are accepted and
 * ignored. Any other keyword is accepted and ignored too, as the spec asks
 * of unknown keywords (among them dependentSchemas, draft-07 dependencies,
 * unevaluatedItems and unevaluatedProperties, which are not enforced); a
 * known keyword with a value of the wrong type is a compile error.
 *
 * Validation allocates nothing on success, except uniqueItems over more
 * than 32 items, which sorts the items by a hash.
 *
 * pattern: a search, as in JSON Schema, over Unicode characters (a class or
 * "." matches one whole UTF-8 character). Supported: literals, escapes of
 * metacharacters, \n \t \r \f \v \xHH \uHHHH \u{H...} \cX, classes with
 * ranges and \d \w \s \D \W \S (also inside them, and negated), ".", ^ $,
 * \b \B, groups ( ) (?: ) (?<name> ), |, * + ? {n} {n,} {n,m} with counts up
 * to 1000 and their lazy forms (same strings match). Refused at compile
 * time: lookahead, lookbehind, backreferences, \p{...}, a pattern too large
 * once {n,m} is expanded. \s is ASCII white space only and "." stops only
 * at \n and \r (ECMA-262 adds U+00A0, U+2028, U+FEFF... to both).
 *
 * $ref may be any JSON Pointer into the same document. A $ref cycle that
 * does not pass through properties, items or additionalProperties (so it
 * would apply a schema to the same value forever) is a compile error, as is
 * a property name listed twice in "properties".
 */
#ifndef SH_SCHEMA_H
#define SH_SCHEMA_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "status.h"

struct schema;

/* Nesting depth past which compile (subschemas) and validate (levels of
 * the instance) give up, and say so. */
#define SCHEMA_MAX_DEPTH 64

/*
 * Compile the schema in the JSON tree root (a JSON object or a boolean). The
 * tree is borrowed: the compiled schema copies what it needs. On failure
 * returns SH_ERR_INVALID with a message naming the keyword's location, e.g.
 * "at #/properties/age/minimum: must be a number". *out is owned by the
 * caller and released with schema_free().
 */
sh_status schema_compile(const cJSON *root, struct schema **out,
                         struct sh_error *e);

/* Same, from JSON text of len bytes (SH_ERR_INVALID if it does not parse). */
sh_status schema_compile_text(const char *json, size_t len, struct schema **out,
                              struct sh_error *e);

/*
 * Validate instance against s. Returns 1 when valid. Returns 0 when invalid,
 * and writes into msg (cap bytes, always NUL-terminated when cap > 0) one
 * sentence written for a model to act on: where (a JSON Pointer into the
 * instance), what was expected and what was found, e.g.
 *   "/slides/0/layout: \"grid\" is not one of \"title\", \"bullets\""
 *   "/: missing required property \"name\""
 *   "/count: 12 is greater than the maximum 10"
 * The root is written "/". Values shown are cut to a few dozen bytes, and a
 * message that does not fit in cap ends with "...". An instance nested
 * deeper than SCHEMA_MAX_DEPTH, or a schema/instance pair that would take
 * millions of steps (anyOf over recursive $refs), is refused with a message
 * saying so. Allocates nothing when the value is valid.
 * Thread-safe: a compiled schema may be used by many threads at once.
 */
int schema_validate(const struct schema *s, const cJSON *instance, char *msg,
                    size_t cap);

/* 1 when the schema's root declares "type": "object" (alone, or "object"
 * among types is not enough: exactly "object"), else 0. Tool input and
 * output schemas must pass this. */
int schema_root_is_object(const struct schema *s);

/* Release a compiled schema. NULL is fine. */
void schema_free(struct schema *s);

#endif /* SH_SCHEMA_H */
