/* health: boot health in PID 1 — requirements, deadline, commit command, the failed-boot counter. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_HEALTH_H
#define KEEL_HEALTH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/*
 * docs/liveness.md, "Boot health". PID 1 never touches the counter's file
 * system itself except for one non-blocking read at start: every write is
 * a forked child's (tmp file, fsync, rename, fsync of the directory), and
 * the commit command is forked and executed, never waited for.
 *
 * Order in PID 1: health_init after the signal fd is set up and sup_init
 * (its children's SIGCHLD must reach the loop), before the boot target
 * starts; health_step after each sup_step; health_reaped from the reaper
 * for pids no service owns.
 */

/* Reads and parses path (NULL, empty or missing: health is off), counts
 * this boot in the counter file. */
void health_init(const char *path);
/* Once per loop turn: are the requirements met? Then commit. */
void health_step(void);
/* The next time health_timer_event has work (monotonic ms), 0 none. */
uint64_t health_next_deadline(void);
void health_timer_event(void);
/* True when pid was one of ours (counter writer, commit command). */
bool health_reaped(pid_t pid, int status);
/* The "health" control request: `health\tSTATE\tDETAIL\tCOUNTER` then OK. */
void health_request(struct buf *o);
/* give-up failsafe: set the counter to the fallback-after value, so that
 * preinit enters failsafe at the next boot. The write is a child's like
 * every other: call it before sup_shutdown (the final kill ends it
 * otherwise; the file then keeps its old value, never a partial one).
 * False when there is no counter or no fallback-after to set. */
bool health_failsafe(void);
/* The same, under the name the supervisor's `give-up failsafe` calls. */
void live_fail_boot(void);

#endif
