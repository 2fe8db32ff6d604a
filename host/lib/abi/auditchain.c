/*
 * auditchain.c - the audit log's hash chain and seals. See auditchain.h.
 */
#include "auditchain.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "fsutil.h"
#include "minisig.h"

/* Longer than any record the writer makes (audit.c caps them at 4 KiB). */
#define LINE_MAX_BYTES 8192
/* Rotation caps files far below this; a bigger one is not ours. */
#define FILE_MAX_BYTES (1024ull * 1024 * 1024)
#define PREV_KEY       ",\"prev\":\""
/* ,"prev":" + 64 hex + "} */
#define PREV_TAIL (sizeof PREV_KEY - 1 + 64 + 2)

void auditchain_hex(const uint8_t h[AUDITCHAIN_HASH_BYTES], char out[65])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < AUDITCHAIN_HASH_BYTES; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
	out[64] = '\0';
}

void auditchain_hash(const char *line, size_t len,
                     uint8_t out[AUDITCHAIN_HASH_BYTES])
{
	crypto_generichash(out, AUDITCHAIN_HASH_BYTES,
	                   (const unsigned char *)line, len, NULL, 0);
}

sh_status auditchain_tail_fd(int fd, off_t size,
                             uint8_t out[AUDITCHAIN_HASH_BYTES],
                             struct sh_error *e)
{
	char buf[LINE_MAX_BYTES + 1];
	off_t from = size > LINE_MAX_BYTES ? size - LINE_MAX_BYTES : 0;
	size_t len = (size_t)(size - from), start;
	ssize_t got;

	got = pread(fd, buf, len, from);
	if (got != (ssize_t)len)
		return sh_error_errno(e, SH_ERR_IO, got < 0 ? errno : EIO,
		                      "cannot read the audit log's last line");
	if (len && buf[len - 1] == '\n')
		len--;
	start = len;
	while (start > 0 && buf[start - 1] != '\n')
		start--;
	if (start == 0 && from > 0)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "the audit log's last line is longer than "
		                    "%d bytes",
		                    LINE_MAX_BYTES);
	auditchain_hash(buf + start, len - start, out);
	return SH_OK;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static sh_status fault(struct auditchain_result *res, struct sh_error *e,
                       const char *file, unsigned long line, const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));

static sh_status fault(struct auditchain_result *res, struct sh_error *e,
                       const char *file, unsigned long line, const char *fmt,
                       ...)
{
	va_list ap;

	snprintf(res->file, sizeof res->file, "%s", file);
	res->line = line;
	va_start(ap, fmt);
	vsnprintf(res->why, sizeof res->why, fmt, ap);
	va_end(ap);
	if (line)
		return sh_error_set(e, SH_ERR_TRUST, "%s:%lu: %s", file, line,
		                    res->why);
	return sh_error_set(e, SH_ERR_TRUST, "%s: %s", file, res->why);
}

static int is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Check path's seal against its last chain hash (hex). */
static sh_status check_seal(const char *path, const char *last_hex,
                            int required, const struct minisig_pubkey *pk,
                            struct auditchain_result *res, struct sh_error *e)
{
	char seal[PATH_MAX + 16];
	struct minisig_signature sig;
	struct sh_error why;
	const char *tc;
	sh_status rc;

	snprintf(seal, sizeof seal, "%s%s", path, AUDIT_SEAL_EXT);
	rc = minisig_load(seal, &sig, &why);
	if (rc == SH_ERR_NOTFOUND)
		return required ? fault(res, e, path, 0,
		                        "the rotated file has no seal %s (it "
		                        "was removed, or the file was not "
		                        "rotated by skillhost)",
		                        base(seal))
		                : SH_OK;
	if (rc != SH_OK)
		return fault(res, e, path, 0, "its seal is damaged: %s",
		             why.msg);
	if (!pk)
		return fault(res, e, path, 0,
		             "it is sealed but there is no audit public key "
		             "to check the seal with (pass --key)");
	if (minisig_verify_file(pk, &sig, path, NULL, &why) != SH_OK)
		return fault(res, e, path, 0,
		             "the seal does not verify (the file or its seal "
		             "was changed): %s",
		             why.msg);
	tc = sig.trusted_comment;
	if (strncmp(tc, AUDIT_SEAL_TAG " last:", sizeof AUDIT_SEAL_TAG + 5) ||
	    strcmp(tc + sizeof AUDIT_SEAL_TAG + 5, last_hex))
		return fault(res, e, path, 0,
		             "the seal does not name the file's last chain "
		             "hash %.16s...",
		             last_hex);
	res->seals++;
	return SH_OK;
}

