/* supervisor: one service's life — start, exec report, readiness, exit, respawn, stop, requests. */
/* SPDX-License-Identifier: MIT */
#include "sup_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conditions.h"
#include "live.h"
#include "log.h"
#include "logd.h"
#include "notify.h"
#include "pidmap.h"
#include "health.h"
#include "upgrade.h"
#include "spawn.h"
#include "events.h"
#include "timeline.h"
#include "spawn_flight.h"

struct sup_core sup = {
	.phase = SUP_PHASE_RUN,
	.final_target = SVC_TARGET_SHUTDOWN,
	.ino_fd = -1,
	.dirty = true,
	.may_wait = true,
};

static struct svc **fd_owner; /* readiness or exec pipe fd -> service */
static size_t fd_owner_cap;
static const char *const state_names[SUP_STATE_COUNT] = {
	[SUP_INACTIVE] = "inactive", [SUP_WAITING] = "waiting",
	[SUP_STARTING] = "starting", [SUP_RUNNING] = "running",
	[SUP_DONE] = "done",         [SUP_FAILED] = "failed",
	[SUP_BACKOFF] = "backoff",   [SUP_STOPPING] = "stopping",
	[SUP_STOPPED] = "stopped",   [SUP_SKIPPED] = "skipped",
};

const char *sup_state_name(enum sup_state st)
{
	return st < SUP_STATE_COUNT ? state_names[st] : "?";
}

uint64_t sup_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

size_t sup_count(void) { return sup.nsvcs; }
struct svc *sup_get(size_t i) { return i < sup.nsvcs ? sup.svcs[i] : NULL; }
const struct diags *sup_diags(void) { return &sup.config_diags; }
const char *sup_service_dir(void) { return sup.conf->service_dir; }
enum sup_action sup_action(void) { return sup.action; }
enum sup_phase sup_phase(void) { return sup.phase; }

const char *svc_label(const struct svc *s)
{
	return s->def->description ? s->def->description : s->def->instance;
}

static void svc_vset_reason(struct svc *s, const char *fmt, va_list ap)
{
	char *r = NULL;
	if (vasprintf(&r, fmt, ap) < 0)
		r = NULL;
	free(s->reason);
	s->reason = r; /* NULL on allocation failure: status shows no reason */
}

void svc_set_reason(struct svc *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	svc_vset_reason(s, fmt, ap);
	va_end(ap);
}

void svc_set_state(struct svc *s, enum sup_state st)
{
	timeline_state(s, st);
	events_state(s, st);
	if (s->state != st)
		log_debug("%s: %s -> %s", s->def->instance, sup_state_name(s->state),
			  sup_state_name(st));
	s->state = st;
	s->state_ms = sup_now_ms();
	sup.dirty = true;
	if (st == SUP_WAITING)
		sup.may_wait = true;
}

void sup_exit_text(int st, char *buf, size_t len)
{
	const char *sig = WIFSIGNALED(st) ? svc_signal_name(WTERMSIG(st)) : NULL;
	if (st < 0)
		snprintf(buf, len, "-");
	else if (WIFEXITED(st))
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	else if (sig)
		snprintf(buf, len, "signal %s", sig);
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "signal %d", WTERMSIG(st));
	else
		snprintf(buf, len, "status %d", st);
}

void svc_fail(struct svc *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	svc_vset_reason(s, fmt, ap);
	va_end(ap);
	s->deadline_ms = 0;
	/* Its "[ OK ]" said it started: this line is about what came after. */
	bool ran = s->state == SUP_RUNNING && s->announced;
	svc_set_state(s, SUP_FAILED);
	log_msg("[FAIL] %s: %s%s", svc_label(s), s->reason ? s->reason : "failed",
		ran ? " (after it started)" : "");
	live_failed(s);
}

static void svc_announce(struct svc *s)
{
	if (!s->announced) {
		s->announced = true;
		log_info("[ OK ] %s", svc_label(s));
	}
}

/* ---- ready fds and files ---- */

