/*
 * catalog.c - skills, tools and name lookup. See catalog.h.
 */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perms.h"
#include "schema.h"

struct slot {
	const char *key;
	struct tool *full; /* by canonical, MCP or FC name */
	struct tool *bare; /* by bare tool name, when unique */
	int bare_ambiguous;
};

struct catalog {
	struct skill **skills;
	size_t nskills, cap;
	struct skill **by_name; /* open addressing, 2 * cap slots */
	struct tool **tools;    /* sorted by canonical name */
	size_t ntools;
	struct slot *slots;
	size_t nslots;                    /* power of two */
	char (*names)[NAMES_MCP_MAX + 1]; /* portable names, as tools */
	catalog_open_fn open;
	void *open_ud;
	atomic_int refs;
	struct disabled {
		char *name, *why;
	} * disabled; /* installed but disabled skills, for messages */
	size_t ndisabled;
};

struct catalog *catalog_new(catalog_open_fn open, void *ud)
{
	struct catalog *c = calloc(1, sizeof *c);

	if (c) {
		c->open = open;
		c->open_ud = ud;
		atomic_init(&c->refs, 1);
	}
	return c;
}

static void skill_free(struct skill *s)
{
	struct executor *ex;

	if (!s || atomic_fetch_sub(&s->refs, 1) > 1)
		return;
	ex = atomic_load(&s->exec);
	if (ex)
		ex->ops->destroy(ex);
	if (s->preloaded)
		loader_close(s->preloaded, 0);
	if (s->tools)
		for (uint32_t i = 0; i < s->desc->ntools; i++) {
			schema_free(atomic_load(&s->tools[i].input));
			schema_free(atomic_load(&s->tools[i].output));
		}
	free(s->tools);
	skilldesc_free(s->desc);
	free(s->origin);
	perms_free(s->perms);
	if (s->user_free)
		s->user_free(s->user);
	pthread_mutex_destroy(&s->open_lock);
	pthread_mutex_destroy(&s->serial);
	free(s);
}

struct catalog *catalog_ref(struct catalog *c)
{
	if (c)
		atomic_fetch_add(&c->refs, 1);
	return c;
}

void catalog_free(struct catalog *c)
{
	catalog_unref(c);
}

void catalog_unref(struct catalog *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) > 1)
		return;
	for (size_t i = 0; i < c->nskills; i++)
		skill_free(c->skills[i]);
	free(c->skills);
	free(c->by_name);
	free(c->tools);
	free(c->slots);
	free(c->names);
	for (size_t i = 0; i < c->ndisabled; i++) {
		free(c->disabled[i].name);
		free(c->disabled[i].why);
	}
	free(c->disabled);
	free(c);
}

