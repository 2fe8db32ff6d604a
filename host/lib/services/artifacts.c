/*
 * artifacts.c - output and input files for skills. See artifacts.h.
 */
#include "artifacts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "call.h"
#include "config.h"
#include "fsutil.h"
#include "hostapi.h"
#include "hostlog.h"

#define ARTIFACT_ID_BYTES 8

struct call_artifact {
	struct call_artifact *next;
	int fd;
	int is_input;
	uint64_t written;
	char mime[128];
	char id[128]; /* "<hex>-<name>": the final file name */
	char tmp[PATH_MAX];
	char final[PATH_MAX];
};

static const struct host_services *services(skill_call_t *call)
{
	return call->services;
}

static void unlink_handle(struct skill_call *c, struct call_artifact *a)
{
	for (struct call_artifact **p = &c->artifacts; *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			return;
		}
}

static int owned(struct skill_call *c, const struct call_artifact *a,
                 int is_input)
{
	for (const struct call_artifact *p = c->artifacts; p; p = p->next)
		if (p == a)
			return p->is_input == is_input;
	return 0;
}

/* Keep [A-Za-z0-9._-], turn the rest into '_', and refuse hidden names. */
static int clean_name(const char *in, char *out, size_t cap)
{
	size_t j = 0;

	if (!in || !*in || in[0] == '.' || strchr(in, '/'))
		return 0;
	for (const char *p = in; *p && j < cap - 1 && j < ARTIFACT_NAME_MAX;
	     p++) {
		char ch = *p;
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		         (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
		         ch == '_';
		out[j++] = ok ? ch : '_';
	}
	out[j] = '\0';
	return j > 0;
}

static skill_status art_create(skill_call_t *call, const char *filename,
                               const char *mime, skill_artifact_t **out)
{
	const struct host_services *svc = services(call);
	struct call_artifact *a;
	unsigned char rnd[ARTIFACT_ID_BYTES];
	char hex[ARTIFACT_ID_BYTES * 2 + 1];
	char name[ARTIFACT_NAME_MAX + 1];
	struct sh_error err;

	if (!out)
		return SKILL_ERR_ARGS;
	*out = NULL;
	if (!svc || !svc->artifacts_dir) {
		call_log(call, SKILL_LOG_ERROR,
		         "artifacts are not available in this host");
		return SKILL_ERR_UNSUPPORTED;
	}
	if (!call_permitted(call, "filesystem", "artifacts")) {
		call_log(call, SKILL_LOG_ERROR,
		         "writing artifacts is denied: the skill's manifest "
		         "does "
		         "not declare the \"artifacts\" filesystem permission");
		return SKILL_ERR_DENIED;
	}
	if (!clean_name(filename, name, sizeof name) || !mime || !*mime ||
	    strlen(mime) >= sizeof a->mime)
		return SKILL_ERR_ARGS;
	if (fs_mkdirs(svc->artifacts_dir, 0700, &err) != SH_OK) {
		hostlog(SKILL_LOG_ERROR, "%s", err.msg);
		return SKILL_ERR_IO;
	}
	a = calloc(1, sizeof *a);
	if (!a)
		return SKILL_ERR_NOMEM;
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	if (snprintf(a->id, sizeof a->id, "%s-%s", hex, name) >=
	    (int)sizeof a->id) {
		free(a);
		return SKILL_ERR_ARGS;
	}
	snprintf(a->mime, sizeof a->mime, "%s", mime);
	if (snprintf(a->tmp, sizeof a->tmp, "%s/.tmp-%s", svc->artifacts_dir,
	             a->id) >= (int)sizeof a->tmp ||
	    snprintf(a->final, sizeof a->final, "%s/%s", svc->artifacts_dir,
	             a->id) >= (int)sizeof a->final) {
		free(a);
		return SKILL_ERR_ARGS;
	}
	a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (a->fd < 0) {
		hostlog(SKILL_LOG_ERROR, "cannot create artifact %s: %s",
		        a->tmp, strerror(errno));
		free(a);
		return SKILL_ERR_IO;
	}
	a->next = call->artifacts;
	call->artifacts = a;
	call->release_artifacts = artifacts_release_all;
	*out = (skill_artifact_t *)a;
	return SKILL_OK;
}

static skill_status art_write(skill_call_t *call, skill_artifact_t *h,
                              const void *data, size_t len)
{
	struct call_artifact *a = (struct call_artifact *)h;
	const char *p = data;

	if (!owned(call, a, 0) || a->fd < 0 || (!data && len))
		return SKILL_ERR_ARGS;
	if (len > ARTIFACT_MAX_BYTES - a->written)
		return SKILL_ERR_NOMEM;
	while (len) {
		ssize_t n = write(a->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hostlog(SKILL_LOG_ERROR, "cannot write artifact %s: %s",
			        a->tmp, strerror(errno));
			return SKILL_ERR_IO;
		}
		p += n;
		len -= (size_t)n;
		a->written += (uint64_t)n;
	}
	return SKILL_OK;
}

static void release(struct skill_call *c, struct call_artifact *a)
{
	unlink_handle(c, a);
	if (a->fd >= 0)
		close(a->fd);
	if (!a->is_input && a->tmp[0])
		unlink(a->tmp);
	free(a);
}

/* file:// URI with every byte outside the unreserved set escaped. */
static void file_uri(const char *path, char *out, size_t cap)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t j = (size_t)snprintf(out, cap, "file://");

	for (const unsigned char *p = (const unsigned char *)path;
	     *p && j + 4 < cap; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p)) {
			out[j++] = (char)*p;
		} else {
			out[j++] = '%';
			out[j++] = hexd[*p >> 4];
			out[j++] = hexd[*p & 15];
		}
	}
	out[j] = '\0';
}

