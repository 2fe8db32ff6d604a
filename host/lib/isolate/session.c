/*
 * session.c - the isolated executor's side of one conversation turn with a
 * worker (start-up, a call, shut-down): reading and checking frames,
 * replaying results, logs and progress onto the call, handles, waiting.
 * See exec_isolated_int.h; the protocol is in wire.h.
 */
#include "exec_isolated_int.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "hostlog.h"

/* Record why the worker is no longer trusted. */
enum turn iso_broken(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* clang-analyzer 14 reports ap as uninitialized when it inlines this
	 * variadic function into a caller in the same file: va_start above
	 * initializes it. */
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	(void)vsnprintf(s->why, sizeof s->why, fmt, ap);
	va_end(ap);
	return T_BROKEN;
}

uint32_t iso_add_handle(struct session *s, enum hkind kind, void *p)
{
	struct handle *grown;

	for (size_t i = 0; i < s->nhandles; i++)
		if (s->handles[i].kind == H_FREE) {
			s->handles[i] = (struct handle){kind, p};
			return (uint32_t)i + 1;
		}
	if (s->nhandles == HANDLES_MAX)
		return 0;
	grown = realloc(s->handles, (s->nhandles + 1) * sizeof *grown);
	if (!grown)
		return 0;
	s->handles = grown;
	s->handles[s->nhandles++] = (struct handle){kind, p};
	return (uint32_t)s->nhandles;
}

/* The handle numbered id of kind, or NULL; take also frees the slot. */
void *iso_get_handle(struct session *s, uint32_t id, enum hkind kind, int take)
{
	struct handle *h;

	if (id == 0 || id > s->nhandles || s->handles[id - 1].kind != kind)
		return NULL;
	h = &s->handles[id - 1];
	if (take)
		h->kind = H_FREE;
	return h->p;
}

int iso_send_frame(struct session *s, struct wire_buf *b, int wipe)
{
	return iso_send_frame_fd(s, b, wipe, -1);
}

int iso_send_frame_fd(struct session *s, struct wire_buf *b, int wipe,
                      int pass_fd)
{
	int rc = -1;
	int err = 0;

	if (pass_fd >= 0)
		wire_mark_fd(b);
	if (wire_end(b, NULL) == SH_OK) {
		rc = wire_send_all_fd(s->w->fd, b->data, b->len, pass_fd,
		                      s->io_deadline_ns);
		err = errno;
	}
	wire_buf_free(b, wipe);
	errno = err;
	return rc;
}

int iso_live(const struct session *s, uint64_t call)
{
	return s->call && call == s->call_id;
}

/* Apply a result frame the worker checked already; the host checks it
 * again, and a refusal means the worker is not playing by the rules. */
static enum turn result(struct session *s, const struct wire_msg *m)
{
	skill_status st = SKILL_OK;
	unsigned nrefused = s->call ? s->call->nrefused : 0;
	const char *p;
	size_t n;

	switch (m->type) {
	case WIRE_RESULT_TEXT:
	case WIRE_RESULT_JSON:
		if (!wire_decode_blob(m, &p, &n))
			return iso_broken(s, "a malformed result");
		if (iso_live(s, m->id))
			st = m->type == WIRE_RESULT_TEXT
			             ? call_result_text(s->call, p, n)
			             : call_result_json(s->call, p, n);
		break;
	case WIRE_RESULT_MEDIA: {
		struct wire_media md;
		if (!wire_decode_media(m, &md))
			return iso_broken(s, "a malformed result");
		if (iso_live(s, m->id))
			st = call_result_media(s->call, md.mime, md.data,
			                       md.len);
		break;
	}
	case WIRE_RESULT_RESOURCE: {
		struct wire_resource rs;
		skill_resource_t res = {.struct_size = sizeof res};
		if (!wire_decode_resource(m, &rs))
			return iso_broken(s, "a malformed result");
		res.uri = rs.uri;
		res.mime_type = rs.mime;
		res.text = rs.text;
		res.text_len = rs.text_len;
		res.blob = rs.blob;
		res.blob_len = rs.blob_len;
		if (iso_live(s, m->id))
			st = call_result_resource(s->call, &res);
		break;
	}
	case WIRE_RESULT_LINK: {
		struct wire_link lk;
		skill_resource_link_t link = {.struct_size = sizeof link};
		if (!wire_decode_link(m, &lk))
			return iso_broken(s, "a malformed result");
		link.uri = lk.uri;
		link.name = lk.name;
		link.title = lk.title;
		link.description = lk.description;
		link.mime_type = lk.mime;
		link.size = lk.size;
		if (iso_live(s, m->id))
			st = call_result_link(s->call, &link);
		break;
	}
	default: {
		const char *msg;
		if (!wire_decode_tool_error(m, &msg))
			return iso_broken(s, "a malformed tool error");
		if (iso_live(s, m->id))
			call_tool_error(s->call, msg);
		break;
	}
	}
	/* Text refused for its bytes (not UTF-8, a NUL) is the worker
	 * passing on the skill's output as it should: the refusal is on the
	 * call already. Any other refusal is the worker breaking the rules. */
	if (st != SKILL_OK &&
	    !(st == SKILL_ERR_ARGS && s->call && s->call->nrefused != nrefused))
		return iso_broken(s, "a result the host refused (%s)",
		                  call_skill_status_name(st));
	return T_MORE;
}

