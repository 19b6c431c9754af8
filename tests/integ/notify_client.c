/* notify_client: a service (or outsider) speaking sd_notify through Debian's libsystemd, driven step by step by its arguments, for test_notify.sh. */
/* SPDX-License-Identifier: MIT */
/*
 * Usage: notify_client STEP...   where each STEP is one of
 *   log PATH          where `rec` appends (before any rec)
 *   rec WORDS         append "WORDS <seconds.nanoseconds>" to the log in one write
 *   ready             sd_notify READY=1
 *   status TEXT       sd_notifyf STATUS=TEXT
 *   notify TEXT       sd_notify TEXT as it is (several KEY=VALUE lines)
 *   extend USEC       sd_notifyf EXTEND_TIMEOUT_USEC=USEC
 *   wdenv NAME        rec "wdenv NAME usec=$WATCHDOG_USEC pid=$WATCHDOG_PID self=PID
 *                     enabled=R wusec=U notify=$NOTIFY_SOCKET"; R and U from sd_watchdog_enabled
 *   keepalive NAME N MS  N times (0: forever) WATCHDOG=1, rec "keepalive NAME I", sleep MS
 *   mainpid NAME      fork a child that recs "child NAME PID" and pauses; then
 *                     MAINPID=child and rec "parent NAME PID"
 *   self NAME         rec "self NAME PID"
 *   wait PATH         poll until PATH exists (60 s at most, then exit 2)
 *   sleep MS
 *   flood N           N datagrams STATUS=flood I through sd_notify (blocking sends)
 *   big N TEXT        one datagram of exactly N bytes: TEXT padded with 'x' (own socket)
 *   garbage           malformed datagrams: empty, NUL bytes, no '=', binary (own socket)
 *   trapterm NAME     on SIGTERM: rec "stop NAME" and exit 0
 *   pause             wait for a signal, forever
 *   exit N
 * Every failure of a step is recorded as "error STEP ..." and ends the program
 * with status 2, so the test sees it in the log instead of a silent hang.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

static const char *log_path;
static char term_name[64];

/* One write per line with O_APPEND: lines from concurrent writers never mix. */
static void rec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void rec(const char *fmt, ...)
{
	char line[512];
	struct timespec ts;
	va_list ap;
	int n;

	if (!log_path)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 40, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 41)
		n = (int)sizeof(line) - 41;
	clock_gettime(CLOCK_REALTIME, &ts);
	n += snprintf(line + n, sizeof(line) - (size_t)n, " %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0) {
		/* nothing to do: the test notices the missing line */
	}
	close(fd);
}

static void die(const char *step, int err)
{
	rec("error %s %s", step, strerror(err));
	fprintf(stderr, "notify_client: %s: %s\n", step, strerror(err));
	exit(2);
}

