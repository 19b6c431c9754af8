/* svcparse_live: the liveness keywords of service files (pidfile, watchdog, on-crash, give-up, critical) and their words. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "svcparse_int.h"

static const char *const give_up_names[] = { "fail", "restart-dependents", "reboot", "failsafe" };

const char *live_give_up_name(unsigned g)
{
	return g < 4 ? give_up_names[g] : "?";
}

void live_free(struct svc_live *l)
{
	if (!l)
		return;
	free(l->pidfile);
	for (char **a = l->on_crash; a && *a; a++)
		free(*a);
	free(l->on_crash);
	free(l);
}

bool live_equal(const struct svc_live *a, const struct svc_live *b)
{
	if (!a || !b)
		return a == b;
	if (a->watchdog_ms != b->watchdog_ms || a->jitter_ms != b->jitter_ms ||
	    a->give_up != b->give_up || a->critical != b->critical ||
	    (!a->pidfile != !b->pidfile) || (a->pidfile && strcmp(a->pidfile, b->pidfile)))
		return false;
	return svc_argv_equal(a->on_crash, b->on_crash);
}

struct svc_live *svc_live_of(struct svc_parser *p)
{
	struct svc_opt *o = SVC_OPT(p->s);
	if (!o->lv && !(o->lv = calloc(1, sizeof *o->lv)))
		p->oom = true;
	return o->lv;
}

void svc_kw_pidfile(struct svc_parser *p, struct lex_line *l)
{
	if (l->argv[1][0] != '/') {
		svc_err(p, l->lineno, "pidfile: expected an absolute path, got %s", svc_quote(p, l->argv[1]));
		return;
	}
	struct svc_live *lv = svc_live_of(p);
	if (lv)
		lv->pidfile = svc_strdup(p, l->argv[1]);
}

void svc_kw_watchdog(struct svc_parser *p, struct lex_line *l)
{
	unsigned long ms;
	if (lex_duration_ms(l->argv[1], &ms) < 0 || ms < 10) {
		svc_err(p, l->lineno, "watchdog: expected a duration of at least 10ms, got %s",
			svc_quote(p, l->argv[1]));
		return;
	}
	struct svc_live *lv = svc_live_of(p);
	if (lv) {
		lv->watchdog_ms = ms;
		lv->line_watchdog = l->lineno;
	}
}

void svc_kw_on_crash(struct svc_parser *p, struct lex_line *l)
{
	if (!l->argv[1][0]) {
		svc_err(p, l->lineno, "on-crash: empty command name");
		return;
	}
	struct svc_live *lv = svc_live_of(p);
	char **argv = lv ? calloc(l->argc, sizeof *argv) : NULL;
	if (!argv) {
		p->oom = true;
		return;
	}
	/* The strings move from the line, which keeps NULLs. */
	for (size_t i = 1; i < l->argc; i++) {
		argv[i - 1] = l->argv[i];
		l->argv[i] = NULL;
	}
	lv->on_crash = argv;
}

void svc_kw_give_up(struct svc_parser *p, struct lex_line *l)
{
	for (unsigned g = 0; g < 4; g++)
		if (!strcmp(l->argv[1], give_up_names[g])) {
			struct svc_live *lv = svc_live_of(p);
			if (lv)
				lv->give_up = (uint8_t)g;
			return;
		}
	svc_err(p, l->lineno, "give-up: expected fail, restart-dependents, reboot or failsafe, got %s",
		svc_quote(p, l->argv[1]));
}

void svc_kw_critical(struct svc_parser *p, struct lex_line *l)
{
	(void)l;
	struct svc_live *lv = svc_live_of(p);
	if (lv)
		lv->critical = true;
}
