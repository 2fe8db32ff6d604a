/*
 * test_egress.c - the egress rule by address (egress.c): every
 * non-public IPv4 range and IPv6 form, IPv4 embedded in IPv6
 * (mapped, compatible, NAT64, 6to4, Teredo), public addresses let
 * through, and literal-address permits (parsing, address and port
 * matching, mapped forms, lists). End to end through a skill:
 * tests/integration/test_egress.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "egress.h"
#include "manifest.h"

/* The rule's verdict on addr ("" when allowed). */
static const char *verdict(const char *addr)
{
	static char rule[EGRESS_RULE_MAX];
	struct sockaddr_storage sa;

	if (!egress_parse(addr, 80, &sa))
		fail_msg("cannot parse %s", addr);
	if (!egress_refused((const struct sockaddr *)&sa, rule, sizeof rule))
		return "";
	return rule;
}

static void test_refused_ranges(void **state)
{
	static const struct {
		const char *addr, *rule;
	} cases[] = {
	        {"127.0.0.1", "loopback 127.0.0.0/8"},
	        {"127.255.255.254", "loopback 127.0.0.0/8"},
	        {"0.0.0.0", "unspecified"},
	        {"0.1.2.3", "this-network 0.0.0.0/8"},
	        {"10.0.0.1", "private 10.0.0.0/8"},
	        {"172.16.0.1", "private 172.16.0.0/12"},
	        {"172.31.255.255", "private 172.16.0.0/12"},
	        {"192.168.1.1", "private 192.168.0.0/16"},
	        {"100.64.0.1", "shared (CGNAT) 100.64.0.0/10"},
	        {"100.100.100.200", "CGNAT"}, /* Alibaba's metadata */
	        {"169.254.169.254", "(cloud metadata)"},
	        {"169.254.1.1", "link-local 169.254.0.0/16"},
	        {"192.0.0.192", "192.0.0.0/24"}, /* Oracle's metadata */
	        {"224.0.0.1", "multicast 224.0.0.0/4"},
	        {"239.255.255.250", "multicast"},
	        {"255.255.255.255", "broadcast"},
	        {"240.0.0.1", "reserved 240.0.0.0/4"},
	        {"198.18.0.1", "benchmarking"},
	        {"::", "unspecified ::"},
	        {"::1", "loopback ::1"},
	        {"fc00::1", "unique local"},
	        {"fd00:ec2::254", "unique local"}, /* AWS IPv6 metadata */
	        {"fe80::1", "link-local fe80::/10"},
	        {"ff02::1", "multicast ff00::/8"},
	        {"::ffff:127.0.0.1", "IPv4-mapped IPv6 ::ffff:0:0/96 of "
	                             "loopback 127.0.0.0/8"},
	        {"::ffff:169.254.169.254", "IPv4-mapped"},
	        {"::ffff:10.1.2.3", "of private 10.0.0.0/8"},
	        {"::127.0.0.1", "IPv4-compatible IPv6 ::/96 of loopback"},
	        {"64:ff9b::7f00:1", "NAT64 64:ff9b::/96 of loopback"},
	        {"64:ff9b::a9fe:a9fe", "NAT64 64:ff9b::/96 of link-local"},
	        {"64:ff9b:1::1", "local-use NAT64"},
	        {"2002:7f00:1::1", "6to4 2002::/16 of loopback"},
	        {"2002:c0a8:101::", "6to4 2002::/16 of private 192.168"},
	        /* Teredo: the client's address is the last 32 bits, inverted:
	         * ~127.0.0.1 = 80ff:fffe. */
	        {"2001:0:4136:e378:8000:63bf:80ff:fffe",
	         "Teredo 2001::/32 of loopback"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *v = verdict(cases[i].addr);
		if (!strstr(v, cases[i].rule))
			fail_msg("%s: rule \"%s\", wanted \"%s\"",
			         cases[i].addr, v, cases[i].rule);
	}
}

static void test_public_allowed(void **state)
{
	static const char *const public[] = {
	        "93.184.216.34",
	        "8.8.8.8",
	        "1.1.1.1",
	        "172.15.255.255", /* just below /12 */
	        "172.32.0.1",
	        "100.63.255.255", /* just below CGNAT */
	        "100.128.0.1",
	        "169.253.255.255",
	        "223.255.255.255",
	        "2606:4700:4700::1111",
	        "2a00:1450:4001::200e",
	        "::ffff:8.8.8.8",
	        "64:ff9b::808:808",
	        "2002:808:808::1",
	};

	(void)state;
	for (size_t i = 0; i < sizeof public / sizeof public[0]; i++)
		if (*verdict(public[i]))
			fail_msg("%s refused: %s", public[i],
			         verdict(public[i]));
}

static void test_permits(void **state)
{
	struct sockaddr_storage a;
	const struct sockaddr *sa = (const struct sockaddr *)&a;

	(void)state;
	assert_true(egress_is_address_permit("127.0.0.1"));
	assert_true(egress_is_address_permit("127.0.0.1:8080"));
	assert_true(egress_is_address_permit("[::1]"));
	assert_true(egress_is_address_permit("[::1]:8080"));
	assert_true(egress_is_address_permit("[::ffff:127.0.0.1]:1"));
	assert_false(egress_is_address_permit("::1")); /* brackets */
	assert_false(egress_is_address_permit("[::1"));
	assert_false(egress_is_address_permit("[::1]x"));
	assert_false(egress_is_address_permit("127.0.0.1:0"));
	assert_false(egress_is_address_permit("127.0.0.1:65536"));
	assert_false(egress_is_address_permit("127.0.0.1:"));
	assert_false(egress_is_address_permit("2130706433")); /* not dotted */
	assert_false(egress_is_address_permit("0x7f.0.0.1"));
	assert_false(egress_is_address_permit("localhost"));
	assert_false(egress_is_address_permit("example.com:80"));

	assert_true(egress_parse("127.0.0.1", 8080, &a));
	assert_true(egress_permit_allows("127.0.0.1:8080", sa));
	assert_true(egress_permit_allows("127.0.0.1", sa));
	assert_false(egress_permit_allows("127.0.0.1:8081", sa));
	assert_false(egress_permit_allows("127.0.0.2:8080", sa));
	assert_false(egress_permit_allows("[::1]:8080", sa));
	/* The mapped form of a permitted IPv4 address is that address. */
	assert_true(egress_parse("::ffff:127.0.0.1", 8080, &a));
	assert_true(egress_permit_allows("127.0.0.1:8080", sa));
	assert_true(egress_parse("::1", 8080, &a));
	assert_true(egress_permit_allows("[::1]:8080", sa));
	assert_true(egress_permit_allows("[0:0::1]", sa));
	assert_false(egress_permit_allows("127.0.0.1:8080", sa));

	/* Lists: names are skipped, addresses matched. */
	assert_true(
	        egress_list_allows("api.example.com, *.x.org,[::1]:8080", sa));
	assert_false(egress_list_allows("api.example.com,[::1]:8081", sa));
	assert_false(egress_list_allows(NULL, sa));

	/* Naming: the URL host as libcurl gives it. */
	assert_true(egress_permit_names("127.0.0.1:8080", "127.0.0.1", 8080));
	assert_true(egress_permit_names("[::1]", "[::1]", 443));
	assert_false(egress_permit_names("127.0.0.1:8080", "localhost", 8080));

	/* The manifest and `skillhost permit` accept bracketed IPv6. */
	assert_true(manifest_valid_host_pattern("[::1]:8080"));
	assert_true(manifest_valid_host_pattern("127.0.0.1:8080"));
	assert_false(manifest_valid_host_pattern("[::1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_refused_ranges),
	        cmocka_unit_test(test_public_allowed),
	        cmocka_unit_test(test_permits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