static void check(const char *step, int r)
{
	if (r < 0)
		die(step, -r);
	if (r == 0)
		die(step, ENOTCONN); /* NOTIFY_SOCKET unset: nothing was sent */
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void on_term(int sig)
{
	(void)sig;
	rec("stop %s", term_name);
	_exit(0);
}

/* Raw datagrams to $NOTIFY_SOCKET, for what sd_notify cannot send (NUL
 * bytes, exact sizes). Path sockets only: keel uses one. */
static void raw_send(const void *buf, size_t len)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		die("raw", ENOTCONN);
	strcpy(sa.sun_path, path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("raw socket", errno);
	int sndbuf = 1 << 16;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (sendto(fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("raw sendto", errno);
	close(fd);
}

static void garbage(void)
{
	static const char nul[] = "STATUS=nul\0\0\nX=1";
	static const unsigned char bin[] = { 0xff, 0xfe, '=', 0x01, '\n', '\n', 0x80, 'R', 'E', 'A', 'D', 'Y' };
	static const char *const texts[] = {
		"no equals sign at all",
		"=\n=\n\n=READY",
		"READY\nMAINPID\nSTATUS",
		"READY=2\nWATCHDOG=maybe\nRELOADING=0",
		"MAINPID=\nMAINPID=abc\nMAINPID=-5\nMAINPID=99999999999999999999",
		"EXTEND_TIMEOUT_USEC=forever\nEXTEND_TIMEOUT_USEC=-1\nWATCHDOG_USEC=x",
		"UNKNOWN_KEY=1\nX-FOO=bar\nERRNO=5\nBUSERROR=a.b\nFDSTORE=1",
	};

	raw_send("", 0);
	raw_send(nul, sizeof(nul) - 1);
	raw_send(bin, sizeof(bin));
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		raw_send(texts[i], strlen(texts[i]));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		/* How many arguments the step takes. */
		int need = !strcmp(s, "keepalive") ? 3
			   : !strcmp(s, "big") ? 2
			   : !strcmp(s, "ready") || !strcmp(s, "garbage") || !strcmp(s, "pause") ? 0
												   : 1;
		if (i + need >= argc) {
			fprintf(stderr, "notify_client: %s: missing argument\n", s);
			return 2;
		}
		const char *a = argv[i + 1], *b = need > 1 ? argv[i + 2] : NULL, *c = need > 2 ? argv[i + 3] : NULL;
		i += need;

		if (!strcmp(s, "log")) {
			log_path = a;
		} else if (!strcmp(s, "rec")) {
			rec("%s", a);
		} else if (!strcmp(s, "ready")) {
			check(s, sd_notify(0, "READY=1"));
		} else if (!strcmp(s, "status")) {
			check(s, sd_notifyf(0, "STATUS=%s", a));
		} else if (!strcmp(s, "notify")) {
			check(s, sd_notify(0, a));
		} else if (!strcmp(s, "extend")) {
			check(s, sd_notifyf(0, "EXTEND_TIMEOUT_USEC=%s", a));
		} else if (!strcmp(s, "wdenv")) {
			uint64_t usec = 0;
			int r = sd_watchdog_enabled(0, &usec);
			const char *u = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID"),
				   *n = getenv("NOTIFY_SOCKET");
			rec("wdenv %s usec=%s pid=%s self=%d enabled=%d wusec=%llu notify=%s", a, u ? u : "-",
			    p ? p : "-", (int)getpid(), r, (unsigned long long)usec, n ? n : "-");
		} else if (!strcmp(s, "keepalive")) {
			long n = atol(b), ms = atol(c);
			for (long k = 1; n == 0 || k <= n; k++) {
				check(s, sd_notify(0, "WATCHDOG=1"));
				rec("keepalive %s %ld", a, k);
				sleep_ms(ms);
			}
		} else if (!strcmp(s, "mainpid")) {
			pid_t kid = fork();
			if (kid < 0)
				die(s, errno);
			if (kid == 0) {
				rec("child %s %d", a, (int)getpid());
				for (;;)
					pause();
			}
			check(s, sd_notifyf(0, "MAINPID=%d", (int)kid));
			rec("parent %s %d", a, (int)getpid());
		} else if (!strcmp(s, "self")) {
			rec("self %s %d", a, (int)getpid());
		} else if (!strcmp(s, "wait")) {
			int k = 0;
			while (access(a, F_OK) != 0) {
				if (++k > 6000)
					die("wait", ETIMEDOUT);
				sleep_ms(10);
			}
		} else if (!strcmp(s, "sleep")) {
			sleep_ms(atol(a));
		} else if (!strcmp(s, "flood")) {
			long n = atol(a);
			for (long k = 0; k < n; k++)
				check(s, sd_notifyf(0, "STATUS=flood %ld", k));
		} else if (!strcmp(s, "big")) {
			size_t n = (size_t)atol(a), t = strlen(b);
			char *buf = malloc(n + 1);
			if (!buf || t > n)
				die(s, ENOMEM);
			memset(buf, 'x', n);
			memcpy(buf, b, t);
			raw_send(buf, n);
			free(buf);
		} else if (!strcmp(s, "garbage")) {
			garbage();
		} else if (!strcmp(s, "trapterm")) {
			snprintf(term_name, sizeof(term_name), "%s", a);
			signal(SIGTERM, on_term);
		} else if (!strcmp(s, "pause")) {
			for (;;)
				pause();
		} else if (!strcmp(s, "exit")) {
			return atoi(a);
		} else {
			fprintf(stderr, "notify_client: unknown step %s\n", s);
			return 2;
		}
	}
	return 0;
}
