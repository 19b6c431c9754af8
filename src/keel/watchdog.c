/* watchdog: the hardware watchdog — taken from preinit or opened, fed from PID 1's loop, disarmed only at the very end. */
/* SPDX-License-Identifier: MIT */
#include "watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "supervisor.h"
#include "trim.h"

static int wait_for(const char *device);
static void arm(void);

/*
 * Fed only from the event loop's deadlines: if PID 1 stops turning, the
 * device resets the machine. Fed every timeout / 3, so one late turn (a
 * slow fork storm) is not a reset. Failures are said once; keel goes on
 * without a watchdog rather than loop on a broken one.
 */

static int fd = -1;
static char *dev;
static int timeout_s, want_timeout, dflt_timeout;
static int ino = -1; /* waiting for a device whose driver loads later */
static uint64_t fed_ms, due_ms;
static bool feed_failed;

static void feed(void)
{
	int dummy = 0;
	if (ioctl(fd, WDIOC_KEEPALIVE, &dummy) < 0 && write(fd, "\0", 1) < 0) {
		if (!feed_failed)
			log_msg("warning: watchdog %s: cannot feed it: %m", dev);
		feed_failed = true;
	} else {
		feed_failed = false;
	}
	fed_ms = sup_now_ms();
	due_ms = fed_ms + (uint64_t)timeout_s * 1000 / 3;
}

KEEL_BOOT void wdog_init(const char *device, int timeout, bool timeout_given)
{
	const char *env = getenv("KEEL_WATCHDOG_FD");
	char inherited[24];
	if (env) {
		snprintf(inherited, sizeof inherited, "%s", env);
		/* preinit's: the same open file, already armed. No service may
		 * inherit the variable (or the fd: close-on-exec from now on). */
		char *end;
		long v = strtol(inherited, &end, 10);
		unsetenv("KEEL_WATCHDOG_FD");
		if (*end || v < 3 || v > 1024 || fcntl((int)v, F_SETFD, FD_CLOEXEC) < 0) {
			log_msg("warning: KEEL_WATCHDOG_FD=%s is not an open fd: ignored", inherited);
		} else {
			fd = (int)v;
			char link[64], target[256];
			snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
			ssize_t n = readlink(link, target, sizeof target - 1);
			target[n > 0 ? n : 0] = '\0';
			dev = strdup(n > 0 ? target : "(from preinit)");
		}
	}
	/* preinit's device keeps preinit's timeout unless keel's is given. */
	want_timeout = fd >= 0 && !timeout_given ? 0 : timeout;
	dflt_timeout = timeout;
	if (fd < 0) {
		if (!device || !*device || !strcmp(device, "off"))
			return;
		fd = open(device, O_WRONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && wait_for(device) == 0)
			return;
		if (fd < 0) {
			log_msg("warning: watchdog %s: %m: going on without it", device);
			return;
		}
		dev = strdup(device);
	}
	arm();
}

/* Its driver is a module a service loads: taken when it appears (inotify
 * on its directory, no polling). */
static int wait_for(const char *device)
{
	char *dir = strdup(device), *slash = dir ? strrchr(dir, '/') : NULL;
	if (!slash || slash == dir) {
		free(dir);
		return -1;
	}
	*slash = '\0';
	ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino < 0 || inotify_add_watch(ino, dir, IN_CREATE | IN_MOVED_TO) < 0 ||
	    loop_add(ino, EPOLLIN, LOOP_WATCHDOG) < 0) {
		if (ino >= 0)
			close(ino);
		ino = -1;
		free(dir);
		return -1;
	}
	free(dir);
	dev = strdup(device);
	log_info("watchdog %s: not there yet: taken when it appears", device);
	return 0;
}

void wdog_event(int f)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	while (read(f, buf, sizeof buf) > 0)
		;
	if (fd >= 0 || !dev)
		return;
	fd = open(dev, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			log_msg("warning: watchdog %s: %m: going on without it", dev);
		else
			return; /* something else appeared: wait on */
	}
	loop_del(ino);
	close(ino);
	ino = -1;
	if (fd >= 0)
		arm();
}

static void arm(void)
{
	if (!dev)
		dev = strdup("?");
	int t = want_timeout;
	if (t > 0 && ioctl(fd, WDIOC_SETTIMEOUT, &t) < 0)
		log_msg("warning: watchdog %s: refuses a %d s timeout (%m): keeping its own", dev,
			want_timeout);
	if (ioctl(fd, WDIOC_GETTIMEOUT, &t) == 0 && t > 0)
		timeout_s = t;
	else
		timeout_s = want_timeout > 0 ? want_timeout : dflt_timeout > 0 ? dflt_timeout : 30;
	feed();
	log_info("watchdog %s: %d s, fed by keel", dev, timeout_s);
}

uint64_t wdog_next_deadline(void)
{
	return fd >= 0 ? due_ms : 0;
}

void wdog_timer_event(void)
{
	if (fd >= 0 && sup_now_ms() >= due_ms)
		feed();
}

void wdog_feed_now(void)
{
	if (fd >= 0)
		feed();
}

void wdog_disarm(void)
{
	if (fd < 0)
		return;
	/* The magic close: only now, after the last sync. */
	if (write(fd, "V", 1) < 0)
		log_msg("warning: watchdog %s: magic close refused (%m): it may reset the machine", dev);
	close(fd);
	fd = -1;
}

int wdog_fd(void)
{
	return fd;
}

void wdog_request(struct buf *o)
{
	if (fd < 0) {
		if (ino >= 0)
			buf_addf(o, "OK waiting for %s to appear\n", dev);
		else
			buf_adds(o, "OK none\n");
		return;
	}
	uint64_t ago = sup_now_ms() - fed_ms;
	buf_addf(o, "OK device %s fd %d timeout %d s last-fed %llu.%llu s ago%s\n", dev, fd, timeout_s,
		 (unsigned long long)(ago / 1000), (unsigned long long)(ago % 1000 / 100),
		 feed_failed ? " (feeding fails)" : "");
}
