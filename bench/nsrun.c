/* nsrun: starts a program as PID 1 of a new PID + mount namespace, like `unshare --pid --fork --mount --mount-proc`, and records the instant just before its exec. */
/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns_of(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* usage: nsrun T0_FILE PID_FILE PROG [ARGS...]
 * T0_FILE gets "MONOTONIC_NS BOOTTIME_NS" taken in the child right before
 * execv(PROG): doing the namespace work here instead of exec'ing unshare(1)
 * keeps unshare's own start-up out of the figure. The boottime value lets
 * the script turn keel's "reached ... at X uptime" line into a duration.
 * PID_FILE gets PROG's pid as seen from the host (for /proc and kill). */
int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: nsrun T0_FILE PID_FILE PROG [ARGS...]\n");
		return 100;
	}
	if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0) {
		perror("nsrun: unshare");
		return 111;
	}
	/* Our mounts (proc, and keel's /dev, /run) must not leak to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("nsrun: make / private");
		return 111;
	}
	int t0fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (t0fd < 0) {
		perror(argv[1]);
		return 111;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("nsrun: fork");
		return 111;
	}
	if (pid == 0) {
		if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			perror("nsrun: mount /proc");
		char line[64];
		long long mono = ns_of(CLOCK_MONOTONIC), boot = ns_of(CLOCK_BOOTTIME);
		int n = snprintf(line, sizeof line, "%lld %lld\n", mono, boot);
		if (write(t0fd, line, (size_t)n) != n)
			_exit(111);
		execv(argv[3], argv + 3);
		perror(argv[3]);
		_exit(127);
	}
	close(t0fd);
	/* Write then rename, so a poller never reads half a number. */
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", (int)pid) < 0 || fclose(f) != 0 || rename(tmp, argv[2]) < 0)
		perror(argv[2]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
