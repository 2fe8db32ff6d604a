/*
 * hostpattern.c - network permission patterns. See hostpattern.h.
 */
#include "hostpattern.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "egress.h"

static int valid_label(const char *s, size_t n)
{
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) ||
		      isdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
	return 1;
}

/* Split "host[:port]" into the host part length and the port (0 if none);
 * returns 0 when the port is malformed. */
static int split_port(const char *p, size_t *hostlen, int *port)
{
	const char *colon = strrchr(p, ':');

	*port = 0;
	*hostlen = strlen(p);
	if (!colon)
		return 1;
	*hostlen = (size_t)(colon - p);
	if (!colon[1] || strlen(colon + 1) > 5)
		return 0;
	for (const char *q = colon + 1; *q; q++)
		if (!isdigit((unsigned char)*q))
			return 0;
	*port = atoi(colon + 1);
	return *port > 0 && *port < 65536;
}

int manifest_valid_host_pattern(const char *pattern)
{
	size_t hostlen, start = 0;
	int port, labels = 0;
	const char *p = pattern;

	/* A literal address, including a bracketed IPv6 one; it names the
	 * address, and the egress rule (egress.h) still applies to it. */
	if (egress_is_address_permit(pattern))
		return 1;
	if (!split_port(pattern, &hostlen, &port) || hostlen == 0 ||
	    hostlen > 253)
		return 0;
	if (hostlen > 2 && p[0] == '*' && p[1] == '.')
		start = 2;
	else if (memchr(p, '*', hostlen))
		return 0;
	for (size_t i = start; i <= hostlen; i++) {
		if (i == hostlen || p[i] == '.') {
			if (!valid_label(p + start, i - start))
				return 0;
			labels++;
			start = i + 1;
		}
	}
	/* "*.com" would allow a whole top-level domain. */
	return !(p[0] == '*' && labels < 2);
}

int manifest_host_matches(const char *pattern, const char *host, int port)
{
	size_t plen, hlen = strlen(host);
	int pport;

	if (!split_port(pattern, &plen, &pport))
		return 0;
	if (pport && pport != port)
		return 0;
	if (plen > 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* "*.example.com" matches sub.example.com, not example.com. */
		size_t suffix = plen - 1; /* ".example.com" */
		return hlen > suffix &&
		       !strncasecmp(host + hlen - suffix, pattern + 1, suffix);
	}
	return hlen == plen && !strncasecmp(host, pattern, plen);
}
