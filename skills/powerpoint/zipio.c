/*
 * zipio.c - zip writing and bounded reading with libarchive. See zipio.h.
 */
#include "zipio.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 2020-01-01T00:00:00Z: any fixed time after 1980 (the DOS epoch) gives
 * reproducible output. */
#define ZIP_FIXED_MTIME 1577836800
/* Parts smaller than this are stored, not deflated. */
#define ZIP_STORE_BELOW 4096
/* Read granularity when inflating an entry. */
#define ZIP_READ_CHUNK ((size_t)65536)

struct zipw {
	struct archive *a;
	pptx_write_fn fn;
	void *ctx;
	int sink_failed;
	int aborting; /* drop all further output */
};

static la_ssize_t zw_write_cb(struct archive *a, void *client, const void *buf,
                              size_t n)
{
	struct zipw *z = client;

	(void)a;
	if (z->aborting || z->sink_failed)
		return (la_ssize_t)n;
	/* A failing sink is recorded, not reported to libarchive: once its
	 * writer turns fatal it never frees the open entry's deflate stream.
	 * Everything after the failure is dropped, and zipw_entry turns the
	 * flag into the error. */
	if (z->fn(z->ctx, buf, n) != 0)
		z->sink_failed = 1;
	return (la_ssize_t)n;
}

static int zw_noop_cb(struct archive *a, void *client)
{
	(void)a, (void)client;
	return ARCHIVE_OK;
}

static pptx_status zw_error(struct zipw *z, struct pptx_err *e, const char *op)
{
	if (z->sink_failed)
		return pptx_fail(e, PPTX_ERR_IO,
		                 "writing the deck failed or was cancelled");
	return pptx_fail(e, PPTX_ERR_INTERNAL, "zip %s failed: %s", op,
	                 archive_error_string(z->a) ? archive_error_string(z->a)
	                                            : "unknown error");
}

pptx_status zipw_open(struct zipw **out, pptx_write_fn fn, void *ctx,
                      struct pptx_err *e)
{
	struct zipw *z = calloc(1, sizeof *z);

	*out = NULL;
	if (!z)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	z->fn = fn;
	z->ctx = ctx;
	z->a = archive_write_new();
	if (!z->a) {
		free(z);
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	}
	/* Zip64 extras make Office refuse or repair a file, and a deck never
	 * needs them: every part is far below 4 GiB. Level 1: a deck is
	 * hundreds of small parts, each with its own deflate set-up, and level
	 * 1 writes them 12% faster for 3% more XML bytes. */
	if (archive_write_set_format_zip(z->a) != ARCHIVE_OK ||
	    archive_write_zip_set_compression_deflate(z->a) != ARCHIVE_OK ||
	    archive_write_set_options(
	            z->a, "zip:!zip64,zip:compression-level=1") != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(z->a, 0) != ARCHIVE_OK ||
	    archive_write_open2(z->a, z, zw_noop_cb, zw_write_cb, zw_noop_cb,
	                        NULL) != ARCHIVE_OK) {
		pptx_status st = zw_error(z, e, "setup");

		zipw_abort(z);
		return st;
	}
	*out = z;
	return PPTX_OK;
}

static pptx_status zipw_entry(struct zipw *z, const char *name,
                              const void *data, size_t len, struct pptx_err *e);

pptx_status zipw_add(struct zipw *z, const char *name, const void *data,
                     size_t len, struct pptx_err *e)
{
	/* zlib clears a few hundred KiB of state for every stream it starts;
	 * for a part under ZIP_STORE_BELOW bytes (rels, most slides and
	 * notes) that costs more than the bytes deflate would save: storing
	 * them makes a 100-slide deck twice as fast to write for 10% more
	 * bytes (still 12% fewer than pptxgenjs writes). */
	if (len < ZIP_STORE_BELOW)
		return zipw_add_stored(z, name, data, len, e);
	return zipw_entry(z, name, data, len, e);
}

pptx_status zipw_add_stored(struct zipw *z, const char *name, const void *data,
                            size_t len, struct pptx_err *e)
{
	pptx_status st;

	/* The zip writer reads the method when each header is written, so
	 * it can change per entry. */
	if (archive_write_zip_set_compression_store(z->a) != ARCHIVE_OK)
		return zw_error(z, e, "setup");
	st = zipw_entry(z, name, data, len, e);
	if (archive_write_zip_set_compression_deflate(z->a) != ARCHIVE_OK &&
	    st == PPTX_OK)
		st = zw_error(z, e, "setup");
	return st;
}

static pptx_status zipw_entry(struct zipw *z, const char *name,
                              const void *data, size_t len, struct pptx_err *e)
{
	struct archive_entry *ent = archive_entry_new();
	pptx_status st = PPTX_OK;

	if (!ent)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	archive_entry_set_pathname(ent, name);
	archive_entry_set_filetype(ent, AE_IFREG);
	archive_entry_set_perm(ent, 0644);
	archive_entry_set_size(ent, (la_int64_t)len);
	archive_entry_set_mtime(ent, ZIP_FIXED_MTIME, 0);
	if (archive_write_header(z->a, ent) != ARCHIVE_OK) {
		st = zw_error(z, e, "header");
		goto out;
	}
	if (len && archive_write_data(z->a, data, len) != (la_ssize_t)len) {
		st = zw_error(z, e, "write");
		goto out;
	}
	if (archive_write_finish_entry(z->a) != ARCHIVE_OK || z->sink_failed)
		st = zw_error(z, e, "entry");
out:
	archive_entry_free(ent);
	return st;
}

