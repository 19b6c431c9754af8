/* sup_live: the supervisor's liveness hooks — READY/MAINPID from notify, forking daemons, crash hooks, give-up policy. */
/* SPDX-License-Identifier: MIT */
#include "sup_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "log.h"
#include "loop.h"
#include "pidmap.h"
#include "procstat.h"
#include "spawn.h"

/* A crash hook gets this long, then SIGKILL. */
#define LIVE_HOOK_MS 60000

static bool proc_ids(pid_t pid, pid_t *ppid, pid_t *pgrp);

/* ---- from notify ---- */

void sup_service_ready(struct svc *s)
{
	/* READY=1 comes from the service's own program: its exec succeeded,
	 * whether or not keel has read the exec report's end yet (fork-mode
	 * starts report through a pipe read later in the loop). */
	if (s->state == SUP_STARTING && s->exec_rfd >= 0)
		svc_exec_done(s);
	if (s->state == SUP_STARTING && !s->reason)
		svc_became_ready(s);
}

void sup_set_mainpid(struct svc *s, pid_t pid)
{
	if (s->pid <= 0 || pid <= 1 || pid == s->pid)
		return;
	log_info("%s: main process is now %d (was %d)", s->def->instance, (int)pid, (int)s->pid);
	pidmap_del(s->pid);
	s->pid = pid;
	if (pidmap_put(pid, s) < 0)
		log_msg("warning: %s: out of memory tracking pid %d", s->def->instance, (int)pid);
	pid_t ppid, pg;
	if (proc_ids(pid, &ppid, &pg) && ppid != getpid())
		live_watch_pid(s, pid);
}

void sup_extend_deadline(struct svc *s, uint64_t ms)
{
	if (!s->deadline_ms || (s->state != SUP_STARTING && s->state != SUP_STOPPING))
		return;
	uint64_t want = sup_now_ms() + ms;
	if (want > s->deadline_ms)
		s->deadline_ms = want;
}

void sup_service_hung(struct svc *s, const char *why)
{
	if (s->pid <= 0 || s->state == SUP_STOPPING)
		return;
	log_msg("[FAIL] %s: %s", svc_label(s), why);
	svc_set_reason(s, "%s", why);
	/* Its exit follows: a crash for the respawn policy. */
	if (kill(-s->pid, SIGKILL) < 0)
		kill(s->pid, SIGKILL);
}

/* ---- forking daemons ---- */

/* Reads a pid from a pidfile without ever blocking: a FIFO or a device
 * there is refused. 0 if none. */
static pid_t pidfile_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	char buf[24];
	ssize_t r = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, buf, sizeof buf - 1) : -1;
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	char *end;
	long v = strtol(buf, &end, 10);
	return v > 1 && v < 0x7fffffff && (*end == '\0' || *end == '\n') ? (pid_t)v : 0;
}

/* ppid and process group of a process that still runs, from /proc. */
static bool proc_ids(pid_t pid, pid_t *ppid, pid_t *pgrp)
{
	struct procstat ps;
	if (!procstat_read(pid, &ps) || ps.state == 'Z')
		return false;
	*ppid = ps.ppid;
	*pgrp = ps.pgrp;
	return true;
}

/* The oldest process still in process group pgrp. */
static pid_t pgrp_member(pid_t pgrp)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	pid_t best = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		pid_t ppid, pg;
		if (*end || v <= 1 || !proc_ids((pid_t)v, &ppid, &pg) || pg != pgrp)
			continue;
		if (!best || v < best)
			best = (pid_t)v;
	}
	closedir(d);
	return best;
}

int live_follow(struct svc *s, pid_t old)
{
	const struct svc_live *lv = s->def->o->lv;
	pid_t pid = 0;
	if (lv && lv->pidfile) {
		pid = pidfile_read(lv->pidfile);
		pid_t ppid, pg;
		if (!pid) {
			svc_set_reason(s, "pidfile %s: no pid in it when the main process exited",
				       lv->pidfile);
			return -1;
		}
		if (!proc_ids(pid, &ppid, &pg)) {
			svc_set_reason(s, "pidfile %s names pid %d, which is not running", lv->pidfile,
				       (int)pid);
			return -1;
		}
		/* Ours: reparented to keel or still in the service's group, and
		 * no other service's process. */
		struct svc *owner = pidmap_get(pid);
		if ((ppid != getpid() && pg != old) || (owner && owner != s)) {
			svc_set_reason(s, "pidfile %s names pid %d, which is not the service's",
				       lv->pidfile, (int)pid);
			return -1;
		}
	} else if (s->def->type == SVC_TYPE_RESPAWN) {
		pid = pgrp_member(old);
		if (!pid || pidmap_get(pid))
			return 0;
		log_msg("%s: main process exited; following its child %d", s->def->instance, (int)pid);
	} else {
		return 0;
	}
	s->pid = pid;
	if (pidmap_put(pid, s) < 0)
		log_msg("warning: %s: out of memory tracking pid %d", s->def->instance, (int)pid);
	if (lv && lv->pidfile)
		log_info("%s: following daemon %d (%s)", s->def->instance, (int)pid, lv->pidfile);
	if (s->state == SUP_STARTING && s->def->ready == SVC_READY_NONE)
		svc_became_ready(s);
	pid_t ppid, pg;
	if (proc_ids(pid, &ppid, &pg) && ppid != getpid())
		live_watch_pid(s, pid);
	return 1;
}

