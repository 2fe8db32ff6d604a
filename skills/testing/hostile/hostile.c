/*
 * testing/hostile - a skill that misbehaves in every way a skill can: it
 * spins, sleeps through cancellation, eats memory, forks, floods its
 * output, opens sockets, runs programs, reads files it must not, writes
 * garbage on the host's socket, signals the host, and exits mid-call. The
 * isolation tests call each tool and check that the host stays up, fails
 * the call with a reason, and serves the next one. bad_utf8 puts invalid
 * UTF-8 in each kind of output, ignoring the refusal. bad_fd passes the
 * host file descriptors it must refuse (a pipe, the socket itself, an
 * unsealed or half-sealed memfd, a size that is not the declared one, a
 * descriptor no frame claims). Harmless tools (ok,
 * threads, artifact, http, secret) exercise the forwarded host services.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <skill/skill.h>

#define OBJ(props)  "{\"type\":\"object\",\"properties\":{" props "}}"
#define TS          .struct_size = sizeof(skill_tool_t)
#define CHUNK       ((size_t)1024 * 1024)
#define FLOOD_BLOCK (64L * 1024)
#define THREADS     4
/* The host protocol's version (host/lib/isolate/wire.h), for forged
 * frames that must get past the version check. */
#define PROTO 2

enum {
	T_OK,
	T_SPIN,
	T_SLEEP,
	T_HOG,
	T_FORK,
	T_FLOOD,
	T_CONNECT,
	T_EXEC,
	T_READ,
	T_GARBAGE,
	T_KILL_HOST,
	T_THREADS,
	T_EXIT,
	T_CLOSE,
	T_ARTIFACT,
	T_HTTP,
	T_SECRET,
	T_NAN,
	T_BACKGROUND,
	T_WRITE,
	T_BADUTF8,
	T_BADFD,
	T_COUNT
};

