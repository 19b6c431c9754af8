/* graph: turns after/before/requires into wait-for edges, breaks cycles, orders services. */
/* SPDX-License-Identifier: MIT */
#include "graph.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Everything inside works on ranks (a service's position in instance-name
 * order), never on the caller's indices: then every choice made here (which
 * declaration an edge keeps, which cycle edge is dropped, the order of
 * diagnostics and of the result) depends on names only, so a different
 * directory order cannot give a different boot. Indices come back only when
 * the result is written out.
 *
 * Edges live in one array sorted by (from, to): the forward adjacency of a
 * rank is a slice of it, sorted by target rank, which is exactly the "lowest
 * named successor first" walk the cycle rule asks for. Dropped edges and
 * edges touching skipped services are marked dead rather than removed.
 *
 * Barriers: a name matched by many services (a generic name, a shared
 * `provides`) gets one node standing for "all of them", so k dependents of
 * m providers cost k + m edges, not k * m. A barrier's rank comes after every
 * service's; it is never a service: it is not ordered, skipped or named.
 * "A after X" becomes A -> P(X) -> each provider; "A before X" becomes each
 * provider -> Q(X) -> A. A service that itself answers to X keeps direct
 * edges for that reference (else it would wait for itself through the
 * barrier). Barriers change no result: Kahn's sort passes through a barrier
 * the moment its last provider is placed, and a graph with a cycle is built
 * again without barriers, so cycles are found and reported between services
 * exactly as before (memory then grows with the edges again: a broken
 * configuration, said loudly at boot).
 */

#define GB_NONE SIZE_MAX

enum gb_kind { GB_REQUIRES, GB_AFTER, GB_BEFORE }; /* order = preference on duplicates */

/* GB_SKIP_TAINT: a barrier with a skipped member (hard dependents skip) */
enum gb_skip { GB_SKIP_NO, GB_SKIP_MISSING, GB_SKIP_CHAIN, GB_SKIP_TAINT };

/* Names matched by fewer services keep direct edges: a barrier node costs
 * more than the few edges it would save. */
size_t graph_barrier_min = 4;

struct gb_key {
	const char *key;
	size_t rank;
};

struct gb_edge {
	size_t from, to;           /* ranks: `from` waits for `to` */
	size_t decl;               /* rank of the service whose file declared it */
	const struct svc_ref *ref; /* the declaring line */
	enum gb_kind kind;
	bool dead;
};

/* A slice of `members` still to be examined for cycles. */
struct gb_work {
	size_t lo, hi, cid;
	bool is_scc; /* strongly connected: break cycles through its lowest member */
};

struct gb {
	struct svc_def *const *svcs;
	size_t n;
	struct diags *diags;
	size_t bmin;  /* barrier for names matched by at least this many */
	bool quiet;   /* second build after a cycle: its other notes were said */
	size_t nb, maxb; /* barriers made, and room for them: ranks n .. n+maxb */
	size_t *kbar;    /* 2 * nkeys: P then Q barrier of the group starting at k */

	size_t *perm; /* rank -> caller index */
	struct gb_key *keys;
	size_t nkeys;

	struct gb_edge *e;
	size_t ne, cap;
	size_t *off;   /* n+1: edges of rank r are e[off[r] .. off[r+1]) */
	size_t *roff;  /* n+1: reverse slices into redge */
	size_t *redge; /* edge indices grouped by target, by source within */
	unsigned char *skip;

	/* cycle breaking and ordering scratch, n entries each */
	size_t *comp, *members, *tmp, *bounds, *idx, *low, *tstack, *cstack,
		*pos, *seen;
	bool *onstk;
	struct gb_work *work;
	size_t nwork;
	void *scratch;  /* the block holding the arrays every build needs */
	void *cscratch; /* the cycle search's */
};

static const struct svc_def *gb_svc(const struct gb *b, size_t rank)
{
	return b->svcs[b->perm[rank]];
}

static const char *gb_name(const struct gb *b, size_t rank)
{
	return gb_svc(b, rank)->instance;
}

