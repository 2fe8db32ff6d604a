/*
 * wire.c - the host/worker protocol. See wire.h.
 */
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "call.h"

/* The reader's first buffer, and how far below WIRE_PAYLOAD_MAX a drained
 * buffer may stay allocated before it is given back. */
#define WIRE_READ_MIN ((size_t)64 * 1024)
#define WIRE_KEEP_MAX ((size_t)1024 * 1024)

static const char *const ext_ids[WIRE_EXT_COUNT] = {
        [WIRE_EXT_CONFIG] = "skill.config/1",
        [WIRE_EXT_ARTIFACTS] = "skill.artifacts/1",
        [WIRE_EXT_HTTP] = "skill.http/1",
        [WIRE_EXT_SECRETS] = "skill.secrets/1",
        [WIRE_EXT_ELICIT] = "skill.elicit/1",
        [WIRE_EXT_SAMPLE] = "skill.sample/1",
};

const char *wire_ext_id(enum wire_ext x)
{
	return (unsigned)x < WIRE_EXT_COUNT ? ext_ids[x] : NULL;
}

enum wire_ext wire_ext_from_id(const char *id)
{
	for (unsigned i = 1; id && i < WIRE_EXT_COUNT; i++)
		if (!strcmp(ext_ids[i], id))
			return (enum wire_ext)i;
	return (enum wire_ext)0;
}

/* ---- writing ---- */

void wire_buf_init(struct wire_buf *b)
{
	memset(b, 0, sizeof *b);
}

void wire_buf_free(struct wire_buf *b, int wipe)
{
	if (wipe && b->data)
		sodium_memzero(b->data, b->cap);
	free(b->data);
	memset(b, 0, sizeof *b);
}

static unsigned char *room(struct wire_buf *b, size_t n)
{
	if (b->bad)
		return NULL;
	if (n > WIRE_HDR_SIZE + (size_t)WIRE_PAYLOAD_MAX - b->len) {
		b->bad = 1;
		return NULL;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		unsigned char *grown;
		while (cap < b->len + n)
			cap *= 2;
		grown = realloc(b->data, cap);
		if (!grown) {
			b->bad = 1;
			return NULL;
		}
		b->data = grown;
		b->cap = cap;
	}
	b->len += n;
	return b->data + b->len - n;
}

static void le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t unle(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void wire_begin(struct wire_buf *b, enum wire_type t, uint64_t id)
{
	unsigned char *h;

	b->len = 0;
	b->bad = 0;
	h = room(b, WIRE_HDR_SIZE);
	if (!h)
		return;
	le(h, 0, 4);
	le(h + 4, (uint64_t)t, 2);
	h[6] = WIRE_VERSION;
	h[7] = 0;
	le(h + 8, id, 8);
}

void wire_put_u8(struct wire_buf *b, uint8_t v)
{
	unsigned char *p = room(b, 1);
	if (p)
		*p = v;
}

void wire_put_u16(struct wire_buf *b, uint16_t v)
{
	unsigned char *p = room(b, 2);
	if (p)
		le(p, v, 2);
}

void wire_put_u32(struct wire_buf *b, uint32_t v)
{
	unsigned char *p = room(b, 4);
	if (p)
		le(p, v, 4);
}

void wire_put_u64(struct wire_buf *b, uint64_t v)
{
	unsigned char *p = room(b, 8);
	if (p)
		le(p, v, 8);
}

void wire_put_i64(struct wire_buf *b, int64_t v)
{
	wire_put_u64(b, (uint64_t)v);
}

void wire_put_f64(struct wire_buf *b, double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof bits);
	wire_put_u64(b, bits);
}

void wire_put_bytes(struct wire_buf *b, const void *p, size_t n)
{
	unsigned char *d;

	if (n >= WIRE_NULL_LEN) {
		b->bad = 1;
		return;
	}
	wire_put_u32(b, (uint32_t)n);
	d = room(b, n + 1);
	if (!d)
		return;
	if (n)
		memcpy(d, p, n);
	d[n] = '\0';
}

void wire_put_nbytes(struct wire_buf *b, const void *p, size_t n)
{
	if (!p)
		wire_put_u32(b, WIRE_NULL_LEN);
	else
		wire_put_bytes(b, p, n);
}

