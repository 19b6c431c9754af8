/* logd: PID 1's log — the RAM ring, keel's own lines, the kernel's (/dev/kmsg) and syslog's (/dev/log). */
/* SPDX-License-Identifier: MIT */
#include "logd_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dgram.h"
#include "kmsgrec.h"
#include "log.h"
#include "syslogmsg.h"
#include "trim.h"

struct logd_core logd;

static int kmsg_fd = -1, syslog_fd = -1;
/* The kernel's backlog (hundreds of boot lines) is read once the boot
 * target is reached, or after KMSG_LATE_MS: not on the path of the first
 * starts. Nothing is lost meanwhile: /dev/kmsg keeps it. */
#define KMSG_LATE_MS 5000
static uint64_t kmsg_due_ms;
/* Read after the boot's own lines, the backlog is older than all of them:
 * it may fill only the room the ring has left, so that the ring keeps the
 * newest lines, as if the backlog had been read first. A first pass
 * measures it; the second skips its oldest records beyond that room. */
static enum { KMSG_MEASURE, KMSG_SKIP, KMSG_LIVE } kmsg_phase;
static uint64_t kmsg_excess;  /* MEASURE: the backlog's bytes in the ring; SKIP: still to skip */
static uint64_t kmsg_skipped;
/* A kernel that logs faster than keel reads would keep the first pass
 * going: it ends after this long, at whatever record it reached. */
#define KMSG_MEASURE_MS 1000
static uint64_t kmsg_measure_end_ms;

/* Datagrams and kernel records read per wake-up. */
#define LOGD_MSGS_PER_EVENT 64
#define LOG_DAEMON_FAC 3

uint64_t logd_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int64_t logd_real_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void logd_add_rec(struct log_rec *r)
{
	if (!logd.ready)
		return;
	logd.in_add = true;
	logring_add(&logd.ring, r);
	logd.in_add = false;
	reader_new_records();
	file_new_records();
}

/* r with msg, in records of at most LOG_MSG_MAX bytes (all but the last
 * marked as continued). */
static void add_pieces(struct log_rec *r, const char *msg, size_t msg_len)
{
	do {
		size_t n = msg_len > LOG_MSG_MAX ? LOG_MSG_MAX : msg_len;
		r->msg = msg;
		r->msg_len = n;
		r->flags = n < msg_len ? LOG_F_CONT : 0;
		logd_add_rec(r);
		msg += n;
		msg_len -= n;
	} while (msg_len);
}

void logd_add_text(uint8_t source, uint8_t pri, uint32_t pid, const char *tag, size_t tag_len,
		   const char *msg, size_t msg_len)
{
	struct log_rec r = { .mono_us = logd_mono_us(), .real_us = logd_real_us(), .pid = pid,
			     .pri = pri, .source = source, .tag = tag, .tag_len = tag_len };
	add_pieces(&r, msg, msg_len);
}

/* keel's own lines, also those the console drops. */
static void keel_sink(int severity, const char *text, size_t len)
{
	if (logd.in_add)
		return;
	logd_add_text(LOG_SRC_KEEL, (uint8_t)(LOG_DAEMON_FAC * 8 + severity), (uint32_t)getpid(),
		      "keel", 4, text, len);
}

/* ---- /dev/kmsg ---- */

/* What a message of mlen bytes takes in the ring (in LOG_MSG_MAX pieces). */
static uint64_t kmsg_cost(size_t mlen)
{
	uint64_t c = 0;
	do {
		size_t n = mlen > LOG_MSG_MAX ? LOG_MSG_MAX : mlen;
		c += logring_cost(&logd.ring, 6, n);
		mlen -= n;
	} while (mlen);
	return c;
}

