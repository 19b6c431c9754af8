/* events: the event stream — state changes, condition changes and keel's log lines, to subscribers of the control socket. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_EVENTS_H
#define KEEL_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "supervisor.h"

/*
 * A subscriber is a control connection that asked `events`: from then on
 * keel writes it one line per event (docs/keelctl.md, "Events"):
 *   event SEQ MONO_MS WALL_MS state NAME STATE FROM PID LAST_EXIT EXIT_CODE SIGNAL REASON
 *   event SEQ MONO_MS WALL_MS cond CONDITION VALUE
 *   event SEQ MONO_MS WALL_MS log SEVERITY TEXT
 *   event SEQ MONO_MS WALL_MS overrun DROPPED
 * Each subscriber has a queue of at most EVENTS_QUEUE_MAX bytes, written as
 * the socket drains (never a blocking write). A subscriber whose queue is
 * full gets a last `overrun` event and is dropped once that is written (or
 * after EVENTS_DRAIN_MS). SEQ counts every event keel produced, so a gap
 * shows a loss. Invariant: PID 1 never waits on a subscriber.
 */
#define EVENTS_MAX_SUBSCRIBERS 8
#define EVENTS_MAX_PER_UID 2 /* for uids other than 0 */
#define EVENTS_QUEUE_MAX 32768
#define EVENTS_SOCKET_BUF 32768 /* SO_SNDBUF of a subscriber's socket */
#define EVENTS_DRAIN_MS 5000

/* Takes over fd (a control client, its request read): 0, or -1 with *err
 * (the caller answers and closes). */
int events_subscribe(int fd, uid_t uid, const char **err);
void events_fd_event(int fd, uint32_t ev); /* LOOP_EVENTS */
/* Drops subscribers that did not drain in time; the next deadline or 0. */
uint64_t events_timer(void);
/* Says goodbye (an `OK end` line, best effort) and closes every subscriber. */
void events_close(void);

/* Producers (hooks). */
void events_state(const struct svc *s, enum sup_state st); /* svc_set_state */
void events_cond(const char *condition, bool value);
void events_log(int severity, const char *text, size_t len);
/* The wall clock in ms, as the events' WALL_MS. */
long long events_wall_ms(void);
/* Is anybody listening? (producers that must compute their event first) */
bool events_wanted(void);

#endif
