/* cond_timer: `timer every` on the monotonic clock, `timer at` on the wall clock, condition timeouts, re-checks. */
/* SPDX-License-Identifier: MIT */
#include "cond_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#ifndef KEEL_BUILD_EPOCH
#define KEEL_BUILD_EPOCH 1764547200 /* 2025-12-01 */
#endif

/*
 * `every` deadlines are monotonic and join PID 1's one timer through
 * cond_next_deadline. `at` times are wall-clock: a CLOCK_REALTIME timerfd
 * armed for the earliest one, with TFD_TIMER_CANCEL_ON_SET so that a
 * clock change (NTP's first sync on a router) wakes us to plan again.
 * Before the wall clock has passed keel's build date it is not trusted:
 * no `at` timer runs, the timerfd only waits for the clock to be set.
 */

static int clk = -1;            /* -2: cannot be made */
static bool cancel_unsupported;  /* kernel without TFD_TIMER_CANCEL_ON_SET */
static uint64_t recheck_due;

static uint32_t rand_state;

/* Jitter needs spread, not secrecy: xorshift seeded from the clock. */
static unsigned long jitter(unsigned long max_ms)
{
	if (!max_ms)
		return 0;
	if (!rand_state) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		rand_state = (uint32_t)ts.tv_nsec ^ (uint32_t)getpid() ^ 0x9e3779b9u;
		if (!rand_state)
			rand_state = 1;
	}
	rand_state ^= rand_state << 13;
	rand_state ^= rand_state >> 17;
	rand_state ^= rand_state << 5;
	return rand_state % (max_ms + 1);
}

static bool wall_trusted(time_t now)
{
	return now >= (time_t)KEEL_BUILD_EPOCH;
}

/* The next time the local clock reads minute-of-day m, after now. */
static int64_t next_wall(int m, time_t now)
{
	struct tm tm;
	if (!localtime_r(&now, &tm))
		return 0;
	tm.tm_hour = m / 60;
	tm.tm_min = m % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t <= now) {
		tm.tm_mday++;
		tm.tm_hour = m / 60;
		tm.tm_min = m % 60;
		tm.tm_isdst = -1;
		t = mktime(&tm);
	}
	return (int64_t)t;
}

static void clock_arm(void);

static void plan_walls(struct csvc *c, time_t now)
{
	const struct svc_conds *cs = c->s->def->o->cs;
	for (size_t i = 0; i < c->ntimers && cs && i < cs->ntimers; i++)
		if (cs->timers[i].minute >= 0)
			c->due_wall[i] = wall_trusted(now) ? next_wall(cs->timers[i].minute, now) : 0;
}

void timers_plan(struct csvc *c)
{
	const struct svc_conds *cs = c->s->def->o->cs;
	if (!cs || !cs->ntimers)
		return;
	if (c->ntimers != cs->ntimers || !c->due_ms || !c->due_wall) {
		free(c->due_ms);
		free(c->due_wall);
		c->due_ms = calloc(cs->ntimers, sizeof *c->due_ms);
		c->due_wall = calloc(cs->ntimers, sizeof *c->due_wall);
		c->ntimers = c->due_ms && c->due_wall ? cs->ntimers : 0;
		if (!c->ntimers) {
			log_msg("error: %s: out of memory for its timers: they do not run",
				c->s->def->instance);
			return;
		}
	}
	uint64_t now = sup_now_ms();
	bool walls = false;
	for (size_t i = 0; i < c->ntimers; i++) {
		const struct svc_timer *t = &cs->timers[i];
		if (t->minute < 0) {
			if (!c->due_ms[i])
				c->due_ms[i] = now + t->every_ms + jitter(t->jitter_ms);
		} else {
			walls = true;
		}
	}
	/* The wall clock's timerfd is armed once every service is planned
	 * (timers_arm_clock, at the end of the rebuild). */
	if (walls)
		plan_walls(c, time(NULL));
}

void timers_arm_clock(void)
{
	clock_arm();
}

static void timer_fire(struct csvc *c, const char *what)
{
	struct svc *s = c->s;
	if (s->pid > 0) {
		/* Never two runs at once. Said once on the console (a fast timer
		 * would flood it), counted in the status reason. */
		if (!c->skipped_runs++)
			log_msg("%s: timer %s: the previous run is still going: run skipped "
				"(keelctl status counts them)", s->def->instance, what);
		char *r = NULL;
		if (asprintf(&r, "timer: %u runs skipped while the previous one ran",
			     c->skipped_runs) >= 0) {
			free(s->reason);
			s->reason = r;
		}
		return;
	}
	log_debug("%s: timer %s: starting", s->def->instance, what);
	if (!c->pending) {
		c->pending = true;
		cond.npending++;
	}
	sup_want(s);
}

uint64_t timers_next_deadline(void)
{
	uint64_t next = 0;
#define TAKE(d) do { uint64_t d_ = (d); if (d_ && (!next || d_ < next)) next = d_; } while (0)
	for (size_t i = 0; i < cond.ncsvcs; i++) {
		const struct csvc *c = &cond.csvcs[i];
		for (size_t k = 0; k < c->ntimers; k++)
			TAKE(c->due_ms[k]);
		const struct svc_conds *cs = c->s->def->o->cs;
		if (cs && cs->timeout_ms && c->wait_since_ms && c->s->state == SUP_WAITING)
			TAKE(c->wait_since_ms + cs->timeout_ms);
	}
	if (watch_any_refused()) {
		if (!recheck_due)
			recheck_due = sup_now_ms() + COND_RECHECK_MS;
		TAKE(recheck_due);
	} else {
		recheck_due = 0;
	}
#undef TAKE
	return next;
}