sh_status catalog_add_disabled(struct catalog *c, const char *name,
                               const char *why, struct sh_error *e)
{
	struct disabled *grown =
	        realloc(c->disabled, (c->ndisabled + 1) * sizeof *grown);

	if (!grown)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	c->disabled = grown;
	grown[c->ndisabled].name = strdup(name);
	grown[c->ndisabled].why = strdup(why);
	if (!grown[c->ndisabled].name || !grown[c->ndisabled].why) {
		free(grown[c->ndisabled].name);
		free(grown[c->ndisabled].why);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	c->ndisabled++;
	return SH_OK;
}

/* The disabled skill a tool name would belong to, in any of its forms
 * ("ns/skill.tool", "ns.skill.tool", "ns__skill__tool"), or NULL. */
static const struct disabled *disabled_for(const struct catalog *c,
                                           const char *tool)
{
	for (size_t i = 0; i < c->ndisabled; i++) {
		const char *n = c->disabled[i].name, *slash = strchr(n, '/');
		size_t nl = strlen(n), nsl;
		if (!slash)
			continue;
		nsl = (size_t)(slash - n);
		if (!strncmp(tool, n, nl) && tool[nl] == '.')
			return &c->disabled[i];
		if (!strncmp(tool, n, nsl) &&
		    (tool[nsl] == '.' || !strncmp(tool + nsl, "__", 2))) {
			size_t sep = tool[nsl] == '.' ? 1 : 2;
			const char *rest = tool + nsl + sep;
			size_t sl = nl - nsl - 1;
			if (!strncmp(rest, slash + 1, sl) &&
			    (sep == 1 ? rest[sl] == '.'
			              : !strncmp(rest + sl, "__", 2)))
				return &c->disabled[i];
		}
	}
	return NULL;
}

static uint64_t hash(const char *s);

static struct skill **name_slot(struct skill **slots, size_t n,
                                const char *name)
{
	size_t i = (size_t)hash(name) & (n - 1);

	while (slots[i] && strcmp(slots[i]->desc->name, name))
		i = (i + 1) & (n - 1);
	return &slots[i];
}

struct skill *catalog_skill_find(const struct catalog *c, const char *name)
{
	if (!c->by_name)
		return NULL;
	return *name_slot(c->by_name, 2 * c->cap, name);
}

/* Make room for one more skill: the array and the name table (kept at
 * most half full) grow together. */
static int grow(struct catalog *c)
{
	struct skill **grown, **table;
	size_t cap;

	if (c->nskills < c->cap)
		return 1;
	cap = c->cap ? c->cap * 2 : 16;
	grown = realloc(c->skills, cap * sizeof(struct skill *));
	if (!grown)
		return 0;
	c->skills = grown;
	table = calloc(2 * cap, sizeof(struct skill *));
	if (!table)
		return 0;
	for (size_t i = 0; i < c->nskills; i++)
		*name_slot(table, 2 * cap, c->skills[i]->desc->name) =
		        c->skills[i];
	free(c->by_name);
	c->by_name = table;
	c->cap = cap;
	return 1;
}

static void index_name(struct catalog *c, struct skill *s)
{
	*name_slot(c->by_name, 2 * c->cap, s->desc->name) = s;
}

sh_status catalog_add_shared(struct catalog *c, struct skill *s,
                             struct sh_error *e)
{
	struct skill *dup = catalog_skill_find(c, s->desc->name);

	if (dup)
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "skill %s is given twice: %s and %s; load one",
		        s->desc->name, dup->origin, s->origin);
	if (!grow(c))
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	atomic_fetch_add(&s->refs, 1);
	c->skills[c->nskills++] = s;
	index_name(c, s);
	return SH_OK;
}

sh_status catalog_add(struct catalog *c, struct skilldesc *desc,
                      const char *origin, struct loaded_skill *preloaded,
                      struct skill **added, struct sh_error *e)
{
	struct skill *s = NULL, *dup;
	sh_status rc;

	if (added)
		*added = NULL;
	dup = catalog_skill_find(c, desc->name);
	if (dup) {
		rc = sh_error_set(
		        e, SH_ERR_USAGE,
		        "skill %s is given twice: %s and %s; load one",
		        desc->name, dup->origin, origin);
		goto fail;
	}
	if (!grow(c))
		goto nomem;
	s = calloc(1, sizeof *s);
	if (!s)
		goto nomem;
	atomic_init(&s->refs, 1);
	pthread_mutex_init(&s->open_lock, NULL);
	pthread_mutex_init(&s->serial, NULL);
	s->desc = desc;
	desc = NULL;
	s->preloaded = preloaded;
	preloaded = NULL;
	s->origin = strdup(origin ? origin : s->desc->name);
	s->tools = calloc(s->desc->ntools, sizeof *s->tools);
	if (!s->origin || !s->tools)
		goto nomem;
	for (uint32_t i = 0; i < s->desc->ntools; i++) {
		struct tool *t = &s->tools[i];
		t->skill = s;
		t->index = i;
		t->desc = &s->desc->tools[i];
		rc = names_canonical(s->desc->name, t->desc->name, t->canonical,
		                     sizeof t->canonical, e);
		if (rc != SH_OK)
			goto fail;
		names_dotted(t->canonical, t->dotted);
		names_fc(t->canonical, t->fc_name);
	}
	c->skills[c->nskills++] = s;
	index_name(c, s);
	if (added)
		*added = s;
	return SH_OK;
nomem:
	rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
fail:
	skilldesc_free(desc);
	if (preloaded)
		loader_close(preloaded, 0);
	skill_free(s);
	return rc;
}

