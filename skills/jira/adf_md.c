/*
 * adf_md.c - ADF to Markdown. See adf_md.h.
 *
 * Blocks render to text with no trailing newline and are joined by blank
 * lines; containers (list items, quotes) render their children first and
 * then prefix every line. Inline marks are opened and closed as a stack
 * across neighbouring text nodes, so "**a *b* c**" comes out whole, and
 * white space is kept outside the delimiters, where CommonMark needs it.
 */
#include "adf_md.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbuf.h"

enum { MK_LINK, MK_STRONG, MK_EM, MK_STRIKE, MK_COUNT };

struct inl {
	struct sbuf *b;
	int open[MK_COUNT]; /* open marks, in the order opened */
	int nopen;
	const char *href;  /* of the open link */
	const char *title; /* of the open link */
	struct sbuf pend;  /* white space held until the marks settle */
	int in_table;
	int line_start; /* at the start of a Markdown line */
};

static const char *type_of(const cJSON *n)
{
	return cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(n, "type"));
}

static const cJSON *attr(const cJSON *n, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(n, "attrs"), name);
}

static const char *attr_str(const cJSON *n, const char *name)
{
	return cJSON_GetStringValue(attr(n, name));
}

static const cJSON *content(const cJSON *n)
{
	return cJSON_GetObjectItemCaseSensitive(n, "content");
}

int adf_is_doc(const cJSON *v)
{
	const char *t = type_of(v);

	return cJSON_IsObject(v) && t && !strcmp(t, "doc") &&
	       cJSON_IsArray(content(v));
}

/* ---- inline ---- */

static int alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (unsigned char)c >= 0x80;
}

/* Plain text with what Markdown would read as syntax escaped: the
 * delimiters always, "_" only at a word edge (snake_case stays readable),
 * and block markers at the start of a line. */
static void put_escaped(struct inl *x, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int esc = 0;

		if (x->line_start) {
			size_t k = i;
			if (c == '#' || c == '>' || c == '=' ||
			    ((c == '-' || c == '+') &&
			     (i + 1 == n || s[i + 1] == ' ')))
				esc = 1;
			while (k < n && s[k] >= '0' && s[k] <= '9')
				k++;
			if (k > i && k < n && (s[k] == '.' || s[k] == ')')) {
				sb_put(x->b, s + i, k - i);
				sb_putc(x->b, '\\');
				sb_putc(x->b, s[k]);
				i = k;
				x->line_start = 0;
				continue;
			}
		}
		if (c == '\\' || c == '`' || c == '*' || c == '[' || c == ']' ||
		    c == '<' || c == '&' || (c == '|' && x->in_table) ||
		    (c == '!' && i + 1 < n && s[i + 1] == '['))
			esc = 1;
		else if (c == '_')
			esc = !(i > 0 && alnum(s[i - 1]) && i + 1 < n &&
			        alnum(s[i + 1]));
		else if (c == '~')
			esc = (i + 1 < n && s[i + 1] == '~') ||
			      (i > 0 && s[i - 1] == '~');
		if (c == '\n') {
			sb_puts(x->b, x->in_table ? "<br>" : "\n");
			x->line_start = !x->in_table;
			continue;
		}
		if (esc)
			sb_putc(x->b, '\\');
		sb_putc(x->b, c);
		if (c != ' ')
			x->line_start = 0;
	}
}

static void flush_pending(struct inl *x)
{
	if (x->pend.len) {
		sb_put(x->b, x->pend.p, x->pend.len);
		sb_trim(&x->pend, x->pend.len);
	}
}

static void close_mark(struct inl *x)
{
	int m = x->open[--x->nopen];

	switch (m) {
	case MK_LINK:
		sb_puts(x->b, "](");
		/* A space cannot stand in a bare destination, and %20 would
		 * come back as a different href: the <...> form keeps it. */
		if (x->href && strchr(x->href, ' ')) {
			sb_putc(x->b, '<');
			for (const char *h = x->href; *h; h++) {
				if (*h == '<' || *h == '>' || *h == '\\')
					sb_putc(x->b, '\\');
				sb_putc(x->b, *h);
			}
			sb_putc(x->b, '>');
		} else {
			for (const char *h = x->href ? x->href : ""; *h; h++) {
				if (*h == '(' || *h == ')' || *h == '\\')
					sb_putc(x->b, '\\');
				sb_putc(x->b, *h);
			}
		}
		if (x->title && *x->title) {
			sb_puts(x->b, " \"");
			for (const char *t = x->title; *t; t++) {
				if (*t == '"' || *t == '\\')
					sb_putc(x->b, '\\');
				sb_putc(x->b, *t);
			}
			sb_putc(x->b, '"');
		}
		sb_putc(x->b, ')');
		x->href = x->title = NULL;
		break;
	case MK_STRONG: sb_puts(x->b, "**"); break;
	case MK_EM: sb_putc(x->b, '*'); break;
	default: sb_puts(x->b, "~~"); break;
	}
}