/* Check HELLO against what the catalog says the skill is. */
static enum turn hello(struct session *s, const struct wire_msg *m)
{
	struct isolated *iso = s->iso;
	struct wire_hello h;

	if (s->hello || !wire_decode_hello(m, &h))
		return iso_broken(s, "a malformed or repeated hello");
	if (h.version != WIRE_VERSION)
		return iso_broken(s, "a different protocol version");
	if (strcmp(h.skill, iso->name) != 0 ||
	    strcmp(h.skill_version, iso->version) != 0 ||
	    h.ntools != iso->ntools || strcmp(h.tools, iso->tools) != 0) {
		(void)snprintf(
		        s->why, sizeof s->why,
		        "the library says it is %.100s %.60s, which is not "
		        "the %s %s (with the same tools) the host knows; "
		        "reinstall the skill",
		        h.skill, h.skill_version, iso->name, iso->version);
		return T_BROKEN;
	}
	s->hello = 1;
	s->w->sandbox = h.sandbox;
	if (h.sandbox_detail[0])
		hostlog(SKILL_LOG_DEBUG,
		        "%s (worker %d): sandbox layers "
		        "skipped: %s",
		        iso->name, (int)s->w->pid, h.sandbox_detail);
	{
		struct wire_buf b;
		wire_buf_init(&b);
		wire_begin(&b, WIRE_WELCOME, 0);
		wire_put_u32(&b, WIRE_VERSION);
		wire_put_str(&b, iso->welcome_ids);
		if (iso_send_frame(s, &b, 0))
			return iso_broken(s, "the worker stopped reading");
	}
	return T_MORE;
}

static enum turn ready(struct session *s, const struct wire_msg *m)
{
	struct isolated *iso = s->iso;
	struct wire_ready r;

	if (!s->hello || s->ready || !wire_decode_ready(m, &r))
		return iso_broken(s, "a malformed or early ready");
	s->ready = 1;
	s->init_status = (skill_status)r.status;
	/* The schema is the same for every worker of the skill; keep the
	 * first. */
	pthread_mutex_lock(&iso->lock);
	if (r.config_schema && !iso->config_schema) {
		iso->config_schema = strdup(r.config_schema);
		iso->schema_ext.struct_size = sizeof iso->schema_ext;
		iso->schema_ext.schema = iso->config_schema;
	}
	if (!iso->has_prompts && r.prompts &&
	    (iso->prompts = strdup(r.prompts))) {
		iso->has_prompts = 1;
		iso->prompts_ext.struct_size = sizeof iso->prompts_ext;
		iso->prompts_ext.prompts = iso->prompts;
	}
	if (!iso->has_resources && (r.resources || r.templates)) {
		iso->resources = r.resources ? strdup(r.resources) : NULL;
		iso->templates = r.templates ? strdup(r.templates) : NULL;
		if (!r.resources == !iso->resources &&
		    !r.templates == !iso->templates) {
			iso->has_resources = 1;
			iso->resources_ext.struct_size =
			        sizeof iso->resources_ext;
			iso->resources_ext.resources = iso->resources;
			iso->resources_ext.templates = iso->templates;
		}
	}
	pthread_mutex_unlock(&iso->lock);
	return T_FINISHED;
}

/* Log and progress messages are passed on up to ISOLATED_NOTES_MAX per
 * call (or start-up): a skill in a loop must not flood the operator's log
 * or the client. */
static int note_allowed(struct session *s)
{
	if (s->notes < ISOLATED_NOTES_MAX) {
		s->notes++;
		return 1;
	}
	if (s->notes == ISOLATED_NOTES_MAX) {
		s->notes++;
		hostlog(SKILL_LOG_WARNING,
		        "%s: more than %d log and progress messages in one "
		        "call; the rest are dropped",
		        s->iso->name, ISOLATED_NOTES_MAX);
	}
	return 0;
}

static enum turn frame(struct session *s, const struct wire_msg *m);

/* Handle every complete frame buffered. */
enum turn iso_handle_frames(struct session *s)
{
	struct wire_msg m;
	char why[160], tn[16];
	int k;

