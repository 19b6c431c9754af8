/* netfacts: the network facts keel's conditions need (links, addresses, default routes), kept from rtnetlink messages. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_NETFACTS_H
#define KEEL_NETFACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A table of what the kernel said over rtnetlink (RTM_NEWLINK/DELLINK,
 * RTM_NEWADDR/DELADDR, RTM_NEWROUTE/DELROUTE), fed one received datagram at
 * a time, from a dump or from the multicast groups. Pure: no system calls
 * besides memory allocation, so it is unit-tested and fuzzed alone.
 *
 * Invariants:
 *   - one link per ifindex; a link's name is what the last RTM_NEWLINK said;
 *   - one address per (ifindex, family, prefixlen, address bytes);
 *   - one default route per (family, table, oif, priority); only routes
 *     with rtm_dst_len == 0 and type RTN_UNICAST are kept;
 *   - RTM_DELLINK drops the link and its addresses.
 * Malformed input (short headers, attribute lengths past the end, unknown
 * message types) is skipped message by message, never read out of bounds.
 */

#define NETFACTS_IFNAMSIZ 16

struct nf_link {
	int ifindex;
	unsigned flags; /* IFF_* from ifi_flags (IFF_UP, IFF_LOWER_UP...) */
	char name[NETFACTS_IFNAMSIZ]; /* NUL-terminated; "" until named */
};

struct nf_addr {
	int ifindex;
	uint8_t family;    /* AF_INET or AF_INET6 */
	uint8_t prefixlen;
	uint8_t scope;     /* ifa_scope (RT_SCOPE_UNIVERSE = 0 is global) */
	uint8_t addr[16];  /* IFA_LOCAL if present, else IFA_ADDRESS */
	uint32_t flags;    /* IFA_F_* (IFA_FLAGS attribute if present, else ifa_flags) */
};

struct nf_route {
	uint8_t family;
	uint32_t table;    /* RTA_TABLE if present, else rtm_table */
	int oif;           /* RTA_OIF, 0 if none */
	uint32_t priority; /* RTA_PRIORITY, 0 if none */
};

struct netfacts {
	struct nf_link *links;
	size_t nlinks, caplinks;
	struct nf_addr *addrs;
	size_t naddrs, capaddrs;
	struct nf_route *routes;
	size_t nroutes, caproutes;
};

enum netfacts_result {
	NETFACTS_NONE = 0,    /* nothing the table keeps changed */
	NETFACTS_CHANGED = 1, /* some link, address or route changed */
};

/*
 * Applies every message of one datagram (a sequence of struct nlmsghdr)
 * to nf. *done is set true when an NLMSG_DONE or NLMSG_ERROR message was
 * seen (the end of a dump, or a refused request), left alone otherwise.
 * Returns NETFACTS_CHANGED if the table changed, NETFACTS_NONE if not, -1
 * if memory ran out (the table is then incomplete but consistent: the
 * caller re-dumps later).
 */
int netfacts_apply(struct netfacts *nf, const void *buf, size_t len, bool *done);

/* Forget everything (before a full re-dump after an overflow). Keeps the
 * arrays' memory. */
void netfacts_clear(struct netfacts *nf);
void netfacts_free(struct netfacts *nf);

enum netfacts_ifstate {
	NETFACTS_IF_EXISTS,
	NETFACTS_IF_UP,      /* IFF_UP */
	NETFACTS_IF_CARRIER, /* IFF_LOWER_UP */
	NETFACTS_IF_IPV4,    /* an AF_INET address */
	NETFACTS_IF_IPV6,    /* an AF_INET6 address of scope universe, not
			      * IFA_F_TENTATIVE nor IFA_F_DADFAILED */
};

/* True if some link whose name matches pattern (fnmatch(3), no flags: a
 * plain name matches itself only) is in that state. */
bool netfacts_iface(const struct netfacts *nf, const char *pattern, enum netfacts_ifstate st);

/* True if a default route of that family exists (0: either family). */
bool netfacts_default_route(const struct netfacts *nf, int family);

#endif
