/* graph: resolves before/after/requires between services and orders them. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_GRAPH_H
#define KEEL_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include "diag.h"
#include "svc.h"

/*
 * Input: the services of one target (indices 0..n-1 into the caller's array).
 * Output: for every service, the services it must wait for, and one
 * deterministic topological order.
 *
 * Rules:
 *   - "A after X" and "X before A" both give the edge A waits-for X, for every
 *     service that X matches (svc_matches: instance, canonical name, provides).
 *     A name that matches nothing is ignored (DIAG_NOTE, as the model does).
 *   - "A requires X" gives the same ordering edge, marked hard. A requires
 *     that matches nothing is a DIAG_ERROR at A's file:line and A is skipped;
 *     so, transitively, is every service that requires a skipped one
 *     (DIAG_ERROR naming the chain's missing link).
 *   - A self-edge (A after A, also via provides or generic names) is dropped
 *     silently.
 *   - Cycles: while a cycle remains, one of its edges is dropped and reported
 *     as DIAG_ERROR at the file:line that declared it, naming the whole cycle
 *     ("dependency cycle: a -> b -> c -> a; ignoring \"c after a\"").
 *     The choice is deterministic: independent of the input order of the
 *     services (the cycle is found from the lowest-named service in it,
 *     following lowest-named successors, and its last edge is dropped).
 *   - order: a topological order of the non-skipped services; among services
 *     whose dependencies are all placed, the lowest instance name comes first.
 * Pure: no system calls besides memory allocation.
 */
struct graph_edge {
	size_t dep;    /* index of the service waited for */
	bool hard;     /* from `requires` */
};

/*
 * Barriers: a name matched by graph_barrier_min services or more is one
 * node n + j (never in order, never skipped) standing for all of them, so
 * that k dependents of m providers cost k + m edges, not k * m. A barrier's
 * deps are services, and so are its rdeps: a dep or rdep >= n is expanded
 * one level into that node's deps (or rdeps), and the hard mark is the one
 * of the edge to the barrier. Ordering, skips and order are exactly those
 * of the expanded graph; a graph with a cycle is built without barriers.
 */
struct graph_node {
	struct graph_edge *deps; /* sorted by dep, no duplicates (hard wins) */
	size_t ndeps;
	size_t *rdeps;  /* nodes that wait for this one (reverse edges), sorted */
	size_t nrdeps;
	bool skipped;   /* error: not started at all */
};

struct graph {
	size_t n;                 /* services: nodes 0 .. n-1 */
	size_t nbarriers;         /* barriers: nodes n .. n+nbarriers-1 */
	struct graph_node *nodes; /* n + nbarriers entries */
	size_t *order;            /* norder indices: non-skipped services */
	size_t norder;
	struct graph_edge *edges; /* every node's deps, one block */
	size_t *redges;           /* every node's rdeps, one block */
};

/* 0 on success, -1 on allocation failure (g is then empty and freeable). */
int graph_build(struct svc_def *const *svcs, size_t n, struct graph *g,
		struct diags *diags);

void graph_free(struct graph *g);

/* The services node i waits for (reverse: that wait for it), barriers
 * expanded: sorted by index, no duplicates, hard wins. *out is malloc'd
 * (NULL when none); the count, or -1 on allocation failure. */
ptrdiff_t graph_expand(const struct graph *g, size_t i, bool reverse, struct graph_edge **out);

/* A name matched by this many services or more gets a barrier (tests set
 * SIZE_MAX to compare with the expanded graph). */
extern size_t graph_barrier_min;

#endif
