/*
 * agent_skills.h - progressive disclosure of the installed Agent Skills in
 * the host's own agent loop.
 *
 * The model first sees only each skill's name and description (appended to
 * the system prompt) and two host tools:
 *   activate_skill {name}         the skill's SKILL.md and its file list
 *   read_skill_file {name, path}  one further file of an activated skill
 * so a skill's instructions enter the context only when the model picks
 * it, and its references only when the instructions send it there. Every
 * read is checked against the signed manifest (skillset_read): a changed
 * installed file comes back as an error result, never as content. Nothing
 * a skill holds is run: scripts are returned as text.
 */
#ifndef SH_AGENT_SKILLS_H
#define SH_AGENT_SKILLS_H

#include <cjson/cJSON.h>

#include "status.h"
#include "toolfmt_vendor.h"

#define AGENT_SKILLS_ACTIVATE "activate_skill"
#define AGENT_SKILLS_READ     "read_skill_file"

struct agent_skills;

/* The Agent Skills installed under home; *out NULL when there are none
 * (the agent then behaves exactly as without this module). */
sh_status agent_skills_open(const char *home, struct agent_skills **out,
                            struct sh_error *e);
void agent_skills_free(struct agent_skills *k);

/* system (may be NULL) followed by the list of skills, names and
 * descriptions only; malloc'd, NULL when out of memory. */
char *agent_skills_system(const struct agent_skills *k, const char *system);

/* Append the two tools' declarations, in vendor v's shape, to decls. */
sh_status agent_skills_declare(enum toolfmt_vendor v, cJSON *decls,
                               struct sh_error *e);

/*
 * When name is one of the two tools: run it with arguments (JSON text) and
 * set *result (an MCP CallToolResult; NULL when out of memory) and
 * *is_error; return 1. Else 0.
 */
int agent_skills_call(struct agent_skills *k, const char *name,
                      const char *arguments, cJSON **result, int *is_error);

#endif /* SH_AGENT_SKILLS_H */
