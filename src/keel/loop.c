/* loop: the epoll set of PID 1 — which fd woke us and what kind of source it is. */
/* SPDX-License-Identifier: MIT */
#include "loop.h"

#include <errno.h>
#include <unistd.h>

#include "log.h"
#include "supervisor.h"

static int epfd = -1;

int loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd < 0 ? -1 : 0;
}

static int loop_ctl(int op, int fd, uint32_t events, enum loop_tag tag)
{
	struct epoll_event ev = { .events = events };
	ev.data.u64 = ((uint64_t)tag << 32) | (uint32_t)fd;
	return epoll_ctl(epfd, op, fd, &ev);
}

int loop_add(int fd, uint32_t events, enum loop_tag tag)
{
	return loop_ctl(EPOLL_CTL_ADD, fd, events, tag);
}

int loop_mod(int fd, uint32_t events, enum loop_tag tag)
{
	return loop_ctl(EPOLL_CTL_MOD, fd, events, tag);
}

void loop_del(int fd)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

int loop_wait(struct epoll_event *ev, int max, int timeout_ms)
{
	int n = epoll_wait(epfd, ev, max, timeout_ms);
	if (n < 0) {
		if (errno != EINTR)
			log_msg("warning: epoll_wait: %m");
		return 0;
	}
	return n;
}

void loop_watch_fd(int fd)
{
	if (loop_add(fd, EPOLLIN, LOOP_READY) < 0)
		log_msg("warning: cannot watch readiness fd: %m");
}

void loop_watch_exec_fd(int fd)
{
	if (loop_add(fd, EPOLLIN, LOOP_EXEC) < 0)
		log_msg("warning: cannot watch exec pipe: %m");
}

int loop_add_inotify(int fd) { return loop_add(fd, EPOLLIN, LOOP_INOTIFY); }

void loop_unwatch_fd(int fd)
{
	loop_del(fd);
}
