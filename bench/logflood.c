/* logflood: the load and the probes of bench/log.sh — syslog datagram floods, a flooding service, a stopwatch that ends when the logger goes idle, a ring dump client and a loss counter. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Every message carries "LF s=SS n=NNNNNNN": sender (or service) SS, line
 * NNNNNNN from 1, so `count` can tell exactly which lines a logger kept.
 * Times are CLOCK_MONOTONIC (not namespaced: host, PID 1 and services share it).
 */

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

static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t len = 0, r;
	while ((size_t)len < cap - 1 && (r = read(fd, buf + len, cap - 1 - (size_t)len)) > 0)
		len += r;
	close(fd);
	buf[len < 0 ? 0 : len] = '\0';
	return len;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One O_APPEND write, so lines of concurrent writers never mix. */
static int append_line(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, line, strlen(line));
	close(fd);
	return rc;
}

static int count_lines(const char *path)
{
	static char buf[1 << 16];
	if (slurp(path, buf, sizeof buf) < 0)
		return 0;
	int n = 0;
	for (char *p = buf; *p; p++)
		n += *p == '\n';
	return n;
}

/* CPU of a process: schedstat's run time (ns, fine) and stat's
 * utime+stime (clock ticks, the figure the report prints). */
struct cpu {
	long long ns, ticks;
};

static int cpu_of(int pid, struct cpu *c)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/schedstat", pid);
	if (slurp(path, buf, sizeof buf) <= 0)
		return -1;
	c->ns = strtoll(buf, NULL, 10);
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (slurp(path, buf, sizeof buf) <= 0)
		return -1;
	/* The command name may hold blanks: count fields after its ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	long long f[16] = { 0 };
	int i = 3; /* p + 2 is field 3 (state) */
	for (p += 2; *p && i <= 15; i++) {
		if (i >= 14)
			f[i] = strtoll(p, NULL, 10);
		p = strchr(p, ' ');
		if (!p)
			break;
		p++;
	}
	c->ticks = f[14] + f[15];
	return 0;
}

/*
 * Waits until PID has used no CPU for quiet_ms; returns the instant of the
 * last progress seen (when it finished its work), or -1 past the deadline.
 * Reads /proc only: asking the logger anything would itself cost it time.
 */
static long long idle_since(int pid, long quiet_ms, long deadline_ms)
{
	struct cpu c;
	if (cpu_of(pid, &c) < 0)
		return -1;
	long long last = c.ns, at = now_ns(), deadline = at + deadline_ms * 1000000LL;
	for (;;) {
		nap_us(1000);
		long long t = now_ns();
		if (cpu_of(pid, &c) < 0)
			return -1;
		if (c.ns != last) {
			last = c.ns;
			at = t;
		} else if (t - at >= quiet_ms * 1000000LL) {
			return at;
		}
		if (t > deadline)
			return -1;
	}
}

static void report(long long lines, long long t0, long long tsent, long long tend,
		   const struct cpu *c0, const struct cpu *c1)
{
	if (tend < tsent)
		tend = tsent;
	double secs = (double)(tend - t0) / 1e9;
	printf("lines=%lld\nsecs=%.4f\nsend_secs=%.4f\nrate=%.0f\nticks=%lld\ncpu_ns=%lld\nhz=%ld\n",
	       lines, secs, (double)(tsent - t0) / 1e9, (double)lines / secs, c1->ticks - c0->ticks,
	       c1->ns - c0->ns, sysconf(_SC_CLK_TCK));
}

/* Formats message n of sender s into buf, padded with 'x' to len bytes. */
static size_t fmt_msg(char *buf, size_t cap, const char *prefix, int s, long n, size_t len,
		      const char *end)
{
	int k = snprintf(buf, cap, "%sLF s=%02d n=%07ld ", prefix, s, n);
	size_t at = (size_t)k;
	while (at < len && at < cap - 2)
		buf[at++] = 'x';
	size_t e = strlen(end);
	memcpy(buf + at, end, e);
	return at + e;
}

/* ---- dgram SOCK SENDERS COUNT LEN LOGGER_PID [RATE] ------------------------------ */

/* One sender: blocking sendto() of COUNT datagrams, RFC 3164 as glibc's
 * syslog(3) writes them. RATE (lines/s for this sender, 0 = flat out) paces
 * it with absolute sleeps every 50 lines. */
