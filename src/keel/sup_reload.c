/* sup_reload: reload as a reconcile — only what changed between the old and new service sets is touched. */
/* SPDX-License-Identifier: MIT */
#include "initenv.h"
#include "sup_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badfiles.h"
#include "cond.h"
#include "log.h"
#include "trim.h"
#include "svcdiff.h"

static int cmp_svc_instance(const void *a, const void *b)
{
	return strcmp((*(struct svc *const *)a)->def->instance,
		      (*(struct svc *const *)b)->def->instance);
}

/* index: the live services sorted by instance name, for bsearch. */
static struct svc *find_instance(struct svc **index, size_t n, const char *instance)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(instance, index[mid]->def->instance);
		if (!c)
			return index[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

KEEL_BOOT int sup_reload(char **summary)
{
	struct svc_set set = { 0 };
	struct diags nd = { 0 };
	size_t added = 0, changed = 0, removed = 0;

	*summary = NULL;
	if (sup.phase != SUP_PHASE_RUN)
		return -1;
	initenv_reload(); /* for every start from now on, changed services' or not */
	if (services_load(sup.conf, &set, &nd) < 0) {
		diags_free(&nd);
		return -1;
	}
	badfiles_take(&set);
	/* Drop services that were removed earlier and are down by now. */
	size_t w = 0;
	for (size_t i = 0; i < sup.nsvcs; i++) {
		if (sup.svcs[i]->removed && !svc_active(sup.svcs[i]))
			svc_free(sup.svcs[i]);
		else
			sup.svcs[w++] = sup.svcs[i];
	}
	sup.nsvcs = w;
	struct svc **nv = realloc(sup.svcs, (sup.nsvcs + set.n + 1) * sizeof *nv);
	if (!nv) {
		svc_set_free(&set);
		diags_free(&nd);
		return -1;
	}
	sup.svcs = nv;

	size_t nold = sup.nsvcs, nindex = 0;
	struct svc **index = calloc(nold + 1, sizeof *index);
	if (!index) {
		svc_set_free(&set);
		diags_free(&nd);
		return -1;
	}
	for (size_t i = 0; i < nold; i++) {
		sup.svcs[i]->mark = false;
		if (!sup.svcs[i]->removed)
			index[nindex++] = sup.svcs[i];
	}
	qsort(index, nindex, sizeof *index, cmp_svc_instance);
	for (size_t j = 0; j < set.n; j++) {
		struct svc_def *def = set.v[j];
		set.v[j] = NULL;
		struct svc *old = find_instance(index, nindex, def->instance);
		if (!old) {
			struct svc *s = svc_new(def);
			if (!s) {
				diag_add(&nd, DIAG_ERROR, def->file, 0, "out of memory: not added");
				svc_def_free(def);
				continue;
			}
			sup.svcs[sup.nsvcs++] = s;
			added++;
			if (sup.plans[def->target].active && def->target == SVC_TARGET_BOOT &&
			    !cond_event_started(def->o->cs)) {
				s->want_up = true;
				svc_set_state(s, SUP_WAITING);
			}
			continue;
		}
		old->mark = true;
		if (svcdiff_equal(old->def, def)) {
			svc_def_free(def);
			continue;
		}
		changed++;
		if (svc_active(old) || old->state == SUP_BACKOFF) {
			svc_def_free(old->next_def);
			old->next_def = def;
			old->restart_after_stop = true;
			if (old->state == SUP_BACKOFF) {
				svc_def_free(old->def);
				old->def = old->next_def;
				old->next_def = NULL;
				old->restart_after_stop = false;
			} else {
				svc_stop(old, SUP_STOPPED);
			}
		} else {
			svc_def_free(old->def);
			old->def = def;
			if (old->state == SUP_SKIPPED || old->state == SUP_FAILED)
				svc_set_state(old, SUP_INACTIVE);
			if (sup.plans[def->target].active && def->target == SVC_TARGET_BOOT &&
			    old->state == SUP_INACTIVE && !cond_event_started(def->o->cs)) {
				old->want_up = true;
				svc_set_state(old, SUP_WAITING);
			}
		}
	}
	for (size_t i = 0; i < nold; i++) {
		if (sup.svcs[i]->mark || sup.svcs[i]->removed)
			continue;
		removed++;
		sup.svcs[i]->removed = true;
		sup.svcs[i]->want_up = false;
		svc_stop(sup.svcs[i], SUP_STOPPED);
	}
	free(index);
	svc_set_free(&set);

	diags_free(&sup.config_diags);
	diags_move(&sup.config_diags, &nd);
	qsort(sup.svcs, sup.nsvcs, sizeof *sup.svcs, cmp_svc_instance); /* status lists by name */
	int r = plans_build();
	for (size_t i = 0; i < sup.config_diags.n; i++)
		log_diag(&sup.config_diags.v[i]);
	log_diags_lost(&sup.config_diags);
	if (asprintf(summary, "%zu added, %zu changed, %zu removed, %zu problems", added,
		     changed, removed, sup.config_diags.n) < 0)
		*summary = NULL;
	log_info("reload: %zu added, %zu changed, %zu removed", added, changed, removed);
	trim_later(); /* not from here: this function is boot-only code itself */
	return r;
}
