/* logd_pipe: services' stdout and stderr — a pipe per stream kept for the service's life, lines, rate limit. */
/* SPDX-License-Identifier: MIT */
#include "logd_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "spawn.h"

/*
 * keel keeps both ends of each pipe while the service exists: every
 * process of the service (a respawn, a daemon's children) writes into the
 * same pipe, and what one wrote before dying is read after its exit. The
 * read ends are non-blocking and read at most LOGD_READ_BUDGET bytes per
 * wake-up. A partial line waits in a buffer of its own (allocated only
 * then, at most LOG_MSG_MAX bytes) for its newline, the process's exit, or
 * the buffer to fill.
 *
 * Rate limit: a bucket of `rate` lines that refills at `rate` lines per
 * second; a line that finds it empty is dropped and counted, and the count
 * is said in one record when lines flow again (or at the exit).
 */

struct stream {
	char *part; /* partial line, LOG_MSG_MAX bytes when allocated */
	int rfd, wfd;
	uint16_t plen;
	bool cont;     /* the last record was cut: the next piece is the same line */
	bool dropping; /* that line is being dropped by the rate limit */
};

/* One per service that logs to the ring: kept small, there may be
 * thousands. */
struct lsvc {
	struct svc *s;
	struct stream st[2]; /* stdout, stderr */
	uint64_t refill_ms;
	uint32_t tokens_milli; /* rate * 1000 at most: a rate is below 2^22 */
	uint32_t pid;        /* the last process seen running */
	uint32_t suppressed;
	bool created;
};

static struct lsvc **tab;  /* by lix - 1 */
static size_t ntab, tabcap, nfree; /* nfree: NULL slots left by services gone */
static struct lsvc **by_fd; /* read end -> entry */
static size_t by_fd_cap;

static int svc_mode(const struct svc *s)
{
	if (s->def->o->tty)
		return SVC_LOG_CONSOLE; /* its terminal, really: spawn sets it */
	return s->def->o->log_mode != SVC_LOG_DEFAULT ? s->def->o->log_mode : logd.conf.mode;
}

static int svc_rate(const struct svc *s)
{
	return s->def->o->log_rate >= 0 ? s->def->o->log_rate : logd.conf.rate;
}

/* The bucket holds one second of lines (at most 4 million: room in 32 bits). */
static uint32_t rate_cap(int rate)
{
	return rate <= 0 ? 0 : (uint32_t)(rate > 4000000 ? 4000000 : rate) * 1000u;
}

static struct lsvc *lsvc_of(const struct svc *s)
{
	return s->lix && s->lix <= ntab && tab[s->lix - 1] && tab[s->lix - 1]->s == s
		       ? tab[s->lix - 1]
		       : NULL;
}

static void by_fd_set(int fd, struct lsvc *l)
{
	if ((size_t)fd >= by_fd_cap) {
		size_t ncap = by_fd_cap ? by_fd_cap : 64;
		while (ncap <= (size_t)fd)
			ncap *= 2;
		struct lsvc **n = realloc(by_fd, ncap * sizeof *n);
		if (!n)
			return; /* the fd is then read by nobody: the service blocks, PID 1 does not */
		memset(n + by_fd_cap, 0, (ncap - by_fd_cap) * sizeof *n);
		by_fd = n;
		by_fd_cap = ncap;
	}
	by_fd[fd] = l;
}

static struct lsvc *lsvc_get(struct svc *s)
{
	struct lsvc *l = lsvc_of(s);
	if (l)
		return l;
	/* Grown by doubling: PID 1's allocator keeps every outgrown block, so
	 * one more entry per service would leave a trail of them. */
	size_t slot = ntab;
	for (size_t i = 0; nfree && i < ntab; i++)
		if (!tab[i]) {
			slot = i;
			nfree--;
			break;
		}
	if (slot == ntab) {
		if (ntab == tabcap) {
			size_t ncap = tabcap ? tabcap * 2 : 64;
			struct lsvc **n = realloc(tab, ncap * sizeof *n);
			if (!n)
				return NULL;
			tab = n;
			tabcap = ncap;
		}
		tab[ntab++] = NULL;
	}
	l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->s = s;
	for (int k = 0; k < 2; k++)
		l->st[k].rfd = l->st[k].wfd = -1;
	tab[slot] = l;
	s->lix = (uint32_t)slot + 1;
	return l;
}

