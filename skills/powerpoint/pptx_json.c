/*
 * pptx_json.c - JSON arguments to the model and the read result. See
 * pptx_json.h.
 */
#include "pptx_json.h"

#include "pptx_write.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

/* Base64 digit values; B64_WS for skippable whitespace, B64_PAD for '=',
 * B64_BAD for everything else. Both alphabets decode. */
#define B64_BAD 0xFF
#define B64_WS  0xFE
#define B64_PAD 0xFD

static unsigned char b64_table[256];
/* The fast path's tables: a digit's 6 bits already shifted to its place in
 * a quad's 24 bits, or B64_QUAD_BAD for anything else, so one OR of four
 * lookups both assembles the bytes and flags a character it cannot take. */
#define B64_QUAD_BAD 0x80000000u
static uint32_t b64_quad[4][256];

#if defined(__x86_64__) && defined(__GNUC__)
#define B64_AVX2 1
/* Decode s[0..32) to 24 bytes at o, writing 32 (the last 8 are scratch);
 * -1, writing nothing, when any of the 32 is not a digit of the standard
 * alphabet (padding, whitespace, the URL-safe digits, junk: the scalar
 * paths take those). Wojciech Mula's lookup method: the high and low
 * nibble of each character index two bit tables that share no bit exactly
 * for the 64 digits, and a third table gives what to add to a digit to get
 * its value. Eight times the table loop's speed, on megabytes of images. */
__attribute__((target("avx2"))) static int b64_block32(const unsigned char *s,
                                                       unsigned char *o)
{
	const __m256i lut_lo = _mm256_setr_epi8(
	        0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	        0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A, 0x15, 0x11, 0x11, 0x11,
	        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B,
	        0x1B, 0x1A);
	const __m256i lut_hi = _mm256_setr_epi8(
	        0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10,
	        0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x01, 0x02,
	        0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
	        0x10, 0x10);
	/* By high nibble: '+' +19, '0'-'9' +4, 'A'-'Z' -65, 'a'-'z' -71;
	 * index 1 is '/' (+16), moved there from 2 below. */
	const __m256i lut_roll = _mm256_setr_epi8(
	        0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16,
	        19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
	const __m256i nib = _mm256_set1_epi8(0x0F);
	__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)s);
	__m256i hi = _mm256_and_si256(_mm256_srli_epi32(x, 4), nib);
	__m256i lo = _mm256_and_si256(x, nib);
	__m256i eq_slash;

	if (!_mm256_testz_si256(_mm256_shuffle_epi8(lut_lo, lo),
	                        _mm256_shuffle_epi8(lut_hi, hi)))
		return -1;
	eq_slash = _mm256_cmpeq_epi8(x, _mm256_set1_epi8('/'));
	x = _mm256_add_epi8(
	        x,
	        _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(eq_slash, hi)));
	/* Per 16-bit lane a << 6 | b, per 32-bit lane ab << 12 | cd: the
	 * 24 bits of three bytes, then those bytes in order, 12 per 128-bit
	 * half, and the halves closed up. */
	x = _mm256_maddubs_epi16(x, _mm256_set1_epi32(0x01400140));
	x = _mm256_madd_epi16(x, _mm256_set1_epi32(0x00011000));
	x = _mm256_shuffle_epi8(
	        x, _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1,
	                            -1, -1, -1, 2, 1, 0, 6, 5, 4, 10, 9, 8, 14,
	                            13, 12, -1, -1, -1, -1));
	x = _mm256_permutevar8x32_epi32(
	        x, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7));
	_mm256_storeu_si256((__m256i *)(void *)o, x);
	return 0;
}

static int b64_have_avx2;
#endif

static void b64_fill(void)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	                            "qrstuvwxyz0123456789";
	int i, k;

	memset(b64_table, B64_BAD, sizeof b64_table);
	for (i = 0; i < 62; i++)
		b64_table[(unsigned char)alpha[i]] = (unsigned char)i;
	b64_table['+'] = b64_table['-'] = 62;
	b64_table['/'] = b64_table['_'] = 63;
	b64_table[' '] = b64_table['\n'] = b64_table['\r'] = B64_WS;
	b64_table['\t'] = B64_WS;
	b64_table['='] = B64_PAD;
	for (k = 0; k < 4; k++)
		for (i = 0; i < 256; i++)
			b64_quad[k][i] = b64_table[i] > 63
			                         ? B64_QUAD_BAD
			                         : (uint32_t)b64_table[i]
			                                   << (18 - 6 * k);
#ifdef B64_AVX2
	b64_have_avx2 = __builtin_cpu_supports("avx2");
#endif
}

/* Calls run on many threads at once: fill the tables exactly once. */
static void b64_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, b64_fill);
}

int pptx_b64_decode_with(const char *in, size_t n, size_t cap,
                         void *(*alloc)(void *ctx, size_t size), void *ctx,
                         unsigned char **out, size_t *out_len)
{
	const unsigned char *s;
	const char *comma;
	unsigned char *buf;
	size_t i = 0, o = 0, pad = 0;
	uint32_t acc = 0;
	int bits = 0;

	*out = NULL;
	*out_len = 0;
	b64_init();
	if (n > 5 && memcmp(in, "data:", 5) == 0 &&
	    (comma = memchr(in, ',', n < 256 ? n : 256)) != NULL) {
		n -= (size_t)(comma + 1 - in);
		in = comma + 1;
	}
	/* Bound the output before allocating: 3 bytes per 4 characters. */
	if (n / 4 * 3 > cap + 3)
		return -2;
	buf = alloc(ctx, n / 4 * 3 + 4);
	if (!buf)
		return -3;
	s = (const unsigned char *)in;
	while (i < n) {
		unsigned v;

#ifdef B64_AVX2
		/* 32 digits at a time. Not within 64 characters of the end:
		 * the block writes 32 bytes for 24, and o stays at most 3/4
		 * of i, so the scratch bytes land inside buf (and, when buf
		 * is in itself, on what has been read already). */
		while (b64_have_avx2 && bits == 0 && n - i >= 64 &&
		       b64_block32(s + i, buf + o) == 0) {
			o += 24;
			i += 32;
		}
#endif
		/* Four plain digits make three bytes. Images are megabytes of
		 * base64, so these loops are the hot ones. */
		while (bits == 0 && n - i >= 4) {
			uint32_t q = b64_quad[0][s[i]] | b64_quad[1][s[i + 1]] |
			             b64_quad[2][s[i + 2]] |
			             b64_quad[3][s[i + 3]];

			if (q & B64_QUAD_BAD)
				break;
			buf[o] = (unsigned char)(q >> 16);
			buf[o + 1] = (unsigned char)(q >> 8);
			buf[o + 2] = (unsigned char)q;
			o += 3;
			i += 4;
		}
		if (i >= n)
			break;
		v = b64_table[s[i++]];
		if (v == B64_WS)
			continue;
		if (v == B64_PAD) {
			pad++;
			continue;
		}
		if (v == B64_BAD || pad)
			return -1;
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* 6 leftover bits cannot come from whole bytes. */
	if (bits >= 6 || pad > 2 || o > cap)
		return o > cap ? -2 : -1;
	*out = buf;
	*out_len = o;
	return 0;
}

/* malloc, remembering the block in *ctx so that a failed decode frees it. */
static void *b64_malloc(void *ctx, size_t size)
{
	unsigned char **held = ctx;

	*held = malloc(size);
	return *held;
}

int pptx_b64_decode(const char *in, size_t n, size_t cap, unsigned char **out,
                    size_t *out_len)
{
	unsigned char *held = NULL;
	int rc = pptx_b64_decode_with(in, n, cap, b64_malloc, &held, out,
	                              out_len);

	if (rc != 0)
		free(held);
	return rc;
}

static pptx_status get_string(struct pptx_deck *d, const cJSON *obj,
                              const char *key, size_t slide, const char **out,
                              struct pptx_err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return PPTX_OK;
	if (!cJSON_IsString(v))
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: \"%s\" must be a string", slide,
		                 key);
	*out = pptx_strndup(d, v->valuestring, strlen(v->valuestring));
	if (!*out)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	return PPTX_OK;
}

