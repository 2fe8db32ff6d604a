/*
 * bench_mcp_stdio.c - a pipelined MCP stdio client for benchmarks.
 *
 *   bench_mcp_stdio --calls N --window W --tool NAME --args JSON
 *                   [--label TEXT] -- COMMAND [ARG...]
 *
 * Starts COMMAND (an MCP stdio server), initializes, then keeps W
 * tools/call requests in flight until N have been answered, and prints
 * one line: label, calls per second, p50 and p99 latency in microseconds
 * (from writing a request to reading its response), and errors (a JSON-RPC
 * error, an isError result, or a line that is not JSON). Notifications
 * are skipped. The server is stopped by closing its stdin.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define READ_CHUNK   65536
#define WINDOW_MAX   4096
#define REQUEST_MAX  4096
#define STOP_WAIT_MS 5000

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

struct reader {
	int fd;
	char *buf;
	size_t len, cap;
};

/* The next line (without its newline) into *line, valid until the next
 * call; 0 at end of output. */
static int next_line(struct reader *r, char **line)
{
	static size_t consumed;

	if (consumed) {
		memmove(r->buf, r->buf + consumed, r->len - consumed);
		r->len -= consumed;
		consumed = 0;
	}
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		ssize_t got;
		if (nl) {
			*nl = '\0';
			*line = r->buf;
			consumed = (size_t)(nl - r->buf) + 1;
			return 1;
		}
		if (r->cap - r->len < READ_CHUNK) {
			char *p = realloc(r->buf, r->cap * 2);
			if (!p)
				return 0;
			r->buf = p;
			r->cap *= 2;
		}
		got = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		r->len += (size_t)got;
	}
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: bench_mcp_stdio --calls N --window W --tool "
	        "NAME --args JSON [--label TEXT] -- COMMAND [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long calls = 0, window = 1, sent = 0, done = 0, errors = 0;
	const char *tool = NULL, *args = "{}", *label = "server";
	int to_child[2], from_child[2], argi = 1, status;
	struct reader rd = {0};
	int64_t *start, *lat, t0, t1;
	char req[REQUEST_MAX], *line;
	pid_t pid;

	for (; argi < argc; argi++) {
		if (!strcmp(argv[argi], "--") && argi + 1 < argc) {
			argi++;
			break;
		}
		if (argi + 1 >= argc)
			usage();
		if (!strcmp(argv[argi], "--calls"))
			calls = atol(argv[++argi]);
		else if (!strcmp(argv[argi], "--window"))
			window = atol(argv[++argi]);
		else if (!strcmp(argv[argi], "--tool"))
			tool = argv[++argi];
		else if (!strcmp(argv[argi], "--args"))
			args = argv[++argi];
		else if (!strcmp(argv[argi], "--label"))
			label = argv[++argi];
		else
			usage();
	}
	if (calls <= 0 || window <= 0 || window > WINDOW_MAX || !tool ||
	    argi >= argc)
		usage();
	start = calloc((size_t)calls + 1, sizeof *start);
	lat = calloc((size_t)calls, sizeof *lat);
	rd.cap = 4 * READ_CHUNK;
	rd.buf = malloc(rd.cap);
	if (!start || !lat || !rd.buf || pipe(to_child) || pipe(from_child)) {
		perror("bench_mcp_stdio");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		dup2(to_child[0], 0);
		dup2(from_child[1], 1);
		close(to_child[1]);
		close(from_child[0]);
		execvp(argv[argi], argv + argi);
		perror(argv[argi]);
		_exit(127);
	}
	close(to_child[0]);
	close(from_child[1]);
	rd.fd = from_child[0];

	snprintf(req, sizeof req,
	         "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
	         "\"params\":{\"protocolVersion\":\"2025-11-25\","
	         "\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\","
	         "\"version\":\"1\"}}}\n");
	if (write_all(to_child[1], req, strlen(req)))
		goto broken;
	while (next_line(&rd, &line))
		if (strstr(line, "\"id\":0"))
			break;
	snprintf(req, sizeof req,
	         "{\"jsonrpc\":\"2.0\",\"method\":"
	         "\"notifications/initialized\"}\n");
	if (write_all(to_child[1], req, strlen(req)))
		goto broken;

	t0 = now_ns();
	while (done < calls) {
		while (sent < calls && sent - done < window) {
			int n = snprintf(
			        req, sizeof req,
			        "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":"
			        "\"tools/call\",\"params\":{\"name\":\"%s\","
			        "\"arguments\":%s}}\n",
			        sent + 1, tool, args);
			start[sent + 1] = now_ns();
			if (write_all(to_child[1], req, (size_t)n))
				goto broken;
			sent++;
		}
		if (!next_line(&rd, &line))
			goto broken;
		{
			cJSON *j = cJSON_Parse(line), *id, *res;
			if (!j) {
				errors++;
				continue;
			}
			id = cJSON_GetObjectItemCaseSensitive(j, "id");
			if (cJSON_IsNumber(id) && id->valuedouble >= 1 &&
			    id->valuedouble <= (double)sent) {
				long k = (long)id->valuedouble;
				res = cJSON_GetObjectItemCaseSensitive(
				        j, "result");
				if (!res ||
				    cJSON_IsTrue(
				            cJSON_GetObjectItemCaseSensitive(
				                    res, "isError")))
					errors++;
				lat[done++] = now_ns() - start[k];
			}
			cJSON_Delete(j);
		}
	}
	t1 = now_ns();
	qsort(lat, (size_t)done, sizeof *lat, cmp_i64);
	printf("%-34s %12.0f %10lld %10lld %8ld\n", label,
	       (double)done / ((double)(t1 - t0) / 1e9),
	       (long long)(lat[done / 2] / 1000),
	       (long long)(lat[(size_t)((double)done * 0.99)] / 1000), errors);
	fflush(stdout);
	close(to_child[1]);
	for (int waited = 0; waited < STOP_WAIT_MS; waited += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return 0;
		usleep(10000);
	}
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return 0;
broken:
	fprintf(stderr,
	        "bench_mcp_stdio: %s stopped answering after %ld of "
	        "%ld calls\n",
	        argv[argi], done, calls);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return 1;
}
