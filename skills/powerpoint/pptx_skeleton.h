/*
 * pptx_skeleton.h - the embedded, schema-validated skeleton parts.
 *
 * The files live under skills/powerpoint/skeleton/ and are turned into
 * pptx_skeleton_data.c at build time by cmake/embed.cmake.
 */
#ifndef PPTX_SKELETON_H
#define PPTX_SKELETON_H

#include <stddef.h>

struct pptx_skel_part {
	const char *name; /* part name, e.g. "ppt/theme/theme1.xml" */
	const unsigned char *data;
	size_t len;
};

extern const struct pptx_skel_part pptx_skeleton[];
extern const size_t pptx_skeleton_count;

/* The part called name, or NULL. */
const struct pptx_skel_part *pptx_skel_find(const char *name);

#endif /* PPTX_SKELETON_H */