static const skill_tool_t tools_[T_COUNT] = {
        [T_OK] = {TS, .name = "ok", .description = "Return \"ok\".",
                  .input_schema = OBJ("\"text\":{\"type\":\"string\"}")},
        [T_SPIN] = {TS, .name = "spin",
                    .description = "Loop forever, ignoring cancellation.",
                    .input_schema = OBJ("")},
        [T_SLEEP] = {TS, .name = "sleep",
                     .description = "Sleep ms (default: an hour), ignoring "
                                    "cancellation.",
                     .input_schema = OBJ("\"ms\":{\"type\":\"integer\"}")},
        [T_HOG] = {TS, .name = "hog",
                   .description =
                           "Allocate and touch memory until it runs out.",
                   .input_schema = OBJ("")},
        [T_FORK] = {TS, .name = "fork_bomb", .description = "fork() in a loop.",
                    .input_schema = OBJ("")},
        [T_FLOOD] = {TS, .name = "flood",
                     .description = "Write bytes (0: forever) to stdout and "
                                    "stderr, then return.",
                     .input_schema = OBJ("\"bytes\":{\"type\":\"integer\"}")},
        [T_CONNECT] = {TS, .name = "connect",
                       .description =
                               "socket() and connect() to 127.0.0.1:port.",
                       .input_schema = OBJ("\"port\":{\"type\":\"integer\"}")},
        [T_EXEC] = {TS, .name = "exec", .description = "execve(\"/bin/sh\").",
                    .input_schema = OBJ("")},
        [T_READ] = {TS, .name = "read_file",
                    .description = "Read a file and return its first bytes.",
                    .input_schema = OBJ("\"path\":{\"type\":\"string\"}")},
        [T_GARBAGE] = {TS, .name = "garbage",
                       .description = "Write a malformed frame on the host's "
                                      "socket (fd 3): kind junk, huge, version "
                                      "or stray-done.",
                       .input_schema = OBJ("\"kind\":{\"type\":\"string\"}")},
        [T_KILL_HOST] = {TS, .name = "kill_host",
                         .description = "Send SIGKILL to the parent process.",
                         .input_schema = OBJ("")},
        [T_THREADS] = {TS, .name = "threads",
                       .description =
                               "Log and read a setting from 4 threads at "
                               "once.",
                       .input_schema = OBJ("\"key\":{\"type\":\"string\"}")},
        [T_EXIT] = {TS, .name = "exit", .description = "exit(3) mid-call.",
                    .input_schema = OBJ("")},
        [T_CLOSE] = {TS, .name = "close_channel",
                     .description = "Close the host's socket and keep running.",
                     .input_schema = OBJ("")},
        [T_ARTIFACT] = {TS, .name = "artifact",
                        .description = "Write text (repeat times, in one "
                                       "write each) as an artifact through "
                                       "skill.artifacts/1.",
                        .input_schema = OBJ("\"text\":{\"type\":\"string\"},"
                                            "\"repeat\":{\"type\":"
                                            "\"integer\"}")},
        [T_HTTP] = {TS, .name = "http",
                    .description = "GET url through skill.http/1.",
                    .input_schema = OBJ("\"url\":{\"type\":\"string\"}")},
        [T_SECRET] = {TS, .name = "secret",
                      .description =
                              "Read a secret through skill.secrets/1 and "
                              "return its length (or it, with reveal).",
                      .input_schema = OBJ("\"name\":{\"type\":\"string\"},"
                                          "\"reveal\":{\"type\":\"boolean\"}")},
        [T_NAN] = {TS, .name = "nan_progress",
                   .description = "Report NaN progress, then return.",
                   .input_schema = OBJ("")},
        [T_BACKGROUND] = {TS, .name = "background",
                          .description = "Start a thread that logs outside any "
                                         "call, forever, or aborts the worker "
                                         "after crash_after_ms.",
                          .input_schema = OBJ("\"crash_after_ms\":"
                                              "{\"type\":\"integer\"}")},
        [T_WRITE] = {TS, .name = "write_file",
                     .description =
                             "Create path (default: in $TMPDIR) and read "
                             "it back.",
                     .input_schema = OBJ("\"path\":{\"type\":\"string\"}")},
        [T_BADUTF8] = {TS, .name = "bad_utf8",
                       .description =
                               "Put invalid UTF-8 in one output (field: "
                               "json, text, error, log, progress, link or "
                               "resource), ignore the refusal, and return "
                               "nothing else (\"ok\" after log and "
                               "progress).",
                       .input_schema = OBJ("\"field\":{\"type\":"
                                           "\"string\"}")},
        [T_BADFD] = {TS, .name = "bad_fd",
                     .description = "Send the host a file descriptor it must "
                                    "refuse (kind: pipe, socket, unsealed, "
                                    "shrink, mismatch, stray or unasked), then "
                                    "wait to be stopped; or (elsewhere) try "
                                    "sendmsg on stdout.",
                     .input_schema = OBJ("\"kind\":{\"type\":"
                                         "\"string\"}")},
};

static const skill_tool_t *const tool_ptrs[T_COUNT] = {
        &tools_[0],  &tools_[1],  &tools_[2],  &tools_[3],  &tools_[4],
        &tools_[5],  &tools_[6],  &tools_[7],  &tools_[8],  &tools_[9],
        &tools_[10], &tools_[11], &tools_[12], &tools_[13], &tools_[14],
        &tools_[15], &tools_[16], &tools_[17], &tools_[18], &tools_[19],
        &tools_[20], &tools_[21]};
_Static_assert(T_COUNT == 22, "list every tool in tool_ptrs");

static skill_status fail(const skill_host_t *h, skill_call_t *c,
                         const char *what)
{
	char msg[800];

	snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
	h->tool_error(c, msg);
	return SKILL_ERR_TOOL;
}

static skill_status text(const skill_host_t *h, skill_call_t *c, const char *s)
{
	return h->result_text(c, s, SKILL_NUL_TERMINATED);
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static skill_status hog(void)
{
	/* Touch every page, so the memory is really used; the write through
	 * a NULL at the cap is what an unprepared program does. */
	for (;;) {
		char *p = malloc(CHUNK);
		memset(p, 0x5a, CHUNK);
	}
	return SKILL_OK;
}

static skill_status flood(const skill_host_t *h, skill_call_t *c, long bytes)
{
	static char block[FLOOD_BLOCK];
	long done = 0;
	char msg[64];

	memset(block, 'x', sizeof block);
	for (int i = 63; i < FLOOD_BLOCK; i += 64)
		block[i] = '\n';
	while (bytes == 0 || done < bytes) {
		if (write(1 + (done / FLOOD_BLOCK) % 2, block, sizeof block) <
		    0)
			return fail(h, c, "write");
		done += FLOOD_BLOCK;
	}
	snprintf(msg, sizeof msg, "flooded %ld bytes", done);
	return text(h, c, msg);
}

static skill_status connect_to(const skill_host_t *h, skill_call_t *c,
                               double port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return fail(h, c, "socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
		close(fd);
		return fail(h, c, "connect");
	}
	close(fd);
	return text(h, c, "connected");
}

static skill_status read_file(const skill_host_t *h, skill_call_t *c,
                              const char *path)
{
	char buf[4097], what[600];
	ssize_t n;
	int fd = open(path ? path : "/etc/shadow", O_RDONLY | O_CLOEXEC);

	snprintf(what, sizeof what, "open %s", path ? path : "/etc/shadow");
	if (fd < 0)
		return fail(h, c, what);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return fail(h, c, "read");
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 && buf[i] != '\n')
			buf[i] = '?';
	return text(h, c, buf);
}