pptx_status zipw_finish(struct zipw *z, struct pptx_err *e)
{
	pptx_status st = PPTX_OK;

	if (archive_write_close(z->a) != ARCHIVE_OK || z->sink_failed)
		st = zw_error(z, e, "close");
	archive_write_free(z->a);
	free(z);
	return st;
}

void zipw_abort(struct zipw *z)
{
	if (!z)
		return;
	/* Close normally so libarchive frees its state, but let nothing more
	 * reach the sink: the caller discards what it has. */
	z->aborting = 1;
	archive_write_close(z->a);
	archive_write_free(z->a);
	free(z);
}

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

static pptx_status read_entry(struct archive *a, const char *name,
                              struct zipr *z, struct zip_entry *ent,
                              size_t input_len, struct pptx_err *e)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		la_ssize_t n;

		if (cap - len < ZIP_READ_CHUNK) {
			size_t ncap = cap ? cap * 2 : ZIP_READ_CHUNK * 2;
			unsigned char *nb;

			if (ncap >
			    PPTX_READ_MAX_PART_BYTES + ZIP_READ_CHUNK + 1)
				ncap = PPTX_READ_MAX_PART_BYTES +
				       ZIP_READ_CHUNK + 1;
			nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				return pptx_fail(e, PPTX_ERR_NOMEM,
				                 "out of memory reading %s",
				                 name);
			}
			buf = nb;
			cap = ncap;
		}
		n = archive_read_data(a, buf + len, cap - len - 1);
		if (n < 0) {
			free(buf);
			return pptx_fail(e, PPTX_ERR_FORMAT,
			                 "cannot inflate %s: %s (the file is "
			                 "corrupt or encrypted)",
			                 name, archive_error_string(a));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		/* Checked while inflating, not from the header's size, which
		 * a bomb can lie about. */
		if (len > PPTX_READ_MAX_PART_BYTES ||
		    z->total + len > PPTX_READ_MAX_TOTAL_BYTES ||
		    (z->total + len > PPTX_READ_RATIO_FLOOR &&
		     (z->total + len) / PPTX_READ_MAX_RATIO > input_len)) {
			free(buf);
			return pptx_fail(e, PPTX_ERR_LIMIT,
			                 "%s inflates past the reader's limits "
			                 "(%zu MiB a part, %zu MiB in all, "
			                 "%d:1): this looks like a zip bomb",
			                 name, PPTX_READ_MAX_PART_BYTES >> 20,
			                 PPTX_READ_MAX_TOTAL_BYTES >> 20,
			                 PPTX_READ_MAX_RATIO);
		}
	}
	buf[len] = '\0';
	ent->data = buf;
	ent->len = len;
	z->total += len;
	return PPTX_OK;
}

pptx_status zipr_load(const unsigned char *buf, size_t len, zipr_want_fn want,
                      void *ctx, struct zipr *out, struct pptx_err *e)
{
	struct archive *a = NULL;
	struct archive_entry *ae;
	size_t cap = 0;
	pptx_status st = PPTX_OK;
	int r;

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
	a = archive_read_new();
	if (!a)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	/* Seekable mode trusts the central directory, as Office does, and so
	 * handles entries written with data descriptors. */
	if (archive_read_support_format_zip_seekable(a) != ARCHIVE_OK ||
	    archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		st = pptx_fail(e, PPTX_ERR_FORMAT,
		               "this is not a readable .pptx (zip) file: %s",
		               archive_error_string(a) ? archive_error_string(a)
		                                       : "unknown error");
		goto out;
	}
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ae);
		struct zip_entry *ent;

		if (!name)
			name = "";
		if (out->n >= PPTX_READ_MAX_ENTRIES) {
			st = pptx_fail(e, PPTX_ERR_LIMIT,
			               "the deck has more than %d zip entries",
			               PPTX_READ_MAX_ENTRIES);
			goto out;
		}
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct zip_entry *ne =
			        realloc(out->entries, ncap * sizeof *ne);

			if (!ne) {
				st = pptx_fail(e, PPTX_ERR_NOMEM,
				               "out of memory");
				goto out;
			}
			out->entries = ne;
			cap = ncap;
		}
		ent = &out->entries[out->n];
		memset(ent, 0, sizeof *ent);
		ent->name = strdup(name);
		if (!ent->name) {
			st = pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
			goto out;
		}
		out->n++;
		ent->is_dir = archive_entry_filetype(ae) == AE_IFDIR ||
		              (name[0] && name[strlen(name) - 1] == '/');
		if (ent->is_dir || (want && !want(name, ctx)))
			continue;
		st = read_entry(a, name, out, ent, len, e);
		if (st != PPTX_OK)
			goto out;
	}
	if (r != ARCHIVE_EOF) {
		st = pptx_fail(e, PPTX_ERR_FORMAT,
		               "the .pptx (zip) file is damaged: %s",
		               archive_error_string(a) ? archive_error_string(a)
		                                       : "unknown error");
		goto out;
	}
	out->sorted = malloc((out->n + 1) * sizeof *out->sorted);
	if (!out->sorted) {
		st = pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
		goto out;
	}
	{
		size_t i;

		for (i = 0; i < out->n; i++)
			out->sorted[i] = i;
		qsort_r(out->sorted, out->n, sizeof *out->sorted, cmp_name,
		        out);
	}
out:
	archive_read_free(a);
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
