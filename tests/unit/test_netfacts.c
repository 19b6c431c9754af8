/* test_netfacts: the rtnetlink fact table, fed crafted datagrams (links, addresses, default routes, malformed input). */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netfacts.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* ---- a datagram builder: messages appended one after another, as the
 * kernel lays them out (each padded to 4 bytes) ---- */

struct dg {
	_Alignas(8) uint8_t buf[8192];
	size_t len;
	size_t start; /* offset of the message being built */
};

static void put(struct dg *d, const void *p, size_t n)
{
	assert_true(d->len + n <= sizeof d->buf);
	memcpy(d->buf + d->len, p, n);
	d->len += n;
}

static void pad(struct dg *d)
{
	static const uint8_t zero[4];
	put(d, zero, NLMSG_ALIGN(d->len) - d->len);
}

static void msg_begin(struct dg *d, uint16_t type, const void *fixed, size_t n)
{
	pad(d);
	d->start = d->len;
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = NLM_F_MULTI };
	put(d, &h, sizeof h);
	put(d, fixed, n);
	pad(d);
}

static void attr(struct dg *d, uint16_t type, const void *p, size_t n)
{
	struct rtattr rta = { .rta_len = (uint16_t)RTA_LENGTH(n), .rta_type = type };
	pad(d);
	put(d, &rta, sizeof rta);
	put(d, p, n);
}

static void attr_u32(struct dg *d, uint16_t type, uint32_t v)
{
	attr(d, type, &v, sizeof v);
}

static void msg_end(struct dg *d)
{
	uint32_t n = (uint32_t)(d->len - d->start);
	memcpy(d->buf + d->start + offsetof(struct nlmsghdr, nlmsg_len), &n, sizeof n);
	pad(d);
}

/* name NULL: no IFLA_IFNAME attribute. */
static void link_msg(struct dg *d, uint16_t type, int ifindex, unsigned flags, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = flags };
	msg_begin(d, type, &ifi, sizeof ifi);
	if (name)
		attr(d, IFLA_IFNAME, name, strlen(name) + 1);
	attr_u32(d, IFLA_MTU, 1500);
	msg_end(d);
}

/* peer non-NULL: IFA_LOCAL is text, IFA_ADDRESS is peer (point-to-point).
 * xflags != 0: an IFA_FLAGS attribute too. */
static void addr_msg(struct dg *d, uint16_t type, int ifindex, const char *text, uint8_t prefixlen,
		     uint8_t scope, uint8_t ifa_flags, uint32_t xflags, const char *peer)
{
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;
	struct ifaddrmsg ifa = {
		.ifa_family = (uint8_t)family,
		.ifa_prefixlen = prefixlen,
		.ifa_flags = ifa_flags,
		.ifa_scope = scope,
		.ifa_index = (uint32_t)ifindex,
	};
	uint8_t a[16], p[16];
	size_t alen = family == AF_INET ? 4 : 16;
	assert_int_equal(inet_pton(family, text, a), 1);
	msg_begin(d, type, &ifa, sizeof ifa);
	if (peer) {
		assert_int_equal(inet_pton(family, peer, p), 1);
		attr(d, IFA_ADDRESS, p, alen);
		attr(d, IFA_LOCAL, a, alen);
	} else {
		attr(d, IFA_ADDRESS, a, alen);
		if (family == AF_INET)
			attr(d, IFA_LOCAL, a, alen);
	}
	if (xflags)
		attr_u32(d, IFA_FLAGS, xflags);
	msg_end(d);
}

static void addr4(struct dg *d, uint16_t type, int ifindex, const char *text)
{
	addr_msg(d, type, ifindex, text, 24, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT, 0, NULL);
}

/* table > 255: rtm_table RT_TABLE_COMPAT and RTA_TABLE, as the kernel does.
 * oif 0: no RTA_OIF. */
static void route_msg(struct dg *d, uint16_t type, int family, uint8_t dst_len, uint8_t rtm_type,
		      uint32_t table, int oif, uint32_t priority)
{
	struct rtmsg rtm = {
		.rtm_family = (uint8_t)family,
		.rtm_dst_len = dst_len,
		.rtm_table = table > 255 ? RT_TABLE_COMPAT : (uint8_t)table,
		.rtm_protocol = RTPROT_BOOT,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = rtm_type,
	};
	msg_begin(d, type, &rtm, sizeof rtm);
	if (table > 255)
		attr_u32(d, RTA_TABLE, table);
	if (dst_len) {
		uint8_t dst[16] = { 10 };
		attr(d, RTA_DST, dst, family == AF_INET ? 4 : 16);
	}
	if (oif)
		attr_u32(d, RTA_OIF, (uint32_t)oif);
	if (priority)
		attr_u32(d, RTA_PRIORITY, priority);
	msg_end(d);
}

