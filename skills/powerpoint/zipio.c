/*
 * zipio.c - zip writing and bounded reading on zlib alone. See zipio.h.
 *
 * Only the part of the zip format a deck needs is here (APPNOTE 6.3.x
 * sections 4.3.7 local header, 4.3.9 data descriptor, 4.3.12 central
 * directory header, 4.3.16 end record): stored and raw-deflate entries, no
 * ZIP64, no encryption, one disk. The skill used libarchive before, which
 * pulled libxml2, ICU, libstdc++ and six compressors into every worker that
 * loads powerpoint.so; zlib is all the format needs.
 *
 * The reader's memory limits are PPTX_READ_* in pptx_model.h (a part, all
 * parts, the inflation ratio, the entry count), checked on the declared
 * sizes before anything is allocated.
 */
#include "zipio.h"

#include "crc32x.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#define ZLIB_CONST /* next_in points at the caller's const data */
#include <zlib.h>

/* DOS date and time of 2020-01-01 00:00:00: a fixed stamp, so the same
 * deck gives the same bytes in any time zone (libarchive wrote the same
 * date from a fixed time_t in UTC). */
#define ZIP_DOS_DATE (((2020 - 1980) << 9) | (1 << 5) | 1)
#define ZIP_DOS_TIME 0
/* Parts smaller than this are stored, not deflated. */
#define ZIP_STORE_BELOW 4096
/* Deflate level 1: a deck is hundreds of small parts, and level 1 writes
 * them 12% faster than the default for 3% more XML bytes (measured with
 * libarchive, which used the same zlib). */
#define ZIP_DEFLATE_LEVEL 1
/* Output is gathered into this many bytes before it reaches the sink: one
 * sink call per 16 KiB instead of three per entry (header, data, and
 * libarchive's data descriptor before). Not more: the skill checks for
 * cancellation in its sink, so this is also how often a write notices. */
#define ZIPW_BUF ((size_t)16 * 1024)
/* Room reserved up front for the central directory's records and names
 * and for deflated output: enough for a 200-slide deck and its largest XML
 * part, so the writer's memory is in place before the sink allocates its
 * own. Grown later, it sat above the sink's buffer in the heap and glibc
 * copied that buffer on every realloc (500 more page faults per deck in
 * `pptx_tool bench`'s loop). */
#define ZIPW_RECS_RESERVE  1024
#define ZIPW_NAMES_RESERVE ((size_t)48 * 1024)
#define ZIPW_CBUF_RESERVE  ((size_t)64 * 1024)
/* Without ZIP64 an archive holds at most this many entries... */
#define ZIP_MAX_ENTRIES 0xFFFFu
/* ...and no size or offset reaches this. */
#define ZIP_MAX_32 ((uint64_t)0xFFFFFFFFu)
/* The end record sits in the last 22 bytes plus a comment of up to 64 KiB:
 * the reader searches no further back than this. */
#define ZIP_EOCD_LEN        22
#define ZIP_EOCD_SEARCH     (ZIP_EOCD_LEN + 0xFFFF)
#define ZIP_LOCAL_LEN       30
#define ZIP_CENTRAL_LEN     46
#define ZIP64_LOCATOR_LEN   20
#define ZIP_SIG_LOCAL       0x04034b50u
#define ZIP_SIG_CENTRAL     0x02014b50u
#define ZIP_SIG_EOCD        0x06054b50u
#define ZIP_SIG_DESCRIPTOR  0x08074b50u
#define ZIP_SIG_64_LOCATOR  0x07064b50u
#define ZIP_FLAG_ENCRYPTED  0x0001u
#define ZIP_FLAG_DESCRIPTOR 0x0008u
#define ZIP_FLAG_STRONG_ENC 0x0040u
#define ZIP_FLAG_UTF8       0x0800u
#define ZIP_FLAG_MASKED_HDR 0x2000u
#define ZIP_METHOD_STORE    0
#define ZIP_METHOD_DEFLATE  8
#define ZIP_METHOD_AES      99
/* Version made by: Unix (3), spec 2.0; external attributes: a regular file,
 * mode 0644, so unzip extracts parts with sane permissions. */
#define ZIP_MADE_BY    ((3u << 8) | 20u)
#define ZIP_EXT_ATTR   (0100644u << 16)
#define ZIP_S_IFMT     0170000u
#define ZIP_S_IFDIR    0040000u
#define ZIP_NAME_SHOWN 96 /* bytes of a hostile name quoted in a message */

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint32_t crc_of(const unsigned char *p, size_t len)
{
	return pptx_crc32(p, len);
}

/*
 * Writer.
 */

struct zw_rec {
	size_t name_at; /* offset of the name in names */
	unsigned name_len;
	unsigned method, flags;
	uint32_t crc, csize, usize, offset;
};

