/*
 * catalog_html.c - the server-rendered catalog. See catalog_html.h.
 *
 * Links are relative (the list is at "./", a skill at "skills/NS/NAME",
 * and a skill page reaches the root as "../../"), so the catalog works behind a
 * proxy that mounts the registry under any path prefix.
 */
#include "catalog_html.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static const char page_style[] =
        "body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;"
        "background:#fafbfc}"
        "header,main,footer{max-width:1100px;margin:0 auto;padding:0 20px}"
        "header{padding-top:18px;padding-bottom:8px}"
        "h1{font-size:1.6em;margin:.2em 0}h1 a{color:inherit;"
        "text-decoration:none}h2{font-size:1.15em;margin:1.4em 0 .4em}"
        "form{display:flex;gap:8px;margin:12px 0}"
        "input[type=search]{flex:1;padding:8px;font-size:1em;"
        "border:1px solid #9aa5b1;border-radius:4px}"
        "button{padding:8px 16px;font-size:1em}"
        "table{border-collapse:collapse;width:100%;background:#fff}"
        "th,td{text-align:left;vertical-align:top;padding:6px 8px;"
        "border-bottom:1px solid #e1e4e8}"
        "th{background:#f0f2f5}"
        "code,pre{font-family:ui-monospace,monospace;font-size:.92em}"
        "pre{background:#f0f2f5;padding:10px;overflow-x:auto}"
        ".muted{color:#5b6570}.description{white-space:pre-wrap}"
        ".tools code{margin-right:6px}.pages{margin:14px 0}"
        ".pages a{margin-right:12px}footer{margin-top:28px;"
        "padding-bottom:28px;color:#5b6570}"
        ".yanked,.deprecated{font-size:.85em;padding:1px 6px;"
        "border-radius:3px;margin-left:6px}"
        ".yanked{background:#fde2e1;color:#8a1c13}"
        ".deprecated{background:#fff3c4;color:#6b4f00}"
        "tr.yanked td{color:#5b6570}";

/* ---- buffer ------------------------------------------------------------- */

/* Pages grow in a struct dynbuf bounded by CATALOG_HTML_MAX. dyn_addf is
 * only for text the renderer makes itself (numbers, fixed words): values
 * from packages go through html_escape. */

static void escape_n(struct dynbuf *b, const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *ent = NULL;
		switch (c) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default:
			if ((c < ' ' && c != '\t' && c != '\n') || c == 0x7f)
				ent = "";
		}
		if (!ent)
			continue;
		dyn_addn(b, s + run, i - run);
		dyn_add(b, ent);
		run = i + 1;
	}
	dyn_addn(b, s + run, n - run);
}

void html_escape(struct dynbuf *b, const char *s)
{
	escape_n(b, s ? s : "", s ? strlen(s) : 0);
}

/* A query string value: everything but unreserved characters encoded. */
static void url_escape(struct dynbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c)) {
			dyn_addn(b, s, 1);
		} else {
			char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
			dyn_addn(b, enc, 3);
		}
	}
}

/* At most max bytes of s, cut on a UTF-8 character boundary. */
static void summary(struct dynbuf *b, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max) {
		escape_n(b, s, n);
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	escape_n(b, s, max);
	dyn_add(b, "\xE2\x80\xA6"); /* ellipsis */
}

static void human_size(struct dynbuf *b, uint64_t n)
{
	if (n >= (size_t)1024 * 1024)
		dyn_addf(b, "%.1f MB", (double)n / (1024 * 1024));
	else if (n >= 1024)
		dyn_addf(b, "%.1f KB", (double)n / 1024);
	else
		dyn_addf(b, "%" PRIu64 " B", n);
}

/* ---- page frame --------------------------------------------------------- */

static void head(struct dynbuf *b, const struct catalog_site *site,
                 const char *title, const char *base)
{
	dyn_add(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	           "charset=\"utf-8\"><meta name=\"viewport\" "
	           "content=\"width=device-width,initial-scale=1\"><title>");
	if (title) {
		html_escape(b, title);
		dyn_add(b, " \xC2\xB7 ");
	}
	html_escape(b, site->title);
	dyn_add(b, "</title><style>");
	dyn_add(b, page_style);
	dyn_add(b, "</style></head><body><header><h1><a href=\"");
	dyn_add(b, base);
	dyn_add(b, "\">");
	html_escape(b, site->title);
	dyn_add(b, "</a></h1>");
}

