/* ctl_log: `keelctl log NAME [-f] [-n N]` — one service's last lines from keel's log socket. */
/* SPDX-License-Identifier: MIT */
#include "ctl_log.h"

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
#include "logfmt.h"
#include "logrec.h"

#ifndef KEEL_LOG_SOCKET
#define KEEL_LOG_SOCKET "/run/keel-log.sock"
#endif

enum { LOG_OK = 0, LOG_FAILED = 1, LOG_USAGE = 2, LOG_UNREACHABLE = 111 };

#define LOG_DUMP_TIMEOUT_MS 10000
#define LOG_LINE_MAX 65536

struct ctl_log {
	const char *name;
	bool json;
	struct log_rec *v; /* the service's records of the dump */
	char **lines;      /* what v points into */
	size_t n, cap;
};

static void print_rec(const struct ctl_log *c, const struct log_rec *r, struct buf *b)
{
	b->len = 0;
	if (c->json) {
		logfmt_json(b, r);
	} else {
		struct tm local;
		time_t t = logfmt_seconds(r->real_us);
		if (!localtime_r(&t, &local))
			memset(&local, 0, sizeof local);
		logfmt_text(b, r, &local);
	}
	if (!b->oom)
		fwrite(b->p, 1, b->len, stdout);
}

static bool of_service(const struct ctl_log *c, const struct log_rec *r)
{
	return r->tag_len == strlen(c->name) && !memcmp(r->tag, c->name, r->tag_len);
}

/* Takes the service's record r, parsed in copy (now owned); -1 when out of
 * memory. */
static int keep(struct ctl_log *c, char *copy, const struct log_rec *r)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct log_rec *v = realloc(c->v, cap * sizeof *v);
		if (v)
			c->v = v;
		char **l = realloc(c->lines, cap * sizeof *l);
		if (l)
			c->lines = l;
		if (!v || !l)
			return -1;
		c->cap = cap;
	}
	c->v[c->n] = *r;
	c->lines[c->n++] = copy;
	return 0;
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* The backlog, sorted: the last count records of the service. */
static void print_backlog(struct ctl_log *c, unsigned long count, struct buf *out)
{
	logfmt_sort(c->v, c->n);
	size_t from = count && c->n > count ? c->n - count : 0;
	for (size_t i = from; i < c->n; i++)
		print_rec(c, &c->v[i], out);
}

/* keel ends a dump with "end"; a follow's backlog may come without one: it
 * is complete when keel pauses after sending something (as logread does). */
#define LOG_FOLLOW_IDLE_MS 200

