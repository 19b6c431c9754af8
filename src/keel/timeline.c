/* timeline: when each service was wanted, started, ready, stopped and exited — 20 bytes beside struct svc. */
/* SPDX-License-Identifier: MIT */
#include "timeline.h"
#include "sup_internal.h"
#include "cond.h"

#include <stdlib.h>

#include "conditions.h"
#include "log.h"

_Static_assert(sizeof(struct svc) <= 128, "struct svc grew: keep it at 128 bytes");

static uint32_t (*tab)[TL_COUNT];
static uint32_t ntab, captab;
static uint32_t free_head; /* a free entry's index + 1, chained through [0] */
static uint64_t keel_start_ms;

uint64_t timeline_keel_start(void) { return keel_start_ms; }
void timeline_set_keel_start(uint64_t ms) { keel_start_ms = ms; }

static uint32_t *entry(const struct svc *s)
{
	return s->tix && s->tix <= ntab ? tab[s->tix - 1] : NULL;
}

/* The entry of s, taken at its first state change; NULL when out of memory
 * (its stamps are then missing, nothing else). */
static uint32_t *entry_take(struct svc *s)
{
	uint32_t *e = entry(s);
	if (e)
		return e;
	uint32_t ix;
	if (free_head) {
		ix = free_head - 1;
		free_head = tab[ix][0];
	} else {
		if (ntab == captab) {
			/* One block for every service at boot; doubling after
			 * (PID 1's allocator keeps outgrown blocks). */
			uint32_t cap = captab ? captab * 2 : 64;
			if (cap < sup_count())
				cap = (uint32_t)sup_count();
			void *p = realloc(tab, (size_t)cap * sizeof *tab);
			if (!p)
				return NULL;
			tab = p;
			captab = cap;
		}
		ix = ntab++;
	}
	for (int k = 0; k < TL_COUNT; k++)
		tab[ix][k] = 0;
	s->tix = ix + 1;
	return tab[ix];
}

static void waiter_drop(const struct svc *s);
static void waiter_state(struct svc *s, enum sup_state st);

void timeline_service_gone(struct svc *s)
{
	waiter_drop(s);
	uint32_t *e = entry(s);
	if (!e)
		return;
	e[0] = free_head;
	free_head = s->tix;
	s->tix = 0;
}

uint32_t timeline_stamp_now(void)
{
	uint32_t t = (uint32_t)sup_now_ms();
	return t ? t : 1;
}

uint64_t timeline_stamp_ms(uint32_t stamp)
{
	if (!stamp)
		return 0;
	uint64_t now = sup_now_ms();
	uint32_t age = (uint32_t)now - stamp;
	return age <= now ? now - age : 0;
}

static bool has_process(enum sup_state st)
{
	return st == SUP_STARTING || st == SUP_RUNNING || st == SUP_STOPPING;
}

void timeline_state(struct svc *s, enum sup_state st)
{
	if (s->state != st)
		waiter_state(s, st);
	uint32_t *e = entry_take(s);
	if (!e || s->state == st)
		return;
	uint32_t now = timeline_stamp_now();
	switch (st) {
	case SUP_WAITING:
		e[TL_WANTED] = now;
		e[TL_STARTED] = e[TL_READY] = e[TL_STOPPED] = e[TL_EXITED] = 0;
		break;
	case SUP_STARTING:
		/* Started without waiting (a respawn, a manual start): wanted now. */
		if (s->state != SUP_WAITING)
			e[TL_WANTED] = now;
		e[TL_STARTED] = now;
		e[TL_READY] = e[TL_STOPPED] = e[TL_EXITED] = 0;
		break;
	case SUP_RUNNING:
		e[TL_READY] = now;
		break;
	case SUP_STOPPING:
		e[TL_STOPPED] = now;
		break;
	default:
		if (st == SUP_STOPPED && !e[TL_STOPPED])
			e[TL_STOPPED] = now;
		/* A process ended (exited, failed, done, backoff). */
		if (has_process(s->state) && s->pid <= 0)
			e[TL_EXITED] = now;
		break;
	}
}

uint64_t timeline_get(const struct svc *s, enum tl_stamp k)
{
	const uint32_t *e = entry(s);
	return e ? timeline_stamp_ms(e[k]) : 0;
}

void timeline_fields(struct buf *o, const struct svc *s)
{
	for (int k = 0; k < TL_COUNT; k++)
		buf_addf(o, "\t%llu", (unsigned long long)timeline_get(s, (enum tl_stamp)k));
}

/* The services s waits for in its target's plan. */
static const struct graph_node *plan_node(const struct svc *s, const struct sup_plan **pp)
{
	const struct sup_plan *p = &sup.plans[s->def->target];
	if (s->node == SIZE_MAX || s->node >= p->n || !p->g.nodes)
		return NULL;
	*pp = p;
	return &p->g.nodes[s->node];
}

/* The services s waits for, barriers expanded (-1 when out of memory:
 * shown as none). */
