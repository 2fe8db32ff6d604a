/*
 * netbind.c - listening sockets. See netbind.h.
 */
#include "netbind.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Connections the kernel queues before accept; bursts of clients (an agent
 * fleet reconnecting) should wait, not be refused. */
#define HTTP_BACKLOG 1024

sh_status mcp_http_bind(const char *hostport, struct mcp_http_addr *out,
                        struct sh_error *e)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE};
	struct addrinfo *ai = NULL;
	struct sockaddr_storage ss = {0};
	socklen_t sl = sizeof ss;
	char host[64], port[8];
	const char *colon;
	size_t hl;
	char *end;
	long p;
	int fd = -1, one = 1, gai;

	memset(out, 0, sizeof *out);
	out->fd = -1;
	if (!hostport || !*hostport)
		goto usage;
	if (hostport[0] == '[') {
		const char *rb = strchr(hostport, ']');
		if (!rb || rb[1] != ':')
			goto usage;
		hl = (size_t)(rb - hostport - 1);
		if (hl == 0 || hl >= sizeof host)
			goto usage;
		memcpy(host, hostport + 1, hl);
		colon = rb + 1;
	} else {
		colon = strrchr(hostport, ':');
		if (!colon || colon == hostport ||
		    (size_t)(colon - hostport) >= sizeof host ||
		    memchr(hostport, ':', (size_t)(colon - hostport)))
			goto usage;
		hl = (size_t)(colon - hostport);
		memcpy(host, hostport, hl);
	}
	host[hl] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || p < 0 || p > 65535)
		goto usage;
	snprintf(port, sizeof port, "%ld", p);
	gai = getaddrinfo(host, port, &hints, &ai);
	if (gai != 0)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "cannot use address %s: %s", hostport,
		                    gai_strerror(gai));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		sh_error_errno(e, SH_ERR_IO, errno, "socket for %s", hostport);
		goto fail;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		int err = errno;
		sh_error_set(e, SH_ERR_IO, "cannot listen on %s: %s%s",
		             hostport, strerror(err),
		             err == EADDRINUSE
		                     ? " (another program uses the port; pick "
		                       "another, or port 0 for any free one)"
		                     : "");
		goto fail;
	}
	if (listen(fd, HTTP_BACKLOG) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		sh_error_errno(e, SH_ERR_IO, errno, "cannot listen on %s",
		               hostport);
		goto fail;
	}
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		uint32_t a = ntohl(in->sin_addr.s_addr);
		out->port = ntohs(in->sin_port);
		out->loopback = (a >> 24) == 127;
		out->wildcard = a == INADDR_ANY;
		inet_ntop(AF_INET, &in->sin_addr, out->host, sizeof out->host);
		snprintf(out->url, sizeof out->url, "http://%s:%u", out->host,
		         out->port);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		/* getsockname filled ss; the analyzer does not model it. */
		// NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage)
		out->port = ntohs(in6->sin6_port);
		out->loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
		out->wildcard = IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
		inet_ntop(AF_INET6, &in6->sin6_addr, out->host,
		          sizeof out->host);
		snprintf(out->url, sizeof out->url, "http://[%s]:%u", out->host,
		         out->port);
	}
	freeaddrinfo(ai);
	out->fd = fd;
	return SH_OK;
usage:
	return sh_error_set(e, SH_ERR_USAGE,
	                    "--http wants HOST:PORT, e.g. 127.0.0.1:8080 or "
	                    "[::1]:8080 (port 0 picks a free one), not '%s'",
	                    hostport ? hostport : "");
fail:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return e ? e->status : SH_ERR_IO;
}
