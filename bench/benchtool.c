/* benchtool: the host-side probes of bench/ns.sh — timed runs, a bare control client, respawn and shutdown stopwatches, a line-count waiter. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Every figure printed is in milliseconds, one per line, so the script can
 * take medians without parsing anything else. */

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void nap_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

/* Runs argv with stdout and stderr on /dev/null; returns its wait status. */
static int run_quiet(char **argv, struct rusage *ru)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	while (wait4(pid, &st, 0, ru) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

/* reps N PROG ARGS: wall time of each run, then "# maxrss KiB" of the last. */
static int cmd_reps(int argc, char **argv)
{
	if (argc < 3)
		return 100;
	int n = atoi(argv[1]);
	struct rusage ru = { 0 };
	for (int i = 0; i < n; i++) {
		long long t0 = now_ns();
		int st = run_quiet(argv + 2, &ru);
		long long t1 = now_ns();
		if (st != 0) {
			fprintf(stderr, "benchtool: %s exited with status %d\n", argv[2], st);
			return 1;
		}
		printf("%.3f\n", (t1 - t0) / 1e6);
	}
	printf("# maxrss %ld\n", ru.ru_maxrss);
	return 0;
}

/* ctl SOCK REQUEST N: what keelctl does minus its exec, parsing and
 * rendering: connect, one request line, read to EOF. */
static int cmd_ctl(int argc, char **argv)
{
	if (argc < 4)
		return 100;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
	char req[256];
	int rl = snprintf(req, sizeof req, "%s\n", argv[2]);
	int n = atoi(argv[3]);
	static char buf[1 << 16];
	for (int i = 0; i < n; i++) {
		long long t0 = now_ns(), got = 0;
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
		    write(fd, req, (size_t)rl) != rl) {
			perror("benchtool: ctl");
			return 1;
		}
		ssize_t r;
		while ((r = read(fd, buf, sizeof buf)) > 0)
			got += r;
		close(fd);
		long long t1 = now_ns();
		printf("%.3f\n", (t1 - t0) / 1e6);
		if (i == n - 1)
			printf("# bytes %lld\n", got);
	}
	return 0;
}

/* Stamp lines are "NS PID"; returns how many there are, *last gets the
 * newest time. */
static int stamps_read(const char *path, long long *last)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t len = 0, r;
	while (len < (ssize_t)sizeof buf - 1 && (r = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += r;
	close(fd);
	buf[len] = '\0';
	int lines = 0;
	for (char *p = buf; *p;) {
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		if (last)
			*last = strtoll(p, NULL, 10);
		lines++;
		p = nl + 1;
	}
	return lines;
}

/* waitlines FILE N TIMEOUT_MS: until FILE has N lines. Polls every 2 ms
 * without forking, so it steals little from the boot it waits for. */
static int cmd_waitlines(int argc, char **argv)
{
	if (argc < 4)
		return 100;
	int want = atoi(argv[2]);
	long long deadline = now_ns() + atoll(argv[3]) * 1000000LL;
	int have;
	while ((have = stamps_read(argv[1], NULL)) < want) {
		if (now_ns() > deadline) {
			fprintf(stderr, "benchtool: %s: %d of %d lines before the deadline\n", argv[1],
				have, want);
			return 1;
		}
		nap_us(2000);
	}
	return 0;
}

/* The first child of host pid k other than `not`, from /proc. */
static pid_t child_of(pid_t k, pid_t not)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)k, (int)k);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return -1;
	buf[r] = '\0';
	for (char *p = buf; *p;) {
		pid_t c = (pid_t)strtol(p, &p, 10);
		if (c > 0 && c != not)
			return c;
		while (*p == ' ')
			p++;
		if (!c)
			break;
	}
	return -1;
}

/* respawn KEEL_HOST_PID STAMPS N: SIGKILL keel's only child, time until the
 * replacement notes its own start. The clock is the same on both sides
 * (CLOCK_MONOTONIC is not namespaced), so no polling delay gets in. */
static int cmd_respawn(int argc, char **argv)
{
	if (argc < 4)
		return 100;
	pid_t k = (pid_t)atoi(argv[1]);
	int n = atoi(argv[3]);
	pid_t victim = -1;
	for (int i = 0; i < n; i++) {
		long long deadline = now_ns() + 5000000000LL;
		int before = stamps_read(argv[2], NULL);
		pid_t c;
		while ((c = child_of(k, victim)) < 0) {
			if (now_ns() > deadline) {
				fprintf(stderr, "benchtool: no child of %d\n", (int)k);
				return 1;
			}
			nap_us(200);
		}
		/* Let keel see the newcomer's readiness first, so each kill finds
		 * the service running, not still starting. */
		nap_us(20000);
		long long t0 = now_ns(), t1 = 0;
		kill(c, SIGKILL);
		victim = c;
		while (stamps_read(argv[2], &t1) <= before) {
			if (now_ns() > deadline) {
				fprintf(stderr, "benchtool: no respawn within 5 s\n");
				return 1;
			}
			nap_us(200);
		}
		printf("%.3f\n", (t1 - t0) / 1e6);
	}
	return 0;
}

/* gone PID PROG ARGS: runs PROG (e.g. keelctl poweroff) and times until
 * PID has exited; a namespace's init exits only after every other process
 * of the namespace is gone. Prints PROG's own time, then the total. */
static int cmd_gone(int argc, char **argv)
{
	if (argc < 3)
		return 100;
	int pfd = (int)syscall(SYS_pidfd_open, atoi(argv[1]), 0);
	if (pfd < 0) {
		perror("benchtool: pidfd_open");
		return 1;
	}
	long long t0 = now_ns();
	int st = run_quiet(argv + 2, NULL);
	long long t1 = now_ns();
	struct pollfd p = { .fd = pfd, .events = POLLIN };
	if (poll(&p, 1, 60000) != 1) {
		fprintf(stderr, "benchtool: pid %s still there after 60 s\n", argv[1]);
		return 1;
	}
	long long t2 = now_ns();
	if (st != 0)
		fprintf(stderr, "benchtool: %s exited with status %d\n", argv[2], st);
	printf("%.3f\n%.3f\n", (t1 - t0) / 1e6, (t2 - t0) / 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "reps", cmd_reps },       { "ctl", cmd_ctl },   { "waitlines", cmd_waitlines },
		{ "respawn", cmd_respawn }, { "gone", cmd_gone },
	};
	for (size_t i = 0; argc > 1 && i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "usage: benchtool reps|ctl|waitlines|respawn|gone ARGS...\n");
	return 100;
}
