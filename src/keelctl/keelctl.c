/* keelctl: asks PID 1 over its control socket and prints the answer for people or scripts. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ctl_log.h"
#include "logrec.h"

/* Exit codes a shell script can test. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,     /* keel refused or the request failed */
	EXIT_USAGE = 2,
	EXIT_NOT_RUNNING = 3, /* status NAME: the service is not running */
	EXIT_UNREACHABLE = 111,
};

#define REPLY_TIMEOUT_MS 10000

static void usage(FILE *f)
{
	fprintf(f,
		"usage: keelctl [--socket PATH] [--log-socket PATH] [--json] COMMAND [ARGS]\n"
		"commands:\n"
		"  status [NAME]       table of services (state, pid, uptime, restarts, last exit)\n"
		"  list                names of all services\n"
		"  start|stop|restart NAME\n"
		"  reload              re-read the service files and apply the difference\n"
		"  reload NAME         reload one service (its `reload` line, default SIGHUP)\n"
		"  cond                conditions: value and the services waiting on them\n"
		"  watchdog            the hardware watchdog: device, timeout, last feed\n"
		"  health              boot health: healthy, waiting or unhealthy, failed boots\n"
		"  cond set|clear FLAG set or clear a user flag (`condition flag FLAG`)\n"
		"  log NAME [-f] [-n N] [--json]   the service's last lines (logread's format)\n"
		"  enable|disable NAME[@ARG]   add or remove the link in the service dir\n"
		"  reboot|poweroff|halt\n"
		"exit: 0 ok, 1 failed, 2 usage, 3 service not running (status NAME),\n"
		"      111 keel not reachable\n");
}

/* Split one tab-separated line in place. */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static void fmt_uptime(unsigned long long ms, char *buf, size_t len)
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

enum { F_KIND, F_NAME, F_STATE, F_PID, F_UPTIME, F_RESTARTS, F_EXIT, F_TYPE, F_TARGET, F_DESC,
       F_REASON, F_STATUS, F_COUNT };

