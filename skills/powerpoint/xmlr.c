/*
 * xmlr.c - the bounded XML pull tokenizer. See xmlr.h.
 */
#include "xmlr.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmlw.h"

/* Prefix offset meaning "the default namespace" in a binding. */
#define XR_NO_PREFIX ((size_t)-1)

static enum xr_type fail(struct xmlr *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static enum xr_type fail(struct xmlr *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->failed)
		return XR_ERROR;
	r->failed = 1;
	va_start(ap, fmt);
	n = vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof r->err)
		snprintf(r->err + n, sizeof r->err - (size_t)n, " at byte %zu",
		         r->pos);
	return XR_ERROR;
}

int xr_init(struct xmlr *r, const char *src, size_t len)
{
	memset(r, 0, sizeof *r);
	r->src = src;
	r->len = len;
	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	return 0;
}

void xr_free(struct xmlr *r)
{
	free(r->scratch);
	free(r->names);
	r->scratch = r->names = NULL;
}

const char *xr_error(const struct xmlr *r)
{
	return r->err[0] ? r->err : "no error";
}

/* Both stores only ever grow by what the input holds (a decoded value is
 * never longer than its source), so bounding them by the input size keeps
 * memory linear in the part even for hostile data. */
static int grow(char **p, size_t *cap, size_t need, size_t bound)
{
	size_t ncap;
	char *np;

	if (need <= *cap)
		return 0;
	if (need > bound)
		return -1;
	ncap = *cap ? *cap : 256;
	while (ncap < need)
		ncap *= 2;
	if (ncap > bound)
		ncap = bound;
	np = realloc(*p, ncap);
	if (!np)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

static size_t store_bound(const struct xmlr *r)
{
	/* Names plus one NUL each, and the default-namespace bindings. */
	return r->len * 2 + 4096;
}

static int scratch_put(struct xmlr *r, const char *s, size_t n)
{
	if (grow(&r->scratch, &r->scratch_cap, r->scratch_len + n + 1,
	         store_bound(r)) != 0 ||
	    !r->scratch)
		return -1;
	if (n)
		memcpy(r->scratch + r->scratch_len, s, n);
	r->scratch_len += n;
	r->scratch[r->scratch_len] = '\0';
	return 0;
}

static int names_put(struct xmlr *r, const char *s, size_t n, size_t *off)
{
	if (grow(&r->names, &r->names_cap, r->names_len + n + 1,
	         store_bound(r)) != 0)
		return -1;
	*off = r->names_len;
	memcpy(r->names + r->names_len, s, n);
	r->names_len += n;
	r->names[r->names_len++] = '\0';
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || c >= 0x80;
}

static int is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.';
}

static int starts(const struct xmlr *r, const char *lit)
{
	size_t n = strlen(lit);

	return r->len - r->pos >= n && memcmp(r->src + r->pos, lit, n) == 0;
}

/* Find lit at or after pos; returns its offset or (size_t)-1. */
static size_t find(const struct xmlr *r, size_t from, const char *lit)
{
	size_t n = strlen(lit);
	const char *hit;

	if (from > r->len)
		return (size_t)-1;
	hit = memmem(r->src + from, r->len - from, lit, n);
	return hit ? (size_t)(hit - r->src) : (size_t)-1;
}

/* Read a name at pos; returns its length, 0 if none or too long. */
static size_t scan_name(struct xmlr *r)
{
	size_t start = r->pos;

	if (r->pos >= r->len || !is_name_start((unsigned char)r->src[r->pos]))
		return 0;
	while (r->pos < r->len && is_name_char((unsigned char)r->src[r->pos]))
		r->pos++;
	if (r->pos - start > XR_MAX_NAME)
		return 0;
	return r->pos - start;
}

/* Decode a character or entity reference at src[*i] ('&'), appending the
 * result to the scratch store. */
