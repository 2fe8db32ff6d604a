/*
 * catalog.h - the skills and tools a host offers, and name lookup.
 *
 * A catalog is built (catalog_add), sealed (catalog_seal: sorts the tools,
 * derives every tool's names and indexes them), then read by any number of
 * threads. Catalogs and skills are reference-counted: when the installed
 * skills change, the runtime builds a new catalog that shares the unchanged
 * skills (and their running executors) with the old one, and the old one
 * lives until the last call that holds it returns. Executors are opened lazily,
 * on a skill's first call, through the opener the catalog was created with, so
 * listing tools never loads code and start-up does not grow with the number of
 * skills.
 *
 * Tools are found by canonical name ("ns/skill.tool"), portable MCP name
 * (names_mcp: "tool", "skill_tool", ...), the old dotted MCP name
 * ("ns.skill.tool"), the old function-calling name ("ns__skill__tool"), or
 * the bare tool name when exactly one skill has a tool of that name.
 *
 * Portable names depend on the whole catalog, so catalog_seal computes
 * them. A skill shared by two catalogs keeps one struct tool: its mcp_name
 * is rewritten only when the new catalog gives it a different name (a
 * collision came or went), under the runtime's reload lock; each catalog's
 * lookup table keeps its own copy of the names it indexed.
 */
#ifndef SH_CATALOG_H
#define SH_CATALOG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "executor.h"
#include "loader.h"
#include "names.h"
#include "skilldesc.h"
#include "status.h"

struct schema;
struct catalog;
struct skill;
struct skill_perms;

struct tool {
	struct skill *skill;
	uint32_t index; /* into skill->desc->tools */
	const struct tooldesc *desc;
	char canonical[NAMES_CANONICAL_MAX + 1];
	char mcp_name[NAMES_MCP_MAX + 1];  /* portable: MCP, vendors, agent */
	char dotted[NAMES_DOTTED_MAX + 1]; /* "ns.skill.tool" (old MCP form) */
	char fc_name[NAMES_FC_MAX + 1];    /* "ns__skill__tool" (old alias) */
	_Atomic(struct schema *) input;    /* compiled on first use */
	_Atomic(struct schema *) output;   /* compiled on first use */
};

struct skill {
	struct skilldesc *desc;
	char *origin;                   /* the .so or install folder */
	struct loaded_skill *preloaded; /* already open (--skill), or NULL */
	_Atomic(struct executor *) exec;
	pthread_mutex_t open_lock;
	pthread_mutex_t serial; /* held around calls of serialized skills */
	struct tool *tools;
	/* What the signed manifest permits, typed when the skill was
	 * loaded (perms.h); NULL when not restricted (loaded from a file).
	 * Owned, set by the opener before the catalog is sealed. */
	struct skill_perms *perms;
	void *user; /* for the opener (e.g. the store entry) */
	void (*user_free)(void *user);
	/* The store's package digest (its signed manifest's hash) for the
	 * audit log, borrowed from user; NULL for a skill from a file. */
	const char *digest;
	atomic_int refs; /* catalogs holding this skill */
};

/* Make an executor for s (the catalog calls it at most once per skill at a
 * time, under s->open_lock). */
typedef sh_status (*catalog_open_fn)(void *ud, struct skill *s,
                                     struct executor **out, struct sh_error *e);

/* A new, empty catalog whose executors come from open(ud, ...). */
struct catalog *catalog_new(catalog_open_fn open, void *ud);

/*
 * Add a skill. desc and preloaded (may be NULL) are consumed, even on
 * failure. origin is copied. A second skill with the same name is refused
 * with a message naming both origins. Not thread-safe; only before seal.
 * *added (may be NULL) receives the new skill.
 */
sh_status catalog_add(struct catalog *c, struct skilldesc *desc,
                      const char *origin, struct loaded_skill *preloaded,
                      struct skill **added, struct sh_error *e);

/* Add a skill another catalog already holds (taking a reference), so both
 * share its executor. Not thread-safe; only before seal. */
sh_status catalog_add_shared(struct catalog *c, struct skill *s,
                             struct sh_error *e);

/*
 * Remember that installed skill name is present but disabled (its
 * publisher key was removed from trust): it has no tools, but catalog_find
 * answers a call to one of them with why (copied) as SH_ERR_TRUST instead
 * of "no tool named". Not thread-safe; only before seal.
 */
sh_status catalog_add_disabled(struct catalog *c, const char *name,
                               const char *why, struct sh_error *e);

/* Give every tool its portable name and index the tools. Refuses two
 * tools whose canonical or portable names collide; an old alias (dotted,
 * "ns__skill__tool") that another tool's portable name took is dropped. */
sh_status catalog_seal(struct catalog *c, struct sh_error *e);

size_t catalog_skill_count(const struct catalog *c);
struct skill *catalog_skill_at(const struct catalog *c, size_t i);
struct skill *catalog_skill_find(const struct catalog *c, const char *name);

/* Tools sorted by canonical name. */
size_t catalog_tool_count(const struct catalog *c);
struct tool *catalog_tool_at(const struct catalog *c, size_t i);

/*
 * Find a tool by any of its names. Returns NULL when there is none, with
 * SH_ERR_NOTFOUND in e and a message that names the candidates when a bare
 * name is ambiguous.
 */
struct tool *catalog_find(const struct catalog *c, const char *name,
                          struct sh_error *e);

/* The skill's executor, opening it on first use. Thread-safe. */
sh_status catalog_executor(struct catalog *c, struct skill *s,
                           struct executor **out, struct sh_error *e);

/* The tool's compiled input / output schema (output may be NULL when the
 * tool has none), compiled on first use. Thread-safe. */
sh_status catalog_input_schema(struct tool *t, const struct schema **out,
                               struct sh_error *e);
sh_status catalog_output_schema(struct tool *t, const struct schema **out,
                                struct sh_error *e);

/* Take and drop a reference. The catalog is freed with its last reference,
 * dropping its skills; a skill no catalog holds any more is finalized (its
 * executor destroyed). catalog_new returns one reference. NULL is fine. */
struct catalog *catalog_ref(struct catalog *c);
void catalog_unref(struct catalog *c);

/* The same as catalog_unref: for the owner of the first reference. */
void catalog_free(struct catalog *c);

#endif /* SH_CATALOG_H */
