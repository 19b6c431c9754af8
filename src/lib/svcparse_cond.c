/* svcparse_cond: the condition, trigger, timer and reload keywords of service files, and their words. */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "svcparse_int.h"

static struct svc_conds *conds_of(struct svc_parser *p)
{
	struct svc_opt *o = SVC_OPT(p->s);
	if (!o->cs) {
		o->cs = calloc(1, sizeof *o->cs);
		if (!o->cs)
			p->oom = true;
	}
	return o->cs;
}

static int word_index(const char *const *words, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(words[i], w))
			return (int)i;
	return -1;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* An absolute path without "." or ".." components, globs (if allowed) only
 * in its last component. NULL if fine, else why not. */
static const char *path_problem(const char *path, bool glob_last)
{
	if (path[0] != '/')
		return "expected an absolute path";
	const char *last = strrchr(path, '/') + 1;
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "control character in path";
	for (const char *seg = path + 1; seg && *seg;) {
		const char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);
		if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return "\".\" and \"..\" are not allowed in the path";
		seg = end ? end + 1 : NULL;
	}
	char *dir = strndup(path, (size_t)(last - path));
	bool dir_glob = dir && has_glob(dir);
	free(dir);
	if (dir_glob)
		return "globs are allowed only in the last component";
	if (!glob_last && has_glob(last))
		return "globs are not allowed here";
	return NULL;
}