static int sender(const char *sock, int s, long count, size_t len, long rate, int go)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(sock) >= sizeof sa.sun_path) {
		fprintf(stderr, "logflood: socket path too long\n");
		return 1;
	}
	strcpy(sa.sun_path, sock);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("logflood: socket");
		return 1;
	}
	char prefix[96], msg[1200];
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
	snprintf(prefix, sizeof prefix, "<30>%s lflood[%d]: ", stamp, (int)getpid());
	char c;
	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	long long start = now_ns();
	for (long n = 1; n <= count; n++) {
		size_t m = fmt_msg(msg, sizeof msg, prefix, s, n, len, "");
		while (sendto(fd, msg, m, 0, (struct sockaddr *)&sa, sizeof sa) < 0) {
			if (errno != EINTR) {
				fprintf(stderr, "logflood: sender %d line %ld: sendto %s: %s\n", s, n, sock,
					strerror(errno));
				return 1;
			}
		}
		if (rate > 0 && n % 50 == 0) {
			long long due = start + (long long)((double)n * 1e9 / (double)rate);
			struct timespec ts = { due / 1000000000LL, due % 1000000000LL };
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
		}
	}
	return 0;
}

static int cmd_dgram(int argc, char **argv)
{
	if (argc < 6)
		return 100;
	const char *sock = argv[1];
	int senders = atoi(argv[2]), logger = atoi(argv[5]);
	long count = atol(argv[3]), rate = argc > 6 ? atol(argv[6]) : 0;
	size_t len = (size_t)atol(argv[4]);
	int go[2];
	if (pipe(go) < 0)
		return 111;
	for (int s = 0; s < senders; s++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("logflood: fork");
			return 111;
		}
		if (pid == 0) {
			close(go[1]);
			_exit(sender(sock, s, count, len, rate, go[0]));
		}
	}
	close(go[0]);
	struct cpu c0, c1;
	if (cpu_of(logger, &c0) < 0) {
		fprintf(stderr, "logflood: no process %d\n", logger);
		return 1;
	}
	/* Every sender is forked and waits on the pipe: its EOF starts them all. */
	long long t0 = now_ns();
	close(go[1]);
	int st, bad = 0;
	while (wait(&st) > 0)
		bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	long long tsent = now_ns();
	long long tend = idle_since(logger, 50, 60000);
	if (tend < 0 || cpu_of(logger, &c1) < 0) {
		fprintf(stderr, "logflood: the logger never went idle (or is gone)\n");
		return 1;
	}
	report((long long)senders * count, t0, tsent, tend, &c0, &c1);
	return bad;
}

/* ---- out IDX COUNT LEN GO_FIFO READY_FILE DONE_FILE: a flooding service --------- */

static int cmd_out(int argc, char **argv)
{
	if (argc < 7)
		return 100;
	int s = atoi(argv[1]);
	long count = atol(argv[2]);
	size_t len = (size_t)atol(argv[3]);
	char line[1200];
	snprintf(line, sizeof line, "ready %d %d\n", s, (int)getpid());
	if (append_line(argv[5], line) < 0)
		return 111;
	/* Blocks until the host opens the FIFO for writing: all services start
	 * together, after the host has read PID 1's CPU counters. */
	int go = open(argv[4], O_RDONLY | O_CLOEXEC);
	if (go < 0)
		return 111;
	close(go);
	/* One write per line, as a daemon printing its log lines does. */
	for (long n = 1; n <= count; n++) {
		size_t m = fmt_msg(line, sizeof line, "", s, n, len, "\n");
		if (write_all(1, line, m) < 0)
			return 111;
	}
	snprintf(line, sizeof line, "done %d %lld\n", s, now_ns());
	if (append_line(argv[6], line) < 0)
		return 111;
	for (;;)
		pause();
}

/* ---- capture LOGGER_PID GO_FIFO DONE_FILE N COUNT: releases the services, times them */

static int cmd_capture(int argc, char **argv)
{
	if (argc < 6)
		return 100;
	int logger = atoi(argv[1]), n = atoi(argv[4]);
	long count = atol(argv[5]);
	struct cpu c0, c1;
	if (cpu_of(logger, &c0) < 0)
		return 1;
	long long t0 = now_ns();
	int go = open(argv[2], O_WRONLY | O_CLOEXEC);
	if (go < 0) {
		perror(argv[2]);
		return 1;
	}
	/* Kept open until the end: a service that reached its open() late
	 * still finds a writer. */
	long long deadline = t0 + 120 * 1000000000LL;
	while (count_lines(argv[3]) < n) {
		if (now_ns() > deadline) {
			fprintf(stderr, "logflood: %d of %d services done before the deadline\n",
				count_lines(argv[3]), n);
			return 1;
		}
		nap_us(1000);
	}
	long long tsent = now_ns();
	/* A finished writer's last lines may still be in its pipe: the logger
	 * has them all once it has gone idle. */
	long long tend = idle_since(logger, 50, 60000);
	close(go);
	if (tend < 0 || cpu_of(logger, &c1) < 0)
		return 1;
	report((long long)n * count, t0, tsent, tend, &c0, &c1);
	return 0;
}