static void fd_owner_set(int fd, struct svc *s)
{
	if ((size_t)fd >= fd_owner_cap) {
		size_t ncap = fd_owner_cap ? fd_owner_cap : 64;
		while (ncap <= (size_t)fd)
			ncap *= 2;
		struct svc **n = realloc(fd_owner, ncap * sizeof *n);
		if (!n)
			return; /* the fd then goes unnoticed; the ready timeout still applies */
		memset(n + fd_owner_cap, 0, (ncap - fd_owner_cap) * sizeof *n);
		fd_owner = n;
		fd_owner_cap = ncap;
	}
	fd_owner[fd] = s;
}

static void svc_ready_cleanup(struct svc *s)
{
	if (s->ready_rfd >= 0) {
		loop_unwatch_fd(s->ready_rfd);
		if ((size_t)s->ready_rfd < fd_owner_cap)
			fd_owner[s->ready_rfd] = NULL;
		close(s->ready_rfd);
		s->ready_rfd = -1;
	}
	if (s->ready_wd >= 0) {
		inotify_rm_watch(sup.ino_fd, s->ready_wd);
		s->ready_wd = -1;
	}
}

/* The next time something must happen to a running process: its ready
 * timeout while starting, its run timeout (wait/once `timeout`). */
static uint64_t svc_run_deadline(const struct svc *s)
{
	uint64_t d = 0;
	if (s->def->o->timeout_ms && s->def->type != SVC_TYPE_RESPAWN)
		d = s->start_ms + s->def->o->timeout_ms;
	if (s->state == SUP_STARTING && s->def->ready != SVC_READY_NONE &&
	    s->def->o->ready_timeout_ms) {
		uint64_t r = s->start_ms + s->def->o->ready_timeout_ms;
		if (!d || r < d)
			d = r;
	}
	return d;
}

static void svc_exec_cleanup(struct svc *s)
{
	if (s->exec_rfd >= 0) {
		flight_done(s->pid);
		loop_unwatch_fd(s->exec_rfd);
		if ((size_t)s->exec_rfd < fd_owner_cap)
			fd_owner[s->exec_rfd] = NULL;
		close(s->exec_rfd);
		s->exec_rfd = -1;
	}
}

void svc_became_ready(struct svc *s)
{
	svc_ready_cleanup(s);
	s->was_ready = true;
	svc_set_state(s, SUP_RUNNING);
	s->deadline_ms = svc_run_deadline(s);
	if (s->def->type != SVC_TYPE_WAIT)
		svc_announce(s);
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Watch the directory, not the file: the file does not exist yet. */
static void svc_watch_ready_file(struct svc *s)
{
	char *dir = strdup(s->def->o->ready_file);
	if (!dir)
		return;
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	/* Made at the first `ready file`: most systems never need one. */
	if (sup.ino_fd == -1) {
		sup.ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (sup.ino_fd < 0 || loop_add_inotify(sup.ino_fd) < 0) {
			log_msg("warning: inotify unavailable (%s): `ready file` falls back "
				"to checks on each event and timeouts", strerror(errno));
			if (sup.ino_fd >= 0)
				close(sup.ino_fd);
			sup.ino_fd = -2; /* said once; not tried again */
		}
	}
	if (sup.ino_fd >= 0)
		s->ready_wd = inotify_add_watch(sup.ino_fd, dir,
						IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE);
	if (s->ready_wd < 0)
		log_debug("%s: cannot watch %s (%s): checking on each event", s->def->instance,
			  dir, strerror(errno));
	free(dir);
}

void sup_ready_fd_event(int fd)
{
	struct svc *s = (size_t)fd < fd_owner_cap ? fd_owner[fd] : NULL;
	if (!s) {
		loop_unwatch_fd(fd);
		return;
	}
	char buf[256];
	/* Bounded: a service writing without end must not hold the loop;
	 * epoll reports the rest on the next round. */
	for (int round = 0; round < 16; round++) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r > 0) {
			if (memchr(buf, '\n', (size_t)r)) {
				svc_became_ready(s);
				return;
			}
			unsigned total;
			if (ready_cap_exceeded(fd, (size_t)r, &total)) {
				/* No longer read (nor closed: the service blocks on
				 * a full pipe, no SIGPIPE); its timeout or exit
				 * settles it. */
				log_msg("warning: %s: %u bytes on its ready fd without a newline: "
					"no longer read", s->def->instance, total);
				loop_unwatch_fd(fd);
				return;
			}
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		/* EOF without a newline: the service gave up on telling us; only
		 * its exit or the timeout can settle it now. */
		svc_ready_cleanup(s);
		return;
	}
}