static void route_default(struct dg *d, uint16_t type, int family, int oif)
{
	route_msg(d, type, family, 0, RTN_UNICAST, RT_TABLE_MAIN, oif, 0);
}

static void done_msg(struct dg *d, uint16_t type)
{
	int32_t err = 0;
	msg_begin(d, type, &err, sizeof err);
	msg_end(d);
}

/* Applies d's datagram, then empties d for the next one. */
static int apply(struct netfacts *nf, struct dg *d, bool *done)
{
	bool ignored = false;
	int r = netfacts_apply(nf, d->buf, d->len, done ? done : &ignored);
	d->len = 0;
	return r;
}

/* One message alone. */
#define ONE(nf, d, build) ((build), apply((nf), (d), NULL))

/* ---- tests ---- */

static void test_link_add_rename_flags_delete(void **state)
{
	(void)state;
	struct netfacts nf = { 0 };
	struct dg d = { .len = 0 };

	assert_false(netfacts_iface(&nf, "eth0", NETFACTS_IF_EXISTS));
	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 2, IFF_BROADCAST, "eth0")), NETFACTS_CHANGED);
	assert_true(netfacts_iface(&nf, "eth0", NETFACTS_IF_EXISTS));
	assert_false(netfacts_iface(&nf, "eth0", NETFACTS_IF_UP));
	assert_false(netfacts_iface(&nf, "eth1", NETFACTS_IF_EXISTS));
	/* the same again: nothing the table holds changed */
	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 2, IFF_BROADCAST, "eth0")), NETFACTS_NONE);
	assert_int_equal(nf.nlinks, 1);

	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 2, IFF_BROADCAST | IFF_UP, "eth0")),
			 NETFACTS_CHANGED);
	assert_true(netfacts_iface(&nf, "eth0", NETFACTS_IF_UP));
	assert_false(netfacts_iface(&nf, "eth0", NETFACTS_IF_CARRIER));
	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 2, IFF_UP | IFF_RUNNING | IFF_LOWER_UP, "eth0")),
			 NETFACTS_CHANGED);
	assert_true(netfacts_iface(&nf, "eth0", NETFACTS_IF_CARRIER));

	/* a rename: the old name no longer matches */
	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 2, IFF_UP | IFF_RUNNING | IFF_LOWER_UP, "lan")),
			 NETFACTS_CHANGED);
	assert_false(netfacts_iface(&nf, "eth0", NETFACTS_IF_EXISTS));
	assert_true(netfacts_iface(&nf, "lan", NETFACTS_IF_CARRIER));
	assert_int_equal(nf.nlinks, 1);
	/* no IFLA_IFNAME: the name stays */
	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 2, IFF_UP, NULL)), NETFACTS_CHANGED);
	assert_true(netfacts_iface(&nf, "lan", NETFACTS_IF_UP));
	assert_false(netfacts_iface(&nf, "lan", NETFACTS_IF_CARRIER));
	/* a name of 15 bytes, then one the kernel would never send */
	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 2, IFF_UP, "abcdefghijklmno")), NETFACTS_CHANGED);
	assert_true(netfacts_iface(&nf, "abcdefghijklmno", NETFACTS_IF_UP));
	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 2, IFF_UP, "abcdefghijklmnopqrstuvwxyz")),
			 NETFACTS_NONE);
	assert_string_equal(nf.links[0].name, "abcdefghijklmno");

	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_DELLINK, 2, 0, "abcdefghijklmno")), NETFACTS_CHANGED);
	assert_false(netfacts_iface(&nf, "abcdefghijklmno", NETFACTS_IF_EXISTS));
	assert_int_equal(nf.nlinks, 0);
	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_DELLINK, 2, 0, "abcdefghijklmno")), NETFACTS_NONE);
	netfacts_free(&nf);
}

static void test_bridge_port_leaving_is_no_delete(void **state)
{
	(void)state;
	struct netfacts nf = { 0 };
	struct dg d = { .len = 0 };
	ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 3, IFF_UP, "lan1"));
	/* the bridge's notice that lan1 left it: family AF_BRIDGE */
	struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = 3, .ifi_flags = IFF_UP };
	msg_begin(&d, RTM_DELLINK, &ifi, sizeof ifi);
	attr(&d, IFLA_IFNAME, "lan1", 5);
	msg_end(&d);
	assert_int_equal(apply(&nf, &d, NULL), NETFACTS_NONE);
	assert_true(netfacts_iface(&nf, "lan1", NETFACTS_IF_UP));
	netfacts_free(&nf);
}