struct zipw {
	pptx_write_fn fn;
	void *ctx;
	int sink_failed;
	z_stream zs;
	int zs_ready;
	unsigned char *cbuf; /* one entry's deflated bytes */
	size_t ccap;
	struct zw_rec *recs;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	uint64_t pos; /* bytes emitted so far, buffered or not */
	size_t olen;
	unsigned char obuf[ZIPW_BUF];
};

static int zw_flush(struct zipw *z)
{
	if (z->olen && !z->sink_failed && z->fn(z->ctx, z->obuf, z->olen) != 0)
		z->sink_failed = 1;
	z->olen = 0;
	return z->sink_failed ? -1 : 0;
}

/* Emit p[0..n): small pieces are gathered, a large one goes straight to
 * the sink after what is gathered. */
static int zw_out(struct zipw *z, const void *p, size_t n)
{
	z->pos += n;
	if (z->sink_failed)
		return -1;
	if (n <= ZIPW_BUF - z->olen) {
		memcpy(z->obuf + z->olen, p, n);
		z->olen += n;
		return 0;
	}
	if (zw_flush(z) != 0)
		return -1;
	if (n < ZIPW_BUF) {
		memcpy(z->obuf, p, n);
		z->olen = n;
		return 0;
	}
	if (z->fn(z->ctx, p, n) != 0)
		z->sink_failed = 1;
	return z->sink_failed ? -1 : 0;
}

static void zipw_free(struct zipw *z);

static pptx_status zw_sink_error(struct pptx_err *e)
{
	return pptx_fail(e, PPTX_ERR_IO,
	                 "writing the deck failed or was cancelled");
}

pptx_status zipw_open(struct zipw **out, pptx_write_fn fn, void *ctx,
                      struct pptx_err *e)
{
	struct zipw *z = malloc(sizeof *z);

	*out = NULL;
	if (!z)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	/* Everything but the output buffer, which needs no clearing. */
	memset(z, 0, offsetof(struct zipw, obuf));
	z->fn = fn;
	z->ctx = ctx;
	z->recs = malloc(ZIPW_RECS_RESERVE * sizeof *z->recs);
	z->names = malloc(ZIPW_NAMES_RESERVE);
	z->cbuf = malloc(ZIPW_CBUF_RESERVE);
	if (!z->recs || !z->names || !z->cbuf) {
		zipw_free(z);
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	}
	z->cap = ZIPW_RECS_RESERVE;
	z->names_cap = ZIPW_NAMES_RESERVE;
	z->ccap = ZIPW_CBUF_RESERVE;
	*out = z;
	return PPTX_OK;
}

/* Deflate data[0..len) into z->cbuf; *clen is the compressed size. */
static pptx_status zw_deflate(struct zipw *z, const unsigned char *data,
                              size_t len, size_t *clen, struct pptx_err *e)
{
	uLong bound;
	int r;

	/* One stream for the whole archive, reset per entry: deflateInit
	 * allocates ~270 KiB and clears it, which for a deck's hundreds of
	 * parts cost more than compressing them. */
	if (!z->zs_ready) {
		if (deflateInit2(&z->zs, ZIP_DEFLATE_LEVEL, Z_DEFLATED, -15, 8,
		                 Z_DEFAULT_STRATEGY) != Z_OK)
			return pptx_fail(e, PPTX_ERR_NOMEM,
			                 "out of memory (deflate set-up)");
		z->zs_ready = 1;
	} else if (deflateReset(&z->zs) != Z_OK) {
		return pptx_fail(e, PPTX_ERR_INTERNAL, "deflate reset failed");
	}
	bound = deflateBound(&z->zs, (uLong)len);
	if (bound > z->ccap) {
		unsigned char *nb = realloc(z->cbuf, bound);

		if (!nb)
			return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
		z->cbuf = nb;
		z->ccap = bound;
	}
	/* len < 4 GiB (checked by the caller), so uInt holds it; the output
	 * room is handed over in pieces uInt can count, and the bound means
	 * it never runs out. */
	z->zs.next_in = data;
	z->zs.avail_in = (uInt)len;
	z->zs.next_out = z->cbuf;
	do {
		size_t room = bound - (size_t)(z->zs.next_out - z->cbuf);

		z->zs.avail_out = room > 0x40000000u ? 0x40000000u : (uInt)room;
		r = deflate(&z->zs, Z_FINISH);
	} while (r == Z_OK);
	if (r != Z_STREAM_END)
		return pptx_fail(e, PPTX_ERR_INTERNAL, "deflate failed (%d)",
		                 r);
	*clen = (size_t)(z->zs.next_out - z->cbuf);
	return PPTX_OK;
}

static pptx_status zipw_entry(struct zipw *z, const char *name,
                              const void *data, size_t len, int deflate_it,
                              struct pptx_err *e)
{
	size_t nlen = strlen(name), clen = len, i;
	const unsigned char *body = data;
	unsigned char h[ZIP_LOCAL_LEN];
	struct zw_rec *r;