/* ---- count SENDERS COUNT < log text: which numbered lines arrived ------------------ */

static int cmd_count(int argc, char **argv)
{
	if (argc < 3)
		return 100;
	int senders = atoi(argv[1]);
	long count = atol(argv[2]);
	unsigned char *seen = calloc((size_t)senders * (size_t)count, 1);
	if (!seen)
		return 111;
	long long found = 0, dup = 0, foreign = 0, suppressed = 0, other = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t r;
	while ((r = getline(&line, &cap, stdin)) > 0) {
		char *p = strstr(line, "LF s=");
		if (!p) {
			other++;
			if (strstr(line, "suppressed"))
				suppressed++;
			continue;
		}
		int s;
		long n;
		if (sscanf(p, "LF s=%d n=%ld", &s, &n) != 2 || s < 0 || s >= senders || n < 1 ||
		    n > count) {
			foreign++;
			continue;
		}
		unsigned char *b = &seen[(size_t)s * (size_t)count + (size_t)(n - 1)];
		if (*b)
			dup++;
		else
			found++;
		*b = 1;
	}
	long long want = (long long)senders * count;
	printf("found=%lld\nmissing=%lld\ndup=%lld\nforeign=%lld\nsuppressed=%lld\nother=%lld\n", found,
	       want - found, dup, foreign, suppressed, other);
	free(line);
	free(seen);
	return 0;
}

/* ---- keeldump SOCK: the whole ring over keel's log socket ("dump") --------------- */

static int cmd_keeldump(int argc, char **argv)
{
	if (argc < 2)
		return 100;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror(argv[1]);
		return 1;
	}
	if (write_all(fd, "dump\n", 5) < 0)
		return 1;
	/* The answer ends with the line "end"; do not rely on keel closing. */
	static char buf[1 << 16];
	char tail[5] = "\n\n\n\n\n";
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("logflood: read");
			return 1;
		}
		if (write_all(1, buf, (size_t)r) < 0)
			return 1;
		for (ssize_t i = 0; i < r; i++) {
			memmove(tail, tail + 1, 4);
			tail[4] = buf[i];
		}
		if (!memcmp(tail, "\nend\n", 5))
			break;
	}
	close(fd);
	return 0;
}

/* ---- small probes ------------------------------------------------------------------- */

/* idle PID QUIET_MS DEADLINE_MS: until PID has used no CPU for QUIET_MS. */
static int cmd_idle(int argc, char **argv)
{
	if (argc < 4)
		return 100;
	return idle_since(atoi(argv[1]), atol(argv[2]), atol(argv[3])) < 0;
}

/* waitlines FILE N DEADLINE_MS: until FILE has N lines (no fork per poll). */
static int cmd_waitlines(int argc, char **argv)
{
	if (argc < 4)
		return 100;
	int want = atoi(argv[2]);
	long long deadline = now_ns() + atoll(argv[3]) * 1000000LL;
	while (count_lines(argv[1]) < want) {
		if (now_ns() > deadline) {
			fprintf(stderr, "logflood: %s: %d of %d lines before the deadline\n", argv[1],
				count_lines(argv[1]), want);
			return 1;
		}
		nap_us(2000);
	}
	return 0;
}

/* waitsock PATH DEADLINE_MS: until PATH is a socket. */
static int cmd_waitsock(int argc, char **argv)
{
	if (argc < 3)
		return 100;
	long long deadline = now_ns() + atoll(argv[2]) * 1000000LL;
	struct stat st;
	while (stat(argv[1], &st) < 0 || !S_ISSOCK(st.st_mode)) {
		if (now_ns() > deadline)
			return 1;
		nap_us(2000);
	}
	return 0;
}

/* stamp FILE: the idle daemon of workload B: one line, then sleeps forever. */
static int cmd_stamp(int argc, char **argv)
{
	if (argc < 2)
		return 100;
	char line[64];
	snprintf(line, sizeof line, "%lld %d\n", now_ns(), (int)getpid());
	if (append_line(argv[1], line) < 0)
		return 111;
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "dgram", cmd_dgram },	    { "out", cmd_out },		{ "capture", cmd_capture },
		{ "count", cmd_count },	    { "keeldump", cmd_keeldump }, { "idle", cmd_idle },
		{ "waitlines", cmd_waitlines }, { "waitsock", cmd_waitsock }, { "stamp", cmd_stamp },
	};
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; argc > 1 && i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			int rc = cmds[i].fn(argc - 1, argv + 1);
			if (rc == 100)
				fprintf(stderr, "logflood %s: wrong arguments\n", argv[1]);
			return rc;
		}
	fprintf(stderr, "usage: logflood dgram|out|capture|count|keeldump|idle|waitlines|waitsock|stamp ARGS...\n");
	return 100;
}