static void open_mark(struct inl *x, int m, const char *href, const char *title)
{
	static const char *const open[] = {"[", "**", "*", "~~"};

	sb_puts(x->b, open[m]);
	x->open[x->nopen++] = m;
	if (m == MK_LINK) {
		x->href = href;
		x->title = title;
	}
	x->line_start = 0;
}

static int is_open(const struct inl *x, int m)
{
	for (int k = 0; k < x->nopen; k++)
		if (x->open[k] == m)
			return 1;
	return 0;
}

/* Close open marks from the top down to the first one not wanted (or a
 * link to another address), then write the held white space. */
static void close_unwanted(struct inl *x, const int *want, const char *href)
{
	int keep = 0;

	while (keep < x->nopen && want[x->open[keep]] &&
	       (x->open[keep] != MK_LINK ||
	        (href && x->href && !strcmp(href, x->href))))
		keep++;
	while (x->nopen > keep)
		close_mark(x);
	flush_pending(x);
}

/* Open the wanted marks that are not open; a link first, so it encloses
 * the emphasis in it. */
static void open_missing(struct inl *x, const int *want, const char *href,
                         const char *title)
{
	for (int m = 0; m < MK_COUNT; m++)
		if (want[m] && !is_open(x, m))
			open_mark(x, m, href, title);
}

static void code_span(struct inl *x, const char *s)
{
	size_t run = 0, longest = 0;

	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (size_t k = 0; k <= longest; k++)
		sb_putc(x->b, '`');
	if (*s == '`' || (*s && s[strlen(s) - 1] == '`') || *s == ' ')
		sb_putc(x->b, ' ');
	for (const char *p = s; *p; p++) {
		if (*p == '\n')
			sb_putc(x->b, ' ');
		else if (*p == '|' && x->in_table)
			sb_puts(x->b, "\\|");
		else
			sb_putc(x->b, *p);
	}
	if (*s == '`' || (*s && s[strlen(s) - 1] == '`') || *s == ' ')
		sb_putc(x->b, ' ');
	for (size_t k = 0; k <= longest; k++)
		sb_putc(x->b, '`');
	x->line_start = 0;
}

static void date_text(struct sbuf *b, const char *ts)
{
	char buf[32];
	time_t t = (time_t)(strtoll(ts, NULL, 10) / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%Y-%m-%d", &tm))
		sb_puts(b, buf);
	else
		sb_puts(b, ts);
}

static void text_node(struct inl *x, const cJSON *n)
{
	const char *s = cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(n, "text"));
	const cJSON *mk;
	int want[MK_COUNT] = {0}, code = 0;
	const char *href = NULL, *title = NULL;
	size_t len, lead = 0, trail = 0;

	if (!s || !*s)
		return;
	cJSON_ArrayForEach(mk, cJSON_GetObjectItemCaseSensitive(n, "marks"))
	{
		const char *t = type_of(mk);
		if (!t)
			continue;
		if (!strcmp(t, "strong"))
			want[MK_STRONG] = 1;
		else if (!strcmp(t, "em"))
			want[MK_EM] = 1;
		else if (!strcmp(t, "strike"))
			want[MK_STRIKE] = 1;
		else if (!strcmp(t, "code"))
			code = 1;
		else if (!strcmp(t, "link") && attr_str(mk, "href")) {
			want[MK_LINK] = 1;
			href = attr_str(mk, "href");
			title = attr_str(mk, "title");
		}
	}
	if (code) {
		/* ADF puts no emphasis on code, but Markdown may leave code
		 * inside open emphasis: it reads back as the same ADF. */
		want[MK_STRONG] = is_open(x, MK_STRONG);
		want[MK_EM] = is_open(x, MK_EM);
		want[MK_STRIKE] = is_open(x, MK_STRIKE);
		close_unwanted(x, want, href);
		open_missing(x, want, href, title);
		code_span(x, s);
		return;
	}
	/* Delimiters must touch the text they enclose: white space at the
	 * edges goes outside them. */
	len = strlen(s);
	while (lead < len && s[lead] == ' ')
		lead++;
	if (lead == len) {
		close_unwanted(x, want, href);
		sb_put(&x->pend, s, len);
		return;
	}
	while (s[len - 1 - trail] == ' ')
		trail++;
	close_unwanted(x, want, href);
	sb_put(x->b, s, lead);
	/* A link whose text is its address, and nothing else: an
	 * autolink. */
	if (want[MK_LINK] && !is_open(x, MK_LINK) && !want[MK_STRONG] &&
	    !want[MK_EM] && !want[MK_STRIKE] && !lead && !trail &&
	    (!title || !*title) && !strcmp(s, href) && !strpbrk(s, "<> \n") &&
	    strchr(s, ':')) {
		sb_printf(x->b, "<%s>", s);
		x->line_start = 0;
		return;
	}
	open_missing(x, want, href, title);
	put_escaped(x, s + lead, len - lead - trail);
	sb_put(&x->pend, s + len - trail, trail);
}

