/* ctl_events: `keelctl events` — follows keel's event stream, one line or JSON object per event. */
/* SPDX-License-Identifier: MIT */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Field names after "event SEQ MONO WALL KIND", per kind. */
static const struct {
	const char *kind;
	const char *fields[8];
	const char *numeric; /* 'n': a number (null when empty) */
} kinds[] = {
	{ "state", { "service", "state", "from", "pid", "last_exit", "exit_code", "signal", "reason" }, "sssnsnns" },
	{ "cond", { "condition", "value" }, "sb" },
	{ "log", { "severity", "message" }, "ss" },
	{ "overrun", { "detail" }, "s" },
	{ "subscribed", { "protocol" }, "n" },
};

static void print_event(const struct ctl *c, char **f, size_t n, struct buf *o)
{
	o->len = 0;
	size_t k = 0;
	while (k < sizeof kinds / sizeof kinds[0] && strcmp(kinds[k].kind, f[4]))
		k++;
	if (c->json) {
		buf_addf(o, "{\"seq\":%s,\"mono_ms\":%s,\"wall_ms\":%s,\"kind\":", f[1], f[2], f[3]);
		buf_add_json(o, f[4]);
		for (size_t i = 5; k < sizeof kinds / sizeof kinds[0] && i < n && i - 5 < 8; i++) {
			const char *key = kinds[k].fields[i - 5];
			char t = kinds[k].numeric[i - 5];
			if (!key)
				break;
			buf_addf(o, ",\"%s\":", key);
			if (t == 'n')
				buf_adds(o, f[i][0] ? f[i] : "null");
			else if (t == 'b')
				buf_adds(o, !strcmp(f[i], "true") ? "true" : "false");
			else
				buf_add_json(o, f[i]);
		}
		buf_adds(o, "}\n");
	} else {
		long long wall = strtoll(f[3], NULL, 10);
		time_t t = (time_t)(wall / 1000);
		struct tm tm;
		char when[16] = "--:--:--";
		if (wall && localtime_r(&t, &tm))
			strftime(when, sizeof when, "%H:%M:%S", &tm);
		buf_addf(o, "%s.%03lld %s", when, wall % 1000, f[4]);
		if (!strcmp(f[4], "state") && n >= 13) {
			buf_addf(o, " %s %s -> %s", f[5], f[7], f[6]);
			if (strcmp(f[8], "0"))
				buf_addf(o, " pid %s", f[8]);
			if ((!strcmp(f[6], "failed") || !strcmp(f[6], "done") || !strcmp(f[6], "backoff")) &&
			    strcmp(f[9], "-"))
				buf_addf(o, " (%s)", f[9]);
			if (f[12][0])
				buf_addf(o, ": %s", f[12]);
		} else {
			for (size_t i = 5; i < n; i++)
				buf_addf(o, " %s", f[i]);
		}
		buf_adds(o, "\n");
	}
	if (!o->oom)
		fwrite(o->p, 1, o->len, stdout);
}

int ctl_events(const struct ctl *c)
{
	int fd = ctl_connect(c, "events\n");
	if (fd < 0)
		return -fd;
	struct buf in = { 0 }, out = { 0 };
	int rc = EXIT_FAILED;
	bool ended = false;
	while (!ended) {
		/* Whatever was printed is out before we may block. */
		fflush(stdout);
		char tmp[65536];
		ssize_t r = read(fd, tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (in.len == 0 && r < 0)
				ctl_fail(c, EXIT_UNREACHABLE, "event stream: %s", strerror(errno));
			rc = r < 0 && in.len == 0 ? EXIT_UNREACHABLE : rc;
			break;
		}
		buf_add(&in, tmp, (size_t)r);
		if (in.oom) {
			rc = ctl_fail(c, EXIT_FAILED, "out of memory");
			break;
		}
		char *nl;
		while (in.len && (nl = memchr(in.p, '\n', in.len))) {
			*nl = '\0';
			size_t used = (size_t)(nl - in.p) + 1;
			char *f[16];
			size_t n = ctl_split_tabs(in.p, f, 16);
			if (!strcmp(f[0], "event") && n >= 5) {
				print_event(c, f, n, &out);
				if (!strcmp(f[4], "overrun")) {
					fprintf(stderr, "keelctl: too slow reading events: keel dropped the subscription\n");
					rc = EXIT_FAILED;
					ended = true;
				}
			} else if (!strncmp(f[0], "OK", 2)) {
				rc = EXIT_OK; /* keel ends the stream (shutdown) */
				ended = true;
			} else if (!strncmp(f[0], "ERR", 3)) {
				rc = ctl_fail(c, EXIT_FAILED, "%s", f[0][3] ? f[0] + 4 : "failed");
				ended = true;
			}
			buf_consume(&in, used);
			if (ended)
				break;
		}
	}
	close(fd);
	buf_free(&in);
	buf_free(&out);
	return rc;
}