static void search_form(struct dynbuf *b, const char *base, const char *query)
{
	dyn_add(b, "<form method=\"get\" action=\"");
	dyn_add(b, base);
	dyn_add(b, "\" role=\"search\"><input type=\"search\" name=\"q\" "
	           "id=\"q\" value=\"");
	html_escape(b, query ? query : "");
	dyn_add(b, "\" placeholder=\"Search names, tools and descriptions\" "
	           "aria-label=\"Search skills\" maxlength=\"200\">"
	           "<button type=\"submit\">Search</button></form>");
}

static void foot(struct dynbuf *b, const struct catalog_site *site,
                 const struct regindex *ix)
{
	char t[REGINDEX_TIME_SIZE];

	dyn_add(b, "</main><footer>");
	if (ix) {
		regindex_time_format(ix->expires, t);
		dyn_addf(b, "Index version %" PRId64 ", signed until ",
		         ix->version);
		html_escape(b, t);
		dyn_add(b, ". ");
	}
	dyn_add(b, "Root key <code>");
	html_escape(b, site->root_key_id);
	dyn_add(b, "</code>. Packages are signed by their publishers and "
	           "checked by skillhost before anything is installed."
	           "</footer></body></html>\n");
}

static sh_status finish(struct dynbuf *b, struct sh_error *e)
{
	int too_big = b->too_big;

	if (dyn_error(b) == SH_OK)
		return SH_OK;
	dyn_free(b);
	if (too_big)
		return sh_error_set(e, SH_ERR_NOMEM,
		                    "the catalog page is larger than %zu bytes",
		                    CATALOG_HTML_MAX);
	return sh_error_set(e, SH_ERR_NOMEM,
	                    "out of memory rendering the catalog");
}

/* ---- list --------------------------------------------------------------- */

struct hit {
	const struct regindex_pkg *p;
	int score;
};

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->score != y->score)
		return y->score - x->score;
	return strcmp(x->p->name, y->p->name);
}

static void tool_list(struct dynbuf *b, const struct regindex_pkg *p)
{
	for (size_t i = 0; i < p->ntools; i++) {
		dyn_add(b, i ? " <code>" : "<code>");
		html_escape(b, p->tools[i].name);
		dyn_add(b, "</code>");
	}
}

static void pager(struct dynbuf *b, const char *query, size_t page,
                  size_t pages)
{
	if (pages <= 1)
		return;
	dyn_add(b, "<nav class=\"pages\">");
	if (page > 1) {
		dyn_add(b, "<a rel=\"prev\" href=\"./?q=");
		url_escape(b, query ? query : "");
		dyn_addf(b, "&amp;page=%zu\">Previous</a>", page - 1);
	}
	dyn_addf(b, "<span>Page %zu of %zu</span>", page, pages);
	if (page < pages) {
		dyn_add(b, " <a rel=\"next\" href=\"./?q=");
		url_escape(b, query ? query : "");
		dyn_addf(b, "&amp;page=%zu\">Next</a>", page + 1);
	}
	dyn_add(b, "</nav>");
}

/* The yank and deprecation flags of a version, with their reasons. */
static void marks(struct dynbuf *b, const struct regindex_pkg *p)
{
	if (p->yanked) {
		dyn_add(b, " <span class=\"yanked\" title=\"");
		html_escape(b, p->yanked);
		dyn_add(b, "\">yanked: ");
		html_escape(b, p->yanked);
		dyn_add(b, "</span>");
	}
	if (p->deprecated) {
		dyn_add(b, " <span class=\"deprecated\" title=\"");
		html_escape(b, p->deprecated);
		dyn_add(b, "\">deprecated: ");
		html_escape(b, p->deprecated);
		dyn_add(b, "</span>");
	}
}