static void test_addresses(void **state)
{
	(void)state;
	struct netfacts nf = { 0 };
	struct dg d = { .len = 0 };
	ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 4, IFF_UP, "wlan0"));
	assert_false(netfacts_iface(&nf, "wlan0", NETFACTS_IF_IPV4));

	assert_int_equal(ONE(&nf, &d, addr4(&d, RTM_NEWADDR, 4, "192.168.1.20")), NETFACTS_CHANGED);
	assert_true(netfacts_iface(&nf, "wlan0", NETFACTS_IF_IPV4));
	assert_false(netfacts_iface(&nf, "wlan0", NETFACTS_IF_IPV6));
	assert_int_equal(ONE(&nf, &d, addr4(&d, RTM_NEWADDR, 4, "192.168.1.20")), NETFACTS_NONE);
	assert_int_equal(nf.naddrs, 1);
	/* unknown addresses: same bytes another prefix, another link, never added */
	assert_int_equal(ONE(&nf, &d, addr_msg(&d, RTM_DELADDR, 4, "192.168.1.20", 16, 0, 0, 0, NULL)),
			 NETFACTS_NONE);
	assert_int_equal(ONE(&nf, &d, addr4(&d, RTM_DELADDR, 5, "192.168.1.20")), NETFACTS_NONE);
	assert_int_equal(ONE(&nf, &d, addr4(&d, RTM_DELADDR, 4, "192.168.1.21")), NETFACTS_NONE);
	assert_true(netfacts_iface(&nf, "wlan0", NETFACTS_IF_IPV4));

	/* IPv6: link scope does not count, nor tentative, nor dadfailed */
	assert_int_equal(ONE(&nf, &d, addr_msg(&d, RTM_NEWADDR, 4, "fe80::1", 64, RT_SCOPE_LINK,
					       IFA_F_PERMANENT, 0, NULL)),
			 NETFACTS_CHANGED);
	assert_false(netfacts_iface(&nf, "wlan0", NETFACTS_IF_IPV6));
	assert_int_equal(ONE(&nf, &d, addr_msg(&d, RTM_NEWADDR, 4, "2001:db8::20", 64, RT_SCOPE_UNIVERSE,
					       IFA_F_TENTATIVE, 0, NULL)),
			 NETFACTS_CHANGED);
	assert_false(netfacts_iface(&nf, "wlan0", NETFACTS_IF_IPV6));
	/* DAD done: the same address, its flags changed */
	assert_int_equal(ONE(&nf, &d, addr_msg(&d, RTM_NEWADDR, 4, "2001:db8::20", 64, RT_SCOPE_UNIVERSE,
					       0, IFA_F_MANAGETEMPADDR, NULL)),
			 NETFACTS_CHANGED);
	assert_true(netfacts_iface(&nf, "wlan0", NETFACTS_IF_IPV6));
	assert_int_equal(nf.naddrs, 3);
	assert_int_equal(ONE(&nf, &d, addr_msg(&d, RTM_NEWADDR, 4, "2001:db8::20", 64, RT_SCOPE_UNIVERSE,
					       0, IFA_F_MANAGETEMPADDR, NULL)),
			 NETFACTS_NONE);
	/* IFA_FLAGS wins over ifa_flags */
	assert_int_equal(ONE(&nf, &d, addr_msg(&d, RTM_NEWADDR, 4, "2001:db8::20", 64, RT_SCOPE_UNIVERSE,
					       0, IFA_F_DADFAILED | IFA_F_TENTATIVE, NULL)),
			 NETFACTS_CHANGED);
	assert_false(netfacts_iface(&nf, "wlan0", NETFACTS_IF_IPV6));
	assert_int_equal(ONE(&nf, &d, addr_msg(&d, RTM_DELADDR, 4, "2001:db8::20", 64, RT_SCOPE_UNIVERSE,
					       0, IFA_F_DADFAILED | IFA_F_TENTATIVE, NULL)),
			 NETFACTS_CHANGED);
	assert_int_equal(nf.naddrs, 2);

	assert_int_equal(ONE(&nf, &d, addr4(&d, RTM_DELADDR, 4, "192.168.1.20")), NETFACTS_CHANGED);
	assert_false(netfacts_iface(&nf, "wlan0", NETFACTS_IF_IPV4));
	assert_int_equal(nf.naddrs, 1);
	netfacts_free(&nf);
}