static void kmsg_record(char *buf, size_t len)
{
	struct kmsg_rec k;
	if (!kmsgrec_parse(buf, len, &k))
		return;
	if (kmsg_phase != KMSG_LIVE) {
		uint64_t c = kmsg_cost(k.msg_len);
		if (kmsg_phase == KMSG_MEASURE) {
			kmsg_excess += c;
			return;
		}
		kmsg_skipped++;
		if (c < kmsg_excess) {
			kmsg_excess -= c;
			return;
		}
		kmsg_phase = KMSG_LIVE;
		log_info("kernel log: its %llu oldest lines are not kept: older than the ring's other "
			 "lines, they do not fit in it (keel.log.size=)",
			 (unsigned long long)kmsg_skipped);
		return;
	}
	/* The kernel's clock is the monotonic one; the wall time is inferred. */
	uint64_t now_mono = logd_mono_us();
	int64_t real = logd_real_us() - (int64_t)(now_mono > k.ts_us ? now_mono - k.ts_us : 0);
	struct log_rec r = { .mono_us = k.ts_us, .real_us = real, .pri = k.pri, .source = LOG_SRC_KERN,
			     .tag = "kernel", .tag_len = 6 };
	add_pieces(&r, k.msg, k.msg_len);
}

/* The end of the backlog, measured: how much of it is skipped, and back to
 * its first record. False if the backlog cannot be read again. */
static bool kmsg_measured(int fd)
{
	size_t room = logring_room(&logd.ring), slack = logring_cost(&logd.ring, 6, LOG_MSG_MAX);
	room = room > slack ? room - slack : 0;
	kmsg_excess = kmsg_excess > room ? kmsg_excess - room : 0;
	kmsg_phase = kmsg_excess ? KMSG_SKIP : KMSG_LIVE;
	if (lseek(fd, 0, SEEK_SET) == 0)
		return true;
	log_msg("warning: %s: cannot read the kernel's backlog again: %m (its lines are not kept)",
		logd.conf.kmsg);
	kmsg_phase = KMSG_LIVE;
	return false;
}

static void kmsg_event(int fd)
{
	/* One record per read; the kernel never gives more than ~8 KiB. */
	char buf[8192];
	for (int n = 0; n < LOGD_MSGS_PER_EVENT; n++) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r > 0) {
			kmsg_record(buf, (size_t)r);
			if (kmsg_phase == KMSG_MEASURE && sup_now_ms() >= kmsg_measure_end_ms &&
			    !kmsg_measured(fd))
				return;
			continue;
		}
		if (r < 0 && (errno == EPIPE || errno == EINTR))
			continue; /* overwritten before we read it: the next one */
		if (r < 0 && errno == EAGAIN && kmsg_phase == KMSG_MEASURE && kmsg_measured(fd))
			continue;
		return; /* EAGAIN, or an error: epoll says when to try again */
	}
}

/* ---- /dev/log ---- */

static void syslog_event(int fd)
{
	/* 8 KiB is more than syslog(3) ever sends; a longer datagram is cut. */
	char buf[8192];
	pid_t pid;
	bool cut;
	for (int n = 0; n < LOGD_MSGS_PER_EVENT; n++) {
		ssize_t r = dgram_recv(fd, buf, sizeof buf, &pid, &cut);
		if (r < 0)
			return;
		struct syslog_msg m;
		syslogmsg_parse(buf, (size_t)r, &m);
		logd_add_text(LOG_SRC_SYSLOG, m.pri, m.pid ? m.pid : (uint32_t)pid, m.tag, m.tag_len,
			      m.msg, m.msg_len);
	}
}

static void syslog_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		log_msg("warning: syslog socket path too long: %s", path);
		return;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0)
		unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0 ||
	    loop_add(fd, EPOLLIN, LOOP_LOGD_SYSLOG) < 0) {
		log_msg("warning: syslog socket %s: %m (syslog(3) messages are not kept)", path);
		if (fd >= 0)
			close(fd);
		return;
	}
	/* Every program may log. */
	if (chmod(path, 0666) < 0)
		log_msg("warning: syslog socket %s: chmod: %m", path);
	syslog_fd = fd;
}

/* ---- setup and events ---- */