static int decode_ref(struct xmlr *r, const char *s, size_t n, size_t *i)
{
	static const struct {
		const char *name;
		char ch;
	} ents[] = {{"lt;", '<'},
	            {"gt;", '>'},
	            {"amp;", '&'},
	            {"apos;", '\''},
	            {"quot;", '"'}};
	size_t j = *i + 1, k;
	uint32_t cp = 0;
	struct xbuf u;
	int rc;

	if (j < n && s[j] == '#') {
		int hex = 0, digits = 0;

		j++;
		if (j < n && s[j] == 'x') {
			hex = 1;
			j++;
		}
		for (; j < n && s[j] != ';'; j++, digits++) {
			char c = s[j];
			uint32_t d;

			if (c >= '0' && c <= '9')
				d = (uint32_t)(c - '0');
			else if (hex && c >= 'a' && c <= 'f')
				d = (uint32_t)(c - 'a' + 10);
			else if (hex && c >= 'A' && c <= 'F')
				d = (uint32_t)(c - 'A' + 10);
			else
				return -1;
			cp = cp * (hex ? 16 : 10) + d;
			if (cp > 0x10FFFF)
				return -1;
		}
		if (j >= n || digits == 0 || !xml_char_ok(cp))
			return -1;
		xb_init(&u, 8);
		xb_put_utf8(&u, cp);
		rc = xb_failed(&u) ? -1 : scratch_put(r, u.p, u.len);
		xb_free(&u);
		*i = j + 1;
		return rc;
	}
	for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
		size_t el = strlen(ents[k].name);

		if (n - j >= el && memcmp(s + j, ents[k].name, el) == 0) {
			*i = j + el;
			return scratch_put(r, &ents[k].ch, 1);
		}
	}
	return -1;
}

/* Append decoded character data s[0..n) to the scratch store: entities
 * expanded, line ends normalised, and for attributes whitespace folded to
 * spaces as XML 1.0 section 3.3.3 requires. */
static int decode_chars(struct xmlr *r, const char *s, size_t n, int attr)
{
	size_t i = 0, run = 0;

	while (i < n) {
		char c = s[i];

		if (c == '&' || c == '\r' || c == '<' ||
		    (attr && (c == '\t' || c == '\n'))) {
			if (scratch_put(r, s + run, i - run) != 0)
				return -2;
			if (c == '<')
				return -1;
			if (c == '&') {
				if (decode_ref(r, s, n, &i) != 0)
					return -1;
			} else {
				char sp = attr ? ' ' : '\n';

				if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
					i++;
				if (scratch_put(r, &sp, 1) != 0)
					return -2;
				i++;
			}
			run = i;
			continue;
		}
		i++;
	}
	return scratch_put(r, s + run, i - run) != 0 ? -2 : 0;
}

static int valid_utf8(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t k;

		if ((unsigned char)s[i] < 0x80) {
			if ((unsigned char)s[i] < 0x20 &&
			    !xml_char_ok((unsigned char)s[i]))
				return 0;
			i++;
			continue;
		}
		k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (!k || !xml_char_ok(cp))
			return 0;
		i += k;
	}
	return 1;
}

static const char *lookup_ns(const struct xmlr *r, const char *prefix,
                             size_t plen)
{
	size_t i = r->nbind;

	while (i-- > 0) {
		const struct xr_binding *b = &r->ns_bind[i];

		if (b->prefix == XR_NO_PREFIX) {
			if (plen == 0)
				return r->names + b->uri;
			continue;
		}
		if (plen && strlen(r->names + b->prefix) == plen &&
		    memcmp(r->names + b->prefix, prefix, plen) == 0)
			return r->names + b->uri;
	}
	if (plen == 3 && memcmp(prefix, "xml", 3) == 0)
		return NS_XML;
	return plen ? NULL : "";
}

static enum xr_type read_text(struct xmlr *r)
{
	size_t start = r->pos;
	int rc;

