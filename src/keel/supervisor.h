/* supervisor: the services' state machines — start, readiness, respawn, stop, targets. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SUPERVISOR_H
#define KEEL_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "diag.h"
#include "graph.h"
#include "svc.h"
#include "services.h"

/*
 * One state per service, changed only by sup_* functions (events) and the
 * single pass sup_step() (decisions). `want_up` is the desired state, kept
 * apart from the current one. Invariants:
 *   - pid > 0  <=>  state is STARTING, RUNNING or STOPPING;
 *   - ready_rfd >= 0 only while STARTING with `ready fd`;
 *   - exec_rfd >= 0 only between fork and the child's exec (or failure);
 *     until then the service is STARTING, whatever its `ready` line;
 *   - deadline_ms != 0 only in STARTING (ready timeout), BACKOFF (restart
 *     time) and STOPPING (SIGKILL time).
 */
enum sup_state {
	SUP_INACTIVE, /* not part of what is running now */
	SUP_WAITING,  /* wanted, waiting for dependencies */
	SUP_STARTING, /* process runs, not yet ready */
	SUP_RUNNING,  /* process runs and is ready */
	SUP_DONE,     /* exited successfully (wait, once) */
	SUP_FAILED,   /* failed to start, exited non-zero, gave up respawning, not ready in time */
	SUP_BACKOFF,  /* respawn: waiting before the next start */
	SUP_STOPPING, /* stop signal sent, waiting for the exit */
	SUP_STOPPED,  /* stopped on request */
	SUP_SKIPPED,  /* not started: bad file, or a required dependency failed */
	SUP_STATE_COUNT
};

struct svc {
	/* Ordered by size (one per service in PID 1: no padding holes). */
	struct svc_def *def;
	struct svc_def *next_def; /* definition to switch to once stopped */
	char *reason;        /* why FAILED/SKIPPED, shown by status */
	uint64_t state_ms;   /* when the state last changed */
	uint64_t start_ms;   /* when the current process was started */
	uint64_t deadline_ms;
	uint64_t window_start_ms;
	unsigned long delay_ms; /* next respawn delay */
	size_t node;         /* index in its target's plan, SIZE_MAX if none */
	enum sup_state state;
	enum sup_state stop_to; /* STOPPED, or FAILED when stopped for a fault */
	pid_t pid;
	int ready_rfd;
	int exec_rfd;    /* exec report pipe, until exec succeeded or failed */
	int ready_wd;    /* inotify watch for `ready file`, -1 none */
	unsigned restarts;   /* since boot (or the last manual start) */
	unsigned window_restarts;
	int last_status;     /* wait status of the last exit, -1 none */
	bool want_up;
	bool was_ready;  /* has counted as started since it was last wanted */
	bool removed;    /* dropped by reload: freed once it is down */
	bool restart_after_stop; /* restart (or reload change) in progress */
	bool announced;      /* its first "[ OK ]" was printed */
	bool mark;           /* scratch flag for reload's matching */
	/* Its entry in the conditions module's table + 1, 0 if none (fits
	 * in what was padding: no cost per service). */
	uint32_t cix;
	uint32_t lix; /* its entry in the log's table + 1, 0 if none */
	uint32_t tix; /* its entry in timeline.c's table + 1, 0 if none */
};

enum sup_phase {
	SUP_PHASE_RUN,      /* boot target and later: normal life */
	SUP_PHASE_STOPPING, /* stopping everything in reverse order */
	SUP_PHASE_FINAL,    /* running the shutdown/reboot target */
	SUP_PHASE_KILL,     /* killing what is left */
	SUP_PHASE_DONE,     /* ready for sync, unmount, reboot(2) */
};

enum sup_action { SUP_ACTION_NONE, SUP_ACTION_REBOOT, SUP_ACTION_POWEROFF, SUP_ACTION_HALT,
		 SUP_ACTION_RESTART /* inittab's restart: exec another init */ };

/* Startup: take ownership of the loaded set and its diagnostics; conf
 * (kept by pointer) is what reload reads again. */
int sup_init(struct svc_set *set, struct diags *diags, const struct services_conf *conf);

/* Begin the given target (boot at start, ctrlaltdel on Ctrl-Alt-Del). */
void sup_start_target(enum svc_target t);
/* True when no service (not skipped) belongs to target t. */
bool sup_target_empty(enum svc_target t);
/* Begin shutdown; the first request wins. */
void sup_shutdown(enum sup_action action);
enum sup_action sup_action(void);
enum sup_phase sup_phase(void);

/* Events. */
void sup_reap(void); /* SIGCHLD: reap every child, orphans included */
void sup_ready_fd_event(int fd);
void sup_exec_fd_event(int fd);
void sup_inotify_event(void);
void sup_timer_event(void);

/* Decide: start what may start, stop what must stop, advance phases.
 * Cheap to call after any event. */
void sup_step(void);

/* Earliest deadline (monotonic ms), 0 if none. */
uint64_t sup_next_deadline(void);

/* Requests (control socket). Each returns 0 or -1 with *err set (static text
 * or allocated in err_buf). */
struct svc *sup_find(const char *name, const char **err);
int sup_request_start(struct svc *s);
int sup_request_stop(struct svc *s);
int sup_request_restart(struct svc *s);
/* Re-read the service dir and apply the difference. */
int sup_reload(char **summary);

/* For the conditions module (conditions.c). */
/* Something a waiting service may wait for has changed: scan again. */
void sup_poke(void);
/* One more run of s is wanted (a trigger, a timer): WAITING unless it is
 * already on its way or running. */
void sup_want(struct svc *s);
/* A condition of s stopped holding (condition-lost restart): stop it and
 * let it wait again. */
void sup_cond_lost(struct svc *s);
/* s waited too long for its conditions. */
void sup_fail_waiting(struct svc *s, const char *why);
/* s is part of a service-state condition cycle: skipped. */
void sup_skip(struct svc *s, const char *why);

/* For notify, forking daemons and the respawn policy (sup_live.c). */
void sup_service_ready(struct svc *s);            /* READY=1 */
void sup_set_mainpid(struct svc *s, pid_t pid);   /* MAINPID=, a followed daemon */
void sup_extend_deadline(struct svc *s, uint64_t ms); /* EXTEND_TIMEOUT_USEC */
void sup_service_hung(struct svc *s, const char *why); /* watchdog: kill, a failure */
uint64_t live_next_deadline(void); /* crash hooks' time limits */
void live_pidfd_event(int fd);      /* LOOP_PIDFD */
void live_timer_event(void);

/* Iteration for status output. */
size_t sup_count(void);
struct svc *sup_get(size_t i);
const struct diags *sup_diags(void);
const char *sup_state_name(enum sup_state st);
/* A wait status in the words status output uses: "exit 1", "signal KILL",
 * "-" for none (st < 0). */
void sup_exit_text(int st, char *buf, size_t len);
const char *sup_service_dir(void);
uint64_t sup_now_ms(void);

/* keel.single: run a rescue shell on the console first; the boot target
 * starts when it exits. */
int sup_start_rescue(void);

/* Epoll registration of ready and exec pipes: provided by loop.c. */
void loop_watch_exec_fd(int fd);
void loop_watch_fd(int fd);
void loop_unwatch_fd(int fd);
int loop_add_inotify(int fd);

#endif
