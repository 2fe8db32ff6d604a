/*
 * xmlr.h - a small, bounded XML pull tokenizer.
 *
 * It reads the subset of XML that OOXML parts use: elements, attributes,
 * character data, the five predefined entities, numeric character
 * references and CDATA sections. Comments, processing instructions and the
 * XML declaration are skipped. A DOCTYPE is refused, so no entity can ever
 * expand. Namespaces are resolved through xmlns declarations, so callers
 * match (namespace URI, local name) and never depend on the prefix a
 * producer chose.
 *
 * It never recurses, and depth, attribute count, namespace bindings and
 * name length have fixed caps; memory use is bounded by the input size.
 * Input must be UTF-8 (a UTF-8 BOM is skipped).
 *
 * Pointers in the current event (names, attribute values, text) are valid
 * until the next xr_next() call.
 */
#ifndef PPTX_XMLR_H
#define PPTX_XMLR_H

#include <stddef.h>

#define XR_MAX_DEPTH       256
#define XR_MAX_ATTRS       128
#define XR_MAX_NS_BINDINGS 512
#define XR_MAX_NAME        512

enum xr_type {
	XR_START = 1, /* a start tag (or the start of an empty-element tag) */
	XR_END,       /* an end tag (synthesised for an empty-element tag) */
	XR_TEXT,      /* character data, entity-decoded, CDATA included */
	XR_EOF,       /* the document ended well-formed */
	XR_ERROR      /* malformed or over a cap: see xr_error() */
};

struct xr_attr {
	const char *ns;    /* namespace URI, "" when unprefixed */
	const char *local; /* local name */
	const char *value; /* decoded, NUL-terminated */
	size_t value_len;
};

struct xr_binding {
	size_t prefix; /* offsets into the reader's name store */
	size_t uri;
	int depth;
};

struct xmlr {
	const char *src;
	size_t len;
	size_t pos;

	/* Current event. */
	const char *ns;
	const char *local;
	const char *qname;
	struct xr_attr attrs[XR_MAX_ATTRS];
	size_t nattrs;
	const char *text;
	size_t text_len;
	size_t ev_start; /* byte offsets of the event's markup in src */
	size_t ev_end;
	int depth; /* element depth after the event: root start = 1 */

	/* Internal state. */
	char *scratch; /* decoded text, attribute values, names of this event */
	size_t scratch_len;
	size_t scratch_cap;
	char *names; /* open element qnames and namespace bindings */
	size_t names_len;
	size_t names_cap;
	size_t open[XR_MAX_DEPTH]; /* offsets of open element qnames */
	size_t names_mark[XR_MAX_DEPTH];
	struct xr_binding ns_bind[XR_MAX_NS_BINDINGS];
	size_t nbind;
	int pending_end; /* an empty-element tag still owes its XR_END */
	int seen_root;
	int failed;
	char err[160];
};

/* Start reading src[0..len); src must stay valid and unchanged while the
 * reader is used. Returns 0, or -1 on allocation failure. */
int xr_init(struct xmlr *r, const char *src, size_t len);
void xr_free(struct xmlr *r);

enum xr_type xr_next(struct xmlr *r);

/* A description of the last XR_ERROR, with its byte offset. */
const char *xr_error(const struct xmlr *r);

/* Whether the current XR_START/XR_END element is {ns}local. */
int xr_is(const struct xmlr *r, const char *ns, const char *local);

/* The value of attribute {ns}local of the current XR_START, or NULL. Use
 * ns "" for unprefixed attributes. */
const char *xr_attr(const struct xmlr *r, const char *ns, const char *local);

/* Skip to the XR_END matching the XR_START just returned. Returns XR_END or
 * XR_ERROR/XR_EOF. */
enum xr_type xr_skip(struct xmlr *r);

/* Namespace URIs used by the PPTX code. */
#define NS_A "http://schemas.openxmlformats.org/drawingml/2006/main"
#define NS_P "http://schemas.openxmlformats.org/presentationml/2006/main"
#define NS_R                                                                   \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG_REL                                                             \
	"http://schemas.openxmlformats.org/package/2006/relationships"
#define NS_CT  "http://schemas.openxmlformats.org/package/2006/content-types"
#define NS_XML "http://www.w3.org/XML/1998/namespace"

#endif /* PPTX_XMLR_H */