/* Frames as the host reads them: u32 len, u16 type, u8 version, u8
 * flags, u64 id. */
static void header(unsigned char *h, uint32_t len, uint16_t type,
                   uint8_t version, uint64_t id)
{
	for (int i = 0; i < 4; i++)
		h[i] = (unsigned char)(len >> (8 * i));
	h[4] = (unsigned char)type;
	h[5] = (unsigned char)(type >> 8);
	h[6] = version;
	h[7] = 0;
	for (int i = 0; i < 8; i++)
		h[8 + i] = (unsigned char)(id >> (8 * i));
}

static skill_status garbage(const skill_host_t *h, skill_call_t *c,
                            const char *kind)
{
	unsigned char buf[64];
	size_t n = 16;

	memset(buf, 0, sizeof buf);
	if (!kind || !strcmp(kind, "junk")) {
		for (size_t i = 0; i < sizeof buf; i++)
			buf[i] = (unsigned char)(i * 37 + 11);
		buf[6] = PROTO; /* a plausible version, an absurd length */
		n = sizeof buf;
	} else if (!strcmp(kind, "huge")) {
		header(buf, 0xfffffff0u, 6, PROTO, 1);
	} else if (!strcmp(kind, "version")) {
		header(buf, 0, 4, 9, 0);
	} else {
		/* DONE for a call that is not running, with a valid body. */
		header(buf, 13, 3, PROTO, 0x7777);
		n = 16 + 13;
	}
	if (write(3, buf, n) != (ssize_t)n)
		return fail(h, c, "write fd 3");
	nap_ms(100);
	return text(h, c, "garbage sent");
}

/* Send n bytes of frame with fd attached (SCM_RIGHTS) on to (the host's
 * socket is 3). */
