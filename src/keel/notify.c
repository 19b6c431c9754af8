/* notify: the sd_notify socket — READY, STATUS, RELOADING, STOPPING, MAINPID, EXTEND_TIMEOUT_USEC, WATCHDOG. */
/* SPDX-License-Identifier: MIT */
#include "procstat.h"
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dgram.h"
#include "live.h"
#include "log.h"
#include "loop.h"
#include "notifymsg.h"
#include "pidmap.h"
#include "spawn.h"
#include "trim.h"

/*
 * One datagram socket for every service. A datagram belongs to the
 * service whose main process sent it, or whose session the sender is in
 * (keel starts each service as a session leader, so the session id is the
 * pid of its first process): SCM_CREDENTIALS gives the sender's pid, and
 * /proc/PID/stat its session. Anything else is ignored.
 *
 * Per-service state lives in a small table of the services that use the
 * protocol (`ready notify` or `watchdog`): a few per device, searched
 * linearly.
 */
#define NOTIFY_MAX_DATAGRAM 4096
#define NOTIFY_PER_EVENT 64

struct nsvc {
	struct svc *s;
	char *status;
	uint64_t wd_deadline_ms; /* 0: watchdog not armed */
	unsigned long wd_ms;
	pid_t sid;               /* the service's session (its first pid) */
	char *env[4];            /* NOTIFY_SOCKET=, WATCHDOG_USEC=, WATCHDOG_PID=, NULL */
	bool reloading, stopping;
};

static struct nsvc *tab;
static size_t ntab;
static int sock = -1;
static char *sock_path;
static unsigned long ignored;

static bool uses_notify(const struct svc *s)
{
	return s->def->ready == SVC_READY_NOTIFY || (s->def->o->lv && s->def->o->lv->watchdog_ms);
}

static struct nsvc *nsvc_of(const struct svc *s)
{
	for (size_t i = 0; i < ntab; i++)
		if (tab[i].s == s)
			return &tab[i];
	return NULL;
}

static struct nsvc *nsvc_get(struct svc *s)
{
	struct nsvc *n = nsvc_of(s);
	if (n)
		return n;
	for (size_t i = 0; i < ntab; i++)
		if (!tab[i].s) {
			tab[i] = (struct nsvc){ .s = s };
			return &tab[i];
		}
	struct nsvc *nt = realloc(tab, (ntab + 1) * sizeof *nt);
	if (!nt)
		return NULL;
	tab = nt;
	tab[ntab] = (struct nsvc){ .s = s };
	return &tab[ntab++];
}

KEEL_BOOT void notify_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (!path || strlen(path) >= sizeof sa.sun_path) {
		log_msg("warning: notify socket path too long: `ready notify` cannot work");
		return;
	}
	strcpy(sa.sun_path, path);
	/* /run/keel may not exist yet: it is keel's own. */
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
	int dir_err = 0; /* the bind's ENOENT would hide why (a full /run) */
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			dir_err = errno;
	}
	free(dir);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	if (fd >= 0)
		unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0 ||
	    loop_add(fd, EPOLLIN, LOOP_NOTIFY) < 0) {
		if (dir_err && errno == ENOENT)
			errno = dir_err;
		log_msg("warning: notify socket %s%s: %m (`ready notify` services will time out)", path,
			dir_err && errno == dir_err ? ": cannot make its folder" : "");
		if (fd >= 0)
			close(fd);
		return;
	}
	/* Services running as other users must be able to send. */
	if (chmod(path, 0666) < 0)
		log_debug("notify: chmod %s: %m", path);
	sock = fd;
	sock_path = strdup(path);
}

void notify_close(void)
{
	if (sock < 0)
		return;
	loop_del(sock);
	close(sock);
	sock = -1;
	if (sock_path)
		unlink(sock_path);
}

void notify_before_start(struct svc *s)
{
	if (!uses_notify(s))
		return;
	struct nsvc *n = nsvc_get(s);
	if (!n)
		return;
	for (int i = 0; i < 3; i++) {
		free(n->env[i]);
		n->env[i] = NULL;
	}
	n->reloading = n->stopping = false;
	n->wd_deadline_ms = 0;
	free(n->status); /* a new process says its own */
	n->status = NULL;
	const struct svc_live *lv = s->def->o->lv;
	n->wd_ms = lv ? lv->watchdog_ms : 0;
	int k = 0;
	if (sock_path && asprintf(&n->env[k], "NOTIFY_SOCKET=%s", sock_path) >= 0)
		k++;
	if (n->wd_ms) {
		if (asprintf(&n->env[k], "WATCHDOG_USEC=%llu", (unsigned long long)n->wd_ms * 1000) >= 0)
			k++;
		/* The child writes its pid over the spaces. */
		if ((n->env[k] = strdup("WATCHDOG_PID=           ")))
			spawn_set_pid_var(n->env[k++]);
	}
	n->env[k] = NULL;
	spawn_set_extra_env(n->env);
}