sh_status auditchain_verify(const char *const *files, size_t n, int anchored,
                            const struct minisig_pubkey *pk,
                            struct auditchain_result *res, struct sh_error *e)
{
	uint8_t h[AUDITCHAIN_HASH_BYTES];
	char want[65];
	int have_prev = 0;

	memset(res, 0, sizeof *res);
	if (anchored) {
		memcpy(want, AUDIT_GENESIS, 65);
		have_prev = 1;
	}
	for (size_t f = 0; f < n; f++) {
		const char *path = files[f];
		char *text;
		size_t len, at = 0;
		unsigned long line = 0;
		sh_status rc =
		        fs_read_file(path, FILE_MAX_BYTES, &text, &len, e);

		if (rc != SH_OK) {
			snprintf(res->file, sizeof res->file, "%s", path);
			snprintf(res->why, sizeof res->why, "%.200s",
			         e ? e->msg : "cannot read it");
			return rc;
		}
		while (at < len) {
			char *nl = memchr(text + at, '\n', len - at);
			size_t l;
			const char *p;
			cJSON *j;

			line++;
			if (!nl) {
				free(text);
				return fault(res, e, path, line,
				             "the last line is cut (no newline "
				             "at its end): the file was "
				             "truncated");
			}
			l = (size_t)(nl - (text + at));
			p = text + at + l - PREV_TAIL;
			if (l < PREV_TAIL ||
			    memcmp(p, PREV_KEY, sizeof PREV_KEY - 1) ||
			    !is_hex64(p + sizeof PREV_KEY - 1) ||
			    memcmp(p + PREV_TAIL - 2, "\"}", 2)) {
				free(text);
				return fault(res, e, path, line,
				             "not an audit record (no \"prev\" "
				             "at its end)");
			}
			j = cJSON_ParseWithLength(text + at, l);
			if (!cJSON_IsObject(j)) {
				cJSON_Delete(j);
				free(text);
				return fault(res, e, path, line,
				             "not a JSON object");
			}
			cJSON_Delete(j);
			if (have_prev &&
			    memcmp(p + sizeof PREV_KEY - 1, want, 64)) {
				char msg[160];
				sh_status r;
				if (line == 1 && f == 0)
					snprintf(msg, sizeof msg,
					         "the first record does not "
					         "start the chain (records "
					         "before it were removed)");
				else if (line == 1)
					snprintf(msg, sizeof msg,
					         "the first record does not "
					         "follow the last record of "
					         "the file before (a file or "
					         "lines were removed)");
				else
					snprintf(msg, sizeof msg,
					         "\"prev\" is not the hash of "
					         "line %lu: that line was "
					         "changed, or lines were "
					         "removed or moved",
					         line - 1);
				r = fault(res, e, path, line, "%s", msg);
				free(text);
				return r;
			}
			auditchain_hash(text + at, l, h);
			auditchain_hex(h, want);
			have_prev = 1;
			res->records++;
			at += l + 1;
		}
		free(text);
		if (line == 0 && strcmp(base(path), AUDIT_FILE))
			return fault(res, e, path, 0, "the file is empty");
		rc = check_seal(path, want, strcmp(base(path), AUDIT_FILE) != 0,
		                pk, res, e);
		if (rc)
			return rc;
		res->files++;
	}
	return SH_OK;
}

void auditchain_files_free(char **files, size_t n)
{
	for (size_t i = 0; files && i < n; i++)
		free(files[i]);
	free(files);
}

sh_status auditchain_files(const char *home, char ***files, size_t *n,
                           int *anchored, struct sh_error *e)
{
	char path[PATH_MAX + 32];
	char **v = calloc(AUDIT_KEEP + 1, sizeof *v);
	size_t k = 0;

	*files = NULL;
	*n = 0;
	*anchored = 1;
	if (!v)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	for (int i = AUDIT_KEEP; i >= 0; i--) {
		if (i)
			snprintf(path, sizeof path, "%s/%s/%s.%d", home,
			         AUDIT_DIR, AUDIT_FILE, i);
		else
			snprintf(path, sizeof path, "%s/%s/%s", home, AUDIT_DIR,
			         AUDIT_FILE);
		if (!fs_exists(path))
			continue;
		if (i == AUDIT_KEEP)
			*anchored = 0;
		if (!(v[k++] = strdup(path))) {
			auditchain_files_free(v, k);
			return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
		}
	}
	*files = v;
	*n = k;
	return SH_OK;
}
