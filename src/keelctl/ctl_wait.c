/* ctl_wait: `start|stop|restart NAME --wait` — returns once the service got there, or says why not. */
/* SPDX-License-Identifier: MIT */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct seen {
	char state[32];
	char reason[512];
	char type[16];
	unsigned long long started; /* monotonic ms, 0 never */
};

/* One `status NAME`: 0, or an exit code (already reported). */
static int look(const struct ctl *c, const char *name, struct seen *s)
{
	struct buf req = { 0 }, reply = { 0 };
	buf_addf(&req, "status %s\n", name);
	int rc = req.oom ? ctl_fail(c, EXIT_FAILED, "out of memory") : ctl_request(c, req.p, &reply);
	buf_free(&req);
	if (rc) {
		buf_free(&reply);
		return rc;
	}
	rc = EXIT_FAILED;
	for (char *line = reply.p, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *f[19];
		if (!strncmp(line, "ERR", 3)) {
			rc = ctl_fail(c, EXIT_FAILED, "%s", line[3] ? line + 4 : "failed");
			break;
		}
		if (ctl_split_tabs(line, f, 19) == 19 && !strcmp(f[0], "svc")) {
			snprintf(s->state, sizeof s->state, "%s", f[2]);
			snprintf(s->reason, sizeof s->reason, "%s", f[10]);
			snprintf(s->type, sizeof s->type, "%s", f[7]);
			s->started = strtoull(f[15], NULL, 10);
			rc = 0;
			break;
		}
	}
	if (rc == EXIT_FAILED && !s->state[0])
		rc = ctl_fail(c, EXIT_FAILED, "no status for %s in keel's answer", name);
	buf_free(&reply);
	return rc;
}

static int done(const struct ctl *c, const char *name, const struct seen *s, uint64_t ms)
{
	if (c->json) {
		struct buf b = { 0 };
		buf_adds(&b, "{\"ok\":true,\"name\":");
		buf_add_json(&b, name);
		buf_adds(&b, ",\"state\":");
		buf_add_json(&b, s->state);
		buf_addf(&b, ",\"waited_ms\":%llu}\n", (unsigned long long)ms);
		if (b.p)
			fputs(b.p, stdout);
		buf_free(&b);
	} else {
		printf("%s %s\n", name, s->state);
	}
	return EXIT_OK;
}

int ctl_wait(const struct ctl *c, const char *verb, const char *name)
{
	uint64_t t0 = c->t_request, deadline = ctl_now_ms() + (uint64_t)c->timeout_ms;
	bool stop = !strcmp(verb, "stop"), restart = !strcmp(verb, "restart");
	long pause_ms = 20;
	struct seen s;
	for (;;) {
		memset(&s, 0, sizeof s);
		int rc = look(c, name, &s);
		if (rc)
			return rc;
		const char *st = s.state;
		bool down = !strcmp(st, "stopped") || !strcmp(st, "failed") || !strcmp(st, "done") ||
			    !strcmp(st, "inactive") || !strcmp(st, "skipped");
		if (stop && down)
			return done(c, name, &s, ctl_now_ms() - t0);
		if (!stop) {
			/* restart: a process started after the request */
			bool fresh = !restart || s.started >= t0;
			/* A `wait` service has done its job once it exited. */
			bool there = !strcmp(st, "done") || (!strcmp(st, "running") && strcmp(s.type, "wait"));
			if (there && fresh)
				return done(c, name, &s, ctl_now_ms() - t0);
			if ((!strcmp(st, "failed") || !strcmp(st, "skipped")) && (fresh || !restart))
				return ctl_fail(c, EXIT_FAILED, "%s %s%s%s", name, st, s.reason[0] ? ": " : "",
						s.reason);
			if (!strcmp(st, "stopped") && ctl_now_ms() - t0 > 1000)
				return ctl_fail(c, EXIT_FAILED, "%s was stopped meanwhile", name);
		}
		uint64_t now = ctl_now_ms();
		if (now >= deadline)
			return ctl_fail(c, EXIT_TIMEOUT, "%s still %s after %.1f s%s%s", name, st,
					(double)c->timeout_ms / 1000, s.reason[0] ? ": " : "", s.reason);
		long left = (long)(deadline - now);
		struct timespec ts = { 0, (pause_ms < left ? pause_ms : left) * 1000000L };
		nanosleep(&ts, NULL);
		if (pause_ms < 200)
			pause_ms += pause_ms / 2;
	}
}
