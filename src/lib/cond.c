/* cond: the conditions a service waits for at run time — their names, text and comparison (parsed by svcparse_cond.c). */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "svc.h"

const char *const cond_kind_names[COND_KIND_COUNT] = {
	[COND_PATH] = "path",       [COND_IFACE] = "iface",     [COND_ROUTE] = "route",
	[COND_SERVICE] = "service", [COND_CMDLINE] = "cmdline", [COND_FLAG] = "flag",
	[COND_MOUNTED] = "mounted",
};
const char *const cond_iface_names[COND_IF_COUNT] = { "exists", "up", "carrier", "ipv4", "ipv6" };
const char *const cond_route_names[COND_ROUTE_COUNT] = { "default", "default4", "default6" };
const char *const cond_svc_state_names[COND_SVC_COUNT] = { "running", "ready", "finished", "failed" };
const char *const cond_event_names[COND_EV_COUNT] = { "created", "changed", "removed", "mounted",
						       "unmounted" };

const char *cond_kind_name(enum cond_kind k)
{
	return k < COND_KIND_COUNT ? cond_kind_names[k] : "?";
}

const char *cond_sub_name(const struct svc_cond *c)
{
	switch (c->kind) {
	case COND_IFACE: return c->sub < COND_IF_COUNT ? cond_iface_names[c->sub] : NULL;
	case COND_ROUTE: return c->sub < COND_ROUTE_COUNT ? cond_route_names[c->sub] : NULL;
	case COND_SERVICE: return c->sub < COND_SVC_COUNT ? cond_svc_state_names[c->sub] : NULL;
	default: return NULL;
	}
}

char *cond_text(const struct svc_cond *c)
{
	const char *sub = cond_sub_name(c);
	char *t = NULL;
	int r;
	if (c->kind == COND_ROUTE)
		r = asprintf(&t, "route %s", sub ? sub : "?");
	else if (sub)
		r = asprintf(&t, "%s %s %s", cond_kind_name(c->kind), c->arg, sub);
	else
		r = asprintf(&t, "%s %s", cond_kind_name(c->kind), c->arg);
	return r < 0 ? NULL : t;
}

bool cond_flag_name_ok(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n >= 1 && n <= 64;
}

void cond_set_free(struct svc_conds *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].arg);
	free(c->v);
	for (size_t i = 0; i < c->ntrig; i++)
		free(c->trig[i].path);
	free(c->trig);
	free(c->timers);
	for (char **a = c->reload_argv; a && *a; a++)
		free(*a);
	free(c->reload_argv);
	free(c);
}

static bool str_eq(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

bool cond_set_equal(const struct svc_conds *a, const struct svc_conds *b)
{
	if (!a || !b)
		return a == b;
	if (a->n != b->n || a->ntrig != b->ntrig || a->ntimers != b->ntimers ||
	    a->timeout_ms != b->timeout_ms || a->reload_signal != b->reload_signal ||
	    a->lost_restart != b->lost_restart)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].kind != b->v[i].kind || a->v[i].sub != b->v[i].sub ||
		    a->v[i].neg != b->v[i].neg || !str_eq(a->v[i].arg, b->v[i].arg))
			return false;
	for (size_t i = 0; i < a->ntrig; i++)
		if (a->trig[i].action != b->trig[i].action || a->trig[i].events != b->trig[i].events ||
		    strcmp(a->trig[i].path, b->trig[i].path))
			return false;
	for (size_t i = 0; i < a->ntimers; i++)
		if (a->timers[i].every_ms != b->timers[i].every_ms ||
		    a->timers[i].jitter_ms != b->timers[i].jitter_ms ||
		    a->timers[i].minute != b->timers[i].minute)
			return false;
	return svc_argv_equal(a->reload_argv, b->reload_argv);
}

bool cond_event_started(const struct svc_conds *c)
{
	if (!c)
		return false;
	if (c->ntimers)
		return true;
	for (size_t i = 0; i < c->ntrig; i++)
		if (c->trig[i].action == COND_ACT_START)
			return true;
	return false;
}