KEEL_BOOT void logd_init(const struct logd_conf *c)
{
	logd.conf = *c;
	if (logring_init(&logd.ring, c->ring_size) < 0) {
		log_msg("error: no memory for the log ring (%zu bytes): no log", c->ring_size);
		return;
	}
	logd.ready = true;
	log_set_sink(keel_sink);
	if (c->kmsg) {
		kmsg_fd = open(c->kmsg, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (kmsg_fd < 0)
			log_msg("warning: %s: %m (the kernel's messages are not kept)", c->kmsg);
		else
			kmsg_due_ms = sup_now_ms() + KMSG_LATE_MS;
	}
	if (c->syslog)
		syslog_open(c->syslog);
	if (c->socket)
		reader_open(c->socket);
}

void logd_close(void)
{
	if (syslog_fd >= 0) {
		loop_del(syslog_fd);
		close(syslog_fd);
		syslog_fd = -1;
		unlink(logd.conf.syslog);
	}
	if (kmsg_fd >= 0) {
		if (!kmsg_due_ms)
			loop_del(kmsg_fd);
		close(kmsg_fd);
		kmsg_fd = -1;
		kmsg_due_ms = 0;
	}
	reader_close_all();
}

void logd_fd_event(int fd, enum loop_tag tag, uint32_t events)
{
	switch (tag) {
	case LOOP_LOGD_PIPE: pipe_event(fd); break;
	case LOOP_LOGD_KMSG: kmsg_event(fd); break;
	case LOOP_LOGD_SYSLOG: syslog_event(fd); break;
	case LOOP_LOGD_LISTEN: reader_accept(); break;
	case LOOP_LOGD_CLIENT: reader_client_event(fd, events); break;
	default: break;
	}
}

void logd_boot_reached(void)
{
	if (!kmsg_due_ms)
		return;
	kmsg_due_ms = 0;
	kmsg_phase = KMSG_MEASURE;
	kmsg_measure_end_ms = sup_now_ms() + KMSG_MEASURE_MS;
	if (loop_add(kmsg_fd, EPOLLIN, LOOP_LOGD_KMSG) < 0) {
		log_msg("warning: %s: %m (the kernel's messages are not kept)", logd.conf.kmsg);
		close(kmsg_fd);
		kmsg_fd = -1;
	}
}

uint64_t logd_next_deadline(void)
{
	uint64_t a = reader_next_deadline(), b = file_next_deadline();
	uint64_t d = !a ? b : !b ? a : a < b ? a : b;
	return kmsg_due_ms && (!d || kmsg_due_ms < d) ? kmsg_due_ms : d;
}

void logd_timer_event(void)
{
	reader_timer();
	file_timer();
	if (kmsg_due_ms && sup_now_ms() >= kmsg_due_ms)
		logd_boot_reached();
}

bool logd_reaped(pid_t pid, int status)
{
	return file_reaped(pid, status);
}

void logd_status_lines(struct buf *o, const struct svc *s, unsigned n)
{
	if (!logd.ready || !n)
		return;
	const char *tag = s->def->instance;
	size_t tl = strlen(tag);
	/* Two passes over the ring (small): count, then print the last n. */
	struct logring_cursor c = logring_seek(&logd.ring, 0);
	struct log_rec r;
	uint64_t lost, total = 0;
	while (logring_next(&logd.ring, &c, &r, &lost))
		total += (r.source == LOG_SRC_STDOUT || r.source == LOG_SRC_STDERR) &&
			 r.tag_len == tl && !memcmp(r.tag, tag, tl);
	c = logring_seek(&logd.ring, 0);
	uint64_t k = 0;
	while (logring_next(&logd.ring, &c, &r, &lost)) {
		if (!((r.source == LOG_SRC_STDOUT || r.source == LOG_SRC_STDERR) && r.tag_len == tl &&
		      !memcmp(r.tag, tag, tl)))
			continue;
		if (k++ + n < total)
			continue;
		buf_adds(o, "log\t");
		logrec_format(o, &r);
	}
}
