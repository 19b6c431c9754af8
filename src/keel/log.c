/* log: PID 1's console voice — never blocks on a slow or stuck console. */
/* SPDX-License-Identifier: MIT */
#include "log.h"
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* A serial console at 115200 baud drains ~11 KiB/s; 64 KiB is several
 * seconds of boot messages, enough to ride out a stall without letting a
 * stuck console eat the memory of a small router. */
#define LOG_QUEUE_CAP (64 * 1024)
/* Routine lines ([ OK ], debug) leave this much of it to the important
 * ones (failures, warnings, errors, a target reached), which a flood of
 * 10,000 services' progress must not push out. */
#define LOG_QUEUE_RESERVE (16 * 1024)

static int log_out = 2;
static bool log_sock; /* fd 2 is a socket: send(MSG_DONTWAIT), no flag on the shared fd */
static bool log_dbg;
static bool log_quiet;
static bool log_deferred;
static char *queue;
static size_t qlen, qcap;
static unsigned long dropped;
static void (*log_sink)(int severity, const char *text, size_t len);

/* Our own non-blocking open of the console (never O_NONBLOCK on the fd 2
 * that services share). Done at the first write, not at start: opening a
 * serial console is not free, and with keel.quiet a healthy boot writes
 * nothing at all. */
static void log_open(void)
{
	static bool opened;
	struct stat st;
	if (opened)
		return;
	opened = true;
	if (fstat(2, &st) < 0)
		return;
	/* A tty, or a pipe whose reader may stall (a harness, a logger): a
	 * reopen gives an open file of our own to make non-blocking. */
	if ((S_ISCHR(st.st_mode) && isatty(2)) || S_ISFIFO(st.st_mode)) {
		int fd = open("/proc/self/fd/2", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			log_out = fd;
	}
	log_sock = S_ISSOCK(st.st_mode);
}

/* Lines are queued from the start and written when PID 1's loop has
 * started what it can (or when log_set_deferred(false) says so). */
void log_init(void) { log_deferred = true; }

void log_set_debug(bool on) { log_dbg = on; }
void log_set_quiet(bool on) { log_quiet = on; }
void log_set_deferred(bool on)
{
	log_deferred = on;
	if (!on)
		log_flush();
}
bool log_debug_enabled(void) { return log_dbg; }
int log_fd(void)
{
	log_open();
	return log_out;
}
bool log_pending(void) { return qlen > 0; }

/* One whole line (prefix and text) or nothing: a line cut in two would
 * leave its prefix behind ("keel: keel: warning"). */
static void queue_line(const char *pre, size_t np, const char *s, size_t n, bool important)
{
	static bool flushing;
	size_t cap = important ? LOG_QUEUE_CAP : LOG_QUEUE_CAP - LOG_QUEUE_RESERVE;
	if (qlen + np + n > cap && !flushing) {
		/* Full while deferred (a burst of 10,000 starts): write what the
		 * console takes now, without waiting, before dropping anything. */
		flushing = true;
		log_flush();
		flushing = false;
	}
	if (qlen + np + n > cap) {
		dropped++;
		return;
	}
	if (qlen + np + n > qcap) {
		size_t ncap = qcap ? qcap : 1000; /* a small block, no mapping */
		while (ncap < qlen + np + n)
			ncap *= 2;
		char *nq = realloc(queue, ncap);
		if (!nq) {
			dropped++;
			return;
		}
		queue = nq;
		qcap = ncap;
	}
	memcpy(queue + qlen, pre, np);
	memcpy(queue + qlen + np, s, n);
	qlen += np + n;
}

static void queue_add(const char *s, size_t n) { queue_line("", 0, s, n, true); }

static ssize_t log_write(const char *s, size_t n)
{
	if (log_sock)
		return send(log_out, s, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	return write(log_out, s, n);
}

void log_flush(void)
{
	if (qlen > 0)
		log_open();
	while (qlen > 0) {
		ssize_t w = log_write(queue, qlen);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				qlen = 0; /* console gone: nothing to keep it for */
			return;
		}
		memmove(queue, queue + w, qlen - (size_t)w);
		qlen -= (size_t)w;
	}
	/* Drained: the queue grew for the boot's burst; a device's quiet
	 * life writes a line now and then, so its pages go back. */
	free(queue);
	queue = NULL;
	qcap = 0;
	if (dropped) {
		char note[96];
		int n = snprintf(note, sizeof note, "keel: warning: %lu console lines dropped%s\n",
				 dropped, log_sink ? " (all are in the log)" : "");
		dropped = 0;
		queue_add(note, (size_t)n);
	}
}

void log_set_sink(void (*sink)(int severity, const char *text, size_t len)) { log_sink = sink; }

/* The syslog severity of a line from its words ("error:", "warning:",
 * "[FAIL]"): notice for the rest of log_msg. */
static int line_severity(const char *line, int dflt)
{
	if (!strncmp(line, "error:", 6) || !strncmp(line, "fatal:", 6) || !strncmp(line, "[FAIL]", 6))
		return 3;
	if (!strncmp(line, "warning:", 8) || !strncmp(line, "[SKIP]", 6))
		return 4;
	return dflt;
}

/* To the log (if any) always; to the console unless console is false. */
static void log_emit(int severity, bool console, const char *fmt, va_list ap)
{
	char small[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof small - 1, fmt, ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	char *line = small;
	if ((size_t)n + 1 >= sizeof small) {
		line = malloc((size_t)n + 2);
		if (!line) {
			va_end(ap2);
			queue_add("keel: (message lost: out of memory)\n", 36);
			return;
		}
		vsnprintf(line, (size_t)n + 1, fmt, ap2);
	}
	va_end(ap2);
	if (log_sink)
		log_sink(line_severity(line, severity), line, (size_t)n);
	events_log(line_severity(line, severity), line, (size_t)n);
	if (!console) {
		if (line != small)
			free(line);
		return;
	}
	line[n] = '\n';
	bool important = severity <= 5 || !strncmp(line, "target ", 7);
	queue_line("keel: ", 6, line, (size_t)n + 1, important);
	if (line != small)
		free(line);
	if (!log_deferred)
		log_flush();
}

void log_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_emit(5, true, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	if (!log_dbg)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_emit(7, true, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	/* A quiet boot keeps the console quiet, not the log. */
	bool console = !log_quiet || log_dbg;
	if (!console && !log_sink)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_emit(6, console, fmt, ap);
	va_end(ap);
}

void log_diag(const struct diag *dg)
{
	if (dg->level == DIAG_NOTE && !log_dbg)
		return;
	char *s = diag_format(dg);
	if (!s) {
		log_msg("%s: (message lost: out of memory)", diag_level_name(dg->level));
		return;
	}
	log_msg("%s", s);
	free(s);
}

void log_diags_lost(const struct diags *d)
{
	if (d->oom)
		log_msg("error: out of memory: some problems were not recorded, and services "
			"may be missing (`keel check` lists them)");
}

void log_drain(int timeout_ms)
{
	struct pollfd p = { .fd = log_out, .events = POLLOUT };
	while (qlen > 0 && timeout_ms > 0) {
		if (poll(&p, 1, 50) < 0 && errno != EINTR)
			return;
		log_flush();
		timeout_ms -= 50;
	}
}
