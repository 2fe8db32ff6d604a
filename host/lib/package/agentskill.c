/*
 * agentskill.c - the SKILL.md front matter parser and the specification's
 * rules. See agentskill.h.
 */
#include "agentskill.h"

#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dynbuf.h"
#include "fsutil.h"
#include "manifest.h"
#include "utf8.h"

struct line {
	const char *p;
	size_t len;
	size_t indent; /* leading spaces */
	int blank;     /* only spaces */
	int comment;   /* first non-space is '#' */
};

struct ctx {
	const char *origin;
	struct sh_error *e;
	struct line *l;
	size_t n, i; /* lines, and the next one to read */
};

static sh_status bad(struct ctx *c, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static sh_status bad(struct ctx *c, const char *field, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (field)
		return sh_error_set(c->e, SH_ERR_INVALID,
		                    "%s: field \"%s\": %s", c->origin, field,
		                    why);
	return sh_error_set(c->e, SH_ERR_INVALID, "%s: %s", c->origin, why);
}

static sh_status nomem(struct ctx *c)
{
	return sh_error_set(c->e, SH_ERR_NOMEM, "out of memory reading %s",
	                    c->origin);
}

int agentskill_valid_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n < 1 || n > AGENTSKILL_NAME_MAX || name[0] == '-' ||
	    name[n - 1] == '-' || strstr(name, "--"))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '-'))
			return 0;
	return 1;
}

const char *agentskill_split_path(const char *path, char *name)
{
	const char *p, *slash;
	size_t n;

	if (strncmp(path, AGENTSKILL_DIR "/", sizeof AGENTSKILL_DIR))
		return NULL;
	p = path + sizeof AGENTSKILL_DIR;
	slash = strchr(p, '/');
	if (!slash || !slash[1] || (n = (size_t)(slash - p)) == 0 ||
	    n > AGENTSKILL_NAME_MAX)
		return NULL;
	memcpy(name, p, n);
	name[n] = '\0';
	return slash + 1;
}

/* Code points, for the specification's character limits. */
static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* ---- scalars ---- */

/* 1 when YAML's core schema reads the plain scalar s as something other
 * than a string: null, a boolean, an integer or a float. */
static int resolves_to_non_string(const char *s)
{
	static const char *const words[] = {
	        "null",  "Null",  "NULL",  "~",     "true",  "True",
	        "TRUE",  "false", "False", "FALSE", ".inf",  ".Inf",
	        ".INF",  "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
	        "-.INF", ".nan",  ".NaN",  ".NAN",  NULL};
	const char *p = s;
	int digits = 0;

	for (size_t i = 0; words[i]; i++)
		if (!strcmp(s, words[i]))
			return 1;
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0o", 2)) {
		for (p = s + 2; *p && isxdigit((unsigned char)*p); p++)
			;
		return p > s + 2 && !*p;
	}
	/* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
	if (*p == '-' || *p == '+')
		p++;
	while (isdigit((unsigned char)*p))
		p++, digits++;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p))
			p++, digits++;
	}
	if (!digits)
		return 0;
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		if (*q == '-' || *q == '+')
			q++;
		if (!isdigit((unsigned char)*q))
			return 0;
		while (isdigit((unsigned char)*q))
			q++;
		p = q;
	}
	return !*p;
}

/* After a closing quote or a block indicator: only blanks or a comment. */
static int rest_is_empty(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p == end || *p == '#';
}

static sh_status put_utf8(struct dynbuf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	}
	return dyn_addn(b, u, n);
}

