/*
 * agent_skills.c - Agent Skills disclosed on demand in the agent loop.
 * See agent_skills.h.
 */
#include "agent_skills.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "dynbuf.h"
#include "skillset.h"
#include "utf8.h"

struct agent_skills {
	struct skillset *set;
	/* Which skills the model activated: read_skill_file serves only
	 * those, so the instructions come before their files. */
	unsigned char *active;
};

sh_status agent_skills_open(const char *home, struct agent_skills **out,
                            struct sh_error *e)
{
	struct agent_skills *k;
	struct skillset *set;
	sh_status rc;

	*out = NULL;
	if (!home)
		return SH_OK;
	if ((rc = skillset_load(home, NULL, 0, &set, e)))
		return rc;
	if (!set->n) {
		skillset_free(set);
		return SH_OK;
	}
	k = calloc(1, sizeof *k);
	if (!k || !(k->active = calloc(set->n, 1))) {
		free(k);
		skillset_free(set);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	k->set = set;
	*out = k;
	return SH_OK;
}

void agent_skills_free(struct agent_skills *k)
{
	if (!k)
		return;
	skillset_free(k->set);
	free(k->active);
	free(k);
}

char *agent_skills_system(const struct agent_skills *k, const char *system)
{
	struct dynbuf b = DYN_INIT((size_t)32 * 1024 * 1024);

	if (system && *system)
		dyn_addf(&b, "%s\n\n", system);
	dyn_add(&b, "Agent Skills are available. Each is a set of "
	            "instructions for one kind of task. When a task matches "
	            "a skill's description, call " AGENT_SKILLS_ACTIVATE
	            " with its name to load its instructions, then follow "
	            "them; call " AGENT_SKILLS_READ
	            " for the files they mention.\n");
	for (size_t i = 0; i < k->set->n; i++)
		dyn_addf(&b, "- %s: %s\n", k->set->skills[i]->uri_path,
		         k->set->skills[i]->description);
	if (dyn_error(&b)) {
		dyn_free(&b);
		return NULL;
	}
	return dyn_take(&b, NULL);
}

static sh_status declare(enum toolfmt_vendor v, cJSON *decls, const char *name,
                         const char *description, const char *schema,
                         struct sh_error *e)
{
	struct tooldesc d = {0};
	struct tool t = {0};
	cJSON *o;
	sh_status rc;

	d.name = (char *)name;
	d.description = (char *)description;
	d.input_schema = (char *)schema;
	t.desc = &d;
	snprintf(t.canonical, sizeof t.canonical, "%s", name);
	snprintf(t.mcp_name, sizeof t.mcp_name, "%s", name);
	snprintf(t.fc_name, sizeof t.fc_name, "%s", name);
	if ((rc = toolfmt_vendor_tool(&t, v, &o, e)))
		return rc;
	cJSON_AddItemToArray(decls, o);
	return SH_OK;
}

sh_status agent_skills_declare(enum toolfmt_vendor v, cJSON *decls,
                               struct sh_error *e)
{
	sh_status rc;