static void render_inline(struct inl *x, const cJSON *arr, int depth);

static void inline_node(struct inl *x, const cJSON *n, int depth)
{
	const char *t = type_of(n), *s;
	int none[MK_COUNT] = {0};

	if (!t || depth > ADF_MD_MAX_DEPTH)
		return;
	if (!strcmp(t, "text")) {
		text_node(x, n);
		return;
	}
	if (!strcmp(t, "hardBreak")) {
		close_unwanted(x, none, NULL);
		sb_puts(x->b, x->in_table ? "<br>" : "\n");
		x->line_start = !x->in_table;
		return;
	}
	close_unwanted(x, none, NULL);
	if (!strcmp(t, "mention")) {
		sb_printf(x->b, "[~accountid:%s]",
		          attr_str(n, "id") ? attr_str(n, "id") : "");
	} else if (!strcmp(t, "emoji")) {
		s = attr_str(n, "text") ? attr_str(n, "text")
		                        : attr_str(n, "shortName");
		sb_puts(x->b, s ? s : "");
	} else if (!strcmp(t, "date")) {
		s = attr_str(n, "timestamp");
		if (s)
			date_text(x->b, s);
	} else if (!strcmp(t, "status")) {
		s = attr_str(n, "text");
		sb_printf(x->b, "\\[%s\\]", s ? s : "");
	} else if (!strcmp(t, "inlineCard")) {
		s = attr_str(n, "url");
		if (s)
			sb_printf(x->b, "<%s>", s);
	} else if (!strcmp(t, "placeholder")) {
		s = attr_str(n, "text");
		put_escaped(x, s ? s : "", s ? strlen(s) : 0);
	} else if (!strcmp(t, "mediaInline")) {
		s = attr_str(n, "alt");
		sb_printf(x->b, "\\[attachment: %s\\]",
		          s                   ? s
		          : attr_str(n, "id") ? attr_str(n, "id")
		                              : "");
	} else {
		render_inline(x, content(n), depth + 1);
	}
	x->line_start = 0;
}

static void render_inline(struct inl *x, const cJSON *arr, int depth)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, arr) inline_node(x, n, depth);
}

/* The inline content of n appended to b. */
static void inline_to(struct sbuf *b, const cJSON *arr, int in_table, int depth)
{
	struct inl x = {.b = b, .in_table = in_table, .line_start = 1};
	int none[MK_COUNT] = {0};

	sb_init(&x.pend, 0);
	render_inline(&x, arr, depth);
	close_unwanted(&x, none, NULL);
	sb_free(&x.pend);
}

/* ---- blocks ---- */

static void render_blocks(struct sbuf *b, const cJSON *arr, int depth,
                          int tight);

/* Append text to b with prefix before its first line and cont before the
 * others (empty lines get the prefix without trailing spaces). */
static void indent_into(struct sbuf *b, const char *text, const char *first,
                        const char *cont)
{
	const char *p = text;
	int line = 0;

	while (*p || line == 0) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *pre = line ? cont : first;

		if (n == 0) {
			size_t pl = strlen(pre);
			while (pl && pre[pl - 1] == ' ')
				pl--;
			sb_put(b, pre, pl);
		} else {
			sb_puts(b, pre);
			sb_put(b, p, n);
		}
		line++;
		if (!nl)
			break;
		sb_putc(b, '\n');
		p = nl + 1;
	}
}

