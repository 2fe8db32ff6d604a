/*
 * adf_loss_tool - drives adf_md_losses() for test_jira_adf_loss.sh: reads
 * one ADF document per line on stdin and writes one JSON line per
 * document, {"losses": [...], "markdown": "..."}, so the node test can
 * check every node kind of Atlassian's schema against the C code.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "adf_loss.h"
#include "adf_md.h"

int main(void)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) > 0) {
		cJSON *doc = cJSON_Parse(line), *out = cJSON_CreateObject();
		cJSON *loss = doc ? adf_md_losses(doc) : NULL;
		char *md = doc ? adf_to_markdown(doc) : NULL;
		char *s;

		if (!out || !loss || !md) {
			fprintf(stderr,
			        "adf_loss_tool: bad document or out of "
			        "memory: %.200s\n",
			        line);
			return 1;
		}
		cJSON_AddItemToObject(out, "losses", loss);
		cJSON_AddStringToObject(out, "markdown", md);
		s = cJSON_PrintUnformatted(out);
		if (!s)
			return 1;
		puts(s);
		free(s);
		free(md);
		cJSON_Delete(out);
		cJSON_Delete(doc);
	}
	free(line);
	return 0;
}