static void test_point_to_point_local_wins(void **state)
{
	(void)state;
	struct netfacts nf = { 0 };
	struct dg d = { .len = 0 };
	ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 6, IFF_UP | IFF_POINTOPOINT, "ppp0"));
	assert_int_equal(ONE(&nf, &d, addr_msg(&d, RTM_NEWADDR, 6, "100.64.0.2", 32, 0, 0, 0, "100.64.0.1")),
			 NETFACTS_CHANGED);
	assert_true(netfacts_iface(&nf, "ppp0", NETFACTS_IF_IPV4));
	uint8_t local[4] = { 100, 64, 0, 2 };
	assert_memory_equal(nf.addrs[0].addr, local, 4);
	/* an address with IFA_ADDRESS alone (IPv6 as the kernel sends it) */
	assert_int_equal(ONE(&nf, &d, addr_msg(&d, RTM_NEWADDR, 6, "2001:db8:1::2", 64, 0, 0, 0, NULL)),
			 NETFACTS_CHANGED);
	assert_true(netfacts_iface(&nf, "ppp0", NETFACTS_IF_IPV6));
	assert_int_equal(ONE(&nf, &d, addr_msg(&d, RTM_DELADDR, 6, "100.64.0.2", 32, 0, 0, 0, "100.64.0.1")),
			 NETFACTS_CHANGED);
	assert_false(netfacts_iface(&nf, "ppp0", NETFACTS_IF_IPV4));
	netfacts_free(&nf);
}

static void test_several_messages_and_done(void **state)
{
	(void)state;
	struct netfacts nf = { 0 };
	struct dg d = { .len = 0 };
	bool done = false;
	link_msg(&d, RTM_NEWLINK, 1, IFF_UP | IFF_LOOPBACK | IFF_LOWER_UP, "lo");
	link_msg(&d, RTM_NEWLINK, 2, IFF_UP, "eth0");
	link_msg(&d, RTM_NEWLINK, 3, 0, "wlan0");
	assert_int_equal(apply(&nf, &d, &done), NETFACTS_CHANGED);
	assert_false(done);
	assert_int_equal(nf.nlinks, 3);

	/* the last datagram of an address dump: nothing new, then DONE */
	addr4(&d, RTM_NEWADDR, 2, "10.0.0.2");
	done_msg(&d, NLMSG_DONE);
	assert_int_equal(apply(&nf, &d, &done), NETFACTS_CHANGED);
	assert_true(done);
	done = false;
	addr4(&d, RTM_NEWADDR, 2, "10.0.0.2");
	done_msg(&d, NLMSG_DONE);
	assert_int_equal(apply(&nf, &d, &done), NETFACTS_NONE);
	assert_true(done);
	/* a refused request ends a dump too */
	done = false;
	done_msg(&d, NLMSG_ERROR);
	assert_int_equal(apply(&nf, &d, &done), NETFACTS_NONE);
	assert_true(done);
	/* an empty datagram, and one of other types */
	done = false;
	assert_int_equal(netfacts_apply(&nf, d.buf, 0, &done), NETFACTS_NONE);
	done_msg(&d, NLMSG_NOOP);
	done_msg(&d, RTM_NEWNEIGH);
	assert_int_equal(apply(&nf, &d, &done), NETFACTS_NONE);
	assert_false(done);
	assert_true(netfacts_iface(&nf, "lo", NETFACTS_IF_CARRIER));
	assert_true(netfacts_iface(&nf, "eth0", NETFACTS_IF_IPV4));
	assert_true(netfacts_iface(&nf, "wlan0", NETFACTS_IF_EXISTS));
	assert_false(netfacts_iface(&nf, "wlan0", NETFACTS_IF_UP));
	netfacts_free(&nf);
}

static void set_u32(struct dg *d, size_t off, uint32_t v)
{
	memcpy(d->buf + off, &v, sizeof v);
}

static void set_u16(struct dg *d, size_t off, uint16_t v)
{
	memcpy(d->buf + off, &v, sizeof v);
}