static void code_block(struct sbuf *b, const cJSON *n)
{
	const char *lang = attr_str(n, "language");
	struct sbuf code;
	const cJSON *t;
	size_t run = 0, longest = 0, fence;

	sb_init(&code, 0);
	cJSON_ArrayForEach(t, content(n))
	{
		const char *s = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(t, "text"));
		if (s)
			sb_puts(&code, s);
	}
	for (const char *p = sb_str(&code); *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	fence = longest >= 3 ? longest + 1 : 3;
	for (size_t k = 0; k < fence; k++)
		sb_putc(b, '`');
	if (lang && !strpbrk(lang, "` \n"))
		sb_puts(b, lang);
	sb_putc(b, '\n');
	if (code.len) {
		sb_put(b, code.p, code.len);
		sb_putc(b, '\n');
	}
	for (size_t k = 0; k < fence; k++)
		sb_putc(b, '`');
	if (sb_failed(&code))
		b->failed = 1;
	sb_free(&code);
}

static void list(struct sbuf *b, const cJSON *n, int ordered, int depth)
{
	const cJSON *item;
	const cJSON *order = attr(n, "order");
	long no = cJSON_IsNumber(order) ? (long)order->valueint : 1;
	int first = 1;

	cJSON_ArrayForEach(item, content(n))
	{
		struct sbuf inner;
		char marker[32];
		const char *t = type_of(item);
		const char *state = attr_str(item, "state");

		sb_init(&inner, 0);
		render_blocks(&inner, content(item), depth + 1, 1);
		if (ordered)
			snprintf(marker, sizeof marker, "%ld. ", no++);
		else if (t && !strcmp(t, "taskItem"))
			snprintf(marker, sizeof marker, "- [%c] ",
			         state && !strcmp(state, "DONE") ? 'x' : ' ');
		else
			snprintf(marker, sizeof marker, "- ");
		if (!first)
			sb_putc(b, '\n');
		first = 0;
		if (t &&
		    (!strcmp(t, "taskItem") || !strcmp(t, "decisionItem"))) {
			/* Their content is inline, not blocks. */
			sb_free(&inner);
			sb_init(&inner, 0);
			inline_to(&inner, content(item), 0, depth + 1);
		}
		{
			char cont[32];
			size_t w = strlen(marker);
			if (t && !strcmp(t, "taskItem"))
				w = 2;
			memset(cont, ' ', w);
			cont[w] = '\0';
			indent_into(b, sb_str(&inner), marker, cont);
		}
		if (sb_failed(&inner))
			b->failed = 1;
		sb_free(&inner);
	}
}

/* The delimiter for a column, from its header cell's paragraph
 * alignment. */
static const char *column_delim(const cJSON *cell)
{
	const cJSON *mk;

	cJSON_ArrayForEach(
	        mk, cJSON_GetObjectItemCaseSensitive(
	                    cJSON_GetArrayItem(content(cell), 0), "marks"))
	{
		const char *a = attr_str(mk, "align");
		if (a && !strcmp(a, "center"))
			return " :-: |";
		if (a && !strcmp(a, "end"))
			return " --: |";
	}
	return " --- |";
}

static void table(struct sbuf *b, const cJSON *n, int depth)
{
	const cJSON *row, *cell;
	int cols = 0, r = 0;

	cJSON_ArrayForEach(row, content(n))
	{
		int c = cJSON_GetArraySize(content(row));
		if (c > cols)
			cols = c;
	}
	if (!cols)
		return;
	cJSON_ArrayForEach(row, content(n))
	{
		int c = 0;
		if (r)
			sb_putc(b, '\n');
		sb_putc(b, '|');
		cJSON_ArrayForEach(cell, content(row))
		{
			const cJSON *blk;
			int first = 1;
			sb_putc(b, ' ');
			cJSON_ArrayForEach(blk, content(cell))
			{
				const char *t = type_of(blk);
				if (!first)
					sb_puts(b, "<br>");
				first = 0;
				if (t && (!strcmp(t, "paragraph") ||
				          !strcmp(t, "heading")))
					inline_to(b, content(blk), 1,
					          depth + 1);
				else {
					/* Anything else: its text, one line. */
					struct sbuf inner;
					sb_init(&inner, 0);
					render_blocks(&inner, content(blk),
					              depth + 1, 0);
					for (const char *p = sb_str(&inner); *p;
					     p++) {
						if (*p == '\n')
							sb_puts(b, "<br>");
						else if (*p == '|')
							sb_puts(b, "\\|");
						else
							sb_putc(b, *p);
					}
					sb_free(&inner);
				}
			}
			sb_puts(b, " |");
			c++;
		}
		for (; c < cols; c++)
			sb_puts(b, "  |");
		if (r == 0) {
			sb_puts(b, "\n|");
			for (c = 0; c < cols; c++)
				sb_puts(b, column_delim(cJSON_GetArrayItem(
				                   content(row), c)));
		}
		r++;
	}
}