static bool pipes_make(struct lsvc *l)
{
	for (int k = 0; k < 2; k++) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0)
			return false;
		/* Only PID 1's end is non-blocking: the service's writes block
		 * when PID 1 is behind, as on a console. */
		if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0 || loop_add(p[0], EPOLLIN, LOOP_LOGD_PIPE) < 0) {
			close(p[0]);
			close(p[1]);
			return false;
		}
		l->st[k] = (struct stream){ .rfd = p[0], .wfd = p[1] };
		by_fd_set(p[0], l);
	}
	return true;
}

static void stream_close(struct stream *st)
{
	if (st->rfd >= 0) {
		loop_del(st->rfd);
		if ((size_t)st->rfd < by_fd_cap)
			by_fd[st->rfd] = NULL;
		close(st->rfd);
	}
	if (st->wfd >= 0)
		close(st->wfd);
	free(st->part);
	*st = (struct stream){ .rfd = -1, .wfd = -1 };
}

void logd_before_start(struct svc *s)
{
	int mode = svc_mode(s);
	if (!logd.ready || s->def->o->tty || mode == SVC_LOG_CONSOLE)
		return;
	if (mode == SVC_LOG_NULL) {
		int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		/* spawn dups it before exec; closed here after the start. */
		static int null_w = -1;
		if (null_w < 0)
			null_w = fd;
		else if (fd >= 0)
			close(fd);
		spawn_set_stdio(null_w, null_w);
		return;
	}
	struct lsvc *l = lsvc_get(s);
	if (!l)
		return; /* no memory: the console, as before */
	if (!l->created) {
		if (!pipes_make(l)) {
			log_msg("warning: %s: no log pipe (%m): its output goes to the console",
				s->def->instance);
			for (int k = 0; k < 2; k++)
				stream_close(&l->st[k]);
			return;
		}
		l->created = true;
		l->tokens_milli = rate_cap(svc_rate(s));
		l->refill_ms = sup_now_ms();
	}
	spawn_set_stdio(l->st[0].wfd, l->st[1].wfd);
}

static bool rate_take(struct lsvc *l)
{
	int rate = svc_rate(l->s);
	if (rate <= 0)
		return true;
	uint64_t now = sup_now_ms(), cap = rate_cap(rate);
	uint64_t t = l->tokens_milli + (now - l->refill_ms) * (uint64_t)rate;
	l->tokens_milli = (uint32_t)(t > cap ? cap : t);
	l->refill_ms = now;
	if (l->tokens_milli < 1000) {
		l->suppressed++;
		return false;
	}
	l->tokens_milli -= 1000;
	return true;
}

static void say_suppressed(struct lsvc *l)
{
	if (!l->suppressed)
		return;
	char text[80];
	int n = snprintf(text, sizeof text, "%u lines suppressed (rate limit)", l->suppressed);
	l->suppressed = 0;
	const char *tag = l->s->def->instance;
	logd_add_text(LOG_SRC_KEEL, 3 * 8 + 4, l->pid, tag, strlen(tag), text, (size_t)n);
}

