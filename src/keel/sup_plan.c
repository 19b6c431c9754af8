/* sup_plan: targets — dependency plans, which service may start, and the shutdown phases. */
/* SPDX-License-Identifier: MIT */
#include "guest.h"
#include "skip.h"
#include "spawn.h"
#include "sup_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>

#include "conditions.h"
#include "log.h"
#include "trim.h"
#include "logd.h"

/* Starts the members whose dependencies are settled, in one pass in
 * topological order (a skip or a start early in the order is seen by later
 * services in the same pass); true if some member is still waiting. */
static bool plan_start_ready_members(struct sup_plan *p)
{
	bool waiting = false;
	for (size_t k = 0; k < p->g.norder; k++) {
		size_t i = p->g.order[k];
		struct svc *s = sup.svcs[p->members[i]];
		if (s->state != SUP_WAITING || !s->want_up)
			continue;
		const struct graph_node *nd = &p->g.nodes[i];
		bool blocked = false;
		size_t failed_dep = SIZE_MAX; /* the last in index order, as with direct edges */
		for (size_t e = 0; e < nd->ndeps && !blocked; e++) {
			/* a barrier (index >= n) stands for its members, with this edge's hardness */
			const struct graph_edge *one = &nd->deps[e], *v = one;
			size_t nv = 1;
			if (one->dep >= p->n) {
				v = p->g.nodes[one->dep].deps;
				nv = p->g.nodes[one->dep].ndeps;
			}
			for (size_t m = 0; m < nv; m++) {
				struct svc *d = sup.svcs[p->members[v[m].dep]];
				if (!svc_settled(d)) {
					blocked = true;
					break;
				}
				if (one->hard && !svc_succeeded(d) &&
				    (failed_dep == SIZE_MAX || v[m].dep > failed_dep))
					failed_dep = v[m].dep;
			}
		}
		if (blocked) {
			waiting = true;
			continue;
		}
		if (failed_dep != SIZE_MAX) {
			const struct svc *f = sup.svcs[p->members[failed_dep]];
			svc_set_reason(s, "required service %s %s", f->def->instance,
				       sup_state_name(f->state));
			svc_set_state(s, SUP_SKIPPED);
			log_msg("[SKIP] %s: %s", svc_label(s), s->reason ? s->reason : "");
			continue;
		}
		if (sup.starts >= SUP_START_BATCH) {
			sup.start_pending = true;
			return true;
		}
		/* Last: a true gate may hand the start a trigger's environment. */
		if (!cond_gate(s)) {
			waiting = true;
			continue;
		}
		sup.starts++;
		svc_start(s);
	}
	return waiting;
}

/* Announces the plan's target once every member has settled. The look
 * resumes at the member that was unsettled last time: services settle
 * roughly in start order, so each event costs a step or two instead of a
 * walk over every member; a full round confirms before the announcement. */
static void plan_check_reached(struct sup_plan *p)
{
	if (p->reached || !p->active)
		return;
	for (size_t k = 0; k < p->n; k++) {
		size_t i = (p->reach_from + k) % p->n;
		/* Waiting on a condition is a state of its own, maybe for good
		 * (a debug marker): the target is reached without it. */
		struct svc *s = sup.svcs[p->members[i]];
		if (!svc_settled(s) && !cond_waiting(s)) {
			p->reach_from = i;
			return;
		}
	}
	p->reached = true;
	if (p == &sup.plans[SVC_TARGET_BOOT]) {
		logd_boot_reached();
		trim_boot_code();
	}
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	log_info("target %s reached (%zu services) at %ld.%03lds uptime",
		 svc_target_name((enum svc_target)(p - sup.plans)), p->n, (long)ts.tv_sec,
		 ts.tv_nsec / 1000000);
}

/* ---- plans ---- */

static void plans_free(void)
{
	for (int t = 0; t < SVC_TARGET_COUNT; t++) {
		free(sup.plans[t].members);
		sup.plans[t].members = NULL;
		sup.plans[t].n = 0;
		graph_free(&sup.plans[t].g);
	}
}

/* One try at the graph of the first n members; its notes are kept only
 * if it is the one kept (a failed try's would be said twice). */
static KEEL_BOOT bool plan_graph_try(struct sup_plan *p, struct svc_def **defs, size_t n,
				     struct diags *d)
{
	diags_free(d);
	return graph_build(defs, n, &p->g, d) == 0;
}

