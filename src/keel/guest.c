/* guest: keel as a supervisor under another init — subreaper, no mounts, power requests forwarded to PID 1. */
/* SPDX-License-Identifier: MIT */
#include "guest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "log.h"
#include "procstat.h"

static bool guest;
static bool host_asked;

int guest_init(void)
{
	guest = true;
	/* Services that double-fork stay ours to reap and to stop. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		log_msg("warning: guest: cannot become a child subreaper: %m; "
			"daemons that fork away are not followed");
		return -1;
	}
	return 0;
}

bool guest_mode(void)
{
	return guest;
}

void guest_host_stop(void)
{
	host_asked = true;
	sup_shutdown(SUP_ACTION_POWEROFF);
}

/* The parent pid of the process /proc/NAME (procstat.c reads past its
 * command, which may hold any byte). */
static pid_t proc_ppid(const char *name)
{
	unsigned long long pid;
	const char *e = scan_dec(name, &pid);
	struct procstat ps;
	if (!e || *e || pid > INT_MAX || !procstat_read((pid_t)pid, &ps))
		return -1;
	return ps.ppid;
}

void guest_kill_rest(int sig)
{
	if (!guest) {
		kill(-1, sig);
		return;
	}
	/* Only what is ours: /proc is read (it cannot stall), the host's
	 * processes are never touched. Grandchildren become our children
	 * when their parents die, and the next round (SIGKILL) finds them. */
	DIR *d = opendir("/proc");
	if (!d) {
		log_msg("warning: guest: cannot read /proc: %m; leftover processes not signalled");
		return;
	}
	pid_t self = getpid();
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 1 || pid == self)
			continue;
		if (proc_ppid(de->d_name) == self) {
			kill((pid_t)pid, sig);
			if (sig == SIGTERM)
				kill((pid_t)pid, SIGCONT);
		}
	}
	closedir(d);
}

void guest_final(enum sup_action a)
{
	if (!host_asked && a != SUP_ACTION_NONE) {
		int sig = a == SUP_ACTION_REBOOT ? SIGTERM : a == SUP_ACTION_HALT ? SIGUSR1 : SIGUSR2;
		static const char *const words[] = { [SUP_ACTION_NONE] = "", [SUP_ACTION_REBOOT] = "reboot",
						     [SUP_ACTION_POWEROFF] = "poweroff", [SUP_ACTION_HALT] = "halt",
						     [SUP_ACTION_RESTART] = "reboot" };
		log_msg("asking init (PID 1) to %s", words[a]);
		if (kill(1, sig) < 0)
			log_msg("warning: cannot signal PID 1: %m");
	} else {
		log_msg("services stopped: exiting");
	}
	log_drain(2000);
	exit(0);
}