struct gb_sortname {
	const char *name;
	size_t idx;
};

static int gb_cmp_sortname(const void *pa, const void *pb)
{
	const struct gb_sortname *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

static int gb_cmp_key(const void *pa, const void *pb)
{
	const struct gb_key *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	if (c)
		return c;
	return (a->rank > b->rank) - (a->rank < b->rank);
}

static int gb_cmp_edge(const void *pa, const void *pb)
{
	const struct gb_edge *a = pa, *b = pb;

	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	if (a->to != b->to)
		return a->to < b->to ? -1 : 1;
	/* duplicates: the one kept is the first, so hard wins, then the
	 * declaration in the waiting service's own file, then the earliest line */
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->ref->line != b->ref->line)
		return a->ref->line < b->ref->line ? -1 : 1;
	return strcmp(a->ref->name, b->ref->name);
}

static int gb_cmp_size(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return (a > b) - (a < b);
}

/* Ranks: the caller's order must not matter, so sort by instance name. */
static int gb_rank_services(struct gb *b)
{
	struct gb_sortname *s = malloc(b->n * sizeof(*s));

	if (!s)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		s[i].name = b->svcs[i]->instance;
		s[i].idx = i;
	}
	qsort(s, b->n, sizeof(*s), gb_cmp_sortname);
	for (size_t r = 0; r < b->n; r++)
		b->perm[r] = s[r].idx;
	free(s);
	return 0;
}

/* One sorted table of every name a service answers to (the svc_matches
 * rule), so resolving a reference is a binary search, not a scan of all. */
static int gb_index_names(struct gb *b)
{
	size_t cap = 0, k = 0;

	for (size_t r = 0; r < b->n; r++)
		cap += 2 + gb_svc(b, r)->provides.n;
	b->keys = malloc((cap ? cap : 1) * sizeof(*b->keys));
	if (!b->keys)
		return -1;
	for (size_t r = 0; r < b->n; r++) {
		const struct svc_def *s = gb_svc(b, r);

		if (s->instance)
			b->keys[k++] = (struct gb_key){ s->instance, r };
		if (s->name)
			b->keys[k++] = (struct gb_key){ s->name, r };
		for (size_t p = 0; p < s->provides.n; p++)
			if (s->provides.v[p].name)
				b->keys[k++] = (struct gb_key){ s->provides.v[p].name, r };
	}
	qsort(b->keys, k, sizeof(*b->keys), gb_cmp_key);
	/* "foo" is both instance and canonical name of foo: one entry */
	size_t w = 0;
	for (size_t i = 0; i < k; i++)
		if (!w || gb_cmp_key(&b->keys[w - 1], &b->keys[i]))
			b->keys[w++] = b->keys[i];
	b->nkeys = w;
	return 0;
}

/* The keys matching `name` are keys[*lo .. *hi), sorted by rank. */
static void gb_lookup(const struct gb *b, const char *name, size_t *lo, size_t *hi)
{
	size_t l = 0, h = b->nkeys;

	while (l < h) {
		size_t m = l + (h - l) / 2;

		if (strcmp(b->keys[m].key, name) < 0)
			l = m + 1;
		else
			h = m;
	}
	*lo = l;
	while (l < b->nkeys && !strcmp(b->keys[l].key, name))
		l++;
	*hi = l;
}

/* Is rank r among keys[lo .. hi) (sorted by rank)? */
static bool gb_group_has(const struct gb *b, size_t lo, size_t hi, size_t r)
{
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (b->keys[m].rank == r)
			return true;
		if (b->keys[m].rank < r)
			lo = m + 1;
		else
			hi = m;
	}
	return false;
}

static int gb_push_edge(struct gb *b, size_t from, size_t to, size_t decl,
			const struct svc_ref *ref, enum gb_kind kind)
{
	if (from == to)
		return 0; /* self edges, also via generic names or provides */
	if (b->ne == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		struct gb_edge *e = realloc(b->e, cap * sizeof(*e));

		if (!e)
			return -1;
		b->e = e;
		b->cap = cap;
	}
	b->e[b->ne++] = (struct gb_edge){ from, to, decl, ref, kind, false };
	return 0;
}