void wire_put_str(struct wire_buf *b, const char *s)
{
	wire_put_bytes(b, s, strlen(s));
}

void wire_put_nstr(struct wire_buf *b, const char *s)
{
	if (!s)
		wire_put_u32(b, WIRE_NULL_LEN);
	else
		wire_put_str(b, s);
}

void wire_mark_fd(struct wire_buf *b)
{
	if (!b->bad && b->len >= WIRE_HDR_SIZE)
		b->data[7] |= WIRE_F_FD;
}

sh_status wire_end(struct wire_buf *b, struct sh_error *e)
{
	if (b->bad || b->len < WIRE_HDR_SIZE)
		return sh_error_set(e, SH_ERR_NOMEM,
		                    "a message for the worker does not fit "
		                    "(out of memory, or over %zu bytes)",
		                    WIRE_PAYLOAD_MAX);
	le(b->data, b->len - WIRE_HDR_SIZE, 4);
	return SH_OK;
}

/* One sendmsg of p[0, n), with pass_fd attached when it is >= 0. */
static ssize_t send_with_fd(int fd, const void *p, size_t n, int pass_fd,
                            int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {(void *)p, n};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.buf,
	                    .msg_controllen = sizeof u.buf};
	struct cmsghdr *cm;

	if (pass_fd < 0) {
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
		return sendmsg(fd, &mh, flags);
	}
	memset(&u, 0, sizeof u);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pass_fd, sizeof pass_fd);
	return sendmsg(fd, &mh, flags);
}

int wire_write_all(int fd, const void *p, size_t n, int64_t deadline_ns)
{
	return wire_write_all_fd(fd, p, n, -1, deadline_ns);
}

/* nosignal: every write is a sendmsg with MSG_NOSIGNAL, so a peer that is
 * gone is EPIPE and never SIGPIPE (the host, which must not die of a
 * worker's death whatever its embedder does with SIGPIPE); otherwise
 * write(), which the worker's seccomp filter allows on any descriptor. */
static int write_all(int fd, const void *p, size_t n, int pass_fd,
                     int64_t deadline_ns, int nosignal)
{
	const unsigned char *c = p;

	while (n) {
		/* The descriptor goes with the first byte sent; until a
		 * send succeeds, every retry carries it. */
		ssize_t w = pass_fd >= 0 || nosignal
		                    ? send_with_fd(fd, c, n, pass_fd,
		                                   nosignal ? MSG_NOSIGNAL : 0)
		                    : write(fd, c, n);
		if (w > 0) {
			c += w;
			n -= (size_t)w;
			pass_fd = -1;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pf = {fd, POLLOUT, 0};
			int ms = -1;
			if (deadline_ns) {
				int64_t left = deadline_ns - call_now_ns();
				if (left <= 0) {
					errno = ETIMEDOUT;
					return -1;
				}
				ms = (int)((left + 999999) / 1000000);
			}
			if (poll(&pf, 1, ms) < 0 && errno != EINTR)
				return -1;
			continue;
		}
		if (w == 0)
			errno = EPIPE;
		return -1;
	}
	return 0;
}

int wire_write_all_fd(int fd, const void *p, size_t n, int pass_fd,
                      int64_t deadline_ns)
{
	return write_all(fd, p, n, pass_fd, deadline_ns, 0);
}

int wire_send_all_fd(int fd, const void *p, size_t n, int pass_fd,
                     int64_t deadline_ns)
{
	return write_all(fd, p, n, pass_fd, deadline_ns, 1);
}

/* ---- reading ---- */

void wire_reader_init(struct wire_reader *r)
{
	memset(r, 0, sizeof *r);
}

void wire_reader_free(struct wire_reader *r)
{
	for (unsigned i = 0; i < r->nfds; i++)
		close(r->fds[i]);
	free(r->buf);
	memset(r, 0, sizeof *r);
}

unsigned wire_fds_pending(const struct wire_reader *r)
{
	return r->nfds;
}

