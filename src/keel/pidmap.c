/* pidmap: finds the service a reaped pid belongs to, in constant time. */
/* SPDX-License-Identifier: MIT */
#include "pidmap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* Open addressing with linear probing and backward-shift deletion, so no
 * tombstones build up over months of respawns. Kept at most half full. */
struct slot {
	pid_t pid; /* 0 = empty */
	struct svc *s;
};

static struct slot *tab;
static size_t cap, used; /* cap is 0 or a power of two */

static size_t slot_of(pid_t pid)
{
	return ((uint32_t)pid * 2654435761u) & (cap - 1);
}

static int pidmap_grow(void)
{
	size_t ncap = cap ? cap * 2 : 64;
	struct slot *n = calloc(ncap, sizeof *n);
	if (!n)
		return -1;
	struct slot *old = tab;
	size_t ocap = cap;
	tab = n;
	cap = ncap;
	for (size_t i = 0; i < ocap; i++) {
		if (!old[i].pid)
			continue;
		size_t j = slot_of(old[i].pid);
		while (tab[j].pid)
			j = (j + 1) & (cap - 1);
		tab[j] = old[i];
	}
	free(old);
	return 0;
}

int pidmap_put(pid_t pid, struct svc *s)
{
	if ((used + 1) * 2 > cap && pidmap_grow() < 0)
		return -1;
	size_t j = slot_of(pid);
	while (tab[j].pid && tab[j].pid != pid)
		j = (j + 1) & (cap - 1);
	if (!tab[j].pid)
		used++;
	tab[j].pid = pid;
	tab[j].s = s;
	return 0;
}

struct svc *pidmap_get(pid_t pid)
{
	if (!cap)
		return NULL;
	for (size_t j = slot_of(pid); tab[j].pid; j = (j + 1) & (cap - 1))
		if (tab[j].pid == pid)
			return tab[j].s;
	return NULL;
}

void pidmap_del(pid_t pid)
{
	if (!cap)
		return;
	size_t j = slot_of(pid);
	while (tab[j].pid && tab[j].pid != pid)
		j = (j + 1) & (cap - 1);
	if (!tab[j].pid)
		return;
	tab[j].pid = 0;
	used--;
	/* Shift back later entries of the same run that now sit past a hole. */
	size_t hole = j;
	for (size_t k = (j + 1) & (cap - 1); tab[k].pid; k = (k + 1) & (cap - 1)) {
		size_t home = slot_of(tab[k].pid);
		bool movable = hole <= k ? (home <= hole || home > k) : (home <= hole && home > k);
		if (movable) {
			tab[hole] = tab[k];
			tab[k].pid = 0;
			hole = k;
		}
	}
}
