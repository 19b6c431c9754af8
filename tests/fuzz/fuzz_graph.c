/* fuzz_graph: builds the dependency graph of fuzzed service sets with barrier nodes and without, and checks both give the same result. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "svc.h"

/*
 * Input: service files separated by NUL bytes, each "NAME\nTEXT" (NAME its
 * instance, e.g. getty@tty1; at most 48 services). Every set is built with
 * a barrier for each name matched by 2 services or more, and with none:
 * the order, the skips, every service's expanded deps (hard marks too) and
 * the diagnostics must be the same. Memory safety besides.
 */
#define MAXSVC 48

struct built {
	struct graph g;
	struct diags d;
};

static void build(struct svc_def **v, size_t n, size_t bmin, struct built *b)
{
	graph_barrier_min = bmin;
	memset(b, 0, sizeof *b);
	if (graph_build(v, n, &b->g, &b->d) < 0)
		abort(); /* no allocation fails here */
}

static void same(const struct built *a, const struct built *b)
{
	if (a->g.norder != b->g.norder || a->d.n != b->d.n)
		abort();
	for (size_t k = 0; k < a->g.norder; k++)
		if (a->g.order[k] != b->g.order[k])
			abort();
	for (size_t i = 0; i < a->g.n; i++) {
		struct graph_edge *x, *y;
		ptrdiff_t nx = graph_expand(&a->g, i, false, &x), ny = graph_expand(&b->g, i, false, &y);
		if (nx < 0 || nx != ny || a->g.nodes[i].skipped != b->g.nodes[i].skipped ||
		    (nx && memcmp(x, y, (size_t)nx * sizeof *x) != 0))
			abort();
		free(x);
		free(y);
		nx = graph_expand(&a->g, i, true, &x);
		ny = graph_expand(&b->g, i, true, &y);
		if (nx != ny)
			abort();
		for (ptrdiff_t j = 0; j < nx; j++)
			if (x[j].dep != y[j].dep)
				abort();
		free(x);
		free(y);
	}
	for (size_t i = 0; i < a->d.n; i++)
		if (a->d.v[i].line != b->d.v[i].line || strcmp(a->d.v[i].msg, b->d.v[i].msg))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svc_def *v[MAXSVC];
	size_t n = 0;
	char *copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (char *p = copy; p < copy + size && n < MAXSVC;) {
		char *end = p + strlen(p), *nl = strchr(p, '\n');
		if (nl && nl < end && nl > p) {
			*nl = '\0';
			int dup = 0;
			for (size_t i = 0; i < n; i++)
				dup |= !strcmp(v[i]->instance, p);
			struct diags d = { 0 };
			struct svc_def *s = dup ? NULL : svc_parse(nl + 1, (size_t)(end - nl - 1), p, p, &d);
			diags_free(&d);
			if (s)
				v[n++] = s;
		}
		p = end + 1;
	}
	struct built with, without;
	build(v, n, 2, &with);
	build(v, n, SIZE_MAX, &without);
	same(&with, &without);
	graph_free(&with.g);
	graph_free(&without.g);
	diags_free(&with.d);
	diags_free(&without.d);
	for (size_t i = 0; i < n; i++)
		svc_def_free(v[i]);
	free(copy);
	return 0;
}
