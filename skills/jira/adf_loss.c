/*
 * adf_loss.c - what a Markdown round trip of an ADF document would lose.
 * See adf_loss.h.
 *
 * Both trees are reduced to signatures: "type{attr=value;...}" for every
 * node but text (text nodes split and merge freely in a round trip, so
 * they count through the plain text instead), "mark:type{...}" for every
 * mark. Nodes compare as multisets (two panels and one back is a loss),
 * marks as sets (a mark spreads over however many text nodes). Attributes
 * that carry no content of their own (Jira's localId, a mention's cached
 * display name, defaults Jira fills in) are left out, so an ordinary
 * document Jira stored is not reported lossy for them.
 */
#include "adf_loss.h"

#include <stdlib.h>
#include <string.h>

#include "adf_md.h"
#include "md_adf.h"
#include "sbuf.h"

/* Deeper than this the walk stops (adf_to_markdown stops earlier, so the
 * content below is counted as lost through the text). */
#define LOSS_MAX_DEPTH 64

struct sig {
	char *s;
	char *path; /* first occurrence */
	int count;
};

struct sigs {
	struct sig *v;
	size_t n, cap;
	struct sbuf text; /* plain text, white space folded */
	int nomem;
};

static const char *type_of(const cJSON *n)
{
	return cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(n, "type"));
}

/* 1 for an attribute that is not content: left out of the signature. */
static int ignored_attr(const char *type, const cJSON *a)
{
	const char *k = a->string;

	if (cJSON_IsNull(a) || !strcmp(k, "localId"))
		return 1;
	if (!strcmp(type, "mention"))
		return !strcmp(k, "text") || !strcmp(k, "accessLevel") ||
		       !strcmp(k, "userType");
	if (!strcmp(type, "table"))
		return (!strcmp(k, "isNumberColumnEnabled") &&
		        cJSON_IsFalse(a)) ||
		       (!strcmp(k, "layout") && cJSON_IsString(a) &&
		        (!strcmp(a->valuestring, "default") ||
		         !strcmp(a->valuestring, "center")));
	if (!strcmp(type, "orderedList"))
		return !strcmp(k, "order") && cJSON_IsNumber(a) &&
		       a->valuedouble == 1;
	if (!strcmp(type, "tableCell") || !strcmp(type, "tableHeader"))
		return (!strcmp(k, "colspan") || !strcmp(k, "rowspan")) &&
		       cJSON_IsNumber(a) && a->valuedouble == 1;
	if (!strcmp(type, "codeBlock"))
		return !strcmp(k, "language") && cJSON_IsString(a) &&
		       !*a->valuestring;
	return 0;
}

/* 1 for an attribute that only lays content out (a table's width, a
 * column's width): Jira's editor sets them on most tables, so losing them
 * must not block a Markdown edit, yet it is still reported, as
 * "layout:TYPE.ATTR" (see adf_loss.h). */
static int layout_attr(const char *type, const char *k)
{
	return (!strcmp(type, "table") && !strcmp(k, "width")) ||
	       ((!strcmp(type, "tableCell") || !strcmp(type, "tableHeader")) &&
	        !strcmp(k, "colwidth"));
}

static int cmp_key(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a,
	            *y = *(const cJSON *const *)b;
	return strcmp(x->string, y->string);
}

/* "type{k=v;...}" with the attributes in key order (Jira and md_to_adf
 * order them differently). */
static void put_sig(struct sbuf *b, const char *prefix, const char *type,
                    const cJSON *attrs)
{
	const cJSON *keys[64], *it;
	size_t n = 0;

	sb_puts(b, prefix);
	sb_puts(b, type);
	cJSON_ArrayForEach(it, attrs)
	{
		if (it->string && n < sizeof keys / sizeof keys[0] &&
		    !ignored_attr(type, it) && !layout_attr(type, it->string))
			keys[n++] = it;
	}
	if (!n)
		return;
	qsort(keys, n, sizeof(const cJSON *), cmp_key);
	sb_putc(b, '{');
	for (size_t i = 0; i < n; i++) {
		char *v = cJSON_PrintUnformatted(keys[i]);
		if (!v) {
			b->failed = 1;
			return;
		}
		sb_printf(b, "%s%s=%s", i ? ";" : "", keys[i]->string, v);
		free(v);
	}
	sb_putc(b, '}');
}

