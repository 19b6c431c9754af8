/* graph_expand: a service's edges as the graph's users see them at run time — barrier nodes expanded. */
/* SPDX-License-Identifier: MIT */
#include "graph.h"

#include <stdlib.h>

/*
 * Not in graph.c: that is boot-only code (built at load, its pages let go
 * of after boot, src/keel/trim.c), while this runs for every `status`.
 */

static int cmp_hard_first(const void *pa, const void *pb)
{
	const struct graph_edge *a = pa, *b = pb;

	if (a->dep != b->dep)
		return a->dep < b->dep ? -1 : 1;
	return (int)b->hard - (int)a->hard;
}

ptrdiff_t graph_expand(const struct graph *g, size_t i, bool reverse, struct graph_edge **out)
{
	const struct graph_node *nd = &g->nodes[i];
	size_t nx = reverse ? nd->nrdeps : nd->ndeps, cap = 0, k = 0;

	*out = NULL;
	for (size_t j = 0; j < nx; j++) {
		size_t d = reverse ? nd->rdeps[j] : nd->deps[j].dep;

		cap += d < g->n ? 1 : reverse ? g->nodes[d].nrdeps : g->nodes[d].ndeps;
	}
	if (!cap)
		return 0;
	struct graph_edge *v = malloc(cap * sizeof(*v));
	if (!v)
		return -1;
	for (size_t j = 0; j < nx; j++) {
		size_t d = reverse ? nd->rdeps[j] : nd->deps[j].dep;
		bool hard = !reverse && nd->deps[j].hard;

		if (d < g->n) {
			v[k++] = (struct graph_edge){ d, hard };
			continue;
		}
		const struct graph_node *bn = &g->nodes[d];
		for (size_t m = 0; m < (reverse ? bn->nrdeps : bn->ndeps); m++)
			v[k++] = (struct graph_edge){ reverse ? bn->rdeps[m] : bn->deps[m].dep, hard };
	}
	qsort(v, k, sizeof(*v), cmp_hard_first);
	size_t w = 0;
	for (size_t j = 0; j < k; j++)
		if (!w || v[w - 1].dep != v[j].dep)
			v[w++] = v[j];
	*out = v;
	return (ptrdiff_t)w;
}