/* The barrier for keys[lo .. hi): made with its members' edges on first use. */
static int gb_barrier(struct gb *b, size_t lo, size_t hi, bool before, size_t r,
		      const struct svc_ref *ref, size_t *bar)
{
	size_t *slot = &b->kbar[(before ? b->nkeys : 0) + lo];

	if (*slot == GB_NONE) {
		*slot = b->n + b->nb++;
		for (size_t k = lo; k < hi; k++) {
			size_t t = b->keys[k].rank;
			int rc = before ? gb_push_edge(b, t, *slot, r, ref, GB_BEFORE)
					: gb_push_edge(b, *slot, t, r, ref, GB_AFTER);
			if (rc)
				return -1;
		}
	}
	*bar = *slot;
	return 0;
}

static const char *gb_kind_word(enum gb_kind k)
{
	return k == GB_REQUIRES ? "requires" : k == GB_AFTER ? "after" : "before";
}

/* Edges declared by one list of service `r`; unmatched names are reported. */
static int gb_collect_refs(struct gb *b, size_t r, const struct svc_refs *refs,
			   enum gb_kind kind)
{
	const struct svc_def *s = gb_svc(b, r);

	for (size_t i = 0; i < refs->n; i++) {
		const struct svc_ref *ref = &refs->v[i];
		size_t lo, hi;

		gb_lookup(b, ref->name, &lo, &hi);
		if (lo == hi) {
			if (kind == GB_REQUIRES)
				b->skip[r] = GB_SKIP_MISSING;
			if (b->quiet)
				continue;
			if (kind == GB_REQUIRES)
				diag_add(b->diags, DIAG_ERROR, s->file, ref->line,
					 "requires \"%s\": no such service", ref->name);
			else
				diag_add(b->diags, DIAG_NOTE, s->file, ref->line,
					 "%s \"%s\": no such service (ignored)",
					 gb_kind_word(kind), ref->name);
			continue;
		}
		if (hi - lo >= b->bmin && !gb_group_has(b, lo, hi, r)) {
			size_t bar;

			if (gb_barrier(b, lo, hi, kind == GB_BEFORE, r, ref, &bar))
				return -1;
			if (kind == GB_BEFORE ? gb_push_edge(b, bar, r, r, ref, kind)
					      : gb_push_edge(b, r, bar, r, ref, kind))
				return -1;
			continue;
		}
		for (size_t k = lo; k < hi; k++) {
			size_t t = b->keys[k].rank;
			int rc = kind == GB_BEFORE ? gb_push_edge(b, t, r, r, ref, kind)
						   : gb_push_edge(b, r, t, r, ref, kind);
			if (rc)
				return -1;
		}
	}
	return 0;
}

static int gb_collect_edges(struct gb *b)
{
	for (size_t r = 0; r < b->n; r++) {
		const struct svc_def *s = gb_svc(b, r);

		if (gb_collect_refs(b, r, &s->after, GB_AFTER) ||
		    gb_collect_refs(b, r, &s->before, GB_BEFORE) ||
		    gb_collect_refs(b, r, &s->requires, GB_REQUIRES))
			return -1;
	}
	return 0;
}

/* Sort, drop duplicates, and build forward and reverse slices. */
static int gb_index_edges(struct gb *b)
{
	if (b->ne)
		qsort(b->e, b->ne, sizeof(*b->e), gb_cmp_edge);
	size_t w = 0;
	for (size_t i = 0; i < b->ne; i++)
		if (!w || b->e[w - 1].from != b->e[i].from || b->e[w - 1].to != b->e[i].to)
			b->e[w++] = b->e[i];
	b->ne = w;

	b->redge = malloc((b->ne ? b->ne : 1) * sizeof(*b->redge));
	if (!b->redge)
		return -1;
	for (size_t i = 0; i < b->ne; i++) {
		b->off[b->e[i].from + 1]++;
		b->roff[b->e[i].to + 1]++;
	}
	for (size_t r = 0; r < b->n + b->nb; r++) {
		b->off[r + 1] += b->off[r];
		b->roff[r + 1] += b->roff[r];
	}
	/* counting sort, stable: each reverse slice stays sorted by source */
	for (size_t r = 0; r < b->n + b->nb; r++)
		b->pos[r] = b->roff[r];
	for (size_t i = 0; i < b->ne; i++)
		b->redge[b->pos[b->e[i].to]++] = i;
	return 0;
}

