/* keelctl: asks PID 1 over its control socket and prints the answer for people or scripts. */
/* SPDX-License-Identifier: MIT */
#include "ctl.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: keelctl [OPTIONS] COMMAND [ARGS]   (options may come anywhere)\n"
		"commands:\n"
		"  status [NAME]        table of services (state, pid, uptime, restarts, last exit)\n"
		"  list                 names of all services\n"
		"  start|stop|restart NAME [--wait [--timeout S]]\n"
		"  reload               re-read the service files and apply the difference\n"
		"  reload NAME          reload one service (its `reload` line, default SIGHUP)\n"
		"  cond                 conditions: value and the services waiting on them\n"
		"  cond set|clear FLAG  set or clear a user flag (`condition flag FLAG`)\n"
		"  events               follow state changes, conditions and keel's messages\n"
		"  analyze blame        time from wanted to ready, per service, longest first\n"
		"  analyze critical-chain [NAME]   the waits that set when NAME was ready\n"
		"  chart                the boot as an SVG picture (keelctl chart > boot.svg)\n"
		"  times                the raw timings (for --from)\n"
		"  watchdog             the hardware watchdog: device, timeout, last feed\n"
		"  health               boot health: healthy, waiting or unhealthy, failed boots\n"
		"  log NAME [-f] [-n N] the service's last lines (logread's format)\n"
		"  enable|disable NAME[@ARG]   add or remove the link in the service dir\n"
		"  reboot|poweroff|halt\n"
		"options:\n"
		"  -s, --socket PATH    keel's control socket (" KEEL_SOCKET_PATH ")\n"
		"      --log-socket PATH\n"
		"  -j, --json           JSON output, errors included\n"
		"  -w, --wait           start/stop/restart: return once the state is reached\n"
		"  -t, --timeout S      --wait's limit in seconds (default 60)\n"
		"      --from FILE      analyze/chart: a saved `keelctl times`\n"
		"  -V, --version        keelctl's and keel's version and protocol\n"
		"  -h, --help\n"
		"exit: 0 ok, 1 failed, 2 usage, 3 service not running (status NAME),\n"
		"      4 --wait timed out, 111 keel not reachable\n");
}

uint64_t ctl_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void ctl_fmt_ms(unsigned long long ms, char *buf, size_t len)
{
	unsigned long long s = ms / 1000;
	if (s < 60)
		snprintf(buf, len, "%llu.%llus", s, (ms % 1000) / 100);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", s / 3600, (s / 60) % 60);
	else
		snprintf(buf, len, "%llud%02lluh", s / 86400, (s / 3600) % 24);
}

int ctl_fail(const struct ctl *c, int code, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (c && c->quiet) {
	} else if (c && c->json) {
		struct buf b = { 0 };
		buf_adds(&b, "{\"ok\":false,\"error\":");
		buf_add_json(&b, msg ? msg : "out of memory");
		buf_addf(&b, ",\"exit\":%d}\n", code);
		if (b.p)
			fputs(b.p, stdout);
		buf_free(&b);
	} else {
		fprintf(stderr, "keelctl: %s\n", msg ? msg : "out of memory");
	}
	free(msg);
	return code;
}

char *ctl_status_line(char *reply)
{
	for (char *line = reply, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "OK", 2) || !strncmp(line, "ERR", 3))
			return line;
	}
	return NULL;
}