static void test_malformed_skipped(void **state)
{
	(void)state;
	struct netfacts nf = { 0 };
	struct dg d = { .len = 0 };
	bool done = false;

	/* shorter than a header, then a header whose length is below its own */
	link_msg(&d, RTM_NEWLINK, 2, IFF_UP, "eth0");
	assert_int_equal(netfacts_apply(&nf, d.buf, NLMSG_HDRLEN - 1, &done), NETFACTS_NONE);
	set_u32(&d, 0, NLMSG_HDRLEN - 1);
	assert_int_equal(apply(&nf, &d, &done), NETFACTS_NONE);
	/* a length past the datagram: cut short by the receive buffer */
	link_msg(&d, RTM_NEWLINK, 2, IFF_UP, "eth0");
	assert_int_equal(netfacts_apply(&nf, d.buf, d.len - 1, &done), NETFACTS_NONE);
	d.len = 0;
	assert_int_equal(nf.nlinks, 0);

	/* a message too short for its fixed header, then an attribute length
	 * past the message, then one below an attribute's header: each is
	 * skipped and the valid message after them applies */
	struct ifinfomsg ifi = { .ifi_index = 7, .ifi_flags = IFF_UP };
	msg_begin(&d, RTM_NEWLINK, &ifi, sizeof ifi - 4);
	msg_end(&d);
	size_t second = d.len;
	link_msg(&d, RTM_NEWLINK, 8, IFF_UP, "bad1");
	size_t first_attr = second + NLMSG_LENGTH(sizeof(struct ifinfomsg));
	set_u16(&d, first_attr, 200);
	size_t third = d.len;
	link_msg(&d, RTM_NEWLINK, 9, IFF_UP, "bad2");
	set_u16(&d, third + NLMSG_LENGTH(sizeof(struct ifinfomsg)), 2);
	addr_msg(&d, RTM_NEWADDR, 9, "10.1.1.1", 8, 0, 0, 0, NULL);
	size_t fifth = d.len;
	addr4(&d, RTM_NEWADDR, 9, "10.1.1.2");
	set_u16(&d, fifth + NLMSG_LENGTH(sizeof(struct ifaddrmsg)), 0xffff);
	link_msg(&d, RTM_NEWLINK, 10, IFF_UP, "good");
	done_msg(&d, NLMSG_DONE);
	assert_int_equal(apply(&nf, &d, &done), NETFACTS_CHANGED);
	assert_true(done);
	assert_int_equal(nf.nlinks, 1);
	assert_true(netfacts_iface(&nf, "good", NETFACTS_IF_UP));
	assert_false(netfacts_iface(&nf, "bad*", NETFACTS_IF_EXISTS));
	assert_int_equal(nf.naddrs, 1); /* 10.1.1.1 for a link not known yet */

	/* an address attribute of the wrong size, an unknown family, ifindex 0 */
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 8, .ifa_index = 10 };
	msg_begin(&d, RTM_NEWADDR, &ifa, sizeof ifa);
	attr(&d, IFA_LOCAL, "\x0a\x01", 2);
	msg_end(&d);
	ifa.ifa_family = AF_PACKET;
	msg_begin(&d, RTM_NEWADDR, &ifa, sizeof ifa);
	attr(&d, IFA_LOCAL, "\x0a\x01\x01\x01", 4);
	msg_end(&d);
	addr4(&d, RTM_NEWADDR, 0, "10.1.1.3");
	link_msg(&d, RTM_NEWLINK, 0, IFF_UP, "zero");
	link_msg(&d, RTM_NEWLINK, -1, IFF_UP, "neg");
	/* trailing bytes shorter than a header */
	put(&d, "\x01\x02\x03", 3);
	assert_int_equal(apply(&nf, &d, NULL), NETFACTS_NONE);
	assert_false(netfacts_iface(&nf, "good", NETFACTS_IF_IPV4));

	/* a datagram at an odd address is read all the same */
	uint8_t *odd = malloc(sizeof d.buf + 1);
	assert_non_null(odd);
	link_msg(&d, RTM_NEWLINK, 11, IFF_UP, "odd");
	addr4(&d, RTM_NEWADDR, 11, "10.2.2.2");
	route_default(&d, RTM_NEWROUTE, AF_INET, 11);
	memcpy(odd + 1, d.buf, d.len);
	assert_int_equal(netfacts_apply(&nf, odd + 1, d.len, &done), NETFACTS_CHANGED);
	d.len = 0;
	free(odd);
	assert_true(netfacts_iface(&nf, "odd", NETFACTS_IF_IPV4));
	assert_true(netfacts_default_route(&nf, AF_INET));
	netfacts_free(&nf);
}