static int run(struct ctl_log *c, int fd, bool follow, unsigned long count)
{
	struct buf in = { 0 }, out = { 0 };
	bool live = false, got_some = false;
	int rc = -1;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += LOG_DUMP_TIMEOUT_MS / 1000;
	while (rc < 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = live ? -1 : ms_left(&deadline);
		if (!live && left < 0)
			left = 0;
		if (!live && follow && got_some && left > LOG_FOLLOW_IDLE_MS)
			left = LOG_FOLLOW_IDLE_MS;
		int pr = poll(&p, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0 && follow && got_some) {
			print_backlog(c, count, &out);
			live = true;
			if (fflush(stdout) != 0) {
				fprintf(stderr, "keelctl: stdout: %s\n", strerror(errno));
				rc = LOG_FAILED;
			}
			continue;
		}
		if (pr == 0) {
			fprintf(stderr, "keelctl: no complete answer from keel within %d s\n",
				LOG_DUMP_TIMEOUT_MS / 1000);
			rc = LOG_UNREACHABLE;
			break;
		}
		char tmp[16384];
		ssize_t r = pr < 0 ? -1 : read(fd, tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0)
				fprintf(stderr, "keelctl: log socket: %s\n", strerror(errno));
			else
				fprintf(stderr, "keelctl: keel closed the log socket%s\n",
					live || follow ? "" : " before the end of the log");
			rc = LOG_FAILED;
			break;
		}
		got_some = true;
		buf_add(&in, tmp, (size_t)r);
		if (in.oom) {
			fprintf(stderr, "keelctl: out of memory\n");
			rc = LOG_FAILED;
			break;
		}
		size_t off = 0;
		for (char *nl; rc < 0 && (nl = memchr(in.p + off, '\n', in.len - off));) {
			char *line = in.p + off;
			size_t len = (size_t)(nl - line);
			off += len + 1;
			struct log_rec rec;
			uint64_t lost = 0;
			/* Parsing unescapes in place: the backlog keeps its own copy. */
			char *work = live ? line : strndup(line, len);
			if (!work) {
				fprintf(stderr, "keelctl: out of memory\n");
				rc = LOG_FAILED;
				break;
			}
			enum logfmt_line kind = logfmt_parse_line(work, len, &rec, &lost);
			bool kept = false;
			if (kind == LOGFMT_RECORD && of_service(c, &rec)) {
				if (live)
					print_rec(c, &rec, &out);
				else if (keep(c, work, &rec) < 0) {
					fprintf(stderr, "keelctl: out of memory\n");
					rc = LOG_FAILED;
				} else
					kept = true;
			} else if (kind == LOGFMT_LOST && live && lost) {
				fprintf(stderr, "keelctl: %llu records were lost (keelctl read too "
						"slowly)\n", (unsigned long long)lost);
			} else if (kind == LOGFMT_END && !live) {
				print_backlog(c, count, &out);
				live = true;
				if (!follow)
					rc = LOG_OK;
			} else if (kind == LOGFMT_ERR) {
				work[len] = '\0';
				fprintf(stderr, "keelctl: keel refused: %s\n",
					len > 4 ? work + 4 : "no reason given");
				rc = LOG_FAILED;
			}
			if (work != line && !kept)
				free(work);
		}
		buf_consume(&in, off);
		if (in.len > LOG_LINE_MAX) {
			fprintf(stderr, "keelctl: not the log protocol on the log socket\n");
			rc = LOG_FAILED;
		}
		if (fflush(stdout) != 0) {
			fprintf(stderr, "keelctl: stdout: %s\n", strerror(errno));
			rc = LOG_FAILED;
		}
	}
	buf_free(&in);
	buf_free(&out);
	return rc;
}

int ctl_log_main(const char *sock_path, int argc, char **argv)
{
	struct ctl_log c = { 0 };
	bool follow = false;
	unsigned long count = 20;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-f")) {
			follow = true;
		} else if (!strcmp(a, "--json") || !strcmp(a, "-j")) {
			c.json = true;
		} else if (!strncmp(a, "-n", 2)) {
			const char *v = a[2] ? a + 2 : i + 1 < argc ? argv[++i] : "";
			char *end;
			errno = 0;
			count = strtoul(v, &end, 10);
			if (*v < '0' || *v > '9' || *end || errno) {
				fprintf(stderr, "keelctl: log: -n needs a count\n");
				return LOG_USAGE;
			}
		} else if (a[0] != '-' && a[0] && !c.name) {
			c.name = a;
		} else {
			fprintf(stderr, "usage: keelctl log NAME [-f] [-n N]\n");
			return LOG_USAGE;
		}
	}
	if (!c.name) {
		fprintf(stderr, "usage: keelctl log NAME [-f] [-n N]\n");
		return LOG_USAGE;
	}
	if (!sock_path)
		sock_path = KEEL_LOG_SOCKET;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(sock_path) >= sizeof sa.sun_path) {
		fprintf(stderr, "keelctl: socket path too long\n");
		return LOG_USAGE;
	}
	strcpy(sa.sun_path, sock_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fprintf(stderr, "keelctl: cannot reach keel's log at %s: %s\n", sock_path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return LOG_UNREACHABLE;
	}
	/* The ring holds every service: ask for all of it and keep this one's. */
	const char *req = follow ? "follow 0\n" : "dump 0\n";
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		fprintf(stderr, "keelctl: log socket: %s\n", strerror(errno));
		close(fd);
		return LOG_UNREACHABLE;
	}
	tzset();
	int rc = run(&c, fd, follow, count);
	close(fd);
	for (size_t i = 0; i < c.n; i++)
		free(c.lines[i]);
	free(c.lines);
	free(c.v);
	return rc;
}
