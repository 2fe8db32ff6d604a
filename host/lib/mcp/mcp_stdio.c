/*
 * mcp_stdio.c - MCP over stdin/stdout. See mcp_stdio.h.
 */
#include "mcp_stdio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hostlog.h"

/* Bytes read from in_fd at a time; the buffer grows past it for long
 * lines, up to line_max. */
#define STDIO_READ_CHUNK ((size_t)64 * 1024)

struct mcp_stdio {
	struct mcp_server *srv;
	struct mcp_session *session;
	int in_fd, out_fd;
	int wake[2]; /* a pipe that interrupts the reader */
	size_t line_max;
	pthread_t reader;
	int reader_started;
	atomic_int finished; /* end of input or broken output */

	pthread_mutex_t wlock; /* one line at a time on out_fd */
	int broken;            /* out_fd failed: drop further output */

	pthread_mutex_t plock;
	pthread_cond_t pdone;
	size_t pending; /* messages not yet finally answered */
};

/* Write msg and a newline as one line, whole. */
static void write_line(struct mcp_stdio *t, const char *msg, size_t len)
{
	struct iovec iov[2] = {{(void *)msg, len}, {"\n", 1}};
	int n = 2, i = 0;

	pthread_mutex_lock(&t->wlock);
	while (!t->broken && i < n) {
		ssize_t w = writev(t->out_fd, iov + i, n - i);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd p = {.fd = t->out_fd,
				                   .events = POLLOUT};
				poll(&p, 1, -1);
				continue;
			}
			hostlog(SKILL_LOG_NOTICE,
			        "stdout is closed; the client has gone");
			t->broken = 1;
			atomic_store(&t->finished, 1);
			break;
		}
		while (i < n && (size_t)w >= iov[i].iov_len)
			w -= (ssize_t)iov[i++].iov_len;
		if (i < n) {
			iov[i].iov_base = (char *)iov[i].iov_base + w;
			iov[i].iov_len -= (size_t)w;
		}
	}
	pthread_mutex_unlock(&t->wlock);
}

static void on_send(void *ud, char *msg, size_t len, int final)
{
	struct mcp_stdio *t = ud;

	if (msg)
		write_line(t, msg, len);
	free(msg);
	if (final) {
		pthread_mutex_lock(&t->plock);
		if (--t->pending == 0)
			pthread_cond_broadcast(&t->pdone);
		pthread_mutex_unlock(&t->plock);
	}
}

static void handle_line(struct mcp_stdio *t, const char *line, size_t len)
{
	struct mcp_reply r = {on_send, t};

	/* Blank lines between messages are harmless; skip them. */
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
	               line[len - 1] == '\t'))
		len--;
	if (!len)
		return;
	pthread_mutex_lock(&t->plock);
	t->pending++;
	pthread_mutex_unlock(&t->plock);
	mcp_session_receive(t->session, line, len, &r);
}

static void refuse_long_line(struct mcp_stdio *t)
{
	struct mcp_reply r = {on_send, t};
	char text[160];
	size_t len = 0;
	char *msg;

	snprintf(text, sizeof text,
	         "Invalid Request: the message is over %zu bytes; send "
	         "smaller arguments (or raise serve --max-body)",
	         t->line_max);
	msg = jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST, text, NULL, &len);
	pthread_mutex_lock(&t->plock);
	t->pending++;
	pthread_mutex_unlock(&t->plock);
	r.send(r.ud, msg, msg ? len : 0, 1);
}