	if ((rc = declare(v, decls, AGENT_SKILLS_ACTIVATE,
	                  "Load the instructions (SKILL.md) of one of the "
	                  "Agent Skills listed in the system prompt, and the "
	                  "list of its other files.",
	                  "{\"type\":\"object\",\"properties\":{\"name\":{"
	                  "\"type\":\"string\",\"description\":\"the skill's "
	                  "name\"}},\"required\":[\"name\"],"
	                  "\"additionalProperties\":false}",
	                  e)))
		return rc;
	return declare(v, decls, AGENT_SKILLS_READ,
	               "Read one file of an activated Agent Skill (a "
	               "reference, asset or script named by its "
	               "instructions). Scripts are returned as text; they are "
	               "not run.",
	               "{\"type\":\"object\",\"properties\":{\"name\":{"
	               "\"type\":\"string\",\"description\":\"the skill's "
	               "name\"},\"path\":{\"type\":\"string\",\"description\":"
	               "\"the file's path inside the skill, like "
	               "references/FORMS.md\"}},\"required\":[\"name\","
	               "\"path\"],\"additionalProperties\":false}",
	               e);
}

static cJSON *text_result(const char *text, int is_error)
{
	cJSON *r = cJSON_CreateObject(), *content, *t;

	if (!r || !(content = cJSON_AddArrayToObject(r, "content")) ||
	    !(t = cJSON_CreateObject())) {
		cJSON_Delete(r);
		return NULL;
	}
	cJSON_AddItemToArray(content, t);
	if (!cJSON_AddStringToObject(t, "type", "text") ||
	    !cJSON_AddStringToObject(t, "text", text) ||
	    (is_error && !cJSON_AddBoolToObject(r, "isError", 1))) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

static int error(const char *msg, cJSON **result, int *is_error)
{
	*result = text_result(msg, 1);
	*is_error = 1;
	return 1;
}

int agent_skills_call(struct agent_skills *k, const char *name,
                      const char *arguments, cJSON **result, int *is_error)
{
	int activate = !strcmp(name, AGENT_SKILLS_ACTIVATE);
	const struct skillset_skill *s = NULL;
	const struct skillset_file *f;
	const cJSON *sn, *sp;
	struct dynbuf b = DYN_INIT((size_t)32 * 1024 * 1024);
	struct sh_error e;
	char msg[1024], *data;
	cJSON *args;
	size_t len, idx = 0;

	*result = NULL;
	*is_error = 0;
	if (!k || (!activate && strcmp(name, AGENT_SKILLS_READ)))
		return 0;
	args = cJSON_Parse(arguments);
	sn = cJSON_GetObjectItemCaseSensitive(args, "name");
	sp = cJSON_GetObjectItemCaseSensitive(args, "path");
	if (cJSON_IsString(sn))
		for (idx = 0; idx < k->set->n; idx++)
			if (!strcmp(k->set->skills[idx]->uri_path,
			            sn->valuestring)) {
				s = k->set->skills[idx];
				break;
			}
	if (!s) {
		snprintf(
		        msg, sizeof msg,
		        "There is no Agent Skill named \"%s\"; use a name from "
		        "the list in the system prompt.",
		        cJSON_IsString(sn) ? sn->valuestring : "");
		cJSON_Delete(args);
		return error(msg, result, is_error);
	}
	if (!activate && !k->active[idx]) {
		cJSON_Delete(args);
		snprintf(msg, sizeof msg,
		         "Activate the skill first: call " AGENT_SKILLS_ACTIVATE
		         " with name \"%s\", then read the files its "
		         "instructions name.",
		         s->uri_path);
		return error(msg, result, is_error);
	}
	f = skillset_file(s, activate             ? "SKILL.md"
	                     : cJSON_IsString(sp) ? sp->valuestring
	                                          : "");
	if (!f) {
		snprintf(
		        msg, sizeof msg,
		        "The skill %s has no file \"%s\"; its files are listed "
		        "in what " AGENT_SKILLS_ACTIVATE " returned.",
		        s->uri_path, cJSON_IsString(sp) ? sp->valuestring : "");
		cJSON_Delete(args);
		return error(msg, result, is_error);
	}
	cJSON_Delete(args);
	if (skillset_read(s, f, &data, &len, &e) != SH_OK)
		return error(e.msg, result, is_error);
	if (!sh_utf8_valid(data, len) || memchr(data, '\0', len)) {
		free(data);
		snprintf(
		        msg, sizeof msg,
		        "%s of %s is binary (%zu bytes); it cannot be shown as "
		        "text.",
		        f->rel, s->uri_path, len);
		return error(msg, result, is_error);
	}
	if (activate) {
		k->active[idx] = 1;
		dyn_addf(&b, "%s", data);
		if (s->nfiles > 1) {
			dyn_add(&b, "\n\nFiles of this skill (read them "
			            "with " AGENT_SKILLS_READ "):\n");
			for (size_t i = 0; i < s->nfiles; i++)
				if (strcmp(s->files[i].rel, "SKILL.md"))
					dyn_addf(&b, "- %s\n", s->files[i].rel);
		}
	} else {
		dyn_addf(&b, "%s", data);
	}
	free(data);
	data = dyn_error(&b) ? NULL : dyn_take(&b, NULL);
	dyn_free(&b);
	*result = data ? text_result(data, 0) : NULL;
	free(data);
	return 1;
}