void notify_started(struct svc *s)
{
	struct nsvc *n = nsvc_of(s);
	if (!n || s->pid <= 0)
		return;
	n->sid = s->pid;
	/* Keepalives are due once the service runs: from READY=1 for a
	 * `ready notify` service, from the start for the others. */
	if (n->wd_ms && s->def->ready != SVC_READY_NOTIFY)
		n->wd_deadline_ms = sup_now_ms() + n->wd_ms;
}

void notify_service_exited(struct svc *s)
{
	struct nsvc *n = nsvc_of(s);
	if (n) {
		n->wd_deadline_ms = 0;
		n->reloading = false;
	}
}

void notify_service_gone(struct svc *s)
{
	struct nsvc *n = nsvc_of(s);
	if (!n)
		return;
	free(n->status);
	for (int i = 0; i < 3; i++)
		free(n->env[i]);
	*n = (struct nsvc){ 0 };
}

const char *notify_status(const struct svc *s)
{
	const struct nsvc *n = nsvc_of(s);
	if (!n)
		return NULL;
	return n->reloading ? "reloading" : n->status;
}

/* The session of a process, from /proc (never blocks: procfs). */
static pid_t session_of(pid_t pid)
{
	struct procstat ps;
	return procstat_read(pid, &ps) ? ps.session : -1;
}

static struct nsvc *sender(pid_t pid)
{
	struct svc *s = pid > 0 ? pidmap_get(pid) : NULL;
	if (s)
		return nsvc_of(s);
	pid_t sess = pid > 0 ? session_of(pid) : -1;
	for (size_t i = 0; sess > 0 && i < ntab; i++)
		if (tab[i].s && tab[i].sid == sess && tab[i].s->pid > 0)
			return &tab[i];
	return NULL;
}

static void handle(struct nsvc *n, const struct notify_msg *m)
{
	struct svc *s = n->s;
	if (m->has_status) {
		char *t = strndup(m->status, m->status_len);
		if (t) {
			free(n->status);
			n->status = t;
		}
	}
	if (m->mainpid && m->mainpid != s->pid) {
		if (session_of(m->mainpid) == n->sid)
			sup_set_mainpid(s, m->mainpid);
		else
			log_msg("%s: MAINPID=%d is not a process of the service: ignored", s->def->instance,
				(int)m->mainpid);
	}
	if (m->has_watchdog_usec) {
		n->wd_ms = (unsigned long)(m->watchdog_usec / 1000) ? (unsigned long)(m->watchdog_usec / 1000) : 1;
		n->wd_deadline_ms = sup_now_ms() + n->wd_ms;
	}
	if (m->watchdog && n->wd_ms)
		n->wd_deadline_ms = sup_now_ms() + n->wd_ms;
	if (m->has_extend)
		sup_extend_deadline(s, m->extend_usec / 1000);
	if (m->reloading)
		n->reloading = true;
	if (m->stopping)
		n->stopping = true;
	if (m->ready) {
		n->reloading = false;
		if (n->wd_ms && !n->wd_deadline_ms)
			n->wd_deadline_ms = sup_now_ms() + n->wd_ms;
		sup_service_ready(s);
	}
	if (m->watchdog_trigger)
		sup_service_hung(s, "asked to be treated as hung (WATCHDOG=trigger)");
}

void notify_event(int fd)
{
	char buf[NOTIFY_MAX_DATAGRAM + 1];
	pid_t pid;
	bool cut;
	for (int k = 0; k < NOTIFY_PER_EVENT; k++) {
		ssize_t r = dgram_recv(fd, buf, sizeof buf, &pid, &cut);
		if (r < 0)
			return;
		if ((size_t)r > NOTIFY_MAX_DATAGRAM || cut) {
			if (!ignored++)
				log_msg("warning: notify: a datagram over %d bytes from pid %d: ignored",
					NOTIFY_MAX_DATAGRAM, (int)pid);
			continue;
		}
		struct nsvc *n = sender(pid);
		if (!n) {
			if (!ignored++)
				log_msg("warning: notify: a message from pid %d, which is no service's: "
					"ignored (said once)", (int)pid);
			continue;
		}
		struct notify_msg m;
		notifymsg_parse(buf, (size_t)r, &m);
		handle(n, &m);
	}
}

uint64_t notify_next_deadline(void)
{
	uint64_t next = 0;
	for (size_t i = 0; i < ntab; i++)
		if (tab[i].s && tab[i].wd_deadline_ms && (!next || tab[i].wd_deadline_ms < next))
			next = tab[i].wd_deadline_ms;
	return next;
}

void notify_timer_event(void)
{
	uint64_t now = sup_now_ms();
	for (size_t i = 0; i < ntab; i++) {
		struct nsvc *n = &tab[i];
		if (!n->s || !n->wd_deadline_ms || n->wd_deadline_ms > now)
			continue;
		n->wd_deadline_ms = 0;
		if (n->s->pid <= 0)
			continue;
		char why[80];
		snprintf(why, sizeof why, "no watchdog keepalive within %lums", n->wd_ms);
		sup_service_hung(n->s, why);
	}
}