/* Refuse keys the tool does not know: a misspelt or unsupported key
 * ("color", "bold") would otherwise be dropped without a word. allowed is
 * a NULL-terminated list. */
static pptx_status check_keys(const cJSON *obj, const char *const *allowed,
                              size_t slide, const char *what,
                              struct pptx_err *e)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, obj)
	{
		const char *const *a;
		char list[256];
		size_t n = 0;

		for (a = allowed; *a && strcmp(*a, it->string); a++)
			;
		if (*a)
			continue;
		for (a = allowed; *a && n < sizeof list; a++)
			n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
			                      n ? ", " : "", *a);
		if (!slide) /* deck-level objects (the theme) */
			return pptx_fail(e, PPTX_ERR_INPUT,
			                 "%s has no key \"%.40s\"; the keys it "
			                 "takes are %s",
			                 what, it->string, list);
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: %s has no key \"%.40s\"; the keys "
		                 "it takes are %s",
		                 slide, what, it->string, list);
	}
	return PPTX_OK;
}

static pptx_status parse_list(struct pptx_deck *d, const cJSON *arr,
                              size_t slide, const char *what,
                              struct pptx_list *out, struct pptx_err *e)
{
	const cJSON *it;
	size_t i = 0, n;

	memset(out, 0, sizeof *out);
	if (!arr || cJSON_IsNull(arr))
		return PPTX_OK;
	if (!cJSON_IsArray(arr))
		return pptx_fail(
		        e, PPTX_ERR_INPUT,
		        "slide %zu: \"%s\" must be an array of strings "
		        "or {\"text\", \"level\"} objects",
		        slide, what);
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > PPTX_MAX_PARAS)
		return pptx_fail(
		        e, PPTX_ERR_LIMIT,
		        "slide %zu has %zu %s, more than %d; split them "
		        "across slides",
		        slide, n, what, PPTX_MAX_PARAS);
	out->items = pptx_alloc(d, (n ? n : 1) * sizeof *out->items);
	if (!out->items)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(it, arr)
	{
		struct pptx_para *p = &out->items[i++];
		const cJSON *text = it, *lvl = NULL;

		if (cJSON_IsObject(it)) {
			static const char *const keys[] = {"text", "level",
			                                   NULL};
			pptx_status st = check_keys(it, keys, slide,
			                            "a bullet object", e);

			if (st != PPTX_OK)
				return st;
			text = cJSON_GetObjectItemCaseSensitive(it, "text");
			lvl = cJSON_GetObjectItemCaseSensitive(it, "level");
		}
		if (!cJSON_IsString(text))
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: %s item %zu must be a string "
			        "or {\"text\": string, \"level\": 0-%d}",
			        slide, what, i, PPTX_MAX_LEVEL);
		if (lvl && !cJSON_IsNull(lvl)) {
			double v = cJSON_GetNumberValue(lvl);

			if (!cJSON_IsNumber(lvl) || v != floor(v) || v < 0 ||
			    v > PPTX_MAX_LEVEL)
				return pptx_fail(
				        e, PPTX_ERR_INPUT,
				        "slide %zu: %s item %zu has "
				        "level %s; use an integer from 0 "
				        "to %d",
				        slide, what, i,
				        cJSON_IsNumber(lvl) ? "out of range"
				                            : "not a number",
				        PPTX_MAX_LEVEL);
			p->level = (int)v;
		}
		p->text = pptx_strndup(d, text->valuestring,
		                       strlen(text->valuestring));
		if (!p->text)
			return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	}
	out->n = i;
	return PPTX_OK;
}

static const char *cell_text(struct pptx_deck *d, const cJSON *v)
{
	char num[64];

	if (cJSON_IsString(v))
		return pptx_strndup(d, v->valuestring, strlen(v->valuestring));
	if (cJSON_IsNumber(v)) {
		double x = v->valuedouble;

		if (x == floor(x) && fabs(x) < 1e15)
			snprintf(num, sizeof num, "%.0f", x);
		else
			snprintf(num, sizeof num, "%.15g", x);
		return pptx_strndup(d, num, strlen(num));
	}
	if (cJSON_IsBool(v))
		return pptx_strndup(d, cJSON_IsTrue(v) ? "true" : "false",
		                    cJSON_IsTrue(v) ? 4 : 5);
	if (!v || cJSON_IsNull(v))
		return pptx_strndup(d, "", 0);
	return NULL;
}

static pptx_status parse_table(struct pptx_deck *d, const cJSON *tj,
                               size_t slide, struct pptx_slide *s,
                               struct pptx_err *e)
{
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(tj, "columns");
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(tj, "rows");
	const cJSON *row, *c;
	struct pptx_table *t;
	size_t ncols, nrows, r = 0, k;