static void add_sig(struct sigs *s, struct sbuf *sig, const char *path, int set)
{
	struct sig *e;

	if (sb_failed(sig)) {
		s->nomem = 1;
		return;
	}
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].s, sb_str(sig))) {
			if (!set)
				s->v[i].count++;
			return;
		}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct sig *v = realloc(s->v, cap * sizeof *v);
		if (!v) {
			s->nomem = 1;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	e = &s->v[s->n];
	e->s = strdup(sb_str(sig));
	e->path = strdup(path);
	e->count = 1;
	if (!e->s || !e->path) {
		free(e->s);
		free(e->path);
		s->nomem = 1;
		return;
	}
	s->n++;
}

/* Fold runs of white space into one space, so a round trip's line
 * handling is not a loss. */
static void put_text(struct sbuf *b, const char *t)
{
	for (; *t; t++) {
		int sp = *t == ' ' || *t == '\n' || *t == '\t' || *t == '\r';
		if (sp) {
			if (b->len && b->p[b->len - 1] != ' ')
				sb_putc(b, ' ');
		} else {
			sb_putc(b, *t);
		}
	}
}

static void walk(struct sigs *s, const cJSON *n, struct sbuf *path, int depth)
{
	const char *type = type_of(n);
	const cJSON *it, *kids;
	struct sbuf sig;
	size_t at = path->len;
	int i = 0;

	if (!cJSON_IsObject(n) || !type)
		return;
	sb_init(&sig, 0);
	if (depth > LOSS_MAX_DEPTH) {
		sb_printf(&sig, "content nested deeper than %d levels",
		          LOSS_MAX_DEPTH);
		add_sig(s, &sig, sb_str(path), 0);
		sb_free(&sig);
		return;
	}
	if (!strcmp(type, "text")) {
		const char *t = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(n, "text"));
		put_text(&s->text, t ? t : "");
	} else if (!strcmp(type, "hardBreak")) {
		put_text(&s->text, " ");
	} else {
		put_sig(&sig, "", type,
		        cJSON_GetObjectItemCaseSensitive(n, "attrs"));
		add_sig(s, &sig, sb_str(path), 0);
		cJSON_ArrayForEach(it,
		                   cJSON_GetObjectItemCaseSensitive(n, "attrs"))
		{
			if (!it->string || !layout_attr(type, it->string) ||
			    cJSON_IsNull(it))
				continue;
			sig.len = 0;
			sig.failed = 0;
			sb_printf(&sig, "layout:%s.%s", type, it->string);
			add_sig(s, &sig, sb_str(path), 0);
		}
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(n, "marks"))
	{
		const char *mt = type_of(it);
		sig.len = 0;
		sig.failed = 0;
		if (!mt)
			continue;
		put_sig(&sig, "mark:", mt,
		        cJSON_GetObjectItemCaseSensitive(it, "attrs"));
		add_sig(s, &sig, sb_str(path), 1);
	}
	sb_free(&sig);
	kids = cJSON_GetObjectItemCaseSensitive(n, "content");
	cJSON_ArrayForEach(it, kids)
	{
		sb_printf(path, "%scontent[%d]", at ? "." : "", i++);
		walk(s, it, path, depth + 1);
		sb_trim(path, path->len - at);
	}
	/* Blocks end words: "a" in one paragraph and "b" in the next are
	 * not "ab". */
	if (kids && (!s->text.len || s->text.p[s->text.len - 1] != ' '))
		sb_putc(&s->text, ' ');
}

static void collect(struct sigs *s, const cJSON *doc)
{
	struct sbuf path;
	const cJSON *it;
	int i = 0;

	sb_init(&path, 0);
	/* The doc node itself carries nothing to lose. */
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "content"))
	{
		sb_printf(&path, "content[%d]", i++);
		walk(s, it, &path, 1);
		path.len = 0;
		path.failed = 0;
	}
	if (sb_failed(&path) || sb_failed(&s->text))
		s->nomem = 1;
	sb_free(&path);
	/* Trailing white space is not content. */
	while (s->text.len && s->text.p[s->text.len - 1] == ' ')
		sb_trim(&s->text, 1);
}