	while ((k = wire_next(&s->w->rd, &m, why, sizeof why)) == 1) {
		enum turn t = T_MORE;
		s->frames++;
		if (!s->call && m.type != WIRE_HELLO && !s->hello)
			t = iso_broken(s, "a %s before its hello",
			               wire_type_name(m.type, tn, sizeof tn));
		else if (m.fd >= 0 && m.type != WIRE_EXT_CALL)
			/* Only forwarded artifact data carries one. */
			t = iso_broken(s, "a %s frame with a file descriptor",
			               wire_type_name(m.type, tn, sizeof tn));
		else
			t = frame(s, &m);
		/* The frame's descriptor served its handler, if any. */
		if (m.fd >= 0)
			close(m.fd);
		if (t != T_MORE)
			return t;
	}
	if (k < 0)
		return iso_broken(s, "%s", why);
	return T_MORE;
}

/* Handle one frame (any descriptor it carries stays the caller's). */
static enum turn frame(struct session *s, const struct wire_msg *m)
{
	enum turn t = T_MORE;
	char tn[16];

	switch (m->type) {
	case WIRE_HELLO:
		t = s->call ? iso_broken(s, "a hello during a call")
		            : hello(s, m);
		break;
	case WIRE_READY:
		t = s->call ? iso_broken(s, "a ready during a call")
		            : ready(s, m);
		break;
	case WIRE_LOG: {
		struct wire_log lg;
		skill_log_level lvl;
		if (!wire_decode_log(m, &lg))
			return iso_broken(s, "a malformed log");
		lvl = lg.level <= SKILL_LOG_EMERGENCY
		              ? (skill_log_level)lg.level
		              : SKILL_LOG_ERROR;
		if (!note_allowed(s))
			break;
		if (iso_live(s, m->id))
			call_log(s->call, lvl, lg.msg);
		else
			hostapi_log_outside_call(s->iso->name, lvl, lg.msg);
		break;
	}
	case WIRE_PROGRESS: {
		struct wire_progress pg;
		if (!wire_decode_progress(m, &pg))
			return iso_broken(s, "a malformed progress");
		if (iso_live(s, m->id) && note_allowed(s))
			call_progress(s->call, pg.progress, pg.total,
			              pg.message);
		break;
	}
	case WIRE_RESULT_TEXT:
	case WIRE_RESULT_JSON:
	case WIRE_RESULT_MEDIA:
	case WIRE_RESULT_RESOURCE:
	case WIRE_RESULT_LINK:
	case WIRE_TOOL_ERROR: t = result(s, m); break;
	case WIRE_EXT_CALL: t = iso_serve_ext(s, m); break;
	case WIRE_DONE:
		if (!iso_live(s, m->id) || !wire_decode_done(m, &s->done))
			return iso_broken(s, "a malformed or stray done");
		/* Every descriptor sent during the call belongs to a
		 * frame that claimed it; one left over was sent
		 * for nothing. */
		if (wire_fds_pending(&s->w->rd))
			return iso_broken(s, "a file descriptor no frame "
			                     "claimed");
		t = T_FINISHED;
		break;
	default:
		return iso_broken(s, "an unexpected %s frame",
		                  wire_type_name(m->type, tn, sizeof tn));
	}
	return t;
}

/* Wait up to timeout_ms (-1: forever) for the worker to say something or
 * print something. Returns 1 when there may be new frames, 0 on timeout,
 * -1 when the worker's end closed (it died). */
int iso_wait_input(struct session *s, int timeout_ms)
{
	struct worker *w = s->w;
	struct pollfd p[2] = {{w->fd, POLLIN, 0}, {w->out_fd, POLLIN, 0}};
	int n = w->out_fd >= 0 ? 2 : 1;
	int64_t t0 = 0, budget;

	/* Most replies come within microseconds: catch them before sleeping,
	 * when this worker's replies have been that quick and a CPU is spare.
	 * A reply caught so is read at once, without the poll below: output
	 * on out_fd waits for the next wait that sleeps, or for the drain at
	 * the end of the call (a worker that fills the pipe stops sending,
	 * so its next wait sleeps). One system call less per reply. */
	if (timeout_ms != 0 && (budget = spin_budget(&w->spin, WIRE_SPIN_NS))) {
		t0 = call_now_ns();
		if (wire_spin_readable(w->fd, budget))
			p[0].revents = POLLIN;
	}
	if (!p[0].revents && poll(p, (nfds_t)n, timeout_ms) < 0)
		return errno == EINTR ? 0 : -1;
	if (t0)
		spin_note(&w->spin, call_now_ns() - t0);
	if (n == 2 && p[1].revents)
		iso_drain_output(s->iso, w);
	if (p[0].revents) {
		ssize_t got = wire_fill(&w->rd, w->fd);
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
			return -1;
		return 1;
	}
	return 0;
}

int iso_ms_until(int64_t deadline_ns)
{
	int64_t left = deadline_ns - call_now_ns();

	if (left <= 0)
		return 0;
	left = (left + 999999) / 1000000;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}