/* A skipped service (a tainted barrier is still passed through). */
static bool gb_gone(const struct gb *b, size_t r)
{
	return r < b->n && b->skip[r];
}

/* Does a `requires` name of r point at a skipped service? */
static bool gb_ref_hits_skipped(const struct gb *b, size_t r, const char *name)
{
	size_t lo, hi;

	gb_lookup(b, name, &lo, &hi);
	for (size_t k = lo; k < hi; k++)
		if (b->keys[k].rank != r && b->skip[b->keys[k].rank])
			return true;
	return false;
}

/* A service that requires a skipped one cannot work either. */
static void gb_propagate_skips(struct gb *b)
{
	size_t *queue = b->tstack, head = 0, tail = 0;

	for (size_t r = 0; r < b->n; r++)
		if (b->skip[r])
			queue[tail++] = r;
	while (head < tail) {
		size_t t = queue[head++];

		for (size_t j = b->roff[t]; j < b->roff[t + 1]; j++) {
			const struct gb_edge *e = &b->e[b->redge[j]];

			if (b->skip[e->from])
				continue;
			/* a barrier passes the loss on to its hard dependents */
			if (e->from >= b->n)
				b->skip[e->from] = GB_SKIP_TAINT;
			else if (e->kind == GB_REQUIRES)
				b->skip[e->from] = GB_SKIP_CHAIN;
			else
				continue;
			queue[tail++] = e->from;
		}
	}
	for (size_t r = 0; r < b->n; r++) {
		const struct svc_def *s = gb_svc(b, r);

		if (b->skip[r] != GB_SKIP_CHAIN || b->quiet)
			continue;
		for (size_t i = 0; i < s->requires.n; i++) {
			const struct svc_ref *ref = &s->requires.v[i];

			if (gb_ref_hits_skipped(b, r, ref->name))
				diag_add(b->diags, DIAG_ERROR, s->file, ref->line,
					 "requires \"%s\", which is skipped", ref->name);
		}
	}
	for (size_t i = 0; i < b->ne; i++)
		if (gb_gone(b, b->e[i].from) || gb_gone(b, b->e[i].to))
			b->e[i].dead = true;
}

static bool gb_edge_in(const struct gb *b, size_t ei, size_t cid)
{
	return !b->e[ei].dead && b->comp[b->e[ei].to] == cid;
}

static void gb_tarjan_visit(struct gb *b, size_t v, size_t *counter, size_t *nt,
			    size_t *nc)
{
	b->idx[v] = b->low[v] = (*counter)++;
	b->pos[v] = b->off[v];
	b->tstack[(*nt)++] = v;
	b->onstk[v] = true;
	b->cstack[(*nc)++] = v;
}

/*
 * Split members[lo..hi) (the nodes with comp == cid) into strongly connected
 * components, rewriting the slice so each component is contiguous, and queue
 * those that still hold a cycle. Iterative: a long chain must not overflow
 * PID 1's stack.
 */