static void test_default_routes(void **state)
{
	(void)state;
	struct netfacts nf = { 0 };
	struct dg d = { .len = 0 };
	ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 2, IFF_UP, "wan"));
	assert_false(netfacts_default_route(&nf, 0));

	/* not default, not unicast, not IP: ignored */
	assert_int_equal(ONE(&nf, &d, route_msg(&d, RTM_NEWROUTE, AF_INET, 24, RTN_UNICAST, RT_TABLE_MAIN, 2, 0)),
			 NETFACTS_NONE);
	assert_int_equal(ONE(&nf, &d, route_msg(&d, RTM_NEWROUTE, AF_INET6, 0, RTN_UNREACHABLE, RT_TABLE_MAIN, 1, 0)),
			 NETFACTS_NONE);
	assert_int_equal(ONE(&nf, &d, route_msg(&d, RTM_NEWROUTE, AF_INET, 0, RTN_LOCAL, RT_TABLE_LOCAL, 2, 0)),
			 NETFACTS_NONE);
	assert_int_equal(ONE(&nf, &d, route_msg(&d, RTM_NEWROUTE, AF_UNSPEC, 0, RTN_UNICAST, RT_TABLE_MAIN, 2, 0)),
			 NETFACTS_NONE);
	assert_false(netfacts_default_route(&nf, 0));

	assert_int_equal(ONE(&nf, &d, route_default(&d, RTM_NEWROUTE, AF_INET, 2)), NETFACTS_CHANGED);
	assert_true(netfacts_default_route(&nf, AF_INET));
	assert_false(netfacts_default_route(&nf, AF_INET6));
	assert_true(netfacts_default_route(&nf, 0));
	assert_int_equal(ONE(&nf, &d, route_default(&d, RTM_NEWROUTE, AF_INET, 2)), NETFACTS_NONE);
	assert_int_equal(nf.nroutes, 1);

	assert_int_equal(ONE(&nf, &d, route_msg(&d, RTM_NEWROUTE, AF_INET6, 0, RTN_UNICAST, RT_TABLE_MAIN, 2, 1024)),
			 NETFACTS_CHANGED);
	assert_true(netfacts_default_route(&nf, AF_INET6));
	/* another metric is another route; deleting one leaves the other */
	assert_int_equal(ONE(&nf, &d, route_msg(&d, RTM_NEWROUTE, AF_INET6, 0, RTN_UNICAST, RT_TABLE_MAIN, 2, 512)),
			 NETFACTS_CHANGED);
	assert_int_equal(ONE(&nf, &d, route_msg(&d, RTM_DELROUTE, AF_INET6, 0, RTN_UNICAST, RT_TABLE_MAIN, 2, 1024)),
			 NETFACTS_CHANGED);
	assert_true(netfacts_default_route(&nf, AF_INET6));
	assert_int_equal(ONE(&nf, &d, route_msg(&d, RTM_DELROUTE, AF_INET6, 0, RTN_UNICAST, RT_TABLE_MAIN, 2, 1024)),
			 NETFACTS_NONE);
	assert_int_equal(ONE(&nf, &d, route_msg(&d, RTM_DELROUTE, AF_INET6, 0, RTN_UNICAST, RT_TABLE_MAIN, 2, 512)),
			 NETFACTS_CHANGED);
	assert_false(netfacts_default_route(&nf, AF_INET6));

	/* a table above 255 lives in RTA_TABLE; a non-default delete is ignored */
	assert_int_equal(ONE(&nf, &d, route_msg(&d, RTM_NEWROUTE, AF_INET, 0, RTN_UNICAST, 1000, 2, 0)),
			 NETFACTS_CHANGED);
	assert_int_equal(nf.nroutes, 2);
	assert_int_equal(ONE(&nf, &d, route_msg(&d, RTM_DELROUTE, AF_INET, 24, RTN_UNICAST, 1000, 2, 0)),
			 NETFACTS_NONE);
	assert_int_equal(ONE(&nf, &d, route_default(&d, RTM_DELROUTE, AF_INET, 2)), NETFACTS_CHANGED);
	assert_true(netfacts_default_route(&nf, AF_INET));
	assert_int_equal(ONE(&nf, &d, route_msg(&d, RTM_DELROUTE, AF_INET, 0, RTN_UNICAST, 1000, 2, 0)),
			 NETFACTS_CHANGED);
	assert_false(netfacts_default_route(&nf, 0));
	assert_int_equal(nf.nroutes, 0);

	/* a multipath route has no RTA_OIF */
	assert_int_equal(ONE(&nf, &d, route_default(&d, RTM_NEWROUTE, AF_INET, 0)), NETFACTS_CHANGED);
	assert_true(netfacts_default_route(&nf, AF_INET));
	netfacts_free(&nf);
}