static int render(char *reply, bool json, const char *verb, const char *name)
{
	/* Only the output asked for is built (status of 1000 services). */
	struct buf table = { .off = json }, diags = { .off = json }, js = { .off = !json };
	char *status_line = NULL;
	int nsvc = 0, ndiag = 0;
	const char *single_state = NULL;
	static char state_copy[32];

	buf_adds(&js, "{\"services\":[");
	for (char *line = reply, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "OK", 2) || !strncmp(line, "ERR", 3)) {
			status_line = line;
			break;
		}
		if (!strncmp(line, "health\t", 7)) {
			char *hf[4];
			if (split_tabs(line, hf, 4) == 4) {
				buf_addf(&table, "%s%s%s (failed boots counted: %s)\n", hf[1], hf[2][0] ? ": " : "",
					 hf[2], hf[3][0] ? hf[3] : "-");
				buf_adds(&js, "{\"health\":");
				buf_add_json(&js, hf[1]);
				buf_adds(&js, ",\"detail\":");
				buf_add_json(&js, hf[2]);
				buf_addf(&js, ",\"counter\":%s}", hf[3][0] ? hf[3] : "null");
				nsvc++;
			}
			continue;
		}
		if (!strncmp(line, "log\t", 4)) {
			struct log_rec r;
			char *rl = line + 4;
			if (!json && logrec_parse(rl, strlen(rl), &r) == 0) {
				/* Shown under the service's row, as systemctl status does. */
				time_t t = (time_t)(r.real_us / 1000000);
				struct tm tm;
				char when[32] = "";
				if (localtime_r(&t, &tm))
					strftime(when, sizeof when, "%b %e %H:%M:%S", &tm);
				/* Escaped again: a line must not drive the terminal. */
				buf_addf(&table, "    %s %s%s ", when, r.source == LOG_SRC_STDERR ? "!" : " ",
					 r.flags & LOG_F_CONT ? "+" : "");
				logrec_escape(&table, r.msg, r.msg_len);
				buf_adds(&table, "\n");
			}
			continue;
		}
		char *f[F_COUNT];
		size_t n = split_tabs(line, f, F_COUNT);
		if (!strcmp(f[0], "svc") && n == F_COUNT) {
			char up[32] = "-";
			unsigned long long ms = strtoull(f[F_UPTIME], NULL, 10);
			if (strcmp(f[F_PID], "0"))
				fmt_uptime(ms, up, sizeof up);
			buf_addf(&table, "%-20s %-9s %7s %9s %8s %-11s %s%s%s%s%s%s\n", f[F_NAME],
				 f[F_STATE], strcmp(f[F_PID], "0") ? f[F_PID] : "-", up,
				 f[F_RESTARTS], f[F_EXIT], f[F_DESC][0] ? f[F_DESC] : "",
				 f[F_REASON][0] ? (f[F_DESC][0] ? " — " : "") : "", f[F_REASON],
				 f[F_STATUS][0] ? " [" : "", f[F_STATUS], f[F_STATUS][0] ? "]" : "");
			buf_adds(&js, nsvc ? ",{" : "{");
			buf_adds(&js, "\"name\":");
			buf_add_json(&js, f[F_NAME]);
			buf_adds(&js, ",\"state\":");
			buf_add_json(&js, f[F_STATE]);
			buf_addf(&js, ",\"pid\":%s,\"uptime_ms\":%s,\"restarts\":%s,\"last_exit\":",
				 f[F_PID], f[F_UPTIME], f[F_RESTARTS]);
			buf_add_json(&js, f[F_EXIT]);
			buf_adds(&js, ",\"type\":");
			buf_add_json(&js, f[F_TYPE]);
			buf_adds(&js, ",\"target\":");
			buf_add_json(&js, f[F_TARGET]);
			buf_adds(&js, ",\"description\":");
			buf_add_json(&js, f[F_DESC]);
			buf_adds(&js, ",\"reason\":");
			buf_add_json(&js, f[F_REASON]);
			buf_adds(&js, ",\"status\":");
			buf_add_json(&js, f[F_STATUS]);
			buf_adds(&js, "}");
			snprintf(state_copy, sizeof state_copy, "%s", f[F_STATE]);
			single_state = state_copy;
			nsvc++;
		} else if (!strcmp(f[0], "diag") && n == 4) {
			buf_addf(&diags, "keel: %s: %s%s%s\n", f[1], f[2], f[2][0] ? ": " : "", f[3]);
			if (!ndiag)
				buf_adds(&js, "],\"diagnostics\":[");
			buf_adds(&js, ndiag ? ",{" : "{");
			buf_adds(&js, "\"level\":");
			buf_add_json(&js, f[1]);
			buf_adds(&js, ",\"location\":");
			buf_add_json(&js, f[2]);
			buf_adds(&js, ",\"message\":");
			buf_add_json(&js, f[3]);
			buf_adds(&js, "}");
			ndiag++;
		} else if (!strcmp(f[0], "cond") && n == 5) {
			buf_addf(&table, "%-36s %-5s %s%s%s\n", f[1], f[2], f[3], f[4][0] ? "  # " : "",
				 f[4]);
			buf_adds(&js, nsvc ? ",{" : "{");
			buf_adds(&js, "\"condition\":");
			buf_add_json(&js, f[1]);
			buf_addf(&js, ",\"value\":%s,\"services\":[", !strcmp(f[2], "true") ? "true" : "false");
			for (char *sv = f[3], *next_sv; sv && *sv; sv = next_sv) {
				next_sv = strchr(sv, ',');
				if (next_sv)
					*next_sv++ = '\0';
				if (sv != f[3])
					buf_adds(&js, ",");
				buf_add_json(&js, sv);
			}
			buf_adds(&js, "],\"note\":");
			buf_add_json(&js, f[4]);
			buf_adds(&js, "}");
			nsvc++;
		} else if (!strcmp(f[0], "name") && n == 2) {
			buf_addf(&table, "%s\n", f[1]);
			buf_adds(&js, nsvc ? "," : "");
			buf_add_json(&js, f[1]);
			nsvc++;
		}
	}
	if (!ndiag)
		buf_adds(&js, "],\"diagnostics\":[");
	buf_adds(&js, "]}\n");

	int rc = EXIT_OK;
	if (!status_line) {
		fprintf(stderr, "keelctl: incomplete answer from keel\n");
		rc = EXIT_FAILED;
	} else if (!strncmp(status_line, "ERR", 3)) {
		fprintf(stderr, "keelctl: %s\n", status_line[3] ? status_line + 4 : "failed");
		rc = EXIT_FAILED;
	}
	bool is_cond_list = !strcmp(verb, "cond") && !name;
	if (rc == EXIT_OK && !strcmp(verb, "health")) {
		/* {"services":[{...}]... holds the one object */
		char *p = json && js.p ? strchr(js.p, '{' ) : NULL;
		char *q = p ? strchr(p + 1, '{') : NULL;
		char *e = q ? strstr(q, "],\"diagnostics\"") : NULL;
		if (json && q && e)
			printf("%.*s\n", (int)(e - q), q);
		else if (!json && table.p)
			fputs(table.p, stdout);
		buf_free(&table);
		buf_free(&diags);
		buf_free(&js);
		return rc;
	}
	bool is_status = !strcmp(verb, "status") || !strcmp(verb, "list");
	if (rc == EXIT_OK && is_cond_list) {
		if (json && (!js.p || js.oom)) {
			fprintf(stderr, "keelctl: out of memory\n");
			rc = EXIT_FAILED;
		} else if (json) {
			/* {"services":[ ... becomes {"conditions":[ ... */
			char *p = strchr(js.p, '[');
			char *e = strstr(js.p, "],\"diagnostics\"");
			if (p && e)
				printf("{\"conditions\":%.*s]}\n", (int)(e - p), p);
		} else {
			printf("%-36s %-5s %s\n", "CONDITION", "VALUE", "SERVICES");
			if (table.p)
				fputs(table.p, stdout);
		}
	} else if (rc == EXIT_OK && is_status) {
		if (json && (!js.p || js.oom)) {
			fprintf(stderr, "keelctl: out of memory\n");
			rc = EXIT_FAILED;
		} else if (json) {
			if (!strcmp(verb, "list")) {
				/* list: a plain array of names */
				char *p = strstr(js.p, "[");
				char *e = strstr(js.p, "],\"diagnostics\"");
				if (p && e)
					printf("%.*s]\n", (int)(e - p), p);
			} else {
				fputs(js.p, stdout);
			}
		} else {
			if (!strcmp(verb, "status"))
				printf("%-20s %-9s %7s %9s %8s %-11s %s\n", "NAME", "STATE", "PID",
				       "UPTIME", "RESTARTS", "LAST-EXIT", "DESCRIPTION");
			if (table.p)
				fputs(table.p, stdout);
			if (diags.p) {
				printf("\nproblems in the service files:\n");
				fputs(diags.p, stdout);
			}
		}
		if (name && single_state) {
			if (!strcmp(single_state, "failed") || !strcmp(single_state, "skipped"))
				rc = EXIT_FAILED;
			else if (strcmp(single_state, "running") && strcmp(single_state, "done"))
				rc = EXIT_NOT_RUNNING;
		}
	} else if (rc == EXIT_OK && status_line[2]) {
		if (json) {
			printf("{\"ok\":true,\"message\":");
			struct buf m = { 0 };
			buf_add_json(&m, status_line + 3);
			printf("%s}\n", m.p ? m.p : "\"\"");
			buf_free(&m);
		} else {
			printf("%s\n", status_line + 3);
		}
	}
	buf_free(&table);
	buf_free(&diags);
	buf_free(&js);
	return rc;
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