	r->ev_start = r->pos;
	/* Coalesce character data, CDATA sections, comments and PIs into one
	 * event so a:t content split by a comment still reads as one run. */
	while (r->pos < r->len) {
		if (r->src[r->pos] != '<') {
			const char *lt =
			        memchr(r->src + r->pos, '<', r->len - r->pos);
			size_t end = lt ? (size_t)(lt - r->src) : r->len;

			if (!valid_utf8(r->src + r->pos, end - r->pos))
				return fail(r, "invalid UTF-8 or a forbidden "
				               "control character in text");
			rc = decode_chars(r, r->src + r->pos, end - r->pos, 0);
			if (rc == -2)
				return fail(r, "out of memory");
			if (rc != 0)
				return fail(r, "bad entity or character "
				               "reference in text");
			r->pos = end;
		} else if (starts(r, "<![CDATA[")) {
			size_t end = find(r, r->pos + 9, "]]>");

			if (end == (size_t)-1)
				return fail(r, "unterminated CDATA section");
			if (!valid_utf8(r->src + r->pos + 9, end - r->pos - 9))
				return fail(r, "invalid UTF-8 in CDATA");
			if (scratch_put(r, r->src + r->pos + 9,
			                end - r->pos - 9) != 0)
				return fail(r, "out of memory");
			r->pos = end + 3;
		} else if (starts(r, "<!--")) {
			size_t end = find(r, r->pos + 4, "-->");

			if (end == (size_t)-1)
				return fail(r, "unterminated comment");
			r->pos = end + 3;
		} else if (starts(r, "<?")) {
			size_t end = find(r, r->pos + 2, "?>");

			if (end == (size_t)-1)
				return fail(r, "unterminated processing "
				               "instruction");
			r->pos = end + 2;
		} else {
			break;
		}
	}
	/* "<!" that opens neither CDATA nor a comment: without this the
	 * caller would get empty text events forever. */
	if (r->pos == start)
		return fail(r, "unsupported markup declaration");
	r->ev_end = r->pos;
	r->text = r->scratch ? r->scratch : "";
	r->text_len = r->scratch_len;
	return XR_TEXT;
}

static enum xr_type read_end(struct xmlr *r)
{
	size_t nlen;
	const char *name;
	const char *open;
	const char *colon;

	r->ev_start = r->pos;
	r->pos += 2;
	name = r->src + r->pos;
	nlen = scan_name(r);
	if (!nlen)
		return fail(r, "bad name in end tag");
	while (r->pos < r->len && is_space(r->src[r->pos]))
		r->pos++;
	if (r->pos >= r->len || r->src[r->pos] != '>')
		return fail(r, "end tag is not closed with '>'");
	r->pos++;
	if (r->depth == 0)
		return fail(r, "end tag without a start tag");
	open = r->names + r->open[r->depth - 1];
	if (strlen(open) != nlen || memcmp(open, name, nlen) != 0)
		return fail(r, "end tag </%.*s> does not match <%s>",
		            (int)(nlen > 64 ? 64 : nlen), name, open);
	r->ev_end = r->pos;
	if (scratch_put(r, open, strlen(open)) != 0)
		return fail(r, "out of memory");
	r->qname = r->scratch;
	colon = strchr(open, ':');
	r->local = r->scratch + (colon ? (size_t)(colon - open) + 1 : 0);
	r->ns = lookup_ns(r, open, colon ? (size_t)(colon - open) : 0);
	if (!r->ns)
		r->ns = "";
	/* Pop this element's bindings and names after resolving it. */
	r->depth--;
	while (r->nbind > 0 && r->ns_bind[r->nbind - 1].depth > r->depth)
		r->nbind--;
	r->names_len = r->names_mark[r->depth];
	return XR_END;
}

struct raw_attr {
	size_t name; /* offset into scratch */
	size_t nlen;
	size_t value; /* offset into scratch */
	size_t vlen;
};

static enum xr_type read_start(struct xmlr *r)
{
	struct raw_attr raw[XR_MAX_ATTRS];
	size_t nraw = 0, i, j, qoff, qlen, mark;
	const char *qname;
	const char *colon;
	int empty = 0;

