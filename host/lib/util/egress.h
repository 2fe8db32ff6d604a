/*
 * egress.h - which network addresses the host's HTTP service may connect
 * to on a skill's behalf.
 *
 * A skill's allowlist (manifest permissions.network, operator permits)
 * names hosts; a name says nothing about where it leads. A hostile skill
 * lists a name it controls whose DNS answer is 127.0.0.1, or a host that
 * redirects to http://169.254.169.254/, and reaches the operator's own
 * services or the cloud metadata endpoint. So, like Stripe's Smokescreen,
 * the host also checks the address it actually connects to, after DNS and
 * for every address and redirect hop: loopback, unspecified, private,
 * shared (CGNAT), link-local (and so the metadata addresses), multicast,
 * broadcast and reserved ranges are refused, including when embedded in an
 * IPv6 address (IPv4-mapped/compatible, NAT64 64:ff9b::/96, 6to4, Teredo).
 *
 * The one way past the rule is an operator permit naming the literal
 * address (`skillhost permit SKILL 127.0.0.1:8080`, `[::1]:8080`; policy
 * key "network"). A manifest cannot grant it: its author is the party the
 * rule protects against.
 */
#ifndef SH_EGRESS_H
#define SH_EGRESS_H

#include <stddef.h>
#include <sys/socket.h>

/* Enough for any rule description egress_refused writes. */
#define EGRESS_RULE_MAX 160

/*
 * [any thread] 1 when the address sa (AF_INET or AF_INET6) falls in a
 * range the rule refuses, writing its description ("loopback
 * 127.0.0.0/8", "IPv4-mapped IPv6 of link-local 169.254.0.0/16 (cloud
 * metadata)") into rule; 0 for a public address. Unknown families are
 * refused ("not an IP address").
 */
int egress_refused(const struct sockaddr *sa, char *rule, size_t rule_len);

/*
 * [any thread] 1 when s is a literal-address permit: "A.B.C.D",
 * "A.B.C.D:PORT", "[IPv6]" or "[IPv6]:PORT" (dotted-decimal IPv4 only;
 * port 1-65535).
 */
int egress_is_address_permit(const char *s);

/*
 * [any thread] 1 when the address permit p allows connecting to sa (same
 * address, IPv4-mapped IPv6 compared as IPv4; any port when p has none).
 */
int egress_permit_allows(const char *p, const struct sockaddr *sa);

/*
 * [any thread] 1 when the address permit p names the URL host host (an
 * IPv4 literal or a bracketed IPv6 literal, as libcurl gives it) and port.
 */
int egress_permit_names(const char *p, const char *host, int port);

/*
 * [any thread] 1 when some address permit in the comma-separated list
 * allows sa (entries that are not address permits are skipped).
 */
int egress_list_allows(const char *list, const struct sockaddr *sa);

/*
 * [any thread] Write sa's address into buf ("127.0.0.1", "::1") and return
 * its port, or -1 when sa is not IP.
 */
int egress_format(const struct sockaddr *sa, char *buf, size_t len);

/*
 * [any thread] Parse a numeric address ("127.0.0.1", "::1", "[::1]") and
 * port into *out; 1 on success.
 */
int egress_parse(const char *addr, int port, struct sockaddr_storage *out);

#endif /* SH_EGRESS_H */