	if (!cJSON_IsObject(tj) || !cJSON_IsArray(cols) ||
	    cJSON_GetArraySize(cols) == 0)
		return pptx_fail(
		        e, PPTX_ERR_INPUT,
		        "slide %zu: \"table\" must be {\"columns\": "
		        "[header strings], \"rows\": [[cells]]} with at "
		        "least one column",
		        slide);
	static const char *const keys[] = {"columns", "rows", "split", NULL};
	const cJSON *split = cJSON_GetObjectItemCaseSensitive(tj, "split");

	if (check_keys(tj, keys, slide, "\"table\"", e) != PPTX_OK)
		return e->status;
	if (rows && !cJSON_IsNull(rows) && !cJSON_IsArray(rows))
		return pptx_fail(
		        e, PPTX_ERR_INPUT,
		        "slide %zu: table \"rows\" must be an array of "
		        "arrays",
		        slide);
	ncols = (size_t)cJSON_GetArraySize(cols);
	nrows = rows ? (size_t)cJSON_GetArraySize(rows) : 0;
	if (ncols > PPTX_MAX_TABLE_COLS)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "slide %zu: the table has %zu columns, more "
		                 "than %d",
		                 slide, ncols, PPTX_MAX_TABLE_COLS);
	if (nrows > PPTX_MAX_TABLE_ROWS)
		return pptx_fail(e, PPTX_ERR_LIMIT,
		                 "slide %zu: the table has %zu rows, more than "
		                 "%d; split it across slides",
		                 slide, nrows, PPTX_MAX_TABLE_ROWS);
	if (split && !cJSON_IsNull(split) && !cJSON_IsBool(split))
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: table \"split\" must be true or "
		                 "false",
		                 slide);
	t = pptx_alloc(d, sizeof *t);
	if (!t)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	t->split = cJSON_IsTrue(split);
	t->ncols = ncols;
	t->nrows = nrows + 1;
	t->cells = pptx_alloc(d, t->ncols * t->nrows * sizeof *t->cells);
	if (!t->cells)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	k = 0;
	cJSON_ArrayForEach(c, cols)
	{
		if (!cJSON_IsString(c) && !cJSON_IsNumber(c))
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: table column %zu must be a "
			        "string",
			        slide, k + 1);
		if (!(t->cells[k++] = cell_text(d, c)))
			return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	}
	cJSON_ArrayForEach(row, rows)
	{
		size_t col = 0;

		r++;
		if (!cJSON_IsArray(row))
			return pptx_fail(e, PPTX_ERR_INPUT,
			                 "slide %zu: table row %zu must be an "
			                 "array of cells",
			                 slide, r);
		if ((size_t)cJSON_GetArraySize(row) > ncols)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: table row %zu has %d cells "
			        "but the table has %zu columns",
			        slide, r, cJSON_GetArraySize(row), ncols);
		cJSON_ArrayForEach(c, row)
		{
			const char *txt = cell_text(d, c);

			if (!txt && (cJSON_IsArray(c) || cJSON_IsObject(c)))
				return pptx_fail(
				        e, PPTX_ERR_INPUT,
				        "slide %zu: table row %zu cell "
				        "%zu must be a string or a number",
				        slide, r, col + 1);
			if (!txt)
				return pptx_fail(e, PPTX_ERR_NOMEM,
				                 "out of memory");
			t->cells[r * ncols + col++] = txt;
		}
		/* Short rows are padded: models often drop trailing empty
		 * cells. */
		for (; col < ncols; col++)
			t->cells[r * ncols + col] = "";
	}
	s->tables = t;
	s->ntables = 1;
	return PPTX_OK;
}

static void *arena_alloc(void *ctx, size_t size)
{
	return pptx_alloc_uninit(ctx, size);
}

/* The base64 text itself as the output buffer (see pptx_b64_decode_with). */
static void *in_place(void *ctx, size_t size)
{
	(void)size;
	return ctx;
}

static void release_json_string(void *p)
{
	cJSON_free(p);
}

/* Decode data's base64 where cJSON put it and make that block the deck's,
 * leaving "" in data: the text was the biggest block the call had touched,
 * and a second one for the image cost 2 MB of fresh pages per 100-slide
 * deck. Only for args given up with pptx_json_deck_take. */
static int take_image(struct pptx_deck *d, cJSON *data, unsigned char **raw,
                      size_t *len)
{
	char *text = data->valuestring;
	cJSON *empty;
	int rc = pptx_b64_decode_with(text, strlen(text), PPTX_MAX_IMAGE_BYTES,
	                              in_place, text, raw, len);

	if (rc != 0)
		return rc;
	/* cJSON frees valuestring with its own hooks: the swap gives data an
	 * empty string from the same allocator, and the deck releases the
	 * taken block with cJSON_free. */
	empty = cJSON_CreateString("");
	if (!empty || pptx_adopt(d, text, release_json_string) != 0) {
		cJSON_Delete(empty);
		*raw = NULL;
		return -3;
	}
	data->valuestring = empty->valuestring;
	empty->valuestring = NULL;
	cJSON_Delete(empty);
	return 0;
}

static pptx_status parse_image(struct pptx_deck *d, const cJSON *ij,
                               size_t slide, int take, struct pptx_slide *s,
                               struct pptx_err *e)
{
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(ij, "data");
	const cJSON *mime = cJSON_GetObjectItemCaseSensitive(ij, "mime");
	static const char *const keys[] = {"data", "mime", "alt", NULL};
	struct pptx_image *im;
	enum img_type want;
	unsigned char *raw = NULL;
	size_t len = 0;
	char why[160];
	pptx_status st = PPTX_OK;
	int rc;

