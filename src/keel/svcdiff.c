/* svcdiff: tells whether two service definitions would run the same thing (for reload). */
/* SPDX-License-Identifier: MIT */
#include "svcdiff.h"

#include <string.h>

#include "cond.h"
#include "live.h"

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static bool refs_eq(const struct svc_refs *a, const struct svc_refs *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, b->v[i].name))
			return false;
	return true;
}

bool svcdiff_equal(const struct svc_def *a, const struct svc_def *b)
{
	/* The '@' argument is part of the instance name. */
	if (!str_eq(a->name, b->name) || !str_eq(a->instance, b->instance) ||
	    !str_eq(a->description, b->description) ||
	    a->type != b->type || a->target != b->target)
		return false;
	if (!refs_eq(&a->after, &b->after) || !refs_eq(&a->before, &b->before) ||
	    !refs_eq(&a->requires, &b->requires) || !refs_eq(&a->provides, &b->provides))
		return false;
	if (a->nexec != b->nexec)
		return false;
	for (size_t i = 0; i < a->nexec; i++)
		if (!svc_argv_equal(a->exec[i].argv, b->exec[i].argv))
			return false;
	if (!str_eq(a->o->tty, b->o->tty) || a->o->tty_truncate != b->o->tty_truncate ||
	    !str_eq(a->o->user, b->o->user) || !str_eq(a->o->group, b->o->group) ||
	    a->o->nenv != b->o->nenv || !str_eq(a->o->cwd, b->o->cwd) || a->o->umask != b->o->umask)
		return false;
	for (size_t i = 0; i < a->o->nenv; i++)
		if (strcmp(a->o->env[i], b->o->env[i]))
			return false;
	if (a->o->nrlimits != b->o->nrlimits)
		return false;
	for (size_t i = 0; i < a->o->nrlimits; i++)
		if (a->o->rlimits[i].resource != b->o->rlimits[i].resource ||
		    a->o->rlimits[i].lim.rlim_cur != b->o->rlimits[i].lim.rlim_cur ||
		    a->o->rlimits[i].lim.rlim_max != b->o->rlimits[i].lim.rlim_max)
			return false;
	if (!cond_set_equal(a->o->cs, b->o->cs) || !live_equal(a->o->lv, b->o->lv) || a->o->log_mode != b->o->log_mode ||
	    a->o->log_rate != b->o->log_rate)
		return false;
	return a->o->stop_signal == b->o->stop_signal && a->o->stop_grace_ms == b->o->stop_grace_ms &&
	       a->o->respawn_limit == b->o->respawn_limit &&
	       a->o->respawn_window_ms == b->o->respawn_window_ms &&
	       a->o->respawn_delay_ms == b->o->respawn_delay_ms &&
	       a->o->respawn_max_delay_ms == b->o->respawn_max_delay_ms && a->ready == b->ready &&
	       a->ready_fd == b->ready_fd && str_eq(a->o->ready_file, b->o->ready_file) &&
	       a->o->ready_timeout_ms == b->o->ready_timeout_ms && a->o->timeout_ms == b->o->timeout_ms;
}