static void test_delete_link_drops_its_facts(void **state)
{
	(void)state;
	struct netfacts nf = { 0 };
	struct dg d = { .len = 0 };
	link_msg(&d, RTM_NEWLINK, 3, IFF_UP, "eth1");
	link_msg(&d, RTM_NEWLINK, 4, IFF_UP, "eth2");
	addr4(&d, RTM_NEWADDR, 3, "10.3.0.1");
	addr_msg(&d, RTM_NEWADDR, 3, "2001:db8:3::1", 64, 0, 0, 0, NULL);
	addr4(&d, RTM_NEWADDR, 4, "10.4.0.1");
	addr4(&d, RTM_NEWADDR, 3, "10.3.1.1");
	route_default(&d, RTM_NEWROUTE, AF_INET, 3);
	route_default(&d, RTM_NEWROUTE, AF_INET6, 3);
	route_default(&d, RTM_NEWROUTE, AF_INET, 4);
	assert_int_equal(apply(&nf, &d, NULL), NETFACTS_CHANGED);
	assert_int_equal(nf.naddrs, 4);
	assert_int_equal(nf.nroutes, 3);

	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_DELLINK, 3, 0, "eth1")), NETFACTS_CHANGED);
	assert_int_equal(nf.nlinks, 1);
	assert_int_equal(nf.naddrs, 1);
	assert_int_equal(nf.nroutes, 1);
	assert_int_equal(nf.addrs[0].ifindex, 4);
	assert_int_equal(nf.routes[0].oif, 4);
	assert_true(netfacts_iface(&nf, "eth2", NETFACTS_IF_IPV4));
	assert_false(netfacts_default_route(&nf, AF_INET6));
	/* the same name again, under a new ifindex: nothing carried over */
	ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 5, IFF_UP, "eth1"));
	assert_true(netfacts_iface(&nf, "eth1", NETFACTS_IF_UP));
	assert_false(netfacts_iface(&nf, "eth1", NETFACTS_IF_IPV4));
	assert_false(netfacts_iface(&nf, "eth1", NETFACTS_IF_IPV6));
	netfacts_free(&nf);
}

/* The kernel drops IPv4 routes without a RTM_DELROUTE when their link
 * goes down or loses its last IPv4 address. */
static void test_silent_ipv4_route_flush(void **state)
{
	(void)state;
	struct netfacts nf = { 0 };
	struct dg d = { .len = 0 };
	link_msg(&d, RTM_NEWLINK, 2, IFF_UP, "wan");
	addr4(&d, RTM_NEWADDR, 2, "10.0.0.1");
	addr4(&d, RTM_NEWADDR, 2, "10.9.0.1");
	route_default(&d, RTM_NEWROUTE, AF_INET, 2);
	route_default(&d, RTM_NEWROUTE, AF_INET6, 2);
	assert_int_equal(apply(&nf, &d, NULL), NETFACTS_CHANGED);

	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 2, 0, "wan")), NETFACTS_CHANGED);
	assert_false(netfacts_default_route(&nf, AF_INET));
	assert_true(netfacts_default_route(&nf, AF_INET6)); /* IPv6 says so itself */
	assert_true(netfacts_iface(&nf, "wan", NETFACTS_IF_IPV4));

	ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 2, IFF_UP, "wan"));
	ONE(&nf, &d, route_default(&d, RTM_NEWROUTE, AF_INET, 2));
	/* one of two addresses goes: the route stays; the last goes: it goes */
	assert_int_equal(ONE(&nf, &d, addr4(&d, RTM_DELADDR, 2, "10.9.0.1")), NETFACTS_CHANGED);
	assert_true(netfacts_default_route(&nf, AF_INET));
	assert_int_equal(ONE(&nf, &d, addr4(&d, RTM_DELADDR, 2, "10.0.0.1")), NETFACTS_CHANGED);
	assert_false(netfacts_default_route(&nf, AF_INET));
	assert_true(netfacts_default_route(&nf, AF_INET6));
	netfacts_free(&nf);
}