	r->ev_start = r->pos;
	if (r->depth == 0 && r->seen_root)
		return fail(r, "content after the root element");
	if (r->depth >= XR_MAX_DEPTH)
		return fail(r, "elements nested deeper than %d", XR_MAX_DEPTH);
	r->pos++;
	qname = r->src + r->pos;
	qlen = scan_name(r);
	if (!qlen)
		return fail(r, "bad element name");
	mark = r->names_len;
	if (names_put(r, qname, qlen, &qoff) != 0)
		return fail(r, "out of memory");
	for (;;) {
		size_t an, vs, ve;
		const char *aname;
		char q;
		int rc;

		while (r->pos < r->len && is_space(r->src[r->pos]))
			r->pos++;
		if (r->pos >= r->len)
			return fail(r, "unterminated start tag");
		if (r->src[r->pos] == '>') {
			r->pos++;
			break;
		}
		if (r->src[r->pos] == '/') {
			if (r->pos + 1 >= r->len || r->src[r->pos + 1] != '>')
				return fail(r, "expected '/>'");
			r->pos += 2;
			empty = 1;
			break;
		}
		if (nraw >= XR_MAX_ATTRS)
			return fail(r, "more than %d attributes", XR_MAX_ATTRS);
		aname = r->src + r->pos;
		an = scan_name(r);
		if (!an)
			return fail(r, "bad attribute name");
		while (r->pos < r->len && is_space(r->src[r->pos]))
			r->pos++;
		if (r->pos >= r->len || r->src[r->pos] != '=')
			return fail(r, "attribute without '='");
		r->pos++;
		while (r->pos < r->len && is_space(r->src[r->pos]))
			r->pos++;
		if (r->pos >= r->len ||
		    (r->src[r->pos] != '"' && r->src[r->pos] != '\''))
			return fail(r, "attribute value is not quoted");
		q = r->src[r->pos++];
		vs = r->pos;
		{
			const char *e = memchr(r->src + vs, q, r->len - vs);

			if (!e)
				return fail(r, "unterminated attribute value");
			ve = (size_t)(e - r->src);
		}
		if (!valid_utf8(r->src + vs, ve - vs))
			return fail(r, "invalid UTF-8 in an attribute value");
		raw[nraw].name = r->scratch_len;
		raw[nraw].nlen = an;
		if (scratch_put(r, aname, an) != 0 ||
		    scratch_put(r, "", 1) != 0)
			return fail(r, "out of memory");
		raw[nraw].value = r->scratch_len;
		rc = decode_chars(r, r->src + vs, ve - vs, 1);
		if (rc == -2)
			return fail(r, "out of memory");
		if (rc != 0)
			return fail(r, "bad reference or '<' in an attribute");
		raw[nraw].vlen = r->scratch_len - raw[nraw].value;
		if (scratch_put(r, "", 1) != 0)
			return fail(r, "out of memory");
		r->pos = ve + 1;
		for (j = 0; j < nraw; j++)
			if (raw[j].nlen == an &&
			    memcmp(r->scratch + raw[j].name,
			           r->scratch + raw[nraw].name, an) == 0)
				return fail(r, "duplicate attribute %.*s",
				            (int)(an > 64 ? 64 : an), aname);
		nraw++;
	}
	r->ev_end = r->pos;
	r->names_mark[r->depth] = mark;
	r->open[r->depth] = qoff;
	r->depth++;
	r->seen_root = 1;
	/* Declarations first: they apply to the element's own name and its
	 * attributes. */
	for (i = 0; i < nraw; i++) {
		const char *an = r->scratch + raw[i].name;
		struct xr_binding *b;
		size_t off;

		if (strncmp(an, "xmlns", 5) != 0 ||
		    (an[5] != '\0' && an[5] != ':'))
			continue;
		if (r->nbind >= XR_MAX_NS_BINDINGS)
			return fail(r,
			            "more than %d namespace declarations "
			            "in scope",
			            XR_MAX_NS_BINDINGS);
		b = &r->ns_bind[r->nbind];
		b->depth = r->depth;
		if (an[5] == ':') {
			if (names_put(r, an + 6, strlen(an + 6), &off) != 0)
				return fail(r, "out of memory");
			b->prefix = off;
		} else {
			b->prefix = XR_NO_PREFIX;
		}
		if (names_put(r, r->scratch + raw[i].value, raw[i].vlen,
		              &off) != 0)
			return fail(r, "out of memory");
		b->uri = off;
		r->nbind++;
	}
	r->nattrs = 0;
	for (i = 0; i < nraw; i++) {
		char *an = r->scratch + raw[i].name;
		struct xr_attr *a;

		if (strncmp(an, "xmlns", 5) == 0 &&
		    (an[5] == '\0' || an[5] == ':'))
			continue;
		a = &r->attrs[r->nattrs++];
		colon = strchr(an, ':');
		if (colon) {
			a->ns = lookup_ns(r, an, (size_t)(colon - an));
			if (!a->ns)
				return fail(r,
				            "undeclared namespace prefix "
				            "in attribute %.64s",
				            an);
			a->local = colon + 1;
		} else {
			a->ns = ""; /* unprefixed attributes have none */
			a->local = an;
		}
		a->value = r->scratch + raw[i].value;
		a->value_len = raw[i].vlen;
	}
	/* The scratch store cannot move any more in this event: the qname is
	 * read from the names store. */
	r->qname = r->names + qoff;
	colon = strchr(r->qname, ':');
	r->local = colon ? colon + 1 : r->qname;
	r->ns = lookup_ns(r, r->qname, colon ? (size_t)(colon - r->qname) : 0);
	if (!r->ns)
		return fail(r, "undeclared namespace prefix in <%.64s>",
		            r->qname);
	r->pending_end = empty;
	return XR_START;
}