static void gb_split(struct gb *b, size_t lo, size_t hi, size_t cid, size_t *next_cid)
{
	size_t counter = 0, nt = 0, nc = 0, nout = 0, nb = 0;

	for (size_t i = lo; i < hi; i++)
		b->idx[b->members[i]] = GB_NONE;
	for (size_t i = lo; i < hi; i++) {
		if (b->idx[b->members[i]] != GB_NONE)
			continue;
		gb_tarjan_visit(b, b->members[i], &counter, &nt, &nc);
		while (nc) {
			size_t u = b->cstack[nc - 1];

			if (b->pos[u] < b->off[u + 1]) {
				size_t ei = b->pos[u]++, v = b->e[ei].to;

				if (!gb_edge_in(b, ei, cid))
					continue;
				if (b->idx[v] == GB_NONE)
					gb_tarjan_visit(b, v, &counter, &nt, &nc);
				else if (b->onstk[v] && b->idx[v] < b->low[u])
					b->low[u] = b->idx[v];
				continue;
			}
			nc--;
			if (nc && b->low[u] < b->low[b->cstack[nc - 1]])
				b->low[b->cstack[nc - 1]] = b->low[u];
			if (b->low[u] != b->idx[u])
				continue;
			size_t w;
			do {
				w = b->tstack[--nt];
				b->onstk[w] = false;
				b->tmp[nout++] = w;
			} while (w != u);
			b->bounds[nb++] = nout;
		}
	}
	memcpy(b->members + lo, b->tmp, (hi - lo) * sizeof(*b->tmp));
	/* components get their ids only now, so the walk above saw one set */
	for (size_t k = 0, start = 0; k < nb; start = b->bounds[k++]) {
		size_t end = b->bounds[k], id = end - start > 1 ? (*next_cid)++ : GB_NONE;

		for (size_t i = start; i < end; i++)
			b->comp[b->members[lo + i]] = id;
		if (id != GB_NONE)
			b->work[b->nwork++] = (struct gb_work){ lo + start, lo + end, id, true };
	}
}

/* Append text to a growing message; -1 on allocation failure. */
static int gb_str_add(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t l = strlen(s);

	if (*len + l + 1 > *cap) {
		size_t cap2 = (*len + l + 1) * 2;
		char *p = realloc(*buf, cap2);

		if (!p)
			return -1;
		*buf = p;
		*cap = cap2;
	}
	memcpy(*buf + *len, s, l + 1);
	*len += l;
	return 0;
}

/* Longer cycles show their two ends only: a message has to fit a console
 * line and a status reply, and a random tangle can close paths of thousands. */
#define GB_CYCLE_SHOWN 32

static int gb_report_cycle(struct gb *b, size_t pathlen, size_t ei)
{
	const struct gb_edge *e = &b->e[ei];
	const struct svc_def *decl = gb_svc(b, e->decl);
	size_t head = pathlen > GB_CYCLE_SHOWN ? GB_CYCLE_SHOWN / 2 : pathlen;
	size_t tail = pathlen - (pathlen > GB_CYCLE_SHOWN ? GB_CYCLE_SHOWN / 2 - 1 : 0);
	char *msg = NULL, more[48];
	size_t len = 0, cap = 0;
	int rc = gb_str_add(&msg, &len, &cap, "dependency cycle: ");

	for (size_t i = 0; !rc && i < pathlen; i++) {
		if (i == head && i < tail) {
			snprintf(more, sizeof(more), "... (%zu more) -> ", tail - head);
			rc = gb_str_add(&msg, &len, &cap, more);
			i = tail - 1;
			continue;
		}
		rc = gb_str_add(&msg, &len, &cap, gb_name(b, b->cstack[i]));
		rc = rc ? rc : gb_str_add(&msg, &len, &cap, " -> ");
	}
	rc = rc ? rc : gb_str_add(&msg, &len, &cap, gb_name(b, e->to));
	rc = rc ? rc : gb_str_add(&msg, &len, &cap, "; ignoring \"");
	rc = rc ? rc : gb_str_add(&msg, &len, &cap, gb_name(b, e->from));
	rc = rc ? rc : gb_str_add(&msg, &len, &cap,
				  e->kind == GB_REQUIRES ? " requires " : " after ");
	rc = rc ? rc : gb_str_add(&msg, &len, &cap, gb_name(b, e->to));
	rc = rc ? rc : gb_str_add(&msg, &len, &cap, "\"");
	if (!rc)
		diag_add(b->diags, DIAG_ERROR, decl->file, e->ref->line, "%s", msg);
	free(msg);
	return rc;
}