static sh_status double_quoted(struct ctx *c, const char *field, const char *p,
                               const char *end, char **out)
{
	struct dynbuf b = DYN_INIT(AGENTSKILL_MAX_BYTES);

	for (p++; p < end && *p != '"'; p++) {
		if (*p != '\\') {
			dyn_addc(&b, *p);
			continue;
		}
		if (++p == end)
			break;
		switch (*p) {
		case '\\': dyn_addc(&b, '\\'); break;
		case '"': dyn_addc(&b, '"'); break;
		case '/': dyn_addc(&b, '/'); break;
		case 'n': dyn_addc(&b, '\n'); break;
		case 't': dyn_addc(&b, '\t'); break;
		case 'r': dyn_addc(&b, '\r'); break;
		case 'u': {
			unsigned long cp = 0;
			for (int k = 1; k <= 4; k++) {
				if (p + k >= end ||
				    !isxdigit((unsigned char)p[k])) {
					dyn_free(&b);
					return bad(c, field,
					           "\\u needs four hex digits");
				}
				cp = cp * 16 +
				     (unsigned long)(isdigit((
				                             unsigned char)p[k])
				                             ? p[k] - '0'
				                             : (tolower((
				                                        unsigned char)
				                                                p[k]) -
				                                'a' + 10));
			}
			if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
				dyn_free(&b);
				return bad(
				        c, field,
				        "\\u%04lx is not a character this "
				        "parser accepts; write the character "
				        "itself",
				        cp);
			}
			put_utf8(&b, cp);
			p += 4;
			break;
		}
		default:
			dyn_free(&b);
			return bad(c, field,
			           "the escape \\%c is not one this parser "
			           "reads (\\\\ \\\" \\/ \\n \\t \\r \\uXXXX); "
			           "use single quotes for text with "
			           "backslashes",
			           *p);
		}
	}
	if (p >= end || !rest_is_empty(p + 1, end)) {
		dyn_free(&b);
		return bad(c, field,
		           "the double-quoted value does not end on its line "
		           "with a closing quote; keep it on one line, or use "
		           "a \"|\" block for several lines");
	}
	if (dyn_error(&b) || !(*out = dyn_take(&b, NULL)))
		return (dyn_free(&b), nomem(c));
	return SH_OK;
}

static sh_status single_quoted(struct ctx *c, const char *field, const char *p,
                               const char *end, char **out)
{
	struct dynbuf b = DYN_INIT(AGENTSKILL_MAX_BYTES);

	for (p++; p < end; p++) {
		if (*p == '\'') {
			if (p + 1 < end && p[1] == '\'') {
				dyn_addc(&b, '\'');
				p++;
				continue;
			}
			break;
		}
		dyn_addc(&b, *p);
	}
	if (p >= end || !rest_is_empty(p + 1, end)) {
		dyn_free(&b);
		return bad(c, field,
		           "the single-quoted value does not end on its line "
		           "with a closing quote; keep it on one line, or use "
		           "a \"|\" block for several lines");
	}
	if (dyn_error(&b) || !(*out = dyn_take(&b, NULL)))
		return (dyn_free(&b), nomem(c));
	return SH_OK;
}

/* A plain scalar's text on one line: up to a " #" comment, trimmed. */
static sh_status plain_piece(struct ctx *c, const char *field, const char *p,
                             const char *end, struct dynbuf *b)
{
	const char *q = p;

	for (; q < end; q++)
		if (*q == '#' && q > p && (q[-1] == ' ' || q[-1] == '\t'))
			break;
	while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	for (const char *r = p; r < q; r++)
		if (*r == ':' && (r + 1 == q || r[1] == ' ' || r[1] == '\t'))
			return bad(
			        c, field,
			        "the value holds \": \", which YAML reads as "
			        "a nested mapping; put the value in quotes");
	return dyn_addn(b, p, (size_t)(q - p));
}

/* The lines of a block scalar after its indicator ("|", ">-", ...), the
 * key being indented by parent. */
