/*
 * hostpattern.h - the network permission patterns of a skill manifest.
 *
 * A manifest's "network" list names the hosts a skill may reach:
 * "api.example.com", "*.example.com" (subdomains only, never a whole
 * top-level domain), either with ":port". The manifest parser validates the
 * patterns and the HTTP service matches requests against them; both use
 * these functions, which depend on nothing else, so the HTTP service does
 * not need the package code to check a URL.
 */
#ifndef SH_HOSTPATTERN_H
#define SH_HOSTPATTERN_H

/* 1 when pattern is a valid network permission: a host name, or "*." and a
 * domain, optionally ":port". */
int manifest_valid_host_pattern(const char *pattern);

/* 1 when host (and port, 0 for any) matches a network pattern. Host names
 * compare case-insensitively. */
int manifest_host_matches(const char *pattern, const char *host, int port);

#endif /* SH_HOSTPATTERN_H */
