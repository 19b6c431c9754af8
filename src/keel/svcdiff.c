/* svcdiff: tells whether two service definitions would run the same thing (for reload). */
#include "svcdiff.h"

#include <string.h>

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static bool argv_eq(char *const *a, char *const *b)
{
	if (!a || !b)
		return a == b;
	size_t i = 0;
	for (; a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return !a[i] && !b[i];
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
	if (!str_eq(a->name, b->name) || !str_eq(a->instance, b->instance) ||
	    !str_eq(a->arg, b->arg) || !str_eq(a->description, b->description) ||
	    a->type != b->type || a->target != b->target)
		return false;
	if (!refs_eq(&a->after, &b->after) || !refs_eq(&a->before, &b->before) ||
	    !refs_eq(&a->requires, &b->requires) || !refs_eq(&a->provides, &b->provides))
		return false;
	if (a->nexec != b->nexec)
		return false;
	for (size_t i = 0; i < a->nexec; i++)
		if (!argv_eq(a->exec[i].argv, b->exec[i].argv))
			return false;
	if (!str_eq(a->tty, b->tty) || a->tty_truncate != b->tty_truncate ||
	    !str_eq(a->user, b->user) || !str_eq(a->group, b->group) ||
	    a->nenv != b->nenv || !str_eq(a->cwd, b->cwd) || a->umask != b->umask)
		return false;
	for (size_t i = 0; i < a->nenv; i++)
		if (strcmp(a->env[i], b->env[i]))
			return false;
	if (a->nrlimits != b->nrlimits)
		return false;
	for (size_t i = 0; i < a->nrlimits; i++)
		if (a->rlimits[i].resource != b->rlimits[i].resource ||
		    a->rlimits[i].lim.rlim_cur != b->rlimits[i].lim.rlim_cur ||
		    a->rlimits[i].lim.rlim_max != b->rlimits[i].lim.rlim_max)
			return false;
	return a->stop_signal == b->stop_signal && a->stop_grace_ms == b->stop_grace_ms &&
	       a->respawn_limit == b->respawn_limit &&
	       a->respawn_window_ms == b->respawn_window_ms &&
	       a->respawn_delay_ms == b->respawn_delay_ms &&
	       a->respawn_max_delay_ms == b->respawn_max_delay_ms && a->ready == b->ready &&
	       a->ready_fd == b->ready_fd && str_eq(a->ready_file, b->ready_file) &&
	       a->ready_timeout_ms == b->ready_timeout_ms && a->timeout_ms == b->timeout_ms;
}