static sh_status block_scalar(struct ctx *c, const char *field, char style,
                              char chomp, size_t parent, char **out)
{
	struct dynbuf b = DYN_INIT(AGENTSKILL_MAX_BYTES);
	size_t base = 0, blanks = 0, first = 1;
	int last_more = 0;

	for (; c->i < c->n; c->i++) {
		const struct line *l = &c->l[c->i];
		const char *text;
		size_t tlen;

		if (l->blank) {
			blanks++;
			continue;
		}
		if (l->indent <= parent)
			break;
		if (!base)
			base = l->indent;
		if (l->indent < base) {
			dyn_free(&b);
			return bad(c, field,
			           "a line of the block is indented less than "
			           "its first line");
		}
		text = l->p + base;
		tlen = l->len - base;
		if (first) {
			first = 0;
		} else if (style == '|') {
			for (size_t k = 0; k <= blanks; k++)
				dyn_addc(&b, '\n');
		} else {
			/* Folded: a line break between two lines becomes a
			 * space, blank lines stay line breaks, and lines
			 * indented further keep theirs. */
			int more = l->indent > base;
			if (blanks)
				for (size_t k = 0;
				     k < blanks + (more || last_more); k++)
					dyn_addc(&b, '\n');
			else
				dyn_addc(&b, more || last_more ? '\n' : ' ');
		}
		last_more = l->indent > base;
		blanks = 0;
		dyn_addn(&b, text, tlen);
	}
	/* Trailing blank lines: clip keeps one line break, strip none, keep
	 * all of them. */
	if (!first && chomp != '-')
		dyn_addc(&b, '\n');
	if (chomp == '+')
		for (size_t k = 0; k < blanks; k++)
			dyn_addc(&b, '\n');
	if (dyn_error(&b) || !(*out = dyn_take(&b, NULL)))
		return (dyn_free(&b), nomem(c));
	if (!**out) {
		free(*out);
		*out = NULL;
		return bad(c, field, "the block is empty");
	}
	return SH_OK;
}

/*
 * The string value starting at v (up to end) of a key indented by parent,
 * with the lines that continue it. *out NULL: nothing follows the key on its
 * line and no more-indented line continues it (a mapping may follow).
 */
static sh_status scalar(struct ctx *c, const char *field, const char *v,
                        const char *end, size_t parent, char **out)
{
	struct dynbuf b = DYN_INIT(AGENTSKILL_MAX_BYTES);
	sh_status rc;

	*out = NULL;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	if (v < end && (*v == '|' || *v == '>')) {
		char style = *v++, chomp = 0;
		if (v < end && (*v == '-' || *v == '+'))
			chomp = *v++;
		if (!rest_is_empty(v, end))
			return bad(c, field,
			           "this parser reads \"|\" and \">\" blocks "
			           "with an optional - or +, nothing more");
		return block_scalar(c, field, style, chomp, parent, out);
	}
	if (v < end && (*v == '"' || *v == '\'')) {
		rc = *v == '"' ? double_quoted(c, field, v, end, out)
		               : single_quoted(c, field, v, end, out);
		if (rc == SH_OK && c->i < c->n && !c->l[c->i].blank &&
		    !c->l[c->i].comment && c->l[c->i].indent > parent) {
			free(*out);
			*out = NULL;
			return bad(c, field,
			           "a quoted value must end on its line; use "
			           "a \"|\" or \">\" block for several lines");
		}
		return rc;
	}
	if (v < end && *v != '#' && strchr("[]{}&*!%@`,-?", *v) &&
	    !(*v == '-' && v + 1 < end && v[1] != ' ') &&
	    !(*v == '?' && v + 1 < end && v[1] != ' '))
		return bad(c, field,
		           "a value starting with '%c' is YAML syntax this "
		           "parser does not read (lists, flow collections, "
		           "anchors, tags); if it is text, put it in quotes",
		           *v);
	if (v < end && *v != '#' && (rc = plain_piece(c, field, v, end, &b)))
		goto fail;
	/* Continuation lines of a plain scalar fold into one line. */
	for (size_t blanks = 0; c->i < c->n; c->i++) {
		const struct line *l = &c->l[c->i];
		if (l->blank) {
			blanks++;
			continue;
		}
		if (l->indent <= parent)
			break;
		if (l->comment && dyn_len(&b) == 0) {
			rc = bad(c, field,
			         "a comment cannot start a value; write the "
			         "value, or quote text beginning with #");
			goto fail;
		}
		if (dyn_len(&b) == 0 && l->p[l->indent] == '-' &&
		    (l->indent + 1 == l->len || l->p[l->indent + 1] == ' ')) {
			rc = bad(c, field,
			         "is a YAML list; the specification wants one "
			         "string (allowed-tools: \"Read Bash(git:*)\", "
			         "space-separated)");
			goto fail;
		}
		if (dyn_len(&b) == 0 && blanks == 0 &&
		    memchr(l->p, ':', l->len)) {
			/* "key:" then an indented "k: v": a mapping. */
			dyn_free(&b);
			return SH_OK;
		}
		if (dyn_len(&b)) {
			if (blanks)
				for (size_t k = 0; k < blanks; k++)
					dyn_addc(&b, '\n');
			else
				dyn_addc(&b, ' ');
		}
		blanks = 0;
		if ((rc = plain_piece(c, field, l->p + l->indent, l->p + l->len,
		                      &b)))
			goto fail;
	}
	if (dyn_error(&b)) {
		rc = nomem(c);
		goto fail;
	}
	if (dyn_len(&b) == 0) {
		dyn_free(&b);
		return SH_OK;
	}
	*out = dyn_take(&b, NULL);
	if (!*out)
		return nomem(c);
	if (resolves_to_non_string(*out)) {
		rc = bad(c, field,
		         "%s reads as a YAML %s, not text; put it in quotes",
		         *out,
		         isdigit((unsigned char)(*out)[strlen(*out) - 1]) ||
		                         (*out)[0] == '.' || (*out)[1] == '.'
		                 ? "number"
		                 : "boolean or null");
		free(*out);
		*out = NULL;
		return rc;
	}
	return SH_OK;
fail:
	dyn_free(&b);
	return rc;
}

