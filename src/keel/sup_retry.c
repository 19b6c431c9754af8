/* sup_retry: a start that failed for want of a process or memory is retried with backoff, never failed for good. */
/* SPDX-License-Identifier: MIT */
#include "sup_internal.h"

#include <errno.h>
#include <string.h>

#include "log.h"

/*
 * fork/clone fail with EAGAIN under a pids limit or RLIMIT_NPROC (a fork
 * bomb elsewhere), ENOMEM when memory is short, EMFILE/ENFILE when PID 1
 * cannot make the pipes of a start. All pass: the service waits in
 * `backoff` as after a crash (same delays, doubling, with jitter) and
 * starts again; its dependents keep waiting meanwhile.
 */

#define RETRY_FIRST_MS 100UL
#define RETRY_MAX_MS 60000UL

bool sup_start_retry(struct svc *s, int err)
{
	if ((err != EAGAIN && err != ENOMEM && err != EMFILE && err != ENFILE) ||
	    sup.phase != SUP_PHASE_RUN || !s->want_up)
		return false;
	const struct svc_opt *o = s->def->o;
	unsigned long first = o->respawn_delay_ms ? o->respawn_delay_ms : RETRY_FIRST_MS;
	unsigned long max = o->respawn_max_delay_ms ? o->respawn_max_delay_ms : RETRY_MAX_MS;
	if (s->state != SUP_BACKOFF || !s->delay_ms)
		s->delay_ms = first;
	else
		s->delay_ms = s->delay_ms * 2 > max ? max : s->delay_ms * 2;
	unsigned long delay = s->delay_ms + live_jitter_ms(s);
	svc_set_reason(s, "cannot start: %s (retrying)", strerror(err));
	svc_set_state(s, SUP_BACKOFF);
	s->deadline_ms = sup_now_ms() + delay;
	log_msg("warning: %s: cannot start: %s: retrying in %lu ms", s->def->instance,
		strerror(err), delay);
	return true;
}
