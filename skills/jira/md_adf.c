/*
 * md_adf.c - Markdown to ADF. See md_adf.h.
 *
 * Blocks are parsed the CommonMark way, container by container: a list
 * item or a quote collects its lines, strips its indentation or markers and
 * parses them again one level down. Inline text follows CommonMark's
 * delimiter algorithm (delimiter runs, flanking rules, the rule of three,
 * links closing over their brackets) on a linked list of nodes, then the
 * tree is flattened into ADF text nodes carrying marks.
 */
#include "md_adf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sbuf.h"

/* Longest fence info string kept as a code block's language. */
#define LANG_MAX 64
/* Most columns a GFM table may have; extra cells are dropped. */
#define TABLE_MAX_COLS 64
#define TAB_STOP       4

struct md {
	int nomem;
};

/* ---- lines ---- */

struct line {
	char *s; /* owned, NUL-terminated, no newline */
	size_t len;
};

struct lines {
	struct line *v;
	size_t n, cap;
};

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].s);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Append a copy of s[0..n). */
static void lines_add(struct md *m, struct lines *l, const char *s, size_t n)
{
	char *copy;

	if (m->nomem)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct line *g = realloc(l->v, cap * sizeof *g);
		if (!g) {
			m->nomem = 1;
			return;
		}
		l->v = g;
		l->cap = cap;
	}
	copy = malloc(n + 1);
	if (!copy) {
		m->nomem = 1;
		return;
	}
	memcpy(copy, s, n);
	copy[n] = '\0';
	l->v[l->n].s = copy;
	l->v[l->n].len = n;
	l->n++;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static int is_blank(const char *s)
{
	while (is_ws(*s))
		s++;
	return *s == '\0';
}

/* Width in columns of the white space at s, which starts at column col;
 * *bytes gets its length. */
static size_t ws_cols(const char *s, size_t col, size_t *bytes)
{
	size_t c = col, i = 0;

	for (; is_ws(s[i]); i++)
		c = s[i] == '\t' ? c + TAB_STOP - c % TAB_STOP : c + 1;
	if (bytes)
		*bytes = i;
	return c - col;
}

static size_t indent_of(const char *s)
{
	return ws_cols(s, 0, NULL);
}

/* Append s to l with cols columns of leading white space removed; a tab
 * that straddles the cut leaves its remaining columns as spaces. */
static void add_stripped(struct md *m, struct lines *l, const char *s,
                         size_t cols)
{
	struct sbuf b;
	size_t c = 0, i = 0;

	while (c < cols && is_ws(s[i])) {
		size_t w = s[i] == '\t' ? TAB_STOP - c % TAB_STOP : 1;
		if (c + w > cols) {
			/* Split tab: keep what lies past the cut. */
			sb_init(&b, 0);
			for (size_t k = 0; k < c + w - cols; k++)
				sb_putc(&b, ' ');
			sb_puts(&b, s + i + 1);
			if (sb_failed(&b))
				m->nomem = 1;
			else
				lines_add(m, l, sb_str(&b), b.len);
			sb_free(&b);
			return;
		}
		c += w;
		i++;
	}
	lines_add(m, l, s + i, strlen(s + i));
}

/* Append "spaces, then rest": the text after a list or quote marker, with
 * the white space that followed the marker turned into n spaces. */
static void add_with_spaces(struct md *m, struct lines *l, size_t n,
                            const char *rest)
{
	struct sbuf b;

	sb_init(&b, 0);
	for (size_t k = 0; k < n; k++)
		sb_putc(&b, ' ');
	sb_puts(&b, rest);
	if (sb_failed(&b))
		m->nomem = 1;
	else
		lines_add(m, l, sb_str(&b), b.len);
	sb_free(&b);
}

/* The text after at most three spaces of indentation, or NULL when the
 * line is indented four columns or more. */
static const char *content_of(const char *s)
{
	if (indent_of(s) >= 4)
		return NULL;
	while (*s == ' ')
		s++;
	return s;
}

/* ---- block recognisers ---- */

static int fence_open(const char *p, char *ch, size_t *flen, const char **info)
{
	size_t n = 0;

	if (*p != '`' && *p != '~')
		return 0;
	while (p[n] == *p)
		n++;
	if (n < 3)
		return 0;
	if (*p == '`' && strchr(p + n, '`'))
		return 0;
	*ch = *p;
	*flen = n;
	*info = p + n;
	return 1;
}

static int fence_close(const char *s, char ch, size_t flen)
{
	const char *p = content_of(s);
	size_t n = 0;

	if (!p)
		return 0;
	while (p[n] == ch)
		n++;
	return n >= flen && is_blank(p + n);
}

/* ATX heading: the level, and the text without the optional closing
 * sequence of #s. */
static int atx_heading(const char *p, int *level, const char **text,
                       size_t *tlen)
{
	size_t n = 0, len;
	const char *t;

	while (p[n] == '#')
		n++;
	if (n < 1 || n > 6 || (p[n] && !is_ws(p[n])))
		return 0;
	t = p + n;
	while (is_ws(*t))
		t++;
	len = strlen(t);
	while (len && is_ws(t[len - 1]))
		len--;
	{
		size_t k = len;
		while (k && t[k - 1] == '#')
			k--;
		if (k == 0)
			len = 0;
		else if (k < len && is_ws(t[k - 1]))
			len = k;
	}
	while (len && is_ws(t[len - 1]))
		len--;
	*level = (int)n;
	*text = t;
	*tlen = len;
	return 1;
}

static int thematic_break(const char *p)
{
	char c = *p;
	int n = 0;

	if (c != '-' && c != '*' && c != '_')
		return 0;
	for (; *p; p++) {
		if (*p == c)
			n++;
		else if (!is_ws(*p))
			return 0;
	}
	return n >= 3;
}

/* A setext underline: "=" (level 1) or "-" (level 2) characters only. */
static int setext_level(const char *s)
{
	const char *p = content_of(s);
	char c;

	if (!p || (*p != '=' && *p != '-'))
		return 0;
	c = *p;
	while (*p == c)
		p++;
	return is_blank(p) ? (c == '=' ? 1 : 2) : 0;
}

struct marker {
	int ordered;
	char ch;          /* the bullet, or the ordered delimiter '.' or ')' */
	long start;       /* ordered lists: the first number */
	size_t width;     /* bytes of the marker itself */
	size_t ws;        /* columns of white space after the marker */
	size_t spaces;    /* of which belong to the marker: the content starts
	                   * this many columns after it */
	int empty;        /* nothing follows the marker */
	const char *text; /* what follows the white space */
};

/* A list item marker at p, which starts at column col. */
static int list_marker(const char *p, size_t col, struct marker *mk)
{
	size_t n = 0, b, w;

	memset(mk, 0, sizeof *mk);
	if (*p == '-' || *p == '+' || *p == '*') {
		mk->ch = *p;
		n = 1;
	} else {
		long v = 0;
		while (n < 9 && p[n] >= '0' && p[n] <= '9')
			v = v * 10 + (p[n++] - '0');
		if (n == 0 || (p[n] != '.' && p[n] != ')'))
			return 0;
		mk->ordered = 1;
		mk->start = v;
		mk->ch = p[n++];
	}
	if (p[n] && !is_ws(p[n]))
		return 0;
	mk->width = n;
	w = ws_cols(p + n, col + n, &b);
	mk->ws = w;
	mk->text = p + n + b;
	mk->empty = *mk->text == '\0';
	/* Five or more columns mean the item opens with indented code: the
	 * content starts one column after the marker. */
	mk->spaces = (mk->empty || w > 4) ? 1 : w;
	return 1;
}

/* Whether line s starts a block that ends a paragraph. */
static int interrupts_paragraph(const char *s, int depth)
{
	const char *p = content_of(s), *info;
	struct marker mk;
	size_t flen, tl;
	int level;
	char ch;

	if (!p || !*p)
		return 0;
	if (fence_open(p, &ch, &flen, &info) ||
	    atx_heading(p, &level, &info, &tl) || thematic_break(p))
		return 1;
	if (depth >= MD_ADF_MAX_DEPTH)
		return 0;
	if (*p == '>')
		return 1;
	return list_marker(p, (size_t)(p - s), &mk) && !mk.empty &&
	       (!mk.ordered || mk.start == 1);
}