/* "key: rest" at the line's indentation: the key, and rest in *v. */
static sh_status split_key(struct ctx *c, const struct line *l, int nested,
                           char *key, size_t cap, const char **v)
{
	const char *p = l->p + l->indent, *end = l->p + l->len, *colon;
	size_t n;

	*v = end; /* an empty rest, on every path */
	colon = memchr(p, ':', (size_t)(end - p));
	while (colon && colon + 1 < end && colon[1] != ' ' && colon[1] != '\t')
		colon = memchr(colon + 1, ':', (size_t)(end - colon - 1));
	if (*p == '-' && (p + 1 == end || p[1] == ' '))
		return bad(c, NULL,
		           "line %zu is a YAML list item; the front matter "
		           "holds \"key: value\" lines (a list of tools is "
		           "written allowed-tools: \"Read Bash(git:*)\")",
		           c->i + 2);
	if (!colon || colon == p)
		return bad(c, NULL,
		           "line %zu is not \"key: value\"; front matter lines "
		           "are keys with values, or indented lines "
		           "continuing one",
		           c->i + 2);
	n = (size_t)(colon - p);
	if (n >= cap)
		return bad(c, NULL, "line %zu has a key over %zu characters",
		           c->i + 2, cap - 1);
	memcpy(key, p, n);
	key[n] = '\0';
	for (size_t k = 0; k < n; k++) {
		unsigned char ch = (unsigned char)key[k];
		int okch = nested ? (isalnum(ch) || strchr("-_./", ch))
		                  : (islower(ch) || isdigit(ch) || ch == '-');
		if (!okch)
			return bad(
			        c, NULL,
			        "line %zu: the key \"%s\" is not a plain "
			        "%s",
			        c->i + 2, key,
			        nested ? "name of letters, digits and -_./"
			               : "lower-case name like allowed-tools");
	}
	*v = colon + 1;
	return SH_OK;
}

static sh_status parse_metadata(struct ctx *c, size_t parent, cJSON **out)
{
	cJSON *m = cJSON_CreateObject();
	size_t indent = 0;
	sh_status rc = SH_OK;

	if (!m)
		return nomem(c);
	while (c->i < c->n) {
		const struct line *l = &c->l[c->i];
		char key[128], field[160], *val = NULL;
		const char *v;

		if (l->blank || l->comment) {
			c->i++;
			continue;
		}
		if (l->indent <= parent)
			break;
		if (!indent)
			indent = l->indent;
		if (l->indent != indent) {
			rc = bad(c, "metadata",
			         "line %zu is indented unlike the entries "
			         "before it; metadata is one level of "
			         "\"key: value\"",
			         c->i + 2);
			break;
		}
		if ((rc = split_key(c, l, 1, key, sizeof key, &v)))
			break;
		snprintf(field, sizeof field, "metadata.%s", key);
		c->i++;
		if ((rc = scalar(c, field, v, l->p + l->len, indent, &val)))
			break;
		if (!val) {
			rc = bad(c, field,
			         "must be a string; metadata maps names to "
			         "strings (quote numbers: version: \"1.0\")");
			break;
		}
		if (cJSON_GetObjectItemCaseSensitive(m, key)) {
			free(val);
			rc = bad(c, field, "is given twice");
			break;
		}
		if (!cJSON_AddStringToObject(m, key, val)) {
			free(val);
			rc = nomem(c);
			break;
		}
		free(val);
	}
	if (rc != SH_OK) {
		cJSON_Delete(m);
		return rc;
	}
	*out = m;
	return SH_OK;
}