	if (!cJSON_IsObject(ij) || !cJSON_IsString(data) ||
	    !cJSON_IsString(mime))
		return pptx_fail(
		        e, PPTX_ERR_INPUT,
		        "slide %zu: \"image\" must be {\"data\": base64 "
		        "string, \"mime\": \"image/png\" or "
		        "\"image/jpeg\", \"alt\": string}",
		        slide);
	if (check_keys(ij, keys, slide, "\"image\"", e) != PPTX_OK)
		return e->status;
	if (strcmp(mime->valuestring, "image/png") == 0)
		want = IMG_PNG;
	else if (strcmp(mime->valuestring, "image/jpeg") == 0)
		want = IMG_JPEG;
	else if (strcmp(mime->valuestring, "image/jpg") == 0)
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: \"image/jpg\" is not a registered "
		                 "MIME type and makes PowerPoint repair the "
		                 "file; use \"image/jpeg\"",
		                 slide);
	else
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: image MIME type \"%.40s\" is not "
		                 "supported; convert the image to PNG or JPEG "
		                 "and use \"image/png\" or \"image/jpeg\"",
		                 slide, mime->valuestring);
	/* Straight into the arena (the decoded bytes are the image's), or in
	 * place when the caller gave args up: ij is then theirs to change. */
	if (take)
		rc = take_image(d, (cJSON *)data, &raw, &len);
	else
		rc = pptx_b64_decode_with(
		        data->valuestring, strlen(data->valuestring),
		        PPTX_MAX_IMAGE_BYTES, arena_alloc, d, &raw, &len);
	if (rc == -2)
		return pptx_fail(
		        e, PPTX_ERR_LIMIT,
		        "slide %zu: the image is over the limit of %zu "
		        "MiB; resize or recompress it",
		        slide, PPTX_MAX_IMAGE_BYTES >> 20);
	if (rc == -3)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	if (rc != 0)
		return pptx_fail(
		        e, PPTX_ERR_INPUT,
		        "slide %zu: image \"data\" is not valid base64", slide);
	im = pptx_alloc(d, sizeof *im);
	if (!im) {
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	}
	if (img_probe(raw, len, &im->info, why, sizeof why) != 0) {
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: unusable image: %s", slide, why);
	}
	if (im->info.type != want) {
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: the image data is a %s but "
		                 "\"mime\" says %s; set \"mime\" to \"%s\"",
		                 slide, img_mime(im->info.type),
		                 mime->valuestring, img_mime(im->info.type));
	}
	im->data = raw;
	im->len = len;
	st = get_string(d, ij, "alt", slide, &im->alt, e);
	if (st != PPTX_OK)
		return st;
	s->images = im;
	s->nimages = 1;
	return PPTX_OK;
}

static pptx_status chart_string(struct pptx_deck *d, const cJSON *cj,
                                const char *key, size_t slide, const char **out,
                                struct pptx_err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return PPTX_OK;
	if (!cJSON_IsString(v))
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: chart \"%s\" must be a string",
		                 slide, key);
	if (!(*out = pptx_strndup(d, v->valuestring, strlen(v->valuestring))))
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	return PPTX_OK;
}

static pptx_status parse_chart(struct pptx_deck *d, const cJSON *cj,
                               size_t slide, struct pptx_slide *s,
                               struct pptx_err *e)
{
	static const char *const keys[] = {
	        "type",    "title",       "categories", "series", "x_title",
	        "y_title", "data_labels", "legend",     NULL};
	static const char *const ser_keys[] = {"name", "values", NULL};
	static const char *const legends[] = {[PPTX_LEGEND_BOTTOM] = "bottom",
	                                      [PPTX_LEGEND_RIGHT] = "right",
	                                      [PPTX_LEGEND_TOP] = "top",
	                                      [PPTX_LEGEND_LEFT] = "left",
	                                      [PPTX_LEGEND_NONE] = "none"};
	const cJSON *type, *cats, *series, *v, *it;
	struct pptx_chart *c;
	pptx_status st;
	size_t k, i;
	int t;

	if (!cJSON_IsObject(cj))
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: \"chart\" must be an object "
		                 "{\"type\", \"categories\", \"series\"}",
		                 slide);
	if ((st = check_keys(cj, keys, slide, "\"chart\"", e)) != PPTX_OK)
		return st;
	type = cJSON_GetObjectItemCaseSensitive(cj, "type");
	if (!cJSON_IsString(type) ||
	    (t = pptx_chart_type_parse(type->valuestring)) < 0)
		return pptx_fail(
		        e, PPTX_ERR_INPUT,
		        "slide %zu: chart \"type\" must be one of bar, "
		        "column, line, pie, doughnut, area, scatter",
		        slide);
	cats = cJSON_GetObjectItemCaseSensitive(cj, "categories");
	series = cJSON_GetObjectItemCaseSensitive(cj, "series");
	if (!cJSON_IsArray(cats) || cJSON_GetArraySize(cats) == 0)
		return pptx_fail(
		        e, PPTX_ERR_INPUT,
		        "slide %zu: chart \"categories\" must be a "
		        "non-empty array of labels (scatter: x values)",
		        slide);
	if (!cJSON_IsArray(series) || cJSON_GetArraySize(series) == 0)
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu: chart \"series\" must be a "
		                 "non-empty array of {\"name\", \"values\"}",
		                 slide);
	if (cJSON_GetArraySize(cats) > PPTX_MAX_CHART_POINTS ||
	    cJSON_GetArraySize(series) > PPTX_MAX_CHART_SERIES)
		return pptx_fail(
		        e, PPTX_ERR_LIMIT,
		        "slide %zu: a chart takes at most %d categories "
		        "and %d series; summarise the data or split it",
		        slide, PPTX_MAX_CHART_POINTS, PPTX_MAX_CHART_SERIES);
	if (!(c = pptx_alloc(d, sizeof *c)))
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	c->type = (enum pptx_chart_type)t;
	c->ncats = (size_t)cJSON_GetArraySize(cats);
	c->nseries = (size_t)cJSON_GetArraySize(series);
	c->cats = pptx_alloc(d, c->ncats * sizeof *c->cats);
	c->series = pptx_alloc(d, c->nseries * sizeof *c->series);
	if (c->type == PPTX_CHART_SCATTER)
		c->cat_num = pptx_alloc(d, c->ncats * sizeof *c->cat_num);
	if (!c->cats || !c->series ||
	    (c->type == PPTX_CHART_SCATTER && !c->cat_num))
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	k = 0;
	cJSON_ArrayForEach(it, cats)
	{
		if (c->cat_num && !cJSON_IsNumber(it))
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: a scatter chart's categories are "
			        "its x values; category %zu is not a number",
			        slide, k + 1);
		if (c->cat_num)
			c->cat_num[k] = it->valuedouble;
		if (!cJSON_IsString(it) && !cJSON_IsNumber(it))
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: chart category %zu must be "
			        "a string or a number",
			        slide, k + 1);
		if (!(c->cats[k++] = cell_text(d, it)))
			return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	}
	i = 0;
	cJSON_ArrayForEach(it, series)
	{
		struct pptx_series *ser = &c->series[i++];
		const cJSON *vals, *x;

		if (!cJSON_IsObject(it))
			return pptx_fail(e, PPTX_ERR_INPUT,
			                 "slide %zu: chart series %zu must be "
			                 "{\"name\": string, \"values\": "
			                 "[numbers]}",
			                 slide, i);
		if ((st = check_keys(it, ser_keys, slide, "a chart series",
		                     e)) ||
		    (st = chart_string(d, it, "name", slide, &ser->name, e)))
			return st;
		vals = cJSON_GetObjectItemCaseSensitive(it, "values");
		if (!ser->name || !cJSON_IsArray(vals))
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: chart series %zu needs "
			        "\"name\" (a string) and \"values\" (an "
			        "array of numbers)",
			        slide, i);
		if ((size_t)cJSON_GetArraySize(vals) != c->ncats)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: chart series \"%.40s\" has "
			        "%d values but there are %zu "
			        "categories; give one value per "
			        "category (null for a gap)",
			        slide, ser->name, cJSON_GetArraySize(vals),
			        c->ncats);
		ser->values = pptx_alloc(d, c->ncats * sizeof *ser->values);
		ser->present = pptx_alloc(d, c->ncats);
		if (!ser->values || !ser->present)
			return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
		k = 0;
		cJSON_ArrayForEach(x, vals)
		{
			if (cJSON_IsNumber(x)) {
				ser->values[k] = x->valuedouble;
				ser->present[k] = 1;
			} else if (!cJSON_IsNull(x)) {
				return pptx_fail(
				        e, PPTX_ERR_INPUT,
				        "slide %zu: chart series \"%.40s\" "
				        "value %zu must be a number or null",
				        slide, ser->name, k + 1);
			}
			k++;
		}
	}
	if ((st = chart_string(d, cj, "title", slide, &c->title, e)) ||
	    (st = chart_string(d, cj, "x_title", slide, &c->x_title, e)) ||
	    (st = chart_string(d, cj, "y_title", slide, &c->y_title, e)))
		return st;
	v = cJSON_GetObjectItemCaseSensitive(cj, "data_labels");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsBool(v))
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: chart \"data_labels\" must "
			        "be true or false",
			        slide);
		c->data_labels = cJSON_IsTrue(v);
	}
	v = cJSON_GetObjectItemCaseSensitive(cj, "legend");
	if (v && !cJSON_IsNull(v)) {
		for (t = 0; t <= PPTX_LEGEND_NONE; t++)
			if (cJSON_IsString(v) &&
			    strcmp(v->valuestring, legends[t]) == 0)
				break;
		if (t > PPTX_LEGEND_NONE)
			return pptx_fail(e, PPTX_ERR_INPUT,
			                 "slide %zu: chart \"legend\" must be "
			                 "bottom, right, top, left or none",
			                 slide);
		c->legend = (enum pptx_legend)t;
	}
	s->chart = c;
	s->ncharts = 1;
	return PPTX_OK;
}