sh_status catalog_html_list(const struct regindex *ix,
                            const struct catalog_site *site, const char *query,
                            size_t page, struct dynbuf *out, struct sh_error *e)
{
	struct regindex_constraint latest = {.kind = REGC_LATEST};
	struct hit *hits = calloc(ix->npkgs + 1, sizeof *hits);
	size_t nhits = 0, nnames = 0, pages, first;

	dyn_init(out, CATALOG_HTML_MAX);
	if (!hits)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < ix->npkgs;) {
		size_t n = regindex_find(ix, ix->pkgs[i].name, &first);
		const struct regindex_pkg *p =
		        regindex_resolve(ix, ix->pkgs[i].name, &latest);
		int score;
		/* Every version yanked: still listed, under its newest, and
		 * flagged. */
		if (!p)
			p = &ix->pkgs[first + n - 1];
		score = regindex_pkg_match(p, query);
		i = first + n;
		nnames++;
		if (score)
			hits[nhits++] = (struct hit){p, score};
	}
	qsort(hits, nhits, sizeof *hits, hit_cmp);
	pages = (nhits + CATALOG_PAGE_SIZE - 1) / CATALOG_PAGE_SIZE;
	if (page < 1)
		page = 1;
	if (pages && page > pages)
		page = pages;
	head(out, site, query && *query ? query : NULL, "./");
	dyn_addf(out, "<p class=\"muted\">%zu skills, %zu versions</p>", nnames,
	         ix->npkgs);
	search_form(out, "./", query);
	dyn_add(out, "</header><main>");
	if (query && *query) {
		dyn_addf(out, "<p id=\"count\">%zu %s match \xE2\x80\x9C",
		         nhits, nhits == 1 ? "skill" : "skills");
		html_escape(out, query);
		dyn_add(out, "\xE2\x80\x9D</p>");
	}
	if (!nhits) {
		dyn_add(out, "<p id=\"empty\">");
		dyn_add(out, nnames ? "No skill matches. Try a tool name or "
		                      "another word."
		                    : "This registry lists no skills yet.");
		dyn_add(out, "</p>");
	} else {
		dyn_add(out,
		        "<table id=\"skills\"><thead><tr><th>Skill</th>"
		        "<th>Version</th><th>Description</th><th>Tools</th>"
		        "</tr></thead><tbody>");
		for (size_t i = (page - 1) * CATALOG_PAGE_SIZE;
		     i < nhits && i < page * CATALOG_PAGE_SIZE; i++) {
			const struct regindex_pkg *p = hits[i].p;
			dyn_add(out, "<tr class=\"skill\" data-name=\"");
			html_escape(out, p->name);
			dyn_add(out, "\"><td><a href=\"skills/");
			html_escape(out, p->name);
			dyn_add(out, "\">");
			html_escape(out, p->name);
			dyn_add(out, "</a></td><td>");
			html_escape(out, p->version);
			marks(out, p);
			dyn_add(out, "</td><td>");
			summary(out, p->description, CATALOG_SUMMARY_MAX);
			dyn_add(out, "</td><td class=\"tools\">");
			tool_list(out, p);
			dyn_add(out, "</td></tr>");
		}
		dyn_add(out, "</tbody></table>");
		pager(out, query, page, pages);
	}
	foot(out, site, ix);
	free(hits);
	return finish(out, e);
}

/* ---- one skill ---------------------------------------------------------- */

/* The Agent Skills a package carries: each one's front matter, field by
 * field, and its files (from the index entry skillreg wrote). */
