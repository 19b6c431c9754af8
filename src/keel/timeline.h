/* timeline: when each service was wanted, started, ready, stopped and exited — 20 bytes beside struct svc. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_TIMELINE_H
#define KEEL_TIMELINE_H

#include <stdint.h>
#include "buf.h"
#include "supervisor.h"

/*
 * One small entry per service in a side table (struct svc keeps only its
 * index, s->tix, in what was padding). A stamp is the low 32 bits of the
 * monotonic clock in ms (0: never); it is read back as now minus its age,
 * which is right for anything less than 49 days old, so the entry costs 20
 * bytes, not 40. A new run (wanted, or started without waiting) clears the
 * later stamps of the previous one.
 */
enum tl_stamp { TL_WANTED, TL_STARTED, TL_READY, TL_STOPPED, TL_EXITED, TL_COUNT };

/* Hook in svc_set_state: s goes from its current state to st. */
void timeline_state(struct svc *s, enum sup_state st);
/* Hook in svc_free. */
void timeline_service_gone(struct svc *s);
/* A stamp as monotonic ms, 0 if never. */
uint64_t timeline_get(const struct svc *s, enum tl_stamp k);
/* Appends "\tWANTED\tSTARTED\tREADY\tSTOPPED\tEXITED" (monotonic ms, 0 never). */
void timeline_fields(struct buf *o, const struct svc *s);
/* "NAME,NAME": the services s waits for in its target's plan. */
void timeline_deps(struct buf *o, const struct svc *s);
/* "wait NAME DEP MS" lines: how long s waited for each dependency (from
 * wanted until it was ready, or until s started), then for each of its
 * conditions (conditions.c: cond_waits). */
void timeline_waits(struct buf *o, const struct svc *s);
/* A `wait` service whose process runs longer than TIMELINE_WAIT_FIRST_MS
 * gets "still waiting for X (Ns)" on the console, again after gaps that
 * double. For PID 1's loop: */
#define TIMELINE_WAIT_FIRST_MS 5000
uint64_t timeline_next_deadline(void);
void timeline_timer_event(void);
/* A stamp of now, and a stamp back as monotonic ms (0: never), for other
 * tables that keep stamps the same way. */
uint32_t timeline_stamp_now(void);
uint64_t timeline_stamp_ms(uint32_t stamp);
/* When keel started (monotonic ms), and when the boot target was reached
 * (0: not yet). */
uint64_t timeline_keel_start(void);
void timeline_set_keel_start(uint64_t ms);
#endif