static void sigs_free(struct sigs *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].s);
		free(s->v[i].path);
	}
	free(s->v);
	sb_free(&s->text);
}

static int count_of(const struct sigs *s, const char *sig)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].s, sig))
			return s->v[i].count;
	return 0;
}

/* 1 when some signature of s starts with "type" as a whole word: the
 * kind survives, only its attributes do not. */
static int has_type(const struct sigs *s, const char *sig)
{
	size_t n = strcspn(sig, "{");

	for (size_t i = 0; i < s->n; i++)
		if (!strncmp(s->v[i].s, sig, n) &&
		    (s->v[i].s[n] == '{' || !s->v[i].s[n]))
			return 1;
	return 0;
}

static int add_loss(cJSON *out, const char *kind, int count, const char *at)
{
	cJSON *o;

	if (cJSON_GetArraySize(out) >= ADF_LOSS_MAX)
		return 1;
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "kind", kind) ||
	    !cJSON_AddNumberToObject(o, "count", count) ||
	    !cJSON_AddStringToObject(o, "at", at) ||
	    (!strncmp(kind, "layout:", 7) &&
	     !cJSON_AddBoolToObject(o, "layout", 1)) ||
	    !cJSON_AddItemToArray(out, o)) {
		cJSON_Delete(o);
		return 0;
	}
	return 1;
}

cJSON *adf_md_losses(const cJSON *doc)
{
	struct sigs a = {0}, b = {0};
	cJSON *rt = NULL, *out = NULL;
	char *md;
	md_status mst;
	int ok = 1;

	if (!adf_is_doc(doc))
		return NULL;
	sb_init(&a.text, 0);
	sb_init(&b.text, 0);
	md = adf_to_markdown(doc);
	if (!md)
		goto done;
	mst = md_to_adf(md, strlen(md), &rt);
	if (mst == MD_ERR_TOO_LARGE) {
		/* Markdown this long cannot be written back at all. */
		if ((out = cJSON_CreateArray()))
			ok = add_loss(out,
			              "everything: the Markdown is over "
			              "the 256 KiB a field takes",
			              1, "content");
		goto done;
	}
	if (mst != MD_OK)
		goto done;
	collect(&a, doc);
	collect(&b, rt);
	if (a.nomem || b.nomem || !(out = cJSON_CreateArray()))
		goto done;
	for (size_t i = 0; i < a.n && ok; i++) {
		int kept = count_of(&b, a.v[i].s);
		struct sbuf kind;
		if (kept >= a.v[i].count)
			continue;
		sb_init(&kind, 0);
		if (!strncmp(a.v[i].s, "mark:", 5) ||
		    !strncmp(a.v[i].s, "layout:", 7) ||
		    !strchr(a.v[i].s, '{') || !has_type(&b, a.v[i].s))
			sb_put(&kind, a.v[i].s, strcspn(a.v[i].s, "{"));
		else
			sb_printf(&kind, "%.*s attributes %s",
			          (int)strcspn(a.v[i].s, "{"), a.v[i].s,
			          a.v[i].s + strcspn(a.v[i].s, "{"));
		ok = !sb_failed(&kind) &&
		     add_loss(out, sb_str(&kind), a.v[i].count - kept,
		              a.v[i].path);
		sb_free(&kind);
	}
	if (ok && strcmp(sb_str(&a.text), sb_str(&b.text)))
		ok = add_loss(out, "text", 1, "content");
done:
	if (!ok) {
		cJSON_Delete(out);
		out = NULL;
	}
	free(md);
	cJSON_Delete(rt);
	sigs_free(&a);
	sigs_free(&b);
	return out;
}

int adf_losses_text(const cJSON *losses, struct sbuf *b, int content_only)
{
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, losses)
	{
		const char *kind = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(it, "kind"));
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "count");
		const char *at = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(it, "at"));
		if (content_only &&
		    cJSON_IsTrue(
		            cJSON_GetObjectItemCaseSensitive(it, "layout")))
			continue;
		sb_printf(b, "%s%s (%d, first at %s)", n ? ", " : "",
		          kind ? kind : "?", c ? (int)c->valuedouble : 0,
		          at ? at : "?");
		n++;
	}
	return n;
}