static pptx_status parse_slide(struct pptx_deck *d, const cJSON *sj, size_t no,
                               int take, struct pptx_slide *s,
                               struct pptx_err *e)
{
	const cJSON *layout = cJSON_GetObjectItemCaseSensitive(sj, "layout");
	const cJSON *v;
	pptx_status st;
	int l;

	static const char *const keys[] = {"layout",  "title",       "subtitle",
	                                   "bullets", "columns",     "table",
	                                   "image",   "chart",       "headings",
	                                   "notes",   "layout_name", NULL};

	memset(s, 0, sizeof *s);
	if (!cJSON_IsObject(sj))
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "slide %zu must be an object with \"layout\" "
		                 "and \"title\"",
		                 no);
	if ((st = check_keys(sj, keys, no, "a slide", e)) != PPTX_OK)
		return st;
	if (!layout || cJSON_IsNull(layout)) {
		l = PPTX_LAYOUT_BULLETS;
	} else if (!cJSON_IsString(layout) ||
	           (l = pptx_layout_parse(layout->valuestring)) < 0) {
		return pptx_fail(
		        e, PPTX_ERR_INPUT,
		        "slide %zu: unknown layout \"%.40s\"; use one of "
		        "title, bullets, two_column, table, image, "
		        "section, chart, text_chart, quote, big_number, "
		        "agenda, image_text, comparison",
		        no,
		        cJSON_IsString(layout) ? layout->valuestring
		                               : "(not a string)");
	}
	s->layout = (enum pptx_layout)l;
	if ((st = get_string(d, sj, "title", no, &s->title, e)) ||
	    (st = get_string(d, sj, "subtitle", no, &s->subtitle, e)) ||
	    (st = get_string(d, sj, "notes", no, &s->notes, e)) ||
	    (st = get_string(d, sj, "layout_name", no, &s->layout_name, e)))
		return st;
	st = parse_list(d, cJSON_GetObjectItemCaseSensitive(sj, "bullets"), no,
	                "bullets", &s->bullets, e);
	if (st != PPTX_OK)
		return st;
	v = cJSON_GetObjectItemCaseSensitive(sj, "columns");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2)
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "slide %zu: \"columns\" must be exactly "
			        "two bullet lists: [[...], [...]]",
			        no);
		if ((st = parse_list(d, cJSON_GetArrayItem(v, 0), no,
		                     "left-column bullets", &s->columns[0],
		                     e)) ||
		    (st = parse_list(d, cJSON_GetArrayItem(v, 1), no,
		                     "right-column bullets", &s->columns[1],
		                     e)))
			return st;
		s->has_columns = 1;
	}
	v = cJSON_GetObjectItemCaseSensitive(sj, "headings");
	if (v && !cJSON_IsNull(v)) {
		int k;

		if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2 ||
		    !cJSON_IsString(cJSON_GetArrayItem(v, 0)) ||
		    !cJSON_IsString(cJSON_GetArrayItem(v, 1)))
			return pptx_fail(e, PPTX_ERR_INPUT,
			                 "slide %zu: \"headings\" must be two "
			                 "strings: [left, right]",
			                 no);
		for (k = 0; k < 2; k++) {
			const char *h = cJSON_GetArrayItem(v, k)->valuestring;

			if (!(s->headings[k] = pptx_strndup(d, h, strlen(h))))
				return pptx_fail(e, PPTX_ERR_NOMEM,
				                 "out of memory");
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(sj, "table");
	if (v && !cJSON_IsNull(v) &&
	    (st = parse_table(d, v, no, s, e)) != PPTX_OK)
		return st;
	v = cJSON_GetObjectItemCaseSensitive(sj, "image");
	if (v && !cJSON_IsNull(v) &&
	    (st = parse_image(d, v, no, take, s, e)) != PPTX_OK)
		return st;
	v = cJSON_GetObjectItemCaseSensitive(sj, "chart");
	if (v && !cJSON_IsNull(v) &&
	    (st = parse_chart(d, v, no, s, e)) != PPTX_OK)
		return st;
	return PPTX_OK;
}

