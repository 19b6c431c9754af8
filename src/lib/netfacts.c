/* netfacts: keeps links, addresses and default routes from rtnetlink datagrams, for keel's iface and route conditions. */
/* SPDX-License-Identifier: MIT */
#include "netfacts.h"
#include "wildmatch.h"

#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* glibc's <net/if.h> stops at IFF_DYNAMIC; musl's has it. Including
 * <linux/if.h> as well clashes with one C library or the other. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* Datagrams come from a socket into an aligned buffer, but the fuzzer (and
 * any caller) may hand us any address: every header and attribute value is
 * copied out with memcpy, never read through a cast pointer. */

/* The attributes we read have small type numbers (RTA_TABLE = 15 is the
 * largest); others are skipped without being stored. */
#define NF_MAXATTR 16

struct nf_attr {
	const uint8_t *p; /* NULL if absent */
	size_t len;
};

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/*
 * Splits the attributes in p[0..len) into at[] (the last of a type wins,
 * as in the kernel). Returns -1 if an attribute's length is below its
 * header or runs past the end: the message is then skipped whole rather
 * than applied from half of what it said. Fewer than 4 trailing bytes
 * are padding.
 */
static int parse_attrs(const uint8_t *p, size_t len, struct nf_attr at[NF_MAXATTR])
{
	memset(at, 0, NF_MAXATTR * sizeof *at);
	while (len >= sizeof(struct rtattr)) {
		struct rtattr rta;
		memcpy(&rta, p, sizeof rta);
		if (rta.rta_len < sizeof rta || rta.rta_len > len)
			return -1;
		unsigned type = rta.rta_type & NLA_TYPE_MASK;
		if (type < NF_MAXATTR) {
			at[type].p = p + RTA_LENGTH(0);
			at[type].len = rta.rta_len - RTA_LENGTH(0);
		}
		size_t step = align4(rta.rta_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

/* The attributes of a message of len bytes whose fixed header ends at hdr. */
static int msg_attrs(const uint8_t *msg, size_t len, size_t hdr, struct nf_attr at[NF_MAXATTR])
{
	if (len <= hdr) {
		memset(at, 0, NF_MAXATTR * sizeof *at);
		return 0;
	}
	return parse_attrs(msg + hdr, len - hdr, at);
}

static bool attr_u32(const struct nf_attr *a, uint32_t *v)
{
	if (!a->p || a->len < sizeof *v)
		return false;
	memcpy(v, a->p, sizeof *v);
	return true;
}

/* Doubles an array's capacity; NULL (and the array untouched) when out of
 * memory or when the size would overflow. */
static void *grow(void *arr, size_t *cap, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 4;
	if (ncap < *cap || ncap > SIZE_MAX / elem)
		return NULL;
	void *p = realloc(arr, ncap * elem);
	if (p)
		*cap = ncap;
	return p;
}

/* ---- links ---- */

static struct nf_link *find_link(const struct netfacts *nf, int ifindex)
{
	for (size_t i = 0; i < nf->nlinks; i++)
		if (nf->links[i].ifindex == ifindex)
			return &nf->links[i];
	return NULL;
}

/* Drops the default routes of family (0: both) through ifindex. The kernel
 * removes IPv4 routes without a RTM_DELROUTE when their link goes down,
 * loses its last IPv4 address or is unregistered (IPv6 says so except on
 * unregister), so the table does it on the message that caused it. */
static bool drop_routes_via(struct netfacts *nf, int ifindex, int family)
{
	bool changed = false;
	for (size_t i = 0; i < nf->nroutes;) {
		const struct nf_route *r = &nf->routes[i];
		if (r->oif == ifindex && (family == 0 || r->family == family)) {
			nf->routes[i] = nf->routes[--nf->nroutes];
			changed = true;
		} else {
			i++;
		}
	}
	return changed;
}

static bool drop_addrs_of(struct netfacts *nf, int ifindex)
{
	bool changed = false;
	for (size_t i = 0; i < nf->naddrs;) {
		if (nf->addrs[i].ifindex == ifindex) {
			nf->addrs[i] = nf->addrs[--nf->naddrs];
			changed = true;
		} else {
			i++;
		}
	}
	return changed;
}

static int apply_link(struct netfacts *nf, uint16_t type, const uint8_t *msg, size_t len)
{
	struct ifinfomsg ifi;
	size_t hdr = NLMSG_LENGTH(NLMSG_ALIGN(sizeof ifi));
	if (len < NLMSG_LENGTH(sizeof ifi))
		return NETFACTS_NONE;
	memcpy(&ifi, msg + NLMSG_HDRLEN, sizeof ifi);
	/* The bridge reports its ports with family AF_BRIDGE on the same
	 * group: a RTM_DELLINK of that family is a port leaving the bridge,
	 * not the link going away. Links themselves are always AF_UNSPEC. */
	if (ifi.ifi_family != AF_UNSPEC || ifi.ifi_index <= 0)
		return NETFACTS_NONE;
	struct nf_attr at[NF_MAXATTR];
	if (msg_attrs(msg, len, hdr, at) < 0)
		return NETFACTS_NONE;

	if (type == RTM_DELLINK) {
		bool changed = false;
		struct nf_link *l = find_link(nf, ifi.ifi_index);
		if (l) {
			*l = nf->links[--nf->nlinks];
			changed = true;
		}
		changed |= drop_addrs_of(nf, ifi.ifi_index);
		changed |= drop_routes_via(nf, ifi.ifi_index, 0);
		return changed ? NETFACTS_CHANGED : NETFACTS_NONE;
	}

	char name[NETFACTS_IFNAMSIZ];
	bool named = false;
	const struct nf_attr *a = &at[IFLA_IFNAME];
	if (a->p) {
		size_t n = 0;
		while (n < a->len && n < sizeof name - 1 && a->p[n])
			n++;
		memcpy(name, a->p, n);
		name[n] = '\0';
		named = true;
	}

	bool changed = false;
	struct nf_link *l = find_link(nf, ifi.ifi_index);
	if (!l) {
		if (nf->nlinks == nf->caplinks) {
			struct nf_link *p = grow(nf->links, &nf->caplinks, sizeof *p);
			if (!p)
				return -1;
			nf->links = p;
		}
		l = &nf->links[nf->nlinks++];
		*l = (struct nf_link){ .ifindex = ifi.ifi_index, .flags = ifi.ifi_flags };
		changed = true;
	} else if (l->flags != ifi.ifi_flags) {
		l->flags = ifi.ifi_flags;
		changed = true;
	}
	/* No name attribute: keep the one we have (the kernel always sends it). */
	if (named && strcmp(l->name, name) != 0) {
		memcpy(l->name, name, sizeof name);
		changed = true;
	}
	if (!(ifi.ifi_flags & IFF_UP))
		changed |= drop_routes_via(nf, ifi.ifi_index, AF_INET);
	return changed ? NETFACTS_CHANGED : NETFACTS_NONE;
}

/* ---- addresses ---- */

static struct nf_addr *find_addr(const struct netfacts *nf, const struct nf_addr *k)
{
	for (size_t i = 0; i < nf->naddrs; i++) {
		const struct nf_addr *a = &nf->addrs[i];
		if (a->ifindex == k->ifindex && a->family == k->family &&
		    a->prefixlen == k->prefixlen && memcmp(a->addr, k->addr, sizeof a->addr) == 0)
			return &nf->addrs[i];
	}
	return NULL;
}

static bool has_addr(const struct netfacts *nf, int ifindex, int family)
{
	for (size_t i = 0; i < nf->naddrs; i++)
		if (nf->addrs[i].ifindex == ifindex && nf->addrs[i].family == family)
			return true;
	return false;
}

static int apply_addr(struct netfacts *nf, uint16_t type, const uint8_t *msg, size_t len)
{
	struct ifaddrmsg ifa;
	size_t hdr = NLMSG_LENGTH(NLMSG_ALIGN(sizeof ifa));
	if (len < NLMSG_LENGTH(sizeof ifa))
		return NETFACTS_NONE;
	memcpy(&ifa, msg + NLMSG_HDRLEN, sizeof ifa);
	size_t alen;
	if (ifa.ifa_family == AF_INET)
		alen = 4;
	else if (ifa.ifa_family == AF_INET6)
		alen = 16;
	else
		return NETFACTS_NONE;
	if (ifa.ifa_index == 0 || ifa.ifa_index > INT_MAX)
		return NETFACTS_NONE;
	struct nf_attr at[NF_MAXATTR];
	if (msg_attrs(msg, len, hdr, at) < 0)
		return NETFACTS_NONE;
	/* IFA_LOCAL is this host's end; IFA_ADDRESS is the peer's on a
	 * point-to-point link and the same as IFA_LOCAL elsewhere. */
	const struct nf_attr *src = at[IFA_LOCAL].p ? &at[IFA_LOCAL] : &at[IFA_ADDRESS];
	if (!src->p || src->len < alen)
		return NETFACTS_NONE;

	struct nf_addr k = {
		.ifindex = (int)ifa.ifa_index,
		.family = ifa.ifa_family,
		.prefixlen = ifa.ifa_prefixlen,
		.scope = ifa.ifa_scope,
		.flags = ifa.ifa_flags,
	};
	memcpy(k.addr, src->p, alen);
	uint32_t flags;
	if (attr_u32(&at[IFA_FLAGS], &flags))
		k.flags = flags;

	struct nf_addr *a = find_addr(nf, &k);
	if (type == RTM_DELADDR) {
		if (!a)
			return NETFACTS_NONE;
		*a = nf->addrs[--nf->naddrs];
		if (k.family == AF_INET && !has_addr(nf, k.ifindex, AF_INET))
			drop_routes_via(nf, k.ifindex, AF_INET);
		return NETFACTS_CHANGED;
	}
	if (a) {
		if (a->scope == k.scope && a->flags == k.flags)
			return NETFACTS_NONE;
		a->scope = k.scope;
		a->flags = k.flags;
		return NETFACTS_CHANGED;
	}
	if (nf->naddrs == nf->capaddrs) {
		struct nf_addr *p = grow(nf->addrs, &nf->capaddrs, sizeof *p);
		if (!p)
			return -1;
		nf->addrs = p;
	}
	nf->addrs[nf->naddrs++] = k;
	return NETFACTS_CHANGED;
}

/* ---- default routes ---- */

static struct nf_route *find_route(const struct netfacts *nf, const struct nf_route *k)
{
	for (size_t i = 0; i < nf->nroutes; i++) {
		const struct nf_route *r = &nf->routes[i];
		if (r->family == k->family && r->table == k->table && r->oif == k->oif &&
		    r->priority == k->priority)
			return &nf->routes[i];
	}
	return NULL;
}

static int apply_route(struct netfacts *nf, uint16_t type, const uint8_t *msg, size_t len)
{
	struct rtmsg rtm;
	size_t hdr = NLMSG_LENGTH(NLMSG_ALIGN(sizeof rtm));
	if (len < NLMSG_LENGTH(sizeof rtm))
		return NETFACTS_NONE;
	memcpy(&rtm, msg + NLMSG_HDRLEN, sizeof rtm);
	if ((rtm.rtm_family != AF_INET && rtm.rtm_family != AF_INET6) || rtm.rtm_dst_len != 0 ||
	    rtm.rtm_type != RTN_UNICAST)
		return NETFACTS_NONE;
	struct nf_attr at[NF_MAXATTR];
	if (msg_attrs(msg, len, hdr, at) < 0)
		return NETFACTS_NONE;

	struct nf_route k = { .family = rtm.rtm_family, .table = rtm.rtm_table };
	uint32_t v;
	if (attr_u32(&at[RTA_TABLE], &v))
		k.table = v;
	if (attr_u32(&at[RTA_OIF], &v))
		k.oif = v > INT_MAX ? 0 : (int)v;
	if (attr_u32(&at[RTA_PRIORITY], &v))
		k.priority = v;

	struct nf_route *r = find_route(nf, &k);
	if (type == RTM_DELROUTE) {
		if (!r)
			return NETFACTS_NONE;
		*r = nf->routes[--nf->nroutes];
		return NETFACTS_CHANGED;
	}
	if (r)
		return NETFACTS_NONE;
	if (nf->nroutes == nf->caproutes) {
		struct nf_route *p = grow(nf->routes, &nf->caproutes, sizeof *p);
		if (!p)
			return -1;
		nf->routes = p;
	}
	nf->routes[nf->nroutes++] = k;
	return NETFACTS_CHANGED;
}

/* ---- the datagram ---- */

int netfacts_apply(struct netfacts *nf, const void *buf, size_t len, bool *done)
{
	const uint8_t *p = buf;
	bool changed = false, nomem = false;
	/* A message we cannot bound (its length below its header or past the
	 * datagram) ends the walk: nothing after it can be found. Out of
	 * memory does not: later deletions and NLMSG_DONE still count. */
	while (len >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		memcpy(&h, p, sizeof h);
		if (h.nlmsg_len < sizeof h || h.nlmsg_len > len)
			break;
		int r = NETFACTS_NONE;
		switch (h.nlmsg_type) {
		case NLMSG_DONE:
		case NLMSG_ERROR:
			*done = true;
			break;
		case RTM_NEWLINK:
		case RTM_DELLINK:
			r = apply_link(nf, h.nlmsg_type, p, h.nlmsg_len);
			break;
		case RTM_NEWADDR:
		case RTM_DELADDR:
			r = apply_addr(nf, h.nlmsg_type, p, h.nlmsg_len);
			break;
		case RTM_NEWROUTE:
		case RTM_DELROUTE:
			r = apply_route(nf, h.nlmsg_type, p, h.nlmsg_len);
			break;
		default:
			break;
		}
		if (r < 0)
			nomem = true;
		else if (r == NETFACTS_CHANGED)
			changed = true;
		size_t step = align4(h.nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	if (nomem)
		return -1;
	return changed ? NETFACTS_CHANGED : NETFACTS_NONE;
}

void netfacts_clear(struct netfacts *nf)
{
	nf->nlinks = 0;
	nf->naddrs = 0;
	nf->nroutes = 0;
}

void netfacts_free(struct netfacts *nf)
{
	free(nf->links);
	free(nf->addrs);
	free(nf->routes);
	*nf = (struct netfacts){ 0 };
}

/* ---- questions ---- */

static bool link_has(const struct netfacts *nf, const struct nf_link *l, enum netfacts_ifstate st)
{
	switch (st) {
	case NETFACTS_IF_EXISTS:
		return true;
	case NETFACTS_IF_UP:
		return (l->flags & IFF_UP) != 0;
	case NETFACTS_IF_CARRIER:
		return (l->flags & IFF_LOWER_UP) != 0;
	case NETFACTS_IF_IPV4:
		return has_addr(nf, l->ifindex, AF_INET);
	case NETFACTS_IF_IPV6:
		for (size_t i = 0; i < nf->naddrs; i++) {
			const struct nf_addr *a = &nf->addrs[i];
			if (a->ifindex == l->ifindex && a->family == AF_INET6 &&
			    a->scope == RT_SCOPE_UNIVERSE &&
			    !(a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
				return true;
		}
		return false;
	}
	return false;
}

bool netfacts_iface(const struct netfacts *nf, const char *pattern, enum netfacts_ifstate st)
{
	for (size_t i = 0; i < nf->nlinks; i++) {
		const struct nf_link *l = &nf->links[i];
		/* A link we have no name for yet is no interface a pattern can name. */
		if (l->name[0] && wildmatch(pattern, l->name, 0) && link_has(nf, l, st))
			return true;
	}
	return false;
}

bool netfacts_default_route(const struct netfacts *nf, int family)
{
	for (size_t i = 0; i < nf->nroutes; i++)
		if (family == 0 || nf->routes[i].family == family)
			return true;
	return false;
}
