/* fuzz_netfacts: any bytes as rtnetlink datagrams leave the fact table consistent, never a fault. */
/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netfacts.h"

/*
 * Input: records of a 2-byte little-endian length and that many bytes, each
 * one datagram (a length past the end takes the rest). Length 0 is a
 * netfacts_clear, as after a socket overflow. Each datagram is copied to a
 * buffer of its exact size so that a read past it is caught.
 */

static void check(const struct netfacts *nf)
{
	if (nf->nlinks > nf->caplinks || nf->naddrs > nf->capaddrs || nf->nroutes > nf->caproutes)
		abort();
	for (size_t i = 0; i < nf->nlinks; i++) {
		const struct nf_link *l = &nf->links[i];
		if (l->ifindex <= 0 || !memchr(l->name, '\0', sizeof l->name))
			abort();
		for (size_t j = i + 1; j < nf->nlinks; j++)
			if (nf->links[j].ifindex == l->ifindex)
				abort();
	}
	for (size_t i = 0; i < nf->naddrs; i++) {
		const struct nf_addr *a = &nf->addrs[i];
		if (a->ifindex <= 0 || (a->family != AF_INET && a->family != AF_INET6))
			abort();
		for (size_t j = i + 1; j < nf->naddrs; j++) {
			const struct nf_addr *b = &nf->addrs[j];
			if (a->ifindex == b->ifindex && a->family == b->family &&
			    a->prefixlen == b->prefixlen && !memcmp(a->addr, b->addr, sizeof a->addr))
				abort();
		}
	}
	for (size_t i = 0; i < nf->nroutes; i++) {
		const struct nf_route *r = &nf->routes[i];
		if (r->family != AF_INET && r->family != AF_INET6)
			abort();
		for (size_t j = i + 1; j < nf->nroutes; j++) {
			const struct nf_route *s = &nf->routes[j];
			if (r->family == s->family && r->table == s->table && r->oif == s->oif &&
			    r->priority == s->priority)
				abort();
		}
	}
}

static void query(const struct netfacts *nf)
{
	static const char *const patterns[] = { "eth0", "wlan*", "*", "[a-", "lo" };
	for (int st = NETFACTS_IF_EXISTS; st <= NETFACTS_IF_IPV6; st++) {
		for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++)
			(void)netfacts_iface(nf, patterns[i], (enum netfacts_ifstate)st);
		/* every name the table holds, taken as a pattern: it may hold glob characters */
		for (size_t i = 0; i < nf->nlinks && i < 8; i++)
			(void)netfacts_iface(nf, nf->links[i].name, (enum netfacts_ifstate)st);
	}
	bool any = netfacts_default_route(nf, 0);
	bool v4 = netfacts_default_route(nf, AF_INET);
	bool v6 = netfacts_default_route(nf, AF_INET6);
	if (any != (v4 || v6) || any != (nf->nroutes > 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netfacts nf = { 0 };
	bool done = false;
	while (size >= 2) {
		size_t n = (size_t)data[0] | (size_t)data[1] << 8;
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		if (n == 0) {
			netfacts_clear(&nf);
			continue;
		}
		uint8_t *dg = malloc(n);
		if (!dg)
			break;
		memcpy(dg, data, n);
		int r = netfacts_apply(&nf, dg, n, &done);
		free(dg);
		if (r != NETFACTS_NONE && r != NETFACTS_CHANGED && r != -1)
			abort();
		check(&nf);
		query(&nf);
		data += n;
		size -= n;
	}
	netfacts_free(&nf);
	return 0;
}