/* The exec pipe reached end of file with no report: the command runs. */
void svc_exec_done(struct svc *s)
{
	svc_exec_cleanup(s);
	if (s->reason || s->state != SUP_STARTING)
		return; /* failed: its exit follows; or already ready */
	switch (s->def->ready) {
	case SVC_READY_NONE:
		/* A forking daemon is started once followed (sup_live.c). */
		if (!s->def->o->lv || !s->def->o->lv->pidfile)
			svc_became_ready(s);
		break;
	case SVC_READY_FILE:
		if (file_exists(s->def->o->ready_file))
			svc_became_ready(s);
		else
			svc_watch_ready_file(s);
		break;
	case SVC_READY_FD:
	case SVC_READY_NOTIFY:
		break;
	}
}

/* Read what the child reported; true at end of file. */
static bool svc_exec_read(struct svc *s)
{
	char buf[512];
	for (;;) {
		ssize_t r = read(s->exec_rfd, buf, sizeof buf - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno != EAGAIN;
		if (r == 0)
			return true;
		buf[r] = '\0';
		char *nl = strchr(buf, '\n');
		if (nl)
			*nl = '\0';
		if (!s->reason)
			s->reason = strdup(buf); /* the first line says it all */
	}
}

void sup_spawn_result(pid_t pid, const char *why)
{
	struct svc *s = pidmap_get(pid);
	if (!s || s->pid != pid)
		return;
	if (!why)
		svc_exec_done(s);
	else if (!s->reason)
		s->reason = strdup(why); /* exec failed: the exit follows */
}

void sup_exec_fd_event(int fd)
{
	struct svc *s = (size_t)fd < fd_owner_cap ? fd_owner[fd] : NULL;
	if (!s || s->exec_rfd != fd) {
		loop_unwatch_fd(fd);
		return;
	}
	if (svc_exec_read(s))
		svc_exec_done(s);
}

void sup_inotify_event(void)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	while (read(sup.ino_fd, buf, sizeof buf) > 0)
		; /* contents do not matter: check every waiting file below */
	for (size_t i = 0; i < sup.nsvcs; i++) {
		struct svc *s = sup.svcs[i];
		if (s->state == SUP_STARTING && s->def->ready == SVC_READY_FILE &&
		    file_exists(s->def->o->ready_file))
			svc_became_ready(s);
	}
}

/* ---- start and stop ---- */

void svc_start(struct svc *s)
{
	int rfd = -1, efd = -1;
	const char *why = NULL;
	s->deadline_ms = 0;
	bool pending;
	logd_before_start(s);
	notify_before_start(s);
	pid_t pid = spawn_service(s->def, &rfd, &efd, &why, &pending);
	if (pid < 0) {
		if (!why && sup_start_retry(s, errno))
			return;
		svc_fail(s, "cannot start: %s", why ? why : strerror(errno));
		return;
	}
	s->pid = pid;
	s->start_ms = sup_now_ms();
	if (pidmap_put(pid, s) < 0)
		log_msg("warning: %s: out of memory tracking pid %d", s->def->instance, (int)pid);
	free(s->reason);
	s->reason = NULL;
	notify_started(s);
	if (s->def->ready == SVC_READY_FD) {
		ready_cap_reset(rfd);
		s->ready_rfd = rfd;
		fd_owner_set(rfd, s);
		loop_watch_fd(rfd);
	}
	/* Started for its dependents only once exec'd (and ready, with a
	 * `ready` line): svc_exec_done and the ready events move it on. */
	svc_set_state(s, SUP_STARTING);
	s->deadline_ms = svc_run_deadline(s);
	if (pending) {
		/* sup_spawn_result says how the exec went. */
	} else if (efd >= 0) {
		s->exec_rfd = efd;
		fd_owner_set(efd, s);
		loop_watch_exec_fd(efd);
	} else if (why) {
		s->reason = strdup(why); /* exec failed: the exit follows */
	} else {
		svc_exec_done(s);
	}
}

