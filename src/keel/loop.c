/* loop: the epoll set of PID 1 — which fd woke us and what kind of source it is. */
/* SPDX-License-Identifier: MIT */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "supervisor.h"

static int epfd = -1;

/* What each fd is registered as now: its tag and the generation of the
 * registration. An event fetched in a batch can outlive its registration
 * (a handler earlier in the batch closed the fd, and the number came back
 * as another source); dispatching it would hand one source's event to
 * another's handler, whose "not mine: unregister" would then silence the
 * new source. The generation in each event tells the two apart. */
static uint32_t *cur;
static size_t cur_cap;
static uint32_t gen;

static uint32_t reg_word(enum loop_tag tag, uint32_t g)
{
	return ((uint32_t)tag << 24) | (g & 0xffffffu);
}

int loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd < 0 ? -1 : 0;
}

static int loop_ctl(int op, int fd, uint32_t events, enum loop_tag tag)
{
	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if ((size_t)fd >= cur_cap) {
		size_t ncap = cur_cap ? cur_cap : 64;
		while (ncap <= (size_t)fd)
			ncap *= 2;
		uint32_t *n = realloc(cur, ncap * sizeof *n);
		if (!n)
			return -1;
		memset(n + cur_cap, 0, (ncap - cur_cap) * sizeof *n);
		cur = n;
		cur_cap = ncap;
	}
	uint32_t w = reg_word(tag, ++gen);
	struct epoll_event ev = { .events = events };
	ev.data.u64 = ((uint64_t)w << 32) | (uint32_t)fd;
	if (epoll_ctl(epfd, op, fd, &ev) < 0)
		return -1;
	cur[fd] = w;
	return 0;
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
	if (fd >= 0 && (size_t)fd < cur_cap)
		cur[fd] = 0;
}

bool loop_ev_current(const struct epoll_event *e)
{
	int fd = loop_ev_fd(e);
	return fd >= 0 && (size_t)fd < cur_cap && cur[fd] == (uint32_t)(e->data.u64 >> 32);
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
