/* watchdog: preinit's hold on the hardware watchdog: opened early, fed between steps, handed to init across exec. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "preinit.h"

/*
 * Only preinit's own thread feeds: a step that never returns (a mount
 * stuck on bad flash) is reset by the hardware, which is why the device
 * is armed this early. The one exception is a child preinit waits for
 * (fsck, an unpacker, the emergency shell): preinit_run feeds while it
 * runs, because a reset in the middle of a long fsck would only repeat it.
 */
static int wd_fd = -1;
static char *wd_dev;           /* kept for a rearm after a kexec that failed */
static unsigned long wd_want;  /* configured timeout, s; 0: the device's own */
static long wd_period = -1;    /* ms between feeds: a third of the timeout */
static bool wd_given_up;       /* said once, never tried again */
static bool wd_feed_said;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wd_try(bool quiet)
{
	int fd = open(wd_dev, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (!quiet)
			preinit_error("watchdog %s: %s; going on without it", wd_dev, strerror(errno));
		return -1;
	}
	/* The open itself started the timer with the driver's timeout. */
	int t = (int)wd_want;
	if (t && ioctl(fd, WDIOC_SETTIMEOUT, &t) < 0)
		preinit_error("watchdog %s: timeout %lu s refused (%s); keeping its own", wd_dev,
			      wd_want, strerror(errno));
	int cur = 0;
	if (ioctl(fd, WDIOC_GETTIMEOUT, &cur) < 0 || cur <= 0)
		cur = 3; /* unknown: feed every second, which any timeout allows */
	wd_fd = fd;
	wd_period = cur * 1000L / 3;
	preinit_watchdog_feed();
	return cur;
}

int preinit_watchdog_open(const struct preinit_conf *c, bool missing_ok)
{
	if (wd_fd >= 0)
		return 0;
	if (!c->watchdog || wd_given_up)
		return -1;
	free(wd_dev);
	wd_dev = strdup(c->watchdog);
	wd_want = c->watchdog_timeout_s;
	if (!wd_dev)
		return -1;
	if (missing_ok && access(wd_dev, F_OK) < 0 && errno == ENOENT)
		return -1;
	/* Most drivers make their node while their module loads; one that
	 * binds asynchronously gets a second. */
	long long end = now_ms() + 1000;
	while (access(wd_dev, F_OK) < 0 && errno == ENOENT && now_ms() < end)
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000000L }, NULL);
	int cur = wd_try(false);
	if (cur < 0) {
		wd_given_up = true;
		return -1;
	}
	preinit_say("watchdog %s: timeout %d s", wd_dev, cur);
	return 0;
}

void preinit_watchdog_feed(void)
{
	if (wd_fd < 0)
		return;
	if (ioctl(wd_fd, WDIOC_KEEPALIVE, 0) == 0)
		return;
	/* A driver without WDIOF_KEEPALIVEPING is fed by any write but 'V'. */
	int e = errno;
	if (write(wd_fd, "k", 1) == 1)
		return;
	if (!wd_feed_said) {
		wd_feed_said = true;
		preinit_error("watchdog %s: keepalive: %s", wd_dev, strerror(e));
	}
}

long preinit_watchdog_period_ms(void)
{
	return wd_fd >= 0 ? wd_period : -1;
}

void preinit_watchdog_disarm(void)
{
	if (wd_fd < 0)
		return;
	/* A nowayout driver ignores the 'V': the timer runs on, and the next
	 * stage must open the device in time. */
	if (write(wd_fd, "V", 1) != 1)
		preinit_error("watchdog %s: magic close: %s", wd_dev, strerror(errno));
	close(wd_fd);
	wd_fd = -1;
}

void preinit_watchdog_rearm(void)
{
	if (wd_fd >= 0 || !wd_dev || wd_given_up)
		return;
	if (wd_try(false) < 0)
		wd_given_up = true;
}

void preinit_watchdog_pass(void)
{
	if (wd_fd < 0)
		return;
	int fl = fcntl(wd_fd, F_GETFD);
	char num[16];
	snprintf(num, sizeof num, "%d", wd_fd);
	if (fl < 0 || fcntl(wd_fd, F_SETFD, fl & ~FD_CLOEXEC) < 0 ||
	    setenv("KEEL_WATCHDOG_FD", num, 1) < 0) {
		/* Closed on exec, the device would reset the machine with
		 * nobody able to open it: better unarmed. */
		preinit_error("watchdog %s: cannot pass it to init: %s; disarming it", wd_dev,
			      strerror(errno));
		preinit_watchdog_disarm();
		return;
	}
	preinit_watchdog_feed();
}

int preinit_watchdog_adopt(void)
{
	const char *env = getenv("KEEL_WATCHDOG_FD");
	if (!env || !*env)
		return -1;
	char *end;
	long fd = strtol(env, &end, 10);
	unsetenv("KEEL_WATCHDOG_FD");
	if (*end || fd < 3 || fd > 1 << 20 || fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0) {
		preinit_error("KEEL_WATCHDOG_FD=%s is not an open fd: ignored", env);
		return -1;
	}
	free(wd_dev);
	wd_dev = strdup("(keel's watchdog)");
	int cur = 0;
	if (ioctl((int)fd, WDIOC_GETTIMEOUT, &cur) < 0 || cur <= 0)
		cur = 3;
	wd_fd = (int)fd;
	wd_period = cur * 1000L / 3;
	preinit_watchdog_feed();
	preinit_say("watchdog: taken over from keel (timeout %d s)", cur);
	return 0;
}