/* A restart or respawn is a start like any other: while a condition does
 * not hold, the service waits (and the plan scan starts it later). */
static void svc_start_gated(struct svc *s)
{
	if (cond_gate(s)) {
		svc_start(s);
		return;
	}
	s->deadline_ms = 0;
	svc_set_state(s, SUP_WAITING);
}

static void svc_signal(struct svc *s, int sig)
{
	/* The service leads its own process group (setsid in spawn): signal the
	 * group so helpers die with it. A main process that is not the leader
	 * (MAINPID=, a followed daemon) is signalled in its own group, which
	 * holds the leader still alive; never keel's own group. */
	pid_t pg = getpgid(s->pid);
	if (pg > 1 && pg != getpgid(0) && kill(-pg, sig) == 0)
		return;
	kill(s->pid, sig);
}

void svc_stop(struct svc *s, enum sup_state to)
{
	switch (s->state) {
	case SUP_STARTING:
	case SUP_RUNNING:
		svc_ready_cleanup(s);
		s->stop_to = to;
		svc_signal(s, s->def->o->stop_signal);
		if (s->def->o->stop_signal != SIGCONT)
			svc_signal(s, SIGCONT); /* a stopped process must see the signal */
		s->deadline_ms = sup_now_ms() + s->def->o->stop_grace_ms;
		svc_set_state(s, SUP_STOPPING);
		break;
	case SUP_WAITING:
	case SUP_BACKOFF:
		s->deadline_ms = 0;
		svc_set_state(s, to);
		break;
	default:
		break;
	}
}

bool svc_active(const struct svc *s)
{
	return s->pid > 0;
}

/* ---- dependencies ---- */

bool svc_terminal(const struct svc *s)
{
	switch (s->state) {
	case SUP_INACTIVE:
	case SUP_DONE:
	case SUP_FAILED:
	case SUP_STOPPED:
	case SUP_SKIPPED:
		return true;
	default:
		return false;
	}
}

/* Has s done what its dependents wait for? (`wait`: exited; others: started
 * and, with a `ready` line, ready). */
bool svc_settled(const struct svc *s)
{
	if (s->def->type == SVC_TYPE_WAIT)
		return svc_terminal(s);
	return s->was_ready || svc_terminal(s);
}

bool svc_succeeded(const struct svc *s)
{
	if (s->def->type == SVC_TYPE_WAIT)
		return s->state == SUP_DONE;
	return s->was_ready && s->state != SUP_FAILED && s->state != SUP_SKIPPED;
}

struct svc *svc_new(struct svc_def *def)
{
	struct svc *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->def = def;
	s->ready_rfd = -1;
	s->exec_rfd = -1;
	s->ready_wd = -1;
	s->last_status = -1;
	s->stop_to = SUP_STOPPED;
	s->node = SIZE_MAX;
	s->state_ms = sup_now_ms();
	return s;
}

void svc_free(struct svc *s)
{
	logd_service_gone(s);
	notify_service_gone(s);
	live_service_gone(s);
	timeline_service_gone(s);
	svc_ready_cleanup(s);
	svc_exec_cleanup(s);
	svc_def_free(s->def);
	svc_def_free(s->next_def);
	free(s->reason);
	free(s);
}

/* ---- exits ---- */