/* Keep the descriptors of the control messages in mh for the frames that
 * claim them; more than WIRE_FDS_MAX, or a truncated list, is remembered
 * (wire_next then refuses the stream) and the extra ones closed. */
static void keep_fds(struct wire_reader *r, struct msghdr *mh)
{
	if (mh->msg_flags & MSG_CTRUNC)
		r->fd_overflow = 1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
	     cm = CMSG_NXTHDR(mh, cm)) {
		size_t n;
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int got;
			memcpy(&got, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof got);
			if (r->nfds < WIRE_FDS_MAX) {
				r->fds[r->nfds++] = got;
			} else {
				close(got);
				r->fd_overflow = 1;
			}
		}
	}
}

/* Make room for at least want more bytes after end, moving the unconsumed
 * bytes to the front first. */
static int reserve(struct wire_reader *r, size_t want)
{
	size_t used = r->end - r->start;
	size_t cap;
	unsigned char *grown;

	if (r->start && (r->cap - r->end < want || used == 0)) {
		memmove(r->buf, r->buf + r->start, used);
		r->start = 0;
		r->end = used;
	}
	if (r->cap - r->end >= want)
		return 0;
	cap = r->cap ? r->cap : WIRE_READ_MIN;
	while (cap - used < want)
		cap *= 2;
	grown = realloc(r->buf, cap);
	if (!grown)
		return -1;
	r->buf = grown;
	r->cap = cap;
	return 0;
}

/* How much to ask read() for: the rest of the frame being read when its
 * header is known (so a big payload arrives in few reads), else a chunk. */
static size_t wanted(const struct wire_reader *r)
{
	size_t used = r->end - r->start;

	if (used >= WIRE_HDR_SIZE) {
		uint64_t len = unle(r->buf + r->start, 4);
		if (len <= WIRE_PAYLOAD_MAX && WIRE_HDR_SIZE + len > used)
			return (size_t)(WIRE_HDR_SIZE + len - used);
	}
	return WIRE_READ_MIN;
}

ssize_t wire_fill(struct wire_reader *r, int fd)
{
	size_t want = wanted(r);
	ssize_t n;

	if (want < WIRE_READ_MIN)
		want = WIRE_READ_MIN;
	/* Give a big drained buffer back rather than keep it for the life of
	 * the worker. */
	if (r->end == r->start && r->cap > WIRE_KEEP_MAX) {
		free(r->buf);
		r->buf = NULL;
		r->start = r->end = r->cap = 0;
	}
	if (reserve(r, want)) {
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * WIRE_FDS_MAX)];
			struct cmsghdr align;
		} u;
		struct iovec iov = {r->buf + r->end, r->cap - r->end};
		struct msghdr mh = {.msg_iov = &iov,
		                    .msg_iovlen = 1,
		                    .msg_control = u.buf,
		                    .msg_controllen = sizeof u.buf};
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == ENOTSOCK)
			n = read(fd, r->buf + r->end, r->cap - r->end);
		else if (n >= 0)
			keep_fds(r, &mh);
		if (!(n < 0 && errno == EINTR))
			break;
	}
	if (n > 0)
		r->end += (size_t)n;
	return n;
}

static int64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int wire_spin_readable(int fd, int64_t spin_ns)
{
	struct pollfd p = {fd, POLLIN, 0};
	int64_t t0 = mono_ns(), last = t0, t;

	if (spin_ns <= 0)
		return 0;
	for (;;) {
		if (poll(&p, 1, 0) > 0)
			return 1;
		/* The peer we wait for may be queued on this very CPU: it runs
		 * in SCHED_BATCH (schedclass.h), so our wake-up of it did not
		 * preempt us, and the kernel placed it here because a waker
		 * usually sleeps next. Let it run; with nothing else queued
		 * here this returns at once. */
		sched_yield();
		t = mono_ns();
		if (t - t0 >= spin_ns || t - last >= WIRE_SPIN_PREEMPTED_NS)
			return 0;
		last = t;
	}
}

void wire_wait_readable(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};

	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
}

int wire_feed(struct wire_reader *r, const void *p, size_t n)
{
	if (reserve(r, n ? n : 1))
		return -1;
	if (n)
		memcpy(r->buf + r->end, p, n);
	r->end += n;
	return 0;
}