/*
 * members[lo..hi) is strongly connected. From its lowest-ranked node r, a
 * depth-first walk taking the lowest-ranked successor first finds the first
 * path back to r; that closing edge is dropped. A fresh walk after the drop
 * would retrace the same steps up to the dropped edge (it was the last one
 * looked at), so the walk simply goes on: one pass removes every cycle
 * through r, each edge looked at once. Then the rest is split again.
 */
static int gb_break_cycles_at_min(struct gb *b, const struct gb_work *w, size_t *stamp)
{
	size_t r = b->members[w->lo], nc = 0;

	for (size_t i = w->lo + 1; i < w->hi; i++)
		if (b->members[i] < r)
			r = b->members[i];
	(*stamp)++;
	b->seen[r] = *stamp;
	b->pos[r] = b->off[r];
	b->cstack[nc++] = r;
	while (nc) {
		size_t u = b->cstack[nc - 1];

		if (b->pos[u] == b->off[u + 1]) {
			nc--;
			continue;
		}
		size_t ei = b->pos[u]++, v = b->e[ei].to;

		if (!gb_edge_in(b, ei, w->cid))
			continue;
		if (v == r) {
			if (gb_report_cycle(b, nc, ei))
				return -1;
			b->e[ei].dead = true;
		} else if (b->seen[v] != *stamp) {
			b->seen[v] = *stamp;
			b->pos[v] = b->off[v];
			b->cstack[nc++] = v;
		}
	}
	b->work[b->nwork++] = (struct gb_work){ w->lo, w->hi, w->cid, false };
	return 0;
}

static int gb_break_cycles(struct gb *b)
{
	size_t nlive = 0, next_cid = 1, stamp = 0;

	for (size_t r = 0; r < b->n; r++) {
		b->comp[r] = b->skip[r] ? GB_NONE : 0;
		if (!b->skip[r])
			b->members[nlive++] = r;
	}
	b->work[b->nwork++] = (struct gb_work){ 0, nlive, 0, false };
	while (b->nwork) {
		struct gb_work w = b->work[--b->nwork];

		if (!w.is_scc)
			gb_split(b, w.lo, w.hi, w.cid, &next_cid);
		else if (gb_break_cycles_at_min(b, &w, &stamp))
			return -1;
	}
	return 0;
}

