/* events: the event stream — state changes, condition changes and keel's log lines, to subscribers of the control socket. */
/* SPDX-License-Identifier: MIT */
#include "events.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conditions.h"
#include "control.h"
#include "loop.h"

struct sub {
	int fd;
	bool used;
	uid_t uid;
	struct buf q;
	unsigned long dropped; /* events after the overrun */
	uint64_t deadline_ms;  /* overrun: closed at the latest then */
	bool overrun;
	bool polling; /* EPOLLOUT registered */
};

static struct sub subs[EVENTS_MAX_SUBSCRIBERS];
static unsigned nsubs;
static unsigned long long seq;

bool events_wanted(void) { return nsubs > 0; }

static void sub_close(struct sub *u)
{
	loop_del(u->fd);
	close(u->fd);
	u->fd = -1;
	u->used = false;
	buf_free(&u->q);
	nsubs--;
}

static void sub_flush(struct sub *u);

long long events_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int events_subscribe(int fd, uid_t uid, const char **err)
{
	struct sub *u = NULL;
	unsigned same = 0;
	for (int i = 0; i < EVENTS_MAX_SUBSCRIBERS; i++) {
		if (!subs[i].used && !u)
			u = &subs[i];
		else if (subs[i].used && subs[i].uid == uid)
			same++;
	}
	if (!u || (uid != 0 && same >= EVENTS_MAX_PER_UID)) {
		*err = "too many event subscribers";
		return -1;
	}
	*u = (struct sub){ .fd = fd, .uid = uid, .used = true };
	/* The kernel's buffer is part of what a slow reader may hold back:
	 * bounded too (a failure keeps the default, bounded as well). */
	int sndbuf = EVENTS_SOCKET_BUF;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	if (loop_mod(fd, EPOLLIN, LOOP_EVENTS) < 0) {
		*err = "cannot watch the connection";
		u->used = false;
		return -1;
	}
	if (!nsubs++)
		cond_events_sync();
	/* The first line says the subscription stands (its SEQ: the last
	 * event before it). */
	buf_addf(&u->q, "event\t%llu\t%llu\t%lld\tsubscribed\t%d\n", seq, (unsigned long long)sup_now_ms(),
		 events_wall_ms(), CONTROL_PROTOCOL);
	sub_flush(u);
	return 0;
}

static void sub_flush(struct sub *u)
{
	while (u->q.len) {
		ssize_t w = send(u->fd, u->q.p, u->q.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0) {
			sub_close(u);
			return;
		}
		buf_consume(&u->q, (size_t)w);
	}
	if (!u->q.len && u->overrun) {
		sub_close(u);
		return;
	}
	bool want = u->q.len > 0;
	if (want != u->polling && loop_mod(u->fd, want ? EPOLLIN | EPOLLOUT : EPOLLIN, LOOP_EVENTS) == 0)
		u->polling = want;
}

void events_fd_event(int fd, uint32_t ev)
{
	struct sub *u = NULL;
	for (int i = 0; i < EVENTS_MAX_SUBSCRIBERS; i++)
		if (subs[i].used && subs[i].fd == fd)
			u = &subs[i];
	if (!u) {
		loop_del(fd);
		return;
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		/* A subscriber says nothing more: anything is a goodbye. */
		char tmp[256];
		ssize_t r = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR) || (ev & (EPOLLHUP | EPOLLERR))) {
			sub_close(u);
			return;
		}
	}
	if (ev & EPOLLOUT)
		sub_flush(u);
}

uint64_t events_timer(void)
{
	uint64_t now = sup_now_ms(), next = 0;
	for (int i = 0; i < EVENTS_MAX_SUBSCRIBERS; i++) {
		struct sub *u = &subs[i];
		if (!u->used || !u->overrun)
			continue;
		if (u->deadline_ms <= now) {
			sub_close(u);
			continue;
		}
		if (!next || u->deadline_ms < next)
			next = u->deadline_ms;
	}
	return next;
}