static void test_glob(void **state)
{
	(void)state;
	struct netfacts nf = { 0 };
	struct dg d = { .len = 0 };
	link_msg(&d, RTM_NEWLINK, 2, IFF_UP, "eth0");
	link_msg(&d, RTM_NEWLINK, 3, 0, "wlan0");
	link_msg(&d, RTM_NEWLINK, 4, IFF_UP | IFF_LOWER_UP, "wlan1");
	link_msg(&d, RTM_NEWLINK, 5, IFF_UP, NULL); /* never named */
	addr4(&d, RTM_NEWADDR, 3, "10.3.0.1");
	apply(&nf, &d, NULL);

	assert_true(netfacts_iface(&nf, "wlan*", NETFACTS_IF_EXISTS));
	assert_true(netfacts_iface(&nf, "wlan*", NETFACTS_IF_UP));       /* wlan1 */
	assert_true(netfacts_iface(&nf, "wlan*", NETFACTS_IF_IPV4));     /* wlan0 */
	assert_false(netfacts_iface(&nf, "wlan0", NETFACTS_IF_UP));
	assert_true(netfacts_iface(&nf, "wlan?", NETFACTS_IF_CARRIER));
	assert_true(netfacts_iface(&nf, "wlan[01]", NETFACTS_IF_CARRIER));
	assert_false(netfacts_iface(&nf, "wlan[0]", NETFACTS_IF_CARRIER));
	assert_false(netfacts_iface(&nf, "wlan", NETFACTS_IF_EXISTS)); /* a plain name is itself only */
	assert_false(netfacts_iface(&nf, "wlan0*x", NETFACTS_IF_EXISTS));
	assert_false(netfacts_iface(&nf, "eth*", NETFACTS_IF_IPV4));
	assert_false(netfacts_iface(&nf, "eth*", NETFACTS_IF_IPV6));
	assert_true(netfacts_iface(&nf, "*", NETFACTS_IF_EXISTS));
	assert_false(netfacts_iface(&nf, "", NETFACTS_IF_EXISTS)); /* not the unnamed link */
	netfacts_free(&nf);
}

static void test_clear_and_growth(void **state)
{
	(void)state;
	struct netfacts nf = { 0 };
	struct dg d = { .len = 0 };
	/* enough to double every array several times */
	for (int i = 1; i <= 100; i++) {
		char name[16], a[32];
		snprintf(name, sizeof name, "eth%d", i);
		link_msg(&d, RTM_NEWLINK, i, IFF_UP, name);
		snprintf(a, sizeof a, "10.%d.0.1", i);
		addr4(&d, RTM_NEWADDR, i, a);
		snprintf(a, sizeof a, "10.%d.0.2", i);
		addr4(&d, RTM_NEWADDR, i, a);
		route_msg(&d, RTM_NEWROUTE, AF_INET, 0, RTN_UNICAST, RT_TABLE_MAIN, i, (uint32_t)i);
		assert_int_equal(apply(&nf, &d, NULL), NETFACTS_CHANGED);
	}
	assert_int_equal(nf.nlinks, 100);
	assert_int_equal(nf.naddrs, 200);
	assert_int_equal(nf.nroutes, 100);
	/* drop the odd links: the even ones keep all they had */
	for (int i = 1; i <= 100; i += 2)
		link_msg(&d, RTM_DELLINK, i, 0, NULL);
	assert_int_equal(apply(&nf, &d, NULL), NETFACTS_CHANGED);
	assert_int_equal(nf.nlinks, 50);
	assert_int_equal(nf.naddrs, 100);
	assert_int_equal(nf.nroutes, 50);
	for (int i = 1; i <= 100; i++) {
		char name[16];
		snprintf(name, sizeof name, "eth%d", i);
		assert_int_equal(netfacts_iface(&nf, name, NETFACTS_IF_IPV4), i % 2 == 0);
	}
	for (size_t i = 0; i < nf.nroutes; i++)
		assert_int_equal(nf.routes[i].oif % 2, 0);

	size_t cap = nf.caplinks;
	netfacts_clear(&nf);
	assert_int_equal(nf.caplinks, cap);
	assert_false(netfacts_iface(&nf, "*", NETFACTS_IF_EXISTS));
	assert_false(netfacts_default_route(&nf, 0));
	/* the re-dump after an overflow fills it again */
	assert_int_equal(ONE(&nf, &d, link_msg(&d, RTM_NEWLINK, 2, IFF_UP, "eth2")), NETFACTS_CHANGED);
	assert_true(netfacts_iface(&nf, "eth2", NETFACTS_IF_UP));
	assert_false(netfacts_iface(&nf, "eth2", NETFACTS_IF_IPV4));
	netfacts_free(&nf);
	assert_null(nf.links);
	assert_int_equal(nf.nlinks + nf.naddrs + nf.nroutes, 0);
	netfacts_free(&nf); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_add_rename_flags_delete),
		cmocka_unit_test(test_bridge_port_leaving_is_no_delete),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_point_to_point_local_wins),
		cmocka_unit_test(test_several_messages_and_done),
		cmocka_unit_test(test_malformed_skipped),
		cmocka_unit_test(test_default_routes),
		cmocka_unit_test(test_delete_link_drops_its_facts),
		cmocka_unit_test(test_silent_ipv4_route_flush),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_clear_and_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