/* The plan's graph, over as many members as memory allows: under a
 * memory cap, the most members (first by name) whose graph fits, found by
 * halving and then bisecting to within 1/64, rather than none. Those left
 * out are skipped, counted and the first named. */
static KEEL_BOOT void plan_graph_fit(struct sup_plan *p, struct svc_def **defs, enum svc_target t)
{
	struct diags d = { 0 };
	size_t keep = p->n, fail = p->n + 1;
	while (!plan_graph_try(p, defs, keep, &d)) {
		fail = keep;
		keep /= 2; /* 0 members need no memory: this ends */
	}
	while (fail - keep > 1 && fail - keep > p->n / 64) {
		size_t mid = keep + (fail - keep) / 2;
		struct graph ok = p->g;
		struct diags okd = d;
		p->g = (struct graph){ 0 };
		d = (struct diags){ 0 };
		if (plan_graph_try(p, defs, mid, &d)) {
			graph_free(&ok);
			diags_free(&okd);
			keep = mid;
		} else {
			diags_free(&d);
			p->g = ok;
			d = okd;
			fail = mid;
		}
	}
	diags_move(&sup.config_diags, &d);
	if (keep == p->n)
		return;
	diag_add(&sup.config_diags, DIAG_ERROR, NULL, 0,
		 "out of memory: target %s: %zu of %zu services left out of the dependency graph, "
		 "not started (the first: %s)", svc_target_name(t), p->n - keep, p->n,
		 sup.svcs[p->members[keep]]->def->instance);
	for (size_t i = keep; i < p->n; i++) {
		struct svc *s = sup.svcs[p->members[i]];
		s->node = SIZE_MAX;
		if (s->state == SUP_INACTIVE) {
			svc_set_state(s, SUP_SKIPPED);
			svc_set_reason(s, "out of memory: left out of the dependency graph");
		}
	}
	p->n = keep;
}

/* Rebuild every target's graph over the services not being removed.
 * Diagnostics of the graph go to config_diags. */
KEEL_BOOT int plans_build(void)
{
	bool was_active[SVC_TARGET_COUNT], was_reached[SVC_TARGET_COUNT];
	for (int t = 0; t < SVC_TARGET_COUNT; t++) {
		was_active[t] = sup.plans[t].active;
		was_reached[t] = sup.plans[t].reached;
	}
	plans_free();
	spawn_fit_nofile(sup.nsvcs);
	sup.may_wait = true;
	for (size_t i = 0; i < sup.nsvcs; i++)
		sup.svcs[i]->node = SIZE_MAX;
	for (int t = 0; t < SVC_TARGET_COUNT; t++) {
		struct sup_plan *p = &sup.plans[t];
		p->active = was_active[t];
		p->reached = was_reached[t];
		size_t n = 0;
		for (size_t i = 0; i < sup.nsvcs; i++)
			if (!sup.svcs[i]->removed && sup.svcs[i]->def->target == (enum svc_target)t)
				n++;
		p->members = calloc(n ? n : 1, sizeof *p->members);
		struct svc_def **defs = calloc(n ? n : 1, sizeof *defs);
		if (!p->members || !defs) {
			free(defs);
			return -1;
		}
		for (size_t i = 0; i < sup.nsvcs; i++)
			if (!sup.svcs[i]->removed && sup.svcs[i]->def->target == (enum svc_target)t) {
				sup.svcs[i]->node = p->n;
				defs[p->n] = sup.svcs[i]->def;
				p->members[p->n++] = i;
			}
		plan_graph_fit(p, defs, (enum svc_target)t);
		free(defs);
		for (size_t i = 0; i < p->n; i++) {
			struct svc *s = sup.svcs[p->members[i]];
			if (p->g.nodes[i].skipped && s->state == SUP_INACTIVE) {
				svc_set_state(s, SUP_SKIPPED);
				svc_set_reason(s, "dependency error (see diagnostics)");
			}
		}
	}
	cond_rebuild();
	return 0;
}

int sup_init(struct svc_set *set, struct diags *diags, const struct services_conf *c)
{
	sup.conf = c;
	diags_move(&sup.config_diags, diags);
	sup.svcs = calloc(set->n ? set->n : 1, sizeof *sup.svcs);
	if (!sup.svcs)
		return -1;
	for (size_t i = 0; i < set->n; i++) {
		struct svc *s = svc_new(set->v[i]);
		if (!s)
			return -1;
		set->v[i] = NULL;
		sup.svcs[sup.nsvcs++] = s;
	}
	svc_set_free(set);
	int r = plans_build();
	for (size_t i = 0; i < sup.config_diags.n; i++)
		log_diag(&sup.config_diags.v[i]);
	log_diags_lost(&sup.config_diags);
	return r;
}