/* A table slide whose table asked to be split: as many slides as its rows
 * need at a readable size, the header row on each, "(k/n)" after the
 * title, the notes on the first. */
static pptx_status split_table(struct pptx_deck *d, const struct pptx_slide *s,
                               struct pptx_slide **arr, size_t *cap, size_t *n,
                               struct pptx_err *e)
{
	const struct pptx_table *t = &s->tables[0];
	uint64_t w, h;
	size_t first = 1, parts = 0, k = 0, rows;

	pptx_table_area(d->slide_cx, d->slide_cy, &w, &h);
	for (first = 1; first < t->nrows; first += rows, parts++)
		rows = pptx_table_rows_fit(t, first, w, h);
	if (parts <= 1)
		parts = 1; /* one slide, as it is */
	for (first = 1; k < parts; k++) {
		struct pptx_slide *ns;
		struct pptx_table *nt;
		char suffix[48]; /* " (k/n)" for any two size_t */

		if (*n + 1 > PPTX_MAX_SLIDES)
			return pptx_fail(e, PPTX_ERR_LIMIT,
			                 "splitting the table makes more than "
			                 "%d slides",
			                 PPTX_MAX_SLIDES);
		if (!(*arr = pptx_grow(d, *arr, cap, *n, sizeof **arr)))
			return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
		ns = &(*arr)[(*n)++];
		*ns = *s;
		if (parts == 1)
			return PPTX_OK;
		rows = pptx_table_rows_fit(t, first, w, h);
		if (!(nt = pptx_alloc(d, sizeof *nt)) ||
		    !(nt->cells = pptx_alloc(d, (rows + 1) * t->ncols *
		                                        sizeof *nt->cells)))
			return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
		nt->ncols = t->ncols;
		nt->nrows = rows + 1;
		memcpy(nt->cells, t->cells, t->ncols * sizeof *nt->cells);
		memcpy(nt->cells + t->ncols, t->cells + first * t->ncols,
		       rows * t->ncols * sizeof *nt->cells);
		ns->tables = nt;
		snprintf(suffix, sizeof suffix, " (%zu/%zu)", k + 1, parts);
		{
			const char *ti = s->title ? s->title : "";
			size_t tl = strlen(ti), sl = strlen(suffix);
			char *nt_title = pptx_alloc(d, tl + sl + 1);

			if (!nt_title)
				return pptx_fail(e, PPTX_ERR_NOMEM,
				                 "out of memory");
			/* Fits exactly: tl + sl characters and the '\0'. */
			snprintf(nt_title, tl + sl + 1, "%s%s", ti, suffix);
			ns->title = nt_title;
		}
		if (k)
			ns->notes = NULL;
		first += rows;
	}
	return PPTX_OK;
}

static pptx_status json_slides(struct pptx_deck *d, const cJSON *slides,
                               size_t first_no, int take, struct pptx_err *e)
{
	const cJSON *sj;
	size_t n, i = 0, cap, count;
	struct pptx_slide *arr, one;
	pptx_status st;

	if (!cJSON_IsArray(slides))
		return pptx_fail(
		        e, PPTX_ERR_INPUT,
		        "\"slides\" must be an array of slide objects");
	n = (size_t)cJSON_GetArraySize(slides);
	if (n + d->nslides > PPTX_MAX_SLIDES)
		return pptx_fail(
		        e, PPTX_ERR_LIMIT,
		        "the deck would have %zu slides, more than the "
		        "limit of %d; split it into several decks",
		        n + d->nslides, PPTX_MAX_SLIDES);
	cap = d->nslides + n + 1;
	arr = pptx_alloc(d, cap * sizeof *arr);
	if (!arr)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	if (d->nslides)
		memcpy(arr, d->slides, d->nslides * sizeof *arr);
	count = d->nslides;
	cJSON_ArrayForEach(sj, slides)
	{
		st = parse_slide(d, sj, first_no + i, take, &one, e);
		if (st != PPTX_OK)
			return st;
		i++;
		if (one.ntables && one.tables[0].split &&
		    one.layout == PPTX_LAYOUT_TABLE) {
			st = split_table(d, &one, &arr, &cap, &count, e);
			if (st != PPTX_OK)
				return st;
			continue;
		}
		if (!(arr = pptx_grow(d, arr, &cap, count, sizeof *arr)))
			return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
		arr[count++] = one;
	}
	d->slides = arr;
	d->nslides = count;
	return PPTX_OK;
}

pptx_status pptx_json_slides(struct pptx_deck *d, const cJSON *slides,
                             size_t first_no, struct pptx_err *e)
{
	return json_slides(d, slides, first_no, 0, e);
}