int wire_next(struct wire_reader *r, struct wire_msg *m, char *why, size_t cap)
{
	size_t used = r->end - r->start;
	const unsigned char *h = r->buf + r->start;
	uint64_t len;

	if (used < WIRE_HDR_SIZE)
		return 0;
	len = unle(h, 4);
	if (h[6] != WIRE_VERSION) {
		(void)snprintf(
		        why, cap,
		        "a frame of protocol version %u (this host speaks %u)",
		        h[6], WIRE_VERSION);
		return -1;
	}
	if (r->fd_overflow) {
		(void)snprintf(why, cap,
		               "more file descriptors than frames that carry "
		               "them");
		return -1;
	}
	if (h[7] & ~WIRE_F_FD) {
		(void)snprintf(why, cap, "a frame with unknown flags 0x%02x",
		               h[7]);
		return -1;
	}
	if (len > WIRE_PAYLOAD_MAX) {
		(void)snprintf(
		        why, cap,
		        "a frame of %llu bytes (the most allowed is %zu)",
		        (unsigned long long)len, WIRE_PAYLOAD_MAX);
		return -1;
	}
	if (used < WIRE_HDR_SIZE + len)
		return 0;
	m->fd = -1;
	if (h[7] & WIRE_F_FD) {
		/* Its descriptor came with its first byte, so by now it is
		 * here, after any that earlier frames claimed. */
		if (!r->nfds) {
			(void)snprintf(why, cap,
			               "a frame that says it carries a file "
			               "descriptor, without one");
			return -1;
		}
		m->fd = r->fds[0];
		memmove(r->fds, r->fds + 1, --r->nfds * sizeof(int));
	}
	m->type = (uint16_t)unle(h + 4, 2);
	m->id = unle(h + 8, 8);
	m->p = h + WIRE_HDR_SIZE;
	m->len = (size_t)len;
	r->start += WIRE_HDR_SIZE + (size_t)len;
	return 1;
}