void sup_start_target(enum svc_target t)
{
	struct sup_plan *p = &sup.plans[t];
	sup.dirty = true;
	sup.may_wait = true;
	p->active = true;
	p->reached = false;
	for (size_t i = 0; i < p->n; i++) {
		struct svc *s = sup.svcs[p->members[i]];
		if (p->g.nodes[i].skipped)
			continue;
		if (svc_active(s) || s->state == SUP_BACKOFF || s->state == SUP_WAITING)
			continue;
		if (cond_event_started(s->def->o->cs) || cond_skipped(s) || skip_listed(s))
			continue; /* its triggers and timers start it; or it never can, or may not */
		s->want_up = true;
		s->was_ready = false;
		s->announced = false;
		svc_set_state(s, SUP_WAITING);
	}
}

bool sup_target_empty(enum svc_target t)
{
	for (size_t i = 0; i < sup.plans[t].n; i++)
		if (!sup.plans[t].g.nodes[i].skipped)
			return false;
	return true;
}

int sup_start_rescue(void)
{
	static const char text[] = "description \"rescue shell (keel.single)\"\n"
				   "type wait\n"
				   "tty /dev/console\n"
				   "exec /bin/sh\n";
	struct diags d = { 0 };
	struct svc_def *def = svc_parse(text, sizeof text - 1, "(built-in)", "rescue", &d);
	diags_free(&d);
	if (!def)
		return -1;
	sup.rescue = svc_new(def);
	if (!sup.rescue) {
		svc_def_free(def);
		return -1;
	}
	log_info("single-user mode: the boot target starts when the rescue shell exits");
	sup.rescue->want_up = true;
	svc_start(sup.rescue);
	return 0;
}

/* ---- for the conditions module ---- */

void sup_poke(void)
{
	sup.dirty = true;
	sup.may_wait = true;
}

void sup_want(struct svc *s)
{
	if (sup.phase != SUP_PHASE_RUN || s->removed || s->node == SIZE_MAX || cond_skipped(s))
		return;
	s->want_up = true;
	if (svc_active(s) || s->state == SUP_WAITING || s->state == SUP_BACKOFF)
		return;
	s->was_ready = false;
	svc_set_state(s, SUP_WAITING);
}

void sup_cond_lost(struct svc *s)
{
	/* want_up stays: once stopped it waits for its conditions again. */
	svc_stop(s, SUP_WAITING);
}

void sup_fail_waiting(struct svc *s, const char *why)
{
	if (s->state == SUP_WAITING)
		svc_fail(s, "%s", why);
}

void sup_skip(struct svc *s, const char *why)
{
	if (svc_active(s))
		return;
	s->want_up = false;
	svc_set_reason(s, "%s", why);
	svc_set_state(s, SUP_SKIPPED);
}

/* ---- shutdown ---- */

void sup_shutdown(enum sup_action a)
{
	if (sup.phase != SUP_PHASE_RUN)
		return;
	sup.action = a;
	sup.final_target = a == SUP_ACTION_REBOOT || a == SUP_ACTION_RESTART ? SVC_TARGET_REBOOT
									       : SVC_TARGET_SHUTDOWN;
	sup.phase = SUP_PHASE_STOPPING;
	log_info("stopping services");
	for (size_t i = 0; i < sup.nsvcs; i++)
		sup.svcs[i]->want_up = false;
	if (sup.rescue)
		sup.rescue->want_up = false;
}

/* A service may be stopped once every service that waits for it is down:
 * that is the reverse of the start order, with the same parallelism. */
static bool svc_dependents_down(const struct svc *s)
{
	if (s->node == SIZE_MAX)
		return true;
	const struct sup_plan *p = &sup.plans[s->def->target];
	const struct graph_node *nd = &p->g.nodes[s->node];
	for (size_t e = 0; e < nd->nrdeps; e++) {
		const size_t *v = &nd->rdeps[e];
		size_t nv = 1;
		if (*v >= p->n) { /* a barrier: the services waiting for all it stands for */
			nv = p->g.nodes[*v].nrdeps;
			v = p->g.nodes[*v].rdeps;
		}
		for (size_t m = 0; m < nv; m++)
			if (svc_active(sup.svcs[p->members[v[m]]]))
				return false;
	}
	return true;
}