void events_close(void)
{
	for (int i = 0; i < EVENTS_MAX_SUBSCRIBERS; i++) {
		struct sub *u = &subs[i];
		if (!u->used)
			continue;
		if (!u->overrun)
			buf_adds(&u->q, "OK end\n");
		if (u->q.len && send(u->fd, u->q.p, u->q.len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		}
		sub_close(u);
	}
}

/* The event's line, built once and queued to every subscriber. */
static struct buf line;

static void event_begin(const char *kind)
{
	line.len = 0;
	line.oom = false;
	buf_addf(&line, "event\t%llu\t%llu\t%lld\t%s", ++seq, (unsigned long long)sup_now_ms(),
		 events_wall_ms(), kind);
}

static void event_field(const char *s)
{
	buf_adds(&line, "\t");
	buf_add_field(&line, s ? s : "");
}

static void event_end(void)
{
	buf_adds(&line, "\n");
	if (line.oom)
		return;
	for (int i = 0; i < EVENTS_MAX_SUBSCRIBERS; i++) {
		struct sub *u = &subs[i];
		if (!u->used)
			continue;
		if (u->overrun) {
			u->dropped++;
			continue;
		}
		/* Room is kept for the overrun event itself. */
		if (u->q.len + line.len + 96 > EVENTS_QUEUE_MAX) {
			u->overrun = true;
			u->dropped = 1;
			u->deadline_ms = sup_now_ms() + EVENTS_DRAIN_MS;
			buf_addf(&u->q, "event\t%llu\t%llu\t%lld\toverrun\tqueue full\n", seq,
				 (unsigned long long)sup_now_ms(), events_wall_ms());
		} else {
			buf_add(&u->q, line.p, line.len);
		}
		/* A burst (300 starts in one pass) does not wait for the loop:
		 * half a queue goes to the kernel's buffer at once. */
		if (u->q.len >= EVENTS_QUEUE_MAX / 2) {
			sub_flush(u);
			continue;
		}
		if (!u->polling && loop_mod(u->fd, EPOLLIN | EPOLLOUT, LOOP_EVENTS) == 0)
			u->polling = true;
	}
}

void events_state(const struct svc *s, enum sup_state st)
{
	if (!nsubs || s->state == st)
		return;
	char exitbuf[48], num[32];
	event_begin("state");
	event_field(s->def->instance);
	event_field(sup_state_name(st));
	event_field(sup_state_name(s->state));
	snprintf(num, sizeof num, "%d", s->pid > 0 ? (int)s->pid : 0);
	event_field(num);
	sup_exit_text(s->last_status, exitbuf, sizeof exitbuf);
	event_field(exitbuf);
	int code = s->last_status >= 0 && WIFEXITED(s->last_status) ? WEXITSTATUS(s->last_status) : -1;
	int sig = s->last_status >= 0 && WIFSIGNALED(s->last_status) ? WTERMSIG(s->last_status) : 0;
	snprintf(num, sizeof num, "%d", code);
	event_field(code >= 0 ? num : "");
	snprintf(num, sizeof num, "%d", sig);
	event_field(sig ? num : "");
	event_field(st == SUP_FAILED || st == SUP_SKIPPED || st == SUP_WAITING ? s->reason : "");
	event_end();
}

void events_cond(const char *condition, bool value)
{
	if (!nsubs)
		return;
	event_begin("cond");
	event_field(condition);
	event_field(value ? "true" : "false");
	event_end();
}

void events_log(int severity, const char *text, size_t len)
{
	if (!nsubs)
		return;
	static const char *const sev[8] = { "emerg", "alert", "crit", "err",
					    "warning", "notice", "info", "debug" };
	event_begin("log");
	event_field(sev[severity & 7]);
	buf_adds(&line, "\t");
	/* text is not NUL-terminated: its control characters become spaces. */
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		buf_add(&line, (unsigned char)c < 0x20 || c == 0x7f ? " " : &c, 1);
	}
	event_end();
}