	if (z->sink_failed)
		return zw_sink_error(e);
	if (nlen == 0 || nlen > 0xFFFF)
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "a zip entry name must be 1 to 65535 bytes "
		                 "(got %zu)",
		                 nlen);
	if (z->n >= ZIP_MAX_ENTRIES)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "the deck needs more than %u zip entries, "
		                 "which takes ZIP64 (Office repairs such "
		                 "files): make the deck smaller or split it",
		                 ZIP_MAX_ENTRIES);
	if ((uint64_t)len >= ZIP_MAX_32 || z->pos >= ZIP_MAX_32)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "the deck passes 4 GiB at %s, which takes "
		                 "ZIP64 (Office repairs such files): make the "
		                 "deck smaller or split it",
		                 name);
	if (z->n == z->cap) {
		size_t ncap = z->cap ? z->cap * 2 : 256;
		struct zw_rec *nr = realloc(z->recs, ncap * sizeof *nr);

		if (!nr)
			return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
		z->recs = nr;
		z->cap = ncap;
	}
	if (z->names_cap - z->names_len < nlen) {
		size_t ncap = z->names_cap ? z->names_cap : 8192;
		char *nn;

		while (ncap - z->names_len < nlen)
			ncap *= 2;
		if (!(nn = realloc(z->names, ncap)))
			return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
		z->names = nn;
		z->names_cap = ncap;
	}
	r = &z->recs[z->n];
	memset(r, 0, sizeof *r);
	r->crc = crc_of(data, len);
	r->method = ZIP_METHOD_STORE;
	if (deflate_it && len) {
		pptx_status st = zw_deflate(z, data, len, &clen, e);

		if (st != PPTX_OK)
			return st;
		/* Keep the deflated form only when it is smaller. */
		if (clen < len) {
			body = z->cbuf;
			r->method = ZIP_METHOD_DEFLATE;
		} else {
			clen = len;
		}
	}
	for (i = 0; i < nlen; i++)
		if ((unsigned char)name[i] >= 0x80)
			r->flags = ZIP_FLAG_UTF8;
	r->csize = (uint32_t)clen;
	r->usize = (uint32_t)len;
	r->offset = (uint32_t)z->pos;
	r->name_len = (unsigned)nlen;
	r->name_at = z->names_len;
	if (z->pos + ZIP_LOCAL_LEN + nlen + clen >= ZIP_MAX_32)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "the deck passes 4 GiB at %s, which takes "
		                 "ZIP64 (Office repairs such files): make the "
		                 "deck smaller or split it",
		                 name);
	memcpy(z->names + z->names_len, name, nlen);
	put32(h, ZIP_SIG_LOCAL);
	put16(h + 4, r->method == ZIP_METHOD_DEFLATE ? 20 : 10);
	put16(h + 6, r->flags);
	put16(h + 8, r->method);
	put16(h + 10, ZIP_DOS_TIME);
	put16(h + 12, ZIP_DOS_DATE);
	put32(h + 14, r->crc);
	put32(h + 18, r->csize);
	put32(h + 22, r->usize);
	put16(h + 26, r->name_len);
	put16(h + 28, 0);
	if (zw_out(z, h, sizeof h) != 0 || zw_out(z, name, nlen) != 0 ||
	    (clen && zw_out(z, body, clen) != 0))
		return zw_sink_error(e);
	z->names_len += nlen;
	z->n++;
	return PPTX_OK;
}

pptx_status zipw_add(struct zipw *z, const char *name, const void *data,
                     size_t len, struct pptx_err *e)
{
	/* zlib clears tens of KiB of hash table for every stream it starts;
	 * for a part under ZIP_STORE_BELOW bytes (rels, most slides and
	 * notes) that costs more than the bytes deflate would save: storing
	 * them makes a 100-slide deck twice as fast to write for 10% more
	 * bytes (still 12% fewer than pptxgenjs writes). */
	return zipw_entry(z, name, data, len, len >= ZIP_STORE_BELOW, e);
}

pptx_status zipw_add_stored(struct zipw *z, const char *name, const void *data,
                            size_t len, struct pptx_err *e)
{
	return zipw_entry(z, name, data, len, 0, e);
}

pptx_status zipw_add_deflated(struct zipw *z, const char *name,
                              const void *data, size_t len, struct pptx_err *e)
{
	return zipw_entry(z, name, data, len, 1, e);
}

static void zipw_free(struct zipw *z)
{
	if (z->zs_ready)
		(void)deflateEnd(&z->zs);
	free(z->cbuf);
	free(z->recs);
	free(z->names);
	free(z);
}