/* "#RRGGBB" or "RRGGBB" to 0xRRGGBB; -1 when it is neither. */
static long parse_rgb(const char *s)
{
	long v = 0;
	int i;

	if (*s == '#')
		s++;
	for (i = 0; i < 6; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return s[6] ? -1 : v;
}

#define THEME_NAMES "ocean, classic, forest, sunset, berry, slate, mono"

/* "theme": a built-in name, or {base, colors, fonts} over a built-in. */
static pptx_status parse_theme(struct pptx_deck *d, const cJSON *tj,
                               struct pptx_err *e)
{
	/* The colour keys, in pptx_theme.clr order. */
	static const char *const ckeys[] = {
	        "text",    "background",   "heading", "light",   "accent1",
	        "accent2", "accent3",      "accent4", "accent5", "accent6",
	        "link",    "visited_link", NULL};
	static const char *const keys[] = {"base", "colors", "fonts", NULL};
	static const char *const fkeys[] = {"heading", "body", NULL};
	const struct pptx_theme *base = &pptx_themes[0];
	const cJSON *b, *colors, *fonts, *v;
	struct pptx_theme *t;
	pptx_status st;
	size_t i;

	if (cJSON_IsString(tj)) {
		if (!(d->theme = pptx_theme_find(tj->valuestring)))
			return pptx_fail(e, PPTX_ERR_INPUT,
			                 "unknown theme \"%.40s\"; use one "
			                 "of " THEME_NAMES
			                 " or {\"colors\": {...}, \"fonts\": "
			                 "{...}}",
			                 tj->valuestring);
		return PPTX_OK;
	}
	if (!cJSON_IsObject(tj))
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "\"theme\" must be a theme name (" THEME_NAMES
		                 ") or {\"base\", \"colors\", \"fonts\"}");
	if ((st = check_keys(tj, keys, 0, "\"theme\"", e)) != PPTX_OK)
		return st;
	b = cJSON_GetObjectItemCaseSensitive(tj, "base");
	if (b && !cJSON_IsNull(b) &&
	    (!cJSON_IsString(b) || !(base = pptx_theme_find(b->valuestring))))
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "theme \"base\" must be one of " THEME_NAMES);
	if (!(t = pptx_alloc(d, sizeof *t)))
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	*t = *base;
	t->name = "custom";
	colors = cJSON_GetObjectItemCaseSensitive(tj, "colors");
	if (colors && !cJSON_IsNull(colors)) {
		if (!cJSON_IsObject(colors))
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "theme \"colors\" must be an object of "
			        "\"#RRGGBB\" strings");
		if ((st = check_keys(colors, ckeys, 0, "theme \"colors\"",
		                     e)) != PPTX_OK)
			return st;
		for (i = 0; ckeys[i]; i++) {
			long rgb;

			v = cJSON_GetObjectItemCaseSensitive(colors, ckeys[i]);
			if (!v || cJSON_IsNull(v))
				continue;
			if (!cJSON_IsString(v) ||
			    (rgb = parse_rgb(v->valuestring)) < 0)
				return pptx_fail(
				        e, PPTX_ERR_INPUT,
				        "theme colour \"%s\" must be "
				        "a hex colour like \"#1F6FB2\"",
				        ckeys[i]);
			t->clr[i] = (uint32_t)rgb;
		}
	}
	fonts = cJSON_GetObjectItemCaseSensitive(tj, "fonts");
	if (fonts && !cJSON_IsNull(fonts)) {
		if (!cJSON_IsObject(fonts))
			return pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "theme \"fonts\" must be {\"heading\": "
			        "font name, \"body\": font name}");
		if ((st = check_keys(fonts, fkeys, 0, "theme \"fonts\"", e)) !=
		    PPTX_OK)
			return st;
		for (i = 0; fkeys[i]; i++) {
			const char **dst = i ? &t->body_font : &t->heading_font;

			v = cJSON_GetObjectItemCaseSensitive(fonts, fkeys[i]);
			if (!v || cJSON_IsNull(v))
				continue;
			if (!cJSON_IsString(v) || !v->valuestring[0] ||
			    strlen(v->valuestring) > 64)
				return pptx_fail(e, PPTX_ERR_INPUT,
				                 "theme font \"%s\" must be a "
				                 "font name of 1 to 64 bytes",
				                 fkeys[i]);
			if (!(*dst = pptx_strndup(d, v->valuestring,
			                          strlen(v->valuestring))))
				return pptx_fail(e, PPTX_ERR_NOMEM,
				                 "out of memory");
		}
	}
	d->theme = t;
	return PPTX_OK;
}

static pptx_status json_deck(const cJSON *args, int take,
                             struct pptx_deck **out, struct pptx_err *e)
{
	struct pptx_deck *d;
	const cJSON *aspect, *slides, *title;
	pptx_status st = PPTX_OK;