int ctl_connect(const struct ctl *c, const char *request)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(c->sock) >= sizeof sa.sun_path)
		return -ctl_fail(c, EXIT_USAGE, "socket path too long");
	strcpy(sa.sun_path, c->sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* A full backlog blocks connect: not beyond the answer's limit. */
	struct timeval tv = { .tv_sec = CTL_REPLY_TIMEOUT_MS / 1000 };
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return -ctl_fail(c, EXIT_UNREACHABLE, "cannot reach keel at %s: %s", c->sock, strerror(e));
	}
	/* If keel refused us before reading (too many clients), its answer
	 * is still there to read: a failed send is not an error by itself. */
	size_t len = strlen(request);
	for (size_t off = 0; off < len;) {
		ssize_t w = send(fd, request + off, len - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return fd;
}

static long ms_left(uint64_t deadline)
{
	uint64_t now = ctl_now_ms();
	return now >= deadline ? 0 : (long)(deadline - now);
}

static int request_once(const struct ctl *c, const char *request, struct buf *reply);

/* keel refuses a connection that has not sent its request when every slot
 * is taken (a flood of silent connections): keelctl's, caught between
 * connect and send, is asked again a few times. */
int ctl_request(const struct ctl *c, const char *request, struct buf *reply)
{
	long pause_ms = 10;
	for (int attempt = 0;; attempt++) {
		int rc = request_once(c, request, reply);
		if (rc || attempt == 6 || reply->len < 20 || strncmp(reply->p, "ERR too many clients", 20))
			return rc;
		reply->len = 0;
		struct timespec ts = { 0, pause_ms * 1000000L };
		nanosleep(&ts, NULL);
		pause_ms *= 2;
	}
}

static int request_once(const struct ctl *c, const char *request, struct buf *reply)
{
	int fd = ctl_connect(c, request);
	if (fd < 0)
		return -fd;
	uint64_t deadline = ctl_now_ms() + CTL_REPLY_TIMEOUT_MS;
	int err = 0;
	for (;;) {
		long left = ms_left(deadline);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			close(fd);
			return ctl_fail(c, EXIT_UNREACHABLE, "no answer from keel within %d s",
					CTL_REPLY_TIMEOUT_MS / 1000);
		}
		char tmp[16384];
		ssize_t r = read(fd, tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			break;
		}
		if (r == 0)
			break;
		/* Reading fast is what keeps keel's side of a long answer small. */
		buf_add(reply, tmp, (size_t)r);
	}
	close(fd);
	if (reply->oom)
		return ctl_fail(c, EXIT_FAILED, "out of memory");
	/* A reset after keel's answer (it refused us and closed) is that answer. */
	if (err && !reply->len)
		return ctl_fail(c, EXIT_UNREACHABLE, "keel closed the connection: %s", strerror(err));
	if (!reply->len)
		return ctl_fail(c, EXIT_UNREACHABLE, "keel closed the connection without an answer");
	return 0;
}

static int do_version(const struct ctl *c)
{
	struct buf reply = { 0 };
	struct ctl quiet = *c;
	quiet.quiet = true;
	int rc = ctl_request(&quiet, "version\n", &reply);
	char *f[3] = { 0 };
	char *line = NULL;
	if (!rc && reply.p) {
		line = reply.p;
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (ctl_split_tabs(line, f, 3) != 3 || strcmp(f[0], "version"))
			f[0] = NULL;
	}
	if (c->json) {
		struct buf b = { 0 };
		buf_adds(&b, "{\"keelctl\":");
		buf_add_json(&b, KEEL_VERSION);
		buf_addf(&b, ",\"protocol\":%d,\"keel\":", CTL_PROTOCOL);
		if (f[0])
			buf_add_json(&b, f[2]);
		else
			buf_adds(&b, "null");
		buf_addf(&b, ",\"keel_protocol\":%s}\n", f[0] ? f[1] : "null");
		if (b.p)
			fputs(b.p, stdout);
		buf_free(&b);
	} else {
		printf("keelctl %s (protocol %d)\n", KEEL_VERSION, CTL_PROTOCOL);
		if (f[0])
			printf("keel %s (protocol %s)\n", f[2], f[1]);
	}
	buf_free(&reply);
	/* --version answers even without keel: the tool's own version. */
	return EXIT_OK;
}

