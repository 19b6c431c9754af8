/* sup_internal: state and helpers shared by the supervisor's three files (not for other modules). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SUP_INTERNAL_H
#define KEEL_SUP_INTERNAL_H

#include <stdarg.h>
#include "supervisor.h"

/*
 * supervisor.c   one service's life: start, exec report, readiness, exit,
 *                respawn, stop, timers, requests;
 * sup_plan.c     targets: the dependency plans, which service may start,
 *                and the shutdown phases;
 * sup_reload.c   reload as a reconcile of the old and new service sets;
 * sup_live.c     liveness: READY/MAINPID from notify, forking daemons,
 *                crash hooks, jitter, giving up, critical services.
 */

/* A respawned process that lived this long is healthy: its next crash
 * restarts it at once and the backoff starts over. */
#define SUP_HEALTHY_MS 10000UL
/* The shutdown/reboot target gets this long before the remaining processes
 * are killed: a hung shutdown script must not keep the device up forever. */
#define SUP_FINAL_TARGET_MS 30000UL
/* Starts per pass of PID 1's loop: 10,000 services wanted at once must not
 * keep the control socket unheard for seconds. */
#define SUP_START_BATCH 128
/* After SIGTERM to everything left, this long before SIGKILL. */
#define SUP_KILL_GRACE_MS 2000UL
#define SUP_KILL_WAIT_MS 1000UL
/* A ready fd carries one line: what comes before its newline is read up
 * to this much, then no more (a flood without newline took a core). */
#define SUP_READY_JUNK_MAX 4096U

/* The services of one target and their dependency graph. */
struct sup_plan {
	size_t *members; /* indices into sup.svcs; graph node i is members[i] */
	size_t n;
	struct graph g;
	bool active;
	bool reached; /* every member settled once: announced */
	size_t reach_from; /* where the look for an unsettled member resumes */
};

struct sup_core {
	struct svc **svcs; /* sorted by instance name (after a reload too) */
	size_t nsvcs;
	struct sup_plan plans[SVC_TARGET_COUNT];
	struct diags config_diags;
	const struct services_conf *conf;
	enum sup_phase phase;
	enum sup_action action;
	enum svc_target final_target;
	uint64_t phase_deadline_ms;
	bool kill_escalated;
	bool no_children;
	bool reap_pending; /* the last reap stopped at its batch limit */
	/* The last start scan stopped at SUP_START_BATCH starts: the loop
	 * turns (keelctl, readiness, exits are heard), then it goes on. */
	bool start_pending;
	unsigned starts; /* in this sup_step */
	int ino_fd; /* inotify for `ready file`: -1 until first needed, -2 unavailable */
	struct svc *rescue;
	/* Some state changed since the last pass over the plans: only then can
	 * a waiting service have become startable. */
	bool dirty;
	/* Some member of an active plan may be WAITING: the start scan is
	 * needed. Cleared by a scan that found none, set by anything that
	 * makes a service wait. Without it, each of 1000 readiness events
	 * would walk 1000 members that were all started at the first. */
	bool may_wait;
};

extern struct sup_core sup;

const char *svc_label(const struct svc *s);
void svc_set_reason(struct svc *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void svc_set_state(struct svc *s, enum sup_state st);
void svc_fail(struct svc *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void svc_start(struct svc *s);
void svc_stop(struct svc *s, enum sup_state to);
bool svc_active(const struct svc *s);
bool svc_terminal(const struct svc *s);
/* Has s done what its dependents wait for? (`wait`: exited; others: exec'd
 * and, with a `ready` line, ready). */
bool svc_settled(const struct svc *s);
bool svc_succeeded(const struct svc *s);
struct svc *svc_new(struct svc_def *def);
void svc_free(struct svc *s);

/* Rebuild every target's graph over the services not being removed. */
int plans_build(void);

void svc_became_ready(struct svc *s);
void svc_exec_done(struct svc *s); /* the exec report pipe ended without a report */
void svc_exited(struct svc *s, int status); /* its process ended with this wait status */

/* sup_live.c */
/* s's main process (old) exited 0: follow the daemon it left (pidfile, or
 * its process group). 1: s goes on with a new pid; 0: nothing to follow;
 * -1: its pidfile is bad (the reason says why): a failure. */
int live_follow(struct svc *s, pid_t old);
/* Watch a main process that is not keel's child (pidfd): its end is s's exit. */
void live_watch_pid(struct svc *s, pid_t pid);
void live_crashed(struct svc *s, int status);  /* on-crash hook */
void live_gave_up(struct svc *s);              /* the respawn limit was reached */
void live_failed(struct svc *s);               /* critical */
unsigned long live_jitter_ms(const struct svc *s);
bool live_reaped(pid_t pid, int status);
void live_service_gone(struct svc *s);
void live_fail_boot(void);

/* sup_readycap.c: n more bytes without a newline on ready fd fd; true
 * once over SUP_READY_JUNK_MAX (*total: the count so far). */
bool ready_cap_exceeded(int fd, size_t n, unsigned *total);
void ready_cap_reset(int fd); /* a new ready pipe on fd */

/* sup_retry.c: s could not start for want of a process, memory or fds
 * (err): true if it waits in backoff to try again. */
bool sup_start_retry(struct svc *s, int err);

/* spawn_collect's report: how a pending start's exec went. */
void sup_spawn_result(pid_t pid, const char *why);

#endif
