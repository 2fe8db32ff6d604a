/*
 * extproxy.c - host extensions a worker forwards (skill.config/1,
 * skill.secrets/1, skill.artifacts/1, skill.http/1, skill.elicit/1,
 * skill.sample/1), performed by the host
 * with the real vtable and the real call. A malformed request breaks the
 * session. See exec_isolated_int.h.
 */
#include "exec_isolated_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sodium.h>

#include <skill/ext/artifacts.h>
#include <skill/ext/config.h>
#include <skill/ext/elicit.h>
#include <skill/ext/http.h>
#include <skill/ext/sample.h>
#include <skill/ext/secrets.h>

#include "artifacts.h"
#include "call.h"

/* Most bytes of a setting or secret returned in one reply. */
#define VALUE_MAX ((size_t)4 * 1024 * 1024)

static void reply_value(struct wire_buf *b, int64_t ret, const char *buf,
                        size_t cap)
{
	size_t n = ret < 0 || !cap           ? 0
	           : (uint64_t)ret < cap - 1 ? (size_t)ret
	                                     : cap - 1;
	wire_put_i64(b, ret);
	wire_put_bytes(b, buf, n);
}

static enum turn ext_config(struct session *s, const skill_ext_config_t *x,
                            struct wire_ext_call *c, struct wire_buf *b)
{
	const char *key = wire_get_str(&c->args);
	uint64_t want = wire_get_u64(&c->args);
	size_t cap = want < VALUE_MAX ? (size_t)want : VALUE_MAX;
	char *buf;
	int64_t ret;

	if (!wire_rd_done(&c->args) || c->fn != WIRE_CONFIG_GET)
		return iso_broken(s, "a malformed %s call", "skill.config/1");
	if (!(buf = malloc(cap ? cap : 1)))
		return iso_broken(s, "out of memory");
	ret = x->get(&s->iso->binding.api, key, buf, cap);
	reply_value(b, ret, buf, cap);
	free(buf);
	return T_MORE;
}

static enum turn ext_secrets(struct session *s, const skill_ext_secrets_t *x,
                             struct wire_ext_call *c, struct wire_buf *b)
{
	const char *name = wire_get_str(&c->args);
	uint64_t want = wire_get_u64(&c->args);
	size_t cap = want < VALUE_MAX ? (size_t)want : VALUE_MAX;
	char *buf;
	int64_t ret = -1;

	if (!wire_rd_done(&c->args) || c->fn != WIRE_SECRETS_GET)
		return iso_broken(s, "a malformed %s call", "skill.secrets/1");
	if (!(buf = malloc(cap ? cap : 1)))
		return iso_broken(s, "out of memory");
	if (iso_live(s, c->call))
		ret = x->get(s->call, name, buf, cap);
	reply_value(b, ret, buf, cap);
	sodium_memzero(buf, cap ? cap : 1);
	free(buf);
	return T_MORE;
}

/* Append size bytes of the sealed memfd fd to h through another host's
 * skill.artifacts/1 (a test's, say), in WIRE_CHUNK pieces. */