static bool has_json(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct ctl c = { .sock = KEEL_SOCKET_PATH, .timeout_ms = 60000 };
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "log-socket", required_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'j' },
		{ "wait", no_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'F' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "follow", no_argument, NULL, 'f' },
		{ "lines", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	bool version = false, follow = false;
	const char *lines = NULL;
	/* Errors before --json is reached are JSON too. */
	c.json = has_json(argc, argv);
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, ":s:jwt:Vhfn:", lo, NULL)) != -1) {
		switch (opt) {
		case 's': c.sock = optarg; break;
		case 'L': c.log_sock = optarg; break;
		case 'j': c.json = true; break;
		case 'w': c.wait = true; break;
		case 'F': c.from = optarg; break;
		case 'V': version = true; break;
		case 'f': follow = true; break;
		case 'n': lines = optarg; break;
		case 't': {
			char *end;
			double s = strtod(optarg, &end);
			if (end == optarg || *end || s < 0 || s > 86400 * 365)
				return ctl_fail(&c, EXIT_USAGE, "--timeout needs seconds, not \"%s\"", optarg);
			c.timeout_ms = (long)(s * 1000);
			break;
		}
		case 'h': usage(stdout); return EXIT_OK;
		case ':':
			return ctl_fail(&c, EXIT_USAGE, "option %s needs a value (keelctl --help)",
					argv[optind - 1]);
		default:
			return ctl_fail(&c, EXIT_USAGE, "unknown option %s (keelctl --help)", argv[optind - 1]);
		}
	}
	if (version)
		return do_version(&c);
	if (optind >= argc) {
		if (!c.json)
			usage(stderr);
		return c.json ? ctl_fail(&c, EXIT_USAGE, "no command (keelctl --help)") : EXIT_USAGE;
	}
	const char *verb = argv[optind];
	int nargs = argc - optind - 1;
	char **args = argv + optind + 1;
	if (!strcmp(verb, "log")) {
		char *la[8];
		int n = 0;
		la[n++] = (char *)"log";
		for (int k = 0; k < nargs && n < 4; k++)
			la[n++] = args[k];
		if (follow)
			la[n++] = (char *)"-f";
		if (lines) {
			la[n++] = (char *)"-n";
			la[n++] = (char *)lines;
		}
		if (c.json)
			la[n++] = (char *)"--json";
		la[n] = NULL;
		return ctl_log_main(c.log_sock, n, la);
	}
	if (follow || lines)
		return ctl_fail(&c, EXIT_USAGE, "-f and -n are for `log`");
	bool waitable = !strcmp(verb, "start") || !strcmp(verb, "stop") || !strcmp(verb, "restart");
	if (c.wait && !waitable)
		return ctl_fail(&c, EXIT_USAGE, "--wait is for start, stop and restart");
	if (!strcmp(verb, "events")) {
		if (nargs)
			return ctl_fail(&c, EXIT_USAGE, "usage: keelctl events [--json]");
		return ctl_events(&c);
	}
	if (!strcmp(verb, "analyze") || !strcmp(verb, "chart") || !strcmp(verb, "times"))
		return ctl_analyze(&c, argc - optind, argv + optind);
	if (c.from)
		return ctl_fail(&c, EXIT_USAGE, "--from is for analyze, chart and times");
	/* `cond set FLAG` and `sysupgrade IMAGE KEEP [force]`: more than one argument. */
	if (nargs > (!strcmp(verb, "sysupgrade") ? 3 : strcmp(verb, "cond") ? 1 : 2))
		return ctl_fail(&c, EXIT_USAGE, "too many arguments for %s (keelctl --help)", verb);
	if (waitable && nargs != 1)
		return ctl_fail(&c, EXIT_USAGE, "usage: keelctl %s NAME [--wait [--timeout S]]", verb);
	struct buf req = { 0 };
	bool bad = false;
	for (int k = optind; k < argc; k++) {
		if (k > optind)
			buf_adds(&req, " ");
		buf_adds(&req, argv[k]);
		bad |= !argv[k][0] || strpbrk(argv[k], " \t\n") != NULL;
	}
	buf_adds(&req, "\n");
	if (req.oom || bad) {
		buf_free(&req);
		return ctl_fail(&c, EXIT_USAGE, "bad argument: empty, or with blanks");
	}
	struct buf reply = { 0 };
	c.t_request = ctl_now_ms();
	int rc = ctl_request(&c, req.p, &reply);
	buf_free(&req);
	if (rc) {
		buf_free(&reply);
		return rc;
	}
	rc = ctl_render(&c, reply.p, verb, nargs ? args[0] : NULL);
	buf_free(&reply);
	if (rc == EXIT_OK && c.wait)
		rc = ctl_wait(&c, verb, args[0]);
	return rc;
}