enum xr_type xr_next(struct xmlr *r)
{
	if (r->failed)
		return XR_ERROR;
	r->scratch_len = 0;
	if (r->scratch)
		r->scratch[0] = '\0';
	r->nattrs = 0;
	r->text = NULL;
	r->text_len = 0;
	if (r->pending_end) {
		/* The names store still holds the element: resolve it as a
		 * normal end tag would, without consuming input. */
		const char *open = r->names + r->open[r->depth - 1];
		const char *colon = strchr(open, ':');

		r->pending_end = 0;
		if (scratch_put(r, open, strlen(open)) != 0)
			return fail(r, "out of memory");
		r->qname = r->scratch;
		r->local =
		        r->scratch + (colon ? (size_t)(colon - open) + 1 : 0);
		r->ns = lookup_ns(r, open, colon ? (size_t)(colon - open) : 0);
		if (!r->ns)
			r->ns = "";
		r->ev_start = r->ev_end;
		r->depth--;
		while (r->nbind > 0 &&
		       r->ns_bind[r->nbind - 1].depth > r->depth)
			r->nbind--;
		r->names_len = r->names_mark[r->depth];
		return XR_END;
	}
	for (;;) {
		if (r->pos >= r->len) {
			if (r->depth != 0)
				return fail(r, "document ends inside <%.64s>",
				            r->names + r->open[r->depth - 1]);
			if (!r->seen_root)
				return fail(r, "no root element");
			return XR_EOF;
		}
		if (r->pos == 0 && r->len >= 2 &&
		    ((unsigned char)r->src[0] == 0xFE ||
		     (unsigned char)r->src[0] == 0xFF))
			return fail(r, "UTF-16 XML is not supported");
		if (starts(r, "<!DOCTYPE"))
			return fail(r, "DOCTYPE declarations are refused");
		if (starts(r, "</"))
			return read_end(r);
		if (r->src[r->pos] == '<' && !starts(r, "<!") &&
		    !starts(r, "<?"))
			return read_start(r);
		if (r->depth == 0) {
			/* Outside the root: only whitespace, comments and
			 * PIs. */
			enum xr_type t = read_text(r);
			size_t i;

			if (t != XR_TEXT)
				return t;
			for (i = 0; i < r->text_len; i++)
				if (!is_space(r->text[i]))
					return fail(r, "text outside the root "
					               "element");
			if (starts(r, "<![CDATA["))
				return fail(r,
				            "CDATA outside the root element");
			r->scratch_len = 0;
			continue;
		}
		return read_text(r);
	}
}

int xr_is(const struct xmlr *r, const char *ns, const char *local)
{
	return r->ns && strcmp(r->local, local) == 0 && strcmp(r->ns, ns) == 0;
}

const char *xr_attr(const struct xmlr *r, const char *ns, const char *local)
{
	size_t i;

	for (i = 0; i < r->nattrs; i++)
		if (strcmp(r->attrs[i].local, local) == 0 &&
		    strcmp(r->attrs[i].ns, ns) == 0)
			return r->attrs[i].value;
	return NULL;
}

enum xr_type xr_skip(struct xmlr *r)
{
	int target = r->depth - 1;

	for (;;) {
		enum xr_type t = xr_next(r);

		if (t == XR_ERROR || t == XR_EOF)
			return t;
		if (t == XR_END && r->depth == target)
			return XR_END;
	}
}
