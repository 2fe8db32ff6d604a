/*
 * fuzz_schema.c - libFuzzer target for the JSON Schema compiler and
 * validator.
 *
 * The input is a schema, a newline (or NUL), then an instance. The schema
 * is compiled; if it compiles, the instance is validated three ways (with a
 * full message buffer, with none, with a tiny one), which must agree, and
 * every message must be NUL-terminated inside its buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct schema *s = NULL;
	struct sh_error e;
	char msg[512], tiny[6];
	cJSON *inst;
	size_t split = 0;
	int a, b, c;

	while (split < size && data[split] != '\n' && data[split] != '\0')
		split++;
	if (schema_compile_text(text, split, &s, &e) != SH_OK) {
		if (s || !memchr(e.msg, '\0', sizeof e.msg) || e.msg[0] == '\0')
			__builtin_trap();
		return 0;
	}
	(void)schema_root_is_object(s);
	if (split < size) {
		inst = cJSON_ParseWithLength(text + split + 1,
		                             size - split - 1);
		if (inst) {
			a = schema_validate(s, inst, msg, sizeof msg);
			b = schema_validate(s, inst, NULL, 0);
			c = schema_validate(s, inst, tiny, sizeof tiny);
			if (a != b || a != c)
				__builtin_trap();
			if (!memchr(msg, '\0', sizeof msg) ||
			    !memchr(tiny, '\0', sizeof tiny))
				__builtin_trap();
			if (a ? msg[0] != '\0' : msg[0] == '\0')
				__builtin_trap();
			cJSON_Delete(inst);
		}
	}
	schema_free(s);
	return 0;
}
