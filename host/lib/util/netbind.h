/*
 * netbind.h - bind and listen on "HOST:PORT".
 *
 * The MCP HTTP server and the registry's server (skillreg serve) take the
 * same --http HOST:PORT and report where they listen the same way; the
 * socket part lives here so the registry does not depend on the MCP code.
 */
#ifndef SH_NETBIND_H
#define SH_NETBIND_H

#include <stdint.h>

#include "status.h"

/* A bound, listening socket and what it is bound to. */
struct mcp_http_addr {
	int fd;
	char host[64]; /* as given, IPv6 without brackets */
	uint16_t port; /* the real port, also when 0 was asked */
	int loopback;  /* 127.0.0.0/8 or ::1 */
	int wildcard;  /* 0.0.0.0 or :: */
	char url[128]; /* http://host:port */
};

/* [control] Bind and listen on "HOST:PORT" ("[::1]:8080", "localhost:0"
 * for a free port). The socket is close-on-exec; SO_REUSEADDR is set, and
 * IPV6_V6ONLY on IPv6. A malformed address is SH_ERR_USAGE, a port in use
 * SH_ERR_IO with what to do. */
sh_status mcp_http_bind(const char *hostport, struct mcp_http_addr *out,
                        struct sh_error *e);

#endif /* SH_NETBIND_H */
