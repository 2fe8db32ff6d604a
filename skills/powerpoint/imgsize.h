/*
 * imgsize.h - pixel size and type of PNG and JPEG images, from their headers.
 *
 * The check is structural, not a full decode: a PNG must have the
 * signature, an IHDR first with a valid CRC, chunks that fit the file and an
 * IEND; a JPEG must start with SOI and reach a start-of-frame marker (any
 * SOFn, progressive and lossless included) through well-formed segments.
 * That catches truncated, mislabelled and random data, which is what turns
 * into a broken picture in PowerPoint.
 */
#ifndef PPTX_IMGSIZE_H
#define PPTX_IMGSIZE_H

#include <stddef.h>
#include <stdint.h>

enum img_type { IMG_UNKNOWN = 0, IMG_PNG, IMG_JPEG };

/* Largest width or height accepted, in pixels: beyond what any camera or
 * renderer produces, and small enough that EMU sizes cannot overflow. */
#define IMG_MAX_DIMENSION 65535u

struct img_info {
	enum img_type type;
	uint32_t width;
	uint32_t height;
};

/* Inspect data[0..len). Returns 0 and fills *info, or -1 and writes a
 * reason (for a person: what is wrong with the image) into why. */
int img_probe(const unsigned char *data, size_t len, struct img_info *info,
              char *why, size_t why_len);

/* The type the magic bytes claim, without validating the rest. */
enum img_type img_sniff(const unsigned char *data, size_t len);

const char *img_mime(enum img_type t);
const char *img_ext(enum img_type t);

#endif /* PPTX_IMGSIZE_H */
