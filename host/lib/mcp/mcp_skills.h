/*
 * mcp_skills.h - the installed Agent Skills over MCP: the Skills extension
 * (SEP-2640, "io.modelcontextprotocol/skills") and, for clients without
 * it, each skill as a resource set and a prompt.
 *
 *   skills/list      entries {uri, frontmatter, resources: [{uri, digest,
 *                    size, mimeType}]}, paginated with opaque cursors;
 *                    uri is skill://<path>/SKILL.md, digest "sha256:<hex>"
 *   skills/get       {uri} -> {skill: entry}; an unknown URI is -32602
 *   resources/read   skill://<path>/<file>: the file's bytes, checked
 *                    against the signed manifest when served (a changed
 *                    file is refused, never sent)
 *   resources/list   each skill's SKILL.md (name and description from its
 *                    front matter)
 *   resources/directory/read  the direct children of a skill's folder or
 *                    of a folder in it (subfolders: inode/directory);
 *                    declared as the extension's "directoryRead": true
 *   prompts/list     one prompt per skill, named after it
 *   prompts/get      the skill's instructions and the URIs of its files
 *
 * The skill set (skillset.h) is loaded on first use and again whenever the
 * store index changes (a new inode, size or time: installs replace it
 * atomically), reusing the verified packages that did not change; the
 * list methods then cost no file I/O beyond one stat. The extension is
 * declared at initialize when at least one Agent Skill is installed, so a
 * tools-only host answers exactly as before.
 *
 * Thread-safe: calls serialize on one lock (they are short: reads are of
 * single files of at most 16 MiB).
 */
#ifndef SH_MCP_SKILLS_H
#define SH_MCP_SKILLS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define MCP_SKILLS_EXTENSION "io.modelcontextprotocol/skills"

struct mcp_skills;
struct profile;

/* A provider for the store at home (copied); page_size entries per page.
 * NULL when out of memory. */
struct mcp_skills *mcp_skills_new(const char *home, size_t page_size);
void mcp_skills_free(struct mcp_skills *k);

/* Add the extension, and the resources and prompts capabilities when the
 * caller has not, to an initialize result's capabilities when skills are
 * installed. 0 on success, -1 out of memory. */
int mcp_skills_capabilities(struct mcp_skills *k, cJSON *caps);

enum mcp_skills_rc {
	MCP_SKILLS_NOT_MINE, /* not a method or URI this module serves */
	MCP_SKILLS_RESULT,   /* *result is the caller's */
	MCP_SKILLS_ERROR,    /* *code and msg say why */
};

/*
 * Answer method with params if it is one of the above (for resources/read
 * and prompts/get: only for skill:// URIs and skill prompts). msg receives
 * the error text (cap bytes). prof is the caller's profile (NULL: all):
 * an Agent Skill is in it when a pattern matches "<package>.<name>" (as a
 * tool's "ns/skill.tool"), e.g. "acme/pdf-tools.*"; one outside it is not
 * listed, and getting or reading it answers as for no such skill.
 */
enum mcp_skills_rc mcp_skills_handle(struct mcp_skills *k,
                                     const struct profile *prof,
                                     const char *method, const cJSON *params,
                                     cJSON **result, int *code, char *msg,
                                     size_t cap);

#endif /* SH_MCP_SKILLS_H */