static skill_status art_commit(skill_call_t *call, skill_artifact_t *h,
                               skill_artifact_info_t *info)
{
	struct call_artifact *a = (struct call_artifact *)h;
	const struct host_services *svc = services(call);
	skill_resource_link_t link = {.struct_size = sizeof link};
	char uri[PATH_MAX * 3];
	struct sh_error err;
	skill_status st;

	if (!owned(call, a, 0))
		return SKILL_ERR_ARGS;
	if (fsync(a->fd) != 0 || close(a->fd) != 0) {
		a->fd = -1;
		release(call, a);
		return SKILL_ERR_IO;
	}
	a->fd = -1;
	if (rename(a->tmp, a->final) != 0 ||
	    fs_sync_dir(svc->artifacts_dir, &err) != SH_OK) {
		hostlog(SKILL_LOG_ERROR, "cannot finish artifact %s: %s",
		        a->final, strerror(errno));
		release(call, a);
		return SKILL_ERR_IO;
	}
	a->tmp[0] = '\0'; /* committed: nothing to clean up */
	if (svc->artifact_url_base)
		snprintf(uri, sizeof uri, "%s%s", svc->artifact_url_base,
		         a->id);
	else
		file_uri(a->final, uri, sizeof uri);
	link.uri = uri;
	link.name = strchr(a->id, '-') + 1;
	link.mime_type = a->mime;
	link.size = (int64_t)a->written;
	st = call_result_link(call, &link);
	if (info && info->struct_size >= offsetof(skill_artifact_info_t, size) +
	                                         sizeof(info->size)) {
		/* Fields too small for the value are left empty rather than
		 * holding a truncated, wrong path. */
		if (snprintf(info->id, sizeof info->id, "%s", a->id) >=
		    (int)sizeof info->id)
			info->id[0] = '\0';
		if (snprintf(info->uri, sizeof info->uri, "%s", uri) >=
		    (int)sizeof info->uri)
			info->uri[0] = '\0';
		if (snprintf(info->path, sizeof info->path, "%s", a->final) >=
		    (int)sizeof info->path)
			info->path[0] = '\0';
		info->size = (int64_t)a->written;
	}
	release(call, a);
	return st;
}

static void art_discard(skill_call_t *call, skill_artifact_t *h)
{
	struct call_artifact *a = (struct call_artifact *)h;

	if (owned(call, a, 0))
		release(call, a);
}

/* 1 when resolved lies inside dir (both absolute, resolved). */
static int inside(const char *resolved, const char *dir)
{
	char real[PATH_MAX];
	size_t n;

	if (!dir || !realpath(dir, real))
		return 0;
	n = strlen(real);
	if (n == 1 && real[0] == '/')
		return 1;
	return !strncmp(resolved, real, n) && resolved[n] == '/';
}