static void agentskills_section(struct dynbuf *out,
                                const struct regindex_pkg *p)
{
	const cJSON *as = cJSON_GetObjectItemCaseSensitive(
	        p->json, REGINDEX_KEY_AGENTSKILLS);
	const cJSON *s;

	if (!cJSON_GetArraySize(as))
		return;
	dyn_add(out, "<h2>Agent Skills</h2><p class=\"muted\">Instructions "
	             "and files for agents; the host never runs them.</p>");
	cJSON_ArrayForEach(s, as)
	{
		const cJSON *fm =
		        cJSON_GetObjectItemCaseSensitive(s, "frontmatter");
		const cJSON *f, *kv;

		dyn_add(out, "<section class=\"agentskill\"><h3><code>");
		html_escape(out,
		            cJSON_GetStringValue(
		                    cJSON_GetObjectItemCaseSensitive(s, "name"))
		                    ?: "");
		dyn_add(out,
		        "</code></h3><table class=\"frontmatter\"><tbody>");
		cJSON_ArrayForEach(f, fm)
		{
			dyn_add(out, "<tr><th>");
			html_escape(out, f->string);
			dyn_add(out, "</th><td>");
			if (cJSON_IsString(f))
				html_escape(out, f->valuestring);
			else
				cJSON_ArrayForEach(kv, f)
				{
					html_escape(out, kv->string);
					dyn_add(out, ": ");
					html_escape(out,
					            cJSON_GetStringValue(kv)
					                    ?: "");
					dyn_add(out, "<br>");
				}
			dyn_add(out, "</td></tr>");
		}
		dyn_add(out, "</tbody></table><ul class=\"files\">");
		cJSON_ArrayForEach(f,
		                   cJSON_GetObjectItemCaseSensitive(s, "files"))
		{
			dyn_add(out, "<li><code>");
			html_escape(out, cJSON_GetStringValue(f) ?: "");
			dyn_add(out, "</code></li>");
		}
		dyn_add(out, "</ul></section>");
	}
}

static void perm_row(struct dynbuf *b, const char *what,
                     const struct regindex_list *l)
{
	dyn_add(b, "<tr><th>");
	dyn_add(b, what);
	dyn_add(b, "</th><td>");
	if (!l->n)
		dyn_add(b, "<span class=\"muted\">none</span>");
	for (size_t i = 0; i < l->n; i++) {
		dyn_add(b, "<code>");
		html_escape(b, l->items[i]);
		dyn_add(b, "</code> ");
	}
	dyn_add(b, "</td></tr>");
}

/* href for a package file: absolute URLs as they are, relative ones from
 * the skill page (skills/NS/NAME) back to the registry's root. */
static void file_href(struct dynbuf *b, const char *url)
{
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		dyn_add(b, "../../");
	html_escape(b, url);
}

sh_status catalog_html_skill(const struct regindex *ix,
                             const struct catalog_site *site, const char *name,
                             struct dynbuf *out, struct sh_error *e)
{
	struct regindex_constraint latest = {.kind = REGC_LATEST};
	const struct regindex_pkg *p;
	const struct regindex_ns *ns;
	char nsname[80], t[REGINDEX_TIME_SIZE], id[MINISIG_KEYID_HEX_SIZE];
	char hex[REGINDEX_HASH_HEX_SIZE];
	size_t first, n;