static void block(struct sbuf *b, const cJSON *n, int depth)
{
	const char *t = type_of(n), *s;
	struct sbuf inner;

	if (!t || depth > ADF_MD_MAX_DEPTH)
		return;
	if (!strcmp(t, "paragraph")) {
		inline_to(b, content(n), 0, depth);
	} else if (!strcmp(t, "heading")) {
		const cJSON *lv = attr(n, "level");
		int level = cJSON_IsNumber(lv) ? lv->valueint : 1;
		if (level < 1 || level > 6)
			level = 1;
		for (int k = 0; k < level; k++)
			sb_putc(b, '#');
		sb_putc(b, ' ');
		inline_to(b, content(n), 0, depth);
	} else if (!strcmp(t, "bulletList") || !strcmp(t, "taskList") ||
	           !strcmp(t, "decisionList")) {
		list(b, n, 0, depth);
	} else if (!strcmp(t, "orderedList")) {
		list(b, n, 1, depth);
	} else if (!strcmp(t, "codeBlock")) {
		code_block(b, n);
	} else if (!strcmp(t, "blockquote") || !strcmp(t, "panel")) {
		sb_init(&inner, 0);
		if (!strcmp(t, "panel") && attr_str(n, "panelType"))
			sb_printf(&inner, "**%s:**", attr_str(n, "panelType"));
		render_blocks(&inner, content(n), depth + 1, 0);
		indent_into(b, sb_str(&inner), "> ", "> ");
		if (sb_failed(&inner))
			b->failed = 1;
		sb_free(&inner);
	} else if (!strcmp(t, "rule")) {
		sb_puts(b, "---");
	} else if (!strcmp(t, "table")) {
		table(b, n, depth);
	} else if (!strcmp(t, "expand") || !strcmp(t, "nestedExpand")) {
		s = attr_str(n, "title");
		if (s && *s)
			sb_printf(b, "**%s**", s);
		render_blocks(b, content(n), depth + 1, 0);
	} else if (!strcmp(t, "mediaSingle") || !strcmp(t, "mediaGroup")) {
		const cJSON *m;
		int first = 1;
		cJSON_ArrayForEach(m, content(n))
		{
			const char *alt = attr_str(m, "alt");
			const char *url = attr_str(m, "url");
			if (!first)
				sb_putc(b, '\n');
			first = 0;
			if (url)
				sb_printf(b, "![%s](%s)", alt ? alt : "", url);
			else
				sb_printf(b, "\\[attachment: %s\\]",
				          alt ? alt
				          : attr_str(m, "id")
				                  ? attr_str(m, "id")
				                  : "file");
		}
	} else if (!strcmp(t, "blockCard") || !strcmp(t, "embedCard")) {
		s = attr_str(n, "url");
		if (s)
			sb_printf(b, "<%s>", s);
	} else {
		/* Layouts, extensions and whatever comes next: their
		 * content, as blocks when it is blocks. */
		const cJSON *first = cJSON_GetArrayItem(content(n), 0);
		const char *ft = type_of(first);
		if (ft && (!strcmp(ft, "text") || !strcmp(ft, "hardBreak") ||
		           !strcmp(ft, "mention")))
			inline_to(b, content(n), 0, depth);
		else
			render_blocks(b, content(n), depth + 1, 0);
	}
}

/* Blocks joined by blank lines; tight (in a list item): a list right
 * after a paragraph follows on the next line. */
static void render_blocks(struct sbuf *b, const cJSON *arr, int depth,
                          int tight)
{
	const cJSON *n;
	size_t before, gap;

	cJSON_ArrayForEach(n, arr)
	{
		const char *t = type_of(n), *pt = type_of(n->prev);

		before = b->len;
		gap = 0;
		if (before) {
			gap = tight && n != arr->child && t && pt &&
			                      !strcmp(pt, "paragraph") &&
			                      (!strcmp(t, "bulletList") ||
			                       !strcmp(t, "orderedList"))
			              ? 1
			              : 2;
			sb_put(b, "\n\n", gap);
		}
		block(b, n, depth);
		/* A block that rendered to nothing leaves no gap. */
		if (b->len == before + gap)
			sb_trim(b, gap);
	}
}

char *adf_to_markdown(const cJSON *doc)
{
	struct sbuf b;

	sb_init(&b, 0);
	if (adf_is_doc(doc))
		render_blocks(&b, content(doc), 0, 0);
	else
		block(&b, doc, 0);
	return sb_steal(&b);
}