static void emit(struct lsvc *l, int k, const char *msg, size_t len, uint8_t flags)
{
	/* The rate counts lines: the pieces of a long one go or stay together. */
	bool piece = l->st[k].cont;
	l->st[k].cont = flags & LOG_F_CONT;
	if (piece ? l->st[k].dropping : !rate_take(l)) {
		l->st[k].dropping = true;
		return;
	}
	l->st[k].dropping = false;
	say_suppressed(l);
	const char *tag = l->s->def->instance;
	/* Lines read after the exit keep the pid of the process that wrote them
	 * (as far as keel can tell: the last one it started). */
	if (l->s->pid > 0)
		l->pid = (uint32_t)l->s->pid;
	struct log_rec r = { .mono_us = logd_mono_us(), .real_us = logd_real_us(), .pid = l->pid,
			     .pri = (uint8_t)(3 * 8 + (k ? 3 : 6)), .source = k ? LOG_SRC_STDERR : LOG_SRC_STDOUT,
			     .flags = flags, .tag = tag, .tag_len = strlen(tag), .msg = msg, .msg_len = len };
	logd_add_rec(&r);
}

/* Whole lines go out as records (cut every LOG_MSG_MAX bytes, the pieces
 * but the last flagged continued); the end of data without a newline waits
 * in the partial buffer. */
static void take(struct lsvc *l, int k, const char *data, size_t len)
{
	struct stream *st = &l->st[k];
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t left = nl ? (size_t)(nl - data) : len;
		const char *p = data;
		bool out = false;
		if (st->plen) {
			size_t c = left < LOG_MSG_MAX - (size_t)st->plen ? left : LOG_MSG_MAX - (size_t)st->plen;
			memcpy(st->part + st->plen, p, c);
			st->plen = (uint16_t)(st->plen + c);
			p += c;
			left -= c;
			if (st->plen == LOG_MSG_MAX || nl) {
				emit(l, k, st->part, st->plen, left || !nl ? LOG_F_CONT : 0);
				st->plen = 0;
				out = true;
			}
		}
		while (left >= LOG_MSG_MAX || (nl && (left || !out))) {
			size_t c = left < LOG_MSG_MAX ? left : LOG_MSG_MAX;
			emit(l, k, p, c, left > c || !nl ? LOG_F_CONT : 0);
			p += c;
			left -= c;
			out = true;
		}
		if (left) { /* no newline yet, less than a record */
			if (!st->part && !(st->part = malloc(LOG_MSG_MAX))) {
				emit(l, k, p, left, LOG_F_CONT); /* no memory: as it is */
			} else {
				memcpy(st->part, p, left);
				st->plen = (uint16_t)left;
			}
		}
		if (!nl)
			return;
		len -= (size_t)(nl - data) + 1;
		data = nl + 1;
	}
}

/* Reads what one stream holds, at most budget bytes; true if more may wait. */
static bool stream_read(struct lsvc *l, int k, size_t budget)
{
	char buf[LOGD_READ_BUDGET];
	while (budget) {
		ssize_t r = read(l->st[k].rfd, buf, budget < sizeof buf ? budget : sizeof buf);
		if (r > 0) {
			take(l, k, buf, (size_t)r);
			budget -= (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		return false;
	}
	return true;
}

void pipe_event(int fd)
{
	struct lsvc *l = (size_t)fd < by_fd_cap ? by_fd[fd] : NULL;
	if (!l) {
		loop_del(fd);
		return;
	}
	stream_read(l, l->st[0].rfd == fd ? 0 : 1, LOGD_READ_BUDGET);
}

void logd_service_exited(struct svc *s)
{
	struct lsvc *l = lsvc_of(s);
	if (!l || !l->created)
		return;
	/* What the process wrote before it died is in the pipe: read it now,
	 * in order, before the exit is reported (bounded: 16 budgets). */
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 16 && stream_read(l, k, LOGD_READ_BUDGET); i++)
			;
		if (l->st[k].plen) {
			emit(l, k, l->st[k].part, l->st[k].plen, 0);
			l->st[k].plen = 0;
		}
		free(l->st[k].part);
		l->st[k].part = NULL;
	}
	say_suppressed(l);
}

void logd_service_gone(struct svc *s)
{
	struct lsvc *l = lsvc_of(s);
	if (!l)
		return;
	logd_service_exited(s);
	for (int k = 0; k < 2; k++)
		stream_close(&l->st[k]);
	tab[s->lix - 1] = NULL;
	nfree++;
	s->lix = 0;
	free(l);
}
