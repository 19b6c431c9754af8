/* cond_net: the rtnetlink socket behind `iface` and `route` conditions — one dump, then the kernel's events. */
/* SPDX-License-Identifier: MIT */
#include "cond_internal.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

/*
 * The table (netfacts) is filled by three dumps in turn (links, addresses,
 * routes; a netlink socket serves one dump at a time) while the multicast
 * groups report changes. If the socket overflows (ENOBUFS: a storm of
 * address changes), events were lost: the socket is read empty, then the
 * state is dumped again, so it never stays wrong. A dump fills a fresh
 * table (events meanwhile go to both) that replaces the old one only once
 * complete: conditions never see a half-read state, and nothing flaps.
 * Until the first dump is complete, network conditions are unknown: they
 * hold neither way (`!iface` waits too).
 */

#define NET_RCVBUF (256 * 1024)
/* Datagrams read per wake-up: a storm must not hold the loop. */
#define NET_READS_PER_EVENT 64

enum net_dump { DUMP_NONE, DUMP_LINK, DUMP_ADDR, DUMP_ROUTE };

static int nl = -1;
static bool unavailable;
static enum net_dump dumping = DUMP_NONE;
static uint32_t seq;
static struct netfacts facts; /* what conditions read */
static struct netfacts fresh; /* filled by the dump in progress, then swapped in */
static bool known;            /* a whole dump has been read */
static char *rbuf;
static size_t rbuf_len;

const struct netfacts *net_facts(void) { return &facts; }
bool net_known(void) { return known; }
bool net_unavailable(void) { return unavailable; }

/* Events were lost: the kernel drops every further notification until the
 * socket's queue is empty, so it is read empty (what is in it is stale
 * anyway) before the state is dumped again. */
static bool draining;

static int dump_request(enum net_dump what)
{
	if (what == DUMP_NONE) {
		dumping = DUMP_NONE;
		return 0;
	}
	static const uint16_t types[] = { [DUMP_LINK] = RTM_GETLINK, [DUMP_ADDR] = RTM_GETADDR,
					  [DUMP_ROUTE] = RTM_GETROUTE };
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = {
		.h = { .nlmsg_len = sizeof req, .nlmsg_type = types[what],
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = ++seq },
		.g = { .rtgen_family = AF_UNSPEC },
	};
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	if (sendto(nl, &req, sizeof req, 0, (struct sockaddr *)&to, sizeof to) < 0) {
		log_msg("warning: rtnetlink dump request: %m; network conditions may be stale "
			"until the next change");
		dumping = DUMP_NONE;
		return -1;
	}
	dumping = what;
	return 0;
}

void net_open(void)
{
	if (nl >= 0 || unavailable)
		return;
	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
			     RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE,
	};
	rbuf_len = 16384;
	rbuf = rbuf ? rbuf : malloc(rbuf_len);
	if (nl < 0 || !rbuf || bind(nl, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    loop_add(nl, EPOLLIN, LOOP_COND_NETLINK) < 0) {
		log_msg("warning: cannot open rtnetlink (%s): iface and route conditions stay false",
			strerror(errno));
		if (nl >= 0)
			close(nl);
		nl = -1;
		unavailable = true;
		return;
	}
	/* Room for a burst; refused without CAP_NET_ADMIN, then the default. */
	int sz = NET_RCVBUF;
	if (setsockopt(nl, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0 &&
	    setsockopt(nl, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz) < 0)
		log_debug("rtnetlink: cannot enlarge the receive buffer: %m");
	dump_request(DUMP_LINK);
}

void net_event(int fd)
{
	bool changed = false;
	for (int round = 0; round < NET_READS_PER_EVENT; round++) {
		ssize_t r = recv(fd, rbuf, rbuf_len, MSG_TRUNC | (draining ? MSG_DONTWAIT : 0));
		if (r < 0) {
			if (errno == EAGAIN) {
				if (draining) {
					/* Empty: nothing runs any more, not even an old dump. */
					draining = false;
					dumping = DUMP_NONE;
					netfacts_clear(&fresh);
					dump_request(DUMP_LINK);
				}
				break;
			}
			if (errno == ENOBUFS) {
				if (!draining)
					log_debug("rtnetlink: messages lost: reading the whole state again");
				draining = true;
			} else if (errno != EINTR) {
				log_debug("rtnetlink: recv: %m");
			}
			continue;
		}
		if ((size_t)r > rbuf_len) {
			/* Cut off: that datagram is lost; read the state again with room. */
			char *nb = realloc(rbuf, (size_t)r);
			if (nb) {
				rbuf = nb;
				rbuf_len = (size_t)r;
			}
			draining = true;
			continue;
		}
		if (draining)
			continue;
		bool done = false, ignored;
		int res = netfacts_apply(&facts, rbuf, (size_t)r, dumping != DUMP_NONE ? &ignored : &done);
		if (dumping != DUMP_NONE && netfacts_apply(&fresh, rbuf, (size_t)r, &done) < 0)
			res = -1;
		if (res < 0) {
			draining = true;
			continue;
		}
		changed |= res == NETFACTS_CHANGED && known;
		if (done && dumping == DUMP_ROUTE) {
			/* Complete: the fresh table is the truth. */
			struct netfacts t = facts;
			facts = fresh;
			fresh = t;
			netfacts_clear(&fresh);
			known = true;
			changed = true;
			dumping = DUMP_NONE;
		} else if (done && dumping != DUMP_NONE) {
			dump_request(dumping == DUMP_LINK ? DUMP_ADDR : DUMP_ROUTE);
		}
	}
	if (changed)
		cond_fact_changed();
}