static int send_fd(int to, const unsigned char *frame, size_t n, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {(void *)frame, n};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.buf,
	                    .msg_controllen = sizeof u.buf};
	struct cmsghdr *cm;

	memset(&u, 0, sizeof u);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	return sendmsg(to, &mh, 0) == (ssize_t)n ? 0 : -1;
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A memfd of size bytes with seals (0: none). */
static int memfd_of(size_t size, int seals)
{
	int fd = memfd_create("hostile", MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, (off_t)size) ||
	    (seals && fcntl(fd, F_ADD_SEALS, seals))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Forge what the worker sends for an artifact's data (an EXT_CALL of
 * skill.artifacts/1's APPEND_FD: handle 1, size declared bytes) or, for
 * stray and unasked, a log message, and pass fd with it. */
static skill_status bad_fd(const skill_host_t *h, skill_call_t *c,
                           const char *kind)
{
	const int all = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK;
	unsigned char f[64];
	size_t n;
	uint64_t declared = 4096;
	int fd = -1, p[2], flag = 1, log = 0;

	if (!kind)
		kind = "pipe";
	if (!strcmp(kind, "pipe")) {
		if (pipe(p))
			return fail(h, c, "pipe");
		fd = p[0];
	} else if (!strcmp(kind, "socket")) {
		fd = 3;
	} else if (!strcmp(kind, "unsealed")) {
		fd = memfd_of(4096, 0);
	} else if (!strcmp(kind, "shrink")) {
		/* Sealed against writes and growth, not shrinking: cut to
		 * nothing once sent, which would fault a host that mapped
		 * it. */
		fd = memfd_of(4096, F_SEAL_WRITE | F_SEAL_GROW);
	} else if (!strcmp(kind, "mismatch")) {
		fd = memfd_of(4096, all);
		declared = (uint64_t)1 << 40;
	} else {
		/* A valid memfd on a log message: with the flag but no
		 * frame that takes a descriptor (unasked), without the flag
		 * (stray), or sent anywhere but the host's socket, which the
		 * sandbox refuses like any other network call (elsewhere). */
		fd = memfd_of(4096, all);
		flag = strcmp(kind, "stray") != 0;
		log = 1;
	}
	if (fd < 0)
		return fail(h, c, "memfd");
	memset(f, 0, sizeof f);
	if (log) {
		/* LOG: u32 level, str message. */
		static const char msg[] = "look, a descriptor";
		n = 16 + 4 + 4 + sizeof msg;
		header(f, (uint32_t)(n - 16), 4, PROTO, 0);
		put_le(f + 16, 6, 4);
		put_le(f + 20, sizeof msg - 1, 4);
		memcpy(f + 24, msg, sizeof msg);
	} else {
		/* EXT_CALL: u64 call, u16 ext, u16 fn, u32 handle, u64 size */
		n = 16 + 8 + 2 + 2 + 4 + 8;
		header(f, (uint32_t)(n - 16), 12, PROTO, 0x4242);
		put_le(f + 16, 1, 8);
		put_le(f + 24, 2, 2);
		put_le(f + 26, 8, 2);
		put_le(f + 28, 1, 4);
		put_le(f + 32, declared, 8);
	}
	f[7] = (unsigned char)flag;
	if (!strcmp(kind, "elsewhere")) {
		if (send_fd(1, f, n, fd))
			return fail(h, c, "sendmsg fd 1");
		return text(h, c, "sendmsg on fd 1 was allowed");
	}
	if (send_fd(3, f, n, fd))
		return fail(h, c, "sendmsg fd 3");
	if (!strcmp(kind, "shrink") && ftruncate(fd, 0))
		return fail(h, c, "ftruncate");
	if (!strcmp(kind, "stray"))
		return text(h, c, "descriptor sent");
	nap_ms(5000);
	return text(h, c, "still running");
}

struct thread_arg {
	const skill_host_t *h;
	skill_call_t *c;
	const char *key;
	int gets;
};

static void *worker_thread(void *p)
{
	struct thread_arg *a = p;
	const skill_ext_config_t *cfg =
	        a->h->get_extension(a->h, SKILL_EXT_CONFIG);
	char buf[128];

	for (int i = 0; i < 25; i++) {
		snprintf(buf, sizeof buf, "thread message %d", i);
		a->h->log(a->h, a->c, SKILL_LOG_DEBUG, buf);
		if (cfg && a->key && i % 5 == 0 &&
		    cfg->get(a->h, a->key, buf, sizeof buf) >= 0)
			a->gets++;
	}
	return NULL;
}

static skill_status threads(const skill_host_t *h, skill_call_t *c,
                            const char *key)
{
	pthread_t t[THREADS];
	struct thread_arg a[THREADS];
	char msg[64];
	int gets = 0;

	for (int i = 0; i < THREADS; i++) {
		a[i] = (struct thread_arg){h, c, key, 0};
		if (pthread_create(&t[i], NULL, worker_thread, &a[i]))
			return fail(h, c, "pthread_create");
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		gets += a[i].gets;
	}
	snprintf(msg, sizeof msg, "threads done, %d settings read", gets);
	return text(h, c, msg);
}

static skill_status artifact(const skill_host_t *h, skill_call_t *c,
                             const char *body, double repeat)
{
	const skill_ext_artifacts_t *x =
	        h->get_extension(h, SKILL_EXT_ARTIFACTS);
	skill_artifact_info_t info = {.struct_size = sizeof info};
	skill_artifact_t *a;
	skill_status st;

	if (!x) {
		h->tool_error(c, "no skill.artifacts/1");
		return SKILL_ERR_UNSUPPORTED;
	}
	if (!body)
		body = "hostile artifact";
	if ((st = x->create(c, "hostile.txt", "text/plain", &a)))
		return st;
	for (long i = 0; i < (long)repeat; i++)
		if ((st = x->write(c, a, body, strlen(body)))) {
			x->discard(c, a);
			return st;
		}
	if ((st = x->commit(c, a, &info)))
		return st;
	return text(h, c, info.path);
}

static skill_status http(const skill_host_t *h, skill_call_t *c,
                         const char *url)
{
	const skill_ext_http_t *x = h->get_extension(h, SKILL_EXT_HTTP);
	const skill_http_header_t hdr = {"x-test", "hostile"};
	skill_http_request_t req = {.struct_size = sizeof req,
	                            .method = "GET",
	                            .url = url,
	                            .headers = &hdr,
	                            .header_count = 1};
	const skill_http_response_t *r;
	char msg[512];
	skill_status st;

	if (!x) {
		h->tool_error(c, "no skill.http/1");
		return SKILL_ERR_UNSUPPORTED;
	}
	if ((st = x->request(c, &req, &r)))
		return st;
	snprintf(msg, sizeof msg, "%d %s %.*s", r->status,
	         x->header(r, "Content-Type") ? x->header(r, "Content-Type")
	                                      : "-",
	         (int)r->body_len, r->body);
	x->response_free(c, r);
	return text(h, c, msg);
}

static skill_status secret(const skill_host_t *h, skill_call_t *c,
                           const char *name, int reveal)
{
	const skill_ext_secrets_t *x = h->get_extension(h, SKILL_EXT_SECRETS);
	char buf[256], msg[300];
	int64_t n;

	if (!x) {
		h->tool_error(c, "no skill.secrets/1");
		return SKILL_ERR_UNSUPPORTED;
	}
	n = x->get(c, name ? name : "HOSTILE_TOKEN", buf, sizeof buf);
	if (n < 0) {
		snprintf(msg, sizeof msg, "secret not available (%lld)",
		         (long long)n);
		h->tool_error(c, msg);
		return SKILL_ERR_TOOL;
	}
	if (reveal)
		snprintf(msg, sizeof msg, "secret=%s", buf);
	else
		snprintf(msg, sizeof msg, "secret of %lld bytes", (long long)n);
	return text(h, c, msg);
}

static const skill_host_t *bg_host;
static long bg_crash_ms;

static void *background(void *arg)
{
	(void)arg;
	if (bg_crash_ms) {
		nap_ms(bg_crash_ms);
		abort();
	}
	for (;;) {
		bg_host->log(bg_host, NULL, SKILL_LOG_DEBUG, "background tick");
		nap_ms(10);
	}
	return NULL;
}

static skill_status write_file(const skill_host_t *h, skill_call_t *c,
                               const char *path)
{
	char def[512], buf[16];
	const char *dir = getenv("TMPDIR");
	int fd;

	if (!path) {
		snprintf(def, sizeof def, "%s/hostile-scratch.txt",
		         dir ? dir : ".");
		path = def;
	}
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(h, c, "create");
	if (write(fd, "scratch", 7) != 7 || lseek(fd, 0, SEEK_SET) ||
	    read(fd, buf, 7) != 7) {
		close(fd);
		return fail(h, c, "write");
	}
	close(fd);
	return text(h, c, "wrote and read back");
}

/* Each field's bad bytes sit at a known offset, so a test can check that
 * the host's message points at them. A status other than the refusal is
 * reported as text, which the test would see. */
static skill_status bad_utf8(const skill_host_t *h, skill_call_t *c,
                             const char *field)
{
	skill_status st;

	if (!field)
		field = "";
	if (!strcmp(field, "json")) {
		st = h->result_json(c, "{\"a\":\"x\xff\xfey\"}", 12);
	} else if (!strcmp(field, "text")) {
		st = h->result_text(c, "ok\xc3\x28", SKILL_NUL_TERMINATED);
	} else if (!strcmp(field, "error")) {
		/* A UTF-16 surrogate, encoded as if it were a character. */
		return h->tool_error(c, "bad \xed\xa0\x80 surrogate");
	} else if (!strcmp(field, "log")) {
		h->log(h, c, SKILL_LOG_ERROR, "log \xff message");
		return text(h, c, "ok");
	} else if (!strcmp(field, "progress")) {
		h->progress(c, 1, 2, "step \xc0\x80 overlong");
		return text(h, c, "ok");
	} else if (!strcmp(field, "link")) {
		skill_resource_link_t l = {.struct_size = sizeof l,
		                           .uri = "https://example.com/x",
		                           .name = "name \xfe",
		                           .size = -1};
		st = h->result_link(c, &l);
	} else if (!strcmp(field, "resource")) {
		skill_resource_t r = {.struct_size = sizeof r,
		                      .uri = "file:///r.txt",
		                      .text = "res \xf8 text",
		                      .text_len = SKILL_NUL_TERMINATED};
		st = h->result_resource(c, &r);
	} else {
		return text(h, c, "unknown field");
	}
	if (st != SKILL_ERR_ARGS)
		return text(h, c, "the host did not refuse it");
	return SKILL_OK;
}

static skill_status invoke(void *data, const skill_host_t *h, skill_call_t *c,
                           uint32_t tool, const char *args, size_t len)
{
	double n = 0;
	int b = 0;
	pthread_t t;

	(void)data, (void)args, (void)len;
	switch (tool) {
	case T_OK: {
		const char *s = h->arg_string(c, "text");
		return text(h, c, s ? s : "ok");
	}
	case T_SPIN: {
		volatile unsigned long spins = 0;
		for (;;)
			spins++;
		return SKILL_OK;
	}
	case T_SLEEP:
		n = h->arg_number(c, "ms", &n) ? n : 3600000;
		for (long i = 0; i < (long)n; i += 10)
			nap_ms(10);
		return text(h, c, "slept");
	case T_HOG: return hog();
	case T_FORK:
		for (int i = 0; i < 100000; i++) {
			pid_t pid = fork();
			if (pid == 0)
				for (;;)
					pause();
			if (pid < 0)
				return fail(h, c, "fork");
		}
		return text(h, c, "forked 100000 processes");
	case T_FLOOD:
		return flood(h, c, h->arg_number(c, "bytes", &n) ? (long)n : 0);
	case T_CONNECT:
		return connect_to(h, c, h->arg_number(c, "port", &n) ? n : 9);
	case T_EXEC: {
		char *const argv[] = {"sh", "-c", "echo pwned", NULL};
		char *const envp[] = {NULL};
		execve("/bin/sh", argv, envp);
		return fail(h, c, "execve");
	}
	case T_READ: return read_file(h, c, h->arg_string(c, "path"));
	case T_GARBAGE: return garbage(h, c, h->arg_string(c, "kind"));
	case T_KILL_HOST:
		if (kill(getppid(), SIGKILL))
			return fail(h, c, "kill");
		return text(h, c, "killed the host");
	case T_THREADS: return threads(h, c, h->arg_string(c, "key"));
	case T_EXIT: exit(3);
	case T_CLOSE:
		close(3);
		for (;;)
			nap_ms(100);
	case T_ARTIFACT: {
		double repeat = 1;
		(void)h->arg_number(c, "repeat", &repeat);
		return artifact(h, c, h->arg_string(c, "text"), repeat);
	}
	case T_HTTP: return http(h, c, h->arg_string(c, "url"));
	case T_SECRET:
		h->arg_bool(c, "reveal", &b);
		return secret(h, c, h->arg_string(c, "name"), b);
	case T_NAN:
		h->progress(c, NAN, 10, "not a number");
		h->progress(c, 1, INFINITY, "infinite total");
		return text(h, c, "progressed");
	case T_BACKGROUND:
		bg_host = h;
		bg_crash_ms =
		        h->arg_number(c, "crash_after_ms", &n) ? (long)n : 0;
		if (pthread_create(&t, NULL, background, NULL))
			return fail(h, c, "pthread_create");
		pthread_detach(t);
		return text(h, c, "background thread started");
	case T_WRITE: return write_file(h, c, h->arg_string(c, "path"));
	case T_BADUTF8: return bad_utf8(h, c, h->arg_string(c, "field"));
	case T_BADFD: return bad_fd(h, c, h->arg_string(c, "kind"));
	}
	return SKILL_ERR_UNSUPPORTED;
}

static const skill_entry_t entry = {
        .struct_size = sizeof entry,
        .abi = SKILL_ABI_CURRENT,
        .name = "testing/hostile",
        .version = "1.0.0",
        .license = "MIT",
        .description = "Test fixture: misbehaves in every way a skill can, to "
                       "test isolation.",
        .tool_count = T_COUNT,
        .tools = tool_ptrs,
        .invoke = invoke};

SKILL_EXPORT const skill_entry_t *skill_entry_v1(void)
{
	return &entry;
}