static int by_canonical(const void *a, const void *b)
{
	const struct tool *x = *(struct tool *const *)a;
	const struct tool *y = *(struct tool *const *)b;
	return strcmp(x->canonical, y->canonical);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ull;
	}
	return h;
}

static struct slot *slot_for(struct slot *slots, size_t n, const char *key)
{
	size_t i = (size_t)hash(key) & (n - 1);

	while (slots[i].key && strcmp(slots[i].key, key))
		i = (i + 1) & (n - 1);
	return &slots[i];
}

static sh_status index_full(struct catalog *c, struct tool *t, const char *key,
                            int alias, struct sh_error *e)
{
	struct slot *s = slot_for(c->slots, c->nslots, key);

	if (s->full && s->full != t && alias)
		return SH_OK;
	if (s->full && s->full != t)
		return sh_error_set(
		        e, SH_ERR_USAGE,
		        "tools %s and %s both map to the name \"%s\"; "
		        "remove one of the skills",
		        s->full->canonical, t->canonical, key);
	s->key = key;
	s->full = t;
	return SH_OK;
}

sh_status catalog_seal(struct catalog *c, struct sh_error *e)
{
	size_t n = 0, k = 0;

	const char **canon = NULL;
	sh_status rc = SH_OK;

	free(c->tools);
	free(c->slots);
	free(c->names);
	c->tools = NULL;
	c->slots = NULL;
	c->names = NULL;
	for (size_t i = 0; i < c->nskills; i++)
		n += c->skills[i]->desc->ntools;
	c->ntools = n;
	c->tools = calloc(n ? n : 1, sizeof(struct tool *));
	/* Five names per tool, at most a third full for short probe runs. */
	c->nslots = 16;
	while (c->nslots < n * 16)
		c->nslots *= 2;
	c->slots = calloc(c->nslots, sizeof *c->slots);
	c->names = calloc(n ? n : 1, sizeof *c->names);
	canon = calloc(n ? n : 1, sizeof *canon);
	if (!c->tools || !c->slots || !c->names || !canon) {
		free(canon);
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < c->nskills; i++)
		for (uint32_t j = 0; j < c->skills[i]->desc->ntools; j++)
			c->tools[k++] = &c->skills[i]->tools[j];
	qsort(c->tools, n, sizeof(struct tool *), by_canonical);
	for (size_t i = 0; i < n; i++)
		canon[i] = c->tools[i]->canonical;
	rc = names_mcp(canon, n, c->names, e);
	free(canon);
	if (rc != SH_OK)
		return rc;
	/* Primary names first, so an old alias never takes one. */
	for (size_t i = 0; i < n; i++) {
		struct tool *t = c->tools[i];
		/* Written only when it changes (see catalog.h): the usual
		 * reload leaves shared tools untouched. */
		if (strcmp(t->mcp_name, c->names[i]))
			memcpy(t->mcp_name, c->names[i], sizeof t->mcp_name);
		if ((rc = index_full(c, t, t->canonical, 0, e)) ||
		    (rc = index_full(c, t, c->names[i], 0, e)))
			return rc;
	}
	for (size_t i = 0; i < n; i++) {
		struct tool *t = c->tools[i];
		if ((rc = index_full(c, t, t->dotted, 1, e)) ||
		    (rc = index_full(c, t, t->fc_name, 1, e)))
			return rc;
	}
	for (size_t i = 0; i < n; i++) {
		struct tool *t = c->tools[i];
		struct slot *s = slot_for(c->slots, c->nslots, t->desc->name);
		s->key = t->desc->name;
		if (s->bare && s->bare != t)
			s->bare_ambiguous = 1;
		s->bare = t;
	}
	return SH_OK;
}

size_t catalog_skill_count(const struct catalog *c)
{
	return c->nskills;
}