/* ---- main processes that are not keel's children ---- */

/* A MAINPID forked by a process that still lives is its child, not keel's:
 * waitpid never sees it end. A pidfd does (Linux 5.3); without one, keel
 * says so and sees the end only when the process is reparented to it. */
struct pidwatch {
	struct svc *s;
	pid_t pid;
	int fd;
};

static struct pidwatch *pws;
static size_t npws;

static void pidwatch_drop(size_t i)
{
	loop_del(pws[i].fd);
	close(pws[i].fd);
	pws[i] = pws[--npws];
}

void live_watch_pid(struct svc *s, pid_t pid)
{
	for (size_t i = 0; i < npws;)
		if (pws[i].s == s)
			pidwatch_drop(i); /* the last one moved here: look again */
		else
			i++;
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
#else
	int fd = -1;
	errno = ENOSYS;
#endif
	struct pidwatch *n = fd >= 0 ? realloc(pws, (npws + 1) * sizeof *n) : NULL;
	if (!n || loop_add(fd, EPOLLIN, LOOP_PIDFD) < 0) {
		/* A kernel without pidfd_open (before 5.3) is said once. */
		static bool no_pidfd_said;
		if (fd < 0 && errno == ENOSYS) {
			if (!no_pidfd_said)
				log_msg("warning: pidfd_open: %s: a main process that is not keel's "
					"child is seen to end only if it becomes keel's child (see "
					"\"Kernel features\" in keel(8))", strerror(errno));
			no_pidfd_said = true;
		} else
			log_msg("warning: %s: cannot watch pid %d (%s): its end is seen only if "
				"it becomes keel's child", s->def->instance, (int)pid, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	pws = n;
	pws[npws++] = (struct pidwatch){ .s = s, .pid = pid, .fd = fd };
}

void live_pidfd_event(int fd)
{
	for (size_t i = 0; i < npws; i++) {
		if (pws[i].fd != fd)
			continue;
		struct svc *s = pws[i].s;
		pid_t pid = pws[i].pid;
		pidwatch_drop(i);
		/* Not our child: its status is not ours to read. An exit keel
		 * cannot read counts as a clean one, as with systemd. */
		if (s->pid == pid)
			svc_exited(s, 0);
		return;
	}
	loop_del(fd);
}

/* ---- crash hooks ---- */

struct hook {
	struct svc *s;
	struct svc_def def; /* what spawn reads until the child has exec'd */
	struct svc_cmd cmd;
	char *env[6];
	pid_t pid;
	uint64_t deadline_ms;
};

static struct hook *hooks;
static size_t nhooks;

static struct hook *hook_of(const struct svc *s)
{
	for (size_t i = 0; i < nhooks; i++)
		if (hooks[i].s == s)
			return &hooks[i];
	return NULL;
}

void live_crashed(struct svc *s, int st)
{
	const struct svc_live *lv = s->def->o->lv;
	if (!lv || !lv->on_crash || sup.phase != SUP_PHASE_RUN)
		return;
	struct hook *h = hook_of(s);
	if (h && h->pid > 0) {
		log_msg("%s: on-crash hook %d still running: not started again", s->def->instance,
			(int)h->pid);
		return;
	}
	if (!h) {
		struct hook *n = realloc(hooks, (nhooks + 1) * sizeof *n);
		if (!n)
			return;
		hooks = n;
		h = &hooks[nhooks++];
		*h = (struct hook){ .s = s };
	}
	for (int i = 0; i < 5; i++) {
		free(h->env[i]);
		h->env[i] = NULL;
	}
	char how[48];
	sup_exit_text(st, how, sizeof how);
	int k = 0;
	if (asprintf(&h->env[k], "KEEL_SERVICE=%s", s->def->instance) >= 0)
		k++;
	if (asprintf(&h->env[k], "KEEL_EXIT=%s", how) >= 0)
		k++;
	if (asprintf(&h->env[k], "KEEL_EXIT_STATUS=%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1) >= 0)
		k++;
	if (asprintf(&h->env[k], "KEEL_EXIT_SIGNAL=%d", WIFSIGNALED(st) ? WTERMSIG(st) : 0) >= 0)
		k++;
	if (asprintf(&h->env[k], "KEEL_RESTARTS=%u", s->restarts) >= 0)
		k++;
	h->env[k] = NULL;
	/* Run like the service (user, env, cwd), without its readiness. */
	h->def = *s->def;
	h->cmd = (struct svc_cmd){ .argv = lv->on_crash };
	h->def.exec = &h->cmd;
	h->def.nexec = 1;
	h->def.ready = SVC_READY_NONE;
	spawn_set_extra_env(h->env);
	int rfd, efd;
	bool pending;
	const char *why = NULL;
	spawn_set_detached();
	pid_t pid = spawn_service(&h->def, &rfd, &efd, &why, &pending);
	if (pid < 0) {
		log_msg("%s: on-crash hook: %s", s->def->instance, why ? why : strerror(errno));
		return;
	}
	if (efd >= 0)
		close(efd);
	if (rfd >= 0)
		close(rfd);
	h->pid = pid;
	h->deadline_ms = sup_now_ms() + LIVE_HOOK_MS;
}

bool live_reaped(pid_t pid, int st)
{
	(void)st;
	for (size_t i = 0; i < nhooks; i++)
		if (hooks[i].pid == pid) {
			hooks[i].pid = 0;
			hooks[i].deadline_ms = 0;
			return true;
		}
	return false;
}

uint64_t live_next_deadline(void)
{
	uint64_t next = 0;
	for (size_t i = 0; i < nhooks; i++)
		if (hooks[i].pid > 0 && (!next || hooks[i].deadline_ms < next))
			next = hooks[i].deadline_ms;
	return next;
}

void live_timer_event(void)
{
	uint64_t now = sup_now_ms();
	for (size_t i = 0; i < nhooks; i++)
		if (hooks[i].pid > 0 && hooks[i].deadline_ms <= now) {
			log_msg("%s: on-crash hook still running after %ds: killed",
				hooks[i].s->def->instance, LIVE_HOOK_MS / 1000);
			kill(hooks[i].pid, SIGKILL);
			hooks[i].deadline_ms = now + LIVE_HOOK_MS;
		}
}

void live_service_gone(struct svc *s)
{
	struct hook *h = hook_of(s);
	if (!h)
		return;
	for (int i = 0; i < 5; i++)
		free(h->env[i]);
	/* A hook still running is reaped as nobody's. */
	*h = (struct hook){ 0 };
}

/* ---- jitter, giving up, critical ---- */

unsigned long live_jitter_ms(const struct svc *s)
{
	const struct svc_live *lv = s->def->o->lv;
	if (!lv || !lv->jitter_ms)
		return 0;
	static uint32_t x;
	if (!x) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint32_t)ts.tv_nsec | 1u;
	}
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x % (lv->jitter_ms + 1);
}

static void reboot_for(const struct svc *s, const char *what)
{
	if (sup.phase != SUP_PHASE_RUN)
		return;
	log_msg("error: %s %s: rebooting", svc_label(s), what);
	sup_shutdown(SUP_ACTION_REBOOT);
}

void live_gave_up(struct svc *s)
{
	const struct svc_live *lv = s->def->o->lv;
	if (!lv)
		return;
	switch (lv->give_up) {
	case LIVE_GIVE_UP_RESTART_DEPS:
		for (size_t i = 0; i < sup.nsvcs; i++) {
			struct svc *d = sup.svcs[i];
			const struct svc_refs *r = &d->def->requires;
			for (size_t k = 0; k < r->n; k++)
				if (svc_matches(s->def, r->v[k].name) && svc_active(d)) {
					log_msg("%s: restarting it: %s gave up", d->def->instance, s->def->instance);
					sup_request_restart(d);
					break;
				}
		}
		break;
	case LIVE_GIVE_UP_REBOOT:
		reboot_for(s, "gave up respawning");
		break;
	case LIVE_GIVE_UP_FAILSAFE:
		/* preinit falls back once the health counter says so: no counter
		 * configured means a plain reboot, said as such. */
		log_msg("%s gave up: failsafe: the next boot falls back if a boot-health counter is set",
			svc_label(s));
		live_fail_boot();
		reboot_for(s, "gave up respawning");
		break;
	default:
		break;
	}
}

void live_failed(struct svc *s)
{
	const struct svc_live *lv = s->def->o->lv;
	if (lv && lv->critical)
		reboot_for(s, "failed, and it is critical");
}