pptx_status zipw_finish(struct zipw *z, struct pptx_err *e)
{
	uint64_t cd_at = z->pos;
	unsigned char h[ZIP_CENTRAL_LEN];
	pptx_status st = PPTX_OK;
	size_t i;

	for (i = 0; i < z->n && !z->sink_failed; i++) {
		const struct zw_rec *r = &z->recs[i];

		put32(h, ZIP_SIG_CENTRAL);
		put16(h + 4, ZIP_MADE_BY);
		put16(h + 6, r->method == ZIP_METHOD_DEFLATE ? 20 : 10);
		put16(h + 8, r->flags);
		put16(h + 10, r->method);
		put16(h + 12, ZIP_DOS_TIME);
		put16(h + 14, ZIP_DOS_DATE);
		put32(h + 16, r->crc);
		put32(h + 20, r->csize);
		put32(h + 24, r->usize);
		put16(h + 28, r->name_len);
		put16(h + 30, 0); /* extra */
		put16(h + 32, 0); /* comment */
		put16(h + 34, 0); /* disk */
		put16(h + 36, 0); /* internal attributes */
		put32(h + 38, ZIP_EXT_ATTR);
		put32(h + 42, r->offset);
		(void)zw_out(z, h, sizeof h);
		(void)zw_out(z, z->names + r->name_at, r->name_len);
	}
	if (z->pos >= ZIP_MAX_32) {
		st = pptx_fail(e, PPTX_ERR_LIMIT,
		               "the deck's central directory passes 4 GiB, "
		               "which takes ZIP64: make the deck smaller");
		goto out;
	}
	put32(h, ZIP_SIG_EOCD);
	put16(h + 4, 0);
	put16(h + 6, 0);
	put16(h + 8, (unsigned)z->n);
	put16(h + 10, (unsigned)z->n);
	put32(h + 12, (uint32_t)(z->pos - cd_at));
	put32(h + 16, (uint32_t)cd_at);
	put16(h + 20, 0);
	if (zw_out(z, h, ZIP_EOCD_LEN) != 0 || zw_flush(z) != 0)
		st = zw_sink_error(e);
out:
	zipw_free(z);
	return st;
}

void zipw_abort(struct zipw *z)
{
	/* Nothing more reaches the sink: the caller discards what it has. */
	if (z)
		zipw_free(z);
}

/*
 * Reader.
 */

void zipr_free(struct zipr *z)
{
	size_t i;

	for (i = 0; i < z->n; i++) {
		free(z->entries[i].name);
		free(z->entries[i].data);
	}
	free(z->entries);
	free(z->sorted);
	memset(z, 0, sizeof *z);
}

static int cmp_name(const void *a, const void *b, void *ctx)
{
	const struct zipr *z = ctx;

	return strcmp(z->entries[*(const size_t *)a].name,
	              z->entries[*(const size_t *)b].name);
}

struct zip_entry *zipr_find(const struct zipr *z, const char *name)
{
	size_t lo = 0, hi = z->n;