static int allowed(skill_call_t *call, const char *resolved)
{
	const struct host_services *svc = services(call);
	const char *policy;

	if (!svc)
		return 0;
	if (inside(resolved, svc->artifacts_dir))
		return 1;
	for (char **d = svc->input_dirs; d && *d; d++)
		if (inside(resolved, *d))
			return 1;
	policy = config_policy(svc->config, call->skill_name, "input-dir");
	while (policy && *policy) {
		char dir[PATH_MAX];
		const char *colon = strchr(policy, ':');
		size_t n = colon ? (size_t)(colon - policy) : strlen(policy);
		if (n > 0 && n < sizeof dir) {
			memcpy(dir, policy, n);
			dir[n] = '\0';
			if (inside(resolved, dir))
				return 1;
		}
		policy = colon ? colon + 1 : NULL;
	}
	return 0;
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Turn a path, file:// URI or artifact URL into a local path. */
static int input_path(skill_call_t *call, const char *in, char *out, size_t cap)
{
	const struct host_services *svc = services(call);
	size_t base = svc && svc->artifact_url_base
	                      ? strlen(svc->artifact_url_base)
	                      : 0;

	if (base && !strncmp(in, svc->artifact_url_base, base)) {
		struct sh_error err;
		return artifacts_path(svc, in + base, out, cap, &err) == SH_OK;
	}
	if (!strncmp(in, "file://", 7)) {
		size_t j = 0;
		in += 7;
		if (*in != '/')
			return 0; /* file://host/... is not ours */
		for (; *in && j + 1 < cap; in++) {
			if (*in == '%') {
				int hi = unhex(in[1]),
				    lo = hi < 0 ? -1 : unhex(in[2]);
				if (lo < 0)
					return 0;
				out[j++] = (char)(hi * 16 + lo);
				in += 2;
			} else {
				out[j++] = *in;
			}
		}
		out[j] = '\0';
		return !*in && !memchr(out, '\0', j);
	}
	return snprintf(out, cap, "%s", in) < (int)cap;
}

static skill_status art_open_input(skill_call_t *call, const char *path,
                                   skill_input_t **out, int64_t *size)
{
	char local[PATH_MAX], resolved[PATH_MAX];
	struct call_artifact *a;
	struct stat st;
	int fd;

	if (!out || !path)
		return SKILL_ERR_ARGS;
	*out = NULL;
	if (!call_permitted(call, "filesystem", "inputs")) {
		call_log(call, SKILL_LOG_ERROR,
		         "reading input files is denied: the skill's manifest "
		         "does not declare the \"inputs\" filesystem "
		         "permission");
		return SKILL_ERR_DENIED;
	}
	if (!input_path(call, path, local, sizeof local))
		return SKILL_ERR_ARGS;
	if (!realpath(local, resolved)) {
		call_log(call, SKILL_LOG_WARNING,
		         errno == ENOENT ? "input file not found"
		                         : "input file cannot be resolved");
		return errno == ENOENT ? SKILL_ERR_ARGS : SKILL_ERR_IO;
	}
	if (!allowed(call, resolved)) {
		char msg[PATH_MAX + 200];
		snprintf(msg, sizeof msg,
		         "reading %s is not allowed: it is outside the input "
		         "folders; the operator can allow a folder with "
		         "`skillhost config %s input-dir DIR`",
		         resolved,
		         call->skill_name ? call->skill_name : "SKILL");
		call_log(call, SKILL_LOG_WARNING, msg);
		return SKILL_ERR_DENIED;
	}
	fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return SKILL_ERR_IO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return SKILL_ERR_ARGS;
	}
	a = calloc(1, sizeof *a);
	if (!a) {
		close(fd);
		return SKILL_ERR_NOMEM;
	}
	a->fd = fd;
	a->is_input = 1;
	a->next = call->artifacts;
	call->artifacts = a;
	call->release_artifacts = artifacts_release_all;
	if (size)
		*size = (int64_t)st.st_size;
	*out = (skill_input_t *)a;
	return SKILL_OK;
}

static int64_t art_read(skill_call_t *call, skill_input_t *h, void *buf,
                        size_t cap)
{
	struct call_artifact *a = (struct call_artifact *)h;
	ssize_t n;

	if (!owned(call, a, 1) || (!buf && cap))
		return -1;
	do {
		n = read(a->fd, buf, cap);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : (int64_t)n;
}

static void art_close_input(skill_call_t *call, skill_input_t *h)
{
	struct call_artifact *a = (struct call_artifact *)h;

	if (owned(call, a, 1))
		release(call, a);
}

const skill_ext_artifacts_t artifacts_ext = {
        .struct_size = sizeof(skill_ext_artifacts_t),
        .create = art_create,
        .write = art_write,
        .commit = art_commit,
        .discard = art_discard,
        .open_input = art_open_input,
        .read = art_read,
        .close_input = art_close_input,
};

void artifacts_release_all(struct skill_call *c)
{
	while (c->artifacts)
		release(c, c->artifacts);
}

sh_status artifacts_path(const struct host_services *svc, const char *id,
                         char *buf, size_t cap, struct sh_error *e)
{
	if (!svc || !svc->artifacts_dir)
		return sh_error_set(e, SH_ERR_NOTFOUND,
		                    "artifacts are not enabled");
	if (!id || !*id || id[0] == '.' || strchr(id, '/') ||
	    strlen(id) > 64 + ARTIFACT_NAME_MAX)
		return sh_error_set(e, SH_ERR_NOTFOUND, "no such artifact");
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._-", *p)))
			return sh_error_set(e, SH_ERR_NOTFOUND,
			                    "no such artifact");
	return fs_join(buf, cap, svc->artifacts_dir, id, e);
}
