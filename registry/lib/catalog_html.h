/*
 * catalog_html.h - the registry's browsable catalog, rendered on the
 * server as plain HTML: it works without JavaScript, and every value that
 * comes from a package (names, descriptions, tools, permissions) is
 * HTML-escaped where it is written, attribute values and link targets
 * included.
 *
 *   list page   a search form (GET ?q=), the newest version of every skill
 *               that matches in names, tools and descriptions, best
 *               matches first, CATALOG_PAGE_SIZE per page (?page=N)
 *   skill page  description, tools, permissions, every version with its
 *               size, hash and files, the publisher key, and the commands
 *               that add the registry and install the skill
 *
 * Pages are built in a struct dynbuf (dynbuf.h) the caller owns and frees
 * with dyn_free; on failure it is left empty. [thread-safe]:
 * the renderers only read the index, which may be shared.
 */
#ifndef SKILLREG_CATALOG_HTML_H
#define SKILLREG_CATALOG_HTML_H

#include <stddef.h>

#include "dynbuf.h"
#include "regindex.h"
#include "status.h"

#define CATALOG_PAGE_SIZE   50
#define CATALOG_SUMMARY_MAX 240 /* bytes of a description in the list */
#define CATALOG_QUERY_MAX   200
/* The largest page: far above any real registry's (a page shows at most
 * one skill's versions, or CATALOG_PAGE_SIZE skills), so only a corrupt
 * index reaches it. */
#define CATALOG_HTML_MAX ((size_t)64 * 1024 * 1024)

/* What the pages say about the registry itself. */
struct catalog_site {
	const char *title;         /* e.g. "skillhost registry" */
	const char *registry_name; /* suggested name for `registry add` */
	const char *public_url;    /* where clients reach the registry */
	const char *root_key;      /* the root public key line */
	const char *root_key_id;
};

/* Render the list page for query (may be NULL or "") and page (from 1)
 * into out. SH_ERR_NOMEM when out of memory. */
sh_status catalog_html_list(const struct regindex *ix,
                            const struct catalog_site *site, const char *query,
                            size_t page, struct dynbuf *out,
                            struct sh_error *e);

/* Render the page of skill name. SH_ERR_NOTFOUND when the index does not
 * list it. */
sh_status catalog_html_skill(const struct regindex *ix,
                             const struct catalog_site *site, const char *name,
                             struct dynbuf *out, struct sh_error *e);

/* A small error page: status line text and a message (escaped). */
sh_status catalog_html_error(const struct catalog_site *site, int status,
                             const char *message, struct dynbuf *out,
                             struct sh_error *e);

/* Append s HTML-escaped (& < > " ' become entities; control characters
 * other than tab and newline are dropped). */
void html_escape(struct dynbuf *b, const char *s);

#endif /* SKILLREG_CATALOG_HTML_H */