int wire_sealed_memfd(const void *p, size_t n, int nul)
{
	const char *c = p;
	size_t left = n;
	int fd =
	        memfd_create("skillhost-bulk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int err;

	if (fd < 0)
		return -1;
	/* The size first: one allocation of the file's extent, not one
	 * per write. */
	if (ftruncate(fd, (off_t)(n + (nul ? 1 : 0))))
		goto fail;
	while (left) {
		ssize_t w = pwrite(fd, c, left, (off_t)(n - left));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		c += w;
		left -= (size_t)w;
	}
	/* The NUL is already there: ftruncate filled with zeros. */
	if (fcntl(fd, F_ADD_SEALS,
	          F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL))
		goto fail;
	return fd;
fail:
	err = errno ? errno : EIO;
	close(fd);
	errno = err;
	return -1;
}

int wire_check_sealed(int fd, uint64_t want, char *why, size_t cap)
{
	const int need = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK;
	/* Only memfds (shmem, hugetlbfs) have seals: anything else fails
	 * here, before fstat, which could wait on a FUSE server. */
	int seals = fcntl(fd, F_GET_SEALS);
	struct stat st;

	if (seals < 0) {
		(void)snprintf(why, cap,
		               "a file descriptor that is not a memfd (%s)",
		               strerror(errno));
		return -1;
	}
	if ((seals & need) != need) {
		(void)snprintf(why, cap,
		               "a memfd not sealed against writing, growing "
		               "and shrinking (seals 0x%x)",
		               (unsigned)seals);
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		(void)snprintf(why, cap, "a memfd that cannot be examined");
		return -1;
	}
	if ((uint64_t)st.st_size != want) {
		(void)snprintf(why, cap,
		               "a memfd of %llu bytes declared as %llu",
		               (unsigned long long)st.st_size,
		               (unsigned long long)want);
		return -1;
	}
	return 0;
}

void wire_rd_init(struct wire_rd *r, const struct wire_msg *m)
{
	r->p = m->p;
	r->end = m->p + m->len;
	r->bad = 0;
}

static const unsigned char *take(struct wire_rd *r, size_t n)
{
	const unsigned char *p = r->p;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	return p;
}

uint8_t wire_get_u8(struct wire_rd *r)
{
	const unsigned char *p = take(r, 1);
	return p ? *p : 0;
}

uint16_t wire_get_u16(struct wire_rd *r)
{
	const unsigned char *p = take(r, 2);
	return p ? (uint16_t)unle(p, 2) : 0;
}

uint32_t wire_get_u32(struct wire_rd *r)
{
	const unsigned char *p = take(r, 4);
	return p ? (uint32_t)unle(p, 4) : 0;
}

uint64_t wire_get_u64(struct wire_rd *r)
{
	const unsigned char *p = take(r, 8);
	return p ? unle(p, 8) : 0;
}

int64_t wire_get_i64(struct wire_rd *r)
{
	return (int64_t)wire_get_u64(r);
}

double wire_get_f64(struct wire_rd *r)
{
	uint64_t bits = wire_get_u64(r);
	double v;

	memcpy(&v, &bits, sizeof v);
	if (!isfinite(v)) {
		r->bad = 1;
		return 0;
	}
	return v;
}

static const char *get_bytes(struct wire_rd *r, size_t *n, int nullable)
{
	uint32_t len = wire_get_u32(r);
	const unsigned char *p;

	*n = 0;
	if (r->bad)
		return NULL;
	if (len == WIRE_NULL_LEN) {
		if (!nullable)
			r->bad = 1;
		return NULL;
	}
	p = take(r, (size_t)len + 1);
	if (!p || p[len] != '\0') {
		r->bad = 1;
		return NULL;
	}
	*n = len;
	return (const char *)p;
}

const char *wire_get_bytes(struct wire_rd *r, size_t *n)
{
	return get_bytes(r, n, 0);
}

const char *wire_get_nbytes(struct wire_rd *r, size_t *n)
{
	return get_bytes(r, n, 1);
}

static const char *get_str(struct wire_rd *r, int nullable)
{
	size_t n;
	const char *s = get_bytes(r, &n, nullable);

	if (s && memchr(s, '\0', n)) {
		r->bad = 1;
		return NULL;
	}
	return s;
}

const char *wire_get_str(struct wire_rd *r)
{
	return get_str(r, 0);
}

const char *wire_get_nstr(struct wire_rd *r)
{
	return get_str(r, 1);
}

int wire_rd_done(const struct wire_rd *r)
{
	return !r->bad && r->p == r->end;
}

/* ---- decoders ---- */

int wire_decode_hello(const struct wire_msg *m, struct wire_hello *out)
{
	struct wire_rd r;

	wire_rd_init(&r, m);
	out->version = wire_get_u32(&r);
	out->pid = wire_get_u32(&r);
	out->sandbox = wire_get_u32(&r);
	out->sandbox_detail = wire_get_str(&r);
	out->skill = wire_get_str(&r);
	out->skill_version = wire_get_str(&r);
	out->ntools = wire_get_u32(&r);
	out->tools = wire_get_str(&r);
	return wire_rd_done(&r);
}

int wire_decode_ready(const struct wire_msg *m, struct wire_ready *out)
{
	struct wire_rd r;

	wire_rd_init(&r, m);
	out->status = wire_get_u32(&r);
	out->config_schema = wire_get_nstr(&r);
	out->prompts = wire_get_nstr(&r);
	out->resources = wire_get_nstr(&r);
	out->templates = wire_get_nstr(&r);
	return wire_rd_done(&r);
}

int wire_decode_done(const struct wire_msg *m, struct wire_done *out)
{
	struct wire_rd r;

	wire_rd_init(&r, m);
	out->status = wire_get_u32(&r);
	out->retire = wire_get_u8(&r);
	out->vm = wire_get_u64(&r);
	return wire_rd_done(&r) && out->retire <= 1;
}

int wire_decode_log(const struct wire_msg *m, struct wire_log *out)
{
	struct wire_rd r;

	wire_rd_init(&r, m);
	out->level = wire_get_u32(&r);
	out->msg = wire_get_str(&r);
	return wire_rd_done(&r);
}

int wire_decode_progress(const struct wire_msg *m, struct wire_progress *out)
{
	struct wire_rd r;

	wire_rd_init(&r, m);
	out->progress = wire_get_f64(&r);
	out->total = wire_get_f64(&r);
	out->message = wire_get_nstr(&r);
	return wire_rd_done(&r);
}

int wire_decode_blob(const struct wire_msg *m, const char **p, size_t *n)
{
	struct wire_rd r;

	wire_rd_init(&r, m);
	*p = wire_get_bytes(&r, n);
	return wire_rd_done(&r);
}

int wire_decode_tool_error(const struct wire_msg *m, const char **message)
{
	struct wire_rd r;

	wire_rd_init(&r, m);
	*message = wire_get_nstr(&r);
	return wire_rd_done(&r);
}

int wire_decode_media(const struct wire_msg *m, struct wire_media *out)
{
	struct wire_rd r;

	wire_rd_init(&r, m);
	out->mime = wire_get_str(&r);
	out->data = wire_get_bytes(&r, &out->len);
	return wire_rd_done(&r);
}

int wire_decode_resource(const struct wire_msg *m, struct wire_resource *out)
{
	struct wire_rd r;

	wire_rd_init(&r, m);
	out->uri = wire_get_str(&r);
	out->mime = wire_get_nstr(&r);
	out->text = wire_get_nbytes(&r, &out->text_len);
	out->blob = wire_get_nbytes(&r, &out->blob_len);
	return wire_rd_done(&r);
}

int wire_decode_link(const struct wire_msg *m, struct wire_link *out)
{
	struct wire_rd r;

	wire_rd_init(&r, m);
	out->uri = wire_get_str(&r);
	out->name = wire_get_str(&r);
	out->title = wire_get_nstr(&r);
	out->description = wire_get_nstr(&r);
	out->mime = wire_get_nstr(&r);
	out->size = wire_get_i64(&r);
	return wire_rd_done(&r);
}

int wire_decode_ext_call(const struct wire_msg *m, struct wire_ext_call *out)
{
	wire_rd_init(&out->args, m);
	out->call = wire_get_u64(&out->args);
	out->ext = wire_get_u16(&out->args);
	out->fn = wire_get_u16(&out->args);
	out->fd = m->fd;
	return !out->args.bad;
}

int wire_decode_http_req(struct wire_rd *r, struct wire_http_req *out,
                         struct wire_http_header *headers, size_t max)
{
	uint32_t n;

	out->method = wire_get_str(r);
	out->url = wire_get_str(r);
	n = wire_get_u32(r);
	if (n > max)
		r->bad = 1;
	for (uint32_t i = 0; !r->bad && i < n; i++) {
		headers[i].name = wire_get_str(r);
		headers[i].value = wire_get_str(r);
	}
	out->nheaders = r->bad ? 0 : n;
	out->body = wire_get_nbytes(r, &out->body_len);
	out->timeout_ms = wire_get_i64(r);
	out->max_response_bytes = wire_get_i64(r);
	return wire_rd_done(r);
}

const char *wire_type_name(unsigned type, char *buf, size_t cap)
{
	static const char *const names[] = {
	        [WIRE_HELLO] = "hello",
	        [WIRE_READY] = "ready",
	        [WIRE_DONE] = "done",
	        [WIRE_LOG] = "log",
	        [WIRE_PROGRESS] = "progress",
	        [WIRE_RESULT_TEXT] = "result-text",
	        [WIRE_RESULT_JSON] = "result-json",
	        [WIRE_RESULT_MEDIA] = "result-media",
	        [WIRE_RESULT_RESOURCE] = "result-resource",
	        [WIRE_RESULT_LINK] = "result-link",
	        [WIRE_TOOL_ERROR] = "tool-error",
	        [WIRE_EXT_CALL] = "ext-call",
	        [WIRE_WELCOME] = "welcome",
	        [WIRE_CALL] = "call",
	        [WIRE_REPLY] = "reply",
	        [WIRE_SHUTDOWN] = "shutdown",
	};

	if (type < sizeof names / sizeof *names && names[type])
		return names[type];
	(void)snprintf(buf, cap, "type %u", type);
	return buf;
}