static const char *const known_keys[] = {
        "name",     "description",   "license", "compatibility",
        "metadata", "allowed-tools", NULL};

static sh_status parse_front(struct ctx *c, cJSON *fm)
{
	while (c->i < c->n) {
		const struct line *l = &c->l[c->i];
		char key[128], *val = NULL;
		const char *v;
		sh_status rc;
		int known = 0;

		if (l->blank || l->comment) {
			c->i++;
			continue;
		}
		if (l->indent)
			return bad(c, NULL,
			           "line %zu is indented but continues no "
			           "value",
			           c->i + 2);
		if ((rc = split_key(c, l, 0, key, sizeof key, &v)))
			return rc;
		for (size_t k = 0; known_keys[k]; k++)
			known |= !strcmp(key, known_keys[k]);
		if (!known)
			return bad(c, key,
			           "is not a field of the Agent Skills "
			           "specification (name, description, license, "
			           "compatibility, metadata, allowed-tools); "
			           "put extra information under metadata");
		if (cJSON_GetObjectItemCaseSensitive(fm, key))
			return bad(c, key, "is given twice");
		c->i++;
		if (!strcmp(key, "metadata")) {
			cJSON *m = NULL;
			const char *p = v;
			while (*p == ' ' || *p == '\t')
				p++;
			if (!strncmp(p, "{}", 2) &&
			    rest_is_empty(p + 2, l->p + l->len)) {
				m = cJSON_CreateObject();
				if (!m)
					return nomem(c);
			} else if (!rest_is_empty(p, l->p + l->len)) {
				return bad(c, "metadata",
				           "must be a mapping written on the "
				           "lines below it, indented (\"  "
				           "author: acme\")");
			} else if ((rc = parse_metadata(c, 0, &m))) {
				return rc;
			}
			cJSON_AddItemToObject(fm, key, m);
			continue;
		}
		if ((rc = scalar(c, key, v, l->p + l->len, 0, &val)))
			return rc;
		if (!val)
			return bad(c, key,
			           "has no value; give it one, or leave the "
			           "field out");
		if (!cJSON_AddStringToObject(fm, key, val)) {
			free(val);
			return nomem(c);
		}
		free(val);
	}
	return SH_OK;
}