static bool iface_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || (unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

void svc_kw_condition(struct svc_parser *p, struct lex_line *l)
{
	const char *kw = l->argv[1];
	struct svc_cond c = { .line = l->lineno };
	if (kw[0] == '!') {
		c.neg = true;
		kw++;
	}
	int k = word_index(cond_kind_names, COND_KIND_COUNT, kw);
	if (k < 0) {
		svc_err(p, l->lineno,
			"condition: unknown kind %s (expected path, iface, route, service, cmdline, flag "
			"or mounted, optionally after '!')",
			svc_quote(p, l->argv[1]));
		return;
	}
	c.kind = (uint8_t)k;
	size_t want_min = k == COND_IFACE ? 2 : k == COND_SERVICE ? 3 : 2;
	size_t want_max = k == COND_IFACE || k == COND_SERVICE ? 3 : 2;
	if (l->argc - 1 < want_min || l->argc - 1 > want_max) {
		static const char *const usage[COND_KIND_COUNT] = {
			[COND_PATH] = "condition [!]path /PATH",
			[COND_IFACE] = "condition [!]iface NAME [exists|up|carrier|ipv4|ipv6]",
			[COND_ROUTE] = "condition [!]route default|default4|default6",
			[COND_SERVICE] = "condition [!]service NAME running|ready|finished|failed",
			[COND_CMDLINE] = "condition [!]cmdline WORD",
			[COND_FLAG] = "condition [!]flag NAME",
			[COND_MOUNTED] = "condition [!]mounted /PATH",
		};
		svc_err(p, l->lineno, "condition: wrong number of arguments (usage: %s)", usage[k]);
		return;
	}
	const char *arg = l->argv[2], *sub = l->argc > 3 ? l->argv[3] : NULL;
	const char *why = NULL;
	int s = 0;
	switch (k) {
	case COND_PATH:
		why = path_problem(arg, false);
		break;
	case COND_IFACE:
		if (!iface_name_ok(arg))
			why = "bad interface name (1 to 15 bytes, no '/', ':' or blanks)";
		else if (sub && (s = word_index(cond_iface_names, COND_IF_COUNT, sub)) < 0) {
			svc_err(p, l->lineno, "condition: iface: unknown state %s (expected exists, up, "
				"carrier, ipv4 or ipv6)", svc_quote(p, sub));
			return;
		}
		break;
	case COND_ROUTE:
		if ((s = word_index(cond_route_names, COND_ROUTE_COUNT, arg)) < 0) {
			svc_err(p, l->lineno, "condition: route: expected default, default4 or default6, "
				"got %s", svc_quote(p, arg));
			return;
		}
		arg = NULL;
		break;
	case COND_SERVICE:
		if (strchr(arg, '/') || (unsigned char)arg[0] <= ' ')
			why = "bad service name";
		else if ((s = word_index(cond_svc_state_names, COND_SVC_COUNT, sub)) < 0) {
			svc_err(p, l->lineno, "condition: service: unknown state %s (expected running, "
				"ready, finished or failed)", svc_quote(p, sub));
			return;
		}
		break;
	case COND_CMDLINE:
		if (!*arg || arg[0] == '=' || strpbrk(arg, " \t\""))
			why = "expected one word of the kernel command line";
		break;
	case COND_FLAG:
		if (!cond_flag_name_ok(arg))
			why = "bad flag name (1 to 64 letters, digits, '.', '_' or '-')";
		break;
	case COND_MOUNTED:
		why = path_problem(arg, false);
		/* compared with the kernel's mount points as they are written */
		if (!why && ((arg[1] && arg[strlen(arg) - 1] == '/') || strstr(arg, "//")))
			why = "a mount point has no trailing or doubled '/'";
		break;
	}
	if (why) {
		svc_err(p, l->lineno, "condition: %s: %s: %s", cond_kind_names[k], why,
			svc_quote(p, arg ? arg : ""));
		return;
	}
	c.sub = (uint8_t)s;
	struct svc_conds *cs = conds_of(p);
	if (!cs)
		return;
	struct svc_cond *v = svc_grow(p, cs->v, cs->n, sizeof *v);
	if (!v)
		return;
	cs->v = v;
	if (arg && !(c.arg = svc_strdup(p, arg)))
		return;
	cs->v[cs->n++] = c;
}

void svc_kw_condition_lost(struct svc_parser *p, struct lex_line *l)
{
	const char *w = l->argv[1];
	if (strcmp(w, "keep") && strcmp(w, "restart")) {
		svc_err(p, l->lineno, "condition-lost: expected keep or restart, got %s", svc_quote(p, w));
		return;
	}
	struct svc_conds *cs = conds_of(p);
	if (cs) {
		cs->lost_restart = w[0] == 'r';
		cs->lost_line = l->lineno;
	}
}

void svc_kw_condition_timeout(struct svc_parser *p, struct lex_line *l)
{
	unsigned long ms;
	if (lex_duration_ms(l->argv[1], &ms) < 0) {
		svc_err(p, l->lineno, "condition-timeout: expected a duration (like 500ms, 3s, 1m), got %s",
			svc_quote(p, l->argv[1]));
		return;
	}
	struct svc_conds *cs = conds_of(p);
	if (cs)
		cs->timeout_ms = ms;
}

void svc_kw_trigger(struct svc_parser *p, struct lex_line *l)
{
	static const char *const actions[] = { "start", "reload", "restart" };
	int a = word_index(actions, 3, l->argv[1]);
	if (a < 0) {
		svc_err(p, l->lineno, "trigger: expected start, reload or restart, got %s",
			svc_quote(p, l->argv[1]));
		return;
	}
	const char *why = path_problem(l->argv[2], true);
	if (why) {
		svc_err(p, l->lineno, "trigger: %s: %s", why, svc_quote(p, l->argv[2]));
		return;
	}
	unsigned ev = 0;
	for (size_t i = 3; i < l->argc; i++) {
		int e = word_index(cond_event_names, COND_EV_COUNT, l->argv[i]);
		if (e < 0) {
			svc_err(p, l->lineno, "trigger: unknown event %s (expected created, changed, removed, "
				"mounted or unmounted)", svc_quote(p, l->argv[i]));
			return;
		}
		ev |= 1u << e;
	}
	/* A mount point is matched as it is written: "/mnt/" stands for every
	 * mount directly below /mnt, "/mnt//x" for nothing at all. */
	if ((ev & COND_EV_MOUNT) && strstr(l->argv[2], "//")) {
		svc_err(p, l->lineno, "trigger: a mount point has no doubled '/': %s",
			svc_quote(p, l->argv[2]));
		return;
	}
	if (!ev)
		ev = a == COND_ACT_START ? COND_EV_CREATED | COND_EV_CHANGED
					 : COND_EV_CREATED | COND_EV_CHANGED | COND_EV_REMOVED;
	struct svc_conds *cs = conds_of(p);
	if (!cs)
		return;
	struct svc_trigger *v = svc_grow(p, cs->trig, cs->ntrig, sizeof *v);
	if (!v)
		return;
	cs->trig = v;
	char *path = svc_strdup(p, l->argv[2]);
	if (!path)
		return;
	cs->trig[cs->ntrig++] = (struct svc_trigger){ .path = path, .line = l->lineno,
						       .action = (uint8_t)a, .events = (uint8_t)ev };
}

static int parse_hhmm(const char *s)
{
	/* exactly HH:MM */
	for (int i = 0; i < 5; i++)
		if (i == 2 ? s[i] != ':' : !(s[i] >= '0' && s[i] <= '9'))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (s[5] || h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

static void timer_add(struct svc_parser *p, struct svc_timer t)
{
	struct svc_conds *cs = conds_of(p);
	if (!cs)
		return;
	struct svc_timer *v = svc_grow(p, cs->timers, cs->ntimers, sizeof *v);
	if (!v)
		return;
	cs->timers = v;
	cs->timers[cs->ntimers++] = t;
}

void svc_kw_timer(struct svc_parser *p, struct lex_line *l)
{
	struct svc_timer t = { .line = l->lineno, .minute = -1 };
	if (!strcmp(l->argv[1], "every")) {
		if (l->argc != 3 && !(l->argc == 5 && !strcmp(l->argv[3], "jitter"))) {
			svc_err(p, l->lineno, "timer: usage: timer every DURATION [jitter DURATION]");
			return;
		}
		if (lex_duration_ms(l->argv[2], &t.every_ms) < 0 || t.every_ms < 100) {
			svc_err(p, l->lineno, "timer: every: expected a duration of at least 100ms, got %s",
				svc_quote(p, l->argv[2]));
			return;
		}
		if (l->argc == 5 && lex_duration_ms(l->argv[4], &t.jitter_ms) < 0) {
			svc_err(p, l->lineno, "timer: jitter: expected a duration, got %s",
				svc_quote(p, l->argv[4]));
			return;
		}
		timer_add(p, t);
		return;
	}
	if (!strcmp(l->argv[1], "at")) {
		for (size_t i = 2; i < l->argc; i++) {
			t.minute = parse_hhmm(l->argv[i]);
			if (t.minute < 0)
				svc_err(p, l->lineno, "timer: at: expected a time of day HH:MM, got %s",
					svc_quote(p, l->argv[i]));
			else
				timer_add(p, t);
		}
		return;
	}
	svc_err(p, l->lineno, "timer: expected every or at, got %s", svc_quote(p, l->argv[1]));
}

void svc_kw_reload(struct svc_parser *p, struct lex_line *l)
{
	struct svc_conds *cs;
	if (!strcmp(l->argv[1], "signal")) {
		int sig = l->argc == 3 ? svc_signal_from_name(l->argv[2]) : -1;
		if (sig <= 0) {
			svc_err(p, l->lineno, "reload: signal: expected one signal name, got %s",
				svc_quote(p, l->argv[2]));
			return;
		}
		if ((cs = conds_of(p)))
			cs->reload_signal = sig;
		return;
	}
	if (!strcmp(l->argv[1], "exec")) {
		if (!l->argv[2][0] || (l->argv[2][0] != '/' && strchr(l->argv[2], '/'))) {
			svc_err(p, l->lineno, "reload: exec: bad command name %s", svc_quote(p, l->argv[2]));
			return;
		}
		if (!(cs = conds_of(p)))
			return;
		char **argv = calloc(l->argc - 1, sizeof *argv);
		if (!argv) {
			p->oom = true;
			return;
		}
		/* The strings move from the line, which keeps NULLs. */
		for (size_t i = 2; i < l->argc; i++) {
			argv[i - 2] = l->argv[i];
			l->argv[i] = NULL;
		}
		cs->reload_argv = argv;
		return;
	}
	svc_err(p, l->lineno, "reload: expected signal or exec, got %s", svc_quote(p, l->argv[1]));
}

void svc_cond_finish(struct svc_parser *p)
{
	struct svc_def *s = p->s;
	const struct svc_conds *cs = s->o->cs;
	if (!cs)
		return;
	for (size_t i = 0; i < cs->ntrig; i++)
		if (cs->trig[i].action == COND_ACT_START && s->type == SVC_TYPE_RESPAWN)
			svc_err(p, cs->trig[i].line, "trigger start: a respawn service always runs; "
				"use \"trigger restart\", or type once");
	if (cs->ntimers && s->type == SVC_TYPE_RESPAWN)
		svc_err(p, cs->timers[0].line, "timer: a respawn service always runs; use type once");
	if (cs->lost_line && !cs->n)
		diag_add(p->diags, DIAG_WARNING, p->file, cs->lost_line,
			 "condition-lost has no effect: the service has no condition");
	/* A service that names itself waits for itself forever. */
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].kind == COND_SERVICE && !cs->v[i].neg && s->name &&
		    (!strcmp(cs->v[i].arg, s->name) || (s->instance && !strcmp(cs->v[i].arg, s->instance))))
			svc_err(p, cs->v[i].line, "condition: service: the service waits for itself: %s",
				svc_quote(p, cs->v[i].arg));
}