/* Whether a line that is not indented into the container (a "lazy"
 * line) starts a block there instead of continuing a paragraph: any list
 * marker does, unlike inside a paragraph, since the container it would
 * continue is not a paragraph. */
static int starts_block_lazy(const char *s, int depth)
{
	const char *p = content_of(s);
	struct marker mk;

	if (interrupts_paragraph(s, depth))
		return 1;
	return p && depth < MD_ADF_MAX_DEPTH &&
	       list_marker(p, (size_t)(p - s), &mk);
}

/* ---- JSON helpers ---- */

static cJSON *jnode(struct md *m, const char *type)
{
	cJSON *o;

	if (m->nomem)
		return NULL;
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "type", type)) {
		cJSON_Delete(o);
		m->nomem = 1;
		return NULL;
	}
	return o;
}

/* Add item to array (or object member name); on failure free it. */
static void jadd(struct md *m, cJSON *to, const char *name, cJSON *item)
{
	if (!item) {
		m->nomem = 1;
		return;
	}
	if (m->nomem || !to ||
	    !(name ? cJSON_AddItemToObject(to, name, item)
	           : cJSON_AddItemToArray(to, item))) {
		cJSON_Delete(item);
		m->nomem = 1;
	}
}

static cJSON *jarray(struct md *m, cJSON *parent, const char *name)
{
	cJSON *a = m->nomem ? NULL : cJSON_CreateArray();

	if (!a)
		m->nomem = 1;
	else if (parent)
		jadd(m, parent, name, a);
	return m->nomem ? NULL : a;
}

static const char *type_of(const cJSON *node)
{
	return cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(node, "type"));
}

static void set_string(struct md *m, cJSON *obj, const char *name,
                       const char *value)
{
	cJSON *v = cJSON_CreateString(value);

	if (!v || !cJSON_ReplaceItemInObjectCaseSensitive(obj, name, v)) {
		cJSON_Delete(v);
		m->nomem = 1;
	}
}

/* ---- inline: nodes ---- */

enum ikind {
	K_TEXT,
	K_CODE,
	K_BREAK,
	K_MENTION,
	K_DELIM,
	K_BRACKET,
	K_EM,
	K_STRONG,
	K_STRIKE,
	K_LINK
};

struct inode {
	enum ikind kind;
	struct inode *prev, *next;
	struct inode *kids; /* containers: the first child */
	char *s;            /* text; DELIM/BRACKET: their characters; LINK:
	                     * href */
	size_t len;
	char *title; /* LINK */
	char ch;     /* DELIM: '*' '_' '~'; BRACKET: '[' or '!' */
	int count, orig, can_open, can_close, active;
};

struct ilist {
	struct inode *head, *tail;
};

static void inode_free(struct inode *n)
{
	while (n) {
		struct inode *next = n->next;
		inode_free(n->kids);
		free(n->s);
		free(n->title);
		free(n);
		n = next;
	}
}

static struct inode *inode_new(struct md *m, enum ikind kind, const char *s,
                               size_t len)
{
	struct inode *n;

	if (m->nomem)
		return NULL;
	n = calloc(1, sizeof *n);
	if (n && s) {
		n->s = malloc(len + 1);
		if (n->s) {
			memcpy(n->s, s, len);
			n->s[len] = '\0';
			n->len = len;
		}
	}
	if (!n || (s && !n->s)) {
		if (n)
			free(n);
		m->nomem = 1;
		return NULL;
	}
	n->kind = kind;
	return n;
}

static void ilist_append(struct ilist *l, struct inode *n)
{
	n->prev = l->tail;
	n->next = NULL;
	/* Every inode_free of a listed node follows ilist_unlink, which moves
	 * the tail first; the analyzer does not carry that across calls. */
	if (l->tail)
		l->tail->next = n; // NOLINT(clang-analyzer-unix.Malloc)
	else
		l->head = n;
	l->tail = n;
}

static void ilist_unlink(struct ilist *l, struct inode *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		l->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		l->tail = n->prev;
	n->prev = n->next = NULL;
}

static void ilist_insert_after(struct ilist *l, struct inode *after,
                               struct inode *n)
{
	n->prev = after;
	n->next = after ? after->next : l->head;
	if (n->next)
		n->next->prev = n;
	else
		l->tail = n;
	if (after)
		after->next = n;
	else
		l->head = n;
}

/* Move the nodes strictly between a and b (a NULL: from the head) into
 * container c, which is then inserted where they were. */
static void wrap_between(struct ilist *l, struct inode *a, struct inode *b,
                         struct inode *c)
{
	struct inode *first = a ? a->next : l->head;

	if (first != b) {
		struct inode *last = b ? b->prev : l->tail;
		first->prev = NULL;
		last->next = NULL;
		c->kids = first;
		if (a)
			a->next = b;
		else
			l->head = b;
		if (b)
			b->prev = a;
		else
			l->tail = a;
	}
	ilist_insert_after(l, a, c);
}

/* Append literal text, merging with a text node at the tail. */
static void add_text(struct md *m, struct ilist *l, const char *s, size_t n)
{
	struct inode *t = l->tail;

	if (!n || m->nomem)
		return;
	if (t && t->kind == K_TEXT) {
		char *g = realloc(t->s, t->len + n + 1);
		if (!g) {
			m->nomem = 1;
			return;
		}
		memcpy(g + t->len, s, n);
		t->len += n;
		g[t->len] = '\0';
		t->s = g;
		return;
	}
	if ((t = inode_new(m, K_TEXT, s, n)))
		ilist_append(l, t);
}

/* ---- inline: character classes ---- */