static void svc_respawn_or_fail(struct svc *s, uint64_t now)
{
	const struct svc_def *d = s->def;
	uint64_t lived = now - s->start_ms;

	if (d->o->respawn_limit) {
		if (d->o->respawn_window_ms && now - s->window_start_ms > d->o->respawn_window_ms) {
			s->window_start_ms = now;
			s->window_restarts = 0;
		}
		if (s->window_restarts >= d->o->respawn_limit) {
			svc_fail(s, "respawned %u times, giving up", s->window_restarts);
			live_gave_up(s);
			return;
		}
		s->window_restarts++;
	}
	if (lived >= SUP_HEALTHY_MS)
		s->delay_ms = 0;
	else if (s->delay_ms == 0)
		s->delay_ms = d->o->respawn_delay_ms;
	else
		s->delay_ms = s->delay_ms * 2 > d->o->respawn_max_delay_ms ? d->o->respawn_max_delay_ms
									 : s->delay_ms * 2;
	s->restarts++;
	if (s->delay_ms)
		s->delay_ms += live_jitter_ms(s);
	if (s->delay_ms == 0) {
		svc_start_gated(s);
		return;
	}
	svc_set_state(s, SUP_BACKOFF);
	s->deadline_ms = now + s->delay_ms;
	if (s->delay_ms >= 1000)
		log_msg("%s: crashing, next restart in %lus", s->def->instance, s->delay_ms / 1000);
}

void svc_exited(struct svc *s, int st)
{
	uint64_t now = sup_now_ms();
	char how[48];
	bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;

	logd_service_exited(s); /* its last lines, before its exit is told */
	notify_service_exited(s);
	pid_t old = s->pid;
	pidmap_del(s->pid);
	s->pid = 0;
	s->last_status = st;
	s->deadline_ms = 0;
	if (s->exec_rfd >= 0)
		svc_exec_read(s); /* the child wrote its report before exiting */
	svc_exec_cleanup(s);
	svc_ready_cleanup(s);
	sup_exit_text(st, how, sizeof how);

	if (s->state == SUP_STOPPING) {
		svc_set_state(s, s->stop_to);
		if (s->restart_after_stop) {
			s->restart_after_stop = false;
			if (s->next_def) {
				svc_def_free(s->def);
				s->def = s->next_def;
				s->next_def = NULL;
			}
			if (s->want_up && sup.phase == SUP_PHASE_RUN)
				svc_start_gated(s);
		}
		return;
	}
	/* A daemon that forked: its main process left, the daemon goes on
	 * (or its pidfile says nothing good: a failure). */
	if (ok && sup.phase == SUP_PHASE_RUN) {
		int f = live_follow(s, old);
		if (f > 0)
			return;
		if (f < 0) {
			ok = false;
			st = 1 << 8; /* as "exit 1": its reason says why */
			sup_exit_text(st, how, sizeof how);
		}
	}
	if (!ok)
		live_crashed(s, st);
	if (s->def->type == SVC_TYPE_RESPAWN && s->want_up && sup.phase == SUP_PHASE_RUN) {
		log_debug("%s: exited (%s)", s->def->instance, how);
		svc_respawn_or_fail(s, now);
		return;
	}
	if (ok) {
		/* A `once` that exits 0 before signalling readiness did its job. */
		s->was_ready = true;
		svc_set_state(s, SUP_DONE);
		if (s->def->type == SVC_TYPE_WAIT)
			svc_announce(s);
		return;
	}
	if (s->reason) {
		char *r = s->reason;
		s->reason = NULL;
		svc_fail(s, "%s (%s)", r, how);
		free(r);
	} else {
		svc_fail(s, "%s", how);
	}
}

/* Zombies reaped per call: a fork storm must not keep PID 1 in this loop.
 * What is left is reaped on the next round (sup_next_deadline says now). */
#define SUP_REAP_BATCH 256

void sup_reap(void)
{
	sup.reap_pending = false;
	spawn_collect(sup_spawn_result); /* a child that failed before exec left its reason there */
	for (int n = 0;; n++) {
		if (n == SUP_REAP_BATCH) {
			sup.reap_pending = true;
			return;
		}
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);
		if (pid > 0) {
			flight_done(pid);
			struct svc *s = pidmap_get(pid);
			if (s)
				svc_exited(s, st);
			else if (!logd_reaped(pid, st) && !health_reaped(pid, st) && !upgrade_reaped(pid, st))
				live_reaped(pid, st);
			if (sup.rescue && s == sup.rescue && sup.phase == SUP_PHASE_RUN) {
				log_info("rescue shell exited: starting target boot");
				sup_start_target(SVC_TARGET_BOOT);
			}
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		sup.no_children = pid < 0 && errno == ECHILD;
		return;
	}
}