static const char *fm_str(const cJSON *fm, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(fm, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static sh_status check_rules(struct ctx *c, const cJSON *fm, const char *folder)
{
	const char *name = fm_str(fm, "name"),
	           *desc = fm_str(fm, "description");
	const char *compat = fm_str(fm, "compatibility");

	if (!name)
		return bad(c, "name",
		           "is missing; every SKILL.md names its skill "
		           "(name: my-skill, the folder's name)");
	if (chars(name) > AGENTSKILL_NAME_MAX)
		return bad(c, "name", "is %zu characters, over the limit of %d",
		           chars(name), AGENTSKILL_NAME_MAX);
	if (!agentskill_valid_name(name))
		return bad(c, "name",
		           "\"%s\" breaks the naming rule: lower-case letters, "
		           "digits and hyphens, not starting or ending with a "
		           "hyphen, no \"--\"",
		           name);
	if (folder && strcmp(folder, name))
		return bad(c, "name",
		           "\"%s\" must equal the name of its folder, \"%s\"; "
		           "rename one of them",
		           name, folder);
	if (!desc || !*desc)
		return bad(c, "description",
		           "is missing or empty; say what the skill does and "
		           "when to use it (1 to %d characters)",
		           AGENTSKILL_DESCRIPTION_MAX);
	if (chars(desc) > AGENTSKILL_DESCRIPTION_MAX)
		return bad(c, "description",
		           "is %zu characters, over the limit of %d",
		           chars(desc), AGENTSKILL_DESCRIPTION_MAX);
	if (compat &&
	    (!*compat || chars(compat) > AGENTSKILL_COMPATIBILITY_MAX))
		return bad(c, "compatibility", "must be 1 to %d characters",
		           AGENTSKILL_COMPATIBILITY_MAX);
	if (fm_str(fm, "license") && !*fm_str(fm, "license"))
		return bad(c, "license", "is empty");
	return SH_OK;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

sh_status agentskill_parse(const char *text, size_t len, const char *origin,
                           const char *folder, struct agentskill **out,
                           struct sh_error *e)
{
	struct ctx c = {origin, e, NULL, 0, 0};
	struct agentskill *s = NULL;
	const char *p = text, *end = text + len, *body = NULL;
	size_t cap = 0;
	sh_status rc;
	cJSON *fm = NULL;

	*out = NULL;
	if (len > AGENTSKILL_MAX_BYTES)
		return bad(&c, NULL, "is %zu bytes, over the limit of %zu", len,
		           AGENTSKILL_MAX_BYTES);
	if (!sh_utf8_valid(text, len) || memchr(text, '\0', len))
		return bad(&c, NULL,
		           "is not UTF-8 text; save it as UTF-8 without NUL "
		           "bytes");
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	/* text need not end in NUL: compare within len only. */
	if (!((size_t)(end - p) >= 4 && !memcmp(p, "---\n", 4)) &&
	    !((size_t)(end - p) >= 5 && !memcmp(p, "---\r\n", 5)))
		return bad(&c, NULL,
		           "does not start with YAML front matter: the first "
		           "line must be \"---\", then name: and "
		           "description:, then a closing \"---\"");
	p += p[3] == '\r' ? 5 : 4;
	/* Split the front matter into lines, up to the closing "---". */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct line *l;

		if (le > p && le[-1] == '\r')
			le--;
		if (le - p >= 3 && !memcmp(p, "---", 3) &&
		    rest_is_empty(p + 3, le) &&
		    !memchr(p + 3, '#', (size_t)(le - p - 3))) {
			body = nl ? nl + 1 : end;
			break;
		}
		if (c.n == cap) {
			struct line *nlines;
			cap = cap ? 2 * cap : 32;
			nlines = realloc(c.l, cap * sizeof *c.l);
			if (!nlines) {
				rc = nomem(&c);
				goto out;
			}
			c.l = nlines;
		}
		l = &c.l[c.n++];
		l->p = p;
		l->len = (size_t)(le - p);
		l->indent = 0;
		while (l->indent < l->len && p[l->indent] == ' ')
			l->indent++;
		l->blank = l->indent == l->len;
		l->comment = !l->blank && p[l->indent] == '#';
		if (!l->blank && p[l->indent] == '\t') {
			rc = bad(&c, NULL,
			         "line %zu is indented with a tab; YAML "
			         "indents with spaces",
			         c.n + 1);
			goto out;
		}
		p = nl ? nl + 1 : end;
	}
	if (!body) {
		rc = bad(&c, NULL,
		         "the front matter has no closing \"---\" line");
		goto out;
	}
	fm = cJSON_CreateObject();
	if (!fm) {
		rc = nomem(&c);
		goto out;
	}
	if ((rc = parse_front(&c, fm)) || (rc = check_rules(&c, fm, folder)))
		goto out;
	s = calloc(1, sizeof *s);
	if (!s) {
		rc = nomem(&c);
		goto out;
	}
	s->name = strdup(fm_str(fm, "name"));
	s->description = strdup(fm_str(fm, "description"));
	s->license = dup_or_null(fm_str(fm, "license"));
	s->compatibility = dup_or_null(fm_str(fm, "compatibility"));
	s->allowed_tools = dup_or_null(fm_str(fm, "allowed-tools"));
	s->body_offset = (size_t)(body - text);
	s->frontmatter = fm;
	fm = NULL;
	if (!s->name || !s->description ||
	    (fm_str(s->frontmatter, "license") && !s->license) ||
	    (fm_str(s->frontmatter, "compatibility") && !s->compatibility) ||
	    (fm_str(s->frontmatter, "allowed-tools") && !s->allowed_tools)) {
		agentskill_free(s);
		s = NULL;
		rc = nomem(&c);
		goto out;
	}
	*out = s;
	rc = SH_OK;
out:
	cJSON_Delete(fm);
	free(c.l);
	return rc;
}

sh_status agentskill_load(const char *path, const char *folder,
                          struct agentskill **out, struct sh_error *e)
{
	char *text;
	size_t len;
	sh_status rc;

	*out = NULL;
	rc = fs_read_file(path, AGENTSKILL_MAX_BYTES, &text, &len, e);
	if (rc == SH_ERR_NOMEM)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s is over the SKILL.md size limit of %zu "
		                    "bytes",
		                    path, AGENTSKILL_MAX_BYTES);
	if (rc != SH_OK)
		return rc;
	rc = agentskill_parse(text, len, path, folder, out, e);
	free(text);
	return rc;
}

void agentskill_free(struct agentskill *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->description);
	free(s->license);
	free(s->compatibility);
	free(s->allowed_tools);
	cJSON_Delete(s->frontmatter);
	free(s);
}

