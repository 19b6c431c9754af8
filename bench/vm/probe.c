/* SPDX-License-Identifier: MIT */
// probe: forked by pre before the init starts: waits (inotify, no polling) until every service marked itself ready, records memory, prints the bench kmsg lines, then requests the init's native poweroff.
// Output on the console, one record a line:
//   @@P PID PPID COMM PSS_KIB   every user process except the daemons (/bin/bd) and us
//   @@M MEMTOTAL MEMAVAILABLE   KiB, from /proc/meminfo
//   @@K SEQ USEC MESSAGE        every kmsg record starting "bench: "
//   @@T                         not every service became ready within the deadline
//   @@S PID STAT WCHAN          every process, once, if not all were ready after 20 s
// then "bench: poweroff" at level 0 (printed on the console with the kernel's timestamp)
// and exec of /etc/bench/poweroff (argv, one word a line).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int count_ready(void)
{
	int n = 0;
	DIR *d = opendir("/bench/r");
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static long field_kib(const char *path, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, key, strlen(key)) == 0) {
			v = atol(line + strlen(key));
			break;
		}
	if (f)
		fclose(f);
	return v;
}

static void procs(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[64], comm[64], stat[512];
	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof path, "/proc/%d/stat", pid);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		int ok = fgets(stat, sizeof stat, f) != NULL;
		fclose(f);
		char *rp = strrchr(stat, ')');
		if (!ok || !rp)
			continue;
		int ppid = atoi(rp + 4);
		char *lp = strchr(stat, '(');
		snprintf(comm, sizeof comm, "%.*s", (int)(rp - lp - 1), lp + 1);
		// Kernel threads have no memory of their own: kthreadd (2) and its children.
		if (pid == 2 || ppid == 2)
			continue;
		// The daemons, whatever their name (a runit/s6 run file may be a link to bd).
		char exe[64];
		snprintf(path, sizeof path, "/proc/%d/exe", pid);
		ssize_t n = readlink(path, exe, sizeof exe - 1);
		if (n > 0 && (exe[n] = 0, strcmp(exe, "/bin/bd") == 0))
			continue;
		snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
		long pss = field_kib(path, "Pss:");
		if (pss >= 0)
			printf("@@P %d %d %s %ld\n", pid, ppid, comm, pss);
	}
	if (d)
		closedir(d);
}

static void ps(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[64], b[256];
	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid <= 0)
			continue;
		printf("@@S %d", pid);
		snprintf(path, sizeof path, "/proc/%d/stat", pid);
		FILE *f = fopen(path, "r");
		if (f && fgets(b, sizeof b, f))
			printf(" %.*s", (int)strcspn(b, "\n"), b);
		if (f)
			fclose(f);
		snprintf(path, sizeof path, "/proc/%d/wchan", pid);
		f = fopen(path, "r");
		if (f && fgets(b, sizeof b, f))
			printf(" wchan=%s", b);
		if (f)
			fclose(f);
		printf("\n");
	}
	if (d)
		closedir(d);
	fflush(stdout);
}

static void kmsg_dump(void)
{
	static char rec[8192];
	int k = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	for (;;) {
		ssize_t n = read(k, rec, sizeof rec - 1);
		if (n < 0 && errno == EPIPE)
			continue; // records overwritten before we read them: go on with the next
		if (n <= 0)
			break;
		rec[n] = 0;
		unsigned long long seq, us;
		char *msg = strchr(rec, ';');
		if (!msg || sscanf(rec, "%*u,%llu,%llu", &seq, &us) != 2)
			continue;
		msg++;
		if (strncmp(msg, "bench: ", 7) == 0)
			printf("@@K %llu %llu %.*s\n", seq, us, (int)strcspn(msg + 7, "\n"), msg + 7);
	}
	close(k);
}

int main(void)
{
	static char buf[1024];
	char *argv[16];
	int argc = 0, want = 0;
	FILE *f = fopen("/etc/bench/count", "r");
	if (!f || fscanf(f, "%d", &want) != 1)
		return 1;
	fclose(f);
	int in = inotify_init1(IN_CLOEXEC);
	inotify_add_watch(in, "/bench/r", IN_CREATE);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int timeout = 0, dumped = 0;
	// Count once after arming the watch, then on every batch of events.
	while (count_ready() < want) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		// Slow or stuck: show once what every process is doing (for the log, not a figure).
		if (now.tv_sec - t0.tv_sec > 20 && !dumped) {
			dumped = 1;
			ps();
		}
		if (now.tv_sec - t0.tv_sec > 240) {
			timeout = 1;
			break;
		}
		struct pollfd p = {in, POLLIN, 0};
		if (poll(&p, 1, 1000) > 0)
			(void)!read(in, buf, sizeof buf);
	}
	// Let the init finish what it does right after the last readiness (status lines,
	// bookkeeping) before memory is read.
	struct timespec settle = {1, 0};
	nanosleep(&settle, NULL);
	procs();
	printf("@@M %ld %ld\n", field_kib("/proc/meminfo", "MemTotal:"),
	       field_kib("/proc/meminfo", "MemAvailable:"));
	kmsg_dump();
	if (timeout)
		printf("@@T\n");
	printf("@@END\n");
	fflush(stdout);
	tcdrain(1);
	int k = open("/dev/kmsg", O_WRONLY);
	// Level 0: finit lowers the console log level, and this line must reach the console.
	(void)!write(k, "<0>bench: poweroff\n", 19);
	close(k);
	int fd = open("/etc/bench/poweroff", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (n <= 0)
		return 1;
	buf[n] = 0;
	for (char *p = strtok(buf, "\n"); p && argc < 15; p = strtok(NULL, "\n"))
		argv[argc++] = p;
	argv[argc] = NULL;
	execv(argv[0], argv);
	return 127;
}
