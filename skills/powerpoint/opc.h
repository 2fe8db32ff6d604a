/*
 * opc.h - Open Packaging Conventions helpers: part names, relationships and
 * content types, over a loaded zip.
 */
#ifndef PPTX_OPC_H
#define PPTX_OPC_H

#include <stddef.h>

#include "pptx_model.h"
#include "zipio.h"

#define OPC_MAX_NAME 1024

#define REL_BASE                                                               \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
#define REL_OFFICE_DOC   REL_BASE "officeDocument"
#define REL_SLIDE        REL_BASE "slide"
#define REL_SLIDE_LAYOUT REL_BASE "slideLayout"
#define REL_SLIDE_MASTER REL_BASE "slideMaster"
#define REL_NOTES_SLIDE  REL_BASE "notesSlide"
#define REL_NOTES_MASTER REL_BASE "notesMaster"
#define REL_THEME        REL_BASE "theme"
#define REL_IMAGE        REL_BASE "image"
#define REL_PRES_PROPS   REL_BASE "presProps"
#define REL_VIEW_PROPS   REL_BASE "viewProps"
#define REL_TABLE_STYLES REL_BASE "tableStyles"
#define REL_EXT_PROPS    REL_BASE "extended-properties"
#define REL_CORE_PROPS                                                         \
	"http://schemas.openxmlformats.org/package/2006/relationships/"        \
	"metadata/core-properties"
/* Strict-conformance decks use these namespaces instead. */
#define REL_STRICT_BASE                                                        \
	"http://purl.oclc.org/ooxml/officeDocument/relationships/"

#define CT_BASE "application/vnd.openxmlformats-officedocument."
#define CT_PML  CT_BASE "presentationml."

struct opc_rel {
	char *id;
	char *type;
	char *target; /* resolved part name (no leading '/'), or the raw URI */
	int external;
};

struct opc_rels {
	struct opc_rel *rels;
	size_t n;
};

/* The name of the rels part for part ("" for the package). */
int opc_rels_name(const char *part, char *out, size_t cap);
/* Resolve target relative to source part (source "" = package root),
 * decoding %XX and removing "." and ".." segments. Returns 0, or -1 when
 * the target escapes the package or is too long. */
int opc_resolve(const char *source, const char *target, char *out, size_t cap);

/* Parse the rels of part from z. A missing rels part gives an empty list.
 * Errors: malformed XML, or a relationship without Id/Type/Target. */
pptx_status opc_rels_load(const struct zipr *z, const char *part,
                          struct opc_rels *out, struct pptx_err *e);
void opc_rels_free(struct opc_rels *r);
const struct opc_rel *opc_rel_by_id(const struct opc_rels *r, const char *id);
/* The first relationship whose type ends in "/"+suffix (so transitional and
 * strict namespaces both match). */
const struct opc_rel *opc_rel_by_type(const struct opc_rels *r,
                                      const char *suffix);
int opc_rel_type_is(const struct opc_rel *rel, const char *suffix);

#endif /* PPTX_OPC_H */
