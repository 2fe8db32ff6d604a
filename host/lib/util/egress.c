/*
 * egress.c - which addresses the HTTP service may connect to. See egress.h.
 */
#include "egress.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the rule ---- */

struct v4range {
	uint32_t net;
	int bits;
	const char *what;
};

/* Every IPv4 range that is not the public internet (RFC 6890 and the
 * metadata services, which all sit in one of them: AWS/GCP/Azure
 * 169.254.169.254, Alibaba 100.100.100.200, Oracle 192.0.0.192). */
static const struct v4range v4_refused[] = {
        {0x00000000, 8, "unspecified/this-network 0.0.0.0/8"},
        {0x0a000000, 8, "private 10.0.0.0/8"},
        {0x64400000, 10, "shared (CGNAT) 100.64.0.0/10"},
        {0x7f000000, 8, "loopback 127.0.0.0/8"},
        {0xa9fea9fe, 32, "link-local 169.254.0.0/16 (cloud metadata)"},
        {0xa9fe0000, 16, "link-local 169.254.0.0/16"},
        {0xac100000, 12, "private 172.16.0.0/12"},
        {0xc0000000, 24, "IETF protocol assignments 192.0.0.0/24"},
        {0xc0000200, 24, "documentation 192.0.2.0/24"},
        {0xc0586300, 24, "6to4 relay anycast 192.88.99.0/24"},
        {0xc0a80000, 16, "private 192.168.0.0/16"},
        {0xc6120000, 15, "benchmarking 198.18.0.0/15"},
        {0xc6336400, 24, "documentation 198.51.100.0/24"},
        {0xcb007100, 24, "documentation 203.0.113.0/24"},
        {0xe0000000, 4, "multicast 224.0.0.0/4"},
        {0xffffffff, 32, "broadcast 255.255.255.255"},
        {0xf0000000, 4, "reserved 240.0.0.0/4"},
};

static const char *v4_rule(uint32_t a)
{
	for (size_t i = 0; i < sizeof v4_refused / sizeof v4_refused[0]; i++) {
		const struct v4range *r = &v4_refused[i];
		uint32_t mask = r->bits ? 0xffffffffu << (32 - r->bits) : 0;
		if ((a & mask) == r->net)
			return r->what;
	}
	return NULL;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

/* An IPv6 address that stands for an IPv4 one (so the IPv4 rule applies
 * to it): the IPv4 address and the form's name, or NULL. */
static const char *v6_embedded(const uint8_t *a, uint32_t *v4)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
	                                   0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b};

	if (!memcmp(a, mapped, 12)) {
		*v4 = be32(a + 12);
		return "IPv4-mapped IPv6 ::ffff:0:0/96";
	}
	if (!memcmp(a, nat64, 12)) {
		*v4 = be32(a + 12);
		return "NAT64 64:ff9b::/96";
	}
	if (all_zero(a, 12) && be32(a + 12) > 1) {
		*v4 = be32(a + 12);
		return "IPv4-compatible IPv6 ::/96";
	}
	if (a[0] == 0x20 && a[1] == 0x02) {
		*v4 = be32(a + 2);
		return "6to4 2002::/16";
	}
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0) {
		/* Teredo: the client's address, inverted, in the last 32
		 * bits. */
		*v4 = ~be32(a + 12);
		return "Teredo 2001::/32";
	}
	return NULL;
}

static const char *v6_rule(const uint8_t *a)
{
	if (all_zero(a, 16))
		return "unspecified ::";
	if (all_zero(a, 15) && a[15] == 1)
		return "loopback ::1";
	if ((a[0] & 0xfe) == 0xfc)
		return "private (unique local) fc00::/7";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "link-local fe80::/10";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return "site-local fec0::/10";
	if (a[0] == 0xff)
		return "multicast ff00::/8";
	if (a[0] == 0 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b &&
	    a[4] == 0 && a[5] == 1)
		return "local-use NAT64 64:ff9b:1::/48";
	if (a[0] == 1 && all_zero(a + 1, 7))
		return "discard-only 100::/64";
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return "documentation 2001:db8::/32";
	return NULL;
}

