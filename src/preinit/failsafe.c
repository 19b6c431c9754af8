/* failsafe: the short window that chooses failsafe mode, and failsafe mode itself (preinit stays PID 1). */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "preinit.h"

/* The kernel writes two longs of time before type, code and value. A libc
 * with a 64-bit time_t on a 32-bit ABI must say so (__USE_TIME_BITS64, as
 * musl and glibc's _TIME_BITS=64 do), or every button event is misread. */
_Static_assert(sizeof(struct input_event) == 2 * sizeof(long) + 8,
	       "struct input_event is not the kernel's layout");

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool key_wanted(const struct preinit *p, unsigned code)
{
	for (size_t i = 0; i < p->conf.failsafe_keys.n; i++)
		if (strtoul(p->conf.failsafe_keys.v[i], NULL, 10) == code)
			return true;
	return false;
}

/* Opens every /dev/input/event* device; returns how many were added. */
static size_t inputs_open(struct pollfd *fds, size_t max)
{
	DIR *d = opendir("/dev/input");
	size_t n = 0;
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		if (strncmp(e->d_name, "event", 5))
			continue;
		int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			fds[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
	}
	closedir(d);
	return n;
}

bool preinit_failsafe_wait(struct preinit *p)
{
	if (p->conf.failsafe) {
		preinit_say("failsafe requested");
		return true;
	}
	if (!p->conf.failsafe_wait_ms)
		return false;
	/* Slot 0: console, 1: UDP, then input devices (a limit only on how
	 * many buttons are watched, never on what is read). */
	struct pollfd fds[34];
	size_t n = 2;
	fds[0] = (struct pollfd){ .fd = 0, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = preinit_progress_fd(), .events = POLLIN };
	n += inputs_open(fds + 2, sizeof fds / sizeof fds[0] - 2);

	/* Any key, without Enter: the console goes to non-canonical mode for
	 * the window and back afterwards. */
	struct termios saved, raw;
	bool tty = tcgetattr(0, &saved) == 0;
	if (tty) {
		raw = saved;
		raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcflush(0, TCIFLUSH);
		tcsetattr(0, TCSANOW, &raw);
	}
	preinit_say("press any key (or the reset button) within %lu.%lu s for failsafe mode",
		    p->conf.failsafe_wait_ms / 1000, p->conf.failsafe_wait_ms % 1000 / 100);
	const char *why = NULL;
	long long end = now_ms() + (long long)p->conf.failsafe_wait_ms;
	while (!why) {
		preinit_watchdog_feed();
		long long left = end - now_ms();
		if (left <= 0)
			break;
		long period = preinit_watchdog_period_ms();
		if (period >= 0 && left > period)
			left = period;
		int r = poll(fds, n, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			preinit_error("poll in failsafe window: %s", strerror(errno));
			break;
		}
		if (fds[0].revents & POLLIN) {
			char c;
			if (read(0, &c, 1) == 1)
				why = "key on the console";
			else
				fds[0].fd = -1;
		} else if (fds[0].revents) {
			fds[0].fd = -1; /* no console input (closed fd): stop polling it */
		}
		if (fds[1].fd >= 0 && (fds[1].revents & POLLIN)) {
			char msg[64];
			ssize_t m = recv(fds[1].fd, msg, sizeof msg - 1, MSG_DONTWAIT);
			if (m >= 8 && !memcmp(msg, "failsafe", 8))
				why = "UDP failsafe message";
		}
		for (size_t i = 2; i < n && !why; i++) {
			if (!(fds[i].revents & POLLIN))
				continue;
			struct input_event ev;
			while (read(fds[i].fd, &ev, sizeof ev) == (ssize_t)sizeof ev)
				if (ev.type == EV_KEY && ev.value == 1 && key_wanted(p, ev.code))
					why = "button";
		}
	}
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	for (size_t i = 2; i < n; i++)
		close(fds[i].fd);
	if (why)
		preinit_say("entering failsafe mode (%s)", why);
	return why != NULL;
}

/* Failsafe runs with preinit as PID 1: a console shell respawned when it
 * exits, every orphan reaped, and the busybox reboot/halt/poweroff
 * signals obeyed. Nothing here reads user configuration. */
static pid_t shell_start(void)
{
	pid_t pid = fork();
	if (pid != 0) {
		if (pid < 0)
			preinit_error("fork: %s", strerror(errno));
		return pid;
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	int fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		ioctl(fd, TIOCSCTTY, 1);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	char *const argv[] = { "/bin/sh", "-l", NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TERM=vt100",
			       "PS1=failsafe# ", NULL };
	execve(argv[0], argv, envp);
	dprintf(2, "preinit: error: exec /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

void preinit_failsafe_run(struct preinit *p)
{
	preinit_progress_led(p, PREINIT_PHASE_FAILSAFE, false);
	preinit_say("failsafe mode: read-only root with a tmpfs overlay, no services; "
		    "'reboot' leaves it");
	preinit_progress_close();
	sigset_t set;
	sigemptyset(&set);
	int sigs[] = { SIGCHLD, SIGTERM, SIGUSR1, SIGUSR2, SIGINT, SIGPWR };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t shell = shell_start();
	/* preinit goes on feeding the watchdog from this loop: a person may
	 * work in the shell for as long as it takes, and a stalled kernel or
	 * PID 1 is still reset. */
	long period = preinit_watchdog_period_ms();
	struct timespec feed = { .tv_sec = period / 1000, .tv_nsec = period % 1000 * 1000000L };
	for (;;) {
		preinit_watchdog_feed();
		int sig = sigtimedwait(&set, NULL, period >= 0 ? &feed : NULL);
		if (sig < 0)
			continue;
		if (sig == SIGCHLD) {
			pid_t pid;
			while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
				if (pid == shell)
					shell = -1;
			if (shell < 0) {
				/* Not at once in a loop if the shell dies on start. */
				sleep(1);
				shell = shell_start();
			}
			continue;
		}
		int cmd = sig == SIGUSR1 ? RB_HALT_SYSTEM : sig == SIGTERM || sig == SIGINT ?
			RB_AUTOBOOT : RB_POWER_OFF;
		preinit_say("failsafe: %s", cmd == RB_AUTOBOOT ? "rebooting" : "powering off");
		kill(-1, SIGTERM);
		sync();
		/* Disarmed last, as keel does: a hang in the sync still resets,
		 * and a halted machine stays halted. */
		preinit_watchdog_disarm();
		reboot(cmd);
		preinit_error("reboot: %s", strerror(errno));
	}
}
