/* spawn_flight: starts on their way to exec — how long PID 1 waits for one, and the report of one that is stuck. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SPAWN_FLIGHT_H
#define KEEL_SPAWN_FLIGHT_H

#include <stdint.h>
#include <sys/types.h>

/* A start is "fresh" this long after its clone: PID 1 may wait for its
 * exec (a healthy one takes well under a millisecond); after that it is
 * left in flight and only looked at again. */
#define FLIGHT_FRESH_MS 50

uint64_t flight_now_ms(void);

/* When to look at a start in flight again: soon after the clone, then
 * less and less often (a hung one costs a wake-up a second at most). */
uint64_t flight_next_look(uint64_t since_ms, uint64_t now_ms);

/* The in-flight list: a child pid (name must live as long as the child
 * has not exec'd: a service's definition does), until flight_done(pid)
 * says it exec'd, failed or was reaped. Out of memory: not listed, only
 * its report is lost. */
void flight_add(pid_t pid, const char *name);
void flight_done(pid_t pid);
/* "warning: service X: still not started after Ns", after 5 s, 10, 20,
 * 40... for every listed child; returns the time of the next report (0:
 * nothing listed). */
uint64_t flight_check(uint64_t now_ms);

/* Memory a start in flight may still read (a CLONE_VM child shares PID 1's
 * memory until its exec: the environment it was given, say) is handed
 * here instead of freed; it is freed at the first flight_idle. Out of
 * memory for the list: it is kept for good (a leak, never a use after
 * free). */
void flight_free_later(void *p);
/* Called by spawn when no child shares PID 1's memory any more. */
void flight_idle(void);

#endif