int main(int argc, char **argv)
{
	const char *sock = KEEL_SOCKET_PATH, *log_sock = NULL;
	bool json = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "--log-socket") && i + 1 < argc)
			log_sock = argv[++i];
		else if (!strncmp(argv[i], "--socket=", 9))
			sock = argv[i] + 9;
		else if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			json = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return EXIT_OK;
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *verb = argv[i];
	if (!strcmp(verb, "log")) {
		/* --json before the verb means the same as after it. */
		char *args[64];
		int n = 0;
		for (int k = i; k < argc && n < 62; k++)
			args[n++] = argv[k];
		if (json)
			args[n++] = (char *)"--json";
		args[n] = NULL;
		return ctl_log_main(log_sock, n, args);
	}
	const char *name = i + 1 < argc ? argv[i + 1] : NULL;
	/* `cond set FLAG` and `sysupgrade IMAGE KEEP [force]`: more than one argument. */
	if (argc - i > (!strcmp(verb, "sysupgrade") ? 4 : strcmp(verb, "cond") ? 2 : 3)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	struct buf req = { 0 };
	bool bad = false;
	for (int k = i; k < argc; k++) {
		if (k > i)
			buf_adds(&req, " ");
		buf_adds(&req, argv[k]);
		bad |= !argv[k][0] || strpbrk(argv[k], " \t\n") != NULL;
	}
	buf_adds(&req, "\n");
	if (req.oom || bad) {
		fprintf(stderr, "keelctl: bad argument\n");
		buf_free(&req);
		return EXIT_USAGE;
	}

	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(sock) >= sizeof sa.sun_path) {
		fprintf(stderr, "keelctl: socket path too long\n");
		buf_free(&req);
		return EXIT_USAGE;
	}
	strcpy(sa.sun_path, sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fprintf(stderr, "keelctl: cannot reach keel at %s: %s\n", sock, strerror(errno));
		buf_free(&req);
		return EXIT_UNREACHABLE;
	}
	/* If keel refused us before reading (too many clients), its answer
	 * is still there to read: a failed send is reported only without one. */
	int send_errno = 0;
	for (size_t off = 0; off < req.len;) {
		ssize_t w = send(fd, req.p + off, req.len - off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			send_errno = errno;
			break;
		}
		off += (size_t)w;
	}
	buf_free(&req);
	struct buf reply = { 0 };
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += REPLY_TIMEOUT_MS / 1000;
	for (;;) {
		long left = ms_left(&deadline);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			fprintf(stderr, "keelctl: no answer from keel within %d s\n",
				REPLY_TIMEOUT_MS / 1000);
			buf_free(&reply);
			return EXIT_UNREACHABLE;
		}
		char tmp[4096];
		ssize_t r = read(fd, tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "keelctl: %s: %s\n", send_errno ? "send" : "read",
				strerror(send_errno ? send_errno : errno));
			buf_free(&reply);
			return EXIT_UNREACHABLE;
		}
		if (r == 0)
			break;
		buf_add(&reply, tmp, (size_t)r);
	}
	close(fd);
	if (!reply.len && send_errno) {
		fprintf(stderr, "keelctl: send: %s\n", strerror(send_errno));
		return EXIT_UNREACHABLE;
	}
	if (reply.oom) {
		fprintf(stderr, "keelctl: out of memory\n");
		buf_free(&reply);
		return EXIT_FAILED;
	}
	int rc = render(reply.p ? reply.p : (char[]){ 0 }, json, verb, name);
	buf_free(&reply);
	return rc;
}
