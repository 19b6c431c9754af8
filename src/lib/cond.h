/* cond: the start conditions, path triggers, timers and reload settings of a service file, and their words. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_COND_H
#define KEEL_COND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cond_kind {
	COND_PATH,    /* arg: absolute path */
	COND_IFACE,   /* arg: interface name or glob; sub: enum cond_iface */
	COND_ROUTE,   /* sub: enum cond_route; no arg */
	COND_SERVICE, /* arg: service name; sub: enum cond_svc */
	COND_CMDLINE, /* arg: WORD or KEY=VALUE */
	COND_FLAG,    /* arg: flag name */
	COND_MOUNTED, /* arg: absolute path, a mount point */
	COND_KIND_COUNT
};

enum cond_iface { COND_IF_EXISTS, COND_IF_UP, COND_IF_CARRIER, COND_IF_IPV4, COND_IF_IPV6, COND_IF_COUNT };
enum cond_route { COND_ROUTE_ANY, COND_ROUTE_V4, COND_ROUTE_V6, COND_ROUTE_COUNT };
enum cond_svc { COND_SVC_RUNNING, COND_SVC_READY, COND_SVC_FINISHED, COND_SVC_FAILED, COND_SVC_COUNT };

struct svc_cond {
	char *arg;     /* NULL for COND_ROUTE */
	unsigned line;
	uint8_t kind;  /* enum cond_kind */
	uint8_t sub;
	bool neg;      /* `!kind`: holds when the fact does not */
};

/* Trigger events, a bit mask: inotify's, then the mount table's. */
enum { COND_EV_CREATED = 1, COND_EV_CHANGED = 2, COND_EV_REMOVED = 4, COND_EV_MOUNTED = 8,
       COND_EV_UNMOUNTED = 16 };
#define COND_EV_PATH (COND_EV_CREATED | COND_EV_CHANGED | COND_EV_REMOVED)
#define COND_EV_MOUNT (COND_EV_MOUNTED | COND_EV_UNMOUNTED)
#define COND_EV_COUNT 5
enum cond_action { COND_ACT_START, COND_ACT_RELOAD, COND_ACT_RESTART };

struct svc_trigger {
	char *path;    /* absolute; the last component may be a glob; "/dir/" = every entry */
	unsigned line;
	uint8_t action; /* enum cond_action */
	uint8_t events; /* COND_EV_* */
};

struct svc_timer {
	unsigned long every_ms;  /* 0 for a time of day */
	unsigned long jitter_ms;
	unsigned line;
	int minute;              /* minute of the day for `at`, -1 for `every` */
};

/* Everything of this page one service file set; NULL in svc_opt when none
 * (nearly every service). One allocation per array, owned by the
 * definition's svc_opt. */
struct svc_conds {
	struct svc_cond *v;
	size_t n;
	struct svc_trigger *trig;
	size_t ntrig;
	struct svc_timer *timers;
	size_t ntimers;
	char **reload_argv;        /* `reload exec`, NULL-terminated, or NULL */
	unsigned long timeout_ms;  /* condition-timeout, 0 = none */
	unsigned lost_line;        /* line of condition-lost, 0 if none */
	int reload_signal;         /* `reload signal`, 0 = default (SIGHUP) */
	bool lost_restart;         /* condition-lost restart */
};

void cond_set_free(struct svc_conds *c);
bool cond_set_equal(const struct svc_conds *a, const struct svc_conds *b);
/* True if the service is started by its triggers or timers only, not by its target. */
bool cond_event_started(const struct svc_conds *c);

/* The words of the service file (cond.c), shared by the parser. */
extern const char *const cond_kind_names[COND_KIND_COUNT];
extern const char *const cond_iface_names[COND_IF_COUNT];
extern const char *const cond_route_names[COND_ROUTE_COUNT];
extern const char *const cond_svc_state_names[COND_SVC_COUNT];
extern const char *const cond_event_names[COND_EV_COUNT];
const char *cond_kind_name(enum cond_kind k);
/* The state word of a condition ("ipv4", "ready", "default4"), or NULL. */
const char *cond_sub_name(const struct svc_cond *c);
/* A condition's text without its '!' ("iface wlan0 ipv4"), allocated. */
char *cond_text(const struct svc_cond *c);
/* Flag names: 1..64 of [A-Za-z0-9._-]. */
bool cond_flag_name_ok(const char *s);

struct svc_def;
struct diags;

/*
 * Cycles through `condition service NAME running|ready|finished` (a waits
 * for b to run, b for a): each is reported once, as an error on the
 * condition that closes it ("condition cycle: a -> b -> a"), and skip[i]
 * is set for every member. defs[i] may be NULL (ignored). skip has n
 * entries. Returns -1 on no memory (nothing reported), else 0. Pure.
 */
int cond_find_cycles(struct svc_def *const *defs, size_t n, bool *skip, struct diags *diags);

#endif