	dyn_init(out, CATALOG_HTML_MAX);
	n = regindex_find(ix, name, &first);
	p = n ? regindex_resolve(ix, name, &latest) : NULL;
	if (!p && n) /* every version yanked: show the newest, flagged */
		p = &ix->pkgs[first + n - 1];
	if (!p)
		return sh_error_set(e, SH_ERR_NOTFOUND,
		                    "this registry lists no skill named %s",
		                    name);
	snprintf(nsname, sizeof nsname, "%.*s", (int)strcspn(name, "/"), name);
	ns = regindex_namespace(ix, nsname);
	minisig_keyid_to_hex(p->publisher, id);
	head(out, site, p->name, "../../");
	search_form(out, "../../", NULL);
	dyn_add(out, "</header><main><article id=\"skill\" data-name=\"");
	html_escape(out, p->name);
	dyn_add(out, "\"><h1>");
	html_escape(out, p->name);
	dyn_add(out, "</h1><p class=\"muted\">Version <span id=\"version\">");
	html_escape(out, p->version);
	dyn_add(out, "</span>");
	marks(out, p);
	if (p->license) {
		dyn_add(out, " \xC2\xB7 License ");
		html_escape(out, p->license);
	}
	regindex_time_format(p->published, t);
	dyn_add(out, " \xC2\xB7 Published ");
	html_escape(out, t);
	dyn_add(out, "</p><h2>Description</h2><p class=\"description\">");
	html_escape(out, p->description);
	dyn_add(out, "</p><h2>Install</h2><pre><code>skillhost registry add ");
	html_escape(out, site->registry_name);
	dyn_add(out, " ");
	html_escape(out, site->public_url);
	dyn_add(out, " --root-key root.pub\nskillhost install ");
	html_escape(out, p->name);
	dyn_add(out, "@");
	html_escape(out, p->version);
	dyn_add(out,
	        "</code></pre><p>root.pub is the registry's root public "
	        "key; check it with the registry's operator:</p><pre><code>"
	        "untrusted comment: minisign public key ");
	html_escape(out, site->root_key_id);
	dyn_add(out, "\n");
	html_escape(out, site->root_key);
	dyn_add(out, "</code></pre><h2>Tools</h2>");
	if (!p->ntools)
		dyn_add(out,
		        "<p class=\"muted\">This skill declares no tools.</p>");
	else {
		dyn_add(out, "<table id=\"tools\"><thead><tr><th>Tool</th>"
		             "<th>Description</th></tr></thead><tbody>");
		for (size_t i = 0; i < p->ntools; i++) {
			dyn_add(out, "<tr><td><code>");
			html_escape(out, p->name);
			dyn_add(out, ".");
			html_escape(out, p->tools[i].name);
			dyn_add(out, "</code></td><td>");
			html_escape(out, p->tools[i].description);
			dyn_add(out, "</td></tr>");
		}
		dyn_add(out, "</tbody></table>");
	}
	agentskills_section(out, p);
	dyn_add(out, "<h2>Permissions</h2><table id=\"permissions\"><tbody>");
	perm_row(out, "Network", &p->network);
	perm_row(out, "Secrets", &p->secrets);
	perm_row(out, "Filesystem", &p->filesystem);
	dyn_add(out, "</tbody></table><h2>Publisher</h2><p>Signed by key "
	             "<code id=\"publisher\">");
	html_escape(out, id);
	dyn_add(out, "</code>. Keys allowed to publish in <code>");
	html_escape(out, nsname);
	dyn_add(out, "</code>:</p><ul>");
	for (size_t i = 0; ns && i < ns->nkeys; i++) {
		char b64[MINISIG_PUBKEY_B64_SIZE], kid[MINISIG_KEYID_HEX_SIZE];
		minisig_pubkey_to_base64(&ns->keys[i], b64);
		minisig_keyid_to_hex(ns->keys[i].key_id, kid);
		dyn_add(out, "<li><code>");
		html_escape(out, kid);
		dyn_add(out, "</code> <code>");
		html_escape(out, b64);
		dyn_add(out, "</code></li>");
	}
	dyn_add(out, "</ul><h2>Versions</h2><table id=\"versions\"><thead><tr>"
	             "<th>Version</th><th>Published</th><th>Size</th>"
	             "<th>BLAKE2b-256</th><th>Files</th></tr></thead><tbody>");
	for (size_t i = first + n; i-- > first;) {
		const struct regindex_pkg *v = &ix->pkgs[i];
		regindex_time_format(v->published, t);
		sodium_bin2hex(hex, sizeof hex, v->blake2b256,
		               MINISIG_FILE_HASH_BYTES);
		dyn_add(out,
		        v->yanked ? "<tr class=\"yanked\"><td>" : "<tr><td>");
		html_escape(out, v->version);
		marks(out, v);
		dyn_add(out, "</td><td>");
		html_escape(out, t);
		dyn_add(out, "</td><td>");
		human_size(out, v->length);
		dyn_add(out, "</td><td><code title=\"");
		html_escape(out, hex);
		dyn_add(out, "\">");
		escape_n(out, hex, 16);
		dyn_add(out, "\xE2\x80\xA6</code></td><td><a href=\"");
		file_href(out, v->url);
		dyn_add(out, "\">package</a> <a href=\"");
		file_href(out, v->sig_url);
		dyn_add(out, "\">signature</a></td></tr>");
	}
	dyn_add(out, "</tbody></table></article>");
	foot(out, site, ix);
	return finish(out, e);
}

sh_status catalog_html_error(const struct catalog_site *site, int status,
                             const char *message, struct dynbuf *out,
                             struct sh_error *e)
{
	dyn_init(out, CATALOG_HTML_MAX);
	head(out, site, status == 404 ? "Not found" : "Error", "/");
	dyn_add(out, "</header><main>");
	dyn_addf(out, "<h2>%d</h2><p>", status);
	html_escape(out, message);
	dyn_add(out, "</p><p><a href=\"/\">All skills</a></p>");
	foot(out, site, NULL);
	return finish(out, e);
}