	*out = NULL;
	if (!cJSON_IsObject(args))
		return pptx_fail(e, PPTX_ERR_INPUT,
		                 "the arguments must be a JSON object");
	d = pptx_deck_new();
	if (!d)
		return pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
	title = cJSON_GetObjectItemCaseSensitive(args, "title");
	if (title && !cJSON_IsNull(title)) {
		if (!cJSON_IsString(title)) {
			st = pptx_fail(e, PPTX_ERR_INPUT,
			               "\"title\" must be a string");
			goto out;
		}
		d->title = pptx_strndup(d, title->valuestring,
		                        strlen(title->valuestring));
		if (!d->title) {
			st = pptx_fail(e, PPTX_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	aspect = cJSON_GetObjectItemCaseSensitive(args, "aspect");
	if (aspect && !cJSON_IsNull(aspect)) {
		if (cJSON_IsString(aspect) &&
		    strcmp(aspect->valuestring, "4:3") == 0) {
			d->slide_cx = PPTX_EMU_4_3_CX;
		} else if (!cJSON_IsString(aspect) ||
		           strcmp(aspect->valuestring, "16:9") != 0) {
			st = pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "\"aspect\" must be \"16:9\" or \"4:3\"");
			goto out;
		}
	}
	{
		const cJSON *sn =
		        cJSON_GetObjectItemCaseSensitive(args, "slide_numbers");

		if ((st = get_string(d, args, "footer", 0, &d->footer, e)) ||
		    (st = get_string(d, args, "date", 0, &d->date, e)))
			goto out;
		if (sn && !cJSON_IsNull(sn) && !cJSON_IsBool(sn)) {
			st = pptx_fail(
			        e, PPTX_ERR_INPUT,
			        "\"slide_numbers\" must be true or false");
			goto out;
		}
		d->slide_numbers = cJSON_IsTrue(sn);
	}
	{
		const cJSON *theme =
		        cJSON_GetObjectItemCaseSensitive(args, "theme");

		if (theme && !cJSON_IsNull(theme) &&
		    (st = parse_theme(d, theme, e)) != PPTX_OK)
			goto out;
	}
	slides = cJSON_GetObjectItemCaseSensitive(args, "slides");
	if (slides && !cJSON_IsNull(slides))
		st = json_slides(d, slides, 1, take, e);
out:
	if (st != PPTX_OK)
		pptx_deck_free(d);
	else
		*out = d;
	return st;
}

pptx_status pptx_json_deck(const cJSON *args, struct pptx_deck **out,
                           struct pptx_err *e)
{
	return json_deck(args, 0, out, e);
}

pptx_status pptx_json_deck_take(cJSON *args, struct pptx_deck **out,
                                struct pptx_err *e)
{
	return json_deck(args, 1, out, e);
}

static cJSON *list_json(const struct pptx_list *l)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	for (i = 0; arr && i < l->n; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o) ||
		    !cJSON_AddStringToObject(o, "text", l->items[i].text) ||
		    !cJSON_AddNumberToObject(o, "level", l->items[i].level)) {
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

static int add_opt_string(cJSON *o, const char *key, const char *v)
{
	return !v || cJSON_AddStringToObject(o, key, v) != NULL;
}

/* A chart in the form create_presentation takes, so a read chart can be
 * written again as it is. */
static cJSON *chart_json(const struct pptx_chart *c)
{
	static const char *const legends[] = {[PPTX_LEGEND_BOTTOM] = "bottom",
	                                      [PPTX_LEGEND_RIGHT] = "right",
	                                      [PPTX_LEGEND_TOP] = "top",
	                                      [PPTX_LEGEND_LEFT] = "left",
	                                      [PPTX_LEGEND_NONE] = "none"};
	cJSON *o = cJSON_CreateObject(), *cats, *sers;
	size_t i, k;

	if (!o ||
	    !cJSON_AddStringToObject(o, "type",
	                             pptx_chart_type_name(c->type)) ||
	    !add_opt_string(o, "title", c->title) ||
	    !(cats = cJSON_AddArrayToObject(o, "categories")) ||
	    !(sers = cJSON_AddArrayToObject(o, "series")))
		goto fail;
	for (k = 0; k < c->ncats; k++) {
		cJSON *v = c->type == PPTX_CHART_SCATTER && c->cat_num
		                   ? cJSON_CreateNumber(c->cat_num[k])
		                   : cJSON_CreateString(c->cats[k]);

		if (!v || !cJSON_AddItemToArray(cats, v))
			goto fail;
	}
	for (i = 0; i < c->nseries; i++) {
		const struct pptx_series *s = &c->series[i];
		cJSON *so = cJSON_CreateObject(), *vals;

		if (!so || !cJSON_AddItemToArray(sers, so) ||
		    !cJSON_AddStringToObject(so, "name", s->name) ||
		    !(vals = cJSON_AddArrayToObject(so, "values")))
			goto fail;
		for (k = 0; k < c->ncats; k++) {
			cJSON *v = s->present[k]
			                   ? cJSON_CreateNumber(s->values[k])
			                   : cJSON_CreateNull();

			if (!v || !cJSON_AddItemToArray(vals, v))
				goto fail;
		}
	}
	if (!add_opt_string(o, "x_title", c->x_title) ||
	    !add_opt_string(o, "y_title", c->y_title) ||
	    !cJSON_AddBoolToObject(o, "data_labels", c->data_labels) ||
	    !cJSON_AddStringToObject(o, "legend", legends[c->legend]))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static cJSON *slide_json(const struct pptx_slide *s, size_t index)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *arr;
	size_t i, r, c;

	if (!o)
		return NULL;
	if (!cJSON_AddNumberToObject(o, "index", (double)index) ||
	    !cJSON_AddStringToObject(o, "layout",
	                             pptx_layout_name(s->layout)) ||
	    !cJSON_AddStringToObject(o, "title", s->title ? s->title : "") ||
	    !add_opt_string(o, "subtitle", s->subtitle))
		goto fail;
	if (!(arr = list_json(&s->bullets)) ||
	    !cJSON_AddItemToObject(o, "bullets", arr))
		goto fail;
	if (s->headings[0] || s->headings[1]) {
		cJSON *h = cJSON_AddArrayToObject(o, "headings");

		for (i = 0; h && i < 2; i++)
			if (!cJSON_AddItemToArray(
			            h, cJSON_CreateString(
			                       s->headings[i] ? s->headings[i]
			                                      : "")))
				goto fail;
		if (!h)
			goto fail;
	}
	if (s->has_columns) {
		cJSON *cols = cJSON_AddArrayToObject(o, "columns");

		for (i = 0; cols && i < 2; i++)
			if (!(arr = list_json(&s->columns[i])) ||
			    !cJSON_AddItemToArray(cols, arr))
				goto fail;
		if (!cols)
			goto fail;
	}
	if (s->ntables) {
		cJSON *tabs = cJSON_AddArrayToObject(o, "tables");

		if (!tabs)
			goto fail;
		for (i = 0; i < s->ntables; i++) {
			const struct pptx_table *t = &s->tables[i];
			cJSON *to = cJSON_CreateObject(), *cols, *rows;

			if (!to || !cJSON_AddItemToArray(tabs, to) ||
			    !(cols = cJSON_AddArrayToObject(to, "columns")) ||
			    !(rows = cJSON_AddArrayToObject(to, "rows")))
				goto fail;
			for (r = 0; r < t->nrows; r++) {
				cJSON *row = r ? cJSON_CreateArray() : cols;

				if (!row ||
				    (r && !cJSON_AddItemToArray(rows, row)))
					goto fail;
				for (c = 0; c < t->ncols; c++) {
					cJSON *cell = cJSON_CreateString(
					        t->cells[r * t->ncols + c]);

					if (!cell ||
					    !cJSON_AddItemToArray(row, cell))
						goto fail;
				}
			}
		}
	}
	if (s->nimages) {
		cJSON *imgs = cJSON_AddArrayToObject(o, "images");

		for (i = 0; imgs && i < s->nimages; i++) {
			cJSON *io = cJSON_CreateObject();

			const char *mime = img_mime(s->images[i].info.type);

			if (!io || !cJSON_AddItemToArray(imgs, io) ||
			    !add_opt_string(io, "mime",
			                    mime[0] ? mime : NULL) ||
			    !add_opt_string(io, "alt", s->images[i].alt))
				goto fail;
		}
		if (!imgs)
			goto fail;
	}
	if (s->ncharts) {
		cJSON *charts = cJSON_AddArrayToObject(o, "charts");

		for (i = 0; charts && i < s->ncharts; i++) {
			cJSON *co = chart_json(&s->chart[i]);

			if (!co || !cJSON_AddItemToArray(charts, co)) {
				cJSON_Delete(co);
				goto fail;
			}
		}
		if (!charts)
			goto fail;
	}
	if (!add_opt_string(o, "notes", s->notes))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

char *pptx_json_read_result(const struct pptx_deck *d)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char *text = NULL;
	size_t i;

	if (!root)
		return NULL;
	if (!cJSON_AddNumberToObject(root, "slide_count", (double)d->nslides) ||
	    !add_opt_string(root, "title", d->title) ||
	    !(arr = cJSON_AddArrayToObject(root, "slides")))
		goto out;
	for (i = 0; i < d->nslides; i++) {
		cJSON *s = slide_json(&d->slides[i], i + 1);

		if (!s || !cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			goto out;
		}
	}
	text = cJSON_PrintUnformatted(root);
out:
	cJSON_Delete(root);
	return text;
}
