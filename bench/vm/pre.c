/* SPDX-License-Identifier: MIT */
// pre: the bench image's /init: mounts the API file systems, stamps kmsg, forks the probe, then execs the init under test as PID 1.
// Every init gets the same prelude, so the mounts (which busybox init, sysvinit, runit and
// s6-svscan do not do themselves) cost the same everywhere; keel and finit find them
// already mounted and skip theirs. The init's argv is /etc/bench/init, one word a line.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static void kmsg(const char *s)
{
	int k = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (k >= 0) {
		(void)!write(k, s, strlen(s));
		close(k);
	}
}

int main(void)
{
	static char buf[4096];
	char *argv[32];
	int argc = 0;
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	// The initramfs has no /dev/console node: the kernel could not give us fds 0-2.
	if (fcntl(0, F_GETFD) < 0) {
		int c = open("/dev/console", O_RDWR);
		if (c >= 0) {
			dup2(c, 0), dup2(c, 1), dup2(c, 2);
			if (c > 2)
				close(c);
		}
	}
	kmsg("<6>bench: pre\n");
	mkdir("/bench", 0755);
	mkdir("/bench/r", 0755);
	int f = open("/etc/bench/init", O_RDONLY);
	ssize_t n = f >= 0 ? read(f, buf, sizeof buf - 1) : -1;
	if (n <= 0)
		return 1;
	for (char *p = strtok(buf, "\n"); p && argc < 31; p = strtok(NULL, "\n"))
		argv[argc++] = p;
	argv[argc] = NULL;
	if (fork() == 0) {
		char *pargv[] = {"/bin/probe", NULL};
		execv(pargv[0], pargv);
		_exit(127);
	}
	// Experiment only (/etc/bench/null): the init gets /dev/null instead of the serial
	// console, to measure what its console messages cost.
	if (access("/etc/bench/null", F_OK) == 0) {
		int z = open("/dev/null", O_RDWR);
		if (z >= 0)
			dup2(z, 0), dup2(z, 1), dup2(z, 2);
	}
	kmsg("<6>bench: exec\n");
	execv(argv[0], argv);
	kmsg("<2>bench: exec failed\n");
	return 127;
}
