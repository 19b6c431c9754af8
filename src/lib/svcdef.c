/* svcdef: names, matching and freeing of parsed service definitions. */
/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lex.h"
#include "cond.h"
#include "live.h"
#include "svc.h"

static void svc_refs_free(struct svc_refs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
}

const struct svc_opt svc_opt_default = {
	.umask = -1,
	.stop_signal = SIGTERM,
	.stop_grace_ms = SVC_DEFAULT_STOP_GRACE_MS,
	.respawn_delay_ms = SVC_DEFAULT_RESPAWN_DELAY_MS,
	.respawn_max_delay_ms = SVC_DEFAULT_RESPAWN_MAX_DELAY_MS,
	.ready_timeout_ms = SVC_DEFAULT_READY_TIMEOUT_MS,
	.log_rate = -1,
};

void svc_def_free(struct svc_def *s)
{
	if (!s)
		return;
	if (s->packed) {
		cond_set_free(s->o->cs);
		live_free(s->o->lv);
		free(s);
		return;
	}
	free(s->name);
	free(s->instance);
	free(s->file);
	free(s->description);
	svc_refs_free(&s->after);
	svc_refs_free(&s->before);
	svc_refs_free(&s->requires);
	svc_refs_free(&s->provides);
	for (size_t i = 0; i < s->nexec; i++) {
		for (char **a = s->exec[i].argv; *a; a++)
			free(*a);
		free(s->exec[i].argv);
	}
	free(s->exec);
	struct svc_opt *o = SVC_OPT(s);
	if (o && o != &svc_opt_default) {
		free(o->arg);
		free(o->tty);
		free(o->user);
		free(o->group);
		for (size_t i = 0; i < o->nenv; i++)
			free(o->env[i]);
		free(o->env);
		free(o->cwd);
		free(o->rlimits);
		free(o->ready_file);
		cond_set_free(o->cs);
		live_free(o->lv);
		free(o);
	}
	free(s);
}

bool svc_argv_equal(char *const *a, char *const *b)
{
	if (!a || !b)
		return a == b;
	for (; *a && *b; a++, b++)
		if (strcmp(*a, *b))
			return false;
	return !*a && !*b;
}

const char *svc_type_name(enum svc_type t)
{
	switch (t) {
	case SVC_TYPE_ONCE:
		return "once";
	case SVC_TYPE_WAIT:
		return "wait";
	case SVC_TYPE_RESPAWN:
		return "respawn";
	}
	return "once";
}

static const char *const svc_target_names[SVC_TARGET_COUNT] = {
	[SVC_TARGET_BOOT] = "boot",
	[SVC_TARGET_REBOOT] = "reboot",
	[SVC_TARGET_SHUTDOWN] = "shutdown",
	[SVC_TARGET_CTRLALTDEL] = "ctrlaltdel",
};

const char *svc_target_name(enum svc_target t)
{
	if ((unsigned)t < SVC_TARGET_COUNT)
		return svc_target_names[t];
	return "boot";
}

int svc_target_from_name(const char *s)
{
	for (int i = 0; i < SVC_TARGET_COUNT; i++)
		if (strcmp(s, svc_target_names[i]) == 0)
			return i;
	return -1;
}

static const struct {
	const char *name;
	int sig;
} svc_signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM }, { "CONT", SIGCONT },
	{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "ALRM", SIGALRM }, { "PIPE", SIGPIPE },
	{ "CHLD", SIGCHLD }, { "WINCH", SIGWINCH }, { "PWR", SIGPWR },
	/* Names status output gives to crashes. */
	{ "SEGV", SIGSEGV }, { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "SYS", SIGSYS }, { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ },
};

int svc_signal_from_name(const char *s)
{
	unsigned long n;
	if (!s)
		return -1;
	if (s[0] >= '0' && s[0] <= '9')
		return lex_uint(s, 64, &n) == 0 && n >= 1 ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(svc_signals) / sizeof(svc_signals[0]); i++)
		if (strcasecmp(s, svc_signals[i].name) == 0)
			return svc_signals[i].sig;
	return -1;
}

const char *svc_signal_name(int sig)
{
	for (size_t i = 0; i < sizeof(svc_signals) / sizeof(svc_signals[0]); i++)
		if (svc_signals[i].sig == sig)
			return svc_signals[i].name;
	return NULL;
}

bool svc_matches(const struct svc_def *s, const char *name)
{
	if (!s || !name)
		return false;
	if ((s->instance && strcmp(s->instance, name) == 0) ||
	    (s->name && strcmp(s->name, name) == 0))
		return true;
	for (size_t i = 0; i < s->provides.n; i++)
		if (strcmp(s->provides.v[i].name, name) == 0)
			return true;
	return false;
}