static void gb_heap_push(size_t *h, size_t *n, size_t v)
{
	size_t i = (*n)++;

	while (i && h[(i - 1) / 2] > v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

static size_t gb_heap_pop(size_t *h, size_t *n)
{
	size_t top = h[0], v = h[--(*n)], i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (h[c] >= v)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = v;
	return top;
}

/* t is placed: what waited for it last becomes ready. A barrier is passed
 * through at once, so its dependents become ready at the very moment they
 * would with direct edges (a barrier waits for services only: no deeper). */
static void gb_release(struct gb *b, size_t t, size_t *heap, size_t *nheap)
{
	for (size_t j = b->roff[t]; j < b->roff[t + 1]; j++) {
		const struct gb_edge *e = &b->e[b->redge[j]];

		if (e->dead || --b->idx[e->from])
			continue;
		if (e->from >= b->n)
			gb_release(b, e->from, heap, nheap);
		else
			gb_heap_push(heap, nheap, e->from);
	}
}

/* Kahn's algorithm; lowest rank (instance name) first among the ready. */
static int gb_sort(struct gb *b, struct graph *g)
{
	size_t *waiting = b->idx, *heap = b->cstack, nheap = 0, nall = b->n + b->nb;

	g->order = malloc((b->n ? b->n : 1) * sizeof(*g->order));
	if (!g->order)
		return -1;
	for (size_t r = 0; r < nall; r++) {
		waiting[r] = 0;
		for (size_t i = b->off[r]; i < b->off[r + 1]; i++)
			waiting[r] += !b->e[i].dead;
		if (r < b->n && !b->skip[r] && !waiting[r])
			gb_heap_push(heap, &nheap, r);
	}
	for (size_t r = b->n; r < nall; r++)
		if (!waiting[r])
			gb_release(b, r, heap, &nheap);
	while (nheap) {
		size_t t = gb_heap_pop(heap, &nheap);

		g->order[g->norder++] = b->perm[t];
		gb_release(b, t, heap, &nheap);
	}
	return 0;
}

static int gb_cmp_dep(const void *pa, const void *pb)
{
	const struct graph_edge *a = pa, *b = pb;

	return (a->dep > b->dep) - (a->dep < b->dep);
}

/* Back to the caller's indices. Every node's edges live in two blocks for
 * the whole graph (forward and reverse): one allocation each rather than
 * two per service, which with a hundred edges a node were a page each. */
static size_t gb_out(const struct gb *b, size_t r)
{
	return r < b->n ? b->perm[r] : r;
}

static int gb_write_nodes(struct gb *b, struct graph *g)
{
	size_t live = 0; /* each live edge is one dep and one rdep */

	g->nbarriers = b->nb;
	g->nodes = calloc(b->n + b->nb, sizeof(*g->nodes));
	if (!g->nodes)
		return -1;
	for (size_t i = 0; i < b->ne; i++)
		live += !b->e[i].dead;
	if (live) {
		g->edges = malloc(live * sizeof(*g->edges));
		g->redges = malloc(live * sizeof(*g->redges));
		if (!g->edges || !g->redges)
			return -1;
	}
	struct graph_edge *ep = g->edges;
	size_t *rp = g->redges;

	for (size_t r = 0; r < b->n + b->nb; r++) {
		struct graph_node *nd = &g->nodes[gb_out(b, r)];

		nd->skipped = gb_gone(b, r);
		nd->deps = ep;
		for (size_t i = b->off[r]; i < b->off[r + 1]; i++)
			if (!b->e[i].dead)
				nd->deps[nd->ndeps++] = (struct graph_edge){
					gb_out(b, b->e[i].to), b->e[i].kind == GB_REQUIRES
				};
		ep += nd->ndeps;
		nd->rdeps = rp;
		for (size_t j = b->roff[r]; j < b->roff[r + 1]; j++)
			if (!b->e[b->redge[j]].dead)
				nd->rdeps[nd->nrdeps++] = gb_out(b, b->e[b->redge[j]].from);
		rp += nd->nrdeps;
		/* counts checked: qsort's pointer must not be NULL even for 0 */
		if (nd->ndeps > 1)
			qsort(nd->deps, nd->ndeps, sizeof(*nd->deps), gb_cmp_dep);
		if (nd->nrdeps > 1)
			qsort(nd->rdeps, nd->nrdeps, sizeof(*nd->rdeps), gb_cmp_size);
		if (!nd->ndeps)
			nd->deps = NULL;
		if (!nd->nrdeps)
			nd->rdeps = NULL;
	}
	return 0;
}

/* Carves count arrays of n size_t, then n bools, from one zeroed block. */
static void *gb_block(size_t n, size_t ***arrays, size_t count, bool **flags)
{
	char *m = calloc(1, count * n * sizeof(size_t) + (flags ? n : 0));

	if (!m)
		return NULL;
	for (size_t i = 0; i < count; i++)
		*arrays[i] = (size_t *)(void *)(m + i * n * sizeof(size_t));
	if (flags)
		*flags = (bool *)(m + count * n * sizeof(size_t));
	return m;
}

/* The arrays every build needs live in one block: one allocation (and,
 * for a few hundred services, one mapping) per build. Those of the cycle
 * search come only when a cycle is there (gb_alloc_cycles): under a
 * memory cap, a graph without cycles fits in half the memory. */
static int gb_alloc(struct gb *b)
{
	size_t n = b->n + b->maxb;
	/* off and roff have n + 1 entries; skip holds bytes: each one array */
	size_t **arrays[] = { &b->idx, &b->tstack, &b->cstack, &b->pos, &b->off, &b->roff };
	size_t na = sizeof(arrays) / sizeof(arrays[0]);

	b->scratch = gb_block(n + 1, arrays, na, NULL);
	b->skip = calloc(n, 1);
	return b->scratch && b->skip ? 0 : -1;
}

static int gb_alloc_cycles(struct gb *b)
{
	size_t n = b->n + b->maxb;
	size_t **arrays[] = { &b->comp, &b->members, &b->tmp, &b->bounds, &b->low, &b->seen };

	b->work = calloc(n + 1, sizeof(*b->work));
	b->cscratch = gb_block(n, arrays, sizeof(arrays) / sizeof(arrays[0]), &b->onstk);
	return b->work && b->cscratch ? 0 : -1;
}

/* Room for a P and a Q barrier per name matched by bmin services or more. */
static int gb_alloc_barriers(struct gb *b)
{
	b->kbar = malloc(2 * (b->nkeys ? b->nkeys : 1) * sizeof(*b->kbar));
	if (!b->kbar)
		return -1;
	for (size_t k = 0; k < 2 * b->nkeys; k++)
		b->kbar[k] = GB_NONE;
	for (size_t lo = 0, hi; lo < b->nkeys; lo = hi) {
		for (hi = lo + 1; hi < b->nkeys && !strcmp(b->keys[hi].key, b->keys[lo].key); hi++)
			;
		if (hi - lo >= b->bmin)
			b->maxb += 2;
	}
	return 0;
}

static void gb_free(struct gb *b)
{
	free(b->perm);
	free(b->kbar);
	free(b->keys);
	free(b->e);
	free(b->redge);
	free(b->scratch);
	free(b->cscratch);
	free(b->work);
	free(b->skip);
}

/* 0 built, -1 out of memory, 1 a cycle through barriers (build again without). */
static int gb_build(struct svc_def *const *svcs, size_t n, struct graph *g,
		    struct diags *diags, size_t bmin, bool quiet)
{
	struct gb b = { .svcs = svcs, .n = n, .diags = diags, .bmin = bmin, .quiet = quiet };
	int rc = -1;

	*g = (struct graph){ .n = n };
	if (!n)
		return 0;
	b.perm = malloc(n * sizeof(*b.perm));
	if (!b.perm || gb_rank_services(&b) || gb_index_names(&b) || gb_alloc_barriers(&b) ||
	    gb_alloc(&b) || gb_collect_edges(&b) || gb_index_edges(&b))
		goto out;
	gb_propagate_skips(&b);
	/* Most graphs have no cycle: then Kahn's sort orders every service
	 * not skipped, and the cycle search is not run at all (it changes
	 * nothing in an acyclic graph, and it is the largest code here: on
	 * an emulated CPU its first run alone is measurable at boot). */
	if (gb_sort(&b, g))
		goto out;
	size_t live = 0;
	for (size_t r = 0; r < n; r++)
		live += !b.skip[r];
	if (g->norder < live && b.nb) {
		rc = 1;
		goto out;
	}
	if (g->norder < live) {
		free(g->order);
		g->order = NULL;
		g->norder = 0;
		if (gb_alloc_cycles(&b) || gb_break_cycles(&b) || gb_sort(&b, g))
			goto out;
	}
	if (gb_write_nodes(&b, g))
		goto out;
	rc = 0;
out:
	gb_free(&b);
	if (rc)
		graph_free(g);
	return rc;
}

int graph_build(struct svc_def *const *svcs, size_t n, struct graph *g,
		struct diags *diags)
{
	int rc = gb_build(svcs, n, g, diags, graph_barrier_min, false);

	if (rc == 1)
		rc = gb_build(svcs, n, g, diags, SIZE_MAX, true);
	return rc;
}

void graph_free(struct graph *g)
{
	free(g->edges);
	free(g->redges);
	free(g->nodes);
	free(g->order);
	*g = (struct graph){ 0 };
}
