/* SPDX-License-Identifier: MIT */
// bd: the benchmark daemon: waits for its deps if asked, stamps "bench: ready NAME" in /dev/kmsg, signals readiness natively, then sleeps until killed.
// Usage: bd [-w] [-n FD] [-p PIDFILE] NAME [DEP...]
//   -w          poll /bench/r/DEP every 5 ms until each DEP is ready (the shim for inits
//               without dependencies: busybox init, sysvinit)
//   -n FD       write a newline to FD once ready (keel `ready fd`, s6 notification-fd, floor)
//   -p PIDFILE  write our pid to PIDFILE once ready (finit's pid/NAME condition)
// Invoked as "run" (a runit/s6 run file linked to bd), NAME is the service directory's
// name and FD comes from ./notification-fd when that file exists.
// The order is fixed: kmsg stamp first, then the marker file, then native readiness, so a
// dependent can never see readiness before the stamp exists (the order check relies on it).
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void put(int fd, const char *s) { (void)!write(fd, s, strlen(s)); }

int main(int argc, char **argv)
{
	int poll_deps = 0, nfd = -1, i = 1;
	const char *pidfile = NULL, *name = NULL;
	char cwd[256], path[512], line[300];
	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (strcmp(base, "run") == 0) {
		if (!getcwd(cwd, sizeof cwd))
			return 111;
		name = strrchr(cwd, '/') + 1;
		int f = open("notification-fd", O_RDONLY);
		if (f >= 0) {
			char b[16] = "";
			(void)!read(f, b, sizeof b - 1);
			nfd = atoi(b);
			close(f);
		}
	}
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-w") == 0)
			poll_deps = 1;
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			nfd = atoi(argv[++i]);
		else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			pidfile = argv[++i];
		else
			return 100;
	}
	if (!name) {
		if (i >= argc)
			return 100;
		name = argv[i++];
	}
	if (poll_deps) {
		struct timespec ts = {0, 5000000};
		for (int d = i; d < argc; d++) {
			snprintf(path, sizeof path, "/bench/r/%s", argv[d]);
			while (access(path, F_OK) != 0)
				nanosleep(&ts, NULL);
		}
	}
	// Level 6 (info): kept out of the serial console by `quiet`, so printing costs nothing.
	int k = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (k >= 0) {
		snprintf(line, sizeof line, "<6>bench: ready %s\n", name);
		put(k, line);
		close(k);
	}
	snprintf(path, sizeof path, "/bench/r/%s", name);
	int m = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (m >= 0)
		close(m);
	if (pidfile) {
		int p = open(pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (p >= 0) {
			snprintf(line, sizeof line, "%d\n", (int)getpid());
			put(p, line);
			close(p);
		}
	}
	if (nfd >= 0) {
		put(nfd, "\n");
		close(nfd);
	}
	for (;;)
		pause();
}
