/* sup_readycap: a ready fd carries one line — how much PID 1 reads before its newline, per fd, beside struct svc. */
/* SPDX-License-Identifier: MIT */
#include "sup_internal.h"

#include <stdlib.h>
#include <string.h>

/* Bytes read without a newline, per ready fd (kept here, not in struct
 * svc, which holds at 128 bytes for every service: few have a ready fd). */
static unsigned *junk;
static size_t junk_cap;

void ready_cap_reset(int fd)
{
	if (fd >= 0 && (size_t)fd < junk_cap)
		junk[fd] = 0;
}

bool ready_cap_exceeded(int fd, size_t n, unsigned *total)
{
	if ((size_t)fd >= junk_cap) {
		size_t ncap = junk_cap ? junk_cap : 64;
		while (ncap <= (size_t)fd)
			ncap *= 2;
		unsigned *nj = realloc(junk, ncap * sizeof *nj);
		if (!nj) {
			*total = (unsigned)n;
			return true; /* no room to count: read no more from it */
		}
		memset(nj + junk_cap, 0, (ncap - junk_cap) * sizeof *nj);
		junk = nj;
		junk_cap = ncap;
	}
	junk[fd] += (unsigned)n;
	*total = junk[fd];
	return junk[fd] > SUP_READY_JUNK_MAX;
}
