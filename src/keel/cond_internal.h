/* cond_internal: state shared by the conditions module's files (not for other modules). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_COND_INTERNAL_H
#define KEEL_COND_INTERNAL_H

#include "conditions.h"
#include "netfacts.h"

/*
 * conditions.c  the table of facts, gating, flags, control requests;
 * cond_watch.c  inotify: path conditions and path triggers;
 * cond_net.c    rtnetlink: interfaces, addresses, default routes;
 * cond_mount.c  /proc/self/mountinfo: `mounted` and mount triggers;
 * cond_timer.c  timers (`every` on the monotonic clock, `at` on the wall
 *               clock), condition timeouts and watch re-checks.
 *
 * Invariants:
 *   - facts are sorted by (kind, sub, arg), one per distinct condition
 *     (without its '!'); a service finds its conditions' facts by bsearch,
 *     so definitions swapped at a restart never leave a stale pointer;
 *   - csvcs[i] belongs to the service whose cix is i + 1; a service with no
 *     svc_conds has cix 0;
 *   - a watch point is watched on its target directory or, while that
 *     does not exist, on its nearest existing ancestor.
 */

/* Re-check interval for watches the kernel refused. */
#define COND_RECHECK_MS 5000

struct fact {
	char *arg;
	char *where;   /* "file:line" of its first user, for messages */
	uint8_t kind, sub;
	bool value;    /* cached: path, cmdline, flag; live for the others */
	bool reported; /* the value last seen by cond_fact_changed */
	uint32_t since; /* when it changed to that (timeline stamp), 0: before the table */
	int wp;        /* watch point of a path fact, -1 none */
};

/* Per-service runtime state, for services with a svc_conds. */
struct csvc {
	struct svc *s;
	char **trig_env;       /* KEEL_TRIGGER_PATH=, KEEL_TRIGGER_EVENT=, NULL */
	uint64_t wait_since_ms; /* waiting on conditions since (0: not) */
	uint64_t *due_ms;       /* per `every` timer: next due time (monotonic) */
	int64_t *due_wall;      /* per `at` timer: next due time (wall, s) */
	unsigned skipped_runs;
	int *wps;               /* watch point per trigger, -1 none */
	size_t ntimers, ntrig;
	struct svc_def *reload_def; /* what `reload exec` starts (see cond_reload_service) */
	struct svc_cmd reload_cmd;
	bool pending;           /* one more run wanted (trigger or timer) */
	bool cycle;             /* part of a condition cycle: never started */
};

struct cond_core {
	struct fact *facts;
	size_t nfacts;
	struct csvc *csvcs;
	size_t ncsvcs;
	char **flags;   /* set user flags, sorted */
	size_t nflags;
	char *cmdline;
	size_t npending;  /* csvcs with pending set */
	size_t nlost;     /* csvcs with condition-lost restart */
	bool need_net;
};

extern struct cond_core cond;

struct fact *cond_fact_find(const struct svc_cond *c);
bool cond_fact_value(const struct fact *f);
bool cond_holds(const struct svc_cond *c);
struct csvc *cond_csvc(const struct svc *s);
/* A trigger of cs matched: path and event word for its environment. */
void cond_trigger_fire(struct csvc *cs, const struct svc_trigger *t, const char *path,
		       const char *event);
/* A fact's value may have changed: poke the supervisor if it did. */
void cond_fact_changed(void);

/* cond_watch.c */
/* Watch point for a path fact or a trigger; -1 on failure (said once). */
int watch_point_add(const char *target_dir, const char *where);
void watch_points_reset(void);
/* Fill in fact values and place every watch (after a rebuild). */
void watch_sync_all(void);
void watch_event(int fd);
bool watch_point_refused(int wp);
/* PATH (a mount point) is what the trigger names: its directory, and a
 * last component its glob matches. */
bool trigger_path_matches(const struct svc_trigger *t, const char *path);
bool watch_any_refused(void);
void watch_recheck(void);

/* cond_net.c */
void net_open(void);
void net_event(int fd);
const struct netfacts *net_facts(void);
bool net_known(void); /* a whole dump was read: the facts are the kernel's */
bool net_unavailable(void);

/* cond_mount.c */
void mount_sync(void); /* after a rebuild: opened, read, or closed */
void mount_event(int fd);
uint64_t mount_next_deadline(void);
void mount_due(void);
bool mount_unavailable(void);

/* cond_timer.c */
void timers_plan(struct csvc *cs); /* compute first due times */
void timers_arm_clock(void);       /* after every service was planned */
uint64_t timers_next_deadline(void);
void timers_due(void);
void clock_event(int fd);

#endif
