/* loop: the epoll set of PID 1 — which fd woke us and what kind of source it is. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_LOOP_H
#define KEEL_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

enum loop_tag {
	LOOP_SIGNAL = 1, /* signalfd */
	LOOP_TIMER,      /* timerfd */
	LOOP_LISTEN,     /* control socket */
	LOOP_CLIENT,     /* a keelctl connection */
	LOOP_READY,      /* a service's readiness pipe */
	LOOP_EXEC,       /* a service's exec report pipe */
	LOOP_INOTIFY,    /* `ready file` watches */
	LOOP_LOG,        /* console, when output is queued */
	LOOP_COND_INOTIFY, /* conditions: path conditions and triggers */
	LOOP_COND_NETLINK, /* conditions: rtnetlink */
	LOOP_COND_CLOCK,   /* conditions: wall-clock timer (`timer at`) */
	LOOP_LOGD_PIPE,    /* log: a service's stdout/stderr pipe */
	LOOP_LOGD_KMSG,    /* log: /dev/kmsg */
	LOOP_LOGD_SYSLOG,  /* log: /dev/log */
	LOOP_LOGD_LISTEN,  /* log: the readers' socket */
	LOOP_LOGD_CLIENT,  /* log: a reader */
	LOOP_NOTIFY,       /* sd_notify socket */
	LOOP_WATCHDOG,     /* watchdog: waiting for its device to appear */
	LOOP_PIDFD,        /* a main process that is not keel's child */
	LOOP_EVENTS,       /* an event stream subscriber (events.c) */
	LOOP_COND_MOUNT,   /* conditions: /proc/self/mountinfo changed */
};

int loop_init(void);
int loop_add(int fd, uint32_t events, enum loop_tag tag);
int loop_mod(int fd, uint32_t events, enum loop_tag tag);
void loop_del(int fd);
/* Waits; returns the number of events (0 on timeout or EINTR). */
int loop_wait(struct epoll_event *ev, int max, int timeout_ms);
/* False for an event fetched before its fd was unregistered or registered
 * again in the same batch: it belongs to a source that is gone. */
bool loop_ev_current(const struct epoll_event *e);

static inline enum loop_tag loop_ev_tag(const struct epoll_event *e)
{
	return (enum loop_tag)(e->data.u64 >> 56);
}
static inline int loop_ev_fd(const struct epoll_event *e)
{
	return (int)(e->data.u64 & 0xffffffffu);
}

#endif