static int is_punct(unsigned char c)
{
	return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) ||
	       (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

/* The character before t[i] and at t[i] as classes for the flanking rules:
 * 0 white space (or the edge), 1 punctuation, 2 anything else. Non-ASCII
 * counts as a letter, except the no-break space. */
static int class_before(const char *t, size_t i)
{
	unsigned char c;

	if (i == 0)
		return 0;
	c = (unsigned char)t[i - 1];
	if (c == ' ' || c == '\t' || c == '\n')
		return 0;
	if (c == 0xA0 && i >= 2 && (unsigned char)t[i - 2] == 0xC2)
		return 0;
	return is_punct(c) ? 1 : 2;
}

static int class_at(const char *t, size_t n, size_t i)
{
	unsigned char c;

	if (i >= n)
		return 0;
	c = (unsigned char)t[i];
	if (c == ' ' || c == '\t' || c == '\n')
		return 0;
	if (c == 0xC2 && i + 1 < n && (unsigned char)t[i + 1] == 0xA0)
		return 0;
	return is_punct(c) ? 1 : 2;
}

/* ---- inline: entities ---- */

static const struct {
	const char *name;
	const char *utf8;
} entities[] = {
        {"amp", "&"},
        {"lt", "<"},
        {"gt", ">"},
        {"quot", "\""},
        {"apos", "'"},
        {"nbsp", "\xC2\xA0"},
        {"copy", "\xC2\xA9"},
        {"reg", "\xC2\xAE"},
        {"trade", "\xE2\x84\xA2"},
        {"hellip", "\xE2\x80\xA6"},
        {"mdash", "\xE2\x80\x94"},
        {"ndash", "\xE2\x80\x93"},
        {"laquo", "\xC2\xAB"},
        {"raquo", "\xC2\xBB"},
        {"times", "\xC3\x97"},
        {"middot", "\xC2\xB7"},
        {"larr", "\xE2\x86\x90"},
        {"rarr", "\xE2\x86\x92"},
        {"check", "\xE2\x9C\x93"},
};

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decode an entity at t[i] == '&'. Returns the bytes consumed (0: not an
 * entity) and writes the UTF-8 text to out (at least 5 bytes). */
static size_t entity(const char *t, size_t n, size_t i, char *out, size_t *olen)
{
	size_t j = i + 1;

	if (j < n && t[j] == '#') {
		uint32_t cp = 0;
		int hex = 0, digits = 0;
		j++;
		if (j < n && (t[j] == 'x' || t[j] == 'X')) {
			hex = 1;
			j++;
		}
		for (; j < n && digits < (hex ? 6 : 7); j++, digits++) {
			char c = t[j];
			if (c >= '0' && c <= '9')
				cp = cp * (hex ? 16 : 10) + (uint32_t)(c - '0');
			else if (hex && c >= 'a' && c <= 'f')
				cp = cp * 16 + (uint32_t)(c - 'a' + 10);
			else if (hex && c >= 'A' && c <= 'F')
				cp = cp * 16 + (uint32_t)(c - 'A' + 10);
			else
				break;
		}
		if (!digits || j >= n || t[j] != ';')
			return 0;
		*olen = put_utf8(out, cp);
		return j + 1 - i;
	}
	for (size_t k = 0; k < sizeof entities / sizeof entities[0]; k++) {
		size_t nl = strlen(entities[k].name);
		if (j + nl < n && !strncmp(t + j, entities[k].name, nl) &&
		    t[j + nl] == ';') {
			*olen = strlen(entities[k].utf8);
			memcpy(out, entities[k].utf8, *olen);
			return nl + 2;
		}
	}
	return 0;
}

/* ---- inline: scanner ---- */

struct scan {
	struct md *m;
	struct ilist l;
	const char *t;
	size_t n;
};

static int is_scheme_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first &&
	        ((c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-'));
}

static void add_link(struct scan *sc, const char *href, size_t hlen,
                     const char *text, size_t tlen)
{
	struct inode *ln = inode_new(sc->m, K_LINK, href, hlen);
	struct inode *tx;

	if (!ln)
		return;
	tx = inode_new(sc->m, K_TEXT, text, tlen);
	if (!tx) {
		inode_free(ln);
		return;
	}
	ln->kids = tx;
	ilist_append(&sc->l, ln);
}

/* <scheme:...>, <user@host> and <br>: bytes consumed, or 0. */
static size_t angle(struct scan *sc, size_t i)
{
	const char *t = sc->t;
	size_t j = i + 1, k;

	for (k = 0; k < 3; k++) {
		static const char *const br[] = {"<br>", "<br/>", "<br />"};
		size_t bl = strlen(br[k]);
		if (i + bl <= sc->n && !strncasecmp(t + i, br[k], bl)) {
			struct inode *b = inode_new(sc->m, K_BREAK, NULL, 0);
			if (b)
				ilist_append(&sc->l, b);
			return bl;
		}
	}
	/* scheme ':' then no white space, '<' or '>' */
	if (j < sc->n && is_scheme_char(t[j], 1)) {
		k = j + 1;
		while (k < sc->n && is_scheme_char(t[k], 0))
			k++;
		if (k - j >= 2 && k - j <= 32 && k < sc->n && t[k] == ':') {
			size_t e = k + 1;
			while (e < sc->n && t[e] != '>' && t[e] != '<' &&
			       (unsigned char)t[e] > ' ')
				e++;
			if (e < sc->n && t[e] == '>') {
				add_link(sc, t + j, e - j, t + j, e - j);
				return e + 1 - i;
			}
		}
	}
	/* an e-mail address */
	{
		size_t e = j, at = 0;
		while (e < sc->n && t[e] != '>' && (unsigned char)t[e] > ' ' &&
		       t[e] != '<') {
			if (t[e] == '@')
				at = e;
			e++;
		}
		if (e < sc->n && t[e] == '>' && at > j && at + 1 < e &&
		    memchr(t + at, '.', e - at)) {
			struct sbuf b;
			sb_init(&b, 0);
			sb_puts(&b, "mailto:");
			sb_put(&b, t + j, e - j);
			if (sb_failed(&b))
				sc->m->nomem = 1;
			else
				add_link(sc, sb_str(&b), b.len, t + j, e - j);
			sb_free(&b);
			return e + 1 - i;
		}
	}
	return 0;
}

/* A bare http(s):// or www. link starting at t[i] (GFM autolinks):
 * bytes consumed, or 0. */
static size_t bare_url(struct scan *sc, size_t i)
{
	const char *t = sc->t;
	size_t e = i, open = 0, close = 0;
	int www = 0;

	if (i > 0 && !strchr(" \t\n*_~(", t[i - 1]))
		return 0;
	if (sc->n - i > 8 && !strncasecmp(t + i, "https://", 8))
		e = i + 8;
	else if (sc->n - i > 7 && !strncasecmp(t + i, "http://", 7))
		e = i + 7;
	else if (sc->n - i > 4 && !strncasecmp(t + i, "www.", 4)) {
		e = i + 4;
		www = 1;
	} else {
		return 0;
	}
	if (!is_scheme_char(t[e], 0) && !((unsigned char)t[e] & 0x80))
		return 0;
	while (e < sc->n && (unsigned char)t[e] > ' ' && t[e] != '<')
		e++;
	/* Trailing punctuation ends a sentence, not the link; a closing
	 * parenthesis stays only when it balances one inside. */
	for (;;) {
		while (e > i && strchr("?!.,:*_~'\";", t[e - 1]))
			e--;
		if (e > i && t[e - 1] == ')') {
			open = close = 0;
			for (size_t k = i; k < e; k++) {
				open += t[k] == '(';
				close += t[k] == ')';
			}
			if (close > open) {
				e--;
				continue;
			}
		}
		break;
	}
	if (e <= i + (www ? 4u : 7u))
		return 0;
	if (www) {
		struct sbuf b;
		sb_init(&b, 0);
		sb_puts(&b, "http://");
		sb_put(&b, t + i, e - i);
		if (sb_failed(&b))
			sc->m->nomem = 1;
		else
			add_link(sc, sb_str(&b), b.len, t + i, e - i);
		sb_free(&b);
	} else {
		add_link(sc, t + i, e - i, t + i, e - i);
	}
	return e - i;
}

/* A code span opening with the backtick run at t[i]: bytes consumed (the
 * run alone, as text, when nothing closes it). */
static size_t code_span(struct scan *sc, size_t i)
{
	const char *t = sc->t;
	size_t k = 0, j, start;

	while (i + k < sc->n && t[i + k] == '`')
		k++;
	start = i + k;
	for (j = start; j < sc->n;) {
		size_t r = 0;
		if (t[j] != '`') {
			j++;
			continue;
		}
		while (j + r < sc->n && t[j + r] == '`')
			r++;
		if (r == k) {
			struct sbuf b;
			size_t a = start, z = j;
			int all_space = 1;
			for (size_t q = a; q < z; q++)
				if (t[q] != ' ' && t[q] != '\n')
					all_space = 0;
			if (!all_space && z - a >= 2 &&
			    (t[a] == ' ' || t[a] == '\n') &&
			    (t[z - 1] == ' ' || t[z - 1] == '\n')) {
				a++;
				z--;
			}
			sb_init(&b, 0);
			for (size_t q = a; q < z; q++)
				sb_putc(&b, t[q] == '\n' ? ' ' : t[q]);
			if (sb_failed(&b)) {
				sc->m->nomem = 1;
			} else if (b.len) {
				struct inode *c = inode_new(sc->m, K_CODE,
				                            sb_str(&b), b.len);
				if (c)
					ilist_append(&sc->l, c);
			}
			sb_free(&b);
			return j + r - i;
		}
		j += r;
	}
	add_text(sc->m, &sc->l, t + i, k);
	return k;
}

static void add_delim(struct scan *sc, size_t i, size_t k)
{
	const char *t = sc->t;
	int before = class_before(t, i), after = class_at(t, sc->n, i + k);
	int left = after != 0 && (after != 1 || before != 2);
	int right = before != 0 && (before != 1 || after != 2);
	struct inode *d = inode_new(sc->m, K_DELIM, t + i, k);

	if (!d)
		return;
	d->ch = t[i];
	d->count = d->orig = (int)k;
	if (t[i] == '_') {
		/* Underscores inside words are not emphasis (snake_case). */
		d->can_open = left && (!right || before == 1);
		d->can_close = right && (!left || after == 1);
	} else {
		d->can_open = left;
		d->can_close = right;
	}
	ilist_append(&sc->l, d);
}

/* Jira's mention syntax, [~accountid:ID]: bytes consumed, or 0. */
static size_t mention(struct scan *sc, size_t i)
{
	static const char pre[] = "[~accountid:";
	const char *t = sc->t;
	size_t j = i + sizeof pre - 1, e = j;
	struct inode *mn;

	if (sc->n - i < sizeof pre || strncasecmp(t + i, pre, sizeof pre - 1))
		return 0;
	while (e < sc->n &&
	       (is_scheme_char(t[e], 0) || t[e] == ':' || t[e] == '_'))
		e++;
	if (e == j || e >= sc->n || t[e] != ']')
		return 0;
	if ((mn = inode_new(sc->m, K_MENTION, t + j, e - j)))
		ilist_append(&sc->l, mn);
	return e + 1 - i;
}

/* Copy s[0..n) dropping backslashes that escape punctuation. */
static char *unescape(struct md *m, const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	if (!out) {
		m->nomem = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n &&
		    is_punct((unsigned char)s[i + 1]))
			i++;
		out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

/* "(dest "title")" after a closing bracket at t[i] == '('. Returns the
 * bytes consumed or 0, and the unescaped destination and title. */
static size_t link_tail(struct scan *sc, size_t i, char **dest, char **title)
{
	const char *t = sc->t;
	size_t j = i + 1, d0, d1, t0 = 0, t1 = 0;
	int depth = 0, has_title = 0;

	*dest = *title = NULL;
	while (j < sc->n && (is_ws(t[j]) || t[j] == '\n'))
		j++;
	if (j < sc->n && t[j] == '<') {
		d0 = ++j;
		while (j < sc->n && t[j] != '>' && t[j] != '\n' && t[j] != '<')
			j += (t[j] == '\\' && j + 1 < sc->n) ? 2 : 1;
		if (j >= sc->n || t[j] != '>')
			return 0;
		d1 = j++;
	} else {
		d0 = j;
		while (j < sc->n && (unsigned char)t[j] > ' ') {
			if (t[j] == '\\' && j + 1 < sc->n) {
				j += 2;
				continue;
			}
			if (t[j] == '(')
				depth++;
			else if (t[j] == ')' && depth-- == 0)
				break;
			j++;
		}
		d1 = j;
	}
	while (j < sc->n && (is_ws(t[j]) || t[j] == '\n'))
		j++;
	if (j < sc->n && (t[j] == '"' || t[j] == '\'' || t[j] == '(') &&
	    j > d1) {
		char close = t[j] == '(' ? ')' : t[j];
		t0 = ++j;
		while (j < sc->n && t[j] != close)
			j += (t[j] == '\\' && j + 1 < sc->n) ? 2 : 1;
		if (j >= sc->n)
			return 0;
		t1 = j++;
		has_title = 1;
		while (j < sc->n && (is_ws(t[j]) || t[j] == '\n'))
			j++;
	}
	if (j >= sc->n || t[j] != ')')
		return 0;
	*dest = unescape(sc->m, t + d0, d1 - d0);
	if (has_title && t1 > t0)
		*title = unescape(sc->m, t + t0, t1 - t0);
	if (!*dest) {
		free(*title);
		*title = NULL;
		return 0;
	}
	return j + 1 - i;
}

static void process_emphasis(struct md *m, struct ilist *l,
                             struct inode *bottom);

/* A ']' at t[i]: close a link or image when a bracket opener and a link
 * tail match, else keep it as text. Returns the bytes consumed. */
static size_t close_bracket(struct scan *sc, size_t i)
{
	struct inode *o = sc->l.tail, *ln;
	char *dest, *title;
	size_t used;

	while (o && o->kind != K_BRACKET)
		o = o->prev;
	if (!o) {
		add_text(sc->m, &sc->l, "]", 1);
		return 1;
	}
	used = (o->active && i + 1 < sc->n && sc->t[i + 1] == '(')
	               ? link_tail(sc, i + 1, &dest, &title)
	               : 0;
	if (!used) {
		o->kind = K_TEXT; /* the opener is plain text after all */
		add_text(sc->m, &sc->l, "]", 1);
		return 1;
	}
	process_emphasis(sc->m, &sc->l, o);
	ln = inode_new(sc->m, K_LINK, NULL, 0);
	if (!ln) {
		free(dest);
		free(title);
		return used + 1;
	}
	ln->s = dest;
	ln->len = strlen(dest);
	ln->title = title;
	wrap_between(&sc->l, o, NULL, ln);
	if (!ln->kids) {
		/* ![](url) or [](url): show the address itself. */
		ln->kids = inode_new(sc->m, K_TEXT, dest, ln->len);
	}
	if (o->ch == '[') {
		/* Links may not contain links: older openers are dead. */
		for (struct inode *p = o->prev; p; p = p->prev)
			if (p->kind == K_BRACKET && p->ch == '[')
				p->active = 0;
	}
	ilist_unlink(&sc->l, o);
	inode_free(o);
	return used + 1;
}

static void scan_inline(struct scan *sc)
{
	const char *t = sc->t;
	size_t i = 0, run;

	while (i < sc->n && !sc->m->nomem) {
		char c = t[i];
		size_t used;

		switch (c) {
		case '\\':
			if (i + 1 < sc->n && t[i + 1] == '\n') {
				struct inode *b =
				        inode_new(sc->m, K_BREAK, NULL, 0);
				if (b)
					ilist_append(&sc->l, b);
				i += 2;
				while (i < sc->n && is_ws(t[i]))
					i++;
			} else if (i + 1 < sc->n &&
			           is_punct((unsigned char)t[i + 1])) {
				add_text(sc->m, &sc->l, t + i + 1, 1);
				i += 2;
			} else {
				add_text(sc->m, &sc->l, "\\", 1);
				i++;
			}
			continue;
		case '`': i += code_span(sc, i); continue;
		case '*':
		case '_':
		case '~':
			run = 0;
			while (i + run < sc->n && t[i + run] == c)
				run++;
			/* Strikethrough is exactly two tildes: a lone one is
			 * "approximately". */
			if (c == '~' && run != 2)
				add_text(sc->m, &sc->l, t + i, run);
			else
				add_delim(sc, i, run);
			i += run;
			continue;
		case '[':
		case '!':
			if (c == '[' && (used = mention(sc, i))) {
				i += used;
				continue;
			}
			if (c == '!' && (i + 1 >= sc->n || t[i + 1] != '[')) {
				add_text(sc->m, &sc->l, "!", 1);
				i++;
				continue;
			}
			{
				size_t k = c == '!' ? 2 : 1;
				struct inode *b =
				        inode_new(sc->m, K_BRACKET, t + i, k);
				if (b) {
					b->ch = c;
					b->active = 1;
					ilist_append(&sc->l, b);
				}
				i += k;
			}
			continue;
		case ']': i += close_bracket(sc, i); continue;
		case '<':
			if ((used = angle(sc, i))) {
				i += used;
				continue;
			}
			break;
		case '&': {
			char out[8];
			size_t olen = 0;
			if ((used = entity(t, sc->n, i, out, &olen))) {
				add_text(sc->m, &sc->l, out, olen);
				i += used;
				continue;
			}
			break;
		}
		case '\n': {
			/* Trailing spaces before a line break are not content;
			 * every line break is kept as a hard break. */
			struct inode *tl = sc->l.tail, *b;
			if (tl && tl->kind == K_TEXT) {
				while (tl->len && is_ws(tl->s[tl->len - 1]))
					tl->s[--tl->len] = '\0';
				if (!tl->len) {
					ilist_unlink(&sc->l, tl);
					inode_free(tl);
				}
			}
			if ((b = inode_new(sc->m, K_BREAK, NULL, 0)))
				ilist_append(&sc->l, b);
			i++;
			while (i < sc->n && is_ws(t[i]))
				i++;
			continue;
		}
		case 'h':
		case 'H':
		case 'w':
		case 'W':
			if ((used = bare_url(sc, i))) {
				i += used;
				continue;
			}
			break;
		default: break;
		}
		/* Control characters other than tab have no place in ADF
		 * text. */
		if ((unsigned char)c < 0x20 && c != '\t') {
			i++;
			continue;
		}
		add_text(sc->m, &sc->l, t + i, 1);
		i++;
	}
}

/* CommonMark's "process emphasis" over the nodes after bottom. */
static void process_emphasis(struct md *m, struct ilist *l,
                             struct inode *bottom)
{
	/* openers_bottom per delimiter character and closer length mod 3:
	 * no opener at or before it can match such a closer. */
	struct inode *ob[3][3];
	struct inode *closer = bottom ? bottom->next : l->head;

	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 3; b++)
			ob[a][b] = bottom;
	while (closer && !m->nomem) {
		struct inode *o;
		int ci, use;

		if (closer->kind != K_DELIM || !closer->can_close) {
			closer = closer->next;
			continue;
		}
		ci = closer->ch == '*' ? 0 : closer->ch == '_' ? 1 : 2;
		for (o = closer->prev;
		     o && o != bottom && o != ob[ci][closer->orig % 3];
		     o = o->prev) {
			if (o->kind != K_DELIM || o->ch != closer->ch ||
			    !o->can_open)
				continue;
			if (closer->ch == '~') {
				if (o->count == closer->count)
					break;
				continue;
			}
			if ((o->can_close || closer->can_open) &&
			    (o->orig + closer->orig) % 3 == 0 &&
			    !(o->orig % 3 == 0 && closer->orig % 3 == 0))
				continue;
			break;
		}
		if (!o || o == bottom || o == ob[ci][closer->orig % 3] ||
		    o->kind != K_DELIM || o->ch != closer->ch || !o->can_open) {
			struct inode *next = closer->next;
			ob[ci][closer->orig % 3] = closer->prev;
			if (!closer->can_open)
				closer->kind = K_TEXT;
			closer = next;
			continue;
		}
		{
			struct inode *c;
			use = closer->ch == '~'
			              ? closer->count
			              : (o->count >= 2 && closer->count >= 2
			                         ? 2
			                         : 1);
			c = inode_new(m,
			              closer->ch == '~' ? K_STRIKE
			              : use == 2        ? K_STRONG
			                                : K_EM,
			              NULL, 0);
			if (!c)
				return;
			o->count -= use;
			o->len = (size_t)o->count;
			closer->count -= use;
			closer->len = (size_t)closer->count;
			wrap_between(l, o, closer, c);
			if (o->count == 0) {
				ilist_unlink(l, o);
				inode_free(o);
			}
			if (closer->count == 0) {
				struct inode *next = closer->next;
				ilist_unlink(l, closer);
				inode_free(closer);
				closer = next;
			}
		}
	}
}

/* ---- inline: flattening into ADF ---- */

struct marks {
	int strong, em, strike;
	const char *href, *title;
};

struct emit {
	struct md *m;
	cJSON *out;
	cJSON *last; /* the last text node, for merging */
	struct marks lastm;
	int last_code;
};

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int same_marks(const struct marks *a, const struct marks *b)
{
	return a->strong == b->strong && a->em == b->em &&
	       a->strike == b->strike && same_str(a->href, b->href) &&
	       same_str(a->title, b->title);
}

/* Link targets that would run script in a browser lose the link. */
static int safe_href(const char *h)
{
	char scheme[16];
	size_t n = 0;

	while (*h && (unsigned char)*h <= ' ')
		h++;
	if (!*h)
		return 0;
	for (; h[n] && h[n] != ':' && n < sizeof scheme - 1; n++) {
		if (h[n] == '/' || h[n] == '?' || h[n] == '#')
			return 1; /* relative: no scheme */
		scheme[n] = h[n];
	}
	scheme[n] = '\0';
	if (h[n] != ':')
		return 1;
	return strcasecmp(scheme, "javascript") &&
	       strcasecmp(scheme, "vbscript") && strcasecmp(scheme, "data");
}

static cJSON *marks_json(struct md *m, const struct marks *mk, int code)
{
	cJSON *a = jarray(m, NULL, NULL), *lk, *attrs;

	if (!a)
		return NULL;
	if (mk->href && safe_href(mk->href)) {
		lk = jnode(m, "link");
		attrs = lk ? cJSON_CreateObject() : NULL;
		if (attrs && cJSON_AddStringToObject(attrs, "href", mk->href) &&
		    (!mk->title ||
		     cJSON_AddStringToObject(attrs, "title", mk->title))) {
			jadd(m, lk, "attrs", attrs);
			jadd(m, a, NULL, lk);
		} else {
			cJSON_Delete(attrs);
			cJSON_Delete(lk);
			m->nomem = 1;
		}
	}
	/* ADF allows code only beside a link. */
	if (!code && mk->em)
		jadd(m, a, NULL, jnode(m, "em"));
	if (!code && mk->strong)
		jadd(m, a, NULL, jnode(m, "strong"));
	if (!code && mk->strike)
		jadd(m, a, NULL, jnode(m, "strike"));
	if (code)
		jadd(m, a, NULL, jnode(m, "code"));
	if (m->nomem) {
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

static void emit_text(struct emit *e, const char *s, size_t n,
                      const struct marks *mk, int code)
{
	cJSON *t, *marks;

	if (!n || e->m->nomem)
		return;
	if (e->last && e->last_code == code && same_marks(&e->lastm, mk)) {
		cJSON *txt = cJSON_GetObjectItemCaseSensitive(e->last, "text");
		size_t old = strlen(txt->valuestring);
		char *joined = malloc(old + n + 1);
		if (!joined) {
			e->m->nomem = 1;
			return;
		}
		memcpy(joined, txt->valuestring, old);
		memcpy(joined + old, s, n);
		joined[old + n] = '\0';
		set_string(e->m, e->last, "text", joined);
		free(joined);
		return;
	}
	t = jnode(e->m, "text");
	if (!t)
		return;
	{
		char *copy = malloc(n + 1);
		if (!copy) {
			cJSON_Delete(t);
			e->m->nomem = 1;
			return;
		}
		memcpy(copy, s, n);
		copy[n] = '\0';
		jadd(e->m, t, "text", cJSON_CreateString(copy));
		free(copy);
	}
	marks = marks_json(e->m, mk, code);
	if (marks && cJSON_GetArraySize(marks) > 0)
		jadd(e->m, t, "marks", marks);
	else
		cJSON_Delete(marks);
	jadd(e->m, e->out, NULL, t);
	if (e->m->nomem)
		return;
	e->last = t;
	e->lastm = *mk;
	e->last_code = code;
}

static void emit_nodes(struct emit *e, const struct inode *n, struct marks mk)
{
	for (; n && !e->m->nomem; n = n->next) {
		struct marks inner = mk;
		cJSON *x, *attrs;

		switch (n->kind) {
		case K_TEXT:
		case K_DELIM:
		case K_BRACKET: emit_text(e, n->s, n->len, &mk, 0); break;
		case K_CODE: emit_text(e, n->s, n->len, &mk, 1); break;
		case K_BREAK:
			jadd(e->m, e->out, NULL, jnode(e->m, "hardBreak"));
			e->last = NULL;
			break;
		case K_MENTION:
			x = jnode(e->m, "mention");
			attrs = x ? cJSON_CreateObject() : NULL;
			if (!attrs ||
			    !cJSON_AddStringToObject(attrs, "id", n->s)) {
				cJSON_Delete(attrs);
				cJSON_Delete(x);
				e->m->nomem = 1;
				break;
			}
			jadd(e->m, x, "attrs", attrs);
			jadd(e->m, e->out, NULL, x);
			e->last = NULL;
			break;
		case K_EM:
			inner.em = 1;
			emit_nodes(e, n->kids, inner);
			break;
		case K_STRONG:
			inner.strong = 1;
			emit_nodes(e, n->kids, inner);
			break;
		case K_STRIKE:
			inner.strike = 1;
			emit_nodes(e, n->kids, inner);
			break;
		case K_LINK:
			inner.href = n->s;
			inner.title = n->title;
			emit_nodes(e, n->kids, inner);
			break;
		}
	}
}

/* Trim white space at the edges of a paragraph's inline content and drop
 * hard breaks at its end. */
static void trim_inline(struct md *m, cJSON *arr)
{
	cJSON *it;

	for (;;) {
		int n = cJSON_GetArraySize(arr);
		cJSON *last = n ? cJSON_GetArrayItem(arr, n - 1) : NULL;
		const char *type =
		        last ? cJSON_GetStringValue(
		                       cJSON_GetObjectItemCaseSensitive(last,
		                                                        "type"))
		             : NULL;
		cJSON *txt;
		if (!type)
			break;
		if (!strcmp(type, "hardBreak")) {
			cJSON_DeleteItemFromArray(arr, n - 1);
			continue;
		}
		txt = cJSON_GetObjectItemCaseSensitive(last, "text");
		if (!strcmp(type, "text") && cJSON_IsString(txt) &&
		    !cJSON_GetObjectItemCaseSensitive(last, "marks")) {
			size_t len = strlen(txt->valuestring);
			while (len && is_ws(txt->valuestring[len - 1]))
				len--;
			if (!len) {
				cJSON_DeleteItemFromArray(arr, n - 1);
				continue;
			}
			txt->valuestring[len] = '\0';
		}
		break;
	}
	it = cJSON_GetArrayItem(arr, 0);
	if (it && !cJSON_GetObjectItemCaseSensitive(it, "marks")) {
		cJSON *txt = cJSON_GetObjectItemCaseSensitive(it, "text");
		if (cJSON_IsString(txt)) {
			const char *s = txt->valuestring;
			while (is_ws(*s))
				s++;
			if (!*s) {
				cJSON_DeleteItemFromArray(arr, 0);
			} else if (s != txt->valuestring) {
				cJSON *r = cJSON_CreateString(s);
				if (!r)
					m->nomem = 1;
				else
					cJSON_ReplaceItemInObjectCaseSensitive(
					        it, "text", r);
			}
		}
	}
}

/* Parse inline Markdown into a new "content" array on node. */
static void add_inline(struct md *m, cJSON *node, const char *text, size_t len)
{
	struct scan sc = {.m = m, .t = text, .n = len};
	struct emit e = {.m = m};
	struct marks none = {0};

	e.out = jarray(m, node, "content");
	if (!e.out)
		return;
	scan_inline(&sc);
	process_emphasis(m, &sc.l, NULL);
	emit_nodes(&e, sc.l.head, none);
	inode_free(sc.l.head);
	if (!m->nomem)
		trim_inline(m, e.out);
}

/* ---- blocks ---- */

static cJSON *parse_blocks(struct md *m, const struct lines *in, int depth);

/* A heading, where none may stand: a paragraph in bold. */
static void heading_to_paragraph(struct md *m, cJSON *h)
{
	cJSON *t;

	set_string(m, h, "type", "paragraph");
	cJSON_DeleteItemFromObjectCaseSensitive(h, "attrs");
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(h, "content"))
	{
		cJSON *mk = cJSON_GetObjectItemCaseSensitive(t, "marks"), *x;
		int skip = 0;
		const char *tt = type_of(t);

		if (!tt || strcmp(tt, "text"))
			continue;
		cJSON_ArrayForEach(x, mk)
		{
			const char *mt = type_of(x);
			/* Code takes no other mark; strong is there already. */
			skip |= mt &&
			        (!strcmp(mt, "code") || !strcmp(mt, "strong"));
		}
		if (skip)
			continue;
		if (!mk)
			mk = jarray(m, t, "marks");
		jadd(m, mk, NULL, jnode(m, "strong"));
	}
}

/* A table, where none may stand: one paragraph per row, cells joined by
 * " | ", appended to out. */
static void table_to_paragraphs(struct md *m, cJSON *out, cJSON *table)
{
	cJSON *row, *cell;

	cJSON_ArrayForEach(row,
	                   cJSON_GetObjectItemCaseSensitive(table, "content"))
	{
		cJSON *p = jnode(m, "paragraph");
		cJSON *pc = p ? jarray(m, p, "content") : NULL;
		int first = 1;

		cJSON_ArrayForEach(
		        cell, cJSON_GetObjectItemCaseSensitive(row, "content"))
		{
			cJSON *para = cJSON_GetArrayItem(
			        cJSON_GetObjectItemCaseSensitive(cell,
			                                         "content"),
			        0);
			cJSON *in = cJSON_GetObjectItemCaseSensitive(para,
			                                             "content");
			if (!first) {
				cJSON *sep = jnode(m, "text");
				if (sep)
					jadd(m, sep, "text",
					     cJSON_CreateString(" | "));
				jadd(m, pc, NULL, sep);
			}
			first = 0;
			while (in && in->child && !m->nomem)
				jadd(m, pc, NULL,
				     cJSON_DetachItemViaPointer(in, in->child));
		}
		jadd(m, out, NULL, p);
	}
}

/*
 * The children of a list item or quote, which take only paragraphs, lists
 * and code blocks: headings become bold paragraphs, table rows become
 * paragraphs, a quote gives up its (already fitted) children, rules go. A
 * list item must open with a paragraph or a code block, and neither may be
 * empty, so an empty paragraph leads when needed. Consumes arr; returns the
 * new array, or NULL when out of memory.
 */
static cJSON *fit_children(struct md *m, cJSON *arr, int list_item)
{
	cJSON *out = jarray(m, NULL, NULL), *c;
	const char *lead;

	while (out && arr && arr->child && !m->nomem) {
		const char *type;

		c = cJSON_DetachItemViaPointer(arr, arr->child);
		type = type_of(c);
		if (type && !strcmp(type, "heading")) {
			heading_to_paragraph(m, c);
			jadd(m, out, NULL, c);
		} else if (type && !strcmp(type, "rule")) {
			cJSON_Delete(c);
		} else if (type && !strcmp(type, "blockquote")) {
			cJSON *kids =
			        cJSON_GetObjectItemCaseSensitive(c, "content");
			while (kids && kids->child && !m->nomem)
				jadd(m, out, NULL,
				     cJSON_DetachItemViaPointer(kids,
				                                kids->child));
			cJSON_Delete(c);
		} else if (type && !strcmp(type, "table")) {
			table_to_paragraphs(m, out, c);
			cJSON_Delete(c);
		} else {
			jadd(m, out, NULL, c);
		}
	}
	cJSON_Delete(arr);
	lead = out && out->child ? type_of(out->child) : NULL;
	if (out && !m->nomem &&
	    (!lead || (list_item && strcmp(lead, "paragraph") &&
	               strcmp(lead, "codeBlock")))) {
		/* Rebuilt rather than inserted into: cJSON 1.7.15's
		 * cJSON_InsertItemInArray is unreliable. */
		cJSON *fixed = jarray(m, NULL, NULL);
		cJSON *p = jnode(m, "paragraph");
		if (p)
			jarray(m, p, "content");
		jadd(m, fixed, NULL, p);
		while (fixed && out->child && !m->nomem)
			jadd(m, fixed, NULL,
			     cJSON_DetachItemViaPointer(out, out->child));
		cJSON_Delete(out);
		out = fixed;
	}
	if (m->nomem) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

static void add_code_block(struct md *m, cJSON *out, const char *lang,
                           size_t lang_len, const struct sbuf *text)
{
	cJSON *cb = jnode(m, "codeBlock");

	if (!cb)
		return;
	if (lang_len) {
		cJSON *attrs = cJSON_CreateObject();
		char l[LANG_MAX + 1];
		if (lang_len > LANG_MAX)
			lang_len = LANG_MAX;
		memcpy(l, lang, lang_len);
		l[lang_len] = '\0';
		if (attrs)
			jadd(m, attrs, "language", cJSON_CreateString(l));
		jadd(m, cb, "attrs", attrs);
	}
	if (text->len) {
		cJSON *content = jarray(m, cb, "content");
		cJSON *t = jnode(m, "text");
		if (t)
			jadd(m, t, "text", cJSON_CreateString(sb_str(text)));
		jadd(m, content, NULL, t);
	}
	jadd(m, out, NULL, cb);
}

static void add_paragraph(struct md *m, cJSON *out, const struct sbuf *text)
{
	cJSON *p = jnode(m, "paragraph");

	if (!p)
		return;
	add_inline(m, p, sb_str(text), text->len);
	jadd(m, out, NULL, p);
}

static void add_heading(struct md *m, cJSON *out, int level, const char *text,
                        size_t len)
{
	cJSON *h = jnode(m, "heading"), *attrs;

	if (!h)
		return;
	attrs = cJSON_CreateObject();
	if (attrs)
		jadd(m, attrs, "level", cJSON_CreateNumber(level));
	jadd(m, h, "attrs", attrs);
	add_inline(m, h, text, len);
	jadd(m, out, NULL, h);
}

/* ---- tables ---- */

struct row {
	char *cell[TABLE_MAX_COLS];
	size_t n;
};

static void row_free(struct row *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->cell[i]);
	r->n = 0;
}

/* Split a table row on unescaped pipes; "\|" in a cell becomes "|".
 * Returns 0 when out of memory. */
static int split_row(const char *s, struct row *r, int *has_pipe)
{
	const char *p = s, *end = s + strlen(s);
	struct sbuf b;

	r->n = 0;
	*has_pipe = 0;
	while (is_ws(*p))
		p++;
	while (end > p && is_ws(end[-1]))
		end--;
	if (p < end && *p == '|') {
		p++;
		*has_pipe = 1;
	}
	if (end > p && end[-1] == '|' && (end - 1 == p || end[-2] != '\\')) {
		end--;
		*has_pipe = 1;
	}
	sb_init(&b, 0);
	for (;;) {
		if (p >= end || *p == '|') {
			const char *c = sb_str(&b);
			size_t len = b.len;
			while (is_ws(*c))
				c++, len--;
			while (len && is_ws(c[len - 1]))
				len--;
			if (r->n < TABLE_MAX_COLS) {
				r->cell[r->n] = strndup(c, len);
				if (!r->cell[r->n]) {
					sb_free(&b);
					row_free(r);
					return 0;
				}
				r->n++;
			}
			sb_trim(&b, b.len);
			if (p >= end)
				break;
			*has_pipe = 1;
			p++;
			continue;
		}
		if (*p == '\\' && p + 1 < end && p[1] == '|') {
			sb_putc(&b, '|');
			p += 2;
			continue;
		}
		sb_putc(&b, *p++);
	}
	if (sb_failed(&b)) {
		row_free(r);
		sb_free(&b);
		return 0;
	}
	sb_free(&b);
	return 1;
}

enum align { AL_NONE, AL_LEFT, AL_CENTER, AL_RIGHT };

/* A delimiter row: its cell count and alignments, or 0. */
static size_t delim_row(struct md *m, const char *s, enum align *al)
{
	struct row r;
	int pipe;
	size_t n;

	if (!content_of(s))
		return 0;
	if (!split_row(s, &r, &pipe)) {
		m->nomem = 1;
		return 0;
	}
	n = r.n;
	for (size_t i = 0; i < r.n && n; i++) {
		const char *c = r.cell[i];
		size_t len = strlen(c), dashes = 0;
		int left = len && c[0] == ':',
		    right = len > 1 && c[len - 1] == ':';
		for (size_t k = left; k < len - (size_t)right; k++) {
			if (c[k] != '-') {
				dashes = 0;
				break;
			}
			dashes++;
		}
		if (!dashes)
			n = 0;
		else
			al[i] = left && right ? AL_CENTER
			        : right       ? AL_RIGHT
			        : left        ? AL_LEFT
			                      : AL_NONE;
	}
	row_free(&r);
	return pipe ? n : 0;
}

/* Whether lines i and i+1 start a table: a header row with pipes and a
 * delimiter row with as many cells. */
static int table_start(struct md *m, const struct lines *in, size_t i,
                       enum align *al, size_t *ncols)
{
	struct row r;
	int pipe;
	size_t n, cells;

	if (i + 1 >= in->n || !content_of(in->v[i].s) ||
	    !strchr(in->v[i].s, '|'))
		return 0;
	n = delim_row(m, in->v[i + 1].s, al);
	if (!n)
		return 0;
	if (!split_row(in->v[i].s, &r, &pipe)) {
		m->nomem = 1;
		return 0;
	}
	cells = r.n;
	row_free(&r);
	if (cells != n)
		return 0;
	*ncols = n;
	return 1;
}

static void add_table_row(struct md *m, cJSON *table, const char *line,
                          size_t ncols, const enum align *al, int header)
{
	cJSON *tr = jnode(m, "tableRow"), *cells;
	struct row r;
	int pipe;

	if (!tr)
		return;
	cells = jarray(m, tr, "content");
	if (!split_row(line, &r, &pipe)) {
		m->nomem = 1;
		cJSON_Delete(tr);
		return;
	}
	for (size_t i = 0; i < ncols && !m->nomem; i++) {
		cJSON *cell = jnode(m, header ? "tableHeader" : "tableCell");
		cJSON *content = cell ? jarray(m, cell, "content") : NULL;
		cJSON *p = jnode(m, "paragraph");
		const char *text = i < r.n ? r.cell[i] : "";

		if (p && (al[i] == AL_CENTER || al[i] == AL_RIGHT)) {
			cJSON *marks = jarray(m, p, "marks");
			cJSON *mk = jnode(m, "alignment");
			cJSON *attrs = cJSON_CreateObject();
			if (attrs)
				jadd(m, attrs, "align",
				     cJSON_CreateString(al[i] == AL_CENTER
				                                ? "center"
				                                : "end"));
			if (mk)
				jadd(m, mk, "attrs", attrs);
			else
				cJSON_Delete(attrs);
			jadd(m, marks, NULL, mk);
		}
		if (p)
			add_inline(m, p, text, strlen(text));
		jadd(m, content, NULL, p);
		jadd(m, cells, NULL, cell);
	}
	row_free(&r);
	jadd(m, table, NULL, tr);
}

/* ---- the block loop ---- */

static int paragraph_line(const char *s)
{
	const char *p = content_of(s), *x;
	size_t n;
	int level;
	char ch;

	return p && *p && !fence_open(p, &ch, &n, &x) &&
	       !atx_heading(p, &level, &x, &n) && !thematic_break(p);
}

/* Collect the lines of a list item starting at in->v[*i]; returns them with
 * the item's indentation removed. */
static void collect_item(struct md *m, const struct lines *in, size_t *i,
                         size_t content_w, const struct marker *mk,
                         struct lines *item, int depth)
{
	size_t k = *i;
	int prev_blank, fence = 0;
	char fch = 0;
	size_t flen = 0;
	const char *info;

	/* The first line: what follows the marker, indented by the white
	 * space the marker did not take. */
	add_with_spaces(m, item, mk->empty ? 0 : mk->ws - mk->spaces, mk->text);
	prev_blank = mk->empty;
	{
		const char *p = content_of(item->n ? item->v[0].s : "");
		if (p && fence_open(p, &fch, &flen, &info))
			fence = 1;
	}
	for (k++; k < in->n && !m->nomem; k++) {
		const char *s = in->v[k].s;

		if (is_blank(s)) {
			/* An item may start with one blank line, no more. */
			if (item->n == 1 && mk->empty && prev_blank)
				break;
			lines_add(m, item, "", 0);
			prev_blank = 1;
			continue;
		}
		if (indent_of(s) >= content_w) {
			const char *p;
			add_stripped(m, item, s, content_w);
			p = item->n ? content_of(item->v[item->n - 1].s) : NULL;
			if (p && fence &&
			    fence_close(item->v[item->n - 1].s, fch, flen))
				fence = 0;
			else if (p && !fence &&
			         fence_open(p, &fch, &flen, &info))
				fence = 1;
			prev_blank = 0;
			continue;
		}
		/* A lazy continuation line extends the paragraph in progress.
		 */
		if (!prev_blank && !fence && item->n &&
		    paragraph_line(item->v[item->n - 1].s) &&
		    !starts_block_lazy(s, depth)) {
			add_stripped(m, item, s, indent_of(s));
			continue;
		}
		break;
	}
	while (item->n && is_blank(item->v[item->n - 1].s)) {
		free(item->v[item->n - 1].s);
		item->n--;
	}
	*i = k;
}

static void parse_list(struct md *m, const struct lines *in, size_t *i,
                       cJSON *out, int depth)
{
	struct marker first, mk;
	cJSON *list, *items;
	const char *p = content_of(in->v[*i].s);

	list_marker(p, (size_t)(p - in->v[*i].s), &first);
	list = jnode(m, first.ordered ? "orderedList" : "bulletList");
	if (!list)
		return;
	if (first.ordered && first.start != 1) {
		cJSON *attrs = cJSON_CreateObject();
		if (attrs)
			jadd(m, attrs, "order",
			     cJSON_CreateNumber((double)first.start));
		jadd(m, list, "attrs", attrs);
	}
	items = jarray(m, list, "content");
	while (*i < in->n && !m->nomem) {
		const char *s = in->v[*i].s;
		struct lines item = {0};
		size_t col, content_w;
		cJSON *li, *kids;

		if (is_blank(s)) {
			size_t k = *i;
			while (k < in->n && is_blank(in->v[k].s))
				k++;
			/* Blank lines between items keep the list going. */
			p = k < in->n ? content_of(in->v[k].s) : NULL;
			if (!p ||
			    !list_marker(p, (size_t)(p - in->v[k].s), &mk) ||
			    mk.ordered != first.ordered || mk.ch != first.ch ||
			    thematic_break(p))
				break;
			*i = k;
			continue;
		}
		p = content_of(s);
		if (!p || thematic_break(p))
			break;
		col = (size_t)(p - s);
		if (!list_marker(p, col, &mk) || mk.ordered != first.ordered ||
		    mk.ch != first.ch)
			break;
		content_w = col + mk.width + mk.spaces;
		collect_item(m, in, i, content_w, &mk, &item, depth);
		kids = parse_blocks(m, &item, depth + 1);
		lines_free(&item);
		li = jnode(m, "listItem");
		if (!kids || !li) {
			cJSON_Delete(kids);
			cJSON_Delete(li);
			break;
		}
		jadd(m, li, "content", fit_children(m, kids, 1));
		jadd(m, items, NULL, li);
	}
	jadd(m, out, NULL, list);
}

static void parse_quote(struct md *m, const struct lines *in, size_t *i,
                        cJSON *out, int depth)
{
	struct lines q = {0};
	cJSON *bq, *kids;
	int prev_para = 0;

	while (*i < in->n && !m->nomem) {
		const char *s = in->v[*i].s, *p = content_of(s);

		if (p && *p == '>') {
			size_t b, w;
			p++;
			/* One column of white space after '>' belongs to the
			 * marker. */
			w = ws_cols(p, (size_t)(p - s), &b);
			add_with_spaces(m, &q, w ? w - 1 : 0, p + b);
			prev_para = q.n && paragraph_line(q.v[q.n - 1].s);
			(*i)++;
			continue;
		}
		if (prev_para && !is_blank(s) && !starts_block_lazy(s, depth)) {
			add_stripped(m, &q, s, indent_of(s));
			(*i)++;
			continue;
		}
		break;
	}
	kids = parse_blocks(m, &q, depth + 1);
	lines_free(&q);
	bq = jnode(m, "blockquote");
	if (!kids || !bq) {
		cJSON_Delete(kids);
		cJSON_Delete(bq);
		return;
	}
	jadd(m, bq, "content", fit_children(m, kids, 0));
	jadd(m, out, NULL, bq);
}

static void parse_table(struct md *m, const struct lines *in, size_t *i,
                        cJSON *out, size_t ncols, const enum align *al,
                        int depth)
{
	cJSON *table = jnode(m, "table");
	cJSON *rows = table ? jarray(m, table, "content") : NULL;

	if (!rows) {
		cJSON_Delete(table);
		return;
	}
	add_table_row(m, rows, in->v[*i].s, ncols, al, 1);
	*i += 2;
	while (*i < in->n && !is_blank(in->v[*i].s) &&
	       !interrupts_paragraph(in->v[*i].s, depth) && !m->nomem) {
		add_table_row(m, rows, in->v[*i].s, ncols, al, 0);
		(*i)++;
	}
	jadd(m, out, NULL, table);
}

static cJSON *parse_blocks(struct md *m, const struct lines *in, int depth)
{
	cJSON *out = jarray(m, NULL, NULL);
	size_t i = 0;

	while (out && i < in->n && !m->nomem) {
		const char *s = in->v[i].s, *p, *info, *text;
		struct marker mk;
		enum align al[TABLE_MAX_COLS];
		size_t flen, tlen, ncols;
		int level;
		char ch;

		if (is_blank(s)) {
			i++;
			continue;
		}
		p = content_of(s);
		if (!p) {
			/* Indented code: until a line indented less, blank
			 * lines inside kept, trailing ones dropped. */
			struct sbuf b;
			size_t end = i, k;
			struct lines code = {0};
			while (end < in->n && (is_blank(in->v[end].s) ||
			                       indent_of(in->v[end].s) >= 4))
				end++;
			k = end;
			while (k > i && is_blank(in->v[k - 1].s))
				k--;
			for (size_t j = i; j < k; j++)
				add_stripped(m, &code, in->v[j].s, 4);
			sb_init(&b, 0);
			for (size_t j = 0; j < code.n; j++) {
				if (j)
					sb_putc(&b, '\n');
				sb_puts(&b, code.v[j].s);
			}
			if (sb_failed(&b))
				m->nomem = 1;
			add_code_block(m, out, NULL, 0, &b);
			sb_free(&b);
			lines_free(&code);
			i = end;
			continue;
		}
		if (fence_open(p, &ch, &flen, &info)) {
			size_t fi = (size_t)(p - s), ll;
			struct lines code = {0};
			struct sbuf b;
			while (is_ws(*info))
				info++;
			for (ll = 0; info[ll] && !is_ws(info[ll]); ll++)
				;
			for (i++;
			     i < in->n && !fence_close(in->v[i].s, ch, flen);
			     i++) {
				size_t ind = indent_of(in->v[i].s);
				add_stripped(m, &code, in->v[i].s,
				             ind < fi ? ind : fi);
			}
			if (i < in->n)
				i++; /* the closing fence */
			sb_init(&b, 0);
			for (size_t j = 0; j < code.n; j++) {
				if (j)
					sb_putc(&b, '\n');
				sb_puts(&b, code.v[j].s);
			}
			if (sb_failed(&b))
				m->nomem = 1;
			add_code_block(m, out, info, ll, &b);
			sb_free(&b);
			lines_free(&code);
			continue;
		}
		if (atx_heading(p, &level, &text, &tlen)) {
			add_heading(m, out, level, text, tlen);
			i++;
			continue;
		}
		if (thematic_break(p)) {
			jadd(m, out, NULL, jnode(m, "rule"));
			i++;
			continue;
		}
		if (depth < MD_ADF_MAX_DEPTH && *p == '>') {
			parse_quote(m, in, &i, out, depth);
			continue;
		}
		if (depth < MD_ADF_MAX_DEPTH &&
		    list_marker(p, (size_t)(p - s), &mk)) {
			parse_list(m, in, &i, out, depth);
			continue;
		}
		if (table_start(m, in, i, al, &ncols)) {
			parse_table(m, in, &i, out, ncols, al, depth);
			continue;
		}
		{
			/* A paragraph, or a setext heading when an underline
			 * ends it. */
			struct sbuf b;
			int setext = 0;
			sb_init(&b, 0);
			sb_puts(&b, p);
			for (i++; i < in->n; i++) {
				const char *l = in->v[i].s;
				if (is_blank(l))
					break;
				if ((setext = setext_level(l))) {
					i++;
					break;
				}
				if (interrupts_paragraph(l, depth) ||
				    table_start(m, in, i, al, &ncols))
					break;
				sb_putc(&b, '\n');
				while (is_ws(*l))
					l++;
				sb_puts(&b, l);
			}
			if (sb_failed(&b))
				m->nomem = 1;
			if (setext) {
				size_t len = b.len;
				while (len && is_ws(sb_str(&b)[len - 1]))
					len--;
				add_heading(m, out, setext, sb_str(&b), len);
			} else {
				add_paragraph(m, out, &b);
			}
			sb_free(&b);
		}
	}
	if (m->nomem) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

md_status md_to_adf(const char *md, size_t len, cJSON **out)
{
	struct md m = {0};
	struct lines in = {0};
	cJSON *doc = NULL, *content;
	size_t i = 0;

	*out = NULL;
	if (len > MD_ADF_MAX_INPUT)
		return MD_ERR_TOO_LARGE;
	/* Lines, with \r\n and \r taken as line ends. */
	while (i < len && !m.nomem) {
		size_t j = i;
		while (j < len && md[j] != '\n' && md[j] != '\r')
			j++;
		lines_add(&m, &in, md + i, j - i);
		if (j < len && md[j] == '\r' && j + 1 < len &&
		    md[j + 1] == '\n')
			j++;
		i = j + 1;
	}
	content = m.nomem ? NULL : parse_blocks(&m, &in, 0);
	lines_free(&in);
	if (content && !m.nomem) {
		doc = jnode(&m, "doc");
		if (doc)
			jadd(&m, doc, "version", cJSON_CreateNumber(1));
		jadd(&m, doc, "content", content);
		content = NULL;
	}
	cJSON_Delete(content);
	if (m.nomem) {
		cJSON_Delete(doc);
		return MD_ERR_NOMEM;
	}
	*out = doc;
	return MD_OK;
}
