/*
 * fuzz_agentskill - the SKILL.md front matter parser must refuse or accept
 * any input without crashing, leaking or reading out of bounds; what it
 * accepts obeys the specification's rules.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agentskill.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agentskill *s = NULL;
	struct sh_error e;

	if (agentskill_parse((const char *)data, size, "fuzz", NULL, &s, &e) ==
	    SH_OK) {
		char *j = cJSON_PrintUnformatted(s->frontmatter);
		if (!agentskill_valid_name(s->name) || !s->description[0] ||
		    s->body_offset > size)
			abort();
		free(j);
		agentskill_free(s);
	}
	return 0;
}