	/* Binary search: readers look up a few parts per slide, and a big
	 * deck has tens of thousands. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct zip_entry *ent = &z->entries[z->sorted[mid]];
		int c = strcmp(ent->name, name);

		if (c == 0)
			return ent;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* What the central directory says about one entry, and where its bytes
 * are once the local header is checked. */
struct zr_ent {
	unsigned flags, method;
	uint32_t crc, csize, usize, local_at;
	size_t data_at, end; /* data, and the end of data + descriptor */
	int load;            /* wanted, and not a directory */
};

/* A hostile name, made printable and short for an error message. */
static const char *shown(const char *name, char buf[ZIP_NAME_SHOWN + 4])
{
	size_t i;

	for (i = 0; name[i] && i < ZIP_NAME_SHOWN; i++)
		buf[i] = (name[i] >= 0x20 && name[i] < 0x7f) ? name[i] : '?';
	if (name[i]) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static pptx_status damaged(struct pptx_err *e, const char *name,
                           const char *what)
{
	char nb[ZIP_NAME_SHOWN + 4];

	if (!name)
		return pptx_fail(
		        e, PPTX_ERR_FORMAT,
		        "the .pptx (zip) file is damaged: %s; save "
		        "the deck again from PowerPoint or LibreOffice",
		        what);
	return pptx_fail(e, PPTX_ERR_FORMAT,
	                 "the .pptx (zip) file is damaged: %s %s; save the "
	                 "deck again from PowerPoint or LibreOffice",
	                 shown(name, nb), what);
}

/* A part name that could escape a folder if extracted, or that no OPC
 * part can have: empty, absolute, a drive, or a ".." segment. */
static int unsafe_name(const char *name)
{
	const char *seg = name;

	if (!name[0] || name[0] == '/' || name[0] == '\\' ||
	    (((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z') &&
	     name[1] == ':'))
		return 1;
	for (;;) {
		size_t n = strcspn(seg, "/\\");

		if (n == 2 && seg[0] == '.' && seg[1] == '.')
			return 1;
		if (!seg[n])
			return 0;
		seg += n + 1;
	}
}

static pptx_status zip64_refused(struct pptx_err *e)
{
	return pptx_fail(e, PPTX_ERR_FORMAT,
	                 "the .pptx (zip) file uses ZIP64 extensions, which "
	                 "this reader does not support (no deck needs them): "
	                 "save the deck again from PowerPoint or LibreOffice");
}

/* Find and check the end record; set the central directory's place and
 * entry count. */
static pptx_status find_eocd(const unsigned char *buf, size_t len,
                             size_t *cd_at, size_t *cd_len, size_t *count,
                             struct pptx_err *e)
{
	size_t p, stop = len > ZIP_EOCD_SEARCH ? len - ZIP_EOCD_SEARCH : 0;
	const unsigned char *q;
	uint32_t off, size;
	int found = 0;

	if (len < ZIP_EOCD_LEN)
		return damaged(e, NULL,
		               "it is too short to hold a zip end record "
		               "(truncated?)");
	/* The last signature whose comment fits in the file: a comment can
	 * hold a stray signature only before the real record. */
	for (p = len - ZIP_EOCD_LEN + 1; !found && p-- > stop;)
		found = get32(buf + p) == ZIP_SIG_EOCD &&
		        get16(buf + p + 20) <= len - p - ZIP_EOCD_LEN;
	if (!found)
		return damaged(
		        e, NULL,
		        "its end record (end of central directory) is "
		        "missing, so the file is truncated or not a zip");
	q = buf + p;
	if (get16(q + 8) == 0xFFFF || get16(q + 10) == 0xFFFF ||
	    get32(q + 12) == 0xFFFFFFFFu || get32(q + 16) == 0xFFFFFFFFu ||
	    (p >= ZIP64_LOCATOR_LEN &&
	     get32(buf + p - ZIP64_LOCATOR_LEN) == ZIP_SIG_64_LOCATOR))
		return zip64_refused(e);
	if (get16(q + 4) != 0 || get16(q + 6) != 0 ||
	    get16(q + 8) != get16(q + 10))
		return pptx_fail(e, PPTX_ERR_FORMAT,
		                 "the .pptx (zip) file spans several disks "
		                 "(a split archive): join the parts into one "
		                 "file first");
	size = get32(q + 12);
	off = get32(q + 16);
	/* The directory must end where the end record starts: with data
	 * prepended (a self-extractor) or hidden between them, the offsets
	 * would not mean what they say. */
	if ((uint64_t)off + size != p)
		return damaged(e, NULL,
		               "its central directory is not where the end "
		               "record says");
	*cd_at = off;
	*cd_len = size;
	*count = get16(q + 10);
	return PPTX_OK;
}

/* Check ent's local header against the central directory and find its
 * data and descriptor. */
static pptx_status check_local(const unsigned char *buf, size_t limit,
                               const char *name, size_t nlen, struct zr_ent *ze,
                               struct pptx_err *e)
{
	const unsigned char *h = buf + ze->local_at;
	size_t at;
	unsigned lflags;

	if ((size_t)ze->local_at > limit ||
	    limit - ze->local_at < ZIP_LOCAL_LEN || get32(h) != ZIP_SIG_LOCAL)
		return damaged(e, name,
		               "has no local header where the "
		               "central directory says");
	lflags = get16(h + 6);
	if (lflags & (ZIP_FLAG_ENCRYPTED | ZIP_FLAG_STRONG_ENC))
		return pptx_fail(e, PPTX_ERR_FORMAT,
		                 "the deck is encrypted (a zip entry is): "
		                 "remove the password in PowerPoint and save "
		                 "it again");
	at = ze->local_at + (size_t)ZIP_LOCAL_LEN;
	if (get16(h + 26) != nlen || limit - at < nlen ||
	    memcmp(buf + at, name, nlen) != 0)
		return damaged(e, name,
		               "has a local header whose name does "
		               "not match the central directory");
	if (get16(h + 8) != ze->method)
		return damaged(e, name,
		               "has a local header that does not "
		               "match the central directory");
	/* Whether a descriptor follows the data is the local header's say
	 * (it is what the data was written with); some writers leave the
	 * flag out of the central directory. */
	ze->flags = (ze->flags & ~ZIP_FLAG_DESCRIPTOR) |
	            (lflags & ZIP_FLAG_DESCRIPTOR);
	if (!(lflags & ZIP_FLAG_DESCRIPTOR) &&
	    (get32(h + 14) != ze->crc || get32(h + 18) != ze->csize ||
	     get32(h + 22) != ze->usize))
		return damaged(e, name,
		               "has sizes or a CRC in its local "
		               "header that the central directory "
		               "does not");
	at += nlen;
	if (limit - at < get16(h + 28))
		return damaged(e, name, "runs past the central directory");
	at += get16(h + 28);
	if (limit - at < ze->csize)
		return damaged(e, name, "runs past the central directory");
	ze->data_at = at;
	at += ze->csize;
	if (ze->flags & ZIP_FLAG_DESCRIPTOR) {
		/* crc, csize, usize, after an optional signature; the values
		 * must be the central directory's. */
		const unsigned char *d = buf + at;
		int ok = 0;

		if (limit - at >= 16 && get32(d) == ZIP_SIG_DESCRIPTOR &&
		    get32(d + 4) == ze->crc && get32(d + 8) == ze->csize &&
		    get32(d + 12) == ze->usize) {
			ok = 1;
			at += 16;
		} else if (limit - at >= 12 && get32(d) == ze->crc &&
		           get32(d + 4) == ze->csize &&
		           get32(d + 8) == ze->usize) {
			ok = 1;
			at += 12;
		}
		if (!ok)
			return damaged(e, name,
			               "has a data descriptor that does not "
			               "match the central directory");
	}
	ze->end = at;
	return PPTX_OK;
}

/* Refuse an entry whose declared size breaks a PPTX_READ_* limit, saying
 * which one; every message names a zip bomb, which is what it looks like. */
static pptx_status check_limits(const struct zipr *z, const char *name,
                                size_t usize, size_t input_len,
                                struct pptx_err *e)
{
	size_t total = z->total + usize;
	char nb[ZIP_NAME_SHOWN + 4];

	if (usize > PPTX_READ_MAX_PART_BYTES)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "%s would inflate to %zu MiB, over the "
		                 "reader's limit of %zu MiB a part: this looks "
		                 "like a zip bomb",
		                 shown(name, nb), usize >> 20,
		                 PPTX_READ_MAX_PART_BYTES >> 20);
	if (total > PPTX_READ_MAX_TOTAL_BYTES)
		return pptx_fail(
		        e, PPTX_ERR_LIMIT,
		        "the deck would inflate to more than %zu MiB "
		        "in all (at %s), over the reader's limit: this "
		        "looks like a zip bomb",
		        PPTX_READ_MAX_TOTAL_BYTES >> 20, shown(name, nb));
	/* Ratio over the whole input, past a floor: small decks of
	 * repetitive XML compress well, bombs compress 1000:1. */
	if (total > PPTX_READ_RATIO_FLOOR &&
	    total / PPTX_READ_MAX_RATIO > input_len)
		return pptx_fail(
		        e, PPTX_ERR_LIMIT,
		        "the deck would inflate to %zu KiB from %zu KiB "
		        "(at %s), more than the reader's limit of %d:1: "
		        "this looks like a zip bomb",
		        total >> 10, input_len >> 10, shown(name, nb),
		        PPTX_READ_MAX_RATIO);
	return PPTX_OK;
}

/* Inflate (or copy) one entry into a buffer of exactly its declared size,
 * which check_limits has passed: inflating more than it is refused, so the
 * declared size bounds the memory whatever the data says. */
static pptx_status load_entry(const unsigned char *buf, const struct zr_ent *ze,
                              z_stream *zs, int *zs_ready,
                              struct zip_entry *ent, struct pptx_err *e)
{
	size_t u = ze->usize;
	unsigned char *out;
	char nb[ZIP_NAME_SHOWN + 4];
	if (ze->method == ZIP_METHOD_STORE && ze->csize != ze->usize)
		return damaged(e, ent->name,
		               "is stored with two different sizes");
	if (!(out = malloc(u + 1)))
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory reading %s",
		                 shown(ent->name, nb));
	if (ze->method == ZIP_METHOD_STORE) {
		if (u)
			memcpy(out, buf + ze->data_at, u);
	} else {
		int r;

		if (!*zs_ready) {
			memset(zs, 0, sizeof *zs);
			if (inflateInit2(zs, -15) != Z_OK) {
				free(out);
				return pptx_fail(
				        e, PPTX_ERR_NOMEM,
				        "out of memory (inflate set-up)");
			}
			*zs_ready = 1;
		} else {
			(void)inflateReset(zs);
		}
		zs->next_in = buf + ze->data_at;
		zs->avail_in = ze->csize;
		zs->next_out = out;
		zs->avail_out = (uInt)u;
		r = inflate(zs, Z_FINISH);
		if (r == Z_BUF_ERROR && zs->avail_out == 0) {
			/* Output full, stream not ended: more is coming
			 * than the directory declared. */
			free(out);
			return damaged(
			        e, ent->name,
			        "inflates to more bytes than the central "
			        "directory declares");
		}
		if (r != Z_STREAM_END || zs->avail_out != 0) {
			free(out);
			return pptx_fail(e, PPTX_ERR_FORMAT,
			                 "cannot inflate %s: %s (the file is "
			                 "corrupt or truncated)",
			                 shown(ent->name, nb),
			                 r == Z_STREAM_END
			                         ? "it is shorter than "
			                           "declared"
			                 : zs->msg ? zs->msg
			                           : "the data ends early");
		}
	}
	if (crc_of(out, u) != ze->crc) {
		free(out);
		return damaged(e, ent->name, "fails its CRC check");
	}
	out[u] = '\0';
	ent->data = out;
	ent->len = u;
	return PPTX_OK;
}

struct zr_extent {
	size_t start, end;
};

static int cmp_extent(const void *a, const void *b)
{
	const struct zr_extent *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

pptx_status zipr_load(const unsigned char *buf, size_t len, zipr_want_fn want,
                      void *ctx, struct zipr *out, struct pptx_err *e)
{
	size_t cd_at = 0, cd_len = 0, count = 0, p, i;
	struct zr_ent *zes = NULL;
	struct zr_extent *ext = NULL;
	z_stream zs;
	int zs_ready = 0;
	pptx_status st;

	memset(out, 0, sizeof *out);
	if (len >= 8 && memcmp(buf, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
		return pptx_fail(e, PPTX_ERR_FORMAT,
		                 "this is an OLE file: a password-protected "
		                 "deck or a legacy .ppt; save it as an "
		                 "unprotected .pptx");
	if (len < 4 || memcmp(buf, "PK", 2) != 0)
		return pptx_fail(e, PPTX_ERR_FORMAT,
		                 "this is not a .pptx file (no zip signature); "
		                 "pass a PowerPoint .pptx deck");
	if (len > PPTX_MAX_INPUT_BYTES)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "the deck is %zu bytes, over the limit of %zu "
		                 "MiB",
		                 len, PPTX_MAX_INPUT_BYTES >> 20);
	st = find_eocd(buf, len, &cd_at, &cd_len, &count, e);
	if (st != PPTX_OK)
		return st;
	if (count > PPTX_READ_MAX_ENTRIES)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "the deck has more than %d zip entries",
		                 PPTX_READ_MAX_ENTRIES);
	/* Each entry takes at least ZIP_CENTRAL_LEN bytes of the directory,
	 * so the count is checked against the bytes before it sizes any
	 * allocation. */
	if (count > cd_len / ZIP_CENTRAL_LEN)
		return damaged(e, NULL,
		               "its central directory is shorter than the "
		               "number of entries it claims");
	zes = calloc(count ? count : 1, sizeof *zes);
	ext = calloc(count ? count : 1, sizeof *ext);
	out->entries = calloc(count ? count : 1, sizeof *out->entries);
	if (!zes || !ext || !out->entries) {
		st = pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0, p = cd_at; i < count; i++) {
		const unsigned char *c = buf + p;
		struct zr_ent *ze = &zes[i];
		struct zip_entry *ent = &out->entries[i];
		size_t nlen, rest = cd_at + cd_len - p;
		unsigned made_by;

		if (rest < ZIP_CENTRAL_LEN || get32(c) != ZIP_SIG_CENTRAL) {
			st = damaged(e, NULL,
			             "its central directory is cut short or "
			             "garbled");
			goto out;
		}
		nlen = get16(c + 28);
		if (rest - ZIP_CENTRAL_LEN <
		    nlen + get16(c + 30) + (size_t)get16(c + 32)) {
			st = damaged(e, NULL,
			             "its central directory is cut short");
			goto out;
		}
		if (memchr(c + ZIP_CENTRAL_LEN, '\0', nlen)) {
			st = damaged(e, NULL, "an entry name holds a NUL byte");
			goto out;
		}
		if (!(ent->name = malloc(nlen + 1))) {
			st = pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
			goto out;
		}
		memcpy(ent->name, c + ZIP_CENTRAL_LEN, nlen);
		ent->name[nlen] = '\0';
		out->n++;
		ze->flags = get16(c + 8);
		ze->method = get16(c + 10);
		ze->crc = get32(c + 16);
		ze->csize = get32(c + 20);
		ze->usize = get32(c + 24);
		ze->local_at = get32(c + 42);
		made_by = get16(c + 4) >> 8;
		if (ze->csize == 0xFFFFFFFFu || ze->usize == 0xFFFFFFFFu ||
		    ze->local_at == 0xFFFFFFFFu || get16(c + 34) == 0xFFFF) {
			st = zip64_refused(e);
			goto out;
		}
		if (get16(c + 34) != 0) {
			st = pptx_fail(
			        e, PPTX_ERR_FORMAT,
			        "the .pptx (zip) file spans several "
			        "disks (a split archive): join the parts "
			        "into one file first");
			goto out;
		}
		if ((ze->flags & (ZIP_FLAG_ENCRYPTED | ZIP_FLAG_STRONG_ENC |
		                  ZIP_FLAG_MASKED_HDR)) ||
		    ze->method == ZIP_METHOD_AES) {
			st = pptx_fail(
			        e, PPTX_ERR_FORMAT,
			        "the deck is encrypted (a zip entry is): "
			        "remove the password in PowerPoint and "
			        "save it again");
			goto out;
		}
		if (ze->method != ZIP_METHOD_STORE &&
		    ze->method != ZIP_METHOD_DEFLATE) {
			char nb[ZIP_NAME_SHOWN + 4];

			st = pptx_fail(
			        e, PPTX_ERR_FORMAT,
			        "%s uses zip compression method %u; only "
			        "stored and deflate are supported: save "
			        "the deck again from PowerPoint or "
			        "LibreOffice",
			        shown(ent->name, nb), ze->method);
			goto out;
		}
		if (unsafe_name(ent->name)) {
			char nb[ZIP_NAME_SHOWN + 4];

			st = pptx_fail(e, PPTX_ERR_FORMAT,
			               "the zip entry name \"%s\" is empty, "
			               "absolute or climbs out with \"..\"; no "
			               "deck has such a part",
			               shown(ent->name, nb));
			goto out;
		}
		ent->is_dir = ent->name[nlen - 1] == '/' ||
		              (made_by == 3 && ((get32(c + 38) >> 16) &
		                                ZIP_S_IFMT) == ZIP_S_IFDIR);
		/* Local data must come before the directory. */
		st = check_local(buf, cd_at, ent->name, nlen, ze, e);
		if (st != PPTX_OK)
			goto out;
		p += ZIP_CENTRAL_LEN + nlen + get16(c + 30) + get16(c + 32);
	}
	out->sorted = malloc((out->n + 1) * sizeof *out->sorted);
	if (!out->sorted) {
		st = pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < out->n; i++)
		out->sorted[i] = i;
	qsort_r(out->sorted, out->n, sizeof *out->sorted, cmp_name, out);
	for (i = 1; i < out->n; i++)
		if (strcmp(out->entries[out->sorted[i - 1]].name,
		           out->entries[out->sorted[i]].name) == 0) {
			char nb[ZIP_NAME_SHOWN + 4];

			st = pptx_fail(
			        e, PPTX_ERR_FORMAT,
			        "the zip holds two entries named \"%s\"; "
			        "a deck names each part once",
			        shown(out->entries[out->sorted[i]].name, nb));
			goto out;
		}
	/* Entries sharing bytes are how a small zip inflates to gigabytes
	 * under the per-entry limits: no writer produces them. */
	for (i = 0; i < out->n; i++) {
		ext[i].start = zes[i].local_at;
		ext[i].end = zes[i].end;
	}
	qsort(ext, out->n, sizeof *ext, cmp_extent);
	for (i = 1; i < out->n; i++)
		if (ext[i].start < ext[i - 1].end) {
			st = damaged(e, NULL,
			             "two of its entries overlap (a crafted "
			             "zip)");
			goto out;
		}
	/* want sees the entries in archive order, as before. Every declared
	 * size is checked against the limits before anything is inflated or
	 * allocated, so a bomb late in the archive costs nothing. */
	for (i = 0; i < out->n; i++) {
		struct zip_entry *ent = &out->entries[i];

		zes[i].load = !ent->is_dir && (!want || want(ent->name, ctx));
		if (!zes[i].load)
			continue;
		st = check_limits(out, ent->name, zes[i].usize, len, e);
		if (st != PPTX_OK)
			goto out;
		out->total += zes[i].usize;
	}
	for (i = 0; i < out->n; i++) {
		if (!zes[i].load)
			continue;
		st = load_entry(buf, &zes[i], &zs, &zs_ready, &out->entries[i],
		                e);
		if (st != PPTX_OK)
			goto out;
	}
	st = PPTX_OK;
out:
	if (zs_ready)
		(void)inflateEnd(&zs);
	free(zes);
	free(ext);
	if (st != PPTX_OK)
		zipr_free(out);
	return st;
}

static int zipr_reindex(struct zipr *z)
{
	size_t *ns = realloc(z->sorted, (z->n + 1) * sizeof *ns), i;

	if (!ns)
		return -1;
	z->sorted = ns;
	for (i = 0; i < z->n; i++)
		z->sorted[i] = i;
	qsort_r(z->sorted, z->n, sizeof *z->sorted, cmp_name, z);
	return 0;
}

pptx_status zipr_put(struct zipr *z, const char *name, const void *data,
                     size_t len, struct pptx_err *e)
{
	struct zip_entry *ent = zipr_find(z, name);
	unsigned char *copy = malloc(len + 1);

	if (!copy)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	memcpy(copy, data, len);
	copy[len] = '\0';
	if (ent) {
		free(ent->data);
		ent->data = copy;
		ent->len = len;
		return PPTX_OK;
	}
	ent = realloc(z->entries, (z->n + 1) * sizeof *ent);
	if (!ent) {
		free(copy);
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	}
	z->entries = ent;
	ent = &z->entries[z->n];
	memset(ent, 0, sizeof *ent);
	ent->name = strdup(name);
	if (!ent->name) {
		free(copy);
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	}
	ent->data = copy;
	ent->len = len;
	z->n++;
	if (zipr_reindex(z) != 0)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	return PPTX_OK;
}

void zipr_remove(struct zipr *z, const char *name)
{
	struct zip_entry *ent = zipr_find(z, name);
	size_t at;

	if (!ent)
		return;
	at = (size_t)(ent - z->entries);
	free(ent->name);
	free(ent->data);
	memmove(ent, ent + 1, (z->n - at - 1) * sizeof *ent);
	z->n--;
	/* Shrinking never fails to reuse the index array. */
	(void)zipr_reindex(z);
}