static void fmt_ms(unsigned long ms, char *buf, size_t len)
{
	if (ms % 1000)
		snprintf(buf, len, "%lums", ms);
	else
		snprintf(buf, len, "%lus", ms / 1000);
}

void timers_due(void)
{
	uint64_t now = sup_now_ms();
	for (size_t i = 0; i < cond.ncsvcs; i++) {
		struct csvc *c = &cond.csvcs[i];
		const struct svc_conds *cs = c->s->def->o->cs;
		if (!cs)
			continue;
		for (size_t k = 0; k < c->ntimers && k < cs->ntimers; k++) {
			const struct svc_timer *t = &cs->timers[k];
			if (!c->due_ms[k] || c->due_ms[k] > now)
				continue;
			char what[32];
			fmt_ms(t->every_ms, what, sizeof what);
			timer_fire(c, what);
			/* From the due time, not from now: no drift. After a long
			 * stall, one run and then back on the grid, no catching up. */
			c->due_ms[k] += t->every_ms;
			if (c->due_ms[k] <= now)
				c->due_ms[k] = now + t->every_ms;
			c->due_ms[k] += jitter(t->jitter_ms);
		}
		if (cs->timeout_ms && c->wait_since_ms && c->s->state == SUP_WAITING &&
		    now >= c->wait_since_ms + cs->timeout_ms) {
			char lim[32];
			fmt_ms(cs->timeout_ms, lim, sizeof lim);
			const char *r = c->s->reason && !strncmp(c->s->reason, "waiting for: ", 13)
						? c->s->reason + 13 : "?";
			char *why = NULL;
			if (asprintf(&why, "conditions not met within %s: %s", lim, r) < 0)
				why = NULL;
			c->wait_since_ms = 0;
			sup_fail_waiting(c->s, why ? why : "conditions not met in time");
			free(why);
		}
	}
	if (recheck_due && now >= recheck_due) {
		recheck_due = now + COND_RECHECK_MS;
		watch_recheck();
	}
}

/* ---- the wall clock ---- */

static void clock_arm(void)
{
	time_t now = time(NULL);
	int64_t first = 0;
	for (size_t i = 0; i < cond.ncsvcs; i++) {
		const struct csvc *c = &cond.csvcs[i];
		const struct svc_conds *cs = c->s->def->o->cs;
		for (size_t k = 0; k < c->ntimers && cs && k < cs->ntimers; k++)
			if (cs->timers[k].minute >= 0 && c->due_wall[k] && (!first || c->due_wall[k] < first))
				first = c->due_wall[k];
	}
	bool any_at = first || !wall_trusted(now);
	if (!any_at && clk < 0)
		return;
	if (clk == -1) {
		clk = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
		if (clk < 0 || loop_add(clk, EPOLLIN, LOOP_COND_CLOCK) < 0) {
			log_msg("warning: wall-clock timer unavailable (%s): `timer at` does not run",
				strerror(errno));
			if (clk >= 0)
				close(clk);
			clk = -2;
		}
	}
	if (clk < 0)
		return;
	/* Untrusted clock: wait for it to be set (a day is arbitrary: the
	 * cancel on set is what matters). */
	struct itimerspec its = { .it_value = { .tv_sec = first ? (time_t)first : now + 86400 } };
	int flags = TFD_TIMER_ABSTIME | (cancel_unsupported ? 0 : TFD_TIMER_CANCEL_ON_SET);
	if (timerfd_settime(clk, flags, &its, NULL) < 0) {
		if (!cancel_unsupported && errno == EINVAL) {
			cancel_unsupported = true;
			log_msg("warning: the kernel does not report clock changes "
				"(TFD_TIMER_CANCEL_ON_SET): `timer at` is planned again only when it fires");
			flags = TFD_TIMER_ABSTIME;
			if (timerfd_settime(clk, flags, &its, NULL) == 0)
				return;
		}
		/* Said once: a kernel that refuses it (no 32-bit time syscalls
		 * for a 32-bit libc) refuses it every time. */
		log_msg("warning: wall-clock timer: %m: `timer at` does not run");
		loop_del(clk);
		close(clk);
		clk = -2;
	}
}

void clock_event(int fd)
{
	uint64_t ticks;
	bool jumped = read(fd, &ticks, sizeof ticks) < 0 && errno == ECANCELED;
	time_t now = time(NULL);
	for (size_t i = 0; i < cond.ncsvcs; i++) {
		struct csvc *c = &cond.csvcs[i];
		const struct svc_conds *cs = c->s->def->o->cs;
		for (size_t k = 0; k < c->ntimers && cs && k < cs->ntimers; k++) {
			int m = cs->timers[k].minute;
			if (m < 0)
				continue;
			if (!jumped && c->due_wall[k] && c->due_wall[k] <= now) {
				char what[16];
				snprintf(what, sizeof what, "%02d:%02d", m / 60, m % 60);
				timer_fire(c, what);
			}
			/* Planned from the new clock: a time a jump skipped is not
			 * caught up. */
			if (jumped || !c->due_wall[k] || c->due_wall[k] <= now)
				c->due_wall[k] = wall_trusted(now) ? next_wall(m, now) : 0;
		}
	}
	if (jumped)
		log_debug("the wall clock was set: `timer at` planned again");
	clock_arm();
}