static ptrdiff_t plan_deps(const struct svc *s, const struct sup_plan **pp, struct graph_edge **v)
{
	*v = NULL;
	return plan_node(s, pp) ? graph_expand(&(*pp)->g, s->node, false, v) : 0;
}

static struct svc *plan_svc(const struct sup_plan *p, size_t node)
{
	if (node >= p->n || p->members[node] >= sup.nsvcs)
		return NULL;
	return sup.svcs[p->members[node]];
}

void timeline_deps(struct buf *o, const struct svc *s)
{
	const struct sup_plan *p = NULL;
	struct graph_edge *v = NULL;
	ptrdiff_t nv = plan_deps(s, &p, &v);
	bool first = true;
	for (ptrdiff_t k = 0; k < nv; k++) {
		const struct svc *d = plan_svc(p, v[k].dep);
		if (!d)
			continue;
		if (!first)
			buf_adds(o, ",");
		buf_add_field(o, d->def->instance);
		first = false;
	}
	free(v);
}

/* When d had done what its dependents wait for: ready, or (a `wait`)
 * exited. */
static uint64_t settled_at(const struct svc *d)
{
	if (d->def->type == SVC_TYPE_WAIT)
		return timeline_get(d, TL_EXITED);
	uint64_t r = timeline_get(d, TL_READY);
	return r ? r : timeline_get(d, TL_EXITED);
}

void timeline_waits(struct buf *o, const struct svc *s)
{
	uint64_t wanted = timeline_get(s, TL_WANTED), started = timeline_get(s, TL_STARTED);
	if (!wanted)
		return;
	uint64_t end = started ? started : sup_now_ms(), last = wanted;
	const struct sup_plan *p = NULL;
	struct graph_edge *v = NULL;
	ptrdiff_t nv = plan_deps(s, &p, &v);
	for (ptrdiff_t k = 0; k < nv; k++) {
		const struct svc *d = plan_svc(p, v[k].dep);
		if (!d)
			continue;
		uint64_t at = settled_at(d);
		/* Not settled yet: waited for until now (or the start). */
		uint64_t until = at && at < end ? at : end;
		if (at && at > end)
			until = wanted; /* settled after s started: not waited for */
		uint64_t ms = until > wanted ? until - wanted : 0;
		if (until > last)
			last = until;
		buf_adds(o, "wait\t");
		buf_add_field(o, s->def->instance);
		buf_adds(o, "\t");
		buf_add_field(o, d->def->instance);
		buf_addf(o, "\t%llu\n", (unsigned long long)ms);
	}
	(void)last;
	free(v);
	cond_waits(o, s, wanted, end, started != 0);
}

/* ---- "still waiting for X (Ns)": a `wait` service holding up the boot ---- */

struct waiter {
	struct svc *s;
	uint64_t since_ms, next_ms;
	uint32_t gap_ms;
};
static struct waiter *waiters;
static size_t nwaiters, capwaiters;

static void waiter_drop(const struct svc *s)
{
	for (size_t i = 0; i < nwaiters; i++)
		if (waiters[i].s == s) {
			waiters[i] = waiters[--nwaiters];
			return;
		}
}

/* From timeline_state: a `wait` service's process starts or ends. */
static void waiter_state(struct svc *s, enum sup_state st)
{
	if (s->def->type != SVC_TYPE_WAIT)
		return;
	if (st != SUP_STARTING && st != SUP_RUNNING) {
		waiter_drop(s);
		return;
	}
	if (st == SUP_RUNNING)
		return; /* still the same process */
	waiter_drop(s);
	if (nwaiters == capwaiters) {
		size_t cap = capwaiters ? capwaiters * 2 : 8;
		struct waiter *w = realloc(waiters, cap * sizeof *w);
		if (!w)
			return; /* no reminder: nothing else is lost */
		waiters = w;
		capwaiters = cap;
	}
	uint64_t now = sup_now_ms();
	waiters[nwaiters++] = (struct waiter){ .s = s, .since_ms = now,
					       .next_ms = now + TIMELINE_WAIT_FIRST_MS,
					       .gap_ms = TIMELINE_WAIT_FIRST_MS };
}

uint64_t timeline_next_deadline(void)
{
	uint64_t next = 0;
	for (size_t i = 0; i < nwaiters; i++)
		if (!next || waiters[i].next_ms < next)
			next = waiters[i].next_ms;
	return next;
}

void timeline_timer_event(void)
{
	uint64_t now = sup_now_ms();
	for (size_t i = 0; i < nwaiters; i++) {
		struct waiter *w = &waiters[i];
		if (w->next_ms > now)
			continue;
		log_msg("still waiting for %s (%llus)", svc_label(w->s),
			(unsigned long long)((now - w->since_ms) / 1000));
		/* Growing gaps: 5 s, then 10, 20, 40... up to 5 minutes. */
		if (w->gap_ms < 300000)
			w->gap_ms *= 2;
		w->next_ms = now + w->gap_ms;
	}
}