struct skill *catalog_skill_at(const struct catalog *c, size_t i)
{
	return i < c->nskills ? c->skills[i] : NULL;
}

size_t catalog_tool_count(const struct catalog *c)
{
	return c->ntools;
}

struct tool *catalog_tool_at(const struct catalog *c, size_t i)
{
	return i < c->ntools ? c->tools[i] : NULL;
}

struct tool *catalog_find(const struct catalog *c, const char *name,
                          struct sh_error *e)
{
	const struct disabled *d;
	struct slot *s;

	/* Free unless some skill is disabled. */
	if (name && (d = disabled_for(c, name)) &&
	    (!c->slots || !slot_for(c->slots, c->nslots, name)->full)) {
		sh_error_set(e, SH_ERR_TRUST, "%s", d->why);
		return NULL;
	}
	if (!c->slots || !name) {
		sh_error_set(e, SH_ERR_NOTFOUND, "no tools are loaded");
		return NULL;
	}
	s = slot_for(c->slots, c->nslots, name);
	if (s->full)
		return s->full;
	if (s->bare && !s->bare_ambiguous)
		return s->bare;
	if (s->bare) {
		char list[512];
		size_t used = 0;
		for (size_t i = 0; i < c->ntools && used < sizeof list - 80;
		     i++)
			if (!strcmp(c->tools[i]->desc->name, name))
				used += (size_t)snprintf(
				        list + used, sizeof list - used, "%s%s",
				        used ? ", " : "",
				        c->tools[i]->canonical);
		sh_error_set(e, SH_ERR_NOTFOUND,
		             "tool name \"%s\" is ambiguous: use one of %s",
		             name, list);
		return NULL;
	}
	sh_error_set(e, SH_ERR_NOTFOUND,
	             "no tool named \"%s\"; run `skillhost tools` to list them",
	             name);
	return NULL;
}

sh_status catalog_executor(struct catalog *c, struct skill *s,
                           struct executor **out, struct sh_error *e)
{
	struct executor *ex =
	        atomic_load_explicit(&s->exec, memory_order_acquire);
	sh_status rc = SH_OK;

	if (ex) {
		*out = ex;
		return SH_OK;
	}
	pthread_mutex_lock(&s->open_lock);
	ex = atomic_load_explicit(&s->exec, memory_order_acquire);
	if (!ex) {
		if (!c->open)
			rc = sh_error_set(e, SH_ERR_FAIL,
			                  "no way to run skill %s",
			                  s->desc->name);
		else
			rc = c->open(c->open_ud, s, &ex, e);
		if (rc == SH_OK)
			atomic_store_explicit(&s->exec, ex,
			                      memory_order_release);
	}
	pthread_mutex_unlock(&s->open_lock);
	*out = ex;
	return rc;
}

static sh_status lazy_schema(_Atomic(struct schema *) *slot, const char *text,
                             const char *what, const struct tool *t,
                             const struct schema **out, struct sh_error *e)
{
	struct schema *s = atomic_load_explicit(slot, memory_order_acquire);
	struct schema *expected = NULL;
	sh_status rc;

	*out = s;
	if (s || !text)
		return SH_OK;
	rc = schema_compile_text(text, strlen(text), &s, e);
	if (rc != SH_OK)
		return sh_error_prefix(e, "%s of %s", what, t->canonical);
	/* Two threads may compile at once; the loser frees its copy. */
	if (!atomic_compare_exchange_strong(slot, &expected, s)) {
		schema_free(s);
		s = expected;
	}
	*out = s;
	return SH_OK;
}

sh_status catalog_input_schema(struct tool *t, const struct schema **out,
                               struct sh_error *e)
{
	return lazy_schema(&t->input, t->desc->input_schema, "input schema", t,
	                   out, e);
}

sh_status catalog_output_schema(struct tool *t, const struct schema **out,
                                struct sh_error *e)
{
	return lazy_schema(&t->output, t->desc->output_schema, "output schema",
	                   t, out, e);
}