static void *reader_main(void *arg)
{
	struct mcp_stdio *t = arg;
	size_t cap = STDIO_READ_CHUNK, used = 0, scan = 0;
	char *buf = malloc(cap);
	int skipping = 0; /* inside a line that was too long */

	if (!buf) {
		hostlog(SKILL_LOG_ERROR, "stdio: out of memory");
		atomic_store(&t->finished, 1);
		return NULL;
	}
	for (;;) {
		struct pollfd p[2] = {{.fd = t->in_fd, .events = POLLIN},
		                      {.fd = t->wake[0], .events = POLLIN}};
		ssize_t got;
		char *nl;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (used == cap) {
			size_t ncap = cap * 2;
			char *grown;
			if (ncap > t->line_max + STDIO_READ_CHUNK)
				ncap = t->line_max + STDIO_READ_CHUNK;
			grown = ncap > cap ? realloc(buf, ncap) : NULL;
			if (!grown) {
				/* Only a line longer than line_max fills it. */
				refuse_long_line(t);
				skipping = 1;
				used = scan = 0;
				continue;
			}
			buf = grown;
			cap = ncap;
		}
		got = read(t->in_fd, buf + used, cap - used);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			break; /* end of input: the client is shutting down */
		used += (size_t)got;
		while ((nl = memchr(buf + scan, '\n', used - scan))) {
			size_t len = (size_t)(nl - buf);
			if (skipping)
				skipping = 0;
			else if (len > t->line_max)
				refuse_long_line(t);
			else
				handle_line(t, buf, len);
			memmove(buf, nl + 1, used - len - 1);
			used -= len + 1;
			scan = 0;
		}
		scan = used;
		if (!skipping && used > t->line_max) {
			refuse_long_line(t);
			skipping = 1;
			used = scan = 0;
		} else if (skipping) {
			used = scan = 0;
		}
	}
	/* A last message without a newline still counts. */
	if (used && !skipping && used <= t->line_max)
		handle_line(t, buf, used);
	free(buf);
	atomic_store(&t->finished, 1);
	return NULL;
}

sh_status mcp_stdio_start(struct mcp_server *srv, int in_fd, int out_fd,
                          size_t line_max, struct mcp_stdio **out,
                          struct sh_error *e)
{
	struct mcp_stdio *t;
	sh_status rc;
	int err;

	*out = NULL;
	t = calloc(1, sizeof *t);
	if (!t)
		return sh_error_set(e, SH_ERR_NOMEM, "out of memory");
	t->srv = srv;
	t->in_fd = in_fd;
	t->out_fd = out_fd;
	t->wake[0] = t->wake[1] = -1;
	t->line_max = line_max ? line_max : MCP_STDIO_LINE_MAX_DEFAULT;
	pthread_mutex_init(&t->wlock, NULL);
	pthread_mutex_init(&t->plock, NULL);
	pthread_cond_init(&t->pdone, NULL);
	if (pipe2(t->wake, O_CLOEXEC) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "stdio: pipe");
		goto fail;
	}
	rc = mcp_session_new(srv, &(struct mcp_notify){on_send, t}, 0, NULL,
	                     &t->session, e);
	if (rc != SH_OK)
		goto fail;
	mcp_session_set_label(t->session, "stdio");
	err = pthread_create(&t->reader, NULL, reader_main, t);
	if (err) {
		rc = sh_error_errno(e, SH_ERR_FAIL, err,
		                    "stdio: cannot start the reader");
		goto fail;
	}
	t->reader_started = 1;
	*out = t;
	return SH_OK;
fail:
	mcp_stdio_stop(t);
	return rc;
}

int mcp_stdio_finished(struct mcp_stdio *t)
{
	return atomic_load(&t->finished);
}

void mcp_stdio_stop(struct mcp_stdio *t)
{
	if (!t)
		return;
	if (t->reader_started) {
		ssize_t w;
		do
			w = write(t->wake[1], "x", 1);
		while (w < 0 && errno == EINTR);
		pthread_join(t->reader, NULL);
	}
	/* Cancelled calls answer nothing, but each still reports its end;
	 * wait for all of them before the reply target goes away. */
	mcp_session_close(t->session);
	pthread_mutex_lock(&t->plock);
	while (t->pending)
		pthread_cond_wait(&t->pdone, &t->plock);
	pthread_mutex_unlock(&t->plock);
	if (t->wake[0] >= 0)
		close(t->wake[0]);
	if (t->wake[1] >= 0)
		close(t->wake[1]);
	pthread_mutex_destroy(&t->wlock);
	pthread_mutex_destroy(&t->plock);
	pthread_cond_destroy(&t->pdone);
	free(t);
}