static skill_status append_by_copy(struct skill_call *call,
                                   const skill_ext_artifacts_t *x, void *h,
                                   int fd, uint64_t size)
{
	char *buf = malloc(WIRE_CHUNK);
	skill_status st = buf ? SKILL_OK : SKILL_ERR_NOMEM;
	uint64_t off = 0;

	while (st == SKILL_OK && off < size) {
		uint64_t left = size - off;
		ssize_t n =
		        pread(fd, buf, left < WIRE_CHUNK ? left : WIRE_CHUNK,
		              (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			st = SKILL_ERR_IO;
		else if ((st = x->write(call, h, buf, (size_t)n)) == SKILL_OK)
			off += (uint64_t)n;
	}
	free(buf);
	return st;
}

static enum turn ext_artifacts(struct session *s,
                               const skill_ext_artifacts_t *x,
                               struct wire_ext_call *c, struct wire_buf *b)
{
	struct wire_rd *r = &c->args;
	int ok = iso_live(s, c->call);
	skill_status st = SKILL_ERR_ARGS;

	switch (c->fn) {
	case WIRE_ART_CREATE: {
		const char *name = wire_get_str(r), *mime = wire_get_str(r);
		skill_artifact_t *h = NULL;
		uint32_t id = 0;
		if (!wire_rd_done(r))
			break;
		if (ok &&
		    (st = x->create(s->call, name, mime, &h)) == SKILL_OK &&
		    !(id = iso_add_handle(s, H_OUT, h))) {
			x->discard(s->call, h);
			st = SKILL_ERR_NOMEM;
		}
		wire_put_u32(b, (uint32_t)st);
		wire_put_u32(b, id);
		return T_MORE;
	}
	case WIRE_ART_WRITE: {
		uint32_t id = wire_get_u32(r);
		size_t n;
		const char *data = wire_get_bytes(r, &n);
		void *h = ok ? iso_get_handle(s, id, H_OUT, 0) : NULL;
		if (!wire_rd_done(r))
			break;
		if (h)
			st = x->write(s->call, h, data, n);
		wire_put_u32(b, (uint32_t)st);
		return T_MORE;
	}
	case WIRE_ART_COMMIT: {
		skill_artifact_info_t info = {.struct_size = sizeof info};
		uint32_t id = wire_get_u32(r);
		void *h;
		if (!wire_rd_done(r))
			break;
		/* The host's own artifacts finish syncing while the worker
		 * goes on (artifacts_commit_early); isolated_invoke settles
		 * them before the call's outcome counts. */
		if ((h = ok ? iso_get_handle(s, id, H_OUT, 1) : NULL))
			st = x == &artifacts_ext
			             ? artifacts_commit_early(s->call, h, &info)
			             : x->commit(s->call, h, &info);
		wire_put_u32(b, (uint32_t)st);
		wire_put_u64(b, ok ? s->call->bytes : 0);
		wire_put_str(b, st == SKILL_OK ? info.id : "");
		wire_put_str(b, st == SKILL_OK ? info.uri : "");
		wire_put_str(b, st == SKILL_OK ? info.path : "");
		wire_put_i64(b, st == SKILL_OK ? info.size : 0);
		return T_MORE;
	}
	case WIRE_ART_APPEND_FD: {
		uint32_t id = wire_get_u32(r);
		uint64_t size = wire_get_u64(r);
		void *h = ok ? iso_get_handle(s, id, H_OUT, 0) : NULL;
		char why[160];
		if (!wire_rd_done(r) || c->fd < 0)
			break;
		/* Its size is checked against the quotas before a byte is
		 * read, and sealed it cannot shrink while it is read. */
		if (wire_check_sealed(c->fd, size, why, sizeof why))
			return iso_broken(s, "an artifact's data in %s", why);
		if (h)
			st = x == &artifacts_ext
			             ? artifacts_append_fd(s->call, h, c->fd,
			                                   size)
			             : append_by_copy(s->call, x, h, c->fd,
			                              size);
		wire_put_u32(b, (uint32_t)st);
		return T_MORE;
	}
	case WIRE_ART_DISCARD:
	case WIRE_ART_CLOSE_INPUT: {
		enum hkind k = c->fn == WIRE_ART_DISCARD ? H_OUT : H_IN;
		uint32_t id = wire_get_u32(r);
		void *h;
		if (!wire_rd_done(r))
			break;
		if ((h = ok ? iso_get_handle(s, id, k, 1) : NULL)) {
			if (k == H_OUT)
				x->discard(s->call, h);
			else
				x->close_input(s->call, h);
		}
		return T_MORE;
	}
	case WIRE_ART_OPEN_INPUT: {
		const char *path = wire_get_str(r);
		skill_input_t *h = NULL;
		int64_t size = -1;
		uint32_t id = 0;
		if (!wire_rd_done(r))
			break;
		if (ok &&
		    (st = x->open_input(s->call, path, &h, &size)) ==
		            SKILL_OK &&
		    !(id = iso_add_handle(s, H_IN, h))) {
			x->close_input(s->call, h);
			st = SKILL_ERR_NOMEM;
		}
		wire_put_u32(b, (uint32_t)st);
		wire_put_u32(b, id);
		wire_put_i64(b, size);
		return T_MORE;
	}
	case WIRE_ART_READ: {
		uint32_t id = wire_get_u32(r);
		uint64_t want = wire_get_u64(r);
		size_t cap = want < WIRE_CHUNK ? (size_t)want : WIRE_CHUNK;
		void *h = ok ? iso_get_handle(s, id, H_IN, 0) : NULL;
		char *buf;
		int64_t n = -1;
		if (!wire_rd_done(r))
			break;
		if (!(buf = malloc(cap ? cap : 1)))
			return iso_broken(s, "out of memory");
		if (h)
			n = x->read(s->call, h, buf, cap);
		if (n > (int64_t)cap)
			n = -1;
		wire_put_i64(b, n);
		wire_put_bytes(b, buf, n > 0 ? (size_t)n : 0);
		free(buf);
		return T_MORE;
	}
	default: break;
	}
	return iso_broken(s, "a malformed %s call", "skill.artifacts/1");
}

static void put_response(struct wire_buf *b, const skill_http_response_t *rs)
{
	size_t n = rs->header_count < WIRE_HTTP_HEADERS_MAX
	                   ? rs->header_count
	                   : WIRE_HTTP_HEADERS_MAX;
	size_t kept = 0;

	for (size_t i = 0; i < n; i++)
		kept += rs->headers[i].name && rs->headers[i].value;
	wire_put_u32(b, (uint32_t)rs->status);
	wire_put_u32(b, (uint32_t)kept);
	for (size_t i = 0; i < n; i++)
		if (rs->headers[i].name && rs->headers[i].value) {
			wire_put_str(b, rs->headers[i].name);
			wire_put_str(b, rs->headers[i].value);
		}
	wire_put_bytes(b, rs->body ? rs->body : "",
	               rs->body ? rs->body_len : 0);
	wire_put_nstr(b, rs->final_url);
}

static enum turn ext_http(struct session *s, const skill_ext_http_t *x,
                          struct wire_ext_call *c, struct wire_buf *b)
{
	struct wire_rd *r = &c->args;
	int ok = iso_live(s, c->call);

	if (c->fn == WIRE_HTTP_REQUEST) {
		struct wire_http_header *wh;
		skill_http_header_t *hh;
		struct wire_http_req q;
		skill_http_request_t req = {.struct_size = sizeof req};
		const skill_http_response_t *resp = NULL;
		skill_status st = SKILL_ERR_ARGS;
		uint32_t id = 0;

		wh = calloc(WIRE_HTTP_HEADERS_MAX, sizeof *wh);
		hh = calloc(WIRE_HTTP_HEADERS_MAX, sizeof *hh);
		if (!wh || !hh) {
			free(wh);
			free(hh);
			return iso_broken(s, "out of memory");
		}
		if (!wire_decode_http_req(r, &q, wh, WIRE_HTTP_HEADERS_MAX)) {
			free(wh);
			free(hh);
			return iso_broken(s, "a malformed %s call",
			                  "skill.http/1");
		}
		for (size_t i = 0; i < q.nheaders; i++) {
			hh[i].name = wh[i].name;
			hh[i].value = wh[i].value;
		}
		req.method = q.method;
		req.url = q.url;
		req.headers = q.nheaders ? hh : NULL;
		req.header_count = q.nheaders;
		req.body = q.body;
		req.body_len = q.body ? q.body_len : 0;
		req.timeout_ms = q.timeout_ms;
		req.max_response_bytes = q.max_response_bytes;
		if (ok && (st = x->request(s->call, &req, &resp)) == SKILL_OK &&
		    (!resp ||
		     !(id = iso_add_handle(s, H_HTTP, (void *)resp)))) {
			if (resp && x->response_free)
				x->response_free(s->call, resp);
			st = resp ? SKILL_ERR_NOMEM : SKILL_ERR_INTERNAL;
			if (resp) {
				/* Responses count against the call's HTTP
				 * memory too (httpsvc); this is the cap on
				 * how many, whatever their size. */
				char msg[300];
				(void)snprintf(
				        msg, sizeof msg,
				        "request refused: the call holds %d "
				        "handles (HTTP responses, artifacts) "
				        "it has not freed; free each response "
				        "with response_free() when done with "
				        "it",
				        HANDLES_MAX);
				call_log(s->call, SKILL_LOG_ERROR, msg);
				call_note(s->call, msg);
			}
		}
		wire_put_u32(b, (uint32_t)st);
		wire_put_u32(b, id);
		if (st == SKILL_OK)
			put_response(b, resp);
		free(wh);
		free(hh);
		return T_MORE;
	}
	if (c->fn == WIRE_HTTP_RESPONSE_FREE) {
		uint32_t id = wire_get_u32(r);
		void *h;
		if (!wire_rd_done(r))
			return iso_broken(s, "a malformed %s call",
			                  "skill.http/1");
		if ((h = ok ? iso_get_handle(s, id, H_HTTP, 1) : NULL) &&
		    x->response_free)
			x->response_free(s->call, h);
		return T_MORE;
	}
	return iso_broken(s, "a malformed %s call", "skill.http/1");
}

/* skill.elicit/1: the wait for the user happens here, on the call's
 * thread; the worker's call waits for this reply. */
static enum turn ext_elicit(struct session *s, const skill_ext_elicit_t *x,
                            struct wire_ext_call *c, struct wire_buf *b)
{
	skill_elicit_request_t req = {.struct_size = sizeof req};
	skill_elicit_result_t out = {.struct_size = sizeof out};
	skill_status st = SKILL_ERR_ARGS;

	req.message = wire_get_str(&c->args);
	req.requested_schema = wire_get_str(&c->args);
	if (!wire_rd_done(&c->args) || c->fn != WIRE_ELICIT_ASK)
		return iso_broken(s, "a malformed %s call", "skill.elicit/1");
	if (iso_live(s, c->call))
		st = x->elicit(s->call, &req, &out);
	wire_put_u32(b, (uint32_t)st);
	wire_put_u32(b, st == SKILL_OK ? (uint32_t)out.action : 0);
	wire_put_nstr(b, st == SKILL_OK ? out.content : NULL);
	return T_MORE;
}

static enum turn ext_sample(struct session *s, const skill_ext_sample_t *x,
                            struct wire_ext_call *c, struct wire_buf *b)
{
	struct wire_rd *r = &c->args;
	skill_sample_request_t req = {.struct_size = sizeof req};
	skill_sample_result_t out = {.struct_size = sizeof out};
	skill_sample_message_t *msgs;
	skill_status st = SKILL_ERR_ARGS;
	uint32_t n = wire_get_u32(r);

	if (c->fn != WIRE_SAMPLE_ASK || n > WIRE_SAMPLE_MESSAGES_MAX)
		return iso_broken(s, "a malformed %s call", "skill.sample/1");
	if (!(msgs = calloc(n ? n : 1, sizeof *msgs)))
		return iso_broken(s, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		msgs[i].struct_size = sizeof msgs[i];
		msgs[i].role = wire_get_str(r);
		msgs[i].text = wire_get_str(r);
	}
	req.messages = msgs;
	req.message_count = n;
	req.system_prompt = wire_get_nstr(r);
	req.max_tokens = wire_get_u32(r);
	req.model_preferences = wire_get_nstr(r);
	if (!wire_rd_done(r)) {
		free(msgs);
		return iso_broken(s, "a malformed %s call", "skill.sample/1");
	}
	if (iso_live(s, c->call))
		st = x->sample(s->call, &req, &out);
	free(msgs);
	wire_put_u32(b, (uint32_t)st);
	wire_put_nstr(b, st == SKILL_OK ? out.role : NULL);
	wire_put_nstr(b, st == SKILL_OK ? out.text : NULL);
	wire_put_nstr(b, st == SKILL_OK ? out.content : NULL);
	wire_put_nstr(b, st == SKILL_OK ? out.model : NULL);
	wire_put_nstr(b, st == SKILL_OK ? out.stop_reason : NULL);
	return T_MORE;
}

/* Perform a forwarded host-extension call with the real vtable and the
 * real call, and answer it. */
enum turn iso_serve_ext(struct session *s, const struct wire_msg *m)
{
	struct wire_ext_call c;
	struct wire_buf b;
	enum turn t;
	const void *x;
	int wipe = 0;

	if (!wire_decode_ext_call(m, &c))
		return iso_broken(s, "a malformed extension call");
	/* Only an artifact's data comes with a descriptor. */
	if ((c.fd >= 0) !=
	    (c.ext == WIRE_EXT_ARTIFACTS && c.fn == WIRE_ART_APPEND_FD))
		return iso_broken(
		        s, c.fd >= 0 ? "a file descriptor with a request "
		                       "that takes none"
		                     : "an artifact's data without its "
		                       "file descriptor");
	x = c.ext < WIRE_EXT_COUNT ? s->iso->ext[c.ext] : NULL;
	if (!x)
		return iso_broken(s,
		                  "a call to extension %u, which the host did "
		                  "not offer",
		                  c.ext);
	wire_buf_init(&b);
	wire_begin(&b, WIRE_REPLY, m->id);
	switch (c.ext) {
	case WIRE_EXT_CONFIG: t = ext_config(s, x, &c, &b); break;
	case WIRE_EXT_ARTIFACTS: t = ext_artifacts(s, x, &c, &b); break;
	case WIRE_EXT_ELICIT: t = ext_elicit(s, x, &c, &b); break;
	case WIRE_EXT_SAMPLE: t = ext_sample(s, x, &c, &b); break;
	case WIRE_EXT_HTTP:
		/* Response bodies may carry tokens. */
		wipe = 1;
		t = ext_http(s, x, &c, &b);
		break;
	default:
		wipe = 1;
		t = ext_secrets(s, x, &c, &b);
		break;
	}
	if (t != T_MORE) {
		wire_buf_free(&b, wipe);
		return t;
	}
	if (iso_send_frame(s, &b, wipe))
		return iso_broken(s, "the worker stopped reading its socket");
	return T_MORE;
}
