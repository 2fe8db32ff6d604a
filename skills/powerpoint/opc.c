/*
 * opc.c - OPC part names and relationships. See opc.h.
 */
#include "opc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmlr.h"

int opc_rels_name(const char *part, char *out, size_t cap)
{
	const char *slash = strrchr(part, '/');
	int n;

	if (!part[0])
		n = snprintf(out, cap, "_rels/.rels");
	else if (slash)
		n = snprintf(out, cap, "%.*s/_rels/%s.rels",
		             (int)(slash - part), part, slash + 1);
	else
		n = snprintf(out, cap, "_rels/%s.rels", part);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int opc_resolve(const char *source, const char *target, char *out, size_t cap)
{
	char tmp[OPC_MAX_NAME];
	size_t len = 0, i;
	const char *p;

	/* Build "base-dir/target" (or the absolute target) in tmp. */
	if (target[0] == '/') {
		target++;
	} else {
		const char *slash = strrchr(source, '/');

		if (slash) {
			len = (size_t)(slash - source) + 1;
			if (len >= sizeof tmp)
				return -1;
			memcpy(tmp, source, len);
		}
	}
	for (p = target; *p && *p != '#' && *p != '?'; p++) {
		char c = *p;

		if (c == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		}
		if (c == '\\')
			c = '/';
		if (len + 1 >= sizeof tmp)
			return -1;
		tmp[len++] = c;
	}
	tmp[len] = '\0';
	/* Normalise segments in place into out. */
	len = 0;
	p = tmp;
	while (*p) {
		const char *seg = p;
		size_t sl;

		while (*p && *p != '/')
			p++;
		sl = (size_t)(p - seg);
		if (*p == '/')
			p++;
		if (sl == 0 || (sl == 1 && seg[0] == '.'))
			continue;
		if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
			if (len == 0)
				return -1;
			/* Drop the last segment written. */
			i = len - 1;
			while (i > 0 && out[i - 1] != '/')
				i--;
			len = i;
			continue;
		}
		if (len + sl + 2 > cap)
			return -1;
		memcpy(out + len, seg, sl);
		len += sl;
		out[len++] = '/';
	}
	if (len == 0)
		return -1;
	out[len - 1] = '\0'; /* the trailing '/' */
	return 0;
}

void opc_rels_free(struct opc_rels *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->rels[i].id);
		free(r->rels[i].type);
		free(r->rels[i].target);
	}
	free(r->rels);
	memset(r, 0, sizeof *r);
}

pptx_status opc_rels_load(const struct zipr *z, const char *part,
                          struct opc_rels *out, struct pptx_err *e)
{
	char rname[OPC_MAX_NAME];
	struct zip_entry *ent;
	struct xmlr r;
	enum xr_type t;
	size_t cap = 0;
	pptx_status st = PPTX_OK;

	memset(out, 0, sizeof *out);
	if (opc_rels_name(part, rname, sizeof rname) != 0)
		return pptx_fail(e, PPTX_ERR_FORMAT, "part name too long: %s",
		                 part);
	ent = zipr_find(z, rname);
	if (!ent || !ent->data)
		return PPTX_OK;
	xr_init(&r, (const char *)ent->data, ent->len);
	while ((t = xr_next(&r)) != XR_EOF) {
		const char *id, *type, *target, *mode;
		struct opc_rel *rel;
		char resolved[OPC_MAX_NAME];

		if (t == XR_ERROR) {
			st = pptx_fail(e, PPTX_ERR_FORMAT,
			               "%s is not "
			               "well-formed XML: %s",
			               rname, xr_error(&r));
			goto out;
		}
		if (t != XR_START || strcmp(r.local, "Relationship") != 0)
			continue;
		id = xr_attr(&r, "", "Id");
		type = xr_attr(&r, "", "Type");
		target = xr_attr(&r, "", "Target");
		mode = xr_attr(&r, "", "TargetMode");
		if (!id || !type || !target) {
			st = pptx_fail(e, PPTX_ERR_FORMAT,
			               "%s has a "
			               "relationship without Id, Type or "
			               "Target",
			               rname);
			goto out;
		}
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct opc_rel *nr =
			        realloc(out->rels, ncap * sizeof *nr);

			if (!nr) {
				st = pptx_fail(e, PPTX_ERR_NOMEM,
				               "out of memory");
				goto out;
			}
			out->rels = nr;
			cap = ncap;
		}
		rel = &out->rels[out->n];
		memset(rel, 0, sizeof *rel);
		rel->external = mode && strcmp(mode, "External") == 0;
		if (!rel->external &&
		    opc_resolve(part, target, resolved, sizeof resolved) != 0)
			snprintf(resolved, sizeof resolved, "%s", "");
		rel->id = strdup(id);
		rel->type = strdup(type);
		rel->target = strdup(rel->external ? target : resolved);
		out->n++;
		if (!rel->id || !rel->type || !rel->target) {
			st = pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
out:
	xr_free(&r);
	if (st != PPTX_OK)
		opc_rels_free(out);
	return st;
}

const struct opc_rel *opc_rel_by_id(const struct opc_rels *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->rels[i].id, id) == 0)
			return &r->rels[i];
	return NULL;
}

int opc_rel_type_is(const struct opc_rel *rel, const char *suffix)
{
	size_t tl = strlen(rel->type), sl = strlen(suffix);

	return tl > sl && rel->type[tl - sl - 1] == '/' &&
	       strcmp(rel->type + tl - sl, suffix) == 0;
}

const struct opc_rel *opc_rel_by_type(const struct opc_rels *r,
                                      const char *suffix)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (opc_rel_type_is(&r->rels[i], suffix))
			return &r->rels[i];
	return NULL;
}
