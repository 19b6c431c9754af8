/* spawn_flight: starts on their way to exec — how long PID 1 waits for one, and the report of one that is stuck. */
/* SPDX-License-Identifier: MIT */
#include "spawn_flight.h"

#include <stdlib.h>
#include <time.h>

#include "log.h"

/*
 * A child between clone and exec can stop anywhere its setup touches the
 * outside world: chdir into a hung FUSE or NFS mount, the open of a tty, an
 * exec of a binary on such a mount, a user lookup (spawn_ids.c). PID 1
 * waits for none of them beyond FLIGHT_FRESH_MS: the start stays "in
 * flight" (its service `starting`), PID 1's loop goes on, and the stuck
 * child is named on the console. Stopping the service kills it like any
 * process; its outcome is reported whenever it comes.
 */

#define FLIGHT_FIRST_REPORT_MS 5000
#define FLIGHT_MAX_LOOK_MS 1000

struct flight {
	pid_t pid;
	const char *name;
	uint64_t since_ms, next_report;
};
static struct flight *fl;
static size_t nfl, fl_cap;

uint64_t flight_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t flight_next_look(uint64_t since_ms, uint64_t now_ms)
{
	uint64_t age = now_ms > since_ms ? now_ms - since_ms : 0;
	uint64_t gap = age / 4;
	if (gap < 5)
		gap = 5;
	if (gap > FLIGHT_MAX_LOOK_MS)
		gap = FLIGHT_MAX_LOOK_MS;
	return now_ms + gap;
}

void flight_add(pid_t pid, const char *name)
{
	if (nfl == fl_cap) {
		size_t ncap = fl_cap ? fl_cap * 2 : 16;
		struct flight *n = realloc(fl, ncap * sizeof *n);
		if (!n)
			return;
		fl = n;
		fl_cap = ncap;
	}
	uint64_t now = flight_now_ms();
	fl[nfl++] = (struct flight){ pid, name, now, now + FLIGHT_FIRST_REPORT_MS };
}

void flight_done(pid_t pid)
{
	/* Newest first: a burst's starts exec in about the order they began,
	 * but the one just made is the one usually asked about. */
	for (size_t i = nfl; i-- > 0;)
		if (fl[i].pid == pid) {
			fl[i] = fl[--nfl];
			break;
		}
	if (!nfl && fl_cap > 64) {
		free(fl); /* a burst is over: its list goes back */
		fl = NULL;
		fl_cap = 0;
	}
}

uint64_t flight_check(uint64_t now)
{
	uint64_t next = 0;
	for (size_t i = 0; i < nfl; i++) {
		struct flight *f = &fl[i];
		if (now >= f->next_report) {
			uint64_t age = now - f->since_ms;
			log_msg("warning: service %s: still not started after %lus (pid %d stuck "
				"before its exec)", f->name, (unsigned long)(age / 1000), (int)f->pid);
			f->next_report = f->since_ms + 2 * age;
		}
		if (!next || f->next_report < next)
			next = f->next_report;
	}
	return next;
}

static void **later;
static size_t nlater, later_cap;

void flight_free_later(void *p)
{
	if (!p)
		return;
	if (nlater == later_cap) {
		size_t ncap = later_cap ? later_cap * 2 : 4;
		void **n = realloc(later, ncap * sizeof *n);
		if (!n)
			return;
		later = n;
		later_cap = ncap;
	}
	later[nlater++] = p;
}

void flight_idle(void)
{
	if (!later)
		return;
	for (size_t i = 0; i < nlater; i++)
		free(later[i]);
	free(later);
	later = NULL;
	nlater = later_cap = 0;
}