int egress_refused(const struct sockaddr *sa, char *rule, size_t rule_len)
{
	const char *why = NULL, *form;
	uint32_t v4;

	if (!sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		why = "not an IP address";
	else if (sa->sa_family == AF_INET)
		why = v4_rule(
		        ntohl(((const struct sockaddr_in *)(const void *)sa)
		                      ->sin_addr.s_addr));
	else {
		const uint8_t *a =
		        ((const struct sockaddr_in6 *)(const void *)sa)
		                ->sin6_addr.s6_addr;
		if ((form = v6_embedded(a, &v4))) {
			if ((why = v4_rule(v4))) {
				snprintf(rule, rule_len, "%s of %s", form, why);
				return 1;
			}
		} else {
			why = v6_rule(a);
		}
	}
	if (!why)
		return 0;
	snprintf(rule, rule_len, "%s", why);
	return 1;
}

/* ---- permits ---- */

int egress_parse(const char *addr, int port, struct sockaddr_storage *out)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(addr);

	memset(out, 0, sizeof *out);
	if (n >= sizeof buf)
		return 0;
	if (n > 2 && addr[0] == '[' && addr[n - 1] == ']') {
		memcpy(buf, addr + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		memcpy(buf, addr, n + 1);
	}
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)out;
		if (addr[0] != '[' &&
		    inet_pton(AF_INET, buf, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)port);
			return 1;
		}
	}
	{
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)out;
		if (inet_pton(AF_INET6, buf, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)port);
			return 1;
		}
	}
	return 0;
}

/* Split a permit into its address and port (0: any); 0 when it is not
 * one. */
static int split_permit(const char *p, struct sockaddr_storage *addr, int *port)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	size_t n;

	*port = 0;
	if (p[0] == '[') {
		const char *close = strchr(p, ']');
		if (!close)
			return 0;
		n = (size_t)(close - p) + 1;
		colon = close[1] == ':' ? close + 1 : NULL;
		if (close[1] && !colon)
			return 0;
	} else {
		colon = strchr(p, ':');
		n = colon ? (size_t)(colon - p) : strlen(p);
		for (size_t i = 0; i < n; i++)
			if (!isdigit((unsigned char)p[i]) && p[i] != '.')
				return 0;
	}
	if (n == 0 || n >= sizeof host)
		return 0;
	memcpy(host, p, n);
	host[n] = '\0';
	if (colon) {
		char *end;
		long v;
		if (!isdigit((unsigned char)colon[1]) || strlen(colon + 1) > 5)
			return 0;
		v = strtol(colon + 1, &end, 10);
		if (*end || v < 1 || v > 65535)
			return 0;
		*port = (int)v;
	}
	return egress_parse(host, 0, addr);
}

int egress_is_address_permit(const char *s)
{
	struct sockaddr_storage a;
	int port;

	return s && split_permit(s, &a, &port);
}

/* The IPv4 address a stands for when it is AF_INET or IPv4-mapped. */
static int as_v4(const struct sockaddr *sa, uint32_t *v4)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
	                                   0, 0, 0, 0, 0xff, 0xff};

	if (sa->sa_family == AF_INET) {
		*v4 = ((const struct sockaddr_in *)(const void *)sa)
		              ->sin_addr.s_addr;
		return 1;
	}
	if (sa->sa_family == AF_INET6) {
		const uint8_t *a =
		        ((const struct sockaddr_in6 *)(const void *)sa)
		                ->sin6_addr.s6_addr;
		if (!memcmp(a, mapped, 12)) {
			memcpy(v4, a + 12, 4);
			return 1;
		}
	}
	return 0;
}

static int same_address(const struct sockaddr *a, const struct sockaddr *b)
{
	uint32_t x, y;
	int ax = as_v4(a, &x), by = as_v4(b, &y);

	if (ax || by)
		return ax && by && x == y;
	return a->sa_family == AF_INET6 && b->sa_family == AF_INET6 &&
	       !memcmp(&((const struct sockaddr_in6 *)(const void *)a)
	                        ->sin6_addr,
	               &((const struct sockaddr_in6 *)(const void *)b)
	                        ->sin6_addr,
	               16);
}

static int port_of(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)
		                     ->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)
		                     ->sin6_port);
	return -1;
}

int egress_permit_allows(const char *p, const struct sockaddr *sa)
{
	struct sockaddr_storage a;
	int port;

	if (!p || !sa || !split_permit(p, &a, &port))
		return 0;
	return same_address((const struct sockaddr *)&a, sa) &&
	       (!port || port == port_of(sa));
}

int egress_permit_names(const char *p, const char *host, int port)
{
	struct sockaddr_storage h;

	return host && egress_parse(host, port, &h) &&
	       egress_permit_allows(p, (const struct sockaddr *)&h);
}

int egress_list_allows(const char *list, const struct sockaddr *sa)
{
	char item[INET6_ADDRSTRLEN + 16];

	while (list && *list) {
		const char *comma = strchr(list, ',');
		size_t n = comma ? (size_t)(comma - list) : strlen(list);
		while (n && isspace((unsigned char)*list))
			list++, n--;
		if (n > 0 && n < sizeof item) {
			memcpy(item, list, n);
			item[n] = '\0';
			if (egress_permit_allows(item, sa))
				return 1;
		}
		list = comma ? comma + 1 : NULL;
	}
	return 0;
}

int egress_format(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a;

	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	else
		return -1;
	if (!inet_ntop(sa->sa_family, a, buf, (socklen_t)len))
		return -1;
	return port_of(sa);
}