/* ---- timers ---- */

void sup_timer_event(void)
{
	if (sup.reap_pending)
		sup_reap();
	uint64_t now = sup_now_ms();
	for (size_t i = 0; i < sup.nsvcs; i++) {
		struct svc *s = sup.svcs[i];
		if (!s->deadline_ms || s->deadline_ms > now)
			continue;
		s->deadline_ms = 0;
		switch (s->state) {
		case SUP_BACKOFF:
			if (s->want_up && sup.phase == SUP_PHASE_RUN)
				svc_start_gated(s);
			break;
		case SUP_STARTING:
		case SUP_RUNNING:
			if (s->def->o->timeout_ms && s->def->type != SVC_TYPE_RESPAWN &&
			    now >= s->start_ms + s->def->o->timeout_ms) {
				svc_set_reason(s, "still running after %lu ms", s->def->o->timeout_ms);
			} else if (s->state == SUP_STARTING && s->def->o->ready_timeout_ms &&
				   now >= s->start_ms + s->def->o->ready_timeout_ms) {
				svc_set_reason(s, "not ready within %lu ms", s->def->o->ready_timeout_ms);
			} else {
				s->deadline_ms = svc_run_deadline(s);
				break;
			}
			log_msg("[FAIL] %s: %s", svc_label(s), s->reason ? s->reason : "timeout");
			svc_stop(s, SUP_FAILED);
			break;
		case SUP_STOPPING:
			log_msg("%s: still running %lu ms after %s: killing", s->def->instance,
				s->def->o->stop_grace_ms, svc_signal_name(s->def->o->stop_signal));
			svc_signal(s, SIGKILL);
			break;
		default:
			break;
		}
	}
}

uint64_t sup_next_deadline(void)
{
	if (sup.reap_pending || sup.start_pending)
		return sup_now_ms();
	uint64_t next = sup.phase_deadline_ms;
	for (size_t i = 0; i < sup.nsvcs; i++) {
		uint64_t d = sup.svcs[i]->deadline_ms;
		if (d && (!next || d < next))
			next = d;
	}
	return next;
}

/* ---- requests ---- */

struct svc *sup_find(const char *name, const char **err)
{
	struct svc *found = NULL;
	size_t generic = 0;
	for (size_t i = 0; i < sup.nsvcs; i++) {
		if (sup.svcs[i]->removed)
			continue;
		if (!strcmp(sup.svcs[i]->def->instance, name))
			return sup.svcs[i];
		if (!strcmp(sup.svcs[i]->def->name, name)) {
			found = sup.svcs[i];
			generic++;
		}
	}
	if (generic == 1)
		return found;
	*err = generic ? "ambiguous name: give the instance (name@arg)" : "no such service";
	return NULL;
}

int sup_request_start(struct svc *s)
{
	if (sup.phase != SUP_PHASE_RUN)
		return -1;
	s->want_up = true;
	if (svc_active(s))
		return 0;
	s->delay_ms = 0;
	s->window_restarts = 0;
	s->window_start_ms = sup_now_ms();
	if (!cond_gate(s)) {
		/* Started by the plan scan once its conditions hold. */
		s->was_ready = false;
		if (s->state != SUP_WAITING)
			svc_set_state(s, SUP_WAITING);
		return 0;
	}
	svc_start(s);
	return 0;
}

int sup_request_stop(struct svc *s)
{
	s->want_up = false;
	s->restart_after_stop = false;
	svc_stop(s, SUP_STOPPED);
	return 0;
}

int sup_request_restart(struct svc *s)
{
	if (sup.phase != SUP_PHASE_RUN)
		return -1;
	s->want_up = true;
	if (svc_active(s)) {
		s->restart_after_stop = true;
		svc_stop(s, SUP_STOPPED);
		return 0;
	}
	return sup_request_start(s);
}
