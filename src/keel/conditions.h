/* conditions: start conditions, path triggers, timers and reload triggers — PID 1's side of cond.h. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CONDITIONS_H
#define KEEL_CONDITIONS_H

#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "cond.h"
#include "loop.h"
#include "supervisor.h"

/* The kernel command line, for `condition cmdline` (copied). */
void cond_set_cmdline(const char *text);

/* The set of services changed (boot, reload): rebuild the table of
 * conditions, watches, sockets and timers from it. Keeps the flags, and
 * the pending runs of services that are still there. */
void cond_rebuild(void);

/* May s start now? False while some condition does not hold (its reason
 * then says which). When true and a trigger is pending, the next
 * spawn_service gets the trigger's environment: call it right before the
 * start. True for services without conditions. */
bool cond_gate(struct svc *s);

/* s is part of a condition cycle: skipped until the files change. */
bool cond_skipped(const struct svc *s);

/* s waits for a condition that does not hold (not for a dependency): the
 * boot is complete without it. */
bool cond_waiting(const struct svc *s);

/* Once per loop turn while running: pending runs of event-started
 * services, conditions lost by running services (condition-lost restart). */
void cond_step(void);

/* Earliest deadline of the module (monotonic ms), 0 if none; and the
 * work for deadlines that are due. */
uint64_t cond_next_deadline(void);
void cond_timer_event(void);

/* One of the module's fds is readable (LOOP_COND_* tags). */
void cond_fd_event(int fd, enum loop_tag tag);

/* Another module waiting for the mount table (health: its counter's
 * partition). The watcher is opened if nobody else holds it and read, then
 * read again when the kernel says the table changed, at most every 100 ms
 * whatever the storm; changed runs after each read, the first one right
 * inside this call (nothing mounted in between is missed). It returns false
 * once it needs no more: the watcher forgets it and closes the file if no
 * service needs it. changed must not call cond_mount_watch. The caller owns
 * w until then. -1 (w not kept): the table cannot be watched (said once). */
struct mount_watcher {
	bool (*changed)(void);
	struct mount_watcher *next;
};
int cond_mount_watch(struct mount_watcher *w);

/* Control requests: `cond`, `cond set NAME`, `cond clear NAME`
 * (argv[0] is "cond"). */
void cond_request(struct buf *o, char **argv, int argc);
/* The event stream got its first subscriber: the values it is told changes
 * of start from now. */
void cond_events_sync(void);
/* status NAME: "wait NAME CONDITION MS" for each condition of s, how long
 * after it was wanted the condition came to hold (until end: its start, or
 * now while it waits and the condition still does not hold). */
void cond_waits(struct buf *o, const struct svc *s, uint64_t wanted, uint64_t end, bool started);

/* Reload one running service: its `reload` line (default SIGHUP). 0, or
 * -1 with *err set. */
int cond_reload_service(struct svc *s, const char **err);

#endif