/* ---- scanning source folders ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of path, sorted, without "." and "..": *names is the
 * caller's (each, and the array). */
static sh_status list_dir(const char *path, char ***names, size_t *n,
                          struct sh_error *e)
{
	DIR *d = opendir(path);
	struct dirent *de;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot read %s",
		                      path);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == cap) {
			char **nn = realloc(*names, (cap = cap ? 2 * cap : 16) *
			                                    sizeof **names);
			if (!nn)
				break;
			*names = nn;
		}
		if (!((*names)[*n] = strdup(de->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	if (de) {
		for (size_t i = 0; i < *n; i++)
			free((*names)[i]);
		free(*names);
		*names = NULL;
		*n = 0;
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	if (*n > 1)
		qsort(*names, *n, sizeof **names, by_name);
	return SH_OK;
}

static sh_status walk(const char *src, const char *pkg, int depth,
                      agentskill_file_fn fn, void *ud, struct sh_error *e)
{
	char **names = NULL;
	size_t n = 0;
	sh_status rc;

	if (depth > 16)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s is nested too deeply (over 16 folders)",
		                    src);
	if ((rc = list_dir(src, &names, &n, e)))
		return rc;
	for (size_t i = 0; rc == SH_OK && i < n; i++) {
		char sp[PATH_MAX], pp[PATH_MAX];
		struct stat st;

		if (names[i][0] == '.')
			continue;
		if ((rc = fs_pathf(sp, sizeof sp, e, "%s/%s", src, names[i])) ||
		    (rc = fs_pathf(pp, sizeof pp, e, "%s/%s", pkg, names[i])))
			break;
		if (lstat(sp, &st) != 0) {
			rc = sh_error_errno(e, SH_ERR_IO, errno,
			                    "cannot read %s", sp);
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk(sp, pp, depth + 1, fn, ud, e);
		} else if (S_ISREG(st.st_mode)) {
			rc = fn(ud, pp, sp, e);
		} else {
			rc = sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s is %s, not a regular file; a package "
			        "holds only files (copy what the link points "
			        "to, or remove it)",
			        sp, S_ISLNK(st.st_mode) ? "a link" : "special");
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

sh_status agentskill_scan_folder(const char *src, const char *name,
                                 agentskill_file_fn fn, void *ud,
                                 struct sh_error *e)
{
	char md[PATH_MAX], pkg[PATH_MAX];
	struct agentskill *s = NULL;
	struct stat st;
	sh_status rc;

	if ((rc = fs_pathf(md, sizeof md, e, "%s/%s", src, AGENTSKILL_FILE)) ||
	    (rc = fs_pathf(pkg, sizeof pkg, e, "%s/%s", AGENTSKILL_DIR, name)))
		return rc;
	if (lstat(md, &st) != 0 || !S_ISREG(st.st_mode))
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "%s has no %s file: every Agent Skill folder "
		        "holds one (front matter with name and "
		        "description, then instructions)",
		        src, AGENTSKILL_FILE);
	if ((rc = agentskill_load(md, name, &s, e)))
		return rc;
	agentskill_free(s);
	return walk(src, pkg, 0, fn, ud, e);
}

sh_status agentskill_scan_package(const char *dir, agentskill_file_fn fn,
                                  void *ud, size_t *count, struct sh_error *e)
{
	char root[PATH_MAX], **names = NULL;
	size_t n = 0, found = 0;
	sh_status rc;

	if (count)
		*count = 0;
	if ((rc = fs_pathf(root, sizeof root, e, "%s/%s", dir, AGENTSKILL_DIR)))
		return rc;
	if (!fs_is_dir(root))
		return SH_OK;
	if ((rc = list_dir(root, &names, &n, e)))
		return rc;
	for (size_t i = 0; rc == SH_OK && i < n; i++) {
		char sub[PATH_MAX];
		struct stat st;

		if (names[i][0] == '.')
			continue;
		if ((rc = fs_pathf(sub, sizeof sub, e, "%s/%s", root,
		                   names[i])))
			break;
		if (lstat(sub, &st) != 0 || !S_ISDIR(st.st_mode)) {
			rc = sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s is not a folder; %s/ holds one folder per "
			        "Agent Skill (%s/<name>/%s)",
			        sub, AGENTSKILL_DIR, AGENTSKILL_DIR,
			        AGENTSKILL_FILE);
			break;
		}
		if (!agentskill_valid_name(names[i])) {
			rc = sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s: folder name \"%s\" breaks the Agent "
			        "Skills "
			        "naming rule (lower-case letters, digits and "
			        "hyphens, 1 to 64, no leading, trailing or "
			        "doubled hyphen)",
			        sub, names[i]);
			break;
		}
		rc = agentskill_scan_folder(sub, names[i], fn, ud, e);
		found++;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (count)
		*count = found;
	return rc;
}

sh_status agentskill_check_package(const char *root, const struct manifest *m,
                                   cJSON **names, struct sh_error *e)
{
	cJSON *arr = cJSON_CreateArray();
	sh_status rc = SH_OK;

	if (names)
		*names = NULL;
	if (!arr)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	/* The manifest's files are sorted by path, so each skill's files
	 * are together. */
	for (size_t i = 0; i < m->nfiles && rc == SH_OK; i++) {
		char name[AGENTSKILL_NAME_MAX + 1], md[PATH_MAX];
		const char *rest =
		        agentskill_split_path(m->files[i].path, name);
		const cJSON *last =
		        cJSON_GetArrayItem(arr, cJSON_GetArraySize(arr) - 1);
		struct agentskill *s = NULL;

		if (!rest) {
			if (!strncmp(m->files[i].path, AGENTSKILL_DIR "/",
			             sizeof AGENTSKILL_DIR))
				rc = sh_error_set(
				        e, SH_ERR_INVALID,
				        "%s is not inside a skill folder "
				        "(skills/<name>/...)",
				        m->files[i].path);
			continue;
		}
		if (last && !strcmp(last->valuestring, name))
			continue;
		if (!agentskill_valid_name(name) ||
		    !manifest_find_file(
		            m, (snprintf(md, sizeof md, "%s/%s/%s",
		                         AGENTSKILL_DIR, name, AGENTSKILL_FILE),
		                md))) {
			rc = sh_error_set(
			        e, SH_ERR_INVALID,
			        "%s: skills/%s/ is not an Agent Skill (a "
			        "valid name and a SKILL.md)",
			        m->name, name);
			break;
		}
		if ((rc = fs_pathf(md, sizeof md, e, "%s/%s/%s/%s", root,
		                   AGENTSKILL_DIR, name, AGENTSKILL_FILE)) ||
		    (rc = agentskill_load(md, name, &s, e)))
			break;
		agentskill_free(s);
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(name)))
			rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	}
	if (rc == SH_OK && names)
		*names = arr;
	else
		cJSON_Delete(arr);
	return rc;
}