static void step_stopping(void)
{
	bool any_active = false;
	for (size_t i = 0; i < sup.nsvcs; i++) {
		struct svc *s = sup.svcs[i];
		if (s->state == SUP_WAITING || s->state == SUP_BACKOFF)
			svc_stop(s, SUP_STOPPED);
		if (!svc_active(s))
			continue;
		any_active = true;
		if (s->state != SUP_STOPPING && svc_dependents_down(s))
			svc_stop(s, SUP_STOPPED);
	}
	if (sup.rescue && svc_active(sup.rescue)) {
		any_active = true;
		if (sup.rescue->state != SUP_STOPPING)
			svc_stop(sup.rescue, SUP_STOPPED);
	}
	if (any_active)
		return;
	sup.phase = SUP_PHASE_FINAL;
	log_info("running target %s", svc_target_name(sup.final_target));
	sup.phase_deadline_ms = sup_now_ms() + SUP_FINAL_TARGET_MS;
	/* The final target runs while phase is FINAL; respawn is off (phase
	 * != RUN), so its respawn services behave like `once`. */
	struct sup_plan *p = &sup.plans[sup.final_target];
	p->active = true;
	p->reached = true; /* no "reached" line for the final target */
	for (size_t i = 0; i < p->n; i++) {
		struct svc *s = sup.svcs[p->members[i]];
		if (p->g.nodes[i].skipped)
			continue;
		s->want_up = true;
		s->was_ready = false;
		svc_set_state(s, SUP_WAITING);
	}
}

static void step_final(void)
{
	struct sup_plan *p = &sup.plans[sup.final_target];
	plan_start_ready_members(p);
	plan_check_reached(p);
	bool done = true;
	for (size_t i = 0; i < p->n; i++) {
		struct svc *s = sup.svcs[p->members[i]];
		if (svc_active(s) || s->state == SUP_WAITING)
			done = false;
	}
	if (!done && sup_now_ms() < sup.phase_deadline_ms)
		return;
	if (!done)
		log_msg("target %s did not finish in %lus: going on", svc_target_name(sup.final_target),
			SUP_FINAL_TARGET_MS / 1000);
	sup.phase = SUP_PHASE_KILL;
	log_info("killing remaining processes");
	guest_kill_rest(SIGTERM);
	sup.kill_escalated = false;
	sup.no_children = false;
	sup.phase_deadline_ms = sup_now_ms() + SUP_KILL_GRACE_MS;
	sup_reap();
}

static void step_kill(void)
{
	if (sup.no_children) {
		sup.phase = SUP_PHASE_DONE;
		sup.phase_deadline_ms = 0;
		return;
	}
	if (sup_now_ms() < sup.phase_deadline_ms)
		return;
	if (!sup.kill_escalated) {
		sup.kill_escalated = true;
		guest_kill_rest(SIGKILL);
		sup.phase_deadline_ms = sup_now_ms() + SUP_KILL_WAIT_MS;
		return;
	}
	log_msg("some processes did not die: going on");
	sup.phase = SUP_PHASE_DONE;
	sup.phase_deadline_ms = 0;
}

void sup_step(void)
{
	trim_if_asked();
	enum sup_phase before;
	bool again;
	sup.starts = 0;
	sup.start_pending = false;
	do {
		before = sup.phase;
		switch (sup.phase) {
		case SUP_PHASE_RUN:
			cond_step();
			while (sup.dirty && !sup.start_pending) {
				sup.dirty = false;
				bool waiting = false;
				for (int t = 0; t < SVC_TARGET_COUNT; t++)
					if (sup.plans[t].active && sup.may_wait)
						waiting |= plan_start_ready_members(&sup.plans[t]);
				/* A start in the scan may have set it again: keep it then. */
				if (!waiting && !sup.dirty)
					sup.may_wait = false;
				for (int t = 0; t < SVC_TARGET_COUNT; t++)
					plan_check_reached(&sup.plans[t]);
			}
			if (sup.start_pending)
				sup.dirty = true; /* the scan goes on next turn */
			break;
		case SUP_PHASE_STOPPING:
			step_stopping();
			break;
		case SUP_PHASE_FINAL:
			step_final();
			break;
		case SUP_PHASE_KILL:
			step_kill();
			break;
		case SUP_PHASE_DONE:
			break;
		}
		/* Starts still on their way to exec: their outcome may let
		 * more start, so it is taken before PID 1 sleeps. */
		again = spawn_collect(sup_spawn_result) > 0;
	} while (again || sup.phase != before);
}
